//! Text normalisation for matching titles, headers and row labels.
//!
//! Officers' workbooks differ in full/half-width forms, quote styles, spaces and
//! ordinal prefixes (`一、`, `（一）`); everything compared is normalised here,
//! in one place, and the original text is kept for display.
//!
//! It is also the one sanitiser for text that leaves the tool (issue 13):
//! console lines (`console`), sheet names (`sheet_name`), output file names
//! (`file_name`), hyperlink targets (`link_target`) and cell strings
//! (`cell_text`). Control characters, Excel's forbidden characters and its
//! length limits never reach an output; truncation is at a character boundary.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' | '〝' | '〞' | '″' | '`')
}

fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{2060}')
}

/// NFKC of `c` when it needs no table lookup, `None` for every other character.
///
/// Covers what officers' cells are made of: ASCII, CJK unified ideographs,
/// full-width ASCII (`（`, `：`, `１`, mapped to their ASCII forms as NFKC
/// does), the ideographic space and punctuation that NFKC leaves alone. None
/// of them combines with a neighbour, so a string of them is normalised
/// character by character (checked against `nfkc` in the tests).
fn quick_nfkc(c: char) -> Option<char> {
    match c {
        _ if c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) => Some(c),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
        '\u{3000}' => Some(' '),
        '、'
        | '。'
        | '〇'
        | '《'
        | '》'
        | '〈'
        | '〉'
        | '【'
        | '】'
        | '〔'
        | '〕'
        | '「'
        | '」'
        | '『'
        | '』'
        | '〝'
        | '〞'
        | '“'
        | '”'
        | '‘'
        | '’'
        | '—'
        | '–'
        | '·'
        | '×'
        | '÷'
        | '\u{200B}'..='\u{200D}'
        | '\u{2060}'
        | '\u{FEFF}' => Some(c),
        _ => None,
    }
}

/// `s` in NFKC, borrowed when it already is; the character-by-character path
/// of `quick_nfkc` for the common text, the full algorithm for the rest.
fn nfkc_form(s: &str) -> Cow<'_, str> {
    let mut same = true;
    for c in s.chars() {
        match quick_nfkc(c) {
            Some(d) => same &= d == c,
            None => return Cow::Owned(s.nfkc().collect()),
        }
    }
    if same { Cow::Borrowed(s) } else { Cow::Owned(s.chars().filter_map(quick_nfkc).collect()) }
}

fn kept_in_header(c: char) -> bool {
    !is_invisible(c) && !is_quote(c)
}

/// `norm_header` without allocating when `s` is already in that form (plain
/// Chinese text, the common case): the hot paths of the reader use this.
pub fn header_form(s: &str) -> Cow<'_, str> {
    let mut same = true;
    for c in s.chars() {
        match quick_nfkc(c) {
            Some(d) => same &= d == c && kept_in_header(d),
            None => return Cow::Owned(s.nfkc().filter(|&c| kept_in_header(c)).collect()),
        }
    }
    if same {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter_map(quick_nfkc).filter(|&c| kept_in_header(c)).collect())
    }
}

/// NFKC (full-width → ASCII) without spaces or zero-width characters: the
/// form number text is parsed in (`１，２３４.５　` → `1,234.5`).
pub fn compact(s: &str) -> String {
    nfkc_form(s).chars().filter(|c| !is_invisible(*c)).collect()
}

/// NFKC, no spaces, no quotes: the form titles and header cells are compared in.
pub fn norm_header(s: &str) -> String {
    header_form(s).into_owned()
}

const ORDINALS: &str = "一二三四五六七八九十";

/// `norm_header` plus: leading ordinals (`一、`, `(一)`, `1.`, `其中:`) and a
/// trailing colon removed. `一、一般公共预算财政拨款收入` → `一般公共预算财政拨款收入`.
pub fn norm_label(s: &str) -> String {
    label_form(s).into_owned()
}

/// `norm_label` without allocating when the label needs no change beyond
/// dropping a prefix or suffix of an already normal text.
pub fn label_form(s: &str) -> Cow<'_, str> {
    let h = header_form(s);
    let (start, end) = {
        let mut t: &str = &h;
        loop {
            let before = t.len();
            for p in ["其中:", "其中", "减:", "加:"] {
                if let Some(rest) = t.strip_prefix(p)
                    && !rest.is_empty()
                {
                    t = rest;
                }
            }
            t = strip_ordinal(t);
            // Only prefixes are dropped: an unchanged length is an unchanged text.
            if t.len() == before {
                break;
            }
        }
        let start = h.len() - t.len();
        (start, start + t.trim_end_matches([':', '：']).len())
    };
    match h {
        Cow::Borrowed(b) => Cow::Borrowed(&b[start..end]),
        Cow::Owned(mut o) => {
            o.truncate(end);
            o.drain(..start);
            Cow::Owned(o)
        }
    }
}

fn strip_ordinal(t: &str) -> &str {
    // (一) (1)
    if let Some(rest) = t.strip_prefix('(')
        && let Some(end) = rest.find(')')
    {
        let inner = &rest[..end];
        if !inner.is_empty() && inner.chars().all(|c| ORDINALS.contains(c) || c.is_ascii_digit()) {
            return &rest[end + 1..];
        }
    }
    // 一、 十二、 1、 1. 1)
    let n: usize =
        t.chars().take_while(|c| ORDINALS.contains(*c) || c.is_ascii_digit()).map(char::len_utf8).sum();
    if n > 0 {
        let rest = &t[n..];
        for sep in ['、', '.', ')', '．'] {
            if let Some(r) = rest.strip_prefix(sep)
                && !r.is_empty()
            {
                return r;
            }
        }
    }
    t
}

/// The digits of a classification code written in a cell: `2060101`, `[206]`,
/// `206 01 01` → `Some("2060101")`. Only 3/5/7-digit codes starting 2 or 3.
pub fn code_in(s: &str) -> Option<String> {
    let t = header_form(s);
    code_digits(&t).map(str::to_string)
}

/// `code_in(s).is_some()`, without allocating. A letter or an ideograph
/// survives normalisation and is no digit: such a text is rejected unread.
pub fn has_code(s: &str) -> bool {
    !s.chars().any(|c| c.is_ascii_alphabetic() || ('\u{4E00}'..='\u{9FFF}').contains(&c))
        && code_digits(&header_form(s)).is_some()
}

/// The code of a text already in header form.
fn code_digits(t: &str) -> Option<&str> {
    let t = t.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '【' | '】'));
    (!t.is_empty() && is_code(t)).then_some(t)
}

/// A leading code followed by a name: `2060101 行政运行`, `[206]科学技术支出`.
pub fn leading_code(s: &str) -> Option<(String, String)> {
    let t = nfkc_form(s);
    let t = t.trim().trim_start_matches(['[', '【', '(']);
    let digits = &t[..t.bytes().take_while(u8::is_ascii_digit).count()];
    if !is_code(digits) {
        return None;
    }
    let rest = t[digits.len()..].trim_start_matches([']', '】', ')', ' ', '\u{3000}', '.', '、']).trim();
    (!rest.is_empty()).then(|| (digits.to_string(), rest.to_string()))
}

/// 3/5/7 digits starting with 2 (function) or 3/5 digits starting with 3 (economic).
pub fn is_code(t: &str) -> bool {
    t.chars().all(|c| c.is_ascii_digit())
        && match t.as_bytes().first() {
            Some(b'2') => matches!(t.len(), 3 | 5 | 7),
            Some(b'3') => matches!(t.len(), 3 | 5),
            _ => false,
        }
}

/// C0/C1 controls, DEL, and the Unicode line/paragraph separators: the
/// characters that forge console lines, move the cursor or break XML.
fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `s` for a terminal line: each control character (newline, ESC, vertical
/// tab …) written as its escape (`\n`, `\u{1b}`), so no input can forge a line
/// or send an escape sequence.
pub fn console(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if is_control(c) { c.escape_default().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// Ends a text that was cut (read in either language).
pub const CUT_MARK: &str = "…[已截断 truncated]";

/// Excel's limit on the characters of one cell.
pub const CELL_MAX: usize = 32_767;
/// The first `max` characters of `s` (a character boundary), with `suffix`
/// counted in `max` and appended when `s` was cut.
fn cut(s: &str, max: usize, suffix: &str) -> String {
    let keep = max.saturating_sub(suffix.chars().count());
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(suffix);
    out
}

/// A short, stable tag of `s` (FNV-1a), to tell apart names cut to the same prefix.
fn tag(s: &str) -> String {
    let h =
        s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("~{:04x}", h & 0xffff)
}

/// A cell string within Excel's limit: a longer one is cut, and ends with
/// `CUT_MARK` so the reader sees it was.
pub fn cell_text(s: &str) -> Cow<'_, str> {
    if s.len() <= CELL_MAX || s.chars().count() <= CELL_MAX {
        return Cow::Borrowed(s);
    }
    Cow::Owned(cut(s, CELL_MAX, CUT_MARK))
}

/// One path component for an output file: control characters and the
/// characters Windows forbids become `_`, and the name with `ext` stays within
/// 255 bytes (cut at a character boundary, with a `~xxxx` tag of the whole name).
pub fn file_name(s: &str, ext: &str) -> String {
    let clean: String =
        s.chars().map(|c| if is_control(c) || "<>:\"/\\|?*".contains(c) { '_' } else { c }).collect();
    let budget = 255 - ext.len() - 6;
    if clean.len() <= budget {
        return format!("{clean}{ext}");
    }
    let mut end = budget;
    while !clean.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}{ext}", &clean[..end], tag(s))
}

/// A hyperlink target: control characters percent-encoded (`%1B`), so a
/// target is always well-formed XML and a valid URL in the workbook.
pub fn link_target(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_control(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Excel's limit on a sheet name, in characters.
pub const SHEET_NAME_MAX: usize = 31;

/// A sheet name `prefix name` that Excel accepts and that is not in `taken`
/// (compared case-insensitively, as Excel does): a leading project code
/// (`51340021R000000033799-`) and the characters `[]:*?/\'` dropped, cut at a
/// boundary (space, bracket, dash, 、) rather than inside a word when it is too
/// long, and numbered `~2`, `~3` … when the name is taken.
pub fn sheet_name(prefix: &str, name: &str, taken: &std::collections::BTreeSet<String>) -> String {
    let name = name
        .split_once('-')
        .filter(|(code, rest)| {
            code.len() >= 8 && code.chars().all(|c| c.is_ascii_alphanumeric()) && !rest.is_empty()
        })
        .map_or(name, |(_, rest)| rest);
    let clean: String = name.chars().filter(|c| !"[]:*?/\\'".contains(*c) && !is_control(*c)).collect();
    let clean = clean.trim();
    let head = if prefix.is_empty() { String::new() } else { format!("{prefix} ") };
    let fit = |room: usize| -> String {
        let chars: Vec<char> = clean.chars().collect();
        if chars.len() <= room {
            return clean.to_string();
        }
        // The last boundary that keeps a third of the room; else a plain cut.
        let boundary =
            (room / 3..=room).rev().find(|&i| chars.get(i).is_some_and(|c| " （(-_—、，,".contains(*c)));
        chars[..boundary.unwrap_or(room)].iter().collect::<String>().trim_end().to_string()
    };
    let free = |n: &str| !taken.iter().any(|t| t.to_lowercase() == n.to_lowercase());
    let room = SHEET_NAME_MAX.saturating_sub(head.chars().count());
    let first = format!("{head}{}", fit(room));
    if free(&first) {
        return first;
    }
    (2..)
        .map(|k| {
            let tail = format!("~{k}");
            format!("{head}{}{tail}", fit(room.saturating_sub(tail.len())))
        })
        .find(|n| free(n))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_ordinals_and_width() {
        assert_eq!(norm_label("一、一般公共预算财政拨款收入"), "一般公共预算财政拨款收入");
        assert_eq!(norm_label("（一）基本支出"), "基本支出");
        assert_eq!(norm_label("二十六、抗疫特别国债安排的支出"), "抗疫特别国债安排的支出");
        assert_eq!(norm_label("  其中：教育收费 "), "教育收费");
        assert_eq!(norm_label("使用非财政拨款结余（含专用结余）"), "使用非财政拨款结余(含专用结余)");
        assert_eq!(norm_label("总 计"), "总计");
        assert_eq!(norm_label("1. 合计"), "合计");
    }

    #[test]
    fn titles_ignore_quote_styles() {
        let a = norm_header("财政拨款“三公”经费支出决算表");
        assert_eq!(a, norm_header("财政拨款\"三公\"经费支出决算表"));
        assert_eq!(a, norm_header("财政拨款「三公」经费支出决算表"));
        assert_eq!(a, "财政拨款三公经费支出决算表");
    }

    /// The functions as they were before the quick path: the reference.
    fn plain_header(s: &str) -> String {
        s.nfkc().filter(|&c| !is_invisible(c) && !is_quote(c)).collect()
    }

    fn plain_label(s: &str) -> String {
        let mut t = plain_header(s);
        loop {
            let before = t.clone();
            for p in ["其中:", "其中", "减:", "加:"] {
                if let Some(rest) = t.strip_prefix(p)
                    && !rest.is_empty()
                {
                    t = rest.to_string();
                }
            }
            t = strip_ordinal(&t).to_string();
            if t == before {
                break;
            }
        }
        t.trim_end_matches([':', '：']).to_string()
    }

    #[test]
    fn quick_nfkc_is_nfkc() {
        let mut covered = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if let Some(d) = quick_nfkc(c) {
                covered += 1;
                assert_eq!(c.to_string().nfkc().collect::<String>(), d.to_string(), "U+{:04X}", u32::from(c));
                assert!(
                    unicode_normalization::char::canonical_combining_class(c) == 0,
                    "U+{:04X}",
                    u32::from(c)
                );
            }
        }
        assert!(covered > 20_000, "{covered}");
    }

    const SAMPLES: [&str; 22] = [
        "一、一般公共预算财政拨款收入",
        "（一）基本支出",
        "  其中：教育收费 ",
        "使用非财政拨款结余（含专用结余）",
        "总 计",
        "1. 合计",
        "财政拨款“三公”经费支出决算表",
        "财政拨款\"三公\"经费支出决算表",
        "项目（按功能分类）",
        "2060101",
        "［206］",
        "２０６０１０１ 行政运行",
        "科目编码\u{3000}类",
        "收入\u{200B}合计",
        "结余…",
        "℃″Ⅻ ﬁ",
        "e\u{301}",
        "其中:",
        "减:其中:二、(三)支出:",
        "",
        "公开01表",
        "【207】文化旅游体育与传媒支出",
    ];

    #[test]
    fn borrowed_forms_match_the_plain_functions() {
        for s in SAMPLES {
            assert_eq!(header_form(s), plain_header(s), "{s}");
            assert_eq!(norm_header(s), plain_header(s), "{s}");
            assert_eq!(label_form(s), plain_label(s), "{s}");
            assert_eq!(norm_label(s), plain_label(s), "{s}");
            assert_eq!(nfkc_form(s), s.nfkc().collect::<String>(), "{s}");
            assert_eq!(has_code(s), code_in(s).is_some(), "{s}");
        }
        // Text already normal is not copied.
        assert!(matches!(header_form("一般公共预算财政拨款收入"), Cow::Borrowed(_)));
        assert!(matches!(
            label_form("一、一般公共预算财政拨款收入"),
            Cow::Borrowed("一般公共预算财政拨款收入")
        ));
        assert!(matches!(nfkc_form("2060101 行政运行"), Cow::Borrowed(_)));
    }

    #[test]
    fn codes() {
        assert_eq!(code_in("2060101"), Some("2060101".into()));
        assert_eq!(code_in("[206]"), Some("206".into()));
        assert_eq!(code_in("30217"), Some("30217".into()));
        assert_eq!(code_in("3021"), None);
        assert_eq!(code_in("501"), None);
        assert_eq!(code_in("行政运行"), None);
        assert_eq!(leading_code("2060101 行政运行"), Some(("2060101".into(), "行政运行".into())));
        assert_eq!(leading_code("[206]科学技术支出"), Some(("206".into(), "科学技术支出".into())));
        assert_eq!(leading_code("2024年度"), None);
    }

    #[test]
    fn console_escapes_controls() {
        assert_eq!(console("甲县"), "甲县");
        assert_eq!(console("a\nerror: forged\u{1b}[31m\u{b}"), "a\\nerror: forged\\u{1b}[31m\\u{b}");
    }

    #[test]
    fn file_names_and_links() {
        assert_eq!(file_name("甲\u{1b}[2J县", ".xlsx"), "甲_[2J县.xlsx");
        let f = file_name(&"县".repeat(200), ".xlsx");
        assert!(f.len() <= 255 && f.ends_with(".xlsx") && f.contains('~'), "{f}");
        assert_eq!(link_target("file:///a\u{1b}b#S!A1"), "file:///a%1Bb#S!A1");
        assert_eq!(cell_text("ab"), "ab");
        let t = cell_text(&"字".repeat(40_000)).into_owned();
        assert_eq!(t.chars().count(), CELL_MAX);
        assert!(t.ends_with(CUT_MARK));
    }

    #[test]
    fn sheet_names_are_cut_at_a_boundary_and_unique() {
        let mut taken = std::collections::BTreeSet::new();
        let n = sheet_name("03", "51340021R000000033799-州本级离退休费支出", &taken);
        assert_eq!(n, "03 州本级离退休费支出");
        let long = "凉山州级科普专项经费（第38届凉山州青少年科技创新大赛）补助";
        let n = sheet_name("14", long, &taken);
        assert_eq!(n, "14 凉山州级科普专项经费");
        assert!(n.chars().count() <= SHEET_NAME_MAX);
        taken.insert("汇总".to_string());
        assert_eq!(sheet_name("", "汇总", &taken), "汇总~2");
        taken.insert("a:b".to_string());
        assert_eq!(sheet_name("", "A[B]", &taken), "AB");
        let n = sheet_name("01", &"很长的项目名称".repeat(10), &taken);
        assert_eq!(n.chars().count(), SHEET_NAME_MAX);
    }
}
