//! Shared harness for the integration tests: the binary, the repository root,
//! seed departments and workbook writers. Each test binary uses what it needs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test
#![allow(dead_code)] // each test binary uses part of the harness

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use juesuan::config::Templates;
use juesuan::model::{Department, Unit};
use juesuan::report::standard::{Options, Style, workbook};

/// The `juesuan` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
}

/// The repository root (samples/, templates/).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// stdout + stderr of a run; fails the test if anything panicked.
pub fn text(o: &Output) -> String {
    let t = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!t.contains("panicked"), "{t}");
    t
}

/// The JSON a run printed on stdout.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// A seed department from samples/src/seed_tables.json (`exact`: amounts in 元 as published).
pub fn seed(key: &str, exact: bool) -> Department {
    let t = Templates::embedded();
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("samples/src/seed_tables.json")).unwrap())
            .unwrap();
    juesuan::samples::seed_department(&s[key], &t.layouts, exact)
}

/// Writes `dep` in `unit` and `style` as a standard workbook at `path` (parents created).
pub fn write(path: &Path, dep: &Department, unit: Unit, style: Style) {
    let t = Templates::embedded();
    let mut d = dep.clone();
    d.convert_unit(unit);
    let opts = Options {
        department: d.department.clone(),
        year: d.year,
        unit,
        precision: None,
        blank: false,
        style,
    };
    let mut wb = workbook(&d, &t.layouts, &t.messages, &opts).unwrap();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    juesuan::report::save::save(&mut wb, path).unwrap();
}

/// Copies a repository file (e.g. a sample) to `to`, parents created.
pub fn copy(from: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(root().join(from), to).unwrap();
}
