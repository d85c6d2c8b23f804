//! `pscope show PID`: one process in full.

use anyhow::Result;

use super::Context;
use crate::analysis::columns::{self, Request};
use crate::analysis::kinship::Kinship;
use crate::cli::{Format, ShowArgs};
use crate::error::{self, exit};
use crate::model::{Needs, StatusNeed, ThreadNeed};
use crate::render::show::{self, Facts};
use crate::render::{self, json};

pub fn run(args: &ShowArgs, cx: &Context) -> Result<i32> {
    let needs = columns::needs(Request {
        records: true,
        ..Request::default()
    });
    let reader = cx.reader()?;
    let snapshot = cx.scan_with(&reader, needs)?;
    let kinship = Kinship::new(&snapshot.tasks);
    let pid = args.pid;
    let listed = kinship
        .get(pid)
        .ok_or_else(|| error::not_found(format!("process {pid} not found")))?;
    // The process itself is read again in full, signal masks included;
    // if it ended meanwhile, what the scan read is shown.
    let full = reader.process(
        pid,
        Needs {
            status: StatusNeed::All,
            ..needs
        },
    );
    let task = full.as_ref().unwrap_or(listed);
    // Threads are read for this process alone (nice is per thread).
    let threads = reader.threads(
        task,
        columns::needs(Request {
            records: true,
            threads: ThreadNeed::Own,
            ..Request::default()
        }),
    );
    let link = |name: &str| {
        reader
            .link(pid, name)
            .map(|p| p.to_string_lossy().into_owned())
    };
    let (exe, cwd) = (link("exe"), link("cwd"));
    let ancestry = kinship.ancestors(task);
    let children: Vec<_> = kinship.children(pid).collect();
    let verdict = kinship.verdict(task);
    let facts = Facts {
        task,
        kind: verdict.kind,
        exe: &exe,
        cwd: &cwd,
        ancestry: &ancestry,
        children: &children,
        threads: &threads,
        verdict: &verdict,
    };
    let row_cx = cx.rows(&snapshot);
    match cx.format {
        Format::Json => render::to_stdout(|out| {
            json::write_document(out, "process", &show::record(&facts, &row_cx))
        })?,
        Format::Jsonl => {
            render::to_stdout(|out| json::write_line(out, &show::record(&facts, &row_cx)))?
        }
        Format::Table => render::emit(&show::text(&facts, &row_cx, &cx.style))?,
    }
    Ok(exit::SUCCESS)
}
