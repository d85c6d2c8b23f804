//! Turning analysed data into text: tables, trees and JSON. Renderers
//! build strings; only [`emit`] writes to stdout.

pub mod json;
pub mod table;
pub mod tree;

use std::io::{self, IsTerminal, Write};

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

/// Output settings, decided once from flags, environment and terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Maximum line width in cells; `None` for no limit.
    pub width: Option<usize>,
    /// Escape names for a UTF-8 locale (see `psfmt::escape`).
    pub utf8: bool,
    /// Draw trees with Unicode line characters.
    pub unicode_lines: bool,
}

impl Style {
    /// `width`: `Some(0)` means unlimited. On a terminal the default is its
    /// width (or COLUMNS); elsewhere nothing is cut unless asked.
    pub fn resolve(color: ColorChoice, width: Option<usize>, env: &Env, tty: bool) -> Style {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !env.no_color,
        };
        let width = match width {
            Some(0) => None,
            Some(w) => Some(w),
            None if tty => env.columns.or_else(terminal_width).or(Some(80)),
            None => None,
        };
        Style {
            color,
            width,
            utf8: env.utf8_locale,
            unicode_lines: tty && env.utf8_locale,
        }
    }
}

fn terminal_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the winsize struct we own.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        if libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) == 0 && ws.ws_col > 0 {
            Some(ws.ws_col as usize)
        } else {
            None
        }
    }
}

pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Writes the whole output at once. A closed pipe (`| head`) is not an
/// error: the reader has what it wanted.
pub fn emit(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
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
}
