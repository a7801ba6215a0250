//! Score sheets as workbooks: one sheet per project in the seeds' (Sichuan)
//! layout — with the computed 预算执行率 and scores next to the reported ones,
//! highlighted where they differ — plus `汇总` and `问题清单`. The sample
//! generator writes the same layout without the computed columns.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::i18n::Catalog;
use crate::score::{Project, ScoreFinding, Scored};

struct Fmt {
    title: Format,
    head: Format,
    text: Format,
    hi: Format,
}

fn fmts() -> Fmt {
    let b =
        |f: Format| f.set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::VerticalCenter);
    Fmt {
        title: Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center),
        head: b(Format::new().set_bold().set_align(FormatAlign::Center).set_background_color("#F2F2F2")),
        text: b(Format::new()),
        hi: b(Format::new().set_background_color("#FFEB9C").set_bold()),
    }
}

fn put(ws: &mut Worksheet, r: u32, c: u16, t: &str, f: &Format) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, c, t, f)?;
    Ok(())
}

fn span(ws: &mut Worksheet, r: u32, c0: u16, c1: u16, t: &str, f: &Format) -> Result<(), XlsxError> {
    if c1 > c0 {
        ws.merge_range(r, c0, r, c1, t, f)?;
    } else {
        put(ws, r, c0, t, f)?;
    }
    Ok(())
}

/// Sheet names must be unique, ≤ 31 characters, without `[]:*?/\`.
pub fn sheet_name(i: usize, name: &str) -> String {
    let clean: String = name.chars().filter(|c| !"[]:*?/\\'".contains(*c)).collect();
    format!("{:02} {clean}", i + 1).chars().take(31).collect()
}

/// Writes one project in the seeds' layout; with `scored`, adds the computed columns.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn write_project(
    ws: &mut Worksheet,
    p: &Project,
    scored: Option<&Scored>,
    msg: &Catalog,
) -> Result<(), XlsxError> {
    let f = fmts();
    let last: u16 = if scored.is_some() { 11 } else { 10 };
    span(ws, 0, 0, last, &msg.text("score.sheet_title", &[]), &f.title)?;
    put(ws, 1, 0, "项目名称", &f.head)?;
    span(ws, 1, 1, 10, &p.name, &f.text)?;
    let mut r = 2;
    for (label, value) in p.notes.iter().filter(|(l, _)| l == "主管部门" || l.starts_with("实施单位"))
    {
        put(ws, r, 0, label, &f.head)?;
        span(ws, r, 1, 10, value, &f.text)?;
        r += 1;
    }
    // 预算执行情况.
    let top = r;
    ws.merge_range(top, 0, top + 1 + p.budget.len().max(1) as u32, 0, "预算执行情况（10分）", &f.head)?;
    ws.merge_range(top, 1, top + 1, 1, "项目", &f.head)?;
    ws.merge_range(top, 2, top, 4, "年度预算数（万元）", &f.head)?;
    for (c, h) in [(5u16, "预算执行率"), (6, "权重"), (7, "得分"), (8, "原因")] {
        ws.merge_range(top, c, top + 1, c, h, &f.head)?;
    }
    for (c, h) in [(2u16, "年初预算"), (3, "调整后预算数"), (4, "预算执行数")] {
        put(ws, top + 1, c, h, &f.head)?;
    }
    if scored.is_some() {
        put(ws, top, 9, &msg.text("score.col.computed_rate", &[]), &f.head)?;
        put(ws, top, 10, &msg.text("score.col.computed_score", &[]), &f.head)?;
    }
    r = top + 2;
    for b in &p.budget {
        for (c, t) in [
            (1u16, &b.label),
            (2, &b.initial.text),
            (3, &b.adjusted.text),
            (4, &b.executed.text),
            (5, &b.rate.text),
            (6, &b.weight.text),
            (7, &b.score.text),
        ] {
            put(ws, r, c, t, &f.text)?;
        }
        put(ws, r, 8, "", &f.text)?;
        if let (Some(sc), true) = (scored, crate::score::norm(&b.label).contains("总额")) {
            let rate = sc.budget.rate.clone().map(|x| format!("{x}%")).unwrap_or_default();
            let differs_rate = crate::score::norm(&b.rate.text) != crate::score::norm(&rate);
            put(ws, r, 9, &rate, if differs_rate { &f.hi } else { &f.text })?;
            let comp = sc.budget.computed_score.clone().unwrap_or_default();
            let differs =
                crate::score::number(&b.score.text).map(|x| x.0) != crate::score::number(&comp).map(|x| x.0);
            put(ws, r, 10, &comp, if differs { &f.hi } else { &f.text })?;
        }
        r += 1;
    }
    if p.budget.is_empty() {
        r += 1;
    }
    for (label, value) in p.notes.iter().filter(|(l, _)| l.contains("目标") || l.contains("概述")) {
        put(ws, r, 0, label, &f.head)?;
        span(ws, r, 1, 10, value, &f.text)?;
        r += 1;
    }
    // 绩效指标.
    let header = [
        "绩效指标（90分）",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "权重",
        "得分",
        "未完成原因分析",
    ];
    let write_header = |ws: &mut Worksheet, r: u32| -> Result<(), XlsxError> {
        for (c, h) in header.iter().enumerate() {
            put(ws, r, c as u16, h, &f.head)?;
        }
        if scored.is_some() {
            put(ws, r, 11, &msg.text("score.col.computed_score", &[]), &f.head)?;
        }
        Ok(())
    };
    write_header(ws, r)?;
    r += 1;
    let mut in_stray = false;
    let mut scored_rows = scored.map(|s| s.indicators.iter());
    let mut prev: Option<(String, String)> = None;
    for ind in &p.indicators {
        if ind.stray && !in_stray {
            write_header(ws, r)?;
            r += 1;
            in_stray = true;
        }
        // Repeated 一级/二级 are left blank, as in a merged form.
        let (l1, l2) = match &prev {
            Some((a, b)) if *a == ind.level1 && ind.level1_filled => {
                (String::new(), if *b == ind.level2 { String::new() } else { ind.level2.clone() })
            }
            _ => (ind.level1.clone(), ind.level2.clone()),
        };
        prev = Some((ind.level1.clone(), ind.level2.clone()));
        let cells = [
            &l1,
            &l2,
            &ind.name,
            &ind.nature.text,
            &ind.target.text,
            &ind.unit.text,
            &ind.actual.text,
            &ind.weight.text,
            &ind.score.text,
        ];
        put(ws, r, 0, "", &f.text)?;
        for (i, t) in cells.iter().enumerate() {
            put(ws, r, i as u16 + 1, t, &f.text)?;
        }
        put(ws, r, 10, "", &f.text)?;
        if !ind.stray
            && let Some(it) = scored_rows.as_mut().and_then(Iterator::next)
        {
            let t = it.computed_score.clone().unwrap_or_default();
            put(ws, r, 11, &t, if it.differs { &f.hi } else { &f.text })?;
        }
        r += 1;
    }
    put(ws, r, 0, "合计", &f.head)?;
    span(ws, r, 1, 7, "", &f.text)?;
    put(ws, r, 8, &p.total_weight.text, &f.text)?;
    put(ws, r, 9, &p.total_score.text, &f.text)?;
    put(ws, r, 10, "", &f.text)?;
    if let Some(sc) = scored {
        let differs = sc.reported_total.as_ref().and_then(|t| crate::score::number(t)).map(|x| x.0)
            != crate::score::number(&sc.computed_total).map(|x| x.0);
        put(
            ws,
            r,
            11,
            &format!("{}（{}）", sc.computed_total, sc.grade),
            if differs { &f.hi } else { &f.text },
        )?;
    }
    r += 1;
    for (label, value) in
        p.notes.iter().filter(|(l, _)| ["评价结论", "存在问题", "改进措施"].contains(&l.as_str()))
    {
        put(ws, r, 0, label, &f.head)?;
        span(ws, r, 1, 10, value, &f.text)?;
        r += 1;
    }
    let who: Vec<&(String, String)> = p.notes.iter().filter(|(l, _)| l.ends_with("负责人")).collect();
    for (i, (label, value)) in who.iter().enumerate() {
        let c = (i * 5) as u16;
        put(ws, r, c, label, &f.head)?;
        span(ws, r, c + 1, c + 4, value, &f.text)?;
    }
    for (c, w) in [14.0, 12.0, 14.0, 28.0, 8.0, 10.0, 9.0, 10.0, 8.0, 10.0, 24.0, 12.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The `score` output: project sheets, 汇总, 问题清单.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn workbook(
    scored: &[Scored],
    dept: &[(String, Vec<ScoreFinding>)],
    msg: &Catalog,
) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let f = fmts();
    let ws = wb.add_worksheet();
    ws.set_name(msg.text("score.sheet_summary", &[]))?;
    let cols = [
        "score.col.file",
        "score.col.project",
        "score.col.reported",
        "score.col.computed",
        "score.col.difference",
        "score.col.grade",
        "score.col.errors",
        "score.col.warnings",
    ];
    for (c, k) in cols.iter().enumerate() {
        put(ws, 0, c as u16, &msg.text(k, &[]), &f.head)?;
    }
    for (i, s) in scored.iter().enumerate() {
        let r = i as u32 + 1;
        let rep = s.reported_total.as_ref().and_then(|t| crate::score::number(t)).map(|x| x.0);
        let comp = crate::score::number(&s.computed_total).map(|x| x.0).unwrap_or_default();
        put(ws, r, 0, &s.path, &f.text)?;
        put(ws, r, 1, &s.name, &f.text)?;
        put(ws, r, 2, s.reported_total.as_deref().unwrap_or(""), &f.text)?;
        put(ws, r, 3, &s.computed_total, &f.text)?;
        let diff = rep.map(|x| (comp - x).to_string()).unwrap_or_default();
        put(ws, r, 4, &diff, if rep.is_some_and(|x| x != comp) { &f.hi } else { &f.text })?;
        put(ws, r, 5, &s.grade, &f.text)?;
        let count = |sev| s.findings.iter().filter(|x| x.severity == sev).count() as f64;
        ws.write_number(r, 6, count(crate::finding::Severity::Error))?;
        ws.write_number(r, 7, count(crate::finding::Severity::Warning))?;
    }
    for (c, w) in [40.0, 36.0, 10.0, 10.0, 10.0, 6.0, 6.0, 6.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, (scored.len() as u32).max(1), 7)?;

    let ws = wb.add_worksheet();
    ws.set_name(msg.text("score.sheet_findings", &[]))?;
    let cols = [
        "score.col.rule",
        "score.col.severity",
        "score.col.file",
        "score.col.project",
        "score.col.indicator",
        "score.col.cells",
        "score.col.message",
    ];
    for (c, k) in cols.iter().enumerate() {
        put(ws, 0, c as u16, &msg.text(k, &[]), &f.head)?;
    }
    let mut r = 1;
    let all = scored
        .iter()
        .flat_map(|s| s.findings.iter().map(move |x| (s.path.clone(), s.name.clone(), x)))
        .chain(dept.iter().flat_map(|(path, fs)| fs.iter().map(move |x| (path.clone(), String::new(), x))));
    for (path, project, x) in all {
        let cells: Vec<String> = x.cells.iter().map(crate::location::CellRef::sheet_a1).collect();
        for (c, t) in [
            &x.rule,
            &x.severity.as_str().to_string(),
            &path,
            &project,
            &x.indicator.clone().unwrap_or_default(),
            &cells.join(" "),
            &x.message,
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r, c as u16, *t)?;
        }
        r += 1;
    }
    for (c, w) in [6.0, 8.0, 30.0, 30.0, 24.0, 20.0, 80.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), 6)?;

    let mut names = std::collections::BTreeSet::new();
    for (i, s) in scored.iter().enumerate() {
        let ws = wb.add_worksheet();
        let mut n = sheet_name(i, &s.name);
        while !names.insert(n.clone()) {
            n = format!("{}~", n.chars().take(29).collect::<String>());
        }
        ws.set_name(n)?;
        write_project(ws, &s.project, Some(s), msg)?;
    }
    Ok(wb)
}

/// The sample workbook: projects in the seeds' layout, one per sheet.
///
/// # Errors
/// When rust_xlsxwriter rejects a value.
pub fn sample_workbook(projects: &[Project], msg: &Catalog) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    for (i, p) in projects.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(i, p.name.split_once('-').map_or(p.name.as_str(), |x| x.1)))?;
        write_project(ws, p, None, msg)?;
    }
    Ok(wb)
}
