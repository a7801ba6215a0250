//! The per-file audit pipeline shared by `check` and `consolidate`: read a
//! workbook, extract the tables, run every rule, and describe the outcome in
//! the JSON shape of cli.md (`files[]` and `summary`).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::finding::{Counts, Finding, Severity};
use crate::location::CellRef;
use crate::model::Department;
use crate::model::extract::read_department;
use crate::prior::PriorSet;
use crate::rules::eval::{PriorYear, evaluate_with_prior};
use crate::template::Templates;

/// `ok` (no error or warning), `findings`, or `unreadable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Findings,
    Unreadable,
}

/// What an input file is (cli.md `files[].kind`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    #[default]
    Workbook,
    /// A 决算说明 (`.docx`/`.txt`).
    Narrative,
}

/// Where a table was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableRef {
    pub table: u8,
    pub title: String,
    pub sheet: String,
}

/// One input file's outcome (cli.md `files[]`).
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub kind: FileKind,
    /// Narratives only: the paired workbook's path, or `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_with: Option<Option<String>>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub department: Option<String>,
    pub year: Option<i32>,
    pub unit: Option<String>,
    pub tables: Vec<TableRef>,
    /// Of the thirteen tables, those not found, and (a subset) those found by
    /// title whose body could not be read.
    pub missing_tables: Vec<u8>,
    pub unreadable_tables: Vec<u8>,
    pub findings: Vec<Finding>,
    /// A workbook of another kind (a 绩效自评表): skipped with a note, not counted.
    #[serde(skip)]
    pub other_kind: bool,
}

impl FileReport {
    pub fn unreadable(path: &Path, reason: String) -> Self {
        Self {
            path: path.display().to_string(),
            kind: FileKind::Workbook,
            paired_with: None,
            status: Status::Unreadable,
            error: Some(reason),
            department: None,
            year: None,
            unit: None,
            tables: Vec::new(),
            missing_tables: (1..=13).collect(),
            unreadable_tables: Vec::new(),
            findings: Vec::new(),
            other_kind: false,
        }
    }

    /// The tables read, as ranges: `1–7, 9–13`.
    pub fn tables_read_text(&self) -> String {
        table_ranges(&self.tables.iter().map(|t| t.table).collect::<Vec<_>>())
    }

    /// The tables missing (not found at all), as ranges.
    pub fn tables_absent_text(&self) -> String {
        let absent: Vec<u8> =
            self.missing_tables.iter().copied().filter(|n| !self.unreadable_tables.contains(n)).collect();
        table_ranges(&absent)
    }

    /// Severity counts; with `strict` false, explained findings do not count
    /// (unless their rule is not explainable).
    pub fn counts(&self, strict: bool) -> Counts {
        Counts::of(self.findings.iter().filter(|f| strict || !f.waived()))
    }

    /// Recomputes `status` from the findings.
    pub fn refresh_status(&mut self) {
        if self.status != Status::Unreadable {
            let bad = self.findings.iter().any(|f| f.severity >= Severity::Warning);
            self.status = if bad { Status::Findings } else { Status::Ok };
        }
    }
}

/// 分户表's "missing or unreadable" cell: `13`, `8（无法读取）`, `13；8（无法读取）`.
pub fn tables_missing_words(r: &FileReport, msg: &crate::i18n::Catalog) -> String {
    let absent = r.tables_absent_text();
    if r.unreadable_tables.is_empty() {
        return absent;
    }
    let unreadable =
        msg.text("consolidate.tables_unreadable", &[("tables", &table_ranges(&r.unreadable_tables))]);
    if absent.is_empty() { unreadable } else { format!("{absent}；{unreadable}") }
}

/// Table numbers as ranges: `[1, 2, 3, 5, 9, 10]` → `1–3, 5, 9–10`.
pub fn table_ranges(nos: &[u8]) -> String {
    let mut v = nos.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if j > i { format!("{}–{}", v[i], v[j]) } else { v[i].to_string() });
        i = j + 1;
    }
    parts.join(", ")
}

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
    let wb = crate::workbook::open(path)
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

/// Batch totals (cli.md `summary`).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub ok: usize,
    pub with_errors: usize,
    pub unreadable: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings an officer has explained (说明), not counted above unless `--strict`.
    pub explained: usize,
}

/// The whole `check` report (cli.md JSON).
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub tool: &'static str,
    pub version: &'static str,
    pub files: Vec<FileReport>,
    pub summary: Summary,
}

impl CheckReport {
    pub fn new(files: Vec<FileReport>, strict: bool) -> Self {
        let mut s = Summary { files: files.len(), ..Summary::default() };
        for f in &files {
            let c = f.counts(strict);
            s.errors += c.errors;
            s.warnings += c.warnings;
            s.infos += c.infos;
            s.explained += f.findings.iter().filter(|x| x.waived()).count();
            match f.status {
                Status::Unreadable => s.unreadable += 1,
                Status::Ok => s.ok += 1,
                Status::Findings => {}
            }
            if c.errors > 0 {
                s.with_errors += 1;
            }
        }
        Self { tool: "juesuan", version: env!("CARGO_PKG_VERSION"), files, summary: s }
    }

    /// Exit status of cli.md: failure on unreadable input or error findings.
    pub fn failed(&self) -> bool {
        self.summary.unreadable > 0 || self.summary.errors > 0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_ranges() {
        assert_eq!(super::table_ranges(&[1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]), "1–7, 9–13");
        assert_eq!(super::table_ranges(&[8]), "8");
        assert_eq!(super::table_ranges(&[13, 1, 2]), "1–2, 13");
        assert_eq!(super::table_ranges(&[]), "");
    }
}
