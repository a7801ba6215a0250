//! `juesuan score`: recompute and check project self-assessment score sheets.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::{Ctx, ExitStatus};
use crate::finding::{Counts, Finding};
use crate::report::score_xlsx;
use crate::report::text::finding_line;
use crate::score::{Config, DeptScored, Scored, parse, score, score_dept};

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

#[derive(Serialize)]
struct Summary {
    projects: usize,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct Report<'a> {
    tool: &'static str,
    version: &'static str,
    projects: &'a [Scored],
    department_tables: &'a [DeptScored],
    /// `--tables`: Σ projects' execution against the final accounts.
    #[serde(serialize_with = "crate::score::serialize_findings")]
    cross_check: &'a [Finding],
    unreadable: Vec<Unreadable>,
    summary: Summary,
}

#[derive(Serialize)]
struct Unreadable {
    path: String,
    error: String,
}

pub fn run(args: &ScoreArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let t = &ctx.templates;
    let msg = &t.messages;
    let cfg = Config::load(&t.store)?;
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
        match crate::workbook::open(path) {
            Err(e) => {
                let reason = msg.text(e.key(), &[("detail", &e.detail())]);
                note(msg.text("common.unreadable", &[("path", &path.display()), ("reason", &reason)]));
                unreadable.push(Unreadable { path: path.display().to_string(), error: reason });
            }
            Ok(wb) => {
                let found = parse::read(&wb, &cfg);
                let no_sheets = found.projects.is_empty() && found.dept_tables.is_empty();
                if no_sheets
                    && !crate::model::extract::read_department(&wb, &t.layouts, msg).tables.is_empty()
                {
                    // A folder of submissions holds the accounts next to the score sheets.
                    let reason = msg.text("score.skipped_tables", &[]);
                    note(msg.text("inputs.skipped", &[("path", &path.display()), ("reason", &reason)]));
                    skipped += 1;
                    continue;
                }
                if no_sheets {
                    let reason = msg.text("score.no_sheets", &[]);
                    note(msg.text("common.unreadable", &[("path", &path.display()), ("reason", &reason)]));
                    unreadable.push(Unreadable { path: path.display().to_string(), error: reason });
                }
                for (name, at) in &found.unmatched_budget {
                    note(msg.text("score.budget_unmatched", &[("cell", at), ("name", name)]));
                }
                let first = scored.len();
                scored.extend(found.projects.iter().map(|p| score(p, &cfg, msg)));
                truncation_findings(&wb, &mut scored[first..], msg);
                dept.extend(found.dept_tables.iter().map(|d| score_dept(d, &cfg, msg)));
            }
        }
    }
    bar.finish_and_clear();
    let mut cross = Vec::new();
    let tables_path = args.tables.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    if let Some(tables) = &args.tables {
        // An unreadable accounts workbook is an unreadable input: reported, the run goes on.
        match crate::workbook::open(tables) {
            Err(e) => {
                let reason = msg.text(e.key(), &[("detail", &e.detail())]);
                eprintln!(
                    "{}",
                    msg.text("common.unreadable", &[("path", &tables.display()), ("reason", &reason)])
                );
                unreadable.push(Unreadable { path: tables_path.clone(), error: reason });
            }
            Ok(wb) => {
                let mut dep = crate::model::extract::read_department(&wb, &t.layouts, msg);
                dep.convert_unit(crate::model::Unit::WanYuan);
                cross = crate::score::cross::check(&scored, &dep, &t.layouts, &cfg, msg);
            }
        }
    }
    let others = [score_xlsx::Other { path: &tables_path, findings: &cross }];
    let mut wb =
        score_xlsx::workbook(&scored, &dept, &others, &cfg, msg).context("building the score workbook")?;
    out.save(&mut wb, &args.output)?;
    let all = scored
        .iter()
        .flat_map(|s| s.findings.iter())
        .chain(dept.iter().flat_map(|d| d.findings.iter()))
        .chain(cross.iter());
    let summary = Summary { projects: scored.len(), counts: Counts::of(all) };
    let failed = summary.counts.errors > 0 || !unreadable.is_empty();
    let closing = msg.text(
        "score.summary",
        &[
            ("projects", &summary.projects),
            ("errors", &summary.counts.errors),
            ("warnings", &summary.counts.warnings),
            ("infos", &summary.counts.infos),
            ("unreadable", &unreadable.len()),
            ("skipped", &skipped),
        ],
    );
    let written: Vec<String> =
        std::iter::once(&args.output).chain(args.json.iter()).map(|p| p.display().to_string()).collect();
    let written = super::outputs_line(&written, msg);
    let report = Report {
        tool: "juesuan",
        version: env!("CARGO_PKG_VERSION"),
        projects: &scored,
        department_tables: &dept,
        cross_check: &cross,
        unreadable,
        summary,
    };
    if let Some(j) = &args.json {
        super::write_json(j, &report, &mut out)?;
    }
    out.commit()?;
    if args.json.as_deref() != Some(std::path::Path::new("-")) {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        for s in scored.iter().filter(|_| !ctx.global.quiet) {
            writeln!(
                stdout,
                "{}",
                msg.text(
                    "score.line",
                    &[
                        ("name", &s.name),
                        ("reported", &s.reported_total.clone().unwrap_or_else(|| "-".into())),
                        ("computed", &s.computed_total),
                        ("grade", &s.grade),
                    ]
                )
            )?;
            for f in &s.findings {
                writeln!(stdout, "  {}", finding_line(&s.path, f, msg))?;
            }
        }
        for d in dept.iter().filter(|_| !ctx.global.quiet) {
            writeln!(
                stdout,
                "{}",
                msg.text(
                    "score.dept_line",
                    &[
                        ("path", &d.path),
                        ("sheet", &d.sheet),
                        ("reported", &d.reported_total.clone().unwrap_or_else(|| "-".into())),
                        ("computed", &d.computed_total),
                        ("grade", &d.grade),
                    ]
                )
            )?;
            for f in &d.findings {
                writeln!(stdout, "  {}", finding_line(&d.path, f, msg))?;
            }
        }
        for f in cross.iter().filter(|_| !ctx.global.quiet) {
            // Points at the accounts' total (the last cell), not the first project.
            let at = f.cells.last().map_or_else(|| tables_path.clone(), |c| c.to_string());
            let line = format!("  {at}: {}[{}] {}", f.severity.label(msg), f.rule, f.message);
            writeln!(stdout, "{}", crate::text::console(&line))?;
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
    Ok(if failed { ExitStatus::Failure } else { ExitStatus::Success })
}

/// A text cut at read time (`workbook::TEXT_MAX`) is a finding on the project
/// of its sheet (or the file's first project), so the cut is never silent.
fn truncation_findings(wb: &crate::workbook::Workbook, projects: &mut [Scored], msg: &crate::i18n::Catalog) {
    for sheet in &wb.sheets {
        let at = projects.iter().position(|p| p.sheet == *sheet.name).unwrap_or(0);
        if let Some(p) = projects.get_mut(at) {
            p.findings.extend(crate::model::extract::truncated(sheet, msg));
        }
    }
}
