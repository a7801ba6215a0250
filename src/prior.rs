//! Last year's accounts (`--prior`): reading last year's workbooks once, and
//! matching each of this year's departments with its own.
//!
//! A department is matched by its 编制单位 (normalised: full/half width, spaces,
//! bracket forms), else by the same path relative to the input root. This
//! module only loads and matches; the `prior.` rules read the match (`rules`),
//! and `check`/`consolidate` report what did not match (`prior-missing`);
//! last year's totals per consolidated node are `consolidate::last_year`.

use std::path::{Path, PathBuf};

use crate::model::Department;
use crate::outcome::FileReport;

/// One of last year's workbooks, read.
#[derive(Clone, Debug)]
pub struct PriorFile {
    /// The path as found (what findings cite as `"file"`).
    pub path: PathBuf,
    /// The path relative to the `--prior` argument it was found under.
    pub rel: PathBuf,
    /// Its consolidation node: the directory of `rel` (under the argument's
    /// name when several directories were given, as for this year's inputs).
    pub node: PathBuf,
    pub dep: Department,
}

/// Every readable workbook of last year, and the ones that could not be read.
#[derive(Clone, Debug, Default)]
pub struct PriorSet {
    pub files: Vec<PriorFile>,
    /// Last year's files that could not be read, with why (for a note).
    pub unreadable: Vec<FileReport>,
}

/// 编制单位 as compared: NFKC (full/half width), no spaces or quotes, every
/// bracket form as `()`. `甲县教育局（虚构）` = `甲县教育局 (虚构)` = `甲县教育局【虚构】`.
pub fn department_key(name: &str) -> String {
    crate::text::norm_header(name)
        .chars()
        .map(|c| match c {
            '(' | '[' | '{' | '【' | '〔' | '〖' | '［' | '｛' | '<' | '《' | '〈' => '(',
            ')' | ']' | '}' | '】' | '〕' | '〗' | '］' | '｝' | '>' | '》' | '〉' => ')',
            c => c,
        })
        .collect()
}

/// `path` relative to the argument it was found under (a file argument: its name).
pub fn relative_to_root(path: &Path, roots: &[PathBuf]) -> PathBuf {
    roots
        .iter()
        .filter(|r| r.is_dir())
        .filter_map(|r| path.strip_prefix(r).ok())
        .min_by_key(|p| p.components().count())
        .map_or_else(|| path.file_name().map(PathBuf::from).unwrap_or_default(), Path::to_path_buf)
}

/// The consolidation node of a prior file (see `PriorFile::node`).
fn node_of(path: &Path, rel: &Path, roots: &[PathBuf]) -> PathBuf {
    let dir = rel.parent().map(Path::to_path_buf).unwrap_or_default();
    if roots.len() < 2 {
        return dir;
    }
    let root = roots.iter().filter(|r| r.is_dir()).find(|r| path.starts_with(r));
    let name = root
        .and_then(|r| std::fs::canonicalize(r).ok())
        .and_then(|c| c.file_name().map(PathBuf::from))
        .unwrap_or_default();
    name.join(dir)
}

impl PriorSet {
    /// Reads every workbook under `args` (files or directories) with `read`, in
    /// parallel (tables only: last year's own findings were last year's
    /// business). `read` is `check::read_file`: prior sits below the audit.
    pub fn load<R>(args: &[PathBuf], read: R) -> Self
    where
        R: Fn(&Path) -> Result<Department, Box<FileReport>> + Sync,
    {
        use rayon::prelude::*;
        let inputs = crate::inputs::expand(args);
        let read: Vec<(PathBuf, Result<Department, Box<FileReport>>)> =
            inputs.files.par_iter().map(|p| (p.clone(), read(p))).collect();
        let mut set = PriorSet::default();
        for (path, dep) in read {
            match dep {
                Ok(dep) => {
                    let rel = relative_to_root(&path, args);
                    let node = node_of(&path, &rel, args);
                    set.files.push(PriorFile { rel, node, path, dep });
                }
                Err(report) if !report.other_kind => set.unreadable.push(*report),
                Err(_) => {}
            }
        }
        set.unreadable
            .extend(inputs.missing.iter().map(|m| FileReport::unreadable(m, m.display().to_string())));
        set
    }

    /// Wraps departments already read (tests, and callers that read them
    /// themselves); `rel` is each one's path relative to its root.
    pub fn from_departments(deps: impl IntoIterator<Item = (PathBuf, Department)>) -> Self {
        let files = deps
            .into_iter()
            .map(|(rel, dep)| PriorFile {
                path: PathBuf::from(&dep.path),
                node: rel.parent().map(Path::to_path_buf).unwrap_or_default(),
                rel,
                dep,
            })
            .collect();
        PriorSet { files, unreadable: Vec::new() }
    }

    /// Last year's department of `dep` (found at `path` under one of `roots`):
    /// the one whose 编制单位 is the same, else the one at the same relative path.
    pub fn find(&self, dep: &Department, path: &Path, roots: &[PathBuf]) -> Option<&PriorFile> {
        if let Some(name) = dep.department.as_deref().map(department_key).filter(|k| !k.is_empty()) {
            let same: Vec<&PriorFile> = self
                .files
                .iter()
                .filter(|p| p.dep.department.as_deref().map(department_key).as_deref() == Some(&name))
                .collect();
            // Two of last year's files naming the same unit: the one at the same
            // place decides; otherwise the first (files are in path order).
            let rel = relative_to_root(path, roots);
            if let Some(p) = same.iter().find(|p| p.rel == rel).or(same.first()) {
                return Some(p);
            }
        }
        let rel = relative_to_root(path, roots);
        self.files.iter().find(|p| p.rel == rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, path: &str) -> Department {
        Department { department: Some(name.into()), path: path.into(), ..Department::default() }
    }

    #[test]
    fn names_match_across_width_spaces_and_bracket_forms() {
        let k = department_key("甲县教育局（虚构）");
        for other in ["甲县教育局(虚构)", " 甲县 教育局【虚构】", "甲县教育局［虚构］"]
        {
            assert_eq!(department_key(other), k, "{other}");
        }
        assert_ne!(department_key("乙县教育局（虚构）"), k);
    }

    #[test]
    fn by_name_first_then_by_relative_path() {
        let set = PriorSet::from_departments([
            (PathBuf::from("甲县/2023改名.xlsx"), dep("甲县教育局（虚构）", "p/甲县/2023改名.xlsx")),
            (PathBuf::from("乙县/b.xlsx"), dep("旧名称", "p/乙县/b.xlsx")),
        ]);
        let roots = [PathBuf::from("now")];
        let found = set.find(&dep("甲县教育局 (虚构)", ""), Path::new("now/甲县/a.xlsx"), &roots);
        assert_eq!(found.map(|p| p.rel.clone()), Some(PathBuf::from("甲县/2023改名.xlsx")));
        // Renamed unit, same place: matched by path (roots that are not
        // directories fall back to the file name, so use a real directory).
        let dir = tempfile::tempdir().unwrap();
        let roots = [dir.path().to_path_buf()];
        let now = dir.path().join("乙县/b.xlsx");
        assert!(set.find(&dep("新名称", ""), &now, &roots).is_some());
        assert!(set.find(&dep("新名称", ""), &dir.path().join("丙县/b.xlsx"), &roots).is_none());
    }
}
