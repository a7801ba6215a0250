//! `--templates DIR`: an overlay replaces or adds files; a broken file stops the
//! run with exit status 2 and names the file and line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

mod support;
use support::bin;

#[test]
fn broken_template_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tables")).unwrap();
    let bad = dir.path().join("tables/T02.toml");
    std::fs::write(&bad, "no = 2\ntitle = \"收入决算表\"\nkey = \"function\"\ncolour = \"red\"\n").unwrap();
    let o = bin()
        .arg("--templates")
        .arg(dir.path())
        .args(["template", "-o"])
        .arg(dir.path().join("x.xlsx"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:4:", bad.display())), "{err}");
    assert!(err.contains("colour"), "{err}");
    assert!(!dir.path().join("x.xlsx").exists());
}

#[test]
fn overlay_changes_messages_and_english_is_available() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("messages_local.toml"),
        "[\"template.written\"]\nzh = \"本县空表已生成：{path}\"\nen = \"county blank written: {path}\"\n",
    )
    .unwrap();
    let out = dir.path().join("x.xlsx");
    let o = bin().arg("--templates").arg(dir.path()).args(["template", "-o"]).arg(&out).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("本县空表已生成"));
    let o = bin().args(["--lang", "en", "template", "-o"]).arg(&out).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("blank standard workbook written"), "{o:?}");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let o = bin().args(["template", "--frobnicate"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// A province adds a rule file; a rule naming an unknown column, row or table is
/// refused at load with the file and line of its expression.
#[test]
fn rule_files_are_validated_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let f = dir.path().join("rules/sichuan.toml");
    let rule = |check: &str| {
        format!(
            "[[rule]]\nid = \"SC1\"\ntitle = \"测试\"\nseverity = \"error\"\ntables = [2]\ncheck = \"{check}\"\nwhy = \"测试\"\n"
        )
    };
    for (check, expect) in [
        ("T2[合计].本年收入 = T2[合计].财政拨款收入", "no column `本年收入`"),
        ("T2[总收入].本年收入合计 = 0", "no row `总收入`"),
        ("T14[合计].x = 0", "not a table"),
    ] {
        std::fs::write(&f, rule(check)).unwrap();
        let o = bin().arg("--templates").arg(dir.path()).arg("rules").output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("{}:6:", f.display())), "{err}");
        assert!(err.contains(expect), "{err}");
    }
    // A valid province rule is added to the built-in ones.
    std::fs::write(&f, rule("T2[合计].教育收费 <= T2[合计].事业收入")).unwrap();
    let o = bin().arg("--templates").arg(dir.path()).args(["rules", "--json"]).output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"SC1\""));
}

/// An overlay rule file adds, replaces or disables single rules by id: the other
/// built-in rules stay (overlaying `rules/cross.toml` with one rule used to drop
/// every other rule of that file without a word).
#[test]
fn rule_overlays_add_replace_and_disable_by_id() {
    let count = |dir: Option<&std::path::Path>| -> (Vec<serde_json::Value>, String) {
        let mut c = bin();
        if let Some(d) = dir {
            c.arg("--templates").arg(d);
        }
        let o = c.args(["rules", "--json"]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8_lossy(&bin_text(dir)).to_string();
        (serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).unwrap(), text)
    };
    let (builtin, _) = count(None);
    let x1 = builtin.iter().find(|r| r["id"] == "X1").expect("built-in X1").clone();
    assert!(builtin.iter().any(|r| r["id"] == "X16a"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let f = dir.path().join("rules/cross.toml");
    std::fs::write(
        &f,
        format!(
            "disable = [\"X16a\"]\n\n[[rule]]\nid = \"X1\"\ntitle = \"本县口径\"\nseverity = \"warning\"\ntables = {}\ncheck = \"{}\"\nwhy = \"本县口径\"\n\n[[rule]]\nid = \"SC9\"\ntitle = \"新增\"\nseverity = \"warning\"\ntables = [2]\ncheck = \"T2[合计].教育收费 <= T2[合计].事业收入\"\nwhy = \"新增\"\n",
            x1["tables"],
            x1["formula"].as_str().unwrap().replace('"', "\\\""),
        ),
    )
    .unwrap();
    let (layered, text) = count(Some(dir.path()));
    // one disabled, one added, one replaced: the count of rules moves by exactly 0.
    let (off, layered): (Vec<_>, Vec<_>) = layered.into_iter().partition(|r| r["kind"] == "disabled");
    assert_eq!(layered.len(), builtin.len(), "{text}");
    assert!(!layered.iter().any(|r| r["id"] == "X16a"));
    assert_eq!(off.len(), 1);
    assert_eq!(off[0]["id"], "X16a");
    assert_eq!(off[0]["at"], format!("{}:1", f.display()));
    let x1 = layered.iter().find(|r| r["id"] == "X1").unwrap();
    assert_eq!(x1["severity"], "warning");
    assert_eq!(x1["origin"], "replaced");
    assert_eq!(layered.iter().find(|r| r["id"] == "SC9").unwrap()["origin"], "added");
    assert!(text.contains("覆盖内置规则") && text.contains("新增："), "{text}");
    // What the overlay changed in the listing, with the temporary directory
    // written as `OVERLAY` so the snapshot is stable.
    let plain = String::from_utf8_lossy(&bin_text(None)).to_string();
    let changed: Vec<String> = text
        .lines()
        .filter(|l| !plain.lines().any(|p| p == *l))
        .map(|l| l.replace(&dir.path().display().to_string(), "OVERLAY"))
        .collect();
    insta::assert_snapshot!("rules_overlay", changed.join("\n"));

    // Disabling an id that does not exist is refused with file and line.
    std::fs::write(&f, "\n\ndisable = [\"X99\"]\n").unwrap();
    let o = bin().arg("--templates").arg(dir.path()).arg("rules").output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:3:", f.display())) && err.contains("X99"), "{err}");
}

fn bin_text(dir: Option<&std::path::Path>) -> Vec<u8> {
    let mut c = bin();
    if let Some(d) = dir {
        c.arg("--templates").arg(d);
    }
    c.arg("rules").output().unwrap().stdout
}

/// A layered message catalogue overrides single keys; every other message stays.
#[test]
fn message_overlay_keeps_the_other_messages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("messages.toml"),
        "[\"template.written\"]\nzh = \"本县空表已生成：{path}\"\nen = \"county blank written: {path}\"\n",
    )
    .unwrap();
    let sample = support::root().join("samples/攀枝花市科学技术协会2024.xlsx");
    let o = bin()
        .arg("--templates")
        .arg(dir.path())
        .arg("check")
        .arg(&sample)
        .arg("--show-info")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    // Every finding and the summary are still sentences from the built-in
    // catalogue; replacing the file whole left bare keys (`check.rounding`).
    assert!(out.contains("合计：") && out.contains("取整误差"), "{out}");
    assert!(!out.contains("check.rounding") && !out.contains("report.batch_summary"), "{out}");
}

/// A broken scoring.toml stops `check` too (it used to be read by `score` only).
#[test]
fn broken_scoring_file_stops_every_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("score")).unwrap();
    let f = dir.path().join("score/scoring.toml");
    std::fs::write(&f, "[scoring]\nrow_decimals = \"two\"\n").unwrap();
    let sample = support::root().join("samples/攀枝花市科学技术协会2024.xlsx");
    let o = bin().arg("--templates").arg(dir.path()).arg("check").arg(&sample).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&f.display().to_string()), "{err}");
}
