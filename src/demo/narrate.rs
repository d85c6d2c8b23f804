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

/// What /proc/PID/fd/N shows for a pipe or socket the lab holds a copy of
/// (`pipe:[INODE]`, `socket:[INODE]`), to name descriptors in a listing.
pub fn link_text(fd: impl AsFd) -> Option<String> {
    let stat = rustix::fs::fstat(fd).ok()?;
    let kind = match rustix::fs::FileType::from_raw_mode(stat.st_mode) {
        rustix::fs::FileType::Fifo => "pipe",
        rustix::fs::FileType::Socket => "socket",
        _ => return None,
    };
    Some(format!("{kind}:[{}]", stat.st_ino))
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

/// The lines a child writes into a channel, taken as they come: a line is
/// handed out once whole, and what follows it waits for the next call.
pub struct Lines {
    fd: OwnedFd,
    pending: Vec<u8>,
    closed: bool,
}

impl Lines {
    pub fn new(fd: OwnedFd) -> Lines {
        Lines {
            fd,
            pending: Vec::new(),
            closed: false,
        }
    }

    /// The next whole line (without its newline), or `None` when `timeout`
    /// passes first or the writers have all gone.
    pub fn next(&mut self, lab: &Lab, timeout: Duration) -> Result<Option<String>> {
        let until = Instant::now() + timeout;
        loop {
            if let Some(line) = self.take_line() {
                return Ok(Some(line));
            }
            if self.closed {
                return Ok(None);
            }
            lab.check()?;
            let left = until.saturating_duration_since(Instant::now());
            if wait_readable(&[self.fd.as_fd()], left.min(Duration::from_millis(20))) {
                self.fill();
            } else if left.is_zero() {
                return Ok(None);
            }
        }
    }

    /// Every whole line available now, without waiting.
    pub fn ready(&mut self) -> Vec<String> {
        while !self.closed && wait_readable(&[self.fd.as_fd()], Duration::ZERO) {
            self.fill();
        }
        std::iter::from_fn(|| self.take_line()).collect()
    }

    /// Lines until one satisfies `wanted` (returned with those before it),
    /// or `timeout` passes (then the lines so far, without a match).
    pub fn until(
        &mut self,
        lab: &Lab,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<(Vec<String>, Option<String>)> {
        let until = Instant::now() + timeout;
        let mut before = Vec::new();
        while let Some(line) = self.next(lab, until.saturating_duration_since(Instant::now()))? {
            if wanted(&line) {
                return Ok((before, Some(line)));
            }
            before.push(line);
        }
        Ok((before, None))
    }

    fn fill(&mut self) {
        let mut buf = [0u8; 1024];
        match rustix::io::read(&self.fd, &mut buf) {
            Err(rustix::io::Errno::INTR) | Err(rustix::io::Errno::AGAIN) => {}
            Ok(0) | Err(_) => self.closed = true,
            Ok(n) => self.pending.extend_from_slice(&buf[..n]),
        }
    }

    fn take_line(&mut self) -> Option<String> {
        let end = self.pending.iter().position(|&b| b == b'\n')?;
        let line: Vec<u8> = self.pending.drain(..=end).collect();
        Some(String::from_utf8_lossy(&line[..end]).into_owned())
    }
}
