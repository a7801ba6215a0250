//! Console output of `check`: a summary line per file and one grep-able line
//! per finding, `file:'sheet'!D12: 错误[ID] message (应为 …，实际 …，差额 …)`,
//! errors first. Notes (rounding) are only counted per file unless asked for,
//! and `--quiet` leaves the batch summary alone.

use crate::finding::{Finding, Severity};
use crate::i18n::Catalog;
use crate::outcome::{FileKind, FileReport, Status, Summary};
use crate::rules::eval::fmt;

/// One finding as one line.
pub fn finding_line(path: &str, f: &Finding, msg: &Catalog) -> String {
    // A 决算说明 finding points at its paragraph, like grep: `说明.txt:42:`.
    let at = match (f.line, f.anchor()) {
        (Some(n), _) => format!("{path}:{n}"),
        (None, Some(c)) => c.to_string(),
        (None, None) => path.to_string(),
    };
    let mut line = format!("{at}: {}[{}] {}", f.severity.label(msg), f.rule, f.message);
    if let Some(v) = &f.values {
        line.push_str(&msg.text(
            "report.values",
            &[("expected", &fmt(v.expected)), ("actual", &fmt(v.actual)), ("difference", &fmt(v.difference))],
        ));
    }
    let prior: Vec<String> = f.cells.iter().filter(|c| c.prior).map(ToString::to_string).collect();
    if !prior.is_empty() {
        line.push_str(&msg.text("report.prior_cells", &[("cells", &prior.join(" "))]));
    }
    if let Some(e) = &f.explanation {
        let key = if f.unexplainable { "report.explained_still_counts" } else { "report.explained" };
        line.push_str(&msg.text(key, &[("text", e)]));
    }
    if let Some(e) = &f.stale_explanation {
        line.push_str(&msg.text("report.explanation_stale", &[("text", e)]));
    }
    if let Some(q) = &f.quote {
        line.push_str(&format!(" 「{q}」"));
    }
    crate::text::console(&line).into_owned()
}

fn file_summary(r: &FileReport, strict: bool, msg: &Catalog) -> String {
    if r.status == Status::Unreadable {
        return msg.text(
            "report.file_unreadable",
            &[("path", &r.path), ("reason", &r.error.clone().unwrap_or_default())],
        );
    }
    let c = r.counts(strict);
    if r.kind == FileKind::Narrative {
        let paired = r.paired_with.clone().flatten().unwrap_or_else(|| "-".into());
        return msg.text(
            "report.narrative_summary",
            &[
                ("path", &r.path),
                ("paired", &paired),
                ("errors", &c.errors),
                ("warnings", &c.warnings),
                ("infos", &c.infos),
            ],
        );
    }
    msg.text(
        "report.file_summary",
        &[
            ("path", &r.path),
            ("department", &r.department.clone().unwrap_or_else(|| "?".into())),
            ("year", &r.year.map_or_else(|| "?".into(), |y| y.to_string())),
            ("unit", &r.unit.clone().unwrap_or_else(|| "?".into())),
            ("tables", &r.tables.len()),
            ("errors", &c.errors),
            ("warnings", &c.warnings),
            ("infos", &c.infos),
        ],
    )
}

/// How much of the report the console shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct Verbosity {
    /// List every note (提示) too, not only their count.
    pub show_info: bool,
    /// Only the batch summary.
    pub quiet: bool,
}

/// One file's console lines (summary, then its findings, errors first);
/// empty under `--quiet`.
pub fn file_block(r: &FileReport, strict: bool, msg: &Catalog, v: Verbosity) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if v.quiet {
        return out;
    }
    let _ = writeln!(out, "{}", file_summary(r, strict, msg));
    // Errors first, then warnings, then notes, each in cell order: an
    // officer reads what must be fixed before the rounding notes.
    let mut order: Vec<&Finding> = r.findings.iter().collect();
    order.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut hidden = 0;
    for f in order {
        if f.severity == Severity::Info && !v.show_info {
            hidden += 1;
            continue;
        }
        let _ = writeln!(out, "{}", finding_line(&r.path, f, msg));
    }
    if hidden > 0 {
        let _ = writeln!(out, "{}", msg.text("console.infos_hidden", &[("n", &hidden)]));
    }
    out
}

/// The batch summary line.
pub fn batch_summary(s: &Summary, msg: &Catalog) -> String {
    msg.text(
        "report.batch_summary",
        &[
            ("files", &s.files),
            ("ok", &s.ok),
            ("with_errors", &s.with_errors),
            ("unreadable", &s.unreadable),
            ("errors", &s.counts.errors),
            ("warnings", &s.counts.warnings),
            ("infos", &s.counts.infos),
            ("explained", &s.explained),
        ],
    )
}

/// Console output of `score` (without the closing summary): a line per
/// project and per 部门 table with its findings, then the `--tables`
/// cross-check findings, each pointing at the accounts' total cell.
pub fn score_lines(r: &crate::score::batch::Report, tables_path: &str, msg: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for s in &r.projects {
        out.push(msg.text(
            "score.line",
            &[
                ("name", &s.name),
                ("reported", &s.reported_total.clone().unwrap_or_else(|| "-".into())),
                ("computed", &s.computed_total),
                ("grade", &s.grade),
            ],
        ));
        out.extend(s.findings.iter().map(|f| format!("  {}", finding_line(&s.path, f, msg))));
    }
    for d in &r.department_tables {
        out.push(msg.text(
            "score.dept_line",
            &[
                ("path", &d.path),
                ("sheet", &d.sheet),
                ("reported", &d.reported_total.clone().unwrap_or_else(|| "-".into())),
                ("computed", &d.computed_total),
                ("grade", &d.grade),
            ],
        ));
        out.extend(d.findings.iter().map(|f| format!("  {}", finding_line(&d.path, f, msg))));
    }
    for f in &r.cross_check {
        // Points at the accounts' total (the last cell), not the first project.
        let at = f.cells.last().map_or_else(|| tables_path.to_string(), ToString::to_string);
        let line = format!("  {at}: {}[{}] {}", f.severity.label(msg), f.rule, f.message);
        out.push(crate::text::console(&line).into_owned());
    }
    out
}
