//! pscope while processes and threads start and exit all the time: every
//! run exits cleanly, every JSON document parses, every tree is consistent.
//! CHURN_RUNS sets the number of runs (bench/stress.sh runs 1,000).

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

/// Short-lived processes, zombies (a child of exec'd sleep), orphans
/// (setsid'd shells leaving a sleep behind) and, with python3, threads.
fn storm(procs: &mut Procs) {
    let script = "while :; do
        sleep 0.01 &
        sh -c 'sleep 0 & exec sleep 0.02' &
        setsid sh -c 'sleep 0.02 &' </dev/null >/dev/null 2>&1 &
        (exit 3) &
        wait
    done";
    for _ in 0..2 {
        procs.spawn(Command::new("sh").arg("-c").arg(script));
    }
    if need("python3") {
        procs.spawn(Command::new("python3").args([
            "-c",
            "import threading, time\nwhile True:\n    ts = [threading.Thread(target=time.sleep, args=(0.005,)) for _ in range(8)]\n    [t.start() for t in ts]\n    [t.join() for t in ts]",
        ]));
    }
}

/// Checks that every child in a JSON tree names its parent.
fn consistent(node: &Value, problems: &mut Vec<String>) {
    let pid = &node["pid"];
    for child in node["children"].as_array().into_iter().flatten() {
        if child["missing"] != true && child["ppid"] != *pid {
            problems.push(format!(
                "{} listed under {} but its ppid is {}",
                child["pid"], pid, child["ppid"]
            ));
        }
        consistent(child, problems);
    }
    for thread in node["threads"].as_array().into_iter().flatten() {
        if thread["pid"] != *pid {
            problems.push(format!("thread {} listed under {}", thread["tid"], pid));
        }
    }
}

#[test]
fn runs_stay_clean_under_process_churn() {
    let runs: usize = std::env::var("CHURN_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(70);
    let mut procs = Procs::default();
    storm(&mut procs);
    let mut failures = Vec::new();
    let mut some_pid = "1".to_string();
    for i in 0..runs {
        let args: Vec<String> = match i % 7 {
            0 => vec!["--json".into()],
            1 => vec![
                "-e".into(),
                "-o".into(),
                "pid,ppid,stat,ni,%cpu,rss,args".into(),
            ],
            2 => vec!["tree".into(), "-p".into(), "-a".into()],
            3 => vec!["tree".into(), "--json".into()],
            4 => vec!["zombies".into(), "--json".into()],
            5 => vec!["orphans".into(), "--json".into()],
            _ => vec!["show".into(), "--json".into(), some_pid.clone()],
        };
        let out = pscope().args(&args).output().unwrap();
        let code = out.status.code();
        let err = stderr(&out);
        let show_vanished = args[0] == "show" && code == Some(1) && err.contains("not found");
        if !(code == Some(0) || show_vanished) || err.contains("panicked") {
            failures.push(format!("{args:?}: exit {code:?}: {err}"));
            continue;
        }
        if args.iter().any(|a| a == "--json") && !show_vanished {
            match serde_json::from_str::<Value>(&stdout(&out)) {
                Err(e) => failures.push(format!("{args:?}: invalid JSON: {e}")),
                Ok(doc) => {
                    if let Some(list) = doc["processes"].as_array() {
                        // Pick a process that is likely short-lived for `show`.
                        if let Some(p) = list.iter().rev().find(|p| p["comm"] == "sleep") {
                            some_pid = p["pid"].to_string();
                        }
                    }
                    let mut problems = Vec::new();
                    for root in doc["roots"].as_array().into_iter().flatten() {
                        consistent(root, &mut problems);
                    }
                    failures.extend(problems.into_iter().map(|p| format!("{args:?}: {p}")));
                }
            }
        }
    }
    eprintln!("churn: {runs} runs, {} failures", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
