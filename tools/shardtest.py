#!/usr/bin/env python3
"""tools/shardtest.py — the `shard` suite of tools/test.sh: clifrun test's
slices add up to the whole run, by --shard K/N and by Bazel's test
protocol (TEST_TOTAL_SHARDS, TEST_SHARD_INDEX; TEST_SHARD_STATUS_FILE is
touched; XML_OUTPUT_FILE receives the JUnit report, whose counts match the
text summary).

  shardtest.py DIR...

Environment as tools/harness.py (CLIFRUN, RUN, BUILD, V)."""
import os
import re
import sys
import xml.etree.ElementTree as ET

os.environ.setdefault("TIMEOUT", "120")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite, abnormal, run  # noqa: E402

SUMMARY_RE = re.compile(r"^(?:cases: )?(\d+) passed, (\d+) failed, (\d+) skipped$", re.M)


def summary(r):
    m = SUMMARY_RE.findall((r.out + r.err).decode("utf-8", "replace"))
    return tuple(map(int, m[-1])) if m else None


def add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def main(dirs):
    suite = Suite("shard")
    whole = run(["test"] + dirs)
    total = summary(whole)
    if abnormal(whole) or not total:
        suite.fail("clifrun test " + " ".join(dirs), "no summary", [])
        return suite.finish()
    scratch = os.path.join(harness.BUILD, "test", "shard")
    os.makedirs(scratch, exist_ok=True)
    for n in (2, 3):
        acc = (0, 0, 0)
        for k in range(1, n + 1):
            r = run(["test", "--shard", f"{k}/{n}"] + dirs)
            s = summary(r)
            if abnormal(r) or not s:
                suite.fail(f"--shard {k}/{n}", "no summary", [])
                break
            acc = add(acc, s)
        else:
            if acc == total:
                suite.ok(f"--shard k/{n} add up to the whole {total}")
            else:
                suite.fail(f"--shard k/{n}", f"the slices add up to {acc}, the whole is {total}", [])
    # Bazel: 0-based index, status file touched, JUnit to XML_OUTPUT_FILE
    acc = (0, 0, 0)
    status = os.path.join(scratch, "status")
    for k in range(2):
        xml = os.path.join(scratch, f"bazel{k}.xml")
        for p in (status, xml):
            if os.path.exists(p):
                os.remove(p)
        env = {"TEST_TOTAL_SHARDS": "2", "TEST_SHARD_INDEX": str(k), "TEST_SHARD_STATUS_FILE": status,
               "XML_OUTPUT_FILE": xml}
        r = run(["test"] + dirs, env)
        s = summary(r)
        what = f"Bazel shard {k} of 2"
        if abnormal(r) or not s:
            suite.fail(what, "no summary", [])
            continue
        acc = add(acc, s)
        by_flag = summary(run(["test", "--shard", f"{k + 1}/2"] + dirs))
        if s != by_flag:
            suite.fail(what, f"{s}, but --shard {k + 1}/2 says {by_flag}", [])
            continue
        if not os.path.exists(status):
            suite.fail(what, "TEST_SHARD_STATUS_FILE was not touched", [])
            continue
        try:
            root = ET.parse(xml).getroot()
            t, f, e, sk = (int(root.get(a)) for a in ("tests", "failures", "errors", "skipped"))
        except (OSError, ET.ParseError, TypeError, ValueError) as ex:
            suite.fail(what, f"XML_OUTPUT_FILE: not a JUnit report: {ex}", [])
            continue
        if (t - f - e - sk, f + e, sk) != s:
            suite.fail(what, f"XML_OUTPUT_FILE says {t} tests, {f} failures, {e} errors, {sk} skipped; "
                             f"the text {s}", [])
            continue
        suite.ok(what)
    if acc == total:
        suite.ok("Bazel shards add up to the whole")
    else:
        suite.fail("Bazel shards", f"add up to {acc}, the whole is {total}", [])
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["testdata/cli/junit", "testdata/cli/kinds", "testdata/interp/report.clif"]))
