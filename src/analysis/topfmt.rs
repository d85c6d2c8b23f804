//! Values formatted exactly as procps-ng top prints them: memory scaled to
//! fit its column, percentages with falling precision, TIME+, the priority
//! column, the uptime phrase and the summary's memory figures. top does
//! its arithmetic in single precision, and so does this; Rust's rounding
//! of the exact binary value is the C library's.

/// The suffixes of scaled memory, after KiB.
const SUFFIXES: [char; 4] = ['m', 'g', 't', 'p'];

/// A KiB amount in `width` cells: whole KiB when they fit, else MiB, GiB,
/// TiB or PiB with one decimal and the unit's letter, else `?`. top turns
/// the amount into a single-precision float first, which is exact below
/// 2^24 KiB and rounded above.
pub fn scale_mem(kib: u64, width: usize) -> String {
    let num = kib as f32;
    // A whole float prints as its integer.
    let text = if kib < 1 << 24 {
        kib.to_string()
    } else {
        (num as u64).to_string()
    };
    if text.len() <= width {
        return text;
    }
    let mut num = num;
    for suffix in SUFFIXES {
        num /= 1024.0;
        let text = format!("{num:.1}{suffix}");
        if text.len() <= width {
            return text;
        }
    }
    "?".into()
}

/// A percentage in `width` cells: one decimal when it fits, else none.
pub fn percent(num: f32, width: usize) -> String {
    if num == 0.0 {
        // Most rows: idle tasks.
        return "0.0".into();
    }
    let text = format!("{num:.1}");
    if text.len() <= width {
        return text;
    }
    let text = format!("{num:width$.0}");
    if text.len() <= width {
        return text;
    }
    "?".into()
}

/// Writes [`scale_mem`]'s text; whole KiB below 2^24 without a float.
pub fn write_mem(out: &mut String, kib: u64, width: usize) -> std::fmt::Result {
    use std::fmt::Write;
    let digits = kib.checked_ilog10().map_or(1, |d| d as usize + 1);
    if kib < 1 << 24 && digits <= width {
        return write!(out, "{kib}");
    }
    out.write_str(&scale_mem(kib, width))
}

/// Writes [`percent`]'s text.
pub fn write_percent(out: &mut String, num: f32, width: usize) -> std::fmt::Result {
    use std::fmt::Write;
    if num == 0.0 {
        return out.write_str("0.0");
    }
    out.write_str(&percent(num, width))
}

/// Writes [`time_plus`]'s text.
pub fn write_time_plus(out: &mut String, ticks: u64, hz: u64) -> std::fmt::Result {
    use std::fmt::Write;
    let total_cs = u128::from(ticks) * 100 / u128::from(hz.max(1));
    let secs = total_cs / 100;
    if secs / 60 <= 360 {
        // Under six hours, the common case: minutes, seconds, hundredths.
        return write!(out, "{}:{:02}.{:02}", secs / 60, secs % 60, total_cs % 100);
    }
    out.write_str(&time_plus(ticks, hz))
}

/// TIME+: CPU time to the hundredth of a second in nine cells, coarser
/// as it grows (minutes, then hours, days, weeks).
pub fn time_plus(ticks: u64, hz: u64) -> String {
    const WIDTH: usize = 9;
    let total_cs = u128::from(ticks) * 100 / u128::from(hz.max(1));
    let cent = total_cs % 100;
    let secs = total_cs / 100;
    let mins = secs / 60;
    let hours = mins / 60;
    let days = hours / 24;
    let weeks = days / 7;
    if mins <= 360 {
        // Under six hours, the common case: minutes, seconds, hundredths.
        let text = format!("{mins}:{:02}.{cent:02}", secs % 60);
        if text.len() <= WIDTH {
            return text;
        }
    }
    let mut tries = Vec::with_capacity(6);
    if mins <= 360 {
        tries.push(format!("{mins}:{:02}", secs % 60));
    }
    if hours <= 96 {
        tries.push(format!("{hours},{:02}", mins % 60));
    }
    if days <= 14 {
        tries.push(format!("{days}d+{}h", hours % 24));
        tries.push(format!("{days}d"));
    }
    tries.push(format!("{weeks}w+{}d", days % 7));
    tries.push(format!("{weeks}w"));
    tries
        .into_iter()
        .find(|t| t.len() <= WIDTH)
        .unwrap_or_else(|| "?".into())
}

/// PR: the kernel's priority, or `rt` for the highest real-time priority
/// (the only one outside -99..999).
pub fn priority(raw: i64) -> String {
    if !(-99..=999).contains(&raw) {
        "rt".into()
    } else {
        raw.to_string()
    }
}

/// The uptime phrase of top's first line, without the `up `:
/// `17 min, `, ` 2:03, `, `3 days,  2:03, `.
pub fn uptime(seconds: f64) -> String {
    let s = seconds.max(0.0) as i64;
    let (days, hours, mins) = (s / 86400, s / 3600 % 24, s / 60 % 60);
    let mut text = String::new();
    if days > 0 {
        let unit = if days > 1 { "days" } else { "day" };
        text.push_str(&format!("{days} {unit}, "));
    }
    if hours > 0 {
        text.push_str(&format!("{hours:2}:{mins:02}, "));
    } else {
        text.push_str(&format!("{mins} min, "));
    }
    text
}

/// The users phrase: ` 0 user,  `, ` 2 users,  `.
pub fn users(count: usize) -> String {
    let word = if count > 1 { "users" } else { "user" };
    format!("{count:2} {word},  ")
}

/// A summary memory figure in MiB, as the `%9.9s` of top's memory lines
/// receives it: one decimal and a space, cut to nine characters with a
/// `+` in the ninth when longer.
pub fn summary_mib(kib: u64) -> String {
    let mib = kib as f32 / 1024.0;
    let mut text = format!("{mib:.1} ");
    if text.len() > 9 {
        text.truncate(8);
        text.push('+');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_scales_until_it_fits() {
        assert_eq!(scale_mem(9_002_952, 7), "9002952");
        assert_eq!(scale_mem(10_102_952, 7), "9866.2m");
        assert_eq!(scale_mem(16 * 1024 * 1024, 7), "16.0g");
        assert_eq!(scale_mem(1_258_291, 6), "1.2g");
        assert_eq!(scale_mem(999_999, 6), "999999");
        assert_eq!(scale_mem(0, 6), "0");
        assert_eq!(scale_mem(u64::MAX, 6), "?");
        // Above 2^24 KiB the float top computes with loses the last digits.
        assert_eq!(scale_mem(16_777_217, 8), "16777216");
    }

    #[test]
    fn percentages_lose_precision_to_fit() {
        assert_eq!(percent(0.0, 5), "0.0");
        assert_eq!(percent(93.75, 5), "93.8");
        assert_eq!(percent(193.8, 5), "193.8");
        assert_eq!(percent(1234.5, 5), " 1234");
        assert_eq!(percent(123_456.0, 5), "?");
        // Ties round to even on the exact binary value, as printf does.
        assert_eq!(percent(6.25, 5), "6.2");
        assert_eq!(percent(12.25, 5), "12.2");
    }

    #[test]
    fn cpu_time_coarsens_as_it_grows() {
        assert_eq!(time_plus(470, 100), "0:04.70");
        assert_eq!(time_plus(4348, 100), "0:43.48");
        assert_eq!(time_plus(360 * 6000 + 5999, 100), "360:59.99");
        assert_eq!(time_plus(361 * 6000, 100), "6,01");
        assert_eq!(time_plus(97 * 360_000, 100), "4d+1h");
        assert_eq!(time_plus(15 * 24 * 360_000, 100), "2w+1d");
        assert_eq!(time_plus(0, 100), "0:00.00");
        assert_eq!(time_plus(u64::MAX, 100), "?");
    }

    #[test]
    fn written_texts_equal_the_made_ones() {
        for kib in [
            0,
            7,
            999_999,
            1_000_000,
            9_999_999,
            16_777_215,
            16_777_216,
            1 << 40,
        ] {
            for width in [6, 7] {
                let mut out = String::new();
                write_mem(&mut out, kib, width).unwrap();
                assert_eq!(out, scale_mem(kib, width), "{kib} in {width}");
            }
        }
        for num in [0.0, 0.05, 99.95, 1234.5] {
            let mut out = String::new();
            write_percent(&mut out, num, 5).unwrap();
            assert_eq!(out, percent(num, 5));
        }
        for ticks in [0, 1, 470, 2_166_000, 2_166_100, 100_000_000] {
            let mut out = String::new();
            write_time_plus(&mut out, ticks, 100).unwrap();
            assert_eq!(out, time_plus(ticks, 100), "{ticks}");
        }
    }

    #[test]
    fn priority_and_uptime_as_top_writes_them() {
        assert_eq!(priority(20), "20");
        assert_eq!(priority(-51), "-51");
        assert_eq!(priority(-100), "rt");
        assert_eq!(uptime(11.0 * 60.0 + 5.0), "11 min, ");
        assert_eq!(uptime(2.0 * 3600.0 + 3.0 * 60.0), " 2:03, ");
        assert_eq!(
            uptime(3.0 * 86400.0 + 2.0 * 3600.0 + 180.0),
            "3 days,  2:03, "
        );
        assert_eq!(uptime(86400.0), "1 day, 0 min, ");
        assert_eq!(uptime(12.0 * 3600.0), "12:00, ");
        assert_eq!(users(0), " 0 user,  ");
        assert_eq!(users(2), " 2 users,  ");
    }

    #[test]
    fn summary_figures_fit_nine_characters() {
        assert_eq!(summary_mib(24_683_568), "24105.0 ");
        assert_eq!(summary_mib(0), "0.0 ");
        let huge = summary_mib(2_000_000_000_000);
        assert!(huge.starts_with("195312") && huge.ends_with('+'), "{huge}");
        assert_eq!(huge.len(), 9);
    }
}
