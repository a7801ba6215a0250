//! The directory tree of a consolidation: which node each input file belongs
//! to, the nodes to write, each unit's 冲抵 role and where its internal flows
//! are offset.
//!
//! Roles: a file-name marker (`[主管]`, `[下属]`) wins; otherwise a directory
//! holding its own-level workbook (`教育局/教育局本级.xlsx`) is a department:
//! that workbook is the 主管 and every other unmarked workbook in the directory
//! or below it (up to a nearer department) is a 下属.
//!
//! Node keys are paths relative to the input they came from (the root is the
//! empty path). This module looks at paths only; it reads no workbook.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::offset;
use crate::outcome::Role;

/// The directory tree of the inputs, as node keys.
#[derive(Debug, Default)]
pub struct Tree {
    /// Each input argument and the key its files go under.
    roots: Vec<(PathBuf, PathBuf)>,
    /// Node keys that directly contain a `[主管]` file or an own-level workbook.
    supervised: BTreeSet<PathBuf>,
    /// Node keys whose own-level workbook makes them departments (roles from
    /// the directory structure).
    departments: BTreeSet<PathBuf>,
    /// The node key of every input file.
    dirs: BTreeSet<PathBuf>,
}

impl Tree {
    /// The tree of `files` found under the `inputs` arguments. One input
    /// directory is the root; several are each a node under it.
    pub fn new(inputs: &[PathBuf], files: &[PathBuf]) -> Self {
        // One input directory is the root; several are each a node under it,
        // two of the same name (`a/甲县`, `b/甲县`) two nodes (`甲县`, `甲县~2`).
        let many = inputs.len() > 1;
        let mut used: BTreeMap<String, usize> = BTreeMap::new();
        let roots = inputs
            .iter()
            .filter(|i| i.is_dir())
            .map(|i| {
                let key = match named(i).filter(|_| many) {
                    Some(n) => {
                        let k = used.entry(n.clone()).or_insert(0);
                        *k += 1;
                        PathBuf::from(if *k == 1 { n } else { format!("{n}~{k}") })
                    }
                    None => PathBuf::new(),
                };
                (i.clone(), key)
            })
            .collect();
        Self::with_roots(roots, files)
    }

    fn with_roots(roots: Vec<(PathBuf, PathBuf)>, files: &[PathBuf]) -> Self {
        let mut tree = Self { roots, ..Self::default() };
        for f in files {
            let d = tree.dir_of(f);
            match offset::role_of(f) {
                Some(Role::Supervisor) => {
                    tree.supervised.insert(d.clone());
                }
                None if offset::is_own_level(f) => {
                    tree.supervised.insert(d.clone());
                    tree.departments.insert(d.clone());
                }
                _ => {}
            }
            tree.dirs.insert(d);
        }
        tree
    }

    /// The node key of a file: its directory relative to the input it came from.
    pub fn dir_of(&self, file: &Path) -> PathBuf {
        for (input, key) in &self.roots {
            if let Ok(rel) = file.strip_prefix(input) {
                return key.join(rel.parent().unwrap_or(Path::new("")));
            }
        }
        PathBuf::new()
    }

    /// `dir` and every node above it, root first.
    pub fn ancestors(dir: &Path) -> Vec<PathBuf> {
        let mut out = vec![PathBuf::new()];
        let mut acc = PathBuf::new();
        for c in dir.components() {
            acc.push(c);
            out.push(acc.clone());
        }
        out
    }

    /// Every node to write: the root, and with `by_dir` every directory above a file.
    pub fn nodes(&self, by_dir: bool) -> BTreeSet<PathBuf> {
        let mut out = BTreeSet::from([PathBuf::new()]);
        if by_dir {
            for d in &self.dirs {
                out.extend(Self::ancestors(d));
            }
        }
        out
    }

    /// A file's 冲抵 role: its marker, else 主管 if it is the own-level
    /// workbook of a department directory, else 下属 if a department directory
    /// holds it, else none (summed as submitted).
    pub fn role(&self, file: &Path) -> Option<Role> {
        if let Some(r) = offset::role_of(file) {
            return Some(r);
        }
        let dir = self.dir_of(file);
        if self.departments.contains(&dir) && offset::is_own_level(file) {
            Some(Role::Supervisor)
        } else if Self::ancestors(&dir).iter().any(|a| self.departments.contains(a)) {
            Some(Role::Subordinate)
        } else {
            None
        }
    }

    /// The node whose consolidation offsets a marked unit's internal flows: for
    /// a supervisor its own directory; for a subordinate the nearest directory
    /// at or above its own that holds a supervisor. `None`: no counterpart.
    pub fn offset_scope(&self, dir: &Path, role: Role) -> Option<PathBuf> {
        match role {
            Role::Supervisor => Some(dir.to_path_buf()),
            Role::Subordinate => Self::ancestors(dir).into_iter().rev().find(|a| self.supervised.contains(a)),
        }
    }
}

/// The last component of `p` once made canonical (`.` becomes the directory's name).
pub fn named(p: &Path) -> Option<String> {
    std::fs::canonicalize(p).ok().and_then(|c| c.file_name().map(|s| s.to_string_lossy().to_string()))
}

/// The root node's name (编制单位 of the main output): the input directory's
/// name when there is one, else the output file's stem.
pub fn root_name(inputs: &[PathBuf], output: &Path) -> String {
    match inputs {
        [one] if one.is_dir() => named(one).unwrap_or_else(|| one.display().to_string()),
        _ => output.file_stem().map_or_else(|| "汇总".to_string(), |s| s.to_string_lossy().to_string()),
    }
}

/// A node's workbook under OUTDIR: each directory name made safe for a file
/// name (`text::file_name`), `.xlsx` appended (a node named `2024.上半年`
/// keeps its whole name).
pub fn node_file(dir: &Path, key: &Path) -> PathBuf {
    let parts: Vec<String> = key.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let mut file = dir.to_path_buf();
    for (i, p) in parts.iter().enumerate() {
        file.push(crate::text::file_name(p, if i + 1 == parts.len() { ".xlsx" } else { "" }));
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[test]
    fn files_go_to_their_directory_node_and_every_ancestor_is_a_node() {
        let files = [p("in/甲县/a.xlsx"), p("in/甲县/乡镇/b.xlsx"), p("in/c.xlsx")];
        let t = Tree::with_roots(vec![(p("in"), PathBuf::new())], &files);
        assert_eq!(t.dir_of(&files[1]), p("甲县/乡镇"));
        assert_eq!(t.dir_of(&files[2]), PathBuf::new());
        assert_eq!(Tree::ancestors(&p("甲县/乡镇")), [p(""), p("甲县"), p("甲县/乡镇")]);
        assert_eq!(t.nodes(false), BTreeSet::from([p("")]));
        assert_eq!(t.nodes(true), BTreeSet::from([p(""), p("甲县"), p("甲县/乡镇")]));
    }

    #[test]
    fn a_subordinate_is_offset_at_the_nearest_supervised_node_above_it() {
        let files = [p("in/甲县/局[主管].xlsx"), p("in/甲县/乡镇/校[下属].xlsx"), p("in/乙县/院[下属].xlsx")];
        let t = Tree::with_roots(vec![(p("in"), PathBuf::new())], &files);
        assert_eq!(t.offset_scope(&p("甲县/乡镇"), Role::Subordinate), Some(p("甲县")));
        assert_eq!(t.offset_scope(&p("乙县"), Role::Subordinate), None);
        assert_eq!(t.offset_scope(&p("乙县"), Role::Supervisor), Some(p("乙县")));
    }

    #[test]
    fn a_department_directory_gives_roles_without_markers() {
        let files = [
            p("in/甲县/教育局/教育局本级.xlsx"),
            p("in/甲县/教育局/第一中学.xlsx"),
            p("in/甲县/教育局/乡镇/中心校.xlsx"),
            p("in/甲县/财政局.xlsx"),
            p("in/甲县/教育局/进修学校[主管].xlsx"),
        ];
        let t = Tree::with_roots(vec![(p("in"), PathBuf::new())], &files);
        let roles: Vec<_> = files.iter().map(|f| t.role(f)).collect();
        use Role::*;
        assert_eq!(roles, [Some(Supervisor), Some(Subordinate), Some(Subordinate), None, Some(Supervisor)]);
        assert_eq!(t.offset_scope(&p("甲县/教育局/乡镇"), Subordinate), Some(p("甲县/教育局")));
    }
}
