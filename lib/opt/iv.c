/* Strength reduction of induction variables, loop by loop (licm.c calls it
 * after hoisting, innermost loops first).
 *
 * A basic induction variable is a header parameter p that every back edge
 * passes as `p + C` (iadd or isub of a constant).  A value derived from p by
 * iadd/isub of a loop invariant, imul by a constant or ishl by a constant is
 * affine in p: f*p + b, modulo 2^bits, so it too steps by f*C each
 * iteration.  Such a value d that something other than another affine
 * derivation uses, and that costs two or more instructions to compute from
 * p (a multiply counts three), becomes a header parameter of its own: the
 * preheader computes its first value (the derivation again, on p's initial
 * value) and each back edge passes `q + f*C`.  Typical: the address
 * arithmetic ((i * 32 + k) * 4 + 4096) of a naive frontend's array access
 * becomes one add per iteration.
 *
 * Exactness: every operation is on the one integer type, wrapping, so the
 * identity d = f*p + b holds modulo 2^bits whatever the values; q equals d
 * at every point of an iteration, and after the loop on any path that
 * computed d in its last iteration (the only paths on which d is used).
 * Work: the loop's instructions, per loop (as hoisting). */
#include "internal.h"

#include <string.h>

enum { MAX_NEW = 4 };   /* new parameters per loop: each takes a register */

typedef struct aff {
    uint32_t stamp;     /* the loop this entry is for */
    uint32_t iv;        /* the basic induction variable (a header parameter) */
    uint64_t factor;    /* d = factor * iv + (invariant), modulo 2^bits */
    uint32_t src, other;/* the affine operand, the other one */
    uint16_t op;        /* the instruction deriving it (0 for the iv itself) */
    uint8_t swap;       /* the affine operand is the second */
    uint8_t derived;    /* not the iv itself */
    uint8_t cost;       /* instructions to compute it from iv (imul: 3) */
    uint32_t uses, aff_uses;    /* uses in the loop, by affine derivations */
    uint32_t init;      /* its value on entry, in the preheader (IR_NONE: not yet) */
    uint64_t step;      /* for an iv: C */
} aff;

struct opt_iv {
    aff *a;
    uint32_t n;
};

opt_iv *opt_iv_new(void)
{
    opt_iv *s = calloc(1, sizeof *s);
    if (!s) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    return s;
}

void opt_iv_free(opt_iv *s)
{
    if (s)
        free(s->a);
    free(s);
}

static aff *at(opt_iv *s, const ir_function *f, uint32_t v)
{
    if (v >= s->n) {
        uint32_t n = f->values.n + f->values.n / 2 + 16;
        aff *a = realloc(s->a, n * sizeof *a);
        if (!a) {
            fputs("clifrun: out of memory\n", stderr);
            exit(3);
        }
        for (uint32_t k = s->n; k < n; k++)
            a[k].stamp = IR_NONE;
        s->a = a, s->n = n;
    }
    return &s->a[v];
}

static bool int_scalar(ir_type t) { return t >= IR_I8 && t <= IR_I64; }

static uint64_t mask_of(ir_type t)
{
    unsigned b = ir_type_bits(t);
    return b >= 64 ? ~0ull : (1ull << b) - 1;
}

typedef struct ctx {
    opt_fn *o;
    opt_iv *s;
    uint32_t id, h, ph;
    const uint32_t *stamp;
} ctx;

static bool in_loop(const ctx *c, uint32_t v)
{
    uint32_t b = opt_value_block(c->o->f, v);
    return b != IR_NONE && c->stamp[b] == c->id;
}

/* The affine entry of v for this loop, or NULL. */
static aff *affine(ctx *c, uint32_t v)
{
    aff *e = at(c->s, c->o->f, v);
    return e->stamp == c->id && e->iv != IR_NONE ? e : NULL;
}

static void count_use(void *arg, uint32_t *slot)
{
    ctx *c = arg;
    ir_function *f = c->o->f;
    uint32_t v = ir_value_resolve(f, *slot);
    aff *e = at(c->s, f, v);
    if (e->stamp != c->id)
        *e = (aff){.stamp = c->id, .iv = IR_NONE, .init = IR_NONE};
    e->uses++;
}

/* The argument block call `bc` (a pool offset) passes for parameter k. */
static uint32_t call_arg(const ir_function *f, uint32_t bc, uint32_t k)
{
    return ir_value_resolve(f, f->pool.v[bc + 2 + k]);
}

/* The header's parameter k is a basic iv: its step, and its initial value. */
static bool basic_iv(ctx *c, uint32_t k, uint64_t *step, uint32_t *init)
{
    opt_fn *o = c->o;
    ir_function *f = o->f;
    uint32_t p = f->pool.v[f->blocks.v[c->h].params + k], s = IR_NONE;
    ir_type t = f->values.v[p].type;
    if (!int_scalar(t))
        return false;
    *init = IR_NONE;
    for (uint32_t e = o->pred_off[c->h]; e < o->pred_off[c->h + 1]; e++) {
        uint32_t q = o->pred[e], br = f->blocks.v[q].last;
        for (uint32_t d = 0, n = opt_dest_count(f, br); d < n; d++) {
            uint32_t *slot = opt_dest_slot(f, br, d);
            if (!slot || f->pool.v[*slot] != c->h)
                continue;
            uint32_t v = call_arg(f, *slot, k);
            if (q == c->ph)
                *init = v;
            else if (s == IR_NONE)
                s = v;
            else if (s != v)
                return false;
        }
    }
    uint32_t d = opt_value_def(f, s);
    if (*init == IR_NONE || d == IR_NONE)
        return false;
    const ir_inst_data *in = &f->insts.v[d];
    const uint32_t *a = ir_inst_args(f, d);
    opt_u128 cv;
    if (in->op == IR_OP_iadd && ir_value_resolve(f, a[0]) == p && opt_const_of(f, a[1], &cv))
        *step = (uint64_t)cv;
    else if (in->op == IR_OP_iadd && ir_value_resolve(f, a[1]) == p && opt_const_of(f, a[0], &cv))
        *step = (uint64_t)cv;
    else if (in->op == IR_OP_isub && ir_value_resolve(f, a[0]) == p && opt_const_of(f, a[1], &cv))
        *step = -(uint64_t)cv;
    else
        return false;
    *step &= mask_of(t);
    return *step != 0;
}

/* An operand the derivation may take as it is: a constant, or a value
 * defined outside the loop. */
static bool invariant(const ctx *c, uint32_t v)
{
    opt_u128 cv;
    return opt_const_of(c->o->f, v, &cv) || !in_loop(c, v);
}

/* What instruction i derives, if affine: fills its entry. */
static void derive(ctx *c, uint32_t i)
{
    ir_function *f = c->o->f;
    const ir_inst_data *in = &f->insts.v[i];
    if (in->nres != 1 || in->nargs != 2)
        return;
    at(c->s, f, f->values.n - 1);  /* room for every value: the pointers below stay */
    unsigned op = in->op;
    if (op != IR_OP_iadd && op != IR_OP_isub && op != IR_OP_imul && op != IR_OP_ishl)
        return;
    uint32_t r = ir_inst_results(f, i)[0];
    ir_type t = f->values.v[r].type;
    if (!int_scalar(t))
        return;
    uint32_t a0 = ir_value_resolve(f, ir_inst_args(f, i)[0]), a1 = ir_value_resolve(f, ir_inst_args(f, i)[1]);
    aff *x = affine(c, a0), *y = op == IR_OP_ishl ? NULL : affine(c, a1);
    if (!x == !y)
        return;     /* neither, or both (not tracked) */
    bool swap = !x;
    uint32_t src = swap ? a1 : a0, other = swap ? a0 : a1;
    aff *e = swap ? y : x;
    if (f->values.v[src].type != t || !invariant(c, other))
        return;
    uint64_t factor = e->factor, m = mask_of(t);
    unsigned cost = e->cost + 1u;
    opt_u128 cv;
    switch (op) {
    case IR_OP_iadd:
        break;
    case IR_OP_isub:
        if (swap)
            factor = -factor;
        break;
    case IR_OP_imul:
        if (!opt_const_of(f, other, &cv))
            return;
        factor *= (uint64_t)cv;
        cost += 2;
        break;
    default:    /* ishl: the amount masked to the width */
        if (!opt_const_of(f, other, &cv))
            return;
        factor <<= (unsigned)cv & (ir_type_bits(t) - 1);
        break;
    }
    uint32_t iv = e->iv;
    e->aff_uses++;
    aff *d = at(c->s, f, r);   /* may move the array */
    if (d->stamp != c->id)
        *d = (aff){.stamp = c->id, .init = IR_NONE};
    d->iv = iv, d->factor = factor & m, d->src = src, d->other = other, d->op = (uint16_t)op;
    d->swap = swap, d->derived = 1, d->cost = (uint8_t)(cost > 200 ? 200 : cost);
}

/* d's value on entry, computed at the end of the preheader. */
static uint32_t init_of(ctx *c, uint32_t v)
{
    ir_function *f = c->o->f;
    aff e = *at(c->s, f, v);
    if (e.init != IR_NONE)
        return e.init;
    uint32_t src = init_of(c, e.src), other = e.other, term = f->blocks.v[c->ph].last;
    opt_u128 cv;
    if (opt_const_of(f, other, &cv))     /* it may be defined in the loop */
        other = opt_new_iconst(f, term, f->values.v[other].type, (uint64_t)cv);
    uint32_t args[2] = {src, other};
    if (e.swap)
        args[0] = other, args[1] = src;
    uint32_t i = ir_inst_new(f, term, e.op, f->values.v[v].type, 2, args);
    uint32_t r = ir_inst_results(f, i)[0];
    at(c->s, f, v)->init = r;
    return r;
}

/* Give block call `*slot` (to the header) one more argument. */
static void extend_call(ir_function *f, uint32_t br, uint32_t d, uint32_t v)
{
    uint32_t bc = *opt_dest_slot(f, br, d), na = f->pool.v[bc + 1], start = f->pool.n;
    ir_vec_reserve(&f->pool, 3 + na);
    f->pool.v[f->pool.n++] = f->pool.v[bc];
    f->pool.v[f->pool.n++] = na + 1;
    for (uint32_t j = 0; j < na; j++)
        f->pool.v[f->pool.n++] = f->pool.v[bc + 2 + j];
    f->pool.v[f->pool.n++] = v;
    *opt_dest_slot(f, br, d) = start;
}

static void reduce(ctx *c, uint32_t v)
{
    opt_fn *o = c->o;
    ir_function *f = o->f;
    aff e = *at(c->s, f, v);
    ir_type t = f->values.v[v].type;
    uint64_t step = (e.factor * at(c->s, f, e.iv)->step) & mask_of(t);
    if (!step)
        return;     /* invariant after all: hoisting's business */
    uint32_t init = init_of(c, v);
    /* the new header parameter */
    ir_block_data *hb = &f->blocks.v[c->h];
    uint32_t np = hb->nparams, start = f->pool.n;
    uint32_t q = ir_value_new(f, IR_VAL_PARAM, t, c->h, np);
    for (uint32_t k = 0; k < np; k++)
        ir_vec_push(&f->pool, f->pool.v[f->blocks.v[c->h].params + k]);
    ir_vec_push(&f->pool, q);
    f->blocks.v[c->h].params = start;
    f->blocks.v[c->h].nparams = np + 1;
    /* every edge into the header passes it: the initial value, or q + step */
    uint32_t sc = opt_new_iconst(f, f->blocks.v[c->ph].last, t, step);
    for (uint32_t k = o->pred_off[c->h]; k < o->pred_off[c->h + 1]; k++) {
        uint32_t b = o->pred[k], br = f->blocks.v[b].last;
        if (k > o->pred_off[c->h] && o->pred[k - 1] == b)
            continue;   /* a block once: all its edges done below */
        uint32_t next = init;
        if (b != c->ph) {
            uint32_t args[2] = {q, sc};
            uint32_t i = ir_inst_new(f, br, IR_OP_iadd, t, 2, args);  /* the pool may move */
            next = ir_inst_results(f, i)[0];
        }
        for (uint32_t d = 0, n = opt_dest_count(f, br); d < n; d++) {
            uint32_t *slot = opt_dest_slot(f, br, d);
            if (slot && f->pool.v[*slot] == c->h && f->pool.v[*slot + 1] == np)
                extend_call(f, br, d, next);
        }
    }
    uint32_t def = opt_value_def(f, v);
    ir_value_replace(f, v, q);
    ir_inst_remove(f, def);
    o->changed = true;
}

void opt_iv_loop(opt_fn *o, opt_iv *s, uint32_t h, uint32_t ph, const uint32_t *stamp, uint32_t id,
                 const uint64_t *order, uint32_t nbody)
{
    ir_function *f = o->f;
    ctx c = {.o = o, .s = s, .id = id, .h = h, .ph = ph, .stamp = stamp};
    /* the back edges must be plain branches: their arguments are values */
    for (uint32_t k = o->pred_off[h]; k < o->pred_off[h + 1]; k++) {
        unsigned op = f->insts.v[f->blocks.v[o->pred[k]].last].op;
        if (op != IR_OP_jump && op != IR_OP_brif && op != IR_OP_br_table)
            return;
    }
    bool any = false;
    for (uint32_t k = 0; k < f->blocks.v[h].nparams; k++) {
        uint64_t step;
        uint32_t init;
        if (!basic_iv(&c, k, &step, &init))
            continue;
        uint32_t p = f->pool.v[f->blocks.v[h].params + k];
        aff *e = at(s, f, p);
        *e = (aff){.stamp = id, .iv = p, .factor = 1, .init = init, .step = step};
        any = true;
    }
    if (!any)
        return;
    /* uses in the loop and derivations, definitions before uses */
    for (uint32_t k = 0; k < nbody; k++)
        for (uint32_t i = f->blocks.v[(uint32_t)order[k]].first; i != IR_NONE; i = f->insts.v[i].next) {
            derive(&c, i);
            opt_each_operand(f, i, count_use, &c);
        }
    uint32_t made = 0;
    for (uint32_t k = 0; k < nbody && made < MAX_NEW; k++)
        for (uint32_t i = f->blocks.v[(uint32_t)order[k]].first, nx; i != IR_NONE && made < MAX_NEW; i = nx) {
            nx = f->insts.v[i].next;
            if (f->insts.v[i].nres != 1)
                continue;
            uint32_t v = ir_inst_results(f, i)[0];
            aff *e = affine(&c, v);
            if (e && e->derived && e->cost >= 2 && e->uses > e->aff_uses) {
                reduce(&c, v);
                made++;
            }
        }
}
