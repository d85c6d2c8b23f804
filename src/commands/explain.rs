//! `pscope explain`: STAT strings in words, offline or for a live process.

use anyhow::Result;

use super::Context;
use crate::analysis::columns::{self, Field, Request};
use crate::analysis::state;
use crate::cli::{ExplainArgs, Format};
use crate::error::{self, exit};
use crate::render::explain;
use crate::render::{self, json};

pub fn run(args: &ExplainArgs, cx: &Context) -> Result<i32> {
    if args.legend {
        match cx.format {
            Format::Table => render::emit(&explain::legend_text())?,
            _ => render::to_stdout(|out| {
                json::write_document(out, "legend", &explain::legend_record())
            })?,
        }
        return Ok(exit::SUCCESS);
    }
    let mut explained = Vec::new();
    if let Some(pid) = args.pid {
        let needs = columns::needs(Request {
            fields: &[Field::Stat],
            ..Request::default()
        });
        let task = cx
            .reader()?
            .process(pid, needs)
            .ok_or_else(|| error::not_found(format!("process {pid} not found")))?;
        let e = state::explain_task(&task).ok_or_else(|| {
            anyhow::anyhow!("process {pid} has an unknown state '{}'", task.stat.state)
        })?;
        explained.push(e);
    }
    for input in &args.stats {
        explained.push(state::explain_string(input).map_err(|e| error::usage(e.to_string()))?);
    }
    let records = || json::Each::new(explained.iter().map(explain::record));
    match cx.format {
        Format::Json => {
            render::to_stdout(|out| json::write_document(out, "explained", &records()))?
        }
        Format::Jsonl => {
            render::to_stdout(|out| json::write_lines(out, explained.iter().map(explain::record)))?
        }
        Format::Table => render::emit(
            &explained
                .iter()
                .map(|e| explain::text(e, args.long))
                .collect::<Vec<_>>()
                .join("\n"),
        )?,
    }
    Ok(exit::SUCCESS)
}
