//! `pscope demo jobs`: job control on a pseudo-terminal of the demo's own,
//! so that it runs anywhere, a terminal or not. A small shell leads a
//! session with the terminal as its controlling terminal, and runs a
//! two-process pipeline in the foreground and a job in the background.
//! Then Ctrl-Z, the shell taking the terminal back, `bg`, a background read
//! stopped by SIGTTIN, and a hangup with the POSIX rule for orphaned
//! process groups, every fact read back from /proc.
//!
//! Nothing is left behind, whenever pscope ends: the shell is the lab's
//! child (PR_SET_PDEATHSIG); the jobs are its children, tracked by the lab
//! and watching the lifeline, but without PR_SET_PDEATHSIG, which would
//! kill them when the shell dies and hide the orphaned-group rule. A job
//! that is stopped cannot watch anything: when pscope dies, its master
//! side closes, the shell dies, and the stopped group, orphaned, gets
//! SIGHUP and SIGCONT from the kernel (the default SIGHUP ends the
//! pipeline; tty-reader, which blocks it, runs on to see the lifeline).

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use anyhow::Result;
use nix::sys::signal::{killpg, SigSet, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{self, Pid};
use serde_json::{json, Value};

use super::child::{default_action, fork_grandchild, ignore, name_self, wait_readable, write_to};
use super::narrate::{channel, Lines};
use super::{ChildContext, ChildSetup, Lab};
use crate::analysis::kinship::Kinship;
use crate::analysis::signals;
use crate::analysis::state;
use crate::model::Task;

const SETTLE: Duration = Duration::from_secs(5);
/// The columns of `ps -ajx`.
const AJX: [&str; 10] = [
    "ppid", "pid", "pgid", "sid", "tname", "tpgid", "stat", "uid", "time", "comm",
];
/// Ctrl-Z as the keyboard sends it: the terminal's VSUSP character.
const CTRL_Z: u8 = 0x1a;

/// The processes of the demo.
#[derive(Clone, Copy)]
struct Cast {
    shell: Pid,
    ticker: Pid,
    counter: Pid,
    reader: Pid,
}

impl Cast {
    fn all(&self) -> [Pid; 4] {
        [self.shell, self.ticker, self.counter, self.reader]
    }

    fn jobs(&self) -> [Pid; 3] {
        [self.ticker, self.counter, self.reader]
    }

    /// The pipeline's group, led by its first process.
    fn pipeline(&self) -> i32 {
        self.ticker.as_raw()
    }

    fn name(&self, pid: Pid) -> &'static str {
        if pid == self.shell {
            "lab-shell"
        } else if pid == self.ticker {
            "ticker"
        } else if pid == self.counter {
            "counter"
        } else {
            "tty-reader"
        }
    }
}

pub fn run(lab: &mut Lab) -> Result<()> {
    let me = unistd::getpid();
    let pty = match nix::pty::openpty(None, None) {
        Ok(pty) => pty,
        Err(e) => {
            lab.say(
                "no-terminal",
                &format!(
                    "No pseudo-terminal can be opened here ({e}: /dev/ptmx is missing or \
                     refused), so there is no terminal for job control to act on."
                ),
                json!({"error": e.desc()}),
            )?;
            return Ok(());
        }
    };
    let master = pty.master;
    let slave = pty.slave;
    // Orphans of the demo come to pscope, which reaps them itself.
    lab.become_subreaper()?;
    let (command_read, command_write) = channel()?;
    let (report_read, report_write) = channel()?;
    let (go_read, go_write) = channel()?;
    let shell = lab.fork(
        ChildSetup {
            join_group: false,
            ..ChildSetup::default()
        },
        |cx| {
            shell(
                cx,
                slave.as_fd(),
                command_read.as_fd(),
                report_write.as_fd(),
                go_read.as_fd(),
            )
        },
    )?;
    // It leads a session of its own, outside the lab's group.
    lab.track(shell);
    drop(slave);
    drop(command_read);
    drop(report_write);
    drop(go_read);
    let mut reports = Lines::new(report_read);
    let (_, line) = reports.until(lab, SETTLE, |l| {
        l.starts_with("jobs ") || l.starts_with("error ")
    })?;
    let line = line.unwrap_or_else(|| "error the shell did not start its jobs".into());
    if let Some(why) = line.strip_prefix("error ") {
        lab.say(
            "no-session",
            &format!(
                "The demo's shell could not set up its session on the pseudo-terminal: {why}."
            ),
            json!({"shell": shell.as_raw(), "error": why}),
        )?;
        return Ok(());
    }
    let pids: Vec<Pid> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|p| p.parse().ok())
        .map(Pid::from_raw)
        .collect();
    let [ticker, counter, reader] = pids[..] else {
        anyhow::bail!("the demo's shell reported {line:?}");
    };
    for pid in [ticker, counter, reader] {
        lab.track(pid);
    }
    let cast = Cast {
        shell,
        ticker,
        counter,
        reader,
    };
    let mut control = Shell {
        commands: command_write,
        reports,
        events: Vec::new(),
    };
    let fg = cast.pipeline();
    wait_all(lab, &cast.all(), |t| {
        t.stat.tpgid == fg && t.stat.state == 'S'
    })?;

    session(lab, &cast, me)?;
    ctrl_z(lab, &cast, &master, &mut control)?;
    take_terminal(lab, &cast, &mut control)?;
    background(lab, &cast, &mut control)?;
    sigttin(lab, &cast, &go_write, &mut control)?;
    hangup(lab, &cast, master, me)?;
    lab.say(
        "summary",
        "A session is a login's worth of processes, led by its shell and tied to one terminal; a \
         process group is one job (a pipeline is one group). The terminal's foreground group \
         (TPGID, + in STAT) gets the keyboard and the signals typed at it: Ctrl-Z sends SIGTSTP, \
         Ctrl-C SIGINT. The shell moves jobs with tcsetpgrp, and with SIGCONT for bg and fg; a \
         background job that reads the terminal is stopped with SIGTTIN. A hangup sends SIGHUP to \
         the session leader, and a process group orphaned with a stopped member gets SIGHUP then \
         SIGCONT, so that no job stays stopped with nobody left to continue it.",
        json!({}),
    )?;
    Ok(())
}

/// The lab's side of the shell: commands sent, and the job events the
/// shell reports from its waitpid(WUNTRACED | WCONTINUED).
struct Shell {
    commands: OwnedFd,
    reports: Lines,
    /// Reported events not yet looked at: (what, pid, signal or status).
    events: Vec<(String, i32, i32)>,
}

impl Shell {
    /// Sends a command and waits for the shell's answer.
    fn command(&mut self, lab: &Lab, command: &str) -> Result<String> {
        write_to(&self.commands, format!("{command}\n").as_bytes());
        let (before, answer) = self
            .reports
            .until(lab, SETTLE, |l| l.starts_with("done "))?;
        self.keep(before);
        Ok(answer.unwrap_or_else(|| "done no answer".into()))
    }

    fn keep(&mut self, lines: Vec<String>) {
        for line in lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [what, pid, n] = words[..] {
                if let (Ok(pid), Ok(n)) = (pid.parse(), n.parse()) {
                    self.events.push((what.to_string(), pid, n));
                }
            }
        }
    }

    /// Waits until the shell has reported `what` for every one of `pids`;
    /// returns the signal or status reported for each (`None` if not).
    fn reported(&mut self, lab: &Lab, what: &str, pids: &[Pid]) -> Result<Vec<Option<i32>>> {
        let until = Instant::now() + SETTLE;
        loop {
            let found: Vec<Option<i32>> = pids
                .iter()
                .map(|p| {
                    self.events
                        .iter()
                        .rev()
                        .find(|(w, pid, _)| w == what && *pid == p.as_raw())
                        .map(|e| e.2)
                })
                .collect();
            if found.iter().all(Option::is_some) || Instant::now() >= until {
                return Ok(found);
            }
            let lines = self.reports.ready();
            self.keep(lines);
            lab.sleep(Duration::from_millis(20))?;
        }
    }
}

/// Polls /proc until `check` holds for every process, or gives up.
fn wait_all(lab: &Lab, pids: &[Pid], check: impl Fn(&Task) -> bool) -> Result<Vec<Option<Task>>> {
    let until = Instant::now() + SETTLE;
    loop {
        lab.check()?;
        let tasks: Vec<Option<Task>> = pids.iter().map(|p| lab.read(*p, false)).collect();
        // Every process of this demo spends its time blocked or stopped; one
        // seen running is between two of its steps (a shell that has just
        // answered, a ticker writing), so it is read again.
        let settled = |t: &Task| check(t) && t.stat.state != 'R';
        if tasks.iter().all(|t| t.as_ref().is_some_and(settled)) || Instant::now() >= until {
            return Ok(tasks);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn stat_of(task: &Option<Task>) -> String {
    task.as_ref().map_or("gone".into(), state::stat_string)
}

/// `{"pid": .., "comm": .., "stat": ..}` for each process, as /proc shows it now.
fn states(lab: &Lab, cast: &Cast, pids: &[Pid]) -> Vec<Value> {
    let tasks = wait_all(lab, pids, |_| true).unwrap_or_default();
    pids.iter()
        .zip(tasks.into_iter().chain(std::iter::repeat(None)))
        .map(|(p, task)| {
            json!({
                "pid": p.as_raw(),
                "comm": cast.name(*p),
                "stat": task.as_ref().map(state::stat_string),
                "state": task.as_ref().map(|t| t.stat.state.to_string()),
                "pgid": task.as_ref().map(|t| t.stat.pgrp),
                "tpgid": task.as_ref().map(|t| t.stat.tpgid),
                "ppid": task.as_ref().map(|t| t.stat.ppid),
            })
        })
        .collect()
}

fn signal_name(signal: Option<i32>) -> String {
    signal.map_or("?".into(), |s| format!("SIG{}", signals::name(s)))
}

/// The ps -ajx view and each column explained with its live values.
fn session(lab: &mut Lab, cast: &Cast, me: Pid) -> Result<()> {
    let (table, records) = lab.table(&cast.all(), &AJX)?;
    let terminal = records[0]["tty"]
        .as_str()
        .map_or("?".to_string(), |t| format!("/dev/{t}"));
    lab.say(
        "session",
        &format!(
            "lab-shell ({}) called setsid() and made {terminal}, a pseudo-terminal pscope opened, \
             its controlling terminal (ioctl TIOCSCTTY). It runs a pipeline, ticker | counter, in \
             the foreground, and tty-reader in the background (&). As ps -ajx shows them:",
            cast.shell
        ),
        json!({"terminal": terminal, "shell": cast.shell.as_raw(), "processes": records}),
    )?;
    lab.show(&table)?;
    lab.pause()?;
    let values = |key: &str| -> Vec<Value> {
        records
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| json!({"pid": r["pid"], "comm": r["comm"], "value": r[key]}))
            .collect()
    };
    let record = |pid: Pid, key: &str| -> String {
        records
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["pid"] == pid.as_raw())
            .map_or("?".into(), |r| match &r[key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    };
    let g1 = cast.pipeline();
    let columns = [
        (
            "PPID",
            "ppid",
            format!(
                "PPID: lab-shell's parent is pscope ({me}); the jobs' parent is lab-shell ({}): a \
                 shell forks every command it runs.",
                record(cast.ticker, "ppid")
            ),
        ),
        ("PID", "pid", "PID: each process's own number.".to_string()),
        (
            "PGID",
            "pgid",
            format!(
                "PGID: ticker and counter share group {} (ticker's PID): a pipeline is one job, \
                 one process group. tty-reader has its own group {}, and lab-shell leads group {}.",
                record(cast.ticker, "pgid"),
                record(cast.reader, "pgid"),
                record(cast.shell, "pgid")
            ),
        ),
        (
            "SID",
            "sid",
            format!(
                "SID: all four are in session {}, lab-shell's PID: the process that called \
                 setsid() leads the session, and fork() passes the session on.",
                record(cast.shell, "sid")
            ),
        ),
        (
            "TTY",
            "tty",
            format!(
                "TTY: {} for all: lab-shell made it its controlling terminal, and its children \
                 inherit it.",
                record(cast.shell, "tty")
            ),
        ),
        (
            "TPGID",
            "tpgid",
            format!(
                "TPGID: {} on every line: the terminal's foreground process group, set by the \
                 shell with tcsetpgrp(); the group that reads the keyboard and gets Ctrl-C and \
                 Ctrl-Z. It is the pipeline's group ({g1}).",
                record(cast.shell, "tpgid")
            ),
        ),
        (
            "STAT",
            "stat",
            format!(
                "STAT: {} for lab-shell (s: session leader); {} and {} for ticker and counter (+: \
                 in the foreground group, PGID = TPGID); {} for tty-reader, a background job.",
                record(cast.shell, "stat"),
                record(cast.ticker, "stat"),
                record(cast.counter, "stat"),
                record(cast.reader, "stat")
            ),
        ),
        (
            "UID",
            "uid",
            format!(
                "UID: {}, the user each runs as, inherited through fork().",
                record(cast.shell, "uid")
            ),
        ),
        (
            "TIME",
            "cpu_time_seconds",
            "TIME: CPU time used so far; waiting costs none.".to_string(),
        ),
        (
            "COMMAND",
            "comm",
            "COMMAND: the name each gave itself (comm).".to_string(),
        ),
    ];
    for (column, key, text) in columns {
        lab.say(
            "column",
            &text,
            json!({"column": column, "values": values(key)}),
        )?;
    }
    lab.pause()
}

fn ctrl_z(lab: &mut Lab, cast: &Cast, master: &OwnedFd, shell: &mut Shell) -> Result<()> {
    let pipeline = [cast.ticker, cast.counter];
    let typed = rustix::io::write(master, &[CTRL_Z]).is_ok();
    let mut tasks = wait_all(lab, &pipeline, |t| t.stat.state == 'T')?;
    let mut by = "typed";
    if !tasks
        .iter()
        .all(|t| t.as_ref().is_some_and(|t| t.stat.state == 'T'))
    {
        // The terminal did not turn the byte into a signal (ISIG off?):
        // send what it would have sent.
        by = "sent";
        let _ = killpg(Pid::from_raw(cast.pipeline()), Signal::SIGTSTP);
        tasks = wait_all(lab, &pipeline, |t| t.stat.state == 'T')?;
    }
    let reported = shell.reported(lab, "stopped", &pipeline)?;
    let message = if by == "typed" {
        format!(
            "pscope types Ctrl-Z on the terminal (it writes byte 0x1a to the master side). The \
             terminal driver sends SIGTSTP to its foreground group {}: ticker is {} and counter {} \
             (T: stopped). The shell's waitpid(WUNTRACED) reports them stopped by {} and {}. \
             TPGID is still {}, so the stopped job keeps its +.",
            cast.pipeline(),
            stat_of(&tasks[0]),
            stat_of(&tasks[1]),
            signal_name(reported[0]),
            signal_name(reported[1]),
            tasks[0].as_ref().map_or(0, |t| t.stat.tpgid),
        )
    } else {
        format!(
            "Writing Ctrl-Z to the terminal stopped nothing here (its ISIG setting may be off), \
             so pscope sent SIGTSTP to group {} itself, as the driver would: ticker is {} and \
             counter {}.",
            cast.pipeline(),
            stat_of(&tasks[0]),
            stat_of(&tasks[1]),
        )
    };
    lab.say(
        "ctrl-z",
        &message,
        json!({
            "ctrl_z": by, "written_to_master": typed, "group": cast.pipeline(),
            "processes": states(lab, cast, &pipeline),
            "stopped_by": reported.iter().map(|s| s.map(|s| format!("SIG{}", signals::name(s)))).collect::<Vec<_>>(),
        }),
    )?;
    let (table, _) = lab.table(&cast.all(), &AJX)?;
    lab.show(&table)?;
    lab.pause()
}

fn take_terminal(lab: &mut Lab, cast: &Cast, shell: &mut Shell) -> Result<()> {
    let group = cast.shell.as_raw();
    let answer = shell.command(lab, &format!("fg {group}"))?;
    let tasks = wait_all(lab, &cast.all(), |t| t.stat.tpgid == group)?;
    let tpgid = tasks[0].as_ref().map(|t| t.stat.tpgid);
    lab.say(
        "take-terminal",
        &format!(
            "The shell takes the terminal back, as bash does before its next prompt: \
             tcsetpgrp(terminal, {group}), its own group{}. TPGID is now {} on every line; \
             the + has moved to lab-shell ({}), and ticker ({}) and counter ({}) lost it.",
            failed(&answer),
            tpgid.map_or("?".into(), |t| t.to_string()),
            stat_of(&tasks[0]),
            stat_of(&tasks[1]),
            stat_of(&tasks[2]),
        ),
        json!({"tcsetpgrp": group, "answer": answer, "tpgid": tpgid,
               "processes": states(lab, cast, &cast.all())}),
    )?;
    let (table, _) = lab.table(&cast.all(), &AJX)?;
    lab.show(&table)?;
    lab.pause()
}

fn background(lab: &mut Lab, cast: &Cast, shell: &mut Shell) -> Result<()> {
    let pipeline = [cast.ticker, cast.counter];
    let group = cast.pipeline();
    let answer = shell.command(lab, &format!("cont {group}"))?;
    let tasks = wait_all(lab, &pipeline, |t| t.stat.state != 'T')?;
    let reported = shell.reported(lab, "continued", &pipeline)?;
    lab.say(
        "bg",
        &format!(
            "bg: the shell sends SIGCONT to group {group}{}. ticker is {} and counter {}: \
             running again, without +, in the background; the shell's waitpid(WCONTINUED) \
             reports both continued.",
            failed(&answer),
            stat_of(&tasks[0]),
            stat_of(&tasks[1]),
        ),
        json!({"group": group, "answer": answer,
               "continued_reported": reported.iter().all(Option::is_some),
               "processes": states(lab, cast, &pipeline)}),
    )?;
    let (table, _) = lab.table(&cast.all(), &AJX)?;
    lab.show(&table)?;
    lab.pause()
}

/// Nothing when the shell's command succeeded, else why not.
fn failed(answer: &str) -> String {
    if answer.ends_with("succeeded") {
        String::new()
    } else {
        format!(" (which answered: {})", answer.trim_start_matches("done "))
    }
}

fn sigttin(lab: &mut Lab, cast: &Cast, go: &OwnedFd, shell: &mut Shell) -> Result<()> {
    write_to(go, b"read\n");
    let tasks = wait_all(lab, &[cast.reader], |t| t.stat.state == 'T')?;
    let reported = shell.reported(lab, "stopped", &[cast.reader])?;
    let syscall = match lab.reader().syscall(cast.reader.as_raw()) {
        Ok(crate::model::SyscallNow::Call { number, args }) => {
            Some((crate::analysis::syscalls::name(number), args[0]))
        }
        _ => None,
    };
    lab.say(
        "sigttin",
        &format!(
            "tty-reader ({}), in background group {}, now reads the terminal. The driver refuses a \
             read from the background: it sends SIGTTIN to the group, and tty-reader is {} \
             (stopped{}); the shell reports it stopped by {}, what bash prints as \"Stopped (tty \
             input)\".",
            cast.reader,
            cast.reader,
            stat_of(&tasks[0]),
            syscall
                .as_ref()
                .map_or(String::new(), |(name, fd)| format!(" inside {name}() on fd {fd}")),
            signal_name(reported[0]),
        ),
        json!({"pid": cast.reader.as_raw(), "processes": states(lab, cast, &[cast.reader]),
               "stopped_by": reported[0].map(|s| format!("SIG{}", signals::name(s))),
               "syscall": syscall.as_ref().map(|s| s.0.clone()), "syscall_fd": syscall.map(|s| s.1)}),
    )?;
    let (table, _) = lab.table(&cast.all(), &AJX)?;
    lab.show(&table)?;
    lab.pause()
}

fn hangup(lab: &mut Lab, cast: &Cast, master: OwnedFd, me: Pid) -> Result<()> {
    let before = states(lab, cast, &cast.jobs());
    drop(master);
    let raw = lab.reap_raw(cast.shell)?;
    lab.say(
        "hangup",
        &format!(
            "pscope closes the master side: the terminal hangs up, and the kernel sends SIGHUP \
             (and SIGCONT) to the session leader. lab-shell ends: waitpid says {}.",
            signals::describe_wait_status(raw)
        ),
        json!({"shell": cast.shell.as_raw(), "wait_status": raw,
               "described": signals::describe_wait_status(raw),
               "jobs_before": before}),
    )?;
    // The reader was stopped: its group, orphaned now, gets SIGHUP (which
    // it blocks, so as to live on and show it) and SIGCONT.
    let tasks = wait_all(lab, &cast.jobs(), |t| {
        t.stat.ppid == me.as_raw() && t.stat.state != 'T'
    })?;
    let masks = lab.signal_masks(cast.reader);
    let hup_pending = masks
        .is_some_and(|m| signals::mask_has(m.pending | m.shared_pending, Signal::SIGHUP as i32));
    let hup_blocked = masks.is_some_and(|m| signals::mask_has(m.blocked, Signal::SIGHUP as i32));
    let snapshot = lab.snapshot()?;
    let kinship = Kinship::new(&snapshot.tasks);
    let orphaned: Vec<i32> = kinship
        .orphaned_groups()
        .iter()
        .map(|g| g.pgid)
        .filter(|g| *g == cast.pipeline() || *g == cast.reader.as_raw())
        .collect();
    let adopter = tasks[0].as_ref().map(|t| t.stat.ppid);
    let reader_stat = stat_of(&tasks[2]);
    lab.say(
        "orphaned-groups",
        &format!(
            "Its jobs were adopted by pscope ({}), a subreaper for this demo, in another session: \
             the groups {} and {} have no member left with a parent in their session outside the \
             group; they are orphaned process groups (pscope orphans lists {}). POSIX: a group \
             orphaned with a stopped member gets SIGHUP, then SIGCONT. tty-reader was stopped: it \
             is {} now (continued by SIGCONT), and /proc/{}/status shows SIGHUP {} (it blocks \
             SIGHUP so as to live on and show it; with the default action it would have died). \
             The pipeline had no stopped member and got nothing: ticker and counter run on.",
            adopter.map_or("?".into(), |a| a.to_string()),
            cast.pipeline(),
            cast.reader,
            if orphaned.is_empty() {
                "neither".to_string()
            } else {
                orphaned
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            },
            reader_stat,
            cast.reader,
            if hup_pending {
                "pending"
            } else {
                "not pending"
            },
        ),
        json!({
            "adopter": adopter,
            "orphaned_groups": orphaned,
            "reader": cast.reader.as_raw(),
            "reader_stat": reader_stat,
            "reader_sighup_pending": hup_pending,
            "reader_sighup_blocked": hup_blocked,
            "processes": states(lab, cast, &cast.jobs()),
        }),
    )?;
    let (table, records) = lab.table(&cast.jobs(), &AJX)?;
    let no_tty = records
        .as_array()
        .is_some_and(|r| r.iter().all(|p| p["tty"].is_null() && p["tpgid"] == -1));
    lab.say(
        "after-hangup",
        &format!(
            "As ps -ajx shows them now: parent pscope, no terminal any more (TTY ?, TPGID -1){}.",
            if no_tty {
                ""
            } else {
                " — yet some still show one"
            }
        ),
        json!({"processes": records, "no_terminal": no_tty}),
    )?;
    lab.show(&table)?;
    lab.pause()
}

/// The demo's shell, in the child: a session of its own on the terminal,
/// three jobs, then commands from the lab and reports of its jobs' state
/// changes.
fn shell(
    cx: &ChildContext,
    slave: BorrowedFd<'_>,
    commands: BorrowedFd<'_>,
    report: BorrowedFd<'_>,
    go: BorrowedFd<'_>,
) -> i32 {
    name_self("lab-shell");
    let tell = |line: String| write_to(report, format!("{line}\n").as_bytes());
    if let Err(e) = unistd::setsid() {
        tell(format!("error setsid() failed: {e}"));
        return 1;
    }
    if let Err(e) = rustix::process::ioctl_tiocsctty(slave) {
        tell(format!("error ioctl(TIOCSCTTY) failed: {e}"));
        return 1;
    }
    let redirected = unistd::dup2_stdin(slave)
        .and_then(|_| unistd::dup2_stdout(slave))
        .and_then(|_| unistd::dup2_stderr(slave));
    if let Err(e) = redirected {
        tell(format!("error dup2() onto the terminal failed: {e}"));
        return 1;
    }
    // As every job-control shell: tcsetpgrp() from the background would
    // otherwise stop the shell itself.
    ignore(Signal::SIGTTOU);
    cx.keep_only(&[commands, report, go]);

    let Ok((pipe_read, pipe_write)) = unistd::pipe() else {
        tell("error pipe() failed".into());
        return 1;
    };
    let ticker = job(0, "ticker", || {
        cx.keep_only(&[pipe_write.as_fd()]);
        loop {
            write_to(&pipe_write, b"tick\n");
            if cx.wait_lifeline(Duration::from_millis(200)) {
                return 0;
            }
        }
    });
    let Some(ticker) = ticker else {
        tell("error fork() failed".into());
        return 1;
    };
    let counter = job(ticker.as_raw(), "counter", || {
        cx.keep_only(&[pipe_read.as_fd()]);
        let mut buf = [0u8; 256];
        loop {
            wait_readable(
                &[pipe_read.as_fd(), cx.lifeline()],
                Duration::from_secs(3600),
            );
            if cx.orphaned() {
                return 0;
            }
            if let Ok(0) = rustix::io::read(&pipe_read, &mut buf) {
                return 0;
            }
        }
    });
    drop((pipe_read, pipe_write));
    let reader = job(0, "tty-reader", || {
        cx.keep_only(&[go]);
        let mut hup = SigSet::empty();
        hup.add(Signal::SIGHUP);
        let _ = hup.thread_block();
        cx.wait_for_go(go, Duration::from_secs(3600));
        if cx.orphaned() {
            return 0;
        }
        // From the background, the terminal answers with SIGTTIN.
        let mut buf = [0u8; 64];
        let stdin = std::io::stdin();
        let _ = rustix::io::read(stdin.as_fd(), &mut buf);
        cx.idle()
    });
    let (Some(counter), Some(reader)) = (counter, reader) else {
        tell("error fork() failed".into());
        return 1;
    };
    let stdin = std::io::stdin();
    if let Err(e) = unistd::tcsetpgrp(stdin.as_fd(), ticker) {
        tell(format!("error tcsetpgrp() failed: {e}"));
        return 1;
    }
    tell(format!("jobs {ticker} {counter} {reader}"));

    let mut pending = Vec::new();
    loop {
        let ready = wait_readable(&[commands, cx.lifeline()], Duration::from_millis(20));
        while let Ok(status) = waitpid(
            Pid::from_raw(-1),
            Some(WaitPidFlag::WUNTRACED | WaitPidFlag::WCONTINUED | WaitPidFlag::WNOHANG),
        ) {
            let line = match status {
                WaitStatus::Stopped(pid, signal) => format!("stopped {pid} {}", signal as i32),
                WaitStatus::Continued(pid) => format!("continued {pid} 0"),
                WaitStatus::Exited(pid, code) => format!("exited {pid} {code}"),
                WaitStatus::Signaled(pid, signal, _) => format!("killed {pid} {}", signal as i32),
                _ => break,
            };
            tell(line);
        }
        if cx.orphaned() {
            return 0;
        }
        if !ready {
            continue;
        }
        let mut buf = [0u8; 128];
        match rustix::io::read(commands, &mut buf) {
            Ok(0) => return 0,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(_) => continue,
        }
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..end]).into_owned();
            tell(format!("done {}", obey(&line)));
        }
    }
}

/// One command of the lab's: `fg PGID` (tcsetpgrp) or `cont PGID`.
fn obey(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let group = |w: &str| w.parse::<i32>().ok().map(Pid::from_raw);
    match words[..] {
        ["fg", g] => match group(g) {
            Some(g) => match unistd::tcsetpgrp(std::io::stdin().as_fd(), g) {
                Ok(()) => format!("tcsetpgrp({g}) succeeded"),
                Err(e) => format!("tcsetpgrp({g}) failed: {e}"),
            },
            None => "bad group".into(),
        },
        ["cont", g] => match group(g) {
            Some(g) => match killpg(g, Signal::SIGCONT) {
                Ok(()) => format!("killpg({g}, SIGCONT) succeeded"),
                Err(e) => format!("killpg({g}, SIGCONT) failed: {e}"),
            },
            None => "bad group".into(),
        },
        _ => format!("unknown command {line:?}"),
    }
}

/// Forks a job into process group `group` (0: a new group it leads), as a
/// shell does: both the job and the shell call setpgid, so the group is
/// right whichever runs first. The job gets SIGTTOU's default back.
fn job(group: i32, comm: &str, body: impl FnOnce() -> i32) -> Option<Pid> {
    let pid = fork_grandchild(|| {
        let _ = unistd::setpgid(Pid::from_raw(0), Pid::from_raw(group));
        default_action(Signal::SIGTTOU);
        name_self(comm);
        body()
    })?;
    let leader = if group == 0 {
        pid
    } else {
        Pid::from_raw(group)
    };
    let _ = unistd::setpgid(pid, leader);
    Some(pid)
}
