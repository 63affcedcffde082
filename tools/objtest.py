#!/usr/bin/env python3
"""tools/objtest.py — the `object` suite of tools/test.sh: `clifrun compile -o`.

  objtest.py DIR          (testdata/object)

For each target of `clifrun targets` and each DIR/NAME.clif:

1. `clifrun compile --target T -o NAME.o NAME.clif` succeeds; its standard
   error is DIR/NAME.stderr (or nothing).
2. The object, read by the ELF reader below (not by clifrun's code): ET_REL
   for the target's machine; .text executable; .note.GNU-stack present and
   not executable; locals before globals in .symtab; each function one
   global STT_FUNC of the size `clifrun compile` prints; every relocation
   inside .text (8 bytes for the target's 64-bit absolute type, 4 for the
   rest: instruction fields and rel32s) against a valid symbol (whether the
   type is the target's, the linker below says); the
   .clifrun_traps records sorted, relocated against .text by their own
   value.  `readelf -W -a` reads it without a warning and objdump (the
   target's) disassembles every function.
3. With DIR/NAME.c: linked with the target's C compiler as a PIE, as a
   non-PIE and through a shared library (`cc -shared NAME.o`), run (under
   the target's qemu-user -L /usr/TRIPLET for another architecture) and its output
   compared with DIR/NAME.expect.  "%F+0xOFF" in the output (a faulting pc)
   becomes "%F: CODE", CODE being the trap record the object holds at that
   address ("no trap record" if none); in the non-PIE executable the
   .clifrun_traps addresses must be the functions' addresses + offsets.
4. Bad uses: an unwritable output path and a file that does not verify
   fail with status 2 and leave no object.

A target whose compiler or qemu is missing is skipped, saying why
(`make deps ARCH=aarch64` installs them).  The expected outputs are
written by hand from the semantics.  Environment as tools/harness.py.
"""
import concurrent.futures
import os
import platform
import re
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Suite, abnormal, run, show  # noqa: E402

TRAP_NAMES = {1: "stk_ovf", 2: "heap_oob", 3: "int_ovf", 4: "int_divz", 5: "bad_toint"}
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
SHT_SYMTAB, SHT_RELA = 2, 4
PC_RE = re.compile(r"%([A-Za-z0-9_:]+)\+0x([0-9a-f]+)")
TIMEOUT = float(os.environ.get("TIMEOUT", "60"))


def trap_name(code):
    return TRAP_NAMES.get(code) or (f"user{code - 16}" if 16 <= code < 272 else f"code {code}")


# ---- a small ELF64 little-endian reader --------------------------------------------

class Elf:
    def __init__(self, data):
        self.data = data
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError("not a little-endian ELF64 file")
        (self.type, self.machine, _, _, _, shoff, _, _, _, _, shentsize, shnum,
         shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
        if shentsize != 64:
            raise ValueError(f"section header size {shentsize}")
        self.sections = []
        for i in range(shnum):
            f = struct.unpack_from("<IIQQQQIIQQ", data, shoff + 64 * i)
            self.sections.append(dict(zip(("name", "type", "flags", "addr", "offset", "size",
                                           "link", "info", "align", "entsize"), f)))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["sname"] = self.cstr(strtab["offset"] + s["name"])

    def cstr(self, off):
        end = self.data.index(b"\0", off)
        return self.data[off:end].decode("utf-8", "replace")

    def section(self, name):
        return next((s for s in self.sections if s["sname"] == name), None)

    def contents(self, s):
        return self.data[s["offset"]:s["offset"] + s["size"]] if s["type"] != 8 else b""

    def symbols(self):
        st = next(s for s in self.sections if s["type"] == SHT_SYMTAB)
        strs = self.sections[st["link"]]
        out = []
        for i in range(st["size"] // 24):
            name, info, other, shndx, value, size = struct.unpack_from(
                "<IBBHQQ", self.data, st["offset"] + 24 * i)
            out.append({"name": self.cstr(strs["offset"] + name), "bind": info >> 4,
                        "type": info & 15, "shndx": shndx, "value": value, "size": size})
        return st, out

    def relas(self, s):
        return [struct.unpack_from("<QQq", self.data, s["offset"] + 24 * i)
                for i in range(s["size"] // 24)]


def check_object(elf, arch, sizes):
    """Problems of a clifrun object, as a list of strings."""
    bad = []
    if elf.type != 1:
        bad.append(f"e_type {elf.type}, not ET_REL")
    if elf.machine != target(arch)["elf_machine"]:
        bad.append(f"e_machine {elf.machine}, not {target(arch)['elf_machine']}")
    text, note = elf.section(".text"), elf.section(".note.GNU-stack")
    if not text or text["flags"] & (SHF_ALLOC | SHF_EXECINSTR) != SHF_ALLOC | SHF_EXECINSTR:
        return bad + ["no executable .text"]
    if not note or note["flags"] & SHF_EXECINSTR:
        bad.append("no .note.GNU-stack, or it asks for an executable stack")
    tidx = elf.sections.index(text)
    st, syms = elf.symbols()
    if any(s["bind"] != 0 for s in syms[:st["info"]]) or any(s["bind"] == 0 for s in syms[st["info"]:]):
        bad.append(f".symtab sh_info {st['info']}: locals and globals out of order")
    funcs = {s["name"]: s for s in syms if s["type"] == 2}
    if set(funcs) != set(sizes):
        bad.append(f"functions {sorted(funcs)}, compile printed {sorted(sizes)}")
    spans = []
    for name, s in funcs.items():
        if s["shndx"] != tidx or s["bind"] != 1:
            bad.append(f"{name}: not a global symbol of .text")
        if name in sizes and s["size"] != sizes[name]:
            bad.append(f"{name}: size {s['size']}, compile printed {sizes[name]}")
        if s["value"] % 16 or s["value"] + s["size"] > text["size"]:
            bad.append(f"{name}: misplaced at {s['value']:#x}")
        spans.append((s["value"], s["value"] + s["size"], name))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if a[1] > b[0]:
            bad.append(f"{a[2]} and {b[2]} overlap")
    rt = elf.section(".rela.text")
    used = set()
    for off, info, _ in elf.relas(rt) if rt else []:
        sym, typ = info >> 32, info & 0xffffffff
        if typ == 0:
            bad.append(f"relocation type 0 at {off:#x}")
        elif off + (8 if typ == target(arch)["elf_abs64"] else 4) > text["size"]:
            bad.append(f"relocation at {off:#x} beyond .text")
        if not 0 < sym < len(syms) or not syms[sym]["name"]:
            bad.append(f"relocation at {off:#x}: symbol {sym}")
        used.add(sym)
    if rt and (elf.sections[rt["link"]] is not st or rt["info"] != tidx):
        bad.append(".rela.text does not link .symtab and .text")
    for i, s in enumerate(syms[1:], 1):
        if s["shndx"] == 0 and i not in used:
            bad.append(f"undefined symbol {s['name']} that nothing uses")
    return bad


def trap_table(elf, arch, bad):
    """{address in .text: code} from .clifrun_traps, checking its form."""
    ts, rs = elf.section(".clifrun_traps"), elf.section(".rela.clifrun_traps")
    if not ts:
        return {}
    data = elf.contents(ts)
    recs = [struct.unpack_from("<QII", data, 16 * i) for i in range(len(data) // 16)]
    relas = elf.relas(rs) if rs else []
    _, syms = elf.symbols()
    tidx = elf.sections.index(elf.section(".text"))
    if ts["flags"] & SHF_ALLOC or len(data) % 16 or len(relas) != len(recs):
        bad.append(".clifrun_traps: loaded, or not one relocation per 16-byte record")
        return {}
    if [r[0] for r in recs] != sorted(r[0] for r in recs):
        bad.append(".clifrun_traps: not in address order")
    for i, ((addr, code, zero), (off, info, addend)) in enumerate(zip(recs, relas)):
        s = syms[info >> 32]
        if (off != 16 * i or info & 0xffffffff != target(arch)["elf_abs64"] or s["type"] != 3
                or s["shndx"] != tidx or addend != addr or zero):
            bad.append(f".clifrun_traps record {i}: relocation or padding wrong")
    return {addr: code for addr, code, _ in recs}


# ---- tools ----------------------------------------------------------------------------

def target(arch):
    """arch's row of `clifrun targets`."""
    return next(t for t in harness.targets() if t["name"] == arch)


def machine_arch():
    """The architecture of this machine's C compiler (not clifrun's, which
    may run under qemu): uname's word, or the alias it matches."""
    m = platform.machine()
    return next((t["name"] for t in harness.targets() if m in (t["name"], t["alias"])), m)


def toolchain(arch):
    """(C compiler, run prefix, objdump) for arch, or a reason to skip it."""
    if arch == machine_arch():
        cc = shutil.which(os.environ.get("CC_OBJTEST", "cc"))
        return (cc, [], shutil.which("objdump")) if cc else f"no C compiler (cc) for {arch}"
    gnu, qemu_name = target(arch)["gnu"], target(arch)["qemu"]
    cc = shutil.which(f"{gnu}-gcc")
    qemu = shutil.which(qemu_name)
    if not cc or not qemu:
        return (f"no {gnu}-gcc or {qemu_name} to link and run {arch} objects "
                f"(make deps ARCH={arch})")
    return cc, [qemu, "-L", f"/usr/{gnu}"], shutil.which(f"{gnu}-objdump")


def sh(args, cwd=None):
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                           cwd=cwd, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, "", str(e)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- one file for one target --------------------------------------------------------------

def check_case(arch, tools, clif, outdir):
    """[(what, None | (reason, details))] for one .clif on one target."""
    cc, runner, objdump = tools
    name = os.path.basename(clif)[:-5]
    what = f"{clif} [{arch}]"
    obj = os.path.join(outdir, name + ".o")
    results = []
    if os.path.exists(obj):
        os.unlink(obj)
    r = run(["compile", "--target", arch, "-o", obj, clif])
    ab = abnormal(r)
    stderr_path = clif[:-5] + ".stderr"
    want_err = read(stderr_path) if os.path.exists(stderr_path) else ""
    if ab or r.rc != 0 or r.err.decode() != want_err:
        why = ab or (f"compile -o: exit {r.rc}" if r.rc else "compile -o: unexpected stderr",
                     [show(l) for l in r.err.splitlines()[:5]] or ["(no stderr)"])
        return [(what, why)]
    r = run(["compile", "--target", arch, clif])
    sizes = {}
    for line in r.out.decode().splitlines():
        m = re.fullmatch(r"%?(\S+): (\d+) bytes", line)
        if m:
            sizes[m.group(1)] = int(m.group(2))
    with open(obj, "rb") as f:
        data = f.read()
    try:
        elf = Elf(data)
        bad = check_object(elf, arch, sizes)
        traps = trap_table(elf, arch, bad)
        _, syms = elf.symbols()
    except (ValueError, struct.error, IndexError, StopIteration) as e:
        bad, traps, syms = [f"unreadable: {e}"], {}, []
    results.append((what + " object", ("malformed object", bad[:8]) if bad else None))
    funcs = {s["name"]: s["value"] for s in syms if s["type"] == 2}
    spans = [(s["value"], s["size"], s["name"]) for s in syms if s["type"] == 2]

    rc, out, err = sh(["readelf", "-W", "-a", obj])
    if rc or re.search(r"(?i)warning|error", err + out):
        results.append((what + " readelf", (f"readelf -W -a: exit {rc}", [show(err.encode())])))
    else:
        results.append((what + " readelf", None))
    if objdump:
        rc, out, err = sh([objdump, "-dr", obj])
        missing = [f for f in funcs if f"<{f}>:" not in out]
        results.append((what + " objdump", (f"objdump -dr: exit {rc}, no {missing}", [show(err.encode())])
                        if rc or missing else None))

    main_c = clif[:-5] + ".c"
    if not os.path.exists(main_c):
        return results
    expect = read(clif[:-5] + ".expect")
    lib = os.path.join(outdir, f"lib{name}.so")
    variants = {
        "pie": [[cc, "-fPIE", "-pie", main_c, obj, "-lm", "-o", os.path.join(outdir, name + "-pie")]],
        "no-pie": [[cc, "-fno-PIE", "-no-pie", main_c, obj, "-lm", "-o", os.path.join(outdir, name + "-nopie")]],
        "shared": [[cc, "-shared", "-o", lib, obj, "-lm"],
                   [cc, "-fPIE", "-pie", main_c, "-L" + outdir, "-l" + name, f"-Wl,-rpath,{os.path.abspath(outdir)}",
                    "-lm", "-o", os.path.join(outdir, name + "-shared")]],
    }
    for v, cmds in variants.items():
        vwhat = f"{what} {v}"
        fail = None
        for c in cmds:
            rc, out, err = sh(c)
            if rc:
                fail = (f"link failed: {' '.join(c)}", [show(l.encode()) for l in err.splitlines()[:6]])
                break
        if not fail:
            exe = cmds[-1][cmds[-1].index("-o") + 1]
            rc, out, err = sh(runner + [os.path.abspath(exe)])
            got = PC_RE.sub(lambda m: pc_name(m, funcs, traps), out)
            if rc or got != expect:
                gl, el = got.splitlines(), expect.splitlines()
                k = next((i for i in range(max(len(gl), len(el)))
                          if (gl[i] if i < len(gl) else None) != (el[i] if i < len(el) else None)), 0)
                fail = (f"exit {rc}, output differs at line {k + 1}",
                        [f"expected: {el[k] if k < len(el) else '<end>'}",
                         f"got:      {gl[k] if k < len(gl) else '<end>'}"] + err.splitlines()[:3])
            elif v == "no-pie" and traps:
                fail = check_linked_traps(exe, spans, traps)
        results.append((vwhat, fail))
    return results


def pc_name(m, funcs, traps):
    f, off = m.group(1), int(m.group(2), 16)
    if f in funcs and funcs[f] + off in traps:
        return f"%{f}: {trap_name(traps[funcs[f] + off])}"
    return f"%{f}+0x{off:x} (no trap record)"


def check_linked_traps(exe, spans, traps):
    """The linked .clifrun_traps: each record at its function's address + offset."""
    with open(exe, "rb") as f:
        elf = Elf(f.read())
    ts = elf.section(".clifrun_traps")
    if not ts:
        return ("no .clifrun_traps in the linked program", [])
    _, syms = elf.symbols()
    addr = {s["name"]: s["value"] for s in syms if s["type"] == 2}
    want = []
    for t in traps:
        f = next((n for v, size, n in spans if v <= t < v + size), None)
        if f is None or f not in addr:
            return (f"trap record at {t:#x} outside the functions", [])
        want.append(addr[f] + t - next(v for v, _, n in spans if n == f))
    data = elf.contents(ts)
    got = [struct.unpack_from("<Q", data, 16 * i)[0] for i in range(len(data) // 16)]
    return None if sorted(got) == sorted(want) else (
        "linked .clifrun_traps addresses wrong",
        [f"want {[hex(a) for a in sorted(want)[:4]]}", f"got {[hex(a) for a in sorted(got)[:4]]}"])


def check_bad_uses(suite, clif, outdir):
    obj = os.path.join(outdir, "nodir", "x.o")
    r = run(["compile", "-o", obj, clif])
    ab = abnormal(r)
    msg = f"{clif}: error: cannot write {obj}: No such file or directory"
    if ab or r.rc != 2 or r.err.decode().strip() != msg:
        suite.fail("compile -o into a missing directory", *(ab or (f"exit {r.rc}", [show(r.err)])))
    else:
        suite.ok("compile -o into a missing directory")
    bad = os.path.join(outdir, "bad.clif")
    with open(bad, "w") as f:
        f.write("function %f(i32) -> i64 system_v {\nblock0(v0: i32):\n    return v0\n}\n")
    obj = os.path.join(outdir, "bad.o")
    r = run(["compile", "-o", obj, bad])
    ab = abnormal(r)
    if ab or r.rc != 2 or b"error:" not in r.err or os.path.exists(obj):
        suite.fail("compile -o of a file that does not verify",
                   *(ab or (f"exit {r.rc}, object left: {os.path.exists(obj)}", [show(r.err)])))
    else:
        suite.ok("compile -o of a file that does not verify")


def main(argv):
    suite = Suite("object")
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        print("usage: objtest.py DIR", file=sys.stderr)
        suite.fail("objtest.py", "no test directory")
        return suite.finish()
    d = argv[0]
    clifs = sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".clif"))
    if not clifs:
        suite.fail(d, "no .clif files")
        return suite.finish()
    base = os.path.join(harness.BUILD, "test", "object")
    jobs = []
    for arch in harness.target_names():
        tools = toolchain(arch)
        if isinstance(tools, str):
            print(f"skip {d} [{arch}]: {tools}", flush=True)
            continue
        outdir = os.path.join(base, arch)
        os.makedirs(outdir, exist_ok=True)
        jobs += [(arch, tools, c, outdir) for c in clifs]
    os.makedirs(base, exist_ok=True)
    check_bad_uses(suite, clifs[0], base)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for res in ex.map(lambda j: check_case(*j), jobs):
            for what, fail in res:
                if fail:
                    suite.fail(what, *fail)
                else:
                    suite.ok(what)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
