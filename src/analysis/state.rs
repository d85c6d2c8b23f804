//! The STAT column: computing it from a task, and decoding any STAT string
//! back into words. One table serves `explain`, `--legend` and the man page.

use super::kinship::{kind_of, Kind, EXITED_MAIN_THREAD};
use crate::model::Task;

/// One letter of the STAT column and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub letter: char,
    /// A few words, as in ps(1)'s PROCESS STATE CODES.
    pub short: &'static str,
    /// What it means and where it comes from.
    pub long: &'static str,
}

/// Base state letters (field 3 of /proc/PID/stat).
pub const STATES: &[Code] = &[
    Code { letter: 'R', short: "running or runnable (on run queue)",
        long: "The task is on a CPU now or waiting in the run queue for one. The textbook's 'running' and 'ready' states are both R: Linux does not tell them apart in /proc." },
    Code { letter: 'S', short: "interruptible sleep (waiting for an event to complete)",
        long: "The task is blocked until something happens (input arrives, a timer fires, a child exits) and a signal can wake it. Most processes are S most of the time. Textbook state: blocked (waiting)." },
    Code { letter: 'D', short: "uninterruptible sleep (usually I/O)",
        long: "The task is blocked inside the kernel and signals are not delivered until it returns, typically during disk or network file system I/O, or a vfork parent waiting for its child. Even SIGKILL waits. Textbook state: blocked." },
    Code { letter: 'T', short: "stopped by job control signal",
        long: "The task was stopped by SIGSTOP, SIGTSTP (Ctrl-Z), SIGTTIN or SIGTTOU and does nothing until SIGCONT. Textbook state: suspended." },
    Code { letter: 't', short: "stopped by debugger during the tracing",
        long: "The task is stopped under ptrace, for example at a breakpoint in gdb or strace, until the tracer resumes it." },
    Code { letter: 'Z', short: "defunct (\"zombie\") process, terminated but not reaped by its parent",
        long: "The process has exited; only its entry in the process table remains, holding its exit status until the parent collects it with wait() or waitpid(). Textbook state: terminated. A zombie uses no memory or CPU, only a PID." },
    Code { letter: 'X', short: "dead (should never be seen)",
        long: "The task is being removed right now; /proc shows it only for an instant." },
    Code { letter: 'I', short: "idle kernel thread",
        long: "A kernel thread that is idle and waiting for work. Shown as I (not D) so that idle kernel threads do not count toward the load average." },
    Code { letter: 'P', short: "parked kernel thread",
        long: "A per-CPU kernel thread parked while its CPU is offline (Linux 3.9 to 3.13 and again since 4.14)." },
    Code { letter: 'W', short: "paging (not valid since Linux 2.6)",
        long: "Historical: the process was being swapped in. No kernel since 2.6 reports it." },
    Code { letter: 'K', short: "wakekill (Linux 2.6.33 to 3.13 only)",
        long: "Historical: woken up by a fatal signal while in uninterruptible sleep." },
];

/// Modifiers, in the order ps writes them.
pub const MODIFIERS: &[Code] = &[
    Code { letter: '<', short: "high-priority (not nice to other users)",
        long: "The nice value is below 0, so the scheduler gives the task more CPU time than a task at nice 0." },
    Code { letter: 'N', short: "low-priority (nice to other users)",
        long: "The nice value is above 0, so the task yields CPU time to tasks with a lower nice value." },
    Code { letter: 'L', short: "has pages locked into memory (for real-time and custom IO)",
        long: "Some of its memory is locked with mlock() or mlockall() and is never swapped out (VmLck in /proc/PID/status is above 0)." },
    Code { letter: 's', short: "is a session leader",
        long: "Its PID equals its session ID: it called setsid(), as login shells and daemons do. When a session leader with a terminal exits, the terminal's foreground group is sent SIGHUP." },
    Code { letter: 'l', short: "is multi-threaded (using CLONE_THREAD, like NPTL pthreads do)",
        long: "The process has more than one thread. Nice values and states belong to each thread; `pscope show` and `-L` list them." },
    Code { letter: '+', short: "is in the foreground process group",
        long: "Its process group is the terminal's foreground group (pgrp equals tpgid), so it receives what is typed and Ctrl-C." },
];

pub fn state_code(letter: char) -> Option<&'static Code> {
    STATES.iter().find(|c| c.letter == letter)
}

pub fn modifier_code(letter: char) -> Option<&'static Code> {
    MODIFIERS.iter().find(|c| c.letter == letter)
}

/// The state letters ps can print, for messages: "R S D T t Z X I P W K".
pub fn state_letters() -> String {
    STATES
        .iter()
        .map(|c| c.letter.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `letter` is a state letter ps can print.
pub fn is_state_letter(letter: char) -> bool {
    state_code(letter).is_some()
}

/// The textbook model a state letter maps to.
pub fn textbook_state(letter: char) -> &'static str {
    match letter {
        'R' => "running or ready",
        'S' | 'D' | 'I' | 'P' => "blocked (waiting)",
        'T' | 't' => "suspended (stopped)",
        'Z' | 'X' => "terminated",
        _ => "none",
    }
}

/// The textbook state of a task: that of its letter, except for a process
/// whose main thread exited while other threads run (`Zl`), which is alive.
pub fn textbook_state_of(task: &Task) -> &'static str {
    if kind_of(task, false) == Kind::ExitedMainThread {
        return "alive (its other threads run or wait); only its main thread terminated";
    }
    textbook_state(task.stat.state)
}

/// The modifiers that apply to a task, in ps's order. Threads are judged
/// by their own nice value and state, with the process's session and group.
pub fn modifiers(task: &Task) -> Vec<char> {
    let s = &task.stat;
    let mut flags = Vec::with_capacity(4);
    if s.nice < 0 {
        flags.push('<');
    } else if s.nice > 0 {
        flags.push('N');
    }
    let locked = task
        .status
        .as_ref()
        .and_then(|st| st.vm_lck_kb)
        .unwrap_or(0);
    if locked > 0 {
        flags.push('L');
    }
    if s.session == task.tgid {
        flags.push('s');
    }
    if s.num_threads > 1 {
        flags.push('l');
    }
    if s.pgrp == s.tpgid {
        flags.push('+');
    }
    flags
}

/// The STAT string ps prints for a task.
pub fn stat_string(task: &Task) -> String {
    let mut out = String::with_capacity(6);
    out.push(task.stat.state);
    out.extend(modifiers(task));
    out
}

/// A STAT string taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub state: &'static Code,
    pub modifiers: Vec<&'static Code>,
}

/// Why a STAT string is not one ps could print. `position` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub input: String,
    pub position: usize,
    pub letter: Option<char>,
    pub reason: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.letter {
            Some(c) => write!(
                f,
                "invalid STAT '{}': '{}' at position {}: {}",
                self.input,
                c.escape_debug(),
                self.position,
                self.reason
            ),
            None => write!(f, "invalid STAT '{}': {}", self.input, self.reason),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a STAT string such as `Ssl+`, rejecting what ps never prints:
/// unknown letters, a modifier first, `<` with `N`, repeats, wrong order.
pub fn decode(input: &str) -> Result<Decoded, DecodeError> {
    let err = |position: usize, letter: Option<char>, reason: String| DecodeError {
        input: input.to_string(),
        position,
        letter,
        reason,
    };
    let mut chars = input.chars();
    let first = chars
        .next()
        .ok_or_else(|| err(0, None, "it is empty".into()))?;
    let state =
        match state_code(first) {
            Some(code) => code,
            None if modifier_code(first).is_some() => return Err(err(
                1,
                Some(first),
                "a modifier cannot come first; STAT starts with a state letter (R S D T t Z X I P)"
                    .into(),
            )),
            None => {
                return Err(err(
                    1,
                    Some(first),
                    "unknown state letter (expected one of R S D T t Z X I P W K)".into(),
                ))
            }
        };
    let mut modifiers: Vec<&'static Code> = Vec::new();
    let mut last_rank = None;
    for (i, c) in chars.enumerate() {
        let position = i + 2;
        let Some(rank) = MODIFIERS.iter().position(|m| m.letter == c) else {
            let reason = if state_code(c).is_some() {
                "a second state letter; only one is allowed, first".to_string()
            } else {
                "unknown modifier (expected < N L s l +)".to_string()
            };
            return Err(err(position, Some(c), reason));
        };
        let code = &MODIFIERS[rank];
        if modifiers.iter().any(|m| m.letter == c) {
            return Err(err(position, Some(c), "repeated modifier".into()));
        }
        if (c == '<' || c == 'N') && modifiers.iter().any(|m| m.letter == '<' || m.letter == 'N') {
            return Err(err(
                position,
                Some(c),
                "'<' and 'N' exclude each other: nice is either below or above 0".into(),
            ));
        }
        if last_rank.is_some_and(|r| rank < r) {
            return Err(err(
                position,
                Some(c),
                "out of order; ps writes modifiers as < N L s l +".into(),
            ));
        }
        last_rank = Some(rank);
        modifiers.push(code);
    }
    Ok(Decoded { state, modifiers })
}

/// A STAT string in words: its state and modifiers and, for a live
/// process, the value in /proc behind each modifier it has or lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub stat: String,
    pub pid: Option<i32>,
    pub state: &'static Code,
    pub textbook_state: &'static str,
    /// What the letters alone would get wrong about a live process.
    pub note: Option<&'static str>,
    pub modifiers: Vec<(&'static Code, Option<String>)>,
    /// The modifiers a live process lacks, and why.
    pub absent: Vec<(&'static Code, String)>,
}

/// Explains a STAT string typed by a user.
pub fn explain_string(input: &str) -> Result<Explanation, DecodeError> {
    let decoded = decode(input)?;
    Ok(Explanation {
        stat: input.to_string(),
        pid: None,
        state: decoded.state,
        textbook_state: textbook_state(decoded.state.letter),
        note: None,
        modifiers: decoded.modifiers.into_iter().map(|m| (m, None)).collect(),
        absent: Vec::new(),
    })
}

/// Explains the STAT of a task read from /proc, with the fact behind each
/// modifier; `None` for a state letter no kernel documents.
pub fn explain_task(task: &Task) -> Option<Explanation> {
    let state = state_code(task.stat.state)?;
    let present = modifiers(task);
    let exited_main_thread = kind_of(task, false) == Kind::ExitedMainThread;
    let mut explanation = Explanation {
        stat: stat_string(task),
        pid: Some(task.pid),
        state,
        textbook_state: textbook_state_of(task),
        note: exited_main_thread.then_some(EXITED_MAIN_THREAD),
        modifiers: Vec::new(),
        absent: Vec::new(),
    };
    for m in MODIFIERS {
        let why = evidence(task, m.letter);
        if present.contains(&m.letter) {
            explanation.modifiers.push((m, Some(why)));
        } else {
            explanation.absent.push((m, why));
        }
    }
    Some(explanation)
}

/// The value in /proc that decides a modifier.
fn evidence(task: &Task, modifier: char) -> String {
    let s = &task.stat;
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    match modifier {
        '<' | 'N' => format!("nice is {}", s.nice),
        'L' => match task.status.as_ref().and_then(|st| st.vm_lck_kb) {
            Some(kb) => format!("VmLck is {kb} kB"),
            None => "no locked memory reported (VmLck absent)".into(),
        },
        's' => format!(
            "session id {} {} pid {}",
            s.session,
            if s.session == task.tgid {
                "equals"
            } else {
                "differs from"
            },
            task.tgid
        ),
        'l' => format!("{} thread{}", s.num_threads, plural(s.num_threads)),
        '+' => {
            if s.tpgid <= 0 {
                "no controlling terminal (tpgid -1)".into()
            } else {
                format!(
                    "process group {} {} the terminal's foreground group {}",
                    s.pgrp,
                    if s.pgrp == s.tpgid { "is" } else { "is not" },
                    s.tpgid
                )
            }
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StatFields, StatusFields};

    fn task(state: char, nice: i64, session: i32, threads: i64, pgrp: i32, tpgid: i32) -> Task {
        Task {
            pid: 100,
            tgid: 100,
            stat: StatFields {
                state,
                nice,
                session,
                num_threads: threads,
                pgrp,
                tpgid,
                ..StatFields::default()
            },
            ..Task::default()
        }
    }

    #[test]
    fn stat_follows_ps_order() {
        assert_eq!(stat_string(&task('S', 0, 100, 3, 100, 100)), "Ssl+");
        assert_eq!(stat_string(&task('R', 5, 1, 1, 7, -1)), "RN");
        assert_eq!(stat_string(&task('I', -20, 0, 1, 0, -1)), "I<");
        let mut locked = task('S', -5, 100, 2, 100, 50);
        locked.status = Some(Box::new(StatusFields {
            vm_lck_kb: Some(8),
            ..StatusFields::default()
        }));
        assert_eq!(stat_string(&locked), "S<Lsl");
    }

    #[test]
    fn a_thread_is_a_session_leader_only_through_its_process() {
        let mut thread = task('R', 3, 100, 2, 100, -1);
        thread.pid = 101;
        assert_eq!(stat_string(&thread), "RNsl");
        thread.tgid = 101;
        thread.stat.session = 100;
        assert_eq!(stat_string(&thread), "RNl");
    }

    #[test]
    fn decodes_every_letter_and_modifier() {
        let d = decode("Ssl+").unwrap();
        assert_eq!(d.state.letter, 'S');
        let letters: Vec<char> = d.modifiers.iter().map(|m| m.letter).collect();
        assert_eq!(letters, ['s', 'l', '+']);
        for code in STATES {
            assert!(decode(&code.letter.to_string()).is_ok());
        }
        assert!(decode("R<Lsl+").is_ok());
        assert!(decode("SNLsl+").is_ok());
    }

    #[test]
    fn rejects_bad_strings_naming_the_place() {
        let e = decode("SQ").unwrap_err();
        assert_eq!((e.position, e.letter), (2, Some('Q')));
        let e = decode("Q").unwrap_err();
        assert_eq!((e.position, e.letter), (1, Some('Q')));
        let e = decode("sS").unwrap_err();
        assert!(e.reason.contains("cannot come first"), "{e}");
        let e = decode("S<N").unwrap_err();
        assert_eq!(e.position, 3);
        assert!(e.reason.contains("exclude"));
        let e = decode("Sss").unwrap_err();
        assert!(e.reason.contains("repeated"));
        let e = decode("Sls").unwrap_err();
        assert_eq!((e.position, e.letter), (3, Some('s')));
        assert!(e.reason.contains("order"));
        assert!(decode("").is_err());
        assert!(decode("SR").unwrap_err().reason.contains("state letter"));
    }
}
