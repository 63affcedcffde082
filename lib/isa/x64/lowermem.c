/* x86-64 lowering of memory accesses: addressing modes folded from address
 * arithmetic, loads sunk into the operation that uses them, stores of
 * immediates, global values, atomics. */
#include "x64.h"

#define F (&c->f)

static uint32_t res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}


/* ---- memory ------------------------------------------------------------------- */

/* An address as x86 takes it: base + index << scale + disp, or a stack
 * slot + disp; the terms are IR values (IR_NONE for none).  It folds the
 * iadd, ishl by 0..3, iconst and stack_addr instructions of the access's
 * block whose only use is the address (x64_mark_memory marks them, so they are
 * not lowered on their own). */
typedef struct amode {
    uint32_t base, index, slot;
    unsigned scale;
    int64_t disp;
} amode;

static uint32_t foldable(const x64_lowering *L, uint32_t v, uint32_t blk, unsigned op)
{
    const cg_ctx *c = L->c;
    uint32_t d = cg_def_of(c, v);
    if (d == IR_NONE || c->fn->insts.v[d].op != op || c->fn->insts.v[d].block != blk ||
        c->uses.v[ir_value_resolve(c->fn, v)] != 1 || cg_vtype(c, v) != IR_I64)
        return IR_NONE;
    return d;
}

static bool addr_terms(x64_lowering *L, uint32_t v, uint32_t blk, amode *m, bool slots, bool mark, unsigned depth)
{
    cg_ctx *c = L->c;
    int64_t k;
    uint32_t d;
    if (cg_iconst_of(c, v, &k)) {
        m->disp += k;
        return true;
    }
    if (depth < 4 && (d = foldable(L, v, blk, IR_OP_iadd)) != IR_NONE) {
        const uint32_t *a = ir_inst_args(c->fn, d);
        if (mark)
            L->fused[d] = CG_FUSED_ADDR;
        return addr_terms(L, a[0], blk, m, slots, mark, depth + 1) &&
               addr_terms(L, a[1], blk, m, slots, mark, depth + 1);
    }
    if (m->index == IR_NONE && (d = foldable(L, v, blk, IR_OP_ishl)) != IR_NONE) {
        const uint32_t *a = ir_inst_args(c->fn, d);
        if (cg_iconst_of(c, a[1], &k) && (k & 63) <= 3 && cg_vtype(c, a[0]) == IR_I64) {
            if (mark)
                L->fused[d] = CG_FUSED_ADDR;
            m->index = ir_value_resolve(c->fn, a[0]), m->scale = (unsigned)(k & 63);
            return true;
        }
    }
    if (slots && m->slot == IR_NONE && (d = foldable(L, v, blk, IR_OP_stack_addr)) != IR_NONE) {
        if (mark)
            L->fused[d] = CG_FUSED_ADDR;
        m->slot = c->fn->insts.v[d].ent;
        m->disp += c->fn->insts.v[d].imm;
        return true;
    }
    v = ir_value_resolve(c->fn, v);
    if (m->base == IR_NONE)
        m->base = v;
    else if (m->index == IR_NONE)
        m->index = v, m->scale = 0;
    else
        return false;
    return true;
}

/* The address of the access `inst` (address operand v, offset off). */
static amode addr_of(x64_lowering *L, uint32_t inst, uint32_t v, int64_t off, bool mark)
{
    uint32_t blk = L->c->fn->insts.v[inst].block;
    for (int slots = 1; slots >= 0; slots--) {
        amode m = {IR_NONE, IR_NONE, IR_NONE, 0, off};
        if (!addr_terms(L, v, blk, &m, slots, false, 0))
            continue;
        if (m.index != IR_NONE && m.base == IR_NONE && m.scale == 0)
            m.base = m.index, m.index = IR_NONE;
        /* a constant address keeps its value in a base register (an
         * access with neither base nor slot would encode a stale one) */
        if ((m.slot != IR_NONE && (m.base != IR_NONE || m.index != IR_NONE)) ||
            (m.slot == IR_NONE && m.base == IR_NONE) || m.disp != (int32_t)m.disp)
            continue;
        if (mark) {
            amode again = {IR_NONE, IR_NONE, IR_NONE, 0, off};
            addr_terms(L, v, blk, &again, slots, true, 0);
        }
        return m;
    }
    return (amode){ir_value_resolve(L->c->fn, v), IR_NONE, IR_NONE, 0, off};
}

/* Registers of the address (emitted before the access). */
static unsigned amode_regs(cg_ctx *c, const amode *m, uint32_t r[2])
{
    unsigned n = 0;
    if (m->base != IR_NONE)
        r[n++] = x64_put_in_reg(c, m->base);
    if (m->index != IR_NONE)
        r[n++] = x64_put_in_reg(c, m->index);
    return n;
}

static void amode_set(cg_func *f, cg_inst *i, const amode *m, const uint32_t *r, unsigned n)
{
    i->disp = (int32_t)m->disp;
    if (m->slot != IR_NONE) {
        i->amode = X64_AM_SLOT, i->aux = m->slot;
        return;
    }
    i->amode = n == 2 ? X64_AM_INDEX : X64_AM_BASE;
    i->scale = (uint8_t)m->scale;
    for (unsigned k = 0; k < n; k++)
        cg_op_use(f, r[k]);
}

bool x64_lower_load(x64_lowering *L, uint32_t inst, const cg_access *a)
{
    cg_ctx *c = L->c;
    unsigned ext = !a->sign ? X64_LD_ZX : a->type == IR_I64 ? X64_LD_SX | X64_LD_64 : X64_LD_SX;
    bool fl = ir_type_is_float(a->type) || ir_type_is_vector(a->type);
    amode m = addr_of(L, inst, a->addr, a->off, false);
    uint32_t r[2];
    unsigned n = amode_regs(c, &m, r);
    cg_inst *i = cg_emit_inst(F, fl ? X64_XLOAD : X64_LOAD, 1 + n);
    i->cc = (uint8_t)ext, i->size = (uint8_t)a->width, i->imm = a->mf.trap;
    cg_op_def(F, cg_value_vreg(c, a->value));
    amode_set(F, i, &m, r, n);
    return true;
}

/* An integer constant is stored as an immediate (imm32, sign-extended for
 * 8 bytes). */
bool x64_lower_store(x64_lowering *L, uint32_t inst, const cg_access *a)
{
    cg_ctx *c = L->c;
    int64_t k;
    bool imm = cg_is_int(a->type) && cg_iconst_of(c, a->value, &k) && (a->width < 8 || k == (int32_t)k);
    uint32_t v = imm ? CG_NONE : x64_put_in_reg(c, a->value);
    amode m = addr_of(L, inst, a->addr, a->off, false);
    uint32_t r[2];
    unsigned n = amode_regs(c, &m, r);
    bool fl = ir_type_is_float(a->type) || ir_type_is_vector(a->type);
    cg_inst *i = cg_emit_inst(F, imm ? X64_STOREI : fl ? X64_XSTORE : X64_STORE, !imm + n);
    i->size = (uint8_t)a->width, i->imm = a->mf.trap;
    if (imm)
        i->imm = (int64_t)((uint64_t)(uint32_t)k << 32 | (uint32_t)a->mf.trap);
    else
        cg_op_use(F, v);
    amode_set(F, i, &m, r, n);
    return true;
}

/* A binary operation one operand of which is a load sunk into it (marked
 * by x64_mark_memory): op reg, [mem]. */
bool x64_lower_memop(x64_lowering *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned k = 1;
    uint32_t d = cg_def_of(c, a[1]);
    if (d == IR_NONE || L->fused[d] != CG_FUSED_LOAD)
        k = 0, d = cg_def_of(c, a[0]);
    const ir_inst_data *ld = &c->fn->insts.v[d];
    ir_type t = cg_vtype(c, a[k]);
    bool fl = ir_type_is_float(t);
    unsigned op;
    switch (in->op) {
    case IR_OP_fadd: op = X64_FADD; break;
    case IR_OP_fsub: op = X64_FSUB; break;
    case IR_OP_fmul: op = X64_FMUL; break;
    case IR_OP_fdiv: op = X64_FDIV; break;
    case IR_OP_imul: op = X64_MULOP; break;
    case IR_OP_iadd: op = X64_ADD; break;
    case IR_OP_isub: op = X64_SUB; break;
    case IR_OP_band: op = X64_AND; break;
    case IR_OP_bor: op = X64_OR; break;
    default: op = X64_XOR; break;
    }
    amode m = addr_of(L, d, ir_inst_args(c->fn, d)[0], ld->imm, false);
    uint32_t x = x64_put_in_reg(c, a[1 - k]), r[2];
    unsigned n = amode_regs(c, &m, r);
    cg_inst *i = cg_emit_inst(F, fl ? X64_XALUM : X64_ALUM, 2 + n);
    i->cc = (uint8_t)op, i->size = (uint8_t)ir_type_bytes(t), i->imm = ld->mf.trap;
    cg_op_def_reuse(F, res(c, inst, 0), 1);
    cg_op_use(F, x);
    amode_set(F, i, &m, r, n);
    return true;
}

/* fadd/fsub/fmul/fdiv with a constant operand: the operation reads it
 * from the constant pool. */
bool x64_lower_fconst_op(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    bool commutes = in->op == IR_OP_fadd || in->op == IR_OP_fmul;
    for (int k = 1; k >= !commutes; k--) {
        uint32_t d = cg_def_of(c, a[k]);
        if (d == IR_NONE || (c->fn->insts.v[d].op != IR_OP_f32const && c->fn->insts.v[d].op != IR_OP_f64const))
            continue;
        unsigned size = ir_type_bytes(t);
        int64_t bits = c->fn->insts.v[d].imm;
        uint32_t x = x64_put_in_reg(c, a[1 - k]);
        cg_inst *i = cg_emit_inst(F, X64_XALUM, 2);
        i->cc = (uint8_t)(in->op == IR_OP_fadd ? X64_FADD : in->op == IR_OP_fsub ? X64_FSUB
                          : in->op == IR_OP_fmul ? X64_FMUL : X64_FDIV);
        i->size = (uint8_t)size, i->imm = IR_TRAP_NONE;
        i->amode = X64_AM_CONST, i->aux = cg_const_add(F, &bits, size, size);
        cg_op_def_reuse(F, res(c, inst, 0), 1);
        cg_op_use(F, x);
        return true;
    }
    return false;
}

/* ---- atomics ---------------------------------------------------------------------
 * x86 is TSO: loads are acquire, a locked instruction is a full barrier;
 * a sequentially consistent store is a store and mfence. */

bool x64_lower_atomic(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    unsigned size = ir_type_bytes(t);
    cg_inst *i;
    switch (in->op) {
    case IR_OP_atomic_cas: {
        uint32_t p = x64_put_in_reg(c, a[0]), e = x64_put_in_reg(c, a[1]), n = x64_put_in_reg(c, a[2]);
        i = cg_emit_inst(F, X64_CAS, 4);
        i->size = (uint8_t)size, i->imm = in->mf.trap;
        cg_op_use_fixed(F, e, X64_RAX);
        cg_op_use(F, n);
        cg_op_use(F, p);
        cg_op_def_fixed(F, res(c, inst, 0), X64_RAX);
        return true;
    }
    default: {  /* atomic_rmw */
        uint32_t p = x64_put_in_reg(c, a[0]), x = x64_put_in_reg(c, a[1]);
        if (in->cond == IR_RMW_add || in->cond == IR_RMW_sub || in->cond == IR_RMW_xchg) {
            if (in->cond == IR_RMW_sub) {
                uint32_t n = x64_new_int(c);
                x64_un(c, X64_UNARY, X64_NEG, size, 0, n, x);
                x = n;
            }
            i = cg_emit_inst(F, X64_XADD, 3);
            i->cc = in->cond == IR_RMW_xchg, i->size = (uint8_t)size, i->imm = in->mf.trap;
            cg_op_def_reuse(F, res(c, inst, 0), 1);
            cg_op_use(F, x);
            cg_op_use(F, p);
            return true;
        }
        i = cg_emit_inst(F, X64_RMWLOOP, 4);
        i->cc = in->cond, i->size = (uint8_t)size, i->imm = in->mf.trap;
        cg_op_use(F, x);
        cg_op_use(F, p);
        cg_op_def_fixed(F, res(c, inst, 0), X64_RAX);
        cg_op_temp(F, x64_new_int(c));
        return true;
    }
    }
}

/* The load defining v, if it can move down to its only use, instruction
 * `use` of the same block: nothing between may store, call or have side
 * effects, nor trap unless the load cannot. */
static uint32_t sinkable_load(x64_lowering *L, uint32_t use, uint32_t v, ir_type t)
{
    const cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    uint32_t d = cg_def_of(c, v);
    if (d == IR_NONE || fn->insts.v[d].op != IR_OP_load || fn->insts.v[d].block != fn->insts.v[use].block ||
        L->fused[d] || c->uses.v[ir_value_resolve(fn, v)] != 1 || cg_vtype(c, v) != t)
        return IR_NONE;
    bool may_trap = fn->insts.v[d].mf.trap != IR_TRAP_NONE;
    unsigned n = 0;
    for (uint32_t j = fn->insts.v[d].next; j != use; j = fn->insts.v[j].next) {
        if (j == IR_NONE || ++n > 16)
            return IR_NONE;
        const ir_inst_data *jn = &fn->insts.v[j];
        unsigned fl = ir_opcodes[jn->op].flags;
        bool load = (fl & IR_OPF_CAN_LOAD) && !(fl & IR_OPF_CAN_STORE) && !(fl & IR_OPF_CALL);
        if (fl & (IR_OPF_CAN_STORE | IR_OPF_CALL | IR_OPF_SIDE_EFFECT | IR_OPF_TERMINATOR))
            return IR_NONE;
        if ((fl & IR_OPF_CAN_TRAP) && may_trap && !(load && jn->mf.trap == IR_TRAP_NONE))
            return IR_NONE;
    }
    return d;
}

/* Marks for lowering: address computations folded into loads and stores,
 * then loads sunk into their use (which keep their folded addresses). */
void x64_mark_memory(x64_lowering *L)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    bool loads = false;     /* only a load sinks: no second pass without one */
    for (uint32_t i = 0; i < fn->insts.n; i++) {
        const ir_inst_data *in = &fn->insts.v[i];
        if (in->block == IR_NONE)
            continue;
        loads |= in->op == IR_OP_load;
        switch (in->op) {
        case IR_OP_load: case IR_OP_uload8: case IR_OP_sload8: case IR_OP_uload16: case IR_OP_sload16:
        case IR_OP_uload32: case IR_OP_sload32:
            if (fn->values.v[ir_inst_results(fn, i)[0]].type != IR_I128)
                addr_of(L, i, ir_inst_args(fn, i)[0], in->imm, true);
            break;
        case IR_OP_store: case IR_OP_istore8: case IR_OP_istore16: case IR_OP_istore32:
            if (cg_vtype(c, ir_inst_args(fn, i)[0]) != IR_I128)
                addr_of(L, i, ir_inst_args(fn, i)[1], in->imm, true);
            break;
        default:
            break;
        }
    }
    /* loads used once by an arithmetic operation right after them */
    for (uint32_t i = 0; loads && i < fn->insts.n; i++) {
        ir_type t = cg_binary_user(L, i);
        const ir_inst_data *in = &fn->insts.v[i];
        bool fl = in->op == IR_OP_fadd || in->op == IR_OP_fsub || in->op == IR_OP_fmul || in->op == IR_OP_fdiv;
        bool in_ = in->op == IR_OP_iadd || in->op == IR_OP_isub || in->op == IR_OP_band ||
                   in->op == IR_OP_bor || in->op == IR_OP_bxor || in->op == IR_OP_imul;
        if (!(fl && (t == IR_F32 || t == IR_F64)) && !(in_ && (t == IR_I32 || t == IR_I64)))
            continue;
        bool commutes = in->op != IR_OP_fsub && in->op != IR_OP_fdiv && in->op != IR_OP_isub;
        const uint32_t *a = ir_inst_args(fn, i);
        int32_t imm;
        if (in_ && (x64_imm32_of(c, a[0], &imm) || x64_imm32_of(c, a[1], &imm)))
            continue;   /* an immediate form is better */
        for (int k = 1; k >= !commutes; k--) {
            uint32_t d = sinkable_load(L, i, a[k], t);
            if (d != IR_NONE && ir_value_resolve(fn, a[0]) != ir_value_resolve(fn, a[1])) {
                L->fused[d] = CG_FUSED_LOAD, L->fused[i] = CG_FUSED_MEMOP;
                break;
            }
        }
    }
}
