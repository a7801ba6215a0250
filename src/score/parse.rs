//! Reading score sheets: the Sichuan 自评表 of the seeds, the national 附1
//! layout, a flat indicator list, and the 部门整体支出绩效自评 table.
//!
//! Everything is found by label text (`项目名称`, a header row with `一级指标`
//! and `三级指标`, `合计`), never by position; several projects may be stacked on
//! one sheet. Blank or merged 一级/二级 cells inherit from the row above.

use super::{BudgetRow, Cell, DeptTable, Indicator, Project, norm};
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

/// The column whose header (in any of `rows`) matches one of `names`.
fn col(s: &Sheet, rows: &[u32], names: &[&str]) -> Option<u32> {
    for n in names {
        for r in rows {
            if let Some(cells) = s.row(*r)
                && let Some((c, _)) = cells.iter().find(|(_, v)| norm(&text(v)).starts_with(&norm(n)))
            {
                return Some(*c);
            }
        }
    }
    None
}

fn row_has(s: &Sheet, r: u32, word: &str) -> bool {
    s.row(r).is_some_and(|cells| cells.iter().any(|(_, v)| norm(&text(v)).contains(word)))
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
}

pub fn read(wb: &Workbook) -> Found {
    let mut out = Found::default();
    for s in &wb.sheets {
        let rows: Vec<u32> = s.rows().map(|(r, _)| r).collect();
        // Flat list: one header row naming both 项目名称 and 三级指标.
        if let Some(&h) = rows.iter().find(|r| row_has(s, **r, "项目名称") && row_has(s, **r, "三级指标"))
        {
            out.projects.extend(flat(s, &rows, h));
            continue;
        }
        let starts: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|r| s.row(*r).is_some_and(|c| c.iter().any(|(_, v)| norm(&text(v)) == "项目名称")))
            .collect();
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(u32::MAX);
            let block: Vec<u32> = rows.iter().copied().filter(|r| *r >= start && *r < end).collect();
            if let Some(p) = project(s, &block) {
                out.projects.push(p);
            }
        }
        if let Some(&h) = rows
            .iter()
            .find(|r| row_has(s, **r, "评价内容") && row_has(s, **r, "分值") && row_has(s, **r, "得分"))
        {
            out.dept_tables.push(dept(s, &rows, h));
        }
    }
    out
}

fn project(s: &Sheet, block: &[u32]) -> Option<Project> {
    let start = *block.first()?;
    let name = s
        .row(start)?
        .iter()
        .skip_while(|(_, v)| norm(&text(v)) != "项目名称")
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
    // 预算执行情况: the header row naming the adjusted budget, and the row above.
    if let Some(pos) =
        block.iter().position(|r| row_has(s, *r, "调整后预算数") || row_has(s, *r, "全年预算数"))
    {
        let h = block[pos];
        let hdr = [h, block.get(pos.wrapping_sub(1)).copied().unwrap_or(h)];
        let c_init = col(s, &hdr, &["年初预算"]);
        let c_adj = col(s, &hdr, &["调整后预算数", "全年预算数"]);
        let c_exe = col(s, &hdr, &["预算执行数", "全年执行数"]);
        let c_rate = col(s, &hdr, &["预算执行率", "执行率"]);
        let c_w = col(s, &hdr, &["权重", "分值"]);
        let c_s = col(s, &hdr, &["得分"]);
        for &r in &block[pos + 1..] {
            let first = first_text(s, r);
            if row_has(s, r, "一级指标") || first.starts_with("绩效指标") || first.contains("目标")
            {
                break;
            }
            let label = s
                .row(r)
                .and_then(|cells| {
                    cells
                        .iter()
                        .map(|(_, v)| norm(&text(v)))
                        .find(|t| t.contains("总额") || t.contains("资金") || t.contains("拨款"))
                })
                .unwrap_or_default();
            if label.is_empty() {
                continue;
            }
            p.budget.push(BudgetRow {
                label,
                initial: cell(s, r, c_init),
                adjusted: cell(s, r, c_adj),
                executed: cell(s, r, c_exe),
                rate: cell(s, r, c_rate),
                weight: cell(s, r, c_w),
                score: cell(s, r, c_s),
            });
        }
    }
    // 绩效指标.
    let pos = block.iter().position(|r| row_has(s, *r, "一级指标") && row_has(s, *r, "三级指标"))?;
    let h = [block[pos]];
    let c1 = col(s, &h, &["一级指标"]);
    let c2 = col(s, &h, &["二级指标"]);
    let c3 = col(s, &h, &["三级指标"]);
    let c_nat = col(s, &h, &["指标性质"]);
    let c_tgt = col(s, &h, &["指标值", "年度指标值"]);
    let c_unit = col(s, &h, &["度量单位"]);
    let c_act = col(s, &h, &["完成值", "实际完成值", "全年实际值"]);
    let c_w = col(s, &h, &["权重", "分值"]);
    let c_s = col(s, &h, &["得分"]);
    let (mut l1, mut l2) = (String::new(), String::new());
    let mut stray = false;
    for &r in &block[pos + 1..] {
        let first = first_text(s, r);
        if first == "合计" || first == "总分" || first.starts_with("合计") {
            p.total_weight = cell(s, r, c_w);
            p.total_score = cell(s, r, c_s);
            break;
        }
        if row_has(s, r, "一级指标") && row_has(s, r, "三级指标") {
            stray = true;
            continue;
        }
        let name = cell(s, r, c3).text.trim().to_string();
        let weight = cell(s, r, c_w);
        if name.is_empty() && weight.text.trim().is_empty() {
            continue;
        }
        let own1 = cell(s, r, c1).text.trim().to_string();
        let own2 = cell(s, r, c2).text.trim().to_string();
        let filled1 = own1.is_empty();
        if !filled1 {
            l1 = own1;
        }
        if !own2.is_empty() {
            l2 = own2;
        }
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
            stray,
            level1_filled: filled1,
        });
    }
    Some(p)
}

/// A flat list: one row per indicator, grouped by 项目名称 (blank = same as above).
fn flat(s: &Sheet, rows: &[u32], h: u32) -> Vec<Project> {
    let hdr = [h];
    let c_name = col(s, &hdr, &["项目名称"]);
    let c1 = col(s, &hdr, &["一级指标"]);
    let c2 = col(s, &hdr, &["二级指标"]);
    let c3 = col(s, &hdr, &["三级指标"]);
    let c_nat = col(s, &hdr, &["指标性质"]);
    let c_tgt = col(s, &hdr, &["指标值", "年度指标值"]);
    let c_unit = col(s, &hdr, &["度量单位"]);
    let c_act = col(s, &hdr, &["完成值", "实际完成值"]);
    let c_w = col(s, &hdr, &["权重", "分值"]);
    let c_s = col(s, &hdr, &["得分"]);
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
        let own1 = cell(s, r, c1).text.trim().to_string();
        let filled1 = own1.is_empty();
        if !filled1 {
            l1 = own1;
        }
        let own2 = cell(s, r, c2).text.trim().to_string();
        if !own2.is_empty() {
            l2 = own2;
        }
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
                stray: false,
                level1_filled: filled1,
            });
        }
    }
    out
}

fn dept(s: &Sheet, rows: &[u32], h: u32) -> DeptTable {
    let hdr = [h];
    let c_item = col(s, &hdr, &["评价内容"]);
    let c_w = col(s, &hdr, &["分值"]);
    let c_s = col(s, &hdr, &["得分"]);
    let mut t = DeptTable { path: s.file.to_string(), sheet: s.name.to_string(), ..DeptTable::default() };
    for &r in rows.iter().filter(|r| **r > h) {
        let first = first_text(s, r);
        if first.starts_with("合计") || first.starts_with("总分") {
            t.total_weight = cell(s, r, c_w);
            t.total_score = cell(s, r, c_s);
            continue;
        }
        if first.contains("级别") || first.contains("等级") {
            let g = s.row(r).and_then(|cells| cells.iter().skip(1).map(|(c, _)| *c).next());
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
