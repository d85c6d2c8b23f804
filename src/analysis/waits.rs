//! What a thread waits on, from the system call it is in and the kernel
//! function it sleeps in: the descriptors of a read, a poll list or select
//! sets (read from its memory, as strace reads them), the registrations
//! of an epoll instance, the children of a wait, the time of a sleep, the
//! address of a futex, the child of a vfork. Threads that wait on the same
//! thing are grouped, and a stopped, traced or dead process is explained.

use std::collections::BTreeMap;

use super::syscalls::{self, Arch, Watches};
use crate::model::{OpenFd, ReadError, SyscallNow, Task, ThreadWait};

/// The most descriptors read from a poll list or select sets.
const MAX_POLL: u64 = 4096;
const MAX_SELECT_BITS: u64 = 65536;
const CLONE_VFORK: u64 = 0x4000;
const TIMER_ABSTIME: u64 = 1;

/// A piece of a process's memory that says what a call waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryRequest {
    pub address: u64,
    pub len: usize,
}

/// The memory to read for a call: the poll list, the three select sets
/// (a null set is asked as an empty request), or the time of a sleep.
pub fn memory_wanted(arch: Option<Arch>, call: &SyscallNow) -> Vec<MemoryRequest> {
    let SyscallNow::Call { number, args } = *call else {
        return Vec::new();
    };
    let Some(known) = arch.and_then(|a| syscalls::by_number(a, number)) else {
        return Vec::new();
    };
    match known.watches {
        Watches::PollList { list, count } if args[count] > 0 => vec![MemoryRequest {
            address: args[list],
            len: (args[count].min(MAX_POLL) * 8) as usize,
        }],
        Watches::SelectSets if args[0] > 0 => {
            let len = args[0].min(MAX_SELECT_BITS).div_ceil(64) as usize * 8;
            args[1..=3]
                .iter()
                .map(|&address| MemoryRequest {
                    address,
                    len: if address == 0 { 0 } else { len },
                })
                .collect()
        }
        Watches::Sleep { request, .. } if args[request] != 0 => vec![MemoryRequest {
            address: args[request],
            len: 16,
        }],
        _ => Vec::new(),
    }
}

/// What a thread waits on.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// Descriptors, named by the arguments, the process's memory or an
    /// epoll instance's fdinfo.
    Descriptors(Vec<i32>),
    /// An epoll instance and the descriptors registered in it.
    Epoll {
        instance: i32,
        fds: Vec<i32>,
    },
    /// A poll list or select sets that could not be read, and why.
    Unseen {
        count: u64,
        why: String,
    },
    /// Children: those that match, and what the call asked for.
    Children {
        asked: String,
        pids: Vec<i32>,
    },
    /// A sleep: its length (or the instant, for an absolute one).
    Timer {
        seconds: Option<f64>,
        absolute: bool,
    },
    Futex {
        address: u64,
    },
    /// A vfork parent's child, until it execs or exits.
    VforkChild(Option<i32>),
    Nothing,
}

/// One thread, understood.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadFinding {
    pub tid: i32,
    pub state: char,
    /// The call's number and name.
    pub call: Option<(i64, String)>,
    pub waits_for: Option<&'static str>,
    /// Where it is when not in a call, or why the call cannot be read.
    pub activity: Option<String>,
    pub object: Object,
    pub wchan: Option<String>,
    pub stack: Option<Vec<String>>,
}

impl ThreadFinding {
    /// The descriptors it waits on.
    pub fn fds(&self) -> &[i32] {
        match &self.object {
            Object::Descriptors(fds) => fds,
            Object::Epoll { fds, .. } => fds,
            _ => &[],
        }
    }

    /// The children it waits for.
    pub fn children(&self) -> Vec<i32> {
        match &self.object {
            Object::Children { pids, .. } => pids.clone(),
            Object::VforkChild(Some(pid)) => vec![*pid],
            _ => Vec::new(),
        }
    }

    /// The call and its object in words: "pselect6 on fds 3, 4".
    pub fn summary(&self) -> String {
        let name = match &self.call {
            Some((_, name)) => name.clone(),
            None => return self.activity.clone().unwrap_or_default(),
        };
        let list = |fds: &[i32]| {
            fds.iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let fd_word = |n: usize| if n == 1 { "fd" } else { "fds" };
        match &self.object {
            Object::Descriptors(fds) if fds.is_empty() => format!("{name} on no descriptor"),
            Object::Descriptors(fds) => format!("{name} on {} {}", fd_word(fds.len()), list(fds)),
            Object::Epoll { instance, fds } => format!(
                "{name} on epoll instance fd {instance}, which watches {} {}",
                fd_word(fds.len()),
                if fds.is_empty() {
                    "nothing".to_string()
                } else {
                    list(fds)
                }
            ),
            Object::Unseen { count, why } => {
                format!("{name} over {count} descriptors, not named ({why})")
            }
            Object::Children { asked, pids } if pids.is_empty() => {
                format!("{name} for {asked} (none exists now)")
            }
            Object::Children { asked, pids } => format!(
                "{name} for {asked}: {}",
                pids.iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Object::Timer {
                seconds: Some(s),
                absolute: false,
            } => format!("{name}: a timer of {s:.3} s"),
            Object::Timer {
                seconds: Some(s),
                absolute: true,
            } => format!("{name}: until the clock reads {s:.3} s"),
            Object::Timer { seconds: None, .. } => format!("{name}: a timer"),
            Object::Futex { address } => format!("{name} wait on the word at {address:#x}"),
            Object::VforkChild(Some(child)) => {
                format!("{name}: until child {child} execs or exits")
            }
            Object::VforkChild(None) => format!("{name}: until its child execs or exits"),
            Object::Nothing => name,
        }
    }
}

/// What the reader found for one thread, with the memory that its call
/// points to (in the order of [`memory_wanted`]).
pub struct ThreadFacts<'a> {
    pub wait: &'a ThreadWait,
    pub memory: Vec<Result<Vec<u8>, ReadError>>,
}

/// The process a thread belongs to, as far as the analysis needs it.
pub struct ProcessFacts<'a> {
    pub process: &'a Task,
    pub descriptors: &'a [OpenFd],
    /// Its children (processes whose parent it is).
    pub children: &'a [&'a Task],
}

/// Why a file could not be read, in words.
pub fn read_error_text(error: ReadError) -> &'static str {
    match error {
        ReadError::Denied => {
            "permission denied: it needs ptrace access to the process (its owner or root)"
        }
        ReadError::Gone => "the thread has ended, or /proc hides it",
        ReadError::Other => "its contents could not be understood",
    }
}

/// Understands one thread.
pub fn thread(arch: Option<Arch>, facts: &ThreadFacts, process: &ProcessFacts) -> ThreadFinding {
    let wait = facts.wait;
    let mut finding = ThreadFinding {
        tid: wait.task.pid,
        state: wait.task.stat.state,
        call: None,
        waits_for: None,
        activity: None,
        object: Object::Nothing,
        wchan: wait
            .wchan
            .as_ref()
            .ok()
            .filter(|w| !w.is_empty() && w.as_str() != "0")
            .cloned(),
        stack: wait.stack.as_ref().and_then(|s| s.as_ref().ok()).cloned(),
    };
    let (number, args) = match &wait.syscall {
        _ if wait.task.is_kernel_thread() => {
            finding.activity = Some("a kernel thread, in kernel code only".into());
            return finding;
        }
        Ok(SyscallNow::Running) => {
            finding.activity = Some("running on a CPU".into());
            return finding;
        }
        Ok(SyscallNow::User) => {
            finding.activity = Some("in its own code, not in a system call".into());
            return finding;
        }
        Ok(SyscallNow::Call { number, args }) => (*number, *args),
        Err(e) => {
            finding.activity = Some(format!(
                "system call not readable ({})",
                read_error_text(*e)
            ));
            return finding;
        }
    };
    finding.call = Some((number, syscalls::name_for(arch, number)));
    let Some(known) = arch.and_then(|a| syscalls::by_number(a, number)) else {
        return finding;
    };
    finding.waits_for = Some(known.waits_for);
    let memory = |i: usize| facts.memory.get(i);
    finding.object = match known.watches {
        Watches::Descriptor(i) => Object::Descriptors(vec![args[i] as i32]),
        Watches::PollList { count, .. } => match memory(0) {
            Some(Ok(bytes)) => Object::Descriptors(poll_fds(bytes)),
            Some(Err(e)) => Object::Unseen {
                count: args[count],
                why: memory_error(*e),
            },
            None => Object::Descriptors(Vec::new()),
        },
        Watches::SelectSets => {
            let mut fds = Vec::new();
            let mut failed = None;
            for set in &facts.memory {
                match set {
                    Ok(bytes) => fds.extend(select_fds(bytes, args[0])),
                    Err(e) => failed = Some(*e),
                }
            }
            fds.sort_unstable();
            fds.dedup();
            match failed {
                Some(e) if fds.is_empty() => Object::Unseen {
                    count: args[0],
                    why: memory_error(e),
                },
                _ => Object::Descriptors(fds),
            }
        }
        Watches::EpollInstance(i) => {
            let instance = args[i] as i32;
            let fds = process
                .descriptors
                .iter()
                .find(|o| o.fd == instance)
                .and_then(|o| o.detail.as_ref())
                .map(|d| d.epoll_targets.clone())
                .unwrap_or_default();
            Object::Epoll { instance, fds }
        }
        Watches::Child => {
            let (asked, pids) = waited_children(args[0] as i64 as i32 as i64, process);
            Object::Children { asked, pids }
        }
        Watches::WaitId => {
            let id = args[1] as i32 as i64;
            let (asked, pids) = match args[0] {
                0 => waited_children(-1, process),
                1 => waited_children(id, process),
                2 => waited_children(if id == 0 { 0 } else { -id }, process),
                _ => ("the child of a pidfd".to_string(), Vec::new()),
            };
            Object::Children { asked, pids }
        }
        Watches::Sleep { flags, .. } => Object::Timer {
            seconds: match memory(0) {
                Some(Ok(bytes)) => timespec_seconds(bytes),
                _ => None,
            },
            absolute: flags.is_some_and(|f| args[f] & TIMER_ABSTIME != 0),
        },
        Watches::Futex => Object::Futex { address: args[0] },
        Watches::VforkChild => {
            let vfork = known.name == "vfork"
                || (known.name == "clone" && args[0] & CLONE_VFORK != 0)
                || finding.state == 'D';
            if vfork {
                Object::VforkChild(vfork_child(process))
            } else {
                Object::Nothing
            }
        }
        Watches::Nothing => Object::Nothing,
    };
    finding
}

fn memory_error(error: ReadError) -> String {
    match error {
        ReadError::Denied => "its memory may be read only with ptrace access".into(),
        ReadError::Gone => "the process has ended".into(),
        ReadError::Other => "its memory could not be read".into(),
    }
}

/// The descriptors of a poll list: struct pollfd { int fd; short events;
/// short revents; }, 8 bytes each; a negative fd is skipped by poll.
fn poll_fds(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks_exact(8)
        .filter_map(|c| c[..4].try_into().ok().map(i32::from_ne_bytes))
        .filter(|&fd| fd >= 0)
        .collect()
}

/// The descriptors of a select set below `nfds`: bit N of the set (in
/// 64-bit words) is descriptor N.
fn select_fds(bytes: &[u8], nfds: u64) -> Vec<i32> {
    let mut fds = Vec::new();
    for (w, word) in bytes.chunks_exact(8).enumerate() {
        let Ok(word) = word.try_into().map(u64::from_ne_bytes) else {
            continue;
        };
        for bit in 0..64 {
            let fd = (w * 64 + bit) as u64;
            if fd < nfds && word & (1 << bit) != 0 {
                fds.push(fd as i32);
            }
        }
    }
    fds
}

/// struct timespec { time_t tv_sec; long tv_nsec; } on a 64-bit machine.
fn timespec_seconds(bytes: &[u8]) -> Option<f64> {
    let secs = i64::from_ne_bytes(bytes.get(..8)?.try_into().ok()?);
    let nanos = i64::from_ne_bytes(bytes.get(8..16)?.try_into().ok()?);
    (secs >= 0 && (0..1_000_000_000).contains(&nanos)).then(|| secs as f64 + nanos as f64 / 1e9)
}

/// wait4's first argument in words, with the children it matches.
fn waited_children(pid: i64, process: &ProcessFacts) -> (String, Vec<i32>) {
    let kids = process.children;
    let pick = |keep: &dyn Fn(&Task) -> bool| -> Vec<i32> {
        kids.iter().filter(|t| keep(t)).map(|t| t.pid).collect()
    };
    match pid {
        -1 => ("any child".into(), pick(&|_| true)),
        0 => (
            format!(
                "any child in its process group {}",
                process.process.stat.pgrp
            ),
            pick(&|t| t.stat.pgrp == process.process.stat.pgrp),
        ),
        p if p < -1 => (
            format!("any child in process group {}", -p),
            pick(&|t| i64::from(t.stat.pgrp) == -p),
        ),
        p => (format!("child {p}"), pick(&|t| i64::from(t.pid) == p)),
    }
}

/// The child of a vfork parent: the one that still shares its memory (the
/// same code and stack addresses in stat), else the youngest child.
fn vfork_child(process: &ProcessFacts) -> Option<i32> {
    let mine = process.process.more_stat();
    let shares = |t: &Task| {
        let theirs = t.more_stat();
        mine.startstack != 0
            && theirs.startstack == mine.startstack
            && theirs.startcode == mine.startcode
    };
    process
        .children
        .iter()
        .find(|t| shares(t))
        .or_else(|| process.children.iter().max_by_key(|t| t.stat.starttime))
        .map(|t| t.pid)
}

/// Threads that wait on the same thing, together.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitGroup {
    pub tids: Vec<i32>,
    pub finding: ThreadFinding,
}

/// Groups threads by state, call and object (and wchan), in the order of
/// their first thread.
pub fn group(findings: Vec<ThreadFinding>) -> Vec<WaitGroup> {
    let mut groups: Vec<WaitGroup> = Vec::new();
    let mut index: BTreeMap<(char, String, Option<String>), usize> = BTreeMap::new();
    for f in findings {
        let key = (f.state, f.summary(), f.wchan.clone());
        match index.get(&key) {
            Some(&at) => groups[at].tids.push(f.tid),
            None => {
                index.insert(key, groups.len());
                groups.push(WaitGroup {
                    tids: vec![f.tid],
                    finding: f,
                });
            }
        }
    }
    groups
}

/// How a process stands, beyond its threads' waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Normal,
    /// T: stopped by this signal (stat field 52 holds it), or by a tracer.
    Stopped {
        signal: Option<i32>,
        tracer: Option<i32>,
    },
    /// t: stopped by its tracer.
    Traced {
        tracer: Option<i32>,
    },
    /// Z: its parent has not called wait().
    Zombie {
        parent: i32,
    },
}

/// What stops or ends a process, from its state, stat's exit code field
/// and status's TracerPid.
pub fn standing(task: &Task) -> Standing {
    let tracer = task.more_status().tracer_pid.filter(|&t| t > 0);
    match task.stat.state {
        'T' => Standing::Stopped {
            signal: task.stat.exit_code.filter(|&s| s > 0),
            tracer,
        },
        't' => Standing::Traced { tracer },
        'Z' if task.stat.num_threads <= 1 => Standing::Zombie {
            parent: task.stat.ppid,
        },
        _ => Standing::Normal,
    }
}

/// One row of `why --all`: tasks seen in one state, call and wchan.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitCount {
    pub state: char,
    pub syscall: String,
    pub wchan: String,
    pub count: usize,
}

/// Samples of every task, counted by state, system call and wchan, as
/// 0x.tools' psn counts them.
#[derive(Debug, Default)]
pub struct Tally {
    counts: BTreeMap<(char, String, String), usize>,
    pub samples: usize,
    /// Tasks seen in the last sample.
    pub tasks: usize,
}

impl Tally {
    /// Counts one sample: every task (a process's threads when listed,
    /// else the process).
    pub fn add(&mut self, arch: Option<Arch>, processes: &[Task]) {
        self.samples += 1;
        self.tasks = 0;
        for p in processes {
            let tasks: &[Task] = if p.threads.is_empty() {
                std::slice::from_ref(p)
            } else {
                &p.threads
            };
            for t in tasks {
                self.tasks += 1;
                let extras = t.extras.as_deref();
                let syscall = match extras.and_then(|e| e.syscall) {
                    _ if t.is_kernel_thread() => "kernel".to_string(),
                    Some(SyscallNow::Running) => "running".to_string(),
                    Some(SyscallNow::User) => "user".to_string(),
                    Some(SyscallNow::Call { number, .. }) => syscalls::name_for(arch, number),
                    None => "-".to_string(),
                };
                let wchan = extras
                    .and_then(|e| e.wchan.as_deref())
                    .map(|w| String::from_utf8_lossy(w).trim().to_string())
                    .filter(|w| !w.is_empty() && w != "0")
                    .unwrap_or_else(|| "-".into());
                *self
                    .counts
                    .entry((t.stat.state, syscall, wchan))
                    .or_default() += 1;
            }
        }
    }

    /// The rows: active tasks (R and D) first, then the most seen; only
    /// active ones unless `all_states`.
    pub fn rows(&self, all_states: bool) -> Vec<WaitCount> {
        let active = |s: char| matches!(s, 'R' | 'D');
        let mut rows: Vec<WaitCount> = self
            .counts
            .iter()
            .filter(|((state, _, _), _)| all_states || active(*state))
            .map(|((state, syscall, wchan), &count)| WaitCount {
                state: *state,
                syscall: syscall.clone(),
                wchan: wchan.clone(),
                count,
            })
            .collect();
        rows.sort_by(|a, b| {
            active(b.state)
                .cmp(&active(a.state))
                .then(b.count.cmp(&a.count))
                .then(a.state.cmp(&b.state))
        });
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FdDetail, MoreStat, StatFields};

    fn wait(tid: i32, state: char, call: SyscallNow) -> ThreadWait {
        ThreadWait {
            task: Task {
                pid: tid,
                tgid: 100,
                stat: StatFields {
                    state,
                    ..StatFields::default()
                },
                ..Task::default()
            },
            syscall: Ok(call),
            wchan: Ok("do_sys_poll".into()),
            stack: None,
        }
    }

    fn process<'a>(task: &'a Task, fds: &'a [OpenFd], kids: &'a [&'a Task]) -> ProcessFacts<'a> {
        ProcessFacts {
            process: task,
            descriptors: fds,
            children: kids,
        }
    }

    fn call(number: i64, args: [u64; 6]) -> SyscallNow {
        SyscallNow::Call { number, args }
    }

    #[test]
    fn poll_and_select_name_their_descriptors_from_memory() {
        let x86 = Some(Arch::X86_64);
        let poll = call(7, [0x1000, 3, 0, 0, 0, 0]);
        assert_eq!(
            memory_wanted(x86, &poll),
            vec![MemoryRequest {
                address: 0x1000,
                len: 24
            }]
        );
        let mut list = Vec::new();
        for fd in [3i32, -1, 9] {
            list.extend(fd.to_ne_bytes());
            list.extend([1, 0, 0, 0]);
        }
        let t = Task::default();
        let p = process(&t, &[], &[]);
        let w = wait(100, 'S', poll);
        let f = thread(
            x86,
            &ThreadFacts {
                wait: &w,
                memory: vec![Ok(list)],
            },
            &p,
        );
        assert_eq!(f.object, Object::Descriptors(vec![3, 9]));
        assert_eq!(f.summary(), "poll on fds 3, 9");

        // pselect6(nfds 8, readfds, NULL, NULL): fds 0 and 5.
        let sel = call(270, [8, 0x2000, 0, 0, 0, 0]);
        let wanted = memory_wanted(x86, &sel);
        assert_eq!(wanted.len(), 3);
        assert_eq!((wanted[0].len, wanted[1].len), (8, 0));
        let w = wait(100, 'S', sel);
        let set = (0b10_0001u64).to_ne_bytes().to_vec();
        let f = thread(
            x86,
            &ThreadFacts {
                wait: &w,
                memory: vec![Ok(set), Ok(vec![]), Ok(vec![])],
            },
            &p,
        );
        assert_eq!(f.fds(), &[0, 5]);
        let denied = thread(
            x86,
            &ThreadFacts {
                wait: &w,
                memory: vec![Err(ReadError::Denied); 3],
            },
            &p,
        );
        assert!(matches!(denied.object, Object::Unseen { count: 8, .. }));
    }

    #[test]
    fn aarch64_numbers_decode_the_same_calls() {
        let arm = Some(Arch::Aarch64);
        let t = Task::default();
        let fds = [OpenFd {
            fd: 4,
            target: "anon_inode:[eventpoll]".into(),
            detail: Some(FdDetail {
                epoll_targets: vec![3, 5],
                ..FdDetail::default()
            }),
        }];
        let p = process(&t, &fds, &[]);
        for (number, args, summary) in [
            (63, [3, 0, 0, 0, 0, 0], "read on fd 3"),
            (
                22,
                [4, 0, 0, 0, 0, 0],
                "epoll_pwait on epoll instance fd 4, which watches fds 3, 5",
            ),
            (202, [6, 0, 0, 0, 0, 0], "accept on fd 6"),
            (242, [6, 0, 0, 0, 0, 0], "accept4 on fd 6"),
            (
                98,
                [0xabc0, 0x80, 0, 0, 0, 0],
                "futex wait on the word at 0xabc0",
            ),
            (
                260,
                [u64::MAX, 0, 0, 0, 0, 0],
                "wait4 for any child (none exists now)",
            ),
        ] {
            let w = wait(100, 'S', call(number, args));
            let f = thread(
                arm,
                &ThreadFacts {
                    wait: &w,
                    memory: vec![],
                },
                &p,
            );
            assert_eq!(f.summary(), summary, "aarch64 call {number}");
        }
        // x86_64's epoll_wait number means something else on aarch64.
        assert!(memory_wanted(arm, &call(7, [1, 1, 0, 0, 0, 0])).is_empty());
    }

    #[test]
    fn waits_name_children_sleeps_and_vfork_children() {
        let x86 = Some(Arch::X86_64);
        let mut parent = Task::default();
        parent.stat.pgrp = 50;
        parent.stat.more = Some(Box::new(MoreStat {
            startstack: 0x7ff0,
            startcode: 0x400,
            ..MoreStat::default()
        }));
        let mut a = Task {
            pid: 201,
            ..Task::default()
        };
        a.stat.pgrp = 50;
        let mut b = Task {
            pid: 202,
            ..Task::default()
        };
        b.stat.more = parent.stat.more.clone();
        b.stat.pgrp = 60;
        let kids = [&a, &b];
        let p = process(&parent, &[], &kids);
        let facts = |w: &ThreadWait, memory| thread(x86, &ThreadFacts { wait: w, memory }, &p);
        let w = wait(100, 'S', call(61, [202, 0, 0, 0, 0, 0]));
        assert_eq!(facts(&w, vec![]).summary(), "wait4 for child 202: 202");
        let w = wait(100, 'S', call(61, [0, 0, 0, 0, 0, 0]));
        assert_eq!(facts(&w, vec![]).children(), vec![201]);
        let w = wait(100, 'S', call(61, [-60i64 as u64, 0, 0, 0, 0, 0]));
        assert_eq!(facts(&w, vec![]).children(), vec![202]);
        let w = wait(100, 'S', call(35, [0x10, 0, 0, 0, 0, 0]));
        let mut ts = 2i64.to_ne_bytes().to_vec();
        ts.extend(500_000_000i64.to_ne_bytes());
        assert_eq!(
            facts(&w, vec![Ok(ts)]).summary(),
            "nanosleep: a timer of 2.500 s"
        );
        let w = wait(100, 'D', call(58, [0; 6]));
        assert_eq!(facts(&w, vec![]).object, Object::VforkChild(Some(202)));
    }

    #[test]
    fn threads_on_the_same_thing_are_grouped() {
        let x86 = Some(Arch::X86_64);
        let t = Task::default();
        let p = process(&t, &[], &[]);
        let findings: Vec<ThreadFinding> = [(1, 0xa0), (2, 0xa0), (3, 0xb0)]
            .iter()
            .map(|&(tid, addr)| {
                let w = wait(tid, 'S', call(202, [addr, 0x80, 0, 0, 0, 0]));
                thread(
                    x86,
                    &ThreadFacts {
                        wait: &w,
                        memory: vec![],
                    },
                    &p,
                )
            })
            .collect();
        let groups = group(findings);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].tids, vec![1, 2]);
    }

    #[test]
    fn samples_count_active_tasks_first() {
        use crate::model::TaskExtras;
        let task = |pid, state, call, wchan: &str| {
            let mut t = Task {
                pid,
                tgid: pid,
                ..Task::default()
            };
            t.stat.state = state;
            t.extras = Some(Box::new(TaskExtras {
                syscall: Some(call),
                wchan: Some(wchan.as_bytes().to_vec()),
                ..TaskExtras::default()
            }));
            t
        };
        let sample = vec![
            task(1, 'S', call(232, [0; 6]), "ep_poll"),
            task(2, 'S', call(232, [0; 6]), "ep_poll"),
            task(3, 'R', SyscallNow::Running, "0"),
            task(4, 'D', call(0, [0; 6]), "folio_wait_bit"),
        ];
        let mut tally = Tally::default();
        tally.add(Some(Arch::X86_64), &sample);
        tally.add(Some(Arch::X86_64), &sample);
        let rows = tally.rows(false);
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.count == 2));
        let all = tally.rows(true);
        assert_eq!(all.last().unwrap().syscall, "epoll_wait");
        assert_eq!(all.last().unwrap().count, 4);
        assert_eq!(rows.iter().find(|r| r.state == 'R').unwrap().wchan, "-");
        assert_eq!((tally.samples, tally.tasks), (2, 4));
    }

    #[test]
    fn stops_name_their_signal_and_zombies_their_parent() {
        let mut t = Task::default();
        t.stat.state = 'T';
        t.stat.exit_code = Some(19);
        assert_eq!(
            standing(&t),
            Standing::Stopped {
                signal: Some(19),
                tracer: None
            }
        );
        t.stat.state = 'Z';
        t.stat.num_threads = 1;
        t.stat.ppid = 7;
        assert_eq!(standing(&t), Standing::Zombie { parent: 7 });
    }
}
