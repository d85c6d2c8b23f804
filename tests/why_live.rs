//! `pscope why` and `pscope files` on real processes made by the test
//! (small Python programs in tests/helpers/why_subjects.py, and sleep),
//! each waiting in a known way; every one is killed with its group by a
//! guard. As root, and as nobody.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::*;
use serde_json::Value;

const SUBJECTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/helpers/why_subjects.py");
const PATIENCE: Duration = Duration::from_secs(20);

/// A subject process, its report, and the guard that ends it.
struct Subject {
    /// Kills the subject (and its group) when the test ends.
    _procs: Procs,
    report: Value,
    _dir: tempfile::TempDir,
}

impl Subject {
    fn pid(&self) -> i32 {
        self.report["pid"].as_i64().unwrap() as i32
    }

    fn get(&self, key: &str) -> i64 {
        self.report[key]
            .as_i64()
            .unwrap_or_else(|| panic!("{key} in {}", self.report))
    }
}

/// Starts a subject in `mode` and waits for its report and for `pid_key`'s
/// process to reach one of `states`.
fn subject(mode: &str, extra: &[&str], state_of: &str, states: &str) -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.json");
    let mut procs = Procs::default();
    let mut cmd = Command::new("python3");
    cmd.arg(SUBJECTS).arg(mode).arg(&report_path).args(extra);
    procs.spawn(&mut cmd);
    let mut report = Value::Null;
    wait_for(
        &format!("the {mode} subject's report"),
        PATIENCE,
        || match std::fs::read_to_string(&report_path) {
            Ok(text) => {
                report = serde_json::from_str(&text).unwrap();
                true
            }
            Err(_) => false,
        },
    );
    assert!(report.get("error").is_none(), "{mode}: {report}");
    let pid = report[state_of].as_i64().unwrap() as u32;
    wait_for(&format!("{mode}: {state_of} in {states}"), PATIENCE, || {
        live_stat_field(pid, 3).is_some_and(|s| states.contains(s.as_str()))
    });
    let subject = Subject {
        _procs: procs,
        report,
        _dir: dir,
    };
    // A state letter is set before the call is entered: wait until the
    // kernel reports the call the subject blocks in, not the one before.
    std::thread::sleep(Duration::from_millis(100));
    subject
}

fn why(pid: i32) -> Value {
    let out = run(&["why", "--json", &pid.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    doc["why"][0].clone()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// The wait of the main thread (the subjects are single-threaded).
fn main_wait(record: &Value) -> &Value {
    &record["waits"][0]
}

fn ready() -> bool {
    need_root("reading the system calls of processes") && need("python3")
}

#[test]
fn accept_on_a_unix_socket_names_the_path() {
    if !ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sock");
    let s = subject("accept", &[path.to_str().unwrap()], "pid", "S");
    let r = why(s.pid());
    let wait = main_wait(&r);
    assert!(
        wait["syscall"].as_str().unwrap().starts_with("accept"),
        "{r}"
    );
    assert_eq!(ints(&wait["fds"]), vec![s.get("fd")]);
    let d = &r["descriptors"][0];
    assert_eq!(d["type"], "s");
    assert_eq!(d["protocol"], "unix-stream");
    assert_eq!(d["socket_state"], "LISTEN");
    assert_eq!(d["local"], path.to_str().unwrap());
    let text = stdout(&run(&["why", &s.pid().to_string()]));
    assert!(text.contains(path.to_str().unwrap()), "{text}");
}

#[test]
fn a_pipe_reader_names_the_writer() {
    if !ready() {
        return;
    }
    let s = subject("pipe-reader", &[], "pid", "S");
    let r = why(s.pid());
    let wait = main_wait(&r);
    assert_eq!(wait["syscall"], "read");
    assert_eq!(ints(&wait["fds"]), vec![s.get("fd")]);
    assert_eq!(wait["state"], "S");
    let d = &r["descriptors"][0];
    assert_eq!(
        (d["type"].as_str(), d["kind"].as_str()),
        (Some("p"), Some("pipe"))
    );
    assert_eq!(d["access"], "r");
    let peers = d["peers"].as_array().unwrap();
    assert_eq!(peers.len(), 1, "{d}");
    assert_eq!(peers[0]["pid"].as_i64(), Some(s.get("writer")));
    assert_eq!(peers[0]["end"], "write end");
}

#[test]
fn a_waiting_parent_names_its_child() {
    if !ready() {
        return;
    }
    let s = subject("wait-child", &[], "pid", "S");
    let r = why(s.pid());
    let wait = main_wait(&r);
    assert!(
        ["wait4", "waitid"].contains(&wait["syscall"].as_str().unwrap()),
        "{r}"
    );
    assert_eq!(ints(&wait["children"]), vec![s.get("child")]);
}

#[test]
fn select_poll_and_epoll_name_the_watched_descriptors() {
    if !ready() {
        return;
    }
    for (mode, calls) in [
        ("select", &["select", "pselect6"][..]),
        ("poll", &["poll", "ppoll"]),
        ("epoll", &["epoll_wait", "epoll_pwait", "epoll_pwait2"]),
    ] {
        let s = subject(mode, &[], "pid", "S");
        let r = why(s.pid());
        let wait = main_wait(&r);
        let call = wait["syscall"].as_str().unwrap();
        assert!(calls.contains(&call), "{mode}: {r}");
        let mut fds = ints(&wait["fds"]);
        fds.sort_unstable();
        let mut expected = ints(&s.report["fds"]);
        expected.sort_unstable();
        assert_eq!(fds, expected, "{mode}: {r}");
        if mode == "epoll" {
            assert_eq!(wait["epoll_fd"].as_i64(), Some(s.get("epoll")));
        }
        // Both ends lead to the writer: the pipe's write end, the peer socket.
        let descriptors = r["descriptors"].as_array().unwrap();
        assert_eq!(descriptors.len(), 2, "{mode}: {r}");
        for d in descriptors {
            let peers = d["peers"].as_array().unwrap();
            assert!(
                peers
                    .iter()
                    .any(|p| p["pid"].as_i64() == Some(s.get("writer"))),
                "{mode}: {d}"
            );
        }
        let text = stdout(&run(&["why", &s.pid().to_string()]));
        assert!(text.contains(call), "{mode}: {text}");
    }
}

#[test]
fn stops_name_their_signal() {
    if !need_root("reading the system calls of processes") {
        return;
    }
    for (signal, name) in [(libc::SIGSTOP, "SIGSTOP"), (libc::SIGTSTP, "SIGTSTP")] {
        let mut procs = Procs::default();
        let pid = procs.spawn(Command::new("sleep").arg("1000"));
        unsafe {
            libc::kill(pid as i32, signal);
        }
        wait_for("the stop", PATIENCE, || {
            live_stat_field(pid, 3).as_deref() == Some("T")
        });
        let r = why(pid as i32);
        assert_eq!(r["state"], "T");
        assert_eq!(r["stopped_by"], name, "{r}");
        assert!(r["advice"].as_str().unwrap().contains("kill -CONT"));
        drop(procs);
    }
}

#[test]
fn a_traced_process_names_its_tracer() {
    if !ready() {
        return;
    }
    let s = subject("traced", &[], "child", "t");
    let child = s.get("child") as i32;
    let r = why(child);
    assert_eq!(r["state"], "t");
    assert_eq!(r["tracer_pid"].as_i64(), Some(s.pid() as i64), "{r}");
    let text = stdout(&run(&["why", &child.to_string()]));
    assert!(text.contains(&format!("stopped by {}", s.pid())), "{text}");
}

#[test]
fn a_zombie_names_its_parent_and_the_remedy() {
    if !ready() {
        return;
    }
    let s = subject("zombie", &[], "child", "Z");
    let r = why(s.get("child") as i32);
    assert_eq!(r["state"], "Z");
    assert_eq!(r["zombie_parent"].as_i64(), Some(s.pid() as i64));
    assert!(r["advice"].as_str().unwrap().contains("CHLD"), "{r}");
    assert_eq!(r["waits"].as_array().unwrap().len(), 0);
}

#[test]
fn a_vfork_parent_names_its_child() {
    if !ready() {
        return;
    }
    let s = subject("vfork", &[], "pid", "D");
    let r = why(s.pid());
    let wait = main_wait(&r);
    assert!(
        ["vfork", "clone", "clone3"].contains(&wait["syscall"].as_str().unwrap()),
        "{r}"
    );
    assert_eq!(ints(&wait["children"]), vec![s.get("child")], "{r}");
}

#[test]
fn files_port_finds_a_tcp_listener() {
    if !ready() {
        return;
    }
    let s = subject("tcp-listen", &[], "pid", "S");
    let port = s.get("port").to_string();
    let out = run(&["files", "--port", &port, "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ours = lines
        .iter()
        .find(|d| d["pid"].as_i64() == Some(s.pid() as i64))
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(ours["fd"].as_i64(), Some(s.get("fd")));
    assert_eq!(ours["protocol"], "tcp");
    assert_eq!(ours["socket_state"], "LISTEN");
    assert_eq!(ours["local"], format!("127.0.0.1:{port}"));
    // Its wait, through why: accept on that socket.
    let r = why(s.pid());
    assert!(main_wait(&r)["syscall"]
        .as_str()
        .unwrap()
        .starts_with("accept"));
    // A port nobody uses matches nothing: exit 1.
    let busy: Vec<u16> = lines
        .iter()
        .filter_map(|d| d["local"].as_str()?.rsplit_once(':')?.1.parse().ok())
        .collect();
    let free = (40000..41000u16).find(|p| !busy.contains(p)).unwrap();
    let out = run(&["files", "--port", &free.to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn files_shows_each_type_letter() {
    if !ready() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let s = subject("every-type", &[work.path().to_str().unwrap()], "pid", "S");
    let out = run(&["files", "--json", &s.pid().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let descriptors = doc["files"]["descriptors"].as_array().unwrap();
    let by_fd = |fd: i64| {
        descriptors
            .iter()
            .find(|d| d["fd"].as_i64() == Some(fd))
            .unwrap_or_else(|| panic!("fd {fd} in {doc}"))
    };
    let fds = &s.report["fds"];
    for (key, letter, kind) in [
        ("-", "-", "regular file"),
        ("d", "d", "directory"),
        ("c", "c", "character device"),
        ("b", "b", "block device"),
        ("p", "p", "pipe"),
        ("fifo", "p", "FIFO"),
        ("s", "s", "socket"),
        ("l", "l", "symbolic link"),
        ("eventpoll", "?", "eventpoll"),
        ("eventfd", "?", "eventfd"),
        ("timerfd", "?", "timerfd"),
        ("signalfd", "?", "signalfd"),
    ] {
        let d = by_fd(fds[key].as_i64().unwrap());
        assert_eq!(d["type"], letter, "{key}: {d}");
        assert_eq!(d["kind"], kind, "{key}: {d}");
    }
    assert_eq!(by_fd(fds["l"].as_i64().unwrap())["access"], "path");
    assert_eq!(by_fd(fds["c"].as_i64().unwrap())["access"], "w");
    // --type keeps only what is asked; --path finds the regular file.
    let out = run(&[
        "files",
        "--type",
        "pl",
        "--format",
        "jsonl",
        &s.pid().to_string(),
    ]);
    let letters: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected = descriptors
        .iter()
        .filter(|d| d["type"] == "p" || d["type"] == "l")
        .count();
    assert!(expected >= 3);
    assert_eq!(letters.len(), expected, "{letters:?}");
    assert!(letters.iter().all(|l| l == "p" || l == "l"));
    let regular = work.path().join("regular");
    let out = run(&[
        "files",
        "--path",
        regular.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let holders: Vec<i64> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["pid"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(holders, vec![s.pid() as i64]);
    // A bad letter is a usage error naming it.
    let out = run(&["files", "--type", "px"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'x' at position 2"),
        "{}",
        stderr(&out)
    );
    drop(s);
}

fn as_nobody(args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(pscope_for_nobody())
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap()
}

/// The binary where nobody can run it (the build directory may be private).
fn pscope_for_nobody() -> PathBuf {
    static COPY: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, path) = COPY.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("pscope-nobody")
            .tempdir()
            .unwrap();
        let path = dir.path().join("pscope");
        std::fs::copy(env!("CARGO_BIN_EXE_pscope"), &path).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    });
    path.clone()
}

#[test]
fn as_nobody_why_and_files_show_what_they_can() {
    if !need_root("running as nobody") || !need("setpriv") {
        return;
    }
    // Root's process: its state and ancestry, and one line saying what
    // cannot be read and why; exit 0.
    let mut procs = Procs::default();
    let root_sleep = procs.spawn(Command::new("sleep").arg("1000"));
    wait_for("root's sleep", PATIENCE, || {
        live_stat_field(root_sleep, 3).as_deref() == Some("S")
    });
    let out = as_nobody(&["why", "--json", &root_sleep.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let r = &r["why"][0];
    assert_eq!(r["state"], "S");
    assert!(r["ancestry"].as_array().unwrap().len() >= 2);
    let unreadable: Vec<&str> = r["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(
        unreadable
            .iter()
            .any(|u| u.starts_with("descriptors: permission denied")),
        "{r}"
    );
    assert!(unreadable
        .iter()
        .any(|u| u.starts_with("system calls: permission denied")));
    assert_eq!(r["descriptors"].as_array().unwrap().len(), 0);
    // files on it: one line on stderr saying why, exit 0.
    let out = as_nobody(&["files", &root_sleep.to_string()]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("descriptors not readable: permission denied"),
        "{err}"
    );
    // All processes: one line per unreadable process, nobody's own shown.
    let out = as_nobody(&["files", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0));

    // nobody's own sleep: its call, and the time it asked for (read from
    // its memory, which its owner may read).
    let own = procs.spawn(Command::new("setpriv").args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "sleep",
        "1234",
    ]));
    wait_for("nobody's sleep", PATIENCE, || {
        live_stat_field(own, 3).as_deref() == Some("S")
            && std::fs::read_to_string(format!("/proc/{own}/comm"))
                .is_ok_and(|c| c.trim() == "sleep")
    });
    std::thread::sleep(Duration::from_millis(100));
    let out = as_nobody(&["why", "--json", &own.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let wait = &r["why"][0]["waits"][0];
    assert!(
        ["nanosleep", "clock_nanosleep"].contains(&wait["syscall"].as_str().unwrap()),
        "{r}"
    );
    assert_eq!(wait["sleep_seconds"].as_f64(), Some(1234.0), "{r}");
    assert_eq!(
        r["why"][0]["unreadable"].as_array().unwrap().len(),
        0,
        "{r}"
    );
}

#[test]
fn why_all_counts_tasks_and_missing_pids_are_errors() {
    let out = run(&["why", "--all", "--all-states", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let sample = &doc["sample"];
    assert_eq!(sample["samples"], 1);
    let counted: i64 = sample["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, sample["tasks"].as_i64().unwrap());
    // Active tasks first: this pscope is running while it samples.
    assert_eq!(sample["counts"][0]["state"], "R");
    let out = run(&["why", "--all", "--sample", "0.3", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0));
    for line in stdout(&out).lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        assert!(
            ["R", "D"].contains(&row["state"].as_str().unwrap()),
            "{row}"
        );
    }
    let out = run(&["why", "4194304"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("process 4194304 not found"));
    let out = run(&["why"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["why", "--all", "--sample", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_subjects_file_is_where_the_tests_expect_it() {
    assert!(Path::new(SUBJECTS).is_file());
}
