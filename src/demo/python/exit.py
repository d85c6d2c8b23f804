#!/usr/bin/env python3
"""How a process ends, as its parent's waitpid() sees it, and why a
forked child leaves with os._exit() -- the Python side of `pscope demo exit`.

Run it: pscope demo exit --code > exit.py && python3 exit.py
"""
import atexit
import os
import resource
import shutil
import signal
import sys
import tempfile
import time


def child(body):
    """Runs body() in a child; returns the status word waitpid() gives."""
    pid = os.fork()
    if pid == 0:
        body()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return status


def show(what, status):
    if os.WIFEXITED(status):
        how = f"WIFEXITED, WEXITSTATUS {os.WEXITSTATUS(status)}"
    else:
        how = (f"WIFSIGNALED, WTERMSIG {os.WTERMSIG(status)} "
               f"({signal.Signals(os.WTERMSIG(status)).name}), WCOREDUMP {os.WCOREDUMP(status)}")
    print(f"{what:30} status 0x{status:04x}: {how}", flush=True)


def main():
    return 4


def segfault():
    # A core file lands in the working directory: use a private one.
    os.chdir(core_dir)
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    os.kill(os.getpid(), signal.SIGSEGV)


show("sys.exit(3)", child(lambda: sys.exit(3)))
show("return 4 from main()", child(lambda: sys.exit(main())))
show("SIGKILL", child(lambda: os.kill(os.getpid(), signal.SIGKILL)))
core_dir = tempfile.mkdtemp()
show("SIGSEGV", child(segfault))
print(f"    core files written: {os.listdir(core_dir) or 'none'}")
shutil.rmtree(core_dir)


def buffered(leave):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        # stdout into the pipe, with a buffer of its own (whatever
        # PYTHONUNBUFFERED says): print() fills it, a flush empties it.
        sys.stdout = open(w, "w", buffering=4096, closefd=False)
        atexit.register(lambda: os.write(w, b"[atexit handler ran] "))
        print("text in the stdout buffer, no newline", end="")
        leave()
    os.close(w)
    got = b""
    while chunk := os.read(r, 100):
        got += chunk
    os.waitpid(pid, 0)
    return got.decode()


print(f"sys.exit(0) -> the pipe got {buffered(lambda: sys.exit(0))!r}")
print(f"os._exit(0) -> the pipe got {buffered(lambda: os._exit(0))!r}")
