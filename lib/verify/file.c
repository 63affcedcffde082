/* lib/verify/file.c: verifying a whole file, as Cranelift's filetest runner
 * does: each function against the ISA of each distinct target line (or
 * none, or the host's), and the declarations of function names across the
 * functions of the file. */
#include "verify.h"

#include <string.h>

/* ---- files and targets ------------------------------------------------------------------- */

/* Pointer width of a target line's architecture (Cranelift's triples), 0 if unknown. */
static unsigned arch_pointer_bits(const char *arch)
{
    static const char *const p64[] = {"x86_64", "aarch64", "arm64", "riscv64", "riscv64gc", "riscv64imac", "s390x",
                                      "pulley64", "pulley64be"};
    static const char *const p32[] = {"pulley32", "pulley32be", "riscv32", "i686", "i386", "x86", "arm", "armv7"};
    for (size_t i = 0; i < sizeof p64 / sizeof *p64; i++)
        if (!strcmp(arch, p64[i]))
            return 64;
    for (size_t i = 0; i < sizeof p32 / sizeof *p32; i++)
        if (!strcmp(arch, p32[i]))
            return 32;
    return 0;
}

static bool setting_true(const ir_file *file, uint32_t nsettings, const char *name)
{
    bool v = false;
    uint32_t cli = file->settings.n - file->ncli_settings;   /* --set, after the file's */
    for (uint32_t i = 0; i < file->settings.n; i++)
        if ((i < nsettings || i >= cli) && !strcmp(file->settings.v[i].name, name)) {
            const char *s = file->settings.v[i].value;
            v = !s || !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on") || !strcmp(s, "yes");
        }
    return v;
}

void verify_isa_of(const ir_file *file, uint32_t t, verify_isa *isa)
{
    uint32_t nset = t == IR_NONE ? file->settings.n : file->targets.v[t].settings;
    *isa = (verify_isa){
        .pointer_bits = t == IR_NONE ? 0 : arch_pointer_bits(file->targets.v[t].arch),
        .preserve_frame_pointers = setting_true(file, nset, "preserve_frame_pointers"),
        .enable_pinned_reg = setting_true(file, nset, "enable_pinned_reg"),
    };
}

/* Does a test of the file compile for its targets (Cranelift's needs_isa:
 * run, compile, inline, optimize, unwind)?  A file without `test` lines
 * is run by clifrun, so it does too. */
static bool needs_isa(const ir_file *file)
{
    static const char *const kinds[] = {"run", "compile", "inline", "optimize", "unwind"};
    if (!file->tests.n)
        return true;
    for (uint32_t i = 0; i < file->tests.n; i++)
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            if (!strcmp(file->tests.v[i], kinds[k]))
                return true;
    return false;
}

void verify_file_isas_of(const ir_file *file, verify_file_isas *v)
{
    /* Cranelift's filetest runner: tests that compile verify against each
     * target line's ISA; the others once, against the ISA of the only
     * target line, or with the flags alone.  Here, a file that runs
     * without a target line runs on the host, and is checked for it. */
    verify_isa *isas = v->isas;
    uint32_t nisa = 0;
    bool isa = needs_isa(file);
    if (isa || file->targets.n == 1) {
        for (uint32_t t = 0; t < file->targets.n; t++) {
            verify_isa a;
            verify_isa_of(file, t, &a);
            a.label = file->targets.v[t].arch;
            uint32_t k = 0;
            while (k < nisa && !(isas[k].pointer_bits == a.pointer_bits &&
                                 isas[k].preserve_frame_pointers == a.preserve_frame_pointers &&
                                 isas[k].enable_pinned_reg == a.enable_pinned_reg))
                k++;
            if (k == nisa && nisa < 8)
                isas[nisa++] = a;
        }
    } else if (file->targets.n) {
        verify_isa_of(file, file->targets.n - 1, &isas[0]);
        isas[0].pointer_bits = 0;
        nisa = 1;
    }
    if (!nisa) {
        verify_isa_of(file, IR_NONE, &isas[0]);
        if (isa)
            isas[0].pointer_bits = (unsigned)sizeof(void *) * 8;
        nisa = 1;
    }
    bool label = false;
    for (uint32_t k = 1; k < nisa; k++)
        label |= isas[k].pointer_bits != isas[0].pointer_bits;
    if (!label)
        for (uint32_t k = 0; k < nisa; k++)
            isas[k].label = NULL;
    v->n = nisa;
}

bool verify_file_function(const verify_file_isas *v, const ir_function *f, ir_diag *d)
{
    for (uint32_t k = 0; k < v->n; k++) {
        ir_diag one;    /* verify_function_isa sets it on failure: 7 KB not cleared per function */
        one.file = one.src = NULL;
        one.len = 0;
        if (!verify_function_isa(f, &v->isas[k], &one)) {
            ir_diag_merge(d, &one);
            return false;       /* one ISA's errors per function: the others' repeat them */
        }
    }
    return true;
}

bool verify_file(const ir_file *file, ir_diag *d)
{
    verify_file_isas v;
    verify_file_isas_of(file, &v);
    bool ok = true;
    for (uint32_t i = 0; i < file->funcs.n; i++)
        ok &= verify_file_function(&v, file->funcs.v[i], d);
    return ok;
}

/* ---- declarations across a file ------------------------------------------------------ */

static bool same_sig(const ir_function *fa, const ir_signature *a, const ir_function *fb,
                     const ir_signature *b)
{
    if (a->nparams != b->nparams || a->nrets != b->nrets || a->callconv != b->callconv)
        return false;
    for (uint32_t k = 0; k < a->nparams + a->nrets; k++) {
        const ir_abi_param *p = &fa->abi_params.v[(k < a->nparams ? a->params + k : a->rets + k - a->nparams)];
        const ir_abi_param *q = &fb->abi_params.v[(k < b->nparams ? b->params + k : b->rets + k - b->nparams)];
        if (p->type != q->type || p->ext != q->ext || p->purpose != q->purpose ||
            (p->purpose == IR_PURPOSE_SARG && p->sarg_size != q->sarg_size))
            return false;
    }
    return true;
}

/* "(i32, i64 sext) -> i32", and " system_v" with cc */
static void sig_str(const ir_function *f, const ir_signature *s, bool cc, char *buf, size_t n)
{
    size_t k = 0;
    char tb[16];
    buf[0] = 0;
    for (uint32_t i = 0; i < s->nparams + s->nrets && k + 40 < n; i++) {
        bool ret = i >= s->nparams;
        const ir_abi_param *p = &f->abi_params.v[ret ? s->rets + i - s->nparams : s->params + i];
        const char *sep = i == 0 ? "(" : i == s->nparams ? ") -> " : ", ";
        if (ret && i == s->nparams && i == 0)
            sep = "() -> ";
        k += (size_t)snprintf(buf + k, n - k, "%s%s%s", sep, ir_type_name(p->type, tb),
                              p->ext == IR_EXT_SEXT ? " sext" : p->ext == IR_EXT_UEXT ? " uext" : "");
    }
    if (!s->nparams && !s->nrets)
        k += (size_t)snprintf(buf + k, n - k, "()");
    else if (!s->nrets && k < n)
        k += (size_t)snprintf(buf + k, n - k, ")");
    if (cc && s->callconv && s->callconv < IR_CC_COUNT && k < n)
        snprintf(buf + k, n - k, " %s", ir_callconv_names[s->callconv]);
}

/* The name a function reference links to (%f or u0:3, a user reference
 * resolved); false for libcalls. */
static bool ref_name(const ir_function *f, const ir_extname *n, ir_extname *out)
{
    if (n->kind == IR_NAME_USERREF) {
        if (n->index >= f->user_names.n)
            return false;
        *out = f->user_names.v[n->index];
    } else {
        *out = *n;
    }
    return (out->kind == IR_NAME_TESTCASE && out->str) || out->kind == IR_NAME_USER;
}

/* "%name" or "u0:3", for a message only: the tables compare names as they
 * are, not as text (a 128-byte key a function was 1.6 MB of pages for
 * 5,000 functions).  No printf code for a testcase name: 3 page faults of
 * a small file's start. */
static const char *name_str(const ir_extname *n, char *buf, size_t size)
{
    if (n->kind == IR_NAME_TESTCASE) {
        size_t len = strnlen(n->str, size - 2);
        buf[0] = '%';
        memcpy(buf + 1, n->str, len);
        buf[len + 1] = 0;
    } else {
        snprintf(buf, size, "u%u:%u", n->ns, n->index);
    }
    return buf;
}

static uint32_t name_hash(const ir_extname *n)
{
    uint32_t h = 2166136261u;
    if (n->kind == IR_NAME_TESTCASE)
        for (const char *k = n->str; *k; k++)
            h = (h ^ (unsigned char)*k) * 16777619u;
    else
        h = ((h ^ n->ns) * 16777619u ^ n->index) * 16777619u ^ 0x55;
    return h;
}

static bool name_eq(const ir_extname *a, const ir_extname *b)
{
    return a->kind == b->kind &&
           (a->kind == IR_NAME_TESTCASE ? !strcmp(a->str, b->str) : a->ns == b->ns && a->index == b->index);
}

typedef struct decl {
    const ir_function *f;
    const ir_signature *sig;
    uint32_t line, col;
    ir_extname name;
} decl;

/* Open addressing over names: slot = entry + 1, 0 empty; cap a power of two. */
static uint32_t *name_slot(uint32_t *tab, uint32_t cap, const ir_extname *n,
                           bool (*name_of)(const void *, uint32_t, ir_extname *), const void *ctx)
{
    ir_extname e;
    for (uint32_t h = name_hash(n) & (cap - 1);; h = (h + 1) & (cap - 1))
        if (!tab[h] || (name_of(ctx, tab[h] - 1, &e) && name_eq(&e, n)))
            return &tab[h];
}

static bool def_name(const void *c, uint32_t i, ir_extname *out)
{
    const ir_function *g = ((const ir_file *)c)->funcs.v[i];
    return ref_name(g, &g->name, out);
}

static bool seen_name(const void *c, uint32_t i, ir_extname *out)
{
    *out = ((const decl *)c)[i].name;
    return true;
}

/* Each declaration of a name against the file's definition of it and its
 * first declaration (the others agree with that one, or were reported):
 * hash tables keyed by the name, linear in the file. */
bool verify_file_decls(const ir_file *file, ir_diag *d)
{
    IR_VEC(decl) seen = {0};
    bool ok = true;
    const char *path = file->path ? file->path : "-";
    uint32_t nf = file->funcs.n, ndecl = 0;
    for (uint32_t i = 0; i < nf; i++)
        ndecl += file->funcs.v[i]->func_refs.n;
    uint32_t dcap = 16, scap = 16;
    while (dcap < 2 * nf)
        dcap *= 2;
    while (scap < 2 * ndecl)
        scap *= 2;
    /* definitions: name -> first function, next_def chains the rest */
    uint32_t *dtab = ir_xcalloc(dcap, sizeof *dtab), *next_def = ir_xcalloc(nf + 1, sizeof *next_def);
    uint32_t *stab = ir_xcalloc(scap, sizeof *stab);
    ir_vec_reserve_exact(&seen, ndecl);
    for (uint32_t k = nf; k-- > 0;) {   /* backwards: chains in file order */
        ir_extname gn;
        if (!def_name(file, k, &gn))
            continue;
        uint32_t *slot = name_slot(dtab, dcap, &gn, def_name, file);
        next_def[k] = *slot;
        *slot = k + 1;
    }
    for (uint32_t i = 0; ok && i < nf; i++) {
        const ir_function *f = file->funcs.v[i];
        for (uint32_t r = 0; ok && r < f->func_refs.n; r++) {
            if (r >= f->fn_defined.n || !f->fn_defined.v[r])
                continue;
            const ir_func_ref *fr = &f->func_refs.v[r];
            if (fr->sig >= f->sigs.n)
                continue;
            decl dc = {.f = f, .sig = &f->sigs.v[fr->sig], .line = fr->name.line, .col = fr->name.col};
            if (!ref_name(f, &fr->name, &dc.name))
                continue;
            char a[200], b[200], key[128];
            /* the file's own definition of the name */
            for (uint32_t k1 = *name_slot(dtab, dcap, &dc.name, def_name, file); k1; k1 = next_def[k1 - 1]) {
                const ir_function *g = file->funcs.v[k1 - 1];
                if (same_sig(f, dc.sig, g, &g->sig))
                    continue;
                bool cc = dc.sig->callconv != g->sig.callconv;
                sig_str(f, dc.sig, cc, a, sizeof a);
                sig_str(g, &g->sig, cc, b, sizeof b);
                ir_diag_set(d, dc.line, dc.col, "%s is declared here as %s, but defined as %s at %s:%u:%u",
                            name_str(&dc.name, key, sizeof key), a, b, path, g->line, g->col);
                ok = false;
                break;
            }
            if (!ok)
                break;
            /* an earlier declaration of it */
            uint32_t *slot = name_slot(stab, scap, &dc.name, seen_name, seen.v);
            if (*slot) {
                const decl *e = &seen.v[*slot - 1];
                if (!same_sig(f, dc.sig, e->f, e->sig)) {
                    bool cc = dc.sig->callconv != e->sig->callconv;
                    sig_str(f, dc.sig, cc, a, sizeof a);
                    sig_str(e->f, e->sig, cc, b, sizeof b);
                    ir_diag_set(d, dc.line, dc.col, "%s is declared here as %s, and as %s at %s:%u:%u",
                                name_str(&dc.name, key, sizeof key), a, b, path, e->line, e->col);
                    ok = false;
                }
            } else {
                ir_vec_push(&seen, dc);
                *slot = seen.n;
            }
        }
    }
    free(dtab);
    free(next_def);
    free(stab);
    ir_vec_free(&seen);
    return ok;
}
