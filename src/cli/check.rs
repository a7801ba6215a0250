//! `juesuan check`: audit every workbook in the inputs and report the findings.

use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::{Ctx, ExitStatus};
use crate::check::{CheckReport, FileReport, PriorLookup, check_file_with};
use crate::report::{findings_xlsx, text};

/// Audits department workbooks: sums, hierarchies, balances, cross-table equalities.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan check samples/\n  juesuan check 报送/ --report 审核结果.xlsx --json 审核结果.json\n  juesuan check 报送/ --explanations 上次审核结果.xlsx --report 审核结果.xlsx\n  juesuan check 报送2024/ --prior 报送2023/"
)]
pub struct CheckArgs {
    /// Workbooks or directories (searched recursively).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write the JSON report here (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the findings workbook here (one row per finding, with a 说明 column).
    #[arg(long, value_name = "FILE.xlsx")]
    pub report: Option<PathBuf>,
    /// An earlier findings workbook whose 说明 are carried over to the same findings.
    #[arg(long, value_name = "OLD.xlsx")]
    pub explanations: Option<PathBuf>,
    /// Explained errors still count for the exit status.
    #[arg(long)]
    pub strict: bool,
    /// Last year's workbooks or directories: 年初 = 上年年末 and year-over-year changes.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub prior: Vec<PathBuf>,
}

pub fn run(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let msg = &ctx.templates.messages;
    let outputs: Vec<&std::path::Path> =
        args.report.iter().chain(args.json.iter()).map(PathBuf::as_path).collect();
    let Some(inputs) = super::batch_inputs(&args.inputs, &outputs, msg)? else {
        return Ok(ExitStatus::Error);
    };
    let mut out = super::plan_outputs(&outputs, msg)?;
    let prior = super::load_prior(&args.prior, ctx)?;
    let lookup = prior.as_ref().map(|set| PriorLookup { set, roots: &args.inputs });
    let bar = super::progress(inputs.files.len(), ctx.global.quiet);
    // Files are read in parallel; `collect` keeps the sorted input order.
    let mut files: Vec<FileReport> = inputs
        .files
        .par_iter()
        .map(|p| {
            let r = check_file_with(p, &ctx.templates, lookup).0;
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    files.retain(|f| {
        if f.other_kind {
            eprintln!(
                "{}",
                msg.text(
                    "inputs.skipped",
                    &[("path", &f.path), ("reason", &f.error.clone().unwrap_or_default())]
                )
            );
        }
        !f.other_kind
    });
    if let Some(old) = &args.explanations {
        match crate::explain::read(old, msg) {
            Ok(ex) => {
                let matched = crate::explain::apply(&mut files, &ex);
                eprintln!(
                    "{}",
                    msg.text(
                        "check.explanations_read",
                        &[("path", &old.display()), ("n", &ex.len()), ("matched", &matched)]
                    )
                );
            }
            Err(e) => {
                let reason = msg.text(e.key(), &[("detail", &e.detail())]);
                return Err(crate::error::Error::Usage(
                    msg.text("common.unreadable", &[("path", &old.display()), ("reason", &reason)]),
                )
                .into());
            }
        }
    }
    let report = CheckReport::new(files, args.strict);
    if let Some(path) = &args.report {
        let mut wb = findings_xlsx::workbook(&report.files, msg)?;
        out.save(&mut wb, path)?;
    }
    if let Some(path) = &args.json {
        super::write_json(path, &report, &mut out)?;
    }
    out.commit()?;
    if args.json.as_deref() != Some(std::path::Path::new("-")) {
        text::write(&mut std::io::stdout().lock(), &report, args.strict, msg)?;
    }
    Ok(if report.failed() { ExitStatus::Failure } else { ExitStatus::Success })
}
