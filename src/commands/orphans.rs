//! `pscope orphans`: processes adopted by init or a subreaper, and POSIX
//! orphaned process groups.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::analysis::kinship::{Kind, Kinship, OrphanEvidence};
use crate::analysis::psfmt;
use crate::cli::{Format, OrphansArgs};
use crate::error::exit;
use crate::render::json::{self, ProcessRecord};
use crate::render::table::{self, Row, Tone};
use crate::render::{self};

#[derive(Serialize)]
struct Adopter {
    pid: i32,
    comm: String,
    /// PID 1 of the namespace; otherwise a child subreaper.
    is_init: bool,
}

#[derive(Serialize)]
struct Orphan {
    #[serde(flatten)]
    process: ProcessRecord,
    adopter: Adopter,
    evidence: Evidence,
}

#[derive(Serialize)]
struct Evidence {
    /// The session the process came from (inherited from its first parent).
    original_session: i32,
    session_leader_alive: bool,
    adopter_session: i32,
    /// /proc does not record the original parent: this is an inference.
    heuristic: bool,
}

#[derive(Serialize)]
struct Group {
    pgid: i32,
    sid: i32,
    members: Vec<i32>,
    leader: Option<String>,
    /// Stopped members: the kernel sends an orphaned group SIGHUP and
    /// SIGCONT when it becomes orphaned with stopped members.
    stopped: usize,
}

#[derive(Serialize)]
struct Report {
    orphans: Vec<Orphan>,
    orphaned_process_groups: Vec<Group>,
}

pub fn run(_args: &OrphansArgs, cx: &Context) -> Result<i32> {
    let snapshot = cx.scan(cx.report_needs())?;
    let kinship = Kinship::new(&snapshot.tasks);
    let row_cx = cx.rows(&snapshot);
    let orphans: Vec<Orphan> = snapshot
        .tasks
        .iter()
        .filter_map(|t| {
            let e: OrphanEvidence = kinship.orphan_evidence(t)?;
            let adopter = kinship.get(e.adopter)?;
            Some(Orphan {
                process: ProcessRecord::new(t, Kind::Orphan, &row_cx),
                adopter: Adopter {
                    pid: e.adopter,
                    comm: String::from_utf8_lossy(&adopter.stat.comm).into_owned(),
                    is_init: e.adopter == 1,
                },
                evidence: Evidence {
                    original_session: e.session,
                    session_leader_alive: e.session_leader_alive,
                    adopter_session: e.adopter_session,
                    heuristic: true,
                },
            })
        })
        .collect();
    let groups: Vec<Group> = kinship
        .orphaned_groups()
        .into_iter()
        .map(|g| Group {
            leader: kinship
                .get(g.pgid)
                .map(|l| psfmt::comm(&l.stat.comm, cx.style.utf8)),
            pgid: g.pgid,
            sid: g.session,
            members: g.members,
            stopped: g.stopped,
        })
        .collect();

    let text = match cx.format {
        Format::Json => {
            json::document(
                "report",
                &Report {
                    orphans,
                    orphaned_process_groups: groups,
                },
            )? + "\n"
        }
        Format::Jsonl => json::lines(&orphans)?,
        Format::Table => table_text(&orphans, &groups, cx),
    };
    render::emit(&text)?;
    Ok(exit::SUCCESS)
}

fn table_text(orphans: &[Orphan], groups: &[Group], cx: &Context) -> String {
    let mut out = String::new();
    if orphans.is_empty() {
        out.push_str("no orphaned processes found\n");
    } else {
        out.push_str(&format!(
            "{} orphaned process{} (adopted after their parent ended; inferred from sessions, see --help):\n",
            orphans.len(),
            if orphans.len() == 1 { "" } else { "es" }
        ));
        let headers = table::headers(
            &[
                "PID",
                "NAME",
                "ADOPTER",
                "FROM SESSION",
                "LEADER",
                "COMMAND",
            ],
            &[0, 3],
        );
        let rows = orphans
            .iter()
            .map(|o| Row {
                cells: vec![
                    o.process.pid.to_string(),
                    psfmt::escape(o.process.comm.as_bytes(), cx.style.utf8),
                    format!(
                        "{}({}){}",
                        psfmt::escape(o.adopter.comm.as_bytes(), cx.style.utf8),
                        o.adopter.pid,
                        if o.adopter.is_init {
                            " init"
                        } else {
                            " subreaper"
                        }
                    ),
                    o.evidence.original_session.to_string(),
                    if o.evidence.session_leader_alive {
                        "alive"
                    } else {
                        "gone"
                    }
                    .to_string(),
                    o.process.args.clone(),
                ],
                tone: Tone::Notice,
            })
            .collect();
        out.push_str(&table::render(&headers, rows, true, &cx.style));
    }
    out.push_str(&format!(
        "\n{} POSIX orphaned process group{} (no member has a parent in another group of its session):\n",
        groups.len(),
        if groups.len() == 1 { "" } else { "s" }
    ));
    if !groups.is_empty() {
        let headers = table::headers(
            &["PGID", "SID", "MEMBERS", "STOPPED", "LEADER"],
            &[0, 1, 2, 3],
        );
        let rows = groups
            .iter()
            .map(|g| Row {
                cells: vec![
                    g.pgid.to_string(),
                    g.sid.to_string(),
                    g.members.len().to_string(),
                    g.stopped.to_string(),
                    g.leader.clone().unwrap_or_else(|| "(gone)".into()),
                ],
                tone: if g.stopped > 0 {
                    Tone::Alert
                } else {
                    Tone::Plain
                },
            })
            .collect();
        out.push_str(&table::render(&headers, rows, true, &cx.style));
    }
    out
}
