#!/usr/bin/env python3
"""Job control on a pseudo-terminal of our own -- the Python side of
`pscope demo jobs`. A small shell leads a session on the terminal and runs
`ticker | counter` in the foreground and `tty-reader &` in the background;
this script plays the keyboard and reads /proc after each step.

Run it: pscope demo jobs --code > jobs.py && python3 jobs.py (no
terminal needed)
"""
import fcntl
import os
import signal
import termios
import time

master, slave = os.openpty()
orders_r, orders_w = os.pipe()         # script -> shell
pids_r, pids_w = os.pipe()             # shell -> script
go_r, go_w = os.pipe()                 # script -> tty-reader


def job(group, work):
    """Forks a job into a process group (0: a new one), as a shell does."""
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, group)
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        work()
        os._exit(0)
    os.setpgid(pid, group or pid)      # both sides, whichever runs first
    return pid


def shell():
    os.close(master)
    os.setsid()                                 # a new session, led by us
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)    # the terminal becomes ours
    os.dup2(slave, 0)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)   # so that tcsetpgrp works
    r, w = os.pipe()

    def ticker():
        for _ in range(100):
            os.write(w, b"tick\n")
            time.sleep(0.2)

    def counter():
        os.close(w)
        while os.read(r, 100):
            pass

    def tty_reader():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})  # to see it pending
        os.read(go_r, 1)
        os.read(0, 100)                 # from the background: SIGTTIN
        time.sleep(10)

    first = job(0, ticker)
    second = job(first, counter)
    reader = job(0, tty_reader)
    os.tcsetpgrp(0, first)              # the pipeline is the foreground job
    os.write(pids_w, f"{first} {second} {reader}\n".encode())
    for order in os.fdopen(orders_r):
        verb, group = order.split()
        if verb == "fg":
            os.tcsetpgrp(0, int(group))
        else:
            os.killpg(int(group), signal.SIGCONT)
    os._exit(0)


leader = os.fork()
if leader == 0:
    shell()
os.close(slave)
ticker, counter, reader = map(int, os.read(pids_r, 100).split())
cast = {leader: "shell", ticker: "ticker", counter: "counter", reader: "tty-reader"}


def show(title):
    time.sleep(0.3)
    print(title)
    print("   PPID    PID   PGID    SID  TPGID STAT  COMMAND")
    for pid, name in cast.items():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        state, ppid, pgid, sid, tpgid = fields[0], fields[1], fields[2], fields[3], fields[5]
        flags = ("s" if sid == str(pid) else "") + ("+" if pgid == tpgid else "")
        print(f"{ppid:>7} {pid:6} {pgid:>6} {sid:>6} {tpgid:>6} {state + flags:5} {name}")


show("started: one session, the pipeline in the foreground (+)")
os.write(master, b"\x1a")                       # Ctrl-Z, typed on the keyboard
show("Ctrl-Z: the terminal sent SIGTSTP to the foreground group")
os.write(orders_w, f"fg {leader}\n".encode())
show("the shell took the terminal back (tcsetpgrp): the + moved")
os.write(orders_w, f"cont {ticker}\n".encode())
show("bg: SIGCONT to the pipeline's group, which runs in the background")
os.write(go_w, b"x")
show("tty-reader read the terminal from the background: SIGTTIN stopped it")
os.close(master)                                # hang up
os.waitpid(leader, 0)
show("hangup: the shell died of SIGHUP; the stopped, orphaned group got SIGHUP and SIGCONT")
with open(f"/proc/{reader}/status") as f:
    pending = [line for line in f if line.startswith("ShdPnd")]
print(f"tty-reader's pending signals: {pending[0].split()[1]} (bit 0: SIGHUP)")
for pid in (ticker, counter, reader):   # adopted by init now: end them
    os.kill(pid, signal.SIGKILL)
