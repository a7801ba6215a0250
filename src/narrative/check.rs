//! The `N` rules over a document's statements: a figure stated twice
//! differently (N1), parts vs. the stated whole (N2), a share vs. its amounts
//! (N3), a change and rate vs. the two years' figures (N4), 年初 + 收入 = 支出 +
//! 年末 (N5), a part larger than its whole (N6), a figure vs. the paired tables
//! (N7) and a change vs. last year's tables (N8). Severities come from
//! `templates/rules/narrative.toml`; a difference within the rounding of the
//! printed digits, or a truncated share or rate, is `info`.

use rust_decimal::{Decimal, RoundingStrategy};

use super::lexicon::{CellSpec, Lexicon};
use super::parse::{Stated, Statement};
use crate::finding::{Comparison, Finding, Severity};
use crate::i18n::Catalog;
use crate::location::CellRef;
use crate::model::{Department, RowKey, Unit};
use crate::rules::RuleSet;
use crate::rules::eval::fmt;

/// Every rule id this module emits: each must be declared in
/// `rules/narrative.toml` (or disabled by an overlay), checked at load.
pub const EMITTED: [&str; 8] = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"];

/// Decimal places printed, from half a unit of the last digit.
fn dp(s: &Stated) -> u32 {
    s.half.normalize().scale().saturating_sub(1)
}

fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// How a printed figure compares with a computed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Same,
    /// Within the rounding of the printed digits (or truncated).
    Rounding,
    Differs,
}

/// A printed figure vs. an exact one that may itself carry `tol` of rounding.
fn compare(stated: &Stated, exact: Decimal, tol: Decimal) -> Cmp {
    if round(exact, dp(stated)) == stated.value {
        Cmp::Same
    } else if (stated.value - exact).abs() <= stated.half + tol {
        Cmp::Rounding
    } else {
        Cmp::Differs
    }
}

/// A table cell's amount in 万元, with its cell; a code row the table does not
/// list is zero at the table's title.
pub fn lookup(dep: &Department, spec: &CellSpec) -> Option<(Decimal, CellRef)> {
    let t = dep.table(spec.table)?;
    let unit = t.unit.or(dep.unit).unwrap_or_default();
    let f = unit.factor_to(Unit::WanYuan);
    let row = if spec.row == "*" {
        t.rows.first()
    } else if crate::text::is_code(&spec.row) {
        match t.row_by_code(&spec.row) {
            Some(r) => Some(r),
            None => return Some((Decimal::ZERO, t.title_at.clone())),
        }
    } else {
        t.row(&RowKey::Label(spec.row.clone()), spec.side.as_deref())
    }?;
    let a = row.get(&spec.column)?;
    Some(((a.value * f).normalize(), a.at.clone()))
}

/// Half a unit of a table's last digit, in 万元 (tables print 2 decimals).
fn table_half(dep: &Department) -> Decimal {
    match dep.unit.unwrap_or_default() {
        Unit::WanYuan => Decimal::new(5, 3),
        Unit::Yuan => Decimal::ZERO,
    }
}

struct Checker<'a> {
    lex: &'a Lexicon,
    msg: &'a Catalog,
    rules: &'a RuleSet,
    st: &'a [Statement],
    out: Vec<Finding>,
}

impl Checker<'_> {
    fn name(&self, s: &Statement) -> String {
        self.named(s.subject, &s.scope)
    }

    fn named(&self, subject: usize, scope: &str) -> String {
        let sub = &self.lex.subjects[subject];
        let title = self.lex.scope_title(scope);
        if sub.scoped && !title.is_empty() && !sub.label.starts_with(title) {
            format!("{title}{}", sub.label)
        } else {
            sub.label.clone()
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        rule: &str,
        how: Cmp,
        at: &Statement,
        values: (Decimal, Decimal, Decimal),
        key: &str,
        args: &[(&str, &dyn std::fmt::Display)],
        cells: Vec<CellRef>,
    ) {
        // Declared at load unless an overlay disabled the rule: then it is off.
        let Some((declared, explainable)) = self.rules.get(rule).map(|r| (r.severity, r.explainable)) else {
            return;
        };
        let severity = if how == Cmp::Rounding { Severity::Info } else { declared };
        let mut message = self.msg.text(key, args);
        if how == Cmp::Rounding {
            message.push_str(&self.msg.text("narrative.rounding", &[]));
        }
        let quote = if matches!(rule, "N4" | "N8") { at.change_quote.as_ref() } else { None };
        let mut f = Finding::new(rule, severity, message)
            .explainable(explainable)
            .with_values(Comparison::new(values.0, values.1, values.2))
            .with_cells(cells);
        f.line = Some(at.line);
        f.quote = Some(quote.unwrap_or(&at.quote).clone());
        self.out.push(f);
    }

    /// The last statement of (subject, scope) before statement `i`, else the
    /// first one after it in the same paragraph.
    fn find(&self, subject: usize, scope: &str, i: usize) -> Option<&Statement> {
        let hit = |s: &&Statement| s.subject == subject && s.scope == scope;
        self.st[..i]
            .iter()
            .rev()
            .find(hit)
            .or_else(|| self.st[i..].iter().take_while(|s| s.line == self.st[i].line).find(hit))
    }

    /// N1: the same figure stated twice with different values.
    fn twice(&mut self) {
        for (i, s) in self.st.iter().enumerate() {
            // Against the previous statement of the figure: a value repeated
            // after one wrong statement is reported once, not at every repeat.
            let Some(first) =
                self.st[..i].iter().rev().find(|x| x.subject == s.subject && x.scope == s.scope)
            else {
                continue;
            };
            let (a, b) = (&first.amount, &s.amount);
            let same = round(a.value, dp(b)) == b.value || round(b.value, dp(a)) == a.value;
            if same {
                continue;
            }
            let how = if (a.value - b.value).abs() <= a.half + b.half { Cmp::Rounding } else { Cmp::Differs };
            let name = self.name(s);
            self.emit(
                "N1",
                how,
                s,
                (a.value, b.value, a.half + b.half),
                "narrative.twice",
                &[("subject", &name), ("first", &first.line), ("a", &a.text), ("b", &b.text)],
                vec![],
            );
        }
    }

    /// N2 / N6: parts of a family stated in one paragraph vs. their whole.
    fn parts(&mut self) {
        let lines: std::collections::BTreeSet<usize> = self.st.iter().map(|s| s.line).collect();
        for fam in self.lex.families.clone() {
            for &line in &lines {
                let mut scopes: Vec<&str> = Vec::new();
                for s in self.st.iter().filter(|s| s.line == line && fam.parts.contains(&s.subject)) {
                    if !scopes.contains(&s.scope.as_str()) {
                        scopes.push(&s.scope);
                    }
                }
                for scope in scopes.into_iter().map(String::from).collect::<Vec<_>>() {
                    self.family_in(&fam, line, &scope);
                }
            }
        }
    }

    fn family_in(&mut self, fam: &super::lexicon::Family, line: usize, scope: &str) {
        let mut parts: Vec<usize> = Vec::new();
        for (i, s) in self.st.iter().enumerate() {
            if s.line == line
                && s.scope == scope
                && fam.parts.contains(&s.subject)
                && !parts.iter().any(|&k| self.st[k].subject == s.subject)
            {
                parts.push(i);
            }
        }
        let Some(&first) = parts.first() else { return };
        let Some(whole) = self.find(fam.whole, scope, first).cloned() else { return };
        let at = self.st[first].clone();
        if parts.len() == 1 {
            let p = &self.st[first];
            let tol = p.amount.half + whole.amount.half;
            if p.amount.value > whole.amount.value + tol {
                let (pn, wn) = (self.name(p), self.name(&whole));
                let (pt, wt) = (p.amount.text.clone(), whole.amount.text.clone());
                self.emit(
                    "N6",
                    Cmp::Differs,
                    &at,
                    (whole.amount.value, self.st[first].amount.value, tol),
                    "narrative.part_exceeds",
                    &[("part", &pn), ("p", &pt), ("whole", &wn), ("w", &wt)],
                    vec![],
                );
            }
            return;
        }
        let sum: Decimal = parts.iter().map(|&k| self.st[k].amount.value).sum();
        let tol: Decimal = parts.iter().map(|&k| self.st[k].amount.half).sum::<Decimal>() + whole.amount.half;
        let diff = sum - whole.amount.value;
        if diff.is_zero() || (!fam.closed && diff < Decimal::ZERO) {
            return;
        }
        let how = if diff.abs() <= tol { Cmp::Rounding } else { Cmp::Differs };
        let names: Vec<String> =
            parts.iter().map(|&k| format!("{}{}", self.name(&self.st[k]), self.st[k].amount.text)).collect();
        let wn = self.name(&whole);
        self.emit(
            "N2",
            how,
            &at,
            (sum, whole.amount.value, tol),
            "narrative.parts",
            &[
                ("whole", &wn),
                ("w", &whole.amount.text),
                ("wline", &whole.line),
                ("sum", &fmt(sum)),
                ("parts", &names.join("、")),
            ],
            vec![],
        );
    }

    /// N3: a stated share vs. part ÷ base.
    fn shares(&mut self, paired: Option<&Department>) {
        for i in 0..self.st.len() {
            let s = self.st[i].clone();
            let Some(share) = &s.share else { continue };
            let (base_subject, base_scope) = match &share.base {
                Some((b, sc)) => (*b, sc.clone()),
                None => match self.lex.families_of(s.subject).next() {
                    Some(f) => (f.whole, s.scope.clone()),
                    None => continue,
                },
            };
            let base = match self.find(base_subject, &base_scope, i) {
                Some(b) => (b.amount.value, b.amount.half, b.amount.text.clone(), vec![]),
                None => {
                    let Some(dep) = paired else { continue };
                    let Some(spec) = self.lex.subjects[base_subject].cells.get(&base_scope) else { continue };
                    let Some((v, cell)) = lookup(dep, spec) else { continue };
                    (v, table_half(dep), format!("{}万元", fmt(v)), vec![cell])
                }
            };
            let (b, hb, btext, cells) = base;
            if b <= hb || b.is_zero() {
                continue;
            }
            let (a, ha) = (s.amount.value, s.amount.half);
            let exact = a / b * Decimal::ONE_HUNDRED;
            let stated = &share.stated;
            let d = dp(stated);
            let how = if round(exact, d) == stated.value {
                continue;
            } else if exact.trunc_with_scale(d) == stated.value {
                Cmp::Rounding
            } else {
                let lo = (a - ha).max(Decimal::ZERO) / (b + hb) * Decimal::ONE_HUNDRED;
                let hi = (a + ha) / (b - hb) * Decimal::ONE_HUNDRED;
                if stated.value >= lo - stated.half && stated.value <= hi + stated.half {
                    Cmp::Rounding
                } else {
                    Cmp::Differs
                }
            };
            let (pn, bn) = (self.name(&s), self.named(base_subject, &base_scope));
            let shown = round(exact, d.max(2));
            self.emit(
                "N3",
                how,
                &s,
                (shown, stated.value, stated.half),
                "narrative.share",
                &[
                    ("part", &pn),
                    ("base", &bn),
                    ("a", &s.amount.text),
                    ("b", &btext),
                    ("computed", &fmt(shown)),
                    ("stated", &stated.text),
                ],
                cells,
            );
        }
    }

    /// N4 / N8: a change and rate vs. this year's figure and last year's
    /// (from `prior`, else derived from the stated change).
    fn changes(&mut self, prior: Option<&Department>) {
        for i in 0..self.st.len() {
            let s = self.st[i].clone();
            if s.change.is_none() && s.rate.is_none() {
                continue;
            }
            let name = self.name(&s);
            let (a, ha) = (s.amount.value, s.amount.half);
            if let (Some(c), Some(r)) = (&s.change, &s.rate)
                && ((c.value > Decimal::ZERO && r.value < Decimal::ZERO)
                    || (c.value < Decimal::ZERO && r.value > Decimal::ZERO))
            {
                self.emit(
                    "N4",
                    Cmp::Differs,
                    &s,
                    (c.value, r.value, Decimal::ZERO),
                    "narrative.direction",
                    &[("subject", &name), ("change", &c.text), ("rate", &r.text)],
                    vec![],
                );
                continue;
            }
            let from_table = prior.and_then(|p| {
                let spec = self.lex.subjects[s.subject].cells.get(&s.scope)?;
                lookup(p, spec).map(|(v, cell)| (v, table_half(p), cell))
            });
            // Last year's figure and half its rounding, and the cells it came from.
            let (p, hp, cells) = match (&from_table, &s.change) {
                (Some((v, h, cell)), change) => {
                    if let Some(c) = change {
                        let expected = a - v;
                        let how = compare(c, expected, ha + h);
                        if how != Cmp::Same {
                            self.emit(
                                "N8",
                                how,
                                &s,
                                (expected, c.value, c.half + ha + h),
                                "narrative.prior_change",
                                &[
                                    ("subject", &name),
                                    ("a", &s.amount.text),
                                    ("prior", &fmt(*v)),
                                    ("expected", &fmt(expected)),
                                    ("stated", &c.text),
                                ],
                                vec![cell.clone()],
                            );
                        }
                    }
                    (*v, *h, vec![cell.clone()])
                }
                (None, Some(c)) => (a - c.value, ha + c.half, vec![]),
                (None, None) => continue,
            };
            let Some(r) = &s.rate else { continue };
            if p <= hp || p.is_zero() {
                continue;
            }
            let delta = a - p;
            let exact = delta / p * Decimal::ONE_HUNDRED;
            let d = dp(r);
            let how = if round(exact, d) == r.value {
                continue;
            } else if exact.trunc_with_scale(d) == r.value {
                Cmp::Rounding
            } else {
                let hd = ha + hp;
                let corners = [
                    (delta - hd) / (p + hp),
                    (delta - hd) / (p - hp),
                    (delta + hd) / (p + hp),
                    (delta + hd) / (p - hp),
                ];
                let lo = corners.iter().min().copied().unwrap_or(exact) * Decimal::ONE_HUNDRED;
                let hi = corners.iter().max().copied().unwrap_or(exact) * Decimal::ONE_HUNDRED;
                if r.value >= lo - r.half && r.value <= hi + r.half { Cmp::Rounding } else { Cmp::Differs }
            };
            let shown = round(exact, d.max(2));
            let on_this_year = !a.is_zero() && round(delta / a * Decimal::ONE_HUNDRED, d) == r.value;
            let key = if how == Cmp::Differs && on_this_year {
                "narrative.rate_wrong_base"
            } else {
                "narrative.rate"
            };
            self.emit(
                "N4",
                how,
                &s,
                (shown, r.value, r.half),
                key,
                &[
                    ("subject", &name),
                    ("a", &s.amount.text),
                    ("prior", &fmt(p)),
                    ("delta", &fmt(delta)),
                    ("computed", &fmt(shown)),
                    ("stated", &r.text),
                ],
                cells,
            );
        }
    }

    /// N5: 年初 + 收入 = 支出 + 年末 when one paragraph states all four.
    fn balances(&mut self) {
        let lines: std::collections::BTreeSet<usize> = self.st.iter().map(|s| s.line).collect();
        for bal in self.lex.balances.clone() {
            for &line in &lines {
                let mut scopes: Vec<String> = Vec::new();
                for s in self.st.iter().filter(|s| s.line == line) {
                    if !scopes.contains(&s.scope) {
                        scopes.push(s.scope.clone());
                    }
                }
                for scope in scopes {
                    let get = |sub: &usize| {
                        self.st.iter().find(|s| s.line == line && s.scope == scope && s.subject == *sub)
                    };
                    let left: Option<Vec<&Statement>> = bal.left.iter().map(get).collect();
                    let right: Option<Vec<&Statement>> = bal.right.iter().map(get).collect();
                    let (Some(left), Some(right)) = (left, right) else { continue };
                    let l: Decimal = left.iter().map(|s| s.amount.value).sum();
                    let r: Decimal = right.iter().map(|s| s.amount.value).sum();
                    let tol: Decimal = left.iter().chain(&right).map(|s| s.amount.half).sum();
                    if l == r {
                        continue;
                    }
                    let how = if (l - r).abs() <= tol { Cmp::Rounding } else { Cmp::Differs };
                    let words = |v: &[&Statement]| {
                        v.iter()
                            .map(|s| format!("{}{}", self.name(s), s.amount.text))
                            .collect::<Vec<_>>()
                            .join(" + ")
                    };
                    let (lw, rw) = (words(&left), words(&right));
                    let at = left[0].clone();
                    self.emit(
                        "N5",
                        how,
                        &at,
                        (l, r, tol),
                        "narrative.balance",
                        &[("left", &lw), ("right", &rw), ("l", &fmt(l)), ("r", &fmt(r))],
                        vec![],
                    );
                }
            }
        }
    }

    /// N7: every statement vs. its cell in the paired workbook.
    fn tables(&mut self, dep: &Department) {
        for i in 0..self.st.len() {
            let s = self.st[i].clone();
            let Some(spec) = self.lex.subjects[s.subject].cells.get(&s.scope) else { continue };
            let Some((v, cell)) = lookup(dep, spec) else { continue };
            let how = compare(&s.amount, v, table_half(dep));
            if how == Cmp::Same {
                continue;
            }
            let name = self.name(&s);
            let table_name = format!("T{}", spec.table);
            self.emit(
                "N7",
                how,
                &s,
                (v, s.amount.value, s.amount.half + table_half(dep)),
                "narrative.table",
                &[
                    ("subject", &name),
                    ("stated", &s.amount.text),
                    ("table", &fmt(v)),
                    ("t", &table_name),
                    ("cell", &cell.sheet_a1()),
                ],
                vec![cell],
            );
        }
    }
}

/// Runs every `N` rule over the statements; `paired` and `prior` are this
/// year's and last year's workbooks when known.
pub fn check(
    st: &[Statement],
    lex: &Lexicon,
    rules: &RuleSet,
    msg: &Catalog,
    paired: Option<&Department>,
    prior: Option<&Department>,
) -> Vec<Finding> {
    let mut c = Checker { lex, msg, rules, st, out: Vec::new() };
    c.twice();
    c.parts();
    c.shares(paired);
    c.changes(prior);
    c.balances();
    if let Some(dep) = paired {
        c.tables(dep);
    }
    let mut out = c.out;
    out.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.rule.cmp(&b.rule)));
    out
}

#[cfg(test)]
mod tests {
    use super::EMITTED;

    /// Every `"Nn"` literal in this module's code is in `EMITTED`, so the load
    /// check covers every id it can emit.
    #[test]
    fn emitted_ids_are_listed() {
        let text = include_str!("check.rs");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut seen = 0;
        for (i, _) in code.match_indices("\"N") {
            let id: String = code[i + 1..].chars().take_while(char::is_ascii_alphanumeric).collect();
            if id.len() == 2 && id[1..].chars().all(|c| c.is_ascii_digit()) {
                assert!(EMITTED.contains(&id.as_str()), "{id} is emitted but not in EMITTED");
                seen += 1;
            }
        }
        assert!(seen >= EMITTED.len(), "the scan found {seen} ids");
    }
}
