/* f16 and f128 arithmetic for targets without it, once for both back ends.
 *
 * Two steps, as a frontend targeting Cranelift legalizes them:
 *   - an IR pass on the copy compile() lowers (cg_softfp_legalize): f16
 *     arithmetic becomes f32 arithmetic between an fpromote and an fdemote
 *     (exact: f32 has more than 2 * 11 + 2 bits, so rounding twice gives the
 *     f16 rounding for + - * / sqrt; fma goes through f64; the rounding
 *     functions give integers f16 holds), f16 fcmp an f32 fcmp, and fneg,
 *     fabs, fcopysign of f16 and f128 integer operations on the sign bit;
 *   - lowering (cg_lower_softfp): what is left — f128 arithmetic and
 *     comparisons, conversions to and from f16 and f128 — becomes libcalls
 *     through cg_libcall, under libgcc's names (__addtf3, __extendhfsf2 ...)
 *     and glibc's (sqrtf128 ...).  cg_define_libcalls binds those names to
 *     the host routines at the end of this file, so nothing depends on
 *     which of them the host's libgcc exports.
 * A target that has an instruction for one of them (AArch64 fcvt between
 * f16 and f32/f64) takes it before asking for the libcall. */
#define _GNU_SOURCE     /* glibc's *f128 functions */
#include "cg.h"

#include <math.h>
#include <string.h>

/* ---- the IR pass ----------------------------------------------------------------- */

static uint32_t result0(const ir_function *f, uint32_t inst) { return f->pool.v[f->insts.v[inst].res]; }

static uint32_t build1(ir_function *f, uint32_t at, ir_opcode op, ir_type t, const uint32_t *args, unsigned n)
{
    uint32_t i = ir_inst_build(f, at, op, t, args, n);
    f->insts.v[i].mf = (ir_memflags){0};
    return result0(f, i);
}

static uint32_t iconst(ir_function *f, uint32_t at, ir_type t, uint64_t v)
{
    uint32_t i = ir_inst_build(f, at, IR_OP_iconst, t, NULL, 0);
    f->insts.v[i].imm = (int64_t)v;
    return result0(f, i);
}

/* The integer holding a's sign half: i16 for f16, the high i64 of f128
 * (*lo gets the low one). */
static uint32_t sign_word(ir_function *f, uint32_t at, uint32_t a, ir_type t, uint32_t *lo)
{
    uint32_t bits = build1(f, at, IR_OP_bitcast, t == IR_F16 ? IR_I16 : IR_I128, &a, 1);
    if (t == IR_F16)
        return bits;
    uint32_t sp = ir_inst_build(f, at, IR_OP_isplit, IR_I128, &bits, 1);
    *lo = f->pool.v[f->insts.v[sp].res];
    return f->pool.v[f->insts.v[sp].res + 1];
}

static uint32_t from_sign_word(ir_function *f, uint32_t at, uint32_t w, uint32_t lo, ir_type t)
{
    if (t == IR_F128) {
        uint32_t two[2] = {lo, w};
        w = build1(f, at, IR_OP_iconcat, IR_I64, two, 2);
    }
    return build1(f, at, IR_OP_bitcast, t, &w, 1);
}

/* fneg, fabs, fcopysign of f16 or f128 on the sign bit: no NaN changes. */
static uint32_t sign_op(ir_function *f, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &f->insts.v[inst];
    ir_opcode op = (ir_opcode)in->op;
    uint32_t a = ir_inst_args(f, inst)[0], b = in->nargs > 1 ? ir_inst_args(f, inst)[1] : IR_NONE;
    ir_type wt = t == IR_F16 ? IR_I16 : IR_I64;
    uint64_t sign = t == IR_F16 ? 0x8000 : 1ull << 63;
    uint32_t lo = IR_NONE, lob, w = sign_word(f, inst, a, t, &lo), k[2];
    k[0] = w;
    if (op == IR_OP_fneg) {
        k[1] = iconst(f, inst, wt, sign);
        w = build1(f, inst, IR_OP_bxor, wt, k, 2);
    } else {
        k[1] = iconst(f, inst, wt, t == IR_F16 ? 0x7fff : ~sign);
        w = build1(f, inst, IR_OP_band, wt, k, 2);
        if (op == IR_OP_fcopysign) {
            uint32_t s[2] = {sign_word(f, inst, b, t, &lob), iconst(f, inst, wt, sign)}, o[2];
            o[0] = w, o[1] = build1(f, inst, IR_OP_band, wt, s, 2);
            w = build1(f, inst, IR_OP_bor, wt, o, 2);
        }
    }
    return from_sign_word(f, inst, w, lo, t);
}

/* f16 arithmetic in f32 (fma in f64), the result demoted once. */
static uint32_t widened(ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    ir_opcode op = (ir_opcode)in->op;
    ir_type wide = op == IR_OP_fma ? IR_F64 : IR_F32;
    uint32_t n = in->nargs, args[3];
    for (uint32_t k = 0; k < n && k < 3; k++) {
        uint32_t v = ir_inst_args(f, inst)[k];
        args[k] = build1(f, inst, IR_OP_fpromote, wide, &v, 1);
    }
    uint32_t i = ir_inst_build(f, inst, op, wide, args, n);
    f->insts.v[i].cond = f->insts.v[inst].cond;
    f->insts.v[i].mf = (ir_memflags){0};
    uint32_t r = result0(f, i);
    if (op == IR_OP_fcmp)
        return r;
    return build1(f, inst, IR_OP_fdemote, IR_F16, &r, 1);
}

static bool f16_arith(ir_opcode op)
{
    switch (op) {
    case IR_OP_fadd: case IR_OP_fsub: case IR_OP_fmul: case IR_OP_fdiv: case IR_OP_fmin: case IR_OP_fmax:
    case IR_OP_sqrt: case IR_OP_ceil: case IR_OP_floor: case IR_OP_trunc: case IR_OP_nearest: case IR_OP_fma:
    case IR_OP_fcmp:
        return true;
    default:
        return false;
    }
}

/* The scalar f16/f128 type inst computes on, or IR_TYPE_NONE. */
static ir_type wide_type(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    ir_type t = in->nargs ? f->values.v[ir_value_resolve(f, ir_inst_args(f, inst)[0])].type : IR_TYPE_NONE;
    return t == IR_F16 || t == IR_F128 ? t : IR_TYPE_NONE;
}

static bool rewritten(const ir_function *f, uint32_t inst, bool f16_native)
{
    ir_opcode op = (ir_opcode)f->insts.v[inst].op;
    ir_type t = wide_type(f, inst);
    if (t == IR_TYPE_NONE || f->insts.v[inst].nres != 1)
        return false;
    if (op == IR_OP_fneg || op == IR_OP_fabs || op == IR_OP_fcopysign)
        return true;    /* one route for every target: no NaN is touched */
    return t == IR_F16 && !f16_native && f16_arith(op);
}

bool cg_softfp_needed(const ir_function *f, bool f16_native)
{
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE; i = f->insts.v[i].next)
            if (rewritten(f, i, f16_native))
                return true;
    return false;
}

void cg_softfp_legalize(ir_function *f, bool f16_native)
{
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE;) {
            uint32_t next = f->insts.v[i].next;
            if (rewritten(f, i, f16_native)) {
                ir_opcode op = (ir_opcode)f->insts.v[i].op;
                ir_type t = wide_type(f, i);
                uint32_t r = op == IR_OP_fneg || op == IR_OP_fabs || op == IR_OP_fcopysign ? sign_op(f, i, t)
                                                                                       : widened(f, i);
                uint32_t old = result0(f, i);
                f->values.v[old].kind = IR_VAL_ALIAS;
                f->values.v[old].def = r;
                ir_inst_remove(f, i);
            }
            i = next;
        }
}

/* ---- lowering: libcalls ------------------------------------------------------------- */

static const char *const fcvt_names[4][4] = {   /* [from][to]: f16 f32 f64 f128 */
    {NULL, "__extendhfsf2", "__extendhfdf2", "__extendhftf2"},
    {"__truncsfhf2", NULL, NULL, "__extendsftf2"},
    {"__truncdfhf2", NULL, NULL, "__extenddftf2"},
    {"__trunctfhf2", "__trunctfsf2", "__trunctfdf2", NULL},
};

static int fidx(ir_type t) { return t == IR_F16 ? 0 : t == IR_F32 ? 1 : t == IR_F64 ? 2 : t == IR_F128 ? 3 : -1; }

static const char *f128_name(ir_opcode op)
{
    switch (op) {
    case IR_OP_fadd: return "__addtf3";
    case IR_OP_fsub: return "__subtf3";
    case IR_OP_fmul: return "__multf3";
    case IR_OP_fdiv: return "__divtf3";
    case IR_OP_fmin: return "__cranelift_fmintf";     /* Cranelift's NaN and zero rules */
    case IR_OP_fmax: return "__cranelift_fmaxtf";
    case IR_OP_sqrt: return "sqrtf128";
    case IR_OP_ceil: return "ceilf128";
    case IR_OP_floor: return "floorf128";
    case IR_OP_trunc: return "truncf128";
    case IR_OP_nearest: return "roundevenf128";
    case IR_OP_fma: return "fmaf128";
    default: return NULL;
    }
}

int cg_lower_softfp(cg_ctx *c, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    if (in->nres != 1 || in->nargs == 0 || in->nargs > 3)
        return CG_BY_FAMILY;
    const uint32_t *a = ir_inst_args(fn, inst);
    ir_type from = cg_vtype(c, a[0]), to = fn->values.v[ir_inst_results(fn, inst)[0]].type;
    const char *name = NULL;
    if (in->op == IR_OP_fpromote || in->op == IR_OP_fdemote) {
        int fi = fidx(from), ti = fidx(to);
        name = fi < 0 || ti < 0 ? NULL : fcvt_names[fi][ti];
    } else if (from == IR_F128 && in->op == IR_OP_fcmp) {
        name = "__cranelift_fcmptf";    /* the condition as a third argument: 0 or 1 */
    } else if (from == IR_F128 && to == IR_F128) {
        name = f128_name((ir_opcode)in->op);
    }
    if (!name)
        return CG_BY_FAMILY;
    uint32_t args[4], n = in->nargs;
    ir_type ts[4];
    for (uint32_t k = 0; k < n; k++)
        args[k] = c->isa->put_in_reg(c, a[k]), ts[k] = cg_vtype(c, a[k]);
    if (in->op == IR_OP_fcmp)
        ts[n] = IR_I32, args[n++] = c->isa->movi(c, 4, in->cond);
    cg_libcall(c, name, ts, args, n, to, cg_value_vreg(c, ir_inst_results(fn, inst)[0]));
    return CG_DONE;
}

/* ---- the host routines behind those names ----------------------------------------- */

typedef _Float128 f128;
typedef unsigned __int128 u128;

static float ext_hf_sf(_Float16 x) { return (float)x; }
static double ext_hf_df(_Float16 x) { return (double)x; }
static f128 ext_hf_tf(_Float16 x) { return (f128)x; }
static _Float16 trunc_sf_hf(float x) { return (_Float16)x; }
static _Float16 trunc_df_hf(double x) { return (_Float16)x; }
static _Float16 trunc_tf_hf(f128 x) { return (_Float16)x; }
static f128 ext_sf_tf(float x) { return (f128)x; }
static f128 ext_df_tf(double x) { return (f128)x; }
static float trunc_tf_sf(f128 x) { return (float)x; }
static double trunc_tf_df(f128 x) { return (double)x; }
static f128 add_tf(f128 a, f128 b) { return a + b; }
static f128 sub_tf(f128 a, f128 b) { return a - b; }
static f128 mul_tf(f128 a, f128 b) { return a * b; }
static f128 div_tf(f128 a, f128 b) { return a / b; }

static u128 bits_tf(f128 x) { u128 b; memcpy(&b, &x, 16); return b; }
static f128 tf_bits(u128 b) { f128 x; memcpy(&x, &b, 16); return x; }
#define TF_SIGN ((u128)1 << 127)
#define TF_QUIET ((u128)1 << 111)

/* fmin/fmax as Cranelift defines them: a NaN operand gives NaN (the first,
 * quieted), and -0.0 < +0.0. */
static f128 minmax_tf(f128 a, f128 b, bool max)
{
    u128 x = bits_tf(a), y = bits_tf(b);
    if (a != a)
        return tf_bits(x | TF_QUIET);
    if (b != b)
        return tf_bits(y | TF_QUIET);
    if (a == b)     /* equal, or zeros of either sign */
        return tf_bits(max ? x & y : x | y);
    return (a < b) != max ? a : b;
}
static f128 min_tf(f128 a, f128 b) { return minmax_tf(a, b, false); }
static f128 max_tf(f128 a, f128 b) { return minmax_tf(a, b, true); }

static uint8_t fcmp_tf(f128 x, f128 y, uint32_t cc)
{
    bool uno = x != x || y != y;
    switch (cc) {
    case IR_FLOATCC_ord: return !uno;
    case IR_FLOATCC_uno: return uno;
    case IR_FLOATCC_eq: return !uno && x == y;
    case IR_FLOATCC_ne: return uno || x != y;
    case IR_FLOATCC_one: return !uno && x != y;
    case IR_FLOATCC_ueq: return uno || x == y;
    case IR_FLOATCC_lt: return !uno && x < y;
    case IR_FLOATCC_le: return !uno && x <= y;
    case IR_FLOATCC_gt: return !uno && x > y;
    case IR_FLOATCC_ge: return !uno && x >= y;
    case IR_FLOATCC_ult: return uno || x < y;
    case IR_FLOATCC_ule: return uno || x <= y;
    case IR_FLOATCC_ugt: return uno || x > y;
    default: return uno || x >= y;
    }
}

static f128 sqrt_tf(f128 x) { return sqrtf128(x); }
static f128 ceil_tf(f128 x) { return ceilf128(x); }
static f128 floor_tf(f128 x) { return floorf128(x); }
static f128 trunc_tf(f128 x) { return truncf128(x); }
static f128 roundeven_tf(f128 x) { return roundevenf128(x); }
static f128 fma_tf(f128 a, f128 b, f128 c) { return fmaf128(a, b, c); }

bool cg_define_softfp_libcalls(jit_ctx *ctx, jit_error *err)
{
    static const struct { const char *name; const void *addr; } fns[] = {
        {"__extendhfsf2", (const void *)ext_hf_sf}, {"__extendhfdf2", (const void *)ext_hf_df},
        {"__extendhftf2", (const void *)ext_hf_tf}, {"__truncsfhf2", (const void *)trunc_sf_hf},
        {"__truncdfhf2", (const void *)trunc_df_hf}, {"__trunctfhf2", (const void *)trunc_tf_hf},
        {"__extendsftf2", (const void *)ext_sf_tf}, {"__extenddftf2", (const void *)ext_df_tf},
        {"__trunctfsf2", (const void *)trunc_tf_sf}, {"__trunctfdf2", (const void *)trunc_tf_df},
        {"__addtf3", (const void *)add_tf}, {"__subtf3", (const void *)sub_tf},
        {"__multf3", (const void *)mul_tf}, {"__divtf3", (const void *)div_tf},
        {"__cranelift_fmintf", (const void *)min_tf}, {"__cranelift_fmaxtf", (const void *)max_tf},
        {"__cranelift_fcmptf", (const void *)fcmp_tf},
        {"sqrtf128", (const void *)sqrt_tf}, {"ceilf128", (const void *)ceil_tf},
        {"floorf128", (const void *)floor_tf}, {"truncf128", (const void *)trunc_tf},
        {"roundevenf128", (const void *)roundeven_tf}, {"fmaf128", (const void *)fma_tf},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (!jit_define_symbol(ctx, fns[i].name, fns[i].addr, err))
            return false;
    return true;
}
