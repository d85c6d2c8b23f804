//! Helpers shared by the integration tests: the binary, processes that are
//! always cleaned up, and fake /proc trees.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn pscope() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pscope"));
    cmd.env_remove("PSCOPE_PROC_ROOT")
        .env_remove("COLUMNS")
        .env("LC_ALL", "C.UTF-8")
        .env("TZ", "UTC");
    cmd
}

/// Runs pscope with arguments and returns its output.
pub fn run(args: &[&str]) -> Output {
    pscope().args(args).output().expect("pscope runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether a program is installed; tests that need it skip with a message.
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Marks a test (or part of one) that cannot run here. The harness hides a
/// passing test's stderr, so a skip would look like a pass: under
/// `PSCOPE_TEST_STRICT=1` (as CI runs) a skip fails the test instead.
pub fn skip(why: &str) {
    if std::env::var_os("PSCOPE_TEST_STRICT").is_some_and(|v| v == "1") {
        panic!("skipped under PSCOPE_TEST_STRICT=1: {why}");
    }
    eprintln!("SKIPPED: {why}");
}

/// Whether a program needed by part of a test is installed; its absence
/// is a skip (a failure under `PSCOPE_TEST_STRICT=1`).
pub fn need(program: &str) -> bool {
    if have(program) {
        return true;
    }
    skip(&format!("{program} is not installed"));
    false
}

/// Whether the test runs as root; when not, the part that needs root is a
/// skip (a failure under `PSCOPE_TEST_STRICT=1`).
pub fn need_root(what: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    skip(&format!("{what} needs root"));
    false
}

/// Children that are killed and reaped when the guard goes, also when a
/// test fails. Each child leads its own process group, so that the group
/// (with any grandchildren) is killed too.
#[derive(Default)]
pub struct Procs {
    children: Vec<Child>,
}

impl Procs {
    pub fn spawn(&mut self, cmd: &mut Command) -> u32 {
        use std::os::unix::process::CommandExt;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        // A binary copied a moment ago can be "busy" while another test
        // thread's fork still holds the copy's write descriptor (until that
        // child execs): wait a little and try again.
        let mut tries = 0;
        let child = loop {
            match cmd.spawn() {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => break other.expect("spawn helper process"),
            }
        };
        let pid = child.id();
        self.children.push(child);
        pid
    }

    /// One of the children, to wait for (reap) or to ask about.
    pub fn child(&mut self, pid: u32) -> &mut Child {
        self.children
            .iter_mut()
            .find(|c| c.id() == pid)
            .expect("a child of this guard")
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        for child in &mut self.children {
            let pgid = child.id() as i32;
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls until `check` holds or the deadline passes.
pub fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads a /proc/PID/stat field of a live process (3 = state).
pub fn live_stat_field(pid: u32, field: usize) -> Option<String> {
    let text = fs::read(format!("/proc/{pid}/stat")).ok()?;
    let close = text.iter().rposition(|&b| b == b')')?;
    let rest = String::from_utf8_lossy(&text[close + 2..]).into_owned();
    rest.split(' ').nth(field - 3).map(str::to_string)
}

/// A fake /proc directory, written file by file.
pub struct FakeProc {
    pub dir: tempfile::TempDir,
    pub uptime: f64,
    pub btime: i64,
}

/// One process for a fake /proc. `starttime` is in clock ticks (100 Hz).
#[derive(Clone)]
pub struct FakeTask {
    pub pid: i32,
    pub comm: Vec<u8>,
    pub state: char,
    pub ppid: i32,
    pub pgrp: i32,
    pub session: i32,
    pub tty_nr: i32,
    pub tpgid: i32,
    /// Process flags (PF_*); see `KTHREAD_FLAGS`.
    pub flags: u32,
    pub utime: u64,
    pub stime: u64,
    pub priority: i64,
    pub nice: i64,
    pub threads: i64,
    pub starttime: u64,
    pub rt_priority: u32,
    pub policy: u32,
    pub uid: u32,
    pub vm: Option<(u64, u64, u64)>, // VmSize, VmRSS, VmLck in kB
    pub cmdline: Option<Vec<u8>>,
}

/// stat's flags of an ordinary process (PF_RANDOMIZE).
pub const USER_FLAGS: u32 = 0x0040_0000;
/// stat's flags of a kernel thread such as kthreadd (PF_KTHREAD,
/// PF_NOFREEZE, PF_FORKNOEXEC).
pub const KTHREAD_FLAGS: u32 = 0x0020_8040;

impl FakeTask {
    pub fn new(pid: i32, ppid: i32, comm: &str) -> Self {
        FakeTask {
            pid,
            comm: comm.as_bytes().to_vec(),
            state: 'S',
            ppid,
            pgrp: pid,
            session: pid,
            tty_nr: 0,
            tpgid: -1,
            flags: USER_FLAGS,
            utime: 0,
            stime: 0,
            priority: 20,
            nice: 0,
            threads: 1,
            starttime: 100,
            rt_priority: 0,
            policy: 0,
            uid: 0,
            vm: Some((10_000, 2_000, 0)),
            cmdline: Some(format!("{comm}\0").into_bytes()),
        }
    }

    pub fn stat_line(&self) -> Vec<u8> {
        let mut line = format!("{} (", self.pid).into_bytes();
        line.extend_from_slice(&self.comm);
        line.extend_from_slice(
            format!(
                ") {} {} {} {} {} {} {} 0 0 0 0 {} {} 0 0 {} {} {} 0 {} {} {} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 {} {} 0 0 0 0 0 0 0 0 0 0\n",
                self.state, self.ppid, self.pgrp, self.session, self.tty_nr, self.tpgid, self.flags,
                self.utime, self.stime, self.priority, self.nice, self.threads, self.starttime,
                self.vm.map_or(0, |v| v.0 * 1024), self.vm.map_or(0, |v| v.1 / 4),
                self.rt_priority, self.policy
            )
            .as_bytes(),
        );
        line
    }

    pub fn status_text(&self) -> Vec<u8> {
        let mut text = b"Name:\t".to_vec();
        // The kernel escapes a name's newlines and backslashes here (and
        // only here: stat keeps the raw bytes).
        for &b in &self.comm {
            match b {
                b'\n' => text.extend_from_slice(b"\\n"),
                b'\\' => text.extend_from_slice(b"\\\\"),
                _ => text.push(b),
            }
        }
        text.extend_from_slice(
            format!(
                "\nState:\t{}\nTgid:\t{}\nPid:\t{}\nPPid:\t{}\nUid:\t{u}\t{u}\t{u}\t{u}\nGid:\t{u}\t{u}\t{u}\t{u}\n",
                self.state, self.pid, self.pid, self.ppid, u = self.uid
            )
            .as_bytes(),
        );
        if let Some((size, rss, lck)) = self.vm {
            text.extend_from_slice(
                format!("VmSize:\t{size} kB\nVmLck:\t{lck} kB\nVmRSS:\t{rss} kB\n").as_bytes(),
            );
        }
        text.extend_from_slice(format!("Threads:\t{}\n", self.threads).as_bytes());
        text
    }
}

impl FakeProc {
    /// A fake /proc whose boot time is `uptime` seconds before now, so that
    /// start times relate to the real clock as they would on a machine.
    pub fn new(uptime: f64) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let btime = now - uptime as i64;
        let fake = FakeProc { dir, uptime, btime };
        fake.write("uptime", format!("{uptime:.2} 100.00\n").as_bytes());
        fake.write("stat", format!("cpu  1 2 3 4\nbtime {btime}\n").as_bytes());
        fake.write(
            "meminfo",
            b"MemTotal:        1000000 kB\nMemFree:  500000 kB\n",
        );
        fake
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, relative: &str, contents: &[u8]) {
        let path = self.dir.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    pub fn add(&self, task: &FakeTask) {
        let p = task.pid;
        self.write(&format!("{p}/stat"), &task.stat_line());
        self.write(&format!("{p}/status"), &task.status_text());
        if let Some(cmd) = &task.cmdline {
            self.write(&format!("{p}/cmdline"), cmd);
        }
        self.write(&format!("{p}/task/{p}/stat"), &task.stat_line());
        self.write(&format!("{p}/task/{p}/status"), &task.status_text());
    }

    /// Adds a thread (its own stat) to a process already added.
    pub fn add_thread(&self, process: &FakeTask, thread: &FakeTask) {
        let (p, t) = (process.pid, thread.pid);
        self.write(&format!("{p}/task/{t}/stat"), &thread.stat_line());
        self.write(&format!("{p}/task/{t}/status"), &thread.status_text());
    }

    pub fn root_arg(&self) -> String {
        self.path().to_string_lossy().into_owned()
    }
}

pub fn os(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

/// Splits ps-style output lines into `n` columns, the last taking the rest.
pub fn columns(line: &str, n: usize) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(n);
    let mut rest = line.trim_start();
    for _ in 0..n - 1 {
        let end = rest.find(' ')?;
        out.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    out.push(rest.trim_end().to_string());
    Some(out)
}

/// Parses a listing keyed by its first column.
pub fn table_by_key(text: &str, n: usize) -> HashMap<String, Vec<String>> {
    text.lines()
        .filter_map(|l| columns(l, n))
        .map(|cols| (cols[0].clone(), cols))
        .collect()
}

pub fn temp_copy_of(program: &str, name: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(OsStr::from_bytes(name));
    let source = which(program);
    fs::copy(source, &path).unwrap();
    // A fork in another test thread during the copy holds its write
    // descriptor until that child execs; until then exec fails with "Text
    // file busy". Wait until one exec of the copy succeeds.
    for _ in 0..200 {
        let probe = Command::new(&path)
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match probe {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => break,
        }
    }
    (dir, path)
}

pub fn which(program: &str) -> PathBuf {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}
