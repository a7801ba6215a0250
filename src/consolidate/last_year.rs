//! Last year's accounts of each consolidated node (`consolidate --prior`):
//! last year's files summed into the same nodes as this year's, balanced into
//! the same unit, and the `上年对比` figures of every `change` rule.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Accumulator;
use crate::config::Templates;
use crate::model::{Department, Unit};
use crate::prior::PriorSet;
use crate::rules::eval::{YearFigure, change_figures};

/// Last year's totals per consolidation node: every prior file summed into
/// its node and each node above it that is in `nodes` (the root is the empty
/// path), the same way `consolidate` sums this year's inputs.
pub fn node_totals<'a>(
    set: &PriorSet,
    nodes: impl IntoIterator<Item = &'a PathBuf>,
) -> BTreeMap<PathBuf, Accumulator> {
    let mut out: BTreeMap<PathBuf, Accumulator> =
        nodes.into_iter().map(|k| (k.clone(), Accumulator::default())).collect();
    for f in &set.files {
        let mut key = PathBuf::new();
        let mut keys = vec![key.clone()];
        for c in f.node.components() {
            key.push(c);
            keys.push(key.clone());
        }
        for k in keys {
            if let Some(acc) = out.get_mut(&k) {
                acc.add(&f.dep);
            }
        }
    }
    out
}

/// The `上年对比` figures of one consolidated node: last year's sums balanced
/// into `unit` like this year's `now`, then every `change` rule's figure.
pub fn node_figures(
    now: &Department,
    prior: &Accumulator,
    name: &str,
    unit: Unit,
    t: &Templates,
) -> Vec<YearFigure> {
    let mut then = prior.department(name, &t.layouts);
    super::balance::round_and_balance(&mut then, unit, &prior.slack(), &t.rules, &t.layouts, &t.messages);
    change_figures(&t.rules, now, &then, &t.layouts, &t.messages)
}
