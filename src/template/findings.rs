//! Declarations of the findings the reader emits (`templates/findings/*.toml`):
//! id, severity, title and why, for `docs/rules.md`. Validated at load against
//! the ids the code emits, so the two cannot drift apart.

use serde::Deserialize;

use super::Store;
use crate::error::{Error, line_of};
use crate::finding::Severity;

/// Every finding id the reader (`model::extract`, `check`) emits, with its severity.
pub const READER_FINDINGS: [(&str, Severity); 10] = [
    ("table-unconfirmed", Severity::Error),
    ("table-missing", Severity::Warning),
    ("table-duplicate", Severity::Warning),
    ("row-unknown", Severity::Warning),
    ("row-duplicate", Severity::Warning),
    ("column-unknown", Severity::Info),
    ("cell-not-number", Severity::Error),
    ("formula-uncomputed", Severity::Error),
    ("year-missing", Severity::Warning),
    ("unit-missing", Severity::Warning),
];

/// One declared finding.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingDecl {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    pub why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, rename = "finding")]
    findings: Vec<toml::Spanned<FindingDecl>>,
}

/// Loads `findings/*.toml` and checks them against `READER_FINDINGS`.
///
/// # Errors
/// A file that does not parse, a duplicate or unknown id, a severity that
/// differs from the code's, or an emitted id left undeclared.
pub fn load(store: &Store) -> Result<Vec<FindingDecl>, Error> {
    let mut out: Vec<FindingDecl> = Vec::new();
    let mut last_origin = String::from("templates/findings/");
    for (_, f) in store.under("findings/") {
        last_origin.clone_from(&f.origin);
        let raw: RawFile = toml::from_str(&f.text).map_err(|e| Error::Template {
            path: f.origin.clone(),
            line: e.span().map_or(1, |s| line_of(&f.text, s.start)),
            message: e.message().to_string(),
        })?;
        for s in raw.findings {
            let line = line_of(&f.text, s.span().start);
            let d = s.into_inner();
            let err = |m: String| Error::Template {
                path: f.origin.clone(),
                line,
                message: format!("finding {}: {m}", d.id),
            };
            match READER_FINDINGS.iter().find(|(id, _)| *id == d.id) {
                None => return Err(err("the reader emits no such id".into())),
                Some((_, sev)) if *sev != d.severity => {
                    return Err(err(format!("the reader emits it as {}", sev.as_str())));
                }
                Some(_) if out.iter().any(|x| x.id == d.id) => return Err(err("declared twice".into())),
                Some(_) => out.push(d),
            }
        }
    }
    if let Some((id, _)) = READER_FINDINGS.iter().find(|(id, _)| !out.iter().any(|d| d.id == *id)) {
        return Err(Error::Template {
            path: last_origin,
            line: 1,
            message: format!("finding {id}: emitted by the reader but not declared"),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reader_id_is_declared_with_its_severity() {
        let store = Store::load(None).unwrap();
        let d = load(&store).unwrap();
        assert_eq!(d.len(), READER_FINDINGS.len());
    }

    #[test]
    fn a_severity_that_differs_from_the_code_is_refused() {
        let mut store = Store::load(None).unwrap();
        let f = store.files.get_mut("findings/reader.toml").unwrap();
        f.text = f.text.replacen("severity = \"error\"", "severity = \"info\"", 1);
        let e = load(&store).unwrap_err().to_string();
        assert!(e.contains("table-unconfirmed") && e.contains("error"), "{e}");
    }
}
