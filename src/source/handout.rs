//! Hands PIDs from the thread that lists /proc to the threads that read
//! them, in blocks, while the listing goes on, so that reading does not wait
//! for the whole list. Each PID comes with its own result slot, from slots
//! allocated once before the listing, so no result is copied afterwards.

use std::sync::{Condvar, Mutex, MutexGuard};

use crate::model::Task;

/// PIDs are listed and handed out this many at a time.
pub const BLOCK: usize = 64;

/// A block to read: `pids[..slots.len()]` go into `slots`, in order.
pub struct Block<'a> {
    pub pids: [i32; BLOCK],
    pub slots: &'a mut [Task],
}

pub struct Handout<'a> {
    state: Mutex<State<'a>>,
    more: Condvar,
}

struct State<'a> {
    /// Every PID listed so far, in listing order.
    pids: Vec<i32>,
    /// How many of `pids` have been handed out.
    handed: usize,
    /// The slots not yet handed out: the next one belongs to `pids[handed]`.
    slots: &'a mut [Task],
    /// The listing is over.
    done: bool,
}

impl<'a> Handout<'a> {
    pub fn new(slots: &'a mut [Task]) -> Self {
        Handout {
            state: Mutex::new(State {
                pids: Vec::with_capacity(slots.len()),
                handed: 0,
                slots,
                done: false,
            }),
            more: Condvar::new(),
        }
    }

    /// Adds PIDs just listed; a reader waiting for a block wakes up.
    pub fn add(&self, pids: &[i32]) {
        self.lock().pids.extend_from_slice(pids);
        self.more.notify_one();
    }

    /// Ends the listing: the readers take what is left, then stop.
    pub fn finish(&self) {
        self.lock().done = true;
        self.more.notify_all();
    }

    /// Ends the listing when dropped, so that readers waiting for more stop
    /// even when the listing thread fails or unwinds.
    pub fn ending(&self) -> Ending<'_, 'a> {
        Ending(self)
    }

    /// The next block, waiting while the listing goes on and less than a
    /// block is ready; `None` once every slot is handed out, or the listing
    /// is over and every PID is.
    pub fn next(&self) -> Option<Block<'a>> {
        let mut state = self.lock();
        loop {
            let slots_left = state.slots.len();
            let ready = (state.pids.len() - state.handed).min(slots_left);
            if ready >= BLOCK || (state.done && ready > 0) {
                let size = ready.min(BLOCK);
                let mut pids = [0; BLOCK];
                pids[..size].copy_from_slice(&state.pids[state.handed..state.handed + size]);
                let (slots, rest) = std::mem::take(&mut state.slots).split_at_mut(size);
                state.slots = rest;
                state.handed += size;
                return Some(Block { pids, slots });
            }
            if state.done || slots_left == 0 {
                return None;
            }
            state = self.more.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The PIDs listed beyond the slots, once the readers are done: the
    /// listing can outgrow the count it was sized for when processes start
    /// while it runs.
    pub fn into_overflow(self) -> Vec<i32> {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        state.pids[state.handed..].to_vec()
    }

    fn lock(&self) -> MutexGuard<'_, State<'a>> {
        // A reader that panicked leaves consistent state: each change is
        // made whole under the lock.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct Ending<'h, 'a>(&'h Handout<'a>);

impl Drop for Ending<'_, '_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(handout: &Handout) -> Vec<Vec<i32>> {
        let mut blocks = Vec::new();
        while let Some(block) = handout.next() {
            let n = block.slots.len();
            for (slot, &pid) in block.slots.iter_mut().zip(&block.pids) {
                slot.pid = pid;
            }
            blocks.push(block.pids[..n].to_vec());
        }
        blocks
    }

    #[test]
    fn hands_out_every_pid_in_order_in_blocks() {
        let mut slots = vec![Task::default(); 200];
        let handout = Handout::new(&mut slots);
        let pids: Vec<i32> = (1..=150).collect();
        handout.add(&pids[..100]);
        handout.add(&pids[100..]);
        handout.finish();
        let blocks = drain(&handout);
        assert_eq!(
            blocks.iter().map(Vec::len).collect::<Vec<_>>(),
            [BLOCK, BLOCK, 150 - 2 * BLOCK]
        );
        assert_eq!(blocks.concat(), pids);
        assert!(handout.into_overflow().is_empty());
        assert_eq!(slots[149].pid, 150);
        assert_eq!(slots[150].pid, 0, "unused slots stay empty");
    }

    #[test]
    fn pids_beyond_the_slots_are_left_over() {
        let mut slots = vec![Task::default(); 3];
        let handout = Handout::new(&mut slots);
        handout.add(&[5, 6, 7, 8, 9]);
        handout.finish();
        assert_eq!(drain(&handout).concat(), [5, 6, 7]);
        assert_eq!(handout.into_overflow(), [8, 9]);
    }

    #[test]
    fn readers_wait_for_the_listing() {
        let mut slots = vec![Task::default(); 1000];
        let handout = Handout::new(&mut slots);
        let read = std::thread::scope(|scope| {
            let readers: Vec<_> = (0..3).map(|_| scope.spawn(|| drain(&handout))).collect();
            for chunk in (1..=1000).collect::<Vec<i32>>().chunks(7) {
                handout.add(chunk);
                std::thread::yield_now();
            }
            handout.finish();
            let mut read: Vec<i32> = readers
                .into_iter()
                .flat_map(|r| r.join().unwrap())
                .flatten()
                .collect();
            read.sort_unstable();
            read
        });
        assert_eq!(read, (1..=1000).collect::<Vec<i32>>());
        assert!(slots.iter().enumerate().all(|(i, t)| t.pid == i as i32 + 1));
    }
}
