//! Findings: what the data broke, as plain serialisable data.
//!
//! A finding is never an `Err`: errors mean the tool could not run. Each finding
//! carries a stable rule id, a severity, the compared amounts and every source
//! cell that entered the relation, so every report can show columns, not prose.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::location::CellRef;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The severity word in the message language (错误/警告/提示): what the
    /// console and the 级别 column show; JSON keeps `as_str`.
    pub fn label(self, msg: &crate::i18n::Catalog) -> String {
        msg.text(&format!("severity.{}", self.as_str()), &[])
    }

    /// Reads back an `as_str` word (spooled rows keep it).
    pub fn parse(s: &str) -> Option<Self> {
        [Severity::Info, Severity::Warning, Severity::Error].into_iter().find(|x| x.as_str() == s)
    }
}

/// The two sides of a failed relation, in the table's unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comparison {
    #[serde(with = "rust_decimal::serde::str")]
    pub expected: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub actual: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub difference: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tolerance: Decimal,
}

impl Comparison {
    /// `expected` is the side the relation computes (e.g. Σ parts); `actual` the printed one.
    pub fn new(expected: Decimal, actual: Decimal, tolerance: Decimal) -> Self {
        Self { expected, actual, difference: actual - expected, tolerance }
    }
}

/// Where in a table a finding sits, in words (for report columns).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Place {
    /// Table number 1–13, when the finding belongs to one table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<u8>,
    /// Row code or label, as the officer sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Column header path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// One thing wrong (or worth knowing) about the data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub values: Option<Comparison>,
    pub cells: Vec<CellRef>,
    #[serde(flatten)]
    pub place: Place,
    /// An officer's 说明 carried over from an earlier report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Finding {
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            rule: rule.into(),
            severity,
            message: message.into(),
            values: None,
            cells: Vec::new(),
            place: Place::default(),
            explanation: None,
        }
    }

    pub fn with_cells(mut self, cells: impl IntoIterator<Item = CellRef>) -> Self {
        self.cells.extend(cells);
        self
    }

    pub fn with_values(mut self, values: Comparison) -> Self {
        self.values = Some(values);
        self
    }

    pub fn with_place(mut self, place: Place) -> Self {
        self.place = place;
        self
    }

    /// The first cell, where a one-line report points.
    pub fn anchor(&self) -> Option<&CellRef> {
        self.cells.first()
    }

    /// Sort key giving a stable, reader-friendly order: by position, then rule.
    pub fn sort_key(&self) -> (Option<(String, u32, u32)>, String, Severity) {
        (self.anchor().map(|c| (c.sheet.to_string(), c.row, c.col)), self.rule.clone(), self.severity)
    }
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut c = Counts::default();
        for f in findings {
            c.add(f.severity);
        }
        c
    }

    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }
}
