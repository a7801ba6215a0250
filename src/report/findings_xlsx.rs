//! The findings workbook (`check --report`, and `审核结果` in consolidations):
//! one row per finding with a hyperlink to the source cell, the compared
//! amounts as numbers, and an empty 说明 column for the officer; filterable,
//! header frozen. `explain` reads the 说明 back for the next run.

use rust_xlsxwriter::{Format, Url, Workbook, Worksheet, XlsxError};

use crate::check::FileReport;
use crate::i18n::Catalog;

/// Column keys, in order; their headers come from the message catalogue.
pub const COLUMNS: [&str; 12] = [
    "report.col.file",
    "report.col.table",
    "report.col.row",
    "report.col.column",
    "report.col.cell",
    "report.col.rule",
    "report.col.severity",
    "report.col.expected",
    "report.col.actual",
    "report.col.difference",
    "report.col.message",
    "report.col.explanation",
];

/// The link to a source cell, with the file's absolute path.
///
/// rust_xlsxwriter drops the `file:///` prefix and stores what follows as the
/// target, so a Unix path must keep its leading `/` after it (`file:////tmp/a.xlsx`);
/// otherwise Excel resolves `tmp/a.xlsx` relative to the report. Windows'
/// verbatim prefix `\\?\` from `canonicalize` is not understood by Excel.
fn file_url(path: &str, sheet_a1: &str) -> String {
    let abs = std::fs::canonicalize(path).map_or_else(|_| path.to_string(), |p| p.display().to_string());
    let abs = abs.strip_prefix(r"\\?\").unwrap_or(&abs);
    format!("file:///{abs}#{sheet_a1}")
}

/// Fills `ws` with the findings of every file (unreadable files get one row each).
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn write_sheet(ws: &mut Worksheet, files: &[FileReport], msg: &Catalog) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#F2F2F2");
    let num = Format::new().set_num_format("#,##0.00");
    for (c, key) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, msg.text(key, &[]), &bold)?;
    }
    let mut row: u32 = 1;
    for f in files {
        if let Some(err) = &f.error {
            ws.write_string(row, 0, &f.path)?;
            ws.write_string(row, 5, "file-unreadable")?;
            ws.write_string(row, 6, "error")?;
            ws.write_string(row, 10, err)?;
            row += 1;
        }
        for x in &f.findings {
            ws.write_string(row, 0, &f.path)?;
            if let Some(t) = x.place.table {
                // `03 支出决算表` filters better than a bare number.
                let title = f.tables.iter().find(|r| r.table == t).map(|r| r.title.as_str());
                ws.write_string(row, 1, title.map_or_else(|| format!("{t:02}"), |x| format!("{t:02} {x}")))?;
            }
            if let Some(r) = &x.place.row {
                ws.write_string(row, 2, r)?;
            }
            if let Some(c) = &x.place.column {
                ws.write_string(row, 3, c)?;
            }
            if let Some(cell) = x.anchor() {
                let all: Vec<String> = x.cells.iter().map(crate::location::CellRef::sheet_a1).collect();
                let text = all.join(" ");
                let url = Url::new(file_url(&cell.file, &cell.sheet_a1())).set_text(&text);
                if ws.write_url(row, 4, &url).is_err() {
                    ws.write_string(row, 4, &text)?;
                }
            }
            ws.write_string(row, 5, &x.rule)?;
            ws.write_string(row, 6, x.severity.as_str())?;
            if let Some(v) = &x.values {
                use rust_decimal::prelude::ToPrimitive;
                ws.write_number_with_format(row, 7, v.expected.to_f64().unwrap_or(0.0), &num)?;
                ws.write_number_with_format(row, 8, v.actual.to_f64().unwrap_or(0.0), &num)?;
                ws.write_number_with_format(row, 9, v.difference.to_f64().unwrap_or(0.0), &num)?;
            }
            ws.write_string(row, 10, &x.message)?;
            if let Some(e) = &x.explanation {
                ws.write_string(row, 11, e)?;
            }
            row += 1;
        }
    }
    for (c, w) in [40.0, 28.0, 24.0, 18.0, 22.0, 14.0, 8.0, 14.0, 14.0, 12.0, 90.0, 30.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), (COLUMNS.len() - 1) as u16)?;
    Ok(())
}

/// A workbook holding only the findings sheet.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn workbook(files: &[FileReport], msg: &Catalog) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(msg.text("report.sheet_findings", &[]))?;
    write_sheet(ws, files, msg)?;
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
}
