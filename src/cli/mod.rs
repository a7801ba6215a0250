//! Command-line wiring: global flags, the subcommand enum, dispatch, exit codes.
//!
//! Each subcommand lives in its own file with its `Args` and `run`; nothing here
//! does domain work. Exit status follows cli.md: 0 clean, 1 findings or
//! unreadable input, 2 could not run.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::Templates;
use crate::i18n::Lang;

/// Outcome of a subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything read, no error-level finding.
    Success,
    /// Error-level findings or unreadable inputs.
    Failure,
    /// Could not run (usage, configuration).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

/// Check, convert, consolidate and score department final accounts (部门决算).
#[derive(Debug, Parser)]
#[command(name = "juesuan", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Directory overlaying the built-in templates (tables, rules, scoring, messages).
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Message language: zh (default) or en.
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// No progress bar and no per-file summary lines.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the blank standard thirteen-table workbook.
    Template(template::TemplateArgs),
    /// Audit department workbooks and list the findings.
    Check(check::CheckArgs),
    /// Sum departments into consolidated tables (汇总), per directory node if asked.
    Consolidate(consolidate::ConsolidateArgs),
    /// Rewrite a department workbook in the standard layout and unit.
    Convert(convert::ConvertArgs),
    /// List every audit and scoring rule.
    Rules(rules::RulesArgs),
    /// Recompute and check project self-assessment score sheets (绩效自评).
    Score(score::ScoreArgs),
    /// Draft the 决算说明 (narrative) of a department from its tables.
    Narrate(narrate::NarrateArgs),
}

pub mod check;
pub mod consolidate;
pub mod convert;
pub mod help;
pub mod narrate;
pub mod rules;
pub mod score;
pub mod template;

/// Shared context handed to every subcommand.
pub struct Ctx {
    pub global: GlobalArgs,
    pub templates: Templates,
}

/// Parses arguments, runs the subcommand, prints fatal errors, returns the exit code.
pub fn main() -> ExitCode {
    let cli = match parse(std::env::args_os().collect()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let templates = match Templates::load(cli.global.templates.as_deref(), cli.global.lang) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", fatal(&format!("{e:#}"), cli.global.lang));
            return ExitStatus::Error.into();
        }
    };
    let ctx = Ctx { global: cli.global, templates };
    let result = match &cli.command {
        Command::Template(a) => template::run(a, &ctx),
        Command::Check(a) => check::run(a, &ctx),
        Command::Consolidate(a) => consolidate::run(a, &ctx),
        Command::Convert(a) => convert::run(a, &ctx),
        Command::Rules(a) => rules::run(a, &ctx),
        Command::Score(a) => score::run(a, &ctx),
        Command::Narrate(a) => narrate::run(a, &ctx),
    };
    match result {
        Ok(s) => s.into(),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitStatus::Success.into();
            }
            eprintln!("{}", ctx.templates.messages.text("console.fatal", &[("message", &format!("{e:#}"))]));
            ExitStatus::Error.into()
        }
    }
}

/// Parses the arguments with help and usage errors in the message language;
/// `Err` carries the exit code after help (0) or a usage error (2) was printed.
fn parse(args: Vec<std::ffi::OsString>) -> Result<Cli, ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let msg = help::embedded_messages(help::prescan_lang(&args));
    let cmd = help::localize(Cli::command(), &msg);
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    let args = help::rewrite_help_subcommand(args, &names);
    let result = cmd.clone().try_get_matches_from(&args).and_then(|m| Cli::from_arg_matches(&m));
    result.map_err(|e| {
        use std::io::Write;
        if !e.use_stderr() {
            // --help and --version: clap renders the localised command.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        let _ = writeln!(std::io::stderr(), "{}", help::render_error(&e, &cmd, &args, &msg));
        ExitStatus::Error.into()
    })
}

/// A fatal error before the catalogue is loaded (it may be the catalogue that failed).
fn fatal(message: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("错误：{message}"),
        Lang::En => format!("error: {message}"),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// True when two paths name the same existing file (or the same path text).
pub fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A progress bar on stderr when it is a terminal; hidden under a scheduler.
/// `label` is a message key (`progress.check`): what is being done, then the
/// count, the time spent and the time left, in the message language.
pub fn progress(len: usize, quiet: bool, label: &str, msg: &crate::i18n::Catalog) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&msg.text("progress.style", &[])) {
        bar.set_style(style);
    }
    bar.set_message(msg.text(label, &[]));
    bar
}

/// The closing line naming every output written (`已写出：a.xlsx、b.json`);
/// `-` (stdout) is not a file and is left out.
pub fn outputs_line(paths: &[String], msg: &crate::i18n::Catalog) -> Option<String> {
    let named: Vec<&str> = paths.iter().map(String::as_str).filter(|p| *p != "-").collect();
    let sep = if msg.lang == Lang::Zh { "、" } else { ", " };
    (!named.is_empty()).then(|| msg.text("console.outputs", &[("paths", &named.join(sep))]))
}

/// Writes JSON to stdout for `-`, else stages it in `outputs`.
pub fn write_json(
    path: &std::path::Path,
    value: &impl serde::Serialize,
    outputs: &mut crate::report::save::OutputSet,
) -> anyhow::Result<()> {
    use std::io::Write;
    // Streamed through a buffer, never built whole in memory (issue 16: a
    // batch's JSON is about 90 MB per 1,000 万元 files).
    let fill = |w: &mut dyn Write| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(w);
        serde_json::to_writer_pretty(&mut w, value)?;
        writeln!(w)?;
        w.flush()
    };
    if path == std::path::Path::new("-") {
        fill(&mut std::io::stdout().lock())?;
    } else {
        outputs.stage_with(path, |f| fill(f))?;
    }
    Ok(())
}

/// Drops copies from a consolidation's inputs (see `Inputs::drop_identical`),
/// with a note naming both paths of each.
pub fn drop_identical(inputs: &mut crate::inputs::Inputs, msg: &crate::i18n::Catalog) {
    for (kept, dropped) in inputs.drop_identical() {
        eprintln!(
            "{}",
            msg.text("inputs.duplicate", &[("path", &dropped.display()), ("kept", &kept.display())])
        );
    }
}

/// Validates and locks a run's outputs before any input is read (see
/// `report::save::OutputSet`); says so on stderr while another run holds a lock.
///
/// # Errors
/// A usage error naming the output path and why it cannot be written.
pub fn plan_outputs(
    paths: &[&std::path::Path],
    msg: &crate::i18n::Catalog,
) -> anyhow::Result<crate::report::save::OutputSet> {
    let waiting = |lock: &std::path::Path| {
        eprintln!("{}", msg.text("output.waiting", &[("lock", &lock.display())]));
    };
    crate::report::save::OutputSet::plan(paths, waiting).map_err(|r| {
        crate::error::Error::Usage(msg.text(r.key, &[("path", &r.path.display()), ("detail", &r.detail)]))
            .into()
    })
}

/// Reads last year's workbooks for `--prior` (none given: `None`), noting on
/// stderr each one that could not be read.
///
/// # Errors
/// A usage error when `--prior` names no readable workbook at all.
pub fn load_prior(paths: &[PathBuf], ctx: &Ctx) -> anyhow::Result<Option<crate::prior::PriorSet>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let msg = &ctx.templates.messages;
    let set = crate::prior::PriorSet::load(paths, |p| crate::check::read_file(p, &ctx.templates));
    for u in &set.unreadable {
        eprintln!(
            "{}",
            msg.text(
                "prior.unreadable",
                &[("path", &u.path), ("reason", &u.error.clone().unwrap_or_default())]
            )
        );
    }
    if set.files.is_empty() {
        let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(crate::error::Error::Usage(msg.text("prior.none", &[("paths", &list.join(" "))])).into());
    }
    Ok(Some(set))
}

/// Expands the inputs of a batch subcommand, refuses an output that is also an
/// input, prints the skipped and missing paths; `None` when there is nothing to do.
///
/// # Errors
/// A usage error when an output path is one of the inputs.
pub fn batch_inputs(
    args: &[std::path::PathBuf],
    outputs: &[&std::path::Path],
    ctx: &Ctx,
) -> anyhow::Result<Option<crate::inputs::Inputs>> {
    batch_inputs_with(args, outputs, ctx, false)
}

/// `batch_inputs`, keeping the 决算说明 documents when `narratives` (check);
/// otherwise they are skipped with a note.
///
/// # Errors
/// A usage error when an output path is one of the inputs.
pub fn batch_inputs_with(
    args: &[std::path::PathBuf],
    outputs: &[&std::path::Path],
    ctx: &Ctx,
    narratives: bool,
) -> anyhow::Result<Option<crate::inputs::Inputs>> {
    let msg = &ctx.templates.messages;
    let mut inputs = crate::inputs::expand(args);
    if !narratives {
        let docs = std::mem::take(&mut inputs.narratives);
        inputs.skipped.extend(
            docs.into_iter()
                .map(|path| crate::inputs::Skipped { path, reason: "inputs.narrative_only_check" }),
        );
        inputs.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    }
    // A path that does not exist is a mistyped argument: nothing is done (exit 2).
    if let Some(m) = inputs.missing.first() {
        return Err(crate::error::Error::Usage(msg.text("inputs.missing", &[("path", &m.display())])).into());
    }
    let all = inputs.found();
    for o in outputs {
        if all.iter().any(|f| same_file(f, o)) {
            return Err(crate::error::Error::Usage(
                msg.text("common.output_is_input", &[("path", &o.display())]),
            )
            .into());
        }
    }
    if ctx.global.quiet {
        // --quiet keeps only summaries: one line says how many were passed over.
        let n = inputs.duplicates.len() + inputs.skipped.len();
        if n > 0 {
            eprintln!("{}", msg.text("inputs.skipped_quiet", &[("n", &n)]));
        }
    } else {
        for (kept, dropped) in &inputs.duplicates {
            eprintln!(
                "{}",
                msg.text("inputs.duplicate", &[("path", &dropped.display()), ("kept", &kept.display())])
            );
        }
        for s in &inputs.skipped {
            eprintln!(
                "{}",
                msg.text(
                    "inputs.skipped",
                    &[("path", &s.path.display()), ("reason", &msg.text(s.reason, &[]))]
                )
            );
        }
    }
    if inputs.files.is_empty() && inputs.narratives.is_empty() {
        eprintln!("{}", msg.text("inputs.nothing", &[]));
        return Ok(None);
    }
    Ok(Some(inputs))
}
