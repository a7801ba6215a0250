//! The extra sheets of a consolidated workbook: `分户表` (one row per input
//! unit with its key totals) and `审核结果` (every input's findings, the balance
//! adjustments and the consolidated tables' own findings).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::{Deserialize, Serialize};

use crate::i18n::Catalog;
use crate::report::findings_xlsx::{self, FindingRow};

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
    let bold = Format::new().set_bold().set_background_color("#F2F2F2").set_text_wrap();
    let num = Format::new().set_num_format("#,##0.00");
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(msg.text("consolidate.sheet_units", &[]))?;
    for (c, w) in
        [6.0, 40.0, 28.0, 7.0, 7.0, 10.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 7.0, 7.0, 40.0, 14.0, 14.0]
            .iter()
            .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, msg.text(h, &[]), &bold)?;
    }
    let mut r: u32 = 0;
    for u in units {
        let u = u?;
        r += 1;
        ws.write_number(r, 0, f64::from(r))?;
        ws.write_string(r, 1, &u.path)?;
        ws.write_string(r, 2, u.department.as_deref().unwrap_or(""))?;
        if let Some(y) = u.year {
            ws.write_number(r, 3, f64::from(y))?;
        }
        ws.write_string(r, 4, u.unit.as_deref().unwrap_or(""))?;
        ws.write_string(r, 5, &u.status)?;
        for (k, a) in u.amounts.iter().enumerate() {
            if let Some(v) = a {
                ws.write_number_with_format(r, 6 + k as u16, v.to_f64().unwrap_or(0.0), &num)?;
            }
        }
        ws.write_number(r, 12, u.errors as f64)?;
        ws.write_number(r, 13, u.warnings as f64)?;
        if let Some(reason) = &u.reason {
            ws.write_string(r, 14, reason)?;
        }
        ws.write_string(r, 15, &u.tables_read)?;
        ws.write_string(r, 16, &u.tables_missing)?;
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
        findings_xlsx::write_row(ws, r, &x?)?;
    }
    findings_xlsx::finish(ws, r)?;
    Ok(())
}
