//! `pscope renice`: util-linux renice, reporting old and new values and an
//! error line per target that fails.

use anyhow::Result;

use super::Context;
use crate::cli::{Format, ReniceArgs};
use crate::control::renice::{self, Outcome, Which};
use crate::error::{self, exit};
use crate::model::{Needs, ThreadNeed, PID_MAX_LIMIT};
use crate::render::{self, json};
use crate::source::{self, ProcReader};

fn parse_nice(text: &str) -> Result<i32> {
    text.trim().parse::<i32>().map_err(|_| {
        error::usage(format!(
            "invalid priority '{text}': expected a number such as 5 or -5"
        ))
    })
}

fn parse_id(text: &str, what: &str) -> Result<u32> {
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=i64::from(PID_MAX_LIMIT)).contains(&n) => Ok(n as u32),
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
        let uid = source::uid_for_name(user).ok_or_else(|| error::no_such_user(user))?;
        targets.push((Which::User, uid));
    }
    if targets.is_empty() {
        return Err(error::usage(
            "renice needs a target: -p PID, -g PGID or -u USER",
        ));
    }

    // Targets are always live processes: renice never reads a --proc-root.
    let reader = ProcReader::open(std::path::Path::new("/proc"))?;
    let mut outcomes: Vec<Outcome> = Vec::new();
    let change =
        |which, id, process, name| renice::change(which, id, process, name, value, args.relative);
    for (which, id) in targets {
        match which {
            Which::Process if args.all_threads => {
                let needs = Needs {
                    threads: ThreadNeed::Own,
                    ..Needs::default()
                };
                let threads = reader
                    .process(id as i32, needs)
                    .map(|p| p.threads)
                    .unwrap_or_default();
                if threads.is_empty() {
                    outcomes.push(change(which, id, None, None));
                }
                for thread in threads {
                    outcomes.push(change(
                        which,
                        thread.pid as u32,
                        Some(id),
                        Some(thread.stat.comm),
                    ));
                }
            }
            Which::Process => {
                let name = reader
                    .process(id as i32, Needs::default())
                    .map(|p| p.stat.comm);
                outcomes.push(change(which, id, None, name));
            }
            Which::Pgrp => outcomes.push(change(which, id, None, None)),
            Which::User => {
                let name = source::user_names(std::iter::once(id)).remove(&id);
                outcomes.push(change(which, id, None, name.map(String::into_bytes)));
            }
        }
    }
    let failed = outcomes.iter().any(|o| o.error.is_some());
    match cx.format {
        Format::Table => {
            // As util-linux: what changed on stdout, what failed on stderr.
            let (failed, changed): (Vec<&Outcome>, Vec<&Outcome>) =
                outcomes.iter().partition(|o| o.error.is_some());
            let text: String = changed
                .iter()
                .map(|o| render::renice::line(o, cx.style.utf8) + "\n")
                .collect();
            render::emit(&text)?;
            for o in failed {
                eprintln!("pscope: {}", render::renice::line(o, cx.style.utf8));
            }
        }
        Format::Json => render::to_stdout(|out| {
            json::write_document(
                out,
                "results",
                &json::Each::new(outcomes.iter().map(render::renice::record)),
            )
        })?,
        Format::Jsonl => render::to_stdout(|out| {
            json::write_lines(out, outcomes.iter().map(render::renice::record))
        })?,
    }
    Ok(if failed {
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    })
}
