/* x86-64's i128 primitives: a pair of vregs, low half first (Cranelift's
 * ValueRegs); lib/codegen/lower128.c lowers every i128 instruction
 * through them (the x64_i128 table at the end).  Carries go
 * through the flags (add/adc, sub/sbb), shifts use shld/shrd and pick
 * halves with cmov on bit 6 of the amount. */
#include "x64.h"

#define F (&c->f)

static uint32_t res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}

static void mov(cg_ctx *c, uint32_t dst, uint32_t src)
{
    x64_un(c, X64_MOV, 0, 8, 0, dst, src);
}

/* Flags of a - b over 128 bits (CF: unsigned a < b, SF^OF: signed a < b). */
static void sub_flags(cg_ctx *c, uint32_t a, uint32_t b)
{
    cg_inst *i = cg_emit_inst(F, X64_CMP, 2);
    i->cc = X64_CMPOP, i->size = 8;
    cg_op_use(F, a);
    cg_op_use(F, b);
    x64_rr(c, X64_ALU, X64_SBB, 8, x64_new_int(c), a + 1, b + 1);
}

unsigned x64_test_i128(cg_ctx *c, uint32_t r)
{
    x64_rr(c, X64_ALU, X64_OR, 8, x64_new_int(c), r, r + 1);
    return X64_CC_NE;
}

static unsigned icmp128(cg_ctx *c, ir_intcc cond, uint32_t x, uint32_t y)
{
    if (cond == IR_INTCC_eq || cond == IR_INTCC_ne) {     /* (x.lo ^ y.lo) | (x.hi ^ y.hi) */
        uint32_t lo = x64_new_int(c), hi = x64_new_int(c);
        x64_rr(c, X64_ALU, X64_XOR, 8, lo, x, y);
        x64_rr(c, X64_ALU, X64_XOR, 8, hi, x + 1, y + 1);
        x64_rr(c, X64_ALU, X64_OR, 8, x64_new_int(c), lo, hi);
    } else {
        sub_flags(c, x, y);
    }
    return x64_intcc[cond];
}

/* 128-bit shift (ishl, ushr, sshr) of pair x by the constant k (0..127). */
static void shift128i(cg_ctx *c, unsigned irop, uint32_t x, unsigned k, uint32_t dst)
{
    unsigned op = irop == IR_OP_ishl ? X64_SHL : irop == IR_OP_ushr ? X64_SHR : X64_SAR;
    if (k == 0) {
        x64_un(c, X64_MOV, 0, 8, 0, dst, x);
        x64_un(c, X64_MOV, 0, 8, 0, dst + 1, x + 1);
        return;
    }
    bool left = op == X64_SHL;
    uint32_t from = left ? x : x + 1, to = left ? dst + 1 : dst, other = left ? dst : dst + 1;
    if (k >= 64) {  /* one half moves across; the other is zero or the sign */
        if (k == 64)
            x64_un(c, X64_MOV, 0, 8, 0, to, from);
        else
            x64_ri(c, X64_SHIFTI, op, 8, to, from, k - 64);
        if (op == X64_SAR)
            x64_ri(c, X64_SHIFTI, X64_SAR, 8, other, x + 1, 63);
        else
            x64_un(c, X64_MOV, 0, 8, 0, other, x64_movi(c, 8, 0));
        return;
    }
    /* shld hi, lo, k; shl lo, k  (right: shrd lo, hi, k; shr/sar hi, k) */
    cg_inst *i = cg_emit_inst(F, X64_SHLDI, 3);
    i->cc = !left, i->size = 8, i->imm = k;
    cg_op_def_reuse(F, left ? dst + 1 : dst, 1);
    cg_op_use(F, left ? x + 1 : x);
    cg_op_use(F, left ? x : x + 1);
    x64_ri(c, X64_SHIFTI, op, 8, left ? dst : dst + 1, left ? x : x + 1, k);
}

/* 128-bit shift (ishl, ushr, sshr) of pair x by the amount in vreg n (any
 * width; bits 0-6 count). */
static void shift128(cg_ctx *c, unsigned irop, uint32_t x, uint32_t n, uint32_t dst)
{
    unsigned op = irop == IR_OP_ishl ? X64_SHL : irop == IR_OP_ushr ? X64_SHR : X64_SAR;
    uint32_t tl = x64_new_int(c), th = x64_new_int(c), sign = CG_NONE;
    cg_inst *i;
    if (op == X64_SHL) {
        i = cg_emit_inst(F, X64_SHLD, 4);
        i->cc = 0, i->size = 8;
        cg_op_def_reuse(F, th, 1);
        cg_op_use(F, x + 1);
        cg_op_use(F, x);
        cg_op_use_fixed(F, n, X64_RCX);
        i = cg_emit_inst(F, X64_SHIFT, 3);
        i->cc = X64_SHL, i->size = 8;
        cg_op_def_reuse(F, tl, 1);
        cg_op_use(F, x);
        cg_op_use_fixed(F, n, X64_RCX);
    } else {
        i = cg_emit_inst(F, X64_SHLD, 4);
        i->cc = 1, i->size = 8;
        cg_op_def_reuse(F, tl, 1);
        cg_op_use(F, x);
        cg_op_use(F, x + 1);
        cg_op_use_fixed(F, n, X64_RCX);
        i = cg_emit_inst(F, X64_SHIFT, 3);
        i->cc = (uint8_t)op, i->size = 8;
        cg_op_def_reuse(F, th, 1);
        cg_op_use(F, x + 1);
        cg_op_use_fixed(F, n, X64_RCX);
        if (op == X64_SAR) {
            sign = x64_new_int(c);
            x64_ri(c, X64_SHIFTI, X64_SAR, 8, sign, x + 1, 63);
        }
    }
    uint32_t fill = sign != CG_NONE ? sign : x64_movi(c, 8, 0);
    i = cg_emit_inst(F, X64_CMPI, 1);
    i->cc = X64_TEST, i->size = 4, i->imm = 64;
    cg_op_use(F, n);
    if (op == X64_SHL) {
        x64_cmov(c, X64_CC_NE, 8, dst + 1, th, tl);
        x64_cmov(c, X64_CC_NE, 8, dst, tl, fill);
    } else {
        x64_cmov(c, X64_CC_NE, 8, dst, tl, th);
        x64_cmov(c, X64_CC_NE, 8, dst + 1, th, fill);
    }
}

static void neg128(cg_ctx *c, uint32_t x, uint32_t dst)
{
    uint32_t z0 = x64_movi(c, 8, 0), z1 = x64_movi(c, 8, 0);
    x64_rr(c, X64_ALU, X64_SUB, 8, dst, z0, x);
    x64_rr(c, X64_ALU, X64_SBB, 8, dst + 1, z1, x + 1);
}

static void select64(cg_ctx *c, unsigned cc, uint32_t dst, uint32_t if_cc, uint32_t if_not)
{
    x64_cmov(c, cc, 8, dst, if_not, if_cc);
}

/* test r, r clears OF: "less than 0" is the sign flag alone */
static unsigned cmp_zero(cg_ctx *c, ir_intcc cond, uint32_t r)
{
    x64_test(c, r, 8);
    return cond == IR_INTCC_slt ? X64_CC_S : x64_intcc[cond];
}

static void cmpi(cg_ctx *c, unsigned op, unsigned size, uint32_t r, int64_t imm)
{
    cg_inst *i = cg_emit_inst(F, X64_CMPI, 1);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = imm;
    cg_op_use(F, r);
}

static void trapif(cg_ctx *c, unsigned cc, unsigned code)
{
    cg_inst *i = cg_emit_inst(F, X64_TRAPIF, 0);
    i->cc = (uint8_t)cc, i->aux = code;
}

/* INT128_MIN / -1: y.lo & y.hi == -1 and x == 1 << 127 */
static unsigned sdiv128_ovf(cg_ctx *c, uint32_t x, uint32_t y)
{
    uint32_t m = x64_new_int(c), e1 = x64_new_int(c), k = x64_movi(c, 8, INT64_MIN);
    uint32_t h = x64_new_int(c), o = x64_new_int(c), e2 = x64_new_int(c), both = x64_new_int(c);
    x64_rr(c, X64_ALU, X64_AND, 8, m, y, y + 1);
    cmpi(c, X64_CMPOP, 8, m, -1);
    x64_setcc(c, X64_CC_E, e1);
    x64_rr(c, X64_ALU, X64_XOR, 8, h, x + 1, k);
    x64_rr(c, X64_ALU, X64_OR, 8, o, h, x);
    x64_setcc(c, X64_CC_E, e2);
    x64_rr(c, X64_ALU, X64_AND, 4, both, e1, e2);
    cmpi(c, X64_TEST, 1, both, 1);
    return X64_CC_NE;
}

static uint32_t fconst(cg_ctx *c, ir_type t, uint64_t bits)
{
    uint32_t g = x64_movi(c, 8, (int64_t)bits), r = x64_new_flt(c);
    x64_un(c, X64_MOVG2X, 0, ir_type_bytes(t), 0, r, g);
    return r;
}

/* After ucomis: CF is "below or unordered", PF "unordered". */
static const uint8_t fcmp_conds[IR_FLOATCC_COUNT] = {
    [IR_FLOATCC_uno] = X64_CC_P, [IR_FLOATCC_ge] = X64_CC_AE, [IR_FLOATCC_lt] = X64_CC_B, [IR_FLOATCC_le] = X64_CC_BE,
};

/* i128 atomics through lock cmpxchg16b (target flag has_cmpxchg16b). */
static bool lower_atomic128(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    if (!(c->target->isa >> CG_ISA_cmpxchg16b & 1))
        return cg_unsupported(c, inst, "i128 atomics without has_cmpxchg16b");
    bool store = in->op == IR_OP_atomic_store;
    uint32_t p = x64_put_in_reg(c, a[store ? 1 : 0]);
    uint32_t lo = x64_new_int(c), hi = x64_new_int(c);
    cg_inst *i;
    if (in->op == IR_OP_atomic_cas || in->op == IR_OP_atomic_load) {
        uint32_t e, n;
        if (in->op == IR_OP_atomic_cas) {
            e = x64_put_in_reg(c, a[1]), n = x64_put_in_reg(c, a[2]);
        } else {    /* compare with 0 and "store" 0: an atomic read */
            e = n = cg_new_pair(c);
            mov(c, e, x64_movi(c, 8, 0));
            mov(c, e + 1, x64_movi(c, 8, 0));
        }
        i = cg_emit_inst(F, X64_RMW16, 7);
        i->cc = IR_RMW_COUNT, i->imm = in->mf.trap;
        cg_op_use(F, p);
        cg_op_use_fixed(F, e, X64_RAX);
        cg_op_use_fixed(F, e + 1, X64_RDX);
        cg_op_use_fixed(F, n, X64_RBX);
        cg_op_use_fixed(F, n + 1, X64_RCX);
    } else {
        uint32_t x = x64_put_in_reg(c, a[store ? 0 : 1]);
        i = cg_emit_inst(F, X64_RMW16, 7);
        i->cc = (uint8_t)(store ? IR_RMW_xchg : in->cond), i->imm = in->mf.trap;
        cg_op_use(F, p);
        cg_op_use(F, x);
        cg_op_use(F, x + 1);
        cg_op_temp_fixed(F, x64_new_int(c), X64_RBX);
        cg_op_temp_fixed(F, x64_new_int(c), X64_RCX);
    }
    cg_op_def_fixed(F, lo, X64_RAX);
    cg_op_def_fixed(F, hi, X64_RDX);
    if (!store) {
        uint32_t d = res(c, inst, 0);
        mov(c, d, lo);
        mov(c, d + 1, hi);
    }
    return true;
}


/* lo*lo widened, plus the two cross products in the high half */
static void mul128(cg_ctx *c, uint32_t x, uint32_t y, uint32_t d)
{
    uint32_t hi = x64_new_int(c), p1 = x64_new_int(c), p2 = x64_new_int(c), s = x64_new_int(c);
    cg_inst *i = cg_emit_inst(F, X64_MULHI, 4);
    i->size = 8, i->clob = X64_CLOB_DIV;
    cg_op_use_fixed(F, x, X64_RAX);
    cg_op_use(F, y);
    cg_op_def_fixed(F, hi, X64_RDX);
    cg_op_def_fixed(F, d, X64_RAX);
    x64_rr(c, X64_IMUL, 0, 8, p1, x, y + 1);
    x64_rr(c, X64_IMUL, 0, 8, p2, x + 1, y);
    x64_rr(c, X64_ALU, X64_ADD, 8, s, hi, p1);
    x64_rr(c, X64_ALU, X64_ADD, 8, d + 1, s, p2);
}

/* neg sets CF iff the value is nonzero; sbb r,r = -CF */
static void bmask(cg_ctx *c, ir_type from, uint32_t x, uint32_t d)
{
    uint32_t n = x64_new_int(c);
    if (from == IR_I128) {
        uint32_t o = x64_new_int(c);
        x64_rr(c, X64_ALU, X64_OR, 8, o, x, x + 1);
        x = o;
    }
    x64_un(c, X64_UNARY, X64_NEG, from == IR_I128 ? 8 : ir_type_bytes(from), 0, n, x);
    x64_rr(c, X64_ALU, X64_SBB, 8, d, n, n);
}

/* cg_isa_i128.addsub: the carry through CF (neg of the carry-in sets it). */
static unsigned addsub128(cg_ctx *c, unsigned op, uint32_t x, uint32_t y, uint32_t cin, uint32_t d)
{
    bool add = op == IR_OP_iadd, sign = false;
    cg_overflow_op(op, &add, &sign);
    if (cin != CG_NONE)
        x64_un(c, X64_UNARY, X64_NEG, 1, 0, x64_new_int(c), cin);
    bool carry = cin != CG_NONE;
    x64_rr(c, X64_ALU, add ? (carry ? X64_ADC : X64_ADD) : (carry ? X64_SBB : X64_SUB), 8, d, x, y);
    x64_rr(c, X64_ALU, add ? X64_ADC : X64_SBB, 8, d + 1, x + 1, y + 1);
    return sign ? X64_CC_O : X64_CC_B;
}

/* cg_isa_i128.int_op: one 64-bit (or `size`-byte) operation. */
static void int_op(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t x, int64_t y)
{
    switch (op) {
    case IR_OP_bnot:
        x64_un(c, X64_UNARY, X64_NOT, size, 0, dst, x);
        break;
    case IR_OP_ineg:
        x64_un(c, X64_UNARY, X64_NEG, size, 0, dst, x);
        break;
    case IR_OP_bswap:
        x64_un(c, X64_UNARY, X64_BSWAP, size, 0, dst, x);
        break;
    case IR_OP_bitrev:
        x64_bitrev(c, 8 * size, x, dst);
        break;
    case IR_OP_sshr_imm:
        x64_ri(c, X64_SHIFTI, X64_SAR, size, dst, x, y);
        break;
    case IR_OP_iconst:
        x64_un(c, X64_MOV, 0, 8, 0, dst, x64_movi(c, size, y));
        break;
    case IR_OP_band_not: {      /* no andn without BMI1: not, and */
        uint32_t ny = x64_new_int(c);
        x64_un(c, X64_UNARY, X64_NOT, size, 0, ny, (uint32_t)y);
        x64_rr(c, X64_ALU, X64_AND, size, dst, x, ny);
        break;
    }
    default:    /* iadd band bor bxor */
        x64_rr(c, X64_ALU, op == IR_OP_iadd ? X64_ADD : op == IR_OP_band ? X64_AND : op == IR_OP_bor ? X64_OR
                                                                                           : X64_XOR,
               size, dst, x, (uint32_t)y);
    }
}

const cg_isa_i128 x64_i128 = {
    .atomic = lower_atomic128, .mul = mul128, .bmask = bmask, .shift_imm = shift128i, .int_op = int_op, .bitcount = x64_bitcount,
    .cmp_zero = cmp_zero, .select64 = select64, .setcc = x64_setcc, .neg = neg128, .addsub = addsub128,
    .shift = shift128, .icmp = icmp128, .test = x64_test_i128, .sdiv_ovf = sdiv128_ovf,
    .op_fcmp = X64_UCOMI, .fcmp_cc = fcmp_conds, .fconst = fconst, .trapif = trapif,
};
