"""AArch64 only: what is particular to its encodings and ABI: bitmask and
12-bit immediates, movz/movn/movk constants, branches beyond their reach,
AAPCS64 and apple_aarch64 arguments, sarg structs, big frames."""
import random

from .common import *

# ---- immediates -------------------------------------------------------------

def rot(x, r, e):
    r %= e
    return ((x >> r) | (x << (e - r))) & mask(e)


def bitmasks(bits, rng, n):
    """n values that encode as logical immediates for `bits`-wide registers."""
    out = []
    sizes = [e for e in (2, 4, 8, 16, 32, 64) if e <= bits]
    while len(out) < n:
        e = rng.choice(sizes)
        ones = rng.randrange(1, e)
        el = rot(mask(ones), rng.randrange(e), e)
        v = 0
        for k in range(0, bits, e):
            v |= el << k
        out.append(v)
    return out


def gen_imm():
    f = File("a64-imm.clif", "AArch64 only: constants chosen for its encodings of immediates.\n"
             "Constants and immediates: band/bor/bxor with bitmask immediates (a rotated\n"
             "run of ones repeated in 2..64-bit elements) and with constants that are not;\n"
             "iadd/isub/icmp with 12-bit immediates, shifted by 12, negated; iconst through\n"
             "movz/movn/movk and orr.", header(only=["aarch64"]))
    rng = random.Random(64)
    ops = {"band": lambda a, b: a & b, "bor": lambda a, b: a | b, "bxor": lambda a, b: a ^ b}
    for n in (32, 64):
        t = "i%d" % n
        consts = bitmasks(n, rng, 10) + [0x12345678 & mask(n), mask(n) - 1, 1 << (n - 1), 0xfff0000f & mask(n)]
        for op, fn in ops.items():
            for k, cval in enumerate(consts):
                name = "%s_k%d_%s" % (op, k, t)
                f.func("""function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = iconst.%s %d
    v2 = %s v0, v1
    return v2
}""" % (name, t, t, t, t, sx(cval, n), op),
                       [run(name, [lit(a, n)], fn(ux(a, n), cval), n)
                        for a in (0, -1, 0x5a5a5a5a5a5a5a5a & mask(n), 0x0123456789abcdef & mask(n))])
    arith = [0, 1, 4095, 4096, 4097, 0x1000, 0xfff000, 0xfff001, 0x1000000, -1, -4095, -4096, -0xfff000,
             0x7fffffff, -0x80000000]
    for n in (32, 64):
        t = "i%d" % n
        for op, fn in (("iadd", lambda a, b: a + b), ("isub", lambda a, b: a - b)):
            for k, cval in enumerate(arith):
                name = "%s_k%d_%s" % (op, k, t)
                f.func("""function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = iconst.%s %d
    v2 = %s v0, v1
    return v2
}""" % (name, t, t, t, t, sx(cval, n), op),
                       [run(name, [lit(a, n)], fn(a, cval), n) for a in (0, 1, -1, 0x12345)])
        for k, cval in enumerate(arith):
            name = "icmp_k%d_%s" % (k, t)
            f.func("""function %%%s(%s) -> i8 {
block0(v0: %s):
    v1 = iconst.%s %d
    v2 = icmp slt v0, v1
    v3 = icmp ugt v0, v1
    v4 = ishl_imm v3, 1
    v5 = bor v2, v4
    return v5
}""" % (name, t, t, t, sx(cval, n)),
                   ["; run: %%%s(%s) == %d" % (name, lit(a, n),
                                               int(sx(a, n) < sx(cval, n)) + 2 * int(ux(a, n) > ux(cval, n)))
                    for a in (0, 1, -1, cval, cval + 1, cval - 1)])
    consts64 = [0, 1, -1, 0xffff, 0x10000, 0xffff0000, 0xffff00000000, -0x10000, 0x123456789abcdef0,
                0x0000ffff0000ffff, 0x5555555555555555, -0x123456789, 0x8000000000000000, 0xfedcba9876543210,
                0xffffffff, 0x100000000, 0x00ff00ff00ff00ff, 0x12340000ffff5678]
    for k, cval in enumerate(consts64):
        name = "iconst64_k%d" % k
        f.func("""function %%%s() -> i64 {
block0:
    v0 = iconst.i64 %d
    return v0
}""" % (name, sx(cval, 64)), ["; run: %%%s() == %s" % (name, lit(cval, 64))])
    for k, cval in enumerate([0, 1, -1, 0xffff, 0x10000, 0x12345678, 0x80000000, 0xffff0000, 0x0000fffe,
                              0xaaaaaaaa]):
        name = "iconst32_k%d" % k
        f.func("""function %%%s() -> i32 {
block0:
    v0 = iconst.i32 %d
    return v0
}""" % (name, sx(cval, 32)), ["; run: %%%s() == %s" % (name, lit(cval, 32))])
    f.write()


def gen_longjump():
    f = File("a64-longjump.clif", "AArch64 only: the reach of its branches.\n"
             "Branches beyond their reach: bb_padding_log2_minus_one puts 32 KiB and then\n"
             "2 MiB of padding after every block, so tbz (+-32 KiB), then b.cond, cbz and the\n"
             "branches to trap islands (+-1 MiB) cannot reach: the function is emitted again\n"
             "with long forms.  Loops, br_table, traps and calls across the padding.",
             "test run\nset bb_padding_log2_minus_one=16\ntarget aarch64\n"
             "set bb_padding_log2_minus_one=22\ntarget aarch64\n")
    f.clif("bit", ["; run: %%bit(%d) == %d" % (x, 1 if x & 0x100 else 2) for x in (0, 0x100, 0xff, -1)])
    f.clif("cmp", ["; run: %%cmp(%d, %d) == %d" % (a, b, a if a < b else b + 1000) for a, b in ((1, 2), (2, 1), (-5, 5), (7, 7))])
    f.clif("loop", ["; run: %%loop(%d) == %d" % (n, n * (n + 1) // 2) for n in (0, 1, 10, 1000)])
    f.clif("divs")
    f.clif("table", ["; run: %%table(%d) == %d" % (x, [10, 20, 30][x] if 0 <= x < 3 else 40) for x in (0, 1, 2, 3, -1)])
    f.clif("callee")
    f.clif("caller")
    f.write()


# ---- calling conventions ------------------------------------------------------

def sig_text(types):
    return ", ".join(types)


def gen_abi():
    f = File("a64-abi.clif", "AArch64 only: AAPCS64 and apple_aarch64 argument rules.\n"
             "AAPCS64 against the C convention (system_v functions called through libffi read\n"
             "their stack arguments where C puts them) and against itself: narrow, i128 and float\n"
             "arguments beyond the registers, in system_v and in apple_aarch64 (packed stack\n"
             "arguments, i128 pairs at odd registers), many results through the return area.",
             header(only=["aarch64"], aarch64=PAC))
    ints = ["i8"] * 6 + ["i16"] * 4 + ["i32"] * 4 + ["i64"] * 4
    for cc in ("system_v", "apple_aarch64"):
        name = "stack_int_" + cc[:5]
        params = ", ".join("v%d: %s" % (k, t) for k, t in enumerate(ints))
        body = ["block0(%s):" % params]
        acc = None
        nv = len(ints)
        for k, t in enumerate(ints):
            x = "v%d" % k
            if t != "i64":
                body.append("    v%d = sextend.i64 %s" % (nv, x))
                x = "v%d" % nv
                nv += 1
            body.append("    v%d = imul_imm %s, %d" % (nv, x, k + 1))
            term = "v%d" % nv
            nv += 1
            if acc is None:
                acc = term
            else:
                body.append("    v%d = iadd %s, %s" % (nv, acc, term))
                acc = "v%d" % nv
                nv += 1
        body.append("    return %s" % acc)
        text = "function %%%s(%s) -> i64 %s {\n%s\n}" % (name, sig_text(ints), cc, "\n".join(body))
        argsets = [[(k * 37 + 5) * (-1) ** k for k in range(len(ints))],
                   [sx(0x8123456789abcdef >> k, {"i8": 8, "i16": 16, "i32": 32, "i64": 64}[t]) for k, t in enumerate(ints)]]
        runs = []
        for args in argsets:
            bits = [{"i8": 8, "i16": 16, "i32": 32, "i64": 64}[t] for t in ints]
            vals = [sx(a, b) for a, b in zip(args, bits)]
            total = sum(v * (k + 1) for k, v in enumerate(vals))
            runs.append("; run: %%%s(%s) == %s" % (name, ", ".join(str(v) for v in vals), lit(total, 64)))
        f.func(text, runs)
        caller = "call_" + name
        vals = [sx((k * 1000003 + 17) * (-1) ** k, {"i8": 8, "i16": 16, "i32": 32, "i64": 64}[t]) for k, t in enumerate(ints)]
        consts = "\n".join("    v%d = iconst.%s %d" % (k, t, v) for k, (t, v) in enumerate(zip(ints, vals)))
        f.func("""function %%%s() -> i64 {
    fn0 = %%%s(%s) -> i64 %s
block0:
%s
    v100 = call fn0(%s)
    return v100
}""" % (caller, name, sig_text(ints), cc, consts, ", ".join("v%d" % k for k in range(len(ints)))),
               ["; run: %%%s() == %s" % (caller, lit(sum(v * (k + 1) for k, v in enumerate(vals)), 64))])
    # floats beyond v7: f64 and f32 on the stack
    flts = ["f64"] * 10 + ["f32"] * 6
    for cc in ("system_v", "apple_aarch64"):
        name = "stack_flt_" + cc[:5]
        params = ", ".join("v%d: %s" % (k, t) for k, t in enumerate(flts))
        body = ["block0(%s):" % params]
        nv = len(flts)
        acc = None
        for k, t in enumerate(flts):
            x = "v%d" % k
            if t == "f32":
                body.append("    v%d = fpromote.f64 %s" % (nv, x))
                x = "v%d" % nv
                nv += 1
            body.append("    v%d = f64const %s" % (nv, fmt(float(k + 1), 64)))
            body.append("    v%d = fmul %s, v%d" % (nv + 1, x, nv))
            term = "v%d" % (nv + 1)
            nv += 2
            if acc is None:
                acc = term
            else:
                body.append("    v%d = fadd %s, %s" % (nv, acc, term))
                acc = "v%d" % nv
                nv += 1
        body.append("    return %s" % acc)
        text = "function %%%s(%s) -> f64 %s {\n%s\n}" % (name, sig_text(flts), cc, "\n".join(body))
        vals = [k * 1.5 - 3.25 for k in range(len(flts))]
        total = None
        for k, v in enumerate(vals):
            term = v * float(k + 1)
            total = term if total is None else total + term
        args = ", ".join(("%r" % v) if t == "f64" else ("%r" % v) for v, t in zip(vals, flts))
        f.func(text, ["; run: %%%s(%s) == %s" % (name, ", ".join(fmt(float(v), 64) for v in vals), fmt(total, 64))])
    # i128 arguments: an even register pair in AAPCS64, any pair in apple_aarch64
    for cc in ("system_v", "apple_aarch64"):
        name = "i128_args_" + cc[:5]
        types = ["i64", "i128", "i64", "i128", "i128", "i128", "i32", "i128"]
        f.func("""function %%%s(%s) -> i128 %s {
block0(v0: i64, v1: i128, v2: i64, v3: i128, v4: i128, v5: i128, v6: i32, v7: i128):
    v8 = uextend.i128 v0
    v9 = sextend.i128 v2
    v10 = sextend.i128 v6
    v11 = iadd v8, v1
    v12 = isub v11, v9
    v13 = iadd v12, v3
    v14 = bxor v13, v4
    v15 = iadd v14, v5
    v16 = iadd v15, v10
    v17 = isub v16, v7
    return v17
}""" % (name, sig_text(types), cc), [])
        caller = "call_" + name
        a = [5, (1 << 100) + 7, -3, (1 << 64) - 1, 0x123456789abcdef0123456789, -(1 << 90), -9, 1 << 127]
        m = mask(128)
        r = ((ux(a[0], 64) + a[1] - a[2] + a[3]) ^ a[4]) + a[5] + a[6] - a[7]
        f.func("""function %%%s() -> i64, i64 {
    fn0 = %%%s(%s) -> i128 %s
block0:
    v0 = iconst.i64 %d
    v1 = iconst.i64 %d
    v2 = iconst.i64 %d
    v3 = iconcat v1, v2
    v4 = iconst.i64 %d
    v5 = iconst.i64 %d
    v6 = iconst.i64 %d
    v7 = iconcat v5, v6
    v8 = iconst.i64 %d
    v9 = iconst.i64 %d
    v10 = iconcat v8, v9
    v11 = iconst.i64 %d
    v12 = iconst.i64 %d
    v13 = iconcat v11, v12
    v14 = iconst.i32 %d
    v15 = iconst.i64 %d
    v16 = iconst.i64 %d
    v17 = iconcat v15, v16
    v18 = call fn0(v0, v3, v4, v7, v10, v13, v14, v17)
    v19, v20 = isplit v18
    return v19, v20
}""" % (caller, name, sig_text(types), cc, a[0], sx(a[1], 64), sx(a[1] >> 64, 64), a[2], sx(a[3], 64),
        sx(a[3] >> 64, 64), sx(a[4], 64), sx(a[4] >> 64, 64), sx(a[5] & m, 64), sx((a[5] & m) >> 64, 64), a[6],
        sx(a[7], 64), sx(a[7] >> 64, 64)),
               ["; run: %%%s() == [%s, %s]" % (caller, lit(r & m, 64), lit((r & m) >> 64, 64))])
    # more results than registers: the rest through the return area (x8)
    for cc in ("system_v", "apple_aarch64", "tail"):
        name = "many_rets_" + cc[:5]
        rt = ["i64"] * 10 + ["f64"] * 9 + ["i8", "i32"]
        defs, vals = [], []
        for k, t in enumerate(rt):
            if t == "f64":
                v = k * 0.5
                defs.append("    v%d = f64const %s" % (k, fmt(v, 64)))
            else:
                v = sx(k * 0x10000001 - 50, int(t[1:]))
                defs.append("    v%d = iconst.%s %d" % (k, t, v))
            vals.append(v)
        f.func("""function %%%s(i64) -> %s %s {
block0(v100: i64):
%s
    v101 = iadd v0, v100
    return v101, %s
}""" % (name, ", ".join(rt), cc, "\n".join(defs), ", ".join("v%d" % k for k in range(1, len(rt)))),
               ["; run: %%%s(1) == [%s]" % (name, ", ".join(
                   [lit(vals[0] + 1, 64)] + [(fmt(v, 64) if isinstance(v, float) else lit(v, int(rt[k][1:])))
                                             for k, v in enumerate(vals) if k > 0]))])
        caller = "call_" + name
        # a checksum of the integer results and the float ones
        isum = sum(v * (k + 1) for k, v in enumerate(vals) if not isinstance(v, float)) + 1000
        fsum = 0.0
        for v in vals:
            if isinstance(v, float):
                fsum = fsum + v
        uses = []
        nv = 200
        acc = "v0"
        for k in range(1, len(rt)):
            t = rt[k]
            if t == "f64":
                continue
            x = "v%d" % k
            if t != "i64":
                uses.append("    v%d = sextend.i64 %s" % (nv, x))
                x = "v%d" % nv
                nv += 1
            uses.append("    v%d = imul_imm %s, %d" % (nv, x, k + 1))
            uses.append("    v%d = iadd %s, v%d" % (nv + 1, acc, nv))
            acc = "v%d" % (nv + 1)
            nv += 2
        facc = None
        for k in range(len(rt)):
            if rt[k] != "f64":
                continue
            if facc is None:
                facc = "v%d" % k
            else:
                uses.append("    v%d = fadd %s, v%d" % (nv, facc, k))
                facc = "v%d" % nv
                nv += 1
        f.func("""function %%%s() -> i64, f64 {
    fn0 = %%%s(i64) -> %s %s
block0:
    v300 = iconst.i64 1000
    %s = call fn0(v300)
%s
    return %s, %s
}""" % (caller, name, ", ".join(rt), cc, ", ".join("v%d" % k for k in range(len(rt))), "\n".join(uses), acc, facc),
               ["; run: %%%s() == [%s, %s]" % (caller, lit(isum, 64), fmt(fsum, 64))])
    f.write()


def gen_sarg():
    f = File("a64-sarg.clif", "AArch64 only: apple_aarch64 and a bug report of that target (sarg.clif has both).\n"
             "sarg(N) struct arguments: the caller copies N bytes into its outgoing argument\n"
             "area (inline for small sizes, through memcpy for large ones) and the callee gets\n"
             "their address; the callee's copy is its own.  First the test case of wasmtime\n"
             "issue #8852 (testdata/bugs/8852-sarg-apple-aarch64.clif) as the report gives it.",
             header(only=["aarch64"], aarch64=PAC))
    f.clif("foo")
    f.clif("main")
    for cc in ("system_v", "apple_aarch64", "fast"):
        for size in (24, 200):
            n = size // 8
            name = "sum_%d_%s" % (size, cc[:5])
            f.func("""function %%%s(i32, i64 sarg(%d), i64) -> i64 %s {
block0(v0: i32, v1: i64, v2: i64):
    v3 = sextend.i64 v0
    v4 = iadd v3, v2
    jump block1(v1, v4, v1)
block1(v5: i64, v6: i64, v7: i64):
    v8 = load.i64 v5
    v9 = iadd v6, v8
    v10 = iadd_imm v5, 8
    v11 = iadd_imm v7, %d
    v12 = icmp ult v10, v11
    brif v12, block1(v10, v9, v7), block2
block2:
    v13 = iconst.i64 0
    store v13, v1
    return v9
}""" % (name, size, cc, size), [])
            caller = "call_" + name
            stores = "\n".join("    v%d = iconst.i64 %d\n    store v%d, v0+%d" % (10 + k, k * k + 1, 10 + k, 8 * k)
                               for k in range(n))
            f.func("""function %%%s() -> i64 {
    ss0 = explicit_slot %d
    fn0 = %%%s(i32, i64 sarg(%d), i64) -> i64 %s
block0:
    v0 = stack_addr.i64 ss0
%s
    v1 = iconst.i32 -5
    v2 = iconst.i64 1000
    v3 = call fn0(v1, v0, v2)
    v4 = load.i64 v0
    v5 = imul_imm v3, 10
    v6 = iadd v5, v4
    return v6
}""" % (caller, size, name, size, cc, stores),
                   ["; run: %%%s() == %d" % (caller, (995 + sum(k * k + 1 for k in range(n))) * 10 + 1)])
    # several structs, and arguments around them on the stack
    f.clif("mixed")
    f.clif("call_mixed", ["; run: %%call_mixed() == %d" % (8 + 400 + 5000 + 10000 + 200000 + 3000000)])
    f.write()
    # the same with every module far from the others and from libc: the
    # memcpy calls for the large structs go through a stub
    runs = [line[len("; run: "):] for part in f.parts for line in part.split("\n") if line.startswith("; run: ")]
    OUTPUT["a64-sarg.clif.aarch64.out"] = \
        "# Generated by %s from the run lines of a64-sarg.clif.\n" % GENERATOR + \
        "".join("$ clifrun %stestdata/run/a64-sarg.clif\n%s\nexit 0\n" % (flag, "\n".join(runs))
                for flag in ("", "--jit-spread "))


# ---- frames and addresses ------------------------------------------------------

def gen_frame():
    f = File("a64-frame.clif", "AArch64 only: offsets at the edges of its immediate forms.\n"
             "Big frames (offsets past the 12-bit scaled immediates, sp adjusted by more than\n"
             "4 KiB), loads and stores at offsets that need the unscaled, scaled and computed\n"
             "forms, indexed addresses (base + index, scaled by the access size), and values\n"
             "live across calls in callee-saved registers or spill slots of a big frame.",
             header(only=["aarch64"], aarch64=PAC))
    offs = [0, 1, 3, 8, 255, 256, 257, 4095, 4096, 4104, 32760, 32768, 40000, 65535, 70000]
    for t, size in (("i8", 1), ("i16", 2), ("i32", 4), ("i64", 8), ("f32", 4), ("f64", 8)):
        name = "offsets_%s" % t
        if t[0] == "f":     # no overlapping floats: their mixed bytes need not convert
            offs = [0, 8, 256, 4096, 4104, 32760, 32768, 40000, 65535, 70000]
        lines = []
        for k, o in enumerate(offs):
            if o + size > 80000:
                continue
            if t[0] == "i":
                lines.append("    v%d = iconst.%s %d" % (10 + k, t, sx(o * 7 + 3, size * 8)))
            else:
                lines.append("    v%d = %sconst %s" % (10 + k, t, fmt(o + 0.5, 64)))
            lines.append("    store v%d, v0+%d" % (10 + k, o))
        back = []
        acc = None
        nv = 100
        for k, o in enumerate(offs):
            back.append("    v%d = load.%s v0+%d" % (nv, t, o))
            x = "v%d" % nv
            nv += 1
            if t[0] == "i":
                if t != "i64":
                    back.append("    v%d = uextend.i64 %s" % (nv, x))
                    x = "v%d" % nv
                    nv += 1
            else:
                if t == "f32":
                    back.append("    v%d = fpromote.f64 %s" % (nv, x))
                    x = "v%d" % nv
                    nv += 1
                back.append("    v%d = fcvt_to_sint.i64 %s" % (nv, x))
                x = "v%d" % nv
                nv += 1
            if acc is None:
                acc = x
            else:
                back.append("    v%d = iadd %s, %s" % (nv, acc, x))
                acc = "v%d" % nv
                nv += 1
        # written later overlap earlier ones where offsets are close: python replays the stores
        mem = bytearray(80000)
        import struct as st
        for o in offs:
            if t[0] == "i":
                mem[o:o + size] = ux(o * 7 + 3, size * 8).to_bytes(size, "little")
            else:
                mem[o:o + size] = st.pack("<f" if t == "f32" else "<d", o + 0.5)
        total = 0
        for o in offs:
            raw = bytes(mem[o:o + size])
            if t[0] == "i":
                total += int.from_bytes(raw, "little")
            else:
                total += int(st.unpack("<f" if t == "f32" else "<d", raw)[0])
        f.func("""function %%%s() -> i64 {
    ss0 = explicit_slot 80000
    ss1 = explicit_slot 16
block0:
    v0 = stack_addr.i64 ss0
%s
%s
    return %s
}""" % (name, "\n".join(lines), "\n".join(back), acc), ["; run: %%%s() == %s" % (name, lit(total, 64))])
    # negative offsets from a pointer into the middle of the slot
    f.clif("negative", ["; run: %%negative(%d) == %s" % (x, lit(4 * x, 64)) for x in (1, -7, 0x123456789)])
    # indexed: base + index, base + (index << 3), and narrow widths
    f.clif("indexed", ["; run: %%indexed(%d, %d) == %s" % (i, x, lit(idx_expect(i, x), 64))
      for i, x in ((0, 5), (1, -1), (7, 0x1122334455667788), (99, -300))])
    f.clif("scaled", ["; run: %%scaled(%d, %d) == %s" % (i, x, lit(scaled_expect(i, x), 64))
      for i, x in ((0, 0x8001), (4, 0x7fff), (8, -2), (20, 0x1234567890abcdef))])
    # 32-bit indices extended into the address: [base, w, uxtw #3] and [base, w, sxtw]
    f.clif("extidx", ["; run: %%extidx(%d, %d, %d) == %s" % (i, j, x, lit(extidx_expect(i, j, x), 64))
      for i, j, x in ((0, -1, 0x1234), (3, -300, -5), (60, 100, 0x7f7f7f7f7f7f7f81), (1, 8, 0x55aa))])
    # values live across a call in a frame bigger than 32 KiB
    f.clif("id")
    body = ["    v%d = iadd_imm v0, %d" % (10 + k, k * 11) for k in range(30)]
    f.func("""function %%across(i64) -> i64 {
    ss0 = explicit_slot 40000
    fn0 = %%id(i64) -> i64
block0(v0: i64):
%s
    v1 = stack_addr.i64 ss0+39992
    store v0, v1
    v2 = call fn0(v0)
%s
    v3 = load.i64 v1
    v4 = iadd v2, v3
    v5 = iadd v4, v%d
    return v5
}""" % ("\n".join(body), "\n".join("    v%d = iadd v%d, v%d" % (50 + k, 10 + k if k == 0 else 49 + k, 11 + k)
                                     for k in range(29)), 78),
           ["; run: %%across(%d) == %s" % (x, lit(x + x + sum(x + k * 11 for k in range(30)), 64))
            for x in (0, 1, -5, 1 << 40)])
    f.write()


def extidx_expect(i, j, x):
    mem = bytearray(1024)
    mem[512 + 8 * i:520 + 8 * i] = ux(x, 64).to_bytes(8, "little")
    mem[512 + j] = ux(x, 8)
    v12 = int.from_bytes(mem[512 + 8 * i:520 + 8 * i], "little")
    return v12 + sx(mem[512 + j], 8)


def scaled_expect(i, x):
    mem = bytearray(800)
    mem[8 * i:8 * i + 8] = ux(x, 64).to_bytes(8, "little")
    return sx(int.from_bytes(mem[8 * i:8 * i + 2], "little"), 16)


def idx_expect(i, x):
    mem = bytearray(800)
    mem[8 * i:8 * i + 8] = ux(x, 64).to_bytes(8, "little")
    v6 = int.from_bytes(mem[8 * i:8 * i + 8], "little")
    v8 = mem[8 * i]
    mem[4 * i:4 * i + 4] = ux(x, 32).to_bytes(4, "little")
    v12 = sx(int.from_bytes(mem[4 * i:4 * i + 4], "little"), 32)
    return v6 + v8 + v12


GENERATORS = (gen_imm, gen_longjump, gen_abi, gen_sarg, gen_frame)
