//! `juesuan check`: audit every workbook in the inputs and report the findings.

use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::{Ctx, ExitStatus};
use crate::check::{CheckReport, FileReport, check_file};
use crate::report::{findings_xlsx, save, text};

/// Audits department workbooks: sums, hierarchies, balances, cross-table equalities.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan check samples/\n  juesuan check 报送/ --report 审核结果.xlsx --json 审核结果.json\n  juesuan check 报送/ --explanations 上次审核结果.xlsx --report 审核结果.xlsx"
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
    /// List every note (提示, e.g. rounding differences), not only their count per file.
    #[arg(long)]
    pub show_info: bool,
}

pub fn run(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let msg = &ctx.templates.messages;
    let outputs: Vec<&std::path::Path> =
        args.report.iter().chain(args.json.iter()).map(PathBuf::as_path).collect();
    let Some(inputs) = super::batch_inputs(&args.inputs, &outputs, msg)? else {
        return Ok(ExitStatus::Error);
    };
    let bar = super::progress(inputs.files.len(), ctx.global.quiet, "progress.check", msg);
    // Files are read in parallel; `collect` keeps the sorted input order.
    let mut files: Vec<FileReport> = inputs
        .files
        .par_iter()
        .map(|p| {
            let r = check_file(p, &ctx.templates).0;
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    files.retain(|f| {
        if f.other_kind && !ctx.global.quiet {
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
    // Missing arguments are unreadable inputs too.
    files.extend(
        inputs
            .missing
            .iter()
            .map(|m| FileReport::unreadable(m, msg.text("read.io", &[("detail", &"not found")]))),
    );
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
        save::save(&mut wb, path)?;
    }
    if let Some(path) = &args.json {
        super::write_json(path, &report)?;
    }
    let written: Vec<String> =
        args.report.iter().chain(args.json.iter()).map(|p| p.display().to_string()).collect();
    let closing = super::outputs_line(&written, msg);
    if args.json.as_deref() != Some(std::path::Path::new("-")) {
        use std::io::Write;
        let verbosity = text::Verbosity { show_info: args.show_info, quiet: ctx.global.quiet };
        let mut out = std::io::stdout().lock();
        text::write(&mut out, &report, args.strict, msg, verbosity)?;
        if let Some(line) = &closing {
            writeln!(out, "{line}")?;
        }
    } else if let Some(line) = &closing {
        eprintln!("{line}");
    }
    Ok(if report.failed() { ExitStatus::Failure } else { ExitStatus::Success })
}
