#!/usr/bin/env python3
"""tools/cfgtest.py — the `cfg` suite of tools/test.sh: `clifrun cfg` output renders.

  cfgtest.py FILE|DIR...

1. For every .clif file given (directories: their *.clif), `clifrun cfg FILE`
   must succeed and Graphviz's `dot -Tsvg` must turn its output into an SVG
   without a warning.  Without `dot` on PATH these cases are skipped, saying
   why (tools/deps.sh installs graphviz; it is optional).
2. `clifrun cfg -o OUT.svg` must write an SVG through dot (skipped likewise),
   and with a PATH that holds no dot it must fail with status 2 and say that
   Graphviz's dot is not installed.

Environment as tools/harness.py (CLIFRUN, RUN, BUILD, V, TEST_COUNTS).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite, abnormal, run, show  # noqa: E402


def files_of(paths, suite):
    out = []
    for p in paths:
        if os.path.isdir(p):
            out += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".clif"))
        elif os.path.isfile(p):
            out.append(p)
        else:
            suite.fail(p, "no such file or directory")
    if not out:
        suite.fail(" ".join(paths), "empty corpus: no .clif files")
    return out


def main(argv):
    suite = Suite("cfg")
    if not os.access(harness.CLIFRUN, os.X_OK):
        suite.fail(harness.CLIFRUN, "no clifrun binary (build it with make)")
        return suite.finish()
    dot = shutil.which("dot")
    if harness.RUN:     # qemu, found now: the no-dot case empties PATH
        harness.RUN[0] = shutil.which(harness.RUN[0]) or harness.RUN[0]
    files = files_of(argv, suite)
    if not dot:
        print(f"skip {len(files)} renderings and cfg -o: Graphviz's dot is not installed "
              "(tools/deps.sh installs graphviz)", flush=True)
    for f in files:
        r = run(["cfg", f])
        bad = abnormal(r)
        if bad:
            suite.fail(f, *bad)
            continue
        if r.rc != 0 or not r.out.startswith(b"digraph "):
            suite.fail(f, f"clifrun cfg failed (exit status {r.rc})", harness.stderr_head(r))
            continue
        if not dot:
            suite.ok(f"{f} (dot text; not rendered)")
            continue
        p = subprocess.run([dot, "-Tsvg"], input=r.out, capture_output=True, timeout=60)
        if p.returncode != 0 or b"<svg" not in p.stdout or p.stderr.strip():
            suite.fail(f, f"dot -Tsvg does not render it (exit status {p.returncode})",
                       [show(l) for l in p.stderr.splitlines()[:4]])
            continue
        suite.ok(f"{f} renders")
    with tempfile.TemporaryDirectory(dir=harness.BUILD if os.path.isdir(harness.BUILD) else None) as tmp:
        sample = files[0] if files else None
        if sample and dot:
            out = os.path.join(tmp, "cfg.svg")
            r = run(["cfg", "-o", out, sample])
            ok = r.rc == 0 and os.path.exists(out) and b"<svg" in open(out, "rb").read()
            if ok:
                suite.ok("cfg -o OUT.svg")
            else:
                suite.fail("cfg -o OUT.svg", f"no SVG written (exit status {r.rc})", harness.stderr_head(r))
        if sample:
            # a PATH without dot: clifrun says what is missing
            empty = os.path.join(tmp, "nobin")
            os.mkdir(empty)
            saved = os.environ.get("PATH", "")
            os.environ["PATH"] = empty
            try:
                r = run(["cfg", "-o", os.path.join(tmp, "x.svg"), sample])
            finally:
                os.environ["PATH"] = saved
            if r.error:
                suite.fail("cfg -o without dot", r.error)
            elif r.rc == 2 and b"Graphviz's `dot`, which is not installed" in r.err:
                suite.ok("cfg -o without dot: status 2, says so")
            else:
                suite.fail("cfg -o without dot", f"exit status {r.rc}", harness.stderr_head(r))
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
