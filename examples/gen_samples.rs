//! Regenerates `samples/` from `samples/src/seed_tables.json`:
//! `cargo run --example gen_samples`. See `samples/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

fn main() -> anyhow::Result<()> {
    let t = juesuan::config::Templates::embedded();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for f in juesuan::samples::generate(&root, &t.layouts, &t.messages)? {
        println!("samples/{f}");
    }
    Ok(())
}
