//! Embeds every file under `templates/` so the binary works anywhere; the list
//! is generated so adding a template file needs no code change.

use std::fmt::Write as _;
use std::path::Path;

fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, base, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "csv"))
            && let Ok(rel) = p.strip_prefix(base)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[allow(clippy::expect_used)] // a build script may panic: cargo reports it as a build error
fn main() {
    // Read at run time, not `env!`: a build-script binary reused from another
    // checkout sharing the target directory would otherwise walk that checkout.
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let base = root.join("templates");
    println!("cargo:rerun-if-changed=templates");
    let mut files = Vec::new();
    walk(&base, &base, &mut files);
    let mut code = String::from("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for f in &files {
        let abs = base.join(f);
        println!("cargo:rerun-if-changed={}", abs.display());
        let _ = writeln!(code, "    ({f:?}, include_str!({:?})),", abs.display().to_string());
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_templates.rs");
    std::fs::write(out, code).expect("write embedded template list");
}
