//! pscope: a Linux process inspector. Data flows one way:
//! [`source`] reads /proc into [`model`] structs, [`analysis`] interprets
//! them, [`render`] turns them into text, and [`commands`] glue the three.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod error;
pub mod model;
pub mod render;
pub mod source;
