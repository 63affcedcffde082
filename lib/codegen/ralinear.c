/* Linear-scan register allocation over live ranges.
 *
 * Positions: instruction i reads its uses at 2i and writes its defs at
 * 2i+1 (an early def, a temporary, is live at both).  Liveness is found per
 * vreg by walking predecessors back from its uses (not for the many defined
 * and used in one block, the def first: one segment); its live range is a
 * segment per block it is live in, in emission order, so a value carried
 * around a loop covers the loop and one used after it has a hole where it
 * is dead.  Intervals are allocated in order of start; each register keeps
 * the list of intervals holding it and, in a function of at most 4,096
 * positions, a bitmap of the positions they hold (see lsra.occ), which
 * answers "is it free for these segments" in a word or two.  The walk back
 * uses sets of blocks as bits in a function of at most 64 blocks.  The
 * last step, the allocations and the moves, is in rarewrite.c.
 *
 * A vreg keeps one location for its whole life, a register or (once
 * spilled) a spill slot, so block boundaries need no fix-ups; block
 * arguments are parallel moves before the jump.  A spilled vreg's uses and
 * defs get registers in short intervals (a run of them in a block shares
 * one: a reload at its start, a store after each def), which never spill.
 * When no register is free, the intervals holding the register whose
 * spill weight (uses weighted by loop depth, per unit of length) is least,
 * if less than the current one's, are spilled, else the current one.
 *
 * Fixed constraints are per-register lists of blocked positions, each
 * naming the one vreg allowed there: a fixed use of v in p blocks p at 2i
 * except for v; a fixed def or temp blocks it at 2i+1; a clobber or fixed
 * def blocks it at 2i for non-fixed uses (a pseudo-op may write it before
 * reading them) and a clobber at 2i+1 for all but the fixed defs (moved
 * out after).  Values live across calls thus land in callee-saved
 * registers.  Hints: a def reusing a dying use takes its register, block
 * parameters and arguments each other's, fixed operands their register.
 *
 * The work is bounded by a budget linear in the function's size; a
 * function past it, or one this allocator cannot handle (a vreg defined
 * twice, a terminator with operands in a block passing arguments, no
 * register left for a short interval), returns false, and cg_regalloc uses
 * the block-local allocator for it. */
#include "ralinear.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Buffers kept from one function to the next (per thread): most functions
 * are small and compiling many of them should not be mostly malloc. */
enum { K_MEM, K_DMEM, K_HINTP, K_OCCS, K_FIXES, K_CNT, K_ORDER, K_VIA, K_IFLAG, K_BITS, K_PREDM, K_COUNT };
static _Thread_local struct {
    void *buf[K_COUNT];
    size_t cap[K_COUNT];
    IR_VEC(rseg) segs;
    IR_VEC(rnode) nodes;
    IR_VEC(rtiny) tiny;
    IR_VEC(uint32_t) heap;
    IR_VEC(rfix) all;
    IR_VEC(rclob) clobs;
    IR_VEC(uint32_t) reuses;
} keep;

enum { BIG = 1 << 22 };
static _Thread_local bool kbig;    /* some keep.buf is past BIG */

static __attribute__((noinline)) void *kbuf_grow(unsigned k, size_t bytes)
{
    /* doubling from 256 bytes: a small function's buffers share a page
     * or two (eight of 4 KB each were eight page faults per process) */
    size_t cap = keep.cap[k] * 2 < 256 ? 256 : keep.cap[k] * 2;
    free(keep.buf[k]);
    keep.cap[k] = cap < bytes ? bytes : cap;
    keep.buf[k] = ir_xmalloc(keep.cap[k]);
    kbig |= keep.cap[k] > BIG;
    return keep.buf[k];
}

static inline void *kbuf(unsigned k, size_t bytes)
{
    return keep.cap[k] < bytes ? kbuf_grow(k, bytes) : keep.buf[k];
}

/* What a very large function needed is given back. */
static void keep_trim(void)
{
    for (unsigned k = 0; kbig && k < K_COUNT; k++)
        if (keep.cap[k] > BIG)
            free(keep.buf[k]), keep.buf[k] = NULL, keep.cap[k] = 0;
    kbig = false;
#define TRIM(x) if ((x).cap * sizeof *(x).v > BIG) ir_vec_free(&(x))
    TRIM(keep.segs);
    TRIM(keep.nodes);
    TRIM(keep.tiny);
    TRIM(keep.heap);
    TRIM(keep.all);
    TRIM(keep.clobs);
    TRIM(keep.reuses);
#undef TRIM
}


static bool is_def(const cg_operand *o) { return o->kind != CG_USE; }

static unsigned f_cls(const lsra *r, uint32_t v) { return r->f->vcls.v[v]; }

/* ---- building -------------------------------------------------------------- */

static bool build_cfg(lsra *r)
{
    cg_func *f = r->f;
    for (uint32_t l = 0; l < f->nlabels; l++)
        r->blk_of[l] = CG_NONE;
    for (uint32_t b = 0; b < r->nb; b++) {
        const cg_block *bl = &f->blocks.v[b];
        r->blk_of[bl->label] = b;
        for (uint32_t i = bl->first; i < bl->end; i++)
            r->iblk[i] = b;
        if (bl->end == bl->first)
            return false;
    }
    /* predecessors (CSR) and loop depth from back edges of the layout */
    memset(r->pstart, 0, (r->nb + 1) * sizeof *r->pstart);
    int32_t *diff = (int32_t *)r->stack;
    memset(diff, 0, (r->nb + 1) * sizeof *diff);
    for (uint32_t b = 0; b < r->nb; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t k = 0; k < bl->nsuccs; k++) {
            uint32_t t = r->blk_of[f->vlist.v[bl->succs + k]];
            if (t == CG_NONE)
                return false;
            r->pstart[t + 1]++;
            if (t <= b)
                diff[t]++, diff[b + 1]--;
        }
    }
    int32_t depth = 0;
    for (uint32_t b = 0; b < r->nb; b++) {
        depth += diff[b];
        static const double pow8[7] = {1, 8, 64, 512, 4096, 32768, 262144};
        r->freq[b] = pow8[depth < 0 ? 0 : depth < 6 ? depth : 6];
    }
    for (uint32_t b = 0; b < r->nb; b++)
        r->pstart[b + 1] += r->pstart[b];
    uint32_t *fill = r->bmark;
    memcpy(fill, r->pstart, r->nb * sizeof *fill);
    if (r->nb <= 64)
        memset(r->predm = kbuf(K_PREDM, r->nb * sizeof *r->predm), 0, r->nb * sizeof *r->predm);
    for (uint32_t b = 0; b < r->nb; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t k = 0; k < bl->nsuccs; k++) {
            uint32_t t = r->blk_of[f->vlist.v[bl->succs + k]];
            r->preds[fill[t]++] = b;
            if (r->nb <= 64)
                r->predm[t] |= BIT(b);
        }
    }
    return true;
}

/* Occurrences of each vreg (CSR, in instruction order), hints, fixed blocks. */
static bool build_occs(lsra *r)
{
    cg_func *f = r->f;
    uint32_t nv = r->nv;
    /* locals throughout: a store through a uint32_t pointer would otherwise
     * reload every count and pointer it might alias */
    uint32_t *ostart = r->ostart, *ndef = r->ndef, nops = f->opnds.n;
    const cg_operand *ops = r->ops;
    memset(ostart, 0, 2 * (nv + 1) * sizeof *ostart);   /* and ndef */
    for (uint32_t k = 0; k < nops; k++)
        if (ops[k].reg >= CG_VREG0) {
            ostart[V(ops[k].reg) + 1]++;
            ndef[V(ops[k].reg)] += ops[k].kind != CG_USE;
        }
    for (uint32_t b = 0; b < r->nb; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t k = 0; k < bl->nparams; k++) {
            r->ostart[V(f->vlist.v[bl->params + k]) + 1]++;
            ndef[V(f->vlist.v[bl->params + k])]++;
        }
        for (uint32_t k = 0; k < bl->nargs; k++)
            r->ostart[V(f->vlist.v[bl->args + k]) + 1]++;
    }
    for (uint32_t v = 0; v < nv; v++)
        r->ostart[v + 1] += r->ostart[v];
    uint32_t *fill = r->mark;
    memcpy(fill, r->ostart, nv * sizeof *fill);
    rocc *occs = r->occs = kbuf(K_OCCS, (r->ostart[nv] + 1) * sizeof *r->occs);
    uint8_t *hintp = r->hintp, *iflag = r->iflag, *vfixed = r->vfixed;
    const uint64_t *clobbers = r->isa->clobbers;
    uint32_t *fixi = r->fixi, nfixi = 0;
    IR_VEC(uint32_t) reuses = {keep.reuses.v, 0, keep.reuses.cap};
    ir_vec_reserve(&reuses, 2 * f->opnds.n);   /* two an operand at most: no check at each */
    keep.reuses.v = reuses.v, keep.reuses.cap = reuses.cap;
    uint32_t *ruv = reuses.v, nru = 0;
    for (uint32_t b = 0; b < r->nb; b++) {
        const cg_block *bl = &f->blocks.v[b];
        for (uint32_t k = 0; k < bl->nparams; k++) {
            uint32_t v = V(f->vlist.v[bl->params + k]);
            occs[fill[v]++] = (rocc){bl->first, RA_PARAM};
        }
        const cg_inst *insts = f->insts.v;
        for (uint32_t i = bl->first, end = bl->end; i < end; i++) {
            const cg_inst *in = &insts[i];
            if (i + 1 == end)
                for (uint32_t k = 0; k < bl->nargs; k++) {
                    uint32_t v = V(f->vlist.v[bl->args + k]);
                    occs[fill[v]++] = (rocc){i, RA_ARG};
                }
            unsigned fl = 0;
            uint32_t op0 = in->opnd, nop = in->nopnd;
            for (uint32_t k = 0; k < nop; k++) {
                const cg_operand *o = &ops[op0 + k];
                if (o->reg < CG_VREG0) {
                    fl |= IF_FIXED;
                    continue;
                }
                uint32_t v = V(o->reg);
                occs[fill[v]++] = (rocc){i, op0 + k};
                if (o->cons == CG_FIXED) {
                    fl |= IF_FIXED;
                    vfixed[v] = 1;
                    if (hintp[v] == 0xff)
                        hintp[v] = o->fix;
                } else if (o->cons == CG_REUSE && o->kind != CG_USE) {
                    fl |= IF_REUSE;
                    ruv[nru++] = i;
                    ruv[nru++] = k;
                }
            }
            iflag[i] = (uint8_t)fl;
            if ((fl & IF_FIXED) || clobbers[in->clob])
                fixi[nfixi++] = i;
        }
        /* block arguments and the parameters they go to hint at each other */
        if (bl->nargs) {
            if (bl->nsuccs != 1 || f->insts.v[bl->end - 1].nopnd)
                return false;
            iflag[bl->end - 1] = IF_ARGS;
            const cg_block *sb = &f->blocks.v[r->blk_of[f->vlist.v[bl->succs]]];
            if (sb->nparams != bl->nargs)
                return false;
            /* a parameter takes the hint of its most frequent (or last) edge;
             * w holds that frequency until build_intervals sets weights */
            for (uint32_t k = 0; k < bl->nargs; k++) {
                uint32_t a = V(f->vlist.v[bl->args + k]), p = V(f->vlist.v[sb->params + k]);
                if (r->hintv[p] == CG_NONE || r->freq[b] >= r->w[p])
                    r->hintv[p] = a, r->w[p] = r->freq[b];
                if (r->hintv[a] == CG_NONE)
                    r->hintv[a] = p;
            }
        }
    }
    r->reuses = ruv, r->nreuses = nru, r->nfixi = nfixi;
    return true;
}

/* Per instruction: which pregs its fixed operands and clobbers block. */
static void build_fixes(lsra *r)
{
    cg_func *f = r->f;
    IR_VEC(rfix) all = {keep.all.v, 0, keep.all.cap};
    IR_VEC(rclob) clobs = {keep.clobs.v, 0, keep.clobs.cap};
    uint64_t fmask = 0;
    for (uint32_t j = 0; j < r->nfixi; j++) {    /* the others block nothing */
        uint32_t i = r->fixi[j];
        const cg_inst *in = &f->insts.v[i];
        uint64_t clob = r->isa->clobbers[in->clob], muse = 0, mdef = 0, mearly = 0;
        uint32_t uv[64], dv[64];
        uint8_t up[64], dp[64];
        unsigned nu = 0, nd = 0;
        for (uint32_t k = 0; k < in->nopnd; k++) {
            const cg_operand *o = opnd(r, in->opnd + k);
            unsigned p;
            uint32_t v;
            if (o->reg < CG_VREG0)
                p = o->reg, v = CG_NONE;
            else if (o->cons == CG_FIXED)
                p = o->fix, v = V(o->reg);
            else
                continue;
            if (p >= 64)
                continue;
            if (o->kind == CG_USE) {
                muse |= BIT(p);
                if (nu < 64)
                    uv[nu] = v, up[nu++] = (uint8_t)p;
            } else {
                mdef |= BIT(p);
                if (o->kind == CG_EARLY_DEF)
                    mearly |= BIT(p);
                if (nd < 64)
                    dv[nd] = v, dp[nd++] = (uint8_t)p;
            }
        }
        uint64_t only = clob & ~(muse | mdef), all_m = muse | mdef;
        fmask |= all_m;
        if (only) {
            ir_vec_push(&clobs, ((rclob){i, only}));
            r->clob_any |= only;
        }
        /* at most two a preg: room made once, not per entry */
        if (!all_m)
            continue;
        ir_vec_reserve(&all, 2 * (nu + nd));   /* a preg each at most (no popcount call) */
        rfix *w = all.v + all.n;
        for (uint64_t m = all_m; m; m &= m - 1) {
            unsigned p = (unsigned)__builtin_ctzll(m);
            uint32_t eu = CG_NONE, ed = CG_NONE;
            for (unsigned k = 0; k < nu; k++)
                if (up[k] == p)
                    eu = uv[k];
            for (unsigned k = 0; k < nd; k++)
                if (dp[k] == p)
                    ed = dv[k];
            if (muse & BIT(p))
                *w++ = (rfix){2 * i, eu, RF_HARD, (uint8_t)p};
            else if (mearly & BIT(p))
                *w++ = (rfix){2 * i, ed, RF_HARD, (uint8_t)p};
            else
                *w++ = (rfix){2 * i, CG_NONE, RF_USES, (uint8_t)p};
            if ((clob | mdef) & BIT(p))
                *w++ = (rfix){2 * i + 1, ed, mdef & BIT(p) ? RF_HARD : RF_CLOB, (uint8_t)p};
        }
        all.n = (uint32_t)(w - all.v);
    }
    /* bucket by preg, keeping position order; only the pregs used */
    uint32_t fill[64], sum = 0;
    for (uint64_t m = fmask; m; m &= m - 1)
        fill[__builtin_ctzll(m)] = 0;
    for (uint32_t k = 0; k < all.n; k++)
        fill[all.v[k].preg]++;
    for (uint64_t m = fmask; m; m &= m - 1) {
        unsigned p = (unsigned)__builtin_ctzll(m);
        r->fstart[p] = sum;
        sum += fill[p];
        r->fend[p] = sum;
        fill[p] = r->fstart[p];
    }
    r->fmask = fmask;
    r->fixes = kbuf(K_FIXES, (all.n + 1) * sizeof *r->fixes);
    for (uint32_t k = 0; k < all.n; k++)
        r->fixes[fill[all.v[k].preg]++] = all.v[k];
    keep.all.v = all.v, keep.all.cap = all.cap;
    keep.clobs.v = clobs.v, keep.clobs.cap = clobs.cap;
    r->clobs = clobs.v, r->nclobs = clobs.n;
}

/* The words of a bitmap of positions segments sg[0..n) cover, with
 * their bits: at most OCC_MAXW as the segments are in order. */
static inline uint32_t seg_words(const rseg *sg, uint32_t n, rwm *q)
{
    uint32_t c = 0;
    if (n == 1 && sg[0].s / 64 == (sg[0].e - 1) / 64) {     /* most */
        q[0] = (rwm){sg[0].s / 64, (~0ull << (sg[0].s % 64)) & (~0ull >> (-sg[0].e % 64))};
        return 1;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t s = sg[k].s, e = sg[k].e, ws = s / 64, we = (e - 1) / 64;
        uint64_t lo = ~0ull << (s % 64), hi = ~0ull >> (-e % 64);
        if (c && q[c - 1].w == ws)
            q[c - 1].m |= ws == we ? lo & hi : lo;
        else
            q[c++] = (rwm){ws, ws == we ? lo & hi : lo};
        if (ws == we)
            continue;
        for (uint32_t w = ws + 1; w < we; w++)
            q[c++] = (rwm){w, ~0ull};
        q[c++] = (rwm){we, hi};
    }
    return c;
}

static inline bool words_hit(const uint64_t *b, const rwm *q, uint32_t c)
{
    if (b[q[0].w] & q[0].m)     /* c >= 1: an interval has a segment */
        return true;
    for (uint32_t j = 1; j < c; j++)
        if (b[q[j].w] & q[j].m)
            return true;
    return false;
}

/* Add (or remove) the positions of segments sg[0..n) to bitmap b. */
static inline void bits_set(uint64_t *b, const rseg *sg, uint32_t n, bool on)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t s = sg[k].s, e = sg[k].e, ws = s / 64, we = (e - 1) / 64;
        uint64_t lo = ~0ull << (s % 64), hi = ~0ull >> (-e % 64);
        if (ws == we) {
            b[ws] = on ? b[ws] | (lo & hi) : b[ws] & ~(lo & hi);
            continue;
        }
        b[ws] = on ? b[ws] | lo : b[ws] & ~lo;
        for (uint32_t w = ws + 1; w < we; w++)
            b[w] = on ? ~0ull : 0;
        b[we] = on ? b[we] | hi : b[we] & ~hi;
    }
}

/* Does v have a non-fixed use (fdef: a fixed def) at instruction i? */
/* The first of v's occurrences (sorted by instruction) at or after
 * instruction i: a binary search. */
static uint32_t first_occ_from(const lsra *r, uint32_t v, uint32_t i)
{
    uint32_t lo = r->ostart[v], hi = r->ostart[v + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->occs[mid].inst < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool operand_at(const lsra *r, uint32_t v, uint32_t i, bool fdef)
{
    uint32_t lo = first_occ_from(r, v, i);
    for (; lo < r->ostart[v + 1] && r->occs[lo].inst == i; lo++) {
        uint32_t op = r->occs[lo].op;
        if (op >= RA_ARG)
            continue;
        const cg_operand *o = opnd(r, op);
        if (fdef ? o->kind == CG_DEF && o->cons == CG_FIXED : o->kind == CG_USE && o->cons != CG_FIXED)
            return true;
    }
    return false;
}

/* Does a clobber of p without fixed operands (see rclob) block segments
 * sg[0..n) of v? */
static uint64_t clob_blocks(const lsra *r, uint32_t v, const rseg *sg, uint32_t n)
{
    const rclob *c = r->clobs;
    uint32_t lo = 0, end = r->nclobs;
    uint64_t m = 0;
    if (2 * c[end - 1].inst + 1 < sg[0].s || 2 * c[0].inst >= sg[n - 1].e)
        return 0;
    for (uint32_t k = 0; k < n && lo < end; k++) {
        uint32_t hi = end;
        while (lo < hi) {   /* the first whose 2i+1 is in or after the segment */
            uint32_t mid = lo + (hi - lo) / 2;
            if (2 * c[mid].inst + 1 < sg[k].s)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (uint32_t j = lo; j < end && 2 * c[j].inst < sg[k].e; j++) {
            uint32_t i = c[j].inst;
            if (!(c[j].mask & ~m))
                continue;
            if ((2 * i >= sg[k].s && operand_at(r, v, i, false)) ||
                (2 * i + 1 < sg[k].e && !operand_at(r, v, i, true)))
                m |= c[j].mask;
        }
    }
    return m;
}

static bool clob_conflict_segs(lsra *r, unsigned p, uint32_t v, const rseg *sg, uint32_t n)
{
    if (!(r->clob_any & BIT(p)))
        return false;
    for (unsigned k = 0; k < 2; k++)
        if (r->cb[k].sg == sg && r->cb[k].n == n && r->cb[k].s == sg[0].s && r->cb[k].e == sg[n - 1].e &&
            r->cb[k].v == v)
            return r->cb[k].m & BIT(p);
    unsigned k = r->cb_next;
    r->cb_next ^= 1;
    r->cb[k].sg = sg, r->cb[k].n = n, r->cb[k].s = sg[0].s, r->cb[k].e = sg[n - 1].e, r->cb[k].v = v;
    r->cb[k].m = clob_blocks(r, v, sg, n);
    return r->cb[k].m & BIT(p);
}

/* Is p blocked somewhere in segments sg[0..n) (in order, disjoint) for v
 * (any interval of it)?  Each segment's search starts where the last one's
 * blocks ended. */
static bool fixed_conflict_segs(lsra *r, unsigned p, uint32_t v, const rseg *sg, uint32_t n)
{
    /* n == 0 (no segment: sg[0] and sg[n - 1] below are not its own) does
     * not happen today, as every vreg asked about has an occurrence */
    if (n == 0)
        return false;
    if (clob_conflict_segs(r, p, v, sg, n))
        return true;
    if (!(r->fmask & BIT(p)))
        return false;
    uint32_t lo = r->fstart[p], end = r->fend[p];
    /* most intervals lie wholly before or after all of p's blocks: no search */
    if (r->fixes[end - 1].pos < sg[0].s || r->fixes[lo].pos >= sg[n - 1].e)
        return false;
    for (uint32_t k = 0; k < n && lo < end; k++) {
        uint32_t hi = end;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (r->fixes[mid].pos < sg[k].s)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < end && r->fixes[lo].pos < sg[k].e; lo++) {
            const rfix *x = &r->fixes[lo];
            if (x->except == v)
                continue;
            if (x->kind == RF_HARD || (x->kind == RF_USES ? operand_at(r, v, x->pos / 2, false)
                                                          : !operand_at(r, v, x->pos / 2, true)))
                return true;
        }
    }
    return false;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Live ranges: per vreg, a segment per block it is live in (from the block
 * start or its def, to the block end or its last use), found by walking
 * predecessors back from each use; adjacent ones merge. */
static void add_segments(lsra *r, uint32_t v, uint32_t ntouched)
{
    uint32_t *t = r->touched;
    if (r->nb <= 64) {  /* by layout order: a bit a block (touched once each) */
        uint64_t m = 0;
        for (uint32_t k = 0; k < ntouched; k++)
            m |= BIT(t[k]);
        for (uint32_t k = 0; m; m &= m - 1)
            t[k++] = (uint32_t)__builtin_ctzll(m);
    } else if (ntouched > 32) {
        qsort(t, ntouched, sizeof *t, cmp_u32);
    } else {
        for (uint32_t k = 1; k < ntouched; k++) {   /* usually few */
            uint32_t x = t[k], j = k;
            while (j && t[j - 1] > x)
                t[j] = t[j - 1], j--;
            t[j] = x;
        }
    }
    r->sstart[v] = r->segs.n;
    for (uint32_t k = 0; k < ntouched; k++) {
        uint32_t b = t[k];
        rseg sg = {r->blo[b], r->bhi[b]};
        if (r->segs.n > r->sstart[v] && r->segs.v[r->segs.n - 1].e >= sg.s)
            r->segs.v[r->segs.n - 1].e = sg.e;
        else
            ir_vec_push(&r->segs, sg);
    }
}

static void touch(lsra *r, uint32_t v, uint32_t b, uint32_t *n)
{
    if (r->bseen[b] != v) {
        r->work--;
        r->bseen[b] = v;
        r->blo[b] = CG_NONE, r->bhi[b] = 0;
        r->touched[(*n)++] = b;
    }
}

/* An occurrence's position (2i for uses and early defs, 2i+1 for late
 * defs), whether it defines the vreg, the end of what it holds (an early
 * def lives at 2i and 2i+1), and only_temps cleared unless it holds only
 * a temporary (an early def; parameters and arguments are neither). */
static inline uint32_t occ_span(const lsra *r, const rocc *oc, bool *def, uint32_t *end, bool *only_temps)
{
    uint32_t i = oc->inst, pos = 2 * i;
    if (oc->op == RA_PARAM || oc->op == RA_ARG) {
        *def = oc->op == RA_PARAM, *only_temps = false;
    } else {
        const cg_operand *o = opnd(r, oc->op);
        *def = is_def(o), *only_temps &= o->kind == CG_EARLY_DEF;
        pos += o->kind == CG_DEF;
    }
    *end = *def ? 2 * i + 2 : pos + 1;
    return pos;
}

/* Most vregs are defined and used in one block, the def first: their one
 * segment without the walk below (the same segment, weight and work), from
 * the first and last occurrences: the only def is the first (a use at its
 * instruction would be live in, unless it is a block parameter's), the
 * last use ends it. */
static bool local_interval(lsra *r, uint32_t v, uint32_t o0, uint32_t o1)
{
    const rocc *first = &r->occs[o0];
    uint32_t i0 = first->inst, il = r->occs[o1 - 1].inst, b = r->iblk[i0], lo = 2 * i0;
    /* occurrences are in instruction order and blocks are ranges of it:
     * the first's and the last's block hold all of them */
    if (r->ndef[v] != 1 || first->op == RA_ARG || r->iblk[il] != b)
        return false;
    bool only_temps = false;
    if (first->op != RA_PARAM) {
        const cg_operand *o = opnd(r, first->op);
        if (o->kind == CG_USE || (o1 - o0 > 1 && first[1].inst == i0))
            return false;
        lo += o->kind == CG_DEF;
        only_temps = o1 - o0 == 1 && o->kind == CG_EARLY_DEF;
    }
    uint32_t hi = 2 * il + 1 > 2 * i0 + 2 ? 2 * il + 1 : 2 * i0 + 2;
    double cost = r->freq[b] * (double)(o1 - o0);  /* exact: the same sum */
    r->segs.v[r->segs.n++] = (rseg){lo, hi};     /* room made by build_intervals */
    r->cnt[lo + 1]++;
    r->w[v] = only_temps ? HUGE_VAL : cost / (double)(hi - lo + 1);
    return true;
}

/* The walk below in a function of at most 64 blocks, with sets of blocks
 * as bits: the same segments, weight and work (touches: the blocks in
 * them).  CG_NONE: v is defined twice; else the blocks touched. */
static uint32_t global_interval64(lsra *r, uint32_t v, uint32_t o0, uint32_t o1)
{
    const cg_func *f = r->f;
    uint64_t occm = 0, livein = 0, liveout = 0, defm = 0;
    uint32_t ndefs = 0, dblk = CG_NONE, dpos = 0;
    bool only_temps = true;
    double cost = 0;
    for (uint32_t k = o0; k < o1; k++) {
        const rocc *oc = &r->occs[k];
        uint32_t b = r->iblk[oc->inst];
        cost += r->freq[b];
        bool def;
        uint32_t end, pos = occ_span(r, oc, &def, &end, &only_temps);
        if (!(occm & BIT(b))) {
            occm |= BIT(b), r->blo[b] = pos, r->bhi[b] = end;
        } else {
            if (pos < r->blo[b])
                r->blo[b] = pos;
            if (end > r->bhi[b])
                r->bhi[b] = end;
        }
        if (def) {
            dblk = b, dpos = oc->op == RA_PARAM ? 0 : pos + 1;
            defm |= BIT(b), ndefs++;
        } else if (!(dblk == b && dpos <= pos)) {
            livein |= BIT(b);
        }
    }
    if (ndefs > 1)
        return CG_NONE;
    for (uint64_t stack = livein; stack;) {
        uint64_t pm = r->predm[__builtin_ctzll(stack)], up = pm & ~(defm | livein);
        stack &= stack - 1;
        liveout |= pm;
        livein |= up, stack |= up;
    }
    uint64_t all = occm | livein | liveout;
    uint32_t nt = 0, len = 0;
    r->sstart[v] = r->segs.n;
    ir_vec_reserve(&r->segs, 64);   /* a block each at most; then locals: no reloads after each store */
    rseg *s0 = r->segs.v + r->segs.n, *o = s0;
    const uint32_t *blo = r->blo, *bhi = r->bhi;
    for (uint64_t m = all; m; m &= m - 1, nt++) {
        uint32_t b = (uint32_t)__builtin_ctzll(m);
        const cg_block *bl = &f->blocks.v[b];
        rseg sg = {livein & BIT(b) ? 2 * bl->first : occm & BIT(b) ? blo[b] : 2 * bl->end,
                   liveout & BIT(b) ? 2 * bl->end : occm & BIT(b) ? bhi[b] : 0};
        if (o > s0 && o[-1].e >= sg.s)
            o[-1].e = sg.e;
        else
            *o++ = sg;
    }
    bool empty = false;
    for (const rseg *k = s0; k < o; k++) {
        len += k->e - k->s;
        empty |= k->s >= k->e;
    }
    r->segs.n = (uint32_t)(o - r->segs.v);
    r->empty_seg |= empty;
    r->cnt[s0->s + 1]++;
    r->w[v] = only_temps ? HUGE_VAL : cost / (double)(len + 1);
    return nt;
}

static bool build_intervals(lsra *r)
{
    cg_func *f = r->f;
    uint32_t npos = 2 * r->ni + 2;
    r->cnt = kbuf(K_CNT, (npos + 1) * sizeof *r->cnt);
    memset(r->cnt, 0, (npos + 1) * sizeof *r->cnt);
    for (uint32_t b = 0; b < r->nb; b++)
        r->bmark[b] = r->bdef[b] = r->bseen[b] = CG_NONE;
    int64_t nlocal = 0;     /* work, charged at the end: a step each */
    for (uint32_t v = 0; v < r->nv; v++) {
        uint32_t o0 = r->ostart[v], o1 = r->ostart[v + 1];
        r->sstart[v] = r->segs.n;
        if (o0 == o1) {
            r->w[v] = 0;    /* the others' is set below (build_occs left a frequency) */
            continue;
        }
        uint32_t ndefs = 0, sp = 0, nt = 0;
        bool only_temps = true;
        double cost = 0;
        uint32_t dblk = CG_NONE, dpos = 0;
        if (r->segs.n == r->segs.cap)
            ir_vec_reserve(&r->segs, r->nv - v);    /* a segment each for the rest */
        if (local_interval(r, v, o0, o1)) {
            nlocal++;
            continue;
        }
        if (r->nb <= 64) {
            nt = global_interval64(r, v, o0, o1);
            if (nt == CG_NONE)
                return false;
            r->work -= nt + (nt > 32 ? (int64_t)nt * 5 : 0);
            if (r->work < 0)
                return false;
            continue;
        }
        for (uint32_t k = o0; k < o1; k++) {
            const rocc *oc = &r->occs[k];
            uint32_t b = r->iblk[oc->inst];
            cost += r->freq[b];
            bool def;
            uint32_t end, pos = occ_span(r, oc, &def, &end, &only_temps);
            touch(r, v, b, &nt);
            if (pos < r->blo[b])
                r->blo[b] = pos;
            if (end > r->bhi[b])
                r->bhi[b] = end;
            if (def) {
                dblk = b, dpos = oc->op == RA_PARAM ? 0 : pos + 1;   /* uses from dpos on follow it */
                r->bdef[b] = v, ndefs++;
                continue;
            }
            /* a use not preceded by the def in its block: live into the block */
            if (!(dblk == b && dpos <= pos) && r->bmark[b] != v) {
                r->bmark[b] = v;
                r->stack[sp++] = b;
            }
        }
        if (ndefs > 1)
            return false;
        while (sp) {
            uint32_t b = r->stack[--sp];
            touch(r, v, b, &nt);
            r->blo[b] = 2 * f->blocks.v[b].first;
            for (uint32_t k = r->pstart[b]; k < r->pstart[b + 1]; k++) {
                uint32_t p = r->preds[k];
                touch(r, v, p, &nt);
                r->bhi[p] = 2 * f->blocks.v[p].end;
                if (r->blo[p] == CG_NONE)
                    r->blo[p] = 2 * f->blocks.v[p].end;    /* until it is found live in */
                if (r->bdef[p] != v && r->bmark[p] != v) {
                    r->bmark[p] = v;
                    r->stack[sp++] = p;
                }
            }
        }
        r->work -= nt > 32 ? (int64_t)nt * 5 : 0;   /* sorting */
        if (r->work < 0)
            return false;   /* a live set too large: the block-local allocator is linear */
        add_segments(r, v, nt);
        uint32_t len = 0;
        for (uint32_t k = r->sstart[v]; k < r->segs.n; k++) {
            len += r->segs.v[k].e - r->segs.v[k].s;
            r->empty_seg |= r->segs.v[k].s >= r->segs.v[k].e;
        }
        r->cnt[r->segs.v[r->sstart[v]].s + 1]++;
        r->w[v] = only_temps ? HUGE_VAL : cost / (double)(len + 1);
    }
    r->sstart[r->nv] = r->segs.n;
    r->work -= nlocal;  /* it only falls here: the same answer as at each step */
    if (r->work < 0)
        return false;
    /* A def reusing a use that lives on is copied before the instruction:
     * it is live from the uses' position. */
    for (uint32_t q = 0; q < r->nreuses; q += 2) {
        uint32_t i = r->reuses[q], k = r->reuses[q + 1];
        const cg_inst *in = &f->insts.v[i];
        const cg_operand *o = opnd(r, in->opnd + k);
        if (o->fix >= in->nopnd)
            continue;
        const cg_operand *src = opnd(r, in->opnd + o->fix);
        if (src->reg < CG_VREG0 || src->kind != CG_USE)
            return false;
        uint32_t y = V(o->reg), x = V(src->reg);
        rseg *first = &r->segs.v[r->sstart[y]];
        if (x == y)
            return false;
        if (first->s != 2 * i + 1)
            continue;
        if (seg_end(r, x, 2 * i) > 2 * i + 1)
            first->s = 2 * i, r->cnt[2 * i + 2]--, r->cnt[2 * i + 1]++;
        else
            r->rsrc[y] = in->opnd + o->fix;
    }
    return true;
}

/* ---- the scan -------------------------------------------------------------- */

/* The segments of interval id: a vreg's, or a tiny one's. */
static inline __attribute__((always_inline)) const rseg *segs_of(const lsra *r, uint32_t id, uint32_t *n)
{
    if (id < r->nv) {
        *n = r->sstart[id + 1] - r->sstart[id];
        return &r->segs.v[r->sstart[id]];
    }
    *n = 1;
    return &r->tiny.v[id - r->nv].sg;
}

static inline __attribute__((always_inline)) bool intersect(lsra *r, const rseg *a, uint32_t na, const rseg *b, uint32_t nb)
{
    uint32_t lo = 0, hi = nb;
    while (lo < hi) {   /* first of b ending after a starts */
        uint32_t mid = lo + (hi - lo) / 2;
        if (b[mid].e <= a[0].s)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = 0, j = lo; i < na && j < nb; r->work--) {
        if (a[i].e <= b[j].s)
            i++;
        else if (b[j].e <= a[i].s)
            j++;
        else
            return true;
    }
    return false;
}

/* Can interval id (of vreg v, segments sg) have allocable p?  Prunes what
 * ended. */
static inline __attribute__((always_inline)) bool fits_allocable(lsra *r, unsigned p, uint32_t v, const rseg *sg,
                                                                 uint32_t n)
{
    if (r->occ) {   /* q is sg's */
        r->work--;
        return !words_hit(r->occ + (size_t)p * r->ow, r->q, r->nq) &&
               !(words_hit(r->fbit + (size_t)p * r->ow, r->q, r->nq) &&
                 (r->qplain || fixed_conflict_segs(r, p, v, sg, n)));
    }
    for (uint32_t *lk = &r->head[p]; *lk != CG_NONE;) {
        rnode *nd = &r->nodes.v[*lk];
        r->work--;
        uint32_t jn;
        const rseg *js = segs_of(r, nd->id, &jn);
        if (js[jn - 1].e < sg[0].s) {   /* ended (kept one position: see choose) */
            uint32_t dead = *lk;
            *lk = nd->next;
            r->nodes.v[dead].next = r->free_node;
            r->free_node = dead;
            continue;
        }
        if (intersect(r, sg, n, js, jn))
            return false;
        lk = &nd->next;
    }
    return !fixed_conflict_segs(r, p, v, sg, n);
}

/* The same for any p. */
static inline __attribute__((always_inline)) bool fits(lsra *r, unsigned p, unsigned cls, uint32_t v, const rseg *sg, uint32_t n)
{
    return p < 64 && (r->allocable[cls] & BIT(p)) && fits_allocable(r, p, v, sg, n);
}

/* fromq: right after choose placed id, whose words q then holds */
static inline __attribute__((always_inline)) void take(lsra *r, unsigned p, uint32_t id, bool fromq)
{
    uint32_t k = r->free_node;
    if (k != CG_NONE) {
        r->free_node = r->nodes.v[k].next;
    } else {
        ir_vec_push(&r->nodes, ((rnode){0, 0}));
        k = r->nodes.n - 1;
    }
    r->nodes.v[k] = (rnode){id, r->head[p]};
    r->head[p] = k;
    if (r->occ && fromq) {
        uint64_t *b = r->occ + (size_t)p * r->ow;
        for (uint32_t j = 0; j < r->nq; j++)
            b[r->q[j].w] |= r->q[j].m;
    } else if (r->occ) {
        uint32_t n;
        const rseg *sg = segs_of(r, id, &n);
        bits_set(r->occ + (size_t)p * r->ow, sg, n, true);
    }
    r->f->dirty |= BIT(p);
}

static void heap_push(lsra *r, uint32_t t)
{
    ir_vec_push(&r->heap, t);
    uint32_t *h = r->heap.v, k = r->heap.n - 1;
    while (k && r->tiny.v[h[(k - 1) / 2]].sg.s > r->tiny.v[h[k]].sg.s) {
        uint32_t q = (k - 1) / 2, x = h[q];
        h[q] = h[k], h[k] = x, k = q;
    }
}

static uint32_t heap_pop(lsra *r)
{
    uint32_t *h = r->heap.v, top = h[0], n = --r->heap.n, k = 0;
    h[0] = h[n];
    for (;;) {
        uint32_t a = 2 * k + 1, b = a + 1, m = k;
        if (a < n && r->tiny.v[h[a]].sg.s < r->tiny.v[h[m]].sg.s)
            m = a;
        if (b < n && r->tiny.v[h[b]].sg.s < r->tiny.v[h[m]].sg.s)
            m = b;
        if (m == k)
            break;
        uint32_t x = h[m];
        h[m] = h[k], h[k] = x, k = m;
    }
    return top;
}

/* Give the operands of t's vreg in its instructions register p: the
 * non-fixed ones as their allocation, fixed uses as their source; the uses
 * of its first instruction reload it from the slot. */
static void tiny_assign(lsra *r, const rtiny *t, unsigned p)
{
    for (uint32_t i = t->inst; i <= t->last; i++) {
        const cg_inst *in = &r->f->insts.v[i];
        for (uint32_t k = 0; k < in->nopnd; k++) {
            const cg_operand *o = opnd(r, in->opnd + k);
            if (o->reg != CG_VREG0 + t->v || (o->cons == CG_FIXED && o->kind != CG_USE))
                continue;
            if (o->cons != CG_FIXED)
                r->f->allocs.v[in->opnd + k] = p;
            r->via[in->opnd + k] = (uint8_t)p;
            r->reload[in->opnd + k] = i == t->inst && o->kind == CG_USE;
        }
    }
}

/* Does an instruction of [a, b) clobber registers? */
static bool clobbers_in(const lsra *r, uint32_t a, uint32_t b)
{
    for (uint32_t j = a; j < b; j++)
        if (r->f->insts.v[j].clob)
            return true;
    return false;
}

static void queue_tiny(lsra *r, const rtiny *t, uint32_t now, unsigned p)
{
    ir_vec_push(&r->tiny, *t);
    if (t->sg.e <= now && p != CG_NONE) {
        tiny_assign(r, t, p);
        take(r, p, r->nv + r->tiny.n - 1, false);
    } else {
        heap_push(r, r->tiny.n - 1);
    }
}

/* Spill v.  Its uses and defs then get registers in short intervals: a
 * run of them within a block, with no clobbering instruction inside and at
 * most 32 instructions long, shares one (loaded at its start, stored after
 * each def); a fixed def ends a run (it goes to the slot).  Those ending by
 * `now` take p (v held it there), later ones queue. */
static void spill(lsra *r, uint32_t v, uint32_t now, unsigned p)
{
    r->loc[v] = RA_SPILL;
    rtiny cur = {v, CG_NONE, 0, {0, 0}};
    bool open = false, needs = false;
    for (uint32_t k = r->ostart[v]; k < r->ostart[v + 1];) {
        uint32_t i = r->occs[k].inst;
        bool use = false, def = false, fuse = false, fdef = false;
        for (; k < r->ostart[v + 1] && r->occs[k].inst == i; k++) {
            uint32_t op = r->occs[k].op;
            if (op >= RA_ARG)
                continue;
            const cg_operand *o = opnd(r, op);
            r->iflag[i] |= IF_SPILL;
            if (o->cons == CG_FIXED)
                fuse |= o->kind == CG_USE, fdef |= o->kind != CG_USE;
            else
                use |= o->kind != CG_DEF, def |= o->kind != CG_USE;
        }
        if (!use && !def && !fuse) {
            if (fdef && open && needs)
                queue_tiny(r, &cur, now, p);
            open = open && !fdef;
            continue;
        }
        uint32_t s0 = use || fuse ? 2 * i : 2 * i + 1, e0 = def ? 2 * i + 2 : 2 * i + 1;
        bool join = open && r->iblk[i] == r->iblk[cur.last] && i - cur.inst <= 32 &&
                    !clobbers_in(r, cur.last, i) && !(cur.sg.s < now && s0 >= now);
        if (open && !join && needs)
            queue_tiny(r, &cur, now, p);
        if (!join)
            cur = (rtiny){v, i, i, {s0, e0}}, open = true, needs = false;
        cur.last = i;
        if (e0 > cur.sg.e)
            cur.sg.e = e0;
        needs |= use || def;
        if (fdef) {
            if (needs)
                queue_tiny(r, &cur, now, p);
            open = false;
        }
    }
    if (open && needs)
        queue_tiny(r, &cur, now, p);
}

/* Would spilling x now leave one of its tiny intervals across `now`?  Its
 * occurrences are in instruction order: a binary search to those at now's
 * instruction (a value used 400,000 times is asked at each eviction). */
static bool straddles(const lsra *r, uint32_t x, uint32_t now)
{
    if (!(now & 1))
        return false;
    uint32_t i = now / 2, lo = first_occ_from(r, x, i);
    for (uint32_t k = lo; k < r->ostart[x + 1] && r->occs[k].inst == i; k++) {
        if (r->occs[k].op >= RA_ARG)
            continue;
        const cg_operand *o = opnd(r, r->occs[k].op);
        if (o->cons != CG_FIXED && o->kind != CG_DEF)
            return true;
    }
    return false;
}

/* The register of the reused operand at its instruction, if it dies there. */
static unsigned reuse_hint(const lsra *r, uint32_t srcop, uint32_t i)
{
    uint32_t x = V(opnd(r, srcop)->reg);
    if (r->loc[x] == RA_SPILL)
        return r->f->allocs.v[srcop];
    if (r->loc[x] < 64 && seg_end(r, x, 2 * i) <= 2 * i + 1)
        return r->loc[x];
    return CG_NONE;
}

/* A register for interval id (vreg v, class cls; its first segment may
 * move to the uses' position: see below).  reuse: the operand index of the
 * use a def at the interval's start reuses, or CG_NONE.  If none is free,
 * evicts the intervals holding the register whose total weight is least
 * and below w.  CG_NONE: id itself should spill. */
static unsigned choose1(lsra *r, uint32_t id, uint32_t v, unsigned cls, uint32_t reuse, double w);

static unsigned choose(lsra *r, uint32_t id, uint32_t v, unsigned cls, uint32_t reuse, double w)
{
    unsigned p = choose1(r, id, v, cls, reuse, w);
    if (id >= r->nv)    /* choose1 worked on a copy: spilling may move the tiny ones */
        r->tiny.v[id - r->nv].sg = r->cur;
    return p;
}

static unsigned choose1(lsra *r, uint32_t id, uint32_t v, unsigned cls, uint32_t reuse, double w)
{
    uint32_t n = 1;
    rseg *sg = &r->cur;
    if (id < r->nv)
        sg = &r->segs.v[r->sstart[id]], n = r->sstart[id + 1] - r->sstart[id];
    else
        r->cur = r->tiny.v[id - r->nv].sg;
    r->cb[0].sg = r->cb[1].sg = NULL;
    r->qplain = id < r->nv && !r->vfixed[v];
    if (r->occ)
        r->nq = seg_words(sg, n, r->q);
    if (reuse != CG_NONE) {
        unsigned h = reuse_hint(r, reuse, sg[0].s / 2);
        if (h != CG_NONE && fits(r, h, cls, v, sg, n))
            return h;
        /* the copy into the def's register is made before the instruction:
         * live from the uses' position (intervals that ended there are
         * still in the lists, pruned one position late) */
        if (r->occ && (sg[0].s & 1))    /* the same word */
            r->q[0].m |= BIT((sg[0].s - 1) % 64);
        sg[0].s &= ~1u;
    }
    uint32_t hv = r->hintv[v];
    if (hv != CG_NONE && r->loc[hv] < 64 && fits(r, r->loc[hv], cls, v, sg, n))
        return r->loc[hv];
    if (r->hintp[v] != 0xff && fits(r, r->hintp[v], cls, v, sg, n))
        return r->hintp[v];
    /* the hinted vreg comes later (an argument passed back to this
     * parameter): prefer a register its fixed constraints allow too */
    if (hv != CG_NONE && r->loc[hv] == CG_NONE && f_cls(r, hv) == cls) {
        uint32_t hn = r->sstart[hv + 1] - r->sstart[hv];
        const rseg *hs = &r->segs.v[r->sstart[hv]];
        rwm hq[OCC_MAXW];
        uint32_t nhq = r->occ ? seg_words(hs, hn, hq) : 0;
        for (unsigned k = 0; k < r->norder[cls]; k++) {
            unsigned p = r->order[cls][k];
            bool ok = !((!r->occ || words_hit(r->fbit + (size_t)p * r->ow, hq, nhq)) &&
                        ((r->occ && !r->vfixed[hv]) || fixed_conflict_segs(r, p, hv, hs, hn)));
            if (ok && fits_allocable(r, p, v, sg, n))
                return p;
        }
    }
    if (r->occ) {   /* fits_allocable's test, with q and the counts in locals */
        const uint64_t *occ = r->occ, *fb = r->fbit;
        const rwm *q = r->q;
        uint32_t ow = r->ow, nq = r->nq;
        bool plain = r->qplain;
        for (unsigned k = 0, no = r->norder[cls]; k < no; k++) {
            unsigned p = r->order[cls][k];
            if (words_hit(occ + (size_t)p * ow, q, nq) ||
                (words_hit(fb + (size_t)p * ow, q, nq) && (plain || fixed_conflict_segs(r, p, v, sg, n))))
                continue;
            r->work -= k + 1;
            return p;
        }
        r->work -= r->norder[cls];
    } else {
        for (unsigned k = 0; k < r->norder[cls]; k++) {
            unsigned p = r->order[cls][k];
            if (fits_allocable(r, p, v, sg, n))
                return p;
        }
    }
    /* evict: the register whose conflicting intervals weigh least */
    unsigned best = CG_NONE;
    double bw = w;
    uint32_t now = sg[0].s;
    for (unsigned k = 0; k < r->norder[cls]; k++) {
        unsigned p = r->order[cls][k];
        bool bad = (!r->occ || words_hit(r->fbit + (size_t)p * r->ow, r->q, r->nq)) &&
                   ((r->occ && r->qplain) || fixed_conflict_segs(r, p, v, sg, n));
        double sum = 0;
        for (uint32_t l = r->head[p]; l != CG_NONE && !bad; l = r->nodes.v[l].next, r->work--) {
            uint32_t x = r->nodes.v[l].id, xn;
            const rseg *xs = segs_of(r, x, &xn);
            if (!intersect(r, sg, n, xs, xn))
                continue;
            if (x >= r->nv || r->w[x] == HUGE_VAL || straddles(r, x, now))
                bad = true;
            else
                sum += r->w[x];
        }
        if (!bad && sum < bw)
            best = p, bw = sum;
    }
    if (best == CG_NONE)
        return CG_NONE;
    for (uint32_t *lk = &r->head[best]; *lk != CG_NONE;) {
        uint32_t x = r->nodes.v[*lk].id, xn;
        const rseg *xs = segs_of(r, x, &xn);
        if (!intersect(r, sg, n, xs, xn)) {
            lk = &r->nodes.v[*lk].next;
            continue;
        }
        uint32_t dead = *lk;
        *lk = r->nodes.v[dead].next;
        r->nodes.v[dead].next = r->free_node;
        r->free_node = dead;
        if (r->occ)     /* the intervals a register holds are disjoint */
            bits_set(r->occ + (size_t)best * r->ow, xs, xn, false);
        spill(r, x, now, best);
    }
    return best;
}

/* The bitmaps (see lsra.occ) if the function is small enough and has no
 * empty segment (which the lists' intersect would count as overlapping). */
static void occ_init(lsra *r, uint32_t npos)
{
    uint32_t ow = (npos + 63) / 64;
    r->occ = r->fbit = NULL;
    if (ow > OCC_MAXW || r->empty_seg)
        return;
    uint64_t *b = kbuf(K_BITS, 2 * 64 * (size_t)ow * sizeof *b);
    memset(b, 0, 2 * 64 * (size_t)ow * sizeof *b);
    r->occ = b, r->fbit = b + 64 * (size_t)ow, r->ow = ow;
    for (uint64_t m = r->fmask; m; m &= m - 1) {
        unsigned p = (unsigned)__builtin_ctzll(m);
        uint64_t *fb = r->fbit + (size_t)p * ow;
        for (uint32_t k = r->fstart[p]; k < r->fend[p]; k++)
            fb[r->fixes[k].pos / 64] |= BIT(r->fixes[k].pos % 64);
    }
    for (uint32_t k = 0; k < r->nclobs; k++) {
        uint32_t pos = 2 * r->clobs[k].inst;    /* even: pos + 1 is in the same word */
        for (uint64_t m = r->clobs[k].mask; m; m &= m - 1)
            r->fbit[(size_t)__builtin_ctzll(m) * ow + pos / 64] |= 3ull << (pos % 64);
    }
}

static void scan(lsra *r)
{
    cg_func *f = r->f;
    uint32_t nv = r->nv, npos = 2 * r->ni + 2;
    /* vregs by start: a counting sort (build_intervals counted) */
    uint32_t *cnt = r->cnt, *order = kbuf(K_ORDER, (nv + 1) * sizeof *order), n = 0;
    for (uint32_t p = 0; p < npos; p++)
        cnt[p + 1] += cnt[p];
    for (uint32_t v = 0; v < nv; v++)
        if (r->sstart[v] != r->sstart[v + 1])
            order[cnt[r->segs.v[r->sstart[v]].s]++] = v, n++;
    for (unsigned p = 0; p < 64; p++)
        r->head[p] = CG_NONE;
    occ_init(r, npos);
    uint32_t next = 0;
    while (r->ok && (next < n || r->heap.n)) {
        if (r->work < 0) {
            r->ok = false;
            break;
        }
        if (r->heap.n &&
            (next == n || r->tiny.v[r->heap.v[0]].sg.s <= r->segs.v[r->sstart[order[next]]].s)) {
            uint32_t t = heap_pop(r);
            /* a def reusing a use: that operand */
            uint32_t reuse = CG_NONE, v = r->tiny.v[t].v, i = r->tiny.v[t].inst;
            const cg_inst *in = &f->insts.v[i];
            for (uint32_t k = 0; k < in->nopnd && r->tiny.v[t].sg.s & 1; k++) {
                const cg_operand *o = opnd(r, in->opnd + k);
                if (o->reg == CG_VREG0 + v && o->cons == CG_REUSE && o->kind != CG_USE)
                    reuse = in->opnd + o->fix;
            }
            bool run = r->tiny.v[t].last > i;
            unsigned p = choose(r, nv + t, v, f->vcls.v[v], reuse, run ? 0 : HUGE_VAL);
            if (p == CG_NONE && run) {
                /* no register free for the run: one interval per instruction */
                rtiny whole = r->tiny.v[t];
                for (uint32_t j = whole.inst; j <= whole.last; j++) {
                    const cg_inst *jn = &f->insts.v[j];
                    bool use = false, def = false;
                    for (uint32_t k = 0; k < jn->nopnd; k++) {
                        const cg_operand *o = opnd(r, jn->opnd + k);
                        if (o->reg == CG_VREG0 + v && o->cons != CG_FIXED)
                            use |= o->kind != CG_DEF, def |= o->kind != CG_USE;
                    }
                    if (use || def) {
                        rtiny one = {v, j, j, {use ? 2 * j : 2 * j + 1, def ? 2 * j + 2 : 2 * j + 1}};
                        ir_vec_push(&r->tiny, one);
                        heap_push(r, r->tiny.n - 1);
                    }
                }
                continue;
            }
            if (p == CG_NONE) {
                r->ok = false;
                break;
            }
            take(r, p, nv + t, true);
            tiny_assign(r, &r->tiny.v[t], p);
            continue;
        }
        uint32_t v = order[next++];
        unsigned p = choose(r, v, v, f->vcls.v[v], r->rsrc[v], r->w[v]);
        if (p == CG_NONE) {
            spill(r, v, r->segs.v[r->sstart[v]].s, CG_NONE);
            continue;
        }
        r->loc[v] = p;
        take(r, p, v, true);
    }
}

/* ---- entry ------------------------------------------------------------------- */

bool cg_regalloc_linear(cg_ctx *c)
{
    cg_func *f = &c->f;
    lsra r;
    memset(&r, 0, offsetof(lsra, fstart));  /* the per-preg arrays are set before use */
    r.c = c, r.f = f, r.isa = c->isa, r.ops = f->opnds.v, r.nv = f->vcls.n, r.ni = f->insts.n, r.nb = f->blocks.n;
    r.ok = true, r.free_node = CG_NONE, r.cycle_budget = 64;
    r.work = 64 * ((int64_t)f->insts.n + f->opnds.n + f->blocks.n) + 100000;
    uint32_t nv = r.nv, nb = r.nb, npreds = 0;
    for (uint32_t b = 0; b < nb; b++)
        npreds += f->blocks.v[b].nsuccs;
    size_t words = (size_t)f->nlabels + 2 * (size_t)r.ni + npreds + 8 * ((size_t)nv + 1) + 8 * ((size_t)nb + 1);
    uint32_t *m = kbuf(K_MEM, (words + 1) * sizeof *m);
    double *dmem = kbuf(K_DMEM, ((size_t)nb + nv + 2) * sizeof *dmem);
    uint8_t *hp = kbuf(K_HINTP, 2 * (size_t)nv + 2);
    r.via = kbuf(K_VIA, 2 * (size_t)f->opnds.n + 2);
    r.iflag = kbuf(K_IFLAG, (size_t)r.ni + 1);
    r.reload = r.via + f->opnds.n + 1;
    memset(r.via, 0xff, f->opnds.n + 1);
    memset(r.reload, 0, f->opnds.n + 1);
#define TAKE(n) (m += (n), m - (n))
    r.blk_of = TAKE(f->nlabels);
    r.iblk = TAKE(r.ni);
    r.fixi = TAKE(r.ni);
    r.preds = TAKE(npreds);
    r.pstart = TAKE(nb + 1);
    r.bmark = TAKE(nb + 1);
    r.bdef = TAKE(nb + 1);
    r.stack = TAKE(nb + 1);
    r.bseen = TAKE(nb + 1);
    r.blo = TAKE(nb + 1);
    r.bhi = TAKE(nb + 1);
    r.touched = TAKE(nb + 1);
    r.ostart = TAKE(nv + 1);
    r.ndef = TAKE(nv + 1);      /* after ostart: one memset */
    r.sstart = TAKE(nv + 1);
    r.hintv = TAKE(nv + 1);     /* these four CG_NONE: one memset */
    r.rsrc = TAKE(nv + 1);
    r.loc = TAKE(nv + 1);
    r.slot = TAKE(nv + 1);
    r.mark = TAKE(nv + 1);
#undef TAKE
    r.freq = dmem;
    r.w = dmem + nb + 1;
    r.hintp = hp;
    r.vfixed = hp + nv + 1;
    r.segs.v = keep.segs.v, r.segs.cap = keep.segs.cap;
    r.nodes.v = keep.nodes.v, r.nodes.cap = keep.nodes.cap;
    r.tiny.v = keep.tiny.v, r.tiny.cap = keep.tiny.cap;
    r.heap.v = keep.heap.v, r.heap.cap = keep.heap.cap;
    memset(r.hintv, 0xff, 4 * ((size_t)nv + 1) * sizeof *r.hintv);
    memset(hp, 0xff, nv);
    memset(r.vfixed, 0, nv);
    /* the isas are static: their allocable sets once per (isa, reserved) */
    static _Thread_local struct {
        const cg_isa *isa;
        uint64_t reserved, m[CG_NCLS];
        uint8_t order[CG_NCLS][64], n[CG_NCLS];
    } alc;
    if (alc.isa != c->isa || alc.reserved != f->reserved) {
        for (unsigned k = 0; k < CG_NCLS; k++) {
            alc.m[k] = 0;
            for (unsigned i = 0; i < c->isa->nalloc[k]; i++)
                alc.m[k] |= BIT(c->isa->alloc_order[k][i]);
            alc.m[k] &= ~f->reserved;
            alc.n[k] = 0;
            for (unsigned i = 0; i < c->isa->nalloc[k]; i++) {
                unsigned p = c->isa->alloc_order[k][i];
                if (p < 64 && (alc.m[k] & BIT(p)) && alc.n[k] < 64)
                    alc.order[k][alc.n[k]++] = (uint8_t)p;
            }
        }
        alc.isa = c->isa, alc.reserved = f->reserved;
    }
    memcpy(r.allocable, alc.m, sizeof r.allocable);
    for (unsigned k = 0; k < CG_NCLS; k++)
        r.order[k] = alc.order[k], r.norder[k] = alc.n[k];
    ir_vec_reserve(&f->allocs, f->opnds.n);
    f->allocs.n = f->opnds.n;
    f->edits.n = 0;
    f->dirty = 0;
    bool ok = build_cfg(&r) && build_occs(&r);
    if (ok) {
        build_fixes(&r);
        ok = build_intervals(&r);
    }
    if (ok) {
        scan(&r);
        ok = r.ok;
    }
    if (ok)
        cg_ra_rewrite(&r);
    f->nspill = r.nslots;
    keep.segs.v = r.segs.v, keep.segs.cap = r.segs.cap;
    keep.nodes.v = r.nodes.v, keep.nodes.cap = r.nodes.cap;
    keep.tiny.v = r.tiny.v, keep.tiny.cap = r.tiny.cap;
    keep.heap.v = r.heap.v, keep.heap.cap = r.heap.cap;
    keep_trim();
    if (!ok) {
        f->edits.n = 0;
        f->dirty = 0;
        if (getenv("CLIFRUN_RADEBUG"))
            fprintf(stderr, "regalloc: linear scan gave up on %s; block-local allocation\n",
                    c->fn && c->fn->name.str ? c->fn->name.str : "?");
    }
    return ok;
}
