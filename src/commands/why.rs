//! `pscope why PID...` and `pscope why --all`.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::Context;
use crate::analysis::files::{self, Ends};
use crate::analysis::kinship::Kinship;
use crate::analysis::syscalls::Arch;
use crate::analysis::waits::{self, ProcessFacts, Tally, ThreadFacts};
use crate::cli::{Format, WhyArgs};
use crate::error::exit;
use crate::model::{
    ExtraFiles, Needs, OpenFd, ReadError, SocketTables, StatusNeed, SyscallNow, Task, ThreadNeed,
};
use crate::render::why::{self, Facts};
use crate::render::{self, json};
use crate::source::ProcReader;
use crate::sys;

/// Samples per second of `why --all --sample`.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

pub fn run(args: &WhyArgs, cx: &Context) -> Result<i32> {
    if args.all {
        return run_all(args, cx);
    }
    let reader = cx.reader()?;
    let needs = Needs {
        status: StatusNeed::All,
        cmdline: true,
        more_stat: true,
        extras: ExtraFiles::CGROUP,
        ..Needs::default()
    };
    let snapshot = cx.scan_with(&reader, needs)?;
    let kinship = Kinship::new(&snapshot.tasks);
    let tables = reader.socket_tables(sys::sockdiag::unix_sockets().ok().map(files::unix_sockets));
    let rows = cx.rows(&snapshot);
    let mut code = exit::SUCCESS;
    let mut all = Vec::new();
    for &pid in &args.pids {
        let Some(task) = kinship.get(pid) else {
            eprintln!(
                "pscope: process {pid} not found (it has ended, or /proc hides it from this user)"
            );
            code = exit::NO_MATCH;
            continue;
        };
        all.push(gather(&reader, task, &kinship, &tables));
    }
    match cx.format {
        Format::Json => {
            let records: Vec<_> = all.iter().map(|f| why::record(f, &rows)).collect();
            render::to_stdout(|out| json::write_document(out, "why", &records))?;
        }
        Format::Jsonl => render::to_stdout(|out| {
            json::write_lines(out, all.iter().map(|f| why::record(f, &rows)))
        })?,
        Format::Table => {
            let texts: Vec<String> = all.iter().map(|f| why::text(f, &rows)).collect();
            render::emit(&texts.join("\n"))?;
        }
    }
    Ok(code)
}

/// Reads and understands one process.
fn gather<'a>(
    reader: &ProcReader,
    task: &'a Task,
    kinship: &Kinship<'a>,
    tables: &SocketTables,
) -> Facts<'a> {
    let arch = Arch::native();
    let pid = task.pid;
    let mut unreadable = Vec::new();
    let descriptors = match reader.descriptors_in_detail(pid) {
        Ok(d) => d,
        Err(e) => {
            if task.stat.state != 'Z' {
                unreadable.push(format!(
                    "descriptors: {}",
                    waits::read_error_text(ReadError::from_io(&e))
                ));
            }
            Vec::new()
        }
    };
    let children: Vec<&Task> = kinship.children(pid).collect();
    let process = ProcessFacts {
        process: task,
        descriptors: &descriptors,
        children: &children,
    };
    let mut findings = Vec::new();
    // A zombie has no threads left to wait.
    if task.stat.state != 'Z' {
        let thread_needs = Needs {
            status: StatusNeed::All,
            threads: ThreadNeed::Own,
            more_stat: true,
            ..Needs::default()
        };
        let mut threads = reader.threads(task, thread_needs);
        if threads.is_empty() {
            threads.push(task.clone());
        }
        let mut denied = Vec::new();
        for thread in threads {
            let uninterruptible = thread.stat.state == 'D';
            let wait = reader.thread_wait(thread, uninterruptible);
            if let Err(e) = wait.syscall {
                denied.push(("system calls", e));
            }
            if let Some(Err(e)) = &wait.stack {
                denied.push(("kernel stack", *e));
            }
            let memory = match &wait.syscall {
                Ok(call) => read_memory(arch, pid, call),
                Err(_) => Vec::new(),
            };
            findings.push(waits::thread(
                arch,
                &ThreadFacts {
                    wait: &wait,
                    memory,
                },
                &process,
            ));
        }
        denied.sort_by_key(|(what, _)| *what);
        denied.dedup_by_key(|(what, _)| *what);
        for (what, e) in denied {
            unreadable.push(format!("{what}: {}", waits::read_error_text(e)));
        }
    }
    let groups = waits::group(findings);
    let mut fds: Vec<i32> = groups
        .iter()
        .flat_map(|g| g.finding.fds().to_vec())
        .collect();
    fds.sort_unstable();
    fds.dedup();
    let waited: Vec<OpenFd> = descriptors
        .iter()
        .filter(|o| fds.contains(&o.fd))
        .cloned()
        .collect();
    let holders = reader.holders(&Ends::wanted(tables, &waited));
    let ends = Ends::new(tables, holders);
    let resolved = waited
        .into_iter()
        .map(|o| {
            let r = ends.resolve(pid, &o);
            (o, r)
        })
        .collect();
    let mut ancestry = vec![task];
    ancestry.extend(kinship.ancestors(task));
    Facts {
        task,
        groups,
        standing: waits::standing(task),
        descriptors: resolved,
        ancestry,
        session_leader: kinship.get(task.stat.session),
        cgroup: task.extras.as_ref().and_then(|e| e.cgroup.clone()),
        unreadable,
    }
}

/// The memory a waiting call points to, read where the kernel allows it.
fn read_memory(arch: Option<Arch>, pid: i32, call: &SyscallNow) -> Vec<Result<Vec<u8>, ReadError>> {
    waits::memory_wanted(arch, call)
        .into_iter()
        .map(|r| {
            if r.len == 0 {
                return Ok(Vec::new());
            }
            sys::peek::read(pid, r.address, r.len).map_err(|e| ReadError::from_io(&e))
        })
        .collect()
}

/// `why --all`: every task, sampled once or for `--sample` seconds.
fn run_all(args: &WhyArgs, cx: &Context) -> Result<i32> {
    let reader = cx.reader()?;
    let needs = Needs {
        threads: ThreadNeed::Own,
        extras: ExtraFiles::WCHAN.union(ExtraFiles::SYSCALL),
        ..Needs::default()
    };
    let arch = Arch::native();
    let length = Duration::from_secs_f64(args.sample.unwrap_or(0.0));
    let start = Instant::now();
    let mut tally = Tally::default();
    loop {
        let taken = Instant::now();
        let snapshot = cx.scan_with(&reader, needs)?;
        tally.add(arch, &snapshot.tasks);
        if start.elapsed() >= length {
            break;
        }
        let rest = length.saturating_sub(start.elapsed());
        std::thread::sleep(SAMPLE_EVERY.saturating_sub(taken.elapsed()).min(rest));
    }
    let seconds = (start.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    match cx.format {
        Format::Json => render::to_stdout(|out| {
            json::write_document(
                out,
                "sample",
                &why::all_record(&tally, seconds, args.all_states),
            )
        })?,
        Format::Jsonl => render::to_stdout(|out| {
            json::write_lines(out, why::count_records(&tally, args.all_states))
        })?,
        Format::Table => render::emit(&why::all_text(&tally, seconds, args.all_states, &cx.style))?,
    }
    Ok(exit::SUCCESS)
}
