//! `pscope zombies`: zombies grouped by the parent that has not reaped them.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::analysis::columns::RowContext;
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::psfmt;
use crate::cli::{Format, ZombiesArgs};
use crate::error::exit;
use crate::model::Snapshot;
use crate::render::json::{self, ProcessRecord};
use crate::render::table::{self, Row, Tone};
use crate::render::{self};

/// What to do about the zombies of one parent.
pub fn advice(parent: i32) -> String {
    if parent == 1 {
        return "init (PID 1) normally reaps adopted zombies within seconds; if these stay, \
                init itself is not calling wait()"
            .into();
    }
    format!(
        "the parent must call wait() or waitpid() to reap them. `kill -CHLD {parent}` may \
         prompt it; if it still does not, ending the parent (`kill {parent}`) hands the \
         zombies to init, which reaps them"
    )
}

/// The zombies of one parent.
#[derive(Serialize)]
pub struct ZombieGroup {
    pub parent_pid: i32,
    pub parent_comm: Option<String>,
    pub parent_args: Option<String>,
    pub count: usize,
    pub oldest_seconds: u64,
    pub advice: String,
    pub zombies: Vec<ProcessRecord>,
}

#[derive(Serialize)]
struct Report {
    zombies: Vec<ZombieGroup>,
    /// Processes whose main thread exited while others run (`Zl`): alive,
    /// not zombie processes.
    exited_main_threads: Vec<ProcessRecord>,
}

/// Zombies grouped by parent, oldest first within each group.
pub fn zombie_groups(snapshot: &Snapshot, kinship: &Kinship, cx: &RowContext) -> Vec<ZombieGroup> {
    let mut by_parent: BTreeMap<i32, Vec<ProcessRecord>> = BTreeMap::new();
    for task in &snapshot.tasks {
        if kinship.kind(task) == Kind::Zombie {
            by_parent
                .entry(task.stat.ppid)
                .or_default()
                .push(ProcessRecord::new(task, Kind::Zombie, cx));
        }
    }
    by_parent
        .into_iter()
        .map(|(ppid, mut zombies)| {
            zombies.sort_by_key(|z| std::cmp::Reverse(z.elapsed_seconds));
            let parent = kinship.get(ppid);
            ZombieGroup {
                parent_pid: ppid,
                parent_comm: parent.map(|p| psfmt::comm(&p.stat.comm, cx.utf8)),
                parent_args: parent.map(|p| {
                    psfmt::args(
                        p.cmdline.as_deref(),
                        &p.stat.comm,
                        p.stat.state == 'Z',
                        cx.utf8,
                    )
                }),
                count: zombies.len(),
                oldest_seconds: zombies.first().map_or(0, |z| z.elapsed_seconds),
                advice: advice(ppid),
                zombies,
            }
        })
        .collect()
}

pub fn run(args: &ZombiesArgs, cx: &Context) -> Result<i32> {
    let snapshot = cx.scan(cx.report_needs())?;
    let kinship = Kinship::new(&snapshot.tasks);
    let row_cx = cx.rows(&snapshot);
    let groups = zombie_groups(&snapshot, &kinship, &row_cx);
    let exited_main_threads: Vec<ProcessRecord> = snapshot
        .tasks
        .iter()
        .filter(|t| kinship.kind(t) == Kind::ExitedMainThread)
        .map(|t| ProcessRecord::new(t, Kind::ExitedMainThread, &row_cx))
        .collect();
    let total: usize = groups.iter().map(|g| g.count).sum();

    let text = match cx.format {
        Format::Json => {
            json::document(
                "report",
                &Report {
                    zombies: groups,
                    exited_main_threads,
                },
            )? + "\n"
        }
        Format::Jsonl => json::lines(&groups)?,
        Format::Table => table_text(&groups, &exited_main_threads, total, cx),
    };
    render::emit(&text)?;
    Ok(if args.check && total > 0 {
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    })
}

fn table_text(
    groups: &[ZombieGroup],
    exited: &[ProcessRecord],
    total: usize,
    cx: &Context,
) -> String {
    let mut out = String::new();
    if total == 0 {
        out.push_str("no zombie processes\n");
    } else {
        out.push_str(&format!(
            "{total} zombie{} under {} parent{}:\n",
            if total == 1 { "" } else { "s" },
            groups.len(),
            if groups.len() == 1 { "" } else { "s" }
        ));
        let headers = table::headers(
            &[
                "PARENT",
                "NAME",
                "ZOMBIES",
                "OLDEST",
                "ZOMBIE PIDS",
                "PARENT COMMAND",
            ],
            &[0, 2, 3],
        );
        let rows = groups
            .iter()
            .map(|g| Row {
                cells: vec![
                    g.parent_pid.to_string(),
                    g.parent_comm.clone().unwrap_or_else(|| "?".into()),
                    g.count.to_string(),
                    psfmt::elapsed(g.oldest_seconds),
                    g.zombies
                        .iter()
                        .map(|z| z.pid.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    g.parent_args
                        .clone()
                        .unwrap_or_else(|| "(not visible)".into()),
                ],
                tone: Tone::Alert,
            })
            .collect();
        out.push_str(&table::render(&headers, rows, true, &cx.style));
        out.push_str("\nWhat to do:\n");
        for g in groups {
            out.push_str(&format!("  parent {}: {}.\n", g.parent_pid, g.advice));
        }
        out.push_str(
            "  A zombie has already exited and holds no memory, only its PID and exit status; \
             it cannot be killed, only reaped.\n",
        );
    }
    if !exited.is_empty() {
        out.push_str(&format!(
            "\n{} process{} whose main thread exited while other threads run (STAT Zl; alive, not zombies): {}\n",
            exited.len(),
            if exited.len() == 1 { "" } else { "es" },
            exited
                .iter()
                .map(|p| format!("{}({})", p.comm, p.pid))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}
