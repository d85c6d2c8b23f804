//! zombies and orphans on fake /proc trees.

mod common;

use common::*;

fn fixture() -> FakeProc {
    let fake = FakeProc::new(5000.0);
    let mut init = FakeTask::new(1, 0, "init");
    init.session = 1;
    fake.add(&init);
    // A daemon (its own session) with two zombies, one older.
    fake.add(&FakeTask::new(100, 1, "daemon"));
    for (pid, start) in [(101, 200_000), (102, 100_000)] {
        let mut z = FakeTask::new(pid, 100, "worker");
        z.state = 'Z';
        z.session = 100;
        z.pgrp = 100;
        z.starttime = start;
        z.vm = None;
        z.cmdline = Some(Vec::new());
        fake.add(&z);
    }
    // A main thread that exited while another thread runs: Zl.
    let mut zl = FakeTask::new(103, 100, "threaded");
    zl.state = 'Z';
    zl.threads = 2;
    zl.session = 100;
    fake.add(&zl);
    // A subreaper (session 200) that adopted a process from session 300.
    fake.add(&FakeTask::new(200, 1, "subreaper"));
    let mut adopted = FakeTask::new(301, 200, "left-behind");
    adopted.session = 300;
    adopted.pgrp = 300;
    adopted.state = 'T';
    fake.add(&adopted);
    // An ordinary child in its parent's session and group.
    let mut child = FakeTask::new(201, 200, "child");
    child.session = 200;
    child.pgrp = 200;
    fake.add(&child);
    fake
}

fn json(fake: &FakeProc, args: &[&str]) -> (serde_json::Value, i32) {
    let out = pscope()
        .args(["--proc-root", &fake.root_arg()])
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    (v, out.status.code().unwrap())
}

#[test]
fn zombies_are_grouped_by_parent_with_their_age() {
    let fake = fixture();
    let (v, code) = json(&fake, &["zombies", "--json", "--check"]);
    assert_eq!(code, 1, "--check fails when zombies exist");
    let groups = v["report"]["zombies"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g["parent_pid"], 100);
    assert_eq!(g["parent_comm"], "daemon");
    assert_eq!(g["count"], 2);
    // Oldest first: started at tick 100000 of 5000 s uptime, 4000 s ago.
    assert_eq!(g["zombies"][0]["pid"], 102);
    assert_eq!(g["oldest_seconds"], 4000);
    let zl = v["report"]["exited_main_threads"].as_array().unwrap();
    assert_eq!(zl.len(), 1);
    assert_eq!(zl[0]["pid"], 103);
    let out = pscope()
        .args(["--proc-root", &fake.root_arg(), "zombies"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("2 zombies under 1 parent"), "{text}");
    assert!(text.contains("kill -CHLD 100"), "{text}");
    assert!(text.contains("threaded(103)"), "{text}");
}

#[test]
fn no_zombies_passes_the_check() {
    let fake = FakeProc::new(100.0);
    fake.add(&FakeTask::new(1, 0, "init"));
    let out = pscope()
        .args(["--proc-root", &fake.root_arg(), "zombies", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "no zombie processes\n");
}

#[test]
fn orphans_name_their_adopter_and_daemons_are_left_out() {
    let fake = fixture();
    let (v, code) = json(&fake, &["orphans", "--json"]);
    assert_eq!(code, 0);
    let orphans = v["report"]["orphans"].as_array().unwrap();
    let pids: Vec<i64> = orphans.iter().map(|o| o["pid"].as_i64().unwrap()).collect();
    assert_eq!(pids, [301]);
    let o = &orphans[0];
    assert_eq!(o["adopter"]["pid"], 200);
    assert_eq!(o["adopter"]["is_init"], false);
    assert_eq!(o["evidence"]["original_session"], 300);
    assert_eq!(o["evidence"]["session_leader_alive"], false);
    let groups = v["report"]["orphaned_process_groups"].as_array().unwrap();
    let pgids: Vec<i64> = groups.iter().map(|g| g["pgid"].as_i64().unwrap()).collect();
    // 300's only member is stopped and its parent is in another session.
    assert!(pgids.contains(&300));
    let g300 = groups.iter().find(|g| g["pgid"] == 300).unwrap();
    assert_eq!(g300["stopped"], 1);
    // 200: its leader's parent is init, and its other member is a child inside it.
    assert!(pgids.contains(&200));
}
