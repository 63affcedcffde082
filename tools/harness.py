#!/usr/bin/env python3
"""tools/harness.py — the checks behind tools/errtest.sh and tools/roundtrip.sh.

  harness.py errors [--ok DIR]... DIR...   every DIR/*.clif must be rejected by
                                           `clifrun check` exactly as its expectation says;
                                           every --ok DIR/*.clif must be accepted
  harness.py roundtrip [--check] DIR...    every DIR/*.clif must print -> parse -> print
                                           identically (and pass `check` with --check)

The other tools import it: Suite, run, and targets()/host_arch(), the
architecture table of `clifrun targets` (they keep no list of their own).

Environment: CLIFRUN (the binary, default build/clifrun), RUN (a prefix such as
"qemu-aarch64 -L /usr/aarch64-linux-gnu"), BUILD (scratch space, default
build), TIMEOUT (seconds per command, default 10), V=1 (print every case),
TEST_COUNTS (a file to which "SUITE PASSED FAILED" is appended).

The expectation of an error file is its first line, `; error: LINE:COL: MESSAGE`,
or the one line of a sidecar FILE.expect of the same form (for files whose first
line cannot hold it).  `clifrun check FILE` must then exit with status 2 and
write to stderr
    FILE:LINE:COL: error: MESSAGE
    <the source line LINE, possibly cut to a window around the column>
    <a caret under column COL>
and nothing else.  A file with several errors announces each on its own line,
the first lines of the file (or of FILE.expect) in the order clifrun reports
them (by position); a trailing `; note: MESSAGE` line announces clifrun's
`FILE: note: MESSAGE` (errors left out).
A crash (signal, or status >= 128), a hang (TIMEOUT) or any sanitizer report is
a failure whatever else happened.  A missing binary, a missing directory or an
empty corpus is a failure too, never a pass.
"""
import os
import re
import shlex
import signal
import subprocess
import sys

TIMEOUT = float(os.environ.get("TIMEOUT", "10"))
VERBOSE = os.environ.get("V", "") not in ("", "0")
CLIFRUN = os.environ.get("CLIFRUN", "build/clifrun")
RUN = shlex.split(os.environ.get("RUN", ""))
BUILD = os.environ.get("BUILD", "build")

SANITIZER_MARKS = (b"ERROR: AddressSanitizer", b"runtime error:", b"LeakSanitizer",
                   b"ERROR: UndefinedBehaviorSanitizer")
EXPECT_RE = re.compile(rb"^; error: (\d+):(\d+): (.*?)\r?$")
NOTE_RE = re.compile(rb"^; note: (.*?)\r?$")
MAX_QUOTE = 1024      # a quoted line longer than this is not "readable"


class Suite:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def ok(self, what):
        self.passed += 1
        if VERBOSE:
            print(f"ok   {what}", flush=True)

    def fail(self, what, reason, details=()):
        self.failed += 1
        print(f"FAIL {what}: {reason}", flush=True)
        for d in details:
            print(f"     {d}", flush=True)

    def finish(self):
        print(f"-- {self.name}: {self.passed} passed, {self.failed} failed", flush=True)
        counts = os.environ.get("TEST_COUNTS")
        if counts:
            with open(counts, "a") as f:
                f.write(f"{self.name} {self.passed} {self.failed}\n")
        return 1 if self.failed else 0


def show(b, limit=300):
    """A byte string as a printable one-line excerpt."""
    s = b.decode("utf-8", "backslashreplace")
    s = "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)
    return s if len(s) <= limit else s[:limit] + f"... ({len(b)} bytes)"


class Result:
    def __init__(self, rc=None, out=b"", err=b"", hung=False, error=None):
        self.rc, self.out, self.err, self.hung, self.error = rc, out, err, hung, error


def run(args, extra_env=None, stdin=None):
    """Run clifrun with args under the timeout, in its own process group
    (extra_env: variables to set for it; stdin: a file for its input)."""
    env = dict(os.environ)
    env.update(extra_env or {})
    env["NO_COLOR"] = "1"
    env["ASAN_OPTIONS"] = ":".join(filter(None, ["detect_leaks=1", env.get("ASAN_OPTIONS")]))
    env["UBSAN_OPTIONS"] = ":".join(filter(None, ["print_stacktrace=1", env.get("UBSAN_OPTIONS")]))
    try:
        p = subprocess.Popen(RUN + [CLIFRUN] + args,
                             stdin=open(stdin, "rb") if stdin else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, start_new_session=True)
    except OSError as e:
        return Result(error=str(e))
    try:
        out, err = p.communicate(timeout=TIMEOUT)
        return Result(p.returncode, out, err)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return Result(p.returncode, out, err, hung=True)


def abnormal(r):
    """Why a run is a failure whatever its expected outcome, or None."""
    if r.error:
        return f"cannot run {CLIFRUN}: {r.error}", []
    if r.hung:
        return f"hang (killed after {TIMEOUT:g} s)", []
    for mark in SANITIZER_MARKS:
        if mark in r.err:
            lines = [show(l) for l in r.err.splitlines() if any(m in l for m in SANITIZER_MARKS)]
            return "sanitizer report", lines[:5]
    if r.rc < 0:
        return f"crash (signal {-r.rc}: {signal.Signals(-r.rc).name})", stderr_head(r)
    if r.rc >= 128:
        return f"crash (exit status {r.rc})", stderr_head(r)
    return None


_TARGETS = []


def targets():
    """clifrun's architecture table (`clifrun targets`, from lib/jit/arch.def),
    a dict per target in its order: name, alias, host (whether this clifrun
    runs there), elf_machine, elf_abs64 (ints), short, isa_dir, gnu, qemu,
    baseline_cpus (a list).  The tools read the targets from here and keep
    no list of their own.  Exits with a message if clifrun cannot say."""
    if not _TARGETS:
        r = run(["targets"])
        lines = r.out.decode("utf-8", "replace").split("\n") if r.out else []
        if r.rc != 0 or not lines or lines[0].split()[:1] != ["name"]:
            sys.exit(f"FAIL {CLIFRUN} targets: exit status {r.rc} {r.error or ''}".rstrip())
        cols = lines[0].split()
        for line in lines[1:]:
            if not line.strip():
                continue
            t = dict(zip(cols, [None if w == "-" else w for w in line.split()]))
            t["host"] = t["host"] == "yes"
            t["elf_machine"], t["elf_abs64"] = int(t["elf_machine"]), int(t["elf_abs64"])
            t["baseline_cpus"] = t["baseline_cpus"].split(";") if t["baseline_cpus"] else []
            _TARGETS.append(t)
    return _TARGETS


def target_names():
    return [t["name"] for t in targets()]


def host_arch():
    """The architecture clifrun runs on (under RUN's qemu, the emulated one)."""
    return next(t["name"] for t in targets() if t["host"])


WARN_RE = re.compile(rb"^.*:\d+:\d+: warning: ")


def without_warnings(err):
    """stderr less the warnings clifrun may print about valid input (each a
    line, the quoted source line and a caret)."""
    lines, out, i = err.split(b"\n"), [], 0
    while i < len(lines):
        if WARN_RE.match(lines[i]):
            i += 3
            continue
        out.append(lines[i])
        i += 1
    return b"\n".join(out).strip(b"\n")


def stderr_head(r, n=4):
    return [f"stderr: {show(l)}" for l in r.err.splitlines()[:n]]


def corpus(suite, dirs, required=True):
    """The .clif files under dirs (recursively), sorted; a missing or empty
    directory fails."""
    files = []
    for d in dirs:
        if not os.path.isdir(d):
            suite.fail(d, "no such directory")
            continue
        found = sorted(os.path.join(root, f) for root, _, names in os.walk(d)
                       for f in names if f.endswith(".clif"))
        if not found and required:
            suite.fail(d, "empty corpus: no .clif files")
        files += found
    return files


def expectation(path):
    """[(line, col, message)] (col 0 and line 0: a note) from FILE.expect or
    the leading lines, or an error string."""
    side = path + ".expect"
    if os.path.exists(side):
        with open(side, "rb") as f:
            lines = f.read().split(b"\n")
        where = side
    else:
        with open(path, "rb") as f:
            lines = [f.readline(4096).rstrip(b"\n") for _ in range(64)]
        where = "first line"
    out = []
    for l in lines:
        m = EXPECT_RE.match(l)
        n = NOTE_RE.match(l)
        if m:
            if int(m.group(1)) < 1 or int(m.group(2)) < 1:
                return f"bad expectation in {where}: LINE and COL count from 1"
            out.append((int(m.group(1)), int(m.group(2)), m.group(3)))
        elif n and out:
            out.append((0, 0, n.group(1)))
            break
        else:
            break
    if not out:
        return f"no expectation: {where} is not '; error: LINE:COL: MESSAGE' ({show(lines[0] if lines else b'', 80)})"
    return out


def check_quote(src_line, quote, caret_line, col):
    """None if quote/caret_line show src_line with a caret at col, else why not.

    The quote is the line, or a window of it marked by "..." at a cut end; a
    byte may be shown as '?' when it is not printable.  The caret line is
    blanks (tabs where the quote has tabs) then '^', and the caret must stand
    under column col (or just past the end of the line when col is beyond it).
    """
    if not re.fullmatch(rb"[ \t]*\^", caret_line):
        return "third line is not a caret line"
    if len(quote) > MAX_QUOTE:
        return f"quoted line is {len(quote)} bytes long (more than {MAX_QUOTE})"
    ci = len(caret_line) - 1
    target = min(col - 1, len(src_line))
    for lead in (b"", b"..."):
        if not quote.startswith(lead):
            continue
        for trail in (b"", b"..."):
            if trail and not quote[len(lead):].endswith(trail):
                continue
            mid = quote[len(lead):len(quote) - len(trail)]
            start = target - (ci - len(lead))       # source index of mid[0]
            if start < 0 or (start == 0) != (lead == b""):
                continue
            end = start + len(mid)
            if end > len(src_line) or (end == len(src_line)) != (trail == b""):
                continue
            if all(q == s or (q == 0x3f and not 0x20 <= s < 0x7f)
                   for q, s in zip(mid, src_line[start:end])):
                return None
    return "second line is not the source line with the caret under the column"


def errors(argv):
    suite = Suite("errors")
    ok_dirs, err_dirs = [], []
    it = iter(argv)
    for a in it:
        if a == "--ok":
            ok_dirs.append(next(it))
        else:
            err_dirs.append(a)
    if not os.access(CLIFRUN, os.X_OK):
        suite.fail(CLIFRUN, "no clifrun binary (build it with make)")
        return suite.finish()
    for path in corpus(suite, err_dirs):
        exp = expectation(path)
        if isinstance(exp, str):
            suite.fail(path, exp)
            continue
        r = run(["check", path])
        bad = abnormal(r)
        if bad:
            suite.fail(path, *bad)
            continue
        errs = r.err.split(b"\n")
        if errs and errs[-1] == b"":
            errs.pop()
        with open(path, "rb") as f:
            src_lines = f.read().split(b"\n")
        why, details, at = None, [], 0
        for line, col, msg in exp:
            if line == 0:
                want = f"{path}: note: ".encode() + msg
            else:
                want = f"{path}:{line}:{col}: error: ".encode() + msg
            got = errs[at] if at < len(errs) else b"<nothing>"
            if got != want:
                why = "wrong diagnostic" if at == 0 else f"wrong diagnostic #{len([e for e in exp if e[0]][:at // 3]) + 1}"
                details = [f"expected: {show(want)}", f"got:      {show(got)}"]
                break
            if line == 0:
                at += 1
                continue
            if at + 2 >= len(errs):
                why, details = "no quoted line and caret after the diagnostic", stderr_head(r)
                break
            src_line = src_lines[line - 1] if line <= len(src_lines) else None
            q = ("the file has no line %d" % line if src_line is None
                 else check_quote(src_line, errs[at + 1], errs[at + 2], col))
            if q:
                why, details = q, [f"line {line}: {show(src_line or b'')}"] + stderr_head(r, 3)
                break
            at += 3
        if not why and r.rc != 2:
            why, details = f"exit status {r.rc}, expected 2", stderr_head(r)
        if not why and at < len(errs):
            why, details = "more output than the expected diagnostics", [f"then:     {show(errs[at])}"]
        if why:
            suite.fail(path, why, details)
            continue
        suite.ok(path)
    for path in corpus(suite, ok_dirs):
        r = run(["check", path])
        bad = abnormal(r)
        if bad:
            suite.fail(path, *bad)
        elif r.rc != 0:
            suite.fail(path, f"valid input rejected (exit status {r.rc})", stderr_head(r))
        elif r.err:
            suite.fail(path, "valid input accepted, but with output on stderr", stderr_head(r))
        else:
            suite.ok(path)
    return suite.finish()


FUNC_RE = re.compile(rb"^[ \t]*function[ \t%]", re.M)


def roundtrip(argv):
    suite = Suite(os.environ.get("SUITE_NAME", "roundtrip"))
    do_check = "--check" in argv
    dirs = [a for a in argv if a != "--check"]
    if not os.access(CLIFRUN, os.X_OK):
        suite.fail(CLIFRUN, "no clifrun binary (build it with make)")
        return suite.finish()
    scratch = os.path.join(BUILD, "test", "roundtrip")
    os.makedirs(scratch, exist_ok=True)
    for path in corpus(suite, dirs):
        r = run(["print", path])
        bad = abnormal(r)
        if bad:
            suite.fail(path, *bad)
            continue
        if r.rc != 0 or without_warnings(r.err):
            suite.fail(path, f"print failed (exit status {r.rc})", stderr_head(r))
            continue
        with open(path, "rb") as f:
            nfunc = len(FUNC_RE.findall(f.read()))
        got = len(FUNC_RE.findall(r.out))
        if nfunc == 0 or got != nfunc:
            suite.fail(path, f"print wrote {got} functions, the file has {nfunc}")
            continue
        again = os.path.join(scratch, re.sub(r"[^A-Za-z0-9._-]", "_", path.lstrip("./")))
        with open(again, "wb") as f:
            f.write(r.out)
        r2 = run(["print", again])
        bad = abnormal(r2)
        if bad:
            suite.fail(path, "printing the printed text: " + bad[0], bad[1])
            continue
        if r2.rc != 0:
            suite.fail(path, f"the printed text does not parse (exit status {r2.rc}; it is in {again})",
                       stderr_head(r2))
            continue
        if r2.out != r.out:
            a, b = r.out.split(b"\n"), r2.out.split(b"\n")
            i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            suite.fail(path, f"print -> parse -> print differs at line {i + 1} of {again}",
                       [f"first:  {show(a[i] if i < len(a) else b'<end>')}",
                        f"second: {show(b[i] if i < len(b) else b'<end>')}"])
            continue
        want = os.path.splitext(path)[0] + ".expect"
        if os.path.exists(want):
            with open(want, "rb") as f:
                exp = f.read()
            if exp != r.out:
                a, b = exp.split(b"\n"), r.out.split(b"\n")
                i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                suite.fail(path, f"print differs from {want} at line {i + 1}",
                           [f"expected: {show(a[i] if i < len(a) else b'<end>')}",
                            f"got:      {show(b[i] if i < len(b) else b'<end>')}"])
                continue
        if do_check:
            r3 = run(["check", path])
            bad = abnormal(r3)
            if bad:
                suite.fail(path, "check: " + bad[0], bad[1])
                continue
            if r3.rc != 0 or without_warnings(r3.err):
                suite.fail(path, f"check rejected it (exit status {r3.rc})", stderr_head(r3))
                continue
        suite.ok(path)
    return suite.finish()


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("errors", "roundtrip"):
        print(__doc__, file=sys.stderr)
        return 2
    return (errors if sys.argv[1] == "errors" else roundtrip)(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
