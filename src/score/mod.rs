//! Project performance self-assessment scoring (部门预算项目支出绩效自评表).
//!
//! `parse` reads sheets into `Project`s (cells kept with their addresses);
//! this module holds the scoring configuration (`templates/score/scoring.toml`)
//! and recomputes every score by the rules of scoring.md §5 in exact decimals,
//! producing findings with stable ids (S01…S16) next to the reported values.

pub mod parse;

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, line_of};
use crate::finding::Severity;
use crate::i18n::Catalog;
use crate::location::CellRef;
use crate::template::Store;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub budget_weight: Decimal,
    pub indicator_weight_total: Decimal,
    pub default_first_level_weights: BTreeMap<String, Decimal>,
    pub first_level_tolerance: Decimal,
    pub row_decimals: u32,
    pub rate_decimals: u32,
    pub over_achievement_warn_ratio: Decimal,
    pub missing_actual: String,
    pub strict_boundary: String,
    pub budget_tolerance: Decimal,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Qualitative {
    pub achieved: Decimal,
    pub partial: Decimal,
    pub failed: Decimal,
    pub scale: Vec<String>,
    pub synonyms: BTreeMap<String, String>,
    pub achieved_words: Vec<String>,
    pub partial_words: Vec<String>,
    pub failed_words: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub min: Decimal,
    pub name: String,
}

/// A scoring finding's definition (listed by `juesuan rules`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRule {
    pub id: String,
    pub title: String,
    pub title_en: String,
    pub severity: Severity,
    pub why: String,
}

/// The whole scoring configuration.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub scoring: Scoring,
    pub qualitative: Qualitative,
    #[serde(rename = "grade")]
    pub grades: Vec<Grade>,
    #[serde(rename = "rule")]
    pub rules: Vec<ScoreRule>,
}

impl Config {
    /// Loads and validates `score/scoring.toml`.
    ///
    /// # Errors
    /// A parse or validation error with the file and line.
    pub fn load(store: &Store) -> Result<Self, Error> {
        let Some(f) = store.get("score/scoring.toml") else {
            return Err(Error::Template {
                path: "templates/score/scoring.toml".into(),
                line: 0,
                message: "file missing".into(),
            });
        };
        let c: Config = toml::from_str(&f.text).map_err(|e| Error::Template {
            path: f.origin.clone(),
            line: e.span().map_or(1, |s| line_of(&f.text, s.start)),
            message: e.message().to_string(),
        })?;
        let bad = |m: &str| Error::Template { path: f.origin.clone(), line: 1, message: m.to_string() };
        if !["keep_reported", "zero"].contains(&c.scoring.missing_actual.as_str()) {
            return Err(bad("scoring.missing_actual must be keep_reported or zero"));
        }
        if !["full_with_warning", "not_met"].contains(&c.scoring.strict_boundary.as_str()) {
            return Err(bad("scoring.strict_boundary must be full_with_warning or not_met"));
        }
        if c.grades.is_empty() || c.grades.windows(2).any(|w| w[0].min <= w[1].min) {
            return Err(bad("grades must be listed from the highest band down"));
        }
        Ok(c)
    }

    pub fn rule(&self, id: &str) -> Option<&ScoreRule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Grade of a total by the bands (lower bound inclusive).
    pub fn grade(&self, total: Decimal) -> String {
        self.grades.iter().find(|g| total >= g.min).map_or_else(String::new, |g| g.name.clone())
    }

    fn round(&self, d: Decimal) -> Decimal {
        d.round_dp_with_strategy(self.scoring.row_decimals, RoundingStrategy::MidpointAwayFromZero)
    }
}

/// A cell as read: its text and where it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub at: Option<CellRef>,
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        let t = norm(&self.text);
        t.is_empty() || matches!(t.as_str(), "/" | "-" | "—" | "——" | "无" | "不适用")
    }
}

/// One row of the 预算执行情况 block.
#[derive(Clone, Debug, Default)]
pub struct BudgetRow {
    pub label: String,
    pub initial: Cell,
    pub adjusted: Cell,
    pub executed: Cell,
    pub rate: Cell,
    pub weight: Cell,
    pub score: Cell,
}

/// One indicator row.
#[derive(Clone, Debug, Default)]
pub struct Indicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub nature: Cell,
    pub target: Cell,
    pub unit: Cell,
    pub actual: Cell,
    pub weight: Cell,
    pub score: Cell,
    /// Came after a repeated header (not part of the sheet's total).
    pub stray: bool,
    /// 一级 was blank and filled from the row above.
    pub level1_filled: bool,
}

/// One project's self-assessment as read.
#[derive(Clone, Debug, Default)]
pub struct Project {
    pub path: String,
    pub sheet: String,
    pub name: String,
    pub budget: Vec<BudgetRow>,
    pub indicators: Vec<Indicator>,
    pub total_weight: Cell,
    pub total_score: Cell,
    /// Labelled text rows (主管部门, 评价结论, 项目负责人 …), kept for the output sheet.
    pub notes: Vec<(String, String)>,
}

/// A department-wide score table (部门整体支出绩效自评).
#[derive(Clone, Debug, Default)]
pub struct DeptTable {
    pub path: String,
    pub sheet: String,
    /// (评价内容, 分值, 得分).
    pub rows: Vec<(String, Cell, Cell)>,
    pub total_weight: Cell,
    pub total_score: Cell,
    pub grade: Cell,
}

/// NFKC, operators unified, spaces removed.
pub fn norm(s: &str) -> String {
    let t: String = s.nfkc().collect();
    t.replace(['≧', '≥'], ">=").replace(['≦', '≤'], "<=").chars().filter(|c| !c.is_whitespace()).collect()
}

/// Parses a number cell: `90`, `98%`, `12万元`, `≥95%`. Returns (value, suffix, had operator).
pub fn number(text: &str) -> Option<(Decimal, String, bool)> {
    let t = norm(text).replace(',', "");
    let (op, rest) = [">=", "<=", ">", "<", "="]
        .iter()
        .find_map(|o| t.strip_prefix(o).map(|r| (true, r)))
        .unwrap_or((false, &t));
    let digits: String =
        rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-' || *c == '+').collect();
    if digits.is_empty() {
        return None;
    }
    let v: Decimal = digits.parse().ok()?;
    let suffix = rest[digits.len()..].to_string();
    if suffix.chars().count() > 6 || suffix.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((v, suffix, op))
}

/// The operator of an indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Nature {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "qualitative")]
    Qualitative,
}

pub fn nature(text: &str) -> Option<Nature> {
    let t = norm(text);
    Some(match t.as_str() {
        ">=" | "大于等于" | "不低于" | "不少于" | "以上" => Nature::Ge,
        "<=" | "小于等于" | "不高于" | "不超过" | "以下" => Nature::Le,
        ">" | "大于" => Nature::Gt,
        "<" | "小于" => Nature::Lt,
        "=" | "等于" => Nature::Eq,
        "定性" => Nature::Qualitative,
        _ => return None,
    })
}

/// A finding about a score sheet (cli.md's score JSON shape).
#[derive(Clone, Debug, Serialize)]
pub struct ScoreFinding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub indicator: Option<String>,
    pub cells: Vec<CellRef>,
}

/// A scored indicator row.
#[derive(Clone, Debug, Serialize)]
pub struct ScoredIndicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub nature: Option<Nature>,
    pub target: String,
    pub unit: String,
    pub actual: String,
    pub weight: String,
    pub reported_score: String,
    pub computed_score: Option<String>,
    pub cells: Vec<CellRef>,
    #[serde(skip)]
    pub differs: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct BudgetScore {
    pub rate: Option<String>,
    pub reported_score: String,
    pub computed_score: Option<String>,
}

/// One project, scored (cli.md score JSON `projects[]`).
#[derive(Clone, Debug, Serialize)]
pub struct Scored {
    pub path: String,
    pub sheet: String,
    pub name: String,
    pub reported_total: Option<String>,
    pub computed_total: String,
    pub grade: String,
    pub budget: BudgetScore,
    pub indicators: Vec<ScoredIndicator>,
    pub findings: Vec<ScoreFinding>,
    #[serde(skip)]
    pub project: Project,
}

fn fmt(d: Decimal, dp: u32) -> String {
    format!("{:.*}", dp as usize, d)
}

struct Ctx<'a> {
    cfg: &'a Config,
    msg: &'a Catalog,
    findings: Vec<ScoreFinding>,
}

impl Ctx<'_> {
    fn add(
        &mut self,
        id: &str,
        indicator: Option<&str>,
        cells: &[&Cell],
        args: &[(&str, &dyn std::fmt::Display)],
    ) {
        let Some(rule) = self.cfg.rule(id) else { return };
        let title = self.msg.pick(&rule.title, &rule.title_en).to_string();
        let detail = self.msg.text(&format!("score.{id}"), args);
        self.findings.push(ScoreFinding {
            rule: id.to_string(),
            severity: rule.severity,
            message: format!("{title}：{detail}"),
            indicator: indicator.map(String::from),
            cells: cells.iter().filter_map(|c| c.at.clone()).collect(),
        });
    }
}

/// Qualitative tier share for an actual text against a target text.
fn qualitative_share(q: &Qualitative, target: &str, actual: &str) -> Option<Decimal> {
    let a = norm(actual);
    if q.failed_words.contains(&a) {
        return Some(q.failed);
    }
    if q.partial_words.contains(&a) {
        return Some(q.partial);
    }
    if q.achieved_words.contains(&a) {
        return Some(q.achieved);
    }
    let rank = |s: &str| {
        let s = q.synonyms.get(s).map_or(s, String::as_str);
        q.scale.iter().position(|x| x == s)
    };
    let (ra, rt) = (rank(&a)?, rank(&norm(target)).unwrap_or(q.scale.len().saturating_sub(1)));
    Some(if ra >= rt {
        q.achieved
    } else if ra + 1 == rt {
        q.partial
    } else {
        q.failed
    })
}

/// Scores one indicator row; returns the rule score (None when it cannot be computed).
fn score_row(ctx: &mut Ctx<'_>, ind: &Indicator) -> Option<Decimal> {
    let cfg = ctx.cfg;
    let (w, _, _) = number(&ind.weight.text)?;
    let reported = number(&ind.score.text).map(|x| x.0);
    let name = ind.name.clone();
    let nature_text = norm(&ind.nature.text);
    let mut op = nature(&ind.nature.text);
    if op.is_none() && number(&ind.target.text).is_some() {
        let s = if nature_text.is_empty() { "-".to_string() } else { ind.nature.text.trim().to_string() };
        ctx.add("S06", Some(&name), &[&ind.nature], &[("nature", &s)]);
        op = Some(Nature::Ge);
    }
    if ind.actual.is_blank() {
        // Full marks with nothing to measure them by (a partial deduction is at
        // least a judgement; the reported score is kept either way).
        if reported == Some(w) && !w.is_zero() {
            ctx.add(
                "S04",
                Some(&name),
                &[&ind.actual, &ind.score],
                &[("score", &ind.score.text.trim()), ("weight", &fmt(w, 0))],
            );
        }
        return if cfg.scoring.missing_actual == "keep_reported" { reported } else { Some(Decimal::ZERO) };
    }
    let target = number(&ind.target.text);
    let actual = number(&ind.actual.text);
    let share = match (op, target, actual) {
        (Some(Nature::Qualitative) | None, _, _) | (_, None, _) | (_, _, None) => {
            qualitative_share(&cfg.qualitative, &ind.target.text, &ind.actual.text)?
        }
        (Some(op), Some((a, _, _)), Some((b, suffix, had_op))) => {
            let unit = norm(&ind.unit.text);
            if !suffix.is_empty() && suffix != "%" && suffix != unit {
                ctx.add(
                    "S07",
                    Some(&name),
                    &[&ind.actual, &ind.unit],
                    &[("actual", &ind.actual.text.trim()), ("unit", &unit)],
                );
                return None;
            }
            let _ = had_op;
            match op {
                Nature::Ge | Nature::Gt | Nature::Eq => {
                    if b >= a {
                        if op == Nature::Gt && b == a {
                            ctx.add(
                                "S05",
                                Some(&name),
                                &[&ind.nature, &ind.actual],
                                &[("target", &ind.target.text.trim()), ("actual", &ind.actual.text.trim())],
                            );
                        }
                        if a > Decimal::ZERO && (b - a) / a > cfg.scoring.over_achievement_warn_ratio {
                            let pct = ((b - a) / a * Decimal::ONE_HUNDRED).round_dp(0);
                            ctx.add(
                                "S12",
                                Some(&name),
                                &[&ind.target, &ind.actual],
                                &[("target", &a), ("actual", &b), ("pct", &pct)],
                            );
                        }
                        if op == Nature::Gt && b == a && cfg.scoring.strict_boundary == "not_met" {
                            Decimal::ZERO
                        } else {
                            Decimal::ONE
                        }
                    } else if a > Decimal::ZERO {
                        b.max(Decimal::ZERO) / a
                    } else {
                        Decimal::ONE
                    }
                }
                Nature::Le | Nature::Lt => {
                    if b <= a {
                        if op == Nature::Lt && b == a {
                            ctx.add(
                                "S05",
                                Some(&name),
                                &[&ind.nature, &ind.actual],
                                &[("target", &ind.target.text.trim()), ("actual", &ind.actual.text.trim())],
                            );
                        }
                        Decimal::ONE
                    } else if a > Decimal::ZERO {
                        a / b
                    } else {
                        Decimal::ZERO
                    }
                }
                Nature::Qualitative => Decimal::ONE,
            }
        }
    };
    Some(cfg.round(w * share.clamp(Decimal::ZERO, Decimal::ONE)))
}

/// Second-level indicators and the first level they belong to (scoring.md §5.2).
fn expected_level1(level2: &str) -> Option<&'static [&'static str]> {
    let l = norm(level2);
    if ["数量", "质量", "时效"].iter().any(|k| l.starts_with(k)) {
        Some(&["产出指标"])
    } else if l.contains("成本") {
        Some(&["产出指标", "成本指标"])
    } else if l.contains("效益") || l.contains("可持续") {
        Some(&["效益指标"])
    } else if l.contains("满意") {
        Some(&["满意度指标"])
    } else {
        None
    }
}

/// Recomputes a project's scores and checks it.
pub fn score(p: &Project, cfg: &Config, msg: &Catalog) -> Scored {
    let mut ctx = Ctx { cfg, msg, findings: Vec::new() };
    let dp = cfg.scoring.row_decimals;
    // Budget execution (总额 row scored; sub-rows must add up).
    let total_row = p.budget.iter().find(|b| norm(&b.label).contains("总额"));
    let mut rate_text = None;
    let mut budget_computed = None;
    let mut budget_reported = String::new();
    if let Some(b) = total_row {
        budget_reported = b.score.text.trim().to_string();
        let adj = number(&b.adjusted.text).map(|x| x.0);
        let exe = number(&b.executed.text).map(|x| x.0);
        let w = number(&b.weight.text).map_or(cfg.scoring.budget_weight, |x| x.0);
        match (adj, exe) {
            (Some(a), Some(e)) if a > Decimal::ZERO => {
                let rate = e / a;
                rate_text = Some(
                    fmt(
                        (rate * Decimal::ONE_HUNDRED).round_dp(cfg.scoring.rate_decimals),
                        cfg.scoring.rate_decimals,
                    )
                    .to_string(),
                );
                if rate > Decimal::ONE {
                    ctx.add("S08", None, &[&b.adjusted, &b.executed], &[("adjusted", &a), ("executed", &e)]);
                }
                budget_computed = Some(cfg.round(w * rate.min(Decimal::ONE)));
            }
            (Some(a), Some(e)) if a.is_zero() && e > Decimal::ZERO => {
                ctx.add("S08", None, &[&b.adjusted, &b.executed], &[("adjusted", &a), ("executed", &e)]);
                budget_computed = Some(Decimal::ZERO);
            }
            _ => budget_computed = number(&b.score.text).map(|x| x.0),
        }
        for (label, get) in [("adjusted", 0usize), ("executed", 1)] {
            let pick = |r: &BudgetRow| if get == 0 { r.adjusted.clone() } else { r.executed.clone() };
            let parts: Vec<Cell> =
                p.budget.iter().filter(|r| !norm(&r.label).contains("总额")).map(pick).collect();
            let sum: Decimal = parts.iter().filter_map(|c| number(&c.text)).map(|x| x.0).sum();
            let tot = number(&pick(b).text).map(|x| x.0);
            if let Some(t) = tot
                && !parts.is_empty()
                && (sum - t).abs() > cfg.scoring.budget_tolerance
            {
                let mut cells: Vec<&Cell> = parts.iter().collect();
                let tc = pick(b);
                cells.push(&tc);
                ctx.add(
                    "S09",
                    None,
                    &cells,
                    &[
                        ("which", &msg.text(&format!("score.word_{label}"), &[])),
                        ("sum", &sum),
                        ("total", &t),
                    ],
                );
            }
        }
    }
    // Indicators.
    let mut rows = Vec::new();
    let mut indicator_weights = Decimal::ZERO;
    let mut first_level: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut reported_sum =
        number(&total_row.map(|b| b.score.text.clone()).unwrap_or_default()).map_or(Decimal::ZERO, |x| x.0);
    let mut computed_total = budget_computed.unwrap_or_default();
    for ind in &p.indicators {
        let name = ind.name.clone();
        if ind.stray {
            ctx.add("S13", Some(&name), &[&ind.weight, &ind.score], &[]);
            continue;
        }
        let w = number(&ind.weight.text).map(|x| x.0);
        let rep = number(&ind.score.text).map(|x| x.0);
        if let (Some(w), Some(r)) = (w, rep)
            && (r > w || r < Decimal::ZERO)
        {
            ctx.add("S01", Some(&name), &[&ind.score, &ind.weight], &[("score", &r), ("weight", &w)]);
        }
        if let Some(w) = w {
            indicator_weights += w;
            let mut l1 = norm(&ind.level1);
            if l1 == "成本指标" {
                l1 = "产出指标".into();
            }
            *first_level.entry(l1).or_insert(Decimal::ZERO) += w;
        }
        reported_sum += rep.unwrap_or_default();
        if let Some(exp) = expected_level1(&ind.level2)
            && ind.level1_filled
            && !exp.contains(&norm(&ind.level1).as_str())
        {
            ctx.add("S14", Some(&name), &[], &[("level1", &ind.level1), ("level2", &ind.level2)]);
        }
        let computed = score_row(&mut ctx, ind);
        if let (Some(c), Some(r)) = (computed, rep)
            && c != r
        {
            ctx.add(
                "S10",
                Some(&name),
                &[&ind.score],
                &[("reported", &fmt_trim(r)), ("computed", &fmt(c, dp))],
            );
        }
        computed_total += computed.unwrap_or_default();
        rows.push(ScoredIndicator {
            level1: ind.level1.clone(),
            level2: ind.level2.clone(),
            name,
            nature: nature(&ind.nature.text),
            target: ind.target.text.trim().to_string(),
            unit: ind.unit.text.trim().to_string(),
            actual: ind.actual.text.trim().to_string(),
            weight: ind.weight.text.trim().to_string(),
            reported_score: ind.score.text.trim().to_string(),
            computed_score: computed.map(|c| fmt(c, dp)),
            cells: [&ind.actual, &ind.weight, &ind.score].iter().filter_map(|c| c.at.clone()).collect(),
            differs: computed.zip(rep).is_some_and(|(c, r)| c != r),
        });
    }
    // Weights and totals.
    let budget_w = total_row.and_then(|b| number(&b.weight.text)).map_or(cfg.scoring.budget_weight, |x| x.0);
    if indicator_weights != cfg.scoring.indicator_weight_total
        || budget_w + indicator_weights != cfg.scoring.budget_weight + cfg.scoring.indicator_weight_total
    {
        ctx.add(
            "S03",
            None,
            &[&p.total_weight],
            &[("budget", &budget_w), ("indicators", &indicator_weights)],
        );
    }
    let reported_total = number(&p.total_score.text).map(|x| x.0);
    if let Some(t) = reported_total
        && t != reported_sum
    {
        ctx.add(
            "S02",
            None,
            &[&p.total_score],
            &[
                ("sum", &fmt_trim(reported_sum)),
                ("total", &fmt_trim(t)),
                ("grade_sum", &cfg.grade(reported_sum)),
                ("grade_total", &cfg.grade(t)),
            ],
        );
    }
    // Without a 满意度 indicator its default weight moves to 效益 (财预〔2020〕10号).
    let mut defaults = cfg.scoring.default_first_level_weights.clone();
    if !first_level.contains_key("满意度指标")
        && let Some(w) = defaults.remove("满意度指标")
    {
        *defaults.entry("效益指标".to_string()).or_insert(Decimal::ZERO) += w;
    }
    let defaults = &defaults;
    let off = defaults.iter().any(|(k, v)| {
        (first_level.get(k).copied().unwrap_or_default() - v).abs() > cfg.scoring.first_level_tolerance
    });
    if off {
        let got: Vec<String> = first_level.iter().map(|(k, v)| format!("{k} {}", fmt_trim(*v))).collect();
        ctx.add("S11", None, &[], &[("weights", &got.join("、"))]);
    }
    let computed_total = computed_total.round_dp(dp);
    Scored {
        path: p.path.clone(),
        sheet: p.sheet.clone(),
        name: p.name.clone(),
        reported_total: reported_total.map(fmt_trim),
        computed_total: fmt(computed_total, dp),
        grade: cfg.grade(computed_total),
        budget: BudgetScore {
            rate: rate_text,
            reported_score: budget_reported,
            computed_score: budget_computed.map(|c| fmt(c, dp)),
        },
        indicators: rows,
        findings: ctx.findings,
        project: p.clone(),
    }
}

fn fmt_trim(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Checks a department-wide table: Σ, score ≤ 分值, grade.
pub fn score_dept(t: &DeptTable, cfg: &Config, msg: &Catalog) -> Vec<ScoreFinding> {
    let mut ctx = Ctx { cfg, msg, findings: Vec::new() };
    let mut sum = Decimal::ZERO;
    for (name, w, s) in &t.rows {
        let (w, s2) = (number(&w.text).map(|x| x.0), number(&s.text).map(|x| x.0));
        if let (Some(w), Some(s2)) = (w, s2)
            && (s2 > w || s2 < Decimal::ZERO)
        {
            ctx.add(
                "S15",
                Some(name),
                &[s],
                &[("what", &msg.text("score.dept_over", &[("score", &s2), ("weight", &w)]))],
            );
        }
        sum += s2.unwrap_or_default();
    }
    if let Some(total) = number(&t.total_score.text).map(|x| x.0) {
        if total != sum {
            ctx.add(
                "S15",
                None,
                &[&t.total_score],
                &[(
                    "what",
                    &msg.text("score.dept_sum", &[("sum", &fmt_trim(sum)), ("total", &fmt_trim(total))]),
                )],
            );
        }
        let g = cfg.grade(total);
        let printed = norm(&t.grade.text);
        if !printed.is_empty() && !printed.contains(&g) {
            ctx.add(
                "S15",
                None,
                &[&t.grade],
                &[(
                    "what",
                    &msg.text(
                        "score.dept_grade",
                        &[("grade", &t.grade.text.trim()), ("expected", &g), ("total", &fmt_trim(total))],
                    ),
                )],
            );
        }
    }
    ctx.findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> (Config, Catalog) {
        let t = crate::template::Templates::embedded();
        (Config::load(&t.store).unwrap(), t.messages)
    }

    fn row(nature: &str, target: &str, unit: &str, actual: &str, weight: &str, score: &str) -> Indicator {
        let c = |t: &str| Cell { text: t.into(), at: None };
        Indicator {
            level1: "产出指标".into(),
            level2: "数量指标".into(),
            name: "x".into(),
            nature: c(nature),
            target: c(target),
            unit: c(unit),
            actual: c(actual),
            weight: c(weight),
            score: c(score),
            ..Indicator::default()
        }
    }

    fn s(r: &Indicator) -> (Option<Decimal>, Vec<String>) {
        let (c, m) = cfg();
        let mut ctx = Ctx { cfg: &c, msg: &m, findings: Vec::new() };
        let v = score_row(&mut ctx, r);
        (v, ctx.findings.iter().map(|f| f.rule.clone()).collect())
    }

    fn d(x: &str) -> Option<Decimal> {
        Some(x.parse().unwrap())
    }

    /// scoring.md §5.7.
    #[test]
    fn edge_cases() {
        assert_eq!(s(&row("≥", "95", "%", "90", "10", "")).0, d("9.47"));
        assert_eq!(s(&row("≥", "95", "%", "100%", "10", "")).0, d("10"));
        assert_eq!(s(&row("≥", "95", "%", "≥95%", "10", "")).0, d("10"));
        assert_eq!(s(&row("＞", "3", "年", "3", "10", "")), (d("10"), vec!["S05".to_string()]));
        assert_eq!(s(&row("＝", "16", "万人次", "16.2", "10", "")).0, d("10"));
        assert_eq!(s(&row("＝", "100", "%", "98", "10", "")).0, d("9.8"));
        assert_eq!(s(&row("≤", "148", "万元", "148", "20", "")).0, d("20"));
        assert_eq!(s(&row("≤", "148", "万元", "160", "20", "")).0, d("18.5"));
        assert_eq!(s(&row("≤", "0", "次", "0", "10", "")).0, d("10"));
        assert_eq!(s(&row("≤", "0", "次", "2", "10", "")).0, d("0"));
        assert_eq!(s(&row("≥", "0", "次", "5", "10", "")).0, d("10"));
        assert_eq!(s(&row("≥", "10", "次", "0", "10", "")).0, d("0"));
        assert_eq!(
            s(&row("≥", "10", "次", "", "10", "10")),
            (d("10"), vec!["S04".to_string()]),
            "blank 完成值 with full marks is flagged"
        );
        assert_eq!(s(&row("≤", "1", "年", "按时", "10", "")).0, d("10"));
        assert_eq!(s(&row("定性", "好", "", "完成", "10", "")).0, d("10"));
        assert_eq!(s(&row("定性", "好", "", "好", "10", "")).0, d("10"));
        assert_eq!(s(&row("定性", "好", "", "较好", "10", "")).0, d("7"));
        assert_eq!(s(&row("定性", "较好", "", "好", "10", "")).0, d("10"));
        assert_eq!(s(&row("", "10", "项", "10", "10", "")), (d("10"), vec!["S06".to_string()]));
        assert_eq!(s(&row("≥", "10", "万元", "12万元", "10", "")).0, d("10"));
        assert_eq!(s(&row("≥", "10", "万元", "120000元", "10", "")), (None, vec!["S07".to_string()]));
        assert_eq!(s(&row("≥", "95", "%", "0.95", "10", "")).0, d("0.1"));
        assert_eq!(s(&row("≥", "95", "%", "90", "/", "/")).0, None, "weight / means not scored");
    }

    #[test]
    fn grade_boundaries() {
        let (c, _) = cfg();
        for (t, g) in
            [("90", "优"), ("89.99", "良"), ("80", "良"), ("60", "中"), ("59.99", "差"), ("100", "优")]
        {
            assert_eq!(c.grade(t.parse().unwrap()), g, "{t}");
        }
    }
}
