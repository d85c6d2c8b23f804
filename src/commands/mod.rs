//! One thin module per subcommand: each reads through `source`, analyses
//! with `analysis`, renders with `render`, and returns an exit code.

pub mod demo;
pub mod explain;
pub mod files;
pub mod man;
pub mod orphans;
pub mod ps;
pub mod pslist;
pub mod renice;
pub mod show;
pub mod top;
pub mod tree;
pub mod why;
pub mod zombies;

use anyhow::Result;
use clap::CommandFactory;

use crate::analysis::columns::RowContext;
use crate::cli::{ps_syntax, Cli, Command, Format, GlobalArgs, ListingArgs};
use crate::model::{Needs, Snapshot};
use crate::render::{self, pshelp, Env, Style};
use crate::source::{self, ProcReader};

/// Settings every command shares, resolved once.
pub struct Context {
    pub global: GlobalArgs,
    pub format: Format,
    pub style: Style,
    pub env: Env,
}

impl Context {
    pub fn new(global: GlobalArgs, env: &Env, tty: bool) -> Self {
        let format = match (global.json, global.format) {
            (true, _) => Format::Json,
            (false, Some(f)) => f,
            (false, None) => Format::Table,
        };
        let style = Style::resolve(global.color, global.width, env, tty);
        Context {
            global,
            format,
            style,
            env: env.clone(),
        }
    }

    pub fn reader(&self) -> Result<ProcReader> {
        Ok(ProcReader::open(&self.global.proc_root)?)
    }

    /// Reads every process with the configured parallelism, and tells the
    /// user (one line each) about processes skipped as malformed.
    pub fn scan(&self, needs: Needs) -> Result<Snapshot> {
        self.scan_with(&self.reader()?, needs)
    }

    /// `scan` through a reader the caller keeps for more reads.
    pub fn scan_with(&self, reader: &ProcReader, needs: Needs) -> Result<Snapshot> {
        let jobs = self
            .global
            .jobs
            .map_or_else(crate::source::default_jobs, usize::from);
        let snapshot = reader.scan(needs, jobs)?;
        for w in &snapshot.warnings {
            eprintln!("pscope: warning: {w}");
        }
        Ok(snapshot)
    }

    /// How rows of this snapshot are formatted.
    pub fn rows<'a>(&self, snapshot: &'a Snapshot) -> RowContext<'a> {
        RowContext::new(snapshot, self.style.utf8)
    }

    /// Whether the output is JSON (one document or lines) rather than text.
    pub fn structured(&self) -> bool {
        self.format != Format::Table
    }
}

pub fn run(cli: Cli) -> Result<i32> {
    if cli.command.is_some() && cli.listing != ListingArgs::default() {
        return Err(crate::error::usage(
            "--state and --name belong to the listing; put them before a subcommand or use ps syntax",
        ));
    }
    let env = Env::from_process();
    let cx = Context::new(cli.global, &env, render::stdout_is_terminal());
    match cli.command {
        None => ps::run(&cli.listing, &cx),
        Some(Command::Ps(args)) => run_ps_syntax(args.args),
        Some(Command::Tree(args)) => tree::run(&args, &cx),
        Some(Command::Show(args)) => show::run(&args, &cx),
        Some(Command::Explain(args)) => explain::run(&args, &cx),
        Some(Command::Zombies(args)) => zombies::run(&args, &cx),
        Some(Command::Orphans(args)) => orphans::run(&args, &cx),
        Some(Command::Renice(args)) => renice::run(&args, &cx),
        Some(Command::Top(args)) => top::run(&args, &cx),
        Some(Command::Demo(args)) => demo::run(&args, &cx),
        Some(Command::Why(args)) => why::run(&args, &cx),
        Some(Command::Files(args)) => files::run(&args, &cx),
        Some(Command::Completions { shell }) => {
            // Generated in memory: clap_complete cannot report a write error.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "pscope", &mut script);
            render::to_stdout(|out| out.write_all(&script))?;
            Ok(0)
        }
        Some(Command::GenerateMan { dir }) => man::write_pages(&dir).map(|_| 0),
    }
}

/// The system facts ps's syntax needs: user, group and terminal names.
struct SystemLookups;

impl ps_syntax::Lookups for SystemLookups {
    fn uid(&self, name: &str) -> Option<u32> {
        source::uid_of_user(name)
    }

    fn gid(&self, name: &str) -> Option<u32> {
        source::gid_of_group(name)
    }

    fn tty(&self, name: &str) -> Result<i32, ps_syntax::TtyError> {
        source::terminal(name).map_err(|e| match e {
            source::TerminalError::NotFound => ps_syntax::TtyError::NotFound,
            source::TerminalError::NotATerminal => ps_syntax::TtyError::NotATty,
        })
    }

    fn own_tty(&self) -> i32 {
        source::own_terminal()
    }

    fn file_in_cwd(&self, name: &str) -> bool {
        std::path::Path::new(name).exists()
    }

    fn ps_format_env(&self) -> Option<String> {
        std::env::var("PS_FORMAT").ok()
    }
}

/// A command line in ps's syntax.
pub fn run_ps_syntax(args: Vec<std::ffi::OsString>) -> Result<i32> {
    let parsed = ps_syntax::parse(&args, &SystemLookups);
    let invocation = match parsed {
        Err(e) => {
            for warning in &e.warnings {
                eprintln!("{warning}");
            }
            match e.kind {
                ps_syntax::PsErrorKind::Usage => eprintln!("error: {}", e.message),
                ps_syntax::PsErrorKind::Plain => eprintln!("{}", e.message),
            }
            return Ok(crate::error::exit::NO_MATCH);
        }
        Ok(ps_syntax::Parsed::Exclusive(what)) => {
            use ps_syntax::{Exclusive, HelpSection};
            let text = match what {
                Exclusive::ListKeywords => pshelp::keyword_list(),
                Exclusive::Version => pshelp::version(),
                Exclusive::Info => {
                    // As ps, the dump goes to stderr.
                    let euid = nix::unistd::geteuid().as_raw();
                    let cols = render::terminal_width().unwrap_or(131_072);
                    eprint!("{}", pshelp::info(euid, source::own_terminal(), cols));
                    return Ok(crate::error::exit::SUCCESS);
                }
                Exclusive::Help(section) => pshelp::help(match section {
                    HelpSection::Usage => "",
                    HelpSection::Simple => "simple",
                    HelpSection::List => "list",
                    HelpSection::Output => "output",
                    HelpSection::Threads => "threads",
                    HelpSection::Misc => "misc",
                    HelpSection::All => "all",
                }),
            };
            render::emit(&text)?;
            return Ok(crate::error::exit::SUCCESS);
        }
        Ok(ps_syntax::Parsed::Query(invocation)) => invocation,
    };
    for warning in &invocation.warnings {
        eprintln!("{warning}");
    }
    let own = &invocation.pscope;
    let global = GlobalArgs {
        proc_root: own
            .proc_root
            .clone()
            .or_else(|| std::env::var_os("PSCOPE_PROC_ROOT").map(Into::into))
            .unwrap_or_else(|| "/proc".into()),
        json: own.json,
        format: own.format.map(|f| match f {
            ps_syntax::OutputFormat::Table => Format::Table,
            ps_syntax::OutputFormat::Json => Format::Json,
            ps_syntax::OutputFormat::Jsonl => Format::Jsonl,
            ps_syntax::OutputFormat::Csv => Format::Table,
        }),
        color: own.color.unwrap_or(render::ColorChoice::Auto),
        width: invocation.query.columns_option,
        jobs: own.jobs,
    };
    let env = Env::from_process();
    let cx = Context::new(global, &env, render::stdout_is_terminal());
    // A command line that comes here is ps's, even an empty one (`ps`,
    // `pscope ps`): pscope's own listing never comes this way.
    let filters = ps::filters(own.state.as_deref(), own.name.as_deref())?;
    pslist::run(&invocation.query, &filters, &cx)
}
