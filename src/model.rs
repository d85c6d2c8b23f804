//! Plain data read from /proc. No I/O and no formatting live here.

use std::collections::HashMap;

/// The fields of `/proc/PID/stat` that pscope uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatFields {
    /// The command name exactly as the kernel wrote it, which may hold any
    /// byte but NUL: spaces, parentheses, newlines, invalid UTF-8.
    pub comm: Vec<u8>,
    pub state: char,
    pub ppid: i32,
    pub pgrp: i32,
    pub session: i32,
    pub tty_nr: i32,
    pub tpgid: i32,
    pub flags: u32,
    pub utime: u64,
    pub stime: u64,
    /// Raw kernel priority (field 18): 20 + nice for normal tasks,
    /// -1 - rtprio for real-time ones.
    pub priority: i64,
    pub nice: i64,
    pub num_threads: i64,
    /// Clock ticks after boot.
    pub starttime: u64,
    pub vsize: u64,
    pub rss_pages: i64,
    pub processor: Option<i32>,
    pub rt_priority: Option<u32>,
    pub policy: Option<u32>,
}

/// The fields of `/proc/PID/status` that pscope uses; each is `None` when
/// the line is absent (kernel threads and zombies have no Vm* lines).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusFields {
    pub ruid: Option<u32>,
    pub euid: Option<u32>,
    pub rgid: Option<u32>,
    pub egid: Option<u32>,
    pub vm_lck_kb: Option<u64>,
    pub vm_rss_kb: Option<u64>,
    pub vm_size_kb: Option<u64>,
}

/// One process, or one thread when threads are listed. A field is `None`
/// when its file was not needed or could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Task {
    /// PID for a process, TID for a thread.
    pub pid: i32,
    /// The thread group (process) this task belongs to.
    pub tgid: i32,
    pub stat: StatFields,
    /// Boxed: most commands leave it out, and a listing of 20,000
    /// processes then holds 20,000 pointers instead of 20,000 structs.
    pub status: Option<Box<StatusFields>>,
    /// Raw `/proc/PID/cmdline`: NUL-separated arguments.
    pub cmdline: Option<Vec<u8>>,
    /// Owner of the /proc/PID directory (the effective uid, or root for a
    /// process that is not dumpable), when asked for.
    pub owner_uid: Option<u32>,
    /// Threads of a process (tasks under /proc/PID/task), when asked for.
    /// In a scan, a single-threaded process has none listed: its only
    /// thread is the process itself.
    pub threads: Vec<Task>,
}

impl Task {
    pub fn is_thread(&self) -> bool {
        self.pid != self.tgid
    }

    pub fn euid(&self) -> Option<u32> {
        self.status.as_ref().and_then(|s| s.euid)
    }

    pub fn ruid(&self) -> Option<u32> {
        self.status.as_ref().and_then(|s| s.ruid)
    }
}

/// System-wide facts that turn raw ticks into times and sizes into shares.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemInfo {
    /// Clock ticks per second (USER_HZ).
    pub hz: u64,
    /// Boot time, seconds since the epoch (`btime` in /proc/stat).
    pub boot_time: i64,
    /// Seconds since boot (/proc/uptime), as ps reads it.
    pub uptime: f64,
    /// Now, seconds since the epoch, taken with the snapshot.
    pub now: i64,
    pub mem_total_kb: u64,
}

impl SystemInfo {
    /// Clock ticks since boot, truncated as procps computes them.
    pub fn boot_ticks(&self) -> u64 {
        (self.uptime.max(0.0) * self.hz as f64) as u64
    }

    /// Whole seconds a task has existed, as ps's ELAPSED computes it.
    pub fn elapsed_secs(&self, starttime: u64) -> u64 {
        self.boot_ticks().saturating_sub(starttime) / self.hz.max(1)
    }

    /// Start instant of a task, seconds since the epoch.
    pub fn start_epoch(&self, starttime: u64) -> i64 {
        self.boot_time + (starttime / self.hz.max(1)) as i64
    }
}

/// Everything one scan of /proc produced.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub system: SystemInfo,
    pub tasks: Vec<Task>,
    /// Names of the user ids seen in this snapshot.
    pub users: HashMap<u32, String>,
    /// Processes skipped because their files were malformed, with the reason.
    pub warnings: Vec<String>,
}

impl Snapshot {
    pub fn user_name(&self, uid: u32) -> String {
        self.users
            .get(&uid)
            .cloned()
            .unwrap_or_else(|| uid.to_string())
    }
}
