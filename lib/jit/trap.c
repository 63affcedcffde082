/* From a faulting pc to module, function, offset and trap code.  Finalized
 * modules sit in an array sorted by address; each module has its functions
 * in address order and its trap records sorted by text offset, so a lookup
 * is three binary searches, with no allocation and no locks: safe to call
 * from a signal handler. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* Index of the last range starting at or below a, or -1. */
static int64_t range_floor(const jit_ctx *ctx, uintptr_t a)
{
    int64_t lo = 0, hi = (int64_t)ctx->nranges - 1, best = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (ctx->ranges[mid].start <= a)
            best = mid, lo = mid + 1;
        else
            hi = mid - 1;
    }
    return best;
}

bool jit_range_add(jit_ctx *ctx, jit_module *m)
{
    if (!jit_grow(&ctx->ranges, &ctx->capranges, ctx->nranges + 1, sizeof *ctx->ranges))
        return false;
    uint32_t i = (uint32_t)(range_floor(ctx, m->base) + 1);
    memmove(&ctx->ranges[i + 1], &ctx->ranges[i], (ctx->nranges - i) * sizeof *ctx->ranges);
    ctx->ranges[i] = (jit_range){m->base, m->base + m->alloc_size, m->base + m->text_size, m};
    ctx->nranges++;
    return true;
}

void jit_range_remove(jit_ctx *ctx, jit_module *m)
{
    int64_t i = range_floor(ctx, m->base);
    if (i < 0 || ctx->ranges[i].m != m)
        return;
    memmove(&ctx->ranges[i], &ctx->ranges[i + 1], (ctx->nranges - i - 1) * sizeof *ctx->ranges);
    ctx->nranges--;
}

jit_module *jit_module_at(const jit_ctx *ctx, const void *addr)
{
    int64_t i = range_floor(ctx, (uintptr_t)addr);
    if (i < 0 || (uintptr_t)addr >= ctx->ranges[i].end)
        return NULL;
    return ctx->ranges[i].m;
}

bool jit_pc_in_code(const jit_ctx *ctx, uintptr_t pc)
{
    int64_t i = ctx ? range_floor(ctx, pc) : -1;
    return i >= 0 && pc < ctx->ranges[i].text_end;
}

void jit_code_fence(const jit_ctx *ctx, bool executable)
{
    /* images share pages (never with data): whole pages, each once */
    uintptr_t done = 0, pg = ctx ? ctx->page : 0;
    for (uint32_t i = 0; ctx && i < ctx->nranges; i++) {
        uintptr_t lo = ctx->ranges[i].start & ~(pg - 1), hi = (ctx->ranges[i].text_end + pg - 1) & ~(pg - 1);
        lo = lo < done ? done : lo;
        if (lo < hi)
            mprotect((void *)lo, hi - lo, executable ? PROT_READ | PROT_EXEC : PROT_READ);
        done = hi > done ? hi : done;
    }
}

bool jit_trap_lookup(const jit_ctx *ctx, uintptr_t pc, jit_trap_info *out)
{
    const jit_module *m = jit_module_at(ctx, (const void *)pc);
    if (!m || pc >= m->base + m->text_size)
        return false;
    uint32_t rel = (uint32_t)(pc - m->base);
    *out = (jit_trap_info){.module = m, .module_name = m->name};
    /* The function whose span holds rel (none in padding or the stubs). */
    int64_t lo = 0, hi = (int64_t)m->nfns - 1, f = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (m->fns[mid].off <= rel)
            f = mid, lo = mid + 1;
        else
            hi = mid - 1;
    }
    if (f < 0 || rel >= m->fns[f].off + m->fns[f].size) {
        out->func_offset = rel;
        return true;
    }
    const jit_def *d = &m->defs[m->fns[f].def];
    out->func_name = m->names + m->syms[d->sym].name;
    out->func_offset = rel - m->fns[f].off;
    lo = 0, hi = (int64_t)m->nmtraps - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (m->mtraps[mid].offset == rel) {
            out->has_trap = true;
            out->code = m->mtraps[mid].code;
            break;
        }
        if (m->mtraps[mid].offset < rel)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return true;
}
