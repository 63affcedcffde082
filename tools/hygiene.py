#!/usr/bin/env python3
"""tools/hygiene.py — the `harness` suite of tools/test.sh: clifrun test's
processes.

1. Orphans: `clifrun test` killed with SIGKILL while its workers spin in a
   call with no timeout: every worker (and what it started) must be gone
   within a few seconds (they die with their parent).
2. SIGTERM and SIGINT: the workers are stopped, the report of what ran is
   printed with "clifrun test: stopped by SIGTERM: 2 files cut short, 2 not
   run (of 4)" and the summary line, exit status 128 + the signal, nothing
   left.
3. Exact totals after a worker dies: a file with two target lines of the
   host's architecture and three run lines, whose second line spins; its
   worker is killed (twice: the file is run again by a careful worker after
   the first).  Every run line of every target line must be counted, the
   lost ones as failed: passed + failed + skipped is the number of run
   lines (6 + the 2 of a second file), where only one file's run lines were
   counted before.
4. Records a worker had not sent when it died: a file that passed just
   before the spinning one, in the same worker, whose records were still
   in the worker's batch when it was killed, counts its 2 passes.

Environment as tools/harness.py (CLIFRUN, RUN, BUILD, V, TEST_COUNTS).
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite  # noqa: E402

# a target line per target of `clifrun targets`, so the host's runs anywhere
TARGETS = "".join(f"target {n}\n" for n in harness.target_names())

SPIN = """test run
""" + TARGETS + """
function %spin(i64) -> i64 {
block0(v0: i64):
    jump block1(v0)

block1(v1: i64):
    v2 = iadd_imm v1, 1
    jump block1(v2)
}
; run: %spin(0) == 0
"""

# two target lines run on each host: its target's, and again with a setting
TOTALS = """test run
""" + TARGETS + "set preserve_frame_pointers=true\n" + TARGETS + """
function %one() -> i32 {
block0:
    v0 = iconst.i32 1
    return v0
}
; run: %one() == 1

function %spin() -> i32 {
block0:
    jump block1

block1:
    jump block1
}
; run: %spin() == 0

function %two() -> i32 {
block0:
    v0 = iconst.i32 2
    return v0
}
; run: %two() == 2
"""

PASS = """test run
""" + TARGETS + """
function %three() -> i32 {
block0:
    v0 = iconst.i32 3
    return v0
}
; run: %three() == 3
; run: %three() != 4
"""


def env():
    e = dict(os.environ)
    e["NO_COLOR"] = "1"
    return e


class Proc:
    """clifrun in its own session, its output in files (a worker left alive
    would hold a pipe open for ever)."""

    def __init__(self, args):
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        self.p = subprocess.Popen(harness.RUN + [harness.CLIFRUN] + args, stdin=subprocess.DEVNULL,
                                  stdout=self.out, stderr=self.err, env=env(), start_new_session=True)
        self.pid = self.p.pid

    def communicate(self, timeout=None):
        self.p.wait(timeout)
        self.returncode = self.p.returncode
        res = []
        for f in (self.out, self.err):
            f.seek(0)
            res.append(f.read())
        return tuple(res)

    def poll(self):
        return self.p.poll()

    def kill(self):
        self.p.kill()


def start(args):
    return Proc(args)


def children(pid):
    """Pids whose parent is pid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(d))
    return out


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


def alive(pids):
    left = []
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                if f.read().split(") ", 1)[1][0] != "Z":
                    left.append(p)
        except OSError:
            pass
    return left


def wait_for(cond, secs):
    end = time.time() + secs
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    return None


def spin_dir(tmp, n):
    d = os.path.join(tmp, "spin")
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        with open(os.path.join(d, f"s{i}.clif"), "w") as f:
            f.write(SPIN)
    return d


def check_orphans(suite, tmp):
    d = spin_dir(tmp, 4)
    p = start(["test", "-j", "2", "--timeout", "0", d])
    kids = wait_for(lambda: (lambda c: c if len(c) >= 2 else None)(descendants(p.pid)), 20)
    if not kids:
        p.kill()
        p.communicate()
        suite.fail("orphans", "the workers did not start")
        return
    time.sleep(0.3)
    kids = descendants(p.pid)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate()
    left = wait_for(lambda: not alive(kids) or None, 10)
    if left:
        suite.ok("orphans: SIGKILL of clifrun test ends its workers")
    else:
        for k in alive(kids):
            os.kill(k, signal.SIGKILL)
        suite.fail("orphans", f"workers left running after their parent died: {alive(kids)}")


def check_stop(suite, tmp, sig):
    name = signal.Signals(sig).name
    d = spin_dir(tmp, 4)
    p = start(["test", "-j", "2", "--timeout", "0", d])
    kids = wait_for(lambda: (lambda c: c if len(c) >= 2 else None)(descendants(p.pid)), 20)
    time.sleep(0.3)
    kids = descendants(p.pid)
    os.kill(p.pid, sig)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        suite.fail(f"{name}", "clifrun test did not stop")
        return
    text = out.decode("utf-8", "replace")
    want = f"clifrun test: stopped by {name}: 2 files cut short, 2 not run (of 4)"
    ok = want in text and re.search(r"^(?:cases: )?\d+ passed, \d+ failed, \d+ skipped$", text, re.M)
    left = wait_for(lambda: not alive(kids) or None, 10)
    if ok and p.returncode == 128 + sig and left:
        suite.ok(f"{name}: workers stopped, partial summary, status {128 + sig}")
    else:
        stray = alive(kids)
        for k in stray:
            os.kill(k, signal.SIGKILL)
        suite.fail(f"{name}", f"status {p.returncode}, workers left {stray}",
                   [harness.show(out), harness.show(err)])


def kill_two_workers(suite, what, tmp, files):
    """clifrun test -j 1 over a directory of files (name: text), a worker
    killed twice while it spins: (process, stdout, (passed, failed,
    skipped)), or None after a failure."""
    d = os.path.join(tmp, what)
    os.makedirs(d, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    p = start(["test", "-j", "1", "--timeout", "10", d])
    killed = []
    end = time.time() + 30
    while len(killed) < 2 and time.time() < end:
        kids = [k for k in children(p.pid) if k not in killed]
        if kids:
            time.sleep(0.5)     # in the spin by now
            if p.poll() is not None:
                break
            os.kill(kids[0], signal.SIGKILL)
            killed.append(kids[0])
        time.sleep(0.05)
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    text = out.decode("utf-8", "replace")
    m = re.search(r"^(?:cases: )?(\d+) passed, (\d+) failed, (\d+) skipped$", text, re.M)
    if not m or len(killed) != 2:
        suite.fail(what, f"no summary or workers not killed ({len(killed)})",
                   [harness.show(out), harness.show(err)])
        return None
    return p, out, tuple(map(int, m.groups()))


def check_totals(suite, tmp):
    r = kill_two_workers(suite, "totals", tmp, {"a.clif": TOTALS, "b.clif": PASS})
    if not r:
        return
    p, out, (passed, failed, skipped) = r
    # a.clif: 3 run lines x 2 target lines, %one passed for the first;
    # b.clif: 2 passed
    if (passed + failed + skipped, passed, failed) == (8, 3, 5) and p.returncode == 1:
        suite.ok("totals: a worker killed in a file, its lost run lines counted as failed")
    else:
        suite.fail("totals", f"{passed} passed, {failed} failed, {skipped} skipped (want 3, 5, 0: "
                   f"8 run lines), status {p.returncode}", [harness.show(out)])


def check_unsent(suite, tmp):
    # 0.clif's passes not sent by then
    r = kill_two_workers(suite, "unsent", tmp, {"0.clif": PASS, "a.clif": TOTALS})
    if not r:
        return
    p, out, (passed, failed, skipped) = r
    # 0.clif: 2 passed; a.clif as in check_totals: 1 passed, 5 failed
    if (passed, failed, skipped) == (3, 5, 0) and p.returncode == 1:
        suite.ok("unsent: a killed worker's records not yet sent are counted")
    else:
        suite.fail("unsent", f"{passed} passed, {failed} failed, {skipped} skipped (want 3, 5, 0), "
                   f"status {p.returncode}", [harness.show(out)])


def main():
    suite = Suite("harness")
    if not os.access(harness.CLIFRUN, os.X_OK):
        suite.fail(harness.CLIFRUN, "no clifrun binary (build it with make)")
        return suite.finish()
    with tempfile.TemporaryDirectory() as tmp:
        check_orphans(suite, tmp)
        check_stop(suite, tmp, signal.SIGTERM)
        check_stop(suite, tmp, signal.SIGINT)
        check_totals(suite, tmp)
        check_unsent(suite, tmp)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
