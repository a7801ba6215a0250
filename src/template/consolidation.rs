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

/// The totals a removed flow also leaves: T1's 收入/支出 total rows, the T2
/// and T3 total columns and their total row.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// T1's amount column.
    pub column: String,
    pub income_side: String,
    pub expenditure_side: String,
    /// A T1 收入 row and the T2 total column.
    pub income: String,
    /// The T1 收入 row below `income`.
    pub income_grand: String,
    /// A T1 支出 row and the T3 total column.
    pub expenditure: String,
    /// The T1 支出 row below `expenditure`.
    pub expenditure_grand: String,
    /// The total row of T2 and T3.
    pub row: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OffsetSpec {
    pub subordinate: Flows,
    pub supervisor: Flows,
    pub totals: Totals,
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
            layouts
                .check_amount(a.table, a.side.as_deref(), &a.row, &a.column)
                .map_err(|m| err(&a.row, m))?;
        }
        let t = &spec.offset.totals;
        let (inc, exp) = (Some(t.income_side.as_str()), Some(t.expenditure_side.as_str()));
        for (table, side, row, column) in [
            (1, inc, &t.income, &t.column),
            (1, inc, &t.income_grand, &t.column),
            (1, exp, &t.expenditure, &t.column),
            (1, exp, &t.expenditure_grand, &t.column),
            (2, None, &t.row, &t.income),
            (3, None, &t.row, &t.expenditure),
        ] {
            layouts.check_amount(table, side, row, column).map_err(|m| err(row, m))?;
        }
        for fl in [&spec.offset.subordinate, &spec.offset.supervisor] {
            layouts.check_amount(1, inc, &fl.income, &t.column).map_err(|m| err(&fl.income, m))?;
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
        // The totals 冲抵 adjusts are references too: a renamed T1 row is refused.
        let mut store = t.store.clone();
        let f = store.files.get_mut("consolidate.toml").unwrap();
        f.text = f.text.replace("expenditure_grand = \"支出总计\"", "expenditure_grand = \"支出合计总\"");
        let line = f.text.lines().position(|l| l.contains("支出合计总")).unwrap() + 1;
        let e = Spec::load(&store, &t.layouts).unwrap_err().to_string();
        assert!(e.contains(&format!("consolidate.toml:{line}:")) && e.contains("支出合计总"), "{e}");
    }
}
