/* cmd/clifrun/repl.c: the interactive session (`clifrun` on a terminal,
 * `clifrun -i FILE`).
 *
 * The session keeps the text of every function (typed, pasted or loaded)
 * and its origin.  Any change — a definition, :load, :target, :set —
 * rebuilds everything: the texts are joined into one file, parsed,
 * compiled into a new JIT module, and the old module is freed.  That is
 * simple and always correct: a redefined function is recompiled with every
 * function that calls it, and no module ever links against a stale one
 * (jit_module_free refuses while another module links against it, so
 * per-function modules would need relinking in dependency order).  It
 * costs little: the compiler does ~1M instructions per second, a session
 * holds a few hundred.
 *
 * Input is read with GNU readline's callback interface, so that SIGINT is
 * ours: at the prompt it clears the line; during a call lib/run's guard
 * takes it (run_opts.interrupt) and abandons the call like a timeout. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "cli.h"
#include "filetest/filetest.h"
#include "opt/opt.h"
#include "reader/reader.h"
#include "rl.h"
#include "verify/verify.h"

#define REPL_PATH "<repl>"
#define PROMPT "clif> "
#define PROMPT_MORE "....> "
#define HISTORY_MAX 1000

typedef struct origin {
    char *path;             /* "<repl>" or the loaded file */
    uint32_t unit;          /* the file or paste it is part of: u0:N counts there */
    char *text;             /* kept for the session's life: diagnostics quote it */
    size_t len;
} origin;

typedef struct sfunc {
    char *name;             /* "%f" or "u0:1" */
    uint32_t origin;        /* index into origins */
    uint32_t line0, nlines; /* its lines in the origin (1-based) */
    size_t off, len;        /* the same as bytes of the origin's text */
    uint32_t start;         /* its first line in the session's text */
} sfunc;

typedef struct session {
    IR_VEC(origin) origins;
    uint32_t unit;              /* the current file or paste (origin.unit) */
    bool unit_open;             /* definitions still join it */
    bool next_run_cc;           /* a `test run` line came: the next paste is a runtest */
    bool run_cc;                /* the current paste is: system_v by default */
    IR_VEC(sfunc) funcs;
    uint32_t *ftab;             /* funcs by name: open addressing, index + 1 */
    uint32_t ftab_cap;
    IR_VEC(char *) settings;    /* "opt_level=speed" */
    char *target;               /* a target line's words; NULL: the host */
    /* built from the above by rebuild() */
    char *src;
    ir_file file;
    cg_target t;
    bool runnable;              /* the target is the host's: calls run */
    char why[200];              /* else why not */
    ft_module m;
    bool have_module;
    ir_diag link_err;           /* when there is no module */
    jit_ctx *ctx;
    double timeout;
    bool sandbox;               /* calls run sandboxed */
    /* input */
    char *pending;              /* an unfinished entry */
    size_t plen;
    int depth;                  /* of braces in it */
    bool opened;                /* it has had a '{' */
    char *hist;                 /* readline lines since the last complete input */
    size_t hlen;
    bool quit;
} session;

/* ---- small helpers ---------------------------------------------------------------- */

static void diag(const ir_diag *d)
{
    ir_diag_print(stderr, d, cli_use_color());
}

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void error(const char *fmt, ...)
{
    bool c = cli_use_color();
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%serror:%s ", c ? "\033[1;31m" : "", c ? "\033[0m" : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static size_t pow2_at_least(size_t x)
{
    size_t c = 16;
    while (c < x)
        c *= 2;
    return c;
}

/* Every buffer given here starts NULL and grows only here, to powers of
 * two: its capacity is known from its length, growth is amortized (a
 * :load of 100,000 functions appends 300,000 times). */
static void append(char **buf, size_t *len, const char *s, size_t n)
{
    size_t need = *len + n + 1;
    if (!*buf || need > pow2_at_least(*len + 1))
        *buf = ir_xrealloc(*buf, pow2_at_least(need));
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = 0;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    return s;
}

/* s without trailing blanks, as a new string */
static char *trimmed(const char *s)
{
    s = skip_space(s);
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return ir_xstrndup(s, n);
}

static bool starts_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    return !strncmp(s, w, n) && (!s[n] || s[n] == ' ' || s[n] == '\t');
}

static const char *func_name(const ir_function *fn, char *buf, size_t n)
{
    if (fn->name.kind == IR_NAME_TESTCASE && fn->name.str)
        snprintf(buf, n, "%%%s", fn->name.str);
    else if (fn->name.kind == IR_NAME_USER)
        snprintf(buf, n, "u%u:%u", fn->name.ns, fn->name.index);
    else
        snprintf(buf, n, "?");
    return buf;
}

/* "%f(i32, i32) -> i32": the first line of the printed function. */
static char *signature_text(const ir_function *fn)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return ir_xstrdup("?");
    ir_print_function(f, fn);
    fclose(f);
    char *s = buf + (strncmp(buf, "function ", 9) ? 0 : 9), *e = strchr(s, '\n');
    if (e)
        *e = 0;
    size_t len = strlen(s);
    if (len >= 2 && !strcmp(s + len - 2, " {"))
        s[len - 2] = 0;
    char *r = ir_xstrdup(s);
    free(buf);
    return r;
}

/* Where line `line` of text starts (or its end). */
/* ---- the session's functions by name: a hash table, so that a :load of
 * 100,000 functions is not 10^10 comparisons ---- */

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int ftab_get(const session *S, const char *name)
{
    if (!S->ftab_cap)
        return -1;
    for (uint32_t i = name_hash(name) & (S->ftab_cap - 1); S->ftab[i]; i = (i + 1) & (S->ftab_cap - 1))
        if (!strcmp(S->funcs.v[S->ftab[i] - 1].name, name))
            return (int)S->ftab[i] - 1;
    return -1;
}

static void ftab_put(session *S, uint32_t k)
{
    uint32_t mask = S->ftab_cap - 1, i = name_hash(S->funcs.v[k].name) & mask;
    while (S->ftab[i])
        i = (i + 1) & mask;
    S->ftab[i] = k + 1;
}

/* Index every function again (after funcs grew past half the table, or
 * shrank back). */
static void ftab_rebuild(session *S)
{
    uint32_t cap = 64;
    while (cap < 2 * S->funcs.n + 2)
        cap *= 2;
    free(S->ftab);
    S->ftab = ir_xcalloc(cap, sizeof *S->ftab);
    S->ftab_cap = cap;
    for (uint32_t k = 0; k < S->funcs.n; k++)
        ftab_put(S, k);
}

/* "%f" or "u0:1"; "f" finds "%f" too. */
static int find_func(const session *S, const char *name)
{
    int k = ftab_get(S, name);
    if (k >= 0 || name[0] == '%')
        return k;
    char buf[170];
    snprintf(buf, sizeof buf, "%%%s", name);
    return ftab_get(S, buf);
}

/* ---- building the session ----------------------------------------------------------- */

/* A diagnostic located in the session's text, moved to the entry or file
 * the function came from. */
static void map_diag(const session *S, ir_diag *d)
{
    for (uint32_t i = 0; d->line && i < S->funcs.n; i++) {
        const sfunc *f = &S->funcs.v[i];
        if (d->line < f->start || d->line >= f->start + f->nlines)
            continue;
        const origin *o = &S->origins.v[f->origin];
        d->file = o->path;
        d->src = o->text;
        d->len = o->len;
        d->line = f->line0 + (d->line - f->start);
        return;
    }
}

/* The header (set and target lines), then every function's lines. */
static char *session_text(session *S, bool funcs)
{
    char *buf = NULL;
    size_t len = 0;
    uint32_t line = 1;
    append(&buf, &len, "", 0);
    for (uint32_t i = 0; i < S->settings.n; i++, line++) {
        append(&buf, &len, "set ", 4);
        append(&buf, &len, S->settings.v[i], strlen(S->settings.v[i]));
        append(&buf, &len, "\n", 1);
    }
    if (S->target) {
        append(&buf, &len, "target ", 7);
        append(&buf, &len, S->target, strlen(S->target));
        append(&buf, &len, "\n", 1);
        line++;
    }
    for (uint32_t i = 0; funcs && i < S->funcs.n; i++) {
        sfunc *f = &S->funcs.v[i];
        const origin *o = &S->origins.v[f->origin];
        const char *a = o->text + f->off, *b = a + f->len;
        f->start = line;
        append(&buf, &len, a, f->len);
        if (b == a || b[-1] != '\n')
            append(&buf, &len, "\n", 1);
        line += f->nlines;
    }
    return buf;
}

static void unbuild(session *S)
{
    if (S->have_module)
        ft_module_free(&S->m);
    S->have_module = false;
    ir_file_free(&S->file);
    memset(&S->file, 0, sizeof S->file);
    free(S->src);
    S->src = NULL;
}

/* Which target the header gives: calls run (FT_RUN) or only compiles. */
static bool pick_target(ir_file *file, cg_target *t, bool *runnable, char *why, size_t n, ir_diag *d)
{
    ft_verdict v = ft_target(file, file->targets.n ? 0 : IR_NONE, JIT_ARCH_HOST, t, why, n, d);
    if (v == FT_ERROR)
        return false;
    *runnable = v == FT_RUN;
    if (v == FT_SKIP && !cg_target_from_file(t, file, 0, d))
        return false;
    return true;
}

/* u0:N in a function names the N-th function of the file or paste it came
 * from (cranelift_module numbers the functions of one module), not of the
 * session: such a reference is pointed at that function by its name.  A
 * function really named u0:N wins, as in a file. */
static void scope_user_refs(session *S, ir_extname *n, uint32_t unit)
{
    if (n->kind != IR_NAME_USER || n->ns != 0)
        return;
    ir_file *file = &S->file;
    for (uint32_t j = 0; j < file->funcs.n; j++) {
        const ir_extname *m = &file->funcs.v[j]->name;
        if (m->kind == IR_NAME_USER && m->ns == 0 && m->index == n->index)
            return;
    }
    for (uint32_t j = 0, k = 0; j < file->funcs.n && j < S->funcs.n; j++)
        if (S->origins.v[S->funcs.v[j].origin].unit == unit && k++ == n->index) {
            uint32_t line = n->line, col = n->col;
            *n = file->funcs.v[j]->name;
            n->line = line, n->col = col;
            return;
        }
}

static void scope_units(session *S)
{
    ir_file *file = &S->file;
    for (uint32_t i = 0; i < file->funcs.n && i < S->funcs.n; i++) {
        ir_function *f = file->funcs.v[i];
        uint32_t unit = S->origins.v[S->funcs.v[i].origin].unit;
        for (uint32_t r = 0; r < f->func_refs.n; r++) {
            ir_extname *n = &f->func_refs.v[r].name;
            if (n->kind == IR_NAME_USERREF && n->index < f->user_names.n)
                n = &f->user_names.v[n->index];
            scope_user_refs(S, n, unit);
        }
        for (uint32_t g = 0; g < f->gvs.n; g++)
            if (f->gvs.v[g].kind == IR_GV_SYMBOL)
                scope_user_refs(S, &f->gvs.v[g].name, unit);
    }
}

/* Rebuild the session from its texts: parse, compile, link.  Compile
 * errors are printed for the functions marked in report (all if NULL and
 * report_all), the link error if report_link.  False if the text does not
 * parse and verify as a whole (each piece did alone), after printing why. */
static bool rebuild(session *S, const bool *report, bool report_all, bool report_link)
{
    unbuild(S);
    S->src = session_text(S, true);
    S->link_err = (ir_diag){0};
    ir_diag d;
    bool ok = reader_parse_file(&S->file, REPL_PATH, S->src, strlen(S->src), &d);
    if (ok)
        scope_units(S);
    for (uint32_t i = 0; ok && i < S->file.funcs.n; i++)
        ok = ir_legacy_rewrite(S->file.funcs.v[i], &d) && verify_function(S->file.funcs.v[i], &d);
    if (ok && S->file.funcs.n != S->funcs.n)
        ir_diag_set(&d, 0, 0, "internal error: %u functions in the session's text, %u expected",
                    S->file.funcs.n, S->funcs.n), ok = false;
    if (ok)
        ok = pick_target(&S->file, &S->t, &S->runnable, S->why, sizeof S->why, &d);
    if (!ok) {
        /* each piece was checked before it came in: this is a bug */
        map_diag(S, &d);
        diag(&d);
        S->link_err = d;
        S->runnable = false;
        snprintf(S->why, sizeof S->why, "the session does not build");
        return false;
    }
    if (!S->runnable) {     /* another architecture: compile to report errors */
        for (uint32_t i = 0; i < S->file.funcs.n; i++) {
            cg_output o;
            if (!(report_all || (report && report[i])))
                continue;
            if (opt_compile(&S->t, &S->file, i, &o, &d))
                cg_output_free(&o);
            else
                map_diag(S, &d), diag(&d);
        }
        return true;
    }
    if (!ft_module_build(&S->m, S->ctx, &S->file, &S->t, FT_PARTIAL, &d)) {
        map_diag(S, &d);
        S->link_err = d;
        if (report_link) {
            diag(&d);
            fprintf(stderr, "(the session does not link: calls fail until it does)\n");
        }
        return true;
    }
    S->have_module = true;
    S->m.interruptible = true;
    for (uint32_t i = 0; i < S->file.funcs.n; i++)
        if (S->m.fn_err[i] && (report_all || (report && report[i]))) {
            d = *S->m.fn_err[i];
            map_diag(S, &d);
            diag(&d);
        }
    return true;
}

/* The session's functions before a change, to go back to if it fails. */
typedef struct saved_funcs {
    sfunc *v;
    uint32_t n;
} saved_funcs;

static saved_funcs save_funcs(const session *S)
{
    saved_funcs sv = {ir_xmalloc((S->funcs.n + 1) * sizeof *sv.v), S->funcs.n};
    if (sv.n)
        memcpy(sv.v, S->funcs.v, sv.n * sizeof *sv.v);
    return sv;
}

/* Back to sv (names of functions added since are freed), rebuilt. */
static void restore_funcs(session *S, saved_funcs *sv)
{
    for (uint32_t i = sv->n; i < S->funcs.n; i++)
        free(S->funcs.v[i].name);
    if (sv->n)
        memcpy(S->funcs.v, sv->v, sv->n * sizeof *sv->v);
    S->funcs.n = sv->n;
    ftab_rebuild(S);
    free(sv->v);
    sv->v = NULL;
    fprintf(stderr, "(not taken: the session is as it was)\n");
    rebuild(S, NULL, false, false);
}

/* Add or replace the functions of a parsed file whose text is origin oi.
 * Returns which of the session's functions they are now (report marks). */
static bool *add_functions(session *S, const ir_file *f, uint32_t oi)
{
    /* the byte offset of each line of the origin, one pass */
    const origin *o = &S->origins.v[oi];
    IR_VEC(size_t) lines = {0};
    ir_vec_push(&lines, (size_t)0);
    for (size_t p = 0; p < o->len; p++)
        if (o->text[p] == '\n')
            ir_vec_push(&lines, p + 1);
    ir_vec_push(&lines, o->len);
    for (uint32_t i = 0; i < f->funcs.n; i++) {
        const ir_function *fn = f->funcs.v[i];
        char name[160];
        int k = find_func(S, func_name(fn, name, sizeof name));
        sfunc sf = {.origin = oi, .line0 = fn->line, .nlines = fn->end_line - fn->line + 1};
        uint32_t l0 = fn->line ? fn->line - 1 : 0, l1 = l0 + sf.nlines;
        l0 = l0 < lines.n ? l0 : lines.n - 1;
        l1 = l1 < lines.n ? l1 : lines.n - 1;
        sf.off = lines.v[l0];
        sf.len = lines.v[l1] - sf.off;
        if (k >= 0) {
            sf.name = S->funcs.v[k].name;
            S->funcs.v[k] = sf;
        } else {
            sf.name = ir_xstrdup(name);
            ir_vec_push(&S->funcs, sf);
            if (2 * S->funcs.n + 2 > S->ftab_cap)
                ftab_rebuild(S);
            else
                ftab_put(S, S->funcs.n - 1);
        }
    }
    ir_vec_free(&lines);
    bool *report = ir_xcalloc(S->funcs.n + 1, sizeof *report);
    for (uint32_t i = 0; i < f->funcs.n; i++) {
        char name[160];
        report[find_func(S, func_name(f->funcs.v[i], name, sizeof name))] = true;
    }
    return report;
}

static const char *ref_name(const ir_extname *n, char *buf, size_t size)
{
    if (n->kind == IR_NAME_TESTCASE && n->str)
        snprintf(buf, size, "%%%s", n->str);
    else if (n->kind == IR_NAME_USER)
        snprintf(buf, size, "u%u:%u", n->ns, n->index);
    else
        return NULL;
    return buf;
}

/* "(i32, i32) -> i32" */
static void sig_text(const ir_function *fn, const ir_signature *sig, char *buf, size_t n)
{
    size_t len = 0;
    char tb[16];
    buf[0] = 0;
    for (uint32_t k = 0; k < sig->nparams + sig->nrets && len + 24 < n; k++) {
        bool ret = k >= sig->nparams;
        const char *sep = k == 0 ? "(" : k == sig->nparams ? ") -> " : ", ";
        if (ret && k == sig->nparams && k == 0)
            sep = "() -> ";
        len += (size_t)snprintf(buf + len, n - len, "%s%s", sep,
                                ir_type_name(fn->abi_params.v[ret ? sig->rets + k - sig->nparams
                                                                   : sig->params + k].type, tb));
    }
    if (!sig->nrets && len + 2 < n)
        snprintf(buf + len, n - len, "%s)", sig->nparams ? "" : "(");
}

/* The functions of the session that call name (by a func ref of that
 * name): listed on the definition's line, or (warn) a warning for each
 * whose declaration of the callee no longer matches its signature. */
static void print_callers(const session *S, const ir_function *callee, const char *name, bool warn)
{
    bool any = false;
    char want[256], have[256], nb[160];
    sig_text(callee, &callee->sig, want, sizeof want);
    for (uint32_t i = 0; i < S->file.funcs.n; i++) {
        const ir_function *fn = S->file.funcs.v[i];
        if (!strcmp(S->funcs.v[i].name, name))
            continue;
        for (uint32_t k = 0; k < fn->func_refs.n; k++) {
            const ir_func_ref *r = &fn->func_refs.v[k];
            if (!ref_name(&r->name, nb, sizeof nb) || strcmp(nb, name) != 0)
                continue;
            if (!warn)
                printf("%s%s", any ? ", " : " (recompiled with its callers: ", S->funcs.v[i].name);
            any = true;
            if (warn && r->sig < fn->sigs.n) {
                sig_text(fn, &fn->sigs.v[r->sig], have, sizeof have);
                if (strcmp(have, want) != 0) {
                    fprintf(stderr, "%swarning:%s %s calls %s as %s, but it is now %s\n",
                            cli_use_color() ? "\033[1;35m" : "", cli_use_color() ? "\033[0m" : "",
                            S->funcs.v[i].name, name, have, want);
                }
            }
            break;
        }
    }
    if (any && !warn)
        putchar(')');
}

/* ---- entries: definitions, calls ----------------------------------------------------- */

/* A `function ... { ... }` entry: parsed and verified alone (errors point
 * into the entry), compiled for the session's target, then added. */
/* A function line without a calling convention gets " system_v" before its
 * brace: what `test run` makes the default in a file (Cranelift's runtests
 * use the host's convention).  The text grows on that line only. */
static char *with_run_cc(char *text, size_t *len)
{
    char *fn = strstr(text, "function");
    char *brace = fn ? strchr(fn, '{') : NULL;
    char *nl = fn ? strchr(fn, '\n') : NULL;
    if (!brace || (nl && nl < brace))
        return text;
    char *e = brace;
    while (e > fn && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    char *w = e;
    while (w > fn && (isalnum((unsigned char)w[-1]) || w[-1] == '_'))
        w--;
    for (int c = 1; c < IR_CC_COUNT; c++)
        if ((size_t)(e - w) == strlen(ir_callconv_names[c]) && !strncmp(w, ir_callconv_names[c], (size_t)(e - w)))
            return text;        /* it has one */
    size_t at = (size_t)(e - text);
    char *out = ir_xmalloc(*len + 10);
    memcpy(out, text, at);
    memcpy(out + at, " system_v", 9);
    memcpy(out + at + 9, text + at, *len - at + 1);
    *len += 9;
    free(text);
    return out;
}

static void define(session *S, const char *text, size_t len)
{
    char *copy = ir_xstrndup(text, len);
    if (!S->unit_open)          /* a new paste: a runtest if `test run` came before it */
        S->run_cc = S->next_run_cc, S->next_run_cc = false;
    if (S->run_cc)
        copy = with_run_cc(copy, &len);
    ir_file ef;
    ir_diag d;
    bool ok = reader_parse_file(&ef, REPL_PATH, copy, len, &d);
    cli_warnings(stderr, &ef);
    for (uint32_t i = 0; ok && i < ef.funcs.n; i++)
        ok = ir_legacy_rewrite(ef.funcs.v[i], &d) && verify_function(ef.funcs.v[i], &d);
    if (ok && (ef.settings.n || ef.targets.n || ef.tests.n))
        ir_diag_set(&d, 1, 1, "test, set and target lines go before a function, on their own"), ok = false;
    if (ok && !ef.funcs.n)
        ir_diag_set(&d, 1, 1, "no function here"), ok = false;
    for (uint32_t i = 0; ok && i < ef.funcs.n; i++) {
        cg_output o;
        if ((ok = opt_compile(&S->t, &ef, i, &o, &d)))
            cg_output_free(&o);
    }
    if (!ok) {
        d.file = REPL_PATH, d.src = copy, d.len = len;
        diag(&d);
        ir_file_free(&ef);
        free(copy);
        return;
    }
    bool existed[ef.funcs.n];
    for (uint32_t i = 0; i < ef.funcs.n; i++) {
        char name[160];
        existed[i] = find_func(S, func_name(ef.funcs.v[i], name, sizeof name)) >= 0;
    }
    if (!S->unit_open)
        S->unit++;
    S->unit_open = true;
    ir_vec_push(&S->origins, ((origin){ir_xstrdup(REPL_PATH), S->unit, copy, len}));
    saved_funcs sv = save_funcs(S);
    bool *report = add_functions(S, &ef, S->origins.n - 1);
    if (!rebuild(S, report, false, false)) {
        restore_funcs(S, &sv);
        free(report);
        ir_file_free(&ef);
        return;
    }
    free(sv.v);
    for (uint32_t i = 0; i < ef.funcs.n; i++) {
        char name[160];
        int k = find_func(S, func_name(ef.funcs.v[i], name, sizeof name));
        /* as the session sees it (its target sets the default convention) */
        const ir_function *fn = (uint32_t)k < S->file.funcs.n ? S->file.funcs.v[k] : ef.funcs.v[i];
        char *sig = signature_text(fn);
        printf("%s %s", existed[i] ? "redefined" : "defined", sig);
        if (existed[i])
            print_callers(S, fn, func_name(fn, name, sizeof name), false);
        putchar('\n');
        fflush(stdout);
        if (existed[i])
            print_callers(S, fn, name, true);
        free(sig);
    }
    fflush(stdout);
    if (S->runnable && !S->have_module) {
        diag(&S->link_err);
        fprintf(stderr, "(the session does not link: calls fail until it does)\n");
    }
    free(report);
    ir_file_free(&ef);
}

typedef struct call_ctx {
    session *S;
    const ir_run_cmd *rc;
} call_ctx;

/* The report waits for the call: after a Ctrl-C (which the terminal
 * echoes as ^C) it starts a new line. */
static void print_report(const char *out, run_status st)
{
    printf("%s%s", st == RUN_INTERRUPTED ? "\n" : "", out);
}

/* In the child: the call and its report. */
static bool call_item(void *arg, uint32_t i)
{
    call_ctx *cc = arg;
    char *out = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&out, &n);
    run_outcome oc;
    bool ok = ft_run_cmd(&cc->S->m, cc->rc, cc->S->timeout, mem ? mem : stdout, RUN_FMT_LANES, &oc);
    if (mem) {
        fclose(mem);
        print_report(out, oc.status);
        free(out);
    }
    (void)i;
    return ok;
}

/* In the parent: the call ended the child (exit, abort, the sandbox, a
 * call stuck in host code). */
static void call_ended(void *arg, uint32_t i, const run_outcome *oc)
{
    call_ctx *cc = arg;
    char *out = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&out, &n);
    ft_report(&cc->S->m, cc->rc, NULL, oc, mem ? mem : stdout, RUN_FMT_LANES);
    if (mem) {
        fclose(mem);
        print_report(out, oc->status);
        free(out);
    }
    (void)i;
}

/* `%f(1, 2)`, `%f(1, 2) == 3`: call and print as clifrun -e does. */
static void invoke(session *S, const char *text)
{
    ir_run_cmd rc;
    ir_diag d;
    if (!reader_parse_invocation(&S->file, REPL_PATH, text, strlen(text), &rc, &d)) {
        char *in = strstr(d.msg, " in " REPL_PATH);
        if (in)
            snprintf(in, sizeof d.msg - (size_t)(in - d.msg), " (:list shows the functions)");
        diag(&d);
        return;
    }
    if (!S->runnable) {
        error("cannot call: %s (:target shows the target, :target host switches to the host)", S->why);
        return;
    }
    if (!S->have_module) {
        error("cannot call: the session does not link:");
        diag(&S->link_err);
        return;
    }
    /* the call runs in a child process (sandboxed unless --no-sandbox):
     * an exit, an abort or a blocked system call ends only that */
    call_ctx cc = {S, &rc};
    run_batch b = {.n = 1, .item = call_item, .ended = call_ended, .arg = &cc,
                   .timeout = S->timeout, .sandbox = S->sandbox, .interrupt = true, .keep_fd = -1};
    run_batch_result br;
    if (!run_batch_run(&b, &br))
        error("cannot call: %s", br.error);
    fflush(stdout);
}

/* ---- commands -------------------------------------------------------------------- */

static const char *const isa_names[CG_ISA_COUNT] = {
#define CG_F(name) #name,
    CG_ISA_FLAGS(CG_F)
#undef CG_F
};

static void show_target(const session *S)
{
    if (S->target)
        printf("target %s\n", S->target);
    else
        printf("target %s (the host)\n", jit_arch_name(S->t.arch));
    printf("ISA flags:");
    for (unsigned k = 0; k < CG_ISA_COUNT; k++)
        if (S->t.isa >> k & 1)
            printf(" has_%s", isa_names[k]);
    printf("%s\n", S->t.isa ? "" : " none (the baseline)");
    for (uint32_t i = 0; i < S->settings.n; i++)
        printf("set %s\n", S->settings.v[i]);
    if (S->runnable)
        printf("calls run on this host\n");
    else
        printf("compile and :disasm only: %s\n", S->why);
}

/* Would the header with these settings and target be accepted?  (The
 * message of a refusal is printed.) */
static bool header_ok(char **settings, uint32_t nset, const char *target)
{
    session h = {0};
    h.settings.v = settings, h.settings.n = nset;
    h.target = (char *)target;
    char *text = session_text(&h, false);
    ir_file f;
    ir_diag d;
    cg_target t;
    bool run;
    char why[200];
    bool ok = reader_parse_file(&f, REPL_PATH, text, strlen(text), &d);
    if (ok && target && f.targets.n != 1)
        ir_diag_set(&d, 0, 0, "expected one target line"), ok = false;
    if (ok)
        ok = pick_target(&f, &t, &run, why, sizeof why, &d);
    if (!ok)
        error("%s", d.msg);
    ir_file_free(&f);
    free(text);
    return ok;
}

static void cmd_target(session *S, const char *arg)
{
    if (!*arg) {
        show_target(S);
        return;
    }
    if (!strcmp(arg, "host")) {
        free(S->target);
        S->target = NULL;
    } else {
        if (!header_ok(S->settings.v, S->settings.n, arg))
            return;
        free(S->target);
        S->target = ir_xstrdup(arg);
    }
    rebuild(S, NULL, true, true);
    show_target(S);
}

/* name=value (or name) into the list, replacing the same name. */
static void set_setting(session *S, const char *s)
{
    size_t n = strcspn(s, "= \t");
    for (uint32_t i = 0; i < S->settings.n; i++)
        if (!strncmp(S->settings.v[i], s, n) && strchr("= \t", S->settings.v[i][n])) {
            free(S->settings.v[i]);
            S->settings.v[i] = ir_xstrdup(s);
            return;
        }
    ir_vec_push(&S->settings, ir_xstrdup(s));
}

static void cmd_set(session *S, const char *arg)
{
    if (!*arg) {
        for (uint32_t i = 0; i < S->settings.n; i++)
            printf("set %s\n", S->settings.v[i]);
        if (!S->settings.n)
            printf("no settings (defaults: opt_level=none); :set opt_level=speed sets one\n");
        return;
    }
    session trial = {0};
    for (uint32_t i = 0; i < S->settings.n; i++)
        ir_vec_push(&trial.settings, ir_xstrdup(S->settings.v[i]));
    set_setting(&trial, arg);
    bool ok = header_ok(trial.settings.v, trial.settings.n, S->target);
    for (uint32_t i = 0; i < trial.settings.n; i++)
        free(trial.settings.v[i]);
    ir_vec_free(&trial.settings);
    if (!ok)
        return;
    set_setting(S, arg);
    rebuild(S, NULL, true, true);
    printf("set %s\n", arg);
}

/* The target and set lines of a loaded file: the first target line that
 * runs here, with the settings before it.  Returns false if it has target
 * lines and none of them runs here (the session's are kept). */
static bool adopt_header(session *S, ir_file *f)
{
    cg_target t;
    char why[200] = "";
    ir_diag d;
    uint32_t ti = IR_NONE, nset = f->settings.n;
    for (uint32_t i = 0; i < f->targets.n && ti == IR_NONE; i++) {
        ft_verdict v = ft_target(f, i, JIT_ARCH_HOST, &t, why, sizeof why, &d);
        if (v == FT_ERROR) {
            diag(&d);
            return false;
        }
        if (v == FT_RUN)
            ti = i, nset = f->targets.v[i].settings;
    }
    if (f->targets.n && ti == IR_NONE) {
        printf("note: %s: no target line runs here (%s); the session's target stays\n", f->path, why);
        return false;
    }
    uint32_t cli = f->settings.n - f->ncli_settings;  /* --set, after the file's */
    for (uint32_t i = 0; i < f->settings.n; i++) {
        if (i >= nset && i < cli)
            continue;
        const ir_setting *s = &f->settings.v[i];
        char buf[256];
        snprintf(buf, sizeof buf, "%s%s%s", s->name, s->value ? "=" : "", s->value ? s->value : "");
        set_setting(S, buf);
    }
    if (ti != IR_NONE) {
        const ir_target *tg = &f->targets.v[ti];
        char *words = NULL;
        size_t len = 0;
        append(&words, &len, tg->arch, strlen(tg->arch));
        for (uint32_t k = 0; k < tg->nflags; k++) {
            const ir_setting *s = &f->target_flags.v[tg->flags + k];
            append(&words, &len, " ", 1);
            append(&words, &len, s->name, strlen(s->name));
            if (s->value) {
                append(&words, &len, "=", 1);
                append(&words, &len, s->value, strlen(s->value));
            }
        }
        free(S->target);
        S->target = words;
    }
    return true;
}

static void cmd_load(session *S, const char *path)
{
    if (!*path) {
        error(":load needs a file name");
        return;
    }
    ir_file f;
    char *src = NULL;
    ir_diag d;
    bool loaded = ft_load(&f, path, &src, true, &d);
    cli_warnings(stderr, &f);
    if (!loaded) {
        diag(&d);
        ir_file_free(&f);
        free(src);
        return;
    }
    if (f.targets.n || f.settings.n)
        adopt_header(S, &f);
    ir_vec_push(&S->origins, ((origin){ir_xstrdup(path), ++S->unit, src, f.len}));
    S->unit_open = false;       /* a file is a unit of its own */
    char *names = NULL;
    size_t nlen = 0;
    append(&names, &nlen, "", 0);
    for (uint32_t i = 0; i < f.funcs.n; i++) {
        char name[160];
        func_name(f.funcs.v[i], name, sizeof name);
        append(&names, &nlen, i ? ", " : "", i ? 2 : 0);
        append(&names, &nlen, name, strlen(name));
        if (find_func(S, name) >= 0)
            append(&names, &nlen, " (replaced)", 11);
    }
    saved_funcs sv = save_funcs(S);
    bool *report = add_functions(S, &f, S->origins.n - 1);
    if (!rebuild(S, report, false, true)) {
        restore_funcs(S, &sv);
        free(names);
        free(report);
        ir_file_free(&f);
        return;
    }
    free(sv.v);
    printf("loaded %s: %u function%s%s%s\n", path, f.funcs.n, f.funcs.n == 1 ? "" : "s",
           f.funcs.n ? ": " : "", names);
    if (f.targets.n || f.settings.n)
        show_target(S);
    free(names);
    free(report);
    ir_file_free(&f);
}

/* The functions an argument names: one, or all for "". */
static bool each_func(session *S, const char *arg, int *from, int *to)
{
    if (!*arg) {
        *from = 0, *to = (int)S->funcs.n;
        if (!S->funcs.n)
            printf("no functions yet\n");
        return S->funcs.n > 0;
    }
    int k = find_func(S, arg);
    if (k < 0) {
        error("no function %s (:list shows the functions)", arg);
        return false;
    }
    *from = k, *to = k + 1;
    return (uint32_t)k < S->file.funcs.n;
}

static void cmd_list(session *S)
{
    if (!S->funcs.n)
        printf("no functions yet: type one, or :load FILE\n");
    for (uint32_t i = 0; i < S->funcs.n && i < S->file.funcs.n; i++) {
        char *sig = signature_text(S->file.funcs.v[i]);
        const sfunc *f = &S->funcs.v[i];
        printf("  %-40s %s:%u", sig, S->origins.v[f->origin].path, f->line0);
        if (S->have_module && S->m.fn_err[i])
            printf("  (does not compile: %s)", S->m.fn_err[i]->msg);
        putchar('\n');
        free(sig);
    }
}

/* :cfg [%f]: the control-flow graph in Graphviz dot, as clifrun cfg. */
static void cmd_cfg(session *S, const char *arg)
{
    int a, b;
    if (each_func(S, arg, &a, &b))
        cli_cfg_graph(stdout, &S->file, (uint32_t)a, (uint32_t)b);
}

static void cmd_print(session *S, const char *arg)
{
    int a, b;
    if (!each_func(S, arg, &a, &b))
        return;
    for (int i = a; i < b; i++) {
        if (i > a)
            putchar('\n');
        ir_print_function(stdout, S->file.funcs.v[i]);
    }
}

static void cmd_disasm(session *S, const char *arg)
{
    int a, b;
    unsigned flags = 0;
    if (!strncmp(arg, "--clif", 6) && (!arg[6] || arg[6] == ' ')) {
        flags = CLI_DIS_CLIF;
        for (arg += 6; *arg == ' '; arg++)
            ;
    }
    if (!each_func(S, arg, &a, &b))
        return;
    for (int i = a; i < b; i++) {
        cg_output o;
        ir_diag d;
        if (!opt_compile(&S->t, &S->file, (uint32_t)i, &o, &d)) {
            map_diag(S, &d);
            diag(&d);
            continue;
        }
        printf("%s: %u bytes (%s)\n", S->funcs.v[i].name, o.code.n, jit_arch_name(S->t.arch));
        cli_disassemble_fn(stdout, S->t.arch, &o, S->file.funcs.v[i], flags);
        cg_output_free(&o);
    }
}

static const char help_text[] =
    "Type or paste a function; input continues until its braces balance:\n"
    "  function %add(i32, i32) -> i32 {\n"
    "  block0(v0: i32, v1: i32):\n"
    "      v2 = iadd v0, v1\n"
    "      return v2\n"
    "  }\n"
    "Then call it: %add(1, 2) prints %add(1, 2) -> 3; %add(1, 2) == 3 checks the result.\n"
    "Defining a function again replaces it and recompiles what calls it.\n"
    "`; run:` lines, `set` and `target` lines are taken as in a .clif file.\n"
    "\n"
    "Commands:\n"
    "  :load FILE        add FILE's functions (and its set/target lines) to the session\n"
    "  :list             the session's functions and where they come from\n"
    "  :print [%f]       print a function (or all) as canonical CLIF\n"
    "  :disasm [--clif] [%f]  compile and disassemble a function (or all) for the\n"
    "                    target; --clif: each IR instruction before its code\n"
    "  :cfg [%f]         the control-flow graph of a function (or all) in Graphviz dot\n"
    "  :target [ARCH [FLAGS] | host]  show or switch the target (calls need the host's)\n"
    "  :set [FLAG=VALUE] show the settings or set one (opt_level=speed ...)\n"
    "  :help             this text\n"
    "  :quit             leave (or Ctrl-D)\n"
    "Ctrl-C stops a running call, or clears the line. Tab completes opcodes, types,\n"
    "function names and commands. History is kept in ~/.clifrun_history.\n";

static const char *const commands[] = {":load", ":list", ":print", ":disasm", ":cfg", ":target",
                                       ":set", ":help", ":quit", NULL};

static void command(session *S, const char *line)
{
    const char *p = line + 1;
    size_t n = strcspn(p, " \t");
    char *arg = trimmed(p + n);
    char word[32];
    snprintf(word, sizeof word, ":%.*s", (int)(n < 30 ? n : 30), p);
    if (!strcmp(word, ":quit") || !strcmp(word, ":q") || !strcmp(word, ":exit"))
        S->quit = true;
    else if (!strcmp(word, ":help") || !strcmp(word, ":h") || !strcmp(word, ":?"))
        fputs(help_text, stdout);
    else if (!strcmp(word, ":load") || !strcmp(word, ":l"))
        cmd_load(S, arg);
    else if (!strcmp(word, ":list"))
        cmd_list(S);
    else if (!strcmp(word, ":print") || !strcmp(word, ":p"))
        cmd_print(S, arg);
    else if (!strcmp(word, ":disasm") || !strcmp(word, ":d"))
        cmd_disasm(S, arg);
    else if (!strcmp(word, ":cfg"))
        cmd_cfg(S, arg);
    else if (!strcmp(word, ":target"))
        cmd_target(S, arg);
    else if (!strcmp(word, ":set"))
        cmd_set(S, arg);
    else
        error("unknown command '%s' (:help lists the commands)", word);
    free(arg);
    fflush(stdout);
}

/* ---- input: one line at a time ----------------------------------------------------- */

/* Braces of a line, outside comments and strings. */
static int brace_delta(const char *s, bool *opened)
{
    int d = 0;
    for (; *s && *s != ';'; s++) {
        if (*s == '"') {
            while (s[1] && s[1] != '"')
                s++;
            if (s[1])
                s++;
        } else if (*s == '{') {
            d++;
            *opened = true;
        } else if (*s == '}') {
            d--;
        }
    }
    return d;
}

static void cancel_entry(session *S)
{
    free(S->pending);
    S->pending = NULL;
    S->plen = 0;
    S->depth = 0;
    S->opened = false;
}

/* One line outside an entry. */
static void top_line(session *S, const char *line)
{
    const char *s = skip_space(line);
    if (!*s || *s == '\n')
        return;
    /* anything but a definition or a comment ends the current paste */
    if (!starts_word(s, "function") && *s != ';')
        S->unit_open = false;
    if (*s == ':') {
        command(S, s);
    } else if (*s == '%' || (s[0] == 'u' && s[1] >= '0' && s[1] <= '9')) {
        char *t = trimmed(s);
        invoke(S, t);
        free(t);
    } else if (!strncmp(s, "; run:", 6) || !strncmp(s, "; print:", 8)) {
        char *t = trimmed(s + (s[2] == 'r' ? 6 : 8));
        invoke(S, t);
        free(t);
    } else if (*s == ';') {
        /* a comment */
    } else if (starts_word(s, "test")) {
        /* `test run`: the functions of the paste after it default to
         * system_v, as in a file; other kinds: nothing to do here */
        char *t = trimmed(s + 4);
        if (!strcmp(t, "run"))
            S->next_run_cc = true;
        free(t);
    } else if (starts_word(s, "set")) {
        char *t = trimmed(s + 3);
        cmd_set(S, t);
        free(t);
    } else if (starts_word(s, "target")) {
        /* as in a file: a line this host cannot run is passed over */
        char *t = trimmed(s + 6);
        char why[200];
        ir_file f;
        ir_diag d;
        cg_target tg;
        char *text = NULL;
        size_t len = 0;
        append(&text, &len, "target ", 7);
        append(&text, &len, t, strlen(t));
        if (reader_parse_file(&f, REPL_PATH, text, len, &d) && f.targets.n == 1 &&
            ft_target(&f, 0, JIT_ARCH_HOST, &tg, why, sizeof why, &d) == FT_SKIP)
            printf("note: target %s passed over: %s (:target %s switches to it)\n", t, why, t);
        else
            cmd_target(S, t);
        ir_file_free(&f);
        free(text);
        free(t);
    } else if (starts_word(s, "function")) {
        S->depth = brace_delta(s, &S->opened);
        append(&S->pending, &S->plen, line, strlen(line));
        append(&S->pending, &S->plen, "\n", 1);
    } else {
        ir_diag d = {.file = REPL_PATH, .src = line, .len = strlen(line)};
        ir_diag_set(&d, 1, (uint32_t)(s - line) + 1,
                    "expected a function, a call such as %%f(1, 2), or a command (:help)");
        diag(&d);
    }
}

static void feed_line(session *S, const char *line)
{
    if (!S->pending) {
        top_line(S, line);
    } else {
        S->depth += brace_delta(line, &S->opened);
        append(&S->pending, &S->plen, line, strlen(line));
        append(&S->pending, &S->plen, "\n", 1);
    }
    if (S->pending && S->opened && S->depth <= 0) {
        char *text = S->pending;
        size_t len = S->plen;
        S->pending = NULL;
        cancel_entry(S);
        define(S, text, len);
        free(text);
        fflush(stdout);
    }
}

/* Is more input waiting (the rest of a paste, or a pipe)? */
static bool input_pending(void)
{
    fd_set r;
    FD_ZERO(&r);
    FD_SET(0, &r);
    struct timeval tv = {0, 0};
    return select(1, &r, NULL, NULL, &tv) > 0;
}

/* A line as readline gives it: a paste may hold several.  Definitions
 * that come together (no input pause between them, no call or command)
 * are one paste: u0:N counts there. */
static void feed(session *S, const char *text)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        char *line = nl ? ir_xstrndup(p, (size_t)(nl - p)) : ir_xstrdup(p);
        feed_line(S, line);
        free(line);
        if (!nl || S->quit)
            break;
        p = nl + 1;
    }
    if (!S->pending && !input_pending())    /* a pause between entries */
        S->unit_open = false;
}

/* ---- readline: completion, history, the loop ----------------------------------------- */

static session *cur_session;     /* for the completion generator */

static const char *const type_names[] = {
    "i8", "i16", "i32", "i64", "i128", "f16", "f32", "f64", "f128", "i8x16", "i16x8",
    "i32x4", "i64x2", "f32x4", "f64x2", "i8x8", "i16x4", "i32x2", "f32x2", NULL};
static const char *const keywords[] = {"function", "block", "sig", "fn", "ss", "gv", "notrap",
                                       "aligned", "readonly", "colocated", NULL};

static IR_VEC(char *) cands;
static size_t cand_next;

static void cand(const char *prefix, const char *s)
{
    size_t n = strlen(prefix);
    char *c = ir_xmalloc(n + strlen(s) + 1);
    if (!c)
        return;
    memcpy(c, prefix, n);
    strcpy(c + n, s);
    ir_vec_push(&cands, c);
}

static char *generate(const char *text, int state)
{
    (void)state;
    size_t n = strlen(text);
    while (cand_next < cands.n) {
        char *c = cands.v[cand_next++];
        if (!strncmp(c, text, n))
            return ir_xstrdup(c);
    }
    return NULL;
}

/* Candidates from the words before the one being completed: condition
 * codes after icmp/fcmp, the entry's blocks after a branch.  False if the
 * context says nothing. */
static bool context_cands(session *S, int start)
{
    /* the instruction so far: from the last '=' or the line's start */
    const char *line = rl_line_buffer, *from = line;
    for (const char *p = line; p < line + start; p++)
        if (*p == '=')
            from = p + 1;
    char op[32] = "";
    int n = 0;
    sscanf(from, " %31[a-z_0-9.]%n", op, &n);
    if (!*op || from + n >= line + start)      /* still typing the opcode */
        return false;
    char *dot = strchr(op, '.');
    if (dot)
        *dot = 0;
    /* the operand position: words (or commas) after the opcode */
    bool first_operand = true;
    for (const char *p = from + n; p < line + start; p++)
        if (*p != ' ' && *p != '\t')
            first_operand = false;
    if (first_operand && (!strcmp(op, "icmp") || !strcmp(op, "icmp_imm"))) {
        for (unsigned i = 0; i < IR_INTCC_COUNT; i++)
            cand("", ir_intcc_names[i]);
        return true;
    }
    if (first_operand && !strcmp(op, "fcmp")) {
        for (unsigned i = 0; i < IR_FLOATCC_COUNT; i++)
            cand("", ir_floatcc_names[i]);
        return true;
    }
    if (strcmp(op, "jump") && strcmp(op, "brif") && strcmp(op, "br_table") && strcmp(op, "try_call") &&
        strcmp(op, "try_call_indirect"))
        return false;
    /* the blocks of the entry being typed (its lines so far and this one) */
    const char *texts[2] = {S->pending ? S->pending : "", line};
    for (int t = 0; t < 2; t++)
        for (const char *p = texts[t]; (p = strstr(p, "block")); p += 5) {
            if (p > texts[t] && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
                continue;
            size_t k = 5;
            while (isdigit((unsigned char)p[k]))
                k++;
            if (k == 5)
                continue;
            char name[24];
            snprintf(name, sizeof name, "%.*s", (int)k, p);
            bool dup = false;
            for (uint32_t i = 0; i < cands.n && !dup; i++)
                dup = !strcmp(cands.v[i], name);
            if (!dup)
                cand("", name);
        }
    return cands.n > 0;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    session *S = cur_session;
    for (uint32_t i = 0; i < cands.n; i++)
        free(cands.v[i]);
    cands.n = 0;
    cand_next = 0;
    const char *line = skip_space(rl_line_buffer);
    bool first = (size_t)start <= (size_t)(line - rl_line_buffer);
    rl_attempted_completion_over = 1;
    if (*line == ':' && !first) {
        if (starts_word(line, ":load") || starts_word(line, ":l")) {
            rl_attempted_completion_over = 0;   /* file names */
            return NULL;
        }
        for (uint32_t i = 0; i < S->funcs.n; i++)
            cand("", S->funcs.v[i].name);
    } else if (*text == ':') {
        for (int i = 0; commands[i]; i++)
            cand("", commands[i]);
    } else if (context_cands(S, start)) {
        /* what can stand here: condition codes, blocks */
    } else if (strchr(text, '.')) {
        /* iadd.i3<TAB>: a type after the dot */
        const char *dot = strrchr(text, '.');
        char *prefix = ir_xstrndup(text, (size_t)(dot - text) + 1);
        for (int i = 0; type_names[i]; i++)
            cand(prefix, type_names[i]);
        free(prefix);
    } else {
        for (uint32_t i = 0; i < IR_OP_COUNT; i++)
            if (!(ir_opcodes[i].flags & IR_OPF_LEGACY))
                cand("", ir_opcodes[i].name);
        for (int i = 0; type_names[i]; i++)
            cand("", type_names[i]);
        for (int i = 0; keywords[i]; i++)
            cand("", keywords[i]);
        for (unsigned i = 0; i < IR_INTCC_COUNT; i++)
            cand("", ir_intcc_names[i]);
        for (uint32_t i = 0; i < S->funcs.n; i++)
            cand("", S->funcs.v[i].name);
        if (first)
            for (int i = 0; commands[i]; i++)
                cand("", commands[i]);
    }
    return rl_completion_matches(text, generate);
}

static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    char *p = NULL;
    if (asprintf(&p, "%s/.clifrun_history", home) < 0)
        return NULL;
    /* append_history needs the file to exist; an unwritable one means no history */
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "note: history not saved: %s: %s\n", p, strerror(errno));
        free(p);
        return NULL;
    }
    close(fd);
    return p;
}

static void remember(session *S, const char *hist_file)
{
    if (!S->hist)
        return;
    char *h = trimmed(S->hist);
    free(S->hist);
    S->hist = NULL;
    S->hlen = 0;
    HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
    if (*h && !(last && !strcmp(last->line, h))) {
        add_history(h);
        if (hist_file)
            append_history(1, hist_file);
    }
    free(h);
}

static volatile sig_atomic_t got_sigint;
static char *got_line;
static bool line_ready;

static void on_sigint(int sig)
{
    (void)sig;
    got_sigint = 1;
}

static void on_line(char *line)
{
    got_line = line;
    line_ready = true;
    rl_callback_handler_remove();
}

static void interactive(session *S)
{
    char *hist_file = history_path();
    rl_readline_name = "clifrun";
    rl_catch_signals = 0;
    rl_change_environment = 0;
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n(),=[]{}";
    rl_completer_word_break_characters = rl_basic_word_break_characters;
    using_history();
    /* a #time line before each entry: multi-line entries survive the file */
    history_comment_char = '#';
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    if (hist_file)
        read_history(hist_file);
    struct sigaction sa = {.sa_handler = on_sigint}, old_int;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    bool installed = false;
    while (!S->quit) {
        if (!installed) {
            got_sigint = 0;
            rl_callback_handler_install(S->pending ? PROMPT_MORE : PROMPT, on_line);
            installed = true;
        }
        sigprocmask(SIG_BLOCK, &block, &orig);
        sigset_t wait_mask = orig;
        sigdelset(&wait_mask, SIGINT);
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(0, &fds);
        int r = got_sigint ? -1 : pselect(1, &fds, NULL, NULL, NULL, &wait_mask);
        sigprocmask(SIG_SETMASK, &orig, NULL);
        if (got_sigint) {
            /* Ctrl-C at the prompt: drop the line and any unfinished entry
             * (^C goes after the line: removing the handler returns the
             * cursor to the line's start) */
            rl_point = rl_end;
            rl_redisplay();
            fputs("^C", rl_outstream);
            rl_replace_line("", 1);
            rl_callback_sigcleanup();
            rl_callback_handler_remove();
            installed = false;
            fputs("\n", rl_outstream);
            cancel_entry(S);
            free(S->hist);
            S->hist = NULL;
            S->hlen = 0;
            continue;
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        rl_callback_read_char();
        if (!line_ready)
            continue;
        line_ready = false;
        installed = false;
        if (!got_line) {        /* Ctrl-D */
            putchar('\n');
            break;
        }
        append(&S->hist, &S->hlen, got_line, strlen(got_line));
        feed(S, got_line);
        free(got_line);
        got_line = NULL;
        if (!S->pending)
            remember(S, hist_file);
        else
            append(&S->hist, &S->hlen, "\n", 1);
        fflush(stdout);
    }
    if (installed)
        rl_callback_handler_remove();
    sigaction(SIGINT, &old_int, NULL);
    if (hist_file)
        history_truncate_file(hist_file, HISTORY_MAX);
    free(hist_file);
}

/* Standard input that is not a terminal (clifrun -i FILE < script): lines
 * without prompts or history. */
static void batch(session *S)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!S->quit && (n = getline(&line, &cap, stdin)) >= 0) {
        if (n && line[n - 1] == '\n')
            line[n - 1] = 0;
        feed_line(S, line);
        fflush(stdout);
    }
    free(line);
    if (S->pending) {
        error("end of input inside an unfinished function");
        cancel_entry(S);
    }
}

int repl_main(const repl_opts *o)
{
    session S = {0};
    S.timeout = o->timeout;
    S.sandbox = o->sandbox;
    cur_session = &S;
    setvbuf(stdout, NULL, _IOLBF, 0);
    jit_error err;
    S.ctx = ft_ctx_new(o->spread, &err);
    if (!S.ctx) {
        fprintf(stderr, "clifrun: error: cannot create the JIT: %s\n", err.msg);
        return 2;
    }
    if (o->arch && o->arch != jit_host_arch())
        S.target = ir_xstrdup(jit_arch_name(o->arch));
    if (o->target) {                    /* checked when the first file is read */
        free(S.target);
        S.target = ir_xstrdup(o->target);
    }
    for (unsigned i = 0; i < o->nsets; i++)     /* checked by take_global_opts */
        set_setting(&S, o->sets[i]);
    rebuild(&S, NULL, true, true);
    bool tty = isatty(0);
    if (tty)
        printf("clifrun %s: type a function, call it with %%f(1, 2); :help for more, :quit to leave\n",
               CLIFRUN_VERSION);
    if (o->path)
        cmd_load(&S, o->path);
    if (tty && cli_rl_load())    /* without readline: lines as they come */
        interactive(&S);
    else
        batch(&S);
    unbuild(&S);
    jit_ctx_free(S.ctx);
    for (uint32_t i = 0; i < S.origins.n; i++)
        free(S.origins.v[i].path), free(S.origins.v[i].text);
    for (uint32_t i = 0; i < S.funcs.n; i++)
        free(S.funcs.v[i].name);
    for (uint32_t i = 0; i < S.settings.n; i++)
        free(S.settings.v[i]);
    ir_vec_free(&S.origins);
    ir_vec_free(&S.funcs);
    free(S.ftab);
    ir_vec_free(&S.settings);
    free(S.target);
    free(S.hist);
    cancel_entry(&S);
    for (uint32_t i = 0; i < cands.n; i++)
        free(cands.v[i]);
    ir_vec_free(&cands);
    return 0;
}
