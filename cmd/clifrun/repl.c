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

#include "opt/opt.h"
#include "reader/reader.h"
#include "repl.h"
#include "rl.h"
#include "verify/verify.h"

/* ---- small helpers ---------------------------------------------------------------- */

void repl_diag(const ir_diag *d)
{
    ir_diag_print(stderr, d, cli_use_color());
}

void repl_error(const char *fmt, ...)
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
void repl_append(char **buf, size_t *len, const char *s, size_t n)
{
    size_t need = *len + n + 1;
    if (!*buf || need > pow2_at_least(*len + 1))
        *buf = ir_xrealloc(*buf, pow2_at_least(need));
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = 0;
}

const char *repl_skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    return s;
}

/* s without trailing blanks, as a new string */
char *repl_trimmed(const char *s)
{
    s = repl_skip_space(s);
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return ir_xstrndup(s, n);
}

bool repl_starts_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    return !strncmp(s, w, n) && (!s[n] || s[n] == ' ' || s[n] == '\t');
}

const char *repl_func_name(const ir_function *fn, char *buf, size_t n)
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
char *repl_signature_text(const ir_function *fn)
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
int repl_find_func(const session *S, const char *name)
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
void repl_map_diag(const session *S, ir_diag *d)
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
char *repl_session_text(session *S, bool funcs)
{
    char *buf = NULL;
    size_t len = 0;
    uint32_t line = 1;
    repl_append(&buf, &len, "", 0);
    for (uint32_t i = 0; i < S->settings.n; i++, line++) {
        repl_append(&buf, &len, "set ", 4);
        repl_append(&buf, &len, S->settings.v[i], strlen(S->settings.v[i]));
        repl_append(&buf, &len, "\n", 1);
    }
    if (S->target) {
        repl_append(&buf, &len, "target ", 7);
        repl_append(&buf, &len, S->target, strlen(S->target));
        repl_append(&buf, &len, "\n", 1);
        line++;
    }
    for (uint32_t i = 0; funcs && i < S->funcs.n; i++) {
        sfunc *f = &S->funcs.v[i];
        const origin *o = &S->origins.v[f->origin];
        const char *a = o->text + f->off, *b = a + f->len;
        f->start = line;
        repl_append(&buf, &len, a, f->len);
        if (b == a || b[-1] != '\n')
            repl_append(&buf, &len, "\n", 1);
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
bool repl_pick_target(ir_file *file, cg_target *t, bool *runnable, char *why, size_t n, ir_diag *d)
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
bool repl_rebuild(session *S, const bool *report, bool report_all, bool report_link)
{
    unbuild(S);
    S->src = repl_session_text(S, true);
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
        ok = repl_pick_target(&S->file, &S->t, &S->runnable, S->why, sizeof S->why, &d);
    if (!ok) {
        /* each piece was checked before it came in: this is a bug */
        repl_map_diag(S, &d);
        repl_diag(&d);
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
                repl_map_diag(S, &d), repl_diag(&d);
        }
        return true;
    }
    if (!ft_module_build(&S->m, S->ctx, &S->file, &S->t, FT_PARTIAL, &d)) {
        repl_map_diag(S, &d);
        S->link_err = d;
        if (report_link) {
            repl_diag(&d);
            fprintf(stderr, "(the session does not link: calls fail until it does)\n");
        }
        return true;
    }
    S->have_module = true;
    S->m.interruptible = true;
    for (uint32_t i = 0; i < S->file.funcs.n; i++)
        if (S->m.fn_err[i] && (report_all || (report && report[i]))) {
            d = *S->m.fn_err[i];
            repl_map_diag(S, &d);
            repl_diag(&d);
        }
    return true;
}

saved_funcs repl_save_funcs(const session *S)
{
    saved_funcs sv = {ir_xmalloc((S->funcs.n + 1) * sizeof *sv.v), S->funcs.n};
    if (sv.n)
        memcpy(sv.v, S->funcs.v, sv.n * sizeof *sv.v);
    return sv;
}

/* Back to sv (names of functions added since are freed), rebuilt. */
void repl_restore_funcs(session *S, saved_funcs *sv)
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
    repl_rebuild(S, NULL, false, false);
}

/* Add or replace the functions of a parsed file whose text is origin oi.
 * Returns which of the session's functions they are now (report marks). */
bool *repl_add_functions(session *S, const ir_file *f, uint32_t oi)
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
        int k = repl_find_func(S, repl_func_name(fn, name, sizeof name));
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
        report[repl_find_func(S, repl_func_name(f->funcs.v[i], name, sizeof name))] = true;
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
        repl_diag(&d);
        ir_file_free(&ef);
        free(copy);
        return;
    }
    bool existed[ef.funcs.n];
    for (uint32_t i = 0; i < ef.funcs.n; i++) {
        char name[160];
        existed[i] = repl_find_func(S, repl_func_name(ef.funcs.v[i], name, sizeof name)) >= 0;
    }
    if (!S->unit_open)
        S->unit++;
    S->unit_open = true;
    ir_vec_push(&S->origins, ((origin){ir_xstrdup(REPL_PATH), S->unit, copy, len}));
    saved_funcs sv = repl_save_funcs(S);
    bool *report = repl_add_functions(S, &ef, S->origins.n - 1);
    if (!repl_rebuild(S, report, false, false)) {
        repl_restore_funcs(S, &sv);
        free(report);
        ir_file_free(&ef);
        return;
    }
    free(sv.v);
    for (uint32_t i = 0; i < ef.funcs.n; i++) {
        char name[160];
        int k = repl_find_func(S, repl_func_name(ef.funcs.v[i], name, sizeof name));
        /* as the session sees it (its target sets the default convention) */
        const ir_function *fn = (uint32_t)k < S->file.funcs.n ? S->file.funcs.v[k] : ef.funcs.v[i];
        char *sig = repl_signature_text(fn);
        printf("%s %s", existed[i] ? "redefined" : "defined", sig);
        if (existed[i])
            print_callers(S, fn, repl_func_name(fn, name, sizeof name), false);
        putchar('\n');
        fflush(stdout);
        if (existed[i])
            print_callers(S, fn, name, true);
        free(sig);
    }
    fflush(stdout);
    if (S->runnable && !S->have_module) {
        repl_diag(&S->link_err);
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
        repl_diag(&d);
        return;
    }
    if (!S->runnable) {
        repl_error("cannot call: %s (:target shows the target, :target host switches to the host)", S->why);
        return;
    }
    if (!S->have_module) {
        repl_error("cannot call: the session does not link:");
        repl_diag(&S->link_err);
        return;
    }
    /* the call runs in a child process (sandboxed unless --no-sandbox):
     * an exit, an abort or a blocked system call ends only that */
    call_ctx cc = {S, &rc};
    run_batch b = {.n = 1, .item = call_item, .ended = call_ended, .arg = &cc,
                   .timeout = S->timeout, .sandbox = S->sandbox, .interrupt = true, .keep_fd = -1};
    run_batch_result br;
    if (!run_batch_run(&b, &br))
        repl_error("cannot call: %s", br.error);
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

void repl_cancel_entry(session *S)
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
    const char *s = repl_skip_space(line);
    if (!*s || *s == '\n')
        return;
    /* anything but a definition or a comment ends the current paste */
    if (!repl_starts_word(s, "function") && *s != ';')
        S->unit_open = false;
    if (*s == ':') {
        repl_command(S, s);
    } else if (*s == '%' || (s[0] == 'u' && s[1] >= '0' && s[1] <= '9')) {
        char *t = repl_trimmed(s);
        invoke(S, t);
        free(t);
    } else if (!strncmp(s, "; run:", 6) || !strncmp(s, "; print:", 8)) {
        char *t = repl_trimmed(s + (s[2] == 'r' ? 6 : 8));
        invoke(S, t);
        free(t);
    } else if (*s == ';') {
        /* a comment */
    } else if (repl_starts_word(s, "test")) {
        /* `test run`: the functions of the paste after it default to
         * system_v, as in a file; other kinds: nothing to do here */
        char *t = repl_trimmed(s + 4);
        if (!strcmp(t, "run"))
            S->next_run_cc = true;
        free(t);
    } else if (repl_starts_word(s, "set")) {
        char *t = repl_trimmed(s + 3);
        repl_cmd_set(S, t);
        free(t);
    } else if (repl_starts_word(s, "target")) {
        /* as in a file: a line this host cannot run is passed over */
        char *t = repl_trimmed(s + 6);
        char why[200];
        ir_file f;
        ir_diag d;
        cg_target tg;
        char *text = NULL;
        size_t len = 0;
        repl_append(&text, &len, "target ", 7);
        repl_append(&text, &len, t, strlen(t));
        if (reader_parse_file(&f, REPL_PATH, text, len, &d) && f.targets.n == 1 &&
            ft_target(&f, 0, JIT_ARCH_HOST, &tg, why, sizeof why, &d) == FT_SKIP)
            printf("note: target %s passed over: %s (:target %s switches to it)\n", t, why, t);
        else
            repl_cmd_target(S, t);
        ir_file_free(&f);
        free(text);
        free(t);
    } else if (repl_starts_word(s, "function")) {
        S->depth = brace_delta(s, &S->opened);
        repl_append(&S->pending, &S->plen, line, strlen(line));
        repl_append(&S->pending, &S->plen, "\n", 1);
    } else {
        ir_diag d = {.file = REPL_PATH, .src = line, .len = strlen(line)};
        ir_diag_set(&d, 1, (uint32_t)(s - line) + 1,
                    "expected a function, a call such as %%f(1, 2), or a command (:help)");
        repl_diag(&d);
    }
}

void repl_feed_line(session *S, const char *line)
{
    if (!S->pending) {
        top_line(S, line);
    } else {
        S->depth += brace_delta(line, &S->opened);
        repl_append(&S->pending, &S->plen, line, strlen(line));
        repl_append(&S->pending, &S->plen, "\n", 1);
    }
    if (S->pending && S->opened && S->depth <= 0) {
        char *text = S->pending;
        size_t len = S->plen;
        S->pending = NULL;
        repl_cancel_entry(S);
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
void repl_feed(session *S, const char *text)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        char *line = nl ? ir_xstrndup(p, (size_t)(nl - p)) : ir_xstrdup(p);
        repl_feed_line(S, line);
        free(line);
        if (!nl || S->quit)
            break;
        p = nl + 1;
    }
    if (!S->pending && !input_pending())    /* a pause between entries */
        S->unit_open = false;
}

int repl_main(const repl_opts *o)
{
    session S = {0};
    S.timeout = o->timeout;
    S.sandbox = o->sandbox;
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
        repl_set_setting(&S, o->sets[i]);
    repl_rebuild(&S, NULL, true, true);
    bool tty = isatty(0);
    if (tty)
        printf("clifrun %s: type a function, call it with %%f(1, 2); :help for more, :quit to leave\n",
               CLIFRUN_VERSION);
    if (o->path)
        repl_cmd_load(&S, o->path);
    if (tty && cli_rl_load())    /* without readline: lines as they come */
        repl_interactive(&S);
    else
        repl_batch(&S);
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
    repl_cancel_entry(&S);
    repl_edit_free();
    return 0;
}
