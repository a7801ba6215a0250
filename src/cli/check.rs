//! `juesuan check`: audit every workbook in the inputs and report the findings.

use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::{Ctx, ExitStatus};
use crate::check::{PriorLookup, check_file_with};
use crate::outcome::{CheckReport, FileReport};
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
    let bar = super::progress(inputs.files.len(), ctx.global.quiet, "progress.check", msg);
    // Files are read in parallel; `collect` keeps the sorted input order.
    let (mut files, deps): (Vec<FileReport>, Vec<Option<crate::model::Department>>) = inputs
        .files
        .par_iter()
        .map(|p| {
            let (r, d) = check_file_with(p, &ctx.templates, lookup);
            bar.inc(1);
            // Departments are kept only to pair them with narratives.
            (r, d.filter(|_| keep))
        })
        .unzip();
    bar.finish_and_clear();
    let read: Vec<(&std::path::Path, &crate::model::Department)> =
        inputs.files.iter().zip(&deps).filter_map(|(p, d)| d.as_ref().map(|d| (p.as_path(), d))).collect();
    files.extend(
        inputs
            .narratives
            .par_iter()
            .map(|n| {
                let paired = if args.narrative.is_some() { read.first().copied() } else { pair(n, &read) };
                // Last year's tables of the paired department, for the N8 change checks.
                let last = paired.and_then(|(p, d)| Some(&prior.as_ref()?.find(d, p, &args.inputs)?.dep));
                crate::narrative::check_file(n, &ctx.templates, paired, last)
            })
            .collect::<Vec<_>>(),
    );
    files.sort_by(|a, b| a.path.cmp(&b.path));
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

/// The workbook a narrative belongs to (cli.md): the one whose 编制单位 the
/// document names in its first lines or file name, else the only workbook in
/// the same folder.
fn pair<'a>(
    narrative: &std::path::Path,
    read: &[(&'a std::path::Path, &'a crate::model::Department)],
) -> Option<(&'a std::path::Path, &'a crate::model::Department)> {
    let doc = crate::narrative::read::read(narrative).ok()?;
    let named: Vec<_> = read
        .iter()
        .filter(|(_, d)| crate::narrative::names_department(narrative, &doc, d))
        .copied()
        .collect();
    let folder = narrative.parent();
    let here = |v: &[(&'a std::path::Path, &'a crate::model::Department)]| {
        let same: Vec<_> = v.iter().filter(|(p, _)| p.parent() == folder).copied().collect();
        (same.len() == 1).then(|| same[0])
    };
    match named.len() {
        1 => Some(named[0]),
        0 => here(read),
        _ => here(&named).or(Some(named[0])),
    }
}
