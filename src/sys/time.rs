//! Local time through the C library, as ps formats it: the same time zone
//! rules (TZ, /etc/localtime) and the C locale's month and day names.

use std::ffi::CString;

/// The parts of a local date that decide how ps writes a start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDate {
    /// Years since 1900, as `struct tm` counts them.
    pub year: i32,
    /// Day of the year, 0-365.
    pub day_of_year: i32,
}

fn broken_down(epoch: i64) -> libc::tm {
    // SAFETY: tm is plain data for which all-zero is valid; localtime_r
    // only writes into it, and leaves it zeroed if the time cannot be
    // represented.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        let t: libc::time_t = epoch as libc::time_t;
        libc::localtime_r(&t, &mut tm);
        tm
    }
}

/// The local date of an instant (seconds since the epoch).
pub fn local_date(epoch: i64) -> LocalDate {
    let tm = broken_down(epoch);
    LocalDate {
        year: tm.tm_year,
        day_of_year: tm.tm_yday,
    }
}

/// `strftime` of an instant in local time. Formats that could contain a
/// NUL, or whose text exceeds 127 bytes, give an empty string.
pub fn strftime(epoch: i64, format: &str) -> String {
    let Ok(format) = CString::new(format) else {
        return String::new();
    };
    let tm = broken_down(epoch);
    let mut out = [0u8; 128];
    // SAFETY: `out` is a writable buffer of `out.len()` bytes; strftime
    // writes at most that many and returns how many it wrote (0 when the
    // text does not fit), reading only the NUL-terminated format and `tm`.
    let n = unsafe {
        libc::strftime(
            out.as_mut_ptr().cast::<libc::c_char>(),
            out.len(),
            format.as_ptr(),
            &tm,
        )
    };
    String::from_utf8_lossy(&out[..n.min(out.len())]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_fit_or_give_nothing() {
        assert_eq!(strftime(0, "%Y").len(), 4);
        assert_eq!(strftime(0, "a\0b"), "");
        assert_eq!(strftime(0, &"%Y".repeat(100)), "");
        let d = local_date(86_400 * 365);
        assert!((70..=71).contains(&d.year));
    }
}
