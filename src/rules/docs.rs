//! `docs/rules.md`, generated from the loaded rules (never written by hand);
//! a test regenerates it and fails when the checked-in file is stale.

use std::fmt::Write as _;

use super::{Origin, RuleSet};
use crate::finding::{Registry, Severity};
use crate::i18n::Catalog;
use crate::score::config::ScoreRule;
use crate::template::Layouts;

/// Every declared finding id: what `juesuan rules` lists in each of its forms.
pub struct Sources<'a> {
    pub rules: &'a RuleSet,
    pub layouts: &'a Layouts,
    pub tool: &'a Registry,
    pub score: &'a [ScoreRule],
}

impl Sources<'_> {
    /// The Markdown reference (docs/rules.md).
    pub fn markdown(&self) -> String {
        markdown(self.rules, self.layouts, self.tool, self.score)
    }

    /// `juesuan rules --json`: every rule and tool finding, with its kind
    /// (`score`, `tool`, or the audit rule's own), then the disabled rules.
    ///
    /// # Errors
    /// Only if serialisation fails.
    pub fn json(&self) -> Result<String, serde_json::Error> {
        let mut all: Vec<serde_json::Value> =
            self.rules.rules.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
        for r in self.score {
            let mut v = serde_json::to_value(r)?;
            v["kind"] = "score".into();
            all.push(v);
        }
        for f in &self.tool.findings {
            let mut v = serde_json::to_value(f)?;
            v["kind"] = "tool".into();
            all.push(v);
        }
        for d in &self.rules.disabled {
            let mut v = serde_json::to_value(d)?;
            v["kind"] = "disabled".into();
            all.push(v);
        }
        Ok(serde_json::to_string_pretty(&all)? + "\n")
    }

    /// The console listing: one line per id (id, severity, tables, title),
    /// below it the formula, the threshold and where an overlay changed it;
    /// the rules an overlay disabled last, with where.
    pub fn listing(&self, msg: &Catalog) -> String {
        let mut out = String::new();
        // The id column as wide as the longest id, so every line lines up.
        let ids = self.rules.rules.iter().map(|r| &r.id).chain(self.score.iter().map(|r| &r.id));
        let width = ids.chain(self.tool.findings.iter().map(|f| &f.id)).map(|id| id.chars().count()).max();
        let width = width.unwrap_or(0);
        for r in &self.rules.rules {
            let tables: Vec<String> = r.tables.iter().map(|n| format!("T{n}")).collect();
            list_line(
                &mut out,
                msg,
                width,
                &r.id,
                Some(r.severity),
                &tables.join(","),
                msg.pick(&r.title, &r.title_en),
            );
            let origin = match r.origin {
                Origin::BuiltIn => None,
                Origin::Replaced => Some(msg.text("rules.origin.replaced", &[("at", &r.defined_at)])),
                Origin::Added => Some(msg.text("rules.origin.added", &[("at", &r.defined_at)])),
            };
            let threshold = r.threshold.as_ref().map(|th| format!("±{} ≥ {}", th.rate, th.at_least));
            for below in
                [Some(r.formula.clone()).filter(|f| !f.is_empty()), threshold, origin].into_iter().flatten()
            {
                let _ = writeln!(out, "{:>width$} {below}", "");
            }
        }
        for r in self.score {
            list_line(
                &mut out,
                msg,
                width,
                &r.id,
                Some(r.severity),
                "score",
                msg.pick(&r.title, &r.title_en),
            );
        }
        for f in &self.tool.findings {
            list_line(&mut out, msg, width, &f.id, Some(f.severity), "-", msg.pick(&f.title, &f.title_en));
        }
        for d in &self.rules.disabled {
            list_line(
                &mut out,
                msg,
                width,
                &d.id,
                None,
                "-",
                &msg.text("rules.origin.disabled", &[("at", &d.at)]),
            );
        }
        out
    }
}

/// `id  severity  tables  title`, the severity word padded to eight columns
/// of display width (错误 is four); a disabled rule has no severity.
fn list_line(
    out: &mut String,
    msg: &Catalog,
    width: usize,
    id: &str,
    s: Option<Severity>,
    tables: &str,
    title: &str,
) {
    let w = s.map_or_else(|| "-".to_string(), |s| s.label(msg));
    let shown: usize = w.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    let pad = " ".repeat(8usize.saturating_sub(shown));
    let _ = writeln!(out, "{id:<width$} {w}{pad} {tables:<24} {title}");
}

/// The Markdown reference of every rule and every finding id: audit rules,
/// the tool's own findings (reader, consolidation) and the score rules.
pub fn markdown(rules: &RuleSet, layouts: &Layouts, tool: &Registry, score: &[ScoreRule]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Audit rules\n");
    let _ =
        writeln!(s, "Generated by `juesuan rules --markdown` from `templates/rules/*.toml`; do not edit.");
    let _ = writeln!(
        s,
        "A test fails when this file is stale: regenerate it with `cargo run -- rules --markdown > docs/rules.md`.\n"
    );
    let _ = writeln!(s, "{}\n", EXPRESSIONS);
    let _ = writeln!(s, "| id | severity | tables | title |\n|---|---|---|---|");
    for r in &rules.rules {
        let tables: Vec<String> = r.tables.iter().map(|t| format!("T{t}")).collect();
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} | {} |",
            r.id,
            r.id.to_lowercase(),
            r.severity.as_str(),
            tables.join(" "),
            r.title
        );
    }
    for r in &rules.rules {
        let _ = writeln!(s, "\n## {}\n\n**{}** — {}\n", r.id, r.title, r.title_en);
        let names: Vec<String> = r
            .tables
            .iter()
            .filter_map(|t| layouts.table(*t))
            .map(|l| format!("T{} {}", l.no, l.title))
            .collect();
        let _ = writeln!(s, "- severity: `{}`; tables: {}", r.severity.as_str(), names.join("、"));
        if let Some(e) = &r.each {
            let side = e.side.as_ref().map(|x| format!(".{x}")).unwrap_or_default();
            let _ = writeln!(s, "- for each row: `T{}{side}:{}`", e.table, e.filter);
        }
        if !r.columns.is_empty() {
            let _ = writeln!(s, "- columns: `{}`", r.columns.join(", "));
        }
        if !r.formula.is_empty() {
            let _ = writeln!(s, "- check: `{}`", r.formula);
        }
        if !r.when.is_empty() {
            let _ = writeln!(s, "- applies when: `{}`", r.when.join("` and `"));
        }
        if let Some(t) = &r.tolerance {
            let _ = writeln!(s, "- tolerance: {t}");
        }
        if let Some(th) = &r.threshold {
            let _ =
                writeln!(s, "- reported when the change is beyond ±{} and at least {}", th.rate, th.at_least);
        }
        if r.reads_prior() {
            let _ = writeln!(s, "- reads last year's accounts (`--prior`)");
        }
        if !r.explainable {
            let _ = writeln!(s, "- not explainable: a 说明 does not waive it");
        }
        let _ = writeln!(s, "- why: {}", r.why);
        if !r.example.is_empty() {
            let _ = writeln!(s, "- example: {}", r.example);
        }
        if !r.source.is_empty() {
            let _ = writeln!(s, "- source: {}", r.source);
        }
        let _ = writeln!(s, "- defined at: `{}`", r.defined_at);
    }
    let _ = writeln!(
        s,
        "\n# Findings of the tool itself\n\nDeclared in `templates/findings.toml`; the reader, `check` and `consolidate` emit them.\n"
    );
    let _ = writeln!(s, "| id | severity | title | why | example |\n|---|---|---|---|---|");
    for f in &tool.findings {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} — {} | {} | {} |",
            f.id,
            f.severity.as_str(),
            f.title,
            f.title_en,
            f.why,
            f.example
        );
    }
    let _ = writeln!(
        s,
        "\n# Score rules\n\nDeclared in `templates/score/scoring.toml`; `juesuan score` emits them.\n"
    );
    let _ = writeln!(s, "| id | severity | title | why | example |\n|---|---|---|---|---|");
    for r in score {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} — {} | {} | {} |",
            r.id,
            r.severity.as_str(),
            r.title,
            r.title_en,
            r.why,
            r.example
        );
    }
    s
}

const EXPRESSIONS: &str = "## How rules are written

Each `[[rule]]` has `id`, `title` (official-style Chinese), `title_en`, `severity`
(`error`, `warning`, `info`), `tables`, and either `check` (an expression) or a
`kind` (`consistency`, `empty_note`), plus `why` and optionally `source`,
`each`, `columns`, `when`, `tolerance` and `explainable` (whether an officer's
说明 waives the finding for the exit status; default true for warnings and
infos, false for errors).

```text
check := sum (\"=\" | \">=\" | \"<=\") sum
sum   := term ((\"+\" | \"-\") term)*
term  := \"0\" | NUMBER UNIT | ref | \"sum(\" ref \")\"
ref   := \"prior.\"? \"T\" N (\".\" SIDE)? \"[\" rows \"]\" \".\" COLUMN
rows  := \"*\" | \"children\" | \"类\" | \"款\" | \"项\" | ROW (\",\" ROW)*
```

- `T1.收入[本年收入合计].决算数` — table 1, side 收入, fixed row id, column id
  (ids are those of `templates/tables/Tnn.toml`); `T8[301, 303].决算数` sums rows.
- `each = \"T2\"` repeats the rule for every row (`:code` code rows only,
  `:parent` code rows that have sub-codes, `:类` 3-digit rows); `*` is that row,
  `children` its direct sub-codes.
- A number compared against amounts carries its unit, `100万元` or `1000000元`,
  and is converted to the department's unit when evaluated; only `0` stands
  alone (a bare `100` is refused at load with file and line).
- `columns = [\"*\"]` repeats it for every column the table has; `@` is that column.
- `when` lists conditions that must all hold: `has(T2.教育收费)` (the optional
  column exists), `empty(T10, T11)` (every listed table is all zero),
  `nonempty(T10, T11)` (at least one is not), `zero(T4.支出[本年支出合计].政府性基金预算财政拨款)`.
  A condition that cannot be decided (its table is missing, its cell is not a
  number) makes the rule report insufficient data instead of being skipped.
- Rounding: in a 万元 department a difference within `0.005 × (number of printed
  values compared)` is reported as `info` (可能为取整误差); beyond it the rule's
  severity applies. In 元 the envelope is zero unless `tolerance` is set, with
  its unit (`0.05 万元`, `500 元`; a bare number is refused).
- `prior.T1.支出[年末结转和结余].决算数` names last year's table, from the
  workbook `--prior` matched with the department. Without `--prior` such a rule
  does not run; when no prior workbook matched it reports insufficient data.
  `kind = \"change\"` compares `figure = prior.figure` and reports when the change
  is beyond `rate` (`\"30%\"`) and at least `at_least` (with its unit:
  `\"10 万元\"` or `\"100000 元\"`); an `each` row present only last year counts.
- A code row that is absent counts as zero; a missing table, column or fixed row,
  or a cell that is not a number, gives an `info` finding “insufficient data”.

Rule ids are those of tables.md §3. A spec rule written as several data rules
keeps its id with a suffix: a letter for each equation (`B1a`–`B1c`, `X16a`–`X16h`),
`-Tnn` for the table it runs on (`R7-T02`, `R12-T04`), `-TOTAL` for the
合计 = Σ 类 part of a hierarchy rule and `-row` for B3's per-row warning.
Retired ids are never reused.";
