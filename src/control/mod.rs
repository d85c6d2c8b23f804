//! Changing processes: the nice values of renice, and signals. Commands
//! (and the live view) act through here, so every change reports the same
//! way.

pub mod renice;
pub mod signal;
