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

/// NFKC, no spaces, no quotes: the form titles and header cells are compared in.
pub fn norm_header(s: &str) -> String {
    // ASCII and CJK unified ideographs are NFKC-stable: skip the (costly)
    // normalisation for the common case of plain Chinese text.
    if s.chars().all(|c| c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
        return s.chars().filter(|&c| !is_invisible(c) && !is_quote(c)).collect();
    }
    s.nfkc().filter(|&c| !is_invisible(c) && !is_quote(c)).collect()
}

const ORDINALS: &str = "一二三四五六七八九十";

/// `norm_header` plus: leading ordinals (`一、`, `(一)`, `1.`, `其中:`) and a
/// trailing colon removed. `一、一般公共预算财政拨款收入` → `一般公共预算财政拨款收入`.
pub fn norm_label(s: &str) -> String {
    let mut t = norm_header(s);
    loop {
        let before = t.clone();
        for p in ["其中:", "其中", "减:", "加:"] {
            if let Some(rest) = t.strip_prefix(p)
                && !rest.is_empty()
            {
                t = rest.to_string();
            }
        }
        t = strip_ordinal(&t);
        if t == before {
            break;
        }
    }
    t.trim_end_matches([':', '：']).to_string()
}

fn strip_ordinal(t: &str) -> String {
    // (一) (1)
    if let Some(rest) = t.strip_prefix('(')
        && let Some(end) = rest.find(')')
    {
        let inner = &rest[..end];
        if !inner.is_empty() && inner.chars().all(|c| ORDINALS.contains(c) || c.is_ascii_digit()) {
            return rest[end + 1..].to_string();
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
                return r.to_string();
            }
        }
    }
    t.to_string()
}

/// The digits of a classification code written in a cell: `2060101`, `[206]`,
/// `206 01 01` → `Some("2060101")`. Only 3/5/7-digit codes starting 2 or 3.
pub fn code_in(s: &str) -> Option<String> {
    let t = norm_header(s);
    let t = t.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '【' | '】'));
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    is_code(t).then(|| t.to_string())
}

/// A leading code followed by a name: `2060101 行政运行`, `[206]科学技术支出`.
pub fn leading_code(s: &str) -> Option<(String, String)> {
    let t = s.nfkc().collect::<String>();
    let t = t.trim().trim_start_matches(['[', '【', '(']);
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    if !is_code(&digits) {
        return None;
    }
    let rest = t[digits.len()..].trim_start_matches([']', '】', ')', ' ', '\u{3000}', '.', '、']).trim();
    (!rest.is_empty()).then(|| (digits, rest.to_string()))
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
