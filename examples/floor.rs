//! The kernel's floor for a process listing, for the benchmark: list /proc
//! and read every /proc/PID/stat (and status, with `status`) into one
//! reused buffer, parsing nothing. pscope cannot be faster than this on
//! one thread.
//!
//!   cargo run --release --example floor [status]

use std::fs::File;
use std::io::Read;

fn main() {
    let with_status = std::env::args().nth(1).as_deref() == Some("status");
    let mut buf = Vec::with_capacity(4096);
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
            buf.clear();
            if let Ok(mut f) = File::open(format!("/proc/{pid}/{file}")) {
                bytes += f.read_to_end(&mut buf).unwrap_or(0);
            }
        }
    }
    println!("{bytes}");
}
