/* Names across modules and to the host.  A module's exported definitions
 * go into the context's table when it is linked and leave it when it is
 * unlinked or freed; a name no module exports is looked up among the
 * symbols the embedder defined, then in its tables, then with
 * dlsym(RTLD_DEFAULT) (both cached), then in libm.so.6 (jit_host_libm).
 * Both tables are open addressing with linear probing; the exported one
 * deletes by backward shift, so 100,000 modules coming and going leave no
 * tombstones behind. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool gmatch(const jit_gsym *g, const char *name, size_t len, uint32_t h)
{
    const jit_sym *s = &g->m->syms[g->sym];
    return g->hash == h && s->len == len && !memcmp(g->m->names + s->name, name, len);
}

static int64_t gfind(const jit_ctx *ctx, const char *name, size_t len, uint32_t h)
{
    if (!ctx->gcap)
        return -1;
    uint32_t mask = ctx->gcap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        if (!ctx->gtab[i].m)
            return -1;
        if (gmatch(&ctx->gtab[i], name, len, h))
            return i;
    }
}

const jit_gsym *jit_sym_global(const jit_ctx *ctx, const char *name, size_t len, uint32_t h)
{
    int64_t i = gfind(ctx, name, len, h);
    return i < 0 ? NULL : &ctx->gtab[i];
}

static void gplace(jit_gsym *tab, uint32_t cap, jit_gsym g)
{
    uint32_t i = g.hash & (cap - 1);
    while (tab[i].m)
        i = (i + 1) & (cap - 1);
    tab[i] = g;
}

/* Room for n entries at half load: one table of the final size for a
 * module's symbols, not a table per doubling (each a fresh allocation
 * whose pages fault in: 5,000 symbols, ~130 of them). */
static bool greserve(jit_ctx *ctx, uint64_t n)
{
    if (n * 2 > ctx->gcap) {
        if (n > UINT32_MAX / 4)
            return false;
        uint32_t cap = ctx->gcap ? ctx->gcap : 16;
        while ((uint64_t)cap < n * 2)
            cap *= 2;
        jit_gsym *t = calloc(cap, sizeof *t);
        if (!t)
            return false;
        /* fresh zero pages would fault twice: read by gfind, then written */
        if ((size_t)cap * sizeof *t >= JIT_STAGE_MAP)
            jit_populate(ctx, t, (size_t)cap * sizeof *t);
        for (uint32_t i = 0; i < ctx->gcap; i++)
            if (ctx->gtab[i].m)
                gplace(t, cap, ctx->gtab[i]);
        free(ctx->gtab);
        ctx->gtab = t;
        ctx->gcap = cap;
    }
    return true;
}

static bool gput(jit_ctx *ctx, jit_gsym g)
{
    if (!greserve(ctx, (uint64_t)ctx->gcount + 1))
        return false;
    gplace(ctx->gtab, ctx->gcap, g);
    ctx->gcount++;
    return true;
}

/* Remove slot i, moving later entries of the probe run back into place. */
static void gdel(jit_ctx *ctx, uint32_t i)
{
    uint32_t mask = ctx->gcap - 1;
    for (uint32_t j = (i + 1) & mask; ctx->gtab[j].m; j = (j + 1) & mask) {
        uint32_t k = ctx->gtab[j].hash & mask;
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            ctx->gtab[i] = ctx->gtab[j];
            i = j;
        }
    }
    ctx->gtab[i].m = NULL;
    ctx->gcount--;
}

bool jit_sym_publish(jit_module *m, jit_error *err)
{
    jit_ctx *ctx = m->ctx;
    if (!greserve(ctx, (uint64_t)ctx->gcount + m->ndefs))
        return jit_fail(err, 0, 0, "out of memory");
    for (uint32_t i = 0; i < m->ndefs; i++) {
        const jit_def *d = &m->defs[i];
        if (d->local)
            continue;
        const jit_sym *s = &m->syms[d->sym];
        const char *name = m->names + s->name;
        int64_t g = gfind(ctx, name, s->len, s->hash);
        if (g >= 0 && ctx->gtab[g].m != m) {
            jit_sym_unpublish(m);
            return jit_fail(err, d->line, 0, "Duplicate definition of identifier: %s "
                            "(module '%s' already defines it)", name, ctx->gtab[g].m->name);
        }
        if (g < 0 && !gput(ctx, (jit_gsym){s->hash, d->sym, m})) {
            jit_sym_unpublish(m);
            return jit_fail(err, 0, 0, "out of memory");
        }
    }
    return true;
}

void jit_sym_unpublish(jit_module *m)
{
    jit_ctx *ctx = m->ctx;
    for (uint32_t i = 0; i < m->ndefs; i++) {
        const jit_def *d = &m->defs[i];
        if (d->local)
            continue;
        const jit_sym *s = &m->syms[d->sym];
        int64_t g = gfind(ctx, m->names + s->name, s->len, s->hash);
        if (g >= 0 && ctx->gtab[g].m == m)
            gdel(ctx, (uint32_t)g);
    }
}

/* ---- host symbols ---------------------------------------------------------- */

static int64_t hfind(const jit_ctx *ctx, const char *name, size_t len, uint32_t h)
{
    if (!ctx->hcap)
        return -1;
    uint32_t mask = ctx->hcap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        const jit_hsym *e = &ctx->htab[i];
        if (!e->addr)
            return -1;
        if (e->hash == h && e->len == len && !memcmp(ctx->hnames + e->name, name, len))
            return i;
    }
}

static bool hput(jit_ctx *ctx, const char *name, size_t len, uint32_t h, uint64_t addr, bool user)
{
    if ((uint64_t)(ctx->hcount + 1) * 2 > ctx->hcap) {
        uint32_t cap = ctx->hcap ? ctx->hcap * 2 : 64;
        jit_hsym *t = calloc(cap, sizeof *t);
        if (!t)
            return false;
        for (uint32_t i = 0; i < ctx->hcap; i++) {
            if (!ctx->htab[i].addr)
                continue;
            uint32_t k = ctx->htab[i].hash & (cap - 1);
            while (t[k].addr)
                k = (k + 1) & (cap - 1);
            t[k] = ctx->htab[i];
        }
        free(ctx->htab);
        ctx->htab = t;
        ctx->hcap = cap;
    }
    if (!jit_grow(&ctx->hnames, &ctx->caphnames, (uint64_t)ctx->nhnames + len + 1, 1))
        return false;
    memcpy(ctx->hnames + ctx->nhnames, name, len + 1);
    uint32_t k = h & (ctx->hcap - 1);
    while (ctx->htab[k].addr)
        k = (k + 1) & (ctx->hcap - 1);
    ctx->htab[k] = (jit_hsym){h, ctx->nhnames, (uint32_t)len, user, addr};
    ctx->nhnames += (uint32_t)len + 1;
    ctx->hcount++;
    return true;
}

bool jit_define_symbol(jit_ctx *ctx, const char *name, const void *addr, jit_error *err)
{
    if (!name || !*name || !addr)
        return jit_fail(err, 0, 0, "jit_define_symbol needs a name and a non-null address");
    size_t len = strlen(name);
    uint32_t h = jit_hash(name, len);
    int64_t i = hfind(ctx, name, len, h);
    if (i >= 0) {
        ctx->htab[i].addr = (uintptr_t)addr;
        ctx->htab[i].user = true;
        return true;
    }
    return hput(ctx, name, len, h, (uintptr_t)addr, true) || jit_fail(err, 0, 0, "out of memory");
}

bool jit_define_symbols(jit_ctx *ctx, const jit_host_sym *tab, size_t n, jit_error *err)
{
    if (ctx->nhtabs == sizeof ctx->htabs / sizeof ctx->htabs[0])
        return jit_fail(err, 0, 0, "jit_define_symbols: more than %zu tables",
                        sizeof ctx->htabs / sizeof ctx->htabs[0]);
    ctx->htabs[ctx->nhtabs].tab = tab;
    ctx->htabs[ctx->nhtabs++].n = n;
    return true;
}

static void *htabs_find(const jit_ctx *ctx, const char *name, size_t len)
{
    for (uint32_t t = ctx->nhtabs; t-- > 0;)
        for (size_t i = 0; i < ctx->htabs[t].n; i++) {
            const jit_host_sym *e = &ctx->htabs[t].tab[i];
            if (!strncmp(e->name, name, len) && !e->name[len])
                return (void *)e->addr;
        }
    return NULL;
}

static bool add_dep(jit_module *m, jit_module *dep)
{
    for (uint32_t i = 0; i < m->ndeps; i++)
        if (m->deps[i] == dep)
            return true;
    if (!jit_grow(&m->deps, &m->capdeps, m->ndeps + 1, sizeof *m->deps))
        return false;
    m->deps[m->ndeps++] = dep;
    dep->importers++;
    return true;
}

static void *libm;

static void open_libm(void)
{
    libm = dlopen("libm.so.6", RTLD_LAZY | RTLD_GLOBAL);
}

void *jit_host_libm(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, open_libm);
    return libm;
}

bool jit_sym_resolve(jit_module *m, jit_sym *s, jit_error *err)
{
    jit_ctx *ctx = m->ctx;
    const char *name = jit_sym_name(m, s);
    if (s->def >= 0) {
        s->addr = jit_def_addr(m, &m->defs[s->def]);
    } else {
        const jit_gsym *g = jit_sym_global(ctx, name, s->len, s->hash);
        int64_t h;
        void *p;
        if (g) {
            s->addr = jit_def_addr(g->m, &g->m->defs[g->m->syms[g->sym].def]);
            if (g->m != m && !add_dep(m, g->m))
                return jit_fail(err, s->line, s->col, "out of memory");
            s->from = g->m;
        } else if ((h = hfind(ctx, name, s->len, s->hash)) >= 0) {
            s->addr = ctx->htab[h].addr;
            s->embedder = ctx->htab[h].user;
        } else if ((p = htabs_find(ctx, name, s->len)) != NULL) {
            s->addr = (uintptr_t)p;     /* the embedder's tables: its own */
            s->embedder = true;
            hput(ctx, name, s->len, s->hash, s->addr, true);    /* a cache: may fail */
        } else if ((p = dlsym(RTLD_DEFAULT, name)) != NULL ||
                   (jit_host_libm() && (p = dlsym(libm, name)) != NULL)) {
            s->addr = (uintptr_t)p;
            hput(ctx, name, s->len, s->hash, s->addr, false);  /* a cache: may fail */
        } else {
            return jit_fail(err, s->line, s->col, "can't resolve symbol '%s'", name);
        }
    }
    s->resolved = true;
    return true;
}

void jit_sym_fini(jit_ctx *ctx)
{
    free(ctx->gtab);
    free(ctx->htab);
    free(ctx->hnames);
}
