//! `juesuan rules`: list every audit rule (and scoring rule) from the templates.

use std::io::Write;

use clap::Args;

use super::{Ctx, ExitStatus};

/// Lists the audit rules: id, severity, tables, formula, description.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan rules\n  juesuan rules --json\n  juesuan rules --markdown > docs/rules.md"
)]
pub struct RulesArgs {
    /// Machine-readable list.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// The reference document (docs/rules.md).
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: &RulesArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let t = &ctx.templates;
    let scoring = crate::score::Config::load(&t.store)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut all: Vec<serde_json::Value> =
            t.rules.rules.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
        for r in &scoring.rules {
            let mut v = serde_json::to_value(r)?;
            v["kind"] = "score".into();
            all.push(v);
        }
        for f in &t.findings.findings {
            let mut v = serde_json::to_value(f)?;
            v["kind"] = "tool".into();
            all.push(v);
        }
        serde_json::to_writer_pretty(&mut out, &all)?;
        writeln!(out)?;
    } else if args.markdown {
        write!(out, "{}", crate::rules::docs::markdown(&t.rules, &t.layouts, &t.findings, &scoring.rules))?;
    } else {
        for r in &t.rules.rules {
            let tables: Vec<String> = r.tables.iter().map(|n| format!("T{n}")).collect();
            writeln!(
                out,
                "{:<14} {:<8} {:<24} {}",
                r.id,
                r.severity.as_str(),
                tables.join(","),
                t.messages.pick(&r.title, &r.title_en)
            )?;
            if !r.formula.is_empty() {
                writeln!(out, "{:>14} {}", "", r.formula)?;
            }
            if let Some(th) = &r.threshold {
                writeln!(out, "{:>14} ±{} ≥ {}", "", th.rate, th.at_least)?;
            }
            let origin = match r.origin {
                crate::rules::Origin::BuiltIn => None,
                crate::rules::Origin::Replaced => Some("rules.origin.replaced"),
                crate::rules::Origin::Added => Some("rules.origin.added"),
            };
            if let Some(key) = origin {
                writeln!(out, "{:>14} {}", "", t.messages.text(key, &[("at", &r.defined_at)]))?;
            }
        }
        for r in &scoring.rules {
            writeln!(
                out,
                "{:<14} {:<8} {:<24} {}",
                r.id,
                r.severity.as_str(),
                "score",
                t.messages.pick(&r.title, &r.title_en)
            )?;
        }
        for f in &t.findings.findings {
            writeln!(
                out,
                "{:<14} {:<8} {:<24} {}",
                f.id,
                f.severity.as_str(),
                "-",
                t.messages.pick(&f.title, &f.title_en)
            )?;
        }
    }
    Ok(ExitStatus::Success)
}
