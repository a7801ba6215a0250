//! Loading `templates/`: table layouts, audit rules, scoring config, messages.
//!
//! Defaults are embedded in the binary at build time; `--templates DIR` overlays
//! a directory on them: a file there replaces the embedded file of the same
//! relative path, and a new file (say `rules/sichuan.toml`) is added. Every file
//! is validated at load and errors name the file and line.

pub mod layout;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;
use crate::i18n::{Catalog, Lang};
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
}

/// The raw set of template files, keyed by path relative to `templates/`.
#[derive(Clone, Debug, Default)]
pub struct Store {
    pub files: BTreeMap<String, TemplateFile>,
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
                TemplateFile { origin: format!("templates/{rel}"), text: (*text).to_string() },
            );
        }
        if let Some(dir) = dir {
            overlay(dir, dir, &mut files)?;
        }
        Ok(Self { files })
    }

    /// Files under a folder (`"rules/"`), in path order.
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a TemplateFile)> + 'a {
        self.files.iter().filter(move |(k, _)| k.starts_with(prefix)).map(|(k, v)| (k.as_str(), v))
    }

    pub fn get(&self, rel: &str) -> Option<&TemplateFile> {
        self.files.get(rel)
    }
}

fn overlay(base: &Path, dir: &Path, files: &mut BTreeMap<String, TemplateFile>) -> Result<(), Error> {
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
            overlay(base, &p, files)?;
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "csv")) {
            let rel = p.strip_prefix(base).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).map_err(|e| Error::Template {
                path: p.display().to_string(),
                line: 0,
                message: e.to_string(),
            })?;
            files.insert(rel, TemplateFile { origin: p.display().to_string(), text });
        }
    }
    Ok(())
}

/// Everything loaded and validated from a store.
#[derive(Clone, Debug)]
pub struct Templates {
    pub store: Store,
    pub messages: Catalog,
    pub layouts: Layouts,
    pub rules: crate::rules::RuleSet,
    /// Ids `consolidate` reads (`consolidate.toml`).
    pub consolidate: crate::consolidate::spec::Spec,
}

impl Templates {
    /// Loads and validates every template.
    ///
    /// # Errors
    /// The first invalid file, with its path and line.
    pub fn load(dir: Option<&Path>, lang: Lang) -> Result<Self, Error> {
        let store = Store::load(dir)?;
        let mut messages = Catalog::default();
        for (_, f) in store.under("messages") {
            messages.merge(Catalog::parse(&f.origin, &f.text)?);
        }
        let messages = messages.with_lang(lang);
        let layouts = Layouts::load(&store)?;
        let rules = crate::rules::RuleSet::load(&store, &layouts)?;
        let consolidate = crate::consolidate::spec::Spec::load(&store, &layouts)?;
        Ok(Self { store, messages, layouts, rules, consolidate })
    }

    /// The embedded defaults (tests and tools that take no `--templates`).
    ///
    /// # Panics
    /// Only if the embedded templates are invalid, which the test suite rules out.
    pub fn embedded() -> Self {
        #[allow(clippy::expect_used)]
        Self::load(None, Lang::Zh).expect("embedded templates are valid (tested)")
    }
}
