//! Integrity (issue 6 §5): inputs are never touched, outputs are complete or
//! absent (never half written), reruns are byte-identical, text from inputs
//! never becomes a formula, and output names cannot leave the output directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

mod support;
use support::{bin, copy, root, text};

const GOOD: &str = "samples/county/某市/甲县/甲县科学技术协会（虚构）.xlsx";
const SCORE: &str = "samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx";

fn run(args: &[std::ffi::OsString]) -> Output {
    let o = bin().args(args).output().unwrap();
    text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{args:?}: {}", text(&o));
    o
}

/// FNV-1a, 64 bits: enough to tell whether a file changed.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Every file under `dir`: content hash, length, modification time, permissions.
type Snapshot = BTreeMap<PathBuf, (u64, u64, SystemTime, String)>;

fn snapshot(dir: &Path) -> Snapshot {
    fn walk(d: &Path, out: &mut Snapshot) {
        let mut entries: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                walk(&p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap_or_default();
                out.insert(
                    p,
                    (hash(&bytes), m.len(), m.modified().unwrap(), format!("{:?}", m.permissions())),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

/// An input tree with two levels, a score workbook, an unreadable file and a lock file.
fn input_tree(d: &Path) -> PathBuf {
    let input = d.join("in");
    copy(GOOD, &input.join("某市/甲县/甲县科协.xlsx"));
    copy("samples/county/某市/乙县/乙县卫生健康局（虚构）.xlsx", &input.join("某市/乙县/乙县卫健局.xlsx"));
    copy(SCORE, &input.join("绩效/自评表.xlsx"));
    std::fs::write(input.join("某市/坏文件.xlsx"), b"PK\x03\x04 truncated").unwrap();
    std::fs::write(input.join("某市/~$甲县科协.xlsx"), [0u8; 162]).unwrap();
    input
}

/// Every subcommand, with every output flag, writing under `out`.
fn all_runs(input: &Path, out: &Path) -> Vec<Vec<std::ffi::OsString>> {
    let o = |n: &str| out.join(n).into_os_string();
    let i = || input.as_os_str().to_owned();
    vec![
        vec!["check".into(), i(), "--report".into(), o("r.xlsx"), "--json".into(), o("r.json")],
        vec![
            "consolidate".into(),
            i(),
            "-o".into(),
            o("c.xlsx"),
            "--by-dir".into(),
            o("by"),
            "--json".into(),
            o("c.json"),
        ],
        vec!["convert".into(), input.join("某市/甲县/甲县科协.xlsx").into(), "-o".into(), o("v.xlsx")],
        vec![
            "convert".into(),
            input.join("某市/乙县/乙县卫健局.xlsx").into(),
            "-o".into(),
            o("v2.xlsx"),
            "--unit".into(),
            "元".into(),
        ],
        vec!["template".into(), "-o".into(), o("t.xlsx"), "--year".into(), "2024".into()],
        vec![
            "score".into(),
            input.join("绩效").into(),
            "-o".into(),
            o("s.xlsx"),
            "--json".into(),
            o("s.json"),
        ],
        vec!["rules".into(), "--json".into()],
    ]
}

/// Hashes every input before and after each subcommand: nothing changes, and
/// nothing (not even a temporary file) appears in the input tree.
#[test]
fn every_subcommand_leaves_every_input_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let input = input_tree(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let before = snapshot(&input);
    assert_eq!(before.len(), 5);
    for args in all_runs(&input, &out) {
        run(&args);
        let after = snapshot(&input);
        assert_eq!(after, before, "{args:?} touched the input tree");
    }
}

/// Every subcommand run twice writes the same bytes (workbooks, JSON, stdout).
#[test]
fn every_subcommand_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = input_tree(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for args in all_runs(&input, &out) {
        let first = run(&args);
        let files = snapshot(&out);
        let bytes: Vec<(PathBuf, Vec<u8>)> =
            files.keys().map(|p| (p.clone(), std::fs::read(p).unwrap())).collect();
        let second = run(&args);
        assert_eq!(first.stdout, second.stdout, "{args:?}: stdout differs");
        assert_eq!(first.status.code(), second.status.code(), "{args:?}");
        let again: Vec<(PathBuf, Vec<u8>)> =
            snapshot(&out).keys().map(|p| (p.clone(), std::fs::read(p).unwrap())).collect();
        assert_eq!(bytes.len(), again.len(), "{args:?}: the set of output files differs");
        for ((p, a), (q, b)) in bytes.iter().zip(&again) {
            assert_eq!(p, q);
            assert!(a == b, "{args:?}: {} differs between two runs", p.display());
        }
    }
    // And the outputs that were expected are there.
    for f in [
        "r.xlsx",
        "r.json",
        "c.xlsx",
        "c.json",
        "by/某市.xlsx",
        "by/某市/甲县.xlsx",
        "v.xlsx",
        "t.xlsx",
        "s.xlsx",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(".juesuan-")))
        .collect()
}

/// Killing a consolidation at any moment — in particular while its temporary
/// file is being written — leaves the previous complete output or the complete
/// new one under the output name, never a partial file. Killed runs may leave a
/// `.juesuan-*.tmp` file beside it (removed by a later run once stale).
#[test]
fn killed_consolidation_leaves_old_or_new_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for i in 0..30 {
        copy(GOOD, &input.join(format!("u{i:02}.xlsx")));
    }
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("汇总.xlsx");
    let consolidate = |inputs: &Path| {
        let mut c = bin();
        c.arg("consolidate").arg(inputs).arg("-o").arg(&out).arg("--quiet");
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };
    // The old output: a complete consolidation of 29 units; the new one: of 30.
    let old_in = dir.path().join("old");
    for i in 0..29 {
        copy(GOOD, &old_in.join(format!("u{i:02}.xlsx")));
    }
    assert!(consolidate(&old_in).status().unwrap().code().is_some());
    let old = std::fs::read(&out).unwrap();
    let started = Instant::now();
    assert!(consolidate(&input).status().unwrap().code().is_some());
    let full = started.elapsed();
    let new = std::fs::read(&out).unwrap();
    assert_ne!(old, new);

    let mut caught_writing = 0;
    for round in 0..12u32 {
        std::fs::write(&out, &old).unwrap();
        let old_meta = std::fs::metadata(&out).unwrap();
        let mut child = consolidate(&input).spawn().unwrap();
        // Even rounds kill at the first sign of writing (a temporary file, or
        // the output changing); odd rounds at a moment spread over the run.
        let deadline = Instant::now() + full.mul_f64(f64::from(round) / 12.0);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let writing = !temp_files(&out_dir).is_empty()
                || std::fs::metadata(&out).map_or(true, |m| {
                    m.len() != old_meta.len() || m.modified().ok() != old_meta.modified().ok()
                });
            if (round % 2 == 0 && writing) || (round % 2 == 1 && Instant::now() >= deadline) {
                let _ = child.kill();
                if writing {
                    caught_writing += 1;
                }
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.wait();
        let now = std::fs::read(&out).expect("the output name always holds a file");
        assert!(
            now == old || now == new,
            "round {round}: the output is neither the old file nor the complete new one"
        );
        // Nothing else than the output and temporary files is left.
        for e in std::fs::read_dir(&out_dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                // A killed run may also leave its (released) lock file.
                name == "汇总.xlsx"
                    || name == ".juesuan.lock"
                    || (name.starts_with(".juesuan-") && name.ends_with(".tmp")),
                "{name}"
            );
        }
    }
    assert!(caught_writing > 0, "no kill landed while the output was being written");
}

/// Temporary files of runs killed long ago are removed by the next write to
/// the same directory; a recent one (perhaps another run's, still writing) is kept.
#[test]
fn stale_temporary_files_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".juesuan-stale.tmp");
    let fresh = dir.path().join(".juesuan-fresh.tmp");
    let other = dir.path().join(".other-tool.tmp");
    for p in [&stale, &fresh, &other] {
        std::fs::write(p, b"partial").unwrap();
    }
    let old = SystemTime::now() - Duration::from_secs(24 * 3600);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
    std::fs::File::options().write(true).open(&other).unwrap().set_modified(old).unwrap();
    let o = bin().arg("template").arg("-o").arg(dir.path().join("t.xlsx")).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!stale.exists(), "a day-old .juesuan tmp file is removed");
    assert!(fresh.exists(), "a recent one is kept");
    assert!(other.exists(), "other programs' files are never touched");
}

const EVIL: &str = "=HYPERLINK(\"http://example.invalid/x\",\"点我\")";

/// Every worksheet XML of an xlsx output: none may hold a formula.
fn assert_no_formula(path: &Path) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        if name.starts_with("xl/worksheets/") {
            let mut s = String::new();
            e.read_to_string(&mut s).unwrap();
            assert!(
                !s.contains("<f>") && !s.contains("<f "),
                "{}: {name}: a formula was written",
                path.display()
            );
        }
    }
}

fn holds_text(path: &Path, needle: &str) -> bool {
    let wb = juesuan::workbook::open(path).unwrap();
    wb.sheets.iter().any(|s| s.rows().any(|(_, c)| c.iter().any(|(_, v)| v.text().contains(needle))))
}

/// A cell `=HYPERLINK(…)` in a label, a unit name or a project name is written
/// back as text by every subcommand that copies text from its inputs.
#[test]
fn formula_text_from_inputs_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = d.join("in/f.xlsx");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
    ws.write_string(1, 0, format!("编制单位：{EVIL}")).unwrap();
    for (c, h) in ["科目编码", "科目名称", "合计", "基本支出", "项目支出"].iter().enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(3, 0, "206").unwrap();
    ws.write_string(3, 1, EVIL).unwrap();
    for c in 2..5 {
        ws.write_number(3, c, 1.0).unwrap();
    }
    wb.save(&p).unwrap();
    // A score sheet whose project name is the same text.
    let score = d.join("score.xlsx");
    {
        let mut z = zip::ZipArchive::new(std::fs::File::open(root().join(SCORE)).unwrap()).unwrap();
        let mut w = zip::ZipWriter::new(std::fs::File::create(&score).unwrap());
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name == "xl/sharedStrings.xml" {
                let s = String::from_utf8(data).unwrap();
                assert!(s.contains("州本级单位缴费"));
                data = s.replace("州本级单位缴费", &EVIL.replace('"', "&quot;")).into_bytes();
            }
            w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut w, &data).unwrap();
        }
        w.finish().unwrap();
    }
    let o = |n: &str| d.join(n);
    let runs: Vec<(Vec<std::ffi::OsString>, Vec<PathBuf>)> = vec![
        (vec!["convert".into(), p.clone().into(), "-o".into(), o("v.xlsx").into()], vec![o("v.xlsx")]),
        (vec!["check".into(), p.clone().into(), "--report".into(), o("r.xlsx").into()], vec![o("r.xlsx")]),
        (
            vec![
                "consolidate".into(),
                d.join("in").into(),
                "-o".into(),
                o("c.xlsx").into(),
                "--by-dir".into(),
                o("by").into(),
            ],
            vec![o("c.xlsx")],
        ),
        (vec!["score".into(), score.clone().into(), "-o".into(), o("s.xlsx").into()], vec![o("s.xlsx")]),
    ];
    for (args, outs) in runs {
        run(&args);
        for out in outs {
            assert_no_formula(&out);
        }
    }
    assert!(holds_text(&o("v.xlsx"), "=HYPERLINK"), "the label is kept, as text");
    assert!(holds_text(&o("c.xlsx"), "=HYPERLINK"), "the unit name is listed in 分户表, as text");
    assert!(holds_text(&o("s.xlsx"), "=HYPERLINK"), "the project name is kept, as text");
}

fn write_unit(path: &Path, name: &str) {
    use juesuan::report::standard::{Options, workbook};
    let t = juesuan::config::Templates::embedded();
    let seeds: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("samples/src/seed_tables.json")).unwrap())
            .unwrap();
    let base = juesuan::samples::seed_department(&seeds["000"], &t.layouts, true);
    let dep = juesuan::samples::scaled(&base, 1, name);
    let opts = Options {
        department: Some(name.to_string()),
        year: dep.year,
        unit: juesuan::model::Unit::WanYuan,
        precision: None,
        blank: false,
        style: Default::default(),
    };
    let mut wb = workbook(&dep, &t.layouts, &t.messages, &opts).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    juesuan::report::save::save(&mut wb, path).unwrap();
}

/// Output names come from the input tree's directory names, never from unit
/// names read inside workbooks, and always stay inside `--by-dir`; directories
/// whose names differ only after a dot get outputs of their own.
#[test]
fn output_names_cannot_escape_the_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    let units = [
        ("v1.2/a.xlsx", "../../../逃逸单位"),
        ("v1.3/b.xlsx", "/tmp/juesuan-escape"),
        ("..x/c.xlsx", "..\\..\\windows"),
        (" 空 格 /（全角）/d.xlsx", "甲县/../../e"),
        ("e.xlsx", "~/.bashrc"),
    ];
    for (rel, name) in units {
        write_unit(&input.join(rel), name);
    }
    let out = d.join("out");
    let before: Vec<PathBuf> = snapshot(d).into_keys().collect();
    let o = bin()
        .arg("consolidate")
        .arg(&input)
        .arg("-o")
        .arg(out.join("总.xlsx"))
        .arg("--by-dir")
        .arg(out.join("分级"))
        .output()
        .unwrap();
    let t = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    let written: Vec<String> = snapshot(d)
        .into_keys()
        .filter(|p| !before.contains(p))
        .map(|p| {
            p.strip_prefix(&out).expect("every new file is under the output directory").display().to_string()
        })
        .collect();
    let mut expected = vec![
        "总.xlsx".to_string(),
        "分级/v1.2.xlsx".into(),
        "分级/v1.3.xlsx".into(),
        "分级/..x.xlsx".into(),
        "分级/ 空 格 .xlsx".into(),
        "分级/ 空 格 /（全角）.xlsx".into(),
    ];
    expected.sort();
    let mut got = written.clone();
    got.sort();
    assert_eq!(got, expected, "{t}");
    assert!(!Path::new("/tmp/juesuan-escape.xlsx").exists());
    // Each per-directory output holds its own unit only.
    let v12 = juesuan::workbook::open(&out.join("分级/v1.2.xlsx")).unwrap();
    let names: Vec<String> = v12
        .sheets
        .iter()
        .flat_map(|s| s.rows().flat_map(|(_, c)| c.iter().map(|(_, v)| v.text())).collect::<Vec<_>>())
        .collect();
    assert!(names.iter().any(|n| n.contains("逃逸单位")), "v1.2 lists its unit");
    assert!(!names.iter().any(|n| n.contains("juesuan-escape")), "and not v1.3's");
}
