#!/usr/bin/env python3
"""startbench.py N CMD... — whole-process cost of CMD, for `make bench`.

Runs CMD N times (output discarded) and prints the minimum CPU time (user +
system, from wait4) and wall time in milliseconds, then the peak RSS of
one more run, then the page faults of the last of the N (on a virtual
machine each costs tens of microseconds: most of a small process's time) (from /usr/bin/time when there is one: a process started with
posix_spawn reports the spawner's RSS through wait4).  Never asserts a time.
"""
import os
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    n, cmd = int(sys.argv[1]), sys.argv[2:]
    null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    cpu = wall = float("inf")
    faults = 0
    for _ in range(n):
        t0 = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=null)
        _, _, ru = os.wait4(pid, 0)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, ru.ru_utime + ru.ru_stime)
        faults = ru.ru_minflt + ru.ru_majflt
    rss = "-"
    if os.path.exists("/usr/bin/time"):
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        last = r.stderr.strip().splitlines()[-1:] or ["-"]
        rss = last[0] if last[0].isdigit() else "-"
    print(f"cpu {cpu * 1e3:.2f} ms  wall {wall * 1e3:.2f} ms  peak RSS {rss} KiB  page faults {faults}")


if __name__ == "__main__":
    main()
