//! System call numbers and names: the calls a process is commonly found
//! waiting in (the first number of /proc/PID/syscall), for the two
//! architectures pscope is built for. Plain data, so that any report can
//! name what a process is blocked in.

/// One system call: its name, its number on each architecture (`None`
/// where the architecture lacks it and the C library uses another call),
/// what a process in it waits for, and which argument says on what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syscall {
    pub name: &'static str,
    pub x86_64: Option<i64>,
    pub aarch64: Option<i64>,
    pub waits_for: &'static str,
    pub watches: Watches,
}

/// What the arguments of a waiting call (/proc/PID/syscall shows all six)
/// tell about the descriptors it waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watches {
    /// Argument N is the one descriptor.
    Descriptor(usize),
    /// Argument N counts the descriptors (the list itself is in the
    /// process's memory, which /proc does not show).
    Count(usize),
    /// Argument N is an epoll instance: /proc/PID/fdinfo of it lists the
    /// registered descriptors (`tfd:` lines).
    EpollInstance(usize),
    /// Argument N is a child's PID (or -1 for any).
    Child(usize),
    /// No descriptor.
    Nothing,
}

/// The calls a waiting or sleeping process is usually in. aarch64 has only
/// the newer calls: its C library turns poll() into ppoll, select() into
/// pselect6 and epoll_wait() into epoll_pwait.
pub const SYSCALLS: &[Syscall] = &[
    Syscall {
        name: "read",
        x86_64: Some(0),
        aarch64: Some(63),
        waits_for: "data on one descriptor",
        watches: Watches::Descriptor(0),
    },
    Syscall {
        name: "write",
        x86_64: Some(1),
        aarch64: Some(64),
        waits_for: "room to write on one descriptor",
        watches: Watches::Descriptor(0),
    },
    Syscall {
        name: "poll",
        x86_64: Some(7),
        aarch64: None,
        waits_for: "any of a list of descriptors",
        watches: Watches::Count(1),
    },
    Syscall {
        name: "ppoll",
        x86_64: Some(271),
        aarch64: Some(73),
        waits_for: "any of a list of descriptors (poll with a signal mask)",
        watches: Watches::Count(1),
    },
    Syscall {
        name: "select",
        x86_64: Some(23),
        aarch64: None,
        waits_for: "any descriptor of a set (bit masks up to FD_SETSIZE)",
        watches: Watches::Count(0),
    },
    Syscall {
        name: "pselect6",
        x86_64: Some(270),
        aarch64: Some(72),
        waits_for: "any descriptor of a set (select with a signal mask)",
        watches: Watches::Count(0),
    },
    Syscall {
        name: "epoll_wait",
        x86_64: Some(232),
        aarch64: None,
        waits_for: "the descriptors registered in an epoll instance",
        watches: Watches::EpollInstance(0),
    },
    Syscall {
        name: "epoll_pwait",
        x86_64: Some(281),
        aarch64: Some(22),
        waits_for: "the descriptors registered in an epoll instance (with a signal mask)",
        watches: Watches::EpollInstance(0),
    },
    Syscall {
        name: "epoll_pwait2",
        x86_64: Some(441),
        aarch64: Some(441),
        waits_for: "the descriptors registered in an epoll instance (nanosecond timeout)",
        watches: Watches::EpollInstance(0),
    },
    Syscall {
        name: "nanosleep",
        x86_64: Some(35),
        aarch64: Some(101),
        waits_for: "a time to pass",
        watches: Watches::Nothing,
    },
    Syscall {
        name: "clock_nanosleep",
        x86_64: Some(230),
        aarch64: Some(115),
        waits_for: "a time to pass, on a chosen clock",
        watches: Watches::Nothing,
    },
    Syscall {
        name: "restart_syscall",
        x86_64: Some(219),
        aarch64: Some(128),
        waits_for: "the rest of a sleep interrupted by a stop and continue",
        watches: Watches::Nothing,
    },
    Syscall {
        name: "wait4",
        x86_64: Some(61),
        aarch64: Some(260),
        waits_for: "a child to change state",
        watches: Watches::Child(0),
    },
    Syscall {
        name: "waitid",
        x86_64: Some(247),
        aarch64: Some(95),
        waits_for: "a child to change state",
        watches: Watches::Nothing,
    },
    Syscall {
        name: "pause",
        x86_64: Some(34),
        aarch64: None,
        waits_for: "a signal",
        watches: Watches::Nothing,
    },
];

/// An architecture whose numbers the table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    /// The architecture pscope was built for, if the table covers it.
    pub fn native() -> Option<Arch> {
        if cfg!(target_arch = "x86_64") {
            Some(Arch::X86_64)
        } else if cfg!(target_arch = "aarch64") {
            Some(Arch::Aarch64)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
        }
    }
}

impl Syscall {
    pub fn number(&self, arch: Arch) -> Option<i64> {
        match arch {
            Arch::X86_64 => self.x86_64,
            Arch::Aarch64 => self.aarch64,
        }
    }
}

/// The call with this number on `arch`, if the table has it.
pub fn by_number(arch: Arch, number: i64) -> Option<&'static Syscall> {
    SYSCALLS.iter().find(|s| s.number(arch) == Some(number))
}

/// The call of this name, if the table has it.
pub fn by_name(name: &str) -> Option<&'static Syscall> {
    SYSCALLS.iter().find(|s| s.name == name)
}

/// A system call number in words for this machine: its name when the table
/// knows it, else `syscall N`.
pub fn name(number: i64) -> String {
    Arch::native()
        .and_then(|arch| by_number(arch, number))
        .map_or_else(|| format!("syscall {number}"), |s| s.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_per_architecture() {
        for arch in [Arch::X86_64, Arch::Aarch64] {
            let mut seen = std::collections::HashSet::new();
            for s in SYSCALLS {
                if let Some(n) = s.number(arch) {
                    assert!(seen.insert(n), "{} twice on {}", n, arch.name());
                }
            }
        }
    }

    #[test]
    fn the_same_call_has_different_numbers() {
        assert_eq!(by_number(Arch::X86_64, 0).unwrap().name, "read");
        assert_eq!(by_number(Arch::Aarch64, 63).unwrap().name, "read");
        assert_eq!(by_number(Arch::Aarch64, 22).unwrap().name, "epoll_pwait");
        assert_eq!(by_number(Arch::X86_64, 232).unwrap().name, "epoll_wait");
        assert!(by_number(Arch::Aarch64, 232).is_none());
        assert!(by_name("poll").unwrap().aarch64.is_none());
        assert_eq!(by_name("restart_syscall").unwrap().x86_64, Some(219));
    }
}
