//! `pscope top`: the live view on a terminal, or frames in batch mode.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::Context;
use crate::analysis::topcols::{self, TopColumn, TopRow};
use crate::analysis::topview::{self, View};
use crate::cli::TopArgs;
use crate::error::{self, exit};
use crate::render::top::{self as text, Layout, MAX_WIDTH};
use crate::sys::interrupt;
use crate::ui::sampler::{Sampler, FIRST_INTERVAL};
use crate::ui::{self, LiveOptions};

/// top's default delay between frames, in seconds.
const DEFAULT_DELAY: f64 = 3.0;

/// The view the options ask for.
fn view(args: &TopArgs) -> Result<View> {
    let columns = if args.output.is_empty() {
        topcols::default_columns()
    } else {
        topcols::parse_columns(&args.output).map_err(|e| error::usage(e.to_string()))?
    };
    let mut view = View::new(columns);
    if let Some(spec) = &args.sort {
        let (column, descending) = topview::parse_sort(spec).map_err(error::usage)?;
        view.sort = column;
        view.descending = descending;
    }
    view.filters = args
        .filters
        .iter()
        .map(|f| topview::parse_filter(f))
        .collect::<Result<_, _>>()
        .map_err(error::usage)?;
    if let Some(user) = &args.user {
        view.user = Some(ui::user_filter(user).map_err(error::usage)?);
    }
    view.pids = args.pids.clone();
    view.threads = args.threads;
    view.full_command = args.full_command;
    view.hide_idle = args.hide_idle;
    view.per_cpu = args.per_cpu;
    view.tree = args.tree;
    Ok(view)
}

/// The width of batch frames, as top decides it: `-w N` (0 for the
/// widest), the terminal's, COLUMNS, or 80; never past 512.
fn batch_width(cx: &Context) -> usize {
    let width = match cx.global.width {
        Some(0) => MAX_WIDTH,
        Some(w) => w,
        None if io::stdout().is_terminal() => crate::render::terminal_width().unwrap_or(80),
        None => cx.env.columns.unwrap_or(80),
    };
    width.clamp(3, MAX_WIDTH)
}

pub fn run(args: &TopArgs, cx: &Context) -> Result<i32> {
    let view = view(args)?;
    let delay = args.delay.unwrap_or(DEFAULT_DELAY);
    let terminal = io::stdout().is_terminal() && io::stdin().is_terminal();
    // Signals end the view (and batch mode) between frames, cleanly.
    interrupt::catch()?;
    // Each frame's tables go back to the system when the frame is dropped.
    crate::sys::memory::return_large_blocks();
    if args.batch || !terminal || cx.structured() {
        // Without a terminal and without -b: one frame, as a script wants.
        let iterations = args.iterations.or(if args.batch { None } else { Some(1) });
        return batch(&view, delay, iterations, cx);
    }
    let ended = ui::run(LiveOptions {
        view,
        delay,
        iterations: args.iterations,
        root: cx.global.proc_root.clone(),
        utf8: cx.style.utf8,
        color: cx.style.color,
        signal_base: exit::SIGNAL_BASE,
    })?;
    Ok(match ended {
        ui::Ended::Quit => exit::SUCCESS,
        ui::Ended::Signal(signal) => exit::SIGNAL_BASE + signal,
    })
}

/// Sleeps, waking early for a signal; the signal's number if one came.
fn pause(time: Duration) -> Option<i32> {
    let end = Instant::now() + time;
    loop {
        if let Some(signal) = interrupt::pending() {
            return Some(signal);
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// Frames one after the other on stdout, as `top -b` writes them (or as
/// JSON lines). A closed pipe ends it quietly.
fn batch(view: &View, delay: f64, iterations: Option<u64>, cx: &Context) -> Result<i32> {
    // --json and --format jsonl alike: one JSON object a frame, since a
    // stream of frames has no end to close a document at.
    let json = cx.structured();
    let width = batch_width(cx);
    let kinds = view.columns.iter().any(|c| matches!(c, TopColumn::Ps(_)));
    let needs = view.needs();
    let mut sampler = Sampler::open(&cx.global.proc_root)?;
    if !view.pids.is_empty() {
        sampler.only(view.pids.clone());
    }
    sampler.prime(view.threads)?;
    if let Some(signal) = pause(FIRST_INTERVAL) {
        return Ok(exit::SIGNAL_BASE + signal);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut layout: Option<Layout> = None;
    let mut n = 0u64;
    loop {
        let frame = sampler.frame(needs, kinds)?;
        let context = frame.context(cx.style.utf8, view.full_command);
        // Batch frames show live tasks only (the gone are in the events);
        // rows are kept as indexes and made as they are written.
        let kept: Vec<u32> = (0..frame.tasks().len())
            .filter(|&i| view.keeps(&frame.row(i), &context))
            .map(|i| i as u32)
            .collect();
        let order = view.order(kept.len(), |k| frame.row(kept[k] as usize), &context);
        let rows = order.iter().map(|&(k, depth)| TopRow {
            depth,
            ..frame.row(kept[k as usize] as usize)
        });
        let written = if json {
            text::write_json_frame(&mut out, &frame, &view.columns, rows, &context)
        } else {
            let layout = layout.get_or_insert_with(|| {
                Layout::new(&view.columns, frame.snapshot.system.pid_digits, width)
            });
            let summary = text::summary(&frame, view.per_cpu, width);
            text::write_text_frame(
                &mut out,
                n == 0,
                &summary,
                layout,
                &view.columns,
                rows,
                &context,
            )
        };
        match written.and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(exit::SUCCESS),
            other => other?,
        }
        n += 1;
        if iterations.is_some_and(|max| n >= max) {
            return Ok(exit::SUCCESS);
        }
        if let Some(signal) = pause(Duration::from_secs_f64(delay)) {
            return Ok(exit::SIGNAL_BASE + signal);
        }
    }
}
