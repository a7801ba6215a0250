//! 决算说明 (issue 12): the seeds' findings (each verified by hand, see the
//! README), a passing and a failing text per `N` rule, pairing, the JSON and
//! workbook fields, `narrate`, and the property that a draft of a consistent
//! department checks clean while any single corrupted figure is caught at its
//! line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::path::{Path, PathBuf};

use juesuan::config::Templates;
use juesuan::finding::{Finding, Severity};
use juesuan::model::{Department, Unit};
use juesuan::narrative::{check, draft, parse};
use juesuan::report::standard::Style;

mod support;
use support::{bin, json, root, seed, text, write};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/narrative").join(name)
}

/// Checks paragraphs (no workbook unless given).
fn run(lines: &[&str], paired: Option<&Department>, prior: Option<&Department>) -> Vec<Finding> {
    let t = Templates::embedded();
    let ps: Vec<String> = lines.iter().map(|s| (*s).to_string()).collect();
    let st = parse::statements(&ps, &t.narrative);
    check::check(&st, &t.narrative, &t.rules, &t.messages, paired, prior)
}

fn errors(f: &[Finding]) -> Vec<(usize, &str)> {
    f.iter().filter(|x| x.severity == Severity::Error).map(|x| (x.line.unwrap(), x.rule.as_str())).collect()
}

fn check_json(args: &[&Path]) -> serde_json::Value {
    let mut c = bin();
    c.arg("check");
    for a in args {
        c.arg(a);
    }
    let o = c.args(["--json", "-"]).output().unwrap();
    text(&o);
    json(&o)
}

/// Every error reported on the five seed texts, as (line, rule): each one was
/// verified by hand (README § 决算说明).
#[test]
fn seed_texts_report_exactly_the_verified_errors() {
    let expected: [(&str, &[(usize, &str)]); 5] = [
        ("000_c4edb0ea88fbfc7f.txt", &[(76, "N3"), (76, "N3")]),
        ("001_7182237ba43dab79.txt", &[(85, "N2")]),
        ("002_a45521c9d62b1714.txt", &[(13, "N4"), (49, "N1"), (61, "N4"), (109, "N4"), (134, "N4")]),
        ("003_4a52f02cc49526b5.txt", &[]),
        ("004_189341af007d5dc1.txt", &[(28, "N2"), (34, "N1"), (34, "N5"), (97, "N1")]),
    ];
    for (name, want) in expected {
        let j = check_json(&[&fixture(name)]);
        let f = &j["files"][0];
        assert_eq!(f["kind"], "narrative");
        assert!(f["paired_with"].is_null(), "{f}");
        let got: Vec<(usize, String)> = f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["severity"] == "error")
            .map(|x| (x["line"].as_u64().unwrap() as usize, x["rule"].as_str().unwrap().to_string()))
            .collect();
        let want: Vec<(usize, String)> = want.iter().map(|(l, r)| (*l, (*r).to_string())).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn a_rate_on_this_years_figure_says_which_base_was_used() {
    let f = run(
        &["2023年度“三公”经费财政拨款支出决算为7.6万元，较上年度减少49.19万元，下降647.24%。"],
        None,
        None,
    );
    assert_eq!(errors(&f), [(1, "N4")]);
    assert!(f[0].message.contains("本年数") && f[0].message.contains("56.79"), "{}", f[0].message);
    assert_eq!(
        f[0].quote.as_deref(),
        Some("2023年度“三公”经费财政拨款支出决算为7.6万元，较上年度减少49.19万元，下降647.24%。")
    );
}

#[test]
fn truncated_shares_and_rounding_are_info() {
    let f = run(&["本年支出合计113.47万元，其中：住房保障支出5.87万元，占比5.1%。"], None, None);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].rule.as_str(), f[0].severity), ("N3", Severity::Info));
    let f =
        run(&["2024年度本年支出合计755.32万元，其中：基本支出619.48万元；项目支出135.83万元。"], None, None);
    assert_eq!((f[0].rule.as_str(), f[0].severity), ("N2", Severity::Info));
}

/// A passing and a failing text for every rule that needs no workbook.
#[test]
fn every_text_rule_has_a_passing_and_a_failing_fixture() {
    let cases: [(&str, &[&str], &[&str]); 6] = [
        (
            "N1",
            &["本年支出合计755.32万元。", "本年支出合计755.32万元。"],
            &["本年支出合计755.32万元。", "本年支出合计765.32万元。"],
        ),
        (
            "N2",
            &[
                "“三公”经费6.06万元，其中：因公出国（境）费0万元；公务用车购置及运行维护费5.07万元；公务接待费0.99万元。",
            ],
            &[
                "“三公”经费6.06万元，其中：因公出国（境）费0万元；公务用车购置及运行维护费5.07万元；公务接待费1.99万元。",
            ],
        ),
        (
            "N3",
            &["本年支出合计100万元，其中：基本支出25万元，占25%。"],
            &["本年支出合计100万元，其中：基本支出25万元，占52%。"],
        ),
        (
            "N4",
            &["机关运行经费51.17万元，比上年增加1.84万元，增长3.73%。"],
            &["机关运行经费51.17万元，比上年增加1.84万元，增长37.3%。"],
        ),
        (
            "N5",
            &[
                "一般公共预算年初结转和结余1.00万元，本年收入10.00万元，本年支出9.00万元，年末结转和结余2.00万元。",
            ],
            &[
                "一般公共预算年初结转和结余1.00万元，本年收入10.00万元，本年支出9.00万元，年末结转和结余3.00万元。",
            ],
        ),
        ("N6", &["基本支出50万元。", "人员经费40万元。"], &["基本支出50万元。", "人员经费60万元。"]),
    ];
    for (rule, pass, fail) in cases {
        let p = run(pass, None, None);
        assert!(p.iter().all(|x| x.rule != rule), "{rule} pass: {p:?}");
        let f = run(fail, None, None);
        assert!(f.iter().any(|x| x.rule == rule && x.severity == Severity::Error), "{rule} fail: {f:?}");
        record_example(&f, rule);
    }
}

/// With `JUESUAN_RULE_EXAMPLES=FILE`, the failing text's message is appended
/// to FILE as `id<TAB>message`: the source of the rule's `example`.
fn record_example(found: &[Finding], rule: &str) {
    if let (Ok(path), Some(f)) =
        (std::env::var("JUESUAN_RULE_EXAMPLES"), found.iter().find(|x| x.rule == rule))
    {
        use std::io::Write;
        let mut out = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        writeln!(out, "{rule}\t{}", f.message).unwrap();
    }
}

#[test]
fn figures_are_compared_with_the_paired_tables_and_last_years() {
    let dep = seed("000", false);
    let line = "2024年度“三公”经费财政拨款支出决算为6.06万元。";
    assert!(run(&[line], Some(&dep), None).is_empty());
    let f = run(&["2024年度“三公”经费财政拨款支出决算为7.06万元。"], Some(&dep), None);
    assert_eq!(errors(&f), [(1, "N7")]);
    record_example(&f, "N7");
    assert!(!f[0].cells.is_empty(), "the table cell is named");
    // N8: last year's tables (here: the same figures) say the change is 0.
    let ok = "2024年度“三公”经费财政拨款支出决算为6.06万元，与上年相比增加0万元。";
    assert!(run(&[ok], None, Some(&dep)).is_empty());
    let bad = "2024年度“三公”经费财政拨款支出决算为6.06万元，较上年减少1.00万元。";
    let f = run(&[bad], None, Some(&dep));
    assert_eq!(errors(&f), [(1, "N8")]);
    record_example(&f, "N8");
    assert!(f[0].cells.iter().any(|c| c.sheet.contains("三公")), "{:?}", f[0].cells);
}

/// `check DIR`: the sample 决算说明 (.docx) is paired with its department's
/// workbook; its findings carry line, quote and the 说明行 column.
#[test]
fn samples_pair_the_narratives_with_their_workbooks() {
    let j = check_json(&[&root().join("samples")]);
    let files = j["files"].as_array().unwrap();
    let n = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("攀枝花市科学技术协会2024_决算说明.docx"))
        .unwrap();
    assert_eq!(n["kind"], "narrative");
    assert!(n["paired_with"].as_str().unwrap().ends_with("samples/攀枝花市科学技术协会2024.xlsx"), "{n}");
    let f = n["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "N3" && f["severity"] == "error")
        .unwrap();
    assert_eq!(f["line"], 76);
    assert!(f["quote"].as_str().unwrap().contains("占85.17%"));
    assert!(files.iter().filter(|f| f["kind"] == "workbook").all(|f| f["path"].as_str().is_some()));
}

#[test]
fn findings_workbook_has_a_narrative_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("审核结果.xlsx");
    let o = bin()
        .arg("check")
        .arg(fixture("000_c4edb0ea88fbfc7f.txt"))
        .arg("--report")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&out).unwrap();
    let name = wb.sheet_names()[0].clone();
    let r = wb.worksheet_range(&name).unwrap();
    assert_eq!(r.get_value((0, 12)).unwrap().to_string(), "说明行");
    let lines: Vec<String> =
        (1..r.height()).map(|i| r.get_value((i as u32, 12)).unwrap().to_string()).collect();
    assert!(lines.contains(&"76".to_string()), "{lines:?}");
}

/// In a directory a text file that does not mention 决算 is skipped with a
/// note; a document naming no known department pairs with the only workbook
/// of its folder.
#[test]
fn directories_take_narratives_and_skip_other_texts() {
    let dir = tempfile::tempdir().unwrap();
    support::copy("samples/攀枝花市科学技术协会2024.xlsx", &dir.path().join("a/报表.xlsx"));
    std::fs::write(
        dir.path().join("a/说明.txt"),
        "2024年度决算说明\n2024年度“三公”经费财政拨款支出决算为6.06万元。\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a/readme.txt"), "hello\n").unwrap();
    let o = bin().arg("check").arg(dir.path()).args(["--json", "-"]).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("readme.txt"));
    let j = json(&o);
    let files = j["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{j}");
    let n = files.iter().find(|f| f["kind"] == "narrative").unwrap();
    assert!(n["paired_with"].as_str().unwrap().ends_with("报表.xlsx"));
    assert!(n["findings"].as_array().unwrap().is_empty(), "{n}");
}

#[test]
fn narrate_writes_a_docx_that_checks_clean_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let wb = root().join("samples/凉山州科学技术协会2023.xlsx");
    let (a, b) = (dir.path().join("a.docx"), dir.path().join("b.docx"));
    for out in [&a, &b] {
        let o = bin().arg("narrate").arg(&wb).arg("-o").arg(out).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "byte-identical reruns");
    let o = bin().arg("check").arg(&wb).arg("--narrative").arg(&a).args(["--json", "-"]).output().unwrap();
    let j = json(&o);
    let n = j["files"].as_array().unwrap().iter().find(|f| f["kind"] == "narrative").unwrap().clone();
    assert!(n["findings"].as_array().unwrap().iter().all(|f| f["severity"] != "error"), "{n}");
    let doc = juesuan::document::read(&a).unwrap();
    assert!(doc.paragraphs.iter().any(|p| p.contains("【请说明原因】")));
    assert!(doc.paragraphs[0].contains("凉山州科学技术协会2023年度"));
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// The numbers a corruption may change: amounts and percentages of the
    /// paragraphs `check` reads (not the 项 list, which it does not read).
    fn figures(p: &str) -> Vec<(usize, usize)> {
        let c: Vec<char> = p.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < c.len() {
            if c[i].is_ascii_digit() {
                let s = i;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                    i += 1;
                }
                let rest: String = c[i..c.len().min(i + 2)].iter().collect();
                if rest.starts_with("万元") || rest.starts_with('%') {
                    out.push((s, i));
                }
            } else {
                i += 1;
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// A draft of a consistent department checks with no error against its
        /// tables; one figure changed by ≥ 1 (万元 or percentage point) is an
        /// error at its paragraph.
        #[test]
        fn drafts_check_clean_and_any_corrupted_figure_is_caught_at_its_line(
            key in 0usize..2, factor in 1i64..5, prior_factor in 0i64..5, yuan in any::<bool>(),
            pick in 0usize..10_000, delta in 1i64..50,
        ) {
            let t = Templates::embedded();
            let base = juesuan::samples::scaled(&seed(["000", "002"][key], true), factor, "生成单位");
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("d.xlsx");
            write(&path, &base, if yuan { Unit::Yuan } else { Unit::WanYuan }, Style::default());
            let dep = juesuan::check::check_file(&path, &t).1.unwrap();
            // Last year: the same department at another scale (or none).
            let prior = (prior_factor > 0).then(|| {
                let mut p = juesuan::samples::scaled(&seed(["000", "002"][key], true), prior_factor, "生成单位");
                p.year = dep.year.map(|y| y - 1);
                p
            });
            let paras: Vec<String> = draft::draft(&t.narrative_draft, &t.narrative, &t.layouts, &dep, prior.as_ref())
                .into_iter().map(|p| p.text).collect();
            let st = parse::statements(&paras, &t.narrative);
            let clean = check::check(&st, &t.narrative, &t.rules, &t.messages, Some(&dep), prior.as_ref());
            prop_assert!(errors(&clean).is_empty(), "{:#?}", clean);

            let skip = &t.narrative.markers.skip_paragraph;
            let all: Vec<(usize, (usize, usize))> = paras.iter().enumerate()
                .filter(|(_, p)| !skip.iter().any(|w| p.contains(w.as_str())))
                .flat_map(|(i, p)| figures(p).into_iter().map(move |f| (i, f)))
                .collect();
            let (pi, (s, e)) = all[pick % all.len()];
            let c: Vec<char> = paras[pi].chars().collect();
            let old: rust_decimal::Decimal = c[s..e].iter().collect::<String>().parse().unwrap();
            let new = old + rust_decimal::Decimal::from(delta);
            let mut bad = paras.clone();
            bad[pi] = format!("{}{:.2}{}", c[..s].iter().collect::<String>(), new, c[e..].iter().collect::<String>());
            let st = parse::statements(&bad, &t.narrative);
            let f = check::check(&st, &t.narrative, &t.rules, &t.messages, Some(&dep), prior.as_ref());
            prop_assert!(
                errors(&f).iter().any(|(l, _)| *l == pi + 1),
                "line {}: {} → {}: {:#?}", pi + 1, bad[pi], new, f
            );
        }
    }
}

/// A damaged .docx is an unreadable input (exit 1), the rest of the batch goes on.
#[test]
fn a_damaged_docx_is_unreadable_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("某局决算说明.docx"), b"PK\x03\x04 not really").unwrap();
    std::fs::copy(fixture("001_7182237ba43dab79.txt"), dir.path().join("金口河决算.txt")).unwrap();
    let o = bin().arg("check").arg(dir.path()).args(["--json", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    let files = j["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let bad = files.iter().find(|f| f["path"].as_str().unwrap().ends_with(".docx")).unwrap();
    assert_eq!((bad["status"].as_str(), bad["kind"].as_str()), (Some("unreadable"), Some("narrative")));
    assert!(bad["error"].as_str().unwrap().contains("Word"), "{bad}");
    assert_eq!(j["summary"]["unreadable"], 1);
}

/// A .docx declaring more than the workbook bound when inflated is refused
/// before docx-rs reads it; an absurdly long number is not an amount.
#[test]
fn a_zip_bomb_docx_is_refused_and_long_numbers_are_ignored() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..130 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    let e = juesuan::document::from_docx(buf.get_ref()).unwrap_err();
    assert_eq!(e.key, "read.zip_bomb");
    let f = run(&["本年支出合计99999999999999999999999999999亿元，其中：基本支出1万元，占1%。"], None, None);
    assert!(errors(&f).is_empty(), "{f:?}");
}

/// `与上年持平` is a change of zero (checked against last year's tables);
/// `决算数与预算数持平` is about the budget and is not read as one.
#[test]
fn flat_means_no_change_against_last_year_only() {
    let dep = seed("000", false);
    let ok = "2024年度“三公”经费财政拨款支出决算为6.06万元，与上年持平。";
    assert!(run(&[ok], None, Some(&dep)).is_empty());
    let bad = "2024年度“三公”经费财政拨款支出决算为7.06万元，与上年持平。";
    assert!(errors(&run(&[bad], None, Some(&dep))).contains(&(1, "N8")));
    let budget = "2024年度“三公”经费财政拨款支出决算为7.06万元，决算数与预算数持平。";
    assert!(errors(&run(&[budget], None, Some(&dep))).is_empty());
}

/// Every N id the checker emits must be declared: a rule deleted from
/// rules/narrative.toml is refused at load with the file; one an overlay
/// disables is switched off; an N error is not waived by a 说明 (explainable
/// comes from the declaration).
#[test]
fn narrative_ids_are_declared_disabled_by_overlay_and_keep_their_explainable_flag() {
    let fail = ["本年支出合计100万元，其中：基本支出25万元，占52%。"];
    let n3 = run(&fail, None, None);
    assert!(n3.iter().any(|f| f.rule == "N3" && f.severity == Severity::Error), "{n3:?}");
    assert!(n3.iter().all(|f| f.rule != "N3" || f.unexplainable), "{n3:?}");

    // Deleted from the built-in file: loading fails naming the file and the id.
    let mut store = juesuan::template::Store::load(None).unwrap();
    let f = store.files.get_mut("rules/narrative.toml").unwrap();
    let at = f.text.find("id = \"N3\"").unwrap();
    let start = f.text[..at].rfind("[[rule]]").unwrap();
    let end = at + f.text[at..].find("[[rule]]").unwrap();
    f.text.replace_range(start..end, "");
    let err = Templates::from_store(store, juesuan::i18n::Lang::Zh).unwrap_err().to_string();
    assert!(err.contains("rules/narrative.toml:") && err.contains("N3"), "{err}");

    // Disabled by an overlay: loads, and N3 is no longer reported.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/local.toml"), "disable = [\"N3\"]\n").unwrap();
    let t = Templates::load(Some(dir.path()), juesuan::i18n::Lang::Zh).unwrap();
    let ps: Vec<String> = fail.iter().map(|s| (*s).to_string()).collect();
    let st = parse::statements(&ps, &t.narrative);
    let found = check::check(&st, &t.narrative, &t.rules, &t.messages, None, None);
    assert!(found.iter().all(|f| f.rule != "N3"), "{found:?}");
}
