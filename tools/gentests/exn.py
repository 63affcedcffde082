"""Exceptions on both targets: try_call and try_call_indirect, unwinding
through __cranelift_throw."""
from .common import *


def gen_exn():
    f = File("exn.clif", "Exceptions: try_call and try_call_indirect with tagged and default handlers,\n"
             "__cranelift_throw (the host function of Cranelift's throw tests) walking the\n"
             "frame-pointer chain through frames that keep values in callee-saved registers\n"
             "(on AArch64 with and without signed return addresses); payloads\n"
             "in the handlers' block parameters; values (integer and float) live across the\n"
             "try_call; the catcher's caller's callee-saved registers; callees that pop stack\n"
             "arguments; results on the stack and in pairs; nested catchers; a table of\n"
             "eleven handlers (the long jump over it); a try_call in a loop.",
             header(["preserve_frame_pointers=true"], aarch64=PAC))
    f.clif("thrower")
    f.clif("thrower_direct")
    # maybe(e, tag, x): 5 if x == 0, else throws tag with (x + 1, 2x)
    f.clif("maybe")

    def maybe(tag, x):
        return ("ret", 5) if x == 0 else ("exn", tag, w64(x + 1), w64(2 * x))
    live = "\n".join("    v%d = imul_imm v2, %d" % (10 + k, 3 + k) for k in range(12))
    uses = "\n".join("    v%d = iadd v%d, v%d" % (30 + k, 29 + k if k else 9, 10 + k) for k in range(12))
    f.func("""function %%middle(i64, i32, i64) -> i64 tail {
    fn0 = %%maybe(i64, i32, i64) -> i64 tail
block0(v0: i64, v1: i32, v2: i64):
%s
    v9 = call fn0(v0, v1, v2)
%s
    return v41
}""" % (live, uses), [])

    def middle(tag, x):
        m = maybe(tag, x)
        return ("ret", w64(m[1] + sum(x * (3 + k) for k in range(12)))) if m[0] == "ret" else m

    def catcher(tag, x):
        m = middle(tag, x)
        if m[0] == "ret":
            return w64(m[1] + 3 * x + 2 * x)
        _, t, a, b = m
        if t == 1:
            return w64(a - b + 3000 * x + x)
        if t == 2:
            return w64(7 * a + x // 2)
        return w64(b + 1)
    for ind in (False, True):
        name = "catcher" + ("_ind" if ind else "")
        call = ("v3 = func_addr.i64 fn0\n    try_call_indirect v3(v0, v1, v2), sig0" if ind
                else "try_call fn0(v0, v1, v2), sig0")
        f.func("""function %%%s(i64, i32, i64) -> i64 tail {
    sig0 = (i64, i32, i64) -> i64 tail
    fn0 = %%middle(i64, i32, i64) -> i64 tail
block0(v0: i64, v1: i32, v2: i64):
    v4 = imul_imm v2, 3
    v20 = fcvt_from_sint.f64 v2
    v21 = f64const 0x1.0p-1
    v22 = fmul v20, v21
    %s, block1(ret0), [ tag1: block2(exn0, exn1), tag2: block3(exn0), default: block4(exn1) ]
block1(v5: i64):
    v6 = iadd v5, v4
    v23 = f64const 0x1.0p2
    v24 = fmul v22, v23
    v25 = fcvt_to_sint.i64 v24
    v26 = iadd v6, v25
    return v26
block2(v7: i64, v8: i64):
    v9 = isub v7, v8
    v10 = imul_imm v4, 1000
    v11 = iadd v9, v10
    v27 = f64const 0x1.0p1
    v28 = fmul v22, v27
    v29 = fcvt_to_sint.i64 v28
    v30 = iadd v11, v29
    return v30
block3(v12: i64):
    v13 = imul_imm v12, 7
    v31 = fcvt_to_sint.i64 v22
    v32 = iadd v13, v31
    return v32
block4(v14: i64):
    v15 = iadd_imm v14, 1
    return v15
}""" % (name, call), [])
        entry = "entry" + ("_ind" if ind else "")
        runs = []
        for tag in (1, 2, 3):
            for x in (0, 4, 100, -6):
                kept = sum(x + k for k in range(6))
                runs.append("; run: %%%s(%d, %d) == %d" % (entry, tag, x, w64(catcher(tag, x) + kept)))
        body = "\n".join("    v%d = iadd_imm v1, %d" % (10 + k, k) for k in range(6))
        f.func("""function %%%s(i32, i64) -> i64 {
    fn0 = %%%s(i64, i32, i64) -> i64 tail
block0(v0: i32, v1: i64):
    v2 = imul_imm v1, 11
%s
    v3 = get_frame_pointer.i64
    v4 = call fn0(v3, v0, v1)
    v20 = iadd v10, v4
    v21 = iadd v20, v11
    v22 = iadd v21, v12
    v23 = iadd v22, v13
    v24 = iadd v23, v14
    v25 = iadd v24, v15
    v26 = imul_imm v2, 6
    v27 = iadd v25, v26
    v28 = imul_imm v1, 66
    v29 = isub v27, v28
    return v29
}""" % (entry, name, body), runs)

    # a callee with stack arguments (it pops them): the frame after a throw
    # and after a normal return, each followed by another such call
    ps = ", ".join(["i64"] * 8)
    f.func("""function %%thrower9(i64, i32, %s) -> i64 tail {
    fn0 = %%thrower(i64, i32, i64, i64) tail
block0(v0: i64, v1: i32, %s):
%s
    brif v1, block2, block1
block1:
    return v39
block2:
    call fn0(v0, v1, v39, v9)
    v40 = iconst.i64 -1
    return v40
}""" % (ps, ", ".join("v%d: i64" % (2 + k) for k in range(8)),
        "\n".join(["    v20 = iconst.i64 0"] +
                  ["    v%d = imul_imm v%d, %d\n    v%d = iadd v%d, v%d" % (21 + 2 * k, 2 + k, k + 1, 22 + 2 * k,
                                                                       20 + 2 * k, 21 + 2 * k) for k in range(8)])
        .replace("v36 = iadd", "v39 = iadd")), [])

    def s9(a):
        return w64(sum((k + 1) * a[k] for k in range(8)))
    runs = []
    for tag in (0, 3):
        for x in (0, 10, -1000):
            if tag == 0:
                r = s9([x + k for k in range(8)])
                res = s9([r] + list(range(1, 8)))
            else:
                res = w64(s9([x + k for k in range(8)]) + 2 * (x + 7) + 1)
            runs.append("; run: %%catch9(%d, %d) == %d" % (tag, x, res))
    f.func("""function %%catch9(i32, i64) -> i64 {
    sig0 = (i64, i32, %s) -> i64 tail
    fn0 = %%thrower9(i64, i32, %s) -> i64 tail
block0(v0: i32, v1: i64):
    v2 = get_frame_pointer.i64
%s
    try_call fn0(v2, v0, v1, %s), sig0, block1(ret0), [ default: block2(exn0, exn1) ]
block1(v20: i64):
    v21 = iconst.i32 0
%s
    v22 = call fn0(v2, v21, v20, %s)
    return v22
block2(v30: i64, v31: i64):
    v32 = iconst.i32 0
    v33 = iconst.i64 0
    v34 = call fn0(v2, v32, v30, v31, v33, v33, v33, v33, v33, v33)
    v35 = iadd_imm v34, 1
    return v35
}""" % (ps, ps, "\n".join("    v%d = iadd_imm v1, %d" % (10 + k, k + 1) for k in range(7)),
        ", ".join("v%d" % (10 + k) for k in range(7)),
        "\n".join("    v%d = iconst.i64 %d" % (40 + k, k + 1) for k in range(7)),
        ", ".join("v%d" % (40 + k) for k in range(7))), runs)

    # nested: the inner try_call catches tag 1 only, the outer the rest
    f.clif("inner")

    def outer(tag, x):
        m = maybe(tag, x)
        if m[0] == "ret":
            return w64(m[1] * 10 + 1000)
        _, t, a, b = m
        if t == 1:
            return w64(a * 2 + 1000)
        if t == 2:
            return w64(a * b)
        return w64(b + 5)
    f.clif("outer", ["; run: %%outer(%d, %d) == %d" % (t, x, outer(t, x)) for t in (1, 2, 3) for x in (0, 6, 1 << 40)])

    # results of the try_call: an i128 pair, a second result and a value argument
    f.clif("pair")
    f.clif("catch_pair", ["; run: %%catch_pair(%d) == %d" % (x, w64(x + 3 * (x + 1) + 15 * x + 7 * (x + 7)))
       for x in (0, 1, -1, 1 << 62)])

    # results on the stack (a tail callee with ten)
    f.func("""function %%many10(i64) -> %s tail {
block0(v0: i64):
%s
    return %s
}""" % (", ".join(["i64"] * 10), "\n".join("    v%d = iadd_imm v0, %d" % (1 + k, k * k) for k in range(10)),
        ", ".join("v%d" % (1 + k) for k in range(10))), [])
    f.func("""function %%catch_many_rets(i64) -> i64 {
    sig0 = (i64) -> %s tail
    fn0 = %%many10(i64) -> %s tail
block0(v0: i64):
    try_call fn0(v0), sig0, block1(%s), []
block1(%s):
    v30 = iconst.i64 0
%s
    return v49
}""" % (", ".join(["i64"] * 10), ", ".join(["i64"] * 10), ", ".join("ret%d" % k for k in range(10)),
        ", ".join("v%d: i64" % (10 + k) for k in range(10)),
        "\n".join("    v%d = imul_imm v%d, %d\n    v%d = iadd v%d, v%d" % (50 + k, 10 + k, k + 1, 31 + 2 * k if k < 9 else 49,
                                                                    30 if k == 0 else 29 + 2 * k, 50 + k)
                  for k in range(10))),
        ["; run: %%catch_many_rets(%d) == %d" % (x, w64(sum((k + 1) * (x + k * k) for k in range(10))))
         for x in (0, 5, -100)])

    # eleven handlers: the jump over the table is a long one
    handlers = ", ".join("tag%d: block%d(exn0)" % (k, k) for k in range(1, 11)) + ", default: block11(exn1)"
    blocks = "\n".join("block%d(v%d: i64):\n    v%d = iadd_imm v%d, %d\n    return v%d" % (k, 10 + k, 30 + k, 10 + k, 100 * k, 30 + k)
                       for k in range(1, 11))

    def many(tag, x):
        m = maybe(tag, x)
        if m[0] == "ret":
            return m[1] + x
        return w64(m[2] + 100 * tag) if 1 <= tag <= 10 else w64(m[3] * 3)
    f.func("""function %%catch_many(i32, i64) -> i64 {
    sig0 = (i64, i32, i64) -> i64 tail
    fn0 = %%maybe(i64, i32, i64) -> i64 tail
block0(v0: i32, v1: i64):
    v2 = get_frame_pointer.i64
    try_call fn0(v2, v0, v1), sig0, block12(ret0), [ %s ]
%s
block11(v21: i64):
    v41 = imul_imm v21, 3
    return v41
block12(v22: i64):
    v42 = iadd v22, v1
    return v42
}""" % (handlers, blocks), ["; run: %%catch_many(%d, %d) == %d" % (t, x, many(t, x))
                             for t in (1, 5, 10, 11, 0) for x in (0, 9)])

    # a try_call in a loop: odd iterations throw, even ones return
    def loop(n):
        acc = 0
        for i in range(n):
            if i & 1:
                acc += (i + 1) * (2 * i)
            else:
                acc += 5
        return w64(acc)
    f.clif("loop", ["; run: %%loop(%d) == %d" % (n, loop(n)) for n in (0, 1, 2, 10, 1000)])

    # a system_v callee that throws through a direct call of __cranelift_throw
    f.clif("maybe_sysv")
    f.clif("catch_sysv", ["; run: %%catch_sysv(7, %d) == %d" % (x, 9 if x == 0 else w64(x + x * x + x)) for x in (0, 12, -5)])
    f.write()


GENERATORS = (gen_exn,)
