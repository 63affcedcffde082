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
    /* the bitmaps hold what the vregs' segments do (no short interval
     * holds pos: the jump has no operands) */
    if (r->occ) {
        for (unsigned k = 0; k < r->isa->nalloc[cls]; k++) {
            unsigned p = r->isa->alloc_order[cls][k];
            if (!(used & BIT(p)) && !(r->occ[(size_t)p * r->ow + pos / 64] & BIT(pos % 64)))
                return p;
        }
        return CG_NONE;
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

/* The reusing defs of instruction i (plain otherwise: see cg_ra_rewrite):
 * a def in another register than its use copies it first, as below.  *rq:
 * where those (r->reuses, in instruction and operand order) of
 * instruction i or a later one are. */
static void plain_reuses(lsra *r, uint32_t o0, uint32_t i, uint32_t *al, uint32_t *rq)
{
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
}

/* The moves of the block arguments of block b's jump, instruction i: a
 * cycle goes through a free register, else a slot (*tmp, made once). */
static void block_args(lsra *r, uint32_t b, uint32_t i, uint32_t *tmp)
{
    cg_func *f = r->f;
    const cg_block *bl = &f->blocks.v[b];
    const cg_block *sb = &f->blocks.v[r->blk_of[f->vlist.v[bl->succs]]];
    keep.pfrom.n = keep.pto.n = keep.pcls.n = 0;
    for (uint32_t a = 0; a < bl->nargs; a++) {
        uint32_t x = V(f->vlist.v[bl->args + a]), y = V(f->vlist.v[sb->params + a]);
        if (r->loc[y] == CG_NONE)
            continue;
        ir_vec_push(&keep.pfrom, home(r, x));
        ir_vec_push(&keep.pto, home(r, y));
        ir_vec_push(&keep.pcls, f->vcls.v[x]);
    }
    const uint32_t *pfrom = keep.pfrom.v, *pto = keep.pto.v, n = keep.pfrom.n;
    uint32_t n0 = f->edits.n, park = CG_ALLOC_SLOT | 0x7fffffffu, via = CG_NONE;
    cg_parallel_move(f, 2 * i, pfrom, pto, keep.pcls.v, n, park);
    for (uint32_t k = n0; k < f->edits.n; k++) {
        cg_edit *ed = &f->edits.v[k];
        if (ed->from == park || ed->to == park) {
            if (via == CG_NONE)
                via = cycle_reg(r, 2 * i, ed->cls, pfrom, pto, n);
            if (via == CG_NONE && *tmp == CG_NONE)
                *tmp = CG_ALLOC_SLOT | r->nslots++;
            uint32_t t = via != CG_NONE && ed->cls == r->via_cls ? via : *tmp;
            if (t == CG_NONE)
                t = *tmp = CG_ALLOC_SLOT | r->nslots++;
            ed->from = ed->from == park ? t : ed->from;
            ed->to = ed->to == park ? t : ed->to;
        }
        if (!cg_alloc_is_slot(ed->to))
            f->dirty |= BIT(ed->to);
    }
}

/* Instruction i with a fixed operand, a preg or a spilled vreg. */
static void fixed_inst(lsra *r, uint32_t i, uint32_t *al)
{
    cg_func *f = r->f;
    const cg_inst *in = &f->insts.v[i];
    uint32_t o0 = in->opnd;
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
        edit(r, 2 * i, r->loc[v] == RA_SPILL && r->via[o0 + k] != 0xff ? r->via[o0 + k] : home(r, v), o->fix,
             o->cls);
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

void cg_ra_rewrite(lsra *r)
{
    cg_func *f = r->f;
    uint32_t *al = f->allocs.v, tmp = CG_NONE, rq = 0;
    memset(r->mark, 0xff, r->nv * sizeof *r->mark);   /* CG_NONE */
    /* Most operands are a vreg in a register: that register, in one walk
     * of the operands (take marked it dirty).  Only the instructions iflag
     * names are visited below; a spilled vreg's operands have what
     * tiny_assign gave. */
    const cg_operand *ops = r->ops;
    const uint32_t *loc = r->loc;
    for (uint32_t k = 0, n = f->opnds.n; k < n; k++) {  /* locals: al might alias them */
        uint32_t reg = ops[k].reg;
        if (reg >= CG_VREG0 && loc[V(reg)] < 64)
            al[k] = loc[V(reg)];
    }
    /* in instruction order: the edits are by position */
    const uint8_t *iflag = r->iflag;
    for (uint32_t i = 0, ni = r->ni; i < ni; i++) {
        unsigned fl = iflag[i];
        if (!fl)
            continue;
        if (fl == IF_REUSE)
            plain_reuses(r, f->insts.v[i].opnd, i, al, &rq);
        else if (fl == IF_ARGS)     /* a jump without operands */
            block_args(r, r->iblk[i], i, &tmp);
        else
            fixed_inst(r, i, al);
    }
    /* what a very large function needed is given back */
#define TRIM(x) if ((x).cap * sizeof *(x).v > (1 << 22)) ir_vec_free(&(x))
    TRIM(keep.pfrom);
    TRIM(keep.pto);
    TRIM(keep.pcls);
#undef TRIM
}
