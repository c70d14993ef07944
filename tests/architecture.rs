//! Invariants of the code base that a compiler cannot check (see
//! `server/ARCHITECTURE.md`).

use std::path::{Path, PathBuf};

fn server_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source dir readable") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code lines of a file, without `//` comments, so docs may name what the
/// code must not use.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("source readable");
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("").to_string()))
        .collect()
}

#[test]
fn engine_knows_nothing_of_protocol_runtime_or_json() {
    // Nor of the file system: files reach it as text (`project` and `files`
    // read them, safely).
    const FORBIDDEN: &[&str] = &[
        "tower_lsp",
        "lsp_types",
        "tokio",
        "serde_json",
        "jsonrpc",
        "crate::lsp",
        "crate::cli",
        "std::fs",
        "File::open",
    ];
    let mut files = Vec::new();
    rust_files(&server_dir().join("src/engine"), &mut files);
    assert!(files.len() >= 10, "engine sources found: {files:?}");
    let mut violations = Vec::new();
    for file in &files {
        for (number, line) in code_lines(file) {
            for forbidden in FORBIDDEN {
                if line.contains(forbidden) {
                    violations.push(format!("{}:{number}: uses `{forbidden}`", file.display()));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "engine/ must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_forbidden_import_check_can_fail() {
    // Guards the guard: the scanner must see a `use` of a forbidden crate.
    let dir = std::env::temp_dir().join(format!("nudge-arch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.rs");
    std::fs::write(&file, "use tower_lsp_server::Client; // comment tokio\n").unwrap();
    let lines = code_lines(&file);
    assert!(lines[0].1.contains("tower_lsp"));
    assert!(!lines[0].1.contains("tokio"), "comments are ignored");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn no_println_in_the_server() {
    // stdout is the protocol channel of `nudge lsp`; the CLI writes to it
    // through explicit handles only.
    let mut files = Vec::new();
    rust_files(&server_dir().join("src"), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        for (number, line) in code_lines(file) {
            if line.contains("println!") || line.contains("print!(") || line.contains("dbg!(") {
                violations.push(format!("{}:{number}", file.display()));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "printing macros found:\n{}",
        violations.join("\n")
    );
}

#[test]
fn only_psql_connects_and_only_to_our_socket_or_the_url_given() {
    // The one way out of the process is `psql`, started by `pg`: to the
    // unix socket of a cluster Nudge started itself (which listens on no
    // TCP port at all), or to the `--db` URL the user typed. Nothing else
    // spawns programs (the test-only `mkfifo` aside).
    let mut files = Vec::new();
    rust_files(&server_dir().join("src"), &mut files);
    let mut spawners = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let before_tests = text.split("#[cfg(test)]").next().unwrap_or("");
        let spawns = before_tests
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .any(|l| {
                l.contains("process::Command") || (l.contains("Command::new(") && !l.contains("Some(Command::new("))
            });
        if spawns {
            spawners.push(file.strip_prefix(server_dir()).unwrap().display().to_string());
        }
    }
    assert_eq!(
        spawners,
        ["src/pg/mod.rs"],
        "only the PostgreSQL module starts programs"
    );
    let pg = std::fs::read_to_string(server_dir().join("src/pg/mod.rs")).unwrap();
    assert!(
        pg.contains("\"listen_addresses=\""),
        "the throwaway cluster has no TCP listener"
    );
    assert!(
        pg.contains("command.env_clear();"),
        "psql gets no PG* variable pointing elsewhere"
    );
    assert!(
        pg.contains(".arg(\"-h\")\n                    .arg(dir)"),
        "psql connects to our socket directory"
    );
    let prove = std::fs::read_to_string(server_dir().join("src/prove/mod.rs")).unwrap();
    assert!(
        prove.contains("if !is_local(url) && !options.allow_remote"),
        "a --db URL on another machine needs --allow-remote"
    );
}

#[test]
fn no_networking_code_or_crates() {
    // Local by design: no sockets in our code, no HTTP client or network
    // runtime among the dependencies (tests/security.rs also runs the scan
    // and the server with no network at all).
    let mut files = Vec::new();
    rust_files(&server_dir().join("src"), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        for (number, line) in code_lines(file) {
            if ["std::net", "tokio::net", "TcpStream", "UdpSocket", "TcpListener"]
                .iter()
                .any(|needle| line.contains(needle))
            {
                violations.push(format!("{}:{number}", file.display()));
            }
        }
    }
    assert!(violations.is_empty(), "networking code:\n{}", violations.join("\n"));
    let lock = std::fs::read_to_string(server_dir().join("../Cargo.lock")).unwrap();
    for krate in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "isahc",
        "surf",
        "attohttpc",
        "h2",
        "rustls",
        "native-tls",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{krate}\"\n")),
            "{krate} is in Cargo.lock"
        );
    }
    let manifest = std::fs::read_to_string(server_dir().join("Cargo.toml")).unwrap();
    let runtime = manifest.lines().find(|l| l.starts_with("tokio = ")).unwrap();
    assert!(
        !runtime.contains("\"net\"") && !runtime.contains("\"full\""),
        "{runtime}"
    );
}

#[test]
fn every_rule_file_is_named_after_its_id_and_has_examples() {
    let queries = server_dir().join("../queries");
    let mut count = 0;
    let mut sql_rules = 0;
    for entry in std::fs::read_dir(&queries).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        count += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert!(
            text.contains(&format!("id = \"{stem}\"")),
            "{} must declare id = \"{stem}\"",
            path.display()
        );
        assert!(
            text.contains("[[flagged]]") && text.contains("[[clean]]"),
            "{} needs flagged and clean examples",
            path.display()
        );
        // SQL rules read the final catalog, never raw statements: a query
        // over one statement cannot know what later migrations did.
        if text.contains("languages = [\"sql\"]") {
            sql_rules += 1;
            assert!(
                text.contains("\ncatalog = ") && !text.contains("\nquery = "),
                "{} is a SQL rule: it asks the catalog (`catalog = ...`), not a query",
                path.display()
            );
        }
    }
    assert!(count >= 5, "built-in rules found: {count}");
    assert!(sql_rules >= 15, "SQL rules found: {sql_rules}");
}
