"""x86-64 only: the winch calling convention, which clifrun's AArch64 back end
refuses (Cranelift's has it)."""
from .common import *


# ---- the winch calling convention ---------------------------------------------

def gen_winch():
    f = File("x64-winch.clif", "x86-64 only: clifrun's AArch64 back end refuses winch (Cranelift's has it: to do).\n"
             "The winch calling convention: System V arguments (registers and stack);\n"
             "the last result in rax or xmm0, the others in the return area, packed at\n"
             "their own size (8-byte slots when one has an extension) with the first at\n"
             "the highest offset; called directly, indirectly, from winch and from\n"
             "system_v with values live across (a call to winch clobbers every register).",
             header(["enable_multi_ret_implicit_sret"], only=["x86_64"]))
    f.clif("rev6", ["; run: %%rev6(%d, %d, %d, %d, %s, %s) == [%s, %d, %d, %s, %d, %d]"
       % (a, b, c, d, fmt(x, 32), fmt(y, 64), fmt(y, 64), d, c, fmt(x, 32), b, a)
       for a, b, c, d, x, y in ((1, -2, 3, -4, 1.5, -2.5), (-128, 32767, -2147483648, 1 << 62, -0.0, 1e300),
                                (127, -32768, 2147483647, -(1 << 63), 3.0, 0.25))])

    def call_rev6(x):
        a, b, c, d = sx(x, 8), sx(x + 1, 16), sx(x + 2, 32), w64(x + 3)
        fx, fy = f32(float(x * 2)), float(x * 4)
        return w64(int(fy) * 1 + d * 3 + c * 5 + int(fx) * 7 + b * 11 + a * 13)
    f.clif("call_rev6", ["; run: %%call_rev6(%d) == %d" % (x, call_rev6(x)) for x in (0, 5, -9, 200, 100000)])

    # with an extension: 8-byte slots
    f.clif("ext5", ["; run: %%ext5(%d) == [%d, %d, %d, %s, %d]" % (x, sx(x, 8), sx(x, 16), w64(3 * x), fmt(f32(float(x)), 32), sx(-x, 32))
       for x in (0, 1, -1, 300, -70000)])

    def call_ext5(x):
        return w64(sx(x, 8) + ux(x, 16) * 2 + 3 * 3 * x + int(f32(float(x))) * 5 + sx(-x, 32) * 7)
    f.clif("call_ext5", ["; run: %%call_ext5(%d) == %d" % (x, call_ext5(x)) for x in (0, 1, -1, 300, -70000)])

    # stack arguments (8 integers, 10 floats); a float last result
    ip = ", ".join(["i64"] * 8)
    fp = ", ".join(["f64"] * 10)
    ibody = "\n".join("    v%d = imul_imm v%d, %d\n    v%d = iadd v%d, v%d" % (40 + k, k, k + 1, 61 + k, 60 + k, 40 + k)
                      for k in range(8))
    fbody = "\n".join("    v%d = f64const %s\n    v%d = fmul v%d, v%d\n    v%d = fadd v%d, v%d"
                      % (80 + k, fmt(float(k + 1), 64), 90 + k, 8 + k, 80 + k, 101 + k, 100 + k, 90 + k)
                      for k in range(10))
    f.func("""function %%args18(%s, %s) -> i64, f64 winch {
block0(%s, %s):
    v60 = iconst.i64 0
%s
    v100 = f64const 0.0
%s
    return v68, v110
}""" % (ip, fp, ", ".join("v%d: i64" % k for k in range(8)), ", ".join("v%d: f64" % (8 + k) for k in range(10)),
        ibody, fbody), ["; run: %%args18(%s) == [%d, %s]"
                        % (", ".join(["%d" % (x + k) for k in range(8)] + [fmt(float(x - k), 64) for k in range(10)]),
                           w64(sum((k + 1) * (x + k) for k in range(8))),
                           fmt(float(sum((k + 1) * (x - k) for k in range(10))), 64)) for x in (0, 3, -50)])

    def call_args18(x):
        i = w64(sum((k + 1) * (x + k) for k in range(8)))
        fl = float(sum((k + 1) * (x * 2 + k) for k in range(10)))
        return w64(i + int(fl) * 1000 + x * 7)
    f.func("""function %%call_args18(i64) -> i64 {
    fn0 = %%args18(%s, %s) -> i64, f64 winch
block0(v0: i64):
    v1 = fcvt_from_sint.f64 v0
    v2 = f64const 0x1.0p1
    v3 = fmul v1, v2
    v30 = imul_imm v0, 7
%s
%s
    v60, v61 = call fn0(%s, %s)
    v62 = fcvt_to_sint.i64 v61
    v63 = imul_imm v62, 1000
    v64 = iadd v60, v63
    v65 = iadd v64, v30
    return v65
}""" % (ip, fp, "\n".join("    v%d = iadd_imm v0, %d" % (10 + k, k) for k in range(8)),
        "\n".join("    v%d = f64const %s\n    v%d = fadd v3, v%d" % (40 + k, fmt(float(k), 64), 20 + k, 40 + k)
                  for k in range(10)),
        ", ".join("v%d" % (10 + k) for k in range(8)), ", ".join("v%d" % (20 + k) for k in range(10))),
        ["; run: %%call_args18(%d) == %d" % (x, call_args18(x)) for x in (0, 3, -50, 1000)])

    # winch calling winch, indirectly too, with values live across
    f.clif("w_outer", ["; run: %%w_outer(%d) == [%d, %s, %d]" % (x, w64(-8 + 9 * x - 70000 + 1000 - 3 + x + 11), fmt(6.0, 32), w64(x + 11))
       for x in (0, 4, -100)])
    f.clif("call_w_outer", ["; run: %%call_w_outer(%d) == %d" % (x, w64((-8 + 9 * x - 70000 + 1000 - 3 + x + 11) + 6 + (x + 11) + 5 * x + x + 2 + x))
       for x in (0, 4, -100)])

    # one result: in rax or xmm0
    f.clif("one_i32", ["; run: %%one_i32(%d, %d) == %d" % (a, b, sx(a - b, 32)) for a, b in ((5, 7), (-2147483648, 1))])
    f.clif("one_f32", ["; run: %%one_f32(%s, %d) == [%d, %s]" % (fmt(a, 32), b, b, fmt(f32(a * b), 32))
       for a, b in ((1.5, 4), (-0.25, -8))])
    f.write()


GENERATORS = (gen_winch,)
