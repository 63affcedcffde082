/* x86-64 lowering of vectors: 128-bit values in xmm registers (the float
 * class), SSE instructions as X64_V* forms that carry their encoding, masks
 * and other constants from the constant pool.  The target line is a
 * contract: SSE2 always, SSSE3, SSE4.1, SSE4.2 only with has_ssse3,
 * has_sse41, has_sse42, AVX only for fma with has_avx and has_fma; without
 * a flag, an SSE2 sequence (or a libcall per lane, for rounding) does the
 * work, as in Cranelift's x64 lower.isle, which these sequences follow.
 * emit.c refuses an instruction the target's flags do not allow. */
#include "x64.h"

#include <string.h>

#define F (&c->f)
#define N CG_NONE   /* "a new vreg" for the emitters below */

#define P0(o) ((int64_t)0x0f00 | (o))
#define P66(o) (XV_66 | 0x0f00 | (o))
#define P38(o) (XV_66 | 0x0f3800 | (o))
#define P3A(o) (XV_66 | 0x0f3a00 | (o))
#define PF2(o) (XV_F2 | 0x0f00 | (o))
#define PF3(o) (XV_F3 | 0x0f00 | (o))
/* ps or pd by lane size */
#define PSD(t, o) (ir_type_lane_bits(t) == 64 ? P66(o) : P0(o))

static uint32_t res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}

bool x64_vec_type(ir_type t)
{
    if (!ir_type_is_vector(t) || (t & IR_TYPE_DYNAMIC))
        return false;
    unsigned n = ir_type_bytes(t);
    return n == 2 || n == 4 || n == 8 || n == 16;
}

/* log2 of the lane's bytes: 0 for i8 .. 3 for i64/f64 */
static unsigned lb(ir_type t)
{
    return (unsigned)__builtin_ctz(ir_type_lane_bits(t) / 8);
}

bool x64_is_vector_inst(const cg_ctx *c, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    if (in->op == IR_OP_load || in->op == IR_OP_store)
        return false;   /* lowermem.c: they keep its addressing modes */
    return cg_vec_inst(c, inst);
}

/* ---- emitters ------------------------------------------------------------------- */

static uint32_t nv(cg_ctx *c) { return cg_new_vreg(F, CG_CLS_FLOAT); }

/* d = a op b; d reuses a's register.  d N: a new vreg. */
static uint32_t vop(cg_ctx *c, int64_t e, uint32_t d, uint32_t a, uint32_t b)
{
    if (d == N)
        d = nv(c);
    cg_inst *i = cg_emit_inst(F, X64_VRR, 3);
    i->imm = e;
    cg_op_def_reuse(F, d, 1);
    cg_op_use(F, a);
    cg_op_use(F, b);
    return d;
}

/* d = op s (non-destructive: pshufd, pmovsx, cvt, movmsk, pextr ...). */
static uint32_t vun(cg_ctx *c, int64_t e, uint32_t d, uint32_t s)
{
    if (d == N)
        d = nv(c);
    cg_inst *i = cg_emit_inst(F, X64_VUN, 2);
    i->imm = e;
    cg_op_def(F, d);
    cg_op_use(F, s);
    return d;
}

/* Shift by an immediate: opcode 0x71 (16-bit lanes) 0x72 (32) 0x73 (64),
 * digit 6 left, 2 logical right, 4 arithmetic right (3/7 byte shifts). */
static uint32_t vshi(cg_ctx *c, unsigned opc, unsigned digit, unsigned k, uint32_t d, uint32_t a)
{
    if (d == N)
        d = nv(c);
    cg_inst *i = cg_emit_inst(F, X64_VSHI, 2);
    i->imm = P66(opc) | XV_DIGIT(digit) | XV_IMM(k);
    cg_op_def_reuse(F, d, 1);
    cg_op_use(F, a);
    return d;
}

static bool all_zero(const uint8_t *b, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (b[k])
            return false;
    return true;
}

/* A 16-byte constant in a register. */
static uint32_t vconst(cg_ctx *c, const uint8_t b[16], uint32_t d)
{
    if (d == N)
        d = nv(c);
    if (all_zero(b, 16)) {
        cg_emit_inst(F, X64_XZERO, 1);
    } else {
        cg_inst *i = cg_emit_inst(F, X64_XLOAD, 1);
        i->size = 16, i->amode = X64_AM_CONST, i->imm = IR_TRAP_NONE;
        i->aux = cg_const_add(F, b, 16, 16);
    }
    cg_op_def(F, d);
    return d;
}

static uint32_t vzero(cg_ctx *c)
{
    static const uint8_t z[16];
    return vconst(c, z, N);
}

/* d = a op [constant b] */
static uint32_t vopc(cg_ctx *c, int64_t e, uint32_t d, uint32_t a, const uint8_t b[16])
{
    if (d == N)
        d = nv(c);
    cg_inst *i = cg_emit_inst(F, X64_VRRM, 2);
    i->imm = e, i->amode = X64_AM_CONST;
    i->aux = cg_const_add(F, b, 16, 16);
    cg_op_def_reuse(F, d, 1);
    cg_op_use(F, a);
    return d;
}

static uint32_t vopk(cg_ctx *c, int64_t e, uint32_t d, uint32_t a, uint64_t x, unsigned bytes)
{
    uint8_t b[16];
    cg_vec_splat_bytes(b, x, bytes);
    return vopc(c, e, d, a, b);
}

static uint32_t vnot(cg_ctx *c, uint32_t d, uint32_t a)
{
    return vopk(c, P66(0xef), d, a, ~0ull, 8);
}

static void vmov(cg_ctx *c, uint32_t d, uint32_t s)
{
    x64_un(c, X64_XMOV, 0, 16, 0, d, s);
}

/* What the target line allows beyond SSE2. */
static bool ssse3(const cg_ctx *c) { return c->target->isa >> CG_ISA_ssse3 & 1; }
static bool sse41(const cg_ctx *c) { return c->target->isa >> CG_ISA_sse41 & 1; }

/* ---- lane tables (by lb) ------------------------------------------------------------ */

static const int64_t padd[4] = {P66(0xfc), P66(0xfd), P66(0xfe), P66(0xd4)};
static const int64_t psub[4] = {P66(0xf8), P66(0xf9), P66(0xfa), P66(0xfb)};
static const int64_t pcmpeq[4] = {P66(0x74), P66(0x75), P66(0x76), P38(0x29)};
static const int64_t pcmpgt[4] = {P66(0x64), P66(0x65), P66(0x66), P38(0x37)};
static const int64_t pmaxs[3] = {P38(0x3c), P66(0xee), P38(0x3d)};
static const int64_t pmins[3] = {P38(0x38), P66(0xea), P38(0x39)};
static const int64_t pmaxu[3] = {P66(0xde), P38(0x3e), P38(0x3f)};
static const int64_t pminu[3] = {P66(0xda), P38(0x3a), P38(0x3b)};
static const int64_t pmovsx[3] = {P38(0x20), P38(0x23), P38(0x25)};
static const int64_t pmovzx[3] = {P38(0x30), P38(0x33), P38(0x35)};
#define PAND P66(0xdb)
#define PANDN P66(0xdf)
#define POR P66(0xeb)
#define PXOR P66(0xef)
#define PSHUFB P38(0x00)
#define PSHUFD(k) (P66(0x70) | XV_IMM(k))
#define PSHUFLW(k) (PF2(0x70) | XV_IMM(k))
#define PSHUFHW(k) (PF3(0x70) | XV_IMM(k))
#define SHUFPS(k) (P0(0xc6) | XV_IMM(k))
#define PEXTRW(k) (P66(0xc5) | XV_IMM(k))
#define PINSRW(k) (P66(0xc4) | XV_IMM(k))
#define PUNPCKL(l) P66(0x60 + (l))      /* bw wd dq by lb of the source lanes */
#define PUNPCKH(l) P66(0x68 + (l))
#define PUNPCKLQDQ P66(0x6c)
#define PACKSSDW P66(0x6b)
#define PSUBUSW P66(0xd9)
#define PMULLW P66(0xd5)
#define PMOVMSKB P66(0xd7)

/* x == y lane by lane; i64x2 without SSE4.1's pcmpeqq: both 32-bit halves
 * equal, the compare of the halves anded with itself swapped in pairs. */
static uint32_t veq(cg_ctx *c, unsigned l, uint32_t d, uint32_t x, uint32_t y)
{
    if (l < 3 || sse41(c))
        return vop(c, pcmpeq[l], d, x, y);
    uint32_t e = vop(c, pcmpeq[2], N, x, y);
    return vop(c, PAND, d, e, vun(c, PSHUFD(0xb1), N, e));
}

/* pmins/pmaxs/pminu/pmaxu for lanes lb l, 0 if the target has none: SSE2
 * has pminsw pmaxsw pminub pmaxub, SSE4.1 the other i8..i32 ones. */
static int64_t minmax_insn(const cg_ctx *c, bool sign, bool min, unsigned l)
{
    if (l == 3 || (l != (sign ? 1u : 0u) && !sse41(c)))
        return 0;
    return sign ? (min ? pmins[l] : pmaxs[l]) : (min ? pminu[l] : pmaxu[l]);
}

/* Byte j of v in all 16 bytes: its word after punpck{l,h}bw v, v (w[0],
 * w[1], made on first use), broadcast by pshuflw/pshufhw and pshufd. */
static uint32_t bcast_byte(cg_ctx *c, uint32_t v, uint32_t w[2], unsigned j)
{
    unsigned h = j >> 3, q = j & 7;
    if (w[h] == N)
        w[h] = vop(c, h ? PUNPCKH(0) : PUNPCKL(0), N, v, v);
    uint32_t t = vun(c, q < 4 ? PSHUFLW(q * 0x55) : PSHUFHW((q - 4) * 0x55), N, w[h]);
    return vun(c, PSHUFD(q < 4 ? 0x00 : 0xaa), N, t);
}

/* pshufb without SSSE3: d byte k = x[m[k]] where m[k] < 16, else 0 (a
 * pshufb mask is first anded with 0x8f), as the OR over j of byte j of x
 * broadcast, anded with m == j. */
static void vswizzle_sse2(cg_ctx *c, uint32_t d, uint32_t x, uint32_t m)
{
    uint32_t w[2] = {N, N}, acc = N;
    for (unsigned j = 0; j < 16; j++) {
        uint32_t eq = vopk(c, pcmpeq[0], N, m, j, 1);
        uint32_t t = vop(c, PAND, N, bcast_byte(c, x, w, j), eq);
        acc = j ? vop(c, POR, j == 15 ? d : N, acc, t) : t;
    }
}

/* Lanes joined: f32 r[0..3] (lane 0 of each) or f64 r[0..1] into d. */
static void vjoin(cg_ctx *c, bool dbl, uint32_t d, const uint32_t *r)
{
    if (dbl) {
        vop(c, P0(0x16), d, r[0], r[1]);                                /* movlhps */
        return;
    }
    uint32_t lo = vop(c, P0(0x14), N, r[0], r[1]), hi = vop(c, P0(0x14), N, r[2], r[3]);   /* unpcklps */
    vop(c, P0(0x16), d, lo, hi);
}

/* An i32x4 of the low halves of gprs g[0..3] (pinsrd, or movd and unpacks). */
static void vfrom_gpr32(cg_ctx *c, uint32_t d, const uint32_t g[4])
{
    uint32_t v[4];
    for (unsigned k = 0; k < 4; k++) {
        if (k && sse41(c)) {
            v[0] = vop(c, P3A(0x22) | XV_IMM(k), k == 3 ? d : N, v[0], g[k]);   /* pinsrd */
            continue;
        }
        v[k] = nv(c);
        x64_un(c, X64_MOVG2X, 0, 4, 0, v[k], g[k]);
    }
    if (sse41(c))
        return;
    uint32_t lo = vop(c, PUNPCKL(2), N, v[0], v[1]), hi = vop(c, PUNPCKL(2), N, v[2], v[3]);
    vop(c, PUNPCKLQDQ, d, lo, hi);
}

/* An i64x2 of gprs lo, hi (pinsrq, or movq and punpcklqdq). */
void x64_vfrom_gpr64(cg_ctx *c, uint32_t d, uint32_t lo, uint32_t hi)
{
    uint32_t m = nv(c);
    x64_un(c, X64_MOVG2X, 0, 8, 0, m, lo);
    if (sse41(c)) {
        vop(c, P3A(0x22) | XV_W | XV_IMM(1), d, m, hi);                     /* pinsrq */
        return;
    }
    uint32_t h = nv(c);
    x64_un(c, X64_MOVG2X, 0, 8, 0, h, hi);
    vop(c, PUNPCKLQDQ, d, m, h);
}

/* The high i64 lane of x into gpr g (pextrq, or pshufd and movq). */
void x64_vhigh64(cg_ctx *c, uint32_t g, uint32_t x)
{
    if (sse41(c))
        vun(c, P3A(0x16) | XV_W | XV_SWAP | XV_IMM(1), g, x);              /* pextrq */
    else
        x64_un(c, X64_MOVX2G, 0, 8, 0, g, vun(c, PSHUFD(0xee), N, x));
}

/* A mask of all ones in the lanes (of lb) where the sign bit of x is set. */
static uint32_t sign_mask(cg_ctx *c, unsigned l, uint32_t x)
{
    if (l == 0)
        return vop(c, pcmpgt[0], N, vzero(c), x);
    if (l == 3)
        return vun(c, PSHUFD(0xf5), N, vshi(c, 0x72, 4, 31, N, x));
    return vshi(c, l == 1 ? 0x71 : 0x72, 4, l == 1 ? 15 : 31, N, x);
}

/* (x & m) | (y & ~m) */
static void bitsel(cg_ctx *c, uint32_t d, uint32_t m, uint32_t x, uint32_t y)
{
    uint32_t t1 = vop(c, PAND, N, x, m), t2 = vop(c, PANDN, N, m, y);
    vop(c, POR, d, t1, t2);
}

/* ---- integer comparisons ---------------------------------------------------------- */

/* x > y signed; i64x2 without SSE4.2: from 32-bit compares, the low
 * halves' sign bits flipped (then signed order is their unsigned one). */
static uint32_t pgt(cg_ctx *c, unsigned l, uint32_t d, uint32_t x, uint32_t y)
{
    if (l < 3 || (c->target->isa >> CG_ISA_sse42 & 1))
        return vop(c, pcmpgt[l], d, x, y);
    uint32_t xm = vopk(c, PXOR, N, x, 0x80000000u, 8), ym = vopk(c, PXOR, N, y, 0x80000000u, 8);
    uint32_t gt = vop(c, pcmpgt[2], N, xm, ym), eq = vop(c, pcmpeq[2], N, xm, ym);
    uint32_t lo = vop(c, PAND, N, vun(c, PSHUFD(0xa0), N, gt), vun(c, PSHUFD(0xf5), N, eq));
    return vop(c, POR, d, lo, vun(c, PSHUFD(0xf5), N, gt));
}

/* icmp cond of lanes lb l into d; unsigned orders by bias or min/max. */
static void vicmp(cg_ctx *c, unsigned cond, unsigned l, uint32_t d, uint32_t x, uint32_t y)
{
    uint64_t bias = 1ull << (8 * (1u << l) - 1);
    bool ge = cond == IR_INTCC_sge || cond == IR_INTCC_uge;
    int64_t mm;
    switch (cond) {
    case IR_INTCC_eq: veq(c, l, d, x, y); return;
    case IR_INTCC_ne: vnot(c, d, veq(c, l, N, x, y)); return;
    case IR_INTCC_sgt: pgt(c, l, d, x, y); return;
    case IR_INTCC_slt: pgt(c, l, d, y, x); return;
    case IR_INTCC_sge: case IR_INTCC_sle:
        if ((mm = minmax_insn(c, true, !ge, l)))
            veq(c, l, d, vop(c, mm, N, x, y), x);
        else            /* not (y > x), not (x > y) */
            vnot(c, d, pgt(c, l, N, ge ? y : x, ge ? x : y));
        return;
    case IR_INTCC_uge: case IR_INTCC_ule:
        if ((mm = minmax_insn(c, false, !ge, l))) {
            veq(c, l, d, vop(c, mm, N, x, y), x);
            return;
        }
        if (l == 1) {   /* y -us x == 0, x -us y == 0 */
            veq(c, 1, d, vop(c, PSUBUSW, N, ge ? y : x, ge ? x : y), vzero(c));
            return;
        }
        /* fall through */
    default: {      /* with the bias (uge, ule inverted) */
        uint32_t xb = vopk(c, PXOR, N, x, bias, 1u << l), yb = vopk(c, PXOR, N, y, bias, 1u << l);
        if (cond == IR_INTCC_ugt)
            pgt(c, l, d, xb, yb);
        else if (cond == IR_INTCC_ult)
            pgt(c, l, d, yb, xb);
        else if (cond == IR_INTCC_uge)      /* not (y > x) */
            vnot(c, d, pgt(c, l, N, yb, xb));
        else
            vnot(c, d, pgt(c, l, N, xb, yb));
    }
    }
}

/* fcmp: cmpps/cmppd predicates (0 eq, 1 lt, 2 le, 3 unord, 4 neq, 5 nlt,
 * 6 nle, 7 ord), with the operands swapped for gt, ge, ult, ule. */
static void vfcmp(cg_ctx *c, unsigned cond, ir_type t, uint32_t d, uint32_t x, uint32_t y)
{
    static const struct { uint8_t pred, swap; } m[IR_FLOATCC_COUNT] = {
        [IR_FLOATCC_ord] = {7, 0}, [IR_FLOATCC_uno] = {3, 0}, [IR_FLOATCC_eq] = {0, 0},
        [IR_FLOATCC_ne] = {4, 0}, [IR_FLOATCC_lt] = {1, 0}, [IR_FLOATCC_le] = {2, 0},
        [IR_FLOATCC_gt] = {1, 1}, [IR_FLOATCC_ge] = {2, 1}, [IR_FLOATCC_ult] = {6, 1},
        [IR_FLOATCC_ule] = {5, 1}, [IR_FLOATCC_ugt] = {6, 0}, [IR_FLOATCC_uge] = {5, 0},
    };
    int64_t cmp = PSD(t, 0xc2);
    if (cond == IR_FLOATCC_one || cond == IR_FLOATCC_ueq) {
        bool one = cond == IR_FLOATCC_one;
        uint32_t a = vop(c, cmp | XV_IMM(one ? 7 : 3), N, x, y);
        uint32_t b = vop(c, cmp | XV_IMM(one ? 4 : 0), N, x, y);
        vop(c, one ? PAND : POR, d, a, b);
        return;
    }
    vop(c, cmp | XV_IMM(m[cond].pred), d, m[cond].swap ? y : x, m[cond].swap ? x : y);
}

/* ---- shifts ----------------------------------------------------------------------- */

static bool vshift(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned l = lb(t), bits = 8u << l, op = in->op;
    uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0);
    int64_t k = 0;   /* read only when imm */
    bool imm = cg_iconst_of(c, a[1], &k);
    uint32_t amt = N, n = N;    /* the amount: in an xmm register, in a gpr */
    if (imm) {
        k &= bits - 1;
    } else {
        uint32_t r = x64_put_in_reg(c, a[1]);
        n = x64_new_int(c);
        x64_ri(c, X64_ALUI, X64_AND, 4, n, r, bits - 1);
        amt = x64_new_flt(c);
        x64_un(c, X64_MOVG2X, 0, 4, 0, amt, n);
    }
    /* by lb: shift by an xmm count; by immediate: opcode, digits shl shr sar */
    static const int64_t sll[4] = {0, P66(0xf1), P66(0xf2), P66(0xf3)};
    static const int64_t srl[4] = {0, P66(0xd1), P66(0xd2), P66(0xd3)};
    static const int64_t sra[4] = {0, P66(0xe1), P66(0xe2), 0};
    if (op == IR_OP_sshr && l == 0) {   /* bytes into the high halves of words, psraw 8 + n, pack */
        uint32_t lo = vop(c, P66(0x60), N, x, x), hi = vop(c, P66(0x68), N, x, x);
        if (imm) {
            lo = vshi(c, 0x71, 4, (unsigned)k + 8, N, lo);
            hi = vshi(c, 0x71, 4, (unsigned)k + 8, N, hi);
        } else {
            uint32_t n8 = x64_new_int(c), a8 = x64_new_flt(c);
            x64_ri(c, X64_ALUI, X64_ADD, 4, n8, n, 8);
            x64_un(c, X64_MOVG2X, 0, 4, 0, a8, n8);
            lo = vop(c, sra[1], N, lo, a8);
            hi = vop(c, sra[1], N, hi, a8);
        }
        vop(c, P66(0x63), d, lo, hi);   /* packsswb */
        return true;
    }
    if (op == IR_OP_sshr && l == 3) {   /* (x >>u n ^ m) - m, m = sign bit >>u n */
        uint32_t t1, m;
        static const uint8_t sb[16] = {[7] = 0x80, [15] = 0x80};
        if (imm) {
            t1 = vshi(c, 0x73, 2, (unsigned)k, N, x);
            uint8_t mb[16];
            cg_vec_splat_bytes(mb, 0x8000000000000000ull >> k, 8);
            m = vconst(c, mb, N);
        } else {
            t1 = vop(c, srl[3], N, x, amt);
            m = vop(c, srl[3], N, vconst(c, sb, N), amt);
        }
        vop(c, psub[3], d, vop(c, PXOR, N, t1, m), m);
        return true;
    }
    unsigned wl = l == 0 ? 1 : l;       /* bytes shift as words, then a mask */
    uint32_t s;
    if (imm) {
        unsigned opc = wl == 1 ? 0x71 : wl == 2 ? 0x72 : 0x73;
        unsigned dig = op == IR_OP_ishl ? 6 : op == IR_OP_ushr ? 2 : 4;
        s = vshi(c, opc, dig, (unsigned)k, l ? d : N, x);
    } else {
        s = vop(c, op == IR_OP_ishl ? sll[wl] : op == IR_OP_ushr ? srl[wl] : sra[wl], l ? d : N, x, amt);
    }
    if (l)
        return true;
    if (imm) {
        unsigned m = op == IR_OP_ishl ? (0xffu << k) & 0xff : 0xffu >> k;
        vopk(c, PAND, d, s, m, 1);
        return true;
    }
    /* the byte mask: all ones shifted as words, its low (shl) or high (shr) byte broadcast */
    uint8_t ones[16], which[16];
    memset(ones, 0xff, 16);
    memset(which, op == IR_OP_ishl ? 0 : 1, 16);
    uint32_t m = vop(c, op == IR_OP_ishl ? sll[1] : srl[1], N, vconst(c, ones, N), amt);
    if (ssse3(c)) {
        m = vop(c, PSHUFB, N, m, vconst(c, which, N));
    } else {    /* that byte of each word into both: shl the low one, shr the high one */
        uint32_t b = vshi(c, 0x71, op == IR_OP_ishl ? 6 : 2, 8, N, m);
        m = vop(c, POR, N, b, vshi(c, 0x71, op == IR_OP_ishl ? 2 : 6, 8, N, b));
    }
    vop(c, PAND, d, s, m);
    return true;
}

/* ---- arithmetic --------------------------------------------------------------------- */

static void vimul(cg_ctx *c, unsigned l, uint32_t d, uint32_t x, uint32_t y)
{
    if (l == 1) {
        vop(c, P66(0xd5), d, x, y);     /* pmullw */
    } else if (l == 2 && sse41(c)) {
        vop(c, P38(0x40), d, x, y);     /* pmulld */
    } else if (l == 2) {    /* pmuludq of lanes 0 and 2, of lanes 1 and 3; the low halves interleaved */
        uint32_t ev = vun(c, PSHUFD(0x08), N, vop(c, P66(0xf4), N, x, y));
        uint32_t xo = vun(c, PSHUFD(0xf5), N, x), yo = vun(c, PSHUFD(0xf5), N, y);
        uint32_t od = vun(c, PSHUFD(0x08), N, vop(c, P66(0xf4), N, xo, yo));
        vop(c, PUNPCKL(2), d, ev, od);
    } else if (l == 3) {    /* lo*lo + ((hi(x)*lo(y) + lo(x)*hi(y)) << 32), pmuludq */
        uint32_t t1 = vop(c, P66(0xf4), N, vshi(c, 0x73, 2, 32, N, x), y);
        uint32_t t2 = vop(c, P66(0xf4), N, vshi(c, 0x73, 2, 32, N, y), x);
        uint32_t hi = vshi(c, 0x73, 6, 32, N, vop(c, padd[3], N, t1, t2));
        vop(c, padd[3], d, vop(c, P66(0xf4), N, x, y), hi);
    } else {                /* bytes doubled into words, pmullw, low bytes, packuswb */
        uint32_t lo = vop(c, P66(0xd5), N, vop(c, P66(0x60), N, x, x), vop(c, P66(0x60), N, y, y));
        uint32_t hi = vop(c, P66(0xd5), N, vop(c, P66(0x68), N, x, x), vop(c, P66(0x68), N, y, y));
        lo = vopk(c, PAND, N, lo, 0x00ff, 2);
        hi = vopk(c, PAND, N, hi, 0x00ff, 2);
        vop(c, P66(0x67), d, lo, hi);
    }
}

/* smin smax umin umax: one instruction where the target has it, else a
 * compare and select (u16: x - (x -us y), (x -us y) + y) */
static void vminmax(cg_ctx *c, unsigned op, unsigned l, uint32_t d, uint32_t x, uint32_t y)
{
    bool min = op == IR_OP_smin || op == IR_OP_umin, sign = op == IR_OP_smin || op == IR_OP_smax;
    int64_t mm = minmax_insn(c, sign, min, l);
    if (mm) {
        vop(c, mm, d, x, y);
        return;
    }
    if (!sign && l == 1) {
        uint32_t s = vop(c, PSUBUSW, N, x, y);
        if (min)
            vop(c, psub[1], d, x, s);
        else
            vop(c, padd[1], d, s, y);
        return;
    }
    uint32_t gt = nv(c);    /* x > y: min takes y, max takes x */
    vicmp(c, sign ? IR_INTCC_sgt : IR_INTCC_ugt, l, gt, x, y);
    bitsel(c, d, gt, min ? y : x, min ? x : y);
}

/* fmin/fmax with Cranelift's rules: NaN if either is (a quiet one,
 * payload cleared), -0.0 below +0.0. */
static void vfminmax(cg_ctx *c, bool max, ir_type t, uint32_t d, uint32_t x, uint32_t y)
{
    bool dbl = ir_type_lane_bits(t) == 64;
    int64_t op = PSD(t, max ? 0x5f : 0x5d), cmp = PSD(t, 0xc2) | XV_IMM(3);
    unsigned sh = dbl ? 13 : 10, sopc = dbl ? 0x73 : 0x72;
    uint32_t m1 = vop(c, op, N, x, y), m2 = vop(c, op, N, y, x);
    if (!max) {
        uint32_t o = vop(c, POR, N, m1, m2);
        uint32_t nan = vop(c, cmp, N, o, m2);
        uint32_t o2 = vop(c, POR, N, o, nan);
        vop(c, PANDN, d, vshi(c, sopc, 2, sh, N, nan), o2);
        return;
    }
    uint32_t x1 = vop(c, PXOR, N, m1, m2);
    uint32_t bl = vop(c, POR, N, m1, x1);
    uint32_t pos = vop(c, PSD(t, 0x5c), N, bl, x1);
    uint32_t nan = vop(c, cmp, N, bl, bl);
    vop(c, PANDN, d, vshi(c, sopc, 2, sh, N, nan), pos);
}

/* fma per lane through fmaf/fma (no FMA on the target). */
static void vfma_libcall(cg_ctx *c, ir_type t, uint32_t d, const uint32_t *v)
{
    bool dbl = ir_type_lane_bits(t) == 64;
    ir_type lt = dbl ? IR_F64 : IR_F32, ts[3] = {lt, lt, lt};
    unsigned n = dbl ? 2 : 4;
    uint32_t r[4];
    for (unsigned k = 0; k < n; k++) {
        uint32_t a[3];
        for (unsigned j = 0; j < 3; j++)
            a[j] = k ? vun(c, PSHUFD(dbl ? 0xee : k), N, v[j]) : v[j];
        r[k] = nv(c);
        cg_libcall(c, dbl ? "fma" : "fmaf", ts, a, 3, lt, r[k]);
    }
    vjoin(c, dbl, d, r);
}

/* ceil floor trunc nearest per lane through the libm functions (no SSE4.1
 * round{ps,pd}), as Cranelift does; mode as the rounding immediate */
static void vround_libcall(cg_ctx *c, unsigned mode, bool dbl, uint32_t d, uint32_t x)
{
    static const char *const fns[2][4] = {{"nearbyintf", "floorf", "ceilf", "truncf"},
                                          {"nearbyint", "floor", "ceil", "trunc"}};
    ir_type lt = dbl ? IR_F64 : IR_F32;
    uint32_t r[4];
    for (unsigned k = 0; k < (dbl ? 2u : 4u); k++) {
        uint32_t a = k ? vun(c, PSHUFD(dbl ? 0xee : k), N, x) : x;
        r[k] = nv(c);
        cg_libcall(c, fns[dbl][mode], &lt, &a, 1, lt, r[k]);
    }
    vjoin(c, dbl, d, r);
}

/* lane k of an i64x2 in a gpr */
static uint32_t lane64(cg_ctx *c, uint32_t x, unsigned k)
{
    uint32_t g = x64_new_int(c);
    if (k)
        x64_vhigh64(c, g, x);
    else
        x64_un(c, X64_MOVX2G, 0, 8, 0, g, x);
    return g;
}

/* i64x2 x, y to the i32x4 of their lanes clamped, lane by lane: snarrow
 * to the signed range, unarrow (signed) and uunarrow (unsigned) to the
 * unsigned one */
static void vnarrow64(cg_ctx *c, unsigned op, uint32_t d, uint32_t x, uint32_t y)
{
    bool s = op == IR_OP_snarrow;
    uint32_t lane[4];
    for (unsigned k = 0; k < 4; k++) {
        uint32_t g = lane64(c, k < 2 ? x : y, k & 1), kh = x64_movi(c, 8, s ? INT32_MAX : UINT32_MAX);
        uint32_t m = x64_new_int(c), r = m;
        cg_inst *i = cg_emit_inst(F, X64_CMP, 2);
        i->cc = X64_CMPOP, i->size = 8;
        cg_op_use(F, g);
        cg_op_use(F, kh);
        x64_cmov(c, op == IR_OP_uunarrow ? X64_CC_A : X64_CC_G, 8, m, g, kh);
        if (op != IR_OP_uunarrow) {
            uint32_t kl = x64_movi(c, 8, s ? INT32_MIN : 0);
            r = x64_new_int(c);
            i = cg_emit_inst(F, X64_CMP, 2);
            i->cc = X64_CMPOP, i->size = 8;
            cg_op_use(F, m);
            cg_op_use(F, kl);
            x64_cmov(c, X64_CC_L, 8, r, m, kl);
        }
        lane[k] = r;
    }
    vfrom_gpr32(c, d, lane);
}

/* f64x2 to i64x2 saturating, lane by lane (the scalar sequence) */
static void vcvt_f64_i64(cg_ctx *c, bool sign, uint32_t d, uint32_t x)
{
    uint32_t g[2];
    for (unsigned k = 0; k < 2; k++) {
        uint32_t f = k ? vun(c, PSHUFD(0xee), N, x) : x;
        g[k] = x64_new_int(c);
        cg_inst *i = cg_emit_inst(F, X64_CVTSEQ, 5);
        i->cc = (uint8_t)((sign ? X64_CVT_SIGNED : 0) | X64_CVT_SAT), i->size = 8, i->aux = 8;
        cg_op_def(F, g[k]);
        cg_op_use(F, f);
        cg_op_temp(F, nv(c));
        cg_op_temp(F, nv(c));
        cg_op_temp(F, x64_new_int(c));
    }
    x64_vfrom_gpr64(c, d, g[0], g[1]);
}

/* int lanes (i64x2 signed or unsigned) to f64x2, lane by lane */
static void vcvt_i64_f64(cg_ctx *c, bool sign, uint32_t d, uint32_t x)
{
    uint32_t f[2];
    for (unsigned k = 0; k < 2; k++) {
        uint32_t g = lane64(c, x, k);
        f[k] = nv(c);
        if (sign) {
            x64_un(c, X64_CVTI2F, 0, 8, 8, f[k], g);
        } else {
            cg_inst *i = cg_emit_inst(F, X64_CVTU64, 4);
            i->size = 8;
            cg_op_def(F, f[k]);
            cg_op_use(F, g);
            cg_op_temp(F, x64_new_int(c));
            cg_op_temp(F, x64_new_int(c));
        }
    }
    vop(c, P0(0x16), d, f[0], f[1]);        /* movlhps */
}

static bool vconv(cg_ctx *c, uint32_t inst, ir_type t, ir_type from, uint32_t d, uint32_t x)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    switch (in->op) {
    case IR_OP_fcvt_from_sint:
        if (t == ir_type_make(IR_F32, 2) && from == ir_type_make(IR_I32, 2)) {
            vun(c, P0(0x5b), d, x);                         /* cvtdq2ps */
            return true;
        }
        if (t == ir_type_make(IR_F64, 1) && from == ir_type_make(IR_I64, 1)) {
            vcvt_i64_f64(c, true, d, x);
            return true;
        }
        break;
    case IR_OP_fcvt_from_uint:
        if (t == ir_type_make(IR_F32, 2) && from == ir_type_make(IR_I32, 2)) {
            /* low 16 bits exactly, the high half halved, converted, doubled */
            uint32_t lo = vshi(c, 0x72, 2, 16, N, vshi(c, 0x72, 6, 16, N, x));
            uint32_t hi = vop(c, psub[2], N, x, lo);
            uint32_t flo = vun(c, P0(0x5b), N, lo);
            uint32_t fhi = vun(c, P0(0x5b), N, vshi(c, 0x72, 2, 1, N, hi));
            fhi = vop(c, P0(0x58), N, fhi, fhi);
            vop(c, P0(0x58), d, fhi, flo);
            return true;
        }
        if (t == ir_type_make(IR_F64, 1) && from == ir_type_make(IR_I64, 1)) {
            vcvt_i64_f64(c, false, d, x);
            return true;
        }
        break;
    case IR_OP_fcvt_to_sint_sat: case IR_OP_fcvt_to_uint_sat:
        if (t == ir_type_make(IR_I64, 1) && from == ir_type_make(IR_F64, 1)) {
            vcvt_f64_i64(c, in->op == IR_OP_fcvt_to_sint_sat, d, x);
            return true;
        }
        if (t != ir_type_make(IR_I32, 2) || from != ir_type_make(IR_F32, 2))
            break;
        if (in->op == IR_OP_fcvt_to_sint_sat) {
            uint32_t ord = vop(c, P0(0xc2) | XV_IMM(0), N, x, x);     /* not NaN */
            uint32_t v = vop(c, P0(0x54), N, x, ord);                   /* NaN -> 0 */
            uint32_t pos = vop(c, PXOR, N, ord, v);                     /* sign clear: positive */
            uint32_t r = vun(c, PF3(0x5b), N, v);                       /* cvttps2dq */
            uint32_t ov = vshi(c, 0x72, 4, 31, N, vop(c, PAND, N, pos, r));
            vop(c, PXOR, d, ov, r);     /* positive overflow 0x80000000 -> 0x7fffffff */
            return true;
        } else {
            uint8_t two31[16];
            cg_vec_splat_bytes(two31, 0x4f000000, 4);
            uint32_t v = vop(c, P0(0x5f), N, x, vzero(c));             /* NaN, negative -> 0 */
            uint32_t big = vconst(c, two31, N);
            uint32_t r = vun(c, PF3(0x5b), N, v);
            uint32_t v2 = vop(c, P0(0x5c), N, v, big);                  /* x - 2^31 */
            uint32_t sat = vop(c, P0(0xc2) | XV_IMM(2), N, big, v2);    /* 2^31 <= x - 2^31 */
            uint32_t r2 = vop(c, PXOR, N, vun(c, PF3(0x5b), N, v2), sat);
            if (sse41(c))
                r2 = vop(c, pmaxs[2], N, r2, vzero(c));
            else            /* max(r2, 0): r2 and not its sign */
                r2 = vop(c, PANDN, N, vshi(c, 0x72, 4, 31, N, r2), r2);
            vop(c, padd[2], d, r2, r);
            return true;
        }
        break;
    case IR_OP_x86_cvtt2dq:
        vun(c, PF3(0x5b), d, x);
        return true;
    case IR_OP_fvpromote_low:
        vun(c, P0(0x5a), d, x);                                         /* cvtps2pd */
        return true;
    case IR_OP_fvdemote:
        vun(c, P66(0x5a), d, x);                                        /* cvtpd2ps */
        return true;
    default:
        break;
    }
    return cg_unsupported(c, inst, NULL);
}

/* popcnt: nibbles looked up with pshufb (without SSSE3: the bytes' bits
 * summed in pairs, nibbles, bytes), then bytes summed to the lane */
static void vpopcnt(cg_ctx *c, unsigned l, uint32_t d, uint32_t x)
{
    static const uint8_t lut[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
    uint32_t s;
    if (ssse3(c)) {
        uint32_t lo = vopk(c, PAND, N, x, 0x0f, 1);
        uint32_t hi = vopk(c, PAND, N, vshi(c, 0x71, 2, 4, N, x), 0x0f, 1);
        uint32_t a = vop(c, PSHUFB, N, vconst(c, lut, N), lo), b = vop(c, PSHUFB, N, vconst(c, lut, N), hi);
        s = vop(c, padd[0], l ? N : d, a, b);
    } else {    /* word shifts: the bits they carry across bytes are masked off */
        uint32_t t = vop(c, psub[0], N, x, vopk(c, PAND, N, vshi(c, 0x71, 2, 1, N, x), 0x55, 1));
        uint32_t u = vop(c, padd[0], N, vopk(c, PAND, N, t, 0x33, 1),
                         vopk(c, PAND, N, vshi(c, 0x71, 2, 2, N, t), 0x33, 1));
        s = vopk(c, PAND, l ? N : d, vop(c, padd[0], N, u, vshi(c, 0x71, 2, 4, N, u)), 0x0f, 1);
    }
    if (l == 0)
        return;
    if (l == 3) {
        vop(c, P66(0xf6), d, s, vzero(c));                              /* psadbw */
        return;
    }
    uint32_t w;
    if (ssse3(c)) {
        uint8_t ones[16];
        memset(ones, 1, 16);
        w = vop(c, P38(0x04), l == 1 ? d : N, vconst(c, ones, N), s);  /* pmaddubsw */
    } else {    /* the two bytes of each word added */
        w = vop(c, padd[1], l == 1 ? d : N, vopk(c, PAND, N, s, 0x00ff, 2), vshi(c, 0x71, 2, 8, N, s));
    }
    if (l == 2)
        vopk(c, P66(0xf5), d, w, 1, 2);                                 /* pmaddwd */
}

/* iabs without SSSE3's pabs: min(x, -x) unsigned for i8, max(x, -x) for
 * i16, (x ^ s) - s with s the sign mask for i32 and i64 */
static void viabs_sse2(cg_ctx *c, unsigned l, uint32_t d, uint32_t x)
{
    if (l < 2) {
        uint32_t n = vop(c, psub[l], N, vzero(c), x);
        vop(c, l ? pmaxs[1] : pminu[0], d, x, n);
        return;
    }
    uint32_t s = sign_mask(c, l, x);
    vop(c, psub[l], d, vop(c, PXOR, N, x, s), s);
}

/* swiden/uwiden (high: of the high half) to lanes lb l: pmovsx/pmovzx, or
 * unpacks with zero (unsigned), with itself then an arithmetic shift, or
 * with the sign mask for i32 to i64 */
static void vwiden(cg_ctx *c, bool sign, bool high, unsigned l, uint32_t d, uint32_t x)
{
    if (sse41(c)) {
        if (high)
            x = vun(c, PSHUFD(0xee), N, x);
        vun(c, (sign ? pmovsx : pmovzx)[l - 1], d, x);
        return;
    }
    int64_t un = high ? PUNPCKH(l - 1) : PUNPCKL(l - 1);
    if (!sign)
        vop(c, un, d, x, vzero(c));
    else if (l < 3)
        vshi(c, l == 1 ? 0x71 : 0x72, 4, l == 1 ? 8 : 16, d, vop(c, un, N, x, x));
    else
        vop(c, un, d, x, vop(c, pcmpgt[2], N, vzero(c), x));
}

/* i32x4 lanes already in 0..0xffff to u16x8 without SSE4.1's packusdw:
 * biased into the signed range, packssdw, unbiased */
static void vpack_u16(cg_ctx *c, uint32_t d, uint32_t x, uint32_t y)
{
    uint32_t xb = vopk(c, psub[2], N, x, 0x8000, 4), yb = vopk(c, psub[2], N, y, 0x8000, 4);
    vopk(c, PXOR, d, vop(c, PACKSSDW, N, xb, yb), 0x8000, 2);
}

/* i32x4 lanes clamped to 0..0xffff: as unsigned numbers, or as signed */
static uint32_t vclamp_u16(cg_ctx *c, bool sign, uint32_t x)
{
    uint32_t gt;
    if (sign) {
        x = vop(c, PAND, N, x, vop(c, pcmpgt[2], N, x, vzero(c)));     /* negative: 0 */
        gt = vopk(c, pcmpgt[2], N, x, 0xffff, 4);
    } else {
        gt = vopk(c, pcmpgt[2], N, vopk(c, PXOR, N, x, 0x80000000u, 4), 0x8000ffffu, 4);
    }
    /* where gt: 0xffff (gt shifted right) */
    return vop(c, POR, N, vop(c, PANDN, N, gt, x), vshi(c, 0x72, 2, 16, N, gt));
}

/* (x * y + 0x4000) >> 15 of i16 lanes, saturated (sqmul_round_sat) or
 * wrapped (pmulhrsw), without SSSE3: the 32-bit products from pmullw and
 * pmulhw */
static void vmulhrs_sse2(cg_ctx *c, bool sat, uint32_t d, uint32_t x, uint32_t y)
{
    uint32_t lo = vop(c, PMULLW, N, x, y), hi = vop(c, P66(0xe5), N, x, y);    /* pmulhw */
    uint32_t p[2] = {vop(c, PUNPCKL(1), N, lo, hi), vop(c, PUNPCKH(1), N, lo, hi)};
    for (unsigned k = 0; k < 2; k++) {
        p[k] = vshi(c, 0x72, 4, 15, N, vopk(c, padd[2], N, p[k], 0x4000, 4));
        if (!sat)       /* the low 16 bits, sign-extended: packssdw keeps them */
            p[k] = vshi(c, 0x72, 4, 16, N, vshi(c, 0x72, 6, 16, N, p[k]));
    }
    vop(c, PACKSSDW, d, p[0], p[1]);
}

/* ---- lanes ---------------------------------------------------------------------------- */

static void vextract(cg_ctx *c, ir_type t, unsigned lane, uint32_t d, uint32_t x)
{
    unsigned l = lb(t);
    if (ir_type_is_float(t)) {
        if (lane == 0)
            vmov(c, d, x);
        else
            vun(c, PSHUFD(l == 3 ? 0xee : lane), d, x);
        return;
    }
    if (lane == 0 && l >= 2) {
        x64_un(c, X64_MOVX2G, 0, l == 3 ? 8 : 4, 0, d, x);
        return;
    }
    if (l == 1) {
        vun(c, PEXTRW(lane), d, x);
    } else if (sse41(c)) {
        static const int64_t pextr[4] = {P3A(0x14), 0, P3A(0x16), P3A(0x16) | XV_W};  /* b, d, q */
        vun(c, pextr[l] | XV_SWAP | XV_IMM(lane), d, x);
    } else if (l == 0) {    /* the word with the lane, then its low or high byte */
        uint32_t w = x64_new_int(c);
        vun(c, PEXTRW(lane / 2), w, x);
        if (lane & 1)
            x64_ri(c, X64_SHIFTI, X64_SHR, 4, d, w, 8);
        else
            x64_ri(c, X64_ALUI, X64_AND, 4, d, w, 0xff);
    } else if (l == 2) {
        x64_un(c, X64_MOVX2G, 0, 4, 0, d, vun(c, PSHUFD(lane), N, x));
    } else {
        x64_vhigh64(c, d, x);
    }
}

static void vinsert(cg_ctx *c, ir_type t, unsigned lane, uint32_t d, uint32_t x, uint32_t y)
{
    static const int64_t pinsr[4] = {P3A(0x20), P66(0xc4), P3A(0x22), P3A(0x22) | XV_W};
    unsigned l = lb(t);
    if (ir_type_is_float(t)) {
        if (l == 3) {
            vop(c, lane ? P0(0x16) : PF2(0x10), d, x, y);                    /* movlhps / movsd */
        } else if (sse41(c)) {
            vop(c, P3A(0x21) | XV_IMM(lane << 4), d, x, y);                  /* insertps */
        } else if (lane == 0) {
            vop(c, PF3(0x10), d, x, y);                                      /* movss */
        } else {    /* shufps: y's lane 0 beside the lanes of x that go with it, then all in place */
            static const uint8_t pre[4] = {0, 0x00, 0xf0, 0xa0}, fin[4] = {0, 0xe2, 0x84, 0x24};
            uint32_t u = vop(c, SHUFPS(pre[lane]), N, y, x);
            if (lane == 1)
                vop(c, SHUFPS(fin[1]), d, u, x);    /* [x0 y0 x2 x3] from [y0 y0 x0 x0] */
            else
                vop(c, SHUFPS(fin[lane]), d, x, u); /* [x0 x1 y0 x3], [x0 x1 x2 y0] */
        }
        return;
    }
    if (l == 1 || sse41(c)) {
        vop(c, pinsr[l] | XV_IMM(lane), d, x, y);
        return;
    }
    if (l == 0) {           /* the word with the lane, the byte merged into it in a gpr */
        uint32_t w = x64_new_int(c), k = x64_new_int(c), m = x64_new_int(c);
        uint32_t b = x64_extend(c, y, 8, 4, false);
        vun(c, PEXTRW(lane / 2), w, x);
        x64_ri(c, X64_ALUI, X64_AND, 4, k, w, lane & 1 ? 0x00ff : 0xff00);
        if (lane & 1) {
            uint32_t s = x64_new_int(c);
            x64_ri(c, X64_SHIFTI, X64_SHL, 4, s, b, 8);
            b = s;
        }
        x64_rr(c, X64_ALU, X64_OR, 4, m, k, b);
        vop(c, PINSRW(lane / 2), d, x, m);
    } else if (l == 2) {    /* the low and the high half as two words */
        uint32_t h = x64_new_int(c);
        uint32_t v = vop(c, PINSRW(2 * lane), N, x, y);
        x64_ri(c, X64_SHIFTI, X64_SHR, 4, h, y, 16);
        vop(c, PINSRW(2 * lane + 1), d, v, h);
    } else {
        uint32_t m = nv(c);
        x64_un(c, X64_MOVG2X, 0, 8, 0, m, y);
        vop(c, lane ? PUNPCKLQDQ : PF2(0x10), d, x, m);                      /* movsd */
    }
}

static void vsplat(cg_ctx *c, ir_type t, uint32_t d, uint32_t v)
{
    unsigned l = lb(t);
    ir_type lt = ir_type_lane(t);
    uint64_t k;
    if (cg_vec_const_scalar(c, v, &k)) {
        uint8_t b[16];
        cg_vec_splat_bytes(b, k, 1u << l);
        vconst(c, b, d);
        return;
    }
    uint32_t x = x64_put_in_reg(c, v);
    if (lt == IR_F32 || lt == IR_F64) {
        vun(c, PSHUFD(l == 3 ? 0x44 : 0), d, x);
        return;
    }
    uint32_t m = nv(c);
    x64_un(c, X64_MOVG2X, 0, l == 3 ? 8 : 4, 0, m, x);
    switch (l) {
    case 0:
        if (ssse3(c))
            vop(c, PSHUFB, d, m, vzero(c));
        else
            vun(c, PSHUFD(0), d, vun(c, PSHUFLW(0), N, vop(c, PUNPCKL(0), N, m, m)));
        break;
    case 1: vun(c, PSHUFD(0), d, vun(c, PSHUFLW(0), N, m)); break;
    case 2: vun(c, PSHUFD(0), d, m); break;
    default: vun(c, PSHUFD(0x44), d, m); break;
    }
}

/* shuffle without SSSE3: pshufd or shufps when the mask moves whole
 * 32-bit lanes, else each source byte broadcast, anded with the mask of
 * the bytes it goes to, ored together */
static void vshuffle_sse2(cg_ctx *c, const uint8_t *mask, uint32_t d, uint32_t x, uint32_t y)
{
    uint8_t dw[4];
    unsigned from_y = 0, imm = 0;
    bool dwords = cg_shuffle_lanes(mask, 4, dw);
    for (unsigned k = 0; k < 4 && dwords; k++) {
        from_y |= (dw[k] >= 4u) << k;
        imm |= (dw[k] & 3u) << (2 * k);
    }
    if (dwords && (from_y == 0 || from_y == 15)) {
        vun(c, PSHUFD(imm), d, from_y ? y : x);
        return;
    }
    if (dwords && (from_y == 12 || from_y == 3)) {
        vop(c, SHUFPS(imm), d, from_y == 12 ? x : y, from_y == 12 ? y : x);
        return;
    }
    uint8_t src[16];
    unsigned n = 0;
    for (unsigned k = 0; k < 16; k++) {
        bool seen = mask[k] >= 32;
        for (unsigned i = 0; i < n && !seen; i++)
            seen = src[i] == mask[k];
        if (!seen)
            src[n++] = mask[k];
    }
    if (n == 0) {
        static const uint8_t z[16];
        vconst(c, z, d);
        return;
    }
    uint32_t wx[2] = {N, N}, wy[2] = {N, N}, acc = N;
    for (unsigned i = 0; i < n; i++) {
        uint8_t sel[16];
        for (unsigned k = 0; k < 16; k++)
            sel[k] = mask[k] == src[i] ? 0xff : 0;
        uint32_t b = bcast_byte(c, src[i] < 16 ? x : y, src[i] < 16 ? wx : wy, src[i] & 15);
        uint32_t t = vopc(c, PAND, i == 0 && n == 1 ? d : N, b, sel);
        acc = i ? vop(c, POR, i == n - 1 ? d : N, acc, t) : t;
    }
}

/* shuffle: pshufb of each source with a constant mask (0x80 zeroes) */
static void vshuffle(cg_ctx *c, const uint8_t *mask, uint32_t d, uint32_t x, uint32_t y)
{
    if (!ssse3(c)) {
        vshuffle_sse2(c, mask, d, x, y);
        return;
    }
    uint8_t ma[16], mb[16];
    unsigned used = cg_shuffle_split(mask, ma, mb);
    bool any_a = used & 1, any_b = used & 2;
    if (!any_b) {
        vopc(c, PSHUFB, d, x, ma);
    } else if (!any_a) {
        vopc(c, PSHUFB, d, y, mb);
    } else {
        uint32_t a = vopc(c, PSHUFB, N, x, ma), b = vopc(c, PSHUFB, N, y, mb);
        vop(c, POR, d, a, b);
    }
}

/* vany_true, vall_true: ptest into the flags, then setcc; without SSE4.1
 * pmovmskb of the lanes equal to zero: all ones (none true), zero (all) */
static void vtrue(cg_ctx *c, bool all, unsigned l, uint32_t d, uint32_t x)
{
    uint32_t t = all ? veq(c, l, N, vzero(c), x) : x;
    if (!sse41(c)) {
        uint32_t m = x64_new_int(c);
        vun(c, PMOVMSKB, m, all ? t : vop(c, pcmpeq[0], N, vzero(c), x));
        if (all) {
            x64_test(c, m, 4);
        } else {
            cg_inst *i = cg_emit_inst(F, X64_CMPI, 1);
            i->cc = X64_CMPOP, i->size = 4, i->imm = 0xffff;
            cg_op_use(F, m);
        }
        x64_setcc(c, all ? X64_CC_E : X64_CC_NE, d);
        return;
    }
    cg_inst *i = cg_emit_inst(F, X64_VTEST, 2);
    i->imm = P38(0x17);
    cg_op_use(F, t);
    cg_op_use(F, t);
    x64_setcc(c, all ? X64_CC_E : X64_CC_NE, d);
}

/* ---- one instruction ------------------------------------------------------------------ */

bool x64_lower_vector(x64_lowering *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    ir_type t = in->nres ? fn->values.v[ir_inst_results(fn, inst)[0]].type : in->type;
    ir_type at = in->nargs ? cg_vtype(c, a[0]) : IR_TYPE_NONE;     /* the first operand's */
    c->f.wide_spill = true;
    if (ir_type_is_vector(t) && ir_type_bytes(t) != 16 && in->op != IR_OP_bitcast)
        return cg_unsupported(c, inst, NULL);
    unsigned l = ir_type_is_vector(t) ? lb(t) : 0;
    uint32_t d = in->nres ? res(c, inst, 0) : N;
#define X(k) x64_put_in_reg(c, a[k])
    switch (in->op) {
    case IR_OP_vconst: {
        uint8_t b[16];
        cg_vec_imm_bytes(c->fn, in, b);
        vconst(c, b, d);
        return true;
    }
    case IR_OP_splat:
        vsplat(c, t, d, a[0]);
        return true;
    case IR_OP_extractlane:
        vextract(c, at, cg_vec_lane(c, inst), d, X(0));
        return true;
    case IR_OP_insertlane:
        vinsert(c, t, cg_vec_lane(c, inst), d, X(0), X(1));
        return true;
    case IR_OP_scalar_to_vector: {
        ir_type lt = ir_type_lane(t);
        uint32_t x = X(0);
        if (lt == IR_F32)
            vop(c, PF3(0x10), d, vzero(c), x);      /* movss: the other lanes zero */
        else if (lt == IR_F64)
            vun(c, PF3(0x7e), d, x);                /* movq */
        else
            x64_un(c, X64_MOVG2X, 0, l == 3 ? 8 : 4, 0, d, l < 2 ? x64_extend(c, x, 8u << l, 4, false) : x);
        return true;
    }
    case IR_OP_iadd: case IR_OP_isub:
        vop(c, (in->op == IR_OP_iadd ? padd : psub)[l], d, X(0), X(1));
        return true;
    case IR_OP_imul:
        vimul(c, l, d, X(0), X(1));
        return true;
    case IR_OP_ineg:
        vop(c, psub[l], d, vzero(c), X(0));
        return true;
    case IR_OP_iabs: {
        static const int64_t pabs[3] = {P38(0x1c), P38(0x1d), P38(0x1e)};
        uint32_t x = X(0);
        if (l < 3 && ssse3(c))
            vun(c, pabs[l], d, x);
        else
            viabs_sse2(c, l, d, x);
        return true;
    }
    case IR_OP_band: case IR_OP_bor: case IR_OP_bxor:
        vop(c, in->op == IR_OP_band ? PAND : in->op == IR_OP_bor ? POR : PXOR, d, X(0), X(1));
        return true;
    case IR_OP_bnot:
        vnot(c, d, X(0));
        return true;
    case IR_OP_bitselect:
        bitsel(c, d, X(0), X(1), X(2));
        return true;
    case IR_OP_blendv: case IR_OP_x86_blendv:
        bitsel(c, d, sign_mask(c, l, X(0)), X(1), X(2));
        return true;
    case IR_OP_icmp:
        vicmp(c, in->cond, lb(at), d, X(0), X(1));
        return true;
    case IR_OP_fcmp:
        vfcmp(c, in->cond, at, d, X(0), X(1));
        return true;
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr:
        return vshift(c, inst, t);
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax:
        vminmax(c, in->op, l, d, X(0), X(1));
        return true;
    case IR_OP_avg_round:
        if (l > 1)
            break;
        vop(c, l ? P66(0xe3) : P66(0xe0), d, X(0), X(1));
        return true;
    case IR_OP_uadd_sat: case IR_OP_sadd_sat: case IR_OP_usub_sat: case IR_OP_ssub_sat: {
        static const uint8_t o[4][2] = {{0xdc, 0xdd}, {0xec, 0xed}, {0xd8, 0xd9}, {0xe8, 0xe9}};
        unsigned k = in->op == IR_OP_uadd_sat ? 0 : in->op == IR_OP_sadd_sat ? 1 : in->op == IR_OP_usub_sat ? 2 : 3;
        if (l > 1)
            break;
        vop(c, P66(o[k][l]), d, X(0), X(1));
        return true;
    }
    case IR_OP_fadd: case IR_OP_fsub: case IR_OP_fmul: case IR_OP_fdiv: {
        unsigned o = in->op == IR_OP_fadd ? 0x58 : in->op == IR_OP_fsub ? 0x5c : in->op == IR_OP_fmul ? 0x59 : 0x5e;
        vop(c, PSD(t, o), d, X(0), X(1));
        return true;
    }
    case IR_OP_sqrt:
        vun(c, PSD(t, 0x51), d, X(0));
        return true;
    case IR_OP_fneg: case IR_OP_fabs: {
        uint64_t sign = l == 3 ? 0x8000000000000000ull : 0x80000000u;
        if (in->op == IR_OP_fneg)
            vopk(c, PXOR, d, X(0), sign, 1u << l);
        else
            vopk(c, PAND, d, X(0), ~sign, 1u << l);
        return true;
    }
    case IR_OP_fcopysign: {
        uint64_t sign = l == 3 ? 0x8000000000000000ull : 0x80000000u;
        uint32_t m = vopk(c, PAND, N, X(0), ~sign, 1u << l), s = vopk(c, PAND, N, X(1), sign, 1u << l);
        vop(c, POR, d, m, s);
        return true;
    }
    case IR_OP_fmin: case IR_OP_fmax:
        vfminmax(c, in->op == IR_OP_fmax, t, d, X(0), X(1));
        return true;
    case IR_OP_floor: case IR_OP_ceil: case IR_OP_trunc: case IR_OP_nearest: {
        unsigned mode = in->op == IR_OP_nearest ? 0 : in->op == IR_OP_floor ? 1 : in->op == IR_OP_ceil ? 2 : 3;
        if (sse41(c))
            vun(c, P3A(l == 3 ? 0x09 : 0x08) | XV_IMM(mode), d, X(0));     /* roundps / roundpd */
        else
            vround_libcall(c, mode, l == 3, d, X(0));
        return true;
    }
    case IR_OP_fma: {
        uint32_t v[3] = {X(0), X(1), X(2)};
        if (!(c->target->isa >> CG_ISA_fma & 1) || !(c->target->isa >> CG_ISA_avx & 1)) {
            vfma_libcall(c, t, d, v);
            return true;
        }
        cg_inst *i = cg_emit_inst(F, X64_VFMA, 4);
        i->cc = XV_FMA_ADD, i->size = (uint8_t)(1u << l);
        cg_op_def_reuse(F, d, 1);
        cg_op_use(F, v[0]);
        cg_op_use(F, v[1]);
        cg_op_use(F, v[2]);
        return true;
    }
    case IR_OP_vany_true: case IR_OP_vall_true:
        vtrue(c, in->op == IR_OP_vall_true, lb(at), d, X(0));
        return true;
    case IR_OP_vhigh_bits: {
        unsigned al = lb(at);
        uint32_t x = X(0);
        if (al == 1) {      /* words to signed-saturated bytes: their signs */
            uint32_t p = vop(c, P66(0x63), N, x, x), m = x64_new_int(c);
            vun(c, P66(0xd7), m, p);
            x64_ri(c, X64_SHIFTI, X64_SHR, 4, d, m, 8);
        } else {
            vun(c, al == 0 ? P66(0xd7) : al == 2 ? P0(0x50) : P66(0x50), d, x);
        }
        return true;
    }
    case IR_OP_swiden_low: case IR_OP_uwiden_low: case IR_OP_swiden_high: case IR_OP_uwiden_high: {
        bool high = in->op == IR_OP_swiden_high || in->op == IR_OP_uwiden_high;
        bool sign = in->op == IR_OP_swiden_low || in->op == IR_OP_swiden_high;
        if (l == 0)
            break;
        vwiden(c, sign, high, l, d, X(0));
        return true;
    }
    case IR_OP_snarrow: case IR_OP_unarrow: case IR_OP_uunarrow: {
        unsigned al = lb(at);
        uint32_t x = X(0), y = X(1);
        if (al == 3) {
            vnarrow64(c, in->op, d, x, y);
            return true;
        }
        if (al == 0)
            break;
        if (in->op == IR_OP_snarrow) {
            vop(c, al == 1 ? P66(0x63) : PACKSSDW, d, x, y);    /* packsswb / packssdw */
            return true;
        }
        if (al == 2 && !sse41(c)) {     /* no pminud, packusdw: clamped, packed biased */
            bool sign = in->op == IR_OP_unarrow;
            vpack_u16(c, d, vclamp_u16(c, sign, x), vclamp_u16(c, sign, y));
            return true;
        }
        if (in->op == IR_OP_uunarrow) {     /* clamp as unsigned first */
            uint64_t m = al == 1 ? 0xff : 0xffff;
            if (al == 1 && !sse41(c)) {     /* min(x, 0xff) = x - (x -us 0xff) */
                x = vop(c, psub[1], N, x, vopk(c, PSUBUSW, N, x, m, 2));
                y = vop(c, psub[1], N, y, vopk(c, PSUBUSW, N, y, m, 2));
            } else {
                x = vopk(c, pminu[al], N, x, m, 1u << al);
                y = vopk(c, pminu[al], N, y, m, 1u << al);
            }
        }
        vop(c, al == 1 ? P66(0x67) : P38(0x2b), d, x, y);       /* packuswb / packusdw */
        return true;
    }
    case IR_OP_iadd_pairwise: {
        uint32_t x = X(0), y = X(1);
        if ((l == 1 || l == 2) && ssse3(c)) {
            vop(c, P38(l == 1 ? 0x01 : 0x02), d, x, y);         /* phaddw / phaddd */
            return true;
        }
        if (l == 2) {       /* [x0 x2 y0 y2] + [x1 x3 y1 y3] */
            vop(c, padd[2], d, vop(c, SHUFPS(0x88), N, x, y), vop(c, SHUFPS(0xdd), N, x, y));
            return true;
        }
        if (l == 1) {       /* the even and the odd words sign-extended, each pair packed */
            uint32_t xe = vshi(c, 0x72, 4, 16, N, vshi(c, 0x72, 6, 16, N, x));
            uint32_t ye = vshi(c, 0x72, 4, 16, N, vshi(c, 0x72, 6, 16, N, y));
            uint32_t ev = vop(c, PACKSSDW, N, xe, ye);
            uint32_t od = vop(c, PACKSSDW, N, vshi(c, 0x72, 4, 16, N, x), vshi(c, 0x72, 4, 16, N, y));
            vop(c, padd[1], d, ev, od);
            return true;
        }
        if (l != 0)
            break;
        uint32_t ev = vop(c, P66(0x67), N, vopk(c, PAND, N, x, 0x00ff, 2), vopk(c, PAND, N, y, 0x00ff, 2));
        uint32_t od = vop(c, P66(0x67), N, vshi(c, 0x71, 2, 8, N, x), vshi(c, 0x71, 2, 8, N, y));
        vop(c, padd[0], d, ev, od);
        return true;
    }
    case IR_OP_sqmul_round_sat: case IR_OP_x86_pmulhrsw: {
        if (l != 1)
            break;
        if (!ssse3(c)) {
            vmulhrs_sse2(c, in->op == IR_OP_sqmul_round_sat, d, X(0), X(1));
            return true;
        }
        uint32_t p = vop(c, P38(0x0b), in->op == IR_OP_x86_pmulhrsw ? d : N, X(0), X(1));
        if (in->op == IR_OP_sqmul_round_sat)    /* 0x8000 came from -1 * -1: 0x7fff */
            vop(c, PXOR, d, p, vopk(c, pcmpeq[1], N, p, 0x8000, 2));
        return true;
    }
    case IR_OP_x86_pmaddubsw: {
        uint32_t x = X(0), y = X(1);
        if (ssse3(c)) {
            vop(c, P38(0x04), d, x, y);
            return true;
        }
        /* unsigned bytes of x times signed bytes of y (exact in 16 bits), pairs added saturating */
        uint32_t xe = vopk(c, PAND, N, x, 0x00ff, 2), xo = vshi(c, 0x71, 2, 8, N, x);
        uint32_t ye = vshi(c, 0x71, 4, 8, N, vshi(c, 0x71, 6, 8, N, y)), yo = vshi(c, 0x71, 4, 8, N, y);
        vop(c, P66(0xed), d, vop(c, PMULLW, N, xe, ye), vop(c, PMULLW, N, xo, yo));   /* paddsw */
        return true;
    }
    case IR_OP_x86_pshufb:
        if (ssse3(c))
            vop(c, PSHUFB, d, X(0), X(1));
        else            /* bit 7 zeroes the byte, bits 4-6 do not count */
            vswizzle_sse2(c, d, X(0), vopk(c, PAND, N, X(1), 0x8f, 1));
        return true;
    case IR_OP_swizzle: {   /* indices 16 and up to >= 0x80: pshufb zeroes those */
        uint32_t x = X(0);
        if (!ssse3(c)) {
            vswizzle_sse2(c, d, x, X(1));
            return true;
        }
        uint32_t i = vopk(c, P66(0xdc), N, X(1), 0x70, 1);
        vop(c, PSHUFB, d, x, i);
        return true;
    }
    case IR_OP_shuffle: {
        uint8_t m[16];
        cg_vec_imm_bytes(c->fn, in, m);
        vshuffle(c, m, d, X(0), X(1));
        return true;
    }
    case IR_OP_popcnt:
        vpopcnt(c, l, d, X(0));
        return true;
    case IR_OP_bitcast: {
        ir_type from = at;
        if (ir_type_bytes(from) != ir_type_bytes(t))
            break;
        uint32_t x = X(0);
        if (from == IR_I128) {      /* pair: movq lo, then hi */
            x64_vfrom_gpr64(c, d, x, x + 1);
        } else if (t == IR_I128) {
            x64_un(c, X64_MOVX2G, 0, 8, 0, d, x);
            x64_vhigh64(c, d + 1, x);
        } else if (ir_type_is_vector(from) == ir_type_is_vector(t) || ir_type_is_float(t) ||
                   ir_type_is_float(from)) {
            vmov(c, d, x);      /* vectors, f64 <-> an 8-byte vector: all in xmm */
        } else {
            unsigned n = ir_type_bytes(t);      /* movd (2 bytes: the low ones) or movq */
            x64_un(c, ir_type_is_vector(t) ? X64_MOVG2X : X64_MOVX2G, 0, n == 8 ? 8 : 4, 0, d, x);
        }
        return true;
    }
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint: case IR_OP_fcvt_to_sint_sat:
    case IR_OP_fcvt_to_uint_sat: case IR_OP_x86_cvtt2dq: case IR_OP_fvpromote_low: case IR_OP_fvdemote:
        return vconv(c, inst, t, at, d, X(0));
    case IR_OP_uload8x8: case IR_OP_sload8x8: case IR_OP_uload16x4: case IR_OP_sload16x4:
    case IR_OP_uload32x2: case IR_OP_sload32x2: {
        bool sign = in->op == IR_OP_sload8x8 || in->op == IR_OP_sload16x4 || in->op == IR_OP_sload32x2;
        uint32_t p = X(0), m = nv(c);
        cg_inst *i = cg_emit_inst(F, X64_XLOAD, 2);
        i->size = 8, i->amode = X64_AM_BASE, i->disp = (int32_t)in->imm, i->imm = in->mf.trap;
        cg_op_def(F, m);
        cg_op_use(F, p);
        vwiden(c, sign, false, l, d, m);
        return true;
    }
    default:
        break;
    }
#undef X
    return cg_unsupported(c, inst, NULL);
}
