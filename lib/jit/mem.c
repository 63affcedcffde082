/* Executable memory: address space reserved in regions (PROT_NONE).  A
 * module's read+execute image is staged at link and copied into place at
 * finalize (its pages read+write for the copy, then read+execute: never W
 * and X at once); images (code, stubs, GOT) are packed at 64-byte grain, so
 * neighbouring modules share pages and one mapping, and 100,000 modules
 * alive take few of the kernel's 65,530.  Data objects get pages of their
 * own.  Pages no live module holds go back to the kernel (mapped over with
 * a fresh PROT_NONE mapping), so RSS follows the live modules: not at
 * once, but when STALE_MAX bytes of them have gathered in a region.  Till
 * then the next module's code may land on them as they are: changing a
 * page's protection is two system calls a module, each costly on a virtual
 * machine (tens of microseconds with a TLB flush), and dropping the page
 * and faulting a fresh one in costs as much again.
 *
 * Alias mode (jit_config.alias) keeps that cost off the path of a module:
 * a region is shared memory mapped twice, read+execute at base and
 * read+write elsewhere, so no page is ever writable and executable, and a
 * module's image is copied in through the second view with no system call.
 * Both views are mapped up to a high-water mark (ALIAS_CHUNK at a time);
 * above it the region stays PROT_NONE.  Pages go back to the kernel with
 * MADV_REMOVE (a hole in the shared memory: both views read zeroes).
 * Modules with data objects go to regions of the other kind.
 *
 * Spread mode gives each module its own region placed more than 4 GiB from
 * every other region and from host code, found by trying fixed addresses
 * (MAP_FIXED_NOREPLACE) on an 8 GiB grid; once the grid is full, modules
 * share those regions in turn, never the region of the module before. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define DEFAULT_REGION ((size_t)1 << 30)
#define SPREAD_BASE ((uintptr_t)64 << 30)
#define SPREAD_STRIDE ((uintptr_t)8 << 30)
#define SPREAD_TOP ((uintptr_t)1 << 47)
#define SPREAD_REGION ((size_t)64 << 20)    /* reserved per spread region */
#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
#define STALE_MAX ((size_t)256 << 10)     /* freed bytes a region keeps committed */
#define ALIAS_CHUNK ((size_t)64 << 10)    /* alias: both views mapped this much at a time */

static size_t round_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }

static void host_add(jit_ctx *ctx, uintptr_t lo, uintptr_t hi)
{
    if (ctx->nhost && ctx->host[ctx->nhost - 1].start + ctx->host[ctx->nhost - 1].size == lo) {
        ctx->host[ctx->nhost - 1].size += hi - lo;
        return;
    }
    if (!jit_grow(&ctx->host, &ctx->caphost, ctx->nhost + 1, sizeof *ctx->host))
        return;
    ctx->host[ctx->nhost++] = (jit_extent){lo, hi - lo};
}

/* Host code that spread keeps away from: every executable mapping now, plus
 * two addresses in case /proc is not mounted. */
static void read_host_code(jit_ctx *ctx)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            unsigned long lo, hi;
            char perms[8];
            if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && perms[2] == 'x')
                host_add(ctx, lo, hi);
        }
        fclose(f);
    }
    uintptr_t self = (uintptr_t)&read_host_code, libc = (uintptr_t)&fopen;
    host_add(ctx, self, self + 1);
    host_add(ctx, libc, libc + 1);
}

bool jit_mem_init(jit_ctx *ctx, jit_error *err)
{
    long pg = sysconf(_SC_PAGESIZE);
    ctx->page = pg > 0 ? (size_t)pg : 4096;
    if (!ctx->cfg.region_size)
        ctx->cfg.region_size = DEFAULT_REGION;
    ctx->cfg.region_size = round_up(ctx->cfg.region_size, ctx->page);
    ctx->next_slot = SPREAD_BASE;
    if (ctx->cfg.spread)
        read_host_code(ctx);
    (void)err;
    return true;
}

void jit_mem_fini(jit_ctx *ctx)
{
    for (uint32_t i = 0; i < ctx->nregions; i++) {
        munmap((void *)ctx->regions[i]->base, ctx->regions[i]->size);
        if (ctx->regions[i]->rw)
            munmap((void *)ctx->regions[i]->rw, ctx->regions[i]->size);
        free(ctx->regions[i]->free);
        free(ctx->regions[i]->stale);
        free(ctx->regions[i]);
    }
    free(ctx->regions);
    free(ctx->host);
}

static bool far_from_all(const jit_ctx *ctx, uintptr_t lo, size_t size)
{
    uintptr_t hi = lo + size;
    for (uint32_t i = 0; i < ctx->nregions; i++) {
        const jit_region *r = ctx->regions[i];
        if (lo < r->base + r->size + JIT_GAP && r->base < hi + JIT_GAP)
            return false;
    }
    for (uint32_t i = 0; i < ctx->nhost; i++) {
        const jit_extent *h = &ctx->host[i];
        if (lo < h->start + h->size + JIT_GAP && h->start < hi + JIT_GAP)
            return false;
    }
    return true;
}

static void *try_slot(jit_ctx *ctx, uintptr_t a, size_t size, int *why)
{
    if (!far_from_all(ctx, a, size))
        return NULL;
    void *p = mmap((void *)a, size, PROT_NONE, RESERVE_FLAGS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == (void *)a)
        return p;
    if (p != MAP_FAILED)            /* an old kernel took it as a hint */
        munmap(p, size);
    else
        *why = errno;
    return NULL;
}

/* A grid address far from everything that the kernel lets us map: from the
 * lowest slot that may be free (next_slot) up, then from the bottom. */
static void *spread_reserve(jit_ctx *ctx, size_t size, int *why)
{
    uintptr_t start = ctx->next_slot;
    *why = ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        uintptr_t a = pass ? SPREAD_BASE : start, end = pass ? start : SPREAD_TOP;
        for (; a < end && a + size <= SPREAD_TOP; a += SPREAD_STRIDE) {
            int e = 0;
            void *p = try_slot(ctx, a, size, &e);
            if (p) {
                ctx->next_slot = a + SPREAD_STRIDE;
                return p;
            }
            if (e)
                *why = e;
            if (e && e != EEXIST)
                break;      /* past the top of the address space, or out of mappings */
        }
    }
    return NULL;
}

/* Shared memory mapped twice (mremap of a shared mapping with old size 0
 * maps the same pages again), both views PROT_NONE; 0 if the kernel will
 * not, and the region is an ordinary one. */
static uintptr_t alias_reserve(size_t size, void **rx)
{
    void *p = mmap(NULL, size, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    void *q = mremap(p, 0, size, MREMAP_MAYMOVE);
    if (q == MAP_FAILED) {
        munmap(p, size);
        return 0;
    }
    /* a forked child must not inherit a way to write code this process
     * runs, sandbox or not */
    if (madvise(q, size, MADV_DONTFORK)) {
        munmap(q, size);
        munmap(p, size);
        return 0;
    }
    *rx = p;
    return (uintptr_t)q;
}

static jit_region *region_new(jit_ctx *ctx, size_t size, bool own, bool alias, jit_error *err)
{
    size_t lim = ctx->cfg.reserve_limit;
    if (lim && ctx->reserved + size > lim)
        return jit_fail(err, 0, 0, "JIT address space exhausted: %zu MiB reserved, "
                        "%zu MiB more needed, limit %zu MiB", ctx->reserved >> 20,
                        (size + (1u << 20) - 1) >> 20, lim >> 20), NULL;
    if (!jit_grow(&ctx->regions, &ctx->capregions, ctx->nregions + 1, sizeof *ctx->regions))
        return jit_fail(err, 0, 0, "out of memory"), NULL;
    jit_region *r = calloc(1, sizeof *r);
    if (!r)
        return jit_fail(err, 0, 0, "out of memory"), NULL;
    void *p;
    int why = 0;
    if (ctx->cfg.spread) {
        p = spread_reserve(ctx, size, &why);
    } else if (alias && (r->rw = alias_reserve(size, &p))) {
        why = 0;
    } else {
        p = mmap(NULL, size, PROT_NONE, RESERVE_FLAGS, -1, 0);
        why = errno;
        if (p == MAP_FAILED)
            p = NULL;
    }
    if (!p) {
        free(r);
        return jit_fail(err, 0, 0, "JIT address space exhausted: cannot reserve %zu KiB%s "
                        "(%zu MiB already reserved): %s", size >> 10,
                        ctx->cfg.spread ? " more than 4 GiB from all other code" : "",
                        ctx->reserved >> 20, strerror(why)), NULL;
    }
    r->base = (uintptr_t)p;
    r->top = r->base;
    r->size = size;
    r->own = own;
    {
        if (!jit_grow(&r->free, &r->capfree, 1, sizeof *r->free)) {
            munmap(p, size);
            free(r);
            return jit_fail(err, 0, 0, "out of memory"), NULL;
        }
        r->free[r->nfree++] = (jit_extent){r->base, size};
    }
    ctx->regions[ctx->nregions++] = r;
    ctx->reserved += size;
    return r;
}

static void region_drop(jit_ctx *ctx, jit_region *r)
{
    for (uint32_t i = 0; i < ctx->nregions; i++)
        if (ctx->regions[i] == r) {
            ctx->regions[i] = ctx->regions[--ctx->nregions];
            break;
        }
    munmap((void *)r->base, r->size);
    if (r->rw)
        munmap((void *)r->rw, r->size);
    ctx->reserved -= r->size;
    if (r->own && r->base < ctx->next_slot)
        ctx->next_slot = r->base;   /* spread slots are reused lowest first */
    if (r->own)
        ctx->spread_full = false;
    free(r->free);
    free(r->stale);
    free(r);
}

/* Pages back to the kernel: a fresh mapping over them drops them in one
 * call; in an alias region a hole in the shared memory. */
static void decommit(const jit_region *r, uintptr_t lo, uintptr_t hi)
{
    if (lo < hi && r->rw) {
        hi = hi < r->top ? hi : r->top;
        if (lo < hi)
            madvise((void *)(r->rw + (lo - r->base)), hi - lo, MADV_REMOVE);
        return;
    }
    if (lo < hi &&
        mmap((void *)lo, hi - lo, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0) == MAP_FAILED) {
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
        mprotect((void *)lo, hi - lo, PROT_NONE);
    }
}

static int extent_cmp(const void *a, const void *b)
{
    uintptr_t x = ((const jit_extent *)a)->start, y = ((const jit_extent *)b)->start;
    return x < y ? -1 : x > y;
}

/* Decommit the stale ranges that meet [lo, hi) (all: 0, UINTPTR_MAX):
 * their pages that no module holds now (a stale page may have been taken
 * again since), and those within [lo, hi) (pages just taken that must
 * read as zeroes); forget them. */
static void stale_flush(const jit_ctx *ctx, jit_region *r, uintptr_t lo, uintptr_t hi)
{
    if (!r->nstale)
        return;
    qsort(r->stale, r->nstale, sizeof *r->stale, extent_cmp);
    uint32_t kept = 0, f = 0;
    uintptr_t done = 0;         /* decommitted up to here: stale ranges may overlap */
    uintptr_t plo0 = 0, phi0 = 0;   /* pages next to each other go back in one call */
    for (uint32_t i = 0; i < r->nstale; i++) {
        jit_extent s = r->stale[i];
        if (s.start + s.size <= lo || s.start >= hi) {
            r->stale[kept++] = s;
            continue;
        }
        r->stale_bytes -= s.size;
        if (hi != UINTPTR_MAX)
            decommit(r, s.start > lo ? s.start : lo, s.start + s.size < hi ? s.start + s.size : hi);
        uintptr_t a = s.start > done ? s.start : done, b = s.start + s.size;
        while (f < r->nfree && r->free[f].start + r->free[f].size <= a)
            f++;
        for (uint32_t k = f; k < r->nfree && r->free[k].start < b; k++) {
            const jit_extent *e = &r->free[k];
            uintptr_t plo = jit_page_up(ctx, e->start > a ? e->start : a);
            uintptr_t phi = (e->start + e->size < b ? e->start + e->size : b) & ~(uintptr_t)(ctx->page - 1);
            if (plo >= phi)
                continue;
            if (plo > phi0) {
                decommit(r, plo0, phi0);
                plo0 = plo;
            }
            phi0 = phi > phi0 ? phi : phi0;
        }
        done = b > done ? b : done;
    }
    decommit(r, plo0, phi0);
    r->nstale = kept;
}

/* First fit of size bytes aligned to align; the bytes skipped for the
 * alignment stay free. */
static bool take(jit_region *r, size_t size, size_t align, uintptr_t *addr)
{
    for (uint32_t i = 0; i < r->nfree; i++) {
        jit_extent *e = &r->free[i];
        uintptr_t a = (e->start + align - 1) & ~(uintptr_t)(align - 1);
        if (a + size > e->start + e->size)
            continue;
        uintptr_t end = e->start + e->size;
        if (a > e->start) {         /* keep the head, the tail becomes a new extent */
            e->size = a - e->start;
            if (a + size < end) {
                if (!jit_grow(&r->free, &r->capfree, r->nfree + 1, sizeof *r->free))
                    return false;
                e = &r->free[i];
                memmove(e + 2, e + 1, (r->nfree - i - 1) * sizeof *e);
                e[1] = (jit_extent){a + size, end - a - size};
                r->nfree++;
            }
        } else {
            e->start += size;
            e->size -= size;
            if (!e->size)
                memmove(e, e + 1, (r->nfree - i - 1) * sizeof *e), r->nfree--;
        }
        *addr = a;
        return true;
    }
    return false;
}

/* Give [a, a+size) back to r's free list, merging neighbours; the free
 * extent that now holds it goes to *ext. */
static void give(jit_region *r, uintptr_t a, size_t size, jit_extent *ext)
{
    uint32_t lo = 0, hi = r->nfree;
    while (lo < hi) {               /* the first extent at or after a */
        uint32_t mid = (lo + hi) / 2;
        if (r->free[mid].start < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t i = lo;
    *ext = (jit_extent){a, size};
    bool left = i > 0 && r->free[i - 1].start + r->free[i - 1].size == a;
    bool right = i < r->nfree && a + size == r->free[i].start;
    if (left && right) {
        r->free[i - 1].size += size + r->free[i].size;
        memmove(&r->free[i], &r->free[i + 1], (r->nfree - i - 1) * sizeof *r->free);
        r->nfree--;
        *ext = r->free[i - 1];
    } else if (left) {
        r->free[i - 1].size += size;
        *ext = r->free[i - 1];
    } else if (right) {
        r->free[i].start = a;
        r->free[i].size += size;
        *ext = r->free[i];
    } else {
        /* Cannot fail for lack of memory in practice; if it does the range
         * is merely lost to this region (still decommitted). */
        if (!jit_grow(&r->free, &r->capfree, r->nfree + 1, sizeof *r->free))
            return;
        memmove(&r->free[i + 1], &r->free[i], (r->nfree - i) * sizeof *r->free);
        r->free[i] = (jit_extent){a, size};
        r->nfree++;
    }
}

/* Alias: both views mapped over [base, end) (up to the next chunk). */
static bool alias_map(jit_ctx *ctx, jit_region *r, uintptr_t end, jit_error *err)
{
    if (end <= r->top)
        return true;
    uintptr_t top = r->base + round_up(end - r->base, ALIAS_CHUNK);
    top = top < r->base + r->size ? top : r->base + r->size;
    size_t n = top - r->top, off = r->top - r->base;
    if (mprotect((void *)r->top, n, PROT_READ | PROT_EXEC) != 0 ||
        mprotect((void *)(r->rw + off), n, PROT_READ | PROT_WRITE) != 0)
        return jit_fail(err, 0, 0, "cannot commit %zu KiB of JIT memory: %s", n >> 10, strerror(errno));
    r->top = top;
    (void)ctx;
    return true;
}

bool jit_mem_alloc(jit_ctx *ctx, size_t size, size_t align, bool data, jit_region **rp, uintptr_t *addr,
                   jit_error *err)
{
    size = round_up(size ? size : 1, JIT_GRAIN);
    jit_region *r = NULL;
    if (ctx->cfg.spread) {
        /* a region of its own, far from all others, while the address
         * space has room for one (about 16,000 in 47 bits); then the
         * next region in turn with room, never the previous module's, so
         * neighbours in a chain are still far apart */
        jit_error e2 = {.msg = "JIT address space exhausted: no spread region has room"};
        if (!ctx->spread_full && (r = region_new(ctx, size > SPREAD_REGION ? round_up(size, ctx->page)
                                                                          : SPREAD_REGION, true, false, &e2))) {
            take(r, size, align, addr);
        } else {
            ctx->spread_full = true;
            for (uint32_t k = 0; k < ctx->nregions && !r; k++) {
                uint32_t i = (ctx->spread_next + k) % ctx->nregions;
                if (ctx->regions[i] != ctx->spread_last && take(ctx->regions[i], size, align, addr))
                    r = ctx->regions[i], ctx->spread_next = i + 1;
            }
            if (!r)
                return jit_fail(err, 0, 0, "%s", e2.msg);
        }
        ctx->spread_last = r;
    } else {
        bool alias = ctx->cfg.alias && !data;
        for (uint32_t i = 0; i < ctx->nregions && !r; i++)
            if (!ctx->regions[i]->rw == !alias && take(ctx->regions[i], size, align, addr))
                r = ctx->regions[i];
        if (!r) {
            size_t rs = size > ctx->cfg.region_size ? round_up(size, ctx->page) : ctx->cfg.region_size;
            if (!(r = region_new(ctx, rs, false, alias, err)))
                return false;
            if (!take(r, size, align, addr))
                return jit_fail(err, 0, 0, "out of memory");
        }
        if (r->rw && !alias_map(ctx, r, *addr + size, err)) {
            jit_extent e;
            give(r, *addr, size, &e);
            return false;
        }
    }
    r->used += size;
    ctx->committed += size;
    *rp = r;
    return true;
}

bool jit_mem_commit(jit_ctx *ctx, jit_region *r, uintptr_t addr, size_t size, jit_error *err)
{
    stale_flush(ctx, r, addr, addr + size);     /* data starts as zeroes */
    if (mprotect((void *)addr, size, PROT_READ | PROT_WRITE) != 0)
        return jit_fail(err, 0, 0, "cannot commit %zu KiB of JIT memory: %s", size >> 10,
                        strerror(errno));
    return true;
}

void jit_mem_release(jit_ctx *ctx, jit_region *r, uintptr_t addr, size_t size)
{
    size = round_up(size ? size : 1, JIT_GRAIN);
    r->used -= size;
    ctx->committed -= size;
    if (r->own && !r->used) {
        if (ctx->spread_last == r)
            ctx->spread_last = NULL;
        region_drop(ctx, r);
        return;
    }
    /* Pages that hold no module now are stale: back to the kernel once
     * enough of them have gathered.  A page shared with a live neighbour
     * stays as it is. */
    jit_extent e;
    give(r, addr, size, &e);
    uintptr_t lo = round_up(e.start, ctx->page), hi = (e.start + e.size) & ~(uintptr_t)(ctx->page - 1);
    uintptr_t flo = addr & ~(uintptr_t)(ctx->page - 1), fhi = round_up(addr + size, ctx->page);
    lo = lo > flo ? lo : flo;       /* only pages the freed range touched */
    hi = hi < fhi ? hi : fhi;
    if (lo < hi) {
        jit_extent *last = r->nstale ? &r->stale[r->nstale - 1] : NULL;
        if (last && last->start == lo && last->size == hi - lo) {
            /* the same pages again (a module freed where the last one was) */
        } else if (jit_grow(&r->stale, &r->capstale, r->nstale + 1, sizeof *r->stale)) {
            r->stale[r->nstale++] = (jit_extent){lo, hi - lo};
            r->stale_bytes += hi - lo;
        } else {
            decommit(r, lo, hi);
        }
        if (r->stale_bytes > STALE_MAX)
            stale_flush(ctx, r, 0, UINTPTR_MAX);
    }
    if (r->used)
        return;
    /* Keep one empty region for the next module; drop any other. */
    for (uint32_t i = 0; i < ctx->nregions; i++)
        if (ctx->regions[i] != r && !ctx->regions[i]->used && !ctx->regions[i]->own) {
            region_drop(ctx, r);
            return;
        }
}

/* ---- a big module's arrays ------------------------------------------------ */

/* 2 MiB-aligned mappings, bump-allocated: the kernel may back each with one
 * transparent huge page (THP in madvise mode), one fault where 512 fresh
 * 4 KiB pages of the heap would fault one at a time, ~10 us each on a
 * virtual machine.  An array grown copies, as realloc would, and its old
 * copy stays till the module goes: at most as much again as the arrays. */
#define BULK_CHUNK ((size_t)2 << 20)
typedef struct jit_bulk { struct jit_bulk *next; size_t size, used; } jit_bulk;
#define BULK_HEAD round_up(sizeof(jit_bulk), JIT_GRAIN)

void *jit_bulk_alloc(jit_module *m, size_t n)
{
    n = round_up(n, JIT_GRAIN);
    jit_bulk *b = m->bulk;
    if (!b || b->size - b->used < n) {
        if (n > SIZE_MAX / 4)
            return NULL;
        size_t size = round_up(BULK_HEAD + n, BULK_CHUNK);
        char *p = mmap(NULL, size + BULK_CHUNK, PROT_READ | PROT_WRITE, RESERVE_FLAGS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        char *a = (char *)round_up((uintptr_t)p, BULK_CHUNK);
        if (a > p)
            munmap(p, (size_t)(a - p));
        munmap(a + size, (size_t)(p + size + BULK_CHUNK - (a + size)));
        madvise(a, size, MADV_HUGEPAGE);    /* a hint: may be refused */
        b = (jit_bulk *)a;
        *b = (jit_bulk){m->bulk, size, BULK_HEAD};
        m->bulk = b;
    }
    void *p = (char *)b + b->used;
    b->used += n;
    return p;
}

bool jit_bulk_owns(const jit_module *m, const void *p)
{
    for (const jit_bulk *b = m->bulk; b; b = b->next)
        if ((uintptr_t)p - (uintptr_t)b < b->size)
            return true;
    return false;
}

void jit_mfree(jit_module *m, void *p)
{
    if (!jit_bulk_owns(m, p))
        free(p);
}

void jit_bulk_fini(jit_module *m)
{
    for (jit_bulk *b = m->bulk, *next; b; b = next) {
        next = b->next;
        munmap(b, b->size);
    }
    m->bulk = NULL;
}

/* A finalized module keeps its symbols (jit_module_finalize): the bulk's
 * pages that hold none of the n extents of keep go back to the kernel. */
void jit_bulk_trim(jit_module *m, jit_extent *keep, uint32_t n)
{
    size_t page = m->ctx->page;
    for (uint32_t i = 1; i < n; i++)        /* by address */
        for (uint32_t j = i; j > 0 && keep[j].start < keep[j - 1].start; j--) {
            jit_extent t = keep[j];
            keep[j] = keep[j - 1], keep[j - 1] = t;
        }
    for (jit_bulk *b = m->bulk; b; b = b->next) {
        uintptr_t at = round_up((uintptr_t)b + BULK_HEAD, page), end = (uintptr_t)b + b->size;
        for (uint32_t i = 0; i <= n; i++) {
            uintptr_t lo = i < n ? keep[i].start : end, hi = i < n ? keep[i].start + keep[i].size : end;
            if (i < n && (lo < (uintptr_t)b || lo >= end))
                continue;
            lo &= ~(uintptr_t)(page - 1);
            if (at < lo)
                madvise((void *)at, lo - at, MADV_DONTNEED);
            at = round_up(hi, page) > at ? round_up(hi, page) : at;
        }
    }
}

void jit_populate(const jit_ctx *ctx, void *p, size_t n)
{
    uintptr_t lo = round_up((uintptr_t)p, ctx->page), hi = ((uintptr_t)p + n) & ~(uintptr_t)(ctx->page - 1);
    if (lo < hi)
        madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);     /* else they fault in */
}

/* ---- staging the code ------------------------------------------------------- */

/* Pages of a staging mapping made in one call (fresh pages cost a fault
 * each, ~10 us on a virtual machine; populating them ~40% less), from
 * `from` up to need, STAGE_STEP at a time: what the next functions fill. */
#define STAGE_STEP ((size_t)64 << 10)
static void stage_populate(jit_module *m, uint64_t from, uint64_t need)
{
    uint64_t lo = round_up(from, STAGE_STEP), hi = round_up(need, STAGE_STEP);
    hi = hi < m->capbytes ? hi : m->capbytes;
    if (lo < hi)
        madvise(m->bytes + lo, hi - lo, MADV_POPULATE_WRITE);  /* else they fault in */
}

static bool stage_resize(jit_module *m, uint64_t need, bool exact)
{
    if (need > UINT32_MAX / 2)
        return false;
    if (need <= JIT_STAGE_MAP && !m->bytes_map) {
        if (exact) {
            uint8_t *p = realloc(m->bytes, need);
            if (!p)
                return false;
            m->bytes = p, m->capbytes = (uint32_t)need;
            return true;
        }
        return jit_grow(&m->bytes, &m->capbytes, need, 1);
    }
    /* Above: a mapping doubled in place (mremap moves page tables, never
     * the bytes), its pages touched only as code is written to them; the
     * pages then become the code's own (jit_mem_protect). */
    size_t cap = JIT_STAGE_MAP * 2;
    while (cap < need)
        cap *= 2;
    void *p;
    if (m->bytes_map) {
        p = mremap(m->bytes, m->capbytes, cap, MREMAP_MAYMOVE);
    } else {
        p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) {
            uint8_t *old = m->bytes;
            m->bytes = p, m->capbytes = (uint32_t)cap;
            stage_populate(m, 0, m->nbytes);
            if (m->nbytes)
                memcpy(p, old, m->nbytes);
            free(old);
        }
    }
    if (p == MAP_FAILED)
        return false;
    m->bytes = p, m->capbytes = (uint32_t)cap, m->bytes_map = true;
    return true;
}

bool jit_stage_grow(jit_module *m, uint64_t need, bool exact)
{
    if (need > m->capbytes && !stage_resize(m, need, exact))
        return false;
    if (m->bytes_map)
        stage_populate(m, m->nbytes, need);
    return true;
}

void jit_stage_free(void *p, size_t cap, bool mapped)
{
    if (mapped && p)
        munmap(p, cap);
    else
        free(p);
}

bool jit_stage_movable(const jit_ctx *ctx, const jit_module *m)
{
    return m->bytes_map && !ctx->cfg.alias && m->text_size + m->got_size >= ctx->page;
}

/* The stage gone (its first `moved` bytes are the image's now). */
static void stage_free(jit_module *m, size_t moved)
{
    if (m->staged && m->bytes_map) {
        if (m->capbytes > moved)
            munmap(m->stage + moved, m->capbytes - moved);
        m->bytes_map = false;
        m->capbytes = 0;
    } else {
        free(m->stage);
    }
    m->stage = NULL;
}

/* Move the whole pages of a staged mapping to the image's place (the
 * region's reservation under them is replaced): no copy, no fresh pages.
 * The number of bytes moved; 0 if none (then the caller copies). */
static size_t stage_move(jit_ctx *ctx, jit_module *m, size_t image)
{
    size_t whole = image & ~(ctx->page - 1);
    if (!m->staged || !jit_stage_movable(ctx, m) || m->region->rw || (m->base & (ctx->page - 1)) ||
        !whole)
        return 0;
    void *p = mremap(m->stage, whole, whole, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)m->base);
    if (p == MAP_FAILED)
        return 0;
    /* the rest of the mapping stays at m->stage + whole: what is left to
     * copy, then unmapped */
    return whole;
}

/* After a failed finalize: the stage whole again, as unlink expects of a
 * linked module, by a copy, the moved pages left in place (moved back,
 * they would leave a hole in the region, where any mapping may land). */
static void stage_unmove(jit_module *m, size_t moved)
{
    void *p = mmap(m->stage, moved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                   MAP_FIXED_NOREPLACE, -1, 0);
    if (p == m->stage) {
        memcpy(m->stage, (void *)m->base, moved);
        return;
    }
    if (p != MAP_FAILED)    /* an old kernel took it as a hint */
        munmap(p, moved);
    if (mremap((void *)m->base, moved, moved, MREMAP_MAYMOVE | MREMAP_FIXED, m->stage) != MAP_FAILED)
        mmap((void *)m->base, moved, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0);
}

/* The staged image goes into place: its pages writable (a neighbour
 * sharing a page is not executable for that moment: nothing runs while
 * the context links), the copy, then read+execute. */
bool jit_mem_protect(jit_ctx *ctx, jit_module *m, jit_error *err)
{
    size_t image = m->text_size + m->got_size;
    if (m->region->rw) {        /* alias: through the writable view, no system call */
        memcpy((void *)(m->region->rw + (m->base - m->region->base)), m->stage, image);
        __builtin___clear_cache((char *)m->base, (char *)m->base + image);
        stage_free(m, 0);
        return true;
    }
    uintptr_t lo = m->base & ~(uintptr_t)(ctx->page - 1), hi = round_up(m->base + image, ctx->page);
    if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE) != 0)
        return jit_fail(err, 0, 0, "cannot commit %zu KiB of JIT memory for module '%s': %s",
                        (hi - lo) >> 10, jit_module_name(m), strerror(errno));
    size_t moved = stage_move(ctx, m, image);
    memcpy((void *)(m->base + moved), m->stage + moved, image - moved);
    /* Needed on AArch64 before the new code runs; a no-op on x86-64. */
    __builtin___clear_cache((char *)m->base, (char *)m->base + image);
    if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_EXEC) != 0) {
        int e = errno;
        if (moved)
            stage_unmove(m, moved);
        return jit_fail(err, 0, 0, "cannot make the code of module '%s' executable: %s",
                        jit_module_name(m), strerror(e));
    }
    stage_free(m, moved);
    if (m->ro_size && mprotect((void *)round_up(m->base + image, ctx->page), m->ro_size, PROT_READ) != 0)
        return jit_fail(err, 0, 0, "cannot make the data of module '%s' read-only: %s",
                        jit_module_name(m), strerror(errno));
    return true;
}
