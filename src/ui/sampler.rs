//! Frames, one after the other: each read through the live reader and
//! analysed against the one before. Batch mode calls it in turn; the
//! interactive view calls it on its reading thread.

use std::path::Path;

use crate::analysis::changes::SeenFrame;
use crate::analysis::topframe::{self, Frame};
use crate::model::{LiveNeeds, SystemSample};
use crate::source::live::LiveReader;
use crate::source::{ProcReader, SourceError};

/// How long top waits between its baseline and its first frame.
pub const FIRST_INTERVAL: std::time::Duration = std::time::Duration::from_millis(150);

pub struct Sampler {
    live: LiveReader,
    last_sample: SystemSample,
    last_seen: SeenFrame,
    /// Whether the baseline was read per thread; `None` before one is read.
    primed: Option<bool>,
}

impl Sampler {
    pub fn open(root: &Path) -> Result<Sampler, SourceError> {
        Ok(Sampler {
            live: LiveReader::open(root)?,
            last_sample: SystemSample::default(),
            last_seen: SeenFrame::new(),
            primed: None,
        })
    }

    /// Reads only these processes (top's `-p`): the counts cover them only.
    pub fn only(&mut self, pids: Vec<i32>) {
        self.live.only(pids);
    }

    /// Reads the baseline the next frame measures its interval from: stat
    /// files only, by thread when rows will be threads.
    pub fn prime(&mut self, threads: bool) -> Result<(), SourceError> {
        let sample = self.live.sample()?;
        let snapshot = self.live.read(
            &sample,
            LiveNeeds {
                threads,
                ..LiveNeeds::default()
            },
        )?;
        self.last_seen = topframe::baseline(&snapshot, threads);
        self.last_sample = sample;
        self.primed = Some(threads);
        Ok(())
    }

    /// Whether a frame of rows by thread (or not) needs a new baseline.
    pub fn needs_prime(&self, threads: bool) -> bool {
        self.primed != Some(threads)
    }

    /// The next frame, reading what `needs` asks for. `kinds`: work out
    /// each task's verdict (for ps keywords that show it).
    pub fn frame(&mut self, needs: LiveNeeds, kinds: bool) -> Result<Frame, SourceError> {
        let sample = self.live.sample()?;
        let snapshot = self.live.read(&sample, needs)?;
        let frame = Frame::new(
            snapshot,
            sample.clone(),
            &self.last_sample,
            &self.last_seen,
            needs.threads,
            kinds,
        );
        // The old record goes before the new one is made: at 20,000
        // processes each is a megabyte.
        self.last_seen = SeenFrame::new();
        self.last_seen = frame.seen();
        self.last_sample = sample;
        self.primed = Some(needs.threads);
        Ok(frame)
    }

    /// The /proc being read, for one-off reads.
    pub fn reader(&self) -> &ProcReader {
        self.live.reader()
    }
}
