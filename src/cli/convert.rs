//! `juesuan convert`: rewrite one department workbook in the standard layout.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Ctx, ExitStatus};
use crate::consolidate::balance::round_and_balance;
use crate::finding::Severity;
use crate::model::Unit;
use crate::model::extract::read_department;
use crate::outcome::Adjustment;
use crate::report::standard;
use crate::workbook;

/// Rewrites any supported layout or format into the standard layout.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan convert 报送/某局.xls -o 标准/某局.xlsx\n  juesuan convert 某局.xlsx -o 某局_元.xlsx --unit 元"
)]
pub struct ConvertArgs {
    /// The department workbook to convert.
    pub input: PathBuf,
    /// Output workbook (must differ from the input).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Unit of the output (default: the input's unit).
    #[arg(long)]
    pub unit: Option<Unit>,
    /// Write every coerced value and finding as JSON here (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// How many cells of each coercion kind the console names; `--json` has all.
const EXAMPLES: usize = 3;

/// The `--json` of `convert`: what was written, every coercion, every finding.
#[derive(serde::Serialize)]
struct Report<'a> {
    tool: &'static str,
    version: &'static str,
    input: String,
    output: String,
    unit: &'static str,
    /// The unit the figures were rounded in, when coarser than `unit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<&'static str>,
    tables: usize,
    /// Amounts written differently from ordinary rounding (to a coarser unit).
    adjustments: &'a [Adjustment],
    coercions: &'a [crate::model::CoercionRecord],
    findings: &'a [crate::finding::Finding],
}

pub fn run(args: &ConvertArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let msg = &ctx.templates.messages;
    if !args.input.exists() {
        let path = args.input.display();
        return Err(crate::error::Error::Usage(msg.text("inputs.missing", &[("path", &path)])).into());
    }
    if super::same_file(&args.input, &args.output) {
        return Err(crate::error::Error::Usage(
            msg.text("common.output_is_input", &[("path", &args.output.display())]),
        )
        .into());
    }
    let planned: Vec<&std::path::Path> =
        std::iter::once(args.output.as_path()).chain(args.json.as_deref()).collect();
    let mut outputs = super::plan_outputs(&planned, msg)?;
    let wb = match workbook::open(&args.input) {
        Ok(wb) => wb,
        Err(e) => {
            let reason = msg.text(e.key(), &[("detail", &e.detail())]);
            eprintln!(
                "{}",
                msg.text("common.unreadable", &[("path", &args.input.display()), ("reason", &reason)])
            );
            return Ok(ExitStatus::Failure);
        }
    };
    let mut dep = read_department(&wb, &ctx.templates.layouts, msg);
    if dep.tables.is_empty() {
        let reason = msg.text("read.no_tables", &[]);
        eprintln!(
            "{}",
            msg.text("common.unreadable", &[("path", &args.input.display()), ("reason", &reason)])
        );
        return Ok(ExitStatus::Failure);
    }
    let from = dep.unit.unwrap_or_default();
    let to = args.unit.unwrap_or(from);
    let adjustments = to_unit(&mut dep, to, &ctx.templates);
    let opts = standard::Options {
        department: dep.department.clone(),
        year: dep.year,
        unit: to,
        precision: dep.precision,
        blank: false,
        style: Default::default(),
    };
    let mut out = standard::workbook(&dep, &ctx.templates.layouts, msg, &opts)
        .context("building the standard workbook")?;
    if !adjustments.is_empty() {
        crate::report::balance_xlsx::add_adjustments_sheet(
            &mut out,
            &adjustments,
            &ctx.templates.layouts,
            msg,
        )
        .context("building the standard workbook")?;
    }
    outputs.save(&mut out, &args.output)?;

    if let Some(j) = &args.json {
        let report = Report {
            tool: "juesuan",
            version: env!("CARGO_PKG_VERSION"),
            input: args.input.display().to_string(),
            output: args.output.display().to_string(),
            unit: to.as_str(),
            precision: dep.precision.map(Unit::as_str),
            tables: dep.tables.len(),
            adjustments: &adjustments,
            coercions: &dep.coercions,
            findings: &dep.findings,
        };
        super::write_json(j, &report, &mut outputs)?;
    }
    outputs.commit()?;
    if args.json.as_deref() == Some(std::path::Path::new("-")) {
        return Ok(status(&dep));
    }
    let mut stdout = std::io::stdout().lock();
    use std::io::Write;
    // Findings first: a warning matters more than a thousand text numbers.
    for f in &dep.findings {
        let at = f.anchor().map(ToString::to_string).unwrap_or_else(|| dep.path.clone());
        writeln!(stdout, "{at}: {}[{}] {}", f.severity.label(msg), f.rule, f.message)?;
    }
    if !ctx.global.quiet {
        if from != to {
            let line = msg.text("convert.unit_changed", &[("from", &from.as_str()), ("to", &to.as_str())]);
            writeln!(stdout, "{line}")?;
        }
        if let Some(p) = dep.precision {
            let per = p.rounding_in(to).normalize();
            let args =
                [("from", &p.as_str() as &dyn std::fmt::Display), ("unit", &to.as_str()), ("per", &per)];
            writeln!(stdout, "{}", msg.text("convert.precision_kept", &args))?;
        }
        if !adjustments.is_empty() {
            writeln!(stdout, "{}", msg.text("convert.balanced", &[("count", &adjustments.len())]))?;
        }
        if !dep.missing.is_empty() {
            let names: Vec<String> = dep.missing.iter().map(|n| format!("T{n:02}")).collect();
            writeln!(stdout, "{}", msg.text("convert.missing", &[("tables", &names.join(", "))]))?;
        }
        if !dep.coercions.is_empty() {
            writeln!(stdout, "{}", msg.text("convert.coercions", &[("count", &dep.coercions.len())]))?;
            for line in coercion_summary(&dep.coercions, msg, args.json.is_some()) {
                writeln!(stdout, "{line}")?;
            }
        }
    }
    writeln!(
        stdout,
        "{}",
        msg.text(
            "convert.written",
            &[("path", &args.output.display()), ("count", &dep.tables.len()), ("unit", &to.as_str())]
        )
    )?;
    // The line above names the workbook; with `--json` the closing line names both.
    if let Some(line) = args.json.as_ref().and_then(|_| {
        super::outputs_line(
            &std::iter::once(&args.output)
                .chain(args.json.iter())
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
            msg,
        )
    }) {
        writeln!(stdout, "{line}")?;
    }
    Ok(status(&dep))
}

/// Converts `dep` to `to`. To a finer unit the amounts are exact and keep the
/// coarser unit's rounding envelope (`Department::precision`); to a coarser
/// one they are rounded to the cent and balanced like a consolidation
/// (舍位平衡), and the amounts written differently from ordinary rounding are
/// returned. Real discrepancies of the input stay as they are.
fn to_unit(dep: &mut crate::model::Department, to: Unit, t: &crate::config::Templates) -> Vec<Adjustment> {
    if !to.is_coarser_than(dep.rounding_unit()) {
        dep.convert_unit(to);
        return Vec::new();
    }
    // The rounding already in the figures, per table, in 元 (tables in 万元
    // in a 元 workbook): gaps within it are closed, as in consolidate.
    let slack: std::collections::BTreeMap<u8, rust_decimal::Decimal> =
        dep.tables.values().map(|tb| (tb.no, dep.table_rounding_unit(tb).rounding_in(Unit::Yuan))).collect();
    round_and_balance(dep, to, &slack, &t.rules, &t.layouts, &t.messages)
}

fn status(dep: &crate::model::Department) -> ExitStatus {
    if dep.findings.iter().any(|f| f.severity == Severity::Error) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// One line per coercion kind: how many, and the first few cells.
fn coercion_summary(
    all: &[crate::model::CoercionRecord],
    msg: &crate::i18n::Catalog,
    json: bool,
) -> Vec<String> {
    let mut kinds: Vec<(String, Vec<&crate::model::CoercionRecord>)> = Vec::new();
    for c in all {
        let kind =
            serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, v)) => v.push(c),
            None => kinds.push((kind, vec![c])),
        }
    }
    kinds
        .iter()
        .map(|(kind, cs)| {
            let examples: Vec<String> = cs
                .iter()
                .take(EXAMPLES)
                .map(|c| {
                    msg.text(
                        &format!("convert.coercion.{kind}"),
                        &[("cell", &c.at), ("raw", &c.raw), ("value", &c.value)],
                    )
                })
                .collect();
            let sep = if msg.lang == crate::i18n::Lang::Zh { "；" } else { "; " };
            let mut line = msg.text(
                &format!("convert.coercion_kind.{kind}"),
                &[("n", &cs.len()), ("examples", &examples.join(sep))],
            );
            if cs.len() > EXAMPLES && !json {
                line.push_str(&msg.text("convert.coercion_more", &[]));
            }
            line
        })
        .collect()
}
