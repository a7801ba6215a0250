//! The standard thirteen-table workbook (`template`, `convert`, `consolidate`).
//!
//! One sheet per table: the official title merged across the table, the
//! 编制单位 / year / unit line, merged multi-row headers built from the
//! template's column paths, fixed rows and 功能分类 类 rows, amounts as numbers
//! in `#,##0.00`, frozen panes and A4-landscape print setup. What this writes,
//! `model::extract` reads back to the same model.

use std::collections::BTreeSet;

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::i18n::{Catalog, Lang};
use crate::model::{Department, Row, RowKey, Table, Unit};
use crate::template::Layouts;
use crate::template::layout::{KeyKind, TableLayout};

/// What to print in the title block, and whether to write empty scaffolding.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub department: Option<String>,
    pub year: Option<i32>,
    pub unit: Unit,
    /// Write all thirteen tables, blank, with their fixed and 类 rows (`template`).
    pub blank: bool,
    /// Layout variations, for samples and tests of the reader (default: none).
    pub style: Style,
}

/// Ways real submissions differ from the standard layout. The standard writer
/// can produce each of them so the reader is tested against all of them.
#[derive(Clone, Debug, Default)]
pub struct Style {
    /// Codes split over 类 | 款 | 项 columns instead of one 科目编码 cell.
    pub split_codes: bool,
    /// Titles as an alias, prefixed by department and year (`某局2024年度部门收支决算总表`).
    pub alias_titles: bool,
    /// Sheets named `Sheet1…` in a shuffled order instead of by table.
    pub shuffled_sheets: bool,
    /// All tables stacked on one sheet.
    pub stacked: bool,
    /// Blank rows and columns before each table (tests absolute cell addresses).
    pub offset: (u32, u16),
    /// Amounts written as text (`1,234.56`), zeros as `-`.
    pub text_numbers: bool,
}

/// The cell formats used throughout the standard workbook.
pub struct Formats {
    pub title: Format,
    pub header: Format,
    pub text: Format,
    pub number: Format,
    pub plain: Format,
}

impl Default for Formats {
    fn default() -> Self {
        let border = |f: Format| f.set_border(FormatBorder::Thin);
        Self {
            title: Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center),
            header: border(
                Format::new()
                    .set_bold()
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter)
                    .set_text_wrap()
                    .set_background_color("#F2F2F2"),
            ),
            text: border(Format::new()),
            number: border(Format::new().set_num_format("#,##0.00")),
            plain: Format::new(),
        }
    }
}

/// One output column.
#[derive(Clone, Debug)]
enum Slot {
    Code,
    /// One piece of a split code: 0 = 类 (3 digits), 1 = 款, 2 = 项 (2 digits each).
    Part(usize),
    Name,
    Value(String),
}

#[derive(Clone, Debug)]
struct OutCol {
    header: Vec<String>,
    slot: Slot,
    side: Option<String>,
}

/// Sheet name for table `no`: `01 收入支出决算总表` (≤ 31 characters).
pub fn sheet_name(layout: &TableLayout) -> String {
    let clean: String = layout.title.chars().filter(|c| !"[]:*?/\\'".contains(*c)).collect();
    format!("{:02} {clean}", layout.no).chars().take(31).collect()
}

/// Builds the standard workbook for a department (blank when `opts.blank`).
///
/// # Errors
/// Only when rust_xlsxwriter rejects a value (e.g. over-long text).
pub fn workbook(
    dep: &Department,
    layouts: &Layouts,
    msg: &Catalog,
    opts: &Options,
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let fmts = Formats::default();
    let zh = msg.clone().with_lang(Lang::Zh);
    let style = &opts.style;
    let mut order: Vec<&TableLayout> =
        layouts.tables.iter().filter(|l| opts.blank || dep.tables.contains_key(&l.no)).collect();
    if style.shuffled_sheets {
        // A fixed permutation: deterministic, yet far from the official order.
        order.sort_by_key(|l| (u32::from(l.no) * 7) % 13);
    }
    if style.stacked {
        let ws = wb.add_worksheet();
        let mut row = style.offset.0;
        for layout in order {
            row = write_table(
                ws,
                (row, style.offset.1),
                layout,
                dep.tables.get(&layout.no),
                layouts,
                &zh,
                opts,
                &fmts,
            )?;
            row += 2;
        }
        return Ok(wb);
    }
    for (i, layout) in order.into_iter().enumerate() {
        let ws = wb.add_worksheet();
        if style.shuffled_sheets {
            ws.set_name(format!("Sheet{}", i + 1))?;
        } else {
            ws.set_name(sheet_name(layout))?;
        }
        write_table(ws, style.offset, layout, dep.tables.get(&layout.no), layouts, &zh, opts, &fmts)?;
    }
    Ok(wb)
}

fn columns_for(layout: &TableLayout, table: Option<&Table>, msg: &Catalog, split_codes: bool) -> Vec<OutCol> {
    let present: BTreeSet<&str> = table
        .map(|t| t.columns.iter().filter(|c| c.known).map(|c| c.id.as_str()).collect())
        .unwrap_or_default();
    // A table's own columns; the standard ones only for a blank form: a column
    // the data lacks is left out, never written empty (read back as zeros).
    let wanted = |id: &str, standard: bool| (standard && table.is_none()) || present.contains(id);
    let split = |h: &str| h.split('/').map(String::from).collect::<Vec<_>>();
    let item = msg.text("std.item", &[]);
    let mut out = Vec::new();
    if layout.sides.is_empty() {
        match layout.key {
            KeyKind::Function | KeyKind::Economic => {
                let code =
                    if layout.key == KeyKind::Function { "std.function_code" } else { "std.economic_code" };
                if split_codes && layout.key == KeyKind::Function {
                    for (i, w) in ["类", "款", "项"].iter().enumerate() {
                        out.push(OutCol {
                            header: vec![item.clone(), (*w).to_string()],
                            slot: Slot::Part(i),
                            side: None,
                        });
                    }
                } else {
                    out.push(OutCol {
                        header: vec![item.clone(), msg.text(code, &[])],
                        slot: Slot::Code,
                        side: None,
                    });
                }
                out.push(OutCol {
                    header: vec![item.clone(), msg.text("std.name", &[])],
                    slot: Slot::Name,
                    side: None,
                });
            }
            KeyKind::Label => out.push(OutCol { header: vec![item.clone()], slot: Slot::Name, side: None }),
            KeyKind::Single => {}
        }
        for c in layout.columns.iter().filter(|c| wanted(&c.id, c.standard)) {
            out.push(OutCol { header: split(&c.header), slot: Slot::Value(c.id.clone()), side: None });
        }
    } else {
        for side in &layout.sides {
            out.push(OutCol {
                header: vec![side.clone(), item.clone()],
                slot: Slot::Name,
                side: Some(side.clone()),
            });
            for c in layout.side_columns(Some(side)).filter(|c| wanted(&c.id, c.standard)) {
                let mut h = vec![side.clone()];
                h.extend(split(&c.header));
                out.push(OutCol { header: h, slot: Slot::Value(c.id.clone()), side: Some(side.clone()) });
            }
        }
    }
    out
}

const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Chinese ordinal for 1..=99: 一, 十, 十一, 二十六.
fn ordinal(n: usize) -> String {
    match n {
        0 => String::new(),
        1..=10 => ORDINALS[n - 1].to_string(),
        11..=19 => format!("十{}", ORDINALS[n - 11]),
        _ => {
            let (t, u) = (n / 10, n % 10);
            let head = format!("{}十", ORDINALS.get(t - 1).copied().unwrap_or(""));
            if u == 0 { head } else { format!("{head}{}", ORDINALS[u - 1]) }
        }
    }
}

/// A row to print: key, label, amounts (by column id) if any.
struct OutRow<'a> {
    key: RowKey,
    label: String,
    data: Option<&'a Row>,
}

fn code_rank(layouts: &Layouts, code: &str) -> (usize, String) {
    let pos = layouts.function.iter().position(|c| c.code == code).unwrap_or(usize::MAX);
    (pos, code.to_string())
}

/// Rows of one side (or of the whole table) in print order.
fn rows_for<'a>(
    layout: &TableLayout,
    side: Option<&str>,
    table: Option<&'a Table>,
    layouts: &Layouts,
    blank: bool,
) -> Vec<OutRow<'a>> {
    let data: Vec<&Row> = table
        .map(|t| t.rows.iter().filter(|r| side.is_none() || r.side.as_deref() == side).collect())
        .unwrap_or_default();
    let find = |k: &RowKey| data.iter().copied().find(|r| &r.key == k);
    let fixed: Vec<_> = layout.rows.iter().filter(|r| side.is_none() || r.side.as_deref() == side).collect();
    let fixed_row = |id: &str, label: &str| {
        let key = RowKey::Label(id.to_string());
        OutRow { data: find(&key), key, label: label.to_string() }
    };
    let mut codes: Vec<String> = data.iter().filter_map(|r| r.key.code().map(String::from)).collect();
    let mut out = Vec::new();
    match layout.key {
        KeyKind::Label => {
            let class_side = layout.class_rows.is_some() && layout.class_rows.as_deref() == side;
            if class_side {
                if blank {
                    codes.extend(
                        layouts.function.iter().filter(|c| c.code.len() == 3).map(|c| c.code.clone()),
                    );
                }
                codes.sort_by_key(|c| code_rank(layouts, c));
                codes.dedup();
                for (i, c) in codes.iter().enumerate() {
                    let key = RowKey::Code(c.clone());
                    let name = find(&key).map(|r| r.label.clone()).filter(|l| !l.is_empty());
                    let name = name.or_else(|| layouts.code_name(c).map(String::from)).unwrap_or_default();
                    let name = crate::text::norm_label(&name);
                    out.push(OutRow { data: find(&key), key, label: format!("{}、{name}", ordinal(i + 1)) });
                }
            }
            for f in &fixed {
                if blank || find(&RowKey::Label(f.id.clone())).is_some() || table.is_some() {
                    out.push(fixed_row(&f.id, &f.label));
                }
            }
        }
        KeyKind::Function | KeyKind::Economic => {
            if blank {
                let list =
                    if layout.key == KeyKind::Function { &layouts.function } else { &layouts.economic };
                codes.extend(list.iter().filter(|c| c.code.len() == 3).map(|c| c.code.clone()));
            }
            codes.sort();
            codes.dedup();
            let total = fixed.iter().find(|f| f.id == "合计");
            if let Some(t) = total {
                out.push(fixed_row(&t.id, &t.label));
            }
            for c in &codes {
                let key = RowKey::Code(c.clone());
                let label = find(&key).map(|r| r.label.clone()).filter(|l| !l.is_empty());
                let label = label.or_else(|| layouts.code_name(c).map(String::from)).unwrap_or_default();
                out.push(OutRow { data: find(&key), key, label });
            }
            for f in fixed.iter().filter(|f| f.id != "合计") {
                if blank || find(&RowKey::Label(f.id.clone())).is_some() {
                    out.push(fixed_row(&f.id, &f.label));
                }
            }
        }
        KeyKind::Single => {
            if let Some(f) = fixed.first() {
                out.push(fixed_row(&f.id, &f.label));
            }
        }
    }
    // Rows the template does not know are kept (after the known ones), so nothing is lost.
    for r in &data {
        if let RowKey::Label(id) = &r.key
            && layout.row(id).is_none()
        {
            out.push(OutRow { key: r.key.clone(), label: r.label.clone(), data: Some(r) });
        }
    }
    out
}

// Eight inputs, all of them needed for one table; a struct would only rename them.
#[allow(clippy::too_many_lines, clippy::too_many_arguments)]
fn write_table(
    ws: &mut Worksheet,
    base: (u32, u16),
    layout: &TableLayout,
    table: Option<&Table>,
    layouts: &Layouts,
    msg: &Catalog,
    opts: &Options,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let (r0, c0) = base;
    let cols = columns_for(layout, table, msg, opts.style.split_codes);
    let style = &opts.style;
    let width = u16::try_from(cols.len().max(1)).unwrap_or(u16::MAX);
    let last_col = c0 + width - 1;
    // Title and title block.
    let title = if style.alias_titles {
        let alias = layout.titles.get(1).unwrap_or(&layout.title);
        let year = opts.year.map(|y| format!("{y}年度")).unwrap_or_default();
        format!("{}{year}{alias}", opts.department.clone().unwrap_or_default())
    } else {
        layout.title.clone()
    };
    if last_col > c0 {
        ws.merge_range(r0, c0, r0, last_col, &title, &f.title)?;
    } else {
        ws.write_string_with_format(r0, c0, &title, &f.title)?;
    }
    if let Some(d) = &opts.department {
        ws.write_string(r0 + 1, c0, msg.text("std.department", &[("name", d)]))?;
    }
    if let (Some(y), true) = (opts.year, width >= 3) {
        ws.write_string(r0 + 1, c0 + (width - 1) / 2, msg.text("std.year", &[("year", &y)]))?;
    }
    ws.write_string(r0 + 1, last_col.max(c0 + 1), msg.text("std.unit", &[("unit", &opts.unit.as_str())]))?;

    // Headers: one row per path level; parents merged across, leaves merged down.
    let depth = cols.iter().map(|c| c.header.len()).max().unwrap_or(1).max(1);
    let h0 = r0 + 2;
    let col_at = |j: usize| c0 + j as u16;
    for level in 0..depth {
        let mut j = 0;
        while j < cols.len() {
            let segs = &cols[j].header;
            let Some(seg) = segs.get(level) else {
                j += 1;
                continue;
            };
            let row = h0 + level as u32;
            if level + 1 == segs.len() {
                let bottom = h0 + depth as u32 - 1;
                if bottom > row {
                    ws.merge_range(row, col_at(j), bottom, col_at(j), seg, &f.header)?;
                } else {
                    ws.write_string_with_format(row, col_at(j), seg, &f.header)?;
                }
                j += 1;
                continue;
            }
            let mut k = j + 1;
            while k < cols.len()
                && cols[k].header.len() > level + 1
                && cols[k].header[..=level] == segs[..=level]
            {
                k += 1;
            }
            if k - j > 1 {
                ws.merge_range(row, col_at(j), row, col_at(k - 1), seg, &f.header)?;
            } else {
                ws.write_string_with_format(row, col_at(j), seg, &f.header)?;
            }
            j = k;
        }
    }
    let first_data = h0 + depth as u32;

    // Data rows, per side; sides share physical rows, bottoms aligned (总计 with 总计).
    let sides: Vec<Option<&str>> = if layout.sides.is_empty() {
        vec![None]
    } else {
        layout.sides.iter().map(|s| Some(s.as_str())).collect()
    };
    let per_side: Vec<Vec<OutRow>> =
        sides.iter().map(|s| rows_for(layout, *s, table, layouts, opts.blank)).collect();
    let height = per_side.iter().map(Vec::len).max().unwrap_or(0);
    for (side, rows) in sides.iter().zip(&per_side) {
        let split = rows
            .iter()
            .position(
                |r| matches!(&r.key, RowKey::Label(id) if id.starts_with("本年") && id.ends_with("合计")),
            )
            .unwrap_or(rows.len());
        let side_cols: Vec<(u16, &OutCol)> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.side.as_deref() == *side)
            .map(|(i, c)| (col_at(i), c))
            .collect();
        let physical = |i: usize| {
            if layout.sides.is_empty() || i < split {
                first_data + i as u32
            } else {
                first_data + (height - (rows.len() - i)) as u32
            }
        };
        let mut used = vec![false; height];
        for (i, r) in rows.iter().enumerate() {
            let row = physical(i);
            used[(row - first_data) as usize] = true;
            let code = r.key.code().unwrap_or("");
            for (c, col) in &side_cols {
                match &col.slot {
                    Slot::Code => {
                        ws.write_string_with_format(row, *c, code, &f.text)?;
                    }
                    Slot::Part(p) => {
                        let piece = match p {
                            0 => code.get(..3),
                            1 => code.get(3..5),
                            _ => code.get(5..7),
                        };
                        ws.write_string_with_format(row, *c, piece.unwrap_or(""), &f.text)?;
                    }
                    Slot::Name => {
                        // A split layout writes 合计 where the codes go, as such forms do.
                        ws.write_string_with_format(row, *c, &r.label, &f.text)?;
                    }
                    Slot::Value(id) => match r.data.and_then(|d| d.get(id)) {
                        Some(a) if style.text_numbers => {
                            let t = if a.value.is_zero() { "-".to_string() } else { thousands(a.value) };
                            ws.write_string_with_format(row, *c, t, &f.text)?;
                        }
                        Some(a) => {
                            ws.write_number_with_format(row, *c, a.value.to_f64().unwrap_or(0.0), &f.number)?;
                        }
                        None => {
                            ws.write_blank(row, *c, &f.number)?;
                        }
                    },
                }
            }
        }
        // Blank bordered cells where this side has no row, so the grid looks whole.
        for (i, u) in used.iter().enumerate() {
            if !u {
                for (c, _) in &side_cols {
                    ws.write_blank(first_data + i as u32, *c, &f.text)?;
                }
            }
        }
    }
    let mut next = first_data + height as u32;
    if let Some(note) = table.and_then(|t| t.note.as_ref()) {
        ws.write_string(next, c0, note)?;
        next += 1;
    }

    // Column widths, frozen panes, print setup (per sheet, so not when stacked).
    for (i, c) in cols.iter().enumerate() {
        let w = match c.slot {
            Slot::Code => 14.0,
            Slot::Part(_) => 5.0,
            Slot::Name => 34.0,
            Slot::Value(_) => 16.0,
        };
        ws.set_column_width(col_at(i), w)?;
    }
    if !style.stacked {
        let key_cols = cols.iter().take_while(|c| !matches!(c.slot, Slot::Value(_))).count() as u16;
        ws.set_freeze_panes(first_data, c0 + key_cols)?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(r0, first_data - 1)?;
    }
    Ok(next)
}

/// `1234.5` → `1,234.50`: how officers type amounts as text.
fn thousands(d: rust_decimal::Decimal) -> String {
    let s = format!("{:.2}", d.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{}{out}.{frac}", if d.is_sign_negative() { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "一");
        assert_eq!(ordinal(10), "十");
        assert_eq!(ordinal(11), "十一");
        assert_eq!(ordinal(20), "二十");
        assert_eq!(ordinal(26), "二十六");
    }

    #[test]
    fn thousands_separators() {
        let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(thousands(d("1234.5")), "1,234.50");
        assert_eq!(thousands(d("755.32")), "755.32");
        assert_eq!(thousands(d("-1234567")), "-1,234,567.00");
    }

    #[test]
    fn sheet_names_fit_excel_limits() {
        let t = crate::template::Templates::embedded();
        for l in &t.layouts.tables {
            let n = sheet_name(l);
            assert!(n.chars().count() <= 31, "{n}");
            assert!(n.starts_with(&format!("{:02} ", l.no)), "{n}");
        }
    }
}
