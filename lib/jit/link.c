/* Relocations for both targets (always compiled in), module layout, PLT
 * stubs and the GOT.  Like TinyCC's x86_64-link.c/arm64-link.c, every kind
 * checks its range and reports instead of asserting.
 *
 * Module layout, one allocation:
 *   image  (RX)  functions | stubs | GOT
 *   rodata (R)   read-only data objects   } pages of their own after
 *   data   (RW)  writable data objects    } the image, if there are any
 * Stubs: x86-64 `jmp *[rip+got]`, AArch64 `adrp x16; ldr x16; br x16`.
 * The image is written in a staging buffer at link and copied into place
 * by finalize, so modules without writable data pack next to each other,
 * sharing pages, and many modules take few mappings; a large image's
 * staging mapping is moved into place instead (mem.c: jit_stage_grow),
 * its place then starting a page.
 * A call whose target is out of range is redirected to the callee's stub
 * at the end of its own text; the stub loads the target from the GOT. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { R_OK, R_RANGE, R_BAD };

static const char *const reloc_names[] = {
#define X(name, arch, cls, elf) #name,
    JIT_RELOCS(X)
#undef X
};
const uint8_t jit_reloc_arch[] = {
#define X(name, arch, cls, elf) arch,
    JIT_RELOCS(X)
#undef X
};
const uint8_t jit_reloc_cls[] = {
#define CALL CLS_CALL
#define GOT CLS_GOT
#define DATA CLS_DATA
#define X(name, arch, cls, elf) cls,
    JIT_RELOCS(X)
#undef X
#undef CALL
#undef GOT
#undef DATA
};

const char *jit_reloc_name(jit_reloc_kind k)
{
    return (unsigned)k < JIT_R_COUNT ? reloc_names[k] : "?";
}

/* Little-endian fields whatever the host. */
static uint32_t rd32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}
static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

#define WHY(...) (snprintf(why, whyn, __VA_ARGS__))

/* Encode X (= S+A) into the field at loc (address P).  R_RANGE is the one
 * failure a stub can fix; `why` says what was wrong. */
static int apply(jit_reloc_kind k, uint8_t *loc, uint64_t P, uint64_t X, char *why, size_t whyn)
{
    int64_t d = (int64_t)(X - P);
    char db[48];
    uint32_t insn = k == JIT_R_ABS8 ? 0 : rd32(loc);
    switch (k) {
    case JIT_R_ABS8:
        wr64(loc, X);
        return R_OK;
    case JIT_R_X86_CALL_PCREL4:
    case JIT_R_X86_PCREL4:
    case JIT_R_X86_GOTPCREL4:
        if (d < INT32_MIN || d > INT32_MAX)
            return WHY("distance %s exceeds ±2 GiB", jit_fmt_dist(db, d)), R_RANGE;
        wr32(loc, (uint32_t)d);
        return R_OK;
    case JIT_R_A64_CALL26:
    case JIT_R_A64_JUMP26:
        if ((insn & 0x7C000000) != 0x14000000)
            return WHY("instruction 0x%08x is not b or bl", insn), R_BAD;
        if (d & 3)
            return WHY("target 0x%llx is not 4-byte aligned", (unsigned long long)X), R_BAD;
        if (d < -((int64_t)1 << 27) || d >= ((int64_t)1 << 27))
            return WHY("distance %s exceeds ±128 MiB", jit_fmt_dist(db, d)), R_RANGE;
        wr32(loc, (insn & 0xFC000000) | ((uint32_t)(d >> 2) & 0x03FFFFFF));
        return R_OK;
    case JIT_R_A64_ADR_PREL_PG_HI21:
    case JIT_R_A64_ADR_GOT_PAGE: {
        if ((insn & 0x9F000000) != 0x90000000)
            return WHY("instruction 0x%08x is not adrp", insn), R_BAD;
        int64_t pg = (int64_t)((X & ~(uint64_t)0xfff) - (P & ~(uint64_t)0xfff)) >> 12;
        if (pg < -((int64_t)1 << 20) || pg >= ((int64_t)1 << 20))
            return WHY("page distance %s exceeds ±4 GiB", jit_fmt_dist(db, pg * 4096)), R_RANGE;
        uint32_t imm = (uint32_t)pg & 0x1FFFFF;
        wr32(loc, (insn & 0x9F00001F) | (imm & 3) << 29 | (imm >> 2) << 5);
        return R_OK;
    }
    case JIT_R_A64_ADD_ABS_LO12_NC:
        if ((insn & 0x7F800000) != 0x11000000)
            return WHY("instruction 0x%08x is not add (immediate)", insn), R_BAD;
        wr32(loc, (insn & ~0x007FFC00u) | (uint32_t)(X & 0xfff) << 10);   /* sh = 0 */
        return R_OK;
    case JIT_R_A64_LDST8_ABS_LO12_NC:
    case JIT_R_A64_LDST16_ABS_LO12_NC:
    case JIT_R_A64_LDST32_ABS_LO12_NC:
    case JIT_R_A64_LDST64_ABS_LO12_NC:
    case JIT_R_A64_LDST128_ABS_LO12_NC:
    case JIT_R_A64_LD64_GOT_LO12_NC: {
        unsigned sh = k == JIT_R_A64_LD64_GOT_LO12_NC ? 3 : (unsigned)(k - JIT_R_A64_LDST8_ABS_LO12_NC);
        if ((insn & 0x3B000000) != 0x39000000)
            return WHY("instruction 0x%08x is not a load/store with unsigned offset", insn), R_BAD;
        uint32_t lo = (uint32_t)(X & 0xfff);
        if (lo & ((1u << sh) - 1))
            return WHY("target 0x%llx is not %u-byte aligned as the access needs",
                       (unsigned long long)X, 1u << sh), R_BAD;
        wr32(loc, (insn & ~0x003FFC00u) | (lo >> sh) << 10);
        return R_OK;
    }
    case JIT_R_A64_MOVW_UABS_G0:
    case JIT_R_A64_MOVW_UABS_G0_NC:
    case JIT_R_A64_MOVW_UABS_G1:
    case JIT_R_A64_MOVW_UABS_G1_NC:
    case JIT_R_A64_MOVW_UABS_G2:
    case JIT_R_A64_MOVW_UABS_G2_NC:
    case JIT_R_A64_MOVW_UABS_G3: {
        unsigned i = k - JIT_R_A64_MOVW_UABS_G0, n = i / 2;   /* G0 G0_NC G1 ... G3: group 0..3 */
        bool checked = !(i & 1) && n < 3;
        if ((insn & 0x1F800000) != 0x12800000 || (insn & 0x60000000) == 0x20000000)
            return WHY("instruction 0x%08x is not movz/movk/movn", insn), R_BAD;
        if (!(insn >> 31) && n >= 2)
            return WHY("group %u needs a 64-bit move (0x%08x)", n, insn), R_BAD;
        if (checked && X >> 16 * (n + 1))
            return WHY("value 0x%llx does not fit in %u bits", (unsigned long long)X,
                       16 * (n + 1)), R_RANGE;
        uint32_t imm = (uint32_t)(X >> 16 * n) & 0xFFFF;
        wr32(loc, (insn & ~0x007FFFE0u) | n << 21 | imm << 5);     /* hw = group */
        return R_OK;
    }
    case JIT_R_COUNT:
        break;
    }
    return WHY("unknown relocation kind %d", (int)k), R_BAD;
}

bool jit_reloc_apply(jit_reloc_kind k, uint8_t *loc, uint64_t P, uint64_t X, jit_error *err)
{
    char why[200];
    if ((unsigned)k >= JIT_R_COUNT)
        return jit_fail(err, 0, 0, "unknown relocation kind %d", (int)k);
    if (apply(k, loc, P, X, why, sizeof why) == R_OK)
        return true;
    return jit_fail(err, 0, 0, "relocation %s at 0x%llx to 0x%llx: %s", reloc_names[k],
                    (unsigned long long)P, (unsigned long long)X, why);
}

/* ---- layout ------------------------------------------------------------------ */

static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) & ~(a - 1); }

static unsigned stub_size(const jit_module *m)
{
    return jit_arch_get(m->ctx->cfg.arch)->stub_size;
}

static int trap_cmp(const void *a, const void *b)
{
    uint32_t x = ((const jit_trap *)a)->offset, y = ((const jit_trap *)b)->offset;
    return (x > y) - (x < y);
}

bool jit_link_layout(jit_module *m, jit_error *err)
{
    jit_ctx *ctx = m->ctx;
    uint64_t near_code = jit_arch_get(ctx->cfg.arch)->near_code;
    uint64_t cur = 0, ro, data = 0;
    uint32_t nfns = 0;
    for (uint32_t i = 0; i < m->ndefs; i++)
        nfns += m->defs[i].kind == DEF_FUNC;
    if (nfns && !(m->fns = malloc(nfns * sizeof *m->fns)))
        return jit_fail(err, 0, 0, "out of memory");
    if (m->ntraps && !(m->mtraps = malloc(m->ntraps * sizeof *m->mtraps)))
        return jit_fail(err, 0, 0, "out of memory");
    for (uint32_t i = 0; i < m->ndefs; i++) {
        jit_def *d = &m->defs[i];
        if (d->kind != DEF_FUNC)
            continue;
        d->off = cur = align_up(cur, d->align);
        m->fns[m->nfns++] = (jit_fn_span){(uint32_t)cur, (uint32_t)d->size, i};
        for (uint32_t t = 0; t < d->ntrap; t++) {
            jit_trap tr = m->traps[d->trap0 + t];
            tr.offset += (uint32_t)cur;
            m->mtraps[m->nmtraps++] = tr;
        }
        cur += d->size;
        if (cur >= ((uint64_t)1 << 31))
            return jit_fail(err, d->line, 0, "module '%s' has more than 2 GiB of code",
                            m->name);
    }
    m->code_end = cur;
    /* Calls inside a module reach directly unless its code is so large
     * that one may not (AArch64's bl); then local callees get stubs too. */
    bool local_far = near_code && cur >= near_code;
    m->nstubs = m->ngot = 0;
    for (uint32_t i = 0; i < m->nsyms; i++) {
        jit_sym *s = &m->syms[i];
        s->stub = (s->flags & SYM_CALLED) && (s->def < 0 || local_far) ? (int32_t)m->nstubs++ : -1;
        s->got = s->stub >= 0 || (s->flags & SYM_GOT) ? (int32_t)m->ngot++ : -1;
    }
    m->stub_off = (uint32_t)align_up(cur, 16);
    /* text, stubs and GOT are one read+execute image: a module without
     * data objects is one range that packs next to others (no page of its
     * own, no mapping of its own) */
    m->text_size = align_up(m->stub_off + (uint64_t)m->nstubs * stub_size(m), 16);
    m->got_size = align_up((uint64_t)m->ngot * 8, 16);
    uint64_t align = JIT_GRAIN;
    ro = 0;
    for (uint32_t i = 0; i < m->ndefs; i++) {
        jit_def *d = &m->defs[i];
        if (d->kind == DEF_FUNC && d->align > align)
            align = d->align;
        if (d->kind == DEF_RODATA)
            d->off = ro = align_up(ro, d->align), ro += d->size;
        else if (d->kind == DEF_DATA)
            d->off = data = align_up(data, d->align), data += d->size;
    }
    m->ro_size = align_up(ro, ctx->page);
    m->data_size = align_up(data, ctx->page);
    uint64_t image = m->text_size + m->got_size;
    if (!image)
        image = m->text_size = 16;  /* an empty module still has an address */
    size_t extra = m->ro_size + m->data_size;  /* data objects: pages of their own */
    m->alloc_size = extra ? jit_page_up(ctx, image) + extra : image;
    if (extra || jit_stage_movable(ctx, m))
        align = ctx->page;
    if (!jit_mem_alloc(ctx, m->alloc_size, align, extra != 0, &m->region, &m->base, err))
        return false;
    if (extra && !jit_mem_commit(ctx, m->region, m->base + jit_page_up(ctx, image), extra, err))
        return false;
    uint8_t pad = jit_arch_get(ctx->cfg.arch)->pad;    /* a trap between functions (int3; udf #0) */
    if (!extra && m->bytes) {
        /* Only code: the bytes become the stage, each function moved up to
         * its place, the last first (a place is never below where its
         * bytes are) — no second copy of the code, no fresh pages for it.
         * jit_module_unlink moves them back. */
        if (!jit_stage_grow(m, image, true))
            return jit_fail(err, 0, 0, "out of memory");
        m->stage = m->bytes, m->bytes = NULL, m->staged = true;
        memset(m->stage + m->text_size, 0, image - m->text_size);
        uint64_t hi = m->text_size;     /* from here up: moved or filled */
        for (uint32_t i = m->ndefs; i-- > 0;) {
            const jit_def *d = &m->defs[i];
            if (d->kind != DEF_FUNC)
                continue;
            if (d->src != UINT64_MAX)
                memmove(m->stage + d->off, m->stage + d->src, d->size);
            memset(m->stage + d->off + d->size, pad, hi - d->off - d->size);
            hi = d->off;
        }
        memset(m->stage, pad, hi);
    } else {
        if (!(m->stage = malloc(image)))
            return jit_fail(err, 0, 0, "out of memory");
        memset(m->stage, pad, m->text_size);
        memset(m->stage + m->text_size, 0, image - m->text_size);
        for (uint32_t i = 0; i < m->ndefs; i++) {
            jit_def *d = &m->defs[i];
            if (d->src != UINT64_MAX)
                memcpy(jit_at(m, jit_def_addr(m, d)), m->bytes + d->src, d->size);
        }
    }
    /* Trap records usually arrive sorted; sort only when they do not. */
    for (uint32_t i = 1; i < m->nmtraps; i++)
        if (m->mtraps[i].offset < m->mtraps[i - 1].offset) {
            qsort(m->mtraps, m->nmtraps, sizeof *m->mtraps, trap_cmp);
            break;
        }
    m->st.base = m->base;
    m->st.text_bytes = m->text_size;
    m->st.rodata_bytes = m->ro_size;
    m->st.data_bytes = m->data_size;
    m->st.code_bytes = m->code_end;
    m->st.relocs = m->nrels;
    return true;
}

/* ---- resolution and patching ------------------------------------------------- */

static uint64_t got_addr(const jit_module *m, const jit_sym *s)
{
    return m->base + m->text_size + (uint64_t)s->got * 8;
}

static void got_fill(jit_module *m, jit_sym *s)
{
    if (s->got_used)
        return;
    wr64(jit_at(m, got_addr(m, s)), s->addr);
    s->got_used = true;
    m->st.got_used++;
}

static uint64_t stub_addr(const jit_module *m, const jit_sym *s)
{
    return m->base + m->stub_off + (uint64_t)s->stub * stub_size(m);
}

/* Write s's stub (once): it jumps to whatever s's GOT slot holds. */
static bool stub_fill(jit_module *m, jit_sym *s, jit_error *err)
{
    if (s->stub_used)
        return true;
    got_fill(m, s);
    uint64_t at = stub_addr(m, s), got = got_addr(m, s);
    uint8_t *p = jit_at(m, at);
    char why[200];
    int r;
    if (m->ctx->cfg.arch == JIT_ARCH_X86_64) {
        static const uint8_t tmpl[8] = {0xFF, 0x25, 0, 0, 0, 0, 0xCC, 0xCC}; /* jmp *[rip+d] */
        memcpy(p, tmpl, sizeof tmpl);
        r = apply(JIT_R_X86_PCREL4, p + 2, at + 2, got - 4, why, sizeof why);
    } else {
        wr32(p, 0x90000010);        /* adrp x16, got */
        wr32(p + 4, 0xF9400210);    /* ldr x16, [x16, #:lo12:got] */
        wr32(p + 8, 0xD61F0200);    /* br x16 */
        wr32(p + 12, 0);            /* udf #0 */
        r = apply(JIT_R_A64_ADR_GOT_PAGE, p, at, got, why, sizeof why);
        if (r == R_OK)
            r = apply(JIT_R_A64_LD64_GOT_LO12_NC, p + 4, at + 4, got, why, sizeof why);
    }
    if (r != R_OK)
        return jit_fail(err, s->line, s->col, "stub for '%s' in module '%s': %s",
                        jit_sym_name(m, s), m->name, why);
    s->stub_used = true;
    m->st.stubs_used++;
    return true;
}

static bool link_rel(jit_module *m, const jit_def *d, const jit_rel *rl, jit_error *err)
{
    jit_sym *s = &m->syms[rl->sym];
    const char *caller = jit_sym_name(m, &m->syms[d->sym]), *callee = jit_sym_name(m, s);
    if (!s->resolved && !jit_sym_resolve(m, s, err)) {
        if (err) {
            err->line = rl->line;
            err->col = rl->col;
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                     " (referenced from '%s' in module '%s')", caller, m->name);
        }
        return false;
    }
    uint64_t P = jit_def_addr(m, d) + rl->offset;
    uint8_t *loc = jit_at(m, P);
    uint64_t A = (uint64_t)rl->addend;
    char why[200], db[48];
    int cls = jit_reloc_cls[rl->kind], r;
    if (cls == CLS_GOT) {
        got_fill(m, s);
        r = apply(rl->kind, loc, P, got_addr(m, s) + A, why, sizeof why);
    } else {
        r = apply(rl->kind, loc, P, s->addr + A, why, sizeof why);
    }
    if (cls == CLS_CALL) {
        if (r == R_OK) {
            m->st.direct_calls++;
            return true;
        }
        if (r == R_RANGE && s->stub >= 0) {
            if (!stub_fill(m, s, err))
                return false;
            char why2[200];
            r = apply(rl->kind, loc, P, stub_addr(m, s) + A, why2, sizeof why2);
            if (r == R_OK) {
                m->st.stub_calls++;
                return true;
            }
            return jit_fail(err, rl->line, rl->col, "call from '%s'+0x%x to '%s' cannot be "
                            "linked: the target is %s away and its stub %s",
                            caller, rl->offset, callee,
                            jit_fmt_dist(db, (int64_t)(s->addr + A - P)), why2);
        }
        if (r == R_RANGE)
            return jit_fail(err, rl->line, rl->col, "call from '%s'+0x%x to '%s' cannot be "
                            "linked: %s and a call within one module has no stub", caller,
                            rl->offset, callee, why);
    }
    if (r == R_OK)
        return true;
    if (r == R_RANGE && cls == CLS_DATA)
        return jit_fail(err, rl->line, rl->col, "relocation %s in '%s'+0x%x to '%s' is out of "
                        "range: %s; data outside the module must be reached through the GOT "
                        "(%s)", reloc_names[rl->kind], caller, rl->offset, callee, why,
                        jit_arch_get(m->ctx->cfg.arch)->got_hint);
    return jit_fail(err, rl->line, rl->col, "relocation %s in '%s'+0x%x to '%s': %s",
                    reloc_names[rl->kind], caller, rl->offset, callee, why);
}

bool jit_link_apply(jit_module *m, jit_error *err)
{
    for (uint32_t i = 0; i < m->ndefs; i++) {
        const jit_def *d = &m->defs[i];
        for (uint32_t k = 0; k < d->nrel; k++)
            if (!link_rel(m, d, &m->rels[d->rel0 + k], err))
                return false;
    }
    return true;
}
