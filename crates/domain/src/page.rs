//! Pagination of lists.

use serde::{Deserialize, Serialize};

/// Which slice of a list to return; `page` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    /// Largest page a caller may ask for, so one request cannot dump a table.
    pub const MAX_PER_PAGE: u32 = 200;

    /// Builds a page request, clamping out-of-range values to the nearest valid one.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// Rows to return.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::new(None, None)
    }
}

/// One page of results with the total count for the pager.
#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Paged<T> {
    /// Number of pages needed for `total` rows (at least 1).
    pub fn page_count(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from(((self.total + per - 1) / per).max(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_clamps_and_offsets() {
        let p = Page::new(Some(0), Some(10_000));
        assert_eq!((p.page, p.per_page), (1, Page::MAX_PER_PAGE));
        assert_eq!(Page::new(Some(3), Some(20)).offset(), 40);
        let paged = Paged::<u8> {
            items: vec![],
            total: 41,
            page: 1,
            per_page: 20,
        };
        assert_eq!(paged.page_count(), 3);
    }
}
