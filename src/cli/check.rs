//! `juesuan check`: audit every workbook in the inputs and report the findings.

use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::{Ctx, ExitStatus};
use crate::check::{PriorLookup, check_file_with};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::outcome::FileReport;
use crate::report::{check_batch, text};

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
    /// A 决算说明 (.docx/.txt) to check against the one workbook given.
    #[arg(long, value_name = "FILE")]
    pub narrative: Option<PathBuf>,
    /// List every note (提示, e.g. rounding differences), not only their count per file.
    #[arg(long)]
    pub show_info: bool,
}

pub fn run(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let msg = &ctx.templates.messages;
    let outputs: Vec<&std::path::Path> =
        args.report.iter().chain(args.json.iter()).map(PathBuf::as_path).collect();
    let mut cli_inputs = args.inputs.clone();
    cli_inputs.extend(args.narrative.iter().cloned());
    let Some(inputs) = super::batch_inputs_with(&cli_inputs, &outputs, ctx, true)? else {
        return Ok(ExitStatus::Error);
    };
    if args.narrative.is_some() && inputs.files.len() != 1 {
        return Err(crate::error::Error::Usage(msg.text("check.narrative_needs_one_workbook", &[])).into());
    }
    let keep = !inputs.narratives.is_empty();
    let mut out = super::plan_outputs(&outputs, msg)?;
    let prior = super::load_prior(&args.prior, ctx)?;
    let lookup = prior.as_ref().map(|set| PriorLookup { set, roots: &args.inputs });
    // An earlier report's 说明 are read first, so each file is explained as it is checked.
    let explanations = match &args.explanations {
        Some(old) => Some(crate::explain::read(old, msg).map_err(|e| {
            let reason = msg.text(e.key(), &[("detail", &e.detail())]);
            crate::error::Error::Usage(
                msg.text("common.unreadable", &[("path", &old.display()), ("reason", &reason)]),
            )
        })?),
        None => None,
    };
    let matcher = explanations.as_ref().map(crate::explain::Matcher::new);
    let matched = AtomicUsize::new(0);
    let to_stdout = args.json.as_deref() == Some(std::path::Path::new("-"));
    let opts = check_batch::Options {
        strict: args.strict,
        verbosity: text::Verbosity { show_info: args.show_info, quiet: ctx.global.quiet },
        console: !to_stdout,
        json: args.json.is_some(),
        report: args.report.is_some(),
    };
    // Each report is explained, rendered and spooled as soon as its file is
    // checked: memory does not grow with the batch's findings.
    let sink = check_batch::Sink::new(msg, opts)?;
    let done = |mut r: FileReport| -> std::io::Result<()> {
        if let Some(m) = &matcher {
            matched.fetch_add(m.apply(&mut r), Ordering::Relaxed);
        }
        sink.push(&r)
    };
    let bar = super::progress(inputs.files.len(), ctx.global.quiet, "progress.check", msg);
    // Files are read in parallel; `collect` keeps the sorted input order.
    let deps: Vec<Option<crate::model::Department>> = inputs
        .files
        .par_iter()
        .map(|p| {
            let (r, d) = check_file_with(p, &ctx.templates, lookup);
            bar.inc(1);
            done(r)?;
            // Departments are kept only to pair them with narratives.
            Ok(d.filter(|_| keep))
        })
        .collect::<std::io::Result<_>>()?;
    bar.finish_and_clear();
    let read: Vec<(&std::path::Path, &crate::model::Department)> =
        inputs.files.iter().zip(&deps).filter_map(|(p, d)| d.as_ref().map(|d| (p.as_path(), d))).collect();
    inputs.narratives.par_iter().try_for_each(|n| {
        let paired =
            if args.narrative.is_some() { read.first().copied() } else { crate::narrative::pair(n, &read) };
        // Last year's tables of the paired department, for the N8 change checks.
        let last = paired.and_then(|(p, d)| Some(&prior.as_ref()?.find(d, p, &args.inputs)?.dep));
        let t = &ctx.templates;
        done(crate::narrative::check_file(n, &t.narrative, &t.rules, &t.messages, paired, last))
    })?;
    let mut batch = sink.finish();
    for (path, reason) in batch.skipped().filter(|_| !ctx.global.quiet) {
        eprintln!("{}", msg.text("inputs.skipped", &[("path", &path), ("reason", &reason)]));
    }
    if let (Some(old), Some(ex)) = (&args.explanations, &explanations) {
        eprintln!(
            "{}",
            msg.text(
                "check.explanations_read",
                &[("path", &old.display()), ("n", &ex.len()), ("matched", &matched.load(Ordering::Relaxed))]
            )
        );
    }
    if let Some(path) = &args.report {
        let mut wb = batch.workbook()?;
        out.save(&mut wb, path)?;
    }
    if let Some(path) = &args.json {
        super::write_json(path, &batch.json()?, &mut out)?;
    }
    out.commit()?;
    let written: Vec<String> =
        args.report.iter().chain(args.json.iter()).map(|p| p.display().to_string()).collect();
    let closing = super::outputs_line(&written, msg);
    if !to_stdout {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        batch.write_console(&mut out)?;
        if let Some(line) = &closing {
            writeln!(out, "{line}")?;
        }
    } else if let Some(line) = &closing {
        eprintln!("{line}");
    }
    Ok(if batch.summary().failed() { ExitStatus::Failure } else { ExitStatus::Success })
}
