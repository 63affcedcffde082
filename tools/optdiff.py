#!/usr/bin/env python3
"""tools/optdiff.py — the differential part of the `opt` suite: random
programs (testdata/opt/gen/gen_random.py, seeds 1..OPTDIFF_COUNT, default
40) run with `clifrun FILE` at opt_level=none and again with every pass
forced on and verified (CLIFRUN_OPT=speed CLIFRUN_OPT_VERIFY=1).  The two
outputs must be the same, trap codes included (trap offsets read as +OFF).
A program that differs is kept in $BUILD/gen/optdiff to reproduce.
Environment as tools/harness.py (CLIFRUN, RUN, BUILD, V, TEST_COUNTS,
TIMEOUT)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite, abnormal, run, show  # noqa: E402

OFFSET_RE = re.compile(rb"\+0x[0-9a-f]+")


def at(level, path):
    os.environ.pop("CLIFRUN_OPT_VERIFY", None)
    os.environ["CLIFRUN_OPT"] = level
    if level != "none":
        os.environ["CLIFRUN_OPT_VERIFY"] = "1"
    return run([path])


def main():
    suite = Suite("optdiff")
    count = int(os.environ.get("OPTDIFF_COUNT", "40"))
    d = os.path.join(harness.BUILD, "gen", "optdiff")
    os.makedirs(d, exist_ok=True)
    for n in os.listdir(d):
        os.remove(os.path.join(d, n))
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "opt", "gen",
                       "gen_random.py")
    subprocess.run([sys.executable, gen, d, "1", str(count)], check=True)
    for seed in range(1, count + 1):
        path = os.path.join(d, f"random{seed}.clif")
        a, b = at("none", path), at("speed", path)
        bad = abnormal(a) or abnormal(b)
        if bad:
            suite.fail(path, bad[0], bad[1])
            continue
        oa = OFFSET_RE.sub(b"+OFF", a.out + a.err)
        ob = OFFSET_RE.sub(b"+OFF", b.out + b.err)
        if oa != ob or a.rc != b.rc:
            la, lb = oa.splitlines(), ob.splitlines()
            k = next((i for i in range(max(len(la), len(lb)))
                      if i >= len(la) or i >= len(lb) or la[i] != lb[i]), 0)
            suite.fail(path, "opt_level=speed changes the answer",
                       [f"none:  {show(la[k]) if k < len(la) else '(nothing)'}",
                        f"speed: {show(lb[k]) if k < len(lb) else '(nothing)'}"])
            continue
        suite.ok(path)
        os.remove(path)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
