//! Print setup shared by every sheet the tool writes: A4 landscape, fitted to
//! the page width (or to one page where the official form is one page), the
//! header rows repeated on every page, narrow margins and `第 &P 页 共 &N 页`
//! in the footer — what an officer needs to print a report as it is.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// A4 in Excel's paper-size codes.
const A4: u8 = 9;

/// Footer text; `&P` / `&N` are Excel's page number and page count codes.
pub const FOOTER: &str = "&C第 &P 页 共 &N 页";

/// How many pages tall a sheet may print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Fit width; as many pages down as the rows need (lists, findings).
    Width,
    /// Fit the whole sheet on one page (a one-page official form).
    OnePage,
}

/// Sets the page up; `repeat` is the first and last row printed atop every page.
///
/// # Errors
/// When rust_xlsxwriter rejects the row range.
pub fn setup(ws: &mut Worksheet, repeat: Option<(u32, u32)>, fit: Fit) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(A4);
    ws.set_print_fit_to_pages(1, if fit == Fit::OnePage { 1 } else { 0 });
    ws.set_print_center_horizontally(true);
    // Inches: 0.4 left/right, 0.5 top/bottom, footer 0.25 from the edge.
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.2, 0.25);
    ws.set_footer(FOOTER);
    if let Some((first, last)) = repeat {
        ws.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// Display width of text in Excel's column units: a CJK character is about two.
pub fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 1.05 } else { 1.9 }).sum()
}

/// Lines a wrapped text takes in a column (or merged columns) of `width` units.
pub fn lines(s: &str, width: f64) -> u32 {
    let width = width.max(1.0);
    s.split('\n').map(|l| ((text_width(l) / width).ceil() as u32).max(1)).sum()
}

/// Row height (points) for `n` lines of 11-point text.
pub fn height(n: u32) -> f64 {
    f64::from(n.max(1)) * 14.5 + 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_text_counts_lines() {
        assert_eq!(lines("", 10.0), 1);
        assert_eq!(lines("收入支出决算总表", 10.0), 2);
        assert_eq!(lines("a\nb", 10.0), 2);
        assert!(height(2) > height(1));
    }
}
