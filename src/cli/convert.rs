//! `juesuan convert`: rewrite one department workbook in the standard layout.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Ctx, ExitStatus};
use crate::finding::Severity;
use crate::model::Unit;
use crate::model::extract::read_department;
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
    let mut outputs = super::plan_outputs(&[args.output.as_path()], msg)?;
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
    dep.convert_unit(to);
    let opts = standard::Options {
        department: dep.department.clone(),
        year: dep.year,
        unit: to,
        blank: false,
        style: Default::default(),
    };
    let mut out = standard::workbook(&dep, &ctx.templates.layouts, msg, &opts)
        .context("building the standard workbook")?;
    outputs.save(&mut out, &args.output)?;
    outputs.commit()?;

    let mut stdout = std::io::stdout().lock();
    use std::io::Write;
    writeln!(
        stdout,
        "{}",
        msg.text(
            "convert.written",
            &[("path", &args.output.display()), ("count", &dep.tables.len()), ("unit", &to.as_str())]
        )
    )?;
    if from != to {
        writeln!(
            stdout,
            "{}",
            msg.text("convert.unit_changed", &[("from", &from.as_str()), ("to", &to.as_str())])
        )?;
    }
    if !dep.missing.is_empty() {
        let names: Vec<String> = dep.missing.iter().map(|n| format!("T{n:02}")).collect();
        writeln!(stdout, "{}", msg.text("convert.missing", &[("tables", &names.join(", "))]))?;
    }
    if !dep.coercions.is_empty() {
        writeln!(stdout, "{}", msg.text("convert.coercions", &[("count", &dep.coercions.len())]))?;
        for c in &dep.coercions {
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            writeln!(
                stdout,
                "  {}",
                msg.text(
                    &format!("convert.coercion.{kind}"),
                    &[("cell", &c.at), ("raw", &c.raw), ("value", &c.value)]
                )
            )?;
        }
    }
    for f in &dep.findings {
        let at = f.anchor().map(ToString::to_string).unwrap_or_else(|| dep.path.clone());
        writeln!(stdout, "{at}: {}[{}] {}", f.severity.as_str(), f.rule, f.message)?;
    }
    Ok(if dep.findings.iter().any(|f| f.severity == Severity::Error) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
