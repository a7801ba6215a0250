//! Last year's accounts (`--prior`, issue 11): the P rules (a passing and a
//! failing fixture each), matching by 编制单位 and by relative path,
//! `prior-missing`, a province's own prior rule, the `上年对比` sheet, and
//! explanations that stay honest (stale when amounts change; not waiving a
//! rule that is not explainable).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::path::{Path, PathBuf};

use juesuan::config::Templates;
use juesuan::finding::Severity;
use juesuan::model::{Department, Unit};
use juesuan::report::standard::Style;
use juesuan::rules::eval::{PriorYear, evaluate_rule_with_prior};
use juesuan::rules::{Kind, Rule};
use rust_decimal::Decimal;

mod support;
use support::{bin, json, root, seed, text, write};

const NOW: &str = "samples/county/某市";
const THEN: &str = "samples/county-2023/某市";

fn p_findings(j: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for f in j["files"].as_array().unwrap() {
        for x in f["findings"].as_array().unwrap() {
            let rule = x["rule"].as_str().unwrap();
            if rule.starts_with('P') || rule == "prior-missing" {
                out.push((f["path"].as_str().unwrap().to_string(), x.clone()));
            }
        }
    }
    out
}

/// The issue's acceptance run: exactly the documented carry-over mismatch of
/// 甲县科学技术协会 (P1 and P2a, each citing this year's 年初 cell and last
/// year's 年末 cell with its file) and the doubling of 乙县卫生健康局 (P4
/// warnings with both figures and the rate). Nothing else starting with P.
#[test]
fn county_against_2023_reports_exactly_the_documented_changes() {
    let o = bin().current_dir(root()).args(["check", NOW, "--prior", THEN, "--json", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let found = p_findings(&json(&o));
    let mut errors = Vec::new();
    for (path, x) in &found {
        let rule = x["rule"].as_str().unwrap();
        match x["severity"].as_str().unwrap() {
            "error" => {
                assert!(path.ends_with("甲县科学技术协会（虚构）.xlsx"), "{path}: {x}");
                errors.push(rule.to_string());
                let cells = x["cells"].as_array().unwrap();
                assert_eq!(cells.len(), 2, "{x}");
                assert!(cells[0].get("file").is_none(), "this year's cell: {x}");
                assert_eq!(
                    cells[1]["file"].as_str().unwrap(),
                    format!("{THEN}/甲县/甲县科学技术协会（虚构）.xlsx"),
                    "last year's cell names its file"
                );
                assert_eq!((x["expected"].as_str(), x["actual"].as_str()), (Some("12.34"), Some("0")));
            }
            "warning" => {
                assert!(path.ends_with("乙县卫生健康局（虚构）.xlsx"), "{path}: {x}");
                assert!(rule.starts_with("P4"), "{x}");
                let m = x["message"].as_str().unwrap();
                assert!(m.contains("+100.00%") && m.contains("本年") && m.contains("上年"), "{m}");
                let (now, then): (Decimal, Decimal) = (
                    x["actual"].as_str().unwrap().parse().unwrap(),
                    x["expected"].as_str().unwrap().parse().unwrap(),
                );
                assert_eq!(now, then * Decimal::TWO, "{x}");
            }
            s => panic!("unexpected {s} finding {x}"),
        }
    }
    errors.sort();
    assert_eq!(errors, ["P1", "P2a"]);
    let p4: Vec<&str> =
        found.iter().filter_map(|(_, x)| x["rule"].as_str().filter(|r| r.starts_with("P4"))).collect();
    for r in ["P4a", "P4b", "P4c", "P4d", "P4e", "P4f"] {
        assert!(p4.contains(&r), "{r} in {p4:?}");
    }
    // The console shows last year's cell too.
    let o = bin().current_dir(root()).args(["check", NOW, "--prior", THEN]).output().unwrap();
    let out = text(&o);
    assert!(out.contains("错误[P1]") && out.contains("〔上年：samples/county-2023/某市/甲县/甲县科学技术协会（虚构）.xlsx:'01 收入支出决算总表'!D32〕"), "{out}");
}

/// Without `--prior` the rules reading last year do not run at all.
#[test]
fn without_prior_no_p_finding() {
    let o = bin().current_dir(root()).args(["check", NOW, "--json", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(p_findings(&json(&o)).is_empty());
}

/// A department of last year as the sample generator makes it.
fn earlier(d: &Department) -> Department {
    juesuan::samples::a_year_earlier(d, Decimal::ONE, Decimal::ZERO)
}

fn fires(rule: &Rule, now: &Department, then: &Department, t: &Templates) -> bool {
    fired(rule, now, then, t).is_some()
}

/// The message of the rule's finding citing last year's cell, if it fires.
fn fired(rule: &Rule, now: &Department, then: &Department, t: &Templates) -> Option<String> {
    let (_, f) = evaluate_rule_with_prior(rule, now, PriorYear::Found(then), &t.layouts, &t.messages);
    f.into_iter()
        .find(|x| x.rule == rule.id && x.severity == rule.severity && x.cells.iter().any(|c| c.prior))
        .map(|x| x.message)
}

/// One of last year's amounts changed (by +100 万元 or to a large negative)
/// until the rule fires citing last year's cell.
fn failing_by_mutation(rule: &Rule, now: &Department, then: &Department, t: &Templates) -> Option<String> {
    let mut d = then.clone();
    for no in rule.tables.clone() {
        let Some(n_rows) = d.tables.get(&no).map(|t| t.rows.len()) else { continue };
        for ri in 0..n_rows {
            let cols: Vec<String> = d.tables[&no].rows[ri].cells.keys().cloned().collect();
            for c in cols {
                for delta in [Decimal::from(100), Decimal::from(-100_000)] {
                    let a = d.tables.get_mut(&no).unwrap().rows[ri].cells.get_mut(&c).unwrap();
                    let old = a.value;
                    a.value += delta;
                    let hit = fired(rule, now, &d, t);
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

#[test]
fn every_p_rule_has_a_passing_and_a_failing_fixture() {
    let t = Templates::embedded();
    let bases = [seed("000", true), seed("002", true)];
    let mut problems = Vec::new();
    let prior_rules: Vec<&Rule> = t.rules.rules.iter().filter(|r| r.reads_prior()).collect();
    assert!(prior_rules.len() >= 13, "P1, P2a–c, P3a–b, P4a–g");
    for rule in prior_rules {
        assert!(rule.id.starts_with('P'));
        let pass = bases.iter().any(|d| {
            let (applied, f) =
                evaluate_rule_with_prior(rule, d, PriorYear::Found(&earlier(d)), &t.layouts, &t.messages);
            applied && f.iter().all(|x| x.rule != rule.id)
        });
        if !pass {
            problems.push(format!("{}: no passing fixture", rule.id));
        }
        match bases.iter().find_map(|d| failing_by_mutation(rule, d, &earlier(d), &t)) {
            // With JUESUAN_RULE_EXAMPLES=FILE: the source of the rule's `example`.
            Some(m) => {
                if let Ok(path) = std::env::var("JUESUAN_RULE_EXAMPLES") {
                    use std::io::Write;
                    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
                    writeln!(f, "{}\t{m}", rule.id).unwrap();
                }
            }
            None => problems.push(format!("{}: no failing fixture", rule.id)),
        }
        // Nothing matched: insufficient data (info), never a pass or an error.
        let (applied, f) =
            evaluate_rule_with_prior(rule, &bases[0], PriorYear::Missing, &t.layouts, &t.messages);
        if applied || f.len() != 1 || f[0].severity != Severity::Info || !f[0].message.contains("数据不足")
        {
            problems.push(format!("{}: without a match {f:?}", rule.id));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_change_threshold_needs_both_the_rate_and_the_amount() {
    let t = Templates::embedded();
    let rule = t.rules.get("P4a").unwrap();
    assert_eq!(rule.kind, Kind::Change);
    assert!(rule.explainable, "a warning may be explained");
    assert!(!t.rules.get("P1").unwrap().explainable, "an identity may not");
    let now = seed("000", true);
    let income = |d: &Department| {
        d.tables[&1].rows.iter().find(|r| r.key.as_str() == "本年收入合计").unwrap().cells["决算数"].value
    };
    let set = |d: &mut Department, v: Decimal| {
        let r =
            d.tables.get_mut(&1).unwrap().rows.iter_mut().find(|r| r.key.as_str() == "本年收入合计").unwrap();
        r.cells.get_mut("决算数").unwrap().value = v;
    };
    let base = income(&now);
    assert!(base > Decimal::from(100), "the seed is a few hundred 万元");
    let mut then = earlier(&now);
    // +29 %: within the rate.
    set(&mut then, base / Decimal::new(129, 2));
    assert!(!fires(rule, &now, &then, &t));
    // −40 %: beyond it, and far more than 10 万元.
    set(&mut then, base / Decimal::new(60, 2));
    assert!(fires(rule, &now, &then, &t));
    // +100 % of a small figure: less than 10 万元, not reported.
    let mut small = now.clone();
    set(&mut small, Decimal::from(8));
    let mut small_then = earlier(&small);
    set(&mut small_then, Decimal::from(4));
    assert!(!fires(rule, &small, &small_then, &t));
    // Exactly at the rate (+30 %) is not beyond it.
    let mut at_rate = now.clone();
    set(&mut at_rate, Decimal::from(130));
    let mut at_rate_then = earlier(&at_rate);
    set(&mut at_rate_then, Decimal::from(100));
    assert!(!fires(rule, &at_rate, &at_rate_then, &t));
    set(&mut at_rate, Decimal::from(131));
    assert!(fires(rule, &at_rate, &at_rate_then, &t));
    // A 类 spent last year and gone this year is a change too (P4c).
    let p4c = t.rules.get("P4c").unwrap();
    let mut gone = earlier(&now);
    let t1 = gone.tables.get_mut(&1).unwrap();
    let mut row = t1.rows.iter().find(|r| r.key.code().is_some_and(|c| c.len() == 3)).unwrap().clone();
    row.key = juesuan::model::RowKey::Code("299".into());
    row.cells.get_mut("决算数").unwrap().value = Decimal::from(50);
    t1.rows.push(row);
    assert!(fires(p4c, &now, &gone, &t));
    // The 上年对比 sheet lists it too: zero this year, 50 last year.
    let figures = juesuan::rules::eval::change_figures(&t.rules, &now, &gone, &t.layouts, &t.messages);
    assert!(
        figures.iter().any(|f| f.rule == "P4c" && f.now.is_zero() && f.then == Decimal::from(50)),
        "{figures:?}"
    );
    assert!(!fires(p4c, &now, &earlier(&now), &t));
    // A 类 present in both years that changed is reported once, not once per year.
    let mut doubled = earlier(&now);
    let t1 = doubled.tables.get_mut(&1).unwrap();
    let big = t1
        .rows
        .iter_mut()
        .filter(|r| r.key.code().is_some_and(|c| c.len() == 3))
        .max_by_key(|r| r.cells["决算数"].value)
        .unwrap();
    let code = big.key.clone();
    let v = big.cells.get_mut("决算数").unwrap();
    assert!(v.value > Decimal::from(10), "a 类 above the 10 万元 threshold");
    v.value *= Decimal::from(2);
    let (_, f) = evaluate_rule_with_prior(p4c, &now, PriorYear::Found(&doubled), &t.layouts, &t.messages);
    let on_code: Vec<_> =
        f.iter().filter(|x| x.place.row.as_deref().is_some_and(|r| r.starts_with(code.as_str()))).collect();
    assert_eq!(on_code.len(), 1, "{f:?}");
    // The same in a 元 department: 10 万元 is 100000 元.
    let mut yuan = now.clone();
    yuan.convert_unit(Unit::Yuan);
    let mut yuan_then = earlier(&yuan);
    set(&mut yuan_then, income(&yuan) / Decimal::from(2));
    assert!(fires(rule, &yuan, &yuan_then, &t));
    // The finding records the least change reported, in the department's unit.
    let (_, f) = evaluate_rule_with_prior(rule, &yuan, PriorYear::Found(&yuan_then), &t.layouts, &t.messages);
    let least = f.iter().find(|x| x.rule == "P4a").and_then(|x| x.values.as_ref()).unwrap().tolerance;
    assert_eq!(least, Decimal::from(100_000), "{f:?}");
}

fn copy_tree(from: &Path, to: &Path, rename: impl Fn(&Path) -> PathBuf) {
    for e in walk(from) {
        let rel = e.strip_prefix(from).unwrap();
        let dest = to.join(rename(rel));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&e, dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Last year's files renamed and moved (one folder, numbered names): matched
/// by 编制单位, so the same findings come out and nothing is missing.
#[test]
fn renamed_files_are_matched_by_department_name() {
    let dir = tempfile::tempdir().unwrap();
    let then = dir.path().join("2023年决算");
    let n = std::cell::Cell::new(0);
    copy_tree(&root().join(THEN), &then, |_| {
        n.set(n.get() + 1);
        PathBuf::from(format!("报送{}.xlsx", n.get()))
    });
    let o =
        bin().current_dir(root()).args(["check", NOW, "--json", "-", "--prior"]).arg(&then).output().unwrap();
    let found = p_findings(&json(&o));
    assert!(found.iter().all(|(_, x)| x["rule"] != "prior-missing"), "{found:?}");
    let errors: Vec<&str> = found
        .iter()
        .filter(|(_, x)| x["severity"] == "error")
        .map(|(_, x)| x["rule"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["P1", "P2a"]);
    assert!(found.iter().any(|(_, x)| x["cells"][1]["file"].as_str().is_some_and(|f| f.contains("报送"))));
}

/// A unit renamed since last year is matched by its place in the tree; a unit
/// with neither gets `prior-missing` and its P rules report insufficient data.
#[test]
fn renamed_unit_matched_by_path_and_a_new_unit_is_prior_missing() {
    let dir = tempfile::tempdir().unwrap();
    let now = dir.path().join("2024");
    let then = dir.path().join("2023");
    let t = Templates::embedded();
    let a = seed("000", true);
    let mut old = earlier(&a);
    old.department = Some("甲县科协（旧名称）".into());
    for tb in old.tables.values_mut() {
        tb.department = old.department.clone();
    }
    write(&now.join("甲县/a.xlsx"), &a, Unit::WanYuan, Style::default());
    write(&now.join("乙县/new.xlsx"), &seed("002", true), Unit::WanYuan, Style::default());
    write(&then.join("甲县/a.xlsx"), &old, Unit::WanYuan, Style::default());
    let o = bin().arg("check").arg(&now).arg("--prior").arg(&then).args(["--json", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let j = json(&o);
    let found = p_findings(&j);
    let missing: Vec<&String> =
        found.iter().filter(|(_, x)| x["rule"] == "prior-missing").map(|(p, _)| p).collect();
    assert_eq!(missing.len(), 1, "{found:?}");
    assert!(missing[0].ends_with("乙县/new.xlsx"));
    // The new unit's P rules: insufficient data (info), one per rule.
    let n_prior = t.rules.rules.iter().filter(|r| r.reads_prior()).count();
    let infos = found.iter().filter(|(p, x)| p.ends_with("new.xlsx") && x["severity"] == "info").count();
    assert_eq!(infos, n_prior + 1);
    // The renamed one is compared: no P finding at all (same figures).
    assert!(found.iter().all(|(p, _)| !p.ends_with("甲县/a.xlsx")), "{found:?}");
    // This year's folder given as last year's: every unit matches itself,
    // which is said once per unit rather than passing silently.
    let o = bin().arg("check").arg(&now).arg("--prior").arg(&now).args(["--json", "-"]).output().unwrap();
    let found: Vec<String> = json(&o)["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap().iter())
        .filter(|x| x["rule"] == "prior-year" && x["severity"] == "warning")
        .map(|x| x["cells"][0]["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    // `--prior` naming nothing readable is a usage error.
    let o = bin().arg("check").arg(&now).arg("--prior").arg(dir.path().join("none")).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// A province adds its own prior-year rule with `--templates`, no recompiling.
#[test]
fn a_province_adds_its_own_prior_rule() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("tpl");
    std::fs::create_dir_all(tpl.join("rules")).unwrap();
    std::fs::write(
        tpl.join("rules/province.toml"),
        r#"
[[rule]]
id = "SC-P1"
title = "一般公共预算财政拨款收入较上年变动"
severity = "warning"
kind = "change"
tables = [1]
check = "T1.收入[一般公共预算财政拨款收入].决算数 = prior.T1.收入[一般公共预算财政拨款收入].决算数"
rate = "50%"
at_least = "100000 元"
why = "本省要求说明财政拨款收入变动超过一半的原因。"
"#,
    )
    .unwrap();
    let o = bin().arg("--templates").arg(&tpl).arg("rules").output().unwrap();
    assert!(text(&o).contains("SC-P1"));
    let o = bin()
        .current_dir(root())
        .arg("--templates")
        .arg(&tpl)
        .args(["check", NOW, "--prior", THEN, "--json", "-"])
        .output()
        .unwrap();
    let found = p_findings(&json(&o));
    let j = json(&o);
    let sc: Vec<&serde_json::Value> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .filter(|x| x["rule"] == "SC-P1")
        .collect();
    assert_eq!(sc.len(), 1, "only the doubled unit: {sc:?}");
    assert_eq!(sc[0]["severity"], "warning");
    assert!(!found.is_empty());
    // A bad threshold names the file and line.
    std::fs::write(tpl.join("rules/province.toml"), "[[rule]]\nid = \"SC-P2\"\ntitle = \"x\"\nseverity = \"warning\"\nkind = \"change\"\ntables = [1]\ncheck = \"T1.收入[本年收入合计].决算数 = prior.T1.收入[本年收入合计].决算数\"\nrate = \"30%\"\nat_least = \"10\"\nwhy = \"x\"\n").unwrap();
    let o = bin().arg("--templates").arg(&tpl).arg("rules").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o);
    assert!(err.contains("province.toml:1") && err.contains("10 万元"), "{err}");
}

fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<String>> {
    let wb = juesuan::workbook::open(path).unwrap();
    let sheet = wb.sheets.iter().find(|s| &*s.name == name).unwrap_or_else(|| panic!("no sheet {name}"));
    sheet.rows().map(|(_, cells)| cells.iter().map(|(_, v)| v.text()).collect()).collect()
}

/// `consolidate --prior` adds 上年对比 to every consolidated workbook: this
/// year's and last year's node totals (summed the same way), change and rate.
#[test]
fn consolidate_adds_the_prior_year_sheet_per_node() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("某市.xlsx");
    let o = bin()
        .current_dir(root())
        .args(["consolidate", NOW, "-o"])
        .arg(&out)
        .arg("--by-dir")
        .arg(dir.path().join("nodes"))
        .args(["--prior", THEN])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "P1 of 甲县科学技术协会: {}", text(&o));
    let rows = sheet_rows(&out, "上年对比");
    assert!(rows[0][0].contains("某市"), "{rows:?}");
    let income = rows.iter().find(|r| r[0] == "P4a").unwrap_or_else(|| panic!("{rows:?}"));
    let num = |s: &str| s.parse::<Decimal>().unwrap();
    let (now, then, change) = (num(&income[2]), num(&income[3]), num(&income[4]));
    assert_eq!(now - then, change);
    assert!(now > then, "乙县卫生健康局 doubled");
    // 乙县 alone: 乙县科学技术协会 unchanged + 卫生健康局 doubled = (1 + 2) / (1 + 1) = +50 %.
    let rows = sheet_rows(&dir.path().join("nodes/乙县.xlsx"), "上年对比");
    let income = rows.iter().find(|r| r[0] == "P4a").unwrap();
    assert_eq!(num(&income[5]), Decimal::from(50), "{income:?}");
    // 甲县 unchanged: rate 0.
    let rows = sheet_rows(&dir.path().join("nodes/甲县.xlsx"), "上年对比");
    let income = rows.iter().find(|r| r[0] == "P4a").unwrap();
    assert_eq!(num(&income[5]), Decimal::ZERO, "{income:?}");
    // No --prior, no sheet.
    let plain = dir.path().join("plain.xlsx");
    bin().current_dir(root()).args(["consolidate", NOW, "-o"]).arg(&plain).output().unwrap();
    let wb = juesuan::workbook::open(&plain).unwrap();
    assert!(wb.sheets.iter().all(|s| &*s.name != "上年对比"));
}

/// Writes an explanation into every row of a findings report whose rule is `rule`.
fn explain(report: &Path, rule: &str, note: &str, to: &Path) {
    let wb = juesuan::workbook::open(report).unwrap();
    let sheet = &wb.sheets[0];
    let mut old = rust_xlsxwriter::Workbook::new();
    let ws = old.add_worksheet();
    for (r, cells) in sheet.rows() {
        for (c, v) in cells {
            match v {
                juesuan::workbook::Value::Number(d) => {
                    ws.write_number(r, *c as u16, d.to_string().parse::<f64>().unwrap()).unwrap()
                }
                v => ws.write_string(r, *c as u16, v.text()).unwrap(),
            };
        }
        if cells.iter().any(|(_, v)| v.text() == rule) {
            ws.write_string(r, 11, note).unwrap();
        }
    }
    old.save(to).unwrap();
}

/// A 说明 carried over applies while the amounts are the same; once last
/// year's figure changes the finding is new again, quoting the old 说明.
#[test]
fn an_explanation_is_dropped_when_the_amounts_change() {
    let dir = tempfile::tempdir().unwrap();
    let now_dir = dir.path().join("2024");
    let then_dir = dir.path().join("2023");
    let now = juesuan::samples::scaled(&seed("002", true), 2, "丙县卫生健康局");
    let then = juesuan::samples::a_year_earlier(&now, Decimal::new(5, 1), Decimal::ZERO);
    write(&now_dir.join("a.xlsx"), &now, Unit::WanYuan, Style::default());
    write(&then_dir.join("a.xlsx"), &then, Unit::WanYuan, Style::default());
    let report = dir.path().join("report.xlsx");
    let run = |extra: &[&std::ffi::OsStr]| {
        bin().arg("check").arg(&now_dir).arg("--prior").arg(&then_dir).args(extra).output().unwrap()
    };
    let o = run(&["--report".as_ref(), report.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "warnings only: {}", text(&o));
    let old = dir.path().join("old.xlsx");
    explain(&report, "P4a", "人员增加，已在决算说明中说明", &old);
    let o = run(&["--explanations".as_ref(), old.as_os_str(), "--json".as_ref(), "-".as_ref()]);
    let j = json(&o);
    let p4a = |j: &serde_json::Value| {
        j["files"][0]["findings"].as_array().unwrap().iter().find(|x| x["rule"] == "P4a").cloned().unwrap()
    };
    assert_eq!(p4a(&j)["explanation"], "人员增加，已在决算说明中说明");
    let warnings = j["summary"]["warnings"].as_u64().unwrap();
    // Last year's figures change: the same finding, other amounts.
    let then = juesuan::samples::a_year_earlier(&now, Decimal::new(4, 1), Decimal::ZERO);
    write(&then_dir.join("a.xlsx"), &then, Unit::WanYuan, Style::default());
    let o = run(&["--explanations".as_ref(), old.as_os_str(), "--json".as_ref(), "-".as_ref()]);
    let j = json(&o);
    let f = p4a(&j);
    assert!(f["explanation"].is_null(), "{f}");
    assert_eq!(f["stale_explanation"], "人员增加，已在决算说明中说明");
    assert_eq!(j["summary"]["warnings"].as_u64().unwrap(), warnings + 1, "counted again");
    let o = run(&["--explanations".as_ref(), old.as_os_str()]);
    assert!(text(&o).contains("【上次说明（金额已变化）：人员增加，已在决算说明中说明】"));
    // The new report quotes it in the message, not in the 说明 column (where
    // the next run would take it as explaining the new amounts).
    let new = dir.path().join("new.xlsx");
    run(&["--explanations".as_ref(), old.as_os_str(), "--report".as_ref(), new.as_os_str()]);
    let rows = sheet_rows(&new, "审核结果");
    let row = rows.iter().find(|r| r.contains(&"P4a".to_string())).unwrap();
    assert!(row.iter().any(|c| c.contains("上次说明（金额已变化）")), "{row:?}");
    assert!(!row.iter().any(|c| c == "人员增加，已在决算说明中说明"), "{row:?}");
}

/// P1 is not explainable: explained, it still fails the run, and says so.
#[test]
fn an_explained_error_of_a_rule_that_is_not_explainable_keeps_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.xlsx");
    let jia = "samples/county/某市/甲县/甲县科学技术协会（虚构）.xlsx";
    let o = bin()
        .current_dir(root())
        .args(["check", jia, "--prior", THEN, "--report"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let old = dir.path().join("old.xlsx");
    explain(&report, "P1", "上年决算批复后调整", &old);
    explain(&old.clone(), "P2a", "上年决算批复后调整", &dir.path().join("old2.xlsx"));
    let o = bin()
        .current_dir(root())
        .args(["check", jia, "--prior", THEN, "--explanations"])
        .arg(dir.path().join("old2.xlsx"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("【已说明：上年决算批复后调整；但该规则不可通过说明豁免，仍计为错误】"),
        "{}",
        text(&o)
    );
}
