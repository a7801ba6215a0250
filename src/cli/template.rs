//! `juesuan template`: write the blank standard thirteen-table workbook.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Ctx, ExitStatus};
use crate::model::{Department, Unit};
use crate::report::standard;

/// Writes the blank standard workbook that departments fill in.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan template -o 2024决算空表.xlsx --year 2024\n  juesuan template -o blank.xlsx --unit 元"
)]
pub struct TemplateArgs {
    /// Output workbook.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Year printed in the title block.
    #[arg(long)]
    pub year: Option<i32>,
    /// Unit printed in the unit line (万元 or 元).
    #[arg(long, default_value = "万元")]
    pub unit: Unit,
}

pub fn run(args: &TemplateArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let opts = standard::Options {
        department: None,
        year: args.year,
        unit: args.unit,
        precision: None,
        blank: true,
        style: Default::default(),
    };
    let t = &ctx.templates;
    let mut out = super::plan_outputs(&[args.output.as_path()], &t.messages)?;
    let mut wb = standard::workbook(&Department::default(), &t.layouts, &t.messages, &opts)
        .context("building the standard workbook")?;
    out.save(&mut wb, &args.output)?;
    out.commit()?;
    if !ctx.global.quiet {
        eprintln!("{}", t.messages.text("template.written", &[("path", &args.output.display())]));
    }
    Ok(ExitStatus::Success)
}
