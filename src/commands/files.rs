//! `pscope files [PID...]`: open descriptors, resolved.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;

use anyhow::Result;

use super::Context;
use crate::analysis::files::{self, Ends};
use crate::analysis::waits;
use crate::cli::{FilesArgs, Format};
use crate::error::{self, exit};
use crate::model::{Holder, Needs, OpenFd, ReadError, Task};
use crate::render::files as render_files;
use crate::render::schema::{DescriptorRecord, FilesReport, UnreadableRecord};
use crate::render::{self, json};
use crate::sys;

pub fn run(args: &FilesArgs, cx: &Context) -> Result<i32> {
    let types = args
        .types
        .as_deref()
        .map(files::parse_type_letters)
        .transpose()
        .map_err(error::usage)?;
    // The file asked for by --path, by device and inode (so that any
    // spelling of it, and its hard links, match).
    let wanted_file = match &args.path {
        Some(path) => {
            let meta = std::fs::metadata(path)
                .map_err(|e| error::not_found(format!("cannot find {}: {e}", path.display())))?;
            Some((meta.dev(), meta.ino(), path.canonicalize().ok()))
        }
        None => None,
    };
    let reader = cx.reader()?;
    let snapshot = cx.scan_with(&reader, Needs::default())?;
    let mut code = exit::SUCCESS;
    let mut targets: Vec<&Task> = Vec::new();
    if args.pids.is_empty() {
        targets.extend(snapshot.tasks.iter());
    } else {
        for &pid in &args.pids {
            match snapshot.tasks.iter().find(|t| t.pid == pid) {
                Some(t) => targets.push(t),
                None => {
                    eprintln!("pscope: process {pid} not found (it has ended, or /proc hides it from this user)");
                    code = exit::NO_MATCH;
                }
            }
        }
    }
    let mut opened: Vec<(&Task, Vec<OpenFd>)> = Vec::new();
    let mut unreadable = Vec::new();
    for task in targets {
        match reader.descriptors_in_detail(task.pid) {
            Ok(fds) => opened.push((task, fds)),
            Err(e) => {
                let why = ReadError::from_io(&e);
                // A zombie or a process that ended meanwhile has no
                // descriptors to show; only a refusal is worth a line.
                if why == ReadError::Denied {
                    unreadable.push(UnreadableRecord {
                        pid: task.pid,
                        comm: String::from_utf8_lossy(&task.stat.comm).into_owned(),
                        what: "descriptors",
                        reason: waits::read_error_text(why).to_string(),
                    });
                }
            }
        }
    }
    let tables = reader.socket_tables(sys::sockdiag::unix_sockets().ok().map(files::unix_sockets));
    // With every process read, the holders of pipes and sockets are known
    // already; for a few processes they are looked for.
    let holders: Vec<(String, Holder)> = if args.pids.is_empty() {
        opened
            .iter()
            .flat_map(|(task, fds)| {
                fds.iter()
                    .filter(|o| files::link_inode(&o.target).is_some())
                    .map(|o| {
                        (
                            o.target.clone(),
                            Holder {
                                pid: task.pid,
                                fd: o.fd,
                                flags: o.detail.as_ref().and_then(|d| d.flags),
                            },
                        )
                    })
            })
            .collect()
    } else {
        let all: Vec<OpenFd> = opened.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
        reader.holders(&Ends::wanted(&tables, &all))
    };
    let ends = Ends::new(&tables, holders);
    let name_of = |pid: i32| {
        snapshot
            .tasks
            .binary_search_by_key(&pid, |t| t.pid)
            .ok()
            .map_or_else(String::new, |i| {
                String::from_utf8_lossy(&snapshot.tasks[i].stat.comm).into_owned()
            })
    };
    let mut records = Vec::new();
    for (task, fds) in &opened {
        for o in fds {
            let resolved = ends.resolve(task.pid, o);
            if let Some(letters) = &types {
                if !letters.contains(&resolved.letter) {
                    continue;
                }
            }
            if let Some(port) = args.port {
                if !resolved
                    .socket
                    .as_ref()
                    .is_some_and(|s| files::uses_port(s, port))
                {
                    continue;
                }
            }
            if let Some((dev, ino, _)) = &wanted_file {
                let detail = o.detail.as_ref();
                let same = detail.and_then(|d| d.device) == Some(*dev)
                    && detail.and_then(|d| d.inode) == Some(*ino);
                if !same {
                    continue;
                }
            }
            records.push(DescriptorRecord::new(task, o, &resolved, &name_of));
        }
        if args.maps && args.port.is_none() {
            let Ok(maps) = reader.mappings(task.pid) else {
                continue;
            };
            let mut seen = HashSet::new();
            for m in maps {
                let Some(path) = m.path.as_deref().filter(|p| p.starts_with('/')) else {
                    continue;
                };
                if !seen.insert(path.to_string()) {
                    continue;
                }
                if types.as_ref().is_some_and(|l| !l.contains(&'-')) {
                    continue;
                }
                if let Some((_, _, canonical)) = &wanted_file {
                    if canonical.as_deref() != Some(std::path::Path::new(path)) {
                        continue;
                    }
                }
                records.push(DescriptorRecord::mapping(task, &m));
            }
        }
    }
    let filtered = types.is_some() || args.port.is_some() || args.path.is_some();
    if filtered && records.is_empty() {
        code = exit::NO_MATCH;
    }
    match cx.format {
        Format::Json => render::to_stdout(|out| {
            json::write_document(
                out,
                "files",
                &FilesReport {
                    descriptors: &records,
                    unreadable: &unreadable,
                },
            )
        })?,
        Format::Jsonl => {
            for u in &unreadable {
                eprintln!("{}", render_files::unreadable_line(u));
            }
            render::to_stdout(|out| json::write_lines(out, &records))?
        }
        Format::Table => {
            for u in &unreadable {
                eprintln!("{}", render_files::unreadable_line(u));
            }
            if !records.is_empty() {
                render::emit(&render_files::text(&records, &cx.style))?;
            }
        }
    }
    Ok(code)
}
