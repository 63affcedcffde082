/* lib/interp/interp.c: contexts, decoding, frames and the dispatch loop.
 *
 * A function is decoded once, on first use, into an array of dinst in
 * layout order: operands are value slots (aliases resolved), block calls
 * are edges (a target pc and a list of moves), calls name their callee.
 * The loop below interprets that form with one switch; frames live on two
 * reserved stacks (value slots, stack-slot memory), so nothing is
 * allocated per instruction or per call, and calls do not recurse in C. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"
#include "families.h"

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

/* ---- the opcode table: a family per opcode ---------------------------------- */

static const uint8_t op_family[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args) [IR_OP_##id] = FAM_##id,
#include "ir/opcodes.def"
#undef OP
};

static const interp_decode_fn family_decoder[FAM_COUNT] = {
#define F_(name, dec) [FAM_##name] = dec,
    INTERP_FAMILIES(F_)
#undef F_
};

/* Steps between looks at the clock and the interrupt flag. */
#define POLL_EVERY (1u << 16)
enum { INTERP_TIMEOUT = INTERP_ERR + 1, INTERP_INTERRUPTED, INTERP_STEPS, INTERP_DEBUGTRAP };

/* ---- diagnostics ------------------------------------------------------------- */

int interp_error(interp_ctx *C, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(C->msg, sizeof C->msg, fmt, ap);
    va_end(ap);
    return INTERP_ERR;
}

bool interp_unsupported(ir_diag *d, const ir_function *fn, uint32_t inst, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const ir_inst_data *in = inst < fn->insts.n ? &fn->insts.v[inst] : NULL;
    ir_diag_set(d, in ? in->line : fn->line, in ? in->col : fn->col, "unsupported by the interpreter: %s", what);
    return false;
}

static void func_name(const ir_function *fn, char *buf, size_t n)
{
    if (fn->name.kind == IR_NAME_TESTCASE && fn->name.str)
        snprintf(buf, n, "%%%s", fn->name.str);
    else if (fn->name.kind == IR_NAME_USER)
        snprintf(buf, n, "u%u:%u", fn->name.ns, fn->name.index);
    else
        snprintf(buf, n, "%%?");
}

/* The instruction as written in the source: its line without the comment. */
static void inst_text(const interp_ctx *C, const ir_function *fn, uint32_t inst, char *buf, size_t n)
{
    buf[0] = 0;
    const ir_file *file = C->file;
    if (inst >= fn->insts.n || !file->src)
        return;
    uint32_t line = fn->insts.v[inst].line;
    const char *p = file->src, *end = file->src + file->len;
    for (uint32_t l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    const char *e = memchr(p, '\n', (size_t)(end - p));
    e = e ? e : end;
    const char *semi = memchr(p, ';', (size_t)(e - p));
    if (semi)
        e = semi;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    snprintf(buf, n, "%.*s", (int)(e - p), p);
}

/* "%f: v3 = sdiv v1, v2" for the instruction where the call stopped. */
static void where(const interp_ctx *C, char *buf, size_t n)
{
    char name[128], text[160];
    if (C->where_func == IR_NONE) {
        snprintf(buf, n, "?");
        return;
    }
    const ir_function *fn = C->file->funcs.v[C->where_func];
    func_name(fn, name, sizeof name);
    inst_text(C, fn, C->where_inst, text, sizeof text);
    if (text[0])
        snprintf(buf, n, "%s: %s", name, text);
    else
        snprintf(buf, n, "%s", name);
}

/* ---- decoding ---------------------------------------------------------------- */

/* The decoded functions of a context live in chunks of 8 KiB (a file's
 * usually fit one), freed with the context: not a malloc per table. */
struct interp_chunk {
    struct interp_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};
#define CHUNK_BYTES ((size_t)8 << 10)

static void *dec_alloc(interp_ctx *C, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct interp_chunk *c = C->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_BYTES - sizeof *c ? n : CHUNK_BYTES - sizeof *c;
        c = ir_xmalloc(sizeof *c + size);
        c->next = C->chunks, c->used = 0, c->size = size;
        C->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

ir_type interp_value_type(const interp_dec *D, unsigned arg)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    if (arg >= in->nargs)
        return IR_TYPE_NONE;
    return D->fn->values.v[interp_slot(D, D->fn->pool.v[in->args + arg])].type;
}

ir_type interp_result_type(const interp_dec *D, unsigned res)
{
    const ir_inst_data *in = &D->fn->insts.v[D->inst];
    if (res >= in->nres)
        return IR_TYPE_NONE;
    return D->fn->values.v[D->fn->pool.v[in->res + res]].type;
}

bool interp_type_check(interp_dec *D, ir_type t)
{
    char tb[16];
    if (t == IR_TYPE_NONE)
        return true;
    if (t & IR_TYPE_DYNAMIC)
        return interp_unsupported(D->d, D->fn, D->inst, "dynamic vector types");
    ir_type lane = ir_type_lane(t);
    if ((lane == IR_F16 || lane == IR_F128) && ir_type_is_vector(t))
        return interp_unsupported(D->d, D->fn, D->inst, "%s values (%s)", lane == IR_F16 ? "f16" : "f128",
                                  ir_type_name(t, tb));
    if (ir_type_is_vector(t) && (lane == IR_I128 || ir_type_bits(t) > 128))
        return interp_unsupported(D->d, D->fn, D->inst, "%s: vectors wider than 128 bits", ir_type_name(t, tb));
    return true;
}

static uint32_t push_op(interp_dec *D, uint32_t v)
{
    ir_vec_push(&D->ops, v);
    return D->ops.n - 1;
}

static void need_buf(interp_ctx *C, uint32_t n)
{
    if (n <= C->argbuf_cap)
        return;
    uint32_t cap = C->argbuf_cap ? C->argbuf_cap : 64;
    while (cap < n)
        cap *= 2;
    islot *a = aligned_alloc(16, cap * sizeof(islot)), *r = aligned_alloc(16, cap * sizeof(islot));
    if (!a || !r) {
        free(a);
        free(r);
        return;
    }
    free(C->argbuf);
    free(C->retbuf);
    C->argbuf = a, C->retbuf = r, C->argbuf_cap = cap;
}

/* A block call at pool offset off into an edge; returns its index. */
static uint32_t add_edge(interp_dec *D, dedge_vec *edges, uint32_t off, const uint32_t *blk_cost)
{
    const ir_function *fn = D->fn;
    uint32_t block = fn->pool.v[off], n = fn->pool.v[off + 1];
    const ir_block_data *b = &fn->blocks.v[block];
    dedge e = {.pc = D->df->block_pc[block], .cost = blk_cost[block], .moves = D->ops.n};
    for (uint32_t k = 0; k < n && k < b->nparams; k++) {
        uint32_t a = fn->pool.v[off + 2 + k], src;
        if (IR_BLOCKARG_KIND(a) == IR_BLOCKARG_VALUE)
            src = interp_slot(D, IR_BLOCKARG_INDEX(a));
        else if (IR_BLOCKARG_KIND(a) == IR_BLOCKARG_RET)
            src = DEDGE_RET | IR_BLOCKARG_INDEX(a);
        else
            src = IR_NONE;  /* exnN: only reached by a throw, which never happens here */
        uint32_t dst = fn->pool.v[b->params + k];
        if (src == dst)
            continue;
        /* parallel copy: a source overwritten by an earlier move needs staging */
        for (uint32_t j = 0; j < e.nmoves; j++)
            if (D->ops.v[e.moves + 2 * j + 1] == src)
                e.staged = true;
        push_op(D, src);
        push_op(D, dst);
        e.nmoves++;
    }
    if (e.staged && e.nmoves > D->need)
        D->need = e.nmoves;     /* the staging area */
    ir_vec_push(edges, e);
    return edges->n - 1;
}

/* The callee of a call-like instruction's func ref: file function or host. */
static bool decode_callee(interp_dec *D, dinst *d, uint32_t fr)
{
    const ir_function *fn = D->fn;
    const ir_func_ref *ref = &fn->func_refs.v[fr];
    if (D->df->callees[fr] == IR_NONE && D->df->hosts[fr] == IR_NONE) {
        const ir_extname *n = &ref->name;
        if (n->kind == IR_NAME_USERREF && n->index < fn->user_names.n)
            n = &fn->user_names.v[n->index];
        uint32_t k = ir_file_find_func(D->C->file, n);
        if (k != IR_NONE) {
            D->df->callees[fr] = k;
        } else {
            uint32_t h = interp_host_lookup(D->C, fn, fr, D->inst, D->d);
            if (h == IR_NONE)
                return false;
            D->df->hosts[fr] = h;
        }
    }
    const ir_signature *sig = &fn->sigs.v[ref->sig];
    if (D->df->callees[fr] != IR_NONE) {
        const ir_function *cf = D->C->file->funcs.v[D->df->callees[fr]];
        if (cf->sig.nparams != sig->nparams || cf->sig.nrets != sig->nrets)
            return interp_unsupported(D->d, fn, D->inst, "a call whose declared signature does not match "
                                      "the callee's (%u parameters, %u results)", cf->sig.nparams,
                                      cf->sig.nrets);
        d->cc = 0;
        d->c = D->df->callees[fr];
    } else {
        d->cc = 1;
        d->c = D->df->hosts[fr];
    }
    return true;
}

static bool decode_call(interp_dec *D, dinst *d)
{
    const ir_function *fn = D->fn;
    const ir_inst_data *in = &fn->insts.v[D->inst];
    const uint32_t *a = &fn->pool.v[in->args];
    ir_opcode op = in->op;
    bool indirect = op == IR_OP_call_indirect || op == IR_OP_return_call_indirect ||
                    op == IR_OP_try_call_indirect;
    bool try = op == IR_OP_try_call || op == IR_OP_try_call_indirect;
    uint32_t sig;
    if (try) {
        const uint32_t *et = &fn->pool.v[(uint32_t)in->imm];
        sig = et[0];
    } else {
        sig = indirect ? in->ent : fn->func_refs.v[in->ent].sig;
    }
    if (sig > 0xffff)
        return interp_unsupported(D->d, fn, D->inst, "more than 65536 signatures");
    if (!indirect && !decode_callee(D, d, in->ent))
        return false;
    const ir_signature *s = &fn->sigs.v[sig];
    for (uint32_t k = 0; k < s->nparams + s->nrets; k++)
        if (!interp_type_ok(D, fn->abi_params.v[s->params + k].type))
            return false;
    uint32_t first = indirect ? 1 : 0;
    d->b = in->nargs - first;
    d->a = D->ops.n;
    for (uint32_t k = first; k < in->nargs; k++)
        push_op(D, interp_slot(D, a[k]));
    d->r2 = in->nres;
    d->r = D->ops.n;
    for (uint32_t k = 0; k < in->nres; k++)
        push_op(D, fn->pool.v[in->res + k]);
    if (indirect)
        d->c = interp_slot(D, a[0]);
    d->ty2 = (ir_type)sig;      /* try_call keeps its normal edge in imm */
    d->imm = sig;
    if (d->b > D->need)
        D->need = d->b;
    if (s->nrets > D->need)
        D->need = s->nrets;
    switch (op) {
    case IR_OP_call: d->x = XOP_CALL; break;
    case IR_OP_call_indirect: d->x = XOP_CALL_INDIRECT; break;
    case IR_OP_return_call: d->x = XOP_RETURN_CALL; break;
    case IR_OP_return_call_indirect: d->x = XOP_RETURN_CALL_INDIRECT; break;
    default: d->x = op == IR_OP_try_call ? XOP_TRY_CALL : XOP_TRY_CALL_INDIRECT; break;
    }
    return true;
}

static int x_get_pinned(interp_ctx *C, islot *S, const dinst *d)
{
    S[d->r] = C->pinned;
    return 0;
}

static int x_set_pinned(interp_ctx *C, islot *S, const dinst *d)
{
    C->pinned = S[d->a];
    return 0;
}

/* The lowest address of the frame's stack memory: the interpreter's stack
 * grows down like the machine's, and a tail call keeps it where it was. */
static int x_get_stack_pointer(interp_ctx *C, islot *S, const dinst *d)
{
    memset(&S[d->r], 0, sizeof(islot));
    S[d->r].d[0] = (uint64_t)(uintptr_t)C->frames[C->depth - 1].mem & interp_mask(ir_type_lane_bits(d->ty));
    return 0;
}

static const char *unsupported_reason(ir_opcode op)
{
    switch (op) {
    case IR_OP_stack_switch: return "stack_switch (no machine stacks to switch)";
    case IR_OP_get_frame_pointer: return "get_frame_pointer (an interpreter frame has no machine address)";
    case IR_OP_get_return_address: return "get_return_address (an interpreter frame has no machine address)";
    case IR_OP_get_exception_handler_address:
        return "get_exception_handler_address (no machine code to point into)";
    case IR_OP_dynamic_stack_addr: return "dynamic_stack_addr (dynamic vector types)";
    case IR_OP_extract_vector: return "extract_vector (dynamic vector types)";
    default: return ir_opcodes[op].name;
    }
}

/* Control instructions: the loop itself runs them. */
static bool decode_control(interp_dec *D, dinst *d, dedge_vec *edges, const uint32_t *cost)
{
    const ir_function *fn = D->fn;
    const ir_inst_data *in = &fn->insts.v[D->inst];
    const uint32_t *a = &fn->pool.v[in->args];
    switch ((ir_opcode)in->op) {
    case IR_OP_jump:
        d->x = XOP_JUMP;
        d->imm = add_edge(D, edges, in->ent, cost);
        return true;
    case IR_OP_brif:
        d->x = ir_type_lane(interp_value_type(D, 0)) == IR_I128 ? XOP_BRIF128 : XOP_BRIF;
        d->b = add_edge(D, edges, fn->pool.v[in->ent], cost);
        d->c = add_edge(D, edges, fn->pool.v[in->ent + 1], cost);
        return true;
    case IR_OP_br_table: {
        const uint32_t *p = &fn->pool.v[in->ent];
        uint32_t n = p[0];
        d->x = XOP_BR_TABLE;
        d->imm = add_edge(D, edges, p[1], cost);
        uint32_t *tab = malloc((n ? n : 1) * sizeof *tab);
        if (!tab)
            return interp_unsupported(D->d, fn, D->inst, "out of memory");
        for (uint32_t k = 1; k < n; k++)
            tab[k - 1] = add_edge(D, edges, p[1 + k], cost);
        d->b = D->ops.n;
        d->c = n ? n - 1 : 0;
        for (uint32_t k = 1; k < n; k++)
            push_op(D, tab[k - 1]);
        free(tab);
        return true;
    }
    case IR_OP_return_:
        d->x = XOP_RETURN;
        d->a = D->ops.n;
        d->b = in->nargs;
        for (uint32_t k = 0; k < in->nargs; k++)
            push_op(D, interp_slot(D, a[k]));
        if (in->nargs > D->need)
            D->need = in->nargs;
        return true;
    case IR_OP_trap:
    case IR_OP_resumable_trap:
        d->x = XOP_TRAP;
        d->trap = in->trap;
        return true;
    case IR_OP_debugtrap:
        d->x = XOP_TRAP;
        d->trap = IR_TRAP_NONE;
        return true;
    case IR_OP_trapz:
    case IR_OP_trapnz:
    case IR_OP_resumable_trapnz:
        d->x = in->op == IR_OP_trapz ? XOP_TRAPZ : XOP_TRAPNZ;
        d->trap = in->trap;
        d->cc = ir_type_lane(interp_value_type(D, 0)) == IR_I128;
        return true;
    default:
        return false;
    }
}

/* Stack slots (and copies of sarg arguments) in one block of frame memory. */
static bool layout_frame(interp_dec *D)
{
    dfunc *df = D->df;
    const ir_function *fn = D->fn;
    uint64_t off = 0, align = 16;
    for (uint32_t i = 0; i < fn->stack_slots.n; i++) {
        const ir_stack_slot *ss = &fn->stack_slots.v[i];
        if (i >= fn->ss_defined.n || !fn->ss_defined.v[i])
            continue;
        /* a word at least, as Cranelift's frame layout gives */
        uint64_t al = ss->align_shift ? 1ull << ss->align_shift : 8;
        if (al < 8)
            al = 8;
        if (al > align)
            align = al;
        off = (off + al - 1) & ~(al - 1);
        df->slot_off[i] = (uint32_t)off;
        off += ss->size;
        if (off > (1u << 30))
            return interp_unsupported(D->d, fn, IR_NONE, "stack slots of more than 1 GiB");
    }
    for (uint32_t i = 0; i < fn->sig.nparams; i++) {
        const ir_abi_param *p = &fn->abi_params.v[fn->sig.params + i];
        df->sarg_off[i] = IR_NONE;
        if (p->purpose != IR_PURPOSE_SARG)
            continue;
        df->sargs = true;
        off = (off + 15) & ~15ull;
        df->sarg_off[i] = (uint32_t)off;
        off += p->sarg_size;
        if (off > (1u << 30))
            return interp_unsupported(D->d, fn, IR_NONE, "stack slots of more than 1 GiB");
    }
    /* 16 bytes at least, as a return address and frame pointer would take:
     * a callee's stack pointer is below its caller's */
    df->mem_size = off ? (uint32_t)((off + 15) & ~15ull) : 16;
    df->mem_align = (uint32_t)align;    /* up to 2^31: a frame that cannot be placed is stk_ovf */
    return true;
}

static bool decode_body(interp_dec *D)
{
    interp_ctx *C = D->C;
    dfunc *df = D->df;
    const ir_function *fn = D->fn;
    dedge_vec edges = C->dec_edges;    /* the context's scratch, given back below */
    edges.n = 0;
    uint32_t nb = fn->blocks.n;
    /* the code (room for every instruction, those in the layout are fewer)
     * and the function's tables in one block of the context's chunks, the
     * blocks' costs after them for the decoding */
    size_t nr = (size_t)fn->func_refs.n + 1, np = (size_t)fn->sig.nparams + 1, ns = (size_t)fn->stack_slots.n + 1;
    size_t ncode = (size_t)fn->insts.n + 1;
    df->code = dec_alloc(C, ncode * sizeof *df->code +
                                         (2 * ((size_t)nb + 1) + 2 * nr + np + ns) * sizeof(uint32_t));
    uint32_t *tabs = (uint32_t *)(df->code + ncode);
    df->block_pc = tabs;
    df->callees = df->block_pc + nb + 1;
    df->hosts = df->callees + nr;
    df->sarg_off = df->hosts + nr;
    df->slot_off = df->sarg_off + np;
    uint32_t *cost = df->slot_off + ns;
    memset(df->slot_off, 0, (ns + nb + 1) * sizeof *tabs);   /* and cost */
    for (uint32_t i = 0; i < fn->func_refs.n; i++)
        df->callees[i] = df->hosts[i] = IR_NONE;
    /* pcs of blocks in layout order */
    uint32_t pc = 0;
    for (uint32_t b = 0; b < nb; b++)
        df->block_pc[b] = IR_NONE;
    for (uint32_t li = 0; li < fn->layout.n; li++) {
        uint32_t b = fn->layout.v[li];
        df->block_pc[b] = pc;
        for (uint32_t i = fn->blocks.v[b].first; i != IR_NONE; i = fn->insts.v[i].next)
            pc++, cost[b]++;
    }
    df->ncode = pc;
    memset(df->code, 0, (pc + 1) * sizeof *df->code);
    if (!fn->layout.n) {
        C->dec_edges = edges;
        return interp_unsupported(D->d, fn, IR_NONE, "a function without blocks");
    }
    bool ok = layout_frame(D);
    ir_vec_reserve(&D->ops, fn->pool.n + 8);   /* about as many operands as the body's */
    pc = 0;
    for (uint32_t li = 0; ok && li < fn->layout.n; li++) {
        uint32_t b = fn->layout.v[li];
        for (uint32_t i = fn->blocks.v[b].first; ok && i != IR_NONE; i = fn->insts.v[i].next) {
            const ir_inst_data *in = &fn->insts.v[i];
            const uint32_t *a = &fn->pool.v[in->args];
            dinst *d = &df->code[pc++];
            const uint32_t *res = &fn->pool.v[in->res];
            const ir_value_data *vals = fn->values.v;
            D->inst = i;
            d->op = in->op;
            d->inst = i;
            d->r = in->nres ? res[0] : 0;
            d->r2 = in->nres > 1 ? res[1] : 0;
            d->a = in->nargs > 0 ? interp_slot(D, a[0]) : 0;
            d->b = in->nargs > 1 ? interp_slot(D, a[1]) : 0;
            d->c = in->nargs > 2 ? interp_slot(D, a[2]) : 0;
            d->ty = in->nres ? vals[d->r].type : in->type;
            d->ty2 = in->nargs ? vals[d->a].type : IR_TYPE_NONE;
            d->mf = in->mf.bits;
            d->trap = in->mf.trap ? in->mf.trap : IR_TRAP_heap_oob;
            unsigned fam = op_family[in->op];
            /* every value the instruction touches must be of a type we hold
             * (a call's arguments: decode_call checks its signature's types) */
            for (uint32_t k = 0; ok && k < in->nres; k++)
                ok = interp_type_ok(D, vals[res[k]].type);
            for (uint32_t k = 0; ok && k < in->nargs && fam != FAM_CALL; k++)
                ok = interp_type_ok(D, vals[k == 0 ? d->a : k == 1 ? d->b : k == 2 ? d->c : interp_slot(D, a[k])].type);
            if (!ok)
                break;
            switch (fam) {
            case FAM_UNSUPPORTED:
                ok = interp_unsupported(D->d, fn, i, "%s", unsupported_reason(in->op));
                break;
            case FAM_LEGACY:
                ok = interp_unsupported(D->d, fn, i, "%s (removed from Cranelift)", ir_opcodes[in->op].name);
                break;
            case FAM_NOP:
                d->x = XOP_NOP;
                break;
            case FAM_BRANCH:
            case FAM_TRAP:
            case FAM_RETURN:
                ok = decode_control(D, d, &edges, cost);
                break;
            case FAM_CALL:
                ok = decode_call(D, d);
                if (ok && (in->op == IR_OP_try_call || in->op == IR_OP_try_call_indirect)) {
                    const uint32_t *et = &fn->pool.v[(uint32_t)in->imm];
                    d->imm = add_edge(D, &edges, et[1], cost);
                    d->ty2 = (ir_type)et[0];
                }
                break;
            case FAM_PINNED:
                d->x = XOP_GENERIC;
                d->fn = in->op == IR_OP_get_pinned_reg ? x_get_pinned : x_set_pinned;
                break;
            case FAM_SP:
                d->x = XOP_GENERIC;
                d->fn = x_get_stack_pointer;
                break;
            default:
                d->x = XOP_GENERIC;
                ok = family_decoder[fam](D, d);
                if (C->generic_only && d->fn)
                    d->x = XOP_GENERIC;
                break;
            }
        }
    }
    if (ok) {
        /* the scratch's contents to the chunks, edges then operands (never
         * NULL: ops + 0 is read) */
        df->nedges = edges.n;
        df->nops = D->ops.n;
        df->edges = dec_alloc(C, edges.n * sizeof *df->edges + (D->ops.n + 1) * sizeof *df->ops);
        df->ops = (uint32_t *)(df->edges + edges.n);
        if (edges.n)
            memcpy(df->edges, edges.v, edges.n * sizeof *df->edges);
        if (D->ops.n)
            memcpy(df->ops, D->ops.v, D->ops.n * sizeof *df->ops);
        uint32_t entry = fn->layout.v[0];
        df->entry_pc = df->block_pc[entry];
        df->entry_cost = cost[entry];
        df->params = fn->blocks.v[entry].params;
        df->nparams = fn->blocks.v[entry].nparams;
        df->param_slots = df->nparams ? &fn->pool.v[df->params] : NULL;
        df->vmctx = IR_NONE;
        for (uint32_t k = 0; k < fn->sig.nparams && k < df->nparams; k++)
            if (fn->abi_params.v[fn->sig.params + k].purpose == IR_PURPOSE_VMCTX)
                df->vmctx = fn->pool.v[df->params + k];
        uint32_t need = df->nparams > fn->sig.nrets ? df->nparams : fn->sig.nrets;
        need = need > D->need ? need : D->need;
        need_buf(C, need ? need : 1);
        if (C->argbuf_cap < need || !C->argbuf)
            ok = interp_unsupported(D->d, fn, IR_NONE, "out of memory");
    }
    C->dec_edges = edges;
    return ok;
}

static const ir_diag decode_no_memory = {.msg = "out of memory"};

bool interp_decode_new(interp_ctx *C, uint32_t fi)
{
    dfunc *df = &C->funcs[fi];
    const ir_function *fn = C->file->funcs.v[fi];
    df->state = DF_DECODING;
    df->ir = fn;
    df->index = fi;
    df->nslots = fn->values.n ? fn->values.n : 1;
    /* not all 5 KiB of it: what ir_diag_set does not write */
    ir_diag err;
    err.file = C->file->path, err.src = C->file->src, err.len = C->file->len;
    err.line = err.col = 0;
    err.msg[0] = 0;
    err.nmore = err.text_len = 0;
    err.truncated = false;
    interp_dec D = {.C = C, .df = df, .fn = fn, .d = &err, .ops = C->dec_ops};
    D.ops.n = 0;
    bool ok = true;
    if (fn->layout.n && fn->sig.nparams != fn->blocks.v[fn->layout.v[0]].nparams)
        ok = interp_unsupported(&err, fn, IR_NONE, "an entry block whose parameters do not match the signature");
    for (uint32_t k = 0; ok && k < fn->sig.nparams + fn->sig.nrets; k++) {
        D.inst = IR_NONE;
        ok = interp_type_ok(&D, fn->abi_params.v[fn->sig.params + k].type);
    }
    ok = ok && decode_body(&D);
    C->dec_ops = D.ops;
    if (ok) {
        df->state = DF_OK;
        return true;
    }
    ir_diag *e = malloc(sizeof *e);
    if (e)
        *e = err;
    df->err = e ? e : (ir_diag *)&decode_no_memory;
    df->state = DF_BAD;
    return false;
}

static void dfunc_free(dfunc *df)
{
    if (df->err != &decode_no_memory)
        free(df->err);      /* the rest is in the context's chunks */
}

/* ---- contexts ----------------------------------------------------------------- */

interp_ctx *interp_new(const ir_file *file)
{
    interp_ctx *C = calloc(1, sizeof *C);
    if (!C)
        return NULL;
    C->file = file;
    C->funcs = calloc(file->funcs.n + 1, sizeof *C->funcs);
    if (!C->funcs) {
        free(C);
        return NULL;
    }
    C->where_func = IR_NONE;
    return C;
}

void interp_free(interp_ctx *C)
{
    if (!C)
        return;
    for (uint32_t i = 0; i < C->file->funcs.n; i++)
        dfunc_free(&C->funcs[i]);
    free(C->funcs);
    for (struct interp_chunk *c = C->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    ir_vec_free(&C->dec_ops);
    ir_vec_free(&C->dec_edges);
    free(C->work);
    free(C->frames);
    free(C->argbuf);
    free(C->retbuf);
    interp_host_free(C);
    interp_mem_free(C);
    free(C);
}

void interp_set_generic_only(interp_ctx *C, bool on)
{
    C->generic_only = on;
}

bool interp_supported(interp_ctx *C, uint32_t func, ir_diag *d)
{
    uint32_t nf = C->file->funcs.n;
    if (func >= nf) {
        *d = (ir_diag){.file = C->file->path};
        ir_diag_set(d, 0, 0, "no function %u", func);
        return false;
    }
    /* the function and every file function it may call, directly or not:
     * a function is seen in this walk when its mark is this generation's */
    if (!C->work && !(C->work = malloc(nf * sizeof *C->work))) {
        *d = (ir_diag){.file = C->file->path};
        ir_diag_set(d, 0, 0, "out of memory");
        return false;
    }
    uint32_t *work = C->work, nw = 0, gen = ++C->seen_gen;
    bool ok = true;
    work[nw++] = func;
    C->funcs[func].seen = gen;
    while (nw) {
        uint32_t f = work[--nw];
        if (!interp_decode(C, f)) {
            *d = *C->funcs[f].err;
            ok = false;
            break;
        }
        const dfunc *df = &C->funcs[f];
        const ir_function *fn = df->ir;
        for (uint32_t r = 0; r < fn->func_refs.n; r++) {
            uint32_t k = df->callees[r];
            if (k == IR_NONE) {
                /* func_addr targets are callees too */
                const ir_extname *n = &fn->func_refs.v[r].name;
                if (n->kind == IR_NAME_USERREF && n->index < fn->user_names.n)
                    n = &fn->user_names.v[n->index];
                k = ir_file_find_func(C->file, n);
            }
            if (k != IR_NONE && C->funcs[k].seen != gen) {
                C->funcs[k].seen = gen;
                work[nw++] = k;
            }
        }
    }
    return ok;
}

/* ---- frames ----------------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int poll(interp_ctx *C)
{
    if (C->max_steps && C->steps >= C->max_steps)
        return INTERP_STEPS;
    if (C->opts->interrupt && *C->opts->interrupt)
        return INTERP_INTERRUPTED;
    if (C->deadline > 0 && now() >= C->deadline)
        return INTERP_TIMEOUT;
    C->poll_at = C->steps + POLL_EVERY;
    if (C->max_steps && C->poll_at > C->max_steps)
        C->poll_at = C->max_steps;
    return 0;
}

static void pop_frame(interp_ctx *C)
{
    iframe *F = &C->frames[--C->depth];
    C->vals.top = F->slot_mark;
    C->mem.top = F->mem_mark;
}

/* A frame for df, its parameters not set yet: 0 or stk_ovf. */
static inline int open_frame(interp_ctx *C, dfunc *df)
{
    if (C->depth >= C->max_depth)
        return IR_TRAP_stk_ovf;
    iframe *F = &C->frames[C->depth];
    F->slot_mark = C->vals.top;
    F->mem_mark = C->mem.top;
    F->slots = interp_stack_alloc(&C->vals, (size_t)df->nslots * sizeof(islot), 16);
    F->mem = interp_stack_alloc(&C->mem, df->mem_size, df->mem_align);
    if (!F->slots || !F->mem) {
        C->vals.top = F->slot_mark;
        C->mem.top = F->mem_mark;
        return IR_TRAP_stk_ovf;
    }
    interp_stack_fill(F->mem, df->mem_size, C->opts->fill);    /* the same answer every time */
    F->fn = df;
    F->pc = df->entry_pc;
    C->depth++;
    return 0;
}

/* A frame for df with its parameters from C->argbuf. */
static int push_frame(interp_ctx *C, dfunc *df)
{
    int st = open_frame(C, df);
    if (st)
        return st;
    iframe *F = &C->frames[C->depth - 1];
    if (!df->sargs) {
        for (uint32_t i = 0; i < df->nparams; i++)
            F->slots[df->param_slots[i]] = C->argbuf[i];
        C->steps += df->entry_cost;
        return 0;
    }
    for (uint32_t i = 0; i < df->nparams; i++) {
        uint32_t slot = df->param_slots[i];
        if (df->sarg_off[i] == IR_NONE) {
            F->slots[slot] = C->argbuf[i];
            continue;
        }
        /* a struct argument: the callee gets its own copy */
        const ir_abi_param *p = &df->ir->abi_params.v[df->ir->sig.params + i];
        uint8_t *copy = F->mem + df->sarg_off[i];
        if ((st = interp_mem_read(C, C->argbuf[i].d[0], copy, p->sarg_size, NULL))) {
            pop_frame(C);
            return st;
        }
        memset(&F->slots[slot], 0, sizeof(islot));
        F->slots[slot].d[0] = (uint64_t)(uintptr_t)copy;
    }
    C->steps += df->entry_cost;
    return 0;
}

/* ---- the loop ------------------------------------------------------------------------ */

/* Block arguments into the target block's parameters. */
static inline void take_edge(interp_ctx *C, islot *S, const uint32_t *ops, const dedge *e)
{
    const uint32_t *m = ops + e->moves;
    C->steps += e->cost;
    if (!e->staged) {
        for (uint32_t k = 0; k < e->nmoves; k++)
            S[m[2 * k + 1]] = m[2 * k] & DEDGE_RET ? C->retbuf[m[2 * k] & ~DEDGE_RET] : S[m[2 * k]];
        return;
    }
    islot *t = C->argbuf;
    for (uint32_t k = 0; k < e->nmoves; k++)
        t[k] = m[2 * k] & DEDGE_RET ? C->retbuf[m[2 * k] & ~DEDGE_RET] : S[m[2 * k]];
    for (uint32_t k = 0; k < e->nmoves; k++)
        S[m[2 * k + 1]] = t[k];
}

/* The function a call_indirect-style dinst calls: a file function, or
 * IR_NONE for host code at *addr. */
static uint32_t indirect_callee(const interp_ctx *C, const islot *S, const dinst *d, uint64_t *addr)
{
    *addr = S[d->c].d[0];
    return interp_func_at(C, *addr);
}

/* Run until the frame at depth base returns (results in C->retbuf).
 * Returns 0, a trap code or INTERP_*; C->where_* says where it stopped. */
static int run(interp_ctx *C, uint32_t base)
{
    iframe *F;
    dfunc *df;
    const dinst *code, *d;
    islot *S;
    const uint32_t *ops;
    int st;
#define RELOAD() (F = &C->frames[C->depth - 1], df = F->fn, code = df->code, S = F->slots, ops = df->ops)
    RELOAD();
    d = code + F->pc;
    if (C->steps >= C->poll_at && (st = poll(C)))
        goto stop;
    for (;;) {
        switch (d->x) {
        case XOP_GENERIC:
            if ((st = d->fn(C, S, d)))
                goto stop;
            d++;
            continue;
        case XOP_NOP:
            d++;
            continue;
        case XOP_CONST:
            S[d->r].d[0] = d->imm;
            S[d->r].d[1] = 0;
            d++;
            continue;
        case XOP_COPY:
            S[d->r] = S[d->a];
            d++;
            continue;
        case XOP_IADD:
            S[d->r].d[0] = (S[d->a].d[0] + S[d->b].d[0]) & d->imm;
            d++;
            continue;
        case XOP_ISUB:
            S[d->r].d[0] = (S[d->a].d[0] - S[d->b].d[0]) & d->imm;
            d++;
            continue;
        case XOP_IMUL:
            S[d->r].d[0] = (S[d->a].d[0] * S[d->b].d[0]) & d->imm;
            d++;
            continue;
        case XOP_BAND:
            S[d->r].d[0] = S[d->a].d[0] & S[d->b].d[0];
            d++;
            continue;
        case XOP_BOR:
            S[d->r].d[0] = S[d->a].d[0] | S[d->b].d[0];
            d++;
            continue;
        case XOP_BXOR:
            S[d->r].d[0] = S[d->a].d[0] ^ S[d->b].d[0];
            d++;
            continue;
        case XOP_ISHL:
            S[d->r].d[0] = (S[d->a].d[0] << (S[d->b].d[0] & d->cc)) & d->imm;
            d++;
            continue;
        case XOP_USHR:
            S[d->r].d[0] = S[d->a].d[0] >> (S[d->b].d[0] & d->cc);
            d++;
            continue;
        case XOP_SSHR:
            S[d->r].d[0] = (uint64_t)(interp_sext(S[d->a].d[0], d->cc + 1u) >> (S[d->b].d[0] & d->cc)) & d->imm;
            d++;
            continue;
        case XOP_ICMP:
            S[d->r].d[0] = interp_icmp(d->cc, (unsigned)d->imm, S[d->a].d[0], S[d->b].d[0]);
            d++;
            continue;
        case XOP_SELECT:
            S[d->r] = S[d->a].d[0] ? S[d->b] : S[d->c];
            d++;
            continue;
        case XOP_UEXTEND:
            S[d->r].d[0] = S[d->a].d[0];
            S[d->r].d[1] = 0;
            d++;
            continue;
        case XOP_SEXTEND: {
            int64_t v = interp_sext(S[d->a].d[0], d->cc);
            S[d->r].d[0] = (uint64_t)v & d->imm;
            S[d->r].d[1] = v < 0 ? ~0ull : 0;   /* for an i128 result */
            d++;
            continue;
        }
        case XOP_MASK:
            S[d->r].d[0] = S[d->a].d[0] & d->imm;
            d++;
            continue;
        case XOP_LOAD: {
            uint64_t addr = S[d->a].d[0] + d->imm;
            if (interp_in_stack(C, addr, d->cc)) {
                uint64_t v = 0;
                memcpy(&v, (void *)(uintptr_t)addr, d->cc);
                S[d->r].d[0] = v;
                S[d->r].d[1] = 0;
                d++;
                continue;
            }
            if ((st = d->fn(C, S, d)))
                goto stop;
            d++;
            continue;
        }
        case XOP_STORE: {
            uint64_t addr = S[d->b].d[0] + d->imm;
            if (interp_in_stack(C, addr, d->cc)) {
                memcpy((void *)(uintptr_t)addr, &S[d->a].d[0], d->cc);
                d++;
                continue;
            }
            if ((st = d->fn(C, S, d)))
                goto stop;
            d++;
            continue;
        }
        case XOP_JUMP: {
            const dedge *e = &df->edges[d->imm];
            take_edge(C, S, ops, e);
            if (C->steps >= C->poll_at && (st = poll(C)))
                goto stop;
            d = code + e->pc;
            continue;
        }
        case XOP_BRIF:
        case XOP_BRIF128: {
            bool t = d->x == XOP_BRIF ? S[d->a].d[0] != 0 : S[d->a].q != 0;
            const dedge *e = &df->edges[t ? d->b : d->c];
            take_edge(C, S, ops, e);
            if (C->steps >= C->poll_at && (st = poll(C)))
                goto stop;
            d = code + e->pc;
            continue;
        }
        case XOP_BR_TABLE: {
            uint64_t i = S[d->a].d[0];
            const dedge *e = &df->edges[i < d->c ? ops[d->b + i] : d->imm];
            take_edge(C, S, ops, e);
            if (C->steps >= C->poll_at && (st = poll(C)))
                goto stop;
            d = code + e->pc;
            continue;
        }
        case XOP_TRAP:
            st = d->trap ? d->trap : INTERP_DEBUGTRAP;
            goto stop;
        case XOP_TRAPZ:
        case XOP_TRAPNZ: {
            bool z = d->cc ? S[d->a].q == 0 : S[d->a].d[0] == 0;
            if (z == (d->x == XOP_TRAPZ)) {
                st = d->trap;
                goto stop;
            }
            d++;
            continue;
        }
        case XOP_RETURN:
            for (uint32_t k = 0; k < d->b; k++)
                C->retbuf[k] = S[ops[d->a + k]];
            goto do_return;
        case XOP_CALL:
        case XOP_CALL_INDIRECT:
        case XOP_TRY_CALL:
        case XOP_TRY_CALL_INDIRECT:
        case XOP_RETURN_CALL:
        case XOP_RETURN_CALL_INDIRECT: {
            uint32_t callee = d->c;
            uint64_t addr = 0;
            bool host = d->cc == 1;
            bool indirect = d->x == XOP_CALL_INDIRECT || d->x == XOP_TRY_CALL_INDIRECT ||
                            d->x == XOP_RETURN_CALL_INDIRECT;
            if (indirect) {
                callee = indirect_callee(C, S, d, &addr);
                host = callee == IR_NONE;
            }
            bool tail = d->x == XOP_RETURN_CALL || d->x == XOP_RETURN_CALL_INDIRECT;
            bool try = d->x == XOP_TRY_CALL || d->x == XOP_TRY_CALL_INDIRECT;
            if (host) {
                if (!indirect) {
                    addr = (uint64_t)(uintptr_t)C->hosts.v[callee].addr;
                } else if (!interp_host_code(C, addr)) {
                    st = interp_error(C, "%s to 0x%llx: neither a function of the file nor the start "
                                      "of a host function", ir_opcodes[d->op].name, (unsigned long long)addr);
                    goto stop;
                }
                const ir_signature *sig = &df->ir->sigs.v[d->ty2];
                /* results go to the caller's slots, or retbuf to be moved on */
                bool direct = !tail && !try;
                F->pc = (uint32_t)(d - code);
                st = interp_host_call(C, (void *)(uintptr_t)addr, df->ir, sig, S, ops + d->a,
                                      direct ? ops + d->r : NULL, C->retbuf);
                if (st)
                    goto stop;
                if (tail)
                    goto do_return;
                if (try) {
                    const dedge *e = &df->edges[d->imm];
                    take_edge(C, S, ops, e);
                    d = code + e->pc;
                } else {
                    d++;
                }
                if (C->steps >= C->poll_at && (st = poll(C)))
                    goto stop;
                continue;
            }
            dfunc *cf = &C->funcs[callee];
            if (cf->state != DF_OK && !interp_decode(C, callee)) {
                char loc[64];
                snprintf(loc, sizeof loc, "%s:%u:%u: ", cf->err->file ? cf->err->file : "-", cf->err->line,
                         cf->err->col);
                st = interp_error(C, "%s%s", loc, cf->err->msg);
                goto stop;
            }
            const ir_signature *csig = &df->ir->sigs.v[d->ty2];
            if (indirect && (cf->ir->sig.nparams != csig->nparams || cf->ir->sig.nrets != csig->nrets)) {
                st = interp_error(C, "%s to a function of %u parameters and %u results through a "
                                  "signature of %u and %u", ir_opcodes[d->op].name, cf->ir->sig.nparams,
                                  cf->ir->sig.nrets, csig->nparams, csig->nrets);
                goto stop;
            }
            for (uint32_t k = 0; k < d->b; k++)
                C->argbuf[k] = S[ops[d->a + k]];
            if (tail) {
                /* a real tail call: this frame goes before the callee's comes */
                uint32_t saved_depth = C->depth;
                pop_frame(C);
                if ((st = push_frame(C, cf))) {
                    C->depth = saved_depth;     /* report it at the return_call */
                    goto stop;
                }
            } else {
                F->pc = (uint32_t)(d - code);
                if ((st = push_frame(C, cf)))
                    goto stop;
            }
            RELOAD();
            d = code + F->pc;
            if (C->steps >= C->poll_at && (st = poll(C)))
                goto stop;
            continue;
        }
        default:
            st = interp_error(C, "internal error: bad decoded opcode %u", d->x);
            goto stop;
        }
    do_return:
        /* the results are in C->retbuf */
        pop_frame(C);
        if (C->depth == base)
            return 0;
        RELOAD();
        d = code + F->pc;
        if (d->x == XOP_TRY_CALL || d->x == XOP_TRY_CALL_INDIRECT) {
            const dedge *e = &df->edges[d->imm];
            take_edge(C, S, ops, e);
            d = code + e->pc;
        } else {
            for (uint32_t k = 0; k < d->r2; k++)
                S[ops[d->r + k]] = C->retbuf[k];
            d++;
        }
        if (C->steps >= C->poll_at && (st = poll(C)))
            goto stop;
    }
stop:
    if (!C->where_kept) {     /* a callback's trap keeps its own place */
        C->where_func = df->index;
        C->where_inst = d->inst;
    }
    C->where_kept = false;
    while (C->depth > base)
        pop_frame(C);
    return st;
#undef RELOAD
}

/* ---- calls ------------------------------------------------------------------------------ */

static bool ensure_frames(interp_ctx *C, unsigned max_depth)
{
    if (C->frames_cap >= max_depth + 1)
        return true;
    if (C->depth)
        return false;   /* frames are in use: no moving them */
    iframe *f = realloc(C->frames, (max_depth + 1) * sizeof *f);
    if (!f)
        return false;
    C->frames = f;
    C->frames_cap = max_depth + 1;
    return true;
}

/* Copy a run-line value into a slot, zero past its type's size. */
static void value_to_slot(const ir_data_value *v, ir_type t, islot *s)
{
    ir_copy16(s->b, v->bytes, ir_type_bytes(t));
}

/* Call func with args (NULL: they are in C->argbuf already). */
static int start_call(interp_ctx *C, uint32_t func, const ir_data_value *args)
{
    dfunc *df = &C->funcs[func];
    const ir_function *fn = df->ir;
    int st;
    if (args && !df->sargs) {
        /* straight into the frame's slots */
        if (!(st = open_frame(C, df))) {
            islot *S = C->frames[C->depth - 1].slots;
            for (uint32_t i = 0; i < df->nparams; i++)
                value_to_slot(&args[i], fn->abi_params.v[fn->sig.params + i].type, &S[df->param_slots[i]]);
            C->steps += df->entry_cost;
        }
    } else {
        for (uint32_t i = 0; args && i < df->nparams; i++)
            value_to_slot(&args[i], fn->abi_params.v[fn->sig.params + i].type, &C->argbuf[i]);
        st = push_frame(C, df);
    }
    if (st) {
        C->where_func = func;
        C->where_inst = IR_NONE;
        return st;
    }
    return run(C, C->depth - 1);
}

int interp_reenter(interp_ctx *C, uint32_t func, const islot *args, islot *results)
{
    dfunc *df = &C->funcs[func];
    if (!interp_decode(C, func))
        return interp_error(C, "%s", df->err->msg);
    for (uint32_t i = 0; i < df->nparams; i++)
        C->argbuf[i] = args[i];
    int st = start_call(C, func, NULL);
    if (!st)
        for (uint32_t i = 0; i < df->ir->sig.nrets; i++)
            results[i] = C->retbuf[i];
    return st;
}

static void outcome(interp_ctx *C, int st, interp_outcome *out)
{
    run_outcome *oc = &out->oc;
    char loc[320], tb[16];
    out->func = C->where_func;
    out->inst = C->where_inst;
    if (st == INTERP_TIMEOUT || st == INTERP_STEPS) {
        oc->status = RUN_TIMEOUT;
        if (st == INTERP_STEPS)
            snprintf(oc->msg, sizeof oc->msg, "timeout: step limit of %llu instructions",
                     (unsigned long long)C->max_steps);
        else
            snprintf(oc->msg, sizeof oc->msg, "timeout");
    } else if (st == INTERP_INTERRUPTED) {
        oc->status = RUN_INTERRUPTED;
        snprintf(oc->msg, sizeof oc->msg, "interrupted");
    } else if (st == INTERP_DEBUGTRAP) {
        oc->status = RUN_TRAP;
        out->trap = IR_TRAP_NONE;
        where(C, loc, sizeof loc);
        snprintf(oc->msg, sizeof oc->msg, "trap: debugtrap at %.230s", loc);
    } else if (st >= INTERP_ERR) {
        oc->status = RUN_ERROR;
        snprintf(oc->msg, sizeof oc->msg, "%s", C->msg);
        out->diag = (ir_diag){.file = C->file->path, .src = C->file->src, .len = C->file->len};
        const ir_function *fn = C->where_func != IR_NONE ? C->file->funcs.v[C->where_func] : NULL;
        const ir_inst_data *in = fn && C->where_inst < fn->insts.n ? &fn->insts.v[C->where_inst] : NULL;
        ir_diag_set(&out->diag, in ? in->line : 0, in ? in->col : 0, "%s", C->msg);
    } else {
        oc->status = RUN_TRAP;
        out->trap = (ir_trapcode)st;
        where(C, loc, sizeof loc);
        snprintf(oc->msg, sizeof oc->msg, "trap: %s at %.220s", ir_trapcode_name((ir_trapcode)st, tb), loc);
    }
}

/* An empty outcome: all but the diagnostic's buffers, 5 KiB that a call
 * would clear each time (they are written with the diagnostic). */
static void clear_outcome(interp_outcome *out)
{
    memset(&out->oc, 0, offsetof(run_outcome, msg) + 1);   /* msg "" */
    out->trap = 0;
    out->func = out->inst = IR_NONE;
    out->steps = 0;
    memset(&out->diag, 0, offsetof(ir_diag, msg) + 1);
    out->diag.nmore = out->diag.text_len = 0;
    out->diag.truncated = false;
}

run_status interp_call(interp_ctx *C, uint32_t func, const ir_data_value *args, uint32_t nargs,
                       ir_data_value *results, const interp_opts *opts, interp_outcome *out)
{
    static const interp_opts none = {0};
    clear_outcome(out);
    C->where_func = C->where_inst = IR_NONE;
    opts = opts ? opts : &none;
    if (func >= C->file->funcs.n) {
        out->oc.status = RUN_ERROR;
        snprintf(out->oc.msg, sizeof out->oc.msg, "no function %u in the file", func);
        return RUN_ERROR;
    }
    if (!interp_decode(C, func)) {
        out->oc.status = RUN_ERROR;
        out->diag = *C->funcs[func].err;
        snprintf(out->oc.msg, sizeof out->oc.msg, "%.60s:%u:%u: %.170s", out->diag.file ? out->diag.file : "-",
                 out->diag.line, out->diag.col, out->diag.msg);
        return RUN_ERROR;
    }
    dfunc *df = &C->funcs[func];
    const ir_function *fn = df->ir;
    if (nargs != fn->sig.nparams) {
        out->oc.status = RUN_ERROR;
        snprintf(out->oc.msg, sizeof out->oc.msg, "%u arguments for %u parameters", nargs, fn->sig.nparams);
        return RUN_ERROR;
    }
    unsigned max_depth = opts->max_depth ? opts->max_depth : 10000;
    if (C->depth && C->in_host) {
        out->oc.status = RUN_ERROR;
        snprintf(out->oc.msg, sizeof out->oc.msg, "interp_call while a call is under way");
        return RUN_ERROR;
    }
    if (!interp_mem_init(C) || !ensure_frames(C, max_depth)) {
        out->oc.status = RUN_ERROR;
        snprintf(out->oc.msg, sizeof out->oc.msg, "out of memory");
        return RUN_ERROR;
    }
    C->max_depth = max_depth;
    C->opts = opts;
    C->steps = 0;
    C->max_steps = opts->max_steps;
    C->deadline = opts->timeout > 0 ? now() + opts->timeout : 0;
    C->poll_at = POLL_EVERY;
    if (C->max_steps && C->poll_at > C->max_steps)
        C->poll_at = C->max_steps;
    C->pending = 0;
    C->reentries = 0;
    C->where_kept = false;
    memset(&C->pinned, 0, sizeof C->pinned);
    interp_mem_forget(C);
    int st = start_call(C, func, args);
    out->steps = C->steps;
    if (st) {
        outcome(C, st, out);
        return out->oc.status;
    }
    for (uint32_t i = 0; i < fn->sig.nrets; i++) {
        ir_type t = fn->abi_params.v[fn->sig.rets + i].type;
        results[i].type = t;
        ir_copy16(results[i].bytes, C->retbuf[i].b, ir_type_bytes(t));
    }
    out->oc.status = RUN_OK;
    return RUN_OK;
}
