//! The outcome of checking files: per-file results ([`FileReport`]), their
//! status and the batch totals, in the JSON shape of cli.md (`files[]` and
//! `summary`), plus the findings report's columns ([`ReportColumn`]).
//!
//! Also the consolidated workbook's own rows: 舍位平衡's [`Adjustment`]s and the
//! 冲抵 [`OffsetRow`]s with each unit's [`Role`].
//!
//! Plain data shared by `check` and `consolidate` (which produce it), `explain`
//! (which reads an earlier findings report back) and `report` (which renders
//! it); it depends on none of them, so they never import each other through it.

use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::finding::Finding;
use crate::finding::{Counts, Severity};
use crate::location::CellRef;

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

/// Batch totals (cli.md `summary`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub ok: usize,
    pub with_errors: usize,
    pub unreadable: usize,
    #[serde(flatten)]
    pub counts: Counts,
    /// Findings an officer has explained (说明), not counted above unless `--strict`.
    pub explained: usize,
}

impl Summary {
    /// Counts one more file (cli.md `summary`).
    pub fn add(&mut self, f: &FileReport, strict: bool) {
        let c = f.counts(strict);
        self.files += 1;
        self.counts += c;
        self.explained += f.findings.iter().filter(|x| x.waived()).count();
        match f.status {
            Status::Unreadable => self.unreadable += 1,
            Status::Ok => self.ok += 1,
            Status::Findings => {}
        }
        if c.errors > 0 {
            self.with_errors += 1;
        }
    }

    /// Exit status of cli.md: failure on unreadable input or error findings.
    pub fn failed(&self) -> bool {
        self.unreadable > 0 || self.counts.errors > 0
    }
}

/// The columns of the findings workbook (`check --report`), in sheet order.
/// The writer (`report::findings_xlsx`) and the reader of officers' 说明
/// (`explain`) both address columns through this enum, never by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportColumn {
    File,
    Table,
    Row,
    Column,
    Cell,
    Rule,
    Severity,
    Expected,
    Actual,
    Difference,
    Message,
    Explanation,
    Line,
}

impl ReportColumn {
    /// Every column, in sheet order (`ALL[c.index()] == c`).
    pub const ALL: [Self; 13] = [
        Self::File,
        Self::Table,
        Self::Row,
        Self::Column,
        Self::Cell,
        Self::Rule,
        Self::Severity,
        Self::Expected,
        Self::Actual,
        Self::Difference,
        Self::Message,
        Self::Explanation,
        Self::Line,
    ];

    /// Zero-based sheet column.
    pub const fn index(self) -> u16 {
        self as u16
    }

    /// The message key of the column's header.
    pub const fn key(self) -> &'static str {
        match self {
            Self::File => "report.col.file",
            Self::Table => "report.col.table",
            Self::Row => "report.col.row",
            Self::Column => "report.col.column",
            Self::Cell => "report.col.cell",
            Self::Rule => "report.col.rule",
            Self::Severity => "report.col.severity",
            Self::Expected => "report.col.expected",
            Self::Actual => "report.col.actual",
            Self::Difference => "report.col.difference",
            Self::Message => "report.col.message",
            Self::Explanation => "report.col.explanation",
            Self::Line => "report.col.line",
        }
    }
}

// The consolidated workbook's own rows: `consolidate` produces them and
// `report::balance_xlsx` lists them (sheets 舍位调整 and 冲抵调整).

/// Why an amount is written differently from its ordinary rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Why {
    /// A total: written as the sum of its written items.
    Total,
    /// An item: rounded the other way (or further) so that a total it enters
    /// stays within its bound.
    Part,
}

/// One amount written differently from its ordinary rounding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    pub table: u8,
    pub row: String,
    pub column: String,
    /// The cell in the consolidated model (sheet `T01`…, zero-based row/column).
    #[serde(skip)]
    pub at: CellRef,
    /// The exact sum, in the output unit.
    #[serde(with = "rust_decimal::serde::str")]
    pub exact: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub naive: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub written: Decimal,
    pub why: Why,
}

/// A unit's role in its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Supervisor,
    Subordinate,
}

/// One unit's offset flows (amounts in 元).
#[derive(Clone, Debug)]
pub struct OffsetRow {
    pub path: String,
    pub department: Option<String>,
    pub role: Role,
    /// Income row removed (T1/T2) and its amount.
    pub income: (String, Decimal),
    /// Expenditure column removed (T3, and T1 totals) and its amount.
    pub expenditure: (String, Decimal),
}

#[cfg(test)]
mod tests {
    #[test]
    fn report_columns_are_in_sheet_order() {
        for (i, c) in super::ReportColumn::ALL.iter().enumerate() {
            assert_eq!(usize::from(c.index()), i);
        }
    }

    #[test]
    fn table_ranges() {
        assert_eq!(super::table_ranges(&[1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]), "1–7, 9–13");
        assert_eq!(super::table_ranges(&[8]), "8");
        assert_eq!(super::table_ranges(&[13, 1, 2]), "1–2, 13");
        assert_eq!(super::table_ranges(&[]), "");
    }
}
