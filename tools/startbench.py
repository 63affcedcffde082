#!/usr/bin/env python3
"""startbench.py N CMD... — whole-process cost of CMD, for `make bench`.
startbench.py N --rounds CMD1 ::: CMD2 ::: ... — the same for several
commands, run in turn N times (the first is the baseline).

Runs CMD N times (output discarded) and prints the minimum CPU time (user +
system, from wait4) and wall time in milliseconds, then the peak RSS of
one more run, then the page faults of the last of the N (on a virtual
machine each costs about 10 microseconds: most of a small process's time)
(from /usr/bin/time when there is one: a process started with
posix_spawn reports the spawner's RSS through wait4).

With --rounds the commands take turns, so a slow spell of the machine
falls on all of them alike, and each line also gives the median CPU time
and both figures above the first command's.  Never asserts a time.
"""
import os
import subprocess
import sys
import time

NULL = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]


def once(cmd):
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=NULL)
    _, _, ru = os.wait4(pid, 0)
    return ru.ru_utime + ru.ru_stime, time.perf_counter() - t0, ru.ru_minflt + ru.ru_majflt


def peak_rss(cmd):
    if not os.path.exists("/usr/bin/time"):
        return "-"
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    last = r.stderr.strip().splitlines()[-1:] or ["-"]
    return last[0] if last[0].isdigit() else "-"


def rounds(n, cmds):
    cpu = [[] for _ in cmds]
    wall = [float("inf")] * len(cmds)
    faults = [0] * len(cmds)
    for _ in range(n):
        for i, c in enumerate(cmds):
            t, w, f = once(c)
            cpu[i].append(t)
            wall[i] = min(wall[i], w)
            faults[i] = f
    mins = [min(c) * 1e3 for c in cpu]
    meds = [sorted(c)[len(c) // 2] * 1e3 for c in cpu]
    for i, c in enumerate(cmds):
        above = "" if i == 0 else \
            f"  above the first: {mins[i] - mins[0]:.2f} ms min, {meds[i] - meds[0]:.2f} ms median"
        print(f"{' '.join(c)}\t cpu {mins[i]:.2f} ms (median {meds[i]:.2f})  wall {wall[i] * 1e3:.2f} ms"
              f"  peak RSS {peak_rss(c)} KiB  page faults {faults[i]}{above}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    n, cmd = int(sys.argv[1]), sys.argv[2:]
    if cmd[0] == "--rounds":
        cmds, cur = [], []
        for a in cmd[1:] + [":::"]:
            if a == ":::":
                if cur:
                    cmds.append(cur)
                cur = []
            else:
                cur.append(a)
        rounds(n, cmds)
        return
    cpu = wall = float("inf")
    faults = 0
    for _ in range(n):
        t, w, faults = once(cmd)
        cpu, wall = min(cpu, t), min(wall, w)
    print(f"cpu {cpu * 1e3:.2f} ms  wall {wall * 1e3:.2f} ms  peak RSS {peak_rss(cmd)} KiB  page faults {faults}")


if __name__ == "__main__":
    main()
