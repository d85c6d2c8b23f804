#!/usr/bin/env python3
"""fork(): one call, two returns -- the Python side of `pscope demo fork`.

Run it: pscope demo fork --code > fork.py && python3 fork.py
"""
import os

counter = 1
# Flush before fork: text still in the buffer would be copied into the
# child and printed twice.
print(f"before fork: pid {os.getpid()}, parent {os.getppid()}, counter = {counter}", flush=True)

pid = os.fork()
if pid == 0:
    # In the child fork() returned 0. Its memory is a copy of the parent's:
    # changing counter here changes the child's copy only.
    counter += 41
    print(f"child:  fork() returned 0; pid {os.getpid()}, parent {os.getppid()}, "
          f"counter = {counter}", flush=True)
    # os._exit leaves at once, without the parent's cleanup code.
    os._exit(7)

# In the parent fork() returned the child's PID.
print(f"parent: fork() returned {pid}; pid {os.getpid()}, counter = {counter}", flush=True)
with open(f"/proc/{pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
print(f"parent: /proc/{pid}/stat gives the child state {fields[0]}, parent {fields[1]}, "
      f"group {fields[2]}, session {fields[3]} (the group and session are ours)")
_, status = os.waitpid(pid, 0)
print(f"parent: waitpid() collected the child: exit status {os.waitstatus_to_exitcode(status)}")
