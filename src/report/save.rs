//! Saving workbooks atomically and deterministically.
//!
//! Workbooks get a fixed creation date (so the same input gives the same
//! file) and are streamed into a temporary file in the target directory,
//! flushed, then renamed over the target: a reader or an interrupted run sees
//! the old file or the new one, never half a workbook.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

use crate::error::Error;

fn out_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output { path: path.to_path_buf(), message: e.to_string() }
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
        .map_err(|e| out_err(path, e))?;
    fill(tmp.as_file_mut()).map_err(|e| out_err(path, e))?;
    // Temporary files are created private (0600); a report is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| out_err(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| out_err(path, e))?;
    tmp.persist(path).map_err(|e| out_err(path, e.error))?;
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
    fn unwritable_directory_is_an_error_not_a_panic() {
        let err = write_atomic(Path::new("/nonexistent-dir/x.xlsx"), b"abc").unwrap_err();
        assert!(matches!(err, Error::Output { .. }));
    }
}
