#!/usr/bin/env python3
"""tools/isatest.py — the `isa` suite of tools/test.sh: the target line is a
contract.

  isatest.py                    testdata (make test)
  isatest.py --conformance DIR  Cranelift's run tests in DIR (make conformance-baseline)

A bare `target x86_64` line means the x86-64 baseline, SSE2; a bare
`target aarch64`, ARMv8.0-A.  Each ISA flag unlocks only its own
instructions.  Two checks, independent of the emitters' own refusal of an
instruction the flags do not allow (lib/isa/*/emit.c):

1. Disassembly, for both targets on any host (compiling is not running):
   testdata/run's back-end files naming the target (the generated ones and
   x64-*.clif or a64-*.clif) and the values-*.clif files, rewritten with
   one bare target line, compiled by
   `clifrun compile -D --target T`; no instruction may need more than the
   baseline: for x86-64 no SSE3, SSSE3, SSE4.1, SSE4.2, AVX (any VEX/EVEX
   form), POPCNT, LZCNT, BMI1/2, MOVBE, CMPXCHG16B, nor pextrw to memory;
   for AArch64 no LSE atomics, FEAT_FP16 arithmetic, PAuth beyond the hint
   space, dot product, RCPC, JSCVT, FRINTTS (as far as capstone decodes
   them: Debian 12's capstone 4 stops at an LSE word, so there the
   emitter's check and the cortex-a53 runs below carry it).  The constant
   pool after the code (found from the instructions that load from it) is
   not read as instructions.  A function the back end refuses on the
   baseline ("error: unsupported on") is reported and not held against
   it; an internal error is a failure.
2. Baseline CPUs, for the target clifrun runs on: testdata/run's back-end
   files of that target under qemu-user with a baseline CPU model: x86-64 under
   `-cpu Conroe` (SSSE3, no SSE4.1) and `-cpu qemu64,-sse3` (SSE2 only),
   AArch64 under `-cpu cortex-a53` (ARMv8.0: no LSE, FP16, PAuth).  No run
   line may fail (nothing dies with SIGILL), and every bare target line
   must run, not be skipped; lines asking for flags the CPU lacks are
   skipped, as Cranelift's rules say.  The host's feature detection sees
   the emulated CPU (cpuid, AT_HWCAP).  Without qemu: skipped, saying why.

--conformance DIR: tools/conformance.py over DIR (against the ratchet
testdata/conformance/ARCH.pass, with --jit-spread too) under each baseline
CPU, then check 1 over DIR's files.

Environment as tools/harness.py (CLIFRUN, RUN, BUILD, V, TEST_COUNTS).
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

os.environ.setdefault("TIMEOUT", "300")
# every call here runs under qemu-user, which cannot install seccomp filters
os.environ["CLIFRUN_NO_SANDBOX"] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite, abnormal, run, show  # noqa: E402


X86_FORBIDDEN = {
    # SSE3
    "addsubpd", "addsubps", "haddpd", "haddps", "hsubpd", "hsubps", "lddqu", "movddup",
    "movshdup", "movsldup", "fisttp", "monitor", "mwait",
    # SSSE3
    "pabsb", "pabsd", "pabsw", "palignr", "phaddd", "phaddsw", "phaddw", "phsubd", "phsubsw",
    "phsubw", "pmaddubsw", "pmulhrsw", "pshufb", "psignb", "psignd", "psignw",
    # SSE4.1
    "blendpd", "blendps", "blendvpd", "blendvps", "dppd", "dpps", "extractps", "insertps",
    "movntdqa", "mpsadbw", "packusdw", "pblendvb", "pblendw", "pcmpeqq", "pextrb", "pextrd",
    "pextrq", "phminposuw", "pinsrb", "pinsrd", "pinsrq", "pmaxsb", "pmaxsd", "pmaxud",
    "pmaxuw", "pminsb", "pminsd", "pminud", "pminuw", "pmovsxbd", "pmovsxbq", "pmovsxbw",
    "pmovsxdq", "pmovsxwd", "pmovsxwq", "pmovzxbd", "pmovzxbq", "pmovzxbw", "pmovzxdq",
    "pmovzxwd", "pmovzxwq", "pmuldq", "pmulld", "ptest", "roundpd", "roundps", "roundsd",
    "roundss",
    # SSE4.2
    "crc32", "pcmpestri", "pcmpestrm", "pcmpistri", "pcmpistrm", "pcmpgtq",
    # POPCNT, LZCNT, BMI1, BMI2, others
    "popcnt", "lzcnt", "tzcnt", "andn", "bextr", "blsi", "blsmsk", "blsr", "bzhi", "mulx",
    "pdep", "pext", "rorx", "sarx", "shlx", "shrx", "movbe", "cmpxchg16b", "adcx", "adox",
}
A64_FORBIDDEN = {
    # PAuth outside the hint space (paciasp, autiasp ... are NOPs on ARMv8.0)
    "retaa", "retab", "braa", "brab", "blraa", "blrab", "braaz", "brabz", "blraaz", "blrabz",
    "eretaa", "eretab", "ldraa", "ldrab", "pacia", "pacib", "pacda", "pacdb", "paciza",
    "pacizb", "pacdza", "pacdzb", "autia", "autib", "autda", "autdb", "autiza", "autizb",
    "autdza", "autdzb", "xpaci", "xpacd", "pacga",
    # dot product, RCPC, JSCVT, FRINTTS, RDM, flag manipulation
    "sdot", "udot", "usdot", "sudot", "ldapr", "ldaprb", "ldaprh", "ldapur", "ldapurb",
    "ldapurh", "ldapursb", "ldapursh", "ldapursw", "fjcvtzs", "frint32x", "frint32z",
    "frint64x", "frint64z", "sqrdmlah", "sqrdmlsh", "cfinv", "rmif", "setf8", "setf16",
    "axflag", "xaflag",
}
A64_LSE = re.compile(r"^(cas|ld(add|clr|eor|set|smax|smin|umax|umin)|st(add|clr|eor|set|smax|smin|umax|umin)|swp)")
# "   4:  01 f7                    add     edi, esi" (the bytes column optional)
LINE_RE = re.compile(r"^\s+([0-9a-f]+):\s+(?:[0-9a-f]{2}(?: [0-9a-f]{2})*\s{2,})?(\S+)\s*(.*)$")
RIP_RE = re.compile(r"\[rip \+ (0x[0-9a-f]+|\d+)\]")
A64_LIT_RE = re.compile(r"#(0x[0-9a-f]+|\d+)$")
HREG_RE = re.compile(r"\bh\d+\b|\.\d*h\b")


def bare_copy(path, arch, outdir):
    """path with its target lines replaced by one bare `target ARCH` before
    its first function; None if it has no function, or is only for 32-bit
    targets (its addresses are i32, which the verifier refuses on a 64-bit
    one), or sets enable_pinned_reg (refused everywhere, as Cranelift's
    runner does)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    archs = {l.split()[1] for l in lines if l.startswith("target ") and len(l.split()) > 1}
    if archs and archs <= {"pulley32", "pulley32be"}:
        return None
    if any(l.startswith("set enable_pinned_reg") for l in lines):
        return None
    out, done = [], False
    for line in lines:
        if line.startswith("target "):
            continue
        if line.startswith("function") and not done:
            out.append(f"target {arch}")
            done = True
        out.append(line)
    if not done:
        return None
    dst = os.path.join(outdir, path.strip("./").replace("/", "_"))
    with open(dst, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return dst


def x86_forbidden(mnem, ops):
    """Why an x86-64 instruction needs more than SSE2, or None."""
    if mnem in ("lock", "rep", "repe", "repne") and ops:
        mnem, ops = ops.split()[0], " ".join(ops.split()[1:])
    if mnem in X86_FORBIDDEN:
        return mnem
    if mnem.startswith("v") and mnem not in ("verr", "verw"):
        return f"{mnem} (VEX/EVEX: AVX)"
    if mnem == "pextrw" and "ptr [" in ops.split(",")[0]:
        return "pextrw to memory (SSE4.1)"
    return None


def a64_forbidden(mnem, ops):
    """Why an AArch64 instruction needs more than ARMv8.0-A, or None."""
    if mnem in A64_FORBIDDEN:
        return mnem
    if A64_LSE.match(mnem):
        return f"{mnem} (LSE)"
    if (mnem.startswith("f") or mnem in ("scvtf", "ucvtf")) and not mnem.startswith("fcvt") \
            and HREG_RE.search(ops):
        return f"{mnem} {ops} (FP16)"
    if mnem.startswith("fcvt") and mnem not in ("fcvt", "fcvtl", "fcvtl2", "fcvtn", "fcvtn2") \
            and HREG_RE.search(ops):
        return f"{mnem} {ops} (FP16)"
    return None


def x86_pool_ref(i, insns):
    """The address instruction i loads a constant from, or None."""
    m = RIP_RE.search(insns[i][2])
    return insns[i + 1][0] + int(m.group(1), 0) if m and i + 1 < len(insns) else None


def a64_pool_ref(i, insns):
    _, mnem, ops = insns[i]
    m = A64_LIT_RE.search(ops) if mnem in ("ldr", "ldrsw", "adr", "prfm") else None
    return int(m.group(1), 0) if m and not ops.startswith("#") else None


# What the disassembly check knows of each ISA (capstone's mnemonics): the
# instructions beyond its baseline, and how code refers to its constant pool.
# A target without a row is not disassembled, saying why; its baseline CPU
# runs (`clifrun targets`) still check it.
ISA_CHECKS = {"x86_64": (x86_forbidden, x86_pool_ref), "aarch64": (a64_forbidden, a64_pool_ref)}


def functions(text):
    """[(name, [(address, mnemonic, operands)])] of `clifrun compile -D` output."""
    funcs = []
    for line in text.split("\n"):
        if line.startswith("%") or re.match(r"^u\d+:\d+: ", line):
            funcs.append((line.split(":")[0], []))
        elif funcs:
            m = LINE_RE.match(line)
            if m and not m.group(2).startswith("("):
                funcs[-1][1].append((int(m.group(1), 16), m.group(2), m.group(3)))
    return funcs


def pool_start(arch, insns):
    """The lowest address the code loads constants from (the pool), or None."""
    start = None
    for i, (addr, _, _) in enumerate(insns):
        t = ISA_CHECKS[arch][1](i, insns)
        if t is not None and t > addr and (start is None or t < start):
            start = t
    return start


def disasm_check(suite, arch, files, tmp):
    if arch not in ISA_CHECKS:
        print(f"skip the disassembly check for {arch}: tools/isatest.py's ISA_CHECKS has no row for it",
              flush=True)
        return
    os.makedirs(tmp, exist_ok=True)
    bares = [(p, bare_copy(p, arch, tmp)) for p in files]
    bares = [(p, b) for p, b in bares if b]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        results = list(ex.map(lambda pb: run(["compile", "-D", "--target", arch, pb[1]]), bares))
    for (path, bare), r in zip(bares, results):
        what = f"{path} (bare `target {arch}`, disassembled)"
        bad = abnormal(r)
        if bad:
            suite.fail(what, *bad)
            continue
        err = r.err.decode("utf-8", "replace")
        if r.rc != 0 and ("internal error" in err or "error: unsupported on" not in err):
            suite.fail(what, f"clifrun compile exited with status {r.rc}",
                       [show(l.encode()) for l in err.splitlines()[:3]])
            continue
        found = []
        for name, insns in functions(r.out.decode("utf-8", "replace")):
            end = pool_start(arch, insns)
            for addr, mnem, ops in insns:
                if end is not None and addr >= end:
                    break
                why = ISA_CHECKS[arch][0](mnem, ops)
                if why:
                    found.append(f"{name}+0x{addr:x}: {why}")
        if found:
            suite.fail(what, f"{len(found)} instructions beyond the {arch} baseline", found[:8])
        else:
            suite.ok(what)
        if r.rc != 0:
            line = next(l for l in err.splitlines() if "error: unsupported on" in l)
            print(f"note {what}: the rest not compiled: {line.split('error: ', 1)[1]}", flush=True)


def qemu_prefix(arch, cpu):
    """RUN (or a plain qemu-ARCH) with its -cpu replaced by cpu, or None."""
    words = list(harness.RUN) if harness.RUN else [qemu_of(arch)]
    if not shutil.which(words[0]) or qemu_of(arch) not in os.path.basename(words[0]):
        return None
    out, skip = [words[0], "-cpu", cpu], False
    for w in words[1:]:
        if skip:
            skip = False
        elif w == "-cpu":
            skip = True
        else:
            out.append(w)
    return out


def sanitized():
    """Whether clifrun is an ASan build: those hang under qemu-user (its
    shadow memory), so they are not run there."""
    try:
        with open(harness.CLIFRUN, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


def baseline_runs(suite, arch, files):
    if sanitized():
        print(f"skip testdata/run's {arch} files on baseline CPUs: an AddressSanitizer build "
              "does not run under qemu-user (`make test` without SAN=1 does it)", flush=True)
        return
    if not baseline_cpus(arch):
        print(f"skip testdata/run's {arch} files on baseline CPUs: `clifrun targets` names none", flush=True)
    for cpu in baseline_cpus(arch):
        prefix = qemu_prefix(arch, cpu)
        what = f"testdata/run's {arch} files under {qemu_of(arch)} -cpu {cpu}"
        if not prefix:
            print(f"skip {what}: no {qemu_of(arch)} (`make deps` installs qemu-user)", flush=True)
            continue
        saved = harness.RUN
        harness.RUN = prefix
        r = run(["test", "-v", "-j", "2"] + files)
        harness.RUN = saved
        bad = abnormal(r)
        if bad:
            suite.fail(what, *bad)
            continue
        out = r.out.decode("utf-8", "replace")
        fails = [l for l in out.split("\n") if l.startswith("FAIL")]
        summary = re.findall(r"^(?:cases: )?(\d+) passed, (\d+) failed, (\d+) skipped$", out, re.M)
        bare = re.compile(r"^(ok  |FAIL|skip) (\S+) \[" + arch + r"\]: ")
        not_run = [l for l in out.split("\n") if bare.match(l) and not l.startswith("ok")]
        ran = {bare.match(l).group(2) for l in out.split("\n") if bare.match(l) and l.startswith("ok")}
        if r.rc != 0 or fails or not summary or not_run:
            suite.fail(what, f"exit status {r.rc}", (fails + not_run)[:8])
        elif not ran:
            suite.fail(what, "no bare target line ran")
        else:
            p, f, s = summary[-1]
            suite.ok(f"{what}: {p} run lines passed, {s} skipped; bare target lines of {len(ran)} files ran")


def baseline_cpus(arch):
    """qemu's CPU models for arch's baseline (clifrun targets)."""
    return next(t["baseline_cpus"] for t in harness.targets() if t["name"] == arch)


def qemu_of(arch):
    return next(t["qemu"] for t in harness.targets() if t["name"] == arch)


def conformance(suite, shared):
    """conformance.py over shared under each baseline CPU of the host's target."""
    arch = harness.host_arch()
    if not baseline_cpus(arch):
        print(f"skip conformance on baseline CPUs: no baseline CPU for {arch}", flush=True)
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for cpu in baseline_cpus(arch):
        prefix = qemu_prefix(arch, cpu)
        if not prefix:
            print(f"skip conformance under -cpu {cpu}: no {qemu_of(arch)} (`make deps` installs qemu-user)",
                  flush=True)
            continue
        print(f"== {' '.join(prefix)}", flush=True)
        env = dict(os.environ, RUN=" ".join(prefix))
        rc = subprocess.run([sys.executable, os.path.join(here, "conformance.py"), shared], env=env).returncode
        if rc:
            suite.fail(f"conformance under -cpu {cpu}", f"tools/conformance.py exited with status {rc}")
        else:
            suite.ok(f"conformance under -cpu {cpu}")


def backend_files(rundir, arch):
    """testdata/run's back-end files (tools/gen-run-tests.py --list) that
    name arch in a target line."""
    here = os.path.dirname(os.path.abspath(__file__))
    listed = subprocess.run([sys.executable, os.path.join(here, "gen-run-tests.py"), "--list", "-o", rundir],
                            capture_output=True, text=True, check=True).stdout.split()
    out = []
    for path in listed:
        with open(path, encoding="utf-8") as f:
            if any(l.split()[:2] == ["target", arch] for l in f.read().split("\n")):
                out.append(path)
    return out


def main(argv):
    suite = Suite("isa")
    shared = argv[1] if argv[:1] == ["--conformance"] and len(argv) > 1 else None
    if argv and not shared:
        print("usage: isatest.py [--conformance DIR]", file=sys.stderr)
        return 2
    if shared and not os.path.isdir(shared):
        suite.fail(shared, "no such directory")
        return suite.finish()
    rundir = "testdata/run"
    names = sorted(os.listdir(rundir))
    if shared:
        conformance(suite, shared)
    for arch in harness.target_names():
        if shared and harness.RUN:
            print(f"skip the disassembly of {shared} for {arch}: it is the same on every host, "
                  "and slow under qemu (the host build's `make conformance-baseline` does it)", flush=True)
            continue
        if shared:
            files = harness.corpus(suite, [shared])
        else:
            files = backend_files(rundir, arch) + \
                [os.path.join(rundir, n) for n in names if n.endswith(".clif") and n.startswith("values-")]
        disasm_check(suite, arch, files, os.path.join(harness.BUILD, "isa", arch))
    arch = harness.host_arch()
    if not shared:
        files = backend_files(rundir, arch)
        baseline_runs(suite, arch, files)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
