//! The lab demonstrations, run for real: their JSON events are checked for
//! the facts they claim, and nothing they started may outlive them, also
//! when they are interrupted or killed.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Every PID named in an event (keys ending in "pid", "child", "parent",
/// "middle", "grandchild", "helper", and "pids" arrays).
fn pids_in(value: &Value, out: &mut HashSet<i64>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let named = key.ends_with("pid")
                    || matches!(
                        key.as_str(),
                        "child" | "parent" | "middle" | "grandchild" | "helper"
                    );
                if named {
                    if let Some(n) = v.as_i64() {
                        out.insert(n);
                    }
                }
                if key == "pids" {
                    for p in v.as_array().into_iter().flatten() {
                        if let Some(n) = p.as_i64() {
                            out.insert(n);
                        }
                    }
                }
                pids_in(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| pids_in(v, out)),
        _ => {}
    }
}

/// Processes below `root` now, by following parent links in /proc.
fn descendants(root: u32) -> HashSet<i64> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Some(ppid) = live_stat_field(pid, 4).and_then(|p| p.parse::<u32>().ok()) {
            parent_of.push((pid, ppid));
        }
    }
    let mut found: HashSet<i64> = HashSet::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(child, parent) in &parent_of {
            if parent == p && found.insert(child as i64) {
                frontier.push(child);
            }
        }
    }
    found
}

/// Waits until none of `pids` exists any more (init may take a few seconds
/// to reap what it adopted).
fn assert_all_gone(pids: &HashSet<i64>, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let alive: Vec<(i64, String)> = pids
            .iter()
            .filter_map(|&p| live_stat_field(p as u32, 3).map(|s| (p, s)))
            .collect();
        if alive.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: left behind {alive:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `pscope demo ARGS --json` with its output piped to the test.
fn spawn_demo(args: &[&str]) -> Child {
    pscope()
        .arg("demo")
        .args(args)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn run_demo(args: &[&str]) -> (Vec<Value>, i32, u32) {
    let child = spawn_demo(args);
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let events: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (events, out.status.code().unwrap_or(-1), pid)
}

fn event<'a>(events: &'a [Value], step: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["step"] == step)
        .unwrap_or_else(|| panic!("no {step} event in {events:#?}"))
}

fn leaves_nothing(events: &[Value], pscope_pid: u32, what: &str) {
    let mut pids = HashSet::new();
    for e in events {
        pids_in(e, &mut pids);
    }
    pids.remove(&(pscope_pid as i64));
    pids.retain(|&p| p > 1 && p != std::process::id() as i64);
    assert_all_gone(&pids, what);
}

#[test]
fn fork_demo_reports_both_sides() {
    let (events, code, pid) = run_demo(&["fork"]);
    assert_eq!(code, 0, "{events:#?}");
    for e in &events {
        assert_eq!(e["schema_version"], 1);
        assert_eq!(e["demo"], "fork");
        assert!(e["t"].as_f64().unwrap() >= 0.0);
    }
    let parent = event(&events, "parent-after-fork");
    let child = event(&events, "child-after-fork");
    assert_eq!(child["fork_returned"], 0);
    assert_eq!(parent["fork_returned"], child["pid"]);
    assert_eq!(child["ppid"], parent["pid"]);
    assert_eq!(parent["pid"], pid);
    let memory = event(&events, "memory-copied");
    assert_eq!(memory["parent_counter"], 1);
    assert_eq!(memory["child_counter"], 42);
    let proc_view = event(&events, "proc");
    let processes = proc_view["processes"].as_array().unwrap();
    assert_eq!(processes.len(), 2);
    // fork() keeps the parent's process group and session.
    assert_eq!(processes[0]["pgid"], processes[1]["pgid"], "{processes:#?}");
    assert_eq!(processes[0]["sid"], processes[1]["sid"]);
    let inherited = event(&events, "inherited");
    assert_eq!(inherited["same_group"], true, "{inherited}");
    assert_eq!(inherited["parent_pgid"], inherited["child_pgid"]);
    let reaped = event(&events, "reaped");
    assert_eq!(reaped["exit_status"], 7);
    assert_eq!(reaped["in_proc"], false);
    leaves_nothing(&events, pid, "demo fork");
}

#[test]
fn states_demo_observes_or_explains_every_letter() {
    let (events, code, pid) = run_demo(&["states"]);
    assert_eq!(code, 0, "{events:#?}");
    let states: Vec<&Value> = events.iter().filter(|e| e["step"] == "state").collect();
    let letters: HashSet<String> = states
        .iter()
        .map(|e| e["letter"].as_str().unwrap().to_string())
        .collect();
    for letter in [
        "R", "S", "D", "T", "t", "Z", "I", "P", "X", "N", "<", "L", "s", "l", "+",
    ] {
        assert!(letters.contains(letter), "no event for {letter}");
    }
    for e in &states {
        let observed = e["observed"].as_bool().unwrap();
        assert!(observed || !e["note"].as_str().unwrap().is_empty(), "{e}");
    }
    let seen = |l: &str| {
        states
            .iter()
            .any(|e| e["letter"] == l && e["observed"] == true)
    };
    // What any Linux machine lets a process show about itself.
    for letter in ["R", "S", "D", "T", "Z", "N", "s", "l"] {
        assert!(seen(letter), "{letter} was not observed: {states:#?}");
    }
    if unsafe { libc::geteuid() } == 0 {
        assert!(seen("<"), "root may set nice -5");
        assert!(seen("t"), "root may ptrace its child");
    }
    leaves_nothing(&events, pid, "demo states");
}

#[test]
fn orphan_demo_shows_the_adoption() {
    for args in [vec!["orphan"], vec!["orphan", "--subreaper"]] {
        let (events, code, pid) = run_demo(&args);
        assert_eq!(code, 0, "{events:#?}");
        let adopted = event(&events, "adopted");
        assert_ne!(adopted["ppid_before"], adopted["ppid_after"]);
        if args.len() == 2 {
            assert_eq!(adopted["ppid_after"], pid, "pscope, the subreaper, adopts");
        }
        assert_eq!(event(&events, "flagged")["flagged"], true);
        assert_eq!(event(&events, "ended")["in_proc"], false);
        leaves_nothing(&events, pid, "demo orphan");
    }
}

#[test]
fn zombie_demo_shows_the_zombie_and_each_remedy() {
    let (events, code, pid) = run_demo(&["zombie"]);
    assert_eq!(code, 0, "{events:#?}");
    let zombie = event(&events, "zombie");
    assert_eq!(zombie["state"], "Z");
    let args = zombie["processes"][0]["args"].as_str().unwrap();
    assert!(args.ends_with("<defunct>"), "{args}");
    assert_eq!(event(&events, "zombies-names-parent")["parent_named"], pid);
    assert_eq!(event(&events, "remedy-wait")["zombie_left"], false);
    let double = event(&events, "remedy-double-fork");
    assert_eq!(double["parent_is_pscope"], false);
    assert_eq!(event(&events, "double-fork-reaped")["zombie_left"], false);
    assert_eq!(event(&events, "sigchld-reaped")["zombie_left"], false);
    leaves_nothing(&events, pid, "demo zombie");
    for remedy in ["none", "wait", "double-fork", "sigchld"] {
        let (events, code, pid) = run_demo(&["zombie", "--remedy", remedy]);
        assert_eq!(code, 0, "{remedy}: {events:#?}");
        leaves_nothing(&events, pid, remedy);
    }
}

#[test]
fn nice_demo_measures_shares() {
    let (events, code, pid) = run_demo(&["nice", "--values", "0,10", "--seconds", "1"]);
    assert_eq!(code, 0, "{events:#?}");
    let measured = event(&events, "measured");
    let m: Vec<f64> = measured["measured_percent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let e: Vec<f64> = measured["expected_percent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!((e[0] - 90.3).abs() < 0.1);
    assert!((m.iter().sum::<f64>() - 100.0).abs() < 0.5, "{m:?}");
    // The shares themselves depend on how busy the machine is: reported,
    // as a benchmark would be, not asserted.
    eprintln!(
        "nice demo: measured {m:?} expected {e:?} within_tolerance={}",
        measured["within_tolerance"]
    );
    assert!(events.iter().any(|e| e["step"] == "renice"));
    leaves_nothing(&events, pid, "demo nice");
}

#[test]
fn io_demo_compares_four_ways_to_wait() {
    let (events, code, pid) = run_demo(&["io", "--seconds", "1"]);
    assert_eq!(code, 0, "{events:#?}");
    let readers: Vec<&Value> = events.iter().filter(|e| e["step"] == "reader").collect();
    assert_eq!(readers.len(), 4, "{events:#?}");
    let by = |role: &str| {
        *readers
            .iter()
            .find(|e| e["role"] == role)
            .unwrap_or_else(|| panic!("no {role} reader"))
    };
    let (blocking, busy, select, epoll) = (
        by("blocking-read"),
        by("busy-poll"),
        by("select"),
        by("epoll"),
    );
    let cpu = |e: &Value| e["cpu_percent"].as_f64().unwrap();
    for e in [blocking, select, epoll] {
        assert_eq!(e["state"], "S", "{e:#}");
        assert!(cpu(e) < 10.0, "a waiting reader costs no CPU: {e:#}");
        let lines =
            e["messages"]["pipe"].as_u64().unwrap() + e["messages"]["socket"].as_u64().unwrap();
        assert!(lines >= 1, "{e:#}");
    }
    assert_eq!(busy["state"], "R", "{busy:#}");
    assert!(cpu(busy) > 20.0, "the busy reader burns a core: {busy:#}");
    assert!(busy["eagain_count"].as_u64().unwrap() > 1000, "{busy:#}");
    assert!(busy["eagain_per_second"].as_f64().unwrap() > 1000.0);
    // The blocking reader serves its pipe only; its socket fills unread.
    assert_eq!(blocking["messages"]["socket"], 0);
    assert!(
        event(&events, "unread")["unread_socket_bytes"]
            .as_u64()
            .unwrap()
            > 0
    );
    let descriptor = |e: &Value, fd: &Value| -> String {
        e["descriptors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| &d["fd"] == fd)
            .map(|d| d["target"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    if blocking["syscall_error"].is_null() {
        assert_eq!(blocking["syscall"], "read", "{blocking:#}");
        let fd = &blocking["waits_on"][0];
        assert!(
            descriptor(blocking, fd).starts_with("pipe:"),
            "{blocking:#}"
        );
        assert!(
            ["select", "pselect6"].contains(&select["syscall"].as_str().unwrap()),
            "{select:#}"
        );
        // select's first argument is one more than the highest descriptor.
        let highest = select["descriptors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["fd"].as_u64().unwrap())
            .max()
            .unwrap();
        assert!(
            select["nfds"].as_u64().unwrap() <= highest + 1,
            "{select:#}"
        );
        assert!(
            ["epoll_wait", "epoll_pwait"].contains(&epoll["syscall"].as_str().unwrap()),
            "{epoll:#}"
        );
        assert!(descriptor(epoll, &epoll["epoll_fd"]).contains("eventpoll"));
        let targets = epoll["epoll_targets"].as_array().unwrap();
        assert_eq!(targets.len(), 3, "pipe, socket and lifeline: {epoll:#}");
        let kinds: HashSet<String> = targets
            .iter()
            .map(|fd| descriptor(epoll, fd).split(':').next().unwrap().to_string())
            .collect();
        assert_eq!(
            kinds,
            HashSet::from(["pipe".to_string(), "socket".to_string()])
        );
        let writer = event(&events, "writer");
        assert!(
            ["clock_nanosleep", "nanosleep"].contains(&writer["syscall"].as_str().unwrap()),
            "{writer:#}"
        );
    } else {
        skip("/proc/PID/syscall cannot be read here");
    }
    let processes = event(&events, "proc")["processes"]
        .as_array()
        .unwrap()
        .clone();
    let comms: Vec<&str> = processes
        .iter()
        .map(|p| p["comm"].as_str().unwrap())
        .collect();
    assert_eq!(
        comms,
        ["io-writer", "io-read", "io-busy", "io-select", "io-epoll"]
    );
    for p in &processes {
        assert_eq!(p["ppid"], pid);
    }
    leaves_nothing(&events, pid, "demo io");
}

#[test]
fn exec_demo_keeps_the_process_and_changes_the_program() {
    let (events, code, pid) = run_demo(&["exec"]);
    assert_eq!(code, 0, "{events:#?}");
    if events.iter().any(|e| e["step"] == "no-program") {
        return skip("no sleep program to exec");
    }
    let before = event(&events, "before-exec");
    let after = event(&events, "after-exec");
    assert_eq!(before["pid"], after["pid"]);
    assert_eq!(before["ppid"], pid);
    assert_eq!(after["ppid"], pid);
    assert_eq!(before["comm"], "pscope");
    assert_eq!(after["comm"], "sleep");
    assert_eq!(after["cmdline"], serde_json::json!(["sleep", "60"]));
    assert!(before["exe"].as_str().unwrap().ends_with("/pscope"));
    assert!(after["exe"].as_str().unwrap().ends_with("/sleep"));
    let files = |e: &Value| -> Vec<String> {
        e["mapped_files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    assert!(files(before).iter().any(|f| f.ends_with("/pscope")));
    assert!(files(after).iter().any(|f| f.ends_with("/sleep")));
    assert!(
        !files(after).iter().any(|f| f.ends_with("/pscope")),
        "a new map"
    );
    let marked = |e: &Value, target: &str| {
        e["descriptors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["target"] == target)
            .map(|d| d["close_on_exec"].as_bool().unwrap())
    };
    assert_eq!(marked(before, "/dev/zero"), Some(false));
    assert_eq!(marked(before, "/dev/urandom"), Some(true));
    assert_eq!(marked(after, "/dev/zero"), Some(false));
    assert_eq!(marked(after, "/dev/urandom"), None);
    let compare = event(&events, "compare");
    assert_eq!(compare["same_pid"], true);
    assert_eq!(compare["same_ppid"], true);
    assert_eq!(compare["no_cloexec_fd_kept"], true);
    assert_eq!(compare["cloexec_fd_kept"], false);
    assert_eq!(event(&events, "exec")["status_pipe"], "end-of-file");
    assert_eq!(event(&events, "ended")["described"], "killed by SIGTERM");
    leaves_nothing(&events, pid, "demo exec");
}

#[test]
fn exit_demo_decodes_statuses_and_loses_buffers_with_underscore_exit() {
    let (events, code, pid) = run_demo(&["exit"]);
    assert_eq!(code, 0, "{events:#?}");
    let exit = event(&events, "exit");
    assert_eq!(exit["wait_status"], 3 << 8);
    assert_eq!(exit["wifexited"], true);
    assert_eq!(exit["wexitstatus"], 3);
    assert_eq!(exit["described"], "exited with status 3");
    let returned = event(&events, "return");
    assert_eq!(returned["wexitstatus"], returned["returned"]);
    let killed = event(&events, "sigkill");
    assert_eq!(killed["wifsignaled"], true);
    assert_eq!(killed["wtermsig"], 9);
    assert_eq!(killed["wcoredump"], false);
    assert_eq!(killed["described"], "killed by SIGKILL");
    let segv = event(&events, "sigsegv");
    assert_eq!(segv["wtermsig"], 11);
    assert_eq!(segv["signal_name"], "SIGSEGV");
    let pattern = segv["core_pattern"].as_str().unwrap_or("|");
    let relative = !pattern.starts_with(['|', '/']);
    if relative && segv["rlimit_core_soft"] != "0" && segv["dumpable"] == true {
        assert_eq!(segv["wcoredump"], true, "{segv:#}");
        assert_eq!(segv["described"], "killed by SIGSEGV (core dumped)");
        assert!(segv["core_file"].is_string(), "{segv:#}");
    } else {
        eprintln!("no core dump expected here: {segv:#}");
    }
    if let Some(dir) = segv["core_dir"].as_str() {
        assert_eq!(segv["core_dir_removed"], true);
        assert!(!std::path::Path::new(dir).exists(), "{dir} is left behind");
    }
    // /proc kept the same status for the zombie until the wait.
    for e in [exit, returned, killed, segv] {
        assert_eq!(e["proc_exit_code"], e["wait_status"], "{e:#}");
        assert_eq!(e["zombie"]["state"], "Z", "{e:#}");
        assert_eq!(e["zombie"]["exit_status"], e["described"], "{e:#}");
    }
    let flushed = event(&events, "exit-flushes");
    assert_eq!(flushed["buffered_text_arrived"], true, "{flushed:#}");
    assert_eq!(flushed["atexit_ran"], true);
    let lost = event(&events, "underscore-exit-loses");
    assert_eq!(lost["buffered_text_arrived"], false, "{lost:#}");
    assert_eq!(lost["atexit_ran"], false);
    assert_eq!(lost["received"], "");
    leaves_nothing(&events, pid, "demo exit");
}

#[test]
fn jobs_demo_shows_job_control_on_its_own_terminal() {
    let (events, code, pid) = run_demo(&["jobs"]);
    assert_eq!(code, 0, "{events:#?}");
    if let Some(e) = events
        .iter()
        .find(|e| e["step"] == "no-terminal" || e["step"] == "no-session")
    {
        return skip(&format!("no job control here: {}", e["message"]));
    }
    let processes = event(&events, "session")["processes"]
        .as_array()
        .unwrap()
        .clone();
    let by = |comm: &str| -> Value {
        processes
            .iter()
            .find(|p| p["comm"] == comm)
            .unwrap_or_else(|| panic!("no {comm} in {processes:#?}"))
            .clone()
    };
    let (shell, ticker, counter, reader) = (
        by("lab-shell"),
        by("ticker"),
        by("counter"),
        by("tty-reader"),
    );
    assert_eq!(shell["ppid"], pid);
    assert_eq!(shell["sid"], shell["pid"], "the shell leads the session");
    assert_eq!(shell["pgid"], shell["pid"]);
    assert!(
        shell["stat_flags"]
            .as_array()
            .unwrap()
            .contains(&"s".into()),
        "{shell:#}"
    );
    assert_eq!(ticker["pgid"], ticker["pid"], "the pipeline's group");
    assert_eq!(counter["pgid"], ticker["pid"], "one group for the pipeline");
    assert_eq!(reader["pgid"], reader["pid"]);
    for p in [&shell, &ticker, &counter, &reader] {
        assert_eq!(p["sid"], shell["pid"], "{p:#}");
        assert!(p["tty"].as_str().unwrap().starts_with("pts/"), "{p:#}");
        assert_eq!(
            p["tpgid"], ticker["pid"],
            "the pipeline is in the foreground"
        );
    }
    for p in [&shell, &ticker, &counter] {
        assert_ne!(p["ppid"], 1);
    }
    assert_eq!(ticker["ppid"], shell["pid"]);
    assert!(ticker["stat"].as_str().unwrap().ends_with('+'));
    assert!(counter["stat"].as_str().unwrap().ends_with('+'));
    assert!(!reader["stat"].as_str().unwrap().contains('+'));
    let columns: Vec<&str> = events
        .iter()
        .filter(|e| e["step"] == "column")
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        ["PPID", "PID", "PGID", "SID", "TTY", "TPGID", "STAT", "UID", "TIME", "COMMAND"]
    );
    let stat = |e: &Value, i: usize| e["processes"][i]["stat"].as_str().unwrap().to_string();
    let ctrl_z = event(&events, "ctrl-z");
    assert_eq!(
        ctrl_z["ctrl_z"], "typed",
        "the terminal turned ^Z into SIGTSTP"
    );
    assert_eq!(stat(ctrl_z, 0), "T+");
    assert_eq!(stat(ctrl_z, 1), "T+");
    assert_eq!(
        ctrl_z["stopped_by"],
        serde_json::json!(["SIGTSTP", "SIGTSTP"])
    );
    let taken = event(&events, "take-terminal");
    assert_eq!(taken["tpgid"], shell["pid"]);
    assert_eq!(stat(taken, 0), "Ss+", "the + moved to the shell");
    assert_eq!(stat(taken, 1), "T");
    let bg = event(&events, "bg");
    assert_eq!(stat(bg, 0), "S");
    assert_eq!(stat(bg, 1), "S");
    assert_eq!(bg["continued_reported"], true);
    let ttin = event(&events, "sigttin");
    assert_eq!(stat(ttin, 0), "T");
    assert_eq!(ttin["stopped_by"], "SIGTTIN");
    let hangup = event(&events, "hangup");
    assert_eq!(hangup["described"], "killed by SIGHUP");
    let orphaned = event(&events, "orphaned-groups");
    assert_eq!(orphaned["adopter"], pid);
    let groups: Vec<i64> = orphaned["orphaned_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_i64().unwrap())
        .collect();
    assert!(
        groups.contains(&ticker["pid"].as_i64().unwrap()),
        "{orphaned:#}"
    );
    assert!(
        groups.contains(&reader["pid"].as_i64().unwrap()),
        "{orphaned:#}"
    );
    // The stopped, orphaned group got SIGHUP (blocked, so pending) and SIGCONT.
    assert_eq!(orphaned["reader_stat"], "S", "{orphaned:#}");
    assert_eq!(orphaned["reader_sighup_pending"], true, "{orphaned:#}");
    assert_eq!(event(&events, "after-hangup")["no_terminal"], true);
    leaves_nothing(&events, pid, "demo jobs");
}

const TOPICS: [&str; 9] = [
    "fork", "states", "orphan", "zombie", "nice", "io", "jobs", "exec", "exit",
];

#[test]
fn demo_without_a_topic_lists_every_demo() {
    let out = run(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for topic in TOPICS {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(topic)),
            "{topic} missing from:\n{text}"
        );
    }
    let out = run(&["demo", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let listed: Vec<&str> = doc["demos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["topic"].as_str().unwrap())
        .collect();
    assert_eq!(listed, TOPICS);
    for d in doc["demos"].as_array().unwrap() {
        assert!(!d["lesson"].as_str().unwrap().is_empty(), "{d}");
    }
}

#[test]
fn every_demo_prints_a_python_program_that_runs() {
    let python = have("python3");
    if !python {
        skip("python3 is not installed: the programs are printed, not run");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut running = Vec::new();
    for topic in TOPICS {
        let out = run(&["demo", topic, "--code"]);
        assert_eq!(out.status.code(), Some(0), "{topic}: {}", stderr(&out));
        let program = stdout(&out);
        assert!(program.starts_with("#!/usr/bin/env python3"), "{topic}");
        assert!(program.contains(&format!("pscope demo {topic}")), "{topic}");
        if !python {
            continue;
        }
        let file = dir.path().join(format!("{topic}.py"));
        std::fs::write(&file, &program).unwrap();
        // All at once, each in a directory where it may write (a core
        // file, at most), with no terminal, as a student's runner might.
        let work = dir.path().join(topic);
        std::fs::create_dir(&work).unwrap();
        let child = Command::new("timeout")
            .args(["60", "python3"])
            .arg(&file)
            .current_dir(&work)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        running.push((topic, child));
    }
    for (topic, child) in running {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{topic}.py:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(!stdout(&out).is_empty(), "{topic}.py printed nothing");
    }
}

/// Starts a demo, waits for `after` events, interrupts it, and checks that
/// every process it had started is gone.
fn interrupt(args: &[&str], after: usize, signal: i32) {
    let mut child = spawn_demo(args);
    let pid = child.id();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut events = Vec::new();
    let mut line = String::new();
    while events.len() < after {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        events.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    let mut before = descendants(pid);
    for e in &events {
        pids_in(e, &mut before);
    }
    before.remove(&(pid as i64));
    before.retain(|&p| p > 1 && p != std::process::id() as i64);
    unsafe {
        libc::kill(pid as i32, signal);
    }
    let status = child.wait().unwrap();
    let what = format!("demo {args:?} after {after} events, signal {signal}");
    match signal {
        libc::SIGKILL => assert_eq!(status.code(), None, "{what}"),
        s => assert_eq!(status.code(), Some(128 + s), "{what}"),
    }
    assert_all_gone(&before, &what);
}

#[test]
fn interrupted_demos_leave_nothing_behind() {
    let cases: &[(&[&str], usize)] = &[
        (&["states", "--pace", "0.3"], 2),
        (&["states", "--pace", "0.3"], 6),
        (&["zombie", "--pace", "0.5"], 2),
        (&["zombie", "--pace", "0.5"], 5),
        (&["orphan", "--pace", "0.5"], 2),
        (&["orphan", "--pace", "0.5"], 3),
        (&["fork", "--pace", "0.5"], 3),
        (&["nice", "--seconds", "2"], 1),
        (&["io", "--seconds", "2"], 1),
        (&["io", "--seconds", "2"], 2),
        (&["io", "--seconds", "0.5", "--pace", "0.5"], 4),
        (&["exec", "--pace", "0.5"], 1),
        (&["exec", "--pace", "0.5"], 3),
        (&["exit", "--pace", "0.5"], 2),
        (&["exit", "--pace", "0.5"], 5),
        (&["jobs", "--pace", "0.3"], 1),
        (&["jobs", "--pace", "0.3"], 12),
        (&["jobs", "--pace", "0.3"], 15),
        (&["jobs", "--pace", "0.3"], 17),
    ];
    for (args, after) in cases {
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGKILL] {
            interrupt(args, *after, signal);
        }
    }
}

#[test]
fn renice_changes_nice_values_like_util_linux() {
    let mut procs = Procs::default();
    let pid = procs.spawn(Command::new("sleep").arg("30"));
    let p = pid.to_string();
    let nice = || live_stat_field(pid, 19).unwrap();
    let out = run(&["renice", "5", "-p", &p]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "{p} (sleep): old nice 0, new nice 5 (PR in top 20 -> 25, PRI in pscope 19 -> 14)\n"
        )
    );
    assert_eq!(nice(), "5");
    let out = run(&["renice", "--relative", "2", &p]);
    assert!(
        stdout(&out).contains("old nice 5, new nice 7"),
        "{}",
        stdout(&out)
    );
    assert_eq!(nice(), "7");
    let out = run(&["renice", "-n", "40", "-p", &p]);
    assert!(
        stdout(&out).contains("new nice 19"),
        "values clamp: {}",
        stdout(&out)
    );
    // A group: the spawned sleep leads its own process group.
    let out = run(&["renice", "3", "-g", &p]);
    assert!(
        stdout(&out).starts_with(&format!("process group {p}: old nice 19, new nice 3")),
        "{}",
        stdout(&out)
    );
    assert_eq!(nice(), "3");
    // One target fails, the others are still changed: exit 1.
    let out = run(&["renice", "--json", "4", "-p", &p, "999999999"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an out-of-range PID is a usage error"
    );
    let out = run(&["renice", "--json", "4", "-p", &p, "4194000"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["results"][0]["new_nice"], 4);
    assert_eq!(v["results"][1]["error"], "no such process");
    assert_eq!(nice(), "4");
    // In text, the failed target's line goes to stderr, the others' to stdout.
    let out = run(&["renice", "6", "-p", &p, "4194000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with(&format!("{p} (sleep): old nice 4, new nice 6")));
    assert!(!stdout(&out).contains("4194000"), "{}", stdout(&out));
    assert_eq!(stderr(&out), "pscope: 4194000: no such process\n");
    assert_eq!(nice(), "6");
    for (bad, code) in [
        (&["renice", "abc", "-p", "1"][..], 2),
        (&["renice", "5"], 2),
        // An unknown user is "not found", as in every command (and util-linux).
        (&["renice", "5", "-u", "no-such-user-xyz"], 1),
    ] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(code), "{bad:?}");
        assert_eq!(stderr(&out).lines().count(), 1, "{bad:?}: {}", stderr(&out));
    }
}

#[test]
fn renice_all_threads_reaches_every_thread() {
    if !have("python3") {
        return skip("python3 is needed for a multi-threaded target");
    }
    let mut procs = Procs::default();
    let pid = procs.spawn(Command::new("python3").args([
        "-c",
        "import threading, time\nfor _ in range(2): threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\ntime.sleep(30)",
    ]));
    wait_for("threads", Duration::from_secs(10), || {
        std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|d| d.count() == 3)
            .unwrap_or(false)
    });
    let out = run(&["renice", "6", "-p", &pid.to_string()]);
    assert_eq!(stdout(&out).lines().count(), 1);
    let thread_nices = || -> Vec<String> {
        std::fs::read_dir(format!("/proc/{pid}/task"))
            .unwrap()
            .flatten()
            .map(|e| {
                let text = std::fs::read_to_string(e.path().join("stat")).unwrap();
                let rest = &text[text.rfind(')').unwrap() + 2..];
                rest.split(' ').nth(16).unwrap().to_string()
            })
            .collect()
    };
    let nices = thread_nices();
    assert_eq!(
        nices.iter().filter(|n| *n == "6").count(),
        1,
        "only the main thread: {nices:?}"
    );
    let out = run(&["renice", "8", "--all-threads", "-p", &pid.to_string()]);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
    assert!(thread_nices().iter().all(|n| n == "8"));
}

#[test]
fn renice_as_an_unprivileged_user() {
    if !need_root("acting as another user") || !need("setpriv") {
        return skip("needs root and setpriv to act as another user");
    }
    let mut procs = Procs::default();
    let root_owned = procs.spawn(Command::new("sleep").arg("30"));
    let nobodys = procs.spawn(Command::new("setpriv").args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "sleep",
        "30",
    ]));
    wait_for("setpriv exec", Duration::from_secs(5), || {
        std::fs::read_to_string(format!("/proc/{nobodys}/comm"))
            .map(|c| c.trim() == "sleep")
            .unwrap_or(false)
    });
    let as_nobody = |args: &[&str]| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_pscope"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = as_nobody(&["renice", "5", "-p", &root_owned.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    // As util-linux: a refused target is an error line on stderr, and
    // nothing on stdout that a script would take for a result.
    assert!(
        stderr(&out).contains("not permitted: not your process"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let out = as_nobody(&["renice", "5", "-p", &nobodys.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = as_nobody(&["renice", "0", "-p", &nobodys.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs CAP_SYS_NICE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn syscall_table_matches_the_c_library() {
    use pscope::analysis::syscalls::{by_name, Arch};
    let Some(arch) = Arch::native() else {
        return skip("the system call table covers x86_64 and aarch64 only");
    };
    #[cfg(target_arch = "x86_64")]
    let known: &[(&str, i64)] = &[
        ("poll", libc::SYS_poll),
        ("select", libc::SYS_select),
        ("epoll_wait", libc::SYS_epoll_wait),
        ("pause", libc::SYS_pause),
    ];
    #[cfg(not(target_arch = "x86_64"))]
    let known: &[(&str, i64)] = &[];
    let everywhere: &[(&str, i64)] = &[
        ("read", libc::SYS_read),
        ("write", libc::SYS_write),
        ("ppoll", libc::SYS_ppoll),
        ("pselect6", libc::SYS_pselect6),
        ("epoll_pwait", libc::SYS_epoll_pwait),
        ("epoll_pwait2", libc::SYS_epoll_pwait2),
        ("nanosleep", libc::SYS_nanosleep),
        ("clock_nanosleep", libc::SYS_clock_nanosleep),
        ("restart_syscall", libc::SYS_restart_syscall),
        ("wait4", libc::SYS_wait4),
        ("waitid", libc::SYS_waitid),
    ];
    for (name, number) in known.iter().chain(everywhere) {
        let call = by_name(name).unwrap_or_else(|| panic!("{name} is not in the table"));
        assert_eq!(call.number(arch), Some(*number), "{name}");
    }
}
