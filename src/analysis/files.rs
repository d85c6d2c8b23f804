//! What an open descriptor is: the file-type letter `ls -l` would show,
//! the access mode, and what is at its other end (the processes holding
//! the other end of a pipe, the peer of a unix socket, the addresses of a
//! TCP or UDP socket). Pure: the reading is done by `source` and `sys`.

use std::collections::HashMap;

use crate::model::{Holder, InetSocket, OpenFd, SocketTables, UnixSocket};
use crate::sys::sockdiag::UnixSocketDiag;

const S_IFMT: u32 = 0o170000;
const O_ACCMODE: u64 = 0o3;
const O_PATH: u64 = 0o10000000;

/// The file types of `ls -l`, by their letter.
pub const TYPE_LETTERS: &str = "-dcbpsl";

/// The letter `ls -l` shows for an open file: `-` regular, `d` directory,
/// `c` character device, `b` block device, `p` pipe or FIFO, `s` socket,
/// `l` a symbolic link opened with O_PATH; `?` for an anonymous inode
/// (an epoll instance, an eventfd...), which has no type of its own.
pub fn type_letter(open: &OpenFd) -> char {
    if let Some(mode) = open.detail.as_ref().and_then(|d| d.mode) {
        return match mode & S_IFMT {
            0o100000 => '-',
            0o040000 => 'd',
            0o020000 => 'c',
            0o060000 => 'b',
            0o010000 => 'p',
            0o140000 => 's',
            0o120000 => 'l',
            _ => '?',
        };
    }
    // Without stat (it failed), the link still tells some kinds.
    let t = open.target.as_str();
    if t.starts_with("pipe:") {
        'p'
    } else if t.starts_with("socket:") {
        's'
    } else {
        '?'
    }
}

/// The kind of an open file in words: "regular file", "pipe", "eventpoll".
pub fn kind(open: &OpenFd) -> String {
    let t = open.target.as_str();
    if let Some(name) = t.strip_prefix("anon_inode:") {
        let name = name.trim_start_matches('[').trim_end_matches(']');
        return name.to_string();
    }
    match type_letter(open) {
        '-' => "regular file",
        'd' => "directory",
        'c' => "character device",
        'b' => "block device",
        'p' if t.starts_with("pipe:") => "pipe",
        'p' => "FIFO",
        's' => "socket",
        'l' => "symbolic link",
        _ => "unknown",
    }
    .to_string()
}

/// `r`, `w` or `rw` from the open flags, or `path` for O_PATH.
pub fn access(flags: Option<u64>) -> Option<&'static str> {
    let flags = flags?;
    if flags & O_PATH != 0 {
        return Some("path");
    }
    Some(match flags & O_ACCMODE {
        0 => "r",
        1 => "w",
        _ => "rw",
    })
}

/// The inode of a `pipe:[N]` or `socket:[N]` link.
pub fn link_inode(target: &str) -> Option<u64> {
    let inner = target
        .strip_prefix("pipe:[")
        .or_else(|| target.strip_prefix("socket:["))?;
    inner.strip_suffix(']')?.parse().ok()
}

/// What a socket descriptor is, from the socket tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketFacts {
    /// tcp, tcp6, udp, udp6, or unix-stream, unix-dgram, unix-seqpacket.
    pub protocol: String,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub state: &'static str,
    /// The peer's inode (unix sockets, or a TCP connection on this machine).
    pub peer_inode: Option<u64>,
}

/// One process at the other end of a descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub pid: i32,
    pub fd: i32,
    /// "read end", "write end", "read and write end", "peer socket".
    pub end: &'static str,
}

/// An open descriptor understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub letter: char,
    pub kind: String,
    pub access: Option<&'static str>,
    pub socket: Option<SocketFacts>,
    /// Who holds the other end (the same pipe, the peer socket).
    pub peers: Vec<Peer>,
}

/// The sockets and the holders of pipes and sockets, indexed.
#[derive(Debug, Default)]
pub struct Ends<'a> {
    inet: HashMap<u64, &'a InetSocket>,
    unix: HashMap<u64, &'a UnixSocket>,
    /// `pipe:[N]` or `socket:[N]` -> every descriptor open on it.
    holders: HashMap<String, Vec<Holder>>,
    tables: Option<&'a SocketTables>,
}

impl<'a> Ends<'a> {
    pub fn new(tables: &'a SocketTables, holders: Vec<(String, Holder)>) -> Self {
        let mut by_target: HashMap<String, Vec<Holder>> = HashMap::new();
        for (target, holder) in holders {
            by_target.entry(target).or_default().push(holder);
        }
        Ends {
            inet: tables.inet.iter().map(|s| (s.inode, s)).collect(),
            unix: tables.unix.iter().map(|s| (s.inode, s)).collect(),
            holders: by_target,
            tables: Some(tables),
        }
    }

    /// The links whose holders a reader must find to resolve these
    /// descriptors: each pipe itself, and each socket's peer.
    pub fn wanted(tables: &SocketTables, open: &[OpenFd]) -> std::collections::HashSet<String> {
        let unix: HashMap<u64, &UnixSocket> = tables.unix.iter().map(|s| (s.inode, s)).collect();
        let mut wanted = std::collections::HashSet::new();
        for o in open {
            if o.target.starts_with("pipe:") {
                wanted.insert(o.target.clone());
            } else if let Some(inode) = link_inode(&o.target) {
                if let Some(peer) = unix.get(&inode).and_then(|s| s.peer) {
                    wanted.insert(format!("socket:[{peer}]"));
                }
                if let Some(peer) = inet_peer(tables, inode) {
                    wanted.insert(format!("socket:[{peer}]"));
                }
            }
        }
        wanted
    }

    /// A socket's facts by its inode.
    pub fn socket(&self, inode: u64) -> Option<SocketFacts> {
        if let Some(s) = self.unix.get(&inode) {
            return Some(SocketFacts {
                protocol: format!("unix-{}", s.socket_type),
                local: s
                    .name
                    .as_ref()
                    .map(|n| String::from_utf8_lossy(n).into_owned()),
                remote: None,
                state: s.state,
                peer_inode: s.peer.filter(|&p| p != 0),
            });
        }
        let s = self.inet.get(&inode)?;
        let unspecified = s.remote.ip().is_unspecified() && s.remote.port() == 0;
        Some(SocketFacts {
            protocol: s.protocol.to_string(),
            local: Some(s.local.to_string()),
            remote: (!unspecified).then(|| s.remote.to_string()),
            state: s.state,
            peer_inode: self.tables.and_then(|t| inet_peer(t, inode)),
        })
    }

    /// Resolves descriptor `open` of process `pid`.
    pub fn resolve(&self, pid: i32, open: &OpenFd) -> Resolved {
        let flags = open.detail.as_ref().and_then(|d| d.flags);
        let mut resolved = Resolved {
            letter: type_letter(open),
            kind: kind(open),
            access: access(flags),
            socket: None,
            peers: Vec::new(),
        };
        if open.target.starts_with("pipe:") {
            // Everyone else on the same pipe; the end is what they opened.
            resolved.peers = self
                .holders
                .get(&open.target)
                .into_iter()
                .flatten()
                .filter(|h| !(h.pid == pid && h.fd == open.fd))
                .map(|h| Peer {
                    pid: h.pid,
                    fd: h.fd,
                    end: match access(h.flags) {
                        Some("r") => "read end",
                        Some("w") => "write end",
                        Some(_) => "read and write end",
                        None => "an end",
                    },
                })
                .collect();
        } else if let Some(inode) = link_inode(&open.target) {
            resolved.socket = self.socket(inode);
            if let Some(peer) = resolved.socket.as_ref().and_then(|s| s.peer_inode) {
                resolved.peers = self
                    .holders
                    .get(&format!("socket:[{peer}]"))
                    .into_iter()
                    .flatten()
                    .map(|h| Peer {
                        pid: h.pid,
                        fd: h.fd,
                        end: "peer socket",
                    })
                    .collect();
            }
        }
        resolved
    }
}

/// The unix sockets the kernel's sock_diag interface reported, named.
pub fn unix_sockets(diag: Vec<UnixSocketDiag>) -> Vec<UnixSocket> {
    diag.into_iter()
        .map(|d| UnixSocket {
            inode: d.inode,
            socket_type: match d.socket_type {
                1 => "stream",
                2 => "dgram",
                5 => "seqpacket",
                _ => "unknown",
            },
            // TCP's numbering of states, as sock_diag uses it.
            state: match d.state {
                1 => "ESTAB",
                2 => "SYN-SENT",
                7 => "UNCONN",
                10 => "LISTEN",
                _ => "UNKNOWN",
            },
            name: d.name,
            peer: d.peer,
        })
        .collect()
}

/// A TCP connection's other end on this machine: the socket whose local
/// address is this one's remote and whose remote is this one's local.
fn inet_peer(tables: &SocketTables, inode: u64) -> Option<u64> {
    let me = tables.inet.iter().find(|s| s.inode == inode)?;
    if me.state == "LISTEN" || me.remote.port() == 0 {
        return None;
    }
    tables
        .inet
        .iter()
        .find(|s| s.local == me.remote && s.remote == me.local && s.inode != 0)
        .map(|s| s.inode)
}

/// Whether a socket uses port `port` locally or remotely.
pub fn uses_port(socket: &SocketFacts, port: u16) -> bool {
    let has = |addr: &Option<String>| {
        addr.as_deref()
            .and_then(|a| a.rsplit_once(':'))
            .is_some_and(|(_, p)| p.parse() == Ok(port))
    };
    !socket.protocol.starts_with("unix") && (has(&socket.local) || has(&socket.remote))
}

/// Parses `--type` letters, refusing any that `ls -l` does not show.
pub fn parse_type_letters(text: &str) -> Result<Vec<char>, String> {
    let mut letters = Vec::new();
    for (i, c) in text.chars().enumerate() {
        if !TYPE_LETTERS.contains(c) && c != '?' {
            return Err(format!(
                "invalid file type '{}' at position {}: expected letters of {TYPE_LETTERS} \
                 (or ? for anonymous inodes)",
                c.escape_debug(),
                i + 1
            ));
        }
        letters.push(c);
    }
    if letters.is_empty() {
        return Err("no file type letters given".into());
    }
    Ok(letters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FdDetail;

    fn fd(n: i32, target: &str, mode: Option<u32>, flags: Option<u64>) -> OpenFd {
        OpenFd {
            fd: n,
            target: target.into(),
            detail: Some(FdDetail {
                mode,
                flags,
                ..FdDetail::default()
            }),
        }
    }

    #[test]
    fn letters_follow_ls() {
        let cases = [
            (0o100644, "/etc/passwd", '-', "regular file"),
            (0o040755, "/tmp", 'd', "directory"),
            (0o020666, "/dev/null", 'c', "character device"),
            (0o060660, "/dev/sda", 'b', "block device"),
            (0o010600, "pipe:[12]", 'p', "pipe"),
            (0o010644, "/tmp/fifo", 'p', "FIFO"),
            (0o140777, "socket:[9]", 's', "socket"),
            (0o120777, "/etc/localtime", 'l', "symbolic link"),
            (0o600, "anon_inode:[eventpoll]", '?', "eventpoll"),
            (0o600, "anon_inode:[timerfd]", '?', "timerfd"),
        ];
        for (mode, target, letter, name) in cases {
            let o = fd(3, target, Some(mode), None);
            assert_eq!((type_letter(&o), kind(&o).as_str()), (letter, name));
        }
        let unread = OpenFd {
            fd: 1,
            target: "pipe:[5]".into(),
            detail: None,
        };
        assert_eq!(type_letter(&unread), 'p');
    }

    #[test]
    fn access_modes_and_inodes() {
        assert_eq!(access(Some(0o2)), Some("rw"));
        assert_eq!(access(Some(0o2000001)), Some("w"));
        assert_eq!(access(Some(0o12400000)), Some("path"));
        assert_eq!(access(None), None);
        assert_eq!(link_inode("pipe:[4321]"), Some(4321));
        assert_eq!(link_inode("socket:[7]"), Some(7));
        assert_eq!(link_inode("/tmp/x"), None);
        assert!(parse_type_letters("ps").is_ok());
        assert!(parse_type_letters("px").unwrap_err().contains("position 2"));
    }

    #[test]
    fn pipe_ends_and_unix_peers_are_found() {
        let tables = SocketTables {
            unix: vec![
                UnixSocket {
                    inode: 10,
                    socket_type: "stream",
                    state: "ESTAB",
                    name: None,
                    peer: Some(11),
                },
                UnixSocket {
                    inode: 11,
                    socket_type: "stream",
                    state: "ESTAB",
                    name: Some(b"/run/x.sock".to_vec()),
                    peer: Some(10),
                },
            ],
            unix_peers: true,
            ..SocketTables::default()
        };
        let mine = [
            fd(3, "pipe:[77]", Some(0o010600), Some(0)),
            fd(4, "socket:[10]", Some(0o140777), Some(2)),
        ];
        let wanted = Ends::wanted(&tables, &mine);
        assert!(wanted.contains("pipe:[77]") && wanted.contains("socket:[11]"));
        let holders = vec![
            (
                "pipe:[77]".to_string(),
                Holder {
                    pid: 1,
                    fd: 3,
                    flags: Some(0),
                },
            ),
            (
                "pipe:[77]".to_string(),
                Holder {
                    pid: 2,
                    fd: 9,
                    flags: Some(1),
                },
            ),
            (
                "socket:[11]".to_string(),
                Holder {
                    pid: 2,
                    fd: 5,
                    flags: Some(2),
                },
            ),
        ];
        let ends = Ends::new(&tables, holders);
        let pipe = ends.resolve(1, &mine[0]);
        assert_eq!(
            pipe.peers,
            vec![Peer {
                pid: 2,
                fd: 9,
                end: "write end"
            }]
        );
        assert_eq!(pipe.access, Some("r"));
        let sock = ends.resolve(1, &mine[1]);
        assert_eq!(sock.socket.as_ref().unwrap().protocol, "unix-stream");
        assert_eq!(sock.peers[0].pid, 2);
    }
}
