//! Cross-check of the projects' self-assessments with the department's final
//! accounts (`--tables`): Σ 预算执行数 of the 财政资金 rows against the totals
//! named in `[[cross_check]]` (T9 决算数, T6 项目支出). Projects booked as 基本支出
//! (人员类/运转类, told apart by the letter in the project code) explain a
//! legitimate difference, so the finding is a warning that shows the split.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::mentions;
use super::{Cell, Config, Ctx, Scored, fmt_trim};
use crate::finding::{Finding, Severity};
use crate::i18n::Catalog;
use crate::model::{Department, RowKey};
use crate::template::Layouts;

/// One total of the final accounts to compare with the projects' execution.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrossCheck {
    pub table: u8,
    /// Row label id in the table layout (e.g. 合计).
    pub row: String,
    /// Column id in the table layout (e.g. 决算数, 项目支出).
    pub column: String,
}

/// Project kinds by the letter of the project code (四川: R 人员类, Y 运转类, T 特定目标类).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Kinds {
    pub by_code_letter: std::collections::BTreeMap<String, String>,
    /// Letters of the kinds booked as 基本支出 in the final accounts.
    pub basic: Vec<String>,
}

/// The kind letter of a project name such as `51340021R000000033292-州本级单位缴费`.
fn kind_letter(name: &str) -> Option<char> {
    let code = name.split(['-', ' ']).next()?;
    let mut letters = code.chars().filter(char::is_ascii_alphabetic);
    let l = letters.next()?;
    (code.chars().count() >= 10 && letters.next().is_none()).then_some(l)
}

/// Compares Σ projects' 财政资金 execution with the configured totals.
pub fn check(
    scored: &[Scored],
    dep: &Department,
    layouts: &Layouts,
    cfg: &Config,
    msg: &Catalog,
) -> Vec<Finding> {
    let mut ctx = Ctx { cfg, msg, findings: Vec::new() };
    let (mut all, mut basic) = (Decimal::ZERO, Decimal::ZERO);
    let mut cells: Vec<Cell> = Vec::new();
    for s in scored {
        let Some(row) = s.project.budget.iter().find(|b| mentions(&cfg.form.appropriation, &b.label)) else {
            continue;
        };
        let Some(v) = row.executed.value() else { continue };
        all += v;
        cells.push(row.executed.clone());
        if kind_letter(&s.name).is_some_and(|l| cfg.kinds.basic.iter().any(|b| b.starts_with(l))) {
            basic += v;
        }
    }
    let names: Vec<String> =
        cfg.kinds.basic.iter().filter_map(|l| cfg.kinds.by_code_letter.get(l)).cloned().collect();
    for c in &cfg.cross_check {
        let title =
            layouts.table(c.table).map_or_else(String::new, |l| msg.pick(&l.title, &l.title_en).to_string());
        let Some(amount) = dep
            .table(c.table)
            .and_then(|t| t.row(&RowKey::Label(c.row.clone()), None))
            .and_then(|r| r.get(&c.column))
        else {
            // Said, not skipped: the officer asked for this comparison.
            let args: [(&str, &dyn std::fmt::Display); 4] =
                [("file", &dep.path), ("table", &title), ("row", &c.row), ("column", &c.column)];
            ctx.findings.push(
                Finding::new(
                    "cross-check-unavailable",
                    Severity::Warning,
                    msg.text("score.cross_unavailable", &args),
                )
                .with_cells(dep.table(c.table).map(|t| t.title_at.clone())),
            );
            continue;
        };
        if amount.value == all {
            continue;
        }
        let table = format!("{title} {}", c.column);
        let mut refs: Vec<&Cell> = cells.iter().collect();
        let total = Cell { text: amount.value.to_string(), at: Some(amount.at.clone()) };
        refs.push(&total);
        ctx.add(
            "S16",
            None,
            &refs,
            &[
                ("projects", &fmt_trim(all)),
                ("kinds", &names.join("、")),
                ("basic", &fmt_trim(basic)),
                ("others", &fmt_trim(all - basic)),
                ("table", &table),
                ("amount", &fmt_trim(amount.value)),
                ("diff", &fmt_trim(all - amount.value)),
                ("diff_others", &fmt_trim(all - basic - amount.value)),
            ],
        );
    }
    ctx.findings
}

#[cfg(test)]
mod tests {
    use super::kind_letter;

    #[test]
    fn kind_from_the_project_code() {
        assert_eq!(kind_letter("51340021R000000033292-x"), Some('R'));
        assert_eq!(kind_letter("51340022T000000278908-x"), Some('T'));
        assert_eq!(kind_letter("x"), None);
        assert_eq!(kind_letter("ABC"), None);
    }
}
