//! Table layouts (`templates/tables/T01.toml` …) and classification code lists
//! (`templates/codes/*.csv`): what each of the thirteen tables is called, which
//! header words confirm it, how its rows are keyed and which columns it has.
//!
//! Parsed strictly (`deny_unknown_fields`) and validated once; matching
//! keywords are normalised here so the reader compares like with like.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::Store;
use crate::error::{Error, line_of};
use crate::text::{norm_header, norm_label};

/// How the data rows of a table are keyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// Fixed rows keyed by normalised label (T1, T4).
    Label,
    /// 功能分类 codes, 3/5/7 digits starting with 2.
    Function,
    /// 经济分类 codes, 3/5 digits starting with 3.
    Economic,
    /// One data row (T13).
    Single,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    no: u8,
    title: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    confirm: Vec<String>,
    #[serde(default)]
    refuse: Vec<String>,
    key: KeyKind,
    #[serde(default)]
    sides: Vec<String>,
    #[serde(default)]
    class_rows: Option<String>,
    #[serde(default, rename = "column")]
    columns: Vec<RawColumn>,
    #[serde(default, rename = "row")]
    rows: Vec<RawRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    id: String,
    #[serde(default)]
    side: Option<String>,
    #[serde(default)]
    header: Option<String>,
    #[serde(default)]
    standard: Option<bool>,
    #[serde(default, rename = "match")]
    matches: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    id: String,
    #[serde(default)]
    side: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default, rename = "match")]
    matches: Vec<String>,
    #[serde(default)]
    after: Option<String>,
}

/// One alternative of a column match: all `all` words present, no `none` word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub all: Vec<String>,
    pub none: Vec<String>,
}

impl Pattern {
    fn parse(s: &str) -> Self {
        let mut all = Vec::new();
        let mut none = Vec::new();
        for part in s.split('&').map(str::trim).filter(|p| !p.is_empty()) {
            match part.strip_prefix('!') {
                Some(neg) => none.push(norm_header(neg)),
                None => all.push(norm_header(part)),
            }
        }
        Self { all, none }
    }

    /// Match strength against a normalised header path, or `None`.
    /// Stronger: more words, then more characters matched.
    pub fn score(&self, path: &str) -> Option<(usize, usize)> {
        if self.all.iter().all(|w| path.contains(w.as_str()))
            && !self.none.iter().any(|w| path.contains(w.as_str()))
        {
            Some((self.all.len(), self.all.iter().map(|w| w.chars().count()).sum()))
        } else {
            None
        }
    }
}

/// A column a table may have.
#[derive(Clone, Debug)]
pub struct ColumnSpec {
    /// Canonical id, used by rules and in the model (e.g. `本年支出合计`).
    pub id: String,
    pub side: Option<String>,
    /// Header path the standard writer prints, `/`-separated.
    pub header: String,
    /// Written by `template` and `convert` (variant-only columns are not).
    pub standard: bool,
    pub patterns: Vec<Pattern>,
}

/// A fixed, label-keyed row.
#[derive(Clone, Debug)]
pub struct RowSpec {
    pub id: String,
    pub side: Option<String>,
    /// Label the standard writer prints.
    pub label: String,
    /// Normalised labels that mean this row.
    pub matches: Vec<String>,
    /// Matches only after this row was seen in the same block (T4 年初 sub-rows).
    pub after: Option<String>,
}

/// A validated table layout.
#[derive(Clone, Debug)]
pub struct TableLayout {
    pub no: u8,
    pub title: String,
    pub title_en: String,
    /// Normalised titles (official first, then aliases).
    pub titles: Vec<String>,
    pub confirm: Vec<String>,
    pub refuse: Vec<String>,
    pub key: KeyKind,
    pub sides: Vec<String>,
    pub class_rows: Option<String>,
    pub columns: Vec<ColumnSpec>,
    pub rows: Vec<RowSpec>,
    /// Where the layout came from, for messages.
    pub origin: String,
}

impl TableLayout {
    pub fn column(&self, id: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.id == id)
    }

    pub fn row(&self, id: &str) -> Option<&RowSpec> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// Column specs of one side (all of them when the table has no sides).
    pub fn side_columns<'a>(&'a self, side: Option<&'a str>) -> impl Iterator<Item = &'a ColumnSpec> + 'a {
        self.columns.iter().filter(move |c| side.is_none() || c.side.as_deref() == side)
    }

    /// The best column spec for a normalised header path, among those not yet
    /// `taken` in the same block. Stronger patterns (more words) win.
    pub fn match_column<'a>(
        &'a self,
        side: Option<&'a str>,
        path: &str,
        taken: &[String],
    ) -> Option<&'a ColumnSpec> {
        self.side_columns(side)
            .filter(|s| !taken.contains(&s.id))
            .filter_map(|s| s.patterns.iter().filter_map(|p| p.score(path)).max().map(|sc| (sc, s)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, s)| s)
    }

    /// The fixed row a normalised label means on this side, given the rows
    /// already `seen` in the block (T4's 年初 fund sub-rows repeat earlier labels).
    pub fn match_row(&self, side: Option<&str>, norm: &str, seen: &[String]) -> Option<&RowSpec> {
        let cands: Vec<&RowSpec> = self
            .rows
            .iter()
            .filter(|r| r.side.is_none() || side.is_none() || r.side.as_deref() == side)
            .filter(|r| r.matches.iter().any(|m| m == norm))
            .collect();
        cands
            .iter()
            .find(|r| r.after.as_ref().is_some_and(|a| seen.contains(a)) && !seen.contains(&r.id))
            .or_else(|| cands.iter().find(|r| r.after.is_none() && !seen.contains(&r.id)))
            .or_else(|| cands.iter().find(|r| r.after.is_none()))
            .copied()
    }

    /// `T01`-style id.
    pub fn code(&self) -> String {
        format!("T{:02}", self.no)
    }
}

/// A classification code with its official name.
#[derive(Clone, Debug)]
pub struct CodeName {
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
}

/// All thirteen layouts plus the code lists.
#[derive(Clone, Debug)]
pub struct Layouts {
    pub tables: Vec<TableLayout>,
    pub function: Vec<CodeName>,
    pub economic: Vec<CodeName>,
    /// Normalised 类 name (and old names) → function class code.
    pub function_by_name: BTreeMap<String, String>,
}

impl Layouts {
    /// Loads `tables/*.toml` and `codes/*.csv` from the store and validates them.
    ///
    /// # Errors
    /// A file that does not parse or does not validate, with its path and line.
    pub fn load(store: &Store) -> Result<Self, Error> {
        let mut tables: Vec<TableLayout> = Vec::new();
        for (_, f) in store.under("tables/") {
            let layout = parse_layout(&f.origin, &f.text)?;
            if let Some(old) = tables.iter_mut().find(|t| t.no == layout.no) {
                *old = layout;
            } else {
                tables.push(layout);
            }
        }
        tables.sort_by_key(|t| t.no);
        let nos: Vec<u8> = tables.iter().map(|t| t.no).collect();
        if nos != (1..=13).collect::<Vec<u8>>() {
            return Err(Error::Template {
                path: "templates/tables".into(),
                line: 0,
                message: format!("expected layouts for tables 1–13, found {nos:?}"),
            });
        }
        let function = parse_codes(store, "codes/function.csv")?;
        let economic = parse_codes(store, "codes/economic.csv")?;
        let mut function_by_name = BTreeMap::new();
        for c in &function {
            for n in std::iter::once(&c.name).chain(&c.aliases) {
                function_by_name.insert(norm_label(n), c.code.clone());
            }
        }
        Ok(Self { tables, function, economic, function_by_name })
    }

    /// Layout of table `no` (1–13).
    pub fn table(&self, no: u8) -> Option<&TableLayout> {
        self.tables.iter().find(|t| t.no == no)
    }

    /// Fails unless table `table` declares column `column`: how a template that
    /// names a column by id (consolidate.toml, scoring.toml) is validated.
    ///
    /// # Errors
    /// What is missing, in words for the template's error message.
    pub fn check_column(&self, table: u8, column: &str) -> Result<(), String> {
        let l = self.table(table).ok_or_else(|| format!("no table T{table:02}"))?;
        l.column(column).map(|_| ()).ok_or_else(|| format!("T{table:02} has no column `{column}`"))
    }

    /// Fails unless table `table` declares row `row` (on `side`, when given) and
    /// column `column`.
    ///
    /// # Errors
    /// What is missing, in words for the template's error message.
    pub fn check_amount(&self, table: u8, side: Option<&str>, row: &str, column: &str) -> Result<(), String> {
        self.check_column(table, column)?;
        let l = self.table(table).ok_or_else(|| format!("no table T{table:02}"))?;
        if l.rows.iter().any(|r| r.id == row && (side.is_none() || r.side.as_deref() == side)) {
            Ok(())
        } else {
            Err(format!(
                "T{table:02} has no row `{row}`{}",
                side.map(|s| format!(" on side {s}")).unwrap_or_default()
            ))
        }
    }

    /// Official name of a code, if listed.
    pub fn code_name(&self, code: &str) -> Option<&str> {
        let list = if code.starts_with('2') { &self.function } else { &self.economic };
        list.iter().find(|c| c.code == code).map(|c| c.name.as_str())
    }
}

fn template_err(path: &str, text: &str, e: &toml::de::Error) -> Error {
    Error::Template {
        path: path.to_string(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().to_string(),
    }
}

fn parse_layout(origin: &str, text: &str) -> Result<TableLayout, Error> {
    let raw: RawLayout = toml::from_str(text).map_err(|e| template_err(origin, text, &e))?;
    let bad = |what: String| {
        let line = text
            .lines()
            .position(|l| l.contains(what.split('`').nth(1).unwrap_or("\u{0}")))
            .map_or(1, |i| i + 1);
        Error::Template { path: origin.to_string(), line, message: what }
    };
    if !(1..=13).contains(&raw.no) {
        return Err(bad(format!("table number `{}` is not 1–13", raw.no)));
    }
    let side_ok = |s: &Option<String>| s.as_ref().is_none_or(|s| raw.sides.contains(s));
    let mut seen = BTreeSet::new();
    let mut columns = Vec::new();
    for c in &raw.columns {
        if !side_ok(&c.side) {
            return Err(bad(format!("column `{}` names an unknown side", c.id)));
        }
        if !raw.sides.is_empty() && c.side.is_none() {
            return Err(bad(format!("column `{}` needs a side (one of {:?})", c.id, raw.sides)));
        }
        if !seen.insert((c.side.clone(), c.id.clone())) {
            return Err(bad(format!("column `{}` is defined twice", c.id)));
        }
        let mut patterns: Vec<Pattern> = c.matches.iter().map(|m| Pattern::parse(m)).collect();
        patterns.push(Pattern::parse(&c.id.replace('/', "&")));
        columns.push(ColumnSpec {
            id: c.id.clone(),
            side: c.side.clone(),
            header: c.header.clone().unwrap_or_else(|| c.id.clone()),
            standard: c.standard.unwrap_or(true),
            patterns,
        });
    }
    let mut rows = Vec::new();
    let mut row_ids = BTreeSet::new();
    for r in &raw.rows {
        if !side_ok(&r.side) {
            return Err(bad(format!("row `{}` names an unknown side", r.id)));
        }
        if !row_ids.insert(r.id.clone()) {
            return Err(bad(format!("row `{}` is defined twice", r.id)));
        }
        if let Some(a) = &r.after
            && !raw.rows.iter().any(|x| &x.id == a)
        {
            return Err(bad(format!("row `{}`: `after` names unknown row `{a}`", r.id)));
        }
        let label = r.label.clone().unwrap_or_else(|| r.id.clone());
        let mut matches = vec![norm_label(&r.id), norm_label(&label)];
        matches.extend(r.matches.iter().map(|m| norm_label(m)));
        matches.dedup();
        rows.push(RowSpec { id: r.id.clone(), side: r.side.clone(), label, matches, after: r.after.clone() });
    }
    if let Some(s) = &raw.class_rows
        && !raw.sides.contains(s)
    {
        return Err(bad(format!("class_rows names unknown side `{s}`")));
    }
    let mut titles = vec![norm_header(&raw.title)];
    titles.extend(raw.aliases.iter().map(|a| norm_header(a)));
    Ok(TableLayout {
        no: raw.no,
        title: raw.title,
        title_en: raw.title_en,
        titles,
        confirm: raw.confirm.iter().map(|c| norm_header(c)).collect(),
        refuse: raw.refuse.iter().map(|c| norm_header(c)).collect(),
        key: raw.key,
        sides: raw.sides,
        class_rows: raw.class_rows,
        columns,
        rows,
        origin: origin.to_string(),
    })
}

fn parse_codes(store: &Store, rel: &str) -> Result<Vec<CodeName>, Error> {
    let Some(f) = store.get(rel) else {
        return Err(Error::Template {
            path: format!("templates/{rel}"),
            line: 0,
            message: "file missing".into(),
        });
    };
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(f.text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let err = |m: String| Error::Template { path: f.origin.clone(), line: i + 2, message: m };
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let code = rec.get(0).unwrap_or("").trim().to_string();
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) || ![3, 5, 7].contains(&code.len()) {
            return Err(err(format!("`{code}` is not a 3/5/7-digit code")));
        }
        let name = rec.get(1).unwrap_or("").trim().to_string();
        let aliases = rec
            .get(2)
            .unwrap_or("")
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        out.push(CodeName { code, name, aliases });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_layouts_validate() {
        let store = Store::load(None).unwrap();
        let l = Layouts::load(&store).unwrap();
        assert_eq!(l.tables.len(), 13);
        assert_eq!(l.function_by_name.get("卫生健康支出").map(String::as_str), Some("210"));
        assert_eq!(l.function_by_name.get("医疗卫生与计划生育支出").map(String::as_str), Some("210"));
        assert_eq!(l.code_name("30217"), Some("公务接待费"));
        let t13 = l.table(13).unwrap();
        assert_eq!(t13.columns.len(), 12);
    }

    #[test]
    fn pattern_scoring_prefers_specific_and_honours_negation() {
        let p = Pattern::parse("决算&公务用车购置及运行&!公务用车购置费");
        assert!(p.score(&norm_header("公务用车购置及运行维护费/小计/决算数")).is_some());
        assert!(p.score(&norm_header("公务用车购置及运行维护费/公务用车购置费/决算数")).is_none());
    }

    #[test]
    fn broken_layout_names_the_line() {
        let text = "no = 1\ntitle = \"x\"\nkey = \"label\"\nbogus = 3\n";
        let Err(Error::Template { line, path, .. }) = parse_layout("T.toml", text) else { panic!() };
        assert_eq!((line, path.as_str()), (4, "T.toml"));
        let text = "no = 1\ntitle = \"x\"\nkey = \"label\"\n[[column]]\nid = \"a\"\nside = \"左\"\n";
        let Err(Error::Template { message, .. }) = parse_layout("T.toml", text) else { panic!() };
        assert!(message.contains("unknown side"), "{message}");
    }
}
