//! The reader opens only the files the requested columns need: a listing
//! of stat-file columns never opens status or cmdline (checked with strace).

mod common;

use std::process::Command;

use common::*;

/// The /proc files pscope opened for these arguments.
fn opened(args: &[&str]) -> Vec<String> {
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat,open", "-e", "signal=none"])
        .arg(env!("CARGO_BIN_EXE_pscope"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stderr(&out)
        .lines()
        .filter(|l| l.contains("openat(") || l.contains("open("))
        .map(str::to_string)
        .collect()
}

/// The whitespace-separated words of each line of a listing.
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .map(|l| l.split_whitespace().collect())
        .collect()
}

fn count(lines: &[String], file: &str) -> usize {
    lines
        .iter()
        .filter(|l| l.contains(&format!("/{file}\"")))
        .count()
}

#[test]
fn stat_columns_read_stat_only() {
    if !have("strace") {
        return skip("strace is not installed");
    }
    let lines = opened(&["-e", "-o", "pid,ppid,pgid,sid,ni,pri,comm"]);
    assert!(count(&lines, "stat") > 10, "stat files are read");
    assert_eq!(
        count(&lines, "status"),
        0,
        "no status for stat-only columns"
    );
    assert_eq!(
        count(&lines, "cmdline"),
        0,
        "no cmdline for stat-only columns"
    );
    assert_eq!(count(&lines, "environ"), 0);

    let lines = opened(&["-e", "-o", "pid,stat,comm"]);
    // This test's own process is a live user process: its status is read
    // (kernel threads and zombies are not; see below).
    let own_status = format!("\"{}/status\"", std::process::id());
    assert!(
        lines.iter().any(|l| l.contains(&own_status)),
        "STAT's L flag needs status: {lines:#?}"
    );
    assert_eq!(count(&lines, "cmdline"), 0);

    let lines = opened(&["tree", "-p"]);
    assert_eq!(
        count(&lines, "status"),
        0,
        "a tree without --stat needs no status"
    );
    assert_eq!(count(&lines, "cmdline"), 0);
}

#[test]
fn tree_lists_task_directories_of_multithreaded_processes_only() {
    if !have("strace") {
        return skip("strace is not installed");
    }
    let fake = FakeProc::new(1000.0);
    let mut init = FakeTask::new(1, 0, "init");
    init.threads = 2;
    fake.add(&init);
    fake.add_thread(&init, &FakeTask::new(5, 0, "init"));
    for pid in 2..=4 {
        fake.add(&FakeTask::new(pid, 1, "single"));
    }
    let root = fake.root_arg();
    for listing in [
        &["tree", "-p"][..],
        &["tree", "-p", "-t"],
        &["-L", "-o", "pid,lwp"],
    ] {
        let args: Vec<&str> = ["--proc-root", &root]
            .into_iter()
            .chain(listing.iter().copied())
            .collect();
        let lines = opened(&args);
        let task_dirs: Vec<_> = lines.iter().filter(|l| l.contains("task\"")).collect();
        assert_eq!(task_dirs.len(), 1, "{listing:?}: {lines:#?}");
        assert!(
            task_dirs[0].contains("\"1/task\""),
            "{listing:?}: {lines:#?}"
        );
    }

    let out = run(&["--proc-root", &root, "tree", "-p"]);
    assert!(stdout(&out).contains("{init}(5)"), "{}", stdout(&out));
    // Every process still has its row under -L, the thread its own.
    let out = run(&["--proc-root", &root, "-L", "-o", "pid,lwp", "--no-headers"]);
    let text = stdout(&out);
    assert_eq!(
        rows(&text),
        [["1", "1"], ["1", "5"], ["2", "2"], ["3", "3"], ["4", "4"]],
        "{text}"
    );
}

/// A kernel thread has no memory lines in status and a zombie no longer
/// has them, so a listing that wants only those lines (STAT's L, VSZ, RSS)
/// does not open their status; one that wants user ids still does.
#[test]
fn memoryless_tasks_skip_status_when_only_memory_is_wanted() {
    if !have("strace") {
        return skip("strace is not installed");
    }
    let fake = FakeProc::new(1000.0);
    fake.add(&FakeTask::new(1, 0, "init"));
    let mut kthreadd = FakeTask::new(2, 0, "kthreadd");
    kthreadd.flags = KTHREAD_FLAGS;
    kthreadd.vm = None;
    fake.add(&kthreadd);
    let mut zombie = FakeTask::new(3, 1, "gone");
    zombie.state = 'Z';
    zombie.session = 1;
    zombie.vm = None;
    fake.add(&zombie);
    let mut locker = FakeTask::new(4, 1, "locker");
    locker.vm = Some((5000, 1000, 64));
    fake.add(&locker);
    let root = fake.root_arg();

    let status_opened = |columns: &str| -> Vec<String> {
        let lines = opened(&["--proc-root", &root, "-e", "-o", columns]);
        let mut pids: Vec<String> = lines
            .iter()
            .filter(|l| l.contains("/status\""))
            .filter_map(|l| l.split('"').nth(1))
            .map(|path| path.trim_end_matches("/status").to_string())
            .collect();
        pids.sort();
        pids
    };
    assert_eq!(status_opened("pid,stat,vsz,rss"), ["1", "4"]);
    assert_eq!(status_opened("pid,user,stat"), ["1", "2", "3", "4"]);

    // The rows are what the skipped status files would have given.
    let out = run(&[
        "--proc-root",
        &root,
        "-o",
        "pid,stat,vsz,rss",
        "--no-headers",
    ]);
    let text = stdout(&out);
    assert_eq!(
        rows(&text),
        [
            ["1", "Ss", "10000", "2000"],
            ["2", "Ss", "0", "0"],
            ["3", "Z", "0", "0"],
            ["4", "SLs", "5000", "1000"],
        ],
        "{text}"
    );
}
