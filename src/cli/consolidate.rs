//! `juesuan consolidate`: sum departments into one set of thirteen tables, plus
//! one per directory node with `--by-dir`, with 分户表 and 审核结果.
//!
//! This module owns the arguments, the refusal of unsafe outputs, the parallel
//! reading and the console; what is summed where, balanced and written is
//! `crate::consolidate` (tree, batch, node, balance). Files are read in bounded
//! chunks and folded in sorted-path order, so the output does not depend on
//! thread timing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Ctx, ExitStatus};
use crate::consolidate::batch::{Batch, Node, Options};
use crate::consolidate::tree::{Tree, node_file, root_name};
use crate::model::Unit;

/// Sums every readable department workbook under INPUT into the standard tables.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  juesuan consolidate samples/county/某市 -o out/某市汇总.xlsx --by-dir out/某市\n  juesuan consolidate 报送/ -o 汇总.xlsx --unit 元 --json 汇总.json --quiet"
)]
pub struct ConsolidateArgs {
    /// Workbooks or directories (searched recursively).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The consolidated workbook (not inside an input directory).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write one consolidated workbook per directory node, mirroring the input tree.
    #[arg(long, value_name = "OUTDIR")]
    pub by_dir: Option<PathBuf>,
    /// Unit of the output (万元 or 元).
    #[arg(long, default_value = "万元")]
    pub unit: Unit,
    /// Write a JSON summary here (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Offset internal flows between a supervising unit and its subordinates
    /// (冲抵): roles from `[主管]`/`[下属]` in file names, else from folders.
    #[arg(long)]
    pub offset_internal: bool,
    /// Units file (CSV: path or 编制单位, 单位代码, 上级单位代码, 主管/下属): offset
    /// only the flows between a 下属 and the 主管 it names (implies 冲抵), 单位代码 in 分户表.
    #[arg(long, value_name = "FILE")]
    pub units: Option<PathBuf>,
    /// Last year's workbooks or directories: 上年对比 sheet, 年初 = 上年年末 checks.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub prior: Vec<PathBuf>,
    /// List every note (提示, e.g. rounding differences) in 审核结果; by default
    /// they are only counted in 分户表.
    #[arg(long)]
    pub with_info: bool,
}

pub fn run(args: &ConsolidateArgs, ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let t = &ctx.templates;
    let msg = &t.messages;
    let json = args.json.as_deref().filter(|j| j.as_os_str() != "-");
    let outputs: Vec<&Path> = std::iter::once(args.output.as_path()).chain(json).collect();
    let Some(mut inputs) = super::batch_inputs(&args.inputs, &outputs, ctx)? else {
        return Ok(ExitStatus::Error);
    };
    super::drop_identical(&mut inputs, msg);
    let root_name = root_name(&args.inputs, &args.output);
    let tree = Tree::new(&args.inputs, &inputs.files);
    // Every output is known before anything is read: refuse the unsafe ones now.
    let mut nodes: BTreeMap<PathBuf, Node> = BTreeMap::new();
    for key in tree.nodes(args.by_dir.is_some()) {
        let (name, output) = if key.as_os_str().is_empty() {
            (root_name.clone(), args.output.clone())
        } else {
            let Some(dir) = &args.by_dir else { continue };
            let name = key.file_name().map_or_else(String::new, |s| s.to_string_lossy().to_string());
            (name, node_file(dir, &key))
        };
        nodes.insert(key, Node::new(name, output));
    }
    if let Some(refusal) = refuse_outputs(args, &inputs.found(), &nodes, msg) {
        return Err(crate::error::Error::Usage(refusal).into());
    }
    // Every output is planned (and locked) before any input is read.
    let planned: Vec<&Path> = nodes.values().map(|n| n.output.as_path()).chain(json).collect();
    let mut out = super::plan_outputs(&planned, msg)?;

    let opts = Options {
        unit: args.unit,
        offset_internal: args.offset_internal,
        with_info: args.with_info,
        json: args.json.is_some(),
    };
    let mut batch = Batch::new(t, opts, tree, nodes)?;
    if let Some(u) = &args.units {
        batch.set_units(crate::consolidate::units::Units::load(u, msg)?);
    }
    let prior = super::load_prior(&args.prior, ctx)?;
    let lookup = prior.as_ref().map(|set| crate::check::PriorLookup { set, roots: &args.inputs });
    if let Some(p) = &prior {
        batch.set_prior(crate::consolidate::last_year::node_totals(p, batch.node_keys()));
    }
    let bar = super::progress(inputs.files.len(), ctx.global.quiet, "progress.consolidate", msg);
    let read = |p: &Path| {
        let r = crate::check::check_file_with(p, t, lookup);
        bar.inc(1);
        r
    };
    // Skipped and excluded inputs are counted in the summary; --quiet keeps only that.
    let quiet = ctx.global.quiet;
    let notice = |line: String| {
        if !quiet {
            bar.suspend(|| eprintln!("{line}"));
        }
    };
    batch.fold_all(&inputs.files, read, notice)?;
    bar.finish_and_clear();
    drop(prior);
    batch.write_nodes(&mut out)?;

    if let Some(j) = &args.json {
        let report = batch.json()?;
        let fill = |w: &mut dyn Write| -> std::io::Result<()> {
            let mut w = std::io::BufWriter::new(w);
            serde_json::to_writer_pretty(&mut w, &report)?;
            writeln!(w)?;
            w.flush()
        };
        if j == Path::new("-") {
            fill(&mut std::io::stdout().lock())?;
        } else {
            out.stage_with(j, |f| fill(f))?;
        }
    }
    // Every output was written: only now do they replace the old ones.
    out.commit()?;
    // The summary is what `--quiet` keeps; then every output, by name.
    let summary = &batch.summary;
    for line in summary.console_lines(msg) {
        eprintln!("{line}");
    }
    let mut named: Vec<String> = summary.outputs.first().cloned().into_iter().collect();
    if let Some(dir) = &args.by_dir {
        let n = summary.outputs.len().saturating_sub(1);
        named.push(msg.text("console.outputs_by_dir", &[("dir", &dir.display()), ("n", &n)]));
    }
    named.extend(args.json.iter().map(|j| j.display().to_string()));
    if let Some(line) = super::outputs_line(&named, msg) {
        eprintln!("{line}");
    }
    Ok(if summary.failed() { ExitStatus::Failure } else { ExitStatus::Success })
}

/// `p` made absolute through its nearest existing ancestor (outputs may not exist yet).
fn absolute(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    };
    let mut base = p.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(base) {
            let mut out = c;
            out.extend(rest.iter().rev());
            return out;
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return p,
        }
    }
}

/// Why the planned outputs cannot be written, if they cannot: an output that is
/// an input, a workbook output inside an input directory (the next night's run
/// would read it as an input), or two outputs on one path.
fn refuse_outputs(
    args: &ConsolidateArgs,
    files: &[PathBuf],
    nodes: &BTreeMap<PathBuf, Node>,
    msg: &crate::i18n::Catalog,
) -> Option<String> {
    // The main output and the JSON were checked with the inputs (`batch_inputs`).
    for o in nodes.values().map(|n| &n.output) {
        if files.iter().any(|f| super::same_file(f, o)) {
            return Some(msg.text("common.output_is_input", &[("path", &o.display())]));
        }
    }
    let dirs: Vec<PathBuf> = args.inputs.iter().filter(|i| i.is_dir()).map(|i| absolute(i)).collect();
    let mut seen = BTreeSet::new();
    for o in nodes.values().map(|n| &n.output) {
        let abs = absolute(o);
        if let Some(d) = dirs.iter().find(|d| abs.starts_with(d)) {
            return Some(
                msg.text("consolidate.output_in_input", &[("path", &o.display()), ("dir", &d.display())]),
            );
        }
        if !seen.insert(abs) {
            return Some(msg.text("consolidate.output_twice", &[("path", &o.display())]));
        }
    }
    None
}
