//! cargo-fuzz target: workbook bytes → reader → model → rules (and the score
//! sheet parser and scorer, which read the same `Workbook`).
//!
//!     bash fuzz/run.sh 600        # seeds the corpus from samples/, runs 10 minutes
//!
//! The custom mutator is structure-aware: when the input is a zip (xlsx, xlsb,
//! ods) it unzips it, lets libFuzzer mutate one part (sheet XML, shared
//! strings, styles, the workbook directory …) and zips it again, so mutations
//! reach the XML parsers instead of dying at the zip CRC check. Other inputs
//! (xls compound files, garbage) are mutated as raw bytes.
//!
//! A panic that the library catches (calamine on malformed content is wrapped
//! in `catch_unwind` and reported as "damaged") is not a crash of juesuan; any
//! other panic, an abort, a timeout or an allocation beyond `-rss_limit_mb` is.

#![no_main]

use std::io::{Cursor, Read, Write};
use std::sync::{LazyLock, Once};

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};

static TEMPLATES: LazyLock<juesuan::template::Templates> =
    LazyLock::new(juesuan::template::Templates::embedded);
static SCORING: LazyLock<Option<juesuan::score::Config>> =
    LazyLock::new(|| juesuan::score::Config::load(&TEMPLATES.store).ok());
static QUIET: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys installs a hook that aborts on *every* panic, even one the
    // library catches on purpose. Replace it: an uncaught panic still unwinds
    // out of this closure and libfuzzer-sys turns it into a crash report.
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let t = &*TEMPLATES;
    if let Ok(wb) = juesuan::workbook::read_bytes("fuzz.xlsx".into(), data.to_vec()) {
        let dep = juesuan::model::extract::read_department(&wb, &t.layouts, &t.messages);
        let _ = juesuan::rules::eval::evaluate(&t.rules, &dep, &t.layouts, &t.messages);
        if let Some(cfg) = SCORING.as_ref() {
            let found = juesuan::score::parse::read(&wb, cfg);
            for p in &found.projects {
                let _ = juesuan::score::score(p, cfg, &t.messages);
            }
            for d in &found.dept_tables {
                let _ = juesuan::score::score_dept(d, cfg, &t.messages);
            }
        }
    }
});

fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = Vec::with_capacity(z.len());
    for i in 0..z.len() {
        let mut f = z.by_index(i).ok()?;
        let name = f.name().ok()?.to_string();
        let mut v = Vec::new();
        f.by_ref().take(8 << 20).read_to_end(&mut v).ok()?;
        out.push((name, v));
    }
    Some(out)
}

/// Stored (uncompressed) so the mutated bytes are what the reader parses.
fn rezip(parts: &[(String, Vec<u8>)]) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (n, v) in parts {
        w.start_file(n.as_str(), opts).ok()?;
        w.write_all(v).ok()?;
    }
    w.finish().ok().map(Cursor::into_inner)
}

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let raw = |data: &mut [u8]| fuzzer_mutate(data, size, max_size);
    // One mutation in eight works on the raw bytes (zip directory, xls, detection).
    if seed % 8 == 0 {
        return raw(data);
    }
    let Some(mut parts) = unzip(&data[..size]) else { return raw(data) };
    if parts.is_empty() {
        return raw(data);
    }
    // Prefer the parts the reader parses: sheets and shared strings.
    let picks: Vec<usize> = (0..parts.len())
        .filter(|&i| {
            let n = &parts[i].0;
            n.contains("worksheets/") || n.contains("sharedStrings") || n.ends_with("content.xml")
        })
        .collect();
    let i = if picks.is_empty() || seed % 5 == 0 {
        (seed as usize / 8) % parts.len()
    } else {
        picks[(seed as usize / 8) % picks.len()]
    };
    let part = &mut parts[i].1;
    let len = part.len();
    let room = max_size.saturating_sub(size).saturating_add(len).max(len);
    part.resize(room, 0);
    let n = fuzzer_mutate(part, len, room);
    part.truncate(n);
    match rezip(&parts) {
        Some(out) if out.len() <= max_size => {
            data[..out.len()].copy_from_slice(&out);
            out.len()
        }
        _ => raw(data),
    }
});
