//! The raw template store (`templates/`, embedded or overlaid) and the table layouts.
//!
//! It knows nothing of rules, scoring, messages or narratives: those parse their
//! own files from the [`Store`], and `config::Templates` assembles them. The one
//! other file parsed here is `consolidate.toml` ([`consolidation::Spec`]): plain
//! row and column ids checked against the layouts, kept below `config` so that
//! `config` does not import the `consolidate` pipeline that reads it.
//!
//! Defaults are embedded in the binary at build time; `--templates DIR` overlays
//! a directory on them. Rule files (`rules/*.toml`) and message catalogues
//! (`messages*.toml`) in the overlay are *layered*: they add, replace or disable
//! single rules by id and single messages by key, so a province never loses a
//! built-in rule by overlaying a file of the same name. Every other file (table
//! layouts, code lists, scoring) replaces the embedded file of the same relative
//! path whole, as a layout is one unit. Every file is validated at load and
//! errors name the file and line.

pub mod consolidation;
pub mod layout;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;
pub use layout::{Layouts, TableLayout};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));
}

/// One template file: where it came from (for messages) and its text.
#[derive(Clone, Debug)]
pub struct TemplateFile {
    /// `templates/rules/T02.toml` (embedded) or the path on disk.
    pub origin: String,
    pub text: String,
    /// From `--templates DIR` and layered over the built-in files (rules, messages).
    pub overlay: bool,
}

/// Overlay files under these prefixes are layered by id/key instead of replacing.
const LAYERED: [&str; 2] = ["rules/", "messages"];

/// The raw set of template files, keyed by path relative to `templates/`.
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub files: BTreeMap<String, TemplateFile>,
    /// Layered overlay files (see [`LAYERED`]), applied after every built-in file.
    pub layers: BTreeMap<String, TemplateFile>,
}

impl Store {
    /// Embedded defaults overlaid with `dir`, if given.
    ///
    /// # Errors
    /// When `dir` cannot be read.
    pub fn load(dir: Option<&Path>) -> Result<Self, Error> {
        let mut files = BTreeMap::new();
        for (rel, text) in embedded::EMBEDDED {
            files.insert(
                (*rel).to_string(),
                TemplateFile {
                    origin: format!("templates/{rel}"),
                    text: (*text).to_string(),
                    overlay: false,
                },
            );
        }
        let mut store = Self { files, layers: BTreeMap::new() };
        if let Some(dir) = dir {
            overlay(dir, dir, &mut store)?;
        }
        Ok(store)
    }

    /// Files under a folder (`"rules/"`): the built-in (or replaced) ones in path
    /// order, then the layered overlay files in path order.
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a TemplateFile)> + 'a {
        let pick =
            move |(k, v): (&'a String, &'a TemplateFile)| k.starts_with(prefix).then_some((k.as_str(), v));
        self.files.iter().filter_map(pick).chain(self.layers.iter().filter_map(pick))
    }

    pub fn get(&self, rel: &str) -> Option<&TemplateFile> {
        self.files.get(rel)
    }
}

fn overlay(base: &Path, dir: &Path, store: &mut Store) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Template {
        path: dir.display().to_string(),
        line: 0,
        message: e.to_string(),
    };
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map_err(io)?.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            overlay(base, &p, store)?;
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "csv")) {
            let rel = p.strip_prefix(base).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).map_err(|e| Error::Template {
                path: p.display().to_string(),
                line: 0,
                message: e.to_string(),
            })?;
            let file = TemplateFile { origin: p.display().to_string(), text, overlay: true };
            if LAYERED.iter().any(|l| rel.starts_with(l)) {
                store.layers.insert(rel, file);
            } else {
                store.files.insert(rel, file);
            }
        }
    }
    Ok(())
}
