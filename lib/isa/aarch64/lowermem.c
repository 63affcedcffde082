/* AArch64 lowering of memory accesses: addresses folded from address
 * arithmetic (a constant offset, a shifted and extended index, a stack
 * slot), loads and stores, and atomics (LL/SC loops, or LSE with has_lse). */
#include "a64.h"

typedef cg_lower lower;

#define F (&c->f)
#define res(c, i, k) a64_res(c, i, k)


/* ---- memory ------------------------------------------------------------------- */

/* The address of a load or store: folds iadd of a constant into the
 * displacement and iadd of a register (maybe shifted by the access size)
 * into an index.  Fills the operands of the instruction emitted next. */
typedef struct addr { uint32_t base, index; unsigned amode, scale, ext; int64_t disp; } addr;

static addr address(lower *L, uint32_t v, int64_t off)
{
    cg_ctx *c = L->c;
    addr m = {CG_NONE, CG_NONE, A64_AM_BASE, 0, 0, off};
    uint32_t d, sh;
    int64_t k = 0;   /* folded shifts have a constant amount */
    if (a64_folded(L, v, IR_OP_iadd, &d)) {
        const uint32_t *a = ir_inst_args(c->fn, d);
        for (unsigned s = 0; s < 2; s++)
            if (cg_iconst_of(c, a[s], &k)) {
                m.base = a64_put_in_reg(c, a[1 - s]);
                m.disp = off + k;
                return m;
            }
        m.amode = A64_AM_INDEX;
        unsigned s = 1;
        uint32_t x = a[1];
        for (unsigned t = 0; t < 2; t++)
            if (a64_folded(L, a[t], IR_OP_ishl, &sh)) {
                cg_iconst_of(c, ir_inst_args(c->fn, sh)[1], &k);
                m.scale = (unsigned)k & 63;
                s = t, x = ir_inst_args(c->fn, sh)[0];
                break;
            }
        if (a64_folded(L, x, IR_OP_uextend, &sh) || a64_folded(L, x, IR_OP_sextend, &sh)) {
            m.ext = c->fn->insts.v[sh].op == IR_OP_uextend ? 1 : 2;
            x = ir_inst_args(c->fn, sh)[0];
        }
        m.base = a64_put_in_reg(c, a[1 - s]);
        m.index = a64_put_in_reg(c, x);
        return m;
    }
    if (a64_folded(L, v, IR_OP_stack_addr, &d)) {
        m.amode = A64_AM_SLOT;
        m.base = c->fn->insts.v[d].ent;
        m.disp = off + c->fn->insts.v[d].imm;
        return m;
    }
    m.base = a64_put_in_reg(c, v);
    return m;
}

static void mem_operands(cg_ctx *c, cg_inst *i, const addr *m)
{
    i->amode = (uint8_t)m->amode;
    i->scale = (uint8_t)m->scale;
    if (m->amode == A64_AM_SLOT) {
        i->aux = m->base;
        i->disp = (int32_t)m->disp;
        return;
    }
    i->disp = (int32_t)m->disp;
    i->aux = m->ext;
    cg_op_use(F, m->base);
    if (m->amode == A64_AM_INDEX)
        cg_op_use(F, m->index);
}

bool a64_lower_load(lower *L, uint32_t inst, const cg_access *m)
{
    cg_ctx *c = L->c;
    unsigned ext = !m->sign ? A64_LD_ZX : m->width == 4 || m->type == IR_I64 ? A64_LD_SX64 : A64_LD_SX32;
    if (m->off != (int32_t)m->off)
        return cg_unsupported(c, inst, "load offset");
    bool fl = cg_type_cls(m->type) == CG_CLS_FLOAT;
    if (fl && (m->mf.bits & IR_MF_BIG) && m->width > 1 && ir_type_is_vector(m->type))
        return cg_unsupported(c, inst, "big-endian vector load");
    addr am = address(L, m->addr, m->off);
    cg_inst *i = cg_emit_inst(F, fl ? A64_FLOAD : A64_LOAD, 3);
    i->cc = (uint8_t)ext, i->size = (uint8_t)m->width, i->imm = m->mf.trap;
    cg_op_def(F, cg_value_vreg(c, m->value));
    mem_operands(c, i, &am);
    return true;
}

bool a64_lower_store(lower *L, uint32_t inst, const cg_access *m)
{
    cg_ctx *c = L->c;
    if (m->off != (int32_t)m->off)
        return cg_unsupported(c, inst, "store offset");
    if (ir_type_is_vector(m->type) && (m->mf.bits & IR_MF_BIG))
        return cg_unsupported(c, inst, "big-endian vector store");
    int64_t k;
    uint32_t v = cg_is_int(m->type) && cg_iconst_of(c, m->value, &k) && k == 0 ? A64_ZR : a64_put_in_reg(c, m->value);
    addr am = address(L, m->addr, m->off);
    cg_inst *i = cg_emit_inst(F, cg_type_cls(m->type) == CG_CLS_FLOAT ? A64_FSTORE : A64_STORE, 3);
    i->size = (uint8_t)m->width, i->imm = m->mf.trap;
    cg_op_use(F, v);
    mem_operands(c, i, &am);
    return true;
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
