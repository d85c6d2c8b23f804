//! Single files of one live process, read on request rather than in a
//! scan: the system call it is in (syscall), its open descriptors (fd, and
//! fdinfo for their flags and what an epoll instance watches), its memory
//! map (maps), and kernel settings under sys/.

use std::io;
use std::os::fd::AsFd;

use nix::dir::Dir;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use super::{ProcPath, ProcReader, ReadBuf};
use crate::model::{
    FdDetail, Holder, InetSocket, Mapping, OpenFd, ReadError, SocketTables, SyscallNow, Task,
    ThreadWait, UnixSocket,
};

impl ProcReader {
    /// What /proc/PID/syscall says now. Reading it needs the right to
    /// trace the process (one's own children, or root).
    pub fn syscall(&self, pid: i32) -> io::Result<SyscallNow> {
        let mut buf = ReadBuf::new();
        let bytes = self.read_at(&ProcPath::new().number(pid).file("syscall"), &mut buf)?;
        parse_syscall(bytes).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "unexpected syscall contents")
        })
    }

    /// The open descriptors of a process, lowest first, with what each
    /// link points to.
    pub fn descriptors(&self, pid: i32) -> io::Result<Vec<OpenFd>> {
        let dir_path = ProcPath::new().number(pid).file("fd");
        let mut dir = Dir::openat(
            self.root_fd.as_fd(),
            dir_path.as_cstr(),
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(io::Error::from)?;
        let mut numbers: Vec<i32> = dir
            .iter()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().ok()?.parse().ok())
            .collect();
        numbers.sort_unstable();
        let mut open = Vec::new();
        for fd in numbers {
            let link = dir_path.number(fd);
            // A descriptor closed since the listing is simply not there.
            if let Ok(target) = nix::fcntl::readlinkat(self.root_fd.as_fd(), link.as_cstr()) {
                open.push(OpenFd {
                    fd,
                    target: target.to_string_lossy().into_owned(),
                    detail: None,
                });
            }
        }
        Ok(open)
    }

    /// The open descriptors with what stat() and fdinfo say of each.
    pub fn descriptors_in_detail(&self, pid: i32) -> io::Result<Vec<OpenFd>> {
        let mut open = self.descriptors(pid)?;
        let mut buf = ReadBuf::new();
        for o in &mut open {
            let link = ProcPath::new().number(pid).file("fd").number(o.fd);
            let mut detail = nix::sys::stat::fstatat(
                self.root_fd.as_fd(),
                link.as_cstr(),
                nix::fcntl::AtFlags::empty(),
            )
            .map(|st| FdDetail {
                mode: Some(st.st_mode),
                device: Some(st.st_dev),
                inode: Some(st.st_ino),
                ..FdDetail::default()
            })
            .unwrap_or_default();
            let info = ProcPath::new().number(pid).file("fdinfo").number(o.fd);
            if let Ok(bytes) = self.read_at(&info, &mut buf) {
                let text = String::from_utf8_lossy(bytes);
                detail.position = parse_fd_position(&text);
                detail.flags = parse_fd_flags(&text);
                detail.epoll_targets = parse_epoll_targets(&text);
            }
            o.detail = Some(detail);
        }
        Ok(open)
    }

    /// What one thread is doing: its system call, the kernel function it
    /// sleeps in, and (when asked) its kernel stack.
    pub fn thread_wait(&self, thread: Task, stack: bool) -> ThreadWait {
        let dir = ProcPath::new()
            .number(thread.tgid)
            .file("task")
            .number(thread.pid);
        let mut buf = ReadBuf::new();
        let syscall = match self.read_at(&dir.file("syscall"), &mut buf) {
            Ok(bytes) => parse_syscall(bytes).ok_or(ReadError::Other),
            Err(e) => Err(ReadError::from_io(&e)),
        };
        let wchan = self
            .read_at(&dir.file("wchan"), &mut buf)
            .map(|b| String::from_utf8_lossy(b).trim().to_string())
            .map_err(|e| ReadError::from_io(&e));
        let stack = stack.then(|| {
            self.read_at(&dir.file("stack"), &mut buf)
                .map(|b| parse_stack(&String::from_utf8_lossy(b)))
                .map_err(|e| ReadError::from_io(&e))
        });
        ThreadWait {
            task: thread,
            syscall,
            wchan,
            stack,
        }
    }

    /// The TCP, UDP and unix sockets of the machine's network namespace,
    /// as /proc/net lists them (parsed by procfs). Unix sockets come from
    /// `unix` when the caller could ask the kernel for them with their
    /// peers; else from /proc/net/unix, without peers.
    pub fn socket_tables(&self, unix: Option<Vec<UnixSocket>>) -> SocketTables {
        use procfs::net::{TcpNetEntries, UdpNetEntries, UnixNetEntries};
        use procfs::{FromRead, FromReadSI};
        let mut tables = SocketTables::default();
        let system = procfs::current_system_info();
        let mut buf = ReadBuf::new();
        for (file, protocol) in [("net/tcp", "tcp"), ("net/tcp6", "tcp6")] {
            let Ok(bytes) = self.read_at(&ProcPath::new().file(file), &mut buf) else {
                continue;
            };
            if let Ok(entries) = TcpNetEntries::from_read(bytes, system) {
                tables
                    .inet
                    .extend(entries.0.into_iter().map(|e| InetSocket {
                        protocol,
                        local: e.local_address,
                        remote: e.remote_address,
                        state: tcp_state(&e.state),
                        inode: e.inode,
                    }));
            }
        }
        for (file, protocol) in [("net/udp", "udp"), ("net/udp6", "udp6")] {
            let Ok(bytes) = self.read_at(&ProcPath::new().file(file), &mut buf) else {
                continue;
            };
            if let Ok(entries) = UdpNetEntries::from_read(bytes, system) {
                tables
                    .inet
                    .extend(entries.0.into_iter().map(|e| InetSocket {
                        protocol,
                        local: e.local_address,
                        remote: e.remote_address,
                        state: if matches!(e.state, procfs::net::UdpState::Established) {
                            "ESTAB"
                        } else {
                            "UNCONN"
                        },
                        inode: e.inode,
                    }));
            }
        }
        match unix {
            Some(sockets) => {
                tables.unix = sockets;
                tables.unix_peers = true;
            }
            None => {
                if let Ok(bytes) = self.read_at(&ProcPath::new().file("net/unix"), &mut buf) {
                    if let Ok(entries) = UnixNetEntries::from_read(bytes) {
                        tables.unix = entries
                            .0
                            .into_iter()
                            .map(|e| UnixSocket {
                                inode: e.inode,
                                socket_type: unix_type(e.socket_type),
                                state: unix_state(&e.state),
                                name: e.path.map(|p| p.into_os_string().into_encoded_bytes()),
                                peer: None,
                            })
                            .collect();
                    }
                }
            }
        }
        tables
    }

    /// Every process's descriptors whose link names one of `targets`
    /// (`pipe:[INODE]`, `socket:[INODE]`), with their open flags. Processes
    /// whose descriptors cannot be read are passed over.
    pub fn holders(&self, targets: &std::collections::HashSet<String>) -> Vec<(String, Holder)> {
        let mut found = Vec::new();
        if targets.is_empty() {
            return found;
        }
        let mut pids = Vec::new();
        let _ = self.list_pids_in(&ProcPath::new().file("."), |block| {
            pids.extend_from_slice(block)
        });
        for pid in pids {
            let Ok(open) = self.descriptors(pid) else {
                continue;
            };
            for o in open.into_iter().filter(|o| targets.contains(&o.target)) {
                let flags = self.fd_flags(pid, o.fd).ok();
                found.push((
                    o.target,
                    Holder {
                        pid,
                        fd: o.fd,
                        flags,
                    },
                ));
            }
        }
        found
    }

    /// The descriptors registered in the epoll instance that is open as
    /// `fd` in process `pid`: the `tfd:` lines of /proc/PID/fdinfo/FD.
    pub fn epoll_targets(&self, pid: i32, fd: i32) -> io::Result<Vec<i32>> {
        let mut buf = ReadBuf::new();
        let path = ProcPath::new().number(pid).file("fdinfo").number(fd);
        let bytes = self.read_at(&path, &mut buf)?;
        Ok(parse_epoll_targets(&String::from_utf8_lossy(bytes)))
    }

    /// The open flags of descriptor `fd` of process `pid` (the octal
    /// `flags:` line of /proc/PID/fdinfo/FD), close-on-exec included.
    pub fn fd_flags(&self, pid: i32, fd: i32) -> io::Result<u64> {
        let mut buf = ReadBuf::new();
        let path = ProcPath::new().number(pid).file("fdinfo").number(fd);
        let bytes = self.read_at(&path, &mut buf)?;
        parse_fd_flags(&String::from_utf8_lossy(bytes))
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no flags line in fdinfo"))
    }

    /// The memory map of a process, one entry per mapping.
    pub fn mappings(&self, pid: i32) -> io::Result<Vec<Mapping>> {
        let mut buf = ReadBuf::new();
        let bytes = self.read_at(&ProcPath::new().number(pid).file("maps"), &mut buf)?;
        Ok(String::from_utf8_lossy(bytes)
            .lines()
            .filter_map(parse_mapping)
            .collect())
    }

    /// A kernel setting such as `sys/kernel/core_pattern`, without its
    /// final newline.
    pub fn setting(&self, name: &str) -> io::Result<String> {
        let mut buf = ReadBuf::new();
        let bytes = self.read_at(&ProcPath::new().file(name), &mut buf)?;
        let text = String::from_utf8_lossy(bytes);
        Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
    }
}

/// `running`, `-1 SP PC` (not in a call), or `NR A1 .. A6 SP PC` with the
/// number in decimal and the rest in hex.
pub(super) fn parse_syscall(bytes: &[u8]) -> Option<SyscallNow> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if text == "running" {
        return Some(SyscallNow::Running);
    }
    let mut words = text.split_whitespace();
    let number: i64 = words.next()?.parse().ok()?;
    if number < 0 {
        return Some(SyscallNow::User);
    }
    let mut args = [0u64; 6];
    for arg in &mut args {
        let word = words.next()?;
        *arg = u64::from_str_radix(word.trim_start_matches("0x"), 16).ok()?;
    }
    Some(SyscallNow::Call { number, args })
}

/// One kernel function a line: `[<0>] do_wait+0x1b2/0x2f0` -> `do_wait`.
fn parse_stack(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let name = l.split_once("] ").map_or(l, |(_, rest)| rest).trim();
            let name = name.split('+').next()?.trim();
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

fn parse_fd_position(text: &str) -> Option<u64> {
    let line = text.lines().find_map(|l| l.strip_prefix("pos:"))?;
    line.trim().parse().ok()
}

/// TCP states as ss names them.
fn tcp_state(state: &procfs::net::TcpState) -> &'static str {
    use procfs::net::TcpState::*;
    match state {
        Established => "ESTAB",
        SynSent => "SYN-SENT",
        SynRecv => "SYN-RECV",
        FinWait1 => "FIN-WAIT-1",
        FinWait2 => "FIN-WAIT-2",
        TimeWait => "TIME-WAIT",
        Close => "UNCONN",
        CloseWait => "CLOSE-WAIT",
        LastAck => "LAST-ACK",
        Listen => "LISTEN",
        Closing => "CLOSING",
        NewSynRecv => "SYN-RECV",
    }
}

fn unix_state(state: &procfs::net::UnixState) -> &'static str {
    use procfs::net::UnixState::*;
    match state {
        CONNECTED => "ESTAB",
        UNCONNECTED => "UNCONN",
        CONNECTING => "SYN-SENT",
        DISCONNECTING => "CLOSING",
    }
}

/// A unix socket's type by its number (SOCK_STREAM 1, SOCK_DGRAM 2,
/// SOCK_SEQPACKET 5).
pub fn unix_type(number: u16) -> &'static str {
    match number {
        1 => "stream",
        2 => "dgram",
        5 => "seqpacket",
        _ => "unknown",
    }
}

fn parse_epoll_targets(text: &str) -> Vec<i32> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("tfd:"))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect()
}

fn parse_fd_flags(text: &str) -> Option<u64> {
    let line = text.lines().find_map(|l| l.strip_prefix("flags:"))?;
    u64::from_str_radix(line.trim(), 8).ok()
}

/// `ADDR PERMS OFFSET DEV INODE [PATH]`; the path may hold spaces.
fn parse_mapping(line: &str) -> Option<Mapping> {
    let mut rest = line;
    let mut fields = Vec::with_capacity(5);
    for _ in 0..5 {
        rest = rest.trim_start();
        let end = rest.find(' ').unwrap_or(rest.len());
        fields.push(&rest[..end]);
        rest = &rest[end..];
    }
    let path = rest.trim();
    Some(Mapping {
        perms: fields.get(1)?.to_string(),
        path: (!path.is_empty()).then(|| path.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_lines_in_their_three_forms() {
        assert_eq!(parse_syscall(b"running\n"), Some(SyscallNow::Running));
        assert_eq!(
            parse_syscall(b"-1 0x7ffc8a9d1e38 0x55d0c0de1234\n"),
            Some(SyscallNow::User)
        );
        assert_eq!(
            parse_syscall(b"0 0x5 0x7ffd1000 0x1000 0x0 0x0 0x0 0x7ffd0ff8 0x7f0012345678\n"),
            Some(SyscallNow::Call {
                number: 0,
                args: [5, 0x7ffd1000, 0x1000, 0, 0, 0]
            })
        );
        assert_eq!(parse_syscall(b"232 0x4"), None, "arguments missing");
        assert_eq!(parse_syscall(b""), None);
    }

    #[test]
    fn epoll_fdinfo_lists_registered_descriptors() {
        let text = "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n\
                    tfd:        4 events:       19 data:                4  pos:0 ino:2f3a sdev:e\n\
                    tfd:        7 events:       19 data:                7  pos:0 ino:2f3c sdev:8\n";
        assert_eq!(parse_epoll_targets(text), vec![4, 7]);
        assert!(parse_epoll_targets("pos:\t0\n").is_empty());
    }

    #[test]
    fn stacks_keep_function_names() {
        let text = "[<0>] pipe_read+0x31e/0x450\n[<0>] vfs_read+0x2f4/0x330\n";
        assert_eq!(parse_stack(text), vec!["pipe_read", "vfs_read"]);
        assert!(parse_stack("").is_empty());
    }

    #[test]
    fn fdinfo_flags_are_octal() {
        assert_eq!(parse_fd_position("pos:\t4096\nflags:\t02\n"), Some(4096));
        let text = "pos:\t0\nflags:\t02100000\nmnt_id:\t24\nino:\t6\n";
        assert_eq!(parse_fd_flags(text), Some(0o2100000));
        assert_eq!(parse_fd_flags("pos:\t0\n"), None);
    }

    #[test]
    fn maps_lines_with_and_without_a_path() {
        let m = parse_mapping("55d0c0de0000-55d0c0de2000 r-xp 00002000 08:01 1311 /usr/bin/sleep")
            .unwrap();
        assert_eq!(m.perms, "r-xp");
        assert_eq!(m.path.as_deref(), Some("/usr/bin/sleep"));
        let m = parse_mapping("7f00aa000000-7f00aa021000 rw-p 00000000 00:00 0 ").unwrap();
        assert_eq!(m.path, None);
        let m = parse_mapping("7f0-7f1 r--p 00000000 08:01 12 /tmp/a b (deleted)").unwrap();
        assert_eq!(m.path.as_deref(), Some("/tmp/a b (deleted)"));
    }
}
