//! The system call table: on this machine every name pscope gives a
//! number is the C library's (libc's SYS_* constants), and on aarch64 the
//! numbers of a fixture taken from the kernel's generic table.

use pscope::analysis::syscalls::{self, Arch};

#[test]
fn native_numbers_are_the_c_librarys() {
    let Some(arch) = Arch::native() else {
        return;
    };
    let mut known: Vec<(i64, &str)> = vec![
        (libc::SYS_read, "read"),
        (libc::SYS_write, "write"),
        (libc::SYS_readv, "readv"),
        (libc::SYS_writev, "writev"),
        (libc::SYS_pread64, "pread64"),
        (libc::SYS_recvfrom, "recvfrom"),
        (libc::SYS_recvmsg, "recvmsg"),
        (libc::SYS_sendto, "sendto"),
        (libc::SYS_sendmsg, "sendmsg"),
        (libc::SYS_accept, "accept"),
        (libc::SYS_accept4, "accept4"),
        (libc::SYS_connect, "connect"),
        (libc::SYS_ppoll, "ppoll"),
        (libc::SYS_pselect6, "pselect6"),
        (libc::SYS_epoll_pwait, "epoll_pwait"),
        (libc::SYS_nanosleep, "nanosleep"),
        (libc::SYS_clock_nanosleep, "clock_nanosleep"),
        (libc::SYS_restart_syscall, "restart_syscall"),
        (libc::SYS_wait4, "wait4"),
        (libc::SYS_waitid, "waitid"),
        (libc::SYS_futex, "futex"),
        (libc::SYS_clone, "clone"),
        (libc::SYS_clone3, "clone3"),
        (libc::SYS_execve, "execve"),
        (libc::SYS_getpid, "getpid"),
        (libc::SYS_exit_group, "exit_group"),
    ];
    #[cfg(target_arch = "x86_64")]
    known.extend([
        (libc::SYS_poll, "poll"),
        (libc::SYS_select, "select"),
        (libc::SYS_epoll_wait, "epoll_wait"),
        (libc::SYS_pause, "pause"),
        (libc::SYS_vfork, "vfork"),
    ]);
    for (number, name) in known {
        assert_eq!(syscalls::name_on(arch, number), Some(name), "{number}");
        assert_eq!(syscalls::number_on(arch, name), Some(number), "{name}");
    }
    // Every call the waiting table knows has its number in the C library's
    // table on this machine, or is one this architecture lacks.
    for s in syscalls::SYSCALLS {
        if let Some(n) = s.number(arch) {
            assert_eq!(syscalls::name_on(arch, n), Some(s.name));
        }
    }
}

#[test]
fn aarch64_numbers_match_the_kernels_generic_table() {
    let fixture = include_str!("fixtures/syscalls-aarch64.txt");
    let mut checked = 0;
    for line in fixture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (number, name) = line.split_once(' ').unwrap();
        let number: i64 = number.parse().unwrap();
        assert_eq!(
            syscalls::name_on(Arch::Aarch64, number),
            Some(name),
            "aarch64 {number}"
        );
        checked += 1;
    }
    assert!(checked >= 40);
    // aarch64 has none of the old calls: its C library uses the new ones.
    for old in ["poll", "select", "epoll_wait", "pause", "vfork"] {
        assert_eq!(syscalls::number_on(Arch::Aarch64, old), None, "{old}");
    }
}
