//! Changing processes: the nice values of renice. Commands (and the live
//! view) act through here, so every change reports the same way.

pub mod renice;
