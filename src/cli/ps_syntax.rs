//! procps-ng 4.0.2 ps's command line, turned into a [`PsQuery`].
//!
//! ps reads its arguments in two passes. The first takes `-abc` as UNIX
//! options, `abc` as BSD options, `--name` as GNU options and a number as
//! the start of trailing PIDs, and stops at the first error. If anything
//! fails, a second pass reads every `-abc` as BSD letters and refuses any
//! dashless argument: that is how `ps -aux` lists like `ps aux` when no
//! user `x` exists. When both fail, the first pass's message is the one
//! shown. Options with an argument take the rest of their cluster or the
//! next argument, whatever it looks like. Lists of columns and sort keys
//! are read after everything else (see `ps_formats`), then the selection
//! options are checked against each other.
//!
//! pscope's own long options (`--json`, `--format table`, `--color`,
//! `--proc-root`, `--jobs`, `--state`, `--name`) are read among ps's GNU
//! options.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::ps_formats::{
    self, Deferred, FormatError, FormatFlags, FormatRequest, ListOption, SysvModifiers,
    ThreadFlags, UnknownName,
};
use crate::analysis::psquery::{
    ForestMode, Headers, Modifiers, PsQuery, PsSelect, SelectList, ThreadMode,
};
use crate::render::ColorChoice;

/// What the parser needs from the system, so that it can be tested without one.
pub trait Lookups {
    /// A user name's uid (getpwnam).
    fn uid(&self, name: &str) -> Option<u32>;
    /// A group name's gid (getgrnam).
    fn gid(&self, name: &str) -> Option<u32>;
    /// A terminal named as ps accepts it (pts/1, tty1, /dev/pts/1, 1, co, ...), as the tty_nr
    /// encoding of its device number: (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12).
    fn tty(&self, name: &str) -> Result<i32, TtyError>;
    /// ps's own tty_nr, 0 without one.
    fn own_tty(&self) -> i32;
    /// Whether a file of this name exists in the working directory (ps
    /// takes a one-character tty name that is a file, such as a `?` the
    /// shell expanded, as "no terminal").
    fn file_in_cwd(&self, name: &str) -> bool;
    /// $PS_FORMAT
    fn ps_format_env(&self) -> Option<String>;
}

/// Why a terminal name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtyError {
    /// No such file under any of the names ps tries.
    NotFound,
    /// The file exists but is not a character device.
    NotATty,
}

/// What a command line asks for.
// Made once per run: a box would only make matching on it clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Query(PsInvocation),
    /// `ps L`, `ps V`/`-V`/`--version`, `--info`, `--help [section]`: printed by the caller.
    Exclusive(Exclusive),
}

/// The options that print something other than processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusive {
    /// `L`: every keyword.
    ListKeywords,
    /// `V`, `-V`, `--version`.
    Version,
    /// `--info`: ps's debugging dump.
    Info,
    /// `--help [section]`.
    Help(HelpSection),
}

/// The part of ps's help that `--help WORD` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpSection {
    /// No word, or one ps does not know: the short usage.
    Usage,
    Simple,
    List,
    Output,
    Threads,
    Misc,
    All,
}

/// A ps request, with pscope's own options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsInvocation {
    pub query: PsQuery,
    /// pscope's own long options, accepted inside ps syntax.
    pub pscope: PscopeOptions,
    /// False when the command line held nothing but pscope's own options (then pscope shows its own default listing).
    pub ps_options_given: bool,
    /// Lines ps writes on stderr and goes on (a `$PS_FORMAT` it ignores).
    pub warnings: Vec<String>,
}

/// pscope's own long options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PscopeOptions {
    /// `--json`
    pub json: bool,
    /// `--format table|json|jsonl|csv` (any other value is ps's format list).
    pub format: Option<OutputFormat>,
    /// `--color auto|always|never`
    pub color: Option<ColorChoice>,
    /// `--proc-root DIR`
    pub proc_root: Option<PathBuf>,
    /// `--jobs N`, 1 to 64.
    pub jobs: Option<u16>,
    /// `--state LETTERS`, as given.
    pub state: Option<String>,
    /// `--name REGEX`, as given.
    pub name: Option<String>,
}

/// pscope's output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Jsonl,
    Csv,
}

/// A command line ps refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsError {
    /// The first pass's message, printed by the caller as `error: {message}` (exit 1).
    pub message: String,
    pub kind: PsErrorKind,
    /// Lines ps wrote on stderr before it failed.
    pub warnings: Vec<String>,
}

/// How ps reports an error; the exit status is 1 either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PsErrorKind {
    /// `error: {message}`, then the short usage text.
    Usage,
    /// The message alone, as it is (the `-q` conflicts, ps's internal
    /// error for `-c` with a format that has no PRI).
    Plain,
}

/// Reads a ps command line (`args` excludes argv[0]).
pub fn parse(args: &[OsString], lookups: &dyn Lookups) -> Result<Parsed, PsError> {
    let args: Vec<&[u8]> = args.iter().map(|arg| arg.as_bytes()).collect();
    let ps_format = lookups.ps_format_env();
    let mut context = Context {
        lookups,
        ps_format: ps_format.as_deref().map(str::as_bytes),
        unknown: UnknownName::default(),
        warnings: Vec::new(),
    };
    let outcome = match run_pass(&args, PassKind::Unix, &mut context) {
        Err(Halt::Failed(first_message)) => run_pass(&args, PassKind::BsdRetry, &mut context)
            .map_err(|halt| match halt {
                Halt::Failed(_) => Halt::Failed(first_message),
                other => other,
            }),
        other => other,
    };
    let warnings = std::mem::take(&mut context.warnings);
    match outcome {
        Ok(invocation) => match quick_pid_conflict(&invocation.query) {
            Some(message) => Err(PsError {
                message: message.to_string(),
                kind: PsErrorKind::Plain,
                warnings,
            }),
            None => Ok(Parsed::Query(PsInvocation {
                warnings,
                ..invocation
            })),
        },
        Err(Halt::Exclusive(exclusive)) => Ok(Parsed::Exclusive(exclusive)),
        Err(Halt::Failed(message)) => Err(PsError {
            message,
            kind: PsErrorKind::Usage,
            warnings,
        }),
        Err(Halt::Internal(message)) => Err(PsError {
            message: message.to_string(),
            kind: PsErrorKind::Plain,
            warnings,
        }),
    }
}

/// What both passes share.
struct Context<'a> {
    lookups: &'a dyn Lookups,
    ps_format: Option<&'a [u8]>,
    unknown: UnknownName,
    warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PassKind {
    /// `-abc` is UNIX, `abc` is BSD.
    Unix,
    /// `-abc` is BSD, `abc` fails.
    BsdRetry,
}

/// Why a pass stopped.
#[derive(Debug)]
enum Halt {
    /// This pass failed; the other may not.
    Failed(String),
    /// An option that prints something else was reached.
    Exclusive(Exclusive),
    /// ps exits at once with this line.
    Internal(&'static str),
}

impl From<&str> for Halt {
    fn from(message: &str) -> Self {
        Halt::Failed(message.to_string())
    }
}

type Step = Result<(), Halt>;

/// One pass over the arguments, then the checks ps makes once all are read.
fn run_pass(args: &[&[u8]], kind: PassKind, context: &mut Context) -> Result<PsInvocation, Halt> {
    let mut reader = Reader {
        args,
        next: 0,
        kind,
        lookups: context.lookups,
        got: Gathered {
            // The retry prefers BSD's defaults from the start.
            prefer_bsd: kind == PassKind::BsdRetry,
            ..Gathered::default()
        },
    };
    reader.read_all()?;
    let got = reader.got;
    check_threads(&got)?;
    let request = FormatRequest {
        deferred: &got.deferred,
        flags: got.format_flags,
        modifiers: got.sysv_modifiers,
        threads: got.threads,
        forest: got.forest != ForestMode::Off,
        prefer_bsd: got.prefer_bsd,
        ps_format: context.ps_format,
    };
    let settled = match ps_formats::settle(&request, &mut context.unknown) {
        Ok(settled) => settled,
        Err(FormatError::Usage(message)) => return Err(Halt::Failed(message)),
        Err(FormatError::Internal(line)) => return Err(Halt::Internal(line)),
    };
    // ps prints this warning as soon as it meets it, in either pass.
    context.warnings.extend(settled.warning);
    let select = selection(&got)?;
    Ok(PsInvocation {
        query: PsQuery {
            select,
            columns: settled.columns,
            sort: settled.sort,
            threads: thread_mode(got.threads),
            forest: got.forest,
            headers: got.headers.unwrap_or_default(),
            modifiers: got.modifiers,
            wide: got.wide,
            columns_option: got.cols,
            rows_option: got.rows,
        },
        pscope: got.pscope,
        ps_options_given: got.ps_options_given,
        warnings: Vec::new(),
    })
}

/// ps's simple selection options, as the bits it keeps them in.
mod simple {
    pub const BSD_X: u8 = 0x01;
    pub const BSD_G: u8 = 0x02;
    pub const UNIX_D: u8 = 0x04;
    pub const UNIX_A: u8 = 0x08;
    pub const BSD_A: u8 = 0x10;
}

/// Everything one pass reads.
#[derive(Debug, Default)]
struct Gathered {
    /// A BSD option or a trailing PID was seen (or this is the retry):
    /// BSD's default columns and selection.
    prefer_bsd: bool,
    /// `simple::*` bits.
    simple: u8,
    all: bool,
    negate: bool,
    running_only: bool,
    lists: Vec<SelectList>,
    forest: ForestMode,
    headers: Option<Headers>,
    threads: ThreadFlags,
    format_flags: FormatFlags,
    sysv_modifiers: SysvModifiers,
    modifiers: Modifiers,
    wide: u8,
    cols: Option<usize>,
    rows: Option<usize>,
    deferred: Vec<Deferred>,
    pscope: PscopeOptions,
    ps_options_given: bool,
}

/// How ps sorts an argument, by its first characters only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArgClass {
    /// `--name`
    Gnu,
    /// `-abc`
    Unix,
    /// `abc`
    Bsd,
    /// `123`, `-123` (a process group), `+123` (a session): these and
    /// every argument after them are PIDs.
    TrailingPids,
    /// Anything else, `--` included.
    Garbage,
}

fn classify(arg: &[u8]) -> ArgClass {
    let at = |i: usize| arg.get(i).copied().unwrap_or(0);
    match (at(0), at(1), at(2)) {
        (first, _, _) if first.is_ascii_alphabetic() => ArgClass::Bsd,
        (first, _, _) if first.is_ascii_digit() || first == b'+' => ArgClass::TrailingPids,
        (b'-', second, _) if second.is_ascii_alphabetic() => ArgClass::Unix,
        (b'-', second, _) if second.is_ascii_digit() => ArgClass::TrailingPids,
        (b'-', b'-', third) if third.is_ascii_alphabetic() => ArgClass::Gnu,
        _ => ArgClass::Garbage,
    }
}

/// Reads the arguments of one pass into [`Gathered`].
struct Reader<'a> {
    args: &'a [&'a [u8]],
    /// The index of the next argument to read.
    next: usize,
    kind: PassKind,
    lookups: &'a dyn Lookups,
    got: Gathered,
}

impl<'a> Reader<'a> {
    fn read_all(&mut self) -> Step {
        while let Some(&arg) = self.args.get(self.next) {
            self.next += 1;
            match (classify(arg), self.kind) {
                (ArgClass::Gnu, _) => self.gnu_option(arg)?,
                (ArgClass::Unix, PassKind::Unix) => {
                    self.got.ps_options_given = true;
                    self.unix_cluster(arg)?;
                }
                (ArgClass::Unix, PassKind::BsdRetry) => {
                    self.got.ps_options_given = true;
                    self.bsd_cluster(&arg[1..])?;
                }
                (ArgClass::Bsd, PassKind::Unix) => {
                    self.got.ps_options_given = true;
                    self.got.prefer_bsd = true;
                    self.bsd_cluster(arg)?;
                }
                // ps's own words for a second pass that meets BSD again.
                (ArgClass::Bsd, PassKind::BsdRetry) => return Err("way bad".into()),
                (ArgClass::TrailingPids, _) => {
                    self.got.ps_options_given = true;
                    self.got.prefer_bsd = true;
                    self.next -= 1;
                    return self.trailing_pids();
                }
                (ArgClass::Garbage, _) => return Err("garbage option".into()),
            }
        }
        Ok(())
    }

    /// The argument of the option at `at` in a cluster: the rest of the
    /// cluster, else the next argument unless it is empty.
    fn option_argument(&mut self, cluster: &'a [u8], at: usize) -> Option<&'a [u8]> {
        let rest = &cluster[at + 1..];
        if !rest.is_empty() {
            return Some(rest);
        }
        self.next_argument()
    }

    /// The next argument, taken whatever it looks like, unless it is
    /// missing or empty.
    fn next_argument(&mut self) -> Option<&'a [u8]> {
        let next = self
            .args
            .get(self.next)
            .copied()
            .filter(|a| !a.is_empty())?;
        self.next += 1;
        Some(next)
    }

    /// `-V`, `V`, `L`, `--version` and `--info` work only as the sole argument.
    fn exclusive(&self, spelling: &str, what: Exclusive) -> Halt {
        if self.args.len() == 1 && self.args[0] == spelling.as_bytes() {
            Halt::Exclusive(what)
        } else {
            Halt::Failed(format!("the option is exclusive: {spelling}"))
        }
    }

    fn add_list(&mut self, list: SelectList) {
        self.got.lists.push(list);
    }

    fn set_headers(&mut self, headers: Headers) -> Step {
        if self.got.headers.is_some() {
            return Err("only one heading option may be specified".into());
        }
        self.got.headers = Some(headers);
        Ok(())
    }

    fn defer(&mut self, option: ListOption, text: &[u8]) {
        self.got.deferred.push(Deferred {
            option,
            text: text.to_vec(),
        });
    }

    // -----------------------------------------------------------------
    // UNIX options

    /// A `-abc` cluster in the first pass.
    fn unix_cluster(&mut self, cluster: &'a [u8]) -> Step {
        for at in 1..cluster.len() {
            let letter = cluster[at];
            if let Some(missing) = unix_list_option_missing(letter) {
                let list = self.option_argument(cluster, at).ok_or(missing)?;
                return self.unix_list_option(letter, list);
            }
            self.unix_letter(letter)?;
        }
        Ok(())
    }

    /// The UNIX options that take an argument (and so end their cluster).
    fn unix_list_option(&mut self, letter: u8, list: &'a [u8]) -> Step {
        let list = match letter {
            b'C' => SelectList::Command(command_list(list)?),
            b'G' => SelectList::Rgid(self.gid_list(list)?),
            b'g' => self.sessions_or_groups(list)?,
            b'O' => {
                self.defer(ListOption::UnixPreloaded, list);
                return Ok(());
            }
            b'o' => {
                self.defer(ListOption::Format, list);
                return Ok(());
            }
            b'p' => SelectList::Pid(pid_list(list)?),
            b'q' => SelectList::QuickPid(pid_list(list)?),
            b's' => SelectList::Session(pid_list(list)?),
            b't' => SelectList::Tty(self.tty_list(list)?),
            b'u' => SelectList::Euid(self.uid_list(list)?),
            b'U' => SelectList::Ruid(self.uid_list(list)?),
            _ => unreachable!("not a UNIX list option"),
        };
        self.add_list(list);
        Ok(())
    }

    /// `-g`: sessions if every item is a PID, else effective groups.
    fn sessions_or_groups(&self, list: &[u8]) -> Result<SelectList, Halt> {
        if let Ok(sessions) = pid_list(list) {
            return Ok(SelectList::Session(sessions));
        }
        self.gid_list(list)
            .map(SelectList::Egid)
            .map_err(|_| "list of session leaders OR effective group IDs was invalid".into())
    }

    /// A UNIX letter without an argument.
    fn unix_letter(&mut self, letter: u8) -> Step {
        let got = &mut self.got;
        match letter {
            b'A' | b'e' => got.all = true,
            b'a' => got.simple |= simple::UNIX_A,
            b'd' => got.simple |= simple::UNIX_D,
            b'N' => got.negate = true,
            b'F' => {
                got.format_flags.insert(FormatFlags::UNIX_F);
                got.sysv_modifiers.extra_full = true;
            }
            b'f' => got.format_flags.insert(FormatFlags::UNIX_F),
            b'l' => got.format_flags.insert(FormatFlags::UNIX_L),
            b'j' => got.sysv_modifiers.jobs = true,
            b'c' => got.sysv_modifiers.sched_class = true,
            b'y' => got.sysv_modifiers.rss_not_addr = true,
            b'P' => got.sysv_modifiers.psr = true,
            b'M' | b'Z' => got.sysv_modifiers.label = true,
            b'H' => got.forest = ForestMode::Indent,
            b'L' => got.threads.unix_l = true,
            b'T' => got.threads.unix_t = true,
            b'm' => got.threads.unix_m = true,
            b'w' => got.wide = got.wide.saturating_add(1),
            b'V' => return Err(self.exclusive("-V", Exclusive::Version)),
            b'x' => return Err("must set personality to get -x option".into()),
            b'-' => return Err("embedded '-' among SysV options makes no sense".into()),
            _ => return Err("unsupported SysV option".into()),
        }
        Ok(())
    }

    // -----------------------------------------------------------------
    // BSD options

    /// A BSD cluster (the letters only: a retried `-abc` without its dash).
    fn bsd_cluster(&mut self, cluster: &'a [u8]) -> Step {
        for at in 0..cluster.len() {
            let letter = cluster[at];
            if letter.is_ascii_digit() {
                // Digits start a PID list that takes the rest of the cluster.
                let pids = pid_list(&cluster[at..])?;
                self.add_list(SelectList::Pid(pids));
                return Ok(());
            }
            if letter == b't' {
                return self.bsd_tty(cluster, at);
            }
            if let Some(missing) = bsd_list_option_missing(letter) {
                let list = self.option_argument(cluster, at).ok_or(missing)?;
                return self.bsd_list_option(letter, list);
            }
            self.bsd_letter(letter)?;
        }
        Ok(())
    }

    /// `t [list]`: without a list, ps's own terminal.
    fn bsd_tty(&mut self, cluster: &'a [u8], at: usize) -> Step {
        let ttys = match self.option_argument(cluster, at) {
            Some(list) => self.tty_list(list)?,
            None => vec![self.lookups.own_tty()],
        };
        self.add_list(SelectList::Tty(ttys));
        Ok(())
    }

    /// The BSD options that take an argument (and so end their cluster).
    fn bsd_list_option(&mut self, letter: u8, list: &'a [u8]) -> Step {
        let list = match letter {
            b'O' => {
                self.defer(ListOption::BsdSortOrPreloaded, list);
                return Ok(());
            }
            b'o' => {
                self.defer(ListOption::Format, list);
                return Ok(());
            }
            b'k' => {
                self.defer(ListOption::LongSort, list);
                return Ok(());
            }
            b'p' => SelectList::Pid(pid_list(list)?),
            b'q' => SelectList::QuickPid(pid_list(list)?),
            b'U' => SelectList::Euid(self.uid_list(list)?),
            _ => unreachable!("not a BSD list option"),
        };
        self.add_list(list);
        Ok(())
    }

    /// A BSD letter without an argument.
    fn bsd_letter(&mut self, letter: u8) -> Step {
        let got = &mut self.got;
        match letter {
            b'a' => got.simple |= simple::BSD_A,
            b'x' => got.simple |= simple::BSD_X,
            b'g' => got.simple |= simple::BSD_G,
            b'r' => got.running_only = true,
            b'T' => {
                let own = self.lookups.own_tty();
                self.add_list(SelectList::Tty(vec![own]));
            }
            b'j' => got.format_flags.insert(FormatFlags::BSD_J),
            b'l' => got.format_flags.insert(FormatFlags::BSD_L),
            b's' => got.format_flags.insert(FormatFlags::BSD_S),
            b'u' => got.format_flags.insert(FormatFlags::BSD_U),
            b'v' => got.format_flags.insert(FormatFlags::BSD_V),
            b'X' => got.format_flags.insert(FormatFlags::OLD_X),
            b'Z' => got.sysv_modifiers.label = true,
            b'f' => got.forest = ForestMode::Art,
            b'c' => got.modifiers.true_command = true,
            b'e' => got.modifiers.environment = true,
            b'n' => got.modifiers.numeric = true,
            b'S' => got.modifiers.cumulative = true,
            b'h' => return self.set_headers(Headers::None),
            b'w' => got.wide = got.wide.saturating_add(1),
            b'H' => got.threads.bsd_h = true,
            b'M' => got.threads.bsd_m = true,
            // The retry takes `m` as the old Linux memory format.
            b'm' if self.kind == PassKind::BsdRetry => got.format_flags.insert(FormatFlags::OLD_M),
            b'm' => got.threads.bsd_m = true,
            b'L' => return Err(self.exclusive("L", Exclusive::ListKeywords)),
            b'V' => return Err(self.exclusive("V", Exclusive::Version)),
            b'W' => return Err("obsolete W option not supported (you have a /dev/drum?)".into()),
            b'-' => return Err("embedded '-' among BSD options makes no sense".into()),
            _ => return Err("unsupported option (BSD syntax)".into()),
        }
        Ok(())
    }

    // -----------------------------------------------------------------
    // GNU long options

    /// `--name`, `--name=ARG`, `--name:ARG` or `--name ARG`.
    fn gnu_option(&mut self, arg: &'a [u8]) -> Step {
        let body = &arg[2..];
        let name_length = body
            .iter()
            .position(|&b| b == b'=' || b == b':')
            .unwrap_or(body.len());
        if name_length > 15 {
            return Err("unknown gnu long option".into());
        }
        let (name, rest) = body.split_at(name_length);
        // A name that is not UTF-8 is no option's name.
        let name = std::str::from_utf8(name).unwrap_or("");
        let pscope_own = self.pscope_option(name, rest)?;
        if !pscope_own {
            self.got.ps_options_given = true;
            self.ps_gnu_option(name, rest)?;
        }
        Ok(())
    }

    /// A GNU option's argument: after `=` or `:` (not empty), else the next
    /// argument unless it is missing or empty.
    fn gnu_argument(&mut self, rest: &'a [u8]) -> Option<&'a [u8]> {
        match rest.split_first() {
            Some((_, value)) => Some(value).filter(|v| !v.is_empty()),
            None => self.next_argument(),
        }
    }

    /// pscope's own options, and ps's width options, which do not count as
    /// ps options on their own. Returns whether `name` was one of them.
    fn pscope_option(&mut self, name: &str, rest: &'a [u8]) -> Result<bool, Halt> {
        match name {
            "json" => {
                no_argument(rest, "option --json does not take an argument")?;
                self.got.pscope.json = true;
            }
            "format" => {
                // A list of ps columns unless it names a pscope output format.
                let value = self
                    .gnu_argument(rest)
                    .ok_or("format specification must follow --format")?;
                match output_format(value) {
                    Some(format) => self.got.pscope.format = Some(format),
                    None => {
                        self.got.ps_options_given = true;
                        self.defer(ListOption::Format, value);
                    }
                }
            }
            "color" => {
                let value = self.gnu_argument(rest);
                let choice = value.and_then(color_choice);
                self.got.pscope.color =
                    Some(choice.ok_or("auto, always or never must follow --color")?);
            }
            "proc-root" => {
                let dir = self
                    .gnu_argument(rest)
                    .ok_or("a directory must follow --proc-root")?;
                self.got.pscope.proc_root = Some(PathBuf::from(OsStr::from_bytes(dir)));
            }
            "jobs" => {
                let jobs = self.gnu_argument(rest).and_then(job_count);
                self.got.pscope.jobs =
                    Some(jobs.ok_or("a number from 1 to 64 must follow --jobs")?);
            }
            "state" => {
                let letters = self
                    .gnu_argument(rest)
                    .ok_or("state letters must follow --state")?;
                self.got.pscope.state = Some(String::from_utf8_lossy(letters).into_owned());
            }
            "name" => {
                let regex = self
                    .gnu_argument(rest)
                    .ok_or("a regular expression must follow --name")?;
                self.got.pscope.name = Some(String::from_utf8_lossy(regex).into_owned());
            }
            "cols" | "columns" | "width" => {
                let cols = self.gnu_argument(rest).and_then(screen_size);
                self.got.cols = Some(
                    cols.ok_or("number of columns must follow --cols, --width, or --columns")?,
                );
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// ps's own GNU options.
    fn ps_gnu_option(&mut self, name: &str, rest: &'a [u8]) -> Step {
        if let Some(missing) = gnu_list_option_missing(name) {
            let list = self.gnu_argument(rest).ok_or(missing)?;
            return self.gnu_list_option(name, list);
        }
        match name {
            "rows" | "lines" => {
                let rows = self.gnu_argument(rest).and_then(screen_size);
                self.got.rows = Some(rows.ok_or("number of rows must follow --rows or --lines")?);
            }
            "forest" => {
                no_argument(rest, "option --forest does not take an argument")?;
                self.got.forest = ForestMode::Art;
            }
            "deselect" => {
                no_argument(rest, "option --deselect does not take an argument")?;
                self.got.negate = true;
            }
            "cumulative" => {
                no_argument(rest, "option --cumulative does not take an argument")?;
                self.got.modifiers.cumulative = true;
            }
            "header" | "headers" | "heading" | "headings" => {
                no_argument(rest, "option --heading does not take an argument")?;
                self.set_headers(Headers::Repeat)?;
            }
            "no-header" | "no-headers" | "no-heading" | "no-headings" | "noheader"
            | "noheaders" | "noheading" | "noheadings" => {
                no_argument(rest, "option --no-heading does not take an argument")?;
                self.set_headers(Headers::None)?;
            }
            // ps takes any argument here, and ignores it.
            "context" => self.got.format_flags.insert(FormatFlags::CONTEXT),
            "version" => return Err(self.exclusive("--version", Exclusive::Version)),
            "info" => return Err(self.exclusive("--info", Exclusive::Info)),
            "help" => {
                let word = self.gnu_argument(rest);
                return Err(Halt::Exclusive(Exclusive::Help(help_section(word))));
            }
            _ => return Err("unknown gnu long option".into()),
        }
        Ok(())
    }

    /// The GNU options that take a list.
    fn gnu_list_option(&mut self, name: &str, list: &'a [u8]) -> Step {
        let list = match name {
            "Group" => SelectList::Rgid(self.gid_list(list)?),
            "User" => SelectList::Ruid(self.uid_list(list)?),
            "group" => SelectList::Egid(self.gid_list(list)?),
            "user" => SelectList::Euid(self.uid_list(list)?),
            "pid" => SelectList::Pid(pid_list(list)?),
            "ppid" => SelectList::Ppid(pid_list(list)?),
            "quick-pid" => SelectList::QuickPid(pid_list(list)?),
            "sid" => SelectList::Session(pid_list(list)?),
            "tty" => SelectList::Tty(self.tty_list(list)?),
            "sort" => {
                self.defer(ListOption::LongSort, list);
                return Ok(());
            }
            _ => unreachable!("not a GNU list option"),
        };
        self.add_list(list);
        Ok(())
    }

    // -----------------------------------------------------------------
    // Trailing PIDs and lists

    /// This argument and all after it: one PID each, `-N` a process
    /// group, `+N` a session.
    fn trailing_pids(&mut self) -> Step {
        let (mut pids, mut groups, mut sessions) = (Vec::new(), Vec::new(), Vec::new());
        for &arg in &self.args[self.next..] {
            match arg.split_first() {
                Some((b'-', group)) => groups.push(parse_pid(group)?),
                Some((b'+', session)) => sessions.push(parse_pid(session)?),
                _ => pids.push(parse_pid(arg)?),
            }
        }
        self.next = self.args.len();
        if !pids.is_empty() {
            self.add_list(SelectList::Pid(pids));
        }
        if !groups.is_empty() {
            self.add_list(SelectList::Pgrp(groups));
        }
        if !sessions.is_empty() {
            self.add_list(SelectList::Session(sessions));
        }
        Ok(())
    }

    fn uid_list(&self, list: &[u8]) -> Result<Vec<u32>, Halt> {
        let lookup = |name: &str| self.lookups.uid(name);
        parse_items(list, |item| self.id_item(item, lookup, &USER_ERRORS))
    }

    fn gid_list(&self, list: &[u8]) -> Result<Vec<u32>, Halt> {
        let lookup = |name: &str| self.lookups.gid(name);
        parse_items(list, |item| self.id_item(item, lookup, &GROUP_ERRORS))
    }

    /// A user or group: a number, else a name. With `-N` already given, an
    /// unknown name or a too large number is taken as -1, not refused.
    fn id_item(
        &self,
        item: &[u8],
        lookup: impl Fn(&str) -> Option<u32>,
        errors: &IdErrors,
    ) -> Result<u32, &'static str> {
        let negating = self.got.negate;
        let (mut value, whole) = c_strtoul(item);
        if !whole {
            value = match lookup(&String::from_utf8_lossy(item)) {
                Some(id) => u64::from(id),
                None if negating => u64::MAX,
                None => return Err(errors.no_name),
            };
        }
        if !negating && value > 0xffff_fffe {
            return Err(errors.out_of_range);
        }
        // ps stores it in a 32-bit id.
        Ok(value as u32)
    }

    fn tty_list(&self, list: &[u8]) -> Result<Vec<i32>, Halt> {
        parse_items(list, |item| self.tty_item(item))
    }

    /// A terminal: a device found under one of ps's names for it, else
    /// `-`, `?` or a one-character file name for "no terminal".
    fn tty_item(&self, item: &[u8]) -> Result<i32, &'static str> {
        const NOT_FOUND: &str = "TTY could not be found";
        let name = String::from_utf8_lossy(item);
        match self.lookups.tty(&name) {
            Ok(tty) => Ok(tty),
            Err(TtyError::NotATty) => Err("list member was not a TTY"),
            Err(TtyError::NotFound) if item.first() == Some(&b'/') => Err(NOT_FOUND),
            Err(TtyError::NotFound) => {
                let no_tty = item == b"-"
                    || item == b"?"
                    || (item.len() == 1 && self.lookups.file_in_cwd(&name));
                if no_tty {
                    Ok(0)
                } else {
                    Err(NOT_FOUND)
                }
            }
        }
    }
}

/// The "must follow" message of each UNIX option that takes a list.
fn unix_list_option_missing(letter: u8) -> Option<&'static str> {
    Some(match letter {
        b'C' => "list of command names must follow -C",
        b'G' => "list of real groups must follow -G",
        b'g' => "list of session leaders OR effective group names must follow -g",
        b'O' => "format or sort specification must follow -O",
        b'o' => "format specification must follow -o",
        b'p' => "list of process IDs must follow -p",
        b'q' => "List of process IDs must follow -q.",
        b's' => "list of session IDs must follow -s",
        b't' => "list of terminals (pty, tty...) must follow -t",
        b'u' => "list of users must follow -u",
        b'U' => "list of real users must follow -U",
        _ => return None,
    })
}

/// The "must follow" message of each BSD option that takes a list (`t`
/// does without one).
fn bsd_list_option_missing(letter: u8) -> Option<&'static str> {
    Some(match letter {
        b'O' => "format or sort specification must follow O",
        b'o' => "format specification must follow o",
        b'k' => "long sort specification must follow 'k'",
        b'p' => "list of process IDs must follow p",
        b'q' => "List of process IDs must follow q.",
        b'U' => "list of users must follow U",
        _ => return None,
    })
}

/// The "must follow" message of each GNU option that takes a list.
fn gnu_list_option_missing(name: &str) -> Option<&'static str> {
    Some(match name {
        "Group" => "list of real groups must follow --Group",
        "User" => "list of real users must follow --User",
        "group" => "list of effective groups must follow --group",
        "user" => "list of effective users must follow --user",
        "pid" => "list of process IDs must follow --pid",
        "ppid" => "list of process IDs must follow --ppid",
        "quick-pid" => "List of process IDs must follow --quick-pid.",
        "sid" => "some sid thing(s) must follow --sid",
        "tty" => "list of ttys must follow --tty",
        "sort" => "long sort specification must follow --sort",
        _ => return None,
    })
}

/// A GNU option without an argument refuses even an empty `=` or `:`.
fn no_argument(rest: &[u8], message: &'static str) -> Step {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(message.into())
    }
}

fn help_section(word: Option<&[u8]>) -> HelpSection {
    match word.unwrap_or_default() {
        b"simple" | b"s" => HelpSection::Simple,
        b"list" | b"l" => HelpSection::List,
        b"output" | b"o" => HelpSection::Output,
        b"threads" | b"t" => HelpSection::Threads,
        b"misc" | b"m" => HelpSection::Misc,
        b"all" | b"a" => HelpSection::All,
        _ => HelpSection::Usage,
    }
}

fn output_format(value: &[u8]) -> Option<OutputFormat> {
    match value {
        b"table" => Some(OutputFormat::Table),
        b"json" => Some(OutputFormat::Json),
        b"jsonl" => Some(OutputFormat::Jsonl),
        b"csv" => Some(OutputFormat::Csv),
        _ => None,
    }
}

fn color_choice(value: &[u8]) -> Option<ColorChoice> {
    match value {
        b"auto" => Some(ColorChoice::Auto),
        b"always" => Some(ColorChoice::Always),
        b"never" => Some(ColorChoice::Never),
        _ => None,
    }
}

fn job_count(value: &[u8]) -> Option<u16> {
    let jobs: u16 = std::str::from_utf8(value).ok()?.parse().ok()?;
    (1..=64).contains(&jobs).then_some(jobs)
}

/// `--cols` and `--rows`: a whole C number (any base) from 1 to 1999999999.
fn screen_size(value: &[u8]) -> Option<usize> {
    let (number, whole) = c_strtol(value);
    let in_range = whole && number > 0 && number < 2_000_000_000;
    in_range.then(|| usize::try_from(number).ok()).flatten()
}

// ---------------------------------------------------------------------
// Selection lists

/// The separators of selection lists (not newline, unlike format lists).
fn is_selection_separator(byte: u8) -> bool {
    matches!(byte, b' ' | b',' | b'\t')
}

/// Parses every item of a selection list, left to right; no item may be
/// empty.
fn parse_items<T>(
    list: &[u8],
    mut item: impl FnMut(&[u8]) -> Result<T, &'static str>,
) -> Result<Vec<T>, Halt> {
    let items: Vec<&[u8]> = list.split(|b| is_selection_separator(*b)).collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err("improper list".into());
    }
    items
        .into_iter()
        .map(|i| item(i).map_err(Halt::from))
        .collect()
}

fn pid_list(list: &[u8]) -> Result<Vec<i32>, Halt> {
    parse_items(list, parse_pid)
}

/// A PID, as ps reads it with C's strtoul: any base, from 1 to 2^31-1.
fn parse_pid(text: &[u8]) -> Result<i32, &'static str> {
    let (value, whole) = c_strtoul(text);
    if !whole {
        return Err("process ID list syntax error");
    }
    i32::try_from(value)
        .ok()
        .filter(|&pid| pid >= 1)
        .ok_or("process ID out of range")
}

/// Command names, cut to the 63 bytes ps keeps.
fn command_list(list: &[u8]) -> Result<Vec<Vec<u8>>, Halt> {
    parse_items(list, |name| Ok(name[..name.len().min(63)].to_vec()))
}

struct IdErrors {
    no_name: &'static str,
    out_of_range: &'static str,
}

const USER_ERRORS: IdErrors = IdErrors {
    no_name: "user name does not exist",
    out_of_range: "user ID out of range",
};

const GROUP_ERRORS: IdErrors = IdErrors {
    no_name: "group name does not exist",
    out_of_range: "group ID out of range",
};

// ---------------------------------------------------------------------
// C number parsing

/// C's isspace in the C locale.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The sign, magnitude (saturated) and extent of a C number in base 0:
/// `0x` hex, `0` octal, else decimal, after blanks and a sign. `None`
/// when no digit was read (C then ends at the very start).
fn c_number(text: &[u8]) -> Option<(bool, u64, bool, usize)> {
    let mut at = text.iter().take_while(|b| is_c_space(**b)).count();
    let negative = match text.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    let hex_prefix = matches!(text.get(at..at + 2), Some(b"0x") | Some(b"0X"))
        && text.get(at + 2).is_some_and(u8::is_ascii_hexdigit);
    let radix = if hex_prefix {
        at += 2;
        16
    } else if text.get(at) == Some(&b'0') {
        8
    } else {
        10
    };
    let digits: Vec<u32> = text[at..]
        .iter()
        .map_while(|&b| char::from(b).to_digit(radix))
        .collect();
    if digits.is_empty() {
        return None;
    }
    let mut overflow = false;
    let magnitude = digits.iter().fold(0u64, |acc, &d| {
        match acc
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => v,
            None => {
                overflow = true;
                u64::MAX
            }
        }
    });
    Some((negative, magnitude, overflow, at + digits.len()))
}

/// C's `strtoul(text, &end, 0)`: the value, and whether it took the whole
/// text. A minus sign wraps the value around, as in C.
fn c_strtoul(text: &[u8]) -> (u64, bool) {
    match c_number(text) {
        None => (0, text.is_empty()),
        Some((negative, magnitude, overflow, end)) => {
            let value = match (overflow, negative) {
                (true, _) => u64::MAX,
                (false, true) => magnitude.wrapping_neg(),
                (false, false) => magnitude,
            };
            (value, end == text.len())
        }
    }
}

/// C's `strtol(text, &end, 0)` (64-bit long): the value, clamped, and
/// whether it took the whole text.
fn c_strtol(text: &[u8]) -> (i64, bool) {
    match c_number(text) {
        None => (0, text.is_empty()),
        Some((negative, magnitude, overflow, end)) => {
            let value = if negative {
                if overflow || magnitude > i64::MIN.unsigned_abs() {
                    i64::MIN
                } else {
                    0i64.wrapping_sub_unsigned(magnitude)
                }
            } else if overflow || magnitude > i64::MAX as u64 {
                i64::MAX
            } else {
                magnitude as i64
            };
            (value, end == text.len())
        }
    }
}

// ---------------------------------------------------------------------
// Checks once every option is read

/// The thread options against each other and the forest.
fn check_threads(got: &Gathered) -> Step {
    let t = got.threads;
    if !t.any() {
        return Ok(());
    }
    if got.forest != ForestMode::Off {
        return Err("thread display conflicts with forest display".into());
    }
    if t.bsd_h && (t.bsd_m || t.unix_m) {
        return Err("thread flags conflict; can't use H with m or -m".into());
    }
    if t.bsd_m && t.unix_m {
        return Err("thread flags conflict; can't use both m and -m".into());
    }
    if t.unix_l && t.unix_t {
        return Err("thread flags conflict; can't use both -L and -T".into());
    }
    Ok(())
}

fn thread_mode(t: ThreadFlags) -> ThreadMode {
    if t.bsd_h {
        ThreadMode::BsdH
    } else if t.bsd_m || t.unix_m {
        ThreadMode::AfterProcess
    } else if t.unix_l {
        ThreadMode::UnixL
    } else if t.unix_t {
        ThreadMode::UnixT
    } else {
        ThreadMode::Off
    }
}

/// ps's table for the simple selection options.
enum Table {
    Bits(u16),
    /// `ax`: every process.
    Everything,
}

/// Chooses the table as ps does: UNIX's default (my processes on my
/// terminal) when nothing BSD-like was given, else the options with
/// BSD's `g` added, unless `-a` or `-d` was given.
fn simple_table(selected: u8, prefer_bsd: bool) -> Result<Table, &'static str> {
    use simple::*;
    if selected == 0 && !prefer_bsd {
        return Ok(Table::Bits(0xaa00));
    }
    let with_g = if selected & (UNIX_A | UNIX_D) == 0 {
        selected | BSD_G
    } else {
        selected
    };
    const UNIX_A_D: u8 = UNIX_A | UNIX_D;
    const BSD_G_A: u8 = BSD_G | BSD_A;
    const BSD_G_X: u8 = BSD_G | BSD_X;
    const BSD_G_X_A: u8 = BSD_G | BSD_X | BSD_A;
    Ok(Table::Bits(match with_g {
        UNIX_A_D => 0x3f3f,
        UNIX_A => 0x0303,
        UNIX_D => 0x3333,
        BSD_G => 0x0a0a,
        BSD_G_A => 0x0f0f,
        BSD_G_X => 0xaaaa,
        BSD_G_X_A => return Ok(Table::Everything),
        _ => return Err("process selection options conflict"),
    }))
}

fn selection(got: &Gathered) -> Result<PsSelect, Halt> {
    let table = simple_table(got.simple, got.prefer_bsd)?;
    let all = got.all || matches!(table, Table::Everything);
    // The table is consulted when a simple option was given, or no list.
    let consulted = !all && (got.simple != 0 || got.lists.is_empty());
    let simple_bits = match table {
        Table::Bits(bits) if consulted => Some(bits),
        _ => None,
    };
    Ok(PsSelect {
        all,
        simple_bits,
        lists: got.lists.clone(),
        negate: got.negate,
        running_only: got.running_only,
    })
}

/// ps's checks of `-q` once parsing has succeeded.
fn quick_pid_conflict(query: &PsQuery) -> Option<&'static str> {
    let lists = &query.select.lists;
    let quick = lists
        .iter()
        .filter(|list| matches!(list, SelectList::QuickPid(_)))
        .count();
    if quick == 0 {
        return None;
    }
    if quick > 1 {
        return Some("q/-q/--quick-pid can only be used once.");
    }
    if lists.len() > quick {
        return Some("q/-q/--quick-pid cannot be combined with other selection options.");
    }
    if query.forest != ForestMode::Off {
        return Some("q/-q/--quick-pid cannot be used together with forest type listings.");
    }
    if !query.sort.is_empty() {
        return Some("q/-q,--quick-pid cannot be used together with sort options.");
    }
    if query.select.negate {
        return Some("q/-q/--quick-pid cannot be used together with negation switches.");
    }
    None
}

