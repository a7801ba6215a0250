//! What an officer sees on the console: notes counted not listed, `--quiet`,
//! severity words and help in the message language, usage errors with hints
//! that fit the command, closing lines that name every output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

mod support;

use support::{bin, copy, text};

const CLEAN: &str = "samples/攀枝花市科学技术协会2024.xlsx";

/// 24 clean workbooks with rounding notes: a screenful by default, everything with `--show-info`.
#[test]
fn rounding_notes_are_counted_per_file_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..24 {
        copy(CLEAN, &dir.path().join(format!("d{i:02}.xlsx")));
    }
    let o = bin().arg("check").arg(dir.path()).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.lines().count() < 60, "{} lines:\n{t}", t.lines().count());
    assert!(t.contains("提示 9 条，--show-info 查看"), "{t}");
    assert!(!t.contains("提示[R7"), "{t}");

    let all = bin().arg("check").arg(dir.path()).arg("--show-info").output().unwrap();
    let all = text(&all);
    assert_eq!(all.matches(": 提示[").count(), 24 * 9, "{all}");

    let quiet = text(&bin().arg("check").arg(dir.path()).arg("--quiet").output().unwrap());
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    assert!(quiet.starts_with("合计：24 个文件"), "{quiet}");

    // Files passed over are one counted line under --quiet, not one line each.
    for i in 0..5 {
        std::fs::write(dir.path().join(format!("附件{i}.csv")), "x").unwrap();
    }
    let quiet = text(&bin().arg("check").arg(dir.path()).arg("--quiet").output().unwrap());
    assert_eq!(quiet.lines().count(), 2, "{quiet}");
    assert!(quiet.contains("已跳过 5 个文件"), "{quiet}");
    let loud = text(&bin().arg("check").arg(dir.path()).output().unwrap());
    assert_eq!(loud.matches("不是工作簿文件，已跳过").count(), 5, "{loud}");
}

#[test]
fn severity_words_follow_the_message_language() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.xlsx");
    copy(CLEAN, &f);
    let zh = text(&bin().arg("check").arg(&f).arg("--show-info").output().unwrap());
    assert!(zh.contains(": 提示[R7-T03]"), "{zh}");
    let en = text(&bin().args(["--lang", "en", "check"]).arg(&f).arg("--show-info").output().unwrap());
    assert!(en.contains(": info[R7-T03]"), "{en}");
}

#[test]
fn the_closing_line_names_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.xlsx");
    copy(CLEAN, &f);
    let (report, json) = (dir.path().join("r.xlsx"), dir.path().join("r.json"));
    let o =
        bin().arg("check").arg(&f).arg("--report").arg(&report).arg("--json").arg(&json).output().unwrap();
    let t = text(&o);
    let last = t.lines().last().unwrap();
    assert!(last.starts_with("已写出："), "{t}");
    assert!(last.contains(&*report.to_string_lossy()) && last.contains(&*json.to_string_lossy()), "{t}");

    let out = dir.path().join("sum.xlsx");
    let o = bin().arg("consolidate").arg(&f).arg("-o").arg(&out).arg("--quiet").output().unwrap();
    let t = text(&o);
    assert!(t.contains("汇总完成"), "--quiet keeps the summary: {t}");
    assert!(t.lines().last().unwrap().contains(&*out.to_string_lossy()), "{t}");
}

/// A text-number workbook: one line per kind of coercion with a few cells;
/// `--json` lists all of them.
#[test]
fn convert_summarises_coercions_per_kind() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.xlsx");
    copy("samples/variants/凉山州科学技术协会2023_单表堆叠_文本数字.xlsx", &input);
    let (out, json) = (dir.path().join("out.xlsx"), dir.path().join("c.json"));
    let o = bin().arg("convert").arg(&input).arg("-o").arg(&out).output().unwrap();
    let t = text(&o);
    assert!(t.lines().count() < 15, "{t}");
    assert!(t.contains("文本数字按数字读取") && t.contains("（全部见 --json）"), "{t}");
    let o = bin().arg("convert").arg(&input).arg("-o").arg(&out).arg("--json").arg(&json).output().unwrap();
    let t = text(&o);
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let n = j["coercions"].as_array().unwrap().len();
    assert!(n > 100, "{n}");
    assert!(t.contains(&format!("{n} 处")), "{t}");
    assert!(t.lines().last().unwrap().contains(&*json.to_string_lossy()), "{t}");
}

#[test]
fn help_is_chinese_by_default_and_english_with_lang_en() {
    for args in [vec!["--help"], vec!["check", "--help"], vec!["help", "score"], vec!["template", "-h"]] {
        let o = bin().args(&args).output().unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(t.contains("用法：") && t.contains("选项：") && t.contains("退出码："), "{args:?}: {t}");
        assert!(t.contains("示例："), "{args:?}: {t}");
        for english in ["Usage:", "Options:", "Print help", "[default:", "possible values"] {
            assert!(!t.contains(english), "{args:?} has {english}: {t}");
        }
        let mut en_args = vec!["--lang", "en"];
        en_args.extend(&args);
        let t = text(&bin().args(&en_args).output().unwrap());
        assert!(t.contains("Usage: ") && t.contains("Exit codes:") && t.contains("Examples:"), "{t}");
    }
}

#[test]
fn usage_errors_are_chinese_with_hints_that_fit() {
    let o = bin().args(["check"]).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(t.starts_with("错误：缺少必需的参数"), "{t}");
    assert!(t.contains("用法：juesuan check") && t.contains("juesuan check --help"), "{t}");

    let o = bin().args(["check", "x.xlsx", "-o", "out.xlsx"]).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(t.contains("无法识别的参数“-o”") && t.contains("--report"), "{t}");
    assert!(!t.contains("'-- -o'"), "{t}");

    let t = text(&bin().args(["check", "x.xlsx", "-o", "out.xlsx", "--lang", "en"]).output().unwrap());
    assert!(t.starts_with("error: unexpected argument '-o'") && t.contains("--report"), "{t}");

    let t = text(&bin().args(["template", "-o", "t.xlsx", "--unit", "美元"]).output().unwrap());
    assert!(t.contains("参数 --unit") && t.contains("“美元”无效"), "{t}");

    let t = text(&bin().args(["chek"]).output().unwrap());
    assert!(t.contains("无法识别的子命令“chek”") && t.contains("check"), "{t}");
}

/// Snapshots of the texts an officer reads first: reviewed once, then any
/// change to them shows up as a diff (`cargo insta review`).
#[test]
fn console_snapshots() {
    let run = |args: &[&str]| {
        let o = bin().current_dir(support::root()).args(args).output().unwrap();
        format!("exit {:?}\n{}", o.status.code(), text(&o))
    };
    insta::assert_snapshot!("help_zh", run(&["--help"]));
    insta::assert_snapshot!("check_help_en", run(&["--lang", "en", "check", "--help"]));
    insta::assert_snapshot!("check_with_o", run(&["check", "报送/", "-o", "out.xlsx"]));
    insta::assert_snapshot!("rules", run(&["rules"]));
    insta::assert_snapshot!(
        "check_two_samples",
        run(&["check", "samples/凉山州科学技术协会2023.xlsx", "samples/攀枝花市科学技术协会2024.xlsx"])
    );
}
