//! `juesuan template`: write the blank standard workbook.

use std::path::PathBuf;

use clap::Args;

use super::{Ctx, ExitStatus};

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Output workbook.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Year printed in the titles.
    #[arg(long)]
    pub year: Option<i32>,
    /// Unit printed in the unit line.
    #[arg(long, default_value = "万元")]
    pub unit: crate::model::Unit,
}

pub fn run(args: &TemplateArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let _ = (args, ctx);
    anyhow::bail!("not implemented yet")
}
