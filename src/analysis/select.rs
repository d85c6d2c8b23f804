//! Which processes a listing shows, and in which order.

use regex::Regex;

use super::kinship::{kind_of, Kind, Kinship};
use super::psfmt;
use super::psquery::SortSpec;
use super::values::RowContext;
use crate::model::Task;

/// Selection as ps does it: the listed criteria (pids, users, names,
/// parents, sessions, terminals) add up; `states` and `name` then narrow
/// the result. With no criterion every process is shown.
#[derive(Debug, Default)]
pub struct Selection {
    pub pids: Vec<i32>,
    pub uids: Vec<u32>,
    pub commands: Vec<String>,
    pub ppids: Vec<i32>,
    pub sids: Vec<i32>,
    /// Terminal names as ps prints them (`pts/0`, `tty1`, `?` for none).
    pub ttys: Vec<String>,
    pub states: Option<String>,
    pub name: Option<Regex>,
}

impl Selection {
    fn has_criteria(&self) -> bool {
        !(self.pids.is_empty()
            && self.uids.is_empty()
            && self.commands.is_empty()
            && self.ppids.is_empty()
            && self.sids.is_empty()
            && self.ttys.is_empty())
    }

    /// Whether a process (or thread, judged by its process's ids) is shown.
    pub fn matches(&self, task: &Task) -> bool {
        let s = &task.stat;
        if self.has_criteria() {
            let comm = String::from_utf8_lossy(&s.comm);
            let tty = psfmt::tty_name(s.tty_nr).unwrap_or_else(|| "?".into());
            let listed = self.pids.contains(&task.tgid)
                || task.euid().is_some_and(|u| self.uids.contains(&u))
                || self.commands.iter().any(|c| *c == comm)
                || self.ppids.contains(&s.ppid)
                || self.sids.contains(&s.session)
                || self.ttys.iter().any(|t| tty_matches(t, &tty));
            if !listed {
                return false;
            }
        }
        if let Some(states) = &self.states {
            if !states.contains(s.state) {
                return false;
            }
        }
        if let Some(re) = &self.name {
            if !re.is_match(&String::from_utf8_lossy(&s.comm)) {
                return false;
            }
        }
        true
    }

    /// Whether the user database is needed to decide (`-u`).
    pub fn needs_user_ids(&self) -> bool {
        !self.uids.is_empty()
    }
}

/// ps accepts `pts/1`, `/dev/pts/1`, `tty1` and `1` style names.
fn tty_matches(wanted: &str, actual: &str) -> bool {
    let wanted = wanted.strip_prefix("/dev/").unwrap_or(wanted);
    wanted == actual
        || (actual != "?" && actual.strip_prefix("tty") == Some(wanted))
        || (wanted == "-" && actual == "?")
}

/// The thread rows of a process (`-L`). Threads share the process's
/// command line; each has its own stat (state, nice, CPU time) and status.
/// The main thread's row shows the process's own files, whose CPU time
/// covers every thread, as ps -L shows it.
pub fn thread_rows(process: &Task) -> Vec<Task> {
    let main = || Task {
        threads: Vec::new(),
        ..process.clone()
    };
    if process.threads.is_empty() {
        // Single-threaded (its task directory is not listed), or the
        // directory vanished or is hidden: show the process itself.
        return vec![main()];
    }
    process
        .threads
        .iter()
        .map(|thread| {
            if thread.pid == process.pid {
                return main();
            }
            Task {
                cmdline: process.cmdline.clone(),
                status: thread.status.clone().or_else(|| process.status.clone()),
                ..thread.clone()
            }
        })
        .collect()
}

/// The verdict on a thread row: the process's own for its main thread.
pub fn thread_kind(kinship: &Kinship, thread: &Task) -> Kind {
    match kinship.get(thread.tgid) {
        Some(process) if thread.pid == thread.tgid => kinship.kind(process),
        _ => kind_of(thread, false),
    }
}

/// Sorts rows by the keys, earlier keys first; ties keep /proc order.
pub fn sort_rows(rows: &mut [(&Task, Kind)], keys: &[SortSpec], cx: &RowContext) {
    if keys.is_empty() {
        return;
    }
    rows.sort_by(|(a, ka), (b, kb)| {
        for key in keys {
            let va = key.keyword.sort.value(a, *ka, cx);
            let vb = key.keyword.sort.value(b, *kb, cx);
            let order = va.compare(&vb);
            let order = if key.descending {
                order.reverse()
            } else {
                order
            };
            if order.is_ne() {
                return order;
            }
        }
        std::cmp::Ordering::Equal
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StatFields, StatusFields};

    fn task(pid: i32, comm: &str, uid: u32, state: char) -> Task {
        Task {
            pid,
            tgid: pid,
            stat: StatFields {
                comm: comm.as_bytes().to_vec(),
                state,
                ppid: 1,
                session: pid,
                tty_nr: (136 << 8) | 2,
                ..StatFields::default()
            },
            status: Some(Box::new(StatusFields {
                euid: Some(uid),
                ruid: Some(uid),
                ..StatusFields::default()
            })),
            ..Task::default()
        }
    }

    #[test]
    fn criteria_add_up_and_filters_narrow() {
        let a = task(10, "bash", 1000, 'S');
        let b = task(11, "vim", 0, 'R');
        let sel = Selection {
            pids: vec![10],
            commands: vec!["vim".into()],
            ..Selection::default()
        };
        assert!(sel.matches(&a) && sel.matches(&b));
        let sel = Selection {
            pids: vec![10, 11],
            states: Some("R".into()),
            ..Selection::default()
        };
        assert!(!sel.matches(&a) && sel.matches(&b));
        let sel = Selection {
            name: Some(Regex::new("^b").unwrap()),
            ..Selection::default()
        };
        assert!(sel.matches(&a) && !sel.matches(&b));
        let sel = Selection {
            uids: vec![0],
            ..Selection::default()
        };
        assert!(!sel.matches(&a) && sel.matches(&b));
    }

    #[test]
    fn terminals_match_in_ps_spellings() {
        let a = task(10, "bash", 0, 'S');
        for t in ["pts/2", "/dev/pts/2"] {
            let sel = Selection {
                ttys: vec![t.into()],
                ..Selection::default()
            };
            assert!(sel.matches(&a), "{t}");
        }
        assert!(tty_matches("1", "tty1"));
        assert!(!tty_matches("pts/3", "pts/2"));
    }
}
