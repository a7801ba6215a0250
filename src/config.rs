//! The application configuration: every template file loaded and validated.
//!
//! This is the top of the configuration layer: it owns [`Templates`], the
//! aggregate of the store, the message catalogue, the table layouts, the audit
//! rules, the finding registry, the narrative vocabulary and the consolidation
//! spec. Domain modules depend on the pieces they need, never on this module's
//! aggregate from below `template` (which only holds the store and layouts).

use std::path::Path;

use crate::error::Error;
use crate::i18n::{Catalog, Lang};
use crate::template::{Layouts, Store};

/// Everything loaded and validated from a store.
#[derive(Clone, Debug)]
pub struct Templates {
    pub store: Store,
    pub messages: Catalog,
    pub layouts: Layouts,
    pub rules: crate::rules::RuleSet,
    /// The score-sheet rules and algorithm (`score/scoring.toml`).
    pub scoring: crate::score::Config,
    /// The tool-level finding ids (`findings.toml`).
    pub findings: crate::finding::Registry,
    /// The 决算说明 vocabulary (`narrative/lexicon.toml`).
    pub narrative: crate::narrative::Lexicon,
    /// The sections and sentence frames `narrate` drafts (`narrative/draft.toml`).
    pub narrative_draft: crate::narrative::draft::Frame,
    /// Ids `consolidate` reads (`consolidate.toml`).
    pub consolidate: crate::template::consolidation::Spec,
}

impl Templates {
    /// Loads and validates every template.
    ///
    /// # Errors
    /// The first invalid file, with its path and line.
    pub fn load(dir: Option<&Path>, lang: Lang) -> Result<Self, Error> {
        Self::from_store(Store::load(dir)?, lang)
    }

    /// Validates every template of an already read store.
    ///
    /// # Errors
    /// The first invalid file, with its path and line.
    pub fn from_store(store: Store, lang: Lang) -> Result<Self, Error> {
        let mut messages = Catalog::default();
        for (_, f) in store.under("messages") {
            messages.merge(Catalog::parse(&f.origin, &f.text)?);
        }
        let messages = messages.with_lang(lang);
        let layouts = Layouts::load(&store)?;
        let rules = crate::rules::RuleSet::load(&store, &layouts)?;
        rules.require(&store, "rules/narrative.toml", &crate::narrative::check::EMITTED)?;
        // Loaded for every command, so a broken scoring.toml stops each of them
        // (exit 2 with file:line), not only `score`.
        let scoring = crate::score::Config::load(&store, &layouts)?;
        let findings = crate::finding::Registry::load(&store)?;
        let narrative = crate::narrative::Lexicon::load(&store, &layouts)?;
        let narrative_draft = crate::narrative::draft::Frame::load(&store, &narrative)?;
        let consolidate = crate::template::consolidation::Spec::load(&store, &layouts)?;
        Ok(Self {
            store,
            messages,
            layouts,
            rules,
            scoring,
            findings,
            narrative,
            narrative_draft,
            consolidate,
        })
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
