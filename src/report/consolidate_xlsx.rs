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
    pub reason: Option<String>,
    /// The tables read (`1–7, 9–13`) and those missing or unreadable.
    #[serde(default)]
    pub tables_read: String,
    #[serde(default)]
    pub tables_missing: String,
}

const HEADERS: [&str; 17] = [
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
    "consolidate.col.tables_read",
    "consolidate.col.tables_missing",
];

/// Adds `分户表` (one row per unit, in the order given) to a standard workbook.
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
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(msg.text("consolidate.sheet_units", &[]))?;
    let widths =
        [5.0, 30.0, 22.0, 6.0, 7.0, 8.0, 12.0, 12.0, 12.0, 12.0, 12.0, 11.0, 6.0, 6.0, 24.0, 12.0, 14.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    // Headers such as 原金额单位 wrap in their narrow columns: the row is as tall as the tallest.
    let headers: Vec<String> = HEADERS.iter().map(|h| msg.text(h, &[])).collect();
    let lines = headers.iter().zip(widths).map(|(h, w)| page::lines(h, w)).max().unwrap_or(1);
    ws.set_row_height(0, page::height(lines))?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    page::setup(ws, Some((0, 0)), Fit::Width)?;
    let mut r: u32 = 0;
    for u in units {
        let u = u?;
        r += 1;
        let n = [(u.path.as_str(), widths[1]), (u.department.as_deref().unwrap_or(""), widths[2])]
            .into_iter()
            .chain(u.reason.as_deref().map(|t| (t, widths[14])))
            .chain([(u.tables_read.as_str(), widths[15]), (u.tables_missing.as_str(), widths[16])])
            .map(|(t, w)| page::lines(t, w - 1.0))
            .max()
            .unwrap_or(1);
        if n > 1 {
            ws.set_row_height(r, page::height(n))?;
        }
        ws.write_number_with_format(r, 0, f64::from(r), &wrap)?;
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
        ws.write_number_with_format(r, 12, u.errors as f64, &wrap)?;
        ws.write_number_with_format(r, 13, u.warnings as f64, &wrap)?;
        if let Some(reason) = &u.reason {
            ws.write_string_with_format(r, 14, crate::text::cell_text(reason), &wrap)?;
        }
        ws.write_string_with_format(r, 15, &u.tables_read, &wrap)?;
        ws.write_string_with_format(r, 16, &u.tables_missing, &wrap)?;
    }
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
