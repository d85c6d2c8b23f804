//! The command line, as clap definitions. The man page and the shell
//! completions are generated from these too.

pub mod route;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

mod ps_formats;
pub mod ps_syntax;

use crate::render::ColorChoice;

const AFTER_HELP: &str = "\
Examples:
  pscope                          list every process (the columns of ps aux)
  pscope aux                      exactly ps aux; any ps command line works
  pscope -eo pid,ppid,stat,ni,comm --sort=-pid
  pscope tree -p                  the process tree with PIDs, like pstree -p
  pscope explain Ssl+             what a STAT string means
  pscope zombies                  who is leaving zombies, and what to do
  pscope --json | jq '.processes[] | select(.state == \"Z\")'

Exit status: 0 success; 1 nothing matched, not found, or a check failed;
2 usage error; 3 any other error (one line on stderr).";

#[derive(Debug, Clone, Parser)]
#[command(
    name = "pscope",
    version,
    about = "Inspect Linux processes: ps and pstree in one, with states, zombies and orphans explained",
    long_about = "pscope reads /proc and shows processes as a list (like ps), as a tree (like \
                  pstree), or one at a time, and explains what it shows: STAT codes, nice \
                  values, zombies and who should reap them, orphans and who adopted them. \
                  Every listing can be printed as JSON for scripts.\n\n\
                  Without arguments pscope lists every process in its own columns (those of \
                  ps aux, with PPID, NI and PRI). With ps's options (aux, -ef, -ajx, -o ...) \
                  it is ps, as `pscope ps` is: the same output, byte for byte.",
    after_help = AFTER_HELP,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub listing: ListingArgs,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Read processes from DIR instead of /proc (a captured or test tree).
    #[arg(long, global = true, env = "PSCOPE_PROC_ROOT", value_name = "DIR",
          default_value = "/proc", value_hint = ValueHint::DirPath)]
    pub proc_root: PathBuf,

    /// Print one JSON document (same as --format json).
    #[arg(long, global = true)]
    pub json: bool,

    /// Output format: a table or tree for people, JSON or JSON lines for scripts.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// When to use color. NO_COLOR in the environment turns auto off.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Cut lines to N columns (0: never cut). Default: the terminal's width,
    /// or COLUMNS; output that is not a terminal is never cut.
    #[arg(short = 'w', long, global = true, value_name = "N")]
    pub width: Option<usize>,

    /// Threads reading /proc (default: one per CPU, up to 4; 1 to read serially).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// ps itself: every syntax and keyword of procps-ng ps, byte for byte.
    #[command(
        long_about = "List processes exactly as procps-ng ps does, with its syntax: UNIX options \
                      with a dash (-ef, -eLf, -ajx, -o pid,comm), BSD options without (aux, axjf), \
                      GNU long options (--sort=-pcpu, --forest) and mixtures (-aux). Every ps \
                      keyword prints ps's value under ps's header, laid out as ps lays it out. \
                      `pscope ARGS` is the same as `pscope ps ARGS` whenever ARGS holds an \
                      option of ps's, and pscope run through a link named ps is ps. pscope's own \
                      --json, --format json|jsonl, --color, --proc-root, --jobs, --state and \
                      --name work here too.",
        after_help = "Examples:\n  pscope ps aux\n  pscope -ef\n  pscope -ajx\n  pscope -eo pid,ppid,stat,ni,comm --sort=-ni\n  pscope axjf\n  pscope -eLf\n  pscope -e --json"
    )]
    Ps(PsArgs),

    /// Show the process tree, with pstree's options and more.
    #[command(
        after_help = "Examples:\n  pscope tree -p            PIDs, like pstree -p\n  pscope tree --stat $$     the subtree of this shell with STAT and NI\n  pscope tree root          the trees of root's processes\n  pscope tree --json | jq '.roots[0].children | length'"
    )]
    Tree(TreeArgs),

    /// Show everything about one process: ids, state, family, threads, memory.
    #[command(after_help = "Example:\n  pscope show $$")]
    Show(ShowArgs),

    /// Explain STAT strings such as Ssl+ (offline), or a live process's STAT.
    #[command(
        after_help = "Examples:\n  pscope explain Ssl+ 'D<'\n  pscope explain --legend\n  pscope explain --pid 1"
    )]
    Explain(ExplainArgs),

    /// List zombie processes grouped by the parent that has not reaped them.
    #[command(
        after_help = "Examples:\n  pscope zombies\n  pscope zombies --check || echo 'zombies found'"
    )]
    Zombies(ZombiesArgs),

    /// List processes adopted by init or a subreaper, and orphaned process groups.
    #[command(
        long_about = "List processes that were reparented: their parent is init (PID 1) or a \
                            subreaper, and they belong to a session that their parent does not \
                            belong to. fork() passes the session on, so such a process was adopted \
                            after its parent ended. This is a heuristic: /proc does not record the \
                            original parent. Daemons call setsid() and lead their own session, so \
                            they are not orphans. An orphan adopted by a subreaper in its own \
                            session cannot be told from that subreaper's own child.\n\n\
                            Also lists POSIX orphaned process groups, computed exactly: groups in \
                            which no living member has a parent in another group of the same session.",
        after_help = "Example:\n  pscope orphans --json | jq '.report.orphans[].pid'"
    )]
    Orphans(OrphansArgs),

    /// Change nice values, as util-linux renice does, reporting old -> new.
    #[command(
        long_about = "Set the nice value (-20 highest priority .. 19 lowest) of processes, \
                      process groups or users' processes, as util-linux renice does. The value \
                      is absolute unless --relative is given. Linux keeps a nice value per \
                      thread: renice of a PID changes its main thread only, --all-threads \
                      changes every thread; -g and -u cover all threads. Each target gets one \
                      line; a target that fails gets an error line and exit status 1, and the \
                      others are still changed. Lowering a nice value needs CAP_SYS_NICE or a \
                      large enough RLIMIT_NICE.",
        after_help = "Examples:\n  pscope renice 5 -p $$\n  pscope renice -n -5 -p $$          (needs privilege)\n  pscope renice --relative 2 -p $$\n  pscope renice 10 --all-threads -p $$",
        allow_negative_numbers = true
    )]
    Renice(ReniceArgs),

    /// A live view as top's: summary, processes by CPU over the last interval, keys.
    #[command(
        long_about = "A full-screen live view of the processes, as procps-ng top shows it: the \
                      header (time, uptime, users, load average; tasks by state; CPU shares; \
                      memory and swap), then a row per process with top's columns PID USER PR NI \
                      VIRT RES SHR S %CPU %MEM TIME+ COMMAND, where %CPU is the share of one CPU \
                      over the last interval (not over the process's life, as ps's is) and PR is \
                      rt for real-time tasks. -o takes top's column names and any ps keyword. \
                      Each frame also shows what changed: a process born in the interval, one \
                      that exited (shown once more), a change of state and a reparenting are \
                      marked, and the event log (e) lists them with their time. A process is \
                      its PID and its start time, so a reused PID is a new process; k signals \
                      a process only if it is still the one shown.\n\n\
                      Batch mode (-b, or without a terminal) prints frames as text, laid out \
                      as top -b lays them out, or with --json one JSON object per frame (the \
                      header's values, the rows with their %CPU over the interval, and the \
                      events of the interval). -n ends after N frames (one without a terminal \
                      and no -b), -d sets the seconds between frames (3). The first frame \
                      measures 150 ms, as top's does.",
        after_help = crate::render::top::keys_help() + "\nExamples:\n  pscope top -b -n 1 | head -12\n  pscope top -b -n 2 -d 1 -o pid,user,ni,%cpu,stat,comm\n  pscope top -b -n 1 --sort -%mem | head -12\n  pscope top -b -n 2 -d 0.5 --json | jq -c '.events[]'"
    )]
    Top(TopArgs),

    /// What a process waits on, who is at the other end, and why it exists.
    #[command(
        long_about = "Explain what a process is doing and why it is there. For each thread: \
                      its state in words and the system call it is in (from \
                      /proc/PID/task/TID/syscall, named for x86_64 and aarch64), with the \
                      arguments of a waiting call decoded: the descriptor of a read, write, \
                      recv, send, accept or connect; the descriptors of a poll list or select \
                      sets (read from the process's memory, as strace reads them); the \
                      descriptors registered in an epoll instance (its fdinfo); the children a \
                      wait4 or waitid waits for; the time of a sleep; the futex word and the \
                      other threads on it; a vfork parent's child. Threads doing the same \
                      thing are shown together, with the kernel function they sleep in \
                      (wchan) and, for D, the kernel stack where readable. A stopped process \
                      names the signal that stopped it or its tracer; a zombie, the parent \
                      that has not reaped it and what to do. For every descriptor waited on, \
                      the other end: the processes holding the other end of a pipe, a unix \
                      socket's path and peer (from the kernel's sock_diag interface), a TCP \
                      or UDP socket's addresses and state. Then why it exists: its ancestry \
                      to PID 1 with start times and commands, session, process group, \
                      terminal, the systemd unit and slice or container of its cgroup, and \
                      its user.\n\n\
                      What cannot be read (another user's process without privilege, \
                      hidepid) is named, one line each, and never makes why fail; no \
                      environment and no memory beyond the descriptor numbers of poll and \
                      select and the time of a sleep is read.\n\n\
                      --all samples every task once (or for --sample SECONDS, ten times a \
                      second) and counts them by state, system call and wchan, as psn does: \
                      the active tasks (R and D), or with --all-states every task.",
        after_help = "Examples:\n  pscope why $$                    this shell: wait4 for its child, ancestry, session\n  pscope why 1\n  pscope why --all                 what the running and blocked tasks are doing\n  pscope why --all --all-states --sample 0.5\n  pscope why $$ --json | jq '.why[0].waits[0].syscall'"
    )]
    Why(WhyArgs),

    /// Open descriptors with their types, modes, positions and other ends, as lsof.
    #[command(
        long_about = "List open file descriptors: the FD, the file type letter of ls -l (- \
                      regular, d directory, c character device, b block device, p pipe or \
                      FIFO, s socket, l a symbolic link opened with O_PATH; ? for an anonymous \
                      inode, named as such: eventpoll, eventfd, signalfd, timerfd), the access \
                      mode and position from fdinfo, and the target resolved: a path; a pipe \
                      with the processes holding its other end; a unix socket's path, state \
                      and peer; a TCP or UDP socket's addresses, ports and state. Every \
                      process when no PID is given. --maps adds the memory-mapped files. \
                      --type keeps some file types, --port the sockets that listen on or talk \
                      over a port, --path who has a file open (as fuser). A process whose \
                      descriptors cannot be read is named on stderr with the reason, one line \
                      each.",
        after_help = "Examples:\n  pscope files $$                  this shell's descriptors\n  pscope files --type ps            every pipe and socket, with its other end\n  pscope files --path /dev/null    who has /dev/null open\n  pscope files --port 9            who listens on or talks over port 9: none here (exit 1)\n  pscope files $$ --format jsonl | jq -c '{fd, type, target}'"
    )]
    Files(FilesArgs),

    /// Live lab demonstrations: fork, states, orphans, zombies, nice, I/O, jobs, exec, exit.
    #[command(
        long_about = "Run a live demonstration for an operating-systems class. Each demo \
                      narrates a timeline (t=0.00s ...), shows what /proc says about the \
                      processes involved at each step, and explains what it means. --json \
                      prints one event object per line, with the facts observed. Every \
                      process a demo starts is ended and reaped when it ends, and dies with \
                      pscope: Ctrl-C or SIGTERM at any moment ends the demo with nothing \
                      left behind (exit status 130 or 143). Where something cannot be shown \
                      here (no privilege, a kernel or machine without the feature), the demo \
                      says so instead. Without a topic, pscope demo lists the demos. --code \
                      prints a Python program that does the same, for students to run.",
        after_help = "Examples:\n  pscope demo                      the demos and what each shows\n  pscope demo fork\n  pscope demo states --pace 0.5\n  pscope demo zombie --remedy double-fork\n  pscope demo orphan --subreaper\n  pscope demo nice --values 0,10 --seconds 2\n  pscope demo io --seconds 1\n  pscope demo jobs\n  pscope demo exec\n  pscope demo exit\n  pscope demo exit --code           the same in Python\n  pscope demo zombie --json | jq -c '{t, step}'"
    )]
    Demo(DemoArgs),

    /// Print a shell completion script.
    #[command(after_help = "Example:\n  source <(pscope completions bash)")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Write the man pages into DIR (used to keep man/ current).
    #[command(hide = true)]
    GenerateMan {
        #[arg(default_value = "man", value_hint = ValueHint::DirPath)]
        dir: PathBuf,
    },
}

/// pscope's own listing: every process, with the columns of `ps aux` and
/// the parent, nice value and priority. Any argument of ps's makes it ps.
#[derive(Debug, Args, Clone, Default, PartialEq, Eq)]
pub struct ListingArgs {
    /// Keep only these state letters (e.g. --state ZD).
    #[arg(long, value_name = "LETTERS")]
    pub state: Option<String>,

    /// Keep only processes whose name matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub name: Option<String>,
}

/// `pscope ps ARGS`: ps's own syntax, parsed by [`ps_syntax`] (clap only
/// documents it).
#[derive(Debug, Args, Clone, Default)]
pub struct PsArgs {
    /// ps's arguments, in any of its syntaxes: aux, -ef, -ajx, -eo pid,comm --sort=-pid, ...
    #[arg(
        value_name = "PS ARGUMENTS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct TreeArgs {
    /// Start at this PID, or show the trees of this user's processes.
    #[arg(value_name = "PID|USER")]
    pub root: Option<String>,

    /// Show PIDs (turns compaction off).
    #[arg(short = 'p', long = "show-pids")]
    pub show_pids: bool,

    /// Show process group IDs.
    #[arg(short = 'g', long = "show-pgids")]
    pub show_pgids: bool,

    /// Show command-line arguments.
    #[arg(short = 'a', long)]
    pub arguments: bool,

    /// Show uid transitions.
    #[arg(short = 'u', long = "uid-changes")]
    pub uid_changes: bool,

    /// Show the ancestors of the selected process.
    #[arg(short = 's', long = "show-parents")]
    pub show_parents: bool,

    /// Highlight this process and its ancestors.
    #[arg(short = 'H', long = "highlight-pid", value_name = "PID")]
    pub highlight: Option<i32>,

    /// Hide threads.
    #[arg(short = 'T', long = "hide-threads")]
    pub hide_threads: bool,

    /// Show threads with their own names.
    #[arg(short = 't', long = "thread-names")]
    pub thread_names: bool,

    /// Do not compact identical subtrees.
    #[arg(short = 'c', long = "compact-not")]
    pub no_compact: bool,

    /// Sort siblings by PID instead of by name.
    #[arg(short = 'n', long = "numeric-sort")]
    pub numeric_sort: bool,

    /// Do not cut long lines.
    #[arg(short = 'l', long)]
    pub long: bool,

    /// Draw lines with ASCII characters.
    #[arg(short = 'A', long, conflicts_with = "unicode")]
    pub ascii: bool,

    /// Draw lines with Unicode characters.
    #[arg(short = 'U', long)]
    pub unicode: bool,

    /// Write STAT and NI after each name.
    #[arg(long)]
    pub stat: bool,

    /// Write these ps keywords after each name.
    #[arg(short = 'o', long = "output", value_name = "KEYWORDS")]
    pub output: Vec<String>,

    /// Include kernel threads (the subtree of kthreadd, PID 2).
    #[arg(long)]
    pub kernel: bool,

    /// Leave out the zombie and orphan marks (exactly pstree's text).
    #[arg(long)]
    pub no_marks: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ShowArgs {
    /// The process to show.
    #[arg(value_name = "PID")]
    pub pid: i32,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ExplainArgs {
    /// STAT strings to decode, e.g. Ssl+ R+ Z.
    #[arg(value_name = "STAT", required_unless_present_any = ["legend", "pid"])]
    pub stats: Vec<String>,

    /// Print the table of every state letter and modifier.
    #[arg(long)]
    pub legend: bool,

    /// Explain the STAT of this live process, with the facts behind each flag.
    #[arg(long, value_name = "PID", conflicts_with = "legend")]
    pub pid: Option<i32>,

    /// Longer explanations.
    #[arg(long)]
    pub long: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ReniceArgs {
    /// The nice value; without -n the first argument is the value and the
    /// rest are PIDs.
    #[arg(
        short = 'n',
        long = "priority",
        value_name = "PRIORITY",
        allow_negative_numbers = true
    )]
    pub priority: Option<String>,

    /// [PRIORITY] PID...: the value (unless -n gave it), then process IDs.
    #[arg(value_name = "ARG", allow_negative_numbers = true)]
    pub args: Vec<String>,

    /// Process IDs.
    #[arg(short = 'p', long = "pid", value_name = "PID", num_args = 1.., allow_negative_numbers = true)]
    pub pids: Vec<String>,

    /// Process group IDs.
    #[arg(short = 'g', long = "pgrp", value_name = "PGID", num_args = 1..)]
    pub pgrps: Vec<String>,

    /// User names or IDs.
    #[arg(short = 'u', long = "user", value_name = "USER", num_args = 1.., value_hint = ValueHint::Username)]
    pub users: Vec<String>,

    /// Add the value to each target's current nice value.
    #[arg(long)]
    pub relative: bool,

    /// Renice every thread of each PID, not only its main thread.
    #[arg(long)]
    pub all_threads: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct TopArgs {
    /// Batch mode: frames as text (or JSON lines with --json), for scripts and logs.
    #[arg(short = 'b', long)]
    pub batch: bool,

    /// Stop after N frames.
    #[arg(short = 'n', long = "iterations", value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,

    /// Seconds between frames (3 by default; 0.5 or 0,5).
    #[arg(short = 'd', long = "delay", value_name = "SECONDS", value_parser = parse_delay)]
    pub delay: Option<f64>,

    /// Columns: top's (PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND) or any ps keyword.
    #[arg(short = 'o', long = "output", value_name = "KEYWORDS")]
    pub output: Vec<String>,

    /// Sort by this column; -COLUMN high to low (default -%CPU).
    #[arg(long, value_name = "COLUMN", allow_hyphen_values = true)]
    pub sort: Option<String>,

    /// Only these processes.
    #[arg(short = 'p', long = "pid", value_name = "PID", value_delimiter = ',')]
    pub pids: Vec<i32>,

    /// Only this user's processes (!USER: all but theirs).
    #[arg(short = 'u', long = "user", value_name = "USER", value_hint = ValueHint::Username)]
    pub user: Option<String>,

    /// Only rows that pass this filter: [!]FIELD=VALUE, FIELD<VALUE or FIELD>VALUE.
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// One row per thread.
    #[arg(short = 'H', long)]
    pub threads: bool,

    /// Command lines in COMMAND.
    #[arg(short = 'c', long = "command-lines")]
    pub full_command: bool,

    /// Hide tasks that used no CPU in the interval.
    #[arg(short = 'i', long = "hide-idle")]
    pub hide_idle: bool,

    /// One CPU line per CPU.
    #[arg(short = '1', long = "per-cpu")]
    pub per_cpu: bool,

    /// Tree view: children under their parent.
    #[arg(short = 'V', long)]
    pub tree: bool,
}

/// A delay in seconds as top takes it: a decimal point or comma, not negative.
fn parse_delay(text: &str) -> Result<f64, String> {
    match text.replace(',', ".").parse::<f64>() {
        Ok(d) if d.is_finite() && d >= 0.0 => Ok(d),
        Ok(_) => Err("the delay must be 0 or more seconds".into()),
        Err(_) => Err(format!("'{text}' is not a number of seconds")),
    }
}

#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// The demo to run; without one, the list of demos.
    #[command(subcommand)]
    pub topic: Option<DemoTopic>,

    /// Pause this many seconds between steps, for a class to follow.
    #[arg(long, global = true, default_value_t = 0.0, value_name = "SECONDS")]
    pub pace: f64,

    /// Print a short Python program that does what the demo shows, with the
    /// os, select and signal modules, for students to run themselves.
    #[arg(long, global = true)]
    pub code: bool,
}

#[derive(Debug, Subcommand, Clone)]
pub enum DemoTopic {
    /// fork(): two return values, getpid/getppid, copied memory, waitpid.
    Fork,
    /// Every STAT letter and modifier, produced live and read back from /proc.
    States,
    /// A parent exits first; its child is adopted by init or a subreaper.
    Orphan {
        /// Make pscope a child subreaper, so that it adopts the orphan.
        #[arg(long)]
        subreaper: bool,
    },
    /// A zombie, and its remedies: wait, double fork, SIGCHLD ignored.
    Zombie {
        /// One remedy only (default: all, in sequence).
        #[arg(long, value_enum)]
        remedy: Option<crate::analysis::kinship::Remedy>,
    },
    /// CPU shares at different nice values on one CPU, and a live renice.
    Nice {
        /// Nice values of the competing children, -20..19, comma-separated
        /// (negative ones need privilege).
        #[arg(long, value_delimiter = ',', default_value = "0,10", allow_hyphen_values = true,
              value_name = "N,N,...",
              value_parser = clap::value_parser!(i32).range(-20..=19))]
        values: Vec<i32>,
        /// Seconds to measure each phase.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// Four ways to wait for input: blocking read, busy polling, select, epoll.
    Io {
        /// Seconds to measure CPU shares and system calls.
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
    /// Job control on a terminal of its own: sessions, groups, Ctrl-Z, bg, SIGTTIN, SIGHUP.
    Jobs,
    /// exec(): the same process runs a new program; close-on-exec descriptors go.
    Exec,
    /// Exit statuses as wait() decodes them, and exit() against _exit().
    Exit,
}

#[derive(Debug, Args, Clone, Default)]
pub struct WhyArgs {
    /// The processes to explain.
    #[arg(value_name = "PID", required_unless_present = "all")]
    pub pids: Vec<i32>,

    /// Count every task by state, system call and wchan instead.
    #[arg(long, conflicts_with = "pids")]
    pub all: bool,

    /// With --all: sample for this many seconds, ten times a second.
    #[arg(long, value_name = "SECONDS", requires = "all", value_parser = parse_seconds)]
    pub sample: Option<f64>,

    /// With --all: count tasks in every state, not only R and D.
    #[arg(long, requires = "all")]
    pub all_states: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct FilesArgs {
    /// Only these processes (default: every process).
    #[arg(value_name = "PID")]
    pub pids: Vec<i32>,

    /// Only these file types, as ls -l letters: - d c b p s l, ? for anonymous inodes.
    #[arg(long = "type", value_name = "LETTERS", allow_hyphen_values = true)]
    pub types: Option<String>,

    /// Only sockets that listen on or talk over this port.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,

    /// Only descriptors (and with --maps, mappings) of this file.
    #[arg(long, value_name = "PATH", value_hint = ValueHint::AnyPath)]
    pub path: Option<PathBuf>,

    /// Add the memory-mapped files of each process.
    #[arg(long)]
    pub maps: bool,
}

/// A length of time in seconds, above 0 and at most an hour.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(s),
        Ok(_) => Err("the seconds must be above 0 and at most 3600".into()),
        Err(_) => Err(format!("'{text}' is not a number of seconds")),
    }
}

#[derive(Debug, Args, Clone, Default)]
pub struct ZombiesArgs {
    /// Exit with status 1 when any zombie exists, 0 otherwise (for monitoring).
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct OrphansArgs {}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_anywhere() {
        let cli = Cli::try_parse_from(["pscope", "--state", "Z"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.listing.state.as_deref(), Some("Z"));
        let cli = Cli::try_parse_from(["pscope", "tree", "-p", "--json"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Tree(ref t)) if t.show_pids));
        assert!(cli.global.json);
        let cli = Cli::try_parse_from(["pscope", "--proc-root", "/x", "tree", "-p"]).unwrap();
        assert_eq!(cli.global.proc_root, std::path::PathBuf::from("/x"));
    }
}
