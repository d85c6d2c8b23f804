//! The live view (`pscope top`): the terminal, keys and widgets, and the
//! thread that reads frames. It uses model, analysis, render, control and
//! source; only commands use it.

mod app;
mod draw;
mod reader;
pub mod sampler;
mod terminal;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Result};
use crossterm::event::{self, Event, KeyEventKind};

use crate::analysis::topview::View;
use crate::source::ProcReader;
use crate::sys::interrupt;
use app::{Action, App};
use reader::Request;
use sampler::Sampler;

pub use app::user_filter;

/// What the live view starts with.
pub struct LiveOptions {
    pub view: View,
    /// Seconds between frames.
    pub delay: f64,
    /// End after this many frames.
    pub iterations: Option<u64>,
    pub root: PathBuf,
    pub utf8: bool,
    pub color: bool,
    /// The exit status after signal N is this plus N.
    pub signal_base: i32,
}

/// How the live view ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// By `q`, Ctrl-C or its last frame.
    Quit,
    /// By this signal.
    Signal(i32),
}

/// Ends the process when a signal came and the view's loop has not ended
/// it within a second. The loop ends within a tick; but when the terminal
/// hangs up, crossterm's key reader reads its end of file again and again
/// and never returns, and the loop with it.
fn watch_for_stuck_signals(signal_base: i32) {
    let watch = move || loop {
        std::thread::sleep(TICK);
        if let Some(signal) = interrupt::pending() {
            std::thread::sleep(Duration::from_secs(1));
            terminal::restore();
            std::process::exit(signal_base + signal);
        }
    };
    // Without a thread to spare, the loop alone watches.
    let _ = std::thread::Builder::new()
        .name("watch".into())
        .spawn(watch);
}

/// How often the view looks at its keys, frames and signals.
const TICK: Duration = Duration::from_millis(100);

/// Runs the live view until `q`, Ctrl-C, a signal or the last frame.
pub fn run(options: LiveOptions) -> Result<Ended> {
    // Everything that can fail for a plain reason fails before the
    // terminal is taken.
    let mut sampler = Sampler::open(&options.root)?;
    if !options.view.pids.is_empty() {
        sampler.only(options.view.pids.clone());
    }
    let mut app = App::new(
        options.view,
        options.delay,
        ProcReader::open(&options.root).ok(),
        options.utf8,
        options.color,
    );
    let reader = reader::spawn(sampler, app.view.needs(), app.wants_kinds(), options.delay)?;
    watch_for_stuck_signals(options.signal_base);
    let mut screen = terminal::Screen::enter()?;
    let mut ended = Ended::Quit;
    let mut dirty = true;
    let mut asked = app.view.needs();
    loop {
        while let Ok(delivery) = reader.frames.try_recv() {
            let frame = delivery.map_err(|e| anyhow!(e))?;
            app.take(frame);
            dirty = true;
        }
        if dirty {
            screen
                .terminal
                .draw(|canvas| draw::draw(canvas, &mut app))?;
            dirty = false;
        }
        if options.iterations.is_some_and(|n| app.frames >= n) {
            break;
        }
        if let Some(signal) = interrupt::pending() {
            ended = Ended::Signal(signal);
            break;
        }
        if !event::poll(TICK)? {
            continue;
        }
        match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                dirty = true;
                let request = match app.key(key) {
                    Action::Quit => break,
                    Action::Nothing => None,
                    Action::Refresh => Some(Request::Refresh),
                    Action::Delay(d) => Some(Request::Delay(d)),
                    Action::Reconfigure => {
                        let needs = app.view.needs();
                        (needs != asked).then(|| {
                            asked = needs;
                            Request::Needs {
                                needs,
                                kinds: app.wants_kinds(),
                            }
                        })
                    }
                };
                if let Some(request) = request {
                    // A reader that has stopped has sent its error.
                    let _ = reader.requests.send(request);
                }
            }
            Event::Resize(..) => dirty = true,
            _ => {}
        }
    }
    drop(screen);
    drop(reader.requests);
    // The reader ends at its next wait; it is not waited for here.
    Ok(ended)
}
