//! Parsers for the bytes of /proc files. Pure functions, no I/O, so they can
//! be tested and fuzzed on any input.

use procfs::process::Stat;
use procfs::FromRead;

use crate::model::{
    CpuTimes, IoCounters, MemInfo, MoreStat, MoreStatus, SignalMasks, SmapsRollup, StatFields,
    Statm, StatusFields,
};

/// Why a stat file could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedStat(pub String);

impl std::fmt::Display for MalformedStat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses `/proc/PID/stat`.
///
/// The numeric fields come from procfs's `Stat` parser. The name is taken
/// from the raw bytes between the first `(` and the last `)`, because procfs
/// turns invalid UTF-8 into U+FFFD. procfs slices its input by byte offsets
/// and can panic on text that is not shaped like a stat line, so the shape is
/// checked here first.
pub fn parse_stat(bytes: &[u8], more: bool) -> Result<(i32, StatFields), MalformedStat> {
    parse_stat_counting_faults(bytes, more).map(|(pid, fields, _)| (pid, fields))
}

/// [`parse_stat`], with the process's page faults (minor plus major) beside
/// it: the live view's sign that a process has touched memory, kept out of
/// [`StatFields`] so that a listing does not pay for it.
pub fn parse_stat_counting_faults(
    bytes: &[u8],
    more: bool,
) -> Result<(i32, StatFields, u64), MalformedStat> {
    let open = bytes
        .iter()
        .position(|&b| b == b'(')
        .ok_or_else(|| MalformedStat("no '(' before the name".into()))?;
    let close = bytes
        .iter()
        .rposition(|&b| b == b')')
        .filter(|&c| c > open)
        .ok_or_else(|| MalformedStat("no ')' after the name".into()))?;
    let pid_text = &bytes[..open];
    let pid_ok = pid_text.len() >= 2
        && pid_text[pid_text.len() - 1] == b' '
        && pid_text[..pid_text.len() - 1]
            .iter()
            .all(|b| b.is_ascii_digit());
    if !pid_ok {
        return Err(MalformedStat("the line does not start with a pid".into()));
    }
    let after = &bytes[close + 1..];
    if after.len() < 2 || after[0] != b' ' || after[1].is_ascii_whitespace() {
        return Err(MalformedStat("no fields after the name".into()));
    }

    let stat = Stat::from_read(bytes).map_err(|e| MalformedStat(short_error(&e.to_string())))?;
    let fields = StatFields {
        comm: bytes[open + 1..close].to_vec(),
        state: stat.state,
        ppid: stat.ppid,
        pgrp: stat.pgrp,
        session: stat.session,
        tty_nr: stat.tty_nr,
        tpgid: stat.tpgid,
        flags: stat.flags,
        utime: stat.utime,
        stime: stat.stime,
        priority: stat.priority,
        nice: stat.nice,
        num_threads: stat.num_threads,
        starttime: stat.starttime,
        vsize: stat.vsize,
        rss_pages: stat.rss as i64,
        processor: stat.processor,
        rt_priority: stat.rt_priority,
        policy: stat.policy,
        exit_code: stat.exit_code,
        more: more.then(|| {
            Box::new(MoreStat {
                minflt: stat.minflt,
                cminflt: stat.cminflt,
                majflt: stat.majflt,
                cmajflt: stat.cmajflt,
                cutime: stat.cutime,
                cstime: stat.cstime,
                rsslim: stat.rsslim,
                startcode: stat.startcode,
                endcode: stat.endcode,
                startstack: stat.startstack,
                kstkesp: stat.kstkesp,
                kstkeip: stat.kstkeip,
            })
        }),
    };
    let faults = stat.minflt.saturating_add(stat.majflt);
    Ok((stat.pid, fields, faults))
}

/// procfs's errors name the crate's own source file and line (a path on
/// the machine that built pscope), which means nothing to a user.
fn short_error(message: &str) -> String {
    if message.contains("Internal error") || message.contains(".rs:") {
        return "a field is not a number of its type".into();
    }
    let message = message.trim_start_matches("Internal Unwrap Error: ");
    match message.find(" (") {
        Some(i) if message.len() > 120 => message[..i].to_string(),
        _ => message.to_string(),
    }
}

/// One line of /proc/tty/drivers: a driver, the name of its devices under
/// /dev, and the device numbers it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TtyDriver {
    /// The device path without `/dev/`: `ttyUSB`, `hvc`, `pts`.
    pub name: String,
    /// A devfs-style name (`tts/%d`, the `%d` dropped): its devices are only
    /// ever NAME followed by a number.
    pub numbered: bool,
    pub majors: std::ops::RangeInclusive<u32>,
    pub minors: std::ops::RangeInclusive<u32>,
}

/// Parses /proc/tty/drivers (`NAME /dev/PATH MAJOR MINOR[-MINOR] TYPE` per
/// line, in the kernel's order); lines of another shape are skipped.
pub fn parse_tty_drivers(bytes: &[u8]) -> Vec<TtyDriver> {
    let range = |word: &str| -> Option<std::ops::RangeInclusive<u32>> {
        let (first, last) = word.split_once('-').unwrap_or((word, word));
        Some(first.parse().ok()?..=last.parse().ok()?)
    };
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let _driver = words.next()?;
            let path = words.next()?.strip_prefix("/dev/")?;
            let (name, numbered) = match path.strip_suffix("%d") {
                Some(stem) => (stem.to_string(), true),
                None => (path.to_string(), false),
            };
            let majors = range(words.next()?)?;
            let minors = range(words.next()?)?;
            Some(TtyDriver {
                name,
                numbered,
                majors,
                minors,
            })
        })
        .collect()
}

/// The CPUs of a sysfs CPU list such as `0-3,8,10-11`; a malformed part
/// is skipped, and no range is taken beyond the kernel's CPU limit.
pub fn parse_cpu_list(bytes: &[u8]) -> Vec<usize> {
    const MAX_CPUS: usize = 8192;
    let text = String::from_utf8_lossy(bytes);
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(first), Ok(last)) = (first.parse::<usize>(), last.parse::<usize>()) {
            cpus.extend(first..=last.min(MAX_CPUS - 1));
        }
    }
    cpus
}

/// Parses the lines of `/proc/PID/status` that pscope needs. Read as bytes,
/// because the `Name:` line may hold any byte (procfs's parser cuts the name
/// at a `:` and rejects invalid UTF-8). Unknown or malformed lines are ignored.
/// Signal masks, groups and the data and stack sizes are read only when
/// `everything` is asked for; otherwise the
/// scan stops once the ids and memory lines have been seen.
pub fn parse_status(bytes: &[u8], everything: bool) -> StatusFields {
    let mut fields = StatusFields::default();
    let mut more = MoreStatus::default();
    let mut masks = SignalMasks::default();
    let mut seen_masks = false;
    // The five wanted lines come early; the long tail of signal masks and
    // CPU lists is not scanned once all of them have been seen.
    let mut seen = 0u8;
    for line in bytes.split(|&b| b == b'\n') {
        let (key, value) = match line.first() {
            Some(b'U' | b'G' | b'V' | b'S' | b'T') => match line.iter().position(|&b| b == b':') {
                Some(colon) => (&line[..colon], &line[colon + 1..]),
                None => continue,
            },
            _ => continue,
        };
        seen |= match key {
            b"Uid" => {
                [fields.ruid, fields.euid, more.suid, more.fsuid] = four_ids(value);
                1
            }
            b"Gid" => {
                [fields.rgid, fields.egid, more.sgid, more.fsgid] = four_ids(value);
                2
            }
            b"VmLck" => {
                fields.vm_lck_kb = first_number(value);
                4
            }
            b"VmRSS" => {
                fields.vm_rss_kb = first_number(value);
                8
            }
            b"VmSize" => {
                fields.vm_size_kb = first_number(value);
                16
            }
            b"Groups" if everything => {
                more.groups = Some(
                    numbers(value)
                        .flatten()
                        .filter_map(|n| u32::try_from(n).ok())
                        .collect(),
                );
                0
            }
            b"TracerPid" if everything => {
                more.tracer_pid = first_number(value).and_then(|n| i32::try_from(n).ok());
                0
            }
            b"VmData" if everything => {
                more.vm_data_kb = first_number(value);
                0
            }
            b"VmStk" if everything => {
                more.vm_stk_kb = first_number(value);
                0
            }
            b"SigPnd" | b"ShdPnd" | b"SigBlk" | b"SigIgn" | b"SigCgt" if everything => {
                let mask = hex_mask(value);
                match key {
                    b"SigPnd" => masks.pending = mask,
                    b"ShdPnd" => masks.shared_pending = mask,
                    b"SigBlk" => masks.blocked = mask,
                    b"SigIgn" => masks.ignored = mask,
                    _ => masks.caught = mask,
                }
                seen_masks = true;
                0
            }
            _ => continue,
        };
        if seen == 31 && !everything {
            break;
        }
    }
    if everything {
        if seen_masks {
            more.signals = Some(masks);
        }
        fields.more = Some(Box::new(more));
    }
    fields
}

/// /proc/PID/io: `rchar: 123` lines; a missing line stays 0.
pub fn parse_io(bytes: &[u8]) -> IoCounters {
    let mut io = IoCounters::default();
    for line in bytes.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = first_number(&line[colon + 1..]).unwrap_or(0);
        match &line[..colon] {
            b"rchar" => io.rchar = value,
            b"wchar" => io.wchar = value,
            b"syscr" => io.syscr = value,
            b"syscw" => io.syscw = value,
            b"read_bytes" => io.read_bytes = value,
            b"write_bytes" => io.write_bytes = value,
            b"cancelled_write_bytes" => io.cancelled_write_bytes = value,
            _ => {}
        }
    }
    io
}

/// /proc/PID/smaps_rollup: the Pss and Private_* sums, in KiB.
pub fn parse_smaps_rollup(bytes: &[u8]) -> SmapsRollup {
    let mut smaps = SmapsRollup::default();
    for line in bytes.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = first_number(&line[colon + 1..]).unwrap_or(0);
        match &line[..colon] {
            b"Pss" => smaps.pss = value,
            b"Private_Clean" => smaps.private_clean = value,
            b"Private_Dirty" => smaps.private_dirty = value,
            _ => {}
        }
    }
    smaps
}

/// /proc/PID/autogroup: `/autogroup-25 nice 0`.
pub fn parse_autogroup(bytes: &[u8]) -> Option<(i64, i64)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let rest = text.trim().strip_prefix("/autogroup-")?;
    let (id, nice) = rest.split_once(" nice ")?;
    Some((id.trim().parse().ok()?, nice.trim().parse().ok()?))
}

/// A file holding one decimal number (oom_score, loginuid).
pub fn parse_number<T: std::str::FromStr>(bytes: &[u8]) -> Option<T> {
    std::str::from_utf8(bytes).ok()?.trim().parse().ok()
}

/// /proc/PID/statm: the first three numbers (size, resident, shared pages).
pub fn parse_statm(bytes: &[u8]) -> Option<Statm> {
    let mut it = numbers(bytes);
    Some(Statm {
        size: it.next()??,
        resident: it.next()??,
        shared: it.next()??,
    })
}

/// The CPU lines of /proc/stat: the `cpu` line (all CPUs together) and
/// each `cpuN` line in order. A missing number counts as 0 (older kernels
/// write fewer columns).
pub fn parse_cpu_lines(bytes: &[u8]) -> (CpuTimes, Vec<CpuTimes>) {
    let mut all = CpuTimes::default();
    let mut each = Vec::new();
    for line in bytes.split(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"cpu") else {
            continue;
        };
        let (label, values) = match rest.iter().position(|&b| b == b' ') {
            Some(space) => rest.split_at(space),
            None => continue,
        };
        if !label.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let mut it = numbers(values).map(Option::unwrap_or_default);
        let mut next = || it.next().unwrap_or(0);
        let times = CpuTimes {
            user: next(),
            nice: next(),
            system: next(),
            idle: next(),
            iowait: next(),
            irq: next(),
            softirq: next(),
            steal: next(),
            guest: next(),
            guest_nice: next(),
        };
        if label.is_empty() {
            all = times;
        } else {
            each.push(times);
        }
    }
    (all, each)
}

/// The lines of /proc/meminfo that top shows; a missing one is 0.
pub fn parse_meminfo(bytes: &[u8]) -> MemInfo {
    let mut mem = MemInfo::default();
    for line in bytes.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = first_number(&line[colon + 1..]).unwrap_or(0);
        let slot = match &line[..colon] {
            b"MemTotal" => &mut mem.total,
            b"MemFree" => &mut mem.free,
            b"MemAvailable" => &mut mem.available,
            b"Buffers" => &mut mem.buffers,
            b"Cached" => &mut mem.cached,
            b"SReclaimable" => &mut mem.reclaimable,
            b"SwapTotal" => &mut mem.swap_total,
            b"SwapFree" => &mut mem.swap_free,
            _ => continue,
        };
        *slot = value;
    }
    mem
}

/// /proc/loadavg: the three load averages.
pub fn parse_loadavg(bytes: &[u8]) -> Option<[f64; 3]> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut it = text.split_ascii_whitespace().map(|w| w.parse().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// A hexadecimal mask such as `0000000000010002`; 0 when malformed.
fn hex_mask(value: &[u8]) -> u64 {
    std::str::from_utf8(value)
        .ok()
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0)
}

fn numbers(value: &[u8]) -> impl Iterator<Item = Option<u64>> + '_ {
    value
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| std::str::from_utf8(w).ok()?.parse().ok())
}

fn first_number(value: &[u8]) -> Option<u64> {
    numbers(value).next().flatten()
}

/// The real, effective, saved and filesystem ids of a Uid or Gid line.
fn four_ids(value: &[u8]) -> [Option<u32>; 4] {
    let mut it = numbers(value).map(|n| n.and_then(|n| u32::try_from(n).ok()));
    [(); 4].map(|()| it.next().flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &[u8] = b"812 (bash) Ss 800 812 812 34816 2001 4194560 100 0 0 0 5 3 0 0 20 0 1 0 4242 9000000 1200 18446744073709551615 1 1 0 0 0 0 65536 3670020 1266777851 1 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    #[test]
    fn parses_a_plain_stat_line() {
        let (pid, s) = parse_stat(LINE, false).unwrap();
        assert_eq!(pid, 812);
        assert_eq!(s.comm, b"bash");
        assert_eq!(s.state, 'S');
        assert_eq!((s.ppid, s.pgrp, s.session), (800, 812, 812));
        assert_eq!((s.tty_nr, s.tpgid), (34816, 2001));
        assert_eq!((s.utime, s.stime, s.priority, s.nice), (5, 3, 20, 0));
        assert_eq!(s.starttime, 4242);
        assert_eq!(s.policy, Some(0));
    }

    #[test]
    fn keeps_hostile_names_byte_for_byte() {
        let name: &[u8] = b"a) (b\nc:\xff d";
        let mut line = b"7 (".to_vec();
        line.extend_from_slice(name);
        line.push(b')');
        line.extend_from_slice(&LINE[10..]);
        let (pid, s) = parse_stat(&line, false).unwrap();
        assert_eq!(pid, 7);
        assert_eq!(s.comm, name);
        assert_eq!(s.state, 'S');
        assert_eq!(s.ppid, 800);
    }

    #[test]
    fn errors_name_no_source_file() {
        let line = b"7 (a) S 1 1 1 0 -1 0 0 0 0 0 99999999999999999999999 0 0 0 20 0 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n";
        let e = parse_stat(line, false).unwrap_err().0;
        assert!(!e.contains(".rs") && !e.contains('/'), "{e}");
    }

    #[test]
    fn rejects_malformed_lines_without_panicking() {
        for bad in [
            &b""[..],
            b"(",
            b")",
            b"1 (x)",
            b"1 (x) ",
            b"1 (x)  ",
            b"x (a) S 1",
            b"\xc3\xa9(a) S 1 2",
            b" (a) S 1",
            b"1 (a) S",
            b"1 (a) S x y z",
            b"1 )a( S 1 1 1",
            b"12 (a) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
        ] {
            assert!(parse_stat(bad, true).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn status_reads_ids_and_memory_and_ignores_the_name() {
        let text = b"Name:\tfoo: bar\xff\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t1001\t1001\t1001\nGid:\t100\t101\t101\t101\nVmSize:\t  9000 kB\nVmLck:\t       4 kB\nVmRSS:\t    1200 kB\n";
        let s = parse_status(text, false);
        assert_eq!((s.ruid, s.euid), (Some(1000), Some(1001)));
        assert_eq!((s.rgid, s.egid), (Some(100), Some(101)));
        assert_eq!(s.vm_size_kb, Some(9000));
        assert_eq!(s.vm_lck_kb, Some(4));
        assert_eq!(s.vm_rss_kb, Some(1200));
    }

    #[test]
    fn status_signal_masks_are_read_when_asked() {
        let text = b"Name:\tsh\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmSize:\t1 kB\nVmLck:\t0 kB\nVmRSS:\t1 kB\nSigQ:\t0/1\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000100\nSigBlk:\t0000000000010000\nSigIgn:\t0000000000380004\nSigCgt:\t000000004b813efb\n";
        assert_eq!(parse_status(text, false).more, None);
        let masks = parse_status(text, true).more.unwrap().signals.unwrap();
        assert_eq!(masks.shared_pending, 0x100);
        assert_eq!(masks.blocked, 0x10000);
        assert_eq!(masks.ignored, 0x380004);
        assert_eq!(masks.caught, 0x4b81_3efb);
    }

    #[test]
    fn extra_files_parse() {
        let io = parse_io(b"rchar: 10\nwchar: 20\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n");
        assert_eq!((io.rchar, io.wchar, io.syscr, io.syscw), (10, 20, 3, 4));
        assert_eq!((io.read_bytes, io.write_bytes), (4096, 8192));
        let smaps = parse_smaps_rollup(b"55d0-7ff [rollup]\nRss: 100 kB\nPss: 61 kB\nPrivate_Clean: 8 kB\nPrivate_Dirty: 40 kB\n");
        assert_eq!(
            (smaps.pss, smaps.private_clean, smaps.private_dirty),
            (61, 8, 40)
        );
        assert_eq!(parse_autogroup(b"/autogroup-25 nice 0\n"), Some((25, 0)));
        assert_eq!(parse_autogroup(b"garbage"), None);
        assert_eq!(parse_number::<i32>(b"-1000\n"), Some(-1000));
        assert_eq!(parse_number::<u32>(b"4294967295\n"), Some(u32::MAX));
    }

    #[test]
    fn tty_drivers_parse() {
        let table = b"/dev/tty             /dev/tty        5       0 system:/dev/tty\n\
            hvc                  /dev/hvc      229 0-7 system\n\
            pty_slave            /dev/pts      136-143 0-1048575 pty:slave\n\
            broken line\n";
        let drivers = parse_tty_drivers(table);
        assert_eq!(drivers.len(), 3);
        assert_eq!(drivers[0].name, "tty");
        assert_eq!(
            (drivers[1].name.as_str(), drivers[1].minors.clone()),
            ("hvc", 0..=7)
        );
        assert_eq!(drivers[2].majors, 136..=143);
    }

    #[test]
    fn cpu_lists_parse() {
        assert_eq!(parse_cpu_list(b"0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11]);
        assert_eq!(parse_cpu_list(b"\n"), Vec::<usize>::new());
        assert_eq!(parse_cpu_list(b"x,2"), [2]);
        assert_eq!(parse_cpu_list(b"0-99999999").len(), 8192);
    }

    #[test]
    fn system_files_parse() {
        let stat = b"cpu  10 2 30 400 5 6 7 8 9 1\ncpu0 5 1 15 200 2 3 3 4 4 0\ncpu1 5 1 15 200 3 3 4 4\nintr 1 2\nctxt 5\nbtime 1700000000\n";
        let (all, each) = parse_cpu_lines(stat);
        assert_eq!((all.user, all.nice, all.system, all.idle), (10, 2, 30, 400));
        assert_eq!((all.steal, all.guest, all.guest_nice), (8, 9, 1));
        assert_eq!(each.len(), 2);
        assert_eq!(each[1].iowait, 3);
        assert_eq!(each[1].guest, 0);
        let mem = parse_meminfo(b"MemTotal:       24683568 kB\nMemFree:        23939600 kB\nMemAvailable:   23852900 kB\nBuffers:            1000 kB\nCached:            70000 kB\nSwapCached:            5 kB\nSReclaimable:       9000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n");
        assert_eq!(
            (mem.total, mem.free, mem.available),
            (24683568, 23939600, 23852900)
        );
        assert_eq!(
            (mem.buffers, mem.cached, mem.reclaimable),
            (1000, 70000, 9000)
        );
        assert_eq!(
            parse_loadavg(b"0.02 0.24 0.16 1/83 14027\n"),
            Some([0.02, 0.24, 0.16])
        );
        assert_eq!(parse_loadavg(b"0.02\n"), None);
        assert_eq!(
            parse_statm(b"11506 2904 1758 222 0 1136 0\n"),
            Some(Statm {
                size: 11506,
                resident: 2904,
                shared: 1758
            })
        );
        assert_eq!(parse_statm(b"1 2\n"), None);
    }

    #[test]
    fn status_of_a_kernel_thread_has_no_memory() {
        let s = parse_status(b"Name:\tkthreadd\nUid:\t0\t0\t0\t0\n", false);
        assert_eq!(s.euid, Some(0));
        assert_eq!(s.vm_rss_kb, None);
        assert_eq!(s.vm_lck_kb, None);
    }
}
