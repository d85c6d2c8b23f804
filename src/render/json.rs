//! The JSON schema. These types are kept apart from the model so that the
//! schema changes only on purpose; `SCHEMA_VERSION` counts such changes.

use serde::Serialize;

use crate::analysis::columns::{self, RowContext};
use crate::analysis::kinship::Kind;
use crate::analysis::{psfmt, state};
use crate::model::Task;
use crate::source::parse::split_cmdline;

pub const SCHEMA_VERSION: u32 = 1;

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
    serde_json::to_string_pretty(&serde_json::Value::Object(map))
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
    Ok(out)
}
