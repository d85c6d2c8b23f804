//! `pscope demo io`: one writer feeds pipes and unix sockets slowly, and
//! four readers wait for it in the four ways: a blocking read, a
//! non-blocking busy loop, select, and epoll. /proc shows what each way
//! costs: its STAT, its share of a CPU, the system call it sits in and the
//! descriptors it watches.
//!
//! All five are the lab's children (PR_SET_PDEATHSIG). The writer, busy,
//! select and epoll readers also watch the lifeline; the blocking reader
//! cannot while it sits in read(), and sees end-of-file instead when the
//! writer, the only holder of its pipe's write end, is gone.

use std::collections::{BTreeMap, HashMap};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use anyhow::Result;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::select::{select, FdSet};
use nix::unistd::{self, Pid};
use rustix::io::Errno;
use serde_json::{json, Value};

use super::child::{name_self, write_to};
use super::narrate::{channel, link_text, Lines};
use super::{ChildContext, ChildSetup, Lab};
use crate::analysis::syscalls::{self, Watches};
use crate::model::{OpenFd, SyscallNow};
use crate::render::table::{self, Row};
use crate::render::{Style, Tone};

/// The writer sends one line to each reader this often.
const TICK: Duration = Duration::from_millis(250);
/// How often /proc is sampled while measuring.
const SAMPLE: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Way {
    Blocking,
    Busy,
    Select,
    Epoll,
}

const WAYS: [Way; 4] = [Way::Blocking, Way::Busy, Way::Select, Way::Epoll];

impl Way {
    fn role(self) -> &'static str {
        match self {
            Way::Blocking => "blocking-read",
            Way::Busy => "busy-poll",
            Way::Select => "select",
            Way::Epoll => "epoll",
        }
    }

    /// The name the child gives itself, as /proc shows it.
    fn comm(self) -> &'static str {
        match self {
            Way::Blocking => "io-read",
            Way::Busy => "io-busy",
            Way::Select => "io-select",
            Way::Epoll => "io-epoll",
        }
    }

    fn how(self) -> &'static str {
        match self {
            Way::Blocking => "a blocking read() on its pipe, the only descriptor it can wait on",
            Way::Busy => "non-blocking reads of its pipe and its socket in a loop that never waits",
            Way::Select => "select() over its pipe, its socket and the lifeline",
            Way::Epoll => {
                "epoll_wait() on an epoll instance holding its pipe, its socket and the lifeline"
            }
        }
    }
}

/// One reader's two feeds: a pipe and a connected pair of unix sockets.
struct Feed {
    pipe_read: OwnedFd,
    pipe_write: OwnedFd,
    socket_read: OwnedFd,
    socket_write: OwnedFd,
}

impl Feed {
    fn new() -> Result<Feed> {
        let (pipe_read, pipe_write) = unistd::pipe()?;
        let (reader, writer) = UnixStream::pair()?;
        Ok(Feed {
            pipe_read,
            pipe_write,
            socket_read: reader.into(),
            socket_write: writer.into(),
        })
    }
}

/// What the lab saw of one process while measuring.
#[derive(Default)]
struct Seen {
    states: BTreeMap<String, usize>,
    calls: BTreeMap<String, usize>,
    /// The arguments of the last sample in each call.
    args: HashMap<String, (i64, [u64; 6])>,
    syscall_error: Option<String>,
    samples: usize,
}

impl Seen {
    fn most(map: &BTreeMap<String, usize>) -> Option<(&str, usize)> {
        map.iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, n)| (k.as_str(), *n))
    }
}

/// What a reader reported: lines per feed, and for the busy one its count
/// of EAGAIN with its own clock.
#[derive(Default, Clone)]
struct Reported {
    pipe: u64,
    socket: u64,
    /// (EAGAIN so far, nanoseconds since the reader started), first and
    /// last seen while measuring.
    first: Option<(u64, u64)>,
    last: Option<(u64, u64)>,
}

pub fn run(lab: &mut Lab, seconds: f64) -> Result<()> {
    let me = unistd::getpid();
    let feeds: Vec<Feed> = WAYS.iter().map(|_| Feed::new()).collect::<Result<_>>()?;
    let (report_read, report_write) = channel()?;
    let (go_read, go_write) = channel()?;

    // Names for the descriptors the listings will show, taken while the
    // lab still holds a copy of each.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut name = |fd: BorrowedFd<'_>, what: String| {
        if let Some(link) = link_text(fd) {
            names.insert(link, what);
        }
    };
    name(lab.lifeline(), "the lifeline (pscope's pipe)".into());
    name(report_read.as_fd(), "the report channel to pscope".into());
    name(go_read.as_fd(), "the go channel from pscope".into());
    for (way, feed) in WAYS.iter().zip(&feeds) {
        let comm = way.comm();
        name(
            feed.pipe_read.as_fd(),
            format!("the pipe from io-writer to {comm}"),
        );
        name(
            feed.socket_read.as_fd(),
            format!("{comm}'s end of a socket pair with io-writer"),
        );
        name(
            feed.socket_write.as_fd(),
            format!("io-writer's end of a socket pair with {comm}"),
        );
    }

    // The writer first, holding every write end; then the lab lets go of
    // them, so that a reader sees end-of-file when the writer is gone.
    let writer = {
        let keep: Vec<BorrowedFd<'_>> = feeds
            .iter()
            .flat_map(|f| [f.pipe_write.as_fd(), f.socket_write.as_fd()])
            .chain([go_read.as_fd()])
            .collect();
        let feeds = &feeds;
        let go = go_read.as_fd();
        lab.fork(ChildSetup::default(), move |cx| {
            name_self("io-writer");
            cx.keep_only(&keep);
            write_slowly(cx, go, feeds)
        })?
    };
    let reads: Vec<(OwnedFd, OwnedFd)> = feeds
        .into_iter()
        .map(|f| (f.pipe_read, f.socket_read))
        .collect();
    // A copy of the blocking reader's socket, to see what waits there.
    let unread_socket = rustix::io::fcntl_dupfd_cloexec(&reads[0].1, 0)?;
    let mut readers = Vec::new();
    for (way, (pipe_read, socket_read)) in WAYS.into_iter().zip(reads) {
        let report = report_write.as_fd();
        let pid = lab.fork(ChildSetup::default(), |cx| {
            name_self(way.comm());
            cx.keep_only(&[pipe_read.as_fd(), socket_read.as_fd(), report]);
            read_in_one_way(cx, way, pipe_read.as_fd(), socket_read.as_fd(), report)
        })?;
        readers.push((way, pid));
    }
    drop(report_write);
    drop(go_read);
    let mut lines = Lines::new(report_read);

    lab.say(
        "start",
        &format!(
            "A writer (pid {writer}) sends a line every {:.2} s to each of four readers, \
             alternately through a pipe and a unix socket. Each reader waits for it in its own way:",
            TICK.as_secs_f64()
        ),
        json!({
            "writer": writer.as_raw(),
            "tick_seconds": TICK.as_secs_f64(),
            "readers": readers.iter().map(|(way, pid)| json!({
                "role": way.role(), "comm": way.comm(), "pid": pid.as_raw(), "how": way.how()
            })).collect::<Vec<_>>(),
            "pids": readers.iter().map(|(_, p)| p.as_raw()).collect::<Vec<_>>(),
        }),
    )?;
    let ways_text: String = readers
        .iter()
        .map(|(way, pid)| format!("{} ({pid}): {}\n", way.comm(), way.how()))
        .collect();
    lab.show(&ways_text)?;
    lab.pause()?;

    write_to(&go_write, b"go");
    drop(go_write);
    lab.sleep(TICK * 2)?;

    let mut all: Vec<Pid> = vec![writer];
    all.extend(readers.iter().map(|(_, p)| *p));
    lab.say(
        "measure",
        &format!(
            "Measuring for {seconds:.1} s: CPU time from /proc/PID/stat, and every {} ms the state \
             and /proc/PID/syscall, whose first number is the system call the process is in.",
            SAMPLE.as_millis()
        ),
        json!({"seconds": seconds, "sample_ms": SAMPLE.as_millis() as u64,
               "arch": syscalls::Arch::native().map(|a| a.name())}),
    )?;
    let measured = measure(lab, &all, &mut lines, seconds)?;

    let fields = ["pid", "ppid", "stat", "time", "comm"];
    let (table, records) = lab.table(&all, &fields)?;
    lab.say(
        "proc",
        "What pscope ps shows of them now:",
        json!({"parent": me.as_raw(), "processes": records}),
    )?;
    lab.show(&table)?;
    lab.pause()?;

    let mut rows = Vec::new();
    let mut cpu = HashMap::new();
    for &(way, pid) in &readers {
        let seen = &measured.seen[&pid];
        let reported = measured
            .reported
            .get(way.comm())
            .cloned()
            .unwrap_or_default();
        let share = measured.cpu_percent[&pid];
        cpu.insert(way, share);
        let fds = lab.reader().descriptors(pid.as_raw()).unwrap_or_default();
        let call = describe_call(lab, pid, seen, &fds, &names);
        let (eagain, eagain_rate) = eagain(&reported);
        let state = Seen::most(&seen.states).map_or("?".to_string(), |(s, _)| s.to_string());
        let message = reader_message(
            way,
            pid,
            &state,
            share,
            &call,
            &reported,
            eagain_rate,
            fds.len(),
        );
        lab.say(
            "reader",
            &message,
            json!({
                "role": way.role(),
                "comm": way.comm(),
                "pid": pid.as_raw(),
                "state": state,
                "state_samples": seen.states,
                "cpu_percent": round1(share),
                "syscall": call.name,
                "syscall_number": call.number,
                "syscall_samples": seen.calls,
                "syscall_error": seen.syscall_error,
                "waits_on": call.waits_on,
                "nfds": call.nfds,
                "epoll_fd": call.epoll_fd,
                "epoll_targets": call.epoll_targets,
                "descriptors": descriptor_facts(&fds, &names),
                "messages": {"pipe": reported.pipe, "socket": reported.socket},
                "eagain_count": eagain,
                "eagain_per_second": eagain_rate.map(|r| r.round()),
            }),
        )?;
        let listing: String = fds
            .iter()
            .map(|o| format!("fd {:>2} -> {}\n", o.fd, describe_fd(o.fd, &fds, &names)))
            .collect();
        lab.show(&listing)?;
        rows.push(Row {
            cells: vec![
                way.comm().to_string(),
                pid.to_string(),
                state,
                format!("{share:.1}"),
                call.short.clone(),
                (reported.pipe + reported.socket).to_string(),
                eagain_rate.map_or("-".into(), |r| format!("{r:.0}")),
            ],
            tone: Tone::Plain,
        });
        lab.pause()?;
    }

    let seen = &measured.seen[&writer];
    let fds = lab
        .reader()
        .descriptors(writer.as_raw())
        .unwrap_or_default();
    let call = describe_call(lab, writer, seen, &fds, &names);
    let share = measured.cpu_percent[&writer];
    let state = Seen::most(&seen.states).map_or("?".to_string(), |(s, _)| s.to_string());
    lab.say(
        "writer",
        &format!(
            "The writer io-writer ({writer}): STAT {state}, {share:.1}% of a CPU, between lines {}.",
            call.long
        ),
        json!({"role": "writer", "pid": writer.as_raw(), "state": state, "cpu_percent": round1(share),
               "syscall": call.name, "syscall_number": call.number, "syscall_samples": seen.calls,
               "descriptors": descriptor_facts(&fds, &names)}),
    )?;
    rows.push(Row {
        cells: vec![
            "io-writer".into(),
            writer.to_string(),
            state,
            format!("{share:.1}"),
            call.short,
            "-".into(),
            "-".into(),
        ],
        tone: Tone::Plain,
    });
    let headers = table::headers(
        &[
            "PROCESS",
            "PID",
            "STATE",
            "CPU %",
            "SYSTEM CALL (MOST SAMPLES)",
            "LINES",
            "EAGAIN/s",
        ],
        &[1, 3, 5, 6],
    );
    lab.show(&table::render(&headers, rows, true, &Style::plain()))?;

    let unread = rustix::io::ioctl_fionread(&unread_socket).ok();
    lab.say(
        "unread",
        &format!(
            "io-read never looked at its socket: {} bytes wait there unread (FIONREAD on a copy \
             pscope holds). A process blocked in read() on one descriptor cannot notice another.",
            unread.map_or("?".into(), |n| n.to_string())
        ),
        json!({"pid": readers[0].1.as_raw(), "unread_socket_bytes": unread}),
    )?;

    lab.say(
        "summary",
        "Blocking I/O costs no CPU but serves one descriptor. Busy polling serves several but burns \
         a whole core asking again and again (EAGAIN). Multiplexing with select, poll or epoll \
         sleeps in one call that watches many descriptors: no CPU, and every descriptor served. \
         epoll keeps its list in the kernel (fdinfo shows it); select and poll pass theirs anew on \
         every call.",
        json!({
            "cpu_percent": {
                "blocking_read": cpu.get(&Way::Blocking).map(|c| round1(*c)),
                "busy_poll": cpu.get(&Way::Busy).map(|c| round1(*c)),
                "select": cpu.get(&Way::Select).map(|c| round1(*c)),
                "epoll": cpu.get(&Way::Epoll).map(|c| round1(*c)),
            }
        }),
    )?;
    Ok(())
}

/// The writer: once told to go, a line to every reader each tick, through
/// the pipe on even ticks and the socket on odd ones. It sleeps between
/// ticks (clock_nanosleep) and ends when pscope is gone.
fn write_slowly(cx: &ChildContext, go: BorrowedFd<'_>, feeds: &[Feed]) -> i32 {
    cx.wait_for_go(go, Duration::from_secs(600));
    let mut tick: u64 = 0;
    while !cx.orphaned() {
        let line = format!("line {tick}\n");
        for feed in feeds {
            let fd = if tick.is_multiple_of(2) {
                &feed.pipe_write
            } else {
                &feed.socket_write
            };
            write_to(fd, line.as_bytes());
        }
        tick += 1;
        std::thread::sleep(TICK);
    }
    0
}

/// A reader reports each line it gets: `COMM FEED EAGAIN NANOS`.
fn report(to: BorrowedFd<'_>, way: Way, feed: &str, eagain: u64, started: Instant) {
    let line = format!(
        "{} {feed} {eagain} {}\n",
        way.comm(),
        started.elapsed().as_nanos()
    );
    write_to(to, line.as_bytes());
}

/// Reads one line's worth; `Some(false)` at end of file.
fn take(fd: BorrowedFd<'_>) -> Result<bool, Errno> {
    let mut buf = [0u8; 512];
    match rustix::io::read(fd, &mut buf) {
        Ok(0) => Ok(false),
        Ok(_) => Ok(true),
        Err(e) => Err(e),
    }
}

fn read_in_one_way(
    cx: &ChildContext,
    way: Way,
    pipe: BorrowedFd<'_>,
    socket: BorrowedFd<'_>,
    to: BorrowedFd<'_>,
) -> i32 {
    let started = Instant::now();
    match way {
        Way::Blocking => loop {
            // Blocks in read(2) until the writer sends, or ends (EOF).
            match take(pipe) {
                Ok(true) => report(to, way, "pipe", 0, started),
                Ok(false) => return 0,
                Err(Errno::INTR) => {}
                Err(_) => return 1,
            }
        },
        Way::Busy => {
            for fd in [pipe, socket] {
                if rustix::io::ioctl_fionbio(fd, true).is_err() {
                    return 1;
                }
            }
            let mut eagain: u64 = 0;
            let mut rounds: u64 = 0;
            loop {
                for (fd, feed) in [(pipe, "pipe"), (socket, "socket")] {
                    match take(fd) {
                        Ok(true) => report(to, way, feed, eagain, started),
                        Ok(false) => return 0,
                        Err(Errno::AGAIN) => eagain += 1,
                        Err(Errno::INTR) => {}
                        Err(_) => return 1,
                    }
                }
                rounds += 1;
                if rounds.is_multiple_of(4096) && cx.orphaned() {
                    return 0;
                }
            }
        }
        Way::Select => loop {
            let mut set = FdSet::new();
            for fd in [pipe, socket, cx.lifeline()] {
                set.insert(fd);
            }
            // Sleeps in select(2) until one of the three is readable.
            match select(None, Some(&mut set), None, None, None) {
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return 1,
            }
            if set.contains(cx.lifeline()) {
                return 0;
            }
            for (fd, feed) in [(pipe, "pipe"), (socket, "socket")] {
                if set.contains(fd) {
                    match take(fd) {
                        Ok(true) => report(to, way, feed, 0, started),
                        Ok(false) => return 0,
                        Err(_) => {}
                    }
                }
            }
        },
        Way::Epoll => {
            let Ok(epoll) = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC) else {
                return 1;
            };
            for (n, fd) in [pipe, socket, cx.lifeline()].into_iter().enumerate() {
                if epoll
                    .add(fd, EpollEvent::new(EpollFlags::EPOLLIN, n as u64))
                    .is_err()
                {
                    return 1;
                }
            }
            let mut events = [EpollEvent::empty(); 4];
            loop {
                // Sleeps in epoll_wait(2): the list of what to watch stays
                // in the kernel between calls.
                let n = match epoll.wait(&mut events, EpollTimeout::NONE) {
                    Ok(n) => n,
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(_) => return 1,
                };
                for event in &events[..n] {
                    let (fd, feed) = match event.data() {
                        0 => (pipe, "pipe"),
                        1 => (socket, "socket"),
                        _ => return 0,
                    };
                    match take(fd) {
                        Ok(true) => report(to, way, feed, 0, started),
                        Ok(false) => return 0,
                        Err(_) => {}
                    }
                }
            }
        }
    }
}

struct Measured {
    seen: HashMap<Pid, Seen>,
    cpu_percent: HashMap<Pid, f64>,
    reported: HashMap<String, Reported>,
}

fn measure(lab: &Lab, pids: &[Pid], lines: &mut Lines, seconds: f64) -> Result<Measured> {
    let ticks = |lab: &Lab| -> Vec<u64> {
        pids.iter()
            .map(|p| {
                lab.read(*p, false)
                    .map_or(0, |t| t.stat.utime + t.stat.stime)
            })
            .collect()
    };
    // Lines sent before the measurement are not counted.
    lines.ready();
    let mut reported: HashMap<String, Reported> = HashMap::new();
    let mut seen: HashMap<Pid, Seen> = pids.iter().map(|p| (*p, Seen::default())).collect();
    let start = Instant::now();
    let before = ticks(lab);
    let length = Duration::from_secs_f64(seconds);
    while start.elapsed() < length {
        for pid in pids {
            let entry = seen.entry(*pid).or_default();
            entry.samples += 1;
            if let Some(task) = lab.read(*pid, false) {
                *entry.states.entry(task.stat.state.to_string()).or_default() += 1;
            }
            match lab.reader().syscall(pid.as_raw()) {
                Ok(now) => {
                    let key = match now {
                        SyscallNow::Running => "running".to_string(),
                        SyscallNow::User => "user code".to_string(),
                        SyscallNow::Call { number, args } => {
                            let name = syscalls::name(number);
                            entry.args.insert(name.clone(), (number, args));
                            name
                        }
                    };
                    *entry.calls.entry(key).or_default() += 1;
                }
                Err(e) => entry.syscall_error = Some(e.to_string()),
            }
        }
        for line in lines.ready() {
            tally(&mut reported, &line);
        }
        lab.sleep(SAMPLE.min(length.saturating_sub(start.elapsed())))?;
    }
    let after = ticks(lab);
    let elapsed = start.elapsed().as_secs_f64();
    for line in lines.ready() {
        tally(&mut reported, &line);
    }
    let hz = lab.reader().system_info().map_or(100.0, |s| s.hz as f64);
    let cpu_percent = pids
        .iter()
        .zip(before.iter().zip(&after))
        .map(|(p, (b, a))| (*p, 100.0 * a.saturating_sub(*b) as f64 / hz / elapsed))
        .collect();
    Ok(Measured {
        seen,
        cpu_percent,
        reported,
    })
}

fn tally(reported: &mut HashMap<String, Reported>, line: &str) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [comm, feed, eagain, nanos] = words[..] else {
        return;
    };
    let entry = reported.entry(comm.to_string()).or_default();
    match feed {
        "pipe" => entry.pipe += 1,
        "socket" => entry.socket += 1,
        _ => {}
    }
    if let (Ok(eagain), Ok(nanos)) = (eagain.parse(), nanos.parse()) {
        entry.first.get_or_insert((eagain, nanos));
        entry.last = Some((eagain, nanos));
    }
}

/// The busy reader's EAGAIN count between its first and last report while
/// measuring, and the rate by its own clock.
fn eagain(reported: &Reported) -> (Option<u64>, Option<f64>) {
    match (reported.first, reported.last) {
        (Some((e0, t0)), Some((e1, t1))) if e1 > 0 && t1 > t0 => {
            let count = e1 - e0;
            (Some(count), Some(count as f64 / ((t1 - t0) as f64 / 1e9)))
        }
        _ => (None, None),
    }
}

/// The call a process was found in most, with what its arguments say.
struct Call {
    name: Option<String>,
    number: Option<i64>,
    waits_on: Option<Vec<i32>>,
    nfds: Option<u64>,
    epoll_fd: Option<i32>,
    epoll_targets: Option<Vec<i32>>,
    /// For the table, e.g. `read(3)`.
    short: String,
    /// In words.
    long: String,
}

fn describe_call(
    lab: &Lab,
    pid: Pid,
    seen: &Seen,
    fds: &[OpenFd],
    names: &HashMap<String, String>,
) -> Call {
    let mut call = Call {
        name: None,
        number: None,
        waits_on: None,
        nfds: None,
        epoll_fd: None,
        epoll_targets: None,
        short: "?".into(),
        long: "?".into(),
    };
    let Some((most, count)) = Seen::most(&seen.calls) else {
        if let Some(e) = &seen.syscall_error {
            call.long = format!("its system call cannot be read here (/proc/PID/syscall: {e})");
        }
        return call;
    };
    let of = format!("{count} of {} samples", seen.samples);
    let Some(&(number, args)) = seen.args.get(most) else {
        // "running" or "user code": not inside a system call.
        call.short = most.to_string();
        call.long = if most == "running" {
            format!("on a CPU whenever sampled ({of}: the kernel shows `running`)")
        } else {
            format!("in its own code, outside any system call ({of})")
        };
        return call;
    };
    call.name = Some(most.to_string());
    call.number = Some(number);
    let known = syscalls::by_name(most);
    let describe = |fd: i32| describe_fd(fd, fds, names);
    match known.map(|s| s.watches) {
        Some(Watches::Descriptor(i)) => {
            let fd = args[i] as i32;
            call.waits_on = Some(vec![fd]);
            call.short = format!("{most}({fd})");
            call.long = format!("in {most}() on fd {fd}, {} ({of})", describe(fd));
        }
        Some(w @ (Watches::PollList { .. } | Watches::SelectSets)) => {
            let n = match w {
                Watches::PollList { count, .. } => args[count],
                _ => args[0],
            };
            call.nfds = Some(n);
            call.short = format!("{most}(nfds={n})");
            let what = if most.contains("select") {
                format!("a bit mask of descriptors below {n}")
            } else {
                format!("a list of {n} descriptors")
            };
            call.long = format!(
                "in {most}() over {what}, kept in its own memory where /proc cannot see it ({of})"
            );
        }
        Some(Watches::EpollInstance(i)) => {
            let epfd = args[i] as i32;
            call.epoll_fd = Some(epfd);
            let targets = lab.reader().epoll_targets(pid.as_raw(), epfd).ok();
            call.short = format!("{most}({epfd})");
            call.long = match &targets {
                Some(t) => format!(
                    "in {most}() on epoll instance fd {epfd}, whose fdinfo lists the registered \
                     descriptors {} ({of})",
                    t.iter()
                        .map(|fd| format!("{fd} ({})", describe(*fd)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => format!("in {most}() on epoll instance fd {epfd} ({of})"),
            };
            call.epoll_targets = targets;
        }
        _ => {
            call.short = most.to_string();
            let waits = known.map_or(String::new(), |s| {
                format!(", which waits for {}", s.waits_for)
            });
            call.long = format!(
                "in {most}(){waits} (system call {number} on {}; {of})",
                syscalls::Arch::native().map_or("this machine", |a| a.name()),
            );
        }
    }
    call
}

/// A descriptor of a process in words, from its /proc/PID/fd link.
fn describe_fd(fd: i32, fds: &[OpenFd], names: &HashMap<String, String>) -> String {
    let Some(open) = fds.iter().find(|o| o.fd == fd) else {
        return "not open".into();
    };
    let standard = match fd {
        0 => "standard input: ",
        1 => "standard output: ",
        2 => "standard error: ",
        _ => "",
    };
    let what = names.get(&open.target).cloned().unwrap_or_else(|| {
        if open.target == "anon_inode:[eventpoll]" {
            "an epoll instance".into()
        } else {
            open.target.clone()
        }
    });
    format!("{standard}{what}")
}

fn descriptor_facts(fds: &[OpenFd], names: &HashMap<String, String>) -> Vec<Value> {
    fds.iter()
        .map(|o| json!({"fd": o.fd, "target": o.target, "what": describe_fd(o.fd, fds, names)}))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn reader_message(
    way: Way,
    pid: Pid,
    state: &str,
    share: f64,
    call: &Call,
    reported: &Reported,
    eagain_rate: Option<f64>,
    open: usize,
) -> String {
    let lines = |n: u64| {
        if n == 1 {
            "1 line".to_string()
        } else {
            format!("{n} lines")
        }
    };
    let got = format!(
        "It got {} from its pipe and {} from its socket.",
        lines(reported.pipe),
        lines(reported.socket)
    );
    let extra = match way {
        Way::Blocking => format!(
            " It holds {open} descriptors but waits on one: the socket's lines pile up unread."
        ),
        Way::Busy => match eagain_rate {
            Some(rate) => {
                format!(" Its reads returned EAGAIN (nothing yet) about {rate:.0} times a second.")
            }
            None => " It reported no EAGAIN count while measured.".into(),
        },
        Way::Select | Way::Epoll => String::new(),
    };
    format!(
        "{} ({pid}): STAT {state}, {share:.1}% of a CPU, {}. {got}{extra}",
        way.comm(),
        call.long
    )
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
