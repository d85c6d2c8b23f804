//! `why`: what a process waits on and why it exists, as text or as one
//! JSON record; `why --all`: tasks counted by what they are doing.

use super::schema::{
    AncestorRecord, DescriptorRecord, WaitCountRecord, WaitRecord, WhyAllRecord, WhyRecord,
};
use super::table::{self, Row};
use super::{Style, Tone};
use crate::analysis::columns::RowContext;
use crate::analysis::files::Resolved;
use crate::analysis::kinship::zombie_advice;
use crate::analysis::waits::{Standing, Tally, WaitGroup};
use crate::analysis::{psfmt, signals, state, systemd};
use crate::model::{OpenFd, Task};

/// Everything `why` found about one process.
pub struct Facts<'a> {
    pub task: &'a Task,
    pub groups: Vec<WaitGroup>,
    pub standing: Standing,
    /// The descriptors its threads wait on, understood.
    pub descriptors: Vec<(OpenFd, Resolved)>,
    /// The process first, then its parent, up to PID 1.
    pub ancestry: Vec<&'a Task>,
    pub session_leader: Option<&'a Task>,
    pub cgroup: Option<Vec<u8>>,
    /// What could not be read, and why.
    pub unreadable: Vec<String>,
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Text made from names and paths, with control characters made harmless.
pub fn safe(text: &str) -> String {
    psfmt::escape(text.as_bytes(), true)
}

fn signal_name(signal: i32) -> String {
    format!("SIG{}", signals::name(signal))
}

/// What to do about a stopped process or a zombie.
fn advice(f: &Facts) -> Option<String> {
    let pid = f.task.pid;
    match &f.standing {
        Standing::Stopped { tracer: Some(t), .. } | Standing::Traced { tracer: Some(t) } => Some(
            format!("its tracer {t} resumes it (or ends the trace); kill -CONT {pid} continues a job-control stop"),
        ),
        Standing::Stopped { .. } => Some(format!(
            "kill -CONT {pid} (or fg/bg in the shell that started it) lets it run again"
        )),
        Standing::Zombie { parent } => Some(zombie_advice(*parent)),
        _ => None,
    }
}

fn unit_facts(cgroup: Option<&[u8]>) -> (Option<String>, Option<String>, Option<String>) {
    let Some(cg) = cgroup else {
        return (None, None, None);
    };
    use crate::analysis::keywords::Field;
    let unit = systemd::value(Field::Uunit, cg).or_else(|| systemd::value(Field::Unit, cg));
    (
        unit,
        systemd::value(Field::Slice, cg),
        systemd::lxc_name(cg),
    )
}

pub fn record(f: &Facts, rows: &RowContext) -> WhyRecord {
    let task = f.task;
    let s = &task.stat;
    let name_of = |pid: i32| {
        rows.snapshot
            .tasks
            .binary_search_by_key(&pid, |t| t.pid)
            .ok()
            .map_or_else(String::new, |i| lossy(&rows.snapshot.tasks[i].stat.comm))
    };
    let code = state::state_code(s.state);
    let (unit, slice, container) = unit_facts(f.cgroup.as_deref());
    WhyRecord {
        pid: task.pid,
        comm: lossy(&s.comm),
        args: psfmt::args(task.cmdline.as_deref(), &s.comm, s.state == 'Z', true),
        user: task.euid().map(|u| rows.snapshot.user_name(u)),
        stat: state::stat_string(task),
        state: s.state.to_string(),
        state_meaning: code.map_or("unknown", |c| c.short),
        textbook_state: state::textbook_state_of(task),
        stopped_by: match f.standing {
            Standing::Stopped {
                signal: Some(sig), ..
            } => Some(signal_name(sig)),
            _ => None,
        },
        tracer_pid: match f.standing {
            Standing::Stopped { tracer, .. } | Standing::Traced { tracer } => tracer,
            _ => task.more_status().tracer_pid.filter(|&t| t > 0),
        },
        zombie_parent: match f.standing {
            Standing::Zombie { parent } => Some(parent),
            _ => None,
        },
        advice: advice(f),
        waits: f.groups.iter().map(WaitRecord::new).collect(),
        descriptors: f
            .descriptors
            .iter()
            .map(|(o, r)| DescriptorRecord::new(task, o, r, &name_of))
            .collect(),
        ancestry: f
            .ancestry
            .iter()
            .map(|t| AncestorRecord::new(t, rows))
            .collect(),
        session: s.session,
        session_leader: f.session_leader.map(|l| lossy(&l.stat.comm)),
        pgid: s.pgrp,
        tty: psfmt::tty_name(s.tty_nr),
        unit,
        slice,
        container,
        unreadable: f.unreadable.clone(),
    }
}

/// A descriptor's target with what is at its other end, in words.
pub fn target_text(d: &DescriptorRecord) -> String {
    let mut text = match (&d.protocol, &d.socket_state) {
        (Some(protocol), Some(state)) => {
            let mut t = format!("{protocol} {state}");
            if let Some(local) = &d.local {
                t.push_str(&format!(" {local}"));
            }
            if let Some(remote) = &d.remote {
                t.push_str(&format!(" -> {remote}"));
            }
            t
        }
        _ => d.target.clone(),
    };
    let peers: Vec<String> = d
        .peers
        .iter()
        .map(|p| format!("{} {} (fd {}, {})", p.pid, p.comm, p.fd, p.end))
        .collect();
    if !peers.is_empty() {
        text.push_str(&format!("; other end: {}", peers.join(", ")));
    } else if d.target.starts_with("pipe:") {
        text.push_str("; no other process holds this pipe (or none that can be read)");
    }
    safe(&text)
}

pub fn text(f: &Facts, rows: &RowContext) -> String {
    let r = record(f, rows);
    let mut out = String::new();
    let line = |out: &mut String, key: &str, value: &str| {
        out.push_str(&format!("  {key:<10} {value}\n"));
    };
    out.push_str(&format!(
        "{} {}: {}\n",
        r.pid,
        psfmt::comm(&f.task.stat.comm, rows.utf8),
        safe(&r.args)
    ));
    line(
        &mut out,
        "state",
        &format!(
            "{}  {}; textbook: {}",
            r.stat, r.state_meaning, r.textbook_state
        ),
    );
    match &f.standing {
        Standing::Stopped { signal, tracer } => {
            let by = signal.map_or("a signal".to_string(), signal_name);
            let traced = tracer.map_or(String::new(), |t| format!(", traced by {t}"));
            line(&mut out, "stopped", &format!("by {by}{traced}"));
        }
        Standing::Traced { tracer } => {
            let by = tracer.map_or("its tracer".into(), |t| {
                format!(
                    "{t} {}",
                    rows.snapshot
                        .tasks
                        .iter()
                        .find(|x| x.pid == t)
                        .map_or(String::new(), |x| psfmt::comm(&x.stat.comm, rows.utf8))
                )
            });
            line(&mut out, "traced", &format!("stopped by {}", by.trim_end()));
        }
        Standing::Zombie { parent } => {
            line(
                &mut out,
                "zombie",
                &format!("exited; parent {parent} has not called wait() to reap it"),
            );
        }
        Standing::Normal => {}
    }
    if let Some(a) = &r.advice {
        line(&mut out, "remedy", a);
    }
    for (g, w) in f.groups.iter().zip(&r.waits) {
        let who = if g.tids.len() == 1 {
            format!("thread {}", g.tids[0])
        } else {
            format!("{} threads", g.tids.len())
        };
        let mut text = format!("{who}: {} {}", w.state, safe(&w.summary));
        if let Some(what) = w.waits_for {
            text.push_str(&format!(" (waits for {what})"));
        }
        if let Some(wchan) = &w.wchan {
            text.push_str(&format!("; kernel: {wchan}"));
        }
        if g.tids.len() > 1 && g.tids.len() <= 8 {
            let tids: Vec<String> = g.tids.iter().map(i32::to_string).collect();
            text.push_str(&format!(" [{}]", tids.join(" ")));
        }
        line(&mut out, "waits", &text);
        if let Some(stack) = &w.stack {
            line(&mut out, "stack", &stack.join(" <- "));
        }
    }
    for d in &r.descriptors {
        let fd = d.fd.map_or("-".into(), |n| n.to_string());
        line(
            &mut out,
            "fd",
            &format!(
                "{fd} {} {} {}",
                d.type_letter,
                d.access.as_deref().unwrap_or("?"),
                target_text(d)
            ),
        );
    }
    out.push_str("  why it exists:\n");
    for a in &r.ancestry {
        out.push_str(&format!(
            "    {:>7}  {}  {}\n",
            a.pid,
            a.start_time,
            safe(&a.args)
        ));
    }
    line(
        &mut out,
        "session",
        &format!(
            "{}{}, process group {}, terminal {}",
            r.session,
            r.session_leader
                .as_ref()
                .map_or(String::new(), |l| format!(" ({})", safe(l))),
            r.pgid,
            r.tty.as_deref().unwrap_or("none")
        ),
    );
    let mut placed = Vec::new();
    if let Some(u) = &r.unit {
        placed.push(format!("unit {u}"));
    }
    if let Some(s) = &r.slice {
        placed.push(format!("slice {s}"));
    }
    if let Some(c) = &r.container {
        placed.push(format!("container {c}"));
    }
    if !placed.is_empty() {
        line(&mut out, "cgroup", &safe(&placed.join(", ")));
    }
    line(
        &mut out,
        "user",
        r.user.as_deref().unwrap_or("not readable"),
    );
    for u in &r.unreadable {
        line(&mut out, "unreadable", u);
    }
    out
}

/// The rows of `why --all` as records.
pub fn count_records(tally: &Tally, all_states: bool) -> Vec<WaitCountRecord> {
    let samples = tally.samples.max(1) as f64;
    tally
        .rows(all_states)
        .into_iter()
        .map(|r| WaitCountRecord {
            state: r.state.to_string(),
            syscall: r.syscall,
            wchan: r.wchan,
            count: r.count,
            average: (r.count as f64 / samples * 100.0).round() / 100.0,
        })
        .collect()
}

pub fn all_record(tally: &Tally, seconds: f64, all_states: bool) -> WhyAllRecord {
    WhyAllRecord {
        samples: tally.samples,
        seconds,
        tasks: tally.tasks,
        all_states,
        counts: count_records(tally, all_states),
    }
}

pub fn all_text(tally: &Tally, seconds: f64, all_states: bool, style: &Style) -> String {
    let which = if all_states {
        "every state"
    } else {
        "active tasks (R and D) only; --all-states for all"
    };
    let mut out = format!(
        "{} tasks, {} sample{} over {:.1} s; {which}\n",
        tally.tasks,
        tally.samples,
        if tally.samples == 1 { "" } else { "s" },
        seconds
    );
    let headers = table::headers(&["AVG", "COUNT", "STATE", "SYSCALL", "WCHAN"], &[0, 1]);
    let rows = count_records(tally, all_states)
        .into_iter()
        .map(|r| Row {
            cells: vec![
                format!("{:.2}", r.average),
                r.count.to_string(),
                r.state,
                r.syscall,
                r.wchan,
            ],
            tone: Tone::Plain,
        })
        .collect();
    out.push_str(&table::render(&headers, rows, true, style));
    out
}
