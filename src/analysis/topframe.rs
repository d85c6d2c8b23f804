//! One frame of the live view: a snapshot, the system counters read with
//! it, and what they mean against the frame before: CPU shares and each
//! task's CPU in the interval, task counts, memory, changes and events.

use super::changes::{self, Diff, Marks, SeenFrame};
use super::kinship::{kind_of, Kind, Kinship};
use super::select;
use super::topcols::{cpu_max, TopContext, TopRow};
use super::topsummary::{self, CpuShares, MemoryFigures, TaskCounts};
use super::values::RowContext;
use crate::model::{Snapshot, SystemSample, Task};

/// A frame, analysed.
pub struct Frame {
    pub snapshot: Snapshot,
    /// With threads shown: one task per thread (a process's first row is
    /// the process itself, as top reads it). Empty otherwise: the rows are
    /// the snapshot's processes.
    pub threads: Vec<Task>,
    /// Stand-ins for the tasks gone since the last frame, shown once more.
    pub gone: Vec<Task>,
    pub sample: SystemSample,
    pub cpu: CpuShares,
    pub cpus: Vec<CpuShares>,
    pub counts: TaskCounts,
    pub memory: MemoryFigures,
    /// Seconds since the last frame.
    pub seconds: f64,
    pub diff: Diff,
    /// Each task's verdict (zombie, orphan), when asked for.
    pub kinds: Option<Vec<Kind>>,
}

/// Seconds between two readings of /proc/uptime, never less than top's
/// floor of 5 ms.
fn interval(last: &SystemSample, now: &SystemSample) -> f64 {
    let et = now.uptime - last.uptime;
    if et < 0.01 {
        0.005
    } else {
        et
    }
}

impl Frame {
    /// Analyses a snapshot against the last frame's counters and tasks.
    /// `kinds`: work out each task's verdict (ps keywords may show it).
    pub fn new(
        snapshot: Snapshot,
        sample: SystemSample,
        last_sample: &SystemSample,
        last_seen: &SeenFrame,
        threads: bool,
        kinds: bool,
    ) -> Frame {
        let thread_rows: Vec<Task> = if threads {
            snapshot
                .tasks
                .iter()
                .flat_map(select::thread_rows)
                .collect()
        } else {
            Vec::new()
        };
        let rows = if threads {
            &thread_rows
        } else {
            &snapshot.tasks
        };
        let diff = changes::diff(last_seen, rows, sample.now);
        let counts = topsummary::count_states(rows);
        let kinds = kinds.then(|| {
            let kinship = Kinship::new(&snapshot.tasks);
            rows.iter()
                .map(|t| {
                    if threads {
                        select::thread_kind(&kinship, t)
                    } else {
                        kinship.kind(t)
                    }
                })
                .collect()
        });
        let gone = diff.gone.iter().map(stand_in).collect();
        let cpus = sample
            .cpus
            .iter()
            .enumerate()
            .map(|(i, now)| {
                let before = last_sample.cpus.get(i).copied().unwrap_or_default();
                topsummary::cpu_shares(&before, now)
            })
            .collect();
        Frame {
            cpu: topsummary::cpu_shares(&last_sample.cpu, &sample.cpu),
            cpus,
            counts,
            memory: topsummary::memory(&sample.memory),
            seconds: interval(last_sample, &sample),
            threads: thread_rows,
            gone,
            sample,
            snapshot,
            diff,
            kinds,
        }
    }

    /// The tasks the rows show: threads or processes.
    pub fn tasks(&self) -> &[Task] {
        if self.threads.is_empty() {
            &self.snapshot.tasks
        } else {
            &self.threads
        }
    }

    /// Whether rows are threads.
    pub fn shows_threads(&self) -> bool {
        !self.threads.is_empty()
    }

    /// Every row, in /proc's order, then the gone ones.
    pub fn rows(&self) -> Vec<TopRow<'_>> {
        (0..self.row_count()).map(|i| self.row(i)).collect()
    }

    /// How many rows there are, the gone ones included (they come last).
    pub fn row_count(&self) -> usize {
        self.tasks().len() + self.gone.len()
    }

    /// Row `i`: a task of this frame, or past them a gone one.
    pub fn row(&self, i: usize) -> TopRow<'_> {
        let tasks = self.tasks();
        match tasks.get(i) {
            Some(task) => TopRow {
                task,
                kind: match &self.kinds {
                    Some(kinds) => kinds[i],
                    None => kind_of(task, false),
                },
                ticks: self.diff.ticks.get(i).copied().unwrap_or(0),
                depth: 0,
                marks: self.diff.marks.get(i).copied().unwrap_or_default(),
                gone: false,
            },
            None => TopRow {
                task: &self.gone[i - tasks.len()],
                kind: Kind::Normal,
                ticks: 0,
                depth: 0,
                marks: Marks::default(),
                gone: true,
            },
        }
    }

    /// What the rows' values need: the interval's scale and the caps.
    pub fn context(&self, utf8: bool, full_command: bool) -> TopContext<'_> {
        let hz = self.snapshot.system.hz.max(1) as f32;
        TopContext {
            rows: RowContext::new(&self.snapshot, utf8),
            et_scale: 100.0 / (hz * self.seconds as f32),
            cpu_max: cpu_max(self.sample.cpus.len(), self.shows_threads()),
            full_command,
        }
    }

    /// What the next frame compares itself with.
    pub fn seen(&self) -> SeenFrame {
        changes::remember(self.tasks())
    }
}

/// What the first frame compares itself with: a snapshot read before it
/// (top reads one, waits 150 ms, then reads its first frame).
pub fn baseline(snapshot: &Snapshot, threads: bool) -> SeenFrame {
    if threads {
        let rows: Vec<Task> = snapshot
            .tasks
            .iter()
            .flat_map(select::thread_rows)
            .collect();
        changes::remember(&rows)
    } else {
        changes::remember(&snapshot.tasks)
    }
}

/// A task that has gone, rebuilt from what was seen of it.
fn stand_in(gone: &changes::Gone) -> Task {
    let seen = &gone.seen;
    let mut task = Task {
        pid: seen.pid,
        tgid: seen.pid,
        owner_uid: seen.owner,
        ..Task::default()
    };
    task.stat.priority = seen.priority.into();
    task.stat.nice = seen.nice.into();
    task.stat.ppid = seen.ppid;
    task.stat.state = seen.state;
    task.stat.starttime = seen.starttime;
    task.stat.utime = seen.ticks;
    task.stat.comm = gone.comm.clone();
    task.stat.num_threads = 1;
    task
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CpuTimes, SystemInfo};

    fn task(pid: i32, ticks: u64, state: char) -> Task {
        let mut t = Task {
            pid,
            tgid: pid,
            ..Task::default()
        };
        t.stat.utime = ticks;
        t.stat.state = state;
        t.stat.starttime = pid as u64;
        t.stat.num_threads = 1;
        t.stat.comm = b"x".to_vec();
        t
    }

    fn snapshot(tasks: Vec<Task>) -> Snapshot {
        Snapshot {
            system: SystemInfo::default(),
            tasks,
            users: Default::default(),
            groups: Default::default(),
            warnings: Vec::new(),
            terminals: Default::default(),
        }
    }

    #[test]
    fn a_frame_measures_its_interval() {
        let last_tasks = vec![task(1, 100, 'S'), task(2, 0, 'R')];
        let last_seen = changes::remember(&last_tasks);
        let last = SystemSample {
            uptime: 100.0,
            cpu: CpuTimes {
                user: 0,
                idle: 0,
                ..CpuTimes::default()
            },
            cpus: vec![CpuTimes::default(); 2],
            ..SystemSample::default()
        };
        let now = SystemSample {
            uptime: 102.0,
            cpu: CpuTimes {
                user: 100,
                idle: 300,
                ..CpuTimes::default()
            },
            cpus: vec![CpuTimes::default(); 2],
            ..SystemSample::default()
        };
        let frame = Frame::new(
            snapshot(vec![task(1, 300, 'S'), task(3, 4, 'R')]),
            now,
            &last,
            &last_seen,
            false,
            true,
        );
        assert_eq!(frame.seconds, 2.0);
        assert_eq!(frame.cpu.us, 25.0);
        assert_eq!((frame.counts.total, frame.counts.running), (2, 1));
        let cx = frame.context(true, false);
        let rows = frame.rows();
        assert_eq!(rows.len(), 3);
        assert_eq!(crate::analysis::topcols::cpu_percent(&rows[0], &cx), 100.0);
        assert!(rows[1].marks.born && rows[2].gone);
        assert_eq!(rows[2].task.pid, 2);
        assert_eq!(frame.seen().len(), 2);
        assert_eq!(cx.cpu_max, 200.0);
    }
}
