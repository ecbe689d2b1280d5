//! Imports of HR data as it really arrives: Excel and CSV exports with Chinese
//! headers, several date forms, missing cells and bad rows.
//!
//! Reading ([`table`]) and validation ([`employees`]) are pure: bytes in, a plan
//! and a report of every bad row out. The store writes a plan in one transaction.

pub mod competency;
pub mod employees;
pub mod kpis;
pub mod table;
pub mod training_records;
pub mod values;

/// A problem with one cell or row of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Row number as the user sees it in the file (the header is row 1).
    pub row: usize,
    /// The column's header in the file (or the field name when the column is missing).
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, column {}: {}",
            self.row, self.column, self.reason
        )
    }
}
