/* Register allocation and frame layout.
 *
 * cg_regalloc runs the linear-scan allocator (ralinear.c); a function it
 * gives up on goes to the block-local one (ralocal.c).  CLIFRUN_REGALLOC
 * in the environment picks one for differential testing: `linear` (the
 * default), `local`, or `spill`, the simplest correct one, kept here as a
 * reference: every vreg lives in its own spill slot; around each
 * instruction its uses are loaded into registers and its defs stored back.
 * Nothing is live in a register across instructions, so clobbers and block
 * boundaries need no care, and block arguments are slot-to-slot parallel
 * copies.  All fill the same things (f->allocs, f->edits, f->nspill,
 * f->dirty), so none touches lowering or emission. */
#include "cg.h"

#include <string.h>

static void edit(cg_func *f, uint32_t pos, uint32_t from, uint32_t to, unsigned cls)
{
    if (from != to)
        ir_vec_push(&f->edits, ((cg_edit){pos, from, to, (uint8_t)cls}));
}

void cg_parallel_move(cg_func *f, uint32_t pos, const uint32_t *from_in, const uint32_t *to,
                      const uint8_t *cls, uint32_t n, uint32_t tmp)
{
    /* Quadratic in the arguments of one edge, which are few; sources are
     * copied so a cycle can be redirected through tmp. */
    uint32_t stackbuf[64], *from = n <= 64 ? stackbuf : ir_xmalloc(n * sizeof *from);
    uint8_t donebuf[64], *done = n <= 64 ? donebuf : ir_xmalloc(n);
    memcpy(from, from_in, n * sizeof *from);
    uint32_t left = 0;
    for (uint32_t i = 0; i < n; i++) {
        done[i] = from[i] == to[i];
        left += !done[i];
    }
    while (left) {
        bool progress = false;
        for (uint32_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            bool blocked = false;
            for (uint32_t j = 0; j < n && !blocked; j++)
                blocked = !done[j] && j != i && from[j] == to[i];
            if (blocked)
                continue;
            edit(f, pos, from[i], to[i], cls[i]);
            done[i] = 1, left--, progress = true;
        }
        if (progress)
            continue;
        /* only cycles remain: park one destination's old value in tmp */
        for (uint32_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            edit(f, pos, to[i], tmp, cls[i]);
            for (uint32_t j = 0; j < n; j++)
                if (!done[j] && from[j] == to[i])
                    from[j] = tmp;
            break;
        }
    }
    if (from != stackbuf)
        free(from);
    if (done != donebuf)
        free(done);
}

static bool regalloc_spill(cg_ctx *c)
{
    cg_func *f = &c->f;
    const cg_isa *isa = c->isa;
    uint32_t nv = f->vcls.n;
    uint32_t tmp = CG_ALLOC_SLOT | nv;     /* for cycles of block arguments */
    f->nspill = nv + 1;
    ir_vec_reserve(&f->allocs, f->opnds.n);
    f->allocs.n = f->opnds.n;
    f->edits.n = 0;
    f->dirty = 0;
    uint64_t allocable[CG_NCLS] = {0};
    for (unsigned k = 0; k < CG_NCLS; k++) {
        for (unsigned i = 0; i < isa->nalloc[k]; i++)
            allocable[k] |= 1ull << isa->alloc_order[k][i];
        allocable[k] &= ~f->reserved;
    }

    IR_VEC(uint32_t) pfrom = {0}, pto = {0};
    IR_VEC(uint8_t) pcls = {0};
    /* label -> block, for the params of a successor */
    IR_VEC(uint32_t) block_of = {0};
    ir_vec_reserve(&block_of, f->nlabels);
    for (uint32_t i = 0; i < f->nlabels; i++)
        block_of.v[i] = CG_NONE;
    for (uint32_t b = 0; b < f->blocks.n; b++)
        block_of.v[f->blocks.v[b].label] = b;

    bool ok = true;
    for (uint32_t b = 0; b < f->blocks.n && ok; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t i = bl->first; i < bl->end && ok; i++) {
            const cg_inst *in = &f->insts.v[i];
            const cg_operand *op = &f->opnds.v[in->opnd];
            uint32_t *al = &f->allocs.v[in->opnd];
            uint64_t busy = isa->clobbers[in->clob];
            for (unsigned k = 0; k < in->nopnd; k++)
                if (op[k].cons == CG_FIXED)
                    busy |= 1ull << op[k].fix;
            uint64_t avail[CG_NCLS];
            for (unsigned k = 0; k < CG_NCLS; k++)
                avail[k] = allocable[k] & ~busy;

            if (i + 1 == bl->end && bl->nargs) {
                uint32_t sb = bl->nsuccs == 1 ? block_of.v[f->vlist.v[bl->succs]] : CG_NONE;
                if (sb == CG_NONE || f->blocks.v[sb].nparams != bl->nargs) {
                    ir_diag_set(c->d, c->fn->line, c->fn->col, "internal error: block arguments");
                    ok = false;
                    break;
                }
                pfrom.n = pto.n = pcls.n = 0;
                for (uint32_t a = 0; a < bl->nargs; a++) {
                    uint32_t src = f->vlist.v[bl->args + a], dst = f->vlist.v[f->blocks.v[sb].params + a];
                    ir_vec_push(&pfrom, CG_ALLOC_SLOT | (src - CG_VREG0));
                    ir_vec_push(&pto, CG_ALLOC_SLOT | (dst - CG_VREG0));
                    ir_vec_push(&pcls, f->vcls.v[src - CG_VREG0]);
                }
                cg_parallel_move(f, 2 * i, pfrom.v, pto.v, pcls.v, pfrom.n, tmp);
            }
            for (int pass = 0; pass < 2 && ok; pass++) {
                for (unsigned k = 0; k < in->nopnd; k++) {
                    const cg_operand *o = &op[k];
                    if ((o->kind == CG_USE) != (pass == 0))
                        continue;
                    if (o->reg < CG_VREG0) {
                        al[k] = o->reg;
                        continue;
                    }
                    uint32_t p;
                    if (o->cons == CG_FIXED)
                        p = o->fix;
                    else if (o->cons == CG_REUSE)
                        p = al[o->fix];
                    else {
                        uint64_t m = avail[o->cls];
                        p = CG_NONE;
                        for (unsigned r = 0; r < isa->nalloc[o->cls]; r++)
                            if (m >> isa->alloc_order[o->cls][r] & 1) {
                                p = isa->alloc_order[o->cls][r];
                                break;
                            }
                        if (p == CG_NONE) {
                            ir_diag_set(c->d, c->fn->line, c->fn->col,
                                        "internal error: out of registers");
                            ok = false;
                            break;
                        }
                        avail[o->cls] &= ~(1ull << p);
                    }
                    al[k] = p;
                    f->dirty |= 1ull << p;
                    uint32_t slot = CG_ALLOC_SLOT | (o->reg - CG_VREG0);
                    if (pass == 0)
                        edit(f, 2 * i, slot, p, o->cls);
                    else
                        edit(f, 2 * i + 1, p, slot, o->cls);
                }
            }
        }
    }
    ir_vec_free(&pfrom);
    ir_vec_free(&pto);
    ir_vec_free(&pcls);
    ir_vec_free(&block_of);
    return ok;
}

bool cg_regalloc(cg_ctx *c)
{
    static int which = -1;     /* 0 linear, 1 local, 2 spill */
    if (which < 0) {
        const char *e = getenv("CLIFRUN_REGALLOC");
        which = e && !strcmp(e, "spill") ? 2 : e && !strcmp(e, "local") ? 1 : 0;
    }
    if (which == 2)
        return regalloc_spill(c);
    return (which == 0 && cg_regalloc_linear(c)) || cg_regalloc_local(c);
}

void cg_frame_layout(cg_ctx *c)
{
    cg_frame *fr = &c->frame;
    const ir_function *fn = c->fn;
    uint32_t off = (c->f.outgoing + 15) & ~15u;
    fr->slot_off.n = 0;
    ir_vec_reserve(&fr->slot_off, fn->stack_slots.n);
    for (uint32_t i = 0; i < fn->stack_slots.n && !c->trampoline; i++) {
        const ir_stack_slot *s = &fn->stack_slots.v[i];
        /* the frame itself is 16-byte aligned; larger alignments are capped */
        uint32_t a = s->align_shift >= 4 ? 16 : 1u << s->align_shift;
        if (a < 8 && s->size >= 8)
            a = 8;
        if (a < 16 && s->size >= 16)    /* 16-byte accesses (cmpxchg16b, vectors) */
            a = 16;
        off = (off + a - 1) & ~(a - 1);
        fr->slot_off.v[fr->slot_off.n++] = off;
        off += s->size;
    }
    unsigned ss = c->f.wide_spill ? 16 : 8;
    off = (off + ss - 1) & ~(ss - 1);
    fr->spill_off = off;
    off += c->f.nspill * ss;
    fr->size = off;
    fr->saved = c->f.dirty & (c->isa->callee_saved | c->f.saved_extra);
}
