/* File directives: the test/set/target/feature header and the
 * `; run:` / `; print:` comments (cranelift/reader/src/parser.rs,
 * parse_test and parse_run_command). */
#include <string.h>

#include "internal.h"

/* The rest of the current line as words, up to a comment.  A NUL byte in
 * it is an invalid character, as anywhere but in a comment: the words are
 * kept as C strings, which would end there. */
static void rest_of_line(parser *p, const char **start, const char **end)
{
    lexer *lx = &p->lx;
    const char *s = p->t.text + p->t.len, *e = s;
    while (e < lx->end && *e != '\n' && *e != ';') {
        if (!*e)
            rd_perr_at(p, p->t.line, (uint32_t)(e - lx->line_start) + 1, "invalid character");
        e++;
    }
    *start = s;
    *end = e;
    lx->p = e; /* the lexer resumes after the words */
    rd_lex_next(p);
}

static const char *next_word(const char **s, const char *end, size_t *n)
{
    while (*s < end && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++;
    const char *w = *s;
    while (*s < end && **s != ' ' && **s != '\t' && **s != '\r')
        (*s)++;
    *n = (size_t)(*s - w);
    return *n ? w : NULL;
}

static ir_setting make_setting(ir_file *f, const char *w, size_t n, uint32_t line)
{
    const char *eq = memchr(w, '=', n);
    ir_setting st = {.line = line};
    if (eq) {
        st.name = ir_arena_strndup(&f->arena, w, (size_t)(eq - w));
        st.value = ir_arena_strndup(&f->arena, eq + 1, n - (size_t)(eq - w) - 1);
    } else {
        st.name = ir_arena_strndup(&f->arena, w, n);
        st.value = NULL;
    }
    return st;
}

const char *reader_target_arch(ir_file *f, const char *w, size_t n)
{
    /* a triple (x86_64-unknown-linux-gnu) names its architecture first */
    const char *dash = memchr(w, '-', n);
    size_t k = dash ? (size_t)(dash - w) : n;
    /* an alias becomes the name (lib/jit/arch.def: the one table) */
    static const struct { const char *name, *alias; } names[] = {
#define ARCH(id, name, alias, ...) {name, alias},
#include "jit/arch.def"
#undef ARCH
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].alias && strlen(names[i].alias) == k && !strncmp(w, names[i].alias, k))
            return names[i].name;
    return ir_arena_strndup(&f->arena, w, k);
}

void rd_parse_header(parser *p)
{
    ir_file *f = p->file;
    uint32_t dangling_set = 0;
    while (tok_ident(p, "test")) {
        const char *s, *e;
        rest_of_line(p, &s, &e);
        size_t n;
        const char *w = next_word(&s, e, &n);
        if (!w)
            rd_perr_expected(p, "expected test command");
        const char *cmd = ir_arena_strndup(&f->arena, w, n);
        ir_vec_push(&f->tests, cmd);
        if (!strcmp(cmd, "run"))
            p->run_default_cc = true;
        if (!strcmp(cmd, "run") || !strcmp(cmd, "interpret"))
            p->read_runs = true;
    }
    /* Cranelift reads run lines only under these tests; a file with no test
     * line at all is a bug report's test case, whose run lines clifrun runs */
    if (!f->tests.n)
        p->read_runs = true;
    for (;;) {
        uint32_t line = p->t.line;
        if (tok_ident(p, "set")) {
            const char *s, *e;
            rest_of_line(p, &s, &e);
            size_t n;
            for (const char *w; (w = next_word(&s, e, &n));)
                ir_vec_push(&f->settings, make_setting(f, w, n, line));
            dangling_set = line;
        } else if (tok_ident(p, "target")) {
            uint32_t col = p->t.col;
            const char *line_start = p->lx.line_start;
            const char *s, *e;
            rest_of_line(p, &s, &e);
            size_t n;
            const char *w = next_word(&s, e, &n);
            /* `target-x` or `target -x`: a triple must name its arch */
            if (w && *w == '-')
                col = (uint32_t)(w - line_start) + 1;
            if (!w || *w == '-')
                rd_perr_at(p, line, col, "expected target triple");
            ir_target t = {.arch = reader_target_arch(f, w, n), .line = line,
                           .flags = f->target_flags.n, .settings = f->settings.n};
            while ((w = next_word(&s, e, &n))) {
                ir_vec_push(&f->target_flags, make_setting(f, w, n, line));
                t.nflags++;
            }
            ir_vec_push(&f->targets, t);
            dangling_set = 0;
        } else {
            break;
        }
    }
    if (dangling_set && f->targets.n)
        rd_perr_at(p, dangling_set, 1, "dangling 'set' command after ISA specification has no effect.");
    while (tok_ident(p, "feature")) {
        rd_lex_next(p);
        rd_accept(p, T_BANG);
        if (!tok_is(p, T_STRING))
            rd_perr_expected(p, "Expected feature flag string");
        rd_lex_next(p);
    }
}

/* Values of a list of ABI parameters, comma separated. */
static uint32_t parse_values(parser *p, const ir_function *fn, uint32_t first, uint32_t n)
{
    ir_file *f = p->file;
    uint32_t off = f->data.n;
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            rd_expect(p, T_COMMA, "expected a comma between invocation arguments");
        ir_data_value dv;
        rd_parse_data_value(p, fn->abi_params.v[first + i].type, &dv);
        ir_vec_push(&f->data, dv);
    }
    return off;
}

/* The callee as written, `%name` or `uX:Y`; its name into *n if n. */
static const char *parse_callee(parser *p, ir_extname *n)
{
    ir_file *f = p->file;
    ir_extname tmp;
    if (!n)
        n = &tmp;
    memset(n, 0, sizeof *n);
    if (tok_is(p, T_NAME)) {
        const char *name = ir_arena_strndup(&f->arena, p->t.text - 1, p->t.len + 1);
        n->kind = IR_NAME_TESTCASE;
        n->str = name + 1;
        rd_lex_next(p);
        return name;
    }
    if (tok_is(p, T_ENTITY) && p->t.ent == E_USER) {
        const char *s = p->t.text;
        n->kind = IR_NAME_USER;
        n->ns = p->t.num;
        rd_lex_next(p);
        rd_expect(p, T_COLON, "expected user function name in the form uX:Y");
        const char *e = p->t.text + p->t.len;
        n->index = rd_match_u32_decimal(p, "expected integer", "the integer given overflows the u32 type");
        return ir_arena_strndup(&f->arena, s, (size_t)(e - s));
    }
    rd_perr_expected(p, "expected a function name, e.g. %%my_fn");
}

/* fn's name as a run line writes it: %name or uN:M */
static void own_name(const ir_function *fn, char own[64])
{
    if (fn->name.kind == IR_NAME_TESTCASE)
        snprintf(own, 64, "%%%.60s", fn->name.str);
    else
        snprintf(own, 64, "u%u:%u", fn->name.ns, fn->name.index);
}

/* The number of arguments against the signature, before their types (the
 * parser alone could only say that a comma or parenthesis was expected). */
static void check_arg_count(parser *p, const ir_function *fn, const char *name)
{
    const char *s = p->t.text + 1, *end = p->lx.end;
    unsigned commas = 0, words = 0;
    bool in_word = false;
    while (s < end && *s != ')') {
        char c = *s++;
        if (c == ' ' || c == '\t' || c == ',') {
            commas += c == ',';
            in_word = false;
            continue;
        }
        words += !in_word;
        in_word = true;
        /* a bracketed list is (part of) one word: only its brackets count */
        for (unsigned depth = c == '[' || c == '('; depth && s < end; s++)
            depth += (*s == '[' || *s == '(') - (*s == ']' || *s == ')');
    }
    uint32_t given = words ? commas + 1 : 0, want = fn->sig.nparams;
    /* an unclosed list, or one that is not `a, b, c`, gets the parser's error */
    if (s >= end || given == want || words != given)
        return;
    char types[256];
    size_t k = 0;
    types[0] = 0;
    for (uint32_t i = 0; i < want && k < sizeof types - 24; i++) {
        char tn[16];
        k += (size_t)snprintf(types + k, sizeof types - k, "%s%s", i ? ", " : "",
                              ir_type_name(fn->abi_params.v[fn->sig.params + i].type, tn));
    }
    char own[64];
    own_name(fn, own);
    if (strcmp(own, name))  /* a run line below another function than it names */
        rd_perr(p, "this run line follows %s and calls it, as Cranelift does (`%.100s` is not its name): "
                "%s takes %u argument%s (%s), %u given", own, name, own, want, want == 1 ? "" : "s", types, given);
    rd_perr(p, "%s takes %u argument%s (%s), %u given", name, want, want == 1 ? "" : "s", types, given);
}

/* The argument list of the invocation being read.  A wrong count always
 * fails to parse, so it is counted only then, by the error handler
 * (check_arg_count), whose message replaces the parser's: volatile, as
 * the handler reads it after longjmp. */
typedef struct arg_list {
    const ir_function *fn;  /* NULL until the invocation's `(` */
    const char *name;
    tok lpar;
} arg_list;

/* From the invocation's `(` to the end: arguments, then for a run command
 * the comparison and expected values.  rc->kind says which; with `either`
 * (-e), a comparison makes it a run command, its absence a print command. */
static void parse_invocation_rest(parser *p, const ir_function *fn, ir_run_cmd *rc, bool either,
                                  volatile arg_list *al)
{
    ir_file *f = p->file;
    const ir_signature *sig = &fn->sig;
    if (tok_is(p, T_LPAR)) {
        al->lpar = p->t;
        al->name = rc->name;
        al->fn = fn;
    }
    rd_expect(p, T_LPAR, "expected invocation parentheses, e.g. %fn(...)");
    rc->args = parse_values(p, fn, sig->params, sig->nparams);
    rc->nargs = sig->nparams;
    rd_expect(p, T_RPAR, "expected invocation parentheses, e.g. %fn(...)");
    rc->expect = f->data.n;
    if (either)
        rc->kind = tok_is(p, T_EOF) ? IR_RUN_PRINT : IR_RUN_RUN;
    if (rc->kind == IR_RUN_RUN) {
        if (tok_is(p, T_EOF)) {
            /* `; run: %f(args)`: passes when the single result is non-zero */
            if (sig->nrets != 1)
                rd_perr(p, "unable to parse a valid comparison operator");
            rc->cmp = IR_CMP_NONE;
        } else {
            if (rd_accept(p, T_EQUAL)) {
                rd_expect(p, T_EQUAL, "expected another =");
                rc->cmp = IR_CMP_EQ;
            } else if (rd_accept(p, T_BANG)) {
                rd_expect(p, T_EQUAL, "expected a =");
                rc->cmp = IR_CMP_NE;
            } else {
                rd_perr(p, "unable to parse a valid comparison operator");
            }
            if (sig->nrets != 1)
                rd_expect(p, T_LBRACKET, "expected a left bracket [");
            rc->expect = parse_values(p, fn, sig->rets, sig->nrets);
            rc->nexpect = sig->nrets;
            if (sig->nrets != 1)
                rd_expect(p, T_RBRACKET, "expected a right bracket ]");
        }
    }
    if (!tok_is(p, T_EOF))
        rd_perr(p, "unexpected text after the %s command", rc->kind == IR_RUN_RUN ? "run" : "print");
}

/* A run command read, into the file: with a warning when it names
 * another function than fn, which it calls. */
static void push_run(parser *p, const ir_function *fn, const ir_run_cmd *rc, const ir_extname *called)
{
    ir_file *f = p->file;
    ir_vec_push(&f->runs, *rc);
    bool same = called->kind == IR_NAME_TESTCASE
                    ? fn->name.kind == IR_NAME_TESTCASE && !strcmp(called->str, fn->name.str)
                    : fn->name.kind == IR_NAME_USER && called->ns == fn->name.ns && called->index == fn->name.index;
    if (!same) {
        char own[64], msg[320];
        own_name(fn, own);
        snprintf(msg, sizeof msg, "this run line follows %s and calls it, as Cranelift does: `%.100s` is not its name",
                 own, rc->name);
        ir_file_warning w = {rc->line, rc->col, ir_arena_strndup(&f->arena, msg, strlen(msg))};
        ir_vec_push(&f->warnings, w);
    }
}

static void parse_run(parser *p, uint32_t func, const pending_run *r, volatile arg_list *al)
{
    ir_file *f = p->file;
    const ir_function *fn = f->funcs.v[func];
    const ir_signature *sig = &fn->sig;
    ir_run_cmd rc = {.func = func, .line = r->line, .col = r->col};
    rc.kind = p->t.text[0] == 'r' ? IR_RUN_RUN : IR_RUN_PRINT;
    rd_lex_next(p);
    if (!rd_accept(p, T_COLON)) {
        /* bare `; run` / `; print`: call with no arguments */
        if (rc.kind == IR_RUN_RUN && !(sig->nparams == 0 && sig->nrets == 1 &&
                                        ir_type_is_int(fn->abi_params.v[sig->rets].type) &&
                                        !ir_type_is_vector(fn->abi_params.v[sig->rets].type)))
            rd_perr_at(p, r->line, r->col, "unable to parse the run command");
        if (rc.kind == IR_RUN_PRINT && sig->nparams)
            rd_perr_at(p, r->line, r->col, "unable to parse the print command");
        rc.cmp = IR_CMP_NONE;
        rc.name = NULL;
        rc.args = rc.expect = f->data.n;
        ir_vec_push(&f->runs, rc);
        return;
    }
    rc.line = p->t.line;
    rc.col = p->t.col;
    /* Cranelift calls the function the line follows, whatever it names:
     * so does clifrun, with a warning when the names differ */
    ir_extname called;
    rc.name = parse_callee(p, &called);
    parse_invocation_rest(p, fn, &rc, false, al);
    push_run(p, fn, &rc, &called);
}

bool reader_parse_invocation(ir_file *file, const char *where, const char *text, size_t len,
                             ir_run_cmd *rc, ir_diag *d)
{
    d->file = where;
    d->src = text;
    d->len = len;
    d->line = d->col = 0;
    ir_diag_set(d, 0, 0, "%s", "");
    memset(rc, 0, sizeof *rc);
    parser *p = calloc(1, sizeof *p);
    if (!p) {
        ir_diag_set(d, 0, 0, "out of memory");
        return false;
    }
    p->file = file;
    p->d = d;
    p->decimal_floats = true;
    uint32_t ndata = file->data.n;
    bool ok = false;
    volatile arg_list al = {0};
    if (setjmp(p->fail) == 0) {
        rd_lex_init(&p->lx, text, len, 1, text);
        rd_lex_next(p);
        rc->line = p->t.line;
        rc->col = p->t.col;
        ir_extname n;
        rc->name = parse_callee(p, &n);
        rc->func = ir_file_find_func(file, &n);
        if (rc->func == IR_NONE)
            rd_perr_at(p, rc->line, rc->col, "no function %s in %s", rc->name, file->path ? file->path : "the file");
        parse_invocation_rest(p, file->funcs.v[rc->func], rc, true, &al);
        ok = true;
    } else if (al.fn && setjmp(p->fail) == 0) {
        p->t = al.lpar;
        check_arg_count(p, al.fn, al.name);
    }
    if (!ok)
        file->data.n = ndata;
    free(p);
    return ok;
}

void rd_parse_runs_for(parser *p, uint32_t func, uint32_t from, uint32_t to)
{
    /* each comment is lexed on its own, positions kept for diagnostics */
    lexer saved = p->lx;
    tok saved_tok = p->t;
    const char *saved_prev = p->prev_end;
    jmp_buf outer;
    memcpy(outer, p->fail, sizeof outer);
    volatile arg_list al;
    if (setjmp(p->fail)) {
        memcpy(p->fail, outer, sizeof outer);
        if (al.fn) {
            p->t = al.lpar;
            check_arg_count(p, al.fn, al.name);
        }
        longjmp(p->fail, 1);
    }
    /* a file's run lines are many: room for dozens at once, not 4, 8, 16 ... */
    ir_file *f = p->file;
    if (f->runs.cap < 64 && from < to) {
        ir_vec_reserve(&f->runs, 64);
        ir_vec_reserve(&f->data, 256);
    }
    for (uint32_t i = from; i < to; i++) {
        const pending_run *r = &p->runs.v[i];
        const char *s = saved.src + r->off;
        ir_run_cmd rc;
        ir_extname called;
        if (rd_quick_run(p, func, r, saved.src, &rc, &called)) {   /* the common shapes (runline.c) */
            push_run(p, f->funcs.v[func], &rc, &called);
            continue;
        }
        al.fn = NULL;
        rd_lex_init(&p->lx, s, r->end - r->off, r->line, s - (r->col - 1));
        rd_lex_next(p);
        parse_run(p, func, r, &al);
    }
    memcpy(p->fail, outer, sizeof outer);
    p->lx = saved;
    p->t = saved_tok;
    p->prev_end = saved_prev;
}
