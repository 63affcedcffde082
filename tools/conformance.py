#!/usr/bin/env python3
"""tools/conformance.py — `make conformance`: Cranelift's run tests under
`clifrun test`, against a ratchet.

  conformance.py [--update] SUITE_DIR

Runs `clifrun test -v SUITE_DIR` for the host (under RUN for a cross
build), then again with --jit-spread, then again with lib/opt's passes on
every file, the result verified (CLIFRUN_OPT=speed CLIFRUN_OPT_VERIFY=1), then
`clifrun test --interpret`, and
  * prints the counts for the host's target: files and run lines passed,
    failed and skipped (the JIT's; `test interpret` lines are counted apart);
  * fails if a file listed in testdata/conformance/ARCH.pass no longer
    passes (a file passes when no run line fails and at least one runs; a
    listed file the host cannot run at all, for want of an ISA flag, is
    reported and not held against it);
  * lists files that pass and are not in the list yet (--update adds them:
    the list only grows);
  * fails if the --jit-spread run differs in any file's result or count;
  * runs every file's run lines through the interpreter (--interpret) and
    holds them against testdata/conformance/interp.pass the same way (one
    list for every host: the interpreter's answers do not depend on it).
  * fails if the run at opt_level=speed differs in any file's result or count.

Environment: CLIFRUN, RUN, BUILD, V, TEST_COUNTS as tools/harness.py.
"""
import os
import re
import shlex
import subprocess
import sys

CLIFRUN = os.environ.get("CLIFRUN", "build/clifrun")
RUN = shlex.split(os.environ.get("RUN", ""))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import host_arch  # noqa: E402  (clifrun targets: the host's row)
VERBOSE = os.environ.get("V", "") not in ("", "0")
# the -v line of a file and target: "ok   F [x86_64 has_avx]: 3 passed, 0 failed",
# "skip F: host can't run s390x programs (4 run lines)"
LINE_RE = re.compile(r"^(ok  |FAIL|skip) (\S+\.clif)(?: \[([^\]]*)\])?: (.*)$")
SUMMARY_RE = re.compile(r"^(?:cases: )?(\d+) passed, (\d+) failed, (\d+) skipped$", re.M)
FAIL_RE = re.compile(r"^FAIL (\S+\.clif):(\d+): ")
ERROR_RE = re.compile(r"^FAIL (\S+\.clif):\d+:\d+: error: (.*)$")


def clifrun_test(suite, spread, interp=False, opt=False):
    args = RUN + [CLIFRUN, "test", "-v"] + (["--jit-spread"] if spread else []) + \
        (["--interpret"] if interp else []) + [suite]
    env = dict(os.environ, NO_COLOR="1")
    env.pop("CLIFRUN_JIT_SPREAD", None)
    env.pop("CLIFRUN_OPT", None)
    if opt:
        env.update(CLIFRUN_OPT="speed", CLIFRUN_OPT_VERIFY="1")
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=3600)
    out = p.stdout.decode("utf-8", "backslashreplace")
    files, interp_files = {}, {}
    fails = {}      # file -> run lines that failed (from the "FAIL file:line: " lines)
    errors = {}     # file -> its first error (a function that does not compile or interpret)
    for line in out.split("\n"):
        em = ERROR_RE.match(line)
        if em and em.group(1).startswith(suite):
            errors.setdefault(os.path.relpath(em.group(1), suite), em.group(2))
        fm = FAIL_RE.match(line)
        if fm and fm.group(1).startswith(suite):
            fails.setdefault(os.path.relpath(fm.group(1), suite), []).append(int(fm.group(2)))
        m = LINE_RE.match(line)
        if not m or not m.group(2).startswith(suite):
            continue
        name = os.path.relpath(m.group(2), suite)
        into = interp_files if m.group(3) == "interpret" else files
        f = into.setdefault(name, {"ok": 0, "FAIL": 0, "skip": 0, "lines": [], "why": "", "p": 0, "f": 0})
        f[m.group(1).strip()] += 1
        f["lines"].append(line)
        if m.group(1) == "skip":
            f["why"] = m.group(4)
        c = re.match(r"(\d+) passed, (\d+) failed", m.group(4))
        if c:
            f["p"] += int(c.group(1))
            f["f"] += int(c.group(2))
    for name, lines in fails.items():
        for into in (files, interp_files):
            if name in into:
                into[name]["failed_lines"] = lines
    for name, msg in errors.items():
        for into in (files, interp_files):
            if name in into:
                into[name]["error"] = msg
    summary = SUMMARY_RE.findall(out)
    return p.returncode, files, interp_files, summary[-1] if summary else None, \
        p.stderr.decode("utf-8", "replace")


def status(f):
    if f["FAIL"]:
        return "fail"
    return "pass" if f["ok"] else "skip"


def main(argv):
    update = "--update" in argv
    args = [a for a in argv if a != "--update"]
    if len(args) != 1 or not os.path.isdir(args[0]):
        print(f"FAIL conformance: no suite directory {args[0] if args else '(none given)'}")
        return finish(0, 1)
    suite = args[0].rstrip("/")
    arch = host_arch()
    listfile = os.path.join("testdata", "conformance", f"{arch}.pass")
    listed = []
    if os.path.exists(listfile):
        with open(listfile) as f:
            listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    rc, files, ifiles, summary, err = clifrun_test(suite, False)
    if summary is None or rc not in (0, 1):
        print(f"FAIL conformance: clifrun test exited with status {rc} and no summary")
        print("\n".join("     " + l for l in err.splitlines()[:10]))
        return finish(0, 1)
    passed = failed = 0
    st = {n: status(f) for n, f in files.items()}
    counts = {s: sum(1 for v in st.values() if v == s) for s in ("pass", "fail", "skip")}
    partial = sum(1 for n, f in files.items() if st[n] == "pass" and f["skip"])
    ip, ifl = sum(f["p"] for f in ifiles.values()), sum(f["f"] for f in ifiles.values())
    print(f"conformance {arch}: {len(files)} files: {counts['pass']} passed, {counts['fail']} failed, "
          f"{counts['skip']} skipped ({partial} of the passing ones skip a target line the host lacks "
          f"flags for); run lines: {int(summary[0]) - ip} passed, {int(summary[1]) - ifl} failed, "
          f"{summary[2]} skipped; `test interpret`: {sum(1 for f in ifiles.values() if not f['FAIL'])} "
          f"of {len(ifiles)} files pass, run lines {ip} passed, {ifl} failed")
    for n in listed:
        if n not in st:
            print(f"FAIL conformance: {n} is in {listfile} but not in the suite")
            failed += 1
        elif st[n] == "fail":
            print(f"FAIL conformance: {n} no longer passes (it is in {listfile}):")
            for l in files[n]["lines"]:
                print(f"     {l}")
            failed += 1
        elif st[n] == "skip":
            print(f"note: {n} (in {listfile}) does not run on this host: {files[n]['why']}")
            passed += 1
        else:
            passed += 1
    new = sorted(n for n, s in st.items() if s == "pass" and n not in listed)
    if new:
        print(f"{len(new)} files pass that {listfile} does not list yet"
              f"{': added' if update else ' (make conformance-update adds them)'}:")
        for n in new:
            print(f"     {n}")
        if update:
            write_list(listfile, arch, listed + new)
    # the same with every module and host symbol > 4 GiB apart
    rc2, files2, _, summary2, err2 = clifrun_test(suite, True)
    st2 = {n: status(f) for n, f in files2.items()}
    diff = sorted(n for n in set(st) | set(st2) if st.get(n) != st2.get(n))
    if summary2 != summary or diff or rc2 != rc:
        print(f"FAIL conformance --jit-spread: results differ (run lines {summary2} vs {summary}; "
              f"exit status {rc2} vs {rc})")
        for n in diff[:20]:
            print(f"     {n}: {st.get(n)} without, {st2.get(n)} with --jit-spread")
        failed += 1
    else:
        print(f"conformance {arch} --jit-spread: the same results")
        passed += 1
    # the same with every function optimized as at opt_level=speed
    rc3, files3, _, summary3, err3 = clifrun_test(suite, False, opt=True)
    st3 = {n: status(f) for n, f in files3.items()}
    diff = sorted(n for n in set(st) | set(st3) if st.get(n) != st3.get(n))
    if summary3 != summary or diff or rc3 != rc:
        print(f"FAIL conformance at opt_level=speed: results differ (run lines {summary3} vs {summary}; "
              f"exit status {rc3} vs {rc})")
        for n in diff[:20]:
            print(f"     {n}: {st.get(n)} as written, {st3.get(n)} at speed")
        print("\n".join("     " + l for l in err3.splitlines()[:10]))
        failed += 1
    else:
        print(f"conformance {arch} at opt_level=speed (CLIFRUN_OPT=speed): the same results")
        passed += 1
    p, f = ratchet_interp(suite, update)
    passed += p
    failed += f
    if VERBOSE:
        for n in sorted(st):
            print(f"{st[n]:4} {n}")
    return finish(passed, failed)


def ratchet_interp(suite, update):
    """Every file's run lines through the interpreter, against interp.pass."""
    listfile = os.path.join("testdata", "conformance", "interp.pass")
    listed = []
    if os.path.exists(listfile):
        with open(listfile) as f:
            listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    rc, _, files, summary, err = clifrun_test(suite, False, interp=True)
    if summary is None or rc not in (0, 1):
        print(f"FAIL conformance --interpret: clifrun test exited with status {rc} and no summary")
        print("\n".join("     " + l for l in err.splitlines()[:10]))
        return 0, 1
    st = {n: status(f) for n, f in files.items()}
    npass = sum(1 for v in st.values() if v == "pass")
    print(f"conformance --interpret: {len(files)} files: {npass} pass entirely; run lines: {summary[0]} "
          f"agree with the expected values, {summary[1]} do not:")
    for n in sorted(n for n, s in st.items() if s == "fail"):
        lines = files[n].get("failed_lines", [])
        shown = ", ".join(str(l) for l in lines[:8]) + (", ..." if len(lines) > 8 else "")
        why = f"run lines {shown}" if lines else ""
        if files[n].get("error"):
            why += ("; " if why else "") + files[n]["error"]
        print(f"     {n}: {files[n]['f']} of {files[n]['p'] + files[n]['f']} disagree: {why}")
    passed = failed = 0
    for n in listed:
        if st.get(n) != "pass":
            print(f"FAIL conformance --interpret: {n} no longer passes (it is in {listfile}):")
            for l in files.get(n, {}).get("lines", []):
                print(f"     {l}")
            failed += 1
        else:
            passed += 1
    new = sorted(n for n, s in st.items() if s == "pass" and n not in listed)
    if new:
        print(f"{len(new)} files pass the interpreter that {listfile} does not list yet"
              f"{': added' if update else ' (make conformance-update adds them)'}:")
        for n in new:
            print(f"     {n}")
        if update:
            write_list(listfile, "the interpreter (clifrun test --interpret)", listed + new)
    return passed, failed


def write_list(path, arch, names):
    """The list, sorted, under its header comment."""
    head = []
    if os.path.exists(path):
        with open(path) as f:
            head = [l for l in f if l.startswith("#")]
    if not head:
        head = [f"# Files of ../shared/conformance/cranelift-runtests that pass fully under\n",
                f"# `clifrun test` on {arch} (tools/conformance.py).  CI fails when one stops\n",
                "# passing; `make conformance-update` adds newly passing ones.  Only grows.\n"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.writelines(head)
        f.writelines(n + "\n" for n in sorted(set(names)))


def finish(passed, failed):
    counts = os.environ.get("TEST_COUNTS")
    if counts:
        with open(counts, "a") as f:
            f.write(f"conformance {passed} {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
