//! What a ps command line asks for, as procps-ng ps understands it:
//! which processes, which columns, in which order, and how to lay them
//! out. The ps argument parser (`cli::ps_syntax`) builds it; the listing
//! (`commands::ps`) carries it out. Plain data, no I/O.

use super::keywords::Keyword;

/// A whole ps request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PsQuery {
    pub select: PsSelect,
    /// The columns, in order (a standard format, or `-o` lists).
    pub columns: Vec<ColumnSpec>,
    /// `--sort`, `k` or `O` keys, most significant first.
    pub sort: Vec<SortSpec>,
    pub threads: ThreadMode,
    pub forest: ForestMode,
    pub headers: Headers,
    pub modifiers: Modifiers,
    /// `w` and `-w` given this many times: 1 widens to 132 columns, 2 or
    /// more remove the limit.
    pub wide: u8,
    /// `--cols`, `--columns`, `--width`.
    pub columns_option: Option<usize>,
    /// `--rows`, `--lines`.
    pub rows_option: Option<usize>,
}

/// Which processes: procps's selection, evaluated per process by
/// `analysis::psselect`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PsSelect {
    /// `-e`, `-A`, `ax`: every process.
    pub all: bool,
    /// The simple selection as procps's 16-bit table, or `None` when the
    /// table is not consulted (every process, or lists alone). A process
    /// passes when bit `i` is set, where `i` adds 1 if its euid is ps's,
    /// 2 if it leads its session, 4 if it has no terminal and 8 if its
    /// terminal is ps's own (0 when ps has none).
    pub simple_bits: Option<u16>,
    /// Lists add up (a process matching any is shown).
    pub lists: Vec<SelectList>,
    /// `-N`, `--deselect`: everything else.
    pub negate: bool,
    /// `r`: only running (R) or uninterruptible (D) tasks.
    pub running_only: bool,
}

/// One selection list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectList {
    /// Matches the thread group ID.
    Pid(Vec<i32>),
    Ppid(Vec<i32>),
    Pgrp(Vec<i32>),
    Session(Vec<i32>),
    /// Terminal device numbers as `stat`'s tty_nr encodes them; 0 is "no
    /// terminal".
    Tty(Vec<i32>),
    Euid(Vec<u32>),
    Ruid(Vec<u32>),
    Egid(Vec<u32>),
    Rgid(Vec<u32>),
    /// Command names (at most 63 bytes kept, as ps keeps them).
    Command(Vec<Vec<u8>>),
    /// `-q`: these PIDs, in this order, and nothing else is read.
    QuickPid(Vec<i32>),
}

/// One output column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The value; `keywords::AIX_TEXT` for the literal text of an AIX
    /// format, which prints its header on every row.
    pub keyword: &'static Keyword,
    /// `-o key=HEADER` renames; otherwise the keyword's header.
    pub header: String,
    /// `-o key:N` sets the width; `key=HEADER` widens a fixed width to the
    /// header. `None` is the keyword's own width; for a `Width::Pid`
    /// keyword that is the largest of the digits of pid_max, the keyword's
    /// header and this header (as ps widens such a column).
    pub width: Option<usize>,
}

/// One sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    pub keyword: &'static Keyword,
    pub descending: bool,
}

/// How threads are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ThreadMode {
    /// One row per process.
    #[default]
    Off,
    /// `-L`: one row per thread, LWP (and NLWP) added to standard formats.
    UnixL,
    /// `-T`: one row per thread, SPID added.
    UnixT,
    /// `H`: threads as if they were processes.
    BsdH,
    /// `m` or `-m`: each process row followed by its thread rows.
    AfterProcess,
}

/// The hierarchy view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForestMode {
    #[default]
    Off,
    /// `f`, `--forest`: ASCII art (` \_ `).
    Art,
    /// `-H`: indentation only.
    Indent,
}

/// The header line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Headers {
    #[default]
    Once,
    /// `h`, `--no-headers`.
    None,
    /// `--headers`: repeated every page.
    Repeat,
}

/// BSD output modifiers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Modifiers {
    /// `c`: the command name (comm) in place of the command line.
    pub true_command: bool,
    /// `e`: the environment after the command.
    pub environment: bool,
    /// `n`: numeric user IDs and WCHAN.
    pub numeric: bool,
    /// `S`, `--cumulative`: dead children's CPU time counted in.
    pub cumulative: bool,
}
