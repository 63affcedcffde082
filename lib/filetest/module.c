/* lib/filetest/module.c: a file compiled into one JIT module
 * (function_runner.rs: TestFileCompiler), calls into it and run commands. */
#include "filetest.h"
#include "opt/opt.h"

#include <stdlib.h>
#include <string.h>

/* The context whose trap tables describe a faulting pc on this thread;
 * run_describe_pc_fn has no user pointer, and each worker has its own. */
static _Thread_local const jit_ctx *cur_ctx;

static bool is_user_name(const char *s)
{
    return s[0] == 'u' && strchr(s, ':') != NULL;
}

static const char *describe_pc(uintptr_t pc, char *buf, size_t size)
{
    jit_trap_info ti;
    if (!cur_ctx || !jit_trap_lookup(cur_ctx, pc, &ti))
        return NULL;
    const char *fname = ti.func_name ? ti.func_name : "?";
    const char *pct = ti.func_name && is_user_name(fname) ? "" : "%";
    char tb[16];
    if (ti.has_trap)
        snprintf(buf, size, "%s at %s%s+0x%x", cg_trap_name(ti.code, tb), pct, fname, ti.func_offset);
    else
        snprintf(buf, size, "%s%s+0x%x", pct, fname, ti.func_offset);
    return buf;
}

/* The guard's question: may an interrupt end the call at pc? */
static bool in_code(uintptr_t pc)
{
    return jit_pc_in_code(cur_ctx, pc);
}

static void fence(bool executable)
{
    jit_code_fence(cur_ctx, executable);
}

static bool exn_handler(uintptr_t ret_pc, uintptr_t fp, uint32_t tag, uintptr_t *pc, uintptr_t *sp)
{
    return cg_exn_handler(jit_host_arch(), ret_pc, fp, tag, pc, sp);
}

/* C library functions that leave the signal mask alone, defined up front
 * rather than found by dlsym: code that calls only these (and the
 * libcalls) lets the guard skip reading the mask, a system call per call
 * (run_opts.keeps_mask).  Same addresses as dlsym would give. */
static const struct { const char *name; const void *addr; } mask_safe_libc[] = {
    {"abs", (const void *)abs}, {"labs", (const void *)labs}, {"llabs", (const void *)llabs},
    {"strlen", (const void *)strlen}, {"strchr", (const void *)strchr},
    {"strcmp", (const void *)strcmp}, {"memchr", (const void *)memchr},
    {"malloc", (const void *)malloc}, {"calloc", (const void *)calloc},
    {"realloc", (const void *)realloc}, {"free", (const void *)free},
};

jit_ctx *ft_ctx_new(bool spread, jit_error *err)
{
    jit_config cfg = {0};
    jit_config_from_env(&cfg);
    cfg.spread |= spread;
    jit_ctx *ctx = jit_ctx_new(&cfg, err);
    /* exceptions: lib/run's unwinder, with the host back end's tables */
    run_set_exn_handler(exn_handler);
    bool ok = ctx && cg_define_libcalls(ctx, err) &&
              jit_define_symbol(ctx, "__cranelift_throw", (const void *)run_throw, err);
    for (size_t i = 0; ok && i < sizeof mask_safe_libc / sizeof mask_safe_libc[0]; i++)
        ok = jit_define_symbol(ctx, mask_safe_libc[i].name, mask_safe_libc[i].addr, err);
    if (ctx && !ok) {
        jit_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

static void trampoline_name(const ir_function *fn, char *buf, size_t n)
{
    char name[128];
    snprintf(buf, n, "__trampoline_%s", cg_symbol_name(fn, name, sizeof name));
}

bool ft_compile_trampoline(const cg_target *t, const ir_file *file, const ir_function *fn, const char *name,
                           cg_output *out, ir_diag *d)
{
    ir_function tf;
    run_make_trampoline(fn, &fn->sig, name, &tf);
    bool ok = cg_compile_function(t, file, &tf, out, d);
    ir_function_free(&tf);
    return ok;
}

/* Can one trampoline call both?  It takes the callee as an argument, so
 * only the signature as the call sees it matters. */
static bool same_call_sig(const ir_function *a, const ir_function *b)
{
    const ir_signature *x = &a->sig, *y = &b->sig;
    if (x->callconv != y->callconv || x->nparams != y->nparams || x->nrets != y->nrets)
        return false;
    for (uint32_t k = 0; k < x->nparams + x->nrets; k++) {
        const ir_abi_param *p = &a->abi_params.v[k < x->nparams ? x->params + k : x->rets + k - x->nparams];
        const ir_abi_param *q = &b->abi_params.v[k < y->nparams ? y->params + k : y->rets + k - y->nparams];
        if (p->type != q->type || p->ext != q->ext || p->purpose != q->purpose || p->sarg_size != q->sarg_size)
            return false;
    }
    return true;
}

static uint32_t call_sig_hash(const ir_function *a)
{
    const ir_signature *x = &a->sig;
    uint32_t h = (uint32_t)x->callconv * 31u + x->nparams * 7u + x->nrets;
    for (uint32_t k = 0; k < x->nparams + x->nrets; k++) {
        const ir_abi_param *p = &a->abi_params.v[k < x->nparams ? x->params + k : x->rets + k - x->nparams];
        h = (h ^ ((uint32_t)p->type << 16 ^ (uint32_t)p->ext << 8 ^ p->purpose)) * 16777619u;
    }
    return h;
}

/* ---- trampolines kept across files (ft_tramp_cache_begin) ---- */

/* A trampoline is glue: loads of the arguments, the call, stores of the
 * results, the same with any ISA flags and settings but the frame's
 * conventions (sign_return_address, preserve_frame_pointers).  It is
 * compiled as under a bare target line, so that the suite's many target
 * lines share it: the worker compiled 679 trampolines for it, now 247. */
static cg_target tramp_target(const cg_target *t)
{
    cg_target g = *t;
    g.isa = 0;
    g.opt = g.nan_canonicalization = g.enable_probestack = false;
    g.probestack_size_log2 = g.bb_padding = 0;
    return g;
}


typedef struct tramp_entry {
    uint32_t hash;
    cg_target t;
    ir_callconv cc;
    uint32_t nparams, nrets;
    ir_abi_param *ps;           /* params then rets */
    void *code;
} tramp_entry;

static struct {
    jit_ctx *ctx;               /* NULL: none kept */
    IR_VEC(tramp_entry) v;
    uint32_t *tab, cap;         /* open addressing: index + 1 */
} tcache;

void ft_tramp_cache_begin(jit_ctx *ctx)
{
    ft_tramp_cache_end();
    tcache.ctx = ctx;
}

void ft_tramp_cache_end(void)
{
    for (uint32_t i = 0; i < tcache.v.n; i++)
        free(tcache.v.v[i].ps);
    ir_vec_free(&tcache.v);
    free(tcache.tab);
    memset(&tcache, 0, sizeof tcache);
}

static bool same_target(const cg_target *a, const cg_target *b)
{
    return a->arch == b->arch && a->isa == b->isa && a->sign_return_address == b->sign_return_address &&
           a->preserve_frame_pointers == b->preserve_frame_pointers &&
           a->enable_probestack == b->enable_probestack && a->probestack_size_log2 == b->probestack_size_log2 &&
           a->opt == b->opt && a->nan_canonicalization == b->nan_canonicalization &&
           a->bb_padding == b->bb_padding && a->regalloc == b->regalloc && a->vcode == b->vcode &&
           a->listing == b->listing;
}

static const ir_abi_param *call_param(const ir_function *a, uint32_t k)
{
    const ir_signature *x = &a->sig;
    return &a->abi_params.v[k < x->nparams ? x->params + k : x->rets + k - x->nparams];
}

static bool entry_is(const tramp_entry *e, uint32_t h, const cg_target *t, const ir_function *fn)
{
    if (e->hash != h || e->cc != fn->sig.callconv || e->nparams != fn->sig.nparams || e->nrets != fn->sig.nrets ||
        !same_target(&e->t, t))
        return false;
    for (uint32_t k = 0; k < e->nparams + e->nrets; k++) {
        const ir_abi_param *p = &e->ps[k], *q = call_param(fn, k);
        if (p->type != q->type || p->ext != q->ext || p->purpose != q->purpose || p->sarg_size != q->sarg_size)
            return false;
    }
    return true;
}

/* The signature's hash h mixed with t's: a signature is kept once per
 * target line of the suite, its entries must not crowd one probe chain. */
static uint32_t tcache_hash(uint32_t h, const cg_target *t)
{
    uint64_t x = t->isa ^ (uint64_t)t->arch << 56 ^ (uint64_t)(t->sign_return_address | t->preserve_frame_pointers << 1 |
                 t->enable_probestack << 2 | t->opt << 3 | t->nan_canonicalization << 4) << 48 ^
                 (uint64_t)(t->probestack_size_log2 ^ t->bb_padding << 4 ^ t->regalloc << 8) << 32;
    x = (x ^ h) * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(x >> 32);
}

/* The kept trampoline for fn's signature under t, or NULL. */
static void *tcache_find(const jit_ctx *ctx, const cg_target *t, const ir_function *fn, uint32_t h)
{
    if (!tcache.ctx || tcache.ctx != ctx || !tcache.cap)
        return NULL;
    for (uint32_t i = h & (tcache.cap - 1); tcache.tab[i]; i = (i + 1) & (tcache.cap - 1))
        if (entry_is(&tcache.v.v[tcache.tab[i] - 1], h, t, fn))
            return tcache.v.v[tcache.tab[i] - 1].code;
    return NULL;
}

static void tcache_put(const cg_target *t, const ir_function *fn, uint32_t h, void *code)
{
    uint32_t n = fn->sig.nparams + fn->sig.nrets;
    tramp_entry e = {.hash = h, .t = *t, .cc = fn->sig.callconv, .nparams = fn->sig.nparams,
                     .nrets = fn->sig.nrets, .ps = malloc((n + 1) * sizeof *e.ps), .code = code};
    if (!e.ps)
        return;
    for (uint32_t k = 0; k < n; k++)
        e.ps[k] = *call_param(fn, k);
    if (2 * (tcache.v.n + 1) > tcache.cap) {    /* grow and rehash */
        uint32_t cap = tcache.cap ? 2 * tcache.cap : 64, *tab = calloc(cap, sizeof *tab);
        if (!tab) {
            free(e.ps);
            return;
        }
        for (uint32_t j = 0; j < tcache.v.n; j++) {
            uint32_t i = tcache.v.v[j].hash & (cap - 1);
            while (tab[i])
                i = (i + 1) & (cap - 1);
            tab[i] = j + 1;
        }
        free(tcache.tab);
        tcache.tab = tab, tcache.cap = cap;
    }
    ir_vec_push(&tcache.v, e);
    uint32_t i = h & (tcache.cap - 1);
    while (tcache.tab[i])
        i = (i + 1) & (tcache.cap - 1);
    tcache.tab[i] = tcache.v.n;
}

/* ---- names of the file's functions in a chain of modules (--keep) ---- */

typedef struct name_set {
    char **v;                   /* open addressing, cap a power of two */
    uint32_t cap;
} name_set;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static bool name_in(const name_set *ns, const char *s)
{
    for (uint32_t i = name_hash(s) & (ns->cap - 1); ns->v[i]; i = (i + 1) & (ns->cap - 1))
        if (!strcmp(ns->v[i], s))
            return true;
    return false;
}

static void names_of(name_set *ns, const ir_file *file)
{
    ns->cap = 16;
    while (ns->cap < 2 * file->funcs.n + 2)
        ns->cap *= 2;
    ns->v = ir_xcalloc(ns->cap, sizeof *ns->v);
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        char name[128];
        cg_symbol_name(file->funcs.v[i], name, sizeof name);
        if (name_in(ns, name))
            continue;
        uint32_t k = name_hash(name) & (ns->cap - 1);
        while (ns->v[k])
            k = (k + 1) & (ns->cap - 1);
        ns->v[k] = ir_xstrdup(name);
    }
}

static void names_free(name_set *ns)
{
    for (uint32_t i = 0; ns->v && i < ns->cap; i++)
        free(ns->v[i]);
    free(ns->v);
}

/* name, or name@k when k >= 0 */
static const char *chain_name(const char *name, long k, char *buf, size_t n)
{
    if (k < 0)
        return name;
    snprintf(buf, n, "%s@%ld", name, k);
    return buf;
}

/* A function's relocations with calls to the file's own functions sent
 * to module k's copies (k < 0: as they are).  *strs holds the names. */
static const jit_reloc *chain_relocs(const cg_output *o, const name_set *ns, long k, jit_reloc **copy,
                                     char **strs)
{
    if (k < 0 || !o->relocs.n)
        return o->relocs.v;
    size_t room = 0;
    for (uint32_t i = 0; i < o->relocs.n; i++)
        room += strlen(o->relocs.v[i].sym) + 24;
    *copy = ir_xcalloc(o->relocs.n, sizeof **copy);
    char *p = *strs = ir_xcalloc(room, 1);
    for (uint32_t i = 0; i < o->relocs.n; i++) {
        (*copy)[i] = o->relocs.v[i];
        if (!name_in(ns, o->relocs.v[i].sym))
            continue;
        int len = snprintf(p, 24 + strlen(o->relocs.v[i].sym), "%s@%ld", o->relocs.v[i].sym, k);
        (*copy)[i].sym = p;
        p += len + 1;
    }
    return *copy;
}

/* The trampolines of functions pending (compiled into touts) into one
 * module of their own that lives as long as the context, each kept
 * (tcache_put, tcode); if that fails, into m's module as before (a
 * function whose trampoline cannot be added fails its run lines, as do
 * those of its signature, tsrc). */
static void keep_trampolines(ft_module *m, const cg_target *t, const uint32_t *tsrc, void **tcode,
                             const uint32_t *pending, uint32_t npending, const cg_output *touts)
{
    const ir_file *file = m->file;
    jit_error err;
    char tname[160];
    jit_module *tm = jit_module_new(m->ctx, "trampolines", &err);
    bool ok = tm != NULL;
    for (uint32_t p = 0; ok && p < npending; p++) {
        uint32_t i = pending[p];
        trampoline_name(file->funcs.v[i], tname, sizeof tname);
        jit_func tf = {.name = tname, .local = true, .code = touts[i].code.v, .size = touts[i].code.n,
                       .align = touts[i].align};
        ok = jit_module_add_func(tm, &tf, &err);
    }
    ok = ok && jit_module_link(tm, &err) && jit_module_finalize(tm, &err);
    for (uint32_t p = 0; ok && p < npending; p++) {
        uint32_t i = pending[p];
        trampoline_name(file->funcs.v[i], tname, sizeof tname);
        ok = (tcode[i] = jit_module_lookup(tm, tname)) != NULL;
    }
    if (ok) {
        for (uint32_t p = 0; p < npending; p++)
            tcache_put(t, file->funcs.v[pending[p]], tcache_hash(call_sig_hash(file->funcs.v[pending[p]]), t),
                       tcode[pending[p]]);
        return;
    }
    if (tm)
        jit_module_free(tm, &err);
    for (uint32_t p = 0; p < npending; p++) {
        uint32_t i = pending[p];
        tcode[i] = NULL;
        trampoline_name(file->funcs.v[i], tname, sizeof tname);
        jit_func tf = {.name = tname, .local = true, .code = touts[i].code.v, .size = touts[i].code.n,
                       .align = touts[i].align};
        if (jit_module_add_func(m->mod, &tf, &err))
            continue;
        for (uint32_t j = 0; j < file->funcs.n; j++)
            if (tsrc[j] == i && !m->tramp_err[j] && run_needs_trampoline(file->funcs.v[j], &file->funcs.v[j]->sig, NULL))
                m->tramp_err[j] = ir_xstrdup(err.msg);
    }
}

bool ft_module_build(ft_module *m, jit_ctx *ctx, const ir_file *file, const cg_target *t,
                     unsigned flags, ir_diag *d)
{
    return ft_module_build_chain(m, ctx, file, t, flags, -1, -1, NULL, 0, d);
}

bool ft_module_build_chain(ft_module *m, jit_ctx *ctx, const ir_file *file, const cg_target *t,
                           unsigned flags, long def, long ref, const uint32_t *lines, uint32_t nlines,
                           ir_diag *d)
{
    name_set ns = {0};
    if (def >= 0)
        names_of(&ns, file);
    memset(m, 0, sizeof *m);
    m->ctx = ctx;
    m->file = file;
    m->target = *t;
    d->file = file->path;
    d->src = file->src;
    d->len = file->len;
    uint32_t nf = file->funcs.n;
    jit_error err;
    m->mod = jit_module_new(ctx, file->path ? file->path : "-", &err);
    /* the per-function arrays in one block (m->callees holds it) */
    size_t per = sizeof *m->callees + sizeof *m->tramp_err + sizeof *m->fn_err + sizeof *m->sigs +
                 sizeof *m->frames;
    if ((m->callees = calloc(nf + 1, per))) {
        m->tramp_err = (char **)(m->callees + nf + 1);
        m->fn_err = (ir_diag **)(m->tramp_err + nf + 1);
        m->sigs = (const run_sig **)(m->fn_err + nf + 1);
        m->frames = (size_t *)(m->sigs + nf + 1);
    }
    if (lines) {
        m->lines = lines, m->nlines = nlines;
    } else {
        m->lines = ft_line_index(file, &m->nlines);
        m->own_lines = true;
    }
    cg_output *outs = calloc(2 * ((size_t)nf + 1), sizeof *outs), *touts = outs ? outs + nf + 1 : NULL;
    /* per function: the function whose trampoline it calls through (its
     * own: i); the first function of each signature, by signature hash
     * (open addressing, index + 1) */
    uint32_t tcap = 16;
    while (tcap < 2 * nf)
        tcap *= 2;
    uint32_t *tsrc = calloc((size_t)nf + 1 + tcap, sizeof *tsrc), *ttab = tsrc ? tsrc + nf + 1 : NULL;
    /* trampolines kept for ctx (tcache): found there, or compiled and
     * added (pending) to a module of their own after the loop */
    bool keep = tcache.ctx == ctx;
    void **tcode = keep ? calloc((size_t)nf + 1, sizeof *tcode) : NULL;
    uint32_t *pending = keep ? calloc((size_t)nf + 1, sizeof *pending) : NULL, npending = 0;
    keep = keep && tcode && pending;
    cg_target tt = tramp_target(t);
    bool ok = m->mod && m->callees && outs && touts && tsrc;
    if (!ok)
        ir_diag_set(d, 0, 0, "%s", m->mod ? "out of memory" : err.msg);
    for (uint32_t i = 0; ok && i < nf; i++) {
        const ir_function *fn = file->funcs.v[i];
        char name[128], cname[160], *strs = NULL;
        jit_reloc *copy = NULL;
        if (!opt_compile(t, file, i, &outs[i], d)) {
            if (!(flags & FT_PARTIAL) || !(m->fn_err[i] = malloc(sizeof *d))) {
                ok = false;
                break;
            }
            *m->fn_err[i] = *d;
            m->nfn_err++;
            continue;
        }
        jit_func jf = {.name = chain_name(cg_symbol_name(fn, name, sizeof name), def, cname, sizeof cname),
                       .code = outs[i].code.v, .size = outs[i].code.n, .align = outs[i].align,
                       .relocs = chain_relocs(&outs[i], &ns, ref, &copy, &strs), .nrelocs = outs[i].relocs.n,
                       .traps = outs[i].traps.v, .ntraps = outs[i].traps.n, .line = fn->line};
        bool added = jit_module_add_func(m->mod, &jf, &err);
        free(copy);
        free(strs);
        copy = NULL, strs = NULL;
        cg_output_free(&outs[i]);   /* the module has its copy */
        if (!added) {
            ir_diag_set(d, err.line ? err.line : fn->line, err.line ? err.col : fn->col, "%s", err.msg);
            ok = false;
            break;
        }
        /* a signature libffi cannot call gets a trampoline; without one
         * only its run lines fail */
        if (!run_needs_trampoline(fn, &fn->sig, NULL))
            continue;
        /* one trampoline per signature: the suite's vector files have a
         * dozen functions of one signature each */
        tsrc[i] = i;
        uint32_t k = call_sig_hash(fn) & (tcap - 1);
        for (; ttab[k] && tsrc[i] == i; k = (k + 1) & (tcap - 1))
            if (same_call_sig(fn, file->funcs.v[ttab[k] - 1]))
                tsrc[i] = ttab[k] - 1;
        if (tsrc[i] != i)
            continue;
        if (keep && (tcode[i] = tcache_find(ctx, &tt, fn, tcache_hash(call_sig_hash(fn), &tt)))) {
            ttab[k] = i + 1;
            continue;
        }
        ir_diag td = *d;
        char tname[160];
        trampoline_name(fn, tname, sizeof tname);
        jit_func tf = {.name = tname, .local = true};
        if (ft_compile_trampoline(&tt, file, fn, tname, &touts[i], &td)) {
            if (keep && !touts[i].relocs.n) {   /* it reaches nothing: it can be kept */
                pending[npending++] = i;
                ttab[k] = i + 1;
                continue;
            }
            tf.code = touts[i].code.v, tf.size = touts[i].code.n, tf.align = touts[i].align;
            tf.relocs = chain_relocs(&touts[i], &ns, def, &copy, &strs), tf.nrelocs = touts[i].relocs.n;
            added = jit_module_add_func(m->mod, &tf, &err);
            free(copy);
            free(strs);
            if (added) {
                ttab[k] = i + 1;    /* (the probe ended at an empty slot) */
                continue;
            }
            snprintf(td.msg, sizeof td.msg, "%s", err.msg);
        }
        m->tramp_err[i] = ir_xstrdup(td.msg);
    }
    if (ok && npending)
        keep_trampolines(m, &tt, tsrc, tcode, pending, npending, touts);
    if (ok && !(jit_module_link(m->mod, &err) && jit_module_finalize(m->mod, &err))) {
        ir_diag_set(d, err.line, err.col, "%s", err.msg);
        /* a call to a function left out: its compile error says more */
        for (uint32_t i = 0; i < nf; i++)
            if (m->fn_err[i]) {
                *d = *m->fn_err[i];
                break;
            }
        ok = false;
    }
    if (ok) {
        jit_module_stats ms;
        jit_module_stats_get(m->mod, &ms);
        m->keeps_mask = !ms.dlsym_syms && !ms.module_syms;
    }
    for (uint32_t i = 0; ok && i < nf; i++) {
        const ir_function *fn = file->funcs.v[i];
        char name[160], cname[200];
        if (m->fn_err[i])
            continue;
        m->callees[i].code =
            jit_module_lookup(m->mod, chain_name(cg_symbol_name(fn, name, sizeof name), def, cname, sizeof cname));
        if (m->tramp_err[i] || !run_needs_trampoline(fn, &fn->sig, NULL))
            continue;
        if (tcode && tcode[tsrc[i]]) {
            m->callees[i].trampoline = (run_trampoline_fn)tcode[tsrc[i]];
            continue;
        }
        trampoline_name(file->funcs.v[tsrc[i]], name, sizeof name);
        m->callees[i].trampoline = (run_trampoline_fn)jit_module_lookup(m->mod, name);
    }
    for (uint32_t i = 0; outs && i < nf; i++)
        cg_output_free(&outs[i]);
    for (uint32_t i = 0; touts && i < nf; i++)
        cg_output_free(&touts[i]);
    free(outs);
    free(tsrc);
    free(tcode);
    free(pending);
    names_free(&ns);
    if (!ok)
        ft_module_free(m);
    return ok;
}

void ft_module_free(ft_module *m)
{
    if (m->mod) {
        jit_error err;
        jit_module_free(m->mod, &err);
    }
    for (uint32_t i = 0; m->file && i < m->file->funcs.n; i++) {
        if (m->tramp_err)
            free(m->tramp_err[i]);
        if (m->fn_err)
            free(m->fn_err[i]);
    }
    free(m->callees);   /* and the other per-function arrays */
    if (m->own_lines)
        free((uint32_t *)m->lines);
    memset(m, 0, sizeof *m);
}

run_status ft_call(const ft_module *m, uint32_t func, const ir_data_value *args, uint32_t nargs,
                   ir_data_value *results, double timeout, run_outcome *oc)
{
    const ir_function *fn = m->file->funcs.v[func];
    if (m->fn_err[func]) {
        memset(oc, 0, sizeof *oc);
        oc->status = RUN_ERROR;
        snprintf(oc->msg, sizeof oc->msg, "not compiled: %.200s", m->fn_err[func]->msg);
        return RUN_ERROR;
    }
    if (m->tramp_err[func] && run_needs_trampoline(fn, &fn->sig, NULL)) {
        memset(oc, 0, sizeof *oc);
        oc->status = RUN_ERROR;
        snprintf(oc->msg, sizeof oc->msg, "no call trampoline: %s", m->tramp_err[func]);
        return RUN_ERROR;
    }
    if (!m->sigs[func]) {   /* its first call */
        size_t frame = 0;   /* its stack slots: a lower bound of its frame */
        for (uint32_t i = 0; i < fn->stack_slots.n; i++)
            frame += fn->stack_slots.v[i].dynamic ? 0 : fn->stack_slots.v[i].size;
        m->frames[func] = frame;
        m->sigs[func] = run_sig_of(fn, &fn->sig);
    }
    /* code that reaches only host code known not to change the signal mask
     * cannot change it, nor can the harness between its calls (the REPL's
     * line editing might) */
    run_opts opts = {.timeout = timeout, .describe_pc = describe_pc, .interrupt = m->interruptible,
                     .in_code = in_code, .fence = fence, .keeps_mask = m->keeps_mask && !m->interruptible,
                     .frame = m->frames[func]};
    cur_ctx = m->ctx;
    run_status st = run_sig_call(m->sigs[func], &m->callees[func], args, nargs, results, &opts, oc);
    cur_ctx = NULL;
    return st;
}

/* ---- run commands ----------------------------------------------------------------- */

const char *ft_expected_trap_at(const ir_file *file, const uint32_t *lines, uint32_t nlines,
                                const ir_run_cmd *rc, char *buf, size_t n)
{
    /* a glance first: the line before a run line is mostly another one, or
     * the function's last (the call's report asks, once per call) */
    if (!lines || rc->line < 2 || rc->line - 1 > nlines || (size_t)lines[rc->line - 2] + 3 > file->len)
        return NULL;
    const char *s = file->src + lines[rc->line - 2];
    if (s[0] != ';' || s[1] != ' ' || (s[2] != 't' && s[2] != 'c'))
        return NULL;
    size_t len = 0;
    const char *p = ft_line_text(file, lines, nlines, rc->line - 1, &len);
    if (!p)
        return NULL;
    const char *end = p + len;
    static const char *const tags[] = {"; trap: ", "; cg_test trap: "};
    for (size_t k = 0; k < 2; k++) {
        size_t tl = strlen(tags[k]);
        if (len < tl || memcmp(p, tags[k], tl))
            continue;
        p += tl;
        size_t i = 0;
        while (p < end && *p != ' ' && *p != '\t' && i + 1 < n)
            buf[i++] = *p++;
        buf[i] = 0;
        return i ? buf : NULL;
    }
    return NULL;
}

const char *ft_expected_trap(const ft_module *m, const ir_run_cmd *rc, char *buf, size_t n)
{
    return ft_expected_trap_at(m->file, m->lines, m->nlines, rc, buf, n);
}

/* An expected trap: it must happen, with that code. */
static bool report_trap(FILE *out, const ir_file *file, const ir_run_cmd *rc, const char *code,
                        const ir_data_value *actual, const run_outcome *oc, unsigned flags)
{
    char want[64];
    snprintf(want, sizeof want, "trap: %s at ", code);
    bool pass = oc->status == RUN_TRAP && !strncmp(oc->msg, want, strlen(want));
    if (pass && (flags & RUN_REPORT_FAILURES))
        return true;
    if (!pass)
        fprintf(out, "FAIL %s:%u: ", file->path ? file->path : "-", rc->line);
    run_invocation_print(out, file, rc, flags);
    if (pass) {
        fprintf(out, ": %s\n", oc->msg);
        return true;
    }
    fprintf(out, ": expected trap: %s, got ", code);
    if (oc->status == RUN_OK)
        run_results_print(out, actual, file->funcs.v[rc->func]->sig.nrets, flags);
    else
        fputs(oc->msg, out);
    fputc('\n', out);
    return false;
}

bool ft_report_cmd(const ir_file *file, const uint32_t *lines, uint32_t nlines, const ir_run_cmd *rc,
                   const ir_data_value *actual, const run_outcome *oc, FILE *out, unsigned flags)
{
    char tb[32];
    const char *code = ft_expected_trap_at(file, lines, nlines, rc, tb, sizeof tb);
    return code ? report_trap(out, file, rc, code, actual, oc, flags) : run_report(out, file, rc, actual, oc, flags);
}

bool ft_report(const ft_module *m, const ir_run_cmd *rc, const ir_data_value *actual,
               const run_outcome *oc, FILE *out, unsigned flags)
{
    return ft_report_cmd(m->file, m->lines, m->nlines, rc, actual, oc, out, flags);
}

bool ft_run_cmd(const ft_module *m, const ir_run_cmd *rc, double timeout, FILE *out, unsigned flags,
                run_outcome *oc_out)
{
    const ir_file *file = m->file;
    const ir_function *fn = file->funcs.v[rc->func];
    uint32_t nr = fn->sig.nrets;
    ir_data_value small[8], *actual = nr <= 8 ? small : calloc(nr, sizeof *actual);
    run_outcome oc;
    if (!actual) {
        memset(&oc, 0, sizeof oc);
        oc.status = RUN_ERROR;
        snprintf(oc.msg, sizeof oc.msg, "out of memory");
    } else {    /* (actual is read only after a call that returned, which wrote it) */
        ft_call(m, rc->func, rc->nargs ? &file->data.v[rc->args] : NULL, rc->nargs, actual, timeout, &oc);
    }
    bool pass = ft_report_cmd(file, m->lines, m->nlines, rc, actual, &oc, out, flags);
    if (oc_out)
        *oc_out = oc;
    if (actual != small)
        free(actual);
    return pass;
}
