#!/usr/bin/env python3
"""tools/fuzztest.py — the `fuzz` suite of tools/test.sh: clifrun fuzz and
clifrun reduce (lib/fuzz).

  fuzztest.py DIR        DIR holds the reducer's inputs (testdata/fuzz)

1. The generator is deterministic: `fuzz --raw` of a seed gives the same
   bytes twice, for both targets (the generator draws its random numbers one
   per statement, so the C compiler's argument order cannot change them;
   x86-64 and AArch64 hosts were compared by hand); other seeds give other
   programs; `--seed S --skip K` is `--seed S+K`; a word as seed is its
   FNV-1a hash; every program parses and
   verifies (`clifrun check`).
2. `fuzz --print` writes a standalone run test: `test run`, the host's target
   line, no `; print:` line left, every run line with expected values; and
   `clifrun test` passes it.
3. A short campaign: `fuzz --seed 1 --count 40` finds nothing (exit 0), ends
   with the summary line, and writes nothing (its output directory is made
   only for a disagreement).
4. `reduce --until` with a shell predicate ("the file still has an imul")
   brings reduce-imul.clif down to reduce-imul.expect, exactly: the one
   function with the one multiplication, the file's test and target lines.
5. `reduce --safe --until` keeps the store that fills the slot a load
   reads (through another stack_addr, or stack_store) and the load's address
   (a constant there would make a notrap access fault): reduce-safe.clif;
   without --safe the stores go.
6. A crash of clifrun itself during a campaign (a SIGSEGV sent to it)
   names the program it was checking on stderr and leaves it in the output
   directory as crash-SEED.clif, which parses; skipped under qemu, whose
   own SIGSEGV handling a sent signal would meet.
7. `reduce` refuses a file where its predicate does not hold (agree.clif:
   the JIT and the reference agree; `--until false`) and one that does not
   parse: exit 2 and a message; `fuzz --target` of another architecture
   without a way to run it is a usage error.

Environment as tools/harness.py (CLIFRUN, RUN, BUILD, V, TEST_COUNTS).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TIMEOUT", "120")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite, abnormal, host_arch, run, show  # noqa: E402

SUMMARY_RE = re.compile(r"^(\d+) programs, (\d+) run lines, (\d+) disagreements, (\d+) programs/s \(")


def check(suite, what, r, rc):
    """r ended normally with status rc; else a failure.  Returns success."""
    bad = abnormal(r)
    if bad:
        suite.fail(what, *bad)
        return False
    if r.rc != rc:
        suite.fail(what, f"exit status {r.rc}, expected {rc}",
                   [f"stdout: {show(r.out)}", f"stderr: {show(r.err)}"])
        return False
    return True


def determinism(suite, tmp):
    for target in harness.target_names():
        outs = {}
        for seed in (1, 2, 3, 1000, 18446744073709551615):
            what = f"fuzz --raw --seed {seed} --target {target}"
            a, b = run(["fuzz", "--raw", "--seed", str(seed), "--target", target]), \
                run(["fuzz", "--raw", "--seed", str(seed), "--target", target])
            if not (check(suite, what, a, 0) and check(suite, what, b, 0)):
                continue
            if a.out != b.out:
                suite.fail(what, "two runs gave different programs")
                continue
            if a.out in outs.values():
                suite.fail(what, "the same program as another seed")
                continue
            outs[seed] = a.out
            path = os.path.join(tmp, f"gen-{target}-{seed % 100000}.clif")
            with open(path, "wb") as f:
                f.write(a.out)
            c = run(["check", path])
            if check(suite, f"{what}: clifrun check", c, 0):
                suite.ok(what)
        # a seed given as a word is its FNV-1a hash, the same program each time
        h = 14695981039346656037
        for ch in b"hook-42":
            h = ((h ^ ch) * 1099511628211) & (2**64 - 1)
        w1, w2 = run(["fuzz", "--raw", "--seed", "hook-42", "--target", target]), \
            run(["fuzz", "--raw", "--seed", str(h), "--target", target])
        if check(suite, "fuzz --seed hook-42", w1, 0) and check(suite, f"fuzz --seed {h}", w2, 0):
            if w1.out == w2.out and w1.out:
                suite.ok(f"--seed hook-42 is --seed {h} ({target})")
            else:
                suite.fail(f"--seed hook-42 ({target})", "not the program of its FNV-1a hash")
        s = run(["fuzz", "--raw", "--seed", "998", "--skip", "2", "--target", target])
        if check(suite, "fuzz --seed 998 --skip 2", s, 0):
            if s.out == outs.get(1000):
                suite.ok(f"--seed 998 --skip 2 is --seed 1000 ({target})")
            else:
                suite.fail(f"--seed 998 --skip 2 ({target})", "not the program of seed 1000")


def printed(suite, tmp, arch):
    for seed in (4, 5, 6):
        what = f"fuzz --print --seed {seed}"
        r = run(["fuzz", "--print", "--seed", str(seed)])
        if not check(suite, what, r, 0):
            continue
        text = r.out.decode()
        lines = text.splitlines()
        problems = []
        if "test run" not in lines:
            problems.append("no `test run` line")
        if not any(l.startswith("target " + arch) for l in lines):
            problems.append(f"no `target {arch}` line")
        if any(l.startswith("; print:") for l in lines):
            problems.append("a `; print:` line is left")
        runs = [l for l in lines if l.startswith("; run:")]
        if not runs or not all(" == " in l for l in runs):
            problems.append("run lines without expected values")
        if problems:
            suite.fail(what, "; ".join(problems))
            continue
        path = os.path.join(tmp, f"print-{seed}.clif")
        with open(path, "w") as f:
            f.write(text)
        t = run(["test", "-j", "1", path])
        if check(suite, f"{what}: clifrun test", t, 0):
            suite.ok(what)


def campaign(suite, tmp):
    work = os.path.join(tmp, "campaign")
    os.mkdir(work)
    out = os.path.join(work, "out")
    what = "fuzz --seed 1 --count 40"
    r = run(["fuzz", "--seed", "1", "--count", "40", "--out", out])
    if not check(suite, what, r, 0):
        return
    last = r.out.decode().strip().splitlines()[-1] if r.out.strip() else ""
    m = SUMMARY_RE.match(last)
    if not m or m.group(1) != "40" or m.group(3) != "0":
        suite.fail(what, f"summary line: {last!r}")
    elif os.listdir(work):
        suite.fail(what, f"wrote {os.listdir(work)} with nothing to report")
    else:
        suite.ok(what)


def crash(suite, tmp):
    what = "fuzz: a crash names its program"
    if harness.RUN:
        suite.ok(what + " (skipped: under qemu, a sent SIGSEGV meets qemu's own handler)")
        return
    # A SIGSEGV lands where it lands: mostly while a program is checked
    # (named and kept), else while one is generated or reported (the seed
    # named, no program yet).  Either must name its seed; a few tries reach
    # the first.
    for attempt in range(6):
        out = os.path.join(tmp, f"crash-out{attempt}")
        p = subprocess.Popen(harness.RUN + [harness.CLIFRUN, "fuzz", "--seed", "7", "--count", "1000000",
                                            "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.5 + 0.1 * attempt)
        p.send_signal(signal.SIGSEGV)
        try:
            _, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            suite.fail(what, "still running 60 s after a SIGSEGV")
            return
        err = err.decode("utf-8", "replace")
        m = re.search(r"clifrun fuzz: clifrun crashed while checking seed (\d+); its program: (\S+)", err)
        outside = re.search(r"clifrun fuzz: clifrun crashed at seed \d+, outside its program's check "
                            r"\(clifrun fuzz --seed \d+ --count 1 repeats it\)", err)
        if p.returncode == 0 or not (m or outside):
            suite.fail(what, f"exit status {p.returncode}, no crash report naming the program",
                       err.splitlines()[:5])
            return
        if m:
            break
    else:
        suite.fail(what, "6 crashes, none while a program was checked")
        return
    path = m.group(2)
    if os.path.basename(path) != f"crash-{m.group(1)}.clif" or not os.path.isfile(path):
        suite.fail(what, f"{path}: not the crash-SEED.clif it names")
        return
    r = run(["check", path])
    if r.rc != 0:
        suite.fail(what, f"clifrun check {path}: exit status {r.rc}", show(r.err).splitlines()[:3])
        return
    suite.ok(what)


def reduce_until(suite, tmp, d):
    src = os.path.join(d, "reduce-imul.clif")
    want = open(os.path.join(d, "reduce-imul.expect"), "rb").read()
    out = os.path.join(tmp, "imul.clif")
    what = "reduce --until 'grep -q \"= imul\" \"$CLIF\"' reduce-imul.clif"
    r = run(["reduce", "--until", 'grep -q "= imul" "$CLIF"', "-o", out, src])
    if not check(suite, what, r, 0):
        return
    got = open(out, "rb").read() if os.path.exists(out) else b""
    if got != want:
        suite.fail(what, "not reduce-imul.expect", [show(got, 600)])
        return
    if not re.search(rb"^clifrun reduce: \d+ lines to 10, ", r.err, re.M):
        suite.fail(what, f"report: {show(r.err)}")
        return
    suite.ok(what)
    # stdout without -o
    r = run(["reduce", "--until", 'grep -q "= imul" "$CLIF"', src])
    if check(suite, what + " (stdout)", r, 0):
        if r.out == want:
            suite.ok(what + " (stdout)")
        else:
            suite.fail(what + " (stdout)", "not reduce-imul.expect", [show(r.out, 600)])


def reduce_safe(suite, d):
    src = os.path.join(d, "reduce-safe.clif")
    pred = 'grep -q "load.i64" "$CLIF"'
    what = "reduce --safe --until '" + pred + "' reduce-safe.clif"
    r = run(["reduce", "--safe", "--until", pred, src])
    if check(suite, what, r, 0):
        # the store into ss0+8 that the load reads stays, and the load's
        # address stays the slot's (a constant there would be a notrap fault)
        if re.search(rb"stack_store v\d+, ss0\+8", r.out) and b"stack_addr.i64 ss0" in r.out:
            suite.ok(what)
        else:
            suite.fail(what, "the slot's store or address went", [show(r.out, 600)])
    what = "reduce --until '" + pred + "' reduce-safe.clif (without --safe)"
    r = run(["reduce", "--until", pred, src])
    if check(suite, what, r, 0):
        if b"stack_store" in r.out:
            suite.fail(what, "kept a store it may remove", [show(r.out, 600)])
        else:
            suite.ok(what)


def refusals(suite, tmp, d):
    agree = os.path.join(d, "agree.clif")
    cases = [
        (["reduce", agree], "not interesting to begin with"),
        (["reduce", "--until", "false", agree], "`false` exits non-zero on it"),
    ]
    bad = os.path.join(tmp, "bad.clif")
    with open(bad, "w") as f:
        f.write("function %f() {\nblock0:\n    v1 = iadd v0, v0\n    return\n}\n")
    cases.append((["reduce", bad], f"{bad}:3:"))
    for other in (n for n in harness.target_names() if n != host_arch()):
        cases.append((["fuzz", "--count", "1", "--target", other], f"--target {other}: this {host_arch()} host"))
    for args, msg in cases:
        what = "clifrun " + " ".join(a if a == os.path.basename(a) else os.path.basename(a) for a in args)
        r = run(args)
        if not check(suite, what, r, 2):
            continue
        if msg.encode() not in r.err:
            suite.fail(what, f"no {msg!r} in the message", [f"stderr: {show(r.err)}"])
        else:
            suite.ok(what)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: fuzztest.py DIR", file=sys.stderr)
        return 2
    suite = Suite("fuzz")
    tmp = tempfile.mkdtemp(prefix="fuzztest-", dir=os.environ.get("BUILD", "build"))
    try:
        determinism(suite, tmp)
        printed(suite, tmp, host_arch())
        campaign(suite, tmp)
        crash(suite, tmp)
        reduce_until(suite, tmp, sys.argv[1])
        reduce_safe(suite, sys.argv[1])
        refusals(suite, tmp, sys.argv[1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
