/* The reducer: bugpoint's job, for wrong results too.  The program is kept
 * as text lines; the parsed IR of the current best says what the lines are
 * (instructions, their results and types, uses, blocks, run lines), and
 * each pass edits the text: delete run lines, functions, declarations and
 * dead instructions; remove an instruction by giving its uses another
 * value of its type (an operand of it, one defined before it, a parameter)
 * or a constant; turn branches into jumps and drop unreachable blocks;
 * merge a block into its only predecessor; turn block parameters into
 * constants; make constants and run-line arguments 0 or 1 or smaller;
 * drop `set` lines and ISA flags.  Every candidate must parse and verify
 * before the predicate sees it, so the result always verifies.  The passes
 * repeat until none of them gets anything through. */
#include "internal.h"

#include <string.h>

#include "reader/reader.h"
#include "verify/verify.h"

/* ---- lines ------------------------------------------------------------------------ */

typedef struct rlines {
    char **v;
    uint32_t n;
} rlines;

static char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        abort();    /* out of memory */
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static rlines split(const char *text, size_t len)
{
    rlines r = {0};
    uint32_t cap = 16;
    r.v = malloc(cap * sizeof *r.v);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (r.n == cap)
            r.v = realloc(r.v, (cap *= 2) * sizeof *r.v);
        r.v[r.n++] = xstrndup(p, n);
        p += n + 1;
    }
    return r;
}

static void rl_free(rlines *r)
{
    for (uint32_t i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    r->v = NULL, r->n = 0;
}

static rlines rl_copy(const rlines *a)
{
    rlines r = {.v = malloc((a->n + 2) * sizeof *r.v), .n = a->n};
    for (uint32_t i = 0; i < a->n; i++)
        r.v[i] = xstrndup(a->v[i], strlen(a->v[i]));
    return r;
}

static char *join(const rlines *r, size_t *len)
{
    fuzz_buf b = {0};
    for (uint32_t i = 0; i < r->n; i++) {
        fuzz_buf_put(&b, r->v[i], strlen(r->v[i]));
        fuzz_buf_put(&b, "\n", 1);
    }
    if (!b.s)
        fuzz_buf_put(&b, "", 0);
    *len = b.n;
    return b.s;
}

/* Lines from..to (1-based, inclusive) out. */
static void rl_delete(rlines *r, uint32_t from, uint32_t to)
{
    if (from < 1 || to > r->n || from > to)
        return;
    for (uint32_t i = from - 1; i < to; i++)
        free(r->v[i]);
    memmove(r->v + from - 1, r->v + to, (r->n - to) * sizeof *r->v);
    r->n -= to - from + 1;
}

static void rl_set(rlines *r, uint32_t line, char *text)
{
    free(r->v[line - 1]);
    r->v[line - 1] = text;
}

/* text as a new line after line `after` (0: first). */
static void rl_insert(rlines *r, uint32_t after, char *text)
{
    r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
    memmove(r->v + after + 1, r->v + after, (r->n - after) * sizeof *r->v);
    r->v[after] = text;
    r->n++;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    fuzz_buf b = {0};
    va_list ap;
    va_start(ap, f);
    fuzz_buf_vprintf(&b, f, ap);
    va_end(ap);
    return b.s;
}

static bool word_char(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

/* Every `name` token (not part of a longer word) in lines from..to becomes
 * `with`. */
static void subst(rlines *r, uint32_t from, uint32_t to, const char *name, const char *with)
{
    size_t nl = strlen(name), wl = strlen(with);
    for (uint32_t l = from; l <= to && l <= r->n; l++) {
        char *s = r->v[l - 1];
        if (!strstr(s, name) || s[strspn(s, " \t")] == ';')
            continue;
        fuzz_buf b = {0};
        for (char *p = s; *p;) {
            if (!strncmp(p, name, nl) && (p == s || !word_char(p[-1])) && !word_char(p[nl])) {
                fuzz_buf_put(&b, with, wl);
                p += nl;
            } else {
                fuzz_buf_put(&b, p, 1);
                p++;
            }
        }
        rl_set(r, l, b.s ? b.s : xstrndup("", 0));
    }
}

/* The items of the parenthesised list that starts at *open ('(' or '['),
 * split at top-level commas: starts and ends into it[], count returned;
 * *close is set to the closing bracket. */
static unsigned list_items(const char *open, const char **it, const char **ie, unsigned max, const char **close)
{
    int depth = 0;
    unsigned n = 0;
    const char *start = open + 1;
    for (const char *p = open; *p; p++) {
        if (*p == '(' || *p == '[') {
            depth++;
        } else if (*p == ')' || *p == ']') {
            if (--depth == 0) {
                const char *s = start;
                while (*s == ' ')
                    s++;
                if (s < p && n < max)
                    it[n] = s, ie[n] = p, n++;
                *close = p;
                return n;
            }
        } else if (*p == ',' && depth == 1) {
            const char *s = start;
            while (*s == ' ')
                s++;
            if (n < max)
                it[n] = s, ie[n] = p, n++;
            start = p + 1;
        }
    }
    *close = NULL;
    return n;
}

/* In line s, every `name(` list loses item k (the parentheses too when it
 * empties, if it is a block's).  Returns the new line, or NULL if nothing
 * changed. */
static char *drop_item(const char *s, const char *name, unsigned k)
{
    bool block = !strncmp(name, "block", 5);
    size_t nl = strlen(name);
    fuzz_buf b = {0};
    bool changed = false;
    for (const char *p = s; *p;) {
        if (!strncmp(p, name, nl) && (p == s || !word_char(p[-1])) && p[nl] == '(') {
            const char *it[64], *ie[64], *close;
            unsigned n = list_items(p + nl, it, ie, 64, &close);
            if (close && k < n) {
                fuzz_buf_put(&b, name, nl);
                if (n > 1 || !block) {
                    fuzz_buf_put(&b, "(", 1);
                    for (unsigned i = 0, w = 0; i < n; i++) {
                        if (i == k)
                            continue;
                        const char *e = ie[i];
                        while (e > it[i] && e[-1] == ' ')
                            e--;
                        if (w++)
                            fuzz_buf_put(&b, ", ", 2);
                        fuzz_buf_put(&b, it[i], (size_t)(e - it[i]));
                    }
                    fuzz_buf_put(&b, ")", 1);
                }
                p = close + 1;
                changed = true;
                continue;
            }
        }
        fuzz_buf_put(&b, p, 1);
        p++;
    }
    if (!changed) {
        fuzz_buf_free(&b);
        return NULL;
    }
    return b.s;
}

/* ---- the reducer's state ------------------------------------------------------------ */

typedef struct red {
    const char *path;
    fuzz_pred_fn pred;
    void *arg;
    rlines best;
    char *src;              /* the text of best, which file was parsed from */
    ir_file file;
    fuzz_reduce_stats *st;
    bool safe;              /* FUZZ_REDUCE_SAFE: keep the answer engine-independent */
    bool stores_free;       /* FUZZ_REDUCE_STORES_FREE: the predicate checks reads */
} red;

static bool parse(ir_file *file, const char *path, const char *text, size_t len, ir_diag *d)
{
    memset(d, 0, sizeof *d);
    bool ok = reader_parse_file(file, path, text, len, d);
    for (uint32_t i = 0; ok && i < file->funcs.n; i++)
        ok = ir_legacy_rewrite(file->funcs.v[i], d) && verify_function(file->funcs.v[i], d);
    d->file = path, d->src = text, d->len = len;
    return ok;
}

/* Keep cand if it parses, verifies and is still interesting; it is
 * consumed either way. */
static bool try_cand(red *R, rlines *cand)
{
    size_t len;
    char *text = join(cand, &len);
    ir_file f;
    ir_diag d;
    if (!parse(&f, R->path, text, len, &d)) {
        R->st->rejected++;
        ir_file_free(&f);
        free(text);
        rl_free(cand);
        return false;
    }
    R->st->tests++;
    if (!R->pred(R->arg, text, len)) {
        ir_file_free(&f);
        free(text);
        rl_free(cand);
        return false;
    }
    R->st->accepted++;
    rl_free(&R->best);
    ir_file_free(&R->file);
    free(R->src);
    R->best = *cand;
    R->file = f;
    R->src = text;
    return true;
}

/* ---- facts from the IR ---------------------------------------------------------------- */

/* Block calls of a branch: pool offsets into offs[], count returned. */
static unsigned block_calls(const ir_function *f, uint32_t i, uint32_t *offs, unsigned max)
{
    const ir_inst_data *in = &f->insts.v[i];
    switch ((ir_format)ir_opcodes[in->op].format) {
    case IR_FMT_Jump:
        offs[0] = in->ent;
        return 1;
    case IR_FMT_Brif:
        offs[0] = f->pool.v[in->ent], offs[1] = f->pool.v[in->ent + 1];
        return 2;
    case IR_FMT_BranchTable: {
        uint32_t n = f->pool.v[in->ent];
        for (uint32_t k = 0; k < n && k < max; k++)
            offs[k] = f->pool.v[in->ent + 1 + k];
        return n < max ? n : max;
    }
    default:
        return 0;
    }
}

/* How often each value is used (operands and block arguments). */
static uint32_t *use_counts(const ir_function *f)
{
    uint32_t *u = calloc(f->values.n + 1, sizeof *u);
    for (uint32_t b = 0; b < f->blocks.n; b++)
        for (uint32_t i = f->blocks.v[b].first; i != IR_NONE; i = f->insts.v[i].next) {
            const uint32_t *a = ir_inst_args(f, i);
            for (uint32_t k = 0; k < f->insts.v[i].nargs; k++)
                u[ir_value_resolve(f, a[k])]++;
            uint32_t offs[256];
            unsigned n = block_calls(f, i, offs, 256);
            for (unsigned c = 0; c < n; c++) {
                const uint32_t *bc = &f->pool.v[offs[c]];
                for (uint32_t k = 0; k < bc[1]; k++)
                    if (IR_BLOCKARG_KIND(bc[2 + k]) == IR_BLOCKARG_VALUE)
                        u[ir_value_resolve(f, bc[2 + k])]++;
            }
            if (i == f->blocks.v[b].last)
                break;
        }
    return u;
}

/* Predecessor edges of each block (block calls naming it). */
static uint32_t *pred_counts(const ir_function *f)
{
    uint32_t *p = calloc(f->blocks.n + 1, sizeof *p);
    for (uint32_t i = 0; i < f->insts.n; i++) {
        uint32_t offs[256];
        unsigned n = block_calls(f, i, offs, 256);
        for (unsigned c = 0; c < n; c++)
            p[f->pool.v[offs[c]]]++;
    }
    return p;
}

/* The line of the next block header after block b in the layout, or the
 * function's closing brace. */
static uint32_t block_end_line(const ir_function *f, uint32_t b)
{
    for (uint32_t k = 0; k + 1 < f->layout.n; k++)
        if (f->layout.v[k] == b)
            return f->blocks.v[f->layout.v[k + 1]].line - 1;
    return f->end_line - 1;
}

static const char *tn(ir_type t)
{
    static char buf[4][16];
    static unsigned k;
    return ir_type_name(t, buf[k++ & 3]);
}

/* A line defining value v of type t as a constant (NULL for types without
 * one-line constants). */
static char *const_line(uint32_t v, ir_type t, int64_t x)
{
    if (ir_type_is_vector(t))
        return ir_type_bits(t) == 128 && !x ? fmt("    v%u = vconst.%s 0x00", v, tn(t)) : NULL;
    if (t == IR_F32)
        return fmt("    v%u = f32const %s", v, x ? "0x1.0p0" : "0.0");
    if (t == IR_F64)
        return fmt("    v%u = f64const %s", v, x ? "0x1.0p0" : "0.0");
    if (ir_type_is_int(t) && t != IR_I128)
        return fmt("    v%u = iconst.%s %lld", v, tn(t), (long long)x);
    return NULL;
}

static bool has_side_effect(const ir_inst_data *in)
{
    return (ir_opcodes[in->op].flags & (IR_OPF_TERMINATOR | IR_OPF_CALL | IR_OPF_CAN_STORE | IR_OPF_SIDE_EFFECT |
                                        IR_OPF_CAN_TRAP)) != 0 ||
           (in->op == IR_OP_load && in->mf.trap != IR_TRAP_NONE);
}

/* ---- what an edit must keep well defined ---------------------------------------------
 * With the default predicate an edit must not turn a program with one answer
 * into one whose answer depends on the engine: an address reaching a result
 * (values computed from stack_addr and its kin: only ever made constants), an
 * access leaving its slot (values an address is computed from: likewise),
 * memory read before it is written (a store into a slot something reads
 * stays). */

typedef struct facts {
    uint8_t *addr;          /* per value: an address, or computed from one */
    uint8_t *feeds;         /* per value: an address is computed from it */
    uint32_t *root;         /* per address value: the stack_addr (or parameter) under it */
    uint8_t *read;          /* per root: memory there is read (loads, atomics, calls) */
    uint8_t *ntfeeds;       /* per value: the address of a notrap access is computed
                             * from it (a constant there is undefined behaviour) */
} facts;

static bool address_op(ir_opcode op)
{
    switch (op) {
    case IR_OP_stack_addr: case IR_OP_dynamic_stack_addr: case IR_OP_func_addr: case IR_OP_symbol_value:
    case IR_OP_tls_value: case IR_OP_get_frame_pointer: case IR_OP_get_stack_pointer:
    case IR_OP_get_return_address: case IR_OP_get_pinned_reg: case IR_OP_get_exception_handler_address:
    case IR_OP_global_value:
        return true;
    default:
        return false;
    }
}

/* The address operand of a memory instruction, IR_NONE if none. */
static uint32_t mem_addr(const ir_function *f, uint32_t i)
{
    const ir_inst_data *in = &f->insts.v[i];
    const ir_opinfo *r = &ir_opcodes[in->op];
    if (!(r->flags & (IR_OPF_CAN_LOAD | IR_OPF_CAN_STORE)) || (r->flags & IR_OPF_CALL) || !in->nargs)
        return IR_NONE;
    const char *a = strchr(r->args, 'a');
    uint32_t k = a ? (uint32_t)(a - r->args) : 0;
    return k < in->nargs ? ir_value_resolve(f, ir_inst_args(f, i)[k]) : IR_NONE;
}

/* Which block calls pass which argument to parameter p of block b: calls
 * fn(val) for each argument value. */
static void incoming(const ir_function *f, uint32_t b, uint32_t p, void (*fn)(facts *, uint32_t, uint32_t),
                     facts *F, uint32_t param)
{
    for (uint32_t i = 0; i < f->insts.n; i++) {
        uint32_t offs[256];
        unsigned n = f->insts.v[i].block == IR_NONE ? 0 : block_calls(f, i, offs, 256);
        for (unsigned c = 0; c < n; c++) {
            const uint32_t *bc = &f->pool.v[offs[c]];
            if (bc[0] == b && p < bc[1] && IR_BLOCKARG_KIND(bc[2 + p]) == IR_BLOCKARG_VALUE)
                fn(F, ir_value_resolve(f, bc[2 + p]), param);
        }
    }
}

static bool grew;
static void flow_addr(facts *F, uint32_t arg, uint32_t param)
{
    if (F->addr[arg] && !F->addr[param])
        F->addr[param] = 1, F->root[param] = F->root[arg], grew = true;
}
static void flow_feeds(facts *F, uint32_t arg, uint32_t param)
{
    (void)param;
    if (!F->feeds[arg])
        F->feeds[arg] = 1, grew = true;
}

static void flow_ntfeeds(facts *F, uint32_t arg, uint32_t param)
{
    (void)param;
    if (!F->ntfeeds[arg])
        F->ntfeeds[arg] = 1, grew = true;
}

static void facts_free(facts *F)
{
    free(F->addr), free(F->feeds), free(F->root), free(F->read), free(F->ntfeeds);
    memset(F, 0, sizeof *F);
}

static facts analyse(const ir_function *f)
{
    uint32_t nv = f->values.n + 1;
    facts F = {calloc(nv, 1), calloc(nv, 1), calloc(nv, sizeof(uint32_t)), calloc(nv, 1), calloc(nv, 1)};
    for (uint32_t v = 0; v < nv; v++)
        F.root[v] = IR_NONE;
    /* sarg parameters are addresses */
    if (f->layout.n) {
        const ir_block_data *e = &f->blocks.v[f->layout.v[0]];
        for (uint32_t p = 0; p < e->nparams && p < f->sig.nparams; p++)
            if (f->abi_params.v[f->sig.params + p].purpose == IR_PURPOSE_SARG) {
                uint32_t v = f->pool.v[e->params + p];
                F.addr[v] = 1, F.root[v] = v;
            }
    }
    /* one root per stack slot, whichever stack_addr of it an access goes
     * through (stack_load and stack_store read as their own stack_addr) */
    uint32_t *slot_root = calloc(f->stack_slots.n + 1, sizeof *slot_root);
    for (uint32_t s = 0; s <= f->stack_slots.n; s++)
        slot_root[s] = IR_NONE;
    for (uint32_t i = 0; i < f->insts.n; i++) {
        const ir_inst_data *in = &f->insts.v[i];
        if (in->block != IR_NONE && in->op == IR_OP_stack_addr && in->nres && in->ent < f->stack_slots.n &&
            slot_root[in->ent] == IR_NONE)
            slot_root[in->ent] = ir_inst_results(f, i)[0];
    }
    /* forward: addresses and what is computed from them, to a fixed point */
    do {
        grew = false;
        for (uint32_t i = 0; i < f->insts.n; i++) {
            const ir_inst_data *in = &f->insts.v[i];
            if (in->block == IR_NONE)
                continue;
            const uint32_t *a = ir_inst_args(f, i), *res = ir_inst_results(f, i);
            uint32_t from = IR_NONE;
            if (address_op((ir_opcode)in->op) && in->nres)
                from = res[0];
            else if (!(ir_opcodes[in->op].flags & IR_OPF_CAN_LOAD))
                for (uint32_t k = 0; k < in->nargs && from == IR_NONE; k++)
                    if (F.addr[ir_value_resolve(f, a[k])])
                        from = ir_value_resolve(f, a[k]);
            for (uint32_t r = 0; from != IR_NONE && r < in->nres; r++)
                if (!F.addr[res[r]]) {
                    F.addr[res[r]] = 1, grew = true;
                    F.root[res[r]] = !address_op((ir_opcode)in->op) ? F.root[from]
                                     : in->op == IR_OP_stack_addr && in->ent < f->stack_slots.n ? slot_root[in->ent]
                                                                                             : res[0];
                }
        }
        for (uint32_t b = 0; b < f->blocks.n; b++)
            for (uint32_t p = 0; p < f->blocks.v[b].nparams; p++)
                incoming(f, b, p, flow_addr, &F, f->pool.v[f->blocks.v[b].params + p]);
    } while (grew);
    free(slot_root);
    /* backward: what addresses are computed from; and which roots are read */
    for (uint32_t i = 0; i < f->insts.n; i++) {
        const ir_inst_data *in = &f->insts.v[i];
        if (in->block == IR_NONE)
            continue;
        uint32_t m = mem_addr(f, i);
        if (m != IR_NONE) {
            F.feeds[m] = 1;
            F.ntfeeds[m] |= in->mf.trap == IR_TRAP_NONE;
            if ((ir_opcodes[in->op].flags & IR_OPF_CAN_LOAD) && F.addr[m] && F.root[m] != IR_NONE)
                F.read[F.root[m]] = 1;
        }
        if (ir_opcodes[in->op].flags & IR_OPF_CALL)
            for (uint32_t k = 0; k < in->nargs; k++) {
                uint32_t x = ir_value_resolve(f, ir_inst_args(f, i)[k]);
                if (F.addr[x]) {    /* an address handed on: read there */
                    F.feeds[x] = 1;
                    if (F.root[x] != IR_NONE)
                        F.read[F.root[x]] = 1;
                }
            }
    }
    do {
        grew = false;
        for (uint32_t v = 0; v < f->values.n; v++) {
            for (int nt = 0; nt < 2; nt++) {
                if (!(nt ? F.ntfeeds : F.feeds)[v])
                    continue;
                void (*flow)(facts *, uint32_t, uint32_t) = nt ? flow_ntfeeds : flow_feeds;
                const ir_value_data *vd = &f->values.v[v];
                if (vd->kind == IR_VAL_RESULT) {
                    const ir_inst_data *in = &f->insts.v[vd->def];
                    if (ir_opcodes[in->op].flags & (IR_OPF_CAN_LOAD | IR_OPF_CALL))
                        continue;
                    for (uint32_t k = 0; k < in->nargs; k++)
                        flow(&F, ir_value_resolve(f, ir_inst_args(f, vd->def)[k]), v);
                } else if (vd->kind == IR_VAL_PARAM) {
                    incoming(f, vd->def, vd->num, flow, &F, v);
                }
            }
        }
    } while (grew);
    return F;
}

/* May store instruction i go?  Not if it writes into memory something reads. */
static bool store_may_go(const ir_function *f, const facts *F, uint32_t i)
{
    uint32_t m = mem_addr(f, i);
    if (m == IR_NONE || !F->addr[m])
        return true;
    return F->root[m] != IR_NONE && !F->read[F->root[m]];
}

/* ---- passes ------------------------------------------------------------------------------ */

static bool pass_runs(red *R)
{
    bool any = false;
    for (uint32_t k = R->file.runs.n; k-- > 0;) {
        if (k >= R->file.runs.n)
            continue;
        uint32_t line = R->file.runs.v[k].line, from = line;
        if (line >= 2 && !strncmp(R->best.v[line - 2], "; trap:", 7))
            from = line - 1;
        rlines c = rl_copy(&R->best);
        rl_delete(&c, from, line);
        any |= try_cand(R, &c);
    }
    return any;
}

/* The signature text of function f's header: "(i32) -> i64 tail" of
 * "function %f(i32) -> i64 tail {"; NULL if it cannot be found. */
static char *sig_text(const red *R, const ir_function *f)
{
    if (f->line < 1 || f->line > R->best.n)
        return NULL;
    const char *h = R->best.v[f->line - 1], *p = strchr(h, '('), *e = strrchr(h, '{');
    if (!p || !e || e < p)
        return NULL;
    while (e > p && e[-1] == ' ')
        e--;
    return xstrndup(p, (size_t)(e - p));
}

/* A run line moved to an earlier function of the same signature (the run
 * line belongs to the function it follows): a %main that only calls the
 * one that goes wrong can then go. */
static bool pass_retarget(red *R)
{
    bool any = false;
    for (uint32_t k = R->file.runs.n; k-- > 0;) {
        /* only to an earlier function, so that moves cannot go round */
        for (uint32_t j = 0; k < R->file.runs.n && j < R->file.runs.v[k].func; j++) {
            const ir_run_cmd *rc = &R->file.runs.v[k];
            const ir_function *from = R->file.funcs.v[rc->func], *to = R->file.funcs.v[j];
            if (j == rc->func || to->name.kind != IR_NAME_TESTCASE)
                continue;
            char *a = sig_text(R, from), *b = sig_text(R, to);
            bool same_sig = a && b && !strcmp(a, b);
            free(a), free(b);
            if (!same_sig)
                continue;
            /* "; run: %name(args) == ...": the name is between '%' and '(' */
            const char *line = R->best.v[rc->line - 1], *p = strchr(line, '%'), *q = p ? strchr(p, '(') : NULL;
            if (!q)
                continue;
            uint32_t line_no = rc->line, first = line_no;
            if (line_no >= 2 && !strncmp(R->best.v[line_no - 2], "; trap:", 7))
                first = line_no - 1;
            /* the line as it was, another name: its comparison stays */
            char *moved = fmt("%.*s%%%s%s", (int)(p - line), line, to->name.str, q);
            rlines c = rl_copy(&R->best);
            uint32_t after = to->end_line;
            rl_delete(&c, first, line_no);
            if (after >= first)
                after -= line_no - first + 1;
            rl_insert(&c, after, moved);
            any |= try_cand(R, &c);
        }
    }
    return any;
}

static bool pass_functions(red *R)
{
    bool any = false;
    for (uint32_t k = R->file.funcs.n; k-- > 0;) {
        if (k >= R->file.funcs.n || R->file.funcs.n < 2)
            continue;
        const ir_function *f = R->file.funcs.v[k];
        uint32_t to = f->end_line;
        /* run lines after it go too: they would fall to the function before */
        while (to < R->best.n && R->best.v[to][0] == ';')
            to++;
        rlines c = rl_copy(&R->best);
        rl_delete(&c, f->line, to);
        any |= try_cand(R, &c);
    }
    return any;
}

/* Declarations (ssN, sigN, fnN ...) and blank lines of the preambles. */
static bool pass_decls(red *R)
{
    bool any = false;
    for (uint32_t k = R->file.funcs.n; k-- > 0;) {
        if (k >= R->file.funcs.n)
            continue;
        const ir_function *f = R->file.funcs.v[k];
        uint32_t first = f->layout.n ? f->blocks.v[f->layout.v[0]].line : f->end_line;
        for (uint32_t l = first; l-- > f->line + 1;) {
            if (k >= R->file.funcs.n)
                break;
            rlines c = rl_copy(&R->best);
            rl_delete(&c, l, l);
            any |= try_cand(R, &c);
            f = R->file.funcs.v[k];
        }
    }
    return any;
}

/* Instructions whose results nobody uses, all at once, else one by one. */
static bool pass_dce(red *R)
{
    bool any = false;
    for (int round = 0; round < 2; round++) {
        IR_VEC(uint32_t) dead = {0};
        for (uint32_t k = 0; k < R->file.funcs.n; k++) {
            const ir_function *f = R->file.funcs.v[k];
            uint32_t *u = use_counts(f);
            for (uint32_t i = 0; i < f->insts.n; i++) {
                const ir_inst_data *in = &f->insts.v[i];
                if (!in->nres || in->block == IR_NONE || (round == 0 && has_side_effect(in)) ||
                    (ir_opcodes[in->op].flags & IR_OPF_TERMINATOR))
                    continue;
                bool used = false;
                for (uint32_t r = 0; r < in->nres; r++)
                    used |= u[ir_inst_results(f, i)[r]] != 0;
                if (!used)
                    ir_vec_push(&dead, in->line);
            }
            free(u);
        }
        if (!dead.n) {
            ir_vec_free(&dead);
            continue;
        }
        /* highest line first, so deleting keeps the others' numbers */
        for (uint32_t a = 0; a < dead.n; a++)
            for (uint32_t b = a + 1; b < dead.n; b++)
                if (dead.v[b] > dead.v[a]) {
                    uint32_t t = dead.v[a];
                    dead.v[a] = dead.v[b], dead.v[b] = t;
                }
        rlines c = rl_copy(&R->best);
        for (uint32_t a = 0; a < dead.n; a++)
            if (a == 0 || dead.v[a] != dead.v[a - 1])
                rl_delete(&c, dead.v[a], dead.v[a]);
        if (try_cand(R, &c)) {
            any = true;
        } else {
            for (uint32_t a = 0; a < dead.n; a++) {
                rlines c1 = rl_copy(&R->best);
                rl_delete(&c1, dead.v[a], dead.v[a]);
                any |= try_cand(R, &c1);
            }
        }
        ir_vec_free(&dead);
    }
    return any;
}

/* The instruction (function k) written on line l, IR_NONE if none. */
static uint32_t inst_at(const ir_function *f, uint32_t l)
{
    for (uint32_t i = 0; i < f->insts.n; i++)
        if (f->insts.v[i].line == l && f->insts.v[i].block != IR_NONE)
            return i;
    return IR_NONE;
}

/* The instruction on line l of the file and its function (*k), or IR_NONE. */
static uint32_t file_inst_at(const red *R, uint32_t l, uint32_t *k)
{
    for (*k = 0; *k < R->file.funcs.n; (*k)++) {
        const ir_function *f = R->file.funcs.v[*k];
        uint32_t i;
        if (l > f->line && l < f->end_line && (i = inst_at(f, l)) != IR_NONE)
            return i;
    }
    return IR_NONE;
}

/* Values that can stand for result v of instruction i: same-typed
 * operands, values defined before i in its block, the entry block's
 * parameters.  Up to max. */
static unsigned stand_ins(const ir_function *f, const facts *F, uint32_t i, uint32_t v, uint32_t *out,
                          unsigned max)
{
    ir_type t = f->values.v[v].type;
    unsigned n = 0;
#define TAKE(x) do { if (f->values.v[x].type == t && (x) != v && !(F && F->addr[x])) out[n++] = (x); } while (0)
    const uint32_t *a = ir_inst_args(f, i);
    for (uint32_t k = 0; k < f->insts.v[i].nargs && n < max; k++)
        TAKE(ir_value_resolve(f, a[k]));
    for (uint32_t j = f->insts.v[i].prev; j != IR_NONE && n < max; j = f->insts.v[j].prev)
        for (uint32_t r = 0; r < f->insts.v[j].nres && n < max; r++)
            TAKE(ir_inst_results(f, j)[r]);
    const ir_block_data *bd = &f->blocks.v[f->insts.v[i].block];
    for (uint32_t p = 0; p < bd->nparams && n < max; p++)
        TAKE(f->pool.v[bd->params + p]);
    if (f->layout.n) {
        const ir_block_data *e = &f->blocks.v[f->layout.v[0]];
        for (uint32_t p = 0; p < e->nparams && n < max && e != bd; p++)
            TAKE(f->pool.v[e->params + p]);
    }
#undef TAKE
    return n;
}

/* Each instruction, bottom up: removed, its results' uses given other
 * values; or its result made a constant. */
static bool pass_subst(red *R)
{
    bool any = false;
    for (uint32_t l = R->best.n; l > 0; l--) {
        uint32_t k, i = file_inst_at(R, l, &k);
        if (i == IR_NONE)
            continue;
        const ir_function *f = R->file.funcs.v[k];
        const ir_inst_data *in = &f->insts.v[i];
        if (ir_opcodes[in->op].flags & IR_OPF_TERMINATOR)
            continue;
        facts F = {0};
        if (R->safe)
            F = analyse(f);
        if (!in->nres) {
            bool may = !R->safe || R->stores_free || !(ir_opcodes[in->op].flags & IR_OPF_CAN_STORE) ||
                       store_may_go(f, &F, i);
            facts_free(&F);
            if (may) {
                rlines c = rl_copy(&R->best);
                rl_delete(&c, l, l);
                any |= try_cand(R, &c);
            }
            continue;
        }
        uint32_t cands[4][6], nc[4] = {0}, nres = in->nres < 4 ? in->nres : 4;
        unsigned options = 6;
        /* not even a constant for what a notrap address is computed from */
        bool no_const = R->safe && in->nres == 1 && F.ntfeeds[ir_inst_results(f, i)[0]];
        for (uint32_t r = 0; r < nres; r++) {
            uint32_t v = ir_inst_results(f, i)[r];
            /* an address, or what one is computed from: only a constant will do */
            nc[r] = R->safe && (F.addr[v] || F.feeds[v]) ? 0 : stand_ins(f, R->safe ? &F : NULL, i, v, cands[r], 6);
            if (nc[r] < options)
                options = nc[r];
        }
        facts_free(&F);
        bool done = false;
        for (unsigned o = 0; o < options && !done && nres == in->nres; o++) {
            rlines c = rl_copy(&R->best);
            for (uint32_t r = 0; r < nres; r++) {
                char from[16], to[16];
                snprintf(from, sizeof from, "v%u", ir_inst_results(f, i)[r]);
                snprintf(to, sizeof to, "v%u", cands[r][o]);
                subst(&c, f->line, f->end_line, from, to);
            }
            rl_delete(&c, l, l);
            done = try_cand(R, &c);
        }
        if (!done && in->nres == 1 && !no_const) {
            ir_opcode op = (ir_opcode)in->op;
            bool is_const = op == IR_OP_iconst || op == IR_OP_f32const || op == IR_OP_f64const || op == IR_OP_vconst;
            uint32_t v = ir_inst_results(f, i)[0];
            char *cl = is_const ? NULL : const_line(v, f->values.v[v].type, 0);
            if (cl) {
                rlines c = rl_copy(&R->best);
                rl_set(&c, l, cl);
                done = try_cand(R, &c);
            }
        }
        any |= done;
    }
    return any;
}

/* brif and br_table become a jump to one of their destinations. */
static bool pass_branches(red *R)
{
    bool any = false;
    for (uint32_t l = R->best.n; l > 0; l--) {
        const char *s = R->best.v[l - 1];
        const char *p = s + strspn(s, " \t");
        bool brif = !strncmp(p, "brif ", 5), table = !strncmp(p, "br_table ", 9);
        if (!brif && !table)
            continue;
        /* the destinations: after the condition, split at top-level commas */
        const char *q = strchr(p, ',');
        if (!q)
            continue;
        fuzz_buf wrapped = {0};
        fuzz_buf_printf(&wrapped, "(%s)", q + 1);
        const char *it[64], *ie[64], *close;
        unsigned n = list_items(wrapped.s, it, ie, 64, &close);
        char *dests[64];
        unsigned nd = 0;
        for (unsigned k = 0; k < n && nd < 64; k++) {
            const char *a = it[k], *e = ie[k];
            while (e > a && e[-1] == ' ')
                e--;
            if (*a == '[') {    /* the table's entries */
                const char *jt[64], *je[64], *jc;
                unsigned m = list_items(a, jt, je, 64, &jc);
                for (unsigned j = 0; j < m && nd < 64; j++) {
                    const char *x = je[j];
                    while (x > jt[j] && x[-1] == ' ')
                        x--;
                    dests[nd++] = xstrndup(jt[j], (size_t)(x - jt[j]));
                }
            } else {
                dests[nd++] = xstrndup(a, (size_t)(e - a));
            }
        }
        fuzz_buf_free(&wrapped);
        bool done = false;
        for (unsigned k = 0; k < nd; k++) {
            if (!done) {
                rlines c = rl_copy(&R->best);
                rl_set(&c, l, fmt("%.*sjump %s", (int)(p - s), s, dests[k]));
                done = try_cand(R, &c);
            }
            free(dests[k]);
        }
        any |= done;
    }
    return any;
}

/* Blocks no branch reaches, all at once. */
static bool pass_unreachable(red *R)
{
    rlines c = rl_copy(&R->best);
    bool cut = false;
    for (uint32_t k = R->file.funcs.n; k-- > 0;) {
        const ir_function *f = R->file.funcs.v[k];
        uint32_t nb = f->blocks.n;
        uint8_t *seen = calloc(nb + 1, 1);
        uint32_t *stack = calloc(nb + 1, sizeof *stack), sp = 0;
        if (f->layout.n)
            seen[f->layout.v[0]] = 1, stack[sp++] = f->layout.v[0];
        while (sp) {
            uint32_t b = stack[--sp];
            for (uint32_t i = f->blocks.v[b].first; i != IR_NONE; i = f->insts.v[i].next) {
                uint32_t offs[256];
                unsigned n = block_calls(f, i, offs, 256);
                for (unsigned j = 0; j < n; j++) {
                    uint32_t t = f->pool.v[offs[j]];
                    if (t < nb && !seen[t])
                        seen[t] = 1, stack[sp++] = t;
                }
                if (i == f->blocks.v[b].last)
                    break;
            }
        }
        /* bottom up, so earlier line numbers hold */
        for (uint32_t j = f->layout.n; j-- > 1;) {
            uint32_t b = f->layout.v[j];
            if (!seen[b]) {
                rl_delete(&c, f->blocks.v[b].line, block_end_line(f, b));
                cut = true;
            }
        }
        free(seen);
        free(stack);
    }
    if (!cut) {
        rl_free(&c);
        return false;
    }
    return try_cand(R, &c);
}

/* `jump blockN(args)` to a block only it reaches: the block's body takes
 * the jump's place, its parameters replaced by the arguments. */
static bool pass_merge(red *R)
{
    bool any = false;
    for (uint32_t l = R->best.n; l > 0; l--) {
        uint32_t k, i = file_inst_at(R, l, &k);
        if (i == IR_NONE)
            continue;
        const ir_function *f = R->file.funcs.v[k];
        const ir_inst_data *in = &f->insts.v[i];
        if (in->op != IR_OP_jump)
            continue;
        const uint32_t *bc = &f->pool.v[in->ent];
        uint32_t b = bc[0];
        uint32_t *preds = pred_counts(f);
        bool single = preds[b] == 1 && f->layout.n && b != f->layout.v[0] && b != in->block;
        free(preds);
        if (!single)
            continue;
        const ir_block_data *bd = &f->blocks.v[b];
        uint32_t hdr = bd->line, end = block_end_line(f, b);
        if (hdr <= l && end >= l)
            continue;
        rlines c = rl_copy(&R->best);
        for (uint32_t p = 0; p < bd->nparams && p < bc[1]; p++) {
            char from[16], to[16];
            snprintf(from, sizeof from, "v%u", f->pool.v[bd->params + p]);
            snprintf(to, sizeof to, "v%u", bc[2 + p]);
            subst(&c, f->line, f->end_line, from, to);
        }
        /* move the body (without its header) to the jump's line */
        uint32_t nbody = end - hdr;
        char **body = malloc((nbody + 1) * sizeof *body);
        for (uint32_t j = 0; j < nbody; j++)
            body[j] = xstrndup(c.v[hdr + j], strlen(c.v[hdr + j]));
        if (hdr > l) {
            rl_delete(&c, hdr, end);
            rl_delete(&c, l, l);
            for (uint32_t j = nbody; j-- > 0;)
                rl_insert(&c, l - 1, body[j]);
        } else {
            rl_delete(&c, l, l);
            for (uint32_t j = nbody; j-- > 0;)
                rl_insert(&c, l - 1, body[j]);
            rl_delete(&c, hdr, end);
        }
        free(body);
        any |= try_cand(R, &c);
    }
    return any;
}

/* A block parameter becomes a constant defined at the block's start, and
 * every branch to the block loses that argument. */
static bool pass_params(red *R)
{
    bool any = false;
    for (uint32_t k = R->file.funcs.n; k-- > 0;) {
        for (uint32_t b = 0; k < R->file.funcs.n && b < R->file.funcs.v[k]->blocks.n; b++) {
            for (uint32_t p = 0;; p++) {
                const ir_function *f = R->file.funcs.v[k];
                if (b >= f->blocks.n || !f->layout.n || b == f->layout.v[0] || !f->blocks.v[b].in_layout)
                    break;
                const ir_block_data *bd = &f->blocks.v[b];
                if (p >= bd->nparams)
                    break;
                uint32_t v = f->pool.v[bd->params + p];
                char *cl = const_line(v, f->values.v[v].type, 0);
                if (!cl)
                    continue;
                char name[16];
                snprintf(name, sizeof name, "block%u", b);
                rlines c = rl_copy(&R->best);
                for (uint32_t l = f->line; l < f->end_line; l++) {
                    char *nl = drop_item(c.v[l - 1], name, p);
                    if (nl)
                        rl_set(&c, l, nl);
                }
                rl_insert(&c, bd->line, cl);
                if (try_cand(R, &c)) {
                    any = true;
                    p--;
                }
            }
        }
    }
    return any;
}

/* The text a function's name is written as: "%f" or "u0:1". */
static void fname(const ir_function *f, char *buf, size_t n)
{
    if (f->name.kind == IR_NAME_TESTCASE)
        snprintf(buf, n, "%%%s", f->name.str);
    else
        snprintf(buf, n, "u%u:%u", f->name.ns, f->name.index);
}

/* Line l (1-based) of function k's preamble that starts with `what`. */
static uint32_t preamble_line(const rlines *r, const ir_function *f, const char *what)
{
    uint32_t first = f->layout.n ? f->blocks.v[f->layout.v[0]].line : f->end_line;
    size_t n = strlen(what);
    for (uint32_t l = f->line + 1; l < first && l <= r->n; l++) {
        const char *s = r->v[l - 1] + strspn(r->v[l - 1], " \t");
        if (!strncmp(s, what, n))
            return l;
    }
    return 0;
}

/* Item p out of the first parenthesised list of line l. */
static bool drop_first(rlines *c, uint32_t l, unsigned p)
{
    const char *s = c->v[l - 1], *open = strchr(s, '(');
    if (!open)
        return false;
    /* name the list by what precedes it, so drop_item finds it */
    const char *start = open;
    while (start > s && word_char(start[-1]))
        start--;
    if (start == open) {
        /* "sigN = (i32, i64)": no name before the parenthesis */
        fuzz_buf b = {0};
        fuzz_buf_put(&b, s, (size_t)(open - s));
        fuzz_buf_put(&b, "X", 1);
        fuzz_buf_put(&b, open, strlen(open));
        char *t = drop_item(b.s, "X", p);
        fuzz_buf_free(&b);
        if (!t)
            return false;
        char *x = strstr(t, "X");
        memmove(x, x + 1, strlen(x));
        rl_set(c, l, t);
        return true;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(open - start), start);
    char *t = drop_item(s, name, p);
    if (!t)
        return false;
    rl_set(c, l, t);
    return true;
}

/* An unused function parameter goes: from the signature, the entry block,
 * every declaration of the function, every call and every run line. */
static bool pass_fparams(red *R)
{
    bool any = false;
    for (uint32_t k = R->file.funcs.n; k-- > 0;) {
        for (uint32_t p = k < R->file.funcs.n ? R->file.funcs.v[k]->sig.nparams : 0; p-- > 0;) {
            const ir_function *f = R->file.funcs.v[k];
            if (p >= f->sig.nparams || !f->layout.n ||
                f->abi_params.v[f->sig.params + p].purpose != IR_PURPOSE_NORMAL)
                continue;
            const ir_block_data *e = &f->blocks.v[f->layout.v[0]];
            if (p >= e->nparams)
                continue;
            uint32_t v = f->pool.v[e->params + p];
            uint32_t *u = use_counts(f);
            bool used = u[v] != 0;
            free(u);
            if (used)   /* a constant instead would cost a line: other passes free it first */
                continue;
            char name[64], bname[32];
            fname(f, name, sizeof name);
            snprintf(bname, sizeof bname, "block%u", f->layout.v[0]);
            rlines c = rl_copy(&R->best);
            bool ok = true;
            /* callers first: their lines do not move */
            for (uint32_t j = 0; j < R->file.funcs.n && ok; j++) {
                const ir_function *g = R->file.funcs.v[j];
                for (uint32_t x = 0; x < g->func_refs.n && ok; x++) {
                    const ir_func_ref *fr = &g->func_refs.v[x];
                    if (fr->name.kind != f->name.kind ||
                        (fr->name.kind == IR_NAME_TESTCASE ? strcmp(fr->name.str, f->name.str)
                                                           : fr->name.ns != f->name.ns || fr->name.index != f->name.index))
                        continue;
                    char fn[16], sg[16];
                    snprintf(fn, sizeof fn, "fn%u", x);
                    snprintf(sg, sizeof sg, "sig%u", fr->sig);
                    uint32_t dl = preamble_line(&c, g, fn);
                    char *inl = dl ? drop_item(c.v[dl - 1], name, p) : NULL;
                    if (inl) {
                        rl_set(&c, dl, inl);
                    } else {
                        char what[24];
                        snprintf(what, sizeof what, "%s =", sg);
                        uint32_t sl = preamble_line(&c, g, what);
                        ok = sl && drop_first(&c, sl, p);
                    }
                    for (uint32_t l = g->line; l < g->end_line && ok; l++) {
                        char *t = drop_item(c.v[l - 1], fn, p);
                        if (t)
                            rl_set(&c, l, t);
                        const char *ci = strstr(c.v[l - 1], "call_indirect ");
                        if (ci && strstr(ci, sg) == ci + 14) {
                            const char *callee = strchr(ci + 14, ' ');
                            char cv[24];
                            if (callee && sscanf(callee + 1, "%20[v0-9]", cv) == 1 && (t = drop_item(c.v[l - 1], cv, p)))
                                rl_set(&c, l, t);
                        }
                    }
                }
            }
            for (uint32_t r = 0; r < R->file.runs.n && ok; r++)
                if (R->file.runs.v[r].func == k) {
                    char *t = drop_item(c.v[R->file.runs.v[r].line - 1], name, p);
                    if (t)
                        rl_set(&c, R->file.runs.v[r].line, t);
                }
            char *t1 = ok ? drop_item(c.v[f->line - 1], name, p) : NULL;
            char *t2 = ok ? drop_item(c.v[e->line - 1], bname, p) : NULL;
            if (!t1 || !t2) {
                free(t1), free(t2);
                rl_free(&c);
                continue;
            }
            rl_set(&c, f->line, t1);
            rl_set(&c, e->line, t2);
            any |= try_cand(R, &c);
        }
    }
    return any;
}

/* Constants and run-line arguments towards 0 and 1. */
static bool pass_consts(red *R)
{
    bool any = false;
    for (uint32_t l = R->best.n; l > 0; l--) {
        const char *s = R->best.v[l - 1];
        const char *p = strstr(s, " = iconst.");
        const char *fc = strstr(s, " = f32const ") ? strstr(s, " = f32const ") : strstr(s, " = f64const ");
        if (p) {
            const char *num = strchr(p + 10, ' ');
            if (!num)
                continue;
            size_t at = (size_t)(num + 1 - s);
            long long x = strtoll(s + at, NULL, 0);
            bool neg = s[at] == '-';
            unsigned long long ux = strtoull(s + at + neg, NULL, 0);
            /* 0, else 1, else halved for as long as that holds */
            for (unsigned t = 0; t < 66; t++) {
                char repl[32];
                if (t < 2)
                    snprintf(repl, sizeof repl, "%u", t);
                else if ((ux /= 2) >= 2)
                    snprintf(repl, sizeof repl, "%s%llu", neg ? "-" : "", ux);
                else
                    break;
                if (t < 2 && x == (long long)t)
                    break;
                rlines c = rl_copy(&R->best);
                rl_set(&c, l, fmt("%.*s%s", (int)at, R->best.v[l - 1], repl));
                bool ok = try_cand(R, &c);
                any |= ok;
                if ((t < 2 && ok) || (t >= 2 && !ok))
                    break;
            }
        } else if (fc) {
            const char *num = fc + 12;
            if (!strcmp(num, "0.0"))
                continue;
            rlines c = rl_copy(&R->best);
            rl_set(&c, l, fmt("%.*s0.0", (int)(num - s), s));
            any |= try_cand(R, &c);
        } else if (!strncmp(s, "; run: ", 7) || !strncmp(s, "; print: ", 9)) {
            const char *open = strchr(s, '(');
            if (!open)
                continue;
            for (unsigned a = 0;; a++) {
                s = R->best.v[l - 1];
                open = strchr(s, '(');
                const char *it[64], *ie[64], *close;
                unsigned n = list_items(open, it, ie, 64, &close);
                if (a >= n || !close)
                    break;
                const char *e = ie[a];
                while (e > it[a] && e[-1] == ' ')
                    e--;
                size_t len = (size_t)(e - it[a]);
                if (*it[a] == '[' || (len == 1 && *it[a] == '0') || !strncmp(it[a], "0.0", len))
                    continue;
                bool flt = memchr(it[a], '.', len) || memchr(it[a], 'p', len) || memchr(it[a], 'N', len) ||
                           memchr(it[a], 'I', len);
                rlines c = rl_copy(&R->best);
                rl_set(&c, l, fmt("%.*s%s%s", (int)(it[a] - s), s, flt ? "0.0" : "0", e));
                any |= try_cand(R, &c);
            }
        }
    }
    return any;
}

/* `set` lines and the target line's flags. */
static bool pass_settings(red *R)
{
    bool any = false;
    for (uint32_t l = R->best.n; l > 0; l--) {
        const char *s = R->best.v[l - 1];
        if (!strncmp(s, "set ", 4)) {
            rlines c = rl_copy(&R->best);
            rl_delete(&c, l, l);
            any |= try_cand(R, &c);
        } else if (!strncmp(s, "target ", 7) && strchr(s + 7, ' ')) {
            rlines c = rl_copy(&R->best);
            rl_set(&c, l, fmt("%.*s", (int)(strchr(s + 7, ' ') - s), s));
            any |= try_cand(R, &c);
        }
    }
    return any;
}

/* Comment lines (but not `; trap:`, `; run:`, `; print:`) and blank lines,
 * but one before each function. */
static bool pass_comments(red *R)
{
    rlines c = rl_copy(&R->best);
    bool cut = false;
    for (uint32_t l = c.n; l > 0; l--) {
        const char *s = c.v[l - 1] + strspn(c.v[l - 1], " \t");
        bool keep = !strncmp(s, "; trap:", 7) || !strncmp(s, "; run", 5) || !strncmp(s, "; print", 7);
        bool spacer = !*s && l < c.n && !strncmp(c.v[l], "function", 8) && l > 1 && c.v[l - 2][0];
        if ((!*s && !spacer) || (*s == ';' && !keep)) {
            rl_delete(&c, l, l);
            cut = true;
        }
    }
    if (!cut) {
        rl_free(&c);
        return false;
    }
    return try_cand(R, &c);
}

typedef struct pass {
    const char *name;
    bool (*run)(red *R);
} pass;

static const pass passes[] = {
    {"run lines", pass_runs},     {"run lines moved", pass_retarget},
    {"functions", pass_functions}, {"dead code", pass_dce},
    {"branches", pass_branches},  {"unreachable blocks", pass_unreachable},
    {"instructions", pass_subst}, {"block merging", pass_merge}, {"block parameters", pass_params},
    {"function parameters", pass_fparams},
    {"constants", pass_consts},   {"declarations", pass_decls},  {"settings", pass_settings},
    {"comments", pass_comments},
};

bool fuzz_reduce(const char *path, const char *text, size_t len, fuzz_pred_fn pred, void *arg, unsigned flags,
                 fuzz_buf *out, fuzz_reduce_stats *st, FILE *log, ir_diag *d)
{
    fuzz_reduce_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    red R = {.path = path, .pred = pred, .arg = arg, .st = st, .safe = (flags & FUZZ_REDUCE_SAFE) != 0,
           .stores_free = (flags & FUZZ_REDUCE_STORES_FREE) != 0};
    R.best = split(text, len);
    st->lines_in = st->lines_out = R.best.n;
    size_t n;
    R.src = join(&R.best, &n);
    if (!parse(&R.file, path, R.src, n, d)) {
        d->src = text, d->len = len;    /* the caller's: R.src goes */
        rl_free(&R.best);
        ir_file_free(&R.file);
        free(R.src);
        return false;
    }
    st->tests++;
    if (!pred(arg, R.src, n)) {
        ir_diag_set(d, 0, 0, "the file is not interesting to begin with: the predicate does not hold for it");
        rl_free(&R.best);
        ir_file_free(&R.file);
        free(R.src);
        return false;
    }
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
            uint32_t before = R.best.n;
            bool got = passes[p].run(&R);
            if (got && log)
                fprintf(log, "reduce: %s: %u lines (was %u)\n", passes[p].name, R.best.n, before);
            progress |= got;
        }
    }
    st->lines_out = R.best.n;
    fuzz_buf_put(out, R.src, strlen(R.src));
    rl_free(&R.best);
    ir_file_free(&R.file);
    free(R.src);
    return true;
}
