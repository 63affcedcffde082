/* AArch64's i128 primitives: a pair of vregs, low half first (Cranelift's
 * ValueRegs); lib/codegen/lower128.c lowers every i128 instruction
 * through them (the a64_i128 table at the end).  Carries go
 * through the flags (adds/adc, subs/sbc), shifts combine both halves and
 * pick with csel on bit 6 of the amount. */
#include "a64.h"

#define F (&c->f)
#define res(c, i, k) a64_res(c, i, k)

static void mov(cg_ctx *c, uint32_t dst, uint32_t src)
{
    a64_mov(c, 8, dst, src);
}

static uint32_t tmp(cg_ctx *c) { return a64_new_int(c); }

/* Flags of a - b over 128 bits (C: unsigned a >= b, N^V: signed a < b). */
static void sub_flags(cg_ctx *c, uint32_t a, uint32_t b)
{
    a64_cmp(c, 8, a, b);
    a64_alu(c, A64_SBCS, 8, A64_ZR, a + 1, b + 1);
}

unsigned a64_test_i128(cg_ctx *c, uint32_t r)
{
    uint32_t t = tmp(c);
    a64_alu(c, A64_ORR, 8, t, r, r + 1);
    a64_cmp_imm(c, 8, t, 0);
    return A64_NE;
}

static unsigned icmp128(cg_ctx *c, ir_intcc cond, uint32_t x, uint32_t y)
{
    if (cond != IR_INTCC_eq && cond != IR_INTCC_ne) {
        sub_flags(c, x, y);
        return a64_intcc[cond];
    }
    a64_cmp(c, 8, x, y);
    cg_inst *i = cg_emit_inst(F, A64_CCMP, 2);     /* high halves, if the low ones agree */
    i->cc = A64_EQ, i->size = 8, i->aux = 0;
    cg_op_use(F, x + 1);
    cg_op_use(F, y + 1);
    return a64_intcc[cond];
}

static void select64(cg_ctx *c, unsigned cc, uint32_t dst, uint32_t if_cc, uint32_t if_not)
{
    a64_csel(c, cc, A64_CSEL_, 8, dst, if_cc, if_not);
}

static unsigned cmp_zero(cg_ctx *c, ir_intcc cond, uint32_t r)
{
    a64_cmp_imm(c, 8, r, 0);
    return a64_intcc[cond];
}

/* 128-bit shift of pair x by the amount in vreg n (bits 0-6 count). */
static void shift128(cg_ctx *c, unsigned op, uint32_t x, uint32_t n, uint32_t dst)
{
    uint32_t inv = tmp(c), a1 = tmp(c), a2 = tmp(c), b1 = tmp(c), b2 = tmp(c), m = tmp(c);
    a64_alu(c, A64_ORN, 4, inv, A64_ZR, n);        /* 63 - n, mod 64 */
    if (op == IR_OP_ishl) {
        a64_alu(c, A64_LSLV, 8, a1, x, n);          /* lo << n */
        a64_alu(c, A64_LSLV, 8, a2, x + 1, n);      /* hi << n */
        a64_shift_imm(c, A64_LSR, 8, b1, x, 1);
        a64_alu(c, A64_LSRV, 8, b2, b1, inv);       /* lo >> (64 - n), 0 for n = 0 */
        a64_alu(c, A64_ORR, 8, m, a2, b2);
        cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
        i->cc = A64_ANDS, i->size = 4, i->imm = 64;
        cg_op_use(F, n);
        a64_csel(c, A64_NE, A64_CSEL_, 8, dst + 1, a1, m);
        a64_csel(c, A64_NE, A64_CSEL_, 8, dst, A64_ZR, a1);
        return;
    }
    bool sign = op == IR_OP_sshr;
    a64_alu(c, A64_LSRV, 8, a1, x, n);                              /* lo >> n */
    a64_alu(c, sign ? A64_ASRV : A64_LSRV, 8, a2, x + 1, n);        /* hi >> n */
    a64_shift_imm(c, A64_LSL, 8, b1, x + 1, 1);
    a64_alu(c, A64_LSLV, 8, b2, b1, inv);                           /* hi << (64 - n) */
    a64_alu(c, A64_ORR, 8, m, a1, b2);
    uint32_t fill = A64_ZR;
    if (sign) {
        fill = tmp(c);
        a64_shift_imm(c, A64_ASR, 8, fill, x + 1, 63);
    }
    cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
    i->cc = A64_ANDS, i->size = 4, i->imm = 64;
    cg_op_use(F, n);
    a64_csel(c, A64_NE, A64_CSEL_, 8, dst, a2, m);
    a64_csel(c, A64_NE, A64_CSEL_, 8, dst + 1, fill, a2);
}

static void neg128(cg_ctx *c, uint32_t x, uint32_t dst)
{
    a64_alu(c, A64_SUBS, 8, dst, A64_ZR, x);
    a64_alu(c, A64_SBC, 8, dst + 1, A64_ZR, x + 1);
}

/* INT128_MIN / -1: y == -1 and x == 1 << 127 */
static unsigned sdiv128_ovf(cg_ctx *c, uint32_t x, uint32_t y)
{
    uint32_t m = tmp(c), h = tmp(c), k = a64_movi(c, 8, INT64_MIN);
    a64_alu(c, A64_AND, 8, m, y, y + 1);
    a64_cmp_imm(c, 8, m, -1);
    a64_alu(c, A64_EOR, 8, h, x + 1, k);
    cg_inst *i = cg_emit_inst(F, A64_CCMP, 2);     /* if y == -1: x.lo == 0 and x.hi == k? */
    i->cc = A64_EQ, i->size = 8, i->aux = 0;
    cg_op_use(F, x);
    cg_op_use(F, A64_ZR);
    i = cg_emit_inst(F, A64_CCMP, 2);
    i->cc = A64_EQ, i->size = 8, i->aux = 0;
    cg_op_use(F, h);
    cg_op_use(F, A64_ZR);
    return A64_EQ;
}

static uint32_t fconst(cg_ctx *c, ir_type t, uint64_t bits)
{
    return a64_fconst(c, ir_type_bytes(t), bits);
}

/* After fcmp: an unordered result sets C and V, so GE, MI and LS are
 * false for a NaN. */
static const uint8_t fcmp_conds[IR_FLOATCC_COUNT] = {
    [IR_FLOATCC_uno] = A64_VS, [IR_FLOATCC_ge] = A64_GE, [IR_FLOATCC_lt] = A64_MI, [IR_FLOATCC_le] = A64_LS,
};

static bool lower_atomic128(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    bool store = in->op == IR_OP_atomic_store, cas = in->op == IR_OP_atomic_cas;
    uint32_t p = a64_put_in_reg(c, a[store ? 1 : 0]);
    uint32_t x = in->op == IR_OP_atomic_load ? CG_NONE : a64_put_in_reg(c, a[store ? 0 : 1]);
    uint32_t n = cas ? a64_put_in_reg(c, a[2]) : CG_NONE;
    uint32_t d = store ? cg_new_pair(c) : res(c, inst, 0);
    unsigned k = in->op == IR_OP_atomic_rmw ? in->cond : cas ? IR_RMW_COUNT
               : in->op == IR_OP_atomic_load ? IR_RMW_COUNT + 1 : IR_RMW_COUNT + 2;
    cg_inst *i = cg_emit_inst(F, A64_RMW128, 10);
    i->cc = (uint8_t)k, i->imm = in->mf.trap;
    cg_op_use(F, p);
    cg_op_use(F, x == CG_NONE ? A64_ZR : x);
    cg_op_use(F, x == CG_NONE ? A64_ZR : x + 1);
    cg_op_use(F, n == CG_NONE ? A64_ZR : n);
    cg_op_use(F, n == CG_NONE ? A64_ZR : n + 1);
    cg_op_temp(F, d);      /* written before the loop reads the operands again */
    cg_op_temp(F, d + 1);
    cg_op_temp(F, tmp(c));
    cg_op_temp(F, tmp(c));
    cg_op_temp(F, tmp(c));
    return true;
}


/* lo*lo widened, plus the two cross products in the high half */
static void mul128(cg_ctx *c, uint32_t x, uint32_t y, uint32_t d)
{
    uint32_t hi = tmp(c), s = tmp(c);
    a64_alu(c, A64_UMULH, 8, hi, x, y);
    a64_madd(c, 0, 8, s, x, y + 1, hi);
    a64_madd(c, 0, 8, d + 1, x + 1, y, s);
    a64_alu(c, A64_MUL, 8, d, x, y);
}

/* x != 0 (its low `from` bits), then csetm */
static void bmask(cg_ctx *c, ir_type from, uint32_t x, uint32_t d)
{
    if (from == IR_I128) {
        a64_test_i128(c, x);
    } else if (ir_type_bits(from) >= 32) {
        a64_cmp_imm(c, ir_type_bytes(from), x, 0);
    } else {
        cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
        i->cc = A64_ANDS, i->size = 4, i->imm = (1ll << ir_type_bits(from)) - 1;
        cg_op_use(F, x);
    }
    cg_inst *i = cg_emit_inst(F, A64_CSET, 1);
    i->cc = A64_NE, i->size = 8, i->aux = 1;
    cg_op_def(F, d);
}

/* cg_isa_i128.addsub: adds/adc (subs/sbc), C set from the carry-in first
 * (carry-in != 0 to add, borrow-in == 0 to subtract). */
static unsigned addsub128(cg_ctx *c, unsigned op, uint32_t x, uint32_t y, uint32_t cin, uint32_t d)
{
    bool add = op == IR_OP_iadd, sign = false, flags = cg_overflow_op(op, &add, &sign), carry = cin != CG_NONE;
    if (carry) {
        uint32_t n = a64_extend(c, cin, 8, 4, false);
        if (add)
            a64_cmp_imm(c, 4, n, 1);
        else
            a64_cmp(c, 4, A64_ZR, n);
    }
    a64_alu(c, add ? (carry ? A64_ADCS : A64_ADDS) : (carry ? A64_SBCS : A64_SUBS), 8, d, x, y);
    a64_alu(c, add ? (flags ? A64_ADCS : A64_ADC) : (flags ? A64_SBCS : A64_SBC), 8, d + 1, x + 1, y + 1);
    return sign ? A64_VS : add ? A64_HS : A64_LO;
}

/* cg_isa_i128.int_op: one 64-bit (or `size`-byte) operation. */
static void int_op(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t x, int64_t y)
{
    /* three-register forms; bnot and ineg from the zero register */
    static const uint8_t alu[IR_OP_COUNT] = {
        [IR_OP_iadd] = A64_ADD, [IR_OP_band] = A64_AND, [IR_OP_bor] = A64_ORR, [IR_OP_bxor] = A64_EOR,
        [IR_OP_band_not] = A64_BIC, [IR_OP_bnot] = A64_ORN, [IR_OP_ineg] = A64_SUB,
    };
    if (op == IR_OP_bnot || op == IR_OP_ineg)
        a64_alu(c, alu[op], size, dst, A64_ZR, x);
    else if (op == IR_OP_bswap || op == IR_OP_bitrev)
        a64_unary(c, op == IR_OP_bswap ? A64_REV64 : A64_RBIT, size, dst, x);
    else if (op == IR_OP_sshr_imm)
        a64_shift_imm(c, A64_ASR, size, dst, x, (unsigned)y);
    else if (op == IR_OP_iconst && y == 0)
        mov(c, dst, A64_ZR);
    else if (op == IR_OP_iconst)
        a64_movi_to(c, size, dst, y);
    else
        a64_alu(c, alu[op], size, dst, x, (uint32_t)y);
}

const cg_isa_i128 a64_i128 = {
    .atomic = lower_atomic128, .mul = mul128, .bmask = bmask, .int_op = int_op, .bitcount = a64_bitcount,
    .cmp_zero = cmp_zero, .select64 = select64, .setcc = a64_cset, .neg = neg128, .addsub = addsub128,
    .shift = shift128, .icmp = icmp128, .test = a64_test_i128, .sdiv_ovf = sdiv128_ovf,
    .op_fcmp = A64_FCMP, .fcmp_cc = fcmp_conds, .fconst = fconst, .trapif = a64_trapif,
};
