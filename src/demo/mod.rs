//! Live lab demonstrations: the only part of pscope that forks.
//!
//! A [`Lab`] narrates a timeline, shows what /proc says about the
//! processes involved, and guarantees that nothing is left behind:
//! - every child joins the lab's process group (unless a demo needs it
//!   elsewhere, then it is tracked by pidfd), so one `killpg` ends them all;
//! - every child holds the read end of a "lifeline" pipe whose write end
//!   only this process holds: when pscope dies, even by SIGKILL, the pipe
//!   reaches end-of-file and every descendant that waits on it exits;
//! - direct children also get PR_SET_PDEATHSIG(SIGKILL);
//! - SIGINT, SIGTERM and SIGHUP only set a flag; the lab notices it at its
//!   next wait, kills and reaps everything, and exits with 128 + signal;
//! - dropping the lab (also on an error) does the same cleanup, once:
//!   nothing reaped or already ended is signalled again.
//!
//! [`lab`] holds that lifecycle, [`child`] what runs after fork() in a
//! child, [`narrate`] the timeline and its views; one file per topic, and
//! [`code`] the Python program each topic prints with `--code`.

pub mod child;
pub mod code;
pub mod exec;
pub mod exit;
pub mod fork;
pub mod io;
pub mod jobs;
pub mod lab;
pub mod narrate;
pub mod nice;
pub mod orphan;
pub mod states;
pub mod zombie;

pub use child::{ChildContext, ChildSetup};
pub use lab::{Interrupted, Lab, LabOptions};
