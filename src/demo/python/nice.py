#!/usr/bin/env python3
"""Two busy children on one CPU at nice 0 and nice 10: the CPU each gets
against the scheduler's weights -- the Python side of `pscope demo nice`.

Run it: pscope demo nice --code > nice.py && python3 nice.py
"""
import os
import signal
import time

SECONDS = 2
cpu = min(os.sched_getaffinity(0))  # the first CPU we may use
parent = os.getpid()


def ticks(pid):
    """User plus system CPU time in clock ticks (/proc/PID/stat, 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


children = []
for nice in (0, 10):
    pid = os.fork()
    if pid == 0:
        os.sched_setaffinity(0, {cpu})
        os.nice(nice)
        while os.getppid() == parent:
            pass
        os._exit(0)
    children.append(pid)

before = [ticks(p) for p in children]
time.sleep(SECONDS)
used = [ticks(p) - b for p, b in zip(children, before)]
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)

# The kernel's weights: nice 0 is 1024, nice 10 is 110 (about 1.25x a step).
expected = 100 * 1024 / (1024 + 110)
total = max(sum(used), 1)
print(f"both on CPU {cpu} for {SECONDS} s:")
print(f"  nice 0:  {100 * used[0] / total:5.1f}% (weights say {expected:.1f}%)")
print(f"  nice 10: {100 * used[1] / total:5.1f}% (weights say {100 - expected:.1f}%)")
