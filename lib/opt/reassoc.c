/* Reassociation of the chains a loop carries (licm.c calls it loop by
 * loop, after hoisting and strength reduction, with fold's pass on).
 *
 * A header parameter p that every back edge passes as s, where s is the
 * root of a tree of one operation (iadd, imul, band, bor, bxor: associative
 * and commutative in wrapping arithmetic) on one type, whose inner nodes are
 * in the loop with one use each and p one of its leaves below the root's
 * own operands: from one iteration's p to the next the chain is as long as
 * p's depth.  The root becomes `(the other leaves, combined first) op p`,
 * one operation on the chain; the old inner nodes are left to dce.
 * Typical is a sum a frontend writes as `s = s + x + y`, (s + x) + y: the
 * loop then runs at one add per iteration instead of two.
 *
 * Exactness: the same value for every input, the operations wrap.
 * Work: the loop's instructions, per loop; MAX_LEAVES bounds each tree. */
#include "internal.h"

enum { MAX_LEAVES = 8 };

struct opt_reassoc {
    uint32_t *stamp, *uses;     /* per value: uses in the loop stamp[v] */
    uint32_t n;
};

typedef struct ctx {
    opt_reassoc *s;
    ir_function *f;
    const uint32_t *bstamp;     /* per block: the loop it was last found in */
    uint32_t id, p, pdepth, np, n;
    uint32_t leaf[MAX_LEAVES];
} ctx;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

opt_reassoc *opt_reassoc_new(void)
{
    opt_reassoc *s = xrealloc(NULL, sizeof *s);
    *s = (opt_reassoc){0};
    return s;
}

void opt_reassoc_free(opt_reassoc *s)
{
    if (s) {
        free(s->stamp);
        free(s->uses);
    }
    free(s);
}

static uint32_t *uses_of(ctx *c, uint32_t v)
{
    opt_reassoc *s = c->s;
    if (v >= s->n) {
        uint32_t n = c->f->values.n + c->f->values.n / 2 + 16;
        s->stamp = xrealloc(s->stamp, n * sizeof *s->stamp);
        s->uses = xrealloc(s->uses, n * sizeof *s->uses);
        for (uint32_t k = s->n; k < n; k++)
            s->stamp[k] = IR_NONE;
        s->n = n;
    }
    if (s->stamp[v] != c->id)
        s->stamp[v] = c->id, s->uses[v] = 0;
    return &s->uses[v];
}

static void count_use(void *arg, uint32_t *slot)
{
    ctx *c = arg;
    ++*uses_of(c, ir_value_resolve(c->f, *slot));
}

static bool assoc_op(unsigned op)
{
    return op == IR_OP_iadd || op == IR_OP_imul || op == IR_OP_band || op == IR_OP_bor || op == IR_OP_bxor;
}

/* The leaves of the tree of op under instruction i (its operands at depth
 * d): false if there are too many or p is among them more than once. */
static bool leaves(ctx *c, uint32_t i, unsigned op, ir_type t, uint32_t d)
{
    ir_function *f = c->f;
    for (unsigned k = 0; k < 2; k++) {
        uint32_t v = ir_value_resolve(f, ir_inst_args(f, i)[k]), def = opt_value_def(f, v);
        if (v != c->p && def != IR_NONE && f->insts.v[def].op == op && f->values.v[v].type == t &&
            c->bstamp[f->insts.v[def].block] == c->id && *uses_of(c, v) == 1) {
            if (!leaves(c, def, op, t, d + 1))
                return false;
            continue;
        }
        if (c->n == MAX_LEAVES || (v == c->p && c->np++))
            return false;
        if (v == c->p)
            c->pdepth = d;
        c->leaf[c->n++] = v;
    }
    return true;
}

/* The value every back edge of h passes for parameter k, IR_NONE if they
 * differ. */
static uint32_t carried(const opt_fn *o, uint32_t h, uint32_t ph, uint32_t k)
{
    ir_function *f = o->f;
    uint32_t s = IR_NONE;
    for (uint32_t e = o->pred_off[h]; e < o->pred_off[h + 1]; e++) {
        uint32_t q = o->pred[e], br = f->blocks.v[q].last;
        if (q == ph)
            continue;
        for (uint32_t d = 0, n = opt_dest_count(f, br); d < n; d++) {
            uint32_t *slot = opt_dest_slot(f, br, d);
            if (!slot)
                return IR_NONE;
            if (f->pool.v[*slot] != h)
                continue;
            uint32_t a = f->pool.v[*slot + 2 + k];
            if (IR_BLOCKARG_KIND(a) != IR_BLOCKARG_VALUE)
                return IR_NONE;     /* a try_call's ret0 or exn0: no value */
            uint32_t v = ir_value_resolve(f, a);
            if (s != IR_NONE && s != v)
                return IR_NONE;
            s = v;
        }
    }
    return s;
}

void opt_reassoc_loop(opt_fn *o, opt_reassoc *s, uint32_t h, uint32_t ph, const uint32_t *stamp, uint32_t id,
                      const uint64_t *order, uint32_t nbody)
{
    ir_function *f = o->f;
    ctx c = {.s = s, .f = f, .bstamp = stamp, .id = id};
    bool counted = false;
    for (uint32_t k = 0; k < f->blocks.v[h].nparams; k++) {
        uint32_t p = f->pool.v[f->blocks.v[h].params + k], v = carried(o, h, ph, k);
        uint32_t r = v == IR_NONE ? IR_NONE : opt_value_def(f, v);
        if (r == IR_NONE || !assoc_op(f->insts.v[r].op) || stamp[f->insts.v[r].block] != id ||
            f->insts.v[r].nargs != 2)
            continue;
        if (!counted) {     /* uses in the loop, once */
            for (uint32_t b = 0; b < nbody; b++)
                for (uint32_t i = f->blocks.v[(uint32_t)order[b]].first; i != IR_NONE; i = f->insts.v[i].next)
                    opt_each_operand(f, i, count_use, &c);
            counted = true;
        }
        unsigned op = f->insts.v[r].op;
        ir_type t = f->values.v[v].type;
        c.p = p, c.np = 0, c.n = 0, c.pdepth = 0;
        if (!leaves(&c, r, op, t, 1) || c.np != 1 || c.pdepth < 2)
            continue;
        uint32_t acc = IR_NONE;
        for (uint32_t j = 0; j < c.n; j++) {
            if (c.leaf[j] == p)
                continue;
            if (acc == IR_NONE) {
                acc = c.leaf[j];
                continue;
            }
            uint32_t args[2] = {acc, c.leaf[j]};
            uint32_t i = ir_inst_new(f, r, op, t, 2, args);    /* the pool may move */
            acc = ir_inst_results(f, i)[0];
        }
        uint32_t args[2] = {acc, p};
        opt_set_args(f, r, 2, args);
        o->changed = true;
    }
}
