//! `juesuan score`: recompute and check project self-assessment score sheets.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Ctx, ExitStatus};
use crate::report::{score_xlsx, text};
use crate::score::batch::{self, FileScore, Report, Unreadable};
use crate::score::{DeptScored, Scored};

/// Recomputes 预算执行率 and every indicator score; flags sheets that do not add up.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan score samples/凉山州科学技术协会2023_项目支出绩效自评表.xlsx -o out/评分.xlsx\n  juesuan score 自评表/ -o 评分.xlsx --json 评分.json --tables 决算/凉山州科协.xlsx"
)]
pub struct ScoreArgs {
    /// Workbooks or directories holding score sheets.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The output workbook (one sheet per project, 汇总, 问题清单).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Write the JSON report here (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// The department's 13-table workbook, to compare project execution with T6/T9.
    #[arg(long, value_name = "DEPT.xlsx")]
    pub tables: Option<PathBuf>,
}

pub fn run(args: &ScoreArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let t = &ctx.templates;
    let msg = &t.messages;
    let cfg = &t.scoring;
    let outputs: Vec<&std::path::Path> =
        std::iter::once(args.output.as_path()).chain(args.json.as_deref()).collect();
    let Some(inputs) = super::batch_inputs(&args.inputs, &outputs, ctx)? else {
        return Ok(ExitStatus::Error);
    };
    if let Some(tables) = args.tables.as_deref().filter(|p| !p.exists()) {
        return Err(
            crate::error::Error::Usage(msg.text("inputs.missing", &[("path", &tables.display())])).into()
        );
    }
    let mut out = super::plan_outputs(&outputs, msg)?;
    let mut scored: Vec<Scored> = Vec::new();
    let mut dept: Vec<DeptScored> = Vec::new();
    let mut unreadable = Vec::new();
    let mut skipped = 0;
    // Messages go above the bar (a hidden bar just prints them).
    let bar = super::progress(inputs.files.len(), ctx.global.quiet, "progress.score", msg);
    let note = |line: String| bar.suspend(|| eprintln!("{line}"));
    for path in &inputs.files {
        bar.inc(1);
        match batch::read_file(path, cfg, &t.layouts, msg) {
            FileScore::Unreadable(reason) => {
                note(msg.text("common.unreadable", &[("path", &path.display()), ("reason", &reason)]));
                unreadable.push(Unreadable { path: path.display().to_string(), error: reason });
            }
            FileScore::Skipped(reason) => {
                note(msg.text("inputs.skipped", &[("path", &path.display()), ("reason", &reason)]));
                skipped += 1;
            }
            FileScore::Read { projects, dept: d, notes } => {
                notes.into_iter().for_each(note);
                scored.extend(projects);
                dept.extend(d);
            }
        }
    }
    bar.finish_and_clear();
    let mut cross = Vec::new();
    let tables_path = args.tables.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    if let Some(tables) = &args.tables {
        // An unreadable accounts workbook is an unreadable input: reported, the run goes on.
        match batch::cross_check_file(tables, &scored, cfg, &t.layouts, msg) {
            Ok(found) => cross = found,
            Err(reason) => {
                eprintln!(
                    "{}",
                    msg.text("common.unreadable", &[("path", &tables.display()), ("reason", &reason)])
                );
                unreadable.push(Unreadable { path: tables_path.clone(), error: reason });
            }
        }
    }
    let report = Report::new(scored, dept, cross, unreadable);
    let others = [score_xlsx::Other { path: &tables_path, findings: &report.cross_check }];
    let mut wb = score_xlsx::workbook(&report.projects, &report.department_tables, &others, cfg, msg)
        .context("building the score workbook")?;
    out.save(&mut wb, &args.output)?;
    let closing = msg.text(
        "score.summary",
        &[
            ("projects", &report.summary.projects),
            ("errors", &report.summary.counts.errors),
            ("warnings", &report.summary.counts.warnings),
            ("infos", &report.summary.counts.infos),
            ("unreadable", &report.unreadable.len()),
            ("skipped", &skipped),
        ],
    );
    let written: Vec<String> =
        std::iter::once(&args.output).chain(args.json.iter()).map(|p| p.display().to_string()).collect();
    let written = super::outputs_line(&written, msg);
    if let Some(j) = &args.json {
        super::write_json(j, &report, &mut out)?;
    }
    out.commit()?;
    if args.json.as_deref() != Some(std::path::Path::new("-")) {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        if !ctx.global.quiet {
            for line in text::score_lines(&report, &tables_path, msg) {
                writeln!(stdout, "{line}")?;
            }
        }
        writeln!(stdout, "{closing}")?;
        if let Some(w) = &written {
            writeln!(stdout, "{w}")?;
        }
    } else {
        eprintln!("{closing}");
        if let Some(w) = &written {
            eprintln!("{w}");
        }
    }
    Ok(if report.failed() { ExitStatus::Failure } else { ExitStatus::Success })
}
