//! Reading the thirteen tables out of a workbook: titles, headers, rows, cells.
//!
//! Nothing here depends on positions: a table is found by its title text
//! (aliases, quote variants, truncations) and confirmed by header words; the
//! multi-row header is flattened into column paths (using merged ranges when
//! the format has them); rows are keyed by code (one cell or split 类|款|项) or
//! by label. Bad cells become findings pointing at the cell.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Amount, CoercionRecord, Column, Department, Row, RowKey, Table, Unit};
use crate::finding::{Finding, Place, Severity};
use crate::i18n::Catalog;
use crate::location::CellRef;
use crate::template::Layouts;
use crate::template::layout::{KeyKind, TableLayout};
use crate::text::{code_in, has_code, header_form, is_code, label_form, leading_code, norm_header};
use crate::workbook::normalize::{NotAmount, parse_amount};
use crate::workbook::{Sheet, UNCOMPUTED_FORMULA, Value, Workbook};

/// Most header rows a table may have; beyond this it is data or garbage.
const MAX_HEADER_ROWS: u32 = 8;
/// Longest cell text that may be a title (longer text is a note or a sentence).
const MAX_TITLE_CHARS: usize = 80;

/// The `text-truncated` finding of each text the reader cut at
/// `workbook::TEXT_MAX` in `sheet`, so a cut is never silent.
pub fn truncated<'a>(sheet: &'a Sheet, msg: &'a Catalog) -> impl Iterator<Item = Finding> + 'a {
    sheet.truncated.iter().map(move |&(r, c, chars)| {
        let cell = sheet.cell_ref(r, c);
        Finding::new(
            "text-truncated",
            Severity::Warning,
            msg.text(
                "read.text_truncated",
                &[("cell", &cell), ("chars", &chars), ("max", &crate::workbook::TEXT_MAX)],
            ),
        )
        .with_cells([cell])
    })
}

/// Reads every table of a workbook into a `Department`.
pub fn read_department(wb: &Workbook, layouts: &Layouts, msg: &Catalog) -> Department {
    let mut dep = Department { path: wb.path.to_string(), ..Department::default() };
    for sheet in &wb.sheets {
        dep.findings.extend(truncated(sheet, msg));
    }
    // The sheets juesuan writes beside the tables (分户表, 审核结果, 舍位调整,
    // 冲抵调整, 上年对比) quote table titles in their cells; they never hold a
    // table, so reading a consolidated workbook back must not mistake one for a title.
    let own: Vec<&str> = [
        "consolidate.sheet_units",
        "report.sheet_findings",
        "consol.sheet_adjustments",
        "consol.sheet_offsets",
        "prior.sheet",
    ]
    .iter()
    .flat_map(|k| msg.every_lang(k))
    .collect();
    for sheet in wb.sheets.iter().filter(|s| !own.contains(&&*s.name)) {
        let mut titles = find_titles(sheet, layouts);
        // The same title again before any other table is the same table
        // continued: a PDF converted page by page repeats title and header.
        titles.dedup_by(|later, earlier| later.2 == earlier.2);
        if titles.is_empty() {
            // A sheet without a title row may still be named after its table.
            let cands = title_candidates(&header_form(&sheet.name), layouts);
            if !cands.is_empty() {
                let first = sheet.rows().next().map_or(0, |(r, _)| r);
                let end = sheet.last_row().map_or(0, |r| r + 1);
                read_region(&mut dep, sheet, first.saturating_sub(1), None, end, &cands, layouts, msg);
            }
            continue;
        }
        for (i, (row, col, cands)) in titles.iter().enumerate() {
            let end = titles.get(i + 1).map_or_else(|| sheet.last_row().map_or(0, |r| r + 1), |t| t.0);
            read_region(&mut dep, sheet, *row, Some(*col), end, cands, layouts, msg);
        }
    }
    dep.unreadable.retain(|n| !dep.tables.contains_key(n));
    dep.unreadable.sort_unstable();
    dep.unreadable.dedup();
    dep.missing = (1..=13).filter(|n| !dep.tables.contains_key(n)).collect();
    dep.department = most_common(dep.tables.values().filter_map(|t| t.department.clone()));
    dep.year = most_common(dep.tables.values().filter_map(|t| t.year));
    dep.unit = most_common(dep.tables.values().filter_map(|t| t.unit));
    if !dep.tables.is_empty() {
        for (missing, id, key) in [
            (dep.year.is_none(), "year-missing", "read.year_missing"),
            (dep.unit.is_none(), "unit-missing", "read.unit_missing"),
        ] {
            if missing {
                let first: Vec<CellRef> = dep.tables.values().map(|t| t.title_at.clone()).take(1).collect();
                dep.findings.push(Finding::new(id, Severity::Warning, msg.text(key, &[])).with_cells(first));
            }
        }
    }
    dep
}

fn most_common<T: Ord + Clone>(items: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    let mut order = Vec::new();
    for i in items {
        let c = counts.entry(i.clone()).or_insert(0);
        if *c == 0 {
            order.push(i);
        }
        *c += 1;
    }
    let max = counts.values().copied().max()?;
    order.into_iter().find(|i| counts.get(i) == Some(&max))
}

/// Tables whose title (or alias) this normalised text names, best first.
/// Longest contained alias wins; a truncated title (`政拨款收入支出决算总表`)
/// matches the aliases it is part of.
pub fn title_candidates(text: &str, layouts: &Layouts) -> Vec<u8> {
    if text.chars().count() > MAX_TITLE_CHARS || text.starts_with("注") || text.starts_with("说明") {
        return Vec::new();
    }
    let mut best = 0;
    let mut found: Vec<(usize, u8)> = Vec::new();
    for t in &layouts.tables {
        for alias in &t.titles {
            if text.contains(alias.as_str()) {
                let n = alias.chars().count();
                best = best.max(n);
                found.push((n, t.no));
            }
        }
    }
    // Truncated titles (`政拨款收入支出决算总表`): the text is a piece of a
    // longer alias; that beats a shorter alias the piece happens to contain.
    let core = text.trim_end_matches(['…', '.']);
    if core.chars().count() >= 5 && core.chars().count() > best && core.ends_with('表') {
        let mut out: Vec<u8> = layouts
            .tables
            .iter()
            .filter(|t| t.titles.iter().any(|a| a.contains(core)))
            .map(|t| t.no)
            .collect();
        out.dedup();
        if !out.is_empty() {
            return out;
        }
    }
    if best > 0 {
        let mut out: Vec<u8> = found.iter().filter(|(n, _)| *n == best).map(|(_, no)| *no).collect();
        out.dedup();
        return out;
    }
    Vec::new()
}

/// Whether `read_department` may read a table from `sheet` (so flatten a
/// header there): a cell or the sheet's name names a table. The reader reads
/// merged ranges for these sheets only (`workbook::open_with`).
pub fn may_hold_table(sheet: &Sheet, layouts: &Layouts) -> bool {
    !title_candidates(&header_form(&sheet.name), layouts).is_empty()
        || sheet.rows().any(|(_, cells)| cells.iter().any(|(_, v)| !title_in(v, layouts).is_empty()))
}

/// The tables a cell's text names as a title (none for most cells).
fn title_in(v: &Value, layouts: &Layouts) -> Vec<u8> {
    match v {
        // Every title ends in 表 (full-width forms included); skip NFKC for the rest.
        Value::Text(t) if t.contains('表') || t.contains('⾲') => {
            title_candidates(&header_form(t), layouts)
        }
        _ => Vec::new(),
    }
}

fn find_titles(sheet: &Sheet, layouts: &Layouts) -> Vec<(u32, u32, Vec<u8>)> {
    let mut out: Vec<(u32, u32, Vec<u8>)> = Vec::new();
    for (r, cells) in sheet.rows() {
        for (c, v) in cells {
            let cands = title_in(v, layouts);
            if !cands.is_empty() {
                out.push((r, *c, cands));
                break;
            }
        }
    }
    out
}

/// What a header column is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColRole {
    Code,
    SplitClass,
    SplitKuan,
    SplitXiang,
    Name,
    Meta,
    Value,
}

fn role_of(path: &str) -> ColRole {
    let last = path.rsplit('/').next().unwrap_or("");
    match last {
        "类" => ColRole::SplitClass,
        "款" => ColRole::SplitKuan,
        "项" => ColRole::SplitXiang,
        "行次" | "栏次" | "序号" => ColRole::Meta,
        _ if last.contains("编码") || last.contains("代码") || last == "科目代码" => ColRole::Code,
        "项目" | "科目名称" | "名称" | "项目名称" | "科目" | "功能分类科目名称" | "经济分类科目名称" => {
            ColRole::Name
        }
        _ if last.ends_with("科目名称") => ColRole::Name,
        _ => ColRole::Value,
    }
}

fn is_key(role: ColRole) -> bool {
    !matches!(role, ColRole::Value | ColRole::Meta)
}

/// A run of columns read together: key columns then value columns.
#[derive(Debug, Default)]
struct Block {
    side: Option<String>,
    code: Option<u32>,
    split: [Option<u32>; 3],
    names: Vec<u32>,
    values: Vec<Column>,
}

const TITLE_BLOCK_PREFIXES: [&str; 8] =
    ["编制单位", "单位:", "金额单位", "部门:", "单位名称", "填报单位", "编报单位", "部门名称"];
const HEADER_WORDS: [&str; 12] =
    ["项目", "科目", "收入", "支出", "合计", "决算数", "预算数", "编码", "名称", "类", "三公", "经费"];

/// The text cells of a row in header form (borrowed when already normal).
fn texts(cells: &[(u32, Value)]) -> impl Iterator<Item = (u32, Cow<'_, str>)> + '_ {
    cells.iter().filter_map(|(c, v)| match v {
        Value::Text(t) => Some((*c, header_form(t))),
        _ => None,
    })
}

fn is_title_block_row(cells: &[(u32, Value)]) -> bool {
    texts(cells).any(|(_, t)| {
        TITLE_BLOCK_PREFIXES.iter().any(|p| t.starts_with(p))
            || is_year_text(&t)
            || (t.contains("公开") && t.ends_with('表') && t.chars().count() <= 8)
            || (t.starts_with("表") && t.chars().count() <= 5)
    })
}

fn is_year_text(t: &str) -> bool {
    t.bytes().take_while(u8::is_ascii_digit).count() == 4
        && t[4..].starts_with('年')
        && t.chars().count() <= 8
}

/// The first `YYYY年` (1990–2100) in `t` not preceded by another digit.
fn year_in(t: &str) -> Option<i32> {
    let b = t.as_bytes();
    t.match_indices('年').find_map(|(j, _)| {
        let digits = b.get(j.checked_sub(4)?..j)?;
        let alone = j == 4 || !b[j - 5].is_ascii_digit();
        let y =
            digits.iter().try_fold(0i32, |y, d| d.is_ascii_digit().then(|| y * 10 + i32::from(d - b'0')))?;
        (alone && (1990..=2100).contains(&y)).then_some(y)
    })
}

/// The clause `convert` adds to the unit line of a workbook converted to a
/// finer unit (`单位：元（由万元折算）`, message `std.unit_converted`), with the
/// unit the figures were rounded in.
const PRECISION_MARKS: [(&str, Unit); 2] = [("由万元折算", Unit::WanYuan), ("由万元换算", Unit::WanYuan)];

fn unit_in(t: &str) -> Option<Unit> {
    let idx = t.find("单位")?;
    let mut rest = t[idx..].to_string();
    for (mark, _) in PRECISION_MARKS {
        rest = rest.replace(mark, "");
    }
    if rest.contains("万元") {
        Some(Unit::WanYuan)
    } else if rest.contains('元') {
        Some(Unit::Yuan)
    } else {
        None
    }
}

/// The unit the figures were rounded in, when the unit line says they were
/// converted (see `PRECISION_MARKS`).
fn precision_in(t: &str) -> Option<Unit> {
    let rest = &t[t.find("单位")?..];
    PRECISION_MARKS.iter().find(|(m, _)| rest.contains(m)).map(|(_, u)| *u)
}

/// The unit named by a 编制单位 / 部门 / 单位名称 label. What follows the
/// label word must not be a table title (`部门收支决算总表` is T1's alias, not
/// the label 部门 naming `收支决算总表`).
fn department_in(t: &str, layouts: &Layouts) -> Option<String> {
    for p in ["编制单位", "部门名称", "单位名称", "填报单位", "编报单位", "部门"] {
        if let Some(rest) = t.strip_prefix(p) {
            let rest = rest.trim_start_matches([':', '：']);
            if rest.ends_with('表') || !title_candidates(rest, layouts).is_empty() {
                continue;
            }
            // `编制单位：某局 单位：万元` in one cell: cut at the unit part.
            let cut = ["金额单位", "单位:"].iter().filter_map(|u| rest.find(u)).min().unwrap_or(rest.len());
            let name = rest[..cut].trim();
            if !name.is_empty() && !name.starts_with('元') && name != "万元" {
                return Some(name.to_string());
            }
        }
    }
    None
}

/// The unit a title starts with: `某局2024年度收入决算表` → `某局` (the text
/// before the year, else before the table's title); numbering such as
/// `公开01表` / `表一` in front is not part of it.
fn department_in_title(t: &str, layouts: &Layouts) -> Option<String> {
    let mut t = t;
    if let Some(rest) = t.strip_prefix("公开") {
        let n = rest.chars().take_while(char::is_ascii_digit).count();
        if let Some(r) = rest[n..].strip_prefix('表') {
            t = r;
        }
    }
    if let Some(rest) = t.strip_prefix('表') {
        let n: usize =
            rest.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).map(char::len_utf8).sum();
        if n > 0 {
            t = &rest[n..];
        }
    }
    let end = match year_at(t) {
        Some(i) => i,
        None => {
            let alias = layouts
                .tables
                .iter()
                .flat_map(|l| l.titles.iter())
                .filter(|a| t.contains(a.as_str()))
                .max_by_key(|a| a.len())?;
            t.find(alias.as_str())?
        }
    };
    let name = t[..end].trim_end_matches(['-', '_', ' ']);
    (name.chars().count() >= 2 && !name.ends_with('表')).then(|| name.to_string())
}

/// Byte index of the first `YYYY年` in `t`.
fn year_at(t: &str) -> Option<usize> {
    let y = year_in(t)?;
    t.find(&format!("{y}年"))
}

/// Text of a cell whether it holds text or a number.
fn cell_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Number(d) => Cow::Owned(d.normalize().to_string()),
        Value::Text(t) | Value::Error(t) => Cow::Borrowed(t),
        Value::Empty => Cow::Borrowed(""),
    }
}

/// Flattened header paths for columns `c0..=c1` from header rows `rows`.
fn flatten_header(sheet: &Sheet, rows: &[u32], c0: u32, c1: u32) -> BTreeMap<u32, String> {
    let width = (c1 - c0 + 1) as usize;
    let mut grid: Vec<Vec<String>> = Vec::new();
    for &r in rows {
        let mut line = vec![String::new(); width];
        for (i, slot) in line.iter_mut().enumerate() {
            let c = c0 + i as u32;
            let v = sheet.get(r, c);
            let t = header_form(&cell_text(v)).into_owned();
            if !t.is_empty() {
                *slot = t;
            } else if let Some(m) = sheet.merge_covering(r, c) {
                *slot = norm_header(&cell_text(sheet.get(m.first_row, m.first_col)));
            }
        }
        grid.push(line);
    }
    // Without merge information (ods, xlsb, hand-made sheets): a parent header
    // spans right over blank cells that have sub-headers somewhere below them,
    // without crossing the boundary of its own parent.
    if !sheet.merges.iter().any(|m| rows.contains(&m.first_row)) {
        for ri in 0..grid.len().saturating_sub(1) {
            for i in 1..width {
                if grid[ri][i].is_empty()
                    && !grid[ri][i - 1].is_empty()
                    && grid[ri + 1..].iter().any(|line| !line[i].is_empty())
                    && (ri == 0 || grid[ri - 1][i] == grid[ri - 1][i - 1])
                {
                    grid[ri][i] = grid[ri][i - 1].clone();
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for i in 0..width {
        let mut segs: Vec<&str> = Vec::new();
        for line in &grid {
            let s = line[i].as_str();
            if !s.is_empty()
                && segs.last() != Some(&s)
                && s != "栏次"
                && !s.chars().all(|c| c.is_ascii_digit())
            {
                segs.push(s);
            }
        }
        out.insert(c0 + i as u32, segs.join("/"));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn read_region(
    dep: &mut Department,
    sheet: &Sheet,
    title_row: u32,
    title_col: Option<u32>,
    end: u32,
    cands: &[u8],
    layouts: &Layouts,
    msg: &Catalog,
) {
    let rows: Vec<(u32, &[(u32, Value)])> =
        sheet.rows().filter(|(r, _)| *r >= title_row && *r < end.max(title_row + 1)).collect();
    // Title block: department, year and unit, from the title row down to the header.
    let mut department = None;
    let mut title_department = None;
    let mut year = None;
    let mut unit = None;
    let mut header_start = None;
    for (i, (r, cells)) in rows.iter().enumerate() {
        let is_title = title_col.is_some() && *r == title_row;
        for (c, t) in texts(cells) {
            year = year.or_else(|| year_in(&t));
            unit = unit.or_else(|| unit_in(&t));
            // One converted table is enough: `convert` marks all of them.
            dep.precision = dep.precision.or_else(|| precision_in(&t));
            // The title names the table, never the unit, except for a leading
            // unit name (`某局2024年度收入决算表`), used only when no 编制单位
            // label says otherwise.
            if is_title && Some(c) == title_col {
                title_department = title_department.or_else(|| department_in_title(&t, layouts));
            } else {
                department = department.or_else(|| department_in(&t, layouts));
            }
        }
        if is_title || is_title_block_row(cells) || texts(cells).next().is_some_and(|(_, t)| l_is_note(&t)) {
            continue;
        }
        if texts(cells).any(|(_, t)| HEADER_WORDS.iter().any(|w| t.contains(w))) {
            header_start = Some(i);
            break;
        }
    }
    let department = department.or(title_department);
    let Some(hs) = header_start else {
        // A title followed by amounts but no header is a table that could not
        // be read; a title alone (a 目录 line, a caption) is only a mention.
        let body = rows
            .iter()
            .filter(|(r, _)| *r > title_row)
            .any(|(_, c)| c.iter().any(|(_, v)| matches!(v, Value::Number(_))));
        if body {
            unreadable_table(dep, sheet, title_row, title_col, cands, layouts, msg);
        }
        return;
    };
    let c_min = rows[hs..].iter().filter_map(|(_, c)| c.first().map(|x| x.0)).min().unwrap_or(0);
    let c_max = rows[hs..].iter().filter_map(|(_, c)| c.last().map(|x| x.0)).max().unwrap_or(0);

    // Choose among candidate tables by header words (and refusals).
    // The candidate whose header words fit best wins (T11 and T12 share a title).
    let mut chosen: Option<&TableLayout> = None;
    let mut header_rows: Vec<u32> = Vec::new();
    let mut data_from = rows.len();
    let mut best_hits = 0;
    for &no in cands {
        let Some(layout) = layouts.table(no) else { continue };
        let (hdr, first_data) = header_rows_for(&rows[hs..], layout, layouts, c_min);
        let text: String =
            hdr.iter().flat_map(|r| texts(sheet.row(*r).unwrap_or(&[])).map(|(_, t)| t)).collect();
        let hits = layout.confirm.iter().filter(|w| text.contains(w.as_str())).count()
            + usize::from(layout.confirm.is_empty());
        let refused = layout.refuse.iter().any(|w| text.contains(w.as_str()));
        if hits > best_hits && !refused {
            best_hits = hits;
            chosen = Some(layout);
            header_rows = hdr;
            data_from = hs + first_data;
        }
    }
    let Some(layout) = chosen else {
        unreadable_table(dep, sheet, title_row, title_col, cands, layouts, msg);
        return;
    };
    if dep.tables.contains_key(&layout.no) {
        let at = sheet.cell_ref(title_row, title_col.unwrap_or(0));
        dep.findings.push(
            Finding::new(
                "table-duplicate",
                Severity::Warning,
                msg.text("read.table_duplicate", &[("title", &layout.title), ("cell", &at)]),
            )
            .with_cells([at])
            .with_place(Place { table: Some(layout.no), ..Place::default() }),
        );
        return;
    }

    let paths = flatten_header(sheet, &header_rows, c_min, c_max);
    let blocks = build_blocks(sheet, &paths, &rows[data_from..], layout);
    // Duplicate rows found through a set: a scan per row is quadratic in a long table.
    let mut seen_keys: std::collections::HashSet<(RowKey, Option<String>)> = Default::default();
    let mut table = Table {
        no: layout.no,
        title: layout.title.clone(),
        sheet: sheet.name.to_string(),
        title_at: sheet.cell_ref(title_row, title_col.unwrap_or(c_min)),
        unit,
        department,
        year,
        columns: blocks.iter().flat_map(|b| b.values.iter().cloned()).collect(),
        rows: Vec::new(),
        index: Default::default(),
        note: None,
    };
    for c in table.columns.iter().filter(|c| !c.known) {
        let at = sheet.cell_ref(header_rows.last().copied().unwrap_or(title_row), c.col);
        dep.findings.push(
            Finding::new(
                "column-unknown",
                Severity::Info,
                msg.text("read.column_unknown", &[("path", &c.path), ("title", &layout.title)]),
            )
            .with_cells([at])
            .with_place(Place {
                table: Some(layout.no),
                column: Some(c.path.clone()),
                ..Place::default()
            }),
        );
    }

    let mut seen_per_block: Vec<Vec<String>> = vec![Vec::new(); blocks.len()];
    let mut last_split: Vec<[String; 2]> = vec![[String::new(), String::new()]; blocks.len()];
    // Header cells as printed, to recognise the header repeated on a later page.
    let header_cells: Vec<(u32, Cow<'_, str>)> =
        header_rows.iter().flat_map(|r| texts(sheet.row(*r).unwrap_or(&[]))).collect();
    let mut any_row = false;
    let mut uncomputed: Vec<CellRef> = Vec::new();
    for (r, cells) in &rows[data_from..] {
        if is_repeated_top(cells, &header_cells, layout.no, layouts) {
            continue;
        }
        let first_text = texts(cells).next().map(|(_, t)| t).unwrap_or_default();
        if first_text.starts_with("注") && (first_text.starts_with("注:") || first_text.starts_with("注："))
        {
            // A note between the header and the first row explains the table; after the rows it ends it.
            if any_row {
                break;
            }
            continue;
        }
        if first_text.starts_with("说明") || first_text.contains("无此项") || first_text.contains("无数据")
        {
            table.note = Some(
                cells
                    .iter()
                    .find(|(_, v)| matches!(v, Value::Text(_)))
                    .map_or_else(String::new, |x| cell_text(&x.1).into_owned()),
            );
            break;
        }
        for (bi, block) in blocks.iter().enumerate() {
            let row = read_row(
                dep,
                sheet,
                *r,
                block,
                layout,
                layouts,
                msg,
                &mut seen_per_block[bi],
                &mut last_split[bi],
                &mut uncomputed,
            );
            if let Some(row) = row {
                any_row = true;
                if !seen_keys.insert((row.key.clone(), row.side.clone())) {
                    let at = row.at.clone();
                    dep.findings.push(
                        Finding::new(
                            "row-duplicate",
                            Severity::Warning,
                            msg.text("read.row_duplicate", &[("row", &row.key), ("title", &layout.title)]),
                        )
                        .with_cells([at])
                        .with_place(Place {
                            table: Some(layout.no),
                            row: Some(row.key.to_string()),
                            ..Place::default()
                        }),
                    );
                    continue;
                }
                table.rows.push(row);
            }
        }
    }
    if !uncomputed.is_empty() {
        let first: Vec<String> = uncomputed.iter().take(5).map(CellRef::a1).collect();
        let more = if uncomputed.len() > 5 { "…" } else { "" };
        dep.findings.push(
            Finding::new(
                "formula-uncomputed",
                Severity::Error,
                msg.text(
                    "read.formula_uncomputed",
                    &[
                        ("title", &layout.title),
                        ("count", &uncomputed.len()),
                        ("cells", &format!("{}{more}", first.join("、"))),
                    ],
                ),
            )
            .with_cells(uncomputed)
            .with_place(Place { table: Some(layout.no), ..Place::default() }),
        );
    }
    dep.tables.insert(layout.no, table);
}

/// A row that repeats the table's top (title, title block, header, 栏次) in
/// the middle of its data, as a PDF converted page by page gives: no amounts,
/// and either the title again or only cells the header has in the same columns.
fn is_repeated_top(
    cells: &[(u32, Value)],
    header: &[(u32, Cow<'_, str>)],
    no: u8,
    layouts: &Layouts,
) -> bool {
    // Called for every data row: decide the common case (amounts, no 栏次)
    // without normalising any text.
    let mut text_only = true;
    for (_, v) in cells {
        match v {
            Value::Text(t)
                if (t.contains('栏') || t.contains('行')) && matches!(&*header_form(t), "栏次" | "行次") =>
            {
                return true;
            }
            Value::Text(_) => {}
            _ => text_only = false,
        }
    }
    if !text_only {
        return false;
    }
    if is_title_block_row(cells) {
        return true;
    }
    let mut all_header = true;
    for (c, t) in texts(cells) {
        if t.contains('表') && title_candidates(&t, layouts).contains(&no) {
            return true;
        }
        all_header &= header.iter().any(|(hc, ht)| *hc == c && *ht == t);
    }
    all_header
}

/// A table recognised by its title but not readable is an error: its amounts
/// are missing from every check and every total. The message names the header
/// words that would have confirmed it.
fn unreadable_table(
    dep: &mut Department,
    sheet: &Sheet,
    title_row: u32,
    title_col: Option<u32>,
    cands: &[u8],
    layouts: &Layouts,
    msg: &Catalog,
) {
    let at = sheet.cell_ref(title_row, title_col.unwrap_or(0));
    let known: Vec<&TableLayout> = cands.iter().filter_map(|n| layouts.table(*n)).collect();
    let names: Vec<&str> = known.iter().map(|l| l.title.as_str()).collect();
    let mut expected: Vec<&str> = known.iter().flat_map(|l| l.confirm.iter().map(String::as_str)).collect();
    expected.dedup();
    let mut f = Finding::new(
        "table-unconfirmed",
        Severity::Error,
        msg.text(
            "read.table_unreadable",
            &[("title", &names.join(" / ")), ("cell", &at.a1()), ("expected", &expected.join("、"))],
        ),
    )
    .with_cells([at]);
    if let [only] = known.as_slice() {
        f = f.with_place(Place { table: Some(only.no), ..Place::default() });
    }
    dep.unreadable.extend(cands.iter().copied().take(1));
    dep.findings.push(f);
}

/// Header rows (absolute) and the index of the first data row within `rows`.
fn header_rows_for(
    rows: &[(u32, &[(u32, Value)])],
    layout: &TableLayout,
    layouts: &Layouts,
    c_min: u32,
) -> (Vec<u32>, usize) {
    let mut hdr = Vec::new();
    for (i, (r, cells)) in rows.iter().enumerate() {
        if i as u32 >= MAX_HEADER_ROWS {
            return (hdr, i);
        }
        match data_kind(cells, layout, layouts, c_min) {
            DataKind::Data => return (hdr, i),
            // A row of bare fixed-row words (`人员经费 | 公用经费`) is a group
            // header when column headers still follow below it; otherwise it
            // is the first row of a label table whose amounts are blank.
            DataKind::Label if !rows.get(i + 1).is_some_and(|(_, next)| is_column_header_row(next)) => {
                return (hdr, i);
            }
            _ => {}
        }
        hdr.push(*r);
    }
    (hdr, rows.len())
}

/// What a row after the title looks like to the header scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DataKind {
    /// Codes, amounts or a note: data for certain.
    Data,
    /// Only a fixed-row label in the first cell: data unless headers follow.
    Label,
    Header,
}

/// A row of column headers: text only, naming at least one key column
/// (编码, 科目名称, 项目, 类, 行次 …) or an amount column (决算数, 预算数).
fn is_column_header_row(cells: &[(u32, Value)]) -> bool {
    cells.iter().all(|(_, v)| matches!(v, Value::Text(_)))
        && texts(cells)
            .any(|(_, t)| role_of(&t) != ColRole::Value || matches!(&*t, "决算数" | "预算数" | "金额"))
        && !texts(cells).any(|(_, t)| has_code(&t) || leading_code(&t).is_some())
}

fn is_lanci_row(cells: &[(u32, Value)]) -> bool {
    let has_word = texts(cells).any(|(_, t)| t == "栏次" || t == "行次");
    let nums: Vec<Decimal> =
        cells.iter().filter_map(|(_, v)| if let Value::Number(d) = v { Some(*d) } else { None }).collect();
    let small_ints = !nums.is_empty()
        && nums.iter().all(|d| d.fract().is_zero() && *d >= Decimal::ONE && *d <= Decimal::from(40));
    has_word || (small_ints && texts(cells).all(|(_, t)| t.chars().all(|c| c.is_ascii_digit())))
}

fn data_kind(cells: &[(u32, Value)], layout: &TableLayout, layouts: &Layouts, c_min: u32) -> DataKind {
    if is_lanci_row(cells) {
        return DataKind::Header;
    }
    let mut label = false;
    // A fixed-row label (合计, 一、…收入) counts only as the row's first cell:
    // header rows carry the same words (合计) further right.
    if let (Some((c, Value::Text(t))), false) = (cells.first(), layout.key == KeyKind::Single) {
        let l = label_form(t);
        if *c <= c_min + 3
            && (layout.rows.iter().any(|r| r.matches.iter().any(|m| *m == *l))
                || layouts.function_by_name.contains_key(&*l))
        {
            label = true;
        }
    }
    for (c, v) in cells {
        let t = cell_text(v);
        if has_code(&t) || leading_code(&t).is_some() {
            return DataKind::Data;
        }
        // Amounts (also typed as text, `1,234.00` or `-`) start the data.
        let amount = match v {
            Value::Number(_) => true,
            Value::Text(_) => matches!(parse_amount(v), Ok(Some(_))),
            _ => false,
        };
        if (amount && *c > c_min) || l_is_note(&t) {
            return DataKind::Data;
        }
    }
    if label { DataKind::Label } else { DataKind::Header }
}

fn l_is_note(t: &str) -> bool {
    let n = header_form(t);
    n.starts_with("说明") || n.starts_with("注:") || n.contains("无此项") || n.contains("无数据")
}

fn build_blocks(
    sheet: &Sheet,
    paths: &BTreeMap<u32, String>,
    data: &[(u32, &[(u32, Value)])],
    layout: &TableLayout,
) -> Vec<Block> {
    // Content decides the role of columns whose header is blank or ambiguous.
    let is_code_col = |c: u32| {
        let vals: Vec<Cow<'_, str>> = data
            .iter()
            .take(60)
            .map(|(r, _)| cell_text(sheet.get(*r, c)))
            .filter(|t| !t.trim().is_empty())
            .collect();
        !vals.is_empty() && vals.iter().filter(|t| has_code(t)).count() * 2 > vals.len()
    };
    let is_text_col = |c: u32| {
        let vals: Vec<&Value> =
            data.iter().take(60).map(|(r, _)| sheet.get(*r, c)).filter(|v| !v.is_empty()).collect();
        !vals.is_empty()
            && vals.iter().filter(|v| matches!(v, Value::Text(t) if crate::workbook::normalize::parse_amount(&Value::Text(t.clone())).is_err())).count() * 2
                > vals.len()
    };
    let mut blocks: Vec<Block> = Vec::new();
    let mut cur = Block::default();
    let mut have_values = false;
    for (&c, path) in paths {
        let mut role = role_of(path);
        if matches!(role, ColRole::Name | ColRole::Code) || (role == ColRole::Value && path.is_empty()) {
            if is_code_col(c) {
                role = ColRole::Code;
            } else if role == ColRole::Code && !is_code_col(c) && is_text_col(c) {
                role = ColRole::Name;
            } else if path.is_empty() {
                role = if is_text_col(c) { ColRole::Name } else { ColRole::Meta };
            }
        }
        if is_key(role) && have_values {
            blocks.push(std::mem::take(&mut cur));
            have_values = false;
        }
        match role {
            ColRole::Code => {
                if cur.code.is_none() {
                    cur.code = Some(c);
                } else {
                    cur.names.push(c);
                }
            }
            ColRole::SplitClass => cur.split[0] = Some(c),
            ColRole::SplitKuan => cur.split[1] = Some(c),
            ColRole::SplitXiang => cur.split[2] = Some(c),
            ColRole::Name => cur.names.push(c),
            ColRole::Meta => {}
            ColRole::Value => {
                have_values = true;
                cur.values.push(Column {
                    id: String::new(),
                    path: path.clone(),
                    side: None,
                    col: c,
                    known: false,
                });
            }
        }
    }
    if have_values || blocks.is_empty() {
        blocks.push(cur);
    }
    blocks.retain(|b| !b.values.is_empty());
    // Sides: by a side word at the top of the header path, else by block order.
    let n = blocks.len();
    for (i, b) in blocks.iter_mut().enumerate() {
        if layout.sides.is_empty() {
            continue;
        }
        let top =
            b.values.first().map(|c| c.path.split('/').next().unwrap_or("").to_string()).unwrap_or_default();
        b.side = layout.sides.iter().find(|s| top.contains(s.as_str())).cloned().or_else(|| {
            layout.sides.get(if n == layout.sides.len() { i } else { i.min(layout.sides.len() - 1) }).cloned()
        });
    }
    for b in &mut blocks {
        let mut taken: Vec<String> = Vec::new();
        for col in &mut b.values {
            col.side = b.side.clone();
            let best = layout.match_column(b.side.as_deref(), &col.path, &taken);
            if let Some(spec) = best {
                col.id = spec.id.clone();
                col.known = true;
                taken.push(spec.id.clone());
            } else {
                col.id = col.path.clone();
            }
        }
    }
    blocks
}

fn digits_of(v: &Value, width: usize) -> Option<String> {
    let t = match v {
        Value::Number(d) if d.fract().is_zero() && !d.is_sign_negative() => d.normalize().to_string(),
        Value::Text(t) => header_form(t).into_owned(),
        _ => return None,
    };
    (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())).then(|| format!("{t:0>width$}"))
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    dep: &mut Department,
    sheet: &Sheet,
    r: u32,
    block: &Block,
    layout: &TableLayout,
    layouts: &Layouts,
    msg: &Catalog,
    seen: &mut Vec<String>,
    last_split: &mut [String; 2],
    uncomputed: &mut Vec<CellRef>,
) -> Option<Row> {
    let side = block.side.as_deref();
    let mut code: Option<String> = None;
    let mut at_col = block.names.first().copied().or(block.code).unwrap_or(block.values[0].col);
    if let Some(c) = block.code {
        let t = cell_text(sheet.get(r, c));
        code = code_in(&t).or_else(|| leading_code(&t).map(|x| x.0));
        if code.is_some() {
            at_col = c;
        }
    }
    if code.is_none() && block.split.iter().any(Option::is_some) {
        let lei = block.split[0].and_then(|c| digits_of(sheet.get(r, c), 3));
        let kuan = block.split[1].and_then(|c| digits_of(sheet.get(r, c), 2));
        let xiang = block.split[2].and_then(|c| digits_of(sheet.get(r, c), 2));
        let lei = match (&lei, &kuan) {
            (Some(l), _) => Some(l.clone()),
            (None, Some(_)) if !last_split[0].is_empty() => Some(last_split[0].clone()),
            _ => None,
        };
        let kuan = match (&kuan, &xiang) {
            (Some(k), _) => Some(k.clone()),
            (None, Some(_)) if !last_split[1].is_empty() => Some(last_split[1].clone()),
            _ => None,
        };
        if let Some(l) = &lei {
            let mut s = l.clone();
            if let Some(k) = &kuan {
                s.push_str(k);
                if let Some(x) = &xiang {
                    s.push_str(x);
                }
            }
            if is_code(&s) {
                last_split[0] = l.clone();
                if let Some(k) = &kuan {
                    last_split[1] = k.clone();
                }
                at_col = block.split.iter().flatten().next().copied().unwrap_or(at_col);
                code = Some(s);
            }
        }
    }
    let mut label = String::new();
    for c in &block.names {
        let t = cell_text(sheet.get(r, *c));
        if !t.trim().is_empty() {
            label = t.trim().to_string();
            if code.is_none() {
                at_col = *c;
            }
            break;
        }
    }
    if label.is_empty() && code.is_none() {
        // Footers (人员经费合计) often sit in the code column of their block.
        if let Some(c) = block.code
            && let Value::Text(t) = sheet.get(r, c)
        {
            label = t.trim().to_string();
            at_col = c;
        }
    }
    if label.is_empty() {
        // 合计 is often written in the 类 column of a split layout.
        for c in block.split.iter().flatten() {
            if let Value::Text(t) = sheet.get(r, *c)
                && code.is_none()
                && !has_code(t)
            {
                label = t.trim().to_string();
                at_col = *c;
            }
        }
    }
    if code.is_none() {
        if let Some((c, name)) = leading_code(&label) {
            code = Some(c);
            label = name;
        } else if let Some(c) = code_in(&label) {
            code = Some(c);
        }
    }

    // Amounts first: a row with no label but amounts is still worth reporting.
    let mut cells = BTreeMap::new();
    let mut any_value = false;
    let mut bad: Vec<(u32, NotAmount)> = Vec::new();
    for col in &block.values {
        let v = sheet.get(r, col.col);
        let at = sheet.cell_ref(r, col.col);
        match parse_amount(v) {
            Ok(None) => {
                cells.insert(col.id.clone(), Amount { value: Decimal::ZERO, at });
            }
            Ok(Some((d, coercion))) => {
                any_value = true;
                if let Some(kind) = coercion {
                    dep.coercions.push(CoercionRecord { at: at.clone(), kind, raw: v.text(), value: d });
                }
                cells.insert(col.id.clone(), Amount { value: d, at });
            }
            Err(e) => {
                any_value = true;
                bad.push((col.col, e));
            }
        }
    }

    let norm = label_form(&label);
    let key = if let Some(c) = code {
        RowKey::Code(c)
    } else if layout.key == KeyKind::Single {
        if !any_value {
            return None;
        }
        RowKey::Label(layout.rows.first().map_or_else(|| "合计".to_string(), |r| r.id.clone()))
    } else if norm.is_empty() {
        if !any_value || cells.values().all(|a: &Amount| a.value.is_zero()) && bad.is_empty() {
            return None;
        }
        RowKey::Label(String::new())
    } else if let Some(id) = layout.match_row(side, &norm, seen).map(|r| r.id.clone()) {
        RowKey::Label(id)
    } else if let Some(code) = (layout.class_rows.as_deref() == side && side.is_some()
        || layout.key == KeyKind::Function)
        .then(|| layouts.function_by_name.get(&*norm).cloned())
        .flatten()
    {
        RowKey::Code(code)
    } else {
        RowKey::Label(norm.into_owned())
    };
    if let RowKey::Label(id) = &key {
        seen.push(id.clone());
    }
    let at = sheet.cell_ref(r, at_col);
    let place = Place {
        table: Some(layout.no),
        row: Some(if key.as_str().is_empty() { label.clone() } else { key.to_string() }),
        ..Place::default()
    };
    let unknown = matches!(&key, RowKey::Label(id) if layout.row(id).is_none());
    if unknown {
        dep.findings.push(
            Finding::new(
                "row-unknown",
                Severity::Warning,
                msg.text("read.row_unknown", &[("label", &label), ("title", &layout.title)]),
            )
            .with_cells([at.clone()])
            .with_place(place.clone()),
        );
    }
    for (c, e) in bad {
        let cell = sheet.cell_ref(r, c);
        let col = block.values.iter().find(|x| x.col == c).map(|x| x.path.clone());
        let (k, raw) = match &e {
            // Reported once per table (read_region): a file saved without
            // computed values has hundreds of them, all with one cause.
            NotAmount::Error(s) if s == UNCOMPUTED_FORMULA => {
                uncomputed.push(cell);
                continue;
            }
            NotAmount::Error(s) => ("read.cell_error", s.clone()),
            NotAmount::Text(s) if crate::workbook::is_date_text(s) => ("read.cell_date", s.clone()),
            NotAmount::Text(s) => ("read.cell_text", s.clone()),
            NotAmount::TooLarge(s) => ("read.cell_too_large", s.clone()),
        };
        dep.findings.push(
            Finding::new(
                "cell-not-number",
                Severity::Error,
                msg.text(k, &[("value", &raw), ("cell", &cell), ("title", &layout.title)]),
            )
            .with_cells([cell])
            .with_place(Place { column: col, ..place.clone() }),
        );
    }
    let label = if label.is_empty() {
        match &key {
            RowKey::Code(c) => layouts.code_name(c).unwrap_or_default().to_string(),
            RowKey::Label(l) => layout.row(l).map(|r| r.label.clone()).unwrap_or_default(),
        }
    } else {
        label
    };
    Some(Row { key, side: side.map(String::from), label, at, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_by_alias_longest_first() {
        let t = crate::config::Templates::embedded();
        let l = &t.layouts;
        let c = |s: &str| title_candidates(&norm_header(s), l);
        assert_eq!(c("收入支出决算总表"), vec![1]);
        assert_eq!(c("攀枝花市科学技术协会2024年度财政拨款收入支出决算总表"), vec![4]);
        assert_eq!(c("一般公共预算财政拨款支出决算明细表"), vec![7]);
        assert_eq!(c("财政拨款支出决算明细表"), vec![5]);
        assert_eq!(c("财政拨款“三公”经费支出决算表"), vec![13]);
        assert_eq!(c("\"三公\"经费支出决算表"), vec![13]);
        assert_eq!(c("部门收支决算总表"), vec![1]);
        assert_eq!(c("政拨款收入支出决算总表"), vec![4]);
        let both = c("国有资本经营预算财政拨款支出决算表");
        assert!(both.contains(&11) && both.contains(&12), "{both:?}");
        assert!(c("注：本表反映部门本年度收入决算表的情况。").is_empty());
        assert!(c("合计").is_empty());
    }

    #[test]
    fn sheets_that_may_hold_a_table() {
        let t = crate::config::Templates::embedded();
        let l = &t.layouts;
        let text = |s: &str| Value::Text(s.into());
        let sheet = |name: &str, cells: Vec<(u32, u32, Value)>| {
            Sheet::from_cells("f".into(), name.into(), cells, vec![])
        };
        assert!(may_hold_table(&sheet("Sheet1", vec![(0, 0, text("收入决算表"))]), l));
        assert!(may_hold_table(&sheet("收入决算表", vec![(0, 0, text("项目"))]), l), "named after its table");
        assert!(
            may_hold_table(&sheet("目录", vec![(4, 1, text("2.收入决算表"))]), l),
            "a superset: 目录 too"
        );
        assert!(!may_hold_table(&sheet("封面", vec![(0, 0, text("某局2024年度部门决算"))]), l));
        assert!(!may_hold_table(&sheet("Sheet2", vec![]), l));
    }

    #[test]
    fn title_block_parsing() {
        let t = crate::config::Templates::embedded();
        let l = &t.layouts;
        assert_eq!(
            department_in("编制单位:攀枝花市科学技术协会单位:万元", l),
            Some("攀枝花市科学技术协会".into())
        );
        assert_eq!(department_in("部门:凉山州科学技术协会", l), Some("凉山州科学技术协会".into()));
        // A title alias is not a label (the false X17 of issue 9).
        assert_eq!(department_in("部门收支决算总表", l), None);
        assert_eq!(department_in("编制单位:收支决算总表", l), None);
        assert_eq!(department_in("部门某局", l), Some("某局".into()));
        assert_eq!(department_in_title("某局2024年度收入决算表", l), Some("某局".into()));
        assert_eq!(
            department_in_title("公开01表某区社会工作部收入支出决算总表", l),
            Some("某区社会工作部".into())
        );
        assert_eq!(department_in_title("2024年度收入支出决算总表", l), None);
        assert_eq!(department_in_title("部门收支决算总表", l), None);
        assert_eq!(unit_in("金额单位:元"), Some(Unit::Yuan));
        assert_eq!(unit_in("单位:万元"), Some(Unit::WanYuan));
        assert_eq!(unit_in("单位：元（由万元折算）"), Some(Unit::Yuan));
        assert_eq!(precision_in("单位：元（由万元折算）"), Some(Unit::WanYuan));
        assert_eq!(precision_in("单位：元"), None);
        assert_eq!(year_in("攀枝花市科学技术协会2024年度部门决算"), Some(2024));
        assert_eq!(year_in("12024年"), None);
        assert_eq!(year_in("2024年"), Some(2024));
        assert_eq!(year_in("年2024"), None);
        assert_eq!(year_in("1989年与2023年度"), Some(2023));
        assert_eq!(year_in("12024年 2025年"), Some(2025));
        assert_eq!(
            year_in("某局２０２４年"),
            None,
            "called on header form, where full-width digits are ASCII"
        );
        assert_eq!(year_in(&norm_header("某局２０２４年")), Some(2024));
        assert!(is_year_text("2024年度") && !is_year_text("2024年度部门决算报表") && !is_year_text("202年"));
    }
}
