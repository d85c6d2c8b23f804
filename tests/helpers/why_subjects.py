"""Processes for tests/why_live.rs to explain: each mode sets a process up
to wait in one way, writes what the test must find (PIDs, descriptors) as
JSON to the file named by the second argument, and then waits for ever.
The test kills the whole process group."""

import ctypes
import json
import os
import platform
import select
import signal
import socket
import stat
import sys
import time

mode, report = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)


def tell(**facts):
    facts.setdefault("pid", os.getpid())
    tmp = report + ".tmp"
    with open(tmp, "w") as f:
        json.dump(facts, f)
    os.rename(tmp, report)


def writer_child(theirs=(), ours=()):
    """A child that holds the other ends (`theirs`) and sleeps; the
    parent keeps `ours`."""
    pid = os.fork()
    if pid == 0:
        for fd in ours:
            os.close(fd)
        while True:
            time.sleep(1000)
    for fd in theirs:
        os.close(fd)
    return pid


def pipe_and_socket():
    r, w = os.pipe()
    a, b = socket.socketpair()
    child = writer_child(theirs=(w, b.detach()), ours=(r, a.fileno()))
    return r, a, child


if mode == "accept":
    path = sys.argv[3]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()
    tell(fd=server.fileno(), path=path)
    server.accept()
elif mode == "pipe-reader":
    r, w = os.pipe()
    child = writer_child(theirs=(w,), ours=(r,))
    tell(fd=r, writer=child)
    os.read(r, 1)
elif mode == "wait-child":
    child = os.fork()
    if child == 0:
        while True:
            time.sleep(1000)
    tell(child=child)
    os.waitpid(child, 0)
elif mode in ("select", "poll", "epoll"):
    r, s, child = pipe_and_socket()
    if mode != "epoll":
        tell(fds=[r, s.fileno()], writer=child)
    if mode == "select":
        select.select([r, s], [], [])
    elif mode == "poll":
        p = select.poll()
        p.register(r, select.POLLIN)
        p.register(s, select.POLLIN)
        p.poll()
    else:
        e = select.epoll()
        e.register(r, select.EPOLLIN)
        e.register(s, select.EPOLLIN)
        tell(fds=[r, s.fileno()], writer=child, epoll=e.fileno())
        e.poll()
elif mode == "zombie":
    child = os.fork()
    if child == 0:
        os._exit(7)
    tell(child=child)
    while True:
        time.sleep(1000)
elif mode == "traced":
    child = os.fork()
    if child == 0:
        while True:
            time.sleep(1000)
    PTRACE_ATTACH = 16
    if libc.ptrace(PTRACE_ATTACH, child, None, None) != 0:
        tell(error=os.strerror(ctypes.get_errno()))
        sys.exit(1)
    os.waitpid(child, 0)  # the stop that attaching causes
    tell(child=child)
    while True:
        time.sleep(1000)
elif mode == "vfork":
    # The child shares the parent's memory and stack and the parent is
    # suspended until the child execs or exits: the child only pauses.
    if platform.machine() == "x86_64":
        pid = libc.syscall(58)  # vfork
    else:
        CLONE_VM, CLONE_VFORK = 0x100, 0x4000
        pid = libc.syscall(220, CLONE_VM | CLONE_VFORK | signal.SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        # Written by the child: the parent cannot write while it waits.
        tell(pid=os.getppid(), child=os.getpid())
        while True:
            libc.pause()
    while True:
        time.sleep(1000)
elif mode == "tcp-listen":
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    tell(fd=server.fileno(), port=server.getsockname()[1])
    server.accept()
elif mode == "every-type":
    work = sys.argv[3]
    fds = {}
    regular = os.path.join(work, "regular")
    open(regular, "w").close()
    fds["-"] = os.open(regular, os.O_RDONLY)
    fds["d"] = os.open(work, os.O_RDONLY | os.O_DIRECTORY)
    fds["c"] = os.open("/dev/null", os.O_WRONLY)
    block = os.path.join(work, "block")
    os.mknod(block, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    try:
        fds["b"] = os.open(block, os.O_RDONLY)
    except OSError:
        fds["b"] = os.open(block, os.O_PATH)
    fds["p"] = os.pipe()[0]
    fifo = os.path.join(work, "fifo")
    os.mkfifo(fifo)
    fds["fifo"] = os.open(fifo, os.O_RDWR)
    fds["s"] = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).detach()
    link = os.path.join(work, "link")
    os.symlink(regular, link)
    fds["l"] = os.open(link, os.O_PATH | os.O_NOFOLLOW)
    keep = select.epoll()
    fds["eventpoll"] = keep.fileno()
    fds["eventfd"] = os.eventfd(0)
    fds["timerfd"] = libc.timerfd_create(1, 0)
    mask = ctypes.create_string_buffer(128)
    fds["signalfd"] = libc.signalfd(-1, mask, 0)
    tell(fds=fds)
    while True:
        time.sleep(1000)
else:
    sys.exit("unknown mode " + mode)
