//! The narrative vocabulary (`templates/narrative/lexicon.toml`): markers,
//! scopes, subjects with their table cells, part/whole families and balances.
//! Validated once at load (unknown subject, scope or cell → error with file:line);
//! the reader (`parse`), the checks and the drafter all use this one lexicon.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, line_of};
use crate::template::{Layouts, Store};

const FILE: &str = "narrative/lexicon.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    markers: Markers,
    #[serde(rename = "scope")]
    scopes: Vec<ScopeDef>,
    #[serde(rename = "subject")]
    subjects: Vec<toml::Spanned<RawSubject>>,
    classes: RawClasses,
    #[serde(rename = "family")]
    families: Vec<toml::Spanned<RawFamily>>,
    #[serde(rename = "balance", default)]
    balances: Vec<toml::Spanned<RawBalance>>,
}

/// Marker words (see the lexicon's comments).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Markers {
    pub share: Vec<String>,
    pub increase: Vec<String>,
    pub decrease: Vec<String>,
    pub all_of: Vec<String>,
    pub skip_paragraph: Vec<String>,
    pub skip_sentence: Vec<String>,
    pub gap_stop: Vec<String>,
    pub max_gap: usize,
    pub bare_after: Vec<String>,
    pub list_start: Vec<String>,
    pub flat: Vec<String>,
    pub flat_not: Vec<String>,
}

/// Which money a figure is about (`general` = 一般公共预算财政拨款 …).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDef {
    pub id: String,
    pub title: String,
    pub words: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubject {
    id: String,
    names: Vec<String>,
    #[serde(default)]
    bare: Vec<String>,
    #[serde(default = "yes")]
    scoped: bool,
    #[serde(default)]
    cells: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClasses {
    cells: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    whole: String,
    parts: Vec<String>,
    closed: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBalance {
    left: Vec<String>,
    right: Vec<String>,
}

/// A table cell a subject is printed in: `T1.支出[本年支出合计].决算数`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellSpec {
    pub table: u8,
    pub side: Option<String>,
    /// A fixed row id, a code, or `*` (the single row of T13).
    pub row: String,
    pub column: String,
}

impl CellSpec {
    fn parse(s: &str, layouts: &Layouts) -> Result<Self, String> {
        let err = || format!("cell `{s}` is not `Tn[row].column` or `Tn.side[row].column`");
        let (head, rest) = s.split_once('[').ok_or_else(err)?;
        let (row, column) = rest.split_once("].").ok_or_else(err)?;
        let (t, side) = match head.split_once('.') {
            Some((t, sd)) => (t, Some(sd.to_string())),
            None => (head, None),
        };
        let table: u8 = t.trim_start_matches('T').parse().map_err(|_| err())?;
        let layout = layouts.table(table).ok_or_else(|| format!("cell `{s}`: unknown table T{table}"))?;
        if !layout.side_columns(side.as_deref()).any(|c| c.id == column) {
            return Err(format!("cell `{s}`: T{table} has no column `{column}`"));
        }
        Ok(Self { table, side, row: row.to_string(), column: column.to_string() })
    }

    /// `T6[206].合计` for a class cell pattern `T6[{code}].合计`.
    pub fn with_code(&self, code: &str) -> Self {
        Self { row: self.row.replace("{code}", code), ..self.clone() }
    }
}

impl std::fmt::Display for CellSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = self.side.as_ref().map(|s| format!(".{s}")).unwrap_or_default();
        write!(f, "T{}{side}[{}].{}", self.table, self.row, self.column)
    }
}

/// Something a figure can be about.
#[derive(Clone, Debug)]
pub struct Subject {
    pub id: String,
    /// What the officer reads (the first name).
    pub label: String,
    pub names: Vec<String>,
    pub bare: Vec<String>,
    pub scoped: bool,
    /// The 功能分类 类 code, for class subjects.
    pub class: Option<String>,
    /// Table cell by scope id.
    pub cells: BTreeMap<String, CellSpec>,
}

/// Parts of a whole (subject indices).
#[derive(Clone, Debug)]
pub struct Family {
    pub whole: usize,
    pub parts: Vec<usize>,
    pub closed: bool,
}

/// `Σ left = Σ right` (subject indices).
#[derive(Clone, Debug)]
pub struct Balance {
    pub left: Vec<usize>,
    pub right: Vec<usize>,
}

/// The validated lexicon.
#[derive(Clone, Debug)]
pub struct Lexicon {
    pub markers: Markers,
    pub scopes: Vec<ScopeDef>,
    pub subjects: Vec<Subject>,
    pub families: Vec<Family>,
    pub balances: Vec<Balance>,
    /// Every name, longest first: (name, subject, bare).
    pub names: Vec<(Vec<char>, usize, bool)>,
}

impl Lexicon {
    /// Loads and validates the lexicon.
    ///
    /// # Errors
    /// A file that does not parse, or names an unknown subject, scope or cell.
    pub fn load(store: &Store, layouts: &Layouts) -> Result<Self, Error> {
        let f = store.get(FILE).ok_or_else(|| Error::Template {
            path: format!("templates/{FILE}"),
            line: 0,
            message: "missing".into(),
        })?;
        let at = |line: usize, message: String| Error::Template { path: f.origin.clone(), line, message };
        let raw: Raw = toml::from_str(&f.text)
            .map_err(|e| at(e.span().map_or(1, |s| line_of(&f.text, s.start)), e.message().to_string()))?;
        let scope_ok = |s: &str| s == "all" || raw.scopes.iter().any(|x| x.id == s);
        let mut subjects = Vec::new();
        for sp in &raw.subjects {
            let line = line_of(&f.text, sp.span().start);
            let r = sp.get_ref();
            if subjects.iter().any(|s: &Subject| s.id == r.id) || r.names.is_empty() {
                return Err(at(line, format!("subject `{}`: duplicate id or no names", r.id)));
            }
            let mut cells = BTreeMap::new();
            for (scope, c) in &r.cells {
                if !scope_ok(scope) {
                    return Err(at(line, format!("subject `{}`: unknown scope `{scope}`", r.id)));
                }
                cells.insert(scope.clone(), CellSpec::parse(c, layouts).map_err(|m| at(line, m))?);
            }
            subjects.push(Subject {
                id: r.id.clone(),
                label: r.names[0].clone(),
                names: r.names.clone(),
                bare: r.bare.clone(),
                scoped: r.scoped,
                class: None,
                cells,
            });
        }
        let mut class_cells = BTreeMap::new();
        for (scope, c) in &raw.classes.cells {
            if !scope_ok(scope) {
                return Err(at(1, format!("classes: unknown scope `{scope}`")));
            }
            class_cells.insert(scope.clone(), CellSpec::parse(c, layouts).map_err(|m| at(1, m))?);
        }
        for c in layouts.function.iter().filter(|c| c.code.len() == 3) {
            subjects.push(Subject {
                id: format!("类{}", c.code),
                label: c.name.clone(),
                names: std::iter::once(&c.name).chain(&c.aliases).cloned().collect(),
                bare: Vec::new(),
                scoped: true,
                class: Some(c.code.clone()),
                cells: class_cells.iter().map(|(k, v)| (k.clone(), v.with_code(&c.code))).collect(),
            });
        }
        let index = |id: &str| subjects.iter().position(|s| s.id == id);
        let mut families = Vec::new();
        for sp in &raw.families {
            let line = line_of(&f.text, sp.span().start);
            let r = sp.get_ref();
            let whole =
                index(&r.whole).ok_or_else(|| at(line, format!("family: unknown subject `{}`", r.whole)))?;
            let mut parts = Vec::new();
            for p in &r.parts {
                if p == "类" {
                    parts.extend(
                        subjects.iter().enumerate().filter(|(_, s)| s.class.is_some()).map(|(i, _)| i),
                    );
                } else {
                    parts.push(index(p).ok_or_else(|| at(line, format!("family: unknown subject `{p}`")))?);
                }
            }
            families.push(Family { whole, parts, closed: r.closed });
        }
        let mut balances = Vec::new();
        for sp in &raw.balances {
            let line = line_of(&f.text, sp.span().start);
            let ids = |v: &[String]| -> Result<Vec<usize>, Error> {
                v.iter()
                    .map(|p| index(p).ok_or_else(|| at(line, format!("balance: unknown subject `{p}`"))))
                    .collect()
            };
            balances.push(Balance { left: ids(&sp.get_ref().left)?, right: ids(&sp.get_ref().right)? });
        }
        let mut names: Vec<(Vec<char>, usize, bool)> = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            names.extend(s.names.iter().map(|n| (n.chars().collect(), i, false)));
            names.extend(s.bare.iter().map(|n| (n.chars().collect(), i, true)));
        }
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        Ok(Self { markers: raw.markers, scopes: raw.scopes, subjects, families, balances, names })
    }

    pub fn subject(&self, id: &str) -> Option<usize> {
        self.subjects.iter().position(|s| s.id == id)
    }

    /// The scope named by the first scope word found in `text`, if any.
    pub fn scope_in(&self, text: &str) -> Option<&str> {
        self.scopes.iter().find(|s| s.words.iter().any(|w| text.contains(w.as_str()))).map(|s| s.id.as_str())
    }

    /// The families a subject is a part of.
    pub fn families_of(&self, subject: usize) -> impl Iterator<Item = &Family> {
        self.families.iter().filter(move |f| f.parts.contains(&subject))
    }

    /// The scope's title (`一般公共预算财政拨款`), `all` → empty.
    pub fn scope_title(&self, scope: &str) -> &str {
        self.scopes.iter().find(|s| s.id == scope).map_or("", |s| s.title.as_str())
    }
}
