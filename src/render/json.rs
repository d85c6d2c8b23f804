//! Writing JSON: documents and JSON lines, serialized straight from the
//! data into the output as they are made, never held whole in memory. The
//! types written are in [`super::schema`].

use std::cell::{Cell, RefCell};
use std::io::{self, Write};

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::schema::SCHEMA_VERSION;

/// Writes `{"schema_version": 1, "<key>": value}`, pretty-printed, and a
/// newline.
pub fn write_document<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    key: &str,
    value: &T,
) -> io::Result<()> {
    let document = Document { key, value };
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        TerminalSafe(PrettyFormatter::with_indent(b"  ")),
    );
    document.serialize(&mut ser).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Writes one JSON line: the item's fields after `"schema_version": 1`.
pub fn write_line<T: Serialize + ?Sized>(out: &mut dyn Write, item: &T) -> io::Result<()> {
    let line = Versioned {
        schema_version: SCHEMA_VERSION,
        item,
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, TerminalSafe(CompactFormatter));
    line.serialize(&mut ser).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Writes one JSON line for every item.
pub fn write_lines<T: Serialize>(
    out: &mut dyn Write,
    items: impl IntoIterator<Item = T>,
) -> io::Result<()> {
    for item in items {
        write_line(out, &item)?;
    }
    Ok(())
}

/// One JSON line as a string (for events written one at a time).
pub fn line_string<T: Serialize + ?Sized>(item: &T) -> String {
    let mut out = Vec::new();
    // Writing into memory fails only for a type that refuses to serialize,
    // which no schema type does.
    let _ = write_line(&mut out, item);
    String::from_utf8(out).unwrap_or_default()
}

struct Document<'a, T: ?Sized> {
    key: &'a str,
    value: &'a T,
}

impl<T: Serialize + ?Sized> Serialize for Document<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        map.serialize_entry(self.key, self.value)?;
        map.end()
    }
}

#[derive(Serialize)]
struct Versioned<'a, T: ?Sized> {
    schema_version: u32,
    #[serde(flatten)]
    item: &'a T,
}

/// A JSON array made from an iterator as it is written: each item exists
/// only while it is serialized. An iterator can be written once.
pub struct Each<I>(Cell<Option<I>>);

impl<I> Each<I> {
    pub fn new(items: I) -> Self {
        Each(Cell::new(Some(items)))
    }
}

impl<I> Serialize for Each<I>
where
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self.0.take();
        let mut seq = serializer.serialize_seq(None)?;
        for item in items.into_iter().flatten() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// A value computed when it is serialized, from a closure that can run
/// once (for the recursive tree, whose children are made as written).
pub struct Later<F>(RefCell<Option<F>>);

impl<F> Later<F> {
    pub fn new(make: F) -> Self {
        Later(RefCell::new(Some(make)))
    }
}

impl<F, T> Serialize for Later<F>
where
    F: FnOnce() -> T,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.borrow_mut().take() {
            Some(make) => make().serialize(serializer),
            None => serializer.serialize_unit(),
        }
    }
}

/// A formatter that writes C1 control characters (U+0080..U+009F) as
/// `\u00XX`. JSON may carry them raw, and some terminals act on them
/// (U+009B starts an escape sequence); escaped they mean the same to a
/// parser and nothing to a terminal.
struct TerminalSafe<F>(F);

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest
            .char_indices()
            .find(|&(_, c)| ('\u{80}'..='\u{9f}').contains(&c))
        {
            writer.write_all(&rest.as_bytes()[..at])?;
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_controls_are_escaped() {
        let out = line_string(&serde_json::json!({"name": "a\u{9b}31m\u{85}é"}));
        assert_eq!(
            out,
            "{\"schema_version\":1,\"name\":\"a\\u009b31m\\u0085é\"}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["name"], "a\u{9b}31m\u{85}é");
    }

    #[test]
    fn documents_are_pretty_and_versioned() {
        let mut out = Vec::new();
        write_document(&mut out, "items", &Each::new([1, 2].into_iter())).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"schema_version\": 1,\n  \"items\": [\n    1,\n    2\n  ]\n}\n"
        );
        let mut out = Vec::new();
        write_document(&mut out, "items", &Each::new(std::iter::empty::<u8>())).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"schema_version\": 1,\n  \"items\": []\n}\n"
        );
    }
}
