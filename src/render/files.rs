//! `files`: open descriptors as a table, as lsof lists them, with the
//! other end of each pipe and socket.

use super::schema::{DescriptorRecord, UnreadableRecord};
use super::table::{self, Row};
use super::why::{safe, target_text};
use super::{Style, Tone};

/// The table of descriptors.
pub fn text(records: &[DescriptorRecord], style: &Style) -> String {
    let headers = table::headers(
        &[
            "PID", "COMMAND", "FD", "TYPE", "MODE", "POS", "KIND", "TARGET",
        ],
        &[0, 5],
    );
    let rows = records
        .iter()
        .map(|d| Row {
            cells: vec![
                d.pid.to_string(),
                safe(&d.comm),
                d.fd.map_or("mem".into(), |n| n.to_string()),
                d.type_letter.clone(),
                d.access.clone().unwrap_or_else(|| "-".into()),
                d.position.map_or("-".into(), |p| p.to_string()),
                safe(&d.kind),
                target_text(d),
            ],
            tone: Tone::Plain,
        })
        .collect();
    table::render(&headers, rows, true, style)
}

/// One line for a process that could not be read.
pub fn unreadable_line(u: &UnreadableRecord) -> String {
    format!(
        "pscope: {} ({}): {} not readable: {}",
        u.pid,
        safe(&u.comm),
        u.what,
        u.reason
    )
}
