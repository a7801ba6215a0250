//! `--units units.csv`: who is who for 冲抵. Each line names a unit (by the
//! path of its workbook, or by its 编制单位), its 单位代码, its 上级单位代码 and
//! its role (主管 / 下属). A 下属 is offset only against the 主管 whose 单位代码
//! is its 上级单位代码, and only in the nodes that hold both workbooks: flows
//! between units the file does not pair stay in the sums.
//!
//! Header names (first line; order free): `path` / `路径` / `文件`,
//! `编制单位` / `单位名称`, `单位代码`, `上级单位代码`, `主管/下属` / `角色`.
//! `单位代码` and one of path / 编制单位 are required.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::i18n::Catalog;
use crate::outcome::Role;

/// One line of the units file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Matches an input whose path ends with these components.
    pub path: Option<PathBuf>,
    /// Matches an input whose 编制单位 is this (normalised).
    pub name: Option<String>,
    pub code: String,
    pub parent: Option<String>,
    pub role: Option<Role>,
}

/// The parsed units file.
#[derive(Clone, Debug, Default)]
pub struct Units {
    entries: Vec<Entry>,
}

const PATH: [&str; 4] = ["path", "路径", "文件", "文件路径"];
const NAME: [&str; 3] = ["编制单位", "单位名称", "name"];
const CODE: [&str; 2] = ["单位代码", "code"];
const PARENT: [&str; 2] = ["上级单位代码", "parent"];
const ROLE: [&str; 4] = ["主管/下属", "角色", "role", "主管下属"];

fn role_of(s: &str) -> Option<Role> {
    match s.trim() {
        "主管" | "supervisor" => Some(Role::Supervisor),
        "下属" | "subordinate" => Some(Role::Subordinate),
        _ => None,
    }
}

impl Units {
    /// Reads the file; a line that cannot be used is a usage error naming
    /// the file and the line (the run has not started).
    ///
    /// # Errors
    /// Unreadable file, missing columns, a line without 单位代码, an unknown role.
    pub fn load(path: &Path, msg: &Catalog) -> Result<Self, Error> {
        let bad = |line: usize, what: &str| {
            Error::Usage(
                msg.text("units.bad", &[("path", &path.display()), ("line", &line), ("what", &what)]),
            )
        };
        let text = std::fs::read(path).map_err(|e| bad(0, &e.to_string()))?;
        // A BOM is what Excel writes in front of a UTF-8 CSV.
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
        Self::parse(text).map_err(|(line, what)| bad(line, &what))
    }

    /// Parses CSV bytes; an error is (line, what).
    fn parse(text: &[u8]) -> Result<Self, (usize, String)> {
        let mut r = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text);
        let headers = r.headers().map_err(|e| (1, e.to_string()))?.clone();
        let col =
            |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
        let (path, name, code, parent, role) = (col(&PATH), col(&NAME), col(&CODE), col(&PARENT), col(&ROLE));
        let Some(code) = code else { return Err((1, "单位代码".into())) };
        if path.is_none() && name.is_none() {
            return Err((1, "path / 编制单位".into()));
        }
        let mut entries = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| (line, e.to_string()))?;
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).filter(|s| !s.is_empty());
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let Some(code) = get(Some(code)) else { return Err((line, "单位代码".into())) };
            let role = match get(role) {
                None => None,
                Some(s) => Some(role_of(s).ok_or_else(|| (line, format!("主管/下属: {s}")))?),
            };
            let (p, n) = (get(path).map(PathBuf::from), get(name).map(crate::text::norm_label));
            if p.is_none() && n.is_none() {
                return Err((line, "path / 编制单位".into()));
            }
            entries.push(Entry {
                path: p,
                name: n,
                code: code.to_string(),
                parent: get(parent).map(String::from),
                role,
            });
        }
        Ok(Self { entries })
    }

    /// The entry of an input: by path first, then by 编制单位.
    pub fn find(&self, file: &Path, department: Option<&str>) -> Option<&Entry> {
        let by_path = self.entries.iter().find(|e| e.path.as_deref().is_some_and(|p| file.ends_with(p)));
        by_path.or_else(|| {
            let d = crate::text::norm_label(department?);
            self.entries.iter().find(|e| e.name.as_deref() == Some(d.as_str()))
        })
    }

    /// Whether `code` is listed as a 主管 (a 下属 naming it is paired).
    pub fn is_supervisor(&self, code: &str) -> bool {
        self.entries.iter().any(|e| e.code == code && e.role == Some(Role::Supervisor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_by_path_or_name() {
        let csv = "\u{feff}path,编制单位,单位代码,上级单位代码,主管/下属\n甲县/局.xlsx,,001,,主管\n,第一中学,002,001,下属\n";
        let text = csv.as_bytes();
        let u = Units::parse(text.strip_prefix(b"\xEF\xBB\xBF").unwrap()).unwrap();
        assert_eq!(u.find(Path::new("in/甲县/局.xlsx"), None).unwrap().code, "001");
        let school = u.find(Path::new("in/x.xlsx"), Some("第一中学")).unwrap();
        assert_eq!((school.parent.as_deref(), school.role), (Some("001"), Some(Role::Subordinate)));
        assert!(u.is_supervisor("001") && !u.is_supervisor("002"));
        assert_eq!(Units::parse("编制单位,单位代码\n某局,\n".as_bytes()).unwrap_err().0, 2);
        assert_eq!(Units::parse("编制单位,角色,单位代码\n某局,老板,1\n".as_bytes()).unwrap_err().0, 2);
        assert_eq!(Units::parse("编制单位\n某局\n".as_bytes()).unwrap_err().0, 1);
    }
}
