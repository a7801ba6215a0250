//! A `check` batch's outputs in constant memory. Each file is rendered once,
//! as soon as it is checked — its console lines, its JSON element, its
//! findings-report rows — and spooled to disk while the batch totals are
//! counted; the outputs are written from the spool in path order at the end.
//! Memory holds an index (path and byte range per file), never the findings
//! of the whole batch (issue 16: they were about 38 KB per 万元 input).

use std::io::{self, Write};
use std::ops::Range;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::findings_xlsx::{self, FindingRow};
use super::text::{self, Verbosity};
use crate::i18n::Catalog;
use crate::outcome::{FileReport, Summary};
use crate::spool::{Ranges, Spool};

/// What to render for each file: only the outputs asked for are spooled.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Explained errors still count (`--strict`).
    pub strict: bool,
    pub verbosity: Verbosity,
    pub console: bool,
    pub json: bool,
    pub report: bool,
}

/// One file, rendered for every output asked for.
#[derive(Default, Serialize, Deserialize)]
struct Rendered {
    #[serde(default)]
    console: String,
    /// The `files[]` element's text, kept as a string: it spans lines, and
    /// the spool is one line per file.
    #[serde(default)]
    json: Option<String>,
    #[serde(default)]
    rows: Vec<FindingRow>,
}

/// A file in the index: where its rendering is, or why it was skipped.
struct Entry {
    path: String,
    at: Result<Range<u64>, String>,
}

#[derive(Default)]
struct State {
    spool: Option<Spool>,
    entries: Vec<Entry>,
    summary: Summary,
}

/// Collects the files of a batch as they are checked, from any thread.
pub struct Sink<'a> {
    msg: &'a Catalog,
    opts: Options,
    state: Mutex<State>,
}

impl<'a> Sink<'a> {
    /// # Errors
    /// When no temporary file can be created.
    pub fn new(msg: &'a Catalog, opts: Options) -> io::Result<Self> {
        let state = State { spool: Some(Spool::new()?), ..State::default() };
        Ok(Self { msg, opts, state: Mutex::new(state) })
    }

    /// Renders one checked file and spools it. A workbook of another kind (a
    /// 绩效自评表) is only remembered, to be named as skipped.
    ///
    /// # Errors
    /// When the spool cannot be written (disk full).
    pub fn push(&self, r: &FileReport) -> io::Result<()> {
        if r.other_kind {
            let at = Err(r.error.clone().unwrap_or_default());
            self.lock().entries.push(Entry { path: r.path.clone(), at });
            return Ok(());
        }
        let o = self.opts;
        let rendered = Rendered {
            console: if o.console {
                text::file_block(r, o.strict, self.msg, o.verbosity)
            } else {
                String::new()
            },
            json: if o.json { Some(json_element(r)?) } else { None },
            rows: if o.report { findings_xlsx::report_rows(r, self.msg) } else { Vec::new() },
        };
        // Rendered outside the lock: only the append is serialised.
        let line = serde_json::to_vec(&rendered).map_err(io::Error::other)?;
        let mut st = self.lock();
        let spool = st.spool.as_mut().ok_or_else(|| io::Error::other("spool closed"))?;
        let at = spool.push_line(line)?;
        st.summary.add(r, o.strict);
        st.entries.push(Entry { path: r.path.clone(), at: Ok(at) });
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A worker that panicked cannot leave the index half-written: pushes are atomic.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every file pushed, in path order (the order `check` reports in,
    /// whatever order the threads finished in).
    pub fn finish(self) -> Batch<'a> {
        let mut st = self.state.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        st.entries.sort_by(|a, b| a.path.cmp(&b.path));
        let mut ranges = Ranges::default();
        for e in &st.entries {
            if let Ok(r) = &e.at {
                ranges.push(r.clone());
            }
        }
        Batch { msg: self.msg, spool: st.spool, entries: st.entries, ranges, summary: st.summary }
    }
}

/// A finished batch: totals in memory, renderings on disk.
pub struct Batch<'a> {
    msg: &'a Catalog,
    spool: Option<Spool>,
    entries: Vec<Entry>,
    ranges: Ranges,
    summary: Summary,
}

impl Batch<'_> {
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Files skipped as another kind of workbook, with the reason, in path order.
    pub fn skipped(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().filter_map(|e| e.at.as_ref().err().map(|why| (e.path.as_str(), why.as_str())))
    }

    fn read(&mut self) -> io::Result<impl Iterator<Item = io::Result<Rendered>> + use<>> {
        let spool = self.spool.as_mut().ok_or_else(|| io::Error::other("spool closed"))?;
        spool.read::<Rendered>(&self.ranges)
    }

    /// The console report: each file's lines, then the batch summary.
    ///
    /// # Errors
    /// When the output or the spool fails.
    pub fn write_console(&mut self, out: &mut impl Write) -> io::Result<()> {
        for r in self.read()? {
            out.write_all(r?.console.as_bytes())?;
        }
        writeln!(out, "{}", text::batch_summary(&self.summary, self.msg))
    }

    /// The findings workbook (`--report`).
    ///
    /// # Errors
    /// When rust_xlsxwriter rejects a value or the spool fails.
    pub fn workbook(&mut self) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
        let rows = self.read().map_err(rust_xlsxwriter::XlsxError::IoError)?;
        let rows = rows.flat_map(|r| match r {
            Ok(r) => r.rows.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        });
        findings_xlsx::workbook(rows, self.msg)
    }

    /// The JSON report (cli.md), serialised once as it is read back.
    ///
    /// # Errors
    /// When the spool cannot be read back.
    pub fn json(&mut self) -> io::Result<Json> {
        let files = Box::new(self.read()?) as Box<dyn Iterator<Item = io::Result<Rendered>>>;
        Ok(Json {
            tool: "juesuan",
            version: env!("CARGO_PKG_VERSION"),
            files: Files(std::cell::RefCell::new(Some(files))),
            summary: self.summary,
        })
    }
}

/// The check report's JSON (cli.md): `tool`, `version`, `files[]`, `summary`.
#[derive(Serialize)]
pub struct Json {
    tool: &'static str,
    version: &'static str,
    files: Files,
    summary: Summary,
}

type Items = Box<dyn Iterator<Item = io::Result<Rendered>>>;

/// The spooled JSON elements, written in order as they are read back.
struct Files(std::cell::RefCell<Option<Items>>);

impl Serialize for Files {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let items = self.0.borrow_mut().take().ok_or_else(|| S::Error::custom("files serialised twice"))?;
        let mut seq = s.serialize_seq(None)?;
        for r in items {
            let r = r.map_err(S::Error::custom)?;
            let text = r.json.ok_or_else(|| S::Error::custom("JSON not rendered"))?;
            let raw = RawValue::from_string(text).map_err(S::Error::custom)?;
            seq.serialize_element(&raw)?;
        }
        seq.end()
    }
}

/// A file's `files[]` element, pretty-printed as it sits in the report: a raw
/// value is written verbatim, so its lines are indented here to the element's
/// depth (two levels of two spaces). JSON strings hold no raw newline, so
/// every newline is a line break of the layout.
fn json_element(r: &FileReport) -> io::Result<String> {
    let pretty = serde_json::to_string_pretty(r).map_err(io::Error::other)?;
    Ok(pretty.replace('\n', "\n    "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Severity};

    fn report(path: &str, n: usize) -> FileReport {
        let mut f = FileReport::unreadable(std::path::Path::new(path), String::new());
        f.error = None;
        f.status = crate::outcome::Status::Findings;
        for i in 0..n {
            f.findings.push(Finding::new("offset-unmatched", Severity::Warning, format!("第{i}条\n换行")));
        }
        f
    }

    /// The streamed JSON is byte for byte what serialising the whole report
    /// at once gives, in path order whatever the push order.
    #[test]
    fn streamed_json_equals_the_whole_report_pretty_printed() {
        let msg = crate::config::Templates::embedded().messages;
        let opts = Options { json: true, console: true, report: true, ..Options::default() };
        let sink = Sink::new(&msg, opts).unwrap();
        let files = [report("b.xlsx", 2), report("a.xlsx", 0), report("c.xlsx", 1)];
        for f in &files {
            sink.push(f).unwrap();
        }
        let mut batch = sink.finish();
        let mut out = Vec::new();
        serde_json::to_writer_pretty(&mut out, &batch.json().unwrap()).unwrap();
        let mut sorted = files.to_vec();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        let mut summary = Summary::default();
        sorted.iter().for_each(|f| summary.add(f, false));
        #[derive(Serialize)]
        struct Whole<'a> {
            tool: &'a str,
            version: &'a str,
            files: &'a [FileReport],
            summary: Summary,
        }
        let whole = Whole { tool: "juesuan", version: env!("CARGO_PKG_VERSION"), files: &sorted, summary };
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string_pretty(&whole).unwrap());
        assert_eq!(batch.summary().counts.warnings, 3);
        let mut console = Vec::new();
        batch.write_console(&mut console).unwrap();
        let console = String::from_utf8(console).unwrap();
        assert!(console.find("a.xlsx").unwrap() < console.find("b.xlsx").unwrap(), "{console}");
    }
}
