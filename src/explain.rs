//! Carrying officers' explanations (说明) from an earlier findings report into
//! a new run: a finding is the same when its file, rule and cells are.

use std::collections::BTreeMap;
use std::path::Path;

use crate::check::FileReport;
use crate::i18n::{Catalog, Lang};
use crate::report::findings_xlsx::COLUMNS;
use crate::workbook::{self, ReadError, Value};

/// (file, rule, cells as written in the report) → explanation.
pub type Explanations = BTreeMap<(String, String, String), String>;

/// Reads the 说明 column of a findings report (either language's headers).
///
/// # Errors
/// When the report cannot be read as a workbook.
pub fn read(path: &Path, msg: &Catalog) -> Result<Explanations, ReadError> {
    let wb = workbook::open(path)?;
    let mut out = Explanations::new();
    let header = |key: &str| [Lang::Zh, Lang::En].map(|l| msg.clone().with_lang(l).text(key, &[]));
    let want = |i: usize| header(COLUMNS[i]);
    for sheet in &wb.sheets {
        let Some((hr, cells)) = sheet.rows().next() else { continue };
        let find = |i: usize| cells.iter().find(|(_, v)| want(i).contains(&v.text())).map(|(c, _)| *c);
        let (Some(cf), Some(cc), Some(cr), Some(ce)) = (find(0), find(4), find(5), find(11)) else {
            continue;
        };
        for (r, _) in sheet.rows().filter(|(r, _)| *r > hr) {
            let text = |c: u32| match sheet.get(r, c) {
                Value::Empty => String::new(),
                v => v.text(),
            };
            let e = text(ce);
            if !e.trim().is_empty() {
                out.insert((text(cf), text(cr), text(cc)), e.trim().to_string());
            }
        }
    }
    Ok(out)
}

/// Attaches explanations to matching findings; returns how many matched.
pub fn apply(files: &mut [FileReport], ex: &Explanations) -> usize {
    let mut n = 0;
    for f in files {
        for x in &mut f.findings {
            let cells: Vec<String> = x.cells.iter().map(crate::location::CellRef::sheet_a1).collect();
            if let Some(e) = ex.get(&(f.path.clone(), x.rule.clone(), cells.join(" "))) {
                x.explanation = Some(e.clone());
                n += 1;
            }
        }
    }
    n
}
