//! Evaluating rules over a department.
//!
//! - Amounts are compared exactly. In a 万元 department a difference within the
//!   rounding envelope `0.005 × (printed values involved)` (tables.md §1: n parts
//!   plus the total) is an *info* finding (可能为取整误差); beyond it the rule's
//!   severity applies. In 元 the envelope is zero unless the rule sets `tolerance`
//!   or the figures were rounded in 万元 (`Department::precision`).
//! - A code row that is absent is zero (tables list only the codes they use). A
//!   missing table, column or fixed row, or a cell that is not a number, makes
//!   the rule report *insufficient data* (info) naming what is missing — never a
//!   silent pass and never a misleading "0 ≠ 123".
//! - Rules naming last year (`prior.T…`) read the department `--prior` matched;
//!   without `--prior` they do not run, and when nothing matched they report
//!   insufficient data. A `change` rule reports a year-over-year change beyond
//!   its threshold instead of an inequality.

use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;

use rust_decimal::Decimal;

use super::expr::{Op, Ref, Sel, Sum, Term};
use super::view::{TableView, Views};
use super::{Kind, Rule, RuleSet, Threshold, When};
use crate::finding::{Comparison, Finding, Place, Severity};
use crate::i18n::Catalog;
use crate::location::CellRef;
use crate::model::{Department, KeyRef, Row, RowKey, Table, Unit};
use crate::template::Layouts;
use crate::text::norm_header;

/// A summed operand: its value, the cells in it, how many printed values, words.
#[derive(Clone, Debug, Default)]
struct Val {
    sum: Decimal,
    cells: Vec<CellRef>,
    /// Each cell with the sign it enters the sum with (for the rounding balance).
    signed: Vec<(CellRef, i32)>,
    count: usize,
    desc: Vec<String>,
}

/// Last year's accounts for the rules that read them.
#[derive(Clone, Copy, Debug, Default)]
pub enum PriorYear<'a> {
    /// No `--prior`: rules reading last year do not run.
    #[default]
    NotAsked,
    /// `--prior` given, but no workbook matched this department.
    Missing,
    /// The matched department of last year.
    Found(&'a Department),
}

/// Evaluates every rule; findings sorted by position then rule.
pub fn evaluate(rules: &RuleSet, dep: &Department, layouts: &Layouts, msg: &Catalog) -> Vec<Finding> {
    evaluate_with_prior(rules, dep, PriorYear::NotAsked, layouts, msg)
}

impl<'a> PriorYear<'a> {
    fn found(self) -> Option<&'a Department> {
        match self {
            PriorYear::Found(p) => Some(p),
            PriorYear::NotAsked | PriorYear::Missing => None,
        }
    }
}

/// `evaluate`, with last year's accounts for the `prior.` rules.
pub fn evaluate_with_prior(
    rules: &RuleSet,
    dep: &Department,
    prior: PriorYear<'_>,
    layouts: &Layouts,
    msg: &Catalog,
) -> Vec<Finding> {
    with_evaluator(dep, prior, layouts, msg, None, |ev| {
        let mut out = Vec::new();
        for rule in &rules.rules {
            ev.run(rule, &mut out);
        }
        out.sort_by_key(Finding::sort_key);
        out
    })
}

/// One rule's outcome, and whether it applied at all (its conditions held and
/// at least one comparison was made): tests use this to tell a pass from a skip.
pub fn evaluate_rule(
    rule: &Rule,
    dep: &Department,
    layouts: &Layouts,
    msg: &Catalog,
) -> (bool, Vec<Finding>) {
    evaluate_rule_with_prior(rule, dep, PriorYear::NotAsked, layouts, msg)
}

/// `evaluate_rule`, with last year's accounts.
pub fn evaluate_rule_with_prior(
    rule: &Rule,
    dep: &Department,
    prior: PriorYear<'_>,
    layouts: &Layouts,
    msg: &Catalog,
) -> (bool, Vec<Finding>) {
    with_evaluator(dep, prior, layouts, msg, None, |ev| {
        let mut out = Vec::new();
        let applied = ev.run(rule, &mut out);
        (applied, out)
    })
}

/// Runs `f` with an evaluator over the department with all tables in one unit
/// (last year's converted to this year's unit too). With `figures`, `change`
/// rules record every figure there instead of reporting.
fn with_evaluator<T>(
    dep: &Department,
    prior: PriorYear<'_>,
    layouts: &Layouts,
    msg: &Catalog,
    figures: Option<&std::cell::RefCell<Vec<YearFigure>>>,
    f: impl FnOnce(&Evaluator<'_>) -> T,
) -> T {
    let converted = in_one_unit(dep);
    let dep = converted.as_ref().unwrap_or(dep);
    let unit = dep.unit.unwrap_or_default();
    let prior_converted = match prior {
        PriorYear::Found(p)
            if p.tables.values().any(|t| t.unit.unwrap_or(p.unit.unwrap_or_default()) != unit) =>
        {
            let mut p = p.clone();
            p.convert_unit(unit);
            Some(p)
        }
        _ => None,
    };
    let prior = match (prior, &prior_converted) {
        (_, Some(p)) => PriorYear::Found(p),
        (p, None) => p,
    };
    let ev = Evaluator {
        detail: std::cell::Cell::new(false),
        sink: None,
        dep,
        prior,
        views: Rc::new((Views::new(Some(dep)), Views::new(prior.found()))),
        layouts,
        msg,
        unit: dep.unit.unwrap_or_default(),
        figures,
    };
    f(&ev)
}

/// Every comparison of the rule set, instantiated over the department's rows and
/// columns, as `Σ coefficient × cell = 0`: the equalities, and the inequalities
/// in their equality form (the rounding balance keeps an inequality only where
/// the exact amounts meet it with equality, since rounding could break it there).
pub fn equalities(
    rules: &RuleSet,
    dep: &Department,
    layouts: &Layouts,
    msg: &Catalog,
) -> Vec<Vec<(CellRef, i32)>> {
    let ev = Evaluator {
        detail: std::cell::Cell::new(true),
        sink: Some(std::cell::RefCell::new(Vec::new())),
        dep,
        prior: PriorYear::NotAsked,
        views: Rc::new((Views::new(Some(dep)), Views::new(None))),
        layouts,
        msg,
        unit: dep.unit.unwrap_or_default(),
        figures: None,
    };
    let mut out = Vec::new();
    for rule in rules.rules.iter().filter(|r| r.kind == Kind::Compare && !r.reads_prior()) {
        ev.run(rule, &mut out);
    }
    ev.sink.map(std::cell::RefCell::into_inner).unwrap_or_default()
}

/// One figure of a `change` rule in both years (the `上年对比` sheet).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct YearFigure {
    pub rule: String,
    /// What the figure is, in words (`收入支出决算总表（收入）「本年收入合计」决算数`).
    pub figure: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub now: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub then: Decimal,
}

/// Every figure the `change` rules compare, this year against `prior`, in
/// rule order, in `dep`'s unit; figures zero in both years are left out.
pub fn change_figures(
    rules: &RuleSet,
    dep: &Department,
    prior: &Department,
    layouts: &Layouts,
    msg: &Catalog,
) -> Vec<YearFigure> {
    // Outside the evaluator, which borrows it for the run.
    let sink = std::cell::RefCell::new(Vec::new());
    with_evaluator(dep, PriorYear::Found(prior), layouts, msg, Some(&sink), |ev| {
        ev.detail.set(true);
        let mut out = Vec::new();
        for rule in rules.rules.iter().filter(|r| r.kind == Kind::Change) {
            ev.compare(rule, &mut out);
        }
    });
    sink.into_inner()
}

/// A copy with every table in the department's unit, when some table differs.
fn in_one_unit(dep: &Department) -> Option<Department> {
    let unit = dep.unit.unwrap_or_default();
    if dep.tables.values().all(|t| t.unit.unwrap_or(unit) == unit) {
        return None;
    }
    let mut d = dep.clone();
    d.convert_unit(unit);
    Some(d)
}

/// One equality as `Σ coefficient × cell = 0`.
pub type Equality = Vec<(CellRef, i32)>;

#[derive(Clone)]
struct Evaluator<'a> {
    /// Build descriptions and cell lists (only needed for a finding: most
    /// comparisons pass, and building words for them was most of the cost).
    detail: std::cell::Cell<bool>,
    /// When set, every equality compared is recorded as `Σ coef × cell = 0`.
    sink: Option<std::cell::RefCell<Vec<Equality>>>,
    dep: &'a Department,
    prior: PriorYear<'a>,
    /// Indexed views of `dep`'s tables and of `prior`'s, built on first use
    /// and shared by every rule of the run.
    views: Rc<(Views<'a>, Views<'a>)>,
    layouts: &'a Layouts,
    msg: &'a Catalog,
    unit: Unit,
    /// When set, `change` rules record every figure here instead of reporting.
    figures: Option<&'a std::cell::RefCell<Vec<YearFigure>>>,
}

/// A reference's rows as they are found: the sum of their cells in one
/// column, and (only with `detail`) the rows themselves.
#[derive(Default)]
struct Acc<'r> {
    detail: bool,
    col: &'r str,
    sum: Decimal,
    count: usize,
    /// The first row without the column.
    lacking: Option<&'r Row>,
    rows: Vec<&'r Row>,
}

impl<'r> Acc<'r> {
    fn add(&mut self, r: &'r Row) {
        match r.get(self.col) {
            Some(a) => {
                self.sum += a.value;
                self.count += 1;
            }
            None => {
                self.lacking = self.lacking.or(Some(r));
            }
        }
        if self.detail {
            self.rows.push(r);
        }
    }
}

fn row_words(r: &Row) -> String {
    match &r.key {
        RowKey::Code(c) if !r.label.is_empty() => format!("{c} {}", r.label.trim()),
        RowKey::Code(c) => c.clone(),
        RowKey::Label(id) if r.label.is_empty() => id.clone(),
        RowKey::Label(_) => crate::text::norm_label(&r.label),
    }
}

impl<'a> Evaluator<'a> {
    fn run(&self, rule: &Rule, out: &mut Vec<Finding>) -> bool {
        if rule.reads_prior() {
            match self.prior {
                PriorYear::NotAsked => return false,
                PriorYear::Missing => {
                    let what = self.msg.text("check.no_prior", &[]);
                    self.insufficient(rule, self.title(rule), [what].into(), out);
                    return false;
                }
                PriorYear::Found(_) => {}
            }
        }
        match rule.kind {
            Kind::Compare | Kind::Change => self.compare(rule, out),
            Kind::Consistency => {
                self.consistency(rule, out);
                true
            }
            Kind::EmptyNote => {
                self.empty_note(rule, out);
                rule.tables.iter().any(|n| self.dep.table(*n).is_some())
            }
            Kind::Narrative => false,
        }
    }

    fn title<'r>(&self, rule: &'r Rule) -> &'r str {
        self.msg.pick(&rule.title, &rule.title_en)
    }

    fn table_name(&self, no: u8) -> String {
        self.layouts
            .table(no)
            .map_or_else(|| format!("T{no}"), |l| self.msg.pick(&l.title, &l.title_en).to_string())
    }

    /// The view of this year's table `no`, or last year's.
    fn view(&self, prior: bool, no: u8) -> Option<&TableView<'a>> {
        if prior { self.views.1.table(no) } else { self.views.0.table(no) }
    }

    /// Evaluates one reference for the current row and column.
    ///
    /// Without `detail` this is the hot path (most comparisons pass): it sums
    /// as it finds rows and builds no words, cell lists or strings.
    fn eval_ref(&self, rf: &Ref, cur: Option<&RowKey>, col: Option<&str>) -> Result<Val, String> {
        let tname = || {
            let t = self.table_name(rf.table);
            if rf.prior { self.msg.text("check.prior_table", &[("table", &t)]) } else { t }
        };
        let detail = self.detail.get();
        if rf.prior && !matches!(self.prior, PriorYear::Found(_)) {
            return Err(self.msg.text("check.no_prior", &[]));
        }
        let Some(t) = self.view(rf.prior, rf.table) else {
            return Err(self.msg.text("check.missing_table", &[("table", &tname())]));
        };
        let col = rf.column.as_deref().or(col).unwrap_or_default();
        let side = rf.side.as_deref();
        if !t.has_column(col, side) {
            return Err(self.msg.text("check.missing_column", &[("table", &tname()), ("column", &col)]));
        }
        let mut acc = Acc { detail, col, ..Acc::default() };
        let mut words: Vec<String> = Vec::new();
        match &rf.sel {
            Sel::Current => {
                let key = cur.map_or(KeyRef::Label(""), RowKey::key_ref);
                match t.row(key, side) {
                    Some(r) => acc.add(r),
                    None if key.is_code() => {
                        if detail {
                            words.push(key.to_string());
                        }
                    }
                    None => {
                        return Err(self
                            .msg
                            .text("check.missing_row", &[("table", &tname()), ("row", &key)]));
                    }
                }
            }
            Sel::Children => {
                if let Some(RowKey::Code(c)) = cur {
                    t.children(c, side).for_each(|r| acc.add(r));
                    if detail {
                        words.push(self.msg.text("check.children_of", &[("code", c)]));
                    }
                }
            }
            Sel::Level(n) => {
                t.level(*n, side).for_each(|r| acc.add(r));
                if detail {
                    words.push(self.msg.text(&format!("check.level_{n}"), &[]));
                }
            }
            Sel::Rows(keys) => {
                for key in keys {
                    match t.row(key.key_ref(), side) {
                        Some(r) => acc.add(r),
                        None if key.code().is_some() => {
                            if detail {
                                words.push(key.to_string());
                            }
                        }
                        None => {
                            return Err(self
                                .msg
                                .text("check.missing_row", &[("table", &tname()), ("row", key)]));
                        }
                    }
                }
            }
        }
        // The first row without the column, once every row was found (a
        // missing fixed row is reported before a missing cell).
        if let Some(r) = acc.lacking {
            return Err(self.msg.text(
                "check.missing_cell",
                &[("table", &tname()), ("row", &row_words(r)), ("column", &col)],
            ));
        }
        let mut v = Val { sum: acc.sum, count: acc.count, ..Val::default() };
        if !detail {
            return Ok(v);
        }
        for a in acc.rows.iter().filter_map(|r| r.get(col)) {
            let at = CellRef { prior: rf.prior, ..a.at.clone() };
            v.cells.push(at.clone());
            v.signed.push((at, 1));
        }
        let tname = tname();
        if matches!(rf.sel, Sel::Current | Sel::Rows(_)) {
            let mut names: Vec<String> = acc.rows.iter().map(|r| row_words(r)).collect();
            names.extend(words);
            words = names;
        }
        let rows_text = if words.len() > 3 {
            self.msg.text("check.many_rows", &[("first", &words[..2].join("、")), ("n", &words.len())])
        } else {
            words.join("、")
        };
        let side_text = rf.side.as_ref().map(|s| format!("（{s}）")).unwrap_or_default();
        v.desc.push(format!("{tname}{side_text}「{rows_text}」"));
        v.desc.push(col.to_string());
        Ok(v)
    }

    /// Evaluates a signed sum; its description names each table and rows once
    /// (`支出决算表「合计」基本支出 + 项目支出`).
    fn eval_sum(&self, s: &Sum, cur: Option<&RowKey>, col: Option<&str>) -> Result<Val, String> {
        let mut v = Val::default();
        if !self.detail.get() {
            // The hot path: the sum and the count of printed values only.
            for (pos, term) in &s.terms {
                let n = match term {
                    Term::Number(n) => *n,
                    // Every table is in `self.unit` by now (see `in_one_unit`).
                    Term::Amount(n, unit) => n * unit.factor_to(self.unit),
                    Term::Ref(r) => {
                        let t = self.eval_ref(r, cur, col)?;
                        v.count += t.count;
                        t.sum
                    }
                };
                if *pos { v.sum += n } else { v.sum -= n }
            }
            return Ok(v);
        }
        let mut text = String::new();
        let mut prev_prefix = String::new();
        for (i, (pos, term)) in s.terms.iter().enumerate() {
            let sign = match (i, pos) {
                (0, true) => "",
                (0, false) => "−",
                (_, true) => " + ",
                (_, false) => " − ",
            };
            text.push_str(sign);
            match term {
                Term::Number(n) => {
                    if *pos {
                        v.sum += n
                    } else {
                        v.sum -= n
                    }
                    text.push_str(&n.to_string());
                    prev_prefix.clear();
                }
                Term::Amount(n, unit) => {
                    // Every table is in `self.unit` by now (see `in_one_unit`).
                    let n = n * unit.factor_to(self.unit);
                    if *pos {
                        v.sum += n
                    } else {
                        v.sum -= n
                    }
                    text.push_str(&format!("{n}{}", self.unit.as_str()));
                    prev_prefix.clear();
                }
                Term::Ref(r) => {
                    let t = self.eval_ref(r, cur, col)?;
                    if *pos {
                        v.sum += t.sum
                    } else {
                        v.sum -= t.sum
                    }
                    v.cells.extend(t.cells);
                    let sign = if *pos { 1 } else { -1 };
                    v.signed.extend(t.signed.into_iter().map(|(c, k)| (c, k * sign)));
                    v.count += t.count;
                    let (prefix, column) = (t.desc[0].clone(), t.desc[1].clone());
                    if prefix != prev_prefix {
                        text.push_str(&prefix);
                    }
                    text.push_str(&column);
                    prev_prefix = prefix;
                }
            }
        }
        v.desc = vec![text];
        Ok(v)
    }

    /// Whether the rule's conditions hold. A condition that cannot be decided
    /// (the table it looks at is missing, or the amount is not a number) is
    /// `Err` with what is missing: the rule then reports insufficient data
    /// rather than silently not applying. `has(…)` only asks whether an
    /// optional column exists, so a missing table simply means "no".
    fn applies(&self, rule: &Rule) -> Result<bool, String> {
        // Some(true) all zero, Some(false) has data, None missing. A present
        // table with data decides `nonempty` (and refutes `empty`) even when
        // another listed table is missing.
        let state = |n: u8| self.view(false, n).map(TableView::is_all_zero);
        let missing = |ts: &[u8]| {
            let n = ts.iter().copied().find(|n| self.dep.table(*n).is_none()).unwrap_or_default();
            self.msg.text("check.missing_table", &[("table", &self.table_name(n))])
        };
        for c in &rule.conditions {
            let holds = match c {
                When::Has(t, col) => self.dep.table(*t).is_some_and(|t| t.has_column(col)),
                When::Empty(ts) | When::NonEmpty(ts) => {
                    let states: Vec<Option<bool>> = ts.iter().map(|n| state(*n)).collect();
                    let any_data = states.contains(&Some(false));
                    if !any_data && states.contains(&None) {
                        return Err(missing(ts));
                    }
                    matches!(c, When::NonEmpty(_)) == any_data
                }
                When::Zero(r) => self.eval_ref(r, None, None)?.sum.is_zero(),
            };
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Returns whether any comparison was made.
    fn compare(&self, rule: &Rule, out: &mut Vec<Finding>) -> bool {
        let Some(check) = &rule.check else { return false };
        let title = self.title(rule);
        let mut missing: BTreeSet<String> = BTreeSet::new();
        match self.applies(rule) {
            Ok(true) => {}
            Ok(false) => return false,
            Err(m) => {
                missing.insert(m);
                self.insufficient(rule, title, missing, out);
                return false;
            }
        }
        let mut compared = 0usize;
        // The rows to iterate: one pass with no row when the rule has no `each`.
        let rows: Vec<Option<&Row>> = match &rule.each {
            None => vec![None],
            Some(each) => match self.view(false, each.table) {
                None => {
                    missing.insert(
                        self.msg.text("check.missing_table", &[("table", &self.table_name(each.table))]),
                    );
                    Vec::new()
                }
                Some(t) => {
                    let mut rows: Vec<Option<&Row>> = Self::each_rows(t, each).map(Some).collect();
                    // A code row of last year that is gone this year is a change too.
                    if let (true, PriorYear::Found(_)) = (rule.reads_prior(), self.prior)
                        && let Some(pt) = self.view(true, each.table)
                    {
                        let mut seen: HashSet<(KeyRef<'_>, Option<&str>)> =
                            rows.iter().flatten().map(|r| (r.key.key_ref(), r.side.as_deref())).collect();
                        for r in Self::each_rows(pt, each) {
                            if r.key.code().is_some() && seen.insert((r.key.key_ref(), r.side.as_deref())) {
                                rows.push(Some(r));
                            }
                        }
                    }
                    rows
                }
            },
        };
        // Iterated columns, with their side: those of the `each` table, or of the
        // table (and side) the check's first reference names.
        let columns: Vec<(Option<&str>, Option<&str>)> = if rule.columns.is_empty() {
            vec![(None, None)]
        } else if rule.columns == ["*"] {
            let first = check.refs().next();
            let (t, side) = match &rule.each {
                Some(e) => (e.table, e.side.as_deref()),
                None => (first.map_or(0, |r| r.table), first.and_then(|r| r.side.as_deref())),
            };
            let mut cols: Vec<(Option<&str>, Option<&str>)> = self
                .dep
                .table(t)
                .map(|t| {
                    t.columns
                        .iter()
                        .filter(|c| c.known && (side.is_none() || c.side.as_deref() == side))
                        .map(|c| (Some(c.id.as_str()), c.side.as_deref()))
                        .collect()
                })
                .unwrap_or_default();
            cols.dedup();
            cols
        } else {
            rule.columns.iter().map(|c| (Some(c.as_str()), None)).collect()
        };
        for row in &rows {
            let key = row.map(|r| &r.key);
            let row_side = row.and_then(|r| r.side.as_deref());
            for &(col, col_side) in &columns {
                if col_side.is_some() && row_side.is_some() && col_side != row_side {
                    continue;
                }
                let l = self.eval_sum(&check.left, key, col);
                let r = self.eval_sum(&check.right, key, col);
                let (mut l, mut r) = match (l, r) {
                    (Ok(l), Ok(r)) => (l, r),
                    (Err(m), _) | (_, Err(m)) => {
                        missing.insert(m);
                        continue;
                    }
                };
                compared += 1;
                if let Some(figures) = self.figures {
                    if !(l.sum.is_zero() && r.sum.is_zero()) {
                        let figure = l.desc.join("");
                        figures.borrow_mut().push(YearFigure {
                            rule: rule.id.clone(),
                            figure,
                            now: l.sum,
                            then: r.sum,
                        });
                    }
                    continue;
                }
                if let Some(sink) = &self.sink {
                    let mut c: Vec<(CellRef, i32)> = l.signed.clone();
                    c.extend(r.signed.iter().map(|(x, k)| (x.clone(), -k)));
                    sink.borrow_mut().push(c);
                }
                let gap = match check.op {
                    Op::Eq => (l.sum - r.sum).abs(),
                    Op::Ge => (r.sum - l.sum).max(Decimal::ZERO),
                    Op::Le => (l.sum - r.sum).max(Decimal::ZERO),
                };
                if gap.is_zero() {
                    continue;
                }
                let threshold = rule.threshold.as_ref().filter(|_| rule.kind == Kind::Change);
                if let Some(th) = threshold
                    && !self.beyond(th, l.sum, r.sum)
                {
                    continue;
                }
                if !self.detail.get() {
                    // A finding: evaluate again, this time with words and cells.
                    self.detail.set(true);
                    let again = (self.eval_sum(&check.left, key, col), self.eval_sum(&check.right, key, col));
                    self.detail.set(false);
                    if let (Ok(a), Ok(b)) = again {
                        (l, r) = (a, b);
                    }
                }
                let mut cells = l.cells.clone();
                cells.extend(r.cells.clone());
                let table =
                    rule.each.as_ref().map(|e| e.table).or_else(|| check.refs().next().map(|r| r.table));
                let column = col.map(str::to_string).or_else(|| check.refs().find_map(|r| r.column.clone()));
                let words = row.map(row_words);
                if let Some(th) = threshold {
                    let least = th.amount * th.unit.factor_to(self.unit);
                    let message = self.change_message(th, title, &l, &r);
                    out.push(
                        Finding::new(rule.id.clone(), rule.severity, message)
                            .with_values(Comparison::new(r.sum, l.sum, least))
                            .with_cells(cells)
                            .with_place(Place { table, row: words, column, ..Place::default() })
                            .explainable(rule.explainable),
                    );
                    continue;
                }
                // In the unit the figures were rounded in: 万元 figures
                // converted to 元 keep the 万元 envelope (`Department::precision`).
                let envelope = rule.tolerance_amount.map_or_else(
                    || self.dep.rounding() * Decimal::from(l.count + r.count),
                    |(amount, unit)| amount * unit.factor_to(self.unit),
                );
                let rounding = gap <= envelope;
                let severity = if rounding { Severity::Info } else { rule.severity };
                let relation = match check.op {
                    Op::Eq => "check.should_equal",
                    Op::Ge => "check.should_be_ge",
                    Op::Le => "check.should_be_le",
                };
                let key_msg = if rounding { "check.rounding" } else { "check.mismatch" };
                // Name the table once when both sides start in it
                // (「合计」本年收入合计 … 「合计」基本支出 + 项目支出).
                let mut right = r.desc.join("");
                let first_table = |s: &Sum| match s.terms.first() {
                    Some((_, Term::Ref(x))) => Some(x.table),
                    _ => None,
                };
                if let (Some(lt), Some(rt)) = (first_table(&check.left), first_table(&check.right))
                    && lt == rt
                    && let Some(rest) = right.strip_prefix(&self.table_name(lt))
                {
                    right = rest.to_string();
                }
                let message = self.msg.text(
                    key_msg,
                    &[
                        ("title", &title),
                        ("left", &l.desc.join("")),
                        ("lhs", &fmt(l.sum)),
                        ("right", &right),
                        ("rhs", &fmt(r.sum)),
                        ("relation", &self.msg.text(relation, &[])),
                        ("diff", &fmt(l.sum - r.sum)),
                        ("tol", &fmt(envelope)),
                    ],
                );
                out.push(
                    Finding::new(rule.id.clone(), severity, message)
                        .with_values(Comparison::new(r.sum, l.sum, envelope))
                        .with_cells(cells)
                        .with_place(Place { table, row: words, column, ..Place::default() })
                        .explainable(rule.explainable),
                );
            }
        }
        if !missing.is_empty() {
            self.insufficient(rule, title, missing, out);
        }
        compared > 0
    }

    /// Whether this year's `now` differs from last year's `then` beyond the
    /// threshold: by at least its amount, and by more than its rate (any change
    /// from zero has no rate and counts by its amount alone).
    fn beyond(&self, th: &Threshold, now: Decimal, then: Decimal) -> bool {
        let change = (now - then).abs();
        let least = th.amount * th.unit.factor_to(self.unit);
        change >= least && (then.is_zero() || change > th.fraction * then.abs())
    }

    /// `本年「…」为 X，上年为 Y，增加 Δ（+r%）…`.
    fn change_message(&self, th: &Threshold, title: &str, l: &Val, r: &Val) -> String {
        let diff = l.sum - r.sum;
        let rate = if r.sum.is_zero() {
            self.msg.text("check.change_from_zero", &[])
        } else {
            let pct = (diff / r.sum.abs() * Decimal::ONE_HUNDRED).round_dp(2);
            format!("{}{}%", if pct.is_sign_positive() { "+" } else { "" }, fmt(pct))
        };
        let way = if diff.is_sign_positive() { "check.change_up" } else { "check.change_down" };
        self.msg.text(
            "check.change",
            &[
                ("title", &title),
                ("figure", &l.desc.join("")),
                ("now", &fmt(l.sum)),
                ("then", &fmt(r.sum)),
                ("way", &self.msg.text(way, &[])),
                ("change", &fmt(diff.abs())),
                ("rate", &rate),
                ("limit", &th.rate),
                ("least", &th.at_least),
            ],
        )
    }

    /// The rows an `each` rule iterates over in `t`, in printed order.
    fn each_rows<'v>(t: &'v TableView<'a>, each: &'v super::Each) -> impl Iterator<Item = &'a Row> + 'v {
        let side = each.side.as_deref();
        t.table.rows.iter().filter(move |r| {
            (side.is_none() || r.side.as_deref() == side)
                && match each.filter.as_str() {
                    "code" => r.key.code().is_some(),
                    "类" => r.key.code().is_some_and(|c| c.len() == 3),
                    // Through the table's index: a scan per row is quadratic in a long table.
                    "parent" => r.key.code().is_some_and(|c| t.children(c, side).next().is_some()),
                    _ => true,
                }
        })
    }

    /// One info finding saying what the rule lacked (at most three things named).
    fn insufficient(&self, rule: &Rule, title: &str, missing: BTreeSet<String>, out: &mut Vec<Finding>) {
        let what: Vec<String> = missing.into_iter().collect();
        let what = if what.len() > 3 {
            format!(
                "{}{}",
                what[..3].join("；"),
                self.msg.text("check.and_more", &[("n", &(what.len() - 3))])
            )
        } else {
            what.join("；")
        };
        let table = rule.tables.first().copied();
        // Nothing to compare, so no amount cells: point at the title of each
        // table the rule reads that is present, where the officer would look.
        let cells: Vec<_> =
            rule.tables.iter().filter_map(|n| self.dep.table(*n)).map(|t| t.title_at.clone()).collect();
        out.push(
            Finding::new(
                rule.id.clone(),
                Severity::Info,
                self.msg.text("check.insufficient", &[("title", &title), ("what", &what)]),
            )
            .with_cells(cells)
            .with_place(Place { table, ..Place::default() }),
        );
    }

    fn consistency(&self, rule: &Rule, out: &mut Vec<Finding>) {
        let title = self.title(rule);
        let tables: Vec<&Table> = rule.tables.iter().filter_map(|n| self.dep.table(*n)).collect();
        let mut check = |what: &str, vals: Vec<(String, &Table)>| {
            let distinct: BTreeSet<String> = vals.iter().map(|(v, _)| norm_header(v)).collect();
            if distinct.len() > 1 {
                let list: Vec<String> =
                    vals.iter().map(|(v, t)| format!("{}：{v}", self.table_name(t.no))).collect();
                out.push(
                    Finding::new(
                        rule.id.clone(),
                        rule.severity,
                        self.msg.text(
                            "check.inconsistent",
                            &[("title", &title), ("what", &what), ("list", &list.join("；"))],
                        ),
                    )
                    .explainable(rule.explainable)
                    .with_cells(vals.iter().map(|(_, t)| t.title_at.clone())),
                );
            }
        };
        check(
            &self.msg.text("check.word_department", &[]),
            tables.iter().filter_map(|t| t.department.clone().map(|d| (d, *t))).collect(),
        );
        check(
            &self.msg.text("check.word_year", &[]),
            tables.iter().filter_map(|t| t.year.map(|y| (y.to_string(), *t))).collect(),
        );
        check(
            &self.msg.text("check.word_unit", &[]),
            tables.iter().filter_map(|t| t.unit.map(|u| (u.as_str().to_string(), *t))).collect(),
        );
    }

    fn empty_note(&self, rule: &Rule, out: &mut Vec<Finding>) {
        let title = self.title(rule);
        for n in &rule.tables {
            if let Some(t) = self.dep.table(*n)
                && t.is_all_zero()
                && t.note.is_none()
            {
                out.push(
                    Finding::new(
                        rule.id.clone(),
                        rule.severity,
                        self.msg.text(
                            "check.empty_without_note",
                            &[("title", &title), ("table", &self.table_name(*n))],
                        ),
                    )
                    .explainable(rule.explainable)
                    .with_cells([t.title_at.clone()])
                    .with_place(Place { table: Some(*n), ..Place::default() }),
                );
            }
        }
    }
}

/// Amounts as officers print them: two decimals at least.
pub fn fmt(d: Decimal) -> String {
    let d = d.normalize();
    if d.scale() < 2 { format!("{:.2}", d) } else { d.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seed department with amounts nudged (some by a cent, within the
    /// rounding envelope, some by more), one cell and one fixed row removed.
    fn nudged(seed: &str, t: &crate::config::Templates) -> Department {
        let s: serde_json::Value =
            serde_json::from_str(include_str!("../../samples/src/seed_tables.json")).unwrap_or_default();
        let mut d = crate::samples::seed_department(&s[seed], &t.layouts, false);
        let mut i = 0u32;
        for tab in d.tables.values_mut() {
            for r in &mut tab.rows {
                for a in r.cells.values_mut() {
                    i += 1;
                    match i % 11 {
                        0 => a.value += Decimal::new(1, 2),
                        5 => a.value += Decimal::from(3),
                        _ => {}
                    }
                }
            }
        }
        if let Some(r) = d.tables.get_mut(&3).and_then(|t| t.rows.iter_mut().find(|r| r.key.code().is_some()))
        {
            r.cells.pop_first();
        }
        if let Some(t8) = d.tables.get_mut(&8) {
            t8.rows.retain(|r| r.key != RowKey::Label("人员经费合计".into()));
            t8.reindex();
        }
        d
    }

    fn run_all(
        dep: &Department,
        prior: PriorYear<'_>,
        t: &crate::config::Templates,
        detail: bool,
    ) -> Vec<Finding> {
        with_evaluator(dep, prior, &t.layouts, &t.messages, None, |ev| {
            ev.detail.set(detail);
            let mut out = Vec::new();
            for rule in &t.rules.rules {
                ev.run(rule, &mut out);
            }
            out
        })
    }

    /// The hot path (sums and counts only, words built again for a finding)
    /// reports exactly what evaluating everything with words and cells does,
    /// missing rows, cells and last year's rows included.
    #[test]
    fn the_hot_path_reports_what_the_detailed_one_does() {
        let t = crate::config::Templates::embedded();
        let (now, then) = (nudged("000", &t), nudged("002", &t));
        for prior in [PriorYear::NotAsked, PriorYear::Missing, PriorYear::Found(&then)] {
            let fast = run_all(&now, prior, &t, false);
            assert!(fast.len() > 20, "{}", fast.len());
            assert!(fast.iter().any(|f| f.severity == Severity::Info));
            assert!(fast.iter().any(|f| f.severity != Severity::Info));
            assert_eq!(fast, run_all(&now, prior, &t, true));
        }
    }
}
