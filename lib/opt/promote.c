/* Promotion of stack slots to SSA values (mem2reg), for code that keeps
 * every local in a stack slot.  A slot qualifies when no slot's address
 * escapes (opt_private_slots: nothing but its own loads and stores can see
 * it); then each offset of it that plain loads and stores access with one
 * type and byte order, overlapping no other, is one variable.  Classic SSA
 * construction: liveness of each variable, block parameters at the
 * iterated dominance frontier of its stores where it is live (pruned SSA),
 * then one walk of the dominator tree that replaces each load by the value
 * of the last store (the branch arguments carry it into parameters).  A
 * load before any store reads zero, as a fresh frame's slot would in the
 * interpreter; the slot's bytes are never observable otherwise.
 *
 * Cost: the dominance frontiers once, then blocks + edges per variable; a
 * budget stops promoting (never correctness) when a huge function with
 * many slots would make that quadratic. */
#include "internal.h"

#include <string.h>

typedef struct var {
    uint32_t slot, next;        /* the slot's next variable */
    int32_t offset;
    ir_type type;
    uint8_t endian;
    bool ok;
    IR_VEC(uint32_t) defs;      /* blocks storing it */
    IR_VEC(uint32_t) ue;        /* blocks loading it before any store */
    uint32_t zero;              /* its value before any store */
} var;

typedef struct promote {
    opt_fn *o;
    uint8_t *priv;
    uint32_t *var_of;           /* per slot, its first variable, IR_NONE if none */
    uint8_t *bad;               /* per slot: some access is not a whole variable */
    IR_VEC(var) vars;
    uint32_t *df_off, *df_end, *df; /* dominance frontiers */
    /* per block: the variables given a parameter, as (var, param) pairs */
    uint32_t *add_head;         /* first pair index, IR_NONE */
    IR_VEC(uint32_t) add;       /* triples: var, param, next */
    uint32_t *cur;              /* per variable: its value during the walk */
    IR_VEC(uint32_t) undo;      /* pairs: var, old value */
} promote;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

static bool promotable_type(ir_type t)
{
    return (t >= IR_I8 && t <= IR_I64) || t == IR_F32 || t == IR_F64;
}

/* The slot and offset a load or store reaches; IR_NONE if not private. */
static uint32_t slot_of(const promote *p, uint32_t inst, uint32_t addr, int64_t *off)
{
    const ir_function *f = p->o->f;
    uint32_t d = opt_value_def(f, addr);
    if (d == IR_NONE || f->insts.v[d].op != IR_OP_stack_addr || f->insts.v[d].ent >= f->stack_slots.n ||
        !p->priv[f->insts.v[d].ent])
        return IR_NONE;
    *off = f->insts.v[d].imm + f->insts.v[inst].imm;
    return f->insts.v[d].ent;
}

/* The variable a load or store reaches, IR_NONE if it is not one of them. */
static uint32_t var_of_access(const promote *p, uint32_t inst, uint32_t addr)
{
    int64_t off;
    uint32_t s = slot_of(p, inst, addr, &off);
    if (s == IR_NONE)
        return IR_NONE;
    for (uint32_t v = p->var_of[s]; v != IR_NONE; v = p->vars.v[v].next)
        if (p->vars.v[v].offset == off)
            return v;
    return IR_NONE;
}

static bool is_access(ir_opcode op)
{
    switch (op) {
    case IR_OP_load: case IR_OP_uload8: case IR_OP_sload8: case IR_OP_uload16: case IR_OP_sload16:
    case IR_OP_uload32: case IR_OP_sload32: case IR_OP_store: case IR_OP_istore8: case IR_OP_istore16:
    case IR_OP_istore32:
        return true;
    default:
        return false;
    }
}

/* Candidates: a variable per (private slot, offset) accessed whole by plain
 * loads and stores of one type; a slot with anything else (other widths,
 * overlapping variables, too many offsets) keeps all its bytes in memory. */
static void find_vars(promote *p)
{
    ir_function *f = p->o->f;
    uint32_t ns = f->stack_slots.n;
    p->var_of = xcalloc(ns + 1, sizeof *p->var_of);
    p->bad = xcalloc(ns + 1, 1);
    uint32_t *count = xcalloc(ns + 1, sizeof *count);
    for (uint32_t s = 0; s < ns; s++)
        p->var_of[s] = IR_NONE;
    for (uint32_t li = 0; li < f->layout.n; li++)
        for (uint32_t i = f->blocks.v[f->layout.v[li]].first; i != IR_NONE; i = f->insts.v[i].next) {
            const ir_inst_data *in = &f->insts.v[i];
            if (!is_access(in->op))
                continue;
            bool store = ir_opcodes[in->op].format == IR_FMT_Store;
            int64_t off;
            uint32_t s = slot_of(p, i, ir_inst_args(f, i)[store ? 1 : 0], &off);
            if (s == IR_NONE || p->bad[s])
                continue;
            uint8_t endian = in->mf.bits & (IR_MF_LITTLE | IR_MF_BIG);
            bool plain = in->op == IR_OP_load || in->op == IR_OP_store;
            ir_type t = opt_access_type(f, i);
            if (!plain || !promotable_type(t) || off != (int32_t)off) {
                p->bad[s] = 1;
                continue;
            }
            uint32_t v = var_of_access(p, i, ir_inst_args(f, i)[store ? 1 : 0]);
            if (v == IR_NONE) {
                if (++count[s] > 16) {
                    p->bad[s] = 1;
                    continue;
                }
                var nv;
                memset(&nv, 0, sizeof nv);
                nv.slot = s;
                nv.offset = (int32_t)off;
                nv.type = t;
                nv.endian = endian;
                nv.ok = true;
                nv.next = p->var_of[s];
                ir_vec_push(&p->vars, nv);
                p->var_of[s] = p->vars.n - 1;
            } else if (p->vars.v[v].type != t || p->vars.v[v].endian != endian) {
                p->bad[s] = 1;
            }
        }
    /* variables of one slot must not share bytes */
    for (uint32_t s = 0; s < ns; s++)
        for (uint32_t a = p->var_of[s]; a != IR_NONE && !p->bad[s]; a = p->vars.v[a].next)
            for (uint32_t b = p->vars.v[a].next; b != IR_NONE; b = p->vars.v[b].next) {
                const var *x = &p->vars.v[a], *y = &p->vars.v[b];
                if (x->offset < y->offset + (int32_t)ir_type_bytes(y->type) &&
                    y->offset < x->offset + (int32_t)ir_type_bytes(x->type))
                    p->bad[s] = 1;
            }
    for (uint32_t v = 0; v < p->vars.n; v++)
        if (p->bad[p->vars.v[v].slot])
            p->vars.v[v].ok = false;
    free(count);
}

/* Per variable, the blocks that store it and the ones that load it first. */
static void find_blocks(promote *p)
{
    ir_function *f = p->o->f;
    uint32_t *stored = xcalloc(p->vars.n + 1, sizeof *stored);   /* block + 1 */
    uint32_t *seen = xcalloc(p->vars.n + 1, sizeof *seen);
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        for (uint32_t i = f->blocks.v[b].first; i != IR_NONE; i = f->insts.v[i].next) {
            const ir_inst_data *in = &f->insts.v[i];
            if (in->op != IR_OP_load && in->op != IR_OP_store)
                continue;
            bool store = in->op == IR_OP_store;
            uint32_t v = var_of_access(p, i, ir_inst_args(f, i)[store ? 1 : 0]);
            if (v == IR_NONE || !p->vars.v[v].ok)
                continue;
            if (store && stored[v] != b + 1) {
                stored[v] = b + 1;
                ir_vec_push(&p->vars.v[v].defs, b);
            } else if (!store && stored[v] != b + 1 && seen[v] != b + 1) {
                seen[v] = b + 1;
                ir_vec_push(&p->vars.v[v].ue, b);
            }
        }
    }
    free(stored);
    free(seen);
}

/* Dominance frontiers (Cooper-Harvey-Kennedy): DF(r) is df[df_off[r] ..
 * df_end[r]).  False if they would outgrow a budget linear in the blocks. */
static bool frontiers(promote *p)
{
    const opt_fn *o = p->o;
    uint32_t nb = o->nb;
    uint64_t total = 0, budget = 16 * (uint64_t)nb + 1000000;
    p->df_off = xcalloc(nb + 1, sizeof *p->df_off);
    p->df_end = xcalloc(nb + 1, sizeof *p->df_end);
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t k = 0; k < o->nrpo; k++) {
            uint32_t b = o->rpo[k];
            if (o->pred_off[b + 1] - o->pred_off[b] < 2)
                continue;
            for (uint32_t j = o->pred_off[b]; j < o->pred_off[b + 1]; j++)
                for (uint32_t r = o->pred[j]; r != o->idom[b]; r = o->idom[r]) {
                    if (pass == 0) {
                        p->df_end[r]++;     /* a count, duplicates included */
                        if (++total > budget)
                            return false;
                    } else if (p->df_end[r] == p->df_off[r] || p->df[p->df_end[r] - 1] != b) {
                        p->df[p->df_end[r]++] = b;  /* once per (r, b): b's walks are together */
                    }
                    if (r == o->idom[r])
                        break;
                }
        }
        if (pass == 0) {
            uint32_t at = 0;
            for (uint32_t r = 0; r < nb; r++) {
                p->df_off[r] = at;
                at += p->df_end[r];
                p->df_end[r] = p->df_off[r];
            }
            p->df = xcalloc(total, sizeof *p->df);
        }
    }
    return true;
}

/* Liveness and parameter placement of variable v (stamps: v + 1). */
static void place(promote *p, uint32_t v, uint32_t *live, uint32_t *def, uint32_t *has, uint32_t *work)
{
    const opt_fn *o = p->o;
    ir_function *f = o->f;
    var *x = &p->vars.v[v];
    uint32_t st = v + 1, nw = 0;
    for (uint32_t k = 0; k < x->defs.n; k++)
        def[x->defs.v[k]] = st;
    for (uint32_t k = 0; k < x->ue.n; k++)
        if (live[x->ue.v[k]] != st) {
            live[x->ue.v[k]] = st;
            work[nw++] = x->ue.v[k];
        }
    while (nw) {
        uint32_t b = work[--nw];
        for (uint32_t j = o->pred_off[b]; j < o->pred_off[b + 1]; j++) {
            uint32_t q = o->pred[j];
            if (def[q] != st && live[q] != st) {
                live[q] = st;
                work[nw++] = q;
            }
        }
    }
    /* iterated dominance frontier of the stores, parameters where live */
    for (uint32_t k = 0; k < x->defs.n; k++)
        work[nw++] = x->defs.v[k];
    while (nw) {
        uint32_t b = work[--nw];
        for (uint32_t j = p->df_off[b]; j < p->df_end[b]; j++) {
            uint32_t y = p->df[j];
            if (has[y] == st)
                continue;
            has[y] = st;
            if (live[y] == st) {
                ir_type t = x->type;
                uint32_t param = ir_value_new(f, IR_VAL_PARAM, t, y, 0);
                ir_vec_push(&p->add, v);
                ir_vec_push(&p->add, param);
                ir_vec_push(&p->add, p->add_head[y]);
                p->add_head[y] = p->add.n / 3 - 1;
            }
            if (def[y] != st) {
                def[y] = st;
                work[nw++] = y;
            }
        }
    }
}

/* The new parameters of each block, after its own. */
static void add_params(promote *p)
{
    ir_function *f = p->o->f;
    for (uint32_t b = 0; b < p->o->nb; b++) {
        if (p->add_head[b] == IR_NONE)
            continue;
        ir_block_data *bd = &f->blocks.v[b];
        uint32_t at = f->pool.n, np = bd->nparams;
        for (uint32_t k = 0; k < np; k++)
            ir_vec_push(&f->pool, f->pool.v[f->blocks.v[b].params + k]);
        for (uint32_t e = p->add_head[b]; e != IR_NONE; e = p->add.v[3 * e + 2]) {
            uint32_t param = p->add.v[3 * e + 1];
            f->values.v[param].num = np++;
            ir_vec_push(&f->pool, param);
        }
        f->blocks.v[b].params = at;
        f->blocks.v[b].nparams = np;
    }
}

static void set_cur(promote *p, uint32_t v, uint32_t value)
{
    ir_vec_push(&p->undo, v);
    ir_vec_push(&p->undo, p->cur[v]);
    p->cur[v] = value;
}

/* Branch arguments for the new parameters of each target. */
static void extend_calls(promote *p, uint32_t br)
{
    ir_function *f = p->o->f;
    for (uint32_t k = 0, n = opt_dest_count(f, br); k < n; k++) {
        uint32_t *slot = opt_dest_slot(f, br, k);
        if (!slot)
            continue;
        uint32_t bc = *slot, t = f->pool.v[bc];
        if (p->add_head[t] == IR_NONE)
            continue;
        uint32_t na = f->pool.v[bc + 1], at = f->pool.n, extra = 0;
        for (uint32_t e = p->add_head[t]; e != IR_NONE; e = p->add.v[3 * e + 2])
            extra++;
        ir_vec_reserve(&f->pool, 2 + na + extra);
        f->pool.v[f->pool.n++] = t;
        f->pool.v[f->pool.n++] = na + extra;
        for (uint32_t j = 0; j < na; j++)
            f->pool.v[f->pool.n++] = f->pool.v[bc + 2 + j];
        for (uint32_t e = p->add_head[t]; e != IR_NONE; e = p->add.v[3 * e + 2])
            f->pool.v[f->pool.n++] = ir_value_resolve(f, p->cur[p->add.v[3 * e]]);
        *opt_dest_slot(f, br, k) = at;  /* the pool may have moved */
    }
}

static void rename_block(promote *p, uint32_t b)
{
    ir_function *f = p->o->f;
    for (uint32_t e = p->add_head[b]; e != IR_NONE; e = p->add.v[3 * e + 2])
        set_cur(p, p->add.v[3 * e], p->add.v[3 * e + 1]);
    for (uint32_t i = f->blocks.v[b].first, nx; i != IR_NONE; i = nx) {
        nx = f->insts.v[i].next;
        ir_inst_data *in = &f->insts.v[i];
        if (in->op == IR_OP_load || in->op == IR_OP_store) {
            bool store = in->op == IR_OP_store;
            uint32_t v = var_of_access(p, i, ir_inst_args(f, i)[store ? 1 : 0]);
            if (v != IR_NONE && p->vars.v[v].ok) {
                if (store)
                    set_cur(p, v, ir_inst_args(f, i)[0]);
                else
                    ir_value_replace(f, ir_inst_results(f, i)[0], p->cur[v]);
                ir_inst_remove(f, i);
                continue;
            }
        }
        if (ir_opcodes[in->op].flags & IR_OPF_BRANCH)
            extend_calls(p, i);
    }
}

static uint32_t zero_of(ir_function *f, uint32_t before, ir_type t)
{
    if (t == IR_F32 || t == IR_F64) {
        uint32_t i = ir_inst_new(f, before, t == IR_F32 ? IR_OP_f32const : IR_OP_f64const, t, 0, NULL);
        return ir_inst_results(f, i)[0];
    }
    return opt_new_iconst(f, before, t, 0);
}

bool opt_promote(opt_fn *o)
{
    ir_function *f = o->f;
    if (!o->nrpo || !f->stack_slots.n)
        return true;
    promote p = {.o = o, .priv = opt_private_slots(f)};
    find_vars(&p);
    uint32_t any = 0;
    for (uint32_t v = 0; v < p.vars.n; v++)
        any += p.vars.v[v].ok;
    if (any && frontiers(&p)) {
        find_blocks(&p);
        uint32_t nb = o->nb;
        uint32_t *live = xcalloc(nb, sizeof *live), *def = xcalloc(nb, sizeof *def),
                 *has = xcalloc(nb, sizeof *has), *work = xcalloc(2 * nb + 1, sizeof *work);
        p.add_head = xcalloc(nb, sizeof *p.add_head);
        for (uint32_t b = 0; b < nb; b++)
            p.add_head[b] = IR_NONE;
        uint64_t spent = 0, budget = 64 * ((uint64_t)nb + f->insts.n) + 4000000;
        for (uint32_t v = 0; v < p.vars.n; v++) {
            if (!p.vars.v[v].ok)
                continue;
            if (spent > budget) {   /* too big to promote them all: the rest stay in memory */
                p.vars.v[v].ok = false;
                continue;
            }
            spent += nb + o->succ_off[nb];
            place(&p, v, live, def, has, work);
        }
        add_params(&p);
        /* values before any store, then the walk */
        uint32_t entry = o->rpo[0], first = f->blocks.v[entry].first;
        p.cur = xcalloc(p.vars.n + 1, sizeof *p.cur);
        for (uint32_t v = 0; v < p.vars.n; v++)
            if (p.vars.v[v].ok)
                p.cur[v] = zero_of(f, first, p.vars.v[v].type);
        uint32_t *stack = xcalloc(o->nrpo + 1, sizeof *stack), *next = xcalloc(o->nrpo + 1, sizeof *next),
                 *mark = xcalloc(o->nrpo + 1, sizeof *mark);
        uint32_t sp = 0;
        stack[sp] = entry;
        mark[sp] = 0;
        next[sp++] = o->dkid_off[entry];
        rename_block(&p, entry);
        while (sp) {
            uint32_t b = stack[sp - 1];
            if (next[sp - 1] < o->dkid_off[b + 1]) {
                uint32_t c = o->dkid[next[sp - 1]++];
                stack[sp] = c;
                mark[sp] = p.undo.n;
                next[sp++] = o->dkid_off[c];
                rename_block(&p, c);
                continue;
            }
            sp--;
            while (p.undo.n > mark[sp]) {
                p.undo.n -= 2;
                p.cur[p.undo.v[p.undo.n]] = p.undo.v[p.undo.n + 1];
            }
        }
        free(stack);
        free(next);
        free(mark);
        free(live);
        free(def);
        free(has);
        free(work);
    }
    for (uint32_t v = 0; v < p.vars.n; v++) {
        ir_vec_free(&p.vars.v[v].defs);
        ir_vec_free(&p.vars.v[v].ue);
    }
    free(p.priv);
    free(p.var_of);
    free(p.bad);
    ir_vec_free(&p.vars);
    free(p.df_off);
    free(p.df_end);
    free(p.df);
    free(p.add_head);
    free(p.cur);
    ir_vec_free(&p.add);
    ir_vec_free(&p.undo);
    return true;
}
