//! The JSON schema: every type pscope writes as JSON, the version that
//! counts changes to them, and the documentation of every field (the man
//! page and README print it; tests keep it equal to what is written).
//! These types are kept apart from the model so that the schema changes
//! only on purpose. Records are made from the data as they are written.

use std::cell::RefCell;

use serde::Serialize;

use super::json::{Each, Later};
use crate::analysis::changes::{self, Happened};
use crate::analysis::columns::RowContext;
use crate::analysis::files::Resolved;
use crate::analysis::keywords::Field;
use crate::analysis::kinship::{Kind, Kinship, OrphanEvidence, ProcessGroup, ZombieGroup};
use crate::analysis::state::Code;
use crate::analysis::topcols::{self, TopContext, TopRow};
use crate::analysis::topsummary::{CpuShares, MemoryFigures, TaskCounts};
use crate::analysis::tree::Forest;
use crate::analysis::values::Typed;
use crate::analysis::waits::{Object, WaitGroup};
use crate::analysis::{psfmt, sched, signals, state, topfmt};
use crate::model::{cmdline_args, Mapping, OpenFd, Task};

pub const SCHEMA_VERSION: u32 = 1;

/// One documented field: its key, JSON type and meaning.
pub type FieldDoc = (&'static str, &'static str, &'static str);

/// One record type of the schema, as the documentation lists it.
pub struct RecordDoc {
    pub name: &'static str,
    /// Where it appears.
    pub summary: &'static str,
    /// A record type whose fields come first (as with `show`, which is a
    /// process with more).
    pub extends: Option<&'static str>,
    pub fields: &'static [FieldDoc],
}

/// Every field of a process object.
pub const PROCESS_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "process ID (thread group ID)"),
    ("tid", "integer", "thread ID; equals pid on a process row"),
    ("ppid", "integer", "parent process ID"),
    ("pgid", "integer", "process group ID"),
    ("sid", "integer", "session ID"),
    (
        "tpgid",
        "integer",
        "foreground process group of the terminal, -1 without one",
    ),
    (
        "tty",
        "string|null",
        "terminal name such as pts/0, null without one",
    ),
    (
        "tty_nr",
        "integer",
        "terminal device number from /proc/PID/stat",
    ),
    ("uid", "integer|null", "effective user ID"),
    ("user", "string|null", "effective user name"),
    ("ruid", "integer|null", "real user ID"),
    ("ruser", "string|null", "real user name"),
    ("stat", "string", "STAT as ps prints it, e.g. Ssl+"),
    ("state", "string", "the state letter alone"),
    (
        "state_name",
        "string",
        "running, sleeping, disk-sleep, stopped, tracing-stop, zombie, dead, idle, parked",
    ),
    (
        "stat_flags",
        "array of string",
        "the STAT modifiers, one per element",
    ),
    (
        "nice",
        "integer|null",
        "nice value, null for real-time and idle policies (ps prints -)",
    ),
    ("priority", "integer", "raw kernel priority (ps priority)"),
    ("pri", "integer", "ps pri: 39 - priority"),
    (
        "rtprio",
        "integer|null",
        "real-time priority, null for the normal policy",
    ),
    (
        "policy",
        "string",
        "scheduling class: TS FF RR B ISO IDL DLN",
    ),
    ("num_threads", "integer", "number of threads"),
    (
        "cpu_percent",
        "number",
        "CPU time over lifetime, percent, truncated to 0.1 as ps",
    ),
    (
        "mem_percent",
        "number|null",
        "resident memory over MemTotal, percent",
    ),
    (
        "vsz_kb",
        "integer|null",
        "virtual memory size, KiB (VmSize)",
    ),
    ("rss_kb", "integer|null", "resident set size, KiB (VmRSS)"),
    ("locked_kb", "integer|null", "locked memory, KiB (VmLck)"),
    (
        "cpu_time_seconds",
        "number",
        "user + system CPU time, seconds",
    ),
    (
        "start_time",
        "string",
        "start time, ISO-8601 local time with UTC offset",
    ),
    (
        "start_seconds_since_boot",
        "number",
        "start time, seconds after boot",
    ),
    (
        "elapsed_seconds",
        "integer",
        "whole seconds since the start",
    ),
    ("comm", "string", "name (invalid UTF-8 becomes U+FFFD)"),
    (
        "cmdline",
        "array of string|null",
        "arguments, null when unreadable, empty for kernel threads",
    ),
    ("args", "string", "the command line as ps args prints it"),
    (
        "kind",
        "string",
        "normal, zombie, exited-main-thread or orphan",
    ),
    (
        "exit_status",
        "string|null",
        "for a zombie, what its parent's wait() will report, e.g. exited with status 3; null otherwise",
    ),
];

const PS_RECORD_FIELDS: &[FieldDoc] = &[(
    "<keyword>",
    "number|string|null",
    "under the keyword's own name (wchan, pss, ipcns, ...): numbers as numbers, signal masks as 16 hex digits, namespaces as inode numbers, what cannot be read as null",
)];

const TREE_NODE_FIELDS: &[FieldDoc] = &[
    (
        "children",
        "array of tree node",
        "child processes, in the tree's order",
    ),
    (
        "threads",
        "array of process",
        "the threads other than the main thread",
    ),
    (
        "missing",
        "boolean",
        "only on a parent that /proc does not show, which has only pid, missing, children and threads",
    ),
];

const TREE_LINE_FIELDS: &[FieldDoc] = &[
    ("depth", "integer", "0 for a root, 1 for its children, ..."),
    (
        "parent",
        "integer|null",
        "the parent's PID, null for a root",
    ),
];

const SHOW_FIELDS: &[FieldDoc] = &[
    (
        "exe",
        "string|null",
        "the executable, null when unreadable (another user's process, a kernel thread, a zombie)",
    ),
    (
        "cwd",
        "string|null",
        "the working directory, null when unreadable",
    ),
    (
        "ancestry",
        "array of relative",
        "the parent first, up to PID 1 or the first ancestor not visible",
    ),
    ("children", "array of relative", "the child processes"),
    (
        "threads",
        "array of process",
        "every thread, the main one included",
    ),
    ("verdict", "verdict", "what the process is, and why"),
    (
        "signals",
        "signals|null",
        "how it handles signals, null when its status cannot be read",
    ),
];

const SIGNALS_FIELDS: &[FieldDoc] = &[
    (
        "ignored",
        "array of string",
        "signals set to SIG_IGN (CHLD here: the kernel reaps its children, none become zombies)",
    ),
    ("caught", "array of string", "signals with a handler"),
    (
        "blocked",
        "array of string",
        "signals blocked (held until unblocked)",
    ),
    (
        "pending",
        "array of string",
        "signals sent and not yet delivered, to the thread or the whole process",
    ),
];

const RELATIVE_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "process ID"),
    ("comm", "string", "name (invalid UTF-8 becomes U+FFFD)"),
];

const VERDICT_FIELDS: &[FieldDoc] = &[
    (
        "kind",
        "string",
        "normal, zombie, exited-main-thread or orphan",
    ),
    (
        "explanation",
        "string",
        "the verdict in words, with its evidence",
    ),
];

const ZOMBIE_REPORT_FIELDS: &[FieldDoc] = &[
    (
        "zombies",
        "array of zombie group",
        "zombies grouped by the parent that has not reaped them",
    ),
    (
        "exited_main_threads",
        "array of process",
        "processes whose main thread exited while others run (STAT Zl): alive, not zombies",
    ),
];

const ZOMBIE_GROUP_FIELDS: &[FieldDoc] = &[
    (
        "parent_pid",
        "integer",
        "the parent that has not reaped them",
    ),
    (
        "parent_comm",
        "string|null",
        "its name as ps prints it, null when not visible",
    ),
    (
        "parent_args",
        "string|null",
        "its command line as ps prints it, null when not visible",
    ),
    ("count", "integer", "how many zombies it has"),
    (
        "oldest_seconds",
        "integer",
        "the age of the oldest, seconds",
    ),
    ("advice", "string", "what to do"),
    ("zombies", "array of process", "the zombies, oldest first"),
];

const ORPHAN_REPORT_FIELDS: &[FieldDoc] = &[
    (
        "orphans",
        "array of orphan",
        "processes adopted after their parent ended",
    ),
    (
        "orphaned_process_groups",
        "array of orphaned group",
        "POSIX orphaned process groups",
    ),
];

const ORPHAN_FIELDS: &[FieldDoc] = &[
    ("adopter", "adopter", "the process that adopted it"),
    ("evidence", "evidence", "why it is judged an orphan"),
];

const ADOPTER_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "the adopter's PID"),
    ("comm", "string", "its name (invalid UTF-8 becomes U+FFFD)"),
    (
        "is_init",
        "boolean",
        "true for PID 1 of the namespace, false for a child subreaper",
    ),
];

const EVIDENCE_FIELDS: &[FieldDoc] = &[
    (
        "original_session",
        "integer",
        "the session it came from (inherited from its first parent)",
    ),
    (
        "session_leader_alive",
        "boolean",
        "whether that session's leader still exists",
    ),
    ("adopter_session", "integer", "the adopter's own session"),
    (
        "heuristic",
        "boolean",
        "always true: /proc does not record the original parent",
    ),
];

const ORPHANED_GROUP_FIELDS: &[FieldDoc] = &[
    ("pgid", "integer", "process group ID"),
    ("sid", "integer", "session ID"),
    ("members", "array of integer", "the PIDs in the group"),
    (
        "leader",
        "string|null",
        "the group leader's name as ps prints it, null when it is gone",
    ),
    (
        "stopped",
        "integer",
        "stopped members (the kernel sends them SIGHUP and SIGCONT when the group becomes orphaned)",
    ),
];

const EXPLAINED_FIELDS: &[FieldDoc] = &[
    ("stat", "string", "the STAT string"),
    ("pid", "integer", "with --pid only: the process"),
    ("state", "letter", "the state letter"),
    (
        "textbook_state",
        "string",
        "the textbook model's state: running or ready, blocked, suspended, terminated",
    ),
    (
        "note",
        "string",
        "with --pid only, when the letters alone mislead: a Zl process is alive",
    ),
    ("modifiers", "array of letter", "the modifiers present"),
    (
        "absent",
        "array of letter",
        "with --pid only: the modifiers the process lacks, and why",
    ),
];

const LETTER_FIELDS: &[FieldDoc] = &[
    ("letter", "string", "one STAT letter"),
    ("meaning", "string", "a few words, as in ps(1)"),
    (
        "explanation",
        "string",
        "what it means and where it comes from",
    ),
    (
        "evidence",
        "string",
        "with --pid only: the value in /proc that decides it",
    ),
];

const LEGEND_FIELDS: &[FieldDoc] = &[
    ("states", "array of letter", "every state letter"),
    (
        "modifiers",
        "array of letter",
        "every modifier, in ps's order",
    ),
    (
        "priority_scales",
        "array of priority scale",
        "nice, top's PR and ps's PRI: the three scales of priority",
    ),
];

const PRIORITY_SCALE_FIELDS: &[FieldDoc] = &[
    ("scale", "string", "its name, and the column that shows it"),
    ("range", "string", "its values, and which way runs more"),
    ("meaning", "string", "what sets it and where it is shown"),
];

const RENICE_FIELDS: &[FieldDoc] = &[
    ("target", "string", "process, pgrp or user"),
    (
        "id",
        "integer",
        "the PID (or TID), process group ID or user ID",
    ),
    (
        "process",
        "integer",
        "with --all-threads only: the process a thread belongs to",
    ),
    (
        "name",
        "string|null",
        "the process's name or the user's name",
    ),
    (
        "old_nice",
        "integer|null",
        "the nice value before, null on error",
    ),
    (
        "new_nice",
        "integer|null",
        "the nice value after, null on error",
    ),
    ("error", "string|null", "why the target was not changed"),
];

const EVENT_FIELDS: &[FieldDoc] = &[
    ("schema_version", "integer", "1"),
    ("demo", "string", "the demo's topic"),
    ("t", "number", "seconds since the demo started"),
    ("step", "string", "the step of the timeline"),
    ("message", "string", "what happened, in words"),
];

const DEMO_TOPIC_FIELDS: &[FieldDoc] = &[
    (
        "topic",
        "string",
        "the demo's name, as given to pscope demo",
    ),
    ("lesson", "string", "what it shows"),
];

const TOP_FRAME_FIELDS: &[FieldDoc] = &[
    (
        "time",
        "string",
        "when the frame was read, ISO-8601 local time with UTC offset",
    ),
    ("uptime_seconds", "number", "seconds since boot"),
    ("users", "integer", "users logged in (utmp)"),
    (
        "load_average",
        "array of number",
        "the load averages over 1, 5 and 15 minutes",
    ),
    (
        "interval_seconds",
        "number",
        "the time since the frame before, over which CPU shares are measured",
    ),
    ("threads", "boolean", "whether rows and counts are threads"),
    ("tasks", "top tasks", "tasks by state, as top counts them"),
    ("cpu", "cpu states", "all CPUs together"),
    ("cpus", "array of cpu states", "each CPU"),
    ("memory", "memory", "memory and swap"),
    (
        "processes",
        "array of top process",
        "the rows, in the order shown",
    ),
    (
        "events",
        "array of top event",
        "what happened in the interval",
    ),
];

const TOP_TASKS_FIELDS: &[FieldDoc] = &[
    ("total", "integer", "every task"),
    ("running", "integer", "state R"),
    (
        "sleeping",
        "integer",
        "states S and D, and every other letter (I, P...)",
    ),
    ("stopped", "integer", "states T and t"),
    ("zombie", "integer", "state Z"),
];

const CPU_STATES_FIELDS: &[FieldDoc] = &[
    (
        "user",
        "number",
        "percent of the interval in user mode (top's us)",
    ),
    ("system", "number", "in the kernel (sy)"),
    (
        "nice",
        "number",
        "in user mode at a positive nice value (ni)",
    ),
    ("idle", "number", "idle (id)"),
    ("iowait", "number", "idle while waiting for I/O (wa)"),
    ("hardware_irq", "number", "serving hardware interrupts (hi)"),
    ("software_irq", "number", "serving software interrupts (si)"),
    (
        "steal",
        "number",
        "taken by the hypervisor for other machines (st)",
    ),
];

const MEMORY_FIELDS: &[FieldDoc] = &[
    ("total_kb", "integer", "MemTotal, KiB"),
    ("free_kb", "integer", "MemFree, KiB"),
    ("used_kb", "integer", "MemTotal - MemAvailable, KiB"),
    (
        "buff_cache_kb",
        "integer",
        "Buffers + Cached + SReclaimable, KiB",
    ),
    ("available_kb", "integer", "MemAvailable, KiB"),
    ("swap_total_kb", "integer", "SwapTotal, KiB"),
    ("swap_free_kb", "integer", "SwapFree, KiB"),
    ("swap_used_kb", "integer", "SwapTotal - SwapFree, KiB"),
];

const TOP_PROCESS_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "process ID (thread group ID)"),
    ("tid", "integer", "thread ID; equals pid on a process row"),
    ("ppid", "integer", "parent process ID"),
    (
        "uid",
        "integer|null",
        "effective user ID (the owner of /proc/PID, as top reads it)",
    ),
    ("user", "string|null", "its name"),
    ("priority", "integer", "raw kernel priority"),
    ("pr", "string", "top's PR: the priority, or rt"),
    ("nice", "integer", "nice value"),
    ("virt_kb", "integer", "virtual memory, KiB"),
    ("res_kb", "integer", "resident memory, KiB"),
    (
        "shr_kb",
        "integer|null",
        "resident shared and file-backed memory, KiB; null when not read",
    ),
    ("state", "string", "the state letter"),
    (
        "cpu_percent",
        "number",
        "CPU over the last interval, percent of one CPU, as top computes it",
    ),
    (
        "cpu_ticks",
        "integer",
        "clock ticks of CPU used in the interval",
    ),
    (
        "mem_percent",
        "number",
        "resident memory over MemTotal, percent",
    ),
    (
        "cpu_time_seconds",
        "number",
        "user + system CPU time, seconds",
    ),
    ("comm", "string", "name (invalid UTF-8 becomes U+FFFD)"),
    (
        "command",
        "string",
        "COMMAND as shown: the name, or the command line",
    ),
    ("born", "boolean", "started in the interval"),
    (
        "old_state",
        "string|null",
        "the state letter in the frame before, when it changed",
    ),
    (
        "old_parent",
        "integer|null",
        "the parent in the frame before, when it changed",
    ),
    (
        "<keyword>",
        "number|string|null",
        "each ps keyword of -o that the record does not already carry, as in a ps record",
    ),
];

const TOP_EVENT_FIELDS: &[FieldDoc] = &[
    (
        "time",
        "string",
        "when the frame that saw it was read, ISO-8601 local time with UTC offset",
    ),
    (
        "event",
        "string",
        "born, exited, zombie, reaped, reparented, stopped or continued",
    ),
    (
        "pid",
        "integer",
        "the process (a thread's TID in thread mode)",
    ),
    ("comm", "string", "its name (invalid UTF-8 becomes U+FFFD)"),
    (
        "parent",
        "integer|null",
        "its parent (after a reparenting, the new one)",
    ),
    (
        "old_parent",
        "integer|null",
        "for reparented: the parent before",
    ),
    (
        "old_state",
        "string|null",
        "for zombie, stopped and continued: the state letter before",
    ),
    (
        "new_state",
        "string|null",
        "for zombie, stopped and continued: the state letter now",
    ),
    (
        "message",
        "string",
        "the event in words, e.g. born 4242 sleep, parent 4200 bash",
    ),
];

const WHY_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "process ID"),
    ("comm", "string", "name (invalid UTF-8 becomes U+FFFD)"),
    ("args", "string", "the command line as ps args prints it"),
    ("user", "string|null", "the effective user's name"),
    ("stat", "string", "STAT as ps prints it"),
    ("state", "string", "the state letter"),
    (
        "state_meaning",
        "string",
        "the letter in words, as ps(1) gives it",
    ),
    (
        "textbook_state",
        "string",
        "running or ready, blocked, suspended, terminated",
    ),
    (
        "stopped_by",
        "string|null",
        "for T: the signal that stopped it (stat field 52), e.g. SIGTSTP",
    ),
    (
        "tracer_pid",
        "integer|null",
        "the process tracing it (TracerPid), null when none",
    ),
    (
        "zombie_parent",
        "integer|null",
        "for Z: the parent that has not reaped it",
    ),
    (
        "advice",
        "string|null",
        "what to do, for a stopped process or a zombie",
    ),
    (
        "waits",
        "array of wait",
        "what its threads are doing, threads doing the same thing together",
    ),
    (
        "descriptors",
        "array of descriptor",
        "the descriptors it waits on, with their other ends",
    ),
    (
        "ancestry",
        "array of ancestor",
        "the process itself, then its parent, up to PID 1",
    ),
    ("session", "integer", "session ID"),
    (
        "session_leader",
        "string|null",
        "the session leader's name, null when it is gone",
    ),
    ("pgid", "integer", "process group ID"),
    (
        "tty",
        "string|null",
        "controlling terminal, null without one",
    ),
    (
        "unit",
        "string|null",
        "the systemd unit its cgroup names (service, scope)",
    ),
    ("slice", "string|null", "the systemd slice its cgroup names"),
    (
        "container",
        "string|null",
        "the LXC container its cgroup names",
    ),
    (
        "unreadable",
        "array of string",
        "what could not be read and why (another user's process, hidepid)",
    ),
];

const WAIT_FIELDS: &[FieldDoc] = &[
    ("tids", "array of integer", "the threads doing this"),
    ("state", "string", "their state letter"),
    (
        "syscall",
        "string|null",
        "the system call they are in, by name; null outside one or when unreadable",
    ),
    ("syscall_number", "integer|null", "its number on this architecture"),
    (
        "waits_for",
        "string|null",
        "what the call waits for, in words",
    ),
    (
        "summary",
        "string",
        "the call and its object in words, e.g. pselect6 on fds 3, 4",
    ),
    (
        "fds",
        "array of integer",
        "the descriptors waited on (from the arguments, the process's memory or the epoll instance)",
    ),
    (
        "epoll_fd",
        "integer|null",
        "the epoll instance waited on",
    ),
    (
        "children",
        "array of integer",
        "the children waited for (wait4, waitid, a vfork child)",
    ),
    (
        "futex_address",
        "integer|null",
        "the address of the futex word waited on",
    ),
    (
        "sleep_seconds",
        "number|null",
        "the time asked of a sleep, where the process's memory can be read",
    ),
    (
        "wchan",
        "string|null",
        "the kernel function they sleep in",
    ),
    (
        "stack",
        "array of string|null",
        "for D: the kernel stack, where readable (root)",
    ),
];

const DESCRIPTOR_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "the process"),
    ("comm", "string", "its name (invalid UTF-8 becomes U+FFFD)"),
    (
        "fd",
        "integer|null",
        "the descriptor; null for a memory-mapped file (--maps)",
    ),
    (
        "type",
        "string",
        "the file type letter of ls -l: - d c b p s l, or ? for an anonymous inode",
    ),
    (
        "kind",
        "string",
        "the type in words: regular file, pipe, FIFO, socket, eventpoll, mapped file ...",
    ),
    (
        "access",
        "string|null",
        "r, w, rw or path (O_PATH) from fdinfo's flags; a mapping's permissions",
    ),
    ("position", "integer|null", "the file position (fdinfo pos)"),
    (
        "target",
        "string",
        "where /proc/PID/fd/N points: a path, pipe:[INODE], socket:[INODE], anon_inode:[...]",
    ),
    ("inode", "integer|null", "the inode of the open file"),
    (
        "protocol",
        "string|null",
        "for a socket: tcp, tcp6, udp, udp6, unix-stream, unix-dgram, unix-seqpacket",
    ),
    (
        "local",
        "string|null",
        "for a socket: its address and port, or a unix socket's path",
    ),
    (
        "remote",
        "string|null",
        "for a connected TCP or UDP socket: the address and port at the other end",
    ),
    (
        "socket_state",
        "string|null",
        "for a socket: LISTEN, ESTAB, UNCONN ... as ss names them",
    ),
    (
        "peers",
        "array of peer",
        "the processes at the other end: the other holders of a pipe, the holders of a socket's peer",
    ),
];

const PEER_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "the process"),
    ("comm", "string", "its name"),
    ("fd", "integer", "its descriptor"),
    (
        "end",
        "string",
        "read end, write end, read and write end (a pipe), or peer socket",
    ),
];

const ANCESTOR_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "process ID"),
    ("comm", "string", "name"),
    ("args", "string", "command line as ps args prints it"),
    (
        "start_time",
        "string",
        "start time, ISO-8601 local time with UTC offset",
    ),
];

const UNREADABLE_FIELDS: &[FieldDoc] = &[
    ("pid", "integer", "the process"),
    ("comm", "string", "its name"),
    ("what", "string", "what could not be read, e.g. descriptors"),
    (
        "reason",
        "string",
        "why: permission (another user's process), or it ended",
    ),
];

const FILES_REPORT_FIELDS: &[FieldDoc] = &[
    (
        "descriptors",
        "array of descriptor",
        "every open descriptor (and mapped file with --maps) that passes the filters",
    ),
    (
        "unreadable",
        "array of unreadable",
        "processes whose descriptors could not be read, and why",
    ),
];

const WHY_ALL_FIELDS: &[FieldDoc] = &[
    ("samples", "integer", "how many times every task was read"),
    ("seconds", "number", "over how long"),
    ("tasks", "integer", "tasks seen in the last sample"),
    (
        "all_states",
        "boolean",
        "false: only active tasks (R and D) are counted",
    ),
    (
        "counts",
        "array of wait count",
        "tasks by state, system call and wchan, active first, most first",
    ),
];

const WAIT_COUNT_FIELDS: &[FieldDoc] = &[
    ("state", "string", "the state letter"),
    (
        "syscall",
        "string",
        "the system call by name; running (on a CPU), user (in its own code), kernel (a kernel thread) or - when unreadable",
    ),
    ("wchan", "string", "the kernel function, - for none"),
    ("count", "integer", "tasks seen so, over all samples"),
    (
        "average",
        "number",
        "count / samples: tasks so at an average moment (psn's avg_threads)",
    ),
];

/// Every record type, in the order the documentation lists them.
pub const RECORDS: &[RecordDoc] = &[
    RecordDoc {
        name: "process",
        summary:
            "one process or thread: the items of `ps --json` (`processes`) and `--format jsonl`",
        extends: None,
        fields: PROCESS_FIELDS,
    },
    RecordDoc {
        name: "ps record",
        summary: "in ps syntax (`pscope -eo pid,wchan,pss --json`): a process, then each keyword of `-o` that it does not already carry",
        extends: Some("process"),
        fields: PS_RECORD_FIELDS,
    },
    RecordDoc {
        name: "tree node",
        summary: "`tree --json` (`roots`): a process with its children and threads",
        extends: Some("process"),
        fields: TREE_NODE_FIELDS,
    },
    RecordDoc {
        name: "tree line",
        summary: "`tree --format jsonl`: one process a line",
        extends: Some("process"),
        fields: TREE_LINE_FIELDS,
    },
    RecordDoc {
        name: "show",
        summary: "`show --json` (`process`)",
        extends: Some("process"),
        fields: SHOW_FIELDS,
    },
    RecordDoc {
        name: "relative",
        summary: "an ancestor or child in `show`",
        extends: None,
        fields: RELATIVE_FIELDS,
    },
    RecordDoc {
        name: "verdict",
        summary: "the verdict of `show`",
        extends: None,
        fields: VERDICT_FIELDS,
    },
    RecordDoc {
        name: "signals",
        summary: "the signal dispositions of `show`",
        extends: None,
        fields: SIGNALS_FIELDS,
    },
    RecordDoc {
        name: "zombie report",
        summary: "`zombies --json` (`report`)",
        extends: None,
        fields: ZOMBIE_REPORT_FIELDS,
    },
    RecordDoc {
        name: "zombie group",
        summary: "the zombies of one parent; also one line of `zombies --format jsonl`",
        extends: None,
        fields: ZOMBIE_GROUP_FIELDS,
    },
    RecordDoc {
        name: "orphan report",
        summary: "`orphans --json` (`report`)",
        extends: None,
        fields: ORPHAN_REPORT_FIELDS,
    },
    RecordDoc {
        name: "orphan",
        summary: "an adopted process; also one line of `orphans --format jsonl`",
        extends: Some("process"),
        fields: ORPHAN_FIELDS,
    },
    RecordDoc {
        name: "adopter",
        summary: "who adopted an orphan",
        extends: None,
        fields: ADOPTER_FIELDS,
    },
    RecordDoc {
        name: "evidence",
        summary: "why a process is judged an orphan",
        extends: None,
        fields: EVIDENCE_FIELDS,
    },
    RecordDoc {
        name: "orphaned group",
        summary: "a POSIX orphaned process group",
        extends: None,
        fields: ORPHANED_GROUP_FIELDS,
    },
    RecordDoc {
        name: "explained",
        summary: "`explain --json` (`explained`): one STAT string decoded",
        extends: None,
        fields: EXPLAINED_FIELDS,
    },
    RecordDoc {
        name: "letter",
        summary: "one letter of a STAT string",
        extends: None,
        fields: LETTER_FIELDS,
    },
    RecordDoc {
        name: "legend",
        summary: "`explain --legend --json` (`legend`)",
        extends: None,
        fields: LEGEND_FIELDS,
    },
    RecordDoc {
        name: "priority scale",
        summary: "one scale of priority in the legend",
        extends: None,
        fields: PRIORITY_SCALE_FIELDS,
    },
    RecordDoc {
        name: "renice result",
        summary: "`renice --json` (`results`): one target",
        extends: None,
        fields: RENICE_FIELDS,
    },
    RecordDoc {
        name: "top frame",
        summary: "`top -b --json`: one frame a line",
        extends: None,
        fields: TOP_FRAME_FIELDS,
    },
    RecordDoc {
        name: "top tasks",
        summary: "the task counts of a top frame",
        extends: None,
        fields: TOP_TASKS_FIELDS,
    },
    RecordDoc {
        name: "cpu states",
        summary: "the shares of a top frame's interval, in percent, as top computes them",
        extends: None,
        fields: CPU_STATES_FIELDS,
    },
    RecordDoc {
        name: "memory",
        summary: "the memory figures of a top frame",
        extends: None,
        fields: MEMORY_FIELDS,
    },
    RecordDoc {
        name: "top process",
        summary: "one row of a top frame",
        extends: None,
        fields: TOP_PROCESS_FIELDS,
    },
    RecordDoc {
        name: "top event",
        summary: "one thing that happened in a top frame's interval",
        extends: None,
        fields: TOP_EVENT_FIELDS,
    },
    RecordDoc {
        name: "why",
        summary: "`why PID --json` (`why`): one process, what it waits on and why it exists",
        extends: None,
        fields: WHY_FIELDS,
    },
    RecordDoc {
        name: "wait",
        summary: "threads of a `why` record doing the same thing",
        extends: None,
        fields: WAIT_FIELDS,
    },
    RecordDoc {
        name: "ancestor",
        summary: "one process of a `why` record's ancestry",
        extends: None,
        fields: ANCESTOR_FIELDS,
    },
    RecordDoc {
        name: "descriptor",
        summary: "one open descriptor: `files --json` (`files`), one line of `files --format jsonl`, and the waited-on descriptors of `why`",
        extends: None,
        fields: DESCRIPTOR_FIELDS,
    },
    RecordDoc {
        name: "peer",
        summary: "a process at the other end of a descriptor",
        extends: None,
        fields: PEER_FIELDS,
    },
    RecordDoc {
        name: "files report",
        summary: "`files --json` (`files`)",
        extends: None,
        fields: FILES_REPORT_FIELDS,
    },
    RecordDoc {
        name: "unreadable",
        summary: "a process `files` could not read",
        extends: None,
        fields: UNREADABLE_FIELDS,
    },
    RecordDoc {
        name: "why all",
        summary: "`why --all --json` (`sample`)",
        extends: None,
        fields: WHY_ALL_FIELDS,
    },
    RecordDoc {
        name: "wait count",
        summary: "one row of `why --all`; also one line of `why --all --format jsonl`",
        extends: None,
        fields: WAIT_COUNT_FIELDS,
    },
    RecordDoc {
        name: "demo event",
        summary: "`demo ... --json`: one event a line, these fields then the step's facts",
        extends: None,
        fields: EVENT_FIELDS,
    },
    RecordDoc {
        name: "demo topic",
        summary: "`demo --json` without a topic (`demos`): one demo",
        extends: None,
        fields: DEMO_TOPIC_FIELDS,
    },
];

/// One process (or thread) in every JSON output: `ps`, `tree`, `show`.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessRecord {
    pub pid: i32,
    pub tid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    pub tpgid: i32,
    pub tty: Option<String>,
    pub tty_nr: i32,
    pub uid: Option<u32>,
    pub user: Option<String>,
    pub ruid: Option<u32>,
    pub ruser: Option<String>,
    pub stat: String,
    pub state: String,
    pub state_name: &'static str,
    pub stat_flags: Vec<String>,
    pub nice: Option<i64>,
    pub priority: i64,
    pub pri: i64,
    pub rtprio: Option<u32>,
    pub policy: &'static str,
    pub num_threads: i64,
    pub cpu_percent: f64,
    pub mem_percent: Option<f64>,
    pub vsz_kb: Option<u64>,
    pub rss_kb: Option<u64>,
    pub locked_kb: Option<u64>,
    pub cpu_time_seconds: f64,
    pub start_time: String,
    pub start_seconds_since_boot: f64,
    pub elapsed_seconds: u64,
    pub comm: String,
    pub cmdline: Option<Vec<String>>,
    pub args: String,
    pub kind: &'static str,
    pub exit_status: Option<String>,
}

impl ProcessRecord {
    pub fn new(task: &Task, kind: Kind, cx: &RowContext) -> Self {
        let s = &task.stat;
        let sys = &cx.snapshot.system;
        let hz = sys.hz.max(1) as f64;
        let status = task.status.as_ref();
        let rss = status.map(|st| st.vm_rss_kb.unwrap_or(0));
        let stat = state::stat_string(task);
        ProcessRecord {
            pid: task.tgid,
            tid: task.pid,
            ppid: s.ppid,
            pgid: s.pgrp,
            sid: s.session,
            tpgid: s.tpgid,
            tty: cx
                .snapshot
                .terminals
                .of(task.pid, s.tty_nr)
                .map(str::to_string),
            tty_nr: s.tty_nr,
            uid: task.euid(),
            user: task.euid().map(|u| cx.snapshot.user_name(u)),
            ruid: task.ruid(),
            ruser: task.ruid().map(|u| cx.snapshot.user_name(u)),
            state: s.state.to_string(),
            state_name: state::state_code(s.state).map_or("unknown", |c| state_word(c.letter)),
            stat_flags: stat.chars().skip(1).map(String::from).collect(),
            stat,
            nice: sched::nice(task),
            priority: s.priority,
            pri: sched::ps_pri(s.priority),
            rtprio: sched::rtprio(task),
            policy: sched::policy_name(s.policy),
            num_threads: s.num_threads,
            cpu_percent: psfmt::cpu_per_mille(task.cpu_ticks(), s.starttime, sys) as f64 / 10.0,
            mem_percent: rss.map(|r| psfmt::mem_per_mille(r, sys.mem_total_kb) as f64 / 10.0),
            vsz_kb: status.map(|st| st.vm_size_kb.unwrap_or(0)),
            rss_kb: rss,
            locked_kb: status.map(|st| st.vm_lck_kb.unwrap_or(0)),
            cpu_time_seconds: task.cpu_ticks() as f64 / hz,
            start_time: psfmt::iso8601(sys.start_epoch(s.starttime)),
            start_seconds_since_boot: s.starttime as f64 / hz,
            elapsed_seconds: sys.elapsed_secs(s.starttime),
            comm: lossy(&s.comm),
            cmdline: task.cmdline.as_ref().map(|raw| {
                cmdline_args(raw)
                    .into_iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect()
            }),
            args: psfmt::args(task.cmdline.as_deref(), &s.comm, s.state == 'Z', true),
            kind: kind.name(),
            exit_status: exit_status(task, kind),
        }
    }
}

/// What a zombie's parent will be told by wait(), in words.
pub fn exit_status(task: &Task, kind: Kind) -> Option<String> {
    (kind == Kind::Zombie)
        .then_some(task.stat.exit_code)
        .flatten()
        .map(signals::describe_wait_status)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A one-word name for a state letter, for scripts.
pub fn state_word(letter: char) -> &'static str {
    match letter {
        'R' => "running",
        'S' => "sleeping",
        'D' => "disk-sleep",
        'T' => "stopped",
        't' => "tracing-stop",
        'Z' => "zombie",
        'X' => "dead",
        'I' => "idle",
        'P' => "parked",
        'W' => "paging",
        'K' => "wakekill",
        _ => "unknown",
    }
}

/// A process record in ps syntax, with each `-o` keyword that the record
/// does not already carry, under the keyword's name.
#[derive(Serialize)]
pub struct PsRecord<'a> {
    #[serde(flatten)]
    pub process: ProcessRecord,
    #[serde(flatten)]
    pub keywords: KeywordValues<'a>,
}

/// Keyword values written as map entries, typed: numbers as numbers,
/// signal masks as 16 hex digits, what cannot be read as null.
pub struct KeywordValues<'a>(pub Vec<(&'a str, Typed)>);

impl Serialize for KeywordValues<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Whether the process record already carries what this keyword prints.
pub fn in_process_record(field: Field) -> bool {
    matches!(
        field,
        Field::Pid
            | Field::Lwp
            | Field::Ppid
            | Field::Pgid
            | Field::Sid
            | Field::Tpgid
            | Field::Tty
            | Field::Uid
            | Field::User
            | Field::Ruid
            | Field::Ruser
            | Field::Stat
            | Field::State
            | Field::Nice
            | Field::Priority
            | Field::Pri
            | Field::Rtprio
            | Field::Class
            | Field::Nlwp
            | Field::Pcpu
            | Field::Pmem
            | Field::Vsz
            | Field::Rss
            | Field::Time
            | Field::BsdTime
            | Field::Lstart
            | Field::Start
            | Field::StartTime
            | Field::Etimes
            | Field::Comm
            | Field::Args
            | Field::Kind
    )
}

/// Records for a list of tasks, each made when it is written.
pub fn process_records<'a>(
    rows: impl IntoIterator<Item = (&'a Task, Kind)> + 'a,
    cx: &'a RowContext<'a>,
) -> impl Iterator<Item = ProcessRecord> + 'a {
    rows.into_iter()
        .map(move |(task, kind)| ProcessRecord::new(task, kind, cx))
}

/// A tree node's own fields: a process, or a parent /proc does not show.
#[derive(Serialize)]
#[serde(untagged)]
pub enum NodeBody {
    Process(Box<ProcessRecord>),
    Missing { pid: i32, missing: bool },
}

/// What the tree records are made from.
pub struct TreeSource<'a> {
    pub forest: &'a Forest<'a>,
    pub tasks: &'a [Task],
    pub kinship: &'a Kinship<'a>,
    pub rows: &'a RowContext<'a>,
    /// Nodes already written: a captured tree can hold a cycle, and no
    /// node is written twice.
    seen: RefCell<Vec<bool>>,
}

impl<'a> TreeSource<'a> {
    pub fn new(
        forest: &'a Forest<'a>,
        tasks: &'a [Task],
        kinship: &'a Kinship<'a>,
        rows: &'a RowContext<'a>,
    ) -> Self {
        TreeSource {
            forest,
            tasks,
            kinship,
            rows,
            seen: RefCell::new(vec![false; forest.nodes.len()]),
        }
    }

    fn body(&self, n: usize) -> NodeBody {
        match self.forest.task(n, self.tasks) {
            Some(task) => NodeBody::Process(Box::new(ProcessRecord::new(
                task,
                self.forest.kind(n, task, self.kinship),
                self.rows,
            ))),
            None => NodeBody::Missing {
                pid: self.forest.nodes[n].pid,
                missing: true,
            },
        }
    }

    /// The nested record of node `n`: its children are made as they are
    /// written, depth first.
    pub fn nested(&'a self, n: usize) -> TreeNode<'a> {
        self.seen.borrow_mut()[n] = true;
        let children = &self.forest.nodes[n].children;
        TreeNode {
            body: self.body(n),
            children: Later::new(Box::new(move || {
                Each::new(Box::new(children.iter().filter_map(move |&c| {
                    let process = !self.forest.nodes[c].is_thread();
                    (process && !self.seen.borrow()[c]).then(|| self.nested(c))
                }))
                    as Box<dyn Iterator<Item = TreeNode<'a>> + 'a>)
            })),
            threads: Each::new(Box::new(children.iter().filter_map(move |&c| {
                if !self.forest.nodes[c].is_thread() || self.seen.borrow()[c] {
                    return None;
                }
                let task = self.forest.task(c, self.tasks)?;
                Some(ProcessRecord::new(task, Kind::Normal, self.rows))
            }))),
        }
    }

    /// The flat records of the subtree at `root`, with depth and parent.
    pub fn lines(&'a self, root: usize) -> impl Iterator<Item = TreeLine> + 'a {
        let mut depth_of = std::collections::HashMap::new();
        self.forest
            .subtree(root)
            .into_iter()
            .filter(move |&n| !self.forest.nodes[n].is_thread())
            .map(move |n| {
                let parent = self.forest.nodes[n].parent.filter(|_| n != root);
                let depth = parent.and_then(|p| depth_of.get(&p)).map_or(0, |d| d + 1);
                depth_of.insert(n, depth);
                TreeLine {
                    body: self.body(n),
                    depth,
                    parent: parent.map(|p| self.forest.nodes[p].pid),
                }
            })
    }
}

type Nodes<'a> = Box<dyn Iterator<Item = TreeNode<'a>> + 'a>;
type Records<'a> = Box<dyn Iterator<Item = ProcessRecord> + 'a>;

/// A process with its children and threads, for `tree --json`.
#[derive(Serialize)]
pub struct TreeNode<'a> {
    #[serde(flatten)]
    body: NodeBody,
    children: Later<Box<dyn FnOnce() -> Each<Nodes<'a>> + 'a>>,
    threads: Each<Records<'a>>,
}

/// One process per line with its depth and parent, for `--format jsonl`.
#[derive(Serialize)]
pub struct TreeLine {
    #[serde(flatten)]
    body: NodeBody,
    depth: usize,
    parent: Option<i32>,
}

/// An ancestor or child, named.
#[derive(Serialize)]
pub struct Relative {
    pub pid: i32,
    pub comm: String,
}

impl Relative {
    pub fn of(task: &Task) -> Self {
        Relative {
            pid: task.pid,
            comm: lossy(&task.stat.comm),
        }
    }
}

#[derive(Serialize)]
pub struct VerdictRecord {
    pub kind: &'static str,
    pub explanation: String,
}

/// One process in full, for `show --json`.
#[derive(Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub process: ProcessRecord,
    pub exe: Option<String>,
    pub cwd: Option<String>,
    pub ancestry: Vec<Relative>,
    pub children: Vec<Relative>,
    pub threads: Vec<ProcessRecord>,
    pub verdict: VerdictRecord,
    pub signals: Option<SignalsRecord>,
}

/// Signals by name (`CHLD`, `RTMIN+2`), from a task's masks.
#[derive(Serialize)]
pub struct SignalsRecord {
    pub ignored: Vec<String>,
    pub caught: Vec<String>,
    pub blocked: Vec<String>,
    pub pending: Vec<String>,
}

impl SignalsRecord {
    pub fn new(masks: &crate::model::SignalMasks) -> Self {
        let names = |mask: u64| {
            signals::in_mask(mask)
                .into_iter()
                .map(signals::name)
                .collect()
        };
        SignalsRecord {
            ignored: names(masks.ignored),
            caught: names(masks.caught),
            blocked: names(masks.blocked),
            pending: names(masks.pending | masks.shared_pending),
        }
    }
}

/// `why PID`: one process, what it waits on and why it exists.
#[derive(Serialize)]
pub struct WhyRecord {
    pub pid: i32,
    pub comm: String,
    pub args: String,
    pub user: Option<String>,
    pub stat: String,
    pub state: String,
    pub state_meaning: &'static str,
    pub textbook_state: &'static str,
    pub stopped_by: Option<String>,
    pub tracer_pid: Option<i32>,
    pub zombie_parent: Option<i32>,
    pub advice: Option<String>,
    pub waits: Vec<WaitRecord>,
    pub descriptors: Vec<DescriptorRecord>,
    pub ancestry: Vec<AncestorRecord>,
    pub session: i32,
    pub session_leader: Option<String>,
    pub pgid: i32,
    pub tty: Option<String>,
    pub unit: Option<String>,
    pub slice: Option<String>,
    pub container: Option<String>,
    pub unreadable: Vec<String>,
}

/// Threads doing the same thing.
#[derive(Serialize)]
pub struct WaitRecord {
    pub tids: Vec<i32>,
    pub state: String,
    pub syscall: Option<String>,
    pub syscall_number: Option<i64>,
    pub waits_for: Option<&'static str>,
    pub summary: String,
    pub fds: Vec<i32>,
    pub epoll_fd: Option<i32>,
    pub children: Vec<i32>,
    pub futex_address: Option<u64>,
    pub sleep_seconds: Option<f64>,
    pub wchan: Option<String>,
    pub stack: Option<Vec<String>>,
}

impl WaitRecord {
    pub fn new(group: &WaitGroup) -> Self {
        let f = &group.finding;
        WaitRecord {
            tids: group.tids.clone(),
            state: f.state.to_string(),
            syscall: f.call.as_ref().map(|(_, name)| name.clone()),
            syscall_number: f.call.as_ref().map(|(n, _)| *n),
            waits_for: f.waits_for,
            summary: f.summary(),
            fds: f.fds().to_vec(),
            epoll_fd: match f.object {
                Object::Epoll { instance, .. } => Some(instance),
                _ => None,
            },
            children: f.children(),
            futex_address: match f.object {
                Object::Futex { address } => Some(address),
                _ => None,
            },
            sleep_seconds: match f.object {
                Object::Timer { seconds, .. } => seconds,
                _ => None,
            },
            wchan: f.wchan.clone(),
            stack: f.stack.clone(),
        }
    }
}

/// An ancestor of a process, or the process itself.
#[derive(Serialize)]
pub struct AncestorRecord {
    pub pid: i32,
    pub comm: String,
    pub args: String,
    pub start_time: String,
}

impl AncestorRecord {
    pub fn new(task: &Task, cx: &RowContext) -> Self {
        let s = &task.stat;
        AncestorRecord {
            pid: task.pid,
            comm: lossy(&s.comm),
            args: psfmt::args(task.cmdline.as_deref(), &s.comm, s.state == 'Z', true),
            start_time: psfmt::iso8601(cx.snapshot.system.start_epoch(s.starttime)),
        }
    }
}

/// One open descriptor, or with `fd` null a mapped file.
#[derive(Serialize)]
pub struct DescriptorRecord {
    pub pid: i32,
    pub comm: String,
    pub fd: Option<i32>,
    #[serde(rename = "type")]
    pub type_letter: String,
    pub kind: String,
    pub access: Option<String>,
    pub position: Option<u64>,
    pub target: String,
    pub inode: Option<u64>,
    pub protocol: Option<String>,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub socket_state: Option<&'static str>,
    pub peers: Vec<PeerRecord>,
}

impl DescriptorRecord {
    pub fn new(
        task: &Task,
        open: &OpenFd,
        resolved: &Resolved,
        name_of: &dyn Fn(i32) -> String,
    ) -> Self {
        let detail = open.detail.as_ref();
        let socket = resolved.socket.as_ref();
        DescriptorRecord {
            pid: task.tgid,
            comm: lossy(&task.stat.comm),
            fd: Some(open.fd),
            type_letter: resolved.letter.to_string(),
            kind: resolved.kind.clone(),
            access: resolved.access.map(str::to_string),
            position: detail.and_then(|d| d.position),
            target: open.target.clone(),
            inode: detail.and_then(|d| d.inode),
            protocol: socket.map(|s| s.protocol.clone()),
            local: socket.and_then(|s| s.local.clone()),
            remote: socket.and_then(|s| s.remote.clone()),
            socket_state: socket.map(|s| s.state),
            peers: resolved
                .peers
                .iter()
                .map(|p| PeerRecord {
                    pid: p.pid,
                    comm: name_of(p.pid),
                    fd: p.fd,
                    end: p.end,
                })
                .collect(),
        }
    }

    /// A memory-mapped file.
    pub fn mapping(task: &Task, map: &Mapping) -> Self {
        DescriptorRecord {
            pid: task.tgid,
            comm: lossy(&task.stat.comm),
            fd: None,
            type_letter: "-".into(),
            kind: "mapped file".into(),
            access: Some(map.perms.clone()),
            position: None,
            target: map.path.clone().unwrap_or_default(),
            inode: None,
            protocol: None,
            local: None,
            remote: None,
            socket_state: None,
            peers: Vec::new(),
        }
    }
}

/// A process at the other end.
#[derive(Serialize)]
pub struct PeerRecord {
    pub pid: i32,
    pub comm: String,
    pub fd: i32,
    pub end: &'static str,
}

/// What could not be read of a process, and why.
#[derive(Serialize)]
pub struct UnreadableRecord {
    pub pid: i32,
    pub comm: String,
    pub what: &'static str,
    pub reason: String,
}

/// `files --json`.
#[derive(Serialize)]
pub struct FilesReport<D, U> {
    pub descriptors: D,
    pub unreadable: U,
}

/// `why --all`.
#[derive(Serialize)]
pub struct WhyAllRecord {
    pub samples: usize,
    pub seconds: f64,
    pub tasks: usize,
    pub all_states: bool,
    pub counts: Vec<WaitCountRecord>,
}

/// One row of `why --all`.
#[derive(Serialize)]
pub struct WaitCountRecord {
    pub state: String,
    pub syscall: String,
    pub wchan: String,
    pub count: usize,
    pub average: f64,
}

/// The zombies of one parent.
#[derive(Serialize)]
pub struct ZombieGroupRecord {
    pub parent_pid: i32,
    pub parent_comm: Option<String>,
    pub parent_args: Option<String>,
    pub count: usize,
    pub oldest_seconds: u64,
    pub advice: String,
    pub zombies: Vec<ProcessRecord>,
}

impl ZombieGroupRecord {
    pub fn new(group: &ZombieGroup, advice: String, cx: &RowContext) -> Self {
        ZombieGroupRecord {
            parent_pid: group.parent_pid,
            parent_comm: group.parent.map(|p| psfmt::comm(&p.stat.comm, cx.utf8)),
            parent_args: group.parent.map(|p| {
                psfmt::args(
                    p.cmdline.as_deref(),
                    &p.stat.comm,
                    p.stat.state == 'Z',
                    cx.utf8,
                )
            }),
            count: group.zombies.len(),
            oldest_seconds: group.oldest_seconds,
            advice,
            zombies: group
                .zombies
                .iter()
                .map(|z| ProcessRecord::new(z, Kind::Zombie, cx))
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct ZombieReport<Groups, Exited> {
    pub zombies: Groups,
    pub exited_main_threads: Exited,
}

#[derive(Serialize)]
pub struct Adopter {
    pub pid: i32,
    pub comm: String,
    pub is_init: bool,
}

#[derive(Serialize)]
pub struct Evidence {
    pub original_session: i32,
    pub session_leader_alive: bool,
    pub adopter_session: i32,
    pub heuristic: bool,
}

/// An adopted process with its adopter and the evidence.
#[derive(Serialize)]
pub struct OrphanRecord {
    #[serde(flatten)]
    pub process: ProcessRecord,
    pub adopter: Adopter,
    pub evidence: Evidence,
}

impl OrphanRecord {
    pub fn new(task: &Task, evidence: &OrphanEvidence, adopter: &Task, cx: &RowContext) -> Self {
        OrphanRecord {
            process: ProcessRecord::new(task, Kind::Orphan, cx),
            adopter: Adopter {
                pid: evidence.adopter,
                comm: lossy(&adopter.stat.comm),
                is_init: evidence.adopter == 1,
            },
            evidence: Evidence {
                original_session: evidence.session,
                session_leader_alive: evidence.session_leader_alive,
                adopter_session: evidence.adopter_session,
                heuristic: true,
            },
        }
    }
}

#[derive(Serialize)]
pub struct OrphanedGroupRecord {
    pub pgid: i32,
    pub sid: i32,
    pub members: Vec<i32>,
    pub leader: Option<String>,
    pub stopped: usize,
}

impl OrphanedGroupRecord {
    pub fn new(group: &ProcessGroup, kinship: &Kinship, utf8: bool) -> Self {
        OrphanedGroupRecord {
            leader: kinship
                .get(group.pgid)
                .map(|l| psfmt::comm(&l.stat.comm, utf8)),
            pgid: group.pgid,
            sid: group.session,
            members: group.members.clone(),
            stopped: group.stopped,
        }
    }
}

#[derive(Serialize)]
pub struct OrphanReport<Orphans, Groups> {
    pub orphans: Orphans,
    pub orphaned_process_groups: Groups,
}

/// One letter of a STAT string.
#[derive(Serialize)]
pub struct Letter {
    pub letter: char,
    pub meaning: &'static str,
    pub explanation: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Letter {
    pub fn new(code: &Code, evidence: Option<String>) -> Self {
        Letter {
            letter: code.letter,
            meaning: code.short,
            explanation: code.long,
            evidence,
        }
    }
}

/// One STAT string decoded.
#[derive(Serialize)]
pub struct Explained {
    pub stat: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    pub state: Letter,
    pub textbook_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
    pub modifiers: Vec<Letter>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<Letter>,
}

#[derive(Serialize)]
pub struct Legend {
    pub states: Vec<Letter>,
    pub modifiers: Vec<Letter>,
    pub priority_scales: Vec<PriorityScale>,
}

/// One of the three scales a priority is written on.
#[derive(Serialize)]
pub struct PriorityScale {
    pub scale: &'static str,
    pub range: &'static str,
    pub meaning: &'static str,
}

/// What renice did to one target.
#[derive(Debug, Clone, Serialize)]
pub struct ReniceResult {
    pub target: &'static str,
    pub id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<u32>,
    pub name: Option<String>,
    pub old_nice: Option<i32>,
    pub new_nice: Option<i32>,
    pub error: Option<String>,
}

/// One demo in the list of `pscope demo`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoTopic {
    pub topic: String,
    pub lesson: String,
}

/// The fields every demo event starts with; the step's facts follow.
#[derive(Serialize)]
pub struct Event<'a, Facts> {
    pub demo: &'a str,
    pub t: f64,
    pub step: &'a str,
    pub message: &'a str,
    #[serde(flatten)]
    pub facts: Facts,
}

/// One frame of `top --json`; its processes are written as they are made.
#[derive(Serialize)]
pub struct TopFrameRecord<P> {
    pub time: String,
    pub uptime_seconds: f64,
    pub users: usize,
    pub load_average: [f64; 3],
    pub interval_seconds: f64,
    pub threads: bool,
    pub tasks: TopTasksRecord,
    pub cpu: CpuStatesRecord,
    pub cpus: Vec<CpuStatesRecord>,
    pub memory: MemoryRecord,
    pub processes: P,
    pub events: Vec<TopEventRecord>,
}

#[derive(Serialize)]
pub struct TopTasksRecord {
    pub total: usize,
    pub running: usize,
    pub sleeping: usize,
    pub stopped: usize,
    pub zombie: usize,
}

impl TopTasksRecord {
    pub fn new(c: &TaskCounts) -> Self {
        TopTasksRecord {
            total: c.total,
            running: c.running,
            sleeping: c.sleeping,
            stopped: c.stopped,
            zombie: c.zombie,
        }
    }
}

#[derive(Serialize)]
pub struct CpuStatesRecord {
    pub user: f64,
    pub system: f64,
    pub nice: f64,
    pub idle: f64,
    pub iowait: f64,
    pub hardware_irq: f64,
    pub software_irq: f64,
    pub steal: f64,
}

/// A share as JSON: the f32 top computes, to the tenth it prints.
fn tenths(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

impl CpuStatesRecord {
    pub fn new(c: &CpuShares) -> Self {
        CpuStatesRecord {
            user: tenths(c.us),
            system: tenths(c.sy),
            nice: tenths(c.ni),
            idle: tenths(c.id),
            iowait: tenths(c.wa),
            hardware_irq: tenths(c.hi),
            software_irq: tenths(c.si),
            steal: tenths(c.st),
        }
    }
}

#[derive(Serialize)]
pub struct MemoryRecord {
    pub total_kb: u64,
    pub free_kb: u64,
    pub used_kb: u64,
    pub buff_cache_kb: u64,
    pub available_kb: u64,
    pub swap_total_kb: u64,
    pub swap_free_kb: u64,
    pub swap_used_kb: u64,
}

impl MemoryRecord {
    pub fn new(m: &MemoryFigures) -> Self {
        MemoryRecord {
            total_kb: m.total,
            free_kb: m.free,
            used_kb: m.used,
            buff_cache_kb: m.buff_cache,
            available_kb: m.available,
            swap_total_kb: m.swap_total,
            swap_free_kb: m.swap_free,
            swap_used_kb: m.swap_used,
        }
    }
}

/// Whether a top process record has a key of this name (a ps keyword of
/// the same name is then left out, not written twice).
pub fn top_process_has(name: &str) -> bool {
    TOP_PROCESS_FIELDS.iter().any(|(key, _, _)| *key == name)
}

/// One row of a top frame, with the ps keywords of `-o` it lacks.
#[derive(Serialize)]
pub struct TopProcessRecord<'a> {
    pub pid: i32,
    pub tid: i32,
    pub ppid: i32,
    pub uid: Option<u32>,
    pub user: Option<String>,
    pub priority: i64,
    pub pr: String,
    pub nice: i64,
    pub virt_kb: u64,
    pub res_kb: u64,
    pub shr_kb: Option<u64>,
    pub state: String,
    pub cpu_percent: f64,
    pub cpu_ticks: u64,
    pub mem_percent: f64,
    pub cpu_time_seconds: f64,
    pub comm: String,
    pub command: String,
    pub born: bool,
    pub old_state: Option<String>,
    pub old_parent: Option<i32>,
    #[serde(flatten)]
    pub keywords: KeywordValues<'a>,
}

impl<'a> TopProcessRecord<'a> {
    pub fn new(row: &TopRow, cx: &TopContext, keywords: KeywordValues<'a>) -> Self {
        let task = row.task;
        let s = &task.stat;
        let hz = cx.rows.snapshot.system.hz.max(1) as f64;
        TopProcessRecord {
            pid: task.tgid,
            tid: task.pid,
            ppid: s.ppid,
            uid: task.owner_uid,
            user: task.owner_uid.map(|u| cx.rows.snapshot.user_name(u)),
            priority: s.priority,
            pr: topfmt::priority(s.priority),
            nice: s.nice,
            virt_kb: topcols::virt_kib(task),
            res_kb: topcols::res_kib(task, cx),
            shr_kb: task.shared_pages.map(|_| topcols::shr_kib(task, cx)),
            state: s.state.to_string(),
            cpu_percent: tenths(topcols::cpu_percent(row, cx)),
            cpu_ticks: row.ticks,
            mem_percent: tenths(topcols::mem_percent(task, cx)),
            cpu_time_seconds: task.cpu_ticks() as f64 / hz,
            comm: lossy(&s.comm),
            command: if cx.full_command {
                psfmt::args(task.cmdline.as_deref(), &s.comm, s.state == 'Z', true)
            } else {
                lossy(&s.comm)
            },
            born: row.marks.born,
            old_state: row.marks.old_state.map(String::from),
            old_parent: row.marks.old_parent,
            keywords,
        }
    }
}

/// One event of a top frame.
#[derive(Serialize)]
pub struct TopEventRecord {
    pub time: String,
    pub event: &'static str,
    pub pid: i32,
    pub comm: String,
    pub parent: Option<i32>,
    pub old_parent: Option<i32>,
    pub old_state: Option<String>,
    pub new_state: Option<String>,
    pub message: String,
}

impl TopEventRecord {
    pub fn new(e: &changes::Event) -> Self {
        let (old_parent, states) = match e.what {
            Happened::Reparented { from, .. } => (Some(from), None),
            Happened::BecameZombie { from, .. } => (None, Some((from, 'Z'))),
            Happened::Stopped { from, state } => (None, Some((from, state))),
            Happened::Continued { from, to } => (None, Some((from, to))),
            _ => (None, None),
        };
        TopEventRecord {
            time: psfmt::iso8601(e.time),
            event: e.what.name(),
            pid: e.pid,
            comm: lossy(&e.comm),
            parent: e.parent(),
            old_parent,
            old_state: states.map(|(from, _)| from.to_string()),
            new_state: states.map(|(_, to)| to.to_string()),
            message: e.message(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::columns::RowContext;
    use crate::analysis::tree::TreeOptions;
    use crate::model::{Snapshot, SystemInfo};

    fn snapshot(tasks: Vec<Task>) -> Snapshot {
        Snapshot {
            system: SystemInfo {
                hz: 100,
                boot_time: 0,
                uptime: 10.0,
                now: 10,
                mem_total_kb: 1000,
                ..SystemInfo::default()
            },
            tasks,
            users: Default::default(),
            groups: Default::default(),
            warnings: Vec::new(),
            terminals: Default::default(),
        }
    }

    fn keys(value: &impl Serialize) -> Vec<String> {
        let line = super::super::json::line_string(value);
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        value
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "schema_version")
            .cloned()
            .collect()
    }

    /// The documented keys of a record type, its base's first.
    fn documented(name: &str) -> Vec<String> {
        let record = RECORDS.iter().find(|r| r.name == name).unwrap();
        let mut keys = record.extends.map(documented).unwrap_or_default();
        keys.extend(record.fields.iter().map(|f| f.0.to_string()));
        keys
    }

    fn task(pid: i32, ppid: i32, session: i32, state: char) -> Task {
        let mut t = Task {
            pid,
            tgid: pid,
            ..Task::default()
        };
        t.stat.ppid = ppid;
        t.stat.session = session;
        t.stat.pgrp = pid;
        t.stat.state = state;
        t.stat.num_threads = 1;
        t.stat.comm = b"p".to_vec();
        t
    }

    #[test]
    fn every_record_type_writes_its_documented_keys() {
        let snap = snapshot(vec![
            task(1, 0, 1, 'S'),
            task(5, 1, 3, 'S'),
            task(6, 5, 5, 'Z'),
        ]);
        let cx = RowContext::new(&snap, true);
        let kinship = Kinship::new(&snap.tasks);
        let t = &snap.tasks[0];
        let record = || ProcessRecord::new(t, Kind::Normal, &cx);
        assert_eq!(keys(&record()), documented("process"));

        let forest = Forest::build(&snap.tasks, TreeOptions::default());
        let source = TreeSource::new(&forest, &snap.tasks, &kinship, &cx);
        let ps = PsRecord {
            process: record(),
            keywords: KeywordValues(vec![("wchan", Typed::Null)]),
        };
        let mut expected = documented("process");
        expected.push("wchan".into());
        assert_eq!(keys(&ps), expected);
        assert!(documented("ps record").contains(&"<keyword>".to_string()));

        let mut expected = documented("process");
        expected.extend(["children".to_string(), "threads".to_string()]);
        assert_eq!(keys(&source.nested(forest.find(1).unwrap())), expected);
        assert!(documented("tree node").contains(&"missing".to_string()));
        let line = source.lines(forest.find(1).unwrap()).next().unwrap();
        assert_eq!(keys(&line), documented("tree line"));

        let relative = Relative::of(t);
        let shown = Shown {
            process: record(),
            exe: None,
            cwd: None,
            ancestry: vec![],
            children: vec![],
            threads: vec![],
            verdict: VerdictRecord {
                kind: "normal",
                explanation: String::new(),
            },
            signals: Some(SignalsRecord::new(&Default::default())),
        };
        assert_eq!(keys(&shown), documented("show"));
        assert_eq!(keys(shown.signals.as_ref().unwrap()), documented("signals"));
        assert_eq!(keys(&relative), documented("relative"));
        assert_eq!(keys(&shown.verdict), documented("verdict"));

        let groups = kinship.zombie_groups(&snap.system);
        let group = ZombieGroupRecord::new(&groups[0], String::new(), &cx);
        assert_eq!(keys(&group), documented("zombie group"));
        let report = ZombieReport {
            zombies: vec![group],
            exited_main_threads: Vec::<ProcessRecord>::new(),
        };
        assert_eq!(keys(&report), documented("zombie report"));

        let orphan_task = &snap.tasks[1];
        let evidence = kinship.orphan_evidence(orphan_task).unwrap();
        let orphan = OrphanRecord::new(orphan_task, &evidence, t, &cx);
        assert_eq!(keys(&orphan), documented("orphan"));
        assert_eq!(keys(&orphan.adopter), documented("adopter"));
        assert_eq!(keys(&orphan.evidence), documented("evidence"));
        let group = OrphanedGroupRecord::new(&kinship.orphaned_groups()[0], &kinship, true);
        assert_eq!(keys(&group), documented("orphaned group"));
        let report = OrphanReport {
            orphans: vec![orphan],
            orphaned_process_groups: vec![group],
        };
        assert_eq!(keys(&report), documented("orphan report"));

        let code = &state::STATES[0];
        let letter = Letter::new(code, Some("why".into()));
        assert_eq!(keys(&letter), documented("letter"));
        let explained = Explained {
            stat: "S".into(),
            pid: Some(1),
            state: Letter::new(code, None),
            textbook_state: "",
            note: Some(""),
            modifiers: vec![],
            absent: vec![letter],
        };
        assert_eq!(keys(&explained), documented("explained"));
        let scale = PriorityScale {
            scale: "",
            range: "",
            meaning: "",
        };
        assert_eq!(keys(&scale), documented("priority scale"));
        let legend = Legend {
            states: vec![],
            modifiers: vec![],
            priority_scales: vec![scale],
        };
        assert_eq!(keys(&legend), documented("legend"));

        let renice = ReniceResult {
            target: "process",
            id: 1,
            process: Some(1),
            name: None,
            old_nice: None,
            new_nice: None,
            error: None,
        };
        assert_eq!(keys(&renice), documented("renice result"));

        let event = Event {
            demo: "fork",
            t: 0.0,
            step: "s",
            message: "m",
            facts: serde_json::json!({}),
        };
        let mut expected = documented("demo event");
        expected.retain(|k| k != "schema_version");
        assert_eq!(keys(&event), expected);
        let topic = DemoTopic {
            topic: "fork".into(),
            lesson: String::new(),
        };
        assert_eq!(keys(&topic), documented("demo topic"));
    }

    #[test]
    fn why_and_files_records_write_their_documented_keys() {
        use crate::analysis::files::{Peer, Resolved, SocketFacts};
        use crate::analysis::waits::{Object, ThreadFinding};
        let snap = snapshot(vec![task(1, 0, 1, 'S')]);
        let cx = RowContext::new(&snap, true);
        let t = &snap.tasks[0];
        let open = OpenFd {
            fd: 3,
            target: "socket:[9]".into(),
            detail: None,
        };
        let resolved = Resolved {
            letter: 's',
            kind: "socket".into(),
            access: Some("rw"),
            socket: Some(SocketFacts {
                protocol: "tcp".into(),
                local: Some("127.0.0.1:80".into()),
                remote: None,
                state: "LISTEN",
                peer_inode: None,
            }),
            peers: vec![Peer {
                pid: 1,
                fd: 4,
                end: "peer socket",
            }],
        };
        let descriptor = DescriptorRecord::new(t, &open, &resolved, &|_| "p".into());
        assert_eq!(keys(&descriptor), documented("descriptor"));
        assert_eq!(keys(&descriptor.peers[0]), documented("peer"));
        let group = WaitGroup {
            tids: vec![1],
            finding: ThreadFinding {
                tid: 1,
                state: 'S',
                call: Some((0, "read".into())),
                waits_for: None,
                activity: None,
                object: Object::Descriptors(vec![3]),
                wchan: None,
                stack: None,
            },
        };
        let wait = WaitRecord::new(&group);
        assert_eq!(keys(&wait), documented("wait"));
        let ancestor = AncestorRecord::new(t, &cx);
        assert_eq!(keys(&ancestor), documented("ancestor"));
        let why = WhyRecord {
            pid: 1,
            comm: String::new(),
            args: String::new(),
            user: None,
            stat: String::new(),
            state: String::new(),
            state_meaning: "",
            textbook_state: "",
            stopped_by: None,
            tracer_pid: None,
            zombie_parent: None,
            advice: None,
            waits: vec![wait],
            descriptors: vec![],
            ancestry: vec![ancestor],
            session: 1,
            session_leader: None,
            pgid: 1,
            tty: None,
            unit: None,
            slice: None,
            container: None,
            unreadable: vec![],
        };
        assert_eq!(keys(&why), documented("why"));
        let unreadable = UnreadableRecord {
            pid: 1,
            comm: String::new(),
            what: "descriptors",
            reason: String::new(),
        };
        assert_eq!(keys(&unreadable), documented("unreadable"));
        let report = FilesReport {
            descriptors: vec![descriptor],
            unreadable: vec![unreadable],
        };
        assert_eq!(keys(&report), documented("files report"));
        let count = WaitCountRecord {
            state: "R".into(),
            syscall: "running".into(),
            wchan: "-".into(),
            count: 1,
            average: 1.0,
        };
        assert_eq!(keys(&count), documented("wait count"));
        let all = WhyAllRecord {
            samples: 1,
            seconds: 0.0,
            tasks: 1,
            all_states: false,
            counts: vec![count],
        };
        assert_eq!(keys(&all), documented("why all"));
    }

    #[test]
    fn top_records_write_their_documented_keys() {
        use crate::analysis::changes::{self as ch, Event as Happening, Happened};
        use crate::analysis::topframe::Frame;
        use crate::model::SystemSample;

        let mut t = task(7, 1, 7, 'S');
        t.owner_uid = Some(0);
        let snap = snapshot(vec![t]);
        let seen = ch::remember(&[]);
        let frame = Frame::new(
            snap,
            SystemSample::default(),
            &SystemSample::default(),
            &seen,
            false,
            false,
        );
        let cx = frame.context(true, false);
        let rows = frame.rows();
        let process =
            TopProcessRecord::new(&rows[0], &cx, KeywordValues(vec![("wchan", Typed::Null)]));
        let mut expected = documented("top process");
        expected.retain(|k| k != "<keyword>");
        expected.push("wchan".into());
        assert_eq!(keys(&process), expected);
        let event = TopEventRecord::new(&Happening {
            time: 0,
            pid: 7,
            comm: b"p".to_vec(),
            what: Happened::Reparented { from: 5, to: 1 },
        });
        assert_eq!(keys(&event), documented("top event"));
        let record = TopFrameRecord {
            time: String::new(),
            uptime_seconds: 0.0,
            users: 0,
            load_average: [0.0; 3],
            interval_seconds: 0.0,
            threads: false,
            tasks: TopTasksRecord::new(&frame.counts),
            cpu: CpuStatesRecord::new(&frame.cpu),
            cpus: vec![],
            memory: MemoryRecord::new(&frame.memory),
            processes: vec![process],
            events: vec![event],
        };
        assert_eq!(keys(&record), documented("top frame"));
        assert_eq!(keys(&record.tasks), documented("top tasks"));
        assert_eq!(keys(&record.cpu), documented("cpu states"));
        assert_eq!(keys(&record.memory), documented("memory"));
        assert!(top_process_has("command") && !top_process_has("wchan"));
    }
}
