/* What the passes share: the flow graph, reverse postorder, the dominator
 * tree (Cooper-Harvey-Kennedy over RPO, as the verifier), instruction
 * kinds, and small edits of the IR. */
#include "internal.h"

#include <string.h>

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

/* ---- block calls ------------------------------------------------------------ */

uint32_t opt_dest_count(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    switch (ir_opcodes[in->op].format) {
    case IR_FMT_Jump: return 1;
    case IR_FMT_Brif: return 2;
    case IR_FMT_BranchTable: return f->pool.v[in->ent];
    case IR_FMT_TryCall:
    case IR_FMT_TryCallIndirect: return 1 + f->pool.v[(uint32_t)in->imm + 2];
    default: return 0;
    }
}

uint32_t *opt_dest_slot(ir_function *f, uint32_t inst, uint32_t k)
{
    ir_inst_data *in = &f->insts.v[inst];
    switch (ir_opcodes[in->op].format) {
    case IR_FMT_Jump: return &in->ent;
    case IR_FMT_Brif: return &f->pool.v[in->ent + k];
    case IR_FMT_BranchTable: return &f->pool.v[in->ent + 1 + k];
    default: {
        uint32_t et = (uint32_t)in->imm;
        if (k == 0)
            return &f->pool.v[et + 1];
        uint32_t item = et + 3 + 3 * (k - 1);
        return f->pool.v[item] == IR_EXN_CONTEXT ? NULL : &f->pool.v[item + 2];
    }
    }
}

void opt_each_operand(ir_function *f, uint32_t inst, void (*fn)(void *, uint32_t *), void *arg)
{
    ir_inst_data *in = &f->insts.v[inst];
    for (uint32_t k = 0; k < in->nargs; k++)
        fn(arg, &f->pool.v[in->args + k]);
    if (!(ir_opcodes[in->op].flags & IR_OPF_BRANCH))
        return;
    uint32_t n = opt_dest_count(f, inst);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t *slot = opt_dest_slot(f, inst, k);
        if (!slot) {    /* context item: its value */
            uint32_t item = (uint32_t)in->imm + 3 + 3 * (k - 1);
            fn(arg, &f->pool.v[item + 1]);
            continue;
        }
        uint32_t bc = *slot, na = f->pool.v[bc + 1];
        for (uint32_t j = 0; j < na; j++)
            if (IR_BLOCKARG_KIND(f->pool.v[bc + 2 + j]) == IR_BLOCKARG_VALUE)
                fn(arg, &f->pool.v[bc + 2 + j]);
    }
}

/* ---- the flow graph ------------------------------------------------------------ */

void opt_cfg_free(opt_fn *o)
{
    free(o->succ_off);
    free(o->succ);
    free(o->pred_off);
    free(o->pred);
    free(o->rpo);
    free(o->rpo_num);
    free(o->idom);
    free(o->dkid_off);
    free(o->dkid);
    free(o->dpre);
    free(o->dpost);
    ir_function *f = o->f;
    ir_diag *d = o->d;
    unsigned p = o->passes;
    bool changed = o->changed;
    memset(o, 0, sizeof *o);
    o->f = f, o->d = d, o->passes = p, o->changed = changed;
}

static uint32_t last_branch(const ir_function *f, uint32_t b)
{
    uint32_t l = f->blocks.v[b].last;
    return l != IR_NONE && (ir_opcodes[f->insts.v[l].op].flags & IR_OPF_BRANCH) ? l : IR_NONE;
}

static uint32_t intersect(const opt_fn *o, const uint32_t *po, uint32_t a, uint32_t b)
{
    while (a != b) {
        while (po[a] < po[b])
            a = o->idom[a];
        while (po[b] < po[a])
            b = o->idom[b];
    }
    return a;
}

bool opt_cfg_build(opt_fn *o)
{
    opt_cfg_free(o);
    ir_function *f = o->f;
    uint32_t nb = o->nb = f->blocks.n;
    o->succ_off = xcalloc(nb + 1, sizeof *o->succ_off);
    o->pred_off = xcalloc(nb + 2, sizeof *o->pred_off);
    /* successors, counted first */
    uint32_t ne = 0;
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li], br = last_branch(f, b);
        if (br != IR_NONE)
            for (uint32_t k = 0, n = opt_dest_count(f, br); k < n; k++)
                ne += opt_dest_slot(f, br, k) != NULL;
    }
    o->succ = xcalloc(ne, sizeof *o->succ);
    o->pred = xcalloc(ne, sizeof *o->pred);
    uint32_t e = 0;
    for (uint32_t b = 0; b < nb; b++) {
        o->succ_off[b] = e;
        uint32_t br = f->blocks.v[b].in_layout ? last_branch(f, b) : IR_NONE;
        if (br == IR_NONE)
            continue;
        for (uint32_t k = 0, n = opt_dest_count(f, br); k < n; k++) {
            uint32_t *s = opt_dest_slot(f, br, k);
            if (s) {
                uint32_t t = f->pool.v[*s];
                o->succ[e++] = t;
                o->pred_off[t + 2]++;
            }
        }
    }
    o->succ_off[nb] = e;
    for (uint32_t b = 0; b < nb; b++)
        o->pred_off[b + 2] += o->pred_off[b + 1];
    for (uint32_t b = 0; b < nb; b++)
        for (uint32_t k = o->succ_off[b]; k < o->succ_off[b + 1]; k++)
            o->pred[o->pred_off[o->succ[k] + 1]++] = b;
    /* postorder by an explicit DFS from the entry */
    uint32_t *po = xcalloc(nb, sizeof *po), *stack = xcalloc(nb + 1, sizeof *stack),
             *next = xcalloc(nb, sizeof *next), *order = xcalloc(nb, sizeof *order);
    for (uint32_t b = 0; b < nb; b++)
        po[b] = IR_NONE;
    uint32_t npo = 0, sp = 0;
    uint8_t *seen = xcalloc(nb, 1);
    if (f->layout.n) {
        uint32_t entry = f->layout.v[0];
        stack[sp++] = entry;
        seen[entry] = 1;
        next[entry] = o->succ_off[entry];
        while (sp) {
            uint32_t b = stack[sp - 1];
            if (next[b] < o->succ_off[b + 1]) {
                uint32_t s = o->succ[next[b]++];
                if (!seen[s]) {
                    seen[s] = 1;
                    next[s] = o->succ_off[s];
                    stack[sp++] = s;
                }
                continue;
            }
            sp--;
            po[b] = npo;
            order[npo++] = b;
        }
    }
    free(seen);
    o->nrpo = npo;
    o->rpo = xcalloc(npo, sizeof *o->rpo);
    o->rpo_num = xcalloc(nb, sizeof *o->rpo_num);
    for (uint32_t b = 0; b < nb; b++)
        o->rpo_num[b] = IR_NONE;
    for (uint32_t k = 0; k < npo; k++) {
        o->rpo[k] = order[npo - 1 - k];
        o->rpo_num[o->rpo[k]] = k;
    }
    /* dominators */
    o->idom = xcalloc(nb, sizeof *o->idom);
    for (uint32_t b = 0; b < nb; b++)
        o->idom[b] = IR_NONE;
    if (npo) {
        o->idom[o->rpo[0]] = o->rpo[0];
        for (bool changed = true; changed;) {
            changed = false;
            for (uint32_t k = 1; k < npo; k++) {
                uint32_t b = o->rpo[k], nd = IR_NONE;
                for (uint32_t j = o->pred_off[b]; j < o->pred_off[b + 1]; j++) {
                    uint32_t p = o->pred[j];
                    if (o->idom[p] == IR_NONE)
                        continue;
                    nd = nd == IR_NONE ? p : intersect(o, po, p, nd);
                }
                if (nd != o->idom[b]) {
                    o->idom[b] = nd;
                    changed = true;
                }
            }
        }
    }
    /* children lists and DFS numbers */
    o->dkid_off = xcalloc(nb + 2, sizeof *o->dkid_off);
    o->dkid = xcalloc(npo, sizeof *o->dkid);
    for (uint32_t k = 1; k < npo; k++)
        o->dkid_off[o->idom[o->rpo[k]] + 2]++;
    for (uint32_t b = 0; b < nb; b++)
        o->dkid_off[b + 2] += o->dkid_off[b + 1];
    for (uint32_t k = 1; k < npo; k++) {    /* in RPO order: children keep it */
        uint32_t b = o->rpo[k];
        o->dkid[o->dkid_off[o->idom[b] + 1]++] = b;
    }
    o->dpre = xcalloc(nb, sizeof *o->dpre);
    o->dpost = xcalloc(nb, sizeof *o->dpost);
    for (uint32_t b = 0; b < nb; b++)
        o->dpre[b] = o->dpost[b] = IR_NONE;
    if (npo) {
        uint32_t clock = 0;
        sp = 0;
        stack[sp++] = o->rpo[0];
        next[o->rpo[0]] = o->dkid_off[o->rpo[0]];
        o->dpre[o->rpo[0]] = clock++;
        while (sp) {
            uint32_t b = stack[sp - 1];
            if (next[b] < o->dkid_off[b + 1]) {
                uint32_t c = o->dkid[next[b]++];
                o->dpre[c] = clock++;
                next[c] = o->dkid_off[c];
                stack[sp++] = c;
                continue;
            }
            o->dpost[b] = clock++;
            sp--;
        }
    }
    free(po);
    free(stack);
    free(next);
    free(order);
    return true;
}

void opt_cfg_prune(opt_fn *o)
{
    ir_function *f = o->f;
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->insts.n; i++)   /* it names a block: keep them all */
        if (f->insts.v[i].op == IR_OP_get_exception_handler_address && f->insts.v[i].block != IR_NONE)
            return;
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        if (o->rpo_num[b] != IR_NONE) {
            f->layout.v[n++] = b;
            continue;
        }
        for (uint32_t i = f->blocks.v[b].first, nx; i != IR_NONE; i = nx) {
            nx = f->insts.v[i].next;
            ir_inst_remove(f, i);
        }
        f->blocks.v[b].in_layout = false;
    }
    f->layout.n = n;
}

/* ---- values and instructions ---------------------------------------------------- */

uint32_t opt_value_block(const ir_function *f, uint32_t v)
{
    v = ir_value_resolve(f, v);
    const ir_value_data *vd = &f->values.v[v];
    if (vd->kind == IR_VAL_PARAM)
        return vd->def;
    if (vd->kind == IR_VAL_RESULT)
        return f->insts.v[vd->def].block;
    return IR_NONE;
}

uint32_t opt_value_def(const ir_function *f, uint32_t v)
{
    v = ir_value_resolve(f, v);
    const ir_value_data *vd = &f->values.v[v];
    return vd->kind == IR_VAL_RESULT ? vd->def : IR_NONE;
}

/* A load whose address is a stack slot's, in bounds, cannot fault. */
static bool stack_access_in_bounds(const ir_function *f, uint32_t inst, uint32_t addr, unsigned size)
{
    uint32_t d = opt_value_def(f, addr);
    if (d == IR_NONE || f->insts.v[d].op != IR_OP_stack_addr)
        return false;
    uint32_t ss = f->insts.v[d].ent;
    if (ss >= f->stack_slots.n || f->stack_slots.v[ss].dynamic)
        return false;
    int64_t off = f->insts.v[d].imm + f->insts.v[inst].imm;
    return off >= 0 && (uint64_t)off + size <= f->stack_slots.v[ss].size;
}

static unsigned access_bytes(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    switch (in->op) {
    case IR_OP_uload8: case IR_OP_sload8: return 1;
    case IR_OP_uload16: case IR_OP_sload16: return 2;
    case IR_OP_uload32: case IR_OP_sload32: return 4;
    case IR_OP_uload8x8: case IR_OP_sload8x8: case IR_OP_uload16x4: case IR_OP_sload16x4:
    case IR_OP_uload32x2: case IR_OP_sload32x2: return 8;
    case IR_OP_load: return ir_type_bytes(in->type);
    default: return 0;
    }
}

bool opt_load_cannot_trap(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    if (ir_opcodes[in->op].format != IR_FMT_Load || (in->type & IR_TYPE_DYNAMIC))
        return false;
    if (in->mf.trap == IR_TRAP_NONE)
        return true;
    unsigned size = access_bytes(f, inst);
    return size && stack_access_in_bounds(f, inst, ir_inst_args(f, inst)[0], size);
}

bool opt_is_pure(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    enum { IMPURE = IR_OPF_TERMINATOR | IR_OPF_BRANCH | IR_OPF_CALL | IR_OPF_RETURN | IR_OPF_CAN_TRAP |
                    IR_OPF_CAN_LOAD | IR_OPF_CAN_STORE | IR_OPF_SIDE_EFFECT | IR_OPF_LEGACY };
    if (ir_opcodes[in->op].flags & IMPURE)
        return false;
    switch (in->op) {
    case IR_OP_get_frame_pointer: case IR_OP_get_stack_pointer: case IR_OP_get_return_address:
    case IR_OP_get_exception_handler_address: case IR_OP_tls_value:
        return false;
    default:
        return true;
    }
}

bool opt_has_side_effect(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *in = &f->insts.v[inst];
    enum { EFFECT = IR_OPF_TERMINATOR | IR_OPF_BRANCH | IR_OPF_CALL | IR_OPF_RETURN | IR_OPF_CAN_TRAP |
                    IR_OPF_CAN_STORE | IR_OPF_SIDE_EFFECT | IR_OPF_LEGACY };
    unsigned fl = ir_opcodes[in->op].flags;
    if (fl & EFFECT)
        return true;
    if (fl & IR_OPF_CAN_LOAD)
        return !opt_load_cannot_trap(f, inst);
    return in->op == IR_OP_get_exception_handler_address;
}

void opt_replace_value(ir_function *f, uint32_t v, uint32_t to)
{
    to = ir_value_resolve(f, to);
    if (to == v)
        return;
    f->values.v[v].kind = IR_VAL_ALIAS;
    f->values.v[v].def = to;
}

uint32_t opt_new_inst(ir_function *f, uint32_t before, ir_opcode op, ir_type t, uint32_t nargs,
                      const uint32_t *args)
{
    uint32_t i = ir_inst_insert_before(f, before);
    ir_inst_data *in = &f->insts.v[i];
    in->op = (uint16_t)op;
    in->type = t;
    in->line = f->insts.v[before].line;
    in->col = f->insts.v[before].col;
    in->nargs = (uint16_t)nargs;
    in->args = f->pool.n;
    for (uint32_t k = 0; k < nargs; k++)
        ir_vec_push(&f->pool, args[k]);
    uint32_t v = ir_value_new(f, IR_VAL_RESULT, t, i, 0);
    in = &f->insts.v[i];
    in->nres = 1;
    in->res = f->pool.n;
    ir_vec_push(&f->pool, v);
    return i;
}

uint32_t opt_new_iconst(ir_function *f, uint32_t before, ir_type t, uint64_t imm)
{
    unsigned bits = ir_type_bits(t);
    uint32_t i = opt_new_inst(f, before, IR_OP_iconst, t, 0, NULL);
    f->insts.v[i].imm = (int64_t)(bits >= 64 ? imm : imm & ((1ull << bits) - 1));
    return ir_inst_results(f, i)[0];
}

void opt_set_args(ir_function *f, uint32_t inst, uint32_t nargs, const uint32_t *args)
{
    ir_inst_data *in = &f->insts.v[inst];
    if (nargs > in->nargs) {
        uint32_t at = f->pool.n;
        for (uint32_t k = 0; k < nargs; k++)
            ir_vec_push(&f->pool, args[k]);
        in = &f->insts.v[inst];
        in->args = at;
    } else {
        memmove(&f->pool.v[in->args], args, nargs * sizeof *args);
    }
    in->nargs = (uint16_t)nargs;
}
