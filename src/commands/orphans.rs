//! `pscope orphans`: processes adopted by init or a subreaper, and POSIX
//! orphaned process groups.

use anyhow::Result;

use super::Context;
use crate::analysis::columns::{self, Field, Request};
use crate::analysis::kinship::Kinship;
use crate::cli::{Format, OrphansArgs};
use crate::error::exit;
use crate::render::orphans::{self, Orphan};
use crate::render::{self, json};

pub fn run(_args: &OrphansArgs, cx: &Context) -> Result<i32> {
    let snapshot = cx.scan(columns::needs(Request {
        fields: &[Field::Args],
        records: cx.structured(),
        ..Request::default()
    }))?;
    let kinship = Kinship::new(&snapshot.tasks);
    let row_cx = cx.rows(&snapshot);
    let found: Vec<Orphan> = snapshot
        .tasks
        .iter()
        .filter_map(|task| {
            let evidence = kinship.orphan_evidence(task)?;
            let adopter = kinship.get(evidence.adopter)?;
            Some(Orphan {
                task,
                evidence,
                adopter,
            })
        })
        .collect();
    let groups = kinship.orphaned_groups();
    match cx.format {
        Format::Json => render::to_stdout(|out| {
            json::write_document(
                out,
                "report",
                &orphans::report(&found, &groups, &kinship, &row_cx),
            )
        })?,
        Format::Jsonl => render::to_stdout(|out| {
            json::write_lines(
                out,
                found.iter().map(|o| orphans::orphan_record(o, &row_cx)),
            )
        })?,
        Format::Table => render::emit(&orphans::text(
            &found, &groups, &kinship, &row_cx, &cx.style,
        ))?,
    }
    Ok(exit::SUCCESS)
}
