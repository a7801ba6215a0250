//! `templates/consolidate.toml`: the rows and columns the consolidation reads
//! by id (分户表 amounts, 冲抵 flows), validated at load against the layouts
//! so the code never meets an id the templates do not declare.

use serde::Deserialize;

use crate::error::{Error, line_of};
use crate::template::{Layouts, Store};

/// One amount of a table, by ids.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AmountRef {
    pub table: u8,
    #[serde(default)]
    pub side: Option<String>,
    pub row: String,
    pub column: String,
}

/// The flows a role's offset removes.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Flows {
    /// A T1 收入 row id, and the T2 column of the same id.
    pub income: String,
    /// A T3 column id.
    pub expenditure: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OffsetSpec {
    pub subordinate: Flows,
    pub supervisor: Flows,
}

/// The validated file.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub units_column: Vec<AmountRef>,
    pub offset: OffsetSpec,
}

/// Columns of the 分户表 amounts (the sheet has six).
pub const UNITS_COLUMNS: usize = 6;

impl Spec {
    /// Parses and validates `consolidate.toml` from the store.
    ///
    /// # Errors
    /// A missing or malformed file, or an id no layout declares (path and line).
    pub fn load(store: &Store, layouts: &Layouts) -> Result<Self, Error> {
        let rel = "consolidate.toml";
        let f = store.get(rel).ok_or_else(|| Error::Template {
            path: format!("templates/{rel}"),
            line: 0,
            message: "missing".into(),
        })?;
        let spec: Spec = toml::from_str(&f.text).map_err(|e| Error::Template {
            path: f.origin.clone(),
            line: e.span().map_or(0, |s| line_of(&f.text, s.start)),
            message: e.message().to_string(),
        })?;
        let err = |needle: &str, message: String| Error::Template {
            path: f.origin.clone(),
            line: f.text.find(&format!("\"{needle}\"")).map_or(0, |o| line_of(&f.text, o)),
            message,
        };
        if spec.units_column.len() != UNITS_COLUMNS {
            return Err(err("units_column", format!("expected {UNITS_COLUMNS} units_column entries")));
        }
        for a in &spec.units_column {
            layouts.check_amount(a.table, a.side.as_deref(), &a.row, &a.column).map_err(|m| err(&a.row, m))?;
        }
        for fl in [&spec.offset.subordinate, &spec.offset.supervisor] {
            layouts.check_amount(1, Some("收入"), &fl.income, "决算数").map_err(|m| err(&fl.income, m))?;
            layouts.check_column(2, &fl.income).map_err(|m| err(&fl.income, m))?;
            layouts.check_column(3, &fl.expenditure).map_err(|m| err(&fl.expenditure, m))?;
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_is_valid_and_an_unknown_row_is_refused_with_its_line() {
        let t = crate::config::Templates::embedded();
        assert_eq!(t.consolidate.units_column.len(), UNITS_COLUMNS);
        let mut store = t.store.clone();
        let f = store.files.get_mut("consolidate.toml").unwrap();
        f.text = f.text.replace("\"上缴上级支出\"", "\"上缴上级支出X\"");
        let e = Spec::load(&store, &t.layouts).unwrap_err().to_string();
        assert!(e.contains("上缴上级支出X") && e.contains("consolidate.toml:"), "{e}");
        assert!(!e.contains("consolidate.toml:0:"), "the line is given: {e}");
    }
}
