//! `juesuan score` on the 21 seed sheets (scoring.md §5.8), on the national 附1
//! layout, a flat indicator list and a department-wide table; output workbook
//! and JSON; the cross-check with the 13 tables.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::path::{Path, PathBuf};

use serde_json::Value;

mod support;
use support::bin;

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
    // Sheets 12 and 19: wrong totals; the other §5.8 rule totals.
    for (i, total) in [(11usize, "89.47"), (18, "100.00")] {
        assert!(rules_of(&projects[i]).contains(&"S02".to_string()), "sheet {}", i + 1);
        assert_eq!(projects[i]["computed_total"], total, "sheet {}", i + 1);
    }
    assert_eq!(projects[11]["grade"], "良", "sheet 12: 99 printed, 89.47 by the rule");
    assert_eq!(projects[11]["difference"], "-9.53");
    assert_eq!(projects[9]["computed_total"], "99.47", "sheet 10 with keep_reported");
    for i in [0usize, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 19] {
        assert_eq!(projects[i]["computed_total"], "100.00", "sheet {}", i + 1);
    }
    assert_eq!(projects[19]["indicators"][2]["computed_score"], "10.00", "sheet 20: 时效 met → 10, not 9");
    assert_eq!(projects[0]["budget"]["rate"], "100.00");
    assert_eq!(projects[0]["budget"]["adjusted"], "86.5");
    assert_eq!(projects[0]["budget"]["computed_score"], "10.00");
    let count =
        |id: &str| projects.iter().map(|p| rules_of(p).iter().filter(|r| *r == id).count()).sum::<usize>();
    assert_eq!(count("S02"), 2, "2 of 21 totals are wrong");
    assert_eq!(count("S10"), 14, "14 rows deviate from the rule");
    assert_eq!(count("S05"), 10, "10 strict-boundary rows");
    assert_eq!(count("S04"), 7, "7 full-marks-with-blank rows");
    assert_eq!(count("S20"), 1, "12-7: a deduction on a blank 完成值");
    assert_eq!(count("S01"), 1, "sheet 18: 20 points on a weight of 10");
    assert_eq!(count("S13"), 1, "sheet 16's stray row");
    assert_eq!(count("S06"), 1, "sheet 14-4: blank 指标性质");
    assert_eq!(count("S19"), 1, "14-1: ＝16 with 16.2");
    assert_eq!(count("S11"), 12, "every sheet but 1–6 (人员类, exempt) and 7–9 departs from 50/30/10");
    assert_eq!(count("S12"), 6, "over-achievement above 20 % (§3.1 F without 14-1)");
    assert!(rules_of(&projects[20]).contains(&"S14".to_string()), "sheet 21: 可持续影响 under 产出");
    let strict: Vec<String> = projects
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap())
        .filter(|f| f["rule"] == "S05")
        .map(|f| f["cells"][0]["sheet"].as_str().unwrap()[..2].to_string())
        .collect();
    assert_eq!(strict, ["10", "13", "13", "13", "14", "15", "16", "17", "19", "21"], "§3.1 B");
    let per_project_errors: u64 = projects.iter().map(|p| p["errors"].as_u64().unwrap()).sum();
    assert_eq!(per_project_errors, j["summary"]["errors"].as_u64().unwrap());
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
    // The 汇总 row of sheet 12: reported 99, computed 89.47, difference, grade, counts.
    let summary = &wb.sheets[0];
    let row: Vec<String> = (0..9).map(|c| summary.get(12, c).text()).collect();
    assert_eq!(row[3..9], ["99", "89.47", "-9.53", "良", "4", "4"], "{row:?}");
    // The text rows of the form survive the round trip (评价结论 …, 项目负责人 | 财务负责人).
    assert!(last.rows().any(|(_, c)| c.iter().any(|(_, v)| v.text() == "项目负责人")));
    assert!(last.rows().any(|(_, c)| c.iter().any(|(_, v)| v.text().contains("保姆更换频率高"))));
    // Reading our own output back scores the same.
    let (_, again) = run_json(&[out.as_os_str(), "-o".as_ref(), dir.path().join("again.xlsx").as_os_str()]);
    assert_eq!(again["projects"][20]["computed_total"], "99.21");
    assert_eq!(again["summary"], j["summary"], "same findings from our own output");
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
    let d = &j["department_tables"][0];
    let f = d["findings"].as_array().unwrap();
    let msgs: Vec<&str> = f.iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert_eq!(f.len(), 3, "{msgs:?}");
    assert!(f.iter().all(|x| x["rule"] == "S15"));
    assert!(msgs.iter().any(|m| m.contains("超过分值")));
    assert!(msgs.iter().any(|m| m.contains("各项得分之和 98")));
    assert!(msgs.iter().any(|m| m.contains("应为“优”")));
    assert_eq!(d["computed_total"], "98.00");
    assert_eq!(d["reported_grade"], "良");
    assert_eq!(f[0]["cells"][0]["cell"], "C3");
}

/// The 衡阳 table of seed 004 as printed (spaced labels, 评价得分, 10.00 分值): it adds up.
#[test]
fn department_wide_table_of_seed_004_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("衡阳.xlsx");
    write(
        &p,
        &[
            &["市科协2024年度部门整体支出绩效评价得分情况表"],
            &["评价内容", "分 值", "评价得分"],
            &["投 入", "10.00", "9"],
            &["过 程", "30.00", "30"],
            &["产 出", "30.00", "29"],
            &["效 果", "30.00", "29"],
            &["合  计", "100.00", "97"],
            &["综合绩效级别", "优", ""],
        ],
    );
    let out = dir.path().join("o.xlsx");
    let (code, j) = run_json(&[p.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(code, Some(0), "{j}");
    let d = &j["department_tables"][0];
    assert_eq!(d["rows"].as_array().unwrap().len(), 4);
    assert_eq!(d["computed_total"], "97.00");
    assert_eq!(d["grade"], "优");
    assert!(d["findings"].as_array().unwrap().is_empty(), "{d}");
    let wb = juesuan::workbook::open(&out).unwrap();
    assert!(wb.sheets.iter().any(|s| &*s.name == "部门整体"));
}

/// With the department's tables: Σ projects' 财政资金 execution vs T9 and T6 项目支出.
#[test]
fn cross_check_with_the_final_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let tables = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/凉山州科学技术协会2023.xlsx");
    let (code, j) = run_json(&[
        sample().as_os_str(),
        "-o".as_ref(),
        dir.path().join("o.xlsx").as_os_str(),
        "--tables".as_ref(),
        tables.as_os_str(),
    ]);
    let s16: Vec<&Value> = j["cross_check"].as_array().unwrap().iter().collect();
    assert_eq!(s16.len(), 2, "T9 and T6 both compared");
    assert!(s16.iter().all(|f| f["rule"] == "S16" && f["severity"] == "warning"));
    let m = s16[0]["message"].as_str().unwrap();
    // Σ 21 projects 899.59, of which 人员类/运转类 (R, Y codes) 471.81; T9 total 405.06.
    assert!(m.contains("899.59") && m.contains("471.81") && m.contains("405.06"), "{m}");
    assert!(m.contains("人员类、运转类"), "{m}");
    assert_eq!(s16[0]["cells"].as_array().unwrap().len(), 22, "21 project cells and the T9 total");
    assert!(j["projects"].as_array().unwrap().iter().all(|p| !rules_of(p).contains(&"S16".to_string())));
    assert_eq!(code, Some(1), "the seed sheets carry error findings");
}

/// A --tables workbook without T09: the comparison with T09 is reported as not
/// made (`cross-check-unavailable`, a warning naming table, row and column),
/// never passed over as if it agreed; T06 is still compared.
#[test]
fn cross_check_against_a_workbook_without_t9_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("决算.xlsx");
    let mut dep = support::seed("002", false);
    dep.tables.remove(&9);
    support::write(&tables, &dep, juesuan::model::Unit::WanYuan, juesuan::report::standard::Style::default());
    let (_, j) = run_json(&[
        sample().as_os_str(),
        "-o".as_ref(),
        dir.path().join("o.xlsx").as_os_str(),
        "--tables".as_ref(),
        tables.as_os_str(),
    ]);
    let found = j["cross_check"].as_array().unwrap();
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["cross-check-unavailable", "S16"], "{found:?}");
    assert_eq!(found[0]["severity"], "warning");
    let m = found[0]["message"].as_str().unwrap();
    assert!(m.contains("决算.xlsx") && m.contains("“合计”行“决算数”列"), "{m}");
}

/// An unreadable --tables workbook is an unreadable input: reported, outputs written, exit 1.
#[test]
fn unreadable_tables_workbook_does_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("决算.xlsx");
    std::fs::write(&bad, b"not a workbook").unwrap();
    let out = dir.path().join("o.xlsx");
    let (code, j) = run_json(&[
        sample().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--tables".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(j["projects"].as_array().unwrap().len(), 21);
    assert!(j["unreadable"][0]["path"].as_str().unwrap().ends_with("决算.xlsx"));
    assert!(out.exists());
}

/// Two Sichuan-layout projects stacked on one sheet, with really merged 一级/二级
/// cells (filled down and checked against the 一级/二级 map), a text starting with
/// `=` (kept as text, never a formula), next to an unreadable file in the batch.
#[test]
fn stacked_sichuan_projects_with_merged_cells() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a_stacked.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    let mut r = 0u32;
    for (name, level1_of_third, actual, score, total) in
        [("=项目甲", "产出指标", "90", "70", "95"), ("项目乙", "效益指标", "100", "70", "100")]
    {
        let put = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, cells: &[&str]| {
            for (c, t) in cells.iter().enumerate() {
                if !t.is_empty() {
                    ws.write_string(r, c as u16, *t).unwrap();
                }
            }
        };
        put(ws, r, &["部门预算项目支出绩效自评表"]);
        put(ws, r + 1, &["项目名称", name]);
        put(
            ws,
            r + 2,
            &["预算执行情况（10分）", "项目", "年度预算数（万元）", "", "", "预算执行率", "权重", "得分"],
        );
        put(ws, r + 3, &["", "", "年初预算", "调整后预算数", "预算执行数"]);
        put(ws, r + 4, &["", "总额", "10", "10", "10", "100.00%", "10", "10"]);
        put(ws, r + 5, &["", "其中：财政资金", "10", "10", "10", "100.00%", "/", "/"]);
        put(
            ws,
            r + 6,
            &[
                "绩效指标（90分）",
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
        );
        ws.merge_range(r + 7, 1, r + 8, 1, level1_of_third, &f).unwrap();
        put(ws, r + 7, &["", "", "数量指标", "培训人次", "≥", "100", "人次", actual, "70", score]);
        put(ws, r + 8, &["", "", "可持续影响指标", "影响年限", "≥", "2", "年", "2", "10", "10"]);
        put(
            ws,
            r + 9,
            &["", "满意度指标", "服务对象满意度指标", "满意度", "≥", "90", "%", "90%", "10", "10"],
        );
        put(ws, r + 10, &["合计", "", "", "", "", "", "", "", "100", total]);
        put(ws, r + 11, &["评价结论", "较好"]);
        put(ws, r + 12, &["项目负责人", "张三", "", "", "", "财务负责人", "李四"]);
        r += 15;
    }
    wb.save(&p).unwrap();
    let bad = dir.path().join("b_broken.xlsx");
    std::fs::write(&bad, b"PK\x03\x04 truncated").unwrap();
    let out = dir.path().join("o.xlsx");
    let (code, j) = run_json(&[dir.path().as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(code, Some(1), "an unreadable input fails the run, after the others");
    assert!(j["unreadable"][0]["path"].as_str().unwrap().ends_with("b_broken.xlsx"));
    let ps = j["projects"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0]["name"], "=项目甲");
    assert_eq!(ps[0]["indicators"][1]["level1"], "产出指标", "merged 一级 filled down");
    assert!(rules_of(&ps[0]).contains(&"S14".to_string()), "可持续影响 under 产出");
    assert_eq!(ps[0]["indicators"][0]["computed_score"], "63.00", "70 × 90/100");
    assert_eq!(ps[0]["computed_total"], "93.00");
    assert!(rules_of(&ps[0]).contains(&"S02".to_string()), "10 + 70 + 10 + 10 = 100 ≠ 95");
    assert!(!rules_of(&ps[1]).contains(&"S14".to_string()), "可持续影响 under 效益 is right");
    let s14 = ps[0]["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "S14").unwrap();
    assert_eq!(s14["cells"][0]["cell"], "C9");
    let wb = juesuan::workbook::open(&out).unwrap();
    let sheet = wb.sheets.iter().find(|s| s.name.contains("项目甲")).unwrap();
    assert_eq!(sheet.get(1, 1).text(), "=项目甲", "written as text");
    assert!(!sheet.merges.is_empty());
    // English messages.
    let o = bin()
        .args(["--lang", "en", "score"])
        .arg(&p)
        .args(["-o".as_ref(), dir.path().join("en.xlsx").as_os_str()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Second-level indicator under the wrong first level"), "{text}");
}

/// A broken scoring file in `--templates DIR` stops the run with its path and line (exit 2).
#[test]
fn broken_scoring_config_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("score")).unwrap();
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/score/scoring.toml"))
            .unwrap()
            .replace("rounding = \"half_up\"", "rounding = \"often\"");
    let line = text.lines().position(|l| l.contains("often")).unwrap() + 1;
    let cfg = dir.path().join("score/scoring.toml");
    std::fs::write(&cfg, text).unwrap();
    let o = bin()
        .arg("--templates")
        .arg(dir.path())
        .arg("score")
        .arg(sample())
        .args(["-o".as_ref(), dir.path().join("o.xlsx").as_os_str()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("scoring.toml:{line}")), "{err}");
    assert!(!dir.path().join("o.xlsx").exists());
}

/// S03 (weights), S09 (budget 其中 rows vs 总额) and S22 (printed total weight)
/// by id: a seed project clean of all three passes; each mutation fires its
/// own id and only that one of the three.
#[test]
fn weight_and_budget_split_rules_have_a_passing_and_a_failing_fixture() {
    let t = juesuan::config::Templates::embedded();
    let sheets: Value = serde_json::from_str(
        &std::fs::read_to_string(support::root().join("samples/src/seed_scoresheets.json")).unwrap(),
    )
    .unwrap();
    let ids = |p: &juesuan::score::Project| -> Vec<String> {
        let s = juesuan::score::score(p, &t.scoring, &t.messages);
        let mut v: Vec<String> = s
            .findings
            .into_iter()
            .map(|f| f.rule)
            .filter(|r| matches!(r.as_str(), "S03" | "S09" | "S22"))
            .collect();
        v.dedup();
        v
    };
    let projects = juesuan::samples::seed_projects(&sheets);
    let clean = projects
        .iter()
        .find(|p| ids(p).is_empty() && p.budget.len() > 1 && p.total_weight.value().is_some())
        .expect("a seed project with a budget split and a total weight, clean of S03/S09/S22");

    let bump = |c: &mut juesuan::score::Cell, by: i64| {
        c.text = (c.value().unwrap() + rust_decimal::Decimal::from(by)).to_string();
    };
    let mut p = clean.clone();
    let i = p.indicators.iter().position(|i| !i.stray && i.weight.value().is_some()).unwrap();
    bump(&mut p.indicators[i].weight, 5);
    bump(&mut p.total_weight, 5); // the printed total follows: S03 alone
    assert_eq!(ids(&p), ["S03"]);

    let mut p = clean.clone();
    bump(&mut p.total_weight, 1);
    assert_eq!(ids(&p), ["S22"]);

    let mut p = clean.clone();
    let part = p.budget.iter().position(|b| b.executed.value().is_some() && !b.label.contains("总")).unwrap();
    bump(&mut p.budget[part].executed, 7);
    assert_eq!(ids(&p), ["S09"]);
}
