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

static bool is_fcvt_to(ir_opcode op)
{
    return op == IR_OP_fcvt_to_sint || op == IR_OP_fcvt_to_uint || op == IR_OP_fcvt_to_sint_sat ||
           op == IR_OP_fcvt_to_uint_sat;
}

/* fcvt_to_* of an f16: of its exact f32 value.  fcvt_from_* to an f16 from
 * at most 32 bits: through the f32 or f64 that holds the integer exactly,
 * then one rounding.  The trapping fcvt_to_* of an f128: the checks as
 * fcmp and trapnz, then the saturating conversion (a libcall). */
static uint32_t fcvt_rewrite(ir_function *f, uint32_t inst)
{
    ir_inst_data *in = &f->insts.v[inst];
    ir_opcode op = (ir_opcode)in->op;
    uint32_t x = ir_inst_args(f, inst)[0], r = result0(f, inst);
    ir_type from = f->values.v[ir_value_resolve(f, x)].type, to = f->values.v[r].type;
    if (from == IR_F16) {
        uint32_t w = build1(f, inst, IR_OP_fpromote, IR_F32, &x, 1);
        return build1(f, inst, op, to, &w, 1);
    }
    if (to == IR_F16) {
        uint32_t w = build1(f, inst, op, ir_type_bits(from) <= 16 ? IR_F32 : IR_F64, &x, 1);
        return build1(f, inst, IR_OP_fdemote, IR_F16, &w, 1);
    }
    /* f128 -> integer of `bits`, trapping: NaN, then trunc(x) outside [lo, hi) */
    bool sgn = op == IR_OP_fcvt_to_sint;
    unsigned bits = ir_type_bits(to);
    uint32_t k[2] = {x, x};
    uint32_t t = ir_inst_build(f, inst, IR_OP_fcmp, IR_F128, k, 2);
    f->insts.v[t].cond = IR_FLOATCC_uno;
    uint32_t tv = result0(f, t);
    f->insts.v[ir_inst_build(f, inst, IR_OP_trapnz, IR_I8, &tv, 1)].trap = IR_TRAP_bad_toint;
    /* lo: above -2^(bits-1) - 1 (exact in f128 up to 64 bits), at least
     * -2^127 for i128, above -1 unsigned; hi: 2^(bits-1) or 2^bits */
    for (unsigned side = 0; side < 2; side++) {
        uint8_t b[16] = {0};
        int e = side ? (int)bits - sgn : sgn ? (int)bits - 1 : 0;
        uint64_t hiword = (uint64_t)(16383 + e) << 48 | (side == 0 ? 1ull << 63 : 0);
        memcpy(b + 8, &hiword, 8);
        if (side == 0 && sgn && bits <= 64) {    /* the fraction's 1 at 2^-e below the top */
            unsigned pos = 112 - (unsigned)e;    /* bit of the 113-bit significand */
            b[pos / 8] |= (uint8_t)(1u << (pos % 8));
        }
        uint32_t ci = ir_inst_build(f, inst, IR_OP_f128const, IR_F128, NULL, 0);
        f->insts.v[ci].imm = f->bytes.n;
        for (unsigned j = 0; j < 16; j++)
            ir_vec_push(&f->bytes, b[j]);
        uint32_t c2[2] = {x, result0(f, ci)};
        uint32_t cmp = ir_inst_build(f, inst, IR_OP_fcmp, IR_F128, c2, 2);
        f->insts.v[cmp].cond = side ? IR_FLOATCC_ge : sgn && bits == 128 ? IR_FLOATCC_lt : IR_FLOATCC_le;
        uint32_t cv = result0(f, cmp);
        f->insts.v[ir_inst_build(f, inst, IR_OP_trapnz, IR_I8, &cv, 1)].trap = IR_TRAP_int_ovf;
    }
    return build1(f, inst, sgn ? IR_OP_fcvt_to_sint_sat : IR_OP_fcvt_to_uint_sat, to, &x, 1);
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
    if (f->insts.v[inst].nres != 1)
        return false;
    if (op == IR_OP_fcvt_from_sint || op == IR_OP_fcvt_from_uint) {
        ir_type from = f->values.v[ir_value_resolve(f, ir_inst_args(f, inst)[0])].type;
        return f->values.v[result0(f, inst)].type == IR_F16 && ir_type_bits(from) <= 32 &&
               !ir_type_is_vector(from);
    }
    if (t == IR_TYPE_NONE)
        return false;
    if (is_fcvt_to(op))
        return t == IR_F16 || op == IR_OP_fcvt_to_sint || op == IR_OP_fcvt_to_uint;
    if (op == IR_OP_fneg || op == IR_OP_fabs || op == IR_OP_fcopysign)
        return true;    /* one route for every target: no NaN is touched */
    return t == IR_F16 && !f16_native && f16_arith(op);
}

bool cg_softfp_needed(const ir_function *f, bool f16_native)
{
    /* every rewrite is of an f16 or f128 value: most functions have none */
    bool wide = false;
    for (uint32_t v = 0; v < f->values.n && !wide; v++)
        wide = f->values.v[v].type == IR_F16 || f->values.v[v].type == IR_F128;
    if (!wide)
        return false;
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
                             : is_fcvt_to(op) || op == IR_OP_fcvt_from_sint || op == IR_OP_fcvt_from_uint
                                 ? fcvt_rewrite(f, i)
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
    bool from_int = (in->op == IR_OP_fcvt_from_sint || in->op == IR_OP_fcvt_from_uint) &&
                    (to == IR_F16 || to == IR_F128) && !ir_type_is_vector(from);
    bool to_int = (in->op == IR_OP_fcvt_to_sint_sat || in->op == IR_OP_fcvt_to_uint_sat) && from == IR_F128 &&
                  !ir_type_is_vector(to);
    if (from_int || to_int) {   /* one routine per signedness and 64 or 128 bits */
        bool sgn = in->op == IR_OP_fcvt_from_sint || in->op == IR_OP_fcvt_to_sint_sat;
        ir_type it = from_int ? from : to;
        static const char *const names[2][2][2] = {     /* [to_int][sgn][128] */
            {{"__floatunditf", "__floatuntitf"}, {"__floatditf", "__floattitf"}},
            {{"__cranelift_fixunstfdi_sat", "__cranelift_fixunstfti_sat"},
             {"__cranelift_fixtfdi_sat", "__cranelift_fixtfti_sat"}},
        };
        static const char *const hf[2][2] = {{"__floatundihf", "__floatuntihf"}, {"__floatdihf", "__floattihf"}};
        name = from_int && to == IR_F16 ? hf[sgn][it == IR_I128] : names[to_int][sgn][it == IR_I128];
    }
    if (!name)
        return CG_BY_FAMILY;
    uint32_t args[4], n = in->nargs;
    ir_type ts[4];
    for (uint32_t k = 0; k < n; k++)
        args[k] = c->isa->put_in_reg(c, a[k]), ts[k] = cg_vtype(c, a[k]);
    if (from_int && from != IR_I128 && from != IR_I64) {   /* the routine reads 64 bits */
        uint32_t w = cg_new_vreg(&c->f, CG_CLS_INT);
        c->isa->extend_into(c, w, args[0], ir_type_bits(from), 8,
                            in->op == IR_OP_fcvt_from_sint);
        args[0] = w, ts[0] = IR_I64;
    }
    if (to_int && to != IR_I128) {  /* clamped to `bits`, returned in 64 */
        ts[n] = IR_I32, args[n++] = c->isa->movi(c, 4, ir_type_bits(to));
        cg_libcall(c, name, ts, args, n, IR_I64, cg_value_vreg(c, ir_inst_results(fn, inst)[0]));
        return CG_DONE;
    }
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

typedef __int128 i128;
static f128 float_di_tf(int64_t x) { return (f128)x; }
static f128 float_undi_tf(uint64_t x) { return (f128)x; }
static f128 float_ti_tf(i128 x) { return (f128)x; }
static f128 float_unti_tf(u128 x) { return (f128)x; }
/* to f16 through the exact f128 (an integer beyond f16's range is
 * infinite either way) */
static _Float16 float_di_hf(int64_t x) { return (_Float16)(f128)x; }
static _Float16 float_undi_hf(uint64_t x) { return (_Float16)(f128)x; }
static _Float16 float_ti_hf(i128 x) { return (_Float16)(f128)x; }
static _Float16 float_unti_hf(u128 x) { return (_Float16)(f128)x; }

/* fcvt_to_*_sat: NaN is 0, out of range the nearest bound of `bits`. */
static int64_t fix_tf_di_sat(f128 x, int32_t bits)
{
    f128 hi = ldexpf128(1, bits - 1);
    if (x != x)
        return 0;
    if (x >= hi)
        return (int64_t)((1ull << (bits - 1)) - 1);
    return x <= -hi ? (int64_t)(~0ull << (bits - 1)) : (int64_t)x;
}
static uint64_t fix_tf_undi_sat(f128 x, int32_t bits)
{
    f128 hi = ldexpf128(1, bits);
    return x != x || x <= 0 ? 0 : x >= hi ? (bits == 64 ? ~0ull : (1ull << bits) - 1) : (uint64_t)x;
}
static i128 fix_tf_ti_sat(f128 x)
{
    f128 hi = ldexpf128(1, 127);
    return x != x ? 0 : x >= hi ? (i128)(~(u128)0 >> 1) : x <= -hi ? -(i128)(~(u128)0 >> 1) - 1 : (i128)x;
}
static u128 fix_tf_unti_sat(f128 x)
{
    return x != x || x <= 0 ? 0 : x >= ldexpf128(1, 128) ? ~(u128)0 : (u128)x;
}

static f128 sqrt_tf(f128 x) { return sqrtf128(x); }
static f128 ceil_tf(f128 x) { return ceilf128(x); }
static f128 floor_tf(f128 x) { return floorf128(x); }
static f128 trunc_tf(f128 x) { return truncf128(x); }
static f128 roundeven_tf(f128 x) { return roundevenf128(x); }
static f128 fma_tf(f128 a, f128 b, f128 c) { return fmaf128(a, b, c); }

bool cg_define_softfp_libcalls(jit_ctx *ctx, jit_error *err)
{
    static const jit_host_sym fns[] = {
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
        {"__floatditf", (const void *)float_di_tf}, {"__floatunditf", (const void *)float_undi_tf},
        {"__floattitf", (const void *)float_ti_tf}, {"__floatuntitf", (const void *)float_unti_tf},
        {"__floatdihf", (const void *)float_di_hf}, {"__floatundihf", (const void *)float_undi_hf},
        {"__floattihf", (const void *)float_ti_hf}, {"__floatuntihf", (const void *)float_unti_hf},
        {"__cranelift_fixtfdi_sat", (const void *)fix_tf_di_sat},
        {"__cranelift_fixunstfdi_sat", (const void *)fix_tf_undi_sat},
        {"__cranelift_fixtfti_sat", (const void *)fix_tf_ti_sat},
        {"__cranelift_fixunstfti_sat", (const void *)fix_tf_unti_sat},
    };
    return jit_define_symbols(ctx, fns, sizeof fns / sizeof fns[0], err);
}
