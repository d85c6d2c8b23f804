#![deny(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

use pscope::cli::route::{route, Route};
use pscope::cli::Cli;
use pscope::error::{exit, Exit};

/// A parsed command line, ready to run.
#[derive(Clone)]
enum Job {
    Pscope(Box<Cli>),
    Ps(Vec<std::ffi::OsString>),
}

fn main() -> ExitCode {
    let job = match route(std::env::args_os().collect()) {
        Route::Pscope(argv) => match Cli::try_parse_from(argv) {
            Ok(cli) => Job::Pscope(Box::new(cli)),
            Err(e) => return ExitCode::from(clap_error(e) as u8),
        },
        // ps's listing runs on this thread, as ps does: a process that lists
        // itself is then running (R), as ps's own line shows it.
        Route::Ps(args) => return ExitCode::from(run(Job::Ps(args)) as u8),
    };
    // Trees are walked recursively; a generous stack keeps a chain of
    // thousands of nested processes from overflowing it. Only the pages
    // actually touched are ever allocated.
    let for_worker = job.clone();
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run(for_worker));
    let code = match worker {
        Ok(worker) => worker.join().unwrap_or_else(|_| {
            eprintln!("pscope: internal error");
            exit::FAILURE
        }),
        // No thread to be had (a process limit): the main thread's stack
        // serves all but the deepest trees.
        Err(_) => run(job),
    };
    ExitCode::from(code as u8)
}

fn run(job: Job) -> i32 {
    let result = match job {
        Job::Pscope(cli) => pscope::commands::run(*cli),
        Job::Ps(args) => pscope::commands::run_ps_syntax(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

/// Help and version go to stdout; a usage error is one line on stderr that
/// says what was wrong, what was missing, and what was expected.
fn clap_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = pscope::render::emit(&e.render().to_string());
            exit::SUCCESS
        }
        _ => {
            eprintln!("pscope: {}", usage_line(&e));
            exit::USAGE
        }
    }
}

fn usage_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("invalid usage");
    let mut line = first
        .strip_prefix("error: ")
        .unwrap_or(first)
        .trim_end_matches(':')
        .to_string();
    if let Some(ContextValue::Strings(missing)) = e.get(ContextKind::InvalidArg) {
        if first.ends_with(':') {
            line.push_str(": ");
            line.push_str(&missing.join(", "));
        }
    }
    if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue) {
        line.push_str(&format!(" (expected one of: {})", valid.join(", ")));
    }
    let usage = text
        .lines()
        .find_map(|l| l.strip_prefix("Usage: "))
        .map(str::trim);
    match usage {
        Some(usage) => {
            let command: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            format!("{line}; usage: {usage} (see {} --help)", command.join(" "))
        }
        None => format!("{line} (see pscope --help)"),
    }
}

fn report(e: &anyhow::Error) -> i32 {
    if let Some(exit) = e.downcast_ref::<Exit>() {
        eprintln!("pscope: {}", exit.message);
        return exit.code;
    }
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::BrokenPipe {
            return exit::SUCCESS;
        }
    }
    eprintln!("pscope: {e:#}");
    exit::FAILURE
}
