//! A consolidation run: inputs folded in sorted-path order into running exact
//! sums per directory node, then each node balanced, audited and written.
//!
//! Each input's 分户表 row, 审核结果 rows and JSON report go to a spool on disk,
//! so memory holds the sums, one chunk of departments and a few bytes per
//! input, however many inputs there are. The caller says how a file is read
//! and what is printed; this module drives the reading (in parallel), folds on
//! a thread of its own and decides what each input contributes where.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;

use super::Accumulator;
use super::balance::round_and_balance;
use super::node::{self, Offsets};
use super::offset;
use super::pairs::{self, NodePairs};
use super::tree::Tree;
use crate::config::Templates;
use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::model::{Department, RowKey, Unit};
use crate::outcome::{FileReport, OffsetRow, Role, Status};
use crate::report::balance_xlsx::{add_adjustments_sheet, add_offsets_sheet};
use crate::report::consolidate_xlsx::{UnitRow, add_findings_sheet, add_units_sheet};
use crate::report::findings_xlsx::{self, FindingRow};
use crate::report::{save, standard};
use crate::spool::{Lines, Ranges, Spool};

/// Files read in parallel per chunk: at most two chunks of departments are in
/// memory at once (one read, one folded), and results are folded in
/// sorted-path order.
const CHUNK: usize = 32;

/// What the run produces, beyond its inputs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Unit of the output.
    pub unit: Unit,
    /// Offset internal flows between marked units (冲抵).
    pub offset_internal: bool,
    /// List the inputs' notes (提示) in 审核结果, not only count them in 分户表.
    pub with_info: bool,
    /// `--json`: each input's report is kept (spooled) for it; without it the
    /// reports are not serialised at all.
    pub json: bool,
}

/// The monitor-readable summary (cli.md § consolidate).
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub tool: &'static str,
    pub version: &'static str,
    /// Input workbooks found (a 绩效自评表 in the batch is skipped, not counted).
    pub inputs: usize,
    /// Inputs read and summed (with or without findings).
    pub read: usize,
    /// Inputs that could not be read: excluded from the sums.
    pub unreadable: usize,
    /// Read inputs with at least one error-level finding: summed and flagged.
    pub with_errors: usize,
    #[serde(flatten)]
    pub counts: crate::finding::Counts,
    /// Cells written differently from ordinary rounding (舍位平衡), all nodes.
    pub adjustments: usize,
    pub unit: &'static str,
    /// Every workbook written: the main output first, then the nodes.
    pub outputs: Vec<String>,
    /// Path and reason of each unreadable input.
    pub unreadable_files: Vec<Excluded>,
    /// For each table, how many read inputs lacked it (missing or unreadable).
    pub missing_tables: BTreeMap<u8, usize>,
    pub summary: Totals,
}

/// cli.md's batch totals: the inputs' as `check` gives them, then the
/// consolidated workbooks' own findings (every node's audit).
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    #[serde(flatten)]
    pub inputs: crate::outcome::Summary,
    pub output_errors: usize,
    pub output_warnings: usize,
}

impl Summary {
    /// Exit status 1 (cli.md): an unreadable input, an input error, or an
    /// error in a consolidated workbook itself.
    pub fn failed(&self) -> bool {
        self.unreadable > 0 || self.counts.errors > 0 || self.summary.output_errors > 0
    }

    /// The lines `consolidate` ends with, kept by `--quiet`: inputs read, the
    /// consolidated workbooks' own audit, and the tables some inputs lacked.
    pub fn console_lines(&self, msg: &crate::i18n::Catalog) -> Vec<String> {
        let summary = self;
        let mut out = vec![
            msg.text(
                "consolidate.summary",
                &[
                    ("inputs", &summary.inputs),
                    ("read", &summary.read),
                    ("with_errors", &summary.with_errors),
                    ("unreadable", &summary.unreadable),
                    ("outputs", &summary.outputs.len()),
                ],
            ),
            msg.text(
                "consolidate.output_findings",
                &[
                    ("errors", &summary.summary.output_errors),
                    ("warnings", &summary.summary.output_warnings),
                    ("adjustments", &summary.adjustments),
                ],
            ),
        ];
        if !summary.missing_tables.is_empty() {
            let parts: Vec<String> = summary
                .missing_tables
                .iter()
                .map(|(n, c)| {
                    msg.text("consolidate.missing_table", &[("table", &format!("T{n:02}")), ("count", c)])
                })
                .collect();
            out.push(msg.text("consolidate.missing_tables", &[("tables", &parts.join("，"))]));
        }
        out
    }
}

#[derive(Debug, Serialize)]
pub struct Excluded {
    pub path: String,
    pub reason: String,
}

/// A directory node: its name, running sums and where its inputs' records are.
pub struct Node {
    pub name: String,
    pub output: PathBuf,
    acc: Accumulator,
    offsets: Offsets,
    /// Every offset made in this node, by unit (for 冲抵调整).
    offset_rows: Vec<OffsetRow>,
    units: Ranges,
    findings: Ranges,
    /// `--units`: the paired units summed here (settled before writing).
    pairs: NodePairs,
    /// Findings of the units-file 冲抵 about this node (what stays unpaired).
    notes: Vec<Finding>,
}

impl Node {
    pub fn new(name: String, output: PathBuf) -> Self {
        Self {
            name,
            output,
            acc: Accumulator::default(),
            offsets: Offsets::default(),
            offset_rows: Vec::new(),
            units: Ranges::default(),
            findings: Ranges::default(),
            pairs: NodePairs::default(),
            notes: Vec::new(),
        }
    }
}

/// The three spools: 分户表 rows, 审核结果 rows, JSON reports.
struct Spools {
    units: Spool,
    findings: Spool,
    files: Spool,
    all_files: Ranges,
}

/// One consolidation run.
pub struct Batch<'t> {
    t: &'t Templates,
    opts: Options,
    tree: Tree,
    nodes: BTreeMap<PathBuf, Node>,
    spools: Spools,
    /// Last year's sums per node (`--prior`), for each node's 上年对比 sheet.
    prior: Option<BTreeMap<PathBuf, Accumulator>>,
    /// `--units`: roles, 单位代码 and pairs for 冲抵 (instead of file-name markers).
    units: Option<super::units::Units>,
    pub summary: Summary,
}

fn io(e: std::io::Error) -> Error {
    Error::Output { path: PathBuf::from("(spool)"), message: e.to_string() }
}

impl<'t> Batch<'t> {
    /// A run over `tree` writing `nodes` (keyed by node; the root key is empty).
    ///
    /// # Errors
    /// When no temporary file can be created for the spools.
    pub fn new(
        t: &'t Templates,
        opts: Options,
        tree: Tree,
        nodes: BTreeMap<PathBuf, Node>,
    ) -> Result<Self, Error> {
        let spools = Spools {
            units: Spool::new().map_err(io)?,
            findings: Spool::new().map_err(io)?,
            files: Spool::new().map_err(io)?,
            all_files: Ranges::default(),
        };
        let summary = Summary {
            tool: "juesuan",
            version: env!("CARGO_PKG_VERSION"),
            unit: opts.unit.as_str(),
            ..Summary::default()
        };
        Ok(Self { t, opts, tree, nodes, spools, prior: None, units: None, summary })
    }

    /// The node keys, root first (to sum last year's accounts per node).
    pub fn node_keys(&self) -> impl Iterator<Item = &PathBuf> {
        self.nodes.keys()
    }

    /// Last year's sums per node: each node then gets a 上年对比 sheet.
    pub fn set_prior(&mut self, totals: BTreeMap<PathBuf, Accumulator>) {
        self.prior = Some(totals);
    }

    /// `--units`: 冲抵 between the units the file pairs, 单位代码 in 分户表.
    pub fn set_units(&mut self, units: super::units::Units) {
        self.units = Some(units);
    }

    /// Reads and folds every file, in sorted-path order: `read` runs on the
    /// rayon pool a chunk at a time, while this batch folds the chunk before
    /// on a thread of its own — summing, finding rows and spooling overlap
    /// with reading instead of leaving a core idle between chunks (issue 16).
    /// At most two chunks of departments are in memory. `notice` gets the
    /// console line of each skipped or excluded input.
    ///
    /// # Errors
    /// When the spool cannot be written; reading stops at the next chunk.
    pub fn fold_all<R, N>(&mut self, files: &[PathBuf], read: R, notice: N) -> Result<(), Error>
    where
        R: Fn(&Path) -> (FileReport, Option<Department>) + Sync,
        N: Fn(String) + Send,
    {
        use rayon::prelude::*;
        // A rendezvous channel: the next chunk is read while this one is
        // folded, and waits for the fold to take it.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(FileReport, Option<Department>)>>(0);
        std::thread::scope(|scope| {
            let folder = scope.spawn(move || -> Result<(), Error> {
                for (results, chunk) in rx.into_iter().zip(files.chunks(CHUNK)) {
                    for ((report, dep), path) in results.into_iter().zip(chunk) {
                        if let Some(line) = self.fold(path, report, dep)? {
                            notice(line);
                        }
                    }
                }
                Ok(())
            });
            for chunk in files.chunks(CHUNK) {
                let results: Vec<_> = chunk.par_iter().map(|p| read(p)).collect();
                // The folder stopped (an error it returns below): read no more.
                if tx.send(results).is_err() {
                    break;
                }
            }
            drop(tx);
            folder.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// Folds one input into every node above it and spools its records.
    /// Returns a line for the console when the input is skipped or excluded.
    ///
    /// # Errors
    /// When the spool cannot be written.
    pub fn fold(
        &mut self,
        path: &Path,
        mut report: FileReport,
        dep: Option<Department>,
    ) -> Result<Option<String>, Error> {
        let msg = &self.t.messages;
        if report.other_kind {
            let reason = report.error.clone().unwrap_or_default();
            return Ok(Some(msg.text("inputs.skipped", &[("path", &report.path), ("reason", &reason)])));
        }
        let mut notice = None;
        if report.status == Status::Unreadable {
            let reason = report.error.clone().unwrap_or_default();
            notice = Some(msg.text("consolidate.excluded", &[("path", &report.path), ("reason", &reason)]));
            self.summary.unreadable_files.push(Excluded { path: report.path.clone(), reason });
        }
        // 冲抵: the unit enters the nodes from its offset scope upwards without its
        // internal flows, and the nodes below that scope as submitted.
        let dir = self.tree.dir_of(path);
        let entry = self
            .units
            .as_ref()
            .and_then(|u| u.find(path, dep.as_ref().and_then(|d| d.department.as_deref())));
        // With a units file, roles and pairs come from it (`pairs`), not from file names.
        let by_name = self.opts.offset_internal && self.units.is_none();
        let role = by_name.then(|| self.tree.role(path)).flatten();
        let (sup, sub) = self.paired(entry, dep.as_ref(), &mut report);
        let scope = role.and_then(|r| self.tree.offset_scope(&dir, r));
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
        let totals = &mut self.summary.summary.inputs;
        totals.files += 1;
        totals.counts += c;
        totals.with_errors += usize::from(c.errors > 0);
        match report.status {
            Status::Unreadable => totals.unreadable += 1,
            Status::Ok => totals.ok += 1,
            Status::Findings => {}
        }
        if report.status != Status::Unreadable {
            for n in &report.missing_tables {
                *self.summary.missing_tables.entry(*n).or_insert(0) += 1;
            }
        }

        let (stripped, offsets) = match (&dep, role, &scope) {
            (Some(d), Some(role), Some(_)) => {
                let mut s = d.clone();
                let f = s.unit.unwrap_or_default().factor_to(Unit::Yuan);
                let removed = offset::strip(
                    &mut s,
                    offset::flows(&self.t.consolidate, role),
                    &self.t.consolidate.offset.totals,
                );
                let (inc, exp) = (removed.income * f, removed.expenditure * f);
                let offsets = match role {
                    Role::Supervisor => Offsets { grants: exp, received: inc, ..Offsets::default() },
                    Role::Subordinate => Offsets { receipts: inc, remits: exp, ..Offsets::default() },
                };
                (Some(s), offsets)
            }
            _ => (None, Offsets::default()),
        };
        let mut row = unit_row(&report, dep.as_ref(), self.opts.unit, self.t);
        row.code = entry.map(|e| e.code.clone());
        if let Some(s) = &sub {
            let to = Unit::Yuan.factor_to(self.opts.unit);
            let cents = |v: Decimal| {
                (v * to).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            };
            row.offset = Some([cents(s.receipts), cents(s.remits)]);
        }
        if let Some(role) = role.filter(|_| scope.is_some()) {
            let to = Unit::Yuan.factor_to(self.opts.unit);
            let (inc, exp) = match role {
                Role::Supervisor => (offsets.received, offsets.grants),
                Role::Subordinate => (offsets.receipts, offsets.remits),
            };
            let cents = |v: Decimal| {
                (v * to).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            };
            row.offset = Some([cents(inc), cents(exp)]);
        }
        let offset_row = role.filter(|_| stripped.is_some()).map(|role| {
            let fl = offset::flows(&self.t.consolidate, role);
            let (inc, exp) = match role {
                Role::Supervisor => (offsets.received, offsets.grants),
                Role::Subordinate => (offsets.receipts, offsets.remits),
            };
            OffsetRow {
                path: report.path.clone(),
                department: report.department.clone(),
                role,
                income: (fl.income.clone(), inc),
                expenditure: (fl.expenditure.clone(), exp),
            }
        });
        let unit_range = self.spools.units.push(&row).map_err(io)?;
        let finding_range =
            self.spools.findings.push(&listed_rows(&report, self.opts.with_info)).map_err(io)?;
        if self.opts.json {
            let file_range = self.spools.files.push(&report).map_err(io)?;
            self.spools.all_files.push(file_range);
        }
        drop(report);

        let depth_of_scope = scope.as_ref().map(|s| s.components().count());
        for (depth, key) in Tree::ancestors(&dir).into_iter().enumerate() {
            let Some(n) = self.nodes.get_mut(&key) else { continue };
            let offset_here = depth_of_scope.is_some_and(|s| depth <= s);
            let version = if offset_here { stripped.as_ref().or(dep.as_ref()) } else { dep.as_ref() };
            if let Some(d) = version {
                n.acc.add(d);
            }
            if offset_here {
                n.offsets.add(&offsets);
                n.offset_rows.extend(offset_row.clone());
            }
            if let Some(e) = entry.filter(|_| dep.is_some()) {
                n.pairs.add(&e.code, sup.as_ref(), sub.as_ref());
            }
            n.units.push(unit_range.clone());
            n.findings.push(finding_range.clone());
        }
        Ok(notice)
    }

    /// Balances, audits and writes every node (the root first), completing
    /// the summary.
    ///
    /// # Errors
    /// When a workbook cannot be built or written.
    pub fn write_nodes(&mut self, out: &mut save::OutputSet) -> Result<(), Error> {
        let s = &mut self.summary;
        let totals = &s.summary.inputs;
        (s.inputs, s.unreadable, s.with_errors) = (totals.files, totals.unreadable, totals.with_errors);
        s.counts = totals.counts;
        s.read = totals.files - totals.unreadable;
        let keys: Vec<PathBuf> = self.nodes.keys().cloned().collect();
        for k in keys {
            let Some(mut n) = self.nodes.remove(&k) else { continue };
            if self.units.is_some() {
                let (rows, offsets, notes) = n.pairs.settle(&mut n.acc, self.opts.unit, self.t);
                n.offset_rows.extend(rows);
                n.offsets.add(&offsets);
                n.notes = notes;
            }
            let last_year = self.prior.as_mut().map(|p| p.remove(&k).unwrap_or_default());
            self.write_node(&n, last_year.as_ref(), out)?;
            self.summary.outputs.push(n.output.display().to_string());
        }
        Ok(())
    }

    /// Balances, audits and writes one node (staged in `out`: nothing replaces
    /// an old output until every output of the run is written).
    fn write_node(
        &mut self,
        n: &Node,
        last_year: Option<&Accumulator>,
        out: &mut save::OutputSet,
    ) -> Result<(), Error> {
        let t = self.t;
        let msg = &t.messages;
        let unit = self.opts.unit;
        let mut dep = n.acc.department(&n.name, &t.layouts);
        let adjustments = round_and_balance(&mut dep, unit, &n.acc.slack(), &t.rules, &t.layouts, msg);
        // The consolidated tables audited like an input: what `check` of the
        // written workbook reports.
        let node_path = msg.text("consolidate.node_path", &[("name", &n.name)]);
        let mut own = crate::check::audit(Path::new(&node_path), &dep, t);
        own.findings.extend(node::offset_findings(&n.offsets, unit, t));
        own.findings.extend(n.notes.iter().cloned());
        own.findings.extend(node::partial_column_findings(&n.acc.partial_columns(), t));
        own.findings.extend(node::mixed_form_findings(&n.acc.mixed_forms(), t));
        own.findings.extend(node::year_findings(&n.acc.years(), t));
        // The node's own findings, every kind, counted once (strict: a 说明
        // does not waive a consolidation's own finding).
        let c = own.counts(true);
        self.summary.summary.output_errors += c.errors;
        self.summary.summary.output_warnings += c.warnings;
        self.summary.adjustments += adjustments.len();
        // Model cells of a consolidation are not spreadsheet cells: report them by place only.
        for f in &mut own.findings {
            f.cells.clear();
        }
        let opts = standard::Options {
            department: Some(n.name.clone()),
            year: dep.year,
            unit,
            precision: None,
            blank: false,
            style: standard::Style::default(),
        };
        let out_err =
            |e: rust_xlsxwriter::XlsxError| Error::Output { path: n.output.clone(), message: e.to_string() };
        let mut wb = standard::workbook(&dep, &t.layouts, msg, &opts).map_err(out_err)?;
        let figures = last_year.map(|p| super::last_year::node_figures(&dep, p, &n.name, unit, t));
        drop(dep);
        let units = self.spools.units.read::<UnitRow>(&n.units).map_err(io)?.map(|r| r.map_err(io));
        add_units_sheet(&mut wb, units, msg)?;
        let inputs = self.spools.findings.read::<Vec<FindingRow>>(&n.findings).map_err(io)?;
        let rows = inputs
            .flat_map(|r| match r {
                Ok(rows) => rows.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(io(e))],
            })
            .chain(findings_xlsx::rows(&own).into_iter().map(Ok));
        add_findings_sheet(&mut wb, rows, msg)?;
        add_adjustments_sheet(&mut wb, &adjustments, &t.layouts, msg)?;
        if self.opts.offset_internal || self.units.is_some() {
            add_offsets_sheet(&mut wb, &n.offset_rows, unit, msg)?;
        }
        if let Some(figures) = &figures {
            crate::report::prior_xlsx::add_prior_sheet(&mut wb, &n.name, figures, unit, msg)
                .map_err(out_err)?;
        }
        out.save(&mut wb, &n.output)
    }

    /// The units-file record of one input: a 主管's flows, or a 下属 paired
    /// with a 主管 of the file; a 下属 the file does not pair gets
    /// `offset-unmatched` on its report.
    fn paired(
        &self,
        entry: Option<&super::units::Entry>,
        dep: Option<&Department>,
        report: &mut FileReport,
    ) -> (Option<pairs::Supervisor>, Option<pairs::Subordinate>) {
        let (Some(units), Some(e), Some(d)) = (&self.units, entry, dep) else { return (None, None) };
        let spec = &self.t.consolidate;
        match e.role {
            Some(Role::Supervisor) => (Some(pairs::supervisor(d, &report.path, spec)), None),
            Some(Role::Subordinate) => match e.parent.as_deref().filter(|p| units.is_supervisor(p)) {
                Some(p) => (None, Some(pairs::subordinate(d, &report.path, p, spec))),
                None => {
                    let parent = e.parent.clone().unwrap_or_default();
                    let msg = &self.t.messages;
                    report.findings.push(Finding::new(
                        "offset-unmatched",
                        Severity::Warning,
                        msg.text("units.unpaired", &[("code", &e.code), ("parent", &parent)]),
                    ));
                    report.refresh_status();
                    (None, None)
                }
            },
            None => (None, None),
        }
    }

    /// The JSON report: the summary, then every input's report (cli.md `files`)
    /// streamed from the spool.
    ///
    /// # Errors
    /// When the spool cannot be read back.
    pub fn json(&mut self) -> Result<Json<'_>, Error> {
        let lines = self.spools.files.lines(&self.spools.all_files).map_err(io)?;
        Ok(Json { head: &self.summary, files: Files(RefCell::new(Some(lines))) })
    }
}

impl From<rust_xlsxwriter::XlsxError> for Error {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Error::Output { path: PathBuf::new(), message: e.to_string() }
    }
}

/// The JSON report of a consolidation, serialised once.
#[derive(Serialize)]
pub struct Json<'a> {
    #[serde(flatten)]
    head: &'a Summary,
    files: Files,
}

/// The spooled reports, each already JSON, written as they are read.
pub struct Files(RefCell<Option<Lines>>);

impl Serialize for Files {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let lines = self.0.borrow_mut().take().ok_or_else(|| S::Error::custom("files serialised twice"))?;
        let mut seq = s.serialize_seq(None)?;
        for line in lines {
            let line = line.map_err(S::Error::custom)?;
            let raw: Box<serde_json::value::RawValue> =
                serde_json::value::RawValue::from_string(line).map_err(S::Error::custom)?;
            seq.serialize_element(&raw)?;
        }
        seq.end()
    }
}

/// The 审核结果 rows of one input. Notes (提示) are the bulk of a 万元 batch
/// (dozens of rounding differences per department) and are only counted in
/// 分户表 unless `with_info`; an explained note stays, since its 说明 is the
/// officer's. Listed notes carry no hyperlink (`findings_xlsx::rows`), so
/// memory stays flat with `--with-info` too.
fn listed_rows(report: &FileReport, with_info: bool) -> Vec<FindingRow> {
    let note = Severity::Info.as_str();
    let mut rows = findings_xlsx::rows(report);
    rows.retain(|r| with_info || r.severity != note || r.explanation.is_some());
    rows
}

fn amount(dep: &Department, table: u8, key: &str, side: Option<&str>, col: &str) -> Option<Decimal> {
    dep.table(table)?.row(&RowKey::Label(key.into()), side)?.get(col).map(|a| a.value)
}

fn unit_row(r: &FileReport, dep: Option<&Department>, unit: Unit, t: &Templates) -> UnitRow {
    let msg = &t.messages;
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
        infos: c.infos,
        reason: r.error.clone(),
        tables_read: r.tables_read_text(),
        tables_missing: crate::outcome::tables_missing_words(r, msg),
        ..UnitRow::default()
    };
    if let Some(d) = dep {
        let f =
            |table: u8| d.table(table).and_then(|t| t.unit).or(d.unit).unwrap_or_default().factor_to(unit);
        // Rounded to the output unit's cents, as printed (the exact sums are in the tables).
        let conv = |table: u8, v: Option<Decimal>| {
            v.map(|v| {
                (v * f(table)).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            })
        };
        for (slot, a) in row.amounts.iter_mut().zip(&t.consolidate.units_column) {
            *slot = conv(a.table, amount(d, a.table, &a.row, a.side.as_deref(), &a.column));
        }
    }
    row
}
