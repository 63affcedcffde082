/* AArch64 lowering of the integer operations beyond plain arithmetic:
 * bit counts and reversals, high multiplies, division with its checks,
 * arithmetic that reports overflow, global values, and atomics (LL/SC
 * loops, or LSE with has_lse). */
#include "a64.h"

#define F (&c->f)
#define res(c, i, k) a64_res(c, i, k)

static unsigned opsize(ir_type t) { return t == IR_I64 ? 8 : 4; }

/* clz/ctz/cls/popcnt of the low `bits` of x into dst */
void a64_bitcount(cg_ctx *c, unsigned op, unsigned bits, uint32_t x, uint32_t dst)
{
    unsigned size = bits == 64 ? 8 : 4;
    switch (op) {
    case IR_OP_clz:
        if (bits >= 32) {
            a64_unary(c, A64_CLZ, size, dst, x);
        } else {
            uint32_t z = a64_extend(c, x, bits, 4, false), n = a64_new_int(c);
            a64_unary(c, A64_CLZ, 4, n, z);
            a64_alu_imm(c, A64_SUB, 4, dst, n, 32 - bits);
        }
        return;
    case IR_OP_cls:
        if (bits >= 32) {
            a64_unary(c, A64_CLS, size, dst, x);
        } else {
            uint32_t z = a64_extend(c, x, bits, 4, true), n = a64_new_int(c);
            a64_unary(c, A64_CLS, 4, n, z);
            a64_alu_imm(c, A64_SUB, 4, dst, n, 32 - bits);
        }
        return;
    case IR_OP_ctz: {   /* clz of the reversed bits; a bit above the width makes ctz(0) = bits */
        uint32_t r = a64_new_int(c);
        if (bits < 32) {
            uint32_t y = a64_new_int(c);
            a64_alu_imm(c, A64_ORR, 4, y, x, 1ll << bits);
            x = y;
        }
        a64_unary(c, A64_RBIT, size, r, x);
        a64_unary(c, A64_CLZ, size, dst, r);
        return;
    }
    default: {          /* popcnt through the vector unit's cnt */
        if (bits < 32)
            x = a64_extend(c, x, bits, 4, false);
        cg_inst *i = cg_emit_inst(F, A64_POPCNT, 3);
        i->size = (uint8_t)size;
        cg_op_def(F, dst);
        cg_op_use(F, x);
        cg_op_temp(F, a64_new_flt(c));
        return;
    }
    }
}

/* Overflow of a result computed in 32 bits from `bits`-wide extended
 * operands: it differs from its own extension.  Sets NE on overflow. */
static void narrow_ovf(cg_ctx *c, uint32_t r, unsigned bits, bool sign)
{
    cg_inst *i = cg_emit_inst(F, A64_CMP, 2);
    i->cc = A64_SUBS, i->size = 4, i->amode = (uint8_t)a64_ext_op2(bits, sign);
    cg_op_use(F, r);
    cg_op_use(F, r);
}

/* C = (carry-in != 0) for adc, C = (borrow-in == 0) for sbc */
static void carry_in(cg_ctx *c, uint32_t v, bool add)
{
    uint32_t x = a64_extend(c, a64_put_in_reg(c, v), 8, 4, false);
    if (add) {
        a64_cmp_imm(c, 4, x, 1);
    } else {
        cg_inst *i = cg_emit_inst(F, A64_CMP, 2);
        i->cc = A64_SUBS, i->size = 4;
        cg_op_use(F, A64_ZR);
        cg_op_use(F, x);
    }
}

static bool lower_overflow(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned bits = ir_type_bits(t), size = opsize(t), op = in->op;
    bool add, sign, carry = in->nargs == 3;
    cg_overflow_op(op, &add, &sign);
    uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
    if (bits < 32) {
        x = a64_extend(c, x, bits, 4, sign);
        y = a64_extend(c, y, bits, 4, sign);
        if (carry)
            carry_in(c, a[2], add);
        a64_alu(c, add ? (carry ? A64_ADC : A64_ADD) : (carry ? A64_SBC : A64_SUB), 4, d, x, y);
        narrow_ovf(c, d, bits, sign);
        a64_cset(c, A64_NE, res(c, inst, 1));
        return true;
    }
    if (carry)
        carry_in(c, a[2], add);
    a64_alu(c, add ? (carry ? A64_ADCS : A64_ADDS) : (carry ? A64_SBCS : A64_SUBS), size, d, x, y);
    a64_cset(c, sign ? A64_VS : add ? A64_HS : A64_LO, res(c, inst, 1));
    return true;
}

static bool lower_mul_overflow(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned bits = ir_type_bits(t);
    bool sign = in->op == IR_OP_smul_overflow;
    uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
    if (bits < 32) {    /* the product fits 32 bits */
        x = a64_extend(c, x, bits, 4, sign);
        y = a64_extend(c, y, bits, 4, sign);
        a64_alu(c, A64_MUL, 4, d, x, y);
        narrow_ovf(c, d, bits, sign);
    } else if (bits == 32) {    /* the 64-bit product against its extended low half */
        uint32_t p = a64_new_int(c);
        a64_madd(c, sign ? 2 : 3, 8, p, x, y, A64_ZR);
        a64_mov(c, 4, d, p);
        cg_inst *i = cg_emit_inst(F, A64_CMP, 2);
        i->cc = A64_SUBS, i->size = 8, i->amode = sign ? A64_OP2_SXTW : A64_OP2_UXTW;
        cg_op_use(F, p);
        cg_op_use(F, p);
    } else {
        uint32_t hi = a64_new_int(c);
        a64_alu(c, A64_MUL, 8, d, x, y);
        a64_alu(c, sign ? A64_SMULH : A64_UMULH, 8, hi, x, y);
        if (sign) {     /* the high half must be the low half's sign */
            cg_inst *i = cg_emit_inst(F, A64_CMP, 2);
            i->cc = A64_SUBS, i->size = 8, i->amode = A64_OP2_ASR, i->scale = 63;
            cg_op_use(F, hi);
            cg_op_use(F, d);
        } else {
            a64_cmp_imm(c, 8, hi, 0);
        }
    }
    a64_cset(c, A64_NE, res(c, inst, 1));
    return true;
}

bool a64_lower_misc(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned size = opsize(t), bits = ir_type_bits(t);
    switch (in->op) {
    case IR_OP_clz: case IR_OP_ctz: case IR_OP_cls: case IR_OP_popcnt:
        a64_bitcount(c, in->op, bits, a64_put_in_reg(c, a[0]), res(c, inst, 0));
        return true;
    case IR_OP_bswap: {
        uint32_t x = a64_put_in_reg(c, a[0]);
        a64_unary(c, bits == 16 ? A64_REV16 : bits == 32 ? A64_REV32 : A64_REV64, size, res(c, inst, 0), x);
        return true;
    }
    case IR_OP_bitrev: {
        uint32_t x = a64_put_in_reg(c, a[0]);
        if (bits >= 32) {
            a64_unary(c, A64_RBIT, size, res(c, inst, 0), x);
        } else {
            uint32_t r = a64_new_int(c);
            a64_unary(c, A64_RBIT, 4, r, x);
            a64_shift_imm(c, A64_LSR, 4, res(c, inst, 0), r, 32 - bits);
        }
        return true;
    }
    case IR_OP_umulhi: case IR_OP_smulhi: {
        bool sign = in->op == IR_OP_smulhi;
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
        if (bits == 64) {
            a64_alu(c, sign ? A64_SMULH : A64_UMULH, 8, res(c, inst, 0), x, y);
        } else if (bits == 32) {
            uint32_t p = a64_new_int(c);
            a64_madd(c, sign ? 2 : 3, 8, p, x, y, A64_ZR);
            a64_shift_imm(c, sign ? A64_ASR : A64_LSR, 8, res(c, inst, 0), p, 32);
        } else {
            uint32_t p = a64_new_int(c);
            a64_alu(c, A64_MUL, 4, p, a64_extend(c, x, bits, 4, sign), a64_extend(c, y, bits, 4, sign));
            a64_shift_imm(c, sign ? A64_ASR : A64_LSR, 4, res(c, inst, 0), p, bits);
        }
        return true;
    }
    case IR_OP_uadd_overflow: case IR_OP_sadd_overflow: case IR_OP_usub_overflow:
    case IR_OP_ssub_overflow: case IR_OP_uadd_overflow_cin: case IR_OP_sadd_overflow_cin:
    case IR_OP_usub_overflow_bin: case IR_OP_ssub_overflow_bin:
        return lower_overflow(c, inst, t);
    case IR_OP_umul_overflow: case IR_OP_smul_overflow:
        return lower_mul_overflow(c, inst, t);
    case IR_OP_uadd_overflow_trap: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        if (bits < 32) {
            x = a64_extend(c, x, bits, 4, false);
            y = a64_extend(c, y, bits, 4, false);
            a64_alu(c, A64_ADD, 4, d, x, y);
            narrow_ovf(c, d, bits, false);
            a64_trapif(c, A64_NE, in->trap);
            return true;
        }
        a64_alu(c, A64_ADDS, size, d, x, y);
        a64_trapif(c, A64_HS, in->trap);
        return true;
    }
    default:
        return cg_unsupported(c, inst, NULL);
    }
}

/* udiv/sdiv/urem/srem: divisor zero traps, INT_MIN / -1 traps for sdiv;
 * AArch64's division itself never faults. */
void a64_lower_div(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    bool sign = in->op == IR_OP_sdiv || in->op == IR_OP_srem;
    bool rem = in->op == IR_OP_urem || in->op == IR_OP_srem;
    unsigned bits = ir_type_bits(t), size = opsize(t);
    uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
    int64_t k;
    bool known = cg_iconst_of(c, a[1], &k) && k != 0;
    if (bits < 32) {
        x = a64_extend(c, x, bits, 4, sign);
        y = a64_extend(c, y, bits, 4, sign);
    }
    if (!known) {
        cg_inst *i = cg_emit_inst(F, A64_TRAPZ, 1);
        i->cc = 0, i->size = (uint8_t)size, i->aux = IR_TRAP_int_divz;
        cg_op_use(F, y);
    }
    if (sign && !rem && (!known || k == -1)) {
        /* y == -1 and x == INT_MIN: x - 1 overflows (narrow: x shifted up) */
        uint32_t xs = x;
        if (bits < 32) {
            xs = a64_new_int(c);
            a64_shift_imm(c, A64_LSL, 4, xs, x, 32 - bits);
        }
        a64_cmpi_op(c, A64_ADDS, size, y, 1);
        cg_inst *i = cg_emit_inst(F, A64_CCMPI, 1);
        i->cc = A64_EQ, i->size = (uint8_t)size, i->aux = 0, i->imm = 1;
        cg_op_use(F, xs);
        a64_trapif(c, A64_VS, IR_TRAP_int_ovf);
    }
    uint32_t dst = res(c, inst, 0);
    if (!rem) {
        a64_alu(c, sign ? A64_SDIV : A64_UDIV, size, dst, x, y);
        return;
    }
    uint32_t q = a64_new_int(c);
    a64_alu(c, sign ? A64_SDIV : A64_UDIV, size, q, x, y);
    a64_madd(c, 1, size, dst, q, y, x);    /* x - q * y */
}

/* ---- atomics ----------------------------------------------------------------------
 * Sequentially consistent: ldar/stlr for loads and stores, acquire-release
 * exclusive loops (or LSE's *al forms) for read-modify-write. */

bool a64_lower_atomic(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned size = ir_type_bytes(t);
    bool lse = c->target->isa >> CG_ISA_lse & 1;
    cg_inst *i;
    switch (in->op) {
    case IR_OP_atomic_cas: {
        uint32_t p = a64_put_in_reg(c, a[0]), e = a64_put_in_reg(c, a[1]), n = a64_put_in_reg(c, a[2]);
        if (lse) {
            i = cg_emit_inst(F, A64_CASAL, 4);
            i->size = (uint8_t)size, i->imm = in->mf.trap;
            cg_op_use(F, p);
            cg_op_use(F, n);
            cg_op_use(F, e);
            cg_op_def_reuse(F, res(c, inst, 0), 2);
            return true;
        }
        i = cg_emit_inst(F, A64_CASLOOP, 5);
        i->size = (uint8_t)size, i->imm = in->mf.trap;
        cg_op_use(F, p);
        cg_op_use(F, e);
        cg_op_use(F, n);
        cg_op_temp(F, res(c, inst, 0));     /* written before the loop reads p again */
        cg_op_temp(F, a64_new_int(c));
        return true;
    }
    default: {  /* atomic_rmw */
        uint32_t p = a64_put_in_reg(c, a[0]), x = a64_put_in_reg(c, a[1]);
        unsigned op = in->cond;
        if (lse && op != IR_RMW_nand) {
            if (op == IR_RMW_sub) {     /* ldadd of the negation */
                uint32_t n = a64_new_int(c);
                a64_alu(c, A64_SUB, size == 8 ? 8 : 4, n, A64_ZR, x);
                x = n;
            } else if (op == IR_RMW_and) {  /* ldclr of the complement */
                uint32_t n = a64_new_int(c);
                a64_alu(c, A64_ORN, size == 8 ? 8 : 4, n, A64_ZR, x);
                x = n;
            }
            i = cg_emit_inst(F, A64_LSE, 3);
            i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = in->mf.trap;
            cg_op_use(F, p);
            cg_op_use(F, x);
            cg_op_temp(F, res(c, inst, 0));
            return true;
        }
        i = cg_emit_inst(F, A64_RMWLOOP, 5);
        i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = in->mf.trap;
        cg_op_use(F, p);
        cg_op_use(F, x);
        cg_op_temp(F, res(c, inst, 0));     /* written before the loop reads p and x again */
        cg_op_temp(F, a64_new_int(c));
        cg_op_temp(F, a64_new_int(c));
        return true;
    }
    }
}
