//! SIGINT, SIGTERM and SIGHUP turned into a flag that a long-running
//! command (a lab demo, the live view) polls between steps.

use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};

/// The signal that arrived, 0 while none has.
static PENDING: AtomicI32 = AtomicI32::new(0);

const CAUGHT: [Signal; 3] = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];

extern "C" fn on_signal(signal: libc::c_int) {
    PENDING.store(signal, Ordering::SeqCst);
}

/// From now on, SIGINT, SIGTERM and SIGHUP only set the flag.
pub fn catch() -> nix::Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for signal in CAUGHT {
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe.
        unsafe { signal::sigaction(signal, &action) }?;
    }
    Ok(())
}

/// The default action again, as a forked child wants it.
pub fn restore_defaults() {
    let action = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for signal in CAUGHT {
        // SAFETY: installing the default disposition has no handler to
        // run; sigaction is async-signal-safe, so a forked child may call it.
        let _ = unsafe { signal::sigaction(signal, &action) };
    }
}

/// The number of the signal that arrived, if one has.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}
