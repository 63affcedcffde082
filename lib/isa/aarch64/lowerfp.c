/* AArch64 lowering of f32/f64: scalar FP instructions (fmin/fmax already
 * propagate NaN and order -0.0 below +0.0 as Cranelift wants; frint* round),
 * comparisons through fcmp's flags, bitwise operations on the vector
 * unit, and conversions (fcvtz* saturate; the trapping forms check first). */
#include "a64.h"

#include <math.h>
#include <string.h>

#define F (&c->f)
#define res(c, i, k) a64_res(c, i, k)


uint32_t a64_fconst(cg_ctx *c, unsigned size, uint64_t bits)
{
    uint32_t r = a64_new_flt(c);
    cg_inst *i = cg_emit_inst(F, A64_FMOVI, 1);
    i->size = (uint8_t)size, i->imm = (int64_t)(size == 4 ? (uint32_t)bits : bits);
    cg_op_def(F, r);
    return r;
}

/* An f16 (2) or f128 (16) constant: its bits through general registers. */
uint32_t a64_fconst_wide(cg_ctx *c, unsigned size, const uint8_t *bytes)
{
    uint64_t lo = 0, hi = 0;
    memcpy(&lo, bytes, size < 8 ? size : 8);
    if (size == 16)
        memcpy(&hi, bytes + 8, 8);
    uint32_t r = a64_new_flt(c), l = a64_movi(c, size == 16 ? 8 : 4, (int64_t)lo);
    uint32_t h = size == 16 ? a64_movi(c, 8, (int64_t)hi) : CG_NONE;
    cg_inst *i = cg_emit_inst(F, A64_FMOVTOF, size == 16 ? 3 : 2);
    i->size = size == 16 ? 16 : 4;
    cg_op_def(F, r);
    cg_op_use(F, l);
    if (size == 16)
        cg_op_use(F, h);
    return r;
}

static uint32_t fconst_d(cg_ctx *c, unsigned size, double v)
{
    if (size == 4) {
        float f = (float)v;
        uint32_t b;
        memcpy(&b, &f, 4);
        return a64_fconst(c, 4, b);
    }
    uint64_t b;
    memcpy(&b, &v, 8);
    return a64_fconst(c, 8, b);
}

static void fcmp(cg_ctx *c, unsigned size, uint32_t x, uint32_t y)
{
    cg_inst *i = cg_emit_inst(F, A64_FCMP, 2);
    i->size = (uint8_t)size;
    cg_op_use(F, x);
    cg_op_use(F, y);
}

/* fcmp sets NZCV = 0011 unordered, 0110 equal, 1000 less, 0010 greater */
unsigned a64_fcmp_flags(cg_ctx *c, uint32_t inst, unsigned *cc2)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    static const uint8_t cc[IR_FLOATCC_COUNT] = {
        [IR_FLOATCC_ord] = A64_VC, [IR_FLOATCC_uno] = A64_VS, [IR_FLOATCC_eq] = A64_EQ,
        [IR_FLOATCC_ne] = A64_NE, [IR_FLOATCC_one] = A64_MI, [IR_FLOATCC_ueq] = A64_EQ,
        [IR_FLOATCC_lt] = A64_MI, [IR_FLOATCC_le] = A64_LS, [IR_FLOATCC_gt] = A64_GT,
        [IR_FLOATCC_ge] = A64_GE, [IR_FLOATCC_ult] = A64_LT, [IR_FLOATCC_ule] = A64_LE,
        [IR_FLOATCC_ugt] = A64_HI, [IR_FLOATCC_uge] = A64_PL,
    };
    uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
    fcmp(c, ir_type_bytes(cg_vtype(c, a[0])), x, y);
    *cc2 = in->cond == IR_FLOATCC_one ? A64_GT : in->cond == IR_FLOATCC_ueq ? A64_VS : A64_AL;
    return cc[in->cond];
}

static void falu(cg_ctx *c, unsigned op, unsigned size, uint32_t d, uint32_t x, uint32_t y)
{
    cg_inst *i = cg_emit_inst(F, A64_FALU, 3);
    i->cc = (uint8_t)op, i->size = (uint8_t)size;
    cg_op_def(F, d);
    cg_op_use(F, x);
    cg_op_use(F, y);
}

static void funary(cg_ctx *c, unsigned op, unsigned size, uint32_t d, uint32_t x)
{
    cg_inst *i = cg_emit_inst(F, A64_FUNARY, 2);
    i->cc = (uint8_t)op, i->size = (uint8_t)size;
    cg_op_def(F, d);
    cg_op_use(F, x);
}

static void vbit(cg_ctx *c, unsigned op, uint32_t d, uint32_t x, uint32_t y)
{
    cg_inst *i = cg_emit_inst(F, A64_VBIT, op == A64_VNOT ? 2 : 3);
    i->cc = (uint8_t)op;
    cg_op_def(F, d);
    cg_op_use(F, x);
    if (op != A64_VNOT)
        cg_op_use(F, y);
}

bool a64_f16_arith(const cg_target *t)
{
    return t->isa >> CG_ISA_fp16 & 1;   /* FEAT_FP16: the h forms of the instructions */
}

bool a64_native_fconv(const cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    if ((in->op != IR_OP_fpromote && in->op != IR_OP_fdemote) || in->nres != 1)
        return false;
    ir_type from = cg_vtype(c, ir_inst_args(c->fn, inst)[0]), to = c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type;
    return from != IR_F128 && to != IR_F128 && ir_type_is_float(from) && ir_type_is_float(to) &&
           !ir_type_is_vector(from) && !ir_type_is_vector(to);
}

bool a64_lower_float(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    bool half = t == IR_F16 && a64_f16_arith(c->target) && in->op != IR_OP_fcopysign && in->op != IR_OP_band &&
                in->op != IR_OP_bor && in->op != IR_OP_bxor && in->op != IR_OP_bnot && in->op != IR_OP_bitselect;
    if (t != IR_F32 && t != IR_F64 && !half)
        return cg_unsupported(c, inst, NULL);
    unsigned size = ir_type_bytes(t);
    uint32_t dst = res(c, inst, 0);
    switch (in->op) {
    case IR_OP_fadd: case IR_OP_fsub: case IR_OP_fmul: case IR_OP_fdiv: case IR_OP_fmin: case IR_OP_fmax: {
        unsigned op = in->op == IR_OP_fadd ? A64_FADD : in->op == IR_OP_fsub ? A64_FSUB
                    : in->op == IR_OP_fmul ? A64_FMUL : in->op == IR_OP_fdiv ? A64_FDIV
                    : in->op == IR_OP_fmin ? A64_FMIN : A64_FMAX;
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
        falu(c, op, size, dst, x, y);
        return true;
    }
    case IR_OP_sqrt: case IR_OP_fneg: case IR_OP_fabs: case IR_OP_floor: case IR_OP_ceil:
    case IR_OP_trunc: case IR_OP_nearest: {
        unsigned op = in->op == IR_OP_sqrt ? A64_FSQRT : in->op == IR_OP_fneg ? A64_FNEG
                    : in->op == IR_OP_fabs ? A64_FABS : in->op == IR_OP_floor ? A64_FRINTM
                    : in->op == IR_OP_ceil ? A64_FRINTP : in->op == IR_OP_trunc ? A64_FRINTZ : A64_FRINTN;
        funary(c, op, size, dst, a64_put_in_reg(c, a[0]));
        return true;
    }
    case IR_OP_fcopysign: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
        cg_inst *i = cg_emit_inst(F, A64_FCOPYSIGN, 4);
        i->size = (uint8_t)size;
        cg_op_def(F, dst);
        cg_op_use(F, x);
        cg_op_use(F, y);
        cg_op_temp(F, a64_new_flt(c));
        return true;
    }
    case IR_OP_fma: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), z = a64_put_in_reg(c, a[2]);
        cg_inst *i = cg_emit_inst(F, A64_FMA, 4);
        i->size = (uint8_t)size;
        cg_op_def(F, dst);
        cg_op_use(F, x);
        cg_op_use(F, y);
        cg_op_use(F, z);
        return true;
    }
    case IR_OP_bnot:
        vbit(c, A64_VNOT, dst, a64_put_in_reg(c, a[0]), 0);
        return true;
    case IR_OP_band: case IR_OP_bor: case IR_OP_bxor: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
        vbit(c, in->op == IR_OP_band ? A64_VAND : in->op == IR_OP_bor ? A64_VORR : A64_VEOR, dst, x, y);
        return true;
    }
    case IR_OP_bitselect: {     /* bsl: the mask register becomes (x & m) | (y & ~m) */
        uint32_t m = a64_put_in_reg(c, a[0]), x = a64_put_in_reg(c, a[1]), y = a64_put_in_reg(c, a[2]);
        cg_inst *i = cg_emit_inst(F, A64_VBIT, 4);
        i->cc = A64_VBSL;
        cg_op_def_reuse(F, dst, 1);
        cg_op_use(F, m);
        cg_op_use(F, x);
        cg_op_use(F, y);
        return true;
    }
    default:
        return cg_unsupported(c, inst, NULL);
    }
}

/* float -> int with Cranelift's traps: NaN is bad_toint, out of range
 * (after truncation) int_ovf; fcvtz* then cannot saturate. */
static void lower_fcvt_trap(cg_ctx *c, bool sign, unsigned fsize, unsigned bits, uint32_t x, uint32_t dst)
{
    fcmp(c, fsize, x, x);
    a64_trapif(c, A64_VS, IR_TRAP_bad_toint);
    double hi = sign ? ldexp(1, (int)bits - 1) : ldexp(1, (int)bits), lo;
    bool incl;      /* the low bound itself traps */
    if (!sign)
        lo = -1, incl = true;
    else if (bits <= (fsize == 4 ? 16u : 32u))   /* -2^(N-1) - 1 is exact */
        lo = -ldexp(1, (int)bits - 1) - 1, incl = true;
    else
        lo = -ldexp(1, (int)bits - 1), incl = false;
    fcmp(c, fsize, x, fconst_d(c, fsize, lo));
    a64_trapif(c, incl ? A64_LS : A64_MI, IR_TRAP_int_ovf);
    fcmp(c, fsize, x, fconst_d(c, fsize, hi));
    a64_trapif(c, A64_GE, IR_TRAP_int_ovf);
    cg_inst *i = cg_emit_inst(F, A64_FTOI, 2);
    i->cc = sign, i->size = (uint8_t)fsize, i->aux = bits == 64 ? 8 : 4;
    cg_op_def(F, dst);
    cg_op_use(F, x);
}

static void lower_fcvt_sat(cg_ctx *c, bool sign, unsigned fsize, unsigned bits, uint32_t x, uint32_t dst)
{
    uint32_t r = bits < 32 ? a64_new_int(c) : dst;
    cg_inst *i = cg_emit_inst(F, A64_FTOI, 2);
    i->cc = sign, i->size = (uint8_t)fsize, i->aux = bits == 64 ? 8 : 4;
    cg_op_def(F, r);
    cg_op_use(F, x);
    if (bits >= 32)
        return;
    /* clamp the 32-bit result into the narrow range */
    int64_t hi = sign ? (1 << (bits - 1)) - 1 : (1 << bits) - 1, lo = -(1 << (bits - 1));
    uint32_t kh = a64_movi(c, 4, hi), m = sign ? a64_new_int(c) : dst;
    a64_cmp(c, 4, r, kh);
    a64_csel(c, sign ? A64_LT : A64_LO, A64_CSEL_, 4, m, r, kh);
    if (!sign)
        return;
    uint32_t kl = a64_movi(c, 4, lo);
    a64_cmp(c, 4, m, kl);
    a64_csel(c, A64_GT, A64_CSEL_, 4, dst, m, kl);
}

bool a64_lower_conv(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t v = ir_inst_args(c->fn, inst)[0];
    ir_type from = cg_vtype(c, v), to = c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type;
    uint32_t dst = res(c, inst, 0);
    switch (in->op) {
    case IR_OP_fpromote: case IR_OP_fdemote:   /* fcvt between h, s, d: base AArch64 */
        if ((from != IR_F16 && from != IR_F32 && from != IR_F64) || (to != IR_F16 && to != IR_F32 && to != IR_F64))
            return cg_unsupported(c, inst, NULL);
        if (from == to)
            a64_mov(c, 8, dst, a64_put_in_reg(c, v));
        else
            funary(c, to == IR_F64 ? A64_FCVTD : to == IR_F32 ? A64_FCVTS : A64_FCVTH, ir_type_bytes(from), dst,
                   a64_put_in_reg(c, v));
        return true;
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint: {
        bool sign = in->op == IR_OP_fcvt_from_sint;
        if (!cg_is_int(from) || (to != IR_F32 && to != IR_F64))
            return cg_unsupported(c, inst, NULL);
        uint32_t x = a64_put_in_reg(c, v);
        unsigned bits = ir_type_bits(from);
        if (bits < 32)
            x = a64_extend(c, x, bits, 4, sign);
        cg_inst *i = cg_emit_inst(F, A64_ITOF, 2);
        i->cc = sign, i->size = (uint8_t)ir_type_bytes(to), i->aux = bits == 64 ? 8 : 4;
        cg_op_def(F, dst);
        cg_op_use(F, x);
        return true;
    }
    case IR_OP_fcvt_to_sint: case IR_OP_fcvt_to_uint: case IR_OP_fcvt_to_sint_sat:
    case IR_OP_fcvt_to_uint_sat: {
        if ((from != IR_F32 && from != IR_F64) || !cg_is_int(to))
            return cg_unsupported(c, inst, NULL);
        bool sign = in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_sint_sat;
        uint32_t x = a64_put_in_reg(c, v);
        if (in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_uint)
            lower_fcvt_trap(c, sign, ir_type_bytes(from), ir_type_bits(to), x, dst);
        else
            lower_fcvt_sat(c, sign, ir_type_bytes(from), ir_type_bits(to), x, dst);
        return true;
    }
    case IR_OP_bitcast: {
        if ((from == IR_I128 && to == IR_F128) || (from == IR_F128 && to == IR_I128)) {
            uint32_t x = a64_put_in_reg(c, v);      /* fmov and ins / umov of the halves */
            cg_inst *i = cg_emit_inst(F, to == IR_F128 ? A64_FMOVTOF : A64_FMOVTOG, 3);
            i->size = 16;
            if (to == IR_F128) {
                cg_op_def(F, dst);
                cg_op_use(F, x);
                cg_op_use(F, x + 1);
            } else {
                cg_op_def(F, dst);
                cg_op_def(F, dst + 1);
                cg_op_use(F, x);
            }
            return true;
        }
        if (from == IR_F16 || to == IR_F16) {       /* fmov s, w / w, s: the bits above 16 are undefined */
            if (ir_type_bytes(from) != 2 || ir_type_bytes(to) != 2 || ir_type_is_vector(from) ||
                ir_type_is_vector(to))
                return cg_unsupported(c, inst, NULL);
            uint32_t x = a64_put_in_reg(c, v);
            if (from == to) {
                cg_emit_inst(F, A64_FMOV, 2);
                cg_op_def(F, dst);
                cg_op_use(F, x);
                return true;
            }
            cg_inst *i = cg_emit_inst(F, to == IR_F16 ? A64_FMOVTOF : A64_FMOVTOG, 2);
            i->size = 4;
            cg_op_def(F, dst);
            cg_op_use(F, x);
            return true;
        }
        if (ir_type_bytes(from) != ir_type_bytes(to) || ir_type_is_vector(from) || ir_type_is_vector(to) ||
            from == IR_I128 || (ir_type_bytes(from) < 4 && !(cg_is_int(from) && cg_is_int(to))))
            return cg_unsupported(c, inst, NULL);
        uint32_t x = a64_put_in_reg(c, v);
        if (ir_type_is_float(from) == ir_type_is_float(to)) {
            a64_mov(c, 8, dst, x);
        } else {
            cg_inst *i = cg_emit_inst(F, ir_type_is_float(to) ? A64_FMOVTOF : A64_FMOVTOG, 2);
            i->size = (uint8_t)ir_type_bytes(to);
            cg_op_def(F, dst);
            cg_op_use(F, x);
        }
        return true;
    }
    default:
        return cg_unsupported(c, inst, NULL);
    }
}
