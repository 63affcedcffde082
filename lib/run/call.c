/* lib/run/call.c: call native code with ir_data_value arguments — through
 * libffi where it can express the signature, else through the trampoline
 * compiled for it (buffer layout in run.h). */
#include "run.h"

#include <ffi.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#define SMALL 16    /* parameters handled without malloc */

static const ir_abi_param *param(const ir_function *fn, const ir_signature *sig, uint32_t i)
{
    return &fn->abi_params.v[sig->params + i];
}

static const ir_abi_param *ret(const ir_function *fn, const ir_signature *sig, uint32_t i)
{
    return &fn->abi_params.v[sig->rets + i];
}

static unsigned value_size(ir_type t)
{
    unsigned n = ir_type_bytes((ir_type)(t & 0xff));
    return n > 16 ? 16 : n;
}

/* ---- what libffi can express ---------------------------------------------- */

/* The libffi type of a scalar, or NULL. */
static ffi_type *ffi_type_of(const ir_abi_param *p)
{
    if (ir_type_is_vector(p->type))
        return NULL;
    bool s = p->ext == IR_EXT_SEXT;
    switch (ir_type_lane(p->type)) {
    case IR_I8: return s ? &ffi_type_sint8 : &ffi_type_uint8;
    case IR_I16: return s ? &ffi_type_sint16 : &ffi_type_uint16;
    case IR_I32: return s ? &ffi_type_sint32 : &ffi_type_uint32;
    case IR_I64: return s ? &ffi_type_sint64 : &ffi_type_uint64;
    case IR_F32: return &ffi_type_float;
    case IR_F64: return &ffi_type_double;
    default: return NULL;
    }
}

/* libffi's type of parameter or result p, or NULL if it cannot pass it. */
static ffi_type *ffi_param_type(const ir_abi_param *p)
{
    return p->purpose == IR_PURPOSE_SARG || p->purpose == IR_PURPOSE_SRET ? NULL : ffi_type_of(p);
}

/* The libffi ABI of a calling convention on this host, or -1. */
static int ffi_abi_of(ir_callconv cc)
{
    if (cc == IR_CC_default || cc == IR_CC_system_v)
        return FFI_DEFAULT_ABI;
#if defined(__x86_64__)
    if (cc == IR_CC_windows_fastcall)
        return FFI_WIN64;
#endif
    return -1;
}

static _Thread_local char why_buf[64];

/* Why p cannot go through libffi ("an i128 parameter"), or NULL.  Without
 * what, any non-NULL string: said only when someone reads it. */
static const char *param_reason(const ir_abi_param *p, const char *what)
{
    char tn[16];
    if (!what)
        return ffi_param_type(p) ? NULL : "";
    if (p->purpose == IR_PURPOSE_SARG || p->purpose == IR_PURPOSE_SRET) {
        snprintf(why_buf, sizeof why_buf, "an %s %s",
                 p->purpose == IR_PURPOSE_SARG ? "sarg" : "sret", what);
        return why_buf;
    }
    if (ffi_type_of(p))
        return NULL;
    if (ir_type_is_vector(p->type))
        snprintf(why_buf, sizeof why_buf, "a vector %s", what);
    else
        snprintf(why_buf, sizeof why_buf, "an %s %s", ir_type_name(p->type, tn), what);
    return why_buf;
}

bool run_needs_trampoline(const ir_function *fn, const ir_signature *sig, const char **why)
{
    if (!why) {     /* the answer only: no reason formatted (once per call) */
        bool r = ffi_abi_of(sig->callconv) < 0 || sig->nrets > 1;
        for (uint32_t i = 0; !r && i < sig->nparams; i++)
            r = param_reason(param(fn, sig, i), NULL) != NULL;
        for (uint32_t i = 0; !r && i < sig->nrets; i++)
            r = param_reason(ret(fn, sig, i), NULL) != NULL;
        return r;
    }
    const char *r = NULL;
    if (ffi_abi_of(sig->callconv) < 0) {
        snprintf(why_buf, sizeof why_buf, "calling convention %s",
                 sig->callconv < IR_CC_COUNT ? ir_callconv_names[sig->callconv] : "?");
        r = why_buf;
    } else if (sig->nrets > 1) {
        snprintf(why_buf, sizeof why_buf, "%u results", sig->nrets);
        r = why_buf;
    }
    for (uint32_t i = 0; !r && i < sig->nparams; i++)
        r = param_reason(param(fn, sig, i), "parameter");
    for (uint32_t i = 0; !r && i < sig->nrets; i++)
        r = param_reason(ret(fn, sig, i), "result");
    if (why)
        *why = r;
    return r != NULL;
}

/* ---- trampoline buffers ----------------------------------------------------- */

void run_pack_args(const ir_function *fn, const ir_signature *sig,
                   const ir_data_value *args, uint8_t *args_buf)
{
    memset(args_buf, 0, (size_t)sig->nparams * RUN_SLOT_SIZE);
    for (uint32_t i = 0; i < sig->nparams; i++)
        memcpy(args_buf + (size_t)i * RUN_SLOT_SIZE, args[i].bytes,
               value_size(param(fn, sig, i)->type));
}

void run_unpack_results(const ir_function *fn, const ir_signature *sig,
                        const uint8_t *results_buf, ir_data_value *results)
{
    for (uint32_t i = 0; i < sig->nrets; i++) {
        ir_type t = ret(fn, sig, i)->type;
        memset(&results[i], 0, sizeof results[i]);
        results[i].type = t;
        memcpy(results[i].bytes, results_buf + (size_t)i * RUN_SLOT_SIZE, value_size(t));
    }
}

/* ---- calling ---------------------------------------------------------------- */

static run_status error(run_outcome *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static run_status error(run_outcome *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    memset(out, 0, sizeof *out);
    out->status = RUN_ERROR;
    vsnprintf(out->msg, sizeof out->msg, fmt, ap);
    va_end(ap);
    return RUN_ERROR;
}

/* Same kind as DataValue sees it: equal scalar types, or vectors of one size. */
static bool fits(ir_type arg, ir_type want)
{
    if (ir_type_is_vector(want) || ir_type_is_vector(arg))
        return ir_type_is_vector(want) && ir_type_is_vector(arg) &&
               value_size(arg) == value_size(want);
    return ir_type_lane(arg) == ir_type_lane(want);
}

typedef struct call_ctx {
    /* libffi */
    ffi_cif *cif;
    void *code;
    void *rvalue;
    void **avalues;
    /* trampoline */
    run_trampoline_fn tramp;
    uint8_t *args_buf, *results_buf;
} call_ctx;

static void do_ffi(void *p)
{
    call_ctx *c = p;
    ffi_call(c->cif, FFI_FN(c->code), c->rvalue, c->avalues);
}

static void do_trampoline(void *p)
{
    call_ctx *c = p;
    c->tramp(c->code, c->args_buf, c->results_buf);
}

static run_status run_body(void (*body)(void *), call_ctx *c, const run_opts *opts,
                           run_outcome *out)
{
    if (opts)
        return run_guarded(body, c, opts, out);
    memset(out, 0, sizeof *out);
    body(c);
    out->status = RUN_OK;
    return RUN_OK;
}

typedef union slot { uint64_t u64; double f64; float f32; uint8_t b[16]; } slot;

/* Prepared libffi call interfaces by signature, per thread: a run line's
 * call reuses the last one of its signature (ffi_prep_cif classifies every
 * argument each time, a tenth of a small call's cost).  Direct-mapped;
 * signatures of up to SMALL parameters. */
#define CIF_CACHE 16
typedef struct cif_entry {
    bool valid;
    unsigned busy;          /* calls under way with it (nested calls): not replaced */
    int abi;
    uint32_t n;
    ffi_type *rtype, *types[SMALL];
    ffi_cif cif;
} cif_entry;
/* CIF_CACHE entries, allocated at first use and freed when the thread
 * ends (a key's destructor): as a thread-local array its 2.9 KiB were
 * cleared by the dynamic loader at every start, a page fault or two (a
 * one-function file's call needs no libffi). */
static _Thread_local cif_entry *cif_cache;
static pthread_key_t cif_key;
static bool cif_key_ok;

static void cif_key_make(void)
{
    cif_key_ok = pthread_key_create(&cif_key, free) == 0;
}

static bool cif_cache_new(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cif_key_make);
    if (!cif_key_ok || !(cif_cache = calloc(CIF_CACHE, sizeof *cif_cache)))
        return false;
    if (pthread_setspecific(cif_key, cif_cache) != 0) {
        free(cif_cache);
        cif_cache = NULL;
        return false;
    }
    return true;
}

static cif_entry *cached_cif(int abi, uint32_t n, ffi_type *rtype, ffi_type **types)
{
    if (n > SMALL || (!cif_cache && !cif_cache_new()))
        return NULL;
    uintptr_t h = (uintptr_t)abi * 31 + n + ((uintptr_t)rtype >> 4);
    for (uint32_t i = 0; i < n; i++)
        h = h * 31 + ((uintptr_t)types[i] >> 4);
    cif_entry *e = &cif_cache[h % CIF_CACHE];
    if (e->valid && e->abi == abi && e->n == n && e->rtype == rtype &&
        !memcmp(e->types, types, n * sizeof *types))
        return e;
    if (e->busy)
        return NULL;
    e->valid = false;
    e->abi = abi, e->n = n, e->rtype = rtype;
    memcpy(e->types, types, n * sizeof *types);
    if (ffi_prep_cif(&e->cif, (ffi_abi)abi, n, rtype, e->types) != FFI_OK)
        return NULL;
    e->valid = true;
    return e;
}

/* The call through libffi, into *st; false (nothing done) if the signature
 * needs a trampoline: the types found on the way are the ones the call
 * uses (run_needs_trampoline's answer without a second look). */
static bool call_ffi(const run_callee *c, const ir_function *fn, const ir_signature *sig,
                     const ir_data_value *args, ir_data_value *results,
                     const run_opts *opts, run_outcome *out, run_status *st_out)
{
    uint32_t n = sig->nparams;
    int abi = ffi_abi_of(sig->callconv);
    ffi_type *rtype = sig->nrets ? ffi_param_type(ret(fn, sig, 0)) : &ffi_type_void;
    if (abi < 0 || sig->nrets > 1 || !rtype)
        return false;
    ffi_type *small_types[SMALL], **types = small_types;
    void *small_ptrs[SMALL], **ptrs = small_ptrs;
    slot small_vals[SMALL], *vals = small_vals;
    if (n > SMALL) {
        types = ir_xmalloc(n * sizeof *types);
        ptrs = ir_xmalloc(n * sizeof *ptrs);
        vals = ir_xmalloc(n * sizeof *vals);
        if (!types || !ptrs || !vals) {
            free(types), free(ptrs), free(vals);
            *st_out = error(out, "out of memory");
            return true;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        const ir_abi_param *p = param(fn, sig, i);
        if (!(types[i] = ffi_param_type(p))) {
            if (n > SMALL)
                free(types), free(ptrs), free(vals);
            return false;
        }
        memset(&vals[i], 0, sizeof vals[i]);
        memcpy(vals[i].b, args[i].bytes, value_size(p->type));
        ptrs[i] = &vals[i];
    }
    cif_entry *e = cached_cif(abi, n, rtype, types);
    ffi_cif own, *cif = e ? &e->cif : &own;
    run_status st;
    if (!e && ffi_prep_cif(&own, (ffi_abi)abi, n, rtype, types) != FFI_OK) {
        st = error(out, "libffi cannot prepare a call of this signature");
    } else {
        slot rv;
        memset(&rv, 0, sizeof rv);
        call_ctx ctx = {.cif = cif, .code = c->code, .rvalue = &rv, .avalues = ptrs};
        if (e)
            e->busy++;
        st = run_body(do_ffi, &ctx, opts, out);
        if (e)
            e->busy--;
        if (st == RUN_OK && sig->nrets) {
            /* libffi widens a narrow result to ffi_arg; its low bytes are the
             * value on these little-endian hosts */
            ir_type t = ret(fn, sig, 0)->type;
            memset(&results[0], 0, sizeof results[0]);
            results[0].type = t;
            memcpy(results[0].bytes, rv.b, value_size(t));
        }
    }
    if (n > SMALL)
        free(types), free(ptrs), free(vals);
    *st_out = st;
    return true;
}

static run_status call_trampoline(const run_callee *c, const ir_function *fn,
                                  const ir_signature *sig, const ir_data_value *args,
                                  ir_data_value *results, const run_opts *opts,
                                  run_outcome *out)
{
    size_t asz = (size_t)sig->nparams * RUN_SLOT_SIZE, rsz = (size_t)sig->nrets * RUN_SLOT_SIZE;
    _Alignas(16) uint8_t small_a[SMALL * RUN_SLOT_SIZE], small_r[SMALL * RUN_SLOT_SIZE];
    uint8_t *abuf = small_a, *rbuf = small_r;
    if (asz > sizeof small_a)
        abuf = aligned_alloc(16, asz);
    if (rsz > sizeof small_r)
        rbuf = aligned_alloc(16, rsz);
    if (!abuf || !rbuf) {
        if (abuf != small_a)
            free(abuf);
        if (rbuf != small_r)
            free(rbuf);
        return error(out, "out of memory");
    }
    run_pack_args(fn, sig, args, abuf);
    memset(rbuf, 0, rsz);
    call_ctx ctx = {.code = c->code, .tramp = c->trampoline, .args_buf = abuf, .results_buf = rbuf};
    run_status st = run_body(do_trampoline, &ctx, opts, out);
    if (st == RUN_OK)
        run_unpack_results(fn, sig, rbuf, results);
    if (abuf != small_a)
        free(abuf);
    if (rbuf != small_r)
        free(rbuf);
    return st;
}

run_status run_call(const run_callee *c, const ir_function *fn, const ir_signature *sig,
                    const ir_data_value *args, uint32_t nargs, ir_data_value *results,
                    const run_opts *opts, run_outcome *out)
{
    char an[16], pn[16];
    if (!c || !c->code)
        return error(out, "no code to call");
    if (sig->params + sig->nparams > fn->abi_params.n || sig->rets + sig->nrets > fn->abi_params.n)
        return error(out, "malformed signature");
    if (nargs != sig->nparams)
        return error(out, "%u argument%s given, the signature has %u parameter%s", nargs,
                     nargs == 1 ? "" : "s", sig->nparams, sig->nparams == 1 ? "" : "s");
    for (uint32_t i = 0; i < nargs; i++) {
        ir_type want = param(fn, sig, i)->type;
        if (!fits(args[i].type, want))
            return error(out, "argument %u is %s, the signature wants %s", i + 1,
                         ir_type_name(args[i].type, an), ir_type_name(want, pn));
        if (ir_type_bytes((ir_type)(want & 0xff)) > 16)
            return error(out, "no value form for %s (wider than 128 bits)", pn);
    }
    for (uint32_t i = 0; i < sig->nrets; i++) {
        ir_type t = ret(fn, sig, i)->type;
        if (ir_type_bytes((ir_type)(t & 0xff)) > 16)
            return error(out, "no value form for %s (wider than 128 bits)",
                         ir_type_name(t, pn));
    }
    run_status st;
    if (call_ffi(c, fn, sig, args, results, opts, out, &st))
        return st;
    if (!c->trampoline) {
        const char *why;
        run_needs_trampoline(fn, sig, &why);
        return error(out, "a signature with %s needs a compiled trampoline (not yet supported)",
                     why);
    }
    return call_trampoline(c, fn, sig, args, results, opts, out);
}
