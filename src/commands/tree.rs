//! `pscope tree`: the process tree, pstree's way, with states and marks.

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::analysis::columns::{self, Column, RowContext};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::state;
use crate::analysis::tree::{Forest, NodeKind, TreeOptions, ROOT_PID};
use crate::cli::{Format, TreeArgs};
use crate::error::{self, exit};
use crate::model::{Snapshot, Task};
use crate::render::json::{self, ProcessRecord};
use crate::render::tree::{self as tree_text, Layout, NodeText, ASCII, UNICODE};
use crate::render::{self};
use crate::source::{self, Needs, StatusNeed};

/// pstree's width when it has neither a terminal nor COLUMNS.
const DEFAULT_WIDTH: usize = 132;

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
        Some(name) => Start::User(
            source::uid_for_name(name)
                .ok_or_else(|| error::not_found(format!("no such user: {name}")))?,
        ),
    };

    let structured = cx.format != Format::Table;
    let mut needs = columns
        .iter()
        .fold(Needs::default(), |n, c| n.union(c.field.needs()));
    if structured {
        needs.status = StatusNeed::Ids;
    } else if args.stat {
        needs.status = needs.status.max(StatusNeed::Memory);
    }
    needs.cmdline |= args.arguments || structured;
    needs.owner = args.uid_changes || matches!(start, Start::User(_));
    needs.threads = !args.hide_threads || structured;
    needs.thread_stat = args.thread_names || args.stat || !columns.is_empty() || structured;
    needs.thread_status = needs.thread_stat && needs.status > StatusNeed::Nothing;

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
    let text = match cx.format {
        Format::Table => {
            let texts = node_texts(&forest, &snapshot, &kinship, args, &columns, &row_cx, cx);
            let layout = Layout {
                symbols: if args.ascii {
                    ASCII
                } else if args.unicode || cx.style.unicode_lines {
                    UNICODE
                } else {
                    ASCII
                },
                pids: args.show_pids,
                pgids: args.show_pgids,
                args: args.arguments,
                uid_changes: args.uid_changes,
                compact: !(args.no_compact || args.show_pids),
                width: tree_width(args, cx),
            };
            tree_text::render(&forest, &roots, &texts, layout)
        }
        Format::Json => {
            let trees: Vec<TreeNode> = roots
                .iter()
                .map(|&(n, _)| {
                    nested(
                        &forest,
                        n,
                        &snapshot,
                        &kinship,
                        &row_cx,
                        &mut vec![false; forest.nodes.len()],
                    )
                })
                .collect();
            json::document("roots", &trees)? + "\n"
        }
        Format::Jsonl => {
            let mut lines = Vec::new();
            for &(root, _) in &roots {
                flat(&forest, root, &snapshot, &kinship, &row_cx, &mut lines);
            }
            json::lines(&lines)?
        }
    };
    render::emit(&text)?;
    Ok(exit::SUCCESS)
}

/// Lines are cut at -w N, else COLUMNS, else the terminal's width, else
/// 132 as pstree does; `-l` or `-w 0` never cuts.
fn tree_width(args: &TreeArgs, cx: &Context) -> Option<usize> {
    if args.long {
        return None;
    }
    match cx.global.width {
        Some(0) => None,
        Some(w) => Some(w),
        None => Some(
            cx.env
                .columns
                .or(if render::stdout_is_terminal() {
                    cx.style.width
                } else {
                    None
                })
                .unwrap_or(DEFAULT_WIDTH),
        ),
    }
}

/// The task behind a node, if it is not a `?` stand-in.
fn task_of<'a>(forest: &Forest, n: usize, snapshot: &'a Snapshot) -> Option<&'a Task> {
    match forest.nodes[n].kind {
        NodeKind::Process(i) => snapshot.tasks.get(i),
        NodeKind::Thread(i, j) => snapshot.tasks.get(i).and_then(|t| t.threads.get(j)),
        NodeKind::Placeholder => None,
    }
}

fn kind_of(forest: &Forest, n: usize, task: &Task, kinship: &Kinship) -> Kind {
    match forest.nodes[n].kind {
        NodeKind::Process(_) => kinship.kind(task),
        _ => Kind::Normal,
    }
}

fn node_texts(
    forest: &Forest,
    snapshot: &Snapshot,
    kinship: &Kinship,
    args: &TreeArgs,
    columns: &[Column],
    row_cx: &RowContext,
    cx: &Context,
) -> HashMap<usize, NodeText> {
    let highlighted: Vec<usize> = match args.highlight.and_then(|pid| forest.find(pid)) {
        Some(n) => {
            let mut chain = vec![n];
            let mut current = n;
            while let Some(p) = forest.nodes[current].parent {
                if chain.contains(&p) {
                    break;
                }
                chain.push(p);
                current = p;
            }
            chain
        }
        None => Vec::new(),
    };
    // Most nodes have nothing to add to their name, so the map stays small
    // (sizing it for every node would cost megabytes on a large machine).
    let mut texts = HashMap::new();
    for (n, node) in forest.nodes.iter().enumerate() {
        let Some(task) = task_of(forest, n, snapshot) else {
            continue;
        };
        let kind = kind_of(forest, n, task, kinship);
        let mut extra = String::new();
        if args.stat {
            extra.push(' ');
            extra.push_str(&state::stat_string(task));
            extra.push(' ');
            extra.push_str(&columns::nice(task).map_or("-".into(), |v| v.to_string()));
        }
        for column in columns {
            extra.push(' ');
            extra.push_str(&column.field.text(task, kind, row_cx));
        }
        let (mark, color) = match kind {
            _ if args.no_marks => (String::new(), None),
            Kind::Zombie => (" <defunct>".to_string(), Some("\x1b[31m")),
            Kind::Orphan => (" [orphan]".to_string(), Some("\x1b[33m")),
            _ => (String::new(), None),
        };
        let bold = cx.style.color && highlighted.contains(&n);
        let needed = args.show_pgids || args.uid_changes || args.arguments;
        if !needed && extra.is_empty() && mark.is_empty() && !bold {
            // Nothing to add to the name: keep the map small.
            continue;
        }
        texts.insert(
            n,
            NodeText {
                pgid: task.stat.pgrp,
                user: if args.uid_changes {
                    snapshot.user_name(node.uid)
                } else {
                    String::new()
                },
                cmdline: task.cmdline.clone(),
                extra,
                mark,
                mark_color: color.filter(|_| cx.style.color),
                bold,
            },
        );
    }
    texts
}

/// A process with its children and threads, for `tree --json`.
#[derive(Serialize)]
struct TreeNode {
    #[serde(flatten)]
    body: NodeBody,
    children: Vec<TreeNode>,
    threads: Vec<ProcessRecord>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum NodeBody {
    Process(Box<ProcessRecord>),
    /// A parent that /proc does not show (hidden or gone).
    Missing {
        pid: i32,
        missing: bool,
    },
}

fn body(
    forest: &Forest,
    n: usize,
    snapshot: &Snapshot,
    kinship: &Kinship,
    row_cx: &RowContext,
) -> NodeBody {
    match task_of(forest, n, snapshot) {
        Some(task) => NodeBody::Process(Box::new(ProcessRecord::new(
            task,
            kind_of(forest, n, task, kinship),
            row_cx,
        ))),
        None => NodeBody::Missing {
            pid: forest.nodes[n].pid,
            missing: true,
        },
    }
}

fn nested(
    forest: &Forest,
    n: usize,
    snapshot: &Snapshot,
    kinship: &Kinship,
    row_cx: &RowContext,
    seen: &mut Vec<bool>,
) -> TreeNode {
    seen[n] = true;
    let mut children = Vec::new();
    let mut threads = Vec::new();
    for &c in &forest.nodes[n].children {
        if seen[c] {
            continue;
        }
        if forest.nodes[c].is_thread() {
            if let Some(task) = task_of(forest, c, snapshot) {
                threads.push(ProcessRecord::new(task, Kind::Normal, row_cx));
            }
        } else {
            children.push(nested(forest, c, snapshot, kinship, row_cx, seen));
        }
    }
    TreeNode {
        body: body(forest, n, snapshot, kinship, row_cx),
        children,
        threads,
    }
}

/// One process per line with its depth and parent, for `--format jsonl`.
#[derive(Serialize)]
struct FlatNode {
    #[serde(flatten)]
    body: NodeBody,
    depth: usize,
    parent: Option<i32>,
}

fn flat(
    forest: &Forest,
    root: usize,
    snapshot: &Snapshot,
    kinship: &Kinship,
    row_cx: &RowContext,
    out: &mut Vec<FlatNode>,
) {
    let mut depth_of = HashMap::new();
    for n in forest.subtree(root) {
        let node = &forest.nodes[n];
        if node.is_thread() {
            continue;
        }
        let parent = node.parent.filter(|_| n != root);
        let depth = parent.and_then(|p| depth_of.get(&p)).map_or(0, |d| d + 1);
        depth_of.insert(n, depth);
        out.push(FlatNode {
            body: body(forest, n, snapshot, kinship, row_cx),
            depth,
            parent: parent.map(|p| forest.nodes[p].pid),
        });
    }
}

/// The subtree of `pid` as `pscope tree -p --stat` would draw it (used by
/// the lab demonstrations).
pub fn text_from(snapshot: &Snapshot, pid: i32, stat: bool) -> String {
    let kinship = Kinship::new(&snapshot.tasks);
    let forest = Forest::build(&snapshot.tasks, TreeOptions::default());
    let Some(root) = forest.find(pid) else {
        return String::new();
    };
    let mut texts = HashMap::new();
    for n in forest.subtree(root) {
        if let Some(task) = task_of(&forest, n, snapshot) {
            let kind = kind_of(&forest, n, task, &kinship);
            let extra = if stat {
                format!(" {}", state::stat_string(task))
            } else {
                String::new()
            };
            let mark = match kind {
                Kind::Zombie => " <defunct>",
                Kind::Orphan => " [orphan]",
                _ => "",
            };
            texts.insert(
                n,
                NodeText {
                    extra,
                    mark: mark.to_string(),
                    ..NodeText::default()
                },
            );
        }
    }
    let layout = Layout {
        symbols: ASCII,
        pids: true,
        pgids: false,
        args: false,
        uid_changes: false,
        compact: false,
        width: None,
    };
    tree_text::render(&forest, &[(root, 0)], &texts, layout)
}
