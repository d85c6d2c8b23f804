//! `pscope demo exit`: how a process ends, as its parent's waitpid() sees
//! it (exit(3), a return from main, SIGKILL, SIGSEGV with or without a core
//! dump), and what exit() does that _exit() does not: atexit handlers and
//! stdio buffers.

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use nix::sys::resource::{getrlimit, setrlimit, Resource, RLIM_INFINITY};
use nix::sys::signal::{kill, Signal};
use nix::unistd::{self, Pid};
use serde_json::{json, Value};

use super::child::{die_by, stdio_then_exit, write_to, CExit, AT_EXIT_TEXT};
use super::narrate::{channel, Lines};
use super::{ChildSetup, Lab};
use crate::analysis::signals::{self, describe_wait_status};
use crate::render::table::{self, Row};
use crate::render::{Style, Tone};

const SETTLE: Duration = Duration::from_secs(10);
/// What the buffered writers write, without a newline.
const BUFFERED_TEXT: &str = "text left in the stdio buffer, no newline";

/// A wait status taken apart as the C macros do.
struct Decoded {
    raw: i32,
    exited: bool,
    exit_status: Option<i32>,
    signaled: bool,
    signal: Option<i32>,
    core_dumped: bool,
}

fn decode(raw: i32) -> Decoded {
    let signal = raw & 0x7f;
    // WIFSIGNALED: a signal number that is neither 0 (exited) nor 0x7f
    // (stopped).
    let signaled = signal != 0 && signal != 0x7f;
    Decoded {
        raw,
        exited: signal == 0,
        exit_status: (signal == 0).then_some((raw >> 8) & 0xff),
        signaled,
        signal: signaled.then_some(signal),
        core_dumped: signaled && raw & 0x80 != 0,
    }
}

impl Decoded {
    fn facts(&self) -> Value {
        json!({
            "wait_status": self.raw,
            "wait_status_hex": format!("0x{:04x}", self.raw),
            "wifexited": self.exited,
            "wexitstatus": self.exit_status,
            "wifsignaled": self.signaled,
            "wtermsig": self.signal,
            "signal_name": self.signal.map(|s| format!("SIG{}", signals::name(s))),
            "wcoredump": self.core_dumped,
            "described": describe_wait_status(self.raw),
        })
    }

    fn macros(&self) -> String {
        match (self.exit_status, self.signal) {
            (Some(code), _) => format!("WIFEXITED true, WEXITSTATUS {code}"),
            (None, Some(signal)) => format!(
                "WIFSIGNALED true, WTERMSIG {signal} (SIG{}), WCOREDUMP {}",
                signals::name(signal),
                self.core_dumped
            ),
            _ => "neither exited nor signalled".into(),
        }
    }

    fn row(&self, case: &str, pid: Pid) -> Row {
        let or_dash = |v: Option<i32>| v.map_or("-".into(), |v| v.to_string());
        Row {
            cells: vec![
                case.to_string(),
                pid.to_string(),
                format!("0x{:04x}", self.raw),
                self.exited.to_string(),
                or_dash(self.exit_status),
                self.signaled.to_string(),
                or_dash(self.signal),
                self.core_dumped.to_string(),
                describe_wait_status(self.raw),
            ],
            tone: Tone::Plain,
        }
    }
}

/// A child's end as /proc showed it before the wait, and as waitpid() did.
struct Collected {
    status: Decoded,
    /// The zombie's wait status in /proc/PID/stat (field 52).
    in_proc: Option<i32>,
    table: String,
    record: Value,
}

impl Collected {
    fn facts(&self) -> Value {
        with(
            self.status.facts(),
            json!({"proc_exit_code": self.in_proc, "zombie": self.record}),
        )
    }

    /// What /proc held before the wait, in words.
    fn before(&self) -> String {
        match self.in_proc {
            Some(code) if code == self.status.raw => {
                " Until pscope waited, the child was a zombie \
                 (Z) and /proc/PID/stat (field 52) held that same status word."
                    .to_string()
            }
            Some(code) => {
                format!(" Until pscope waited, /proc/PID/stat (field 52) held 0x{code:04x}.")
            }
            None => String::new(),
        }
    }
}

/// Waits for the child to be a zombie, reads what /proc keeps of it, then
/// reaps it.
fn collect(lab: &mut Lab, child: Pid) -> Result<Collected> {
    let task = lab.wait_until(child, SETTLE, |t| t.is_some_and(|t| t.stat.state == 'Z'))?;
    let in_proc = task
        .filter(|t| t.stat.state == 'Z')
        .and_then(|t| t.stat.exit_code);
    let (table, records) = lab.table(&[child], &["pid", "ppid", "stat", "args"])?;
    let status = decode(lab.reap_raw(child)?);
    Ok(Collected {
        status,
        in_proc,
        table,
        record: records[0].clone(),
    })
}

/// The function the second child returns from, standing for its main.
fn main_of_child() -> i32 {
    4
}

pub fn run(lab: &mut Lab) -> Result<()> {
    let me = unistd::getpid();
    lab.say(
        "intro",
        &format!(
            "pscope ({me}) starts children that end in different ways and collects each with \
             waitpid(). The status word it gets holds the exit status in bits 8-15, or the \
             signal in bits 0-6 and the core-dump flag in bit 7; the C macros WIFEXITED, \
             WEXITSTATUS, WIFSIGNALED, WTERMSIG and WCOREDUMP take it apart."
        ),
        json!({"parent": me.as_raw()}),
    )?;
    lab.pause()?;
    let mut rows = Vec::new();

    // exit(3): the C library's exit, with its cleanup, then the kernel's.
    let child = lab.fork(ChildSetup::default(), |_| std::process::exit(3))?;
    let end = collect(lab, child)?;
    lab.say(
        "exit",
        &format!(
            "Child {child} called exit(3). waitpid() gave status 0x{:04x}: {}, that is, {}.{}",
            end.status.raw,
            end.status.macros(),
            describe_wait_status(end.status.raw),
            end.before()
        ),
        with(
            end.facts(),
            json!({"case": "exit(3)", "pid": child.as_raw()}),
        ),
    )?;
    lab.show(&end.table)?;
    rows.push(end.status.row("exit(3)", child));
    lab.pause()?;

    // A return from main: the C start-up code calls exit(main(...)).
    let child = lab.fork(ChildSetup::default(), |_| {
        std::process::exit(main_of_child())
    })?;
    let end = collect(lab, child)?;
    lab.say(
        "return",
        &format!(
            "Child {child} returned 4 from its main function. The C start-up code that called main \
             passes what it returns to exit(), so the parent cannot tell it from exit(4): status \
             0x{:04x}, {}.{}",
            end.status.raw,
            end.status.macros(),
            end.before()
        ),
        with(
            end.facts(),
            json!({"case": "return from main", "pid": child.as_raw(), "returned": main_of_child()}),
        ),
    )?;
    rows.push(end.status.row("return 4", child));
    lab.pause()?;

    // SIGKILL: no cleanup at all, and never a core dump.
    let child = lab.fork(ChildSetup::default(), |cx| cx.idle())?;
    lab.wait_until(child, SETTLE, |t| t.is_some_and(|t| t.stat.state == 'S'))?;
    kill(child, Signal::SIGKILL)?;
    let end = collect(lab, child)?;
    lab.say(
        "sigkill",
        &format!(
            "pscope sent SIGKILL to child {child}, which was waiting: status 0x{:04x}, {}. SIGKILL \
             cannot be caught; nothing in the child runs, and it never dumps core.{}",
            end.status.raw,
            end.status.macros(),
            end.before()
        ),
        with(
            end.facts(),
            json!({"case": "SIGKILL", "pid": child.as_raw()}),
        ),
    )?;
    rows.push(end.status.row("SIGKILL", child));
    lab.pause()?;

    let (status, child) = segfault(lab)?;
    rows.push(status.row("SIGSEGV", child));
    lab.pause()?;

    let headers = table::headers(
        &[
            "CASE",
            "PID",
            "STATUS",
            "WIFEXITED",
            "WEXITSTATUS",
            "WIFSIGNALED",
            "WTERMSIG",
            "WCOREDUMP",
            "IN WORDS",
        ],
        &[1, 2, 4, 6],
    );
    let text = table::render(&headers, rows, true, &Style::plain());
    lab.say("statuses", "The four statuses side by side:", json!({}))?;
    lab.show(&text)?;
    lab.pause()?;

    let with_exit = buffered(lab, CExit::Exit)?;
    lab.pause()?;
    let with_underscore = buffered(lab, CExit::UnderscoreExit)?;
    lab.say(
        "summary",
        "A parent learns how its child ended from the status word of wait(): an exit status \
         (exit(n), or n returned from main) or the signal that killed it, with a flag for a core \
         dump. exit() runs the atexit handlers and flushes stdio buffers before the process ends; \
         _exit() ends it at once, and buffered output is lost. Python's sys.exit() is the first \
         kind and os._exit() the second, which is why a forked child should leave with os._exit(): \
         the buffers it holds are copies of its parent's.",
        json!({"exit_flushed": with_exit, "underscore_exit_flushed": with_underscore}),
    )?;
    Ok(())
}

/// One JSON object: the keys of `first`, then those of `facts`.
fn with(facts: Value, first: Value) -> Value {
    let mut merged = first;
    if let (Some(m), Value::Object(f)) = (merged.as_object_mut(), facts) {
        m.extend(f);
    }
    merged
}

/// Where a core dump of a child would go, from core_pattern.
enum CoreGoes {
    /// A file name relative to the dying process's working directory.
    Relative(String),
    /// A file at an absolute path.
    Absolute(String),
    /// Piped to a program.
    Program(String),
    Unknown(String),
}

fn segfault(lab: &mut Lab) -> Result<(Decoded, Pid)> {
    let pattern = lab.reader().setting("sys/kernel/core_pattern");
    let goes = match &pattern {
        Ok(p) if p.starts_with('|') => CoreGoes::Program(p[1..].trim().to_string()),
        Ok(p) if p.starts_with('/') => CoreGoes::Absolute(p.clone()),
        Ok(p) => CoreGoes::Relative(p.clone()),
        Err(e) => CoreGoes::Unknown(e.to_string()),
    };
    // A core written by a relative pattern lands in the child's working
    // directory: a private one, removed afterwards. Elsewhere, pscope does
    // not choose to write one, and leaves the child's limit as it is.
    let dir = match goes {
        CoreGoes::Relative(_) => PrivateDir::new(),
        _ => None,
    };
    let (report_read, report_write) = channel()?;
    let child = lab.fork(ChildSetup::default(), |cx| {
        cx.keep_only(&[report_write.as_fd()]);
        if let Some(dir) = &dir {
            if unistd::chdir(dir.path.as_path()).is_ok() {
                if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_CORE) {
                    let _ = setrlimit(Resource::RLIMIT_CORE, hard, hard);
                }
            }
        }
        let limit = |v: u64| {
            if v == RLIM_INFINITY {
                "unlimited".to_string()
            } else {
                v.to_string()
            }
        };
        let (soft, hard) = getrlimit(Resource::RLIMIT_CORE).unwrap_or((0, 0));
        let dumpable = nix::sys::prctl::get_dumpable().unwrap_or(false);
        write_to(
            &report_write,
            format!("{} {} {dumpable}\n", limit(soft), limit(hard)).as_bytes(),
        );
        die_by(Signal::SIGSEGV)
    })?;
    drop(report_write);
    let report = Lines::new(report_read)
        .next(lab, SETTLE)?
        .unwrap_or_default();
    let words: Vec<&str> = report.split_whitespace().collect();
    let (soft, hard, dumpable) = match words[..] {
        [soft, hard, dumpable] => (soft.to_string(), hard.to_string(), dumpable == "true"),
        _ => ("?".into(), "?".into(), false),
    };
    let end = collect(lab, child)?;
    let status = &end.status;
    let core_file = dir.as_ref().and_then(|d| core_in(&d.path));
    let core_dir = dir.as_ref().map(|d| d.path.clone());
    let removed = dir.map(PrivateDir::remove);
    let why = match (&goes, status.core_dumped) {
        (CoreGoes::Relative(p), true) => format!(
            "The child raised its RLIMIT_CORE to {soft} and worked in a private directory, where \
             core_pattern \"{p}\" put {}; pscope has deleted it.",
            core_file.as_ref().map_or("a core file".into(), |(n, size, disk)| format!(
                "{n} ({size} bytes, of which {disk} on disk: memory never touched is a hole)"
            ))
        ),
        (CoreGoes::Relative(p), false) if soft == "0" => format!(
            "No core: the child's RLIMIT_CORE is 0 (its hard limit is {hard}, so it could not \
             raise it). core_pattern is \"{p}\"; with `ulimit -c unlimited` a core file would be \
             written and the bit set."
        ),
        (CoreGoes::Relative(p), false) => format!(
            "No core, although RLIMIT_CORE was {soft} and core_pattern \"{p}\"{}: the kernel \
             declined to write one (a directory it may not write in, or a filesystem that refuses).",
            if dumpable { "" } else { ", and the process was not dumpable" }
        ),
        (CoreGoes::Absolute(p), dumped) => format!(
            "core_pattern sends cores to {p}, outside the demo; pscope does not raise the \
             child's RLIMIT_CORE ({soft}) to write there. The bit is {}.",
            if dumped { "set: the limit already allowed a core" } else { "absent" }
        ),
        (CoreGoes::Program(p), dumped) => format!(
            "core_pattern pipes cores to a program ({p}); the kernel hands it the dump whatever \
             RLIMIT_CORE says (the program may honour the limit, here {soft}), and sets the bit \
             when it does. The bit is {}.",
            if dumped { "set" } else { "absent" }
        ),
        (CoreGoes::Unknown(e), dumped) => format!(
            "core_pattern cannot be read ({e}); the bit is {}.",
            if dumped { "set" } else { "absent" }
        ),
    };
    lab.say(
        "sigsegv",
        &format!(
            "Child {child} died of SIGSEGV, as on a bad memory access (it sent the signal to \
             itself with the default action): status 0x{:04x}, {}. {why}{}",
            status.raw,
            status.macros(),
            end.before()
        ),
        with(
            end.facts(),
            json!({
                "case": "SIGSEGV", "pid": child.as_raw(),
                "core_pattern": pattern.ok(),
                "rlimit_core_soft": soft, "rlimit_core_hard": hard, "dumpable": dumpable,
                "core_file": core_file.as_ref().map(|(n, _, _)| n),
                "core_file_bytes": core_file.as_ref().map(|(_, s, _)| s),
                "core_file_disk_bytes": core_file.as_ref().map(|(_, _, d)| d),
                "core_dir": core_dir, "core_dir_removed": removed,
            }),
        ),
    )?;
    Ok((end.status, child))
}

/// A new empty directory only this demo uses, removed with what it holds
/// when the demo is done with it, also on an error or an interruption.
struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    fn new() -> Option<PrivateDir> {
        let template = std::env::temp_dir().join("pscope-core-XXXXXX");
        unistd::mkdtemp(&template)
            .ok()
            .map(|path| PrivateDir { path })
    }

    /// Removes it now; true when it is gone.
    fn remove(self) -> bool {
        let _ = std::fs::remove_dir_all(&self.path);
        !self.path.exists()
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The first file in `dir` (the core), with its size and the bytes it
/// takes on disk.
fn core_in(dir: &Path) -> Option<(String, u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    // The kernel finishes writing before the parent can reap the child.
    std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let meta = e.metadata().ok()?;
        Some((
            e.file_name().to_string_lossy().into_owned(),
            meta.len(),
            meta.blocks() * 512,
        ))
    })
}

/// A child writes text through a stdio buffer into a pipe and leaves by
/// exit or _exit; returns whether the text arrived.
fn buffered(lab: &mut Lab, how: CExit) -> Result<bool> {
    let (read_end, write_end) = channel()?;
    let slot = std::cell::Cell::new(Some(write_end));
    let child = lab.fork(ChildSetup::default(), |cx| {
        let Some(write_end) = slot.take() else {
            return 1;
        };
        cx.keep_only(&[write_end.as_fd()]);
        stdio_then_exit(write_end, BUFFERED_TEXT, how)
    })?;
    drop(slot);
    let received = read_to_end(lab, &read_end, SETTLE)?;
    let status = decode(lab.reap_raw(child)?);
    let arrived = received.contains(BUFFERED_TEXT);
    let handler = received.contains(AT_EXIT_TEXT.trim_end());
    let (call, step) = match how {
        CExit::Exit => ("exit(0)", "exit-flushes"),
        CExit::UnderscoreExit => ("_exit(0)", "underscore-exit-loses"),
    };
    let message = format!(
        "Child {child} registered an atexit handler, wrote \"{BUFFERED_TEXT}\" with fputs() into \
         a pipe (stdio buffers a pipe fully, so the text waits in the process's memory), then \
         called {call}. The pipe received {}: {}. waitpid: {}.",
        if received.is_empty() {
            "nothing".to_string()
        } else {
            format!("{received:?}")
        },
        match (handler, arrived) {
            (true, true) => "the handler ran and the buffer was flushed",
            (false, false) => "no handler ran and the buffered text was lost with the process",
            (true, false) => "the handler ran but the buffer was not flushed",
            (false, true) => "the buffer was flushed without the handler",
        },
        describe_wait_status(status.raw)
    );
    lab.say(
        step,
        &message,
        json!({
            "pid": child.as_raw(), "exit_call": call, "written": BUFFERED_TEXT,
            "received": received, "buffered_text_arrived": arrived, "atexit_ran": handler,
            "described": describe_wait_status(status.raw),
        }),
    )?;
    Ok(arrived)
}

/// Everything written into `fd` until every writer has closed it.
fn read_to_end(lab: &Lab, fd: &OwnedFd, timeout: Duration) -> Result<String> {
    let until = Instant::now() + timeout;
    let mut text = Vec::new();
    let mut buf = [0u8; 512];
    while Instant::now() < until {
        lab.check()?;
        if super::child::wait_readable(&[fd.as_fd()], Duration::from_millis(20)) {
            match rustix::io::read(fd, &mut buf) {
                Ok(0) => break,
                Ok(n) => text.extend_from_slice(&buf[..n]),
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => break,
            }
        }
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}
