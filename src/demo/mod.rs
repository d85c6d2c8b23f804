//! Live lab demonstrations: the only part of pscope that forks.
//!
//! A [`Lab`] narrates a timeline, shows what /proc says about the
//! processes involved, and guarantees that nothing is left behind:
//! - every child joins the lab's process group (unless a demo needs it
//!   elsewhere, then its PID is tracked), so one `killpg` ends them all;
//! - every child holds the read end of a "lifeline" pipe whose write end
//!   only this process holds: when pscope dies, even by SIGKILL, the pipe
//!   reaches end-of-file and every descendant that waits on it exits;
//! - direct children also get PR_SET_PDEATHSIG(SIGKILL);
//! - SIGINT and SIGTERM only set a flag; the lab notices it at its next
//!   wait, kills and reaps everything, and exits with 130 or 143;
//! - dropping the lab (also on an error) does the same cleanup.

pub mod fork;
pub mod nice;
pub mod orphan;
pub mod states;
pub mod zombie;

use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{self, ForkResult, Pid};
use serde_json::{json, Value};

use crate::analysis::columns::{Field, RowContext};
use crate::analysis::kinship::{Kind, Kinship};
use crate::model::{Snapshot, Task};
use crate::render::json::{ProcessRecord, SCHEMA_VERSION};
use crate::render::table::{self, Row};
use crate::render::Style;
use crate::source::{Needs, ProcReader, StatusNeed};

/// The signal that interrupted the lab, 0 while none has.
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    INTERRUPTED.store(signal, Ordering::SeqCst);
}

/// Why a demo stopped early.
#[derive(Debug)]
pub struct Interrupted(pub i32);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted by signal {}", self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Options every demo shares.
#[derive(Debug, Clone)]
pub struct LabOptions {
    pub pace: Duration,
    pub json: bool,
    pub style: Style,
}

/// What a forked child needs to know.
pub struct ChildSetup {
    /// Join the lab's process group (false: stay in pscope's group).
    pub join_group: bool,
    /// Die with the parent (false for a child meant to be orphaned).
    pub die_with_parent: bool,
}

impl Default for ChildSetup {
    fn default() -> Self {
        ChildSetup {
            join_group: true,
            die_with_parent: true,
        }
    }
}

pub struct Lab {
    topic: &'static str,
    start: Instant,
    options: LabOptions,
    reader: ProcReader,
    /// Direct children still to reap.
    children: Vec<Pid>,
    /// Other processes to kill at the end (grandchildren, session leaders).
    tracked: Vec<Pid>,
    group: Option<Pid>,
    lifeline_read: OwnedFd,
    lifeline_write: Option<OwnedFd>,
    subreaper: bool,
    traced: Vec<Pid>,
    out: std::io::Stdout,
}

impl Lab {
    pub fn new(topic: &'static str, options: LabOptions) -> Result<Lab> {
        let handler = SigAction::new(
            SigHandler::Handler(on_signal),
            SaFlags::empty(),
            SigSet::empty(),
        );
        // SAFETY: the handler only stores into an atomic.
        unsafe {
            signal::sigaction(Signal::SIGINT, &handler)?;
            signal::sigaction(Signal::SIGTERM, &handler)?;
            signal::sigaction(Signal::SIGHUP, &handler)?;
        }
        let (lifeline_read, lifeline_write) = unistd::pipe()?;
        Ok(Lab {
            topic,
            start: Instant::now(),
            options,
            reader: ProcReader::open(std::path::Path::new("/proc"))?,
            children: Vec::new(),
            tracked: Vec::new(),
            group: None,
            lifeline_read,
            lifeline_write: Some(lifeline_write),
            subreaper: false,
            traced: Vec::new(),
            out: std::io::stdout(),
        })
    }

    pub fn json(&self) -> bool {
        self.options.json
    }

    pub fn reader(&self) -> &ProcReader {
        &self.reader
    }

    fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Fails with [`Interrupted`] once SIGINT or SIGTERM arrived.
    pub fn check(&self) -> Result<()> {
        match INTERRUPTED.load(Ordering::SeqCst) {
            0 => Ok(()),
            signal => Err(Interrupted(signal).into()),
        }
    }

    /// Sleeps in small steps, noticing an interruption at once.
    pub fn sleep(&self, duration: Duration) -> Result<()> {
        let until = Instant::now() + duration;
        while Instant::now() < until {
            self.check()?;
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(20)));
        }
        self.check()
    }

    /// The classroom pause between steps (`--pace`).
    pub fn pause(&self) -> Result<()> {
        self.sleep(self.options.pace)
    }

    /// Writes text, or stops the demo when the reader has gone (a closed pipe).
    fn write(&mut self, text: &str) -> Result<()> {
        let mut out = self.out.lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Err(Interrupted(libc::SIGPIPE).into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One step of the timeline: a line for people, an event for scripts.
    pub fn say(&mut self, step: &str, message: &str, facts: Value) -> Result<()> {
        self.check()?;
        if self.options.json {
            let mut event = json!({
                "schema_version": SCHEMA_VERSION,
                "demo": self.topic,
                "t": (self.elapsed() * 1000.0).round() / 1000.0,
                "step": step,
                "message": message,
            });
            if let (Value::Object(event), Value::Object(facts)) = (&mut event, facts) {
                event.extend(facts);
            }
            let line = crate::render::json::terminal_safe(serde_json::to_string(&event)?) + "\n";
            self.write(&line)
        } else {
            let text = format!("t={:6.2}s  {}\n", self.elapsed(), message);
            self.write(&text)
        }
    }

    /// Plain text for people only (tables, explanations); nothing in JSON.
    pub fn show(&mut self, text: &str) -> Result<()> {
        if self.options.json || text.is_empty() {
            return Ok(());
        }
        let indented: String = text.lines().map(|l| format!("            {l}\n")).collect();
        self.write(&indented)
    }

    /// Forks a child that runs `body` and exits with its return value.
    /// The child never returns into pscope's own code.
    pub fn fork(
        &mut self,
        setup: ChildSetup,
        body: impl FnOnce(&ChildContext) -> i32,
    ) -> Result<Pid> {
        self.check()?;
        let group = self.group;
        let lifeline = self.lifeline_read.as_raw_fd();
        let write_end = self.lifeline_write.as_ref().map(|fd| fd.as_raw_fd());
        let parent = unistd::getpid();
        let _ = self.out.lock().flush();
        // SAFETY: the child only runs the demo body (plain system calls and
        // small allocations, safe after fork with glibc) and then _exit.
        match unsafe { unistd::fork() }? {
            ForkResult::Child => {
                // SAFETY: closing our copy of the write end, so that only the
                // lab holds it; resetting signal handlers to their defaults.
                unsafe {
                    if let Some(fd) = write_end {
                        libc::close(fd);
                    }
                    libc::signal(libc::SIGINT, libc::SIG_DFL);
                    libc::signal(libc::SIGTERM, libc::SIG_DFL);
                    libc::signal(libc::SIGHUP, libc::SIG_DFL);
                    if setup.die_with_parent {
                        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                        // The parent may have died before prctl took effect.
                        if libc::getppid() != parent.as_raw() {
                            libc::_exit(1);
                        }
                    }
                    if setup.join_group {
                        libc::setpgid(0, group.map_or(0, |g| g.as_raw()));
                    }
                }
                let cx = ChildContext { lifeline };
                let code = body(&cx);
                // SAFETY: leave without running pscope's destructors.
                unsafe { libc::_exit(code) }
            }
            ForkResult::Parent { child } => {
                if setup.join_group {
                    let group = *self.group.get_or_insert(child);
                    // Also from this side, so the group exists before the
                    // next step whichever process runs first.
                    let _ = unistd::setpgid(child, group);
                }
                self.children.push(child);
                Ok(child)
            }
        }
    }

    /// Kills this process at the end of the demo (one that is not our
    /// child or not in the lab's group).
    pub fn track(&mut self, pid: Pid) {
        self.tracked.push(pid);
    }

    pub fn traced(&mut self, pid: Pid) {
        self.traced.push(pid);
    }

    /// Makes pscope a child subreaper: orphans below it are adopted by it.
    pub fn become_subreaper(&mut self) -> Result<()> {
        // SAFETY: prctl with integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
            return Err(anyhow!(
                "prctl(PR_SET_CHILD_SUBREAPER): {}",
                std::io::Error::last_os_error()
            ));
        }
        self.subreaper = true;
        Ok(())
    }

    /// Waits for a direct child to exit, returning its status.
    pub fn reap(&mut self, pid: Pid) -> Result<WaitStatus> {
        loop {
            self.check()?;
            match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_millis(10)),
                Ok(status) => {
                    self.children.retain(|c| *c != pid);
                    return Ok(status);
                }
                Err(e) => return Err(anyhow!("waitpid({pid}): {e}")),
            }
        }
    }

    /// One process as /proc shows it now, with its threads when `threads`.
    pub fn read(&self, pid: Pid, threads: bool) -> Option<Task> {
        let needs = Needs {
            status: StatusNeed::Ids,
            cmdline: true,
            threads,
            thread_stat: threads,
            thread_status: threads,
            ..Needs::default()
        };
        self.reader.process(pid.as_raw(), needs)
    }

    /// Polls /proc until `check` holds for the process, or gives up.
    pub fn wait_until(
        &self,
        pid: Pid,
        timeout: Duration,
        check: impl Fn(Option<&Task>) -> bool,
    ) -> Result<Option<Task>> {
        let until = Instant::now() + timeout;
        loop {
            self.check()?;
            let task = self.read(pid, false);
            if check(task.as_ref()) || Instant::now() >= until {
                return Ok(task);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// A full snapshot of /proc (for the zombie and orphan analysis).
    pub fn snapshot(&self) -> Result<Snapshot> {
        Ok(self.reader.scan(
            Needs {
                status: StatusNeed::Ids,
                cmdline: true,
                ..Needs::default()
            },
            1,
        )?)
    }

    /// The processes as a ps table (the same code as `pscope ps`) for
    /// people, and as records for JSON events.
    pub fn table(&self, pids: &[Pid], fields: &[Field]) -> Result<(String, Value)> {
        let snapshot = self.snapshot()?;
        let kinship = Kinship::new(&snapshot.tasks);
        let cx = RowContext {
            snapshot: &snapshot,
            utf8: self.options.style.utf8,
        };
        let tasks: Vec<&Task> = pids
            .iter()
            .filter_map(|p| kinship.get(p.as_raw()))
            .collect();
        let headers: Vec<table::Header> = fields
            .iter()
            .map(|f| table::Header {
                title: crate::analysis::columns::KEYWORDS
                    .iter()
                    .find(|k| k.field == *f)
                    .map_or("?", |k| k.header)
                    .to_string(),
                right_aligned: f.is_numeric(),
            })
            .collect();
        let rows = tasks
            .iter()
            .map(|t| {
                let kind = kinship.kind(t);
                Row {
                    cells: fields.iter().map(|f| f.text(t, kind, &cx)).collect(),
                    tone: crate::commands::ps::tone(kind),
                }
            })
            .collect();
        let records: Vec<ProcessRecord> = tasks
            .iter()
            .map(|t| ProcessRecord::new(t, kinship.kind(t), &cx))
            .collect();
        let text = table::render(&headers, rows, true, &self.options.style);
        Ok((text, serde_json::to_value(records)?))
    }

    /// Ends everything the demo started and reaps it.
    fn cleanup(&mut self) {
        for &pid in &self.traced {
            let _ = nix::sys::ptrace::detach(pid, None);
        }
        let mut victims: Vec<Pid> = self.tracked.clone();
        victims.extend(&self.children);
        for &pid in &victims {
            let _ = signal::kill(pid, Signal::SIGKILL);
        }
        if let Some(group) = self.group {
            let _ = signal::killpg(group, Signal::SIGKILL);
        }
        // Whatever else waits on the lifeline sees end-of-file now.
        self.lifeline_write = None;
        let deadline = Instant::now() + Duration::from_secs(5);
        for pid in std::mem::take(&mut self.children) {
            while Instant::now() < deadline {
                match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_millis(5)),
                    _ => break,
                }
            }
        }
        if self.subreaper {
            // Adopted descendants are ours to reap too.
            while Instant::now() < deadline {
                match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_millis(5)),
                    Ok(_) => continue,
                    Err(_) => break,
                }
            }
        }
    }

    /// The exit code for how the demo ended.
    pub fn finish(mut self, result: Result<()>) -> Result<i32> {
        self.cleanup();
        match result {
            Ok(()) => Ok(0),
            Err(e) => match e.downcast_ref::<Interrupted>() {
                Some(Interrupted(libc::SIGPIPE)) => Ok(0),
                Some(Interrupted(signal)) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "pscope: demo interrupted; every process it started has been ended"
                    );
                    Ok(128 + signal)
                }
                None => Err(e),
            },
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.cleanup();
    }
}

/// What a forked child may use.
pub struct ChildContext {
    lifeline: i32,
}

impl ChildContext {
    /// Blocks until pscope is gone or `timeout` passes (interruptible
    /// sleep, state S). Returns true when pscope is gone.
    pub fn wait_lifeline(&self, timeout: Duration) -> bool {
        let mut fds = [libc::pollfd {
            fd: self.lifeline,
            events: libc::POLLIN,
            revents: 0,
        }];
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: polling one valid descriptor.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, ms) };
        n > 0
    }

    /// Sleeps on the lifeline for up to an hour, then exits: the child of
    /// a demo lives until the demo (or pscope) ends it.
    pub fn idle(&self) -> i32 {
        self.wait_lifeline(Duration::from_secs(3600));
        0
    }

    /// Blocks until a byte (or end-of-file) arrives on `go`, or pscope is
    /// gone, or `timeout` passes: how a child waits for the lab's signal.
    pub fn wait_for_go(&self, go: i32, timeout: Duration) {
        let mut fds = [go, self.lifeline].map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        });
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: polling two valid descriptors.
        unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
    }

    /// True once pscope is gone; cheap enough to call from a busy loop.
    pub fn orphaned(&self) -> bool {
        self.wait_lifeline(Duration::ZERO)
    }

    pub fn lifeline_fd(&self) -> i32 {
        self.lifeline
    }
}

/// Writes bytes to a descriptor from a child, ignoring errors.
pub fn child_write(fd: i32, bytes: &[u8]) {
    // SAFETY: writing from a valid buffer.
    unsafe {
        libc::write(fd, bytes.as_ptr().cast(), bytes.len());
    }
}

/// A text report of one process's STAT in explain's words.
pub fn stat_words(task: &Task) -> String {
    use crate::analysis::state;
    let mut parts = vec![state::state_code(task.stat.state)
        .map_or("unknown state".to_string(), |c| {
            format!("{} {}", c.letter, c.short)
        })];
    for m in state::modifiers(task) {
        if let Some(code) = state::modifier_code(m) {
            parts.push(format!("{m} {}", code.short));
        }
    }
    parts.join("; ")
}

/// The kind of a process in a fresh snapshot (zombie, orphan...).
pub fn kind_now(snapshot: &Snapshot, pid: Pid) -> Option<Kind> {
    let kinship = Kinship::new(&snapshot.tasks);
    kinship.get(pid.as_raw()).map(|t| kinship.kind(t))
}

/// A pipe for a child to report to the lab.
pub fn channel() -> Result<(OwnedFd, OwnedFd)> {
    Ok(unistd::pipe()?)
}

/// Reads what a child wrote into a channel, up to `timeout`.
pub fn read_channel(lab: &Lab, fd: &OwnedFd, timeout: Duration) -> Result<String> {
    let until = Instant::now() + timeout;
    let mut text = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        lab.check()?;
        let mut fds = [libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        // SAFETY: polling one valid descriptor.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 1, 20) };
        if ready > 0 {
            // SAFETY: reading into a buffer we own.
            let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            text.extend_from_slice(&buf[..n as usize]);
            if text.ends_with(b"\n") {
                break;
            }
        }
        if Instant::now() >= until {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}
