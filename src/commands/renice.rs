//! `pscope renice`: util-linux renice, reporting old and new values and an
//! error line per target that fails.

use anyhow::Result;
use nix::errno::Errno;
use serde::Serialize;

use super::Context;
use crate::cli::{Format, ReniceArgs};
use crate::error::{self, exit};
use crate::render::json;
use crate::render::{self};
use crate::source::{self, Needs, ProcReader};

/// The largest PID Linux can hand out (PID_MAX_LIMIT on 64-bit).
const PID_MAX_LIMIT: i64 = 4_194_304;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Which {
    Process,
    Pgrp,
    User,
}

impl Which {
    fn raw(self) -> libc::__priority_which_t {
        (match self {
            Which::Process => libc::PRIO_PROCESS,
            Which::Pgrp => libc::PRIO_PGRP,
            Which::User => libc::PRIO_USER,
        }) as libc::__priority_which_t
    }
}

/// One target and what became of it.
#[derive(Serialize)]
struct Outcome {
    target: Which,
    id: u32,
    /// For a thread of --all-threads: its process.
    #[serde(skip_serializing_if = "Option::is_none")]
    process: Option<u32>,
    name: Option<String>,
    old_nice: Option<i32>,
    new_nice: Option<i32>,
    error: Option<String>,
}

fn get_nice(which: Which, id: u32) -> Result<i32, Errno> {
    Errno::clear();
    // SAFETY: getpriority has no memory arguments.
    let value = unsafe { libc::getpriority(which.raw(), id as libc::id_t) };
    if value == -1 && Errno::last_raw() != 0 {
        return Err(Errno::last());
    }
    Ok(value)
}

fn set_nice(which: Which, id: u32, value: i32) -> Result<(), Errno> {
    // SAFETY: setpriority has no memory arguments.
    let rc = unsafe { libc::setpriority(which.raw(), id as libc::id_t, value) };
    if rc == -1 {
        return Err(Errno::last());
    }
    Ok(())
}

/// The lowest nice value this process may set without CAP_SYS_NICE.
fn rlimit_nice() -> u64 {
    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NICE)
        .map(|(soft, _)| soft)
        .unwrap_or(0)
}

fn explain(errno: Errno, wanted: i32) -> String {
    match errno {
        Errno::ESRCH => "no such process".into(),
        Errno::EPERM => "not permitted: not your process".into(),
        Errno::EACCES => format!(
            "lowering nice to {wanted} needs CAP_SYS_NICE or an RLIMIT_NICE of at least {} (it is {})",
            20 - wanted,
            rlimit_nice()
        ),
        other => other.desc().to_string(),
    }
}

fn parse_nice(text: &str) -> Result<i32> {
    text.trim().parse::<i32>().map_err(|_| {
        error::usage(format!(
            "invalid priority '{text}': expected a number such as 5 or -5"
        ))
    })
}

fn parse_id(text: &str, what: &str) -> Result<u32> {
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=PID_MAX_LIMIT).contains(&n) => Ok(n as u32),
        Ok(_) => Err(error::usage(format!(
            "{what} {text} is out of range (1..{PID_MAX_LIMIT})"
        ))),
        Err(_) => Err(error::usage(format!("invalid {what} '{text}'"))),
    }
}

pub fn run(args: &ReniceArgs, cx: &Context) -> Result<i32> {
    let (value, rest) = match &args.priority {
        Some(v) => (parse_nice(v)?, &args.args[..]),
        None => match args.args.split_first() {
            Some((v, rest)) => (parse_nice(v)?, rest),
            None => {
                return Err(error::usage(
                    "renice needs a priority: pscope renice PRIORITY -p PID",
                ))
            }
        },
    };
    let mut targets: Vec<(Which, u32)> = Vec::new();
    for pid in rest.iter().chain(&args.pids) {
        targets.push((Which::Process, parse_id(pid, "PID")?));
    }
    for pgrp in &args.pgrps {
        targets.push((Which::Pgrp, parse_id(pgrp, "process group")?));
    }
    for user in &args.users {
        let uid = source::uid_for_name(user)
            .ok_or_else(|| error::usage(format!("no such user: {user}")))?;
        targets.push((Which::User, uid));
    }
    if targets.is_empty() {
        return Err(error::usage(
            "renice needs a target: -p PID, -g PGID or -u USER",
        ));
    }

    let reader = ProcReader::open(std::path::Path::new("/proc"))?;
    let comm = |task: &crate::model::Task| String::from_utf8_lossy(&task.stat.comm).into_owned();
    let mut outcomes = Vec::new();
    for (which, id) in targets {
        match which {
            Which::Process if args.all_threads => {
                let threads = reader
                    .process(
                        id as i32,
                        Needs {
                            threads: true,
                            thread_stat: true,
                            ..Needs::default()
                        },
                    )
                    .map(|p| p.threads)
                    .unwrap_or_default();
                if threads.is_empty() {
                    outcomes.push(change(which, id, None, None, value, args.relative));
                }
                for thread in &threads {
                    let name = Some(comm(thread));
                    outcomes.push(change(
                        which,
                        thread.pid as u32,
                        Some(id),
                        name,
                        value,
                        args.relative,
                    ));
                }
            }
            Which::Process => {
                let name = reader
                    .process(id as i32, Needs::default())
                    .map(|p| comm(&p));
                outcomes.push(change(which, id, None, name, value, args.relative));
            }
            Which::Pgrp => outcomes.push(change(which, id, None, None, value, args.relative)),
            Which::User => {
                let name = source::user_names(std::iter::once(id)).remove(&id);
                outcomes.push(change(which, id, None, name, value, args.relative));
            }
        }
    }
    let failed = outcomes.iter().any(|o| o.error.is_some());
    match cx.format {
        Format::Table => {
            let mut text = String::new();
            for o in &outcomes {
                text.push_str(&line(o));
                text.push('\n');
            }
            render::emit(&text)?;
        }
        Format::Json => render::emit(&(json::document("results", &outcomes)? + "\n"))?,
        Format::Jsonl => render::emit(&json::lines(&outcomes)?)?,
    }
    Ok(if failed {
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    })
}

/// Sets one target's nice value, reading it before and after.
fn change(
    which: Which,
    id: u32,
    process: Option<u32>,
    name: Option<String>,
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
    let wanted = if relative { old + value } else { value }.clamp(-20, 19);
    if let Err(e) = set_nice(which, id, wanted) {
        outcome.error = Some(explain(e, wanted));
        return outcome;
    }
    outcome.new_nice = get_nice(which, id).ok();
    outcome
}

fn line(o: &Outcome) -> String {
    let who = match (o.target, o.process) {
        (Which::Process, Some(p)) => format!("{p}/{}", o.id),
        (Which::Process, None) => o.id.to_string(),
        (Which::Pgrp, _) => format!("process group {}", o.id),
        (Which::User, _) => format!("user {}", o.id),
    };
    let name = o
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    match (&o.error, o.old_nice, o.new_nice) {
        (Some(e), _, _) => format!("{who}{name}: {e}"),
        (None, Some(old), Some(new)) => format!(
            "{who}{name}: old nice {old}, new nice {new} (priority {} -> {})",
            20 + old,
            20 + new
        ),
        _ => format!("{who}{name}: changed"),
    }
}
