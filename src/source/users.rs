//! User and group names through the system's databases (NSS), looked up
//! once per id, and the facts about the caller that ps's selection needs.

use std::collections::HashMap;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use nix::unistd::{Gid, Group, Uid, User};

/// Names for every distinct user id; an id without an entry maps to its
/// number, as ps prints it.
pub fn names_for(uids: impl Iterator<Item = u32>) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    for uid in uids {
        names.entry(uid).or_insert_with(|| {
            User::from_uid(Uid::from_raw(uid))
                .ok()
                .flatten()
                .map(|u| u.name)
                .unwrap_or_else(|| uid.to_string())
        });
    }
    names
}

/// Names for every distinct group id, numbers where there is none.
pub fn group_names_for(gids: impl Iterator<Item = u32>) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    for gid in gids {
        names.entry(gid).or_insert_with(|| {
            Group::from_gid(Gid::from_raw(gid))
                .ok()
                .flatten()
                .map(|g| g.name)
                .unwrap_or_else(|| gid.to_string())
        });
    }
    names
}

/// The id of a user given by name or by number.
pub fn uid_for_name(name: &str) -> Option<u32> {
    if let Ok(uid) = name.parse::<u32>() {
        return Some(uid);
    }
    User::from_name(name).ok().flatten().map(|u| u.uid.as_raw())
}

/// The id of a user given by name only.
pub fn uid_of_user(name: &str) -> Option<u32> {
    User::from_name(name).ok().flatten().map(|u| u.uid.as_raw())
}

/// The id of a group given by name only.
pub fn gid_of_group(name: &str) -> Option<u32> {
    Group::from_name(name)
        .ok()
        .flatten()
        .map(|g| g.gid.as_raw())
}

/// Why a terminal name did not lead to a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalError {
    NotFound,
    NotATerminal,
}

/// A device number as /proc/PID/stat's tty_nr encodes it.
pub fn tty_nr_of(rdev: u64) -> i32 {
    let (major, minor) = (nix::sys::stat::major(rdev), nix::sys::stat::minor(rdev));
    ((minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)) as i32
}

/// The terminal a name means to ps (`pts/1`, `tty1`, `/dev/pts/1`, `1`,
/// `co`): the first of the paths ps tries that exists, as tty_nr.
pub fn terminal(name: &str) -> Result<i32, TerminalError> {
    let candidates: Vec<String> = if name.starts_with('/') {
        vec![name.to_string()]
    } else {
        vec![
            format!("/dev/pts/{name}"),
            format!("/dev/{name}"),
            format!("/dev/tty{name}"),
            format!("/dev/pty{name}"),
            format!("/dev/{name}nsole"),
        ]
    };
    let found = candidates
        .iter()
        .find_map(|p| std::fs::metadata(Path::new(p)).ok())
        .ok_or(TerminalError::NotFound)?;
    if !found.file_type().is_char_device() {
        return Err(TerminalError::NotATerminal);
    }
    Ok(tty_nr_of(found.rdev()))
}

/// The caller's terminal as tty_nr (0 without one), read from the live
/// /proc whatever tree is being listed.
pub fn own_terminal() -> i32 {
    let Ok(text) = std::fs::read("/proc/self/stat") else {
        return 0;
    };
    let Some(close) = text.iter().rposition(|&b| b == b')') else {
        return 0;
    };
    String::from_utf8_lossy(&text[close + 1..])
        .split_whitespace()
        .nth(4)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_encode_as_the_kernel_writes_them() {
        let pts1 = nix::sys::stat::makedev(136, 1);
        assert_eq!(tty_nr_of(pts1), (136 << 8) | 1);
        let pts300 = nix::sys::stat::makedev(136, 300);
        assert_eq!(tty_nr_of(pts300), (136 << 8) | 0x2c | (0x100 << 12));
        assert_eq!(terminal("/etc/passwd"), Err(TerminalError::NotATerminal));
        assert_eq!(
            terminal("no-such-terminal-here"),
            Err(TerminalError::NotFound)
        );
        assert!(terminal("null").is_ok());
    }
}
