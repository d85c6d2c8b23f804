//! `pscope top` in batch mode against procps top: the same header and
//! summary lines, the same task counts (within the processes that came
//! and went), %CPU over the interval for busy loops (alone, and two on one
//! CPU at different nice values), and the events of processes born,
//! exiting, becoming zombies, reaped and reparented.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use common::*;

fn top_pscope(args: &[&str]) -> String {
    let mut all = vec!["top"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The JSON frames of a batch run.
fn frames(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["-b", "--json"];
    all.extend_from_slice(args);
    top_pscope(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn procps_top(args: &[&str]) -> String {
    let out = Command::new("top")
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .env("TZ", "UTC")
        .env_remove("COLUMNS")
        .env("HOME", std::env::temp_dir())
        .output()
        .expect("top runs");
    assert!(out.status.success(), "top {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The words of a line that are not numbers: its labels.
fn labels(line: &str) -> Vec<String> {
    // ':' too: at 100.0 a value meets its label (`%Cpu(s):100.0 us`).
    line.split([' ', ',', ':'])
        .filter(|w| {
            !w.is_empty()
                && !w
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ':')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn text_frames_are_laid_out_as_tops() {
    if !need("top") {
        return;
    }
    let ours = top_pscope(&["-b", "-n", "1"]);
    let theirs = procps_top(&["-b", "-n", "1"]);
    let ours: Vec<&str> = ours.lines().collect();
    let theirs: Vec<&str> = theirs.lines().collect();
    // The header line, byte for byte; the summary lines' labels and widths.
    assert_eq!(ours[6], theirs[6]);
    assert_eq!(ours[5], "");
    for i in 0..5 {
        assert_eq!(labels(ours[i]), labels(theirs[i]), "line {}", i + 1);
    }
    for i in 2..5 {
        assert_eq!(
            ours[i].len(),
            theirs[i].len(),
            "line {}: trailing blanks",
            i + 1
        );
    }
    // A row has top's shape: as many fields, at the same right edges.
    let init_ours = ours
        .iter()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    let init_theirs = theirs
        .iter()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    let ends = |l: &str| -> Vec<usize> {
        l.char_indices()
            .filter(|&(i, c)| c != ' ' && l[i + 1..].starts_with(' '))
            .map(|(i, _)| i)
            .take(10)
            .collect()
    };
    assert_eq!(
        ends(init_ours),
        ends(init_theirs),
        "{init_ours}\n{init_theirs}"
    );

    // Frames: one blank line between them, a newline at the end.
    let two = top_pscope(&["-b", "-n", "2", "-d", "0.1"]);
    assert!(two.ends_with('\n') && !two.ends_with("\n\n"));
    assert_eq!(two.matches("\n\ntop - ").count(), 1);
    assert_eq!(
        two.lines().filter(|l| l.starts_with("  PID USER")).count(),
        2
    );
    // Narrow screens lose columns from the right, as top's do.
    let narrow = top_pscope(&["-b", "-n", "1", "-w", "70"]);
    assert!(narrow.lines().nth(6).unwrap().ends_with("TIME+"));
}

/// The task counts of a top frame, by name.
fn counts(text: &str) -> [i64; 5] {
    let line = text.lines().find(|l| l.starts_with("Tasks:")).unwrap();
    let numbers: Vec<i64> = line
        .split([' ', ','])
        .filter_map(|w| w.parse().ok())
        .collect();
    [numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]]
}

fn pids_of(frame: &serde_json::Value) -> BTreeSet<i64> {
    frame["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pid"].as_i64().unwrap())
        .collect()
}

#[test]
fn task_counts_agree_with_top() {
    if !need("top") {
        return;
    }
    let mut procs = Procs::default();
    // A stopped process and a zombie, so that every count has something.
    let stopped = procs.spawn(Command::new("sleep").arg("60"));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(stopped as i32),
        nix::sys::signal::Signal::SIGSTOP,
    )
    .unwrap();
    let zombie = procs.spawn(&mut Command::new("true"));
    wait_for(
        "a stopped and a zombie process",
        Duration::from_secs(10),
        || {
            live_stat_field(stopped, 3).as_deref() == Some("T")
                && live_stat_field(zombie, 3).as_deref() == Some("Z")
        },
    );
    let mut last = String::new();
    for _ in 0..3 {
        let before = frames(&["-n", "1"]).remove(0);
        let theirs = counts(&procps_top(&["-b", "-n", "1"]));
        let after = frames(&["-n", "1"]).remove(0);
        // Processes that came or went between the two runs of pscope, and
        // each program counting itself (top as running, pscope's main
        // thread as sleeping while its worker reads).
        let churn = pids_of(&before)
            .symmetric_difference(&pids_of(&after))
            .count() as i64
            + 2;
        let ours = |f: &serde_json::Value| {
            let t = &f["tasks"];
            ["total", "running", "sleeping", "stopped", "zombie"].map(|k| t[k].as_i64().unwrap())
        };
        let (a, b) = (ours(&before), ours(&after));
        let agree = (0..5).all(|i| {
            let (low, high) = (a[i].min(b[i]) - churn, a[i].max(b[i]) + churn);
            (low..=high).contains(&theirs[i])
        });
        assert!(
            a[3] >= 1 && a[4] >= 1,
            "the stopped process and the zombie are counted"
        );
        if agree {
            return;
        }
        last = format!("pscope {a:?} and {b:?}, top {theirs:?}, churn {churn}");
    }
    panic!("task counts disagree three times: {last}");
}

/// A loop that uses all the CPU it gets, pinned to CPU 0 when `pinned`.
fn busy_loop(procs: &mut Procs, nice: Option<i32>, pinned: bool) -> u32 {
    let mut words: Vec<String> = Vec::new();
    if pinned {
        words.extend(["taskset", "-c", "0"].map(String::from));
    }
    if let Some(n) = nice {
        words.extend(["nice".into(), "-n".into(), n.to_string()]);
    }
    words.extend(["sh", "-c", "while :; do :; done"].map(String::from));
    let mut cmd = Command::new(&words[0]);
    cmd.args(&words[1..]);
    let pid = procs.spawn(&mut cmd);
    // Wait until the exec chain has become the loop.
    wait_for("the busy loop", Duration::from_secs(10), || {
        std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "sh")
    });
    pid
}

fn cpu_of(frame: &serde_json::Value, pid: u32) -> f64 {
    frame["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid)
        .and_then(|p| p["cpu_percent"].as_f64())
        .unwrap_or_else(|| panic!("{pid} not in the frame"))
}

/// The tests that measure CPU shares run one at a time, and as root at the
/// top of the nice scale, so that neither each other nor other work on the
/// machine takes their CPU.
static MEASURING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The nice value a measured loop starts from: -20 where the test may set
/// it, else 0.
fn top_nice() -> i32 {
    if nix::unistd::geteuid().is_root() {
        -20
    } else {
        0
    }
}

#[test]
fn a_busy_loop_shows_its_cpu_over_the_interval() {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let mut procs = Procs::default();
    let pid = busy_loop(&mut procs, Some(top_nice()), false);
    let pid_text = pid.to_string();
    let mut seen = Vec::new();
    // A burst of other work on the machine can take the CPU for a while:
    // three tries.
    for _ in 0..3 {
        let f = frames(&["-n", "2", "-d", "1", "-p", &pid_text]);
        // At least the delay; more where reading /proc takes long.
        let interval = f[1]["interval_seconds"].as_f64().unwrap();
        assert!(interval >= 0.9, "{interval}");
        let share = cpu_of(&f[1], pid);
        if share >= 80.0 {
            return;
        }
        seen.push(share);
    }
    panic!("a busy loop showed {seen:?} %CPU");
}

#[test]
fn two_loops_on_one_cpu_share_it_by_their_weights() {
    if !need("taskset") {
        return;
    }
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let mut procs = Procs::default();
    // Ten nice levels apart (0 and 10 in the lesson; -20 and -10 here as
    // root, the same ratio of weights).
    let fast = busy_loop(&mut procs, Some(top_nice()), true);
    let slow = busy_loop(&mut procs, Some(top_nice() + 10), true);
    let pids = format!("{fast},{slow}");
    // Weights 1024 and 110 (88761 and 9548): 90.3% and 9.7% of the CPU
    // they share.
    let mut seen = Vec::new();
    for _ in 0..3 {
        let f = frames(&["-n", "2", "-d", "2", "-p", &pids]);
        let (a, b) = (cpu_of(&f[1], fast), cpu_of(&f[1], slow));
        let share = 100.0 * a / (a + b).max(0.1);
        if (share - 91.0).abs() <= 5.0 && a + b >= 50.0 {
            return;
        }
        seen.push((a, b));
    }
    panic!("two loops ten nice levels apart on one CPU showed {seen:?} %CPU");
}

/// Frames of a batch run read as they come, to act between them.
struct Stream {
    child: std::process::Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl Stream {
    fn start(args: &[&str]) -> Stream {
        let mut child = pscope()
            .args(["top", "-b", "--json"])
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("pscope runs");
        let out = child.stdout.take().unwrap();
        Stream {
            child,
            lines: std::io::BufRead::lines(std::io::BufReader::new(out)),
        }
    }

    /// The next frame.
    fn next(&mut self) -> serde_json::Value {
        let line = self.lines.next().expect("another frame").expect("a line");
        serde_json::from_str(&line).unwrap()
    }

    /// Reads frames until one satisfies `check`.
    fn until(&mut self, what: &str, mut check: impl FnMut(&serde_json::Value) -> bool) {
        for _ in 0..60 {
            if check(&self.next()) {
                return;
            }
        }
        panic!("no frame shows {what}");
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn row_of(frame: &serde_json::Value, pid: u32) -> Option<&serde_json::Value> {
    frame["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid)
}

fn event_of<'f>(
    frame: &'f serde_json::Value,
    pid: u32,
    what: &str,
) -> Option<&'f serde_json::Value> {
    frame["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["pid"] == pid && e["event"] == what)
}

fn kill(pid: u32) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
}

#[test]
fn births_exits_zombies_reaping_and_reparenting_are_events() {
    let mut procs = Procs::default();
    let mut frames = Stream::start(&["-n", "200", "-d", "0.3"]);
    let first = frames.next();
    assert_eq!(first["schema_version"], 1);

    // Born: a process started between frames, its row marked.
    let child = procs.spawn(Command::new("sleep").arg("600"));
    let exits = procs.spawn(Command::new("sleep").arg("600"));
    let shell = procs.spawn(Command::new("sh").args(["-c", "sleep 600 & wait"]));
    frames.until("the births", |f| {
        [child, exits, shell]
            .iter()
            .all(|&p| row_of(f, p).is_some())
    });
    // (Each birth was in some frame's events, with its parent.)
    // Became a zombie: it ends, and nobody waits for it yet.
    kill(child);
    frames.until("the zombie", |f| event_of(f, child, "zombie").is_some());
    // Reaped: its parent (this test) waits for it.
    procs.child(child).wait().unwrap();
    frames.until("the reaping", |f| event_of(f, child, "reaped").is_some());
    // Exited: ended and reaped between two frames.
    kill(exits);
    procs.child(exits).wait().unwrap();
    frames.until("the exit", |f| {
        event_of(f, exits, "exited")
            .or_else(|| event_of(f, exits, "reaped"))
            .is_some()
    });
    // Reparented: the shell's child outlives it and is adopted.
    let mut orphan = None;
    frames.until("the shell's child", |f| {
        orphan = f["processes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ppid"] == shell && p["comm"] == "sleep")
            .and_then(|p| p["pid"].as_u64());
        orphan.is_some()
    });
    let orphan = orphan.unwrap() as u32;
    kill(shell);
    let mut adopted = None;
    frames.until("the adoption", |f| {
        adopted = event_of(f, orphan, "reparented").cloned();
        adopted.is_some()
    });
    let adopted = adopted.unwrap();
    assert_eq!(adopted["old_parent"], shell);
    let message = adopted["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("{orphan} sleep reparented from {shell} to ")),
        "{message}"
    );
    let _ = procs.child(shell).wait();
    // The orphan is in the shell's process group, which the guard kills.
}

#[test]
fn a_birth_is_an_event_with_its_parent() {
    let mut procs = Procs::default();
    let mut frames = Stream::start(&["-n", "200", "-d", "0.3"]);
    frames.next();
    let child = procs.spawn(Command::new("sleep").arg("600"));
    let me = std::process::id();
    let mut born = None;
    frames.until("the birth", |f| {
        born = event_of(f, child, "born").cloned();
        born.is_some()
    });
    let born = born.unwrap();
    assert_eq!(born["parent"], me);
    assert!(born["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!("born {child} sleep, parent {me} ")));
}
