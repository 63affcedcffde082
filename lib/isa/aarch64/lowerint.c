/* AArch64 lowering of the integer operations: arithmetic with operands
 * folded into it (bic/orn/eon, madd, shifted registers), shifts and
 * rotates, min/max, bit counts and reversals, high multiplies, division
 * with its checks, arithmetic that reports overflow. */
#include "a64.h"

typedef cg_lower lower;

#define F (&c->f)
#define res(c, i, k) a64_res(c, i, k)


/* clz/ctz/cls/popcnt of the low `bits` of x into dst */
void a64_bitcount(cg_ctx *c, unsigned op, unsigned bits, uint32_t x, uint32_t dst)
{
    unsigned size = bits == 64 ? 8 : 4;
    switch (op) {
    case IR_OP_clz: case IR_OP_cls: {  /* narrow: extended to 32 bits, less the extra bits */
        unsigned mop = op == IR_OP_clz ? A64_CLZ : A64_CLS;
        if (bits >= 32) {
            a64_unary(c, mop, size, dst, x);
        } else {
            uint32_t z = a64_extend(c, x, bits, 4, op == IR_OP_cls), n = a64_new_int(c);
            a64_unary(c, mop, 4, n, z);
            a64_alu_imm(c, A64_SUB, 4, dst, n, 32 - bits);
        }
        return;
    }
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
    unsigned bits = ir_type_bits(t), size = cg_opsize(t), op = in->op;
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
    unsigned size = cg_opsize(t), bits = ir_type_bits(t);
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
    unsigned bits = ir_type_bits(t), size = cg_opsize(t);
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

/* ---- integer operations ------------------------------------------------------- */

static const uint8_t alu_of[] = {[IR_OP_iadd] = A64_ADD, [IR_OP_isub] = A64_SUB,
                                 [IR_OP_band] = A64_AND, [IR_OP_bor] = A64_ORR, [IR_OP_bxor] = A64_EOR};

static void lower_alu(lower *L, uint32_t inst, unsigned op, unsigned size)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = a[0], y = a[1], dst = res(c, inst, 0), d;
    int64_t k = 0;   /* folded shifts have a constant amount */
    for (unsigned s = 0; s < 2; s++) {
        uint32_t other = s ? y : x, v = s ? x : y;
        if (a64_folded(L, v, IR_OP_bnot, &d)) {     /* bic / orn / eon */
            uint32_t r = a64_put_in_reg(c, other), inner = a64_put_in_reg(c, ir_inst_args(c->fn, d)[0]);
            a64_alu(c, op == A64_AND ? A64_BIC : op == A64_ORR ? A64_ORN : A64_EON, size, dst, r, inner);
            return;
        }
        if (a64_folded(L, v, IR_OP_imul, &d)) {     /* madd */
            const uint32_t *m = ir_inst_args(c->fn, d);
            uint32_t r = a64_put_in_reg(c, other);
            a64_madd(c, 0, size, dst, a64_put_in_reg(c, m[0]), a64_put_in_reg(c, m[1]), r);
            return;
        }
        if (a64_folded(L, v, IR_OP_ishl, &d)) {     /* a shifted operand */
            cg_iconst_of(c, ir_inst_args(c->fn, d)[1], &k);
            uint32_t r = a64_put_in_reg(c, other), inner = a64_put_in_reg(c, ir_inst_args(c->fn, d)[0]);
            a64_alu_op2(c, op, size, dst, r, inner, A64_OP2_LSL, (unsigned)(k & (ir_type_bits(cg_vtype(c, v)) - 1)));
            return;
        }
    }
    bool commutes = in->op != IR_OP_isub;
    if (commutes && !cg_iconst_of(c, y, &k) && cg_iconst_of(c, x, &k))
        x = a[1], y = a[0];
    if (cg_iconst_of(c, y, &k) && a64_imm_encodes(op, size, k)) {
        a64_alu_imm(c, op, size, dst, a64_put_in_reg(c, x), k);
        return;
    }
    uint32_t rx = a64_put_in_reg(c, x), ry = a64_put_in_reg(c, y);
    a64_alu(c, op, size, dst, rx, ry);
}

/* Cranelift masks shift amounts to the type's width. */
static bool lower_shift(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned bits = ir_type_bits(t), size = cg_opsize(t), op = in->op;
    uint32_t dst = res(c, inst, 0);
    int64_t amt;
    bool rot = op == IR_OP_rotl || op == IR_OP_rotr;
    if (cg_iconst_of(c, a[1], &amt)) {
        unsigned n = (unsigned)(amt & (bits - 1));
        uint32_t x = a64_put_in_reg(c, a[0]);
        if (op == IR_OP_rotl)
            n = (bits - n) & (bits - 1), op = IR_OP_rotr;
        if (n == 0) {
            a64_mov(c, 8, dst, x);
            return true;
        }
        switch (op) {
        case IR_OP_ishl:
            a64_shift_imm(c, A64_LSL, size, dst, x, n);
            return true;
        case IR_OP_ushr: case IR_OP_sshr:
            if (bits < 32)      /* extract the field: ubfx/sbfx */
                a64_bfm(c, op == IR_OP_sshr ? A64_SBFM : A64_UBFM, 4, dst, x, n, bits - 1);
            else
                a64_shift_imm(c, op == IR_OP_sshr ? A64_ASR : A64_LSR, size, dst, x, n);
            return true;
        default:    /* rotr */
            if (bits >= 32) {
                a64_shift_imm(c, A64_ROR, size, dst, x, n);
            } else {
                uint32_t z = a64_extend(c, x, bits, 4, false), lo = a64_new_int(c), hi = a64_new_int(c);
                a64_shift_imm(c, A64_LSR, 4, lo, z, n);
                a64_shift_imm(c, A64_LSL, 4, hi, z, bits - n);
                a64_alu(c, A64_ORR, 4, dst, lo, hi);
            }
            return true;
        }
    }
    uint32_t x = a64_put_in_reg(c, a[0]), n = a64_put_in_reg(c, a[1]);
    if (bits >= 32) {
        if (op == IR_OP_rotl) {     /* rotl by n = rotr by -n */
            uint32_t m = a64_new_int(c);
            a64_alu(c, A64_SUB, 4, m, A64_ZR, n);
            n = m;
        }
        static const uint8_t v[] = {[IR_OP_ishl] = A64_LSLV, [IR_OP_ushr] = A64_LSRV, [IR_OP_sshr] = A64_ASRV,
                                    [IR_OP_rotl] = A64_RORV, [IR_OP_rotr] = A64_RORV};
        a64_alu(c, v[op], size, dst, x, n);
        return true;
    }
    uint32_t m = a64_new_int(c);
    a64_alu_imm(c, A64_AND, 4, m, n, bits - 1);
    if (rot) {      /* (z >> n) | (z << (bits - n)), of the zero-extended value */
        uint32_t z = a64_extend(c, x, bits, 4, false), r = a64_new_int(c), lo = a64_new_int(c), hi = a64_new_int(c);
        uint32_t s = m;
        if (op == IR_OP_rotl) {
            s = a64_new_int(c);
            uint32_t neg = a64_new_int(c);
            a64_alu(c, A64_SUB, 4, neg, A64_ZR, m);
            a64_alu_imm(c, A64_AND, 4, s, neg, bits - 1);
        }
        a64_alu_imm(c, A64_SUB, 4, r, s, bits);
        uint32_t nr = a64_new_int(c);
        a64_alu(c, A64_SUB, 4, nr, A64_ZR, r);      /* bits - s */
        a64_alu(c, A64_LSRV, 4, lo, z, s);
        a64_alu(c, A64_LSLV, 4, hi, z, nr);
        a64_alu(c, A64_ORR, 4, dst, lo, hi);
        return true;
    }
    if (op == IR_OP_ishl) {
        a64_alu(c, A64_LSLV, 4, dst, x, m);
        return true;
    }
    uint32_t e = a64_extend(c, x, bits, 4, op == IR_OP_sshr);
    a64_alu(c, op == IR_OP_sshr ? A64_ASRV : A64_LSRV, 4, dst, e, m);
    return true;
}

static void lower_minmax(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned cc = in->op == IR_OP_smin ? A64_LT : in->op == IR_OP_smax ? A64_GT
                : in->op == IR_OP_umin ? A64_LO : A64_HI;
    /* int_compare may compare the operands swapped, but the condition it
     * returns still means "a[0] <op> a[1]" */
    cc = a64_int_compare(c, cc, a[0], a[1], ir_type_bits(t));
    uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
    a64_csel(c, cc, A64_CSEL_, cg_opsize(t), res(c, inst, 0), x, y);
}

/* ---- one instruction ------------------------------------------------------------ */

bool a64_lower_int(lower *L, uint32_t inst, ir_type t)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned size = cg_opsize(t), bits = ir_type_bits(t);
    switch (in->op) {
    case IR_OP_iadd: case IR_OP_isub: case IR_OP_band: case IR_OP_bor: case IR_OP_bxor:
        lower_alu(L, inst, alu_of[in->op], size);
        return true;
    case IR_OP_imul: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
        a64_alu(c, A64_MUL, size, res(c, inst, 0), x, y);
        return true;
    }
    case IR_OP_ineg: {
        uint32_t x = a64_put_in_reg(c, a[0]);
        a64_alu(c, A64_SUB, size, res(c, inst, 0), A64_ZR, x);
        return true;
    }
    case IR_OP_bnot:
        a64_alu(c, A64_ORN, size, res(c, inst, 0), A64_ZR, a64_put_in_reg(c, a[0]));
        return true;
    case IR_OP_iabs: {
        uint32_t x = a64_put_in_reg(c, a[0]);
        if (bits < 32)
            x = a64_extend(c, x, bits, 4, true);
        a64_cmpi_op(c, A64_SUBS, size, x, 0);
        a64_csel(c, A64_GE, A64_CSNEG, size, res(c, inst, 0), x, x);
        return true;
    }
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr: case IR_OP_rotl: case IR_OP_rotr:
        return lower_shift(c, inst, t);
    case IR_OP_udiv: case IR_OP_sdiv: case IR_OP_urem: case IR_OP_srem:
        a64_lower_div(c, inst, t);
        return true;
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax:
        lower_minmax(c, inst, t);
        return true;
    case IR_OP_bmask: {
        ir_type ft = cg_vtype(c, a[0]);
        if (!cg_is_int(ft))
            return cg_unsupported(c, inst, NULL);
        a64_test_nonzero(c, a64_put_in_reg(c, a[0]), ir_type_bits(ft));
        a64_csetm(c, A64_NE, size, res(c, inst, 0));
        return true;
    }
    case IR_OP_bitselect: {     /* (x & m) | (y & ~m) */
        uint32_t m = a64_put_in_reg(c, a[0]), x = a64_put_in_reg(c, a[1]), y = a64_put_in_reg(c, a[2]);
        uint32_t t1 = a64_new_int(c), t2 = a64_new_int(c);
        a64_alu(c, A64_AND, size, t1, x, m);
        a64_alu(c, A64_BIC, size, t2, y, m);
        a64_alu(c, A64_ORR, size, res(c, inst, 0), t1, t2);
        return true;
    }
    default:
        return a64_lower_misc(c, inst, t);
    }
}
