//! The rule expression language: a comparison of two sums of references.
//!
//! ```text
//! check := sum ("=" | ">=" | "<=") sum
//! sum   := term (("+" | "-") term)*
//! term  := "0" | NUMBER UNIT | ref | "sum(" ref ")"      (UNIT: 万元 or 元)
//! ref   := "prior."? "T" N ("." SIDE)? "[" sel "]" ("." COLUMN)?
//! sel   := "*" | "children" | "类" | "款" | "项" | ROW ("," ROW)*
//! ```
//! `*` is the row the rule iterates over (`each`), `children` its direct sub-codes,
//! `类`/`款`/`项` every code row of that level, `ROW` a code (`30217`) or a fixed
//! row id (`本年收入合计`). `COLUMN` is a column id or `@`, the column the rule
//! iterates over (`columns = "*"`). A reference to several rows is their sum.
//! `prior.` names last year's table (`prior.T1.支出[年末结转和结余].决算数`),
//! read from the workbook `--prior` matched with the department.

use crate::model::{RowKey, Unit};

/// A row named in a reference: a classification code, else a fixed row id.
fn row_key(name: String) -> RowKey {
    if crate::text::is_code(&name) { RowKey::Code(name) } else { RowKey::Label(name) }
}

/// Which rows a reference means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sel {
    /// The row being iterated.
    Current,
    /// Direct sub-codes of the row being iterated.
    Children,
    /// Every code row of this many digits (3, 5, 7).
    Level(usize),
    /// Named rows: codes or fixed-row ids, told apart once, when parsed.
    Rows(Vec<RowKey>),
}

/// A reference to amounts: table, side, rows, column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    /// Last year's table (`prior.T1…`) rather than this year's.
    pub prior: bool,
    pub table: u8,
    pub side: Option<String>,
    pub sel: Sel,
    /// `None` means `@` (the iterated column).
    pub column: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// A bare number: only `0` is accepted, as zero needs no unit.
    Number(rust_decimal::Decimal),
    /// An amount with its unit (`100万元`, `1000000元`), converted to the unit
    /// of the tables when evaluated, so a literal means the same in every file.
    Amount(rust_decimal::Decimal, Unit),
    Ref(Ref),
}

/// A signed list of terms.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Sum {
    pub terms: Vec<(bool, Term)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ge,
    Le,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ge => "≥",
            Op::Le => "≤",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub left: Sum,
    pub op: Op,
    pub right: Sum,
}

impl Check {
    pub fn refs(&self) -> impl Iterator<Item = &Ref> {
        self.left.terms.iter().chain(&self.right.terms).filter_map(|(_, t)| match t {
            Term::Ref(r) => Some(r),
            Term::Number(_) | Term::Amount(..) => None,
        })
    }
}

/// A parse error with the character offset where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    _src: &'a str,
}

const PUNCT: &[char] = &['[', ']', '(', ')', ',', '+', '-', '=', '>', '<', '.'];

impl Parser<'_> {
    fn err<T>(&self, m: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { at: self.pos, message: m.into() })
    }

    fn ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, s: &str) -> bool {
        self.ws();
        let n = s.chars().count();
        if self.chars.get(self.pos..self.pos + n).is_some_and(|w| w.iter().copied().eq(s.chars())) {
            self.pos += n;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), ParseError> {
        if self.eat(s) { Ok(()) } else { self.err(format!("expected `{s}`")) }
    }

    /// A name: anything up to punctuation (dots are allowed inside names only
    /// when not followed by a letter run that makes a new segment — columns
    /// never contain ASCII dots, so a dot always ends a name).
    fn name(&mut self) -> Result<String, ParseError> {
        self.ws();
        let start = self.pos;
        while let Some(&c) = self.chars.get(self.pos) {
            if PUNCT.contains(&c) || c.is_whitespace() {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return self.err("expected a name");
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    fn check(&mut self) -> Result<Check, ParseError> {
        let left = self.sum()?;
        let op = if self.eat(">=") || self.eat("≥") {
            Op::Ge
        } else if self.eat("<=") || self.eat("≤") {
            Op::Le
        } else if self.eat("=") {
            Op::Eq
        } else {
            return self.err("expected `=`, `>=` or `<=`");
        };
        let right = self.sum()?;
        self.ws();
        if self.pos < self.chars.len() {
            return self.err("unexpected text after the comparison");
        }
        Ok(Check { left, op, right })
    }

    fn sum(&mut self) -> Result<Sum, ParseError> {
        let mut s = Sum::default();
        let mut positive = !self.eat("-");
        loop {
            s.terms.push((positive, self.term()?));
            if self.eat("+") {
                positive = true;
            } else if self.eat("-") {
                positive = false;
            } else {
                return Ok(s);
            }
        }
    }

    fn term(&mut self) -> Result<Term, ParseError> {
        self.ws();
        if self.eat("sum(") {
            let r = self.prior_or_current()?;
            self.expect(")")?;
            return Ok(Term::Ref(r));
        }
        match self.chars.get(self.pos) {
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                while self.chars.get(self.pos).is_some_and(|c| c.is_ascii_digit() || *c == '.') {
                    self.pos += 1;
                }
                let t: String = self.chars[start..self.pos].iter().collect();
                let Ok(n) = t.parse::<rust_decimal::Decimal>() else {
                    return self.err(format!("bad number `{t}`"));
                };
                // `万元` before `元`: the longer unit wins.
                if self.eat("万元") {
                    Ok(Term::Amount(n, Unit::WanYuan))
                } else if self.eat("元") {
                    Ok(Term::Amount(n, Unit::Yuan))
                } else if n.is_zero() {
                    Ok(Term::Number(n))
                } else {
                    // A bare number would mean 万元 in one file and 元 in another.
                    self.pos = start;
                    self.err(format!(
                        "`{t}` needs its unit: write `{t}万元` or `{t}元` (only 0 may stand alone)"
                    ))
                }
            }
            Some('T' | 'p') => self.prior_or_current().map(Term::Ref),
            _ => self.err("expected a number, `sum(` or a table reference such as `T2[合计].本年收入合计`"),
        }
    }

    fn prior_or_current(&mut self) -> Result<Ref, ParseError> {
        let prior = self.eat("prior.");
        Ok(Ref { prior, ..self.reference()? })
    }

    fn reference(&mut self) -> Result<Ref, ParseError> {
        self.expect("T")?;
        let start = self.pos;
        while self.chars.get(self.pos).is_some_and(char::is_ascii_digit) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        let table: u8 = match digits.parse() {
            Ok(n) if (1..=13).contains(&n) => n,
            _ => return self.err(format!("`T{digits}` is not a table (T1–T13)")),
        };
        let side = if self.eat(".") { Some(self.name()?) } else { None };
        self.expect("[")?;
        let sel = if self.eat("*") {
            Sel::Current
        } else {
            let mut rows = vec![self.name()?];
            while self.eat(",") {
                rows.push(self.name()?);
            }
            match rows.as_slice() {
                [one] if one == "children" => Sel::Children,
                [one] if one == "类" => Sel::Level(3),
                [one] if one == "款" => Sel::Level(5),
                [one] if one == "项" => Sel::Level(7),
                _ => Sel::Rows(rows.into_iter().map(row_key).collect()),
            }
        };
        self.expect("]")?;
        let column = if self.eat(".") { if self.eat("@") { None } else { Some(self.name()?) } } else { None };
        Ok(Ref { prior: false, table, side, sel, column })
    }
}

/// Parses a check expression.
///
/// # Errors
/// The character offset and what was expected there.
pub fn parse(src: &str) -> Result<Check, ParseError> {
    Parser { chars: src.chars().collect(), pos: 0, _src: src }.check()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sums_sides_selectors_and_columns() {
        let c = parse(
            "T1.收入[本年收入合计].决算数 = T1.收入[一般公共预算财政拨款收入, 上级补助收入].决算数 + 0",
        )
        .unwrap();
        assert_eq!(c.op, Op::Eq);
        let Term::Ref(r) = &c.left.terms[0].1 else { panic!() };
        assert_eq!((r.table, r.side.as_deref(), r.column.as_deref()), (1, Some("收入"), Some("决算数")));
        let Term::Ref(r) = &c.right.terms[0].1 else { panic!() };
        assert_eq!(
            r.sel,
            Sel::Rows(vec![
                RowKey::Label("一般公共预算财政拨款收入".into()),
                RowKey::Label("上级补助收入".into())
            ])
        );
        let c = parse("T8[30217, 人员经费合计].决算数 = 0").unwrap();
        let Term::Ref(r) = &c.left.terms[0].1 else { panic!() };
        assert_eq!(
            r.sel,
            Sel::Rows(vec![RowKey::Code("30217".into()), RowKey::Label("人员经费合计".into())])
        );
        let c = parse("T2[*].@ = sum(T2[children].@)").unwrap();
        let Term::Ref(r) = &c.right.terms[0].1 else { panic!() };
        assert_eq!((r.sel.clone(), r.column.clone()), (Sel::Children, None));
        let c = parse("T13[三公经费].决算数/公务接待费 >= T8[30217].决算数 - T9[30217].决算数").unwrap();
        assert_eq!(c.op, Op::Ge);
        assert!(!c.right.terms[1].0);
        let c = parse("T6[类].合计 <= 5万元 + 30元").unwrap();
        assert_eq!(c.right.terms[0].1, Term::Amount(5.into(), Unit::WanYuan));
        assert_eq!(c.right.terms[1].1, Term::Amount(30.into(), Unit::Yuan));
        assert!(matches!(parse("T6[类].合计 >= 0.00").unwrap().right.terms[0].1, Term::Number(_)));
        let c = parse("T1.收入[年初结转和结余].决算数 = prior.T1.支出[年末结转和结余].决算数").unwrap();
        let (Term::Ref(l), Term::Ref(r)) = (&c.left.terms[0].1, &c.right.terms[0].1) else { panic!() };
        assert!(!l.prior && r.prior && r.table == 1 && r.side.as_deref() == Some("支出"));
        let c = parse("sum(prior.T3[类].本年支出合计) = 0").unwrap();
        assert!(c.refs().all(|r| r.prior));
        assert!(parse("prior.X1[合计].a = 0").is_err());
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(parse("T14[合计].x = 0").unwrap_err().message, "`T14` is not a table (T1–T13)");
        let e = parse("T2[合计].本年收入合计 == 3").unwrap_err();
        assert_eq!(e.at, 15, "the second `=`");
        assert!(parse("T2[合计.本年收入合计 = 3").is_err());
        assert!(parse("T2[合计].本年收入合计").is_err());
        let e = parse("T6[类].合计 <= 100").unwrap_err();
        assert_eq!(e.at, 12, "at the bare number");
        assert!(e.message.contains("100万元"), "{}", e.message);
    }
}
