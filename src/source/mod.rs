//! The only part of pscope that reads /proc. It turns a /proc directory (the
//! real one or a captured tree given by `--proc-root`) into a [`Snapshot`].

mod handout;
mod inspect;
pub mod live;
pub mod parse;
mod terminals;
mod users;
pub mod utmp;

use std::collections::HashMap;
use std::ffi::CStr;
use std::fs::File;
use std::io::{self, Read};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::fcntl::{openat, OFlag};
use nix::sys::stat::Mode;
use rustix::fs::RawDir;

use crate::model::{
    ExtraFiles, Needs, Snapshot, StatFields, StatusFields, StatusNeed, SystemInfo, Task,
    TaskExtras, ThreadNeed, NAMESPACES, PID_MAX_LIMIT,
};
use handout::Handout;

/// Below this many processes per thread, a thread costs more than it saves.
const MIN_PIDS_PER_JOB: usize = 200;

/// Bytes of directory entries listed per system call: a /proc entry takes
/// 32 bytes (24 below PID 10,000), so about one block of PIDs.
const LISTING_BUF: usize = 2048;

/// How many threads read /proc by default: one per CPU, at most four.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// A failure to read /proc as a whole (not one process).
#[derive(Debug)]
pub struct SourceError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for SourceError {}

/// Reads processes from one /proc directory.
pub struct ProcReader {
    root: PathBuf,
    root_fd: OwnedFd,
}

/// Why a process was not read.
enum Skipped {
    /// The process went away (or is hidden) between readdir and open.
    Gone,
    Malformed(String),
}

impl ProcReader {
    pub fn open(root: &Path) -> Result<Self, SourceError> {
        let dir = File::open(root).map_err(|error| SourceError {
            path: root.to_path_buf(),
            error,
        })?;
        if !dir.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(SourceError {
                path: root.to_path_buf(),
                error: io::Error::new(io::ErrorKind::InvalidInput, "not a directory"),
            });
        }
        Ok(ProcReader {
            root: root.to_path_buf(),
            root_fd: dir.into(),
        })
    }

    /// System facts: clock rate, boot time, uptime, memory size.
    pub fn system_info(&self) -> Result<SystemInfo, SourceError> {
        let mut buf = ReadBuf::new();
        let uptime = self
            .read_required("uptime", &mut buf)
            .and_then(|b| first_field(b, b"").ok_or_else(|| self.bad("uptime")))?;
        let boot_time = self
            .read_required("stat", &mut buf)
            .and_then(|b| first_field::<i64>(b, b"btime").ok_or_else(|| self.bad("stat")))?;
        let mem_total_kb = self
            .read_required("meminfo", &mut buf)
            .and_then(|b| first_field::<u64>(b, b"MemTotal:").ok_or_else(|| self.bad("meminfo")))?;
        let hz = rustix::param::clock_ticks_per_second();
        // ps sizes its PID columns by the digits of pid_max; a captured tree
        // without it gets the kernel's default (32768, five digits).
        let pid_digits = self
            .read_at(&ProcPath::new().file("sys/kernel/pid_max"), &mut buf)
            .ok()
            .and_then(|b| first_field::<u64>(b, b""))
            .map_or(5, |max| max.to_string().len());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Ok(SystemInfo {
            hz: if hz > 0 { hz } else { 100 },
            boot_time,
            uptime,
            now,
            mem_total_kb,
            page_size: rustix::param::page_size() as u64,
            pid_digits,
            cpu_nodes: None,
        })
    }

    /// Each CPU's NUMA node, from sysfs's node directories (their `cpulist`
    /// files); `None` for a captured tree, or where sysfs lists no node.
    pub fn cpu_nodes(&self) -> Option<Vec<i32>> {
        if self.root != Path::new("/proc") {
            return None;
        }
        let mut nodes: Vec<i32> = Vec::new();
        for entry in std::fs::read_dir("/sys/devices/system/node")
            .ok()?
            .flatten()
        {
            let name = entry.file_name();
            let Some(node) = name
                .to_str()
                .and_then(|n| n.strip_prefix("node"))
                .and_then(|n| n.parse::<i32>().ok())
            else {
                continue;
            };
            let list = std::fs::read(entry.path().join("cpulist")).unwrap_or_default();
            for cpu in parse::parse_cpu_list(&list) {
                if nodes.len() <= cpu {
                    nodes.resize(cpu + 1, -1);
                }
                nodes[cpu] = node;
            }
        }
        (!nodes.is_empty()).then_some(nodes)
    }

    fn read_required<'b>(&self, name: &str, buf: &'b mut ReadBuf) -> Result<&'b [u8], SourceError> {
        self.read_at(&ProcPath::new().file(name), buf)
            .map_err(|error| SourceError {
                path: self.root.join(name),
                error,
            })
    }

    fn bad(&self, name: &str) -> SourceError {
        SourceError {
            path: self.root.join(name),
            error: io::Error::new(io::ErrorKind::InvalidData, "unexpected contents"),
        }
    }

    /// Reads every process, skipping those that vanish or are malformed.
    /// Reading starts while /proc is still being listed. With `jobs` above
    /// 1 the processes are split among that many threads: the cost is the
    /// kernel formatting each file, which runs in parallel.
    pub fn scan(&self, needs: Needs, jobs: usize) -> Result<Snapshot, SourceError> {
        let mut system = self.system_info()?;
        if needs.numa_nodes {
            system.cpu_nodes = self.cpu_nodes();
        }
        // The root's link count is its number of subdirectories and a few
        // more: for /proc, its number of processes. Slots for that many are
        // allocated before listing; processes listed beyond are read last.
        let expected = nix::sys::stat::fstat(self.root_fd.as_fd())
            .map_or(0, |st| st.st_nlink as usize)
            .min(PID_MAX_LIMIT as usize);
        self.scan_sized(system, needs, jobs, expected)
    }

    /// `scan` with slots for `expected` processes.
    fn scan_sized(
        &self,
        system: SystemInfo,
        needs: Needs,
        jobs: usize,
        expected: usize,
    ) -> Result<Snapshot, SourceError> {
        let mut tasks: Vec<Task> = std::iter::repeat_with(Task::default)
            .take(expected)
            .collect();
        let handout = Handout::new(&mut tasks);
        // Each thread needs MIN_PIDS_PER_JOB processes to pay off. The
        // helpers start before the listing, to read its first block at once.
        let jobs = jobs.clamp(1, 64).min(expected / MIN_PIDS_PER_JOB).max(1);
        let (listed, mut warnings) = std::thread::scope(|scope| {
            let read = || {
                let mut buf = ReadBuf::new();
                let mut warnings = Vec::new();
                while let Some(block) = handout.next() {
                    let pids = &block.pids[..block.slots.len()];
                    self.read_into(pids, block.slots, needs, &mut buf, &mut warnings);
                }
                warnings
            };
            // Out of threads (a process limit): the threads already running
            // read the rest.
            let helpers: Vec<_> = (1..jobs)
                .map_while(|_| std::thread::Builder::new().spawn_scoped(scope, read).ok())
                .collect();
            let listed = {
                let _ending = handout.ending();
                self.list_pids_in(&ProcPath::new().file("."), |pids| handout.add(pids))
            };
            let mut warnings = read();
            for helper in helpers {
                warnings.extend(helper.join().unwrap_or_default());
            }
            (listed, warnings)
        });
        listed.map_err(|error| SourceError {
            path: self.root.clone(),
            error,
        })?;
        let overflow = handout.into_overflow();
        let slotted = tasks.len();
        tasks.resize_with(slotted + overflow.len(), Task::default);
        let overflow_slots = &mut tasks[slotted..];
        self.read_into(
            &overflow,
            overflow_slots,
            needs,
            &mut ReadBuf::new(),
            &mut warnings,
        );
        // Slots of processes that vanished (or were malformed) stay empty.
        tasks.retain(|t| t.pid != 0);
        // /proc lists in PID order; a captured tree need not.
        if !tasks.is_sorted_by_key(|t| t.pid) {
            tasks.sort_unstable_by_key(|t| t.pid);
        }
        warnings.sort_unstable();
        // Names are looked up only for a command that shows users: the
        // user database costs a file read or a daemon's answer.
        let users = if needs.status >= StatusNeed::Ids || needs.owner {
            let ids = |t: &Task| {
                let more = t.more_status();
                [t.euid(), t.ruid(), more.suid, more.fsuid]
            };
            users::names_for(tasks.iter().flat_map(|t| {
                let thread_ids = t.threads.iter().flat_map(ids);
                ids(t)
                    .into_iter()
                    .chain([t.owner_uid])
                    .chain(thread_ids)
                    .flatten()
            }))
        } else {
            HashMap::new()
        };
        let terminals = terminals::name_terminals(self, &tasks);
        Ok(Snapshot {
            system,
            tasks,
            users,
            groups: HashMap::new(),
            warnings: warnings.into_iter().map(|(_, why)| why).collect(),
            terminals,
        })
    }

    /// Where a /proc/PID link points (`exe`, `cwd`); the error says why not
    /// (permission denied for another user's process, absent for a kernel
    /// thread).
    pub fn link(&self, pid: i32, name: &str) -> io::Result<PathBuf> {
        nix::fcntl::readlinkat(self.root_fd.as_fd(), format!("{pid}/{name}").as_str())
            .map(PathBuf::from)
            .map_err(io::Error::from)
    }

    fn read_into(
        &self,
        pids: &[i32],
        slots: &mut [Task],
        needs: Needs,
        buf: &mut ReadBuf,
        warnings: &mut Vec<(i32, String)>,
    ) {
        for (&pid, slot) in pids.iter().zip(slots) {
            match self.read_process(pid, needs, buf) {
                Ok(task) => *slot = task,
                Err(Skipped::Gone) => {}
                Err(Skipped::Malformed(why)) => warnings.push((pid, why)),
            }
        }
    }

    /// Reads one process, or `None` when it does not exist (or is malformed).
    /// Its threads, when asked for, are every task under /proc/PID/task,
    /// the main thread included.
    pub fn process(&self, pid: i32, needs: Needs) -> Option<Task> {
        let only_process = Needs {
            threads: ThreadNeed::Nothing,
            ..needs
        };
        let mut task = self
            .read_process(pid, only_process, &mut ReadBuf::new())
            .ok()?;
        if needs.threads > ThreadNeed::Nothing {
            task.threads = self.threads(&task, needs);
        }
        Some(task)
    }

    /// Every task under /proc/PID/task of a process already read, the main
    /// thread included; empty when the directory cannot be read.
    pub fn threads(&self, process: &Task, needs: Needs) -> Vec<Task> {
        let dir = ProcPath::new().number(process.pid);
        self.read_threads(&dir, process, needs, &mut ReadBuf::new())
    }

    fn read_process(&self, pid: i32, needs: Needs, buf: &mut ReadBuf) -> Result<Task, Skipped> {
        let dir = ProcPath::new().number(pid);
        let mut task = self.read_task(&dir, pid, pid, needs.more_stat, buf)?;
        if needs.status > StatusNeed::Nothing {
            task.status = self.read_status(&dir, &task.stat, needs, buf);
        }
        if needs.cmdline {
            task.cmdline = self
                .read_at(&dir.file("cmdline"), buf)
                .ok()
                .map(<[u8]>::to_vec);
        }
        // As ps: the owner of the directory stands in for the user a status
        // file could not give.
        let lost_ids = needs.status >= StatusNeed::Ids && task.status.is_none();
        if needs.owner || lost_ids {
            task.owner_uid = nix::sys::stat::fstatat(
                self.root_fd.as_fd(),
                dir.as_cstr(),
                nix::fcntl::AtFlags::empty(),
            )
            .ok()
            .map(|st| st.st_uid);
        }
        if !needs.extras.is_empty() {
            task.extras = Some(Box::new(self.read_extras(&dir, needs.extras, buf)));
        }
        // In a listing a single-threaded process's task directory would
        // hold only itself, which every listing shows from the process's
        // own files (ps -L's main-thread row, the tree's process node).
        if needs.threads > ThreadNeed::Nothing && task.stat.num_threads != 1 {
            task.threads = self.read_threads(&dir, &task, needs, buf);
        }
        Ok(task)
    }

    /// The extra files a column asked for, each `None` when unreadable.
    fn read_extras(&self, dir: &ProcPath, wanted: ExtraFiles, buf: &mut ReadBuf) -> TaskExtras {
        let mut extras = TaskExtras::default();
        let file = |name: &str, buf: &mut ReadBuf| -> Option<Vec<u8>> {
            self.read_at(&dir.file(name), buf).ok().map(<[u8]>::to_vec)
        };
        if wanted.contains(ExtraFiles::IO) {
            extras.io = file("io", buf).map(|b| parse::parse_io(&b));
        }
        if wanted.contains(ExtraFiles::SMAPS_ROLLUP) {
            extras.smaps = file("smaps_rollup", buf).map(|b| parse::parse_smaps_rollup(&b));
        }
        if wanted.contains(ExtraFiles::CGROUP) {
            extras.cgroup = file("cgroup", buf);
        }
        if wanted.contains(ExtraFiles::OOM) {
            extras.oom_score = file("oom_score", buf).and_then(|b| parse::parse_number(&b));
            extras.oom_score_adj = file("oom_score_adj", buf).and_then(|b| parse::parse_number(&b));
        }
        if wanted.contains(ExtraFiles::LOGINUID) {
            extras.loginuid = file("loginuid", buf).and_then(|b| parse::parse_number(&b));
        }
        if wanted.contains(ExtraFiles::AUTOGROUP) {
            extras.autogroup = file("autogroup", buf).and_then(|b| parse::parse_autogroup(&b));
        }
        if wanted.contains(ExtraFiles::WCHAN) {
            extras.wchan = file("wchan", buf);
        }
        if wanted.contains(ExtraFiles::SYSCALL) {
            extras.syscall = self
                .read_at(&dir.file("syscall"), buf)
                .ok()
                .and_then(inspect::parse_syscall);
        }
        if wanted.contains(ExtraFiles::ATTR_CURRENT) {
            extras.label = file("attr/current", buf);
        }
        if wanted.contains(ExtraFiles::ENVIRON) {
            extras.environ = file("environ", buf);
        }
        if wanted.contains(ExtraFiles::EXE) {
            extras.exe = nix::fcntl::readlinkat(self.root_fd.as_fd(), dir.file("exe").as_cstr())
                .ok()
                .map(|p| p.into_encoded_bytes());
        }
        if wanted.contains(ExtraFiles::NAMESPACES) {
            let ns = dir.file("ns");
            for (slot, name) in extras.namespaces.iter_mut().zip(NAMESPACES) {
                // The link's target names the namespace by its inode, which
                // stat() of the link (followed) gives.
                *slot = nix::sys::stat::fstatat(
                    self.root_fd.as_fd(),
                    ns.file(name).as_cstr(),
                    nix::fcntl::AtFlags::empty(),
                )
                .ok()
                .map(|st| st.st_ino);
            }
        }
        extras
    }

    fn read_task(
        &self,
        dir: &ProcPath,
        pid: i32,
        tgid: i32,
        more_stat: bool,
        buf: &mut ReadBuf,
    ) -> Result<Task, Skipped> {
        let path = dir.file("stat");
        let bytes = self.read_at(&path, buf).map_err(|_| Skipped::Gone)?;
        match parse::parse_stat(bytes, more_stat) {
            Ok((_, stat)) => Ok(Task {
                pid,
                tgid,
                stat,
                ..Task::default()
            }),
            Err(why) => Err(Skipped::Malformed(format!(
                "skipping {}: malformed stat ({why})",
                self.root.join(path.as_str()).display()
            ))),
        }
    }

    /// The status fields of a task. When only memory lines are wanted, a
    /// task that has none gets the empty record its file would have given,
    /// without reading it.
    fn read_status(
        &self,
        dir: &ProcPath,
        stat: &StatFields,
        needs: Needs,
        buf: &mut ReadBuf,
    ) -> Option<Box<StatusFields>> {
        if needs.status < StatusNeed::Ids && status_is_empty(stat) {
            return Some(Box::default());
        }
        let bytes = self.read_at(&dir.file("status"), buf).ok()?;
        Some(Box::new(parse::parse_status(
            bytes,
            needs.status == StatusNeed::All,
        )))
    }

    fn read_threads(
        &self,
        dir: &ProcPath,
        process: &Task,
        needs: Needs,
        buf: &mut ReadBuf,
    ) -> Vec<Task> {
        let task_dir = dir.file("task");
        let Ok(tids) = self.list_threads_at(&task_dir, process.pid) else {
            return Vec::new();
        };
        // Not preallocated: most processes have one thread, which is not
        // kept below unless its own stat is wanted.
        let mut threads = Vec::new();
        for tid in tids {
            if needs.threads < ThreadNeed::Own {
                // Only the ids of the other threads are wanted: each stands
                // in with its process's fields (as pstree names threads).
                if tid == process.pid {
                    continue;
                }
                threads.push(Task {
                    pid: tid,
                    tgid: process.pid,
                    stat: process.stat.clone(),
                    owner_uid: process.owner_uid,
                    ..Task::default()
                });
                continue;
            }
            let thread_dir = task_dir.number(tid);
            if let Ok(mut thread) =
                self.read_task(&thread_dir, tid, process.pid, needs.more_stat, buf)
            {
                if needs.thread_status() {
                    thread.status = self.read_status(&thread_dir, &thread.stat, needs, buf);
                }
                if !needs.extras.is_empty() {
                    thread.extras =
                        Some(Box::new(self.read_extras(&thread_dir, needs.extras, buf)));
                }
                thread.owner_uid = process.owner_uid;
                threads.push(thread);
            }
        }
        threads
    }

    /// The threads of a task directory in the kernel's order (the order
    /// they were created, which is the order ps shows them in; a thread ID
    /// handed out after a wrap can be lower than an older thread's), the
    /// main thread first.
    fn list_threads_at(&self, relative: &ProcPath, main: i32) -> io::Result<Vec<i32>> {
        let mut tids = Vec::new();
        self.list_pids_in(relative, |block| tids.extend_from_slice(block))?;
        if let Some(at) = tids.iter().position(|&t| t == main) {
            tids[..=at].rotate_right(1);
        }
        Ok(tids)
    }

    /// Passes the numeric entries of a directory below the root to `found`
    /// a block at a time, in the directory's order, as they are listed.
    /// Entries are read without an allocation each, into a buffer that holds
    /// about one block: the kernel fills a larger one with the whole of /proc
    /// at once, and the readers would wait for all of it.
    fn list_pids_in(&self, relative: &ProcPath, mut found: impl FnMut(&[i32])) -> io::Result<()> {
        let dir = openat(
            self.root_fd.as_fd(),
            relative.as_cstr(),
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(io::Error::from)?;
        let mut entries_buf = [MaybeUninit::<u8>::uninit(); LISTING_BUF];
        let mut entries = RawDir::new(dir, &mut entries_buf);
        let mut block = [0; handout::BLOCK];
        let mut len = 0;
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                // The directory's process ended while it was listed: what
                // was listed is all there is.
                Err(rustix::io::Errno::NOENT) => break,
                Err(e) => return Err(e.into()),
            };
            if let Some(pid) = parse_pid(entry.file_name().to_bytes()) {
                block[len] = pid;
                len += 1;
                if len == block.len() {
                    found(&block);
                    len = 0;
                }
            }
        }
        if len > 0 {
            found(&block[..len]);
        }
        Ok(())
    }

    /// Reads a file below the root; the bytes live in `buf` until its next use.
    fn read_at<'b>(&self, relative: &ProcPath, buf: &'b mut ReadBuf) -> io::Result<&'b [u8]> {
        let fd = openat(
            self.root_fd.as_fd(),
            relative.as_cstr(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
            Mode::empty(),
        )
        .map_err(io::Error::from)?;
        buf.fill_from(&mut File::from(fd))
    }
}

/// A relative path below the root ("812/task/813/stat"), built on the
/// stack and kept NUL-terminated, so opening a file allocates nothing.
#[derive(Clone, Copy)]
struct ProcPath {
    bytes: [u8; 64],
    len: usize,
}

impl ProcPath {
    fn new() -> Self {
        ProcPath {
            bytes: [0; 64],
            len: 0,
        }
    }

    fn push(mut self, part: &[u8]) -> Self {
        if self.len > 0 {
            self.bytes[self.len] = b'/';
            self.len += 1;
        }
        // Parts are pids and fixed names: 64 bytes hold the longest path.
        self.bytes[self.len..self.len + part.len()].copy_from_slice(part);
        self.len += part.len();
        self.bytes[self.len] = 0;
        self
    }

    /// Appends a pid or tid as a path component.
    fn number(self, n: i32) -> Self {
        let mut digits = [0u8; 12];
        let mut at = digits.len();
        let mut rest = n.unsigned_abs();
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            // Never a /proc entry, so opening it fails as it should.
            at -= 1;
            digits[at] = b'-';
        }
        self.push(&digits[at..])
    }

    fn file(self, name: &str) -> Self {
        self.push(name.as_bytes())
    }

    fn as_cstr(&self) -> &CStr {
        CStr::from_bytes_with_nul(&self.bytes[..=self.len]).unwrap_or_default()
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// One reusable read buffer. It stays initialised at its full size, so a
/// read neither zeroes nor allocates unless a file outgrows it.
struct ReadBuf {
    bytes: Vec<u8>,
}

impl ReadBuf {
    fn new() -> Self {
        ReadBuf {
            bytes: vec![0; 4096],
        }
    }

    /// Reads to the end. /proc hands out a whole small file in one read, so
    /// a read that leaves room in the buffer is taken as the end, saving the
    /// second call that would only return 0.
    fn fill_from(&mut self, file: &mut File) -> io::Result<&[u8]> {
        let mut len = 0;
        loop {
            if self.bytes.len() - len < 1024 {
                let grown = self.bytes.len() * 2;
                self.bytes.resize(grown, 0);
            }
            let room = self.bytes.len() - len;
            match file.read(&mut self.bytes[len..]) {
                Ok(n) => {
                    len += n;
                    if n < room {
                        return Ok(&self.bytes[..len]);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// The kernel marks its own threads with PF_KTHREAD in stat's flags.
const PF_KTHREAD: u32 = 0x0020_0000;

/// Whether status can hold no memory lines for this task: the kernel
/// prints them only for a task with memory of its own, which a kernel
/// thread never has and a zombie (Z, or X while it is being reaped) no
/// longer has. Knowing this from stat saves reading status, the costliest
/// file of a listing, for every such task when only memory is wanted.
fn status_is_empty(stat: &StatFields) -> bool {
    stat.flags & PF_KTHREAD != 0 || matches!(stat.state, 'Z' | 'X')
}

/// A directory entry that names a process or thread: digits only, above 0.
fn parse_pid(name: &[u8]) -> Option<i32> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name)
        .ok()?
        .parse()
        .ok()
        .filter(|&p| p > 0)
}

/// The first number on the line starting with `key` (or on the first line
/// when `key` is empty), as /proc/uptime, /proc/stat and /proc/meminfo use.
fn first_field<T: std::str::FromStr>(bytes: &[u8], key: &[u8]) -> Option<T> {
    let line = bytes
        .split(|&b| b == b'\n')
        .find(|line| key.is_empty() || line.starts_with(key))?;
    let rest = &line[key.len()..];
    let word = rest
        .split(|b| b.is_ascii_whitespace())
        .find(|w| !w.is_empty())?;
    std::str::from_utf8(word).ok()?.parse().ok()
}

/// The uid -> name map for a set of ids (used by selection by user too).
pub fn user_names(uids: impl Iterator<Item = u32>) -> HashMap<u32, String> {
    users::names_for(uids)
}

/// The gid -> name map for a set of ids.
pub fn group_names(gids: impl Iterator<Item = u32>) -> HashMap<u32, String> {
    users::group_names_for(gids)
}

pub use users::{gid_of_group, own_terminal, terminal, uid_for_name, uid_of_user, TerminalError};

#[cfg(test)]
mod tests {
    use super::*;

    /// Processes listed beyond the slots allocated before listing (as
    /// when many start during the listing) are read too, in PID order.
    #[test]
    fn a_listing_that_outgrows_its_slots_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("uptime", "1000.0 900.0\n"),
            ("stat", "cpu 1 2 3 4\nbtime 1700000000\n"),
            ("meminfo", "MemTotal: 1000 kB\n"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        for pid in 1..=700 {
            let pid_dir = dir.path().join(pid.to_string());
            std::fs::create_dir(&pid_dir).unwrap();
            let line = format!("{pid} (p{pid}) S 1 {pid} {pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n");
            std::fs::write(pid_dir.join("stat"), line).unwrap();
        }
        let reader = ProcReader::open(dir.path()).unwrap();
        let system = reader.system_info().unwrap();
        let needs = Needs::default();
        let pids = |snapshot: &Snapshot| snapshot.tasks.iter().map(|t| t.pid).collect::<Vec<_>>();
        let whole = reader.scan_sized(system.clone(), needs, 1, 1000).unwrap();
        assert_eq!(pids(&whole), (1..=700).collect::<Vec<_>>());
        // 600 slots start three threads and leave 100 PIDs beyond the slots.
        for (jobs, expected) in [(1, 0), (1, 5), (3, 5), (3, 300), (3, 600), (3, 700)] {
            let outgrown = reader
                .scan_sized(system.clone(), needs, jobs, expected)
                .unwrap();
            assert_eq!(outgrown.tasks, whole.tasks, "jobs {jobs}, slots {expected}");
        }
    }

    #[test]
    fn paths_are_built_as_text_would_be() {
        let dir = ProcPath::new().number(812);
        assert_eq!(dir.file("stat").as_str(), "812/stat");
        let thread = dir.file("task").number(2_147_483_647).file("status");
        assert_eq!(thread.as_str(), "812/task/2147483647/status");
        assert_eq!(thread.as_cstr().to_bytes(), thread.as_str().as_bytes());
        assert_eq!(ProcPath::new().number(0).as_str(), "0");
        assert_eq!(ProcPath::new().number(-5).as_str(), "-5");
        assert_eq!(ProcPath::new().number(i32::MIN).as_str(), "-2147483648");
    }

    #[test]
    fn pid_entries_are_positive_decimal_numbers() {
        assert_eq!(parse_pid(b"812"), Some(812));
        for name in [
            &b""[..],
            b"0",
            b"self",
            b"-1",
            b"12a",
            b"99999999999",
            b"\xff",
        ] {
            assert_eq!(parse_pid(name), None, "{name:?}");
        }
    }

    #[test]
    fn first_field_finds_keyed_and_plain_values() {
        assert_eq!(first_field::<f64>(b"123.45 678.9\n", b""), Some(123.45));
        assert_eq!(
            first_field::<u64>(b"cpu 1 2\nbtime 1700000000\n", b"btime"),
            Some(1_700_000_000)
        );
        assert_eq!(
            first_field::<u64>(b"MemTotal:       24000000 kB\n", b"MemTotal:"),
            Some(24_000_000)
        );
        assert_eq!(first_field::<u64>(b"nothing here\n", b"btime"), None);
    }
}
