//! System calls by number and name. Every call's name on x86_64 and
//! aarch64 comes from the `syscalls` crate (its tables are generated from
//! the kernel's); this module adds, for the calls a process is found
//! waiting in, what it waits for and which arguments say on what. Plain
//! data, so that any report can name what a process is blocked in.

/// A call a process can wait in: what it waits for, and how its arguments
/// (all six are in /proc/PID/syscall) name the object of the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syscall {
    pub name: &'static str,
    pub waits_for: &'static str,
    pub watches: Watches,
}

/// What the arguments of a waiting call tell about what it waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watches {
    /// Argument N is the one descriptor.
    Descriptor(usize),
    /// poll/ppoll: argument `list` points to `count` (an argument) struct
    /// pollfd in the process's memory.
    PollList { list: usize, count: usize },
    /// select/pselect6: argument 0 counts the descriptors; arguments 1, 2
    /// and 3 point to the read, write and exception bit sets.
    SelectSets,
    /// Argument N is an epoll instance: /proc/PID/fdinfo of it lists the
    /// registered descriptors (`tfd:` lines).
    EpollInstance(usize),
    /// wait4: argument 0 is a child's PID, -1 for any, 0 or -PGID for a
    /// process group.
    Child,
    /// waitid: argument 0 is the kind of id (all, a PID, a group, a pidfd)
    /// and argument 1 the id.
    WaitId,
    /// Argument `request` points to the struct timespec asked for: a
    /// length of time, or with TIMER_ABSTIME in argument `flags` an
    /// instant.
    Sleep {
        request: usize,
        flags: Option<usize>,
    },
    /// futex: argument 0 is the address of the lock or condition word,
    /// argument 1 the operation.
    Futex,
    /// vfork, or clone with CLONE_VFORK: the new child, until it execs or
    /// exits.
    VforkChild,
    /// No object to name.
    Nothing,
}

/// The calls a waiting or sleeping process is usually in. aarch64 has only
/// the newer calls: its C library turns poll() into ppoll, select() into
/// pselect6, epoll_wait() into epoll_pwait, and pause() into ppoll too.
#[rustfmt::skip]
pub const SYSCALLS: &[Syscall] = &[
    Syscall { name: "read", waits_for: "data on one descriptor", watches: Watches::Descriptor(0) },
    Syscall { name: "readv", waits_for: "data on one descriptor", watches: Watches::Descriptor(0) },
    Syscall { name: "pread64", waits_for: "data on one descriptor", watches: Watches::Descriptor(0) },
    Syscall { name: "write", waits_for: "room to write on one descriptor", watches: Watches::Descriptor(0) },
    Syscall { name: "writev", waits_for: "room to write on one descriptor", watches: Watches::Descriptor(0) },
    Syscall { name: "recvfrom", waits_for: "a message on one socket", watches: Watches::Descriptor(0) },
    Syscall { name: "recvmsg", waits_for: "a message on one socket", watches: Watches::Descriptor(0) },
    Syscall { name: "recvmmsg", waits_for: "messages on one socket", watches: Watches::Descriptor(0) },
    Syscall { name: "sendto", waits_for: "room to send on one socket", watches: Watches::Descriptor(0) },
    Syscall { name: "sendmsg", waits_for: "room to send on one socket", watches: Watches::Descriptor(0) },
    Syscall { name: "sendmmsg", waits_for: "room to send on one socket", watches: Watches::Descriptor(0) },
    Syscall { name: "accept", waits_for: "a connection on a listening socket", watches: Watches::Descriptor(0) },
    Syscall { name: "accept4", waits_for: "a connection on a listening socket", watches: Watches::Descriptor(0) },
    Syscall { name: "connect", waits_for: "a connection to be made", watches: Watches::Descriptor(0) },
    Syscall { name: "flock", waits_for: "a lock on one file", watches: Watches::Descriptor(0) },
    Syscall { name: "fcntl", waits_for: "a record lock on one file (F_SETLKW)", watches: Watches::Descriptor(0) },
    Syscall { name: "fsync", waits_for: "its writes to reach the disk", watches: Watches::Descriptor(0) },
    Syscall { name: "ioctl", waits_for: "a device to answer", watches: Watches::Descriptor(0) },
    Syscall { name: "poll", waits_for: "any of a list of descriptors", watches: Watches::PollList { list: 0, count: 1 } },
    Syscall { name: "ppoll", waits_for: "any of a list of descriptors (poll with a signal mask)", watches: Watches::PollList { list: 0, count: 1 } },
    Syscall { name: "select", waits_for: "any descriptor of a set (bit masks up to FD_SETSIZE)", watches: Watches::SelectSets },
    Syscall { name: "pselect6", waits_for: "any descriptor of a set (select with a signal mask)", watches: Watches::SelectSets },
    Syscall { name: "epoll_wait", waits_for: "the descriptors registered in an epoll instance", watches: Watches::EpollInstance(0) },
    Syscall { name: "epoll_pwait", waits_for: "the descriptors registered in an epoll instance (with a signal mask)", watches: Watches::EpollInstance(0) },
    Syscall { name: "epoll_pwait2", waits_for: "the descriptors registered in an epoll instance (nanosecond timeout)", watches: Watches::EpollInstance(0) },
    Syscall { name: "nanosleep", waits_for: "a time to pass", watches: Watches::Sleep { request: 0, flags: None } },
    Syscall { name: "clock_nanosleep", waits_for: "a time to pass, on a chosen clock", watches: Watches::Sleep { request: 2, flags: Some(1) } },
    Syscall { name: "restart_syscall", waits_for: "the rest of a sleep interrupted by a stop and continue", watches: Watches::Nothing },
    Syscall { name: "wait4", waits_for: "a child to change state", watches: Watches::Child },
    Syscall { name: "waitid", waits_for: "a child to change state", watches: Watches::WaitId },
    Syscall { name: "futex", waits_for: "a lock or condition shared with other threads", watches: Watches::Futex },
    Syscall { name: "pause", waits_for: "a signal", watches: Watches::Nothing },
    Syscall { name: "rt_sigsuspend", waits_for: "a signal", watches: Watches::Nothing },
    Syscall { name: "rt_sigtimedwait", waits_for: "one of a set of signals", watches: Watches::Nothing },
    Syscall { name: "msgrcv", waits_for: "a message on a System V queue", watches: Watches::Nothing },
    Syscall { name: "semop", waits_for: "a System V semaphore", watches: Watches::Nothing },
    Syscall { name: "semtimedop", waits_for: "a System V semaphore", watches: Watches::Nothing },
    Syscall { name: "io_getevents", waits_for: "asynchronous I/O to complete", watches: Watches::Nothing },
    Syscall { name: "io_uring_enter", waits_for: "io_uring completions", watches: Watches::Descriptor(0) },
    Syscall { name: "vfork", waits_for: "its vfork child to exec or exit", watches: Watches::VforkChild },
    Syscall { name: "clone", waits_for: "a new child (with CLONE_VFORK, until it execs or exits)", watches: Watches::VforkChild },
    Syscall { name: "clone3", waits_for: "a new child (with CLONE_VFORK, until it execs or exits)", watches: Watches::VforkChild },
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

/// The name of call `number` on `arch`, from the kernel's tables.
pub fn name_on(arch: Arch, number: i64) -> Option<&'static str> {
    let id = usize::try_from(number).ok()?;
    match arch {
        Arch::X86_64 => syscalls::x86_64::Sysno::new(id).map(|s| s.name()),
        Arch::Aarch64 => syscalls::aarch64::Sysno::new(id).map(|s| s.name()),
    }
}

/// The number of the call named `name` on `arch`, if it has one.
pub fn number_on(arch: Arch, name: &str) -> Option<i64> {
    match arch {
        Arch::X86_64 => syscalls::x86_64::Sysno::iter()
            .find(|s| s.name() == name)
            .map(|s| i64::from(s.id())),
        Arch::Aarch64 => syscalls::aarch64::Sysno::iter()
            .find(|s| s.name() == name)
            .map(|s| i64::from(s.id())),
    }
}

impl Syscall {
    pub fn number(&self, arch: Arch) -> Option<i64> {
        number_on(arch, self.name)
    }
}

/// The waiting call with this number on `arch`, if it is one.
pub fn by_number(arch: Arch, number: i64) -> Option<&'static Syscall> {
    by_name(name_on(arch, number)?)
}

/// The waiting call of this name, if the table has it.
pub fn by_name(name: &str) -> Option<&'static Syscall> {
    SYSCALLS.iter().find(|s| s.name == name)
}

/// A system call number in words for `arch`: its name, else `syscall N`.
pub fn name_for(arch: Option<Arch>, number: i64) -> String {
    arch.and_then(|a| name_on(a, number))
        .map_or_else(|| format!("syscall {number}"), str::to_string)
}

/// A system call number in words for this machine.
pub fn name(number: i64) -> String {
    name_for(Arch::native(), number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_waiting_call_is_named_by_the_kernel_tables() {
        for s in SYSCALLS {
            let on_x86 = s.number(Arch::X86_64).is_some();
            let on_arm = s.number(Arch::Aarch64).is_some();
            assert!(on_x86 || on_arm, "{} is on neither architecture", s.name);
        }
    }

    #[test]
    fn the_same_call_has_different_numbers() {
        assert_eq!(by_number(Arch::X86_64, 0).unwrap().name, "read");
        assert_eq!(by_number(Arch::Aarch64, 63).unwrap().name, "read");
        assert_eq!(by_number(Arch::Aarch64, 22).unwrap().name, "epoll_pwait");
        assert_eq!(by_number(Arch::X86_64, 232).unwrap().name, "epoll_wait");
        assert_eq!(name_on(Arch::Aarch64, 232), Some("mincore"));
        assert!(by_name("poll").unwrap().number(Arch::Aarch64).is_none());
        assert_eq!(
            by_name("restart_syscall").unwrap().number(Arch::X86_64),
            Some(219)
        );
        // A call that waits for nothing still has its name.
        assert_eq!(name_for(Some(Arch::X86_64), 39), "getpid");
        assert_eq!(name_for(Some(Arch::X86_64), 100_000), "syscall 100000");
        assert_eq!(name_for(Some(Arch::X86_64), -5), "syscall -5");
    }
}
