/* Internal to lib/jit: the structures its files share.  jit.h is the
 * folder's interface. */
#ifndef CLIFRUN_JIT_INTERNAL_H
#define CLIFRUN_JIT_INTERNAL_H

#include "jit.h"

#define JIT_GAP ((uint64_t)4 << 30)     /* spread: distance kept between regions */

/* ---- growable arrays and errors (module.c) -------------------------------- */
bool jit_grow(void *pp, uint32_t *cap, uint64_t need, size_t elem);
bool jit_fail(jit_error *e, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "+0x1234 (4.6 KiB)": a signed distance for messages. */
const char *jit_fmt_dist(char buf[48], int64_t d);
uint32_t jit_hash(const char *s, size_t n);

/* ---- reserved address space (mem.c) --------------------------------------- */
typedef struct jit_extent { uintptr_t start; size_t size; } jit_extent;

typedef struct jit_region {
    uintptr_t base;
    size_t size;
    uintptr_t rw;           /* alias: the read+write view of [base, base+size), else 0 */
    uintptr_t top;          /* alias: [base, top) is mapped in both views */
    size_t used;            /* bytes handed to modules */
    bool own;               /* spread: far from all others, unmapped when empty */
    jit_extent *free;       /* sorted by address, coalesced */
    uint32_t nfree, capfree;
    jit_extent *stale;      /* freed pages still committed (mem.c), unsorted */
    uint32_t nstale, capstale;
    size_t stale_bytes;
} jit_region;

/* ---- modules ---------------------------------------------------------------- */
enum { SYM_CALLED = 1, SYM_GOT = 2 };
enum { DEF_FUNC, DEF_RODATA, DEF_DATA };
enum { MOD_NEW, MOD_LINKED, MOD_FINAL };

/* A name the module defines or refers to. */
typedef struct jit_sym {
    uint32_t name, len, hash;   /* name: offset into m->names (NUL-terminated) */
    int32_t def;                /* index into m->defs, -1 if only referenced */
    uint32_t line, col;         /* first reference, for errors */
    uint8_t flags;              /* SYM_* */
    bool resolved, stub_used, got_used;
    int32_t stub, got;          /* slot index after layout, -1 none */
    uint64_t addr;              /* after resolution */
    jit_module *from;           /* another module it resolved to */
    bool embedder;              /* resolved to a jit_define_symbol, not by dlsym */
} jit_sym;

typedef struct jit_def {        /* a function or data object */
    uint32_t sym;
    uint8_t kind;               /* DEF_* */
    bool local;
    uint32_t align, line;
    uint64_t size, src;         /* bytes at m->bytes + src (src = ~0: zeroes) */
    uint32_t rel0, nrel, trap0, ntrap;
    uint64_t off;               /* from the start of its segment, after layout */
} jit_def;

typedef struct jit_rel {
    uint32_t offset, sym, kind, line, col;
    int64_t addend;
} jit_rel;

typedef struct jit_fn_span { uint32_t off, size, def; } jit_fn_span;

struct jit_module {
    jit_ctx *ctx;
    char *name;
    jit_module *prev, *next;    /* ctx->modules list */
    int state;                  /* MOD_* */
    char *names; uint32_t nnames, capnames;
    jit_sym *syms; uint32_t nsyms, capsyms;
    uint32_t *symtab; uint32_t symtab_cap;   /* open addressing: sym index + 1 */
    jit_def *defs; uint32_t ndefs, capdefs;
    jit_rel *rels; uint32_t nrels, caprels;
    jit_trap *traps; uint32_t ntraps, captraps;   /* def-relative until link */
    uint8_t *bytes; uint32_t capbytes; uint64_t nbytes;
    /* after layout: text | stubs | GOT is one read+execute image, staged
     * in `stage` until finalize; data objects, if any, on pages of their
     * own after it (rodata from page_up(image), then data) */
    jit_region *region;
    uintptr_t base;
    size_t text_size, got_size, ro_size, data_size, code_end;
    size_t alloc_size;          /* what jit_mem_alloc gave */
    uint8_t *stage;             /* the image while linked, NULL once final */
    bool staged;                /* stage is bytes laid out in place (no data objects):
                                   unlink moves them back */
    bool bytes_map;             /* bytes (the stage once staged) is a mapping of capbytes
                                   bytes, not the heap's (jit_stage_grow) */
    uint32_t stub_off, nstubs, ngot;
    jit_fn_span *fns; uint32_t nfns;
    jit_trap *mtraps; uint32_t nmtraps;       /* text-relative, sorted */
    jit_module **deps; uint32_t ndeps, capdeps;
    uint32_t importers;         /* live modules linked against this one */
    struct jit_bulk *bulk;      /* a big module's arrays (mem.c), else NULL */
    jit_module_stats st;
};

/* A finalized module's address range, kept sorted for trap lookup. */
typedef struct jit_range { uintptr_t start, end, text_end; jit_module *m; } jit_range;

typedef struct jit_gsym { uint32_t hash, sym; jit_module *m; } jit_gsym;
typedef struct jit_hsym { uint32_t hash, name, len; bool user; uint64_t addr; } jit_hsym;

struct jit_ctx {
    jit_config cfg;
    size_t page;
    jit_region **regions; uint32_t nregions, capregions;
    size_t reserved, committed;
    jit_extent *host; uint32_t nhost, caphost;    /* host code, spread avoids it */
    uintptr_t next_slot;                           /* spread: where to try first */
    bool spread_full;                              /* spread: no far slot left */
    uint32_t spread_next;                          /* then: the region to try next */
    jit_region *spread_last;                       /* the previous module's */
    jit_module *modules;
    size_t live;
    uint64_t created;
    jit_gsym *gtab; uint32_t gcap, gcount;         /* exported symbols */
    jit_hsym *htab; uint32_t hcap, hcount;         /* host symbols */
    char *hnames; uint32_t nhnames, caphnames;
    struct { const jit_host_sym *tab; size_t n; } htabs[4];   /* jit_define_symbols */
    uint32_t nhtabs;
    jit_range *ranges; uint32_t nranges, capranges;
};

/* mem.c */
bool jit_mem_init(jit_ctx *ctx, jit_error *err);
void jit_mem_fini(jit_ctx *ctx);
/* size bytes aligned to align (a power of two, >= JIT_GRAIN): packed next
 * to other modules unless page-aligned; nothing committed (code is staged
 * and placed by jit_mem_protect; data pages by jit_mem_commit). */
#define JIT_GRAIN 64
bool jit_mem_alloc(jit_ctx *ctx, size_t size, size_t align, bool data, jit_region **r, uintptr_t *addr,
                   jit_error *err);
bool jit_mem_commit(jit_ctx *ctx, jit_region *r, uintptr_t addr, size_t size, jit_error *err);
void jit_mem_release(jit_ctx *ctx, jit_region *r, uintptr_t addr, size_t size);
bool jit_mem_protect(jit_ctx *ctx, jit_module *m, jit_error *err);
/* m->bytes to hold need bytes, its first m->nbytes kept: on the heap while
 * small (exact: to need, not doubled), a mapping grown in place above
 * JIT_STAGE_MAP; jit_stage_free releases either. */
#define JIT_STAGE_MAP ((size_t)64 << 10)
bool jit_stage_grow(jit_module *m, uint64_t need, bool exact);
/* A big module's arrays: past JIT_BULK_MIN bytes an array grows into the
 * module's bulk, where nothing is freed before the module (jit_bulk_fini);
 * jit_mfree frees p unless the bulk holds it. */
#define JIT_BULK_MIN ((size_t)128 << 10)
void *jit_bulk_alloc(jit_module *m, size_t n);
bool jit_bulk_owns(const jit_module *m, const void *p);
void jit_mfree(jit_module *m, void *p);
void jit_bulk_fini(jit_module *m);
void jit_bulk_trim(jit_module *m, jit_extent *keep, uint32_t n);
/* A table about to be filled all over: its pages made in one call. */
void jit_populate(const jit_ctx *ctx, void *p, size_t n);
/* m's image, staged in a mapping, can be moved into place (its whole
 * pages, no copy) if its place starts a page: layout asks for one. */
bool jit_stage_movable(const jit_ctx *ctx, const jit_module *m);
void jit_stage_free(void *p, size_t cap, bool mapped);
static inline size_t jit_page_up(const jit_ctx *ctx, size_t x)
{
    return (x + ctx->page - 1) & ~(ctx->page - 1);
}

/* symbols.c */
bool jit_sym_publish(jit_module *m, jit_error *err);
void jit_sym_unpublish(jit_module *m);
bool jit_sym_resolve(jit_module *m, jit_sym *s, jit_error *err);
const jit_gsym *jit_sym_global(const jit_ctx *ctx, const char *name, size_t len, uint32_t h);
void jit_sym_fini(jit_ctx *ctx);

/* module.c */
void jit_module_unlink(jit_module *m);
uint64_t jit_def_addr(const jit_module *m, const jit_def *d);
/* Where link writes the byte at run-time address a: the staged image, or
 * the data pages (committed at layout). */
static inline uint8_t *jit_at(const jit_module *m, uint64_t a)
{
    if (m->stage && a - m->base < m->text_size + m->got_size)
        return m->stage + (a - m->base);
    return (uint8_t *)(uintptr_t)a;
}
static inline const char *jit_sym_name(const jit_module *m, const jit_sym *s)
{
    return m->names + s->name;
}

/* link.c: per relocation kind, its arch (0: any) and class */
enum { CLS_CALL, CLS_GOT, CLS_DATA };
extern const uint8_t jit_reloc_arch[], jit_reloc_cls[];
bool jit_link_layout(jit_module *m, jit_error *err);
bool jit_link_apply(jit_module *m, jit_error *err);

/* trap.c */
bool jit_range_add(jit_ctx *ctx, jit_module *m);
void jit_range_remove(jit_ctx *ctx, jit_module *m);

#endif
