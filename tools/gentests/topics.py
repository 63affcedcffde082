"""The target-independent topics: each writes one file with both targets'
lines (Cranelift's way: every run line runs on each target the file names
and the host can run).  Expected values are computed here from the
definitions of the opcodes (Cranelift's semantics: wrapping arithmetic,
shift amounts masked to the type's width, ...), never from clifrun's output."""
import math

from .common import *

# ---- arithmetic and bit operations ------------------------------------------

BIN = {
    "iadd": lambda a, b, n: a + b,
    "isub": lambda a, b, n: a - b,
    "imul": lambda a, b, n: a * b,
    "band": lambda a, b, n: a & b,
    "bor": lambda a, b, n: a | b,
    "bxor": lambda a, b, n: a ^ b,
}


def gen_arith():
    f = File("arith.clif", "iadd isub imul band bor bxor ineg bnot iabs on i8..i64, with\n"
             "register operands and with constants folded into immediates.", header())
    for op, fn in BIN.items():
        for n in TYPES:
            name = "%s_i%d" % (op, n)
            vals = few(n)
            runs = [run(name, [lit(a, n), lit(b, n)], fn(a, b, n), n) for a in vals for b in vals[:5]]
            f.func(binfunc(name, op, n), runs)
    for op, fn in (("ineg", lambda a: -a), ("bnot", lambda a: ~a), ("iabs", lambda a: abs(a))):
        for n in TYPES:
            name = "%s_i%d" % (op, n)
            f.func(unfunc(name, op, n), [run(name, [lit(a, n)], fn(sx(a, n)), n) for a in edges(n)])
    # constant operands: right (immediate or not) and left
    consts = {8: [5, -1, 0x7f], 16: [300, -2, 0x7fff], 32: [100000, -7, 0x7fffffff],
              64: [12345, -1, 0x7fffffff, -0x80000000, 0x80000000, 0x123456789a]}
    for op, fn in BIN.items():
        for n in TYPES:
            for k, c in enumerate(consts[n]):
                t = "i%d" % n
                for side in ("r", "l"):
                    name = "%s_%s%d_i%d" % (op, side, k, n)
                    args = "v0, v1" if side == "r" else "v1, v0"
                    text = """function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = iconst.%s %d
    v2 = %s %s
    return v2
}""" % (name, t, t, t, t, c, op, args)
                    runs = []
                    for a in few(n)[:5]:
                        x, y = (a, c) if side == "r" else (c, a)
                        runs.append(run(name, [lit(a, n)], fn(x, y, n), n))
                    f.func(text, runs)
    f.write()


# ---- shifts and rotates -----------------------------------------------------

def shift(op, a, s, n):
    s &= n - 1
    a = ux(a, n)
    if op == "ishl":
        return a << s
    if op == "ushr":
        return a >> s
    if op == "sshr":
        return sx(a, n) >> s
    if op == "rotl":
        return (a << s) | (a >> (n - s)) if s else a
    return (a >> s) | (a << (n - s)) if s else a


def gen_shift():
    f = File("shift.clif", "ishl ushr sshr rotl rotr: amounts in registers of several types\n"
             "and constants, including amounts at and past the width (Cranelift masks them).", header())
    for op in ("ishl", "ushr", "sshr", "rotl", "rotr"):
        for n in TYPES:
            for at in (32, 8, 64):
                name = "%s_i%d_by_i%d" % (op, n, at)
                text = """function %%%s(i%d, i%d) -> i%d {
block0(v0: i%d, v1: i%d):
    v2 = %s v0, v1
    return v2
}""" % (name, n, at, n, n, at, op)
                amts = [0, 1, 3, n - 1, n, n + 1, 2 * n + 3, 100]
                if at == 64:
                    amts.append(-1)
                runs = []
                for a in (sx(0x8123456789abcdef & mask(n), n), 1, -1, 0x5a & mask(n)):
                    for s in amts:
                        runs.append(run(name, [lit(a, n), lit(s, at)], shift(op, a, s % (1 << at), n), n))
                f.func(text, runs)
            for s in (0, 1, n - 1, n, n + 5):
                name = "%s_i%d_imm%d" % (op, n, s)
                text = """function %%%s(i%d) -> i%d {
block0(v0: i%d):
    v1 = iconst.i32 %d
    v2 = %s v0, v1
    return v2
}""" % (name, n, n, n, s, op)
                runs = [run(name, [lit(a, n)], shift(op, a, s, n), n)
                        for a in (sx(0x8123456789abcdef & mask(n), n), 1, -1, 0x5a & mask(n))]
                f.func(text, runs)
    f.write()


# ---- comparisons, branches, select ------------------------------------------

CC = {
    "eq": lambda a, b, n: a == b, "ne": lambda a, b, n: a != b,
    "slt": lambda a, b, n: sx(a, n) < sx(b, n), "sge": lambda a, b, n: sx(a, n) >= sx(b, n),
    "sgt": lambda a, b, n: sx(a, n) > sx(b, n), "sle": lambda a, b, n: sx(a, n) <= sx(b, n),
    "ult": lambda a, b, n: ux(a, n) < ux(b, n), "uge": lambda a, b, n: ux(a, n) >= ux(b, n),
    "ugt": lambda a, b, n: ux(a, n) > ux(b, n), "ule": lambda a, b, n: ux(a, n) <= ux(b, n),
}


def gen_icmp():
    f = File("icmp.clif", "icmp with every condition on i8..i64: as a value, fused into\n"
             "brif and select, against constants on either side.", header())
    for cc, fn in CC.items():
        for n in TYPES:
            vals = [sx(v, n) for v in (0, 1, mask(n), 1 << (n - 1), (1 << (n - 1)) - 1)]
            pairs = [(a, b) for a in vals for b in vals]
            t = "i%d" % n
            name = "icmp_%s_i%d" % (cc, n)
            f.func(binfunc(name, "icmp " + cc + ",", n, 8).replace("icmp %s, v0" % cc, "icmp %s v0" % cc),
                   [run(name, [lit(a, n), lit(b, n)], int(fn(a, b, n)), 8) for a, b in pairs])
            name = "brif_%s_i%d" % (cc, n)
            text = """function %%%s(%s, %s) -> i32 {
block0(v0: %s, v1: %s):
    v2 = icmp %s v0, v1
    brif v2, block1, block2
block1:
    v3 = iconst.i32 10
    return v3
block2:
    v4 = iconst.i32 20
    return v4
}""" % (name, t, t, t, t, cc)
            f.func(text, [run(name, [lit(a, n), lit(b, n)], 10 if fn(a, b, n) else 20, 32) for a, b in pairs])
            name = "select_%s_i%d" % (cc, n)
            text = """function %%%s(%s, %s) -> %s {
block0(v0: %s, v1: %s):
    v2 = icmp %s v0, v1
    v3 = select v2, v0, v1
    return v3
}""" % (name, t, t, t, t, t, cc)
            f.func(text, [run(name, [lit(a, n), lit(b, n)], a if fn(a, b, n) else b, n) for a, b in pairs])
            for k, c in enumerate((0, 1, -1, 0x7f)):
                for side in ("r", "l"):
                    name = "icmp_%s_%s%d_i%d" % (cc, side, k, n)
                    args = "v0, v1" if side == "r" else "v1, v0"
                    text = """function %%%s(%s) -> i8 {
block0(v0: %s):
    v1 = iconst.%s %d
    v2 = icmp %s %s
    return v2
}""" % (name, t, t, t, c, cc, args)
                    runs = []
                    for a in vals:
                        x, y = (a, c) if side == "r" else (c, a)
                        runs.append(run(name, [lit(a, n)], int(fn(ux(x, n), ux(y, n), n)), 8))
                    f.func(text, runs)
    # brif and select on plain values, not comparisons
    for n in TYPES:
        t = "i%d" % n
        name = "brif_value_i%d" % n
        text = """function %%%s(%s) -> i32 {
block0(v0: %s):
    brif v0, block1, block2
block1:
    v1 = iconst.i32 1
    return v1
block2:
    v2 = iconst.i32 2
    return v2
}""" % (name, t, t)
        f.func(text, [run(name, [lit(a, n)], 1 if ux(a, n) else 2, 32) for a in (0, 1, -1, 1 << (n - 1), 256)])
        name = "select_value_i%d" % n
        text = """function %%%s(%s, i64, i64) -> i64 {
block0(v0: %s, v1: i64, v2: i64):
    v3 = select v0, v1, v2
    return v3
}""" % (name, t, t)
        f.func(text, [run(name, [lit(a, n), "11", "-22"], 11 if ux(a, n) else -22, 64)
                      for a in (0, 1, -1, 1 << (n - 1), 256)])
    # an icmp used twice is materialized once and tested
    text = """function %icmp_twice(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = icmp slt v0, v1
    v3 = uextend.i32 v2
    brif v2, block1(v3), block2
block1(v4: i32):
    v5 = iadd_imm v4, 100
    return v5
block2:
    return v3
}"""
    f.func(text, ["; run: %icmp_twice(1, 2) == 101", "; run: %icmp_twice(2, 1) == 0",
                  "; run: %icmp_twice(-1, 0) == 101"])
    f.write()


# ---- division ---------------------------------------------------------------

def tdiv(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def gen_div():
    f = File("div.clif", "udiv sdiv urem srem on i8..i64 (signed ones truncate toward zero,\n"
             "the remainder takes the dividend's sign); the traps of division by\n"
             "zero and of INT_MIN / -1 (`; cg_test trap:` marks a line that must trap).", header())
    for op in ("udiv", "sdiv", "urem", "srem"):
        for n in TYPES:
            name = "%s_i%d" % (op, n)
            vals = [sx(v, n) for v in (0, 1, 7, mask(n), 1 << (n - 1), (1 << (n - 1)) - 1, 0x5a5a5a5a5a5a5a5a & mask(n), -7)]
            divs = [sx(v, n) for v in (1, 2, 3, -1, -3, 7, 1 << (n - 1), (1 << (n - 1)) - 1)]
            runs = []
            for a in vals:
                for b in divs:
                    if op == "udiv":
                        r = ux(a, n) // ux(b, n)
                    elif op == "urem":
                        r = ux(a, n) % ux(b, n)
                    else:
                        if op == "sdiv" and a == -(1 << (n - 1)) and b == -1:
                            continue
                        q = tdiv(a, b)
                        r = q if op == "sdiv" else a - q * b
                    runs.append(run(name, [lit(a, n), lit(b, n)], r, n))
            runs.append("; cg_test trap: int_divz")
            runs.append(run(name, ["5", "0"], 0, n))
            if op == "sdiv":
                runs.append("; cg_test trap: int_ovf")
                runs.append(run(name, [lit(1 << (n - 1), n), "-1"], 0, n))
            if op == "srem":
                runs.append(run(name, [lit(1 << (n - 1), n), "-1"], 0, n))
            f.func(binfunc(name, op, n), runs)
            # a constant divisor
            t = "i%d" % n
            name = "%s_by7_i%d" % (op, n)
            text = """function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = iconst.%s -7
    v2 = %s v0, v1
    return v2
}""" % (name, t, t, t, t, op)
            runs = []
            for a in vals:
                b = sx(-7, n)
                if op == "udiv":
                    r = ux(a, n) // ux(b, n)
                elif op == "urem":
                    r = ux(a, n) % ux(b, n)
                else:
                    q = tdiv(a, b)
                    r = q if op == "sdiv" else a - q * b
                runs.append(run(name, [lit(a, n)], r, n))
            f.func(text, runs)
    f.write()


# ---- min/max, extensions ----------------------------------------------------

def gen_minmax_ext():
    f = File("minmax-ext.clif", "smin smax umin umax on i8..i64; uextend sextend ireduce between\n"
             "every pair of widths.", header())
    ops = {"smin": lambda a, b, n: min(sx(a, n), sx(b, n)), "smax": lambda a, b, n: max(sx(a, n), sx(b, n)),
           "umin": lambda a, b, n: min(ux(a, n), ux(b, n)), "umax": lambda a, b, n: max(ux(a, n), ux(b, n))}
    for op, fn in ops.items():
        for n in TYPES:
            name = "%s_i%d" % (op, n)
            vals = few(n)
            f.func(binfunc(name, op, n), [run(name, [lit(a, n), lit(b, n)], fn(a, b, n), n) for a in vals for b in vals])
    for op in ("uextend", "sextend"):
        for a_ in TYPES:
            for b_ in TYPES:
                if b_ <= a_:
                    continue
                name = "%s_i%d_i%d" % (op, a_, b_)
                text = """function %%%s(i%d) -> i%d {
block0(v0: i%d):
    v1 = %s.i%d v0
    return v1
}""" % (name, a_, b_, a_, op, b_)
                fn = ux if op == "uextend" else sx
                f.func(text, [run(name, [lit(v, a_)], fn(v, a_), b_) for v in edges(a_)])
    for a_ in TYPES:
        for b_ in TYPES:
            if b_ >= a_:
                continue
            name = "ireduce_i%d_i%d" % (a_, b_)
            text = """function %%%s(i%d) -> i%d {
block0(v0: i%d):
    v1 = ireduce.i%d v0
    return v1
}""" % (name, a_, b_, a_, b_)
            f.func(text, [run(name, [lit(v, a_)], v, b_) for v in edges(a_)])
    # extend the result of arithmetic whose upper bits are garbage
    text = """function %add_then_uextend(i8, i8) -> i64 {
block0(v0: i8, v1: i8):
    v2 = iadd v0, v1
    v3 = uextend.i64 v2
    return v3
}"""
    f.func(text, ["; run: %add_then_uextend(-1, 2) == 1", "; run: %add_then_uextend(127, 127) == 254"])
    text = """function %add_then_sextend(i16, i16) -> i64 {
block0(v0: i16, v1: i16):
    v2 = iadd v0, v1
    v3 = sextend.i64 v2
    return v3
}"""
    f.func(text, ["; run: %add_then_sextend(32767, 1) == -32768", "; run: %add_then_sextend(-1, -1) == -2"])
    f.write()


# ---- bit counting -----------------------------------------------------------

def clz(a, n):
    a = ux(a, n)
    return n - a.bit_length()


def ctz(a, n):
    a = ux(a, n)
    return n if a == 0 else (a & -a).bit_length() - 1


def gen_bitcount():
    f = File("bitcount.clif", "clz ctz popcnt on i8..i64; on x86-64 twice: with the fallbacks of the\n"
             "baseline ISA (bsr/bsf, SWAR popcount) and with lzcnt/tzcnt/popcnt.",
             header(x86_64=("", "has_lzcnt has_bmi1 has_popcnt")))
    ops = {"clz": clz, "ctz": ctz, "popcnt": lambda a, n: bin(ux(a, n)).count("1")}
    for op, fn in ops.items():
        for n in TYPES:
            name = "%s_i%d" % (op, n)
            vals = edges(n) + [sx(1 << (n - 1), n), 0x10 & mask(n), sx(mask(n) - 1, n), sx(0x00ff00ff00ff00ff & mask(n), n)]
            f.func(unfunc(name, op, n), [run(name, [lit(a, n)], fn(a, n), n) for a in vals])
    f.write()


# ---- memory -----------------------------------------------------------------

def gen_mem():
    f = File("mem.clif", "load and store of every integer width through stack slots;\n"
             "uload/sload/istore of narrow widths; offsets; stack_addr.", header())
    for n in TYPES:
        t = "i%d" % n
        name = "store_load_i%d" % n
        text = """function %%%s(%s) -> %s {
    ss0 = explicit_slot 16
block0(v0: %s):
    v1 = stack_addr.i64 ss0
    store v0, v1+4
    v2 = load.%s v1+4
    return v2
}""" % (name, t, t, t, t)
        f.func(text, [run(name, [lit(a, n)], a, n) for a in edges(n)])
    for w in (8, 16, 32):
        for n in TYPES:
            if n <= w:
                continue
            t = "i%d" % n
            for s in ("u", "s"):
                name = "%sload%d_i%d" % (s, w, n)
                text = """function %%%s(i64) -> %s {
    ss0 = explicit_slot 8
block0(v0: i64):
    stack_store v0, ss0
    v1 = stack_addr.i64 ss0
    v2 = %sload%d.%s v1
    return v2
}""" % (name, t, s, w, t)
                fn = ux if s == "u" else sx
                vals = [0, 1, -1, 0x0123456789abcdef, 0x80, 0x8000, 0x80000000, 0x7f, 0x7fffffff]
                f.func(text, [run(name, [lit(v, 64)], fn(v, w), n) for v in vals])
            name = "istore%d_i%d" % (w, n)
            text = """function %%%s(%s) -> i64 {
    ss0 = explicit_slot 8
block0(v0: %s):
    v1 = iconst.i64 -1
    stack_store v1, ss0
    v2 = stack_addr.i64 ss0
    istore%d v0, v2
    v3 = load.i64 v2
    return v3
}""" % (name, t, t, w)
            vals = [0, 1, -1, 0x0123456789abcdef & mask(n), 0x80 & mask(n)]
            f.func(text, [run(name, [lit(v, n)], (mask(64) & ~mask(w)) | ux(v, w), 64) for v in vals])
    text = """function %two_slots(i64, i32) -> i64 {
    ss0 = explicit_slot 4
    ss1 = explicit_slot 8, align = 8
    ss2 = explicit_slot 2
block0(v0: i64, v1: i32):
    stack_store v0, ss1
    stack_store v1, ss0
    v2 = iconst.i16 -1
    stack_store v2, ss2
    v3 = stack_load.i64 ss1
    v4 = stack_load.i32 ss0
    v5 = sextend.i64 v4
    v6 = iadd v3, v5
    v7 = stack_load.i16 ss2
    v8 = sextend.i64 v7
    v9 = iadd v6, v8
    return v9
}"""
    f.func(text, ["; run: %two_slots(100, 20) == 119", "; run: %two_slots(0, -1) == -2",
                  "; run: %two_slots(0x7fffffffffffffff, 2) == -0x8000000000000000"])
    f.write()


# ---- control flow -----------------------------------------------------------

def gen_control():
    f = File("control.clif", "jump with block arguments (cycles of swapped parameters), brif\n"
             "with arguments on both edges, br_table with and without arguments,\n"
             "trapz/trapnz, trap.", header())

    def fib(n):
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        return a & mask(64)
    text = """function %fib_swap(i64) -> i64 {
block0(v0: i64):
    v1 = iconst.i64 0
    v2 = iconst.i64 1
    jump block1(v0, v1, v2)
block1(v3: i64, v4: i64, v5: i64):
    brif v3, block2, block3(v4)
block2:
    v6 = iadd v4, v5
    v7 = iadd_imm v3, -1
    jump block1(v7, v5, v6)
block3(v8: i64):
    return v8
}"""
    f.func(text, ["; run: %%fib_swap(%d) == %d" % (k, sx(fib(k), 64)) for k in (0, 1, 2, 10, 50, 93, 100)])

    def rot3(k, a, b, c):
        for _ in range(k):
            a, b, c = b, c, a
        return a * 100 + b * 10 + c
    text = """function %rotate3(i32, i32, i32, i32) -> i32 {
block0(v0: i32, v1: i32, v2: i32, v3: i32):
    jump block1(v0, v1, v2, v3)
block1(v4: i32, v5: i32, v6: i32, v7: i32):
    brif v4, block2, block3
block2:
    v8 = iadd_imm v4, -1
    jump block1(v8, v6, v7, v5)
block3:
    v9 = imul_imm v5, 100
    v10 = imul_imm v6, 10
    v11 = iadd v9, v10
    v12 = iadd v11, v7
    return v12
}"""
    f.func(text, ["; run: %%rotate3(%d, 1, 2, 3) == %d" % (k, rot3(k, 1, 2, 3)) for k in range(6)])
    text = """function %brif_args(i32, i64, i64) -> i64 {
block0(v0: i32, v1: i64, v2: i64):
    brif v0, block1(v1, v2), block1(v2, v1)
block1(v3: i64, v4: i64):
    v5 = isub v3, v4
    return v5
}"""
    f.func(text, ["; run: %brif_args(1, 10, 3) == 7", "; run: %brif_args(0, 10, 3) == -7"])
    text = """function %same_block_twice(i8) -> i32 {
block0(v0: i8):
    v1 = iconst.i32 1
    v2 = iconst.i32 2
    brif v0, block1(v1), block1(v2)
block1(v3: i32):
    return v3
}"""
    f.func(text, ["; run: %same_block_twice(5) == 1", "; run: %same_block_twice(0) == 2"])
    text = """function %table(i32) -> i32 {
block0(v0: i32):
    br_table v0, block9, [block1, block2, block3, block1]
block1:
    v1 = iconst.i32 100
    return v1
block2:
    v2 = iconst.i32 200
    return v2
block3:
    v3 = iconst.i32 300
    return v3
block9:
    v9 = iconst.i32 -1
    return v9
}"""
    f.func(text, ["; run: %%table(%d) == %d" % (k, r) for k, r in
                  ((0, 100), (1, 200), (2, 300), (3, 100), (4, -1), (5, -1), (-1, -1), (0x7fffffff, -1))])
    text = """function %table_args(i32, i64) -> i64 {
block0(v0: i32, v1: i64):
    v2 = iconst.i64 7
    br_table v0, block3(v2), [block1(v1), block2(v1, v2), block3(v1)]
block1(v3: i64):
    v4 = iadd_imm v3, 1000
    return v4
block2(v5: i64, v6: i64):
    v7 = imul v5, v6
    return v7
block3(v8: i64):
    v9 = ineg v8
    return v9
}"""
    f.func(text, ["; run: %table_args(0, 5) == 1005", "; run: %table_args(1, 5) == 35",
                  "; run: %table_args(2, 5) == -5", "; run: %table_args(3, 5) == -7",
                  "; run: %table_args(-2, 5) == -7"])
    text = """function %table_default_only(i32) -> i32 {
block0(v0: i32):
    br_table v0, block1, []
block1:
    v1 = iconst.i32 42
    return v1
}"""
    f.func(text, ["; run: %table_default_only(0) == 42", "; run: %table_default_only(9) == 42"])
    for op in ("trapz", "trapnz"):
        for cmp in (False, True):
            name = "%s%s" % (op, "_cmp" if cmp else "")
            cond = "    v1 = icmp_imm eq v0, 3\n" if cmp else ""
            text = """function %%%s(i32) -> i32 {
block0(v0: i32):
%s    %s %s, user7
    v2 = iconst.i32 1
    return v2
}""" % (name, cond, op, "v1" if cmp else "v0")
            runs = []
            for a in (0, 3, 5):
                c = (a == 3) if cmp else (a != 0)
                traps = (not c) if op == "trapz" else c
                if traps:
                    runs.append("; cg_test trap: user7")
                runs.append("; run: %%%s(%d) == 1" % (name, a))
            f.func(text, runs)
    text = """function %trap_if_negative(i64) -> i64 {
block0(v0: i64):
    v1 = icmp_imm slt v0, 0
    brif v1, block1, block2
block1:
    trap user3
block2:
    return v0
}"""
    f.func(text, ["; run: %trap_if_negative(5) == 5", "; cg_test trap: user3", "; run: %trap_if_negative(-5) == 0"])
    text = """function %overflow_trap(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = uadd_overflow_trap v0, v1, user1
    return v2
}"""
    f.func(text, ["; run: %overflow_trap(1, 2) == 3", "; run: %overflow_trap(-2, 1) == -1",
                  "; cg_test trap: user1", "; run: %overflow_trap(-1, 1) == 0"])
    f.write()


# ---- calls ------------------------------------------------------------------

def gen_call():
    f = File("call.clif", "direct and indirect calls in one module: arguments in registers and\n"
             "on the stack, several results (the return area), narrow uext/sext\n"
             "arguments, recursion, func_addr, a host function.", header(aarch64=PAC))
    f.clif("sum8")
    f.clif("call_sum8", ["; run: %%call_sum8(%d) == %d" % (a, a + 87654320) for a in (1, 9, -87654320)])
    f.clif("mixed")
    # f64 2.0 and f32 1.0 count as their bits
    f.clif("call_mixed", ["; run: %%call_mixed(%d) == %d" % (a, sx(-1 + 0x4000000000000000 - 2 + 3 + 0x3f800000 - 4 + 5 + 6 + 7 + a * 1000, 64))
       for a in (0, 1, -3)])
    f.clif("three")
    f.clif("call_three", ["; run: %%call_three(%d) == %d" % (a, (a + 1) + sx(a + 2, 32) * 1000 + sx(a + 3, 8) * 1000000)
       for a in (0, 10, 125, -1, 0x7ffffffe)])
    f.clif("five")
    f.clif("call_five", ["; run: %%call_five(%d) == %d" % (a, 2 + 0x123456789 - 5 + (a + 2) * 100) for a in (0, 7, -2)])
    f.clif("narrow_ext")
    f.clif("call_narrow", ["; run: %%call_narrow(%d) == %d" % (a, sx(a, 8) + ux(a, 16)) for a in (0, 1, 0xff, 0x1ff80, -1)])
    f.clif("fact", ["; run: %%fact(%d) == %d" % (k, sx(math.factorial(k), 64)) for k in (0, 1, 5, 20, 25)])
    f.clif("call_indirect_add")
    f.clif("add2")
    f.clif("host_labs")
    f.clif("host_strlen")
    f.write()


# ---- floating point ---------------------------------------------------------

def gen_float():
    f = File("float.clif", "f32/f64: fadd fsub fmul fdiv sqrt fneg fabs fcopysign, constants,\n"
             "fcmp with every condition (NaN included), conversions, bitcast, select.", header())
    vals = [0.0, -0.0, 1.5, -2.25, 1e10, float("inf"), float("-inf"), 3.0]
    ops = {"fadd": lambda a, b: a + b, "fsub": lambda a, b: a - b, "fmul": lambda a, b: a * b}
    for bits, ty in ((32, "f32"), (64, "f64")):
        rnd = f32 if bits == 32 else (lambda x: x)
        for op, fn in ops.items():
            name = "%s_%s" % (op, ty)
            text = """function %%%s(%s, %s) -> %s {
block0(v0: %s, v1: %s):
    v2 = %s v0, v1
    return v2
}""" % (name, ty, ty, ty, ty, ty, op)
            runs = []
            for a in vals:
                for b in vals[:4]:
                    try:
                        r = rnd(fn(a, b))
                    except OverflowError:
                        continue
                    if math.isnan(r):
                        continue
                    runs.append("; run: %%%s(%s, %s) == %s" % (name, fmt(a, bits), fmt(b, bits), fmt(r, bits)))
            f.func(text, runs)
        name = "fdiv_" + ty
        text = """function %%%s(%s, %s) -> %s {
block0(v0: %s, v1: %s):
    v2 = fdiv v0, v1
    return v2
}""" % (name, ty, ty, ty, ty, ty)
        f.func(text, ["; run: %%%s(%s, %s) == %s" % (name, fmt(a, bits), fmt(b, bits), fmt(rnd(a / b), bits))
                      for a, b in ((1.0, 4.0), (-3.0, 2.0), (1e10, 0.5), (7.0, -0.25))] +
               ["; run: %%%s(%s, 0.0) == +Inf" % (name, fmt(1.0, bits)), "; run: %%%s(%s, 0.0) == -Inf" % (name, fmt(-1.0, bits))])
        for op, fn in (("sqrt", math.sqrt), ("fneg", lambda x: -x), ("fabs", abs)):
            name = "%s_%s" % (op, ty)
            text = """function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = %s v0
    return v1
}""" % (name, ty, ty, ty, op)
            xs = [4.0, 2.0, 0.0, -0.0, 1e10, float("inf")] if op == "sqrt" else vals
            f.func(text, ["; run: %%%s(%s) == %s" % (name, fmt(x, bits), fmt(rnd(fn(x)), bits)) for x in xs])
        name = "fcopysign_" + ty
        text = """function %%%s(%s, %s) -> %s {
block0(v0: %s, v1: %s):
    v2 = fcopysign v0, v1
    return v2
}""" % (name, ty, ty, ty, ty, ty)
        f.func(text, ["; run: %%%s(%s, %s) == %s" % (name, fmt(a, bits), fmt(b, bits), fmt(math.copysign(a, b), bits))
                      for a in (1.5, -2.0, 0.0) for b in (3.0, -0.0, float("-inf"))])
        fcc = {"eq": lambda a, b: a == b, "ne": lambda a, b: not a == b, "lt": lambda a, b: a < b,
               "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
               "ord": lambda a, b: not (math.isnan(a) or math.isnan(b)),
               "uno": lambda a, b: math.isnan(a) or math.isnan(b),
               "one": lambda a, b: a < b or a > b,
               "ueq": lambda a, b: a == b or math.isnan(a) or math.isnan(b),
               "ult": lambda a, b: not a >= b, "ule": lambda a, b: not a > b,
               "ugt": lambda a, b: not a <= b, "uge": lambda a, b: not a < b}
        cvals = [(1.0, 2.0), (2.0, 1.0), (1.0, 1.0), (0.0, -0.0), (float("nan"), 1.0), (1.0, float("nan")),
                 (float("-inf"), float("inf"))]
        for cc, fn in fcc.items():
            name = "fcmp_%s_%s" % (cc, ty)
            text = """function %%%s(%s, %s) -> i8 {
block0(v0: %s, v1: %s):
    v2 = fcmp %s v0, v1
    return v2
}""" % (name, ty, ty, ty, ty, cc)
            f.func(text, ["; run: %%%s(%s, %s) == %d" % (name, fmt(a, bits), fmt(b, bits), int(fn(a, b))) for a, b in cvals])
        name = "const_" + ty
        text = """function %%%s() -> %s {
block0:
    v0 = %sconst 0x1.8p1
    v1 = %sconst -0x1.0p-2
    v2 = fadd v0, v1
    return v2
}""" % (name, ty, ty, ty)
        f.func(text, ["; run: %%%s() == %s" % (name, fmt(2.75, bits))])
        for it in (8, 16, 32, 64):
            for s in ("s", "u"):
                if s == "u" and it == 64:
                    continue
                name = "fcvt_from_%sint_i%d_%s" % (s, it, ty)
                text = """function %%%s(i%d) -> %s {
block0(v0: i%d):
    v1 = fcvt_from_%sint.%s v0
    return v1
}""" % (name, it, ty, it, s, ty)
                conv = sx if s == "s" else ux
                f.func(text, ["; run: %%%s(%s) == %s" % (name, lit(v, it), fmt(rnd(float(conv(v, it))), bits))
                              for v in (0, 1, -1, 1 << (it - 1), 100)])
        ity = "i%d" % bits
        name = "bitcast_%s" % ty
        text = """function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = bitcast.%s v0
    v2 = fneg v1
    v3 = bitcast.%s v2
    return v3
}""" % (name, ity, ity, ity, ty, ity)
        f.func(text, ["; run: %%%s(%s) == %s" % (name, lit(v, bits), lit(v ^ (1 << (bits - 1)), bits))
                      for v in (0, 1, -1, 0x3f800000)])
        name = "select_%s" % ty
        text = """function %%%s(i32, %s, %s) -> %s {
block0(v0: i32, v1: %s, v2: %s):
    v3 = icmp_imm sgt v0, 10
    v4 = select v3, v1, v2
    return v4
}""" % (name, ty, ty, ty, ty, ty)
        f.func(text, ["; run: %%%s(11, %s, %s) == %s" % (name, fmt(1.0, bits), fmt(2.0, bits), fmt(1.0, bits)),
                      "; run: %%%s(10, %s, %s) == %s" % (name, fmt(1.0, bits), fmt(2.0, bits), fmt(2.0, bits))])
    text = """function %promote(f32) -> f64 {
block0(v0: f32):
    v1 = fpromote.f64 v0
    return v1
}"""
    f.func(text, ["; run: %%promote(%s) == %s" % (fmt(x, 32), fmt(x, 64)) for x in (1.5, -0.0, float("inf"), 1e-3 and f32(1e-3))])
    text = """function %demote(f64) -> f32 {
block0(v0: f64):
    v1 = fdemote.f32 v0
    return v1
}"""
    f.func(text, ["; run: %%demote(%s) == %s" % (fmt(x, 64), fmt(f32(x), 32)) for x in (1.5, -0.0, 1e100, 0.1)])
    f.write()


# ---- the rest ---------------------------------------------------------------

def gen_misc():
    # get_frame_pointer needs preserve_frame_pointers (Cranelift's verifier)
    f = File("misc.clif", "umulhi smulhi bmask, select_spectre_guard, get_frame_pointer,\n"
             "values live across many instructions.", header(["preserve_frame_pointers=true"]))
    for op in ("umulhi", "smulhi"):
        for n in TYPES:
            name = "%s_i%d" % (op, n)
            conv = ux if op == "umulhi" else sx
            vals = few(n)
            f.func(binfunc(name, op, n), [run(name, [lit(a, n), lit(b, n)], (conv(a, n) * conv(b, n)) >> n, n)
                                          for a in vals for b in vals])
    for a_ in TYPES:
        for b_ in TYPES:
            name = "bmask_i%d_i%d" % (a_, b_)
            text = """function %%%s(i%d) -> i%d {
block0(v0: i%d):
    v1 = bmask.i%d v0
    return v1
}""" % (name, a_, b_, a_, b_)
            f.func(text, [run(name, [lit(v, a_)], -1 if ux(v, a_) else 0, b_) for v in (0, 1, -1, 1 << (a_ - 1))])
    text = """function %spectre(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2 = icmp ult v0, v1
    v3 = iconst.i64 0
    v4 = select_spectre_guard v2, v0, v3
    return v4
}"""
    f.func(text, ["; run: %spectre(3, 10) == 3", "; run: %spectre(10, 3) == 0"])
    text = """function %frame_pointer_aligned() -> i64 {
block0:
    v0 = get_frame_pointer.i64
    v1 = band_imm v0, 15
    return v1
}"""
    f.func(text, ["; run: %frame_pointer_aligned() == 0"])
    # many values live at once: a polynomial with every intermediate kept
    n = 24
    lines = ["function %many_live(i64) -> i64 {", "block0(v0: i64):"]
    for k in range(1, n + 1):
        lines.append("    v%d = imul_imm v0, %d" % (k, k * k + 1))
    acc = 0
    lines.append("    v100 = iconst.i64 0")
    prev = 100
    for k in range(1, n + 1):
        lines.append("    v%d = bxor v%d, v%d" % (100 + k, prev, k))
        prev = 100 + k
    lines.append("    return v%d" % prev)
    lines.append("}")

    def many(x):
        r = 0
        for k in range(1, n + 1):
            r ^= (x * (k * k + 1)) & mask(64)
        return r
    f.func("\n".join(lines), [run("many_live", [str(x)], many(x), 64) for x in (0, 1, 3, -7, 0x123456789)])
    f.write()


# ---- i128 -------------------------------------------------------------------

def gen_i128():
    f = File("i128.clif", "i128 as register pairs: arithmetic with carries, bit operations,\n"
             "shifts and rotates by any amount, comparisons, extensions, pairs in\n"
             "block arguments, calls, memory, counting (fallbacks and BMI).",
             header(["enable_llvm_abi_extensions=true"], x86_64=("", "has_lzcnt has_bmi1 has_popcnt")))
    n = 128
    m = mask(n)
    vals = [sx(v, n) for v in (0, 1, m, 1 << 127, (1 << 127) - 1, 1 << 64, (1 << 64) - 1,
                                0x0123456789abcdef_fedcba9876543210, 0xffffffff_00000000_ffffffff_00000001)]
    small = vals[:7]
    for op, fn in BIN.items():
        name = "%s_i128" % op
        f.func(binfunc(name, op, n), [run(name, [lit(a, n), lit(b, n)], fn(a, b, n), n) for a in vals for b in small])
    for op, fn in (("ineg", lambda a: -a), ("bnot", lambda a: ~a), ("iabs", abs)):
        name = "%s_i128" % op
        f.func(unfunc(name, op, n), [run(name, [lit(a, n)], fn(a), n) for a in vals])
    for op in ("ishl", "ushr", "sshr", "rotl", "rotr"):
        for at in (32, 128):
            name = "%s_i128_by_i%d" % (op, at)
            text = """function %%%s(i128, i%d) -> i128 {
block0(v0: i128, v1: i%d):
    v2 = %s v0, v1
    return v2
}""" % (name, at, at, op)
            amts = [0, 1, 63, 64, 65, 127, 128, 129, 200]
            f.func(text, [run(name, [lit(a, n), lit(k, at)], shift(op, a, k, n), n)
                          for a in (vals[7], vals[3], -1, 1) for k in amts])
        # an i128 amount on a narrow value
        name = "%s_i32_by_i128" % op
        text = """function %%%s(i32, i128) -> i32 {
block0(v0: i32, v1: i128):
    v2 = %s v0, v1
    return v2
}""" % (name, op)
        f.func(text, [run(name, [lit(0x80000001, 32), lit(k, 128)], shift(op, 0x80000001, k, 32), 32)
                      for k in (0, 1, 31, 32, 33, (1 << 64) + 1)])
    for cc, fn in CC.items():
        name = "icmp_%s_i128" % cc
        text = """function %%%s(i128, i128) -> i8 {
block0(v0: i128, v1: i128):
    v2 = icmp %s v0, v1
    return v2
}""" % (name, cc)
        cv = [sx(v, n) for v in (0, 1, m, 1 << 127, 1 << 64, (1 << 64) - 1)]
        f.func(text, [run(name, [lit(a, n), lit(b, n)], int(fn(a, b, n)), 8) for a in cv for b in cv])
        name = "brif_%s_i128" % cc
        text = """function %%%s(i128, i128) -> i32 {
block0(v0: i128, v1: i128):
    v2 = icmp %s v0, v1
    brif v2, block1, block2
block1:
    v3 = iconst.i32 1
    return v3
block2:
    v4 = iconst.i32 2
    return v4
}""" % (name, cc)
        f.func(text, [run(name, [lit(a, n), lit(b, n)], 1 if fn(a, b, n) else 2, 32) for a in cv for b in cv])
    for op in ("smin", "smax", "umin", "umax"):
        fn = {"smin": lambda a, b: min(sx(a, n), sx(b, n)), "smax": lambda a, b: max(sx(a, n), sx(b, n)),
              "umin": lambda a, b: min(ux(a, n), ux(b, n)), "umax": lambda a, b: max(ux(a, n), ux(b, n))}[op]
        name = "%s_i128" % op
        f.func(binfunc(name, op, n), [run(name, [lit(a, n), lit(b, n)], fn(a, b), n) for a in small for b in small])
    for w in TYPES:
        for op, conv in (("uextend", ux), ("sextend", sx)):
            name = "%s_i%d_i128" % (op, w)
            text = """function %%%s(i%d) -> i128 {
block0(v0: i%d):
    v1 = %s.i128 v0
    return v1
}""" % (name, w, w, op)
            f.func(text, [run(name, [lit(v, w)], conv(v, w), n) for v in edges(w)])
        name = "ireduce_i128_i%d" % w
        text = """function %%%s(i128) -> i%d {
block0(v0: i128):
    v1 = ireduce.i%d v0
    return v1
}""" % (name, w, w)
        f.func(text, [run(name, [lit(v, n)], v, w) for v in vals])
    text = """function %concat_split(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2 = iconcat v0, v1
    v3 = iadd_imm v2, 1
    v4, v5 = isplit v3
    v6 = bxor v4, v5
    return v6
}"""
    f.func(text, [run("concat_split", [lit(a, 64), lit(b, 64)],
                      ((((ux(b, 64) << 64) | ux(a, 64)) + 1) & m) & mask(64) ^ ((((ux(b, 64) << 64) | ux(a, 64)) + 1) & m) >> 64, 64)
                  for a, b in ((0, 0), (-1, 0), (-1, -1), (5, 7))])
    for op in ("clz", "ctz", "popcnt"):
        name = "%s_i128" % op
        fn = {"clz": clz, "ctz": ctz, "popcnt": lambda a, k: bin(ux(a, k)).count("1")}[op]
        f.func(unfunc(name, op, n), [run(name, [lit(a, n)], fn(a, n), n) for a in vals + [1 << 100, 1 << 63]])
    name = "bmask_i128"
    f.func(unfunc(name, "bmask.i128", n), [run(name, [lit(a, n)], -1 if ux(a, n) else 0, n) for a in (0, 1, 1 << 64, -1)])
    text = """function %select_i128(i8, i128, i128) -> i128 {
block0(v0: i8, v1: i128, v2: i128):
    v3 = select v0, v1, v2
    return v3
}"""
    f.func(text, [run("select_i128", [str(c_), lit(vals[7], n), lit(vals[8], n)], vals[7] if c_ else vals[8], n)
                  for c_ in (0, 1, -1)])
    text = """function %brif_i128(i128) -> i8 {
block0(v0: i128):
    brif v0, block1, block2
block1:
    v1 = iconst.i8 1
    return v1
block2:
    v2 = iconst.i8 0
    return v2
}"""
    f.func(text, [run("brif_i128", [lit(a, n)], int(ux(a, n) != 0), 8) for a in (0, 1, 1 << 64, 1 << 127)])
    text = """function %loop_i128(i128, i32) -> i128 {
block0(v0: i128, v1: i32):
    v2 = iconst.i64 0
    v3 = uextend.i128 v2
    jump block1(v0, v3, v1)
block1(v4: i128, v5: i128, v6: i32):
    brif v6, block2, block3
block2:
    v7 = iadd v5, v4
    v8 = iadd_imm v6, -1
    jump block1(v5, v7, v8)
block3:
    return v5
}"""
    def loop(a, k):
        x, y = a, 0
        for _ in range(k):
            x, y = y, (y + x) & m
        return y
    f.func(text, [run("loop_i128", [lit(a, n), str(k)], loop(ux(a, n), k), n)
                  for a in (1, 1 << 64, -1) for k in (0, 1, 5, 30)])
    text = """function %mem_i128(i128) -> i128 {
    ss0 = explicit_slot 32
block0(v0: i128):
    v1 = stack_addr.i64 ss0
    store v0, v1+8
    v2 = load.i128 v1+8
    v3 = load.i64 v1+16
    v4 = uextend.i128 v3
    v5 = iadd v2, v4
    return v5
}"""
    f.func(text, [run("mem_i128", [lit(a, n)], ux(a, n) + (ux(a, n) >> 64), n) for a in vals])
    f.clif("take_i128s")
    text = """function %call_i128s(i128) -> i128 {
    fn0 = %take_i128s(i64, i128, i64, i128, i128, i64) -> i128, i128
block0(v0: i128):
    v1 = iconst.i64 3
    v2 = iconst.i64 5
    v3 = iconst.i64 7
    v4 = iconcat v1, v2
    v5, v6 = call fn0(v1, v0, v2, v4, v0, v3)
    v7 = bxor v5, v6
    return v7
}"""
    def ci(a):
        a = ux(a, n)
        r1 = (a + ((5 << 64) | 3) + a) & m
        r2 = 3 * 5 + 7
        return r1 ^ r2
    f.func(text, [run("call_i128s", [lit(a, n)], ci(a), n) for a in vals])
    for op in ("udiv", "sdiv", "urem", "srem"):
        name = "%s_i128" % op
        runs = []
        for a in vals:
            for b in [v for v in vals if v != 0] + [-7, 3]:
                if op in ("udiv", "urem"):
                    r = ux(a, n) // ux(b, n) if op == "udiv" else ux(a, n) % ux(b, n)
                else:
                    if op == "sdiv" and a == -(1 << 127) and b == -1:
                        continue
                    q = tdiv(a, b)
                    r = q if op == "sdiv" else a - q * b
                runs.append(run(name, [lit(a, n), lit(b, n)], r, n))
        runs += ["; cg_test trap: int_divz", run(name, ["1", "0"], 0, n)]
        if op == "sdiv":
            runs += ["; cg_test trap: int_ovf", run(name, [lit(1 << 127, n), "-1"], 0, n)]
        if op == "srem":
            runs.append(run(name, [lit(1 << 127, n), "-1"], 0, n))
        f.func(binfunc(name, op, n), runs)
    for bits, ty in ((32, "f32"), (64, "f64")):
        rnd = f32 if bits == 32 else (lambda x: x)
        for s_ in ("s", "u"):
            name = "fcvt_from_%sint_i128_%s" % (s_, ty)
            text = """function %%%s(i128) -> %s {
block0(v0: i128):
    v1 = fcvt_from_%sint.%s v0
    return v1
}""" % (name, ty, s_, ty)
            conv = sx if s_ == "s" else ux
            tof = int_to_f32 if bits == 32 else (lambda v: float(v))
            f.func(text, ["; run: %%%s(%s) == %s" % (name, lit(v, n), fmt(tof(conv(v, n)), bits))
                          for v in (0, 1, -1, 1 << 127, (1 << 64) + 1, (1 << 100) + (1 << 40) + 1)])
            for sat in (False, True):
                op = "fcvt_to_%sint%s" % (s_, "_sat" if sat else "")
                name = "%s_%s_i128" % (op, ty)
                text = """function %%%s(%s) -> i128 {
block0(v0: %s):
    v1 = %s.i128 v0
    return v1
}""" % (name, ty, ty, op)
                lo, hi = (-(1 << 127), (1 << 127) - 1) if s_ == "s" else (0, (1 << 128) - 1)
                runs = []
                for x in (0.0, -0.5, 1.5, -1.5, 2.0 ** 100, -2.0 ** 100, 2.0 ** 127, -2.0 ** 127,
                          2.0 ** 126 * 1.5, 1e38 * 3, float("inf"), float("-inf"), float("nan")):
                    x = rnd(x)
                    if math.isnan(x):
                        if not sat:
                            runs.append("; cg_test trap: bad_toint")
                        r = 0
                    else:
                        t_ = math.trunc(x) if not math.isinf(x) else (1 << 300) * (1 if x > 0 else -1)
                        if lo <= t_ <= hi:
                            r = t_
                        elif sat:
                            r = lo if t_ < lo else hi
                        else:
                            runs.append("; cg_test trap: int_ovf")
                            r = 0
                    runs.append("; run: %%%s(%s) == %s" % (name, fmt(x, bits), lit(r, n)))
                f.func(text, runs)
    f.write()


# ---- overflow-reporting arithmetic --------------------------------------------

def gen_overflow():
    f = File("overflow.clif", "uadd/sadd/usub/ssub_overflow, the carry-in/borrow-in forms, umul/smul_overflow,\n"
             "on i8..i64 and i128: the wrapped result and the overflow flag.",
             header(["enable_llvm_abi_extensions=true"]))

    def flag(op, a, b, cin, n):
        ua, ub, sa, sb = ux(a, n), ux(b, n), sx(a, n), sx(b, n)
        if op.startswith("uadd"):
            r = ua + ub + cin
            return r, r >> n != 0
        if op.startswith("sadd"):
            r = sa + sb + cin
            return r, not (-(1 << (n - 1)) <= r < (1 << (n - 1)))
        if op.startswith("usub"):
            r = ua - ub - cin
            return r, r < 0
        if op.startswith("ssub"):
            r = sa - sb - cin
            return r, not (-(1 << (n - 1)) <= r < (1 << (n - 1)))
        if op == "umul_overflow":
            r = ua * ub
            return r, r >> n != 0
        r = sa * sb
        return r, not (-(1 << (n - 1)) <= r < (1 << (n - 1)))
    for op in ("uadd_overflow", "sadd_overflow", "usub_overflow", "ssub_overflow",
               "uadd_overflow_cin", "sadd_overflow_cin", "usub_overflow_bin", "ssub_overflow_bin",
               "umul_overflow", "smul_overflow"):
        for n in TYPES + [128]:
            if "mul" in op and n == 128:
                continue
            t = "i%d" % n
            name = "%s_i%d" % (op, n)
            three = op.endswith("_cin") or op.endswith("_bin")
            text = """function %%%s(%s, %s%s) -> %s, i8 {
block0(v0: %s, v1: %s%s):
    v3, v4 = %s v0, v1%s
    return v3, v4
}""" % (name, t, t, ", i8" if three else "", t, t, t, ", v2: i8" if three else "", op, ", v2" if three else "")
            vals = [sx(v, n) for v in (0, 1, mask(n), 1 << (n - 1), (1 << (n - 1)) - 1, 3)]
            runs = []
            for a in vals:
                for b in vals:
                    for cin in ((0, 1) if three else (0,)):
                        r, o = flag(op, a, b, cin, n)
                        args = [lit(a, n), lit(b, n)] + ([str(cin)] if three else [])
                        runs.append("; run: %%%s(%s) == [%s, %d]" % (name, ", ".join(args), lit(r, n), int(o)))
            f.func(text, runs)
    f.write()


# ---- rounding, min/max, conversions to integers ----------------------------------

def int_to_f32(v):
    """v rounded to single precision, ties to even, without double rounding."""
    neg = v < 0
    v = abs(v)
    if v.bit_length() > 24:
        shift = v.bit_length() - 24
        q, r = divmod(v, 1 << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
        v = q << shift
    if v >= 1 << 128:
        return -float("inf") if neg else float("inf")
    return -float(v) if neg else float(v)


def gen_float2():
    f = File("float2.clif", "fmin fmax (NaN and signed zeros), floor ceil trunc nearest (x86-64: roundss\n"
             "with SSE4.1, libm without), fma, bnot, fcvt_to_{s,u}int{,_sat} on i8..i64 with their\n"
             "traps, fcvt_from_uint from i64.",
             header(x86_64=("", "sse41")))
    nan = float("nan")
    inf = float("inf")
    for bits, ty in ((32, "f32"), (64, "f64")):
        rnd = f32 if bits == 32 else (lambda x: x)
        for op in ("fmin", "fmax"):
            name = "%s_%s" % (op, ty)
            text = """function %%%s(%s, %s) -> %s {
block0(v0: %s, v1: %s):
    v2 = %s v0, v1
    return v2
}""" % (name, ty, ty, ty, ty, ty, op)
            runs = []
            for a, b in ((1.0, 2.0), (2.0, 1.0), (-0.0, 0.0), (0.0, -0.0), (-inf, 3.0), (inf, -1.5),
                         (nan, 1.0), (1.0, nan), (-2.5, -2.5)):
                if math.isnan(a) or math.isnan(b):
                    r = nan
                elif a == b == 0:
                    neg = math.copysign(1, a) < 0 or math.copysign(1, b) < 0 if op == "fmin" else \
                        math.copysign(1, a) < 0 and math.copysign(1, b) < 0
                    r = -0.0 if neg else 0.0
                else:
                    r = min(a, b) if op == "fmin" else max(a, b)
                runs.append("; run: %%%s(%s, %s) == %s" % (name, fmt(a, bits), fmt(b, bits), fmt(r, bits)))
            f.func(text, runs)
        ops = {"floor": math.floor, "ceil": math.ceil, "trunc": math.trunc, "nearest": lambda x: round(x)}
        for op, fn in ops.items():
            name = "%s_%s" % (op, ty)
            text = """function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = %s v0
    return v1
}""" % (name, ty, ty, ty, op)
            runs = []
            for x in (1.5, 2.5, -1.5, -0.5, 0.5, 3.7, -3.7, 1e10 + 0.5, 0.0, -0.0, inf, -inf):
                x = rnd(x)
                if math.isinf(x) or x == 0:
                    r = x
                else:
                    r = float(fn(x))
                    if r == 0:
                        r = math.copysign(0.0, x)
                runs.append("; run: %%%s(%s) == %s" % (name, fmt(x, bits), fmt(r, bits)))
            f.func(text, runs)
        name = "fma_" + ty
        text = """function %%%s(%s, %s, %s) -> %s {
block0(v0: %s, v1: %s, v2: %s):
    v3 = fma v0, v1, v2
    return v3
}""" % (name, ty, ty, ty, ty, ty, ty, ty)
        f.func(text, ["; run: %%%s(%s, %s, %s) == %s" % (name, fmt(a, bits), fmt(b, bits), fmt(c_, bits), fmt(r, bits))
                      for a, b, c_, r in ((2.0, 3.0, 1.0, 7.0), (-1.5, 2.0, 0.25, -2.75), (0.5, 0.5, -0.25, 0.0))])
        name = "bnot_" + ty
        ity = "i%d" % bits
        text = """function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = bitcast.%s v0
    v2 = bnot v1
    v3 = bitcast.%s v2
    return v3
}""" % (name, ity, ity, ity, ty, ity)
        f.func(text, [run(name, [lit(v, bits)], ~v, bits) for v in (0, 1, -1, 0x3f800000)])
        for n in TYPES:
            for sign in (True, False):
                for sat in (False, True):
                    op = "fcvt_to_%sint%s" % ("s" if sign else "u", "_sat" if sat else "")
                    name = "%s_%s_i%d" % (op, ty, n)
                    text = """function %%%s(%s) -> i%d {
block0(v0: %s):
    v1 = %s.i%d v0
    return v1
}""" % (name, ty, n, ty, op, n)
                    lo, hi = (-(1 << (n - 1)), (1 << (n - 1)) - 1) if sign else (0, (1 << n) - 1)
                    xs = [0.0, -0.0, 1.9, -1.9, -0.5, 0.99, 100.5, float(hi), float(hi) + 1, float(lo),
                          float(lo) - 1, 2.0 ** 31, -2.0 ** 31, 2.0 ** 32, 2.0 ** 63, -2.0 ** 63, 2.0 ** 64,
                          1e30, -1e30, inf, -inf, nan]
                    runs = []
                    seen = set()
                    for x in xs:
                        x = rnd(x)
                        key = (x, math.copysign(1, x)) if not math.isnan(x) else "nan"
                        if key in seen:
                            continue
                        seen.add(key)
                        if math.isnan(x):
                            if sat:
                                r = 0
                            else:
                                runs.append("; cg_test trap: bad_toint")
                                r = 0
                        else:
                            t = math.trunc(x) if not math.isinf(x) else (1 << 200) * (1 if x > 0 else -1)
                            if lo <= t <= hi:
                                r = t
                            elif sat:
                                r = lo if t < lo else hi
                            else:
                                runs.append("; cg_test trap: int_ovf")
                                r = 0
                        runs.append("; run: %%%s(%s) == %s" % (name, fmt(x, bits), lit(r, n)))
                    f.func(text, runs)
        name = "fcvt_from_uint_i64_" + ty
        text = """function %%%s(i64) -> %s {
block0(v0: i64):
    v1 = fcvt_from_uint.%s v0
    return v1
}""" % (name, ty, ty)
        conv = int_to_f32 if bits == 32 else float
        f.func(text, ["; run: %%%s(%s) == %s" % (name, lit(v, 64), fmt(conv(v), bits))
                      for v in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, (1 << 63) + (1 << 39) + 1,
                                (1 << 63) + 1025, 0xfedcba9876543210, (1 << 53) + 1)])
    f.write()


# ---- byte and bit order, sign bits, bit selection ------------------------------------

def gen_bits():
    f = File("bits.clif", "bswap bitrev cls bitselect on i8..i128.",
             header(["enable_llvm_abi_extensions=true"], x86_64=("", "has_lzcnt")))

    def bswap(a, n):
        return int.from_bytes(ux(a, n).to_bytes(n // 8, "little"), "big")

    def bitrev(a, n):
        return int(format(ux(a, n), "0%db" % n)[::-1], 2)

    def cls(a, n):
        a = sx(a, n)
        z = a ^ (a >> (n - 1))
        return n - ux(z, n).bit_length() - 1
    for n in TYPES + [128]:
        vals = [sx(v, n) for v in (0, 1, mask(n), 1 << (n - 1), (1 << (n - 1)) - 1,
                                   0x0123456789abcdef_fedcba9876543210 & mask(n), 0x40 & mask(n), 3)]
        for op, fn in (("bswap", bswap), ("bitrev", bitrev), ("cls", cls)):
            if op == "bswap" and n == 8:
                continue
            name = "%s_i%d" % (op, n)
            f.func(unfunc(name, op, n), [run(name, [lit(a, n)], fn(a, n), n) for a in vals])
        t = "i%d" % n
        name = "bitselect_i%d" % n
        text = """function %%%s(%s, %s, %s) -> %s {
block0(v0: %s, v1: %s, v2: %s):
    v3 = bitselect v0, v1, v2
    return v3
}""" % (name, t, t, t, t, t, t, t)
        f.func(text, [run(name, [lit(m_, n), lit(x, n), lit(y, n)], (x & m_) | (y & ~m_), n)
                      for m_ in vals[:4] for x, y in ((vals[5], vals[2]), (vals[3], vals[7]))])
    f.write()


# ---- atomics -----------------------------------------------------------------------

def gen_atomic():
    f = File("atomic.clif", "atomic_load/store, atomic_rmw with every operation, atomic_cas and fence on\n"
             "i8..i64, through a stack slot: each returns the old and the new memory value.",
             header(aarch64=LSE))
    rmw = {"add": lambda a, b, n: a + b, "sub": lambda a, b, n: a - b, "and": lambda a, b, n: a & b,
           "nand": lambda a, b, n: ~(a & b), "or": lambda a, b, n: a | b, "xor": lambda a, b, n: a ^ b,
           "xchg": lambda a, b, n: b, "umin": lambda a, b, n: min(ux(a, n), ux(b, n)),
           "umax": lambda a, b, n: max(ux(a, n), ux(b, n)), "smin": lambda a, b, n: min(sx(a, n), sx(b, n)),
           "smax": lambda a, b, n: max(sx(a, n), sx(b, n))}
    for n in TYPES:
        t = "i%d" % n
        vals = [sx(v, n) for v in (0, 1, mask(n), 1 << (n - 1), 0x5a5a5a5a5a5a5a5a & mask(n))]
        for op, fn in rmw.items():
            name = "rmw_%s_i%d" % (op, n)
            text = """function %%%s(%s, %s) -> %s, %s {
    ss0 = explicit_slot 8
block0(v0: %s, v1: %s):
    v2 = stack_addr.i64 ss0
    atomic_store v0, v2
    v3 = atomic_rmw.%s %s v2, v1
    v4 = atomic_load.%s v2
    return v3, v4
}""" % (name, t, t, t, t, t, t, t, op, t)
            f.func(text, ["; run: %%%s(%s, %s) == [%s, %s]" % (name, lit(a, n), lit(b, n), lit(a, n), lit(fn(a, b, n), n))
                          for a in vals for b in vals[1:4]])
        name = "cas_i%d" % n
        text = """function %%%s(%s, %s, %s) -> %s, %s {
    ss0 = explicit_slot 8
block0(v0: %s, v1: %s, v2: %s):
    v3 = stack_addr.i64 ss0
    store v0, v3
    fence
    v4 = atomic_cas v3, v1, v2
    v5 = load.%s v3
    return v4, v5
}""" % (name, t, t, t, t, t, t, t, t, t)
        f.func(text, ["; run: %%%s(%s, %s, %s) == [%s, %s]" % (name, lit(a, n), lit(e, n), lit(b, n), lit(a, n),
                                                            lit(b if ux(a, n) == ux(e, n) else a, n))
                      for a in vals[:3] for e in vals[:3] for b in (vals[3],)])
    f.write()
    # i128 through cmpxchg16b
    f = File("atomic128.clif", "i128 atomics (x86-64: lock cmpxchg16b; AArch64: ldaxp/stlxp, or casp with LSE):\n"
             "load, store, every rmw operation, cas.",
             header(["enable_llvm_abi_extensions=true"], x86_64=("has_cmpxchg16b",), aarch64=LSE))
    n = 128
    vals = [sx(v, n) for v in (0, 1, mask(n), 1 << 127, (1 << 64) - 1, 1 << 64, 0x0123456789abcdef_fedcba9876543210)]
    for op, fn in rmw.items():
        name = "rmw_%s_i128" % op
        text = """function %%%s(i128, i128) -> i128, i128 {
    ss0 = explicit_slot 16
block0(v0: i128, v1: i128):
    v2 = stack_addr.i64 ss0
    atomic_store v0, v2
    v3 = atomic_rmw.i128 %s v2, v1
    v4 = atomic_load.i128 v2
    return v3, v4
}""" % (name, op)
        f.func(text, ["; run: %%%s(%s, %s) == [%s, %s]" % (name, lit(a, n), lit(b, n), lit(a, n), lit(fn(a, b, n), n))
                      for a in vals for b in vals[1:6]])
    text = """function %cas_i128(i128, i128, i128) -> i128, i128 {
    ss0 = explicit_slot 16
block0(v0: i128, v1: i128, v2: i128):
    v3 = stack_addr.i64 ss0
    store v0, v3
    v4 = atomic_cas v3, v1, v2
    v5 = load.i128 v3
    return v4, v5
}"""
    f.func(text, ["; run: %%cas_i128(%s, %s, %s) == [%s, %s]" % (lit(a, n), lit(e, n), lit(vals[6], n), lit(a, n),
                                                               lit(vals[6] if ux(a, n) == ux(e, n) else a, n))
                  for a in vals[:4] for e in vals[:4]])
    f.write()


# ---- tail calls ------------------------------------------------------------------------

def gen_tail():
    f = File("tail.clif", "the tail calling convention: return_call and return_call_indirect with\n"
             "and without stack arguments, growing the argument area, deep loops\n"
             "through return_call (the stack must not grow), several results.", header(aarch64=PAC))
    ps = lambda k: ", ".join(["i64"] * k)
    vs = lambda k, o=0: ", ".join("v%d" % (i + o) for i in range(k))
    # sum of i * (i + 1) over the arguments identifies each one's place
    def weighted(k):
        lines = ["    v100 = iconst.i64 0"]
        prev = 100
        for i in range(k):
            lines.append("    v%d = imul_imm v%d, %d" % (200 + i, i, i + 1))
            lines.append("    v%d = iadd v%d, v%d" % (101 + i, prev, 200 + i))
            prev = 101 + i
        return "\n".join(lines), prev
    for k in (2, 9, 14):
        body, r = weighted(k)
        f.func("""function %%sum%d(%s) -> i64 tail {
block0(%s):
%s
    return v%d
}""" % (k, ps(k), ", ".join("v%d: i64" % i for i in range(k)), body, r), [])
    # callers with fewer, equal and more stack arguments than their callee
    for own, callee in ((0, 9), (9, 2), (9, 14), (14, 9), (2, 2)):
        name = "tail_%d_to_%d" % (own, callee)
        args = ", ".join("v%d: i64" % i for i in range(max(own, 1)))
        lines = ["function %%%s(%s) -> i64 tail {" % (name, ps(max(own, 1))),
                 "    fn0 = %%sum%d(%s) -> i64 tail" % (callee, ps(callee)),
                 "block0(%s):" % args]
        for i in range(callee):
            lines.append("    v%d = iadd_imm v0, %d" % (50 + i, i * 3))
        lines.append("    return_call fn0(%s)" % vs(callee, 50))
        lines.append("}")
        def expect(x):
            return sx(sum((x + i * 3) * (i + 1) for i in range(callee)), 64)
        if own <= 6:
            runs = ["; run: %%%s(%s) == %d" % (name, ", ".join([str(x)] + ["0"] * (max(own, 1) - 1)), expect(x))
                    for x in (0, 1, -5)]
        else:
            runs = []
        f.func("\n".join(lines), runs)
        if own > 6:     # called through a plain caller, so its stack arguments are real
            wrap = "call_%s" % name
            lines = ["function %%%s(i64) -> i64 {" % wrap,
                     "    fn0 = %%%s(%s) -> i64 tail" % (name, ps(own)),
                     "block0(v0: i64):"]
            for i in range(1, own):
                lines.append("    v%d = iconst.i64 %d" % (i, 1000 + i))
            lines.append("    v99 = call fn0(%s)" % vs(own))
            lines.append("    return v99")
            lines.append("}")
            f.func("\n".join(lines), ["; run: %%%s(%d) == %d" % (wrap, x, expect(x)) for x in (0, 1, -5)])
    f.clif("count_down", ["; run: %%count_down(%d, 0) == %d" % (k, k * (k + 1) // 2) for k in (0, 1, 10, 1000000)])
    f.clif("ping")
    f.clif("pong")
    f.clif("start_ping", ["; run: %%start_ping(%d) == %d" % (k, k + k * (k + 1) // 2) for k in (0, 1, 5, 300000)])
    f.clif("indirect_tail", ["; run: %%indirect_tail(%d) == %d" % (x, x + 14) for x in (0, 5)])
    f.clif("many_rets")
    f.clif("call_many_rets", ["; run: %%call_many_rets(%d) == %d" % (x, 3 * x + 6 + sx(x, 32) + sx(x, 8)) for x in (0, 100, 200)])
    f.write()


# ---- exceptions ---------------------------------------------------------------


GENERATORS = (gen_arith, gen_shift, gen_icmp, gen_div, gen_minmax_ext, gen_bitcount, gen_mem, gen_control,
              gen_call, gen_float, gen_misc, gen_i128, gen_overflow, gen_float2, gen_bits, gen_atomic, gen_tail)
