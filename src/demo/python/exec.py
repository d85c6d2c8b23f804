#!/usr/bin/env python3
"""exec(): the same process, a new program -- the Python side of
`pscope demo exec`.

Run it: pscope demo exec --code > exec.py && python3 exec.py
"""
import os
import shutil
import time

sleep = shutil.which("sleep")


def look(pid, when):
    with open(f"/proc/{pid}/comm") as f:
        comm = f.read().strip()
    exe = os.readlink(f"/proc/{pid}/exe")
    fds = {int(fd): os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    with open(f"/proc/{pid}/maps") as f:
        mappings = len(f.readlines())
    with open(f"/proc/{pid}/stat") as f:
        ppid = f.read().rsplit(")", 1)[1].split()[1]
    print(f"{when}: pid {pid}, parent {ppid}, name {comm}, exe {exe}, {mappings} mappings")
    for fd in sorted(fds):
        print(f"    fd {fd} -> {fds[fd]}")


ready_r, ready_w = os.pipe()
pid = os.fork()
if pid == 0:
    # Python opens every descriptor close-on-exec (PEP 446); ask for one
    # that is inherited, and keep another one the default way.
    kept = os.open("/dev/zero", os.O_RDONLY)
    os.set_inheritable(kept, True)
    dropped = os.open("/dev/urandom", os.O_RDONLY)
    os.write(ready_w, b"x")
    time.sleep(0.5)
    os.execv(sleep, ["sleep", "2"])  # does not return when it works

os.read(ready_r, 1)
look(pid, "before exec")
while open(f"/proc/{pid}/comm").read().strip() != "sleep":
    time.sleep(0.05)
look(pid, "after exec ")
print("same pid and parent; new name, executable and memory map; "
      "/dev/urandom, close-on-exec, is gone; /dev/zero stayed")
_, status = os.waitpid(pid, 0)
print(f"sleep ended: exit status {os.waitstatus_to_exitcode(status)}")
