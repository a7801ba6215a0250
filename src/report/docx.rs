//! Writing a drafted 决算说明 as a Word document through docx-rs, formatted
//! as a Chinese government document (GB/T 9704 style): A4, 仿宋_GB2312 三号
//! body with a two-character first-line indent and 28-point exact spacing,
//! 黑体 first-level and 楷体 second-level headings, 方正小标宋 title.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType,
};

use crate::document::{Para, Style};

/// 三号 = 16 pt; docx sizes are half-points.
const SIZE: usize = 32;
/// 28 pt exact line spacing, in twentieths of a point.
const LINE: i32 = 560;

fn fonts(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii(name).hi_ansi(name)
}

fn paragraph(p: &Para) -> Paragraph {
    let (font, size) = match p.style {
        Style::Title => ("方正小标宋简体", 44),
        Style::Heading1 => ("黑体", SIZE),
        Style::Heading2 => ("楷体_GB2312", SIZE),
        Style::Body => ("仿宋_GB2312", SIZE),
    };
    let run = Run::new().add_text(&p.text).fonts(fonts(font)).size(size);
    let para = Paragraph::new()
        .add_run(run)
        .line_spacing(LineSpacing::new().line(LINE).line_rule(LineSpacingType::Exact));
    match p.style {
        Style::Title => para.align(AlignmentType::Center),
        // Two characters of 16 pt: 640 twentieths of a point.
        _ => {
            para.align(AlignmentType::Both).indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        }
    }
}

/// The .docx bytes of a draft.
///
/// # Errors
/// When docx-rs fails to pack the document.
pub fn bytes(paras: &[Para]) -> Result<Vec<u8>, std::io::Error> {
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(2098).bottom(1984).left(1587).right(1474));
    for p in paras {
        doc = doc.add_paragraph(paragraph(p));
    }
    let mut cursor = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut cursor).map_err(std::io::Error::other)?;
    Ok(cursor.into_inner())
}
