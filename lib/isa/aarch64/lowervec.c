/* AArch64 lowering of vectors with Neon (ARMv8.0-A, no flag needed):
 * 128-bit vectors in q registers, 64-bit ones and the small ones (i8x2,
 * i8x4, i16x2) in the low bits of a register with the 64-bit arrangement
 * of their lane size, as Cranelift's aarch64 back end does; a dynamic
 * vector is its base type (the Neon scale is 1).  Each operation is an
 * A64_VOP naming a row of a64.h's Neon table; constants are movi when one
 * encodes, else ldr literal from the pool.  The lanes past a small
 * vector's are undefined; what reads all lanes (vall_true, vhigh_bits,
 * narrowing) reads only the type's. */
#include "a64.h"

#include <string.h>

#define F (&c->f)
#define N CG_NONE   /* "a new vreg" for the emitters below */
#define res(c, i, k) a64_res(c, i, k)

/* The fixed type a value lowers as. */
static ir_type fixed(ir_type t)
{
    return t & IR_TYPE_DYNAMIC ? (ir_type)(t & 0xff) : t;
}

bool a64_vec_type(ir_type t)
{
    t = fixed(t);
    if (!ir_type_is_vector(t))
        return false;
    ir_type l = ir_type_lane(t);
    unsigned n = ir_type_bytes(t);
    return ((l >= IR_I8 && l <= IR_I64) || l == IR_F32 || l == IR_F64) && n >= 2 && n <= 16;
}

/* log2 of the lane's bytes: 0 for i8 .. 3 for i64/f64 */
static unsigned lb(ir_type t)
{
    return (unsigned)__builtin_ctz(ir_type_lane_bits(t) / 8);
}

static bool is_q(ir_type t) { return ir_type_bytes(fixed(t)) == 16; }

/* t's arrangement: its lane size, Q for 128 bits */
static unsigned arr(ir_type t)
{
    return lb(t) << 1 | is_q(t);
}

bool a64_is_vector_inst(const cg_ctx *c, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    switch (in->op) {
    case IR_OP_load: case IR_OP_store: case IR_OP_select: case IR_OP_select_spectre_guard:
        return false;   /* lowermem.c, lower.c: they keep addressing modes, conditions */
    default:
        return cg_vec_inst(c, inst);
    }
}

/* ---- emitters ------------------------------------------------------------------- */

static uint32_t nv(cg_ctx *c) { return a64_new_flt(c); }

/* d = op n, m (m: rows with an Rm), imm; d N: a new float vreg (a gpr
 * result, as of umov, is passed in). */
static uint32_t vop(cg_ctx *c, unsigned op, unsigned a, uint32_t d, uint32_t n, uint32_t m, int64_t imm)
{
    bool rm = a64_neon[op].flags & A64_NRM;
    if (d == N)
        d = nv(c);
    cg_inst *i = cg_emit_inst(F, A64_VOP, 1 + (n != N) + rm);
    i->aux = op, i->size = (uint8_t)a, i->imm = imm;
    cg_op_def(F, d);
    if (n != N)
        cg_op_use(F, n);
    if (rm)
        cg_op_use(F, m);
    return d;
}

static uint32_t v2(cg_ctx *c, unsigned op, unsigned a, uint32_t d, uint32_t n)
{
    return vop(c, op, a, d, n, N, 0);
}

static uint32_t v3(cg_ctx *c, unsigned op, unsigned a, uint32_t d, uint32_t n, uint32_t m)
{
    return vop(c, op, a, d, n, m, 0);
}

/* A row that reads Rd: d = op(acc, n, m), d in acc's register. */
static uint32_t vacc(cg_ctx *c, unsigned op, unsigned a, uint32_t d, uint32_t acc, uint32_t n, uint32_t m,
                     int64_t imm)
{
    bool rm = a64_neon[op].flags & A64_NRM;
    if (d == N)
        d = nv(c);
    cg_inst *i = cg_emit_inst(F, A64_VOP, 2 + (n != N) + rm);
    i->aux = op, i->size = (uint8_t)a, i->imm = imm;
    cg_op_def_reuse(F, d, 1);
    cg_op_use(F, acc);
    if (n != N)
        cg_op_use(F, n);
    if (rm)
        cg_op_use(F, m);
    return d;
}

/* (n & mask) | (m & ~mask) */
static uint32_t bsl(cg_ctx *c, uint32_t d, uint32_t mask, uint32_t n, uint32_t m)
{
    return vacc(c, A64_N_BSL, A64_16B, d, mask, n, m, 0);
}

static void vmov(cg_ctx *c, uint32_t d, uint32_t s)
{
    a64_mov(c, 16, d, s);
}

bool a64_movi_fields(uint64_t x, int64_t *imm)
{
#define ENC(op, cmode, v) ((int64_t)(op) << 29 | (int64_t)((v) >> 5 & 7) << 16 | (int64_t)(cmode) << 12 | \
                           (int64_t)((v) & 31) << 5)
    if (x == 0x0101010101010101ull * (x & 0xff)) {      /* a byte: movi .16b */
        *imm = ENC(0, 14, x & 0xff);
        return true;
    }
    unsigned m = 0, k;
    for (k = 0; k < 8; k++) {                           /* bytes of 0 or 0xff: movi .2d */
        unsigned b = (unsigned)(x >> 8 * k) & 0xff;
        if (b != 0 && b != 0xff)
            break;
        m |= (b & 1) << k;
    }
    if (k == 8) {
        *imm = ENC(1, 14, m);
        return true;
    }
    if (x >> 32 != (x & 0xffffffffu))
        return false;
    for (unsigned inv = 0; inv < 2; inv++) {            /* one byte of a word: movi/mvni .4s, lsl */
        uint32_t w = inv ? ~(uint32_t)x : (uint32_t)x;
        for (k = 0; k < 4; k++)
            if (!(w & ~(0xffu << 8 * k))) {
                *imm = ENC(inv, 2 * k, w >> 8 * k & 0xff);
                return true;
            }
        if ((w >> 16) != (w & 0xffff))
            continue;
        for (k = 0; k < 2; k++)                         /* of a halfword: movi/mvni .8h, lsl */
            if (!(w & 0xffff & ~(0xffu << 8 * k))) {
                *imm = ENC(inv, 8 + 2 * k, (w & 0xffff) >> 8 * k & 0xff);
                return true;
            }
    }
    return false;
#undef ENC
}

/* A constant of `bytes` bytes (the rest of the register zero) into d. */
static uint32_t vconst(cg_ctx *c, const uint8_t b[16], unsigned bytes, uint32_t d)
{
    uint64_t lo, hi = 0;
    int64_t imm;
    uint8_t z[16] = {0};
    memcpy(z, b, bytes);
    memcpy(&lo, z, 8);
    memcpy(&hi, z + 8, 8);
    if (d == N)
        d = nv(c);
    bool q = bytes > 8;
    if ((!q || lo == hi) && a64_movi_fields(lo, &imm)) {
        vop(c, A64_N_MOVI, q ? A64_16B : A64_8B, d, N, N, imm);
        return d;
    }
    cg_inst *i = cg_emit_inst(F, A64_VCONST, 1);
    i->size = q ? 16 : 8;
    i->aux = cg_const_add(F, z, q ? 16 : 8, q ? 16 : 8);
    cg_op_def(F, d);
    return d;
}

/* x repeated in every lane of `lane` bytes (a vector of `bytes` bytes). */
static uint32_t vsplatk(cg_ctx *c, uint64_t x, unsigned lane, unsigned bytes, uint32_t d)
{
    uint8_t b[16];
    cg_vec_splat_bytes(b, x, lane);
    return vconst(c, b, bytes, d);
}

static uint32_t vnot(cg_ctx *c, unsigned a, uint32_t d, uint32_t x)
{
    return v2(c, A64_N_NOT, a, d, x);
}

/* lane k (of lane size lb l) of x into gpr d, zero-extended */
static void umov(cg_ctx *c, unsigned l, unsigned k, uint32_t d, uint32_t x)
{
    vop(c, A64_N_UMOV, l << 1 | (l == 3), d, x, N, k);
}

/* ---- lanes ------------------------------------------------------------------------ */

static void vsplat(cg_ctx *c, ir_type t, uint32_t d, uint32_t v)
{
    uint64_t k;
    if (cg_vec_const_scalar(c, v, &k)) {
        vsplatk(c, k, 1u << lb(t), ir_type_bytes(t), d);
        return;
    }
    uint32_t x = a64_put_in_reg(c, v);
    vop(c, ir_type_is_float(t) ? A64_N_DUP : A64_N_DUPG, arr(t), d, x, N, 0);
}

static void vextract(cg_ctx *c, ir_type at, unsigned lane, uint32_t d, uint32_t x)
{
    unsigned l = lb(at);
    if (!ir_type_is_float(at))
        umov(c, l, lane, d, x);
    else if (lane == 0)
        vmov(c, d, x);
    else
        vop(c, A64_N_DUPS, l << 1, d, x, N, lane);     /* mov s|d, v.s|d[lane] */
}

static void vinsert(cg_ctx *c, ir_type t, unsigned lane, uint32_t d, uint32_t x, uint32_t y)
{
    vacc(c, ir_type_is_float(t) ? A64_N_INS : A64_N_INSG, lb(t) << 1, d, x, y, N, lane);
}

/* fmov s, w / d, x: an int lane into lane 0, the rest zero */
static void scalar_to_vector(cg_ctx *c, ir_type t, uint32_t d, uint32_t v)
{
    unsigned l = lb(t);
    uint32_t x = a64_put_in_reg(c, v);
    cg_inst *i;
    if (ir_type_is_float(t)) {      /* fmov s, s / d, d zeroes the rest */
        i = cg_emit_inst(F, A64_FUNARY, 2);
        i->cc = 0, i->size = (uint8_t)(1u << l);
    } else {
        if (l < 2)
            x = a64_extend(c, x, 8u << l, 4, false);
        i = cg_emit_inst(F, A64_FMOVTOF, 2);
        i->size = l == 3 ? 8 : 4;
    }
    cg_op_def(F, d);
    cg_op_use(F, x);
}

/* ---- comparisons -------------------------------------------------------------------- */

static void vicmp(cg_ctx *c, unsigned cond, unsigned a, uint32_t d, uint32_t x, uint32_t y)
{
    static const struct { uint8_t op, swap; } m[IR_INTCC_COUNT] = {
        [IR_INTCC_eq] = {A64_N_CMEQ, 0}, [IR_INTCC_ne] = {A64_N_CMEQ, 0},
        [IR_INTCC_sgt] = {A64_N_CMGT, 0}, [IR_INTCC_sge] = {A64_N_CMGE, 0},
        [IR_INTCC_slt] = {A64_N_CMGT, 1}, [IR_INTCC_sle] = {A64_N_CMGE, 1},
        [IR_INTCC_ugt] = {A64_N_CMHI, 0}, [IR_INTCC_uge] = {A64_N_CMHS, 0},
        [IR_INTCC_ult] = {A64_N_CMHI, 1}, [IR_INTCC_ule] = {A64_N_CMHS, 1},
    };
    uint32_t r = v3(c, m[cond].op, a, cond == IR_INTCC_ne ? N : d, m[cond].swap ? y : x, m[cond].swap ? x : y);
    if (cond == IR_INTCC_ne)
        vnot(c, a, d, r);
}

/* fcmeq, fcmge, fcmgt (false for NaN), swapped for lt, le, ORed for ord
 * and one, inverted for the unordered conditions */
static void vfcmp(cg_ctx *c, unsigned cond, unsigned a, uint32_t d, uint32_t x, uint32_t y)
{
    static const struct { uint8_t op, swap, inv; } m[IR_FLOATCC_COUNT] = {
        [IR_FLOATCC_eq] = {A64_N_FCMEQ, 0, 0}, [IR_FLOATCC_ne] = {A64_N_FCMEQ, 0, 1},
        [IR_FLOATCC_gt] = {A64_N_FCMGT, 0, 0}, [IR_FLOATCC_ge] = {A64_N_FCMGE, 0, 0},
        [IR_FLOATCC_lt] = {A64_N_FCMGT, 1, 0}, [IR_FLOATCC_le] = {A64_N_FCMGE, 1, 0},
        [IR_FLOATCC_ule] = {A64_N_FCMGT, 0, 1}, [IR_FLOATCC_ult] = {A64_N_FCMGE, 0, 1},
        [IR_FLOATCC_uge] = {A64_N_FCMGT, 1, 1}, [IR_FLOATCC_ugt] = {A64_N_FCMGE, 1, 1},
    };
    uint32_t r;
    bool inv;
    if (cond == IR_FLOATCC_ord || cond == IR_FLOATCC_uno || cond == IR_FLOATCC_one || cond == IR_FLOATCC_ueq) {
        bool ord = cond == IR_FLOATCC_ord || cond == IR_FLOATCC_uno;
        uint32_t p = v3(c, ord ? A64_N_FCMGE : A64_N_FCMGT, a, N, x, y), q = v3(c, A64_N_FCMGT, a, N, y, x);
        inv = cond == IR_FLOATCC_uno || cond == IR_FLOATCC_ueq;
        r = v3(c, A64_N_ORR, a, inv ? N : d, p, q);
    } else {
        inv = m[cond].inv;
        r = v3(c, m[cond].op, a, inv ? N : d, m[cond].swap ? y : x, m[cond].swap ? x : y);
    }
    if (inv)
        vnot(c, a, d, r);
}

/* any lane of x (a vector of `bytes` bytes) nonzero: flags NE */
static void vany(cg_ctx *c, unsigned bytes, uint32_t x)
{
    uint32_t g = a64_new_int(c);
    if (bytes == 16)        /* the max of each pair of words: any nonzero in the low 64 bits */
        x = v3(c, A64_N_UMAXP, A64_4S, N, x, x);
    if (bytes == 2) {
        umov(c, 1, 0, g, x);
    } else {
        cg_inst *i = cg_emit_inst(F, A64_FMOVTOG, 2);
        i->size = bytes == 4 ? 4 : 8;
        cg_op_def(F, g);
        cg_op_use(F, x);
    }
    a64_cmp_imm(c, bytes == 4 || bytes == 2 ? 4 : 8, g, 0);
}

/* ---- arithmetic --------------------------------------------------------------------- */

/* i64x2 multiply (no mul .2d): with x = [b:a d:c], y = [f:e h:g] as 32-bit
 * halves, lo*lo + ((hi(x)*lo(y) + lo(x)*hi(y)) << 32), as Cranelift does */
static void vmul64(cg_ctx *c, uint32_t d, uint32_t x, uint32_t y)
{
    uint32_t rev = v2(c, A64_N_REV64, A64_4S, N, y);          /* [e:f g:h] */
    uint32_t mul = v3(c, A64_N_MUL, A64_4S, N, rev, x);       /* [be af dg ch] as words */
    uint32_t xl = v2(c, A64_N_XTN, A64_2S, N, x);             /* [a c] */
    uint32_t sum = v3(c, A64_N_ADDP, A64_4S, N, mul, mul);    /* [af+be dg+ch ..] */
    uint32_t yl = v2(c, A64_N_XTN, A64_2S, N, y);             /* [e g] */
    uint32_t sh = v2(c, A64_N_SHLL, A64_2S, N, sum);          /* each << 32, as 2d */
    vacc(c, A64_N_UMLAL, A64_2S, d, sh, yl, xl, 0);
}

/* smin smax umin umax: one instruction but for 64-bit lanes (a compare,
 * then bsl) */
static void vminmax(cg_ctx *c, unsigned op, unsigned a, uint32_t d, uint32_t x, uint32_t y)
{
    bool min = op == IR_OP_smin || op == IR_OP_umin, sign = op == IR_OP_smin || op == IR_OP_smax;
    if (a >> 1 == 3) {      /* x > y: min takes y, max x */
        uint32_t gt = v3(c, sign ? A64_N_CMGT : A64_N_CMHI, a, N, x, y);
        bsl(c, d, gt, min ? y : x, min ? x : y);
        return;
    }
    static const uint8_t ops[2][2] = {{A64_N_UMAX, A64_N_UMIN}, {A64_N_SMAX, A64_N_SMIN}};
    v3(c, ops[sign][min], a, d, x, y);
}

/* ishl ushr sshr by a scalar, masked to the lane's width: by an immediate,
 * or ushl/sshl by the amount splatted (negated for right shifts) */
static void vshift(cg_ctx *c, uint32_t inst, ir_type t, uint32_t d)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned A = arr(t), bits = ir_type_lane_bits(t), op = in->op;
    uint32_t x = a64_put_in_reg(c, a[0]);
    int64_t k;
    if (cg_iconst_of(c, a[1], &k)) {
        k &= bits - 1;
        if (k == 0)
            vmov(c, d, x);
        else
            vop(c, op == IR_OP_ishl ? A64_N_SHL : op == IR_OP_ushr ? A64_N_USHR : A64_N_SSHR, A, d, x, N, k);
        return;
    }
    uint32_t n = a64_put_in_reg(c, a[1]), m = a64_new_int(c);   /* an i128's low half: its first vreg */
    a64_alu_imm(c, A64_AND, 4, m, n, bits - 1);
    if (op != IR_OP_ishl) {
        uint32_t neg = a64_new_int(c);
        a64_alu(c, A64_SUB, 4, neg, A64_ZR, m);
        m = neg;
    }
    uint32_t s = v2(c, A64_N_DUPG, A, N, m);
    v3(c, op == IR_OP_sshr ? A64_N_SSHL : A64_N_USHL, A, d, x, s);
}

/* popcnt: bytes counted, then added pairwise up to the lane */
static void vpopcnt(cg_ctx *c, ir_type t, uint32_t d, uint32_t x)
{
    unsigned l = lb(t), q = is_q(t);
    uint32_t r = v2(c, A64_N_CNT, q, l ? N : d, x);
    for (unsigned k = 0; k < l; k++)
        r = v2(c, A64_N_UADDLP, k << 1 | q, k + 1 == l ? d : N, r);
}

/* vhigh_bits: each lane's sign as all ones (sshr), anded with its bit
 * (1 << lane), added across; i8x16 zips the halves into 16-bit lanes
 * first, i64x2 takes the two signs from gprs */
static void vhigh_bits(cg_ctx *c, ir_type at, uint32_t d, uint32_t x)
{
    unsigned l = lb(at), lanes = ir_type_lanes(at), A = arr(at), bytes = ir_type_bytes(at);
    if (l == 3) {
        uint32_t lo = a64_new_int(c), hi = a64_new_int(c), s0 = a64_new_int(c), s1 = a64_new_int(c);
        umov(c, 3, 0, lo, x);
        umov(c, 3, 1, hi, x);
        a64_shift_imm(c, A64_LSR, 8, s0, lo, 63);
        a64_shift_imm(c, A64_LSR, 8, s1, hi, 63);
        a64_alu_op2(c, A64_ADD, 8, d, s0, s1, A64_OP2_LSL, 1);
        return;
    }
    uint8_t b[16] = {0};
    for (unsigned k = 0; k < lanes; k++) {
        unsigned bit = k % (l ? 16u : 8u), at_ = k << l;
        b[at_] = (uint8_t)(1u << bit);
        if (l)
            b[at_ + 1] = (uint8_t)((1u << bit) >> 8);
    }
    uint32_t s = vop(c, A64_N_SSHR, A, N, x, N, (8 << l) - 1);
    uint32_t m = v3(c, A64_N_AND, A, N, s, vconst(c, b, bytes > 8 ? 16 : 8, N));
    unsigned sum = l;
    if (l == 0 && bytes == 16) {        /* bytes k and k + 8 side by side: a 16-bit lane each */
        uint32_t sw = vop(c, A64_N_EXT, A64_16B, N, m, m, 8);
        m = v3(c, A64_N_ZIP1, A64_16B, N, m, sw);
        sum = 1;
    }
    if (sum == 2 && bytes < 16)         /* no addv .2s */
        m = v3(c, A64_N_ADDP, A64_2S, N, m, m);
    else
        m = v2(c, A64_N_ADDV, sum << 1 | (bytes == 16), N, m);
    umov(c, sum, 0, d, m);
}

/* swiden/uwiden (high: of the high half) of source type at */
static void vwiden(cg_ctx *c, bool sign, bool high, ir_type at, uint32_t d, uint32_t x)
{
    unsigned l = lb(at), bytes = ir_type_bytes(at), op = sign ? A64_N_SSHLL : A64_N_USHLL;
    if (bytes == 16) {      /* sxtl / sxtl2 */
        vop(c, op, l << 1 | high, d, x, N, 0);
        return;
    }
    uint32_t w = vop(c, op, l << 1, high ? N : d, x, N, 0);
    if (high)               /* the widened high half down to byte 0 */
        vop(c, A64_N_EXT, A64_16B, d, w, w, bytes);
}

/* snarrow unarrow uunarrow of x, y (type at) */
static void vnarrow(cg_ctx *c, unsigned op, ir_type at, uint32_t d, uint32_t x, uint32_t y)
{
    unsigned l = lb(at) - 1, bytes = ir_type_bytes(at);
    static const uint8_t n1[3] = {A64_N_SQXTN, A64_N_SQXTUN, A64_N_UQXTN};
    static const uint8_t n2[3] = {A64_N_SQXTN2, A64_N_SQXTUN2, A64_N_UQXTN2};
    unsigned k = op == IR_OP_snarrow ? 0 : op == IR_OP_unarrow ? 1 : 2;
    if (bytes == 16) {
        uint32_t lo = v2(c, n1[k], l << 1, N, x);
        vacc(c, n2[k], l << 1 | 1, d, lo, y, N, 0);
        return;
    }
    /* x and y side by side in one register, narrowed at once */
    unsigned e = (unsigned)__builtin_ctz(bytes);
    uint32_t xy = vacc(c, A64_N_INS, e << 1, N, x, y, N, 1);
    v2(c, n1[k], l << 1, d, xy);
}

/* ---- shuffles ----------------------------------------------------------------------- */

/* zip/uzp/trn of lanes of `bytes` bytes: the lane each takes */
static bool permute_is(unsigned op, const uint8_t *lanes, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        unsigned want, h = k / 2, o = k & 1;
        switch (op) {
        case A64_N_ZIP1: want = h + o * n; break;
        case A64_N_ZIP2: want = n / 2 + h + o * n; break;
        case A64_N_UZP1: want = 2 * k; break;
        case A64_N_UZP2: want = 2 * k + 1; break;
        case A64_N_TRN1: want = (k & ~1u) + o * n; break;
        default: want = (k & ~1u) + 1 + o * n; break;   /* TRN2 */
        }
        if (lanes[k] != want)
            return false;
    }
    return true;
}

/* A shuffle that one instruction does: dup of a lane, ext, zip/uzp/trn */
static bool vshuffle_one(cg_ctx *c, const uint8_t *mask, uint32_t d, uint32_t x, uint32_t y)
{
    uint8_t lanes[16];
    unsigned k;
    for (k = 1; k < 16 && mask[k] == mask[0] + k; k++)
        ;
    if (k == 16 && (mask[0] == 0 || mask[0] == 16)) {                 /* all of x or of y */
        vmov(c, d, mask[0] ? y : x);
        return true;
    }
    if (k == 16 && mask[0] < 16) {                      /* bytes s .. s + 15 of x:y */
        vop(c, A64_N_EXT, A64_16B, d, x, y, mask[0]);
        return true;
    }
    for (unsigned l = 4; l-- > 0;) {
        unsigned bytes = 1u << l, n = 16 / bytes;
        if (!cg_shuffle_lanes(mask, bytes, lanes))
            continue;
        for (k = 1; k < n && lanes[k] == lanes[0]; k++)
            ;
        if (k == n) {
            vop(c, A64_N_DUP, l << 1 | 1, d, lanes[0] < n ? x : y, N, lanes[0] % n);
            return true;
        }
        static const uint8_t perms[] = {A64_N_ZIP1, A64_N_ZIP2, A64_N_UZP1, A64_N_UZP2, A64_N_TRN1, A64_N_TRN2};
        for (unsigned p = 0; p < sizeof perms; p++)
            if (permute_is(perms[p], lanes, n)) {
                v3(c, perms[p], l << 1 | 1, d, x, y);
                return true;
            }
    }
    return false;
}

/* shuffle: one instruction where the mask is a pattern; else tbl of x
 * with its bytes of the mask, tbx of y with its own (an index of 16 or
 * more gives zero, leaves the byte for tbx) */
static void vshuffle(cg_ctx *c, const uint8_t *mask, uint32_t d, uint32_t x, uint32_t y)
{
    if (vshuffle_one(c, mask, d, x, y))
        return;
    uint8_t ma[16], mb[16];
    unsigned used = cg_shuffle_split(mask, ma, mb);
    if (used != 2) {
        uint32_t t = v3(c, A64_N_TBL, A64_16B, used == 3 ? N : d, x, vconst(c, ma, 16, N));
        if (used == 3)
            vacc(c, A64_N_TBX, A64_16B, d, t, y, vconst(c, mb, 16, N), 0);
        return;
    }
    v3(c, A64_N_TBL, A64_16B, d, y, vconst(c, mb, 16, N));
}

/* ---- conversions and bit casts ---------------------------------------------------------- */

/* bitcast between a vector and a scalar or vector of the same size */
static bool vbitcast(cg_ctx *c, ir_type t, ir_type from, uint32_t d, uint32_t x)
{
    unsigned n = ir_type_bytes(t);
    if (from == IR_I128) {              /* the pair: fmov d, x_lo; ins v.d[1], x_hi */
        cg_inst *i = cg_emit_inst(F, A64_FMOVTOF, 2);
        uint32_t lo = nv(c);
        i->size = 8;
        cg_op_def(F, lo);
        cg_op_use(F, x);
        vacc(c, A64_N_INSG, 3 << 1, d, lo, x + 1, N, 1);
    } else if (t == IR_I128) {
        umov(c, 3, 0, d, x);
        umov(c, 3, 1, d + 1, x);
    } else if (cg_type_cls(t) == CG_CLS_FLOAT && cg_type_cls(from) == CG_CLS_FLOAT) {
        vmov(c, d, x);                  /* vectors, floats: the same register */
    } else if (n == 2 && !ir_type_is_vector(t)) {
        umov(c, 1, 0, d, x);
    } else {                            /* fmov between a gpr and s / d */
        cg_inst *i = cg_emit_inst(F, ir_type_is_vector(t) ? A64_FMOVTOF : A64_FMOVTOG, 2);
        i->size = n == 8 ? 8 : 4;
        cg_op_def(F, d);
        cg_op_use(F, x);
    }
    return true;
}

static bool vconv(cg_ctx *c, uint32_t inst, ir_type t, ir_type from, uint32_t d, uint32_t x)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    unsigned A = arr(t);
    bool same = ir_type_lanes(t) == ir_type_lanes(from) && ir_type_lane_bits(t) == ir_type_lane_bits(from);
    switch (in->op) {
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint:
        if (!same)
            break;
        v2(c, in->op == IR_OP_fcvt_from_sint ? A64_N_SCVTF : A64_N_UCVTF, A, d, x);
        return true;
    case IR_OP_fcvt_to_sint_sat: case IR_OP_fcvt_to_uint_sat:     /* fcvtz* saturate, NaN is 0 */
        if (!same)
            break;
        v2(c, in->op == IR_OP_fcvt_to_sint_sat ? A64_N_FCVTZS : A64_N_FCVTZU, A, d, x);
        return true;
    case IR_OP_fvpromote_low:
        if (t != ir_type_make(IR_F64, 1) || from != ir_type_make(IR_F32, 2))
            break;
        v2(c, A64_N_FCVTL, A64_2S, d, x);
        return true;
    case IR_OP_fvdemote:        /* the high half zero */
        if (t != ir_type_make(IR_F32, 2) || from != ir_type_make(IR_F64, 1))
            break;
        v2(c, A64_N_FCVTN, A64_2S, d, x);
        return true;
    default:
        break;
    }
    return cg_unsupported(c, inst, NULL);
}

/* ---- select (lower.c gives the condition's flags) ------------------------------------------ */

void a64_vselect(cg_ctx *c, unsigned cc, ir_type t, uint32_t d, uint32_t x, uint32_t y)
{
    cg_inst *i;
    if (!is_q(t)) {     /* the low 64 bits: fcsel d */
        i = cg_emit_inst(F, A64_FCSEL, 3);
        i->cc = (uint8_t)cc, i->size = 8;
        cg_op_def(F, d);
        cg_op_use(F, x);
        cg_op_use(F, y);
        return;
    }
    uint32_t m = a64_new_int(c);
    i = cg_emit_inst(F, A64_CSET, 1);       /* csetm */
    i->cc = (uint8_t)cc, i->size = 8, i->aux = 1;
    cg_op_def(F, m);
    bsl(c, d, v2(c, A64_N_DUPG, A64_2D, N, m), x, y);
}

/* ---- one instruction ------------------------------------------------------------------ */

static bool lower_lanewise(cg_ctx *c, const ir_inst_data *in, ir_type t, uint32_t d, const uint32_t *a);

bool a64_lower_vector(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    ir_type t = fixed(in->nres ? fn->values.v[ir_inst_results(fn, inst)[0]].type : in->type);
    ir_type at = fixed(in->nargs ? cg_vtype(c, a[0]) : IR_TYPE_NONE);     /* the first operand's */
    uint32_t d = in->nres ? res(c, inst, 0) : N;
#define X(k) a64_put_in_reg(c, a[k])
    switch (in->op) {
    case IR_OP_vconst: {
        uint8_t b[16];
        cg_vec_imm_bytes(fn, in, b);
        vconst(c, b, ir_type_bytes(t), d);
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
    case IR_OP_scalar_to_vector:
        scalar_to_vector(c, t, d, a[0]);
        return true;
    case IR_OP_extract_vector:
        if (in->imm != 0)
            break;
        vmov(c, d, X(0));
        return true;
    case IR_OP_vany_true: case IR_OP_vall_true: {
        uint32_t x = X(0);
        if (in->op == IR_OP_vall_true)      /* no lane zero */
            x = v2(c, A64_N_CMEQZ, arr(at), N, x);
        vany(c, ir_type_bytes(at), x);
        a64_cset(c, in->op == IR_OP_vall_true ? A64_EQ : A64_NE, d);
        return true;
    }
    case IR_OP_vhigh_bits:
        vhigh_bits(c, at, d, X(0));
        return true;
    case IR_OP_icmp:
        vicmp(c, in->cond, arr(at), d, X(0), X(1));
        return true;
    case IR_OP_fcmp:
        vfcmp(c, in->cond, arr(at), d, X(0), X(1));
        return true;
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr:
        vshift(c, inst, t, d);
        return true;
    case IR_OP_bitselect:
        bsl(c, d, X(0), X(1), X(2));
        return true;
    case IR_OP_blendv:      /* the top bit of each lane as a mask */
        bsl(c, d, v2(c, A64_N_CMLTZ, arr(t), N, X(0)), X(1), X(2));
        return true;
    case IR_OP_swiden_low: case IR_OP_uwiden_low: case IR_OP_swiden_high: case IR_OP_uwiden_high:
        vwiden(c, in->op == IR_OP_swiden_low || in->op == IR_OP_swiden_high,
               in->op == IR_OP_swiden_high || in->op == IR_OP_uwiden_high, at, d, X(0));
        return true;
    case IR_OP_snarrow: case IR_OP_unarrow: case IR_OP_uunarrow:
        if (lb(at) == 0 || ir_type_bytes(at) < 4)
            break;
        vnarrow(c, in->op, at, d, X(0), X(1));
        return true;
    case IR_OP_iadd_pairwise: {     /* small vectors would take lanes past the type */
        uint32_t w = cg_def_of(c, a[0]);
        if (w != IR_NONE && L->fused[w]) {      /* of both widenings of one x (lower.c) */
            uint32_t x = ir_inst_args(fn, w)[0];
            v2(c, fn->insts.v[w].op == IR_OP_swiden_low ? A64_N_SADDLP : A64_N_UADDLP, arr(cg_vtype(c, x)), d,
               a64_put_in_reg(c, x));
            return true;
        }
        if (ir_type_bytes(t) < 8)
            break;
        v3(c, A64_N_ADDP, arr(t), d, X(0), X(1));
        return true;
    }
    case IR_OP_swizzle:
        v3(c, A64_N_TBL, A64_16B, d, X(0), X(1));
        return true;
    case IR_OP_shuffle: {
        uint8_t m[16];
        cg_vec_imm_bytes(fn, in, m);
        vshuffle(c, m, d, X(0), X(1));
        return true;
    }
    case IR_OP_bitcast: {
        if (ir_type_bytes(at) != ir_type_bytes(t))
            break;
        if ((in->mf.bits & IR_MF_BIG) && ir_type_is_vector(t) && ir_type_is_vector(at) &&
            ir_type_lane_bits(t) != ir_type_lane_bits(at))
            return cg_unsupported(c, inst, "big-endian bitcast between lane sizes");
        return vbitcast(c, t, at, d, X(0));
    }
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint: case IR_OP_fcvt_to_sint_sat:
    case IR_OP_fcvt_to_uint_sat: case IR_OP_fvpromote_low: case IR_OP_fvdemote:
        return vconv(c, inst, t, at, d, X(0));
    case IR_OP_uload8x8: case IR_OP_sload8x8: case IR_OP_uload16x4: case IR_OP_sload16x4:
    case IR_OP_uload32x2: case IR_OP_sload32x2: {
        bool sign = in->op == IR_OP_sload8x8 || in->op == IR_OP_sload16x4 || in->op == IR_OP_sload32x2;
        if (in->imm != (int32_t)in->imm)
            return cg_unsupported(c, inst, "load offset");
        uint32_t m = nv(c);
        cg_mem(c, false, IR_F64, 8, m, CG_AREA_BASE, X(0), (int32_t)in->imm, in->mf.trap);
        vop(c, sign ? A64_N_SSHLL : A64_N_USHLL, (lb(t) - 1) << 1, d, m, N, 0);
        return true;
    }
    default:
        if (lower_lanewise(c, in, t, d, a))
            return true;
        break;
    }
#undef X
    return cg_unsupported(c, inst, NULL);
}

/* Operations lane by lane on one vector type (the verifier checked the
 * operands' types): one instruction each (the tables hold row + 1), or a
 * short sequence. */
static bool lower_lanewise(cg_ctx *c, const ir_inst_data *in, ir_type t, uint32_t d, const uint32_t *a)
{
#define R(n) (A64_N_##n + 1)
    static const uint8_t op2[IR_OP_COUNT] = {
        [IR_OP_iadd] = R(ADD), [IR_OP_isub] = R(SUB), [IR_OP_band] = R(AND), [IR_OP_bor] = R(ORR),
        [IR_OP_bxor] = R(EOR), [IR_OP_band_not] = R(BIC), [IR_OP_bor_not] = R(ORN),
        [IR_OP_uadd_sat] = R(UQADD), [IR_OP_sadd_sat] = R(SQADD), [IR_OP_usub_sat] = R(UQSUB),
        [IR_OP_ssub_sat] = R(SQSUB), [IR_OP_fadd] = R(FADD), [IR_OP_fsub] = R(FSUB),
        [IR_OP_fmul] = R(FMUL), [IR_OP_fdiv] = R(FDIV), [IR_OP_fmin] = R(FMIN), [IR_OP_fmax] = R(FMAX),
    };
    static const uint8_t op1[IR_OP_COUNT] = {
        [IR_OP_ineg] = R(NEG), [IR_OP_iabs] = R(ABS), [IR_OP_bnot] = R(NOT), [IR_OP_fneg] = R(FNEG),
        [IR_OP_fabs] = R(FABS), [IR_OP_sqrt] = R(FSQRT), [IR_OP_ceil] = R(FRINTP),
        [IR_OP_floor] = R(FRINTM), [IR_OP_trunc] = R(FRINTZ), [IR_OP_nearest] = R(FRINTN),
    };
#undef R
    unsigned A = arr(t), l = lb(t), op = in->op;
    if (!ir_type_is_vector(t))
        return false;
#define X(k) a64_put_in_reg(c, a[k])
    if (op2[op]) {
        v3(c, op2[op] - 1u, A, d, X(0), X(1));
        return true;
    }
    if (op1[op]) {
        v2(c, op1[op] - 1u, A, d, X(0));
        return true;
    }
    switch (op) {
    case IR_OP_imul:
        if (l == 3)
            vmul64(c, d, X(0), X(1));
        else
            v3(c, A64_N_MUL, A, d, X(0), X(1));
        return true;
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax:
        vminmax(c, op, A, d, X(0), X(1));
        return true;
    case IR_OP_avg_round: {
        uint32_t x = X(0), y = X(1);
        if (l < 3) {
            v3(c, A64_N_URHADD, A, d, x, y);
            return true;
        }   /* (x | y) - ((x ^ y) >> 1): (x + y + 1) >> 1 without the carry out */
        uint32_t o = v3(c, A64_N_ORR, A, N, x, y), e = v3(c, A64_N_EOR, A, N, x, y);
        v3(c, A64_N_SUB, A, d, o, vop(c, A64_N_USHR, A, N, e, N, 1));
        return true;
    }
    case IR_OP_sqmul_round_sat:
        if (l != 1 && l != 2)
            return false;
        v3(c, A64_N_SQRDMULH, A, d, X(0), X(1));
        return true;
    case IR_OP_fma:     /* fmla: z + x * y in z's register */
        vacc(c, A64_N_FMLA, A, d, X(2), X(0), X(1), 0);
        return true;
    case IR_OP_fcopysign: {     /* the sign bit from y, the rest from x */
        uint32_t x = X(0), y = X(1);
        uint32_t m = vsplatk(c, 1ull << (8 * (1u << l) - 1), 1u << l, ir_type_bytes(t), N);
        bsl(c, d, m, y, x);
        return true;
    }
    case IR_OP_popcnt:
        vpopcnt(c, t, d, X(0));
        return true;
    case IR_OP_bmask:       /* all ones where nonzero */
        if (ir_type_lane_bits(cg_vtype(c, a[0])) != ir_type_lane_bits(t))
            return false;
        v3(c, A64_N_CMTST, A, d, X(0), X(0));
        return true;
    default:
        return false;
    }
#undef X
}
