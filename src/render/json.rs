//! The JSON schema. These types are kept apart from the model so that the
//! schema changes only on purpose; `SCHEMA_VERSION` counts such changes.

use serde::Serialize;

use crate::analysis::columns::{self, RowContext};
use crate::analysis::kinship::Kind;
use crate::analysis::{psfmt, state};
use crate::model::Task;
use crate::source::parse::split_cmdline;

pub const SCHEMA_VERSION: u32 = 1;

/// Every field of a process object: name, JSON type, meaning. The man page
/// and README print this table; a test keeps it equal to [`ProcessRecord`].
pub const PROCESS_FIELDS: &[(&str, &str, &str)] = &[
    ("pid", "integer", "process ID (thread group ID)"),
    ("tid", "integer", "thread ID; equals pid on a process row"),
    ("ppid", "integer", "parent process ID"),
    ("pgid", "integer", "process group ID"),
    ("sid", "integer", "session ID"),
    (
        "tpgid",
        "integer",
        "foreground process group of the terminal, -1 without one",
    ),
    (
        "tty",
        "string|null",
        "terminal name such as pts/0, null without one",
    ),
    (
        "tty_nr",
        "integer",
        "terminal device number from /proc/PID/stat",
    ),
    ("uid", "integer|null", "effective user ID"),
    ("user", "string|null", "effective user name"),
    ("ruid", "integer|null", "real user ID"),
    ("ruser", "string|null", "real user name"),
    ("stat", "string", "STAT as ps prints it, e.g. Ssl+"),
    ("state", "string", "the state letter alone"),
    (
        "state_name",
        "string",
        "running, sleeping, disk-sleep, stopped, tracing-stop, zombie, dead, idle, parked",
    ),
    (
        "stat_flags",
        "array of string",
        "the STAT modifiers, one per element",
    ),
    (
        "nice",
        "integer|null",
        "nice value, null for real-time and idle policies (ps prints -)",
    ),
    ("priority", "integer", "raw kernel priority (ps priority)"),
    ("pri", "integer", "ps pri: 39 - priority"),
    (
        "rtprio",
        "integer|null",
        "real-time priority, null for the normal policy",
    ),
    (
        "policy",
        "string",
        "scheduling class: TS FF RR B ISO IDL DLN",
    ),
    ("num_threads", "integer", "number of threads"),
    (
        "cpu_percent",
        "number",
        "CPU time over lifetime, percent, truncated to 0.1 as ps",
    ),
    (
        "mem_percent",
        "number|null",
        "resident memory over MemTotal, percent",
    ),
    (
        "vsz_kb",
        "integer|null",
        "virtual memory size, KiB (VmSize)",
    ),
    ("rss_kb", "integer|null", "resident set size, KiB (VmRSS)"),
    ("locked_kb", "integer|null", "locked memory, KiB (VmLck)"),
    (
        "cpu_time_seconds",
        "number",
        "user + system CPU time, seconds",
    ),
    (
        "start_time",
        "string",
        "start time, ISO-8601 local time with UTC offset",
    ),
    (
        "start_seconds_since_boot",
        "number",
        "start time, seconds after boot",
    ),
    (
        "elapsed_seconds",
        "integer",
        "whole seconds since the start",
    ),
    ("comm", "string", "name (invalid UTF-8 becomes U+FFFD)"),
    (
        "cmdline",
        "array of string|null",
        "arguments, null when unreadable, empty for kernel threads",
    ),
    ("args", "string", "the command line as ps args prints it"),
    (
        "kind",
        "string",
        "normal, zombie, exited-main-thread or orphan",
    ),
];

/// One process (or thread) in every JSON output: `ps`, `tree`, `show`.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessRecord {
    pub pid: i32,
    /// Thread id; equals `pid` for a process row.
    pub tid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    pub tpgid: i32,
    /// Terminal name (`pts/0`), or null without one.
    pub tty: Option<String>,
    pub tty_nr: i32,
    pub uid: Option<u32>,
    pub user: Option<String>,
    pub ruid: Option<u32>,
    pub ruser: Option<String>,
    /// STAT as ps prints it, e.g. `Ssl+`.
    pub stat: String,
    /// The state letter alone.
    pub state: String,
    pub state_name: &'static str,
    /// The modifiers of `stat`, one string each.
    pub stat_flags: Vec<String>,
    /// Null for real-time and idle policies, where ps prints `-`.
    pub nice: Option<i64>,
    /// Raw kernel priority (ps `priority`).
    pub priority: i64,
    /// ps `pri`: 39 - priority.
    pub pri: i64,
    pub rtprio: Option<u32>,
    /// TS, FF, RR, B, ISO, IDL, DLN.
    pub policy: &'static str,
    pub num_threads: i64,
    pub cpu_percent: f64,
    pub mem_percent: Option<f64>,
    pub vsz_kb: Option<u64>,
    pub rss_kb: Option<u64>,
    pub locked_kb: Option<u64>,
    pub cpu_time_seconds: f64,
    /// ISO-8601 local time with offset.
    pub start_time: String,
    pub start_seconds_since_boot: f64,
    pub elapsed_seconds: u64,
    /// The name; bytes that are not UTF-8 become U+FFFD.
    pub comm: String,
    /// The arguments, or null when unreadable; empty for kernel threads.
    pub cmdline: Option<Vec<String>>,
    /// The command line as ps's `args` prints it.
    pub args: String,
    /// `normal`, `zombie`, `exited-main-thread` or `orphan`.
    pub kind: &'static str,
}

impl ProcessRecord {
    pub fn new(task: &Task, kind: Kind, cx: &RowContext) -> Self {
        let s = &task.stat;
        let sys = &cx.snapshot.system;
        let hz = sys.hz.max(1) as f64;
        let status = task.status.as_ref();
        let rss = status.map(|st| st.vm_rss_kb.unwrap_or(0));
        let stat = state::stat_string(task);
        ProcessRecord {
            pid: task.tgid,
            tid: task.pid,
            ppid: s.ppid,
            pgid: s.pgrp,
            sid: s.session,
            tpgid: s.tpgid,
            tty: psfmt::tty_name(s.tty_nr),
            tty_nr: s.tty_nr,
            uid: task.euid(),
            user: task.euid().map(|u| cx.snapshot.user_name(u)),
            ruid: task.ruid(),
            ruser: task.ruid().map(|u| cx.snapshot.user_name(u)),
            state: s.state.to_string(),
            state_name: state::state_code(s.state).map_or("unknown", |c| state_word(c.letter)),
            stat_flags: stat.chars().skip(1).map(String::from).collect(),
            stat,
            nice: columns::nice(task),
            priority: s.priority,
            pri: 39 - s.priority,
            rtprio: columns::rtprio(task),
            policy: columns::policy_name(s.policy),
            num_threads: s.num_threads,
            cpu_percent: psfmt::cpu_per_mille(s.utime + s.stime, s.starttime, sys) as f64 / 10.0,
            mem_percent: rss.map(|r| psfmt::mem_per_mille(r, sys.mem_total_kb) as f64 / 10.0),
            vsz_kb: status.map(|st| st.vm_size_kb.unwrap_or(0)),
            rss_kb: rss,
            locked_kb: status.map(|st| st.vm_lck_kb.unwrap_or(0)),
            cpu_time_seconds: (s.utime + s.stime) as f64 / hz,
            start_time: psfmt::iso8601(sys.start_epoch(s.starttime)),
            start_seconds_since_boot: s.starttime as f64 / hz,
            elapsed_seconds: sys.elapsed_secs(s.starttime),
            comm: String::from_utf8_lossy(&s.comm).into_owned(),
            cmdline: task.cmdline.as_ref().map(|raw| {
                split_cmdline(raw)
                    .into_iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect()
            }),
            args: psfmt::args(task.cmdline.as_deref(), &s.comm, s.state == 'Z', true),
            kind: match kind {
                Kind::Normal => "normal",
                other => other.label(),
            },
        }
    }
}

/// A one-word name for a state letter, for scripts.
pub fn state_word(letter: char) -> &'static str {
    match letter {
        'R' => "running",
        'S' => "sleeping",
        'D' => "disk-sleep",
        'T' => "stopped",
        't' => "tracing-stop",
        'Z' => "zombie",
        'X' => "dead",
        'I' => "idle",
        'P' => "parked",
        'W' => "paging",
        'K' => "wakekill",
        _ => "unknown",
    }
}

/// `{ "schema_version": 1, "<key>": value }` as one document.
pub fn document<T: Serialize>(key: &str, value: &T) -> serde_json::Result<String> {
    let mut map = serde_json::Map::new();
    map.insert("schema_version".into(), SCHEMA_VERSION.into());
    map.insert(key.into(), serde_json::to_value(value)?);
    serde_json::to_string_pretty(&serde_json::Value::Object(map)).map(terminal_safe)
}

/// JSON may carry C1 control characters (U+0080..U+009F) raw, and some
/// terminals act on them (U+009B starts an escape sequence); written as
/// `\u00XX` they mean the same to a parser and nothing to a terminal.
/// They can only occur inside strings, so replacing them is safe.
pub fn terminal_safe(text: String) -> String {
    if !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if ('\u{80}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// One object per line, each with `schema_version` first.
pub fn lines<T: Serialize>(items: &[T]) -> serde_json::Result<String> {
    let mut out = String::new();
    for item in items {
        let mut value = serde_json::to_value(item)?;
        if let serde_json::Value::Object(map) = &mut value {
            let mut with_version = serde_json::Map::new();
            with_version.insert("schema_version".into(), SCHEMA_VERSION.into());
            with_version.append(map);
            value = serde_json::Value::Object(with_version);
        }
        out.push_str(&serde_json::to_string(&value)?);
        out.push('\n');
    }
    Ok(terminal_safe(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Snapshot, SystemInfo, Task};

    #[test]
    fn c1_controls_are_escaped() {
        let raw = serde_json::to_string(&"a\u{9b}31m").unwrap();
        let safe = terminal_safe(raw);
        assert_eq!(safe, "\"a\\u009b31m\"");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\u{9b}31m");
    }

    #[test]
    fn documented_fields_are_the_serialized_fields() {
        let snapshot = Snapshot {
            system: SystemInfo {
                hz: 100,
                boot_time: 0,
                uptime: 10.0,
                now: 10,
                mem_total_kb: 1000,
            },
            tasks: Vec::new(),
            users: Default::default(),
            warnings: Vec::new(),
        };
        let cx = RowContext {
            snapshot: &snapshot,
            utf8: true,
        };
        let record = ProcessRecord::new(&Task::default(), Kind::Normal, &cx);
        let value = serde_json::to_value(&record).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let documented: Vec<&str> = PROCESS_FIELDS.iter().map(|f| f.0).collect();
        assert_eq!(keys, documented);
    }
}
