/* enable_nan_canonicalization, as Cranelift's nan_canonicalization.rs:
 * after every float arithmetic instruction whose result may be a NaN
 * (not fneg, fabs, fcopysign, which only move the sign bit), the result
 * goes through `fcmp uno r, r` and a select of the canonical NaN, so no
 * NaN payload or sign ever depends on the hardware.  An IR pass on the
 * copy of the function that compile() lowers: once for every target. */
#include "cg.h"

#include <string.h>

static bool is_arith(ir_opcode op)
{
    switch (op) {
    case IR_OP_ceil: case IR_OP_floor: case IR_OP_nearest: case IR_OP_sqrt: case IR_OP_trunc:
    case IR_OP_fdemote: case IR_OP_fpromote: case IR_OP_fvpromote_low: case IR_OP_fvdemote:
    case IR_OP_fadd: case IR_OP_fdiv: case IR_OP_fmax: case IR_OP_fmin: case IR_OP_fmul: case IR_OP_fsub:
    case IR_OP_fma:
        return true;
    default:
        return false;
    }
}

static uint32_t result0(const ir_function *f, uint32_t inst) { return f->pool.v[f->insts.v[inst].res]; }

/* The canonical NaN of scalar type t (quiet, positive, no payload), as a
 * constant instruction before `at`. */
static uint32_t canon_nan(ir_function *f, uint32_t at, ir_type t)
{
    static const struct { ir_opcode op; uint64_t bits; } k[] = {
        [IR_F16] = {IR_OP_f16const, 0x7e00}, [IR_F32] = {IR_OP_f32const, 0x7fc00000},
        [IR_F64] = {IR_OP_f64const, 0x7ff8000000000000ull}, [IR_F128] = {IR_OP_f128const, 0},
    };
    uint32_t i = ir_inst_build(f, at, k[t].op, t, NULL, 0);
    if (t == IR_F128) {     /* 0x7fff8000...0: 16 bytes in fn->bytes, little endian */
        f->insts.v[i].imm = f->bytes.n;
        for (unsigned b = 0; b < 16; b++)
            ir_vec_push(&f->bytes, (uint8_t)(b == 13 ? 0x80 : b == 14 ? 0xff : b == 15 ? 0x7f : 0));
    } else {
        f->insts.v[i].imm = (int64_t)k[t].bits;
    }
    return result0(f, i);
}

/* Canonicalize the result of inst; returns the last instruction added. */
static uint32_t canonicalize(ir_function *f, uint32_t inst)
{
    uint32_t r = result0(f, inst), at = f->insts.v[inst].next;
    ir_type t = f->values.v[r].type, lane = ir_type_lane(t);
    /* the instruction gets a new result; r becomes the select's */
    uint32_t raw = ir_value_new(f, IR_VAL_RESULT, t, inst, 0);
    f->values.v[raw].line = f->values.v[r].line, f->values.v[raw].col = f->values.v[r].col;
    f->pool.v[f->insts.v[inst].res] = raw;
    uint32_t nan = canon_nan(f, at, lane);
    uint32_t args[3] = {raw, raw};
    uint32_t cmp = ir_inst_build(f, at, IR_OP_fcmp, t, args, 2), sel;
    f->insts.v[cmp].cond = IR_FLOATCC_uno;
    uint32_t mask = result0(f, cmp);
    if (ir_type_is_vector(t)) {     /* lane masks: bitselect of a splat */
        nan = result0(f, ir_inst_build(f, at, IR_OP_splat, t, &nan, 1));
        uint32_t bc = ir_inst_build(f, at, IR_OP_bitcast, t, &mask, 1);
        f->insts.v[bc].mf.bits = IR_MF_LITTLE;
        args[0] = result0(f, bc), args[1] = nan, args[2] = raw;
        sel = ir_inst_build(f, at, IR_OP_bitselect, t, args, 3);
    } else {
        args[0] = mask, args[1] = nan, args[2] = raw;
        sel = ir_inst_build(f, at, IR_OP_select, t, args, 3);
    }
    f->values.v[r].kind = IR_VAL_ALIAS;
    f->values.v[r].def = result0(f, sel);
    return sel;
}

void cg_nan_canonicalize(ir_function *f)
{
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE; i = f->insts.v[i].next) {
            const ir_inst_data *in = &f->insts.v[i];
            if (is_arith((ir_opcode)in->op) && in->nres == 1 && in->next != IR_NONE &&
                ir_type_is_float(f->values.v[result0(f, i)].type) &&
                !(f->values.v[result0(f, i)].type & IR_TYPE_DYNAMIC))
                i = canonicalize(f, i);
        }
}
