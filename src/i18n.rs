//! Message catalogue: every user-facing sentence in zh-CN and English.
//!
//! The sentences live in `templates/messages.toml` (data, not code); Rust code
//! refers to them by key and fills `{name}` placeholders.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, line_of};

/// Output language. zh-CN is the default, as officers read Chinese.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    zh: String,
    en: String,
}

/// All messages, validated at load.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: BTreeMap<String, Entry>,
    pub lang: Lang,
}

impl Catalog {
    /// Parses `messages.toml`. `origin` names the file in errors.
    pub fn parse(origin: &str, text: &str) -> Result<Self, Error> {
        let entries: BTreeMap<String, Entry> = toml::from_str(text).map_err(|e| Error::Template {
            path: origin.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        Ok(Self { entries, lang: Lang::Zh })
    }

    /// Adds or overrides entries from another catalogue file.
    pub fn merge(&mut self, other: Catalog) {
        self.entries.extend(other.entries);
    }

    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The message for `key` with `{name}` placeholders filled. An unknown key
    /// renders as the key itself so a missing translation never hides a finding.
    pub fn text(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let Some(e) = self.entries.get(key) else {
            return key.to_string();
        };
        let template = match self.lang {
            Lang::Zh => &e.zh,
            Lang::En => &e.en,
        };
        fill(template, args)
    }

    /// Picks between a Chinese and an English text held elsewhere (rule titles).
    /// A message's text in every language (e.g. to recognise a sheet name
    /// whichever `--lang` wrote it).
    pub fn every_lang(&self, key: &str) -> Vec<&str> {
        self.entries.get(key).map(|e| vec![e.zh.as_str(), e.en.as_str()]).unwrap_or_default()
    }

    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En if en.is_empty() => zh,
            Lang::En => en,
        }
    }
}

/// Fills placeholders; values pass through `text::console`, so a newline or
/// ESC in a file name or label can neither forge a line nor reach an output raw.
fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &crate::text::console(&value.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_languages() {
        let c =
            Catalog::parse("m.toml", "[\"a.b\"]\nzh = \"文件 {path} 为空\"\nen = \"file {path} is empty\"\n")
                .unwrap();
        assert_eq!(c.text("a.b", &[("path", &"x.xlsx")]), "文件 x.xlsx 为空");
        let c = c.with_lang(Lang::En);
        assert_eq!(c.text("a.b", &[("path", &"x.xlsx")]), "file x.xlsx is empty");
        assert_eq!(c.text("missing.key", &[]), "missing.key");
    }

    #[test]
    fn bad_file_names_the_line() {
        let err = Catalog::parse("m.toml", "[\"a\"]\nzh = \"x\"\nfr = \"y\"\n").unwrap_err();
        let Error::Template { line, .. } = err else { panic!() };
        assert_eq!(line, 3);
    }
}
