//! `consolidate --units units.csv` (issue 10, point 5): roles, pairs and
//! 单位代码 from a units file; only the flows between the units it pairs are
//! offset, what stays is explained, and 收入总计 = 支出总计 still holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use juesuan::config::Templates;
use juesuan::model::{Department, RowKey, Unit};
use juesuan::report::standard::Style;
use juesuan::workbook::normalize::Value;
use rust_decimal::Decimal;

mod support;
use support::{bin, json, seed, text, write};

fn bump(dep: &mut Department, no: u8, key: &str, side: Option<&str>, col: &str, v: i64) {
    let k = if key.chars().all(|c| c.is_ascii_digit()) {
        RowKey::Code(key.into())
    } else {
        RowKey::Label(key.into())
    };
    let t = dep.tables.get_mut(&no).unwrap();
    let r = t.rows.iter_mut().find(|r| r.key == k && (side.is_none() || r.side.as_deref() == side)).unwrap();
    r.cells.get_mut(col).unwrap().value += Decimal::from(v);
}

/// A supervisor granting `v` to each of two subordinates, and the two
/// subordinates each receiving `v` (万元); every unit's tables add up.
fn units(v: i64) -> [(String, Department); 3] {
    let mut sup = juesuan::samples::scaled(&seed("000", true), 1, "甲县教育局");
    for r in ["合计", "206", "20601", "2060101"] {
        bump(&mut sup, 3, r, None, "对附属单位补助支出", 2 * v);
        bump(&mut sup, 3, r, None, "本年支出合计", 2 * v);
    }
    for (k, side) in [
        ("206", "支出"),
        ("本年支出合计", "支出"),
        ("支出总计", "支出"),
        ("年初结转和结余", "收入"),
        ("收入总计", "收入"),
    ] {
        bump(&mut sup, 1, k, Some(side), "决算数", 2 * v);
    }
    let sub = |name: &str| {
        let mut d = juesuan::samples::scaled(&seed("000", true), 1, name);
        for r in ["合计", "206", "20601", "2060101"] {
            bump(&mut d, 2, r, None, "上级补助收入", v);
            bump(&mut d, 2, r, None, "本年收入合计", v);
        }
        for (k, side) in [
            ("上级补助收入", "收入"),
            ("本年收入合计", "收入"),
            ("收入总计", "收入"),
            ("年末结转和结余", "支出"),
            ("支出总计", "支出"),
        ] {
            bump(&mut d, 1, k, Some(side), "决算数", v);
        }
        d
    };
    [
        ("甲县教育局.xlsx".into(), sup),
        ("第一中学.xlsx".into(), sub("甲县第一中学")),
        ("第二中学.xlsx".into(), sub("甲县第二中学")),
    ]
}

fn cell(d: &Department, no: u8, key: &str, side: Option<&str>, col: &str) -> Decimal {
    d.table(no).unwrap().row(&RowKey::Label(key.into()), side).unwrap().cells[col].value
}

fn read(p: &std::path::Path) -> Department {
    let t = Templates::embedded();
    juesuan::model::extract::read_department(&juesuan::workbook::open(p).unwrap(), &t.layouts, &t.messages)
}

fn rows(path: &std::path::Path, name: &str) -> Vec<Vec<(u32, Value)>> {
    let wb = juesuan::workbook::open(path).unwrap();
    let s = wb.sheets.iter().find(|s| &*s.name == name).unwrap();
    s.rows().map(|(_, c)| c.to_vec()).collect()
}

fn has(row: &[(u32, Value)], s: &str) -> bool {
    row.iter().any(|(_, v)| v.text().contains(s))
}

/// The file pairs the supervisor with 第一中学 only (第二中学 names a parent
/// that is not a supervisor): 10 万元 of grants and receipts are offset, the
/// other 10 stay in the sums and are explained, the totals still balance.
#[test]
fn a_units_file_pairing_one_of_two_subordinates_offsets_only_that_pair() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("甲县");
    for (name, d) in units(10) {
        write(&input.join(name), &d, Unit::WanYuan, Style::default());
    }
    let csv = dir.path().join("units.csv");
    std::fs::write(
        &csv,
        "编制单位,单位代码,上级单位代码,主管/下属\n甲县教育局,001,,主管\n甲县第一中学,002,001,下属\n甲县第二中学,003,999,下属\n",
    )
    .unwrap();
    let plain = dir.path().join("plain.xlsx");
    let o = bin().arg("consolidate").arg(&input).arg("-o").arg(&plain).arg("--quiet").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = dir.path().join("units.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--units")
        .arg(&csv)
        .args(["--json", "-"])
        .output()
        .unwrap();
    let console = text(&o);
    let j = json(&o);
    // Two warnings explain what stays: 第二中学 unpaired (its own report), and
    // the supervisor's grant to it (the node's audit).
    assert_eq!(j["summary"]["output_errors"], 0, "{console}");
    assert_eq!(j["summary"]["output_warnings"], 1, "{console}");
    let school2 =
        j["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().contains("第二中学"));
    let school2 = school2.unwrap()["findings"].as_array().unwrap().clone();
    assert!(school2.iter().any(|f| f["rule"] == "offset-unmatched"), "{school2:#?}");
    let (p, u) = (read(&plain), read(&out));
    let ten = Decimal::from(10);
    assert_eq!(
        cell(&p, 3, "合计", None, "对附属单位补助支出") - cell(&u, 3, "合计", None, "对附属单位补助支出"),
        ten
    );
    assert_eq!(cell(&p, 2, "合计", None, "上级补助收入") - cell(&u, 2, "合计", None, "上级补助收入"), ten);
    assert_eq!(
        cell(&p, 1, "收入总计", Some("收入"), "决算数") - cell(&u, 1, "收入总计", Some("收入"), "决算数"),
        ten
    );
    assert_eq!(
        cell(&u, 1, "收入总计", Some("收入"), "决算数"),
        cell(&u, 1, "支出总计", Some("支出"), "决算数")
    );
    // `check` of the output: no error.
    let o = bin().arg("check").arg(&out).args(["--json", "-"]).output().unwrap();
    assert_eq!(json(&o)["summary"]["errors"], 0, "{}", json(&o)["files"][0]["findings"]);
    // 冲抵调整 names the pair and not 第二中学; 审核结果 says what stays.
    let offsets = rows(&out, "冲抵调整");
    assert!(offsets.iter().any(|r| has(r, "第一中学")) && offsets.iter().any(|r| has(r, "甲县教育局")));
    assert!(!offsets.iter().any(|r| has(r, "第二中学")));
    let audit = rows(&out, "审核结果");
    assert!(audit.iter().any(|r| has(r, "offset-internal-mismatch") && has(r, "差额 10")), "{audit:#?}");
    // 分户表: 单位代码 for every unit, the offset on the paired 下属 only.
    let units = rows(&out, "分户表");
    let line = |s: &str| units.iter().find(|r| has(r, s)).unwrap().clone();
    let num = |r: &[(u32, Value)], c: u32| match r.iter().find(|(k, _)| *k == c).map(|(_, v)| v) {
        Some(Value::Number(d)) => *d,
        _ => Decimal::ZERO,
    };
    assert_eq!(num(&line("第一中学"), 15), ten);
    assert_eq!(num(&line("第二中学"), 15), Decimal::ZERO);
    assert!(has(&line("第二中学"), "003") && has(&line("甲县教育局"), "001"));
}

/// A units file that cannot be used stops the run before anything is read,
/// naming the file and the line.
#[test]
fn a_bad_units_file_is_a_usage_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("甲县");
    for (name, d) in units(1).into_iter().take(1) {
        write(&input.join(name), &d, Unit::WanYuan, Style::default());
    }
    let csv = dir.path().join("units.csv");
    std::fs::write(&csv, "编制单位,单位代码,主管/下属\n甲县教育局,001,老板\n").unwrap();
    let o = bin()
        .arg("consolidate")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("o.xlsx"))
        .arg("--units")
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("第 2 行"), "{}", text(&o));
}
