//! Terminal names, found the way ps finds them. A process's stat gives its
//! terminal only as a device number; ps names it by the first of these that
//! finds a file under /dev that is this very device:
//!
//! 1. the kernel's driver table (/proc/tty/drivers, its later lines first):
//!    the driver of the number gives `/dev/NAMEMINOR`, else `/dev/NAME/MINOR`,
//!    else `/dev/NAME`;
//! 2. where the process's standard error (fd 2) points;
//! 3. the conventional name of the device number (`/dev/pts/N`, `/dev/ttySN`,
//!    `/dev/ttyUSBN`, ...);
//! 4. where the process's fd 255 points (bash keeps its terminal there).
//!
//! A terminal with no such file has no name, and ps prints `?`. Steps 1 and
//! 3 depend on the number alone and are done once per terminal; 2 and 4 are
//! read per process only for a terminal the driver table does not name.

use std::os::fd::AsFd;
use std::path::Path;

use crate::model::{Task, TerminalNames};

use super::parse::{self, TtyDriver};
use super::{ProcPath, ProcReader, ReadBuf};

/// The major and minor numbers of a tty_nr as stat encodes it.
fn numbers(tty_nr: i32) -> (u32, u32) {
    let n = tty_nr as u32;
    ((n >> 8) & 0xfff, (n & 0xff) | ((n >> 12) & 0xfff00))
}

/// Whether `path` is the character device (major, minor). ps looks at the
/// device numbers only, as here.
fn is_device(path: &Path, major: u32, minor: u32) -> Option<bool> {
    let st = nix::sys::stat::stat(path).ok()?;
    Some(
        nix::sys::stat::major(st.st_rdev) == u64::from(major)
            && nix::sys::stat::minor(st.st_rdev) == u64::from(minor),
    )
}

/// The name without `/dev/`, as ps shows it.
fn shown(path: &str) -> String {
    match path.strip_prefix("/dev/") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => path.to_string(),
    }
}

/// Step 1. As ps does, only the first path that exists is compared.
fn from_drivers(drivers: &[TtyDriver], major: u32, minor: u32) -> Option<String> {
    let driver = drivers
        .iter()
        .rev()
        .find(|d| d.majors.contains(&major) && d.minors.contains(&minor))?;
    let mut candidates = vec![
        format!("/dev/{}{minor}", driver.name),
        format!("/dev/{}/{minor}", driver.name),
    ];
    if !driver.numbered {
        candidates.push(format!("/dev/{}", driver.name));
    }
    let path = candidates
        .into_iter()
        .find(|p| nix::sys::stat::stat(Path::new(p)).is_ok())?;
    is_device(Path::new(&path), major, minor)?.then(|| shown(&path))
}

/// Low-density serial ports (major 204): each minor's name, as runs of a
/// prefix and its numbers, from Linux's list of devices.
const LOW_DENSITY: &[(&str, std::ops::Range<u32>)] = &[
    ("LU", 0..4),
    ("FB", 0..1),
    ("SA", 0..3),
    ("SC", 0..4),
    ("FW", 0..4),
    ("AM", 0..16),
    ("DB", 0..8),
    ("SG", 0..1),
    ("SMX", 0..3),
    ("MM", 0..2),
    ("CPM", 0..4),
    ("IOC", 0..32),
    ("VR", 0..2),
    ("IOC", 84..116),
    ("SIOC", 0..32),
    ("PSC", 0..6),
    ("AT", 0..16),
    ("NX", 0..16),
    ("J", 0..1),
];

/// The conventional /dev path of a terminal device number, where there is
/// one.
fn conventional_path(major: u32, minor: u32) -> Option<String> {
    let prefix = match major {
        3 => {
            // The old BSD pseudo-terminals, /dev/tty[p-za-e][0-9a-f].
            let rows = b"pqrstuvwxyzabcde";
            let cols = b"0123456789abcdef";
            let row = *rows.get(usize::try_from(minor >> 4).ok()?)? as char;
            return Some(format!(
                "/dev/tty{row}{}",
                cols[(minor & 15) as usize] as char
            ));
        }
        4 if minor < 64 => return Some(format!("/dev/tty{minor}")),
        4 => return Some(format!("/dev/ttyS{}", minor - 64)),
        136..=143 => return Some(format!("/dev/pts/{}", minor + (major - 136) * 256)),
        156 => return Some(format!("/dev/ttySR{}", minor + 256)),
        204 => {
            let mut first = 0;
            for (name, numbers) in LOW_DENSITY {
                let count = numbers.end - numbers.start;
                if minor < first + count {
                    return Some(format!("/dev/tty{name}{}", numbers.start + minor - first));
                }
                first += count;
            }
            return None;
        }
        11 => "ttyB",
        17 => "ttyH",
        19 => "ttyC",
        22 | 23 => "ttyD",
        24 => "ttyE",
        32 => "ttyX",
        43 => "ttyI",
        46 => "ttyR",
        48 => "ttyL",
        57 => "ttyP",
        71 => "ttyF",
        75 => "ttyW",
        78 | 112 => "ttyM",
        105 => "ttyV",
        148 => "ttyT",
        154 => "ttySR",
        164 => "ttyCH",
        166 => "ttyACM",
        172 => "ttyMX",
        174 => "ttySI",
        188 => "ttyUSB",
        208 => "ttyU",
        216 => "ttyUB",
        224 => "ttyY",
        227 => "3270/tty",
        229 => "iseries/vtty",
        256 => "ttyEQ",
        _ => return None,
    };
    Some(format!("/dev/{prefix}{minor}"))
}

/// Step 3.
fn from_convention(major: u32, minor: u32) -> Option<String> {
    let path = conventional_path(major, minor)?;
    is_device(Path::new(&path), major, minor)?.then(|| shown(&path))
}

/// Steps 2 and 4: where one of the process's descriptors points, if that is
/// this terminal.
fn from_descriptor(
    reader: &ProcReader,
    pid: i32,
    fd: u32,
    major: u32,
    minor: u32,
) -> Option<String> {
    let link = ProcPath::new().number(pid).file(&format!("fd/{fd}"));
    let target = nix::fcntl::readlinkat(reader.root_fd.as_fd(), link.as_cstr()).ok()?;
    let target = target.into_string().ok()?;
    // ps reads at most 127 bytes of a link.
    if target.len() >= 127 {
        return None;
    }
    is_device(Path::new(&target), major, minor)?.then(|| shown(&target))
}

/// Names every terminal the tasks have, by number where the number says,
/// else per process.
pub(super) fn name_terminals(reader: &ProcReader, tasks: &[Task]) -> TerminalNames {
    let mut names = TerminalNames::default();
    let mut wanted: Vec<i32> = tasks
        .iter()
        .flat_map(|t| std::iter::once(t).chain(&t.threads))
        .map(|t| t.stat.tty_nr)
        .filter(|&nr| nr != 0)
        .collect();
    if wanted.is_empty() {
        return names;
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut buf = ReadBuf::new();
    let drivers = reader
        .read_at(&ProcPath::new().file("tty/drivers"), &mut buf)
        .map(parse::parse_tty_drivers)
        .unwrap_or_default();
    let mut unnamed = Vec::new();
    for nr in wanted {
        let (major, minor) = numbers(nr);
        match from_drivers(&drivers, major, minor) {
            Some(name) => names.by_number.push((nr, Some(name))),
            None => unnamed.push(nr),
        }
    }
    if unnamed.is_empty() {
        return names;
    }
    for &nr in &unnamed {
        let (major, minor) = numbers(nr);
        names.by_number.push((nr, from_convention(major, minor)));
    }
    names.by_number.sort_unstable_by_key(|(nr, _)| *nr);
    // Per process, a descriptor may name a terminal better than the
    // convention (fd 2 comes before it) or where it found nothing (fd 255).
    for task in tasks
        .iter()
        .flat_map(|t| std::iter::once(t).chain(&t.threads))
    {
        let nr = task.stat.tty_nr;
        if !unnamed.contains(&nr) {
            continue;
        }
        let (major, minor) = numbers(nr);
        let by_number = names.by_number(nr).is_some();
        let own = from_descriptor(reader, task.pid, 2, major, minor).or_else(|| {
            (!by_number)
                .then(|| from_descriptor(reader, task.pid, 255, major, minor))
                .flatten()
        });
        if let Some(name) = own {
            names.by_task.push((task.pid, name));
        }
    }
    names.by_task.sort_unstable_by_key(|(pid, _)| *pid);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventional_names_follow_the_device_lists() {
        assert_eq!(conventional_path(136, 3).as_deref(), Some("/dev/pts/3"));
        assert_eq!(conventional_path(137, 1).as_deref(), Some("/dev/pts/257"));
        assert_eq!(conventional_path(4, 1).as_deref(), Some("/dev/tty1"));
        assert_eq!(conventional_path(4, 65).as_deref(), Some("/dev/ttyS1"));
        assert_eq!(conventional_path(188, 0).as_deref(), Some("/dev/ttyUSB0"));
        assert_eq!(conventional_path(3, 0x1f).as_deref(), Some("/dev/ttyqf"));
        assert_eq!(conventional_path(3, 256), None);
        assert_eq!(conventional_path(204, 0).as_deref(), Some("/dev/ttyLU0"));
        assert_eq!(conventional_path(204, 40).as_deref(), Some("/dev/ttySG0"));
        assert_eq!(conventional_path(204, 44).as_deref(), Some("/dev/ttyMM0"));
        assert_eq!(conventional_path(204, 84).as_deref(), Some("/dev/ttyIOC84"));
        assert_eq!(conventional_path(204, 186).as_deref(), Some("/dev/ttyJ0"));
        assert_eq!(conventional_path(204, 187), None);
        assert_eq!(conventional_path(999, 0), None);
    }

    #[test]
    fn device_numbers_decode_as_stat_encodes_them() {
        assert_eq!(numbers((136 << 8) | 0x2c | (0x100 << 12)), (136, 300));
        assert_eq!(numbers((4 << 8) | 65), (4, 65));
    }
}
