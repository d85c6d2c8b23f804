//! `pscope ps`: the process list.

use anyhow::Result;
use regex::Regex;

use super::Context;
use crate::analysis::columns::{self, Column};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::select::{self, Selection};
use crate::cli::{Format, PsArgs};
use crate::error::{self, exit};
use crate::model::Task;
use crate::render::json::{self, ProcessRecord};
use crate::render::table::{self, Header, Tone};
use crate::render::{self};
use crate::source::{self, Needs, StatusNeed};

/// The columns of `ps aux`, with the parent and nice value added.
const DEFAULT_COLUMNS: &str =
    "pid,ppid,user,stat,ni,pri,%cpu,%mem,rss,tname,start_time,bsdtime,args";
const DEFAULT_THREAD_COLUMNS: &str =
    "pid,lwp,user,stat,ni,pri,%cpu,%mem,rss,tname,start_time,bsdtime,args";

pub fn run(args: &PsArgs, cx: &Context) -> Result<i32> {
    let columns = resolve_columns(args)?;
    let sort_keys = match &args.sort {
        Some(spec) => columns::parse_sort(spec).map_err(|e| error::usage(e.to_string()))?,
        None => Vec::new(),
    };
    let selection = selection(args)?;

    let structured = cx.format != Format::Table;
    let mut needs = columns
        .iter()
        .map(|c| c.field)
        .chain(sort_keys.iter().map(|k| k.field))
        .fold(Needs::default(), |n, f| n.union(f.needs()));
    if structured {
        needs = needs.union(Needs {
            status: StatusNeed::Ids,
            cmdline: true,
            ..Needs::default()
        });
    }
    if selection.needs_user_ids() {
        needs.status = StatusNeed::Ids;
    }
    if args.threads {
        needs.threads = true;
        needs.thread_stat = true;
        needs.thread_status = needs.status > StatusNeed::Nothing;
    }

    let snapshot = cx.scan(needs)?;
    let kinship = Kinship::new(&snapshot.tasks);
    let row_cx = cx.rows(&snapshot);

    let mut rows: Vec<(&Task, Kind)> = Vec::with_capacity(snapshot.tasks.len());
    let thread_rows: Vec<Task>;
    if args.threads {
        thread_rows = snapshot
            .tasks
            .iter()
            .filter(|t| selection.matches(t))
            .flat_map(threads_of)
            .collect();
        rows.extend(thread_rows.iter().map(|t| (t, kind_of_row(&kinship, t))));
    } else {
        rows.extend(
            snapshot
                .tasks
                .iter()
                .filter(|t| selection.matches(t))
                .map(|t| (t, kinship.kind(t))),
        );
    }
    select::sort_rows(&mut rows, &sort_keys, &row_cx);

    let text = match cx.format {
        Format::Table => {
            let headers: Vec<Header> = columns
                .iter()
                .map(|c| Header {
                    title: c.header.clone(),
                    right_aligned: c.field.is_numeric(),
                })
                .collect();
            // ps leaves the header line out when every header is empty (`-o pid=`).
            let show_headers = !args.no_headers && columns.iter().any(|c| !c.header.is_empty());
            table::render_lazy(
                &headers,
                rows.len(),
                show_headers,
                &cx.style,
                &mut |r, c, buf| {
                    let (task, kind) = rows[r];
                    buf.push_str(&columns[c].field.text(task, kind, &row_cx));
                },
                &|r| tone(rows[r].1),
            )
        }
        Format::Json | Format::Jsonl => {
            let records: Vec<ProcessRecord> = rows
                .iter()
                .map(|(task, kind)| ProcessRecord::new(task, *kind, &row_cx))
                .collect();
            if cx.format == Format::Json {
                json::document("processes", &records)? + "\n"
            } else {
                json::lines(&records)?
            }
        }
    };
    render::emit(&text)?;
    Ok(if rows.is_empty() {
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    })
}

fn resolve_columns(args: &PsArgs) -> Result<Vec<Column>> {
    let specs = if args.output.is_empty() {
        let default = if args.threads {
            DEFAULT_THREAD_COLUMNS
        } else {
            DEFAULT_COLUMNS
        };
        vec![default.to_string()]
    } else {
        args.output.clone()
    };
    let columns = columns::parse_columns(&specs).map_err(|e| error::usage(e.to_string()))?;
    if columns.is_empty() {
        return Err(error::usage("-o needs at least one keyword"));
    }
    Ok(columns)
}

fn selection(args: &PsArgs) -> Result<Selection> {
    let mut uids = Vec::with_capacity(args.users.len());
    for user in &args.users {
        let uid = source::uid_for_name(user)
            .ok_or_else(|| error::usage(format!("no such user: {user}")))?;
        uids.push(uid);
    }
    let name = match &args.name {
        Some(pattern) => Some(Regex::new(pattern).map_err(|e| {
            error::usage(format!(
                "invalid --name pattern: {}",
                one_line(&e.to_string())
            ))
        })?),
        None => None,
    };
    if let Some(states) = &args.state {
        if let Some(bad) = states.chars().find(|c| !"RSDTtZXIPWK".contains(*c)) {
            return Err(error::usage(format!(
                "--state: unknown state letter '{bad}' (expected letters from R S D T t Z X I P)"
            )));
        }
    }
    Ok(Selection {
        pids: args.pids.clone(),
        uids,
        commands: args.commands.clone(),
        ppids: args.ppids.clone(),
        sids: args.sids.clone(),
        ttys: args.ttys.clone(),
        states: args.state.clone(),
        name,
    })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The thread rows of a process. Threads share the process's command line;
/// each has its own stat (state, nice, CPU time) and status. The main
/// thread's row shows the process's own files, whose CPU time covers every
/// thread, as ps -L shows it.
fn threads_of(process: &Task) -> Vec<Task> {
    let main = || Task {
        threads: Vec::new(),
        ..process.clone()
    };
    if process.threads.is_empty() {
        // Single-threaded (its task directory is not listed), or the
        // directory vanished or is hidden: show the process itself.
        return vec![main()];
    }
    process
        .threads
        .iter()
        .map(|thread| {
            if thread.pid == process.pid {
                return main();
            }
            Task {
                cmdline: process.cmdline.clone(),
                status: thread.status.clone().or_else(|| process.status.clone()),
                ..thread.clone()
            }
        })
        .collect()
}

fn kind_of_row(kinship: &Kinship, thread: &Task) -> Kind {
    match kinship.get(thread.tgid) {
        Some(process) if thread.pid == thread.tgid => kinship.kind(process),
        _ => crate::analysis::kinship::kind_of(thread, false),
    }
}

pub fn tone(kind: Kind) -> Tone {
    match kind {
        Kind::Zombie => Tone::Alert,
        Kind::Orphan => Tone::Notice,
        _ => Tone::Plain,
    }
}
