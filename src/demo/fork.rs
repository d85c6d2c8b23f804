//! `pscope demo fork`: fork's two return values, getpid and getppid,
//! copied memory, and waitpid collecting the child's exit status.

use std::os::fd::AsFd;
use std::time::Duration;

use anyhow::Result;
use nix::sys::wait::WaitStatus;
use nix::unistd;
use serde_json::json;

use super::child::write_to;
use super::narrate::{channel, read_channel};
use super::{ChildSetup, Lab};

/// The status the child exits with, as with `_exit(7)`.
const CHILD_STATUS: i32 = 7;

pub fn run(lab: &mut Lab) -> Result<()> {
    let me = unistd::getpid();
    let mut counter = 1;
    lab.say(
        "before-fork",
        &format!(
            "Before fork(): one process, pid {me}, parent {}. counter = {counter}. This line runs once.",
            unistd::getppid()
        ),
        json!({"pid": me.as_raw(), "ppid": unistd::getppid().as_raw(), "counter": counter}),
    )?;
    lab.pause()?;

    let (report_read, report_write) = channel()?;
    let (go_read, go_write) = channel()?;
    // The child stays in pscope's process group, as a fork's child does
    // (the lab's other children get a group of their own); it still dies
    // with pscope and is reaped.
    let setup = ChildSetup {
        join_group: false,
        ..ChildSetup::default()
    };
    let child = lab.fork(setup, |cx| {
        // In the child: fork() returned 0. The counter is the parent's
        // value, copied; changing it here does not change the parent's.
        counter += 41;
        let line = format!(
            "{{\"fork_returned\":0,\"pid\":{},\"ppid\":{},\"counter\":{}}}\n",
            unistd::getpid(),
            unistd::getppid(),
            counter
        );
        write_to(&report_write, line.as_bytes());
        // Wait for the parent's go (or for pscope to go away), then exit
        // with a chosen status, as _exit(7) would.
        cx.wait_for_go(go_read.as_fd(), Duration::from_secs(600));
        CHILD_STATUS
    })?;
    drop(report_write);
    drop(go_read);

    lab.say(
        "parent-after-fork",
        &format!(
            "Parent: fork() returned {child} (the child's pid). getpid() = {me}, counter = {counter}."
        ),
        json!({"side": "parent", "fork_returned": child.as_raw(), "pid": me.as_raw(), "counter": counter}),
    )?;
    let report = read_channel(lab, &report_read, Duration::from_secs(10))?;
    let child_view: serde_json::Value = serde_json::from_str(report.trim()).unwrap_or(json!({}));
    lab.say(
        "child-after-fork",
        &format!(
            "Child: fork() returned {}. getpid() = {}, getppid() = {} (the parent). It added 41: counter = {}.",
            child_view["fork_returned"], child_view["pid"], child_view["ppid"], child_view["counter"]
        ),
        json!({"side": "child", "fork_returned": child_view["fork_returned"], "pid": child_view["pid"],
               "ppid": child_view["ppid"], "counter": child_view["counter"]}),
    )?;
    lab.say(
        "memory-copied",
        &format!(
            "The parent still sees counter = {counter}: fork copies memory, it does not share it. \
             Both processes continue from the fork, in no guaranteed order."
        ),
        json!({"parent_counter": counter, "child_counter": child_view["counter"]}),
    )?;
    lab.pause()?;

    let fields = ["pid", "ppid", "pgid", "stat", "ni", "args"];
    let (table, records) = lab.table(&[me, child], &fields)?;
    lab.say(
        "proc",
        "What /proc shows now (as pscope ps):",
        json!({"processes": records}),
    )?;
    lab.show(&table)?;
    let groups = |pid| lab.read(pid, false).map(|t| (t.stat.pgrp, t.stat.session));
    let (parent_ids, child_ids) = (groups(me), groups(child));
    lab.say(
        "inherited",
        &format!(
            "Both are in process group {} and session {}: fork() copies them too (and the \
             open files, the working directory, the nice value); only the PID and PPID differ.",
            parent_ids.map_or("?".into(), |g| g.0.to_string()),
            parent_ids.map_or("?".into(), |g| g.1.to_string()),
        ),
        json!({"parent_pgid": parent_ids.map(|g| g.0), "child_pgid": child_ids.map(|g| g.0),
               "parent_sid": parent_ids.map(|g| g.1), "child_sid": child_ids.map(|g| g.1),
               "same_group": parent_ids.is_some() && parent_ids == child_ids}),
    )?;
    let tree = lab.tree(me)?;
    lab.say("tree", "And as pscope tree -p:", json!({"tree": tree}))?;
    lab.show(&tree)?;
    lab.pause()?;

    write_to(&go_write, b"x");
    drop(go_write);
    let status = lab.reap(child)?;
    let code = match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    };
    lab.say(
        "reaped",
        &format!(
            "The parent called waitpid({child}): the child exited with status {} (as _exit({CHILD_STATUS})), \
             and its process table entry is gone.",
            code.map_or("?".into(), |c| c.to_string())
        ),
        json!({"child": child.as_raw(), "exit_status": code, "in_proc": lab.read(child, false).is_some()}),
    )?;
    lab.say(
        "summary",
        "fork() returns twice: the child's pid in the parent, 0 in the child. getpid() and getppid() \
         tell each process who it is. Memory is copied. The parent collects the exit status with wait().",
        json!({}),
    )?;
    Ok(())
}
