//! `pscope demo nice`: CPU-bound children on one CPU at different nice
//! values; the CPU each gets, set against the scheduler's weights; then a
//! live renice and the shares moving.

use std::time::Duration;

use anyhow::{anyhow, Result};
use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
use nix::unistd::Pid;
use serde_json::json;

use super::{ChildSetup, Lab};
use crate::analysis::sched::{expected_shares, weight};
use crate::control::renice::set_process_nice;
use crate::render::table::{self, Row};
use crate::render::{Style, Tone};

/// Tolerance for "as expected", in percentage points.
const TOLERANCE: f64 = 5.0;

pub fn run(lab: &mut Lab, values: &[i32], seconds: f64) -> Result<()> {
    if values.len() < 2 {
        return Err(crate::error::usage(
            "demo nice needs at least two --values, e.g. --values 0,10",
        ));
    }
    let cpu = first_cpu()?;
    let mut spinners = Vec::new();
    for &nice in values {
        let pid = lab.fork(ChildSetup::default(), move |cx| {
            let mut set = CpuSet::new();
            let _ = set.set(cpu);
            let _ = sched_setaffinity(Pid::from_raw(0), &set);
            loop {
                let mut x: u64 = 0;
                for i in 0..5_000_000u64 {
                    x = std::hint::black_box(x.wrapping_add(i));
                }
                if cx.orphaned() {
                    return 0;
                }
            }
        })?;
        if let Err(why) = set_process_nice(pid.as_raw(), nice) {
            return Err(anyhow!(
                "cannot set nice {nice} on the demo's child: {why}; negative values need CAP_SYS_NICE"
            ));
        }
        spinners.push(pid);
    }
    lab.say(
        "start",
        &format!(
            "{} CPU-bound children, all pinned to CPU {cpu}, at nice {}. Each wants the whole CPU; \
             the scheduler divides it by weight (nice 0 = 1024, each step about 1.25x).",
            spinners.len(),
            values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
        ),
        json!({"cpu": cpu, "pids": spinners.iter().map(|p| p.as_raw()).collect::<Vec<_>>(), "nice": values}),
    )?;
    let first = measure(lab, &spinners, values, seconds, "measured")?;
    lab.pause()?;

    // Renice the first child to the last value: the shares should even out.
    let mut after = values.to_vec();
    after[0] = *values.last().unwrap_or(&0);
    if let Err(why) = set_process_nice(spinners[0].as_raw(), after[0]) {
        lab.say(
            "renice-refused",
            &format!(
                "renice of {} to {} was refused: {why}.",
                spinners[0], after[0]
            ),
            json!({"pid": spinners[0].as_raw(), "nice": after[0], "error": why}),
        )?;
    } else {
        lab.say(
            "renice",
            &format!(
                "Live renice: pid {} from nice {} to {}.",
                spinners[0], values[0], after[0]
            ),
            json!({"pid": spinners[0].as_raw(), "old_nice": values[0], "new_nice": after[0]}),
        )?;
        measure(lab, &spinners, &after, seconds, "measured-after-renice")?;
    }
    lab.say(
        "summary",
        &format!(
            "Nice does not reserve CPU: it sets each task's weight, and a task's share is its weight \
             over the sum of the weights of the tasks competing on the CPU ({}).",
            if first { "measured shares were within 5 points of the weights" } else { "this machine was busy: shares strayed from the weights" }
        ),
        json!({"within_tolerance": first}),
    )?;
    Ok(())
}

/// Measures CPU time over `seconds`; true when within the tolerance.
fn measure(lab: &mut Lab, pids: &[Pid], nices: &[i32], seconds: f64, step: &str) -> Result<bool> {
    let ticks = |lab: &Lab| -> Vec<u64> {
        pids.iter()
            .map(|p| {
                lab.read(*p, false)
                    .map_or(0, |t| t.stat.utime + t.stat.stime)
            })
            .collect()
    };
    let start = ticks(lab);
    lab.sleep(Duration::from_secs_f64(seconds.max(0.5)))?;
    let end = ticks(lab);
    let used: Vec<u64> = end
        .iter()
        .zip(&start)
        .map(|(e, s)| e.saturating_sub(*s))
        .collect();
    let total: u64 = used.iter().sum::<u64>().max(1);
    let expected = expected_shares(nices);
    let measured: Vec<f64> = used
        .iter()
        .map(|u| 100.0 * *u as f64 / total as f64)
        .collect();
    let within = measured
        .iter()
        .zip(&expected)
        .all(|(m, e)| (m - e).abs() <= TOLERANCE);
    let hz = lab.reader().system_info().map_or(100.0, |s| s.hz as f64);
    let headers = table::headers(
        &["PID", "NI", "WEIGHT", "CPU s", "MEASURED %", "EXPECTED %"],
        &[0, 1, 2, 3, 4, 5],
    );
    let rows = pids
        .iter()
        .enumerate()
        .map(|(i, p)| Row {
            cells: vec![
                p.to_string(),
                nices[i].to_string(),
                weight(nices[i]).to_string(),
                format!("{:.2}", used[i] as f64 / hz),
                format!("{:.1}", measured[i]),
                format!("{:.1}", expected[i]),
            ],
            tone: Tone::Plain,
        })
        .collect();
    lab.say(
        step,
        &format!("After {seconds:.1} s of CPU on one core:"),
        json!({
            "pids": pids.iter().map(|p| p.as_raw()).collect::<Vec<_>>(),
            "nice": nices,
            "cpu_ticks": used,
            "measured_percent": measured,
            "expected_percent": expected,
            "within_tolerance": within,
            "tolerance_points": TOLERANCE,
        }),
    )?;
    lab.show(&table::render(&headers, rows, true, &Style::plain()))?;
    Ok(within)
}

fn first_cpu() -> Result<usize> {
    let set = sched_getaffinity(Pid::from_raw(0))?;
    (0..CpuSet::count())
        .find(|&c| set.is_set(c).unwrap_or(false))
        .ok_or_else(|| anyhow!("no CPU is available to this process"))
}
