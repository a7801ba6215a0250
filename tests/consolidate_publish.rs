//! Consolidated workbooks that can be published (issue 10): the outputs' own
//! audit counted honestly, 分户表 with subtotals and 合计, 舍位调整 listed.

use juesuan::model::{RowKey, Unit};
use juesuan::report::standard::Style;
use juesuan::workbook::normalize::Value;
use rust_decimal::Decimal;

mod support;
use support::{bin, json, root, seed, text, write};

/// samples/county: the outputs' own audit finds nothing, and says so.
#[test]
fn the_sample_county_outputs_audit_clean_and_the_summary_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .current_dir(root())
        .args(["consolidate", "samples/county/某市", "-o"])
        .arg(dir.path().join("某市汇总.xlsx"))
        .arg("--by-dir")
        .arg(dir.path().join("某市"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("汇总表自身审核：错误 0 个，警告 0 个"), "{out}");
    let j = json(&o);
    assert_eq!(j["summary"]["output_errors"], 0, "{}", j["summary"]);
    assert_eq!(j["summary"]["output_warnings"], 0);
    for p in ["某市汇总.xlsx", "某市/甲县.xlsx", "某市/乙县.xlsx"] {
        let o = bin().arg("check").arg(dir.path().join(p)).args(["--json", "-"]).output().unwrap();
        let j = json(&o);
        assert_eq!(
            j["files"][0]["findings"].as_array().unwrap().len(),
            0,
            "{p}: {}",
            j["files"][0]["findings"]
        );
    }
}

/// An input with a real discrepancy (not rounding) carries it into the
/// consolidation: the consolidated tables' own error is counted in
/// `summary.output_errors` and in the exit status, never reported as 0.
#[test]
fn an_error_in_the_consolidated_tables_is_counted_and_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = seed("000", true);
    let t1 = bad.tables.get_mut(&1).unwrap();
    let r = t1.rows.iter_mut().find(|r| r.key == RowKey::Label("收入总计".into())).unwrap();
    r.cells.get_mut("决算数").unwrap().value += Decimal::from(100);
    write(&dir.path().join("in/a.xlsx"), &bad, Unit::WanYuan, Style::default());
    write(&dir.path().join("in/b.xlsx"), &seed("002", true), Unit::WanYuan, Style::default());
    let o = bin()
        .arg("consolidate")
        .arg(dir.path().join("in"))
        .arg("-o")
        .arg(dir.path().join("sum.xlsx"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let j = json(&o);
    let own = j["summary"]["output_errors"].as_u64().unwrap();
    assert!(own >= 1, "{}", j["summary"]);
    assert!(out.contains(&format!("汇总表自身审核：错误 {own} 个")), "{out}");
    // The same count as `check` of the written workbook.
    let o = bin().arg("check").arg(dir.path().join("sum.xlsx")).args(["--json", "-"]).output().unwrap();
    assert_eq!(json(&o)["summary"]["errors"].as_u64(), Some(own));
}

fn sheet_rows(path: &std::path::Path, name: &str) -> Vec<Vec<(u32, Value)>> {
    let wb = juesuan::workbook::open(path).unwrap();
    let s = wb.sheets.iter().find(|s| &*s.name == name).unwrap();
    s.rows().map(|(_, c)| c.to_vec()).collect()
}

fn at(row: &[(u32, Value)], col: u32) -> Option<&Value> {
    row.iter().find(|(c, _)| *c == col).map(|(_, v)| v)
}

fn num(row: &[(u32, Value)], col: u32) -> Decimal {
    match at(row, col) {
        Some(Value::Number(d)) => *d,
        _ => Decimal::ZERO,
    }
}

/// 分户表: units in path order, a subtotal after each directory, a 合计 last;
/// amounts rounded to the output unit; subtotals and 合计 add up the rows shown.
#[test]
fn units_sheet_has_subtotals_per_directory_and_a_total() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("某市.xlsx");
    let o = bin()
        .current_dir(root())
        .args(["consolidate", "samples/county/某市", "-o"])
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = sheet_rows(&out, "分户表");
    let labels: Vec<String> = rows.iter().map(|r| at(r, 1).map(Value::text).unwrap_or_default()).collect();
    let sub =
        |county: &str| labels.iter().position(|l| l.starts_with("小计") && l.ends_with(county)).unwrap();
    let total = labels.iter().position(|l| l == "合计").unwrap();
    assert_eq!(total, rows.len() - 1, "合计 is the last row: {labels:#?}");
    let (jia, yi) = (sub("甲县"), sub("乙县"));
    // Sorted by path, 乙县 (U+4E59) comes before 甲县 (U+7532); each subtotal
    // follows its own units.
    assert!(yi < jia && jia < total, "{labels:#?}");
    assert!(labels[yi - 1].contains("乙县/") && labels[yi + 1].contains("甲县/"), "{labels:#?}");
    let units: Vec<usize> = (1..rows.len()).filter(|i| labels[*i].ends_with(".xlsx")).collect();
    assert_eq!(units.len(), 4);
    for col in 6..12 {
        let sum: Decimal = units.iter().map(|i| num(&rows[*i], col)).sum();
        assert_eq!(num(&rows[total], col), sum, "column {col}");
        for i in &units {
            let v = num(&rows[*i], col);
            assert_eq!(v, v.round_dp(2), "amounts are rounded to the cent of 万元");
        }
    }
    let jia_units: Decimal =
        units.iter().filter(|i| labels[**i].contains("甲县/")).map(|i| num(&rows[*i], 6)).sum();
    assert_eq!(num(&rows[jia], 6), jia_units);
}
