//! `pscope demo`: runs one lab demonstration (see `crate::demo`).

use std::time::Duration;

use anyhow::{anyhow, Result};

use super::Context;
use crate::cli::{DemoArgs, DemoTopic, Format};
use crate::demo::{self, Lab, LabOptions};

pub fn run(args: &DemoArgs, cx: &Context) -> Result<i32> {
    if !(0.0..=3600.0).contains(&args.pace) {
        return Err(crate::error::usage(
            "--pace must be between 0 and 3600 seconds",
        ));
    }
    let options = LabOptions {
        pace: Duration::from_secs_f64(args.pace),
        json: cx.format != Format::Table,
        style: cx.style.clone(),
    };
    let topic = match &args.topic {
        DemoTopic::Fork => "fork",
        DemoTopic::States => "states",
        DemoTopic::Orphan { .. } => "orphan",
        DemoTopic::Zombie { .. } => "zombie",
        DemoTopic::Nice { .. } => "nice",
        DemoTopic::Io { .. } => "io",
        DemoTopic::Exec => "exec",
        DemoTopic::Exit => "exit",
        DemoTopic::Jobs => "jobs",
    };
    if let DemoTopic::Nice { seconds, .. } | DemoTopic::Io { seconds } = &args.topic {
        if !(0.5..=600.0).contains(seconds) {
            return Err(crate::error::usage("--seconds must be between 0.5 and 600"));
        }
    }
    let mut lab = Lab::new(topic, options).map_err(|e| anyhow!("cannot start the demo: {e}"))?;
    let result = match &args.topic {
        DemoTopic::Fork => demo::fork::run(&mut lab),
        DemoTopic::States => demo::states::run(&mut lab),
        DemoTopic::Orphan { subreaper } => demo::orphan::run(&mut lab, *subreaper),
        DemoTopic::Zombie { remedy } => demo::zombie::run(&mut lab, *remedy),
        DemoTopic::Nice { values, seconds } => demo::nice::run(&mut lab, values, *seconds),
        DemoTopic::Io { seconds } => demo::io::run(&mut lab, *seconds),
        DemoTopic::Exec => demo::exec::run(&mut lab),
        DemoTopic::Exit => demo::exit::run(&mut lab),
        DemoTopic::Jobs => demo::jobs::run(&mut lab),
    };
    lab.finish(result)
}
