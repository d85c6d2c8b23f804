//! Signals by name and number, signal masks as /proc/PID/status writes
//! them, and exit statuses as wait() reports them.

/// Linux's signal names, 1 to 31 (the same on x86_64 and aarch64).
const NAMES: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
];

/// The first and last real-time signals as the C library numbers them
/// for programs (32 and 33 are the library's own).
pub const RTMIN: i32 = 34;
pub const RTMAX: i32 = 64;

/// A signal's name without "SIG" (`CHLD`, `RTMIN+2`), or its number.
pub fn name(signal: i32) -> String {
    match signal {
        1..=31 => NAMES[(signal - 1) as usize].to_string(),
        RTMIN => "RTMIN".into(),
        RTMAX => "RTMAX".into(),
        n if (RTMIN + 1..=RTMIN + 15).contains(&n) => format!("RTMIN+{}", n - RTMIN),
        n if (RTMIN + 16..RTMAX).contains(&n) => format!("RTMAX-{}", RTMAX - n),
        n => n.to_string(),
    }
}

/// A signal given by number or by name, with or without `SIG`, in any
/// case: `15`, `TERM`, `sigkill`.
pub fn number(text: &str) -> Option<i32> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    (1..=64).find(|&n| self::name(n) == name)
}

/// The signals in a mask (bit N-1 for signal N), lowest first.
pub fn in_mask(mask: u64) -> Vec<i32> {
    (1..=64)
        .filter(|&s| mask & (1u64 << (s - 1)) != 0)
        .collect()
}

/// Whether a signal is in a mask.
pub fn mask_has(mask: u64, signal: i32) -> bool {
    (1..=64).contains(&signal) && mask & (1u64 << (signal - 1)) != 0
}

pub const SIGCHLD: i32 = 17;

/// A wait status (stat field 52, or what waitpid() returns) in words:
/// "exited with status 3", "killed by SIGSEGV (core dumped)".
pub fn describe_wait_status(status: i32) -> String {
    let signal = status & 0x7f;
    if signal == 0 {
        return format!("exited with status {}", (status >> 8) & 0xff);
    }
    if signal == 0x7f {
        return format!("stopped by SIG{}", name((status >> 8) & 0xff));
    }
    let core = if status & 0x80 != 0 {
        " (core dumped)"
    } else {
        ""
    };
    format!("killed by SIG{}{core}", name(signal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kill_l() {
        assert_eq!(name(9), "KILL");
        assert_eq!(name(17), "CHLD");
        assert_eq!(name(34), "RTMIN");
        assert_eq!(name(36), "RTMIN+2");
        assert_eq!(name(63), "RTMAX-1");
        assert_eq!(name(64), "RTMAX");
        assert_eq!(name(0), "0");
    }

    #[test]
    fn masks_list_their_signals() {
        // SigCgt of a shell: INT, CHLD, ...
        assert_eq!(in_mask(0x0001_0002), vec![2, 17]);
        assert!(mask_has(1 << 16, SIGCHLD));
        assert!(!mask_has(u64::MAX, 0) && !mask_has(u64::MAX, 65));
        assert_eq!(in_mask(u64::MAX).len(), 64);
    }

    #[test]
    fn wait_statuses_read_as_waitpid_decodes_them() {
        assert_eq!(describe_wait_status(3 << 8), "exited with status 3");
        assert_eq!(describe_wait_status(0), "exited with status 0");
        assert_eq!(
            describe_wait_status(11 | 0x80),
            "killed by SIGSEGV (core dumped)"
        );
        assert_eq!(describe_wait_status(9), "killed by SIGKILL");
        assert_eq!(describe_wait_status((19 << 8) | 0x7f), "stopped by SIGSTOP");
    }

    #[test]
    fn signals_are_found_by_number_or_name() {
        assert_eq!(number("15"), Some(15));
        assert_eq!(number("TERM"), Some(15));
        assert_eq!(number("sigkill"), Some(9));
        assert_eq!(number(" hup "), Some(1));
        assert_eq!(number("RTMIN+2"), Some(36));
        assert_eq!(number("0"), None);
        assert_eq!(number("65"), None);
        assert_eq!(number("BOGUS"), None);
    }
}
