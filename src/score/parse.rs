//! Reading score sheets: the Sichuan 自评表 of the seeds, the national 附1
//! layout, a flat indicator list, and the 部门整体支出绩效自评 table.
//!
//! Everything is found by the label texts of `[form]` in the scoring
//! configuration, never by position; several projects may be stacked on one
//! sheet. Blank or merged 一级/二级 cells inherit from the row above.

use super::config::{Form, mentions};
use super::{BudgetRow, Cell, Config, DeptTable, Indicator, Project, norm};
use crate::workbook::{Sheet, Value, Workbook};

fn text(v: &Value) -> String {
    match v {
        Value::Empty => String::new(),
        other => other.text(),
    }
}

fn cell(s: &Sheet, r: u32, c: Option<u32>) -> Cell {
    match c {
        Some(c) => Cell { text: text(s.get(r, c)), at: Some(s.cell_ref(r, c)) },
        None => Cell::default(),
    }
}

/// Merged 一级/二级 cells: a blank cell takes the label above it. True when
/// the label was filled down rather than written in this row.
fn fill_down(s: &Sheet, r: u32, c: Option<u32>, label: &mut String) -> bool {
    let own = cell(s, r, c).text.trim().to_string();
    if own.is_empty() {
        return true;
    }
    *label = own;
    false
}

fn starts(labels: &[String], t: &str) -> bool {
    labels.iter().any(|l| !norm(l).is_empty() && t.starts_with(&norm(l)))
}

/// The column whose header (in any of `rows`) starts with one of `names`,
/// trying the names in order (so `调整后预算数` wins over a looser synonym).
fn col(s: &Sheet, rows: &[u32], names: &[String]) -> Option<u32> {
    for n in names.iter().map(|n| norm(n)).filter(|n| !n.is_empty()) {
        for r in rows {
            if let Some(cells) = s.row(*r)
                && let Some((c, _)) = cells.iter().find(|(_, v)| norm(&text(v)).starts_with(&n))
            {
                return Some(*c);
            }
        }
    }
    None
}

fn row_has(s: &Sheet, r: u32, labels: &[String]) -> bool {
    s.row(r).is_some_and(|cells| cells.iter().any(|(_, v)| mentions(labels, &text(v))))
}

fn first_text(s: &Sheet, r: u32) -> String {
    s.row(r)
        .and_then(|cells| cells.iter().find(|(_, v)| !text(v).trim().is_empty()))
        .map(|(_, v)| norm(&text(v)))
        .unwrap_or_default()
}

/// Everything scoreable in a workbook.
#[derive(Default)]
pub struct Found {
    pub projects: Vec<Project>,
    pub dept_tables: Vec<DeptTable>,
    /// Rows of a separate 预算执行 sheet that name no project of the workbook.
    pub unmatched_budget: Vec<(String, crate::location::CellRef)>,
}

/// One row of a separate budget sheet (`预算执行`: 项目名称, 年初预算,
/// 调整后预算数, 预算执行数, 权重, 得分), keyed by name and code.
struct BudgetLine {
    keys: Vec<String>,
    name: String,
    at: crate::location::CellRef,
    row: BudgetRow,
}

/// Join keys of a project: its name, the name without a leading code, the code.
fn keys(name: &str, code: Option<&str>) -> Vec<String> {
    let mut out = vec![norm(name)];
    if let Some((c, rest)) = name.split_once('-') {
        out.extend([norm(c), norm(rest)]);
    }
    out.extend(code.map(norm));
    out.retain(|k| !k.is_empty());
    out
}

/// A budget list: a header naming 项目名称 and 调整后预算数 but no 三级指标.
fn budget_lines(s: &Sheet, f: &Form, rows: &[u32]) -> Vec<BudgetLine> {
    let Some(&h) = rows.iter().find(|r| {
        row_has(s, **r, &f.project_name) && row_has(s, **r, &f.adjusted) && !row_has(s, **r, &f.level3)
    }) else {
        return Vec::new();
    };
    let hdr = [h];
    let c_name = col(s, &hdr, &f.project_name);
    let c_code = col(s, &hdr, &f.project_code);
    let label = super::config::first(&f.budget_total).to_string();
    let mut out = Vec::new();
    for &r in rows.iter().filter(|r| **r > h) {
        let name = cell(s, r, c_name).text.trim().to_string();
        let code = cell(s, r, c_code).text.trim().to_string();
        if name.is_empty() && code.is_empty() {
            continue;
        }
        out.push(BudgetLine {
            keys: keys(&name, Some(&code)),
            at: s.cell_ref(r, c_name.or(c_code).unwrap_or(0)),
            name: if name.is_empty() { code } else { name },
            row: BudgetRow {
                label: label.clone(),
                initial: cell(s, r, col(s, &hdr, &f.initial)),
                adjusted: cell(s, r, col(s, &hdr, &f.adjusted)),
                executed: cell(s, r, col(s, &hdr, &f.executed)),
                rate: cell(s, r, col(s, &hdr, &f.rate)),
                weight: cell(s, r, col(s, &hdr, &f.weight)),
                score: cell(s, r, col(s, &hdr, &f.score)),
                reason: cell(s, r, col(s, &hdr, &f.budget_reason)),
            },
        });
    }
    out
}

/// Finds every project sheet and department-wide table in a workbook.
pub fn read(wb: &Workbook, cfg: &Config) -> Found {
    let f = &cfg.form;
    let mut out = Found::default();
    let mut budget = Vec::new();
    for s in &wb.sheets {
        let rows: Vec<u32> = s.rows().map(|(r, _)| r).collect();
        // A flat list's budget execution on a sheet of its own, joined below.
        let lines = budget_lines(s, f, &rows);
        if !lines.is_empty() {
            budget.extend(lines);
            continue;
        }
        // Flat list: one header row naming both 项目名称 and 三级指标.
        if let Some(&h) = rows.iter().find(|r| row_has(s, **r, &f.project_name) && row_has(s, **r, &f.level3))
        {
            out.projects.extend(flat(s, f, &rows, h));
            continue;
        }
        let is_name = |t: &str| f.project_name.iter().any(|l| norm(l) == t);
        let starts: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|r| s.row(*r).is_some_and(|c| c.iter().any(|(_, v)| is_name(&norm(&text(v))))))
            .collect();
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(u32::MAX);
            let block: Vec<u32> = rows.iter().copied().filter(|r| *r >= start && *r < end).collect();
            if let Some(p) = project(s, f, &block) {
                out.projects.push(p);
            }
        }
        if let Some(&h) = rows.iter().find(|r| {
            row_has(s, **r, &f.dept_item) && row_has(s, **r, &f.dept_weight) && row_has(s, **r, &f.dept_score)
        }) {
            out.dept_tables.push(dept(s, f, &rows, h));
        }
    }
    for line in budget {
        let target = out
            .projects
            .iter_mut()
            .filter(|p| p.budget.is_empty())
            .find(|p| keys(&p.name, None).iter().any(|k| line.keys.contains(k)));
        match target {
            Some(p) => p.budget.push(line.row),
            None => out.unmatched_budget.push((line.name, line.at)),
        }
    }
    out
}

/// Labelled text cells of a row (`主管部门 | …`, `项目负责人 | … | 财务负责人 | …`):
/// each label's value is the next non-empty cell that is not itself a label.
fn notes(s: &Sheet, f: &Form, r: u32, into: &mut Vec<super::NoteRow>) {
    let Some(cells) = s.row(r) else { return };
    let mut row = Vec::new();
    let mut it = cells.iter().filter(|(_, v)| !text(v).trim().is_empty()).peekable();
    while let Some((_, v)) = it.next() {
        let raw = text(v);
        if !starts(&f.notes, &norm(&raw)) {
            continue;
        }
        let label = raw.trim().to_string();
        let value = match it.peek() {
            Some((_, next)) if !starts(&f.notes, &norm(&text(next))) => {
                it.next().map(|(_, v)| text(v)).unwrap_or_default()
            }
            _ => String::new(),
        };
        row.push((label, value));
    }
    if !row.is_empty() {
        into.push(row);
    }
}

fn project(s: &Sheet, f: &Form, block: &[u32]) -> Option<Project> {
    let start = *block.first()?;
    let is_name = |t: &str| f.project_name.iter().any(|l| norm(l) == t);
    let name = s
        .row(start)?
        .iter()
        .skip_while(|(_, v)| !is_name(&norm(&text(v))))
        .skip(1)
        .map(|(_, v)| text(v))
        .find(|t| !t.trim().is_empty())
        .unwrap_or_default();
    let mut p = Project {
        path: s.file.to_string(),
        sheet: s.name.to_string(),
        name: name.trim().to_string(),
        ..Project::default()
    };
    let ind_pos = block.iter().position(|r| row_has(s, *r, &f.level1) && row_has(s, *r, &f.level3))?;
    // 预算执行情况: the header row naming the adjusted budget, and the row above
    // (the seeds' two-row header puts 预算执行率/权重/得分 in the upper row).
    let budget_pos = block[..ind_pos].iter().position(|r| row_has(s, *r, &f.adjusted));
    let mut last_budget = 0;
    if let Some(pos) = budget_pos {
        let h = block[pos];
        let hdr = [h, block.get(pos.wrapping_sub(1)).copied().unwrap_or(h)];
        let c_init = col(s, &hdr, &f.initial);
        let c_adj = col(s, &hdr, &f.adjusted);
        let c_exe = col(s, &hdr, &f.executed);
        let c_rate = col(s, &hdr, &f.rate);
        let c_w = col(s, &hdr, &f.weight);
        let c_s = col(s, &hdr, &f.score);
        let c_why = col(s, &hdr, &f.budget_reason);
        for (i, &r) in block[..ind_pos].iter().enumerate().skip(pos + 1) {
            if starts(&f.notes, &first_text(s, r)) {
                continue;
            }
            // A row label is short; a long text mentioning 资金 is a note.
            let label = s
                .row(r)
                .and_then(|cells| {
                    cells
                        .iter()
                        .map(|(_, v)| norm(&text(v)))
                        .find(|t| t.chars().count() <= 16 && mentions(&f.budget_rows, t))
                })
                .unwrap_or_default();
            if label.is_empty() {
                continue;
            }
            last_budget = i;
            p.budget.push(BudgetRow {
                label,
                initial: cell(s, r, c_init),
                adjusted: cell(s, r, c_adj),
                executed: cell(s, r, c_exe),
                rate: cell(s, r, c_rate),
                weight: cell(s, r, c_w),
                score: cell(s, r, c_s),
                reason: cell(s, r, c_why),
            });
        }
    }
    // Text rows before the indicators (主管部门, 年度目标 …), outside the budget rows.
    for (i, &r) in block[..ind_pos].iter().enumerate() {
        match budget_pos {
            Some(b) if i + 1 >= b && i <= last_budget => {}
            Some(b) if i > b => notes(s, f, r, &mut p.middle),
            _ => notes(s, f, r, &mut p.head),
        }
    }
    // 绩效指标.
    let h = [block[ind_pos]];
    let c1 = col(s, &h, &f.level1);
    let c2 = col(s, &h, &f.level2);
    let c3 = col(s, &h, &f.level3);
    let c_nat = col(s, &h, &f.nature);
    let c_tgt = col(s, &h, &f.target);
    let c_unit = col(s, &h, &f.unit);
    let c_act = col(s, &h, &f.actual);
    let c_w = col(s, &h, &f.weight);
    let c_s = col(s, &h, &f.score);
    let c_why = col(s, &h, &f.indicator_reason);
    let (mut l1, mut l2) = (String::new(), String::new());
    let mut stray = false;
    let mut after_total = false;
    for &r in &block[ind_pos + 1..] {
        if after_total {
            notes(s, f, r, &mut p.tail);
            continue;
        }
        let first = first_text(s, r);
        if starts(&f.total, &first) {
            p.total_weight = cell(s, r, c_w);
            p.total_score = cell(s, r, c_s);
            p.total_note = cell(s, r, c_why);
            after_total = true;
            continue;
        }
        if row_has(s, r, &f.level1) && row_has(s, r, &f.level3) {
            stray = true;
            continue;
        }
        let name = cell(s, r, c3).text.trim().to_string();
        let weight = cell(s, r, c_w);
        if name.is_empty() && weight.text.trim().is_empty() {
            continue;
        }
        if starts(&f.notes, &first) {
            // A 评价结论 row straight after the indicators, with no 合计 row.
            after_total = true;
            notes(s, f, r, &mut p.tail);
            continue;
        }
        let filled1 = fill_down(s, r, c1, &mut l1);
        let filled2 = fill_down(s, r, c2, &mut l2);
        let mut nature = cell(s, r, c_nat);
        let target = cell(s, r, c_tgt);
        if c_nat.is_none() {
            // 附1 has no 指标性质 column: the operator is written in front of the target.
            let t = norm(&target.text);
            let op: String = t.chars().take_while(|c| "<>=".contains(*c)).collect();
            nature = Cell { text: op, at: target.at.clone() };
        }
        p.indicators.push(Indicator {
            level1: l1.clone(),
            level2: l2.clone(),
            name,
            nature,
            target,
            unit: cell(s, r, c_unit),
            actual: cell(s, r, c_act),
            weight,
            score: cell(s, r, c_s),
            reason: cell(s, r, c_why),
            stray,
            level1_filled: filled1,
            level2_filled: filled2,
            level2_cell: cell(s, r, c2),
        });
    }
    Some(p)
}

/// A flat list: one row per indicator, grouped by 项目名称 (blank = same as above).
fn flat(s: &Sheet, f: &Form, rows: &[u32], h: u32) -> Vec<Project> {
    let hdr = [h];
    let c_name = col(s, &hdr, &f.project_name);
    let c1 = col(s, &hdr, &f.level1);
    let c2 = col(s, &hdr, &f.level2);
    let c3 = col(s, &hdr, &f.level3);
    let c_nat = col(s, &hdr, &f.nature);
    let c_tgt = col(s, &hdr, &f.target);
    let c_unit = col(s, &hdr, &f.unit);
    let c_act = col(s, &hdr, &f.actual);
    let c_w = col(s, &hdr, &f.weight);
    let c_s = col(s, &hdr, &f.score);
    let c_why = col(s, &hdr, &f.indicator_reason);
    let mut out: Vec<Project> = Vec::new();
    let (mut name, mut l1, mut l2) = (String::new(), String::new(), String::new());
    for &r in rows.iter().filter(|r| **r > h) {
        let n = cell(s, r, c_name).text.trim().to_string();
        if !n.is_empty() && n != name {
            name = n;
            l1.clear();
            l2.clear();
        }
        let three = cell(s, r, c3).text.trim().to_string();
        if name.is_empty() || three.is_empty() {
            continue;
        }
        let filled1 = fill_down(s, r, c1, &mut l1);
        let filled2 = fill_down(s, r, c2, &mut l2);
        if out.last().is_none_or(|p| p.name != name) {
            out.push(Project {
                path: s.file.to_string(),
                sheet: s.name.to_string(),
                name: name.clone(),
                ..Project::default()
            });
        }
        if let Some(p) = out.last_mut() {
            p.indicators.push(Indicator {
                level1: l1.clone(),
                level2: l2.clone(),
                name: three,
                nature: cell(s, r, c_nat),
                target: cell(s, r, c_tgt),
                unit: cell(s, r, c_unit),
                actual: cell(s, r, c_act),
                weight: cell(s, r, c_w),
                score: cell(s, r, c_s),
                reason: cell(s, r, c_why),
                stray: false,
                level1_filled: filled1,
                level2_filled: filled2,
                level2_cell: cell(s, r, c2),
            });
        }
    }
    out
}

fn dept(s: &Sheet, f: &Form, rows: &[u32], h: u32) -> DeptTable {
    let hdr = [h];
    let c_item = col(s, &hdr, &f.dept_item);
    let c_w = col(s, &hdr, &f.dept_weight);
    let c_s = col(s, &hdr, &f.dept_score);
    let mut t = DeptTable { path: s.file.to_string(), sheet: s.name.to_string(), ..DeptTable::default() };
    for &r in rows.iter().filter(|r| **r > h) {
        let first = first_text(s, r);
        if starts(&f.total, &first) {
            t.total_weight = cell(s, r, c_w);
            t.total_score = cell(s, r, c_s);
            continue;
        }
        if starts(&f.dept_grade, &first) {
            // The grade is the first non-empty cell after the label.
            let g = s.row(r).and_then(|cells| {
                cells.iter().filter(|(_, v)| !text(v).trim().is_empty()).nth(1).map(|(c, _)| *c)
            });
            t.grade = cell(s, r, g);
            continue;
        }
        let item = cell(s, r, c_item).text.trim().to_string();
        if !item.is_empty() {
            t.rows.push((item, cell(s, r, c_w), cell(s, r, c_s)));
        }
    }
    t
}
