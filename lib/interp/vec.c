/* lib/interp/vec.c: the vector families that move lanes — splat,
 * insertlane/extractlane, shuffles, reductions, narrowing, widening,
 * pairwise sums, Q15 multiplication — and bitcast.  Lane-wise arithmetic
 * is in int.c and float.c, which apply their scalar helpers per lane.
 *
 * x86-specific opcodes follow the hardware instruction they name
 * (instructions.rs): x86_pshufb zeroes a lane whose index has the top bit
 * set, else takes x[index % 16]; x86_pmulhrsw rounds like pmulhrsw
 * (-32768 * -32768 gives -32768, where sqmul_round_sat saturates);
 * x86_pmaddubsw multiplies the unsigned bytes of its first operand by the
 * signed bytes of its second, as pmaddubsw's destination and source, and
 * adds pairs with signed saturation. */
#include "internal.h"

typedef unsigned __int128 u128;

static unsigned lbits(ir_type t) { return ir_type_lane_bits(t); }
static unsigned lanes(ir_type t) { return ir_type_lanes(t); }

/* ---- splat, insertlane, extractlane, scalar_to_vector ------------------------------- */

static int x_lanes(interp_ctx *C, islot *S, const dinst *d)
{
    islot r;
    memset(&r, 0, sizeof r);
    switch (d->op) {
    case IR_OP_splat: {
        unsigned b = lbits(d->ty);
        uint64_t v = S[d->a].d[0];
        for (unsigned i = 0; i < lanes(d->ty); i++)
            interp_set_lane(&r, b, i, v);
        break;
    }
    case IR_OP_insertlane: {
        unsigned b = lbits(d->ty);
        r = S[d->a];
        interp_set_lane(&r, b, d->cc, S[d->b].d[0]);
        break;
    }
    case IR_OP_extractlane:
        r.d[0] = interp_lane(&S[d->a], lbits(d->ty2), d->cc);
        break;
    default:    /* scalar_to_vector */
        interp_set_lane(&r, lbits(d->ty), 0, S[d->a].d[0]);
        break;
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_lanes(interp_dec *D, dinst *d)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    d->fn = x_lanes;
    if (d->op == IR_OP_insertlane || d->op == IR_OP_extractlane) {
        ir_type vt = d->op == IR_OP_insertlane ? d->ty : d->ty2;
        if ((uint64_t)in->imm >= lanes(vt))
            return interp_unsupported(D->d, D->fn, D->inst, "lane %lld of a vector of %u lanes",
                                      (long long)in->imm, lanes(vt));
        d->cc = (uint8_t)in->imm;
    }
    return true;
}

/* ---- shuffle, swizzle, x86_pshufb --------------------------------------------------------- */

static int x_shuffle(interp_ctx *C, islot *S, const dinst *d)
{
    islot r;
    const islot *x = &S[d->a], *y = &S[d->b];
    const uint8_t *mask = d->op == IR_OP_shuffle ? (const uint8_t *)(uintptr_t)d->imm : y->b;
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < 16; i++) {
        unsigned k = mask[i];
        if (d->op == IR_OP_shuffle)
            r.b[i] = k < 16 ? x->b[k] : k < 32 ? y->b[k - 16] : 0;
        else if (d->op == IR_OP_swizzle)
            r.b[i] = k < 16 ? x->b[k] : 0;      /* out of range: 0 */
        else
            r.b[i] = k & 0x80 ? 0 : x->b[k & 15];
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_shuffle(interp_dec *D, dinst *d)
{
    const ir_function *fn = D->fn;
    const ir_inst_data *in = &fn->insts.v[D->inst];
    d->fn = x_shuffle;
    if (d->op == IR_OP_shuffle) {
        if ((uint64_t)in->imm + 16 > fn->bytes.n)
            return interp_unsupported(D->d, fn, D->inst, "a shuffle without its mask");
        d->imm = (uint64_t)(uintptr_t)&fn->bytes.v[(uint32_t)in->imm];
    }
    return true;
}

/* ---- vany_true, vall_true, vhigh_bits ------------------------------------------------------ */

static int x_vreduce(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type t = d->ty2;
    unsigned b = lbits(t), n = lanes(t);
    uint64_t any = 0, all = 1, high = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = interp_lane(&S[d->a], b, i);
        any |= v != 0;
        all &= v != 0;
        high |= (v >> (b - 1) & 1) << i;
    }
    islot r;
    memset(&r, 0, sizeof r);
    r.d[0] = d->op == IR_OP_vany_true ? any : d->op == IR_OP_vall_true ? all
                                                                        : high & interp_mask(lbits(d->ty));
    S[d->r] = r;
    return 0;
}

bool interp_dec_vreduce(interp_dec *D, dinst *d)
{
    d->fn = x_vreduce;
    return true;
}

/* ---- snarrow, unarrow, uunarrow ------------------------------------------------------------- */

static int x_narrow(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type t = d->ty2;     /* the operands' type; the result has half-width lanes */
    unsigned b = lbits(t), n = lanes(t), nb = b / 2;
    int64_t smin = -(1ll << (nb - 1)), smax = (1ll << (nb - 1)) - 1;
    uint64_t umax = interp_mask(nb);
    islot r;
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < 2 * n; i++) {
        uint64_t v = interp_lane(&S[i < n ? d->a : d->b], b, i % n), o;
        if (d->op == IR_OP_uunarrow) {
            o = v > umax ? umax : v;
        } else {
            int64_t s = interp_sext(v, b);
            if (d->op == IR_OP_snarrow)
                o = (uint64_t)(s < smin ? smin : s > smax ? smax : s) & umax;
            else
                o = s < 0 ? 0 : (uint64_t)s > umax ? umax : (uint64_t)s;
        }
        interp_set_lane(&r, nb, i, o);
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_narrow(interp_dec *D, dinst *d)
{
    d->fn = x_narrow;
    return true;
}

/* ---- swiden_low/high, uwiden_low/high ---------------------------------------------------- */

static int x_widen(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type t = d->ty2;
    unsigned b = lbits(t), n = lanes(t), half = n / 2;
    bool high = d->op == IR_OP_swiden_high || d->op == IR_OP_uwiden_high;
    bool sgn = d->op == IR_OP_swiden_low || d->op == IR_OP_swiden_high;
    islot r;
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < half; i++) {
        uint64_t v = interp_lane(&S[d->a], b, i + (high ? half : 0));
        if (sgn)
            v = (uint64_t)interp_sext(v, b) & interp_mask(2 * b);
        interp_set_lane(&r, 2 * b, i, v);
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_widen(interp_dec *D, dinst *d)
{
    d->fn = x_widen;
    return true;
}

/* ---- iadd_pairwise, x86_pmaddubsw ----------------------------------------------------------- */

static int x_pairwise(interp_ctx *C, islot *S, const dinst *d)
{
    islot r;
    memset(&r, 0, sizeof r);
    const islot *x = &S[d->a], *y = &S[d->b];
    if (d->op == IR_OP_x86_pmaddubsw) {
        for (unsigned i = 0; i < 8; i++) {
            int32_t s = (int32_t)x->b[2 * i] * (int8_t)y->b[2 * i] +
                        (int32_t)x->b[2 * i + 1] * (int8_t)y->b[2 * i + 1];
            r.h[i] = (uint16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
        }
    } else {
        unsigned b = lbits(d->ty), n = lanes(d->ty);
        for (unsigned i = 0; i < n; i++) {
            const islot *src = i < n / 2 ? x : y;
            unsigned k = 2 * (i % (n / 2));
            interp_set_lane(&r, b, i, (interp_lane(src, b, k) + interp_lane(src, b, k + 1)) & interp_mask(b));
        }
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_pairwise(interp_dec *D, dinst *d)
{
    d->fn = x_pairwise;
    return true;
}

/* ---- sqmul_round_sat, x86_pmulhrsw ------------------------------------------------------------ */

static int x_qmul(interp_ctx *C, islot *S, const dinst *d)
{
    unsigned b = lbits(d->ty), n = lanes(d->ty);
    int64_t max = (1ll << (b - 1)) - 1;
    islot r;
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < n; i++) {
        int64_t x = interp_sext(interp_lane(&S[d->a], b, i), b), y = interp_sext(interp_lane(&S[d->b], b, i), b);
        int64_t p = (x * y + (1ll << (b - 2))) >> (b - 1);
        if (p > max && d->op == IR_OP_sqmul_round_sat)
            p = max;    /* only MIN * MIN gets here */
        interp_set_lane(&r, b, i, (uint64_t)p & interp_mask(b));
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_qmul(interp_dec *D, dinst *d)
{
    d->fn = x_qmul;
    return true;
}

/* ---- bitcast ----------------------------------------------------------------------------------- */

/* As a store of x and a load of the result type with the same memflags:
 * with `big`, each lane is big endian in memory, in either type. */
static int x_bitcast(interp_ctx *C, islot *S, const dinst *d)
{
    islot r;
    unsigned n = ir_type_bytes(d->ty), from = lbits(d->ty2) / 8, to = lbits(d->ty) / 8;
    memset(&r, 0, sizeof r);
    memcpy(r.b, S[d->a].b, n);
    if (d->mf & IR_MF_BIG) {
        for (unsigned i = 0; from > 1 && i + from <= n; i += from)
            interp_bswap(r.b + i, from);
        for (unsigned i = 0; to > 1 && i + to <= n; i += to)
            interp_bswap(r.b + i, to);
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_bitcast(interp_dec *D, dinst *d)
{
    if (ir_type_bytes(d->ty) != ir_type_bytes(d->ty2))
        return interp_unsupported(D->d, D->fn, D->inst, "bitcast between types of different sizes");
    d->fn = x_bitcast;
    if (!(d->mf & IR_MF_BIG) && !ir_type_is_vector(d->ty) && ir_type_bytes(d->ty) <= 8)
        d->x = XOP_COPY;    /* scalars keep their bytes; the slot is zero past them */
    return true;
}
