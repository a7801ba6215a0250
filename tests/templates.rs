//! `--templates DIR`: an overlay replaces or adds files; a broken file stops the
//! run with exit status 2 and names the file and line.

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
