//! Benchmark input: N realistic 13-table department workbooks, deterministic.
//!
//!     cargo run --release --example bench_gen -- 10000 /tmp/bench/in
//!
//! Units are the two seed departments (exact variant) scaled by 1–7, spread over
//! 20 counties, in the standard layout with a quarter in 元 and a quarter with
//! split 类|款|项 codes. Amounts are scaled by a non-integer factor and rounded
//! cell by cell to two decimals, as real submissions are, so each workbook
//! carries a realistic volume of 0.01 rounding notes that the checker must tell
//! from errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "bench-in".into()));
    let t = juesuan::config::Templates::embedded();
    let seeds: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/src/seed_tables.json"),
    )?)?;
    let bases = [
        juesuan::samples::seed_department(&seeds["000"], &t.layouts, true),
        juesuan::samples::seed_department(&seeds["002"], &t.layouts, true),
    ];
    use rayon::prelude::*;
    (0..n).into_par_iter().try_for_each(|i| -> anyhow::Result<()> {
        let name = format!("单位{i:05}");
        let mut d = juesuan::samples::scaled_in(&bases[i % 2], (i % 7) as i64 + 1, &name, Some(2024));
        let unit = if i % 4 == 1 { juesuan::model::Unit::Yuan } else { juesuan::model::Unit::WanYuan };
        // 万元 units: a non-integer factor gives amounts with more than two
        // decimals, which are then rounded cell by cell. 元 units stay exact to
        // the cent (a 元 table has no rounding envelope: a cent off is an error).
        let k = if unit == juesuan::model::Unit::WanYuan {
            rust_decimal::Decimal::new(1_000_000 + ((i % 89) as i64 + 1) * 1237, 6)
        } else {
            rust_decimal::Decimal::ONE
        };
        for t in d.tables.values_mut() {
            for r in &mut t.rows {
                for a in r.cells.values_mut() {
                    a.value *= k;
                }
            }
        }
        d.convert_unit(unit);
        for t in d.tables.values_mut() {
            for r in &mut t.rows {
                for a in r.cells.values_mut() {
                    a.value = a
                        .value
                        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                }
            }
        }
        let style = juesuan::report::standard::Style { split_codes: i % 4 == 2, ..Default::default() };
        let opts = juesuan::report::standard::Options {
            department: Some(name.clone()),
            year: d.year,
            unit,
            precision: None,
            blank: false,
            style,
        };
        let mut wb = juesuan::report::standard::workbook(&d, &t.layouts, &t.messages, &opts)?;
        let dir = out.join(format!("县{:02}", i % 20));
        std::fs::create_dir_all(&dir)?;
        juesuan::report::save::save(&mut wb, &dir.join(format!("{name}.xlsx")))?;
        Ok(())
    })?;
    println!("{n} workbooks under {}", out.display());
    Ok(())
}
