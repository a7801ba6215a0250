//! Project performance self-assessment scoring (部门预算项目支出绩效自评表).
//!
//! `parse` reads sheets into `Project`s (cells kept with their addresses),
//! `config` holds the scoring configuration (`templates/score/scoring.toml`);
//! this module recomputes every score by the rules of scoring.md §5 in exact
//! decimals, producing findings with stable ids (S01…S23) next to the reported values.

pub mod batch;
pub mod config;
pub mod cross;
pub mod parse;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use config::{
    BudgetFormula, EqualsOverTarget, MissingActual, OverAchievementPenalty, ReverseFormula, StrictBoundary,
    TargetZeroReverse, ZeroBudget,
};
pub use config::{Config, Nature};

use crate::finding::{Counts, Finding, Place, Severity};
use crate::i18n::Catalog;

/// Every rule id the scorer can emit; `scoring.toml` must declare each one
/// (checked at load, and a test checks this list against the code).
pub const EMITTED: [&str; 23] = [
    "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13", "S14", "S15",
    "S16", "S17", "S18", "S19", "S20", "S21", "S22", "S23",
];
use crate::location::CellRef;

/// A cell as read: its text and where it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub at: Option<CellRef>,
}

impl Cell {
    pub fn new(text: impl Into<String>, at: Option<CellRef>) -> Self {
        Self { text: text.into(), at }
    }

    /// The number in the cell, if any (`number`).
    pub fn value(&self) -> Option<Decimal> {
        number(&self.text).map(|x| x.0)
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
    /// 原因.
    pub reason: Cell,
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
    /// 未完成原因分析.
    pub reason: Cell,
    /// Came after a repeated header (not part of the sheet's total).
    pub stray: bool,
    /// 一级 was blank and filled from the row above.
    pub level1_filled: bool,
    /// 二级 was blank and filled from the row above.
    pub level2_filled: bool,
    /// The row's own 二级 cell (blank when merged or filled down).
    pub level2_cell: Cell,
}

/// The (label, value) pairs of one text row of the form.
pub type NoteRow = Vec<(String, String)>;

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
    /// 合计 row's 备注.
    pub total_note: Cell,
    /// Labelled text rows (主管部门, 实施单位) above the 预算执行情况 block …
    pub head: Vec<NoteRow>,
    /// … between it and the 绩效指标 block (项目年度目标, 年度目标完成情况) …
    pub middle: Vec<NoteRow>,
    /// … and after 合计 (评价结论 …, 项目负责人 | 财务负责人), kept for the output sheet.
    pub tail: Vec<NoteRow>,
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

/// The crate's one text form (`text::norm_header`: NFKC, no spaces, no
/// quotes) with comparison operators in ASCII, so `≥95%` and `>=95%` agree.
pub fn norm(s: &str) -> String {
    crate::text::norm_header(s).replace(['≧', '≥'], ">=").replace(['≦', '≤'], "<=")
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
    // The one amount parser of the crate reads the digits (no commas or
    // brackets are left by here).
    let v = crate::workbook::normalize::parse_number_text(&digits)?;
    let suffix = rest[digits.len()..].to_string();
    if suffix.chars().count() > 6 || suffix.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((v, suffix, op))
}

/// The kind letter of a project's 项目编码 (`51340021R000000033292-…` → `R`).
pub fn project_kind(name: &str) -> Option<String> {
    let (code, _) = name.split_once('-')?;
    let code = code.trim();
    if code.len() < 8 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    code.chars().find(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase().to_string())
}

/// Writes score findings in cli.md's score JSON shape: `indicator` comes
/// first-class and is `null` for a whole-sheet finding, where the check shape
/// would flatten the whole `Place` and leave absent keys out.
///
/// # Errors
/// Whatever the serializer reports.
pub fn serialize_findings<S: serde::Serializer>(findings: &[Finding], s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Shape<'a> {
        rule: &'a str,
        severity: Severity,
        message: &'a str,
        indicator: Option<&'a str>,
        cells: &'a [CellRef],
    }
    s.collect_seq(findings.iter().map(|f| Shape {
        rule: &f.rule,
        severity: f.severity,
        message: &f.message,
        indicator: f.place.indicator.as_deref(),
        cells: &f.cells,
    }))
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
    /// The rule score differs from the reported one (highlighted in the workbook).
    #[serde(skip)]
    pub differs: bool,
}

/// The 预算执行情况 总额 row, scored.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetScore {
    pub adjusted: Option<String>,
    pub executed: Option<String>,
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
    /// computed − reported.
    pub difference: Option<String>,
    pub grade: String,
    pub budget: BudgetScore,
    pub indicators: Vec<ScoredIndicator>,
    #[serde(serialize_with = "serialize_findings")]
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
    #[serde(skip)]
    pub project: Project,
}

fn fmt(d: Decimal, dp: u32) -> String {
    format!("{:.*}", dp as usize, d)
}

/// A decimal without trailing zeros (`98`, `9.5`), as an officer writes it.
pub fn fmt_trim(d: Decimal) -> String {
    d.normalize().to_string()
}

struct Ctx<'a> {
    cfg: &'a Config,
    msg: &'a Catalog,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    fn add(
        &mut self,
        id: &str,
        indicator: Option<&str>,
        cells: &[&Cell],
        args: &[(&str, &dyn std::fmt::Display)],
    ) {
        self.add_as(id, None, indicator, cells, args);
    }

    fn add_as(
        &mut self,
        id: &str,
        severity: Option<Severity>,
        indicator: Option<&str>,
        cells: &[&Cell],
        args: &[(&str, &dyn std::fmt::Display)],
    ) {
        // Config::load guarantees every emitted id is declared; an id missing here
        // is a programming error that the `emitted_ids_are_listed` test catches.
        let Some(rule) = self.cfg.rule(id) else { return };
        let title = self.msg.pick(&rule.title, &rule.title_en).to_string();
        let detail = self.msg.text(&format!("score.{id}"), args);
        self.findings.push(
            Finding::new(
                id,
                severity.unwrap_or(rule.severity),
                self.msg.text("score.finding", &[("title", &title), ("detail", &detail)]),
            )
            .with_cells(cells.iter().filter_map(|c| c.at.clone()))
            .with_place(Place { indicator: indicator.map(String::from), ..Place::default() }),
        );
    }
}

/// The three 定性 tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    Achieved,
    Partial,
    Failed,
}

/// The tier of an actual text against a target text (None: not recognised).
fn qualitative_tier(q: &config::Qualitative, target: &str, actual: &str) -> Option<Tier> {
    let a = norm(actual);
    let is = |words: &[String]| words.iter().any(|w| norm(w) == a);
    if is(&q.failed_words) {
        return Some(Tier::Failed);
    }
    if is(&q.partial_words) {
        return Some(Tier::Partial);
    }
    if is(&q.achieved_words) {
        return Some(Tier::Achieved);
    }
    let rank = |s: &str| {
        let s = q.synonyms.iter().find(|(k, _)| norm(k) == s).map_or(s, |(_, v)| v.as_str());
        q.scale.iter().position(|x| norm(x) == s)
    };
    let (ra, rt) = (rank(&a)?, rank(&norm(target)).unwrap_or(q.scale.len().saturating_sub(1)));
    Some(if ra >= rt {
        Tier::Achieved
    } else if ra + 1 == rt {
        Tier::Partial
    } else {
        Tier::Failed
    })
}

/// A row's rule score, and whether it was scored as 定性 (its own findings explain it).
struct RowScore {
    value: Option<Decimal>,
    qualitative: bool,
}

fn qualitative_row(ctx: &mut Ctx<'_>, ind: &Indicator, w: Decimal, reported: Option<Decimal>) -> RowScore {
    let q = &ctx.cfg.qualitative;
    let Some(tier) = qualitative_tier(q, &ind.target.text, &ind.actual.text) else {
        ctx.add("S21", Some(&ind.name), &[&ind.actual], &[("actual", &ind.actual.text.trim())]);
        return RowScore { value: None, qualitative: true };
    };
    let (lo, hi, default, key) = match tier {
        Tier::Achieved => (q.achieved_min, Decimal::ONE, q.achieved, "score.tier_achieved"),
        Tier::Partial => (q.partial_min, q.achieved_min, q.partial, "score.tier_partial"),
        Tier::Failed => (Decimal::ZERO, q.partial_min, q.failed, "score.tier_failed"),
    };
    // The 办法 lets the unit choose a score inside the tier (「合理确定分值」).
    if let Some(r) = reported
        && w > Decimal::ZERO
    {
        let share = r / w;
        let inside = share >= lo && (share < hi || (tier == Tier::Achieved && share <= hi));
        if inside {
            return RowScore { value: Some(r), qualitative: true };
        }
        let pct = |d: Decimal| fmt_trim((d * Decimal::ONE_HUNDRED).round_dp(0));
        ctx.add(
            "S23",
            Some(&ind.name),
            &[&ind.actual, &ind.score],
            &[
                ("score", &fmt_trim(r)),
                ("tier", &ctx.msg.text(key, &[])),
                ("low", &pct(lo)),
                ("high", &pct(hi)),
                ("weight", &fmt_trim(w)),
            ],
        );
    }
    RowScore { value: Some(ctx.cfg.round(w * default)), qualitative: true }
}

/// Scores one indicator row (None when it cannot be computed).
fn score_row(ctx: &mut Ctx<'_>, ind: &Indicator) -> RowScore {
    let cfg = ctx.cfg;
    let qc = &cfg.scoring.quantitative;
    let none = RowScore { value: None, qualitative: false };
    let Some(w) = ind.weight.value() else { return none };
    let reported = ind.score.value();
    let name = ind.name.as_str();
    let target = number(&ind.target.text);
    let mut op = cfg.nature(&ind.nature.text);
    if op.is_none() && target.is_some() {
        let s = if norm(&ind.nature.text).is_empty() { "-" } else { ind.nature.text.trim() };
        ctx.add("S06", Some(name), &[&ind.nature], &[("nature", &s)]);
        op = Some(Nature::Ge);
    }
    if cfg.is_blank(&ind.actual.text) {
        // Full marks with nothing to measure them by is an error; a partial
        // deduction is at least a judgement, but it cannot be checked either.
        if reported == Some(w) && !w.is_zero() {
            let args: [(&str, &dyn std::fmt::Display); 2] =
                [("score", &ind.score.text.trim()), ("weight", &fmt_trim(w))];
            ctx.add("S04", Some(name), &[&ind.actual, &ind.score], &args);
        } else if let Some(r) = reported {
            ctx.add(
                "S20",
                Some(name),
                &[&ind.actual, &ind.score],
                &[("score", &fmt_trim(r)), ("weight", &fmt_trim(w))],
            );
        }
        let value = match cfg.scoring.missing_actual {
            MissingActual::KeepReported => reported,
            MissingActual::Zero => Some(Decimal::ZERO),
            MissingActual::Manual => None,
        };
        return RowScore { value, qualitative: false };
    }
    let actual = number(&ind.actual.text);
    let (Some(op), Some((a, _, _)), Some((mut b, suffix, had_op))) = (op, target, actual) else {
        return qualitative_row(ctx, ind, w, reported);
    };
    if op == Nature::Qualitative {
        return qualitative_row(ctx, ind, w, reported);
    }
    if had_op {
        ctx.add("S17", Some(name), &[&ind.actual], &[("actual", &ind.actual.text.trim()), ("value", &b)]);
    }
    let unit = norm(&ind.unit.text);
    if !suffix.is_empty() && !unit.is_empty() && suffix != unit {
        match cfg.convert_unit(b, &suffix, &unit) {
            Some(converted) => b = converted,
            None => {
                ctx.add(
                    "S07",
                    Some(name),
                    &[&ind.actual, &ind.unit],
                    &[("actual", &ind.actual.text.trim()), ("unit", &unit)],
                );
                return none;
            }
        }
    }
    if unit == "%" && b > Decimal::ZERO && b <= qc.percent_fraction_max && a > qc.percent_fraction_max {
        ctx.add("S18", Some(name), &[&ind.actual, &ind.unit], &[("actual", &b), ("target", &a)]);
    }
    let strict = |ctx: &mut Ctx<'_>| {
        let sev = (qc.strict_boundary == StrictBoundary::Error).then_some(Severity::Error);
        ctx.add_as(
            "S05",
            sev,
            Some(name),
            &[&ind.nature, &ind.actual],
            &[
                ("op", &ind.nature.text.trim()),
                ("target", &ind.target.text.trim()),
                ("actual", &ind.actual.text.trim()),
            ],
        );
        if qc.strict_boundary == StrictBoundary::NotMet { Decimal::ZERO } else { Decimal::ONE }
    };
    let ratio = match op {
        Nature::Ge | Nature::Gt | Nature::Eq if b >= a => {
            let mut r = Decimal::ONE;
            if op == Nature::Gt && b == a {
                r = strict(ctx);
            }
            if op == Nature::Eq && b > a {
                ctx.add("S19", Some(name), &[&ind.nature, &ind.actual], &[("target", &a), ("actual", &b)]);
                if qc.equals_over_target == EqualsOverTarget::Symmetric {
                    r = a / b;
                }
            } else if a > Decimal::ZERO && (b - a) / a > qc.over_achievement_warn_ratio {
                let excess = (b - a) / a;
                let pct = (excess * Decimal::ONE_HUNDRED).round_dp(0);
                ctx.add(
                    "S12",
                    Some(name),
                    &[&ind.target, &ind.actual],
                    &[("target", &a), ("actual", &b), ("pct", &pct)],
                );
                if qc.over_achievement_penalty == OverAchievementPenalty::Deviation {
                    r = r.min(Decimal::ONE - (excess - qc.over_achievement_warn_ratio));
                }
            }
            r
        }
        Nature::Ge | Nature::Gt | Nature::Eq => {
            if a > Decimal::ZERO {
                b.max(Decimal::ZERO) / a
            } else {
                Decimal::ONE
            }
        }
        Nature::Le | Nature::Lt if b <= a => {
            if op == Nature::Lt && b == a {
                strict(ctx)
            } else {
                Decimal::ONE
            }
        }
        Nature::Le | Nature::Lt => {
            if a > Decimal::ZERO {
                match qc.reverse_formula {
                    ReverseFormula::TargetOverActual => a / b,
                    ReverseFormula::LinearDeviation => Decimal::ONE - (b - a) / a,
                }
            } else {
                match qc.target_zero_reverse {
                    TargetZeroReverse::ZeroIfPositive => Decimal::ZERO,
                    TargetZeroReverse::Manual => return none,
                }
            }
        }
        Nature::Qualitative => Decimal::ONE,
    };
    RowScore { value: Some(cfg.round(w * ratio.clamp(Decimal::ZERO, Decimal::ONE))), qualitative: false }
}

/// 预算执行情况: the 总额 row scored, sub-rows checked against it.
fn score_budget(ctx: &mut Ctx<'_>, p: &Project) -> (BudgetScore, Option<Decimal>, Decimal) {
    let cfg = ctx.cfg;
    let b_cfg = &cfg.scoring.budget;
    let form = &cfg.form;
    let mut out = BudgetScore {
        adjusted: None,
        executed: None,
        rate: None,
        reported_score: String::new(),
        computed_score: None,
    };
    let Some(b) = p.budget.iter().find(|b| config::mentions(&form.budget_total, &b.label)) else {
        return (out, None, cfg.scoring.budget_weight);
    };
    out.reported_score = b.score.text.trim().to_string();
    out.adjusted = b.adjusted.value().map(fmt_trim);
    out.executed = b.executed.value().map(fmt_trim);
    let w = b.weight.value().unwrap_or(cfg.scoring.budget_weight);
    let computed = match (b.adjusted.value(), b.executed.value()) {
        (Some(a), Some(e)) if a > Decimal::ZERO => {
            let rate = e / a;
            let dp = cfg.scoring.rate_decimals;
            out.rate = Some(fmt((rate * Decimal::ONE_HUNDRED).round_dp(dp), dp));
            if rate > Decimal::ONE {
                ctx.add("S08", None, &[&b.adjusted, &b.executed], &[("adjusted", &a), ("executed", &e)]);
            }
            let share = match b_cfg.formula {
                BudgetFormula::ProportionalCapped => rate.min(Decimal::ONE),
                BudgetFormula::Tiers => b_cfg
                    .tiers
                    .iter()
                    .find(|t| rate >= t.min_rate)
                    .map_or(Decimal::ZERO, |t| t.share.unwrap_or(rate.min(Decimal::ONE))),
            };
            Some(cfg.round(w * share))
        }
        (Some(a), Some(e)) if a.is_zero() && e > Decimal::ZERO => {
            ctx.add("S08", None, &[&b.adjusted, &b.executed], &[("adjusted", &a), ("executed", &e)]);
            Some(Decimal::ZERO)
        }
        (Some(a), Some(e)) if a.is_zero() && e.is_zero() => match b_cfg.zero_budget {
            ZeroBudget::NotApplicable => None,
            ZeroBudget::Full => Some(cfg.round(w)),
            ZeroBudget::Zero => Some(Decimal::ZERO),
        },
        _ => None,
    };
    out.computed_score = computed.map(|c| fmt(c, cfg.scoring.row_decimals));
    // Σ 其中 rows = 总额, for both amounts.
    let parts: Vec<&BudgetRow> =
        p.budget.iter().filter(|r| !config::mentions(&form.budget_total, &r.label)).collect();
    for (key, pick) in [
        ("score.word_adjusted", (|r: &BudgetRow| r.adjusted.clone()) as fn(&BudgetRow) -> Cell),
        ("score.word_executed", |r: &BudgetRow| r.executed.clone()),
    ] {
        let cells: Vec<Cell> = parts.iter().map(|r| pick(r)).collect();
        let sum: Decimal = cells.iter().filter_map(Cell::value).sum();
        let total = pick(b);
        if let Some(t) = total.value()
            && !cells.is_empty()
            && (sum - t).abs() > b_cfg.tolerance
        {
            let mut refs: Vec<&Cell> = cells.iter().collect();
            refs.push(&total);
            let which = ctx.msg.text(key, &[]);
            ctx.add("S09", None, &refs, &[("which", &which), ("sum", &sum), ("total", &t)]);
        }
    }
    (out, computed.or(b.score.value()), w)
}

/// Recomputes a project's scores and checks it.
pub fn score(p: &Project, cfg: &Config, msg: &Catalog) -> Scored {
    let mut ctx = Ctx { cfg, msg, findings: Vec::new() };
    let dp = cfg.scoring.row_decimals;
    let (budget, budget_computed, budget_w) = score_budget(&mut ctx, p);
    let budget_row = p.budget.iter().find(|b| config::mentions(&cfg.form.budget_total, &b.label));
    let mut reported_sum = budget_row.and_then(|b| b.score.value()).unwrap_or_default();
    let mut computed_total = budget_computed.unwrap_or_default();
    let mut rows = Vec::new();
    let mut indicator_weights = Decimal::ZERO;
    let mut first_level: BTreeMap<String, Decimal> = BTreeMap::new();
    for ind in &p.indicators {
        let name = ind.name.as_str();
        if ind.stray {
            ctx.add("S13", Some(name), &[&ind.weight, &ind.score], &[]);
            continue;
        }
        let w = ind.weight.value();
        let rep = ind.score.value();
        if let (Some(w), Some(r)) = (w, rep)
            && (r > w || r < Decimal::ZERO)
        {
            ctx.add(
                "S01",
                Some(name),
                &[&ind.score, &ind.weight],
                &[("score", &fmt_trim(r)), ("weight", &fmt_trim(w))],
            );
        }
        if let Some(w) = w {
            indicator_weights += w;
            *first_level.entry(cfg.counted_level(&ind.level1)).or_insert(Decimal::ZERO) += w;
        }
        reported_sum += rep.unwrap_or_default();
        if (ind.level1_filled || ind.level2_filled)
            && let Some(allowed) = cfg.first_levels_of(&ind.level2)
            && !allowed.iter().any(|a| norm(a) == norm(&ind.level1))
        {
            ctx.add(
                "S14",
                Some(name),
                &[&ind.level2_cell],
                &[("level1", &ind.level1), ("level2", &ind.level2)],
            );
        }
        let computed = score_row(&mut ctx, ind);
        let differs = computed.value.zip(rep).is_some_and(|(c, r)| c != r);
        if differs && !computed.qualitative {
            let c = computed.value.unwrap_or_default();
            ctx.add(
                "S10",
                Some(name),
                &[&ind.score],
                &[("reported", &fmt_trim(rep.unwrap_or_default())), ("computed", &fmt(c, dp))],
            );
        }
        // A row the rule cannot score keeps its reported score in the total (scoring.md §3).
        computed_total += computed.value.or(rep).unwrap_or_default();
        rows.push(ScoredIndicator {
            level1: ind.level1.clone(),
            level2: ind.level2.clone(),
            name: name.to_string(),
            nature: cfg.nature(&ind.nature.text),
            target: ind.target.text.trim().to_string(),
            unit: ind.unit.text.trim().to_string(),
            actual: ind.actual.text.trim().to_string(),
            weight: ind.weight.text.trim().to_string(),
            reported_score: ind.score.text.trim().to_string(),
            computed_score: computed.value.map(|c| fmt(c, dp)),
            cells: [&ind.nature, &ind.target, &ind.actual, &ind.weight, &ind.score]
                .iter()
                .filter_map(|c| c.at.clone())
                .collect(),
            differs,
        });
    }
    // Weights.
    let expected_total = cfg.scoring.budget_weight + cfg.scoring.indicator_weight_total;
    if !p.indicators.is_empty()
        && (indicator_weights != cfg.scoring.indicator_weight_total
            || budget_w + indicator_weights != expected_total)
    {
        let cells: Vec<&Cell> = p.indicators.iter().filter(|i| !i.stray).map(|i| &i.weight).collect();
        ctx.add(
            "S03",
            None,
            &cells,
            &[
                ("budget", &fmt_trim(budget_w)),
                ("indicators", &fmt_trim(indicator_weights)),
                ("expected_budget", &fmt_trim(cfg.scoring.budget_weight)),
                ("expected_indicators", &fmt_trim(cfg.scoring.indicator_weight_total)),
            ],
        );
    }
    if let Some(tw) = p.total_weight.value()
        && tw != budget_w + indicator_weights
        && budget_row.is_some()
    {
        ctx.add(
            "S22",
            None,
            &[&p.total_weight],
            &[("total", &fmt_trim(tw)), ("sum", &fmt_trim(budget_w + indicator_weights))],
        );
    }
    // The printed 合计.
    let reported_total = p.total_score.value();
    if let Some(t) = reported_total
        && t != reported_sum
    {
        // The printed total first (where a reader looks), then every summed cell.
        let mut cells: Vec<&Cell> = vec![&p.total_score];
        cells.extend(budget_row.map(|b| &b.score));
        cells.extend(p.indicators.iter().filter(|i| !i.stray).map(|i| &i.score));
        ctx.add(
            "S02",
            None,
            &cells,
            &[
                ("sum", &fmt_trim(reported_sum)),
                ("total", &fmt_trim(t)),
                ("grade_sum", &cfg.grade(reported_sum)),
                ("grade_total", &cfg.grade(t)),
            ],
        );
    }
    // First-level weights against the 办法's defaults; without a 满意度 indicator
    // its default weight moves to 效益 (财预〔2020〕10号).
    let mut defaults = cfg.scoring.default_first_level_weights.clone();
    for (absent, to) in &cfg.scoring.missing_level_moves_to {
        if !first_level.contains_key(absent)
            && let Some(w) = defaults.remove(absent)
        {
            *defaults.entry(to.clone()).or_insert(Decimal::ZERO) += w;
        }
    }
    let exempt = project_kind(&p.name).is_some_and(|k| cfg.scoring.first_level_exempt_kinds.contains_key(&k));
    let off = !first_level.is_empty()
        && !exempt
        && defaults.iter().any(|(k, v)| {
            (first_level.get(k).copied().unwrap_or_default() - v).abs() > cfg.scoring.first_level_tolerance
        });
    if off {
        let got: Vec<String> = first_level.iter().map(|(k, v)| format!("{k} {}", fmt_trim(*v))).collect();
        let list = |m: &BTreeMap<String, Decimal>| {
            m.iter().map(|(k, v)| format!("{k} {}", fmt_trim(*v))).collect::<Vec<_>>().join("、")
        };
        // The principle first, then what it becomes for this sheet (满意度 moved to 效益),
        // so the two figures never read as contradicting each other.
        let principle = &cfg.scoring.default_first_level_weights;
        let moved = if &defaults == principle {
            String::new()
        } else {
            ctx.msg.text("score.S11_moved", &[("defaults", &list(&defaults))])
        };
        let args: [(&str, &dyn std::fmt::Display); 3] =
            [("weights", &got.join("、")), ("principle", &list(principle)), ("moved", &moved)];
        ctx.add("S11", None, &[], &args);
    }
    let computed_total =
        if cfg.scoring.total_from_rounded_rows { computed_total } else { cfg.round(computed_total) };
    let computed_total = computed_total.round_dp(dp);
    let Counts { errors, warnings, .. } = Counts::of(&ctx.findings);
    Scored {
        path: p.path.clone(),
        sheet: p.sheet.clone(),
        name: p.name.clone(),
        reported_total: reported_total.map(fmt_trim),
        computed_total: fmt(computed_total, dp),
        difference: reported_total.map(|r| fmt(computed_total - r, dp)),
        grade: cfg.grade(computed_total),
        budget,
        indicators: rows,
        findings: ctx.findings,
        errors,
        warnings,
        project: p.clone(),
    }
}

/// A department-wide table, checked (JSON `department_tables[]`).
#[derive(Clone, Debug, Serialize)]
pub struct DeptScored {
    pub path: String,
    pub sheet: String,
    pub rows: Vec<DeptRow>,
    pub reported_total: Option<String>,
    pub computed_total: String,
    pub reported_grade: Option<String>,
    pub grade: String,
    #[serde(serialize_with = "serialize_findings")]
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeptRow {
    pub item: String,
    pub weight: String,
    pub score: String,
    pub cells: Vec<CellRef>,
}

/// Checks a department-wide table: score ≤ 分值, Σ = 合计, grade by the bands.
pub fn score_dept(t: &DeptTable, cfg: &Config, msg: &Catalog) -> DeptScored {
    let mut ctx = Ctx { cfg, msg, findings: Vec::new() };
    let (mut sum, mut weights) = (Decimal::ZERO, Decimal::ZERO);
    for (name, w, s) in &t.rows {
        if let (Some(wv), Some(sv)) = (w.value(), s.value())
            && (sv > wv || sv < Decimal::ZERO)
        {
            let what = msg.text("score.dept_over", &[("score", &fmt_trim(sv)), ("weight", &fmt_trim(wv))]);
            ctx.add("S15", Some(name), &[s, w], &[("what", &what)]);
        }
        sum += s.value().unwrap_or_default();
        weights += w.value().unwrap_or_default();
    }
    let all_scores: Vec<&Cell> = t.rows.iter().map(|r| &r.2).collect();
    if let Some(tw) = t.total_weight.value()
        && tw != weights
    {
        let what = msg.text("score.dept_weights", &[("sum", &fmt_trim(weights)), ("total", &fmt_trim(tw))]);
        ctx.add("S15", None, &[&t.total_weight], &[("what", &what)]);
    }
    let total = t.total_score.value();
    if let Some(total) = total
        && total != sum
    {
        let mut cells = all_scores.clone();
        cells.push(&t.total_score);
        let what = msg.text("score.dept_sum", &[("sum", &fmt_trim(sum)), ("total", &fmt_trim(total))]);
        ctx.add("S15", None, &cells, &[("what", &what)]);
    }
    // The grade follows the printed total when there is one (that is what the
    // officer graded), else the sum.
    let basis = total.unwrap_or(sum);
    let expected = cfg.grade(basis);
    let printed = norm(&t.grade.text);
    if !printed.is_empty() && !printed.starts_with(&norm(&expected)) {
        let what = msg.text(
            "score.dept_grade",
            &[("grade", &t.grade.text.trim()), ("expected", &expected), ("total", &fmt_trim(basis))],
        );
        ctx.add("S15", None, &[&t.grade], &[("what", &what)]);
    }
    DeptScored {
        path: t.path.clone(),
        sheet: t.sheet.clone(),
        rows: t
            .rows
            .iter()
            .map(|(item, w, s)| DeptRow {
                item: item.clone(),
                weight: w.text.trim().to_string(),
                score: s.text.trim().to_string(),
                cells: [w, s].iter().filter_map(|c| c.at.clone()).collect(),
            })
            .collect(),
        reported_total: total.map(fmt_trim),
        computed_total: fmt(sum, cfg.scoring.row_decimals),
        reported_grade: (!printed.is_empty()).then(|| t.grade.text.trim().to_string()),
        grade: cfg.grade(sum),
        findings: ctx.findings,
    }
}

#[cfg(test)]
mod tests {

    /// Every `"Snn"` literal in the scorer's sources is in `EMITTED`, so the load
    /// check covers every id the code can emit.
    #[test]
    fn emitted_ids_are_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/score");
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            // Only the code, not the tests (which name made-up ids).
            let text = text.split("#[cfg(test)]").next().unwrap();
            for (i, _) in text.match_indices("\"S") {
                let id = &text[i + 1..];
                let id: String = id.chars().take_while(char::is_ascii_alphanumeric).collect();
                if id.len() == 3 && id[1..].chars().all(|c| c.is_ascii_digit()) {
                    assert!(EMITTED.contains(&id.as_str()), "{id} is emitted but not in EMITTED");
                }
            }
        }
    }

    /// An overlay scoring.toml without S02 is refused at load (it used to load and
    /// silently drop every S02 finding).
    #[test]
    fn a_scoring_file_missing_an_emitted_id_is_refused() {
        let mut store = crate::template::Store::load(None).unwrap();
        let f = store.files.get_mut("score/scoring.toml").unwrap();
        let start = f.text.find("id = \"S02\"").unwrap();
        f.text.replace_range(start..start + 10, "id = \"S99\"");
        let layouts = crate::template::Layouts::load(&store).unwrap();
        let err = Config::load(&store, &layouts).unwrap_err().to_string();
        assert!(err.contains("S02") && err.contains("scoring.toml:"), "{err}");
    }

    /// A `[[cross_check]]` naming a row the layouts do not declare is refused
    /// at load with its line (it used to be skipped silently at run time).
    #[test]
    fn a_cross_check_on_an_undeclared_row_is_refused_with_its_line() {
        let mut store = crate::template::Store::load(None).unwrap();
        let layouts = crate::template::Layouts::load(&store).unwrap();
        let f = store.files.get_mut("score/scoring.toml").unwrap();
        // A commented-out entry above does not shift the line reported.
        f.text.insert_str(0, "# [[cross_check]] (switched off)\n");
        let at = f.text.find("\n[[cross_check]]").unwrap() + 1;
        let line = f.text[..at].lines().count() + 1;
        let row = at + f.text[at..].find("row = \"合计\"").unwrap();
        f.text.replace_range(row..row + "row = \"合计\"".len(), "row = \"总计\"");
        let err = Config::load(&store, &layouts).unwrap_err().to_string();
        assert!(err.contains(&format!("scoring.toml:{line}:")) && err.contains("总计"), "{err}");
    }

    /// The built-in scoring file must give every rule an example; an overlay
    /// copy (a province's own) may leave them out.
    #[test]
    fn score_examples_are_required_only_in_the_built_in_file() {
        let mut store = crate::template::Store::load(None).unwrap();
        let layouts = crate::template::Layouts::load(&store).unwrap();
        let f = store.files.get_mut("score/scoring.toml").unwrap();
        let at = f.text.find("\nexample = ").unwrap();
        let end = at + 1 + f.text[at + 1..].find('\n').unwrap();
        f.text.replace_range(at..end, "");
        assert!(Config::load(&store, &layouts).unwrap_err().to_string().contains("example"));
        store.files.get_mut("score/scoring.toml").unwrap().overlay = true;
        assert!(Config::load(&store, &layouts).is_ok());
    }
    use super::*;

    /// A score finding is a `Finding` whose indicator rides in its `Place`;
    /// the score JSON still gives cli.md's shape, `indicator: null` included.
    #[test]
    fn score_findings_keep_the_cli_json_shape() {
        #[derive(Serialize)]
        struct Wrap(#[serde(serialize_with = "serialize_findings")] Vec<Finding>);
        let on = Finding::new("S09", Severity::Error, "m")
            .with_place(Place { indicator: Some("时效".into()), ..Place::default() });
        let sheet = Finding::new("S16", Severity::Warning, "w");
        let json = serde_json::to_string(&Wrap(vec![on, sheet])).unwrap();
        assert_eq!(
            json,
            r#"[{"rule":"S09","severity":"error","message":"m","indicator":"时效","cells":[]},{"rule":"S16","severity":"warning","message":"w","indicator":null,"cells":[]}]"#
        );
    }

    fn cfg() -> (Config, Catalog) {
        let t = crate::config::Templates::embedded();
        (t.scoring, t.messages)
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

    fn s_with(c: &Config, r: &Indicator) -> (Option<Decimal>, Vec<String>) {
        let (_, m) = cfg();
        let mut ctx = Ctx { cfg: c, msg: &m, findings: Vec::new() };
        let v = score_row(&mut ctx, r).value;
        (v, ctx.findings.iter().map(|f| f.rule.clone()).collect())
    }

    fn s(r: &Indicator) -> (Option<Decimal>, Vec<String>) {
        s_with(&cfg().0, r)
    }

    fn d(x: &str) -> Option<Decimal> {
        Some(x.parse().unwrap())
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// scoring.md §5.7, row by row.
    #[test]
    fn edge_cases() {
        assert_eq!(s(&row("≥", "95", "%", "90", "10", "")), (d("9.47"), vec![]));
        assert_eq!(s(&row("≥", "95", "%", "100%", "10", "")), (d("10"), vec![]));
        assert_eq!(
            s(&row("≥", "95", "%", "≥95%", "10", "")),
            (d("10"), ids(&["S17"])),
            "actual_has_operator"
        );
        assert_eq!(s(&row("＞", "3", "年", "3", "10", "")), (d("10"), ids(&["S05"])), "strict_boundary");
        assert_eq!(s(&row("＝", "16", "万人次", "16.2", "10", "")), (d("10"), ids(&["S19"])), "＝ exceeded");
        assert_eq!(s(&row("＝", "100", "%", "98", "10", "")), (d("9.8"), vec![]));
        assert_eq!(s(&row("≤", "148", "万元", "148", "20", "")), (d("20"), vec![]));
        assert_eq!(s(&row("≤", "148", "万元", "160", "20", "")), (d("18.5"), vec![]), "148/160 × 20");
        assert_eq!(s(&row("≤", "0", "次", "0", "10", "")), (d("10"), vec![]));
        assert_eq!(s(&row("≤", "0", "次", "2", "10", "")), (d("0"), vec![]));
        assert_eq!(s(&row("≥", "0", "次", "5", "10", "")), (d("10"), vec![]));
        assert_eq!(s(&row("≥", "10", "次", "0", "10", "")), (d("0"), vec![]));
        // Blank / 「/」 / 「—」: never full marks by the rule; full marks as reported are an error.
        for blank in ["", "/", "—", "　"] {
            assert_eq!(s(&row("≥", "10", "次", blank, "10", "10")), (d("10"), ids(&["S04"])), "{blank:?}");
        }
        assert_eq!(
            s(&row("≤", "12", "万元", "", "20", "10")),
            (d("10"), ids(&["S20"])),
            "deduction, unverifiable"
        );
        assert_eq!(s(&row("≤", "1", "年", "按时", "10", "")), (d("10"), vec![]), "按时 → achieved");
        assert_eq!(s(&row("定性", "好", "", "完成", "10", "")), (d("10"), vec![]));
        assert_eq!(s(&row("定性", "好", "", "好", "10", "")), (d("10"), vec![]));
        assert_eq!(s(&row("定性", "好", "", "较好", "10", "")), (d("7"), vec![]), "partial, 70 %");
        assert_eq!(s(&row("定性", "较好", "", "好", "10", "")), (d("10"), vec![]));
        assert_eq!(s(&row("定性", "好", "", "一般", "10", "")), (d("3"), vec![]), "two steps below: failed");
        assert_eq!(
            s(&row("定性", "好", "", "马马虎虎", "10", "8")),
            (None, ids(&["S21"])),
            "unknown → manual"
        );
        assert_eq!(s(&row("", "10", "项", "10", "10", "")), (d("10"), ids(&["S06"])), "operator_missing → ≥");
        assert_eq!(s(&row("≥", "10", "万元", "12万元", "10", "")), (d("10"), vec![]));
        assert_eq!(s(&row("≥", "10", "万元", "120000元", "10", "")), (None, ids(&["S07"])), "unit_mismatch");
        assert_eq!(s(&row("≥", "95", "%", "0.95", "10", "")), (d("0.1"), ids(&["S18"])), "as written");
        assert_eq!(s(&row("≥", "95", "%", "90", "/", "/")).0, None, "weight / means not scored");
        assert_eq!(s(&row("≥", "20", "名", "220", "10", "")), (d("10"), ids(&["S12"])), "over-achievement");
        assert_eq!(s(&row("＜", "5", "次", "5", "10", "")), (d("10"), ids(&["S05"])), "strict ＜");
    }

    /// 定性 scores the unit chose inside the tier (「合理确定分值」) are kept; outside, flagged.
    #[test]
    fn qualitative_tiers() {
        assert_eq!(s(&row("定性", "好", "", "较好", "10", "7.5")), (d("7.5"), vec![]));
        assert_eq!(s(&row("定性", "好", "", "较好", "10", "6")), (d("6"), vec![]), "60 % belongs to partial");
        assert_eq!(s(&row("定性", "好", "", "较好", "10", "8")), (d("7"), ids(&["S23"])), "80 % is achieved");
        assert_eq!(s(&row("定性", "好", "", "好", "10", "8")), (d("8"), vec![]), "80 % is achieved (含)");
    }

    /// Every policy of §5.1 changes the result when switched.
    #[test]
    fn configurable_policies() {
        let (base, _) = cfg();
        let mut c = base.clone();
        c.scoring.quantitative.reverse_formula = config::ReverseFormula::LinearDeviation;
        assert_eq!(s_with(&c, &row("≤", "148", "万元", "160", "20", "")).0, d("18.38"), "1 − 12/148");
        let mut c = base.clone();
        c.scoring.quantitative.strict_boundary = StrictBoundary::NotMet;
        assert_eq!(s_with(&c, &row("＞", "3", "年", "3", "10", "")).0, d("0"));
        let mut c = base.clone();
        c.scoring.quantitative.strict_boundary = StrictBoundary::Error;
        let (_, m) = cfg();
        let mut ctx = Ctx { cfg: &c, msg: &m, findings: Vec::new() };
        score_row(&mut ctx, &row("＞", "3", "年", "3", "10", ""));
        assert_eq!(ctx.findings[0].severity, Severity::Error);
        let mut c = base.clone();
        c.scoring.quantitative.equals_over_target = EqualsOverTarget::Symmetric;
        assert_eq!(s_with(&c, &row("＝", "16", "万人次", "20", "10", "")).0, d("8"));
        let mut c = base.clone();
        c.scoring.quantitative.over_achievement_penalty = OverAchievementPenalty::Deviation;
        assert_eq!(s_with(&c, &row("≥", "10", "项", "15", "10", "")).0, d("7"), "1 − (0.5 − 0.2)");
        let mut c = base.clone();
        c.scoring.quantitative.target_zero_reverse = TargetZeroReverse::Manual;
        assert_eq!(s_with(&c, &row("≤", "0", "次", "2", "10", "")).0, None);
        let mut c = base.clone();
        c.scoring.missing_actual = MissingActual::Zero;
        assert_eq!(s_with(&c, &row("≥", "10", "次", "", "10", "10")).0, d("0"));
        let mut c = base.clone();
        c.scoring.rounding = config::Rounding::Floor;
        assert_eq!(s_with(&c, &row("≥", "95", "%", "90", "15", "")).0, d("14.21"));
        c.scoring.row_decimals = 0;
        assert_eq!(s_with(&c, &row("≥", "95", "%", "90", "10", "")).0, d("9"), "the 「integer」 preset");
        let mut c = base.clone();
        c.scoring.quantitative.unit_conversions = vec![config::UnitConversion {
            from: "元".into(),
            to: "万元".into(),
            factor: "0.0001".parse().unwrap(),
        }];
        assert_eq!(s_with(&c, &row("≤", "12", "万元", "120000元", "10", "")), (d("10"), vec![]));
    }

    fn budget(adj: &str, exe: &str) -> Project {
        let c = |t: &str| Cell { text: t.into(), at: None };
        Project {
            budget: vec![BudgetRow {
                label: "总额".into(),
                adjusted: c(adj),
                executed: c(exe),
                weight: c("10"),
                score: c("10"),
                ..BudgetRow::default()
            }],
            ..Project::default()
        }
    }

    /// scoring.md §5.5 and §5.8 (86.50/86.50 → 100.00 %, 10.00; 6/12 → 50.00 %, 5.00).
    #[test]
    fn budget_execution() {
        let (c, m) = cfg();
        let b = |adj: &str, exe: &str| {
            let s = score(&budget(adj, exe), &c, &m);
            (
                s.budget.rate,
                s.budget.computed_score,
                s.findings.iter().map(|f| f.rule.clone()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(b("86.50", "86.50"), (Some("100.00".into()), Some("10.00".into()), vec![]));
        assert_eq!(b("12.00", "6.00"), (Some("50.00".into()), Some("5.00".into()), vec![]));
        assert_eq!(b("10", "12"), (Some("120.00".into()), Some("10.00".into()), ids(&["S08"])), "capped");
        assert_eq!(b("0", "5"), (None, Some("0.00".into()), ids(&["S08"])), "execution_without_budget");
        assert_eq!(b("0", "0"), (None, None, vec![]), "not applicable");
        let mut t = c.clone();
        t.scoring.budget.formula = BudgetFormula::Tiers;
        t.scoring.budget.tiers = vec![
            config::BudgetTier { min_rate: Decimal::ONE, share: Some(Decimal::ONE) },
            config::BudgetTier { min_rate: "0.9".parse().unwrap(), share: None },
            config::BudgetTier { min_rate: Decimal::ZERO, share: Some(Decimal::ZERO) },
        ];
        assert_eq!(score(&budget("100", "95"), &t, &m).budget.computed_score.as_deref(), Some("9.50"));
        assert_eq!(score(&budget("100", "80"), &t, &m).budget.computed_score.as_deref(), Some("0.00"));
    }

    #[test]
    fn grade_boundaries() {
        let (c, _) = cfg();
        for (t, g) in [
            ("90", "优"),
            ("89.99", "良"),
            ("80", "良"),
            ("79.99", "中"),
            ("60", "中"),
            ("59.99", "差"),
            ("100", "优"),
            ("0", "差"),
        ] {
            assert_eq!(c.grade(t.parse().unwrap()), g, "{t}");
        }
    }

    /// §5.2: NFKC, full-width operators and digits, `%`, unit suffixes, thousands separators.
    #[test]
    fn normalisation() {
        let (c, _) = cfg();
        assert_eq!(number("　９８％　"), Some(("98".parse().unwrap(), "%".into(), false)));
        assert_eq!(number("≥95%"), Some(("95".parse().unwrap(), "%".into(), true)));
        assert_eq!(number("1,234.5"), Some(("1234.5".parse().unwrap(), String::new(), false)));
        assert_eq!(number("12万元"), Some(("12".parse().unwrap(), "万元".into(), false)));
        assert_eq!(number("2023年1-12月完成"), None);
        // The crate's one text form: quotes and zero-width spaces go as in table headers.
        assert_eq!(norm(" “三公”经费\u{200B} ≤ 5"), "三公经费<=5");
        assert_eq!(c.nature("＞"), Some(Nature::Gt));
        assert_eq!(c.nature("≧"), Some(Nature::Ge));
        assert_eq!(c.nature("不超过"), Some(Nature::Le));
        assert_eq!(c.nature("定性"), Some(Nature::Qualitative));
        assert_eq!(c.nature("约"), None);
        assert!(c.is_blank(" / ") && c.is_blank("——") && !c.is_blank("0"));
        assert_eq!(c.first_levels_of("可持续影响指标"), Some(vec!["效益指标"]));
        assert_eq!(c.first_levels_of("成本指标"), Some(vec!["产出指标", "成本指标"]));
        assert_eq!(c.counted_level("成本指标"), "产出指标");
    }

    /// A broken scoring file names its path and line.
    #[test]
    fn bad_config_names_the_line() {
        let mut store = crate::template::Store::load(None).unwrap();
        let f = store.files.get_mut("score/scoring.toml").unwrap();
        f.text = f.text.replace("rounding = \"half_up\"", "rounding = \"sometimes\"");
        let line = f.text.lines().position(|l| l.contains("sometimes")).unwrap() + 1;
        let layouts = crate::template::Layouts::load(&store).unwrap();
        let crate::error::Error::Template { path, line: l, .. } = Config::load(&store, &layouts).unwrap_err()
        else {
            panic!()
        };
        assert_eq!((path.as_str(), l), ("templates/score/scoring.toml", line));
        let f = store.files.get_mut("score/scoring.toml").unwrap();
        f.text = f
            .text
            .replace("rounding = \"sometimes\"", "rounding = \"half_up\"")
            .replace("partial = 0.70", "partial = 0.90");
        assert!(Config::load(&store, &layouts).is_err(), "a default share outside its tier is refused");
    }
}
