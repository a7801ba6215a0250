//! What `convert` shows: its `--json` report (what was written, every
//! coercion, every finding) and its console lines.

use std::path::Path;

use crate::finding::Finding;
use crate::i18n::{Catalog, Lang};
use crate::model::{CoercionRecord, Department, Unit};
use crate::outcome::Adjustment;

/// How many cells of each coercion kind the console names; `--json` has all.
const EXAMPLES: usize = 3;

/// The `--json` of `convert`: what was written, every coercion, every finding.
#[derive(serde::Serialize)]
pub struct Report<'a> {
    tool: &'static str,
    version: &'static str,
    input: String,
    output: String,
    unit: &'static str,
    /// The unit the figures were rounded in, when coarser than `unit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<&'static str>,
    tables: usize,
    /// Amounts written differently from ordinary rounding (to a coarser unit).
    adjustments: &'a [Adjustment],
    coercions: &'a [CoercionRecord],
    findings: &'a [Finding],
}

impl<'a> Report<'a> {
    pub fn new(
        input: &Path,
        output: &Path,
        dep: &'a Department,
        unit: Unit,
        adjustments: &'a [Adjustment],
    ) -> Self {
        Report {
            tool: "juesuan",
            version: env!("CARGO_PKG_VERSION"),
            input: input.display().to_string(),
            output: output.display().to_string(),
            unit: unit.as_str(),
            precision: dep.precision.map(Unit::as_str),
            tables: dep.tables.len(),
            adjustments,
            coercions: &dep.coercions,
            findings: &dep.findings,
        }
    }
}

/// What the console is told about a conversion.
#[derive(Clone, Copy, Debug)]
pub struct Shown {
    pub from: Unit,
    pub to: Unit,
    /// `--quiet`: the findings only.
    pub quiet: bool,
    /// `--json` was given (it lists every coerced cell).
    pub json: bool,
}

/// The console lines before the closing one: findings first (a warning
/// matters more than a thousand text numbers), then the unit, the rounding
/// kept, the balancing, missing tables and the coercions by kind.
pub fn console_lines(dep: &Department, adjustments: &[Adjustment], s: Shown, msg: &Catalog) -> Vec<String> {
    let mut out: Vec<String> = dep
        .findings
        .iter()
        .map(|f| {
            let at = f.anchor().map(ToString::to_string).unwrap_or_else(|| dep.path.clone());
            format!("{at}: {}[{}] {}", f.severity.label(msg), f.rule, f.message)
        })
        .collect();
    if s.quiet {
        return out;
    }
    if s.from != s.to {
        out.push(msg.text("convert.unit_changed", &[("from", &s.from.as_str()), ("to", &s.to.as_str())]));
    }
    if let Some(p) = dep.precision {
        let per = p.rounding_in(s.to).normalize();
        let args = [("from", &p.as_str() as &dyn std::fmt::Display), ("unit", &s.to.as_str()), ("per", &per)];
        out.push(msg.text("convert.precision_kept", &args));
    }
    if !adjustments.is_empty() {
        out.push(msg.text("convert.balanced", &[("count", &adjustments.len())]));
    }
    if !dep.missing.is_empty() {
        let names: Vec<String> = dep.missing.iter().map(|n| format!("T{n:02}")).collect();
        out.push(msg.text("convert.missing", &[("tables", &names.join(", "))]));
    }
    if !dep.coercions.is_empty() {
        out.push(msg.text("convert.coercions", &[("count", &dep.coercions.len())]));
        out.extend(coercion_summary(&dep.coercions, msg, s.json));
    }
    out
}

/// One line per coercion kind: how many, and the first few cells.
fn coercion_summary(all: &[CoercionRecord], msg: &Catalog, json: bool) -> Vec<String> {
    let mut kinds: Vec<(String, Vec<&CoercionRecord>)> = Vec::new();
    for c in all {
        let kind =
            serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, v)) => v.push(c),
            None => kinds.push((kind, vec![c])),
        }
    }
    kinds
        .iter()
        .map(|(kind, cs)| {
            let examples: Vec<String> = cs
                .iter()
                .take(EXAMPLES)
                .map(|c| {
                    msg.text(
                        &format!("convert.coercion.{kind}"),
                        &[("cell", &c.at), ("raw", &c.raw), ("value", &c.value)],
                    )
                })
                .collect();
            let sep = if msg.lang == Lang::Zh { "；" } else { "; " };
            let mut line = msg.text(
                &format!("convert.coercion_kind.{kind}"),
                &[("n", &cs.len()), ("examples", &examples.join(sep))],
            );
            if cs.len() > EXAMPLES && !json {
                line.push_str(&msg.text("convert.coercion_more", &[]));
            }
            line
        })
        .collect()
}
