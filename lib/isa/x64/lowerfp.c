/* x86-64 lowering of f32/f64: SSE scalar arithmetic, comparisons through
 * ucomis flags, sign-bit masks from the constant pool, conversions. */
#include "x64.h"

#define F (&c->f)

static uint32_t res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}



static uint32_t const_reg(cg_ctx *c, unsigned size, uint64_t bits)
{
    uint32_t r = x64_new_flt(c);
    cg_inst *i = cg_emit_inst(F, X64_XLOAD, 1);
    i->size = (uint8_t)size, i->amode = X64_AM_CONST;
    i->aux = cg_const_add(F, &bits, size, size);
    cg_op_def(F, r);
    return r;
}

/* ucomis for fcmp `inst`; the condition for true, and *cc2 a second one
 * that must hold too (eq) or may hold instead (ne), else 0xff. */
static unsigned fcmp_flags(cg_ctx *c, uint32_t inst, unsigned *cc2, unsigned *combine)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned size = ir_type_bytes(cg_vtype(c, a[0]));
    uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
    /* ucomis sets ZF PF CF = 111 unordered, 000 greater, 001 less, 100 equal */
    unsigned cc1;
    bool swap = false;
    *cc2 = 0xff, *combine = 0;
    switch (in->cond) {
    case IR_FLOATCC_ord: cc1 = X64_CC_NP; break;
    case IR_FLOATCC_uno: cc1 = X64_CC_P; break;
    case IR_FLOATCC_eq: cc1 = X64_CC_NP, *cc2 = X64_CC_E, *combine = X64_AND; break;
    case IR_FLOATCC_ne: cc1 = X64_CC_P, *cc2 = X64_CC_NE, *combine = X64_OR; break;
    case IR_FLOATCC_one: cc1 = X64_CC_NE; break;
    case IR_FLOATCC_ueq: cc1 = X64_CC_E; break;
    case IR_FLOATCC_gt: cc1 = X64_CC_A; break;
    case IR_FLOATCC_ge: cc1 = X64_CC_AE; break;
    case IR_FLOATCC_lt: cc1 = X64_CC_A, swap = true; break;
    case IR_FLOATCC_le: cc1 = X64_CC_AE, swap = true; break;
    case IR_FLOATCC_ult: cc1 = X64_CC_B; break;
    case IR_FLOATCC_ule: cc1 = X64_CC_BE; break;
    case IR_FLOATCC_ugt: cc1 = X64_CC_B, swap = true; break;
    default: cc1 = X64_CC_BE, swap = true; break;     /* uge */
    }
    cg_inst *i = cg_emit_inst(F, X64_UCOMI, 2);
    i->size = (uint8_t)size;
    cg_op_use(F, swap ? y : x);
    cg_op_use(F, swap ? x : y);
    return cc1;
}

bool x64_fcmp_one_cc(const ir_inst_data *in)
{
    return in->cond != IR_FLOATCC_eq && in->cond != IR_FLOATCC_ne;
}

unsigned x64_fcmp_cc(cg_ctx *c, uint32_t inst)
{
    unsigned cc2, combine;
    return fcmp_flags(c, inst, &cc2, &combine);
}

void x64_lower_fcmp(cg_ctx *c, uint32_t inst)
{
    unsigned cc2, combine, cc1 = fcmp_flags(c, inst, &cc2, &combine);
    uint32_t dst = res(c, inst, 0);
    if (cc2 == 0xff) {
        x64_setcc(c, cc1, dst);
        return;
    }
    uint32_t t1 = x64_new_int(c), t2 = x64_new_int(c);
    x64_setcc(c, cc1, t1);
    x64_setcc(c, cc2, t2);
    x64_rr(c, X64_ALU, combine, 4, dst, t1, t2);
}

bool x64_lower_float(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    if (t != IR_F32 && t != IR_F64)
        return cg_unsupported(c, inst, NULL);
    bool arith = in->op == IR_OP_fadd || in->op == IR_OP_fsub || in->op == IR_OP_fmul || in->op == IR_OP_fdiv;
    if (arith && x64_lower_fconst_op(c, inst, t))   /* a constant operand from memory */
        return true;
    unsigned size = ir_type_bytes(t);
    uint64_t sign = size == 4 ? 0x80000000u : 0x8000000000000000ull;
    uint32_t dst = res(c, inst, 0);
    switch (in->op) {
    case IR_OP_fadd: case IR_OP_fsub: case IR_OP_fmul: case IR_OP_fdiv: {
        unsigned op = in->op == IR_OP_fadd ? X64_FADD : in->op == IR_OP_fsub ? X64_FSUB
                    : in->op == IR_OP_fmul ? X64_FMUL : X64_FDIV;
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
        x64_rr(c, X64_XALU, op, size, dst, x, y);
        return true;
    }
    case IR_OP_sqrt: {
        uint32_t x = x64_put_in_reg(c, a[0]);
        x64_rr(c, X64_XALU, X64_SQRT, size, dst, x, x);
        return true;
    }
    case IR_OP_fneg: case IR_OP_fabs: {
        uint32_t x = x64_put_in_reg(c, a[0]);
        uint32_t m = const_reg(c, size, in->op == IR_OP_fneg ? sign : sign - 1);
        x64_rr(c, X64_XBIT, in->op == IR_OP_fneg ? X64_XORPS : X64_ANDPS, size, dst, x, m);
        return true;
    }
    case IR_OP_fcopysign: {
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
        uint32_t t1 = x64_new_flt(c), t2 = x64_new_flt(c);
        x64_rr(c, X64_XBIT, X64_ANDPS, size, t1, x, const_reg(c, size, sign - 1));
        x64_rr(c, X64_XBIT, X64_ANDPS, size, t2, y, const_reg(c, size, sign));
        x64_rr(c, X64_XBIT, X64_ORPS, size, dst, t1, t2);
        return true;
    }
    case IR_OP_fmin: case IR_OP_fmax: {
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
        x64_rr(c, X64_XMINMAX, in->op == IR_OP_fmax, size, dst, x, y);
        return true;
    }
    case IR_OP_floor: case IR_OP_ceil: case IR_OP_trunc: case IR_OP_nearest: {
        uint32_t x = x64_put_in_reg(c, a[0]);
        unsigned mode = in->op == IR_OP_nearest ? 0 : in->op == IR_OP_floor ? 1 : in->op == IR_OP_ceil ? 2 : 3;
        if (c->target->isa >> CG_ISA_sse41 & 1) {
            cg_inst *i = cg_emit_inst(F, X64_ROUND, 2);
            i->size = (uint8_t)size, i->imm = mode;
            cg_op_def(F, dst);
            cg_op_use(F, x);
            return true;
        }
        static const char *const fns[2][4] = {{"nearbyintf", "floorf", "ceilf", "truncf"},
                                              {"nearbyint", "floor", "ceil", "trunc"}};
        cg_libcall(c, fns[size == 8][mode], &t, &x, 1, t, dst);
        return true;
    }
    case IR_OP_fma: {
        uint32_t v[3] = {x64_put_in_reg(c, a[0]), x64_put_in_reg(c, a[1]), x64_put_in_reg(c, a[2])};
        ir_type ts[3] = {t, t, t};
        cg_libcall(c, size == 8 ? "fma" : "fmaf", ts, v, 3, t, dst);
        return true;
    }
    case IR_OP_bnot: {
        uint32_t x = x64_put_in_reg(c, a[0]);
        x64_rr(c, X64_XBIT, X64_XORPS, size, dst, x, const_reg(c, size, ~0ull));
        return true;
    }
    case IR_OP_bitselect: {     /* (x & c) | (y & ~c) */
        uint32_t m = x64_put_in_reg(c, a[0]), x = x64_put_in_reg(c, a[1]), y = x64_put_in_reg(c, a[2]);
        uint32_t t1 = x64_new_flt(c), t2 = x64_new_flt(c);
        x64_rr(c, X64_XBIT, X64_ANDPS, size, t1, x, m);
        x64_rr(c, X64_XBIT, X64_ANDNPS, size, t2, m, y);
        x64_rr(c, X64_XBIT, X64_ORPS, size, dst, t1, t2);
        return true;
    }
    case IR_OP_band: case IR_OP_bor: case IR_OP_bxor: {
        unsigned op = in->op == IR_OP_band ? X64_ANDPS : in->op == IR_OP_bor ? X64_ORPS : X64_XORPS;
        uint32_t x = x64_put_in_reg(c, a[0]), y = x64_put_in_reg(c, a[1]);
        x64_rr(c, X64_XBIT, op, size, dst, x, y);
        return true;
    }
    default:
        return cg_unsupported(c, inst, NULL);
    }
}

/* float -> int: the 32/64-bit sequence, then for i8/i16 a range check
 * (trapping) or a clamp (saturating) of the 32-bit result. */
static void lower_fcvt_to_int(cg_ctx *c, unsigned op, ir_type from, ir_type to, uint32_t x, uint32_t dst)
{
    bool sign = op == IR_OP_fcvt_to_sint || op == IR_OP_fcvt_to_sint_sat;
    bool sat = op == IR_OP_fcvt_to_sint_sat || op == IR_OP_fcvt_to_uint_sat;
    unsigned bits = ir_type_bits(to);
    uint32_t r = bits < 32 ? x64_new_int(c) : dst;
    cg_inst *i = cg_emit_inst(F, X64_CVTSEQ, 5);
    i->cc = (uint8_t)((sign ? X64_CVT_SIGNED : 0) | (sat ? X64_CVT_SAT : 0));
    i->size = (uint8_t)ir_type_bytes(from);
    i->aux = bits == 64 ? 8 : 4;
    cg_op_def(F, r);
    cg_op_use(F, x);
    cg_op_temp(F, x64_new_flt(c));
    cg_op_temp(F, x64_new_flt(c));
    cg_op_temp(F, x64_new_int(c));
    if (bits >= 32)
        return;
    int64_t hi = sign ? (1 << (bits - 1)) - 1 : (1 << bits) - 1, lo = sign ? -(1 << (bits - 1)) : 0;
    if (!sat) {
        cg_inst *k = cg_emit_inst(F, X64_CMPI, 1);
        k->cc = X64_CMPOP, k->size = 4, k->imm = hi;
        cg_op_use(F, r);
        k = cg_emit_inst(F, X64_TRAPIF, 0);
        k->cc = sign ? X64_CC_G : X64_CC_A, k->aux = IR_TRAP_int_ovf;
        if (sign) {
            k = cg_emit_inst(F, X64_CMPI, 1);
            k->cc = X64_CMPOP, k->size = 4, k->imm = lo;
            cg_op_use(F, r);
            k = cg_emit_inst(F, X64_TRAPIF, 0);
            k->cc = X64_CC_L, k->aux = IR_TRAP_int_ovf;
        }
        x64_un(c, X64_MOV, 0, 4, 0, dst, r);
        return;
    }
    /* clamp the 32-bit result into the narrow range */
    uint32_t m = x64_new_int(c), kh = x64_movi(c, 4, hi);
    cg_inst *k = cg_emit_inst(F, X64_CMP, 2);
    k->cc = X64_CMPOP, k->size = 4;
    cg_op_use(F, r);
    cg_op_use(F, kh);
    x64_cmov(c, sign ? X64_CC_G : X64_CC_A, 4, m, r, kh);
    if (!sign) {
        x64_un(c, X64_MOV, 0, 4, 0, dst, m);
        return;
    }
    uint32_t kl = x64_movi(c, 4, lo);
    k = cg_emit_inst(F, X64_CMP, 2);
    k->cc = X64_CMPOP, k->size = 4;
    cg_op_use(F, m);
    cg_op_use(F, kl);
    x64_cmov(c, X64_CC_L, 4, dst, m, kl);
}

/* F16C converts between f16 and f32 (f64 and f128 go through softfp.c's
 * libcalls: a second rounding through f32 would not be exact). */
bool x64_native_fconv(const cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    if ((in->op != IR_OP_fpromote && in->op != IR_OP_fdemote) || in->nres != 1 ||
        !(c->target->isa >> CG_ISA_f16c & 1))
        return false;
    ir_type from = cg_vtype(c, ir_inst_args(c->fn, inst)[0]), to = c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type;
    return (from == IR_F16 && to == IR_F32) || (from == IR_F32 && to == IR_F16);
}

bool x64_lower_conv(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t v = ir_inst_args(c->fn, inst)[0];
    ir_type from = cg_vtype(c, v), to = c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type;
    uint32_t dst = res(c, inst, 0);
    switch (in->op) {
    case IR_OP_fpromote: case IR_OP_fdemote:
        if (x64_native_fconv(c, inst)) {
            x64_un(c, X64_F16C, to == IR_F16, 16, 0, dst, x64_put_in_reg(c, v));
            return true;
        }
        if ((from != IR_F32 && from != IR_F64) || (to != IR_F32 && to != IR_F64))
            return cg_unsupported(c, inst, NULL);
        x64_un(c, X64_CVTFF, 0, ir_type_bytes(to), 0, dst, x64_put_in_reg(c, v));
        return true;
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint: {
        bool sign = in->op == IR_OP_fcvt_from_sint;
        if (!cg_is_int(from) || (to != IR_F32 && to != IR_F64))
            return cg_unsupported(c, inst, NULL);
        uint32_t x = x64_put_in_reg(c, v);
        if (!sign && from == IR_I64) {
            cg_inst *i = cg_emit_inst(F, X64_CVTU64, 4);
            i->size = (uint8_t)ir_type_bytes(to);
            cg_op_def(F, dst);
            cg_op_use(F, x);
            cg_op_temp(F, x64_new_int(c));
            cg_op_temp(F, x64_new_int(c));
            return true;
        }
        unsigned bits = ir_type_bits(from), isz = 4;
        if (!sign && bits == 32)
            x = x64_extend(c, x, 32, 8, false), isz = 8;
        else if (bits < 32)
            x = x64_extend(c, x, bits, 4, sign);
        else
            isz = bits / 8;
        x64_un(c, X64_CVTI2F, 0, ir_type_bytes(to), isz, dst, x);
        return true;
    }
    case IR_OP_fcvt_to_sint: case IR_OP_fcvt_to_uint: case IR_OP_fcvt_to_sint_sat:
    case IR_OP_fcvt_to_uint_sat:
        if ((from != IR_F32 && from != IR_F64) || !cg_is_int(to))
            return cg_unsupported(c, inst, NULL);
        lower_fcvt_to_int(c, in->op, from, to, x64_put_in_reg(c, v), dst);
        return true;
    case IR_OP_bitcast:
        if ((from == IR_I128 && to == IR_F128) || (from == IR_F128 && to == IR_I128)) {
            uint32_t x = x64_put_in_reg(c, v);      /* a gpr pair <-> an xmm */
            if (to == IR_F128) {
                x64_vfrom_gpr64(c, dst, x, x + 1);
            } else {
                x64_un(c, X64_MOVX2G, 0, 8, 0, dst, x);
                x64_vhigh64(c, dst + 1, x);
            }
            return true;
        }
        if (from == IR_F16 || to == IR_F16) {       /* movd: the bits above 16 are undefined */
            if (ir_type_bytes(from) != 2 || ir_type_bytes(to) != 2 || ir_type_is_vector(from) ||
                ir_type_is_vector(to))
                return cg_unsupported(c, inst, NULL);
            x64_un(c, from == to ? X64_XMOV : to == IR_F16 ? X64_MOVG2X : X64_MOVX2G, 0, 4, 0, dst,
                   x64_put_in_reg(c, v));
            return true;
        }
        if (ir_type_bytes(from) != ir_type_bytes(to) || ir_type_is_vector(from) || ir_type_is_vector(to) ||
            from == IR_I128 || (ir_type_bytes(from) < 4 && !(cg_is_int(from) && cg_is_int(to))))
            return cg_unsupported(c, inst, NULL);
        if (ir_type_is_float(from) == ir_type_is_float(to))
            x64_un(c, ir_type_is_float(to) ? X64_XMOV : X64_MOV, 0, 8, 0, dst, x64_put_in_reg(c, v));
        else
            x64_un(c, ir_type_is_float(to) ? X64_MOVG2X : X64_MOVX2G, 0, ir_type_bytes(to), 0, dst,
                    x64_put_in_reg(c, v));
        return true;
    default:
        return cg_unsupported(c, inst, NULL);
    }
}

