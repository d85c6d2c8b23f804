//! Reading a few bytes of another process's memory, as strace does to
//! decode the arguments of a call: the descriptor sets of poll and select,
//! the time asked of nanosleep. The kernel allows it only where ptrace
//! would be allowed (one's own processes, or root); elsewhere it fails
//! with EPERM, which the caller reports.

use std::io::{self, IoSliceMut};

use nix::sys::uio::{process_vm_readv, RemoteIoVec};
use nix::unistd::Pid;

/// The most a caller may ask for: a full fd_set of 1,024 bits is 128
/// bytes, a poll list of 4,096 entries 32 KiB.
pub const MAX_PEEK: usize = 32 * 1024;

/// Reads `len` bytes at `address` in process `pid`. A short read (the
/// range runs into unmapped memory) is an error.
pub fn read(pid: i32, address: u64, len: usize) -> io::Result<Vec<u8>> {
    if len > MAX_PEEK {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "more memory than a call's arguments hold",
        ));
    }
    let mut bytes = vec![0u8; len];
    let remote = [RemoteIoVec {
        base: usize::try_from(address).map_err(|_| io::ErrorKind::InvalidInput)?,
        len,
    }];
    let got = process_vm_readv(
        Pid::from_raw(pid),
        &mut [IoSliceMut::new(&mut bytes)],
        &remote,
    )
    .map_err(io::Error::from)?;
    if got != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the range is not all mapped",
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_memory_and_refuses_too_much() {
        let here = [1u8, 2, 3, 4, 5];
        let got = read(std::process::id() as i32, here.as_ptr() as u64, 5).unwrap();
        assert_eq!(got, here);
        assert!(read(std::process::id() as i32, 0, 8).is_err(), "page zero");
        assert!(read(
            std::process::id() as i32,
            here.as_ptr() as u64,
            MAX_PEEK + 1
        )
        .is_err());
    }
}
