//! The findings workbook (`check --report`, and `审核结果` in consolidations):
//! one row per finding with a hyperlink to the source cell (errors and
//! warnings; notes name their cells as text), the compared
//! amounts as numbers, and an empty 说明 column for the officer; filterable,
//! header frozen. `explain` reads the 说明 back for the next run.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatUnderline, Url, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};

use crate::i18n::Catalog;
use crate::outcome::FileReport;
use crate::outcome::ReportColumn as C;
use crate::report::page::{self, Fit};

/// Column widths: long texts wrap, so thirteen columns fit a landscape page legibly.
const WIDTHS: [f64; 13] = [28.0, 18.0, 16.0, 14.0, 16.0, 9.0, 6.0, 11.0, 11.0, 10.0, 56.0, 20.0, 6.0];

/// The link to a source cell, with the file's absolute path.
///
/// rust_xlsxwriter drops the `file:///` prefix and stores what follows as the
/// target, so a Unix path must keep its leading `/` after it (`file:////tmp/a.xlsx`);
/// otherwise Excel resolves `tmp/a.xlsx` relative to the report. Windows'
/// verbatim prefix `\\?\` from `canonicalize` is not understood by Excel.
fn file_url(path: &str, sheet_a1: &str) -> String {
    let abs = std::fs::canonicalize(path).map_or_else(|_| path.to_string(), |p| p.display().to_string());
    let abs = abs.strip_prefix(r"\\?\").unwrap_or(&abs);
    crate::text::link_target(&format!("file:///{abs}#{sheet_a1}"))
}

/// One row of the findings sheet, self-contained (plain strings and numbers),
/// so a long batch can spool rows to disk and write them later.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub file: String,
    /// `03 支出决算表`: filters better than a bare number.
    pub table: Option<String>,
    pub row: Option<String>,
    pub column: Option<String>,
    /// Every cell of the relation as `'Sheet'!A1`, space-separated.
    pub cells: String,
    /// Hyperlink to the first cell, when there is one.
    pub url: Option<String>,
    pub rule: String,
    pub severity: String,
    /// Expected, actual and difference, when the finding compares amounts.
    pub values: Option<[f64; 3]>,
    pub message: String,
    pub explanation: Option<String>,
    /// 决算说明 findings: the paragraph (说明行).
    #[serde(default)]
    pub line: Option<usize>,
}

/// The findings sheet's rows for one file (an unreadable file gets one row).
pub fn rows(f: &FileReport) -> Vec<FindingRow> {
    use rust_decimal::prelude::ToPrimitive;
    let mut out = Vec::new();
    if let Some(err) = &f.error {
        out.push(FindingRow {
            file: f.path.clone(),
            rule: "file-unreadable".into(),
            severity: "error".into(),
            message: err.clone(),
            ..FindingRow::default()
        });
    }
    for x in &f.findings {
        let all: Vec<String> = x.cells.iter().map(crate::location::CellRef::report_a1).collect();
        out.push(FindingRow {
            file: f.path.clone(),
            table: x.place.table.map(|t| {
                let title = f.tables.iter().find(|r| r.table == t).map(|r| r.title.as_str());
                title.map_or_else(|| format!("{t:02}"), |x| format!("{t:02} {x}"))
            }),
            row: x.place.row.clone(),
            column: x.place.column.clone(),
            cells: all.join(" "),
            // Notes (提示) name their cells as text only: rust_xlsxwriter keeps
            // every hyperlink of a sheet in memory until the workbook is saved,
            // even in constant-memory mode, and a 万元 batch has dozens of
            // rounding notes per department (issue 16). Errors and warnings,
            // the rows an officer follows up, keep their link.
            url: x
                .anchor()
                .filter(|_| x.severity != crate::finding::Severity::Info)
                .map(|cell| file_url(&cell.file, &cell.sheet_a1())),
            rule: x.rule.clone(),
            severity: x.severity.as_str().to_string(),
            values: x
                .values
                .as_ref()
                .map(|v| [v.expected, v.actual, v.difference].map(|d| d.to_f64().unwrap_or(0.0))),
            message: match &x.quote {
                Some(q) => format!("{} 「{q}」", x.message),
                None => x.message.clone(),
            },
            explanation: x.explanation.clone(),
            line: x.line,
        });
    }
    out
}

/// Writes the findings sheet's header row.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn write_header(ws: &mut Worksheet, msg: &Catalog) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#F2F2F2").set_text_wrap();
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    for c in C::ALL {
        ws.write_string_with_format(0, c.index(), msg.text(c.key(), &[]), &bold)?;
    }
    // Printed: landscape, fitted to the width, the header on every page.
    page::setup(ws, Some((0, 0)), Fit::Width)
}

/// Writes one finding at sheet row `row` (rows are written in increasing order,
/// as a constant-memory worksheet requires).
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn write_row(ws: &mut Worksheet, row: u32, x: &FindingRow, msg: &Catalog) -> Result<(), XlsxError> {
    let num = Format::new().set_num_format("#,##0.00").set_align(FormatAlign::Top);
    // Unexplained notes (提示) are one line high, their texts not wrapped (a
    // message runs on into the empty 说明 cell; the cell holds the whole
    // text). rust_xlsxwriter keeps every row given a height in memory until
    // the workbook is saved — about 600 bytes a row, even in constant-memory
    // mode — and a 万元 batch has dozens of notes per department (issue 16).
    // Errors and warnings, the rows an officer follows up, wrap to their height.
    let one_line = x.severity == crate::finding::Severity::Info.as_str() && x.explanation.is_none();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let link = wrap.clone().set_font_color(Color::Blue).set_underline(FormatUnderline::Single);
    // Wrapped rows are given their height (spreadsheets do not grow them on
    // open); set before the cells, as a constant-memory sheet requires.
    let texts = [
        &x.file,
        x.table.as_deref().unwrap_or(""),
        x.row.as_deref().unwrap_or(""),
        x.column.as_deref().unwrap_or(""),
        &x.cells,
    ];
    let mut n = texts.iter().zip(WIDTHS).map(|(t, w)| page::lines(t, w - 1.0)).max().unwrap_or(1);
    n = n.max(page::lines(&x.message, WIDTHS[usize::from(C::Message.index())] - 1.0));
    n = n.max(page::lines(
        x.explanation.as_deref().unwrap_or(""),
        WIDTHS[usize::from(C::Explanation.index())] - 1.0,
    ));
    if n > 1 && !one_line {
        ws.set_row_height(row, page::height(n))?;
    }
    ws.write_string_with_format(row, C::File.index(), &x.file, &wrap)?;
    if let Some(t) = &x.table {
        ws.write_string_with_format(row, C::Table.index(), t, &wrap)?;
    }
    if let Some(r) = &x.row {
        ws.write_string_with_format(row, C::Row.index(), r, &wrap)?;
    }
    if let Some(c) = &x.column {
        ws.write_string_with_format(row, C::Column.index(), c, &wrap)?;
    }
    if !x.cells.is_empty() {
        let written = x.url.as_ref().is_some_and(|u| {
            ws.write_url_with_format(row, C::Cell.index(), Url::new(u).set_text(&x.cells), &link).is_ok()
        });
        if !written {
            ws.write_string_with_format(row, C::Cell.index(), &x.cells, &wrap)?;
        }
    }
    ws.write_string_with_format(row, C::Rule.index(), &x.rule, &wrap)?;
    // Rows keep the JSON word (spooled, compared); the sheet shows the officer's word.
    let severity =
        crate::finding::Severity::parse(&x.severity).map_or_else(|| x.severity.clone(), |s| s.label(msg));
    ws.write_string_with_format(row, C::Severity.index(), severity, &wrap)?;
    if let Some(v) = &x.values {
        for (i, n) in v.iter().enumerate() {
            ws.write_number_with_format(row, C::Expected.index() + i as u16, *n, &num)?;
        }
    }
    ws.write_string_with_format(row, C::Message.index(), crate::text::cell_text(&x.message), &wrap)?;
    if let Some(e) = &x.explanation {
        ws.write_string_with_format(row, C::Explanation.index(), crate::text::cell_text(e), &wrap)?;
    }
    if let Some(l) = x.line {
        ws.write_number(row, C::Line.index(), l as f64)?;
    }
    Ok(())
}

/// Freezes the header and puts a filter over rows `0..=last`.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn finish(ws: &mut Worksheet, last: u32) -> Result<(), XlsxError> {
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, last.max(1), C::Line.index())?;
    Ok(())
}

/// One file's rows as the findings report shows them: [`rows`], with a 说明
/// whose amounts changed quoted in the message instead of the 说明 column
/// (it would waive the new amounts next time).
pub fn report_rows(f: &FileReport, msg: &Catalog) -> Vec<FindingRow> {
    let mut rs = rows(f);
    let first = rs.len().saturating_sub(f.findings.len());
    for (r, x) in rs[first..].iter_mut().zip(&f.findings) {
        if let Some(e) = &x.stale_explanation {
            r.message.push_str(&msg.text("report.explanation_stale", &[("text", e)]));
        }
    }
    rs
}

/// A workbook holding only the findings sheet, filled from `rows` in order
/// (unreadable files have one row each). The sheet is written in
/// constant-memory mode: rows go to a temporary file, not kept in memory.
///
/// # Errors
/// When rust_xlsxwriter rejects a value, or an item of `rows` is an error
/// (a spool that cannot be read back).
pub fn workbook(
    rows: impl IntoIterator<Item = std::io::Result<FindingRow>>,
    msg: &Catalog,
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(msg.text("report.sheet_findings", &[]))?;
    write_header(ws, msg)?;
    let mut row: u32 = 1;
    for x in rows {
        write_row(ws, row, &x.map_err(XlsxError::IoError)?, msg)?;
        row += 1;
    }
    finish(ws, row.saturating_sub(1))?;
    Ok(wb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_absolute_path() {
        assert_eq!(file_url("/no/such/a.xlsx", "'S 1'!C4"), "file:////no/such/a.xlsx#'S 1'!C4");
        assert_eq!(file_url(r"C:\报送\a.xlsx", "S!A1"), r"file:///C:\报送\a.xlsx#S!A1");
    }

    #[test]
    fn notes_name_their_cells_without_a_link() {
        use crate::finding::{Finding, Severity};
        use crate::location::CellRef;
        let cell = CellRef::new("/no/a.xlsx".into(), "S".into(), 3, 2);
        let mut f = FileReport::unreadable(std::path::Path::new("/no/a.xlsx"), String::new());
        f.error = None;
        for s in [Severity::Info, Severity::Warning] {
            f.findings.push(Finding::new("offset-unmatched", s, "m").with_cells([cell.clone()]));
        }
        let r = rows(&f);
        assert_eq!((r[0].url.as_deref(), r[0].cells.as_str()), (None, "S!C4"));
        assert!(r[1].url.as_deref().is_some_and(|u| u.starts_with("file:////no/a.xlsx#")), "{r:?}");
    }
}
