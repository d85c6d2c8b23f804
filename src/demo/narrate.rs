//! Narration: the timeline a demo prints (a line for people, a JSON event
//! for scripts) and the /proc views it shows, drawn by the same code as
//! `pscope ps` and `pscope tree`.

use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use anyhow::Result;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use serde::Serialize;
use serde_json::Value;

use super::child::wait_readable;
use super::lab::{Interrupted, Lab};
use crate::analysis::columns::{self, Column, RowContext};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::state;
use crate::model::{Snapshot, Task};
use crate::render::schema::{process_records, Event};
use crate::render::table::{self, Row};
use crate::render::{self, json};

/// Flushes what was written, so that a forked child does not print it again.
pub(super) fn flush() {
    let _ = std::io::stdout().lock().flush();
}

impl Lab {
    /// Writes text, or stops the demo when the reader has gone (a closed pipe).
    fn write(&mut self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Err(Interrupted(Signal::SIGPIPE as i32).into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One step of the timeline: a line for people, an event for scripts.
    pub fn say(&mut self, step: &str, message: &str, facts: impl Serialize) -> Result<()> {
        self.check()?;
        if self.options.json {
            let event = Event {
                demo: self.topic,
                t: (self.elapsed() * 1000.0).round() / 1000.0,
                step,
                message,
                facts,
            };
            let line = json::line_string(&event);
            self.write(&line)
        } else {
            let text = format!("t={:6.2}s  {}\n", self.elapsed(), message);
            self.write(&text)
        }
    }

    /// Plain text for people only (tables, explanations); nothing in JSON.
    pub fn show(&mut self, text: &str) -> Result<()> {
        if self.options.json || text.is_empty() {
            return Ok(());
        }
        let indented: String = text.lines().map(|l| format!("            {l}\n")).collect();
        self.write(&indented)
    }

    /// The processes as a ps table (the same code as `pscope ps`) for
    /// people, and as records for JSON events.
    pub fn table(&self, pids: &[Pid], keywords: &[&str]) -> Result<(String, Value)> {
        let snapshot = self.snapshot()?;
        let kinship = Kinship::new(&snapshot.tasks);
        let cx = RowContext::new(&snapshot, self.options.style.utf8);
        let columns: Vec<Column> = keywords.iter().filter_map(|k| columns::column(k)).collect();
        let tasks: Vec<(&Task, Kind)> = pids
            .iter()
            .filter_map(|p| kinship.get(p.as_raw()))
            .map(|t| (t, kinship.kind(t)))
            .collect();
        let headers: Vec<table::Header> = columns
            .iter()
            .map(|c| table::Header {
                title: c.header.clone(),
                right_aligned: c.right_aligned(),
            })
            .collect();
        let rows = tasks
            .iter()
            .map(|&(t, kind)| Row {
                cells: columns
                    .iter()
                    .map(|c| c.field().plain_text(t, kind, &cx))
                    .collect(),
                tone: render::tone(kind),
            })
            .collect();
        let records =
            serde_json::to_value(json::Each::new(process_records(tasks.iter().copied(), &cx)))?;
        let text = table::render(&headers, rows, true, &self.options.style);
        Ok((text, records))
    }

    /// The subtree of `pid` as `pscope tree -p --stat` draws it.
    pub fn tree(&self, pid: Pid) -> Result<String> {
        let snapshot = self.snapshot()?;
        Ok(render::tree::subtree_text(&snapshot, pid.as_raw(), true))
    }
}

/// A text report of one process's STAT in explain's words.
pub fn stat_words(task: &Task) -> String {
    let mut parts = vec![state::state_code(task.stat.state)
        .map_or("unknown state".to_string(), |c| {
            format!("{} {}", c.letter, c.short)
        })];
    for m in state::modifiers(task) {
        if let Some(code) = state::modifier_code(m) {
            parts.push(format!("{m} {}", code.short));
        }
    }
    parts.join("; ")
}

/// The kind of a process in a fresh snapshot (zombie, orphan...).
pub fn kind_now(snapshot: &Snapshot, pid: Pid) -> Option<Kind> {
    let kinship = Kinship::new(&snapshot.tasks);
    kinship.get(pid.as_raw()).map(|t| kinship.kind(t))
}

/// A pipe for a child to report to the lab: (read end, write end).
pub fn channel() -> Result<(OwnedFd, OwnedFd)> {
    Ok(nix::unistd::pipe()?)
}

/// Reads what a child wrote into a channel, up to a newline, end of file
/// or `timeout`.
pub fn read_channel(lab: &Lab, fd: &OwnedFd, timeout: Duration) -> Result<String> {
    let until = Instant::now() + timeout;
    let mut text = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        lab.check()?;
        if wait_readable(&[fd.as_fd()], Duration::from_millis(20)) {
            match rustix::io::read(fd, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => text.extend_from_slice(&buf[..n]),
            }
            if text.ends_with(b"\n") {
                break;
            }
        }
        if Instant::now() >= until {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}
