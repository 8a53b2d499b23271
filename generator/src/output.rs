//! Where a build writes: a temporary folder beside the output, swapped in only when the whole
//! build succeeded (in one step on Linux, so that a server reading the output never finds it
//! missing), so a failed build leaves the previous site untouched. The site it replaces
//! is kept beside it (`.<name>.previous`) and becomes the next build's temporary folder: files
//! are overwritten in place and the ones no longer produced are removed, which saves creating
//! and deleting thousands of files and folders on every build.

use anyhow::{Context, Result, bail};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A file that marks a folder as written by a build (and so safe to replace).
pub(crate) const MARKER: &str = ".musharaka-build";

/// Receives the files of a build, from several threads at once.
pub(crate) trait Sink: Sync {
    /// Writes `bytes` at `rel` (a `/`-separated path inside the site).
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()>;
}

/// Counts files and writes nothing (for `check`).
#[derive(Default)]
pub(crate) struct Discard {
    /// Files received.
    pub files: AtomicUsize,
}

impl Sink for Discard {
    fn write(&self, _rel: &str, _bytes: &[u8]) -> Result<()> {
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// A build in progress into a temporary folder next to `target`.
pub(crate) struct Staging {
    tmp: PathBuf,
    target: PathBuf,
    previous: PathBuf,
    /// Whether `tmp` holds an earlier build, to be cleaned of the files this one did not write.
    reused: bool,
    /// The list of files of that earlier build.
    before: Option<String>,
    written: Mutex<HashSet<String>>,
    committed: bool,
    files: AtomicUsize,
}

impl Staging {
    /// Prepares a build of `target`; refuses to replace a folder a build did not write.
    pub(crate) fn new(target: &Path) -> Result<Staging> {
        if target.exists() && !target.join(MARKER).exists() {
            let empty = std::fs::read_dir(target)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !empty {
                bail!(
                    "refusing to replace {}: it is not a folder written by `musharaka build` (no {MARKER} file); choose another --out",
                    target.display()
                );
            }
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "public".into());
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let tmp = parent.join(format!(".{name}.building-{}", std::process::id()));
        let previous = parent.join(format!(".{name}.previous"));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).ok();
        }
        let before = std::fs::read_to_string(previous.join(MARKER)).ok();
        let reused = before.is_some() && std::fs::rename(&previous, &tmp).is_ok();
        if !reused {
            std::fs::create_dir_all(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
        }
        std::fs::write(tmp.join(MARKER), "written by musharaka build\n")?;
        Ok(Staging {
            tmp,
            target: target.to_path_buf(),
            previous,
            reused,
            before: before.filter(|_| reused),
            written: Mutex::new(HashSet::new()),
            committed: false,
            files: AtomicUsize::new(0),
        })
    }

    /// Files written so far.
    pub(crate) fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Copies every file under `dir` to `prefix/` in the site.
    pub(crate) fn copy_dir(&self, dir: &Path, prefix: &str) -> Result<()> {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(dir)?
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            self.write(&format!("{prefix}/{rel}"), &bytes)?;
        }
        Ok(())
    }

    /// Removes what an earlier build left in the reused folder and this one did not write,
    /// from the list of files that build recorded in its marker.
    fn remove_stale(&self, before: &str) -> Result<()> {
        let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        for rel in before.lines().filter(|l| !l.is_empty() && *l != MARKER) {
            if written.contains(rel) || rel.contains("..") {
                continue;
            }
            let path = self.tmp.join(rel);
            if std::fs::remove_file(&path).is_ok() {
                // Its folders go too once empty.
                let mut dir = path.parent();
                while let Some(d) = dir.filter(|d| *d != self.tmp) {
                    if std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
        }
        Ok(())
    }

    /// Records every file of this build in its marker, for the build that will reuse it.
    fn write_manifest(&self) -> Result<()> {
        let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let mut list: Vec<&String> = written.iter().collect();
        list.sort();
        let mut text = String::from("written by musharaka build; its files:\n");
        for rel in list {
            text.push_str(rel);
            text.push('\n');
        }
        std::fs::write(self.tmp.join(MARKER), text)?;
        Ok(())
    }

    /// Replaces the target with the finished build; the replaced site is kept for the next
    /// build to reuse.
    pub(crate) fn commit(mut self) -> Result<()> {
        if let Some(before) = &self.before {
            self.remove_stale(before)?;
        }
        self.write_manifest()?;
        let had_old = self.target.exists();
        if had_old && exchange(&self.tmp, &self.target) {
            // The new site is in place in one step: a page asked for meanwhile is served
            // from the old site or the new one, never missing. The old one goes aside.
            if self.previous.exists() {
                std::fs::remove_dir_all(&self.previous).ok();
            }
            if std::fs::rename(&self.tmp, &self.previous).is_err() {
                std::fs::remove_dir_all(&self.tmp).ok();
            }
            self.committed = true;
            return Ok(());
        }
        if had_old {
            if self.previous.exists() {
                std::fs::remove_dir_all(&self.previous).ok();
            }
            std::fs::rename(&self.target, &self.previous)
                .with_context(|| format!("cannot move {} aside", self.target.display()))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                std::fs::rename(&self.previous, &self.target).ok();
            }
            return Err(e)
                .with_context(|| format!("cannot put the new site at {}", self.target.display()));
        }
        self.committed = true;
        Ok(())
    }
}

/// Swaps two folders in one step (Linux's `RENAME_EXCHANGE`); false where the system cannot.
fn exchange(a: &Path, b: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        false
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.tmp.join(rel);
        // In a reused folder the page's folder is most often there already: try first.
        let first = if self.reused {
            std::fs::write(&path, bytes)
        } else {
            Err(std::io::ErrorKind::NotFound.into())
        };
        if let Err(e) = first {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(e).with_context(|| format!("cannot write {}", path.display()));
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string());
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // An abandoned build: keep an earlier build's folder for reuse, else remove it.
            if !(self.reused && std::fs::rename(&self.tmp, &self.previous).is_ok()) {
                std::fs::remove_dir_all(&self.tmp).ok();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_abandoned_build_leaves_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::new(&out).unwrap();
        s.write("fr/index.html", b"one").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&out).unwrap();
        s.write("fr/index.html", b"two").unwrap();
        drop(s);
        assert_eq!(
            std::fs::read_to_string(out.join("fr/index.html")).unwrap(),
            "one"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary folder left"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_site_is_never_missing_while_a_build_replaces_it() {
        use std::sync::atomic::AtomicBool;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::new(&out).unwrap();
        s.write("fr/index.html", b"0").unwrap();
        s.commit().unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let watcher = {
            let (page, stop) = (out.join("fr/index.html"), stop.clone());
            std::thread::spawn(move || {
                let (mut looks, mut missing) = (0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    looks += 1;
                    if std::fs::metadata(&page).is_err() {
                        missing += 1;
                    }
                }
                (looks, missing)
            })
        };
        for i in 1..=200 {
            let s = Staging::new(&out).unwrap();
            s.write("fr/index.html", format!("{i}").as_bytes()).unwrap();
            s.commit().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        let (looks, missing) = watcher.join().unwrap();
        assert_eq!(
            missing, 0,
            "the page was missing {missing} times of {looks}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("fr/index.html")).unwrap(),
            "200"
        );
    }

    #[test]
    fn a_reused_folder_keeps_no_file_of_the_build_before() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        for files in [
            &["a/index.html", "b/index.html"][..],
            &["a/index.html"],
            &["c/index.html"],
        ] {
            let s = Staging::new(&out).unwrap();
            for f in files {
                s.write(f, f.as_bytes()).unwrap();
            }
            s.commit().unwrap();
        }
        assert!(out.join("c/index.html").is_file());
        assert!(
            !out.join("a").exists() && !out.join("b").exists(),
            "stale pages left"
        );
        let previous = dir.path().join(".public.previous");
        assert!(
            previous.join("a/index.html").is_file(),
            "the replaced site is kept for reuse"
        );
    }

    #[test]
    fn refuses_to_replace_a_foreign_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(Staging::new(dir.path()).is_err());
    }
}

/// Keeps what it receives in memory, to be written only once everything rendered.
#[derive(Default)]
pub(crate) struct Memory(std::sync::Mutex<Vec<(String, Vec<u8>)>>);

impl Memory {
    /// The files received, in order.
    pub(crate) fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        files.push((rel.to_string(), bytes.to_vec()));
        Ok(())
    }
}

/// Writes into a built site, each file through a temporary name then a rename.
pub(crate) struct InPlace<'a> {
    out: &'a Path,
}

impl InPlace<'_> {
    /// Writes into the site built at `out`.
    pub(crate) fn new(out: &Path) -> InPlace<'_> {
        InPlace { out }
    }
}

impl Sink for InPlace<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("partial-tmp");
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))
    }
}
