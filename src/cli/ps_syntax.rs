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

#[cfg(test)]
mod tests {
    use super::*;

    /// A system with a few users, groups and terminals.
    #[derive(Default)]
    struct Fake {
        /// A user named `x` exists (which changes what `-aux` means).
        user_x: bool,
        own_tty: i32,
        ps_format: Option<&'static str>,
    }

    const PTS0: i32 = 136 << 8;
    const PTS1: i32 = (136 << 8) | 1;
    const TTY1: i32 = (4 << 8) | 1;
    const CONSOLE: i32 = (5 << 8) | 1;

    impl Lookups for Fake {
        fn uid(&self, name: &str) -> Option<u32> {
            match name {
                "root" => Some(0),
                "nobody" => Some(65534),
                "x" if self.user_x => Some(1001),
                _ => None,
            }
        }

        fn gid(&self, name: &str) -> Option<u32> {
            match name {
                "root" => Some(0),
                "nogroup" => Some(65534),
                _ => None,
            }
        }

        fn tty(&self, name: &str) -> Result<i32, TtyError> {
            match name {
                "pts/0" | "/dev/pts/0" | "0" => Ok(PTS0),
                "pts/1" | "/dev/pts/1" | "1" => Ok(PTS1),
                "tty1" | "/dev/tty1" => Ok(TTY1),
                "co" | "console" | "/dev/console" => Ok(CONSOLE),
                "/etc/passwd" | "/" => Err(TtyError::NotATty),
                _ => Err(TtyError::NotFound),
            }
        }

        fn own_tty(&self) -> i32 {
            self.own_tty
        }

        fn file_in_cwd(&self, name: &str) -> bool {
            name == "Q"
        }

        fn ps_format_env(&self) -> Option<String> {
            self.ps_format.map(str::to_string)
        }
    }

    fn os_args(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn run_with(lookups: &Fake, args: &[&str]) -> Result<Parsed, PsError> {
        parse(&os_args(args), lookups)
    }

    fn invocation_with(lookups: &Fake, args: &[&str]) -> PsInvocation {
        match run_with(lookups, args) {
            Ok(Parsed::Query(invocation)) => invocation,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn invocation(args: &[&str]) -> PsInvocation {
        invocation_with(&Fake::default(), args)
    }

    fn query(args: &[&str]) -> PsQuery {
        invocation(args).query
    }

    fn select(args: &[&str]) -> PsSelect {
        query(args).select
    }

    fn names(query: &PsQuery) -> String {
        let names: Vec<&str> = query.columns.iter().map(|c| c.keyword.name).collect();
        names.join(" ")
    }

    fn headers(query: &PsQuery) -> String {
        let headers: Vec<&str> = query.columns.iter().map(|c| c.header.as_str()).collect();
        headers.join(" ")
    }

    fn sort(args: &[&str]) -> Vec<(&'static str, bool)> {
        query(args)
            .sort
            .iter()
            .map(|s| (s.keyword.name, s.descending))
            .collect()
    }

    fn error_with(lookups: &Fake, args: &[&str]) -> PsError {
        match run_with(lookups, args) {
            Err(error) => error,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        let error = error_with(&Fake::default(), args);
        assert_eq!(error.kind, PsErrorKind::Usage, "{args:?}");
        error.message
    }

    fn exclusive(args: &[&str]) -> Exclusive {
        match run_with(&Fake::default(), args) {
            Ok(Parsed::Exclusive(exclusive)) => exclusive,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    /// Splits an invocation written as one string; `''` is an empty argument.
    fn words(line: &str) -> Vec<&str> {
        line.split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| if w == "''" { "" } else { w })
            .collect()
    }

    /// The standard formats, as the installed ps prints their headers.
    #[test]
    fn standard_formats() {
        let cases = [
            ("", "pid tname time ucmd", "PID TTY TIME CMD"),
            ("-e", "pid tname time ucmd", "PID TTY TIME CMD"),
            (
                "-f",
                "uid_hack pid ppid c stime tname time cmd",
                "UID PID PPID C STIME TTY TIME CMD",
            ),
            (
                "-ef",
                "uid_hack pid ppid c stime tname time cmd",
                "UID PID PPID C STIME TTY TIME CMD",
            ),
            (
                "-eF",
                "uid_hack pid ppid c sz rss psr stime tname time cmd",
                "UID PID PPID C SZ RSS PSR STIME TTY TIME CMD",
            ),
            (
                "-l",
                "f s uid pid ppid c opri ni addr_1 sz wchan tname time ucmd",
                "F S UID PID PPID C PRI NI ADDR SZ WCHAN TTY TIME CMD",
            ),
            (
                "-ely",
                "s uid pid ppid c opri ni rss sz wchan tname time ucmd",
                "S UID PID PPID C PRI NI RSS SZ WCHAN TTY TIME CMD",
            ),
            (
                "-fl",
                "f s uid_hack pid ppid c opri ni addr_1 sz wchan stime tname time cmd",
                "F S UID PID PPID C PRI NI ADDR SZ WCHAN STIME TTY TIME CMD",
            ),
            (
                "-Fl",
                "f s uid_hack pid ppid c opri ni addr_1 sz wchan rss psr stime tname time cmd",
                "F S UID PID PPID C PRI NI ADDR SZ WCHAN RSS PSR STIME TTY TIME CMD",
            ),
            (
                "-Fly",
                "s uid_hack pid ppid c opri ni rss sz wchan psr stime tname time cmd",
                "S UID PID PPID C PRI NI RSS SZ WCHAN PSR STIME TTY TIME CMD",
            ),
            (
                "-FP",
                "uid_hack pid ppid psr c sz rss stime tname time cmd",
                "UID PID PPID PSR C SZ RSS STIME TTY TIME CMD",
            ),
            (
                "-j",
                "pid pgid sid tname time ucmd",
                "PID PGID SID TTY TIME CMD",
            ),
            (
                "-ejH",
                "pid pgid sid tname time ucmd",
                "PID PGID SID TTY TIME CMD",
            ),
            (
                "-jl",
                "f s uid pid ppid pgid sid c opri ni addr_1 sz wchan tname time ucmd",
                "F S UID PID PPID PGID SID C PRI NI ADDR SZ WCHAN TTY TIME CMD",
            ),
            (
                "-jf",
                "uid_hack pid ppid pgid sid c stime tname time cmd",
                "UID PID PPID PGID SID C STIME TTY TIME CMD",
            ),
            (
                "-c",
                "pid class pri tname time ucmd",
                "PID CLS PRI TTY TIME CMD",
            ),
            (
                "-cf",
                "uid_hack pid ppid class pri stime tname time cmd",
                "UID PID PPID CLS PRI STIME TTY TIME CMD",
            ),
            (
                "-cl",
                "f s uid pid ppid class pri addr_1 sz wchan tname time ucmd",
                "F S UID PID PPID CLS PRI ADDR SZ WCHAN TTY TIME CMD",
            ),
            ("-L", "pid lwp tname time ucmd", "PID LWP TTY TIME CMD"),
            ("-T", "pid spid tname time ucmd", "PID SPID TTY TIME CMD"),
            (
                "-eLf",
                "uid_hack pid ppid lwp c nlwp stime tname time cmd",
                "UID PID PPID LWP C NLWP STIME TTY TIME CMD",
            ),
            (
                "-FL",
                "uid_hack pid ppid lwp c nlwp sz rss psr stime tname time cmd",
                "UID PID PPID LWP C NLWP SZ RSS PSR STIME TTY TIME CMD",
            ),
            (
                "-lL",
                "f s uid pid ppid lwp c opri ni addr_1 sz wchan tname time ucmd",
                "F S UID PID PPID LWP C PRI NI ADDR SZ WCHAN TTY TIME CMD",
            ),
            (
                "-jL",
                "pid pgid sid lwp tname time ucmd",
                "PID PGID SID LWP TTY TIME CMD",
            ),
            (
                "-fT",
                "uid_hack pid spid ppid c stime tname time cmd",
                "UID PID SPID PPID C STIME TTY TIME CMD",
            ),
            (
                "-lT",
                "f s uid pid spid ppid c opri ni addr_1 sz wchan tname time ucmd",
                "F S UID PID SPID PPID C PRI NI ADDR SZ WCHAN TTY TIME CMD",
            ),
            ("-P", "pid psr tname time ucmd", "PID PSR TTY TIME CMD"),
            ("-M", "label pid tname time ucmd", "LABEL PID TTY TIME CMD"),
            ("-Z", "label pid tname time ucmd", "LABEL PID TTY TIME CMD"),
            (
                "-l x",
                "f s uid pid ppid c opri ni addr_1 sz wchan tname bsdtime cmd",
                "F S UID PID PPID C PRI NI ADDR SZ WCHAN TTY TIME CMD",
            ),
            (
                "-f x",
                "uid_hack pid ppid c stime tname stat bsdtime cmd",
                "UID PID PPID C STIME TTY STAT TIME CMD",
            ),
            (
                "-L x",
                "pid lwp tname stat bsdtime args",
                "PID LWP TTY STAT TIME COMMAND",
            ),
            (
                "-j x",
                "pid pgid sid tname stat bsdtime args",
                "PID PGID SID TTY STAT TIME COMMAND",
            ),
            (
                "x",
                "pid tname stat bsdtime args",
                "PID TTY STAT TIME COMMAND",
            ),
            (
                "1",
                "pid tname stat bsdtime args",
                "PID TTY STAT TIME COMMAND",
            ),
            (
                "-x",
                "pid tname stat bsdtime args",
                "PID TTY STAT TIME COMMAND",
            ),
            (
                "aux",
                "user pid pcpu pmem vsz rss tname stat start_time bsdtime args",
                "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND",
            ),
            (
                "-aux",
                "user pid pcpu pmem vsz rss tname stat start_time bsdtime args",
                "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND",
            ),
            (
                "v",
                "pid tname stat bsdtime maj_flt m_trs m_drs rss pmem args",
                "PID TTY STAT TIME MAJFL TRS DRS RSS %MEM COMMAND",
            ),
            (
                "axjf",
                "ppid pid pgid sid tname tpgid stat uid bsdtime args",
                "PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND",
            ),
            (
                "-ajx",
                "ppid pid pgid sid tname tpgid stat uid bsdtime args",
                "PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND",
            ),
            (
                "l",
                "flags uid pid ppid priority nice vsz rss wchan stat tname bsdtime args",
                "F UID PID PPID PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND",
            ),
            (
                "s",
                "uid pid pending sig_block sig_ignore caught stat tname bsdtime args",
                "UID PID PENDING BLOCKED IGNORED CAUGHT STAT TTY TIME COMMAND",
            ),
            (
                "X",
                "pid start_stack esp eip timeout alarm stat tname bsdtime args",
                "PID STACKP ESP EIP TMOUT ALARM STAT TTY TIME COMMAND",
            ),
            (
                "Z",
                "label pid tname stat bsdtime args",
                "LABEL PID TTY STAT TIME COMMAND",
            ),
            ("--context", "pid context command", "PID CONTEXT COMMAND"),
            (
                "-xm",
                "pid tname majflt minflt m_trs m_drs m_size m_swap rss m_share vm_lib m_dt args",
                "PID TTY MAJFLT MINFLT TRS DRS SIZE SWAP RSS SHRD LIB DT COMMAND",
            ),
            (
                "-j u",
                "user pid pgid sid pcpu pmem vsz rss tname stat start_time bsdtime args",
                "USER PID PGID SID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND",
            ),
            (
                "-j l",
                "flags uid pid ppid pgid sid priority nice vsz rss wchan stat tname bsdtime args",
                "F UID PID PPID PGID SID PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND",
            ),
            (
                "-L l",
                "flags uid pid ppid lwp priority nice vsz rss wchan stat tname bsdtime args",
                "F UID PID PPID LWP PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND",
            ),
            (
                "-T j",
                "ppid pid spid pgid sid tname tpgid stat uid bsdtime args",
                "PPID PID SPID PGID SID TTY TPGID STAT UID TIME COMMAND",
            ),
            (
                "-c l",
                "flags uid pid ppid class pri vsz rss wchan stat tname bsdtime args",
                "F UID PID PPID CLS PRI VSZ RSS WCHAN STAT TTY TIME COMMAND",
            ),
            (
                "-y l",
                "uid pid ppid priority nice vsz rss wchan stat tname bsdtime args",
                "UID PID PPID PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND",
            ),
            (
                "-M u",
                "label user pid pcpu pmem vsz rss tname stat start_time bsdtime args",
                "LABEL USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND",
            ),
            (
                "u -L",
                "user pid lwp pcpu nlwp pmem vsz rss tname stat start_time bsdtime args",
                "USER PID LWP %CPU NLWP %MEM VSZ RSS TTY STAT START TIME COMMAND",
            ),
            (
                "-T u",
                "user pid spid pcpu pmem vsz rss tname stat start_time bsdtime args",
                "USER PID SPID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND",
            ),
            (
                "-L s",
                "uid pid lwp pending sig_block sig_ignore caught stat tname bsdtime args",
                "UID PID LWP PENDING BLOCKED IGNORED CAUGHT STAT TTY TIME COMMAND",
            ),
            (
                "-L --context",
                "pid lwp context command",
                "PID LWP CONTEXT COMMAND",
            ),
            ("-m -L", "pid lwp tname time ucmd", "PID LWP TTY TIME CMD"),
            (
                "H -L",
                "pid lwp tname stat bsdtime args",
                "PID LWP TTY STAT TIME COMMAND",
            ),
        ];
        for (line, expected_names, expected_headers) in cases {
            let query = query(&words(line));
            assert_eq!(names(&query), expected_names, "ps {line}");
            assert_eq!(headers(&query), expected_headers, "ps {line}");
        }
    }

    /// `-o`, `-O`, `o`, `O` and `--format` lists.
    #[test]
    fn own_formats() {
        let cases = [
            ("-eo pid,comm --sort=-pid", "pid comm", "PID COMMAND"),
            ("ax o pid,ppid", "pid ppid", "PID PPID"),
            ("-o pid -o ppid", "pid ppid", "PID PPID"),
            ("-o pid,", "pid", "PID"),
            ("--format pid,ppid", "pid ppid", "PID PPID"),
            (
                "-O ppid,tty",
                "pid ppid tty state tname time command",
                "PID PPID TT S TTY TIME COMMAND",
            ),
            (
                "-O tty -o pid",
                "pid tty state tname time command pid",
                "PID TT S TTY TIME COMMAND PID",
            ),
            (
                "O tty",
                "pid tty state tname cputime comm",
                "PID TT S TTY TIME COMMAND",
            ),
            (
                "Opid",
                "pid pid state tname cputime comm",
                "PID PID S TTY TIME COMMAND",
            ),
            (
                "-o DefBSD",
                "pid tname stat bsdtime args",
                "PID TTY STAT TIME COMMAND",
            ),
            ("-f -o pid", "pid", "PID"),
            ("-c -o pid -p1", "pid", "PID"),
            ("-M -o pid,lwp", "pid lwp", "PID LWP"),
            ("-L -o pid,tid", "pid tid", "PID TID"),
        ];
        for (line, expected_names, expected_headers) in cases {
            let query = query(&words(line));
            assert_eq!(names(&query), expected_names, "ps {line}");
            assert_eq!(headers(&query), expected_headers, "ps {line}");
        }
    }

    #[test]
    fn headers_and_widths_given_in_a_list() {
        let columns = query(&["-o", "pid=ID,comm:20,args=A=B,tty:9=TERMINAL,pid=X:5"]).columns;
        let specs: Vec<(&str, &str, Option<usize>)> = columns
            .iter()
            .map(|c| (c.keyword.name, c.header.as_str(), c.width))
            .collect();
        assert_eq!(
            specs,
            [
                ("pid", "ID", None),
                ("comm", "COMMAND", Some(20)),
                ("args", "A=B", Some(27)),
                ("tty", "TERMINAL", Some(9)),
                ("pid", "X:5", None),
            ]
        );
        let wide = query(&["-o", "tty=A_LONG_HEADER,pid="]).columns;
        assert_eq!(wide[0].width, Some(13));
        assert_eq!(wide[1].header, "");
        let renamed = query(&["-o", "DefBSD=Z"]).columns;
        assert!(renamed.iter().all(|c| c.header == "Z"));
        assert_eq!(renamed[1].width, Some(8));
    }

    /// ps has no Unix98 "the header runs to the end" rule: a blank ends it.
    #[test]
    fn a_header_stops_at_a_separator() {
        assert_eq!(
            error(&["-o", "pid=A B"]),
            "unknown user-defined format specifier \"B\""
        );
        // Two arguments: -o pid=A, then B as BSD letters.
        assert_eq!(
            error(&["-o", "pid=A", "B"]),
            "unsupported option (BSD syntax)"
        );
    }

    #[test]
    fn aix_descriptors() {
        let query = query(&["-o", "%p %c"]);
        assert_eq!(names(&query), "pid  comm ");
        assert_eq!(headers(&query), "PID   COMMAND ");
        let widths: Vec<Option<usize>> = query.columns.iter().map(|c| c.width).collect();
        assert_eq!(widths, [None, Some(1), Some(15), Some(0)]);
        assert_eq!(headers(&self::query(&["-o", "x%p"])), "x PID ");
        // Columns read before the failure stay in front.
        assert_eq!(names(&self::query(&["-o", "c %p"])), "c  pid ");
        assert_eq!(error(&["-o", "%"]), "missing AIX field descriptor");
        assert_eq!(error(&["-o", "%q"]), "unknown AIX field descriptor");
        assert_eq!(error(&["-o", "xy%p"]), "improper AIX field descriptor");
        assert_eq!(
            error(&["-o", "pid,%cpu,bogus"]),
            "improper AIX field descriptor"
        );
    }

    #[test]
    fn sort_keys() {
        assert_eq!(sort(&["-eo", "pid,comm", "--sort=-pid"]), [("pid", true)]);
        assert_eq!(
            sort(&["--sort", "+pid,-ppid"]),
            [("pid", false), ("ppid", true)]
        );
        assert_eq!(sort(&["k", "-pid"]), [("pid", true)]);
        assert_eq!(sort(&["--sort", "pid,"]), [("pid", false)]);
        assert_eq!(sort(&["Op"]), [("pid", false)]);
        assert_eq!(sort(&["O-p"]), [("pid", true)]);
        assert_eq!(sort(&["O+p-P"]), [("pid", false), ("ppid", true)]);
        // A letter with no sign before it (but the first) sorts nothing.
        assert_eq!(sort(&["ax", "O-rc"]), [("rss", true)]);
        // K stands for nothing, J for no keyword: the codes end there.
        assert_eq!(sort(&["OpKr"]), [("pid", false)]);
        assert_eq!(sort(&["OJ"]), []);
        // O is a format when a long sort is given too.
        let both = query(&["Opid", "--sort=ppid"]);
        assert_eq!(names(&both), "pid pid state tname cputime comm");
        assert_eq!(both.sort[0].keyword.name, "ppid");
    }

    #[test]
    fn aux_without_and_with_a_user_named_x() {
        let aux = query(&["-aux"]);
        assert!(aux.select.all);
        assert_eq!(aux.select.lists, []);
        let with_x = Fake {
            user_x: true,
            ..Fake::default()
        };
        let dash_a_u_x = invocation_with(&with_x, &["-aux"]).query;
        assert_eq!(headers(&dash_a_u_x), "PID TTY TIME CMD");
        assert!(!dash_a_u_x.select.all);
        assert_eq!(dash_a_u_x.select.simple_bits, Some(0x0303));
        assert_eq!(dash_a_u_x.select.lists, [SelectList::Euid(vec![1001])]);
        // Without x, `-aux f` fails in both passes: the first message shows.
        assert_eq!(error(&["-aux", "f"]), "user name does not exist");
    }

    #[test]
    fn simple_selection_table() {
        let cases: [(&str, Option<u16>); 13] = [
            ("", Some(0xaa00)),
            ("-f", Some(0xaa00)),
            ("-a", Some(0x0303)),
            ("-d", Some(0x3333)),
            ("-a -d", Some(0x3f3f)),
            ("g", Some(0x0a0a)),
            ("u", Some(0x0a0a)),
            ("1", None),
            ("a", Some(0x0f0f)),
            ("ag", Some(0x0f0f)),
            ("x", Some(0xaaaa)),
            ("-x", Some(0xaaaa)),
            ("g -p 1", Some(0x0a0a)),
        ];
        for (line, bits) in cases {
            let select = select(&words(line));
            assert_eq!(select.simple_bits, bits, "ps {line}");
            assert!(!select.all, "ps {line}");
        }
        for line in ["-e", "-A", "ax", "-ax", "aux", "xa", "-e x"] {
            let select = select(&words(line));
            assert!(select.all, "ps {line}");
            assert_eq!(select.simple_bits, None, "ps {line}");
        }
        assert_eq!(error(&["-a", "x"]), "process selection options conflict");
        assert_eq!(error(&["-d", "a"]), "process selection options conflict");
        assert_eq!(error(&["-a", "g"]), "process selection options conflict");
        assert_eq!(error(&["a", "-a"]), "process selection options conflict");
    }

    #[test]
    fn selection_lists() {
        assert_eq!(
            select(&["-p", "1", "2"]).lists,
            [SelectList::Pid(vec![1]), SelectList::Pid(vec![2])]
        );
        assert_eq!(
            select(&["-p", "1,0x10 010", "--ppid=1"]).lists,
            [SelectList::Pid(vec![1, 16, 8]), SelectList::Ppid(vec![1])]
        );
        assert_eq!(
            select(&["1", "-2", "+3", "4"]).lists,
            [
                SelectList::Pid(vec![1, 4]),
                SelectList::Pgrp(vec![2]),
                SelectList::Session(vec![3])
            ]
        );
        assert_eq!(select(&["x1,2"]).lists, [SelectList::Pid(vec![1, 2])]);
        assert_eq!(select(&["up1"]).lists, [SelectList::Pid(vec![1])]);
        assert_eq!(
            select(&["-u", "root,65534", "-U", "nobody", "U", "0"]).lists,
            [
                SelectList::Euid(vec![0, 65534]),
                SelectList::Ruid(vec![65534]),
                SelectList::Euid(vec![0])
            ]
        );
        assert_eq!(
            select(&["-G", "root", "--group=nogroup", "--Group", "7"]).lists,
            [
                SelectList::Rgid(vec![0]),
                SelectList::Egid(vec![65534]),
                SelectList::Rgid(vec![7])
            ]
        );
        // -g: sessions when every item is a PID, else groups.
        assert_eq!(
            select(&["-g", "65534"]).lists,
            [SelectList::Session(vec![65534])]
        );
        assert_eq!(select(&["-g", "0"]).lists, [SelectList::Egid(vec![0])]);
        assert_eq!(select(&["-g", "root"]).lists, [SelectList::Egid(vec![0])]);
        assert_eq!(select(&["-s", "1", "--sid", "2"]).lists.len(), 2);
        let long_name = "a".repeat(70);
        assert_eq!(
            select(&["-C", &format!("bash,{long_name}")]).lists,
            [SelectList::Command(vec![
                b"bash".to_vec(),
                long_name.as_bytes()[..63].to_vec()
            ])]
        );
        assert_eq!(
            select(&["-q", "3,1,2"]).lists,
            [SelectList::QuickPid(vec![3, 1, 2])]
        );
    }

    #[test]
    fn terminals() {
        assert_eq!(
            select(&["-t", "pts/0,/dev/pts/1,tty1,co,-,?"]).lists,
            [SelectList::Tty(vec![PTS0, PTS1, TTY1, CONSOLE, 0, 0])]
        );
        // A one-character name that is a file here: the shell ate a `?`.
        assert_eq!(select(&["-t", "Q"]).lists, [SelectList::Tty(vec![0])]);
        assert_eq!(error(&["-t", "R"]), "TTY could not be found");
        let on_pts1 = Fake {
            own_tty: PTS1,
            ..Fake::default()
        };
        for args in [&["T"][..], &["t"], &["--tty", "1"], &["t", "pts/1"]] {
            let lists = invocation_with(&on_pts1, args).query.select.lists;
            assert_eq!(lists, [SelectList::Tty(vec![PTS1])], "{args:?}");
        }
        // t takes the next word whatever it looks like.
        assert_eq!(error(&["t", "-o"]), "TTY could not be found");
    }

    #[test]
    fn negation_running_and_unknown_names() {
        let negated = select(&["-N", "-u", "nosuch"]);
        assert!(negated.negate);
        assert_eq!(negated.lists, [SelectList::Euid(vec![u32::MAX])]);
        assert_eq!(error(&["-u", "nosuch", "-N"]), "user name does not exist");
        assert_eq!(
            select(&["--deselect", "-G", "nosuch"]).lists,
            [SelectList::Rgid(vec![u32::MAX])]
        );
        let running = select(&["r", "-N"]);
        assert!(running.running_only && running.negate);
        assert_eq!(running.simple_bits, Some(0x0a0a));
        assert!(select(&["-e", "-N"]).all);
    }

    #[test]
    fn thread_forest_and_header_modes() {
        let cases = [
            ("-L", ThreadMode::UnixL),
            ("-T", ThreadMode::UnixT),
            ("H", ThreadMode::BsdH),
            ("m", ThreadMode::AfterProcess),
            ("M", ThreadMode::AfterProcess),
            ("-m", ThreadMode::AfterProcess),
            ("-m -L", ThreadMode::AfterProcess),
            ("H -L", ThreadMode::BsdH),
            ("-eLf", ThreadMode::UnixL),
            ("-ef", ThreadMode::Off),
        ];
        for (line, mode) in cases {
            assert_eq!(query(&words(line)).threads, mode, "ps {line}");
        }
        assert_eq!(query(&["--forest"]).forest, ForestMode::Art);
        assert_eq!(query(&["axjf"]).forest, ForestMode::Art);
        assert_eq!(query(&["-ejH"]).forest, ForestMode::Indent);
        assert_eq!(query(&["-H", "f"]).forest, ForestMode::Art);
        assert_eq!(query(&["f", "-H"]).forest, ForestMode::Indent);
        assert_eq!(query(&[]).headers, Headers::Once);
        assert_eq!(query(&["h"]).headers, Headers::None);
        assert_eq!(query(&["-h"]).headers, Headers::None);
        assert_eq!(query(&["--no-headers"]).headers, Headers::None);
        assert_eq!(query(&["--headers"]).headers, Headers::Repeat);
    }

    #[test]
    fn bsd_modifiers_and_width() {
        let modifiers = query(&["cenS"]).modifiers;
        assert!(modifiers.true_command && modifiers.environment);
        assert!(modifiers.numeric && modifiers.cumulative);
        assert!(query(&["--cumulative"]).modifiers.cumulative);
        // The retry reads -c as BSD c once -c -o has failed.
        assert!(query(&["-c", "-o", "pid"]).modifiers.true_command);
        assert_eq!(query(&["w"]).wide, 1);
        assert_eq!(query(&["-ww", "w"]).wide, 3);
        let sized = query(&["--cols", "100", "w", "--rows=0x10"]);
        assert_eq!(
            (sized.columns_option, sized.rows_option, sized.wide),
            (Some(100), Some(16), 1)
        );
        assert_eq!(query(&["--width:80"]).columns_option, Some(80));
        assert_eq!(query(&["--columns", " 80"]).columns_option, Some(80));
    }

    #[test]
    fn the_second_pass() {
        // -x fails in the first pass and is BSD x in the second.
        assert_eq!(select(&["-x"]).simple_bits, Some(0xaaaa));
        // -ex is BSD e and x, not -e.
        let ex = query(&["-ex"]);
        assert!(ex.modifiers.environment && !ex.select.all);
        // A SysV option without its list becomes a BSD letter.
        assert_eq!(headers(&query(&["-u"])), headers(&query(&["u"])));
        assert_eq!(query(&["-s"]).columns[2].keyword.name, "pending");
        assert_eq!(query(&["-k", "pid"]).sort[0].keyword.name, "pid");
        // -f -o conflict in the first pass; the second reads f as forest.
        let forest = query(&["-f", "-o", "pid"]);
        assert_eq!(forest.forest, ForestMode::Art);
        assert_eq!(names(&forest), "pid");
        // The retry fails on any dashless argument: the first message shows.
        assert_eq!(error(&["-x", "m"]), "must set personality to get -x option");
        assert_eq!(error(&["a", "-x"]), "must set personality to get -x option");
        assert_eq!(error(&["-Ax"]), "must set personality to get -x option");
    }

    #[test]
    fn exclusive_options() {
        assert_eq!(exclusive(&["L"]), Exclusive::ListKeywords);
        assert_eq!(exclusive(&["V"]), Exclusive::Version);
        assert_eq!(exclusive(&["-V"]), Exclusive::Version);
        assert_eq!(exclusive(&["--version"]), Exclusive::Version);
        assert_eq!(exclusive(&["--info"]), Exclusive::Info);
        assert_eq!(exclusive(&["--help"]), Exclusive::Help(HelpSection::Usage));
        assert_eq!(
            exclusive(&["--help=all"]),
            Exclusive::Help(HelpSection::All)
        );
        assert_eq!(exclusive(&["--help:l"]), Exclusive::Help(HelpSection::List));
        assert_eq!(
            exclusive(&["--help", "o"]),
            Exclusive::Help(HelpSection::Output)
        );
        assert_eq!(
            exclusive(&["--help", "threads"]),
            Exclusive::Help(HelpSection::Threads)
        );
        assert_eq!(
            exclusive(&["--help", "-e"]),
            Exclusive::Help(HelpSection::Usage)
        );
        assert_eq!(
            exclusive(&["-e", "--help", "m"]),
            Exclusive::Help(HelpSection::Misc)
        );
        // The second pass reaches it after -x.
        assert_eq!(
            exclusive(&["-x", "--help", "s"]),
            Exclusive::Help(HelpSection::Simple)
        );
        assert_eq!(error(&["-Q", "--help"]), "unsupported SysV option");
        assert_eq!(error(&["-V", "x"]), "the option is exclusive: -V");
        assert_eq!(
            error(&["--version=1"]),
            "the option is exclusive: --version"
        );
    }

    #[test]
    fn quick_pid_conflicts() {
        let cases = [
            ("-q1 -q2", "q/-q/--quick-pid can only be used once."),
            (
                "-q 1 -p 2",
                "q/-q/--quick-pid cannot be combined with other selection options.",
            ),
            (
                "q 1 T",
                "q/-q/--quick-pid cannot be combined with other selection options.",
            ),
            (
                "-q 1 --forest",
                "q/-q/--quick-pid cannot be used together with forest type listings.",
            ),
            (
                "-q 1 --sort pid",
                "q/-q,--quick-pid cannot be used together with sort options.",
            ),
            (
                "-q 1 -N",
                "q/-q/--quick-pid cannot be used together with negation switches.",
            ),
        ];
        for (line, message) in cases {
            let error = error_with(&Fake::default(), &words(line));
            assert_eq!(error.kind, PsErrorKind::Plain, "ps {line}");
            assert_eq!(error.message, message, "ps {line}");
        }
        let with_x = select(&["-q", "1", "x"]);
        assert_eq!(with_x.simple_bits, Some(0xaaaa));
        assert_eq!(with_x.lists, [SelectList::QuickPid(vec![1])]);
    }

    #[test]
    fn the_internal_error_of_c_without_pri() {
        let error = error_with(&Fake::default(), &["-c", "u"]);
        assert_eq!(error.kind, PsErrorKind::Plain);
        assert_eq!(
            error.message,
            "ps:src/ps/sortformat.c:900: internal error: no PRI for -c option"
        );
    }

    #[test]
    fn ps_format_environment() {
        let with = |format| Fake {
            ps_format: Some(format),
            ..Fake::default()
        };
        let used = invocation_with(&with("pid,ppid"), &["-L"]);
        assert_eq!(names(&used.query), "pid ppid");
        assert!(used.warnings.is_empty());
        // Any format option or modifier keeps it out.
        assert_eq!(
            names(&invocation_with(&with("pid"), &["-f"]).query)
                .split(' ')
                .count(),
            8
        );
        assert_eq!(
            names(&invocation_with(&with("pid"), &["-o", "comm"]).query),
            "comm"
        );
        let ignored = invocation_with(&with("zzz"), &["-p", "1"]);
        assert_eq!(headers(&ignored.query), "PID TTY TIME CMD");
        assert_eq!(
            ignored.warnings,
            ["warning: $PS_FORMAT ignored. (unknown user-defined format specifier \"zzz\")"]
        );
        // ps keeps its first unknown-name message: -Op failed as -O p.
        let sticky = invocation_with(&with("zzz"), &["-Op"]);
        assert_eq!(
            sticky.warnings,
            ["warning: $PS_FORMAT ignored. (unknown user-defined format specifier \"p\")"]
        );
        assert_eq!(
            error_with(&with("pid"), &["-L", "-m"]).message,
            "tell <procps@freelists.org> what you want (-L/-T, -m/m/H, and $PS_FORMAT)"
        );
        // A warning from a first pass that then failed is kept.
        let failed = error_with(&with("zzz"), &["-a", "g"]);
        assert_eq!(failed.message, "process selection options conflict");
        assert_eq!(failed.warnings.len(), 1);
    }

    #[test]
    fn pscope_options() {
        let plain = invocation(&["--format=jsonl"]);
        assert_eq!(plain.pscope.format, Some(OutputFormat::Jsonl));
        assert!(!plain.ps_options_given);
        assert_eq!(headers(&plain.query), "PID TTY TIME CMD");
        let json_e = invocation(&["--json", "-e"]);
        assert!(json_e.pscope.json && json_e.ps_options_given && json_e.query.select.all);
        let all = invocation(&[
            "--color=never",
            "--proc-root",
            "/tmp/p",
            "--jobs:2",
            "--state",
            "RS",
            "--name=^ba",
            "--format",
            "csv",
            "--width",
            "90",
        ]);
        assert!(!all.ps_options_given);
        assert_eq!(
            all.pscope,
            PscopeOptions {
                json: false,
                format: Some(OutputFormat::Csv),
                color: Some(ColorChoice::Never),
                proc_root: Some(PathBuf::from("/tmp/p")),
                jobs: Some(2),
                state: Some("RS".to_string()),
                name: Some("^ba".to_string()),
            }
        );
        assert_eq!(all.query.columns_option, Some(90));
        // Any other --format value is a ps format list.
        let list = invocation(&["--format", "pid"]);
        assert!(list.ps_options_given && list.pscope.format.is_none());
        assert_eq!(names(&list.query), "pid");
        assert!(!invocation(&[]).ps_options_given);
        assert!(invocation(&["--rows", "5"]).ps_options_given);
        assert_eq!(
            error(&["--color", "blue"]),
            "auto, always or never must follow --color"
        );
        assert_eq!(
            error(&["--jobs", "0"]),
            "a number from 1 to 64 must follow --jobs"
        );
        assert_eq!(
            error(&["--json=1"]),
            "option --json does not take an argument"
        );
        assert_eq!(
            error(&["--proc-root"]),
            "a directory must follow --proc-root"
        );
        assert_eq!(error(&["--state="]), "state letters must follow --state");
        assert_eq!(
            error(&["--name"]),
            "a regular expression must follow --name"
        );
    }

    #[test]
    fn arguments_that_are_not_utf8() {
        use std::os::unix::ffi::OsStringExt;
        let run = |args: Vec<Vec<u8>>| {
            let args: Vec<OsString> = args.into_iter().map(OsString::from_vec).collect();
            parse(&args, &Fake::default())
        };
        let comm = run(vec![b"-C".to_vec(), b"caf\xe9".to_vec()]);
        let Ok(Parsed::Query(comm)) = comm else {
            panic!("{comm:?}")
        };
        assert_eq!(
            comm.query.select.lists,
            [SelectList::Command(vec![b"caf\xe9".to_vec()])]
        );
        let bad_key = run(vec![b"-o".to_vec(), b"p\xffd".to_vec()]).unwrap_err();
        assert_eq!(
            bad_key.message,
            "unknown user-defined format specifier \"p\u{fffd}d\""
        );
        let bad_option = run(vec![b"--p\xffd".to_vec()]).unwrap_err();
        assert_eq!(bad_option.message, "unknown gnu long option");
        let root = run(vec![b"--proc-root".to_vec(), b"/tmp/\xff".to_vec()]);
        let Ok(Parsed::Query(root)) = root else {
            panic!("{root:?}")
        };
        assert_eq!(
            root.pscope.proc_root.unwrap().as_os_str().as_bytes(),
            b"/tmp/\xff"
        );
    }

    /// Every message of ps's first pass, with an invocation that gives it.
    #[test]
    fn error_messages() {
        let cases = [
            // An option's argument is missing.
            ("-C", "list of command names must follow -C"),
            ("-C ''", "list of command names must follow -C"),
            ("-G", "list of real groups must follow -G"),
            (
                "x -g",
                "list of session leaders OR effective group names must follow -g",
            ),
            (
                "-g nosuchgrp",
                "list of session leaders OR effective group IDs was invalid",
            ),
            ("-O", "format or sort specification must follow -O"),
            ("-U", "list of real users must follow -U"),
            ("-o", "format specification must follow -o"),
            ("-o ''", "format specification must follow -o"),
            ("-p", "list of process IDs must follow -p"),
            ("-p ''", "list of process IDs must follow -p"),
            ("-q", "List of process IDs must follow -q."),
            ("x -s", "list of session IDs must follow -s"),
            ("x -t", "list of terminals (pty, tty...) must follow -t"),
            ("x -u", "list of users must follow -u"),
            ("O", "format or sort specification must follow O"),
            ("k", "long sort specification must follow 'k'"),
            ("o", "format specification must follow o"),
            ("p", "list of process IDs must follow p"),
            ("q", "List of process IDs must follow q."),
            ("U", "list of users must follow U"),
            ("--Group", "list of real groups must follow --Group"),
            ("--User", "list of real users must follow --User"),
            ("--group", "list of effective groups must follow --group"),
            ("--user", "list of effective users must follow --user"),
            ("--pid", "list of process IDs must follow --pid"),
            ("--pid=", "list of process IDs must follow --pid"),
            ("--ppid", "list of process IDs must follow --ppid"),
            (
                "--quick-pid",
                "List of process IDs must follow --quick-pid.",
            ),
            ("--sid", "some sid thing(s) must follow --sid"),
            ("--tty", "list of ttys must follow --tty"),
            ("--sort", "long sort specification must follow --sort"),
            ("--sort=", "long sort specification must follow --sort"),
            ("--format", "format specification must follow --format"),
            ("--format=", "format specification must follow --format"),
            (
                "--cols",
                "number of columns must follow --cols, --width, or --columns",
            ),
            (
                "--cols 0",
                "number of columns must follow --cols, --width, or --columns",
            ),
            (
                "--width x",
                "number of columns must follow --cols, --width, or --columns",
            ),
            (
                "--columns 2000000000",
                "number of columns must follow --cols, --width, or --columns",
            ),
            ("--rows", "number of rows must follow --rows or --lines"),
            ("--lines=0", "number of rows must follow --rows or --lines"),
            // Unknown options and bad syntax.
            ("-Q", "unsupported SysV option"),
            ("-D x", "unsupported SysV option"),
            ("N", "unsupported option (BSD syntax)"),
            (
                "W",
                "obsolete W option not supported (you have a /dev/drum?)",
            ),
            ("-e-", "embedded '-' among SysV options makes no sense"),
            ("ax-", "embedded '-' among BSD options makes no sense"),
            ("--bogus", "unknown gnu long option"),
            ("--Pid=1", "unknown gnu long option"),
            ("--date-format=x", "unknown gnu long option"),
            ("--no-headers-at-all-please", "unknown gnu long option"),
            ("--", "garbage option"),
            ("-", "garbage option"),
            ("''", "garbage option"),
            ("_", "garbage option"),
            ("---", "garbage option"),
            ("--9", "garbage option"),
            ("-+", "garbage option"),
            ("-x m", "must set personality to get -x option"),
            ("-Vx", "the option is exclusive: -V"),
            ("Vx", "the option is exclusive: V"),
            ("L x", "the option is exclusive: L"),
            ("--version x", "the option is exclusive: --version"),
            ("--info x", "the option is exclusive: --info"),
            // Arguments to options that take none.
            ("--forest=1", "option --forest does not take an argument"),
            ("--forest:", "option --forest does not take an argument"),
            (
                "--deselect=x",
                "option --deselect does not take an argument",
            ),
            (
                "--cumulative=",
                "option --cumulative does not take an argument",
            ),
            (
                "--noheaders=1",
                "option --no-heading does not take an argument",
            ),
            ("--headers=1", "option --heading does not take an argument"),
            ("h h", "only one heading option may be specified"),
            ("hh", "only one heading option may be specified"),
            (
                "--headers --no-headers",
                "only one heading option may be specified",
            ),
            ("--no-headers h", "only one heading option may be specified"),
            // Bad list members.
            ("-p 1,,2", "improper list"),
            ("-p ,1", "improper list"),
            ("-p 1,", "improper list"),
            ("-p abc", "process ID list syntax error"),
            ("-p 0x", "process ID list syntax error"),
            ("1,2", "process ID list syntax error"),
            ("-p1f", "process ID list syntax error"),
            ("1 u", "process ID list syntax error"),
            ("-p 0", "process ID out of range"),
            ("-p -1", "process ID out of range"),
            ("-p 2147483648", "process ID out of range"),
            ("+", "process ID out of range"),
            ("-s 0", "process ID out of range"),
            ("-u nosuchuser", "user name does not exist"),
            ("-u 4294967295", "user ID out of range"),
            ("-G nosuchgrp", "group name does not exist"),
            ("-G 4294967295", "group ID out of range"),
            ("-t nosuchtty", "TTY could not be found"),
            ("-t /nonexist", "TTY could not be found"),
            ("-t /etc/passwd", "list member was not a TTY"),
            // Thread options.
            ("-L f", "thread display conflicts with forest display"),
            ("-LH", "thread display conflicts with forest display"),
            (
                "-L --forest",
                "thread display conflicts with forest display",
            ),
            ("Hm", "thread flags conflict; can't use H with m or -m"),
            ("m -m", "thread flags conflict; can't use both m and -m"),
            ("-L -T", "thread flags conflict; can't use both -L and -T"),
            // Formats and sorts.
            (
                "-o bogus",
                "unknown user-defined format specifier \"bogus\"",
            ),
            ("-o pid,,ppid", "improper format list"),
            ("-o ,pid", "improper format list"),
            ("-o pid:0", "column widths must be unsigned decimal numbers"),
            (
                "-o pid:05",
                "column widths must be unsigned decimal numbers",
            ),
            ("-o pid:x", "column widths must be unsigned decimal numbers"),
            (
                "-o pid:3:4",
                "column widths must be unsigned decimal numbers",
            ),
            (
                "-o DefSysV:5",
                "can not set width for a macro (multi-column) format specifier",
            ),
            ("-o %", "missing AIX field descriptor"),
            ("-o %q", "unknown AIX field descriptor"),
            ("-o xy%p", "improper AIX field descriptor"),
            ("-f u", "conflicting format options"),
            ("u l", "conflicting format options"),
            ("X u", "conflicting format options"),
            ("-F u", "conflicting format options"),
            ("-l -o pid", "conflicting format options"),
            ("-F -o pid", "conflicting format options"),
            ("--context -o pid", "conflicting format options"),
            ("u -o pid", "conflicting format options"),
            (
                "-j -o pid",
                "can not use output modifiers with user-defined output",
            ),
            (
                "-y -o pid",
                "can not use output modifiers with user-defined output",
            ),
            (
                "-Z -o pid",
                "can not use output modifiers with user-defined output",
            ),
            (
                "-m -L -o pid",
                "-L/-T with H/m/-m and -o/-O/o/O is nonsense",
            ),
            (
                "H -T -o comm",
                "-L/-T with H/m/-m and -o/-O/o/O is nonsense",
            ),
            (
                "-o pid -O tty",
                "option -O can not follow other format options",
            ),
            (
                "-o pid Opid",
                "option O is neither first format nor sort order",
            ),
            (
                "Opid O ppid",
                "option O is neither first format nor sort order",
            ),
            ("--sort pid --sort ppid", "multiple sort options"),
            ("--sort pid k ppid", "multiple sort options"),
            ("Op --sort=pid", "multiple sort options"),
            ("--sort=pid Op", "multiple sort options"),
            ("--sort=bogus", "unknown sort specifier"),
            ("--sort DefBSD", "unknown sort specifier"),
            ("--sort=,pid", "improper sort list"),
            ("Opp", "bad sorting code"),
            ("O+", "bad sorting code"),
            ("OP f", "PPID sort and forest output conflict"),
            ("f OP", "PPID sort and forest output conflict"),
            ("-y", "modifier -y without format -l makes no sense"),
            ("-y -f", "modifier -y without format -l makes no sense"),
            // Selection.
            ("-a x", "process selection options conflict"),
        ];
        for (line, message) in cases {
            assert_eq!(error(&words(line)), message, "ps {line}");
        }
    }

    #[test]
    fn long_unknown_names_are_cut_as_ps_cuts_them() {
        let name = "a".repeat(60);
        let message = error(&["-o", &name]);
        assert_eq!(message.len(), 79);
        assert!(message.starts_with("unknown user-defined format specifier \"aaa"));
        assert!(!message.ends_with('"'));
    }

    #[test]
    fn c_numbers() {
        assert_eq!(c_strtoul(b"0x10"), (16, true));
        assert_eq!(c_strtoul(b"010"), (8, true));
        assert_eq!(c_strtoul(b"08"), (0, false));
        assert_eq!(c_strtoul(b"+5"), (5, true));
        assert_eq!(c_strtoul(b"\n7"), (7, true));
        assert_eq!(c_strtoul(b"-1"), (u64::MAX, true));
        assert_eq!(c_strtoul(b"99999999999999999999999"), (u64::MAX, true));
        assert_eq!(c_strtoul(b""), (0, true));
        assert_eq!(c_strtoul(b"+"), (0, false));
        assert_eq!(c_strtol(b" -0x20"), (-32, true));
        assert_eq!(c_strtol(b"99999999999999999999"), (i64::MAX, true));
        assert_eq!(c_strtol(b"12ab"), (12, false));
    }
}
