//! Saving workbooks atomically and deterministically.
//!
//! The bytes are built in memory with a fixed creation date (so the same input
//! gives the same file), written to a temporary file in the target directory,
//! flushed, then renamed over the target: a reader or an interrupted run sees
//! the old file or the new one, never half a workbook.

use std::io::Write;
use std::path::Path;

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
    let when = ExcelDateTime::from_ymd(2000, 1, 1).map_err(|e| out_err(path, e))?;
    let props = DocProperties::new().set_author("juesuan").set_creation_datetime(&when);
    wb.set_properties(&props);
    wb.save_to_buffer().map_err(|e| out_err(path, e))
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, then rename).
///
/// # Errors
/// When the directory is not writable or the rename fails.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".juesuan-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| out_err(path, e))?;
    tmp.write_all(bytes).map_err(|e| out_err(path, e))?;
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
    Ok(())
}

/// `to_bytes` then `write_atomic`.
///
/// # Errors
/// As `to_bytes` and `write_atomic`.
pub fn save(wb: &mut Workbook, path: &Path) -> Result<(), Error> {
    let bytes = to_bytes(wb, path)?;
    write_atomic(path, &bytes)
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
