//! Regenerates `samples/` from `samples/src/seed_tables.json`:
//! `cargo run --example gen_samples`. See `samples/README.md`.

fn main() -> anyhow::Result<()> {
    let t = juesuan::template::Templates::embedded();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for f in juesuan::samples::generate(&root, &t.layouts, &t.messages)? {
        println!("samples/{f}");
    }
    Ok(())
}
