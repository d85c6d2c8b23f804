//! The reading thread of the live view: it reads a frame, waits the
//! delay, and reads the next, so that keys never wait for a scan. The
//! view asks it for a frame now, a new delay, or other files to read.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::sampler::{Sampler, FIRST_INTERVAL};
use crate::analysis::topframe::Frame;
use crate::model::LiveNeeds;

/// What the view asks of the reading thread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Request {
    /// Read a frame now.
    Refresh,
    /// Seconds between frames from now on.
    Delay(f64),
    /// Read these files from now on (a frame is read at once if they
    /// differ; a new baseline first when rows change to threads or back).
    Needs { needs: LiveNeeds, kinds: bool },
}

/// The thread's side of a frame: the frame, or why reading failed.
pub type Delivery = Result<Box<Frame>, String>;

pub struct Reader {
    pub requests: Sender<Request>,
    pub frames: Receiver<Delivery>,
}

/// Starts reading. The thread ends when the view drops its `Reader`.
pub fn spawn(
    sampler: Sampler,
    needs: LiveNeeds,
    kinds: bool,
    delay: f64,
) -> std::io::Result<Reader> {
    let (requests, asked) = mpsc::channel();
    let (deliver, frames) = mpsc::channel();
    // Not joined: the thread ends at its next wait once the view is gone.
    std::thread::Builder::new()
        .name("reader".into())
        .spawn(move || read_loop(sampler, needs, kinds, delay, &asked, &deliver))?;
    Ok(Reader { requests, frames })
}

fn seconds(delay: f64) -> Duration {
    Duration::try_from_secs_f64(delay).unwrap_or(Duration::from_secs(3))
}

fn read_loop(
    mut sampler: Sampler,
    mut needs: LiveNeeds,
    mut kinds: bool,
    mut delay: f64,
    asked: &Receiver<Request>,
    deliver: &mpsc::Sender<Delivery>,
) {
    loop {
        if sampler.needs_prime(needs.threads) {
            if let Err(e) = sampler.prime(needs.threads) {
                let _ = deliver.send(Err(e.to_string()));
                return;
            }
            std::thread::sleep(FIRST_INTERVAL);
        }
        match sampler.frame(needs, kinds) {
            Ok(frame) => {
                if deliver.send(Ok(Box::new(frame))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = deliver.send(Err(e.to_string()));
                return;
            }
        }
        let mut until = Instant::now() + seconds(delay);
        loop {
            match asked.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(Request::Refresh) | Err(RecvTimeoutError::Timeout) => break,
                Ok(Request::Delay(d)) => {
                    delay = d;
                    until = Instant::now() + seconds(delay);
                }
                Ok(Request::Needs {
                    needs: wanted,
                    kinds: wanted_kinds,
                }) => {
                    let changed = wanted != needs || wanted_kinds != kinds;
                    needs = wanted;
                    kinds = wanted_kinds;
                    if changed {
                        break;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}
