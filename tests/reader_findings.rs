//! The reader's own findings, each with a passing and a failing fixture
//! asserted by id, and the published layouts that used to lose a table
//! (T8 under a `人员经费 | 公用经费` group header).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::path::{Path, PathBuf};

use juesuan::config::Templates;
use juesuan::model::Department;
use juesuan::model::extract::read_department;
use rust_decimal::Decimal;

mod support;

/// A cell of a hand-made sheet.
#[derive(Clone)]
enum C {
    T(&'static str),
    N(f64),
}

/// Writes rows of cells (row, first column, cells) to one sheet; merges are (r0, c0, r1, c1, text).
fn sheet(path: &Path, rows: &[(u32, u16, Vec<C>)], merges: &[(u32, u16, u32, u16, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let f = rust_xlsxwriter::Format::new();
    for (r0, c0, r1, c1, t) in merges {
        ws.merge_range(*r0, *c0, *r1, *c1, t, &f).unwrap();
    }
    for (r, c0, cells) in rows {
        for (i, c) in cells.iter().enumerate() {
            let col = *c0 + i as u16;
            match c {
                C::T("") => {}
                C::T(t) => {
                    ws.write_string(*r, col, *t).unwrap();
                }
                C::N(n) => {
                    ws.write_number(*r, col, *n).unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

fn read(path: &Path) -> Department {
    let t = Templates::embedded();
    let wb = juesuan::workbook::open(path).unwrap();
    read_department(&wb, &t.layouts, &t.messages)
}

fn ids(d: &Department) -> Vec<String> {
    d.findings.iter().map(|f| f.rule.clone()).collect()
}

fn tmp(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

use C::{N, T};

/// T8 as usually published: a group header row over side-by-side blocks, the
/// footer naming both totals. `blocks` is 2 or 3; `group` writes the group row.
fn t8_published(path: &Path, blocks: usize, group: bool, merged: bool) {
    let mut rows: Vec<(u32, u16, Vec<C>)> = vec![
        (0, 0, vec![T("一般公共预算财政拨款基本支出决算表")]),
        (1, 0, vec![T("编制单位：某局"), T(""), T(""), T(""), T(""), T("金额单位：万元")]),
    ];
    let mut merges = Vec::new();
    let h = if group { 3 } else { 2 };
    if group {
        if merged {
            merges.push((2, 0, 2, 2, "人员经费"));
            merges.push((2, 3, 2, (3 * blocks - 1) as u16, "公用经费"));
        } else {
            rows.push((2, 0, vec![T("人员经费"), T(""), T(""), T("公用经费")]));
        }
    }
    let mut hdr = Vec::new();
    for _ in 0..blocks {
        hdr.extend([T("经济分类科目编码"), T("科目名称"), T("决算数")]);
    }
    rows.push((h, 0, hdr));
    let mut body = vec![
        vec![T("301"), T("工资福利支出"), N(95.36), T("302"), T("商品和服务支出"), N(8.23)],
        vec![T("30101"), T("基本工资"), N(95.36), T("30201"), T("办公费"), N(8.23)],
    ];
    if blocks == 3 {
        body[0].extend([T("310"), T("资本性支出"), N(2.0)]);
        body[1].extend([T("31002"), T("办公设备购置"), N(2.0)]);
    }
    for (i, b) in body.into_iter().enumerate() {
        rows.push((h + 1 + i as u32, 0, b));
    }
    rows.push((h + 3, 0, vec![T("人员经费合计"), T(""), N(95.36), T("公用经费合计"), T(""), N(10.23)]));
    sheet(path, &rows, &merges);
}

#[test]
fn t8_published_with_a_group_header_reads_every_block() {
    let dir = tempfile::tempdir().unwrap();
    for blocks in [2, 3] {
        for (group, merged) in [(false, false), (true, false), (true, true)] {
            let p = tmp(&dir, &format!("t8_{blocks}_{group}_{merged}.xlsx"));
            t8_published(&p, blocks, group, merged);
            let d = read(&p);
            let what = format!("{blocks} blocks, group {group}, merged {merged}");
            let t8 = d.table(8).unwrap_or_else(|| panic!("{what}: T8 not read: {:?}", d.findings));
            let v = |code: &str| t8.row_by_code(code).map(|r| r.get("决算数").unwrap().value);
            assert_eq!(v("30101"), Some(Decimal::new(9536, 2)), "{what}");
            assert_eq!(v("30201"), Some(Decimal::new(823, 2)), "{what}");
            if blocks == 3 {
                assert_eq!(v("31002"), Some(Decimal::new(2, 0)), "{what}");
            }
            let f = |l: &str| t8.row_by_label(l).map(|r| r.get("决算数").unwrap().value);
            assert_eq!(f("人员经费合计"), Some(Decimal::new(9536, 2)), "{what}");
            assert_eq!(f("公用经费合计"), Some(Decimal::new(1023, 2)), "{what}");
            assert!(
                !ids(&d).iter().any(|i| i == "table-unconfirmed" || i == "row-unknown"),
                "{what}: {:?}",
                d.findings
            );
        }
    }
}

/// T6 (一般公共预算财政拨款支出决算表) with the given header and rows, under a
/// title block with year and unit unless `bare`.
fn t6(path: &Path, header: &[&'static str], body: Vec<Vec<C>>, bare: bool) {
    let mut rows: Vec<(u32, u16, Vec<C>)> = vec![(0, 0, vec![T("一般公共预算财政拨款支出决算表")])];
    if !bare {
        rows.push((1, 0, vec![T("编制单位：某局"), T("2024年度"), T(""), T("单位：万元")]));
    }
    rows.push((2, 0, header.iter().map(|h| T(h)).collect()));
    for (i, b) in body.into_iter().enumerate() {
        rows.push((3 + i as u32, 0, b));
    }
    sheet(path, &rows, &[]);
}

const T6_HEADER: [&str; 5] = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"];

fn t6_rows() -> Vec<Vec<C>> {
    vec![
        vec![T("合计"), T(""), N(10.0), N(6.0), N(4.0)],
        vec![T("206"), T("科学技术支出"), N(10.0), N(6.0), N(4.0)],
        vec![T("20601"), T("科学技术管理事务"), N(10.0), N(6.0), N(4.0)],
    ]
}

/// The ids of a hand-made T6's findings, with the department read.
fn t6_ids(header: &[&'static str], body: Vec<Vec<C>>, bare: bool) -> (Vec<String>, Department) {
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "t6.xlsx");
    t6(&p, header, body, bare);
    let d = read(&p);
    (ids(&d), d)
}

fn has(ids: &[String], id: &str) -> bool {
    ids.iter().any(|i| i == id)
}

#[test]
fn clean_t6_has_no_reader_finding() {
    let (ids, d) = t6_ids(&T6_HEADER, t6_rows(), false);
    assert!(ids.is_empty(), "{:?}", d.findings);
    assert_eq!(d.department.as_deref(), Some("某局"));
    assert_eq!(d.year, Some(2024));
    // The department remembers its file (`--prior` matching and reports name it).
    assert!(d.path.ends_with("t6.xlsx"), "{}", d.path);
}

#[test]
fn table_unconfirmed_is_an_error_naming_the_header_words_it_lacked() {
    let (ids, d) = t6_ids(&["甲", "乙", "丙"], vec![vec![T("206"), T("x"), N(1.0)]], false);
    assert!(has(&ids, "table-unconfirmed"), "{:?}", d.findings);
    let f = d.findings.iter().find(|f| f.rule == "table-unconfirmed").unwrap();
    assert_eq!(f.severity, juesuan::finding::Severity::Error);
    assert!(f.message.contains("基本支出") && f.message.contains("A1"), "{}", f.message);
    assert_eq!(f.place.table, Some(6), "one candidate table: the finding names it");
    assert!(d.table(6).is_none());
    assert_eq!(d.unreadable, vec![6]);
    // Pass: the standard header.
    assert!(!has(&t6_ids(&T6_HEADER, t6_rows(), false).0, "table-unconfirmed"));
}

#[test]
fn row_unknown_and_row_duplicate() {
    let mut rows = t6_rows();
    rows.push(vec![T(""), T("杂项支出"), N(1.0), N(1.0), N(0.0)]);
    let (ids, d) = t6_ids(&T6_HEADER, rows, false);
    assert!(has(&ids, "row-unknown") && !has(&ids, "row-duplicate"), "{:?}", d.findings);
    let mut rows = t6_rows();
    rows.push(vec![T("20601"), T("科学技术管理事务"), N(1.0), N(1.0), N(0.0)]);
    let (ids, d) = t6_ids(&T6_HEADER, rows, false);
    assert!(has(&ids, "row-duplicate") && !has(&ids, "row-unknown"), "{:?}", d.findings);
}

#[test]
fn column_unknown() {
    let mut header = T6_HEADER.to_vec();
    header.push("其他栏目");
    let rows = t6_rows().into_iter().map(|mut r| {
        r.push(N(0.0));
        r
    });
    let (ids, d) = t6_ids(&header, rows.collect(), false);
    assert!(has(&ids, "column-unknown"), "{:?}", d.findings);
    let f = d.findings.iter().find(|f| f.rule == "column-unknown").unwrap();
    assert_eq!(f.severity, juesuan::finding::Severity::Info);
    assert_eq!((f.place.table, f.place.column.as_deref()), (Some(6), Some("其他栏目")));
}

/// A cell that is not a number is an error naming table, row and column.
#[test]
fn cell_not_number_names_its_table_row_and_column() {
    let mut rows = t6_rows();
    rows[2][3] = T("六万");
    let (ids, d) = t6_ids(&T6_HEADER, rows, false);
    assert!(has(&ids, "cell-not-number"), "{:?}", d.findings);
    let f = d.findings.iter().find(|f| f.rule == "cell-not-number").unwrap();
    assert_eq!(f.severity, juesuan::finding::Severity::Error);
    assert_eq!((f.place.table, f.place.column.as_deref()), (Some(6), Some("基本支出")), "{f:?}");
    assert_eq!(f.cells[0].a1(), "D6");
    // Pass: the number.
    assert!(!has(&t6_ids(&T6_HEADER, t6_rows(), false).0, "cell-not-number"));
}

#[test]
fn year_and_unit_missing_are_warnings_saying_where_they_were_looked_for() {
    let (ids, d) = t6_ids(&T6_HEADER, t6_rows(), true);
    assert!(has(&ids, "year-missing") && has(&ids, "unit-missing"), "{:?}", d.findings);
    let y = d.findings.iter().find(|f| f.rule == "year-missing").unwrap();
    assert!(
        y.message.contains("标题行") && y.severity == juesuan::finding::Severity::Warning,
        "{}",
        y.message
    );
    let (ids, _) = t6_ids(&T6_HEADER, t6_rows(), false);
    assert!(!has(&ids, "year-missing") && !has(&ids, "unit-missing"));
}

#[test]
fn department_never_from_a_title_alias() {
    let dir = tempfile::tempdir().unwrap();
    // `部门收支决算总表` is T1's alias: `部门` there is not a label.
    let p = tmp(&dir, "alias.xlsx");
    sheet(
        &p,
        &[
            (0, 0, vec![T("部门收支决算总表")]),
            (1, 0, vec![T("2024年度"), T(""), T("单位：万元")]),
            (2, 0, vec![T("收入"), T(""), T("支出")]),
            (3, 0, vec![T("项目"), T("决算数"), T("项目"), T("决算数")]),
            (4, 0, vec![T("一、一般公共预算财政拨款收入"), N(1.0), T("一、一般公共服务支出"), N(1.0)]),
        ],
        &[],
    );
    let d = read(&p);
    assert!(d.table(1).is_some(), "{:?}", d.findings);
    assert_eq!(d.department, None);
    // The title's leading unit name is used when no label names the unit.
    let p = tmp(&dir, "lead.xlsx");
    sheet(
        &p,
        &[
            (0, 0, vec![T("公开06表"), T("某区社会工作部2024年度一般公共预算财政拨款支出决算表")]),
            (1, 0, vec![T("单位：万元")]),
            (2, 0, T6_HEADER.iter().map(|h| T(h)).collect()),
            (3, 0, vec![T("206"), T("科学技术支出"), N(10.0), N(6.0), N(4.0)]),
        ],
        &[],
    );
    let d = read(&p);
    assert_eq!(d.department.as_deref(), Some("某区社会工作部"), "{:?}", d.findings);
    assert_eq!(d.year, Some(2024));
}

#[test]
fn cell_not_number_for_text_and_dates_never_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "date.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
    ws.write_string(1, 0, "2024年度 单位：万元").unwrap();
    for (c, h) in T6_HEADER.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(3, 0, "206").unwrap();
    ws.write_string(3, 1, "科学技术支出").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 1).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write_datetime_with_format(3, 2, &date, &fmt).unwrap();
    ws.write_string(3, 3, "见附件").unwrap();
    ws.write_number(3, 4, 4.0).unwrap();
    wb.save(&p).unwrap();
    let d = read(&p);
    let bad: Vec<(String, String)> = d
        .findings
        .iter()
        .filter(|f| f.rule == "cell-not-number")
        .map(|f| (f.cells[0].a1(), f.message.clone()))
        .collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert_eq!(bad[0].0, "C4");
    assert!(bad[0].1.contains("日期") && bad[0].1.contains("2024-03-01"), "{bad:?}");
    let row = d.table(6).unwrap().row_by_code("206").unwrap();
    assert!(row.get("合计").is_none(), "a date is never an amount (45352)");
    assert!(row.get("基本支出").is_none());
    // Pass: numbers.
    assert!(!has(&t6_ids(&T6_HEADER, t6_rows(), false).0, "cell-not-number"));
}

/// Writes T6 with formulas; `cached` false strips their computed values, as a
/// workbook written by a program and never opened in Excel has none.
fn t6_formulas(path: &Path, cached: bool) {
    use std::io::{Read, Write};
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
    ws.write_string(1, 0, "2024年度 单位：万元").unwrap();
    for (c, h) in T6_HEADER.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (i, code) in ["206", "20601", "20602", "20603", "20604", "20699", "20609"].iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, *code).unwrap();
        ws.write_string(r, 1, "科目").unwrap();
        ws.write_formula(r, 2, rust_xlsxwriter::Formula::new(format!("=D{0}+E{0}", r + 1)).set_result("5"))
            .unwrap();
        ws.write_number(r, 3, 2.0).unwrap();
        ws.write_number(r, 4, 3.0).unwrap();
    }
    let tmp = path.with_extension("tmp.xlsx");
    wb.save(&tmp).unwrap();
    let mut zin = zip::ZipArchive::new(std::fs::File::open(&tmp).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name.starts_with("xl/worksheets/") && !cached {
            data = String::from_utf8(data).unwrap().replace("<v>5</v>", "").into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zout.write_all(&data).unwrap();
    }
    zout.finish().unwrap();
}

#[test]
fn formulas_without_computed_values_are_one_error_per_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "f.xlsx");
    t6_formulas(&p, false);
    let d = read(&p);
    let f: Vec<_> = d.findings.iter().filter(|f| f.rule == "formula-uncomputed").collect();
    assert_eq!(f.len(), 1, "{:?}", d.findings);
    assert_eq!(f[0].cells.len(), 7);
    assert_eq!(f[0].place.table, Some(6), "the finding names its table");
    assert!(
        f[0].message.contains('7') && f[0].message.contains("C4") && f[0].message.contains("保存"),
        "{}",
        f[0].message
    );
    assert!(!has(&ids(&d), "cell-not-number"), "{:?}", d.findings);
    // Pass: the same formulas with their values.
    let p = tmp(&dir, "g.xlsx");
    t6_formulas(&p, true);
    let d = read(&p);
    assert!(ids(&d).is_empty(), "{:?}", d.findings);
    assert_eq!(d.table(6).unwrap().row_by_code("206").unwrap().get("合计").unwrap().value, Decimal::from(5));
}

#[test]
fn table_duplicate_and_table_missing() {
    let dir = tempfile::tempdir().unwrap();
    // Two sheets with the same table.
    let p = tmp(&dir, "dup.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    for _ in 0..2 {
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
        for (c, h) in T6_HEADER.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        ws.write_string(2, 0, "206").unwrap();
        ws.write_number(2, 2, 1.0).unwrap();
    }
    wb.save(&p).unwrap();
    let d = read(&p);
    let dup = d.findings.iter().find(|f| f.rule == "table-duplicate").unwrap();
    assert_eq!(dup.place.table, Some(6), "the finding names its table");
    assert!(!has(&t6_ids(&T6_HEADER, t6_rows(), false).0, "table-duplicate"));

    // Missing tables: a warning, so the file is never `ok`; all thirteen: no finding.
    let full = tmp(&dir, "full.xlsx");
    support::write(&full, &support::seed("000", true), juesuan::model::Unit::WanYuan, Default::default());
    let mut part = support::seed("000", true);
    part.tables.retain(|n, _| [1, 2, 3].contains(n));
    let three = tmp(&dir, "three.xlsx");
    support::write(&three, &part, juesuan::model::Unit::WanYuan, Default::default());
    let o = support::bin().arg("check").arg(&full).arg(&three).args(["--json", "-"]).output().unwrap();
    let j = support::json(&o);
    let file = |n: &str| {
        j["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(n))
            .unwrap()
            .clone()
    };
    let rules = |f: &serde_json::Value| -> Vec<(String, String)> {
        f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["rule"].as_str().unwrap().into(), x["severity"].as_str().unwrap().into()))
            .collect()
    };
    let t = file("three.xlsx");
    assert!(rules(&t).contains(&("table-missing".into(), "warning".into())), "{t}");
    assert_eq!(t["status"], "findings");
    assert_eq!(t["missing_tables"], serde_json::json!([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
    let f = file("full.xlsx");
    assert!(!rules(&f).iter().any(|r| r.0 == "table-missing"), "{f}");
    assert_eq!(f["status"], "ok");
}

/// A CFB container holding an `EncryptedPackage` stream: how Excel stores a
/// password-protected xlsx.
fn encrypted_ooxml(path: &Path) {
    use std::io::Write;
    let mut c = cfb::CompoundFile::create(std::fs::File::create(path).unwrap()).unwrap();
    c.create_stream("/EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
    c.create_stream("/EncryptedPackage").unwrap().write_all(&[0u8; 512]).unwrap();
    c.flush().unwrap();
}

/// Files with a workbook extension that are not readable workbooks are
/// unreadable inputs in every output: console, JSON files[] and summary, 分户表.
#[test]
fn file_unreadable_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    std::fs::create_dir_all(&d).unwrap();
    support::write(
        &d.join("a_good.xlsx"),
        &support::seed("000", true),
        juesuan::model::Unit::WanYuan,
        Default::default(),
    );
    std::fs::write(d.join("b_empty.xlsx"), b"").unwrap();
    std::fs::write(d.join("c_text.xlsx"), "这是一份说明，不是工作簿".as_bytes()).unwrap();
    let good = std::fs::read(d.join("a_good.xlsx")).unwrap();
    std::fs::write(d.join("d_truncated.xlsx"), &good[..good.len() / 2]).unwrap();
    std::fs::copy(support::root().join("tests/fixtures/reader/encrypted.xls"), d.join("e_encrypted.xls"))
        .unwrap();
    encrypted_ooxml(&d.join("f_encrypted.xlsx"));
    std::fs::write(d.join("notes.txt"), b"not a submission").unwrap();
    let o = support::bin().arg("check").arg(&d).args(["--json", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let j = support::json(&o);
    assert_eq!(j["summary"]["unreadable"], 5, "{j}");
    assert_eq!(j["summary"]["files"], 6, "{j}");
    let files = j["files"].as_array().unwrap();
    let err = |n: &str| {
        let f = files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(n))
            .unwrap_or_else(|| panic!("{n} not in files[]"));
        assert_eq!(f["status"], "unreadable", "{f}");
        f["error"].as_str().unwrap().to_string()
    };
    assert!(err("b_empty.xlsx").contains("0 字节"));
    assert!(err("c_text.xlsx").contains("不是 Excel 工作簿"));
    assert!(err("d_truncated.xlsx").contains("损坏"));
    for n in ["e_encrypted.xls", "f_encrypted.xlsx"] {
        let e = err(n);
        assert!(e.contains("加密/需要密码：请去除打开密码后重新报送"), "{n}: {e}");
    }
    // The console names each of them.
    let o = support::bin().arg("check").arg(&d).output().unwrap();
    let out = support::text(&o);
    for n in ["b_empty.xlsx", "c_text.xlsx", "d_truncated.xlsx", "e_encrypted.xls", "f_encrypted.xlsx"] {
        assert!(out.contains(n), "{n}: {out}");
    }
    // 分户表: every input has a row; the unreadable ones with their reason and no tables read.
    let out_xlsx = dir.path().join("county.xlsx");
    let o = support::bin().arg("consolidate").arg(&d).arg("-o").arg(&out_xlsx).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", support::text(&o));
    let wb = juesuan::workbook::open(&out_xlsx).unwrap();
    let units = wb.sheets.iter().find(|s| &*s.name == "分户表").unwrap();
    let header: Vec<String> = units.row(0).unwrap().iter().map(|(_, v)| v.text()).collect();
    let col =
        |h: &str| header.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} in {header:?}")) as u32;
    let (read_c, missing_c) = (col("已读取的表"), col("缺少或无法读取的表"));
    let rows: Vec<(String, String, String)> = units
        .rows()
        .skip(1)
        // Unit rows are numbered; subtotal and 合计 rows are not.
        .filter(|(r, _)| !units.get(*r, 0).text().is_empty())
        .map(|(r, _)| (units.get(r, 1).text(), units.get(r, read_c).text(), units.get(r, missing_c).text()))
        .collect();
    assert_eq!(rows.len(), 6, "{rows:?}");
    assert!(rows.iter().any(|r| r.0.ends_with("a_good.xlsx") && r.1 == "1–13" && r.2.is_empty()), "{rows:?}");
    assert!(
        rows.iter().any(|r| r.0.ends_with("e_encrypted.xls") && r.1.is_empty() && r.2 == "1–13"),
        "{rows:?}"
    );
}

/// 分户表 says which tables each input had; the console counts inputs missing tables.
#[test]
fn consolidate_lists_tables_read_and_missing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    let seed = support::seed("000", true);
    support::write(&d.join("a.xlsx"), &seed, juesuan::model::Unit::WanYuan, Default::default());
    let mut no8 = seed.clone();
    no8.tables.remove(&8);
    support::write(&d.join("b.xlsx"), &no8, juesuan::model::Unit::WanYuan, Default::default());
    let out = dir.path().join("county.xlsx");
    let o = support::bin().arg("consolidate").arg(&d).arg("-o").arg(&out).output().unwrap();
    let t = support::text(&o);
    assert!(t.contains("缺表的输入：T08 1 个"), "{t}");
    let wb = juesuan::workbook::open(&out).unwrap();
    let units = wb.sheets.iter().find(|s| &*s.name == "分户表").unwrap();
    let b = units.rows().find(|(r, _)| units.get(*r, 1).text().ends_with("b.xlsx")).unwrap().0;
    // After the 冲抵 columns (15, 16).
    assert_eq!(units.get(b, 17).text(), "1–7, 9–13");
    assert_eq!(units.get(b, 18).text(), "8");
    let a = units.rows().find(|(r, _)| units.get(*r, 1).text().ends_with("a.xlsx")).unwrap().0;
    assert_eq!(units.get(a, 17).text(), "1–13");
    assert_eq!(units.get(a, 18).text(), "");

    // A T8 whose header cannot be read: left out of the totals, said so in 分户表.
    let bad = d.join("c.xlsx");
    support::write(&bad, &seed, juesuan::model::Unit::WanYuan, Default::default());
    let wb = juesuan::workbook::open(&bad).unwrap();
    let mut x = rust_xlsxwriter::Workbook::new();
    for sh in &wb.sheets {
        let ws = x.add_worksheet().set_name(&*sh.name).unwrap();
        for (r, cells) in sh.rows() {
            for (c, v) in cells {
                let t = v.text();
                match v {
                    juesuan::workbook::Value::Number(n) => {
                        ws.write_number(r, *c as u16, n.to_string().parse::<f64>().unwrap()).unwrap();
                    }
                    _ if sh.name.starts_with("08") && r > 1 && !t.chars().any(|ch| ch.is_ascii_digit()) => {
                        ws.write_string(r, *c as u16, format!("栏{c}")).unwrap();
                    }
                    _ => {
                        ws.write_string(r, *c as u16, t).unwrap();
                    }
                }
            }
        }
    }
    x.save(&bad).unwrap();
    let o = support::bin().arg("consolidate").arg(&d).arg("-o").arg(&out).output().unwrap();
    let t = support::text(&o);
    assert!(t.contains("缺表的输入：T08 2 个"), "{t}");
    let wb = juesuan::workbook::open(&out).unwrap();
    let units = wb.sheets.iter().find(|s| &*s.name == "分户表").unwrap();
    let c = units.rows().find(|(r, _)| units.get(*r, 1).text().ends_with("c.xlsx")).unwrap().0;
    assert_eq!(units.get(c, 18).text(), "8（无法读取）");
}

/// `.xls` and `.ods` whose used range starts at C4, not A1: every amount keeps
/// its absolute address (calamine's ranges are relative to their start).
#[test]
fn xls_and_ods_not_starting_at_a1_keep_absolute_addresses() {
    let t = Templates::embedded();
    let seed = juesuan::samples::seed_department(
        &serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(support::root().join("samples/src/seed_tables.json")).unwrap(),
        )
        .unwrap()["000"],
        &t.layouts,
        false,
    );
    let plain = seed.table(2).unwrap().row_by_label("合计").unwrap().get("本年收入合计").unwrap().value;
    for name in ["offset.xls", "offset.ods"] {
        let d = read(&support::root().join("tests/fixtures/reader").join(name));
        assert_eq!(d.tables.len(), 13, "{name}: {:?}", d.findings);
        assert!(d.findings.is_empty(), "{name}: {:?}", d.findings);
        let a = d.table(2).unwrap().row_by_label("合计").unwrap().get("本年收入合计").unwrap();
        assert_eq!((a.at.a1().as_str(), a.value), ("E8", plain), "{name}");
        assert_eq!(d.table(2).unwrap().title_at.a1(), "C4", "{name}");
    }
}

/// `check` on a fresh folder with one workbook per layout variant (each switch
/// of `Style::variant` alone, and all of them together) finds all thirteen
/// tables in every file and no reader finding.
#[test]
fn check_finds_all_thirteen_tables_in_every_variant() {
    let dir = tempfile::tempdir().unwrap();
    let seed = support::seed("002", true);
    let mut variants: Vec<u32> = (0..15).map(|b| 1 << b).collect();
    variants.push((1 << 15) - 1);
    for bits in &variants {
        let style = juesuan::report::standard::Style::variant(*bits);
        support::write(
            &dir.path().join(format!("v{bits:05}.xlsx")),
            &seed,
            juesuan::model::Unit::WanYuan,
            style,
        );
    }
    let o = support::bin().arg("check").arg(dir.path()).args(["--json", "-"]).output().unwrap();
    let j = support::json(&o);
    let files = j["files"].as_array().unwrap();
    assert_eq!(files.len(), variants.len());
    // Every tool-level id (templates/findings.toml) is a reading problem here.
    let reader_ids: &[&str] = juesuan::finding::TOOL_IDS;
    for f in files {
        assert_eq!(f["tables"].as_array().unwrap().len(), 13, "{}", f["path"]);
        let bad: Vec<&serde_json::Value> = f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| reader_ids.contains(&x["rule"].as_str().unwrap()) || x["severity"] == "error")
            .collect();
        assert!(bad.is_empty(), "{}: {bad:?}", f["path"]);
    }
}

/// Codes split over 类 | 款 | 项 columns read whether the pieces are text or
/// numbers (`206`, `1` → `20601`): spreadsheets often store them as numbers.
#[test]
fn split_codes_written_as_numbers_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "split.xlsx");
    let mut rows: Vec<(u32, u16, Vec<C>)> = vec![
        (0, 0, vec![T("一般公共预算财政拨款支出决算表")]),
        (1, 0, vec![T("编制单位：某局"), T("2024年度"), T(""), T("单位：万元")]),
        (3, 0, vec![T("类"), T("款"), T("项")]),
        (4, 3, vec![T("合计"), N(10.0), N(6.0), N(4.0)]),
    ];
    let body = [
        vec![N(206.0), T(""), T(""), T("科学技术支出")],
        // A stray zero-width space in 项 is no piece of the code.
        vec![N(206.0), N(1.0), T("\u{200B}"), T("科学技术管理事务")],
        vec![N(206.0), N(1.0), N(1.0), T("行政运行")],
    ];
    for (i, mut b) in body.into_iter().enumerate() {
        b.extend([N(10.0), N(6.0), N(4.0)]);
        rows.push((5 + i as u32, 0, b));
    }
    let merges = [
        (2, 0, 2, 2, "科目编码"),
        (2, 3, 3, 3, "科目名称"),
        (2, 4, 3, 4, "合计"),
        (2, 5, 3, 5, "基本支出"),
        (2, 6, 3, 6, "项目支出"),
    ];
    sheet(&p, &rows, &merges);
    let d = read(&p);
    let t6 = d.table(6).unwrap_or_else(|| panic!("{:?}", d.findings));
    for code in ["206", "20601", "2060101"] {
        assert!(t6.row_by_code(code).is_some(), "{code}: {:?} {:?}", t6.rows, d.findings);
    }
    assert!(ids(&d).is_empty(), "{:?}", d.findings);
}

/// Merged ranges reach the header through the batch reader (`check::read_file`,
/// which reads them only for sheets that may hold a table): 基本支出 spans
/// only its own column, so 公用经费 beside it is no part of it. Without the
/// merges the reader would guess that 基本支出 spans right over the blank
/// (`基本支出/公用经费`). A cover sheet naming no table gets no merges read.
#[test]
fn merged_ranges_reach_the_header_through_the_batch_reader() {
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "merged_header.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let f = rust_xlsxwriter::Format::new();
    let cover = wb.add_worksheet().set_name("封面").unwrap();
    cover.merge_range(0, 0, 0, 5, "某局2024年度部门决算", &f).unwrap();
    let ws = wb.add_worksheet().set_name("表6").unwrap();
    ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
    for (c, h) in ["科目编码", "科目名称", "合计"].iter().enumerate() {
        ws.merge_range(1, c as u16, 2, c as u16, h, &f).unwrap();
    }
    ws.write_string(1, 3, "基本支出").unwrap();
    ws.write_string(2, 3, "人员经费").unwrap();
    ws.write_string(2, 4, "公用经费").unwrap();
    ws.write_string(3, 0, "201").unwrap();
    ws.write_string(3, 1, "一般公共服务支出").unwrap();
    for (c, v) in [(2u16, 10.0), (3, 6.0), (4, 4.0)] {
        ws.write_number(3, c, v).unwrap();
    }
    wb.save(&p).unwrap();

    let t = Templates::embedded();
    let d = juesuan::check::read_file(&p, &t).unwrap_or_else(|r| panic!("{:?}", r.status));
    let t6 = d.table(6).unwrap_or_else(|| panic!("{:?}", d.findings));
    let paths: Vec<&str> = t6.columns.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["合计", "基本支出/人员经费", "公用经费"], "{:?}", d.findings);

    let want = |s: &juesuan::workbook::Sheet| juesuan::model::extract::may_hold_table(s, &t.layouts);
    let wb = juesuan::workbook::open_with(&p, &want).unwrap();
    assert!(wb.sheets[0].merges.is_empty(), "the cover needs no merges");
    assert_eq!(wb.sheets[1].merges.len(), 3);
    assert_eq!(juesuan::workbook::open(&p).unwrap().sheets[0].merges.len(), 1);
}
