//! The one place for raw system calls: those rustix and nix do not wrap
//! (each a small safe function over an `unsafe` block with a SAFETY
//! comment), and those that touch more than /proc through their safe
//! wrappers (another process's memory, the sock_diag netlink interface).
//! The rest of pscope (but for the demo's code that runs in a forked
//! child) denies `unsafe` and never names `libc`.

pub mod interrupt;
pub mod memory;
pub mod peek;
pub mod sockdiag;
pub mod time;
pub mod vfork;
