//! Drafting a 决算说明 from the tables (`juesuan narrate`): the sections and
//! sentence frames of `templates/narrative/draft.toml`, filled with amounts,
//! shares, changes and rates computed from the printed (2-decimal) figures,
//! so that `check` of the draft against its workbook finds no error. Values
//! are read through the lexicon's cells: one mapping for reading and writing.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

use super::check::lookup;
use super::lexicon::Lexicon;
use crate::document::{Para, Style};
use crate::error::{Error, line_of};
use crate::model::Department;
use crate::template::{Layouts, Store};

const FILE: &str = "narrative/draft.toml";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Phrases {
    change: String,
    change_from_zero: String,
    flat: String,
    unknown: String,
    increase: String,
    decrease: String,
    rise: String,
    fall: String,
    part: String,
    part_no_share: String,
    separator: String,
    item: String,
    missing: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    heading: String,
    #[serde(default = "one")]
    level: u8,
    #[serde(default)]
    text: Vec<String>,
}

fn one() -> u8 {
    1
}

/// The validated draft template.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    title: String,
    phrases: Phrases,
    #[serde(rename = "section")]
    sections: Vec<Section>,
}

impl Frame {
    /// Loads `narrative/draft.toml` and checks every placeholder names a known
    /// subject and scope.
    ///
    /// # Errors
    /// A file that does not parse, or an unknown placeholder, with its line.
    pub fn load(store: &Store, lex: &Lexicon) -> Result<Self, Error> {
        let f = store.get(FILE).ok_or_else(|| Error::Template {
            path: format!("templates/{FILE}"),
            line: 0,
            message: "missing".into(),
        })?;
        let at = |line: usize, message: String| Error::Template { path: f.origin.clone(), line, message };
        let frame: Frame = toml::from_str(&f.text)
            .map_err(|e| at(e.span().map_or(1, |s| line_of(&f.text, s.start)), e.message().to_string()))?;
        for s in &frame.sections {
            for t in &s.text {
                for (kind, arg) in placeholders(t) {
                    validate(kind, arg, lex).map_err(|m| {
                        let line = f.text.find(arg).map_or(1, |o| line_of(&f.text, o));
                        at(line, format!("{{{kind}:{arg}}}: {m}"))
                    })?;
                }
            }
        }
        Ok(frame)
    }
}

/// `{kind:arg}` placeholders of a frame (plain `{year}` ones are not listed).
fn placeholders(t: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        let inner = &rest[i + 1..i + j];
        if let Some((k, a)) = inner.split_once(':') {
            out.push((k, a));
        }
        rest = &rest[i + j + 1..];
    }
    out
}

fn subject_at<'a>(s: &'a str, lex: &Lexicon) -> Result<(usize, &'a str), String> {
    let (name, scope) = s.split_once('@').ok_or_else(|| format!("`{s}` needs SUBJECT@SCOPE"))?;
    let sub = lex.subject(name).ok_or_else(|| format!("unknown subject `{name}`"))?;
    if scope != "all" && !lex.scopes.iter().any(|x| x.id == scope) {
        return Err(format!("unknown scope `{scope}`"));
    }
    Ok((sub, scope))
}

fn validate(kind: &str, arg: &str, lex: &Lexicon) -> Result<(), String> {
    match kind {
        "a" | "change" => subject_at(arg, lex).map(|_| ()),
        "share" => {
            let (a, b) = arg.split_once('/').ok_or("`share` needs PART@SCOPE/BASE@SCOPE")?;
            subject_at(a, lex).and(subject_at(b, lex)).map(|_| ())
        }
        "parts" => {
            let (list, scope) = arg.split_once('@').ok_or("`parts` needs S1|S2@SCOPE")?;
            for p in list.split('|') {
                subject_at(&format!("{p}@{scope}"), lex)?;
            }
            Ok(())
        }
        "classes" | "items" => Ok(()),
        _ => Err(format!("unknown placeholder kind `{kind}`")),
    }
}

fn r2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn money(d: Decimal) -> String {
    format!("{:.2}", r2(d))
}

struct Drafter<'a> {
    lex: &'a Lexicon,
    layouts: &'a Layouts,
    frame: &'a Frame,
    dep: &'a Department,
    prior: Option<&'a Department>,
    year: String,
    prior_year: String,
}

impl Drafter<'_> {
    /// A subject's printed (rounded) amount in this year's or last year's tables.
    fn value(&self, dep: &Department, subject: usize, scope: &str) -> Option<Decimal> {
        let spec = self.lex.subjects[subject].cells.get(scope)?;
        lookup(dep, spec).map(|(v, _)| r2(v))
    }

    fn name(&self, subject: usize, scope: &str) -> String {
        let sub = &self.lex.subjects[subject];
        let title = self.lex.scope_title(scope);
        if sub.scoped && !sub.label.starts_with(title) {
            format!("{title}{}", sub.label)
        } else {
            sub.label.clone()
        }
    }

    fn share(part: Decimal, base: Decimal) -> Option<String> {
        (base > Decimal::ZERO).then(|| money(part / base * Decimal::ONE_HUNDRED))
    }

    fn part(&self, subject: usize, v: Decimal, base: Option<Decimal>) -> String {
        let p = &self.frame.phrases;
        let name = self.lex.subjects[subject].label.clone();
        match base.and_then(|b| Self::share(v, b)) {
            Some(s) => fill(&p.part, &[("name", &name), ("amount", &money(v)), ("share", &s)]),
            None => fill(&p.part_no_share, &[("name", &name), ("amount", &money(v))]),
        }
    }

    fn change(&self, subject: usize, scope: &str) -> String {
        let p = &self.frame.phrases;
        let Some(prior) = self.prior else { return p.unknown.clone() };
        let (Some(a), Some(b)) = (self.value(self.dep, subject, scope), self.value(prior, subject, scope))
        else {
            return p.unknown.clone();
        };
        let delta = a - b;
        let py = &self.prior_year;
        if delta.is_zero() {
            return fill(&p.flat, &[("prior_year", py)]);
        }
        let dir = if delta > Decimal::ZERO { &p.increase } else { &p.decrease };
        let name = self.name(subject, scope);
        let args: Vec<(&str, String)> = vec![
            ("prior_year", py.clone()),
            ("name", name),
            ("dir", dir.clone()),
            ("delta", money(delta.abs())),
            ("rate_dir", if delta > Decimal::ZERO { p.rise.clone() } else { p.fall.clone() }),
            ("rate", Self::share(delta.abs(), b).unwrap_or_default()),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if b <= Decimal::ZERO { fill(&p.change_from_zero, &args) } else { fill(&p.change, &args) }
    }

    fn expand<'a>(&self, kind: &str, arg: &'a str) -> String {
        let missing = || self.frame.phrases.missing.clone();
        let lex = self.lex;
        let sub = |s: &'a str| subject_at(s, lex).ok();
        match kind {
            "a" => sub(arg).and_then(|(s, sc)| self.value(self.dep, s, sc)).map_or_else(missing, money),
            "change" => sub(arg).map_or_else(missing, |(s, sc)| self.change(s, sc)),
            "share" => {
                let Some((a, b)) = arg.split_once('/') else { return missing() };
                let v = |x: &'a str| sub(x).and_then(|(s, sc)| self.value(self.dep, s, sc));
                match (v(a), v(b)) {
                    (Some(a), Some(b)) => Self::share(a, b).unwrap_or_else(|| "0".into()),
                    _ => missing(),
                }
            }
            "parts" => {
                let Some((list, scope)) = arg.split_once('@') else { return missing() };
                let parts: Vec<usize> = list.split('|').filter_map(|p| self.lex.subject(p)).collect();
                let whole = parts.first().and_then(|p| self.lex.families_of(*p).next()).map(|f| f.whole);
                let base = whole.and_then(|w| self.value(self.dep, w, scope));
                let items: Vec<String> = parts
                    .iter()
                    .filter_map(|&p| self.value(self.dep, p, scope).map(|v| self.part(p, v, base)))
                    .collect();
                if items.is_empty() { missing() } else { items.join(&self.frame.phrases.separator) }
            }
            "classes" => {
                let scope = arg;
                let base = self.lex.subject("支出合计").and_then(|w| self.value(self.dep, w, scope));
                let items: Vec<String> = (0..self.lex.subjects.len())
                    .filter(|&i| self.lex.subjects[i].class.is_some())
                    .filter_map(|i| self.value(self.dep, i, scope).filter(|v| !v.is_zero()).map(|v| (i, v)))
                    .map(|(i, v)| self.part(i, v, base))
                    .collect();
                if items.is_empty() { missing() } else { items.join(&self.frame.phrases.separator) }
            }
            _ => missing(),
        }
    }

    fn paragraph(&self, t: &str) -> String {
        let mut out = String::new();
        let mut rest = t;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let inner = &rest[i + 1..i + j];
            match inner.split_once(':') {
                Some((k, a)) => out.push_str(&self.expand(k, a)),
                None => out.push_str(&fill(&format!("{{{inner}}}"), &self.plain())),
            }
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
        out
    }

    fn plain(&self) -> Vec<(&str, &str)> {
        vec![
            ("department", self.dep.department.as_deref().unwrap_or("")),
            ("year", &self.year),
            ("prior_year", &self.prior_year),
        ]
    }

    /// One paragraph per 项 (7-digit code) of the scope's class table.
    fn items(&self, scope: &str) -> Vec<String> {
        let Some(cell) =
            self.lex.subjects.iter().find(|s| s.class.is_some()).and_then(|s| s.cells.get(scope))
        else {
            return Vec::new();
        };
        let Some(t) = self.dep.table(cell.table) else { return Vec::new() };
        let unit = t.unit.or(self.dep.unit).unwrap_or_default();
        let f = unit.factor_to(crate::model::Unit::WanYuan);
        let mut out = Vec::new();
        for r in t.code_rows() {
            let Some(code) = r.key.code().filter(|c| c.len() == 7) else { continue };
            let Some(v) = r.get(&cell.column).map(|a| r2(a.value * f)).filter(|v| !v.is_zero()) else {
                continue;
            };
            // The 款 as the table prints it, else its official name.
            let name = |c: &str| {
                t.row_by_code(c)
                    .map(|r| r.label.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .or_else(|| self.layouts.code_name(c).map(str::to_string))
                    .unwrap_or_default()
            };
            let xiang = if r.label.trim().is_empty() { name(code) } else { r.label.trim().to_string() };
            let n = (out.len() + 1).to_string();
            out.push(fill(
                &self.frame.phrases.item,
                &[
                    ("n", &n),
                    ("class", name(&code[..3]).trim_end_matches("支出")),
                    ("kuan", &name(&code[..5])),
                    ("xiang", &xiang),
                    ("amount", &money(v)),
                ],
            ));
        }
        out
    }
}

/// `{key}` → value for each pair.
fn fill(t: &str, args: &[(&str, &str)]) -> String {
    let mut s = t.to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// The draft as plain text, one paragraph a line (`narrate -o x.txt`).
pub fn plain_text(paras: &[Para]) -> String {
    paras.iter().map(|p| format!("{}\n", p.text)).collect()
}

/// How many `【…】` placeholders the officer still has to fill in.
pub fn to_fill(paras: &[Para]) -> usize {
    paras.iter().map(|p| p.text.matches('【').count()).sum()
}

/// The draft's paragraphs (title first).
pub fn draft(
    frame: &Frame,
    lex: &Lexicon,
    layouts: &Layouts,
    dep: &Department,
    prior: Option<&Department>,
) -> Vec<Para> {
    let year = dep.year.map_or_else(|| "【年度】".into(), |y| y.to_string());
    let prior_year = prior
        .and_then(|p| p.year)
        .or(dep.year.map(|y| y - 1))
        .map_or_else(|| "上年".into(), |y| y.to_string());
    let d = Drafter { lex, layouts, frame, dep, prior, year, prior_year };
    let mut out = vec![Para { style: Style::Title, text: d.paragraph(&frame.title) }];
    for s in &frame.sections {
        let style = if s.level >= 2 { Style::Heading2 } else { Style::Heading1 };
        out.push(Para { style, text: s.heading.clone() });
        for t in &s.text {
            if let Some(scope) = t.strip_prefix("{items:").and_then(|r| r.strip_suffix('}')) {
                out.extend(d.items(scope).into_iter().map(|text| Para { style: Style::Body, text }));
            } else {
                out.push(Para { style: Style::Body, text: d.paragraph(t) });
            }
        }
    }
    out
}
