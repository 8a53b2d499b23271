//! Files that hold keys or personal data: folders only their owner may open (0700), files only
//! their owner may read (0600) from their first byte, written whole or not at all.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;

/// Creates `dir` (and its parents) and makes it its owner's alone.
pub(crate) fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot make {} private", dir.display()))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file created readable by its owner only, then
/// renamed over `path`: no reader ever sees half a file, or a file open to others.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    // A new file, never one that exists: not a link someone put in the way.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = (|| -> std::io::Result<()> {
        // A leftover temporary file keeps the mode it had: start from none.
        let _ = std::fs::remove_file(&tmp);
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Refuses a file others may read or write, naming the command that fixes it.
pub(crate) fn refuse_if_shared(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{} holds the keys of personal data and other users may open it (mode {:o}): run `chmod 600 {}` and start again",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_files_are_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        private_dir(&data).unwrap();
        let file = data.join("secrets.toml");
        write_private(&file, b"key").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&file), 0o600);
        refuse_if_shared(&file).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = refuse_if_shared(&file).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
    }
}
