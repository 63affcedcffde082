/* lib/interp/float16.c: f16 and f128 scalars, with float.c's NaN rules (a
 * NaN operand propagates quieted, the first in operand order; a NaN made
 * from numbers is the positive canonical one, 0x7e00 / 0x7fff8000...0).
 *
 * f16 arithmetic is done in f32 and rounded once to f16: f32 has more than
 * 2 * 11 + 2 bits, so for + - * / sqrt that double rounding is exact
 * (Figueroa's theorem); fma goes through f64, whose product of two f16 is
 * exact.  f128 is GCC's _Float128: libgcc's soft-fp routines (__addtf3 ...)
 * and glibc's *f128 functions, on either host. */
#define _GNU_SOURCE
#include "internal.h"

#include <math.h>

typedef unsigned __int128 u128;

#define H_SIGN 0x8000u
#define H_QUIET 0x0200u
#define H_CANON 0x7e00u
#define Q_SIGN ((u128)1 << 127)
#define Q_QUIET ((u128)1 << 111)
#define Q_INF ((u128)0x7fff << 112)
#define Q_CANON (Q_INF | Q_QUIET)

static inline bool nan16(uint16_t x) { return (x & ~H_SIGN) > 0x7c00u; }
static inline bool nan128(u128 x) { return (x & ~Q_SIGN) > Q_INF; }

float interp_f16_to_f32(uint16_t h)
{
    _Float16 x;
    memcpy(&x, &h, 2);
    return (float)x;
}

uint16_t interp_f32_to_f16(float f)
{
    _Float16 x = (_Float16)f;
    uint16_t h;
    memcpy(&h, &x, 2);
    return h;
}

static inline _Float128 q(u128 x) { _Float128 f; memcpy(&f, &x, 16); return f; }
static inline u128 qb(_Float128 f) { u128 x; memcpy(&x, &f, 16); return x; }
static inline uint16_t res16(float f) { uint16_t x = interp_f32_to_f16(f); return nan16(x) ? H_CANON : x; }
static inline u128 res128(_Float128 f) { u128 x = qb(f); return nan128(x) ? Q_CANON : x; }

static bool is_binary(unsigned op)
{
    return op == IR_OP_fadd || op == IR_OP_fsub || op == IR_OP_fmul || op == IR_OP_fdiv || op == IR_OP_fmin ||
           op == IR_OP_fmax;
}

bool interp_f16_f128_op_ok(unsigned op)
{
    switch (op) {
    case IR_OP_fneg: case IR_OP_fabs: case IR_OP_fcopysign: case IR_OP_fadd: case IR_OP_fsub:
    case IR_OP_fmul: case IR_OP_fdiv: case IR_OP_fmin: case IR_OP_fmax: case IR_OP_sqrt:
    case IR_OP_ceil: case IR_OP_floor: case IR_OP_trunc: case IR_OP_nearest:
        return true;
    default:
        return false;
    }
}

uint16_t interp_f16_op(unsigned op, uint16_t a, uint16_t b)
{
    switch (op) {
    case IR_OP_fneg: return a ^ H_SIGN;
    case IR_OP_fabs: return a & ~H_SIGN;
    case IR_OP_fcopysign: return (uint16_t)((a & ~H_SIGN) | (b & H_SIGN));
    default: break;
    }
    if (nan16(a))
        return a | H_QUIET;
    if (is_binary(op) && nan16(b))
        return b | H_QUIET;
    float x = interp_f16_to_f32(a), y = interp_f16_to_f32(b);
    switch (op) {
    case IR_OP_fadd: return res16(x + y);
    case IR_OP_fsub: return res16(x - y);
    case IR_OP_fmul: return res16(x * y);
    case IR_OP_fdiv: return res16(x / y);
    case IR_OP_fmin: return x < y ? a : y < x ? b : a | b;
    case IR_OP_fmax: return x > y ? a : y > x ? b : a & b;
    case IR_OP_sqrt: return res16(sqrtf(x));
    case IR_OP_ceil: return res16(ceilf(x));
    case IR_OP_floor: return res16(floorf(x));
    case IR_OP_trunc: return res16(truncf(x));
    case IR_OP_nearest: return res16(nearbyintf(x));
    default: return H_CANON;
    }
}

u128 interp_f128_op(unsigned op, u128 a, u128 b)
{
    switch (op) {
    case IR_OP_fneg: return a ^ Q_SIGN;
    case IR_OP_fabs: return a & ~Q_SIGN;
    case IR_OP_fcopysign: return (a & ~Q_SIGN) | (b & Q_SIGN);
    default: break;
    }
    if (nan128(a))
        return a | Q_QUIET;
    if (is_binary(op) && nan128(b))
        return b | Q_QUIET;
    _Float128 x = q(a), y = q(b);
    switch (op) {
    case IR_OP_fadd: return res128(x + y);
    case IR_OP_fsub: return res128(x - y);
    case IR_OP_fmul: return res128(x * y);
    case IR_OP_fdiv: return res128(x / y);
    case IR_OP_fmin: return x < y ? a : y < x ? b : a | b;
    case IR_OP_fmax: return x > y ? a : y > x ? b : a & b;
    case IR_OP_sqrt: return res128(sqrtf128(x));
    case IR_OP_ceil: return res128(ceilf128(x));
    case IR_OP_floor: return res128(floorf128(x));
    case IR_OP_trunc: return res128(truncf128(x));
    case IR_OP_nearest: return res128(nearbyintf128(x));
    default: return Q_CANON;
    }
}

uint16_t interp_f16_fma(uint16_t a, uint16_t b, uint16_t c)
{
    if (nan16(a) || nan16(b) || nan16(c))
        return (nan16(a) ? a : nan16(b) ? b : c) | H_QUIET;
    double r = fma((double)interp_f16_to_f32(a), (double)interp_f16_to_f32(b), (double)interp_f16_to_f32(c));
    _Float16 h = (_Float16)r;       /* one rounding from f64 */
    uint16_t x;
    memcpy(&x, &h, 2);
    return nan16(x) ? H_CANON : x;
}

u128 interp_f128_fma(u128 a, u128 b, u128 c)
{
    if (nan128(a) || nan128(b) || nan128(c))
        return (nan128(a) ? a : nan128(b) ? b : c) | Q_QUIET;
    return res128(fmaf128(q(a), q(b), q(c)));
}

/* The value of f16 or f128 bits as a comparable _Float128 (exact). */
static _Float128 wide_float(unsigned bits, const uint8_t *p)
{
    if (bits == 16) {
        uint16_t h;
        memcpy(&h, p, 2);
        return (_Float128)interp_f16_to_f32(h);
    }
    _Float128 f;
    memcpy(&f, p, 16);
    return f;
}

bool interp_fcmp_wide(unsigned cc, unsigned bits, const uint8_t *a, const uint8_t *b)
{
    _Float128 x = wide_float(bits, a), y = wide_float(bits, b);
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

/* fpromote / fdemote between any two of f16 f32 f64 f128: numbers rounded
 * once (the C conversions), a NaN quieted with its sign and the top of its
 * payload kept, as float.c's promote and demote do. */
void interp_fconvert(unsigned from, unsigned to, const uint8_t *in, uint8_t *out)
{
    static const struct { unsigned exp, frac; } k[] = {{5, 10}, {8, 23}, {11, 52}, {15, 112}};
    unsigned fi = from == 16 ? 0 : from == 32 ? 1 : from == 64 ? 2 : 3;
    unsigned ti = to == 16 ? 0 : to == 32 ? 1 : to == 64 ? 2 : 3;
    u128 x = 0;
    memcpy(&x, in, from / 8);
    u128 sign = x >> (from - 1) & 1, expm = ((u128)1 << k[fi].exp) - 1;
    u128 frac = x & (((u128)1 << k[fi].frac) - 1), e = x >> k[fi].frac & expm;
    if (e == expm && frac) {    /* NaN */
        u128 tf = k[ti].frac >= k[fi].frac ? frac << (k[ti].frac - k[fi].frac) : frac >> (k[fi].frac - k[ti].frac);
        tf |= (u128)1 << (k[ti].frac - 1);
        u128 r = sign << (to - 1) | (((u128)1 << k[ti].exp) - 1) << k[ti].frac | tf;
        memcpy(out, &r, to / 8);
        return;
    }
    _Float128 v;
    if (from == 16) {
        uint16_t h = (uint16_t)x;
        v = (_Float128)interp_f16_to_f32(h);
    } else if (from == 32) {
        float f; memcpy(&f, in, 4); v = (_Float128)f;
    } else if (from == 64) {
        double f; memcpy(&f, in, 8); v = (_Float128)f;
    } else {
        memcpy(&v, in, 16);
    }
    if (to == 16) {
        _Float16 h = (_Float16)v;   /* __trunctfhf2: one rounding */
        memcpy(out, &h, 2);
    } else if (to == 32) {
        float f = (float)v; memcpy(out, &f, 4);
    } else if (to == 64) {
        double f = (double)v; memcpy(out, &f, 8);
    } else {
        memcpy(out, &v, 16);
    }
}

/* fcvt_to_* of f16 or f128 bits at p (float.c's to_int, in _Float128:
 * every f16 and f128 value is exact there). */
int interp_to_int_wide(unsigned fbits, const uint8_t *p, unsigned bits, bool sgn, bool sat, u128 *out)
{
    _Float128 x = wide_float(fbits, p);
    if (x != x) {
        *out = 0;
        return sat ? 0 : IR_TRAP_bad_toint;
    }
    _Float128 t = truncf128(x), hi = ldexpf128(1, sgn ? (int)bits - 1 : (int)bits), lo = sgn ? -hi : 0;
    u128 m = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
    if (!(t >= lo && t < hi)) {
        if (!sat)
            return IR_TRAP_int_ovf;
        if (t < lo)
            *out = sgn ? ((u128)1 << (bits - 1)) & m : 0;
        else
            *out = sgn ? (((u128)1 << (bits - 1)) - 1) : m;
        return 0;
    }
    *out = (sgn ? (u128)(__int128)t : (u128)t) & m;
    return 0;
}

/* fcvt_from_*: x (sign- or zero-extended to 128 bits) to f16 or f128 with
 * one rounding (an integer too big for f16's range is infinite either way). */
void interp_from_int_wide(unsigned fbits, bool sgn, u128 x, uint8_t *out)
{
    _Float128 v = sgn ? (_Float128)(__int128)x : (_Float128)x;
    if (fbits == 128) {
        memcpy(out, &v, 16);
        return;
    }
    _Float16 h = (_Float16)v;
    memcpy(out, &h, 2);
}
