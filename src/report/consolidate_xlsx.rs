//! The extra sheets of a consolidated workbook: `分户表` (one row per input
//! unit with its key totals) and `审核结果` (every input's findings, the balance
//! adjustments and the consolidated tables' own findings).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use serde::{Deserialize, Serialize};

use crate::i18n::Catalog;
use crate::report::findings_xlsx::{self, FindingRow};
use crate::report::page::{self, Fit};

/// One row of the 分户表.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UnitRow {
    pub path: String,
    pub department: Option<String>,
    pub year: Option<i32>,
    pub unit: Option<String>,
    pub status: String,
    /// T1 本年收入合计, 本年支出合计, 年末结转和结余; T3 基本支出, 项目支出; T13 决算数合计 —
    /// in the consolidation's unit; `None` when the table or row is missing.
    pub amounts: [Option<Decimal>; 6],
    pub errors: usize,
    pub warnings: usize,
    /// Notes (提示): counted here, listed in 审核结果 only with `--with-info`.
    #[serde(default)]
    pub infos: usize,
    pub reason: Option<String>,
    /// 冲抵: (income, expenditure) removed from this unit before summing, in
    /// the consolidation's unit; `None` when nothing was offset.
    #[serde(default)]
    pub offset: Option<[Decimal; 2]>,
    /// The tables read (`1–7, 9–13`) and those missing or unreadable.
    #[serde(default)]
    pub tables_read: String,
    #[serde(default)]
    pub tables_missing: String,
    /// 单位代码 from `--units`.
    #[serde(default)]
    pub code: Option<String>,
}

const HEADERS: [&str; 21] = [
    "consolidate.col.no",
    "report.col.file",
    "consolidate.col.department",
    "consolidate.col.year",
    "consolidate.col.unit",
    "consolidate.col.status",
    "consolidate.col.income",
    "consolidate.col.expenditure",
    "consolidate.col.closing",
    "consolidate.col.basic",
    "consolidate.col.project",
    "consolidate.col.sangong",
    "consolidate.col.errors",
    "consolidate.col.warnings",
    "consolidate.col.reason",
    "consol.col.offset_income",
    "consol.col.offset_expenditure",
    "consolidate.col.tables_read",
    "consolidate.col.tables_missing",
    // Added last, so the columns before them keep their places.
    "perf.col.infos",
    "units.col.code",
];

/// Column widths: long texts wrap, the sheet prints fitted to a landscape page.
const WIDTHS: [f64; 21] = [
    5.0, 30.0, 22.0, 6.0, 7.0, 8.0, 12.0, 12.0, 12.0, 12.0, 12.0, 11.0, 6.0, 6.0, 24.0, 11.0, 11.0, 12.0,
    14.0, 6.0, 12.0,
];

/// Sums of the 分户表 amounts over a group of rows (a directory, or all).
#[derive(Default)]
struct Sums {
    units: usize,
    amounts: [Option<Decimal>; 6],
    offset: [Option<Decimal>; 2],
    errors: usize,
    warnings: usize,
    infos: usize,
}

impl Sums {
    fn add(&mut self, u: &UnitRow) {
        self.units += 1;
        for (s, a) in self.amounts.iter_mut().zip(&u.amounts) {
            if let Some(v) = a {
                *s = Some(s.unwrap_or_default() + v);
            }
        }
        for (s, a) in self.offset.iter_mut().zip(u.offset.iter().flatten()) {
            *s = Some(s.unwrap_or_default() + a);
        }
        self.errors += u.errors;
        self.warnings += u.warnings;
        self.infos += u.infos;
    }
}

/// A subtotal or 合计 row: its label, the summed amounts (of the rounded
/// amounts shown above, so a reader's sum matches) and counts.
fn write_sums(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    label: &str,
    s: &Sums,
    bold: &Format,
    num: &Format,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, 1, label, bold)?;
    ws.write_string_with_format(r, 2, s.units.to_string(), bold)?;
    for (k, a) in s.amounts.iter().enumerate() {
        if let Some(v) = a {
            ws.write_number_with_format(r, 6 + k as u16, v.to_f64().unwrap_or(0.0), num)?;
        }
    }
    ws.write_number_with_format(r, 12, s.errors as f64, bold)?;
    ws.write_number_with_format(r, 13, s.warnings as f64, bold)?;
    ws.write_number_with_format(r, 19, s.infos as f64, bold)?;
    for (k, a) in s.offset.iter().enumerate() {
        if let Some(v) = a {
            ws.write_number_with_format(r, 15 + k as u16, v.to_f64().unwrap_or(0.0), num)?;
        }
    }
    Ok(())
}

/// Adds `分户表` (one row per unit, in the order given; a subtotal after each
/// directory's units, a 合计 row last) to a standard workbook.
/// The sheet is written in constant-memory mode: rows go to a temporary file
/// as they come, so thousands of units do not stay in memory.
///
/// # Errors
/// The first error of `units`, or rust_xlsxwriter's.
pub fn add_units_sheet<E: From<XlsxError>>(
    wb: &mut Workbook,
    units: impl Iterator<Item = Result<UnitRow, E>>,
    msg: &Catalog,
) -> Result<(), E> {
    let bold = Format::new()
        .set_bold()
        .set_background_color("#F2F2F2")
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let num = Format::new().set_num_format("#,##0.00").set_align(FormatAlign::Top);
    let num_bold = Format::new().set_num_format("#,##0.00").set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(msg.text("consolidate.sheet_units", &[]))?;
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    // Headers such as 原金额单位 wrap in their narrow columns: the row is as tall as the tallest.
    let headers: Vec<String> = HEADERS.iter().map(|h| msg.text(h, &[])).collect();
    let lines = headers.iter().zip(WIDTHS).map(|(h, w)| page::lines(h, w)).max().unwrap_or(1);
    ws.set_row_height(0, page::height(lines))?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    page::setup(ws, Some((0, 0)), Fit::Width)?;
    let mut r: u32 = 0;
    let mut n: u32 = 0;
    // Open directories (outermost first) with the sums of their rows so far:
    // a directory's rows are contiguous in sorted-path order, so its subtotal
    // is written when the first row outside it comes.
    let mut open: Vec<(std::path::PathBuf, Sums)> = Vec::new();
    let mut total = Sums::default();
    for u in units {
        let u = u?;
        let dirs: Vec<std::path::PathBuf> = std::path::Path::new(&u.path)
            .ancestors()
            .skip(1)
            .filter(|d| !d.as_os_str().is_empty())
            .map(|d| d.to_path_buf())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        while open.last().is_some_and(|(d, _)| !dirs.contains(d)) {
            if let Some((d, sums)) = open.pop() {
                r += 1;
                write_sums(
                    ws,
                    r,
                    &msg.text("consol.subtotal", &[("dir", &d.display())]),
                    &sums,
                    &bold,
                    &num_bold,
                )?;
            }
        }
        for d in dirs {
            if !open.iter().any(|(o, _)| *o == d) {
                open.push((d, Sums::default()));
            }
        }
        r += 1;
        n += 1;
        // Wrapped rows get their height (spreadsheets do not grow them on open);
        // set before the cells, as a constant-memory sheet requires.
        let lines = [(u.path.as_str(), WIDTHS[1]), (u.department.as_deref().unwrap_or(""), WIDTHS[2])]
            .into_iter()
            .chain(u.reason.as_deref().map(|t| (t, WIDTHS[14])))
            .chain([(u.tables_read.as_str(), WIDTHS[17]), (u.tables_missing.as_str(), WIDTHS[18])])
            .map(|(t, w)| page::lines(t, w - 1.0))
            .max()
            .unwrap_or(1);
        if lines > 1 {
            ws.set_row_height(r, page::height(lines))?;
        }
        ws.write_number_with_format(r, 0, f64::from(n), &wrap)?;
        ws.write_string_with_format(r, 1, &u.path, &wrap)?;
        ws.write_string_with_format(r, 2, u.department.as_deref().unwrap_or(""), &wrap)?;
        if let Some(y) = u.year {
            ws.write_number_with_format(r, 3, f64::from(y), &wrap)?;
        }
        ws.write_string_with_format(r, 4, u.unit.as_deref().unwrap_or(""), &wrap)?;
        ws.write_string_with_format(r, 5, &u.status, &wrap)?;
        for (k, a) in u.amounts.iter().enumerate() {
            if let Some(v) = a {
                ws.write_number_with_format(r, 6 + k as u16, v.to_f64().unwrap_or(0.0), &num)?;
            }
        }
        for (_, s) in &mut open {
            s.add(&u);
        }
        total.add(&u);
        ws.write_number_with_format(r, 12, u.errors as f64, &wrap)?;
        ws.write_number_with_format(r, 13, u.warnings as f64, &wrap)?;
        ws.write_number_with_format(r, 19, u.infos as f64, &wrap)?;
        if let Some(reason) = &u.reason {
            ws.write_string_with_format(r, 14, reason, &wrap)?;
        }
        for (k, v) in u.offset.iter().flatten().enumerate() {
            ws.write_number_with_format(r, 15 + k as u16, v.to_f64().unwrap_or(0.0), &num)?;
        }
        ws.write_string_with_format(r, 17, &u.tables_read, &wrap)?;
        ws.write_string_with_format(r, 18, &u.tables_missing, &wrap)?;
        if let Some(code) = &u.code {
            ws.write_string_with_format(r, 20, code, &wrap)?;
        }
    }
    // Directories that hold every row are the 合计 itself.
    while let Some((d, sums)) = open.pop() {
        if sums.units < total.units {
            r += 1;
            write_sums(
                ws,
                r,
                &msg.text("consol.subtotal", &[("dir", &d.display())]),
                &sums,
                &bold,
                &num_bold,
            )?;
        }
    }
    r += 1;
    write_sums(ws, r, &msg.text("consol.total", &[]), &total, &bold, &num_bold)?;
    ws.set_freeze_panes(1, 3)?;
    ws.autofilter(0, 0, r.max(1), (HEADERS.len() - 1) as u16)?;
    Ok(())
}

/// Adds `审核结果` (the columns of `check --report`), in constant-memory mode.
///
/// # Errors
/// The first error of `rows`, or rust_xlsxwriter's.
pub fn add_findings_sheet<E: From<XlsxError>>(
    wb: &mut Workbook,
    rows: impl Iterator<Item = Result<FindingRow, E>>,
    msg: &Catalog,
) -> Result<(), E> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(msg.text("report.sheet_findings", &[]))?;
    findings_xlsx::write_header(ws, msg)?;
    let mut r: u32 = 0;
    for x in rows {
        r += 1;
        findings_xlsx::write_row(ws, r, &x?, msg)?;
    }
    findings_xlsx::finish(ws, r)?;
    Ok(())
}
