/* The generator's exception edges: a call made as a try_call or
 * try_call_indirect, a block terminator whose normal-return edge passes
 * retN (and other values) to a continuation block or, at a loop's latch,
 * straight to the loop header as the next value of a carried parameter;
 * its exception edge goes to a handler (taking exnN where the callee's
 * convention has payloads) that returns or jumps on.  Generated callees
 * never throw, so handlers never run, but every pass sees the edges and
 * block arguments that are no values (IR_BLOCKARG_KIND ret and exn). */
#include "internal.h"

/* Conventions whose callees a try_call may name (Cranelift's
 * supports_exceptions, of those the generator draws), and how many exnN
 * payloads (pointer-sized) a handler may take (exception_payload_types). */
static bool throws_ok(ir_callconv cc)
{
    return cc == IR_CC_tail || cc == IR_CC_system_v || cc == IR_CC_winch || cc == IR_CC_apple_aarch64;
}

static unsigned payloads(ir_callconv cc) { return cc == IR_CC_winch ? 0 : 2; }

/* An earlier function a try_call may name, with a result of type want
 * unless want is 0 (its index in *ret); -1 if none.  Draws from g->r only
 * when one is found. */
static int exn_callee(fuzz_gen *g, ir_type want, unsigned *ret)
{
    int found[MAXF], n = 0;
    unsigned at[MAXF];
    for (unsigned j = 0; j < g->cur; j++) {
        const fuzz_fn *f = &g->fns[j];
        if (!throws_ok(f->cc))
            continue;
        at[n] = 0;
        bool ok = !want;
        for (unsigned k = 0; k < f->nr && !ok; k++)
            if (f->r[k] == want)
                ok = true, at[n] = k;
        if (ok)
            found[n++] = (int)j;
    }
    if (!n)
        return -1;
    unsigned i = fuzz_rng_below(&g->r, (uint32_t)n);
    *ret = at[i];
    return found[i];
}

/* "try_call fn0(v1, v2), sig0" or the try_call_indirect form. */
static void callee_text(fuzz_gen *g, unsigned j, fuzz_buf *b)
{
    unsigned k = fuzz_fnref(g, j);
    fuzz_buf args = {0};
    fuzz_call_args(g, j, &args);
    const char *a = args.s ? args.s : "";
    if (fuzz_rng_chance(&g->r, 30)) {
        uint32_t fa = fuzz_newid(g);
        fuzz_line(g, "v%u = func_addr.i64 fn%u", fa, k);
        fuzz_buf_printf(b, "try_call_indirect v%u(%s), sig%u", fa, a, k);
    } else {
        fuzz_buf_printf(b, "try_call fn%u(%s), sig%u", k, a, k);
    }
    fuzz_buf_free(&args);
}

/* The handler of callee j: parameters exn0/exn1 (where there are payloads)
 * and a value or none; its table entry "[ default: blockN(exn0, v3) ]" in b. */
static fuzz_blk handler(fuzz_gen *g, unsigned j, fuzz_buf *b)
{
    fuzz_blk h = {.num = g->nb++};
    unsigned ne = fuzz_rng_below(&g->r, payloads(g->fns[j].cc) + 1);
    fuzz_buf_printf(b, "[ default: block%u", h.num);
    for (unsigned k = 0; k < ne; k++) {
        h.p[h.np++] = IR_I64;
        fuzz_buf_printf(b, "%sexn%u", k ? ", " : "(", ne == 2 && fuzz_rng_chance(&g->r, 30) ? 1 - k : k);
    }
    if (fuzz_rng_chance(&g->r, 30)) {
        ir_type t = fuzz_any_type(g);
        h.p[h.np++] = t;
        fuzz_buf_printf(b, "%sv%u", ne ? ", " : "(", fuzz_pick(g, t));
    }
    fuzz_buf_printf(b, "%s ]", h.np ? ")" : "");
    return h;
}

/* "[ default: blockN(...) ]" straight to an existing block b (the
 * continuation, the loop's header or exit), passing exnK to some i64
 * parameters and args[k] (or a value drawn, args NULL) to the others: edges
 * that join others, where no handler block of its own keeps a pass from
 * reading an exnN as a value. */
static void exn_edge_to(fuzz_gen *g, unsigned j, const fuzz_blk *b, const uint32_t *args, fuzz_buf *out)
{
    unsigned ne = payloads(g->fns[j].cc);
    fuzz_buf_printf(out, "[ default: block%u", b->num);
    for (unsigned k = 0; k < b->np; k++) {
        if (b->p[k] == IR_I64 && ne && fuzz_rng_chance(&g->r, 60))
            fuzz_buf_printf(out, "%sexn%u", k ? ", " : "(", fuzz_rng_below(&g->r, ne));
        else
            fuzz_buf_printf(out, "%sv%u", k ? ", " : "(", args ? args[k] : fuzz_pick(g, b->p[k]));
    }
    fuzz_buf_printf(out, "%s ]", b->np ? ")" : "");
}

/* The handler's block: a return (or tail call), or a jump to `to`. */
static void handler_body(fuzz_gen *g, const fuzz_blk *h, const fuzz_blk *to)
{
    uint32_t mark = g->vals.n;
    fuzz_start_block(g, h);
    if (to && fuzz_rng_chance(&g->r, 50)) {
        fuzz_buf t = {0};
        fuzz_block_call(g, to, &t);
        fuzz_line(g, "jump %s", t.s);
        fuzz_buf_free(&t);
    } else {
        fuzz_gen_return(g);
    }
    g->ended = true;
    g->vals.n = mark;
}

/* Ends the try_call written so far in b and frees b: its exception edge
 * straight to `edge` (args as exn_edge_to takes them) or, edge NULL, to a
 * handler of its own that returns or jumps to `after`. */
static void try_tail(fuzz_gen *g, unsigned j, fuzz_buf *b, const fuzz_blk *edge, const uint32_t *args,
                     const fuzz_blk *after)
{
    if (edge) {
        exn_edge_to(g, j, edge, args, b);
        fuzz_line(g, "%s", b->s);
    } else {
        fuzz_blk h = handler(g, j, b);
        fuzz_line(g, "%s", b->s);
        handler_body(g, &h, after);
    }
    g->ended = true;
    fuzz_buf_free(b);
}

bool fuzz_try_call(fuzz_gen *g)
{
    unsigned unused;
    int jj = exn_callee(g, 0, &unused);
    if (jj < 0)
        return false;
    unsigned j = (unsigned)jj;
    const fuzz_fn *f = &g->fns[j];
    fuzz_buf b = {0};
    callee_text(g, j, &b);
    /* the continuation: some results (in order or not) and a value or none */
    fuzz_blk cont = {.num = g->nb++};
    uint32_t src[4];        /* retN as N | 1 << 31, else a value */
    for (unsigned k = 0; k < f->nr && cont.np < 3; k++)
        if (fuzz_rng_chance(&g->r, 75)) {
            cont.p[cont.np] = f->r[k];
            src[cont.np++] = k | 1u << 31;
        }
    if (cont.np && fuzz_rng_chance(&g->r, 25)) {   /* swap two */
        unsigned x = fuzz_rng_below(&g->r, cont.np), y = fuzz_rng_below(&g->r, cont.np);
        ir_type t = cont.p[x];
        uint32_t s = src[x];
        cont.p[x] = cont.p[y], src[x] = src[y], cont.p[y] = t, src[y] = s;
    }
    if (fuzz_rng_chance(&g->r, 30)) {
        cont.p[cont.np] = fuzz_any_type(g);
        src[cont.np] = fuzz_pick(g, cont.p[cont.np]);
        cont.np++;
    }
    fuzz_buf_printf(&b, ", block%u", cont.num);
    for (unsigned k = 0; k < cont.np; k++)
        fuzz_buf_printf(&b, src[k] >> 31 ? "%sret%u" : "%sv%u", k ? ", " : "(", src[k] & ~(1u << 31));
    fuzz_buf_printf(&b, "%s, ", cont.np ? ")" : "");
    try_tail(g, j, &b, fuzz_rng_chance(&g->r, 25) ? &cont : NULL, NULL, &cont);
    fuzz_start_block(g, &cont);
    return true;
}

bool fuzz_try_back_edge(fuzz_gen *g, const fuzz_blk *head, const uint32_t *args, uint32_t cond,
                        const fuzz_blk *exit)
{
    if (head->np < 2)
        return false;
    /* the first carried value from a random one on that some callee makes */
    unsigned first = fuzz_rng_below(&g->xr, head->np - 1), k0 = 0, ret = 0;
    int jj = -1;
    for (unsigned i = 0; i + 1 < head->np && jj < 0; i++) {
        k0 = 1 + (first + i) % (head->np - 1);
        jj = exn_callee(g, head->p[k0], &ret);
    }
    if (jj < 0)
        return false;
    unsigned j = (unsigned)jj;
    fuzz_buf out = {0};
    fuzz_block_call(g, exit, &out);
    fuzz_blk latch = {.num = g->nb++};
    fuzz_line(g, "brif v%u, block%u, %s", cond, latch.num, out.s);
    fuzz_buf_free(&out);
    fuzz_start_block(g, &latch);
    fuzz_buf b = {0};
    callee_text(g, j, &b);
    fuzz_buf_printf(&b, ", block%u(v%u", head->num, args[0]);
    for (unsigned k = 1; k < head->np; k++)
        fuzz_buf_printf(&b, k == k0 ? ", ret%u" : ", v%u", k == k0 ? ret : args[k]);
    fuzz_buf_put(&b, "), ", 3);
    unsigned r = fuzz_rng_below(&g->r, 100);
    if (r < 20)             /* round the loop again, exnK for some carried values */
        try_tail(g, j, &b, head, args, exit);
    else
        try_tail(g, j, &b, r < 35 ? exit : NULL, NULL, exit);
    return true;
}

bool fuzz_try_jump(fuzz_gen *g, const fuzz_blk *to)
{
    unsigned ret = 0, k0 = to->np ? fuzz_rng_below(&g->xr, to->np) : 0;
    int jj = to->np ? exn_callee(g, to->p[k0], &ret) : -1;
    if (jj < 0) {
        k0 = ~0u;           /* the results go nowhere */
        jj = exn_callee(g, 0, &ret);
    }
    if (jj < 0)
        return false;
    unsigned j = (unsigned)jj;
    fuzz_buf b = {0};
    callee_text(g, j, &b);
    fuzz_buf_printf(&b, ", block%u", to->num);
    for (unsigned k = 0; k < to->np; k++) {
        if (k == k0)
            fuzz_buf_printf(&b, "%sret%u", k ? ", " : "(", ret);
        else
            fuzz_buf_printf(&b, "%sv%u", k ? ", " : "(", fuzz_pick(g, to->p[k]));
    }
    fuzz_buf_printf(&b, "%s, ", to->np ? ")" : "");
    try_tail(g, j, &b, fuzz_rng_chance(&g->r, 30) ? to : NULL, NULL, to);
    return true;
}
