//! Printed pages: the blank template, a converted department and a findings
//! report are rendered to PDF with LibreOffice and their pages counted and
//! measured (A4 landscape; one page per official table; page numbers in the
//! footer). Skipped, with a message, where LibreOffice or poppler is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

mod support;

use std::path::Path;
use std::process::Command;

use support::{bin, copy, text};

fn available(tool: &str, arg: &str) -> bool {
    Command::new(tool).arg(arg).output().is_ok_and(|o| o.status.success())
}

/// `(pages, every page A4 landscape)` from `pdfinfo`.
fn pages(pdf: &Path) -> (usize, bool) {
    let info = Command::new("pdfinfo").arg("-f").arg("1").arg("-l").arg("999").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let sizes: Vec<&str> = info.lines().filter(|l| l.starts_with("Page") && l.contains(" size:")).collect();
    let landscape = sizes.iter().all(|l| l.contains("841.89 x 595.") && l.contains("(A4)"));
    (sizes.len(), landscape && !sizes.is_empty())
}

#[test]
fn printed_reports_are_a4_landscape_one_page_per_official_table() {
    if !available("soffice", "--version") || !available("pdfinfo", "-v") {
        eprintln!("skipped: LibreOffice (soffice) and poppler (pdfinfo) are needed to render the reports");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in/凉山州科学技术协会2023.xlsx");
    copy("samples/凉山州科学技术协会2023.xlsx", &input);
    let score = support::root().join("samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx");
    let runs: [Vec<std::ffi::OsString>; 5] = [
        vec!["template".into(), "-o".into(), d.join("template.xlsx").into(), "--year".into(), "2024".into()],
        vec!["convert".into(), input.clone().into(), "-o".into(), d.join("convert.xlsx").into()],
        vec!["check".into(), input.clone().into(), "--report".into(), d.join("report.xlsx").into()],
        vec!["consolidate".into(), input.into(), "-o".into(), d.join("consolidate.xlsx").into()],
        vec!["score".into(), score.into(), "-o".into(), d.join("score.xlsx").into()],
    ];
    for args in &runs {
        let o = bin().args(args).output().unwrap();
        assert!(o.status.code().is_some_and(|c| c < 2), "{args:?}: {}", text(&o));
    }
    let profile = format!("-env:UserInstallation=file://{}", d.join("lo-profile").display());
    let o = Command::new("soffice")
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(d)
        .args(
            ["template.xlsx", "convert.xlsx", "report.xlsx", "consolidate.xlsx", "score.xlsx"]
                .map(|f| d.join(f)),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Thirteen official one-page forms: thirteen pages, blank or filled.
    assert_eq!(pages(&d.join("template.pdf")), (13, true));
    assert_eq!(pages(&d.join("convert.pdf")), (13, true));
    // A one-file findings report: one landscape page, not a long strip of two columns.
    assert_eq!(pages(&d.join("report.pdf")), (1, true));
    // A consolidation: the thirteen tables, 分户表 and 审核结果, all A4 landscape.
    let (n, landscape) = pages(&d.join("consolidate.pdf"));
    assert!(landscape && (15..=17).contains(&n), "{n} pages");
    // The score workbook: 汇总, 问题清单 and one page per project (21), all landscape.
    let (n, landscape) = pages(&d.join("score.pdf"));
    assert!(landscape && (23..=40).contains(&n), "{n} pages");
    if available("pdftotext", "-v") {
        let t =
            Command::new("pdftotext").arg("-layout").arg(d.join("template.pdf")).arg("-").output().unwrap();
        let t = String::from_utf8_lossy(&t.stdout);
        assert!(t.contains("第 1 页 共 13 页") && t.contains("第 13 页 共 13 页"), "{t}");
        assert!(t.contains("编制单位："), "the blank template's label: {t}");
        // The unit name is never cut by the year beside it (T08/T09 are narrow).
        let t =
            Command::new("pdftotext").arg("-layout").arg(d.join("convert.pdf")).arg("-").output().unwrap();
        let t = String::from_utf8_lossy(&t.stdout);
        assert_eq!(t.matches("编制单位：凉山州科学技术协会").count(), 13, "{t}");
    }
}
