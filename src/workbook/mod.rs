//! Opening workbooks: the only module that touches calamine.
//!
//! A file is recognised by its content (magic bytes), never by its extension,
//! and read whole into `Sheet`s whose cells carry *absolute* coordinates, so no
//! other module ever sees a reader's range offset. Failures are `ReadError`s in
//! plain words; the batch layer reports them and moves on.

pub mod guard;
pub mod normalize;

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use calamine::{Data, DataRef, Reader};

use crate::location::CellRef;
use crate::text::CUT_MARK as TRUNCATED;
pub use normalize::Value;
use normalize::decimal_from_f64;

/// Files larger than this are refused before parsing: no department workbook
/// comes near it, and it bounds memory on hostile input.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Non-empty cells read from one workbook before it is refused as too large
/// (a 13-table workbook has a few thousand; a whole county's, tens of thousands).
pub const MAX_CELLS: usize = 1_000_000;
pub use guard::MAX_UNZIPPED;
/// Rows or columns beyond these are outside any real 决算 table.
pub const MAX_ROW: u32 = 1_048_575;

/// The container format, detected from the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
        }
    }
}

/// Why a file could not be read as a workbook. Each variant is one plain
/// sentence for the officer (rendered through the message catalogue).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot open file: {0}")]
    Io(String),
    #[error("file is empty (0 bytes)")]
    Empty,
    #[error("file is too large ({0} bytes)")]
    TooLarge(u64),
    #[error("not a workbook: {0}")]
    NotWorkbook(&'static str),
    #[error("workbook is password-protected (encrypted)")]
    Encrypted,
    #[error("workbook is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("workbook has too many cells (more than {0})")]
    TooManyCells(usize),
    #[error("workbook would unpack to {0} bytes (a zip bomb?)")]
    ZipBomb(u64),
    /// Cells spread over an area no real table covers (the reader would hold it densely).
    #[error("cells spread over an absurd area: {0}")]
    TooSpread(String),
    #[error("more than {0} cell formats")]
    TooManyStyles(u64),
}

impl ReadError {
    /// Stable message key in the catalogue (`templates/messages.toml`).
    pub fn key(&self) -> &'static str {
        match self {
            ReadError::Io(_) => "read.io",
            ReadError::Empty => "read.empty",
            ReadError::TooLarge(_) => "read.too_large",
            ReadError::NotWorkbook(_) => "read.not_workbook",
            ReadError::Encrypted => "read.encrypted",
            ReadError::Corrupt(_) => "read.corrupt",
            ReadError::TooManyCells(_) => "read.too_many_cells",
            ReadError::ZipBomb(_) => "read.zip_bomb",
            ReadError::TooSpread(_) => "read.too_spread",
            ReadError::TooManyStyles(_) => "read.too_many_styles",
        }
    }

    /// The variable part of the message (detail), if any.
    pub fn detail(&self) -> String {
        match self {
            ReadError::Io(s) | ReadError::Corrupt(s) => s.clone(),
            ReadError::NotWorkbook(s) => (*s).to_string(),
            ReadError::TooLarge(n) => n.to_string(),
            ReadError::TooManyCells(n) => n.to_string(),
            ReadError::ZipBomb(n) | ReadError::TooManyStyles(n) => n.to_string(),
            ReadError::TooSpread(s) => s.clone(),
            ReadError::Empty | ReadError::Encrypted => String::new(),
        }
    }
}

/// A merged range, absolute and inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

/// One worksheet: sparse rows of non-empty cells in absolute coordinates.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub file: Arc<str>,
    pub name: Arc<str>,
    /// Sorted by row; cells in each row sorted by column; no empty values.
    rows: Vec<(u32, Vec<(u32, Value)>)>,
    pub merges: Vec<Merge>,
    /// Text cells cut to `TEXT_MAX` characters: `(row, col, characters before)`.
    pub truncated: Vec<(u32, u32, usize)>,
}

/// Longest text kept from one cell. No label, name or note comes near it, and
/// a message quoting three such texts still fits in one Excel cell (32,767),
/// so an over-long input string is cut here, once, instead of aborting a write.
pub const TEXT_MAX: usize = 8_000;

impl Sheet {
    /// Builds a sheet from absolute `(row, col, value)` cells in any order.
    pub fn from_cells(
        file: Arc<str>,
        name: Arc<str>,
        mut cells: Vec<(u32, u32, Value)>,
        merges: Vec<Merge>,
    ) -> Self {
        cells.retain(|(_, _, v)| !v.is_empty());
        cells.sort_by_key(|&(r, c, _)| (r, c));
        let mut truncated = Vec::new();
        for (r, c, v) in &mut cells {
            if let Value::Text(t) = v
                && t.len() > TEXT_MAX
                && t.chars().count() > TEXT_MAX
            {
                truncated.push((*r, *c, t.chars().count()));
                *t = t.chars().take(TEXT_MAX - TRUNCATED.chars().count()).chain(TRUNCATED.chars()).collect();
            }
        }
        let mut rows: Vec<(u32, Vec<(u32, Value)>)> = Vec::new();
        for (r, c, v) in cells {
            match rows.last_mut() {
                Some((lr, row)) if *lr == r => {
                    if row.last().is_some_and(|(lc, _)| *lc == c) {
                        row.pop();
                    }
                    row.push((c, v));
                }
                _ => rows.push((r, vec![(c, v)])),
            }
        }
        Sheet { file, name, rows, merges, truncated }
    }

    /// The value at an absolute position (`Value::Empty` when blank).
    pub fn get(&self, row: u32, col: u32) -> &Value {
        static EMPTY: Value = Value::Empty;
        self.row(row)
            .and_then(|cells| cells.binary_search_by_key(&col, |(c, _)| *c).ok().map(|i| &cells[i].1))
            .unwrap_or(&EMPTY)
    }

    /// The non-empty cells of one row, sorted by column.
    pub fn row(&self, row: u32) -> Option<&[(u32, Value)]> {
        self.rows.binary_search_by_key(&row, |(r, _)| *r).ok().map(|i| self.rows[i].1.as_slice())
    }

    /// Every non-empty row in order: `(row, cells)`.
    pub fn rows(&self) -> impl Iterator<Item = (u32, &[(u32, Value)])> {
        self.rows.iter().map(|(r, c)| (*r, c.as_slice()))
    }

    /// Last non-empty row, if any.
    pub fn last_row(&self) -> Option<u32> {
        self.rows.last().map(|(r, _)| *r)
    }

    /// Last non-empty column over all rows, if any.
    pub fn last_col(&self) -> Option<u32> {
        self.rows.iter().filter_map(|(_, c)| c.last().map(|(c, _)| *c)).max()
    }

    pub fn cell_ref(&self, row: u32, col: u32) -> CellRef {
        CellRef::new(self.file.clone(), self.name.clone(), row, col)
    }

    /// The merge whose top-left is not this cell but which covers it.
    pub fn merge_covering(&self, row: u32, col: u32) -> Option<&Merge> {
        self.merges
            .iter()
            .find(|m| m.first_row <= row && row <= m.last_row && m.first_col <= col && col <= m.last_col)
    }

    pub fn cell_count(&self) -> usize {
        self.rows.iter().map(|(_, c)| c.len()).sum()
    }
}

/// A whole workbook as read.
#[derive(Clone, Debug)]
pub struct Workbook {
    pub path: Arc<str>,
    pub format: Format,
    pub sheets: Vec<Sheet>,
}

/// Detects the format from the first bytes and a peek at the zip directory.
pub fn detect(bytes: &[u8]) -> Result<Format, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let head = &bytes[..bytes.len().min(200)];
        if contains(head, b"mimetype") && contains(bytes, b"opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        if contains(bytes, b"xl/workbook.bin") {
            return Ok(Format::Xlsb);
        }
        if contains(bytes, b"xl/workbook.xml") || contains(bytes, b"[Content_Types].xml") {
            return Ok(Format::Xlsx);
        }
        return Err(ReadError::NotWorkbook("zip archive without a workbook inside"));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        if contains(bytes, &utf16("EncryptedPackage")) || contains(bytes, &utf16("EncryptionInfo")) {
            return Err(ReadError::Encrypted);
        }
        return Ok(Format::Xls);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if head.contains("<html") || head.contains("<table") || head.contains("<?xml") {
        return Err(ReadError::NotWorkbook("HTML or XML text saved with a spreadsheet name"));
    }
    Err(ReadError::NotWorkbook("unknown content (expected xlsx, xlsm, xls, xlsb or ods)"))
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Opens and reads a workbook file, with the merged ranges of every sheet.
/// Never modifies it.
pub fn open(path: &Path) -> Result<Workbook, ReadError> {
    open_with(path, &|_| true)
}

/// Which sheets' merged ranges a caller needs, asked once a sheet's cells are
/// read. In xlsx they cost a second unzip and parse of the sheet: calamine
/// returns them only from a pass of their own (see
/// docs/upstream-calamine-merged-cells.md), so a caller that knows which
/// sheets it reads headers from asks for those only. Other sheets come with
/// no merges.
pub type WantMerges<'a> = &'a (dyn Fn(&Sheet) -> bool + std::panic::RefUnwindSafe);

/// `open`, reading merged ranges only for the sheets `want_merges` accepts.
pub fn open_with(path: &Path, want_merges: WantMerges<'_>) -> Result<Workbook, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if meta.is_dir() {
        // A directory among the inputs is one that could not be listed.
        let e = std::fs::read_dir(path).err().map_or_else(|| "directory".to_string(), |e| e.to_string());
        return Err(ReadError::Io(e));
    }
    if !meta.is_file() {
        return Err(ReadError::NotWorkbook("not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?;
    read_bytes_with(Arc::from(path.to_string_lossy().as_ref()), bytes, want_merges)
}

/// Reads a workbook from bytes; `name` is what cell references will show as the file.
pub fn read_bytes(name: Arc<str>, bytes: Vec<u8>) -> Result<Workbook, ReadError> {
    read_bytes_with(name, bytes, &|_| true)
}

/// `read_bytes`, reading merged ranges only for the sheets `want_merges` accepts.
pub fn read_bytes_with(
    name: Arc<str>,
    bytes: Vec<u8>,
    want_merges: WantMerges<'_>,
) -> Result<Workbook, ReadError> {
    let format = detect(&bytes)?;
    if format != Format::Xls {
        guard::check_zip(&bytes, format == Format::Ods)?;
    }
    // calamine can panic on some malformed inputs; a panic must never end a
    // batch, nor print the raw `thread … panicked at` text.
    let result = quiet_catch(move || read_format(&name, format, bytes, want_merges));
    match result {
        Ok(r) => r,
        Err(_) => Err(ReadError::Corrupt("the reader failed on malformed content".into())),
    }
}

thread_local! {
    /// Set while a dependency runs under `quiet_catch` on this thread.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `catch_unwind` whose panic prints nothing: a process-wide hook (installed
/// once, wrapping the previous one) stays silent on threads inside this call,
/// so a panic in our own code elsewhere still prints as usual.
fn quiet_catch<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(f);
    QUIET.with(|q| q.set(was));
    result
}

fn read_format(
    name: &Arc<str>,
    format: Format,
    bytes: Vec<u8>,
    want_merges: WantMerges<'_>,
) -> Result<Workbook, ReadError> {
    let cursor = Cursor::new(bytes);
    let mut budget = MAX_CELLS;
    let sheets = match format {
        Format::Xlsx => read_xlsx(name, cursor, &mut budget, want_merges)?,
        Format::Xls => {
            check_compound_file(cursor.get_ref())?;
            let mut wb = calamine::Xls::new(cursor).map_err(|e| corrupt_xls(&e))?;
            let mut out = Vec::new();
            for sheet in wb.sheet_names() {
                let range = wb.worksheet_range(&sheet).map_err(|e| corrupt_xls(&e))?;
                let merges = wb.merge_cells_by_sheet_name(&sheet).unwrap_or_default();
                out.push(sheet_from_range(name, &sheet, &range, merges_of(&merges), &mut budget)?);
            }
            out
        }
        Format::Xlsb => {
            let mut wb = calamine::Xlsb::new(cursor).map_err(|e| ReadError::Corrupt(e.to_string()))?;
            // Streamed like xlsx: `worksheet_range` would allocate the dense
            // rectangle between the extreme cells (A1 and XFD1048576 are two
            // cells but 17 billion slots).
            let mut out = Vec::new();
            for sheet in wb.sheet_names() {
                let corrupt = |e: calamine::XlsbError| ReadError::Corrupt(e.to_string());
                let mut cells = Vec::new();
                let mut reader = wb.worksheet_cells_reader(&sheet).map_err(corrupt)?;
                while let Some(cell) = reader.next_cell().map_err(corrupt)? {
                    let value = value_of_ref(cell.get_value());
                    if value.is_empty() {
                        continue;
                    }
                    take_budget(&mut budget)?;
                    let (r, c) = cell.get_position();
                    cells.push((r, c, value));
                }
                out.push(Sheet::from_cells(name.clone(), Arc::from(sheet.as_str()), cells, Vec::new()));
            }
            out
        }
        Format::Ods => {
            let mut wb = calamine::Ods::new(cursor).map_err(|e| match e {
                calamine::OdsError::Password => ReadError::Encrypted,
                e => ReadError::Corrupt(e.to_string()),
            })?;
            let mut out = Vec::new();
            for sheet in wb.sheet_names() {
                let range = wb.worksheet_range(&sheet).map_err(|e| ReadError::Corrupt(e.to_string()))?;
                out.push(sheet_from_range(name, &sheet, &range, Vec::new(), &mut budget)?);
            }
            out
        }
    };
    Ok(Workbook { path: name.clone(), format, sheets })
}

/// Walks an xls container with the `cfb` crate first: a damaged sector chain
/// (a cycle, a chain longer than the file) made calamine's own reader allocate
/// without bound (found by fuzzing, fuzz/regressions/xls-cyclic-chain.xls).
fn check_compound_file(bytes: &[u8]) -> Result<(), ReadError> {
    use std::io::Read;
    let bad = |e: std::io::Error| ReadError::Corrupt(e.to_string());
    let mut comp = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(bad)?;
    let streams: Vec<std::path::PathBuf> =
        comp.walk().filter(|e| e.is_stream()).map(|e| e.path().to_path_buf()).collect();
    let limit = bytes.len() as u64;
    for path in streams {
        let mut s = comp.open_stream(&path).map_err(bad)?;
        if s.len() > limit {
            return Err(ReadError::Corrupt(format!("stream {} is longer than the file", path.display())));
        }
        let mut sink = Vec::new();
        s.by_ref().take(limit).read_to_end(&mut sink).map_err(bad)?;
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        if name == "workbook" || name == "book" {
            check_biff_dimensions(&sink)?;
        }
    }
    Ok(())
}

/// Cells a sheet's DIMENSIONS record may announce: calamine reserves room for
/// all of them up front, so a forged record asked for hundreds of gigabytes
/// (found by fuzzing). Real sheets are far below this.
const MAX_DIMENSION_CELLS: u64 = 4_000_000;

/// Scans BIFF records for DIMENSIONS (0x0200) announcing an absurd size.
fn check_biff_dimensions(stream: &[u8]) -> Result<(), ReadError> {
    let mut i = 0usize;
    let mut bbox: Option<(u64, u64, u64, u64)> = None;
    while i + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[i], stream[i + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[i + 2], stream[i + 3]]));
        let data = stream.get(i + 4..i + 4 + len).unwrap_or(&[]);
        if kind == 0x002F {
            // FILEPASS: the rest of the workbook stream is encrypted.
            return Err(ReadError::Encrypted);
        }
        if kind == 0x0200 {
            let u32_at = |o: usize| {
                data.get(o..o + 4).map_or(0, |b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            };
            let u16_at =
                |o: usize| data.get(o..o + 2).map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]])));
            let (r0, r1, c0, c1) = if len >= 14 {
                (u32_at(0), u32_at(4), u16_at(8), u16_at(10))
            } else {
                (u16_at(0), u16_at(2), u16_at(4), u16_at(6))
            };
            let cells = (r1.saturating_sub(r0) + 1).saturating_mul(c1.saturating_sub(c0) + 1);
            if r1 < r0 || c1 < c0 || cells > MAX_DIMENSION_CELLS {
                return Err(ReadError::Corrupt(format!(
                    "sheet dimensions rows {r0}–{r1}, columns {c0}–{c1}"
                )));
            }
        }
        // calamine builds each sheet as the dense rectangle spanning its cells:
        // a cell at A1 and one at IV65536 are two records but 16 million slots.
        if let Some((row, first, last)) = biff_cell_span(kind, data) {
            let b = bbox.get_or_insert((row, row, first, last));
            *b = (b.0.min(row), b.1.max(row), b.2.min(first), b.3.max(last));
            let cells = (b.1 - b.0 + 1).saturating_mul(b.3 - b.2 + 1);
            if cells > MAX_DIMENSION_CELLS {
                return Err(ReadError::TooSpread(format!(
                    "R{}C{}:R{}C{}",
                    b.0 + 1,
                    b.2 + 1,
                    b.1 + 1,
                    b.3 + 1
                )));
            }
        } else if kind == 0x0809 {
            bbox = None; // BOF: a new sheet
        }
        i += 4 + len;
    }
    Ok(())
}

/// Row and first/last column of a BIFF cell record, if `kind` is one.
fn biff_cell_span(kind: u16, data: &[u8]) -> Option<(u64, u64, u64)> {
    let u16_at = |o: usize| data.get(o..o + 2).map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])));
    match kind {
        // FORMULA, LABELSST, BLANK, NUMBER, LABEL, BOOLERR, RK, RSTRING
        0x0006 | 0x00FD | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00D6 => {
            let (r, c) = (u16_at(0)?, u16_at(2)?);
            Some((r, c, c))
        }
        // MULRK, MULBLANK: the last column closes the record.
        0x00BD | 0x00BE => {
            let (r, c) = (u16_at(0)?, u16_at(2)?);
            let last = u16_at(data.len().checked_sub(2)?)?;
            Some((r, c, last.max(c)))
        }
        _ => None,
    }
}

fn corrupt_xls(e: &calamine::XlsError) -> ReadError {
    match e {
        calamine::XlsError::Password => ReadError::Encrypted,
        e => ReadError::Corrupt(e.to_string()),
    }
}

fn merges_of(dims: &[calamine::Dimensions]) -> Vec<Merge> {
    dims.iter()
        .map(|d| Merge { first_row: d.start.0, first_col: d.start.1, last_row: d.end.0, last_col: d.end.1 })
        .collect()
}

/// xlsx is read in one streaming pass that sees each cell's cached value and
/// whether it holds a formula, so an uncomputed formula is caught, not read as
/// 0; merged ranges take a second pass, made only for the sheets that want them.
fn read_xlsx(
    name: &Arc<str>,
    cursor: Cursor<Vec<u8>>,
    budget: &mut usize,
    want_merges: WantMerges<'_>,
) -> Result<Vec<Sheet>, ReadError> {
    let mut wb = calamine::Xlsx::new(cursor).map_err(|e| match e {
        calamine::XlsxError::Password => ReadError::Encrypted,
        e => ReadError::Corrupt(e.to_string()),
    })?;
    let mut out = Vec::new();
    for sheet in wb.sheet_names() {
        let mut cells = Vec::new();
        {
            let mut reader =
                wb.worksheet_cells_reader(&sheet).map_err(|e| ReadError::Corrupt(e.to_string()))?;
            while let Some(rec) =
                reader.next_cell_with_formula_metadata().map_err(|e| ReadError::Corrupt(e.to_string()))?
            {
                let (r, c) = rec.pos;
                let value = match (&rec.value, &rec.formula) {
                    (DataRef::Empty, Some(_)) => Value::Error(UNCOMPUTED_FORMULA.into()),
                    (v, _) => value_of_ref(v),
                };
                if value.is_empty() {
                    continue;
                }
                take_budget(budget)?;
                cells.push((r, c, value));
            }
        }
        let mut read = Sheet::from_cells(name.clone(), Arc::from(sheet.as_str()), cells, Vec::new());
        if want_merges(&read) {
            read.merges = wb.merge_cells_by_sheet_name(&sheet).map(|m| merges_of(&m)).unwrap_or_default();
        }
        out.push(read);
    }
    Ok(out)
}

/// Marker text of a formula cell that has no cached result.
pub const UNCOMPUTED_FORMULA: &str = "#FORMULA-NOT-CALCULATED";

fn take_budget(budget: &mut usize) -> Result<(), ReadError> {
    if *budget == 0 {
        return Err(ReadError::TooManyCells(MAX_CELLS));
    }
    *budget -= 1;
    Ok(())
}

fn sheet_from_range(
    name: &Arc<str>,
    sheet: &str,
    range: &calamine::Range<Data>,
    merges: Vec<Merge>,
    budget: &mut usize,
) -> Result<Sheet, ReadError> {
    let mut cells = Vec::new();
    // `used_cells` yields positions relative to `range.start()`; add it back here,
    // the one place where reader offsets are turned into absolute coordinates.
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, v) in range.used_cells() {
        let value = value_of(v);
        if value.is_empty() {
            continue;
        }
        take_budget(budget)?;
        let r = r0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
        let c = c0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
        cells.push((r, c, value));
    }
    Ok(Sheet::from_cells(name.clone(), Arc::from(sheet), cells, merges))
}

/// True for the text a date cell is read as (`2024-03-01`, maybe with a time).
pub fn is_date_text(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..10].iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A date cell as text (`2024-03-01`, `2024-03-01 08:30:00`): a date is never
/// an amount, so the reader reports it instead of taking its serial number.
fn date_text(dt: &calamine::ExcelDateTime) -> Value {
    if dt.is_duration() {
        return number(dt.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    Value::Text(if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    })
}

fn number(f: f64) -> Value {
    decimal_from_f64(f).map_or_else(|| Value::Error("#NUM!".into()), Value::Number)
}

fn value_of(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Number((*i).into()),
        Data::Float(f) => number(*f),
        Data::String(s) => Value::Text(s.clone()),
        Data::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) => date_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(format!("{e}")),
    }
}

fn value_of_ref(d: &DataRef<'_>) -> Value {
    match d {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Number((*i).into()),
        DataRef::Float(f) => number(*f),
        DataRef::String(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text((*s).to_string()),
        DataRef::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        DataRef::DateTime(dt) => date_text(dt),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::Error(e) => Value::Error(format!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caught_panics_are_silent_and_outside_ones_still_caught() {
        let r = quiet_catch(|| -> u8 { panic!("inside a dependency") });
        assert!(r.is_err());
        assert!(!QUIET.with(std::cell::Cell::get));
    }

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b""), Err(ReadError::Empty));
        assert!(matches!(detect(b"hello, I am text"), Err(ReadError::NotWorkbook(_))));
        assert!(matches!(detect(b"<html><table>"), Err(ReadError::NotWorkbook(_))));
        let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        assert_eq!(detect(&cfb), Ok(Format::Xls));
        cfb.extend(utf16("EncryptedPackage"));
        assert_eq!(detect(&cfb), Err(ReadError::Encrypted));
        assert!(matches!(detect(b"PK\x03\x04junk"), Err(ReadError::NotWorkbook(_))));
    }

    #[test]
    fn sheet_keeps_absolute_positions() {
        let s = Sheet::from_cells(
            "f.xlsx".into(),
            "S".into(),
            vec![(5, 3, Value::Text("x".into())), (2, 1, Value::Number(1.into())), (2, 0, Value::Empty)],
            vec![],
        );
        assert_eq!(s.get(5, 3), &Value::Text("x".into()));
        assert_eq!(s.get(2, 1), &Value::Number(1.into()));
        assert_eq!(s.get(2, 0), &Value::Empty);
        assert_eq!(s.last_row(), Some(5));
        assert_eq!(s.last_col(), Some(3));
        assert_eq!(s.cell_ref(5, 3).a1(), "D6");
    }

    #[test]
    fn truncated_zip_is_corrupt_not_a_panic() {
        let r = read_bytes("t.xlsx".into(), b"PK\x03\x04\x14\x00[Content_Types].xml".to_vec());
        assert!(matches!(r, Err(ReadError::Corrupt(_))), "{r:?}");
    }
}
