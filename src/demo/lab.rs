//! The lab's lifecycle: starting children, tracking and reaping them, and
//! ending everything when the demo ends, is interrupted, or fails.

use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use nix::sys::signal::{self, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{self, Pid};

use super::child::{self, ChildContext, ChildSetup};
use crate::analysis::columns::{self, Request};
use crate::model::{Needs, SignalMasks, Snapshot, StatusNeed, Task, ThreadNeed};
use crate::render::Style;
use crate::source::ProcReader;
use crate::sys;

/// Why a demo stopped early: the number of the signal.
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

pub struct Lab {
    pub(super) topic: &'static str,
    pub(super) start: Instant,
    pub(super) options: LabOptions,
    reader: ProcReader,
    /// Direct children not yet reaped.
    children: Vec<Pid>,
    /// Other processes to end at the end (grandchildren, session leaders),
    /// held by pidfd: a pidfd names one process, never a PID reused later.
    tracked: Vec<OwnedFd>,
    /// The lab's process group, led by a child not yet reaped.
    group: Option<Pid>,
    lifeline_read: OwnedFd,
    lifeline_write: Option<OwnedFd>,
    subreaper: bool,
    traced: Vec<Pid>,
}

impl Lab {
    pub fn new(topic: &'static str, options: LabOptions) -> Result<Lab> {
        sys::interrupt::catch()?;
        let (lifeline_read, lifeline_write) = unistd::pipe()?;
        Ok(Lab {
            topic,
            start: Instant::now(),
            options,
            reader: ProcReader::open(Path::new("/proc"))?,
            children: Vec::new(),
            tracked: Vec::new(),
            group: None,
            lifeline_read,
            lifeline_write: Some(lifeline_write),
            subreaper: false,
            traced: Vec::new(),
        })
    }

    pub fn json(&self) -> bool {
        self.options.json
    }

    pub fn reader(&self) -> &ProcReader {
        &self.reader
    }

    /// The lifeline's read end, which every child holds at the same number.
    pub(super) fn lifeline(&self) -> std::os::fd::BorrowedFd<'_> {
        self.lifeline_read.as_fd()
    }

    pub(super) fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Fails with [`Interrupted`] once SIGINT, SIGTERM or SIGHUP arrived.
    pub fn check(&self) -> Result<()> {
        match sys::interrupt::pending() {
            None => Ok(()),
            Some(signal) => Err(Interrupted(signal).into()),
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

    /// Forks a child that runs `body` and exits with its return value.
    /// The child never returns into pscope's own code.
    pub fn fork(
        &mut self,
        setup: ChildSetup,
        body: impl FnOnce(&ChildContext) -> i32,
    ) -> Result<Pid> {
        self.check()?;
        super::narrate::flush();
        let group = if setup.join_group { self.group } else { None };
        let child = child::fork(
            &setup,
            group,
            self.lifeline_read.as_fd(),
            self.lifeline_write.as_ref().map(|fd| fd.as_fd()),
            body,
        )?;
        if setup.join_group {
            let group = *self.group.get_or_insert(child);
            // Also from this side, so the group exists before the next
            // step whichever process runs first.
            let _ = unistd::setpgid(child, group);
        }
        self.children.push(child);
        Ok(child)
    }

    /// Ends this process at the end of the demo (one that is not our
    /// child). A process already gone is not tracked.
    pub fn track(&mut self, pid: Pid) {
        let Some(pid) = rustix::process::Pid::from_raw(pid.as_raw()) else {
            return;
        };
        if let Ok(fd) = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()) {
            self.tracked.push(fd);
        }
    }

    /// A child now stopped under our ptrace: detached at the end.
    pub fn traced(&mut self, pid: Pid) {
        self.traced.push(pid);
    }

    /// Makes pscope a child subreaper: orphans below it are adopted by it.
    pub fn become_subreaper(&mut self) -> Result<()> {
        nix::sys::prctl::set_child_subreaper(true)
            .map_err(|e| anyhow!("prctl(PR_SET_CHILD_SUBREAPER): {e}"))?;
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
                    self.forget(pid);
                    return Ok(status);
                }
                Err(e) => return Err(anyhow!("waitpid({pid}): {e}")),
            }
        }
    }

    /// As [`Lab::reap`], but the status as waitpid() hands it over, before
    /// any decoding (exit status in bits 8-15, signal in bits 0-6, core
    /// dump in bit 7).
    pub fn reap_raw(&mut self, pid: Pid) -> Result<i32> {
        let target = rustix::process::Pid::from_raw(pid.as_raw())
            .ok_or_else(|| anyhow!("waitpid({pid}): not a process ID"))?;
        loop {
            self.check()?;
            match rustix::process::waitpid(Some(target), rustix::process::WaitOptions::NOHANG) {
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Ok(Some((_, status))) => {
                    self.forget(pid);
                    return Ok(status.as_raw());
                }
                Err(e) => return Err(anyhow!("waitpid({pid}): {e}")),
            }
        }
    }

    /// A child is reaped: its PID may be reused and is never signalled
    /// again; a group it led is no longer the lab's.
    fn forget(&mut self, pid: Pid) {
        self.children.retain(|c| *c != pid);
        self.traced.retain(|c| *c != pid);
        if self.group == Some(pid) {
            self.group = None;
        }
    }

    /// One process as /proc shows it now, with its threads when `threads`.
    pub fn read(&self, pid: Pid, threads: bool) -> Option<Task> {
        let needs = columns::needs(Request {
            records: true,
            threads: if threads {
                ThreadNeed::Own
            } else {
                ThreadNeed::Nothing
            },
            ..Request::default()
        });
        self.reader.process(pid.as_raw(), needs)
    }

    /// A process's signal masks (pending, blocked, ignored, caught) from
    /// /proc/PID/status.
    pub fn signal_masks(&self, pid: Pid) -> Option<SignalMasks> {
        let needs = Needs {
            status: StatusNeed::All,
            ..Needs::default()
        };
        self.reader
            .process(pid.as_raw(), needs)?
            .status?
            .more?
            .signals
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
        let needs = columns::needs(Request {
            records: true,
            ..Request::default()
        });
        Ok(self.reader.scan(needs, 1)?)
    }

    /// Ends everything the demo started and reaps it; returns how many
    /// signals it sent. Whatever it has reaped, and every process it
    /// tracked, is forgotten: a second call sends nothing.
    pub(super) fn cleanup(&mut self) -> usize {
        let mut sent = 0;
        for pid in std::mem::take(&mut self.traced) {
            if self.children.contains(&pid) {
                let _ = nix::sys::ptrace::detach(pid, None);
            }
        }
        for pidfd in std::mem::take(&mut self.tracked) {
            if rustix::process::pidfd_send_signal(&pidfd, rustix::process::Signal::KILL).is_ok() {
                sent += 1;
            }
        }
        for &pid in &self.children {
            if signal::kill(pid, Signal::SIGKILL).is_ok() {
                sent += 1;
            }
        }
        // The leader is an unreaped child, so the group's number is still
        // the lab's: it cannot have been handed to another group.
        if let Some(group) = self.group.take() {
            if signal::killpg(group, Signal::SIGKILL).is_ok() {
                sent += 1;
            }
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
        sent
    }

    /// The exit code for how the demo ended.
    pub fn finish(mut self, result: Result<()>) -> Result<i32> {
        self.cleanup();
        match result {
            Ok(()) => Ok(0),
            Err(e) => match e.downcast_ref::<Interrupted>() {
                Some(Interrupted(signal)) if *signal == Signal::SIGPIPE as i32 => Ok(0),
                Some(Interrupted(signal)) => {
                    eprintln!("pscope: demo interrupted; every process it started has been ended");
                    Ok(crate::error::exit::SIGNAL_BASE + signal)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_twice_signals_nothing_the_second_time() {
        let options = LabOptions {
            pace: Duration::ZERO,
            json: true,
            style: Style::plain(),
        };
        let mut lab = Lab::new("test", options).unwrap();
        let child = lab.fork(ChildSetup::default(), |cx| cx.idle()).unwrap();
        let grandchild = lab.fork(ChildSetup::default(), |cx| cx.idle()).unwrap();
        lab.track(grandchild);
        assert!(lab.cleanup() >= 3, "child, tracked process and group");
        assert!(
            waitpid(child, Some(WaitPidFlag::WNOHANG)).is_err(),
            "reaped"
        );
        assert_eq!(lab.cleanup(), 0, "nothing is signalled twice");
        drop(lab);
    }

    #[test]
    fn a_reaped_leader_takes_its_group_with_it() {
        let options = LabOptions {
            pace: Duration::ZERO,
            json: true,
            style: Style::plain(),
        };
        let mut lab = Lab::new("test", options).unwrap();
        let leader = lab.fork(ChildSetup::default(), |_| 0).unwrap();
        lab.reap(leader).unwrap();
        assert_eq!(lab.group, None);
        assert_eq!(
            lab.cleanup(),
            0,
            "the reaped leader's group is not signalled"
        );
    }
}
