//! Bounds checked on a zip-based workbook (xlsx, xlsm, xlsb, ods) before
//! calamine opens it: the parts calamine loads whole, or expands, before any
//! per-cell budget can apply.
//!
//! - The zip directory's declared sizes (a zip bomb is refused without
//!   inflating anything; the zip reader then stops every part at its declared
//!   size, so a forged small size cannot inflate further either).
//! - `xl/sharedStrings.xml`, read whole into memory by calamine at open: more
//!   strings than the cell budget cannot all be used by cells.
//! - `xl/styles.xml`: more cell formats than Excel allows (64,000).
//! - ods `content.xml`: calamine expands `number-columns-repeated` and
//!   `number-rows-repeated` into a dense grid of up to 100 million cells per
//!   sheet; a few hundred bytes of XML could ask for gigabytes.
//!
//! The checks stream through each part once with constant memory; a part that
//! cannot be read here is left for calamine to report as damaged.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::{MAX_CELLS, ReadError};

/// Total uncompressed size of a zip-based workbook's parts, checked from the
/// zip directory before any part is inflated. One million cells (`MAX_CELLS`)
/// take well under 100 bytes of sheet XML each.
pub const MAX_UNZIPPED: u64 = 128 * 1024 * 1024;
/// Cell formats (`<xf>`) in styles.xml: Excel's own limit is 64,000.
const MAX_STYLES: u64 = 65_536;
/// Cells an ods workbook may expand to (repeats included), over all sheets.
const MAX_ODS_CELLS: u64 = 2 * MAX_CELLS as u64;
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLS: u64 = 16_384;

/// Runs every check that applies to this zip. `ods` selects the ods checks.
pub fn check_zip(bytes: &[u8], ods: bool) -> Result<(), ReadError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine reports the damage in its own words
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(f) = zip.by_index_raw(i) {
            total = total.saturating_add(f.size());
        }
    }
    if total > MAX_UNZIPPED {
        return Err(ReadError::ZipBomb(total));
    }
    if ods {
        if let Ok(f) = zip.by_name("content.xml") {
            ods_cells(f)?;
        }
        return Ok(());
    }
    if let Ok(f) = zip.by_name("xl/sharedStrings.xml")
        && count_tags(f, "si") > MAX_CELLS as u64
    {
        return Err(ReadError::TooManyCells(MAX_CELLS));
    }
    if let Ok(f) = zip.by_name("xl/styles.xml")
        && count_tags(f, "xf") > MAX_STYLES
    {
        return Err(ReadError::TooManyStyles(MAX_STYLES));
    }
    Ok(())
}

/// Counts start tags with this local name, streaming (up to the first XML error).
fn count_tags(part: impl Read, local: &str) -> u64 {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part.take(MAX_UNZIPPED)));
    let mut buf = Vec::new();
    let mut n: u64 = 0;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == local => n += 1,
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    n
}

fn repeat(e: &BytesStart<'_>, key: &str, max: u64) -> u64 {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.value.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, max)
}

fn has_value(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .with_checks(false)
        .flatten()
        .any(|a| matches!(a.key.as_ref(), "office:value-type" | "calcext:value-type" | "table:formula"))
}

/// The cells calamine will hold for an ods workbook: per row, the cells up to
/// the last non-empty one (repeats expanded), and per sheet the dense grid
/// from the first to the last non-empty row times the widest row.
fn ods_cells(part: impl Read) -> Result<(), ReadError> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part.take(MAX_UNZIPPED)));
    let mut buf = Vec::new();
    let (mut pushed, mut dense): (u64, u64) = (0, 0);
    // Per sheet.
    let (mut span, mut pending_rows, mut width): (u64, u64, u64) = (0, 0, 0);
    // Per row.
    let (mut row_rep, mut pos, mut last_used): (u64, u64, u64) = (1, 0, 0);
    let over = |n: u64| if n > MAX_ODS_CELLS { Err(ReadError::TooManyCells(MAX_CELLS)) } else { Ok(()) };
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        let (start, empty_elem) = match &ev {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.name().as_ref() {
                "table:table-row" => {
                    row_rep = repeat(e, "table:number-rows-repeated", ODS_MAX_ROWS);
                    (pos, last_used) = (0, 0);
                    if empty_elem {
                        pending_rows = pending_rows.saturating_add(row_rep);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let rep = repeat(e, "table:number-columns-repeated", ODS_MAX_COLS);
                    pos = pos.saturating_add(rep).min(ODS_MAX_COLS);
                    if !empty_elem || has_value(e) {
                        last_used = pos;
                    }
                }
                _ => {}
            }
        }
        if let Event::End(e) = &ev {
            match e.name().as_ref() {
                "table:table-row" => {
                    pushed = pushed.saturating_add(last_used);
                    over(pushed)?;
                    if last_used > 0 {
                        span = span.saturating_add(pending_rows).saturating_add(row_rep).min(ODS_MAX_ROWS);
                        pending_rows = 0;
                        width = width.max(last_used);
                        over(dense.saturating_add(span.saturating_mul(width)))?;
                    } else {
                        pending_rows = pending_rows.saturating_add(row_rep);
                    }
                }
                "table:table" => {
                    dense = dense.saturating_add(span.saturating_mul(width));
                    over(dense)?;
                    (span, pending_rows, width) = (0, 0, 0);
                }
                _ => {}
            }
        }
        buf.clear();
    }
    Ok(())
}
