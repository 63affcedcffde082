#!/usr/bin/env python3
"""tools/crfiletests.py — Cranelift's own verifier filetests, run as data.

  crfiletests.py [-v] [--list] DIR|FILE...

Runs `clifrun check` over Cranelift's `test verifier` files (wasmtime's
cranelift/filetests/filetests/verifier and parser/, read from a fetched copy:
they are never copied into this project) and judges each function by
Cranelift's rule (cranelift/filetests/src/test_verifier.rs):

  - every `; error: TEXT` annotation must be matched by an error reported on
    the entity the comment belongs to whose message contains TEXT, each error
    matching at most one annotation;
  - no other error may be reported for that function;
  - a function without annotations must verify.

Comments belong to entities as Cranelift's parser attaches them: a comment
on an instruction's, a block header's or a declaration's line, and the
comment-only lines after it up to the next one, belong to that entity;
comments on the `function` line and before the first declaration, and
those after the closing brace, belong to the function.  clifrun reports
errors at lines, so an entity is its line (a function: its `function` line).

Each function is checked alone: the file is rewritten with every other
function's lines blanked (line numbers are kept), so that an error in one
function cannot hide or add errors in another.

`test cat` files (parser/) are judged by Cranelift's test_cat.rs: the
function as `clifrun print --no-verify --as-cranelift` writes it must pass the filecheck
directives (check:, sameln:, nextln:, not:, as the filecheck crate reads
them) among its comments and the file's preamble comments.  Files of
other kinds are skipped.  Prints one line per failing function (every
function with -v) and closes with

    verifier cases: N of M pass (K of L annotations found on their line)
    cat cases: N of M pass

Exit status 0 when every case passes, 1 otherwise, 2 on usage errors or a
missing corpus.  --list prints the errors clifrun reported for each case.
Environment: CLIFRUN (default build/clifrun), RUN (a prefix such as
qemu-aarch64), BUILD (scratch space, default build), TIMEOUT (default 10).
"""
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile

CLIFRUN = os.environ.get("CLIFRUN", "build/clifrun")
RUN = shlex.split(os.environ.get("RUN", ""))
BUILD = os.environ.get("BUILD", "build")
TIMEOUT = float(os.environ.get("TIMEOUT", "10"))

DIRECTIVE_RE = re.compile(r";\s*error:\s*(.*?)\s*$")
FUNC_RE = re.compile(r"^\s*function\b")
ERR_RE = re.compile(r"^(.*?):(\d+):(\d+): error: (.*)$")


def split_comment(line):
    """(code, comment) of a line: the comment starts at the first ';' outside a string."""
    in_str = False
    for i, ch in enumerate(line):
        if ch == '"':
            in_str = not in_str
        elif ch == ";" and not in_str:
            return line[:i], line[i:]
    return line, ""


def functions(lines):
    """[(first, last)] line indices (0-based, inclusive) of each function:
    from its `function` line to the line before the next one."""
    starts = [i for i, l in enumerate(lines) if FUNC_RE.match(split_comment(l)[0])]
    return [(s, (starts[k + 1] - 1) if k + 1 < len(starts) else len(lines) - 1)
            for k, s in enumerate(starts)]


def annotations(lines, first, last):
    """[(entity line (1-based), text)] of the `; error:` comments of a function."""
    out = []
    entity = first + 1
    in_header = True            # from `function` up to the first token after `{`
    for i in range(first, last + 1):
        code, comment = split_comment(lines[i])
        code = code.strip()
        if code:
            if i == first:
                in_header = "{" not in code
            elif in_header:             # a signature over several lines
                in_header = "{" not in code
            elif code == "}":
                entity = first + 1
            else:
                entity = i + 1
        m = DIRECTIVE_RE.match(comment) if comment else None
        if m:
            out.append((entity, m.group(1)))
    return out


FC_RE = re.compile(r"\b(check|sameln|nextln|unordered|not|regex):\s+(.*)")


def fc_regex(pat):
    """The filecheck crate's Pattern::resolve for a pattern of text, `$$` and
    `$()` (the only forms Cranelift's parser tests use); None otherwise."""
    pat = pat.strip()
    parts, i = [], 0
    while i < len(pat):
        d = pat.find("$", i)
        if d < 0:
            parts.append(pat[i:])
            break
        parts.append(pat[i:d])
        if pat.startswith("$$", d):
            parts.append("$")
            i = d + 2
        elif pat.startswith("$()", d):
            parts.append(None)      # an empty match: no word boundary there
            i = d + 3
        else:
            return None
    out = ""
    if parts and parts[0] and parts[0][0].isalnum():
        out += r"\b"
    out += "".join(re.escape(p) for p in parts if p)
    if parts and parts[-1] and parts[-1][-1].isalnum():
        out += r"\b"
    return re.compile(out, re.M)


def filecheck(directives, text):
    """The filecheck crate's Checker::check: None if it passes, else why."""
    max_match = last_ordered = 0
    nots = []

    def bol(pos):
        k = text.find("\n", pos)
        return len(text) if k < 0 else k + 1
    for kind, pat in directives:
        rx = fc_regex(pat)
        if rx is None:
            return f"unsupported pattern: {pat}"
        if kind == "not":
            nots.append((last_ordered, rx, pat))
            continue
        if kind == "check":
            b, e = max_match, len(text)
        elif kind == "sameln":
            b, e = max_match, bol(max_match)
        elif kind == "nextln":
            b = bol(max_match)
            e = bol(b)
        elif kind == "unordered":
            b, e = last_ordered, len(text)
        else:
            return f"unsupported directive {kind}:"
        m = rx.search(text, b, e)
        if not m:
            return f"no match for {kind}: {pat}"
        if kind == "unordered":
            max_match = max(max_match, m.end())
            continue
        for nb, nrx, npat in nots:
            if nrx.search(text, nb, m.start()):
                return f"not: {npat} matched"
        nots = []
        last_ordered = max_match = m.end()
    for nb, nrx, npat in nots:
        if nrx.search(text, nb):
            return f"not: {npat} matched"
    return None


def run_clifrun(args):
    env = dict(os.environ, NO_COLOR="1")
    try:
        p = subprocess.run(RUN + [CLIFRUN] + args, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                           timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").splitlines()
        return None, f"exit status {p.returncode}: {err[0] if err else ''}"
    return p.stdout.decode("utf-8", "replace"), None


def cat_cases(path, lines, verbose):
    """(cases, passed) of a `test cat` file."""
    funcs = functions(lines)
    out, bad = run_clifrun(["print", "--no-verify", "--as-cranelift", path])
    if bad:
        print(f"FAIL {path}: clifrun print: {bad}")
        return len(funcs), 0
    printed = re.split(r"(?m)^(?=function )", out)
    printed = [t for t in printed if t.startswith("function ")]
    if len(printed) != len(funcs):
        print(f"FAIL {path}: printed {len(printed)} functions, the file has {len(funcs)}")
        return len(funcs), 0
    preamble = [split_comment(l)[1] for l in lines[:funcs[0][0]]]
    passed = 0
    for (first, last), text in zip(funcs, printed):
        # func.display(): the function up to its closing brace
        text = text[:text.index("\n}\n") + 3] if "\n}\n" in text else text
        comments = preamble + [split_comment(l)[1] for l in lines[first:last + 1]]
        dirs = [(m.group(1), m.group(2)) for c in comments for m in [FC_RE.search(c)] if m]
        name = re.search(r"function\s+(\S+?)\(", lines[first])
        what = f"{path}:{first + 1} {name.group(1) if name else ''}"
        why = filecheck(dirs, text)
        if why:
            print(f"FAIL {what} (test cat): {why}")
        else:
            passed += 1
            if verbose:
                print(f"ok   {what} (test cat)")
    return len(funcs), passed


def run_check(path):
    env = dict(os.environ, NO_COLOR="1")
    try:
        p = subprocess.Popen(RUN + [CLIFRUN, "check", path], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             start_new_session=True)
    except OSError as e:
        return None, f"cannot run {CLIFRUN}: {e}"
    try:
        out, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None, "hang"
    if p.returncode < 0 or p.returncode >= 128:
        return None, f"crash (status {p.returncode})"
    if p.returncode not in (0, 2):
        return None, f"exit status {p.returncode}"
    errs = []
    for l in err.decode("utf-8", "replace").splitlines():
        m = ERR_RE.match(l)
        if m and m.group(1) == path:
            errs.append((int(m.group(2)), m.group(4)))
        elif m:
            errs.append((0, l))
    if p.returncode == 2 and not errs:
        return None, "exit status 2 without a diagnostic"
    if p.returncode == 0 and errs:
        return None, "errors printed, but exit status 0"
    return errs, None


def judge(expected, errors):
    """Cranelift's rule: (pass, problems, annotations found on their line)."""
    left = list(errors)
    problems = []
    on_line = 0
    for line, text in expected:
        if any(l == line for l, _ in errors):
            on_line += 1
        pos = next((k for k, (l, msg) in enumerate(left) if l == line and text in msg), None)
        if pos is None:
            problems.append(f"expected error at line {line}: {text}")
        else:
            left.pop(pos)
    for line, msg in left:
        problems.append(f"unexpected error at line {line}: {msg}")
    return not problems, problems, on_line


def main(argv):
    verbose = "-v" in argv
    listing = "--list" in argv
    paths = [a for a in argv if a not in ("-v", "--list")]
    if not paths:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    if not os.access(CLIFRUN, os.X_OK):
        print(f"crfiletests: no clifrun binary at {CLIFRUN} (build it with make)", file=sys.stderr)
        return 2
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(r, f) for r, _, fs in os.walk(p) for f in fs if f.endswith(".clif"))
        elif os.path.isfile(p):
            files.append(p)
        else:
            print(f"crfiletests: {p}: no such file or directory", file=sys.stderr)
            return 2
    if not files:
        print("crfiletests: no .clif files", file=sys.stderr)
        return 2
    scratch = os.path.join(BUILD, "test", "crfiletests")
    os.makedirs(scratch, exist_ok=True)
    cases = passed = ann_total = ann_on_line = skipped = cat_total = cat_passed = 0
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines = text.split("\n")
        if re.search(r"^test cat\b", text, re.M) and functions(lines):
            n, k = cat_cases(path, lines, verbose)
            cat_total += n
            cat_passed += k
        if not re.search(r"^test verifier\b", text, re.M):
            if re.search(r"^test cat\b", text, re.M):
                continue
            skipped += 1
            if verbose:
                print(f"skip {path}: not a `test verifier` file")
            continue
        for first, last in functions(lines):
            expected = annotations(lines, first, last)
            name = re.search(r"function\s+(\S+?)\(", lines[first])
            what = f"{path}:{first + 1} {name.group(1) if name else ''}"
            alone = [l if first <= i <= last or i < functions(lines)[0][0] else ""
                     for i, l in enumerate(lines)]
            tmp = os.path.join(scratch, re.sub(r"[^A-Za-z0-9._-]", "_", f"{path}.{first + 1}.clif"))
            with open(tmp, "w") as f:
                f.write("\n".join(alone))
            cases += 1
            ann_total += len(expected)
            errors, bad = run_check(tmp)
            if bad:
                print(f"FAIL {what}: {bad}")
                continue
            ok, problems, on_line = judge(expected, errors)
            ann_on_line += on_line
            if ok:
                passed += 1
                if verbose:
                    print(f"ok   {what}")
            else:
                print(f"FAIL {what}")
                for pr in problems:
                    print(f"     {pr}")
            if listing:
                for l, m in errors:
                    print(f"     reported at line {l}: {m}")
    print(f"verifier cases: {passed} of {cases} pass ({ann_on_line} of {ann_total} annotations found on "
          f"their line; {skipped} files of other kinds skipped)")
    if cat_total:
        print(f"cat cases: {cat_passed} of {cat_total} pass")
    return 0 if passed == cases and cat_passed == cat_total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
