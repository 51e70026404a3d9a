//! Page numbers and sizes of every paginated list, HTML and JSON alike.

use thiserror::Error;

/// Which page of a list to show. Pages count from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Error, PartialEq, Eq, Clone, Copy)]
pub enum PagingError {
    #[error("page must be a whole number from 1 to {max}")]
    Page { max: u32 },
    #[error("per_page must be a whole number from 1 to {max}")]
    PerPage { max: u32 },
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: u32 = 24;
    pub const MAX_PER_PAGE: u32 = 100;
    /// Far beyond any real list; keeps `OFFSET` arithmetic small.
    pub const MAX_PAGE: u32 = 1_000_000;

    pub fn first() -> Self {
        PageRequest { page: 1, per_page: Self::DEFAULT_PER_PAGE }
    }

    /// From raw query values; absent or empty values take the defaults.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, PagingError> {
        let parse = |text: Option<&str>, default: u32, max: u32| -> Result<u32, ()> {
            match text.map(str::trim) {
                None | Some("") => Ok(default),
                Some(t) => t.parse::<u32>().ok().filter(|n| (1..=max).contains(n)).ok_or(()),
            }
        };
        Ok(PageRequest {
            page: parse(page, 1, Self::MAX_PAGE).map_err(|_| PagingError::Page { max: Self::MAX_PAGE })?,
            per_page: parse(per_page, Self::DEFAULT_PER_PAGE, Self::MAX_PER_PAGE)
                .map_err(|_| PagingError::PerPage { max: Self::MAX_PER_PAGE })?,
        })
    }

    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// How many pages `total` items fill (at least one, so an empty list has page 1).
    pub fn page_count(&self, total: i64) -> u32 {
        let per = i64::from(self.per_page);
        u32::try_from(((total.max(0) + per - 1) / per).max(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(PageRequest::parse(None, None), Ok(PageRequest::first()));
        assert_eq!(PageRequest::parse(Some(""), Some(" ")), Ok(PageRequest::first()));
        assert_eq!(PageRequest::parse(Some("3"), Some("10")).unwrap().offset(), 20);
        assert_eq!(PageRequest::parse(Some("999999"), None).unwrap().page, 999_999);
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in ["-1", "0", "abc", "1.5", "1e3", "4294967296", "1000001"] {
            assert!(matches!(PageRequest::parse(Some(bad), None), Err(PagingError::Page { .. })), "{bad}");
        }
        for bad in ["0", "101", "-5", "x"] {
            assert!(matches!(PageRequest::parse(None, Some(bad)), Err(PagingError::PerPage { .. })), "{bad}");
        }
    }

    #[test]
    fn page_count() {
        let p = PageRequest { page: 1, per_page: 24 };
        assert_eq!(p.page_count(0), 1);
        assert_eq!(p.page_count(24), 1);
        assert_eq!(p.page_count(25), 2);
        let last = PageRequest { page: PageRequest::MAX_PAGE, per_page: PageRequest::MAX_PER_PAGE };
        assert_eq!(last.offset(), 99_999_900);
    }
}
