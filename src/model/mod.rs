//! The typed model of one department's thirteen tables.
//!
//! Every amount is an exact `Decimal` that remembers its source cell. Rows are
//! keyed by classification code or by the template's row id, columns by the
//! template's column id, so rules and consolidation never depend on where a
//! department happened to put things. Missing tables are recorded as missing.

pub mod extract;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::finding::Finding;
use crate::location::CellRef;
use crate::workbook::normalize::Coercion;

/// 金额单位: the unit a table's amounts are printed in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
pub enum Unit {
    #[default]
    #[serde(rename = "万元")]
    WanYuan,
    #[serde(rename = "元")]
    Yuan,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::WanYuan => "万元",
            Unit::Yuan => "元",
        }
    }

    /// Parses `万元` / `元` (also `wan`/`yuan` for scripts).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "万元" | "wan" | "wanyuan" => Some(Unit::WanYuan),
            "元" | "yuan" => Some(Unit::Yuan),
            _ => None,
        }
    }

    /// Factor that turns an amount in `self` into `to`.
    pub fn factor_to(self, to: Unit) -> Decimal {
        match (self, to) {
            (Unit::WanYuan, Unit::Yuan) => Decimal::from(10_000),
            (Unit::Yuan, Unit::WanYuan) => Decimal::new(1, 4),
            _ => Decimal::ONE,
        }
    }

    /// Whether one printed step (0.01) of `self` is larger than one of `other`.
    pub fn is_coarser_than(self, other: Unit) -> bool {
        self.factor_to(Unit::Yuan) > other.factor_to(Unit::Yuan)
    }

    /// The rounding one printed amount of this unit may carry, expressed in
    /// `to`: half a cent of a 万元 figure (0.005 万元 = 50 元); 元 figures are
    /// exact to the cent by convention (tables.md §1).
    pub fn rounding_in(self, to: Unit) -> Decimal {
        match self {
            Unit::WanYuan => Decimal::new(5, 3) * self.factor_to(to),
            Unit::Yuan => Decimal::ZERO,
        }
    }
}

impl std::str::FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::parse(s).ok_or_else(|| format!("unit must be 万元 or 元, not `{s}`"))
    }
}

/// How a row is identified.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum RowKey {
    /// A classification code (`206`, `2060101`, `30217`).
    Code(String),
    /// A fixed row's template id (`本年收入合计`, `收入总计`), or the normalised
    /// label of a row the template does not know.
    Label(String),
}

impl RowKey {
    pub fn code(&self) -> Option<&str> {
        match self {
            RowKey::Code(c) => Some(c),
            RowKey::Label(_) => None,
        }
    }

    /// The key borrowed, for lookups that allocate nothing.
    pub fn key_ref(&self) -> KeyRef<'_> {
        match self {
            RowKey::Code(c) => KeyRef::Code(c),
            RowKey::Label(l) => KeyRef::Label(l),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            RowKey::Code(s) | RowKey::Label(s) => s,
        }
    }
}

impl std::fmt::Display for RowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `RowKey` borrowed: what a lookup needs, without building a `String`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyRef<'a> {
    Code(&'a str),
    Label(&'a str),
}

impl<'a> KeyRef<'a> {
    pub fn as_str(self) -> &'a str {
        match self {
            KeyRef::Code(s) | KeyRef::Label(s) => s,
        }
    }

    pub fn is_code(self) -> bool {
        matches!(self, KeyRef::Code(_))
    }
}

impl std::fmt::Display for KeyRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount with the cell it was read from. A blank cell is an amount of zero
/// at that cell, so every value of a row can be pointed at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Amount {
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    pub at: CellRef,
}

/// One data row of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: RowKey,
    /// The side (`收入`/`支出`) for two-sided tables.
    pub side: Option<String>,
    /// The label as printed (code rows: the 科目名称).
    pub label: String,
    /// Where the label (or code) sits.
    pub at: CellRef,
    /// Amounts by column id.
    pub cells: BTreeMap<String, Amount>,
}

impl Row {
    pub fn get(&self, column: &str) -> Option<&Amount> {
        self.cells.get(column)
    }
}

/// A column as found in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Template column id, or the header path when the template does not know it.
    pub id: String,
    /// Flattened header path as printed (`本年支出/基本支出`).
    pub path: String,
    pub side: Option<String>,
    /// Absolute column index in the sheet.
    pub col: u32,
    pub known: bool,
}

/// One of the thirteen tables as read from a workbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// 1–13.
    pub no: u8,
    pub title: String,
    pub sheet: String,
    pub title_at: CellRef,
    pub unit: Option<Unit>,
    pub department: Option<String>,
    pub year: Option<i32>,
    pub columns: Vec<Column>,
    /// In printed order.
    pub rows: Vec<Row>,
    /// A 说明 line such as `本单位无此项收支，故本表无数据`.
    pub note: Option<String>,
    /// Lookup by key and by parent code, built on first use (issue 13: a
    /// 27,000-row table took a linear scan per lookup, quadratic in all).
    pub index: RowIndex,
}

/// A lazily built index over `Table::rows`. A clone starts empty (the clone
/// may be edited); an index whose row count no longer matches is rebuilt,
/// and every hit is checked against the row itself, so a stale index never
/// returns a wrong row. Editing keys in place after a lookup needs
/// `Table::reindex`.
///
/// `rows` is a public `Vec` that consolidation and tests edit in place, so
/// the index cannot be built once and for all: it stays behind a lock that
/// rebuilds it when the rows changed in number. Lookups take the lock, find
/// the position under it and allocate nothing. The rule evaluator, which
/// makes most lookups, does not come here: it reads a department it borrows
/// unchanged and builds its own lock-free view per run (`rules::view`).
#[derive(Default)]
pub struct RowIndex(std::sync::Mutex<Option<Index>>);

struct Index {
    len: usize,
    /// Positions of code rows and of labelled rows by key text, in printed
    /// order (two maps, so a `&str` finds a key without building a `RowKey`).
    codes: std::collections::HashMap<String, Vec<usize>>,
    labels: std::collections::HashMap<String, Vec<usize>>,
    /// Code rows by their parent code (`20601` → rows `2060101`, `2060102` …).
    children: std::collections::HashMap<String, Vec<usize>>,
}

impl Index {
    fn build(rows: &[Row]) -> Self {
        let mut codes: std::collections::HashMap<String, Vec<usize>> = Default::default();
        let mut labels: std::collections::HashMap<String, Vec<usize>> = Default::default();
        let mut children: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, r) in rows.iter().enumerate() {
            let map = if r.key.code().is_some() { &mut codes } else { &mut labels };
            map.entry(r.key.as_str().to_string()).or_default().push(i);
            if let Some(parent) = r.key.code().and_then(parent_code) {
                children.entry(parent.to_string()).or_default().push(i);
            }
        }
        Self { len: rows.len(), codes, labels, children }
    }

    fn positions(&self, key: KeyRef<'_>) -> &[usize] {
        let map = if key.is_code() { &self.codes } else { &self.labels };
        map.get(key.as_str()).map_or(&[], Vec::as_slice)
    }
}

/// The code one level up (`2060101` → `20601`); `None` for a 类 (3 digits).
pub fn parent_code(code: &str) -> Option<&str> {
    code.get(..code.len().checked_sub(2)?).filter(|_| code.len() > 3)
}

impl Clone for RowIndex {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for RowIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for RowIndex {}

impl std::fmt::Debug for RowIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowIndex")
    }
}

impl Table {
    /// Runs `f` on the index, rebuilt when the rows changed in number.
    fn with_index<T>(&self, f: impl FnOnce(&Index) -> T) -> T {
        let mut guard = self.index.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.as_ref().is_some_and(|ix| ix.len != self.rows.len()) {
            *guard = None;
        }
        f(guard.get_or_insert_with(|| Index::build(&self.rows)))
    }

    /// Forgets the index (after editing row keys in place).
    pub fn reindex(&mut self) {
        self.index = RowIndex::default();
    }

    /// The row with this key on this side (any side when `None`), through the index.
    pub fn row(&self, key: &RowKey, side: Option<&str>) -> Option<&Row> {
        self.row_by_key(key.key_ref(), side)
    }

    /// `row`, for a borrowed key.
    pub fn row_by_key(&self, key: KeyRef<'_>, side: Option<&str>) -> Option<&Row> {
        let on_side = |r: &&Row| r.key.key_ref() == key && (side.is_none() || r.side.as_deref() == side);
        self.with_index(|ix| ix.positions(key).iter().filter_map(|&i| self.rows.get(i)).find(on_side))
    }

    pub fn row_by_label(&self, id: &str) -> Option<&Row> {
        self.row_by_key(KeyRef::Label(id), None)
    }

    pub fn row_by_code(&self, code: &str) -> Option<&Row> {
        self.row_by_key(KeyRef::Code(code), None)
    }

    /// The code rows one level below `code` on this side, in printed order.
    pub fn children(&self, code: &str, side: Option<&str>) -> Vec<&Row> {
        let child = |r: &&Row| {
            r.key.code().is_some_and(|k| k.len() == code.len() + 2 && k.starts_with(code))
                && (side.is_none() || r.side.as_deref() == side)
        };
        self.with_index(|ix| {
            let at = ix.children.get(code).map_or(&[][..], Vec::as_slice);
            at.iter().filter_map(|&i| self.rows.get(i)).filter(child).collect()
        })
    }

    pub fn has_column(&self, id: &str) -> bool {
        self.columns.iter().any(|c| c.id == id)
    }

    /// Code rows, in printed order.
    pub fn code_rows(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| matches!(r.key, RowKey::Code(_)))
    }

    /// True when every amount is zero.
    pub fn is_all_zero(&self) -> bool {
        self.rows.iter().all(|r| r.cells.values().all(|a| a.value.is_zero()))
    }

    /// Converts every amount to `to` (exactly; 元 → 万元 keeps all digits).
    pub fn convert_unit(&mut self, to: Unit) {
        let from = self.unit.unwrap_or_default();
        let f = from.factor_to(to);
        if f != Decimal::ONE {
            for r in &mut self.rows {
                for a in r.cells.values_mut() {
                    a.value = (a.value * f).normalize();
                }
            }
        }
        self.unit = Some(to);
    }
}

/// A value that had to be coerced while reading, for `convert` to list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoercionRecord {
    pub at: CellRef,
    pub kind: Coercion,
    pub raw: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
}

/// Everything read from one department workbook.
#[derive(Clone, Debug, Default)]
pub struct Department {
    pub path: String,
    /// 编制单位, as most tables print it.
    pub department: Option<String>,
    pub year: Option<i32>,
    pub unit: Option<Unit>,
    /// The unit the amounts were rounded to, when coarser than `unit`: a 万元
    /// workbook converted to 元 keeps the 万元 rounding of its figures, and
    /// its equalities keep the 万元 envelope (`convert` writes it in the unit
    /// line, `单位：元（由万元折算）`, and the reader takes it back).
    pub precision: Option<Unit>,
    /// Tables found, by number.
    pub tables: BTreeMap<u8, Table>,
    /// Table numbers not found.
    pub missing: Vec<u8>,
    /// Of `missing`, the tables whose title was found but whose body could not be read.
    pub unreadable: Vec<u8>,
    /// Problems met while reading (bad cells, unknown rows …).
    pub findings: Vec<Finding>,
    pub coercions: Vec<CoercionRecord>,
}

impl Department {
    pub fn table(&self, no: u8) -> Option<&Table> {
        self.tables.get(&no)
    }

    /// Converts every table to one unit. Converting to a finer unit records
    /// the coarsest unit the figures were rounded in as `precision`.
    pub fn convert_unit(&mut self, to: Unit) {
        // As `Table::convert_unit` reads them: a table without a unit is in 万元.
        let from = self.tables.values().map(|t| t.unit.unwrap_or_default());
        let coarsest = from.chain(self.precision).fold(to, |a, u| if u.is_coarser_than(a) { u } else { a });
        for t in self.tables.values_mut() {
            t.convert_unit(to);
        }
        self.unit = Some(to);
        self.precision = Some(coarsest).filter(|u| u.is_coarser_than(to));
    }

    /// The unit the amounts were rounded in: `precision`, else `unit`.
    pub fn rounding_unit(&self) -> Unit {
        let unit = self.unit.unwrap_or_default();
        self.precision.filter(|p| p.is_coarser_than(unit)).unwrap_or(unit)
    }

    /// The unit a table's figures were rounded in: its own unit, or the
    /// department's `precision` when coarser.
    pub fn table_rounding_unit(&self, t: &Table) -> Unit {
        let unit = t.unit.or(self.unit).unwrap_or_default();
        self.precision.filter(|p| p.is_coarser_than(unit)).unwrap_or(unit)
    }

    /// The rounding envelope of one printed amount, in the department's unit.
    pub fn rounding(&self) -> Decimal {
        self.rounding_unit().rounding_in(self.unit.unwrap_or_default())
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    fn row(code: &str, side: Option<&str>) -> Row {
        Row {
            key: RowKey::Code(code.into()),
            side: side.map(String::from),
            label: String::new(),
            at: CellRef::new("f".into(), "s".into(), 0, 0),
            cells: BTreeMap::new(),
        }
    }

    #[test]
    fn lookups_by_key_and_parent_follow_the_rows() {
        let mut t = Table {
            no: 2,
            title: String::new(),
            sheet: String::new(),
            title_at: CellRef::new("f".into(), "s".into(), 0, 0),
            unit: None,
            department: None,
            year: None,
            columns: Vec::new(),
            rows: vec![
                row("206", None),
                row("20601", None),
                row("2060101", None),
                row("2060102", Some("支出")),
            ],
            note: None,
            index: RowIndex::default(),
        };
        assert_eq!(t.row(&RowKey::Code("20601".into()), None).map(|r| r.at.row), Some(0));
        assert!(t.row(&RowKey::Code("2060102".into()), Some("收入")).is_none());
        let kids: Vec<&str> = t.children("20601", None).iter().filter_map(|r| r.key.code()).collect();
        assert_eq!(kids, ["2060101", "2060102"]);
        assert_eq!(t.children("20601", Some("支出")).len(), 1);
        // Rows added after a lookup are found (the index follows the row count).
        t.rows.push(row("2060199", None));
        assert!(t.row_by_code("2060199").is_some());
        assert_eq!(t.children("20601", None).len(), 3);
        // Codes and labels with the same text are different keys; borrowed
        // keys find what owned ones do.
        t.rows.push(Row { key: RowKey::Label("206".into()), ..row("x", Some("收入")) });
        assert_eq!(t.row_by_label("206").map(|r| r.side.as_deref()), Some(Some("收入")));
        assert_eq!(t.row_by_code("206").map(|r| r.side.as_deref()), Some(None));
        assert_eq!(t.row_by_key(KeyRef::Code("2060102"), Some("支出")), t.rows.get(3));
        assert!(t.row_by_key(KeyRef::Label("2060102"), None).is_none());
        assert_eq!(parent_code("2060101"), Some("20601"));
        assert_eq!(parent_code("20601"), Some("206"));
        assert_eq!(parent_code("206"), None);
        // A clone is indexed afresh.
        let mut c = t.clone();
        c.rows[0].key = RowKey::Code("207".into());
        c.reindex();
        assert!(c.row_by_code("207").is_some() && c.row_by_code("206").is_none());
    }
}

#[cfg(test)]
mod precision_tests {
    use super::*;

    /// 万元 → 元 remembers the 万元 rounding (50 元 per amount); back to 万元
    /// the figures are whole cents again and the envelope is 万元's own.
    #[test]
    fn converting_to_a_finer_unit_keeps_the_coarser_rounding() {
        let t = crate::config::Templates::embedded();
        let s: serde_json::Value =
            serde_json::from_str(include_str!("../../samples/src/seed_tables.json")).unwrap();
        let mut d = crate::samples::seed_department(&s["000"], &t.layouts, false);
        d.convert_unit(Unit::WanYuan);
        assert_eq!((d.precision, d.rounding()), (None, Decimal::new(5, 3)));
        d.convert_unit(Unit::Yuan);
        assert_eq!((d.precision, d.rounding()), (Some(Unit::WanYuan), Decimal::from(50)));
        d.convert_unit(Unit::WanYuan);
        assert_eq!((d.precision, d.rounding()), (None, Decimal::new(5, 3)));
        // Figures in 元 to begin with (as read from a 元 workbook) are exact.
        d.convert_unit(Unit::Yuan);
        d.precision = None;
        assert_eq!(d.rounding(), Decimal::ZERO);
        d.convert_unit(Unit::Yuan);
        assert_eq!(d.precision, None);
    }
}
