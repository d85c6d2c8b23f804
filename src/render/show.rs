//! `show`: one process in full, as text or as one JSON record.

use std::io;

use super::schema::{self, ProcessRecord, Relative, Shown, SignalsRecord, VerdictRecord};
use super::table::{self, Row};
use super::{Style, Tone};
use crate::analysis::columns::{Field, RowContext};
use crate::analysis::kinship::{Kind, Verdict};
use crate::analysis::{psfmt, sched, signals, state};
use crate::model::{SignalMasks, Task};

/// Everything `show` says about a process.
pub struct Facts<'a> {
    pub task: &'a Task,
    pub kind: Kind,
    /// Where /proc/PID/exe and cwd point, or why they cannot be read.
    pub exe: &'a io::Result<String>,
    pub cwd: &'a io::Result<String>,
    /// Parent first.
    pub ancestry: &'a [&'a Task],
    pub children: &'a [&'a Task],
    pub threads: &'a [Task],
    pub verdict: &'a Verdict,
}

pub fn record(f: &Facts, rows: &RowContext) -> Shown {
    Shown {
        process: ProcessRecord::new(f.task, f.kind, rows),
        exe: f.exe.as_ref().ok().cloned(),
        cwd: f.cwd.as_ref().ok().cloned(),
        ancestry: f.ancestry.iter().map(|t| Relative::of(t)).collect(),
        children: f.children.iter().map(|t| Relative::of(t)).collect(),
        threads: f
            .threads
            .iter()
            .map(|t| ProcessRecord::new(t, Kind::Normal, rows))
            .collect(),
        verdict: VerdictRecord {
            kind: f.verdict.kind.name(),
            explanation: f.verdict.explanation.clone(),
        },
        signals: masks(f.task).map(SignalsRecord::new),
    }
}

fn masks(task: &Task) -> Option<&SignalMasks> {
    task.more_status().signals.as_ref()
}

/// The signal dispositions that matter for the lesson, in words.
fn signals_text(masks: &SignalMasks) -> String {
    let list = |mask: u64| {
        let names: Vec<String> = signals::in_mask(mask)
            .into_iter()
            .map(signals::name)
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(" ")
        }
    };
    let chld = if signals::mask_has(masks.ignored, signals::SIGCHLD) {
        "SIGCHLD ignored: the kernel reaps its children at once, none become zombies"
    } else if signals::mask_has(masks.caught, signals::SIGCHLD) {
        "SIGCHLD caught: a handler runs when a child ends (and should wait() for it)"
    } else {
        "SIGCHLD default: its children stay zombies until it calls wait()"
    };
    format!(
        "{chld}; ignored: {}; caught: {}; blocked: {}; pending: {}",
        list(masks.ignored),
        list(masks.caught),
        list(masks.blocked),
        list(masks.pending | masks.shared_pending)
    )
}

fn link_text(link: &io::Result<String>) -> String {
    match link {
        Ok(path) => path.clone(),
        Err(e) => format!("(not readable: {})", e.kind()),
    }
}

pub fn text(f: &Facts, rows: &RowContext, style: &Style) -> String {
    let task = f.task;
    let s = &task.stat;
    let field = |field: Field| field.plain_text(task, Kind::Normal, rows);
    let named = |t: &Task| format!("{}({})", psfmt::comm(&t.stat.comm, rows.utf8), t.pid);
    let user = |uid: Option<u32>| uid.map_or("?".into(), |u| rows.snapshot.user_name(u));
    let number = |uid: Option<u32>| uid.map_or("?".into(), |u| u.to_string());
    let mut lines: Vec<(&str, String)> = Vec::new();
    lines.push(("name", field(Field::Comm)));
    lines.push(("command", field(Field::Args)));
    lines.push(("executable", link_text(f.exe)));
    lines.push(("directory", link_text(f.cwd)));
    lines.push((
        "ids",
        format!(
            "pid {}  ppid {}  pgid {}  sid {}  tpgid {}  tty {}",
            task.tgid,
            s.ppid,
            s.pgrp,
            s.session,
            s.tpgid,
            rows.snapshot
                .terminals
                .of(task.pid, s.tty_nr)
                .unwrap_or(if s.tty_nr == 0 { "-" } else { "?" })
        ),
    ));
    lines.push((
        "user",
        format!(
            "{} (uid {}), real {} (uid {})",
            user(task.euid()),
            number(task.euid()),
            user(task.ruid()),
            number(task.ruid()),
        ),
    ));
    let mut stat = format!("{}  ", state::stat_string(task));
    stat.push_str(&format!(
        "{} {}",
        s.state,
        state::state_code(s.state).map_or("unknown state", |c| c.short)
    ));
    for m in state::modifiers(task) {
        if let Some(code) = state::modifier_code(m) {
            stat.push_str(&format!("; {m} {}", code.short));
        }
    }
    lines.push(("state", stat));
    lines.push(("textbook", state::textbook_state_of(task).to_string()));
    lines.push((
        "scheduling",
        format!(
            "nice {}  priority {} (pri {})  policy {}  rtprio {}",
            sched::nice(task).map_or("-".into(), |n| n.to_string()),
            s.priority,
            sched::ps_pri(s.priority),
            sched::policy_name(s.policy),
            sched::rtprio(task).map_or("-".into(), |r| r.to_string())
        ),
    ));
    let sys = &rows.snapshot.system;
    lines.push((
        "started",
        format!(
            "{} (elapsed {})",
            psfmt::iso8601(sys.start_epoch(s.starttime)),
            field(Field::Etime)
        ),
    ));
    lines.push((
        "cpu",
        format!("time {}  %CPU {}", field(Field::Time), field(Field::Pcpu)),
    ));
    let locked = task
        .status
        .as_ref()
        .map_or("-".into(), |st| st.vm_lck_kb.unwrap_or(0).to_string());
    lines.push((
        "memory",
        format!(
            "VSZ {} kB  RSS {} kB  locked {} kB  %MEM {}",
            field(Field::Vsz),
            field(Field::Rss),
            locked,
            field(Field::Pmem)
        ),
    ));
    let chain: Vec<String> = std::iter::once(task)
        .chain(f.ancestry.iter().copied())
        .map(named)
        .collect();
    lines.push(("ancestry", chain.join(" <- ")));
    let children: Vec<String> = f.children.iter().map(|c| named(c)).collect();
    lines.push((
        "children",
        if children.is_empty() {
            "none".into()
        } else {
            children.join(", ")
        },
    ));
    lines.push(("verdict", f.verdict.explanation.clone()));
    if let Some(status) = schema::exit_status(task, f.kind) {
        lines.push((
            "exit",
            format!("{status} (what its parent's wait() will report)"),
        ));
    }
    if let Some(masks) = masks(task) {
        lines.push(("signals", signals_text(masks)));
    }
    let mut out = String::new();
    for (key, value) in lines {
        out.push_str(&format!("{key:>11}  {value}\n"));
    }
    if !f.threads.is_empty() {
        let n = f.threads.len();
        out.push_str(&format!("\n{n} thread{}:\n", if n == 1 { "" } else { "s" }));
        let headers = table::headers(&["TID", "STAT", "NI", "PRI", "TIME", "NAME"], &[0, 2, 3]);
        let table_rows = f
            .threads
            .iter()
            .map(|t| Row {
                cells: [
                    Field::Lwp,
                    Field::Stat,
                    Field::Nice,
                    Field::Pri,
                    Field::Time,
                    Field::Comm,
                ]
                .iter()
                .map(|f| f.plain_text(t, Kind::Normal, rows))
                .collect(),
                tone: Tone::Plain,
            })
            .collect();
        out.push_str(&table::render(&headers, table_rows, true, style));
    }
    out
}
