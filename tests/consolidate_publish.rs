//! Consolidated workbooks that can be published (issue 10): the outputs' own
//! audit counted honestly, 分户表 with subtotals and 合计, 舍位调整 listed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

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

fn bump(dep: &mut juesuan::model::Department, no: u8, key: &str, side: Option<&str>, col: &str, v: i64) {
    let k = if key.chars().all(|c| c.is_ascii_digit()) {
        RowKey::Code(key.into())
    } else {
        RowKey::Label(key.into())
    };
    let t = dep.tables.get_mut(&no).unwrap();
    let r = t.rows.iter_mut().find(|r| r.key == k && (side.is_none() || r.side.as_deref() == side)).unwrap();
    r.cells.get_mut(col).unwrap().value += Decimal::from(v);
}

/// With --offset-internal, 冲抵调整 lists each unit's offset flows by row and
/// 分户表 shows them per unit.
/// A 主管 that granted 10 to its 下属, and the 下属 that received it (T1, T3, T2).
fn offset_pair() -> (juesuan::model::Department, juesuan::model::Department) {
    let mut sup = juesuan::samples::scaled(&seed("000", true), 1, "甲县教育局");
    for r in ["合计", "206", "20601", "2060101"] {
        bump(&mut sup, 3, r, None, "对附属单位补助支出", 10);
        bump(&mut sup, 3, r, None, "本年支出合计", 10);
    }
    for (k, side) in [
        ("206", "支出"),
        ("本年支出合计", "支出"),
        ("支出总计", "支出"),
        ("年初结转和结余", "收入"),
        ("收入总计", "收入"),
    ] {
        bump(&mut sup, 1, k, Some(side), "决算数", 10);
    }
    let mut sub = juesuan::samples::scaled(&seed("000", true), 1, "甲县第一中学");
    for r in ["合计", "206", "20601", "2060101"] {
        bump(&mut sub, 2, r, None, "上级补助收入", 10);
        bump(&mut sub, 2, r, None, "本年收入合计", 10);
    }
    for (k, side) in [
        ("上级补助收入", "收入"),
        ("本年收入合计", "收入"),
        ("收入总计", "收入"),
        ("年末结转和结余", "支出"),
        ("支出总计", "支出"),
    ] {
        bump(&mut sub, 1, k, Some(side), "决算数", 10);
    }
    (sup, sub)
}

#[test]
fn offsets_are_listed_by_unit_and_row_and_in_the_units_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("甲县");
    let (sup, sub) = offset_pair();
    write(&node.join("甲县教育局[主管].xlsx"), &sup, Unit::WanYuan, Style::default());
    write(&node.join("甲县第一中学[下属].xlsx"), &sub, Unit::Yuan, Style::default());
    let out = dir.path().join("offset.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(&node)
        .arg("-o")
        .arg(&out)
        .args(["--offset-internal", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = sheet_rows(&out, "冲抵调整");
    let find = |row: &str, file: &str| {
        rows.iter().find(|r| {
            at(r, 4).map(Value::text).as_deref() == Some(row)
                && at(r, 0).is_some_and(|v| v.text().contains(file))
        })
    };
    let grant = find("对附属单位补助支出", "甲县教育局").expect("the supervisor's grant");
    assert_eq!(num(grant, 5), Decimal::from(10));
    let receipt = find("上级补助收入", "甲县第一中学").expect("the subordinate's receipt");
    assert_eq!(num(receipt, 5), Decimal::from(10));
    let units = sheet_rows(&out, "分户表");
    let school = units.iter().find(|r| at(r, 1).is_some_and(|v| v.text().contains("甲县第一中学"))).unwrap();
    assert_eq!(
        (num(school, 15), num(school, 16)),
        (Decimal::from(10), Decimal::ZERO),
        "offset income, expenditure"
    );
    // Without the flag there is no 冲抵调整 sheet.
    let plain = dir.path().join("plain.xlsx");
    assert!(
        bin().arg("consolidate").arg(&node).arg("-o").arg(&plain).arg("--quiet").status().unwrap().success()
    );
    let wb = juesuan::workbook::open(&plain).unwrap();
    assert!(wb.sheets.iter().all(|s| &*s.name != "冲抵调整"));
}

/// Without markers or a units file, a department directory gives the roles:
/// its own-level workbook (…本级) is the 主管, the other workbooks under it are
/// 下属; their flows are offset and the output passes its own audit.
#[test]
fn roles_come_from_a_department_directory() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("甲县");
    let (sup, sub) = offset_pair();
    write(&node.join("甲县教育局/甲县教育局本级.xlsx"), &sup, Unit::WanYuan, Style::default());
    write(&node.join("甲县教育局/学校/甲县第一中学.xlsx"), &sub, Unit::Yuan, Style::default());
    let out = dir.path().join("offset.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(&node)
        .arg("-o")
        .arg(&out)
        .args(["--offset-internal", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = sheet_rows(&out, "冲抵调整");
    let amount = |row: &str, role: &str| {
        rows.iter()
            .find(|r| {
                at(r, 4).map(Value::text).as_deref() == Some(row)
                    && at(r, 2).is_some_and(|v| v.text() == role)
            })
            .map(|r| num(r, 5))
    };
    assert_eq!(amount("对附属单位补助支出", "主管"), Some(Decimal::from(10)), "{rows:#?}");
    assert_eq!(amount("上级补助收入", "下属"), Some(Decimal::from(10)), "{rows:#?}");
    let check = bin().arg("check").arg(&out).arg("--quiet").output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
}

/// A fund column only some inputs have (T5 一般公共预算财政拨款 …) is left out
/// of the consolidated table with a note, never written as a partial sum or
/// as zeros: the output passes X11b, and 审核结果 says why the column is missing.
#[test]
fn a_column_only_some_inputs_have_is_left_out_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seed("000", true);
    let t5 = a.tables.get_mut(&5).unwrap();
    t5.columns.retain(|c| c.id == "合计");
    for r in &mut t5.rows {
        r.cells.retain(|k, _| k == "合计");
    }
    write(&dir.path().join("in/a.xlsx"), &a, Unit::WanYuan, Style::default());
    write(&dir.path().join("in/b.xlsx"), &seed("002", true), Unit::WanYuan, Style::default());
    let out = dir.path().join("sum.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(dir.path().join("in"))
        .arg("-o")
        .arg(&out)
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["summary"]["output_errors"], 0);
    let o = bin().arg("check").arg(&out).args(["--json", "-"]).output().unwrap();
    let j = json(&o);
    assert_eq!(j["summary"]["errors"], 0, "{}", j["files"][0]["findings"]);
    let d = juesuan::model::extract::read_department(
        &juesuan::workbook::open(&out).unwrap(),
        &juesuan::config::Templates::embedded().layouts,
        &juesuan::config::Templates::embedded().messages,
    );
    let cols: Vec<&str> = d.table(5).unwrap().columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(cols, ["合计"], "the fund columns are left out");
    let audit = sheet_rows(&out, "审核结果");
    assert!(audit.iter().any(|r| r.iter().any(|(_, v)| v.text() == "consolidate-column-partial")));
}

/// More inputs than two reading chunks, one unreadable among them: every
/// input is folded (in path order) while the next chunk is read, and the
/// outputs do not depend on the number of threads.
#[test]
fn a_batch_of_several_chunks_folds_every_input_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let base = seed("000", true);
    for i in 1..=70 {
        let dep = juesuan::samples::scaled(&base, i, &format!("单位{i:03}"));
        let path = dir.path().join(format!("in/乡{}/单位{i:03}.xlsx", i % 3));
        write(&path, &dep, Unit::Yuan, Style::default());
    }
    std::fs::write(dir.path().join("in/乡1/损坏.xlsx"), b"PK\x03\x04 not a workbook").unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("out{threads}.xlsx"));
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .arg("consolidate")
            .arg(dir.path().join("in"))
            .arg("-o")
            .arg(&out)
            .args(["--json", "-"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        (std::fs::read(&out).unwrap(), json(&o), text(&o))
    };
    let (one, mut j1, _) = run("1");
    let (two, mut j2, console) = run("2");
    assert!(one == two, "the consolidated workbook differs between 1 and 2 threads");
    // The outputs' names differ; everything else is the same.
    j1["outputs"] = serde_json::Value::Null;
    let outputs = std::mem::take(&mut j2["outputs"]);
    assert!(j1 == j2, "the JSON differs between 1 and 2 threads");
    assert_eq!(outputs.as_array().map(Vec::len), Some(1));
    let counts = (j2["inputs"].as_u64(), j2["read"].as_u64(), j2["unreadable"].as_u64());
    assert_eq!(counts, (Some(71), Some(70), Some(1)));
    let files = j2["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted, "files are reported in path order");
    assert!(console.contains("损坏.xlsx"), "{console}");
}
