//! A ps command line carried out as procps-ng ps carries it out: its
//! selection, threads, sort, hierarchy and columns, laid out by ps's
//! rules (`render::pslayout`). `pscope` with ps's arguments, `pscope ps`
//! and a link named `ps` all come here.

use std::io::Write;

use anyhow::Result;
use regex::Regex;

use super::Context;
use crate::analysis::columns::{self, Request};
use crate::analysis::keywords::Align;
use crate::analysis::keywords::{Field, Rows};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::psforest::{self, ForestRow};
use crate::analysis::psquery::{ForestMode, Headers, PsQuery, SelectList, SortSpec, ThreadMode};
use crate::analysis::psselect::{self, Caller};
use crate::analysis::select;
use crate::analysis::values::Typed;
use crate::analysis::values::{self, RowContext, ValueFlags};
use crate::cli::Format;
use crate::error::exit;
use crate::model::{Needs, StatusNeed, Task, ThreadNeed};
use crate::render::pslayout::{Cell, Layout, UNLIMITED};
use crate::render::schema::{in_process_record, KeywordValues, ProcessRecord, PsRecord};
use crate::render::{self, json};
use crate::source;

/// pscope's own filters, which ps does not have.
#[derive(Debug, Default)]
pub struct Filters {
    pub states: Option<String>,
    pub name: Option<Regex>,
}

impl Filters {
    pub fn keep(&self, task: &Task) -> bool {
        self.states
            .as_ref()
            .is_none_or(|s| s.contains(task.stat.state))
            && self
                .name
                .as_ref()
                .is_none_or(|re| re.is_match(&String::from_utf8_lossy(&task.stat.comm)))
    }
}

/// One output row: a task, its verdict, and how it is shown.
struct Row<'a> {
    task: &'a Task,
    kind: Kind,
    /// With `m`: a process row (thread-only columns print `-`) or one of
    /// its thread rows (process-only columns print `-`).
    shown_as: Shown,
    prefix: Vec<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Both,
    ProcessOfThreads,
    ThreadOfProcess,
}

/// What the query reads.
fn needs(query: &PsQuery, structured: bool) -> Needs {
    let fields: Vec<Field> = query
        .columns
        .iter()
        .map(|c| c.keyword.field)
        .chain(query.sort.iter().map(|k| k.keyword.field))
        .collect();
    let threads = match query.threads {
        ThreadMode::Off => ThreadNeed::Nothing,
        _ => ThreadNeed::Own,
    };
    let mut needs = columns::needs(Request {
        fields: &fields,
        records: structured,
        threads,
        user_ids: psselect::needs_ids(&query.select),
        ..Request::default()
    });
    for key in &query.sort {
        needs = needs.union(key.keyword.sort.needs());
    }
    if query.modifiers.environment {
        needs = needs.union(values::environment_needs());
    }
    // `S` adds the children's times from the rest of stat.
    needs.more_stat |= query.modifiers.cumulative;
    if query.modifiers.true_command {
        // `c` shows names where the command line would be.
        needs.cmdline |= fields.contains(&Field::Args);
    }
    let group_lists = query
        .select
        .lists
        .iter()
        .any(|l| matches!(l, SelectList::Egid(_) | SelectList::Rgid(_)));
    if group_lists {
        needs.status = needs.status.max(StatusNeed::Ids);
    }
    needs
}

/// The screen width ps works with: unlimited when not on a terminal, else
/// the terminal's; COLUMNS and `--cols` override; `w` widens to 132 and
/// `ww` removes the limit.
fn screen_width(query: &PsQuery, cx: &Context) -> usize {
    let mut width = if render::stdout_is_terminal() {
        render::terminal_width().unwrap_or(80)
    } else {
        UNLIMITED
    };
    if let Some(columns) = cx.env.columns.filter(|c| (1..UNLIMITED).contains(c)) {
        width = columns;
    }
    if let Some(columns) = query.columns_option {
        width = columns;
    }
    match query.wide {
        0 => width,
        1 => width.max(132),
        _ => UNLIMITED,
    }
}

pub fn run(query: &PsQuery, filters: &Filters, cx: &Context) -> Result<i32> {
    let structured = cx.structured();
    let snapshot = {
        let mut snapshot = cx.scan(needs(query, structured))?;
        let shows_groups = query.columns.iter().any(|c| {
            matches!(
                c.keyword.field,
                Field::Egroup | Field::Rgroup | Field::Sgroup | Field::Fgroup | Field::SupGrp
            )
        });
        if shows_groups {
            snapshot.groups = source::group_names(snapshot.tasks.iter().flat_map(|t| {
                let st = t.status.as_deref();
                let more = t.more_status();
                let groups = more.groups.clone().unwrap_or_default();
                [
                    st.and_then(|s| s.egid),
                    st.and_then(|s| s.rgid),
                    more.sgid,
                    more.fsgid,
                ]
                .into_iter()
                .flatten()
                .chain(groups)
            }));
        }
        snapshot
    };
    let kinship = Kinship::new(&snapshot.tasks);
    let caller = Caller {
        euid: nix::unistd::geteuid().as_raw(),
        tty: source::own_terminal(),
    };
    let quick = query.select.lists.iter().find_map(|l| match l {
        SelectList::QuickPid(pids) => Some(pids.clone()),
        _ => None,
    });
    let selected: Vec<&Task> = match &quick {
        // `-q`: these PIDs, in the order given.
        Some(pids) => pids.iter().filter_map(|&p| kinship.get(p)).collect(),
        None => snapshot
            .tasks
            .iter()
            .filter(|t| psselect::selects(&query.select, t, caller) && filters.keep(t))
            .collect(),
    };

    let layout = Layout::new(
        &query.columns,
        snapshot.system.pid_digits,
        screen_width(query, cx),
        query.modifiers.numeric,
    );
    let mut row_cx = RowContext::new(&snapshot, cx.style.utf8);
    row_cx.flags = ValueFlags {
        cumulative: query.modifiers.cumulative,
        true_command: query.modifiers.true_command,
        environment: query.modifiers.environment,
        numeric: query.modifiers.numeric,
        wide_signals: layout.wide_signals,
    };

    let thread_rows: Vec<Task>;
    let rows: Vec<Row> = match query.threads {
        ThreadMode::Off => {
            let sorted = sorted(selected, query, &kinship, &row_cx);
            match query.forest {
                ForestMode::Off => sorted.into_iter().map(|t| plain_row(t, &kinship)).collect(),
                mode => psforest::forest(&sorted, mode)
                    .into_iter()
                    .map(|ForestRow { index, prefix }| Row {
                        prefix,
                        ..plain_row(sorted[index], &kinship)
                    })
                    .collect(),
            }
        }
        // ps fetches processes only when -L or -T is sorted.
        ThreadMode::UnixL | ThreadMode::UnixT if !query.sort.is_empty() => {
            sorted(selected, query, &kinship, &row_cx)
                .into_iter()
                .map(|t| plain_row(t, &kinship))
                .collect()
        }
        ThreadMode::UnixL | ThreadMode::UnixT | ThreadMode::BsdH => {
            thread_rows = selected
                .iter()
                .flat_map(|t| select::thread_rows(t))
                .collect();
            let refs: Vec<&Task> = thread_rows.iter().collect();
            sorted(refs, query, &kinship, &row_cx)
                .into_iter()
                .map(|t| Row {
                    kind: select::thread_kind(&kinship, t),
                    ..plain_row(t, &kinship)
                })
                .collect()
        }
        ThreadMode::AfterProcess => {
            thread_rows = selected
                .iter()
                .flat_map(|t| select::thread_rows(t))
                .collect();
            let mut rows = Vec::new();
            let mut threads = thread_rows.iter().peekable();
            for process in selected {
                rows.push(Row {
                    shown_as: Shown::ProcessOfThreads,
                    ..plain_row(process, &kinship)
                });
                while let Some(thread) = threads.next_if(|t| t.tgid == process.tgid) {
                    rows.push(Row {
                        shown_as: Shown::ThreadOfProcess,
                        kind: Kind::Normal,
                        ..plain_row(thread, &kinship)
                    });
                }
            }
            rows
        }
    };

    match cx.format {
        Format::Table => {
            render::to_stdout(|out| write_table(out, &rows, query, &layout, &row_cx, cx))?;
        }
        Format::Json => render::to_stdout(|out| {
            let records = json::Each::new(rows.iter().map(|r| ps_record(r, query, &row_cx)));
            json::write_document(out, "processes", &records)
        })?,
        Format::Jsonl => render::to_stdout(|out| {
            json::write_lines(out, rows.iter().map(|r| ps_record(r, query, &row_cx)))
        })?,
    }
    Ok(if rows.is_empty() {
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    })
}

/// A row's JSON record: the process record and the keywords of `-o` that
/// it does not already carry.
fn ps_record<'q>(row: &Row, query: &'q PsQuery, cx: &RowContext) -> PsRecord<'q> {
    let mut keywords: Vec<(&str, Typed)> = Vec::new();
    for column in &query.columns {
        let k = column.keyword;
        if in_process_record(k.field) || keywords.iter().any(|(n, _)| *n == k.name) {
            continue;
        }
        let numeric = matches!(k.align, Align::Right);
        keywords.push((k.name, k.field.typed(row.task, row.kind, cx, numeric)));
    }
    PsRecord {
        process: ProcessRecord::new(row.task, row.kind, cx),
        keywords: KeywordValues(keywords),
    }
}

fn plain_row<'a>(task: &'a Task, kinship: &Kinship) -> Row<'a> {
    Row {
        task,
        kind: kinship.kind(task),
        shown_as: Shown::Both,
        prefix: Vec::new(),
    }
}

/// Rows in ps's order: /proc's (ascending PID) unless sorted; a sort is
/// stable, first key most significant. A hierarchy is built from rows
/// sorted by parent then start time (or the user's keys then start time).
fn sorted<'a>(
    mut tasks: Vec<&'a Task>,
    query: &PsQuery,
    kinship: &Kinship,
    cx: &RowContext,
) -> Vec<&'a Task> {
    let start = crate::analysis::keywords::find("start_time").map(|keyword| SortSpec {
        keyword,
        descending: false,
    });
    let ppid = crate::analysis::keywords::find("ppid").map(|keyword| SortSpec {
        keyword,
        descending: false,
    });
    let mut keys: Vec<SortSpec> = query.sort.clone();
    if query.forest != ForestMode::Off {
        if keys.is_empty() {
            keys.extend(ppid);
        }
        keys.extend(start);
    }
    if keys.is_empty() {
        return tasks;
    }
    let mut with_kind: Vec<(&Task, Kind)> = tasks.drain(..).map(|t| (t, kinship.kind(t))).collect();
    select::sort_rows(&mut with_kind, &keys, cx);
    with_kind.into_iter().map(|(t, _)| t).collect()
}

fn write_table(
    out: &mut dyn Write,
    rows: &[Row],
    query: &PsQuery,
    layout: &Layout,
    row_cx: &RowContext,
    cx: &Context,
) -> std::io::Result<()> {
    let header = layout.header();
    let any_header = query.columns.iter().any(|c| !c.header.is_empty());
    let repeat = match query.headers {
        Headers::Repeat => Some(query.rows_option.unwrap_or(24).saturating_sub(1).max(1)),
        _ => None,
    };
    let with_header = query.headers != Headers::None && any_header;
    if with_header {
        writeln!(out, "{header}")?;
    }
    for (i, row) in rows.iter().enumerate() {
        if let Some(page) = repeat {
            if i > 0 && i % page == 0 {
                writeln!(out, "{header}")?;
            }
        }
        let cells: Vec<Cell> = query
            .columns
            .iter()
            .map(|c| Cell {
                prefix: &row.prefix,
                text: cell_text(c.keyword, row, i, with_header, row_cx),
            })
            .collect();
        let line = layout.line(&cells);
        match render::tone(row.kind).ansi().filter(|_| cx.style.color) {
            Some(color) => writeln!(out, "{color}{line}{}", render::ANSI_RESET)?,
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}

fn cell_text(
    keyword: &crate::analysis::keywords::Keyword,
    row: &Row,
    index: usize,
    header: bool,
    cx: &RowContext,
) -> String {
    let hidden = matches!(
        (row.shown_as, keyword.rows),
        (Shown::ProcessOfThreads, Rows::Thread) | (Shown::ThreadOfProcess, Rows::Process)
    );
    if hidden {
        return "-".into();
    }
    let test_column = matches!(
        keyword.field,
        Field::TestLeft
            | Field::TestLeft2
            | Field::TestRight
            | Field::TestRight2
            | Field::TestUnlimited
            | Field::TestUnlimited2
    );
    if test_column {
        // ps's test columns cycle through their texts row by row.
        return values::test_text(keyword.field, index, header);
    }
    keyword.field.text(row.task, row.kind, cx)
}
