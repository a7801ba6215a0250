//! juesuan — batch checking, conversion, consolidation and scoring of Chinese
//! department final accounts (部门决算, the thirteen standard tables) and of
//! project performance self-assessments (绩效自评).
//!
//! The library holds all logic; `src/cli/` only wires subcommands to it.
//! Amounts are exact decimals everywhere; every amount remembers its cell.

pub mod check;
pub mod cli;
pub mod config;
pub mod consolidate;
pub mod document;
pub mod error;
pub mod explain;
pub mod finding;
pub mod i18n;
pub mod inputs;
pub mod location;
pub mod model;
pub mod narrative;
pub mod outcome;
pub mod prior;
pub mod report;
pub mod rules;
#[cfg(any(test, feature = "test-support"))]
pub mod samples;
pub mod score;
pub mod spool;
pub mod template;
pub mod text;
pub mod workbook;
