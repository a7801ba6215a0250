//! Hostile inputs and integrity: nothing crashes, hangs, touches an input or
//! leaves half an output; every problem gets a clear message and the batch goes on.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn good(to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(root().join("samples/county/某市/甲县/甲县科学技术协会（虚构）.xlsx"), to).unwrap();
}

fn text(o: &Output) -> String {
    let t = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!t.contains("panicked"), "{t}");
    t
}

#[test]
fn zip_bomb_is_refused_without_inflating_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bomb.xlsx");
    {
        let f = std::fs::File::create(&p).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(b"<Types/>").unwrap();
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..600 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(std::fs::metadata(&p).unwrap().len() < 5 << 20, "a small file");
    good(&dir.path().join("ok.xlsx"));
    let o = bin().arg("check").arg(dir.path()).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(t.contains("bomb.xlsx") && t.contains("压缩炸弹"), "{t}");
    assert!(t.contains("ok.xlsx：甲县科学技术协会"), "the batch goes on: {t}");
}

#[test]
fn a_million_row_sheet_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for r in 0..1_000_001u32 {
        ws.write_number(r, 0, f64::from(r)).unwrap();
    }
    wb.save(&p).unwrap();
    let o = bin().arg("check").arg(&p).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(t.contains("单元格过多"), "{t}");
}

#[test]
fn odd_directory_names_deep_nesting_symlink_loops_and_lock_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().join("甲 县（全角） 目录");
    for i in 0..30 {
        deep = deep.join(format!("层 {i}"));
    }
    good(&deep.join("单位 一.xlsx"));
    good(&dir.path().join("~$单位 一.xlsx"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("甲 县（全角） 目录/loop")).unwrap();
    let o = bin().arg("check").arg(dir.path()).args(["--json", "-"]).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["summary"]["files"], 1);
    assert!(j["files"][0]["path"].as_str().unwrap().contains("层 29/单位 一.xlsx"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("~$单位 一.xlsx") && err.contains("锁定文件"), "{err}");
    assert!(err.contains("符号链接"), "{err}");
}

#[test]
fn unwritable_output_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    good(&dir.path().join("in/a.xlsx"));
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    for args in [
        vec!["consolidate".into(), dir.path().join("in"), "-o".into(), blocker.join("out.xlsx")],
        vec!["check".into(), dir.path().join("in"), "--report".into(), blocker.join("r.xlsx")],
        vec!["template".into(), "-o".into(), blocker.join("t.xlsx")],
    ] {
        let o = bin().args(&args).output().unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(t.contains("error") && t.contains("not-a-dir"), "{t}");
    }
}

#[test]
fn an_input_that_changes_while_being_read_never_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("moving.xlsx");
    good(&p);
    let full = std::fs::read(&p).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (p, stop) = (p.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let cut = if i.is_multiple_of(2) { full.len() } else { full.len() / 3 };
                let _ = std::fs::write(&p, &full[..cut]);
                i += 1;
            }
        })
    };
    for _ in 0..15 {
        let o = bin().arg("check").arg(&p).output().unwrap();
        text(&o);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
}

fn sha(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// Every subcommand leaves its inputs untouched and writes the same bytes twice.
#[test]
fn inputs_untouched_and_outputs_identical_on_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    good(&input.join("a.xlsx"));
    std::fs::copy(
        root().join("samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx"),
        dir.path().join("score.xlsx"),
    )
    .unwrap();
    let inputs = [input.join("a.xlsx"), dir.path().join("score.xlsx")];
    let before: Vec<Vec<u8>> = inputs.iter().map(|p| sha(p)).collect();
    let o = |n: &str| dir.path().join(n);
    let runs: Vec<(Vec<std::ffi::OsString>, PathBuf)> = vec![
        (
            vec![
                "check".into(),
                input.clone().into(),
                "--report".into(),
                o("r.xlsx").into(),
                "--json".into(),
                o("r.json").into(),
            ],
            o("r.xlsx"),
        ),
        (vec!["consolidate".into(), input.clone().into(), "-o".into(), o("c.xlsx").into()], o("c.xlsx")),
        (vec!["convert".into(), input.join("a.xlsx").into(), "-o".into(), o("v.xlsx").into()], o("v.xlsx")),
        (vec!["template".into(), "-o".into(), o("t.xlsx").into()], o("t.xlsx")),
        (vec!["score".into(), o("score.xlsx").into(), "-o".into(), o("s.xlsx").into()], o("s.xlsx")),
    ];
    for (args, out) in &runs {
        text(&bin().args(args).output().unwrap());
        let first = sha(out);
        text(&bin().args(args).output().unwrap());
        assert_eq!(sha(out), first, "{args:?}");
    }
    assert_eq!(sha(&o("r.json")), sha(&o("r.json")));
    let after: Vec<Vec<u8>> = inputs.iter().map(|p| sha(p)).collect();
    assert_eq!(before, after, "inputs must never change");
}

/// Text from inputs is written as text: a label `=HYPERLINK(…)` never becomes a formula.
#[test]
fn formula_text_from_inputs_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
    ws.write_string(1, 0, "编制单位：=HYPERLINK(\"http://x\",\"点我\")").unwrap();
    for (c, h) in ["科目编码", "科目名称", "合计", "基本支出", "项目支出"].iter().enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(3, 0, "206").unwrap();
    ws.write_string(3, 1, "=HYPERLINK(\"http://x\",\"科学技术支出\")").unwrap();
    for c in 2..5 {
        ws.write_number(3, c, 1.0).unwrap();
    }
    wb.save(&p).unwrap();
    let out = dir.path().join("out.xlsx");
    text(&bin().arg("convert").arg(&p).arg("-o").arg(&out).output().unwrap());
    let report = dir.path().join("r.xlsx");
    text(&bin().arg("check").arg(&p).arg("--report").arg(&report).output().unwrap());
    for f in [&out, &report] {
        let mut z = zip::ZipArchive::new(std::fs::File::open(f).unwrap()).unwrap();
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            let name = e.name().unwrap().to_string();
            if name.starts_with("xl/worksheets/") {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut e, &mut s).unwrap();
                assert!(!s.contains("<f>"), "{name}: a formula was written");
            }
        }
    }
    let wb = juesuan::workbook::open(&out).unwrap();
    assert!(wb.sheets[0].rows().any(|(_, c)| c.iter().any(|(_, v)| v.text().starts_with("=HYPERLINK"))));
}

/// Killing a consolidation while it writes leaves the old output or a complete
/// new one, never a partial file under the output's name.
#[test]
fn killed_consolidation_leaves_old_or_new_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for i in 0..40 {
        good(&input.join(format!("u{i:02}.xlsx")));
    }
    let out = dir.path().join("out.xlsx");
    std::fs::write(&out, b"previous output").unwrap();
    for delay_ms in [5u64, 40, 120, 250, 400, 700] {
        let mut child =
            bin().arg("consolidate").arg(&input).arg("-o").arg(&out).arg("--quiet").spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let bytes = std::fs::read(&out).unwrap();
        if bytes != b"previous output" {
            let wb = juesuan::workbook::open(&out).expect("a complete workbook");
            assert!(wb.sheets.len() >= 15, "13 tables + 分户表 + 审核结果");
        }
    }
}
