//! T5 as published (issue 10, point 3): a 功能分类-keyed 财政拨款支出决算明细表
//! stays function-keyed in the consolidation; inputs mixing it with the
//! 经济分类-keyed form are not summed into one table of mixed rows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use juesuan::config::Templates;
use juesuan::model::{Department, Unit};
use juesuan::report::standard::Style;
use juesuan::workbook::normalize::Value;

mod support;
use support::{bin, json, seed, text, write};

/// A department whose T5 is the function-keyed form: T6's rows and columns
/// (only 一般公共预算 funds in the seed, so T5 合计 = T4 still holds).
fn function_keyed(name: &str) -> Department {
    let mut d = juesuan::samples::scaled(&seed("000", true), 1, name);
    let t = Templates::embedded();
    let mut t5 = d.table(6).unwrap().clone();
    t5.no = 5;
    t5.title = t.layouts.table(5).unwrap().title.clone();
    d.tables.insert(5, t5);
    d
}

fn consolidate(dir: &std::path::Path, deps: &[Department]) -> (std::path::PathBuf, serde_json::Value) {
    let input = dir.join("in");
    for (i, d) in deps.iter().enumerate() {
        write(&input.join(format!("单位{i}.xlsx")), d, Unit::WanYuan, Style::default());
    }
    let out = dir.join("sum.xlsx");
    let o = bin().arg("consolidate").arg(&input).arg("-o").arg(&out).args(["--json", "-"]).output().unwrap();
    text(&o);
    (out, json(&o))
}

fn t5_sheet(path: &std::path::Path) -> Option<Vec<String>> {
    let wb = juesuan::workbook::open(path).unwrap();
    let s = wb.sheets.iter().find(|s| s.name.starts_with("05"))?;
    Some(s.rows().flat_map(|(_, c)| c.iter().map(|(_, v)| v.text()).collect::<Vec<_>>()).collect())
}

#[test]
fn a_function_keyed_t5_stays_function_keyed() {
    let dir = tempfile::tempdir().unwrap();
    let (out, j) = consolidate(dir.path(), &[function_keyed("甲局"), function_keyed("乙局")]);
    assert_eq!(j["summary"]["output_errors"], 0, "{}", j["summary"]);
    let cells = t5_sheet(&out).expect("T5 written");
    assert!(cells.iter().any(|c| c == "功能分类科目编码"), "{cells:?}");
    assert!(!cells.iter().any(|c| c == "经济分类科目编码"), "{cells:?}");
    let o = bin().arg("check").arg(&out).args(["--json", "-"]).output().unwrap();
    assert_eq!(json(&o)["summary"]["errors"], 0, "{}", json(&o)["files"][0]["findings"]);
}

#[test]
fn mixed_t5_forms_are_left_out_with_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let (out, j) = consolidate(dir.path(), &[function_keyed("甲局"), seed("002", true)]);
    assert!(t5_sheet(&out).is_none(), "no T5 of mixed rows");
    assert!(j["summary"]["output_warnings"].as_u64().unwrap() >= 1, "{}", j["summary"]);
    let wb = juesuan::workbook::open(&out).unwrap();
    let audit = wb.sheets.iter().find(|s| &*s.name == "审核结果").unwrap();
    let found = audit.rows().any(|(_, c)| {
        c.iter().any(|(_, v)| matches!(v, Value::Text(t) if &**t == "consolidate-table-mixed-form"))
    });
    assert!(found);
}
