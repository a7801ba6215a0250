//! `juesuan consolidate`: sum departments into one set of thirteen tables, plus
//! one per directory node with `--by-dir`, with 分户表 and 审核结果.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Ctx, ExitStatus};
use crate::check::{FileReport, Status, check_file};
use crate::consolidate::Accumulator;
use crate::consolidate::balance::round_and_balance;
use crate::consolidate::offset;
use crate::finding::{Finding, Place, Severity};
use crate::model::{Department, RowKey, Unit};
use crate::report::consolidate_xlsx::{UnitRow, add_sheets};
use crate::report::{save, standard};
use crate::template::Templates;

/// Sums every readable department workbook under INPUT into the standard tables.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan consolidate samples/county -o out/某市汇总.xlsx\n  juesuan consolidate 报送/ -o 汇总.xlsx --by-dir 分级汇总/ --json 汇总.json --quiet"
)]
pub struct ConsolidateArgs {
    /// Workbooks or directories (searched recursively).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The consolidated workbook.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write one consolidated workbook per directory node, mirroring the input tree.
    #[arg(long, value_name = "OUTDIR")]
    pub by_dir: Option<PathBuf>,
    /// Unit of the output (万元 or 元).
    #[arg(long, default_value = "万元")]
    pub unit: Unit,
    /// Write a JSON summary here (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Offset internal flows between a supervising unit (`[主管]` in its file
    /// name) and its subordinates (`[下属]`) in the same node (冲抵).
    #[arg(long)]
    pub offset_internal: bool,
}

/// The monitor-readable summary.
#[derive(Debug, Serialize)]
struct Summary {
    tool: &'static str,
    version: &'static str,
    inputs: usize,
    read: usize,
    unreadable: usize,
    with_errors: usize,
    errors: usize,
    warnings: usize,
    adjustments: usize,
    unit: &'static str,
    outputs: Vec<String>,
    files: Vec<FileReport>,
}

/// A directory node: its name and the accumulated sums.
struct Node {
    name: String,
    acc: Accumulator,
    /// 冲抵 totals in 元: (supervisor's grants, subordinates' receipts,
    /// subordinates' remittances, supervisor's receipts).
    offsets: [Decimal; 4],
    units: Vec<UnitRow>,
    reports: Vec<FileReport>,
}

/// Files read in parallel per chunk: bounded memory, and results folded in
/// sorted-path order so the output does not depend on thread timing.
const CHUNK: usize = 64;

pub fn run(args: &ConsolidateArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let t = &ctx.templates;
    let msg = &t.messages;
    let outputs: Vec<&Path> = std::iter::once(args.output.as_path()).chain(args.json.as_deref()).collect();
    let Some(inputs) = super::batch_inputs(&args.inputs, &outputs, msg)? else {
        return Ok(ExitStatus::Error);
    };
    let root_name = root_name(args);
    let mut nodes: BTreeMap<PathBuf, Node> = BTreeMap::new();
    let node = |name: String| Node {
        name,
        acc: Accumulator::default(),
        offsets: [Decimal::ZERO; 4],
        units: Vec::new(),
        reports: Vec::new(),
    };
    nodes.insert(PathBuf::new(), node(root_name.clone()));
    let bar = super::progress(inputs.files.len(), ctx.global.quiet);
    for chunk in inputs.files.chunks(CHUNK) {
        let results: Vec<(FileReport, Option<Department>)> = chunk
            .par_iter()
            .map(|p| {
                let r = check_file(p, t);
                bar.inc(1);
                r
            })
            .collect();
        for ((mut report, dep), path) in results.into_iter().zip(chunk) {
            // Only the findings and the 分户表 row outlive the chunk: keep them small.
            report.tables = Vec::new();
            report.tables.shrink_to_fit();
            if report.other_kind {
                eprintln!(
                    "{}",
                    msg.text(
                        "inputs.skipped",
                        &[("path", &report.path), ("reason", &report.error.clone().unwrap_or_default())]
                    )
                );
                continue;
            }
            if report.status == Status::Unreadable {
                eprintln!(
                    "{}",
                    msg.text(
                        "consolidate.excluded",
                        &[("path", &report.path), ("reason", &report.error.clone().unwrap_or_default())]
                    )
                );
            }
            let row = unit_row(&report, dep.as_ref(), args.unit, msg);
            // 冲抵: the unit enters every node without its internal flows.
            let mut offsets = [Decimal::ZERO; 4];
            let dep = match (dep, args.offset_internal.then(|| offset::role_of(path)).flatten()) {
                (Some(mut d), Some(role)) => {
                    let f = d.unit.unwrap_or_default().factor_to(Unit::Yuan);
                    let removed = offset::strip(&mut d, role);
                    let (inc, exp) = (removed.income * f, removed.expenditure * f);
                    offsets = match role {
                        offset::Role::Supervisor => [exp, Decimal::ZERO, Decimal::ZERO, inc],
                        offset::Role::Subordinate => [Decimal::ZERO, inc, exp, Decimal::ZERO],
                    };
                    Some(d)
                }
                (d, _) => d,
            };
            // The file counts in the root and in every directory above it.
            let mut keys = vec![PathBuf::new()];
            if args.by_dir.is_some() {
                let rel = relative_dir(path, &args.inputs);
                let mut acc = PathBuf::new();
                for comp in rel.components() {
                    acc.push(comp);
                    keys.push(acc.clone());
                }
            }
            for k in keys {
                let n = nodes.entry(k.clone()).or_insert_with(|| {
                    node(k.file_name().map_or_else(|| root_name.clone(), |s| s.to_string_lossy().to_string()))
                });
                if let Some(d) = &dep {
                    n.acc.add(d);
                }
                for (o, v) in n.offsets.iter_mut().zip(offsets) {
                    *o += v;
                }
                n.units.push(row.clone());
                n.reports.push(report.clone());
            }
        }
    }
    bar.finish_and_clear();

    let mut written = Vec::new();
    let mut adjustments = 0;
    for (rel, n) in &nodes {
        let path = if rel.as_os_str().is_empty() {
            args.output.clone()
        } else {
            let Some(dir) = &args.by_dir else { continue };
            dir.join(rel).with_extension("xlsx")
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        adjustments += write_node(&path, n, args.unit, t)?;
        written.push(path.display().to_string());
    }

    let root = &nodes[&PathBuf::new()];
    let files = root.reports.clone();
    let unreadable = files.iter().filter(|f| f.status == Status::Unreadable).count();
    let counts: Vec<_> = files.iter().map(|f| f.counts(true)).collect();
    let summary = Summary {
        tool: "juesuan",
        version: env!("CARGO_PKG_VERSION"),
        inputs: files.len(),
        read: files.len() - unreadable,
        unreadable,
        with_errors: counts.iter().filter(|c| c.errors > 0).count(),
        errors: counts.iter().map(|c| c.errors).sum(),
        warnings: counts.iter().map(|c| c.warnings).sum(),
        adjustments,
        unit: args.unit.as_str(),
        outputs: written.clone(),
        files,
    };
    if let Some(j) = &args.json {
        super::write_json(j, &summary)?;
    }
    if !ctx.global.quiet {
        eprintln!(
            "{}",
            msg.text(
                "consolidate.summary",
                &[
                    ("inputs", &summary.inputs),
                    ("read", &summary.read),
                    ("with_errors", &summary.with_errors),
                    ("unreadable", &summary.unreadable),
                    ("outputs", &written.len()),
                ],
            )
        );
    }
    Ok(if summary.unreadable > 0 || summary.errors > 0 { ExitStatus::Failure } else { ExitStatus::Success })
}

/// The root node's name (编制单位 of the main output): the input directory's
/// name when there is one, else the output file's stem.
fn root_name(args: &ConsolidateArgs) -> String {
    match args.inputs.as_slice() {
        [one] if one.is_dir() => std::fs::canonicalize(one)
            .ok()
            .and_then(|p| p.file_name().map(|s| s.to_string_lossy().to_string()))
            .unwrap_or_else(|| one.display().to_string()),
        _ => args.output.file_stem().map_or_else(|| "汇总".to_string(), |s| s.to_string_lossy().to_string()),
    }
}

/// The file's directory relative to the input directory it was found under.
fn relative_dir(file: &Path, inputs: &[PathBuf]) -> PathBuf {
    for i in inputs {
        if let Ok(rel) = file.strip_prefix(i) {
            return rel.parent().map(Path::to_path_buf).unwrap_or_default();
        }
    }
    PathBuf::new()
}

fn amount(dep: &Department, table: u8, key: &str, side: Option<&str>, col: &str) -> Option<Decimal> {
    dep.table(table)?.row(&RowKey::Label(key.into()), side)?.get(col).map(|a| a.value)
}

fn unit_row(r: &FileReport, dep: Option<&Department>, unit: Unit, msg: &crate::i18n::Catalog) -> UnitRow {
    let c = r.counts(true);
    let status = match (r.status, c.errors) {
        (Status::Unreadable, _) => "consolidate.status.excluded",
        (_, 0) => "consolidate.status.included",
        _ => "consolidate.status.flagged",
    };
    let mut row = UnitRow {
        path: r.path.clone(),
        department: r.department.clone(),
        year: r.year,
        unit: r.unit.clone(),
        status: msg.text(status, &[]),
        errors: c.errors,
        warnings: c.warnings,
        reason: r.error.clone(),
        ..UnitRow::default()
    };
    if let Some(d) = dep {
        let mut d = d.clone();
        d.convert_unit(unit);
        row.amounts = [
            amount(&d, 1, "本年收入合计", Some("收入"), "决算数"),
            amount(&d, 1, "本年支出合计", Some("支出"), "决算数"),
            amount(&d, 1, "年末结转和结余", Some("支出"), "决算数"),
            amount(&d, 3, "合计", None, "基本支出"),
            amount(&d, 3, "合计", None, "项目支出"),
            amount(&d, 13, "三公经费", None, "决算数/合计"),
        ];
    }
    row
}

/// Balances and writes one node; returns the number of adjusted cells.
fn write_node(path: &Path, n: &Node, unit: Unit, t: &Templates) -> anyhow::Result<usize> {
    let msg = &t.messages;
    let mut dep = n.acc.department(&n.name, &t.layouts);
    let adjustments = round_and_balance(&mut dep, unit, &t.rules, &t.layouts, msg);
    // The consolidated tables' own audit (rounding residues between tables, if any).
    let node_path = msg.text("consolidate.node_path", &[("name", &n.name)]);
    let mut own = crate::check::audit(Path::new(&node_path), &dep, t);
    own.findings.retain(|f| f.rule != "table-missing" || n.units.iter().all(|u| u.reason.is_none()));
    for a in &adjustments {
        let table = t.layouts.table(a.table).map_or_else(String::new, |l| l.title.clone());
        own.findings.push(
            Finding::new(
                "balance-adjustment",
                Severity::Info,
                msg.text(
                    "consolidate.adjustment",
                    &[
                        ("table", &table),
                        ("row", &a.row),
                        ("column", &a.column),
                        ("naive", &crate::rules::eval::fmt(a.naive)),
                        ("written", &crate::rules::eval::fmt(a.written)),
                        ("delta", &crate::rules::eval::fmt(a.written - a.naive)),
                    ],
                ),
            )
            .with_place(Place {
                table: Some(a.table),
                row: Some(a.row.clone()),
                column: Some(a.column.clone()),
            }),
        );
    }
    let [grants, receipts, remits, received] =
        n.offsets.map(|v| (v * Unit::Yuan.factor_to(unit)).normalize());
    if !(grants.is_zero() && receipts.is_zero() && remits.is_zero() && received.is_zero()) {
        let f = crate::rules::eval::fmt;
        own.findings.push(Finding::new(
            "offset-internal",
            Severity::Info,
            msg.text(
                "consolidate.offset_done",
                &[
                    ("grants", &f(grants)),
                    ("receipts", &f(receipts)),
                    ("remits", &f(remits)),
                    ("received", &f(received)),
                ],
            ),
        ));
        if grants != receipts || remits != received {
            own.findings.push(Finding::new(
                "offset-internal-mismatch",
                Severity::Warning,
                msg.text(
                    "consolidate.offset_mismatch",
                    &[
                        ("grants", &f(grants)),
                        ("receipts", &f(receipts)),
                        ("remits", &f(remits)),
                        ("received", &f(received)),
                    ],
                ),
            ));
        }
    }
    let years = n.acc.years();
    if years.len() > 1 {
        let list: Vec<String> = years.iter().map(ToString::to_string).collect();
        own.findings.push(Finding::new(
            "consolidate-mixed-years",
            Severity::Warning,
            msg.text("consolidate.mixed_years", &[("years", &list.join("、"))]),
        ));
    }
    // Model cells of a consolidation are not spreadsheet cells: report them by place only.
    for f in &mut own.findings {
        f.cells.clear();
    }
    let opts = standard::Options {
        department: Some(n.name.clone()),
        year: dep.year,
        unit,
        blank: false,
        style: Default::default(),
    };
    let mut wb =
        standard::workbook(&dep, &t.layouts, msg, &opts).context("building the consolidated workbook")?;
    let mut reports = n.reports.clone();
    reports.push(own);
    add_sheets(&mut wb, &n.units, &reports, msg).context("building 分户表 / 审核结果")?;
    save::save(&mut wb, path)?;
    Ok(adjustments.len())
}
