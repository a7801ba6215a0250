//! Every rule has a passing and a failing fixture.
//!
//! Fixtures are departments: the two seed departments in their exact variant
//! (every equality holds), plus extended copies carrying the optional columns
//! and non-empty fund tables that conditional rules need. A failing fixture is
//! found by changing one amount (by +100 万元 or to a large negative) until the
//! rule reports at its own severity a finding that points at the changed cell.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use juesuan::config::Templates;
use juesuan::finding::Severity;
use juesuan::location::CellRef;
use juesuan::model::{Amount, Column, Department, Row, RowKey};
use juesuan::rules::eval::evaluate_rule;
use juesuan::rules::{Kind, Rule};
use rust_decimal::Decimal;

fn seeds() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/src/seed_tables.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn cell(n: u32) -> CellRef {
    CellRef::new(Arc::from("fixture"), Arc::from("extra"), n, 0)
}

fn add_column(dep: &mut Department, table: u8, id: &str, value: impl Fn(&Row) -> Decimal) {
    let t = dep.tables.get_mut(&table).unwrap();
    t.columns.push(Column { id: id.into(), path: id.into(), side: None, col: 90, known: true });
    for (i, r) in t.rows.iter_mut().enumerate() {
        let v = value(r);
        r.cells.insert(id.into(), Amount { value: v, at: cell(1000 + i as u32) });
    }
}

/// A balanced code row and 合计 in T10 or T11 (and the matching T4 fund figures).
fn fund_table(dep: &mut Department, table: u8, fund: &str) {
    let vals: BTreeMap<&str, Decimal> = [
        ("年初结转和结余", Decimal::ONE),
        ("本年收入", Decimal::from(2)),
        ("本年支出合计", Decimal::from(2)),
        ("基本支出", Decimal::ZERO),
        ("项目支出", Decimal::from(2)),
        ("年末结转和结余", Decimal::ONE),
    ]
    .into();
    let t = dep.tables.get_mut(&table).unwrap();
    t.note = None;
    for r in &mut t.rows {
        for (k, a) in r.cells.iter_mut() {
            a.value = vals[k.as_str()];
        }
    }
    // A 类 and its 款, so the hierarchy rules have something to compare.
    for (i, code) in ["229", "22960"].iter().enumerate() {
        let mut row = t.rows[0].clone();
        row.key = RowKey::Code((*code).into());
        row.label = (*code).into();
        for a in row.cells.values_mut() {
            a.at.row += 500 + i as u32;
        }
        t.rows.push(row);
    }
    if table == 11 {
        let t12 = dep.tables.get_mut(&12).unwrap();
        t12.note = None;
        let two: BTreeMap<&str, Decimal> =
            [("合计", Decimal::from(2)), ("基本支出", Decimal::ZERO), ("项目支出", Decimal::from(2))].into();
        for r in &mut t12.rows {
            for (k, a) in r.cells.iter_mut() {
                a.value = two[k.as_str()];
            }
        }
        for (i, code) in ["229", "22960"].iter().enumerate() {
            let mut row = t12.rows[0].clone();
            row.key = RowKey::Code((*code).into());
            for a in row.cells.values_mut() {
                a.at.row += 500 + i as u32;
            }
            t12.rows.push(row);
        }
    }
    let t4 = dep.tables.get_mut(&4).unwrap();
    for r in &mut t4.rows {
        let id = r.key.as_str().to_string();
        let set = |r: &mut Row, col: &str, v: Decimal| {
            if let Some(a) = r.cells.get_mut(col) {
                a.value += v;
            }
        };
        match id.as_str() {
            "本年支出合计" | "支出总计" => {
                set(r, fund, Decimal::from(2) + if id == "支出总计" { Decimal::ONE } else { Decimal::ZERO });
                set(
                    r,
                    "合计",
                    Decimal::from(2) + if id == "支出总计" { Decimal::ONE } else { Decimal::ZERO },
                );
            }
            "年末财政拨款结转和结余" => {
                set(r, fund, Decimal::ONE);
                set(r, "合计", Decimal::ONE);
            }
            _ => {}
        }
    }
}

fn bases(t: &Templates) -> Vec<(&'static str, Department)> {
    let s = seeds();
    let a = juesuan::samples::seed_department(&s["000"], &t.layouts, true);
    let b = juesuan::samples::seed_department(&s["002"], &t.layouts, true);
    let mut ext = a.clone();
    add_column(&mut ext, 2, "教育收费", |_| Decimal::ZERO);
    add_column(&mut ext, 2, "一般公共预算财政拨款", |r| r.get("财政拨款收入").unwrap().value);
    add_column(&mut ext, 2, "政府性基金预算财政拨款", |_| Decimal::ZERO);
    add_column(&mut ext, 2, "国有资本经营预算财政拨款", |_| Decimal::ZERO);
    add_column(&mut ext, 3, "人员经费", |r| r.get("基本支出").unwrap().value);
    add_column(&mut ext, 3, "公用经费", |_| Decimal::ZERO);
    add_column(&mut ext, 5, "基本支出", |r| r.get("合计").unwrap().value);
    add_column(&mut ext, 5, "人员经费", |r| r.get("合计").unwrap().value);
    add_column(&mut ext, 5, "公用经费", |_| Decimal::ZERO);
    add_column(&mut ext, 5, "项目支出", |_| Decimal::ZERO);
    let mut fund = a.clone();
    fund_table(&mut fund, 10, "政府性基金预算财政拨款");
    let mut soe = a.clone();
    fund_table(&mut soe, 11, "国有资本经营预算财政拨款");
    vec![("000", a), ("002", b), ("extended", ext), ("fund", fund), ("soe", soe)]
}

/// The message of the rule's finding at its own severity (on cell `at`), if it fires.
fn fired(rule: &Rule, dep: &Department, t: &Templates, at: Option<&CellRef>) -> Option<String> {
    let (_, f) = evaluate_rule(rule, dep, &t.layouts, &t.messages);
    f.into_iter()
        .find(|x| x.rule == rule.id && x.severity == rule.severity && at.is_none_or(|c| x.cells.contains(c)))
        .map(|x| x.message)
}

fn fires(rule: &Rule, dep: &Department, t: &Templates, at: Option<&CellRef>) -> bool {
    fired(rule, dep, t, at).is_some()
}

/// With `JUESUAN_RULE_EXAMPLES=FILE`, the failing fixtures' messages are
/// appended to FILE as `id<TAB>message`: the source of each rule's `example`.
fn record_example(id: &str, message: &str) {
    if let Ok(path) = std::env::var("JUESUAN_RULE_EXAMPLES") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        writeln!(f, "{id}\t{message}").unwrap();
    }
}

/// Tries single-amount changes in the rule's tables until the rule fires on that cell.
fn failing_by_mutation(rule: &Rule, dep: &Department, t: &Templates) -> Option<String> {
    let mut d = dep.clone();
    let nos: Vec<u8> = rule.tables.clone();
    for no in nos {
        let Some(n_rows) = d.tables.get(&no).map(|t| t.rows.len()) else { continue };
        for ri in 0..n_rows {
            let cols: Vec<String> = d.tables[&no].rows[ri].cells.keys().cloned().collect();
            for c in cols {
                for delta in [Decimal::from(100), Decimal::from(-100_000)] {
                    let a = d.tables.get_mut(&no).unwrap().rows[ri].cells.get_mut(&c).unwrap();
                    let (old, at) = (a.value, a.at.clone());
                    a.value += delta;
                    let hit = fired(rule, &d, t, Some(&at));
                    d.tables.get_mut(&no).unwrap().rows[ri].cells.get_mut(&c).unwrap().value = old;
                    if hit.is_some() {
                        return hit;
                    }
                }
            }
        }
    }
    None
}

/// The consistency (X17) and empty-table (X18) checks carry their rule's
/// `explainable` flag like the compared ones: an error a 说明 may not waive.
#[test]
fn consistency_and_empty_table_findings_keep_their_rules_explainable_flag() {
    let t = Templates::embedded();
    let mut d = bases(&t)[0].1.clone();
    d.tables.get_mut(&6).unwrap().year = Some(2023);
    d.tables.get_mut(&10).unwrap().note = None;
    let mut seen = 0;
    for rule in t.rules.rules.iter().filter(|r| matches!(r.kind, Kind::Consistency | Kind::EmptyNote)) {
        let (_, found) = evaluate_rule(rule, &d, &t.layouts, &t.messages);
        for f in found.iter().filter(|f| f.rule == rule.id) {
            assert_eq!(f.unexplainable, !rule.explainable, "{}: {f:?}", rule.id);
            seen += 1;
        }
    }
    assert!(seen >= 2, "X17 and an X18 rule should fire: {seen}");
}

#[test]
fn every_rule_has_a_passing_and_a_failing_fixture() {
    let t = Templates::embedded();
    let bases = bases(&t);
    let mut problems = Vec::new();
    for rule in &t.rules.rules {
        assert!(!rule.why.trim().is_empty(), "{} has no why", rule.id);
        if rule.reads_prior() {
            continue; // fixtures with last year's accounts: tests/prior.rs
        }
        if rule.kind == Kind::Narrative {
            // 决算说明 rules have text fixtures: tests/narrative.rs.
            continue;
        }
        let pass = bases.iter().find(|(_, d)| {
            let (applied, f) = evaluate_rule(rule, d, &t.layouts, &t.messages);
            applied && f.iter().all(|x| x.rule != rule.id)
        });
        if pass.is_none() {
            problems.push(format!("{}: no passing fixture", rule.id));
        }
        let fail = match rule.kind {
            Kind::Compare | Kind::Change => bases.iter().find_map(|(_, d)| failing_by_mutation(rule, d, &t)),
            Kind::Consistency => {
                let mut d = bases[0].1.clone();
                d.tables.get_mut(&6).unwrap().year = Some(2023);
                fired(rule, &d, &t, None)
            }
            Kind::EmptyNote => {
                let mut d = bases[0].1.clone();
                d.tables.get_mut(&10).unwrap().note = None;
                fired(rule, &d, &t, None)
            }
            Kind::Narrative => None,
        };
        match fail {
            Some(m) => record_example(&rule.id, &m),
            None => problems.push(format!("{}: no failing fixture", rule.id)),
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn rounding_differences_are_info_and_larger_ones_errors() {
    let t = Templates::embedded();
    let d = &bases(&t)[0].1;
    let rule = t.rules.get("X1").unwrap();
    let mut d = d.clone();
    let a = d.tables.get_mut(&2).unwrap().row_by_label("合计").map(|r| r.key.clone()).unwrap();
    let set = |d: &mut Department, delta: &str| {
        let t2 = d.tables.get_mut(&2).unwrap();
        let row = t2.rows.iter_mut().find(|r| r.key == a).unwrap();
        row.cells.get_mut("本年收入合计").unwrap().value += delta.parse::<Decimal>().unwrap();
    };
    set(&mut d, "0.01");
    let (_, f) = evaluate_rule(rule, &d, &t.layouts, &t.messages);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info);
    assert!(f[0].message.contains("取整误差"), "{}", f[0].message);
    let v = f[0].values.as_ref().unwrap();
    assert_eq!(v.tolerance, "0.010".parse().unwrap());
    assert_eq!(f[0].cells.len(), 2, "both compared cells");
    set(&mut d, "0.01");
    let (_, f) = evaluate_rule(rule, &d, &t.layouts, &t.messages);
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].values.as_ref().unwrap().difference, "-0.02".parse().unwrap());
}

#[test]
fn yuan_departments_have_no_rounding_envelope() {
    let t = Templates::embedded();
    let mut d = bases(&t)[0].1.clone();
    d.convert_unit(juesuan::model::Unit::Yuan);
    // Figures as read from a 元 workbook (a conversion would keep the 万元 envelope).
    d.precision = None;
    let rule = t.rules.get("X1").unwrap();
    let t2 = d.tables.get_mut(&2).unwrap();
    t2.rows[0].cells.get_mut("本年收入合计").unwrap().value += Decimal::ONE;
    let (_, f) = evaluate_rule(rule, &d, &t.layouts, &t.messages);
    assert_eq!(f[0].severity, Severity::Error);
}

#[test]
fn a_missing_table_is_insufficient_data_not_a_pass_or_a_false_error() {
    let t = Templates::embedded();
    let mut d = bases(&t)[0].1.clone();
    d.tables.remove(&9);
    let rule = t.rules.get("X9").unwrap();
    let (applied, f) = evaluate_rule(rule, &d, &t.layouts, &t.messages);
    assert!(!applied);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message.contains("数据不足") && f[0].message.contains("一般公共预算财政拨款项目支出决算表"),
        "{}",
        f[0].message
    );
    // No amount to point at: the finding points at the titles of the tables it read.
    let present: Vec<_> =
        rule.tables.iter().filter_map(|n| d.table(*n)).map(|t| t.title_at.clone()).collect();
    assert!(!present.is_empty());
    assert_eq!(f[0].cells, present);
    assert!(f[0].place.table.is_some() && f[0].place.table == rule.tables.first().copied());
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let t = Templates::embedded();
    let scoring = &t.scoring;
    let fresh = juesuan::rules::docs::markdown(&t.rules, &t.layouts, &t.findings, &scoring.rules);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(fresh == kept, "docs/rules.md is stale: run `cargo run -- rules --markdown > docs/rules.md`");
}

#[test]
fn an_undecidable_condition_is_insufficient_data_not_a_skip() {
    let t = Templates::embedded();
    let mut d = bases(&t)[0].1.clone();
    // Without T10 nobody can tell whether 三公 may include fund spending:
    // neither the equality (X16a) nor the inequality (X16e) may stay silent.
    d.tables.remove(&10);
    for id in ["X16a", "X16e"] {
        let rule = t.rules.get(id).unwrap();
        let (applied, f) = evaluate_rule(rule, &d, &t.layouts, &t.messages);
        assert!(!applied, "{id}");
        assert_eq!(f.len(), 1, "{id}: {f:?}");
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].message.contains("政府性基金预算财政拨款收入支出决算表"), "{}", f[0].message);
    }
    // T11 with data decides `nonempty(T10, T11)` even without T10.
    let mut soe = bases(&t).into_iter().find(|(k, _)| *k == "soe").unwrap().1;
    soe.tables.remove(&10);
    let (applied, f) = evaluate_rule(t.rules.get("X16e").unwrap(), &soe, &t.layouts, &t.messages);
    assert!(applied && f.is_empty(), "{f:?}");
    // X18a decides by a T4 cell; without T4 it says so.
    let mut d = bases(&t)[0].1.clone();
    d.tables.remove(&4);
    let (_, f) = evaluate_rule(t.rules.get("X18a").unwrap(), &d, &t.layouts, &t.messages);
    assert!(f.len() == 1 && f[0].severity == Severity::Info, "{f:?}");
}

#[test]
fn three_public_items_are_compared_one_by_one_when_fund_tables_have_data() {
    let t = Templates::embedded();
    let fund = bases(&t).into_iter().find(|(k, _)| *k == "fund").unwrap().1;
    // Move 0.5 万元 of 公务接待费 to 因公出国（境）费 in T13: the total is
    // unchanged, but 公务接待费 falls below 30217.
    let mut d = fund.clone();
    let half = Decimal::new(5, 1);
    let row = &mut d.tables.get_mut(&13).unwrap().rows[0];
    assert!(row.cells["决算数/公务接待费"].value >= half, "the seed has reception spending");
    row.cells.get_mut("决算数/公务接待费").unwrap().value -= half;
    row.cells.get_mut("决算数/因公出国（境）费").unwrap().value += half;
    let (applied, f) = evaluate_rule(t.rules.get("X16f").unwrap(), &d, &t.layouts, &t.messages);
    assert!(applied);
    assert!(f.iter().any(|x| x.severity == Severity::Error), "{f:?}");
}

/// A fixed (label) row or a column the rule names but the table lacks is
/// insufficient data naming what is missing, never read as zero; only an
/// absent code row counts as zero (mutation check: `eval_ref`'s guards).
#[test]
fn a_missing_fixed_row_or_unknown_column_is_insufficient_data_not_zero() {
    let t = Templates::embedded();
    let base = bases(&t)[0].1.clone();
    let only_info = |id: &str, d: &Department, missing: &str| {
        let (applied, f) = evaluate_rule(t.rules.get(id).unwrap(), d, &t.layouts, &t.messages);
        assert!(f.iter().all(|x| x.severity == Severity::Info), "{id}: {f:?}");
        assert!(
            f.iter().any(|x| x.message.contains("数据不足") && x.message.contains(missing)),
            "{id}: {f:?}"
        );
        applied
    };
    // X1 names T2's 合计 row in a row list.
    let mut d = base.clone();
    d.tables.get_mut(&2).unwrap().rows.retain(|r| r.key != RowKey::Label("合计".into()));
    assert!(!only_info("X1", &d, "没有“合计”行"));
    // X15b iterates T6's rows and reads the same row of T3 (`T3[*]`).
    let mut d = base.clone();
    d.tables.get_mut(&3).unwrap().rows.retain(|r| r.key != RowKey::Label("合计".into()));
    only_info("X15b", &d, "没有“合计”行");
    // A column the reader did not recognise is not there for the rules.
    let mut d = base.clone();
    for c in &mut d.tables.get_mut(&2).unwrap().columns {
        if c.id == "本年收入合计" {
            c.known = false;
        }
    }
    assert!(!only_info("X1", &d, "没有“本年收入合计”栏"));
}

/// A finding names up to three rows of a sum one by one and summarises more
/// (`… 等 8 行之和`), so the message stays one line (mutation check: the `> 3`).
#[test]
fn a_sum_of_up_to_three_rows_is_named_row_by_row() {
    let t = Templates::embedded();
    let base = bases(&t)[0].1.clone();
    let bump = |d: &mut Department, table: u8, side: Option<&str>, row: &str, col: &str| {
        let r = d.tables.get_mut(&table).unwrap().rows.iter_mut();
        let mut r = r.filter(|r| side.is_none_or(|s| r.side.as_deref() == Some(s)));
        let r = r.find(|r| r.key == RowKey::Label(row.into())).unwrap();
        r.cells.get_mut(col).unwrap().value += Decimal::from(100);
    };
    let message = |id: &str, d: &Department| {
        let (_, f) = evaluate_rule(t.rules.get(id).unwrap(), d, &t.layouts, &t.messages);
        let e: Vec<_> = f.iter().filter(|x| x.severity == Severity::Error).collect();
        assert_eq!(e.len(), 1, "{id}: {f:?}");
        e[0].message.clone()
    };
    let mut d = base.clone();
    bump(&mut d, 2, None, "合计", "财政拨款收入");
    let m = message("X3a", &d);
    assert!(
        m.contains("一般公共预算财政拨款收入、政府性基金预算财政拨款收入、国有资本经营预算财政拨款收入")
            && !m.contains("等 3 行"),
        "{m}"
    );
    let mut d = base.clone();
    bump(&mut d, 1, Some("收入"), "本年收入合计", "决算数");
    let m = message("R1", &d);
    assert!(m.contains("等 8 行之和"), "{m}");
}

/// `+ 0` and `− 0` leave a sum as it is (a bare number may only be 0), and an
/// amount with its unit adds or subtracts in the tables' unit (mutation check:
/// `eval_sum`'s number and amount arms).
#[test]
fn number_and_amount_terms_add_and_subtract() {
    let t = Templates::embedded();
    let mut d = bases(&t)[0].1.clone();
    let mut rule = t.rules.get("X1").unwrap().clone();
    rule.check = Some(
        juesuan::rules::expr::parse("T1.收入[本年收入合计].决算数 + 0 = T2[合计].本年收入合计 - 0").unwrap(),
    );
    let (applied, f) = evaluate_rule(&rule, &d, &t.layouts, &t.messages);
    assert!(applied && f.is_empty(), "{f:?}");
    let t2 = d.tables.get_mut(&2).unwrap();
    let row = t2.rows.iter_mut().find(|r| r.key == RowKey::Label("合计".into())).unwrap();
    row.cells.get_mut("本年收入合计").unwrap().value += Decimal::from(100);
    assert!(fires(&rule, &d, &t, None));
    // An amount added then taken away (in two units) leaves the sum as it was.
    let d = bases(&t)[0].1.clone();
    rule.check = Some(
        juesuan::rules::expr::parse("T2[合计].本年收入合计 = T1.收入[本年收入合计].决算数 + 1万元 - 10000元")
            .unwrap(),
    );
    let (applied, f) = evaluate_rule(&rule, &d, &t.layouts, &t.messages);
    assert!(applied && f.is_empty(), "{f:?}");
}

/// A referenced amount subtracts, and enters the rounding balance's equalities
/// with coefficient −1; a message names a table and row once for terms in it,
/// and the right side does not repeat the table the left side named (mutation
/// check: `eval_sum`'s reference arm, `compare`'s message).
#[test]
fn a_subtracted_reference_counts_negatively() {
    let t = Templates::embedded();
    let d = bases(&t)[0].1.clone();
    let mut rule = t.rules.get("X1").unwrap().clone();
    rule.check = Some(
        juesuan::rules::expr::parse("T2[合计].本年收入合计 - T1.收入[本年收入合计].决算数 = 0").unwrap(),
    );
    let (applied, f) = evaluate_rule(&rule, &d, &t.layouts, &t.messages);
    assert!(applied && f.is_empty(), "{f:?}");
    let cell = |no: u8, side: Option<&str>, row: &str, col: &str| {
        let t = d.table(no).unwrap();
        t.row(&RowKey::Label(row.into()), side).unwrap().get(col).unwrap().at.clone()
    };
    let rules = juesuan::rules::RuleSet { rules: vec![rule], disabled: Vec::new() };
    let eqs = juesuan::rules::eval::equalities(&rules, &d, &t.layouts, &t.messages);
    assert_eq!(
        eqs,
        vec![vec![
            (cell(2, None, "合计", "本年收入合计"), 1),
            (cell(1, Some("收入"), "本年收入合计", "决算数"), -1)
        ]]
    );
    // R5: T6[*].合计 = T6[*].基本支出 + T6[*].项目支出, one prefix for both terms.
    let mut d = d.clone();
    let t6 = d.tables.get_mut(&6).unwrap();
    let row = t6.rows.iter_mut().find(|r| r.key == RowKey::Label("合计".into())).unwrap();
    row.cells.get_mut("合计").unwrap().value += Decimal::from(100);
    let (_, f) = evaluate_rule(t.rules.get("R5").unwrap(), &d, &t.layouts, &t.messages);
    let m = &f.iter().find(|x| x.severity == Severity::Error).unwrap().message;
    // … and the right side does not name the table the left side just named.
    assert!(m.contains("，「合计」基本支出 + 项目支出为"), "{m}");
}

/// An all-zero table without its note is reported against that table.
#[test]
fn an_empty_table_without_a_note_names_the_table() {
    let t = Templates::embedded();
    let rule = t.rules.rules.iter().find(|r| r.kind == Kind::EmptyNote).unwrap();
    let mut d = bases(&t)[0].1.clone();
    d.tables.get_mut(&10).unwrap().note = None;
    let (_, f) = evaluate_rule(rule, &d, &t.layouts, &t.messages);
    assert!(!f.is_empty() && f.iter().all(|x| x.place.table == Some(10)), "{f:?}");
}
