//! `Error`: the tool could not do its job (bad template, unwritable output, bad
//! arguments). Data problems are `Finding`s, never errors.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A template file failed to parse or validate; `line` is 1-based.
    #[error("{path}:{line}: {message}")]
    Template { path: String, line: usize, message: String },
    /// An output could not be written.
    #[error("cannot write {path}: {message}")]
    Output { path: PathBuf, message: String },
    /// The arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// 1-based line of a byte offset in `text`, for template errors.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len())).map_or(1, |t| t.matches('\n').count() + 1)
}
