//! Values formatted exactly as procps-ng ps prints them: terminal names,
//! times, percentages and escaped command names.

use crate::model::{cmdline_body, SystemInfo};
use crate::sys::time::{local_date, strftime};

/// The conventional name of a terminal from its `tty_nr` alone (`pts/3`,
/// `tty1`, `ttyS0`), or `None` for no terminal. Listings show the name a
/// snapshot found under /dev instead ([`crate::model::TerminalNames`]),
/// as ps does.
pub fn tty_name(tty_nr: i32) -> Option<String> {
    if tty_nr == 0 {
        return None;
    }
    let n = tty_nr as u32;
    let major = (n >> 8) & 0xfff;
    let minor = (n & 0xff) | ((n >> 12) & 0xfff00);
    Some(match major {
        136..=143 => format!("pts/{}", minor + (major - 136) * 256),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        5 if minor == 0 => "tty".to_string(),
        5 if minor == 1 => "console".to_string(),
        5 if minor == 2 => "ptmx".to_string(),
        _ => format!("{major},{minor}"),
    })
}

/// The `tt` form of a terminal name: without `tty` or `pts/` in front
/// when something follows it (`pts/3` is `3`, `tty1` is `1`).
pub fn tty_short(name: &str) -> &str {
    let name = name
        .strip_prefix("tty")
        .filter(|r| !r.is_empty())
        .unwrap_or(name);
    name.strip_prefix("pts/")
        .filter(|r| !r.is_empty())
        .unwrap_or(name)
}

/// `time`: cumulative CPU time as `[DD-]HH:MM:SS`.
pub fn cpu_time(ticks: u64, hz: u64) -> String {
    let secs = ticks / hz.max(1);
    let (days, hours) = (secs / 86400, secs / 3600 % 24);
    let (mins, s) = (secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{days}-{hours:02}:{mins:02}:{s:02}")
    } else {
        format!("{hours:02}:{mins:02}:{s:02}")
    }
}

/// `bsdtime` (the TIME of `ps aux`): minutes and seconds, `MMM:SS`, the
/// minutes padded to three places as ps pads them.
pub fn bsd_time(ticks: u64, hz: u64) -> String {
    let secs = ticks / hz.max(1);
    format!("{:3}:{:02}", secs / 60, secs % 60)
}

/// `etime`: elapsed time as `[[DD-]HH:]MM:SS`.
pub fn elapsed(secs: u64) -> String {
    let (days, hours) = (secs / 86400, secs / 3600 % 24);
    let (mins, s) = (secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{days}-{hours:02}:{mins:02}:{s:02}")
    } else if hours > 0 {
        format!("{hours:02}:{mins:02}:{s:02}")
    } else {
        format!("{mins:02}:{s:02}")
    }
}

/// `%cpu` as procps-ng computes it: CPU time over the ticks of life, shown
/// truncated to one decimal (no decimal from 100% on).
pub fn percent_cpu(ticks: u64, starttime: u64, sys: &SystemInfo) -> String {
    let per_mille = cpu_per_mille(ticks, starttime, sys);
    if per_mille > 999 {
        format!("{}", per_mille / 10)
    } else {
        format!("{}.{}", per_mille / 10, per_mille % 10)
    }
}

/// %CPU in tenths of a percent. procps multiplies in single precision
/// and divides by the ticks since the start; the same steps give the same
/// truncation.
pub fn cpu_per_mille(ticks: u64, starttime: u64, sys: &SystemInfo) -> u64 {
    let life = sys.boot_ticks() as f64 - starttime as f64;
    if life <= 0.0 {
        return 0;
    }
    let percent = (ticks as f32 * 100.0f32) as f64 / life;
    (percent * 10.0) as u64
}

/// %MEM in tenths of a percent, capped at 99.9 as ps does.
pub fn mem_per_mille(rss_kb: u64, mem_total_kb: u64) -> u64 {
    if mem_total_kb == 0 {
        return 0;
    }
    (u128::from(rss_kb) * 1000 / u128::from(mem_total_kb)).min(999) as u64
}

pub fn percent_mem(rss_kb: u64, mem_total_kb: u64) -> String {
    let pm = mem_per_mille(rss_kb, mem_total_kb);
    format!("{:2}.{}", pm / 10, pm % 10)
}

/// `start` (STARTED): `HH:MM:SS` within a day of now, else `  Mon DD`
/// (eight characters either way, as ps writes them).
pub fn start(epoch: i64, now: i64) -> String {
    if epoch.saturating_add(24 * 3600) > now {
        strftime(epoch, "%H:%M:%S")
    } else {
        strftime(epoch, "  %b %d")
    }
}

/// `stime` / `start_time` (STIME, START): `HH:MM` today, `MonDD` on
/// another day, the year in another year.
pub fn start_time(epoch: i64, now: i64) -> String {
    let (then, today) = (local_date(epoch), local_date(now));
    if then.year != today.year {
        strftime(epoch, "%Y")
    } else if then.day_of_year != today.day_of_year {
        strftime(epoch, "%b%d")
    } else {
        strftime(epoch, "%H:%M")
    }
}

/// `lstart`: the full start date, as ctime prints it.
pub fn long_start(epoch: i64) -> String {
    strftime(epoch, "%a %b %e %H:%M:%S %Y")
}

/// ISO-8601 local time with its UTC offset, for JSON.
pub fn iso8601(epoch: i64) -> String {
    let s = strftime(epoch, "%Y-%m-%dT%H:%M:%S%z");
    // %z gives +hhmm; ISO-8601 extended form wants +hh:mm.
    let (head, zone) = s.split_at(s.len().saturating_sub(5));
    if zone.len() == 5 {
        format!("{head}{}:{}", &zone[..3], &zone[3..])
    } else {
        s
    }
}

/// Whether ps would escape text for a UTF-8 terminal, judged from the
/// locale variables in the order the C library consults them.
pub fn locale_is_utf8() -> bool {
    for var in ["LC_ALL", "LC_CTYPE", "LANG"] {
        if let Ok(value) = std::env::var(var) {
            if !value.is_empty() {
                let v = value.to_ascii_lowercase();
                return v.contains("utf-8") || v.contains("utf8");
            }
        }
    }
    false
}

/// Makes a name or command line safe to print, the way procps-ng escapes
/// it, in its two steps. First its library: control characters become `?`
/// and, from the first byte that does not start a sequence of the right
/// length on, controls become `.` and non-ASCII bytes `?`; without a UTF-8
/// locale that second rule applies to the whole text. Then, in a UTF-8
/// locale, ps's output: each character the C library would not print (C1
/// controls such as CSI, the line and paragraph separators) becomes one
/// `?`, and each byte of what is still not UTF-8 one `?`.
pub fn escape(bytes: &[u8], utf8: bool) -> String {
    if bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
        // Printable ASCII, by far the common case: nothing to escape.
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    if utf8 {
        while i < bytes.len() {
            let b = bytes[i];
            let len = utf8_len(b);
            if len == 0 || i + len > bytes.len() {
                break;
            }
            if b < 0x20 || b == 0x7f {
                out.push(b'?');
            } else {
                out.extend_from_slice(&bytes[i..i + len]);
            }
            i += len;
        }
    }
    for &b in &bytes[i..] {
        out.push(match b {
            0x00..=0x1f | 0x7f => b'.',
            0x20..=0x7e => b,
            _ => b'?',
        });
    }
    if utf8 {
        printable_utf8(&out)
    } else {
        // Only ASCII is left.
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// ps's last step in a UTF-8 locale: decoded one character at a time, a
/// character that does not print becomes `?`, and so does each byte that
/// does not start a valid character (the next byte is tried afresh).
fn printable_utf8(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let len = utf8_len(bytes[i]).max(1);
        let decoded = bytes
            .get(i..i + len)
            .and_then(|seq| std::str::from_utf8(seq).ok())
            .and_then(|s| s.chars().next());
        match decoded {
            Some(c) => {
                let prints = !c.is_control() && c != '\u{2028}' && c != '\u{2029}';
                text.push(if prints { c } else { '?' });
                i += len;
            }
            None => {
                text.push('?');
                i += 1;
            }
        }
    }
    text
}

/// The length of the UTF-8 sequence a lead byte starts, 0 when invalid.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    }
}

/// `args`: the command line with NULs and newlines as spaces, escaped;
/// `[comm]` when it is empty, with ` <defunct>` after it for a zombie (a
/// process whose main thread alone has exited keeps its command line, and
/// ps marks nothing there).
pub fn args(cmdline: Option<&[u8]>, comm: &[u8], zombie: bool, utf8: bool) -> String {
    match cmdline {
        Some(raw) if !raw.is_empty() => {
            let joined: Vec<u8> = cmdline_body(raw)
                .iter()
                .map(|&b| if b == 0 || b == b'\n' { b' ' } else { b })
                .collect();
            escape(&joined, utf8)
        }
        _ if zombie => format!("[{}] <defunct>", escape(comm, utf8)),
        _ => format!("[{}]", escape(comm, utf8)),
    }
}

/// `comm`: the escaped name (ps marks zombies in `args` only).
pub fn comm(comm: &[u8], utf8: bool) -> String {
    escape(comm, utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tty_names_follow_the_device_numbers() {
        assert_eq!(tty_name(0), None);
        assert_eq!(tty_name((136 << 8) | 3).as_deref(), Some("pts/3"));
        // pts 300: minor 300 = 0x12c, low byte 0x2c, high bits at 20..
        let nr = (136 << 8) | 0x2c | (0x100 << 12);
        assert_eq!(tty_name(nr).as_deref(), Some("pts/300"));
        assert_eq!(tty_name((137 << 8) | 1).as_deref(), Some("pts/257"));
        assert_eq!(tty_name((4 << 8) | 1).as_deref(), Some("tty1"));
        assert_eq!(tty_name((4 << 8) | 64).as_deref(), Some("ttyS0"));
        assert_eq!(tty_name((5 << 8) | 1).as_deref(), Some("console"));
        assert_eq!(tty_short("pts/3"), "3");
        assert_eq!(tty_short("tty1"), "1");
        assert_eq!(tty_short("ttyS0"), "S0");
        assert_eq!(tty_short("tty"), "tty");
        assert_eq!(tty_short("pts/"), "pts/");
        assert_eq!(tty_short("hvc0"), "hvc0");
    }

    #[test]
    fn times_match_ps_formats() {
        assert_eq!(cpu_time(0, 100), "00:00:00");
        assert_eq!(cpu_time(100 * 3725, 100), "01:02:05");
        assert_eq!(cpu_time(100 * (2 * 86400 + 5), 100), "2-00:00:05");
        assert_eq!(bsd_time(100 * 3725, 100), " 62:05");
        assert_eq!(elapsed(65), "01:05");
        assert_eq!(elapsed(3 * 3600 + 65), "03:01:05");
        assert_eq!(elapsed(86400 + 1), "1-00:00:01");
    }

    fn sys() -> SystemInfo {
        SystemInfo {
            hz: 100,
            boot_time: 1_000_000,
            uptime: 1000.9,
            now: 1_001_000,
            mem_total_kb: 1_000_000,
            ..SystemInfo::default()
        }
    }

    #[test]
    fn percentages_truncate_like_ps() {
        // 1000.9 s of life, 15.55 s of CPU: 1.553% truncates to 1.5.
        assert_eq!(percent_cpu(1555, 0, &sys()), "1.5");
        // 1.9 s of life and 2.5 s of CPU (two threads): 131.5%.
        assert_eq!(percent_cpu(250, 99_900, &sys()), "131");
        // 0.9 s of life, 0.05 s of CPU: 5.5%.
        assert_eq!(percent_cpu(5, 100_000, &sys()), "5.5");
        // Not started yet by the uptime clock: 0.
        assert_eq!(percent_cpu(5, 200_000, &sys()), "0.0");
        assert_eq!(percent_mem(12_345, 1_000_000), " 1.2");
        assert_eq!(percent_mem(2_000_000, 1_000_000), "99.9");
    }

    #[test]
    fn escaping_matches_procps() {
        assert_eq!(escape(b"plain", true), "plain");
        assert_eq!(escape(b"a\tb", true), "a?b");
        assert_eq!(escape("é".as_bytes(), true), "é");
        assert_eq!(escape("é".as_bytes(), false), "??");
        assert_eq!(escape(b"a\x1b[31m", true), "a?[31m");
        // After an invalid byte the rest is escaped byte by byte.
        assert_eq!(escape(b"bad\xff\nnm", true), "bad?.nm");
        assert_eq!(escape(b"x\xff\x01\x1b\xc2\x85", true), "x?..??");
        assert_eq!(escape(b"a\tb\x7f", false), "a.b.");
        // A C1 control is one character that does not print: one `?`.
        assert_eq!(escape("\u{9b}31m".as_bytes(), true), "?31m");
        assert_eq!(escape("a\u{2028}b".as_bytes(), true), "a?b");
        // A lead byte whose sequence breaks off: `?` for each byte ps's
        // decoder could not take, then the next one tried afresh.
        assert_eq!(escape(b"\xe2\x82A", true), "??A");
        assert_eq!(escape(b"\xc3A", true), "?A");
    }

    #[test]
    fn args_join_and_mark() {
        assert_eq!(
            args(Some(b"sleep\x0010\x00"), b"sleep", false, true),
            "sleep 10"
        );
        assert_eq!(args(Some(b"a\x00\x00b\x00"), b"a", false, true), "a  b");
        assert_eq!(args(Some(b"a\nb\x00"), b"a", false, true), "a b");
        assert_eq!(args(Some(b""), b"kthreadd", false, true), "[kthreadd]");
        assert_eq!(args(None, b"sh", true, true), "[sh] <defunct>");
        assert_eq!(comm(b"sh", true), "sh");
    }
}
