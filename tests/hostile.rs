//! Hostile inputs (issue 6 §4): nothing crashes, hangs or exhausts memory;
//! every problem gets a clear message naming the file, the batch goes on, and
//! the exit status follows cli.md (1 for an unreadable input, 2 when the run
//! cannot be done at all). Integrity of inputs and outputs: tests/integrity.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{bin, root, text};

fn good(to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(root().join("samples/county/某市/甲县/甲县科学技术协会（虚构）.xlsx"), to).unwrap();
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
        assert!(t.contains("错误") && t.contains("not-a-dir"), "{t}");
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

/// Runs the binary with its address space capped (`ulimit -v`), so a reader
/// that tried to inflate a bomb would fail the test instead of swapping.
fn bin_capped(limit_kb: u64) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(format!("ulimit -v {limit_kb}; exec \"$0\" \"$@\"")).arg(env!("CARGO_BIN_EXE_juesuan"));
    c
}

/// A minimal zip writer for forged archives: `(name, method, crc, declared size, data)`.
fn write_zip(path: &Path, entries: &[(String, u16, u32, u32, Vec<u8>)]) {
    let mut out: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    for (name, method, crc, size, data) in entries {
        let offset = u32::try_from(out.len()).unwrap();
        let comp = u32::try_from(data.len()).unwrap();
        let name_len = u16::try_from(name.len()).unwrap();
        out.extend(0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, *method, 0, 0x21] {
            out.extend(v.to_le_bytes());
        }
        for v in [*crc, comp, *size] {
            out.extend(v.to_le_bytes());
        }
        out.extend(name_len.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, *method, 0, 0x21] {
            central.extend(v.to_le_bytes());
        }
        for v in [*crc, comp, *size] {
            central.extend(v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend(v.to_le_bytes());
        }
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).unwrap();
    let cd_size = u32::try_from(central.len()).unwrap();
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    let n = u16::try_from(entries.len()).unwrap();
    for v in [0u16, 0, n, n] {
        out.extend(v.to_le_bytes());
    }
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

/// Raw deflate of `chunk`, as non-final blocks that refer to nothing before
/// them: the compressed bytes can be repeated to repeat the output.
fn deflate_piece(chunk: &[u8]) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(chunk.len() + 1024);
    c.compress_vec(chunk, &mut out, flate2::FlushCompress::Sync).unwrap();
    assert_eq!(c.total_in() as usize, chunk.len());
    out
}

/// The sample workbook with `xl/worksheets/sheet1.xml` replaced by a deflate
/// stream inflating to `repeats` MiB of `<row>` data; `declared` is the size
/// the zip directory announces for it (the truth, or a forged small number).
fn zip_bomb(path: &Path, repeats: usize, declared: Option<u32>) -> u64 {
    let sample = std::fs::read(root().join("samples/攀枝花市科学技术协会2024.xlsx")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(sample)).unwrap();
    let mut entries = Vec::new();
    let head = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
    let row = b"<row><c t=\"n\"><v>1</v></c></row>";
    let chunk: Vec<u8> = row.iter().copied().cycle().take(1 << 20).collect();
    let mut bomb = deflate_piece(head);
    let piece = deflate_piece(&chunk);
    for _ in 0..repeats {
        bomb.extend_from_slice(&piece);
    }
    bomb.extend([0x03, 0x00]); // final, empty, fixed-Huffman block
    let inflated = (head.len() + repeats * chunk.len()) as u64;
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name == "xl/worksheets/sheet1.xml" {
            let size = declared.unwrap_or_else(|| u32::try_from(inflated).unwrap());
            entries.push((name, 8u16, 0, size, bomb.clone()));
        } else {
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut data).unwrap();
            let crc = crc32fast::hash(&data);
            let len = u32::try_from(data.len()).unwrap();
            entries.push((name, 0u16, crc, len, data));
        }
    }
    write_zip(path, &entries);
    inflated
}

/// 2 GiB of address space: far below what inflating any of these bombs takes.
const CAP_KB: u64 = 2 * 1024 * 1024;

#[test]
fn zip_bomb_of_gigabytes_is_refused_from_the_zip_directory() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bomb.xlsx");
    let inflated = zip_bomb(&p, 2500, None);
    assert!(inflated > 2 << 30, "the sheet XML inflates to gigabytes");
    assert!(std::fs::metadata(&p).unwrap().len() < 8 << 20, "from a file of a few MB");
    good(&dir.path().join("ok.xlsx"));
    let o = bin_capped(CAP_KB).arg("check").arg(dir.path()).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("bomb.xlsx") && t.contains("压缩炸弹"), "{t}");
    assert!(t.contains("ok.xlsx：甲县科学技术协会"), "the batch goes on: {t}");
}

#[test]
fn zip_bomb_with_forged_small_sizes_is_cut_at_the_declared_size() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("forged.xlsx");
    // The directory claims 64 KiB; the stream would inflate to 2.4 GiB.
    zip_bomb(&p, 2500, Some(64 * 1024));
    good(&dir.path().join("ok.xlsx"));
    let o = bin_capped(CAP_KB).arg("--lang").arg("en").arg("check").arg(dir.path()).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("forged.xlsx: unreadable"), "{t}");
    assert!(t.contains("ok.xlsx"), "the batch goes on: {t}");
}

#[test]
fn ods_whose_repeats_expand_to_billions_of_cells_is_refused() {
    // Six thousand rows of 16,384 repeated non-empty cells, in a few hundred bytes of XML:
    // plain calamine would build a dense grid of ~100 million cells (gigabytes).
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read(root().join("samples/variants/攀枝花市科学技术协会2024.ods")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(src)).unwrap();
    let p = dir.path().join("repeats.ods");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "content.xml" {
            let s = String::from_utf8(data).unwrap();
            let at = s.find("<table:table-row").unwrap();
            let bomb = "<table:table-row table:number-rows-repeated=\"6000\"><table:table-cell \
                table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\">\
                <text:p>1</text:p></table:table-cell></table:table-row>";
            data = format!("{}{bomb}{}", &s[..at], &s[at..]).into_bytes();
        }
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        w.start_file(name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        w.write_all(&data).unwrap();
    }
    w.finish().unwrap();
    assert!(std::fs::metadata(&p).unwrap().len() < 64 * 1024);
    good(&dir.path().join("ok.xlsx"));
    let o = bin_capped(CAP_KB).arg("check").arg(dir.path()).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("repeats.ods") && t.contains("单元格过多"), "{t}");
    assert!(t.contains("ok.xlsx：甲县科学技术协会"), "the batch goes on: {t}");
}

#[test]
fn xls_with_cells_at_opposite_corners_is_refused() {
    // Move one RK (number) record of the xls sample to row 65536, column IV: a
    // few hundred cells, but calamine would hold the 16-million-cell rectangle.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(root().join("samples/variants/攀枝花市科学技术协会2024.xls")).unwrap();
    let at = bytes.windows(4).position(|w| w == [0x7E, 0x02, 0x0A, 0x00]).expect("an RK record");
    bytes[at + 4..at + 8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0x00]);
    let p = dir.path().join("corners.xls");
    std::fs::write(&p, &bytes).unwrap();
    let o = bin_capped(CAP_KB).arg("check").arg(&p).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("corners.xls") && t.contains("分布范围异常大"), "{t}");
}

/// An encrypted workbook in a batch: reported in words, the others still read.
#[test]
fn encrypted_workbook_in_a_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("加密.xlsx");
    {
        let mut comp = cfb::create(&path).unwrap();
        comp.create_stream("/EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
        comp.create_stream("/EncryptedPackage").unwrap().write_all(&[0u8; 4096]).unwrap();
        comp.flush().unwrap();
    }
    good(&dir.path().join("ok.xlsx"));
    let o = bin().arg("check").arg(dir.path()).args(["--json", "-"]).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files = j["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let enc = files.iter().find(|f| f["path"].as_str().unwrap().ends_with("加密.xlsx")).unwrap();
    assert_eq!(enc["status"], "unreadable");
    assert!(enc["error"].as_str().unwrap().contains("密码"), "{enc}");
    let ok = files.iter().find(|f| f["path"].as_str().unwrap().ends_with("ok.xlsx")).unwrap();
    assert_eq!(ok["status"], "ok", "{ok}");
    // consolidate lists it as excluded and still writes the sum of the rest.
    let out = dir.path().join("out/sum.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(dir.path().join("加密.xlsx"))
        .arg(dir.path().join("ok.xlsx"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("加密.xlsx") && t.contains("密码"), "{t}");
    assert!(juesuan::workbook::open(&out).is_ok(), "{t}");
}

/// The content decides, not the extension; other files in a folder are skipped with a note,
/// a workbook extension on something else is an unreadable input.
#[test]
fn wrong_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good(&d.join("真xlsx.xls"));
    std::fs::copy(root().join("samples/variants/攀枝花市科学技术协会2024.xls"), d.join("真xls.xlsx"))
        .unwrap();
    std::fs::copy(root().join("samples/variants/攀枝花市科学技术协会2024.ods"), d.join("真ods.xlsx"))
        .unwrap();
    good(&d.join("无扩展名"));
    std::fs::write(d.join("说明.xlsx"), "这不是工作簿".as_bytes()).unwrap();
    std::fs::write(d.join("报表.pdf"), b"%PDF-1.4\n").unwrap();
    let o = bin().arg("check").arg(d).args(["--json", "-"]).output().unwrap();
    let t = text(&o);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let read: Vec<&str> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "unreadable")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for name in ["真xlsx.xls", "真xls.xlsx", "真ods.xlsx", "无扩展名"] {
        assert!(read.iter().any(|p| p.ends_with(name)), "{name} is read by its content: {read:?}");
    }
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("报表.pdf") && err.contains("不是工作簿文件"),
        "报表.pdf skipped with a note: {err}"
    );
    // A workbook extension on text is an unreadable input, listed (cli.md § Common rules).
    let un =
        j["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with("说明.xlsx"));
    assert_eq!(un.map(|f| &f["status"]), Some(&serde_json::json!("unreadable")), "{j}");
    assert!(matches!(o.status.code(), Some(0 | 1)), "{t}");
    // A file named on the command line is always tried, and refused in words.
    let o = bin().arg("convert").arg(d.join("说明.xlsx")).arg("-o").arg(d.join("o.xlsx")).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("说明.xlsx") && t.contains("不是 Excel 工作簿"), "{t}");
}

/// Writing where nothing can be written: exit 2 with the path, for every subcommand
/// that writes, and the inputs untouched.
#[test]
fn unwritable_output_directories() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/a.xlsx");
    good(&input);
    let before = std::fs::read(&input).unwrap();
    let score = root().join("samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx");
    // A read-only directory (root ignores the mode, so it only counts when it
    // really refuses a file), and /proc, which refuses new files even to root.
    let ro = dir.path().join("只读 目录");
    std::fs::create_dir(&ro).unwrap();
    let mut targets = Vec::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), b"x").is_err() {
            targets.push(ro.clone());
        }
    }
    if cfg!(target_os = "linux") {
        targets.push(PathBuf::from("/proc"));
    }
    assert!(!targets.is_empty());
    for t in &targets {
        let runs: Vec<Vec<std::ffi::OsString>> = vec![
            vec!["consolidate".into(), input.clone().into(), "-o".into(), t.join("c.xlsx").into()],
            vec!["convert".into(), input.clone().into(), "-o".into(), t.join("v.xlsx").into()],
            vec!["check".into(), input.clone().into(), "--json".into(), t.join("r.json").into()],
            vec!["score".into(), score.clone().into(), "-o".into(), t.join("s.xlsx").into()],
            vec!["template".into(), "-o".into(), t.join("t.xlsx").into()],
        ];
        for args in runs {
            let o = bin().args(&args).output().unwrap();
            let txt = text(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {txt}");
            assert!(txt.contains("错误") && txt.contains(&*t.to_string_lossy()), "{args:?}: {txt}");
        }
    }
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

/// An output path that is one of the inputs is refused before anything is read
/// or written (exit 2), whichever flag names it.
#[test]
fn output_equal_to_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = d.join("in/某市/甲县.xlsx");
    good(&a);
    good(&d.join("in/某市/甲县/单位.xlsx"));
    let score = d.join("score.xlsx");
    std::fs::copy(root().join("samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx"), &score).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&a, d.join("link.xlsx")).unwrap();
    let snapshot = || -> Vec<Vec<u8>> {
        [&a, &d.join("in/某市/甲县/单位.xlsx"), &score].iter().map(|p| std::fs::read(p).unwrap()).collect()
    };
    let before = snapshot();
    let input = d.join("in");
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["convert".into(), a.clone().into(), "-o".into(), a.clone().into()],
        vec!["convert".into(), a.clone().into(), "-o".into(), d.join("link.xlsx").into()],
        vec!["consolidate".into(), input.clone().into(), "-o".into(), a.clone().into()],
        vec![
            "consolidate".into(),
            input.clone().into(),
            "-o".into(),
            d.join("sum.xlsx").into(),
            "--json".into(),
            a.clone().into(),
        ],
        // --by-dir pointed into the input tree would write 某市/甲县.xlsx over an input.
        vec![
            "consolidate".into(),
            input.clone().into(),
            "-o".into(),
            d.join("sum.xlsx").into(),
            "--by-dir".into(),
            input.clone().into(),
        ],
        vec!["check".into(), input.clone().into(), "--report".into(), a.clone().into()],
        vec!["check".into(), input.clone().into(), "--json".into(), a.clone().into()],
        vec!["score".into(), score.clone().into(), "-o".into(), score.clone().into()],
    ];
    for args in runs {
        let o = bin().args(&args).output().unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
        assert!(t.contains("同时也是输入文件"), "{args:?}: {t}");
        assert_eq!(snapshot(), before, "{args:?}: an input changed");
        assert!(!d.join("sum.xlsx").exists(), "{args:?}: nothing is written");
    }
}
