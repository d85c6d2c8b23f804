//! The child side of the lab: what runs in a process after fork(). Code
//! here keeps to system calls and small allocations (safe after fork with
//! glibc, as the lab forks from a process whose other threads hold no
//! locks a child needs) and never returns into pscope's own code. This is
//! the one demo file allowed `unsafe`, each use with its SAFETY comment.
#![allow(unsafe_code)]

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Duration;

use nix::sys::signal::Signal;
use nix::unistd::{self, ForkResult, Pid};
use rustix::event::{poll, PollFd, PollFlags, Timespec};

use crate::sys;

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

/// Forks a child that sets itself up, runs `body` and leaves with its
/// return value as exit status. Returns the child's PID in the parent.
pub(super) fn fork(
    setup: &ChildSetup,
    group: Option<Pid>,
    lifeline: BorrowedFd<'_>,
    lifeline_write: Option<BorrowedFd<'_>>,
    body: impl FnOnce(&ChildContext) -> i32,
) -> nix::Result<Pid> {
    let parent = unistd::getpid();
    // SAFETY: the child only sets itself up with async-signal-safe calls,
    // runs the demo's body (system calls and small allocations) and leaves
    // with _exit, never unwinding into the parent's code.
    match unsafe { unistd::fork() }? {
        ForkResult::Parent { child } => Ok(child),
        ForkResult::Child => {
            if let Some(fd) = lifeline_write {
                // Only the lab may hold the write end: its end of file is
                // how every child learns that pscope is gone.
                // SAFETY: closing this process's copy of the write end;
                // nothing here uses it again, and the copied OwnedFd is
                // never dropped (the child leaves with _exit).
                unsafe { libc::close(fd.as_raw_fd()) };
            }
            sys::interrupt::restore_defaults();
            if setup.die_with_parent {
                let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
                // The parent may have died before prctl took effect.
                if unistd::getppid() != parent {
                    leave(1);
                }
            }
            if setup.join_group {
                let _ = unistd::setpgid(Pid::from_raw(0), group.unwrap_or(Pid::from_raw(0)));
            }
            let code = body(&ChildContext { lifeline });
            leave(code)
        }
    }
}

/// Leaves at once, without running any destructor of pscope's.
pub fn leave(code: i32) -> ! {
    // SAFETY: _exit ends the process without touching its memory.
    unsafe { libc::_exit(code) }
}

/// A plain fork inside a child (a grandchild of pscope): the grandchild
/// runs `body` and leaves; the caller gets the grandchild's PID, or `None`
/// when fork failed.
pub fn fork_grandchild(body: impl FnOnce() -> i32) -> Option<Pid> {
    // SAFETY: as in `fork`: the grandchild runs only `body`, then _exit.
    match unsafe { unistd::fork() } {
        Ok(ForkResult::Child) => leave(body()),
        Ok(ForkResult::Parent { child }) => Some(child),
        Err(_) => None,
    }
}

/// SIGCHLD set to SIG_IGN: the kernel reaps this process's children at
/// once, and they never become zombies (the third remedy).
pub fn ignore_sigchld() {
    // SAFETY: SIG_IGN runs no handler.
    let _ =
        unsafe { nix::sys::signal::signal(Signal::SIGCHLD, nix::sys::signal::SigHandler::SigIgn) };
}

/// Locks one page of memory into RAM for the rest of the process's life
/// (VmLck, the `L` flag); false when the kernel refuses (RLIMIT_MEMLOCK).
pub fn lock_one_page() -> bool {
    let page: &'static mut [u8] = Box::leak(vec![1u8; 4096].into_boxed_slice());
    // SAFETY: the page is leaked, so it stays valid as long as the lock.
    unsafe { rustix::mm::mlock(page.as_mut_ptr().cast(), page.len()) }.is_ok()
}

/// What a forked child may use.
pub struct ChildContext<'a> {
    lifeline: BorrowedFd<'a>,
}

impl<'a> ChildContext<'a> {
    /// Blocks until pscope is gone or `timeout` passes (interruptible
    /// sleep, state S). Returns true when pscope is gone.
    pub fn wait_lifeline(&self, timeout: Duration) -> bool {
        wait_readable(&[self.lifeline], timeout)
    }

    /// Sleeps on the lifeline for up to an hour, then exits: the child of
    /// a demo lives until the demo (or pscope) ends it.
    pub fn idle(&self) -> i32 {
        self.wait_lifeline(Duration::from_secs(3600));
        0
    }

    /// Blocks until a byte (or end-of-file) arrives on `go`, or pscope is
    /// gone, or `timeout` passes: how a child waits for the lab's signal.
    pub fn wait_for_go(&self, go: BorrowedFd<'_>, timeout: Duration) {
        wait_readable(&[go, self.lifeline], timeout);
    }

    /// True once pscope is gone; cheap enough to call from a busy loop.
    pub fn orphaned(&self) -> bool {
        self.wait_lifeline(Duration::ZERO)
    }

    pub fn lifeline(&self) -> BorrowedFd<'a> {
        self.lifeline
    }
}

/// Waits until one of the descriptors is readable (or at end of file) or
/// the timeout passes; true when one is.
pub fn wait_readable(fds: &[BorrowedFd<'_>], timeout: Duration) -> bool {
    let mut polled: Vec<PollFd> = fds
        .iter()
        .map(|fd| PollFd::new(fd, PollFlags::IN))
        .collect();
    let timeout = Timespec::try_from(timeout).ok();
    matches!(poll(&mut polled, timeout.as_ref()), Ok(n) if n > 0)
}

/// Writes bytes to a descriptor, ignoring errors (a child reporting to
/// the lab, which may be gone).
pub fn write_to(fd: impl AsFd, bytes: &[u8]) {
    let _ = rustix::io::write(fd, bytes);
}
