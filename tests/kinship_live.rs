//! Real zombies and orphans. This test binary makes itself a child
//! subreaper, so orphans of its own children are adopted by it; every
//! process it creates is killed and reaped by a guard, also on failure.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

/// Processes to kill and reap at the end: spawned children, and pids this
/// process adopted as a subreaper.
#[derive(Default)]
struct Guard {
    children: Vec<Child>,
    adopted: Vec<i32>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for &pid in &self.adopted {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
        }
    }
}

fn become_subreaper() {
    let rc = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    assert_eq!(rc, 0, "prctl(PR_SET_CHILD_SUBREAPER)");
}

fn me() -> i64 {
    std::process::id() as i64
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{args:?}: {}",
        stderr(&out)
    );
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", stdout(&out)))
}

/// A child that exits at once and is not waited for: a zombie of ours.
fn make_zombie(guard: &mut Guard) -> u32 {
    let child = Command::new("true").stdin(Stdio::null()).spawn().unwrap();
    let pid = child.id();
    guard.children.push(child);
    wait_for("the zombie", Duration::from_secs(10), || {
        live_stat_field(pid, 3).as_deref() == Some("Z")
    });
    pid
}

/// `setsid sh -c 'sleep 30 & echo $!'`: sh leads a new session and exits;
/// its sleep is left behind and adopted by this subreaper.
fn make_orphan(guard: &mut Guard) -> i32 {
    let out = Command::new("setsid")
        .args(["sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let pid: i32 = stdout(&out).trim().parse().unwrap();
    guard.adopted.push(pid);
    wait_for("the adoption", Duration::from_secs(10), || {
        live_stat_field(pid as u32, 4).and_then(|p| p.parse::<i64>().ok()) == Some(me())
    });
    pid
}

#[test]
fn zombies_orphans_and_ordinary_children() {
    become_subreaper();
    let mut guard = Guard::default();
    let zombie = make_zombie(&mut guard);
    let orphan = make_orphan(&mut guard);
    let ordinary = Command::new("sleep")
        .arg("30")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let ordinary_pid = ordinary.id() as i64;
    guard.children.push(ordinary);

    // zombies: grouped under this process, which has not reaped it.
    let report = json(&["zombies", "--json"]);
    let groups = report["report"]["zombies"].as_array().unwrap();
    let mine = groups
        .iter()
        .find(|g| g["parent_pid"] == me())
        .expect("our zombie's parent is listed");
    let pids: Vec<i64> = mine["zombies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["pid"].as_i64().unwrap())
        .collect();
    assert!(pids.contains(&(zombie as i64)), "{mine}");
    assert!(!pids.contains(&ordinary_pid));
    assert!(mine["advice"]
        .as_str()
        .unwrap()
        .contains(&format!("kill -CHLD {}", me())));
    assert_eq!(run(&["zombies", "--check"]).status.code(), Some(1));
    let text = stdout(&run(&["zombies"]));
    assert!(text.contains(&format!("kill -CHLD {}", me())), "{text}");

    // orphans: the adopted sleep, with us as adopter; not the ordinary child.
    let report = json(&["orphans", "--json"]);
    let orphans = report["report"]["orphans"].as_array().unwrap();
    let found = orphans
        .iter()
        .find(|o| o["pid"] == orphan)
        .expect("our orphan is listed");
    assert_eq!(found["adopter"]["pid"], me());
    assert_eq!(found["adopter"]["is_init"], false);
    assert_eq!(found["evidence"]["session_leader_alive"], false);
    assert!(orphans.iter().all(|o| o["pid"] != ordinary_pid));
    assert!(orphans.iter().all(|o| o["pid"] != zombie as i64));

    // The same verdicts in ps, tree and show.
    let out = stdout(&run(&[
        "-o",
        "pid,kind",
        "--no-headers",
        "-p",
        &format!("{zombie},{orphan},{ordinary_pid}"),
    ]));
    let kinds: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        kinds.contains(&vec![zombie.to_string().as_str(), "zombie"]),
        "{out}"
    );
    assert!(
        kinds.contains(&vec![orphan.to_string().as_str(), "orphan"]),
        "{out}"
    );
    assert!(
        kinds.contains(&vec![ordinary_pid.to_string().as_str(), "-"]),
        "{out}"
    );
    let tree = stdout(&run(&["tree", "-p", &me().to_string()]));
    assert!(
        tree.contains(&format!("true({zombie}) <defunct>")),
        "{tree}"
    );
    assert!(
        tree.contains(&format!("sleep({orphan}) [orphan]")),
        "{tree}"
    );
    let shown = json(&["show", "--json", &zombie.to_string()]);
    assert_eq!(shown["process"]["verdict"]["kind"], "zombie");
    let shown = json(&["show", "--json", &orphan.to_string()]);
    assert_eq!(shown["process"]["verdict"]["kind"], "orphan");
    assert_eq!(shown["process"]["ancestry"][0]["pid"], me());

    // ps agrees on the state letters.
    if need("ps") {
        let ps = Command::new("ps")
            .args(["-o", "stat=", "-p", &zombie.to_string()])
            .output()
            .unwrap();
        assert!(stdout(&ps).trim().starts_with('Z'));
    }
}

#[test]
fn show_and_explain_a_live_process() {
    let mut guard = Guard::default();
    let child = Command::new("nice")
        .args(["-n", "5", "sleep", "30"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    guard.children.push(child);
    wait_for("exec of sleep", Duration::from_secs(10), || {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|c| c.trim() == "sleep")
            .unwrap_or(false)
    });
    let shown = json(&["show", "--json", &pid.to_string()]);
    let p = &shown["process"];
    assert_eq!(p["pid"], pid);
    assert_eq!(p["nice"], 5);
    assert_eq!(p["ppid"], me());
    assert_eq!(p["exe"], "/usr/bin/sleep");
    assert_eq!(p["threads"].as_array().unwrap().len(), 1);
    assert_eq!(p["verdict"]["kind"], "normal");
    let text = stdout(&run(&["show", &pid.to_string()]));
    assert!(text.contains("nice 5"), "{text}");
    assert!(text.contains("ancestry  sleep("), "{text}");
    let text = stdout(&run(&["explain", "--pid", &pid.to_string()]));
    assert!(text.contains("N  low-priority"), "{text}");
    assert!(text.contains("[nice is 5]"), "{text}");
    let out = run(&["show", "999999999"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).trim(), "pscope: process 999999999 not found");
}

/// A zombie's exit status is what its parent's wait() will report: a
/// status, or the signal that killed it.
#[test]
fn zombies_carry_the_status_their_parent_will_read() {
    let mut guard = Guard::default();
    let exited = Command::new("sh")
        .args(["-c", "exit 3"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let killed = Command::new("sh")
        .args(["-c", "kill -SEGV $$"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let pids = [exited.id(), killed.id()];
    guard.children.push(exited);
    guard.children.push(killed);
    for pid in pids {
        wait_for("the zombie", Duration::from_secs(10), || {
            live_stat_field(pid, 3).as_deref() == Some("Z")
        });
    }
    let shown = stdout(&run(&["show", &pids[0].to_string()]));
    assert!(shown.contains("exited with status 3"), "{shown}");
    let report = json(&["zombies", "--json"]);
    let status_of = |pid: u32| {
        report["report"]["zombies"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["zombies"].as_array().unwrap().iter())
            .find(|z| z["pid"] == pid)
            .map(|z| z["exit_status"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(status_of(pids[0]).as_deref(), Some("exited with status 3"));
    let segv = status_of(pids[1]).unwrap();
    assert!(segv.starts_with("killed by SIGSEGV"), "{segv}");
    let text = stdout(&run(&["zombies"]));
    assert!(text.contains("exited with status 3"), "{text}");
}

/// `show` says how a process handles SIGCHLD: ignored means the kernel
/// reaps its children (the third zombie remedy).
#[test]
fn show_gives_the_signal_dispositions() {
    if !need("python3") {
        return;
    }
    let mut guard = Guard::default();
    // SIG_IGN survives exec (dash's `trap '' CHLD` does not set it).
    let ignoring = Command::new("python3")
        .args([
            "-c",
            "import os, signal; signal.signal(signal.SIGCHLD, signal.SIG_IGN); \
             os.execvp('sleep', ['sleep', '30'])",
        ])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let pid = ignoring.id();
    guard.children.push(ignoring);
    wait_for("the exec", Duration::from_secs(10), || {
        std::fs::read(format!("/proc/{pid}/comm")).is_ok_and(|c| c.starts_with(b"sleep"))
    });
    let shown = stdout(&run(&["show", &pid.to_string()]));
    assert!(shown.contains("SIGCHLD ignored"), "{shown}");
    let json = json(&["show", "--json", &pid.to_string()]);
    let ignored = json["process"]["signals"]["ignored"].as_array().unwrap();
    assert!(ignored.iter().any(|s| s == "CHLD"), "{json}");
    let shell = stdout(&run(&["show", &std::process::id().to_string()]));
    assert!(shell.contains("signals  SIGCHLD"), "{shell}");
}
