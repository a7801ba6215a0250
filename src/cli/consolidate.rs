//! `juesuan consolidate`: sum departments into one set of thirteen tables, plus
//! one per directory node with `--by-dir`, with 分户表 and 审核结果.
//!
//! Files are read and audited in parallel in bounded chunks and folded in
//! sorted-path order into running exact sums per node; each input's 分户表 row,
//! 审核结果 rows and JSON report go to a spool on disk. Memory therefore holds
//! the sums, one chunk of departments and a few bytes per input, however many
//! inputs there are, and the output does not depend on thread timing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Ctx, ExitStatus};
use crate::check::{FileReport, Status};
use crate::consolidate::Accumulator;
use crate::consolidate::balance::round_and_balance;
use crate::consolidate::offset::{self, Role};
use crate::consolidate::spool::{Ranges, Spool};
use crate::finding::{Finding, Place, Severity};
use crate::model::{Department, RowKey, Unit};
use crate::report::consolidate_xlsx::{UnitRow, add_findings_sheet, add_units_sheet};
use crate::report::findings_xlsx::{self, FindingRow};
use crate::report::{save, standard};
use crate::template::Templates;

/// Sums every readable department workbook under INPUT into the standard tables.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan consolidate samples/county/某市 -o out/某市汇总.xlsx --by-dir out/某市\n  juesuan consolidate 报送/ -o 汇总.xlsx --unit 元 --json 汇总.json --quiet"
)]
pub struct ConsolidateArgs {
    /// Workbooks or directories (searched recursively).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The consolidated workbook (not inside an input directory).
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
    /// Last year's workbooks or directories: 上年对比 sheet, 年初 = 上年年末 checks.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub prior: Vec<PathBuf>,
}

/// The monitor-readable summary (`files` is streamed after it).
#[derive(Debug, Default, Serialize)]
struct Summary {
    tool: &'static str,
    version: &'static str,
    /// Input workbooks found (a 绩效自评表 in the batch is skipped, not counted).
    inputs: usize,
    /// Inputs read and summed (with or without findings).
    read: usize,
    /// Inputs that could not be read: excluded from the sums.
    unreadable: usize,
    /// Read inputs with at least one error-level finding: summed and flagged.
    with_errors: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Cells written differently from ordinary rounding (舍位平衡), all nodes.
    adjustments: usize,
    unit: &'static str,
    /// Every workbook written: the main output first, then the nodes.
    outputs: Vec<String>,
    /// Path and reason of each unreadable input.
    unreadable_files: Vec<Excluded>,
    /// For each table, how many read inputs lacked it (missing or unreadable).
    missing_tables: BTreeMap<u8, usize>,
    /// cli.md's batch totals, as `check` gives them.
    summary: crate::check::Summary,
}

#[derive(Debug, Serialize)]
struct Excluded {
    path: String,
    reason: String,
}

/// A directory node: its name, running sums and where its inputs' records are.
struct Node {
    name: String,
    output: PathBuf,
    acc: Accumulator,
    /// 冲抵 totals in 元: (supervisor's grants, subordinates' receipts,
    /// subordinates' remittances, supervisor's receipts).
    offsets: [Decimal; 4],
    units: Ranges,
    findings: Ranges,
}

/// The three spools: 分户表 rows, 审核结果 rows, JSON reports.
struct Spools {
    units: Spool,
    findings: Spool,
    files: Spool,
    all_files: Ranges,
}

/// Files read in parallel per chunk: at most this many departments are in
/// memory at once, and results are folded in sorted-path order.
const CHUNK: usize = 64;

pub fn run(args: &ConsolidateArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let t = &ctx.templates;
    let msg = &t.messages;
    let json = args.json.as_deref().filter(|j| j.as_os_str() != "-");
    let outputs: Vec<&Path> = std::iter::once(args.output.as_path()).chain(json).collect();
    let Some(mut inputs) = super::batch_inputs(&args.inputs, &outputs, msg)? else {
        return Ok(ExitStatus::Error);
    };
    super::drop_identical(&mut inputs, msg);
    let root_name = root_name(args);
    let tree = Tree::new(args, &inputs.files);
    // Every output is known before anything is read: refuse the unsafe ones now.
    let mut nodes: BTreeMap<PathBuf, Node> = BTreeMap::new();
    for key in tree.nodes(args.by_dir.is_some()) {
        let (name, output) = if key.as_os_str().is_empty() {
            (root_name.clone(), args.output.clone())
        } else {
            let Some(dir) = &args.by_dir else { continue };
            let name = key.file_name().map_or_else(String::new, |s| s.to_string_lossy().to_string());
            (name, node_file(dir, &key))
        };
        let node = Node {
            name,
            output,
            acc: Accumulator::default(),
            offsets: [Decimal::ZERO; 4],
            units: Ranges::default(),
            findings: Ranges::default(),
        };
        nodes.insert(key, node);
    }
    if let Some(refusal) = refuse_outputs(args, &inputs.found(), &nodes, msg) {
        return Err(crate::error::Error::Usage(refusal).into());
    }
    let planned: Vec<&Path> = nodes.values().map(|n| n.output.as_path()).chain(json).collect();
    let mut out = super::plan_outputs(&planned, msg)?;

    let mut spools = Spools {
        units: Spool::new().context("creating a temporary file")?,
        findings: Spool::new().context("creating a temporary file")?,
        files: Spool::new().context("creating a temporary file")?,
        all_files: Ranges::default(),
    };
    let mut summary = Summary {
        tool: "juesuan",
        version: env!("CARGO_PKG_VERSION"),
        unit: args.unit.as_str(),
        ..Summary::default()
    };
    let prior = super::load_prior(&args.prior, ctx)?;
    let lookup = prior.as_ref().map(|set| crate::check::PriorLookup { set, roots: &args.inputs });
    let mut prior_totals = prior.as_ref().map(|p| crate::prior::node_totals(p, nodes.keys()));
    let bar = super::progress(inputs.files.len(), ctx.global.quiet, "progress.consolidate", msg);
    for chunk in inputs.files.chunks(CHUNK) {
        let results: Vec<(FileReport, Option<Department>)> = chunk
            .par_iter()
            .map(|p| {
                let r = crate::check::check_file_with(p, t, lookup);
                bar.inc(1);
                r
            })
            .collect();
        for ((report, dep), path) in results.into_iter().zip(chunk) {
            fold(args, t, &tree, path, report, dep, &mut nodes, &mut spools, &mut summary)?;
        }
    }
    bar.finish_and_clear();
    let totals = &summary.summary;
    (summary.inputs, summary.unreadable, summary.with_errors) =
        (totals.files, totals.unreadable, totals.with_errors);
    (summary.errors, summary.warnings, summary.infos) = (totals.errors, totals.warnings, totals.infos);
    summary.read = totals.files - totals.unreadable;

    drop(prior);
    for (key, n) in &mut nodes {
        let last_year = prior_totals.as_mut().map(|p| p.remove(key).unwrap_or_default());
        summary.adjustments += write_node(n, args.unit, t, &mut spools, last_year.as_ref(), &mut out)?;
        // The root (empty key) sorts first: the main output, then the nodes.
        summary.outputs.push(n.output.display().to_string());
    }

    if let Some(j) = &args.json {
        write_json(j, &summary, &mut spools, &mut out)?;
    }
    // Every output was written: only now do they replace the old ones.
    out.commit()?;
    // The summary is what `--quiet` keeps; then every output, by name.
    eprintln!(
        "{}",
        msg.text(
            "consolidate.summary",
            &[
                ("inputs", &summary.inputs),
                ("read", &summary.read),
                ("with_errors", &summary.with_errors),
                ("unreadable", &summary.unreadable),
                ("outputs", &summary.outputs.len()),
            ],
        )
    );
    // Tables that could not be summed are part of the summary, even with --quiet.
    if !summary.missing_tables.is_empty() {
        let parts: Vec<String> = summary
            .missing_tables
            .iter()
            .map(|(n, c)| {
                msg.text("consolidate.missing_table", &[("table", &format!("T{n:02}")), ("count", c)])
            })
            .collect();
        eprintln!("{}", msg.text("consolidate.missing_tables", &[("tables", &parts.join("，"))]));
    }
    let mut named: Vec<String> = summary.outputs.first().cloned().into_iter().collect();
    if let Some(dir) = &args.by_dir {
        let n = summary.outputs.len().saturating_sub(1);
        named.push(msg.text("console.outputs_by_dir", &[("dir", &dir.display()), ("n", &n)]));
    }
    named.extend(args.json.iter().map(|j| j.display().to_string()));
    if let Some(line) = super::outputs_line(&named, msg) {
        eprintln!("{line}");
    }
    Ok(if summary.unreadable > 0 || summary.errors > 0 { ExitStatus::Failure } else { ExitStatus::Success })
}

/// Folds one input into every node above it and spools its records.
#[allow(clippy::too_many_arguments)]
fn fold(
    args: &ConsolidateArgs,
    t: &Templates,
    tree: &Tree,
    path: &Path,
    mut report: FileReport,
    dep: Option<Department>,
    nodes: &mut BTreeMap<PathBuf, Node>,
    spools: &mut Spools,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let msg = &t.messages;
    if report.other_kind {
        let reason = report.error.clone().unwrap_or_default();
        eprintln!("{}", msg.text("inputs.skipped", &[("path", &report.path), ("reason", &reason)]));
        return Ok(());
    }
    if report.status == Status::Unreadable {
        let reason = report.error.clone().unwrap_or_default();
        eprintln!("{}", msg.text("consolidate.excluded", &[("path", &report.path), ("reason", &reason)]));
        summary.unreadable_files.push(Excluded { path: report.path.clone(), reason });
    }
    // 冲抵: the unit enters the nodes from its offset scope upwards without its
    // internal flows, and the nodes below that scope as submitted.
    let dir = tree.dir_of(path);
    let role = args.offset_internal.then(|| offset::role_of(path)).flatten();
    let scope = role.and_then(|r| tree.offset_scope(&dir, r));
    if role.is_some() && scope.is_none() && dep.is_some() {
        report.findings.push(Finding::new(
            "offset-unmatched",
            Severity::Warning,
            msg.text("consolidate.offset_unmatched", &[]),
        ));
        report.refresh_status();
    }
    // Counted once, in cli.md's totals; the top-level fields are copied from them at the end.
    let c = report.counts(true);
    let totals = &mut summary.summary;
    totals.files += 1;
    totals.errors += c.errors;
    totals.warnings += c.warnings;
    totals.infos += c.infos;
    totals.with_errors += usize::from(c.errors > 0);
    match report.status {
        Status::Unreadable => totals.unreadable += 1,
        Status::Ok => totals.ok += 1,
        Status::Findings => {}
    }

    if report.status != Status::Unreadable {
        for n in &report.missing_tables {
            *summary.missing_tables.entry(*n).or_insert(0) += 1;
        }
    }
    let unit_range = spools.units.push(&unit_row(&report, dep.as_ref(), args.unit, msg))?;
    let finding_range = spools.findings.push(&findings_xlsx::rows(&report))?;
    let file_range = spools.files.push(&report)?;
    spools.all_files.push(file_range);
    drop(report);

    let (stripped, offsets) = match (&dep, role, &scope) {
        (Some(d), Some(role), Some(_)) => {
            let mut s = d.clone();
            let f = s.unit.unwrap_or_default().factor_to(Unit::Yuan);
            let removed = offset::strip(&mut s, role);
            let (inc, exp) = (removed.income * f, removed.expenditure * f);
            let offsets = match role {
                Role::Supervisor => [exp, Decimal::ZERO, Decimal::ZERO, inc],
                Role::Subordinate => [Decimal::ZERO, inc, exp, Decimal::ZERO],
            };
            (Some(s), offsets)
        }
        _ => (None, [Decimal::ZERO; 4]),
    };
    let depth_of_scope = scope.as_ref().map(|s| s.components().count());
    for (depth, key) in tree.ancestors(&dir).into_iter().enumerate() {
        let Some(n) = nodes.get_mut(&key) else { continue };
        let offset_here = depth_of_scope.is_some_and(|s| depth <= s);
        let version = if offset_here { stripped.as_ref().or(dep.as_ref()) } else { dep.as_ref() };
        if let Some(d) = version {
            n.acc.add(d);
        }
        if offset_here {
            for (o, v) in n.offsets.iter_mut().zip(offsets) {
                *o += v;
            }
        }
        n.units.push(unit_range.clone());
        n.findings.push(finding_range.clone());
    }
    Ok(())
}

/// The directory tree of the inputs, as node keys (relative paths; the root is empty).
struct Tree {
    /// Each input argument and the key its files go under.
    roots: Vec<(PathBuf, PathBuf)>,
    /// Node keys that directly contain a `[主管]` file.
    supervised: BTreeSet<PathBuf>,
    /// The node key of every input file.
    dirs: BTreeSet<PathBuf>,
}

impl Tree {
    fn new(args: &ConsolidateArgs, files: &[PathBuf]) -> Self {
        // One input directory is the root; several are each a node under it,
        // two of the same name (`a/甲县`, `b/甲县`) two nodes (`甲县`, `甲县~2`).
        let many = args.inputs.len() > 1;
        let mut used: BTreeMap<String, usize> = BTreeMap::new();
        let roots = args
            .inputs
            .iter()
            .filter(|i| i.is_dir())
            .map(|i| {
                let key = match named(i).filter(|_| many) {
                    Some(n) => {
                        let k = used.entry(n.clone()).or_insert(0);
                        *k += 1;
                        PathBuf::from(if *k == 1 { n } else { format!("{n}~{k}") })
                    }
                    None => PathBuf::new(),
                };
                (i.clone(), key)
            })
            .collect();
        let mut tree = Self { roots, supervised: BTreeSet::new(), dirs: BTreeSet::new() };
        for f in files {
            let d = tree.dir_of(f);
            if offset::role_of(f) == Some(Role::Supervisor) {
                tree.supervised.insert(d.clone());
            }
            tree.dirs.insert(d);
        }
        tree
    }

    /// The node key of a file: its directory relative to the input it came from.
    fn dir_of(&self, file: &Path) -> PathBuf {
        for (input, key) in &self.roots {
            if let Ok(rel) = file.strip_prefix(input) {
                return key.join(rel.parent().unwrap_or(Path::new("")));
            }
        }
        PathBuf::new()
    }

    /// `dir` and every node above it, root first.
    fn ancestors(&self, dir: &Path) -> Vec<PathBuf> {
        let mut out = vec![PathBuf::new()];
        let mut acc = PathBuf::new();
        for c in dir.components() {
            acc.push(c);
            out.push(acc.clone());
        }
        out
    }

    /// Every node to write: the root, and with `by_dir` every directory above a file.
    fn nodes(&self, by_dir: bool) -> BTreeSet<PathBuf> {
        let mut out = BTreeSet::from([PathBuf::new()]);
        if by_dir {
            for d in &self.dirs {
                out.extend(self.ancestors(d));
            }
        }
        out
    }

    /// The node whose consolidation offsets a marked unit's internal flows: for
    /// a supervisor its own directory; for a subordinate the nearest directory
    /// at or above its own that holds a supervisor. `None`: no counterpart.
    fn offset_scope(&self, dir: &Path, role: Role) -> Option<PathBuf> {
        match role {
            Role::Supervisor => Some(dir.to_path_buf()),
            Role::Subordinate => self.ancestors(dir).into_iter().rev().find(|a| self.supervised.contains(a)),
        }
    }
}

fn named(p: &Path) -> Option<String> {
    std::fs::canonicalize(p).ok().and_then(|c| c.file_name().map(|s| s.to_string_lossy().to_string()))
}

/// A node's workbook under OUTDIR: each directory name made safe for a file
/// name (`text::file_name`), `.xlsx` appended (a node named `2024.上半年`
/// keeps its whole name).
fn node_file(dir: &Path, key: &Path) -> PathBuf {
    let parts: Vec<String> = key.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let mut file = dir.to_path_buf();
    for (i, p) in parts.iter().enumerate() {
        file.push(crate::text::file_name(p, if i + 1 == parts.len() { ".xlsx" } else { "" }));
    }
    file
}

/// The root node's name (编制单位 of the main output): the input directory's
/// name when there is one, else the output file's stem.
fn root_name(args: &ConsolidateArgs) -> String {
    match args.inputs.as_slice() {
        [one] if one.is_dir() => named(one).unwrap_or_else(|| one.display().to_string()),
        _ => args.output.file_stem().map_or_else(|| "汇总".to_string(), |s| s.to_string_lossy().to_string()),
    }
}

/// `p` made absolute through its nearest existing ancestor (outputs may not exist yet).
fn absolute(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    };
    let mut base = p.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(base) {
            let mut out = c;
            out.extend(rest.iter().rev());
            return out;
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return p,
        }
    }
}

/// Why the planned outputs cannot be written, if they cannot: an output that is
/// an input, a workbook output inside an input directory (the next night's run
/// would read it as an input), or two outputs on one path.
fn refuse_outputs(
    args: &ConsolidateArgs,
    files: &[PathBuf],
    nodes: &BTreeMap<PathBuf, Node>,
    msg: &crate::i18n::Catalog,
) -> Option<String> {
    // The main output and the JSON were checked with the inputs (`batch_inputs`).
    for o in nodes.values().map(|n| &n.output) {
        if files.iter().any(|f| super::same_file(f, o)) {
            return Some(msg.text("common.output_is_input", &[("path", &o.display())]));
        }
    }
    let dirs: Vec<PathBuf> = args.inputs.iter().filter(|i| i.is_dir()).map(|i| absolute(i)).collect();
    let mut seen = BTreeSet::new();
    for o in nodes.values().map(|n| &n.output) {
        let abs = absolute(o);
        if let Some(d) = dirs.iter().find(|d| abs.starts_with(d)) {
            return Some(
                msg.text("consolidate.output_in_input", &[("path", &o.display()), ("dir", &d.display())]),
            );
        }
        if !seen.insert(abs) {
            return Some(msg.text("consolidate.output_twice", &[("path", &o.display())]));
        }
    }
    None
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
        tables_read: r.tables_read_text(),
        tables_missing: crate::check::tables_missing_words(r, msg),
        ..UnitRow::default()
    };
    if let Some(d) = dep {
        let f =
            |table: u8| d.table(table).and_then(|t| t.unit).or(d.unit).unwrap_or_default().factor_to(unit);
        let conv = |table: u8, v: Option<Decimal>| v.map(|v| (v * f(table)).normalize());
        row.amounts = [
            conv(1, amount(d, 1, "本年收入合计", Some("收入"), "决算数")),
            conv(1, amount(d, 1, "本年支出合计", Some("支出"), "决算数")),
            conv(1, amount(d, 1, "年末结转和结余", Some("支出"), "决算数")),
            conv(3, amount(d, 3, "合计", None, "基本支出")),
            conv(3, amount(d, 3, "合计", None, "项目支出")),
            conv(13, amount(d, 13, "三公经费", None, "决算数/合计")),
        ];
    }
    row
}

/// Balances and writes one node; returns the number of adjusted cells.
fn write_node(
    n: &Node,
    unit: Unit,
    t: &Templates,
    spools: &mut Spools,
    last_year: Option<&Accumulator>,
    out: &mut save::OutputSet,
) -> anyhow::Result<usize> {
    let msg = &t.messages;
    let mut dep = n.acc.department(&n.name, &t.layouts);
    let adjustments = round_and_balance(&mut dep, unit, &t.rules, &t.layouts, msg);
    // The consolidated tables' own audit (rounding residues between tables, if any).
    let node_path = msg.text("consolidate.node_path", &[("name", &n.name)]);
    let mut own = crate::check::audit(Path::new(&node_path), &dep, t);
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
        let words = [
            ("grants", f(grants)),
            ("receipts", f(receipts)),
            ("remits", f(remits)),
            ("received", f(received)),
        ];
        let args: Vec<(&str, &dyn std::fmt::Display)> =
            words.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
        own.findings.push(Finding::new(
            "offset-internal",
            Severity::Info,
            msg.text("consolidate.offset_done", &args),
        ));
        if grants != receipts || remits != received {
            own.findings.push(Finding::new(
                "offset-internal-mismatch",
                Severity::Warning,
                msg.text("consolidate.offset_mismatch", &args),
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
    let figures = last_year.map(|p| crate::prior::node_figures(&dep, p, &n.name, unit, t));
    drop(dep);
    let io = |e: std::io::Error| anyhow::Error::from(e).context("reading the spooled results");
    let units = spools.units.read::<UnitRow>(&n.units).map_err(io)?.map(|r| r.map_err(io));
    add_units_sheet(&mut wb, units, msg).context("building 分户表")?;
    let inputs = spools.findings.read::<Vec<FindingRow>>(&n.findings).map_err(io)?;
    let rows = inputs
        .flat_map(|r| match r {
            Ok(rows) => rows.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(io(e))],
        })
        .chain(findings_xlsx::rows(&own).into_iter().map(Ok));
    add_findings_sheet(&mut wb, rows, msg).context("building 审核结果")?;
    if let Some(figures) = &figures {
        crate::report::prior_xlsx::add_prior_sheet(&mut wb, &n.name, figures, unit, msg)
            .context("building 上年对比")?;
    }
    out.save(&mut wb, &n.output)?;
    Ok(adjustments.len())
}

/// Writes the summary, then streams `files` (cli.md's per-file reports) from the spool.
fn write_json(
    path: &Path,
    summary: &Summary,
    spools: &mut Spools,
    out: &mut save::OutputSet,
) -> anyhow::Result<()> {
    let head = serde_json::to_string_pretty(summary)?;
    let head = head.trim_end().strip_suffix('}').unwrap_or(&head).trim_end().to_string();
    let lines = spools.files.lines(&spools.all_files)?;
    let fill = |w: &mut dyn Write| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(w);
        write!(w, "{head},\n  \"files\": [")?;
        for (i, line) in lines.enumerate() {
            write!(w, "{}\n    {}", if i == 0 { "" } else { "," }, line?)?;
        }
        writeln!(w, "\n  ]\n}}")?;
        w.flush()
    };
    if path == Path::new("-") {
        fill(&mut std::io::stdout().lock())?;
    } else {
        out.stage_with(path, |f| fill(f))?;
    }
    Ok(())
}
