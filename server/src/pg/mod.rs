//! A real PostgreSQL to try things against: a throwaway cluster Nudge
//! starts itself (private temp directory, a unix socket in it, no TCP
//! listener at all, deleted afterwards), or a database the user names.
//!
//! Nudge talks to it only through `psql`, the client that comes with every
//! PostgreSQL: the `nudge` binary itself opens no socket (the architecture
//! test checks it), and `psql` connects to exactly the socket or URL given,
//! with every `PG*` environment variable cleared.

pub mod compat;
pub mod inspect;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The PostgreSQL programs found on this machine.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub bindir: PathBuf,
}

impl Binaries {
    fn program(&self, name: &str) -> PathBuf {
        self.bindir.join(name)
    }

    /// Finds `initdb`, `postgres` and `psql` together: on `PATH`, in
    /// `pg_config --bindir`, or in the usual install directories (the
    /// newest version first).
    ///
    /// `NUDGE_PG_BINDIR` names the one directory to use instead (a
    /// particular version, or an install Nudge does not know about).
    pub fn find() -> Result<Binaries, String> {
        const HOW: &str = "install PostgreSQL (Debian/Ubuntu: `apt install postgresql`; macOS: `brew install postgresql`) or give `--db postgresql://...` (e.g. the one `supabase start` runs)";
        let complete = |dir: &Path| ["initdb", "postgres", "psql"].iter().all(|p| dir.join(p).is_file());
        if let Some(dir) = std::env::var_os("NUDGE_PG_BINDIR") {
            let dir = PathBuf::from(dir);
            return if complete(&dir) {
                Ok(Binaries { bindir: dir })
            } else {
                Err(format!(
                    "no initdb, postgres and psql in NUDGE_PG_BINDIR={}: point it at PostgreSQL's bin directory, or {HOW}",
                    dir.display()
                ))
            };
        }
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                // `initdb` on PATH is often a link into the versioned directory.
                if let Ok(real) = std::fs::canonicalize(dir.join("initdb"))
                    && let Some(parent) = real.parent()
                {
                    candidates.push(parent.to_path_buf());
                }
                candidates.push(dir);
            }
        }
        if let Ok(output) = Command::new("pg_config").arg("--bindir").stderr(Stdio::null()).output()
            && output.status.success()
        {
            candidates.push(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
        }
        for pattern_dir in [
            "/usr/lib/postgresql",
            "/usr/local/lib/postgresql",
            "/opt/homebrew/opt",
            "/usr/local/opt",
        ] {
            let Ok(entries) = std::fs::read_dir(pattern_dir) else {
                continue;
            };
            let mut versions: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    name.chars().next().is_some_and(|c| c.is_ascii_digit()) || name.starts_with("postgresql")
                })
                .collect();
            versions.sort_by_key(|p| std::cmp::Reverse(version_of(p)));
            candidates.extend(versions.into_iter().map(|p| p.join("bin")));
        }
        candidates.extend(
            [
                "/usr/local/pgsql/bin",
                "/Applications/Postgres.app/Contents/Versions/latest/bin",
            ]
            .map(PathBuf::from),
        );
        candidates
            .into_iter()
            .find(|dir| complete(dir))
            .map(|bindir| Binaries { bindir })
            .ok_or_else(|| format!("no PostgreSQL found: {HOW}"))
    }
}

impl Binaries {
    /// Only `psql` (enough for a database the user names).
    pub fn psql_only() -> Option<Binaries> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .find(|dir| dir.join("psql").is_file())
            .map(|bindir| Binaries { bindir })
    }
}

/// A connection URL without its password, and the password (decoded).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let authority_end = url[scheme_end..].find(['/', '?']).map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let credentials = &authority[..at];
    let Some((user, password)) = credentials.split_once(':') else {
        return (url.to_string(), None);
    };
    let without = format!("{}{user}@{}", &url[..scheme_end], &url[scheme_end + at + 1..]);
    (without, Some(percent_decode(password)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The major version in a path like `/usr/lib/postgresql/15`.
fn version_of(path: &Path) -> u32 {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.chars().filter(char::is_ascii_digit).collect::<String>())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

/// Where `psql` connects: a socket directory of our own cluster, or a URL.
#[derive(Clone, Debug)]
pub enum Target {
    Socket { dir: PathBuf, port: u16, user: String },
    Url(String),
}

/// Runs SQL through `psql`.
#[derive(Clone, Debug)]
pub struct Psql {
    program: PathBuf,
    target: Target,
    database: String,
}

/// What a script printed, and whether psql itself succeeded.
#[derive(Debug)]
pub struct ScriptOutput {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Psql {
    pub fn new(binaries: &Binaries, target: Target, database: &str) -> Psql {
        Psql {
            program: binaries.program("psql"),
            target,
            database: database.to_string(),
        }
    }

    /// The same server, another database.
    /// Where this client connects.
    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn database(&self, name: &str) -> Psql {
        Psql {
            database: name.to_string(),
            ..self.clone()
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        // No psqlrc, no service files, no variables pointing elsewhere.
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command.env("LC_ALL", "C").env("PGCONNECT_TIMEOUT", "10");
        command.args(["-X", "-q", "-v", "VERBOSITY=terse"]);
        match &self.target {
            Target::Socket { dir, port, user } => {
                command
                    .arg("-h")
                    .arg(dir)
                    .args(["-p", &port.to_string(), "-U", user, "-d", &self.database]);
            }
            Target::Url(url) => {
                // A password goes through the environment, never the
                // command line that every local user can list.
                let (url, password) = split_password(url);
                if let Some(password) = password {
                    command.env("PGPASSWORD", password);
                }
                command.arg("-d").arg(url);
            }
        }
        command
    }

    /// Runs `sql` from a file named `name` (so errors say `name:LINE`),
    /// continuing after errors unless `stop_on_error`.
    pub fn script(&self, name: &str, sql: &str, stop_on_error: bool) -> Result<ScriptOutput, String> {
        let dir = tempfile::Builder::new()
            .prefix("nudge-sql-")
            .tempdir()
            .map_err(|e| format!("no temp directory: {e}"))?;
        let file = dir.path().join(name.replace('/', "_"));
        std::fs::write(&file, sql).map_err(|e| format!("cannot write a temp file: {e}"))?;
        let mut command = self.command();
        command
            .args([
                "-v",
                if stop_on_error {
                    "ON_ERROR_STOP=1"
                } else {
                    "ON_ERROR_STOP=0"
                },
            ])
            .arg("-f")
            .arg(&file);
        let output = command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr).replace(&file.display().to_string(), name);
        Ok(ScriptOutput {
            ok: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr,
        })
    }

    /// Runs files in order in one session, each as if given with `-f` (its
    /// errors say `name:LINE`), going on after errors: a statement that
    /// cannot run here (an extension that is not installed) is reported and
    /// the rest still apply.
    pub fn files(&self, files: &[(String, String)]) -> Result<ScriptOutput, String> {
        let dir = tempfile::Builder::new()
            .prefix("nudge-sql-")
            .tempdir()
            .map_err(|e| format!("no temp directory: {e}"))?;
        let mut driver = String::new();
        let mut names = Vec::new();
        for (index, (name, text)) in files.iter().enumerate() {
            let file = dir.path().join(format!("{index:05}.sql"));
            std::fs::write(&file, text).map_err(|e| format!("cannot write a temp file: {e}"))?;
            driver.push_str(&format!("\\i '{}'\n", file.display()));
            names.push((file.display().to_string(), name.clone()));
        }
        let mut output = self.script("migrations", &driver, false)?;
        // Longest first, so `00010.sql` is not taken for `00001.sql` + `0`.
        names.sort_by_key(|(temp, _)| std::cmp::Reverse(temp.len()));
        for (temp, name) in names {
            output.stderr = output.stderr.replace(&temp, &name);
        }
        Ok(output)
    }

    /// The rows of one query, fields separated by U+001F, rows by U+001E
    /// (characters SQL text does not hold), so any value round-trips.
    pub fn rows(&self, query: &str) -> Result<Vec<Vec<String>>, String> {
        let mut command = self.command();
        command.args([
            "-v",
            "ON_ERROR_STOP=1",
            "-A",
            "-t",
            "-F",
            "\u{1f}",
            "-R",
            "\u{1e}",
            "-c",
            query,
        ]);
        let output = command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text
            .trim_end_matches('\n')
            .split('\u{1e}')
            .filter(|row| !row.is_empty())
            .map(|row| row.split('\u{1f}').map(str::to_string).collect())
            .collect())
    }
}

/// A PostgreSQL cluster of our own: created in a private temp directory,
/// listening only on a unix socket inside it, stopped and deleted on drop.
pub struct Cluster {
    binaries: Binaries,
    dir: Option<tempfile::TempDir>,
    postgres: Option<Child>,
    port: u16,
}

/// Owner of the cluster's files when Nudge runs as root: PostgreSQL
/// refuses to run as root, so it runs as this unprivileged user.
fn unprivileged_user() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    for name in [c"postgres", c"nobody"] {
        // SAFETY: a NUL-terminated name; the result is read at once, before
        // any other call could reuse the static buffer.
        let entry = unsafe { libc::getpwnam(name.as_ptr()) };
        if !entry.is_null() {
            // SAFETY: non-null, as returned by getpwnam.
            let entry = unsafe { &*entry };
            return Some((entry.pw_uid, entry.pw_gid));
        }
    }
    None
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return;
    };
    // SAFETY: a valid NUL-terminated path; failure is reported by initdb.
    unsafe {
        libc::chown(c.as_ptr(), uid, gid);
    }
}

impl Cluster {
    /// `initdb` and `postgres` in a fresh private directory; ready when
    /// this returns.
    pub fn start(binaries: &Binaries) -> Result<Cluster, String> {
        use std::os::unix::process::CommandExt;
        let dir = crate::files::private_dir("nudge-pg-").map_err(|e| format!("no temp directory: {e}"))?;
        let data = dir.path().join("data");
        let user = unprivileged_user();
        if let Some((uid, gid)) = user {
            chown_tree(dir.path(), uid, gid);
        }
        let as_user = |command: &mut Command| {
            if let Some((uid, gid)) = user {
                command.uid(uid).gid(gid);
            }
            command
                .env_clear()
                .env("LC_ALL", "C")
                .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        };
        let mut initdb = Command::new(binaries.program("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        as_user(&mut initdb);
        let made = initdb
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run initdb: {e}"))?;
        if !made.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&made.stderr).lines().last().unwrap_or("")
            ));
        }
        let port = 5432;
        let mut postgres = Command::new(binaries.program("postgres"));
        postgres.arg("-D").arg(&data).arg("-k").arg(dir.path()).args([
            "-p",
            &port.to_string(),
            // No TCP listener at all: only the socket in our directory.
            "-c",
            "listen_addresses=",
            "-c",
            "unix_socket_permissions=0700",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=40",
            "-c",
            "shared_buffers=32MB",
            "-c",
            "log_min_messages=fatal",
        ]);
        as_user(&mut postgres);
        let log = std::fs::File::create(dir.path().join("postgres.log")).map_err(|e| format!("{e}"))?;
        postgres
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            // Its own process group: a Ctrl-C aimed at Nudge reaches it
            // only through Nudge, which stops it in order.
            .process_group(0);
        // If Nudge itself is killed outright, the server still goes (fast
        // shutdown) instead of running on in the background.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            postgres.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
                Ok(())
            });
        }
        let child = postgres.spawn().map_err(|e| format!("cannot start postgres: {e}"))?;
        let mut cluster = Cluster {
            binaries: binaries.clone(),
            dir: Some(dir),
            postgres: Some(child),
            port,
        };
        let started = Instant::now();
        loop {
            if cluster.psql("postgres").rows("select 1").is_ok() {
                return Ok(cluster);
            }
            if let Some(child) = cluster.postgres.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let log = std::fs::read_to_string(cluster.socket_dir().join("postgres.log")).unwrap_or_default();
                return Err(format!(
                    "postgres exited ({status}): {}",
                    log.lines().last().unwrap_or("")
                ));
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err("postgres did not become ready within 30 s".to_string());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn socket_dir(&self) -> PathBuf {
        self.dir.as_ref().map(|d| d.path().to_path_buf()).unwrap_or_default()
    }

    /// A client for one of the cluster's databases, as its superuser.
    pub fn psql(&self, database: &str) -> Psql {
        Psql::new(
            &self.binaries,
            Target::Socket {
                dir: self.socket_dir(),
                port: self.port,
                user: "postgres".to_string(),
            },
            database,
        )
    }

    /// Stops the server (fast shutdown) and deletes everything.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(mut child) = self.postgres.take() {
            // SIGINT is PostgreSQL's fast shutdown.
            // SAFETY: signalling our own child process.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGINT);
            }
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        drop(self.dir.take());
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.shut_down();
    }
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn a_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgresql://postgres:p%40ss@127.0.0.1:54322/postgres"),
            (
                "postgresql://postgres@127.0.0.1:54322/postgres".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            split_password("postgresql://me@localhost/db"),
            ("postgresql://me@localhost/db".to_string(), None)
        );
        assert_eq!(
            split_password("postgresql:///db?host=/tmp/x"),
            ("postgresql:///db?host=/tmp/x".to_string(), None)
        );
        // An `@` in the query is not the authority's.
        assert_eq!(
            split_password("postgresql://u:pw@h/db?application_name=a@b"),
            (
                "postgresql://u@h/db?application_name=a@b".to_string(),
                Some("pw".to_string())
            )
        );
    }
}
