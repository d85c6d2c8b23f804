//! The one place for raw system calls that rustix and nix do not wrap.
//! Everything here is a small safe function over an `unsafe` block with a
//! SAFETY comment; the rest of pscope (but for the demo's code that runs
//! in a forked child) denies `unsafe` and never names `libc`.

pub mod interrupt;
pub mod memory;
pub mod peek;
pub mod sockdiag;
pub mod time;
pub mod vfork;
