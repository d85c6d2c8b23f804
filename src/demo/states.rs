//! `pscope demo states`: every STAT letter and modifier, produced live and
//! read back from /proc, or the reason it cannot be produced here.

use std::time::Duration;

use anyhow::Result;
use nix::sys::signal::{kill, Signal};
use nix::unistd::{self, Pid};
use serde_json::json;

use super::child::lock_one_page;
use super::narrate::stat_words;
use super::{ChildContext, ChildSetup, Lab};
use crate::analysis::state;
use crate::model::Task;
use crate::sys::vfork::vfork_and_wait;

/// How long to wait for a state to show in /proc.
const SETTLE: Duration = Duration::from_secs(3);

/// Busy work that checks the lifeline now and then: state R.
fn spin(cx: &ChildContext) -> i32 {
    loop {
        let mut x: u64 = 0;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        if cx.orphaned() {
            return 0;
        }
    }
}

/// Reports one letter: observed in /proc or explained.
fn report(
    lab: &mut Lab,
    letter: char,
    pid: Option<Pid>,
    task: Option<&Task>,
    note: &str,
) -> Result<bool> {
    let observed = task.map(state::stat_string);
    let seen = observed.as_deref().is_some_and(|s| {
        if state::state_code(letter).is_some() {
            s.starts_with(letter)
        } else {
            s[1..].contains(letter)
        }
    });
    let meaning = state::state_code(letter)
        .or_else(|| state::modifier_code(letter))
        .map_or("", |c| c.short);
    let message = match (&observed, seen) {
        (Some(stat), true) => format!(
            "{letter}: pid {} shows STAT {stat} — {} ({note})",
            pid.map_or(0, |p| p.as_raw()),
            task.map(stat_words).unwrap_or_default()
        ),
        (Some(stat), false) => format!(
            "{letter}: not observed; pid {} shows STAT {stat} ({note})",
            pid.map_or(0, |p| p.as_raw())
        ),
        (None, _) => format!("{letter}: not produced here: {note}"),
    };
    lab.say(
        "state",
        &message,
        json!({
            "letter": letter.to_string(),
            "meaning": meaning,
            "pid": pid.map(|p| p.as_raw()),
            "stat": observed,
            "observed": seen,
            "note": note,
        }),
    )?;
    lab.pause()?;
    Ok(seen)
}

fn stat_has(task: Option<&Task>, f: impl Fn(&str) -> bool) -> bool {
    task.map(state::stat_string).is_some_and(|s| f(&s))
}

pub fn run(lab: &mut Lab) -> Result<()> {
    lab.say(
        "intro",
        "Each STAT letter below is produced by a real process and read back from /proc/PID/stat \
         (and status, for L).",
        json!({}),
    )?;

    // R: a process that computes without stopping.
    let pid = lab.fork(ChildSetup::default(), spin)?;
    let task = lab.wait_until(pid, SETTLE, |t| stat_has(t, |s| s.starts_with('R')))?;
    report(
        lab,
        'R',
        Some(pid),
        task.as_ref(),
        "a loop that never waits",
    )?;
    kill(pid, Signal::SIGKILL)?;
    lab.reap(pid)?;

    // S: a process waiting for input that does not come.
    let sleeper = lab.fork(ChildSetup::default(), |cx| cx.idle())?;
    let task = lab.wait_until(sleeper, SETTLE, |t| stat_has(t, |s| s.starts_with('S')))?;
    report(
        lab,
        'S',
        Some(sleeper),
        task.as_ref(),
        "blocked in poll() on a pipe",
    )?;

    // D: a vfork() parent waits, uninterruptibly, until its child exits.
    let vfork_parent = lab.fork(ChildSetup::default(), |cx| {
        // The vfork child waits up to 20 s, or until pscope is gone.
        let _ = vfork_and_wait(cx.lifeline(), 20_000);
        cx.idle()
    })?;
    let task = lab.wait_until(vfork_parent, SETTLE, |t| {
        stat_has(t, |s| s.starts_with('D'))
    })?;
    report(
        lab,
        'D',
        Some(vfork_parent),
        task.as_ref(),
        "vfork() parent waiting for its child",
    )?;
    // End the vfork child (it is in the lab's group): the parent wakes.
    if let Some(child) = child_of(lab, vfork_parent) {
        lab.track(child);
        let _ = kill(child, Signal::SIGKILL);
    }

    // T: stopped by SIGSTOP, then back with SIGCONT.
    kill(sleeper, Signal::SIGSTOP)?;
    let task = lab.wait_until(sleeper, SETTLE, |t| stat_has(t, |s| s.starts_with('T')))?;
    report(lab, 'T', Some(sleeper), task.as_ref(), "kill -STOP")?;
    kill(sleeper, Signal::SIGCONT)?;
    let task = lab.wait_until(sleeper, SETTLE, |t| stat_has(t, |s| !s.starts_with('T')))?;
    let stat = task.as_ref().map(state::stat_string).unwrap_or_default();
    lab.say(
        "continued",
        &format!("kill -CONT: pid {sleeper} is back to STAT {stat}"),
        json!({"pid": sleeper.as_raw(), "stat": stat}),
    )?;

    // t: stopped under ptrace, as in a debugger.
    let traced = lab.fork(ChildSetup::default(), |cx| cx.idle())?;
    lab.wait_until(traced, SETTLE, |t| stat_has(t, |s| s.starts_with('S')))?;
    match nix::sys::ptrace::attach(traced) {
        Ok(()) => {
            lab.traced(traced);
            let _ = nix::sys::wait::waitpid(traced, Some(nix::sys::wait::WaitPidFlag::__WALL));
            let task = lab.wait_until(traced, SETTLE, |t| stat_has(t, |s| s.starts_with('t')))?;
            report(
                lab,
                't',
                Some(traced),
                task.as_ref(),
                "stopped by ptrace(PTRACE_ATTACH), as gdb does",
            )?;
            let _ = nix::sys::ptrace::detach(traced, None);
        }
        Err(e) => {
            report(
                lab,
                't',
                None,
                None,
                &format!("ptrace is not permitted here ({e})"),
            )?;
        }
    }

    // Z: a child that exited and is not yet waited for.
    let zombie = lab.fork(ChildSetup::default(), |_| 0)?;
    let task = lab.wait_until(zombie, SETTLE, |t| stat_has(t, |s| s.starts_with('Z')))?;
    report(
        lab,
        'Z',
        Some(zombie),
        task.as_ref(),
        "exited; the parent has not called wait() yet",
    )?;
    lab.reap(zombie)?;

    for (letter, why) in [
        ('I', "only kernel threads are idle (I)"),
        ('P', "only per-CPU kernel threads are parked (P)"),
        (
            'X',
            "a task is dead (X) only for an instant while it is removed",
        ),
    ] {
        let example = example_of(lab, letter);
        let note = match &example {
            Some(task) => format!(
                "{why}; for example {}({}) now",
                String::from_utf8_lossy(&task.stat.comm),
                task.pid
            ),
            None => why.to_string(),
        };
        report(lab, letter, None, None, &note)?;
    }

    // Modifiers.
    let niced = lab.fork(ChildSetup::default(), |cx| {
        let _ = rustix::process::setpriority_process(None, 5);
        cx.idle()
    })?;
    let task = lab.wait_until(niced, SETTLE, |t| stat_has(t, |s| s.contains('N')))?;
    report(lab, 'N', Some(niced), task.as_ref(), "nice 5")?;

    let high = lab.fork(ChildSetup::default(), |cx| cx.idle())?;
    match crate::control::renice::set_process_nice(high.as_raw(), -5) {
        Ok(()) => {
            let task = lab.wait_until(high, SETTLE, |t| stat_has(t, |s| s.contains('<')))?;
            report(lab, '<', Some(high), task.as_ref(), "nice -5")?;
        }
        Err(why) => {
            report(lab, '<', None, None, &format!("nice -5 was refused: {why}"))?;
        }
    }

    let locked = lab.fork(ChildSetup::default(), |cx| {
        if !lock_one_page() {
            return 3;
        }
        cx.idle()
    })?;
    let task = lab.wait_until(locked, SETTLE, |t| {
        stat_has(t, |s| s.contains('L')) || t.is_none_or(|t| t.stat.state == 'Z')
    })?;
    if task.as_ref().is_some_and(|t| t.stat.state != 'Z') {
        report(lab, 'L', Some(locked), task.as_ref(), "mlock() of one page")?;
    } else {
        report(lab, 'L', None, None, "mlock() was refused (RLIMIT_MEMLOCK)")?;
    }

    let leader = lab.fork(
        ChildSetup {
            join_group: false,
            ..ChildSetup::default()
        },
        |cx| {
            let _ = unistd::setsid();
            cx.idle()
        },
    )?;
    lab.track(leader);
    let task = lab.wait_until(leader, SETTLE, |t| stat_has(t, |s| s.contains('s')))?;
    report(
        lab,
        's',
        Some(leader),
        task.as_ref(),
        "called setsid(): a new session, led by itself",
    )?;

    let threaded = lab.fork(ChildSetup::default(), |cx| {
        // A second thread that, like the first, waits on the lifeline.
        std::thread::scope(|scope| {
            scope.spawn(|| cx.idle());
            cx.idle()
        })
    })?;
    let task = lab.wait_until(threaded, SETTLE, |t| stat_has(t, |s| s.contains('l')))?;
    report(
        lab,
        'l',
        Some(threaded),
        task.as_ref(),
        "started a second thread",
    )?;

    if in_foreground(lab) {
        let fg = lab.fork(
            ChildSetup {
                join_group: false,
                ..ChildSetup::default()
            },
            |cx| cx.idle(),
        )?;
        lab.track(fg);
        let task = lab.wait_until(fg, SETTLE, |t| stat_has(t, |s| s.contains('+')))?;
        report(
            lab,
            '+',
            Some(fg),
            task.as_ref(),
            "in the terminal's foreground process group",
        )?;
    } else {
        report(
            lab,
            '+',
            None,
            None,
            "pscope is not in the foreground process group of a terminal (it has no \
             controlling terminal, or runs in the background), so no process it starts can be",
        )?;
    }

    lab.say(
        "textbook",
        "Textbook models: the three-state model's running and ready are both R; blocked is S or D \
         (also I for kernel threads); the five-state model adds new (a process between fork() and \
         its first run, never visible here) and terminated (Z until the parent waits); T and t are \
         suspended, outside both models.",
        json!({
            "three_state": {"running": ["R"], "ready": ["R"], "blocked": ["S", "D", "I"]},
            "five_state": {"new": [], "running": ["R"], "ready": ["R"], "blocked": ["S", "D", "I"], "terminated": ["Z", "X"]},
            "outside": {"suspended": ["T", "t"]},
        }),
    )?;
    Ok(())
}

/// A child of `pid` as /proc shows it.
fn child_of(lab: &Lab, pid: Pid) -> Option<Pid> {
    let snapshot = lab.snapshot().ok()?;
    snapshot
        .tasks
        .iter()
        .find(|t| t.stat.ppid == pid.as_raw())
        .map(|t| Pid::from_raw(t.pid))
}

/// Some process now in state `letter`, to point at.
fn example_of(lab: &Lab, letter: char) -> Option<Task> {
    let snapshot = lab.snapshot().ok()?;
    snapshot.tasks.into_iter().find(|t| t.stat.state == letter)
}

/// Whether pscope is in the foreground process group of its controlling
/// terminal, by the rule ps applies for `+` (pgrp equals the terminal's
/// foreground group), whatever its output is connected to.
fn in_foreground(lab: &Lab) -> bool {
    lab.read(unistd::getpid(), false)
        .is_some_and(|t| t.stat.tty_nr != 0 && t.stat.tpgid > 0 && t.stat.pgrp == t.stat.tpgid)
}
