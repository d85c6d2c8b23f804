//! Plain data read from /proc, and what to read of it. No I/O and no
//! formatting live here.

use std::collections::HashMap;

/// No PID is above this (the kernel's PID_MAX_LIMIT on 64-bit machines).
pub const PID_MAX_LIMIT: i32 = 1 << 22;

/// Which per-process files a command needs. stat is always read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub status: StatusNeed,
    pub cmdline: bool,
    /// The owner of /proc/PID, which pstree takes for the user.
    pub owner: bool,
    pub threads: ThreadNeed,
    pub extras: ExtraFiles,
    /// The rarely shown fields of stat ([`MoreStat`]).
    pub more_stat: bool,
    /// Which NUMA node each CPU belongs to ([`SystemInfo::cpu_nodes`]).
    pub numa_nodes: bool,
}

/// What a command needs of /proc/PID/status; each level includes the one
/// before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusNeed {
    /// Not read.
    #[default]
    Nothing,
    /// Its memory lines (VmLck, VmRSS, VmSize). A task with no memory of its
    /// own (a kernel thread, a zombie) has none, and its status is not read.
    Memory,
    /// Its Uid and Gid lines too: read for every task.
    Ids,
    /// Everything pscope knows in it, signal masks included (the whole
    /// file is scanned).
    All,
}

/// What a command needs of a process's threads (/proc/PID/task); each
/// level includes the one before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum ThreadNeed {
    /// Not listed.
    #[default]
    Nothing,
    /// Their ids only: each thread stands in with its process's fields.
    Ids,
    /// Each thread's own stat, and its status at the level the process's
    /// status is read.
    Own,
}

impl Needs {
    pub fn union(self, other: Needs) -> Needs {
        Needs {
            status: self.status.max(other.status),
            cmdline: self.cmdline || other.cmdline,
            owner: self.owner || other.owner,
            threads: self.threads.max(other.threads),
            extras: self.extras.union(other.extras),
            more_stat: self.more_stat || other.more_stat,
            numa_nodes: self.numa_nodes || other.numa_nodes,
        }
    }

    /// Whether each thread's status is read too.
    pub fn thread_status(self) -> bool {
        self.threads == ThreadNeed::Own && self.status > StatusNeed::Nothing
    }
}

/// What the live view reads of each process besides stat, frame after
/// frame (the reader re-reads a file only where it can have changed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveNeeds {
    /// statm, for top's SHR.
    pub statm: bool,
    /// The owner of /proc/PID, top's USER.
    pub owner: bool,
    /// The command line.
    pub cmdline: bool,
    /// One task per thread (/proc/PID/task/TID/stat).
    pub threads: bool,
    /// Files read every frame for other columns (status, extra files).
    pub files: Needs,
}

impl LiveNeeds {
    pub fn union(self, other: LiveNeeds) -> LiveNeeds {
        LiveNeeds {
            statm: self.statm || other.statm,
            owner: self.owner || other.owner,
            cmdline: self.cmdline || other.cmdline,
            threads: self.threads || other.threads,
            files: self.files.union(other.files),
        }
    }
}

/// A raw cmdline without the NUL that ends its last argument.
pub fn cmdline_body(raw: &[u8]) -> &[u8] {
    raw.strip_suffix(b"\0").unwrap_or(raw)
}

/// Splits a raw cmdline into its arguments. A trailing NUL ends the last
/// argument; empty arguments in the middle are kept (procfs drops them).
pub fn cmdline_args(raw: &[u8]) -> Vec<&[u8]> {
    if raw.is_empty() {
        return Vec::new();
    }
    cmdline_body(raw).split(|&b| b == 0).collect()
}

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
    /// The status a zombie leaves for wait() (field 52); 0 for a live
    /// process, and for one whose stat this user may not fully read.
    pub exit_code: Option<i32>,
    /// The rest of the line, kept only when a column asks for it (boxed, so
    /// that a listing that does not pays one pointer per task).
    pub more: Option<Box<MoreStat>>,
}

/// The fields of `/proc/PID/stat` that only some ps keywords show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoreStat {
    pub minflt: u64,
    pub cminflt: u64,
    pub majflt: u64,
    pub cmajflt: u64,
    /// CPU time of waited-for children (ps's `S`, cumulative).
    pub cutime: i64,
    pub cstime: i64,
    pub rsslim: u64,
    pub startcode: u64,
    pub endcode: u64,
    pub startstack: u64,
    pub kstkesp: u64,
    pub kstkeip: u64,
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
    /// Read with `StatusNeed::All` only.
    pub more: Option<Box<MoreStatus>>,
}

/// The lines of `/proc/PID/status` that only some keywords show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoreStatus {
    pub suid: Option<u32>,
    pub fsuid: Option<u32>,
    pub sgid: Option<u32>,
    pub fsgid: Option<u32>,
    /// SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt.
    pub signals: Option<SignalMasks>,
    pub groups: Option<Vec<u32>>,
    pub vm_data_kb: Option<u64>,
    pub vm_stk_kb: Option<u64>,
    /// The process tracing this one (ptrace), 0 for none.
    pub tracer_pid: Option<i32>,
}

/// Files beyond stat, status and cmdline that some ps keywords read; each
/// is read only when a column asks for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtraFiles(pub u16);

impl ExtraFiles {
    pub const IO: ExtraFiles = ExtraFiles(1);
    pub const SMAPS_ROLLUP: ExtraFiles = ExtraFiles(1 << 1);
    pub const CGROUP: ExtraFiles = ExtraFiles(1 << 2);
    pub const NAMESPACES: ExtraFiles = ExtraFiles(1 << 3);
    pub const OOM: ExtraFiles = ExtraFiles(1 << 4);
    pub const LOGINUID: ExtraFiles = ExtraFiles(1 << 5);
    pub const EXE: ExtraFiles = ExtraFiles(1 << 6);
    pub const AUTOGROUP: ExtraFiles = ExtraFiles(1 << 7);
    pub const WCHAN: ExtraFiles = ExtraFiles(1 << 8);
    pub const ATTR_CURRENT: ExtraFiles = ExtraFiles(1 << 9);
    pub const ENVIRON: ExtraFiles = ExtraFiles(1 << 10);
    pub const SYSCALL: ExtraFiles = ExtraFiles(1 << 11);

    pub const fn none() -> ExtraFiles {
        ExtraFiles(0)
    }

    pub fn contains(self, other: ExtraFiles) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: ExtraFiles) -> ExtraFiles {
        ExtraFiles(self.0 | other.0)
    }
}

/// The namespaces ps can show, in the order of [`TaskExtras::namespaces`].
pub const NAMESPACES: [&str; 8] = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"];

/// What the extra files held; a field is `None` when its file was not
/// asked for or could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskExtras {
    pub io: Option<IoCounters>,
    pub smaps: Option<SmapsRollup>,
    /// /proc/PID/cgroup as it reads.
    pub cgroup: Option<Vec<u8>>,
    /// The inode of each namespace, as [`NAMESPACES`] orders them.
    pub namespaces: [Option<u64>; 8],
    pub oom_score: Option<i32>,
    pub oom_score_adj: Option<i32>,
    /// The audit login uid; `u32::MAX` when unset.
    pub loginuid: Option<u32>,
    /// Where /proc/PID/exe points.
    pub exe: Option<Vec<u8>>,
    /// The autogroup's number and nice value.
    pub autogroup: Option<(i64, i64)>,
    /// The kernel function the task sleeps in.
    pub wchan: Option<Vec<u8>>,
    /// The security label (attr/current).
    pub label: Option<Vec<u8>>,
    pub environ: Option<Vec<u8>>,
    /// What /proc/PID/syscall said.
    pub syscall: Option<SyscallNow>,
}

/// /proc/PID/io.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IoCounters {
    pub rchar: u64,
    pub wchar: u64,
    pub syscr: u64,
    pub syscw: u64,
    pub read_bytes: u64,
    pub write_bytes: u64,
    pub cancelled_write_bytes: u64,
}

/// The sums of /proc/PID/smaps_rollup that ps shows, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SmapsRollup {
    pub pss: u64,
    pub private_clean: u64,
    pub private_dirty: u64,
}

/// A task's signals as /proc/PID/status reports them, one bit per signal
/// (bit N-1 for signal N).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignalMasks {
    /// Pending for this thread, and for the whole process.
    pub pending: u64,
    pub shared_pending: u64,
    pub blocked: u64,
    pub ignored: u64,
    pub caught: u64,
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
    /// What the extra files held, when a column asked for any.
    pub extras: Option<Box<TaskExtras>>,
    /// Threads of a process (tasks under /proc/PID/task), when asked for.
    /// In a scan, a single-threaded process has none listed: its only
    /// thread is the process itself.
    pub threads: Vec<Task>,
    /// Resident file-backed and shared pages (the third number of
    /// /proc/PID/statm), read by the live view only: top's SHR.
    pub shared_pages: Option<u64>,
}

/// /proc/PID/statm: sizes in pages. Its size and resident count are the
/// same counters as stat's vsize and rss; shared (file-backed and shmem
/// pages) is found nowhere else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Statm {
    pub size: u64,
    pub resident: u64,
    pub shared: u64,
}

/// The kernel marks its own threads with PF_KTHREAD in stat's flags.
pub const PF_KTHREAD: u32 = 0x0020_0000;

impl Task {
    /// A kernel thread: it runs only kernel code and makes no system calls.
    pub fn is_kernel_thread(&self) -> bool {
        self.stat.flags & PF_KTHREAD != 0
    }

    pub fn is_thread(&self) -> bool {
        self.pid != self.tgid
    }

    /// The effective user: status's, or where status could not be read,
    /// the owner of the process's directory (as ps takes it).
    pub fn euid(&self) -> Option<u32> {
        match &self.status {
            Some(status) => status.euid,
            None => self.owner_uid,
        }
    }

    pub fn ruid(&self) -> Option<u32> {
        self.status.as_ref().and_then(|s| s.ruid)
    }

    /// The status lines only some keywords show, or all absent.
    pub fn more_status(&self) -> &MoreStatus {
        static NONE: MoreStatus = MoreStatus {
            suid: None,
            fsuid: None,
            sgid: None,
            fsgid: None,
            signals: None,
            groups: None,
            vm_data_kb: None,
            vm_stk_kb: None,
            tracer_pid: None,
        };
        self.status
            .as_deref()
            .and_then(|s| s.more.as_deref())
            .unwrap_or(&NONE)
    }

    /// The stat fields only some keywords show, or zeros.
    pub fn more_stat(&self) -> &MoreStat {
        static NONE: MoreStat = MoreStat {
            minflt: 0,
            cminflt: 0,
            majflt: 0,
            cmajflt: 0,
            cutime: 0,
            cstime: 0,
            rsslim: 0,
            startcode: 0,
            endcode: 0,
            startstack: 0,
            kstkesp: 0,
            kstkeip: 0,
        };
        self.stat.more.as_deref().unwrap_or(&NONE)
    }

    /// User plus system CPU time, in clock ticks.
    pub fn cpu_ticks(&self) -> u64 {
        self.stat.utime.saturating_add(self.stat.stime)
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
    /// Bytes per memory page.
    pub page_size: u64,
    /// Digits of the largest PID (/proc/sys/kernel/pid_max), which sets
    /// the width of ps's PID columns.
    pub pid_digits: usize,
    /// The NUMA node of each CPU, by CPU number (-1 for a CPU no node
    /// lists), when a column asked for it and the system says.
    pub cpu_nodes: Option<Vec<i32>>,
}

impl Default for SystemInfo {
    /// A machine at its boot: Linux's usual clock rate, page size and pid_max.
    fn default() -> Self {
        SystemInfo {
            hz: 100,
            boot_time: 0,
            uptime: 0.0,
            now: 0,
            mem_total_kb: 0,
            page_size: 4096,
            pid_digits: 5,
            cpu_nodes: None,
        }
    }
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
        let after_boot = i64::try_from(starttime / self.hz.max(1)).unwrap_or(i64::MAX);
        self.boot_time.saturating_add(after_boot)
    }
}

/// What /proc/PID/syscall says a process is doing at the moment it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallNow {
    /// On a CPU right now: the kernel cannot say more.
    Running,
    /// Not inside a system call: running (or preempted in) its own code.
    User,
    /// Inside system call `number` (blocked there, or about to return),
    /// with its six arguments.
    Call { number: i64, args: [u64; 6] },
}

/// One open file descriptor of a process (/proc/PID/fd/N).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenFd {
    pub fd: i32,
    /// Where the link points: a path, or `pipe:[INODE]`, `socket:[INODE]`,
    /// `anon_inode:[eventpoll]`.
    pub target: String,
    /// What stat() of the link says of the open file, when asked for and
    /// readable ([`OpenFd::detail`]).
    pub detail: Option<FdDetail>,
}

/// The open file behind a descriptor: its inode (stat through the link)
/// and the descriptor's own state (/proc/PID/fdinfo/N).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FdDetail {
    /// st_mode: the file type bits and permissions (no type bits for an
    /// anonymous inode such as an epoll instance).
    pub mode: Option<u32>,
    pub device: Option<u64>,
    pub inode: Option<u64>,
    /// The file position (`pos:`).
    pub position: Option<u64>,
    /// The open flags (`flags:`, octal in the file): access mode and more.
    pub flags: Option<u64>,
    /// For an epoll instance, the descriptors registered in it (`tfd:`).
    pub epoll_targets: Vec<i32>,
}

/// One thread's answer to "what is it doing": the files under
/// /proc/PID/task/TID that say it, each with why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadWait {
    pub task: Task,
    pub syscall: Result<SyscallNow, ReadError>,
    /// The kernel function it sleeps in; `0` or empty when running.
    pub wchan: Result<String, ReadError>,
    /// The kernel stack, one function a line (root only).
    pub stack: Option<Result<Vec<String>, ReadError>>,
}

/// Why a file of a process could not be read, kept as data so that an
/// analysis can explain it (permission, a process that ended, hidepid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// EACCES or EPERM: the file needs ptrace access to the process.
    Denied,
    /// ENOENT or ESRCH: the process or thread ended, or /proc hides it.
    Gone,
    /// Anything else (a malformed file).
    Other,
}

impl ReadError {
    pub fn from_io(error: &std::io::Error) -> ReadError {
        match error.raw_os_error() {
            Some(1 | 13) => ReadError::Denied,
            Some(2 | 3) => ReadError::Gone,
            _ if error.kind() == std::io::ErrorKind::PermissionDenied => ReadError::Denied,
            _ if error.kind() == std::io::ErrorKind::NotFound => ReadError::Gone,
            _ => ReadError::Other,
        }
    }
}

/// A TCP or UDP socket from /proc/net/{tcp,tcp6,udp,udp6}.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InetSocket {
    pub protocol: &'static str,
    pub local: std::net::SocketAddr,
    pub remote: std::net::SocketAddr,
    /// The state as ss names it: LISTEN, ESTAB, CLOSE-WAIT, UNCONN ...
    pub state: &'static str,
    pub inode: u64,
}

/// A unix socket, from the kernel's sock_diag interface (or, without
/// it, /proc/net/unix, which knows no peers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnixSocket {
    pub inode: u64,
    /// stream, dgram or seqpacket.
    pub socket_type: &'static str,
    /// LISTEN, ESTAB or UNCONN.
    pub state: &'static str,
    /// The bound path, or `@name` in the abstract namespace.
    pub name: Option<Vec<u8>>,
    pub peer: Option<u64>,
}

/// Every socket of the machine's network namespace that pscope can name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketTables {
    pub inet: Vec<InetSocket>,
    pub unix: Vec<UnixSocket>,
    /// Whether the unix table has peers (sock_diag answered).
    pub unix_peers: bool,
}

/// Who holds an open file: a process and its descriptor, with the
/// descriptor's open flags (read or write end of a pipe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub pid: i32,
    pub fd: i32,
    pub flags: Option<u64>,
}

/// One line of /proc/PID/maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Permissions as maps writes them, e.g. r-xp.
    pub perms: String,
    /// The mapped file, or a name such as [heap] and [stack]; `None` for
    /// anonymous memory.
    pub path: Option<String>,
}

/// The times one CPU (or all of them, on the `cpu` line) spent in each
/// state, from /proc/stat, in clock ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    pub user: u64,
    pub nice: u64,
    pub system: u64,
    pub idle: u64,
    pub iowait: u64,
    pub irq: u64,
    pub softirq: u64,
    pub steal: u64,
    pub guest: u64,
    pub guest_nice: u64,
}

/// The lines of /proc/meminfo that top shows, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemInfo {
    pub total: u64,
    pub free: u64,
    pub available: u64,
    pub buffers: u64,
    pub cached: u64,
    pub reclaimable: u64,
    pub swap_total: u64,
    pub swap_free: u64,
}

/// The system-wide counters of one moment: what top's summary lines are
/// made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemSample {
    /// Seconds since boot, with the hundredths /proc/uptime gives.
    pub uptime: f64,
    /// The load averages over 1, 5 and 15 minutes.
    pub load: [f64; 3],
    /// All CPUs together (the `cpu` line).
    pub cpu: CpuTimes,
    /// Each CPU, in the order of their `cpuN` lines.
    pub cpus: Vec<CpuTimes>,
    pub memory: MemInfo,
    /// Users logged in (utmp's user-process records with a name).
    pub users: usize,
    /// When the sample was taken, seconds since the epoch.
    pub now: i64,
}

/// Everything one scan of /proc produced.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub system: SystemInfo,
    pub tasks: Vec<Task>,
    /// Names of the user ids seen in this snapshot.
    pub users: HashMap<u32, String>,
    /// Names of group ids, filled in by a command that shows groups.
    pub groups: HashMap<u32, String>,
    /// Processes skipped because their files were malformed, with the reason.
    pub warnings: Vec<String>,
    /// The names of the terminals in use, as /dev names them.
    pub terminals: TerminalNames,
}

/// The names of terminals under /dev (without `/dev/`): by device number,
/// and for the few processes whose own descriptors name theirs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalNames {
    /// By tty_nr, sorted; `None` where no file under /dev is that device.
    pub by_number: Vec<(i32, Option<String>)>,
    /// By task id, sorted: names found through a task's descriptors.
    pub by_task: Vec<(i32, String)>,
}

impl TerminalNames {
    /// The name found for this device number, if any.
    pub fn by_number(&self, tty_nr: i32) -> Option<&str> {
        self.by_number
            .binary_search_by_key(&tty_nr, |(nr, _)| *nr)
            .ok()
            .and_then(|i| self.by_number[i].1.as_deref())
    }

    /// The name of a task's terminal: its own if one was found, else its
    /// number's. `None` for no terminal, or one /dev does not name.
    pub fn of(&self, tid: i32, tty_nr: i32) -> Option<&str> {
        if tty_nr == 0 {
            return None;
        }
        match self.by_task.binary_search_by_key(&tid, |(pid, _)| *pid) {
            Ok(i) => Some(&self.by_task[i].1),
            Err(_) => self.by_number(tty_nr),
        }
    }
}

impl Snapshot {
    pub fn group_name(&self, gid: u32) -> String {
        self.groups
            .get(&gid)
            .cloned()
            .unwrap_or_else(|| gid.to_string())
    }

    pub fn user_name(&self, uid: u32) -> String {
        self.users
            .get(&uid)
            .cloned()
            .unwrap_or_else(|| uid.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmdline_keeps_empty_arguments() {
        assert_eq!(cmdline_args(b"a\0\0b\0"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(cmdline_args(b"a b"), vec![&b"a b"[..]]);
        assert!(cmdline_args(b"").is_empty());
    }

    #[test]
    fn times_saturate_on_hostile_values() {
        let sys = SystemInfo {
            hz: 100,
            boot_time: i64::MAX - 5,
            uptime: f64::MAX,
            now: 0,
            mem_total_kb: 0,
            ..SystemInfo::default()
        };
        assert_eq!(sys.start_epoch(u64::MAX), i64::MAX);
        assert_eq!(sys.elapsed_secs(u64::MAX), 0);
        let mut task = Task::default();
        task.stat.utime = u64::MAX;
        task.stat.stime = 5;
        assert_eq!(task.cpu_ticks(), u64::MAX);
    }
}
