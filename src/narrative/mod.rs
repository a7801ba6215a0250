//! 决算说明 (the published narrative of the final accounts): turning its
//! sentences into statements (`parse`, words from the `lexicon`), checking them
//! against each other and the tables (`check`, the `N` rules) and drafting one
//! from the tables (`draft`, for `narrate`). Reading the file into paragraphs
//! is `crate::document`; writing the draft is `report::docx`.

pub mod check;
pub mod draft;
pub mod lexicon;
pub mod parse;

use std::path::Path;

pub use lexicon::Lexicon;

use crate::document::{self, Document};
use crate::i18n::Catalog;
use crate::model::Department;
use crate::outcome::{FileKind, FileReport, Status};
use crate::rules::RuleSet;

/// Paragraphs looked at for the title and the 编制单位.
const HEAD: usize = 12;

/// True when `dep`'s 编制单位 is named in the document's first lines or its file name.
pub fn names_department(path: &Path, doc: &Document, dep: &Department) -> bool {
    let Some(name) = dep.department.as_deref().map(crate::text::norm_header) else { return false };
    if name.is_empty() {
        return false;
    }
    let file = crate::text::norm_header(&path.file_name().unwrap_or_default().to_string_lossy());
    file.contains(&name)
        || doc
            .paragraphs
            .iter()
            .filter(|p| !p.trim().is_empty())
            .take(HEAD)
            .any(|p| crate::text::norm_header(p).contains(&name))
}

/// Reads and checks one narrative with the vocabulary, the rules (for their
/// tolerances) and the messages of the loaded templates, against its paired
/// workbook and last year's when given.
pub fn check_file(
    path: &Path,
    lexicon: &Lexicon,
    rules: &RuleSet,
    msg: &Catalog,
    paired: Option<(&Path, &Department)>,
    prior: Option<&Department>,
) -> FileReport {
    let mut r = FileReport::unreadable(path, String::new());
    r.kind = FileKind::Narrative;
    r.paired_with = Some(paired.map(|(p, _)| p.display().to_string()));
    let doc = match document::read(path) {
        Ok(d) => d,
        Err(e) => {
            r.error = Some(msg.text(e.key, &[("detail", &e.detail)]));
            return r;
        }
    };
    r.error = None;
    r.status = Status::Ok;
    let dep = paired.map(|(_, d)| d);
    r.department = dep.and_then(|d| d.department.clone());
    r.year = dep.and_then(|d| d.year);
    r.unit = Some("万元".into());
    let statements = parse::statements(&doc.paragraphs, lexicon);
    r.findings = check::check(&statements, lexicon, rules, msg, dep, prior);
    r.refresh_status();
    r
}
/// The workbook a narrative belongs to (cli.md): the one whose 编制单位 the
/// document names in its first lines or file name, else the only workbook in
/// the same folder.
pub fn pair<'a>(
    narrative: &std::path::Path,
    read: &[(&'a std::path::Path, &'a crate::model::Department)],
) -> Option<(&'a std::path::Path, &'a crate::model::Department)> {
    let doc = crate::document::read(narrative).ok()?;
    let named: Vec<_> = read.iter().filter(|(_, d)| names_department(narrative, &doc, d)).copied().collect();
    let folder = narrative.parent();
    let here = |v: &[(&'a std::path::Path, &'a crate::model::Department)]| {
        let same: Vec<_> = v.iter().filter(|(p, _)| p.parent() == folder).copied().collect();
        (same.len() == 1).then(|| same[0])
    };
    match named.len() {
        1 => Some(named[0]),
        0 => here(read),
        _ => here(&named).or(Some(named[0])),
    }
}
