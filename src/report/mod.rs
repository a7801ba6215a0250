//! Reporters: console text, the findings workbook and the standard 13-table
//! workbook. The only code that touches rust_xlsxwriter.

pub mod balance_xlsx;
pub mod check_batch;
pub mod consolidate_xlsx;
pub mod convert;
pub mod docx;
pub mod findings_xlsx;
pub mod page;
pub mod prior_xlsx;
pub mod save;
pub mod score_xlsx;
pub mod standard;
pub mod text;
