//! A structure-aware fuzzer that runs on stable Rust (cargo-fuzz needs nightly,
//! which this toolchain cannot fetch): it unzips seed workbooks, mutates the
//! sheet and shared-string XML (and sometimes the raw bytes), zips them again
//! with the zip crate, and runs reader → model → rules on each, catching panics.
//!
//!     cargo run --release --example fuzz -- 600 [SEED]   # seconds; crashes go to fuzz/crashes/
//!
//! A hang kills the run (use `timeout`); the input being processed is then in
//! fuzz/crashes/current.xlsx. `bash fuzz/run.sh 600` runs seeds under a timeout.
//!
//! Every crash or hang found is fixed and kept as a regression test
//! (tests/fuzz_regressions/ and tests/fuzz.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "<c r=\"A1\" t=\"s\"><v>99999</v></c>",
    "<v>1e308</v>",
    "<v>-0</v>",
    "<v>NaN</v>",
    "t=\"e\"",
    "<f>SUM(A1:A2)</f>",
    "r=\"XFD1048576\"",
    "r=\"A0\"",
    "r=\"ZZZZ1\"",
    "<row r=\"4294967295\">",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "<mergeCell ref=\"B2:A1\"/>",
    "合计",
    "总计",
    "2060101",
    "30217",
    "单位：元",
    "一、",
    "<t>收入支出决算总表</t>",
    "<t>— —</t>",
    "<t>１２３．４</t>",
    "\u{200B}",
    "&amp;",
    "]]>",
    "<t xml:space=\"preserve\"> </t>",
];

fn mutate(rng: &mut Rng, data: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        if data.is_empty() {
            data.extend_from_slice(TOKENS[rng.below(TOKENS.len())].as_bytes());
            continue;
        }
        let at = rng.below(data.len());
        match rng.below(6) {
            0 => data[at] ^= 1 << rng.below(8),
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(256)).min(data.len());
                let chunk = data[at..end].to_vec();
                data.splice(at..at, chunk);
            }
            4 => data.truncate(at),
            _ => data[at] = b"0123456789.-<>\"="[rng.below(16)],
        }
    }
}

fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).ok()?;
        let name = f.name().ok()?.to_string();
        let mut v = Vec::new();
        f.read_to_end(&mut v).ok()?;
        out.push((name, v));
    }
    Some(out)
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (n, v) in parts {
        if w.start_file(n.as_str(), opts).is_ok() {
            let _ = w.write_all(v);
        }
    }
    w.finish().map(std::io::Cursor::into_inner).unwrap_or_default()
}

fn main() {
    let secs: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t = juesuan::config::Templates::embedded();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    for d in ["samples", "samples/variants", "samples/county/某市/甲县"] {
        for e in std::fs::read_dir(root.join(d)).into_iter().flatten().flatten() {
            if e.path().is_file() && e.path().extension().is_some_and(|x| x != "md") {
                corpus.push(std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    let crashes = root.join("fuzz/crashes");
    let _ = std::fs::create_dir_all(&crashes);
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let (start, mut runs, mut found) = (Instant::now(), 0u64, 0u64);
    while start.elapsed() < Duration::from_secs(secs) {
        let seed = &corpus[rng.below(corpus.len())];
        let input = match (rng.below(4), unzip(seed)) {
            (0, _) | (_, None) => {
                let mut b = seed.clone();
                mutate(&mut rng, &mut b);
                b
            }
            (_, Some(mut parts)) => {
                let xml: Vec<usize> = (0..parts.len()).filter(|i| parts[*i].0.ends_with(".xml")).collect();
                for _ in 0..1 + rng.below(3) {
                    let i = xml[rng.below(xml.len())];
                    mutate(&mut rng, &mut parts[i].1);
                }
                rezip(&parts)
            }
        };
        runs += 1;
        // Kept until the next input: after a hang (killed by a timeout) it is the culprit.
        let _ = std::fs::write(crashes.join("current.xlsx"), &input);
        let r = std::panic::catch_unwind(|| {
            if let Ok(wb) = juesuan::workbook::read_bytes("fuzz.xlsx".into(), input.clone()) {
                let dep = juesuan::model::extract::read_department(&wb, &t.layouts, &t.messages);
                let _ = juesuan::rules::eval::evaluate(&t.rules, &dep, &t.layouts, &t.messages);
                let cfg = &t.scoring;
                let found = juesuan::score::parse::read(&wb, cfg);
                for p in &found.projects {
                    let _ = juesuan::score::score(p, cfg, &t.messages);
                }
                for d in &found.dept_tables {
                    let _ = juesuan::score::score_dept(d, cfg, &t.messages);
                }
            }
        });
        if r.is_err() {
            found += 1;
            let _ = std::fs::write(crashes.join(format!("crash-{runs}.xlsx")), &input);
        }
    }
    println!("fuzz: {runs} inputs in {secs} s, {found} crashes (saved under fuzz/crashes/)");
}
