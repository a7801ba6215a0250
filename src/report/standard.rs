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
use crate::report::page::{self, Fit};
use crate::template::Layouts;
use crate::template::layout::{KeyKind, TableLayout};

/// What to print in the title block, and whether to write empty scaffolding.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub department: Option<String>,
    pub year: Option<i32>,
    pub unit: Unit,
    /// The unit the figures were rounded in, when coarser than `unit`
    /// (`Department::precision`): the unit line says so, `单位：元（由万元折算）`.
    pub precision: Option<Unit>,
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
    /// T8 as usually published: this many (2 or 3) side-by-side blocks of
    /// 经济分类科目编码 | 科目名称 | 决算数 (人员经费 first, then 公用经费), the
    /// totals in one footer row. 0 or 1: one block.
    pub blocks: u8,
    /// A group header row `人员经费 | 公用经费` above the blocks.
    pub group_header: bool,
    /// Title and header rows repeated every this many data rows, as a PDF
    /// converted page by page gives (0: never).
    pub repeat_header: u32,
    /// `公开01表` / `表一` numbering in the title row, and titles carrying the
    /// year (`2024年度收入决算表`) when not `alias_titles`.
    pub numbered_titles: bool,
    /// A `注：` line above the header (odd tables) or under it (even ones),
    /// and a `说明：` line below the table.
    pub notes: bool,
    /// A hidden blank spacer column after the key columns, and hidden rows.
    pub spacers: bool,
    /// Sheets named `表1`, `表2` … (by table order).
    pub biao_sheet_names: bool,
    /// A 行次 column after the names and a 栏次 row under the header.
    pub line_numbers: bool,
}

impl Style {
    /// Layout variant number `bits` (any `u32`): each bit switches one
    /// variation on, so the property tests can combine them at random.
    pub fn variant(bits: u32) -> Self {
        let on = |i: u32| bits & (1 << i) != 0;
        Style {
            split_codes: on(0),
            alias_titles: on(1),
            shuffled_sheets: on(2),
            stacked: on(3),
            offset: if on(4) { (2, 1) } else { (0, 0) },
            text_numbers: on(5),
            blocks: if on(6) { 2 + u8::from(on(7)) } else { 0 },
            group_header: on(8),
            repeat_header: if on(9) { 7 } else { 0 },
            numbered_titles: on(10),
            notes: on(11),
            spacers: on(12),
            biao_sheet_names: on(13),
            line_numbers: on(14),
        }
    }
}

/// The cell formats used throughout the standard workbook.
pub struct Formats {
    pub title: Format,
    pub header: Format,
    pub text: Format,
    pub number: Format,
    pub plain: Format,
    pub right: Format,
    pub center: Format,
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
            right: Format::new().set_align(FormatAlign::Right),
            center: Format::new().set_align(FormatAlign::Center),
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
    /// 行次: the row's number in its table.
    LineNo,
    /// A blank (hidden) spacer column.
    Spacer,
}

#[derive(Clone, Debug)]
struct OutCol {
    header: Vec<String>,
    slot: Slot,
    side: Option<String>,
}

/// Sheet name for table `no`: `01 收入支出决算总表` (≤ 31 characters).
pub fn sheet_name(layout: &TableLayout) -> String {
    crate::text::sheet_name(&format!("{:02}", layout.no), &layout.title, &std::collections::BTreeSet::new())
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
        } else if style.biao_sheet_names {
            ws.set_name(format!("表{}", i + 1))?;
        } else {
            ws.set_name(sheet_name(layout))?;
        }
        write_table(ws, style.offset, layout, dep.tables.get(&layout.no), layouts, &zh, opts, &fmts)?;
    }
    Ok(wb)
}

/// Economic 类 whose rows are 人员经费 (the rest are 公用经费), as T8 groups them.
const PERSONNEL_CLASSES: [&str; 2] = ["301", "303"];

/// The groups of a table published as side-by-side blocks (`人员经费`,
/// `公用经费`): named after its fixed `…合计` rows other than `合计`.
fn block_groups(layout: &TableLayout, style: &Style) -> Vec<String> {
    if style.blocks < 2 || layout.key != KeyKind::Economic || !layout.sides.is_empty() {
        return Vec::new();
    }
    let g: Vec<String> = layout
        .rows
        .iter()
        .filter(|r| r.id != "合计")
        .filter_map(|r| r.id.strip_suffix("合计").map(String::from))
        .collect();
    if g.len() == 2 { g } else { Vec::new() }
}

/// Pseudo-side of block `b` (blocks share the column-side mechanism of two-sided tables).
fn block_side(b: usize) -> String {
    format!("#{b}")
}

/// Whether a table's code rows are 功能分类 codes (`2…`) only.
pub fn function_keyed(t: &Table) -> bool {
    let mut codes = t.code_rows().filter_map(|r| r.key.code()).peekable();
    codes.peek().is_some() && codes.all(|c| c.starts_with('2'))
}

fn columns_for(layout: &TableLayout, table: Option<&Table>, msg: &Catalog, style: &Style) -> Vec<OutCol> {
    let present: BTreeSet<&str> = table
        .map(|t| t.columns.iter().filter(|c| c.known).map(|c| c.id.as_str()).collect())
        .unwrap_or_default();
    // A table's own columns; the standard ones only for a blank form: a column
    // the data lacks is left out, never written empty (read back as zeros).
    let wanted = |id: &str, standard: bool| (standard && table.is_none()) || present.contains(id);
    let split = |h: &str| h.split('/').map(String::from).collect::<Vec<_>>();
    let item = msg.text("std.item", &[]);
    let line_no = |side: Option<String>, mut prefix: Vec<String>| {
        prefix.push("行次".to_string());
        OutCol { header: prefix, slot: Slot::LineNo, side }
    };
    let spacer = |side: Option<String>| OutCol { header: Vec::new(), slot: Slot::Spacer, side };
    let mut out = Vec::new();
    let groups = block_groups(layout, style);
    if !groups.is_empty() {
        for b in 0..usize::from(style.blocks.min(3)) {
            let side = Some(block_side(b));
            let group = if b == 0 { &groups[0] } else { &groups[1] };
            let prefix: Vec<String> = if style.group_header { vec![group.clone()] } else { Vec::new() };
            let with = |last: &[&str]| {
                let mut h = prefix.clone();
                h.extend(last.iter().map(|x| (*x).to_string()));
                h
            };
            let code = msg.text("std.economic_code", &[]);
            if style.split_codes {
                for (i, w) in ["类", "款"].iter().enumerate() {
                    out.push(OutCol { header: with(&[&code, w]), slot: Slot::Part(i), side: side.clone() });
                }
            } else {
                out.push(OutCol { header: with(&[&code]), slot: Slot::Code, side: side.clone() });
            }
            out.push(OutCol {
                header: with(&[&msg.text("std.name", &[])]),
                slot: Slot::Name,
                side: side.clone(),
            });
            if style.spacers {
                out.push(spacer(side.clone()));
            }
            for c in layout.columns.iter().filter(|c| wanted(&c.id, c.standard)) {
                let mut h = prefix.clone();
                h.extend(split(&c.header));
                out.push(OutCol { header: h, slot: Slot::Value(c.id.clone()), side: side.clone() });
            }
        }
        return out;
    }
    if layout.sides.is_empty() {
        match layout.key {
            KeyKind::Function | KeyKind::Economic => {
                // T5 is published keyed by 经济分类 or by 功能分类: the
                // header follows the table's own codes (issue 10).
                let function = layout.key == KeyKind::Function || table.is_some_and(function_keyed);
                let code = if function { "std.function_code" } else { "std.economic_code" };
                if style.split_codes && function {
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
        if style.line_numbers && layout.key != KeyKind::Single {
            out.push(line_no(None, Vec::new()));
        }
        if style.spacers && layout.key != KeyKind::Single {
            out.push(spacer(None));
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
            if style.line_numbers {
                out.push(line_no(Some(side.clone()), vec![side.clone()]));
            }
            if style.spacers {
                out.push(spacer(Some(side.clone())));
            }
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

/// Chinese table numbering used in some title rows: `表一` … `表十三`.
fn biao(no: u8) -> String {
    format!("表{}", ordinal(usize::from(no)))
}

/// Writes the header rows at `h0` (one row per path level; parents merged
/// across, leaves merged down) and, with `line_numbers`, the 栏次 row under
/// them. Returns the number of rows written.
fn write_header(
    ws: &mut Worksheet,
    h0: u32,
    c0: u16,
    cols: &[OutCol],
    line_numbers: bool,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let depth = cols.iter().map(|c| c.header.len()).max().unwrap_or(1).max(1);
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
    if !line_numbers {
        return Ok(depth as u32);
    }
    // 栏次: the word in the first key column, the value columns numbered 1, 2 ….
    let row = h0 + depth as u32;
    let mut n = 0;
    for (j, c) in cols.iter().enumerate() {
        match c.slot {
            Slot::Value(_) => {
                n += 1;
                ws.write_number_with_format(row, col_at(j), f64::from(n), &f.header)?;
            }
            Slot::Spacer => {}
            _ if j == 0 || cols[j - 1].side != c.side => {
                ws.write_string_with_format(row, col_at(j), "栏次", &f.header)?;
            }
            _ => {}
        }
    }
    Ok(depth as u32 + 1)
}

/// Rows of each column group: the sides of a two-sided table, the blocks of a
/// block-published table (人员经费 block first, 公用经费 spread over the rest,
/// the totals in the last row of each), or the one group of the rest.
fn groups_for<'a>(
    layout: &TableLayout,
    table: Option<&'a Table>,
    layouts: &Layouts,
    opts: &Options,
) -> Vec<(Option<String>, Vec<OutRow<'a>>)> {
    let groups = block_groups(layout, &opts.style);
    if groups.is_empty() {
        let sides: Vec<Option<String>> = if layout.sides.is_empty() {
            vec![None]
        } else {
            layout.sides.iter().cloned().map(Some).collect()
        };
        return sides
            .into_iter()
            .map(|s| {
                let rows = rows_for(layout, s.as_deref(), table, layouts, opts.blank);
                (s, rows)
            })
            .collect();
    }
    let n = usize::from(opts.style.blocks.min(3));
    let all = rows_for(layout, None, table, layouts, opts.blank);
    let mut personnel = Vec::new();
    let mut public = Vec::new();
    let mut footers: Vec<OutRow> = Vec::new();
    for r in all {
        match r.key.code() {
            Some(c) if PERSONNEL_CLASSES.iter().any(|p| c.starts_with(p)) => personnel.push(r),
            Some(_) => public.push(r),
            None => footers.push(r),
        }
    }
    let mut blocks: Vec<Vec<OutRow>> = (0..n).map(|_| Vec::new()).collect();
    blocks[0] = personnel;
    let per = public.len().div_ceil(n - 1).max(1);
    let mut rest = public.into_iter();
    for b in blocks.iter_mut().skip(1) {
        b.extend(rest.by_ref().take(per));
    }
    extend_footers(&mut blocks, footers, &groups);
    blocks.into_iter().enumerate().map(|(b, rows)| (Some(block_side(b)), rows)).collect()
}

/// Footer rows: each group's total under its first block, `合计` (and any
/// other label row) under the last block, or under the first when only two.
fn extend_footers<'a>(blocks: &mut [Vec<OutRow<'a>>], footers: Vec<OutRow<'a>>, groups: &[String]) {
    let n = blocks.len();
    for r in footers {
        let id = r.key.as_str().to_string();
        let b = if groups.first().is_some_and(|g| id == format!("{g}合计")) {
            0
        } else if groups.get(1).is_some_and(|g| id == format!("{g}合计")) {
            1
        } else if n > 2 {
            n - 1
        } else {
            0
        };
        blocks[b].push(r);
    }
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
    let style = &opts.style;
    let cols = columns_for(layout, table, msg, style);
    let blocks = !block_groups(layout, style).is_empty();
    let width = u16::try_from(cols.len().max(1)).unwrap_or(u16::MAX);
    let last_col = c0 + width - 1;
    // Title and title block.
    let title = if style.alias_titles {
        let alias = layout.titles.get(1).unwrap_or(&layout.title);
        let year = opts.year.map(|y| format!("{y}年度")).unwrap_or_default();
        format!("{}{year}{alias}", opts.department.clone().unwrap_or_default())
    } else if let (true, Some(y)) = (style.numbered_titles, opts.year) {
        format!("{y}年度{}", layout.title)
    } else {
        layout.title.clone()
    };
    // With numbering, the first cell of the title row holds `公开01表` (odd
    // tables) or `表一` (even ones) and the title is merged over the rest.
    let tc0 = if style.numbered_titles && last_col > c0 + 1 {
        let n = if layout.no % 2 == 1 { format!("公开{:02}表", layout.no) } else { biao(layout.no) };
        ws.write_string(r0, c0, n)?;
        c0 + 1
    } else {
        c0
    };
    let write_title = |ws: &mut Worksheet, row: u32| -> Result<(), XlsxError> {
        if last_col > tc0 {
            ws.merge_range(row, tc0, row, last_col, &title, &f.title)?;
        } else {
            ws.write_string_with_format(row, tc0, &title, &f.title)?;
        }
        Ok(())
    };
    write_title(ws, r0)?;
    let mut widths: Vec<f64> = cols
        .iter()
        .map(|c| match c.slot {
            Slot::Code => 14.0,
            Slot::Part(_) | Slot::LineNo => 5.0,
            Slot::Name => 34.0,
            Slot::Value(_) => 16.0,
            Slot::Spacer => 2.0,
        })
        .collect();
    title_block(ws, (r0 + 1, c0), &mut widths, msg, opts, f)?;
    let mut h0 = r0 + 2;
    // Notes: above the header in odd tables, between header and rows in even ones.
    let note = format!("注：本表反映本年度{}情况。", layout.title);
    let note_below = style.notes && layout.no.is_multiple_of(2);
    if style.notes && !note_below {
        ws.write_string(h0, c0, &note)?;
        h0 += 1;
    }
    let line_numbers = style.line_numbers && !blocks;
    let header_rows = write_header(ws, h0, c0, &cols, line_numbers, f)?;
    let mut first_data = h0 + header_rows;
    if note_below {
        ws.write_string(first_data, c0, &note)?;
        first_data += 1;
    }
    let col_at = |j: usize| c0 + j as u16;
    // A repeated page: the title, the 编制单位/unit line and the header rows again.
    let page = style.repeat_header;
    let repeat = 2 + header_rows;
    let phys = |i: u32| first_data + i + i.checked_div(page).unwrap_or(0) * repeat;

    // Data rows, per group (side or block); groups share physical rows, bottoms
    // aligned (总计 with 总计, 人员经费合计 with 公用经费合计).
    let groups = groups_for(layout, table, layouts, opts);
    let height = groups.iter().map(|g| g.1.len()).max().unwrap_or(0);
    for (side, rows) in &groups {
        let split = rows
            .iter()
            .position(|r| {
                matches!(&r.key, RowKey::Label(id)
                    if (id.starts_with("本年") && id.ends_with("合计")) || (blocks && !id.is_empty()))
            })
            .unwrap_or(rows.len());
        let side_cols: Vec<(u16, &OutCol)> =
            cols.iter().enumerate().filter(|(_, c)| c.side == *side).map(|(i, c)| (col_at(i), c)).collect();
        let logical = |i: usize| {
            if side.is_none() || i < split { i } else { height - (rows.len() - i) }
        };
        let mut used = vec![false; height];
        for (i, r) in rows.iter().enumerate() {
            let li = logical(i);
            let row = phys(li as u32);
            used[li] = true;
            let code = r.key.code().unwrap_or("");
            // Blocks print their totals across the code and name cells, starting in the code cell.
            let footer = blocks && code.is_empty();
            let mut label_written = false;
            for (c, col) in &side_cols {
                match &col.slot {
                    Slot::Code if footer => {
                        ws.write_string_with_format(row, *c, &r.label, &f.text)?;
                        label_written = true;
                    }
                    Slot::Part(0) if footer => {
                        ws.write_string_with_format(row, *c, &r.label, &f.text)?;
                        label_written = true;
                    }
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
                    Slot::Name if footer && label_written => {
                        ws.write_blank(row, *c, &f.text)?;
                    }
                    Slot::Name => {
                        // A split layout writes 合计 where the codes go, as such forms do.
                        ws.write_string_with_format(row, *c, &r.label, &f.text)?;
                    }
                    Slot::LineNo => {
                        ws.write_number_with_format(row, *c, (li + 1) as f64, &f.text)?;
                    }
                    Slot::Spacer => {}
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
        // Blank bordered cells where this group has no row, so the grid looks whole.
        for (i, u) in used.iter().enumerate() {
            if !u {
                for (c, _) in &side_cols {
                    ws.write_blank(phys(i as u32), *c, &f.text)?;
                }
            }
        }
    }
    if let Some(pages) = (height.saturating_sub(1) as u32).checked_div(page) {
        for k in 1..=pages {
            let at = phys(k * page) - repeat;
            write_title(ws, at)?;
            title_block(ws, (at + 1, c0), &mut widths, msg, opts, f)?;
            write_header(ws, at + 2, c0, &cols, line_numbers, f)?;
        }
    }
    let mut next = if height > 0 { phys(height as u32 - 1) + 1 } else { first_data };
    if let Some(note) = table.and_then(|t| t.note.as_ref()) {
        ws.write_string(next, c0, note)?;
        next += 1;
    }
    if style.notes {
        ws.write_string(next, c0, "说明：本表金额保留两位小数。")?;
        next += 1;
    }

    // Column widths, frozen panes, print setup (per sheet, so not when stacked).
    for (i, (w, c)) in widths.iter().zip(&cols).enumerate() {
        ws.set_column_width(col_at(i), *w)?;
        if matches!(c.slot, Slot::Spacer) {
            ws.set_column_hidden(col_at(i))?;
        }
    }
    if style.spacers && height > 2 {
        // Hidden rows are still read: a hidden row is part of the table.
        ws.set_row_hidden(phys(1))?;
    }
    if !style.stacked {
        let key_cols = cols.iter().take_while(|c| !matches!(c.slot, Slot::Value(_))).count() as u16;
        ws.set_freeze_panes(first_data, c0 + key_cols)?;
        // The official forms are one page each; a long 功能分类 list (a
        // consolidation) prints as many pages as it needs, header repeated.
        let fit = if next - r0 <= ONE_PAGE_ROWS { Fit::OnePage } else { Fit::Width };
        page::setup(ws, Some((r0, first_data - 1)), fit)?;
    }
    Ok(next)
}

/// Rows (title block and header included) that still print legibly on one A4 page.
const ONE_PAGE_ROWS: u32 = 48;

/// The 编制单位 / 年度 / 单位 line. The year sits in the middle unless the unit
/// name needs the room: then it moves right, or joins the unit cell on a narrow
/// table (T08/T09), whose last column widens to hold both.
fn title_block(
    ws: &mut Worksheet,
    (row, c0): (u32, u16),
    widths: &mut [f64],
    msg: &Catalog,
    opts: &Options,
    f: &Formats,
) -> Result<(), XlsxError> {
    let n = widths.len();
    let dept = msg.text("std.department", &[("name", &opts.department.as_deref().unwrap_or(""))]);
    let year = opts.year.map(|y| msg.text("std.year", &[("year", &y)]));
    let unit = match opts.precision.filter(|p| p.is_coarser_than(opts.unit)) {
        Some(p) => msg.text("std.unit_converted", &[("unit", &opts.unit.as_str()), ("from", &p.as_str())]),
        None => msg.text("std.unit", &[("unit", &opts.unit.as_str())]),
    };
    let at = |j: usize| c0 + j as u16;
    if n < 3 {
        ws.write_string(row, c0, &dept)?;
        let tail = [year.unwrap_or_default(), unit].join("  ");
        ws.write_string_with_format(row, at(n.max(2) - 1), tail.trim(), &f.right)?;
        return Ok(());
    }
    let need = page::text_width(&dept) + 1.0;
    let fits = |j: usize| widths[..j].iter().sum::<f64>() >= need;
    let year_col = ((n - 1) / 2..n - 1).find(|&j| fits(j));
    let (dept_end, unit_text) = match (year_col, &year) {
        (Some(j), Some(y)) => {
            ws.write_string_with_format(row, at(j), y, &f.center)?;
            (j - 1, unit)
        }
        (Some(j), None) => (j - 1, unit),
        (None, Some(y)) => (n - 2, format!("{y}  {unit}")),
        (None, None) => (n - 2, unit),
    };
    if dept_end > 0 {
        ws.merge_range(row, c0, row, at(dept_end), &dept, &f.plain)?;
    } else {
        ws.write_string(row, c0, &dept)?;
    }
    let last = widths.len() - 1;
    widths[last] = widths[last].max(page::text_width(&unit_text) + 1.0);
    ws.write_string_with_format(row, at(last), &unit_text, &f.right)?;
    Ok(())
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
        let t = crate::config::Templates::embedded();
        for l in &t.layouts.tables {
            let n = sheet_name(l);
            assert!(n.chars().count() <= 31, "{n}");
            assert!(n.starts_with(&format!("{:02} ", l.no)), "{n}");
        }
    }
}
