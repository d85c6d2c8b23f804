//! Who is whose parent, and who is a zombie or an orphan. One definition,
//! used by `ps -o kind`, `tree`, `show`, `explain`, `zombies`, `orphans`
//! and the demos, with what to do about zombies.

use std::collections::{BTreeMap, HashMap};

use crate::model::{SystemInfo, Task};

/// How a process relates to the rest: the verdict of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Normal,
    /// Exited, one thread left, not yet reaped by its parent.
    Zombie,
    /// The main thread exited (pthread_exit) while other threads run: `Zl`.
    /// The process is alive; this is not a zombie process.
    ExitedMainThread,
    /// Reparented to init or a subreaper; see [`OrphanEvidence`].
    Orphan,
}

impl Kind {
    /// The text of ps's `kind` column: `-` for a normal process.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Normal => "-",
            other => other.name(),
        }
    }

    /// The name of the verdict, as JSON gives it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Normal => "normal",
            Kind::Zombie => "zombie",
            Kind::ExitedMainThread => "exited-main-thread",
            Kind::Orphan => "orphan",
        }
    }
}

/// The ways to keep a finished child from lingering as a zombie, as the
/// zombie demo shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Remedy {
    /// No remedy: the zombie stays until its parent waits or exits.
    None,
    /// The parent calls wait() or waitpid().
    Wait,
    /// A second-level child, adopted and reaped by init or a subreaper.
    DoubleFork,
    /// SIGCHLD set to SIG_IGN: the kernel reaps children at once.
    Sigchld,
}

/// What to do about the zombies of one parent.
pub fn zombie_advice(parent: i32) -> String {
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

/// The zombies of one parent, oldest first.
#[derive(Debug, Clone)]
pub struct ZombieGroup<'a> {
    pub parent_pid: i32,
    /// The parent, when /proc shows it.
    pub parent: Option<&'a Task>,
    pub zombies: Vec<&'a Task>,
    /// The age of the oldest, in whole seconds.
    pub oldest_seconds: u64,
}

/// The verdict on one process, in words, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub kind: Kind,
    pub explanation: String,
}

/// Why a process is judged an orphan. /proc does not record the original
/// parent, so this is evidence, not proof: the process is in a session its
/// parent is not in, and it is not that session's leader. fork() passes the
/// session on, so such a process was adopted after its own parent ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrphanEvidence {
    pub adopter: i32,
    /// The session the process came from.
    pub session: i32,
    /// Whether that session's leader still exists.
    pub session_leader_alive: bool,
    /// The adopter's own session.
    pub adopter_session: i32,
}

/// Parent/child links and verdicts for one snapshot.
pub struct Kinship<'a> {
    tasks: &'a [Task],
    index: HashMap<i32, usize>,
    children: HashMap<i32, Vec<usize>>,
}

impl<'a> Kinship<'a> {
    pub fn new(tasks: &'a [Task]) -> Self {
        let mut index = HashMap::with_capacity(tasks.len());
        let mut children: HashMap<i32, Vec<usize>> = HashMap::new();
        for (i, t) in tasks.iter().enumerate() {
            index.insert(t.pid, i);
            children.entry(t.stat.ppid).or_default().push(i);
        }
        Kinship {
            tasks,
            index,
            children,
        }
    }

    pub fn get(&self, pid: i32) -> Option<&'a Task> {
        self.index.get(&pid).map(|&i| &self.tasks[i])
    }

    pub fn parent(&self, task: &Task) -> Option<&'a Task> {
        if task.stat.ppid == task.pid {
            return None;
        }
        self.get(task.stat.ppid)
    }

    pub fn children(&self, pid: i32) -> impl Iterator<Item = &'a Task> + '_ {
        self.children
            .get(&pid)
            .into_iter()
            .flatten()
            .map(|&i| &self.tasks[i])
            .filter(move |t| t.pid != pid)
    }

    /// The chain of ancestors, nearest first. Stops at a cycle.
    pub fn ancestors(&self, task: &Task) -> Vec<&'a Task> {
        let mut chain: Vec<&Task> = Vec::new();
        let mut current = self.parent(task);
        while let Some(p) = current {
            if p.pid == task.pid || chain.iter().any(|c| c.pid == p.pid) {
                break;
            }
            chain.push(p);
            current = self.parent(p);
        }
        chain
    }

    pub fn kind(&self, task: &Task) -> Kind {
        kind_of(task, self.orphan_evidence(task).is_some())
    }

    /// Evidence that a process was adopted, or `None`.
    pub fn orphan_evidence(&self, task: &Task) -> Option<OrphanEvidence> {
        let s = &task.stat;
        if task.is_thread() || s.session <= 0 || task.pid == s.session || s.ppid <= 0 {
            return None;
        }
        let parent = self.parent(task)?;
        if parent.stat.session == s.session {
            return None;
        }
        Some(OrphanEvidence {
            adopter: parent.pid,
            session: s.session,
            session_leader_alive: self
                .get(s.session)
                .is_some_and(|l| !matches!(l.stat.state, 'Z' | 'X')),
            adopter_session: parent.stat.session,
        })
    }

    /// Zombies grouped by the parent that has not reaped them, by parent
    /// PID, oldest first within each group.
    pub fn zombie_groups(&self, system: &SystemInfo) -> Vec<ZombieGroup<'a>> {
        let mut by_parent: BTreeMap<i32, Vec<&'a Task>> = BTreeMap::new();
        for task in self.tasks {
            if self.kind(task) == Kind::Zombie {
                by_parent.entry(task.stat.ppid).or_default().push(task);
            }
        }
        let age = |t: &Task| system.elapsed_secs(t.stat.starttime);
        by_parent
            .into_iter()
            .map(|(ppid, mut zombies)| {
                zombies.sort_by_key(|z| std::cmp::Reverse(age(z)));
                ZombieGroup {
                    parent_pid: ppid,
                    parent: self.get(ppid),
                    oldest_seconds: zombies.first().map_or(0, |z| age(z)),
                    zombies,
                }
            })
            .collect()
    }

    /// Processes whose main thread exited while other threads run (`Zl`):
    /// alive, and not zombie processes.
    pub fn exited_main_threads(&self) -> impl Iterator<Item = &'a Task> + '_ {
        self.tasks
            .iter()
            .filter(move |t| self.kind(t) == Kind::ExitedMainThread)
    }

    /// The verdict on a process in words: what it is, and why.
    pub fn verdict(&self, task: &Task) -> Verdict {
        let kind = self.kind(task);
        let explanation = match kind {
            Kind::Zombie => format!(
                "zombie: it has exited and its parent {} has not collected its status with \
                 wait(); {}",
                task.stat.ppid,
                zombie_advice(task.stat.ppid)
            ),
            Kind::ExitedMainThread => EXITED_MAIN_THREAD.into(),
            Kind::Orphan => match self.orphan_evidence(task) {
                Some(e) => format!(
                    "orphan (inferred): it belongs to session {} but its parent {} belongs to \
                     session {}; fork() passes the session on, so it was adopted after its own \
                     parent ended. The session leader is {}.",
                    e.session,
                    e.adopter,
                    e.adopter_session,
                    if e.session_leader_alive {
                        "still alive"
                    } else {
                        "gone"
                    }
                ),
                None => "orphan".into(),
            },
            Kind::Normal => "normal: its parent is alive and in its session (or it leads its \
                             own session, as daemons do)"
                .into(),
        };
        Verdict { kind, explanation }
    }

    /// POSIX orphaned process groups, computed as the kernel does: a group
    /// is orphaned when no living member has a parent outside the group but
    /// inside the same session (a parent that is init does not count).
    pub fn orphaned_groups(&self) -> Vec<ProcessGroup> {
        let mut groups: HashMap<i32, ProcessGroup> = HashMap::new();
        let mut anchored: HashMap<i32, bool> = HashMap::new();
        for t in self.tasks {
            let s = &t.stat;
            if s.pgrp <= 0 || s.session <= 0 {
                continue;
            }
            let group = groups.entry(s.pgrp).or_insert_with(|| ProcessGroup {
                pgid: s.pgrp,
                session: s.session,
                members: Vec::new(),
                stopped: 0,
            });
            group.members.push(t.pid);
            if matches!(s.state, 'T' | 't') {
                group.stopped += 1;
            }
            let alive = !matches!(s.state, 'Z' | 'X');
            let anchor = alive
                && s.ppid != 1
                && self
                    .parent(t)
                    .is_some_and(|p| p.stat.pgrp != s.pgrp && p.stat.session == s.session);
            *anchored.entry(s.pgrp).or_default() |= anchor;
        }
        let mut orphaned: Vec<ProcessGroup> = groups
            .into_values()
            .filter(|g| !anchored.get(&g.pgid).copied().unwrap_or(false))
            .collect();
        orphaned.sort_by_key(|g| g.pgid);
        orphaned
    }
}

/// A process group and what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessGroup {
    pub pgid: i32,
    pub session: i32,
    pub members: Vec<i32>,
    pub stopped: usize,
}

/// What a `Zl` process is, in one sentence used wherever it is explained.
pub const EXITED_MAIN_THREAD: &str = "its main thread has exited (pthread_exit) while other \
    threads still run: the process is alive, not a zombie";

/// The verdict for one task, given whether orphan evidence was found.
pub fn kind_of(task: &Task, orphaned: bool) -> Kind {
    match task.stat.state {
        'Z' if task.stat.num_threads > 1 && !task.is_thread() => Kind::ExitedMainThread,
        'Z' => Kind::Zombie,
        _ if orphaned => Kind::Orphan,
        _ => Kind::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StatFields;

    fn t(pid: i32, ppid: i32, pgrp: i32, session: i32, state: char, threads: i64) -> Task {
        Task {
            pid,
            tgid: pid,
            stat: StatFields {
                ppid,
                pgrp,
                session,
                state,
                num_threads: threads,
                comm: format!("p{pid}").into_bytes(),
                ..StatFields::default()
            },
            ..Task::default()
        }
    }

    fn sample() -> Vec<Task> {
        vec![
            t(1, 0, 1, 1, 'S', 1),
            t(100, 1, 100, 100, 'S', 1), // a daemon: session leader
            t(101, 100, 100, 100, 'S', 1),
            t(200, 1, 150, 150, 'S', 1), // adopted: its session 150 is gone
            t(300, 100, 300, 100, 'Z', 1), // zombie of the daemon
            t(301, 100, 301, 100, 'Z', 3), // Zl
            t(400, 101, 400, 100, 'T', 1),
        ]
    }

    #[test]
    fn zombies_and_exited_main_threads_differ() {
        let tasks = sample();
        let k = Kinship::new(&tasks);
        assert_eq!(k.kind(k.get(300).unwrap()), Kind::Zombie);
        assert_eq!(k.kind(k.get(301).unwrap()), Kind::ExitedMainThread);
        assert_eq!(k.kind(k.get(101).unwrap()), Kind::Normal);
    }

    #[test]
    fn orphans_are_adopted_across_sessions_and_daemons_are_not() {
        let tasks = sample();
        let k = Kinship::new(&tasks);
        let e = k.orphan_evidence(k.get(200).unwrap()).unwrap();
        assert_eq!(e.adopter, 1);
        assert_eq!(e.session, 150);
        assert!(!e.session_leader_alive);
        assert_eq!(k.kind(k.get(100).unwrap()), Kind::Normal, "setsid daemon");
        assert_eq!(k.kind(k.get(101).unwrap()), Kind::Normal);
        assert_eq!(k.kind(k.get(1).unwrap()), Kind::Normal);
    }

    #[test]
    fn orphaned_groups_follow_posix() {
        let tasks = sample();
        let k = Kinship::new(&tasks);
        let groups: Vec<i32> = k.orphaned_groups().iter().map(|g| g.pgid).collect();
        // 100: its leader's parent is init. 150: parent init. 300/301 hold
        // only zombies. 400: parent 101 is in group 100 of the same session.
        assert_eq!(groups, vec![1, 100, 150, 300, 301]);
        let g400 = k.orphaned_groups().iter().any(|g| g.pgid == 400);
        assert!(!g400);
    }

    #[test]
    fn ancestry_stops_at_cycles() {
        let tasks = vec![t(5, 6, 5, 5, 'S', 1), t(6, 5, 5, 5, 'S', 1)];
        let k = Kinship::new(&tasks);
        let chain: Vec<i32> = k.ancestors(&tasks[0]).iter().map(|t| t.pid).collect();
        assert_eq!(chain, vec![6]);
    }
}
