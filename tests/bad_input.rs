//! Bad input is a first-class case: every broken file gives a clear message
//! naming the file and what is wrong, exit status 1, and never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

mod support;

use std::path::Path;

use support::bin;

fn convert(input: &Path, dir: &Path) -> (Option<i32>, String) {
    let o = bin().arg("convert").arg(input).arg("-o").arg(dir.join("out.xlsx")).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!text.contains("panicked"), "{text}");
    (o.status.code(), text)
}

fn sample() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/攀枝花市科学技术协会2024.xlsx"))
        .unwrap()
}

fn check(name: &str, bytes: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    std::fs::write(&input, bytes).unwrap();
    let (code, text) = convert(&input, dir.path());
    assert_eq!(code, Some(1), "{name}: {text}");
    assert!(text.contains(name), "{name}: message must name the file: {text}");
    assert!(text.contains(expect), "{name}: expected “{expect}” in: {text}");
    assert!(!dir.path().join("out.xlsx").exists(), "{name}: no output for unreadable input");
    assert_eq!(std::fs::read(&input).unwrap(), bytes, "{name}: input must not change");
}

#[test]
fn zero_byte_file() {
    check("空文件.xlsx", b"", "文件为空");
}

#[test]
fn text_file_named_xlsx() {
    check("notes.xlsx", "这是一个文本文件，不是工作簿。\n".as_bytes(), "不是 Excel 工作簿");
}

#[test]
fn html_saved_as_xls() {
    check("export.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML");
}

#[test]
fn truncated_zip() {
    let bytes = sample();
    check("truncated.xlsx", &bytes[..bytes.len() / 2], "已损坏或不完整");
}

#[test]
fn office_lock_file() {
    // Office writes a small binary owner record into ~$ files.
    let mut lock = vec![0x0Au8];
    lock.extend("someone".as_bytes());
    lock.resize(162, 0x20);
    check("~$攀枝花.xlsx", &lock, "不是 Excel 工作簿");
}

#[test]
fn encrypted_workbook() {
    // An encrypted OOXML workbook is a compound file holding EncryptionInfo and EncryptedPackage.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("加密.xlsx");
    {
        let mut comp = cfb::create(&path).unwrap();
        use std::io::Write;
        comp.create_stream("/EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
        comp.create_stream("/EncryptedPackage").unwrap().write_all(&[0u8; 64]).unwrap();
        comp.flush().unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    check("加密.xlsx", &bytes, "密码");
}

#[test]
fn workbook_with_no_recognisable_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "工资条").unwrap();
    wb.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    check("other.xlsx", &bytes, "未找到任何决算表");
}

#[test]
fn workbook_with_only_some_tables_converts_and_lists_the_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("part.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
    for (c, h) in ["科目编码", "科目名称", "合计", "基本支出", "项目支出"].iter().enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "206").unwrap();
    ws.write_string(2, 1, "科学技术支出").unwrap();
    for c in 2..5 {
        ws.write_number(2, c, 1.0).unwrap();
    }
    wb.save(&path).unwrap();
    let (code, text) = convert(&path, dir.path());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("T01, T02, T03, T04, T05, T07"), "{text}");
    assert!(dir.path().join("out.xlsx").exists());
}

/// `file-unreadable` by id: the findings workbook lists the broken input with
/// that id and the readable sample with none, so an unreadable file is never
/// missing from the officer's list.
#[test]
fn an_unreadable_file_is_a_file_unreadable_row_and_a_readable_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("坏.xlsx");
    std::fs::write(&bad, b"not a workbook").unwrap();
    let good = dir.path().join("好.xlsx");
    support::copy("samples/凉山州科学技术协会2023.xlsx", &good);
    let report = dir.path().join("审核.xlsx");
    let o = bin().arg("check").arg(&bad).arg(&good).arg("--report").arg(&report).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let wb = juesuan::workbook::open(&report).unwrap();
    let rows: Vec<String> = wb
        .sheets
        .iter()
        .flat_map(|s| {
            s.rows()
                .map(|(_, cells)| cells.iter().map(|(_, v)| format!("{v:?}")).collect::<Vec<_>>().join("|"))
        })
        .filter(|r| r.contains("file-unreadable"))
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("坏.xlsx") && !rows[0].contains("好.xlsx"), "{rows:?}");
}
