//! The kernel's sock_diag netlink interface, asked for every unix socket
//! with its bound name and its peer, as `ss -x` asks it. /proc/net/unix
//! lists paths and states but never says which socket is connected to
//! which; only this interface does. The socket and the messages go through
//! rustix's safe calls; the messages are laid out and read here, with the
//! layouts of linux/netlink.h, linux/sock_diag.h and linux/unix_diag.h.

use std::io;

use rustix::net::{netlink, AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType};

/// One unix socket as the kernel describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnixSocketDiag {
    pub inode: u64,
    /// SOCK_STREAM (1), SOCK_DGRAM (2) or SOCK_SEQPACKET (5).
    pub socket_type: u8,
    /// TCP's numbering: 1 connected, 7 unconnected, 10 listening.
    pub state: u8,
    /// The bound name: a path, or `@name` in the abstract namespace.
    pub name: Option<Vec<u8>>,
    /// The inode of the socket at the other end.
    pub peer: Option<u64>,
}

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const AF_UNIX: u8 = 1;
const UDIAG_SHOW_NAME: u32 = 0x1;
const UDIAG_SHOW_PEER: u32 = 0x4;
const UNIX_DIAG_NAME: u16 = 0;
const UNIX_DIAG_PEER: u16 = 2;
const HEADER: usize = 16;

/// Every unix socket of this network namespace.
pub fn unix_sockets() -> io::Result<Vec<UnixSocketDiag>> {
    let socket = rustix::net::socket_with(
        AddressFamily::NETLINK,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        Some(netlink::SOCK_DIAG),
    )?;
    rustix::net::send(&socket, &dump_request(), SendFlags::empty())?;
    let mut found = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let (n, _) = rustix::net::recv(&socket, &mut buf[..], RecvFlags::empty())?;
        if n == 0 {
            return Ok(found);
        }
        if parse_messages(&buf[..n], &mut found)? {
            return Ok(found);
        }
    }
}

/// nlmsghdr then unix_diag_req: all states, names and peers.
fn dump_request() -> Vec<u8> {
    let mut m = Vec::with_capacity(40);
    m.extend_from_slice(&40u32.to_ne_bytes()); // nlmsg_len
    m.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    m.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    m.extend_from_slice(&1u32.to_ne_bytes()); // sequence
    m.extend_from_slice(&0u32.to_ne_bytes()); // port: the kernel's
    m.extend_from_slice(&[AF_UNIX, 0, 0, 0]); // family, protocol, pad
    m.extend_from_slice(&u32::MAX.to_ne_bytes()); // every state
    m.extend_from_slice(&0u32.to_ne_bytes()); // any inode
    m.extend_from_slice(&(UDIAG_SHOW_NAME | UDIAG_SHOW_PEER).to_ne_bytes());
    m.extend_from_slice(&[0xff; 8]); // no cookie
    m
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Reads the messages of one datagram into `found`; true at the end of
/// the dump.
fn parse_messages(mut b: &[u8], found: &mut Vec<UnixSocketDiag>) -> io::Result<bool> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "malformed sock_diag answer");
    while b.len() >= HEADER {
        let len = u32_at(b, 0).ok_or_else(bad)? as usize;
        let kind = u16_at(b, 4).ok_or_else(bad)?;
        if len < HEADER || len > b.len() {
            return Err(bad());
        }
        match kind {
            NLMSG_DONE => return Ok(true),
            NLMSG_ERROR => {
                let errno = u32_at(b, HEADER).ok_or_else(bad)? as i32;
                return Err(io::Error::from_raw_os_error(-errno));
            }
            SOCK_DIAG_BY_FAMILY => found.push(parse_socket(&b[HEADER..len]).ok_or_else(bad)?),
            _ => {}
        }
        b = &b[align4(len).min(b.len())..];
    }
    Ok(false)
}

/// unix_diag_msg (16 bytes), then attributes of (length, type, data).
fn parse_socket(b: &[u8]) -> Option<UnixSocketDiag> {
    let mut socket = UnixSocketDiag {
        inode: u64::from(u32_at(b, 4)?),
        socket_type: *b.get(1)?,
        state: *b.get(2)?,
        name: None,
        peer: None,
    };
    let mut rest = b.get(16..)?;
    while rest.len() >= 4 {
        let len = usize::from(u16_at(rest, 0)?);
        let kind = u16_at(rest, 2)?;
        let data = rest.get(4..len)?;
        match kind {
            UNIX_DIAG_NAME => {
                // An abstract name starts with a NUL, shown as `@`.
                let mut name = data.to_vec();
                if name.first() == Some(&0) {
                    name[0] = b'@';
                } else {
                    // A path bound with its final NUL keeps it here.
                    while name.last() == Some(&0) {
                        name.pop();
                    }
                }
                socket.name = Some(name);
            }
            UNIX_DIAG_PEER => socket.peer = u32_at(data, 0).map(u64::from),
            _ => {}
        }
        rest = rest.get(align4(len).min(rest.len())..)?;
    }
    Some(socket)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::{UnixListener, UnixStream};

    fn inode_of(fd: i32) -> u64 {
        let link = std::fs::read_link(format!("/proc/self/fd/{fd}")).unwrap();
        let text = link.to_string_lossy().into_owned();
        text.trim_start_matches("socket:[")
            .trim_end_matches(']')
            .parse()
            .unwrap()
    }

    #[test]
    fn a_pair_names_each_other_and_a_listener_its_path() {
        let (a, b) = UnixStream::pair().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        let listener = UnixListener::bind(&path).unwrap();
        let sockets = unix_sockets().unwrap();
        let find = |inode| sockets.iter().find(|s| s.inode == inode).unwrap();
        let (ia, ib) = (inode_of(a.as_raw_fd()), inode_of(b.as_raw_fd()));
        assert_eq!(find(ia).peer, Some(ib));
        assert_eq!(find(ib).peer, Some(ia));
        assert_eq!(find(ia).state, 1);
        let l = find(inode_of(listener.as_raw_fd()));
        assert_eq!(l.state, 10);
        assert_eq!(l.name.as_deref(), Some(path.as_os_str().as_encoded_bytes()));
    }

    #[test]
    fn truncated_answers_are_errors_not_panics() {
        let mut found = Vec::new();
        assert!(parse_messages(&[40, 0, 0, 0, 20, 0], &mut found).is_ok());
        let mut msg = vec![0u8; 20];
        msg[0] = 200; // longer than the datagram
        assert!(parse_messages(&msg, &mut found).is_err());
        assert!(parse_socket(&[1, 1, 1]).is_none());
    }
}
