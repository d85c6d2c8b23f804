#!/usr/bin/env python3
"""Four ways to wait for input -- the Python side of `pscope demo io`.

A writer sends a line every 0.25 s to each reader, alternately through a
pipe and a unix socket. The readers wait with a blocking read, a busy
loop of non-blocking reads, select() and epoll. The script then reads
/proc for each: its state, its CPU time and the system call it is in.

Run it: pscope demo io --code > io.py && python3 io.py
"""
import os
import select
import signal
import socket
import time

SECONDS = 2
# System call numbers on x86_64 and aarch64 (the first field of
# /proc/PID/syscall), for the calls these processes sit in.
NAMES = {"x86_64": {0: "read", 7: "poll", 23: "select", 230: "clock_nanosleep",
                    232: "epoll_wait", 270: "pselect6", 271: "ppoll", 281: "epoll_pwait"},
         "aarch64": {63: "read", 22: "epoll_pwait", 72: "pselect6", 73: "ppoll",
                     115: "clock_nanosleep"}}.get(os.uname().machine, {})
parent = os.getpid()


def blocking(pipe, sock):
    while os.read(pipe, 100):          # sleeps in read(); ignores the socket
        pass


def busy(pipe, sock):
    os.set_blocking(pipe, False)
    sock.setblocking(False)
    eagain = 0
    while os.getppid() == parent:
        for read in (lambda: os.read(pipe, 100), lambda: sock.recv(100)):
            try:
                read()
            except BlockingIOError:    # EAGAIN: nothing yet, ask again
                eagain += 1


def selecting(pipe, sock):
    while True:
        ready, _, _ = select.select([pipe, sock], [], [])
        for f in ready:
            if not (os.read(f, 100) if f == pipe else f.recv(100)):
                return


def polling_epoll(pipe, sock):
    ep = select.epoll()
    ep.register(pipe, select.EPOLLIN)
    ep.register(sock.fileno(), select.EPOLLIN)
    while True:
        for fd, _ in ep.poll():
            if not os.read(fd, 100):
                return


def writer(ends):
    n = 0
    while os.getppid() == parent:
        for pipe, sock in ends:
            line = f"line {n}\n".encode()
            os.write(pipe, line) if n % 2 == 0 else sock.send(line)
        n += 1
        time.sleep(0.25)


def fork(work, *args):
    pid = os.fork()
    if pid == 0:
        try:
            work(*args)
        finally:
            os._exit(0)
    return pid


readers, ends = {}, []
for name, work in [("blocking read", blocking), ("busy loop", busy),
                   ("select", selecting), ("epoll", polling_epoll)]:
    r, w = os.pipe()
    mine, theirs = socket.socketpair()
    readers[name] = fork(work, r, mine)
    os.close(r)
    mine.close()
    ends.append((w, theirs))
writer_pid = fork(writer, ends)
for w, theirs in ends:                  # only the writer keeps the write ends
    os.close(w)
    theirs.close()


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), fields[0]


time.sleep(0.5)
pids = dict(readers, writer=writer_pid)
before = {name: cpu_ticks(pid)[0] for name, pid in pids.items()}
time.sleep(SECONDS)
hz = os.sysconf("SC_CLK_TCK")
print(f"{'process':14} {'pid':>7} state {'CPU %':>6}  system call")
for name, pid in pids.items():
    ticks, letter = cpu_ticks(pid)
    with open(f"/proc/{pid}/syscall") as f:
        words = f.read().split()
    call = "running" if words[0] == "running" else NAMES.get(int(words[0]), words[0])
    share = 100 * (ticks - before[name]) / hz / SECONDS
    print(f"{name:14} {pid:7} {letter:5} {share:6.1f}  {call}")
for pid in pids.values():
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
