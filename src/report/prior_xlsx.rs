//! The `上年对比` sheet of a consolidated workbook (`consolidate --prior`): the
//! figures of the `change` rules (P4) for the node, this year and last year,
//! with the change and its rate, printable like the standard tables.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use crate::i18n::Catalog;
use crate::model::Unit;
use crate::rules::eval::YearFigure;

const HEADERS: [&str; 6] = [
    "prior.col.rule",
    "prior.col.figure",
    "prior.col.now",
    "prior.col.then",
    "prior.col.change",
    "prior.col.rate",
];

/// 增减率 in percent, two decimals; `None` when last year's figure is zero.
pub fn rate(now: Decimal, then: Decimal) -> Option<Decimal> {
    (!then.is_zero()).then(|| ((now - then) / then.abs() * Decimal::ONE_HUNDRED).round_dp(2))
}

/// Adds `上年对比` for one node (`name`), figures in `unit`.
///
/// # Errors
/// rust_xlsxwriter's.
pub fn add_prior_sheet(
    wb: &mut Workbook,
    name: &str,
    figures: &[YearFigure],
    unit: Unit,
    msg: &Catalog,
) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center);
    let bold = Format::new()
        .set_bold()
        .set_background_color("#F2F2F2")
        .set_text_wrap()
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let text = Format::new().set_text_wrap().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let num = Format::new().set_num_format("#,##0.00").set_border(rust_xlsxwriter::FormatBorder::Thin);
    let pct = Format::new().set_num_format("0.00\"%\"").set_border(rust_xlsxwriter::FormatBorder::Thin);
    let ws = wb.add_worksheet();
    ws.set_name(msg.text("prior.sheet", &[]))?;
    ws.merge_range(0, 0, 0, 5, &msg.text("prior.sheet_title", &[("name", &name)]), &title)?;
    ws.write_string(1, 5, msg.text("prior.sheet_unit", &[("unit", &unit.as_str())]))?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, msg.text(h, &[]), &bold)?;
    }
    for (c, w) in [8.0, 60.0, 16.0, 16.0, 16.0, 12.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
    for (i, y) in figures.iter().enumerate() {
        let r = 3 + u32::try_from(i).unwrap_or(u32::MAX - 3);
        ws.write_string_with_format(r, 0, &y.rule, &text)?;
        ws.write_string_with_format(r, 1, &y.figure, &text)?;
        ws.write_number_with_format(r, 2, f(y.now), &num)?;
        ws.write_number_with_format(r, 3, f(y.then), &num)?;
        ws.write_number_with_format(r, 4, f(y.now - y.then), &num)?;
        match rate(y.now, y.then) {
            Some(p) => ws.write_number_with_format(r, 5, f(p), &pct)?,
            None => ws.write_string_with_format(r, 5, "—", &text)?,
        };
    }
    ws.set_freeze_panes(3, 2)?;
    super::page::setup(ws, Some((2, 2)), super::page::Fit::Width)
}
