//! Findings: what the data broke, as plain serialisable data.
//!
//! A finding is never an `Err`: errors mean the tool could not run. Each finding
//! carries a stable rule id, a severity, the compared amounts and every source
//! cell that entered the relation, so every report can show columns, not prose.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, line_of};
use crate::location::CellRef;
use crate::template::Store;

/// Every finding id the code emits itself (reader, check, consolidation). Rule
/// ids (`R1`, `X16a`, `S09`, `P1`, `N3` …) come from the rule files and start
/// with an upper-case letter; tool ids are lower-case. Each is declared, with
/// severity, title, why and example, in `templates/findings.toml`.
pub const TOOL_IDS: &[&str] = &[
    "file-unreadable",
    "table-missing",
    "table-unconfirmed",
    "table-duplicate",
    "column-unknown",
    "row-unknown",
    "row-duplicate",
    "cell-not-number",
    "text-truncated",
    "formula-uncomputed",
    "year-missing",
    "unit-missing",
    "consolidate-column-partial",
    "consolidate-table-mixed-form",
    "offset-unmatched",
    "offset-internal",
    "offset-internal-mismatch",
    "consolidate-mixed-years",
    "prior-missing",
    "prior-year",
    "cross-check-unavailable",
];

/// True when `id` is declared: a rule id (from the rule files) or a tool id.
pub fn is_declared_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_uppercase()) || TOOL_IDS.contains(&id)
}

/// A tool-level finding as documented in `templates/findings.toml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ToolFinding {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub title_en: String,
    pub why: String,
    pub example: String,
}

/// The declared tool-level findings, validated against [`TOOL_IDS`].
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub findings: Vec<ToolFinding>,
}

impl Registry {
    /// Loads `findings.toml`.
    ///
    /// # Errors
    /// A malformed file, an id the code emits that is not declared, or a declared
    /// id the code never emits — each with the file and line.
    pub fn load(store: &Store) -> Result<Self, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            finding: Vec<toml::Spanned<ToolFinding>>,
        }
        let Some(f) = store.get("findings.toml") else {
            return Err(Error::Template {
                path: "templates/findings.toml".into(),
                line: 0,
                message: "file missing".into(),
            });
        };
        let err = |line: usize, message: String| Error::Template { path: f.origin.clone(), line, message };
        let raw: Raw = toml::from_str(&f.text)
            .map_err(|e| err(e.span().map_or(1, |s| line_of(&f.text, s.start)), e.message().to_string()))?;
        let mut findings = Vec::new();
        for s in raw.finding {
            let line = line_of(&f.text, s.span().start);
            let x = s.into_inner();
            if !TOOL_IDS.contains(&x.id.as_str()) {
                return Err(err(line, format!("finding `{}` is not one the tool emits", x.id)));
            }
            if findings.iter().any(|y: &ToolFinding| y.id == x.id) {
                return Err(err(line, format!("finding `{}` is declared twice", x.id)));
            }
            findings.push(x);
        }
        if let Some(id) = TOOL_IDS.iter().find(|id| !findings.iter().any(|x| x.id == **id)) {
            return Err(err(
                f.text.lines().count().max(1),
                format!("finding `{id}` is emitted by the tool but not declared ([[finding]] id = \"{id}\")"),
            ));
        }
        Ok(Self { findings })
    }
}

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

/// Where in a table or score sheet a finding sits, in words (for report columns).
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
    /// Score findings: the 三级指标 the finding is about (none: the whole sheet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
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
    /// 决算说明 findings: the 1-based paragraph (line of a `.txt`) stating the figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 决算说明 findings: the clause stating the figure (at most 120 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// An officer's 说明 carried over from an earlier report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The 说明 of an earlier report for this finding whose amounts have
    /// changed since: quoted, but it no longer waives anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_explanation: Option<String>,
    /// Whether a 说明 may waive the finding (the rule's `explainable`); an
    /// explained finding that is not explainable still counts.
    #[serde(skip)]
    pub unexplainable: bool,
}

impl Finding {
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        let rule = rule.into();
        // Tests run debug builds: an id missing from TOOL_IDS (and so from
        // findings.toml and docs/rules.md) fails them.
        debug_assert!(is_declared_id(&rule), "finding id `{rule}` is not declared in finding::TOOL_IDS");
        Self {
            rule,
            severity,
            message: message.into(),
            values: None,
            cells: Vec::new(),
            place: Place::default(),
            line: None,
            quote: None,
            explanation: None,
            stale_explanation: None,
            unexplainable: false,
        }
    }

    /// Sets whether a 说明 may waive this finding.
    pub fn explainable(mut self, yes: bool) -> Self {
        self.unexplainable = !yes;
        self
    }

    /// True when a 说明 waives this finding for the counts and exit status.
    pub fn waived(&self) -> bool {
        self.explanation.is_some() && !self.unexplainable
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

/// Counts by severity: every command's totals (check, consolidate, score)
/// flatten this into their JSON `summary` as `errors`, `warnings`, `infos`.
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

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Self) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
    }
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    /// Removing any single declared id from findings.toml makes loading fail
    /// with the file and a line, naming the id.
    #[test]
    fn every_tool_id_must_be_declared() {
        let store = Store::load(None).unwrap();
        assert_eq!(Registry::load(&store).unwrap().findings.len(), TOOL_IDS.len());
        for id in TOOL_IDS {
            let mut s = store.clone();
            let f = s.files.get_mut("findings.toml").unwrap();
            let start = f.text.find(&format!("id = \"{id}\"")).unwrap();
            let block_start = f.text[..start].rfind("[[finding]]").unwrap();
            let block_end = f.text[start..].find("[[finding]]").map_or(f.text.len(), |e| start + e);
            f.text.replace_range(block_start..block_end, "");
            let err = Registry::load(&s).unwrap_err().to_string();
            assert!(err.contains("findings.toml:") && err.contains(id), "{id}: {err}");
        }
    }

    /// Every literal id passed to `Finding::new` in the crate's code is a
    /// declared tool id (or a rule id, upper case), and every tool id occurs in
    /// the code: the registry and the code cannot drift apart unnoticed.
    #[test]
    fn tool_ids_in_the_code_and_in_the_registry_agree() {
        let mut code = String::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("finding.rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    code.push_str(text.split("#[cfg(test)]").next().unwrap());
                }
            }
        }
        let registry = Registry::load(&Store::load(None).unwrap()).unwrap();
        for (i, _) in code.match_indices("Finding::new(") {
            let rest = code[i + "Finding::new(".len()..].trim_start();
            let Some(lit) = rest.strip_prefix('"') else { continue };
            let id = &lit[..lit.find('"').unwrap()];
            assert!(is_declared_id(id), "`{id}` is emitted but not in TOOL_IDS");
            // A literal severity next to the id is the one findings.toml documents.
            let after = lit[id.len() + 1..].trim_start().trim_start_matches(',').trim_start();
            if let (Some(sev), Some(decl)) =
                (after.strip_prefix("Severity::"), registry.findings.iter().find(|f| f.id == id))
            {
                let word: String = sev.chars().take_while(char::is_ascii_alphabetic).collect();
                assert_eq!(
                    word.to_lowercase(),
                    decl.severity.as_str(),
                    "`{id}`: findings.toml says otherwise"
                );
            }
        }
        for id in TOOL_IDS {
            assert!(code.contains(&format!("\"{id}\"")), "`{id}` is declared but never emitted");
        }
    }

    #[test]
    fn an_id_the_tool_never_emits_is_refused() {
        let mut store = Store::load(None).unwrap();
        let f = store.files.get_mut("findings.toml").unwrap();
        f.text = f.text.replacen("id = \"row-unknown\"", "id = \"row-unknwon\"", 1);
        let err = Registry::load(&store).unwrap_err().to_string();
        assert!(err.contains("row-unknwon"), "{err}");
    }
}
