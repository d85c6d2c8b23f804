//! The kernel's floor for a process listing, for the benchmark: list /proc
//! and read every /proc/PID/stat (and the other files named: `status`,
//! `cmdline`, `wchan`, ...) the cheapest way there is — opened relative to
//! /proc, one read into a reused buffer, nothing parsed. pscope on one
//! thread cannot be faster than this.
//!
//! With `threads N`, /proc is listed first and N threads then read every
//! Nth process each: what parallel reads can give on this machine.
//!
//!   cargo run --release --example floor [FILE...] [threads N]

use std::ffi::CString;
use std::fs::File;
use std::os::fd::{AsRawFd, RawFd};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let threads_at = args.iter().position(|a| a == "threads");
    let threads: usize = threads_at
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut files: Vec<&str> = vec!["stat"];
    for (i, arg) in args.iter().enumerate() {
        let is_count = threads_at.is_some_and(|t| i == t || i == t + 1);
        if !is_count && !files.contains(&arg.as_str()) {
            files.push(arg);
        }
    }
    let files = files.as_slice();

    let proc_dir = File::open("/proc").expect("/proc");
    let pids: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.bytes().all(|b| b.is_ascii_digit()).then_some(name)
        })
        .collect();

    let dir = proc_dir.as_raw_fd();
    let bytes: usize = if threads == 1 {
        read_every(dir, &pids, 0, 1, files)
    } else {
        std::thread::scope(|scope| {
            let readers: Vec<_> = (0..threads)
                .map(|first| {
                    let pids = &pids;
                    scope.spawn(move || read_every(dir, pids, first, threads, files))
                })
                .collect();
            readers.into_iter().map(|r| r.join().expect("reader")).sum()
        })
    };
    println!("{bytes}");
}

/// Reads `files` of every `step`th process from `first` on; returns the
/// bytes read.
fn read_every(dir: RawFd, pids: &[String], first: usize, step: usize, files: &[&str]) -> usize {
    let mut buf = vec![0u8; 8192];
    let mut bytes = 0usize;
    for pid in pids.iter().skip(first).step_by(step) {
        for file in files {
            let path = CString::new(format!("{pid}/{file}")).expect("no NUL");
            // SAFETY: plain system calls on a buffer we own.
            unsafe {
                let fd = libc::openat(dir, path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
                if fd < 0 {
                    continue;
                }
                let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
                if n > 0 {
                    bytes += n as usize;
                }
                libc::close(fd);
            }
        }
    }
    bytes
}
