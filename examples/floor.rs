//! The kernel's floor for a process listing, for the benchmark: list /proc
//! and read every /proc/PID/stat (and status, with `status`) the cheapest
//! way there is — opened relative to /proc, one read into a reused buffer,
//! nothing parsed. pscope on one thread cannot be faster than this.
//!
//!   cargo run --release --example floor [status]

use std::ffi::CString;
use std::fs::File;
use std::os::fd::AsRawFd;

fn main() {
    let with_status = std::env::args().nth(1).as_deref() == Some("status");
    let proc_dir = File::open("/proc").expect("/proc");
    let mut buf = vec![0u8; 8192];
    let mut bytes = 0usize;
    for entry in std::fs::read_dir("/proc").expect("/proc") {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        for file in ["stat", "status"]
            .iter()
            .take(if with_status { 2 } else { 1 })
        {
            let path = CString::new(format!("{pid}/{file}")).expect("no NUL");
            // SAFETY: plain system calls on a buffer we own.
            unsafe {
                let fd = libc::openat(
                    proc_dir.as_raw_fd(),
                    path.as_ptr(),
                    libc::O_RDONLY | libc::O_CLOEXEC,
                );
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
    println!("{bytes}");
}
