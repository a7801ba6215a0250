//! Saving workbooks atomically and deterministically.
//!
//! Workbooks get a fixed creation date (so the same input gives the same
//! file) and are streamed into a temporary file in the target directory,
//! flushed, then renamed over the target: a reader or an interrupted run sees
//! the old file or the new one, never half a workbook.
//!
//! A run with several outputs stages them in an `OutputSet`: every path is
//! validated and the output directories locked before any input is read,
//! every output is written to its temporary file, and only when all of them
//! were written are they renamed into place — so a run that fails (exit 2)
//! has changed nothing, and two runs never mix their outputs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

use crate::error::Error;
use crate::inputs::LOCK_FILE;

fn out_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output { path: path.to_path_buf(), message: e.to_string() }
}

/// An I/O error in plain words without the temporary file's path (the
/// tempfile crate appends it): messages name the user's path only.
fn plain(e: &std::io::Error) -> String {
    let s = e.to_string();
    s.split(" at path ").next().unwrap_or(&s).to_string()
}

/// Serialises `wb` deterministically.
///
/// # Errors
/// When rust_xlsxwriter rejects the workbook (e.g. an invalid sheet name).
pub fn to_bytes(wb: &mut Workbook, path: &Path) -> Result<Vec<u8>, Error> {
    fix_properties(wb, path)?;
    wb.save_to_buffer().map_err(|e| out_err(path, e))
}

/// A fixed author and creation date: the same input gives the same bytes.
fn fix_properties(wb: &mut Workbook, path: &Path) -> Result<(), Error> {
    let when = ExcelDateTime::from_ymd(2000, 1, 1).map_err(|e| out_err(path, e))?;
    let props = DocProperties::new().set_author("juesuan").set_creation_datetime(&when);
    wb.set_properties(&props);
    Ok(())
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, then rename).
///
/// # Errors
/// When the directory is not writable or the rename fails.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Saves `wb` atomically and deterministically, streaming the zip into the
/// temporary file (a large workbook is never held in memory as bytes).
///
/// # Errors
/// As `to_bytes` and `write_atomic`.
pub fn save(wb: &mut Workbook, path: &Path) -> Result<(), Error> {
    fix_properties(wb, path)?;
    write_atomic_with(path, |f| wb.save_to_writer(f).map_err(std::io::Error::other))
}

/// A `.juesuan-*.tmp` file older than this belongs to a run that was killed:
/// a live run holds its temporary file only while writing and syncing it.
const STALE_TMP: Duration = Duration::from_secs(3600);

/// Writes `path` atomically: `fill` writes the content into a temporary file in
/// the same directory, which is then flushed and renamed over `path`.
///
/// A run killed while writing leaves its `.juesuan-*.tmp` file (never a
/// partial file under `path`); the next write to the same directory removes
/// such files once they are an hour old.
///
/// # Errors
/// When the directory is not writable, `fill` fails or the rename fails.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    remove_stale_temporaries(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(".juesuan-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| out_err(path, plain(&e)))?;
    fill(tmp.as_file_mut()).map_err(|e| out_err(path, plain(&e)))?;
    // Temporary files are created private (0600); a report is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| out_err(path, plain(&e)))?;
    }
    tmp.as_file().sync_all().map_err(|e| out_err(path, plain(&e)))?;
    tmp.persist(path).map_err(|e| out_err(path, plain(&e.error)))?;
    // Make the rename itself durable (best effort: not every platform can sync a directory).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes this program's temporary files left by killed runs (best effort).
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".juesuan-") && name.ends_with(".tmp")) {
            continue;
        }
        let Ok(meta) = e.metadata() else { continue };
        let old =
            meta.modified().ok().and_then(|m| now.duration_since(m).ok()).is_some_and(|age| age > STALE_TMP);
        if meta.is_file() && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Why a planned output cannot be written; `key` is a message key taking `{path}`.
#[derive(Debug)]
pub struct Refusal {
    pub path: PathBuf,
    pub key: &'static str,
    pub detail: String,
}

/// The outputs of one run, written all or nothing (see the module doc).
#[derive(Default)]
pub struct OutputSet {
    planned: Vec<PathBuf>,
    staged: Vec<(PathBuf, tempfile::NamedTempFile)>,
    /// Directories this run created, removed again (when empty) if it fails.
    created: Vec<PathBuf>,
    committed: bool,
    /// Held until the set is dropped; each lock file is removed first.
    locks: Vec<(PathBuf, std::fs::File)>,
}

/// The nearest existing ancestor of `p` (itself included), or `.`.
fn existing_ancestor(p: &Path) -> PathBuf {
    let mut cur = Some(p);
    while let Some(c) = cur {
        if c.as_os_str().is_empty() {
            break;
        }
        if std::fs::symlink_metadata(c).is_ok() {
            return c.to_path_buf();
        }
        cur = c.parent();
    }
    PathBuf::from(".")
}

fn parent_of(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Longest file name most file systems accept, in bytes.
const NAME_MAX: usize = 255;

impl OutputSet {
    /// Validates every output path (`-` is stdout and skipped) and locks the
    /// output directories, before anything is read. `waiting` is called with
    /// the lock file when another run holds it; this run then waits for it.
    ///
    /// # Errors
    /// A `Refusal` naming the user's path: a directory where a file must go,
    /// a file where a directory must go, a name too long, an unwritable
    /// directory, or two outputs where one is inside the other.
    pub fn plan(paths: &[&Path], mut waiting: impl FnMut(&Path)) -> Result<Self, Refusal> {
        let refuse = |path: &Path, key: &'static str, detail: String| Refusal {
            path: path.to_path_buf(),
            key,
            detail,
        };
        let paths: Vec<&Path> = paths.iter().copied().filter(|p| *p != Path::new("-")).collect();
        for (i, p) in paths.iter().enumerate() {
            if p.is_dir() {
                return Err(refuse(p, "output.is_dir", String::new()));
            }
            if p.components().any(|c| c.as_os_str().len() > NAME_MAX) {
                return Err(refuse(p, "output.name_too_long", NAME_MAX.to_string()));
            }
            let dir = parent_of(p);
            let base = existing_ancestor(dir);
            if !base.is_dir() {
                return Err(refuse(p, "output.not_dir", base.display().to_string()));
            }
            // Writable: a probe file is created and removed (nothing stays).
            if let Err(e) = tempfile::Builder::new().prefix(".juesuan-").suffix(".tmp").tempfile_in(&base) {
                return Err(refuse(p, "output.unwritable", plain(&e)));
            }
            for q in &paths[..i] {
                if p.starts_with(q) || q.starts_with(p) {
                    return Err(refuse(p, "output.clash", q.display().to_string()));
                }
            }
        }
        let mut set = Self::default();
        set.planned = paths.iter().map(|p| p.to_path_buf()).collect();
        // One lock per output directory, not per node directory below it
        // (OUTDIR, the directory of `-o`), in the nearest directory that exists.
        let parents: Vec<&Path> = paths.iter().map(|p| parent_of(p)).collect();
        let lock_dirs: std::collections::BTreeSet<PathBuf> = parents
            .iter()
            .filter(|p| !parents.iter().any(|q| q != *p && p.starts_with(q)))
            .map(|p| existing_ancestor(p))
            .collect();
        // Sorted: two runs take their locks in the same order (no deadlock).
        for d in lock_dirs {
            let lock = d.join(LOCK_FILE);
            let f =
                take_lock(&lock, &mut waiting).map_err(|e| refuse(&lock, "output.unwritable", plain(&e)))?;
            set.locks.push((lock, f));
        }
        Ok(set)
    }

    /// Writes `path`'s content into its temporary file (creating directories).
    ///
    /// # Errors
    /// When the directory cannot be created or `fill` fails; nothing is renamed.
    pub fn stage_with(
        &mut self,
        path: &Path,
        fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let dir = parent_of(path);
        if !dir.exists() {
            let base = existing_ancestor(dir);
            std::fs::create_dir_all(dir).map_err(|e| out_err(path, plain(&e)))?;
            let mut d = dir;
            while d != base {
                self.created.push(d.to_path_buf());
                match d.parent() {
                    Some(p) if !p.as_os_str().is_empty() => d = p,
                    _ => break,
                }
            }
        }
        remove_stale_temporaries(dir);
        let mut tmp = tempfile::Builder::new()
            .prefix(".juesuan-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| out_err(path, plain(&e)))?;
        fill(tmp.as_file_mut()).map_err(|e| out_err(path, plain(&e)))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(|e| out_err(path, plain(&e)))?;
        }
        tmp.as_file().sync_all().map_err(|e| out_err(path, plain(&e)))?;
        self.staged.retain(|(p, _)| p != path);
        self.staged.push((path.to_path_buf(), tmp));
        Ok(())
    }

    /// Stages a workbook (deterministic, streamed into the temporary file).
    ///
    /// # Errors
    /// As `stage_with`.
    pub fn save(&mut self, wb: &mut Workbook, path: &Path) -> Result<(), Error> {
        fix_properties(wb, path)?;
        self.stage_with(path, |f| wb.save_to_writer(f).map_err(std::io::Error::other))
    }

    /// Stages bytes.
    ///
    /// # Errors
    /// As `stage_with`.
    pub fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        self.stage_with(path, |f| f.write_all(bytes))
    }

    /// Renames every staged output into place, in the order staged.
    ///
    /// # Errors
    /// When a rename fails (the outputs renamed before it stay).
    pub fn commit(mut self) -> Result<(), Error> {
        for (path, tmp) in std::mem::take(&mut self.staged) {
            tmp.persist(&path).map_err(|e| out_err(&path, plain(&e.error)))?;
            if let Ok(d) = std::fs::File::open(parent_of(&path)) {
                let _ = d.sync_all();
            }
        }
        self.committed = true;
        Ok(())
    }

    /// The paths planned (stdout excluded).
    pub fn planned(&self) -> &[PathBuf] {
        &self.planned
    }
}

impl Drop for OutputSet {
    /// An uncommitted set leaves nothing: temporary files go with `staged`,
    /// the directories it created are removed when empty. The lock files are
    /// removed while still held (see `take_lock`), so no run leaves one.
    fn drop(&mut self) {
        if !self.committed {
            self.staged.clear();
            for d in &self.created {
                let _ = std::fs::remove_dir(d);
            }
        }
        for (path, _file) in self.locks.drain(..) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Locks `path` (created if needed), waiting for another run that holds it.
///
/// A run removes its lock file before releasing it, so a waiter may wake up
/// holding a file no longer in the directory; it then tries again on the new
/// one — otherwise a third run could lock a fresh file alongside it.
fn take_lock(path: &Path, waiting: &mut impl FnMut(&Path)) -> std::io::Result<std::fs::File> {
    let mut said = false;
    loop {
        let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if !said {
                    waiting(path);
                    said = true;
                }
                f.lock()?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        if same_inode(&f, path) {
            return Ok(f);
        }
    }
}

/// True when the open file `f` is still the file at `path`.
fn same_inode(f: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (f.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (f, path);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_workbook_same_bytes() {
        let build = || {
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, "收入决算表").unwrap();
            ws.write_number(1, 0, 1.5).unwrap();
            to_bytes(&mut wb, Path::new("x.xlsx")).unwrap()
        };
        assert_eq!(build(), build());
    }

    #[test]
    fn an_output_set_changes_nothing_until_committed() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a.xlsx"), d.path().join("new/b.json"));
        std::fs::write(&a, b"old").unwrap();
        {
            let mut set = OutputSet::plan(&[&a, &b], |_| {}).unwrap();
            set.write(&a, b"new").unwrap();
            set.write(&b, b"{}").unwrap();
        } // dropped: as if the run failed after writing both
        assert_eq!(std::fs::read(&a).unwrap(), b"old");
        assert!(!d.path().join("new").exists());
        let mut set = OutputSet::plan(&[&a, &b], |_| {}).unwrap();
        set.write(&a, b"new").unwrap();
        set.write(&b, b"{}").unwrap();
        set.commit().unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"new");
        assert_eq!(std::fs::read(&b).unwrap(), b"{}");
        let left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn clashing_or_impossible_outputs_are_refused_before_anything() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        let key = |paths: &[&Path]| OutputSet::plan(paths, |_| {}).err().map(|r| r.key);
        assert_eq!(key(&[&file.join("x.xlsx")]), Some("output.not_dir"));
        assert_eq!(key(&[d.path()]), Some("output.is_dir"));
        let long = d.path().join(format!("{}.xlsx", "长".repeat(100)));
        assert_eq!(key(&[&long]), Some("output.name_too_long"));
        let (x, inside) = (d.path().join("by/x.xlsx"), d.path().join("by/x.xlsx/y.xlsx"));
        assert_eq!(key(&[&x, &inside]), Some("output.clash"));
        assert_eq!(key(&[&x, &d.path().join("by/y.xlsx")]), None);
    }

    #[test]
    fn unwritable_directory_is_an_error_not_a_panic() {
        let err = write_atomic(Path::new("/nonexistent-dir/x.xlsx"), b"abc").unwrap_err();
        assert!(matches!(err, Error::Output { .. }));
    }
}
