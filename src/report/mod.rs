//! Everything written as a workbook: the only code that touches rust_xlsxwriter.

pub mod save;
pub mod standard;
