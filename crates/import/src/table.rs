//! A file as a table of text cells: CSV (UTF-8 with or without BOM, or GB18030)
//! or the first worksheet of an XLSX workbook.

use calamine::{Data, Reader, Xlsx};
use std::borrow::Cow;
use std::io::Cursor;

/// Header and data rows; every row has as many cells as the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    /// (file row number, cells); the header is row 1.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError(pub String);

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TableError {}

/// Rows of a file one at a time (after the header), for files too large to hold as a
/// table: CSV is decoded and parsed lazily; XLSX (at most about a million rows) is read whole.
pub type RowStream<'a> =
    Box<dyn Iterator<Item = Result<(usize, Vec<String>), crate::RowError>> + Send + 'a>;

/// The header and a stream of the data rows (blank rows skipped); the stream owns the
/// file, so it can outlive the caller that read it.
pub fn stream_rows(bytes: Vec<u8>) -> Result<(Vec<String>, RowStream<'static>), TableError> {
    if bytes.starts_with(b"PK\x03\x04") {
        let table = read_xlsx(&bytes)?;
        return Ok((table.headers, Box::new(table.rows.into_iter().map(Ok))));
    }
    // UTF-8 is parsed in place (after its BOM, if any); GB18030 is decoded first.
    let (skip, decoded) = match decode(&bytes)? {
        Cow::Borrowed(text) => (bytes.len() - text.len(), None),
        Cow::Owned(text) => (0, Some(text.into_bytes())),
    };
    let mut data = std::io::Cursor::new(decoded.unwrap_or(bytes));
    data.set_position(skip as u64);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut records = reader.records();
    let headers: Vec<String> = loop {
        match records.next() {
            None => return Err(TableError("the file is empty".into())),
            Some(Err(e)) => return Err(TableError(format!("cannot read the CSV: {e}"))),
            Some(Ok(r)) if r.iter().all(|c| c.trim().is_empty()) => continue,
            Some(Ok(r)) => break r.iter().map(|c| c.trim().to_string()).collect(),
        }
    };
    let width = headers.len();
    let rows = reader.into_records().filter_map(move |r| match r {
        Err(e) => Some(Err(crate::RowError {
            row: e.position().map(|p| p.line() as usize).unwrap_or(0),
            column: "file".into(),
            reason: format!("cannot read the CSV: {e}"),
        })),
        Ok(r) if r.iter().all(|c| c.trim().is_empty()) => None,
        Ok(r) => {
            let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
            let mut cells: Vec<String> = r.iter().map(|c| c.trim().to_string()).collect();
            cells.resize(width, String::new());
            Some(Ok((line, cells)))
        }
    });
    Ok((headers, Box::new(rows)))
}

/// Reads CSV or XLSX bytes (XLSX is recognised by content, not by file name).
pub fn read_table(bytes: &[u8]) -> Result<Table, TableError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

/// Decodes CSV text: UTF-8 (a BOM is dropped), otherwise GB18030 as Chinese Excel writes it.
/// A file must be one encoding throughout: a GB18030 file with a line that is UTF-8 (a row
/// pasted in from elsewhere) is refused naming that line, never stored as mojibake.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, TableError> {
    if bytes.contains(&0) {
        return Err(TableError(
            "the file is binary, not CSV text or an XLSX workbook".into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) => {
            let utf8_line = bytes
                .split(|b| *b == b'\n')
                .position(|line| !line.is_ascii() && std::str::from_utf8(line).is_ok());
            if let Some(index) = utf8_line {
                return Err(TableError(format!(
                    "row {}: this line is UTF-8 but the rest of the file is not (GB18030?); \
                     save the whole file in one encoding",
                    index + 1
                )));
            }
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                Err(TableError(
                    "the file is neither UTF-8 nor GB18030 text, nor an XLSX workbook".into(),
                ))
            } else {
                Ok(Cow::Owned(text.into_owned()))
            }
        }
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| TableError(format!("cannot read the CSV: {e}")))?;
        // The reader skips blank lines; keep the line number the user sees in an editor.
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(records.len() + 1);
        records.push((
            line,
            record
                .iter()
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>(),
        ));
    }
    build(records)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Dates stay Excel serial numbers; the value parser turns them into dates.
        Data::DateTime(d) => {
            let v = d.as_f64();
            if v.fract() == 0.0 {
                format!("{}", v as i64)
            } else {
                v.to_string()
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| TableError(format!("cannot read the workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| TableError("the workbook has no worksheet".into()))?
        .map_err(|e| TableError(format!("cannot read the first worksheet: {e}")))?;
    // The range starts at the first used cell; rows are numbered as Excel shows them.
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let records = range
        .rows()
        .enumerate()
        .map(|(i, row)| (first_row + i + 1, row.iter().map(cell_text).collect()))
        .collect();
    build(records)
}

/// Builds a table from (row number, cells), dropping rows with no value at all.
fn build(records: Vec<(usize, Vec<String>)>) -> Result<Table, TableError> {
    let mut it = records
        .into_iter()
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()));
    let (_, headers) = it
        .next()
        .ok_or_else(|| TableError("the file is empty".into()))?;
    let width = headers.len();
    let mut seen = std::collections::HashSet::new();
    for h in &headers {
        if !h.is_empty() && !seen.insert(h.to_lowercase()) {
            return Err(TableError(format!("the header '{h}' appears twice")));
        }
    }
    let rows = it
        .map(|(row, mut cells)| {
            cells.resize(width, String::new());
            (row, cells)
        })
        .collect();
    Ok(Table { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_bom_and_gb18030() {
        let utf8 = "\u{feff}工号,姓名\nE1,张三\n\n,\nE2,李四\n";
        let t = read_table(utf8.as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["工号", "姓名"]);
        assert_eq!(
            t.rows,
            vec![
                (2, vec!["E1".into(), "张三".into()]),
                (5, vec!["E2".into(), "李四".into()])
            ]
        );
        let (gb, _, _) = encoding_rs::GB18030.encode("工号,姓名\nE1,张三\n");
        let t = read_table(&gb).unwrap();
        assert_eq!(t.rows[0].1[1], "张三");
    }

    #[test]
    fn refuses_a_file_of_two_encodings_naming_the_line() {
        let (gb, _, _) = encoding_rs::GB18030.encode("工号,姓名\nE1,张三\n");
        let mut mixed = gb.into_owned();
        mixed.extend_from_slice("E2,李四\n".as_bytes());
        let error = read_table(&mixed).unwrap_err().0;
        assert!(error.starts_with("row 3:"), "{error}");
        assert!(stream_rows(mixed).is_err());
    }

    #[test]
    fn reads_xlsx_by_content() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "工号").unwrap();
        sheet.write_string(0, 1, "入职日期").unwrap();
        sheet.write_string(1, 0, "E1").unwrap();
        sheet.write_number(1, 1, 45352.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table(&bytes).unwrap();
        assert_eq!(t.rows, vec![(2, vec!["E1".into(), "45352".into()])]);
    }

    #[test]
    fn refuses_empty_files_and_duplicate_headers() {
        assert!(read_table(b"").is_err());
        assert!(
            read_table("a,A\n1,2\n".as_bytes())
                .unwrap_err()
                .0
                .contains("twice")
        );
        assert!(read_table(&[0xff, 0xfe, 0x00, 0x41]).is_err());
    }
}
