//! The orphan report: adopted processes with the evidence, and POSIX
//! orphaned process groups.

use super::schema::{OrphanRecord, OrphanReport, OrphanedGroupRecord};
use super::table::{self, Row};
use super::{Style, Tone};
use crate::analysis::columns::RowContext;
use crate::analysis::kinship::{Kinship, OrphanEvidence, ProcessGroup};
use crate::analysis::psfmt;
use crate::model::Task;

/// An adopted process, its evidence, and its adopter.
pub struct Orphan<'a> {
    pub task: &'a Task,
    pub evidence: OrphanEvidence,
    pub adopter: &'a Task,
}

pub fn orphan_record(o: &Orphan, rows: &RowContext) -> OrphanRecord {
    OrphanRecord::new(o.task, &o.evidence, o.adopter, rows)
}

pub fn report(
    orphans: &[Orphan],
    groups: &[ProcessGroup],
    kinship: &Kinship,
    rows: &RowContext,
) -> OrphanReport<Vec<OrphanRecord>, Vec<OrphanedGroupRecord>> {
    OrphanReport {
        orphans: orphans.iter().map(|o| orphan_record(o, rows)).collect(),
        orphaned_process_groups: groups
            .iter()
            .map(|g| OrphanedGroupRecord::new(g, kinship, rows.utf8))
            .collect(),
    }
}

pub fn text(
    orphans: &[Orphan],
    groups: &[ProcessGroup],
    kinship: &Kinship,
    rows: &RowContext,
    style: &Style,
) -> String {
    let utf8 = rows.utf8;
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
        let table_rows = orphans
            .iter()
            .map(|o| {
                let s = &o.task.stat;
                Row {
                    cells: vec![
                        o.task.pid.to_string(),
                        psfmt::comm(&s.comm, utf8),
                        format!(
                            "{}({}){}",
                            psfmt::comm(&o.adopter.stat.comm, utf8),
                            o.evidence.adopter,
                            if o.evidence.adopter == 1 {
                                " init"
                            } else {
                                " subreaper"
                            }
                        ),
                        o.evidence.session.to_string(),
                        if o.evidence.session_leader_alive {
                            "alive"
                        } else {
                            "gone"
                        }
                        .to_string(),
                        psfmt::args(o.task.cmdline.as_deref(), &s.comm, s.state == 'Z', utf8),
                    ],
                    tone: Tone::Notice,
                }
            })
            .collect();
        out.push_str(&table::render(&headers, table_rows, true, style));
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
        let table_rows = groups
            .iter()
            .map(|g| Row {
                cells: vec![
                    g.pgid.to_string(),
                    g.session.to_string(),
                    g.members.len().to_string(),
                    g.stopped.to_string(),
                    kinship
                        .get(g.pgid)
                        .map_or_else(|| "(gone)".into(), |l| psfmt::comm(&l.stat.comm, utf8)),
                ],
                tone: if g.stopped > 0 {
                    Tone::Alert
                } else {
                    Tone::Plain
                },
            })
            .collect();
        out.push_str(&table::render(&headers, table_rows, true, style));
    }
    out
}
