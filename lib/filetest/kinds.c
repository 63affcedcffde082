/* lib/filetest/kinds.c: the filetest kinds other than run and interpret,
 * judged per function as Cranelift's runner does (cranelift/filetests/src):
 *
 *   verifier   test_verifier.rs: every `; error: TEXT` annotation is matched
 *              by an error reported on the entity the comment belongs to and
 *              containing TEXT (each error matches one annotation), and no
 *              other error is reported; without annotations, the function
 *              verifies.  Each function is read alone: the file with every
 *              other function's lines blanked (line numbers kept).
 *   cat        test_cat.rs: the function as printed passes the filecheck
 *              directives of its comments and the file's preamble comments.
 *   print-cfg  test_print_cfg.rs: the same for Cranelift's CFGPrinter text.
 *
 * Kinds clifrun does not implement are skipped with the reason. */
#include "filetest.h"

#include <stdio.h>
#include <string.h>

#include "verify/verify.h"

const char *ft_kind_skip_reason(const char *kind)
{
    static const struct { const char *kind, *why; } why[] = {
        {"compile", "`test compile` compares Cranelift's own machine code (precise-output) or its "
                    "disassembly, which clifrun's code generators do not reproduce"},
        {"optimize", "`test optimize` compares the output of Cranelift's e-graph optimizer, which "
                     "clifrun's lib/opt does not reproduce"},
        {"legalizer", "`test legalizer` checks Cranelift's legalization, which clifrun does not have"},
        {"domtree", "`test domtree` checks Cranelift's dominator tree annotations, not implemented"},
        {"licm", "`test licm` compares Cranelift's loop-invariant code motion output"},
        {"dce", "`test dce` compares Cranelift's dead-code elimination output"},
        {"simple-gvn", "`test simple-gvn` compares Cranelift's GVN output"},
        {"simple_preopt", "`test simple_preopt` compares Cranelift's pre-optimizer output"},
        {"alias-analysis", "`test alias-analysis` compares Cranelift's alias analysis output"},
        {"unwind", "`test unwind` compares Cranelift's unwind tables, which clifrun does not emit"},
        {"safepoint", "`test safepoint` checks Cranelift's stack maps, which clifrun does not make"},
        {"inline", "`test inline` compares Cranelift's inliner output, which clifrun does not have"},
        {"wasm", "`test wasm` needs a WebAssembly front end"},
    };
    for (size_t i = 0; i < sizeof why / sizeof *why; i++)
        if (!strcmp(why[i].kind, kind))
            return why[i].why;
    if (!strcmp(kind, "run") || !strcmp(kind, "interpret") || !strcmp(kind, "verifier") ||
        !strcmp(kind, "cat") || !strcmp(kind, "print-cfg"))
        return NULL;
    return "a filetest kind clifrun does not know";
}

/* ---- the text: lines, comments, functions ----------------------------------------- */

typedef struct line {
    const char *s;
    size_t n;               /* without the newline */
    size_t code;            /* length of the part before the comment */
} line;

typedef IR_VEC(line) lines_t;

static lines_t split_lines(const char *src, size_t len)
{
    lines_t v = {0};
    for (size_t i = 0; i <= len;) {
        const char *nl = memchr(src + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - src) : len;
        line l = {.s = src + i, .n = e - i};
        bool in_str = false;
        l.code = l.n;
        for (size_t k = 0; k < l.n; k++) {
            if (l.s[k] == '"')
                in_str = !in_str;
            else if (l.s[k] == ';' && !in_str) {
                l.code = k;
                break;
            }
        }
        ir_vec_push(&v, l);
        if (!nl)
            break;
        i = e + 1;
    }
    return v;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Does the code part of a line start with `function`? */
static bool is_function(const line *l)
{
    size_t i = 0;
    while (i < l->code && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    return l->code - i >= 8 && !strncmp(l->s + i, "function", 8) &&
           (l->code - i == 8 || l->s[i + 8] == ' ' || l->s[i + 8] == '\t' || l->s[i + 8] == '%');
}

typedef struct span { uint32_t first, last; } span;    /* 0-based lines, inclusive */
typedef IR_VEC(span) spans_t;

static spans_t functions(const lines_t *ls)
{
    spans_t v = {0};
    for (uint32_t i = 0; i < ls->n; i++)
        if (is_function(&ls->v[i])) {
            if (v.n)
                v.v[v.n - 1].last = i - 1;
            ir_vec_push(&v, ((span){i, ls->n - 1}));
        }
    return v;
}

/* ---- test verifier ----------------------------------------------------------------- */

typedef struct annot {
    uint32_t line;          /* 1-based line of the entity */
    const char *text;
    size_t n;
    bool found;
} annot;
typedef IR_VEC(annot) annots_t;

/* The `; error: TEXT` comments of a function, on the entity each belongs
 * to (Cranelift's parser: a comment belongs to the entity of its line, or
 * of the last line with code before it; those of the signature and after
 * the closing brace to the function). */
static void annotations(const lines_t *ls, span fn, annots_t *out)
{
    uint32_t entity = fn.first + 1;
    bool header = true;
    for (uint32_t i = fn.first; i <= fn.last; i++) {
        const line *l = &ls->v[i];
        if (!blank(l->s, l->code)) {
            const char *c = l->s;
            size_t k = 0;
            while (k < l->code && (c[k] == ' ' || c[k] == '\t'))
                k++;
            bool brace = memchr(c, '{', l->code) != NULL;
            if (i == fn.first || header)
                header = !brace;
            else if (l->code - k >= 1 && c[k] == '}' && blank(c + k + 1, l->code - k - 1))
                entity = fn.first + 1;
            else
                entity = i + 1;
        }
        if (l->code == l->n)
            continue;
        const char *c = l->s + l->code + 1, *e = l->s + l->n;
        while (c < e && (*c == ' ' || *c == '\t'))
            c++;
        if (e - c < 6 || strncmp(c, "error:", 6))
            continue;
        c += 6;
        while (c < e && (*c == ' ' || *c == '\t'))
            c++;
        while (e > c && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        ir_vec_push(out, ((annot){.line = entity, .text = c, .n = (size_t)(e - c)}));
    }
}

static bool contains(const char *msg, const char *t, size_t n)
{
    if (!n)
        return true;
    for (const char *p = msg; (p = strchr(p, t[0])); p++)
        if (!strncmp(p, t, n))
            return true;
    return false;
}

static void one_verifier(const char *path, const char *src, size_t len, const lines_t *ls, span fn,
                         const span *all, uint32_t nall, const ft_kind_out *o, unsigned *pass, unsigned *fail)
{
    /* the file with the other functions' lines blanked */
    char *text = ir_xmalloc(len + 1);
    memcpy(text, src, len + 1);
    for (uint32_t k = 0; k < nall; k++) {
        if (all[k].first == fn.first)
            continue;
        for (uint32_t i = all[k].first; i <= all[k].last; i++)
            for (size_t c = 0; c < ls->v[i].n; c++)
                text[ls->v[i].s - src + (ptrdiff_t)c] = ' ';
    }
    ir_file file;
    ir_diag d;
    bool ok = ft_load_text(&file, path, text, len, true, &d);
    annots_t want = {0};
    annotations(ls, fn, &want);
    /* the errors reported: (line, message) */
    unsigned nerr = ok ? 0 : ir_diag_count(&d);
    char report[4096];
    size_t rn = 0;
    report[0] = 0;
    bool good = true;
    bool *used = ir_xcalloc(nerr + 1, 1);
    for (uint32_t a = 0; a < want.n; a++) {
        for (unsigned k = 0; k < nerr && !want.v[a].found; k++) {
            uint32_t l = k ? d.more[k - 1].line : d.line;
            const char *m = k ? d.text + d.more[k - 1].off : d.msg;
            if (!used[k] && l == want.v[a].line && contains(m, want.v[a].text, want.v[a].n))
                used[k] = want.v[a].found = true;
        }
        if (!want.v[a].found) {
            good = false;
            rn += (size_t)snprintf(report + rn, rn < sizeof report ? sizeof report - rn : 0,
                                   "  expected error at line %u: %.*s\n", want.v[a].line, (int)want.v[a].n,
                                   want.v[a].text);
        }
    }
    for (unsigned k = 0; k < nerr; k++)
        if (!used[k]) {
            good = false;
            rn += (size_t)snprintf(report + rn, rn < sizeof report ? sizeof report - rn : 0,
                                   "  unexpected error at line %u: %s\n", k ? d.more[k - 1].line : d.line,
                                   k ? d.text + d.more[k - 1].off : d.msg);
        }
    if (d.truncated && !ok) {
        good = false;
        rn += (size_t)snprintf(report + rn, rn < sizeof report ? sizeof report - rn : 0,
                               "  more errors than clifrun keeps\n");
    }
    char name[200];
    const line *fl = &ls->v[fn.first];
    snprintf(name, sizeof name, "test verifier: %.*s", (int)(fl->code < 150 ? fl->code : 150), fl->s);
    if (good) {
        o->kase(o->arg, FT_PASS, fn.first + 1, name, NULL);
        ++*pass;
    } else {
        char *msg = NULL;
        size_t mn = 0;
        FILE *f = open_memstream(&msg, &mn);
        if (f) {
            fprintf(f, "FAIL %s:%u: test verifier:\n%s", path, fn.first + 1, report);
            fclose(f);
        }
        o->kase(o->arg, FT_FAIL, fn.first + 1, name, msg ? msg : "FAIL");
        o->log(o->arg, msg ? msg : "FAIL");
        free(msg);
        ++*fail;
    }
    free(used);
    ir_vec_free(&want);
    ir_file_free(&file);
    free(text);
}

/* ---- test cat and print-cfg ---------------------------------------------------------- */

/* Cranelift's CFGPrinter (codegen/src/cfg_printer.rs). */
static void succ(const ir_function *f, uint32_t off, uint32_t *to, uint32_t *n)
{
    uint32_t b = f->pool.v[off];
    if (b < f->blocks.n && f->blocks.v[b].in_layout && *n < 4096)
        to[(*n)++] = b;
}

static void cfg_text(FILE *out, const ir_function *f)
{
    char name[160], tn[16];
    if (f->name.kind == IR_NAME_TESTCASE)
        snprintf(name, sizeof name, "%%%s", f->name.str);
    else
        snprintf(name, sizeof name, "u%u:%u", f->name.ns, f->name.index);
    fprintf(out, "digraph \"%s\" {\n", name);
    if (f->layout.n)
        fprintf(out, "    {rank=min; block%u}\n", f->layout.v[0]);
    uint32_t *pos = ir_layout_positions(f);
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        const ir_block_data *bd = &f->blocks.v[b];
        fprintf(out, "    block%u [shape=record, label=\"{block%u", b, b);
        for (uint32_t k = 0; k < bd->nparams; k++) {
            uint32_t v = f->pool.v[bd->params + k];
            fprintf(out, "%sv%u: %s", k ? ", " : "(", v, ir_type_name(v < f->values.n ? f->values.v[v].type : 0, tn));
        }
        fprintf(out, "%s%s:\n", bd->nparams ? ")" : "", bd->cold ? " cold" : "");
        if (bd->last != IR_NONE) {
            fprintf(out, " | <inst%u>", bd->last);
            ir_print_inst(out, f, bd->last, pos);
            fputc('\n', out);
        }
        fputs("}\"]\n", out);
    }
    free(pos);
    /* edges: for each block, its predecessors in instruction order */
    static uint32_t to[4096];
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        IR_VEC(uint64_t) preds = {0};      /* inst << 32 | parent */
        for (uint32_t lj = 0; lj < f->layout.n; lj++) {
            uint32_t p = f->layout.v[lj], t = f->blocks.v[p].last, n = 0;
            if (t == IR_NONE)
                continue;
            const ir_inst_data *in = &f->insts.v[t];
            const uint32_t *q;
            switch ((ir_format)ir_opcodes[in->op].format) {
            case IR_FMT_Jump:
                succ(f, in->ent, to, &n);
                break;
            case IR_FMT_Brif:
                succ(f, f->pool.v[in->ent], to, &n);
                succ(f, f->pool.v[in->ent + 1], to, &n);
                break;
            case IR_FMT_BranchTable:
                q = &f->pool.v[in->ent];
                for (uint32_t k = 0; k < q[0]; k++)
                    succ(f, q[1 + k], to, &n);
                break;
            case IR_FMT_TryCall:
            case IR_FMT_TryCallIndirect:
                q = &f->pool.v[(uint32_t)in->imm];
                succ(f, q[1], to, &n);
                for (uint32_t k = 0; k < q[2]; k++)
                    if (q[3 + 3 * k] != IR_EXN_CONTEXT)
                        succ(f, q[3 + 3 * k + 2], to, &n);
                break;
            default:
                break;
            }
            for (uint32_t k = 0; k < n; k++)
                if (to[k] == b) {
                    ir_vec_push(&preds, ((uint64_t)t << 32) | p);
                    break;
                }
        }
        for (uint32_t i = 1; i < preds.n; i++)      /* by instruction, as Cranelift's map keeps them */
            for (uint32_t j = i; j > 0 && preds.v[j - 1] > preds.v[j]; j--) {
                uint64_t x = preds.v[j];
                preds.v[j] = preds.v[j - 1], preds.v[j - 1] = x;
            }
        for (uint32_t i = 0; i < preds.n; i++)
            fprintf(out, "    block%u:inst%u -> block%u\n", (uint32_t)preds.v[i], (uint32_t)(preds.v[i] >> 32), b);
        ir_vec_free(&preds);
    }
    fputs("}\n", out);
}

/* The comment text (from its ';') of each line, for filecheck. */
typedef IR_VEC(char *) strs_t;

static void comments_of(const lines_t *ls, uint32_t first, uint32_t last, strs_t *out)
{
    for (uint32_t i = first; i <= last && i < ls->n; i++)
        if (ls->v[i].code < ls->v[i].n)
            ir_vec_push(out, ir_xstrndup(ls->v[i].s + ls->v[i].code, ls->v[i].n - ls->v[i].code));
}

static void filecheck_kind(const char *kind, const char *path, const char *src, size_t len, const lines_t *ls,
                           const span *fns, uint32_t nfns, const ft_kind_out *o, unsigned *pass, unsigned *fail)
{
    ir_file file;
    ir_diag d;
    bool cfg = !strcmp(kind, "print-cfg");
    bool ok = ft_load_text(&file, path, src, len, false, &d);
    for (uint32_t k = 0; k < nfns; k++) {
        char name[200], why[600] = "";
        const line *fl = &ls->v[fns[k].first];
        snprintf(name, sizeof name, "test %s: %.*s", kind, (int)(fl->code < 150 ? fl->code : 150), fl->s);
        bool good = false;
        if (!ok) {
            snprintf(why, sizeof why, "%s:%u:%u: error: %s", path, d.line, d.col, d.msg);
        } else if (k >= file.funcs.n) {
            snprintf(why, sizeof why, "the file has %u functions, %u read", nfns, file.funcs.n);
        } else {
            char *text = NULL;
            size_t tl = 0;
            FILE *m = open_memstream(&text, &tl);
            if (m) {
                if (cfg)
                    cfg_text(m, file.funcs.v[k]);
                else
                    ir_print_function_as_cranelift(m, file.funcs.v[k]);
                fclose(m);
            }
            /* func.display(): the function up to its closing brace */
            char *end = text ? strstr(text, "\n}\n") : NULL;
            if (end && !cfg)
                end[3] = 0;
            strs_t cs = {0};
            comments_of(ls, 0, fns[0].first ? fns[0].first - 1 : 0, &cs);
            if (!fns[0].first)
                cs.n = 0;
            comments_of(ls, fns[k].first, fns[k].last, &cs);
            good = text && ft_filecheck((const char *const *)cs.v, cs.n, text, why, sizeof why);
            for (uint32_t i = 0; i < cs.n; i++)
                free(cs.v[i]);
            ir_vec_free(&cs);
            free(text);
        }
        if (good) {
            o->kase(o->arg, FT_PASS, fns[k].first + 1, name, NULL);
            ++*pass;
            continue;
        }
        char msg[900];
        snprintf(msg, sizeof msg, "FAIL %s:%u: test %s: %s\n", path, fns[k].first + 1, kind, why);
        o->kase(o->arg, FT_FAIL, fns[k].first + 1, name, msg);
        o->log(o->arg, msg);
        ++*fail;
    }
    ir_file_free(&file);
}

bool ft_run_kind(const char *kind, const char *path, const char *src, size_t len, const ft_kind_out *o,
                 unsigned *passed, unsigned *failed)
{
    bool verifier = !strcmp(kind, "verifier");
    if (!verifier && strcmp(kind, "cat") && strcmp(kind, "print-cfg"))
        return false;
    lines_t ls = split_lines(src, len);
    spans_t fv = functions(&ls);
    uint32_t n = fv.n;
    span *fns = fv.v;
    if (verifier)
        for (uint32_t k = 0; k < n; k++)
            one_verifier(path, src, len, &ls, fns[k], fns, n, o, passed, failed);
    else
        filecheck_kind(kind, path, src, len, &ls, fns, n, o, passed, failed);
    ir_vec_free(&fv);
    ir_vec_free(&ls);
    return true;
}

uint32_t ft_count_functions(const char *src, size_t len)
{
    lines_t ls = split_lines(src, len);
    spans_t fv = functions(&ls);
    uint32_t n = fv.n;
    ir_vec_free(&fv);
    ir_vec_free(&ls);
    return n;
}
