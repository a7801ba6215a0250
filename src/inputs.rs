//! Expanding INPUT arguments into the workbook files of a batch.
//!
//! Files named on the command line are always tried (their content decides);
//! directories are searched recursively without following symlinked
//! directories (no loops), Office lock files (`~$…`) and files whose first bytes
//! are not a workbook container are skipped with a note. Paths come out sorted.
//!
//! Hostile batches (issue 13): FIFOs, sockets and devices are skipped without
//! being opened (opening a FIFO blocks forever); a directory that cannot be
//! listed is kept among the files, so every command reports it as an
//! unreadable input and exits 1; the same file reached twice (one canonical
//! path, or identical bytes) is kept once, the other path noted as a duplicate.

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
    /// `(kept, dropped)`: the same file reached twice.
    pub duplicates: Vec<(PathBuf, PathBuf)>,
}

impl Inputs {
    /// Drops copies (identical bytes under another name), for a consolidation
    /// where a copy would be summed twice; returns the new `(kept, dropped)`
    /// pairs. (`check` reads a copy again: harmless, and each file is listed.)
    pub fn drop_identical(&mut self) -> Vec<(PathBuf, PathBuf)> {
        let new = drop_duplicates(&mut self.files, true);
        self.duplicates.extend(new.iter().cloned());
        new
    }

    /// Every file found, duplicates dropped from the batch included: an
    /// output must not overwrite any of them.
    pub fn found(&self) -> Vec<PathBuf> {
        self.files.iter().chain(self.duplicates.iter().map(|(_, d)| d)).cloned().collect()
    }
}

fn is_lock_file(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("~$"))
}

/// The lock file a run holds in each output directory while it runs
/// (`report::save` takes it). Named here, below the writers, because expanding
/// inputs must pass it over.
pub const LOCK_FILE: &str = ".juesuan.lock";

/// This program's lock file and temporary files (`report::save`): passed over
/// silently, they are never an officer's input.
fn is_own_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == LOCK_FILE || (n.starts_with(".juesuan-") && n.ends_with(".tmp")))
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
            Ok(m) if !m.is_file() => {
                out.skipped.push(Skipped { path: a.clone(), reason: "inputs.not_regular" });
            }
            Ok(_) if crate::document::is_narrative_path(a) => out.narratives.push(a.clone()),
            Ok(_) => out.files.push(a.clone()),
        }
    }
    out.narratives.sort();
    out.narratives.dedup();
    out.files.sort();
    out.files.dedup();
    out.duplicates = drop_duplicates(&mut out.files, false);
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Removes the second and later paths to one file: the same canonical path
/// (a symlink, `a/../a`), and with `by_content` the same bytes (a copy).
/// Returns `(kept, dropped)`. Only files sharing a size are hashed, and a hash
/// match is confirmed byte for byte.
fn drop_duplicates(files: &mut Vec<PathBuf>, by_content: bool) -> Vec<(PathBuf, PathBuf)> {
    use std::collections::HashMap;
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut dropped: Vec<Option<usize>> = vec![None; files.len()];
    let mut by_canon: HashMap<PathBuf, usize> = HashMap::new();
    let mut by_len: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        let Ok(meta) = std::fs::metadata(f) else { continue };
        if !meta.is_file() {
            continue;
        }
        match std::fs::canonicalize(f).map(|c| by_canon.get(&c).copied().ok_or(c)) {
            Ok(Ok(j)) => dropped[i] = Some(j),
            Ok(Err(c)) => {
                by_canon.insert(c, i);
                by_len.entry(meta.len()).or_default().push(i);
            }
            Err(_) => {}
        }
    }
    let hash = |b: &[u8]| {
        let mut h = DefaultHasher::new();
        b.hash(&mut h);
        h.finish()
    };
    for group in by_len.values().filter(|g| by_content && g.len() > 1) {
        let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
        for &i in group {
            let Ok(bytes) = std::fs::read(&files[i]) else { continue };
            let same = seen.entry(hash(&bytes)).or_default();
            match same.iter().find(|&&j| std::fs::read(&files[j]).is_ok_and(|o| o == bytes)) {
                Some(&j) => dropped[i] = Some(j),
                None => same.push(i),
            }
        }
    }
    // The file kept for each dropped one (a symlink to a copy that was dropped
    // names the first of them).
    let kept = |mut j: usize| {
        while let Some(k) = dropped[j] {
            j = k;
        }
        j
    };
    let dups =
        dropped.iter().enumerate().filter_map(|(i, j)| j.map(|j| (files[kept(j)].clone(), files[i].clone())));
    let dups: Vec<(PathBuf, PathBuf)> = dups.collect();
    let mut d = dropped.iter();
    files.retain(|_| d.next().is_some_and(Option::is_none));
    dups
}

/// Deeper than this is a loop or a mistake, not a filing system.
const MAX_DEPTH: usize = 64;

fn walk(dir: &Path, out: &mut Inputs, depth: usize) {
    if depth > MAX_DEPTH {
        out.skipped.push(Skipped { path: dir.to_path_buf(), reason: "inputs.too_deep" });
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        // Kept as an input: opening it fails, so it is reported as unreadable
        // wherever a file would be, and the run exits 1 (a missing county).
        out.files.push(dir.to_path_buf());
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
                Ok(m) if m.is_dir() => {
                    out.skipped.push(Skipped { path: p, reason: "inputs.symlink_dir" });
                    continue;
                }
                Ok(_) => {
                    out.skipped.push(Skipped { path: p, reason: "inputs.not_regular" });
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
        } else if !lm.is_file() {
            // A FIFO, socket or device: never opened (a FIFO blocks the open).
            out.skipped.push(Skipped { path: p, reason: "inputs.not_regular" });
            continue;
        }
        if is_own_file(&p) {
            continue;
        }
        if is_lock_file(&p) {
            out.skipped.push(Skipped { path: p, reason: "read.lock_file" });
        } else if crate::document::is_narrative_path(&p) && crate::document::mentions_final_accounts(&p) {
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

    #[cfg(unix)]
    #[test]
    fn fifos_are_skipped_unopened_and_unlistable_dirs_kept() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("x.xlsx");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let shut = d.path().join("shut");
        std::fs::create_dir(&shut).unwrap();
        std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o000)).unwrap();
        let listable = std::fs::read_dir(&shut).is_ok(); // root reads anything
        let i = expand(&[d.path().to_path_buf(), fifo.clone()]);
        std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(i.skipped.iter().filter(|s| s.reason == "inputs.not_regular").count(), 2, "{i:?}");
        if !listable {
            assert_eq!(i.files, [shut]);
        }
    }

    #[test]
    fn the_same_file_twice_is_kept_once() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.xlsx"), b"PK\x03\x04same").unwrap();
        std::fs::write(d.path().join("b.xlsx"), b"PK\x03\x04same").unwrap();
        std::fs::write(d.path().join("c.xlsx"), b"PK\x03\x04diff").unwrap();
        let mut i = expand(&[d.path().to_path_buf(), d.path().join("c.xlsx")]);
        assert_eq!(i.files.len(), 3, "copies are kept by expand");
        i.drop_identical();
        let names: Vec<_> = i.files.iter().map(|p| p.file_name().unwrap().to_owned()).collect();
        assert_eq!(names, ["a.xlsx", "c.xlsx"]);
        assert_eq!(i.duplicates, [(d.path().join("a.xlsx"), d.path().join("b.xlsx"))]);
    }
}
