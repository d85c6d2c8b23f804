//! `pscope ps`: the process list.

use anyhow::Result;
use regex::Regex;

use super::Context;
use crate::analysis::columns::{self, Column, Request};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::select::{self, Selection};
use crate::analysis::state;
use crate::cli::{Format, PsArgs};
use crate::error::{self, exit};
use crate::model::{Task, ThreadNeed};
use crate::render::schema::process_records;
use crate::render::table::{self, Header};
use crate::render::{self, json};
use crate::source;

/// The columns of `ps aux`, with the parent, nice value and priority added.
const DEFAULT_COLUMNS: &str =
    "pid,ppid,user,stat,ni,pri,%cpu,%mem,vsz,rss,tname,start_time,bsdtime,args";
const DEFAULT_THREAD_COLUMNS: &str =
    "pid,lwp,user,stat,ni,pri,%cpu,%mem,vsz,rss,tname,start_time,bsdtime,args";

pub fn run(args: &PsArgs, cx: &Context) -> Result<i32> {
    let columns = resolve_columns(args)?;
    let sort_keys = match &args.sort {
        Some(spec) => columns::parse_sort(spec).map_err(|e| error::usage(e.to_string()))?,
        None => Vec::new(),
    };
    let selection = selection(args)?;
    let fields: Vec<_> = columns
        .iter()
        .map(|c| c.field)
        .chain(sort_keys.iter().map(|k| k.field))
        .collect();
    let needs = columns::needs(Request {
        fields: &fields,
        records: cx.structured(),
        threads: if args.threads {
            ThreadNeed::Own
        } else {
            ThreadNeed::Nothing
        },
        user_ids: selection.needs_user_ids(),
        ..Request::default()
    });

    let snapshot = cx.scan(needs)?;
    let kinship = Kinship::new(&snapshot.tasks);
    let row_cx = cx.rows(&snapshot);
    let selected = snapshot.tasks.iter().filter(|t| selection.matches(t));
    let thread_rows: Vec<Task>;
    let mut rows: Vec<(&Task, Kind)> = if args.threads {
        thread_rows = selected.flat_map(select::thread_rows).collect();
        thread_rows
            .iter()
            .map(|t| (t, select::thread_kind(&kinship, t)))
            .collect()
    } else {
        selected.map(|t| (t, kinship.kind(t))).collect()
    };
    select::sort_rows(&mut rows, &sort_keys, &row_cx);

    match cx.format {
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
            let text = table::render_lazy(
                &headers,
                rows.len(),
                show_headers,
                &cx.style,
                &mut |r, c, buf| {
                    let (task, kind) = rows[r];
                    buf.push_str(&columns[c].field.text(task, kind, &row_cx));
                },
                &|r| render::tone(rows[r].1),
            );
            render::emit(&text)?;
        }
        Format::Json => render::to_stdout(|out| {
            json::write_document(
                out,
                "processes",
                &json::Each::new(process_records(rows.iter().copied(), &row_cx)),
            )
        })?,
        Format::Jsonl => render::to_stdout(|out| {
            json::write_lines(out, process_records(rows.iter().copied(), &row_cx))
        })?,
    }
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
    let uids = args
        .users
        .iter()
        .map(|user| source::uid_for_name(user).ok_or_else(|| error::no_such_user(user)))
        .collect::<Result<Vec<u32>>>()?;
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
        if let Some(bad) = states.chars().find(|&c| !state::is_state_letter(c)) {
            return Err(error::usage(format!(
                "--state: unknown state letter '{bad}' (expected letters from {})",
                state::state_letters()
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
