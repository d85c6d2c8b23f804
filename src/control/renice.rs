//! util-linux renice: set a target's nice value, reading it before and
//! after, and say in words why a change was refused.

use rustix::io::Errno;
use rustix::process::{Pid, Uid};

use crate::analysis::sched::{NICE_MAX, NICE_MIN};

/// What kind of target a renice names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Process,
    Pgrp,
    User,
}

impl Which {
    pub fn name(self) -> &'static str {
        match self {
            Which::Process => "process",
            Which::Pgrp => "pgrp",
            Which::User => "user",
        }
    }
}

/// One target and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub target: Which,
    pub id: u32,
    /// For a thread of a process (`--all-threads`): its process.
    pub process: Option<u32>,
    /// The process's name or the user's name, as bytes.
    pub name: Option<Vec<u8>>,
    pub old_nice: Option<i32>,
    pub new_nice: Option<i32>,
    pub error: Option<String>,
}

fn pid(id: u32) -> Result<Option<Pid>, Errno> {
    let raw = i32::try_from(id).map_err(|_| Errno::SRCH)?;
    Ok(Pid::from_raw(raw))
}

/// The nice value of a target now.
pub fn get_nice(which: Which, id: u32) -> Result<i32, Errno> {
    match which {
        // An id of 0 would mean "this process": never what a user named.
        Which::Process => rustix::process::getpriority_process(Some(pid(id)?.ok_or(Errno::SRCH)?)),
        Which::Pgrp => rustix::process::getpriority_pgrp(Some(pid(id)?.ok_or(Errno::SRCH)?)),
        Which::User => rustix::process::getpriority_user(Uid::from_raw(id)),
    }
}

fn set_nice(which: Which, id: u32, value: i32) -> Result<(), Errno> {
    match which {
        Which::Process => {
            rustix::process::setpriority_process(Some(pid(id)?.ok_or(Errno::SRCH)?), value)
        }
        Which::Pgrp => rustix::process::setpriority_pgrp(Some(pid(id)?.ok_or(Errno::SRCH)?), value),
        Which::User => rustix::process::setpriority_user(Uid::from_raw(id), value),
    }
}

/// The lowest nice value this process may set without CAP_SYS_NICE, as
/// RLIMIT_NICE gives it (20 - limit).
fn rlimit_nice() -> u64 {
    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NICE)
        .map(|(soft, _)| soft)
        .unwrap_or(0)
}

/// Why a change was refused, in words.
pub fn explain(errno: Errno, wanted: i32) -> String {
    match errno {
        Errno::SRCH => "no such process".into(),
        Errno::PERM => "not permitted: not your process".into(),
        Errno::ACCESS => format!(
            "lowering nice to {wanted} needs CAP_SYS_NICE or an RLIMIT_NICE of at least {} (it is {})",
            20 - wanted,
            rlimit_nice()
        ),
        other => nix::errno::Errno::from_raw(other.raw_os_error())
            .desc()
            .to_string(),
    }
}

/// Sets one target's nice value (`value` added to the current one when
/// `relative`), clamped to -20..19 as the kernel clamps it.
pub fn change(
    which: Which,
    id: u32,
    process: Option<u32>,
    name: Option<Vec<u8>>,
    value: i32,
    relative: bool,
) -> Outcome {
    let mut outcome = Outcome {
        target: which,
        id,
        process,
        name,
        old_nice: None,
        new_nice: None,
        error: None,
    };
    let old = match get_nice(which, id) {
        Ok(old) => old,
        Err(e) => {
            outcome.error = Some(explain(e, value));
            return outcome;
        }
    };
    outcome.old_nice = Some(old);
    let wanted = if relative {
        old.saturating_add(value)
    } else {
        value
    }
    .clamp(NICE_MIN, NICE_MAX);
    if let Err(e) = set_nice(which, id, wanted) {
        outcome.error = Some(explain(e, wanted));
        return outcome;
    }
    outcome.new_nice = get_nice(which, id).ok();
    outcome
}

/// Sets the nice value of one process (its main thread) or thread, for a
/// caller that needs only success or the reason it failed.
pub fn set_process_nice(pid: i32, value: i32) -> Result<(), String> {
    let id = u32::try_from(pid).map_err(|_| "no such process".to_string())?;
    set_nice(Which::Process, id, value).map_err(|e| explain(e, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_nice_reads_back_and_refusals_are_worded() {
        let me = std::process::id();
        let now = get_nice(Which::Process, me).unwrap();
        let outcome = change(Which::Process, me, None, None, 0, true);
        assert_eq!(outcome.old_nice, Some(now));
        assert_eq!(outcome.new_nice, Some(now));
        let gone = change(Which::Process, 0, None, None, 5, false);
        assert_eq!(gone.error.as_deref(), Some("no such process"));
        let huge = change(Which::Process, u32::MAX, None, None, 5, false);
        assert_eq!(huge.error.as_deref(), Some("no such process"));
        assert!(explain(Errno::ACCESS, -5).contains("RLIMIT_NICE of at least 25"));
    }
}
