//! `pscope demo`: runs one lab demonstration (see `crate::demo`), prints
//! its Python twin (`--code`), or lists the demos.

use std::time::Duration;

use anyhow::{anyhow, Result};
use clap::CommandFactory;

use super::Context;
use crate::cli::{Cli, DemoArgs, DemoTopic, Format};
use crate::demo::{self, Lab, LabOptions};
use crate::render::schema::DemoTopic as TopicRecord;
use crate::render::table::{self, Row};
use crate::render::{self, json, Tone};

pub fn run(args: &DemoArgs, cx: &Context) -> Result<i32> {
    if !(0.0..=3600.0).contains(&args.pace) {
        return Err(crate::error::usage(
            "--pace must be between 0 and 3600 seconds",
        ));
    }
    let Some(topic) = &args.topic else {
        return list(cx);
    };
    let name = match topic {
        DemoTopic::Fork => "fork",
        DemoTopic::States => "states",
        DemoTopic::Orphan { .. } => "orphan",
        DemoTopic::Zombie { .. } => "zombie",
        DemoTopic::Nice { .. } => "nice",
        DemoTopic::Io { .. } => "io",
        DemoTopic::Jobs => "jobs",
        DemoTopic::Exec => "exec",
        DemoTopic::Exit => "exit",
    };
    if let DemoTopic::Nice { seconds, .. } | DemoTopic::Io { seconds } = topic {
        if !(0.5..=600.0).contains(seconds) {
            return Err(crate::error::usage("--seconds must be between 0.5 and 600"));
        }
    }
    if args.code {
        let program =
            demo::code::python(name).ok_or_else(|| anyhow!("no Python program for demo {name}"))?;
        render::emit(program)?;
        return Ok(crate::error::exit::SUCCESS);
    }
    let options = LabOptions {
        pace: Duration::from_secs_f64(args.pace),
        json: cx.format != Format::Table,
        style: cx.style.clone(),
    };
    let mut lab = Lab::new(name, options).map_err(|e| anyhow!("cannot start the demo: {e}"))?;
    let result = match topic {
        DemoTopic::Fork => demo::fork::run(&mut lab),
        DemoTopic::States => demo::states::run(&mut lab),
        DemoTopic::Orphan { subreaper } => demo::orphan::run(&mut lab, *subreaper),
        DemoTopic::Zombie { remedy } => demo::zombie::run(&mut lab, *remedy),
        DemoTopic::Nice { values, seconds } => demo::nice::run(&mut lab, values, *seconds),
        DemoTopic::Io { seconds } => demo::io::run(&mut lab, *seconds),
        DemoTopic::Jobs => demo::jobs::run(&mut lab),
        DemoTopic::Exec => demo::exec::run(&mut lab),
        DemoTopic::Exit => demo::exit::run(&mut lab),
    };
    lab.finish(result)
}

/// Every demo and the lesson it shows, from the command line's own
/// definitions (the same words as `pscope demo --help`).
fn topics() -> Vec<TopicRecord> {
    let cli = Cli::command();
    cli.find_subcommand("demo")
        .map(|demo| {
            demo.get_subcommands()
                .map(|t| TopicRecord {
                    topic: t.get_name().to_string(),
                    lesson: t.get_about().map(|a| a.to_string()).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn list(cx: &Context) -> Result<i32> {
    let topics = topics();
    match cx.format {
        Format::Table => {
            let headers = table::headers(&["DEMO", "WHAT IT SHOWS"], &[]);
            let rows = topics
                .iter()
                .map(|t| Row {
                    cells: vec![t.topic.clone(), t.lesson.clone()],
                    tone: Tone::Plain,
                })
                .collect();
            let mut text = table::render(&headers, rows, true, &cx.style);
            text.push_str(
                "\nRun one with pscope demo TOPIC (--pace SECONDS between steps, --json for \
                 events); pscope demo TOPIC --code prints the same in Python.\n",
            );
            render::emit(&text)?;
        }
        Format::Json => render::to_stdout(|out| {
            json::write_document(out, "demos", &json::Each::new(topics.iter()))
        })?,
        Format::Jsonl => render::to_stdout(|out| json::write_lines(out, topics.iter()))?,
    }
    Ok(crate::error::exit::SUCCESS)
}
