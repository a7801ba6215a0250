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
    let scoring = &t.scoring;
    let docs = crate::rules::docs::Sources {
        rules: &t.rules,
        layouts: &t.layouts,
        tool: &t.findings,
        score: &scoring.rules,
    };
    let text = if args.json {
        docs.json()?
    } else if args.markdown {
        docs.markdown()
    } else {
        docs.listing(&t.messages)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitStatus::Success)
}
