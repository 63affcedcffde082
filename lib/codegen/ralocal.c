/* A block-local register allocator, one forward pass.
 *
 * A vreg used only in the block that defines it ("local") lives in a
 * register from its def to its last use, and goes to a spill slot only
 * under pressure.  A vreg that crosses blocks ("global": block params and
 * arguments too) has a home slot written at its def (write-through) and
 * is cached in a register within a block, so dropping it costs nothing
 * and block boundaries need no fix-ups: at a block's end every register
 * is forgotten, and block arguments are copies between home slots.
 *
 * Per instruction: fixed uses claim their registers first, then the
 * other uses; values in registers the instruction clobbers or defines are
 * moved away if still needed; then the defs get registers.  Uses keep out
 * of clobbered and fixed-def registers, defs out of the uses' registers
 * (except a reused one): safe for multi-instruction pseudo ops that read
 * a use after writing.  It fills what every allocator fills (cg.h). */
#include "cg.h"

#include <string.h>

typedef struct ra {
    cg_ctx *c;
    cg_func *f;
    const cg_isa *isa;
    uint32_t *home;         /* per vreg: spill slot or CG_NONE */
    uint32_t *last;         /* per vreg: last use in its block, CG_NONE if none */
    uint32_t *defb;         /* per vreg: defining block, CG_NONE */
    uint32_t *where;        /* per vreg: preg holding it, CG_NONE */
    uint8_t *global;
    uint32_t occ[64];       /* per preg: vreg, CG_NONE */
    uint64_t allocable[CG_NCLS];
    uint32_t nslots, cur;
    uint64_t pinned;        /* registers this instruction's operands use */
    uint64_t forbid;        /* registers its non-fixed operands must avoid */
    uint64_t taken;         /* registers its defs got so far */
    bool placing;           /* uses of the current instruction are being placed */
    bool ok;
} ra;

#define V(r) ((r) - CG_VREG0)
#define BIT(p) (1ull << (p))

static void edit(ra *r, uint32_t pos, uint32_t from, uint32_t to, unsigned cls)
{
    if (from != to)
        ir_vec_push(&r->f->edits, ((cg_edit){pos, from, to, (uint8_t)cls}));
}

static uint32_t slot(ra *r, uint32_t v)
{
    if (r->home[V(v)] == CG_NONE)
        r->home[V(v)] = r->nslots++;
    return CG_ALLOC_SLOT | r->home[V(v)];
}

static unsigned cls_of(ra *r, uint32_t v) { return r->f->vcls.v[V(v)]; }

static bool live_after(ra *r, uint32_t v)
{
    return r->global[V(v)] || (r->last[V(v)] != CG_NONE && r->last[V(v)] > r->cur);
}

/* Must w survive being moved out of its register now?  While uses are
 * being placed, a use of this instruction not placed yet counts too. */
static bool needed(ra *r, uint32_t w)
{
    return live_after(r, w) || (r->placing && r->last[V(w)] == r->cur);
}

static void forget(ra *r, unsigned p)
{
    uint32_t w = r->occ[p];
    if (w != CG_NONE && r->where[V(w)] == p)
        r->where[V(w)] = CG_NONE;
    r->occ[p] = CG_NONE;
}

static unsigned find_empty(ra *r, unsigned cls, uint64_t avoid)
{
    const cg_isa *isa = r->isa;
    avoid |= r->f->reserved;
    for (unsigned k = 0; k < isa->nalloc[cls]; k++) {
        unsigned p = isa->alloc_order[cls][k];
        if (!(avoid & BIT(p)) && r->occ[p] == CG_NONE)
            return p;
    }
    return CG_NONE;
}

/* Empty p, keeping its value if it is needed after this instruction: in
 * an empty register if there is one, else in its slot (a global's slot is
 * already up to date). */
static void evict(ra *r, unsigned p)
{
    uint32_t w = r->occ[p];
    if (w == CG_NONE)
        return;
    forget(r, p);
    if (!needed(r, w) || r->global[V(w)])
        return;
    unsigned cls = cls_of(r, w);
    unsigned q = find_empty(r, cls, r->pinned | r->forbid | r->taken |
                                        r->isa->clobbers[r->f->insts.v[r->cur].clob] | BIT(p));
    if (q != CG_NONE) {
        edit(r, 2 * r->cur, p, q, cls);
        r->occ[q] = w, r->where[V(w)] = q;
        r->f->dirty |= BIT(q);
    } else {
        edit(r, 2 * r->cur, p, slot(r, w), cls);
    }
}

/* A register of cls outside avoid: an empty one, else one caching a
 * global, else one whose local goes to its slot. */
static unsigned pick(ra *r, unsigned cls, uint64_t avoid)
{
    const cg_isa *isa = r->isa;
    unsigned p = find_empty(r, cls, avoid);
    if (p != CG_NONE)
        return p;
    for (int pass = 0; pass < 2; pass++)
        for (unsigned k = 0; k < isa->nalloc[cls]; k++) {
            p = isa->alloc_order[cls][k];
            if ((avoid | r->f->reserved) & BIT(p))
                continue;
            if (pass == 0 && !r->global[V(r->occ[p])])
                continue;
            uint64_t keep = r->pinned;
            r->pinned |= avoid;
            evict(r, p);
            r->pinned = keep;
            return p;
        }
    ir_diag_set(r->c->d, r->c->fn->line, r->c->fn->col, "internal error: out of registers");
    r->ok = false;
    return isa->alloc_order[cls][0];
}

/* Put v in p for this instruction (p already emptied or holding v). */
static void bring(ra *r, uint32_t v, unsigned p)
{
    unsigned cls = cls_of(r, v);
    uint32_t q = r->where[V(v)];
    if (q == p)
        return;
    if (q != CG_NONE) {
        edit(r, 2 * r->cur, q, p, cls);
        if (r->pinned & BIT(q))
            return;             /* q serves another operand: p is a copy */
        r->occ[q] = CG_NONE;
    } else {
        edit(r, 2 * r->cur, slot(r, v), p, cls);
    }
    r->occ[p] = v, r->where[V(v)] = p;
}

static void alloc_inst(ra *r, uint32_t i)
{
    cg_func *f = r->f;
    const cg_inst *in = &f->insts.v[i];
    const cg_operand *op = &f->opnds.v[in->opnd];
    uint32_t *al = &f->allocs.v[in->opnd];
    uint64_t clob = r->isa->clobbers[in->clob];
    r->cur = i;
    r->pinned = 0;
    r->taken = 0;
    r->forbid = clob;
    for (unsigned k = 0; k < in->nopnd; k++)
        if (op[k].kind != CG_USE && op[k].cons == CG_FIXED)
            r->forbid |= BIT(op[k].fix);

    /* uses: fixed ones first, so the others cannot take their registers */
    r->placing = true;
    for (int pass = 0; pass < 2; pass++)
        for (unsigned k = 0; k < in->nopnd; k++) {
            const cg_operand *o = &op[k];
            if (o->kind != CG_USE || (o->cons == CG_FIXED) != (pass == 0))
                continue;
            uint32_t v = o->reg;
            if (v < CG_VREG0) {
                al[k] = v;
                continue;
            }
            unsigned p;
            if (o->cons == CG_FIXED) {
                p = o->fix;
                if (r->occ[p] != CG_NONE && r->occ[p] != v)
                    evict(r, p);
            } else {
                p = r->where[V(v)];
                if (p == CG_NONE || (r->forbid & BIT(p)) || !(r->allocable[o->cls] & BIT(p)))
                    p = pick(r, o->cls, r->pinned | r->forbid);
            }
            bring(r, v, p);
            r->pinned |= BIT(p);
            f->dirty |= BIT(p);
            al[k] = p;
        }

    r->placing = false;

    /* clobbered registers: keep what is needed afterwards */
    for (uint64_t m = clob; m; m &= m - 1) {
        unsigned p = (unsigned)__builtin_ctzll(m);
        if (r->occ[p] != CG_NONE)
            evict(r, p);
    }

    /* defs */
    uint64_t taken = 0;
    r->taken = 0;
    for (unsigned k = 0; k < in->nopnd; k++) {
        const cg_operand *o = &op[k];
        if (o->kind == CG_USE)
            continue;
        if (o->reg < CG_VREG0) {
            al[k] = o->reg;
            continue;
        }
        unsigned p;
        if (o->cons == CG_REUSE) {
            p = al[o->fix];
            if (r->occ[p] != CG_NONE)
                evict(r, p);
        } else if (o->cons == CG_FIXED) {
            p = o->fix;
            if (r->occ[p] != CG_NONE)
                evict(r, p);
        } else {
            p = pick(r, o->cls, r->pinned | r->forbid | taken);
        }
        taken |= BIT(p);
        r->taken = taken;
        f->dirty |= BIT(p);
        al[k] = p;
    }

    /* after the instruction: dying uses leave, defs arrive */
    for (unsigned k = 0; k < in->nopnd; k++) {
        const cg_operand *o = &op[k];
        if (o->kind == CG_USE && o->reg >= CG_VREG0 && !live_after(r, o->reg)) {
            uint32_t q = r->where[V(o->reg)];
            if (q != CG_NONE && r->occ[q] == o->reg && !(taken & BIT(q)))
                forget(r, q);
        }
    }
    for (unsigned k = 0; k < in->nopnd; k++) {
        const cg_operand *o = &op[k];
        if (o->kind == CG_USE || o->reg < CG_VREG0)
            continue;
        unsigned p = al[k];
        uint32_t v = o->reg;
        if (r->occ[p] != CG_NONE && r->occ[p] != v)
            forget(r, p);
        if (r->where[V(v)] != CG_NONE && r->where[V(v)] != p)
            forget(r, r->where[V(v)]);
        if (r->global[V(v)])
            edit(r, 2 * i + 1, p, slot(r, v), o->cls);
        if (r->global[V(v)] || r->last[V(v)] != CG_NONE)
            r->occ[p] = v, r->where[V(v)] = p;
    }
}

/* Which vregs cross blocks, and where locals are last used. */
static void scan(ra *r)
{
    cg_func *f = r->f;
    for (uint32_t b = 0; b < f->blocks.n; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t k = 0; k < bl->nparams; k++)
            r->global[V(f->vlist.v[bl->params + k])] = 1;
        for (uint32_t k = 0; k < bl->nargs; k++)
            r->global[V(f->vlist.v[bl->args + k])] = 1;
        for (uint32_t i = bl->first; i < bl->end; i++) {
            const cg_inst *in = &f->insts.v[i];
            const cg_operand *op = &f->opnds.v[in->opnd];
            for (unsigned k = 0; k < in->nopnd; k++) {
                uint32_t v = op[k].reg;
                if (v < CG_VREG0)
                    continue;
                if (op[k].kind == CG_USE) {
                    if (r->defb[V(v)] != b)
                        r->global[V(v)] = 1;
                    else
                        r->last[V(v)] = i;
                } else {
                    if (r->defb[V(v)] != CG_NONE)
                        r->global[V(v)] = 1;    /* defined twice: keep it in memory */
                    r->defb[V(v)] = b;
                }
            }
        }
    }
}

bool cg_regalloc_local(cg_ctx *c)
{
    cg_func *f = &c->f;
    uint32_t nv = f->vcls.n;
    ra r = {.c = c, .f = f, .isa = c->isa, .ok = true};
    uint32_t *mem = ir_xmalloc((4 * (size_t)nv + 1) * sizeof *mem);
    r.home = mem, r.last = mem + nv, r.defb = mem + 2 * nv, r.where = mem + 3 * nv;
    r.global = ir_xcalloc(nv + 1, 1);
    for (uint32_t k = 0; k < 4 * nv; k++)
        mem[k] = CG_NONE;
    for (unsigned k = 0; k < 64; k++)
        r.occ[k] = CG_NONE;
    for (unsigned k = 0; k < CG_NCLS; k++)
        for (unsigned i = 0; i < c->isa->nalloc[k]; i++)
            r.allocable[k] |= BIT(c->isa->alloc_order[k][i]);
    ir_vec_reserve(&f->allocs, f->opnds.n);
    f->allocs.n = f->opnds.n;
    f->edits.n = 0;
    f->dirty = 0;
    scan(&r);

    IR_VEC(uint32_t) pfrom = {0}, pto = {0}, block_of = {0};
    IR_VEC(uint8_t) pcls = {0};
    ir_vec_reserve(&block_of, f->nlabels);
    for (uint32_t i = 0; i < f->nlabels; i++)
        block_of.v[i] = CG_NONE;
    for (uint32_t b = 0; b < f->blocks.n; b++)
        block_of.v[f->blocks.v[b].label] = b;
    /* the cycle temporary of block-argument copies */
    uint32_t tmp = CG_ALLOC_SLOT | r.nslots++;

    for (uint32_t b = 0; b < f->blocks.n && r.ok; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t i = bl->first; i < bl->end && r.ok; i++) {
            if (i + 1 == bl->end && bl->nargs) {
                uint32_t sb = bl->nsuccs == 1 ? block_of.v[f->vlist.v[bl->succs]] : CG_NONE;
                if (sb == CG_NONE || f->blocks.v[sb].nparams != bl->nargs) {
                    ir_diag_set(c->d, c->fn->line, c->fn->col, "internal error: block arguments");
                    r.ok = false;
                    break;
                }
                pfrom.n = pto.n = pcls.n = 0;
                for (uint32_t a = 0; a < bl->nargs; a++) {
                    uint32_t src = f->vlist.v[bl->args + a], dst = f->vlist.v[f->blocks.v[sb].params + a];
                    /* from the register caching it, if any: saves a load */
                    uint32_t w = r.where[V(src)];
                    ir_vec_push(&pfrom, w != CG_NONE ? w : slot(&r, src));
                    ir_vec_push(&pto, slot(&r, dst));
                    ir_vec_push(&pcls, f->vcls.v[V(src)]);
                }
                cg_parallel_move(f, 2 * i, pfrom.v, pto.v, pcls.v, pfrom.n, tmp);
            }
            alloc_inst(&r, i);
        }
        for (unsigned p = 0; p < 64; p++)     /* nothing stays in a register across blocks */
            forget(&r, p);
    }
    f->nspill = r.nslots;
    free(mem);
    free(r.global);
    ir_vec_free(&pfrom);
    ir_vec_free(&pto);
    ir_vec_free(&pcls);
    ir_vec_free(&block_of);
    return r.ok;
}
