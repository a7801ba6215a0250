//! The adjustment sheets of a consolidated workbook: `舍位调整` (every amount
//! written differently from its ordinary rounding by 舍位平衡, with its exact
//! sum, the ordinary rounding, the written value and why) and `冲抵调整`
//! (every internal flow offset, by unit and row).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::i18n::Catalog;
use crate::model::Unit;
use crate::outcome::{Adjustment, OffsetRow, Role, Why};
use crate::template::Layouts;

const HEADERS: [&str; 9] = [
    "consol.col.sheet",
    "report.col.row",
    "report.col.column",
    "consol.col.exact",
    "consol.col.naive",
    "consol.col.written",
    "consol.col.delta",
    "consol.col.distance",
    "consol.col.why",
];

/// Adds `舍位调整` after the other sheets (header only when nothing was adjusted).
///
/// # Errors
/// rust_xlsxwriter's.
pub fn add_adjustments_sheet(
    wb: &mut Workbook,
    adjustments: &[Adjustment],
    layouts: &Layouts,
    msg: &Catalog,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#F2F2F2").set_text_wrap();
    let cents = Format::new().set_num_format("#,##0.00");
    let exact = Format::new().set_num_format("#,##0.00####");
    let ws = wb.add_worksheet();
    ws.set_name(msg.text("consol.sheet_adjustments", &[]))?;
    for (c, w) in [34.0, 28.0, 20.0, 16.0, 14.0, 14.0, 10.0, 10.0, 50.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, msg.text(h, &[]), &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    super::page::setup(ws, Some((0, 0)), super::page::Fit::Width)?;
    let num = |d: Decimal| d.to_f64().unwrap_or(0.0);
    for (i, a) in adjustments.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let sheet =
            layouts.table(a.table).map_or_else(|| format!("T{:02}", a.table), super::standard::sheet_name);
        ws.write_string(r, 0, &sheet)?;
        ws.write_string(r, 1, &a.row)?;
        ws.write_string(r, 2, &a.column)?;
        ws.write_number_with_format(r, 3, num(a.exact), &exact)?;
        ws.write_number_with_format(r, 4, num(a.naive), &cents)?;
        ws.write_number_with_format(r, 5, num(a.written), &cents)?;
        ws.write_number_with_format(r, 6, num(a.written - a.naive), &cents)?;
        ws.write_number_with_format(r, 7, num((a.written - a.exact).abs()), &exact)?;
        let why = match a.why {
            Why::Total => "consol.why.total",
            Why::Part => "consol.why.part",
        };
        ws.write_string(r, 8, msg.text(why, &[]))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last = u32::try_from(adjustments.len()).unwrap_or(u32::MAX).max(1);
    ws.autofilter(0, 0, last, (HEADERS.len() - 1) as u16)?;
    Ok(())
}

/// Adds `冲抵调整`: one row per unit and flow offset in this node, amounts in
/// `unit` (rounded to the cent), then the totals of each flow.
///
/// # Errors
/// rust_xlsxwriter's.
pub fn add_offsets_sheet(
    wb: &mut Workbook,
    rows: &[OffsetRow],
    unit: Unit,
    msg: &Catalog,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#F2F2F2").set_text_wrap();
    let cents = Format::new().set_num_format("#,##0.00");
    let ws = wb.add_worksheet();
    ws.set_name(msg.text("consol.sheet_offsets", &[]))?;
    let headers = [
        "report.col.file",
        "consolidate.col.department",
        "consol.col.role",
        "consol.col.sheet",
        "report.col.row",
        "consol.col.offset",
    ];
    for (c, w) in [40.0, 28.0, 8.0, 22.0, 22.0, 14.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, msg.text(h, &[]), &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    super::page::setup(ws, Some((0, 0)), super::page::Fit::Width)?;
    let to = Unit::Yuan.factor_to(unit);
    let round =
        |v: Decimal| (v * to).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut totals: Vec<(&str, Decimal)> = Vec::new();
    let mut r = 0u32;
    for o in rows {
        let role = msg.text(
            if o.role == Role::Supervisor { "consol.role.supervisor" } else { "consol.role.subordinate" },
            &[],
        );
        for (table, (row, v)) in
            [("consol.table.income", &o.income), ("consol.table.expenditure", &o.expenditure)]
        {
            let (row, v) = (row.as_str(), *v);
            r += 1;
            ws.write_string(r, 0, &o.path)?;
            ws.write_string(r, 1, o.department.as_deref().unwrap_or(""))?;
            ws.write_string(r, 2, &role)?;
            ws.write_string(r, 3, msg.text(table, &[]))?;
            ws.write_string(r, 4, row)?;
            ws.write_number_with_format(r, 5, round(v).to_f64().unwrap_or(0.0), &cents)?;
            match totals.iter_mut().find(|(k, _)| *k == row) {
                Some((_, t)) => *t += round(v),
                None => totals.push((row, round(v))),
            }
        }
    }
    for (row, v) in totals {
        r += 1;
        ws.write_string_with_format(r, 0, msg.text("consol.total", &[]), &bold)?;
        ws.write_string_with_format(r, 4, row, &bold)?;
        ws.write_number_with_format(r, 5, v.to_f64().unwrap_or(0.0), &cents)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}
