//! Turning analysed data into text: tables, trees, reports and JSON.
//! Renderers write into any `Write`; only [`to_stdout`] touches stdout.

pub mod explain;
pub mod files;
pub mod json;
pub mod orphans;
pub mod pshelp;
pub mod pslayout;
pub mod renice;
pub mod schema;
pub mod show;
pub mod table;
pub mod top;
pub mod tree;
pub mod why;
pub mod zombies;

use std::io::{self, BufWriter, IsTerminal, Write};

use crate::analysis::kinship::Kind;

/// The environment variables that change output, read once so that tests
/// can supply their own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub no_color: bool,
    pub columns: Option<usize>,
    pub utf8_locale: bool,
}

impl Env {
    pub fn from_process() -> Self {
        Env {
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            columns: std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse().ok()),
            utf8_locale: crate::analysis::psfmt::locale_is_utf8(),
        }
    }
}

/// When to color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// pstree's width when it has neither a terminal nor COLUMNS.
const PSTREE_WIDTH: usize = 132;

/// Output settings, decided once from flags, environment and terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Maximum line width of a listing in cells; `None` for no limit.
    pub width: Option<usize>,
    /// Where a tree's lines are cut: pstree cuts also when not writing to a
    /// terminal. `None` for no limit.
    pub tree_width: Option<usize>,
    /// Escape names for a UTF-8 locale (see `psfmt::escape`).
    pub utf8: bool,
    /// Draw trees with Unicode line characters.
    pub unicode_lines: bool,
}

impl Style {
    /// `width`: `Some(0)` means unlimited. On a terminal the default is its
    /// width (or COLUMNS); elsewhere a listing is never cut unless asked,
    /// and a tree is cut at COLUMNS or 132 columns, as pstree does.
    pub fn resolve(color: ColorChoice, width: Option<usize>, env: &Env, tty: bool) -> Style {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !env.no_color,
        };
        let listing_width = match width {
            Some(0) => None,
            Some(w) => Some(w),
            None if tty => env.columns.or_else(terminal_width).or(Some(80)),
            None => None,
        };
        let tree_width = match width {
            Some(0) => None,
            Some(w) => Some(w),
            None => Some(
                env.columns
                    .or(if tty { listing_width } else { None })
                    .unwrap_or(PSTREE_WIDTH),
            ),
        };
        Style {
            color,
            width: listing_width,
            tree_width,
            utf8: env.utf8_locale,
            unicode_lines: tty && env.utf8_locale,
        }
    }

    /// No color, no width limit, UTF-8 names: for text that is not a
    /// listing on a terminal (a demo's measurements).
    pub fn plain() -> Style {
        Style {
            color: false,
            width: None,
            tree_width: None,
            utf8: true,
            unicode_lines: false,
        }
    }
}

/// The terminal's width, when stdout is one.
pub fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size_of(io::stdout())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
        .filter(|&w| w > 0)
}

pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// How a row or a mark is colored on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    /// Zombies.
    Alert,
    /// Orphans and other things worth a look.
    Notice,
}

impl Tone {
    /// The terminal's escape sequence that starts this tone, if any.
    pub fn ansi(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Alert => Some("\x1b[31m"),
            Tone::Notice => Some("\x1b[33m"),
        }
    }
}

/// Ends a tone or a bold stretch.
pub const ANSI_RESET: &str = "\x1b[0m";
pub const ANSI_BOLD: &str = "\x1b[1m";

/// The tone of a process by its verdict.
pub fn tone(kind: Kind) -> Tone {
    match kind {
        Kind::Zombie => Tone::Alert,
        Kind::Orphan => Tone::Notice,
        _ => Tone::Plain,
    }
}

/// Writes to stdout through a buffer. A closed pipe (`| head`) is not an
/// error: the reader has what it wanted.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes finished text to stdout.
pub fn emit(text: &str) -> io::Result<()> {
    to_stdout(|out| out.write_all(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_and_width_follow_terminal_and_environment() {
        let env = Env {
            no_color: false,
            columns: Some(100),
            utf8_locale: true,
        };
        let s = Style::resolve(ColorChoice::Auto, None, &env, true);
        assert!(s.color && s.width == Some(100) && s.unicode_lines);
        let s = Style::resolve(ColorChoice::Auto, None, &env, false);
        assert!(!s.color && s.width.is_none() && !s.unicode_lines);
        let no_color = Env {
            no_color: true,
            ..env.clone()
        };
        assert!(!Style::resolve(ColorChoice::Auto, None, &no_color, true).color);
        assert!(Style::resolve(ColorChoice::Always, None, &no_color, false).color);
        assert_eq!(
            Style::resolve(ColorChoice::Auto, Some(0), &env, true).width,
            None
        );
        assert_eq!(
            Style::resolve(ColorChoice::Never, Some(40), &env, false).width,
            Some(40)
        );
    }

    #[test]
    fn trees_are_cut_as_pstree_cuts_them() {
        let env = Env::default();
        let piped = Style::resolve(ColorChoice::Never, None, &env, false);
        assert_eq!(piped.tree_width, Some(132));
        let columns = Env {
            columns: Some(70),
            ..Env::default()
        };
        let piped = Style::resolve(ColorChoice::Never, None, &columns, false);
        assert_eq!((piped.width, piped.tree_width), (None, Some(70)));
        let unlimited = Style::resolve(ColorChoice::Never, Some(0), &columns, false);
        assert_eq!(unlimited.tree_width, None);
        let asked = Style::resolve(ColorChoice::Never, Some(50), &columns, true);
        assert_eq!(asked.tree_width, Some(50));
    }
}
