//! Consolidation memory flat in findings (issue 16): the inputs' notes (提示)
//! are counted in 分户表 and listed in 审核结果 only with `--with-info`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use juesuan::model::Unit;
use juesuan::report::standard::Style;
use juesuan::workbook::normalize::Value;

mod support;
use support::{bin, json, seed, write};

fn sheet_rows(path: &std::path::Path, name: &str) -> Vec<Vec<(u32, Value)>> {
    let wb = juesuan::workbook::open(path).unwrap();
    let s = wb.sheets.iter().find(|s| &*s.name == name).unwrap();
    s.rows().map(|(_, c)| c.to_vec()).collect()
}

fn cell(row: &[(u32, Value)], col: u32) -> String {
    match row.iter().find(|(c, _)| *c == col).map(|(_, v)| v) {
        Some(Value::Text(t)) => t.to_string(),
        Some(Value::Number(d)) => d.normalize().to_string(),
        _ => String::new(),
    }
}

/// Runs consolidate over `in/`; returns the input notes per file (from the
/// JSON), the 审核结果 note rows per input file and the 分户表 note column.
/// Input notes per file, note rows of 审核结果 (their file), 分户表's (path, 提示数).
type Run = (Vec<(String, usize)>, Vec<String>, Vec<(String, String)>);

fn run(dir: &std::path::Path, extra: &[&str]) -> Run {
    let out = dir.join(format!("sum{}.xlsx", extra.len()));
    let o = bin()
        .arg("consolidate")
        .arg(dir.join("in"))
        .arg("-o")
        .arg(&out)
        .args(["--json", "-"])
        .args(extra)
        .output()
        .unwrap();
    let j = json(&o);
    let files: Vec<(String, usize)> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let n = f["findings"].as_array().unwrap().iter().filter(|x| x["severity"] == "info").count();
            (f["path"].as_str().unwrap().to_string(), n)
        })
        .collect();
    let notes: Vec<String> = sheet_rows(&out, "审核结果")
        .iter()
        .skip(1)
        .filter(|r| cell(r, 6) == "提示" && files.iter().any(|(p, _)| *p == cell(r, 0)))
        .map(|r| cell(r, 0))
        .collect();
    let units = sheet_rows(&out, "分户表");
    assert_eq!(cell(&units[0], 19), "提示数");
    let counts = units.iter().skip(1).map(|r| (cell(r, 1), cell(r, 19))).collect();
    (files, notes, counts)
}

/// A seed department scaled by a non-integer factor and rounded cell by cell
/// in 万元, as bench/run.sh's corpus: dozens of 0.01 rounding notes.
fn rounded(key: &str) -> juesuan::model::Department {
    let mut d = seed(key, true);
    let k = rust_decimal::Decimal::new(1_012_370, 6);
    d.convert_unit(Unit::WanYuan);
    for t in d.tables.values_mut() {
        for r in &mut t.rows {
            for a in r.cells.values_mut() {
                a.value = (a.value * k)
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            }
        }
    }
    d
}

#[test]
fn notes_are_counted_in_the_unit_sheet_and_listed_only_on_request() {
    let dir = tempfile::tempdir().unwrap();
    // 元 amounts written in 万元, rounded cell by cell: many 0.01 notes each.
    write(&dir.path().join("in/a.xlsx"), &rounded("000"), Unit::WanYuan, Style::default());
    write(&dir.path().join("in/b.xlsx"), &rounded("002"), Unit::WanYuan, Style::default());
    let (files, notes, counts) = run(dir.path(), &[]);
    assert!(files.iter().all(|(_, n)| *n >= 5), "a realistic volume of notes: {files:?}");
    assert!(notes.is_empty(), "no note listed by default: {notes:?}");
    for (path, n) in &files {
        let row = counts.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path} in {counts:?}"));
        assert_eq!(row.1, n.to_string(), "{path}");
    }
    // 合计 counts them all.
    let total: usize = files.iter().map(|(_, n)| n).sum();
    assert_eq!(counts.last().unwrap().1, total.to_string(), "{counts:?}");

    let (files, notes, _) = run(dir.path(), &["--with-info"]);
    for (path, n) in &files {
        assert_eq!(notes.iter().filter(|p| *p == path).count(), *n, "{path}: every note listed");
    }
}
