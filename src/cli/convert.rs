//! `juesuan convert`: rewrite one department workbook in the standard layout.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Ctx, ExitStatus};
use crate::consolidate::balance::to_unit;
use crate::model::Unit;
use crate::report::{convert, standard};

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
    let mut dep = match crate::check::read_file(&args.input, &ctx.templates) {
        Ok(dep) => dep,
        Err(r) => {
            let reason = r.error.unwrap_or_default();
            eprintln!(
                "{}",
                msg.text("common.unreadable", &[("path", &args.input.display()), ("reason", &reason)])
            );
            return Ok(ExitStatus::Failure);
        }
    };
    let from = dep.unit.unwrap_or_default();
    let to = args.unit.unwrap_or(from);
    let t = &ctx.templates;
    let adjustments = to_unit(&mut dep, to, &t.rules, &t.layouts, msg);
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
        let report = convert::Report::new(&args.input, &args.output, &dep, to, &adjustments);
        super::write_json(j, &report, &mut outputs)?;
    }
    outputs.commit()?;
    if args.json.as_deref() == Some(std::path::Path::new("-")) {
        return Ok(status(&dep));
    }
    let mut stdout = std::io::stdout().lock();
    use std::io::Write;
    let shown = convert::Shown { from, to, quiet: ctx.global.quiet, json: args.json.is_some() };
    for line in convert::console_lines(&dep, &adjustments, shown, msg) {
        writeln!(stdout, "{line}")?;
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

fn status(dep: &crate::model::Department) -> ExitStatus {
    if crate::finding::Counts::of(&dep.findings).errors > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
