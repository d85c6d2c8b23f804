//! The ps keywords: one table that gives each keyword its header, the files
//! it needs, its text (exactly as ps prints it) and its sort order.

use std::cmp::Ordering;

use super::kinship::Kind;
use super::psfmt;
use super::sched;
use super::state;
use crate::model::{Needs, Snapshot, StatusNeed, Task, ThreadNeed};

/// A value that can be printed. Every keyword maps to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Pid,
    Lwp,
    Ppid,
    Pgid,
    Sid,
    Tpgid,
    Tty,
    User,
    Ruser,
    Uid,
    Ruid,
    Stat,
    State,
    Nice,
    Pri,
    Priority,
    Opri,
    Rtprio,
    Class,
    Pcpu,
    Pmem,
    Vsz,
    Rss,
    Nlwp,
    Time,
    BsdTime,
    Etime,
    Etimes,
    Start,
    StartTime,
    Lstart,
    Psr,
    Comm,
    Args,
    Kind,
}

/// A keyword as typed after `-o`, with the header ps gives it.
#[derive(Debug, Clone, Copy)]
pub struct Keyword {
    pub name: &'static str,
    pub field: Field,
    pub header: &'static str,
}

const fn kw(name: &'static str, field: Field, header: &'static str) -> Keyword {
    Keyword {
        name,
        field,
        header,
    }
}

/// Every keyword pscope knows; names and headers are procps-ng ps's.
pub const KEYWORDS: &[Keyword] = &[
    kw("pid", Field::Pid, "PID"),
    kw("tgid", Field::Pid, "TGID"),
    kw("lwp", Field::Lwp, "LWP"),
    kw("tid", Field::Lwp, "TID"),
    kw("spid", Field::Lwp, "SPID"),
    kw("ppid", Field::Ppid, "PPID"),
    kw("pgid", Field::Pgid, "PGID"),
    kw("pgrp", Field::Pgid, "PGRP"),
    kw("sid", Field::Sid, "SID"),
    kw("sess", Field::Sid, "SESS"),
    kw("session", Field::Sid, "SESS"),
    kw("tpgid", Field::Tpgid, "TPGID"),
    kw("tty", Field::Tty, "TT"),
    kw("tt", Field::Tty, "TT"),
    kw("tname", Field::Tty, "TTY"),
    kw("user", Field::User, "USER"),
    kw("euser", Field::User, "EUSER"),
    kw("uname", Field::User, "USER"),
    kw("ruser", Field::Ruser, "RUSER"),
    kw("uid", Field::Uid, "UID"),
    kw("euid", Field::Uid, "EUID"),
    kw("ruid", Field::Ruid, "RUID"),
    kw("stat", Field::Stat, "STAT"),
    kw("state", Field::State, "S"),
    kw("s", Field::State, "S"),
    kw("ni", Field::Nice, "NI"),
    kw("nice", Field::Nice, "NI"),
    kw("pri", Field::Pri, "PRI"),
    kw("priority", Field::Priority, "PRI"),
    kw("opri", Field::Opri, "PRI"),
    kw("rtprio", Field::Rtprio, "RTPRIO"),
    kw("cls", Field::Class, "CLS"),
    kw("class", Field::Class, "CLS"),
    kw("policy", Field::Class, "POL"),
    kw("pol", Field::Class, "POL"),
    kw("%cpu", Field::Pcpu, "%CPU"),
    kw("pcpu", Field::Pcpu, "%CPU"),
    kw("%mem", Field::Pmem, "%MEM"),
    kw("pmem", Field::Pmem, "%MEM"),
    kw("vsz", Field::Vsz, "VSZ"),
    kw("vsize", Field::Vsz, "VSZ"),
    kw("rss", Field::Rss, "RSS"),
    kw("rssize", Field::Rss, "RSS"),
    kw("rsz", Field::Rss, "RSZ"),
    kw("nlwp", Field::Nlwp, "NLWP"),
    kw("thcount", Field::Nlwp, "THCNT"),
    kw("time", Field::Time, "TIME"),
    kw("cputime", Field::Time, "TIME"),
    kw("bsdtime", Field::BsdTime, "TIME"),
    kw("etime", Field::Etime, "ELAPSED"),
    kw("etimes", Field::Etimes, "ELAPSED"),
    kw("start", Field::Start, "STARTED"),
    kw("stime", Field::StartTime, "STIME"),
    kw("start_time", Field::StartTime, "START"),
    kw("lstart", Field::Lstart, "STARTED"),
    kw("psr", Field::Psr, "PSR"),
    kw("comm", Field::Comm, "COMMAND"),
    kw("ucmd", Field::Comm, "CMD"),
    kw("ucomm", Field::Comm, "COMMAND"),
    kw("args", Field::Args, "COMMAND"),
    kw("cmd", Field::Args, "CMD"),
    kw("command", Field::Args, "COMMAND"),
    kw("kind", Field::Kind, "KIND"),
];

pub fn keyword(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// The list of valid keywords, for error messages and help.
pub fn keyword_names() -> String {
    KEYWORDS
        .iter()
        .map(|k| k.name)
        .collect::<Vec<_>>()
        .join(" ")
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
        needs.status = StatusNeed::Ids;
        needs.cmdline = true;
    }
    if request.user_ids {
        needs.status = StatusNeed::Ids;
    }
    needs.owner |= request.owner;
    needs.threads = request.threads;
    needs
}

/// What a task's row needs besides the task itself.
pub struct RowContext<'a> {
    pub snapshot: &'a Snapshot,
    /// Escape text for a UTF-8 terminal (see [`psfmt::escape`]).
    pub utf8: bool,
}

/// A sortable form of a value.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum SortValue {
    Missing,
    Number(f64),
    Text(String),
}

impl SortValue {
    pub fn compare(&self, other: &SortValue) -> Ordering {
        self.partial_cmp(other).unwrap_or(Ordering::Equal)
    }
}

impl Field {
    /// The header of the first keyword that names this field.
    pub fn header(self) -> &'static str {
        KEYWORDS
            .iter()
            .find(|k| k.field == self)
            .map_or("?", |k| k.header)
    }

    /// Files beyond stat that this field needs.
    pub fn needs(self) -> Needs {
        let memory = Needs {
            status: StatusNeed::Memory,
            ..Needs::default()
        };
        let ids = Needs {
            status: StatusNeed::Ids,
            ..Needs::default()
        };
        match self {
            Field::User | Field::Ruser | Field::Uid | Field::Ruid => ids,
            Field::Stat | Field::Pmem | Field::Vsz | Field::Rss => memory,
            Field::Args => Needs {
                cmdline: true,
                ..Needs::default()
            },
            _ => Needs::default(),
        }
    }

    /// Right-aligned in a table (numbers), as ps aligns them.
    pub fn is_numeric(self) -> bool {
        !matches!(
            self,
            Field::Tty
                | Field::User
                | Field::Ruser
                | Field::Stat
                | Field::State
                | Field::Class
                | Field::Start
                | Field::StartTime
                | Field::Lstart
                | Field::Comm
                | Field::Args
                | Field::Kind
        )
    }

    /// The text ps prints for this field.
    pub fn text(self, task: &Task, kind: Kind, cx: &RowContext) -> String {
        let s = &task.stat;
        let sys = &cx.snapshot.system;
        let status = task.status.as_ref();
        let dash = || "-".to_string();
        match self {
            Field::Pid => task.tgid.to_string(),
            Field::Lwp => task.pid.to_string(),
            Field::Ppid => s.ppid.to_string(),
            Field::Pgid => s.pgrp.to_string(),
            Field::Sid => s.session.to_string(),
            Field::Tpgid => s.tpgid.to_string(),
            Field::Tty => psfmt::tty_name(s.tty_nr).unwrap_or_else(|| "?".into()),
            Field::User => task.euid().map_or_else(dash, |u| cx.snapshot.user_name(u)),
            Field::Ruser => task.ruid().map_or_else(dash, |u| cx.snapshot.user_name(u)),
            Field::Uid => task.euid().map_or_else(dash, |u| u.to_string()),
            Field::Ruid => task.ruid().map_or_else(dash, |u| u.to_string()),
            Field::Stat => state::stat_string(task),
            Field::State => s.state.to_string(),
            Field::Nice => sched::nice(task).map_or_else(dash, |n| n.to_string()),
            Field::Pri => sched::ps_pri(s.priority).to_string(),
            Field::Priority => s.priority.to_string(),
            Field::Opri => sched::ps_opri(s.priority).to_string(),
            Field::Rtprio => sched::rtprio(task).map_or_else(dash, |r| r.to_string()),
            Field::Class => sched::policy_name(s.policy).to_string(),
            Field::Pcpu => psfmt::percent_cpu(task.cpu_ticks(), s.starttime, sys),
            Field::Pmem => status.map_or_else(dash, |st| {
                psfmt::percent_mem(st.vm_rss_kb.unwrap_or(0), sys.mem_total_kb)
            }),
            Field::Vsz => status.map_or_else(dash, |st| st.vm_size_kb.unwrap_or(0).to_string()),
            Field::Rss => status.map_or_else(dash, |st| st.vm_rss_kb.unwrap_or(0).to_string()),
            Field::Nlwp => s.num_threads.to_string(),
            Field::Time => psfmt::cpu_time(task.cpu_ticks(), sys.hz),
            Field::BsdTime => psfmt::bsd_time(task.cpu_ticks(), sys.hz),
            Field::Etime => psfmt::elapsed(sys.elapsed_secs(s.starttime)),
            Field::Etimes => sys.elapsed_secs(s.starttime).to_string(),
            Field::Start => psfmt::start(sys.start_epoch(s.starttime), sys.now),
            Field::StartTime => psfmt::start_time(sys.start_epoch(s.starttime), sys.now),
            Field::Lstart => psfmt::long_start(sys.start_epoch(s.starttime)),
            Field::Psr => s.processor.map_or_else(dash, |p| p.to_string()),
            Field::Comm => psfmt::comm(&s.comm, cx.utf8),
            Field::Args => psfmt::args(task.cmdline.as_deref(), &s.comm, s.state == 'Z', cx.utf8),
            Field::Kind => kind.label().to_string(),
        }
    }

    /// The value to sort by: numbers as numbers, so that 10 follows 9.
    pub fn sort_value(self, task: &Task, kind: Kind, cx: &RowContext) -> SortValue {
        let s = &task.stat;
        let sys = &cx.snapshot.system;
        let num = |v: f64| SortValue::Number(v);
        let rss = task.status.as_ref().and_then(|st| st.vm_rss_kb);
        match self {
            Field::Tty => SortValue::Number(s.tty_nr as f64),
            Field::Pcpu => num(psfmt::cpu_per_mille(task.cpu_ticks(), s.starttime, sys) as f64),
            Field::Pmem | Field::Rss => rss.map_or(SortValue::Missing, |r| num(r as f64)),
            Field::Vsz => task
                .status
                .as_ref()
                .and_then(|st| st.vm_size_kb)
                .map_or(SortValue::Missing, |v| num(v as f64)),
            Field::Time | Field::BsdTime => num(task.cpu_ticks() as f64),
            Field::Etime | Field::Etimes => num(sys.elapsed_secs(s.starttime) as f64),
            // Earlier start first, as ps sorts start times.
            Field::Start | Field::StartTime | Field::Lstart => num(s.starttime as f64),
            field if field.is_numeric() => {
                let text = field.text(task, kind, cx);
                text.parse::<f64>()
                    .map_or(SortValue::Missing, SortValue::Number)
            }
            field => SortValue::Text(field.text(task, kind, cx)),
        }
    }
}

/// A resolved output column: what to print and under which header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub field: Field,
    pub header: String,
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
            let key = keyword(name).ok_or_else(|| UnknownKeyword(name.to_string()))?;
            let after = &rest_trimmed[end..];
            if let Some(header_and_rest) = after.strip_prefix('=') {
                // As in procps-ng: a header runs to the next comma.
                let end = header_and_rest.find(',').unwrap_or(header_and_rest.len());
                columns.push(Column {
                    field: key.field,
                    header: header_and_rest[..end].to_string(),
                });
                rest = &header_and_rest[end..];
                continue;
            }
            columns.push(Column {
                field: key.field,
                header: key.header.to_string(),
            });
            rest = after;
        }
    }
    Ok(columns)
}

/// One `--sort` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: Field,
    pub descending: bool,
}

pub fn parse_sort(spec: &str) -> Result<Vec<SortKey>, UnknownKeyword> {
    spec.split(',')
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (descending, name) = match item.as_bytes()[0] {
                b'-' => (true, &item[1..]),
                b'+' => (false, &item[1..]),
                _ => (false, item),
            };
            let key = keyword(name).ok_or_else(|| UnknownKeyword(name.to_string()))?;
            Ok(SortKey {
                field: key.field,
                descending,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_unique() {
        let mut names: Vec<&str> = KEYWORDS.iter().map(|k| k.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn columns_parse_lists_and_headers() {
        let cols = parse_columns(&["pid,ppid".into(), "comm=NAME OF IT".into()]).unwrap();
        let fields: Vec<Field> = cols.iter().map(|c| c.field).collect();
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
        assert!(e.to_string().contains("valid keywords: pid"));
        assert!(parse_sort("-bogus").is_err());
    }

    #[test]
    fn sort_keys_take_signs() {
        let keys = parse_sort("-%cpu,+pid,comm").unwrap();
        assert_eq!(keys.len(), 3);
        assert!(keys[0].descending && !keys[1].descending && !keys[2].descending);
    }
}
