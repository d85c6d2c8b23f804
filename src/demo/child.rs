//! The child side of the lab: what runs in a process after fork(). Code
//! here keeps to system calls and small allocations (safe after fork with
//! glibc, as the lab forks from a process whose other threads hold no
//! locks a child needs) and never returns into pscope's own code. This is
//! the one demo file allowed `unsafe`, each use with its SAFETY comment.
#![allow(unsafe_code)]

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
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

/// Sets the name /proc shows for this process (comm, at most 15 bytes),
/// so that a table tells the demo's children apart.
pub fn name_self(name: &str) {
    if let Ok(name) = std::ffi::CString::new(name) {
        let _ = nix::sys::prctl::set_name(&name);
    }
}

/// Ignores a signal from now on (SIG_IGN), as a shell ignores SIGTTOU.
pub fn ignore(signal: Signal) {
    // SAFETY: SIG_IGN runs no handler.
    let _ = unsafe { nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigIgn) };
}

/// Gives a signal its default action again (a job forked by a shell that
/// ignores it).
pub fn default_action(signal: Signal) {
    // SAFETY: SIG_DFL runs no handler.
    let _ = unsafe { nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigDfl) };
}

/// Dies of `signal` with its default action: the handler pscope's runtime
/// may have installed (SIGSEGV, for stack overflows) is removed first, and
/// the signal is unblocked. Leaves with status 1 if the signal did not end
/// the process.
pub fn die_by(signal: Signal) -> ! {
    default_action(signal);
    let mut set = nix::sys::signal::SigSet::empty();
    set.add(signal);
    let _ = set.thread_unblock();
    let _ = nix::sys::signal::raise(signal);
    leave(1)
}

/// The descriptor the atexit handler below writes to; -1 for none.
static AT_EXIT_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// The text the atexit handler writes.
pub const AT_EXIT_TEXT: &str = "[atexit handler ran]\n";

extern "C" fn at_exit_handler() {
    let fd = AT_EXIT_FD.load(std::sync::atomic::Ordering::SeqCst);
    if fd >= 0 {
        // SAFETY: write(2) on a descriptor this process owns, from a
        // buffer that lives for the whole program.
        unsafe { libc::write(fd, AT_EXIT_TEXT.as_ptr().cast(), AT_EXIT_TEXT.len()) };
    }
}

/// How a C program leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CExit {
    /// exit(3): atexit handlers, then stdio buffers flushed, then _exit.
    Exit,
    /// _exit(2): straight to the kernel.
    UnderscoreExit,
}

/// As a C program would: registers an atexit handler that writes to `fd`,
/// writes `text` to `fd` through a stdio stream (fully buffered, as stdio
/// buffers a pipe), then leaves by exit(0) or _exit(0). With exit the
/// handler's text and then the buffered text reach `fd`; with _exit
/// neither does.
pub fn stdio_then_exit(fd: OwnedFd, text: &str, how: CExit) -> ! {
    use std::os::fd::IntoRawFd;
    let Ok(text) = std::ffi::CString::new(text) else {
        leave(1)
    };
    // The handler writes through its own copy, so that the stream below
    // owns `fd` alone.
    let Ok(copy) = unistd::dup(&fd) else { leave(1) };
    AT_EXIT_FD.store(copy.into_raw_fd(), std::sync::atomic::Ordering::SeqCst);
    // SAFETY: registers a handler that only calls write(2).
    unsafe { libc::atexit(at_exit_handler) };
    let raw = fd.into_raw_fd();
    // SAFETY: `raw` is an open descriptor whose ownership passes to the
    // stream; the mode string is NUL-terminated.
    let stream = unsafe { libc::fdopen(raw, c"w".as_ptr()) };
    if stream.is_null() {
        leave(1);
    }
    // SAFETY: `stream` is the valid stream just opened, `text` a C string.
    unsafe { libc::fputs(text.as_ptr(), stream) };
    match how {
        // SAFETY: exit runs the handlers and flushes the streams of this
        // process, which is a forked child that never returns to pscope.
        CExit::Exit => unsafe { libc::exit(0) },
        CExit::UnderscoreExit => leave(0),
    }
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

    /// Closes every descriptor this child inherited but standard input,
    /// output and error, the lifeline and `keep`, so that /proc/PID/fd
    /// shows only what the child uses and no pipe stays open by accident
    /// (a reader that holds a write end never sees end-of-file). After
    /// this call the child must not use, nor drop, any other descriptor.
    pub fn keep_only(&self, keep: &[BorrowedFd<'_>]) {
        let mut kept: Vec<u32> = keep
            .iter()
            .chain(std::iter::once(&self.lifeline))
            .map(|fd| fd.as_raw_fd() as u32)
            .chain(0..=2)
            .collect();
        kept.sort_unstable();
        kept.dedup();
        let mut first = 0u32;
        for &k in &kept {
            if k > first {
                close_range(first, k - 1);
            }
            first = k + 1;
        }
        close_range(first, u32::MAX);
    }
}

/// Closes descriptors `first..=last` of this process.
fn close_range(first: u32, last: u32) {
    // SAFETY: close_range(2) takes plain numbers and touches no memory;
    // the caller (`keep_only`) promises that nothing uses the descriptors
    // closed, and the child leaves by _exit, so no owner drops them again.
    let done = unsafe { libc::syscall(libc::SYS_close_range, first, last, 0) } == 0;
    if !done {
        // Before Linux 5.9: one by one, up to a bound of open files.
        let limit = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
            .map_or(1024, |(soft, _)| soft.min(65536) as u32);
        for fd in first..=last.min(limit) {
            // SAFETY: as above; closing a number that is not open fails
            // harmlessly.
            unsafe { libc::close(fd as i32) };
        }
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
