//! The numbers of top's summary lines, computed as procps-ng top computes
//! them: task states counted, CPU time split into shares of the interval,
//! and memory figures from /proc/meminfo.

use crate::model::{CpuTimes, MemInfo, Task};

/// How many tasks are in each of top's state groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts {
    pub total: usize,
    pub running: usize,
    /// S and D, and every other letter (I, P, X...), as top counts them.
    pub sleeping: usize,
    /// T and t.
    pub stopped: usize,
    pub zombie: usize,
}

pub fn count_states<'a>(tasks: impl IntoIterator<Item = &'a Task>) -> TaskCounts {
    let mut counts = TaskCounts::default();
    for task in tasks {
        counts.total += 1;
        match task.stat.state {
            'R' => counts.running += 1,
            'T' | 't' => counts.stopped += 1,
            'Z' => counts.zombie += 1,
            _ => counts.sleeping += 1,
        }
    }
    counts
}

/// The share of the interval the CPUs spent in each state, in percent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuShares {
    pub us: f32,
    pub sy: f32,
    pub ni: f32,
    pub id: f32,
    pub wa: f32,
    pub hi: f32,
    pub si: f32,
    pub st: f32,
}

/// The shares between two readings of the same CPU line. The total counts
/// guest time twice, as procps does (user time already includes it). A
/// counter that went backwards makes the interval empty, and an empty
/// interval is all idle.
pub fn cpu_shares(before: &CpuTimes, now: &CpuTimes) -> CpuShares {
    let fields = |c: &CpuTimes| {
        [
            c.user,
            c.nice,
            c.system,
            c.idle,
            c.iowait,
            c.irq,
            c.softirq,
            c.steal,
            c.guest,
            c.guest_nice,
        ]
    };
    let (old, new) = (fields(before), fields(now));
    let backwards = old.iter().zip(&new).any(|(o, n)| n < o);
    let d: Vec<u64> = old
        .iter()
        .zip(&new)
        .map(|(o, n)| if backwards { 0 } else { n - o })
        .collect();
    let [user, nice, system, mut idle, iowait, irq, softirq, steal, guest, guest_nice] =
        [d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9]];
    let mut total = user
        .saturating_add(nice)
        .saturating_add(system)
        .saturating_add(irq)
        .saturating_add(softirq)
        .saturating_add(idle)
        .saturating_add(iowait)
        .saturating_add(steal)
        .saturating_add(guest)
        .saturating_add(guest_nice);
    if total < 1 {
        total = 1;
        idle = 1;
    }
    let scale = 100.0f32 / total as f32;
    let share = |v: u64| v as f32 * scale;
    CpuShares {
        us: share(user),
        sy: share(system),
        ni: share(nice),
        id: share(idle),
        wa: share(iowait),
        hi: share(irq),
        si: share(softirq),
        st: share(steal),
    }
}

/// The figures of top's memory lines, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryFigures {
    pub total: u64,
    pub free: u64,
    pub used: u64,
    pub buff_cache: u64,
    pub available: u64,
    pub swap_total: u64,
    pub swap_free: u64,
    pub swap_used: u64,
}

/// Used is what is not available; where the kernel gives no believable
/// MemAvailable, free memory stands in for it.
pub fn memory(m: &MemInfo) -> MemoryFigures {
    let mut available = m.available;
    if available == 0 || available > m.total {
        available = m.free;
    }
    let used = m
        .total
        .checked_sub(available)
        .unwrap_or_else(|| m.total.saturating_sub(m.free));
    MemoryFigures {
        total: m.total,
        free: m.free,
        used,
        buff_cache: m
            .buffers
            .saturating_add(m.cached)
            .saturating_add(m.reclaimable),
        available,
        swap_total: m.swap_total,
        swap_free: m.swap_free,
        swap_used: m.swap_total.saturating_sub(m.swap_free),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_state(state: char) -> Task {
        let mut t = Task::default();
        t.stat.state = state;
        t
    }

    #[test]
    fn states_count_as_top_counts_them() {
        let tasks: Vec<Task> = "RSSDIITtZXP".chars().map(with_state).collect();
        let c = count_states(&tasks);
        assert_eq!(
            (c.total, c.running, c.sleeping, c.stopped, c.zombie),
            (11, 1, 7, 2, 1)
        );
    }

    #[test]
    fn cpu_shares_of_an_interval() {
        let before = CpuTimes {
            user: 100,
            idle: 1000,
            ..CpuTimes::default()
        };
        let now = CpuTimes {
            user: 150,
            system: 25,
            idle: 1025,
            ..CpuTimes::default()
        };
        let s = cpu_shares(&before, &now);
        assert_eq!((s.us, s.sy, s.id), (50.0, 25.0, 25.0));
        // Nothing happened, or a counter went backwards: all idle.
        let s = cpu_shares(&now, &now);
        assert_eq!((s.id, s.us), (100.0, 0.0));
        let s = cpu_shares(&now, &before);
        assert_eq!((s.id, s.us, s.sy), (100.0, 0.0, 0.0));
        // Guest time counts twice in the total.
        let guest = CpuTimes {
            user: 150,
            idle: 1000,
            guest: 50,
            ..CpuTimes::default()
        };
        let s = cpu_shares(&before, &guest);
        assert_eq!(s.us, 50.0);
    }

    #[test]
    fn memory_figures_with_their_fallbacks() {
        let m = MemInfo {
            total: 1000,
            free: 300,
            available: 600,
            buffers: 10,
            cached: 100,
            reclaimable: 5,
            swap_total: 50,
            swap_free: 20,
        };
        let f = memory(&m);
        assert_eq!(
            (f.used, f.buff_cache, f.available, f.swap_used),
            (400, 115, 600, 30)
        );
        let no_available = memory(&MemInfo { available: 0, ..m });
        assert_eq!((no_available.used, no_available.available), (700, 300));
        let too_much = memory(&MemInfo {
            available: 5000,
            swap_free: 80,
            ..m
        });
        assert_eq!((too_much.used, too_much.swap_used), (700, 0));
    }
}
