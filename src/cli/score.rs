//! `juesuan score`: recompute and check project self-assessment score sheets.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Ctx, ExitStatus};
use crate::finding::Severity;
use crate::model::RowKey;
use crate::report::{save, score_xlsx};
use crate::score::{Config, ScoreFinding, Scored, number, parse, score, score_dept};

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
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct Report<'a> {
    tool: &'static str,
    version: &'static str,
    projects: &'a [Scored],
    department_tables: Vec<DeptJson<'a>>,
    unreadable: Vec<Unreadable>,
    summary: Summary,
}

#[derive(Serialize)]
struct DeptJson<'a> {
    path: &'a str,
    findings: &'a [ScoreFinding],
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
    let Some(inputs) = super::batch_inputs(&args.inputs, &outputs, msg)? else {
        return Ok(ExitStatus::Error);
    };
    let mut scored: Vec<Scored> = Vec::new();
    let mut dept: Vec<(String, Vec<ScoreFinding>)> = Vec::new();
    let mut unreadable = Vec::new();
    for path in &inputs.files {
        match crate::workbook::open(path) {
            Err(e) => {
                let reason = msg.text(e.key(), &[("detail", &e.detail())]);
                eprintln!(
                    "{}",
                    msg.text("common.unreadable", &[("path", &path.display()), ("reason", &reason)])
                );
                unreadable.push(Unreadable { path: path.display().to_string(), error: reason });
            }
            Ok(wb) => {
                let found = parse::read(&wb);
                if found.projects.is_empty() && found.dept_tables.is_empty() {
                    let reason = msg.text("score.no_sheets", &[]);
                    eprintln!(
                        "{}",
                        msg.text("common.unreadable", &[("path", &path.display()), ("reason", &reason)])
                    );
                    unreadable.push(Unreadable { path: path.display().to_string(), error: reason });
                }
                scored.extend(found.projects.iter().map(|p| score(p, &cfg, msg)));
                for d in &found.dept_tables {
                    dept.push((format!("{}:{}", d.path, d.sheet), score_dept(d, &cfg, msg)));
                }
            }
        }
    }
    if let Some(tables) = &args.tables {
        cross_check(tables, &mut scored, &cfg, ctx)?;
    }
    let mut wb = score_xlsx::workbook(&scored, &dept, msg).context("building the score workbook")?;
    save::save(&mut wb, &args.output)?;
    let all = scored.iter().flat_map(|s| s.findings.iter()).chain(dept.iter().flat_map(|d| d.1.iter()));
    let mut summary = Summary { projects: scored.len(), errors: 0, warnings: 0, infos: 0 };
    for f in all {
        match f.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
    }
    let failed = summary.errors > 0 || !unreadable.is_empty();
    let report = Report {
        tool: "juesuan",
        version: env!("CARGO_PKG_VERSION"),
        projects: &scored,
        department_tables: dept.iter().map(|(p, f)| DeptJson { path: p, findings: f }).collect(),
        unreadable,
        summary,
    };
    if let Some(j) = &args.json {
        super::write_json(j, &report)?;
    }
    if args.json.as_deref() != Some(std::path::Path::new("-")) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for s in &scored {
            writeln!(
                out,
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
                let at = f.cells.first().map_or_else(|| s.path.clone(), |c| c.to_string());
                writeln!(out, "  {at}: {}[{}] {}", f.severity.as_str(), f.rule, f.message)?;
            }
        }
        for (p, fs) in &dept {
            for f in fs {
                writeln!(out, "  {p}: {}[{}] {}", f.severity.as_str(), f.rule, f.message)?;
            }
        }
    }
    Ok(if failed { ExitStatus::Failure } else { ExitStatus::Success })
}

/// Σ projects' 预算执行数 (财政资金 row) against T9's total and T6's 项目支出.
fn cross_check(
    tables: &std::path::Path,
    scored: &mut [Scored],
    cfg: &Config,
    ctx: &Ctx,
) -> anyhow::Result<()> {
    let t = &ctx.templates;
    let msg = &t.messages;
    let wb = crate::workbook::open(tables).map_err(|e| {
        crate::error::Error::Usage(msg.text(
            "common.unreadable",
            &[("path", &tables.display()), ("reason", &msg.text(e.key(), &[("detail", &e.detail())]))],
        ))
    })?;
    let mut dep = crate::model::extract::read_department(&wb, &t.layouts, msg);
    dep.convert_unit(crate::model::Unit::WanYuan);
    let projects: Decimal = scored
        .iter()
        .filter_map(|s| {
            s.project
                .budget
                .iter()
                .find(|b| crate::score::norm(&b.label).contains("财政"))
                .and_then(|b| number(&b.executed.text))
                .map(|x| x.0)
        })
        .sum();
    let total = |no: u8, col: &str| {
        dep.table(no)
            .and_then(|t| t.row(&RowKey::Label("合计".into()), None))
            .and_then(|r| r.get(col))
            .map(|a| (a.value, a.at.clone()))
    };
    let Some(first) = scored.first_mut() else { return Ok(()) };
    for (no, col) in [(9u8, "决算数"), (6, "项目支出")] {
        if let Some((amount, at)) = total(no, col)
            && amount != projects
        {
            let name = t.layouts.table(no).map_or_else(String::new, |l| format!("《{}》{col}", l.title));
            let rule = cfg.rule("S16");
            first.findings.push(ScoreFinding {
                rule: "S16".into(),
                severity: rule.map_or(Severity::Warning, |r| r.severity),
                message: format!(
                    "{}：{}",
                    rule.map_or("", |r| msg.pick(&r.title, &r.title_en)),
                    msg.text(
                        "score.S16",
                        &[
                            ("projects", &projects.normalize()),
                            ("table", &name),
                            ("amount", &amount.normalize()),
                            ("diff", &(projects - amount).normalize())
                        ]
                    )
                ),
                indicator: None,
                cells: vec![at],
            });
        }
    }
    Ok(())
}
