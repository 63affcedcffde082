/* x86-64 lowering of the integer operations: arithmetic with immediates,
 * shifts and rotates, division (by a constant: a multiply), min/max
 * through cmov, bit counts and reversals, arithmetic that reports
 * overflow. */
#include "x64.h"

#define F (&c->f)


static inline uint32_t res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}

/* ---- integer operations ------------------------------------------------------- */

static const uint8_t alu_of[] = {[IR_OP_iadd] = X64_ADD, [IR_OP_isub] = X64_SUB,
                                 [IR_OP_band] = X64_AND, [IR_OP_bor] = X64_OR, [IR_OP_bxor] = X64_XOR};

/* dst = x op y (a constant operand an immediate); inline: the most common
 * integer operations come here. */
static inline __attribute__((always_inline)) void lower_alu(cg_ctx *c, uint32_t inst, unsigned aop, unsigned size,
                                                            bool commutes)
{
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = a[0], y = a[1];
    uint32_t dst = res(c, inst, 0), rx = cg_named_vreg(c, x), ry = cg_named_vreg(c, y);
    unsigned op = aop == X64_IMUL ? X64_IMUL : X64_ALU;
    if (rx != CG_NONE && ry != CG_NONE) {   /* no constant: most operations */
        x64_rr(c, op, aop, size, dst, rx, ry);
        return;
    }
    int64_t k;
    bool ky = cg_iconst_of(c, y, &k);
    if (commutes && !ky && cg_iconst_of(c, x, &k))
        x = a[1], y = a[0], ky = true;
    if (ky)
        x64_alu_k(c, aop == X64_IMUL ? X64_MULOP : aop, size, dst, x64_put_in_reg(c, x), k);
    else {
        rx = x64_put_in_reg(c, x), ry = x64_put_in_reg(c, y);
        x64_rr(c, op, aop, size, dst, rx, ry);
    }
}

static const uint8_t shift_of[] = {[IR_OP_ishl] = X64_SHL, [IR_OP_ushr] = X64_SHR,
                                   [IR_OP_sshr] = X64_SAR, [IR_OP_rotl] = X64_ROL, [IR_OP_rotr] = X64_ROR};

/* Cranelift masks the amount to the type's width; x86 masks to 5 or 6
 * bits, rotates are modular anyway, so only narrow shifts need an AND. */
static bool lower_shift(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned bits = ir_type_bits(t), op = shift_of[in->op];
    unsigned size = op == X64_SHL ? cg_opsize(t) : bits / 8;
    uint32_t dst = res(c, inst, 0);
    int64_t amt;
    if (cg_iconst_of(c, a[1], &amt)) {
        x64_ri(c, X64_SHIFTI, op, size, dst, x64_put_in_reg(c, a[0]), amt & (bits - 1));
        return true;
    }
    uint32_t x = x64_put_in_reg(c, a[0]), n = x64_put_in_reg(c, a[1]);  /* an i128 n: its low half */
    if (bits < 32 && op != X64_ROL && op != X64_ROR) {
        uint32_t m = x64_new_int(c);
        x64_ri(c, X64_ALUI, X64_AND, 4, m, n, bits - 1);
        n = m;
    }
    cg_inst *i = cg_emit_inst(F, X64_SHIFT, 3);
    i->cc = (uint8_t)op, i->size = (uint8_t)size;
    cg_op_def_reuse(F, dst, 1);
    cg_op_use(F, x);
    cg_op_use_fixed(F, n, X64_RCX);
    return true;
}

/* Unsigned division by a constant d (not 0): a shift and mask for a power
 * of two, else the quotient through the high half of a multiplication
 * (Granlund and Montgomery's round-up method, exact for every 64-bit x:
 * t = mulhi(x, m), q = (t + ((x - t) >> 1)) >> (l - 1)), on the value
 * zero-extended to 64 bits. */
static void lower_udiv_const(cg_ctx *c, uint32_t inst, ir_type t, bool rem, uint64_t d)
{
    unsigned bits = ir_type_bits(t);
    uint32_t x = x64_put_in_reg(c, ir_inst_args(c->fn, inst)[0]), dst = res(c, inst, 0);
    if (bits < 64)
        x = x64_extend64(c, x, bits, false);
    if (!(d & (d - 1))) {
        unsigned k = (unsigned)__builtin_ctzll(d);
        if (rem)
            x64_alu_k(c, X64_AND, 8, dst, x, (int64_t)(d - 1));
        else if (k)
            x64_ri(c, X64_SHIFTI, X64_SHR, 8, dst, x, k);
        else
            x64_un(c, X64_MOV, 0, 8, 0, dst, x);
        return;
    }
    unsigned l = 64 - (unsigned)__builtin_clzll(d - 1);
    unsigned __int128 num = ((unsigned __int128)1 << l) - d;
    uint64_t m = (uint64_t)((num << 64) / d + 1);
    uint32_t hi = x64_new_int(c), u = x64_new_int(c), u2 = x64_new_int(c), u3 = x64_new_int(c);
    uint32_t mr = x64_movi(c, 8, (int64_t)m);
    cg_inst *i = cg_emit_inst(F, X64_MULHI, 3);
    i->cc = 0, i->size = 8, i->clob = X64_CLOB_DIV;
    cg_op_use_fixed(F, x, X64_RAX);
    cg_op_use(F, mr);
    cg_op_def_fixed(F, hi, X64_RDX);
    x64_rr(c, X64_ALU, X64_SUB, 8, u, x, hi);
    x64_ri(c, X64_SHIFTI, X64_SHR, 8, u2, u, 1);
    x64_rr(c, X64_ALU, X64_ADD, 8, u3, u2, hi);
    uint32_t q = rem ? x64_new_int(c) : dst;
    if (l > 1)
        x64_ri(c, X64_SHIFTI, X64_SHR, 8, q, u3, l - 1);
    else
        x64_un(c, X64_MOV, 0, 8, 0, q, u3);
    if (!rem)
        return;
    uint32_t p = x64_new_int(c);
    x64_alu_k(c, X64_MULOP, 8, p, q, (int64_t)d);
    x64_rr(c, X64_ALU, X64_SUB, 8, dst, x, p);
}

static void lower_div(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    bool sign = in->op == IR_OP_sdiv || in->op == IR_OP_srem;
    bool rem = in->op == IR_OP_urem || in->op == IR_OP_srem;
    unsigned bits = ir_type_bits(t);
    int64_t k;
    bool known = cg_iconst_of(c, a[1], &k) && k != 0 && k != -1;
    if (known && !sign) {
        lower_udiv_const(c, inst, t, rem, bits == 64 ? (uint64_t)k : (uint64_t)k & ((1ull << bits) - 1));
        return;
    }
    uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
    if (bits < 32) {    /* divide in 32 bits; the checks look at the IR width */
        x = x64_extend(c, x, bits, 4, sign);
        y = x64_extend(c, y, bits, 4, sign);
    }
    cg_inst *i = cg_emit_inst(F, X64_DIV, 3);
    i->cc = (uint8_t)((sign ? X64_DIV_SIGNED : 0) | (rem ? X64_DIV_REM : 0) | (known ? X64_DIV_CONST : 0));
    i->size = (uint8_t)cg_opsize(t);
    i->aux = bits / 8;
    i->clob = X64_CLOB_DIV;
    cg_op_use_fixed(F, x, X64_RAX);
    cg_op_use(F, y);
    cg_op_def_fixed(F, res(c, inst, 0), rem ? X64_RDX : X64_RAX);
}

void x64_cmov(cg_ctx *c, unsigned cc, unsigned size, uint32_t dst, uint32_t if_not, uint32_t if_cc)
{
    x64_rr(c, X64_CMOV, cc, size, dst, if_not, if_cc);
}

static void lower_minmax(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
    cg_inst *i = cg_emit_inst(F, X64_CMP, 2);
    i->cc = X64_CMPOP, i->size = (uint8_t)ir_type_bytes(t);
    cg_op_use(F, x);
    cg_op_use(F, y);
    /* keep x unless the condition says y wins */
    unsigned cc = in->op == IR_OP_smin ? X64_CC_G : in->op == IR_OP_smax ? X64_CC_L
                : in->op == IR_OP_umin ? X64_CC_A : X64_CC_B;
    x64_cmov(c, cc, cg_opsize(t), res(c, inst, 0), x, y);
}

/* clz, ctz, popcnt: the BMI/ABM instruction when the target has it,
 * otherwise bsr/bsf with a cmov for zero, or the SWAR popcount. */
void x64_bitcount(cg_ctx *c, unsigned irop, unsigned bits, uint32_t x, uint32_t dst)
{
    uint64_t isa = c->target->isa;
    unsigned size = bits == 64 ? 8 : 4;
    if (bits < 32)
        x = x64_extend(c, x, bits, 4, false);
    if (irop == IR_OP_clz) {
        if (isa >> CG_ISA_lzcnt & 1) {
            if (bits >= 32) {
                x64_un(c, X64_BITOP, X64_LZCNT, size, 0, dst, x);
                return;
            }
            uint32_t r = x64_new_int(c);
            x64_un(c, X64_BITOP, X64_LZCNT, 4, 0, r, x);
            x64_ri(c, X64_ALUI, X64_SUB, 4, dst, r, 32 - bits);
            return;
        }
        /* (bits - 1) - bsr(x) = (bits - 1) ^ bsr(x) (bits - 1 is all ones);
         * x = 0 gives bits: bsr(0) taken as 2 bits - 1 */
        uint32_t r = x64_new_int(c), m = x64_movi(c, 4, 2 * bits - 1), s = x64_new_int(c);
        x64_un(c, X64_BITOP, X64_BSR, size, 0, r, x);
        x64_cmov(c, X64_CC_E, size, s, r, m);
        x64_ri(c, X64_ALUI, X64_XOR, size, dst, s, bits - 1);
        return;
    }
    if (irop == IR_OP_ctz) {
        if (bits < 32) {    /* a bit above the width makes ctz(0) = bits */
            uint32_t y = x64_new_int(c);
            x64_ri(c, X64_ALUI, X64_OR, 4, y, x, 1 << bits);
            x = y;
        }
        if (isa >> CG_ISA_bmi1 & 1 || bits < 32) {
            x64_un(c, X64_BITOP, isa >> CG_ISA_bmi1 & 1 ? X64_TZCNT : X64_BSF, size, 0, dst, x);
            return;
        }
        uint32_t r = x64_new_int(c), k = x64_movi(c, 4, bits);
        x64_un(c, X64_BITOP, X64_BSF, size, 0, r, x);
        x64_cmov(c, X64_CC_E, size, dst, r, k);
        return;
    }
    /* popcnt */
    if (isa >> CG_ISA_popcnt & 1) {
        x64_un(c, X64_BITOP, X64_POPCNT, size, 0, dst, x);
        return;
    }
    /* x - (x>>1 & 0x55..); (x & 0x33..) + (x>>2 & 0x33..); (x + x>>4) & 0x0f..; * 0x01.. >> (bits-8) */
    bool w = size == 8;
    uint64_t m55 = w ? 0x5555555555555555ull : 0x55555555, m33 = w ? 0x3333333333333333ull : 0x33333333;
    uint64_t m0f = w ? 0x0f0f0f0f0f0f0f0full : 0x0f0f0f0f, m01 = w ? 0x0101010101010101ull : 0x01010101;
    uint32_t t1 = x64_new_int(c), t2 = x64_new_int(c), t3 = x64_new_int(c), t4 = x64_new_int(c), t5 = x64_new_int(c);
    x64_ri(c, X64_SHIFTI, X64_SHR, size, t1, x, 1);
    x64_alu_k(c, X64_AND, size, t2, t1, (int64_t)m55);
    x64_rr(c, X64_ALU, X64_SUB, size, t3, x, t2);                        /* t3 = 2-bit sums */
    x64_alu_k(c, X64_AND, size, t4, t3, (int64_t)m33);
    x64_ri(c, X64_SHIFTI, X64_SHR, size, t5, t3, 2);
    uint32_t t6 = x64_new_int(c), t7 = x64_new_int(c), t8 = x64_new_int(c), t9 = x64_new_int(c), t10 = x64_new_int(c), t11 = x64_new_int(c);
    x64_alu_k(c, X64_AND, size, t6, t5, (int64_t)m33);
    x64_rr(c, X64_ALU, X64_ADD, size, t7, t4, t6);                       /* 4-bit sums */
    x64_ri(c, X64_SHIFTI, X64_SHR, size, t8, t7, 4);
    x64_rr(c, X64_ALU, X64_ADD, size, t9, t7, t8);
    x64_alu_k(c, X64_AND, size, t10, t9, (int64_t)m0f);                  /* byte sums */
    x64_alu_k(c, X64_MULOP, size, t11, t10, (int64_t)m01);
    x64_ri(c, X64_SHIFTI, X64_SHR, size, dst, t11, w ? 56 : 24);
}

/* Reverse the bits: swap neighbours, pairs, nibbles with masks cut to the
 * width (so the undefined bits above never come down), then the bytes. */
void x64_bitrev(cg_ctx *c, unsigned bits, uint32_t x, uint32_t dst)
{
    static const uint64_t m[3] = {0x5555555555555555ull, 0x3333333333333333ull, 0x0f0f0f0f0f0f0f0full};
    unsigned size = bits == 64 ? 8 : 4;
    uint64_t keep = bits == 64 ? ~0ull : (1ull << bits) - 1;
    for (unsigned k = 0; k < 3; k++) {
        unsigned sh = 1u << k;
        uint64_t mk = m[k] & keep;
        uint32_t hi = x64_new_int(c), a1 = x64_new_int(c), a2 = x64_new_int(c), lo = x64_new_int(c);
        uint32_t y = k == 2 && bits == 8 ? dst : x64_new_int(c);
        x64_ri(c, X64_SHIFTI, X64_SHR, size, hi, x, sh);
        if (size == 8) {
            uint32_t r = x64_movi(c, 8, (int64_t)mk);
            x64_rr(c, X64_ALU, X64_AND, 8, a1, hi, r);
            x64_rr(c, X64_ALU, X64_AND, 8, a2, x, r);
        } else {
            x64_ri(c, X64_ALUI, X64_AND, 4, a1, hi, (int32_t)mk);
            x64_ri(c, X64_ALUI, X64_AND, 4, a2, x, (int32_t)mk);
        }
        x64_ri(c, X64_SHIFTI, X64_SHL, size, lo, a2, sh);
        x64_rr(c, X64_ALU, X64_OR, size, y, a1, lo);
        x = y;
    }
    if (bits == 16)
        x64_ri(c, X64_SHIFTI, X64_ROL, 2, dst, x, 8);
    else if (bits > 16)
        x64_un(c, X64_UNARY, X64_BSWAP, size, 0, dst, x);
}

static __attribute__((noinline)) bool lower_int_other(cg_lower *L, uint32_t inst, ir_type t);

/* The ALU operations, most of all, here; the others (with the big switch
 * and its frame) in lower_int_other. */
bool x64_lower_int(cg_lower *L, uint32_t inst, ir_type t)
{
    cg_ctx *c = L->c;
    unsigned op = c->fn->insts.v[inst].op;
    if (op != IR_OP_iadd && op != IR_OP_isub && op != IR_OP_band && op != IR_OP_bor && op != IR_OP_bxor)
        return lower_int_other(L, inst, t);
    lower_alu(c, inst, alu_of[op], cg_opsize(t), op != IR_OP_isub);
    if (c->f.insts.v[c->f.insts.n - 1].op != X64_ALUM)     /* its aux is the constant */
        c->f.insts.v[c->f.insts.n - 1].aux = X64_FLAGS_DEAD;
    return true;
}

static bool lower_int_other(cg_lower *L, uint32_t inst, ir_type t)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned size = cg_opsize(t), bits = 8u << (t - IR_I8);   /* ir_type_bits: t is i8..i64 */
    switch (in->op) {
    case IR_OP_imul: {  /* by 3, 5 or 9: lea d, [x + x * 2|4|8] (1-2 cycles, imul 3) */
        int32_t k = 0;
        unsigned x = 0;
        if (!x64_imm32_of(c, a[1], &k))
            x = 1, x64_imm32_of(c, a[0], &k);
        if (k == 3 || k == 5 || k == 9) {
            uint32_t r = x64_put_in_reg(c, a[x]);
            cg_inst *i = cg_emit_inst(F, X64_LEA, 3);
            i->amode = X64_AM_INDEX, i->scale = (uint8_t)(k == 3 ? 1 : k == 5 ? 2 : 3);
            cg_op_def(F, res(c, inst, 0));
            cg_op_use(F, r);
            cg_op_use(F, r);
            return true;
        }
        lower_alu(c, inst, X64_IMUL, size, true);
        return true;
    }
    case IR_OP_ineg: case IR_OP_bnot:
        x64_un(c, X64_UNARY, in->op == IR_OP_ineg ? X64_NEG : X64_NOT, size, 0, res(c, inst, 0),
                x64_put_in_reg(c, a[0]));
        return true;
    case IR_OP_iabs: {  /* neg sets SF on the negation: keep x where that is negative */
        uint32_t x = x64_put_in_reg(c, a[0]), n = x64_new_int(c);
        x64_un(c, X64_UNARY, X64_NEG, bits / 8, 0, n, x);
        x64_cmov(c, X64_CC_S, size, res(c, inst, 0), n, x);
        return true;
    }
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr: case IR_OP_rotl: case IR_OP_rotr:
        return lower_shift(c, inst, t);
    case IR_OP_udiv: case IR_OP_sdiv: case IR_OP_urem: case IR_OP_srem:
        lower_div(c, inst, t);
        return true;
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax:
        lower_minmax(c, inst, t);
        return true;
    case IR_OP_clz: case IR_OP_ctz: case IR_OP_popcnt:
        x64_bitcount(c, in->op, bits, x64_put_in_reg(c, a[0]), res(c, inst, 0));
        return true;
    case IR_OP_bswap: {
        uint32_t x = x64_put_in_reg(c, a[0]);
        if (bits == 16)
            x64_ri(c, X64_SHIFTI, X64_ROL, 2, res(c, inst, 0), x, 8);
        else
            x64_un(c, X64_UNARY, X64_BSWAP, size, 0, res(c, inst, 0), x);
        return true;
    }
    case IR_OP_bitrev:
        x64_bitrev(c, bits, x64_put_in_reg(c, a[0]), res(c, inst, 0));
        return true;
    case IR_OP_cls: {   /* clz(x ^ (x >> (bits-1))) - 1, on 32 bits for narrow types */
        uint32_t x = x64_put_in_reg(c, a[0]), sgn = x64_new_int(c), z = x64_new_int(c), n = x64_new_int(c);
        if (bits < 32)
            x = x64_extend(c, x, bits, 4, true);
        unsigned w = bits == 64 ? 64 : 32;
        x64_ri(c, X64_SHIFTI, X64_SAR, w / 8, sgn, x, w - 1);
        x64_rr(c, X64_ALU, X64_XOR, w / 8, z, x, sgn);
        x64_bitcount(c, IR_OP_clz, w, z, n);
        x64_ri(c, X64_ALUI, X64_SUB, 4, res(c, inst, 0), n, 1 + (w - bits));
        return true;
    }
    case IR_OP_bitselect: {     /* (x & c) | (y & ~c) */
        uint32_t m = x64_put_in_reg(c, a[0]), x = x64_put_in_reg(c, a[1]), y = x64_put_in_reg(c, a[2]);
        uint32_t t1 = x64_new_int(c), nm = x64_new_int(c), t2 = x64_new_int(c);
        x64_rr(c, X64_ALU, X64_AND, size, t1, x, m);
        x64_un(c, X64_UNARY, X64_NOT, size, 0, nm, m);
        x64_rr(c, X64_ALU, X64_AND, size, t2, y, nm);
        x64_rr(c, X64_ALU, X64_OR, size, res(c, inst, 0), t1, t2);
        return true;
    }
    case IR_OP_umulhi: case IR_OP_smulhi: {
        bool sign = in->op == IR_OP_smulhi;
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
        if (bits < 32) {    /* the full product fits in 32 bits */
            uint32_t p = x64_new_int(c);
            x64_rr(c, X64_IMUL, 0, 4, p, x64_extend(c, x, bits, 4, sign), x64_extend(c, y, bits, 4, sign));
            x64_ri(c, X64_SHIFTI, sign ? X64_SAR : X64_SHR, 4, res(c, inst, 0), p, bits);
            return true;
        }
        cg_inst *i = cg_emit_inst(F, X64_MULHI, 3);
        i->cc = sign, i->size = (uint8_t)size, i->clob = X64_CLOB_DIV;
        cg_op_use_fixed(F, x, X64_RAX);
        cg_op_use(F, y);
        cg_op_def_fixed(F, res(c, inst, 0), X64_RDX);
        return true;
    }
    case IR_OP_bmask: {     /* neg sets CF iff x != 0; sbb r,r = -CF */
        ir_type ft = cg_vtype(c, a[0]);
        if (!cg_is_int(ft))
            return cg_unsupported(c, inst, NULL);
        uint32_t n = x64_new_int(c);
        x64_un(c, X64_UNARY, X64_NEG, ir_type_bytes(ft), 0, n, x64_put_in_reg(c, a[0]));
        x64_rr(c, X64_ALU, X64_SBB, size, res(c, inst, 0), n, n);
        return true;
    }
    case IR_OP_uadd_overflow: case IR_OP_sadd_overflow: case IR_OP_usub_overflow:
    case IR_OP_ssub_overflow: case IR_OP_uadd_overflow_cin: case IR_OP_sadd_overflow_cin:
    case IR_OP_usub_overflow_bin: case IR_OP_ssub_overflow_bin: {
        /* at the type's own width, so the flags are the type's */
        bool add, sign, carry = in->nargs == 3;
        cg_overflow_op(in->op, &add, &sign);
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
        if (carry) {    /* CF = (carry-in != 0) */
            uint32_t cin = x64_put_in_reg(c, a[2]);
            x64_un(c, X64_UNARY, X64_NEG, 1, 0, x64_new_int(c), cin);
        }
        unsigned op = add ? (carry ? X64_ADC : X64_ADD) : (carry ? X64_SBB : X64_SUB);
        x64_rr(c, X64_ALU, op, bits / 8, res(c, inst, 0), x, y);
        x64_setcc(c, sign ? X64_CC_O : X64_CC_B, res(c, inst, 1));
        return true;
    }
    case IR_OP_umul_overflow: case IR_OP_smul_overflow: {
        bool sign = in->op == IR_OP_smul_overflow;
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
        if (bits == 8) {    /* the 16-bit product tells */
            uint32_t p = x64_new_int(c), e = x64_new_int(c);
            x64_rr(c, X64_IMUL, 0, 4, p, x64_extend(c, x, 8, 4, sign), x64_extend(c, y, 8, 4, sign));
            x64_un(c, X64_MOV, 0, 4, 0, res(c, inst, 0), p);
            x64_un(c, X64_EXT, sign, 4, 1, e, p);
            cg_inst *i = cg_emit_inst(F, X64_CMP, 2);
            i->cc = X64_CMPOP, i->size = 4;
            cg_op_use(F, e);
            cg_op_use(F, p);
            x64_setcc(c, X64_CC_NE, res(c, inst, 1));
            return true;
        }
        if (sign) {
            x64_rr(c, X64_IMUL, 0, bits / 8, res(c, inst, 0), x, y);
        } else {        /* mul: OF = CF = (high half != 0) */
            cg_inst *i = cg_emit_inst(F, X64_MULHI, 4);
            i->size = (uint8_t)(bits / 8), i->clob = X64_CLOB_DIV;
            cg_op_use_fixed(F, x, X64_RAX);
            cg_op_use(F, y);
            cg_op_def_fixed(F, x64_new_int(c), X64_RDX);
            cg_op_def_fixed(F, res(c, inst, 0), X64_RAX);
        }
        x64_setcc(c, X64_CC_O, res(c, inst, 1));
        return true;
    }
    case IR_OP_uadd_overflow_trap: {
        lower_alu(c, inst, X64_ADD, size, true);
        cg_inst *i = cg_emit_inst(F, X64_TRAPIF, 0);
        i->cc = X64_CC_B, i->aux = in->trap;
        return true;
    }
    default:
        return cg_unsupported(c, inst, NULL);
    }
}
