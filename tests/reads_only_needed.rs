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
    let lines = opened(&["-o", "pid,ppid,pgid,sid,ni,pri,comm"]);
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

    let lines = opened(&["-o", "pid,stat,comm"]);
    assert!(count(&lines, "status") > 10, "STAT's L flag needs status");
    assert_eq!(count(&lines, "cmdline"), 0);

    let lines = opened(&["tree", "-p"]);
    assert_eq!(
        count(&lines, "status"),
        0,
        "a tree without --stat needs no status"
    );
    assert_eq!(count(&lines, "cmdline"), 0);
}
