//! Carrying officers' explanations (说明) from an earlier findings report into
//! a new run: a finding is the same when its file, rule and cells are, and the
//! 说明 still applies only while its expected and actual amounts are unchanged
//! (otherwise it is quoted as stale and the finding counts as new).

use std::collections::BTreeMap;
use std::path::Path;

use crate::i18n::{Catalog, Lang};
use crate::outcome::FileReport;
use crate::outcome::ReportColumn as C;
use rust_decimal::Decimal;

use crate::workbook::{self, ReadError, Value};

/// An officer's 说明 and the amounts it was written for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    /// Expected and actual amounts of the finding, when it had any.
    pub amounts: Option<(Decimal, Decimal)>,
}

/// (file, rule, cells as written in the report) → explanation.
pub type Explanations = BTreeMap<(String, String, String), Note>;

/// The report writes amounts as numbers with full precision; a few decimal
/// places more than any printed amount decide "unchanged".
fn same_amounts(a: Option<(Decimal, Decimal)>, b: Option<(Decimal, Decimal)>) -> bool {
    let r = |x: Option<(Decimal, Decimal)>| x.map(|(e, a)| (e.round_dp(4), a.round_dp(4)));
    r(a) == r(b)
}

/// Reads the 说明 column of a findings report (either language's headers).
///
/// # Errors
/// When the report cannot be read as a workbook.
pub fn read(path: &Path, msg: &Catalog) -> Result<Explanations, ReadError> {
    let wb = workbook::open(path)?;
    let mut out = Explanations::new();
    let header = |key: &str| [Lang::Zh, Lang::En].map(|l| msg.clone().with_lang(l).text(key, &[]));
    let want = |c: C| header(c.key());
    for sheet in &wb.sheets {
        let Some((hr, cells)) = sheet.rows().next() else { continue };
        let find = |c: C| cells.iter().find(|(_, v)| want(c).contains(&v.text())).map(|(c, _)| *c);
        let (Some(cf), Some(cc), Some(cr), Some(ce)) =
            (find(C::File), find(C::Cell), find(C::Rule), find(C::Explanation))
        else {
            continue;
        };
        let (cx, ca) = (find(C::Expected), find(C::Actual));
        for (r, _) in sheet.rows().filter(|(r, _)| *r > hr) {
            let text = |c: u32| match sheet.get(r, c) {
                Value::Empty => String::new(),
                v => v.text(),
            };
            let e = text(ce);
            let amount = |c: Option<u32>| match c.map(|c| sheet.get(r, c)) {
                Some(Value::Number(d)) => Some(*d),
                Some(Value::Text(t)) => workbook::normalize::parse_number_text(t),
                _ => None,
            };
            let amounts = amount(cx).zip(amount(ca));
            if !e.trim().is_empty() {
                out.insert((text(cf), text(cr), text(cc)), Note { text: e.trim().to_string(), amounts });
            }
        }
    }
    Ok(out)
}

/// Whether `wb` is a findings report written by `check --report` (in either
/// language): its first row carries the rule and 说明 headers. Such a report
/// often sits in the folder being checked and is not a broken submission.
pub fn is_findings_report(wb: &workbook::Workbook, msg: &Catalog) -> bool {
    let header = |key: &str| [Lang::Zh, Lang::En].map(|l| msg.clone().with_lang(l).text(key, &[]));
    let (rule, note) = (header(C::Rule.key()), header(C::Explanation.key()));
    wb.sheets.iter().any(|sheet| {
        sheet.rows().next().is_some_and(|(_, cells)| {
            let has = |h: &[String; 2]| cells.iter().any(|(_, v)| h.contains(&v.text()));
            has(&rule) && has(&note)
        })
    })
}

/// Attaches explanations to matching findings; returns how many matched
/// (a 说明 whose amounts have changed since is kept as `stale_explanation`
/// and not counted).
///
/// The file is matched by its path as written in the old report, then — so that
/// `./报送/a.xlsx`, `报送/a.xlsx` or a moved folder still match — by the path
/// without `.` segments, then by the file name alone when exactly one file of
/// that name appears in the old report. Rule and cells must always match.
pub fn apply(files: &mut [FileReport], ex: &Explanations) -> usize {
    let m = Matcher::new(ex);
    files.iter_mut().map(|f| m.apply(f)).sum()
}

/// The explanations of an earlier report indexed for matching, so that each
/// file can be explained as soon as it is checked (a batch need not hold
/// every report until the end).
pub struct Matcher<'a> {
    ex: &'a Explanations,
    by_norm: BTreeMap<(String, &'a str, &'a str), &'a Note>,
    by_name: BTreeMap<(String, &'a str, &'a str), &'a Note>,
}

impl<'a> Matcher<'a> {
    pub fn new(ex: &'a Explanations) -> Self {
        let by_norm = ex.iter().map(|((f, r, c), e)| ((normalise(f), r.as_str(), c.as_str()), e)).collect();
        let mut names: BTreeMap<String, std::collections::BTreeSet<&str>> = BTreeMap::new();
        for (f, _, _) in ex.keys() {
            names.entry(file_name(f)).or_default().insert(f.as_str());
        }
        let by_name = ex
            .iter()
            .filter(|((f, _, _), _)| names.get(&file_name(f)).is_some_and(|s| s.len() == 1))
            .map(|((f, r, c), e)| ((file_name(f), r.as_str(), c.as_str()), e))
            .collect();
        Self { ex, by_norm, by_name }
    }

    /// Explains the findings of one file (see [`apply`]); returns how many matched.
    pub fn apply(&self, f: &mut FileReport) -> usize {
        let (norm, name) = (normalise(&f.path), file_name(&f.path));
        let mut n = 0;
        for x in &mut f.findings {
            let cells: Vec<String> = x.cells.iter().map(crate::location::CellRef::report_a1).collect();
            let cells = cells.join(" ");
            let found = self
                .ex
                .get(&(f.path.clone(), x.rule.clone(), cells.clone()))
                .or_else(|| self.by_norm.get(&(norm.clone(), x.rule.as_str(), cells.as_str())).copied())
                .or_else(|| self.by_name.get(&(name.clone(), x.rule.as_str(), cells.as_str())).copied());
            let now = x.values.as_ref().map(|v| (v.expected, v.actual));
            match found {
                Some(e) if same_amounts(e.amounts, now) => {
                    x.explanation = Some(e.text.clone());
                    n += 1;
                }
                Some(e) => x.stale_explanation = Some(e.text.clone()),
                None => {}
            }
        }
        n
    }
}

/// The path without `.` segments and with `/` separators.
fn normalise(path: &str) -> String {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty() && *s != ".").collect();
    let lead = if path.starts_with('/') { "/" } else { "" };
    format!("{lead}{}", parts.join("/"))
}

fn file_name(path: &str) -> String {
    normalise(path).rsplit('/').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Severity};
    use crate::outcome::{FileReport, Status};

    fn report(path: &str) -> FileReport {
        let mut r = FileReport::unreadable(std::path::Path::new(path), String::new());
        r.status = Status::Findings;
        r.error = None;
        r.findings = vec![Finding::new("R3a", Severity::Error, "m".to_string())];
        r
    }

    fn old(path: &str) -> Explanations {
        let note = Note { text: "已核实".to_string(), amounts: None };
        [((path.to_string(), "R3a".to_string(), String::new()), note)].into()
    }

    #[test]
    fn matches_the_same_file_however_its_path_is_spelled() {
        for (then, now) in [
            ("报送/a.xlsx", "报送/a.xlsx"),
            ("./报送/a.xlsx", "报送/a.xlsx"),
            ("报送/a.xlsx", "./报送//a.xlsx"),
            ("2024-03/报送/a.xlsx", "2024-04/报送/a.xlsx"),
        ] {
            let mut files = [report(now)];
            assert_eq!(apply(&mut files, &old(then)), 1, "{then} → {now}");
            assert_eq!(files[0].findings[0].explanation.as_deref(), Some("已核实"));
        }
    }

    #[test]
    fn an_ambiguous_file_name_or_another_rule_does_not_match() {
        let mut ex = old("甲县/a.xlsx");
        ex.extend(old("乙县/a.xlsx"));
        let mut files = [report("丙县/a.xlsx")];
        assert_eq!(apply(&mut files, &ex), 0);
        let mut files = [report("甲县/a.xlsx")];
        files[0].findings[0].rule = "X1".into();
        assert_eq!(apply(&mut files, &old("甲县/a.xlsx")), 0);
    }

    #[test]
    fn a_changed_amount_makes_the_old_note_stale() {
        use crate::finding::Comparison;
        let mut ex = old("a.xlsx");
        for n in ex.values_mut() {
            n.amounts = Some((Decimal::from(100), Decimal::new(9_950, 2)));
        }
        let mut files = [report("a.xlsx")];
        files[0].findings[0].values =
            Some(Comparison::new(Decimal::from(100), Decimal::new(9_950, 2), Decimal::ZERO));
        assert_eq!(apply(&mut files, &ex), 1);
        assert!(files[0].findings[0].waived());
        let mut files = [report("a.xlsx")];
        files[0].findings[0].values =
            Some(Comparison::new(Decimal::from(100), Decimal::new(-40_104, 2), Decimal::ZERO));
        assert_eq!(apply(&mut files, &ex), 0);
        let f = &files[0].findings[0];
        assert_eq!((f.explanation.as_deref(), f.stale_explanation.as_deref()), (None, Some("已核实")));
    }
}
