//! The columns and sort keys of a ps command line, as procps-ng 4.0.2
//! settles them once every option has been read: the `-o`, `-O`, `o`,
//! `O`, `--format`, `--sort` and `k` lists in the order given, then
//! `$PS_FORMAT`, then a standard format (generated for `-f -l -F ...`,
//! or one of BSD's fixed ones, adjusted by `-j -y -c -L -T -M`).
//!
//! Everything works on bytes: an argument that is not UTF-8 is looked up
//! as ps would look it up, and fails where ps fails.

use crate::analysis::keywords::{self, Keyword, Width};
use crate::analysis::psquery::{ColumnSpec, SortSpec};

/// The format options given (ps's "format flags"). Any two of them
/// conflict, except `-f` with `-l`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct FormatFlags(u16);

impl FormatFlags {
    /// `-f` (and `-F`).
    pub const UNIX_F: Self = Self(1);
    /// `-l`.
    pub const UNIX_L: Self = Self(1 << 1);
    pub const BSD_J: Self = Self(1 << 2);
    pub const BSD_L: Self = Self(1 << 3);
    pub const BSD_S: Self = Self(1 << 4);
    pub const BSD_U: Self = Self(1 << 5);
    pub const BSD_V: Self = Self(1 << 6);
    /// `X`: the old Linux register format.
    pub const OLD_X: Self = Self(1 << 7);
    /// `m` read in the BSD retry: the old Linux memory format.
    pub const OLD_M: Self = Self(1 << 8);
    /// `--context`.
    pub const CONTEXT: Self = Self(1 << 9);

    pub fn insert(&mut self, flag: Self) {
        self.0 |= flag.0;
    }

    pub fn contains(self, flag: Self) -> bool {
        self.0 & flag.0 == flag.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// The UNIX options that change a standard format (ps's "format
/// modifiers"). They cannot be used with a list of one's own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct SysvModifiers {
    /// `-c`: CLS and the other PRI in place of C, PRI and NI.
    pub sched_class: bool,
    /// `-j`: PGID and SID.
    pub jobs: bool,
    /// `-y`: no F, RSS in place of ADDR.
    pub rss_not_addr: bool,
    /// `-P`: PSR.
    pub psr: bool,
    /// `-M`, `-Z`, `Z`: LABEL first.
    pub label: bool,
    /// `-F`: SZ, RSS and PSR.
    pub extra_full: bool,
}

impl SysvModifiers {
    pub fn any(self) -> bool {
        self != Self::default()
    }
}

/// The thread options given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ThreadFlags {
    /// `H`
    pub bsd_h: bool,
    /// `m` (`M`)
    pub bsd_m: bool,
    /// `-m`
    pub unix_m: bool,
    /// `-L`
    pub unix_l: bool,
    /// `-T`
    pub unix_t: bool,
}

impl ThreadFlags {
    pub fn any(self) -> bool {
        self != Self::default()
    }

    /// `-L`/`-T` with `H`, `m` or `-m`: the LWP or SPID column must be
    /// added to the format for the rows to make sense.
    pub fn must_add_thread_column(self) -> bool {
        (self.unix_l || self.unix_t) && (self.bsd_h || self.bsd_m || self.unix_m)
    }
}

/// Which option gave a deferred list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListOption {
    /// `-o`, `o`, `--format`
    Format,
    /// `-O`: a format inside the SysV default columns.
    UnixPreloaded,
    /// `O`: BSD short sort codes if they can be, else a format inside the
    /// BSD default columns.
    BsdSortOrPreloaded,
    /// `--sort`, `k`
    LongSort,
}

/// A format or sort list, kept until every option has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Deferred {
    pub option: ListOption,
    pub text: Vec<u8>,
}

/// What decides the columns and the sort.
pub(super) struct FormatRequest<'a> {
    pub deferred: &'a [Deferred],
    pub flags: FormatFlags,
    pub modifiers: SysvModifiers,
    pub threads: ThreadFlags,
    /// Any forest option (`f`, `-H`, `--forest`).
    pub forest: bool,
    /// A BSD option or a bare PID was given (or this is the BSD retry).
    pub prefer_bsd: bool,
    pub ps_format: Option<&'a [u8]>,
}

/// The columns and the sort keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Settled {
    pub columns: Vec<ColumnSpec>,
    pub sort: Vec<SortSpec>,
    /// The warning line for a `$PS_FORMAT` that does not parse.
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FormatError {
    /// A message for `error: ...` and the usage text.
    Usage(String),
    /// ps stops at once with this line (no second pass, no usage).
    Internal(&'static str),
}

impl From<&str> for FormatError {
    fn from(message: &str) -> Self {
        FormatError::Usage(message.to_string())
    }
}

impl From<String> for FormatError {
    fn from(message: String) -> Self {
        FormatError::Usage(message)
    }
}

/// ps keeps the first "unknown user-defined format specifier" message it
/// makes, and gives that text for every later unknown name, even in the
/// BSD retry and for `$PS_FORMAT`. The parser keeps one of these for the
/// whole command line.
#[derive(Debug, Default)]
pub(super) struct UnknownName {
    first: Option<String>,
}

impl UnknownName {
    fn message(&mut self, name: &[u8]) -> String {
        self.first
            .get_or_insert_with(|| {
                let mut text = b"unknown user-defined format specifier \"".to_vec();
                text.extend_from_slice(name);
                text.push(b'"');
                // ps writes it into an 80-byte buffer.
                text.truncate(79);
                String::from_utf8_lossy(&text).into_owned()
            })
            .clone()
    }
}

/// Settles the columns and sort keys, as ps does after reading every
/// option (its `process_sf_options`).
pub(super) fn settle(
    request: &FormatRequest,
    unknown: &mut UnknownName,
) -> Result<Settled, FormatError> {
    let (columns, sort) = deferred_lists(request, unknown)?;
    let mut warning = None;
    let nothing_chosen = request.flags.is_empty() && !request.modifiers.any() && columns.is_empty();
    if nothing_chosen {
        if let Some(env) = request.ps_format.filter(|env| !env.is_empty()) {
            if request.threads.must_add_thread_column() {
                return Err(
                    "tell <procps@freelists.org> what you want (-L/-T, -m/m/H, and $PS_FORMAT)"
                        .into(),
                );
            }
            match format_list(env, unknown) {
                Ok(columns) => {
                    return Ok(Settled {
                        columns,
                        sort,
                        warning,
                    })
                }
                Err(message) => {
                    warning = Some(format!("warning: $PS_FORMAT ignored. ({message})"));
                }
            }
        }
    }
    let columns = if columns.is_empty() {
        standard_format(request)?
    } else {
        check_own_list(request)?;
        columns
    };
    Ok(Settled {
        columns,
        sort,
        warning,
    })
}

/// A list of one's own excludes format options and UNIX modifiers.
fn check_own_list(request: &FormatRequest) -> Result<(), FormatError> {
    if !request.flags.is_empty() {
        return Err("conflicting format options".into());
    }
    if request.modifiers.any() {
        return Err("can not use output modifiers with user-defined output".into());
    }
    if request.threads.must_add_thread_column() {
        return Err("-L/-T with H/m/-m and -o/-O/o/O is nonsense".into());
    }
    Ok(())
}

/// The deferred lists, read in command-line order: formats add up, and
/// one sort option at most.
fn deferred_lists(
    request: &FormatRequest,
    unknown: &mut UnknownName,
) -> Result<(Vec<ColumnSpec>, Vec<SortSpec>), FormatError> {
    let long_sort_given = request
        .deferred
        .iter()
        .any(|d| d.option == ListOption::LongSort);
    let mut columns = Vec::new();
    let mut sort = Vec::new();
    let mut format_seen = false;
    let mut sort_seen = false;
    for deferred in request.deferred {
        let text = deferred.text.as_slice();
        match deferred.option {
            ListOption::Format => {
                columns.extend(format_list(text, unknown)?);
                format_seen = true;
            }
            ListOption::UnixPreloaded => {
                if format_seen {
                    return Err("option -O can not follow other format options".into());
                }
                let own = format_list(text, unknown)?;
                columns.extend(preloaded(own, Preload::Sysv));
                format_seen = true;
            }
            ListOption::BsdSortOrPreloaded => {
                let as_sort = if long_sort_given || sort_seen {
                    Err("multiple sort options")
                } else {
                    check_short_sort(text, request.forest)
                };
                match as_sort {
                    Ok(()) => {
                        sort.extend(short_sort(text));
                        sort_seen = true;
                    }
                    Err(_) if format_seen => {
                        return Err("option O is neither first format nor sort order".into());
                    }
                    Err(sort_error) => {
                        let own = format_list(text, unknown).map_err(|_| sort_error)?;
                        columns.extend(preloaded(own, Preload::Bsd));
                        format_seen = true;
                    }
                }
            }
            ListOption::LongSort => {
                if sort_seen {
                    return Err("multiple sort options".into());
                }
                sort_seen = true;
                sort.extend(long_sort(text)?);
            }
        }
    }
    Ok((columns, sort))
}

// ---------------------------------------------------------------------
// Format lists

/// The separators of format and sort lists.
fn is_list_separator(byte: u8) -> bool {
    matches!(byte, b' ' | b',' | b'\t' | b'\n')
}

/// Splits a format or sort list into its items: no empty item, but one
/// trailing separator is allowed.
fn list_items<'t>(text: &'t [u8], improper: &'static str) -> Result<Vec<&'t [u8]>, &'static str> {
    let text = match text.split_last() {
        Some((last, rest)) if is_list_separator(*last) && !rest.is_empty() => rest,
        _ => text,
    };
    let items: Vec<&[u8]> = text.split(|b| is_list_separator(*b)).collect();
    if items.iter().any(|item| item.is_empty()) {
        return Err(improper);
    }
    Ok(items)
}

/// A format list (`-o`): `key`, `key=HEADER`, `key:WIDTH`, macros, or,
/// when that fails, AIX descriptors.
pub(super) fn format_list(
    text: &[u8],
    unknown: &mut UnknownName,
) -> Result<Vec<ColumnSpec>, String> {
    let mut columns = Vec::new();
    match plain_format_list(text, unknown, &mut columns) {
        Ok(()) => Ok(columns),
        Err(_) if looks_like_aix(text) => {
            // The columns read before the failure stay in front.
            columns.extend(aix_format(text)?);
            Ok(columns)
        }
        Err(message) => Err(message),
    }
}

fn plain_format_list(
    text: &[u8],
    unknown: &mut UnknownName,
    columns: &mut Vec<ColumnSpec>,
) -> Result<(), String> {
    for item in list_items(text, "improper format list")? {
        columns.extend(format_item(item, unknown)?);
    }
    Ok(())
}

/// One item: `name[:width][=header]`. The header runs to the end of the
/// item and may hold `=` and `:`; the width is read from the name part.
fn format_item(item: &[u8], unknown: &mut UnknownName) -> Result<Vec<ColumnSpec>, String> {
    let (name_part, header) = match item.iter().position(|&b| b == b'=') {
        Some(at) => (&item[..at], Some(&item[at + 1..])),
        None => (item, None),
    };
    let (name, width) = match name_part.iter().position(|&b| b == b':') {
        Some(at) => (&name_part[..at], Some(column_width(&name_part[at + 1..])?)),
        None => (name_part, None),
    };
    let mut columns = named_columns(name, header).ok_or_else(|| unknown.message(name))?;
    if let Some(width) = width {
        if columns.len() > 1 {
            return Err("can not set width for a macro (multi-column) format specifier".into());
        }
        columns[0].width = Some(width);
    }
    Ok(columns)
}

/// A `:WIDTH`: digits only, no leading zero, above zero (as C's `atoi`
/// reads it, so a huge number wraps like ps's does).
fn column_width(digits: &[u8]) -> Result<usize, &'static str> {
    const BAD: &str = "column widths must be unsigned decimal numbers";
    let all_digits = !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
    if !all_digits || digits[0] == b'0' {
        return Err(BAD);
    }
    let value = digits.iter().fold(0i64, |acc, d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    // atoi is strtol cast to int.
    let as_int = value as i32;
    usize::try_from(as_int).ok().filter(|&w| w > 0).ok_or(BAD)
}

/// The columns a name stands for: a keyword, or a macro of several.
fn named_columns(name: &[u8], header: Option<&[u8]>) -> Option<Vec<ColumnSpec>> {
    let name = std::str::from_utf8(name).ok()?;
    if let Some(keyword) = keywords::find(name) {
        return Some(vec![column(keyword, header)]);
    }
    let (_, list) = MACROS.iter().find(|(macro_name, _)| *macro_name == name)?;
    Some(
        list.split(',')
            .map(|key| column(keyword(key), header))
            .collect(),
    )
}

/// A column of a keyword, renamed or not. A new header widens a fixed
/// width to its length; a PID-sized width is widened by the listing,
/// which knows pid_max.
fn column(keyword: &'static Keyword, header: Option<&[u8]>) -> ColumnSpec {
    match header {
        None => ColumnSpec {
            keyword,
            header: keyword.header.to_string(),
            width: None,
        },
        Some(header) => ColumnSpec {
            keyword,
            header: String::from_utf8_lossy(header).into_owned(),
            width: match keyword.width {
                Width::Fixed(width) => Some(usize::from(width).max(header.len())),
                Width::Pid => None,
            },
        },
    }
}

/// A keyword the formats below name; they are all in the table.
fn keyword(name: &str) -> &'static Keyword {
    keywords::find(name).unwrap_or_else(|| panic!("ps keyword {name} missing from the table"))
}

fn columns_of(list: &str) -> Vec<ColumnSpec> {
    list.split(',')
        .map(|key| column(keyword(key), None))
        .collect()
}

/// ps's format macros: names `-o` accepts for several columns at once,
/// and the fixed BSD formats.
const MACROS: &[(&str, &str)] = &[
    ("DFMT", "pid,tname,state,cputime,cmd"),
    ("DefBSD", "pid,tname,stat,bsdtime,args"),
    ("DefSysV", "pid,tname,time,cmd"),
    ("END_BSD", "state,tname,cputime,comm"),
    ("END_SYS5", "state,tname,time,command"),
    ("F5FMT", "uname,pid,ppid,c,start,tname,time,cmd"),
    ("FB_", "pid,tt,stat,time,command"),
    ("FB_j", "user,pid,ppid,pgid,sess,jobc,stat,tt,time,command"),
    (
        "FB_l",
        "uid,pid,ppid,cpu,pri,nice,vsz,rss,wchan,stat,tt,time,command",
    ),
    (
        "FB_u",
        "user,pid,pcpu,pmem,vsz,rss,tt,stat,start,time,command",
    ),
    (
        "FB_v",
        "pid,stat,time,sl,re,pagein,vsz,rss,lim,tsiz,pcpu,pmem,command",
    ),
    ("FD_", "pid,tty,time,comm"),
    ("FD_f", "user,pid,ppid,start_time,tty,time,comm"),
    ("FD_fj", "user,pid,ppid,start_time,tty,time,pgid,sid,comm"),
    ("FD_j", "pid,tty,time,pgid,sid,comm"),
    (
        "FD_l",
        "flags,state,uid,pid,ppid,priority,nice,vsz,wchan,tty,time,comm",
    ),
    (
        "FD_lj",
        "flags,state,uid,pid,ppid,priority,nice,vsz,wchan,tty,time,pgid,sid,comm",
    ),
    (
        "FL5FMT",
        "f,state,uid,pid,ppid,pcpu,pri,nice,rss,wchan,start,time,command",
    ),
    ("FLASK_context", "pid,context,command"),
    ("HP_", "pid,tty,time,comm"),
    ("HP_f", "user,pid,ppid,cpu,stime,tty,time,args"),
    (
        "HP_fl",
        "flags,state,user,pid,ppid,cpu,intpri,nice,addr,sz,wchan,stime,tty,time,args",
    ),
    (
        "HP_l",
        "flags,state,uid,pid,ppid,cpu,intpri,nice,addr,sz,wchan,tty,time,comm",
    ),
    ("J390", "pid,sid,pgrp,tname,atime,args"),
    (
        "JFMT",
        "user,pid,ppid,pgid,sess,jobc,state,tname,cputime,command",
    ),
    (
        "L5FMT",
        "f,state,uid,pid,ppid,c,pri,nice,addr,sz,wchan,tt,time,ucmd",
    ),
    (
        "LFMT",
        "uid,pid,ppid,cp,pri,nice,vsz,rss,wchan,state,tname,cputime,command",
    ),
    (
        "OL_X",
        "pid,start_stack,esp,eip,timeout,alarm,stat,tname,bsdtime,args",
    ),
    (
        "OL_j",
        "ppid,pid,pgid,sid,tname,tpgid,stat,uid,bsdtime,args",
    ),
    (
        "OL_l",
        "flags,uid,pid,ppid,priority,nice,vsz,rss,wchan,stat,tname,bsdtime,args",
    ),
    (
        "OL_m",
        "pid,tname,majflt,minflt,m_trs,m_drs,m_size,m_swap,rss,m_share,vm_lib,m_dt,args",
    ),
    (
        "OL_s",
        "uid,pid,pending,sig_block,sig_ignore,caught,stat,tname,bsdtime,args",
    ),
    (
        "OL_u",
        "user,pid,pcpu,pmem,vsz,rss,tname,stat,start_time,bsdtime,args",
    ),
    (
        "OL_v",
        "pid,tname,stat,bsdtime,maj_flt,m_trs,m_drs,rss,pmem,args",
    ),
    ("RD_", "pid,tname,state,bsdtime,comm"),
    ("RD_f", "uid,pid,ppid,start_time,tname,bsdtime,args"),
    (
        "RD_fj",
        "uid,pid,ppid,start_time,tname,bsdtime,pgid,sid,args",
    ),
    ("RD_j", "pid,tname,state,bsdtime,pgid,sid,comm"),
    (
        "RD_l",
        "flags,state,uid,pid,ppid,priority,nice,wchan,tname,bsdtime,comm",
    ),
    (
        "RD_lj",
        "flags,state,uid,pid,ppid,priority,nice,wchan,tname,bsdtime,pgid,sid,comm",
    ),
    (
        "RUSAGE",
        "minflt,majflt,nswap,inblock,oublock,msgsnd,msgrcv,nsigs,nvcsw,nivcsw",
    ),
    ("SCHED", "user,pcpu,pri,usrpri,nice,psxpri,psr,policy,pset"),
    (
        "SFMT",
        "uid,pid,cursig,sig,sigmask,sigignore,sigcatch,stat,tname,command",
    ),
    ("Std_f", "uid_hack,pid,ppid,c,stime,tname,time,cmd"),
    (
        "Std_fl",
        "f,s,uid_hack,pid,ppid,c,opri,ni,addr,sz,wchan,stime,tname,time,cmd",
    ),
    (
        "Std_l",
        "f,s,uid,pid,ppid,c,opri,ni,addr,sz,wchan,tname,time,ucmd",
    ),
    ("THREAD", "user,pcpu,pri,scnt,wchan,usertime,systime"),
    (
        "UFMT",
        "uname,pid,pcpu,pmem,vsz,rss,tt,state,start,time,command",
    ),
    (
        "VFMT",
        "pid,tt,state,time,sl,pagein,vsz,rss,pcpu,pmem,command",
    ),
];

#[derive(Clone, Copy)]
enum Preload {
    /// `-O`
    Sysv,
    /// `O`
    Bsd,
}

/// `-O list` and `O list`: PID, the list, then a default tail.
fn preloaded(own: Vec<ColumnSpec>, preload: Preload) -> Vec<ColumnSpec> {
    let tail = match preload {
        Preload::Sysv => "state,tname,time,command",
        Preload::Bsd => "state,tname,cputime,comm",
    };
    let mut columns = columns_of("pid");
    columns.extend(own);
    columns.extend(columns_of(tail));
    columns
}

// ---------------------------------------------------------------------
// AIX descriptors

/// ps tries a failed list again as AIX descriptors when it holds a `%`.
fn looks_like_aix(text: &[u8]) -> bool {
    text.contains(&b'%')
}

/// The AIX descriptor letters: keyword and header.
const AIX_DESCRIPTORS: &[(u8, &str, &str)] = &[
    (b'C', "pcpu", "%CPU"),
    (b'G', "group", "GROUP"),
    (b'P', "ppid", "PPID"),
    (b'U', "user", "USER"),
    (b'a', "args", "COMMAND"),
    (b'c', "comm", "COMMAND"),
    (b'g', "rgroup", "RGROUP"),
    (b'n', "nice", "NI"),
    (b'p', "pid", "PID"),
    (b'r', "pgid", "PGID"),
    (b't', "etime", "ELAPSED"),
    (b'u', "ruser", "RUSER"),
    (b'x', "time", "TIME"),
    (b'y', "tty", "TTY"),
    (b'z', "vsz", "VSZ"),
];

/// An AIX format such as `%p %c` or `x %p`: descriptors, with at most one
/// character of other text before blanks. Text becomes a column of its
/// own. ps counts each descriptor twice when it sizes the list, so the
/// list ends with as many empty text columns as that count leaves over.
fn aix_format(text: &[u8]) -> Result<Vec<ColumnSpec>, String> {
    let mut left = aix_item_count(text)?;
    let mut columns = Vec::new();
    let mut rest = text;
    while left > 0 {
        left -= 1;
        if let Some(after_percent) = rest.strip_prefix(b"%") {
            let letter = *after_percent.first().unwrap_or(&0);
            if letter == b'%' {
                return Err("missing AIX field descriptor".into());
            }
            let (_, name, header) = AIX_DESCRIPTORS
                .iter()
                .find(|(code, _, _)| *code == letter)
                .ok_or("unknown AIX field descriptor")?;
            columns.push(column(keyword(name), Some(header.as_bytes())));
            rest = &after_percent[1..];
        } else {
            let length = rest.iter().position(|&b| b == b'%').unwrap_or(rest.len());
            columns.push(aix_text(&rest[..length]));
            rest = &rest[length..];
        }
    }
    Ok(columns)
}

/// Checks an AIX format and counts its items as ps does: one for text at
/// the start, two for each descriptor (its letter counts as text too).
fn aix_item_count(text: &[u8]) -> Result<usize, &'static str> {
    let mut bytes = text.iter().copied();
    let mut count = 0;
    let mut current = bytes.next();
    loop {
        // At the start, or just after a descriptor's letter.
        match current {
            None => return Ok(count),
            Some(b'%') => {}
            Some(_) => {
                count += 1;
                // Only blanks may follow the text, up to the next `%`.
                loop {
                    match bytes.next() {
                        None => return Ok(count),
                        Some(b' ') => continue,
                        Some(b'%') => break,
                        Some(_) => return Err("improper AIX field descriptor"),
                    }
                }
            }
        }
        // A `%`: a descriptor letter must follow.
        count += 1;
        current = bytes.next();
        if matches!(current, None | Some(b' ')) {
            return Err("missing AIX field descriptor");
        }
    }
}

fn aix_text(text: &[u8]) -> ColumnSpec {
    ColumnSpec {
        keyword: &keywords::AIX_TEXT,
        header: String::from_utf8_lossy(text).into_owned(),
        width: Some(text.len()),
    }
}

// ---------------------------------------------------------------------
// Sort lists

/// `--sort` and `k`: `[+|-]key` items, most significant first.
fn long_sort(text: &[u8]) -> Result<Vec<SortSpec>, &'static str> {
    list_items(text, "improper sort list")?
        .into_iter()
        .map(|item| {
            let (descending, name) = match item.split_first() {
                Some((b'-', name)) => (true, name),
                Some((b'+', name)) => (false, name),
                _ => (false, item),
            };
            let keyword = std::str::from_utf8(name)
                .ok()
                .and_then(keywords::find)
                .ok_or("unknown sort specifier")?;
            Ok(SortSpec {
                keyword,
                descending,
            })
        })
        .collect()
}

/// BSD `O` short sort codes and the keywords they stand for. `J` stands
/// for cstime, which is no keyword; `K` passes the check but stands for
/// nothing.
const SHORT_SORT_CODES: &[(u8, &str)] = &[
    (b'C', "pcpu"),
    (b'G', "tpgid"),
    (b'J', "cstime"),
    (b'M', "maj_flt"),
    (b'N', "cmaj_flt"),
    (b'P', "ppid"),
    (b'R', "resident"),
    (b'S', "share"),
    (b'T', "start_time"),
    (b'U', "uid"),
    (b'c', "cmd"),
    (b'f', "flags"),
    (b'g', "pgrp"),
    (b'j', "cutime"),
    (b'k', "utime"),
    (b'm', "min_flt"),
    (b'n', "cmin_flt"),
    (b'o', "session"),
    (b'p', "pid"),
    (b'r', "rss"),
    (b's', "size"),
    (b't', "tty"),
    (b'u', "user"),
    (b'v', "vsize"),
    (b'y', "priority"),
];

/// Whether an `O` argument can be short sort codes: known characters,
/// each letter once, a sign before a letter, and no PPID sort in a forest.
fn check_short_sort(text: &[u8], forest: bool) -> Result<(), &'static str> {
    const BAD: &str = "bad sorting code";
    const ALLOWED: &[u8] = b"CGJKMNPRSTUcfgjkmnoprstuvy+-";
    if !text.iter().all(|b| ALLOWED.contains(b)) {
        return Err(BAD);
    }
    let mut seen = Vec::new();
    for (at, &byte) in text.iter().enumerate() {
        match byte {
            b'+' | b'-' => {
                if matches!(text.get(at + 1), None | Some(b'+') | Some(b'-')) {
                    return Err(BAD);
                }
            }
            _ => {
                if byte == b'P' && forest {
                    return Err("PPID sort and forest output conflict");
                }
                if seen.contains(&byte) {
                    return Err(BAD);
                }
                seen.push(byte);
            }
        }
    }
    Ok(())
}

/// The keys of checked short sort codes. Only the first letter and the
/// letters right after a sign take effect: ps gives the others no
/// direction, and its sort then leaves the order alone. A code without a
/// keyword ends the list quietly, as in ps.
fn short_sort(text: &[u8]) -> Vec<SortSpec> {
    let mut keys = Vec::new();
    let mut direction = Some(false);
    for &byte in text {
        match byte {
            b'+' => direction = Some(false),
            b'-' => direction = Some(true),
            code => {
                let keyword = SHORT_SORT_CODES
                    .iter()
                    .find(|(c, _)| *c == code)
                    .and_then(|(_, name)| keywords::find(name));
                let Some(keyword) = keyword else { break };
                if let Some(descending) = direction.take() {
                    keys.push(SortSpec {
                        keyword,
                        descending,
                    });
                }
            }
        }
    }
    keys
}

// ---------------------------------------------------------------------
// Standard formats

/// The format ps prints when no list was given.
fn standard_format(request: &FormatRequest) -> Result<Vec<ColumnSpec>, FormatError> {
    let flags = request.flags;
    let generated = [
        FormatFlags::default(),
        FormatFlags::UNIX_F,
        FormatFlags::UNIX_L,
        FormatFlags(FormatFlags::UNIX_F.0 | FormatFlags::UNIX_L.0),
    ];
    if generated.contains(&flags) {
        return generated_sysv(request).map_err(FormatError::from);
    }
    let macro_name = match flags {
        FormatFlags::BSD_J => "OL_j",
        FormatFlags::BSD_L => "OL_l",
        FormatFlags::BSD_S => "OL_s",
        FormatFlags::BSD_U => "OL_u",
        FormatFlags::BSD_V => "OL_v",
        FormatFlags::OLD_X => "OL_X",
        FormatFlags::OLD_M => "OL_m",
        FormatFlags::CONTEXT => "FLASK_context",
        _ => return Err("conflicting format options".into()),
    };
    let (_, list) = MACROS
        .iter()
        .find(|(name, _)| *name == macro_name)
        .expect("standard macro");
    adjust_fixed_format(columns_of(list), request)
}

/// The SysV format, column by column, as `-f -F -l -j -c -y -P -M -L -T`
/// ask for it.
fn generated_sysv(request: &FormatRequest) -> Result<Vec<ColumnSpec>, &'static str> {
    let full = request.flags.contains(FormatFlags::UNIX_F);
    let long = request.flags.contains(FormatFlags::UNIX_L);
    let m = request.modifiers;
    let t = request.threads;
    if m.rss_not_addr && !long {
        return Err("modifier -y without format -l makes no sense");
    }
    let mut keys: Vec<&str> = Vec::new();
    let mut add = |condition: bool, key: &'static str| {
        if condition {
            keys.push(key);
        }
    };
    add(m.label, "label");
    add(long && !m.rss_not_addr, "f");
    add(long, "s");
    add(full, "uid_hack");
    add(!full && long, "uid");
    add(true, "pid");
    add(t.unix_t, "spid");
    add(full || long, "ppid");
    add(m.jobs, "pgid");
    add(m.jobs, "sid");
    add(t.unix_l, "lwp");
    add(m.psr, "psr");
    add((full || long) && !m.sched_class, "c");
    add(t.unix_l && full, "nlwp");
    add(m.sched_class, "class");
    add(m.sched_class, "pri");
    add(!m.sched_class && long, "opri");
    add(!m.sched_class && long, "ni");
    add(long && m.rss_not_addr, "rss");
    add(long && !m.rss_not_addr, "addr_1");
    add(m.extra_full || long, "sz");
    add(long, "wchan");
    // -Fly already has RSS in place of ADDR; -FP already has PSR.
    add(m.extra_full && !(long && m.rss_not_addr), "rss");
    add(m.extra_full && !m.psr, "psr");
    add(full, "stime");
    add(true, "tname");
    if request.prefer_bsd {
        add(!long, "stat");
        add(true, "bsdtime");
        add(full || long, "cmd");
        add(!(full || long), "args");
    } else {
        add(true, "time");
        add(full, "cmd");
        add(!full, "ucmd");
    }
    Ok(keys
        .into_iter()
        .map(|key| column(keyword(key), None))
        .collect())
}

/// A fixed (BSD or context) format, changed by the UNIX modifiers and
/// thread options as ps changes it: by finding columns by their header.
fn adjust_fixed_format(
    mut columns: Vec<ColumnSpec>,
    request: &FormatRequest,
) -> Result<Vec<ColumnSpec>, FormatError> {
    let m = request.modifiers;
    let t = request.threads;
    if m.jobs {
        if !insert_after(&mut columns, "PPID", "pgid") {
            insert_after(&mut columns, "PID", "pgid");
        }
        insert_after(&mut columns, "PGID", "sid");
    }
    if m.rss_not_addr {
        remove(&mut columns, "F");
        if insert_after(&mut columns, "ADDR", "rss") {
            remove(&mut columns, "ADDR");
        }
    }
    if m.sched_class {
        for header in ["%CPU", "CPU", "CP", "C", "NI"] {
            remove(&mut columns, header);
        }
        if !insert_after(&mut columns, "PRI", "class") {
            return Err(FormatError::Internal(
                "ps:src/ps/sortformat.c:900: internal error: no PRI for -c option",
            ));
        }
        remove(&mut columns, "PRI");
        insert_after(&mut columns, "CLS", "pri");
    }
    if t.unix_t && !insert_after(&mut columns, "PID", "spid") && t.must_add_thread_column() {
        return Err("-T with H/-m/m but no PID for SPID to follow".into());
    }
    if t.unix_l {
        let placed = ["SID", "SESS", "PGID", "PGRP", "PPID", "PID"]
            .iter()
            .any(|header| insert_after(&mut columns, header, "lwp"));
        if !placed && t.must_add_thread_column() {
            return Err("-L with H/-m/m but no PID/PGID/SID/SESS for NLWP to follow".into());
        }
        insert_after(&mut columns, "%CPU", "nlwp");
    }
    if m.label {
        columns.insert(0, column(keyword("label"), None));
    }
    Ok(columns)
}

/// Puts the keyword's column after the first column with this header.
fn insert_after(columns: &mut Vec<ColumnSpec>, header: &str, key: &str) -> bool {
    match columns.iter().position(|c| c.header == header) {
        Some(at) => {
            columns.insert(at + 1, column(keyword(key), None));
            true
        }
        None => false,
    }
}

/// Removes the first column with this header.
fn remove(columns: &mut Vec<ColumnSpec>, header: &str) -> bool {
    match columns.iter().position(|c| c.header == header) {
        Some(at) => {
            columns.remove(at);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_the_tables_name_exists() {
        for (_, list) in MACROS {
            for key in list.split(',') {
                assert!(keywords::find(key).is_some(), "{key}");
            }
        }
        for (_, key, _) in AIX_DESCRIPTORS {
            assert!(keywords::find(key).is_some(), "{key}");
        }
        let without_keyword: Vec<u8> = SHORT_SORT_CODES
            .iter()
            .filter(|(_, key)| keywords::find(key).is_none())
            .map(|(code, _)| *code)
            .collect();
        assert_eq!(without_keyword, b"J");
    }

    #[test]
    fn aix_items_are_counted_as_ps_counts_them() {
        assert_eq!(aix_item_count(b"%p %c"), Ok(4));
        assert_eq!(aix_item_count(b"%c%p"), Ok(4));
        assert_eq!(aix_item_count(b"x%p"), Ok(3));
        assert_eq!(aix_item_count(b"x  %p  "), Ok(3));
        assert_eq!(aix_item_count(b"%p%"), Err("missing AIX field descriptor"));
        assert_eq!(aix_item_count(b"% p"), Err("missing AIX field descriptor"));
        assert_eq!(
            aix_item_count(b"%p,%c"),
            Err("improper AIX field descriptor")
        );
        let headers: Vec<String> = aix_format(b"%c%p")
            .unwrap()
            .into_iter()
            .map(|c| c.header)
            .collect();
        assert_eq!(headers, ["COMMAND", "PID", "", ""]);
        assert_eq!(
            aix_format(b"%%p"),
            Err("missing AIX field descriptor".into())
        );
    }

    #[test]
    fn column_widths() {
        assert_eq!(column_width(b"7"), Ok(7));
        assert_eq!(column_width(b"120"), Ok(120));
        for bad in [
            &b""[..],
            b"0",
            b"05",
            b"x",
            b"3:4",
            b"-1",
            b"99999999999999999999",
        ] {
            assert!(column_width(bad).is_err(), "{bad:?}");
        }
        // atoi keeps the low 32 bits of what strtol read.
        assert_eq!(column_width(b"4294967297"), Ok(1));
    }

    #[test]
    fn short_sort_codes_are_checked_before_use() {
        assert_eq!(check_short_sort(b"+p-P", false), Ok(()));
        assert_eq!(check_short_sort(b"pid", false), Err("bad sorting code"));
        assert_eq!(check_short_sort(b"pp", false), Err("bad sorting code"));
        assert_eq!(check_short_sort(b"p-", false), Err("bad sorting code"));
        assert_eq!(check_short_sort(b"+-p", false), Err("bad sorting code"));
        assert_eq!(
            check_short_sort(b"P", true),
            Err("PPID sort and forest output conflict")
        );
        let keys: Vec<(&str, bool)> = short_sort(b"-Cr+t")
            .iter()
            .map(|s| (s.keyword.name, s.descending))
            .collect();
        assert_eq!(keys, [("pcpu", true), ("tty", false)]);
    }

    #[test]
    fn items_of_lists() {
        assert_eq!(
            list_items(b"a,b c\td\ne", "x"),
            Ok(vec![&b"a"[..], b"b", b"c", b"d", b"e"])
        );
        assert_eq!(list_items(b"a,", "x"), Ok(vec![&b"a"[..]]));
        assert_eq!(list_items(b"a,,", "x"), Err("x"));
        assert_eq!(list_items(b",", "x"), Err("x"));
        assert_eq!(list_items(b"", "x"), Err("x"));
    }
}
