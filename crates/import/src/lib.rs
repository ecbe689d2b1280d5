//! Imports of HR data as it really arrives: Excel and CSV exports with Chinese
//! headers, several date forms, missing cells and bad rows.
//!
//! Reading ([`table`]) and validation ([`employees`]) are pure: bytes in, a plan
//! and a report of every bad row out. The store writes a plan in one transaction.

pub mod competency;
pub mod employees;
pub mod kpis;
pub mod org_tree;
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

/// Problems kept in memory and reported; a file of millions of bad rows is counted, not stored.
pub const KEPT_ERRORS: usize = 1000;

/// What checking a file found: data rows read, rows without problems, and the problems
/// (the first [`KEPT_ERRORS`] kept, all of them counted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Data rows read.
    pub rows: usize,
    /// Rows without problems.
    pub valid: usize,
    /// The first problems, in the order found.
    pub errors: Vec<RowError>,
    /// Every problem found.
    pub error_count: usize,
}

impl Checked {
    /// The tally of a file checked whole.
    pub fn new(rows: usize, valid: usize, errors: Vec<RowError>) -> Self {
        let mut checked = Self {
            rows,
            valid,
            ..Self::default()
        };
        checked.add_errors(errors);
        checked
    }

    /// Counts `errors` and keeps them while there is room.
    pub fn add_errors(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for e in errors {
            self.error_count += 1;
            if self.errors.len() < KEPT_ERRORS {
                self.errors.push(e);
            }
        }
    }
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
