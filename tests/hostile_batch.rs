//! Hostile batches (issue 13): one test per case that broke a batch on the
//! release binary, then all of them together with twenty good departments.
//! A hostile input is a per-input outcome (a note, an unreadable input or a
//! finding); outputs are all or nothing, well-formed, and open in a reader.
#![cfg(unix)] // FIFOs, permissions, symlinks
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failed test

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use juesuan::model::{Department, RowKey, Unit};
use rust_decimal::Decimal;

mod support;
use support::{bin, json, root, seed, text, write};

/// The income total of T01 (万元) every department written here carries.
fn income(d: &Department) -> Decimal {
    d.table(1).unwrap().row(&RowKey::Label("本年收入合计".into()), Some("收入")).unwrap().cells["决算数"]
        .value
}

/// A department with its own name (the bytes differ, so it is not a duplicate).
fn dep(name: &str) -> Department {
    let mut d = seed("000", false);
    d.convert_unit(Unit::WanYuan);
    d.department = Some(name.to_string());
    d
}

const BIG: &str = "987654.321";
const LABEL: &str = "PLACEHOLDER-LABEL";

/// Writes `name`'s department with one T03 amount set to `BIG` and one T01
/// label set to `LABEL`, then replaces them in the workbook's XML by `amount`
/// and `label` (values rust_xlsxwriter itself refuses to write: 1e300, a
/// 40,000-character string).
fn write_patched(path: &Path, name: &str, amount: Option<&str>, label: Option<&str>) {
    let mut d = dep(name);
    if amount.is_some() {
        let t3 = d.tables.get_mut(&3).unwrap();
        let r = t3.rows.iter_mut().find(|r| r.key.code().is_some()).unwrap();
        r.cells.values_mut().next().unwrap().value = BIG.parse().unwrap();
    }
    if label.is_some() {
        // A 类 row's name, its amount off by one: a finding quotes the name.
        let t3 = d.tables.get_mut(&3).unwrap();
        let r = t3.rows.iter_mut().find(|r| r.key.code().is_some_and(|c| c.len() == 3)).unwrap();
        r.label = LABEL.into();
        r.cells.values_mut().last().unwrap().value += Decimal::ONE;
    }
    write(path, &d, Unit::WanYuan, Default::default());
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(a) = amount {
        pairs.push((format!(">{BIG}<"), format!(">{a}<")));
    }
    if let Some(l) = label {
        pairs.push((LABEL.into(), l.into()));
    }
    patch_zip(path, &pairs);
}

/// Rewrites every XML part of a workbook with text replacements.
fn patch_zip(path: &Path, pairs: &[(String, String)]) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = Vec::new();
    let mut found = 0;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name.ends_with(".xml") {
            let mut s = String::from_utf8(bytes).unwrap();
            for (a, b) in pairs {
                found += s.matches(a.as_str()).count();
                s = s.replace(a, b);
            }
            bytes = s.into_bytes();
        }
        parts.push((name, bytes));
    }
    assert!(found >= pairs.len(), "{}: placeholders not found", path.display());
    let mut zout = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in parts {
        zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
}

/// Every XML part is free of the control characters XML 1.0 forbids and parses
/// to the end, and calamine (through juesuan's reader) opens the workbook.
fn assert_opens(path: &Path) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        let bad = s.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
        assert!(bad.is_none(), "{}: {name} holds {bad:?}", path.display());
        let mut r = quick_xml::Reader::from_str(&s);
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{}: {name}: {e}", path.display()),
            }
        }
    }
    juesuan::workbook::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Converts each workbook to PDF with LibreOffice, when it is installed.
fn assert_libreoffice_opens(paths: &[PathBuf]) {
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("SKIPPED: LibreOffice (soffice) is not installed; outputs checked with calamine only");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let profile = format!("-env:UserInstallation=file://{}", d.path().join("profile").display());
    for p in paths {
        let o = Command::new("soffice")
            .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
            .arg(d.path())
            .arg(p)
            .output()
            .unwrap();
        let pdf = d.path().join(p.with_extension("pdf").file_name().unwrap());
        assert!(
            pdf.is_file() && std::fs::metadata(&pdf).unwrap().len() > 0,
            "LibreOffice could not open {}: {}",
            p.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// The binary, without root's power to read any directory (so a `chmod 000`
/// directory is unreadable even when the tests run as root).
fn bin_unprivileged() -> Command {
    let root_user = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root_user && Command::new("setpriv").arg("--version").output().is_ok() {
        let mut c = Command::new("setpriv");
        c.args(["--bounding-set", "-dac_override,-dac_read_search"]).arg(env!("CARGO_BIN_EXE_juesuan"));
        c
    } else {
        bin()
    }
}

/// Makes `dir` unlistable; false when this process can still list it.
fn shut(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    !bin_unprivileged().arg("check").arg(dir).output().unwrap().status.success()
}

fn open_up(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs `cmd`, killing it and failing after a minute (a hang is the bug).
fn run_bounded(mut cmd: Command) -> Output {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // Drained while it runs: a full pipe would block the child.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            r.read_to_end(&mut v).unwrap();
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() };
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn rules(j: &serde_json::Value) -> Vec<String> {
    j["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn total_of(out: &Path) -> Decimal {
    let t = juesuan::config::Templates::embedded();
    let wb = juesuan::workbook::open(out).unwrap();
    income(&juesuan::model::extract::read_department(&wb, &t.layouts, &t.messages))
}

#[test]
fn amounts_of_1e25_and_1e300_are_cell_findings_and_the_batch_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    write(&input.join("good.xlsx"), &dep("好单位"), Unit::WanYuan, Default::default());
    write_patched(&input.join("e25.xlsx"), "大数一", Some("1E+25"), None);
    write_patched(&input.join("e300.xlsx"), "大数二", Some("1E+300"), None);
    let out = d.path().join("汇总.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--json", "-", "-q"])
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    let j = json(&o);
    assert_eq!(rules(&j).iter().filter(|r| *r == "cell-not-number").count(), 2, "{t}");
    assert!(t.contains("1e25") || t.contains("10000000000000000000000000"), "{t}");
    assert_eq!(total_of(&out), income(&dep("x")) * Decimal::from(3));
    for f in ["e25.xlsx", "e300.xlsx"] {
        let conv = d.path().join(format!("元-{f}"));
        let o = bin()
            .arg("convert")
            .arg(input.join(f))
            .arg("-o")
            .arg(&conv)
            .args(["--unit", "元"])
            .output()
            .unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "{t}");
        assert!(t.contains("cell-not-number"), "{t}");
        assert_opens(&conv);
    }
}

#[test]
fn a_fifo_named_like_a_workbook_is_skipped_without_being_opened() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    write(&input.join("good.xlsx"), &dep("好单位"), Unit::WanYuan, Default::default());
    assert!(Command::new("mkfifo").arg(input.join("x.xlsx")).status().unwrap().success());
    let out = d.path().join("out");
    for args in [
        vec!["check".into(), input.clone()],
        vec!["consolidate".into(), input.clone(), "-o".into(), out.join("c.xlsx")],
        vec!["score".into(), input.clone(), "-o".into(), out.join("s.xlsx")],
    ] {
        let mut c = bin();
        c.args(&args);
        let o = run_bounded(c);
        let t = text(&o);
        assert!(t.contains("x.xlsx") && t.contains("不是普通文件"), "{args:?}: {t}");
    }
}

#[test]
fn a_row_label_of_32767_characters_is_cut_with_a_finding_not_an_abort() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    write_patched(&input.join("long.xlsx"), "长标签", None, Some(&"长".repeat(32_767)));
    let report = d.path().join("审核结果.xlsx");
    let o =
        bin().arg("check").arg(&input).arg("--report").arg(&report).args(["--json", "-"]).output().unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert!(rules(&json(&o)).contains(&"text-truncated".to_string()), "{t}");
    assert_opens(&report);
    let out = d.path().join("汇总.xlsx");
    let o = bin().arg("consolidate").arg(&input).arg("-o").arg(&out).output().unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert_opens(&out);
}

#[test]
fn a_40000_character_string_in_convert_or_score_input_is_cut_with_a_finding() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("long.xlsx");
    write_patched(&input, "长文字", None, Some(&"字".repeat(40_000)));
    let out = d.path().join("std.xlsx");
    let o = bin().arg("convert").arg(&input).arg("-o").arg(&out).output().unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert!(t.contains("text-truncated") && t.contains("long.xlsx"), "{t}");
    assert_opens(&out);
    // A score sheet whose project name is 40,000 characters long.
    let score_in = d.path().join("自评.xlsx");
    score_workbook(&score_in, &"名".repeat(20));
    patch_zip(&score_in, &[("名".repeat(20), "名".repeat(40_000))]);
    let out = d.path().join("评分.xlsx");
    let o = bin().arg("score").arg(&score_in).arg("-o").arg(&out).args(["--json", "-"]).output().unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert!(t.contains("text-truncated"), "{t}");
    assert_opens(&out);
}

/// A self-assessment workbook of the seed projects, the first one renamed.
fn score_workbook(path: &Path, first_name: &str) {
    let t = juesuan::config::Templates::embedded();
    let cfg = t.scoring.clone();
    let sheets: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("samples/src/seed_scoresheets.json")).unwrap(),
    )
    .unwrap();
    let mut projects = juesuan::samples::seed_projects(&sheets);
    projects[0].name = first_name.to_string();
    let mut wb = juesuan::report::score_xlsx::sample_workbook(&projects, &cfg, &t.messages).unwrap();
    juesuan::report::save::save(&mut wb, path).unwrap();
}

#[test]
fn a_control_character_in_a_score_project_name_keeps_the_output_well_formed() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("自评.xlsx");
    score_workbook(&input, "科普\u{b}项目\u{1b}[31m");
    let out = d.path().join("评分.xlsx");
    let o = bin().arg("score").arg(&input).arg("-o").arg(&out).output().unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert_opens(&out);
    assert_libreoffice_opens(&[out]);
    assert!(!t.contains('\u{1b}') && !t.contains('\u{b}'), "{t:?}");
}

#[test]
fn an_unreadable_subdirectory_is_an_unreadable_input_everywhere() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("市");
    write(&input.join("甲县/a.xlsx"), &dep("甲"), Unit::WanYuan, Default::default());
    write(&input.join("乙县/b.xlsx"), &dep("乙"), Unit::WanYuan, Default::default());
    let closed = input.join("乙县");
    if !shut(&closed) {
        open_up(&closed);
        eprintln!("SKIPPED: cannot make a directory unreadable here");
        return;
    }
    let out = d.path().join("out/汇总.xlsx");
    let o = bin_unprivileged()
        .arg("consolidate")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--json", "-", "-q"])
        .output()
        .unwrap();
    let c = bin_unprivileged().arg("check").arg(&input).args(["--json", "-"]).output().unwrap();
    open_up(&closed);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    let j = json(&o);
    assert_eq!(j["unreadable"], 1, "{j}");
    assert!(j["unreadable_files"][0]["path"].as_str().unwrap().ends_with("乙县"), "{j}");
    assert_eq!(c.status.code(), Some(1), "{}", text(&c));
    let cj = json(&c);
    assert_eq!(cj["summary"]["unreadable"], 1, "{cj}");
    // The 分户表 lists it with its reason.
    let wb = juesuan::workbook::open(&out).unwrap();
    let units = wb.sheets.iter().find(|s| &*s.name == "分户表").unwrap();
    assert!(units.rows().any(|(_, c)| c.iter().any(|(_, v)| v.text().ends_with("乙县"))));
}

#[test]
fn a_reader_panic_inside_calamine_prints_nothing_raw() {
    let p = root().join("tests/hostile_inputs/xls-biff5-reader-panic.xls");
    let o = bin().arg("check").arg(&p).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!err.contains("panicked") && !err.contains("stack backtrace"), "{err}");
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("xls-biff5-reader-panic.xls"), "{out}");
}

/// The main output before a run, to tell whether a failed run replaced it.
fn old_output(path: &Path) -> Vec<u8> {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"old output").unwrap();
    b"old output".to_vec()
}

#[test]
fn an_output_that_cannot_be_written_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("市");
    write(&input.join("x/y/a.xlsx"), &dep("甲"), Unit::WanYuan, Default::default());
    write(&input.join("x.xlsx/sub/b.xlsx"), &dep("乙"), Unit::WanYuan, Default::default());
    let out = d.path().join("out/汇总.xlsx");
    let old = old_output(&out);
    // `x` and `x.xlsx` as sibling nodes: `by/x.xlsx` would be a file and a directory.
    let by = d.path().join("by");
    let o =
        bin().arg("consolidate").arg(&input).arg("-o").arg(&out).arg("--by-dir").arg(&by).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("x.xlsx"), "{t}");
    assert_eq!(std::fs::read(&out).unwrap(), old);
    assert!(!by.exists());
    // A read-only node directory, met after the main output was written on main.
    std::fs::remove_dir_all(input.join("x.xlsx")).unwrap();
    std::fs::create_dir_all(by.join("x")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(by.join("x"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let o = bin_unprivileged()
        .arg("consolidate")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--by-dir")
        .arg(&by)
        .output()
        .unwrap();
    std::fs::set_permissions(by.join("x"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("y.xlsx"), "{t}");
    assert_eq!(std::fs::read(&out).unwrap(), old, "{t}");
    assert!(!by.join("x.xlsx").exists(), "a node was written by a failed run");
    assert!(!t.contains(".juesuan-"), "an internal temporary file is named: {t}");
    // `--json` into a folder that does not exist yet: created, like the others.
    let j = d.path().join("新目录/汇总.json");
    let o = bin().arg("consolidate").arg(&input).arg("-o").arg(&out).arg("--json").arg(&j).output().unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    assert!(j.is_file());
    assert_opens(&out);
}

#[test]
fn a_directory_name_too_long_for_a_file_name_gets_a_shortened_node_file() {
    let d = tempfile::tempdir().unwrap();
    let name = "县".repeat(84); // 252 bytes: fits as a directory, not with `.xlsx`
    let input = d.path().join("市");
    write(&input.join(&name).join("a.xlsx"), &dep("甲"), Unit::WanYuan, Default::default());
    let out = d.path().join("汇总.xlsx");
    let old = old_output(&out);
    let by = d.path().join("by");
    let o =
        bin().arg("consolidate").arg(&input).arg("-o").arg(&out).arg("--by-dir").arg(&by).output().unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert_ne!(std::fs::read(&out).unwrap(), old);
    let node: Vec<PathBuf> = std::fs::read_dir(&by)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    assert_eq!(node.len(), 1, "{node:?}");
    assert!(node[0].file_name().unwrap().len() <= 255);
    assert_opens(&node[0]);
}

#[test]
fn two_input_directories_with_the_same_name_are_two_nodes() {
    let d = tempfile::tempdir().unwrap();
    write(&d.path().join("a/县/1.xlsx"), &dep("甲"), Unit::WanYuan, Default::default());
    write(&d.path().join("b/县/2.xlsx"), &dep("乙"), Unit::WanYuan, Default::default());
    let by = d.path().join("by");
    let o = bin()
        .arg("consolidate")
        .arg(d.path().join("a/县"))
        .arg(d.path().join("b/县"))
        .arg("-o")
        .arg(d.path().join("汇总.xlsx"))
        .arg("--by-dir")
        .arg(&by)
        .output()
        .unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert!(by.join("县.xlsx").is_file() && by.join("县~2.xlsx").is_file(), "{t}");
    assert_eq!(total_of(&by.join("县.xlsx")), income(&dep("x")));
    assert_eq!(total_of(&by.join("县~2.xlsx")), income(&dep("x")));
}

#[test]
fn a_second_run_on_the_same_output_directory_waits_for_the_first() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("市");
    write(&input.join("甲县/a.xlsx"), &dep("甲"), Unit::WanYuan, Default::default());
    let by = d.path().join("by");
    std::fs::create_dir_all(&by).unwrap();
    // The test plays the first run: it holds the lock of OUTDIR.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(by.join(".juesuan.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = bin()
        .arg("consolidate")
        .arg(&input)
        .arg("-o")
        .arg(by.join("汇总.xlsx"))
        .arg("--by-dir")
        .arg(&by)
        .arg("-q")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert!(first.contains("等待") && first.contains(".juesuan.lock"), "{first}");
    assert!(!by.join("汇总.xlsx").exists(), "wrote while another run held the directory");
    lock.unlock().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(by.join("汇总.xlsx").is_file() && by.join("甲县.xlsx").is_file());
    assert!(!by.join(".juesuan.lock").exists(), "a finished run removes its lock file");
}

#[test]
fn newlines_and_escapes_in_names_and_labels_never_reach_the_console_raw() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in\u{1b}[2J");
    write(
        &input.join("a\nerror[forged] 伪造的一行\u{1b}[31m.xlsx"),
        &dep("甲"),
        Unit::WanYuan,
        Default::default(),
    );
    write_patched(&input.join("b.xlsx"), "乙", None, Some("标签\nerror[forged] 第二行"));
    let out = d.path().join("o.xlsx").display().to_string();
    for args in [vec!["check".to_string()], vec!["consolidate".into(), "-o".into(), out]] {
        let o = bin().args(&args).arg(&input).output().unwrap();
        let t = text(&o);
        assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
        assert!(!t.lines().any(|l| l.starts_with("error[forged]")), "{t}");
    }
    let report = d.path().join("r.xlsx");
    let o = bin().arg("check").arg(&input).arg("--report").arg(&report).output().unwrap();
    text(&o);
    assert_opens(&report);
}

#[test]
fn the_same_file_twice_is_consolidated_once_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    write(&input.join("a.xlsx"), &dep("甲"), Unit::WanYuan, Default::default());
    std::fs::copy(input.join("a.xlsx"), input.join("b 副本.xlsx")).unwrap();
    std::os::unix::fs::symlink(input.join("a.xlsx"), input.join("link.xlsx")).unwrap();
    let out = d.path().join("汇总.xlsx");
    let o = bin().arg("consolidate").arg(&input).arg("-o").arg(&out).output().unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    assert_eq!(total_of(&out), income(&dep("x")), "{t}");
    for dropped in ["b 副本.xlsx", "link.xlsx"] {
        assert!(
            t.lines().any(|l| l.contains(dropped) && l.contains("a.xlsx") && l.contains("同一文件")),
            "{t}"
        );
    }
}

#[test]
fn an_escape_in_a_directory_name_keeps_hyperlinks_and_node_workbooks_well_formed() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("市");
    let county = input.join("县\u{1b}[31m");
    write_patched(&county.join("a.xlsx"), "甲", None, Some("科目")); // a finding with a cell link
    let out = d.path().join("汇总.xlsx");
    let by = d.path().join("by");
    let o =
        bin().arg("consolidate").arg(&input).arg("-o").arg(&out).arg("--by-dir").arg(&by).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    let nodes: Vec<PathBuf> = std::fs::read_dir(&by)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    assert_eq!(nodes.len(), 1, "{nodes:?}");
    assert_opens(&out);
    assert_opens(&nodes[0]);
    assert!(!nodes[0].to_string_lossy().contains('\u{1b}'), "{nodes:?}");
    assert_libreoffice_opens(&[out, nodes[0].clone()]);
}

#[test]
fn a_missing_input_exits_2_in_every_command_naming_it() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("没有这个.xlsx");
    let out = d.path().join("o.xlsx");
    for cmd in ["check", "consolidate", "convert", "score", "narrate"] {
        let mut c = bin();
        c.arg(cmd).arg(&missing);
        if cmd != "check" {
            c.arg("-o").arg(&out);
        }
        let o = c.output().unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {t}");
        assert!(t.contains("没有这个.xlsx"), "{cmd}: {t}");
        assert!(!out.exists(), "{cmd}");
    }
}

/// Twenty good departments and every hostile kind, in one consolidation.
#[test]
fn twenty_good_and_every_hostile_kind_in_one_batch() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("A/县"), d.path().join("B/县"));
    for i in 1..=20 {
        let dir = if i <= 10 {
            a.clone()
        } else if i < 20 {
            b.clone()
        } else {
            b.join("乡\u{1b}镇")
        };
        write(
            &dir.join(format!("good{i:02}.xlsx")),
            &dep(&format!("单位{i}")),
            Unit::WanYuan,
            Default::default(),
        );
    }
    // Read, with findings (each carries the same amounts as a good file).
    write_patched(&a.join("e25.xlsx"), "大数一", Some("1E+25"), None);
    write_patched(&a.join("e300.xlsx"), "大数二", Some("1E+300"), None);
    write_patched(&a.join("label32767.xlsx"), "长标签", None, Some(&"长".repeat(32_767)));
    write_patched(&b.join("text40000.xlsx"), "长文字", None, Some(&"字".repeat(40_000)));
    write(&a.join("名\u{b}称\n伪造\u{1b}[31m.xlsx"), &dep("控制字符"), Unit::WanYuan, Default::default());
    let read_hostile = 5;
    // Skipped with a note.
    assert!(Command::new("mkfifo").arg(a.join("x.xlsx")).status().unwrap().success());
    std::fs::copy(a.join("good01.xlsx"), a.join("zz-good01副本.xlsx")).unwrap();
    std::os::unix::fs::symlink(a.join("good02.xlsx"), b.join("link.xlsx")).unwrap();
    // Unreadable.
    std::fs::copy(root().join("tests/hostile_inputs/xls-biff5-reader-panic.xls"), b.join("biff5.xls"))
        .unwrap();
    let closed = a.join("关闭");
    write(&closed.join("hidden.xlsx"), &dep("看不见"), Unit::WanYuan, Default::default());
    let closed_ok = shut(&closed);
    let unreadable = 1 + usize::from(closed_ok);

    let out = d.path().join("out/汇总.xlsx");
    let by = d.path().join("out/分级");
    let o = run_bounded({
        let mut c = bin_unprivileged();
        c.arg("consolidate")
            .arg(&a)
            .arg(&b)
            .arg("-o")
            .arg(&out)
            .arg("--by-dir")
            .arg(&by)
            .args(["--json", "-"]);
        c
    });
    open_up(&closed);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(!t.contains('\u{1b}') && !t.contains('\u{b}'), "raw control characters: {t:?}");
    let j = json(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    // Every file is reported with a reason: read ones in files[], with their findings …
    let files = j["files"].as_array().unwrap();
    let path_of = |n: &str| files.iter().find(|f| f["path"].as_str().unwrap().ends_with(n)).cloned();
    for i in 1..=20 {
        assert!(path_of(&format!("good{i:02}.xlsx")).is_some(), "good{i:02}");
    }
    for (name, rule) in [
        ("e25.xlsx", "cell-not-number"),
        ("e300.xlsx", "cell-not-number"),
        ("label32767.xlsx", "text-truncated"),
        ("text40000.xlsx", "text-truncated"),
    ] {
        let f = path_of(name).unwrap_or_else(|| panic!("{name} not reported"));
        assert!(f["findings"].as_array().unwrap().iter().any(|x| x["rule"] == rule), "{name}: {f}");
    }
    assert!(path_of("伪造\u{1b}[31m.xlsx").is_some());
    // … unreadable ones with their reason …
    assert_eq!(j["unreadable"], unreadable, "{j}");
    assert_eq!(path_of("biff5.xls").unwrap()["status"], "unreadable");
    if closed_ok {
        assert_eq!(path_of("关闭").unwrap()["status"], "unreadable");
    }
    // … skipped ones with a note naming them.
    assert!(err.lines().any(|l| l.contains("x.xlsx") && l.contains("不是普通文件")), "{err}");
    assert!(err.lines().any(|l| l.contains("zz-good01副本.xlsx") && l.contains("同一文件")), "{err}");
    assert!(err.lines().any(|l| l.contains("link.xlsx") && l.contains("同一文件")), "{err}");
    assert_eq!(files.len(), 20 + read_hostile + unreadable, "{j}");
    // Totals: exactly the files read (every one carries the same income total).
    let each = income(&dep("x"));
    assert_eq!(total_of(&out), each * Decimal::from(20 + read_hostile));
    // Two input directories named 县: two nodes; the ESC directory a safe file name.
    let mut outputs: Vec<PathBuf> =
        j["outputs"].as_array().unwrap().iter().map(|p| PathBuf::from(p.as_str().unwrap())).collect();
    outputs.sort();
    assert!(outputs.contains(&by.join("县.xlsx")) && outputs.contains(&by.join("县~2.xlsx")), "{outputs:?}");
    assert!(outputs.contains(&by.join("县~2/乡_镇.xlsx")), "{outputs:?}");
    for p in &outputs {
        assert_opens(p);
    }
    assert_libreoffice_opens(&outputs);
}
