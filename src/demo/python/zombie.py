#!/usr/bin/env python3
"""A zombie, and the three ways not to leave one -- the Python side of
`pscope demo zombie`.

Run it: pscope demo zombie --code > zombie.py && python3 zombie.py
"""
import os
import signal
import time


def state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


# A child that exits at once while we do not wait: a zombie.
child = os.fork()
if child == 0:
    os._exit(3)
time.sleep(0.3)
print(f"child {child} exited; it is {state(child)} until we wait for it")

# Remedy 1: wait.
_, status = os.waitpid(child, 0)
print(f"waitpid: exit status {os.waitstatus_to_exitcode(status)}; the child is now {state(child)}")

# Remedy 2: double fork. The middle child exits at once; the grandchild,
# adopted by init (or a subreaper), is reaped by its new parent.
r, w = os.pipe()
middle = os.fork()
if middle == 0:
    grandchild = os.fork()
    if grandchild == 0:
        time.sleep(0.5)
        os._exit(0)
    os.write(w, f"{grandchild}\n".encode())
    os._exit(0)
os.waitpid(middle, 0)
grandchild = int(os.read(r, 32))
with open(f"/proc/{grandchild}/stat") as f:
    adopter = f.read().rsplit(")", 1)[1].split()[1]
print(f"double fork: middle child {middle} is reaped; grandchild {grandchild} now has parent "
      f"{adopter}, which is to reap it, not us")
for _ in range(50):
    if state(grandchild) == "gone":
        break
    time.sleep(0.1)
print(f"the grandchild exited after 0.5 s and is {state(grandchild)}")

# Remedy 3: ignore SIGCHLD; the kernel then reaps children at once.
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
child = os.fork()
if child == 0:
    os._exit(0)
time.sleep(0.3)
print(f"SIGCHLD ignored: child {child} exited and is {state(child)}, never a zombie")
try:
    os.waitpid(child, 0)
except ChildProcessError:
    print("waitpid finds nothing to collect: the kernel already did")
