//! `convert` between 万元 and 元 without false errors (issue 10, point 4):
//! to 元 the figures keep the 万元 rounding envelope (the unit line says
//! `由万元折算` and `check` reads it back); to 万元 they are rounded to the
//! cent and balanced like a consolidation, the changes listed in 舍位调整.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use juesuan::model::Unit;
use juesuan::report::standard::Style;
use juesuan::workbook::normalize::Value;
use rust_decimal::Decimal;

mod support;
use support::{bin, json, root, seed, text, write};

/// `check --json` of one workbook: (errors, warnings, rounding notes, findings).
fn audit(path: &std::path::Path) -> (u64, u64, usize, serde_json::Value) {
    let o = bin().arg("check").arg(path).args(["--json", "-"]).output().unwrap();
    let j = json(&o);
    let findings = j["files"][0]["findings"].clone();
    let notes = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "info" && f["message"].as_str().unwrap_or("").contains("取整"))
        .count();
    (j["summary"]["errors"].as_u64().unwrap(), j["summary"]["warnings"].as_u64().unwrap(), notes, findings)
}

/// samples/攀枝花市科学技术协会2024.xlsx is published in 万元 and checks with
/// no error, only rounding notes. In 元 its notes stay notes: 0.01 万元 is
/// compared with the 万元 envelope (50 元 per amount), not as a 100 元 error.
#[test]
fn wan_yuan_to_yuan_keeps_the_wan_yuan_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("samples/攀枝花市科学技术协会2024.xlsx");
    let out = dir.path().join("元.xlsx");
    let o = bin().arg("convert").arg(&src).arg("-o").arg(&out).args(["--unit", "元"]).output().unwrap();
    let console = text(&o);
    assert_eq!(o.status.code(), Some(0), "{console}");
    assert!(console.contains("金额保留万元的舍位精度"), "{console}");
    let (errors, warnings, notes, _) = audit(&src);
    assert_eq!((errors, warnings), (0, 0));
    assert!(notes > 0, "the sample has rounding notes to carry over");
    let (e, w, n, findings) = audit(&out);
    assert_eq!((e, w, n), (0, 0, notes), "{findings:#}");
    // The unit line carries the precision for any reader of the workbook.
    let wb = juesuan::workbook::open(&out).unwrap();
    let marked =
        wb.sheets[0].rows().any(|(_, c)| c.iter().any(|(_, v)| v.text() == "单位：元（由万元折算）"));
    assert!(marked);
    // And back to 万元: the amounts are whole cents of 万元 again, nothing to balance.
    let back = dir.path().join("万元.xlsx");
    let o = bin().arg("convert").arg(&out).arg("-o").arg(&back).args(["--unit", "万元"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (e, w, n, findings) = audit(&back);
    assert_eq!((e, w, n), (0, 0, notes), "{findings:#}");
}

/// A 元 department whose amounts are arbitrary cents (every equality exact):
/// `seed 000` in 元 times 1.1234.
fn yuan_department() -> juesuan::model::Department {
    let mut d = juesuan::samples::scaled(&seed("000", true), 1, "某局");
    d.convert_unit(Unit::Yuan);
    let f = Decimal::new(11234, 4);
    for t in d.tables.values_mut() {
        for r in &mut t.rows {
            for a in r.cells.values_mut() {
                a.value = (a.value * f).normalize();
            }
        }
    }
    d
}

/// To 万元: every amount is stored with at most two decimals, the tables
/// still add up (no error, no rounding note in `check` of the output), and
/// the amounts written differently from ordinary rounding are in 舍位调整
/// and in the JSON.
#[test]
fn yuan_to_wan_yuan_rounds_to_the_cent_and_balances() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("某局.xlsx");
    write(&src, &yuan_department(), Unit::Yuan, Style::default());
    let (e, w, n, findings) = audit(&src);
    assert_eq!((e, w, n), (0, 0, 0), "the 元 input is exact: {findings:#}");
    let out = dir.path().join("某局_万元.xlsx");
    let o = bin()
        .arg("convert")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .args(["--unit", "万元", "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let adjusted = json(&o)["adjustments"].as_array().unwrap().len();
    assert!(adjusted > 0, "ordinary rounding alone breaks some sums of this department");
    let (e, w, n, findings) = audit(&out);
    assert_eq!((e, w, n), (0, 0, 0), "{findings:#}");
    let wb = juesuan::workbook::open(&out).unwrap();
    // 舍位调整 lists the exact amounts on purpose; the tables hold cents.
    for s in wb.sheets.iter().filter(|s| &*s.name != "舍位调整") {
        for (r, cells) in s.rows() {
            for (c, v) in cells {
                if let Value::Number(d) = v {
                    assert_eq!(*d, d.round_dp(2), "{}!{r},{c} stored with more than 2 decimals", s.name);
                }
            }
        }
    }
    let sheet = wb.sheets.iter().find(|s| &*s.name == "舍位调整").expect("舍位调整 sheet");
    assert_eq!(sheet.rows().count(), adjusted + 1, "a header and one row per adjustment");
}
