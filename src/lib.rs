//! pscope: a Linux process inspector. Data flows one way:
//! [`source`] reads /proc into [`model`] structs, [`analysis`] interprets
//! them, [`render`] turns them into text and JSON, and [`commands`] glue
//! the three, one thin file per subcommand. [`control`] changes processes
//! (renice, signals), [`demo`] runs the lab (the only place that forks),
//! [`ui`] is the live view (`top`), and [`sys`] holds the few raw system
//! calls no crate wraps. No room imports
//! a room above it; README's "How the code is organised" draws the map.
#![deny(unsafe_code)]

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod control;
pub mod demo;
pub mod error;
pub mod model;
pub mod render;
pub mod source;
#[allow(unsafe_code)]
pub mod sys;
pub mod ui;
