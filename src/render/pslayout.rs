//! procps-ng ps's line layout, byte for byte: fixed column widths from the
//! keyword table, one blank between columns, a value longer than its
//! column pushing the rest of the line right (the next right-aligned
//! column absorbs it by losing left padding), text columns cut to the
//! room they have, and the last column running to the end of the line.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::analysis::keywords::{Align, Field, Width};
use crate::analysis::psquery::ColumnSpec;

/// ps's limit on a line, and what it takes for "unlimited".
pub const UNLIMITED: usize = 131_072;

/// One column as laid out.
#[derive(Debug, Clone)]
pub struct LayoutColumn {
    pub header: String,
    pub width: usize,
    pub align: Align,
    /// `fname`: a name cut to 8 cells, with ps's odd count of what it took.
    pub fname: bool,
    /// Takes the forest prefix (the command columns).
    pub forest: bool,
    /// The literal text of an AIX format, printed on every row, with no
    /// blank of its own before the next column.
    pub literal: bool,
}

/// One cell's content: the forest prefix (segments of 4 or 2 cells) and
/// the value.
#[derive(Debug, Clone, Default)]
pub struct Cell<'a> {
    pub prefix: &'a [&'static str],
    pub text: String,
}

/// The layout of a listing: its columns and how wide a line may be.
#[derive(Debug, Clone)]
pub struct Layout {
    pub columns: Vec<LayoutColumn>,
    /// The line width ps works with (a multiple of the screen width).
    pub active: usize,
    /// Signal masks get 16 digits (else 9 cells).
    pub wide_signals: bool,
    /// BSD `n`: user and WCHAN columns right-aligned.
    pub numeric: bool,
}

/// Whether a keyword's field takes the forest prefix.
fn takes_forest(field: Field) -> bool {
    matches!(field, Field::Args | Field::Comm | Field::Fname)
}

impl Layout {
    /// Lays out these columns on a screen `screen` cells wide (ps's
    /// [`UNLIMITED`] when the output is not a terminal).
    pub fn new(specs: &[ColumnSpec], pid_digits: usize, screen: usize, numeric: bool) -> Layout {
        let columns: Vec<LayoutColumn> = specs
            .iter()
            .map(|spec| {
                let k = spec.keyword;
                let literal = k.field == Field::AixText;
                let table = match k.width {
                    _ if literal => spec.header.width(),
                    Width::Fixed(w) => usize::from(w),
                    // A PID column fits pid_max and its header, renamed or not.
                    Width::Pid => pid_digits.max(k.header.len()).max(spec.header.width()),
                };
                LayoutColumn {
                    header: spec.header.clone(),
                    width: spec.width.unwrap_or(table),
                    align: k.align,
                    fname: k.field == Field::Fname,
                    forest: takes_forest(k.field),
                    literal,
                }
            })
            .collect();
        // The line's width: each column and one blank between, a last
        // text column counting 3; then the smallest multiple of the
        // screen that holds it.
        let n = columns.len();
        let total: usize = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let width = if i + 1 == n && c.align == Align::Unlimited {
                    3
                } else {
                    c.width
                };
                // A blank separates two real columns, not literal text.
                let separated = columns
                    .get(i + 1)
                    .is_some_and(|next| !c.literal && !next.literal);
                width + usize::from(separated)
            })
            .sum();
        let screen = screen.max(1);
        let mut active = screen;
        let mut times = 1;
        while active < total && screen * times < UNLIMITED / 2 {
            times += 1;
            active = screen * times;
        }
        let signals = columns.iter().filter(|c| c.align == Align::Signal).count();
        Layout {
            wide_signals: total + 7 * signals <= active,
            columns,
            active,
            numeric,
        }
    }

    /// The header line (never cut).
    pub fn header(&self) -> String {
        let headers: Vec<Cell> = self
            .columns
            .iter()
            .map(|c| Cell {
                prefix: &[],
                text: c.header.clone(),
            })
            .collect();
        self.line_of(&headers, true)
    }

    /// A data line from its cells, one per column.
    pub fn line(&self, cells: &[Cell]) -> String {
        self.line_of(cells, false)
    }

    fn line_of(&self, cells: &[Cell], header: bool) -> String {
        let active = self.active as isize;
        let n = self.columns.len();
        let (mut correct, mut actual, mut dospace) = (0isize, 0isize, 0isize);
        let mut out = String::new();
        for (i, (col, cell)) in self.columns.iter().zip(cells).enumerate() {
            let last = i + 1 == n;
            let width = col.width as isize;
            let mut legit = 0;
            let (room, tmpspace) = if !last {
                (width, 0)
            } else {
                let tmp = correct - actual;
                if tmp < 1 {
                    (active - actual - dospace, dospace)
                } else {
                    (active - correct.max(actual), tmp)
                }
            };
            let room = room.clamp(0, UNLIMITED as isize - 1) as usize;
            let (mut text, mut amount) = if header || col.literal {
                let cells = col.header.width();
                let text = if header {
                    cell.text.clone()
                } else {
                    col.header.clone()
                };
                (text, cells)
            } else {
                self.fit(col, cell, room)
            };
            let leftpad = match col.align {
                Align::Left => 0,
                Align::Right => (width - amount as isize).max(0),
                Align::Signal => {
                    if self.wide_signals {
                        legit = 7;
                        (16 - amount as isize).max(0)
                    } else {
                        (9 - amount as isize).max(0)
                    }
                }
                Align::User if self.numeric => (width - amount as isize).max(0),
                Align::User => 0,
                Align::Wchan if self.numeric => (width - amount as isize).max(0),
                Align::Wchan | Align::Unlimited => {
                    if active - actual - tmpspace < 1 {
                        // No room at all: ps still writes the first byte.
                        text = text.chars().take(1).collect();
                        amount = text.width();
                    }
                    0
                }
            };
            let mut space = correct - actual + leftpad;
            if space < 1 {
                space = dospace;
            }
            let space = space.min(144);
            push_spaces(&mut out, space as usize);
            out.push_str(&text);
            if last {
                break;
            }
            actual += space + amount as isize;
            correct += width + legit;
            let both_real = !col.literal && !self.columns[i + 1].literal;
            if both_real {
                correct += 1;
            }
            dospace = isize::from(both_real);
        }
        out
    }

    /// A value cut to the room its column has, and the cells ps counts.
    fn fit(&self, col: &LayoutColumn, cell: &Cell, room: usize) -> (String, usize) {
        match col.align {
            Align::Unlimited | Align::Left if col.forest => {
                let mut out = String::new();
                let mut left = room;
                for segment in cell.prefix {
                    let w = segment.len();
                    if left < w.max(4) {
                        break;
                    }
                    out.push_str(segment);
                    left -= w;
                }
                if col.fname {
                    // The name gets at most 8 cells of what is left; ps then
                    // reports the room minus the part of the 8 it did not use.
                    let budget = left.min(8);
                    let name = cut(&cell.text, budget);
                    let used = name.width();
                    out.push_str(&name);
                    let amount = room - (budget - used);
                    return (out, amount);
                }
                out.push_str(&cut(&cell.text, left));
                let cells = out.width();
                (out, cells)
            }
            Align::Unlimited | Align::Wchan => {
                let text = cut(&cell.text, room);
                let cells = text.width();
                (text, cells)
            }
            Align::User => {
                let cells = cell.text.width();
                if cells <= room || room == 0 {
                    return (cell.text.clone(), cells);
                }
                // Too long: the start and a `+`, as ps marks a cut name.
                let mut text: String = cell.text.chars().take(room - 1).collect();
                text.push('+');
                let cells = text.width();
                (text, cells)
            }
            _ => {
                let cells = cell.text.width();
                (cell.text.clone(), cells)
            }
        }
    }
}

/// The start of a text, at most `room` cells wide.
fn cut(text: &str, room: usize) -> String {
    if text.len() <= room {
        return text.to_string();
    }
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

fn push_spaces(out: &mut String, count: usize) {
    out.extend(std::iter::repeat_n(' ', count));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::keywords::find;

    fn specs(names: &[&str]) -> Vec<ColumnSpec> {
        names
            .iter()
            .map(|n| {
                let (name, width) = match n.split_once(':') {
                    Some((name, w)) => (name, Some(w.parse().unwrap())),
                    None => (*n, None),
                };
                let keyword = find(name).unwrap();
                ColumnSpec {
                    keyword,
                    header: keyword.header.to_string(),
                    width,
                }
            })
            .collect()
    }

    fn cells(texts: &[&str]) -> Vec<Cell<'static>> {
        texts
            .iter()
            .map(|t| Cell {
                prefix: &[],
                text: t.to_string(),
            })
            .collect()
    }

    #[test]
    fn headers_are_laid_out_as_ps_lays_them_out() {
        let l = Layout::new(
            &specs(&["pid", "tname", "time", "ucmd"]),
            5,
            UNLIMITED,
            false,
        );
        assert_eq!(l.header(), "  PID TTY          TIME CMD");
        let l = Layout::new(&specs(&["oomadj", "pid"]), 5, UNLIMITED, false);
        assert_eq!(l.header(), "OOMADJ  PID");
        let l = Layout::new(&specs(&["wcbytes", "pid"]), 5, UNLIMITED, false);
        assert_eq!(l.header(), "WCBYTES PID");
        let l = Layout::new(
            &specs(&[
                "user",
                "pid",
                "%cpu",
                "%mem",
                "vsz",
                "rss",
                "tname",
                "stat",
                "start_time",
                "bsdtime",
                "args",
            ]),
            5,
            UNLIMITED,
            false,
        );
        assert_eq!(
            l.header(),
            "USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"
        );
    }

    #[test]
    fn long_values_push_the_line() {
        let l = Layout::new(
            &specs(&["pid", "tname", "time", "ucmd"]),
            5,
            UNLIMITED,
            false,
        );
        assert_eq!(
            l.line(&cells(&["1", "?", "00:00:06", "process_api"])),
            "    1 ?        00:00:06 process_api"
        );
        // -l's ADDR (one wide) then SZ: `- 11521`.
        let l = Layout::new(&specs(&["addr_1", "sz"]), 5, UNLIMITED, false);
        assert_eq!(l.line(&cells(&["-", "11521"])), "- 11521");
        let l = Layout::new(&specs(&["m_size", "pid"]), 5, UNLIMITED, false);
        assert_eq!(l.header(), " SIZE   PID");
        assert_eq!(l.line(&cells(&["48668672", "1"])), "48668672  1");
    }

    #[test]
    fn text_columns_are_cut_to_their_room() {
        let l = Layout::new(&specs(&["pid", "args", "comm"]), 5, UNLIMITED, false);
        let line = l.line(&cells(&["1", &"x".repeat(40), "sh"]));
        assert_eq!(line, format!("    1 {} sh", "x".repeat(27)));
        // On an 80-column screen the last column gets the rest of the line.
        let l = Layout::new(&specs(&["pid", "args"]), 5, 80, false);
        let line = l.line(&cells(&["1", &"y".repeat(100)]));
        assert_eq!(line.len(), 80);
        // A user name too long for its column ends in `+`.
        let l = Layout::new(&specs(&["user", "pid"]), 5, UNLIMITED, false);
        assert_eq!(l.line(&cells(&["systemd-network", "1"])), "systemd+     1");
    }

    #[test]
    fn signal_masks_are_wide_when_the_line_has_room() {
        let l = Layout::new(&specs(&["pid", "blocked"]), 5, UNLIMITED, false);
        assert!(l.wide_signals);
        assert_eq!(l.header(), "  PID          BLOCKED");
        let l = Layout::new(
            &specs(&[
                "uid", "pid", "pending", "blocked", "ignored", "caught", "stat", "tname",
                "bsdtime", "args",
            ]),
            5,
            80,
            false,
        );
        assert!(!l.wide_signals);
        assert_eq!(
            l.header(),
            "  UID   PID   PENDING   BLOCKED   IGNORED    CAUGHT STAT TTY        TIME COMMAND"
        );
    }
}
