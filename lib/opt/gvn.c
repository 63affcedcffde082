/* Global value numbering over the dominator tree: an instruction equal to
 * one that dominates it (same opcode, immediates and operands) is replaced
 * by it.  One walk in dominator-tree preorder with a hash table whose
 * insertions are undone, last first, when the walk leaves a subtree, so
 * only dominating instructions are ever found.  Folding (fold.c) runs on
 * each instruction first, on operands already numbered.
 *
 * Besides pure instructions, it merges ones whose only effect is a trap
 * that the dominating copy would have raised first (divisions, trapz,
 * float-to-int conversions), and loads of `readonly` memory, which cannot
 * change while the function runs. */
#include "internal.h"

#include <string.h>

typedef struct gvn {
    opt_fn *o;
    uint32_t *tab, mask, count;
    IR_VEC(uint32_t) undo;      /* table slots filled, in order */
} gvn;

static bool has_bytes(const ir_inst_data *in)
{
    return (in->op == IR_OP_vconst && in->ent == IR_NONE) || in->op == IR_OP_shuffle || in->op == IR_OP_f128const;
}

static bool mergeable(const ir_function *f, uint32_t i)
{
    const ir_inst_data *in = &f->insts.v[i];
    if (opt_is_pure(f, i))
        return in->nres > 0;
    switch (in->op) {
    case IR_OP_udiv: case IR_OP_sdiv: case IR_OP_urem: case IR_OP_srem: case IR_OP_fcvt_to_uint:
    case IR_OP_fcvt_to_sint: case IR_OP_uadd_overflow_trap: case IR_OP_trapz: case IR_OP_trapnz:
        return true;
    case IR_OP_load: case IR_OP_uload8: case IR_OP_sload8: case IR_OP_uload16: case IR_OP_sload16:
    case IR_OP_uload32: case IR_OP_sload32:
        return (in->mf.bits & IR_MF_READONLY) && !(in->type & IR_TYPE_DYNAMIC);
    default:
        return false;
    }
}

static uint32_t hash_inst(const ir_function *f, uint32_t i)
{
    const ir_inst_data *in = &f->insts.v[i];
    uint64_t h = 0x9e3779b97f4a7c15ull;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 0x100000001b3ull)
    MIX(in->op);
    MIX(in->type);
    MIX(in->cond);
    MIX(in->trap);
    MIX(in->mf.bits | in->mf.region << 8 | (uint32_t)in->mf.trap << 16);
    MIX(in->ent);
    if (has_bytes(in)) {
        uint64_t lo, hi;
        memcpy(&lo, &f->bytes.v[in->imm], 8);
        memcpy(&hi, &f->bytes.v[in->imm + 8], 8);
        MIX(lo);
        MIX(hi);
    } else {
        MIX(in->imm);
    }
    for (uint32_t k = 0; k < in->nargs; k++)
        MIX(ir_value_resolve(f, ir_inst_args(f, i)[k]));
#undef MIX
    return (uint32_t)(h ^ h >> 29);
}

static bool equal_inst(const ir_function *f, uint32_t i, uint32_t j)
{
    const ir_inst_data *a = &f->insts.v[i], *b = &f->insts.v[j];
    if (a->op != b->op || a->type != b->type || a->cond != b->cond || a->trap != b->trap ||
        a->mf.bits != b->mf.bits || a->mf.region != b->mf.region || a->mf.trap != b->mf.trap ||
        a->ent != b->ent || a->nargs != b->nargs || a->nres != b->nres)
        return false;
    if (has_bytes(a) ? memcmp(&f->bytes.v[a->imm], &f->bytes.v[b->imm], 16) != 0 : a->imm != b->imm)
        return false;
    for (uint32_t k = 0; k < a->nargs; k++)
        if (ir_value_resolve(f, ir_inst_args(f, i)[k]) != ir_value_resolve(f, ir_inst_args(f, j)[k]))
            return false;
    for (uint32_t k = 0; k < a->nres; k++)     /* results of the same types */
        if (f->values.v[ir_inst_results(f, i)[k]].type != f->values.v[ir_inst_results(f, j)[k]].type)
            return false;
    return true;
}

static void resolve_operand(void *arg, uint32_t *slot)
{
    *slot = ir_value_resolve(arg, *slot);
}

/* Number one instruction: the dominating equal one, or it enters the table. */
static void number(gvn *g, uint32_t i)
{
    ir_function *f = g->o->f;
    if (!mergeable(f, i))
        return;
    uint32_t h = hash_inst(f, i) & g->mask;
    while (g->tab[h] != IR_NONE) {
        uint32_t j = g->tab[h];
        if (equal_inst(f, i, j)) {
            for (uint32_t k = 0; k < f->insts.v[i].nres; k++)
                opt_replace_value(f, ir_inst_results(f, i)[k], ir_inst_results(f, j)[k]);
            ir_inst_remove(f, i);
            return;
        }
        h = (h + 1) & g->mask;
    }
    if (g->count >= g->mask / 4 * 3)
        return;     /* full: later instructions are not numbered */
    g->tab[h] = i;
    g->count++;
    ir_vec_push(&g->undo, h);
}

static void visit_block(gvn *g, uint32_t b)
{
    opt_fn *o = g->o;
    ir_function *f = o->f;
    for (uint32_t i = f->blocks.v[b].first, nx; i != IR_NONE; i = nx) {
        nx = f->insts.v[i].next;
        opt_each_operand(f, i, resolve_operand, f);
        uint32_t before = f->insts.n;
        for (int round = 0; round < 4 && f->insts.v[i].block != IR_NONE && opt_fold_inst(o, i); round++)
            ;
        /* constants the folding made go in first: they come before i */
        for (uint32_t k = before; k < f->insts.n; k++)
            if (f->insts.v[k].block == b)
                number(g, k);
        if (f->insts.v[i].block != IR_NONE)
            number(g, i);
    }
}

bool opt_gvn(opt_fn *o)
{
    ir_function *f = o->f;
    if (!o->nrpo)
        return true;
    gvn g = {.o = o};
    uint32_t cap = 64;
    while (cap < 2 * (f->insts.n + 32))
        cap *= 2;
    g.tab = malloc(cap * sizeof *g.tab);
    uint32_t *stack = malloc((o->nrpo + 1) * sizeof *stack), *mark = malloc((o->nrpo + 1) * sizeof *mark),
             *next = malloc((o->nrpo + 1) * sizeof *next);
    if (!g.tab || !stack || !mark || !next) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    memset(g.tab, 0xff, cap * sizeof *g.tab);
    g.mask = cap - 1;
    uint32_t sp = 0, root = o->rpo[0];
    stack[sp] = root;
    mark[sp] = 0;
    next[sp++] = o->dkid_off[root];
    visit_block(&g, root);
    while (sp) {
        uint32_t b = stack[sp - 1];
        if (next[sp - 1] < o->dkid_off[b + 1]) {
            uint32_t c = o->dkid[next[sp - 1]++];
            stack[sp] = c;
            mark[sp] = g.undo.n;
            next[sp++] = o->dkid_off[c];
            visit_block(&g, c);
            continue;
        }
        sp--;
        while (g.undo.n > mark[sp]) {   /* leave b's subtree */
            g.tab[g.undo.v[--g.undo.n]] = IR_NONE;
            g.count--;
        }
    }
    free(g.tab);
    free(stack);
    free(mark);
    free(next);
    ir_vec_free(&g.undo);
    return true;
}
