//! Consolidation (汇总): summing departments into one set of thirteen tables.
//!
//! Amounts are summed exactly in 元 by (table, side, row key, column id); a row
//! present in any input is present in the sum. Each input is folded in and
//! dropped, so memory does not grow with the number of inputs; the caller folds
//! in sorted-path order, which makes the result independent of thread timing.
//! `balance` then rounds to the output unit so the tables add up exactly.

pub mod balance;
pub mod batch;
pub mod last_year;
pub mod node;
pub mod offset;
pub mod pairs;
pub mod tree;
pub mod units;

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::location::CellRef;
use crate::model::{Amount, Column, Department, Row, RowKey, Table, Unit};
use crate::template::Layouts;

/// Row label and exact sums by column, for one (side, row key).
type RowSums = (String, BTreeMap<String, Decimal>);

#[derive(Clone, Debug, Default)]
struct TableAcc {
    /// Each column seen, with the number of inputs that had it.
    columns: Vec<((String, Option<String>), usize)>,
    rows: BTreeMap<(Option<String>, RowKey), RowSums>,
    notes: usize,
    inputs: usize,
    /// Inputs whose table is keyed by 功能分类 codes only / by 经济分类 codes
    /// only (T5 is published in either form; the two are not summed together).
    function_keyed: usize,
    economic_keyed: usize,
    /// Half a printed unit (in 元) summed over the inputs that gave this table
    /// in 万元: how far the exact sums may miss an equality through the
    /// inputs' own rounding (舍位平衡 closes such gaps; larger ones are real).
    slack: Decimal,
}

/// Running exact sums for one node of the consolidation tree.
#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    tables: BTreeMap<u8, TableAcc>,
    /// Years seen, for the title block.
    years: BTreeMap<i32, usize>,
    pub units: usize,
}

impl Accumulator {
    /// Adds one department (any unit; summed in 元).
    pub fn add(&mut self, dep: &Department) {
        self.units += 1;
        if let Some(y) = dep.year {
            *self.years.entry(y).or_insert(0) += 1;
        }
        for t in dep.tables.values() {
            let f = t.unit.or(dep.unit).unwrap_or_default().factor_to(Unit::Yuan);
            let acc = self.tables.entry(t.no).or_default();
            acc.inputs += 1;
            // 万元 figures, also when converted to 元 (`Department::precision`).
            acc.slack += dep.table_rounding_unit(t).rounding_in(Unit::Yuan);
            acc.notes += usize::from(t.note.is_some());
            let (function, economic) = key_forms(t);
            acc.function_keyed += usize::from(function && !economic);
            acc.economic_keyed += usize::from(economic && !function);
            for c in t.columns.iter().filter(|c| c.known) {
                let k = (c.id.clone(), c.side.clone());
                match acc.columns.iter_mut().find(|(x, _)| *x == k) {
                    Some((_, n)) => *n += 1,
                    None => acc.columns.push((k, 1)),
                }
            }
            for r in &t.rows {
                let entry = acc
                    .rows
                    .entry((r.side.clone(), r.key.clone()))
                    .or_insert_with(|| (r.label.clone(), BTreeMap::new()));
                for (col, a) in &r.cells {
                    *entry.1.entry(col.clone()).or_insert(Decimal::ZERO) += a.value * f;
                }
            }
        }
    }

    /// Adds another accumulator (a child node) into this one.
    pub fn merge(&mut self, other: &Accumulator) {
        self.units += other.units;
        for (y, n) in &other.years {
            *self.years.entry(*y).or_insert(0) += n;
        }
        for (no, t) in &other.tables {
            let acc = self.tables.entry(*no).or_default();
            acc.inputs += t.inputs;
            acc.notes += t.notes;
            acc.slack += t.slack;
            acc.function_keyed += t.function_keyed;
            acc.economic_keyed += t.economic_keyed;
            for (c, n) in &t.columns {
                match acc.columns.iter_mut().find(|(x, _)| x == c) {
                    Some((_, m)) => *m += n,
                    None => acc.columns.push((c.clone(), *n)),
                }
            }
            for (k, (label, cells)) in &t.rows {
                let e = acc.rows.entry(k.clone()).or_insert_with(|| (label.clone(), BTreeMap::new()));
                for (c, v) in cells {
                    *e.1.entry(c.clone()).or_insert(Decimal::ZERO) += v;
                }
            }
        }
    }

    /// Adds one amount to a summed cell (冲抵 between paired units, `pairs`);
    /// a table no input had is left alone.
    pub fn adjust(&mut self, d: &pairs::Delta) {
        let Some(t) = self.tables.get_mut(&d.table) else { return };
        let e = t
            .rows
            .entry((d.side.clone(), d.key.clone()))
            .or_insert_with(|| (d.label.clone(), BTreeMap::new()));
        *e.1.entry(d.column.clone()).or_insert(Decimal::ZERO) += d.value;
    }

    /// Per table, the rounding the inputs brought in, in 元 (see `TableAcc::slack`).
    pub fn slack(&self) -> BTreeMap<u8, Decimal> {
        self.tables.iter().map(|(no, t)| (*no, t.slack)).collect()
    }

    /// Columns left out of the sums because only some inputs had them:
    /// (table, column id, inputs with it, inputs of the table).
    pub fn partial_columns(&self) -> Vec<(u8, String, usize, usize)> {
        let mut out = Vec::new();
        for (no, t) in &self.tables {
            for ((id, _), n) in &t.columns {
                if *n < t.inputs
                    && !out.iter().any(|(o, i, _, _): &(u8, String, usize, usize)| o == no && i == id)
                {
                    out.push((*no, id.clone(), *n, t.inputs));
                }
            }
        }
        out
    }

    /// Tables whose inputs mix 功能分类-keyed and 经济分类-keyed forms (T5):
    /// (table, inputs keyed by function, inputs keyed by economic class). Such a
    /// table is left out of the consolidation rather than summed as one table
    /// of mixed rows (`department`), and the node says so.
    pub fn mixed_forms(&self) -> Vec<(u8, usize, usize)> {
        self.tables
            .iter()
            .filter(|(_, t)| t.function_keyed > 0 && t.economic_keyed > 0)
            .map(|(no, t)| (*no, t.function_keyed, t.economic_keyed))
            .collect()
    }

    /// Years seen, most frequent first (more than one is worth a warning).
    pub fn years(&self) -> Vec<i32> {
        let mut v: Vec<(i32, usize)> = self.years.iter().map(|(y, n)| (*y, *n)).collect();
        v.sort_by_key(|(y, n)| (std::cmp::Reverse(*n), *y));
        v.into_iter().map(|(y, _)| y).collect()
    }

    /// The exact sums as a department in 元. Cells point at `(汇总)` sheets
    /// named after the table, so balance adjustments can be reported by place.
    pub fn department(&self, name: &str, layouts: &Layouts) -> Department {
        let file: Arc<str> = Arc::from("(汇总)");
        let year = self.years.iter().max_by_key(|(_, n)| **n).map(|(y, _)| *y);
        let mut dep = Department {
            path: name.to_string(),
            department: Some(name.to_string()),
            year,
            unit: Some(Unit::Yuan),
            ..Department::default()
        };
        for (no, acc) in &self.tables {
            let Some(layout) = layouts.table(*no) else { continue };
            if acc.function_keyed > 0 && acc.economic_keyed > 0 {
                continue;
            }
            let sheet: Arc<str> = Arc::from(format!("T{no:02}").as_str());
            // Columns in the template's order, so sums look like the standard form.
            let mut columns: Vec<Column> = Vec::new();
            // Only columns every input of the table had: a column some inputs
            // lack would be a partial sum (see `partial_columns`).
            for spec in &layout.columns {
                let k = (spec.id.clone(), spec.side.clone());
                if acc.columns.iter().any(|(c, n)| *c == k && *n == acc.inputs) {
                    let col = u32::try_from(columns.len()).unwrap_or(0);
                    columns.push(Column {
                        id: spec.id.clone(),
                        path: spec.header.clone(),
                        side: spec.side.clone(),
                        col,
                        known: true,
                    });
                }
            }
            let mut rows = Vec::new();
            for (ri, ((side, key), (label, cells))) in acc.rows.iter().enumerate() {
                let r = u32::try_from(ri).unwrap_or(0);
                let cells = cells
                    .iter()
                    .filter_map(|(c, v)| {
                        let ci = columns.iter().position(|x| &x.id == c && &x.side == side)?;
                        Some((
                            c.clone(),
                            Amount { value: *v, at: CellRef::new(file.clone(), sheet.clone(), r, ci as u32) },
                        ))
                    })
                    .collect();
                rows.push(Row {
                    key: key.clone(),
                    side: side.clone(),
                    label: label.clone(),
                    at: CellRef::new(file.clone(), sheet.clone(), r, 0),
                    cells,
                });
            }
            // A consolidated table is empty only when every input's was.
            let note = (acc.notes == acc.inputs
                && rows.iter().all(|r: &Row| r.cells.values().all(|a| a.value.is_zero())))
            .then(|| format!("说明：{name}本年度无此项收支，故本表无数据。"));
            dep.tables.insert(
                *no,
                Table {
                    no: *no,
                    title: layout.title.clone(),
                    sheet: sheet.to_string(),
                    title_at: CellRef::new(file.clone(), sheet.clone(), 0, 0),
                    unit: Some(Unit::Yuan),
                    department: Some(name.to_string()),
                    year,
                    columns,
                    rows,
                    note,
                    index: Default::default(),
                },
            );
        }
        dep.missing = (1..=13).filter(|n| !dep.tables.contains_key(n)).collect();
        dep
    }
}

/// Whether a table has 功能分类 (`2…`) and 经济分类 (`3…`) code rows.
fn key_forms(t: &Table) -> (bool, bool) {
    let codes = || t.code_rows().filter_map(|r| r.key.code());
    (codes().any(|c| c.starts_with('2')), codes().any(|c| c.starts_with('3')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_exactly_across_units() {
        let t = crate::config::Templates::embedded();
        let s: serde_json::Value =
            serde_json::from_str(include_str!("../../samples/src/seed_tables.json")).unwrap();
        let a = crate::samples::seed_department(&s["000"], &t.layouts, true);
        let mut b = a.clone();
        b.convert_unit(Unit::Yuan);
        let mut acc = Accumulator::default();
        acc.add(&a);
        acc.add(&b);
        let d = acc.department("合计", &t.layouts);
        let v = |d: &Department| {
            d.table(1).unwrap().row(&RowKey::Label("本年收入合计".into()), Some("收入")).unwrap().cells["决算数"].value
        };
        assert_eq!(v(&d), v(&a) * Decimal::from(20_000));
        assert_eq!(d.tables.len(), 13);
    }
}
