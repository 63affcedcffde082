/* lib/interp/host.c: the world outside the file.
 *
 * A function the file calls but does not define is looked up by name in
 * the process (dlsym; Cranelift's libcall names bound to libm/libc) and
 * called through lib/run's libffi path, under its guard.  func_addr of a
 * function of the file gives the address of a libffi closure when its
 * signature is one libffi can express, so host code can call back into
 * the interpreter (qsort with an interpreted comparator); otherwise an
 * address in a reserved inaccessible range.  call_indirect recognises both
 * and interprets the function; any other address is called as host code
 * only when it is where a host symbol starts (dladdr says so). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"
#include "jit/jit.h"

#include <dlfcn.h>
#include <ffi.h>
#include <math.h>
#include <sys/mman.h>
#include <unistd.h>

#define FN_SPACING 16
/* Host code calling interpreted code calling host code ...: this deep at
 * most, then stk_ovf (the C stack holds every level). */
#define MAX_REENTRIES 200

/* Cranelift's LibCall names and the C functions behind them, bound here
 * as the JIT binds them (cg_define_libcalls), not by dlsym: clifrun may
 * link libm from its archive (Makefile), its functions then in no dynamic
 * symbol table. */
#define LIBCALL(clif, c) {clif, #c, (void *)c}
static const struct { const char *clif, *c; void *addr; } libcalls[] = {
    LIBCALL("CeilF32", ceilf), LIBCALL("CeilF64", ceil), LIBCALL("FloorF32", floorf),
    LIBCALL("FloorF64", floor), LIBCALL("TruncF32", truncf), LIBCALL("TruncF64", trunc),
    LIBCALL("NearestF32", nearbyintf), LIBCALL("NearestF64", nearbyint), LIBCALL("FmaF32", fmaf),
    LIBCALL("FmaF64", fma), LIBCALL("Memcpy", memcpy), LIBCALL("Memset", memset),
    LIBCALL("Memmove", memmove), LIBCALL("Memcmp", memcmp),
};
#undef LIBCALL

static const ir_extname *resolve_name(const ir_function *fn, const ir_extname *n)
{
    if (n->kind == IR_NAME_USERREF && n->index < fn->user_names.n)
        return &fn->user_names.v[n->index];
    return n;
}

/* The host address of a name that is not a function of the file. */
static void *host_symbol(interp_ctx *C, const ir_extname *n)
{
    if (n->kind != IR_NAME_TESTCASE && n->kind != IR_NAME_LIBCALL) {
        interp_error(C, "u%u:%u is neither a function of the file nor a host symbol", n->ns, n->index);
        return NULL;
    }
    const char *s = n->str ? n->str : "";
    for (size_t i = 0; i < sizeof libcalls / sizeof libcalls[0]; i++)
        if (!strcmp(s, libcalls[i].clif) || !strcmp(s, libcalls[i].c))
            return libcalls[i].addr;
    if (!strcmp(s, "__cranelift_throw")) {
        interp_error(C, "throwing an exception (%%__cranelift_throw walks machine frames)");
        return NULL;
    }
    /* then libm.so.6, as the JIT looks (libm.a linked: not in dlsym's reach) */
    void *p = dlsym(RTLD_DEFAULT, s), *libm;
    if (!p && (libm = jit_host_libm()))
        p = dlsym(libm, s);
    if (!p)
        interp_error(C, "%%%s is neither a function of the file nor a host symbol", s);
    return p;
}

static uint32_t add_host(interp_ctx *C, const char *name, void *addr)
{
    for (uint32_t i = 0; i < C->hosts.n; i++)
        if (C->hosts.v[i].addr == addr)
            return i;
    ir_vec_push(&C->hosts, ((ihost){name, addr}));
    return C->hosts.n - 1;
}

uint32_t interp_host_lookup(interp_ctx *C, const ir_function *fn, uint32_t fr, uint32_t inst, ir_diag *d)
{
    const ir_extname *n = resolve_name(fn, &fn->func_refs.v[fr].name);
    void *p = host_symbol(C, n);
    if (!p) {
        interp_unsupported(d, fn, inst, "%s", C->msg);
        return IR_NONE;
    }
    return add_host(C, n->str, p);
}

bool interp_symbol_address(interp_ctx *C, const ir_function *fn, const ir_extname *name, uint64_t *addr)
{
    const ir_extname *n = resolve_name(fn, name);
    uint32_t k = ir_file_find_func(C->file, n);
    if (k != IR_NONE) {
        *addr = interp_func_address(C, k);
        if (*addr)
            return true;
        interp_error(C, "out of memory");
        return false;
    }
    void *p = host_symbol(C, n);
    if (!p)
        return false;
    add_host(C, n->str, p);
    *addr = (uint64_t)(uintptr_t)p;
    return true;
}

/* ---- calling host code ----------------------------------------------------------------- */

int interp_host_call(interp_ctx *C, void *addr, const ir_function *fn, const ir_signature *sig,
                     islot *S, const uint32_t *args, const uint32_t *res, islot *resbuf)
{
    ir_data_value small[16], *av = sig->nparams <= 16 ? small : calloc(sig->nparams, sizeof *av);
    ir_data_value rv[2];
    if (!av)
        return interp_error(C, "out of memory");
    if (sig->nrets > 1) {
        if (av != small)
            free(av);
        return interp_error(C, "a host function with %u results (libffi returns one)", sig->nrets);
    }
    for (uint32_t i = 0; i < sig->nparams; i++) {
        av[i].type = fn->abi_params.v[sig->params + i].type;
        memcpy(av[i].bytes, S[args[i]].b, 16);
    }
    /* clifrun's `fast` is the C convention, as the JIT has it */
    ir_signature s = *sig;
    if (s.callconv == IR_CC_fast)
        s.callconv = IR_CC_default;
    run_callee callee = {.code = addr};
    run_opts ro = {0};
    run_outcome oc;
    bool nested = C->in_host;
    C->in_host = true;
    run_status st = run_call(&callee, fn, &s, av, sig->nparams, rv, &ro, &oc);
    C->in_host = nested;
    if (av != small)
        free(av);
    interp_mem_forget(C);   /* the host may have mapped or unmapped memory */
    if (C->pending) {
        int p = C->pending;
        C->pending = 0;
        C->where_kept = true;   /* a callback trapped: where_* say where */
        return p;
    }
    if (st == RUN_ERROR)
        return interp_error(C, "calling host code: %s", oc.msg);
    if (st != RUN_OK)
        return interp_error(C, "host code crashed (%s at 0x%jx)", run_signal_name(oc.signo),
                            (uintmax_t)oc.pc);
    for (uint32_t i = 0; i < sig->nrets; i++) {
        ir_type t = fn->abi_params.v[sig->rets + i].type;
        islot *dst = res ? &S[res[i]] : &resbuf[i];
        unsigned n = ir_type_bytes(t);
        memset(dst, 0, sizeof *dst);
        memcpy(dst->b, rv[i].bytes, n > 16 ? 16 : n);
    }
    return 0;
}

/* ---- function addresses ----------------------------------------------------------------- */

typedef struct closure_data {
    interp_ctx *C;
    uint32_t func;
    ffi_cif cif;
    ffi_type *types[];
} closure_data;

static ffi_type *ffi_of(ir_type t)
{
    switch (t) {
    case IR_I8: return &ffi_type_uint8;
    case IR_I16: return &ffi_type_uint16;
    case IR_I32: return &ffi_type_uint32;
    case IR_I64: return &ffi_type_uint64;
    case IR_F32: return &ffi_type_float;
    case IR_F64: return &ffi_type_double;
    default: return NULL;
    }
}

/* Host code calls function cd->func: its arguments become slots. */
static void closure_entry(ffi_cif *cif, void *ret, void **args, void *user)
{
    closure_data *cd = user;
    interp_ctx *C = cd->C;
    const ir_function *fn = C->file->funcs.v[cd->func];
    islot a[64], r[1];
    memset(r, 0, sizeof r);
    if (cif->rtype->size)
        memset(ret, 0, cif->rtype->size < sizeof(ffi_arg) ? sizeof(ffi_arg) : cif->rtype->size);
    if (C->pending || !C->in_host)
        return;     /* a callback already trapped: the host call ends soon */
    if (C->reentries >= MAX_REENTRIES) {
        /* each level holds host and interpreter frames on the C stack */
        C->pending = IR_TRAP_stk_ovf;
        C->where_func = cd->func;
        C->where_inst = IR_NONE;
        return;
    }
    for (uint32_t i = 0; i < fn->sig.nparams; i++) {
        memset(&a[i], 0, sizeof a[i]);
        memcpy(a[i].b, args[i], ir_type_bytes(fn->abi_params.v[fn->sig.params + i].type));
    }
    C->reentries++;
    int st = interp_reenter(C, cd->func, a, r);
    C->reentries--;
    if (st) {
        C->pending = st;
        return;
    }
    if (fn->sig.nrets) {
        /* a narrow integer result is returned widened to ffi_arg */
        ir_type t = fn->abi_params.v[fn->sig.rets].type;
        if (ir_type_is_int(t))
            *(ffi_arg *)ret = (ffi_arg)r[0].d[0];
        else
            memcpy(ret, r[0].b, ir_type_bytes(t));
    }
}

static bool closure_ok(const ir_function *fn)
{
    ir_callconv cc = fn->sig.callconv;
    if (cc != IR_CC_default && cc != IR_CC_fast && cc != IR_CC_system_v)
        return false;
    if (fn->sig.nparams > 64 || fn->sig.nrets > 1)
        return false;
    for (uint32_t i = 0; i < fn->sig.nparams + fn->sig.nrets; i++) {
        const ir_abi_param *p = &fn->abi_params.v[fn->sig.params + i];
        if (i >= fn->sig.nparams)
            p = &fn->abi_params.v[fn->sig.rets + i - fn->sig.nparams];
        if (!ffi_of(p->type) || p->purpose == IR_PURPOSE_SARG || p->purpose == IR_PURPOSE_SRET)
            return false;
    }
    return true;
}

/* The closure lives in a page of its own, prepared while it is writable
 * and then made read+execute: never writable and executable at once, as
 * libffi's ffi_closure_alloc maps it, which the sandbox of `clifrun test`'s
 * workers ends the process for.  Code and data at the same address is
 * libffi's own layout (the trampoline finds cif, fun and user_data next to
 * itself); they are only read once it is prepared. */
static void *make_closure(interp_ctx *C, uint32_t i)
{
    const ir_function *fn = C->file->funcs.v[i];
    if (!closure_ok(fn))
        return NULL;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (sizeof(ffi_closure) > page)
        return NULL;
    closure_data *cd = calloc(1, sizeof *cd + (fn->sig.nparams + 1) * sizeof(ffi_type *));
    void *p = cd ? mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
    if (p == MAP_FAILED) {
        free(cd);
        return NULL;
    }
    ffi_closure *cl = p;
    cd->C = C;
    cd->func = i;
    for (uint32_t k = 0; k < fn->sig.nparams; k++)
        cd->types[k] = ffi_of(fn->abi_params.v[fn->sig.params + k].type);
    ffi_type *rt = fn->sig.nrets ? ffi_of(fn->abi_params.v[fn->sig.rets].type) : &ffi_type_void;
    if (ffi_prep_cif(&cd->cif, FFI_DEFAULT_ABI, fn->sig.nparams, rt, cd->types) != FFI_OK ||
        ffi_prep_closure_loc(cl, &cd->cif, closure_entry, cd, p) != FFI_OK ||
        mprotect(p, page, PROT_READ | PROT_EXEC) != 0) {
        munmap(p, page);
        free(cd);
        return NULL;
    }
    __builtin___clear_cache((char *)p, (char *)p + sizeof *cl);
    C->closure_mem[2 * i] = p;
    C->closure_mem[2 * i + 1] = cd;
    return p;
}

/* The table of closure addresses, hashed: call_indirect looks them up. */
static uint32_t hash_addr(uint64_t a, uint32_t cap)
{
    return (uint32_t)((a >> 4) * 0x9e3779b97f4a7c15ull >> 40) & (cap - 1);
}

uint64_t interp_func_address(interp_ctx *C, uint32_t i)
{
    uint32_t nf = C->file->funcs.n;
    if (!C->closures) {
        C->closures = calloc(nf + 1, sizeof *C->closures);
        C->closure_mem = calloc(2 * (size_t)nf + 2, sizeof *C->closure_mem);
        C->fn_addrs_size = ((size_t)(nf + 1) * FN_SPACING + 4095) & ~(size_t)4095;
        void *p = mmap(NULL, C->fn_addrs_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        C->fn_addrs = p == MAP_FAILED ? NULL : p;
        if (!C->closures || !C->closure_mem || !C->fn_addrs)
            return 0;
    }
    if (!C->closures[i]) {
        void *code = make_closure(C, i);
        C->closures[i] = code ? code : C->fn_addrs + (size_t)i * FN_SPACING;
        if (code) {
            /* into the hash table: power-of-two capacity, at most half full */
            if (2 * (C->ncl + 1) > C->cl_cap) {
                uint32_t cap = C->cl_cap ? 2 * C->cl_cap : 16;
                uint64_t *keys = calloc(cap, sizeof *keys);
                uint32_t *vals = calloc(cap, sizeof *vals);
                if (!keys || !vals) {
                    free(keys);
                    free(vals);
                    return (uint64_t)(uintptr_t)C->closures[i];
                }
                for (uint32_t k = 0; k < C->cl_cap; k++)
                    if (C->cl_keys[k]) {
                        uint32_t h = hash_addr(C->cl_keys[k], cap);
                        while (keys[h])
                            h = (h + 1) & (cap - 1);
                        keys[h] = C->cl_keys[k], vals[h] = C->cl_vals[k];
                    }
                free(C->cl_keys);
                free(C->cl_vals);
                C->cl_keys = keys, C->cl_vals = vals, C->cl_cap = cap;
            }
            uint32_t h = hash_addr((uint64_t)(uintptr_t)code, C->cl_cap);
            while (C->cl_keys[h])
                h = (h + 1) & (C->cl_cap - 1);
            C->cl_keys[h] = (uint64_t)(uintptr_t)code;
            C->cl_vals[h] = i;
            C->ncl++;
        }
    }
    return (uint64_t)(uintptr_t)C->closures[i];
}

uint32_t interp_func_at(const interp_ctx *C, uint64_t addr)
{
    uint64_t base = (uint64_t)(uintptr_t)C->fn_addrs;
    if (C->fn_addrs && addr - base < (uint64_t)C->file->funcs.n * FN_SPACING && (addr - base) % FN_SPACING == 0)
        return (uint32_t)((addr - base) / FN_SPACING);
    if (C->cl_cap && addr) {
        for (uint32_t h = hash_addr(addr, C->cl_cap); C->cl_keys[h]; h = (h + 1) & (C->cl_cap - 1))
            if (C->cl_keys[h] == addr)
                return C->cl_vals[h];
    }
    return IR_NONE;
}

/* Host code at addr, if it is where a host symbol starts. */
bool interp_host_code(interp_ctx *C, uint64_t addr)
{
    for (uint32_t i = 0; i < C->hosts.n; i++)
        if ((uint64_t)(uintptr_t)C->hosts.v[i].addr == addr)
            return true;
    Dl_info info;
    return addr && dladdr((void *)(uintptr_t)addr, &info) && info.dli_saddr == (void *)(uintptr_t)addr;
}

void interp_host_free(interp_ctx *C)
{
    uint32_t nf = C->file->funcs.n;
    for (uint32_t i = 0; C->closure_mem && i < nf; i++) {
        if (C->closure_mem[2 * i])
            munmap(C->closure_mem[2 * i], (size_t)sysconf(_SC_PAGESIZE));
        free(C->closure_mem[2 * i + 1]);
    }
    free(C->closure_mem);
    free(C->closures);
    free(C->cl_keys);
    free(C->cl_vals);
    if (C->fn_addrs)
        munmap(C->fn_addrs, C->fn_addrs_size);
    ir_vec_free(&C->hosts);
}

/* func_addr.T fnN */
static int x_func_addr(interp_ctx *C, islot *S, const dinst *d)
{
    uint64_t a;
    if (d->cc) {
        a = (uint64_t)(uintptr_t)C->hosts.v[d->c].addr;
    } else {
        a = interp_func_address(C, d->c);
        if (!a)
            return interp_error(C, "out of memory");
    }
    if (ir_type_lane_bits(d->ty) == 32 && a >> 32)
        return interp_error(C, "a 32-bit function address: this one is above 4 GiB");
    memset(&S[d->r], 0, sizeof(islot));
    S[d->r].d[0] = a;
    return 0;
}

bool interp_dec_func_addr(interp_dec *D, dinst *d)
{
    const ir_function *fn = D->fn;
    uint32_t fr = fn->func_refs.v ? fn->insts.v[D->inst].ent : IR_NONE;
    if (fr >= fn->func_refs.n)
        return interp_unsupported(D->d, fn, D->inst, "an undefined function reference");
    const ir_extname *n = resolve_name(fn, &fn->func_refs.v[fr].name);
    uint32_t k = ir_file_find_func(D->C->file, n);
    if (k != IR_NONE) {
        d->cc = 0;
        d->c = k;
    } else {
        uint32_t h = interp_host_lookup(D->C, fn, fr, D->inst, D->d);
        if (h == IR_NONE)
            return false;
        d->cc = 1;
        d->c = h;
    }
    d->fn = x_func_addr;
    return true;
}
