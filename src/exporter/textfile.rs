//! The metrics for node_exporter's textfile collector, replaced whole: written to a temporary
//! file in the same directory, synced, then renamed over the old one (and the directory synced),
//! so a reader sees the previous file or the new one, never a part of either.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum TextfileError {
    #[error("--metrics-textfile {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--metrics-textfile {0}: names no file")]
    NoFileName(PathBuf),
}

impl TextfileError {
    pub fn as_label(&self) -> &'static str {
        match self {
            TextfileError::Write { .. } => "textfile_write",
            TextfileError::NoFileName(_) => "textfile_name",
        }
    }
}

/// Replaces `path` with `text` atomically.
pub fn write(path: &Path, text: &str) -> Result<(), TextfileError> {
    let err = |source| TextfileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .ok_or_else(|| TextfileError::NoFileName(path.to_path_buf()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // The collector reads `*.prom` only: a temporary name it ignores, in the same directory so
    // the rename stays on one file system.
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(text.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    // Readable by the collector, whoever it runs as (the temporary file is 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        // The rename itself survives a power loss once the directory is synced.
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("oqs.prom");
        write(&p, "a 1\n").unwrap();
        write(&p, "a 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a 2\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_directory_that_is_not_there_is_named() {
        let e = write(Path::new("/nonexistent-oqs/x.prom"), "a 1\n").unwrap_err();
        assert_eq!(e.as_label(), "textfile_write");
        assert!(e.to_string().contains("/nonexistent-oqs/x.prom"), "{e}");
    }
}
