//! Who is logged in, as top counts it: the records of the utmp file that
//! describe a user's login process and name a user.

use std::path::Path;

/// Where the C library keeps the login records.
pub const UTMP_PATH: &str = "/var/run/utmp";

/// One record of glibc's utmp file on 64-bit Linux (x86_64, aarch64):
/// 384 bytes, the type a 16-bit number at offset 0, the user's name 32
/// bytes at offset 44.
const RECORD: usize = 384;
const USER_AT: usize = 44;
/// ut_type of a user's login process.
const USER_PROCESS: i16 = 7;

/// The users logged in according to the utmp bytes: records of a login
/// process whose user name is not empty. A trailing partial record is
/// ignored.
pub fn count_users(bytes: &[u8]) -> usize {
    bytes
        .chunks_exact(RECORD)
        .filter(|record| {
            let kind = i16::from_ne_bytes([record[0], record[1]]);
            kind == USER_PROCESS && record[USER_AT] != 0
        })
        .count()
}

/// The users logged in now; 0 when there is no utmp file (a container).
pub fn users_logged_in(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |bytes| count_users(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: i16, user: &[u8]) -> Vec<u8> {
        let mut r = vec![0u8; RECORD];
        r[..2].copy_from_slice(&kind.to_ne_bytes());
        r[USER_AT..USER_AT + user.len()].copy_from_slice(user);
        r
    }

    #[test]
    fn only_named_login_processes_count() {
        let mut file = Vec::new();
        file.extend(record(2, b"reboot")); // BOOT_TIME
        file.extend(record(USER_PROCESS, b"alice"));
        file.extend(record(USER_PROCESS, b""));
        file.extend(record(8, b"bob")); // DEAD_PROCESS
        file.extend(record(USER_PROCESS, b"carol"));
        file.extend(&[7, 0, 1]); // a partial record
        assert_eq!(count_users(&file), 2);
        assert_eq!(count_users(&[]), 0);
        assert_eq!(users_logged_in(Path::new("/nonexistent/utmp")), 0);
    }
}
