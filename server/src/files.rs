//! Reading and writing files that a repository or a client hands us. A
//! cloned repository can hold a FIFO where a config file should be, or a
//! link to `/dev/zero`: every read here opens without blocking, checks on
//! the opened file that it is a regular file, and stops at a size cap, so
//! an odd file costs one line of explanation, never a hang or a flood.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Cap for the small files that configure a scan: `.nudge.toml`, rule
/// files, ignore files, `package.json`, `supabase/config.toml`.
pub const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Missing,
    /// A FIFO, socket, device or directory: reading it could block or never end.
    NotRegular(&'static str),
    TooLarge {
        limit: u64,
    },
    Unreadable(io::ErrorKind),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => f.write_str("it does not exist"),
            ReadError::NotRegular(kind) => write!(f, "it is not a regular file ({kind})"),
            ReadError::TooLarge { limit } => write!(f, "it is larger than {}", human_size(*limit)),
            ReadError::Unreadable(kind) => write!(f, "it cannot be read ({})", io::Error::from(*kind)),
        }
    }
}

/// `1 MiB`, `64 KiB`, `512 bytes`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

fn kind_name(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_dir() {
        "a directory"
    } else {
        "not a plain file"
    }
}

fn open_error(e: io::Error) -> ReadError {
    match e.kind() {
        io::ErrorKind::NotFound => ReadError::Missing,
        kind => ReadError::Unreadable(kind),
    }
}

/// Opens `path` for reading without blocking (a FIFO with no writer would
/// block an ordinary open) and checks, on the opened file, that it is a
/// regular file no larger than `max_bytes`.
fn open_regular(path: &Path, max_bytes: u64) -> Result<File, ReadError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(open_error)?;
    let meta = file.metadata().map_err(open_error)?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular(kind_name(meta.file_type())));
    }
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge { limit: max_bytes });
    }
    Ok(file)
}

/// The bytes of a regular file of at most `max_bytes`.
pub fn read_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path, max_bytes)?;
    let mut bytes = Vec::new();
    // The size was checked, but a file can grow while it is read.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Unreadable(e.kind()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge { limit: max_bytes });
    }
    Ok(bytes)
}

/// [`read_bytes`] as text; bytes that are not UTF-8 become U+FFFD rather
/// than losing the whole file.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let bytes = read_bytes(path, max_bytes)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// A settings-sized text file, or `None` when it does not exist; any other
/// problem is the one-line reason.
pub fn read_optional_settings(path: &Path) -> Result<Option<String>, ReadError> {
    match read_text(path, MAX_SETTINGS_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(ReadError::Missing) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A directory only this user can enter, removed with everything in it when
/// dropped: where the language server writes the reports it shows.
pub fn private_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

/// Writes `contents` to a new file in `dir`, readable by this user only,
/// never following a link or reusing a name that exists (`O_EXCL`).
pub fn write_new_private(dir: &Path, name: &str, contents: &[u8]) -> io::Result<std::path::PathBuf> {
    let path = dir.join(name);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)?;
    file.write_all(contents)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        assert_eq!(read_bytes(&fifo, 100), Err(ReadError::NotRegular("a FIFO")));
        let zero = dir.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(read_bytes(&zero, 100), Err(ReadError::NotRegular("a character device")));
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'a'; 101]).unwrap();
        assert_eq!(read_bytes(&big, 100), Err(ReadError::TooLarge { limit: 100 }));
        assert_eq!(read_bytes(&dir.path().join("none"), 100), Err(ReadError::Missing));
        assert_eq!(read_optional_settings(&dir.path().join("none")), Ok(None));
        assert_eq!(
            ReadError::NotRegular("a FIFO").to_string(),
            "it is not a regular file (a FIFO)"
        );
    }

    #[test]
    fn private_files_are_new_and_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = private_dir("nudge-test-").unwrap();
        assert_eq!(dir.path().metadata().unwrap().permissions().mode() & 0o777, 0o700);
        let path = write_new_private(dir.path(), "report.md", b"hello").unwrap();
        assert_eq!(path.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        assert!(
            write_new_private(dir.path(), "report.md", b"again").is_err(),
            "never reused"
        );
        let target = dir.path().join("target");
        std::os::unix::fs::symlink(&target, dir.path().join("link.md")).unwrap();
        assert!(
            write_new_private(dir.path(), "link.md", b"x").is_err(),
            "never through a link"
        );
        assert!(!target.exists());
    }
}
