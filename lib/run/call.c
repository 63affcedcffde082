/* lib/run/call.c: call native code with ir_data_value arguments — through
 * libffi where it can express the signature, else through the trampoline
 * compiled for it (buffer layout in run.h).  What a call needs of its
 * signature is worked out once per signature (run_sig_of). */
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

/* Why p cannot go through libffi ("an i128 parameter"), or NULL. */
static const char *param_reason(const ir_abi_param *p, const char *what)
{
    char tn[16];
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

/* Why a signature of convention cc with these parameters and results
 * needs a trampoline, or NULL. */
static const char *tramp_reason(ir_callconv cc, const ir_abi_param *ps, uint32_t np,
                                const ir_abi_param *rs, uint32_t nr)
{
    if (ffi_abi_of(cc) < 0) {
        snprintf(why_buf, sizeof why_buf, "calling convention %s",
                 cc < IR_CC_COUNT ? ir_callconv_names[cc] : "?");
        return why_buf;
    }
    if (nr > 1) {
        snprintf(why_buf, sizeof why_buf, "%u results", nr);
        return why_buf;
    }
    const char *r = NULL;
    for (uint32_t i = 0; !r && i < np; i++)
        r = param_reason(&ps[i], "parameter");
    for (uint32_t i = 0; !r && i < nr; i++)
        r = param_reason(&rs[i], "result");
    return r;
}

bool run_needs_trampoline(const ir_function *fn, const ir_signature *sig, const char **why)
{
    if (!why) {     /* the answer only: no reason formatted */
        bool r = ffi_abi_of(sig->callconv) < 0 || sig->nrets > 1;
        for (uint32_t i = 0; !r && i < sig->nparams; i++)
            r = !ffi_param_type(param(fn, sig, i));
        for (uint32_t i = 0; !r && i < sig->nrets; i++)
            r = !ffi_param_type(ret(fn, sig, i));
        return r;
    }
    *why = tramp_reason(sig->callconv, sig->nparams ? param(fn, sig, 0) : NULL, sig->nparams,
                        sig->nrets ? ret(fn, sig, 0) : NULL, sig->nrets);
    return *why != NULL;
}

/* ---- trampoline buffers ----------------------------------------------------- */

void run_pack_args(const ir_function *fn, const ir_signature *sig,
                   const ir_data_value *args, uint8_t *args_buf)
{
    for (uint32_t i = 0; i < sig->nparams; i++)
        ir_copy16(args_buf + (size_t)i * RUN_SLOT_SIZE, args[i].bytes, value_size(param(fn, sig, i)->type));
}

void run_unpack_results(const ir_function *fn, const ir_signature *sig,
                        const uint8_t *results_buf, ir_data_value *results)
{
    for (uint32_t i = 0; i < sig->nrets; i++) {
        ir_type t = ret(fn, sig, i)->type;
        results[i].type = t;
        ir_copy16(results[i].bytes, results_buf + (size_t)i * RUN_SLOT_SIZE, value_size(t));
    }
}

/* ---- prepared signatures ------------------------------------------------------ */

/* What a call needs of its signature: its parameters and results (the
 * key: convention, and each one's type, extension, purpose and sarg size,
 * all that a call looks at), and the libffi call interface prepared for
 * it.  Interned by content for the process: run_sig_of finds the one a
 * signature has, or makes it (ffi_prep_cif classifies every argument, a
 * tenth of a small call's cost). */
struct run_sig {
    uint32_t hash;
    ir_callconv cc;
    uint32_t nparams, nrets;
    const char *error;      /* no call of it can be made: why */
    uint32_t wide;          /* the first parameter wider than 16 bytes; nparams: none */
    uint32_t wide_ret;      /* the same for the results; nrets: none */
    bool ffi;               /* libffi can express it */
    bool cif_ok;            /* ... and prepared cif */
    uint64_t ret_mask;      /* ffi: the result's bytes in libffi's return word */
    ffi_cif cif;
    ir_abi_param *ps;       /* parameters, then results */
    ffi_type *types[];      /* the parameters' (the cif's), if ffi */
};

static const run_sig malformed_sig = {.error = "malformed signature"};
static const run_sig oom_sig = {.error = "out of memory"};

static struct {
    pthread_mutex_t lock;
    run_sig **tab;          /* open addressing, cap a power of two */
    uint32_t n, cap;
} sigs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool same_param(const ir_abi_param *p, const ir_abi_param *q)
{
    return p->type == q->type && p->ext == q->ext && p->purpose == q->purpose && p->sarg_size == q->sarg_size;
}

static uint32_t sig_hash(const ir_function *fn, const ir_signature *sig)
{
    uint32_t h = (uint32_t)sig->callconv * 31u + sig->nparams * 7u + sig->nrets;
    for (uint32_t k = 0; k < sig->nparams + sig->nrets; k++) {
        const ir_abi_param *p = k < sig->nparams ? param(fn, sig, k) : ret(fn, sig, k - sig->nparams);
        h = (h ^ (p->type | (uint32_t)p->ext << 16 | (uint32_t)p->purpose << 24)) * 16777619u;
        h = (h ^ p->sarg_size) * 16777619u;
    }
    h ^= h >> 15;   /* the table's index is the low bits */
    h *= 0x2c1b3c6dU;
    return h ^ h >> 12;
}

static bool sig_is(const run_sig *s, uint32_t h, const ir_function *fn, const ir_signature *sig)
{
    if (s->hash != h || s->cc != sig->callconv || s->nparams != sig->nparams || s->nrets != sig->nrets)
        return false;
    for (uint32_t k = 0; k < sig->nparams; k++)
        if (!same_param(&s->ps[k], param(fn, sig, k)))
            return false;
    for (uint32_t k = 0; k < sig->nrets; k++)
        if (!same_param(&s->ps[s->nparams + k], ret(fn, sig, k)))
            return false;
    return true;
}

static run_sig *sig_new(const ir_function *fn, const ir_signature *sig, uint32_t h)
{
    uint32_t n = sig->nparams, nr = sig->nrets;
    run_sig *s = calloc(1, sizeof *s + (size_t)n * sizeof *s->types + ((size_t)n + nr) * sizeof *s->ps);
    if (!s)
        return NULL;
    s->ps = (ir_abi_param *)(s->types + n);
    for (uint32_t k = 0; k < n; k++)
        s->ps[k] = *param(fn, sig, k);
    for (uint32_t k = 0; k < nr; k++)
        s->ps[n + k] = *ret(fn, sig, k);
    s->hash = h, s->cc = sig->callconv, s->nparams = n, s->nrets = nr;
    s->wide = n, s->wide_ret = nr;
    for (uint32_t i = n; i--;)
        if (ir_type_bytes((ir_type)(s->ps[i].type & 0xff)) > 16)
            s->wide = i;
    for (uint32_t i = nr; i--;)
        if (ir_type_bytes((ir_type)(s->ps[n + i].type & 0xff)) > 16)
            s->wide_ret = i;
    int abi = ffi_abi_of(s->cc);
    ffi_type *rtype = nr ? ffi_param_type(&s->ps[n]) : &ffi_type_void;
    s->ffi = abi >= 0 && nr <= 1 && rtype;
    for (uint32_t i = 0; s->ffi && i < n; i++)
        s->ffi = (s->types[i] = ffi_param_type(&s->ps[i])) != NULL;
    if (s->ffi) {
        s->cif_ok = ffi_prep_cif(&s->cif, (ffi_abi)abi, n, rtype, s->types) == FFI_OK;
        unsigned rs = nr ? value_size(s->ps[n].type) : 0;
        s->ret_mask = rs >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << 8 * rs) - 1;
    }
    return s;
}

/* Put s in a table of cap slots. */
static void sig_put(run_sig **tab, uint32_t cap, run_sig *s)
{
    uint32_t i = s->hash & (cap - 1);
    while (tab[i])
        i = (i + 1) & (cap - 1);
    tab[i] = s;
}

const run_sig *run_sig_of(const ir_function *fn, const ir_signature *sig)
{
    if (sig->params + sig->nparams > fn->abi_params.n || sig->rets + sig->nrets > fn->abi_params.n)
        return &malformed_sig;
    uint32_t h = sig_hash(fn, sig);
    const run_sig *found = &oom_sig;
    pthread_mutex_lock(&sigs.lock);
    for (uint32_t i = sigs.cap ? h & (sigs.cap - 1) : 0; sigs.cap && sigs.tab[i]; i = (i + 1) & (sigs.cap - 1))
        if (sig_is(sigs.tab[i], h, fn, sig)) {
            found = sigs.tab[i];
            goto out;
        }
    if (2 * (sigs.n + 1) > sigs.cap) {     /* grow and rehash */
        uint32_t cap = sigs.cap ? 2 * sigs.cap : 64;
        run_sig **tab = calloc(cap, sizeof *tab);
        if (!tab)
            goto out;
        for (uint32_t i = 0; i < sigs.cap; i++)
            if (sigs.tab[i])
                sig_put(tab, cap, sigs.tab[i]);
        free(sigs.tab);
        sigs.tab = tab, sigs.cap = cap;
    }
    run_sig *s = sig_new(fn, sig, h);
    if (s) {
        sig_put(sigs.tab, sigs.cap, s);
        sigs.n++;
        found = s;
    }
out:
    pthread_mutex_unlock(&sigs.lock);
    return found;
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
    const ffi_cif *cif;
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
    ffi_call((ffi_cif *)c->cif, FFI_FN(c->code), c->rvalue, c->avalues);
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

typedef union slot { uint64_t u64; uint8_t b[16]; } slot;

/* The call through libffi (s->ffi). */
static run_status call_ffi(const run_sig *s, const run_callee *c, const ir_data_value *args,
                           ir_data_value *results, const run_opts *opts, run_outcome *out)
{
    uint32_t n = s->nparams;
    void *small_ptrs[SMALL], **ptrs = small_ptrs;
    uint64_t small_vals[SMALL], *vals = small_vals;
    if (n > SMALL) {
        ptrs = ir_xmalloc(n * sizeof *ptrs);
        vals = ir_xmalloc(n * sizeof *vals);
        if (!ptrs || !vals) {
            free(ptrs), free(vals);
            return error(out, "out of memory");
        }
    }
    run_status st;
    if (!s->cif_ok) {
        st = error(out, "libffi cannot prepare a call of this signature");
    } else {
        /* libffi reads a parameter's own bytes (8 at most) */
        for (uint32_t i = 0; i < n; i++) {
            memcpy(&vals[i], args[i].bytes, sizeof vals[i]);
            ptrs[i] = &vals[i];
        }
        slot rv = {.b = {0}};
        call_ctx ctx = {.cif = &s->cif, .code = c->code, .rvalue = &rv, .avalues = ptrs};
        st = run_body(do_ffi, &ctx, opts, out);
        if (st == RUN_OK && s->nrets) {
            /* libffi widens a narrow result to ffi_arg; its low bytes are the
             * value on these little-endian hosts */
            ir_data_value r = {.type = s->ps[n].type};
            uint64_t v = rv.u64 & s->ret_mask;
            memcpy(r.bytes, &v, sizeof v);
            results[0] = r;
        }
    }
    if (n > SMALL)
        free(ptrs), free(vals);
    return st;
}

/* The call through c's trampoline. */
static run_status call_trampoline(const run_sig *s, const run_callee *c, const ir_data_value *args,
                                  ir_data_value *results, const run_opts *opts, run_outcome *out)
{
    size_t asz = (size_t)s->nparams * RUN_SLOT_SIZE, rsz = (size_t)s->nrets * RUN_SLOT_SIZE;
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
    for (uint32_t i = 0; i < s->nparams; i++)
        ir_copy16(abuf + (size_t)i * RUN_SLOT_SIZE, args[i].bytes, value_size(s->ps[i].type));
    call_ctx ctx = {.code = c->code, .tramp = c->trampoline, .args_buf = abuf, .results_buf = rbuf};
    run_status st = run_body(do_trampoline, &ctx, opts, out);
    for (uint32_t i = 0; st == RUN_OK && i < s->nrets; i++) {
        /* the trampoline stored each result's own bytes */
        ir_type t = s->ps[s->nparams + i].type;
        results[i].type = t;
        ir_copy16(results[i].bytes, rbuf + (size_t)i * RUN_SLOT_SIZE, value_size(t));
    }
    if (abuf != small_a)
        free(abuf);
    if (rbuf != small_r)
        free(rbuf);
    return st;
}

run_status run_sig_call(const run_sig *s, const run_callee *c, const ir_data_value *args, uint32_t nargs,
                        ir_data_value *results, const run_opts *opts, run_outcome *out)
{
    char an[16], pn[16];
    if (!c || !c->code)
        return error(out, "no code to call");
    if (s->error)
        return error(out, "%s", s->error);
    if (nargs != s->nparams)
        return error(out, "%u argument%s given, the signature has %u parameter%s", nargs,
                     nargs == 1 ? "" : "s", s->nparams, s->nparams == 1 ? "" : "s");
    for (uint32_t i = 0; i < nargs; i++) {
        ir_type want = s->ps[i].type;
        if (args[i].type != want && !fits(args[i].type, want))
            return error(out, "argument %u is %s, the signature wants %s", i + 1,
                         ir_type_name(args[i].type, an), ir_type_name(want, pn));
        if (i == s->wide)
            return error(out, "no value form for %s (wider than 128 bits)", ir_type_name(want, pn));
    }
    if (s->wide_ret < s->nrets)
        return error(out, "no value form for %s (wider than 128 bits)",
                     ir_type_name(s->ps[s->nparams + s->wide_ret].type, pn));
    if (s->ffi)
        return call_ffi(s, c, args, results, opts, out);
    if (!c->trampoline)
        return error(out, "a signature with %s needs a compiled trampoline (not yet supported)",
                     tramp_reason(s->cc, s->ps, s->nparams, s->ps + s->nparams, s->nrets));
    return call_trampoline(s, c, args, results, opts, out);
}

run_status run_call(const run_callee *c, const ir_function *fn, const ir_signature *sig,
                    const ir_data_value *args, uint32_t nargs, ir_data_value *results,
                    const run_opts *opts, run_outcome *out)
{
    if (!c || !c->code)     /* (before the signature, as ever) */
        return error(out, "no code to call");
    return run_sig_call(run_sig_of(fn, sig), c, args, nargs, results, opts, out);
}
