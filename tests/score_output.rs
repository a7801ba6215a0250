//! What `score` hands the officer: a flat list whose budget execution sits on
//! its own sheet, numbers stored as numbers, sheet names cut at a boundary,
//! thirteen-table workbooks skipped with a note, a closing summary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

mod support;

use std::path::Path;

use support::{bin, copy, text};

/// A workbook with one sheet per `(name, rows)`.
fn write(path: &Path, sheets: &[(&str, &[&[&str]])]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, t) in row.iter().enumerate() {
                if !t.is_empty() {
                    ws.write_string(r as u32, c as u16, *t).unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

const HEADER: &[&str] = &[
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "指标值",
    "度量单位",
    "完成值",
    "权重",
    "得分",
];

fn flat_with_budget(path: &Path, budget_name: &str) {
    write(
        path,
        &[
            (
                "指标",
                &[
                    HEADER,
                    &[
                        "51340022T000000278908-项目丙",
                        "产出指标",
                        "数量指标",
                        "场次",
                        "≥",
                        "10",
                        "场",
                        "10",
                        "50",
                        "50",
                    ],
                    &["", "效益指标", "社会效益指标", "覆盖人数", "≥", "100", "人", "100", "40", "40"],
                ],
            ),
            (
                "预算执行",
                &[
                    &["项目名称", "年初预算", "调整后预算数", "预算执行数", "权重", "得分"],
                    &[budget_name, "100", "100", "90", "10", "9"],
                ],
            ),
        ],
    );
}

#[test]
fn flat_list_takes_its_budget_rows_from_their_own_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("flat.xlsx");
    flat_with_budget(&p, "项目丙");
    let o = bin()
        .arg("score")
        .arg(&p)
        .arg("-o")
        .arg(dir.path().join("o.xlsx"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ps = j["projects"].as_array().unwrap();
    assert_eq!(ps.len(), 1, "the budget sheet is not a project: {j}");
    assert_eq!(ps[0]["budget"]["rate"], "90.00", "{j}");
    assert_eq!(ps[0]["budget"]["computed_score"], "9.00", "{j}");
    assert_eq!(ps[0]["computed_total"], "99.00", "scored out of 100, not 90: {j}");

    // A budget row naming no project is said, not dropped.
    let q = dir.path().join("other.xlsx");
    flat_with_budget(&q, "项目戊");
    let o = bin().arg("score").arg(&q).arg("-o").arg(dir.path().join("o2.xlsx")).output().unwrap();
    let t = text(&o);
    assert!(t.contains("“项目戊”找不到同名或同编码的项目"), "{t}");
}

#[test]
fn score_workbook_holds_numbers_and_readable_sheet_names() {
    use calamine::{Data, Reader, open_workbook_auto};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("评分.xlsx");
    let o = bin()
        .arg("score")
        .arg(support::root().join("samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let t = text(&o);
    let last = t.lines().last().unwrap();
    assert!(last.starts_with("已写出：") && last.contains("评分.xlsx"), "{t}");
    assert!(t.contains("评分完成：项目 21 个"), "{t}");

    let mut wb = open_workbook_auto(&out).unwrap();
    let names = wb.sheet_names();
    assert!(names.contains(&"03 州本级离退休费支出".to_string()), "{names:?}");
    let summary = wb.worksheet_range(&names[0]).unwrap();
    // 自评得分, 计算得分, 差额 are numbers (sortable, summable).
    for c in 3..=5 {
        assert!(matches!(summary.get((1, c)), Some(Data::Float(_))), "column {c}: {:?}", summary.get((1, c)));
    }
    // The 预算执行率 of a project sheet is a number shown as a percentage.
    let sheet = wb.worksheet_range("01 州本级单位缴费").unwrap();
    let rate =
        sheet.rows().flat_map(|r| r.iter()).find(|v| matches!(v, Data::Float(f) if (*f - 1.0).abs() < 1e-9));
    assert!(rate.is_some(), "100.00% stored as 1.0");
}

#[test]
fn thirteen_table_workbooks_in_a_score_folder_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    copy("samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx", &dir.path().join("in/自评.xlsx"));
    copy("samples/凉山州科学技术协会2023.xlsx", &dir.path().join("in/决算.xlsx"));
    let o = bin()
        .arg("score")
        .arg(dir.path().join("in"))
        .arg("-o")
        .arg(dir.path().join("o.xlsx"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["unreadable"].as_array().unwrap().is_empty(), "{j}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("决算.xlsx：是十三张表的部门决算工作簿"), "{err}");
    assert_eq!(o.status.code(), Some(1), "the seed sheets have error findings, nothing unreadable");
}
