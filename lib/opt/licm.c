/* Loop-invariant code motion.  Natural loops come from back edges (a block
 * jumping to one that dominates it).  Each loop first gets a preheader: the
 * one block outside it that jumps to its header and nowhere else, or a new
 * block taking the header's parameters and passing them on, which every
 * entering edge is redirected to.  Then, innermost loops first, each
 * instruction whose operands are all defined outside the loop moves to the
 * end of the preheader if it is pure and cannot trap:
 *  - pure operations (no memory, no trap);
 *  - divisions by a constant that is neither 0 nor (signed) -1;
 *  - loads of `readonly notrap` memory with `can_move`, or in the header
 *    ahead of anything with an effect (the header runs right after the
 *    preheader, so the load would run there anyway).
 * Anything that may trap stays where it is: moving it to the preheader would
 * trap on a path that never reached it (a loop that runs zero times).
 * Work is the sum of the loop sizes (nesting depth times the function at
 * worst). */
#include "internal.h"

#include <string.h>

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

/* ---- preheaders ---------------------------------------------------------------- */

static bool is_header(const opt_fn *o, uint32_t h)
{
    for (uint32_t k = o->pred_off[h]; k < o->pred_off[h + 1]; k++)
        if (opt_block_dominates(o, h, o->pred[k]))
            return true;
    return false;
}

/* The one outside predecessor ending in `jump h`, or IR_NONE. */
static uint32_t existing_preheader(const opt_fn *o, uint32_t h)
{
    const ir_function *f = o->f;
    uint32_t p = IR_NONE;
    for (uint32_t k = o->pred_off[h]; k < o->pred_off[h + 1]; k++) {
        uint32_t q = o->pred[k];
        if (opt_block_dominates(o, h, q))
            continue;
        if (p != IR_NONE)
            return IR_NONE;     /* two entering edges (perhaps from one block) */
        p = q;
    }
    if (p == IR_NONE || f->insts.v[f->blocks.v[p].last].op != IR_OP_jump)
        return IR_NONE;
    return p;
}

static uint32_t make_preheader(opt_fn *o, uint32_t h)
{
    ir_function *f = o->f;
    ir_block_data nbd;
    memset(&nbd, 0, sizeof nbd);
    nbd.first = nbd.last = IR_NONE;
    nbd.in_layout = true;
    nbd.line = f->blocks.v[h].line;
    nbd.col = f->blocks.v[h].col;
    ir_vec_push(&f->blocks, nbd);
    uint32_t ph = f->blocks.n - 1, np = f->blocks.v[h].nparams;
    uint32_t params = f->pool.n;
    for (uint32_t k = 0; k < np; k++) {
        ir_type t = f->values.v[f->pool.v[f->blocks.v[h].params + k]].type;
        uint32_t v = ir_value_new(f, IR_VAL_PARAM, t, ph, k);
        ir_vec_push(&f->pool, v);
    }
    f->blocks.v[ph].params = params;
    f->blocks.v[ph].nparams = np;
    uint32_t j = ir_inst_append(f, ph);
    uint32_t call = f->pool.n;
    ir_vec_push(&f->pool, h);
    ir_vec_push(&f->pool, np);
    for (uint32_t k = 0; k < np; k++)
        ir_vec_push(&f->pool, f->pool.v[params + k]);
    ir_inst_data *jd = &f->insts.v[j];
    jd->op = IR_OP_jump;
    jd->ent = call;
    jd->line = f->blocks.v[h].line;
    jd->col = f->blocks.v[h].col;
    /* every entering edge now goes to the preheader */
    for (uint32_t k = o->pred_off[h]; k < o->pred_off[h + 1]; k++) {
        uint32_t q = o->pred[k];
        if (opt_block_dominates(o, h, q))
            continue;
        uint32_t br = f->blocks.v[q].last;
        for (uint32_t d = 0, n = opt_dest_count(f, br); d < n; d++) {
            uint32_t *slot = opt_dest_slot(f, br, d);
            if (slot && f->pool.v[*slot] == h)
                f->pool.v[*slot] = ph;
        }
    }
    return ph;
}

/* Give every loop a preheader; the layout puts a new one right before its
 * header.  Returns the number of blocks added (they are numbered from the
 * old block count up). */
static uint32_t add_preheaders(opt_fn *o)
{
    ir_function *f = o->f;
    uint32_t nb = o->nb, added = 0;
    uint32_t *before = xmalloc(nb * sizeof *before);
    for (uint32_t b = 0; b < nb; b++)
        before[b] = IR_NONE;
    uint32_t entry = f->layout.v[0];
    for (uint32_t k = 0; k < o->nrpo; k++) {
        uint32_t h = o->rpo[k];
        if (h == entry || !is_header(o, h) || existing_preheader(o, h) != IR_NONE)
            continue;
        before[h] = make_preheader(o, h);
        added++;
    }
    if (added) {
        uint32_t n = f->layout.n;
        uint32_t *old = xmalloc(n * sizeof *old);
        memcpy(old, f->layout.v, n * sizeof *old);
        f->layout.n = 0;
        for (uint32_t k = 0; k < n; k++) {
            if (before[old[k]] != IR_NONE)
                ir_vec_push(&f->layout, before[old[k]]);
            ir_vec_push(&f->layout, old[k]);
        }
        free(old);
    }
    free(before);
    return added;
}

/* A new preheader that got nothing is only a jump: its predecessors go
 * straight to the header again (its jump passes its parameters on in
 * order, so their arguments fit the header as they are). */
static bool drop_empty_preheaders(opt_fn *o, uint32_t from)
{
    ir_function *f = o->f;
    bool dropped = false;
    for (uint32_t ph = from; ph < f->blocks.n; ph++) {
        ir_block_data *bd = &f->blocks.v[ph];
        if (!bd->in_layout || bd->first != bd->last)
            continue;
        uint32_t h = f->pool.v[f->insts.v[bd->first].ent];
        for (uint32_t k = o->pred_off[ph]; k < o->pred_off[ph + 1]; k++) {
            uint32_t br = f->blocks.v[o->pred[k]].last;
            for (uint32_t d = 0, n = opt_dest_count(f, br); d < n; d++) {
                uint32_t *slot = opt_dest_slot(f, br, d);
                if (slot && f->pool.v[*slot] == ph)
                    f->pool.v[*slot] = h;
            }
        }
        ir_inst_remove(f, bd->first);
        f->blocks.v[ph].in_layout = false;
        dropped = true;
    }
    if (dropped) {
        uint32_t n = 0;
        for (uint32_t k = 0; k < f->layout.n; k++)
            if (f->blocks.v[f->layout.v[k]].in_layout)
                f->layout.v[n++] = f->layout.v[k];
        f->layout.n = n;
    }
    return dropped;
}

/* ---- hoisting ------------------------------------------------------------------- */

static bool div_cannot_trap(const ir_function *f, uint32_t i)
{
    const ir_inst_data *in = &f->insts.v[i];
    opt_u128 c;
    if (!opt_const_of(f, ir_inst_args(f, i)[1], &c) || c == 0)
        return false;
    if (in->op == IR_OP_udiv || in->op == IR_OP_urem)
        return true;
    unsigned n = ir_type_bits(in->type);
    opt_u128 m = n >= 128 ? ~(opt_u128)0 : ((opt_u128)1 << n) - 1;
    return c != m;  /* -1: INT_MIN / -1 traps */
}

static bool movable(const ir_function *f, uint32_t i, bool header_clean)
{
    const ir_inst_data *in = &f->insts.v[i];
    if (in->nres == 0)
        return false;
    if (opt_is_pure(f, i))
        return true;
    switch (in->op) {
    case IR_OP_udiv: case IR_OP_sdiv: case IR_OP_urem: case IR_OP_srem:
        return div_cannot_trap(f, i);
    case IR_OP_load: case IR_OP_uload8: case IR_OP_sload8: case IR_OP_uload16: case IR_OP_sload16:
    case IR_OP_uload32: case IR_OP_sload32:
        return (in->mf.bits & IR_MF_READONLY) && in->mf.trap == IR_TRAP_NONE && !(in->type & IR_TYPE_DYNAMIC) &&
               ((in->mf.bits & IR_MF_CAN_MOVE) || header_clean);
    default:
        return false;
    }
}

static void link_before(ir_function *f, uint32_t i, uint32_t before)
{
    uint32_t b = f->insts.v[before].block, prev = f->insts.v[before].prev;
    ir_inst_data *in = &f->insts.v[i];
    in->block = b;
    in->prev = prev;
    in->next = before;
    f->insts.v[before].prev = i;
    if (prev != IR_NONE)
        f->insts.v[prev].next = i;
    else
        f->blocks.v[b].first = i;
}

typedef struct licm {
    opt_fn *o;
    uint32_t *stamp;        /* per block: the loop it was last found in */
    uint32_t *body;         /* blocks of the current loop */
    uint64_t *order;        /* (reverse postorder number, block) of the body */
    uint32_t *work;
    opt_iv *iv;             /* strength reduction's state (OPT_STRENGTH), else NULL */
    opt_reassoc *ra;        /* reassociation's (OPT_FOLD), else NULL */
} licm;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool operands_outside(const licm *L, uint32_t i, uint32_t id)
{
    const ir_function *f = L->o->f;
    for (uint32_t k = 0; k < f->insts.v[i].nargs; k++) {
        uint32_t b = opt_value_block(f, ir_inst_args(f, i)[k]);
        if (b == IR_NONE || L->stamp[b] == id)
            return false;
    }
    return true;
}

static void hoist_loop(licm *L, uint32_t h, uint32_t id)
{
    opt_fn *o = L->o;
    ir_function *f = o->f;
    /* the body: h and every block reaching a latch without passing h */
    uint32_t nbody = 0, nw = 0;
    L->stamp[h] = id;
    L->body[nbody++] = h;
    for (uint32_t k = o->pred_off[h]; k < o->pred_off[h + 1]; k++) {
        uint32_t p = o->pred[k];
        if (opt_block_dominates(o, h, p) && L->stamp[p] != id) {
            L->stamp[p] = id;
            L->body[nbody++] = p;
            L->work[nw++] = p;
        }
    }
    while (nw) {
        uint32_t b = L->work[--nw];
        for (uint32_t k = o->pred_off[b]; k < o->pred_off[b + 1]; k++) {
            uint32_t p = o->pred[k];
            if (o->rpo_num[p] != IR_NONE && L->stamp[p] != id) {
                L->stamp[p] = id;
                L->body[nbody++] = p;
                L->work[nw++] = p;
            }
        }
    }
    uint32_t ph = existing_preheader(o, h);
    if (ph == IR_NONE)
        return;
    for (uint32_t k = 0; k < nbody; k++)     /* defs before uses: reverse postorder */
        L->order[k] = (uint64_t)o->rpo_num[L->body[k]] << 32 | L->body[k];
    qsort(L->order, nbody, sizeof *L->order, cmp_u64);
    uint32_t term = f->blocks.v[ph].last;
    for (uint32_t k = 0; k < nbody; k++) {
        uint32_t b = (uint32_t)L->order[k];
        bool clean = b == h;    /* nothing with an effect yet in the header */
        for (uint32_t i = f->blocks.v[b].first, nx; i != IR_NONE; i = nx) {
            nx = f->insts.v[i].next;
            if (movable(f, i, clean) && operands_outside(L, i, id)) {
                ir_inst_remove(f, i);
                link_before(f, i, term);
                o->changed = true;
                continue;
            }
            if (opt_has_side_effect(f, i))
                clean = false;
        }
    }
    if (L->iv)
        opt_iv_loop(o, L->iv, h, ph, L->stamp, id, L->order, nbody);
    if (L->ra)
        opt_reassoc_loop(o, L->ra, h, ph, L->stamp, id, L->order, nbody);
}

bool opt_licm(opt_fn *o)
{
    if (!o->nrpo)
        return true;
    ir_function *f = o->f;
    uint32_t old_nb = f->blocks.n, added = add_preheaders(o);
    if (added)
        opt_cfg_build(o);
    uint32_t nb = o->nb;
    licm L = {.o = o, .stamp = xmalloc(nb * sizeof *L.stamp), .body = xmalloc(nb * sizeof *L.body),
              .work = xmalloc(nb * sizeof *L.work), .order = xmalloc(nb * sizeof *L.order),
              .iv = (o->passes & OPT_STRENGTH) ? opt_iv_new() : NULL,
              .ra = (o->passes & OPT_FOLD) ? opt_reassoc_new() : NULL};
    for (uint32_t b = 0; b < nb; b++)
        L.stamp[b] = IR_NONE;
    uint32_t entry = f->layout.v[0];
    /* inner loops first: an inner header comes later in reverse postorder */
    for (uint32_t k = o->nrpo; k-- > 0;) {
        uint32_t h = o->rpo[k];
        if (h != entry && is_header(o, h))
            hoist_loop(&L, h, k);
    }
    free(L.stamp);
    free(L.body);
    free(L.work);
    free(L.order);
    opt_iv_free(L.iv);
    opt_reassoc_free(L.ra);
    if (added) {
        drop_empty_preheaders(o, old_nb);
        opt_cfg_build(o);
    }
    return true;
}
