//! The per-file audit pipeline shared by `check` and `consolidate`: read a
//! workbook, extract the tables, run every rule, and describe the outcome in
//! the JSON shape of cli.md (`files[]` and `summary`).

use std::path::{Path, PathBuf};

use crate::config::Templates;
use crate::finding::{Finding, Severity};
use crate::location::CellRef;
use crate::model::Department;
use crate::model::extract::read_department;
use crate::outcome::{FileKind, FileReport, Status, TableRef};
use crate::prior::PriorSet;
use crate::rules::eval::{PriorYear, evaluate_with_prior};

/// Where to look for last year's accounts of each file (`--prior`).
#[derive(Clone, Copy, Debug)]
pub struct PriorLookup<'a> {
    pub set: &'a PriorSet,
    /// The INPUT arguments, for matching by relative path.
    pub roots: &'a [PathBuf],
}

/// Reads and audits one file; the department is returned too (for consolidation).
pub fn check_file(path: &Path, t: &Templates) -> (FileReport, Option<Department>) {
    check_file_with(path, t, None)
}

/// `check_file`, with last year's accounts when `--prior` was given: the
/// department's match feeds the `prior.` rules, and no match is a
/// `prior-missing` info finding.
pub fn check_file_with(
    path: &Path,
    t: &Templates,
    prior: Option<PriorLookup<'_>>,
) -> (FileReport, Option<Department>) {
    let msg = &t.messages;
    let dep = match read_file(path, t) {
        Ok(dep) => dep,
        Err(r) => return (*r, None),
    };
    let found = prior.map(|l| l.set.find(&dep, path, l.roots));
    let state = match found {
        None => PriorYear::NotAsked,
        Some(None) => PriorYear::Missing,
        Some(Some(p)) => PriorYear::Found(&p.dep),
    };
    let mut report = audit_with(path, &dep, t, state);
    if let Some(None) = found {
        let rel = crate::prior::relative_to_root(path, prior.map_or(&[], |l| l.roots));
        let department = dep.department.clone().unwrap_or_default();
        report.findings.insert(
            0,
            Finding::new(
                "prior-missing",
                Severity::Info,
                msg.text("prior.missing", &[("department", &department), ("path", &rel.display())]),
            )
            .with_cells(dep.tables.values().next().map(|t| t.title_at.clone())),
        );
    }
    // Last year's accounts of another year (the same folder given twice, a
    // wrong folder) would make every comparison meaningless: say so.
    if let (Some(Some(p)), Some(now)) = (found, dep.year)
        && let Some(then) = p.dep.year.filter(|y| *y != now - 1)
    {
        report.findings.insert(
            0,
            Finding::new(
                "prior-year",
                Severity::Warning,
                msg.text(
                    "prior.wrong_year",
                    &[("path", &p.path.display()), ("then", &then), ("expected", &(now - 1))],
                ),
            )
            .with_cells(p.dep.tables.values().next().map(|t| CellRef { prior: true, ..t.title_at.clone() })),
        );
        report.refresh_status();
    }
    (report, Some(dep))
}

/// Reads one file's tables without auditing them; an unreadable file (or one
/// of another kind, `other_kind`) is the report saying why.
///
/// # Errors
/// The report of a file that holds no tables.
pub fn read_file(path: &Path, t: &Templates) -> Result<Department, Box<FileReport>> {
    let msg = &t.messages;
    let wb = crate::workbook::open_with(path, &|s| crate::model::extract::may_hold_table(s, &t.layouts))
        .map_err(|e| Box::new(FileReport::unreadable(path, msg.text(e.key(), &[("detail", &e.detail())]))))?;
    let dep = read_department(&wb, &t.layouts, msg);
    if dep.tables.is_empty() {
        // A self-assessment workbook in a batch of accounts is not a broken submission.
        let score_sheet = wb
            .sheets
            .iter()
            .any(|s| s.rows().take(3).any(|(_, c)| c.iter().any(|(_, v)| v.text().contains("绩效自评"))));
        if score_sheet {
            let mut r = FileReport::unreadable(path, msg.text("check.score_workbook", &[]));
            r.other_kind = true;
            return Err(Box::new(r));
        }
        if crate::explain::is_findings_report(&wb, msg) {
            let mut r = FileReport::unreadable(path, msg.text("check.findings_workbook", &[]));
            r.other_kind = true;
            return Err(Box::new(r));
        }
        return Err(Box::new(FileReport::unreadable(path, msg.text("read.no_tables", &[]))));
    }
    Ok(dep)
}

/// Runs the rules over a department already read.
pub fn audit(path: &Path, dep: &Department, t: &Templates) -> FileReport {
    audit_with(path, dep, t, PriorYear::NotAsked)
}

/// `audit`, with last year's accounts for the `prior.` rules.
pub fn audit_with(path: &Path, dep: &Department, t: &Templates, prior: PriorYear<'_>) -> FileReport {
    let mut findings = dep.findings.clone();
    if !dep.missing.is_empty() {
        let names: Vec<String> = dep
            .missing
            .iter()
            .filter_map(|n| t.layouts.table(*n))
            .map(|l| format!("T{:02} {}", l.no, l.title))
            .collect();
        // Every department publishes all thirteen (an empty one says 本表无数据):
        // a missing table is a gap in the submission, so the file is never `ok`.
        findings.push(Finding::new(
            "table-missing",
            Severity::Warning,
            t.messages.text("read.tables_missing", &[("tables", &names.join("、"))]),
        ));
    }
    findings.extend(evaluate_with_prior(&t.rules, dep, prior, &t.layouts, &t.messages));
    let mut r = FileReport {
        path: path.display().to_string(),
        kind: FileKind::Workbook,
        paired_with: None,
        status: Status::Ok,
        error: None,
        department: dep.department.clone(),
        year: dep.year,
        unit: dep.unit.map(|u| u.as_str().to_string()),
        tables: dep
            .tables
            .values()
            .map(|tb| TableRef { table: tb.no, title: tb.title.clone(), sheet: tb.sheet.clone() })
            .collect(),
        missing_tables: dep.missing.clone(),
        unreadable_tables: dep.unreadable.clone(),
        findings,
        other_kind: false,
    };
    r.refresh_status();
    r
}
