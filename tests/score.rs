//! `juesuan score` on the 21 seed sheets (scoring.md §5.8), on the national 附1
//! layout, a flat indicator list and a department-wide table; output workbook
//! and JSON; the cross-check with the 13 tables.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx")
}

fn run_json(args: &[&std::ffi::OsStr]) -> (Option<i32>, Value) {
    let o = bin().arg("score").args(args).args(["--json", "-"]).output().unwrap();
    (
        o.status.code(),
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr))),
    )
}

fn rules_of(p: &Value) -> Vec<String> {
    p["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

#[test]
fn seed_sheets_reproduce_the_documented_findings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("score.xlsx");
    let (code, j) = run_json(&[sample().as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(code, Some(1), "error findings fail the run");
    let projects = j["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 21);
    // Sheet 21: row 5 → 14.21, total 99.21, 优.
    let s21 = &projects[20];
    assert!(s21["name"].as_str().unwrap().ends_with("天府科技云服务项目"));
    assert_eq!(s21["indicators"][4]["computed_score"], "14.21");
    assert_eq!(s21["indicators"][4]["reported_score"], "13");
    assert_eq!(s21["computed_total"], "99.21");
    assert_eq!(s21["reported_total"], "98");
    assert_eq!(s21["grade"], "优");
    assert_eq!(s21["budget"]["rate"], "100.00");
    assert_eq!(s21["budget"]["computed_score"], "10.00");
    // Sheets 12 and 19: wrong totals.
    for (i, total) in [(11usize, "89.47"), (18, "100.00")] {
        assert!(rules_of(&projects[i]).contains(&"S02".to_string()), "sheet {}", i + 1);
        assert_eq!(projects[i]["computed_total"], total, "sheet {}", i + 1);
    }
    assert_eq!(projects[11]["grade"], "良");
    let count =
        |id: &str| projects.iter().map(|p| rules_of(p).iter().filter(|r| *r == id).count()).sum::<usize>();
    assert_eq!(count("S02"), 2, "2 of 21 totals are wrong");
    assert_eq!(count("S10"), 14, "14 rows deviate from the rule");
    assert_eq!(count("S05"), 10, "10 strict-boundary rows");
    assert_eq!(count("S04"), 7, "7 full-marks-with-blank rows");
    assert_eq!(count("S01"), 1, "sheet 18: 20 points on a weight of 10");
    assert_eq!(count("S13"), 1, "sheet 16's stray row");
    assert_eq!(count("S06"), 1, "sheet 14-4: blank 指标性质");
    assert_eq!(count("S11"), 18, "every sheet but 7–9 departs from 50/30/10");
    assert!(rules_of(&projects[20]).contains(&"S14".to_string()), "sheet 21: 可持续影响 under 产出");
    // Every finding points at cells with sheet and A1, and the summary counts them.
    let f = projects[20]["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "S10").unwrap();
    assert_eq!(f["indicator"], "保姆业务熟练程度");
    assert!(f["cells"][0]["cell"].as_str().unwrap().starts_with('J'), "{f}");
    assert!(j["summary"]["errors"].as_u64().unwrap() >= 11);
    // The workbook: 汇总, 问题清单, one sheet per project with computed scores highlighted.
    let wb = juesuan::workbook::open(&out).unwrap();
    let names: Vec<&str> = wb.sheets.iter().map(|s| &*s.name).collect();
    assert_eq!(names[0], "汇总");
    assert_eq!(names[1], "问题清单");
    assert_eq!(names.len(), 23);
    let last = &wb.sheets[22];
    assert!(last.rows().any(|(_, c)| c.iter().any(|(_, v)| v.text() == "14.21")));
    // Reading our own output back scores the same.
    let (_, again) = run_json(&[out.as_os_str(), "-o".as_ref(), dir.path().join("again.xlsx").as_os_str()]);
    assert_eq!(again["projects"][20]["computed_total"], "99.21");
    // Deterministic bytes.
    let out2 = dir.path().join("score2.xlsx");
    run_json(&[sample().as_os_str(), "-o".as_ref(), out2.as_os_str()]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&out2).unwrap());
}

fn write(path: &Path, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, t) in row.iter().enumerate() {
            if !t.is_empty() {
                ws.write_string(r as u32, c as u16, *t).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

/// The national 附1 layout (operator in front of the target), two projects stacked on one sheet.
#[test]
fn national_layout_and_stacked_projects() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("附1.xlsx");
    let block = |name: &'static str,
                 actual: &'static str,
                 score: &'static str,
                 total: &'static str|
     -> Vec<Vec<&'static str>> {
        vec![
            vec!["项目支出绩效自评表"],
            vec!["项目名称", name],
            vec!["", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            vec!["", "年度资金总额", "100", "100", "90", "10", "90%", "9"],
            vec!["", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            vec!["", "产出指标", "数量指标", "培训人次", "≥100", actual, "90", score],
            vec!["合计", "", "", "", "", "", "100", total],
        ]
    };
    let mut rows: Vec<Vec<&str>> = block("项目甲", "100", "90", "99");
    rows.push(vec![]);
    rows.extend(block("项目乙", "80", "80", "89"));
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    write(&p, &rows);
    let (_, j) = run_json(&[p.as_os_str(), "-o".as_ref(), dir.path().join("o.xlsx").as_os_str()]);
    let ps = j["projects"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0]["budget"]["rate"], "90.00");
    assert_eq!(ps[0]["computed_total"], "99.00");
    assert_eq!(ps[1]["indicators"][0]["computed_score"], "72.00", "90 × 80/100");
    assert!(rules_of(&ps[1]).contains(&"S10".to_string()));
}

/// A flat indicator list (one row per indicator, project name filled down).
#[test]
fn flat_indicator_list() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("flat.xlsx");
    write(
        &p,
        &[
            &[
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
            ],
            &["项目丙", "产出指标", "数量指标", "场次", "≥", "10", "场", "8", "50", "50"],
            &["", "", "质量指标", "合格率", "＞", "95", "%", "95", "40", "40"],
            &["项目丁", "效益指标", "社会效益指标", "覆盖人数", "≥", "100", "人", "120", "90", "90"],
        ],
    );
    let (_, j) = run_json(&[p.as_os_str(), "-o".as_ref(), dir.path().join("o.xlsx").as_os_str()]);
    let ps = j["projects"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0]["indicators"][0]["computed_score"], "40.00");
    assert_eq!(ps[0]["indicators"][1]["level1"], "产出指标", "filled down");
    assert!(rules_of(&ps[0]).contains(&"S05".to_string()));
    assert!(rules_of(&ps[0]).contains(&"S10".to_string()));
}

/// 部门整体支出绩效自评: Σ, score ≤ 分值, grade.
#[test]
fn department_wide_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("整体.xlsx");
    write(
        &p,
        &[
            &["部门整体支出绩效自评表"],
            &["评价内容", "分值", "得分"],
            &["投入", "20", "25"],
            &["过程", "20", "18"],
            &["产出", "30", "28"],
            &["效果", "30", "27"],
            &["合计", "100", "95"],
            &["综合绩效级别", "良"],
        ],
    );
    let (code, j) = run_json(&[p.as_os_str(), "-o".as_ref(), dir.path().join("o.xlsx").as_os_str()]);
    assert_eq!(code, Some(1));
    let f = j["department_tables"][0]["findings"].as_array().unwrap();
    let msgs: Vec<&str> = f.iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert_eq!(f.len(), 3, "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("超过分值")));
    assert!(msgs.iter().any(|m| m.contains("各项得分之和 98")));
    assert!(msgs.iter().any(|m| m.contains("应为“优”")));
}

/// With the department's tables: Σ projects' 财政资金 execution vs T9 and T6 项目支出.
#[test]
fn cross_check_with_the_final_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let tables = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/凉山州科学技术协会2023.xlsx");
    let (_, j) = run_json(&[
        sample().as_os_str(),
        "-o".as_ref(),
        dir.path().join("o.xlsx").as_os_str(),
        "--tables".as_ref(),
        tables.as_os_str(),
    ]);
    let s16: Vec<&Value> = j["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap())
        .filter(|f| f["rule"] == "S16")
        .collect();
    assert_eq!(s16.len(), 2, "T9 and T6 both compared");
    assert!(s16.iter().all(|f| f["severity"] == "warning"));
    assert!(s16[0]["message"].as_str().unwrap().contains("人员类、运转类"));
}
