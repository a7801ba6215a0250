//! `--templates DIR`: an overlay replaces or adds files; a broken file stops the
//! run with exit status 2 and names the file and line.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
}

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
