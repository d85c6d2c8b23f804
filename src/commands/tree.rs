//! `pscope tree`: the process tree, pstree's way, with states and marks.

use anyhow::Result;

use super::Context;
use crate::analysis::columns::{self, Field, Request};
use crate::analysis::kinship::Kinship;
use crate::analysis::tree::{Forest, TreeOptions, ROOT_PID};
use crate::cli::{Format, TreeArgs};
use crate::error::{self, exit};
use crate::model::ThreadNeed;
use crate::render::schema::TreeSource;
use crate::render::tree::{self as tree_text, Annotations, Layout, ASCII, UNICODE};
use crate::render::{self, json};
use crate::source;

/// What the tree starts from.
enum Start {
    Pid(i32),
    User(u32),
}

pub fn run(args: &TreeArgs, cx: &Context) -> Result<i32> {
    let columns = if args.output.is_empty() {
        Vec::new()
    } else {
        columns::parse_columns(&args.output).map_err(|e| error::usage(e.to_string()))?
    };
    let start = match args.root.as_deref() {
        None => Start::Pid(ROOT_PID),
        Some(text) if text.starts_with(|c: char| c.is_ascii_digit()) => Start::Pid(
            text.parse()
                .map_err(|_| error::usage(format!("invalid PID: {text}")))?,
        ),
        Some(name) => {
            Start::User(source::uid_for_name(name).ok_or_else(|| error::no_such_user(name))?)
        }
    };

    let structured = cx.structured();
    let mut fields: Vec<Field> = columns.iter().map(|c| c.field()).collect();
    if args.stat {
        fields.extend([Field::Stat, Field::Nice]);
    }
    // Threads are drawn with their own values only when something is
    // written after their names.
    let threads = if args.hide_threads && !structured {
        ThreadNeed::Nothing
    } else if args.thread_names || !fields.is_empty() || structured {
        ThreadNeed::Own
    } else {
        ThreadNeed::Ids
    };
    if args.arguments {
        fields.push(Field::Args);
    }
    let needs = columns::needs(Request {
        fields: &fields,
        records: structured,
        threads,
        owner: args.uid_changes || matches!(start, Start::User(_)),
        ..Request::default()
    });

    let snapshot = cx.scan(needs)?;
    let kinship = Kinship::new(&snapshot.tasks);
    let options = TreeOptions {
        by_pid: args.numeric_sort,
        hide_threads: args.hide_threads,
        thread_names: args.thread_names,
    };
    let mut forest = Forest::build(&snapshot.tasks, options);

    let mut roots: Vec<(usize, u32)> = Vec::new();
    match start {
        Start::Pid(pid) => {
            let found = if args.root.is_none() {
                forest.root()
            } else {
                forest.find(pid)
            };
            let node = found.ok_or_else(|| error::not_found(format!("process {pid} not found")))?;
            if args.show_parents {
                forest.keep_only_ancestry(node);
                roots.push((forest.find(ROOT_PID).unwrap_or(node), 0));
            } else {
                roots.push((node, 0));
            }
            if args.kernel && args.root.is_none() {
                if let Some(kthreadd) = forest.find(2) {
                    roots.push((kthreadd, 0));
                }
            }
        }
        Start::User(uid) => {
            roots.extend(forest.roots_of_user(uid).into_iter().map(|n| (n, uid)));
            if roots.is_empty() {
                return Err(error::not_found("no processes found"));
            }
        }
    }

    let row_cx = cx.rows(&snapshot);
    match cx.format {
        Format::Table => {
            let annotations = Annotations {
                stat: args.stat,
                columns: &columns,
                marks: !args.no_marks,
                color: cx.style.color,
                highlight: args.highlight.and_then(|pid| forest.find(pid)),
                pgids: args.show_pgids,
                users: args.uid_changes,
                args: args.arguments,
            };
            let texts = tree_text::annotate(&forest, &snapshot, &kinship, &row_cx, &annotations);
            let layout = Layout {
                symbols: if !args.ascii && (args.unicode || cx.style.unicode_lines) {
                    UNICODE
                } else {
                    ASCII
                },
                pids: args.show_pids,
                pgids: args.show_pgids,
                args: args.arguments,
                uid_changes: args.uid_changes,
                compact: !(args.no_compact || args.show_pids),
                width: if args.long { None } else { cx.style.tree_width },
            };
            render::emit(&tree_text::render(&forest, &roots, &texts, layout))?;
        }
        Format::Json => {
            let source = TreeSource::new(&forest, &snapshot.tasks, &kinship, &row_cx);
            let trees = json::Each::new(roots.iter().map(|&(n, _)| source.nested(n)));
            render::to_stdout(|out| json::write_document(out, "roots", &trees))?;
        }
        Format::Jsonl => {
            let source = TreeSource::new(&forest, &snapshot.tasks, &kinship, &row_cx);
            let lines = roots.iter().flat_map(|&(root, _)| source.lines(root));
            render::to_stdout(|out| json::write_lines(out, lines))?;
        }
    }
    Ok(exit::SUCCESS)
}
