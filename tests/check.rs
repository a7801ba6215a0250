//! `juesuan check` end to end: samples, exit statuses, JSON contract, the
//! findings workbook, explanations carried over, and the property that any
//! single changed amount is caught at its cell in every layout variant.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::path::Path;

use juesuan::config::Templates;
use juesuan::model::Unit;
use juesuan::report::standard::Style;
use rust_decimal::Decimal;

mod support;
use support::{bin, json, root, seed, write};

#[test]
fn samples_have_rounding_notes_and_no_errors() {
    let o = bin().arg("check").arg(root().join("samples")).args(["--json", "-"]).output().unwrap();
    let j = json(&o);
    assert_eq!(j["summary"]["unreadable"], 0);
    let files = j["files"].as_array().unwrap();
    // The workbooks have no error; the errors (and so exit status 1) are the
    // published 决算说明's own, checked in tests/narrative.rs.
    for f in files.iter().filter(|f| f["kind"] == "workbook") {
        assert!(f["findings"].as_array().unwrap().iter().all(|x| x["severity"] != "error"), "{f}");
    }
    assert!(files.iter().filter(|f| f["kind"] == "narrative").count() == 2);
    assert!(files.len() >= 12);
    // 攀枝花 2024: the document's own 0.01 conflicts, as info.
    let pzh = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("samples/攀枝花市科学技术协会2024.xlsx"))
        .unwrap();
    let rules: Vec<&str> =
        pzh["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for r in ["R7-T02", "R7-T03", "R7-T03-TOTAL", "R4a", "R7-T06", "X15b"] {
        assert!(rules.contains(&r), "{r} missing in {rules:?}");
    }
    assert!(pzh["findings"].as_array().unwrap().iter().all(|f| f["severity"] == "info"));
    assert_eq!(pzh["status"], "ok");
    assert_eq!(pzh["department"], "攀枝花市科学技术协会");
    assert_eq!(pzh["year"], 2024);
    assert_eq!(pzh["unit"], "万元");
    assert_eq!(pzh["tables"].as_array().unwrap().len(), 13);
    // The cli.md finding fields, with both cells of a rounding note.
    let f = &pzh["findings"][0];
    for k in ["rule", "severity", "message", "expected", "actual", "difference", "cells"] {
        assert!(!f[k].is_null(), "{k} missing: {f}");
    }
    assert!(f["cells"][0]["sheet"].is_string() && f["cells"][0]["cell"].is_string());
    // The county units (exact figures) are clean.
    for f in files.iter().filter(|f| f["path"].as_str().unwrap().contains("county")) {
        assert!(f["findings"].as_array().unwrap().is_empty(), "{f}");
    }
}

/// A workbook with 5 万元 added to T2's first row: R3a, X1 … fail.
fn write_bad(path: &Path) {
    let mut bad = seed("000", true);
    let t2 = bad.tables.get_mut(&2).unwrap();
    t2.rows[0].cells.get_mut("本年收入合计").unwrap().value += Decimal::from(5);
    write(path, &bad, Unit::WanYuan, Style::default());
}

#[test]
fn exit_status_0_when_everything_is_read_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    write(&good, &seed("000", true), Unit::WanYuan, Style::default());
    let o = bin().arg("check").arg(&good).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn exit_status_1_on_an_error_finding() {
    let dir = tempfile::tempdir().unwrap();
    let badp = dir.path().join("bad.xlsx");
    write_bad(&badp);
    let o = bin().arg("check").arg(&badp).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("bad.xlsx:'02 收入决算表'!C5: 错误[R3a]"), "{out}");
    assert!(out.contains("（应为 755.32，实际 760.32，差额 5.00）"), "{out}");
}

#[test]
fn exit_status_1_on_an_unreadable_input_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    write(&good, &seed("000", true), Unit::WanYuan, Style::default());
    write_bad(&dir.path().join("bad.xlsx"));
    std::fs::write(dir.path().join("broken.xlsx"), b"not a workbook").unwrap();
    // In a directory too, broken.xlsx (a workbook extension) is an unreadable
    // input listed in files[] and the summary, never skipped (cli.md § Common rules).
    let o = bin().arg("check").arg(dir.path()).args(["--json", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    assert_eq!(j["summary"]["files"], 3, "{j}");
    assert_eq!(j["summary"]["unreadable"], 1, "{j}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("broken.xlsx"));
    // Named on the command line, it is an unreadable input: exit 1, the good file still checked.
    let o = bin()
        .arg("check")
        .arg(&good)
        .arg(dir.path().join("broken.xlsx"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    assert_eq!(j["summary"]["unreadable"], 1);
    assert_eq!(j["summary"]["ok"], 1);
    let un = j["files"].as_array().unwrap().iter().find(|f| f["status"] == "unreadable").unwrap();
    assert!(un["error"].as_str().unwrap().contains("不是 Excel 工作簿"), "{un}");
}

#[test]
fn exit_status_2_on_usage_or_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    write(&good, &seed("000", true), Unit::WanYuan, Style::default());
    // Nothing to process.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(bin().arg("check").arg(empty.path()).output().unwrap().status.code(), Some(2));
    // A bad flag.
    assert_eq!(bin().args(["check", "--bogus", "x"]).output().unwrap().status.code(), Some(2));
    // An unreadable rule file: the error names the file and line.
    let tpl = dir.path().join("tpl");
    std::fs::create_dir_all(tpl.join("rules")).unwrap();
    std::fs::write(
        tpl.join("rules/province.toml"),
        "[[rule]]\nid = \"SC-1\"\ntitle = \"x\"\nseverity = \"error\"\ntables = [2]\n\
         check = \"T2[合计].不存在的栏 = 0\"\nwhy = \"x\"\n",
    )
    .unwrap();
    let o = bin().arg("--templates").arg(&tpl).arg("check").arg(&good).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("province.toml:6") && err.contains("不存在的栏"), "{err}");
    // An explanations workbook that cannot be read.
    let o = bin()
        .arg("check")
        .arg(&good)
        .arg("--explanations")
        .arg(dir.path().join("none.xlsx"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn english_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = seed("000", true);
    bad.tables.get_mut(&2).unwrap().rows[0].cells.get_mut("本年收入合计").unwrap().value += Decimal::from(5);
    let p = dir.path().join("bad.xlsx");
    write(&p, &bad, Unit::WanYuan, Style::default());
    let o = bin().args(["--lang", "en", "check"]).arg(&p).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Income table: row total equals the income sources"), "{out}");
    assert!(out.contains("(expected 755.32, actual 760.32, difference 5.00)"), "{out}");
}

#[test]
fn findings_report_and_explanations_carry_over() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = seed("000", true);
    bad.tables.get_mut(&2).unwrap().rows[0].cells.get_mut("本年收入合计").unwrap().value += Decimal::from(5);
    let p = dir.path().join("bad.xlsx");
    write(&p, &bad, Unit::WanYuan, Style::default());
    let report = dir.path().join("report.xlsx");
    let o = bin().arg("check").arg(&p).arg("--report").arg(&report).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    // Read the report back; find the R3a row and write an explanation into it.
    let wb = juesuan::workbook::open(&report).unwrap();
    let sheet = &wb.sheets[0];
    assert_eq!(&*sheet.name, "审核结果");
    let header: Vec<String> = sheet.row(0).unwrap().iter().map(|(_, v)| v.text()).collect();
    assert_eq!(header[0], "文件");
    assert_eq!(header[11], "说明");
    // The cell column links to the source cell by the input's absolute path
    // (a relative target would be resolved against the report's folder).
    #[cfg(unix)]
    {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&report).unwrap()).unwrap();
        let mut rels = String::new();
        zip.by_name("xl/worksheets/_rels/sheet1.xml.rels").unwrap().read_to_string(&mut rels).unwrap();
        let abs = std::fs::canonicalize(&p).unwrap();
        assert!(rels.contains(&format!("Target=\"{}\"", abs.display())), "{rels}");
    }
    let mut old = rust_xlsxwriter::Workbook::new();
    let ws = old.add_worksheet();
    for (r, cells) in sheet.rows() {
        for (c, v) in cells {
            ws.write_string(r, *c as u16, v.text()).unwrap();
        }
        if cells.iter().any(|(_, v)| v.text() == "R3a") {
            ws.write_string(r, 11, "上级补助收入入账科目调整，已报财政局备案").unwrap();
        }
    }
    let oldp = dir.path().join("old.xlsx");
    old.save(&oldp).unwrap();
    let o =
        bin().arg("check").arg(&p).arg("--explanations").arg(&oldp).args(["--json", "-"]).output().unwrap();
    let j = json(&o);
    let explained: Vec<&serde_json::Value> = j["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["explanation"].is_string())
        .collect();
    assert!(!explained.is_empty());
    assert!(explained.iter().all(|f| f["rule"] == "R3a"));
    // Other errors (X1 etc. see the same change) still fail the run; explain them all and it passes.
    let rules_with_errors: Vec<String> = j["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error" && f["explanation"].is_null())
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    let mut old = rust_xlsxwriter::Workbook::new();
    let ws = old.add_worksheet();
    for (r, cells) in sheet.rows() {
        for (c, v) in cells {
            ws.write_string(r, *c as u16, v.text()).unwrap();
        }
        if r > 0 {
            ws.write_string(r, 11, "已核实").unwrap();
        }
    }
    old.save(&oldp).unwrap();
    // Sums and equalities that must hold are not explainable (rule files:
    // `explainable`, default false for errors): explained, they still fail the run.
    let o = bin().arg("check").arg(&p).arg("--explanations").arg(&oldp).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "explained errors still count ({rules_with_errors:?})");
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("【已说明：已核实；但该规则不可通过说明豁免，仍计为错误】")
    );
    let o = bin().arg("check").arg(&p).arg("--explanations").arg(&oldp).arg("--strict").output().unwrap();
    assert_eq!(o.status.code(), Some(1), "--strict counts explained errors");
    // Last month's report kept in the folder being checked is skipped with a
    // note, not counted as an unreadable submission.
    let o = bin().arg("check").arg(dir.path()).args(["--json", "-"]).output().unwrap();
    let j = json(&o);
    assert_eq!(j["summary"]["unreadable"], 0, "{j}");
    assert_eq!(j["summary"]["files"], 1, "{j}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("审核结果工作簿"));
}

#[test]
fn rules_lists_every_rule_as_json() {
    let o = bin().args(["rules", "--json"]).output().unwrap();
    assert!(o.status.success());
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = j.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in [
        "R1", "R2", "R3a", "R4a", "R5", "R6-T10", "R7-T02", "R8-T08", "R9a", "R10a", "R11a", "R12-T01",
        "B1a", "B2a", "B3-T10", "B4a",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    for n in 1..=18 {
        assert!(
            ids.iter().any(|i| i.starts_with(&format!("X{n}"))
                && !i[1 + n.to_string().len()..].starts_with(char::is_numeric)),
            "X{n}"
        );
    }
    assert!(j[0]["formula"].is_string() && j[0]["why"].is_string() && j[0]["severity"].is_string());
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Any combination of the writer's layout variants (`Style::variant`), in 万元 or 元.
    fn layouts() -> impl Strategy<Value = (Unit, Style)> {
        (0u32..(1 << 15), any::<bool>())
            .prop_map(|(bits, yuan)| (if yuan { Unit::Yuan } else { Unit::WanYuan }, Style::variant(bits)))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// In every layout variant, a clean department has no error; changing any
        /// one amount by ≥ 1 万元 (10,000 元) gives an error whose cells include the changed cell.
        #[test]
        fn any_changed_amount_is_caught_at_its_cell(key in 0usize..2, layout in layouts(), factor in 1i64..5, pick in 0usize..10_000, wan in 1i64..50, down in any::<bool>()) {
            let t = Templates::embedded();
            let base = juesuan::samples::scaled(&seed(["000", "002"][key], true), factor, "生成单位");
            let (unit, style) = layout;
            let dir = tempfile::tempdir().unwrap();
            let clean = dir.path().join("clean.xlsx");
            write(&clean, &base, unit, style.clone());
            let (r, _) = juesuan::check::check_file(&clean, &t);
            prop_assert!(r.findings.iter().all(|f| f.severity != juesuan::finding::Severity::Error), "{:?}", r.findings);

            // Change one amount (in 万元, so 元 files change by ≥ 10,000 元).
            let mut d = base.clone();
            let all: Vec<(u8, usize, String)> = d.tables.iter().flat_map(|(n, t)| {
                t.rows.iter().enumerate().flat_map(move |(i, r)| r.cells.keys().map(move |c| (*n, i, c.clone())))
            }).collect();
            let (no, ri, col) = all[pick % all.len()].clone();
            let row = &mut d.tables.get_mut(&no).unwrap().rows[ri];
            let (side, rkey) = (row.side.clone(), row.key.clone());
            let delta = Decimal::from(if down { -wan } else { wan });
            row.cells.get_mut(&col).unwrap().value += delta;
            let changed = dir.path().join("changed.xlsx");
            write(&changed, &d, unit, style);
            let (r, dep) = juesuan::check::check_file(&changed, &t);
            let dep = dep.unwrap();
            let at = dep.table(no).and_then(|t| t.row(&rkey, side.as_deref())).and_then(|r| r.get(&col)).map(|a| a.at.clone());
            let at = at.unwrap_or_else(|| panic!("T{no} {rkey:?} {col} not read back"));
            let hit = r.findings.iter().any(|f| f.severity == juesuan::finding::Severity::Error && f.cells.contains(&at));
            prop_assert!(hit, "T{} {:?} {} ({:+} 万元) at {} not caught: {:?}", no, rkey, col, delta, at, r.findings.iter().map(|f| (&f.rule, f.severity)).collect::<Vec<_>>());
        }
    }
}
