/* Register allocation and frame layout.
 *
 * cg_regalloc runs the linear-scan allocator (ralinear.c); a function it
 * gives up on goes to the block-local one (ralocal.c).  cg_target.regalloc
 * (or, by default, CLIFRUN_REGALLOC in the environment) picks one for
 * differential testing: `linear` (the default), `local`, or `spill`, the
 * simplest correct one, kept here as a
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

const char *cg_regalloc_name(unsigned ra)
{
    static const char *const names[CG_RA_COUNT] = {"default", "linear", "local", "spill"};
    return ra < CG_RA_COUNT ? names[ra] : "?";
}

bool cg_regalloc(cg_ctx *c)
{
    static int env = -1;       /* CLIFRUN_REGALLOC, read once */
    if (env < 0) {
        const char *e = getenv("CLIFRUN_REGALLOC");
        env = e && !strcmp(e, "spill") ? CG_RA_SPILL : e && !strcmp(e, "local") ? CG_RA_LOCAL : CG_RA_LINEAR;
    }
    unsigned which = c->target->regalloc ? c->target->regalloc : (unsigned)env;
    if (which == CG_RA_SPILL)
        return regalloc_spill(c);
    return (which == CG_RA_LINEAR && cg_regalloc_linear(c)) || cg_regalloc_local(c);
}

/* A frame may not pass Cranelift's maximum_frame_size (machinst/abi.rs),
 * which counts what the prologue adds too: there it is
 * CodegenError::ImplLimitExceeded.  Within it, every offset from sp or the
 * frame pointer fits a signed 32-bit displacement on both targets. */
static bool frame_too_large(cg_ctx *c, uint32_t line, uint32_t col)
{
    if (!line)
        line = c->fn->line, col = c->fn->col;
    ir_diag_set(c->d, line, col, "stack frame too large: more than 1 GiB (Cranelift: Implementation limit exceeded)");
    return false;
}

bool cg_frame_layout(cg_ctx *c)
{
    cg_frame *fr = &c->frame;
    const ir_function *fn = c->fn;
    /* what it writes, or a callee may, that its own convention keeps (a
     * windows_fastcall caller's xmm6-15 through a system_v callee, every
     * callee-saved one through a try_call or a winch callee) */
    fr->saved = (c->f.dirty | c->f.call_dirty) & (c->isa->callee_saved | c->f.saved_extra);
    /* beside this layout: the return address and frame pointer (fp and lr),
     * saved registers (16-byte ones 16-aligned), the room the prologue
     * makes for tail calls' arguments */
    uint64_t wide = fr->saved & c->isa->save16;
    uint64_t fixed = 16 + 8 * (uint64_t)__builtin_popcountll(fr->saved & ~wide) +
                     (wide ? 8 + 16 * (uint64_t)__builtin_popcountll(wide) : 0) + c->f.arg_grow;
    /* 64-bit sums: a slot is up to 2^32 - 1 bytes, and there are many */
    uint64_t off = ((uint64_t)c->f.outgoing + 15) & ~(uint64_t)15;
    uint64_t align = 16;        /* of sp; realigning pads the frame by up to align - 16 */
    fr->slot_off.n = 0;
    ir_vec_reserve(&fr->slot_off, fn->stack_slots.n);
    for (uint32_t i = 0; i < fn->stack_slots.n; i++) {
        const ir_stack_slot *s = &fn->stack_slots.v[i];
        /* past 16 bytes (which Cranelift caps) the prologue realigns sp */
        uint64_t a = (uint64_t)1 << s->align_shift;
        if (a < 8 && s->size >= 8)
            a = 8;
        if (a < 16 && s->size >= 16)    /* 16-byte accesses (cmpxchg16b, vectors) */
            a = 16;
        if (a > align)
            align = a;
        off = (off + a - 1) & ~(a - 1);
        if (off + s->size + fixed + (align - 16) > CG_FRAME_MAX)
            return frame_too_large(c, s->line, s->col);
        fr->slot_off.v[fr->slot_off.n++] = (uint32_t)off;
        off += s->size;
    }
    unsigned ss = c->f.wide_spill ? 16 : 8;
    off = (off + ss - 1) & ~(uint64_t)(ss - 1);
    fr->spill_off = (uint32_t)off;
    off += (uint64_t)c->f.nspill * ss;
    if (off + fixed + (align - 16) > CG_FRAME_MAX)
        return frame_too_large(c, 0, 0);
    fr->size = (uint32_t)off;
    fr->align = (uint32_t)align;
    return true;
}

bool cg_stack_args_ok(cg_ctx *c, uint32_t inst, uint64_t bytes)
{
    if (bytes <= CG_STACK_ARGS_MAX)
        return true;
    const ir_inst_data *in = inst != CG_NONE ? &c->fn->insts.v[inst] : NULL;
    ir_diag_set(c->d, in ? in->line : c->fn->line, in ? in->col : c->fn->col,
                "stack arguments too large: more than 128 MiB (Cranelift: Implementation limit exceeded)");
    return false;
}

unsigned cg_probe_step(const cg_target *t)
{
    unsigned lg = t->probestack_size_log2;
    return lg && lg < 12 ? 1u << (lg < 4 ? 4 : lg) : CG_PROBE_STEP;
}
