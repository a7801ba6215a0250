//! Spooling per-input results to disk, so a batch of many thousands of
//! workbooks keeps only running sums and an index in memory.
//!
//! Each input's rendered results (`consolidate`: 分户表 row, 审核结果 rows and
//! JSON report; `check`: console lines, JSON element and findings rows) are
//! appended as one JSON line to an anonymous temporary file (deleted by the OS
//! when the run ends, even on a crash). The caller remembers only byte ranges —
//! coalesced, so a directory's inputs, contiguous in sorted-path order, cost
//! one range — and the writers read them back in order at the end.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// An append-only file of JSON lines.
pub struct Spool {
    out: BufWriter<File>,
    len: u64,
}

impl Spool {
    /// A new spool in the system's temporary directory.
    ///
    /// # Errors
    /// When no temporary file can be created.
    pub fn new() -> io::Result<Self> {
        Ok(Self { out: BufWriter::new(tempfile::tempfile()?), len: 0 })
    }

    /// Appends `value` as one line; returns its byte range.
    ///
    /// # Errors
    /// When the value cannot be serialised or the disk is full.
    pub fn push<T: Serialize>(&mut self, value: &T) -> io::Result<Range<u64>> {
        self.push_line(serde_json::to_vec(value).map_err(io::Error::other)?)
    }

    /// Appends one line serialised by the caller (outside any lock it holds
    /// around the spool); returns its byte range.
    ///
    /// # Errors
    /// When the disk is full.
    pub fn push_line(&mut self, mut line: Vec<u8>) -> io::Result<Range<u64>> {
        line.push(b'\n');
        self.out.write_all(&line)?;
        let start = self.len;
        self.len += line.len() as u64;
        Ok(start..self.len)
    }

    /// The lines in `ranges`, in order, as raw JSON text (without the newline).
    ///
    /// # Errors
    /// When the spool cannot be flushed or reopened.
    pub fn lines(&mut self, ranges: &Ranges) -> io::Result<Lines> {
        self.out.flush()?;
        let file = self.out.get_ref().try_clone()?;
        Ok(Lines { file, ranges: ranges.0.clone(), next: 0, current: None })
    }

    /// The values in `ranges`, in order.
    ///
    /// # Errors
    /// As [`Spool::lines`]; each item fails if its line does not parse.
    pub fn read<T: DeserializeOwned>(
        &mut self,
        ranges: &Ranges,
    ) -> io::Result<impl Iterator<Item = io::Result<T>> + use<T>> {
        Ok(self.lines(ranges)?.map(|l| l.and_then(|s| serde_json::from_str(&s).map_err(io::Error::other))))
    }
}

/// Byte ranges of a spool, adjacent ranges merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ranges(Vec<Range<u64>>);

impl Ranges {
    pub fn push(&mut self, r: Range<u64>) {
        match self.0.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => self.0.push(r),
        }
    }

    /// Number of separate ranges (one for a directory read in sorted order).
    pub fn pieces(&self) -> usize {
        self.0.len()
    }
}

/// Iterator over the lines of some ranges of a spool.
pub struct Lines {
    file: File,
    ranges: Vec<Range<u64>>,
    next: usize,
    current: Option<io::Lines<BufReader<io::Take<File>>>>,
}

impl Iterator for Lines {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(lines) = &mut self.current {
                match lines.next() {
                    Some(l) => return Some(l),
                    None => self.current = None,
                }
            }
            let r = self.ranges.get(self.next)?.clone();
            self.next += 1;
            // The handles share one offset; only one range is read at a time.
            let open = self.file.try_clone().and_then(|mut f| {
                f.seek(SeekFrom::Start(r.start))?;
                Ok(BufReader::new(f.take(r.end - r.start)).lines())
            });
            match open {
                Ok(l) => self.current = Some(l),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_ranges_in_order_and_coalesces() {
        let mut s = Spool::new().unwrap();
        let (mut even, mut all) = (Ranges::default(), Ranges::default());
        for i in 0..10u32 {
            let r = s.push(&vec![format!("第{i}户"); 2]).unwrap();
            all.push(r.clone());
            if i % 2 == 0 {
                even.push(r);
            }
        }
        assert_eq!(all.pieces(), 1);
        assert_eq!(even.pieces(), 5);
        let got: Vec<Vec<String>> = s.read(&even).unwrap().map(Result::unwrap).collect();
        assert_eq!(got.len(), 5);
        assert_eq!(got[2][0], "第4户");
        assert_eq!(s.read::<Vec<String>>(&all).unwrap().count(), 10);
    }
}
