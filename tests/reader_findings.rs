//! The reader's own findings, each with a passing and a failing fixture
//! asserted by id, and the published layouts that used to lose a table
//! (T8 under a `人员经费 | 公用经费` group header).

use std::path::{Path, PathBuf};

use juesuan::model::Department;
use juesuan::model::extract::read_department;
use juesuan::template::Templates;
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
        ws.merge_range(*r0, *c0, *r1, *c1, *t, &f).unwrap();
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
