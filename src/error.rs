//! Exit codes and the errors that carry them. The table here is the one
//! place that says what each code means: the man page, `--help` and README
//! print it.

/// Exit codes.
pub mod exit {
    pub const SUCCESS: i32 = 0;
    /// Nothing matched a selection, a process or user was not found, a
    /// check failed, or a target of renice could not be changed.
    pub const NO_MATCH: i32 = 1;
    /// The command line is wrong: unknown option or keyword, bad value.
    pub const USAGE: i32 = 2;
    /// Anything else: /proc unreadable, output failed.
    pub const FAILURE: i32 = 3;
    /// A demo or top ended by a signal exits with 128 + the signal's number.
    pub const SIGNAL_BASE: i32 = 128;
}

/// Every exit code with its meaning, for the man page, `--help` and README.
pub const EXIT_CODES: &[(&str, &str)] = &[
    (
        "0",
        "success (also when a pipe such as `| head -1` closes early)",
    ),
    (
        "1",
        "nothing matched a selection; a process or user was not found; `zombies --check` \
         found zombies; a renice target could not be changed",
    ),
    (
        "2",
        "usage error: unknown option or keyword, missing argument, bad STAT string, bad value",
    ),
    (
        "3",
        "any other error (unreadable /proc, failed write), with one line on stderr",
    ),
    (
        "128+N",
        "a demo interrupted by signal N (130 for Ctrl-C, 143 for SIGTERM), after ending \
         every process it started; top ended by signal N, with the terminal restored (Ctrl-C \
         in the live view is a key: it quits with 0)",
    ),
];

/// An error with its own exit code and one line for the user.
#[derive(Debug)]
pub struct Exit {
    pub code: i32,
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// A usage error (exit 2).
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: exit::USAGE,
        message: message.into(),
    }
    .into()
}

/// Something named on the command line does not exist (exit 1).
pub fn not_found(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: exit::NO_MATCH,
        message: message.into(),
    }
    .into()
}

/// A user name that the user database does not know (exit 1, as every
/// command reports it).
pub fn no_such_user(name: &str) -> anyhow::Error {
    not_found(format!("no such user: {name}"))
}
