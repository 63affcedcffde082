/* Legalization: IR the back ends do not lower, rewritten into IR they do,
 * once for every target, on a copy of the function.
 *
 * Big-endian memory accesses (`load.i32 big p`): both hosts are little
 * endian, so the access becomes a little-endian one of an integer of the
 * same width and a bswap (Cranelift's own x64 and aarch64 back ends refuse
 * these; its interpreter gives their meaning).  Floats go through a
 * bitcast, narrow loads and stores through an extend or ireduce.  A
 * big-endian vector access or read-modify-write atomic has no such
 * rewrite: it is refused, at the instruction. */
#include "cg.h"

static bool is_big(const ir_inst_data *in)
{
    return (in->mf.bits & IR_MF_BIG) && (ir_opcodes[in->op].flags & (IR_OPF_CAN_LOAD | IR_OPF_CAN_STORE));
}

bool cg_needs_legalize(const ir_function *fn)
{
    for (uint32_t i = 0; i < fn->insts.n; i++)
        if (fn->insts.v[i].block != IR_NONE && is_big(&fn->insts.v[i]))
            return true;
    return false;
}

static ir_type int_type(unsigned bytes)
{
    return bytes == 1 ? IR_I8 : bytes == 2 ? IR_I16 : bytes == 4 ? IR_I32 : bytes == 8 ? IR_I64 : IR_I128;
}

/* The result of a new instruction before `before`. */
static uint32_t new_before(ir_function *f, uint32_t before, ir_opcode op, ir_type t, uint32_t arg)
{
    uint32_t i = ir_inst_new(f, before, op, t, 1, &arg);   /* may move insts and pool */
    return ir_inst_results(f, i)[0];
}

/* load.T big p  ->  t = load.iN p; u = bswap t; v = bitcast/extend u */
static void legalize_load(ir_function *f, uint32_t inst, unsigned width, int ext)
{
    ir_inst_data *in = &f->insts.v[inst];
    uint32_t v = ir_inst_results(f, inst)[0];
    ir_type vt = f->values.v[v].type, it = int_type(width);
    if (ext)
        in->op = IR_OP_load;
    in->type = it;
    in->mf.bits &= (uint8_t)~IR_MF_BIG;
    uint32_t t = ir_value_new(f, IR_VAL_RESULT, it, inst, 0);
    ir_inst_results(f, inst)[0] = t;
    uint32_t next = f->insts.v[inst].next, u = t;   /* a load never ends its block */
    if (width > 1)
        u = new_before(f, next, IR_OP_bswap, it, u);
    if (ext)
        u = new_before(f, next, ext == IR_EXT_SEXT ? IR_OP_sextend : IR_OP_uextend, vt, u);
    else if (vt != it)
        u = new_before(f, next, IR_OP_bitcast, vt, u);
    ir_value_replace(f, v, u);
}

/* store big v, p  ->  u = bswap (bitcast/ireduce v); store u, p */
static void legalize_store(ir_function *f, uint32_t inst, unsigned width)
{
    ir_inst_data *in = &f->insts.v[inst];
    uint32_t v = ir_inst_args(f, inst)[0];
    ir_type vt = f->values.v[ir_value_resolve(f, v)].type;
    ir_type it = int_type(width);
    bool narrow = in->op == IR_OP_istore8 || in->op == IR_OP_istore16 || in->op == IR_OP_istore32;
    if (narrow)
        in->op = IR_OP_store;
    in->mf.bits &= (uint8_t)~IR_MF_BIG;
    if (narrow)
        v = new_before(f, inst, IR_OP_ireduce, it, v);
    else if (vt != it)
        v = new_before(f, inst, IR_OP_bitcast, it, v);
    if (width > 1)
        v = new_before(f, inst, IR_OP_bswap, it, v);
    ir_inst_args(f, inst)[0] = v;
}

bool cg_legalize(ir_function *f, const char *isa, ir_diag *d)
{
    uint32_t n = f->insts.n;     /* the new instructions need nothing */
    for (uint32_t i = 0; i < n; i++) {
        ir_inst_data *in = &f->insts.v[i];
        if (in->block == IR_NONE || !is_big(in))
            continue;
        bool load = !(ir_opcodes[in->op].flags & IR_OPF_CAN_STORE) || in->op == IR_OP_atomic_rmw ||
                    in->op == IR_OP_atomic_cas;
        ir_type t = load ? f->values.v[ir_inst_results(f, i)[0]].type
                         : f->values.v[ir_value_resolve(f, ir_inst_args(f, i)[0])].type;
        if (ir_type_is_vector(t) || in->op == IR_OP_atomic_rmw || in->op == IR_OP_atomic_cas) {
            ir_diag_set(d, in->line, in->col, "unsupported on %s: big-endian %s%s", isa, ir_opcodes[in->op].name,
                        ir_type_is_vector(t) ? " of a vector" : "");
            return false;
        }
        unsigned width = ir_type_bytes(t);
        int ext = IR_EXT_NONE;
        switch (in->op) {
        case IR_OP_uload8: width = 1, ext = IR_EXT_UEXT; break;
        case IR_OP_sload8: width = 1, ext = IR_EXT_SEXT; break;
        case IR_OP_uload16: width = 2, ext = IR_EXT_UEXT; break;
        case IR_OP_sload16: width = 2, ext = IR_EXT_SEXT; break;
        case IR_OP_uload32: width = 4, ext = IR_EXT_UEXT; break;
        case IR_OP_sload32: width = 4, ext = IR_EXT_SEXT; break;
        case IR_OP_istore8: width = 1; break;
        case IR_OP_istore16: width = 2; break;
        case IR_OP_istore32: width = 4; break;
        default: break;
        }
        if (load)
            legalize_load(f, i, width, ext);
        else
            legalize_store(f, i, width);
    }
    return true;
}
