//! Sending a signal to one process, named by its PID and its start time
//! together: a PID the kernel has handed to a new process since is never
//! signalled. The process is first pinned with a pidfd, which keeps
//! meaning that process even if its PID is reused; its start time, read
//! after, proves it is the one meant.

use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, Signal};

/// Why a signal was not sent, in words (as renice words its refusals).
pub fn explain(errno: Errno) -> String {
    match errno {
        Errno::SRCH => "no such process".into(),
        Errno::PERM => "not permitted: not your process".into(),
        other => nix::errno::Errno::from_raw(other.raw_os_error())
            .desc()
            .to_string(),
    }
}

/// Sends `signal` (1 to 31) to process `pid` if it is still the process
/// that started at `starttime` (clock ticks after boot). `start_of` reads
/// a process's start time now (from /proc, which this room does not read).
pub fn send(
    pid: i32,
    starttime: u64,
    signal: i32,
    start_of: impl Fn(i32) -> Option<u64>,
) -> Result<(), String> {
    let sig = Signal::from_named_raw(signal).ok_or_else(|| format!("unknown signal {signal}"))?;
    let target = Pid::from_raw(pid).ok_or_else(|| explain(Errno::SRCH))?;
    let same = |now: Option<u64>| match now {
        Some(now) if now == starttime => Ok(()),
        Some(_) => Err(format!(
            "no such process: PID {pid} now belongs to another process"
        )),
        None => Err(explain(Errno::SRCH)),
    };
    match rustix::process::pidfd_open(target, PidfdFlags::empty()) {
        Ok(pidfd) => {
            same(start_of(pid))?;
            rustix::process::pidfd_send_signal(&pidfd, sig).map_err(explain)
        }
        // A kernel without pidfds (before 5.3): check, then signal by PID.
        Err(Errno::NOSYS) => {
            same(start_of(pid))?;
            rustix::process::kill_process(target, sig).map_err(explain)
        }
        Err(e) => Err(explain(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;

    fn start_of(pid: i32) -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = &text[text.rfind(')')? + 2..];
        rest.split(' ').nth(19)?.parse().ok()
    }

    #[test]
    fn only_the_process_that_started_then_is_signalled() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id() as i32;
        let started = start_of(pid).unwrap();
        let wrong = send(pid, started + 1, 15, start_of).unwrap_err();
        assert!(wrong.contains("now belongs to another process"), "{wrong}");
        assert!(child.try_wait().unwrap().is_none(), "still running");
        send(pid, started, 15, start_of).unwrap();
        assert_eq!(child.wait().unwrap().signal(), Some(15));
        // Reaped: the PID names nothing now.
        let gone = send(pid, started, 15, start_of).unwrap_err();
        assert!(gone.starts_with("no such process"), "{gone}");
        assert_eq!(send(0, 0, 15, start_of).unwrap_err(), "no such process");
        assert_eq!(
            send(pid, started, 99, start_of).unwrap_err(),
            "unknown signal 99"
        );
    }
}
