/* AArch64 lowering of i128: a pair of vregs, low half first (Cranelift's
 * ValueRegs), where the instructions differ from x86-64's (lib/codegen/
 * lower128.c does the rest through the primitives at the end).  Carries go
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

unsigned a64_icmp128(cg_ctx *c, ir_intcc cond, uint32_t x, uint32_t y)
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

static void select128(cg_ctx *c, unsigned cc, uint32_t dst, uint32_t if_cc, uint32_t if_not)
{
    a64_csel(c, cc, A64_CSEL_, 8, dst, if_cc, if_not);
    a64_csel(c, cc, A64_CSEL_, 8, dst + 1, if_cc + 1, if_not + 1);
}

/* 128-bit shift of pair x by the amount in vreg n (bits 0-6 count). */
void a64_shift128(cg_ctx *c, unsigned op, uint32_t x, uint32_t n, uint32_t dst)
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
unsigned a64_sdiv128_ovf(cg_ctx *c, uint32_t x, uint32_t y)
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

uint32_t a64_fconst_bits(cg_ctx *c, ir_type t, uint64_t bits)
{
    return a64_fconst(c, ir_type_bytes(t), bits);
}

/* After fcmp: an unordered result sets C and V, so GE, MI and LS are
 * false for a NaN. */
const uint8_t a64_fcmp_conds[IR_FLOATCC_COUNT] = {
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

bool a64_lower_i128(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    switch (in->op) {
    case IR_OP_iadd: case IR_OP_isub: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        bool add = in->op == IR_OP_iadd;
        a64_alu(c, add ? A64_ADDS : A64_SUBS, 8, d, x, y);
        a64_alu(c, add ? A64_ADC : A64_SBC, 8, d + 1, x + 1, y + 1);
        return true;
    }
    case IR_OP_uadd_overflow: case IR_OP_sadd_overflow: case IR_OP_usub_overflow:
    case IR_OP_ssub_overflow: case IR_OP_uadd_overflow_cin: case IR_OP_sadd_overflow_cin:
    case IR_OP_usub_overflow_bin: case IR_OP_ssub_overflow_bin: {
        bool add, sign, carry = in->nargs == 3;
        cg_overflow_op(in->op, &add, &sign);
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        if (carry) {    /* C = carry-in != 0 (add), borrow-in == 0 (sub) */
            uint32_t cin = a64_extend(c, a64_put_in_reg(c, a[2]), 8, 4, false);
            if (add)
                a64_cmp_imm(c, 4, cin, 1);
            else
                a64_cmp(c, 4, A64_ZR, cin);
        }
        a64_alu(c, add ? (carry ? A64_ADCS : A64_ADDS) : (carry ? A64_SBCS : A64_SUBS), 8, d, x, y);
        a64_alu(c, add ? A64_ADCS : A64_SBCS, 8, d + 1, x + 1, y + 1);
        a64_cset(c, sign ? A64_VS : add ? A64_HS : A64_LO, res(c, inst, 1));
        return true;
    }
    case IR_OP_ineg:
        neg128(c, a64_put_in_reg(c, a[0]), res(c, inst, 0));
        return true;
    case IR_OP_iabs: {
        uint32_t x = a64_put_in_reg(c, a[0]), n = cg_new_pair(c), d = res(c, inst, 0);
        neg128(c, x, n);
        a64_cmp_imm(c, 8, x + 1, 0);
        select128(c, A64_LT, d, n, x);
        return true;
    }
    case IR_OP_imul: {  /* lo*lo widened, plus the two cross products in the high half */
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        uint32_t hi = tmp(c), s = tmp(c);
        a64_alu(c, A64_UMULH, 8, hi, x, y);
        a64_madd(c, 0, 8, s, x, y + 1, hi);
        a64_madd(c, 0, 8, d + 1, x + 1, y, s);
        a64_alu(c, A64_MUL, 8, d, x, y);
        return true;
    }
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr: {   /* (rotates are lib/codegen's) */
        uint32_t x = a64_put_in_reg(c, a[0]), n = a64_put_in_reg(c, a[1]);
        a64_shift128(c, in->op, x, n, res(c, inst, 0));
        return true;
    }
    case IR_OP_icmp:
        a64_cset(c, cg_icmp_i128(c, inst), res(c, inst, 0));
        return true;
    case IR_OP_bmask: {
        ir_type ft = cg_vtype(c, a[0]);
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        if (ft == IR_I128) {
            a64_test_i128(c, x);
        } else if (ir_type_bits(ft) >= 32) {
            a64_cmp_imm(c, ir_type_bytes(ft), x, 0);
        } else {
            cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
            i->cc = A64_ANDS, i->size = 4, i->imm = (1ll << ir_type_bits(ft)) - 1;
            cg_op_use(F, x);
        }
        cg_inst *i = cg_emit_inst(F, A64_CSET, 1);
        i->cc = A64_NE, i->size = 8, i->aux = 1;
        cg_op_def(F, d);
        if (t == IR_I128)
            mov(c, d + 1, d);
        return true;
    }
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        bool sign = in->op == IR_OP_smin || in->op == IR_OP_smax;
        bool min = in->op == IR_OP_smin || in->op == IR_OP_umin;
        sub_flags(c, x, y);     /* x < y? */
        unsigned lt = sign ? A64_LT : A64_LO;
        if (min)
            select128(c, lt, d, x, y);
        else
            select128(c, lt, d, y, x);
        return true;
    }
    case IR_OP_atomic_load: case IR_OP_atomic_store: case IR_OP_atomic_rmw: case IR_OP_atomic_cas:
        return lower_atomic128(c, inst);
    default:
        return cg_unsupported(c, inst, NULL);
    }
}

/* cg_isa.int_op: one 64-bit (or `size`-byte) operation for lib/codegen's i128 lowering. */
void a64_int_op(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t x, int64_t y)
{
    static const uint8_t alu[IR_OP_COUNT] = {
        [IR_OP_iadd] = A64_ADD, [IR_OP_band] = A64_AND, [IR_OP_bor] = A64_ORR, [IR_OP_bxor] = A64_EOR,
        [IR_OP_band_not] = A64_BIC,
    };
    switch (op) {
    case IR_OP_bnot: case IR_OP_ineg:
        a64_alu(c, op == IR_OP_bnot ? A64_ORN : A64_SUB, size, dst, A64_ZR, x);
        return;
    case IR_OP_clz: case IR_OP_ctz: case IR_OP_popcnt:
        a64_bitcount(c, op, 8 * size, x, dst);
        return;
    case IR_OP_bswap: case IR_OP_bitrev:
        a64_unary(c, op == IR_OP_bswap ? A64_REV64 : A64_RBIT, size, dst, x);
        return;
    case IR_OP_sshr_imm:
        a64_shift_imm(c, A64_ASR, size, dst, x, (unsigned)y);
        return;
    case IR_OP_iconst:
        if (y == 0)
            mov(c, dst, A64_ZR);
        else
            a64_movi_to(c, size, dst, y);
        return;
    default:
        a64_alu(c, alu[op], size, dst, x, (uint32_t)y);
    }
}

void a64_select_zero(cg_ctx *c, uint32_t dst, uint32_t r, uint32_t if_zero, uint32_t if_nonzero)
{
    a64_cmp_imm(c, 8, r, 0);
    a64_csel(c, A64_EQ, A64_CSEL_, 8, dst, if_zero, if_nonzero);
}
