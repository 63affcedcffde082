/* What both back ends need to know about vectors that is no target's
 * business: the bytes of vconst and shuffle immediates, splatted
 * constants, and the analysis of a shuffle mask (which source bytes it
 * takes, whether it moves whole lanes). */
#include "cg.h"

#include <string.h>

bool cg_vec_function(const ir_function *fn)
{
    for (uint32_t v = 0; v < fn->values.n; v++)
        if (ir_type_is_vector(fn->values.v[v].type))
            return true;
    return false;
}

bool cg_vec_inst(const cg_ctx *c, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    for (uint32_t k = 0; k < in->nres; k++)
        if (ir_type_is_vector(fn->values.v[ir_inst_results(fn, inst)[k]].type))
            return true;
    for (uint32_t k = 0; k < in->nargs; k++)
        if (ir_type_is_vector(cg_vtype(c, ir_inst_args(fn, inst)[k])))
            return true;
    return false;
}

unsigned cg_vec_lane(const cg_ctx *c, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    ir_type vt = in->op == IR_OP_extractlane ? cg_vtype(c, ir_inst_args(fn, inst)[0])
                                             : fn->values.v[ir_inst_results(fn, inst)[0]].type;
    return (unsigned)in->imm & (ir_type_lanes(vt) - 1);
}

bool cg_vec_extadd_pairwise(const cg_lower *L, uint32_t inst, uint32_t w[2])
{
    const ir_function *fn = L->c->fn;
    if (fn->insts.v[inst].op != IR_OP_iadd_pairwise)
        return false;
    const uint32_t *a = ir_inst_args(fn, inst);
    static const ir_opcode lo[2] = {IR_OP_swiden_low, IR_OP_uwiden_low};
    static const ir_opcode hi[2] = {IR_OP_swiden_high, IR_OP_uwiden_high};
    for (unsigned s = 0; s < 2; s++)
        if (cg_single_use(L, inst, a[0], lo[s], &w[0]) && cg_single_use(L, inst, a[1], hi[s], &w[1]) &&
            ir_value_resolve(fn, ir_inst_args(fn, w[0])[0]) == ir_value_resolve(fn, ir_inst_args(fn, w[1])[0]))
            return true;
    return false;
}

void cg_vec_imm_bytes(const ir_function *fn, const ir_inst_data *in, uint8_t out[16])
{
    uint32_t off = (uint32_t)in->imm, len = 16;
    if (in->op == IR_OP_vconst && in->ent != IR_NONE)
        off = fn->constants.v[in->ent].off, len = fn->constants.v[in->ent].len;
    else if (in->op == IR_OP_vconst)
        len = ir_type_bytes(in->type);
    memset(out, 0, 16);
    memcpy(out, &fn->bytes.v[off], len > 16 ? 16 : len);
}

void cg_vec_splat_bytes(uint8_t out[16], uint64_t x, unsigned bytes)
{
    for (unsigned k = 0; k < 16; k++)
        out[k] = (uint8_t)(x >> (8 * (k % bytes)));
}

bool cg_vec_const_scalar(const cg_ctx *c, uint32_t v, uint64_t *bits)
{
    uint32_t d = cg_def_of(c, v);
    if (d == IR_NONE)
        return false;
    const ir_inst_data *in = &c->fn->insts.v[d];
    if (in->op != IR_OP_iconst && in->op != IR_OP_f32const && in->op != IR_OP_f64const)
        return false;
    *bits = (uint64_t)in->imm;
    return true;
}

unsigned cg_shuffle_split(const uint8_t mask[16], uint8_t ma[16], uint8_t mb[16])
{
    unsigned used = 0;
    for (unsigned k = 0; k < 16; k++) {
        ma[k] = mask[k] < 16 ? mask[k] : 0x80;
        mb[k] = mask[k] >= 16 && mask[k] < 32 ? mask[k] - 16 : 0x80;
        used |= (mask[k] < 16 ? 1u : 0) | (mask[k] >= 16 && mask[k] < 32 ? 2u : 0);
    }
    return used;
}

bool cg_shuffle_lanes(const uint8_t mask[16], unsigned bytes, uint8_t *lanes)
{
    for (unsigned k = 0; k < 16 / bytes; k++) {
        unsigned b = mask[bytes * k];
        if (b % bytes || b >= 32)
            return false;
        for (unsigned i = 1; i < bytes; i++)
            if (mask[bytes * k + i] != b + i)
                return false;
        lanes[k] = (uint8_t)(b / bytes);
    }
    return true;
}
