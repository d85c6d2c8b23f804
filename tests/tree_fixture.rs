//! `pscope tree` on fake /proc trees: hidden parents, cycles, wrapped PIDs.

mod common;

use common::*;

fn tree(fake: &FakeProc, args: &[&str]) -> (String, String, i32) {
    let out = pscope()
        .args(["--proc-root", &fake.root_arg(), "tree", "--no-marks"])
        .args(args)
        .output()
        .unwrap();
    (stdout(&out), stderr(&out), out.status.code().unwrap_or(-1))
}

#[test]
fn hidden_parents_hang_under_a_question_mark() {
    let fake = FakeProc::new(1000.0);
    fake.add(&FakeTask::new(1, 0, "init"));
    fake.add(&FakeTask::new(10, 1, "sshd"));
    // 20's parent 15 is not visible (hidepid): pstree shows it as '?'.
    fake.add(&FakeTask::new(20, 15, "bash"));
    fake.add(&FakeTask::new(21, 20, "vim"));
    let (out, err, code) = tree(&fake, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "init-+-?---bash---vim\n     `-sshd\n");
    let (out, _, _) = tree(&fake, &["-p"]);
    assert_eq!(
        out,
        "init(1)-+-?(15)---bash(20)---vim(21)\n        `-sshd(10)\n"
    );
}

#[test]
fn compaction_brackets_close_where_pstree_closes_them() {
    let fake = FakeProc::new(1000.0);
    fake.add(&FakeTask::new(1, 0, "init"));
    for (pid, ppid, name) in [
        (10, 1, "sh"),
        (11, 10, "sleep"),
        (12, 1, "sh"),
        (13, 12, "sleep"),
        (14, 1, "getty"),
        (15, 1, "getty"),
    ] {
        fake.add(&FakeTask::new(pid, ppid, name));
    }
    let (out, _, _) = tree(&fake, &[]);
    assert_eq!(out, "init-+-2*[getty]\n     `-2*[sh---sleep]\n");
    let (out, _, _) = tree(&fake, &["-c"]);
    assert_eq!(
        out,
        "init-+-getty\n     |-getty\n     |-sh---sleep\n     `-sh---sleep\n"
    );
}

#[test]
fn cycles_and_wrapped_pids_do_not_hang_or_panic() {
    let fake = FakeProc::new(1000.0);
    fake.add(&FakeTask::new(1, 0, "init"));
    // PID wrap: a child with a lower PID than its parent.
    fake.add(&FakeTask::new(30000, 1, "parent"));
    fake.add(&FakeTask::new(5, 30000, "child"));
    // A cycle that no live /proc can show: 40 <-> 41.
    fake.add(&FakeTask::new(40, 41, "a"));
    fake.add(&FakeTask::new(41, 40, "b"));
    let (out, err, code) = tree(&fake, &["-p"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "init(1)---parent(30000)---child(5)\n");
    let (out, _, code) = tree(&fake, &["-p", "40"]);
    assert_eq!(code, 0);
    assert_eq!(out, "a(40)---b(41)\n");
    let (out, _, code) = tree(&fake, &["--json"]);
    assert_eq!(code, 0);
    serde_json::from_str::<serde_json::Value>(&out).unwrap();
}

#[test]
fn marks_and_states_annotate_the_tree() {
    let fake = FakeProc::new(1000.0);
    let mut init = FakeTask::new(1, 0, "init");
    init.session = 1;
    fake.add(&init);
    let mut shell = FakeTask::new(10, 1, "bash");
    shell.tty_nr = (136 << 8) | 1;
    shell.tpgid = 10;
    fake.add(&shell);
    let mut zombie = FakeTask::new(11, 10, "child");
    zombie.state = 'Z';
    zombie.session = 10;
    zombie.pgrp = 10;
    fake.add(&zombie);
    // Adopted by init from session 50, whose leader is gone.
    let mut orphan = FakeTask::new(60, 1, "worker");
    orphan.session = 50;
    orphan.pgrp = 50;
    orphan.nice = 5;
    orphan.priority = 25;
    fake.add(&orphan);
    let out = pscope()
        .args(["--proc-root", &fake.root_arg(), "tree", "-p", "--stat"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "init(1) Ss 0-+-bash(10) Ss+ 0---child(11) Z 0 <defunct>\n             `-worker(60) SN 5 [orphan]\n"
    );
    let out = pscope()
        .args([
            "--proc-root",
            &fake.root_arg(),
            "tree",
            "-o",
            "pid,ni",
            "10",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "bash 10 0---child 11 0 <defunct>\n");
}
