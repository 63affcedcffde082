/* The differential driver: a file's run lines through the reference and
 * through the JIT of the host, compiled once per register allocator, each
 * call under lib/run's guard with a timeout.  Any difference is a
 * disagreement: a value (bit for bit), a trap against none, another trap
 * code, a crash (a signal not at a trap site), a timeout, or a compile
 * error where the reference runs. */
#include "internal.h"

#include <string.h>

#include "filetest/filetest.h"
#include "reader/reader.h"
#include "verify/verify.h"

struct fuzz_ctx {
    fuzz_opts o;
    jit_ctx *jit;
    bool pred_started;      /* fuzz_pred_disagree has seen the reducer's input */
    bool nan_ok;            /* ... whose only differences were NaN payloads */
    bool in_pred;           /* fuzz_pred_disagree is checking: no other_level */
};

fuzz_ctx *fuzz_ctx_new(const fuzz_opts *o, ir_diag *d)
{
    fuzz_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        ir_diag_set(d, 0, 0, "out of memory");
        return NULL;
    }
    c->o = *o;
    if (!c->o.timeout)
        c->o.timeout = 2;
    if (!c->o.max_steps)
        c->o.max_steps = 10000000;
    if (!c->o.allocators)
        c->o.allocators = 1u << CG_RA_LINEAR | 1u << CG_RA_LOCAL | 1u << CG_RA_SPILL;
    jit_error err;
    c->jit = ft_ctx_new(false, &err);
    if (!c->jit) {
        ir_diag_set(d, 0, 0, "cannot create the JIT: %s", err.msg);
        free(c);
        return NULL;
    }
    return c;
}

void fuzz_ctx_free(fuzz_ctx *c)
{
    if (!c)
        return;
    jit_ctx_free(c->jit);
    free(c);
}

const char *fuzz_reference_name(void) { return "interpreter"; }

/* Parse and verify text (NUL-terminated) into file. */
static bool load_text(ir_file *file, const char *path, const char *text, size_t len, ir_diag *d)
{
    memset(d, 0, sizeof *d);
    bool ok = reader_parse_file(file, path, text, len, d);
    for (uint32_t i = 0; ok && i < file->funcs.n; i++)
        ok = ir_legacy_rewrite(file->funcs.v[i], d) && verify_function(file->funcs.v[i], d);
    d->file = path, d->src = text, d->len = len;
    return ok;
}

/* The first target line of the file that runs here. */
static bool host_target(const ir_file *file, cg_target *t, char *why, size_t n, ir_diag *d, bool *err)
{
    *err = false;
    if (!file->targets.n) {
        ft_verdict v = ft_target(file, IR_NONE, JIT_ARCH_HOST, t, why, n, d);
        *err = v == FT_ERROR;
        return v == FT_RUN;
    }
    for (uint32_t i = 0; i < file->targets.n; i++) {
        ft_verdict v = ft_target(file, i, JIT_ARCH_HOST, t, why, n, d);
        if (v == FT_RUN)
            return true;
        if (v == FT_ERROR) {
            *err = true;
            return false;
        }
    }
    return false;
}

static void from_run(fuzz_outcome *o, run_status st, const run_outcome *oc, const ir_data_value *vals,
                     uint32_t nvals)
{
    memset(o, 0, sizeof *o);
    snprintf(o->msg, sizeof o->msg, "%s", oc->msg);
    switch (st) {
    case RUN_OK:
        o->status = FUZZ_OK;
        o->nvals = nvals < 16 ? nvals : 16;
        memcpy(o->vals, vals, o->nvals * sizeof *vals);
        return;
    case RUN_TRAP: {
        /* "trap: int_divz at %f+0x1c" is a trap; "trap: SIGSEGV at ..." a crash */
        const char *w = oc->msg;
        if (!strncmp(w, "trap: ", 6))
            w += 6;
        size_t n = strcspn(w, " ");
        ir_trapcode tc;
        if (ir_trapcode_parse(w, n, &tc)) {
            o->status = FUZZ_TRAP, o->trap = tc;
        } else {
            o->status = FUZZ_CRASH;
        }
        return;
    }
    case RUN_TIMEOUT:
    case RUN_INTERRUPTED:
        o->status = FUZZ_TIMEOUT;
        return;
    default:
        o->status = FUZZ_ERROR;
        return;
    }
}

static bool same(const fuzz_outcome *a, const fuzz_outcome *b)
{
    if (a->status != b->status)
        return false;
    switch (a->status) {
    case FUZZ_OK:
        if (a->nvals != b->nvals)
            return false;
        for (uint32_t i = 0; i < a->nvals; i++)
            if (!run_value_eq(&a->vals[i], &b->vals[i]))
                return false;
        return true;
    case FUZZ_TRAP:
        return a->trap == b->trap;
    default:
        return false;   /* a crash, timeout or error is never an agreement */
    }
}

/* Do a and b differ only in NaN payloads (every differing float lane is a
 * NaN on both sides)? */
static bool nan_only(const fuzz_outcome *a, const fuzz_outcome *b)
{
    if (a->status != FUZZ_OK || b->status != FUZZ_OK || a->nvals != b->nvals)
        return false;
    for (uint32_t i = 0; i < a->nvals; i++) {
        const ir_data_value *x = &a->vals[i], *y = &b->vals[i];
        if (run_value_eq(x, y))
            continue;
        ir_type lt = ir_type_lane(x->type);
        if (x->type != y->type || !ir_type_is_float(lt))
            return false;
        unsigned lb = ir_type_lane_bits(x->type) / 8, mbits = lb == 2 ? 10 : lb == 4 ? 23 : lb == 8 ? 52 : 112;
        for (unsigned k = 0; k < ir_type_lanes(x->type); k++) {
            unsigned __int128 p = 0, q = 0, one = 1;
            memcpy(&p, x->bytes + k * lb, lb), memcpy(&q, y->bytes + k * lb, lb);
            if (p == q)
                continue;
            unsigned __int128 man = (one << mbits) - 1, exp = ((one << (lb * 8 - 1)) - 1) & ~man;
            if ((p & exp) != exp || !(p & man) || (q & exp) != exp || !(q & man))
                return false;
        }
    }
    return true;
}

void fuzz_outcome_format(const fuzz_outcome *o, char *buf, size_t n)
{
    char tb[16];
    switch (o->status) {
    case FUZZ_OK: {
        size_t k = 0;
        buf[0] = 0;
        for (uint32_t i = 0; i < o->nvals && k + 1 < n; i++) {
            if (i)
                k += (size_t)snprintf(buf + k, n - k, ", ");
            if (k + 1 < n)
                k += (size_t)run_value_format_lanes(buf + k, n - k, &o->vals[i]);
        }
        if (!o->nvals)
            snprintf(buf, n, "no results");
        return;
    }
    case FUZZ_TRAP:
        snprintf(buf, n, "trap %s", ir_trapcode_name(o->trap, tb));
        return;
    case FUZZ_CRASH:
        snprintf(buf, n, "crash (%s)", o->msg);
        return;
    case FUZZ_TIMEOUT:
        snprintf(buf, n, "timeout");
        return;
    default:
        snprintf(buf, n, "error: %s", o->msg);
        return;
    }
}

/* Every run line of file through the JIT with allocator ra: outs[i]. */
static void run_jit(fuzz_ctx *c, const ir_file *file, const cg_target *t0, unsigned ra, fuzz_outcome *outs,
                    const bool *wanted, bool *internal, double timeout)
{
    cg_target t = *t0;
    t.regalloc = (uint8_t)ra;
    ft_module m;
    ir_diag d;
    bool built = ft_module_build(&m, c->jit, file, &t, 0, &d);
    for (uint32_t i = 0; i < file->runs.n; i++) {
        const ir_run_cmd *rc = &file->runs.v[i];
        if (!built) {
            memset(&outs[i], 0, sizeof outs[i]);
            outs[i].status = FUZZ_ERROR;
            snprintf(outs[i].msg, sizeof outs[i].msg, "%u:%u: %.200s", d.line, d.col, d.msg);
            if (internal && strstr(d.msg, "internal error"))
                *internal = true;
            continue;
        }
        if (wanted && !wanted[i]) {     /* the reference cannot compare it */
            memset(&outs[i], 0, sizeof outs[i]);
            outs[i].status = FUZZ_ERROR;
            continue;
        }
        const ir_function *fn = file->funcs.v[rc->func];
        ir_data_value res[64] = {{0}};
        uint32_t nr = fn->sig.nrets < 64 ? fn->sig.nrets : 64;
        run_outcome oc;
        run_status st = fn->sig.nrets <= 64
                            ? ft_call(&m, rc->func, rc->nargs ? &file->data.v[rc->args] : NULL, rc->nargs, res,
                                      timeout, &oc)
                            : RUN_ERROR;
        from_run(&outs[i], st, &oc, res, nr);
    }
    if (built)
        ft_module_free(&m);
}

/* Did the reference trap at a memory access marked notrap? */
static bool notrap_fault(const ir_file *file, const interp_outcome *out)
{
    if (out->func >= file->funcs.n)
        return false;
    const ir_function *fn = file->funcs.v[out->func];
    if (out->inst >= fn->insts.n)
        return false;
    const ir_inst_data *in = &fn->insts.v[out->inst];
    unsigned fl = ir_opcodes[in->op].flags;
    return (fl & (IR_OPF_CAN_LOAD | IR_OPF_CAN_STORE)) && !(fl & IR_OPF_CALL) && in->mf.trap == IR_TRAP_NONE;
}

/* Every run line of file through the interpreter: outs[i]. */
static void run_interp(fuzz_ctx *c, const ir_file *file, fuzz_outcome *outs, uint8_t fill)
{
    interp_ctx *ic = interp_new(file);
    for (uint32_t i = 0; i < file->runs.n; i++) {
        const ir_run_cmd *rc = &file->runs.v[i];
        fuzz_outcome *o = &outs[i];
        memset(o, 0, sizeof *o);
        ir_diag d = {0};
        if (!ic || !interp_supported(ic, rc->func, &d)) {
            o->status = FUZZ_ERROR;
            snprintf(o->msg, sizeof o->msg, "%u:%u: %.200s", d.line, d.col, ic ? d.msg : "out of memory");
            continue;
        }
        const ir_function *fn = file->funcs.v[rc->func];
        ir_data_value res[64] = {{0}};
        if (fn->sig.nrets > 64) {
            o->status = FUZZ_ERROR;
            continue;
        }
        interp_opts io = {.timeout = c->o.timeout * 4, .max_steps = c->o.max_steps, .fill = fill};
        interp_outcome out;
        run_status st = interp_call(ic, rc->func, rc->nargs ? &file->data.v[rc->args] : NULL, rc->nargs, res, &io,
                                    &out);
        snprintf(o->msg, sizeof o->msg, "%s", out.oc.msg);
        switch (st) {
        case RUN_OK:
            o->status = FUZZ_OK;
            o->nvals = fn->sig.nrets < 16 ? fn->sig.nrets : 16;
            memcpy(o->vals, res, o->nvals * sizeof *res);
            break;
        case RUN_TRAP:
            o->status = FUZZ_TRAP, o->trap = out.trap;
            if (notrap_fault(file, &out)) {
                /* undefined behaviour: the JIT may fault anywhere or not at
                 * all, so the line says nothing (the reducer's constants
                 * make such accesses out of sarg and slot pointers) */
                o->status = FUZZ_ERROR;
                snprintf(o->msg, sizeof o->msg, "undefined: a notrap access faulted (%.200s)", out.oc.msg);
            }
            break;
        case RUN_TIMEOUT:
        case RUN_INTERRUPTED:
            o->status = FUZZ_TIMEOUT;
            break;
        default:
            o->status = FUZZ_ERROR;
            break;
        }
    }
    if (ic)
        interp_free(ic);
}

uint32_t fuzz_check(fuzz_ctx *c, const char *path, const char *text, size_t len, fuzz_report *r)
{
    memset(r, 0, sizeof *r);
    ir_file file;
    if (!load_text(&file, path, text, len, &r->diag)) {
        r->invalid = true;
        ir_file_free(&file);
        return 0;
    }
    cg_target t;
    bool err;
    if (!host_target(&file, &t, r->why, sizeof r->why, &r->diag, &err)) {
        if (err)
            r->invalid = true;
        else
            r->skipped = true;
        ir_file_free(&file);
        return 0;
    }
    uint32_t n = file.runs.n;
    fuzz_outcome *ref = calloc(n + 1, sizeof *ref), *got = calloc(n + 1, sizeof *got);
    run_interp(c, &file, ref, 0);
    if (c->in_pred) {
        /* the reducer's candidates may read a slot no store fills any more
         * (the generator's programs never do): a line whose answer changes
         * with what slots start as is undefined, not compared */
        fuzz_outcome *ref2 = calloc(n + 1, sizeof *ref2);
        run_interp(c, &file, ref2, 0xa5);
        for (uint32_t i = 0; i < n; i++)
            if (ref[i].status != FUZZ_ERROR && !same(&ref[i], &ref2[i])) {
                ref[i].status = FUZZ_ERROR;
                snprintf(ref[i].msg, sizeof ref[i].msg, "undefined: reads stack memory never written");
            }
        free(ref2);
    }
    bool *usable = calloc(n + 1, sizeof *usable);
    for (uint32_t i = 0; i < n; i++) {
        /* a line the reference cannot finish says nothing about the JIT */
        usable[i] = ref[i].status == FUZZ_OK || ref[i].status == FUZZ_TRAP;
        if (!usable[i] && !r->ref_error) {
            r->ref_error = true;
            fuzz_outcome_format(&ref[i], r->why, sizeof r->why);
        }
        r->runs += usable[i];
    }
    bool other = c->o.other_level && !c->in_pred;
    for (unsigned e = CG_RA_LINEAR; e < CG_RA_COUNT + (unsigned)other; e++) {
        /* engines: each allocator at the file's opt_level, then linear at the other */
        unsigned ra = e < CG_RA_COUNT ? e : CG_RA_LINEAR;
        if (e < CG_RA_COUNT && !(c->o.allocators >> ra & 1))
            continue;
        if (e == CG_RA_COUNT)
            t.opt = !t.opt;
        run_jit(c, &file, &t, ra, got, usable, &r->internal, c->o.timeout);
        /* a timeout where the reference finished may be a loaded machine:
         * those lines again, with ten times the time, before it counts */
        bool *again = calloc(n + 1, sizeof *again), any = false;
        for (uint32_t i = 0; i < n; i++)
            any |= again[i] = usable[i] && got[i].status == FUZZ_TIMEOUT;
        if (any) {
            fuzz_outcome *retry = calloc(n + 1, sizeof *retry);
            run_jit(c, &file, &t, ra, retry, again, NULL, c->o.timeout * 10);
            for (uint32_t i = 0; i < n; i++)
                if (again[i])
                    got[i] = retry[i];
            free(retry);
        }
        free(again);
        for (uint32_t i = 0; i < n; i++) {
            if (!usable[i] || same(&ref[i], &got[i]))
                continue;
            r->nreal += !nan_only(&ref[i], &got[i]);
            if (r->ndis < sizeof r->dis / sizeof r->dis[0])
                r->dis[r->ndis] = (fuzz_disagreement){.run = i, .line = file.runs.v[i].line,
                                                      .regalloc = (uint8_t)ra, .other_level = e == CG_RA_COUNT,
                                                      .want = ref[i], .got = got[i]};
            r->ndis++;
        }
    }
    free(ref);
    free(got);
    free(usable);
    ir_file_free(&file);
    return r->ndis;
}

/* ---- expected values ------------------------------------------------------------ */

/* The invocation of a run or print line: "%main(1, 2)" out of
 * "; run: %main(1, 2) == 3". */
static bool invocation(const char *line, size_t n, const char **s, size_t *len)
{
    const char *end = line + n, *p = memchr(line, ':', n);
    if (!p)
        return false;
    for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
        ;
    int depth = 0;
    const char *q = p;
    for (; q < end; q++) {
        if (*q == '(' || *q == '[')
            depth++;
        else if ((*q == ')' || *q == ']') && --depth == 0 && *q == ')') {
            q++;
            break;
        }
    }
    *s = p, *len = (size_t)(q - p);
    return true;
}

bool fuzz_expect(fuzz_ctx *c, const char *path, const char *text, size_t len, const char *comment,
                 fuzz_buf *out, ir_diag *d)
{
    ir_file file;
    if (!load_text(&file, path, text, len, d)) {
        ir_file_free(&file);
        return false;
    }
    cg_target t = {0};
    bool err;
    char why[256];
    /* the interpreter runs any target's file: only a bad target line stops it */
    if (!host_target(&file, &t, why, sizeof why, d, &err) && err) {
        ir_file_free(&file);
        return false;
    }
    uint32_t n = file.runs.n, nlines;
    fuzz_outcome *ref = calloc(n + 1, sizeof *ref);
    run_interp(c, &file, ref, 0);
    uint32_t *lines = ft_line_index(&file, &nlines);
    /* which lines are run lines (by number), and the `; trap:` lines before them */
    uint32_t *which = calloc(nlines + 2, sizeof *which);
    for (uint32_t i = 0; i < n; i++)
        if (file.runs.v[i].line <= nlines)
            which[file.runs.v[i].line] = i + 1;
    for (const char *p = comment; p && *p;) {
        size_t k = strcspn(p, "\n");
        fuzz_buf_printf(out, "; %.*s\n", (int)k, p);
        p += k + (p[k] == '\n');
    }
    for (uint32_t l = 1; l <= nlines; l++) {
        size_t ln;
        const char *s = ft_line_text(&file, lines, nlines, l, &ln);
        if (!s)
            continue;
        bool trap_line = ln >= 8 && !memcmp(s, "; trap: ", 8) && l < nlines && which[l + 1];
        if (trap_line)
            continue;
        if (!which[l]) {
            fuzz_buf_put(out, s, ln);
            fuzz_buf_put(out, "\n", 1);
            continue;
        }
        const fuzz_outcome *o = &ref[which[l] - 1];
        const ir_run_cmd *rc = &file.runs.v[which[l] - 1];
        const char *inv;
        size_t il;
        if ((o->status != FUZZ_OK && o->status != FUZZ_TRAP) || !invocation(s, ln, &inv, &il))
            continue;   /* the reference cannot say: the line goes */
        const ir_function *fn = file.funcs.v[rc->func];
        char tb[16], vb[256];
        if (o->status == FUZZ_TRAP)
            fuzz_buf_printf(out, "; trap: %s\n", ir_trapcode_name(o->trap, tb));
        fuzz_buf_printf(out, "; run: %.*s == %s", (int)il, inv, fn->sig.nrets != 1 ? "[" : "");
        for (uint32_t k = 0; k < fn->sig.nrets; k++) {
            /* a trapping line compares with zeros: the trap decides */
            ir_data_value z = {.type = fn->abi_params.v[fn->sig.rets + k].type};
            run_value_format_lanes(vb, sizeof vb, o->status == FUZZ_OK && k < o->nvals ? &o->vals[k] : &z);
            fuzz_buf_printf(out, "%s%s", k ? ", " : "", vb);
        }
        fuzz_buf_printf(out, "%s\n", fn->sig.nrets != 1 ? "]" : "");
    }
    free(which);
    free(lines);
    free(ref);
    ir_file_free(&file);
    return true;
}

void fuzz_pred_reset(fuzz_ctx *c) { c->pred_started = c->nan_ok = false; }

bool fuzz_pred_disagree(void *arg, const char *text, size_t len)
{
    fuzz_ctx *c = arg;
    fuzz_report r;
    c->in_pred = true;
    fuzz_check(c, "candidate", text, len, &r);
    c->in_pred = false;
    if (!c->pred_started) {
        /* the input: if NaN payloads are all it has, they are the bug */
        c->pred_started = true;
        c->nan_ok = r.ndis && !r.nreal;
    }
    return r.nreal || r.internal || (c->nan_ok && r.ndis);
}
