//! 冲抵 between the units a units file pairs (`--units`, see `units`).
//!
//! A 下属 paired with its 主管 brings both sides of their flows, taken from
//! the 下属's own tables (amounts in 元): its 上级补助收入 (T2 by row, T1) is
//! removed from its income and, row by row, from the 主管's 对附属单位补助支出
//! (T3, and the T1 支出 classes and totals); its 上缴上级支出 (T3) from its
//! expenditure and from the 主管's 附属单位上缴收入 (T2, T1). The removals are
//! applied in a node only when the node holds both units, so only flows
//! between paired units are offset, whichever order the files are read in.
//! Income and expenditure lose the same amounts, so 收入总计 = 支出总计 holds
//! after offsetting exactly when it held before. What the 主管 reported
//! beyond its paired 下属 (a 下属 not in the batch or not paired) stays in the
//! sums and is named in a finding, as is a 下属 whose 主管 is not in the node.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::Accumulator;
use crate::config::Templates;
use crate::finding::{Finding, Severity};
use crate::model::{Department, RowKey, Unit};
use crate::outcome::{OffsetRow, Role};
use crate::rules::eval::fmt;
use crate::template::consolidation::Spec;

/// One amount to add to a node's sums (negative: removed), in 元.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delta {
    pub table: u8,
    pub side: Option<String>,
    pub key: RowKey,
    pub label: String,
    pub column: String,
    pub value: Decimal,
}

/// A 主管 as summed in a node: what it reported giving and receiving (元).
#[derive(Clone, Debug)]
pub struct Supervisor {
    pub path: String,
    pub department: Option<String>,
    /// 对附属单位补助支出 (T3 合计).
    pub grants: Decimal,
    /// 附属单位上缴收入 (T1, else T2 合计).
    pub received: Decimal,
}

/// A paired 下属: its flows and the removals on both sides (元).
#[derive(Clone, Debug)]
pub struct Subordinate {
    pub path: String,
    pub department: Option<String>,
    pub parent: String,
    /// 上级补助收入.
    pub receipts: Decimal,
    /// 上缴上级支出.
    pub remits: Decimal,
    pub deltas: Vec<Delta>,
}

/// The units-file 冲抵 state of one node.
#[derive(Clone, Debug, Default)]
pub struct NodePairs {
    /// 单位代码 of every unit summed in the node.
    codes: BTreeSet<String>,
    supervisors: BTreeMap<String, Supervisor>,
    subordinates: Vec<Subordinate>,
}

fn factor(dep: &Department, no: u8) -> Decimal {
    dep.table(no).and_then(|t| t.unit).or(dep.unit).unwrap_or_default().factor_to(Unit::Yuan)
}

fn cell(dep: &Department, no: u8, key: &str, side: Option<&str>, col: &str) -> Decimal {
    dep.table(no)
        .and_then(|t| t.row(&RowKey::Label(key.into()), side))
        .and_then(|r| r.get(col))
        .map_or(Decimal::ZERO, |a| a.value * factor(dep, no))
}

/// The 主管's own flows, for the findings about what was not paired.
pub fn supervisor(dep: &Department, path: &str, spec: &Spec) -> Supervisor {
    let (fl, t) = (&spec.offset.supervisor, &spec.offset.totals);
    let t1 = cell(dep, 1, &fl.income, Some(&t.income_side), &t.column);
    Supervisor {
        path: path.to_string(),
        department: dep.department.clone(),
        grants: cell(dep, 3, &t.row, None, &fl.expenditure),
        received: if t1.is_zero() { cell(dep, 2, &t.row, None, &fl.income) } else { t1 },
    }
}

/// A paired 下属 and the removals its flows make on both sides.
pub fn subordinate(dep: &Department, path: &str, parent: &str, spec: &Spec) -> Subordinate {
    let (sub, sup, t) = (&spec.offset.subordinate, &spec.offset.supervisor, &spec.offset.totals);
    let mut deltas = Vec::new();
    let mut push = |table: u8, side: Option<&str>, key: &RowKey, label: &str, column: &str, v: Decimal| {
        deltas.push(Delta {
            table,
            side: side.map(String::from),
            key: key.clone(),
            label: label.to_string(),
            column: column.to_string(),
            value: -v,
        });
    };
    let label = |s: &str| RowKey::Label(s.into());
    // (table the 下属's flow is in, its column, row total there; the 主管's
    // table, column, row total).
    let flows = [
        (2, sub.income.as_str(), t.income.as_str(), 3, sup.expenditure.as_str(), t.expenditure.as_str()),
        (3, sub.expenditure.as_str(), t.expenditure.as_str(), 2, sup.income.as_str(), t.income.as_str()),
    ];
    let mut totals = [Decimal::ZERO; 2];
    for (i, (no, col, total, sup_no, sup_col, sup_total)) in flows.into_iter().enumerate() {
        let f = factor(dep, no);
        for r in dep.table(no).map(|t| t.rows.as_slice()).unwrap_or_default() {
            let v = r.get(col).map_or(Decimal::ZERO, |a| a.value * f);
            if v.is_zero() {
                continue;
            }
            let s = r.side.as_deref();
            push(no, s, &r.key, &r.label, col, v);
            push(no, s, &r.key, &r.label, total, v);
            push(sup_no, s, &r.key, &r.label, sup_col, v);
            push(sup_no, s, &r.key, &r.label, sup_total, v);
            match &r.key {
                RowKey::Label(l) if *l == t.row => totals[i] = v,
                // T1 支出 lists the classes (类) of expenditure: the 下属's for
                // its remittances, the 主管's for its grants.
                RowKey::Code(c) if c.len() == 3 => {
                    push(1, Some(&t.expenditure_side), &r.key, &r.label, &t.column, v)
                }
                _ => {}
            }
        }
    }
    // T1 as `offset::strip` reads it: the 收入 row when filled, else T2's 合计.
    let t1 = cell(dep, 1, &sub.income, Some(&t.income_side), &t.column);
    let (receipts, remits) = (if t1.is_zero() { totals[0] } else { t1 }, totals[1]);
    // T1: the 下属's income row (receipts) or the 主管's (remittances) with the
    // income totals, and the expenditure totals, each by the same amount.
    for (row, v) in [(sub.income.as_str(), receipts), (sup.income.as_str(), remits)] {
        if v.is_zero() {
            continue;
        }
        let (inc, exp) = (t.income_side.as_str(), t.expenditure_side.as_str());
        for (side, k) in [
            (inc, row),
            (inc, t.income.as_str()),
            (inc, t.income_grand.as_str()),
            (exp, t.expenditure.as_str()),
            (exp, t.expenditure_grand.as_str()),
        ] {
            push(1, Some(side), &label(k), k, &t.column, v);
        }
    }
    Subordinate {
        path: path.to_string(),
        department: dep.department.clone(),
        parent: parent.to_string(),
        receipts,
        remits,
        deltas,
    }
}

impl NodePairs {
    /// A unit summed in this node (its code, and its role's record).
    pub fn add(&mut self, code: &str, sup: Option<&Supervisor>, sub: Option<&Subordinate>) {
        self.codes.insert(code.to_string());
        if let Some(s) = sup {
            self.supervisors.insert(code.to_string(), s.clone());
        }
        self.subordinates.extend(sub.cloned());
    }

    /// Applies the removals of every 下属 whose 主管 is in this node; returns
    /// the offset rows (for 冲抵调整), the totals, and the findings on what
    /// stays (amounts in `unit`).
    pub fn settle(
        &self,
        acc: &mut Accumulator,
        unit: Unit,
        t: &Templates,
    ) -> (Vec<OffsetRow>, super::node::Offsets, Vec<Finding>) {
        let spec = &t.consolidate;
        let msg = &t.messages;
        let show = |v: Decimal| fmt((v * Unit::Yuan.factor_to(unit)).normalize());
        let mut rows = Vec::new();
        let mut offsets = super::node::Offsets::default();
        let mut findings = Vec::new();
        let mut paired: BTreeMap<&str, (Decimal, Decimal)> = BTreeMap::new();
        for s in &self.subordinates {
            if !self.supervisors.contains_key(&s.parent) {
                let name = s.department.clone().unwrap_or_else(|| s.path.clone());
                findings.push(Finding::new(
                    "offset-unmatched",
                    Severity::Warning,
                    msg.text(
                        "units.supervisor_absent",
                        &[
                            ("name", &name),
                            ("parent", &s.parent),
                            ("receipts", &show(s.receipts)),
                            ("remits", &show(s.remits)),
                        ],
                    ),
                ));
                continue;
            }
            for d in &s.deltas {
                acc.adjust(d);
            }
            let e = paired.entry(s.parent.as_str()).or_default();
            (e.0, e.1) = (e.0 + s.receipts, e.1 + s.remits);
            offsets.receipts += s.receipts;
            offsets.remits += s.remits;
            rows.push(OffsetRow {
                path: s.path.clone(),
                department: s.department.clone(),
                role: Role::Subordinate,
                income: (spec.offset.subordinate.income.clone(), s.receipts),
                expenditure: (spec.offset.subordinate.expenditure.clone(), s.remits),
            });
        }
        for (code, (receipts, remits)) in paired {
            let Some(sup) = self.supervisors.get(code) else { continue };
            offsets.grants += receipts;
            offsets.received += remits;
            rows.push(OffsetRow {
                path: sup.path.clone(),
                department: sup.department.clone(),
                role: Role::Supervisor,
                income: (spec.offset.supervisor.income.clone(), remits),
                expenditure: (spec.offset.supervisor.expenditure.clone(), receipts),
            });
            if sup.grants != receipts || sup.received != remits {
                let name = sup.department.clone().unwrap_or_else(|| sup.path.clone());
                findings.push(Finding::new(
                    "offset-internal-mismatch",
                    Severity::Warning,
                    msg.text(
                        "units.supervisor_rest",
                        &[
                            ("name", &name),
                            ("code", &code.to_string()),
                            ("grants", &show(sup.grants)),
                            ("receipts", &show(receipts)),
                            ("grants_rest", &show(sup.grants - receipts)),
                            ("received", &show(sup.received)),
                            ("remits", &show(remits)),
                            ("received_rest", &show(sup.received - remits)),
                        ],
                    ),
                ));
            }
        }
        (rows, offsets, findings)
    }
}
