/* The code buffer: bytes, labels and fixups, trap islands and records,
 * the constant pool, relocation records.  Branches with a short form
 * (cg_isa.fix_short) are emitted long and relaxed here; a branch out of
 * range makes cg_buf_finish report it, and the target may emit the
 * function again with long forms. */
#include "cg.h"

#include <string.h>

/* The labels and fixups of the last function on this thread, for the next:
 * most functions are small, and compiling many should not be mostly malloc. */
static _Thread_local struct {
    IR_VEC(uint32_t) labels;
    IR_VEC(cg_fixup) fixups;
} spare;

void cg_buf_init(cg_buf *b, cg_output *out, uint32_t nlabels, bool listing)
{
    /* not the whole struct: island[] is only read where island_used says */
    b->out = out;
    b->labels.v = spare.labels.v, b->labels.cap = spare.labels.cap, b->labels.n = 0;
    b->fixups.v = spare.fixups.v, b->fixups.cap = spare.fixups.cap, b->fixups.n = 0;
    spare.labels.v = NULL, spare.fixups.v = NULL;
    spare.labels.cap = spare.fixups.cap = 0;
    ir_vec_reserve(&b->labels, nlabels);
    for (uint32_t i = 0; i < nlabels; i++)
        b->labels.v[i] = CG_NONE;
    b->labels.n = nlabels;
    memset(b->island_used, 0, sizeof b->island_used);
    b->out_of_range = false;
    b->listing = listing;
    b->mark_ir = CG_NONE;
    out->marks.n = out->data.n = 0;
}

void cg_buf_free(cg_buf *b)
{
    ir_vec_free(&spare.labels);
    ir_vec_free(&spare.fixups);
    spare.labels.v = b->labels.v, spare.labels.cap = b->labels.cap;
    spare.fixups.v = b->fixups.v, spare.fixups.cap = b->fixups.cap;
    b->labels.v = NULL, b->fixups.v = NULL;
    b->labels.n = b->labels.cap = b->fixups.n = b->fixups.cap = 0;
}

void cg_put2(cg_buf *b, unsigned x)
{
    cg_put1(b, x & 0xff);
    cg_put1(b, (x >> 8) & 0xff);
}

void cg_put4(cg_buf *b, uint32_t x)
{
    ir_vec_reserve(&b->out->code, 4);
    uint8_t *p = b->out->code.v + b->out->code.n;
    p[0] = (uint8_t)x, p[1] = (uint8_t)(x >> 8), p[2] = (uint8_t)(x >> 16), p[3] = (uint8_t)(x >> 24);
    b->out->code.n += 4;
}

void cg_put8(cg_buf *b, uint64_t x)
{
    cg_put4(b, (uint32_t)x);
    cg_put4(b, (uint32_t)(x >> 32));
}

uint32_t cg_buf_new_label(cg_buf *b)
{
    ir_vec_push(&b->labels, CG_NONE);
    return b->labels.n - 1;
}

void cg_buf_bind(cg_buf *b, uint32_t label)
{
    b->labels.v[label] = cg_buf_off(b);
}

void cg_buf_trap(cg_buf *b, uint32_t code)
{
    ir_vec_push(&b->out->traps, ((jit_trap){cg_buf_off(b), code}));
}

void cg_buf_reloc(cg_buf *b, uint32_t at, jit_reloc_kind kind, const char *sym, int64_t addend,
                  uint32_t line, uint32_t col)
{
    ir_vec_push(&b->out->relocs, ((jit_reloc){at, kind, addend, sym, line, col}));
}


void cg_buf_data(cg_buf *b, uint32_t off, uint32_t len, unsigned kind)
{
    if (len && b->listing)
        ir_vec_push(&b->out->data, ((cg_data){off, len, (uint8_t)kind, 0}));
}

uint32_t cg_buf_island(cg_buf *b, uint32_t code)
{
    if (code >= sizeof b->island / sizeof b->island[0])
        code = IR_TRAP_USER + 255;
    if (!(b->island_used[code / 64] >> (code % 64) & 1)) {
        b->island_used[code / 64] |= 1ull << (code % 64);
        b->island[code] = cg_buf_new_label(b);
    }
    return b->island[code];
}

static void put_le32(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t)x, p[1] = (uint8_t)(x >> 8), p[2] = (uint8_t)(x >> 16), p[3] = (uint8_t)(x >> 24);
}

/* ---- branch relaxation ----------------------------------------------------
 * Branches with a short form (x86-64's jmp and jcc rel32 -> rel8: 3 and 4
 * bytes shorter) whose target turns out to be within its reach shrink.
 * Starting from all long, passes shrink what fits until nothing more does
 * (shrinking only brings targets closer, so a branch that fits stays
 * fitting); then the code is compacted and every offset remapped. */

typedef cg_fix_short shrink;    /* removed [rm, rm+len) */

/* The candidates in position order (fixup order), non-overlapping; pre[k]:
 * the bytes the shrunk ones before k remove (pre[n]: all of them). */
static void prefix(const shrink *cand, const uint8_t *isshort, uint32_t n, uint32_t *pre)
{
    pre[0] = 0;
    for (uint32_t k = 0; k < n; k++)
        pre[k + 1] = pre[k] + (isshort[k] ? cand[k].len : 0);
}

/* Bytes removed before offset x, from candidate *k on: the offsets asked
 * mostly come in order (or near it), so k moves from the last answer. */
static uint32_t removed(const shrink *cand, const uint32_t *pre, uint32_t n, uint32_t *k, uint32_t x)
{
    uint32_t i = *k;
    while (i < n && cand[i].rm < x)
        i++;
    while (i > 0 && cand[i - 1].rm >= x)
        i--;
    *k = i;
    return pre[i];
}

/* removed() from every stride-th offset of x (n of them). */
static void map_all(const shrink *cand, const uint32_t *pre, uint32_t nc, uint32_t *x, uint32_t n, size_t stride)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++, x = (uint32_t *)((char *)x + stride))
        *x -= removed(cand, pre, nc, &k, *x);
}

static void relax(cg_buf *b, const cg_isa *isa)
{
    uint32_t nf = b->fixups.n, nr = 0;
    if (!isa->fix_short || !nf)
        return;
    /* most functions have few branches: their scratch on the stack (sized
     * by the fixups, the candidates' bound).  The candidates' short forms
     * are asked for once: a fixup's own offsets do not move while the
     * passes decide */
    enum { NS = 64 };
    uint8_t isshort_[NS];
    shrink cand_[NS];
    uint32_t pre_[NS + 1], idx_[NS];
    bool heap = nf > NS;
    shrink *cand = heap ? ir_xmalloc(nf * sizeof *cand) : cand_;
    uint32_t *idx = heap ? ir_xmalloc(nf * sizeof *idx) : idx_;
    for (uint32_t i = 0; i < nf; i++)
        if (isa->fix_short(&b->fixups.v[i], &cand[nr]))
            idx[nr++] = i;
    uint8_t *isshort = heap ? ir_xcalloc(nr + 1, 1) : memset(isshort_, 0, nr);
    uint32_t *pre = heap ? ir_xmalloc((nr + 1) * sizeof *pre) : pre_;
    if (!nr)
        goto done;
    /* Jacobi passes: each decides from the shrinks of the passes before */
    bool changed = true;
    const uint32_t *lab = b->labels.v, nl = b->labels.n;
    for (int pass = 0; pass < 8 && changed; pass++) {
        prefix(cand, isshort, nr, pre);
        changed = false;
        uint32_t cl = 0, ce = 0;    /* cursors of removed() */
        uint32_t left = 0;          /* long ones this pass leaves: none, no next pass */
        for (uint32_t k = 0; k < nr; k++) {
            const cg_fixup *x = &b->fixups.v[idx[k]];
            uint32_t l = x->label < nl ? lab[x->label] : CG_NONE;
            if (isshort[k] || l == CG_NONE)
                continue;
            /* the distance once this one shrinks too; its end is within
             * it, past its own removed bytes and before the next one's */
            const shrink *m = &cand[k];
            int64_t t = (int64_t)l - removed(cand, pre, nr, &cl, l) - (l > m->rm ? m->len : 0);
            bool inside = m->end > m->rm && (k + 1 == nr || cand[k + 1].rm >= m->end);
            int64_t e = inside ? (int64_t)m->end - pre[k] - m->len
                               : (int64_t)m->end - removed(cand, pre, nr, &ce, m->end) - (m->end > m->rm ? m->len : 0);
            if (t - e >= m->min && t - e <= m->max)
                isshort[k] = 1, changed = true;
            else
                left++;
        }
        if (!left)
            break;
    }
    if (changed)    /* else the last pass's prefix is current */
        prefix(cand, isshort, nr, pre);
    if (!pre[nr])
        goto done;
    uint32_t ca = 0, cd = 0;    /* cursors: fixup offsets, DIFF32 bases */
#define MAP(c, x) ((x) - removed(cand, pre, nr, &(c), (x)))
    for (uint32_t i = 0, k = 0; i < nf; i++) {
        cg_fixup *x = &b->fixups.v[i];
        bool c = k < nr && idx[k] == i;
        if (c && isshort[k]) {
            x->at = MAP(ca, cand[k].at);
            k++;
            continue;
        }
        k += c;
        if (x->kind == CG_FIX_DIFF32)
            x->addend = (int32_t)MAP(cd, (uint32_t)x->addend);
        x->at = MAP(ca, x->at);
    }
    uint32_t cb = 0;    /* labels: bound mostly in their order */
    for (uint32_t l = 0; l < b->labels.n; l++)
        if (b->labels.v[l] != CG_NONE)
            b->labels.v[l] = MAP(cb, b->labels.v[l]);
    cg_output *o = b->out;
    if (o->relocs.n)
        map_all(cand, pre, nr, &o->relocs.v->offset, o->relocs.n, sizeof *o->relocs.v);
    if (o->traps.n)
        map_all(cand, pre, nr, &o->traps.v->offset, o->traps.n, sizeof *o->traps.v);
    map_all(cand, pre, nr, o->marks.v, o->marks.n / 2, 2 * sizeof *o->marks.v);
    for (uint32_t i = 0; i < o->data.n; i++)
        o->data.v[i].off = MAP(cd, o->data.v[i].off);
#undef MAP
    /* compact: copy around the removed bytes, then rewrite the short forms */
    uint8_t *code = o->code.v;
    uint32_t w = 0, r = 0;
    for (uint32_t k = 0; k < nr; k++) {
        if (!isshort[k])
            continue;
        memmove(code + w, code + r, cand[k].rm - r);
        w += cand[k].rm - r;
        r = cand[k].rm + cand[k].len;
    }
    memmove(code + w, code + r, o->code.n - r);
    o->code.n = w + (o->code.n - r);
    for (uint32_t k = 0; k < nr; k++)
        if (isshort[k])
            isa->fix_shorten(code, &b->fixups.v[idx[k]]);
done:
    if (heap) {
        free(isshort);
        free(cand);
        free(pre);
        free(idx);
    }
}

static int cmp_data(const void *a, const void *b)
{
    const cg_data *x = a, *y = b;
    return x->off != y->off ? (x->off < y->off ? -1 : 1) : x->kind != y->kind ? (x->kind < y->kind ? -1 : 1) : 0;
}

bool cg_buf_finish(cg_buf *b, cg_ctx *c, const uint8_t *trap_insn, unsigned trap_len)
{
    cg_buf_mark(b, CG_NONE);
    /* one out-of-line trap per code: conditional traps jump here */
    for (uint32_t w = 0; w < sizeof b->island_used / sizeof b->island_used[0]; w++) {
        for (uint64_t m = b->island_used[w]; m; m &= m - 1) {
            uint32_t code = 64 * w + (uint32_t)__builtin_ctzll(m);
            cg_buf_bind(b, b->island[code]);
            cg_buf_trap(b, code);
            for (unsigned i = 0; i < trap_len; i++)
                cg_put1(b, trap_insn[i]);
        }
    }
    relax(b, c->isa);
    /* the constant pool after the code, so no relocation is needed */
    cg_func *f = &c->f;
    for (uint32_t i = 0; i < f->consts.n; i++) {
        cg_const *k = &f->consts.v[i];
        uint32_t pad = cg_buf_off(b);
        while (cg_buf_off(b) & (k->align - 1))
            cg_put1(b, 0);
        cg_buf_data(b, pad, cg_buf_off(b) - pad, CG_DATA_PAD);
        cg_buf_data(b, cg_buf_off(b), k->size, CG_DATA_CONST);
        cg_buf_bind(b, k->label);
        ir_vec_reserve(&b->out->code, k->size);
        memcpy(b->out->code.v + b->out->code.n, f->cbytes.v + k->off, k->size);
        b->out->code.n += k->size;
    }
    uint8_t *code = b->out->code.v;
    for (uint32_t i = 0; i < b->fixups.n; i++) {
        cg_fixup *x = &b->fixups.v[i];
        uint32_t l = b->labels.v[x->label];
        if (l == CG_NONE) {
            ir_diag_set(c->d, c->fn->line, c->fn->col, "internal error: unbound label %u", x->label);
            return false;
        }
        if (x->kind == CG_FIX_DIFF32) {
            put_le32(code + x->at, (uint32_t)((int64_t)l - x->addend));
            if (b->listing)
                ir_vec_push(&b->out->data, ((cg_data){x->at, 4, CG_DATA_OFFSET32, (uint32_t)x->addend}));
        } else if (!c->isa->fix_patch(code, x->at, x->kind, (int64_t)l + x->addend - x->at)) {
            b->out_of_range = true;
            /* a limit of the code's size (long branch forms are tried
             * next), not a bug: a literal or branch past its reach */
            ir_diag_set(c->d, c->fn->line, c->fn->col,
                        "code too large: a branch or literal load %u bytes into %u bytes of code is "
                        "out of its reach (bb_padding_log2_minus_one?)", x->at, b->out->code.n);
            return false;
        }
    }
    if (b->out->data.n > 1)
        qsort(b->out->data.v, b->out->data.n, sizeof *b->out->data.v, cmp_data);
    return true;
}
