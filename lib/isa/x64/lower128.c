/* x86-64 lowering of i128: a pair of vregs, low half first (Cranelift's
 * ValueRegs).  Carries go through the flags (add/adc, sub/sbb), shifts
 * use shld/shrd and pick halves with cmov on bit 6 of the amount. */
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

static uint32_t pair(cg_ctx *c)
{
    uint32_t r = x64_new_int(c);
    x64_new_int(c);
    return r;
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

unsigned x64_icmp_i128(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
    if (in->cond == IR_INTCC_eq || in->cond == IR_INTCC_ne) {
        uint32_t lo = x64_new_int(c), hi = x64_new_int(c);
        x64_rr(c, X64_ALU, X64_XOR, 8, lo, x, y);
        x64_rr(c, X64_ALU, X64_XOR, 8, hi, x + 1, y + 1);
        x64_rr(c, X64_ALU, X64_OR, 8, x64_new_int(c), lo, hi);
        return in->cond == IR_INTCC_eq ? X64_CC_E : X64_CC_NE;
    }
    /* only "less than" and its negation come right out of sub/sbb */
    unsigned cc = x64_intcc[in->cond];
    bool swap = cc == X64_CC_G || cc == X64_CC_LE || cc == X64_CC_A || cc == X64_CC_BE;
    if (swap)
        sub_flags(c, y, x), cc = cg_cc_swap(x64_intcc, cc);
    else
        sub_flags(c, x, y);
    return cc;
}

/* 128-bit shift of pair x by the constant k (0..127). */
static void shift128i(cg_ctx *c, unsigned op, uint32_t x, unsigned k, uint32_t dst)
{
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

/* 128-bit shift of pair x by the amount in vreg n (any width; bits 0-6 count). */
static void shift128(cg_ctx *c, unsigned op, uint32_t x, uint32_t n, uint32_t dst)
{
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

static void select128(cg_ctx *c, unsigned cc, uint32_t dst, uint32_t if_not, uint32_t if_cc)
{
    x64_cmov(c, cc, 8, dst, if_not, if_cc);
    x64_cmov(c, cc, 8, dst + 1, if_not + 1, if_cc + 1);
}

static void cmpi(cg_ctx *c, unsigned op, unsigned size, uint32_t r, int64_t imm)
{
    cg_inst *i = cg_emit_inst(F, X64_CMPI, 1);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = imm;
    cg_op_use(F, r);
}

static void trap_if(cg_ctx *c, unsigned cc, unsigned code)
{
    cg_inst *i = cg_emit_inst(F, X64_TRAPIF, 0);
    i->cc = (uint8_t)cc, i->aux = code;
}

/* Division by the C library's rules once the traps are checked here. */
static void lower_div128(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
    x64_rr(c, X64_ALU, X64_OR, 8, x64_new_int(c), y, y + 1);
    trap_if(c, X64_CC_E, IR_TRAP_int_divz);
    if (in->op == IR_OP_sdiv) {     /* INT128_MIN / -1: y & y.hi == -1 and x == 1 << 127 */
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
        trap_if(c, X64_CC_NE, IR_TRAP_int_ovf);
    }
    static const char *const fns[] = {[IR_OP_udiv] = "__udivti3", [IR_OP_sdiv] = "__divti3",
                                      [IR_OP_urem] = "__umodti3", [IR_OP_srem] = "__modti3"};
    ir_type ts[2] = {IR_I128, IR_I128};
    uint32_t args[2] = {x, y};
    cg_libcall(c, fns[in->op], ts, args, 2, IR_I128, res(c, inst, 0));
}

static uint32_t fconst(cg_ctx *c, ir_type t, uint64_t bits)
{
    uint32_t g = x64_movi(c, 8, (int64_t)bits), r = x64_new_flt(c);
    x64_un(c, X64_MOVG2X, 0, ir_type_bytes(t), 0, r, g);
    return r;
}

static void ucomi(cg_ctx *c, ir_type t, uint32_t a, uint32_t b)
{
    cg_inst *i = cg_emit_inst(F, X64_UCOMI, 2);
    i->size = (uint8_t)ir_type_bytes(t);
    cg_op_use(F, a);
    cg_op_use(F, b);
}

/* i128 <-> float through C helpers; the trapping conversions check NaN
 * and the range here, then share the saturating helper. */
static bool lower_fcvt128(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t v = ir_inst_args(c->fn, inst)[0];
    ir_type from = cg_vtype(c, v);
    uint32_t x = x64_put_in_reg(c, v), d = res(c, inst, 0);
    bool f64;
    if (in->op == IR_OP_fcvt_from_sint || in->op == IR_OP_fcvt_from_uint) {
        if (from != IR_I128 || (t != IR_F32 && t != IR_F64))
            return cg_unsupported(c, inst, NULL);
        f64 = t == IR_F64;
        static const char *const fns[2][2] = {{"__floatuntisf", "__floatuntidf"}, {"__floattisf", "__floattidf"}};
        cg_libcall(c, fns[in->op == IR_OP_fcvt_from_sint][f64], &from, &x, 1, t, d);
        return true;
    }
    if (from != IR_F32 && from != IR_F64)
        return cg_unsupported(c, inst, NULL);
    f64 = from == IR_F64;
    bool sign = in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_sint_sat;
    if (in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_uint) {
        ucomi(c, from, x, x);
        trap_if(c, X64_CC_P, IR_TRAP_bad_toint);
        /* too big: >= 2^127 (signed) or 2^128 (unsigned); too small: < -2^127 or <= -1 */
        uint64_t hi = sign ? (f64 ? 0x47e0000000000000ull : 0x7f000000u) : (f64 ? 0x47f0000000000000ull : 0x7f800000u);
        uint64_t lo = sign ? (f64 ? 0xc7e0000000000000ull : 0xff000000u) : (f64 ? 0xbff0000000000000ull : 0xbf800000u);
        ucomi(c, from, x, fconst(c, from, hi));
        trap_if(c, X64_CC_AE, IR_TRAP_int_ovf);
        ucomi(c, from, x, fconst(c, from, lo));
        trap_if(c, sign ? X64_CC_B : X64_CC_BE, IR_TRAP_int_ovf);
    }
    static const char *const fns[2][2] = {{"__cranelift_fixunssfti_sat", "__cranelift_fixunsdfti_sat"},
                                          {"__cranelift_fixsfti_sat", "__cranelift_fixdfti_sat"}};
    cg_libcall(c, fns[sign][f64], &from, &x, 1, IR_I128, d);
    return true;
}

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
            e = n = pair(c);
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

bool x64_lower_i128(cg_ctx *c, uint32_t inst)
{
    int done = cg_lower_i128_moves(c, inst);
    if (done != CG_BY_FAMILY)
        return done == CG_DONE;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    ir_type t = in->nres ? c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type : IR_TYPE_NONE;
    switch (in->op) {
    case IR_OP_iadd: case IR_OP_isub: {
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        bool add = in->op == IR_OP_iadd;
        x64_rr(c, X64_ALU, add ? X64_ADD : X64_SUB, 8, d, x, y);
        x64_rr(c, X64_ALU, add ? X64_ADC : X64_SBB, 8, d + 1, x + 1, y + 1);
        return true;
    }
    case IR_OP_uadd_overflow: case IR_OP_sadd_overflow: case IR_OP_usub_overflow:
    case IR_OP_ssub_overflow: case IR_OP_uadd_overflow_cin: case IR_OP_sadd_overflow_cin:
    case IR_OP_usub_overflow_bin: case IR_OP_ssub_overflow_bin: {
        bool add = in->op == IR_OP_uadd_overflow || in->op == IR_OP_sadd_overflow ||
                   in->op == IR_OP_uadd_overflow_cin || in->op == IR_OP_sadd_overflow_cin;
        bool sign = in->op == IR_OP_sadd_overflow || in->op == IR_OP_ssub_overflow ||
                    in->op == IR_OP_sadd_overflow_cin || in->op == IR_OP_ssub_overflow_bin;
        bool carry = in->nargs == 3;
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        if (carry)
            x64_un(c, X64_UNARY, X64_NEG, 1, 0, x64_new_int(c), x64_put_in_reg(c, a[2]));
        x64_rr(c, X64_ALU, add ? (carry ? X64_ADC : X64_ADD) : (carry ? X64_SBB : X64_SUB), 8, d, x, y);
        x64_rr(c, X64_ALU, add ? X64_ADC : X64_SBB, 8, d + 1, x + 1, y + 1);
        x64_setcc(c, sign ? X64_CC_O : X64_CC_B, res(c, inst, 1));
        return true;
    }
    case IR_OP_band: case IR_OP_bor: case IR_OP_bxor: {
        unsigned op = in->op == IR_OP_band ? X64_AND : in->op == IR_OP_bor ? X64_OR : X64_XOR;
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        x64_rr(c, X64_ALU, op, 8, d, x, y);
        x64_rr(c, X64_ALU, op, 8, d + 1, x + 1, y + 1);
        return true;
    }
    case IR_OP_bnot: {
        uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        x64_un(c, X64_UNARY, X64_NOT, 8, 0, d, x);
        x64_un(c, X64_UNARY, X64_NOT, 8, 0, d + 1, x + 1);
        return true;
    }
    case IR_OP_ineg:
        neg128(c, x64_put_in_reg(c, a[0]), res(c, inst, 0));
        return true;
    case IR_OP_iabs: {  /* negate, keep x where x's sign bit is clear */
        uint32_t x = x64_put_in_reg(c, a[0]), n = pair(c), d = res(c, inst, 0);
        neg128(c, x, n);
        x64_test(c, x + 1, 8);
        select128(c, X64_CC_S, d, x, n);
        return true;
    }
    case IR_OP_imul: {  /* lo*lo widened, plus the two cross products in the high half */
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]), d = res(c, inst, 0);
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
        return true;
    }
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr: case IR_OP_rotl: case IR_OP_rotr: {
        if (t != IR_I128) {     /* an i128 amount shifting a narrower value: its low half */
            uint32_t d = res(c, inst, 0);
            static const uint8_t sh[] = {[IR_OP_ishl] = X64_SHL, [IR_OP_ushr] = X64_SHR,
                                         [IR_OP_sshr] = X64_SAR, [IR_OP_rotl] = X64_ROL, [IR_OP_rotr] = X64_ROR};
            unsigned bits = ir_type_bits(t), op = sh[in->op];
            uint32_t x = x64_put_in_reg(c, a[0]), n = x64_put_in_reg(c, a[1]);
            if (bits < 32 && op != X64_ROL && op != X64_ROR) {
                uint32_t m = x64_new_int(c);
                x64_ri(c, X64_ALUI, X64_AND, 4, m, n, bits - 1);
                n = m;
            }
            cg_inst *i = cg_emit_inst(F, X64_SHIFT, 3);
            i->cc = (uint8_t)op, i->size = (uint8_t)(op == X64_SHL ? (bits == 64 ? 8 : 4) : bits / 8);
            cg_op_def_reuse(F, d, 1);
            cg_op_use(F, x);
            cg_op_use_fixed(F, n, X64_RCX);
            return true;
        }
        unsigned op = in->op == IR_OP_ishl ? X64_SHL : in->op == IR_OP_ushr ? X64_SHR : X64_SAR;
        uint32_t ki = ir_value_resolve(c->fn, a[1]), kd = c->fn->values.v[ki].kind == IR_VAL_RESULT
                                                         ? c->fn->values.v[ki].def : IR_NONE;
        if ((in->op == IR_OP_ishl || in->op == IR_OP_ushr || in->op == IR_OP_sshr) && kd != IR_NONE &&
            c->fn->insts.v[kd].op == IR_OP_iconst) {
            shift128i(c, op, x64_put_in_reg(c, a[0]), (unsigned)(c->fn->insts.v[kd].imm & 127),
                      res(c, inst, 0));
            return true;
        }
        uint32_t x = x64_put_in_reg(c, a[0]), n = x64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        if (in->op == IR_OP_ishl || in->op == IR_OP_ushr || in->op == IR_OP_sshr) {
            shift128(c, in->op == IR_OP_ishl ? X64_SHL : in->op == IR_OP_ushr ? X64_SHR : X64_SAR, x, n, d);
            return true;
        }
        /* rotates: (x << n) | (x >> -n), both counted mod 128 */
        uint32_t m = x64_new_int(c), p = pair(c), q = pair(c);
        x64_un(c, X64_UNARY, X64_NEG, 4, 0, m, n);
        bool left = in->op == IR_OP_rotl;
        shift128(c, X64_SHL, x, left ? n : m, p);
        shift128(c, X64_SHR, x, left ? m : n, q);
        x64_rr(c, X64_ALU, X64_OR, 8, d, p, q);
        x64_rr(c, X64_ALU, X64_OR, 8, d + 1, p + 1, q + 1);
        return true;
    }
    case IR_OP_icmp: {
        unsigned cc = x64_icmp_i128(c, inst);
        x64_setcc(c, cc, res(c, inst, 0));
        return true;
    }
    case IR_OP_sextend: {     /* the high half: copies of the sign */
        ir_type from = cg_vtype(c, a[0]);
        if (!ir_type_is_int(from) || ir_type_is_vector(from) || from == IR_I128)
            return cg_unsupported(c, inst, NULL);
        uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        if (from == IR_I64)
            mov(c, d, x);
        else
            x64_extend_into(c, d, x, ir_type_bits(from), 8, true);
        x64_ri(c, X64_SHIFTI, X64_SAR, 8, d + 1, d, 63);
        return true;
    }
    case IR_OP_clz: case IR_OP_ctz: {
        /* the count of the half that decides, or 64 + the other half's */
        uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        bool clz = in->op == IR_OP_clz;
        uint32_t first = clz ? x + 1 : x, second = clz ? x : x + 1;
        uint32_t c1 = x64_new_int(c), c2 = x64_new_int(c), s = x64_new_int(c);
        x64_bitcount(c, in->op, 64, first, c1);
        x64_bitcount(c, in->op, 64, second, c2);
        x64_ri(c, X64_ALUI, X64_ADD, 8, s, c2, 64);
        x64_test(c, first, 8);
        x64_cmov(c, X64_CC_E, 8, d, c1, s);
        mov(c, d + 1, x64_movi(c, 8, 0));
        return true;
    }
    case IR_OP_bswap: case IR_OP_bitrev: {  /* each half, then swap them */
        uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        if (in->op == IR_OP_bswap) {
            x64_un(c, X64_UNARY, X64_BSWAP, 8, 0, d, x + 1);
            x64_un(c, X64_UNARY, X64_BSWAP, 8, 0, d + 1, x);
        } else {
            x64_bitrev(c, 64, x + 1, d);
            x64_bitrev(c, 64, x, d + 1);
        }
        return true;
    }
    case IR_OP_cls: {   /* clz of x ^ (sign copies) over 128 bits, less one */
        uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        uint32_t sgn = x64_new_int(c), z = pair(c), c1 = x64_new_int(c), c2 = x64_new_int(c);
        uint32_t s = x64_new_int(c), n = x64_new_int(c);
        x64_ri(c, X64_SHIFTI, X64_SAR, 8, sgn, x + 1, 63);
        x64_rr(c, X64_ALU, X64_XOR, 8, z, x, sgn);
        x64_rr(c, X64_ALU, X64_XOR, 8, z + 1, x + 1, sgn);
        x64_bitcount(c, IR_OP_clz, 64, z + 1, c1);
        x64_bitcount(c, IR_OP_clz, 64, z, c2);
        x64_ri(c, X64_ALUI, X64_ADD, 8, s, c2, 64);
        x64_test(c, z + 1, 8);
        x64_cmov(c, X64_CC_E, 8, n, c1, s);
        x64_ri(c, X64_ALUI, X64_SUB, 8, d, n, 1);
        mov(c, d + 1, x64_movi(c, 8, 0));
        return true;
    }
    case IR_OP_bitselect: {
        uint32_t m = x64_put_in_reg(c, a[0]), x = x64_put_in_reg(c, a[1]), y = x64_put_in_reg(c, a[2]);
        uint32_t d = res(c, inst, 0);
        for (unsigned k = 0; k < 2; k++) {
            uint32_t t1 = x64_new_int(c), nm = x64_new_int(c), t2 = x64_new_int(c);
            x64_rr(c, X64_ALU, X64_AND, 8, t1, x + k, m + k);
            x64_un(c, X64_UNARY, X64_NOT, 8, 0, nm, m + k);
            x64_rr(c, X64_ALU, X64_AND, 8, t2, y + k, nm);
            x64_rr(c, X64_ALU, X64_OR, 8, d + k, t1, t2);
        }
        return true;
    }
    case IR_OP_popcnt: {
        uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        uint32_t c1 = x64_new_int(c), c2 = x64_new_int(c);
        x64_bitcount(c, IR_OP_popcnt, 64, x, c1);
        x64_bitcount(c, IR_OP_popcnt, 64, x + 1, c2);
        x64_rr(c, X64_ALU, X64_ADD, 8, d, c1, c2);
        mov(c, d + 1, x64_movi(c, 8, 0));
        return true;
    }
    case IR_OP_bmask: {     /* neg sets CF iff the value is nonzero; sbb r,r = -CF */
        uint32_t x = x64_put_in_reg(c, a[0]), d = res(c, inst, 0), n = x64_new_int(c);
        if (cg_vtype(c, a[0]) == IR_I128) {
            uint32_t o = x64_new_int(c);
            x64_rr(c, X64_ALU, X64_OR, 8, o, x, x + 1);
            x = o;
        }
        x64_un(c, X64_UNARY, X64_NEG, cg_vtype(c, a[0]) == IR_I128 ? 8 : ir_type_bytes(cg_vtype(c, a[0])), 0, n, x);
        x64_rr(c, X64_ALU, X64_SBB, 8, d, n, n);
        if (t == IR_I128)
            mov(c, d + 1, d);
        return true;
    }
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax: {
        /* keep x unless y wins: y < x for min, x < y for max */
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        bool sign = in->op == IR_OP_smin || in->op == IR_OP_smax;
        bool min = in->op == IR_OP_smin || in->op == IR_OP_umin;
        if (min)
            sub_flags(c, y, x);
        else
            sub_flags(c, x, y);
        select128(c, sign ? X64_CC_L : X64_CC_B, d, x, y);
        return true;
    }
    case IR_OP_udiv: case IR_OP_sdiv: case IR_OP_urem: case IR_OP_srem:
        lower_div128(c, inst);
        return true;
    case IR_OP_atomic_load: case IR_OP_atomic_store: case IR_OP_atomic_rmw: case IR_OP_atomic_cas:
        return lower_atomic128(c, inst);
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint: case IR_OP_fcvt_to_sint: case IR_OP_fcvt_to_uint:
    case IR_OP_fcvt_to_sint_sat: case IR_OP_fcvt_to_uint_sat:
        return lower_fcvt128(c, inst, t);
    default:
        return cg_unsupported(c, inst, NULL);
    }
}
