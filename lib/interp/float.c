/* lib/interp/float.c: f32 and f64, scalar and lane by lane.
 *
 * Arithmetic uses the C types (SSE2 on x86-64, the FPU on AArch64; never
 * x87, never contracted into fused operations: the Makefile builds this
 * directory with -ffp-contract=off) in the default rounding mode, round to
 * nearest even.  Results are bit-exact on both hosts because NaNs never
 * come from the hardware: a NaN operand propagates, quieted (the first in
 * operand order); a NaN made from numbers (0/0, inf-inf, sqrt(-1), ...) is
 * the positive canonical NaN 0x7fc00000 / 0x7ff8000000000000.  fneg, fabs
 * and fcopysign are bit operations and keep any NaN as it is. */
#include "internal.h"

#include <math.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

#define F32_SIGN 0x80000000u
#define F32_QUIET 0x00400000u
#define F32_CANON 0x7fc00000u
#define F64_SIGN 0x8000000000000000ull
#define F64_QUIET 0x0008000000000000ull
#define F64_CANON 0x7ff8000000000000ull

static inline bool nan32(uint32_t x) { return (x & ~F32_SIGN) > 0x7f800000u; }
static inline bool nan64(uint64_t x) { return (x & ~F64_SIGN) > 0x7ff0000000000000ull; }
static inline float f32(uint32_t x) { float f; memcpy(&f, &x, 4); return f; }
static inline double f64(uint64_t x) { double f; memcpy(&f, &x, 8); return f; }
static inline uint32_t b32(float f) { uint32_t x; memcpy(&x, &f, 4); return x; }
static inline uint64_t b64(double f) { uint64_t x; memcpy(&x, &f, 8); return x; }
static inline uint32_t res32(float f) { uint32_t x = b32(f); return nan32(x) ? F32_CANON : x; }
static inline uint64_t res64(double f) { uint64_t x = b64(f); return nan64(x) ? F64_CANON : x; }

/* ---- one lane ---------------------------------------------------------------------- */

uint32_t interp_f32_op(unsigned op, uint32_t a, uint32_t b)
{
    switch (op) {
    case IR_OP_fneg: return a ^ F32_SIGN;
    case IR_OP_fabs: return a & ~F32_SIGN;
    case IR_OP_fcopysign: return (a & ~F32_SIGN) | (b & F32_SIGN);
    default: break;
    }
    bool binary = op == IR_OP_fadd || op == IR_OP_fsub || op == IR_OP_fmul || op == IR_OP_fdiv ||
                  op == IR_OP_fmin || op == IR_OP_fmax;
    if (nan32(a))
        return a | F32_QUIET;
    if (binary && nan32(b))
        return b | F32_QUIET;
    float x = f32(a), y = f32(b);
    switch (op) {
    case IR_OP_fadd: return res32(x + y);
    case IR_OP_fsub: return res32(x - y);
    case IR_OP_fmul: return res32(x * y);
    case IR_OP_fdiv: return res32(x / y);
    case IR_OP_fmin: return x < y ? a : y < x ? b : a | b;      /* -0.0 < +0.0 */
    case IR_OP_fmax: return x > y ? a : y > x ? b : a & b;
    case IR_OP_sqrt: return res32(sqrtf(x));
    case IR_OP_ceil: return res32(ceilf(x));
    case IR_OP_floor: return res32(floorf(x));
    case IR_OP_trunc: return res32(truncf(x));
    case IR_OP_nearest: return res32(nearbyintf(x));   /* ties to even in the default mode */
    default: return F32_CANON;
    }
}

uint64_t interp_f64_op(unsigned op, uint64_t a, uint64_t b)
{
    switch (op) {
    case IR_OP_fneg: return a ^ F64_SIGN;
    case IR_OP_fabs: return a & ~F64_SIGN;
    case IR_OP_fcopysign: return (a & ~F64_SIGN) | (b & F64_SIGN);
    default: break;
    }
    bool binary = op == IR_OP_fadd || op == IR_OP_fsub || op == IR_OP_fmul || op == IR_OP_fdiv ||
                  op == IR_OP_fmin || op == IR_OP_fmax;
    if (nan64(a))
        return a | F64_QUIET;
    if (binary && nan64(b))
        return b | F64_QUIET;
    double x = f64(a), y = f64(b);
    switch (op) {
    case IR_OP_fadd: return res64(x + y);
    case IR_OP_fsub: return res64(x - y);
    case IR_OP_fmul: return res64(x * y);
    case IR_OP_fdiv: return res64(x / y);
    case IR_OP_fmin: return x < y ? a : y < x ? b : a | b;
    case IR_OP_fmax: return x > y ? a : y > x ? b : a & b;
    case IR_OP_sqrt: return res64(sqrt(x));
    case IR_OP_ceil: return res64(ceil(x));
    case IR_OP_floor: return res64(floor(x));
    case IR_OP_trunc: return res64(trunc(x));
    case IR_OP_nearest: return res64(nearbyint(x));
    default: return F64_CANON;
    }
}

/* ---- unary and binary families --------------------------------------------------------- */

static int x_float(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty), n = ir_type_lanes(d->ty);
    islot r;
    memset(&r, 0, sizeof r);
    const islot *a = &S[d->a], *b = &S[d->b];
    if (bits == 32)
        for (unsigned i = 0; i < n; i++)
            r.w[i] = interp_f32_op(d->op, a->w[i], b->w[i]);
    else
        for (unsigned i = 0; i < n; i++)
            r.d[i] = interp_f64_op(d->op, a->d[i], b->d[i]);
    S[d->r] = r;
    return 0;
}

bool interp_dec_float_binary(interp_dec *D, dinst *d)
{
    d->fn = x_float;
    return true;
}

bool interp_dec_float_unary(interp_dec *D, dinst *d)
{
    d->fn = x_float;
    d->b = d->a;
    return true;
}

static int x_fma(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty), n = ir_type_lanes(d->ty);
    islot r;
    memset(&r, 0, sizeof r);
    const islot *a = &S[d->a], *b = &S[d->b], *c = &S[d->c];
    for (unsigned i = 0; i < n; i++) {
        if (bits == 32) {
            uint32_t x = a->w[i], y = b->w[i], z = c->w[i];
            r.w[i] = nan32(x) ? x | F32_QUIET : nan32(y) ? y | F32_QUIET : nan32(z) ? z | F32_QUIET
                                                                         : res32(fmaf(f32(x), f32(y), f32(z)));
        } else {
            uint64_t x = a->d[i], y = b->d[i], z = c->d[i];
            r.d[i] = nan64(x) ? x | F64_QUIET : nan64(y) ? y | F64_QUIET : nan64(z) ? z | F64_QUIET
                                                                         : res64(fma(f64(x), f64(y), f64(z)));
        }
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_fma(interp_dec *D, dinst *d)
{
    d->fn = x_fma;
    return true;
}

/* ---- fcmp ----------------------------------------------------------------------------- */

static bool fcmp(unsigned cc, double x, double y)
{
    bool uno = isnan(x) || isnan(y);
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

static int x_fcmp(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type t = d->ty2;
    unsigned bits = ir_type_lane_bits(t), n = ir_type_lanes(t);
    islot r;
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < n; i++) {
        double x = bits == 32 ? (double)f32(S[d->a].w[i]) : f64(S[d->a].d[i]);
        double y = bits == 32 ? (double)f32(S[d->b].w[i]) : f64(S[d->b].d[i]);
        bool v = fcmp(d->cc, x, y);
        if (!ir_type_is_vector(t))
            r.d[0] = v;
        else if (v)
            interp_set_lane(&r, bits, i, interp_mask(bits));
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_fcmp(interp_dec *D, dinst *d)
{
    d->cc = D->fn->insts.v[D->inst].cond;
    d->ty2 = interp_value_type(D, 0);
    d->fn = x_fcmp;
    return true;
}

/* ---- promote, demote ------------------------------------------------------------------------ */

static uint64_t promote(uint32_t a)
{
    if (nan32(a))   /* quieted, the payload kept at the top of the fraction */
        return (uint64_t)(a & F32_SIGN) << 32 | 0x7ff0000000000000ull | F64_QUIET |
               (uint64_t)(a & 0x7fffffu) << 29;
    return b64((double)f32(a));
}

static uint32_t demote(uint64_t a)
{
    if (nan64(a))
        return (uint32_t)(a >> 32 & F32_SIGN) | 0x7f800000u | F32_QUIET | (uint32_t)(a >> 29 & 0x7fffffu);
    return b32((float)f64(a));
}

static int x_float_convert(interp_ctx *C, islot *S, const dinst *d)
{
    islot r;
    memset(&r, 0, sizeof r);
    const islot *a = &S[d->a];
    switch (d->op) {
    case IR_OP_fpromote: r.d[0] = promote(a->w[0]); break;
    case IR_OP_fdemote: r.w[0] = demote(a->d[0]); break;
    case IR_OP_fvpromote_low: r.d[0] = promote(a->w[0]), r.d[1] = promote(a->w[1]); break;
    default: r.w[0] = demote(a->d[0]), r.w[1] = demote(a->d[1]); break;     /* fvdemote: upper lanes 0 */
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_float_convert(interp_dec *D, dinst *d)
{
    d->fn = x_float_convert;
    return true;
}

/* ---- float to integer ------------------------------------------------------------------------ */

/* x to an integer of width bits, rounding toward zero.  Returns 0, or the
 * trap code when it does not fit (sat: clamps, NaN is 0). */
static int to_int(double x, unsigned bits, bool sgn, bool sat, u128 *out)
{
    if (isnan(x)) {
        *out = 0;
        return sat ? 0 : IR_TRAP_bad_toint;
    }
    double t = trunc(x);
    double hi = ldexp(1.0, sgn ? (int)bits - 1 : (int)bits), lo = sgn ? -hi : 0.0;
    u128 m = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
    if (!(t >= lo && t < hi)) {
        if (!sat)
            return IR_TRAP_int_ovf;
        if (t < lo)
            *out = sgn ? ((u128)1 << (bits - 1)) & m : 0;   /* MIN, zero-extended */
        else
            *out = sgn ? (((u128)1 << (bits - 1)) - 1) : m;
        return 0;
    }
    *out = sgn ? (bits > 64 ? (u128)(i128)t : (u128)(uint64_t)(int64_t)t) & m
               : (bits > 64 ? (u128)t : (u128)(uint64_t)t);
    return 0;
}

static int x_fcvt_to_int(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type in = d->ty2, out_t = d->ty;
    unsigned ib = ir_type_lane_bits(in), ob = ir_type_lane_bits(out_t);
    unsigned n = ir_type_lanes(in), on = ir_type_lanes(out_t);
    bool sgn = d->op == IR_OP_fcvt_to_sint || d->op == IR_OP_fcvt_to_sint_sat || d->op == IR_OP_x86_cvtt2dq;
    bool sat = d->op == IR_OP_fcvt_to_sint_sat || d->op == IR_OP_fcvt_to_uint_sat;
    islot r;
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < n && i < on; i++) {
        double x = ib == 32 ? (double)f32(S[d->a].w[i]) : f64(S[d->a].d[i]);
        u128 v;
        int st = to_int(x, ob, sgn, sat, &v);
        if (d->op == IR_OP_x86_cvtt2dq && (st || isnan(x)))
            v = (u128)1 << (ob - 1);    /* cvttps2dq: the "integer indefinite" value */
        else if (st)
            return st;
        if (ob == 128)
            r.q = v;
        else if (!ir_type_is_vector(out_t))
            r.d[0] = (uint64_t)v;
        else
            interp_set_lane(&r, ob, i, (uint64_t)v);
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_fcvt_to_int(interp_dec *D, dinst *d)
{
    d->fn = x_fcvt_to_int;
    if (ir_type_is_vector(d->ty) != ir_type_is_vector(d->ty2))
        return interp_unsupported(D->d, D->fn, D->inst, "%s between a vector and a scalar",
                                  ir_opcodes[d->op].name);
    return true;
}

/* ---- integer to float ---------------------------------------------------------------------- */

static int x_fcvt_from_int(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type in = d->ty2, out_t = d->ty;
    unsigned ib = ir_type_lane_bits(in), ob = ir_type_lane_bits(out_t);
    unsigned n = ir_type_lanes(out_t);
    bool sgn = d->op == IR_OP_fcvt_from_sint;
    islot r;
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < n; i++) {
        uint32_t f = 0;
        uint64_t g = 0;
        if (ib == 128) {
            u128 x = S[d->a].q;
            if (sgn)
                f = b32((float)(i128)x), g = b64((double)(i128)x);
            else
                f = b32((float)x), g = b64((double)x);
        } else {
            uint64_t x = interp_lane(&S[d->a], ib, i);
            if (sgn)
                f = b32((float)interp_sext(x, ib)), g = b64((double)interp_sext(x, ib));
            else
                f = b32((float)x), g = b64((double)x);
        }
        if (ob == 32)
            r.w[i] = f;
        else
            r.d[i] = g;
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_fcvt_from_int(interp_dec *D, dinst *d)
{
    d->fn = x_fcvt_from_int;
    if (ir_type_lanes(d->ty) != ir_type_lanes(d->ty2))
        return interp_unsupported(D->d, D->fn, D->inst, "%s with %u lanes in and %u out",
                                  ir_opcodes[d->op].name, ir_type_lanes(d->ty2), ir_type_lanes(d->ty));
    return true;
}
