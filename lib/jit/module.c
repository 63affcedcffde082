/* Contexts and modules: the records a code generator hands over (copied
 * into the module's own arrays), the link/finalize/free lifecycle, and the
 * small helpers the other files share. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- helpers -------------------------------------------------------------- */

/* The capacity an array of cap entries grows to for need (doubling from
 * 8 entries, or 256 bytes of small ones: a module's symbol names take one
 * realloc, not five); 0 if need is past what a uint32_t count can double to. */
static uint32_t grown_cap(uint32_t cap, uint64_t need, size_t elem)
{
    if (need > UINT32_MAX / 2)
        return 0;
    uint32_t c = cap ? cap : elem < 32 ? (uint32_t)(256 / elem) : 8;
    while (c < need)
        c *= 2;
    return c;
}

bool jit_grow(void *pp, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t c = grown_cap(*cap, need, elem);
    void *p = c ? realloc(*(void **)pp, (size_t)c * elem) : NULL;
    if (!p)
        return false;
    *(void **)pp = p;
    *cap = c;
    return true;
}

bool jit_fail(jit_error *e, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (!e)
        return false;
    e->line = line;
    e->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return false;
}

const char *jit_fmt_dist(char buf[48], int64_t d)
{
    uint64_t a = d < 0 ? -(uint64_t)d : (uint64_t)d;
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)a;
    int u = 0;
    while (v >= 1024 && u < 4)
        v /= 1024, u++;
    snprintf(buf, 48, "%c0x%llx (%.*f %s)", d < 0 ? '-' : '+', (unsigned long long)a,
             u ? 1 : 0, v, unit[u]);
    return buf;
}

/* A word at a time (FNV-1a's byte loop was a fifth of adding a function):
 * symbol names are a few words long; the last word overlaps the one before. */
uint32_t jit_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w = 0;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&w, s + i, 8);
            h = (h ^ w) * 0xff51afd7ed558ccdull;
            h ^= h >> 32;
        }
        memcpy(&w, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        w = (uint64_t)hi << 32 | lo;
    } else {
        for (size_t k = 0; k < n; k++)
            w |= (uint64_t)(uint8_t)s[k] << 8 * k;
    }
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h ^ h >> 29);
}

void jit_config_from_env(jit_config *cfg)
{
    const char *v = getenv(JIT_SPREAD_ENV);
    if (v && *v && strcmp(v, "0") != 0)
        cfg->spread = true;
}

/* ---- contexts ------------------------------------------------------------- */

void jit_ctx_set_alias(jit_ctx *ctx, bool on)
{
    ctx->cfg.alias = on;
}

jit_ctx *jit_ctx_new(const jit_config *cfg, jit_error *err)
{
    jit_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return jit_fail(err, 0, 0, "out of memory"), NULL;
    if (cfg)
        ctx->cfg = *cfg;
    if (ctx->cfg.arch == JIT_ARCH_HOST)
        ctx->cfg.arch = jit_host_arch();
    if (!jit_arch_get(ctx->cfg.arch)) {
        free(ctx);
        return jit_fail(err, 0, 0, "unknown JIT target architecture %d", (int)cfg->arch), NULL;
    }
    if (!jit_mem_init(ctx, err)) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

static void module_destroy(jit_module *m);

void jit_ctx_free(jit_ctx *ctx)
{
    if (!ctx)
        return;
    for (jit_module *m = ctx->modules; m; m = m->next)
        m->importers = 0;
    while (ctx->modules)
        module_destroy(ctx->modules);
    jit_sym_fini(ctx);
    jit_mem_fini(ctx);
    free(ctx->ranges);
    free(ctx);
}

jit_arch jit_ctx_arch(const jit_ctx *ctx) { return ctx->cfg.arch; }

void jit_ctx_stats_get(const jit_ctx *ctx, jit_ctx_stats *st)
{
    st->live_modules = ctx->live;
    st->regions = ctx->nregions;
    st->reserved_bytes = ctx->reserved;
    st->committed_bytes = ctx->committed;
    st->modules_created = ctx->created;
}

/* ---- module contents ------------------------------------------------------ */

jit_module *jit_module_new(jit_ctx *ctx, const char *name, jit_error *err)
{
    if (!ctx)
        return jit_fail(err, 0, 0, "jit_module_new: no JIT context"), NULL;
    jit_module *m = calloc(1, sizeof *m);
    if (!m || !(m->name = strdup(name ? name : "")))
        return free(m), jit_fail(err, 0, 0, "out of memory"), NULL;
    m->ctx = ctx;
    m->next = ctx->modules;
    if (ctx->modules)
        ctx->modules->prev = m;
    ctx->modules = m;
    ctx->live++;
    ctx->created++;
    return m;
}

const char *jit_module_name(const jit_module *m) { return m->name; }

static int64_t sym_find(const jit_module *m, const char *name, size_t len, uint32_t h)
{
    if (!m->symtab_cap)
        return -1;
    for (uint32_t i = h & (m->symtab_cap - 1);; i = (i + 1) & (m->symtab_cap - 1)) {
        uint32_t e = m->symtab[i];
        if (!e)
            return -1;
        const jit_sym *s = &m->syms[e - 1];
        if (s->hash == h && s->len == len && !memcmp(m->names + s->name, name, len))
            return e - 1;
    }
}

static void symtab_put(jit_module *m, uint32_t idx)
{
    uint32_t mask = m->symtab_cap - 1;
    uint32_t i = m->syms[idx].hash & mask;
    while (m->symtab[i])
        i = (i + 1) & mask;
    m->symtab[i] = idx + 1;
}

/* One of m's arrays grown, as jit_grow does: on the heap while small, then
 * in m's bulk (mem.c: huge pages for a module of thousands of symbols). */
static bool mgrow(jit_module *m, void *pp, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t c = grown_cap(*cap, need, elem);
    if (!c)
        return false;
    void *old = *(void **)pp;
    if ((size_t)c * elem < JIT_BULK_MIN && !jit_bulk_owns(m, old))
        return jit_grow(pp, cap, need, elem);
    void *p = jit_bulk_alloc(m, (size_t)c * elem);
    if (!p)
        return false;
    if (*cap)
        memcpy(p, old, (size_t)*cap * elem);
    jit_mfree(m, old);
    *(void **)pp = p;
    *cap = c;
    return true;
}

/* Index of `name` in m->syms, added (undefined) if new; -1 out of memory. */
static int64_t intern(jit_module *m, const char *name)
{
    size_t len = strlen(name);
    uint32_t h = jit_hash(name, len);
    int64_t i = sym_find(m, name, len, h);
    if (i >= 0)
        return i;
    if ((uint64_t)(m->nsyms + 1) * 2 > m->symtab_cap) {
        uint32_t cap = m->symtab_cap ? m->symtab_cap * 2 : 16;
        /* the bulk's memory is fresh, all zeroes: nothing in it is reused */
        uint32_t *t = (size_t)cap * sizeof *t < JIT_BULK_MIN ? calloc(cap, sizeof *t)
                                                             : jit_bulk_alloc(m, (size_t)cap * sizeof *t);
        if (!t)
            return -1;
        jit_mfree(m, m->symtab);
        m->symtab = t;
        m->symtab_cap = cap;
        for (uint32_t k = 0; k < m->nsyms; k++)
            symtab_put(m, k);
    }
    if (!mgrow(m, &m->syms, &m->capsyms, m->nsyms + 1, sizeof *m->syms) ||
        !mgrow(m, &m->names, &m->capnames, (uint64_t)m->nnames + len + 1, 1))
        return -1;
    memcpy(m->names + m->nnames, name, len + 1);
    m->syms[m->nsyms] = (jit_sym){.name = m->nnames, .len = (uint32_t)len, .hash = h,
                                  .def = -1, .stub = -1, .got = -1};
    m->nnames += (uint32_t)len + 1;
    symtab_put(m, m->nsyms);
    return m->nsyms++;
}

static bool add_def(jit_module *m, int kind, const char *name, const void *bytes, size_t size,
                    uint32_t align, const jit_reloc *relocs, size_t nrelocs,
                    const jit_trap *traps, size_t ntraps, bool local, uint32_t line,
                    jit_error *err)
{
    if (m->state != MOD_NEW)
        return jit_fail(err, line, 0, "cannot add '%s' to module '%s': it is already linked",
                        name ? name : "", m->name);
    if (!name || !*name)
        return jit_fail(err, line, 0, "a function or data object in module '%s' has no name",
                        m->name);
    if (align & (align - 1) || align > m->ctx->page)
        return jit_fail(err, line, 0, "alignment %u of '%s' is not a power of two up to the "
                        "page size", align, name);
    if (size >= ((uint64_t)1 << 32) || (size && !bytes && kind == DEF_FUNC))
        return jit_fail(err, line, 0, "'%s': bad size %zu", name, size);
    int64_t si = intern(m, name);
    if (si < 0)
        return jit_fail(err, line, 0, "out of memory");
    if (m->syms[si].def >= 0)
        return jit_fail(err, line, 0, "Duplicate definition of identifier: %s", name);
    for (size_t i = 0; i < nrelocs; i++) {
        const jit_reloc *r = &relocs[i];
        if (r->kind >= JIT_R_COUNT)
            return jit_fail(err, r->line, r->col, "'%s': unknown relocation kind %u", name,
                            r->kind);
        unsigned width = r->kind == JIT_R_ABS8 ? 8 : 4;
        if ((uint64_t)r->offset + width > size)
            return jit_fail(err, r->line, r->col, "'%s': relocation %s at offset %u is past "
                            "its end (%zu bytes)", name, jit_reloc_name(r->kind), r->offset, size);
        if (jit_reloc_arch[r->kind] && jit_reloc_arch[r->kind] != m->ctx->cfg.arch)
            return jit_fail(err, r->line, r->col, "'%s': relocation %s in a module for %s", name,
                            jit_reloc_name(r->kind), jit_arch_name(m->ctx->cfg.arch));
        if (kind != DEF_FUNC && r->kind != JIT_R_ABS8 && r->kind != JIT_R_X86_PCREL4)
            return jit_fail(err, r->line, r->col, "data object '%s': relocation %s is only "
                            "meaningful in code", name, jit_reloc_name(r->kind));
        if (!r->sym || !*r->sym)
            return jit_fail(err, r->line, r->col, "'%s': relocation at offset %u has no symbol",
                            name, r->offset);
    }
    for (size_t i = 0; i < ntraps; i++)
        if (traps[i].offset >= size)
            return jit_fail(err, line, 0, "'%s': trap record at offset %u is past its end",
                            name, traps[i].offset);
    /* the code's bytes start at 512 (freed at finalize, so no module
     * alive keeps the slack): a small module's in one allocation */
    uint64_t nbytes = m->nbytes + size < 512 ? 512 : m->nbytes + size;
    if (!mgrow(m, &m->defs, &m->capdefs, m->ndefs + 1, sizeof *m->defs) ||
        !mgrow(m, &m->rels, &m->caprels, (uint64_t)m->nrels + nrelocs, sizeof *m->rels) ||
        !mgrow(m, &m->traps, &m->captraps, (uint64_t)m->ntraps + ntraps, sizeof *m->traps) ||
        (bytes && size && !jit_stage_grow(m, nbytes, false)))
        return jit_fail(err, line, 0, "out of memory");
    jit_def *d = &m->defs[m->ndefs];
    *d = (jit_def){.sym = (uint32_t)si, .kind = (uint8_t)kind, .local = local,
                   .align = align, .line = line, .size = size, .src = UINT64_MAX,
                   .rel0 = m->nrels, .trap0 = m->ntraps, .ntrap = (uint32_t)ntraps};
    if (bytes && size) {
        memcpy(m->bytes + m->nbytes, bytes, size);
        d->src = m->nbytes;
        m->nbytes += size;
    }
    for (size_t i = 0; i < nrelocs; i++) {
        const jit_reloc *r = &relocs[i];
        int64_t t = intern(m, r->sym);
        if (t < 0)
            return jit_fail(err, line, 0, "out of memory");
        jit_sym *s = &m->syms[t];
        s->flags |= jit_reloc_cls[r->kind] == CLS_CALL  ? SYM_CALLED
                    : jit_reloc_cls[r->kind] == CLS_GOT ? SYM_GOT : 0;
        if (!s->line)
            s->line = r->line, s->col = r->col;
        m->rels[m->nrels++] = (jit_rel){.offset = r->offset, .sym = (uint32_t)t, .kind = r->kind,
                                        .line = r->line, .col = r->col, .addend = r->addend};
    }
    d->nrel = (uint32_t)nrelocs;
    if (ntraps)
        memcpy(m->traps + m->ntraps, traps, ntraps * sizeof *traps);
    m->ntraps += (uint32_t)ntraps;
    m->syms[si].def = (int32_t)m->ndefs++;
    return true;
}

bool jit_module_add_func(jit_module *m, const jit_func *f, jit_error *err)
{
    return add_def(m, DEF_FUNC, f->name, f->code, f->size, f->align ? f->align : 16, f->relocs,
                   f->nrelocs, f->traps, f->ntraps, f->local, f->line, err);
}

bool jit_module_add_data(jit_module *m, const jit_data *d, jit_error *err)
{
    return add_def(m, d->writable ? DEF_DATA : DEF_RODATA, d->name, d->bytes, d->size,
                   d->align ? d->align : 8, d->relocs, d->nrelocs, NULL, 0, d->local, d->line,
                   err);
}

uint64_t jit_def_addr(const jit_module *m, const jit_def *d)
{
    if (d->kind == DEF_FUNC)
        return m->base + d->off;
    uint64_t seg = m->base + jit_page_up(m->ctx, m->text_size + m->got_size);
    return seg + (d->kind == DEF_DATA ? m->ro_size : 0) + d->off;
}

/* ---- lifecycle ------------------------------------------------------------- */

/* Back to MOD_NEW: unpublish, drop dependencies, release memory. */
void jit_module_unlink(jit_module *m)
{
    jit_ctx *ctx = m->ctx;
    if (m->state == MOD_FINAL)
        jit_range_remove(ctx, m);
    jit_sym_unpublish(m);
    for (uint32_t i = 0; i < m->ndeps; i++)
        m->deps[i]->importers--;
    m->ndeps = 0;
    if (m->region)
        jit_mem_release(ctx, m->region, m->base, m->alloc_size);
    m->region = NULL;
    if (m->staged && m->stage) {
        /* the bytes back where add_def put them, first first (the
         * relocations patched into them are patched again at the next
         * link: apply rewrites a field whole) */
        for (uint32_t i = 0; i < m->ndefs; i++) {
            const jit_def *d = &m->defs[i];
            if (d->kind == DEF_FUNC && d->src != UINT64_MAX)
                memmove(m->stage + d->src, m->stage + d->off, d->size);
        }
        m->bytes = m->stage;
    } else {
        free(m->stage);     /* a heap copy (link.c), or NULL */
    }
    m->stage = NULL;
    m->staged = false;
    m->base = 0;
    free(m->fns);
    free(m->mtraps);
    m->fns = NULL;
    m->mtraps = NULL;
    m->nfns = m->nmtraps = 0;
    for (uint32_t i = 0; i < m->nsyms; i++) {
        jit_sym *s = &m->syms[i];
        s->resolved = s->stub_used = s->got_used = false;
        s->stub = s->got = -1;
        s->addr = 0;
        s->from = NULL;
        s->embedder = false;
    }
    memset(&m->st, 0, sizeof m->st);
    m->state = MOD_NEW;
}

bool jit_link_group(jit_module *const *mods, size_t n, jit_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!mods[i] || mods[i]->ctx != mods[0]->ctx)
            return jit_fail(err, 0, 0, "modules linked together must share a JIT context");
        if (mods[i]->state != MOD_NEW)
            return jit_fail(err, 0, 0, "module '%s' is already linked", mods[i]->name);
        for (size_t j = 0; j < i; j++)
            if (mods[j] == mods[i])
                return jit_fail(err, 0, 0, "module '%s' given twice", mods[i]->name);
    }
    size_t i;
    for (i = 0; i < n; i++)
        if (!jit_link_layout(mods[i], err))
            goto fail;
    for (i = 0; i < n; i++)
        if (!jit_sym_publish(mods[i], err))
            goto fail;
    for (i = 0; i < n; i++)
        if (!jit_link_apply(mods[i], err))
            goto fail;
    for (i = 0; i < n; i++)
        mods[i]->state = MOD_LINKED;
    return true;
fail:
    for (i = 0; i < n; i++)
        jit_module_unlink(mods[i]);
    return false;
}

bool jit_module_link(jit_module *m, jit_error *err) { return jit_link_group(&m, 1, err); }

/* An array grown by doubling, cut to its n elements (a module alive for
 * long keeps only what it uses; its bulk stays whole). */
static void shrink(jit_module *m, void *pp, uint32_t *cap, uint32_t n, size_t elem)
{
    if (!n || *cap <= n || jit_bulk_owns(m, *(void **)pp))
        return;
    void *p = realloc(*(void **)pp, (size_t)n * elem);
    if (p) {
        *(void **)pp = p;
        *cap = n;
    }
}

bool jit_module_finalize(jit_module *m, jit_error *err)
{
    if (m->state != MOD_LINKED)
        return jit_fail(err, 0, 0, "module '%s' is %s", m->name,
                        m->state == MOD_NEW ? "not linked yet" : "already finalized");
    if (!jit_mem_protect(m->ctx, m, err))
        return false;
    if (!jit_range_add(m->ctx, m))
        return jit_fail(err, 0, 0, "out of memory");
    m->state = MOD_FINAL;
    m->staged = false;
    /* a finalized module is never linked again: its copies of the bytes,
     * relocations and unsorted trap records go, so that a module alive
     * costs its code and its symbols */
    jit_stage_free(m->bytes, m->capbytes, m->bytes_map);
    jit_mfree(m, m->rels);
    jit_mfree(m, m->traps);
    m->bytes = NULL, m->rels = NULL, m->traps = NULL;
    m->bytes_map = false;
    m->capbytes = m->caprels = m->captraps = 0;
    shrink(m, &m->syms, &m->capsyms, m->nsyms, sizeof *m->syms);
    shrink(m, &m->defs, &m->capdefs, m->ndefs, sizeof *m->defs);
    shrink(m, &m->names, &m->capnames, m->nnames, 1);
    shrink(m, &m->deps, &m->capdeps, m->ndeps, sizeof *m->deps);
    if (m->bulk) {
        jit_extent keep[] = {{(uintptr_t)m->syms, (size_t)m->capsyms * sizeof *m->syms},
                             {(uintptr_t)m->defs, (size_t)m->capdefs * sizeof *m->defs},
                             {(uintptr_t)m->names, m->capnames},
                             {(uintptr_t)m->symtab, (size_t)m->symtab_cap * sizeof *m->symtab}};
        jit_bulk_trim(m, keep, 4);
    }
    return true;
}

void *jit_module_lookup(const jit_module *m, const char *name)
{
    if (!m || m->state != MOD_FINAL || !name)
        return NULL;
    size_t len = strlen(name);
    int64_t i = sym_find(m, name, len, jit_hash(name, len));
    if (i < 0 || m->syms[i].def < 0)
        return NULL;
    return (void *)(uintptr_t)jit_def_addr(m, &m->defs[m->syms[i].def]);
}

void *jit_lookup(const jit_ctx *ctx, const char *name, jit_module **owner)
{
    size_t len = strlen(name);
    const jit_gsym *g = jit_sym_global(ctx, name, len, jit_hash(name, len));
    if (!g || g->m->state != MOD_FINAL)
        return NULL;
    if (owner)
        *owner = g->m;
    return (void *)(uintptr_t)jit_def_addr(g->m, &g->m->defs[g->m->syms[g->sym].def]);
}

static void module_destroy(jit_module *m)
{
    jit_ctx *ctx = m->ctx;
    jit_module_unlink(m);
    if (m->prev)
        m->prev->next = m->next;
    else
        ctx->modules = m->next;
    if (m->next)
        m->next->prev = m->prev;
    ctx->live--;
    jit_mfree(m, m->names);
    jit_mfree(m, m->syms);
    jit_mfree(m, m->symtab);
    jit_mfree(m, m->defs);
    jit_mfree(m, m->rels);
    jit_mfree(m, m->traps);
    jit_bulk_fini(m);
    jit_stage_free(m->bytes, m->capbytes, m->bytes_map);
    free(m->deps);
    free(m->name);
    free(m);
}

static bool in_set(jit_module *const *mods, size_t n, const jit_module *m)
{
    for (size_t i = 0; i < n; i++)
        if (mods[i] == m)
            return true;
    return false;
}

bool jit_free_group(jit_module *const *mods, size_t n, jit_error *err)
{
    for (size_t i = 0; i < n; i++) {
        jit_module *m = mods[i];
        if (!m || !m->importers)
            continue;
        /* Importers from inside the set do not count. */
        uint32_t inside = 0;
        for (size_t j = 0; j < n; j++)
            for (uint32_t k = 0; mods[j] && mods[j] != m && k < mods[j]->ndeps; k++)
                inside += mods[j]->deps[k] == m;
        if (m->importers == inside)
            continue;
        const char *user = "?";
        for (jit_module *o = m->ctx->modules; o && *user == '?'; o = o->next)
            for (uint32_t k = 0; !in_set(mods, n, o) && k < o->ndeps; k++)
                if (o->deps[k] == m)
                    user = o->name;
        return jit_fail(err, 0, 0, "cannot free module '%s': module '%s'%s is linked against "
                        "it; free %s first", m->name, user,
                        m->importers - inside > 1 ? " and others" : "",
                        m->importers - inside > 1 ? "them" : "it");
    }
    for (size_t i = 0; i < n; i++)
        if (mods[i]) {
            for (size_t j = 0; j < i; j++)
                if (mods[j] == mods[i])
                    return jit_fail(err, 0, 0, "module '%s' given twice", mods[i]->name);
        }
    /* Unlink all first so that no importer count is left pointing at a
     * destroyed module. */
    for (size_t i = 0; i < n; i++)
        if (mods[i])
            jit_module_unlink(mods[i]);
    for (size_t i = 0; i < n; i++)
        if (mods[i])
            module_destroy(mods[i]);
    return true;
}

bool jit_module_free(jit_module *m, jit_error *err) { return jit_free_group(&m, 1, err); }

void jit_module_stats_get(const jit_module *m, jit_module_stats *st)
{
    *st = m->st;
    st->host_syms = st->dlsym_syms = st->module_syms = 0;
    for (uint32_t i = 0; i < m->nsyms; i++) {
        const jit_sym *s = &m->syms[i];
        if (!s->resolved || s->def >= 0)
            continue;
        st->module_syms += s->from != NULL;
        st->host_syms += !s->from;
        st->dlsym_syms += !s->from && !s->embedder;
    }
}
