//! Exit codes and the errors that carry them.

/// Exit codes, as documented in the man page and README.
pub mod exit {
    pub const SUCCESS: i32 = 0;
    /// Nothing matched a selection, a process was not found, a check failed.
    pub const NO_MATCH: i32 = 1;
    pub const USAGE: i32 = 2;
    /// Anything else: /proc unreadable, output failed.
    pub const FAILURE: i32 = 3;
}

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

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: exit::USAGE,
        message: message.into(),
    }
    .into()
}

pub fn not_found(message: impl Into<String>) -> anyhow::Error {
    Exit {
        code: exit::NO_MATCH,
        message: message.into(),
    }
    .into()
}
