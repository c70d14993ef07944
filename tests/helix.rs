//! Helix: `editors/helix/languages.toml` adds `nudge` to each language while
//! keeping Helix's default servers (Helix replaces the whole list). When an
//! `hx` binary is on PATH, a tmux-driven session checks the nudge appears.

use std::path::Path;
use std::process::Command;

/// Helix's default language servers for the languages Nudge joins.
const HELIX_DEFAULTS: &[(&str, &[&str])] = &[
    ("typescript", &["typescript-language-server"]),
    ("tsx", &["typescript-language-server"]),
    ("javascript", &["typescript-language-server"]),
    ("jsx", &["typescript-language-server"]),
    ("sql", &[]),
    ("env", &[]),
];

fn config() -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/helix/languages.toml");
    std::fs::read_to_string(path)
        .unwrap()
        .parse()
        .expect("languages.toml parses")
}

#[test]
fn every_language_lists_nudge_and_keeps_the_defaults() {
    let config = config();
    let server = &config["language-server"]["nudge"];
    assert_eq!(server["command"].as_str(), Some("nudge"));
    assert_eq!(server["args"].as_array().unwrap()[0].as_str(), Some("lsp"));
    let languages = config["language"].as_array().unwrap();
    for (name, defaults) in HELIX_DEFAULTS {
        let entry = languages
            .iter()
            .find(|l| l["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("languages.toml has no entry for {name}"));
        let servers: Vec<&str> = entry["language-servers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(servers.contains(&"nudge"), "{name}: {servers:?}");
        for default in *defaults {
            assert!(
                servers.contains(default),
                "{name} must keep Helix's default {default}: {servers:?}"
            );
        }
    }
    assert_eq!(languages.len(), HELIX_DEFAULTS.len(), "no unexpected languages");
}

#[test]
fn helix_session_when_hx_is_available() {
    let hx = Command::new("hx").arg("--version").output();
    let Ok(version) = hx else {
        eprintln!(
            "SKIPPED: no `hx` binary on PATH (no package registry here ships Helix); only languages.toml was checked"
        );
        return;
    };
    assert!(version.status.success());
    // A real session: tmux runs hx on a demo file with the project's languages.toml.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let work = std::env::temp_dir().join(format!("nudge-hx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("config/helix")).unwrap();
    std::fs::copy(
        root.join("editors/helix/languages.toml"),
        work.join("config/helix/languages.toml"),
    )
    .unwrap();
    std::fs::write(
        work.join("config/helix/config.toml"),
        "[editor.workspace-trust]\nprompt = false\n[editor]\nend-of-line-diagnostics = \"hint\"\n",
    )
    .unwrap();
    let file = root.join("tests/demo-app/lib/ai.ts");
    let session = format!("nudge-hx-{}", std::process::id());
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_nudge")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let status = Command::new("tmux")
        .args(["new-session", "-d", "-s", &session, "-x", "200", "-y", "50"])
        .arg(format!(
            "env PATH={path} XDG_CONFIG_HOME={} hx {}",
            work.join("config").display(),
            file.display()
        ))
        .status()
        .expect("tmux runs");
    assert!(status.success());
    let mut screen = String::new();
    for _ in 0..60 {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &session])
            .output()
            .unwrap();
        screen = String::from_utf8_lossy(&out.stdout).into_owned();
        if screen.contains("browser") {
            break;
        }
    }
    let _ = Command::new("tmux").args(["kill-session", "-t", &session]).status();
    let _ = std::fs::remove_dir_all(&work);
    assert!(screen.contains("browser"), "the nudge shows in Helix:\n{screen}");
}
