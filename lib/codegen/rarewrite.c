/* The linear-scan allocator's last step (see ralinear.c): each operand's
 * register, and the moves, reloads and stores around instructions and
 * before jumps passing block arguments. */
#include "ralinear.h"

#include <string.h>

/* Kept from one function to the next (per thread), as ralinear.c's. */
static _Thread_local struct {
    IR_VEC(uint32_t) pfrom, pto;    /* block-argument moves */
    IR_VEC(uint8_t) pcls;
} keep;

static inline void edit(lsra *r, uint32_t pos, uint32_t from, uint32_t to, unsigned cls)
{
    if (from == to)
        return;
    ir_vec_push(&r->f->edits, ((cg_edit){pos, from, to, (uint8_t)cls}));
    if (!cg_alloc_is_slot(to))
        r->f->dirty |= BIT(to);
}

static uint32_t slot_of(lsra *r, uint32_t v)
{
    if (r->slot[v] == CG_NONE)
        r->slot[v] = r->nslots++;
    return CG_ALLOC_SLOT | r->slot[v];
}

/* Where v is between instructions: its register or its slot. */
static uint32_t home(lsra *r, uint32_t v)
{
    return r->loc[v] < 64 ? r->loc[v] : slot_of(r, v);
}

/* A register of cls free at pos (before a jump passing arguments from
 * `from` to `to`): held by no vreg live there.  Looks at every vreg, so
 * only in functions of moderate size; CG_NONE otherwise. */
static uint32_t cycle_reg(lsra *r, uint32_t pos, unsigned cls, const uint32_t *from, const uint32_t *to,
                          uint32_t n)
{
    r->via_cls = cls;
    if (r->nv > 4000 || r->cycle_budget-- <= 0)
        return CG_NONE;
    uint64_t used = r->f->reserved;
    for (uint32_t k = 0; k < n; k++) {
        if (!cg_alloc_is_slot(from[k]))
            used |= BIT(from[k]);
        if (!cg_alloc_is_slot(to[k]))
            used |= BIT(to[k]);
    }
    for (uint32_t v = 0; v < r->nv; v++)
        if (r->loc[v] < 64 && seg_end(r, v, pos))
            used |= BIT(r->loc[v]);
    for (unsigned k = 0; k < r->isa->nalloc[cls]; k++) {
        unsigned p = r->isa->alloc_order[cls][k];
        if (!(used & BIT(p)))
            return p;
    }
    return CG_NONE;
}

/* The common instruction: every operand a vreg in a register, none fixed;
 * its allocations are those registers, and a reusing def in another one
 * than its use copies it first, as below.  false: one is spilled (rewrite
 * does the whole instruction).  *rq: where the reusing defs (r->reuses,
 * in instruction and operand order) of instruction i or a later one are. */
static bool plain_operands(lsra *r, const cg_inst *in, unsigned flags, uint32_t i, uint32_t *al, uint32_t *rq)
{
    uint64_t dirty = 0;
    uint32_t o0 = in->opnd, o1 = o0 + in->nopnd;
    const cg_operand *ops = r->ops;
    const uint32_t *loc = r->loc;
    for (uint32_t k = o0; k < o1; k++) {    /* locals: al might alias what they hold */
        uint32_t p = loc[V(ops[k].reg)];
        if (p >= 64)
            return false;
        al[k] = p;
        dirty |= BIT(p);
    }
    r->f->dirty |= dirty;
    if (!(flags & IF_REUSE))
        return true;
    uint32_t q = *rq;
    while (r->reuses[q] < i)    /* i has one: no bound needed */
        q += 2;
    for (; q < r->nreuses && r->reuses[q] == i; q += 2) {
        uint32_t k = o0 + r->reuses[q + 1];
        const cg_operand *o = opnd(r, k);
        edit(r, 2 * i, al[o0 + o->fix], al[k], o->cls);
        al[o0 + o->fix] = al[k];
    }
    *rq = q;
    return true;
}

void cg_ra_rewrite(lsra *r)
{
    cg_func *f = r->f;
    uint32_t *al = f->allocs.v, tmp = CG_NONE, rq = 0;
    IR_VEC(uint32_t) pfrom = {keep.pfrom.v, 0, keep.pfrom.cap}, pto = {keep.pto.v, 0, keep.pto.cap};
    IR_VEC(uint8_t) pcls = {keep.pcls.v, 0, keep.pcls.cap};
    memset(r->mark, 0xff, r->nv * sizeof *r->mark);   /* CG_NONE */
    const cg_inst *insts = f->insts.v;
    const uint8_t *iflag = r->iflag;
    for (uint32_t b = 0; b < r->nb; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t i = bl->first, end = bl->end, nargs = bl->nargs; i < end; i++) {
            const cg_inst *in = &insts[i];
            if (i + 1 == end && nargs) {
                const cg_block *sb = &f->blocks.v[r->blk_of[f->vlist.v[bl->succs]]];
                pfrom.n = pto.n = pcls.n = 0;
                for (uint32_t a = 0; a < bl->nargs; a++) {
                    uint32_t x = V(f->vlist.v[bl->args + a]), y = V(f->vlist.v[sb->params + a]);
                    if (r->loc[y] == CG_NONE)
                        continue;
                    ir_vec_push(&pfrom, home(r, x));
                    ir_vec_push(&pto, home(r, y));
                    ir_vec_push(&pcls, f->vcls.v[x]);
                }
                /* a cycle goes through a free register, else a slot */
                uint32_t n0 = f->edits.n, park = CG_ALLOC_SLOT | 0x7fffffffu, via = CG_NONE;
                cg_parallel_move(f, 2 * i, pfrom.v, pto.v, pcls.v, pfrom.n, park);
                for (uint32_t k = n0; k < f->edits.n; k++) {
                    cg_edit *ed = &f->edits.v[k];
                    if (ed->from == park || ed->to == park) {
                        if (via == CG_NONE)
                            via = cycle_reg(r, 2 * i, ed->cls, pfrom.v, pto.v, pfrom.n);
                        if (via == CG_NONE && tmp == CG_NONE)
                            tmp = CG_ALLOC_SLOT | r->nslots++;
                        uint32_t t = via != CG_NONE && ed->cls == r->via_cls ? via : tmp;
                        if (t == CG_NONE)
                            t = tmp = CG_ALLOC_SLOT | r->nslots++;
                        ed->from = ed->from == park ? t : ed->from;
                        ed->to = ed->to == park ? t : ed->to;
                    }
                    if (!cg_alloc_is_slot(ed->to))
                        f->dirty |= BIT(ed->to);
                }
            }
            uint32_t o0 = in->opnd;
            unsigned fl = iflag[i];
            if (!(fl & IF_FIXED) && plain_operands(r, in, fl, i, al, &rq))
                continue;
            /* before: reloads into short intervals' registers, then fixed uses
             * (a spilled vreg's from its short interval's register if any) */
            for (uint32_t k = 0; k < in->nopnd; k++) {
                const cg_operand *o = opnd(r, o0 + k);
                if (o->reg < CG_VREG0) {
                    al[o0 + k] = o->reg;
                    continue;
                }
                uint32_t v = V(o->reg);
                if (o->kind != CG_USE)
                    continue;
                if (r->loc[v] < 64) {
                    if (o->cons != CG_FIXED)
                        al[o0 + k] = r->loc[v];
                } else if (r->reload[o0 + k] && r->mark[v] != i) {
                    r->mark[v] = i;
                    edit(r, 2 * i, slot_of(r, v), r->via[o0 + k], o->cls);
                }
            }
            for (uint32_t k = 0; k < in->nopnd; k++) {
                const cg_operand *o = opnd(r, o0 + k);
                if (o->reg < CG_VREG0 || o->kind != CG_USE || o->cons != CG_FIXED)
                    continue;
                uint32_t v = V(o->reg);
                al[o0 + k] = o->fix;
                edit(r, 2 * i, r->loc[v] == RA_SPILL && r->via[o0 + k] != 0xff ? r->via[o0 + k] : home(r, v),
                     o->fix, o->cls);
            }
            /* defs; a reusing def copies its use first if they differ */
            for (uint32_t k = 0; k < in->nopnd; k++) {
                const cg_operand *o = opnd(r, o0 + k);
                if (o->reg < CG_VREG0 || o->kind == CG_USE)
                    continue;
                uint32_t v = V(o->reg);
                if (o->cons == CG_FIXED)
                    al[o0 + k] = o->fix;
                else if (r->loc[v] < 64)
                    al[o0 + k] = r->loc[v];
                if (o->cons == CG_REUSE) {
                    edit(r, 2 * i, al[o0 + o->fix], al[o0 + k], o->cls);
                    al[o0 + o->fix] = al[o0 + k];
                }
            }
            /* after: fixed defs to their homes, tiny defs to their slots */
            for (uint32_t k = 0; k < in->nopnd; k++) {
                const cg_operand *o = opnd(r, o0 + k);
                if (!cg_alloc_is_slot(al[o0 + k]) && al[o0 + k] < 64)
                    f->dirty |= BIT(al[o0 + k]);
                if (o->reg < CG_VREG0 || o->kind == CG_USE)
                    continue;
                uint32_t v = V(o->reg);
                if (o->cons == CG_FIXED || r->loc[v] == RA_SPILL)
                    edit(r, 2 * i + 1, al[o0 + k], home(r, v), o->cls);
            }
        }
    }
    keep.pfrom.v = pfrom.v, keep.pfrom.cap = pfrom.cap;
    keep.pto.v = pto.v, keep.pto.cap = pto.cap;
    keep.pcls.v = pcls.v, keep.pcls.cap = pcls.cap;
    /* what a very large function needed is given back */
#define TRIM(x) if ((x).cap * sizeof *(x).v > (1 << 22)) ir_vec_free(&(x))
    TRIM(keep.pfrom);
    TRIM(keep.pto);
    TRIM(keep.pcls);
#undef TRIM
}
