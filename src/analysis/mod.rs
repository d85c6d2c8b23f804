//! What the raw data means: STAT codes, ps-formatted values, scheduling
//! facts, system call names, kinship (tree, zombies, orphans, remedies),
//! columns and process selection. No I/O here, and nothing from `source`.

pub mod changes;
pub mod columns;
pub mod files;
pub mod keywords;
pub mod kinship;
pub mod psfmt;
pub mod psforest;
pub mod psquery;
pub mod psselect;
pub mod sched;
pub mod select;
pub mod signals;
pub mod state;
pub mod syscalls;
pub mod systemd;
pub mod topcols;
pub mod topfmt;
pub mod topframe;
pub mod topsummary;
pub mod topview;
pub mod tree;
pub mod values;
pub mod waits;
