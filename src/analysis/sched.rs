//! Scheduling facts: nice values, priorities on their three scales,
//! real-time priorities, policies, and the weights the scheduler gives
//! each nice value.

use crate::model::Task;

/// The nice value, or `None` where ps prints `-`: for scheduling policies
/// other than normal (0) and batch (3).
pub fn nice(task: &Task) -> Option<i64> {
    match task.stat.policy {
        None | Some(0) | Some(3) => Some(task.stat.nice),
        Some(_) => None,
    }
}

/// The real-time priority, or `None` for the normal policy (ps prints `-`).
pub fn rtprio(task: &Task) -> Option<u32> {
    match task.stat.policy {
        None | Some(0) => None,
        Some(_) => Some(task.stat.rt_priority.unwrap_or(0)),
    }
}

/// The scheduling class as ps abbreviates it.
pub fn policy_name(policy: Option<u32>) -> &'static str {
    match policy {
        None => "-",
        Some(0) => "TS",
        Some(1) => "FF",
        Some(2) => "RR",
        Some(3) => "B",
        Some(4) => "ISO",
        Some(5) => "IDL",
        Some(6) => "DLN",
        Some(_) => "?",
    }
}

/// ps's `pri` from the kernel's raw priority (stat field 18): 39 - raw,
/// so that a higher number means a higher priority.
pub fn ps_pri(raw_priority: i64) -> i64 {
    39i64.saturating_sub(raw_priority)
}

/// ps's `opri`: 60 + raw.
pub fn ps_opri(raw_priority: i64) -> i64 {
    60i64.saturating_add(raw_priority)
}

/// What top's PR column and pscope's (and ps -o pri's) PRI column show for
/// a task of the normal policy at this nice value: PR = 20 + nice (the
/// kernel's raw priority), PRI = 19 - nice.
pub fn scales_for_nice(nice: i32) -> (i64, i64) {
    let raw = 20 + i64::from(nice);
    (raw, ps_pri(raw))
}

/// The kernel's weight for each nice value, -20 to 19 (sched_prio_to_weight):
/// nice 0 is 1024 and each step is about 1.25 times the next.
const WEIGHTS: [u32; 40] = [
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904,
    3906, 3121, 2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87,
    70, 56, 45, 36, 29, 23, 18, 15,
];

/// The lowest and highest nice values Linux knows.
pub const NICE_MIN: i32 = -20;
pub const NICE_MAX: i32 = 19;

pub fn weight(nice: i32) -> u32 {
    WEIGHTS[(nice.clamp(NICE_MIN, NICE_MAX) - NICE_MIN) as usize]
}

/// The share each nice value should get on one CPU, in percent.
pub fn expected_shares(nices: &[i32]) -> Vec<f64> {
    let total: f64 = nices.iter().map(|&n| f64::from(weight(n))).sum();
    nices
        .iter()
        .map(|&n| 100.0 * f64::from(weight(n)) / total)
        .collect()
}

/// The scales of priority, for `explain --legend`: what each is, its
/// range, and where it is shown.
pub const PRIORITY_SCALES: &[(&str, &str, &str)] = &[
    (
        "nice (NI)",
        "-20 .. 19; lower runs more",
        "set by nice, renice, setpriority(); NI in ps and top",
    ),
    (
        "PR (top)",
        "0 .. 39 = 20 + nice; real-time below 0",
        "the kernel's raw priority (ps priority); top shows -100 as rt",
    ),
    (
        "PRI (pscope, ps -o pri)",
        "39 .. 0 = 19 - nice; real-time 41 .. 139",
        "39 - raw priority; higher runs more",
    ),
    (
        "PRI (ps -l)",
        "60 .. 99 = 80 + nice; real-time below 60",
        "ps opri = 60 + raw priority; lower runs more",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_give_the_documented_shares() {
        assert_eq!(weight(0), 1024);
        assert_eq!(weight(10), 110);
        assert_eq!(weight(-20), 88761);
        assert_eq!(weight(i32::MIN), 88761);
        let shares = expected_shares(&[0, 10]);
        assert!((shares[0] - 90.3).abs() < 0.05, "{shares:?}");
        let even = expected_shares(&[5, 5, 5, 5]);
        assert!(even.iter().all(|s| (s - 25.0).abs() < 1e-9));
    }

    #[test]
    fn priority_scales_agree_with_ps_and_top() {
        assert_eq!(scales_for_nice(0), (20, 19));
        assert_eq!(scales_for_nice(9), (29, 10));
        assert_eq!(scales_for_nice(-20), (0, 39));
        assert_eq!(ps_pri(i64::MIN), i64::MAX);
        assert_eq!(ps_opri(i64::MAX), i64::MAX);
    }
}
