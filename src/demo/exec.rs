//! `pscope demo exec`: a child replaces its program with exec(). The
//! process stays (PID, parent, group, open descriptors) while the program
//! changes (name, command line, executable, memory map), and descriptors
//! marked close-on-exec are gone.

use std::ffi::CString;
use std::os::fd::AsFd;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use nix::fcntl::OFlag;
use nix::sys::signal::{kill, Signal};
use nix::sys::stat::Mode;
use nix::unistd::{self, Pid};
use serde_json::{json, Value};

use super::child::write_to;
use super::narrate::{link_text, Lines};
use super::{ChildSetup, Lab};
use crate::analysis::signals::describe_wait_status;
use crate::model::{cmdline_args, OpenFd};

const SETTLE: Duration = Duration::from_secs(5);
/// The program the child runs, where it is installed.
const PROGRAMS: [&str; 2] = ["/bin/sleep", "/usr/bin/sleep"];
/// Opened without and with O_CLOEXEC before the exec.
const KEPT_FILE: &str = "/dev/zero";
const CLOSED_FILE: &str = "/dev/urandom";
const FIELDS: [&str; 7] = ["pid", "ppid", "pgid", "stat", "vsz", "rss", "args"];

/// What /proc says of the process at one moment.
struct View {
    comm: String,
    cmdline: Vec<String>,
    exe: Option<String>,
    fds: Vec<OpenFd>,
    cloexec: Vec<bool>,
    mappings: usize,
    files: Vec<String>,
    ppid: Option<i32>,
}

impl View {
    fn read(lab: &Lab, pid: Pid) -> View {
        let task = lab.read(pid, false);
        let reader = lab.reader();
        let fds = reader.descriptors(pid.as_raw()).unwrap_or_default();
        let cloexec = fds
            .iter()
            .map(|o| {
                reader
                    .fd_flags(pid.as_raw(), o.fd)
                    .is_ok_and(|f| f & OFlag::O_CLOEXEC.bits() as u64 != 0)
            })
            .collect();
        let maps = reader.mappings(pid.as_raw()).unwrap_or_default();
        let mut files: Vec<String> = Vec::new();
        for path in maps.iter().filter_map(|m| m.path.as_deref()) {
            if path.starts_with('/') && !files.iter().any(|f| f == path) {
                files.push(path.to_string());
            }
        }
        View {
            comm: task
                .as_ref()
                .map(|t| String::from_utf8_lossy(&t.stat.comm).into_owned())
                .unwrap_or_default(),
            cmdline: task
                .as_ref()
                .and_then(|t| t.cmdline.as_ref())
                .map(|c| {
                    cmdline_args(c)
                        .iter()
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            exe: reader
                .link(pid.as_raw(), "exe")
                .ok()
                .map(|p| p.to_string_lossy().into_owned()),
            fds,
            cloexec,
            mappings: maps.len(),
            files,
            ppid: task.map(|t| t.stat.ppid),
        }
    }

    fn fd_facts(&self) -> Vec<Value> {
        self.fds
            .iter()
            .zip(&self.cloexec)
            .map(|(o, c)| json!({"fd": o.fd, "target": o.target, "close_on_exec": c}))
            .collect()
    }

    fn fd_text(&self, names: &[(String, &str)]) -> String {
        self.fds
            .iter()
            .zip(&self.cloexec)
            .map(|(o, c)| {
                let name = names
                    .iter()
                    .find(|(link, _)| *link == o.target)
                    .map_or(String::new(), |(_, n)| format!(" ({n})"));
                let mark = if *c { ", close-on-exec" } else { "" };
                format!("fd {} -> {}{name}{mark}\n", o.fd, o.target)
            })
            .collect()
    }

    fn fd_of(&self, target: &str) -> Option<i32> {
        self.fds.iter().find(|o| o.target == target).map(|o| o.fd)
    }
}

pub fn run(lab: &mut Lab) -> Result<()> {
    let me = unistd::getpid();
    let Some(program) = PROGRAMS.iter().find(|p| Path::new(p).exists()) else {
        lab.say(
            "no-program",
            &format!(
                "No sleep program is installed here ({}): the demo has nothing to exec, so it \
                 cannot show an exec.",
                PROGRAMS.join(", ")
            ),
            json!({"looked_for": PROGRAMS}),
        )?;
        return Ok(());
    };
    let argv = ["sleep", "60"];
    // The child tells the lab through this pipe that it is ready, and, if
    // exec fails, why. Its write end is close-on-exec: when exec succeeds
    // the kernel closes it, and the lab reads end-of-file.
    let (status_read, status_write) = unistd::pipe2(OFlag::O_CLOEXEC)?;
    let (go_read, go_write) = unistd::pipe2(OFlag::O_CLOEXEC)?;
    let names = [
        (
            link_text(status_write.as_fd()).unwrap_or_default(),
            "the status pipe to pscope",
        ),
        (
            link_text(go_read.as_fd()).unwrap_or_default(),
            "the go pipe from pscope",
        ),
        (
            link_text(lab.lifeline()).unwrap_or_default(),
            "the lifeline, pscope's pipe",
        ),
        (KEPT_FILE.to_string(), "opened without O_CLOEXEC"),
        (CLOSED_FILE.to_string(), "opened with O_CLOEXEC"),
    ];
    let child = lab.fork(ChildSetup::default(), |cx| {
        cx.keep_only(&[status_write.as_fd(), go_read.as_fd()]);
        let Ok(kept) = nix::fcntl::open(KEPT_FILE, OFlag::O_RDONLY, Mode::empty()) else {
            return 1;
        };
        let Ok(closed) = nix::fcntl::open(
            CLOSED_FILE,
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        ) else {
            return 1;
        };
        write_to(&status_write, b"ready\n");
        cx.wait_for_go(go_read.as_fd(), Duration::from_secs(3600));
        if cx.orphaned() {
            return 0;
        }
        let path = CString::new(*program).unwrap_or_default();
        let args: Vec<CString> = argv
            .iter()
            .map(|a| CString::new(*a).unwrap_or_default())
            .collect();
        // On success this never returns: the program is replaced.
        let error = unistd::execv(&path, &args).err();
        let errno = error.map_or(0, |e| e as i32);
        write_to(&status_write, format!("exec-failed {errno}\n").as_bytes());
        drop((kept, closed));
        127
    })?;
    drop(status_write);
    drop(go_read);
    let mut status = Lines::new(status_read);
    status.until(lab, SETTLE, |l| l == "ready")?;

    let before = View::read(lab, child);
    let (table, records) = lab.table(&[child], &FIELDS)?;
    lab.say(
        "before-exec",
        &format!(
            "pscope forked child {child}. Before exec it runs pscope's own program: name {}, \
             executable {}, {} mappings in /proc/{child}/maps. It opened {KEPT_FILE} without and \
             {CLOSED_FILE} with O_CLOEXEC; /proc/{child}/fdinfo shows the flag.",
            before.comm,
            before.exe.as_deref().unwrap_or("?"),
            before.mappings
        ),
        json!({
            "pid": child.as_raw(), "ppid": before.ppid, "comm": before.comm,
            "cmdline": before.cmdline, "exe": before.exe, "mappings": before.mappings,
            "mapped_files": before.files, "descriptors": before.fd_facts(), "processes": records,
        }),
    )?;
    lab.show(&table)?;
    lab.show(&format!("mapped files: {}", before.files.join(", ")))?;
    lab.show(&before.fd_text(&names))?;
    lab.pause()?;

    write_to(&go_write, b"go");
    drop(go_write);
    // End of file on the status pipe: the kernel closed the close-on-exec
    // write end, so exec succeeded. A line instead: it failed.
    let failure = status.next(lab, SETTLE)?;
    if let Some(line) = failure {
        let errno: i32 = line
            .strip_prefix("exec-failed ")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let why = nix::errno::Errno::from_raw(errno);
        lab.say(
            "exec-failed",
            &format!("exec of {program} failed: {why}. The child is still pscope's program."),
            json!({"pid": child.as_raw(), "program": program, "errno": errno, "error": why.desc()}),
        )?;
        return Ok(());
    }
    let new_comm = argv[0];
    // Read once the new program sits in its sleep: while it starts it opens
    // and closes files of its own (locale data), which would show up at the
    // lowest free numbers.
    lab.wait_until(child, SETTLE, |t| {
        t.is_some_and(|t| t.stat.comm == new_comm.as_bytes() && t.stat.state == 'S')
    })?;
    let after = View::read(lab, child);
    lab.say(
        "exec",
        &format!(
            "The child called execv(\"{program}\", [\"{}\"]). The status pipe reached end-of-file: \
             exec succeeded, and the kernel closed the pipe's close-on-exec write end.",
            argv.join("\", \"")
        ),
        json!({"pid": child.as_raw(), "program": program, "argv": argv, "status_pipe": "end-of-file"}),
    )?;
    let (table, records) = lab.table(&[child], &FIELDS)?;
    lab.say(
        "after-exec",
        &format!(
            "After exec: still pid {child}, parent {}, but name {}, executable {}, command line \
             \"{}\", and a new memory map of {} mappings.",
            after.ppid.map_or("?".into(), |p| p.to_string()),
            after.comm,
            after.exe.as_deref().unwrap_or("?"),
            after.cmdline.join(" "),
            after.mappings
        ),
        json!({
            "pid": child.as_raw(), "ppid": after.ppid, "comm": after.comm,
            "cmdline": after.cmdline, "exe": after.exe, "mappings": after.mappings,
            "mapped_files": after.files, "descriptors": after.fd_facts(), "processes": records,
        }),
    )?;
    lab.show(&table)?;
    lab.show(&format!("mapped files: {}", after.files.join(", ")))?;
    lab.show(&after.fd_text(&names))?;

    let kept_fd = before.fd_of(KEPT_FILE);
    let closed_fd = before.fd_of(CLOSED_FILE);
    let still_open = |fd: Option<i32>| {
        fd.and_then(|fd| before.fds.iter().find(|o| o.fd == fd))
            .is_some_and(|o| {
                after
                    .fds
                    .iter()
                    .any(|a| a.fd == o.fd && a.target == o.target)
            })
    };
    let gone: Vec<i32> = before
        .fds
        .iter()
        .filter(|o| {
            !after
                .fds
                .iter()
                .any(|a| a.fd == o.fd && a.target == o.target)
        })
        .map(|o| o.fd)
        .collect();
    let kept: Vec<i32> = before
        .fds
        .iter()
        .filter(|o| {
            after
                .fds
                .iter()
                .any(|a| a.fd == o.fd && a.target == o.target)
        })
        .map(|o| o.fd)
        .collect();
    lab.say(
        "compare",
        &format!(
            "Same process, new program. Descriptors without close-on-exec stayed, at the same \
             numbers ({}), {KEPT_FILE} among them; those with it were closed by the kernel ({}), \
             {CLOSED_FILE} among them. The exec'd program may use what it inherits without \
             knowing: mark what it must not get O_CLOEXEC.",
            join(&kept),
            join(&gone)
        ),
        json!({
            "pid": child.as_raw(),
            "same_pid": after.comm == new_comm,
            "same_ppid": before.ppid.is_some() && before.ppid == after.ppid,
            "comm_before": before.comm, "comm_after": after.comm,
            "exe_before": before.exe, "exe_after": after.exe,
            "cmdline_before": before.cmdline, "cmdline_after": after.cmdline,
            "mappings_before": before.mappings, "mappings_after": after.mappings,
            "kept_fds": kept, "closed_fds": gone,
            "no_cloexec_fd": kept_fd, "no_cloexec_fd_kept": still_open(kept_fd),
            "cloexec_fd": closed_fd, "cloexec_fd_kept": still_open(closed_fd),
        }),
    )?;
    lab.pause()?;

    kill(child, Signal::SIGTERM)?;
    let raw = lab.reap_raw(child)?;
    lab.say(
        "ended",
        &format!(
            "pscope sends sleep ({child}) SIGTERM and waits for it: {}. It is pscope's child \
             still, so pscope is the one to wait.",
            describe_wait_status(raw)
        ),
        json!({"pid": child.as_raw(), "parent": me.as_raw(), "wait_status": raw,
               "described": describe_wait_status(raw)}),
    )?;
    lab.say(
        "summary",
        "exec replaces the program of a process, not the process: the PID, the parent, the group \
         and session, the working directory and the open descriptors stay; the code, data, stack, \
         memory map, command line and name are new, and descriptors marked close-on-exec are \
         closed. A shell runs a command with fork then exec; the child's PR_SET_PDEATHSIG \
         setting also survived exec, so sleep would die with pscope.",
        json!({}),
    )?;
    Ok(())
}

fn join(fds: &[i32]) -> String {
    if fds.is_empty() {
        return "none".into();
    }
    fds.iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
