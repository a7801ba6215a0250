//! Benchmark input for row lookups (issue 13): one department whose 支出决算表
//! (T03) holds N code rows, zero amounts, complete 类/款/项 hierarchy.
//!
//!     cargo run --release --example long_table -- 30000 /tmp/long-30000.xlsx
//!
//! `bench/rows.sh` times `juesuan check` on 3,000 and 30,000 rows: linear
//! lookups give a ratio near 10, a scan per lookup one near 100.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use juesuan::model::{Row, RowKey, Unit};
use rust_decimal::Decimal;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(30_000);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| format!("long-{n}.xlsx")));
    let t = juesuan::config::Templates::embedded();
    let seeds: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/src/seed_tables.json"),
    )?)?;
    let mut d = juesuan::samples::seed_department(&seeds["000"], &t.layouts, true);
    d.convert_unit(Unit::Yuan);
    let t3 = d.tables.get_mut(&3).ok_or_else(|| anyhow::anyhow!("no T03 in the seed"))?;
    let template = t3
        .rows
        .iter()
        .find(|r| r.key.code().is_some())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no code row in T03"))?;
    t3.rows.retain(|r| r.key.code().is_none());
    let row = |code: String| {
        let mut r: Row = template.clone();
        for a in r.cells.values_mut() {
            a.value = Decimal::ZERO;
        }
        r.label = format!("科目{code}");
        r.key = RowKey::Code(code);
        r
    };
    let mut rows = Vec::with_capacity(n);
    'all: for class in 201..=299 {
        rows.push(row(format!("{class}")));
        for kuan in 1..=99 {
            rows.push(row(format!("{class}{kuan:02}")));
            for xiang in 1..=99 {
                if rows.len() >= n {
                    break 'all;
                }
                rows.push(row(format!("{class}{kuan:02}{xiang:02}")));
            }
        }
    }
    t3.rows.extend(rows);
    t3.reindex();
    let opts = juesuan::report::standard::Options {
        department: d.department.clone(),
        year: d.year,
        unit: Unit::Yuan,
        precision: None,
        blank: false,
        style: Default::default(),
    };
    let mut wb = juesuan::report::standard::workbook(&d, &t.layouts, &t.messages, &opts)?;
    juesuan::report::save::save(&mut wb, &out)?;
    println!("{}: T03 with {n} code rows", out.display());
    Ok(())
}
