#!/usr/bin/env python3
"""Process states R, S, T and Z, produced and read back from /proc --
the Python side of `pscope demo states`.

Run it: pscope demo states --code > states.py && python3 states.py
"""
import os
import signal
import time


def state(pid):
    """The state letter: the field after the name in /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def start(work):
    """Forks a child that runs work() and leaves; returns its PID."""
    pid = os.fork()
    if pid == 0:
        work()
        os._exit(0)
    return pid


def show(letter, pid, how):
    time.sleep(0.3)  # give the state time to show
    print(f"{letter}: pid {pid} is {state(pid)} -- {how}")


parent = os.getpid()


def spin():
    # Busy until the parent is gone or kills us: never waits, so R.
    while os.getppid() == parent:
        pass


busy = start(spin)
show("R", busy, "computing, never waiting")

sleeper = start(lambda: time.sleep(5))
show("S", sleeper, "asleep in a system call until its time is up")

os.kill(sleeper, signal.SIGSTOP)
show("T", sleeper, "stopped by SIGSTOP")
os.kill(sleeper, signal.SIGCONT)
show("S", sleeper, "SIGCONT: back to where it was")

quitter = start(lambda: None)
show("Z", quitter, "exited; its parent has not called wait() yet")

for pid in (busy, sleeper):
    os.kill(pid, signal.SIGKILL)
for pid in (busy, sleeper, quitter):
    os.waitpid(pid, 0)
print("All reaped: none of them is left in /proc.")
