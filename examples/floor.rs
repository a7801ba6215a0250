//! The physical floor for the benchmark: unzip and parse every cell of every
//! sheet of every workbook with plain calamine, in parallel like consolidate,
//! doing nothing else.
//!
//!     RAYON_NUM_THREADS=2 cargo run --release --example floor -- /tmp/bench/in
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use calamine::{Reader, open_workbook_auto};
use rayon::prelude::*;

fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| ["xlsx", "xlsm", "xlsb", "xls", "ods"].iter().any(|e| x == *e))
        {
            out.push(p);
        }
    }
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "bench-in".into()));
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    let cells: usize = files
        .par_iter()
        .map(|p| {
            let Ok(mut wb) = open_workbook_auto(p) else { return 0 };
            let mut n = 0;
            for s in wb.sheet_names() {
                if let Ok(r) = wb.worksheet_range(&s) {
                    n += r.used_cells().count();
                }
            }
            n
        })
        .sum();
    println!("floor: {} files, {cells} cells", files.len());
}
