//! Cell locations: the one `CellRef` type every finding, amount and report uses.
//!
//! Coordinates are absolute and zero-based (row 0 / column 0 is `A1`), whatever
//! range a reader happened to return. Only `workbook` builds them from reader
//! indices; everything else just carries and prints them.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// A cell in an input (or output) workbook: file, sheet and absolute position.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellRef {
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    pub row: u32,
    pub col: u32,
    /// A cell of last year's workbook (`--prior`): its JSON form names the file.
    pub prior: bool,
}

impl CellRef {
    pub fn new(file: Arc<str>, sheet: Arc<str>, row: u32, col: u32) -> Self {
        Self { file, sheet, row, col, prior: false }
    }

    /// The A1 address alone, e.g. `D12`.
    pub fn a1(&self) -> String {
        a1(self.row, self.col)
    }

    /// `'Sheet'!D12`, or `[last-year.xlsx]'Sheet'!D12` for a cell of last
    /// year's workbook (Excel's external-reference form): the findings
    /// report's cell column, which `explain` matches on.
    pub fn report_a1(&self) -> String {
        if self.prior {
            let name = self.file.rsplit(['/', '\\']).next().unwrap_or_default();
            format!("[{name}]{}", self.sheet_a1())
        } else {
            self.sheet_a1()
        }
    }

    /// `'Sheet'!D12`, the form Excel accepts in formulas and hyperlinks.
    pub fn sheet_a1(&self) -> String {
        format!("{}!{}", quote_sheet_name(&self.sheet), self.a1())
    }
}

impl fmt::Display for CellRef {
    /// `path.xlsx:'Sheet'!D12`, grep-able and unambiguous.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.sheet_a1())
    }
}

/// The JSON form of cli.md: `{ "sheet": "…", "cell": "D12" }`, plus
/// `"file"` for a cell of last year's workbook (cli.md § Last year's accounts).
impl Serialize for CellRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CellRef", if self.prior { 3 } else { 2 })?;
        if self.prior {
            st.serialize_field("file", &*self.file)?;
        }
        st.serialize_field("sheet", &*self.sheet)?;
        st.serialize_field("cell", &self.a1())?;
        st.end()
    }
}

/// Column letters for a zero-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn col_name(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = u8::try_from((n - 1) % 26).unwrap_or(0);
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A1 address for zero-based absolute coordinates.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_name(col), u64::from(row) + 1)
}

/// Parses `D12` (or `$D$12`) into zero-based (row, col).
pub fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut col: u32 = 0;
    for c in letters.to_ascii_uppercase().bytes() {
        col = col * 26 + u32::from(c - b'A' + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    Some((row - 1, col - 1))
}

/// Quotes a sheet name the way Excel does when it needs quoting.
pub fn quote_sheet_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.is_ascii();
    if plain { name.to_string() } else { format!("'{}'", name.replace('\'', "''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(701), "ZZ");
        assert_eq!(col_name(702), "AAA");
        assert_eq!(col_name(16383), "XFD");
    }

    #[test]
    fn a1_round_trip() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 3), "D12");
        for (r, c) in [(0, 0), (5, 26), (1_048_575, 16383), (99, 701)] {
            assert_eq!(parse_a1(&a1(r, c)), Some((r, c)));
        }
        assert_eq!(parse_a1("$D$12"), Some((11, 3)));
        assert_eq!(parse_a1("D0"), None);
        assert_eq!(parse_a1("12"), None);
    }

    #[test]
    fn sheet_quoting_and_display() {
        assert_eq!(quote_sheet_name("Sheet1"), "Sheet1");
        assert_eq!(quote_sheet_name("收入决算表"), "'收入决算表'");
        assert_eq!(quote_sheet_name("it's"), "'it''s'");
        let c = CellRef::new("a.xlsx".into(), "表 1（全角）".into(), 11, 3);
        assert_eq!(c.to_string(), "a.xlsx:'表 1（全角）'!D12");
    }
}
