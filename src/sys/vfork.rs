//! vfork(), done safely from Rust, for the lab's `D` state: the caller is
//! suspended in uninterruptible sleep until its child exits.

use std::os::fd::{AsRawFd, BorrowedFd};

/// The child's life: wait on the descriptor for up to the timeout (an
/// end-of-file on the lab's lifeline ends it early), then leave.
extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
    // The argument carries the descriptor and the timeout in ms.
    let packed = arg as usize as u64;
    let fd = (packed >> 32) as i32;
    let timeout_ms = (packed & 0xffff_ffff) as i32;
    let mut fds = [libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }];
    // SAFETY: polling one descriptor from a valid array, then leaving with
    // _exit, which runs nothing of the parent's (its memory is shared).
    unsafe {
        libc::poll(fds.as_mut_ptr(), 1, timeout_ms);
        libc::_exit(0)
    }
}

/// clone(CLONE_VM | CLONE_VFORK) with a stack of the child's own, so the
/// suspended caller's stack is never touched. Returns when the child has
/// exited (after `timeout_ms`, or sooner when `fd` becomes readable) and
/// has been reaped.
pub fn vfork_and_wait(fd: BorrowedFd<'_>, timeout_ms: u32) -> std::io::Result<()> {
    let mut stack = vec![0u8; 64 * 1024];
    let packed =
        ((fd.as_raw_fd() as u32 as u64) << 32) | u64::from(timeout_ms.min(i32::MAX as u32));
    // SAFETY: the stack outlives the child: the caller is suspended until
    // the child exits (CLONE_VFORK). Its top is 16-byte aligned as the ABI
    // wants. The child runs only `child`, which never returns.
    let rc = unsafe {
        let top = stack.as_mut_ptr().add(stack.len());
        let top = (top as usize & !0xf) as *mut libc::c_void;
        libc::clone(
            child,
            top,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            packed as usize as *mut libc::c_void,
        )
    };
    drop(stack);
    if rc == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // The child has exited: reap it at once, so it is never left a zombie.
    let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(rc), None);
    Ok(())
}
