//! From paragraphs to statements: every clause that states a figure of a
//! known subject becomes a `Statement` (subject, scope, amount, share, change,
//! rate, line, quote). The words come from the lexicon; this module only
//! knows the order they come in: subject, amount, then share / change / rate.

use rust_decimal::Decimal;

use super::lexicon::Lexicon;

/// A printed number: its value (amounts in 万元, rates and shares in %), half a
/// unit of its last printed digit in the same unit, and the text as printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stated {
    pub value: Decimal,
    pub half: Decimal,
    pub text: String,
}

/// A stated share `占 x%`, with the base when the text names it (`占本年支出合计的100%`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub stated: Stated,
    /// (subject, scope) of an explicit base.
    pub base: Option<(usize, String)>,
}

/// One stated figure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// 1-based paragraph (line of a `.txt`).
    pub line: usize,
    /// The sentence stating it (at most 120 characters).
    pub quote: String,
    /// Index into `Lexicon::subjects`.
    pub subject: usize,
    /// Scope id (`all`, `fiscal`, `general` …).
    pub scope: String,
    pub amount: Stated,
    pub share: Option<Share>,
    /// Signed change against last year (增加 +, 减少 −), in 万元.
    pub change: Option<Stated>,
    /// Signed rate against last year (增长 +, 下降 −), in %.
    pub rate: Option<Stated>,
    /// The sentence stating the change or rate, when it is not `quote`'s.
    pub change_quote: Option<String>,
}

/// Normalises a paragraph: full-width digits and signs to ASCII, thousands
/// separators and `[bookmark: …]` markers of text extractions removed.
pub fn normalise(p: &str) -> String {
    let mut s = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(i) = rest.find("[bookmark:") {
        s.push_str(&rest[..i]);
        match rest[i..].find(']') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    s.push_str(rest);
    let chars: Vec<char> = s
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '％' => '%',
            '\u{3000}' | '\t' => ' ',
            _ => c,
        })
        .collect();
    let mut out = String::with_capacity(chars.len());
    for (i, c) in chars.iter().enumerate() {
        let digit = |k: Option<&char>| k.is_some_and(char::is_ascii_digit);
        if (*c == ',' || *c == '，')
            && digit(i.checked_sub(1).and_then(|k| chars.get(k)))
            && chars.get(i + 1..i + 4).is_some_and(|w| w.iter().all(char::is_ascii_digit))
            && !digit(chars.get(i + 4))
        {
            continue;
        }
        out.push(*c);
    }
    out.trim().to_string()
}

#[derive(Clone, Debug)]
enum Tok {
    Subject {
        subject: usize,
    },
    /// `持平`: no change against last year.
    Flat,
    Amount(Stated),
    Percent(Stated),
}

#[derive(Clone, Debug)]
struct Token {
    start: usize,
    end: usize,
    tok: Tok,
}

const SENTENCE_END: &[char] = &['。', '！', '？', '!', '?'];
const CLAUSE_END: &[char] = &['，', '；', '：', '、', ',', ';', ':', '。', '！', '？', '!', '?'];

fn half_of(scale: u32, factor: Decimal) -> Decimal {
    Decimal::new(5, scale + 1) * factor
}

/// Reads a number at `i` and its unit; `None` when it is not an amount or percent.
fn number_at(c: &[char], i: usize) -> Option<(usize, Tok)> {
    let mut j = i;
    while j < c.len() && c[j].is_ascii_digit() {
        j += 1;
    }
    if j < c.len() && c[j] == '.' && c.get(j + 1).is_some_and(char::is_ascii_digit) {
        j += 1;
        while j < c.len() && c[j].is_ascii_digit() {
            j += 1;
        }
    }
    // More than 15 integer digits is no amount in a 决算说明 (and could
    // overflow the arithmetic of the checks).
    if c[i..j].iter().take_while(|d| d.is_ascii_digit()).count() > 15 {
        return None;
    }
    let num: String = c[i..j].iter().collect();
    let value: Decimal = num.parse().ok()?;
    let scale = value.scale();
    let mut k = j;
    while k < c.len() && c[k] == ' ' {
        k += 1;
    }
    let at = |w: &str| w.chars().enumerate().all(|(n, x)| c.get(k + n) == Some(&x));
    let (len, factor, pct) = if at("万元") {
        (2, Decimal::ONE, false)
    } else if at("亿元") {
        (2, Decimal::from(10_000), false)
    } else if at("元") {
        (1, Decimal::new(1, 4), false)
    } else if at("%") {
        (1, Decimal::ONE, true)
    } else {
        return None;
    };
    let end = k + len;
    let stated = Stated {
        value: (value * factor).normalize(),
        half: half_of(scale, factor),
        text: c[i..end].iter().collect(),
    };
    Some((end, if pct { Tok::Percent(stated) } else { Tok::Amount(stated) }))
}

fn tokens(c: &[char], lex: &Lexicon) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let prev_digit = i > 0 && (c[i - 1].is_ascii_digit() || c[i - 1] == '.');
        if c[i].is_ascii_digit() && !prev_digit {
            if let Some((end, tok)) = number_at(c, i) {
                out.push(Token { start: i, end, tok });
                i = end;
                continue;
            }
            while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                i += 1;
            }
            continue;
        }
        if let Some(w) = lex.markers.flat.iter().find(|w| c[i..].starts_with(&w.chars().collect::<Vec<_>>()))
        {
            let end = i + w.chars().count();
            out.push(Token { start: i, end, tok: Tok::Flat });
            i = end;
            continue;
        }
        if let Some((name, subject, bare)) = lex.names.iter().find(|(n, _, _)| c[i..].starts_with(n)) {
            let end = i + name.len();
            if !*bare || bare_ok(c, i, lex, &out) {
                out.push(Token { start: i, end, tok: Tok::Subject { subject: *subject } });
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

fn text(c: &[char], a: usize, b: usize) -> String {
    c[a.min(b)..b].iter().collect()
}

fn clause_start(c: &[char], at: usize) -> usize {
    (0..at).rev().find(|&k| CLAUSE_END.contains(&c[k])).map_or(0, |k| k + 1)
}

fn sentence_start(c: &[char], at: usize) -> usize {
    (0..at).rev().find(|&k| SENTENCE_END.contains(&c[k])).map_or(0, |k| k + 1)
}

fn sentence_end(c: &[char], at: usize) -> usize {
    (at..c.len()).find(|&k| SENTENCE_END.contains(&c[k])).map_or(c.len(), |k| k + 1)
}

/// A bare `支出` counts only right after a scope word or `部门`/`本年`…, and not
/// as the tail of another subject (`“三公”经费财政拨款支出`).
fn bare_ok(c: &[char], i: usize, lex: &Lexicon, before: &[Token]) -> bool {
    let prefix = text(c, clause_start(c, i), i);
    let m = &lex.markers;
    let words = lex.scopes.iter().flat_map(|s| s.words.iter()).chain(m.bare_after.iter());
    let after_word = words.clone().any(|w| prefix.ends_with(w.as_str()))
        || prefix.ends_with("财政拨款")
        || prefix.ends_with("预算");
    let tail_of_subject = before.last().is_some_and(|t| {
        matches!(t.tok, Tok::Subject { .. }) && t.end >= clause_start(c, i) && i - t.end <= m.max_gap
    });
    after_word && !tail_of_subject
}

fn contains_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| s.contains(w.as_str()))
}

/// +1 / −1 by the last increase or decrease word in `s`, or `None`.
fn direction(s: &str, lex: &Lexicon) -> Option<i32> {
    let last = |ws: &[String]| ws.iter().filter_map(|w| s.rfind(w.as_str())).max();
    match (last(&lex.markers.increase), last(&lex.markers.decrease)) {
        (Some(a), Some(b)) => Some(if a > b { 1 } else { -1 }),
        (Some(_), None) => Some(1),
        (None, Some(_)) => Some(-1),
        (None, None) => None,
    }
}

fn signed(s: &Stated, sign: i32) -> Stated {
    Stated { value: if sign < 0 { -s.value } else { s.value }, ..s.clone() }
}

fn quote(c: &[char], at: usize) -> String {
    let (a, b) = (sentence_start(c, at), sentence_end(c, at));
    let a = if b - a > 120 { clause_start(c, at) } else { a };
    c[a..b.min(a + 120)].iter().collect::<String>().trim().to_string()
}

/// Every statement of a document, in order.
pub fn statements(paragraphs: &[String], lex: &Lexicon) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    let mut heading_scope = "all".to_string();
    for (n, raw) in paragraphs.iter().enumerate() {
        let p = normalise(raw);
        let c: Vec<char> = p.chars().collect();
        let toks = tokens(&c, lex);
        let has_number = toks.iter().any(|t| matches!(t.tok, Tok::Amount(_) | Tok::Percent(_)));
        if !has_number {
            if !c.is_empty() && c.len() <= 60 {
                heading_scope = lex.scope_in(&p).unwrap_or("all").to_string();
            }
            continue;
        }
        if contains_any(&p, &lex.markers.skip_paragraph) {
            continue;
        }
        read_paragraph(&c, &toks, n + 1, &heading_scope, lex, &mut out);
    }
    out
}

fn read_paragraph(
    c: &[char],
    toks: &[Token],
    line: usize,
    heading_scope: &str,
    lex: &Lexicon,
    out: &mut Vec<Statement>,
) {
    let m = &lex.markers;
    let first_here = out.len();
    let mut pending: Vec<&Token> = Vec::new();
    let mut last_end = 0usize;
    // A share or rate belongs to the last figure: its words are read from there
    // (`755.32万元，占本年支出合计的100%` names its base between the two).
    let mut last_number_end = 0usize;
    let mut sentence = usize::MAX;
    let mut skip = false;
    for t in toks {
        let s = sentence_start(c, t.start);
        if s != sentence {
            sentence = s;
            pending.clear();
            last_end = s;
            last_number_end = s;
            skip = contains_any(&text(c, s, sentence_end(c, t.start)), &m.skip_sentence);
        }
        if skip {
            continue;
        }
        let gap = text(c, last_end, t.start);
        let last_here = (out.len() > first_here).then(|| out.len() - 1);
        match &t.tok {
            Tok::Subject { .. } => pending.push(t),
            Tok::Flat => {
                // `与上年持平` states a change of zero; `决算数与预算数持平` is
                // about the budget and says nothing about last year.
                let clause = text(c, clause_start(c, t.start), t.end);
                if !contains_any(&clause, &m.flat_not)
                    && let Some(k) = last_here
                    && out[k].change.is_none()
                    && out[k].rate.is_none()
                {
                    let zero = Stated { value: Decimal::ZERO, half: Decimal::ZERO, text: clause.clone() };
                    out[k].change = Some(zero.clone());
                    out[k].rate = Some(zero);
                    attach_quote(&mut out[k], c, t.start);
                }
            }
            Tok::Amount(a) => {
                if let Some(sign) = direction(&gap, lex) {
                    if let Some(k) = last_here
                        && out[k].change.is_none()
                    {
                        out[k].change = Some(signed(a, sign));
                        attach_quote(&mut out[k], c, t.start);
                    }
                } else if let Some(last) = pending.last() {
                    let between = text(c, last.end, t.start);
                    let ok = between.chars().count() <= m.max_gap && !contains_any(&between, &m.gap_stop);
                    if ok {
                        let all = contains_any(&between, &m.all_of);
                        let chosen: Vec<&Token> = if all { pending.clone() } else { vec![*last] };
                        for st in chosen {
                            let Tok::Subject { subject } = st.tok else { continue };
                            let scope = scope_of(c, st, subject, heading_scope, lex);
                            out.push(Statement {
                                line,
                                quote: quote(c, st.start),
                                subject,
                                scope,
                                amount: a.clone(),
                                share: None,
                                change: None,
                                rate: None,
                                change_quote: None,
                            });
                        }
                    }
                }
                pending.clear();
            }
            Tok::Percent(pct) => {
                let gap = text(c, last_number_end, t.start);
                if let Some(sign) = direction(&gap, lex) {
                    if let Some(k) = last_here
                        && out[k].rate.is_none()
                    {
                        out[k].rate = Some(signed(pct, sign));
                        attach_quote(&mut out[k], c, t.start);
                    }
                } else if let Some(pos) = m.share.iter().filter_map(|w| gap.find(w.as_str())).min() {
                    let marker_at = last_number_end + gap[..pos].chars().count();
                    let base = pending.iter().find(|x| x.start >= marker_at).and_then(|x| match x.tok {
                        Tok::Subject { subject } => {
                            let clause = text(c, clause_start(c, x.start), x.end);
                            Some((subject, lex.scope_in(&clause).unwrap_or("all").to_string()))
                        }
                        _ => None,
                    });
                    if let Some(k) = last_here
                        && out[k].share.is_none()
                    {
                        out[k].share = Some(Share { stated: pct.clone(), base });
                    }
                }
                pending.clear();
            }
        }
        last_end = t.end;
        if matches!(t.tok, Tok::Amount(_) | Tok::Percent(_)) {
            last_number_end = t.end;
        }
    }
}

fn attach_quote(s: &mut Statement, c: &[char], at: usize) {
    let q = quote(c, at);
    if q != s.quote && s.change_quote.is_none() {
        s.change_quote = Some(q);
    }
}

fn scope_of(c: &[char], t: &Token, subject: usize, heading_scope: &str, lex: &Lexicon) -> String {
    if !lex.subjects[subject].scoped {
        return "all".into();
    }
    let clause = text(c, clause_start(c, t.start), t.end);
    if let Some(s) = lex.scope_in(&clause) {
        return s.into();
    }
    // The lead-in of the sentence (up to its first amount) names the money
    // its list is about (`一般公共预算财政拨款支出755.32万元，主要用于：…`); a
    // sentence that is itself a list (`其中：…`) has no lead-in.
    let start = sentence_start(c, t.start);
    let first_amount =
        (start..t.start).find(|&k| c[k].is_ascii_digit() && number_at(c, k).is_some()).unwrap_or(t.start);
    let lead = text(c, start, first_amount);
    let is_list = lex.markers.list_start.iter().any(|w| lead.trim_start().starts_with(w.as_str()));
    if is_list {
        return heading_scope.to_string();
    }
    lex.scope_in(&lead).unwrap_or(heading_scope).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Templates;

    fn lex() -> Lexicon {
        let t = Templates::embedded();
        Lexicon::load(&t.store, &t.layouts).unwrap()
    }

    fn read(lines: &[&str]) -> Vec<Statement> {
        let ps: Vec<String> = lines.iter().map(|s| (*s).to_string()).collect();
        statements(&ps, &lex())
    }

    #[test]
    fn normalises_full_width_digits_separators_and_bookmarks() {
        assert_eq!(normalise("[bookmark: _Toc1]合计１，２３４．５万元，占１２％"), "合计1234.5万元，占12%");
    }

    #[test]
    fn reads_subject_amount_share_change_and_rate() {
        let l = lex();
        let s = read(&[
            "2024年度本年支出合计755.32万元，其中：基本支出619.48万元，占82.01%；项目支出135.83万元，占17.98%。",
            "2024年度“三公”经费财政拨款支出决算为6.06万元，完成预算100%，较上年减少0.21万元，下降3.35%。",
        ]);
        let ids: Vec<&str> = s.iter().map(|x| l.subjects[x.subject].id.as_str()).collect();
        assert_eq!(ids, ["支出合计", "基本支出", "项目支出", "三公经费"]);
        assert_eq!(s[1].share.as_ref().unwrap().stated.value, "82.01".parse().unwrap());
        assert_eq!(s[3].change.as_ref().unwrap().value, "-0.21".parse().unwrap());
        assert_eq!(s[3].rate.as_ref().unwrap().value, "-3.35".parse().unwrap());
        assert_eq!(s[3].line, 2);
    }

    #[test]
    fn scopes_come_from_the_clause_the_sentence_or_the_heading() {
        let s = read(&[
            "五、一般公共预算财政拨款支出决算情况说明",
            "2024年度基本支出619.49万元。",
            "2024年度财政拨款支出755.32万元，主要用于：科学技术支出527.93万元。",
        ]);
        let scopes: Vec<&str> = s.iter().map(|x| x.scope.as_str()).collect();
        assert_eq!(scopes, ["general", "fiscal", "fiscal"]);
    }

    #[test]
    fn budget_sentences_and_item_lists_are_not_read() {
        let s = read(&[
            "年初预算收入540.67万元，其中基本支出490.67万元。",
            "1.科学技术（类）科学技术普及（款）机构运行（项）:支出决算为基本支出296.11万元。",
            "其中：公务用车购置支出0万元，因公出国（境）费、公务接待费均为0元。",
        ]);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s.iter().all(|x| x.amount.value.is_zero() && x.line == 3));
    }
}
