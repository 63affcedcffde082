#!/usr/bin/env python3
"""tools/runtest.py — the `run` suite of tools/test.sh: clifrun running code.

  runtest.py [--transcripts DIR]... [--junit DIR]... DIR...

1. Transcripts.  DIR/NAME.out (or NAME.HOSTARCH.out, which takes its place on
   that host; NAME.OTHERARCH.out is ignored) holds blocks of

       $ clifrun ARGS...          the command (shell words; run from the top)
       expected output lines      stdout, then stderr
       exit N                     the exit status

   The command may start with variable assignments (`$ NAME=value clifrun
   ...`, an empty value unsets it for clifrun); `$BUILD` in a word is the
   build directory (where the tests build what they need, such as a --lib
   library).  A transcript with a line "# skip-if-emulated" is skipped
   under qemu (RUN), one with "# only-if-emulated" everywhere else.

   A line "~ REGEX" matches one output line by regular expression; "# ..."
   lines are comments.  A last word `<FILE` feeds FILE to standard input.  Trap offsets are compared as "+OFF"
   ("int_divz at %f+0x1c" is read as "int_divz at %f+OFF"), as they change
   with the code generator.  A transcript with a "# skip-if-unsupported"
   line is skipped, saying why, when the output shows that the code
   generator does not support the file yet ("error: unsupported on").
2. Every DIR/*.clif without a transcript must pass `clifrun test` (one
   parallel run; each file is a case).  --transcripts DIR: only part 1.
3. --junit DIR: `clifrun test --format junit` over DIR, to a file and to
   stdout; both must parse as XML (python's parser), agree with the text
   summary (failed = failures + errors, skipped alike), have an <error>
   (a file that does not read) and measured times.

Every expected output is written by hand from the semantics, never copied
from clifrun unchecked.  Environment as tools/harness.py (CLIFRUN, RUN,
BUILD, V, TEST_COUNTS); TIMEOUT defaults to 60 s per command here.
"""
import os
import re
import shlex
import sys
import xml.etree.ElementTree as ET

os.environ.setdefault("TIMEOUT", "60")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite, abnormal, run, show  # noqa: E402

OFFSET_RE = re.compile(r"((?:%[A-Za-z0-9_]+|u[0-9]+:[0-9]+)\+)0x[0-9a-f]+")
SUMMARY_RE = re.compile(r"^(?:cases: )?(\d+) passed, (\d+) failed, (\d+) skipped$", re.M)


def transcripts(dirs, arch):
    """(transcript, its .clif or None) pairs, and the .clif files without one."""
    found, plain = [], []
    for d in dirs:
        names = sorted(os.listdir(d))
        for n in names:
            p = os.path.join(d, n)
            if n.endswith(".out"):
                stem = n[:-4]
                a = stem.rsplit(".", 1)[-1] if "." in stem else None
                if a in harness.target_names():
                    if a != arch:
                        continue
                    stem = stem[: -len(a) - 1]
                elif f"{stem}.{arch}.out" in names:
                    continue    # the host's own transcript replaces it
                found.append(p)
            elif n.endswith(".clif"):
                if not any(m.startswith(n + ".") and m.endswith(".out") for m in names):
                    plain.append(p)
    return found, plain


def blocks(path):
    """[(line number, args, expected lines)] of a transcript; a file without a
    "$ " line is one block running `clifrun FILE`."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out, cur = [], None
    for i, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if line.startswith("$ "):
            words = [w.replace("$BUILD", harness.BUILD) for w in shlex.split(line[2:])]
            env = {}
            while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                k, v = words.pop(0).split("=", 1)
                env[k] = v
            if not words or words[0] != "clifrun":
                raise ValueError(f"{path}:{i}: a command must start with `clifrun`")
            if len(words) > 1 and words[-1].startswith("<") and len(words[-1]) > 1:
                env["<stdin>"] = words.pop()[1:]     # `< FILE`-less redirect: standard input
            cur = (i, words[1:], [], env)
            out.append(cur)
        elif cur is None:
            clif = re.sub(r"(\.(%s))?\.out$" % "|".join(harness.target_names()), "", path)
            cur = (1, [clif], [], {})
            out.append(cur)
            cur[2].append(line)
        else:
            cur[2].append(line)
    return out


def matches(expected, got):
    if len(expected) != len(got):
        return False
    for e, g in zip(expected, got):
        if e.startswith("~ "):
            if not re.fullmatch(e[2:], g):
                return False
        elif e != g:
            return False
    return True


def first_difference(expected, got):
    for k in range(max(len(expected), len(got))):
        e = expected[k] if k < len(expected) else "<end>"
        g = got[k] if k < len(got) else "<end>"
        if not (e == g or (e.startswith("~ ") and re.fullmatch(e[2:], g))):
            return k + 1, e, g
    return 0, "", ""


def check_transcript(suite, path):
    try:
        bs = blocks(path)
    except (ValueError, OSError, UnicodeDecodeError) as e:
        suite.fail(path, f"bad transcript: {e}")
        return
    with open(path, encoding="utf-8") as f:
        marks = {l.strip() for l in f if l.startswith("# ")}
    skippable = "# skip-if-unsupported" in marks
    emulated = bool(harness.RUN) and "qemu" in harness.RUN[0]
    if emulated and "# skip-if-emulated" in marks:
        print(f"skip {path}: needs a kernel of its own (under qemu-user)", flush=True)
        return
    if not emulated and "# only-if-emulated" in marks:
        print(f"skip {path}: for qemu-user only", flush=True)
        return
    for line, args, exp, env in bs:
        what = f"{path}:{line}"
        env = dict(env)
        stdin = env.pop("<stdin>", None)
        r = run(args, env, stdin=stdin)
        bad = abnormal(r)
        if bad:
            suite.fail(what, *bad)
            continue
        text = (r.out + r.err).decode("utf-8", "backslashreplace")
        got = [OFFSET_RE.sub(r"\1OFF", l) for l in text.split("\n")]
        if got and got[-1] == "":
            got.pop()
        got.append(f"exit {r.rc}")
        if matches(exp, got):
            suite.ok(what)
            continue
        unsupported = next((l for l in got if "error: unsupported on " in l), None)
        if skippable and unsupported:
            print(f"skip {what}: the code generator does not support it yet: "
                  f"{unsupported.split('error: ', 1)[1]}", flush=True)
            continue
        k, e, g = first_difference(exp, got)
        suite.fail(what, f"output differs at line {k} of the block ($ clifrun {shlex.join(args)})",
                   [f"expected: {e}", f"got:      {show(g.encode())}"])


def check_plain(suite, files):
    """One `clifrun test -v` over the files without a transcript."""
    if not files:
        return
    r = run(["test", "-v"] + files)
    bad = abnormal(r)
    if bad:
        suite.fail("clifrun test " + " ".join(files[:3]) + " ...", *bad)
        return
    out = r.out.decode("utf-8", "backslashreplace")
    status, rank = {}, {"skip": 0, "ok": 1, "FAIL": 2}
    for line in out.split("\n"):
        m = re.match(r"^(ok  |FAIL|skip) (\S+\.clif)(?: \[[^\]]*\])?: ", line)
        if m and m.group(2) in files:
            # a file run for several target lines is as good as its worst
            s = m.group(1).strip()
            if rank[s] >= rank.get(status.get(m.group(2)), -1):
                status[m.group(2)] = s
    skipped = {}
    for f in files:
        s = status.get(f)
        if s == "ok":
            suite.ok(f)
        elif s == "skip":
            why = next((l.split(": ", 1)[1] for l in out.split("\n") if l.startswith(f"skip {f}")), "")
            skipped.setdefault(re.sub(r" \(\d+ run lines?\)$", "", why), []).append(f)
        else:
            details = [show(l.encode()) for l in out.split("\n") if f in l][:6]
            suite.fail(f, "clifrun test does not pass it" if s else "clifrun test says nothing of it",
                       details)
    for why, fs in skipped.items():
        print(f"skip {len(fs)} file{'s' if len(fs) > 1 else ''} ({os.path.basename(fs[0])}"
              f"{' ...' if len(fs) > 1 else ''}): {why}", flush=True)
    if r.rc != (1 if "FAIL" in status.values() else 0):
        suite.fail("clifrun test", f"exit status {r.rc}")


def junit_counts(xml_bytes):
    """(tests, failures, errors, skipped, time of the testcases) of a report
    whose counts agree at every level."""
    root = ET.fromstring(xml_bytes)
    if root.tag != "testsuites":
        raise ValueError(f"root element <{root.tag}>, not <testsuites>")
    t = f = e = s = 0
    secs = 0.0
    for ts in root.findall("testsuite"):
        cases = ts.findall("testcase")
        cf = sum(1 for c in cases if c.find("failure") is not None)
        ce = sum(1 for c in cases if c.find("error") is not None)
        cs = sum(1 for c in cases if c.find("skipped") is not None)
        got = (int(ts.get("tests")), int(ts.get("failures")), int(ts.get("errors")), int(ts.get("skipped")))
        if got != (len(cases), cf, ce, cs):
            raise ValueError(f"testsuite {ts.get('name')}: its counts disagree with its testcases")
        secs += sum(float(c.get("time")) for c in cases)
        t, f, e, s = t + len(cases), f + cf, e + ce, s + cs
    if (int(root.get("tests")), int(root.get("failures")), int(root.get("errors")),
            int(root.get("skipped"))) != (t, f, e, s):
        raise ValueError("<testsuites> counts disagree with the testcases")
    return t, f, e, s, secs


def check_junit(suite, d):
    scratch = os.path.join(harness.BUILD, "test")
    os.makedirs(scratch, exist_ok=True)
    xml_path = os.path.join(scratch, "junit.xml")
    if os.path.exists(xml_path):
        os.remove(xml_path)
    r1 = run(["test", "--format", "junit", "--output", xml_path, d])
    r2 = run(["test", "--format", "junit", d])
    for what, r, src in (("--output", r1, None), ("stdout", r2, "stdout")):
        name = f"junit ({what}) of {d}"
        bad = abnormal(r)
        if bad:
            suite.fail(name, *bad)
            continue
        text = (r.out if src is None else r.err).decode("utf-8", "backslashreplace")
        m = SUMMARY_RE.search(text)
        try:
            if src is None:
                with open(xml_path, "rb") as f:
                    data = f.read()
            else:
                data = r.out
            t, f, e, s, secs = junit_counts(data)
        except (OSError, ET.ParseError, ValueError, TypeError) as e:
            suite.fail(name, f"not valid JUnit XML: {e}")
            continue
        if not m:
            suite.fail(name, "no summary line in the text report")
            continue
        passed, failed, skipped = map(int, m.groups())
        # each run line is a testcase; a file that does not read is one
        # <error> testcase; the text report counts errors as failed
        if (passed, failed, skipped) != (t - f - e - s, f + e, s) or r.rc != (1 if failed else 0):
            suite.fail(name, f"JUnit says {t} tests, {f} failures, {e} errors, {s} skipped; the report "
                             f"{passed} passed, {failed} failed, {skipped} skipped; exit status {r.rc}")
            continue
        if f == 0 or e == 0 or s == 0 or t - f - e - s == 0:
            suite.fail(name, "the junit corpus should have passes, failures, errors and skips")
            continue
        if not secs > 0:
            suite.fail(name, "every testcase takes no time: times are not measured")
            continue
        suite.ok(name)


def main(argv):
    suite = Suite("run")
    junit, dirs, tonly = [], [], []
    it = iter(argv)
    for a in it:
        if a in ("--junit", "--transcripts"):
            (junit if a == "--junit" else tonly).append(next(it, ""))
        else:
            dirs.append(a)
    if not os.access(harness.CLIFRUN, os.X_OK):
        suite.fail(harness.CLIFRUN, "no clifrun binary (build it with make)")
        return suite.finish()
    arch = harness.host_arch()
    for d in dirs + tonly + junit:
        if not os.path.isdir(d):
            suite.fail(d or "(none)", "no such directory")
    found, plain = transcripts([d for d in dirs + tonly if os.path.isdir(d)], arch)
    if not found:
        suite.fail(" ".join(dirs + tonly), "no transcripts")
    for t in found:
        check_transcript(suite, t)
    check_plain(suite, [p for p in plain if os.path.dirname(p) in dirs])
    for j in junit:
        if os.path.isdir(j):
            check_junit(suite, j)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
