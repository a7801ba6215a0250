//! Score sheets as workbooks: one sheet per project in the seeds' (Sichuan)
//! layout — merged 一级/二级 cells, 预算执行情况 and 绩效指标 blocks, 合计 and the
//! text rows — with the computed 预算执行率 and scores in column L/M next to the
//! reported ones, highlighted where they differ; plus `汇总`, `问题清单` and
//! `部门整体`. The sample generator writes the same layout without computed columns.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::finding::Finding;
use crate::i18n::Catalog;
use crate::report::page::{self, Fit};
use crate::score::config::{Config, first, mentions};
use crate::score::{DeptScored, Project, Scored, fmt_trim};

struct Fmt {
    title: Format,
    head: Format,
    text: Format,
    hi: Format,
    /// Amounts (`#,##0.00`), rates (`0.00%`), scores (`0.00`), plain and highlighted.
    amount: Format,
    rate: Format,
    hi_rate: Format,
    score: Format,
    hi_score: Format,
}

fn fmts() -> Fmt {
    let b =
        |f: Format| f.set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::VerticalCenter);
    Fmt {
        title: Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center),
        head: b(Format::new().set_bold().set_align(FormatAlign::Center).set_background_color("#F2F2F2")),
        text: b(Format::new()),
        hi: b(Format::new().set_background_color("#FFEB9C").set_bold()),
        amount: b(Format::new().set_num_format("#,##0.00")),
        rate: b(Format::new().set_num_format("0.00%")),
        hi_rate: b(Format::new().set_num_format("0.00%").set_background_color("#FFEB9C").set_bold()),
        score: b(Format::new().set_num_format("0.00")),
        hi_score: b(Format::new().set_num_format("0.00").set_background_color("#FFEB9C").set_bold()),
    }
}

/// A number as read from a sheet: `1,234.50`, `-9.53`, `100.00%` (as 1.0,
/// with `true`: a percentage). Text with anything else (`≥95%`, `优`) is not
/// a number.
fn as_number(t: &str) -> Option<(f64, bool)> {
    // The crate's text form and amount parser, plus a trailing percent sign.
    let t = crate::text::compact(t);
    let (digits, pct) = t.strip_suffix('%').map_or((t.as_str(), false), |d| (d, true));
    let v = crate::workbook::normalize::parse_number_text(digits)?;
    let v = rust_decimal::prelude::ToPrimitive::to_f64(&v)?;
    Some(if pct { (v / 100.0, true) } else { (v, false) })
}

/// Writes `t` as a number in `num` (or `pct` when it ends in `%`) when it is
/// one, else as text in `text`: sorting and summing work in the output.
fn put_num(
    ws: &mut Worksheet,
    (r, c): (u32, u16),
    t: &str,
    (num, pct, text): (&Format, &Format, &Format),
) -> Result<(), XlsxError> {
    match as_number(t) {
        Some((v, true)) => ws.write_number_with_format(r, c, v, pct)?,
        Some((v, false)) => ws.write_number_with_format(r, c, v, num)?,
        None => ws.write_string_with_format(r, c, t, text)?,
    };
    Ok(())
}

/// Column widths of a project sheet (A–M).
const WIDTHS: [f64; 13] = [12.0, 12.0, 14.0, 28.0, 8.0, 10.0, 9.0, 10.0, 8.0, 10.0, 24.0, 14.0, 12.0];

/// Width of columns `c0..=c1` of a project sheet.
fn width(c0: u16, c1: u16) -> f64 {
    WIDTHS[usize::from(c0)..=usize::from(c1).min(WIDTHS.len() - 1)].iter().sum()
}

/// Sets row `r` tall enough for each (text, first column, last column).
fn fit_row(ws: &mut Worksheet, r: u32, cells: &[(&str, u16, u16)]) -> Result<(), XlsxError> {
    let n = cells.iter().map(|(t, c0, c1)| page::lines(t, width(*c0, *c1) - 1.0)).max().unwrap_or(1);
    if n > 1 {
        ws.set_row_height(r, page::height(n))?;
    }
    Ok(())
}

/// Text is always written as a string, never as a formula (input may start with `=`).
fn put(ws: &mut Worksheet, r: u32, c: u16, t: &str, f: &Format) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, c, crate::text::cell_text(t), f)?;
    Ok(())
}

fn span(
    ws: &mut Worksheet,
    r0: u32,
    c0: u16,
    r1: u32,
    c1: u16,
    t: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if r1 > r0 || c1 > c0 {
        ws.merge_range(r0, c0, r1, c1, &crate::text::cell_text(t), f)?;
    } else {
        put(ws, r0, c0, t, f)?;
    }
    Ok(())
}

/// Runs of rows sharing a merged cell: (first index, last index), for rows
/// whose cell was filled down from the run's first row.
fn runs(filled: &[bool]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, f) in filled.iter().enumerate() {
        match out.last_mut() {
            Some(last) if *f && last.1 + 1 == i => last.1 = i,
            _ => out.push((i, i)),
        }
    }
    out
}

const LAST: u16 = 10;

/// A text row: one label and its value across the sheet, or two pairs side by
/// side (项目负责人 | … | 财务负责人 | …).
fn write_note(ws: &mut Worksheet, r: u32, row: &[(String, String)], f: &Fmt) -> Result<(), XlsxError> {
    let width = (LAST + 1) / row.len().max(1) as u16;
    let mut cells = Vec::new();
    for (i, (label, value)) in row.iter().enumerate() {
        let c = i as u16 * width;
        let end = if i + 1 == row.len() { LAST } else { c + width - 1 };
        put(ws, r, c, label, &f.head)?;
        span(ws, r, c + 1, r, end.max(c + 1), value, &f.text)?;
        cells.push((label.as_str(), c, c));
        cells.push((value.as_str(), c + 1, end.max(c + 1)));
    }
    // Merged cells never grow by themselves: long 目标 texts get the height they need.
    fit_row(ws, r, &cells)
}
/// 按规则得分 (indicators and budget) and 计算执行率.
const COMPUTED: u16 = 11;
const COMPUTED_RATE: u16 = 12;

fn same_number(a: &str, b: &str) -> bool {
    crate::score::number(a).map(|x| x.0) == crate::score::number(b).map(|x| x.0)
}

/// Writes one project in the seeds' layout; with `scored`, adds the computed columns.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn write_project(
    ws: &mut Worksheet,
    p: &Project,
    scored: Option<&Scored>,
    cfg: &Config,
    msg: &Catalog,
) -> Result<(), XlsxError> {
    let f = fmts();
    let form = &cfg.form;
    let weight = |w: rust_decimal::Decimal, t: &str| t.replace("{weight}", &fmt_trim(w));
    span(ws, 0, 0, 0, LAST, &form.labels.title, &f.title)?;
    put(ws, 1, 0, first(&form.project_name), &f.head)?;
    span(ws, 1, 1, 1, LAST, &p.name, &f.text)?;
    fit_row(ws, 1, &[(&p.name, 1, LAST)])?;
    let mut r = 2;
    for row in &p.head {
        write_note(ws, r, row, &f)?;
        r += 1;
    }
    // 预算执行情况.
    let top = r;
    let bottom = top + 1 + p.budget.len().max(1) as u32;
    span(ws, top, 0, bottom, 0, &weight(cfg.scoring.budget_weight, &form.labels.budget_block), &f.head)?;
    span(ws, top, 1, top + 1, 1, &form.labels.budget_item, &f.head)?;
    span(ws, top, 2, top, 4, &form.labels.budget_amounts, &f.head)?;
    for (c, h) in [(5u16, first(&form.rate)), (6, first(&form.weight)), (7, first(&form.score))] {
        span(ws, top, c, top + 1, c, h, &f.head)?;
    }
    span(ws, top, 8, top + 1, LAST, first(&form.budget_reason), &f.head)?;
    for (c, h) in [(2u16, first(&form.initial)), (3, first(&form.adjusted)), (4, first(&form.executed))] {
        put(ws, top + 1, c, h, &f.head)?;
    }
    if scored.is_some() {
        span(ws, top, COMPUTED, top + 1, COMPUTED, &msg.text("score.col.computed_score", &[]), &f.head)?;
        span(
            ws,
            top,
            COMPUTED_RATE,
            top + 1,
            COMPUTED_RATE,
            &msg.text("score.col.computed_rate", &[]),
            &f.head,
        )?;
    }
    r = top + 2;
    // The sample generator writes the input form as text, as the seeds hold it;
    // the output (`scored`) writes numbers so that they sort and sum.
    let numbers = scored.is_some();
    for b in &p.budget {
        put(ws, r, 1, &b.label, &f.text)?;
        for (c, t, num) in [
            (2u16, &b.initial.text, &f.amount),
            (3, &b.adjusted.text, &f.amount),
            (4, &b.executed.text, &f.amount),
            (5, &b.rate.text, &f.score),
            (6, &b.weight.text, &f.score),
            (7, &b.score.text, &f.score),
        ] {
            if numbers {
                put_num(ws, (r, c), t, (num, &f.rate, &f.text))?;
            } else {
                put(ws, r, c, t, &f.text)?;
            }
        }
        span(ws, r, 8, r, LAST, &b.reason.text, &f.text)?;
        fit_row(ws, r, &[(&b.label, 1, 1), (&b.reason.text, 8, LAST)])?;
        if let Some(sc) = scored
            && mentions(&form.budget_total, &b.label)
        {
            let rate = sc.budget.rate.clone().map(|x| format!("{x}%")).unwrap_or_default();
            let rate_differs = !rate.is_empty() && !same_number(&b.rate.text, &rate);
            let (pct, text) = if rate_differs { (&f.hi_rate, &f.hi) } else { (&f.rate, &f.text) };
            put_num(ws, (r, COMPUTED_RATE), &rate, (pct, pct, text))?;
            let comp = sc.budget.computed_score.clone().unwrap_or_default();
            let differs = !comp.is_empty() && !same_number(&b.score.text, &comp);
            let (num, text) = if differs { (&f.hi_score, &f.hi) } else { (&f.score, &f.text) };
            put_num(ws, (r, COMPUTED), &comp, (num, &f.rate, text))?;
        }
        r += 1;
    }
    if p.budget.is_empty() {
        r += 1;
    }
    for row in &p.middle {
        write_note(ws, r, row, &f)?;
        r += 1;
    }
    // 绩效指标: the header, then the rows; 一级/二级 merged where the form merges them.
    let header: [&str; 10] = [
        first(&form.level1),
        first(&form.level2),
        first(&form.level3),
        first(&form.nature),
        first(&form.target),
        first(&form.unit),
        first(&form.actual),
        first(&form.weight),
        first(&form.score),
        first(&form.indicator_reason),
    ];
    let block_label = weight(cfg.scoring.indicator_weight_total, &form.labels.indicator_block);
    let write_header = |ws: &mut Worksheet, r: u32, with_block: bool| -> Result<(), XlsxError> {
        if with_block {
            put(ws, r, 0, &block_label, &f.head)?;
        }
        for (c, h) in header.iter().enumerate() {
            put(ws, r, c as u16 + 1, h, &f.head)?;
        }
        if scored.is_some() {
            put(ws, r, COMPUTED, &msg.text("score.col.computed_score", &[]), &f.head)?;
        }
        Ok(())
    };
    let head_row = r;
    let (main, stray): (Vec<_>, Vec<_>) = p.indicators.iter().partition(|i| !i.stray);
    let mut scored_rows = scored.map(|s| s.indicators.iter());
    let mut write_rows =
        |ws: &mut Worksheet, rows: &[&crate::score::Indicator], r0: u32| -> Result<u32, XlsxError> {
            let mut r = r0;
            for ind in rows {
                for (i, t) in [
                    &ind.name,
                    &ind.nature.text,
                    &ind.target.text,
                    &ind.unit.text,
                    &ind.actual.text,
                    &ind.weight.text,
                    &ind.score.text,
                    &ind.reason.text,
                ]
                .iter()
                .enumerate()
                {
                    // 指标值 and 实际完成值 stay as typed (`≥95%`); 分值 and 得分 are numbers.
                    if numbers && (i == 5 || i == 6) {
                        put_num(ws, (r, i as u16 + 3), t, (&f.score, &f.rate, &f.text))?;
                    } else {
                        put(ws, r, i as u16 + 3, t, &f.text)?;
                    }
                }
                fit_row(
                    ws,
                    r,
                    &[
                        (&ind.name, 3, 3),
                        (&ind.target.text, 5, 5),
                        (&ind.actual.text, 7, 7),
                        (&ind.reason.text, 10, 10),
                        (&ind.level2, 2, 2),
                    ],
                )?;
                if !ind.stray
                    && let Some(it) = scored_rows.as_mut().and_then(Iterator::next)
                {
                    let t = it.computed_score.clone().unwrap_or_default();
                    let (num, text) = if it.differs { (&f.hi_score, &f.hi) } else { (&f.score, &f.text) };
                    put_num(ws, (r, COMPUTED), &t, (num, &f.rate, text))?;
                }
                r += 1;
            }
            // 一级 runs, and 二级 runs inside them.
            let l1_filled: Vec<bool> = rows.iter().map(|i| i.level1_filled).collect();
            for (a, b) in runs(&l1_filled) {
                span(ws, r0 + a as u32, 1, r0 + b as u32, 1, &rows[a].level1, &f.text)?;
                let l2_filled: Vec<bool> =
                    rows[a..=b].iter().enumerate().map(|(k, i)| k > 0 && i.level2_filled).collect();
                for (c, d) in runs(&l2_filled) {
                    let (c, d) = (a + c, a + d);
                    span(ws, r0 + c as u32, 2, r0 + d as u32, 2, &rows[c].level2, &f.text)?;
                }
            }
            Ok(r)
        };
    write_header(ws, head_row, false)?;
    r = write_rows(ws, &main, head_row + 1)?;
    span(ws, head_row, 0, r.saturating_sub(1).max(head_row), 0, &block_label, &f.head)?;
    if !stray.is_empty() {
        // Sheet 16 of the seeds repeats the header and adds a row; keep it visible.
        write_header(ws, r, true)?;
        r = write_rows(ws, &stray, r + 1)?;
    }
    put(ws, r, 0, first(&form.total), &f.head)?;
    span(ws, r, 1, r, 7, "", &f.text)?;
    if numbers {
        put_num(ws, (r, 8), &p.total_weight.text, (&f.score, &f.rate, &f.text))?;
        put_num(ws, (r, 9), &p.total_score.text, (&f.score, &f.rate, &f.text))?;
    } else {
        put(ws, r, 8, &p.total_weight.text, &f.text)?;
        put(ws, r, 9, &p.total_score.text, &f.text)?;
    }
    put(ws, r, 10, &p.total_note.text, &f.text)?;
    if let Some(sc) = scored {
        let differs = !same_number(sc.reported_total.as_deref().unwrap_or(""), &sc.computed_total);
        let t = format!("{}（{}）", sc.computed_total, sc.grade);
        put(ws, r, COMPUTED, &t, if differs { &f.hi } else { &f.text })?;
    }
    r += 1;
    for row in &p.tail {
        write_note(ws, r, row, &f)?;
        r += 1;
    }
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    page::setup(ws, None, Fit::Width)
}

/// Findings not tied to one project: department-wide tables and the cross-check.
pub struct Other<'a> {
    pub path: &'a str,
    pub findings: &'a [Finding],
}

/// The `score` output: 汇总, 问题清单, 部门整体 (when found), one sheet per project.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn workbook(
    scored: &[Scored],
    dept: &[DeptScored],
    others: &[Other<'_>],
    cfg: &Config,
    msg: &Catalog,
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let f = fmts();
    let head = |ws: &mut Worksheet, keys: &[&str]| -> Result<(), XlsxError> {
        for (c, k) in keys.iter().enumerate() {
            put(ws, 0, c as u16, &msg.text(k, &[]), &f.head)?;
        }
        Ok(())
    };
    let ws = wb.add_worksheet();
    ws.set_name(msg.text("score.sheet_summary", &[]))?;
    head(
        ws,
        &[
            "score.col.file",
            "score.col.sheet",
            "score.col.project",
            "score.col.reported",
            "score.col.computed",
            "score.col.difference",
            "score.col.grade",
            "score.col.errors",
            "score.col.warnings",
        ],
    )?;
    let widths = [30.0, 18.0, 36.0, 10.0, 10.0, 10.0, 6.0, 6.0, 6.0];
    for (i, s) in scored.iter().enumerate() {
        let r = i as u32 + 1;
        let differs = s.difference.as_deref().is_some_and(|d| !same_number(d, "0"));
        for (c, t) in [(0u16, s.path.as_str()), (1, &s.sheet), (2, &s.name), (6, &s.grade)] {
            put(ws, r, c, t, &f.text)?;
        }
        put_num(ws, (r, 3), s.reported_total.as_deref().unwrap_or(""), (&f.score, &f.rate, &f.text))?;
        put_num(ws, (r, 4), &s.computed_total, (&f.score, &f.rate, &f.text))?;
        let (num, text) = if differs { (&f.hi_score, &f.hi) } else { (&f.score, &f.text) };
        put_num(ws, (r, 5), s.difference.as_deref().unwrap_or(""), (num, &f.rate, text))?;
        ws.write_number_with_format(r, 7, s.errors as f64, &f.text)?;
        ws.write_number_with_format(r, 8, s.warnings as f64, &f.text)?;
        let n = [(&s.path, widths[0]), (&s.sheet, widths[1]), (&s.name, widths[2])]
            .iter()
            .map(|(t, w)| page::lines(t, w - 1.0))
            .max()
            .unwrap_or(1);
        if n > 1 {
            ws.set_row_height(r, page::height(n))?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, (scored.len() as u32).max(1), 8)?;
    page::setup(ws, Some((0, 0)), Fit::Width)?;

    let ws = wb.add_worksheet();
    ws.set_name(msg.text("score.sheet_findings", &[]))?;
    head(
        ws,
        &[
            "score.col.rule",
            "score.col.severity",
            "score.col.file",
            "score.col.project",
            "score.col.indicator",
            "score.col.cells",
            "score.col.message",
        ],
    )?;
    let mut r = 1;
    let all = scored
        .iter()
        .flat_map(|s| s.findings.iter().map(move |x| (s.path.as_str(), s.name.as_str(), x)))
        .chain(dept.iter().flat_map(|d| d.findings.iter().map(move |x| (d.path.as_str(), "", x))))
        .chain(others.iter().flat_map(|o| o.findings.iter().map(move |x| (o.path, "", x))));
    let widths = [6.0, 6.0, 24.0, 26.0, 20.0, 18.0, 60.0];
    for (path, project, x) in all {
        let cells: Vec<String> = x.cells.iter().map(crate::location::CellRef::sheet_a1).collect();
        let row = [
            x.rule.as_str(),
            &x.severity.label(msg),
            path,
            project,
            x.place.indicator.as_deref().unwrap_or(""),
            &cells.join(" "),
            &x.message,
        ];
        for (c, t) in row.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, crate::text::cell_text(t), &f.text)?;
        }
        let n = row.iter().zip(widths).map(|(t, w)| page::lines(t, w - 1.0)).max().unwrap_or(1);
        if n > 1 {
            ws.set_row_height(r, page::height(n))?;
        }
        r += 1;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), 6)?;
    page::setup(ws, Some((0, 0)), Fit::Width)?;

    if !dept.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(msg.text("score.sheet_dept", &[]))?;
        let mut r = 0;
        for d in dept {
            put(ws, r, 0, &format!("{} — {}", d.path, d.sheet), &f.title)?;
            r += 1;
            for (c, h) in
                [first(&cfg.form.dept_item), first(&cfg.form.dept_weight), first(&cfg.form.dept_score)]
                    .iter()
                    .enumerate()
            {
                put(ws, r, c as u16, h, &f.head)?;
            }
            r += 1;
            for row in &d.rows {
                let over = crate::score::number(&row.score).map(|x| x.0)
                    > crate::score::number(&row.weight).map(|x| x.0);
                put(ws, r, 0, &row.item, &f.text)?;
                put_num(ws, (r, 1), &row.weight, (&f.score, &f.rate, &f.text))?;
                let (num, text) = if over { (&f.hi_score, &f.hi) } else { (&f.score, &f.text) };
                put_num(ws, (r, 2), &row.score, (num, &f.rate, text))?;
                r += 1;
            }
            let total = d.reported_total.clone().unwrap_or_default();
            put(ws, r, 0, first(&cfg.form.total), &f.head)?;
            put(ws, r, 1, "", &f.text)?;
            put_num(ws, (r, 2), &total, (&f.score, &f.rate, &f.text))?;
            put(ws, r, 3, &msg.text("score.col.computed", &[]), &f.head)?;
            let differs = !same_number(&total, &d.computed_total);
            let (num, text) = if differs { (&f.hi_score, &f.hi) } else { (&f.score, &f.text) };
            put_num(ws, (r, 4), &d.computed_total, (num, &f.rate, text))?;
            r += 1;
            put(ws, r, 0, first(&cfg.form.dept_grade), &f.head)?;
            put(ws, r, 1, d.reported_grade.as_deref().unwrap_or(""), &f.text)?;
            put(ws, r, 3, &msg.text("score.col.grade", &[]), &f.head)?;
            put(ws, r, 4, &d.grade, &f.text)?;
            r += 2;
        }
        for (c, w) in [24.0, 10.0, 10.0, 12.0, 10.0].iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        page::setup(ws, None, Fit::Width)?;
    }

    // Project sheets: `03 州本级离退休费支出`, cut at a boundary, never clashing
    // with each other or with the sheets above.
    let mut names: std::collections::BTreeSet<String> =
        ["score.sheet_summary", "score.sheet_findings", "score.sheet_dept"]
            .iter()
            .map(|k| msg.text(k, &[]))
            .collect();
    for (i, s) in scored.iter().enumerate() {
        let ws = wb.add_worksheet();
        let n = crate::text::sheet_name(&format!("{:02}", i + 1), &s.name, &names);
        names.insert(n.clone());
        ws.set_name(n)?;
        write_project(ws, &s.project, Some(s), cfg, msg)?;
    }
    Ok(wb)
}

/// The sample workbook: projects in the seeds' layout, one per sheet.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn sample_workbook(projects: &[Project], cfg: &Config, msg: &Catalog) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, p) in projects.iter().enumerate() {
        let ws = wb.add_worksheet();
        let short = p.name.split_once('-').map_or(p.name.as_str(), |x| x.1);
        let name = crate::text::sheet_name(&format!("{:02}", i + 1), short, &names);
        ws.set_name(&name)?;
        names.insert(name);
        write_project(ws, p, None, cfg, msg)?;
    }
    Ok(wb)
}
