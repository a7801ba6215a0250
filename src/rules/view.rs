//! The evaluator's view of a department's tables, built once per table per run.
//!
//! A run borrows its department unchanged, so a view can never go stale and
//! needs no lock: rows are found by borrowed key through a hash index, a code's
//! children and a level's rows through position lists built in the same pass,
//! and a table's known columns through a set. Nothing here allocates per lookup.
//!
//! Rule references are not resolved to row positions when the rules are
//! loaded: which rows a table has, and where, differs from one workbook to the
//! next (a department lists only the codes it uses). What can be settled at load
//! is settled there (a named row is parsed into its `RowKey` once,
//! `expr::Sel::Rows`); the key becomes a position here, once per table per run.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use crate::model::{Department, KeyRef, Row, Table, parent_code};

/// No further row in a chain.
const END: usize = usize::MAX;

/// Views of the tables of one department, each built on first use.
pub(super) struct Views<'a> {
    dep: Option<&'a Department>,
    /// By table number; rules name only T1–T13 (`expr` rejects others).
    tables: [OnceCell<Option<TableView<'a>>>; 14],
}

impl<'a> Views<'a> {
    /// Views over `dep` (none: every table is missing).
    pub(super) fn new(dep: Option<&'a Department>) -> Self {
        Self { dep, tables: Default::default() }
    }

    /// The view of table `no`, when the department has it.
    pub(super) fn table(&self, no: u8) -> Option<&TableView<'a>> {
        let dep = self.dep?;
        self.tables.get(usize::from(no))?.get_or_init(|| dep.table(no).map(TableView::new)).as_ref()
    }
}

/// One table, indexed for the evaluator.
pub(super) struct TableView<'a> {
    pub(super) table: &'a Table,
    /// The first row with each key; `same[i]` is the next row with row i's key.
    first: HashMap<KeyRef<'a>, usize>,
    same: Vec<usize>,
    /// The first code row one level below each code; `sibling[i]` the next.
    first_child: HashMap<&'a str, usize>,
    sibling: Vec<usize>,
    /// Code rows by number of digits (3, 5, 7), in printed order.
    levels: HashMap<usize, Vec<usize>>,
    /// Known columns by id and side, and by id alone.
    columns: HashSet<(&'a str, Option<&'a str>), Quick>,
    column_ids: HashSet<&'a str, Quick>,
    all_zero: OnceCell<bool>,
}

impl<'a> TableView<'a> {
    pub(super) fn new(table: &'a Table) -> Self {
        let n = table.rows.len();
        let (mut first, mut same) = (HashMap::with_capacity(n), vec![END; n]);
        let (mut first_child, mut sibling) = (HashMap::new(), vec![END; n]);
        let mut levels: HashMap<usize, Vec<usize>> = HashMap::new();
        // Backwards, so each chain starts at its first row in printed order.
        for (i, r) in table.rows.iter().enumerate().rev() {
            same[i] = first.insert(r.key.key_ref(), i).unwrap_or(END);
            if let Some(parent) = r.key.code().and_then(parent_code) {
                sibling[i] = first_child.insert(parent, i).unwrap_or(END);
            }
        }
        for (i, r) in table.rows.iter().enumerate() {
            if let Some(c) = r.key.code() {
                levels.entry(c.len()).or_default().push(i);
            }
        }
        let known = table.columns.iter().filter(|c| c.known);
        let columns = known.clone().map(|c| (c.id.as_str(), c.side.as_deref())).collect();
        let column_ids = known.map(|c| c.id.as_str()).collect();
        Self {
            table,
            first,
            same,
            first_child,
            sibling,
            levels,
            columns,
            column_ids,
            all_zero: OnceCell::new(),
        }
    }

    /// Rows along a chain starting at `at`.
    fn chain<'v>(&'v self, at: Option<usize>, next: &'v [usize]) -> impl Iterator<Item = &'a Row> + 'v {
        let rows = &self.table.rows;
        std::iter::successors(at, move |&i| next.get(i).copied().filter(|&j| j != END))
            .filter_map(move |i| rows.get(i))
    }

    /// The first row with this key on this side (any side when `None`), as
    /// `Table::row` finds it.
    pub(super) fn row(&self, key: KeyRef<'_>, side: Option<&str>) -> Option<&'a Row> {
        self.chain(self.first.get(&key).copied(), &self.same).find(|r| on_side(r, side))
    }

    /// The code rows one level below `code` on this side, in printed order, as
    /// `Table::children` lists them.
    pub(super) fn children<'v>(
        &'v self,
        code: &str,
        side: Option<&'v str>,
    ) -> impl Iterator<Item = &'a Row> + 'v {
        self.chain(self.first_child.get(code).copied(), &self.sibling).filter(move |r| on_side(r, side))
    }

    /// Every code row of `digits` digits on this side, in printed order.
    pub(super) fn level<'v>(
        &'v self,
        digits: usize,
        side: Option<&'v str>,
    ) -> impl Iterator<Item = &'a Row> + 'v {
        let rows = &self.table.rows;
        let at = self.levels.get(&digits).map_or(&[][..], Vec::as_slice);
        at.iter().filter_map(move |&i| rows.get(i)).filter(move |r| on_side(r, side))
    }

    /// Whether the table has this known column on this side (any side when `None`).
    pub(super) fn has_column(&self, id: &str, side: Option<&str>) -> bool {
        match side {
            None => self.column_ids.contains(id),
            Some(_) => self.columns.contains(&(id, side)),
        }
    }

    /// `Table::is_all_zero`, worked out once.
    pub(super) fn is_all_zero(&self) -> bool {
        *self.all_zero.get_or_init(|| self.table.is_all_zero())
    }
}

fn on_side(r: &Row, side: Option<&str>) -> bool {
    side.is_none() || r.side.as_deref() == side
}

/// A quick hash (rustc's Fx) for the column sets, asked on every reference.
/// Only for keys the templates fix (a known column's id and side): row keys
/// come from the workbook, and keep std's keyed hash against crafted
/// collisions.
type Quick = std::hash::BuildHasherDefault<QuickHasher>;

#[derive(Default)]
struct QuickHasher(u64);

impl QuickHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rust_decimal::Decimal;

    use super::*;
    use crate::location::CellRef;
    use crate::model::{Amount, Column, RowIndex, RowKey};

    fn at(row: u32) -> CellRef {
        CellRef::new("f".into(), "s".into(), row, 0)
    }

    fn row(i: u32, key: RowKey, side: Option<&str>) -> Row {
        let cells = BTreeMap::from([("a".to_string(), Amount { value: Decimal::from(i), at: at(i) })]);
        Row { key, side: side.map(String::from), label: String::new(), at: at(i), cells }
    }

    fn table(keys: &[(&str, Option<&str>)]) -> Table {
        let rows = keys
            .iter()
            .enumerate()
            .map(|(i, (k, side))| {
                let key = if crate::text::is_code(k) {
                    RowKey::Code((*k).to_string())
                } else {
                    RowKey::Label((*k).to_string())
                };
                row(u32::try_from(i).unwrap(), key, *side)
            })
            .collect();
        let column = |id: &str, side: Option<&str>, known| Column {
            id: id.into(),
            path: id.into(),
            side: side.map(String::from),
            col: 0,
            known,
        };
        Table {
            no: 1,
            title: String::new(),
            sheet: String::new(),
            title_at: at(0),
            unit: None,
            department: None,
            year: None,
            columns: vec![column("a", Some("收入"), true), column("b", None, false)],
            rows,
            note: None,
            index: RowIndex::default(),
        }
    }

    fn rows_at<'a>(rows: impl Iterator<Item = &'a Row>) -> Vec<u32> {
        rows.map(|r| r.at.row).collect()
    }

    /// The view finds what `Table`'s own lookups find, key by key and side by side.
    #[test]
    fn lookups_by_key_and_side_match_the_table() {
        let t = table(&[
            ("合计", Some("收入")),
            ("206", Some("收入")),
            ("20601", Some("收入")),
            ("2060101", Some("收入")),
            ("合计", Some("支出")),
            ("206", Some("支出")),
            ("2060102", Some("支出")),
            ("20602", Some("支出")),
            ("2060199", None),
        ]);
        let v = TableView::new(&t);
        for r in &t.rows {
            for side in [None, Some("收入"), Some("支出"), Some("其他")] {
                assert_eq!(v.row(r.key.key_ref(), side), t.row(&r.key, side), "{} {side:?}", r.key);
                if let Some(c) = r.key.code() {
                    assert_eq!(v.children(c, side).collect::<Vec<_>>(), t.children(c, side));
                }
            }
        }
        assert_eq!(v.row(KeyRef::Label("合计"), Some("支出")).map(|r| r.at.row), Some(4));
        // A code and a label with the same text are different keys.
        assert!(v.row(KeyRef::Label("206"), None).is_none());
        assert!(v.row(KeyRef::Code("207"), None).is_none());
        assert_eq!(rows_at(v.children("20601", None)), [3, 6, 8]);
        assert_eq!(rows_at(v.children("20601", Some("支出"))), [6]);
        assert_eq!(rows_at(v.children("206", None)), [2, 7]);
        assert_eq!(rows_at(v.level(3, None)), [1, 5]);
        assert_eq!(rows_at(v.level(7, Some("收入"))), [3]);
        assert_eq!(rows_at(v.level(5, Some("其他"))), Vec::<u32>::new());
    }

    #[test]
    fn known_columns_by_id_and_side() {
        let t = table(&[("合计", None), ("206", None)]);
        let v = TableView::new(&t);
        assert!(v.has_column("a", None) && v.has_column("a", Some("收入")));
        assert!(!v.has_column("a", Some("支出")));
        // A column the template does not know is no operand.
        assert!(!v.has_column("b", None));
        // The second row holds 1 (`row` puts its position in column `a`).
        assert!(!v.is_all_zero());
        assert!(TableView::new(&table(&[("合计", None)])).is_all_zero());
    }

    #[test]
    fn views_cover_present_tables_only() {
        let mut d = Department::default();
        d.tables.insert(1, table(&[("合计", None)]));
        let views = Views::new(Some(&d));
        assert!(views.table(1).is_some());
        assert!(views.table(2).is_none() && views.table(200).is_none());
        assert!(Views::new(None).table(1).is_none());
    }
}
