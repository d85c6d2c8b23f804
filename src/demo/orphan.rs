//! `pscope demo orphan`: a parent exits before its child; the child is
//! adopted by init or by the nearest subreaper.

use std::os::fd::AsFd;
use std::time::Duration;

use anyhow::{anyhow, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::{self, Pid};
use serde_json::json;

use super::child::{fork_grandchild, write_to};
use super::narrate::{channel, read_channel};
use super::{ChildSetup, Lab};
use crate::analysis::kinship::Kinship;

pub fn run(lab: &mut Lab, subreaper: bool) -> Result<()> {
    let me = unistd::getpid();
    if subreaper {
        lab.become_subreaper()?;
        lab.say(
            "subreaper",
            &format!("pscope ({me}) marks itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER): orphans below it come to it, not to init."),
            json!({"subreaper": me.as_raw()}),
        )?;
    }
    let (report_read, report_write) = channel()?;
    let (go_read, go_write) = channel()?;
    // P leads a new session, so that /proc can later show where C came
    // from: C keeps P's session after P is gone.
    let parent = lab.fork(
        ChildSetup {
            join_group: false,
            ..ChildSetup::default()
        },
        |cx| {
            let _ = unistd::setsid();
            let Some(child) = fork_grandchild(|| cx.idle()) else {
                return 1;
            };
            write_to(&report_write, format!("{child}\n").as_bytes());
            cx.wait_for_go(go_read.as_fd(), Duration::from_secs(600));
            0
        },
    )?;
    lab.track(parent);
    drop(report_write);
    drop(go_read);
    let child: i32 = read_channel(lab, &report_read, Duration::from_secs(10))?
        .trim()
        .parse()
        .map_err(|_| anyhow!("the demo's child did not report"))?;
    let child = Pid::from_raw(child);
    lab.track(child);
    lab.wait_until(child, Duration::from_secs(3), |t| t.is_some())?;

    let fields = ["pid", "ppid", "pgid", "sid", "stat", "comm"];
    let (table, records) = lab.table(&[parent, child], &fields)?;
    lab.say(
        "before",
        &format!("Parent P ({parent}) started a new session and forked child C ({child}). C's PPID is {parent}."),
        json!({"parent": parent.as_raw(), "child": child.as_raw(), "ppid_before": parent.as_raw(), "processes": records}),
    )?;
    lab.show(&table)?;
    lab.pause()?;

    write_to(&go_write, b"x");
    drop(go_write);
    lab.reap(parent)?;
    lab.say(
        "parent-exits",
        &format!("P ({parent}) exits first (pscope reaps it, so it leaves no zombie). C is still running."),
        json!({"parent": parent.as_raw()}),
    )?;
    let task = lab.wait_until(child, Duration::from_secs(5), |t| {
        t.is_some_and(|t| t.stat.ppid != parent.as_raw())
    })?;
    let adopter = task.as_ref().map_or(0, |t| t.stat.ppid);
    let adopter_name = lab
        .read(Pid::from_raw(adopter), false)
        .map(|t| String::from_utf8_lossy(&t.stat.comm).into_owned())
        .unwrap_or_else(|| "?".into());
    let who = if adopter == 1 {
        "init, PID 1 of this PID namespace".to_string()
    } else if adopter == me.as_raw() {
        "pscope itself, the nearest subreaper".to_string()
    } else {
        "the nearest ancestor marked as a child subreaper".to_string()
    };
    let (table, records) = lab.table(&[child], &fields)?;
    lab.say(
        "adopted",
        &format!("C ({child}) was adopted: its PPID changed from {parent} to {adopter} ({adopter_name}), {who}."),
        json!({"child": child.as_raw(), "ppid_before": parent.as_raw(), "ppid_after": adopter,
               "adopter": adopter, "adopter_comm": adopter_name, "processes": records}),
    )?;
    lab.show(&table)?;
    lab.pause()?;

    let snapshot = lab.snapshot()?;
    let kinship = Kinship::new(&snapshot.tasks);
    let evidence = kinship
        .get(child.as_raw())
        .and_then(|t| kinship.orphan_evidence(t));
    let message = match &evidence {
        Some(e) => format!(
            "pscope orphans flags C: it belongs to session {} while its parent {} belongs to session {}; \
             the session's leader P is {}.",
            e.session,
            e.adopter,
            e.adopter_session,
            if e.session_leader_alive { "alive" } else { "gone" }
        ),
        None => "pscope orphans does not flag C: its adopter is in its own session, where /proc cannot show the adoption.".into(),
    };
    lab.say(
        "flagged",
        &message,
        json!({"child": child.as_raw(), "flagged": evidence.is_some(),
               "evidence": evidence.as_ref().map(|e| json!({"session": e.session, "adopter": e.adopter,
                   "adopter_session": e.adopter_session, "session_leader_alive": e.session_leader_alive}))}),
    )?;
    lab.pause()?;

    kill(child, Signal::SIGKILL)?;
    if adopter == me.as_raw() {
        let _ = nix::sys::wait::waitpid(child, None);
    }
    lab.wait_until(child, Duration::from_secs(10), |t| t.is_none())?;
    lab.say(
        "ended",
        &format!("C ({child}) is ended; its adopter reaped it."),
        json!({"child": child.as_raw(), "in_proc": lab.read(child, false).is_some()}),
    )?;
    lab.say(
        "summary",
        "When a parent exits first, its children are orphans: Linux hands them to the nearest \
         subreaper or to init, which then waits for them. Nothing else about them changes.",
        json!({}),
    )?;
    Ok(())
}
