/* Dead code elimination: an instruction stays if it has an effect (a
 * branch, call, store, trap, or a load that may fault) or a result that
 * one that stays uses.  Block parameters are values like any other: a
 * branch argument is needed only if its parameter is, so a value carried
 * around a loop and never used goes too, with its parameter.  Mark from
 * the roots through operands with a worklist, then unlink the rest:
 * linear.  Loads go only when they cannot trap (notrap, or a stack slot in
 * bounds). */
#include "internal.h"

#include <string.h>

typedef struct dce {
    opt_fn *o;
    uint8_t *live;              /* per instruction */
    uint8_t *live_param;        /* per value (parameters only) */
    IR_VEC(uint32_t) work;      /* instructions, or values | PARAM_BIT */
} dce;
#define PARAM_BIT 0x80000000u

static void mark_value(dce *c, uint32_t v)
{
    ir_function *f = c->o->f;
    v = ir_value_resolve(f, v);
    const ir_value_data *vd = &f->values.v[v];
    if (vd->kind == IR_VAL_RESULT && !c->live[vd->def]) {
        c->live[vd->def] = 1;
        ir_vec_push(&c->work, vd->def);
    } else if (vd->kind == IR_VAL_PARAM && !c->live_param[v]) {
        c->live_param[v] = 1;
        ir_vec_push(&c->work, v | PARAM_BIT);
    }
}

/* A live instruction needs its operands, but not its branch arguments. */
static void mark_inst(dce *c, uint32_t i)
{
    ir_function *f = c->o->f;
    const ir_inst_data *in = &f->insts.v[i];
    for (uint32_t k = 0; k < in->nargs; k++)
        mark_value(c, ir_inst_args(f, i)[k]);
    if (!(ir_opcodes[in->op].flags & IR_OPF_BRANCH))
        return;
    for (uint32_t k = 0, n = opt_dest_count(f, i); k < n; k++)
        if (!opt_dest_slot(f, i, k))    /* exception-table context value */
            mark_value(c, f->pool.v[(uint32_t)in->imm + 3 + 3 * (k - 1) + 1]);
}

/* A live parameter needs the argument every edge into its block passes. */
static void mark_param(dce *c, uint32_t v)
{
    opt_fn *o = c->o;
    ir_function *f = o->f;
    uint32_t b = f->values.v[v].def, idx = f->values.v[v].num;
    for (uint32_t k = o->pred_off[b]; k < o->pred_off[b + 1]; k++) {
        uint32_t br = f->blocks.v[o->pred[k]].last;
        for (uint32_t d = 0, n = opt_dest_count(f, br); d < n; d++) {
            uint32_t *slot = opt_dest_slot(f, br, d);
            if (!slot || f->pool.v[*slot] != b)
                continue;
            uint32_t a = f->pool.v[*slot + 2 + idx];
            if (IR_BLOCKARG_KIND(a) == IR_BLOCKARG_VALUE)
                mark_value(c, a);
        }
    }
}

/* Drop the dead parameters of b and their arguments on every edge. */
static void drop_params(dce *c, uint32_t b)
{
    opt_fn *o = c->o;
    ir_function *f = o->f;
    ir_block_data *bd = &f->blocks.v[b];
    uint32_t np = bd->nparams, keep = 0;
    for (uint32_t k = 0; k < np; k++)
        keep += c->live_param[f->pool.v[bd->params + k]];
    if (keep == np)
        return;
    for (uint32_t k = o->pred_off[b]; k < o->pred_off[b + 1]; k++) {
        ir_opcode op = f->insts.v[f->blocks.v[o->pred[k]].last].op;
        if (op == IR_OP_try_call || op == IR_OP_try_call_indirect)
            return;     /* normal-return and handler blocks keep their shape */
    }
    for (uint32_t k = o->pred_off[b]; k < o->pred_off[b + 1]; k++) {
        uint32_t br = f->blocks.v[o->pred[k]].last;
        for (uint32_t d = 0, n = opt_dest_count(f, br); d < n; d++) {
            uint32_t *slot = opt_dest_slot(f, br, d);
            if (!slot || f->pool.v[*slot] != b || f->pool.v[*slot + 1] != np)
                continue;   /* another target, or this call done already */
            uint32_t bc = *slot, m = 0;
            for (uint32_t j = 0; j < np; j++)
                if (c->live_param[f->pool.v[bd->params + j]])
                    f->pool.v[bc + 2 + m++] = f->pool.v[bc + 2 + j];
            f->pool.v[bc + 1] = m;
        }
    }
    uint32_t m = 0;
    for (uint32_t j = 0; j < np; j++) {
        uint32_t v = f->pool.v[bd->params + j];
        if (c->live_param[v]) {
            f->values.v[v].num = m;
            f->pool.v[bd->params + m++] = v;
        } else {
            f->values.v[v].kind = IR_VAL_UNUSED;
        }
    }
    bd->nparams = m;
}

bool opt_dce(opt_fn *o)
{
    ir_function *f = o->f;
    dce c = {.o = o, .live = calloc(f->insts.n + 1, 1), .live_param = calloc(f->values.n + 1, 1)};
    if (!c.live || !c.live_param) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    uint32_t entry = f->layout.v[0];
    for (uint32_t k = 0; k < f->blocks.v[entry].nparams; k++)   /* the signature's */
        c.live_param[f->pool.v[f->blocks.v[entry].params + k]] = 1;
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        for (uint32_t i = f->blocks.v[b].first; i != IR_NONE; i = f->insts.v[i].next)
            if (opt_has_side_effect(f, i)) {
                c.live[i] = 1;
                ir_vec_push(&c.work, i);
            }
        /* a try_call's blocks keep their shape (drop_params): their
         * parameters are live, and so what every edge passes them */
        uint32_t last = f->blocks.v[b].last;
        ir_opcode op = last != IR_NONE ? f->insts.v[last].op : IR_OP_COUNT;
        if (op != IR_OP_try_call && op != IR_OP_try_call_indirect)
            continue;
        for (uint32_t d = 0, n = opt_dest_count(f, last); d < n; d++) {
            const uint32_t *slot = opt_dest_slot(f, last, d);
            const ir_block_data *to = slot ? &f->blocks.v[f->pool.v[*slot]] : NULL;
            for (uint32_t k = 0; to && k < to->nparams; k++)
                mark_value(&c, f->pool.v[to->params + k]);
        }
    }
    while (c.work.n) {
        uint32_t w = c.work.v[--c.work.n];
        if (w & PARAM_BIT)
            mark_param(&c, w & ~PARAM_BIT);
        else
            mark_inst(&c, w);
    }
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        if (b != entry)
            drop_params(&c, b);
        for (uint32_t i = f->blocks.v[b].first, nx; i != IR_NONE; i = nx) {
            nx = f->insts.v[i].next;
            if (!c.live[i])
                ir_inst_remove(f, i);
        }
    }
    free(c.live);
    free(c.live_param);
    ir_vec_free(&c.work);
    return true;
}
