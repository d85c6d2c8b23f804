#!/usr/bin/env python3
"""A parent that exits before its child: the child is adopted -- the
Python side of `pscope demo orphan`.

Run it: pscope demo orphan --code > orphan.py && python3 orphan.py
"""
import os
import time

parent = os.fork()
if parent == 0:
    # P: starts C, then exits at once.
    child = os.fork()
    if child == 0:
        # C: look at our parent before and after P is gone.
        before = os.getppid()
        time.sleep(1)
        after = os.getppid()
        with open(f"/proc/{after}/comm") as f:
            adopter = f.read().strip()
        print(f"C ({os.getpid()}): my parent was {before}; now it is {after} ({adopter}), "
              "the process that adopted me", flush=True)
        os._exit(0)
    print(f"P ({os.getpid()}): started C ({child}) and exits first", flush=True)
    os._exit(0)

os.waitpid(parent, 0)  # reap P, so that it leaves no zombie
print(f"script ({os.getpid()}): P ({parent}) is gone and reaped", flush=True)
time.sleep(1.5)  # C is not our child: we cannot wait for it, only give it time
