//! `pscope` on its own: every process, with the columns of `ps aux` and the
//! parent, nice value and priority, fitted to the terminal and colored
//! there. Any argument of ps's makes it ps (`commands::pslist`).

use anyhow::Result;
use regex::Regex;

use super::pslist::Filters;
use super::Context;
use crate::analysis::columns::{self, Column, Request};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::state;
use crate::cli::{Format, ListingArgs};
use crate::error::{self, exit};
use crate::model::Task;
use crate::render::schema::process_records;
use crate::render::table::{self, Header};
use crate::render::{self, json};

/// The columns of `ps aux`, with the parent, nice value and priority added.
const DEFAULT_COLUMNS: &str =
    "pid,ppid,user,stat,ni,pri,%cpu,%mem,vsz,rss,tname,start_time,bsdtime,args";

/// pscope's own filters, checked and compiled.
pub fn filters(state: Option<&str>, name: Option<&str>) -> Result<Filters> {
    let name = match name {
        Some(pattern) => Some(Regex::new(pattern).map_err(|e| {
            error::usage(format!(
                "invalid --name pattern: {}",
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            ))
        })?),
        None => None,
    };
    if let Some(states) = state {
        if let Some(bad) = states.chars().find(|&c| !state::is_state_letter(c)) {
            return Err(error::usage(format!(
                "--state: unknown state letter '{bad}' (expected letters from {})",
                state::state_letters()
            )));
        }
    }
    Ok(Filters {
        states: state.map(str::to_string),
        name,
    })
}

pub fn run(args: &ListingArgs, cx: &Context) -> Result<i32> {
    let filters = filters(args.state.as_deref(), args.name.as_deref())?;
    let columns =
        columns::parse_columns(&[DEFAULT_COLUMNS.to_string()]).map_err(anyhow::Error::msg)?;
    let fields: Vec<_> = columns.iter().map(Column::field).collect();
    let needs = columns::needs(Request {
        fields: &fields,
        records: cx.structured(),
        ..Request::default()
    });
    let snapshot = cx.scan(needs)?;
    let kinship = Kinship::new(&snapshot.tasks);
    let row_cx = cx.rows(&snapshot);
    let rows: Vec<(&Task, Kind)> = snapshot
        .tasks
        .iter()
        .filter(|t| filters.keep(t))
        .map(|t| (t, kinship.kind(t)))
        .collect();

    match cx.format {
        Format::Table => {
            let headers: Vec<Header> = columns
                .iter()
                .map(|c| Header {
                    title: c.header.clone(),
                    right_aligned: c.right_aligned(),
                })
                .collect();
            let text = table::render_lazy(
                &headers,
                rows.len(),
                true,
                &cx.style,
                &mut |r, c, buf| {
                    let (task, kind) = rows[r];
                    buf.push_str(&columns[c].field().plain_text(task, kind, &row_cx));
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
