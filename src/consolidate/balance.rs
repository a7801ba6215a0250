//! 舍位平衡: writing exact sums in a rounded unit so the tables still add up.
//!
//! Method (documented in the README):
//! 1. convert the exact 元 sums to the output unit; every amount may be written
//!    as its value rounded down or up to the cent (a value already exact to the
//!    cent is fixed);
//! 2. start from ordinary rounding (half away from zero);
//! 3. take every equality of the rule set — row sums, 类 = Σ款, 合计 = Σ类, the
//!    T1/T4 balances and the cross-table equalities — instantiated over the
//!    consolidated rows and columns, as `Σ coefficient × cell = 0` in cents;
//! 4. while some equality is off, move by one cent the cell whose move most
//!    reduces the total violation (ties: the cell closest to its rounding
//!    boundary, then the first cell): residues go to the amounts whose rounding
//!    was least certain, the largest-remainder idea applied across all tables
//!    at once, so the same quantity gets the same rounded value in every table;
//! 5. list every cell written differently from its ordinary rounding.
//!
//! Every amount stays within one cent of its exact value. The search is bounded;
//! an equality it could not close (never seen on real tables) stays visible in
//! the consolidated table's own audit. `--unit 元` needs no rounding at all.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::i18n::Catalog;
use crate::location::CellRef;
use crate::model::{Department, Unit};
use crate::rules::RuleSet;
use crate::template::Layouts;

/// One total changed by the rounding balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    pub table: u8,
    pub row: String,
    pub column: String,
    /// The cell in the consolidated model (sheet `T01`…, zero-based row/column).
    #[serde(skip)]
    pub at: CellRef,
    #[serde(with = "rust_decimal::serde::str")]
    pub naive: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub written: Decimal,
}

/// How often one cell may be moved during the search.
const MAX_MOVES: u32 = 3;

/// Converts a consolidated department (exact, in 元) to `unit` with 2 decimals
/// and balances it. Returns the adjustments made.
pub fn round_and_balance(
    dep: &mut Department,
    unit: Unit,
    rules: &RuleSet,
    layouts: &Layouts,
    msg: &Catalog,
) -> Vec<Adjustment> {
    dep.convert_unit(unit);
    let hundred = Decimal::ONE_HUNDRED;
    // Per cell: exact value in cents, its two choices, the ordinary rounding, the place.
    struct Var {
        exact: Decimal,
        low: Decimal,
        high: Decimal,
        naive: Decimal,
        value: Decimal,
        place: (u8, String, String),
    }
    let mut vars: BTreeMap<CellRef, Var> = BTreeMap::new();
    for t in dep.tables.values() {
        for r in &t.rows {
            for (c, a) in &r.cells {
                let exact = a.value * hundred;
                let naive = exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                vars.insert(
                    a.at.clone(),
                    Var {
                        exact,
                        low: exact.floor(),
                        high: exact.ceil(),
                        naive,
                        value: naive,
                        place: (t.no, r.key.to_string(), c.clone()),
                    },
                );
            }
        }
    }
    let constraints: Vec<Vec<(CellRef, i32)>> = crate::rules::eval::equalities(rules, dep, layouts, msg)
        .into_iter()
        .filter(|c| c.iter().all(|(x, _)| vars.contains_key(x)))
        .collect();
    let mut by_var: BTreeMap<CellRef, Vec<usize>> = BTreeMap::new();
    for (i, c) in constraints.iter().enumerate() {
        for (x, _) in c {
            by_var.entry(x.clone()).or_default().push(i);
        }
    }
    let residue = |c: &Vec<(CellRef, i32)>, vars: &BTreeMap<CellRef, Var>| -> Decimal {
        c.iter().map(|(x, k)| vars.get(x).map_or(Decimal::ZERO, |v| v.value * Decimal::from(*k))).sum()
    };
    let mut res: Vec<Decimal> = constraints.iter().map(|c| residue(c, &vars)).collect();
    let limit = 20 * vars.len().max(100);
    // Sideways moves (no change in total violation) are allowed, so a residue can
    // travel through a cell shared by two sums (a row total and a 类 total); a cap
    // on moves per cell keeps the walk from cycling.
    let mut moves: BTreeMap<CellRef, u32> = BTreeMap::new();
    for _ in 0..limit {
        let violated: Vec<usize> = (0..res.len()).filter(|i| !res[*i].is_zero()).collect();
        if violated.is_empty() {
            break;
        }
        // Candidate moves: each free cell of a violated equality, to its other choice.
        let mut best: Option<(Decimal, Decimal, CellRef, Decimal)> = None;
        for i in &violated {
            for (x, _) in &constraints[*i] {
                let v = &vars[x];
                if v.low == v.high || moves.get(x).copied().unwrap_or(0) >= MAX_MOVES {
                    continue;
                }
                let to = if v.value == v.low { v.high } else { v.low };
                let step = to - v.value;
                let mut delta = Decimal::ZERO;
                for j in &by_var[x] {
                    let k: i32 = constraints[*j].iter().filter(|(y, _)| y == x).map(|(_, k)| *k).sum();
                    let after = res[*j] + step * Decimal::from(k);
                    delta += after.abs() - res[*j].abs();
                }
                // Prefer cells whose exact value sits near the half-cent boundary.
                let doubt = ((v.exact - v.low) - Decimal::new(5, 1)).abs();
                let better = match &best {
                    None => true,
                    Some((d, dd, bx, _)) => (delta, doubt, x) < (*d, *dd, bx),
                };
                if better {
                    best = Some((delta, doubt, x.clone(), to));
                }
            }
        }
        let Some((delta, _, x, to)) = best else { break };
        if delta > Decimal::ZERO {
            // No move helps: stop; what is left stays visible in the audit.
            break;
        }
        *moves.entry(x.clone()).or_insert(0) += 1;
        let step = to - vars[&x].value;
        for j in &by_var[&x] {
            let k: i32 = constraints[*j].iter().filter(|(y, _)| *y == x).map(|(_, k)| *k).sum();
            res[*j] += step * Decimal::from(k);
        }
        if let Some(v) = vars.get_mut(&x) {
            v.value = to;
        }
    }
    let mut out = Vec::new();
    for t in dep.tables.values_mut() {
        for r in &mut t.rows {
            for a in r.cells.values_mut() {
                if let Some(v) = vars.get(&a.at) {
                    a.value = (v.value / hundred).normalize();
                    if v.value != v.naive {
                        out.push(Adjustment {
                            table: v.place.0,
                            row: v.place.1.clone(),
                            column: v.place.2.clone(),
                            at: a.at.clone(),
                            naive: (v.naive / hundred).normalize(),
                            written: a.value,
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consolidate::Accumulator;
    use crate::model::RowKey;

    /// Three 项 of 50 元 each: naive rounding to 万元 gives 0.01 + 0.01 + 0.01
    /// under a 款 of 150 元 = 0.02 万元. Balanced, the totals are the sums.
    #[test]
    fn three_half_cent_items_come_out_balanced() {
        let t = crate::template::Templates::embedded();
        let s: serde_json::Value =
            serde_json::from_str(include_str!("../../samples/src/seed_tables.json")).unwrap();
        let mut d = crate::samples::seed_department(&s["000"], &t.layouts, true);
        d.convert_unit(Unit::Yuan);
        let t2 = d.tables.get_mut(&2).unwrap();
        let template = t2.rows.iter().find(|r| r.key == RowKey::Code("2060101".into())).unwrap().clone();
        t2.rows.retain(|r| r.key == RowKey::Label("合计".into()));
        let mk = |code: &str, v: i64| {
            let mut r = template.clone();
            r.key = RowKey::Code(code.into());
            for (c, a) in &mut r.cells {
                a.value = if c == "本年收入合计" || c == "财政拨款收入" {
                    Decimal::from(v)
                } else {
                    Decimal::ZERO
                };
            }
            r
        };
        t2.rows =
            vec![mk("206", 150), mk("20601", 150), mk("2060101", 50), mk("2060102", 50), mk("2060199", 50)];
        let mut total = mk("206", 150);
        total.key = RowKey::Label("合计".into());
        t2.rows.insert(0, total);
        let mut acc = Accumulator::default();
        acc.add(&d);
        let mut sum = acc.department("测试县", &t.layouts);
        let adj = round_and_balance(&mut sum, Unit::WanYuan, &t.rules, &t.layouts, &t.messages);
        let t2 = sum.table(2).unwrap();
        let v = |k: RowKey| t2.rows.iter().find(|r| r.key == k).unwrap().cells["本年收入合计"].value;
        let items: Decimal =
            ["2060101", "2060102", "2060199"].iter().map(|c| v(RowKey::Code((*c).into()))).sum();
        assert_eq!(v(RowKey::Code("20601".into())), items, "款 = Σ项 after balance");
        assert_eq!(v(RowKey::Code("206".into())), items);
        assert_eq!(v(RowKey::Label("合计".into())), items);
        // Every amount stays within a cent of its exact value (0.015 here).
        assert!((items - Decimal::new(15, 3)).abs() <= Decimal::new(1, 2), "{items}");
        assert!(!adj.is_empty(), "naive rounding (0.01 × 3 vs 0.02) had to be balanced");
        // No within-table rule of T2 is broken, not even by rounding.
        let f = crate::rules::eval::evaluate(&t.rules, &sum, &t.layouts, &t.messages);
        assert!(f.iter().all(|x| !x.rule.starts_with("R7-T02") && !x.rule.starts_with("R3")), "{f:?}");
    }
}
