/* lib/interp/mem.c: memory.  Stack slots are real bytes in a region the
 * context reserves once (placed below 4 GiB when the host allows it, so a
 * stack_addr.i32 is an address too); they are read and written directly.
 * Any other address — a host pointer, a symbol, a constant — is host
 * memory, accessed under lib/run's guard: an unmapped page is the
 * instruction's trap (its memflags' code, else heap_oob), never a crash.
 * A page that worked is remembered until the next host call, so a loop
 * over host memory does not pay for the guard each time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <sys/mman.h>
#include <unistd.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

#define STACK_SIZE ((size_t)256 << 20)
#define VALS_SIZE ((size_t)256 << 20)
#define KEEP_RESIDENT INTERP_KEEP_RESIDENT

/* ---- the stacks ------------------------------------------------------------------- */

/* One spare reservation of each kind, kept by interp_mem_free for the next
 * context: a fuzzing campaign makes a context per program, and mapping
 * 512 MiB afresh each time costs system time (and under qemu-user, whose
 * page tables for an unmapped range are never freed, 1.5 MB a program). */
static istack spare[2];

static bool reserve(istack *s, size_t size, bool low)
{
    istack *sp = &spare[low];
    if (sp->base && sp->size == size) {
        *s = *sp;
        memset(sp, 0, sizeof *sp);
        s->top = 0;
        return true;
    }
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *p = MAP_FAILED;
#ifdef MAP_FIXED_NOREPLACE
    /* a kernel without MAP_FIXED_NOREPLACE takes it as a hint: check */
    static const uintptr_t hints[] = {0x40000000, 0x20000000, 0x60000000, 0x80000000, 0x10000000};
    for (size_t i = 0; low && i < sizeof hints / sizeof hints[0] && p == MAP_FAILED; i++) {
        p = mmap((void *)hints[i], size, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE, -1, 0);
        if (p != MAP_FAILED && (uintptr_t)p + size > (1ull << 32)) {
            munmap(p, size);
            p = MAP_FAILED;
        }
    }
#endif
    if (p == MAP_FAILED)
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED)
        return false;
    s->base = p;
    s->size = size;
    s->top = s->high = 0;
    return true;
}

bool interp_mem_init_slow(interp_ctx *C)
{
    if (!C->mem.base && !reserve(&C->mem, STACK_SIZE, true))
        return false;
    C->mem.down = true;     /* as the machine's: get_stack_pointer falls with depth */
    if (!C->vals.base && !reserve(&C->vals, VALS_SIZE, false))
        return false;
    /* what the last call left resident beyond a little goes back */
    istack *ss[2] = {&C->mem, &C->vals};
    for (int i = 0; i < 2; i++)
        if (ss[i]->high > KEEP_RESIDENT && !ss[i]->top) {
            size_t extra = ss[i]->high - KEEP_RESIDENT;
            madvise(ss[i]->base + (ss[i]->down ? ss[i]->size - ss[i]->high : KEEP_RESIDENT), extra, MADV_DONTNEED);
            ss[i]->high = KEEP_RESIDENT;
        }
    return true;
}

void interp_mem_free(interp_ctx *C)
{
    istack *ss[2] = {&C->vals, &C->mem};   /* spare[low] */
    for (int i = 0; i < 2; i++) {
        if (!ss[i]->base)
            continue;
        if (spare[i].base || ss[i]->top) {
            munmap(ss[i]->base, ss[i]->size);
            continue;
        }
        if (ss[i]->high > KEEP_RESIDENT) {  /* as interp_mem_init trims */
            size_t extra = ss[i]->high - KEEP_RESIDENT;
            madvise(ss[i]->base + (ss[i]->down ? ss[i]->size - ss[i]->high : KEEP_RESIDENT), extra, MADV_DONTNEED);
            ss[i]->high = KEEP_RESIDENT;
        }
        spare[i] = *ss[i];
    }
}

/* ---- guarded host memory ---------------------------------------------------------------- */

enum { PG_R = 1, PG_W = 2 };

void interp_mem_forget(interp_ctx *C)
{
    if (C->pages_used)
        memset(C->pages, 0, sizeof C->pages);
    C->pages_used = false;
}

static size_t page_size(void)
{
    static size_t ps;
    if (!ps) {
        long p = sysconf(_SC_PAGESIZE);
        ps = p > 0 ? (size_t)p : 4096;
    }
    return ps;
}

/* Does MADV_DONTNEED give zero pages back here?  Asked once, on a page
 * about to be filled anyway: qemu-user 7 takes it as a hint and does
 * nothing. */
static bool dontneed_zeroes(uint8_t *page, size_t ps)
{
    static int ok = -1;
    if (ok < 0) {
        *(volatile uint8_t *)page = 1;
        ok = madvise(page, ps, MADV_DONTNEED) == 0 && *(volatile uint8_t *)page == 0;
    }
    return ok;
}

/* interp_stack_fill's zeros of 64 KiB and more (internal.h). */
void interp_stack_fill_big(uint8_t *p, size_t n, uint8_t fill)
{
    size_t ps = page_size();
    uintptr_t lo = (uintptr_t)p, hi = lo + n;
    uintptr_t a = (lo + ps - 1) & ~(uintptr_t)(ps - 1), b = hi & ~(uintptr_t)(ps - 1);
    if (fill || n < INTERP_ZERO_BY_KERNEL || b < a + INTERP_ZERO_BY_KERNEL || !dontneed_zeroes((uint8_t *)a, ps) ||
        madvise((void *)a, b - a, MADV_DONTNEED) != 0) {
        memset(p, fill, n);
        return;
    }
    memset(p, 0, a - lo);
    memset((void *)b, 0, hi - b);
}

static bool known(const interp_ctx *C, uint64_t addr, size_t n, unsigned need)
{
    size_t ps = page_size();
    if (addr + n - 1 < addr)
        return false;   /* wraps around: never memory */
    for (uint64_t pg = addr / ps; pg <= (addr + n - 1) / ps; pg++) {
        uint64_t e = C->pages[pg & 63];
        if (e >> 2 != pg || (e & need) != need)
            return false;
    }
    return true;
}

static void learn(interp_ctx *C, uint64_t addr, size_t n, unsigned got)
{
    size_t ps = page_size();
    C->pages_used = true;
    for (uint64_t pg = addr / ps; pg <= (addr + n - 1) / ps; pg++) {
        uint64_t *e = &C->pages[pg & 63];
        *e = pg << 2 | (*e >> 2 == pg ? (*e & 3) : 0) | got;
    }
}

typedef struct copy_req {
    void *dst;
    const void *src;
    size_t n;
} copy_req;

/* Any address may come here, 0 included, and may fault: a plain loop the
 * sanitizers leave alone (the guard is what catches the fault). */
__attribute__((no_sanitize("address", "undefined"), noinline))
static void copy_body(void *p)
{
    copy_req *r = p;
    volatile uint8_t *d = r->dst;
    const volatile uint8_t *s = r->src;
    for (size_t i = 0; i < r->n; i++)
        d[i] = s[i];
}

static int fault_code(const dinst *d)
{
    return d && d->trap ? d->trap : IR_TRAP_heap_oob;
}

int interp_mem_read(interp_ctx *C, uint64_t addr, void *dst, size_t n, const dinst *d)
{
    if (!n)
        return 0;
    if (addr + n - 1 < addr)
        return fault_code(d);   /* wraps around the address space */
    if (interp_in_stack(C, addr, n) || known(C, addr, n, PG_R)) {
        memcpy(dst, (const void *)(uintptr_t)addr, n);
        return 0;
    }
    copy_req r = {dst, (const void *)(uintptr_t)addr, n};
    run_outcome oc;
    if (run_guarded(copy_body, &r, NULL, &oc) != RUN_OK)
        return oc.status == RUN_TRAP ? fault_code(d) : interp_error(C, "%s", oc.msg);
    learn(C, addr, n, PG_R);
    return 0;
}

int interp_mem_write(interp_ctx *C, uint64_t addr, const void *src, size_t n, const dinst *d)
{
    if (!n)
        return 0;
    if (addr + n - 1 < addr)
        return fault_code(d);
    if (interp_in_stack(C, addr, n) || known(C, addr, n, PG_W)) {
        memcpy((void *)(uintptr_t)addr, src, n);
        return 0;
    }
    copy_req r = {(void *)(uintptr_t)addr, src, n};
    run_outcome oc;
    if (run_guarded(copy_body, &r, NULL, &oc) != RUN_OK)
        return oc.status == RUN_TRAP ? fault_code(d) : interp_error(C, "%s", oc.msg);
    learn(C, addr, n, PG_R | PG_W);
    return 0;
}

/* ---- byte order ------------------------------------------------------------------------ */

/* The host is little endian (x86-64, AArch64): `big` swaps each lane. */
static void to_memory_order(uint8_t *p, unsigned lane_bytes, unsigned n, unsigned mf)
{
    if (!(mf & IR_MF_BIG) || lane_bytes < 2)
        return;
    for (unsigned i = 0; i + lane_bytes <= n; i += lane_bytes)
        interp_bswap(p + i, lane_bytes);
}

static unsigned lane_bytes(ir_type t)
{
    return ir_type_lane_bits(t) / 8;
}

/* ---- loads and stores ---------------------------------------------------------------------- */

/* Bytes in memory and, for the narrow forms, the memory type. */
static ir_type mem_type(unsigned op, ir_type t)
{
    switch (op) {
    case IR_OP_uload8: case IR_OP_sload8: case IR_OP_istore8: return IR_I8;
    case IR_OP_uload16: case IR_OP_sload16: case IR_OP_istore16: return IR_I16;
    case IR_OP_uload32: case IR_OP_sload32: case IR_OP_istore32: return IR_I32;
    case IR_OP_uload8x8: case IR_OP_sload8x8: return ir_type_make(IR_I8, 3);
    case IR_OP_uload16x4: case IR_OP_sload16x4: return ir_type_make(IR_I16, 2);
    case IR_OP_uload32x2: case IR_OP_sload32x2: return ir_type_make(IR_I32, 1);
    default: return t;
    }
}

static bool signed_load(unsigned op)
{
    return op == IR_OP_sload8 || op == IR_OP_sload16 || op == IR_OP_sload32 || op == IR_OP_sload8x8 ||
           op == IR_OP_sload16x4 || op == IR_OP_sload32x2;
}

static int x_load(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type mt = d->ty2;
    unsigned n = ir_type_bytes(mt);
    islot m, r;
    memset(&m, 0, sizeof m);
    memset(&r, 0, sizeof r);
    int st = interp_mem_read(C, S[d->a].d[0] + d->imm, m.b, n, d);
    if (st)
        return st;
    to_memory_order(m.b, lane_bytes(mt), n, d->mf);
    if (mt == d->ty) {
        S[d->r] = m;
        return 0;
    }
    /* the extending forms: each memory lane to a lane of the result */
    unsigned mb = ir_type_lane_bits(mt), rb = ir_type_lane_bits(d->ty), lanes = ir_type_lanes(mt);
    bool sgn = signed_load(d->op);
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t v = interp_lane(&m, mb, i);
        if (sgn)
            v = (uint64_t)interp_sext(v, mb) & interp_mask(rb);
        interp_set_lane(&r, rb, i, v);
    }
    S[d->r] = r;
    return 0;
}

bool interp_dec_load(interp_dec *D, dinst *d)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    d->ty2 = mem_type(d->op, d->ty);
    d->imm = (uint64_t)in->imm;     /* the offset, sign-extended */
    d->fn = x_load;
    unsigned n = ir_type_bytes(d->ty2);
    bool narrow = d->op == IR_OP_load || d->op == IR_OP_uload8 || d->op == IR_OP_uload16 ||
                  d->op == IR_OP_uload32;
    if (narrow && !ir_type_is_vector(d->ty) && n <= 8 && !(d->mf & IR_MF_BIG)) {
        d->x = XOP_LOAD;
        d->cc = (uint8_t)n;
    }
    return true;
}

static int x_store(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type mt = d->ty2;
    unsigned n = ir_type_bytes(mt);
    islot m = S[d->a];
    to_memory_order(m.b, lane_bytes(mt), n, d->mf);
    return interp_mem_write(C, S[d->b].d[0] + d->imm, m.b, n, d);
}

bool interp_dec_store(interp_dec *D, dinst *d)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    d->ty = interp_value_type(D, 0);
    d->ty2 = mem_type(d->op, d->ty);
    d->imm = (uint64_t)in->imm;
    d->fn = x_store;
    unsigned n = ir_type_bytes(d->ty2);
    if (!ir_type_is_vector(d->ty) && n <= 8 && !(d->mf & IR_MF_BIG)) {
        d->x = XOP_STORE;
        d->cc = (uint8_t)n;
    }
    return true;
}

/* ---- stack_addr ------------------------------------------------------------------------------ */

static int x_stack_addr(interp_ctx *C, islot *S, const dinst *d)
{
    const iframe *F = &C->frames[C->depth - 1];
    uint64_t a = (uint64_t)(uintptr_t)F->mem + F->fn->slot_off[d->c] + d->imm;
    if (ir_type_lane_bits(d->ty) == 32 && a >> 32)
        return interp_error(C, "a 32-bit stack address: the interpreter's stack is above 4 GiB on this host");
    S[d->r].q = a & interp_mask(ir_type_lane_bits(d->ty));
    return 0;
}

bool interp_dec_stack_addr(interp_dec *D, dinst *d)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    if (in->ent >= D->fn->stack_slots.n)
        return interp_unsupported(D->d, D->fn, D->inst, "an undefined stack slot");
    d->c = in->ent;
    d->imm = (uint64_t)in->imm;
    d->fn = x_stack_addr;
    return true;
}

/* ---- global values ------------------------------------------------------------------------------ */

int interp_global_value(interp_ctx *C, const dfunc *df, islot *S, uint32_t gv, islot *out, const dinst *d)
{
    const ir_function *fn = df->ir;
    for (unsigned depth = 0; depth < 64; depth++) {
        const ir_global_value *g = &fn->gvs.v[gv];
        unsigned bits = g->type ? ir_type_lane_bits(g->type) : 64;
        switch (g->kind) {
        case IR_GV_VMCTX:
            if (df->vmctx == IR_NONE)
                return interp_error(C, "vmctx global value in a function without a vmctx parameter");
            *out = S[df->vmctx];
            return 0;
        case IR_GV_SYMBOL: {
            uint64_t a;
            if (!interp_symbol_address(C, fn, &g->name, &a))
                return interp_error(C, "%s", C->msg);
            memset(out, 0, sizeof *out);
            out->d[0] = a + (uint64_t)g->offset;
            return 0;
        }
        case IR_GV_IADD_IMM: {
            islot b;
            int st = interp_global_value(C, df, S, g->base, &b, d);
            if (st)
                return st;
            memset(out, 0, sizeof *out);
            out->d[0] = (b.d[0] + (uint64_t)g->offset) & interp_mask(bits);
            return 0;
        }
        case IR_GV_LOAD: {
            islot b;
            int st = interp_global_value(C, df, S, g->base, &b, d);
            if (st)
                return st;
            dinst ld = {.trap = g->flags.trap ? g->flags.trap : IR_TRAP_heap_oob};
            unsigned n = ir_type_bytes(g->type);
            memset(out, 0, sizeof *out);
            st = interp_mem_read(C, b.d[0] + (uint64_t)g->offset, out->b, n, &ld);
            if (st)
                return st;
            to_memory_order(out->b, n, n, g->flags.bits);
            return 0;
        }
        default:
            return interp_error(C, "a dyn_scale global value");
        }
    }
    return interp_error(C, "global values nested too deep");
}

static int x_global(interp_ctx *C, islot *S, const dinst *d)
{
    const iframe *F = &C->frames[C->depth - 1];
    islot v;
    int st = interp_global_value(C, F->fn, S, d->c, &v, d);
    if (st)
        return st;
    unsigned bits = ir_type_lane_bits(d->ty);
    if (bits < 128)
        v.q &= interp_mask(bits);
    S[d->r] = v;
    return 0;
}

bool interp_dec_global(interp_dec *D, dinst *d)
{
    const ir_function *fn = D->fn;
    const ir_inst_data *in = &fn->insts.v[D->inst];
    if (d->op == IR_OP_tls_value)
        return interp_unsupported(D->d, fn, D->inst, "tls_value (thread-local symbols)");
    uint32_t gv = in->ent;
    for (unsigned depth = 0; gv < fn->gvs.n; depth++) {
        const ir_global_value *g = &fn->gvs.v[gv];
        if (depth > 64)
            return interp_unsupported(D->d, fn, D->inst, "global values nested too deep");
        if (g->kind == IR_GV_DYN_SCALE)
            return interp_unsupported(D->d, fn, D->inst, "dyn_scale global values (dynamic vector types)");
        if (g->tls)
            return interp_unsupported(D->d, fn, D->inst, "thread-local symbols");
        if (g->kind == IR_GV_VMCTX && D->df->vmctx == IR_NONE) {
            bool has = false;
            for (uint32_t k = 0; k < fn->sig.nparams; k++)
                has |= fn->abi_params.v[fn->sig.params + k].purpose == IR_PURPOSE_VMCTX;
            if (!has)
                return interp_unsupported(D->d, fn, D->inst, "vmctx without a vmctx parameter");
        }
        if (g->kind == IR_GV_SYMBOL) {
            uint64_t a;
            if (!interp_symbol_address(D->C, fn, &g->name, &a))
                return interp_unsupported(D->d, fn, D->inst, "%s", D->C->msg);
            break;
        }
        if (g->kind == IR_GV_VMCTX)
            break;
        gv = g->base;
    }
    d->c = in->ent;
    d->fn = x_global;
    return true;
}

/* ---- atomics: single-threaded, on real memory ---------------------------------------------------- */

static u128 rmw(unsigned op, unsigned bits, u128 old, u128 x)
{
    u128 m = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
    i128 so = bits == 128 ? (i128)old : interp_sext((uint64_t)old, bits);
    i128 sx = bits == 128 ? (i128)x : interp_sext((uint64_t)x, bits);
    u128 r;
    switch (op) {
    case IR_RMW_add: r = old + x; break;
    case IR_RMW_sub: r = old - x; break;
    case IR_RMW_and: r = old & x; break;
    case IR_RMW_nand: r = ~(old & x); break;
    case IR_RMW_or: r = old | x; break;
    case IR_RMW_xor: r = old ^ x; break;
    case IR_RMW_xchg: r = x; break;
    case IR_RMW_umin: r = old < x ? old : x; break;
    case IR_RMW_umax: r = old > x ? old : x; break;
    case IR_RMW_smin: r = so < sx ? old : x; break;
    default: r = so > sx ? old : x; break;
    }
    return r & m;
}

static int x_atomic(interp_ctx *C, islot *S, const dinst *d)
{
    ir_type t = d->ty;
    unsigned n = ir_type_bytes(t), bits = ir_type_lane_bits(t);
    islot old, nw;
    memset(&old, 0, sizeof old);
    int st;
    if (d->op == IR_OP_atomic_store) {
        nw = S[d->a];
        to_memory_order(nw.b, n, n, d->mf);
        return interp_mem_write(C, S[d->b].d[0], nw.b, n, d);
    }
    uint64_t addr = S[d->a].d[0];
    if ((st = interp_mem_read(C, addr, old.b, n, d)))
        return st;
    to_memory_order(old.b, n, n, d->mf);
    if (d->op == IR_OP_atomic_rmw || d->op == IR_OP_atomic_cas) {
        bool write = true;
        memset(&nw, 0, sizeof nw);
        if (d->op == IR_OP_atomic_rmw) {
            nw.q = rmw(d->cc, bits, old.q, bits == 128 ? S[d->b].q : S[d->b].d[0]);
        } else {
            u128 exp = bits == 128 ? S[d->b].q : S[d->b].d[0];
            write = old.q == exp;
            nw.q = bits == 128 ? S[d->c].q : S[d->c].d[0];
        }
        if (write) {
            to_memory_order(nw.b, n, n, d->mf);
            if ((st = interp_mem_write(C, addr, nw.b, n, d)))
                return st;
        }
    }
    S[d->r] = old;
    return 0;
}

bool interp_dec_atomic(interp_dec *D, dinst *d)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    if (d->op == IR_OP_atomic_store)
        d->ty = interp_value_type(D, 0);
    d->cc = in->cond;
    d->fn = x_atomic;
    return true;
}
