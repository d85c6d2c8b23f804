//! What the raw data means: STAT codes, ps-formatted values, kinship
//! (tree, zombies, orphans) and process selection. No I/O here.

pub mod columns;
pub mod kinship;
pub mod psfmt;
pub mod select;
pub mod state;
pub mod tree;
