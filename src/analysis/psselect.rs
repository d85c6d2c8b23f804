//! Which processes a ps command line selects, exactly as procps-ng ps
//! decides: `-e`/`ax` take all; otherwise a process passes the simple
//! selection's table (by its user, whether it leads its session, whether it
//! has a terminal, whether that is ps's own) or any selection list; `r`
//! keeps running ones; `-N` turns the answer round.

use super::psquery::{PsSelect, SelectList};
use crate::model::Task;

/// The caller, as the simple selection compares processes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub euid: u32,
    /// Its terminal as stat's tty_nr encodes it; 0 without one.
    pub tty: i32,
}

/// The table's default: the caller's processes on the caller's terminal.
pub const UNIX_DEFAULT: u16 = 0xaa00;

/// A process's place in the 16-bit table: bit 0 its effective user is the
/// caller's, bit 1 it leads its session, bit 2 it has no terminal, bit 3
/// its terminal is the caller's.
fn table_index(task: &Task, caller: Caller) -> u32 {
    let s = &task.stat;
    let mut index = 0;
    if task.euid() == Some(caller.euid) {
        index |= 1;
    }
    if s.session == task.tgid {
        index |= 2;
    }
    if s.tty_nr == 0 {
        index |= 4;
    }
    if s.tty_nr == caller.tty {
        index |= 8;
    }
    index
}

/// Command names compare as ps compares them: up to 63 bytes, and a name
/// the kernel cut at 15 bytes matches any longer name that starts alike.
fn command_matches(comm: &[u8], wanted: &[u8]) -> bool {
    let wanted = &wanted[..wanted.len().min(63)];
    if comm.len() == 15 && wanted.len() >= 15 {
        return comm == &wanted[..15];
    }
    comm == wanted
}

fn list_matches(list: &SelectList, task: &Task) -> bool {
    let s = &task.stat;
    let status = task.status.as_deref();
    match list {
        SelectList::Pid(pids) | SelectList::QuickPid(pids) => pids.contains(&task.tgid),
        SelectList::Ppid(pids) => pids.contains(&s.ppid),
        SelectList::Pgrp(groups) => groups.contains(&s.pgrp),
        SelectList::Session(sessions) => sessions.contains(&s.session),
        SelectList::Tty(ttys) => ttys.contains(&s.tty_nr),
        SelectList::Euid(ids) => task.euid().is_some_and(|u| ids.contains(&u)),
        SelectList::Ruid(ids) => task.ruid().is_some_and(|u| ids.contains(&u)),
        SelectList::Egid(ids) => status
            .and_then(|v| v.egid)
            .is_some_and(|g| ids.contains(&g)),
        SelectList::Rgid(ids) => status
            .and_then(|v| v.rgid)
            .is_some_and(|g| ids.contains(&g)),
        SelectList::Command(names) => names.iter().any(|n| command_matches(&s.comm, n)),
    }
}

/// Whether ps would show this process.
pub fn selects(select: &PsSelect, task: &Task, caller: Caller) -> bool {
    let chosen = select.all
        || select
            .simple_bits
            .is_some_and(|bits| bits & (1 << table_index(task, caller)) != 0)
        || select.lists.iter().any(|l| list_matches(l, task));
    let running = !select.running_only || matches!(task.stat.state, 'R' | 'D');
    (chosen && running) != select.negate
}

/// Whether deciding needs the user ids from status.
pub fn needs_ids(select: &PsSelect) -> bool {
    (!select.all && select.simple_bits.is_some())
        || select.lists.iter().any(|l| {
            matches!(
                l,
                SelectList::Euid(_)
                    | SelectList::Ruid(_)
                    | SelectList::Egid(_)
                    | SelectList::Rgid(_)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StatFields, StatusFields};

    fn task(pid: i32, uid: u32, session: i32, tty: i32, state: char) -> Task {
        Task {
            pid,
            tgid: pid,
            stat: StatFields {
                session,
                tty_nr: tty,
                state,
                comm: b"sleep".to_vec(),
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

    const ME: Caller = Caller {
        euid: 0,
        tty: 34817,
    };

    #[test]
    fn the_default_is_my_processes_on_my_terminal() {
        let select = PsSelect {
            simple_bits: Some(UNIX_DEFAULT),
            ..PsSelect::default()
        };
        assert!(selects(&select, &task(10, 0, 10, 34817, 'S'), ME));
        assert!(selects(&select, &task(11, 0, 10, 34817, 'S'), ME));
        assert!(!selects(&select, &task(12, 65534, 10, 34817, 'S'), ME));
        assert!(!selects(&select, &task(13, 0, 13, 34816, 'S'), ME));
        // Without a terminal, "my terminal" is none.
        let me = Caller { euid: 0, tty: 0 };
        assert!(selects(&select, &task(14, 0, 14, 0, 'S'), me));
    }

    #[test]
    fn lists_add_up_and_negation_turns_round() {
        let select = PsSelect {
            lists: vec![SelectList::Pid(vec![10]), SelectList::Euid(vec![65534])],
            ..PsSelect::default()
        };
        assert!(selects(&select, &task(10, 0, 10, 0, 'S'), ME));
        assert!(selects(&select, &task(20, 65534, 20, 0, 'S'), ME));
        assert!(!selects(&select, &task(30, 0, 30, 0, 'S'), ME));
        let negated = PsSelect {
            negate: true,
            ..select.clone()
        };
        assert!(selects(&negated, &task(30, 0, 30, 0, 'S'), ME));
        let running = PsSelect {
            all: true,
            running_only: true,
            ..PsSelect::default()
        };
        assert!(selects(&running, &task(1, 0, 1, 0, 'R'), ME));
        assert!(selects(&running, &task(1, 0, 1, 0, 'D'), ME));
        assert!(!selects(&running, &task(1, 0, 1, 0, 'S'), ME));
    }

    #[test]
    fn long_command_names_match_the_kernels_cut() {
        assert!(command_matches(b"verylongname_ab", b"verylongname_abcdef"));
        assert!(!command_matches(b"short", b"shorter"));
        assert!(command_matches(b"sleep", b"sleep"));
    }
}
