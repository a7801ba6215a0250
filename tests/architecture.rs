#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The module graph of `src/` points one way: no import cycle between top-level
//! modules (the last ones, check ↔ prior ↔ consolidate, were broken by reading
//! last year through a reader the caller passes, and by summing last year per
//! node in `consolidate::last_year`).
//!
//! `python3 scripts/modgraph.py src` prints the same graph for a human.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every `crate::NAME` a module's non-test code mentions (comments skipped,
/// `use crate::{a, b}` groups included).
fn graph(src: &Path) -> Graph {
    let mut g = Graph::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().and_then(|x| x.to_str()) != Some("rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
            let top = first.trim_end_matches(".rs").to_string();
            if top == "lib" || top == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let deps = g.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for names in line.split("crate::").skip(1) {
                    let names = names.strip_prefix('{').unwrap_or(names);
                    // A group lists several modules; a path names one.
                    let group = line.contains("crate::{");
                    for part in names.split(',') {
                        let name: String = part
                            .trim()
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() && name != top && name.chars().all(|c| !c.is_ascii_uppercase()) {
                            deps.insert(name);
                        }
                        if !group {
                            break;
                        }
                    }
                }
            }
        }
    }
    g
}

fn reaches(g: &Graph, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(x) = stack.pop() {
        if x == to {
            return true;
        }
        if seen.insert(x.clone()) {
            stack.extend(g.get(&x).into_iter().flatten().cloned());
        }
    }
    false
}

/// The edges `a -> b` with a path back from `b` to `a`.
fn cycle_edges(g: &Graph) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (a, deps) in g {
        for b in deps {
            if reaches(g, b, a) {
                out.insert((a.clone(), b.clone()));
            }
        }
    }
    out
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let g = graph(&support::root().join("src"));
    assert!(g.contains_key("check") && g.contains_key("outcome"), "graph read: {g:?}");
    let cycles = cycle_edges(&g);
    assert!(cycles.is_empty(), "import edges that close a cycle between top-level modules: {cycles:?}");
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    g.entry("c".into()).or_default().insert("d".into());
    let e = cycle_edges(&g);
    assert_eq!(e.len(), 3);
    assert!(!e.contains(&("c".into(), "d".into())));
}

#[test]
fn layers_point_down_where_the_cycles_were_broken() {
    let g = graph(&support::root().join("src"));
    let dep = |a: &str, b: &str| g.get(a).is_some_and(|d| d.contains(b));
    // The template store knows nothing of what is built from it.
    for up in ["rules", "score", "narrative", "finding", "consolidate", "config"] {
        assert!(!dep("template", up), "template imports {up}");
    }
    // check → explain → report → check was a cycle; the outcome module broke it.
    assert!(!dep("explain", "report") && !dep("explain", "check") && !dep("report", "check"));
    assert!(!dep("outcome", "check") && !dep("outcome", "report") && !dep("outcome", "explain"));
    // inputs, report and config sat in cycles with the pipelines; document,
    // outcome and template::consolidation broke them (issue 15).
    for up in ["narrative", "report", "prior", "check", "consolidate", "config"] {
        assert!(!dep("inputs", up) && !dep("document", up), "inputs or document imports {up}");
    }
    assert!(!dep("report", "consolidate") && !dep("report", "narrative"));
    assert!(!dep("narrative", "config") && !dep("config", "consolidate"));
}
