//! `juesuan narrate`: draft the 决算说明 of one department from its tables.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Ctx, ExitStatus};
use crate::model::Department;
use crate::narrative::draft;

/// Drafts the 决算说明 (.docx) from a department workbook, last year's optional.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan narrate 某局2024.xlsx -o 某局2024决算说明.docx\n  juesuan narrate 某局2024.xlsx --prior 某局2023.xlsx -o 某局2024决算说明.docx"
)]
pub struct NarrateArgs {
    /// This year's department workbook.
    pub workbook: PathBuf,
    /// Last year's workbook of the same department (changes and rates).
    #[arg(long, value_name = "PRIOR")]
    pub prior: Option<PathBuf>,
    /// The draft to write (.docx; .txt writes one paragraph per line).
    #[arg(short, long, value_name = "OUT.docx")]
    pub output: PathBuf,
}

/// Reads a workbook's tables, or says why not.
fn department(path: &Path, ctx: &Ctx) -> Option<Department> {
    let (report, dep) = crate::check::check_file(path, &ctx.templates);
    if dep.is_none() {
        let msg = &ctx.templates.messages;
        let reason = report.error.unwrap_or_default();
        eprintln!("{}", msg.text("common.unreadable", &[("path", &path.display()), ("reason", &reason)]));
    }
    dep
}

pub fn run(args: &NarrateArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let t = &ctx.templates;
    let msg = &t.messages;
    for input in std::iter::once(&args.workbook).chain(&args.prior) {
        if super::same_file(input, &args.output) {
            return Err(crate::error::Error::Usage(
                msg.text("common.output_is_input", &[("path", &args.output.display())]),
            )
            .into());
        }
        if !input.exists() {
            return Err(crate::error::Error::Usage(
                msg.text("inputs.missing", &[("path", &input.display())]),
            )
            .into());
        }
    }
    let mut outputs = super::plan_outputs(&[args.output.as_path()], msg)?;
    let Some(dep) = department(&args.workbook, ctx) else { return Ok(ExitStatus::Failure) };
    let prior = match &args.prior {
        Some(p) => match department(p, ctx) {
            Some(d) => Some(d),
            None => return Ok(ExitStatus::Failure),
        },
        None => None,
    };
    let paras = draft::draft(&t.narrative_draft, &t.narrative, &t.layouts, &dep, prior.as_ref());
    let txt = args.output.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let bytes =
        if txt { draft::plain_text(&paras).into_bytes() } else { crate::report::docx::bytes(&paras)? };
    outputs.write(&args.output, &bytes)?;
    outputs.commit()?;
    let placeholders = draft::to_fill(&paras);
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    writeln!(
        out,
        "{}",
        msg.text(
            "narrate.written",
            &[
                ("path", &args.output.display()),
                ("paragraphs", &paras.len()),
                ("placeholders", &placeholders)
            ]
        )
    )?;
    Ok(ExitStatus::Success)
}
