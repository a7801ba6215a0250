//! One `score` run over many inputs: each file read into scored projects and
//! 部门 tables (or why it was not), the `--tables` cross-check, and the JSON
//! report of cli.md. `cli::score` only wires these to arguments and outputs.

use std::path::Path;

use serde::Serialize;

use super::{Config, DeptScored, Scored, parse, score, score_dept};
use crate::finding::{Counts, Finding};
use crate::i18n::Catalog;
use crate::template::Layouts;

/// What one input gave.
#[derive(Debug)]
pub enum FileScore {
    /// Could not be read, or holds no score sheet: why.
    Unreadable(String),
    /// A 13-table workbook of accounts (a folder of submissions holds them next
    /// to the score sheets): passed over, with why.
    Skipped(String),
    Read {
        projects: Vec<Scored>,
        dept: Vec<DeptScored>,
        /// Notes for the console: budget rows that matched no known label.
        notes: Vec<String>,
    },
}

/// Reads and scores one workbook.
pub fn read_file(path: &Path, cfg: &Config, layouts: &Layouts, msg: &Catalog) -> FileScore {
    let wb = match crate::workbook::open(path) {
        Ok(wb) => wb,
        Err(e) => return FileScore::Unreadable(msg.text(e.key(), &[("detail", &e.detail())])),
    };
    let found = parse::read(&wb, cfg);
    if found.projects.is_empty() && found.dept_tables.is_empty() {
        return if crate::model::extract::read_department(&wb, layouts, msg).tables.is_empty() {
            FileScore::Unreadable(msg.text("score.no_sheets", &[]))
        } else {
            FileScore::Skipped(msg.text("score.skipped_tables", &[]))
        };
    }
    let notes = found
        .unmatched_budget
        .iter()
        .map(|(name, at)| msg.text("score.budget_unmatched", &[("cell", at), ("name", name)]))
        .collect();
    let mut projects: Vec<Scored> = found.projects.iter().map(|p| score(p, cfg, msg)).collect();
    // A text cut at read time (`workbook::TEXT_MAX`) is a finding on the project
    // of its sheet (or the file's first project), so the cut is never silent.
    for sheet in &wb.sheets {
        let at = projects.iter().position(|p| p.sheet == *sheet.name).unwrap_or(0);
        if let Some(p) = projects.get_mut(at) {
            p.findings.extend(crate::model::extract::truncated(sheet, msg));
        }
    }
    let dept = found.dept_tables.iter().map(|d| score_dept(d, cfg, msg)).collect();
    FileScore::Read { projects, dept, notes }
}

/// `--tables`: Σ projects' execution against the department's final accounts
/// (in 万元, as the score sheets are).
///
/// # Errors
/// Why the accounts workbook could not be read.
pub fn cross_check_file(
    tables: &Path,
    scored: &[Scored],
    cfg: &Config,
    layouts: &Layouts,
    msg: &Catalog,
) -> Result<Vec<Finding>, String> {
    let wb = crate::workbook::open(tables).map_err(|e| msg.text(e.key(), &[("detail", &e.detail())]))?;
    let mut dep = crate::model::extract::read_department(&wb, layouts, msg);
    dep.convert_unit(crate::model::Unit::WanYuan);
    Ok(super::cross::check(scored, &dep, layouts, cfg, msg))
}

/// The JSON report of `score` (cli.md).
#[derive(Debug, Serialize)]
pub struct Report {
    pub tool: &'static str,
    pub version: &'static str,
    pub projects: Vec<Scored>,
    pub department_tables: Vec<DeptScored>,
    /// `--tables`: Σ projects' execution against the final accounts.
    #[serde(serialize_with = "super::serialize_findings")]
    pub cross_check: Vec<Finding>,
    pub unreadable: Vec<Unreadable>,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub projects: usize,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct Unreadable {
    pub path: String,
    pub error: String,
}

impl Report {
    /// The report of what was scored; the summary counts every finding.
    pub fn new(
        projects: Vec<Scored>,
        department_tables: Vec<DeptScored>,
        cross_check: Vec<Finding>,
        unreadable: Vec<Unreadable>,
    ) -> Self {
        let all = projects
            .iter()
            .flat_map(|s| s.findings.iter())
            .chain(department_tables.iter().flat_map(|d| d.findings.iter()))
            .chain(cross_check.iter());
        let summary = Summary { projects: projects.len(), counts: Counts::of(all) };
        Report {
            tool: "juesuan",
            version: env!("CARGO_PKG_VERSION"),
            projects,
            department_tables,
            cross_check,
            unreadable,
            summary,
        }
    }

    /// An error finding or an unreadable input fails the run.
    pub fn failed(&self) -> bool {
        self.summary.counts.errors > 0 || !self.unreadable.is_empty()
    }
}
