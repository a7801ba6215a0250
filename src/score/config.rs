//! The scoring configuration (`templates/score/scoring.toml`, scoring.md §5.1),
//! parsed strictly and validated once: weights, formulas, boundary policies,
//! 定性 tiers, operator words, the 一级/二级 map, rounding and grade bands.
//! Nothing here reads a workbook; every number the engine uses comes from here.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::norm;
use crate::error::{Error, line_of};
use crate::finding::Severity;
use crate::template::{Layouts, Store};

/// How a row score is rounded to `row_decimals`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// 四舍五入 (0.005 → 0.01).
    HalfUp,
    /// Banker's rounding.
    HalfEven,
    /// 取整 towards zero, as some provinces ask for whole-point scores.
    Floor,
}

/// Score of a blank (or `/`, `—`) 完成值.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingActual {
    /// Import mode: keep the sheet's score in the total and flag it.
    KeepReported,
    /// Score 0.
    Zero,
    /// No rule score (left to a person); the total uses the reported score.
    Manual,
}

/// Reverse (≤ ＜) indicators missed: A/B, or a linear deviation max(0, 1 − (B−A)/A).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReverseFormula {
    TargetOverActual,
    LinearDeviation,
}

/// ＞N (or ＜N) met only by 完成值 = N.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrictBoundary {
    /// Ratio 1 (the proportional rule cannot penalise it) and a warning.
    FullWithWarning,
    /// Ratio 1, but the finding is an error.
    Error,
    /// The target counts as missed: score 0.
    NotMet,
}

/// ＝N with 完成值 above N.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EqualsOverTarget {
    FullWithWarning,
    /// Scored like a reverse indicator: A/B.
    Symmetric,
}

/// Deduction for a forward target exceeded by far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverAchievementPenalty {
    None,
    /// ratio = max(0, 1 − (excess − threshold)), 「按照偏离度适度调减分值」.
    Deviation,
}

/// A reverse indicator with target 0 and a positive 完成值.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetZeroReverse {
    ZeroIfPositive,
    Manual,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetFormula {
    /// weight × min(rate, 1).
    ProportionalCapped,
    /// The first tier whose `min_rate` the rate reaches.
    Tiers,
}

/// 调整后预算数 = 0 and 执行数 = 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroBudget {
    NotApplicable,
    Full,
    Zero,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetTier {
    pub min_rate: Decimal,
    /// Share of the weight; absent means proportional (weight × rate).
    pub share: Option<Decimal>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub formula: BudgetFormula,
    #[serde(default)]
    pub tiers: Vec<BudgetTier>,
    pub zero_budget: ZeroBudget,
    /// Σ sub-rows against 总额 (万元).
    pub tolerance: Decimal,
}

/// An explicit unit conversion for 完成值 written in another unit.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UnitConversion {
    pub from: String,
    pub to: String,
    pub factor: Decimal,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quantitative {
    pub reverse_formula: ReverseFormula,
    pub strict_boundary: StrictBoundary,
    pub equals_over_target: EqualsOverTarget,
    pub over_achievement_warn_ratio: Decimal,
    pub over_achievement_penalty: OverAchievementPenalty,
    pub target_zero_reverse: TargetZeroReverse,
    /// 度量单位 % with 完成值 at most this and a target above it: a fraction typed for a percentage.
    pub percent_fraction_max: Decimal,
    #[serde(default)]
    pub unit_conversions: Vec<UnitConversion>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub budget_weight: Decimal,
    pub indicator_weight_total: Decimal,
    pub default_first_level_weights: BTreeMap<String, Decimal>,
    pub first_level_tolerance: Decimal,
    /// A first level absent from a sheet moves its default weight to another
    /// (满意度 → 效益).
    pub missing_level_moves_to: BTreeMap<String, String>,
    /// First levels counted as another when checking the defaults (成本 → 产出).
    pub counts_as: BTreeMap<String, String>,
    /// Project kinds (the letter in the 项目编码, `R` = 人员类) whose first-level
    /// weights are not held to the defaults: their indicators are fixed by the
    /// kind of spending, not chosen per project.
    #[serde(default)]
    pub first_level_exempt_kinds: BTreeMap<String, String>,
    pub row_decimals: u32,
    pub rounding: Rounding,
    pub total_from_rounded_rows: bool,
    pub rate_decimals: u32,
    pub missing_actual: MissingActual,
    /// Texts meaning "no value" in 完成值 (after NFKC and trimming).
    pub blank_actual: Vec<String>,
    pub budget: Budget,
    pub quantitative: Quantitative,
}

/// 定性 tiers (财预〔2020〕10号: 100–80 %（含）, 80–60 %（含）, 60–0 %).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Qualitative {
    /// Default shares of the weight by tier.
    pub achieved: Decimal,
    pub partial: Decimal,
    pub failed: Decimal,
    /// Lower bounds (inclusive) of the achieved and partial tiers.
    pub achieved_min: Decimal,
    pub partial_min: Decimal,
    pub scale: Vec<String>,
    pub synonyms: BTreeMap<String, String>,
    pub achieved_words: Vec<String>,
    pub partial_words: Vec<String>,
    pub failed_words: Vec<String>,
}

/// Operator words of 指标性质, by operator.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Operators {
    pub ge: Vec<String>,
    pub gt: Vec<String>,
    pub eq: Vec<String>,
    pub le: Vec<String>,
    pub lt: Vec<String>,
    pub qualitative: Vec<String>,
}

/// A first-level indicator and the prefixes of its second levels.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub first: String,
    pub second: Vec<String>,
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
    /// A message the rule gives, as the officer reads it (docs/rules.md);
    /// required in the built-in file, optional in an overlay.
    #[serde(default)]
    pub example: String,
}

/// The whole scoring configuration.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub scoring: Scoring,
    pub qualitative: Qualitative,
    pub operators: Operators,
    pub form: Form,
    pub kinds: super::cross::Kinds,
    #[serde(rename = "cross_check")]
    pub cross_check: Vec<super::cross::CrossCheck>,
    #[serde(rename = "level")]
    pub levels: Vec<Level>,
    #[serde(rename = "grade")]
    pub grades: Vec<Grade>,
    #[serde(rename = "rule")]
    pub rules: Vec<ScoreRule>,
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

impl Config {
    /// Loads and validates `score/scoring.toml`; the `[[cross_check]]` amounts
    /// must name a table, row and column the layouts declare.
    ///
    /// # Errors
    /// A parse or validation error with the file and line.
    pub fn load(store: &Store, layouts: &Layouts) -> Result<Self, Error> {
        let Some(file) = store.get("score/scoring.toml") else {
            return Err(Error::Template {
                path: "templates/score/scoring.toml".into(),
                line: 0,
                message: "file missing".into(),
            });
        };
        let f = file;
        let c: Config = toml::from_str(&f.text).map_err(|e| Error::Template {
            path: f.origin.clone(),
            line: e.span().map_or(1, |s| line_of(&f.text, s.start)),
            message: e.message().to_string(),
        })?;
        // Point at the key the check is about, so a province editing the file finds it.
        let bad = |key: &str, m: &str| Error::Template {
            path: f.origin.clone(),
            line: f.text.find(key).map_or(1, |o| line_of(&f.text, o)),
            message: m.to_string(),
        };
        let (one, zero) = (Decimal::ONE, Decimal::ZERO);
        let q = &c.qualitative;
        if !(zero < q.partial_min && q.partial_min < q.achieved_min && q.achieved_min <= one) {
            return Err(bad("partial_min", "qualitative: need 0 < partial_min < achieved_min ≤ 1"));
        }
        let inside = |v: Decimal, lo: Decimal, hi: Decimal, hi_inclusive: bool| {
            v >= lo && (v < hi || (hi_inclusive && v == hi))
        };
        if !inside(q.achieved, q.achieved_min, one, true)
            || !inside(q.partial, q.partial_min, q.achieved_min, false)
            || !inside(q.failed, zero, q.partial_min, false)
        {
            return Err(bad("achieved =", "qualitative: each default share must lie inside its tier"));
        }
        let f = &c.form;
        for (key, list) in [
            ("project_name", &f.project_name),
            ("adjusted", &f.adjusted),
            ("level1", &f.level1),
            ("level3", &f.level3),
            ("total", &f.total),
            ("budget_total", &f.budget_total),
            ("dept_item", &f.dept_item),
        ] {
            if list.iter().all(|l| norm(l).is_empty()) {
                return Err(bad(key, "form: this label list must not be empty"));
            }
        }
        if q.scale.is_empty() {
            return Err(bad("scale", "qualitative.scale must not be empty"));
        }
        if c.grades.is_empty() || c.grades.windows(2).any(|w| w[0].min <= w[1].min) {
            return Err(bad("[[grade]]", "grades must be listed from the highest band down"));
        }
        let b = &c.scoring.budget;
        if b.formula == BudgetFormula::Tiers
            && (b.tiers.is_empty() || b.tiers.windows(2).any(|w| w[0].min_rate <= w[1].min_rate))
        {
            return Err(bad("tiers", "scoring.budget.tiers must be listed from the highest min_rate down"));
        }
        if c.scoring.row_decimals > 6 || c.scoring.rate_decimals > 6 {
            return Err(bad("row_decimals", "row_decimals and rate_decimals must be at most 6"));
        }
        if c.scoring.quantitative.over_achievement_warn_ratio < zero {
            return Err(bad("over_achievement_warn_ratio", "over_achievement_warn_ratio must be ≥ 0"));
        }
        let mut ids = std::collections::BTreeSet::new();
        if let Some(r) = c.rules.iter().find(|r| !ids.insert(r.id.as_str())) {
            return Err(bad(&format!("\"{}\"", r.id), "duplicate rule id"));
        }
        // A finding whose id has no rule could not be titled or graded: refuse the
        // file rather than drop findings at run time.
        if let Some(missing) = super::EMITTED.iter().find(|id| !ids.contains(*id)) {
            return Err(Error::Template {
                path: file.origin.clone(),
                line: file.text.lines().count().max(1),
                message: format!(
                    "rule {missing} is used by the scorer but not declared ([[rule]] id = \"{missing}\")"
                ),
            });
        }
        // The line of each `[[cross_check]]` header, commented ones skipped; an
        // entry written another way (inline array) is still checked, at line 1.
        let headers: Vec<usize> = file
            .text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("[[cross_check]]"))
            .map(|(i, _)| i + 1)
            .collect();
        for (n, x) in c.cross_check.iter().enumerate() {
            layouts.check_amount(x.table, None, &x.row, &x.column).map_err(|m| Error::Template {
                path: file.origin.clone(),
                line: headers.get(n).copied().unwrap_or(1),
                message: format!("cross_check: {m}"),
            })?;
        }
        // An overlay may leave examples out (a province's own copy of the file).
        if let Some(r) = c.rules.iter().find(|r| !file.overlay && r.example.trim().is_empty()) {
            return Err(bad(&format!("\"{}\"", r.id), "a built-in score rule needs `example`"));
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

    /// Rounds a row score once, as configured.
    pub fn round(&self, d: Decimal) -> Decimal {
        let strategy = match self.scoring.rounding {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::Floor => RoundingStrategy::ToZero,
        };
        d.round_dp_with_strategy(self.scoring.row_decimals, strategy)
    }

    /// The operator written in 指标性质 (NFKC, ≥/≧ unified), if known.
    pub fn nature(&self, text: &str) -> Option<Nature> {
        let t = norm(text);
        if t.is_empty() {
            return None;
        }
        let o = &self.operators;
        [
            (&o.ge, Nature::Ge),
            (&o.le, Nature::Le),
            (&o.gt, Nature::Gt),
            (&o.lt, Nature::Lt),
            (&o.eq, Nature::Eq),
            (&o.qualitative, Nature::Qualitative),
        ]
        .into_iter()
        .find(|(words, _)| words.iter().any(|w| norm(w) == t))
        .map(|(_, n)| n)
    }

    /// Whether a 完成值 text means "no value".
    pub fn is_blank(&self, text: &str) -> bool {
        let t = norm(text);
        t.is_empty() || self.scoring.blank_actual.iter().any(|b| norm(b) == t)
    }

    /// The first levels a second level may sit under (None: unknown second level).
    pub fn first_levels_of(&self, level2: &str) -> Option<Vec<&str>> {
        let l = norm(level2);
        let v: Vec<&str> = self
            .levels
            .iter()
            .filter(|lv| lv.second.iter().any(|s| l.starts_with(&norm(s))))
            .map(|lv| lv.first.as_str())
            .collect();
        (!v.is_empty()).then_some(v)
    }

    /// A first level as counted against the defaults (成本指标 → 产出指标).
    pub fn counted_level(&self, level1: &str) -> String {
        let l = norm(level1);
        self.scoring.counts_as.get(&l).cloned().unwrap_or(l)
    }

    /// Converts a value written in `from` into `to`, if the table allows it.
    pub fn convert_unit(&self, value: Decimal, from: &str, to: &str) -> Option<Decimal> {
        self.scoring
            .quantitative
            .unit_conversions
            .iter()
            .find(|c| norm(&c.from) == norm(from) && norm(&c.to) == norm(to))
            .map(|c| value * c.factor)
    }
}

/// The form's labels, for reading (every synonym) and writing (the first).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub project_name: Vec<String>,
    /// 项目编码: joins a flat list's separate 预算执行 sheet to its projects.
    #[serde(default = "default_project_code")]
    pub project_code: Vec<String>,
    pub initial: Vec<String>,
    pub adjusted: Vec<String>,
    pub executed: Vec<String>,
    pub rate: Vec<String>,
    pub weight: Vec<String>,
    pub score: Vec<String>,
    pub budget_reason: Vec<String>,
    pub budget_rows: Vec<String>,
    pub budget_total: Vec<String>,
    pub appropriation: Vec<String>,
    pub level1: Vec<String>,
    pub level2: Vec<String>,
    pub level3: Vec<String>,
    pub nature: Vec<String>,
    pub target: Vec<String>,
    pub unit: Vec<String>,
    pub actual: Vec<String>,
    pub indicator_reason: Vec<String>,
    pub total: Vec<String>,
    pub notes: Vec<String>,
    pub dept_item: Vec<String>,
    pub dept_weight: Vec<String>,
    pub dept_score: Vec<String>,
    pub dept_grade: Vec<String>,
    pub labels: FormLabels,
}

fn default_project_code() -> Vec<String> {
    vec!["项目编码".into(), "项目代码".into()]
}

/// Texts only the writer uses.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormLabels {
    pub title: String,
    pub budget_block: String,
    pub budget_item: String,
    pub budget_amounts: String,
    pub indicator_block: String,
    pub implementer: String,
}

/// The first (written) label of a list.
pub fn first(labels: &[String]) -> &str {
    labels.first().map_or("", String::as_str)
}

/// Whether `text` contains one of `labels` (after `norm`).
pub fn mentions(labels: &[String], text: &str) -> bool {
    let t = norm(text);
    labels.iter().any(|l| !l.is_empty() && t.contains(&norm(l)))
}
