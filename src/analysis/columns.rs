//! Columns as pscope's own syntax names them (`tree -o`, the default
//! listing), and the one place that turns what a command shows into what
//! it reads. The keywords themselves are in [`super::keywords`], their
//! values in [`super::values`].

use super::keywords::{self, Align, Keyword};
use super::psquery::SortSpec;
use crate::model::{Needs, StatusNeed, ThreadNeed};

pub use super::keywords::Field;
pub use super::values::{RowContext, SortValue};

/// The list of valid keywords, for error messages and help.
pub fn keyword_names() -> String {
    keywords::names().collect::<Vec<_>>().join(" ")
}

/// What a command shows, from which [`needs`] decides what to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// The columns shown and the keys sorted by.
    pub fields: &'a [Field],
    /// Whole process records (JSON), which carry every stat and status
    /// field, the user ids and the command line.
    pub records: bool,
    pub threads: ThreadNeed,
    /// The owner of /proc/PID (pstree's user).
    pub owner: bool,
    /// Selection by user compares the effective uid.
    pub user_ids: bool,
}

/// The files a command reads: the one place that turns what it shows into
/// what to read.
pub fn needs(request: Request) -> Needs {
    let mut needs = request
        .fields
        .iter()
        .fold(Needs::default(), |n, f| n.union(f.needs()));
    if request.records {
        needs.status = needs.status.max(StatusNeed::Ids);
        needs.cmdline = true;
    }
    if request.user_ids {
        needs.status = needs.status.max(StatusNeed::Ids);
    }
    needs.owner |= request.owner;
    needs.threads = request.threads;
    needs
}

/// A resolved output column: what to print and under which header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub keyword: &'static Keyword,
    pub header: String,
}

impl Column {
    pub fn field(&self) -> Field {
        self.keyword.field
    }

    /// Right-aligned when its values are numbers, as ps aligns them.
    pub fn right_aligned(&self) -> bool {
        matches!(self.keyword.align, Align::Right | Align::Signal)
    }
}

/// The column of a keyword under its own header.
pub fn column(name: &str) -> Option<Column> {
    keywords::find(name).map(|keyword| Column {
        keyword,
        header: keyword.header.to_string(),
    })
}

/// Why a column list is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKeyword(pub String);

impl std::fmt::Display for UnknownKeyword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown keyword '{}'; valid keywords: {}",
            self.0,
            keyword_names()
        )
    }
}

impl std::error::Error for UnknownKeyword {}

/// Parses `-o` lists: comma or space separated, `key=HEADER` renames
/// (a header runs to the next comma, as in ps).
pub fn parse_columns(specs: &[String]) -> Result<Vec<Column>, UnknownKeyword> {
    let mut columns = Vec::new();
    for spec in specs {
        let mut rest = spec.as_str();
        while !rest.is_empty() {
            let rest_trimmed = rest.trim_start_matches([',', ' ']);
            if rest_trimmed.is_empty() {
                break;
            }
            let end = rest_trimmed
                .find([',', ' ', '='])
                .unwrap_or(rest_trimmed.len());
            let name = &rest_trimmed[..end];
            let keyword = keywords::find(name).ok_or_else(|| UnknownKeyword(name.to_string()))?;
            let after = &rest_trimmed[end..];
            if let Some(header_and_rest) = after.strip_prefix('=') {
                // As in procps-ng: a header runs to the next comma.
                let end = header_and_rest.find(',').unwrap_or(header_and_rest.len());
                columns.push(Column {
                    keyword,
                    header: header_and_rest[..end].to_string(),
                });
                rest = &header_and_rest[end..];
                continue;
            }
            columns.push(Column {
                keyword,
                header: keyword.header.to_string(),
            });
            rest = after;
        }
    }
    Ok(columns)
}

/// Parses `--sort` keys: `-%cpu,+pid` (- descending, + ascending).
pub fn parse_sort(spec: &str) -> Result<Vec<SortSpec>, UnknownKeyword> {
    spec.split(',')
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (descending, name) = match item.as_bytes()[0] {
                b'-' => (true, &item[1..]),
                b'+' => (false, &item[1..]),
                _ => (false, item),
            };
            let keyword = keywords::find(name).ok_or_else(|| UnknownKeyword(name.to_string()))?;
            Ok(SortSpec {
                keyword,
                descending,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_parse_lists_and_headers() {
        let cols = parse_columns(&["pid,ppid".into(), "comm=NAME OF IT".into()]).unwrap();
        let fields: Vec<Field> = cols.iter().map(Column::field).collect();
        assert_eq!(fields, vec![Field::Pid, Field::Ppid, Field::Comm]);
        assert_eq!(cols[2].header, "NAME OF IT");
        assert_eq!(cols[0].header, "PID");
        let cols = parse_columns(&["pid user".into()]).unwrap();
        assert_eq!(cols.len(), 2);
        let cols = parse_columns(&["pid=ID,comm=".into()]).unwrap();
        assert_eq!(
            (cols[0].header.as_str(), cols[1].header.as_str()),
            ("ID", "")
        );
    }

    #[test]
    fn unknown_keywords_are_named_with_the_valid_ones() {
        let e = parse_columns(&["pid,bogus".into()]).unwrap_err();
        assert_eq!(e.0, "bogus");
        assert!(e.to_string().contains("valid keywords: %cpu"));
        assert!(parse_sort("-bogus").is_err());
    }

    #[test]
    fn sort_keys_take_signs() {
        let keys = parse_sort("-%cpu,+pid,comm").unwrap();
        assert_eq!(keys.len(), 3);
        assert!(keys[0].descending && !keys[1].descending && !keys[2].descending);
    }
}
