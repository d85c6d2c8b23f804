//! The only part of pscope that reads /proc. It turns a /proc directory (the
//! real one or a captured tree given by `--proc-root`) into a [`Snapshot`].

pub mod parse;
mod users;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::stat::Mode;

use crate::model::{Snapshot, StatusFields, SystemInfo, Task};

/// Below this many processes per thread, a thread costs more than it saves.
const MIN_PIDS_PER_JOB: usize = 200;

/// How many threads read /proc by default: one per CPU, at most four.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Which per-process files a command needs. stat is always read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub status: bool,
    pub cmdline: bool,
    pub threads: bool,
    /// Read each thread's own stat; without it a thread is only its id.
    pub thread_stat: bool,
    /// Read status for every thread too (only needed for per-thread STAT).
    pub thread_status: bool,
    /// The owner of /proc/PID, which pstree takes for the user.
    pub owner: bool,
}

impl Needs {
    pub fn union(self, other: Needs) -> Needs {
        Needs {
            status: self.status || other.status,
            cmdline: self.cmdline || other.cmdline,
            threads: self.threads || other.threads,
            thread_stat: self.thread_stat || other.thread_stat,
            thread_status: self.thread_status || other.thread_status,
            owner: self.owner || other.owner,
        }
    }
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

/// What became of one process's stat file.
enum StatRead {
    Ok(Box<Task>),
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
        let mut buf = Vec::with_capacity(4096);
        let uptime = self
            .read_required("uptime", &mut buf)
            .and_then(|_| first_field(&buf, b"").ok_or_else(|| self.bad("uptime")))?;
        let boot_time = self
            .read_required("stat", &mut buf)
            .and_then(|_| first_field::<i64>(&buf, b"btime").ok_or_else(|| self.bad("stat")))?;
        let mem_total_kb = self.read_required("meminfo", &mut buf).and_then(|_| {
            first_field::<u64>(&buf, b"MemTotal:").ok_or_else(|| self.bad("meminfo"))
        })?;
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Ok(SystemInfo {
            hz: if hz > 0 { hz as u64 } else { 100 },
            boot_time,
            uptime,
            now,
            mem_total_kb,
        })
    }

    fn read_required(&self, name: &str, buf: &mut Vec<u8>) -> Result<(), SourceError> {
        self.read_at(name, buf).map_err(|error| SourceError {
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

    /// The numeric entries of the root directory, in readdir order.
    pub fn pids(&self) -> Result<Vec<i32>, SourceError> {
        list_pids(&self.root).map_err(|error| SourceError {
            path: self.root.clone(),
            error,
        })
    }

    /// Reads every process, skipping those that vanish or are malformed.
    /// With `jobs` above 1 the processes are split among that many threads:
    /// the cost is the kernel formatting each file, which runs in parallel.
    pub fn scan(&self, needs: Needs, jobs: usize) -> Result<Snapshot, SourceError> {
        let system = self.system_info()?;
        let pids = self.pids()?;
        let jobs = jobs
            .clamp(1, 64)
            .min(pids.len().div_ceil(MIN_PIDS_PER_JOB))
            .max(1);
        let chunk = pids.len().div_ceil(jobs).max(1);
        let parts: Vec<(Vec<Task>, Vec<String>)> = if jobs == 1 {
            vec![self.read_many(&pids, needs)]
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = pids
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || self.read_many(part, needs)))
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().unwrap_or_default())
                    .collect()
            })
        };
        let mut tasks = Vec::with_capacity(pids.len());
        let mut warnings = Vec::new();
        for (part_tasks, part_warnings) in parts {
            tasks.extend(part_tasks);
            warnings.extend(part_warnings);
        }
        let users = users::names_for(tasks.iter().flat_map(|t| {
            let thread_ids = t.threads.iter().flat_map(|th| [th.euid(), th.ruid()]);
            [t.euid(), t.ruid(), t.owner_uid]
                .into_iter()
                .chain(thread_ids)
                .flatten()
        }));
        Ok(Snapshot {
            system,
            tasks,
            users,
            warnings,
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

    fn read_many(&self, pids: &[i32], needs: Needs) -> (Vec<Task>, Vec<String>) {
        let mut tasks = Vec::with_capacity(pids.len());
        let mut warnings = Vec::new();
        let mut buf = Vec::with_capacity(4096);
        for &pid in pids {
            match self.read_process(pid, needs, &mut buf) {
                StatRead::Ok(task) => tasks.push(*task),
                StatRead::Gone => {}
                StatRead::Malformed(why) => warnings.push(why),
            }
        }
        (tasks, warnings)
    }

    /// Reads one process, or `None` when it does not exist (or is malformed).
    pub fn process(&self, pid: i32, needs: Needs) -> Option<Task> {
        let mut buf = Vec::with_capacity(4096);
        match self.read_process(pid, needs, &mut buf) {
            StatRead::Ok(task) => Some(*task),
            _ => None,
        }
    }

    fn read_process(&self, pid: i32, needs: Needs, buf: &mut Vec<u8>) -> StatRead {
        let dir = pid.to_string();
        let mut task = match self.read_task(&dir, pid, pid, buf) {
            StatRead::Ok(task) => task,
            other => return other,
        };
        if needs.status {
            task.status = self.read_status(&dir, buf);
        }
        if needs.cmdline {
            task.cmdline = self
                .read_at(&format!("{dir}/cmdline"), buf)
                .ok()
                .map(|_| buf.clone());
        }
        if needs.owner {
            task.owner_uid = nix::sys::stat::fstatat(
                self.root_fd.as_fd(),
                dir.as_str(),
                nix::fcntl::AtFlags::empty(),
            )
            .ok()
            .map(|st| st.st_uid);
        }
        if needs.threads {
            task.threads = self.read_threads(&dir, &task, needs, buf);
        }
        StatRead::Ok(task)
    }

    fn read_task(&self, dir: &str, pid: i32, tgid: i32, buf: &mut Vec<u8>) -> StatRead {
        let path = format!("{dir}/stat");
        if self.read_at(&path, buf).is_err() {
            return StatRead::Gone;
        }
        match parse::parse_stat(buf) {
            Ok((_, stat)) => StatRead::Ok(Box::new(Task {
                pid,
                tgid,
                stat,
                ..Task::default()
            })),
            Err(why) => StatRead::Malformed(format!(
                "skipping {}: malformed stat ({why})",
                self.root.join(&path).display()
            )),
        }
    }

    fn read_status(&self, dir: &str, buf: &mut Vec<u8>) -> Option<StatusFields> {
        self.read_at(&format!("{dir}/status"), buf).ok()?;
        Some(parse::parse_status(buf))
    }

    fn read_threads(
        &self,
        dir: &str,
        process: &Task,
        needs: Needs,
        buf: &mut Vec<u8>,
    ) -> Vec<Task> {
        let task_dir = format!("{dir}/task");
        let Ok(tids) = self.list_pids_at(&task_dir) else {
            return Vec::new();
        };
        // Not preallocated: most processes have one thread, which is not
        // kept below unless its own stat is wanted.
        let mut threads = Vec::new();
        for tid in tids {
            if !needs.thread_stat {
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
            let thread_dir = format!("{task_dir}/{tid}");
            if let StatRead::Ok(mut thread) = self.read_task(&thread_dir, tid, process.pid, buf) {
                if needs.thread_status {
                    thread.status = self.read_status(&thread_dir, buf);
                }
                thread.owner_uid = process.owner_uid;
                threads.push(*thread);
            }
        }
        threads
    }

    /// The numeric entries of a directory below the root (a task list),
    /// opened relative to the root like every other file.
    fn list_pids_at(&self, relative: &str) -> io::Result<Vec<i32>> {
        let mut dir = nix::dir::Dir::openat(
            self.root_fd.as_fd(),
            relative,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(io::Error::from)?;
        let mut pids = Vec::new();
        for entry in dir.iter() {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().to_bytes();
            if !name.is_empty() && name.iter().all(u8::is_ascii_digit) {
                if let Some(pid) = std::str::from_utf8(name)
                    .ok()
                    .and_then(|n| n.parse::<i32>().ok())
                {
                    pids.push(pid);
                }
            }
        }
        pids.sort_unstable();
        Ok(pids)
    }

    /// Reads a file below the root into `buf`, replacing its contents.
    fn read_at(&self, relative: &str, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        let fd = openat(
            self.root_fd.as_fd(),
            relative,
            OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
            Mode::empty(),
        )
        .map_err(io::Error::from)?;
        let mut file = File::from(fd);
        read_whole(&mut file, buf)
    }
}

/// Reads to the end. /proc hands out a whole small file in one read, so a
/// read that leaves room in the buffer is taken as the end, saving the
/// second call that would only return 0.
fn read_whole(file: &mut File, buf: &mut Vec<u8>) -> io::Result<()> {
    loop {
        if buf.capacity() - buf.len() < 1024 {
            buf.reserve(buf.capacity().max(4096));
        }
        let spare = buf.capacity() - buf.len();
        let start = buf.len();
        buf.resize(start + spare, 0);
        let n = match file.read(&mut buf[start..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                buf.truncate(start);
                continue;
            }
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        };
        buf.truncate(start + n);
        if n < spare {
            return Ok(());
        }
    }
}

fn list_pids(dir: &Path) -> io::Result<Vec<i32>> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = match entry {
            Ok(e) => e,
            // An entry that vanished while listing: nothing to show.
            Err(e) if e.raw_os_error() == Some(Errno::ENOENT as i32) => continue,
            Err(e) => return Err(e),
        };
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Ok(pid) = name.parse::<i32>() {
            if pid > 0 {
                pids.push(pid);
            }
        }
    }
    // /proc lists in pid order already; a captured tree may not.
    pids.sort_unstable();
    Ok(pids)
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

pub use users::uid_for_name;

#[cfg(test)]
mod tests {
    use super::*;

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
