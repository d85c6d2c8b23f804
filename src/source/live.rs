//! Reading /proc again and again, for the live view: each frame reads
//! every process's stat, and the other files only where something they
//! show can have changed since the last frame.
//!
//! - stat files are kept open between frames and read again from offset 0,
//!   which costs the kernel half of what an open, read and close does. An
//!   open file belongs to one process: once it has been reaped, the read
//!   fails, so a reused PID is never taken for the process before it.
//! - statm (top's SHR) is read again only when stat's memory counters
//!   (size, resident pages, page faults) moved.
//! - the owner of /proc/PID (top's USER) and the command line are read
//!   again only when the process has run (its CPU time, faults or state
//!   changed): it cannot change its ids or its arguments without running.
//! - /proc is listed again only when a PID has been handed out since the
//!   last listing (the kernel's ns_last_pid moved): otherwise no process
//!   can have started, and the processes listed before are read again.
//! - kernel threads and zombies have no memory: their statm is not read.
//! - user names are looked up once per user id.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use nix::fcntl::{openat, OFlag};
use nix::sys::stat::Mode;

use super::{parse, users, utmp, ProcPath, ProcReader, ReadBuf, SourceError};
use crate::model::{
    LiveNeeds, Needs, Snapshot, StatFields, StatusNeed, SystemInfo, SystemSample, Task, ThreadNeed,
};

/// At most this many stat files stay open. Each holds a page of kernel
/// memory while open; past the limit, files are opened for each read.
const KEPT_MAX: usize = 4096;

/// What is remembered of a process between frames, kept sorted by PID
/// (as /proc lists them) so that each frame merges with the last.
struct Known {
    pid: i32,
    /// The stat file, kept open.
    stat: Option<File>,
    starttime: u64,
    /// CPU time plus page faults (both only grow), shifted, with the state
    /// letter in the low byte, at the last read: when it moves, the
    /// process has run.
    ran_key: u64,
    /// stat's memory counters (size, resident pages, faults) when statm
    /// was last read, folded into one number.
    memory_key: u64,
    owner: Option<u32>,
    /// statm's shared pages, [`UNREAD`] before they are read.
    shared_pages: u64,
}

/// No statm read yet (or it could not be read).
const UNREAD: u64 = u64::MAX;

impl Known {
    /// A hole left in the list while its entry is being read.
    fn empty() -> Known {
        Known {
            pid: 0,
            stat: None,
            starttime: 0,
            ran_key: 0,
            memory_key: 0,
            owner: None,
            shared_pages: UNREAD,
        }
    }

    fn new(pid: i32, stat: &StatFields, faults: u64) -> Known {
        Known {
            pid,
            stat: None,
            starttime: stat.starttime,
            ran_key: ran_key(stat, faults),
            memory_key: memory_key(stat, faults),
            owner: None,
            shared_pages: UNREAD,
        }
    }
}

/// A reader that remembers what it read, frame to frame.
pub struct LiveReader {
    reader: ProcReader,
    system: SystemInfo,
    known: Vec<Known>,
    kept: usize,
    kept_max: usize,
    buf: ReadBuf,
    names: HashMap<u32, String>,
    utmp: PathBuf,
    /// The last listing, and ns_last_pid when it was made (`None` where
    /// the counter cannot be trusted: another PID namespace's /proc, or a
    /// captured tree).
    listed: Vec<i32>,
    listed_at: Option<u64>,
    own_namespace: bool,
    /// Processes skipped in this frame as malformed.
    warnings: Vec<String>,
    /// Command lines, when they are shown, by PID (kept apart: most
    /// views show none).
    cmdlines: HashMap<i32, Box<[u8]>>,
    /// Only these processes are read (top's `-p`), when given.
    only: Option<Vec<i32>>,
}

fn ran_key(stat: &StatFields, faults: u64) -> u64 {
    let grown = stat.utime.saturating_add(stat.stime).saturating_add(faults);
    // 56 bits of ticks and faults last 2^56 of them: no process gets there.
    (grown << 8) | u64::from(stat.state as u8)
}

fn memory_key(stat: &StatFields, faults: u64) -> u64 {
    stat.vsize.rotate_left(17) ^ (stat.rss_pages as u64).rotate_left(41) ^ faults
}

/// How many files may stay open: half of what this process may open, up
/// to [`KEPT_MAX`]; none but on a real /proc (a file of a captured tree
/// stays readable after it is removed). The soft limit is first raised
/// towards the hard one, as a program that needs many files is meant to.
fn kept_max(reader: &ProcReader) -> usize {
    let procfs = nix::sys::statfs::fstatfs(reader.root_fd.as_fd())
        .is_ok_and(|fs| fs.filesystem_type() == nix::sys::statfs::PROC_SUPER_MAGIC);
    if !procfs {
        return 0;
    }
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let wanted = 2 * KEPT_MAX as u64 + 64;
    let soft = match (limit.current, limit.maximum) {
        (Some(soft), hard) if soft < wanted => {
            let raised = hard.map_or(wanted, |h| h.min(wanted));
            let new = Rlimit {
                current: Some(raised),
                maximum: limit.maximum,
            };
            if setrlimit(Resource::Nofile, new).is_ok() {
                raised
            } else {
                soft
            }
        }
        (Some(soft), _) => soft,
        (None, _) => wanted,
    };
    usize::try_from(soft / 2).unwrap_or(KEPT_MAX).min(KEPT_MAX)
}

impl LiveReader {
    pub fn open(root: &std::path::Path) -> Result<Self, SourceError> {
        let reader = ProcReader::open(root)?;
        let system = reader.system_info()?;
        Ok(LiveReader {
            kept_max: kept_max(&reader),
            reader,
            system,
            known: Vec::new(),
            kept: 0,
            buf: ReadBuf::new(),
            names: HashMap::new(),
            utmp: PathBuf::from(utmp::UTMP_PATH),
            listed: Vec::new(),
            listed_at: None,
            own_namespace: false,
            warnings: Vec::new(),
            cmdlines: HashMap::new(),
            only: None,
        }
        .in_namespace())
    }

    /// Whether this /proc shows this process's own PID namespace, whose
    /// ns_last_pid /proc/sys shows: its `self` is this process.
    fn in_namespace(mut self) -> Self {
        let me = nix::fcntl::readlinkat(self.reader.root_fd.as_fd(), "self")
            .ok()
            .and_then(|p| p.to_str()?.parse::<u32>().ok());
        self.own_namespace = self.kept_max > 0 && me == Some(std::process::id());
        self
    }

    /// The last PID handed out in this PID namespace.
    fn last_pid(&mut self) -> Option<u64> {
        if !self.own_namespace {
            return None;
        }
        let path = ProcPath::new().file("sys/kernel/ns_last_pid");
        let bytes = self.reader.read_at(&path, &mut self.buf).ok()?;
        parse::parse_number(bytes)
    }

    /// Reads only these processes from now on (none is not listed).
    pub fn only(&mut self, mut pids: Vec<i32>) {
        pids.sort_unstable();
        pids.dedup();
        self.only = Some(pids);
    }

    /// The reader of the same /proc, for one-off reads (one process in full).
    pub fn reader(&self) -> &ProcReader {
        &self.reader
    }

    /// The system-wide counters now: uptime, load, CPU times, memory, users.
    pub fn sample(&mut self) -> Result<SystemSample, SourceError> {
        let r = &self.reader;
        let uptime = r
            .read_required("uptime", &mut self.buf)
            .and_then(|b| super::first_field(b, b"").ok_or_else(|| r.bad("uptime")))?;
        let (cpu, cpus) = parse::parse_cpu_lines(r.read_required("stat", &mut self.buf)?);
        let memory = parse::parse_meminfo(r.read_required("meminfo", &mut self.buf)?);
        // A captured tree may lack loadavg: zeros, as an idle machine has.
        let load = r
            .read_at(&ProcPath::new().file("loadavg"), &mut self.buf)
            .ok()
            .and_then(parse::parse_loadavg)
            .unwrap_or_default();
        Ok(SystemSample {
            uptime,
            load,
            cpu,
            cpus,
            memory,
            users: utmp::users_logged_in(&self.utmp),
            now: now(),
        })
    }

    /// Reads every process (every thread too, when asked) for one frame.
    pub fn read(
        &mut self,
        sample: &SystemSample,
        needs: LiveNeeds,
    ) -> Result<Snapshot, SourceError> {
        if !needs.cmdline && !self.cmdlines.is_empty() {
            self.cmdlines = HashMap::new();
        }
        let last_pid = self.last_pid();
        let pids = if let Some(only) = &self.only {
            only.clone()
        } else if last_pid.is_some() && last_pid == self.listed_at {
            std::mem::take(&mut self.listed)
        } else {
            let mut pids = Vec::with_capacity(self.known.len() + 64);
            self.reader
                .list_pids_in(&ProcPath::new().file("."), |block| {
                    pids.extend_from_slice(block)
                })
                .map_err(|error| SourceError {
                    path: self.reader.root.clone(),
                    error,
                })?;
            pids.sort_unstable();
            pids
        };
        let mut tasks = Vec::with_capacity(pids.len());
        let mut warnings = Vec::new();
        // Merge the last frame's processes with this listing, both by PID,
        // in place: what is not listed any more has ended (its file is
        // closed), what is new is added at the end and sorted in.
        let mut known = std::mem::take(&mut self.known);
        let (mut read, mut written) = (0, 0);
        let mut added = Vec::new();
        for &pid in &pids {
            while read < known.len() && known[read].pid < pid {
                let gone = std::mem::replace(&mut known[read], Known::empty());
                self.forget(gone);
                read += 1;
            }
            let before = (read < known.len() && known[read].pid == pid).then(|| {
                read += 1;
                std::mem::replace(&mut known[read - 1], Known::empty())
            });
            let was_known = before.is_some();
            match self.read_process(pid, before, needs) {
                (Some(task), Some(k)) => {
                    tasks.push(task);
                    if was_known {
                        known[written] = k;
                        written += 1;
                    } else {
                        added.push(k);
                    }
                }
                (_, k) => {
                    if let Some(k) = k {
                        self.forget(k);
                    }
                }
            }
        }
        for gone in known.drain(read..) {
            self.forget(gone);
        }
        known.truncate(written);
        if !added.is_empty() {
            known.append(&mut added);
            known.sort_by_key(|k| k.pid);
        }
        self.known = known;
        warnings.append(&mut self.warnings);
        self.listed = self.known.iter().map(|k| k.pid).collect();
        self.listed_at = last_pid;
        let uids: Vec<u32> = tasks
            .iter()
            .flat_map(|t| {
                let status = t.status.as_deref();
                let threads = t.threads.iter().filter_map(Task::euid);
                [
                    t.owner_uid,
                    t.euid(),
                    t.ruid(),
                    status.and_then(|s| s.more.as_ref()?.suid),
                    status.and_then(|s| s.more.as_ref()?.fsuid),
                ]
                .into_iter()
                .flatten()
                .chain(threads)
            })
            .collect();
        for uid in uids {
            if !self.names.contains_key(&uid) {
                let named = users::names_for(std::iter::once(uid));
                self.names.extend(named);
            }
        }
        let mut system = self.system.clone();
        system.uptime = sample.uptime;
        system.now = sample.now;
        if sample.memory.total > 0 {
            system.mem_total_kb = sample.memory.total;
        }
        let terminals = super::terminals::name_terminals(&self.reader, &tasks);
        Ok(Snapshot {
            system,
            tasks,
            users: self.names.clone(),
            groups: HashMap::new(),
            warnings,
            terminals,
        })
    }

    /// Drops what was known of an ended process, closing its file.
    fn forget(&mut self, known: Known) {
        if known.stat.is_some() {
            self.kept -= 1;
        }
        self.cmdlines.remove(&known.pid);
    }

    /// One process: its task and what to remember of it; no task when it
    /// has gone (or its stat is malformed, which adds a warning).
    fn read_process(
        &mut self,
        pid: i32,
        mut before: Option<Known>,
        needs: LiveNeeds,
    ) -> (Option<Task>, Option<Known>) {
        let dir = ProcPath::new().number(pid);
        let mut read = None;
        if let Some(k) = before.as_mut() {
            if let Some(file) = &k.stat {
                match pread_all(file, &mut self.buf) {
                    Ok(bytes) => read = Some(parse_at(&self.reader, &dir, bytes)),
                    Err(_) => {
                        // Its process has been reaped; the PID may be
                        // another's now.
                        k.stat = None;
                        self.kept -= 1;
                    }
                }
            }
        }
        let mut opened = None;
        if read.is_none() {
            let Some(file) = self.open_stat(&dir) else {
                return (None, before);
            };
            let mut file = file;
            match self.buf.fill_from(&mut file) {
                Ok(bytes) => read = Some(parse_at(&self.reader, &dir, bytes)),
                Err(_) => return (None, before),
            }
            opened = Some(file);
        }
        let (stat, faults) = match read {
            Some(Ok(read)) => read,
            Some(Err(why)) => {
                self.warnings.push(why);
                return (None, before);
            }
            None => return (None, before),
        };
        let fresh = before
            .as_ref()
            .is_none_or(|k| k.starttime != stat.starttime);
        let mut known = match before {
            Some(k) if !fresh => k,
            other => {
                // First seen, or a new process under a reused PID.
                if let Some(k) = other {
                    self.forget(k);
                }
                Known::new(pid, &stat, faults)
            }
        };
        if let Some(file) = opened {
            if known.stat.is_none() && self.kept < self.kept_max {
                known.stat = Some(file);
                self.kept += 1;
            }
        }
        let ran = fresh || known.ran_key != ran_key(&stat, faults);
        known.ran_key = ran_key(&stat, faults);
        let mut task = Task {
            pid,
            tgid: pid,
            stat,
            ..Task::default()
        };
        if needs.owner {
            if ran || known.owner.is_none() {
                known.owner = owner_of(&self.reader, &dir);
            }
            task.owner_uid = known.owner;
        }
        if needs.statm {
            let key = memory_key(&task.stat, faults);
            if super::status_is_empty(&task.stat) {
                known.shared_pages = 0;
            } else if fresh || known.shared_pages == UNREAD || known.memory_key != key {
                known.shared_pages = self
                    .reader
                    .read_at(&dir.file("statm"), &mut self.buf)
                    .ok()
                    .and_then(parse::parse_statm)
                    .map_or(UNREAD, |m| m.shared);
                known.memory_key = key;
            }
            task.shared_pages = Some(known.shared_pages).filter(|&p| p != UNREAD);
        }
        if needs.cmdline {
            if ran || !self.cmdlines.contains_key(&pid) {
                match self.reader.read_at(&dir.file("cmdline"), &mut self.buf) {
                    Ok(bytes) => {
                        self.cmdlines.insert(pid, Box::from(bytes));
                    }
                    Err(_) => {
                        self.cmdlines.remove(&pid);
                    }
                }
            }
            task.cmdline = self.cmdlines.get(&pid).map(|c| c.to_vec());
        }
        let files = needs.files;
        if files.status > StatusNeed::Nothing {
            task.status = self
                .reader
                .read_status(&dir, &task.stat, files, &mut self.buf);
        }
        if !files.extras.is_empty() {
            task.extras = Some(Box::new(self.reader.read_extras(
                &dir,
                files.extras,
                &mut self.buf,
            )));
        }
        if needs.threads && task.stat.num_threads != 1 {
            let thread_needs = Needs {
                threads: ThreadNeed::Own,
                ..files
            };
            task.threads = self
                .reader
                .read_threads(&dir, &task, thread_needs, &mut self.buf);
            for thread in &mut task.threads {
                thread.owner_uid = task.owner_uid;
            }
        }
        (Some(task), Some(known))
    }

    fn open_stat(&self, dir: &ProcPath) -> Option<File> {
        openat(
            self.reader.root_fd.as_fd(),
            dir.file("stat").as_cstr(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
            Mode::empty(),
        )
        .ok()
        .map(File::from)
    }
}

fn parse_at(
    reader: &ProcReader,
    dir: &ProcPath,
    bytes: &[u8],
) -> Result<(StatFields, u64), String> {
    parse::parse_stat_counting_faults(bytes, false)
        .map(|(_, stat, faults)| (stat, faults))
        .map_err(|why| {
            format!(
                "skipping {}: malformed stat ({why})",
                reader.root.join(dir.file("stat").as_str()).display()
            )
        })
}

/// Reads a kept file again from its start.
fn pread_all<'b>(file: &File, buf: &'b mut ReadBuf) -> io::Result<&'b [u8]> {
    let mut len = 0;
    loop {
        if buf.bytes.len() - len < 1024 {
            let grown = buf.bytes.len() * 2;
            buf.bytes.resize(grown, 0);
        }
        let room = buf.bytes.len() - len;
        match file.read_at(&mut buf.bytes[len..], len as u64) {
            Ok(0) if len == 0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                len += n;
                if n < room {
                    return Ok(&buf.bytes[..len]);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The owner of /proc/PID now (the process's effective uid, or root for
/// one that is not dumpable), as top shows it.
fn owner_of(reader: &ProcReader, dir: &ProcPath) -> Option<u32> {
    nix::sys::stat::fstatat(
        reader.root_fd.as_fd(),
        dir.as_cstr(),
        nix::fcntl::AtFlags::empty(),
    )
    .ok()
    .map(|st| st.st_uid)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat_line(pid: i32, state: char, utime: u64, starttime: u64, rss: u64) -> String {
        format!("{pid} (p{pid}) {state} 1 {pid} {pid} 0 -1 0 0 0 0 0 {utime} 0 0 0 20 0 1 0 {starttime} 4096 {rss} 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n")
    }

    fn fake_proc() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("uptime", "1000.50 900.0\n"),
            (
                "stat",
                "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nbtime 1700000000\n",
            ),
            ("meminfo", "MemTotal: 1000 kB\nMemFree: 500 kB\n"),
            ("loadavg", "0.50 0.25 0.10 1/80 99\n"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn write_process(root: &std::path::Path, pid: i32, stat: &str, statm: &str) {
        let d = root.join(pid.to_string());
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("stat"), stat).unwrap();
        std::fs::write(d.join("statm"), statm).unwrap();
        std::fs::write(d.join("cmdline"), format!("p{pid}\0")).unwrap();
    }

    #[test]
    fn frames_reread_statm_only_when_memory_moved() {
        let dir = fake_proc();
        write_process(dir.path(), 1, &stat_line(1, 'S', 5, 10, 100), "10 100 7\n");
        write_process(dir.path(), 2, &stat_line(2, 'R', 5, 20, 100), "10 100 8\n");
        let mut live = LiveReader::open(dir.path()).unwrap();
        let needs = LiveNeeds {
            statm: true,
            owner: true,
            cmdline: true,
            ..LiveNeeds::default()
        };
        let sample = live.sample().unwrap();
        assert_eq!(sample.uptime, 1000.5);
        assert_eq!(sample.load, [0.5, 0.25, 0.1]);
        assert_eq!((sample.cpu.user, sample.cpus.len()), (1, 1));
        assert_eq!(sample.memory.free, 500);
        let first = live.read(&sample, needs).unwrap();
        assert_eq!(first.tasks.len(), 2);
        assert_eq!(first.tasks[0].shared_pages, Some(7));
        assert_eq!(first.tasks[0].cmdline.as_deref(), Some(&b"p1\0"[..]));
        assert!(first.tasks[0].owner_uid.is_some());

        // Process 1 is unchanged: its statm is not read again. Process 2's
        // resident pages moved: its statm is.
        std::fs::write(dir.path().join("1/statm"), "10 100 99\n").unwrap();
        std::fs::write(dir.path().join("2/statm"), "10 200 9\n").unwrap();
        std::fs::write(dir.path().join("2/stat"), stat_line(2, 'R', 5, 20, 200)).unwrap();
        let second = live.read(&sample, needs).unwrap();
        assert_eq!(second.tasks[0].shared_pages, Some(7));
        assert_eq!(second.tasks[1].shared_pages, Some(9));
        assert_eq!(second.tasks[1].stat.rss_pages, 200);

        // Process 2 is replaced by a new one under the same PID (another
        // start time), and process 1 has gone.
        std::fs::remove_dir_all(dir.path().join("1")).unwrap();
        std::fs::remove_dir_all(dir.path().join("2")).unwrap();
        write_process(dir.path(), 2, &stat_line(2, 'S', 0, 500, 200), "10 200 3\n");
        let third = live.read(&sample, needs).unwrap();
        assert_eq!(third.tasks.len(), 1);
        assert_eq!(third.tasks[0].stat.starttime, 500);
        assert_eq!(third.tasks[0].shared_pages, Some(3));
        assert_eq!(live.known.len(), 1);
        assert_eq!(live.kept, 0, "files of a captured tree are never kept");
    }

    #[test]
    fn only_the_selected_processes_are_read() {
        let dir = fake_proc();
        write_process(dir.path(), 1, &stat_line(1, 'S', 5, 10, 100), "10 100 7\n");
        write_process(dir.path(), 2, &stat_line(2, 'R', 5, 20, 100), "10 100 8\n");
        let mut live = LiveReader::open(dir.path()).unwrap();
        live.only(vec![2, 2, 9]);
        let sample = live.sample().unwrap();
        let snapshot = live.read(&sample, LiveNeeds::default()).unwrap();
        let pids: Vec<i32> = snapshot.tasks.iter().map(|t| t.pid).collect();
        assert_eq!(pids, [2]);
    }

    #[test]
    fn stat_files_of_the_real_proc_are_kept_and_read_again() {
        let mut live = LiveReader::open(std::path::Path::new("/proc")).unwrap();
        assert!(live.kept_max > 0);
        let sample = live.sample().unwrap();
        let first = live.read(&sample, LiveNeeds::default()).unwrap();
        let me = std::process::id() as i32;
        let mine = |s: &Snapshot| s.tasks.iter().find(|t| t.pid == me).map(|t| t.stat.clone());
        let before = mine(&first).unwrap();
        // Files are kept for the first processes, up to the limit.
        assert_eq!(live.kept, live.known.len().min(live.kept_max));
        assert_eq!(
            live.kept,
            live.known.iter().filter(|k| k.stat.is_some()).count()
        );
        // Spin a little: the kept file shows the CPU time it took.
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < std::time::Duration::from_millis(60) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let second = live.read(&sample, LiveNeeds::default()).unwrap();
        let after = mine(&second).unwrap();
        assert_eq!(after.starttime, before.starttime);
        assert!(after.utime + after.stime > before.utime + before.stime);
    }
}
