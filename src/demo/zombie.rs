//! `pscope demo zombie`: a child that exits before its parent waits, and
//! the three ways to leave no zombie: wait, a double fork, SIGCHLD ignored.

use std::time::Duration;

use anyhow::{anyhow, Result};
use nix::sys::wait::WaitStatus;
use nix::unistd::{self, Pid};
use serde_json::json;

use super::child::{fork_grandchild, ignore_sigchld, leave, write_to};
use super::narrate::{channel, kind_now, read_channel};
use super::{ChildSetup, Lab};
use crate::analysis::kinship::{Kind, Kinship, Remedy};

const SETTLE: Duration = Duration::from_secs(5);
const FIELDS: [&str; 4] = ["pid", "ppid", "stat", "args"];

pub fn run(lab: &mut Lab, remedy: Option<Remedy>) -> Result<()> {
    let zombie = make_zombie(lab)?;
    match remedy {
        Some(Remedy::None) => {
            lab.say(
                "no-remedy",
                "Without a remedy the zombie stays until its parent waits or exits. The demo ends now \
                 and pscope, the parent, reaps it.",
                json!({}),
            )?;
            lab.reap(zombie)?;
        }
        Some(Remedy::Wait) => wait_remedy(lab, zombie)?,
        Some(Remedy::DoubleFork) => {
            lab.reap(zombie)?;
            double_fork(lab)?;
        }
        Some(Remedy::Sigchld) => {
            lab.reap(zombie)?;
            sigchld(lab)?;
        }
        None => {
            wait_remedy(lab, zombie)?;
            double_fork(lab)?;
            sigchld(lab)?;
        }
    }
    lab.say(
        "summary",
        "A zombie is a finished child whose parent has not collected its status. Avoid them by \
         waiting (wait/waitpid), by a double fork (the grandchild is reaped by init), or by \
         ignoring SIGCHLD (the kernel reaps at once).",
        json!({}),
    )?;
    Ok(())
}

/// A child that exits at once while pscope does not wait: a zombie.
fn make_zombie(lab: &mut Lab) -> Result<Pid> {
    let me = unistd::getpid();
    let child = lab.fork(ChildSetup::default(), |_| 3)?;
    lab.say(
        "fork",
        &format!("pscope ({me}) forks a child ({child}) that exits at once with status 3; pscope does not wait."),
        json!({"parent": me.as_raw(), "child": child.as_raw()}),
    )?;
    let task = lab.wait_until(child, SETTLE, |t| t.is_some_and(|t| t.stat.state == 'Z'))?;
    let (table, records) = lab.table(&[child], &FIELDS)?;
    let state = task.as_ref().map(|t| t.stat.state.to_string());
    lab.say(
        "zombie",
        &format!(
            "/proc shows the child in state {}: a zombie, <defunct>. It has exited; only its entry remains.",
            state.as_deref().unwrap_or("?")
        ),
        json!({"child": child.as_raw(), "state": state, "processes": records}),
    )?;
    lab.show(&table)?;
    let snapshot = lab.snapshot()?;
    let kinship = Kinship::new(&snapshot.tasks);
    let groups = kinship.zombie_groups(&snapshot.system);
    let mine = groups
        .iter()
        .find(|g| g.zombies.iter().any(|z| z.pid == child.as_raw()));
    let parent_name = mine
        .and_then(|g| g.parent)
        .map(|p| crate::analysis::psfmt::comm(&p.stat.comm, true))
        .unwrap_or_default();
    lab.say(
        "zombies-names-parent",
        &format!(
            "pscope zombies names the parent that has not reaped it: {} ({parent_name}).",
            mine.map_or(0, |g| g.parent_pid),
        ),
        json!({"child": child.as_raw(), "parent_named": mine.map(|g| g.parent_pid)}),
    )?;
    lab.pause()?;
    Ok(child)
}

fn wait_remedy(lab: &mut Lab, zombie: Pid) -> Result<()> {
    let status = lab.reap(zombie)?;
    let code = match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    };
    let gone = lab.read(zombie, false).is_none();
    lab.say(
        "remedy-wait",
        &format!(
            "Remedy 1, wait: pscope calls waitpid({zombie}) and collects exit status {}. The zombie is {}.",
            code.map_or("?".into(), |c| c.to_string()),
            if gone { "gone from /proc" } else { "still there" }
        ),
        json!({"remedy": "wait", "child": zombie.as_raw(), "exit_status": code, "zombie_left": !gone}),
    )?;
    lab.pause()
}

fn double_fork(lab: &mut Lab) -> Result<()> {
    let me = unistd::getpid();
    let (report_read, report_write) = channel()?;
    let middle = lab.fork(ChildSetup::default(), |cx| {
        // The grandchild waits a little, long enough to be seen, then exits.
        let Some(grandchild) = fork_grandchild(|| {
            cx.wait_lifeline(Duration::from_millis(1500));
            0
        }) else {
            return 1;
        };
        write_to(&report_write, format!("{grandchild}\n").as_bytes());
        0
    })?;
    drop(report_write);
    let grandchild: i32 = read_channel(lab, &report_read, SETTLE)?
        .trim()
        .parse()
        .map_err(|_| anyhow!("the middle child did not report"))?;
    let grandchild = Pid::from_raw(grandchild);
    lab.track(grandchild);
    lab.reap(middle)?;
    let task = lab.wait_until(grandchild, SETTLE, |t| {
        t.is_none_or(|t| t.stat.ppid != middle.as_raw())
    })?;
    let adopter = task.as_ref().map(|t| t.stat.ppid);
    lab.say(
        "remedy-double-fork",
        &format!(
            "Remedy 2, double fork: pscope forks {middle}, which forks {grandchild} and exits at once; \
             pscope waits for {middle}. The grandchild now has parent {} and is not pscope's child.",
            adopter.map_or("?".into(), |a| a.to_string())
        ),
        json!({"remedy": "double-fork", "middle": middle.as_raw(), "grandchild": grandchild.as_raw(),
               "grandchild_ppid": adopter, "parent_is_pscope": adopter == Some(me.as_raw())}),
    )?;
    // The grandchild exits on its own; its adopter reaps it.
    let task = lab.wait_until(grandchild, Duration::from_secs(10), |t| t.is_none())?;
    let snapshot = lab.snapshot()?;
    let our_zombies = count_our_zombies(&snapshot, me);
    lab.say(
        "double-fork-reaped",
        &format!(
            "The grandchild exited and {}. pscope has {our_zombies} zombie children.",
            if task.is_none() { "was reaped by its adopter" } else { "is still waiting for its adopter to reap it" }
        ),
        json!({"remedy": "double-fork", "grandchild_in_proc": task.is_some(), "zombie_left": our_zombies > 0}),
    )?;
    lab.pause()
}

fn sigchld(lab: &mut Lab) -> Result<()> {
    let (report_read, report_write) = channel()?;
    let helper = lab.fork(ChildSetup::default(), |cx| {
        ignore_sigchld();
        let Some(kid) = fork_grandchild(|| {
            cx.wait_lifeline(Duration::from_millis(500));
            0
        }) else {
            leave(1)
        };
        write_to(&report_write, format!("{kid}\n").as_bytes());
        cx.idle()
    })?;
    drop(report_write);
    let kid: i32 = read_channel(lab, &report_read, SETTLE)?
        .trim()
        .parse()
        .map_err(|_| anyhow!("the helper did not report"))?;
    let kid = Pid::from_raw(kid);
    lab.track(kid);
    let before = lab.read(kid, false).map(|t| t.stat.state);
    lab.say(
        "remedy-sigchld",
        &format!(
            "Remedy 3, SIGCHLD ignored: helper {helper} sets SIGCHLD to SIG_IGN and forks {kid}, which \
             runs (state {}) and exits; the helper never calls wait().",
            before.map_or("?".into(), |s| s.to_string())
        ),
        json!({"remedy": "sigchld", "helper": helper.as_raw(), "child": kid.as_raw()}),
    )?;
    let task = lab.wait_until(kid, Duration::from_secs(5), |t| {
        t.is_none_or(|t| t.stat.state == 'Z')
    })?;
    let zombie = task.is_some_and(|t| t.stat.state == 'Z');
    let snapshot = lab.snapshot()?;
    lab.say(
        "sigchld-reaped",
        &format!(
            "{kid} is {}: the kernel reaped it at exit because its parent ignores SIGCHLD.",
            if zombie {
                "a zombie (unexpected)"
            } else {
                "gone, never a zombie"
            }
        ),
        json!({"remedy": "sigchld", "child": kid.as_raw(), "zombie_left": zombie,
               "kind": kind_now(&snapshot, kid).map(|k| k.label())}),
    )?;
    lab.pause()
}

fn count_our_zombies(snapshot: &crate::model::Snapshot, me: Pid) -> usize {
    let kinship = Kinship::new(&snapshot.tasks);
    snapshot
        .tasks
        .iter()
        .filter(|t| t.stat.ppid == me.as_raw() && kinship.kind(t) == Kind::Zombie)
        .count()
}
