//! The zombie report: zombies grouped by the parent that has not reaped
//! them, and what to do.

use super::schema::{exit_status, ProcessRecord, ZombieGroupRecord, ZombieReport};
use super::table::{self, Row};
use super::{Style, Tone};
use crate::analysis::columns::RowContext;
use crate::analysis::kinship::{zombie_advice, Kind, ZombieGroup};
use crate::analysis::psfmt;
use crate::model::Task;

pub fn group_record(group: &ZombieGroup, rows: &RowContext) -> ZombieGroupRecord {
    ZombieGroupRecord::new(group, zombie_advice(group.parent_pid), rows)
}

pub fn report<'a>(
    groups: &'a [ZombieGroup],
    exited: &'a [&'a Task],
    rows: &'a RowContext,
) -> ZombieReport<Vec<ZombieGroupRecord>, Vec<ProcessRecord>> {
    ZombieReport {
        zombies: groups.iter().map(|g| group_record(g, rows)).collect(),
        exited_main_threads: exited
            .iter()
            .map(|t| ProcessRecord::new(t, Kind::ExitedMainThread, rows))
            .collect(),
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

pub fn text(groups: &[ZombieGroup], exited: &[&Task], rows: &RowContext, style: &Style) -> String {
    let mut out = String::new();
    let total: usize = groups.iter().map(|g| g.zombies.len()).sum();
    if total == 0 {
        out.push_str("no zombie processes\n");
    } else {
        out.push_str(&format!(
            "{total} zombie{} under {} parent{}:\n",
            plural(total, "", "s"),
            groups.len(),
            plural(groups.len(), "", "s")
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
        let table_rows = groups
            .iter()
            .map(|g| Row {
                cells: vec![
                    g.parent_pid.to_string(),
                    g.parent
                        .map_or_else(|| "?".into(), |p| psfmt::comm(&p.stat.comm, rows.utf8)),
                    g.zombies.len().to_string(),
                    psfmt::elapsed(g.oldest_seconds),
                    g.zombies
                        .iter()
                        .map(|z| z.pid.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    g.parent.map_or_else(
                        || "(not visible)".into(),
                        |p| {
                            psfmt::args(
                                p.cmdline.as_deref(),
                                &p.stat.comm,
                                p.stat.state == 'Z',
                                rows.utf8,
                            )
                        },
                    ),
                ],
                tone: Tone::Alert,
            })
            .collect();
        out.push_str(&table::render(&headers, table_rows, true, style));
        out.push_str("\nEach zombie, and what its parent's wait() will report:\n");
        let headers = table::headers(
            &["PID", "PARENT", "AGE", "EXIT STATUS", "COMMAND"],
            &[0, 1, 2],
        );
        let sys = &rows.snapshot.system;
        let zombie_rows = groups
            .iter()
            .flat_map(|g| g.zombies.iter())
            .map(|z| Row {
                cells: vec![
                    z.pid.to_string(),
                    z.stat.ppid.to_string(),
                    psfmt::elapsed(sys.elapsed_secs(z.stat.starttime)),
                    exit_status(z, Kind::Zombie).unwrap_or_else(|| "-".into()),
                    psfmt::args(z.cmdline.as_deref(), &z.stat.comm, true, rows.utf8),
                ],
                tone: Tone::Alert,
            })
            .collect();
        out.push_str(&table::render(&headers, zombie_rows, true, style));
        out.push_str("\nWhat to do:\n");
        for g in groups {
            out.push_str(&format!(
                "  parent {}: {}.\n",
                g.parent_pid,
                zombie_advice(g.parent_pid)
            ));
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
            plural(exited.len(), "", "es"),
            exited
                .iter()
                .map(|p| format!("{}({})", psfmt::comm(&p.stat.comm, rows.utf8), p.pid))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}
