//! What changed between two frames of the live view: processes born and
//! gone, state changes, reparenting, and the CPU time each used in the
//! interval. A process is its PID and its start time together, so a PID
//! the kernel hands out again is a new process, never the old one changed.

use super::psfmt;
use crate::model::Task;

/// What is kept of a process from one frame to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub pid: i32,
    pub ppid: i32,
    pub starttime: u64,
    /// User and system CPU time, clock ticks.
    pub ticks: u64,
    pub state: char,
    /// Shown once more when it has gone: its user and priority.
    pub owner: Option<u32>,
    pub priority: i16,
    pub nice: i8,
    /// Where its name is in its frame's names, and its length.
    name: (u32, u16),
}

/// The processes of a frame, sorted by PID (or TID, when rows are
/// threads), their names in one buffer: a frame of 20,000 processes is
/// kept in about a megabyte.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenFrame {
    seen: Vec<Seen>,
    names: Vec<u8>,
}

impl SeenFrame {
    pub fn new() -> SeenFrame {
        SeenFrame::default()
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    pub fn get(&self, pid: i32) -> Option<&Seen> {
        self.seen
            .binary_search_by_key(&pid, |s| s.pid)
            .ok()
            .map(|at| &self.seen[at])
    }

    pub fn name(&self, seen: &Seen) -> &[u8] {
        let (at, len) = (seen.name.0 as usize, seen.name.1 as usize);
        self.names.get(at..at + len).unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Seen> {
        self.seen.iter()
    }
}

/// What a frame remembers for the next one.
pub fn remember<'a>(tasks: impl IntoIterator<Item = &'a Task>) -> SeenFrame {
    let mut frame = SeenFrame::new();
    for t in tasks {
        let at = u32::try_from(frame.names.len()).unwrap_or(u32::MAX);
        frame
            .names
            .extend_from_slice(&t.stat.comm[..t.stat.comm.len().min(usize::from(u16::MAX))]);
        // Kernel priorities fit in 16 bits and nice values in 8.
        let priority = t.stat.priority.clamp(i16::MIN.into(), i16::MAX.into()) as i16;
        let nice = t.stat.nice.clamp(i8::MIN.into(), i8::MAX.into()) as i8;
        let len = t.stat.comm.len().min(usize::from(u16::MAX));
        frame.seen.push(Seen {
            pid: t.pid,
            ppid: t.stat.ppid,
            starttime: t.stat.starttime,
            ticks: t.cpu_ticks(),
            state: t.stat.state,
            owner: t.owner_uid,
            priority,
            nice,
            name: (at, len as u16),
        });
    }
    if !frame.seen.is_sorted_by_key(|s| s.pid) {
        frame.seen.sort_by_key(|s| s.pid);
    }
    frame
}

/// A process of the last frame that has gone, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gone {
    pub seen: Seen,
    pub comm: Vec<u8>,
}

/// How a process in this frame differs from the last frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    /// Not there in the last frame.
    pub born: bool,
    /// Its state letter in the last frame, when it changed.
    pub old_state: Option<char>,
    /// Its parent in the last frame, when it changed.
    pub old_parent: Option<i32>,
}

impl Marks {
    pub fn any(self) -> bool {
        self.born || self.old_state.is_some() || self.old_parent.is_some()
    }
}

/// Something that happened in the interval, for the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When the frame that saw it was read, seconds since the epoch.
    pub time: i64,
    pub pid: i32,
    pub comm: Vec<u8>,
    pub what: Happened,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happened {
    Born {
        parent: i32,
        parent_comm: Option<Vec<u8>>,
    },
    /// Gone while alive in the last frame: it exited and was reaped.
    Exited {
        parent: i32,
    },
    BecameZombie {
        parent: i32,
        from: char,
    },
    /// Gone after being a zombie: its parent waited for it.
    Reaped {
        parent: i32,
    },
    Reparented {
        from: i32,
        to: i32,
    },
    Stopped {
        from: char,
        state: char,
    },
    Continued {
        from: char,
        to: char,
    },
}

impl Happened {
    /// One word for scripts.
    pub fn name(&self) -> &'static str {
        match self {
            Happened::Born { .. } => "born",
            Happened::Exited { .. } => "exited",
            Happened::BecameZombie { .. } => "zombie",
            Happened::Reaped { .. } => "reaped",
            Happened::Reparented { .. } => "reparented",
            Happened::Stopped { .. } => "stopped",
            Happened::Continued { .. } => "continued",
        }
    }
}

impl Event {
    /// The event in words, without its time:
    /// `born 4242 sleep, parent 4200 bash`.
    pub fn message(&self, utf8: bool) -> String {
        let who = format!("{} {}", self.pid, psfmt::comm(&self.comm, utf8));
        match &self.what {
            Happened::Born {
                parent,
                parent_comm,
            } => match parent_comm {
                Some(name) => format!("born {who}, parent {parent} {}", psfmt::comm(name, utf8)),
                None => format!("born {who}, parent {parent}"),
            },
            Happened::Exited { parent } => format!("exited {who}, parent {parent}"),
            Happened::BecameZombie { parent, .. } => {
                format!("{who} became a zombie, parent {parent} has not reaped it")
            }
            Happened::Reaped { parent } => format!("reaped {who}, by its parent {parent}"),
            Happened::Reparented { from, to } => format!("{who} reparented from {from} to {to}"),
            Happened::Stopped { state, .. } => format!("{who} stopped ({state})"),
            Happened::Continued { from, to } => format!("{who} continued ({from} to {to})"),
        }
    }

    /// The parent the event names, if any.
    pub fn parent(&self) -> Option<i32> {
        match self.what {
            Happened::Born { parent, .. }
            | Happened::Exited { parent }
            | Happened::BecameZombie { parent, .. }
            | Happened::Reaped { parent } => Some(parent),
            Happened::Reparented { to, .. } => Some(to),
            Happened::Stopped { .. } | Happened::Continued { .. } => None,
        }
    }
}

/// The difference between the last frame and this one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// For each task of this frame, in its order.
    pub marks: Vec<Marks>,
    /// CPU ticks each task of this frame used in the interval; a task born
    /// in it counts its whole CPU time, as top counts it.
    pub ticks: Vec<u64>,
    /// The processes of the last frame that are gone, by PID.
    pub gone: Vec<Gone>,
    /// Exits and reaps first, then births, then changes, each by PID.
    pub events: Vec<Event>,
}

fn stopped(state: char) -> bool {
    matches!(state, 'T' | 't')
}

/// Compares this frame's tasks with the last frame's.
pub fn diff(last: &SeenFrame, tasks: &[Task], now: i64) -> Diff {
    let mut out = Diff {
        marks: Vec::with_capacity(tasks.len()),
        ticks: Vec::with_capacity(tasks.len()),
        ..Diff::default()
    };
    // This frame's tasks by PID, to look up in.
    let mut index: Vec<(i32, usize)> = tasks.iter().enumerate().map(|(i, t)| (t.pid, i)).collect();
    index.sort_unstable();
    let find = |pid: i32| {
        index
            .binary_search_by_key(&pid, |&(p, _)| p)
            .ok()
            .map(|at| &tasks[index[at].1])
    };
    for seen in last.iter() {
        if find(seen.pid).is_some_and(|t| t.stat.starttime == seen.starttime) {
            continue;
        }
        let what = if seen.state == 'Z' {
            Happened::Reaped { parent: seen.ppid }
        } else {
            Happened::Exited { parent: seen.ppid }
        };
        let comm = last.name(seen).to_vec();
        out.events.push(Event {
            time: now,
            pid: seen.pid,
            comm: comm.clone(),
            what,
        });
        out.gone.push(Gone { seen: *seen, comm });
    }

    let mut births = Vec::new();
    let mut changes = Vec::new();
    for task in tasks {
        let s = &task.stat;
        let before = last
            .get(task.pid)
            .filter(|seen| seen.starttime == s.starttime);
        let event = |what| Event {
            time: now,
            pid: task.pid,
            comm: s.comm.clone(),
            what,
        };
        let Some(before) = before else {
            out.marks.push(Marks {
                born: true,
                ..Marks::default()
            });
            out.ticks.push(task.cpu_ticks());
            let parent_comm = find(s.ppid).map(|p| p.stat.comm.clone());
            births.push(event(Happened::Born {
                parent: s.ppid,
                parent_comm,
            }));
            continue;
        };
        let mut marks = Marks::default();
        if before.state != s.state {
            marks.old_state = Some(before.state);
            if s.state == 'Z' {
                changes.push(event(Happened::BecameZombie {
                    parent: s.ppid,
                    from: before.state,
                }));
            } else if stopped(s.state) && !stopped(before.state) {
                changes.push(event(Happened::Stopped {
                    from: before.state,
                    state: s.state,
                }));
            } else if stopped(before.state) && !stopped(s.state) {
                changes.push(event(Happened::Continued {
                    from: before.state,
                    to: s.state,
                }));
            }
        }
        if before.ppid != s.ppid {
            marks.old_parent = Some(before.ppid);
            changes.push(event(Happened::Reparented {
                from: before.ppid,
                to: s.ppid,
            }));
        }
        out.marks.push(marks);
        out.ticks
            .push(task.cpu_ticks().saturating_sub(before.ticks));
    }
    out.events.extend(births);
    out.events.extend(changes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(pid: i32, ppid: i32, state: char, ticks: u64, start: u64, comm: &str) -> Task {
        let mut t = Task {
            pid,
            tgid: pid,
            ..Task::default()
        };
        t.stat.ppid = ppid;
        t.stat.state = state;
        t.stat.utime = ticks;
        t.stat.starttime = start;
        t.stat.comm = comm.as_bytes().to_vec();
        t
    }

    fn messages(d: &Diff) -> Vec<String> {
        d.events.iter().map(|e| e.message(true)).collect()
    }

    #[test]
    fn births_exits_and_cpu_of_the_interval() {
        let before = remember(&[
            task(1, 0, 'S', 100, 1, "init"),
            task(4200, 1, 'S', 50, 10, "bash"),
            task(4300, 4200, 'R', 10, 20, "make"),
        ]);
        let now = [
            task(1, 0, 'S', 101, 1, "init"),
            task(4200, 1, 'S', 50, 10, "bash"),
            task(4242, 4200, 'R', 7, 30, "sleep"),
        ];
        let d = diff(&before, &now, 0);
        assert_eq!(
            d.ticks,
            vec![1, 0, 7],
            "a new process counts its whole time"
        );
        assert!(d.marks[2].born && !d.marks[0].any() && !d.marks[1].any());
        assert_eq!(d.gone.len(), 1);
        assert_eq!(d.gone[0].seen.pid, 4300);
        assert_eq!(d.gone[0].comm, b"make");
        assert_eq!(
            messages(&d),
            vec![
                "exited 4300 make, parent 4200",
                "born 4242 sleep, parent 4200 bash",
            ]
        );
    }

    #[test]
    fn a_reused_pid_is_a_new_process() {
        let before = remember(&[task(4242, 1, 'S', 500, 30, "sleep")]);
        let now = [task(4242, 1, 'S', 3, 900, "cat")];
        let d = diff(&before, &now, 0);
        assert!(d.marks[0].born);
        assert_eq!(d.ticks, vec![3]);
        assert_eq!(
            messages(&d),
            vec!["exited 4242 sleep, parent 1", "born 4242 cat, parent 1"]
        );
    }

    #[test]
    fn zombies_reaping_reparenting_and_stops() {
        let before = remember(&[
            task(4200, 1, 'S', 0, 10, "bash"),
            task(4242, 4200, 'S', 0, 30, "sleep"),
            task(4243, 4200, 'Z', 0, 31, "true"),
            task(4244, 4201, 'S', 0, 32, "orphan"),
            task(4245, 4200, 'R', 0, 33, "yes"),
            task(4246, 4200, 'T', 0, 34, "vi"),
        ]);
        let now = [
            task(4200, 1, 'S', 0, 10, "bash"),
            task(4242, 4200, 'Z', 0, 30, "sleep"),
            task(4244, 1, 'S', 0, 32, "orphan"),
            task(4245, 4200, 'T', 0, 33, "yes"),
            task(4246, 4200, 'S', 0, 34, "vi"),
        ];
        let d = diff(&before, &now, 0);
        assert_eq!(
            messages(&d),
            vec![
                "reaped 4243 true, by its parent 4200",
                "4242 sleep became a zombie, parent 4200 has not reaped it",
                "4244 orphan reparented from 4201 to 1",
                "4245 yes stopped (T)",
                "4246 vi continued (T to S)",
            ]
        );
        assert_eq!(d.marks[1].old_state, Some('S'));
        assert_eq!(d.marks[2].old_parent, Some(4201));
        assert_eq!(d.marks[3].old_state, Some('R'));
        assert!(!d.marks[0].any());
        let names: Vec<&str> = d.events.iter().map(|e| e.what.name()).collect();
        assert_eq!(
            names,
            ["reaped", "zombie", "reparented", "stopped", "continued"]
        );
        assert_eq!(d.events[2].parent(), Some(1));
    }

    #[test]
    fn an_unchanged_frame_has_nothing_to_say() {
        let tasks = [
            task(1, 0, 'S', 5, 1, "init"),
            task(2, 0, 'I', 0, 1, "kthreadd"),
        ];
        let d = diff(&remember(&tasks), &tasks, 0);
        assert!(d.events.is_empty() && d.gone.is_empty());
        assert!(d.marks.iter().all(|m| !m.any()));
        assert_eq!(d.ticks, vec![0, 0]);
    }
}
