//! A 决算说明 file as numbered paragraphs: which files are one
//! (`is_narrative_path`, `mentions_final_accounts`) and reading them (`read`):
//! a `.txt` one paragraph per line, a `.docx` one per body paragraph (through
//! docx-rs; tables ignored). Numbers are 1-based and empty paragraphs count, so
//! `line` in a finding is the line an editor or Word's paragraph count shows
//! (cli.md).
//!
//! The styled paragraphs of a draft ([`Para`]) live here too: `narrative::draft`
//! builds them and `report::docx` writes them.
//!
//! Input layer, beside `workbook`: `inputs` sorts narrative files from
//! workbooks with it, `narrative` reads them and `report` writes drafts,
//! without any of them importing another.

use std::path::Path;

/// What a paragraph is, for the writer's formatting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Title,
    /// 一、…
    Heading1,
    /// （一）…
    Heading2,
    Body,
}

/// One paragraph of the draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Para {
    pub style: Style,
    pub text: String,
}

/// Why a narrative could not be read (a message key and a detail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub key: &'static str,
    pub detail: String,
}

/// A narrative's paragraphs, as printed (index 0 is paragraph 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub paragraphs: Vec<String>,
}

/// True for a file extension the reader takes (`.docx`, `.txt`).
pub fn is_narrative_path(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
        Some("docx" | "txt")
    )
}

/// The word every 决算说明 title and standard section heading contains
/// (收入支出决算总体情况 …); cli.md makes it the test for a document found in a
/// directory, so it is fixed here rather than configurable.
const FINAL_ACCOUNTS: &str = "决算";

/// True when a `.docx`/`.txt` found in a directory is a 决算说明: 决算 in its
/// file name or text. A document that cannot be read is taken (and reported).
pub fn mentions_final_accounts(path: &Path) -> bool {
    if path.file_name().is_some_and(|n| n.to_string_lossy().contains(FINAL_ACCOUNTS)) {
        return true;
    }
    read(path).map_or(true, |doc| doc.paragraphs.iter().any(|p| p.contains(FINAL_ACCOUNTS)))
}

/// Reads a `.txt` (UTF-8, BOM allowed) or `.docx`.
///
/// # Errors
/// An unreadable file, text that is not UTF-8, or a `.docx` that is not one.
pub fn read(path: &Path) -> Result<Document, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError { key: "read.io", detail: e.to_string() })?;
    let docx = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    if docx { from_docx(&bytes) } else { from_text(&bytes) }
}

/// One paragraph per line.
///
/// # Errors
/// Text that is not UTF-8.
pub fn from_text(bytes: &[u8]) -> Result<Document, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ReadError {
        key: "narrative.not_utf8",
        detail: format!("byte {}", e.valid_up_to() + 1),
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    Ok(Document { paragraphs: text.lines().map(str::to_string).collect() })
}

/// Body paragraphs of a `.docx`.
///
/// # Errors
/// Bytes docx-rs cannot read as a document.
pub fn from_docx(bytes: &[u8]) -> Result<Document, ReadError> {
    // A .docx is a zip like an xlsx: the same bound on its declared sizes
    // refuses a zip bomb before docx-rs inflates anything.
    crate::workbook::guard::check_zip(bytes, false)
        .map_err(|e| ReadError { key: e.key(), detail: e.detail() })?;
    let doc = docx_rs::read_docx(bytes)
        .map_err(|e| ReadError { key: "narrative.not_docx", detail: e.to_string() })?;
    let paragraphs = doc
        .document
        .children
        .iter()
        .filter_map(|c| match c {
            docx_rs::DocumentChild::Paragraph(p) => Some(p.raw_text()),
            _ => None,
        })
        .collect();
    Ok(Document { paragraphs })
}
