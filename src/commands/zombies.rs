//! `pscope zombies`: zombies grouped by the parent that has not reaped them.

use anyhow::Result;

use super::Context;
use crate::analysis::columns::{self, Field, Request};
use crate::analysis::kinship::Kinship;
use crate::cli::{Format, ZombiesArgs};
use crate::error::exit;
use crate::render::zombies;
use crate::render::{self, json};

pub fn run(args: &ZombiesArgs, cx: &Context) -> Result<i32> {
    let snapshot = cx.scan(columns::needs(Request {
        fields: &[Field::Args],
        records: cx.structured(),
        ..Request::default()
    }))?;
    let kinship = Kinship::new(&snapshot.tasks);
    let row_cx = cx.rows(&snapshot);
    let groups = kinship.zombie_groups(&snapshot.system);
    let exited: Vec<_> = kinship.exited_main_threads().collect();
    match cx.format {
        Format::Json => render::to_stdout(|out| {
            json::write_document(out, "report", &zombies::report(&groups, &exited, &row_cx))
        })?,
        Format::Jsonl => render::to_stdout(|out| {
            json::write_lines(
                out,
                groups.iter().map(|g| zombies::group_record(g, &row_cx)),
            )
        })?,
        Format::Table => render::emit(&zombies::text(&groups, &exited, &row_cx, &cx.style))?,
    }
    let any = groups.iter().any(|g| !g.zombies.is_empty());
    Ok(if args.check && any {
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    })
}
