/* lib/interp/int.c: integer families — arithmetic, bit operations,
 * comparisons, overflow-reporting forms, selects, extension and constants.
 * Each family works lane by lane through one scalar helper, so scalars and
 * vectors share their semantics (instructions.rs); i128 has its own path.
 *
 * Cranelift's rules kept here: shift and rotate amounts are taken modulo
 * the lane width; udiv/sdiv/urem/srem by zero trap int_divz; sdiv of MIN by
 * -1 traps int_ovf and srem of MIN by -1 is 0; the _cin/_bin forms report
 * whether the whole sum x + y + c (x - y - b) fits, as the hardware's
 * carry and overflow flags do. */
#include "internal.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

void interp_bswap(uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n / 2; i++) {
        uint8_t t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

static int64_t smin_of(unsigned bits) { return bits >= 64 ? INT64_MIN : -(1ll << (bits - 1)); }
static int64_t smax_of(unsigned bits) { return bits >= 64 ? INT64_MAX : (1ll << (bits - 1)) - 1; }

static bool is_shift(unsigned op)
{
    return op == IR_OP_ishl || op == IR_OP_ushr || op == IR_OP_sshr || op == IR_OP_rotl || op == IR_OP_rotr;
}

/* ---- one lane, up to 64 bits --------------------------------------------------- */

int interp_int_op(unsigned op, unsigned bits, uint64_t x, uint64_t y, uint64_t *out)
{
    uint64_t m = interp_mask(bits), r;
    int64_t sx = interp_sext(x, bits), sy = interp_sext(y, bits);
    unsigned sh = (unsigned)(y & (bits - 1));
    switch (op) {
    case IR_OP_iadd: r = x + y; break;
    case IR_OP_isub: r = x - y; break;
    case IR_OP_imul: r = x * y; break;
    case IR_OP_umulhi: r = (uint64_t)(((u128)x * y) >> bits); break;
    case IR_OP_smulhi: r = (uint64_t)(((i128)sx * sy) >> bits); break;
    case IR_OP_udiv:
        if (!y)
            return IR_TRAP_int_divz;
        r = x / y;
        break;
    case IR_OP_sdiv:
        if (!y)
            return IR_TRAP_int_divz;
        if (sx == smin_of(bits) && sy == -1)
            return IR_TRAP_int_ovf;
        r = (uint64_t)(sx / sy);
        break;
    case IR_OP_urem:
        if (!y)
            return IR_TRAP_int_divz;
        r = x % y;
        break;
    case IR_OP_srem:
        if (!y)
            return IR_TRAP_int_divz;
        r = sy == -1 ? 0 : (uint64_t)(sx % sy);
        break;
    case IR_OP_band: r = x & y; break;
    case IR_OP_bor: r = x | y; break;
    case IR_OP_bxor: r = x ^ y; break;
    case IR_OP_smin: r = sx < sy ? x : y; break;
    case IR_OP_smax: r = sx > sy ? x : y; break;
    case IR_OP_umin: r = x < y ? x : y; break;
    case IR_OP_umax: r = x > y ? x : y; break;
    case IR_OP_avg_round: r = (uint64_t)(((u128)x + y + 1) >> 1); break;
    case IR_OP_uadd_sat: {
        u128 s = (u128)x + y;
        r = s > m ? m : (uint64_t)s;
        break;
    }
    case IR_OP_usub_sat: r = x < y ? 0 : x - y; break;
    case IR_OP_sadd_sat:
    case IR_OP_ssub_sat: {
        i128 s = op == IR_OP_sadd_sat ? (i128)sx + sy : (i128)sx - sy;
        if (s > smax_of(bits))
            s = smax_of(bits);
        if (s < smin_of(bits))
            s = smin_of(bits);
        r = (uint64_t)(int64_t)s;
        break;
    }
    case IR_OP_ishl: r = x << sh; break;
    case IR_OP_ushr: r = x >> sh; break;
    case IR_OP_sshr: r = (uint64_t)(sx >> sh); break;
    case IR_OP_rotl: r = sh ? x << sh | x >> (bits - sh) : x; break;
    case IR_OP_rotr: r = sh ? x >> sh | x << (bits - sh) : x; break;
    default: return INTERP_ERR;
    }
    *out = r & m;
    return 0;
}

/* ---- one i128 ----------------------------------------------------------------------- */

/* High 128 bits of the 256-bit product of x and y (unsigned). */
static u128 umulhi128(u128 x, u128 y)
{
    uint64_t x0 = (uint64_t)x, x1 = (uint64_t)(x >> 64), y0 = (uint64_t)y, y1 = (uint64_t)(y >> 64);
    u128 p00 = (u128)x0 * y0, p01 = (u128)x0 * y1, p10 = (u128)x1 * y0, p11 = (u128)x1 * y1;
    u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    return p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
}

static const i128 I128_MIN = (i128)((u128)1 << 127);
static const i128 I128_MAX = (i128)(~(u128)0 >> 1);

static int int128_op(unsigned op, u128 x, u128 y, u128 *out)
{
    i128 sx = (i128)x, sy = (i128)y;
    unsigned sh = (unsigned)(y & 127);
    u128 r;
    switch (op) {
    case IR_OP_iadd: r = x + y; break;
    case IR_OP_isub: r = x - y; break;
    case IR_OP_imul: r = x * y; break;
    case IR_OP_umulhi: r = umulhi128(x, y); break;
    case IR_OP_smulhi: {
        /* the signed high half: unsigned one corrected for negative factors */
        r = umulhi128(x, y);
        if (sx < 0)
            r -= y;
        if (sy < 0)
            r -= x;
        break;
    }
    case IR_OP_udiv:
        if (!y)
            return IR_TRAP_int_divz;
        r = x / y;
        break;
    case IR_OP_sdiv:
        if (!y)
            return IR_TRAP_int_divz;
        if (sx == I128_MIN && sy == -1)
            return IR_TRAP_int_ovf;
        r = (u128)(sx / sy);
        break;
    case IR_OP_urem:
        if (!y)
            return IR_TRAP_int_divz;
        r = x % y;
        break;
    case IR_OP_srem:
        if (!y)
            return IR_TRAP_int_divz;
        r = sy == -1 ? 0 : (u128)(sx % sy);
        break;
    case IR_OP_band: r = x & y; break;
    case IR_OP_bor: r = x | y; break;
    case IR_OP_bxor: r = x ^ y; break;
    case IR_OP_smin: r = sx < sy ? x : y; break;
    case IR_OP_smax: r = sx > sy ? x : y; break;
    case IR_OP_umin: r = x < y ? x : y; break;
    case IR_OP_umax: r = x > y ? x : y; break;
    case IR_OP_avg_round: r = (x >> 1) + (y >> 1) + ((x | y) & 1); break;
    case IR_OP_uadd_sat: r = x + y < x ? ~(u128)0 : x + y; break;
    case IR_OP_usub_sat: r = x < y ? 0 : x - y; break;
    case IR_OP_sadd_sat:
    case IR_OP_ssub_sat: {
        i128 s;
        bool of = op == IR_OP_sadd_sat ? __builtin_add_overflow(sx, sy, &s) : __builtin_sub_overflow(sx, sy, &s);
        if (of)
            s = (op == IR_OP_sadd_sat ? sy : -sy - 1) < 0 ? I128_MIN : I128_MAX;
        r = (u128)s;
        break;
    }
    case IR_OP_ishl: r = x << sh; break;
    case IR_OP_ushr: r = x >> sh; break;
    case IR_OP_sshr: r = (u128)(sx >> sh); break;
    case IR_OP_rotl: r = sh ? x << sh | x >> (128 - sh) : x; break;
    case IR_OP_rotr: r = sh ? x >> sh | x << (128 - sh) : x; break;
    default: return INTERP_ERR;
    }
    *out = r;
    return 0;
}

/* ---- binary family --------------------------------------------------------------- */

static int x_int_binary(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty), n = ir_type_lanes(d->ty);
    islot r;
    memset(&r, 0, sizeof r);
    if (bits == 128) {
        u128 y = is_shift(d->op) ? S[d->b].d[0] : S[d->b].q;
        int st = int128_op(d->op, S[d->a].q, y, &r.q);
        if (st)
            return st == INTERP_ERR ? interp_error(C, "internal error: %s on i128", ir_opcodes[d->op].name) : st;
        S[d->r] = r;
        return 0;
    }
    bool shift = is_shift(d->op);
    uint64_t amount = S[d->b].d[0];
    for (unsigned i = 0; i < n; i++) {
        uint64_t v;
        uint64_t y = shift ? amount : interp_lane(&S[d->b], bits, i);
        int st = interp_int_op(d->op, bits, interp_lane(&S[d->a], bits, i), y, &v);
        if (st)
            return st == INTERP_ERR ? interp_error(C, "internal error: %s", ir_opcodes[d->op].name) : st;
        interp_set_lane(&r, bits, i, v);
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_int_binary(interp_dec *D, dinst *d)
{
    ir_type t = d->ty;
    unsigned bits = ir_type_lane_bits(t);
    d->fn = x_int_binary;
    if (ir_type_is_vector(t) || bits > 64 || !ir_type_is_int(t))
        return true;
    d->imm = interp_mask(bits);
    d->cc = (uint8_t)(bits - 1);
    switch (d->op) {
    case IR_OP_iadd: d->x = XOP_IADD; break;
    case IR_OP_isub: d->x = XOP_ISUB; break;
    case IR_OP_imul: d->x = XOP_IMUL; break;
    case IR_OP_band: d->x = XOP_BAND; break;
    case IR_OP_bor: d->x = XOP_BOR; break;
    case IR_OP_bxor: d->x = XOP_BXOR; break;
    case IR_OP_ishl: d->x = XOP_ISHL; break;
    case IR_OP_ushr: d->x = XOP_USHR; break;
    case IR_OP_sshr: d->x = XOP_SSHR; break;
    default: break;
    }
    return true;
}

/* ---- unary family ------------------------------------------------------------------ */

static unsigned clz64(uint64_t x) { return x ? (unsigned)__builtin_clzll(x) : 64; }
static unsigned ctz64(uint64_t x) { return x ? (unsigned)__builtin_ctzll(x) : 64; }

static uint64_t bitrev64(uint64_t x)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i++, x >>= 1)
        r = r << 1 | (x & 1);
    return r;
}

static uint64_t int_unary(unsigned op, unsigned bits, uint64_t x)
{
    uint64_t m = interp_mask(bits);
    int64_t sx = interp_sext(x, bits);
    switch (op) {
    case IR_OP_ineg: return (0 - x) & m;
    case IR_OP_iabs: return (sx < 0 ? 0 - x : x) & m;  /* MIN stays MIN */
    case IR_OP_bnot: return ~x & m;
    case IR_OP_bitrev: return bitrev64(x) >> (64 - bits);
    case IR_OP_clz: return clz64(x) - (64 - bits);
    case IR_OP_cls: return (sx < 0 ? clz64(~x & m) : clz64(x)) - (64 - bits) - 1;
    case IR_OP_ctz: return x ? ctz64(x) : bits;
    case IR_OP_popcnt: return (uint64_t)__builtin_popcountll(x);
    case IR_OP_bswap: {
        uint8_t b[8];
        memcpy(b, &x, 8);
        interp_bswap(b, bits / 8);
        uint64_t r = 0;
        memcpy(&r, b, bits / 8);
        return r;
    }
    default: return 0;
    }
}

static u128 int128_unary(unsigned op, u128 x)
{
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    switch (op) {
    case IR_OP_ineg: return 0 - x;
    case IR_OP_iabs: return (i128)x < 0 ? 0 - x : x;
    case IR_OP_bnot: return ~x;
    case IR_OP_bitrev: return (u128)bitrev64(lo) << 64 | bitrev64(hi);
    case IR_OP_clz: return hi ? clz64(hi) : 64 + clz64(lo);
    case IR_OP_cls: {
        u128 y = (i128)x < 0 ? ~x : x;
        uint64_t yh = (uint64_t)(y >> 64);
        return (yh ? clz64(yh) : 64 + clz64((uint64_t)y)) - 1;
    }
    case IR_OP_ctz: return lo ? ctz64(lo) : 64 + ctz64(hi);
    case IR_OP_popcnt: return (u128)(__builtin_popcountll(lo) + __builtin_popcountll(hi));
    case IR_OP_bswap: {
        uint8_t b[16];
        memcpy(b, &x, 16);
        interp_bswap(b, 16);
        memcpy(&x, b, 16);
        return x;
    }
    default: return 0;
    }
}

static int x_int_unary(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty), n = ir_type_lanes(d->ty);
    islot r;
    memset(&r, 0, sizeof r);
    if (bits == 128) {
        r.q = int128_unary(d->op, S[d->a].q);
    } else {
        for (unsigned i = 0; i < n; i++)
            interp_set_lane(&r, bits, i, int_unary(d->op, bits, interp_lane(&S[d->a], bits, i)));
    }
    S[d->r] = r;
    return 0;
}

/* bnot of a float or a float vector: the bits of each lane */
bool interp_dec_int_unary(interp_dec *D, dinst *d)
{
    d->fn = x_int_unary;
    return true;
}

/* ---- icmp -------------------------------------------------------------------------- */

static bool icmp128(unsigned cc, u128 x, u128 y)
{
    i128 sx = (i128)x, sy = (i128)y;
    switch (cc) {
    case IR_INTCC_eq: return x == y;
    case IR_INTCC_ne: return x != y;
    case IR_INTCC_slt: return sx < sy;
    case IR_INTCC_sge: return sx >= sy;
    case IR_INTCC_sgt: return sx > sy;
    case IR_INTCC_sle: return sx <= sy;
    case IR_INTCC_ult: return x < y;
    case IR_INTCC_uge: return x >= y;
    case IR_INTCC_ugt: return x > y;
    default: return x <= y;
    }
}

/* Vector lanes are all ones or zeros; a scalar is an i8 0 or 1. */
static int x_icmp(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type t = d->ty2;
    unsigned bits = ir_type_lane_bits(t), n = ir_type_lanes(t);
    islot r;
    memset(&r, 0, sizeof r);
    if (bits == 128) {
        r.d[0] = icmp128(d->cc, S[d->a].q, S[d->b].q);
    } else if (!ir_type_is_vector(t)) {
        r.d[0] = interp_icmp(d->cc, bits, S[d->a].d[0], S[d->b].d[0]);
    } else {
        for (unsigned i = 0; i < n; i++)
            if (interp_icmp(d->cc, bits, interp_lane(&S[d->a], bits, i), interp_lane(&S[d->b], bits, i)))
                interp_set_lane(&r, bits, i, interp_mask(bits));
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_icmp(interp_dec *D, dinst *d)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    d->cc = in->cond;
    d->ty2 = interp_value_type(D, 0);
    d->fn = x_icmp;
    if (!ir_type_is_vector(d->ty2) && ir_type_lane_bits(d->ty2) <= 64) {
        d->x = XOP_ICMP;
        d->imm = ir_type_lane_bits(d->ty2);
    }
    return true;
}

/* ---- overflow family: a result and an i8 flag ---------------------------------------- */

/* x + y + c or x - y - c at width bits (c is 0 or 1); *of gets the
 * overflow of the exact result, signed or unsigned. */
static u128 addsub(bool sub, bool sgn, unsigned bits, u128 x, u128 y, unsigned c, bool *of)
{
    u128 m = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1, top = (u128)1 << (bits - 1);
    u128 r = (sub ? x - y - c : x + y + c) & m;
    if (sgn) {
        /* add: same signs in, another sign out; sub: different signs in */
        bool xs = (x & top) != 0, ys = (y & top) != 0, rs = (r & top) != 0;
        *of = (sub ? xs != ys : xs == ys) && rs != xs;
    } else if (sub) {
        *of = x < y || (c && x == y);
    } else {
        *of = bits < 128 ? x + y + c > m : (r < x || (c && r == x));
    }
    return r;
}

static int x_overflow(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty);
    u128 x = bits == 128 ? S[d->a].q : S[d->a].d[0], y = bits == 128 ? S[d->b].q : S[d->b].d[0], r;
    u128 m = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
    bool of = false;
    unsigned c = 0;
    if (d->op == IR_OP_uadd_overflow_cin || d->op == IR_OP_sadd_overflow_cin ||
        d->op == IR_OP_usub_overflow_bin || d->op == IR_OP_ssub_overflow_bin)
        c = S[d->c].d[0] != 0;      /* an i8: nonzero is 1 */
    switch (d->op) {
    case IR_OP_uadd_overflow:
    case IR_OP_uadd_overflow_cin:
    case IR_OP_uadd_overflow_trap: r = addsub(false, false, bits, x, y, c, &of); break;
    case IR_OP_sadd_overflow:
    case IR_OP_sadd_overflow_cin: r = addsub(false, true, bits, x, y, c, &of); break;
    case IR_OP_usub_overflow:
    case IR_OP_usub_overflow_bin: r = addsub(true, false, bits, x, y, c, &of); break;
    case IR_OP_ssub_overflow:
    case IR_OP_ssub_overflow_bin: r = addsub(true, true, bits, x, y, c, &of); break;
    case IR_OP_umul_overflow: {
        u128 p = x * y;     /* at most 64 bits each: exact */
        of = p > m;
        r = p & m;
        break;
    }
    case IR_OP_smul_overflow: {
        i128 p = (i128)interp_sext((uint64_t)x, bits) * interp_sext((uint64_t)y, bits);
        of = p < smin_of(bits) || p > smax_of(bits);
        r = (u128)p & m;
        break;
    }
    default: return interp_error(C, "internal error: %s", ir_opcodes[d->op].name);
    }
    if (d->op == IR_OP_uadd_overflow_trap) {
        if (of)
            return d->trap;
        S[d->r].q = r;
        return 0;
    }
    S[d->r].q = r;
    S[d->r2].q = of;
    return 0;
}

bool interp_dec_overflow(interp_dec *D, dinst *d)
{
    d->fn = x_overflow;
    if (d->op == IR_OP_uadd_overflow_trap)
        d->trap = D->fn->insts.v[D->inst].trap;
    return true;
}

/* ---- selects ------------------------------------------------------------------------ */

static int x_select(interp_ctx *C, islot *S, const dinst *d)
{
    bool c = ir_type_lane_bits(d->ty2) == 128 ? S[d->a].q != 0 : S[d->a].d[0] != 0;
    S[d->r] = c ? S[d->b] : S[d->c];
    return 0;
}

static int x_bitselect(interp_ctx *C, islot *S, const dinst *d)
{
    islot r;
    r.q = (S[d->a].q & S[d->b].q) | (~S[d->a].q & S[d->c].q);
    S[d->r] = r;
    return 0;
}

/* blendv: the top bit of each lane of c picks x's lane, else y's. */
static int x_blendv(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty), n = ir_type_lanes(d->ty);
    islot r;
    memset(&r, 0, sizeof r);
    if (bits == 128) {
        r = (S[d->a].q >> 127) ? S[d->b] : S[d->c];
    } else {
        for (unsigned i = 0; i < n; i++) {
            bool top = interp_lane(&S[d->a], bits, i) >> (bits - 1) & 1;
            interp_set_lane(&r, bits, i, interp_lane(top ? &S[d->b] : &S[d->c], bits, i));
        }
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_select(interp_dec *D, dinst *d)
{
    switch (d->op) {
    case IR_OP_select:
    case IR_OP_select_spectre_guard:
        d->fn = x_select;
        if (ir_type_lane_bits(d->ty2) <= 64)
            d->x = XOP_SELECT;
        return true;
    case IR_OP_bitselect:
        d->fn = x_bitselect;    /* the bytes past a value's size are zero: so stay they */
        return true;
    default:
        d->fn = x_blendv;
        return true;
    }
}

/* ---- extension, reduction, bmask, iconcat, isplit ------------------------------------- */

static int x_bmask(interp_ctx *C, islot *S, const dinst *d)
{
    bool nz = ir_type_lane_bits(d->ty2) == 128 ? S[d->a].q != 0 : S[d->a].d[0] != 0;
    unsigned bits = ir_type_lane_bits(d->ty);
    S[d->r].q = nz ? (bits == 128 ? ~(u128)0 : interp_mask(bits)) : 0;
    return 0;
}

static int x_iconcat(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty2);
    u128 lo = bits == 64 ? S[d->a].d[0] : S[d->a].d[0] & interp_mask(bits);
    S[d->r].q = lo | (u128)S[d->b].d[0] << bits;
    return 0;
}

static int x_isplit(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned bits = ir_type_lane_bits(d->ty2) / 2;
    u128 x = S[d->a].q;
    if (bits < 64)
        x &= ((u128)1 << (2 * bits)) - 1;
    islot lo = {.q = x & interp_mask(bits)}, hi = {.q = (x >> bits) & interp_mask(bits)};
    S[d->r] = lo;
    S[d->r2] = hi;
    return 0;
}

static int x_extend(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned from = ir_type_lane_bits(d->ty2), to = ir_type_lane_bits(d->ty);
    u128 x = from == 128 ? S[d->a].q : S[d->a].d[0];
    if (d->op == IR_OP_sextend && from < 128)
        x = (u128)(i128)interp_sext((uint64_t)x, from);
    if (to < 128)
        x &= interp_mask(to);
    S[d->r].q = x;
    return 0;
}

bool interp_dec_int_convert(interp_dec *D, dinst *d)
{
    unsigned from = ir_type_lane_bits(d->ty2), to = ir_type_lane_bits(d->ty);
    switch (d->op) {
    case IR_OP_bmask: d->fn = x_bmask; return true;
    case IR_OP_iconcat: d->fn = x_iconcat; return true;
    case IR_OP_isplit: d->fn = x_isplit; return true;
    default: break;
    }
    d->fn = x_extend;
    if (from > 64)
        return true;
    if (d->op == IR_OP_uextend) {
        d->x = XOP_UEXTEND;
    } else if (d->op == IR_OP_sextend) {
        d->x = XOP_SEXTEND;
        d->cc = (uint8_t)from;
        d->imm = to >= 64 ? ~0ull : interp_mask(to);
    } else {
        d->x = XOP_MASK;
        d->imm = interp_mask(to);
    }
    return true;
}

/* ---- constants ------------------------------------------------------------------------ */

static int x_const128(interp_ctx *C, islot *S, const dinst *d)
{
    islot r;
    memset(&r, 0, sizeof r);
    unsigned n = ir_type_bytes(d->ty);
    memcpy(r.b, (const void *)(uintptr_t)d->imm, n > 16 ? 16 : n);
    S[d->r] = r;
    return 0;
}

bool interp_dec_const(interp_dec *D, dinst *d)
{
    const ir_function *fn = D->fn;
    const ir_inst_data *in = &fn->insts.v[D->inst];
    switch (d->op) {
    case IR_OP_iconst:
        d->x = XOP_CONST;
        d->imm = (uint64_t)in->imm & interp_mask(ir_type_lane_bits(d->ty));
        return true;
    case IR_OP_f32const:
        d->x = XOP_CONST;
        d->imm = (uint32_t)in->imm;
        return true;
    case IR_OP_f64const:
        d->x = XOP_CONST;
        d->imm = (uint64_t)in->imm;
        return true;
    case IR_OP_vconst: {
        uint32_t off = (uint32_t)in->imm, len = 16;
        if (in->ent != IR_NONE) {
            if (in->ent >= fn->constants.n)
                return interp_unsupported(D->d, fn, D->inst, "vconst of an undefined constant");
            off = fn->constants.v[in->ent].off;
            len = fn->constants.v[in->ent].len;
        }
        if (len < ir_type_bytes(d->ty) || off + len > fn->bytes.n)
            return interp_unsupported(D->d, fn, D->inst, "a constant of %u bytes for %u", len,
                                      ir_type_bytes(d->ty));
        d->fn = x_const128;
        d->imm = (uint64_t)(uintptr_t)&fn->bytes.v[off];
        return true;
    }
    default:
        return interp_unsupported(D->d, fn, D->inst, "%s", ir_opcodes[d->op].name);
    }
}
