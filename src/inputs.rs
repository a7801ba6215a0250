//! Expanding INPUT arguments into the workbook files of a batch.
//!
//! Files named on the command line are always tried (their content decides);
//! directories are searched recursively without following symlinked
//! directories (no loops), Office lock files (`~$…`) and files whose first bytes
//! are not a workbook container are skipped with a note. Paths come out sorted.

use std::path::{Path, PathBuf};

/// A path passed over, with the message key saying why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: &'static str,
}

/// The files to process and the ones skipped.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
    /// Arguments that do not exist.
    pub missing: Vec<PathBuf>,
    /// 决算说明 documents (`.docx`/`.txt`): named on the command line, or found
    /// in a directory and mentioning 决算 (cli.md "Narrative documents").
    pub narratives: Vec<PathBuf>,
}

fn is_lock_file(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("~$"))
}

/// True when the first bytes are a zip (xlsx/xlsm/xlsb/ods) or a compound file (xls).
fn looks_like_workbook(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8];
    let Ok(mut f) = std::fs::File::open(p) else { return true };
    let n = f.read(&mut head).unwrap_or(0);
    head[..n].starts_with(b"PK") || head[..n].starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// A workbook extension: such a file is a submission even when its content is
/// not a workbook (empty, renamed text, truncated), so it is reported as an
/// unreadable input, never skipped (cli.md § Common rules).
fn has_workbook_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Expands files and directories.
pub fn expand(args: &[PathBuf]) -> Inputs {
    let mut out = Inputs::default();
    for a in args {
        match std::fs::metadata(a) {
            Err(_) => out.missing.push(a.clone()),
            Ok(m) if m.is_dir() => walk(a, &mut out, 0),
            Ok(_) if crate::narrative::is_narrative_path(a) => out.narratives.push(a.clone()),
            Ok(_) => out.files.push(a.clone()),
        }
    }
    out.narratives.sort();
    out.narratives.dedup();
    out.files.sort();
    out.files.dedup();
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Deeper than this is a loop or a mistake, not a filing system.
const MAX_DEPTH: usize = 64;

fn walk(dir: &Path, out: &mut Inputs, depth: usize) {
    if depth > MAX_DEPTH {
        out.skipped.push(Skipped { path: dir.to_path_buf(), reason: "inputs.too_deep" });
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.skipped.push(Skipped { path: dir.to_path_buf(), reason: "inputs.unreadable_dir" });
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let Ok(lm) = std::fs::symlink_metadata(&p) else { continue };
        if lm.file_type().is_symlink() {
            // Symlinked files are read; symlinked directories are not followed (loops).
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => {}
                Ok(_) => {
                    out.skipped.push(Skipped { path: p, reason: "inputs.symlink_dir" });
                    continue;
                }
                Err(_) => {
                    out.skipped.push(Skipped { path: p, reason: "inputs.broken_link" });
                    continue;
                }
            }
        } else if lm.is_dir() {
            walk(&p, out, depth + 1);
            continue;
        }
        if is_lock_file(&p) {
            out.skipped.push(Skipped { path: p, reason: "read.lock_file" });
        } else if crate::narrative::is_narrative_path(&p) && crate::narrative::mentions_final_accounts(&p) {
            out.narratives.push(p);
        } else if !has_workbook_extension(&p) && !looks_like_workbook(&p) {
            out.skipped.push(Skipped { path: p, reason: "read.not_workbook_ext" });
        } else {
            out.files.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_skips_locks_and_non_workbooks() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("乙 县（全角）");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("b.xlsx"), b"PK\x03\x04").unwrap();
        std::fs::write(d.path().join("a.xls"), [0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0]).unwrap();
        std::fs::write(d.path().join("~$a.xlsx"), b"PK\x03\x04").unwrap();
        std::fs::write(d.path().join("readme.txt"), b"hello").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.path(), sub.join("loop")).unwrap();
        let i = expand(&[d.path().to_path_buf(), d.path().join("nope.xlsx")]);
        let names: Vec<String> =
            i.files.iter().map(|p| p.strip_prefix(d.path()).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a.xls", "乙 县（全角）/b.xlsx"]);
        let reasons: Vec<&str> = i.skipped.iter().map(|s| s.reason).collect();
        assert!(
            reasons.contains(&"read.lock_file") && reasons.contains(&"read.not_workbook_ext"),
            "{reasons:?}"
        );
        assert_eq!(i.missing.len(), 1);
    }
}
