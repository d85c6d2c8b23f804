//! Tables in ps's layout (no borders, one space between columns, numbers
//! right-aligned), drawn with comfy-table.

use comfy_table::{presets, Cell, CellAlignment, Color, ContentArrangement, Table};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Style, Tone};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub title: String,
    pub right_aligned: bool,
}

/// Headers from titles; the columns at the `numeric` indexes are
/// right-aligned.
pub fn headers(titles: &[&str], numeric: &[usize]) -> Vec<Header> {
    titles
        .iter()
        .enumerate()
        .map(|(i, t)| Header {
            title: t.to_string(),
            right_aligned: numeric.contains(&i),
        })
        .collect()
}

/// A row of cell texts and the tone of the whole row.
pub struct Row {
    pub cells: Vec<String>,
    pub tone: Tone,
}

/// Renders rows under headers; the last column is cut to fit `style.width`.
/// With color, comfy-table draws the table; without, the same layout is
/// written straight into one string, which for tens of thousands of rows
/// takes a fraction of the time and memory (a test keeps both identical).
pub fn render(headers: &[Header], rows: Vec<Row>, show_headers: bool, style: &Style) -> String {
    let mut rows = rows;
    let mut cut_headers;
    let mut headers = headers;
    if let Some(width) = style.width {
        fit_last_column(headers, &mut rows, show_headers, width);
        cut_headers = headers.to_vec();
        cut_at_width(&mut cut_headers, &mut rows, show_headers, width);
        headers = &cut_headers;
    }
    if style.color {
        styled(headers, rows, show_headers, style)
    } else {
        plain(headers, &rows, show_headers)
    }
}

/// The layout without styling: columns as wide as their widest cell, one
/// space apart, numbers right-aligned, no trailing spaces.
fn plain(headers: &[Header], rows: &[Row], show_headers: bool) -> String {
    plain_from(headers, show_headers, rows.len(), &mut |r, c, buf| {
        buf.push_str(rows[r].cells.get(c).map_or("", String::as_str))
    })
}

/// [`plain`] over cells produced on demand, in two passes (widths, then
/// text), so that no table of strings is ever held in memory.
fn plain_from(
    headers: &[Header],
    show_headers: bool,
    count: usize,
    cell: &mut dyn FnMut(usize, usize, &mut String),
) -> String {
    let n = headers.len();
    // comfy-table gives even an empty column one cell.
    let mut widths = vec![1usize; n];
    if show_headers {
        for (w, h) in widths.iter_mut().zip(headers) {
            *w = (*w).max(h.title.width());
        }
    }
    // A left-aligned last column is never padded, so its width is not
    // needed: its cells (often the longest, command lines) are made once.
    let measured = match headers.last() {
        Some(last) if !last.right_aligned => n - 1,
        _ => n,
    };
    let mut buf = String::new();
    for r in 0..count {
        for (c, w) in widths.iter_mut().enumerate().take(measured) {
            buf.clear();
            cell(r, c, &mut buf);
            *w = (*w).max(cell_width(&buf));
        }
    }
    let line_len: usize = widths.iter().sum::<usize>() + n + 1;
    let mut out = String::with_capacity(line_len * (count + 1));
    let write_line = |out: &mut String, c: usize, text: &str| {
        let pad = widths[c].saturating_sub(cell_width(text));
        if headers[c].right_aligned {
            push_spaces(out, pad);
            out.push_str(text);
        } else if c + 1 == n {
            // Padding at the end of a line would only be trimmed again.
            out.push_str(text);
            return;
        } else {
            out.push_str(text);
            push_spaces(out, pad);
        }
        out.push(' ');
    };
    let end_line = |out: &mut String, start: usize| {
        let trimmed = out[start..].trim_end_matches(' ').len();
        out.truncate(start + trimmed);
        out.push('\n');
    };
    if show_headers {
        let start = out.len();
        for (c, h) in headers.iter().enumerate() {
            write_line(&mut out, c, &h.title);
        }
        end_line(&mut out, start);
    }
    for r in 0..count {
        let start = out.len();
        for c in 0..n {
            buf.clear();
            cell(r, c, &mut buf);
            write_line(&mut out, c, &buf);
        }
        end_line(&mut out, start);
    }
    out
}

/// Terminal columns of a cell; plain ASCII (the common case) is one each.
fn cell_width(text: &str) -> usize {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        text.len()
    } else {
        text.width()
    }
}

fn push_spaces(out: &mut String, count: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = count;
    while left > 0 {
        let step = left.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        left -= step;
    }
}

/// Renders `count` rows whose cells are produced on demand by `cell(row,
/// column, buffer)`. Uncut, uncolored output is written in two passes
/// without holding the table; otherwise the rows are gathered for
/// [`render`].
pub fn render_lazy(
    headers: &[Header],
    count: usize,
    show_headers: bool,
    style: &Style,
    cell: &mut dyn FnMut(usize, usize, &mut String),
    tone: &dyn Fn(usize) -> Tone,
) -> String {
    if !style.color && style.width.is_none() {
        return plain_from(headers, show_headers, count, cell);
    }
    let rows = (0..count)
        .map(|r| Row {
            cells: (0..headers.len())
                .map(|c| {
                    let mut buf = String::new();
                    cell(r, c, &mut buf);
                    buf
                })
                .collect(),
            tone: tone(r),
        })
        .collect();
    render(headers, rows, show_headers, style)
}

/// The same layout drawn by comfy-table, with bold headers and colored rows.
fn styled(headers: &[Header], rows: Vec<Row>, show_headers: bool, style: &Style) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    if show_headers {
        table.set_header(headers.iter().map(|h| {
            let cell = Cell::new(&h.title);
            if style.color {
                cell.add_attribute(comfy_table::Attribute::Bold)
            } else {
                cell
            }
        }));
    }
    for row in rows {
        let color = match row.tone {
            Tone::Plain => None,
            Tone::Alert => Some(Color::Red),
            Tone::Notice => Some(Color::Yellow),
        };
        table.add_row(row.cells.into_iter().map(|text| {
            let cell = Cell::new(text);
            match color {
                Some(c) if style.color => cell.fg(c),
                _ => cell,
            }
        }));
    }
    let last = headers.len().saturating_sub(1);
    for (i, header) in headers.iter().enumerate() {
        if let Some(column) = table.column_mut(i) {
            column.set_padding((0, if i == last { 0 } else { 1 }));
            if header.right_aligned {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Cuts the text of the last column so that every line fits in `width`
/// terminal cells, as ps cuts its last column.
fn fit_last_column(headers: &[Header], rows: &mut [Row], show_headers: bool, width: usize) {
    let Some(last) = headers.len().checked_sub(1) else {
        return;
    };
    let mut widths = vec![0usize; last];
    let header_cells = headers.iter().map(|h| h.title.as_str());
    let all_rows = rows.iter().map(|r| r.cells.iter().map(String::as_str));
    let mut measure = |cells: &mut dyn Iterator<Item = &str>| {
        for (i, text) in cells.take(last).enumerate() {
            widths[i] = widths[i].max(text.width());
        }
    };
    if show_headers {
        measure(&mut header_cells.clone());
    }
    for mut cells in all_rows {
        measure(&mut cells);
    }
    let used: usize = widths.iter().map(|w| w + 1).sum();
    let room = width.saturating_sub(used);
    for row in rows.iter_mut() {
        if let Some(text) = row.cells.get_mut(last) {
            truncate_to_width(text, room);
        }
    }
}

/// Cuts every line at `width` cells, as ps cuts its lines: columns that
/// start at or beyond the width are left out, and the one the width runs
/// through keeps only what fits (laid out first, so a right-aligned value
/// shows its leading spaces, as ps's cut line does).
fn cut_at_width(headers: &mut Vec<Header>, rows: &mut [Row], show_headers: bool, width: usize) {
    let n = headers.len();
    let mut widths = vec![1usize; n];
    for (i, w) in widths.iter_mut().enumerate() {
        if show_headers {
            *w = (*w).max(headers[i].title.width());
        }
        for row in rows.iter() {
            *w = (*w).max(row.cells.get(i).map_or(0, |c| c.width()));
        }
    }
    let mut start = 0;
    let mut visible = n;
    for (i, w) in widths.iter().enumerate() {
        if start >= width {
            visible = i;
            break;
        }
        if start + w > width {
            // The width runs through this column: lay out, then cut.
            let room = width - start;
            let cut = |text: &mut String, right: bool| {
                let pad = w.saturating_sub(text.width());
                if right {
                    text.insert_str(0, &" ".repeat(pad));
                }
                truncate_to_width(text, room);
            };
            let right = headers[i].right_aligned;
            cut(&mut headers[i].title, right);
            headers[i].right_aligned = false;
            for row in rows.iter_mut() {
                if let Some(cell) = row.cells.get_mut(i) {
                    cut(cell, right);
                }
            }
            visible = i + 1;
            break;
        }
        start += w + 1;
    }
    headers.truncate(visible);
    for row in rows.iter_mut() {
        row.cells.truncate(visible);
    }
}

/// Shortens a string to at most `room` terminal cells.
pub fn truncate_to_width(text: &mut String, room: usize) {
    if text.width() <= room {
        return;
    }
    let mut used = 0;
    let mut cut = text.len();
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            cut = i;
            break;
        }
        used += w;
    }
    text.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(width: Option<usize>) -> Style {
        Style {
            color: false,
            width,
            tree_width: None,
            utf8: true,
            unicode_lines: false,
        }
    }

    fn headers() -> Vec<Header> {
        vec![
            Header {
                title: "PID".into(),
                right_aligned: true,
            },
            Header {
                title: "COMMAND".into(),
                right_aligned: false,
            },
        ]
    }

    fn rows() -> Vec<Row> {
        vec![
            Row {
                cells: vec!["1".into(), "init --with arguments".into()],
                tone: Tone::Plain,
            },
            Row {
                cells: vec!["12345".into(), "sh".into()],
                tone: Tone::Alert,
            },
        ]
    }

    #[test]
    fn lays_out_like_ps() {
        let out = render(&headers(), rows(), true, &style(None));
        assert_eq!(
            out,
            "  PID COMMAND\n    1 init --with arguments\n12345 sh\n"
        );
    }

    #[test]
    fn cuts_the_last_column_to_the_width() {
        let out = render(&headers(), rows(), false, &style(Some(12)));
        assert_eq!(out, "    1 init -\n12345 sh\n");
        for line in out.lines() {
            assert!(line.width() <= 12);
        }
    }

    #[test]
    fn plain_and_comfy_table_layouts_are_identical() {
        let texts = [
            "",
            "1",
            "12345",
            "sh",
            "sp ace",
            "中文",
            "a-much-longer-cell",
            "é",
        ];
        let mut seed = 7u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as usize
        };
        for columns in 1..5 {
            let headers: Vec<Header> = (0..columns)
                .map(|i| Header {
                    title: ["PID", "NAME", "S", "COMMAND"][i].to_string(),
                    right_aligned: i % 2 == 0,
                })
                .collect();
            for row_count in [0, 1, 5] {
                let make_rows = |next: &mut dyn FnMut() -> usize| -> Vec<Row> {
                    (0..row_count)
                        .map(|_| Row {
                            cells: (0..columns)
                                .map(|_| texts[next() % texts.len()].to_string())
                                .collect(),
                            tone: Tone::Plain,
                        })
                        .collect()
                };
                let rows = make_rows(&mut next);
                let copy: Vec<Row> = rows
                    .iter()
                    .map(|r| Row {
                        cells: r.cells.clone(),
                        tone: r.tone,
                    })
                    .collect();
                for show in [true, false] {
                    let copy2: Vec<Row> = copy
                        .iter()
                        .map(|r| Row {
                            cells: r.cells.clone(),
                            tone: r.tone,
                        })
                        .collect();
                    let a = plain(&headers, &rows, show);
                    let b = styled(&headers, copy2, show, &style(None));
                    assert_eq!(a, b, "columns {columns}, rows {row_count}, headers {show}");
                }
            }
        }
    }

    #[test]
    fn lines_are_cut_at_the_width_as_ps_cuts_them() {
        let headers = vec![
            Header {
                title: "PID".into(),
                right_aligned: true,
            },
            Header {
                title: "USER".into(),
                right_aligned: false,
            },
            Header {
                title: "COMMAND".into(),
                right_aligned: false,
            },
        ];
        let rows = || {
            vec![
                Row {
                    cells: vec!["1".into(), "root".into(), "init".into()],
                    tone: Tone::Plain,
                },
                Row {
                    cells: vec!["12345".into(), "verylonguser".into(), "sh -c x".into()],
                    tone: Tone::Plain,
                },
            ]
        };
        // The command column gets what is left, nothing when nothing is.
        let out = render(&headers, rows(), true, &style(Some(20)));
        assert_eq!(
            out,
            "  PID USER         C\n    1 root         i\n12345 verylonguser s\n"
        );
        let out = render(&headers, rows(), true, &style(Some(9)));
        assert_eq!(out, "  PID USE\n    1 roo\n12345 ver\n");
        let out = render(&headers, rows(), true, &style(Some(3)));
        assert_eq!(out, "  P\n\n123\n");
        for width in 1..40 {
            let out = render(&headers, rows(), true, &style(Some(width)));
            assert!(out.lines().all(|l| l.width() <= width), "{width}: {out}");
        }
    }

    #[test]
    fn truncation_counts_wide_characters() {
        let mut s = "中文字".to_string();
        truncate_to_width(&mut s, 5);
        assert_eq!(s, "中文");
    }
}
