/* lib/verify: the IR verifier, after cranelift/codegen/src/verifier/mod.rs.
 *
 * The checks run in Cranelift's order (global values, alias regions, entry
 * block, the signatures: preamble.c; then every instruction of every block
 * in layout order), with Cranelift's words where it has them, and every error is
 * reported (up to VERIFY_MAX_ERRORS per function), sorted by position.
 * Where Cranelift stops at a "fatal" error, the checks of that instruction
 * (or declaration, or block) stop and the next one is checked: what a fatal
 * error would make meaningless is never looked at, and nothing else is
 * hidden.  Dominators come from the Cooper-Harvey-Kennedy iteration over
 * reverse postorder (cfg.c); everything else is one pass over the
 * instructions.
 * Memory is a handful of arrays sized once per function. */
#include "internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* ---- context and reporting ------------------------------------------------ */

static void vreport(vctx *c, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    if (c->nerr >= VERIFY_MAX_ERRORS) {
        c->full = true;
        return;
    }
    /* on the first error: 8 KB on the stack would put every check below
     * it, the deepest frames of a small file's start (3 page faults) */
    if (!c->errs)
        c->errs = ir_xmalloc(VERIFY_MAX_ERRORS * sizeof *c->errs);
    verr *e = &c->errs[c->nerr++];
    e->line = line;
    e->col = col;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

/* A fatal error: the checks of the current item stop (`return fail(...)`). */
__attribute__((format(printf, 4, 5)))
static bool fail(vctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, line, col, fmt, ap);
    va_end(ap);
    return false;
}

/* A non-fatal error: the checks go on (`report(...)`, or `return verify_note(...)`). */
__attribute__((format(printf, 4, 5)))
bool verify_note(vctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, line, col, fmt, ap);
    va_end(ap);
    return true;
}

#define INST(c, i) (&(c)->f->insts.v[i])
#define FAIL_I(c, i, ...) fail(c, INST(c, i)->line, INST(c, i)->col, __VA_ARGS__)
#define NOTE_I(c, i, ...) verify_note(c, INST(c, i)->line, INST(c, i)->col, __VA_ARGS__)
/* An entity's position, or the function's when it has none (made up). */

/* " (target x)" after a message that depends on the target, when asked. */
const char *verify_isa_label(const vctx *c, char buf[48])
{
    if (!c->isa || !c->isa->label)
        return "";
    snprintf(buf, 48, " (target %s)", c->isa->label);
    return buf;
}

/* Type names as Cranelift prints them: i32, f64x2, i32x4xN for dynamic vectors.
 * Four rotating buffers: one message names at most four types. */
const char *verify_tname(vctx *c, ir_type t)
{
    char *b = c->tbuf[c->tk++ & 3];
    char tmp[16];
    if (!t) {
        strcpy(b, "INVALID");
    } else if (t & IR_TYPE_DYNAMIC) {
        ir_type base = (ir_type)(t & 0xff);
        snprintf(b, 40, "%sxN", ir_type_name(base, tmp));
    } else {
        snprintf(b, 40, "%s", ir_type_name(t, tmp));
    }
    return b;
}

/* AbiParam's Display: "i32 uext", "i64 vmctx", "i64 sarg(16)". */
const char *verify_abiname(vctx *c, const ir_abi_param *p)
{
    const char *t = verify_tname(c, p->type);
    char *b = c->tbuf[c->tk++ & 3];
    static const char *const purpose[] = {"", " sret", " vmctx", " sarg", " stack_limit"};
    const char *ext = p->ext == IR_EXT_UEXT ? " uext" : p->ext == IR_EXT_SEXT ? " sext" : "";
    if (p->purpose == IR_PURPOSE_SARG)
        snprintf(b, 40, "%s%s sarg(%u)", t, ext, (unsigned)p->sarg_size);
    else
        snprintf(b, 40, "%s%s%s", t, ext, p->purpose < 5 ? purpose[p->purpose] : "");
    return b;
}

/* The reader fills in Cranelift's default convention (fast, or system_v
 * under `test run`); should IR_CC_default remain, it means the host's C
 * convention, system_v on both supported hosts. */
static ir_callconv cc_of(ir_callconv cc) { return cc == IR_CC_default ? IR_CC_system_v : cc; }
static const char *ccname(ir_callconv cc) { return ir_callconv_names[cc_of(cc)]; }

/* Lengths of each opcode's "res" and "args" strings, from the table itself. */
static const struct { uint8_t nres, nargs; } op_len[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args) {sizeof(res) - 1, sizeof(args) - 1},
#include "ir/opcodes.def"
#undef OP
};

/* ---- type-set membership, cached -----------------------------------------------
 * ir_typeset_contains reads its set string each time; a file uses few
 * (set, type) pairs, so a small direct-mapped cache keyed by the set's
 * address makes the check a lookup.  The sets are static strings (the
 * opcode table's, free_contains's) and the answer depends on nothing
 * else, so the cache lives as long as the thread, not one function. */
typedef struct tscache { const char *set; ir_type t; bool in; } tscache;
#define TSCACHE_SIZE 128u
static _Thread_local tscache ts_cache[TSCACHE_SIZE];

static bool ts_contains(const char *set, ir_type t)
{
    uint32_t h = ((uint32_t)(uintptr_t)set * 31u + t) * 2654435761u >> 24;
    tscache *e = &ts_cache[h & (TSCACHE_SIZE - 1)];
    if (e->set != set || e->t != t) {
        e->set = set;
        e->t = t;
        e->in = ir_typeset_contains(set, t);
    }
    return e->in;
}


/* ts_contains where the cache knows t is in set: no call. */
static inline bool ts_hit(const char *set, ir_type t)
{
    uint32_t h = ((uint32_t)(uintptr_t)set * 31u + t) * 2654435761u >> 24;
    const tscache *e = &ts_cache[h & (TSCACHE_SIZE - 1)];
    return e->set == set && e->t == t && e->in;
}

/* ---- instructions: SSA and entity references -------------------------------------- */

/* One value used by inst (verify_inst_arg): defined, and its definition
 * dominates the use.  As in Cranelift, uses in unreachable blocks skip the
 * dominance check; a reachable use of an unreachable definition fails. */
static __attribute__((noinline)) bool verify_use_slow(vctx *c, uint32_t inst, uint32_t v);

/* vmark[v] >> 32 = mb says v was defined in block mb - 1 by an instruction
 * (or as a parameter) already walked and found fine there, so it is fine
 * in block mb - 1 itself and where that dominates: in ub, the block being
 * walked, as far as c->dom tells (the rest: ask the full checks). */
static inline uint64_t vmark_of(uint32_t b, ir_type t) { return (uint64_t)(b + 1) << 32 | t; }

static inline bool vmark_ok(const vctx *c, uint32_t mb, uint32_t ub)
{
    return mb == ub + 1 || (mb && (!c->check || (c->dom && c->dom >> (mb - 1) & 1)));
}

/* The common case, inline: a value whose vmark vouches for it (inst is in
 * the block being walked). */
static inline bool verify_use(vctx *c, uint32_t inst, uint32_t v)
{
    const ir_function *f = c->f;
    if (vmark_ok(c, v < f->values.n ? (uint32_t)(c->vmark[v] >> 32) : 0, f->insts.v[inst].block))
        return true;
    return verify_use_slow(c, inst, v);
}

static bool verify_use_slow(vctx *c, uint32_t inst, uint32_t v)
{
    const ir_function *f = c->f;
    uint32_t ub = f->insts.v[inst].block;
    if (v >= f->values.n)
        return NOTE_I(c, inst, "invalid value reference v%u", v);
    uint32_t r = resolve(f, v);
    if (r == IR_NONE)
        return FAIL_I(c, inst, "undefined operand value v%u", v);
    const ir_value_data *vd = &f->values.v[r];
    bool check = reachable(c, ub);
    if (vd->kind == IR_VAL_RESULT) {
        uint32_t def = vd->def;
        if (def >= f->insts.n)
            return FAIL_I(c, inst, "v%u is defined by an invalid instruction", v);
        uint32_t db = f->insts.v[def].block;
        if (db >= f->blocks.n || !f->blocks.v[db].in_layout)
            return FAIL_I(c, inst, "v%u is defined by an instruction which has no block", v);
        if (!check)
            return true;
        if (def == inst)
            return FAIL_I(c, inst, "uses value v%u from itself", v);
        bool dom = db == ub ? c->seen[def] : block_dominates(c, db, ub);
        if (!dom) {
            const ir_inst_data *di = &f->insts.v[def];
            if (db == ub)
                return FAIL_I(c, inst, "uses value v%u from non-dominating definition later in block%u (line %u)", v,
                              db, di->line);
            return FAIL_I(c, inst, "uses value v%u from non-dominating definition in block%u (line %u)%s", v, db,
                          di->line, reachable(c, db) ? "" : ", which is unreachable");
        }
    } else {
        uint32_t b = vd->def;
        if (b >= f->blocks.n)
            return FAIL_I(c, inst, "v%u is defined by invalid block block%u", v, b);
        if (!f->blocks.v[b].in_layout)
            return FAIL_I(c, inst, "v%u is defined by block%u which is not in the layout", v, b);
        if (check && !block_dominates(c, b, ub))
            return FAIL_I(c, inst, "uses value arg from non-dominating block%u (parameter v%u)%s", b, v,
                          reachable(c, b) ? "" : ", which is unreachable");
    }
    return true;
}

static bool verify_block_ref(vctx *c, uint32_t inst, uint32_t b)
{
    if (!block_ok(c->f, b))
        return FAIL_I(c, inst, "invalid block reference block%u", b);
    if (b == c->entry)
        return FAIL_I(c, inst, "invalid reference to entry block block%u", b);
    return true;
}

static bool is_call_format(ir_format fmt)
{
    return fmt == IR_FMT_Call || fmt == IR_FMT_CallIndirect || fmt == IR_FMT_TryCall ||
           fmt == IR_FMT_TryCallIndirect;
}

static bool is_variadic(ir_format fmt) { return fmt == IR_FMT_MultiAry || is_call_format(fmt); }

static bool is_tail_call(ir_opcode op) { return op == IR_OP_return_call || op == IR_OP_return_call_indirect; }

/* The callee: func ref (IR_NONE if indirect) and the signature that the
 * call is checked against (try_call: the exception table's). */
static uint32_t call_fn(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *id = &f->insts.v[inst];
    ir_format fmt = ir_opcodes[id->op].format;
    if (fmt == IR_FMT_Call)
        return id->ent;
    if (fmt == IR_FMT_TryCall)
        return id->ent;
    return IR_NONE;
}

static uint32_t call_sig(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *id = &f->insts.v[inst];
    switch (ir_opcodes[id->op].format) {
    case IR_FMT_Call: return f->func_refs.v[id->ent].sig;
    case IR_FMT_CallIndirect: return id->ent;
    case IR_FMT_TryCall:
    case IR_FMT_TryCallIndirect: return f->pool.v[exn_table(f, inst)];
    default: return IR_NONE;
    }
}

/* Cranelift's num_expected_results_for_verifier: a plain call has its
 * signature's returns, tail calls and try_call none, others the table's. */
static uint32_t expected_results(const ir_function *f, uint32_t inst)
{
    const ir_inst_data *id = &f->insts.v[inst];
    ir_format fmt = ir_opcodes[id->op].format;
    if ((fmt == IR_FMT_Call || fmt == IR_FMT_CallIndirect) && !is_tail_call(id->op))
        return f->sigs.v[call_sig(f, inst)].nrets;
    return op_len[id->op].nres;
}

static bool has_memflags(ir_format fmt)
{
    return fmt == IR_FMT_Load || fmt == IR_FMT_LoadNoOffset || fmt == IR_FMT_Store ||
           fmt == IR_FMT_StoreNoOffset || fmt == IR_FMT_AtomicRmw || fmt == IR_FMT_AtomicCas;
}

static bool sig_equal(const ir_function *f, const ir_signature *a, const ir_signature *b)
{
    if (a->nparams != b->nparams || a->nrets != b->nrets || cc_of(a->callconv) != cc_of(b->callconv))
        return false;
    for (uint32_t i = 0; i < a->nparams + a->nrets; i++) {
        const ir_abi_param *p = &f->abi_params.v[i < a->nparams ? a->params + i : a->rets + i - a->nparams];
        const ir_abi_param *q = &f->abi_params.v[i < a->nparams ? b->params + i : b->rets + i - a->nparams];
        if (p->type != q->type || p->ext != q->ext || p->purpose != q->purpose || p->sarg_size != q->sarg_size)
            return false;
    }
    return true;
}

static bool supports_exceptions(ir_callconv cc)
{
    cc = cc_of(cc);
    return cc == IR_CC_tail || cc == IR_CC_system_v || cc == IR_CC_winch || cc == IR_CC_preserve_all ||
           cc == IR_CC_apple_aarch64;
}

static bool verify_exception_table(vctx *c, uint32_t inst)
{
    const ir_function *f = c->f;
    uint32_t sig = f->pool.v[exn_table(f, inst)];
    if (!sig_ok(c, sig))
        return FAIL_I(c, inst, "invalid signature reference sig%u", sig);
    dest_iter it;
    uint32_t off;
    int kind;
    for (dest_start(&it, f, inst); dest_next(&it, &off, &kind);)
        if (!verify_block_ref(c, inst, bc_block(f, off)))
            return false;
    ir_callconv cc = f->sigs.v[sig].callconv;
    if (!supports_exceptions(cc))
        return NOTE_I(c, inst, "calling convention `%s` of callee does not support exceptions", ccname(cc));
    return true;
}

/* get_exception_handler_address names a block that ends in a try_call and
 * the index of one of its exceptional edges. */
static bool verify_handler_index(vctx *c, uint32_t inst, uint32_t b, int64_t index)
{
    const ir_function *f = c->f;
    if (index < 0)
        return FAIL_I(c, inst, "exception handler index %lld cannot be negative", (long long)index);
    uint32_t term = f->blocks.v[b].last;
    if (term == IR_NONE)
        return FAIL_I(c, inst, "referenced block block%u does not have a terminator", b);
    ir_format fmt = ir_opcodes[f->insts.v[term].op].format;
    if (fmt != IR_FMT_TryCall && fmt != IR_FMT_TryCallIndirect)
        return FAIL_I(c, inst, "referenced block block%u does not end in a try_call", b);
    uint32_t et = exn_table(f, term), nexc = 0;
    for (uint32_t k = 0; k < f->pool.v[et + 2]; k++)
        nexc += f->pool.v[et + 3 + 3 * k] != IR_EXN_CONTEXT;
    if ((uint64_t)index >= nexc)
        return FAIL_I(c, inst, "exception handler index %lld is out-of-range", (long long)index);
    return true;
}

/* verify_is_address: with an ISA, an address has the pointer's width. */
static void verify_is_address(vctx *c, uint32_t inst, uint32_t v)
{
    if (!c->isa || !c->isa->pointer_bits)
        return;
    ir_type t = vtype(c->f, v);
    char lb[48];
    if (t && ir_type_bits(t) != c->isa->pointer_bits)
        NOTE_I(c, inst, "invalid pointer width (got %u, expected %u) encountered v%u%s", ir_type_bits(t),
               c->isa->pointer_bits, v, verify_isa_label(c, lb));
}

/* The value operand that is an address, by format (verify_entity_references),
 * or -1. */
static int address_operand(const ir_inst_data *id)
{
    const ir_opinfo *row = &ir_opcodes[id->op];
    bool loads = row->flags & IR_OPF_CAN_LOAD, stores = row->flags & IR_OPF_CAN_STORE;
    switch (row->format) {
    case IR_FMT_Load:
    case IR_FMT_LoadNoOffset: return id->op != IR_OP_bitcast && loads ? 0 : -1;
    case IR_FMT_Store:
    case IR_FMT_StoreNoOffset: return stores ? 1 : -1;
    case IR_FMT_AtomicCas:
    case IR_FMT_AtomicRmw: return loads || stores ? 0 : -1;
    default: return -1;
    }
}

/* Cranelift's verify_bitcast: the same width, no flags but an endianness
 * (MemFlags::new() is "may trap with heap_oob": notrap or another trap
 * code is a flag too), an endianness when the lane count changes. */
static bool verify_bitcast(vctx *c, uint32_t inst)
{
    const ir_function *f = c->f;
    const ir_inst_data *id = &f->insts.v[inst];
    const uint32_t *args = ir_inst_args(f, inst), *res = ir_inst_results(f, inst);
    ir_type to = id->nres ? vtype(f, res[0]) : id->type, from = vtype(f, args[0]);
    uint8_t endian = id->mf.bits & (IR_MF_LITTLE | IR_MF_BIG);
    if (ir_type_bits(to) != ir_type_bits(from))
        return FAIL_I(c, inst,
                      "The bitcast argument v%u has a type of %u bits, which doesn't match an expected type of %u bits",
                      args[0], ir_type_bits(from), ir_type_bits(to));
    if ((id->mf.bits & ~(IR_MF_LITTLE | IR_MF_BIG)) || id->mf.region || id->mf.trap != IR_TRAP_heap_oob)
        return FAIL_I(c, inst, "The bitcast instruction only accepts the `big` or `little` memory flags");
    if (!endian && ir_type_lanes(to) != ir_type_lanes(from))
        return FAIL_I(c, inst, "Byte order specifier required for bitcast instruction changing lane count");
    return true;
}

/* Cranelift's instruction_integrity: result count, every value used and
 * defined, and every entity named by the instruction.  False when the
 * instruction cannot be type-checked. */
/* Opcodes with nothing for instruction_integrity to check but operand and
 * result counts, uses and results: no entity, destination, memory flags,
 * address operand, variadic operands or ISA flag (most instructions). */
#define SPECIAL_FMT(F)                                                                              \
    ((F) == IR_FMT_Call || (F) == IR_FMT_CallIndirect || (F) == IR_FMT_TryCall ||                  \
     (F) == IR_FMT_TryCallIndirect || (F) == IR_FMT_MultiAry || (F) == IR_FMT_Jump ||             \
     (F) == IR_FMT_Brif || (F) == IR_FMT_BranchTable || (F) == IR_FMT_FuncAddr ||                  \
     (F) == IR_FMT_StackAddr || (F) == IR_FMT_StackLoad || (F) == IR_FMT_StackStore ||             \
     (F) == IR_FMT_DynamicStackAddr || (F) == IR_FMT_DynamicStackLoad ||                           \
     (F) == IR_FMT_DynamicStackStore || (F) == IR_FMT_UnaryGlobalValue || (F) == IR_FMT_UnaryConst || \
     (F) == IR_FMT_ExceptionHandlerAddress || (F) == IR_FMT_Load || (F) == IR_FMT_LoadNoOffset ||  \
     (F) == IR_FMT_Store || (F) == IR_FMT_StoreNoOffset || (F) == IR_FMT_AtomicRmw ||              \
     (F) == IR_FMT_AtomicCas)
#define SPECIAL_OP(O)                                                                               \
    ((O) == IR_OP_bitcast || (O) == IR_OP_get_pinned_reg || (O) == IR_OP_set_pinned_reg ||         \
     (O) == IR_OP_get_frame_pointer || (O) == IR_OP_get_return_address)
static const bool op_plain[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args) \
    !SPECIAL_FMT(IR_FMT_##fmt) && !SPECIAL_OP(IR_OP_##id) && !((flags) & IR_OPF_BRANCH),
#include "ir/opcodes.def"
#undef OP
};

static bool instruction_integrity(vctx *c, uint32_t inst)
{
    const ir_function *f = c->f;
    const ir_inst_data *id = &f->insts.v[inst];
    const ir_opinfo *row = &ir_opcodes[id->op];
    ir_format fmt = row->format;
    bool plain = op_plain[id->op];

    /* entities that decide the result count come first (the parser checks
     * them; a reference to nothing stops here, as nothing else makes sense) */
    if (plain)
        ;
    else if (fmt == IR_FMT_Call || fmt == IR_FMT_TryCall) {
        uint32_t fn = call_fn(f, inst);
        if (!fn_ok(c, fn))
            return FAIL_I(c, inst, "invalid function reference fn%u", fn);
        if (!sig_ok(c, f->func_refs.v[fn].sig))
            return FAIL_I(c, inst, "invalid signature reference sig%u", f->func_refs.v[fn].sig);
    }
    if (!plain && fmt == IR_FMT_CallIndirect && !sig_ok(c, id->ent))
        return FAIL_I(c, inst, "invalid signature reference sig%u", id->ent);
    if (!plain && (fmt == IR_FMT_TryCall || fmt == IR_FMT_TryCallIndirect) && !sig_ok(c, f->pool.v[exn_table(f, inst)]))
        return FAIL_I(c, inst, "invalid signature reference sig%u", f->pool.v[exn_table(f, inst)]);

    uint32_t nfixed = op_len[id->op].nargs;
    if (!plain && is_variadic(fmt) ? id->nargs < nfixed : id->nargs != nfixed)
        return FAIL_I(c, inst, "expected %u value operands, found %u", nfixed, (unsigned)id->nargs);
    uint32_t nres = plain ? op_len[id->op].nres : expected_results(f, inst);
    if (id->nres != nres)
        return FAIL_I(c, inst, "expected %u result values, found %u", nres, (unsigned)id->nres);

    const uint32_t *args = ir_inst_args(f, inst);
    for (uint32_t k = 0; k < id->nargs; k++)
        if (!verify_use(c, inst, args[k]))
            return false;
    if (row->flags & IR_OPF_BRANCH) {
        dest_iter it;
        uint32_t off;
        int kind;
        for (dest_start(&it, f, inst); dest_next(&it, &off, &kind);) {
            const uint32_t *a = bc_args(f, off);
            for (uint32_t k = 0; k < bc_nargs(f, off); k++)
                if (IR_BLOCKARG_KIND(a[k]) == IR_BLOCKARG_VALUE && !verify_use(c, inst, a[k]))
                    return false;
        }
        if (fmt == IR_FMT_TryCall || fmt == IR_FMT_TryCallIndirect)
            for (uint32_t k = 0, et = exn_table(f, inst); k < f->pool.v[et + 2]; k++)
                if (f->pool.v[et + 3 + 3 * k] == IR_EXN_CONTEXT && !verify_use(c, inst, f->pool.v[et + 4 + 3 * k]))
                    return false;
    }
    const uint32_t *res = ir_inst_results(f, inst);
    for (uint32_t k = 0; k < id->nres; k++) {
        uint32_t v = res[k];
        if (v >= f->values.n)
            return FAIL_I(c, inst, "invalid value reference v%u", v);
        const ir_value_data *vd = &f->values.v[v];
        if (vd->kind != IR_VAL_RESULT || vd->def != inst)
            return FAIL_I(c, inst, "instruction result v%u is not defined by the instruction", v);
    }
    if (plain)
        return true;   /* nothing below applies */
    if (has_memflags(fmt) || id->op == IR_OP_bitcast) {
        if (id->mf.region && !region_ok(c, id->mf.region - 1u))
            NOTE_I(c, inst, "undefined alias region region%u", id->mf.region - 1u);
        if ((id->mf.bits & (IR_MF_LITTLE | IR_MF_BIG)) == (IR_MF_LITTLE | IR_MF_BIG))
            NOTE_I(c, inst, "cannot set both big and little endian bits");
    }

    switch (fmt) {
    case IR_FMT_Jump:
    case IR_FMT_Brif:
    case IR_FMT_BranchTable: {
        dest_iter it;
        uint32_t off;
        int kind;
        for (dest_start(&it, f, inst); dest_next(&it, &off, &kind);)
            if (!verify_block_ref(c, inst, bc_block(f, off)))
                return false;
        break;
    }
    case IR_FMT_Call: {
        const ir_func_ref *fr = &f->func_refs.v[id->ent];
        if (fr->patchable && is_tail_call(id->op))
            return FAIL_I(c, inst, "patchable funcref cannot be used in a return_call");
        if (fr->patchable && !fr->colocated)
            return FAIL_I(c, inst, "patchable call to non-colocated function");
        if (fr->patchable && f->sigs.v[fr->sig].nrets)
            return FAIL_I(c, inst, "patchable call cannot occur to a function with return values");
        break;
    }
    case IR_FMT_TryCall:
    case IR_FMT_TryCallIndirect:
        if (!verify_exception_table(c, inst))
            return false;
        break;
    case IR_FMT_FuncAddr:
        if (!fn_ok(c, id->ent))
            return FAIL_I(c, inst, "invalid function reference fn%u", id->ent);
        break;
    case IR_FMT_StackAddr:
    case IR_FMT_StackLoad:
    case IR_FMT_StackStore:
        if (!ss_ok(c, id->ent))
            return FAIL_I(c, inst, "invalid stack slot ss%u", id->ent);
        break;
    case IR_FMT_DynamicStackAddr:
    case IR_FMT_DynamicStackLoad:
    case IR_FMT_DynamicStackStore:
        if (!dss_ok(c, id->ent))
            return FAIL_I(c, inst, "invalid dynamic stack slot dss%u", id->ent);
        break;
    case IR_FMT_UnaryGlobalValue:
        if (!gv_ok(c, id->ent))
            return FAIL_I(c, inst, "invalid global value gv%u", id->ent);
        break;
    case IR_FMT_UnaryConst: {
        if (id->ent == IR_NONE)     /* inline literal: sized by the parser */
            break;
        if (!const_ok(c, id->ent))
            return FAIL_I(c, inst, "invalid constant reference const%u", id->ent);
        uint32_t want = id->op == IR_OP_f128const ? 16 : ir_type_bytes(id->type);
        uint32_t got = f->constants.v[id->ent].len;
        if ((id->op == IR_OP_vconst || id->op == IR_OP_f128const) && want != got)
            return FAIL_I(c, inst, "The instruction expects const%u to have a size of %u bytes but it has %u",
                          id->ent, want, got);
        break;
    }
    case IR_FMT_ExceptionHandlerAddress:
        if (!verify_block_ref(c, inst, id->ent) || !verify_handler_index(c, inst, id->ent, id->imm))
            return false;
        break;
    default:
        break;
    }
    /* what the ISA's flags must allow */
    if (id->op == IR_OP_get_pinned_reg || id->op == IR_OP_set_pinned_reg) {
        if (c->isa && !c->isa->enable_pinned_reg)
            return FAIL_I(c, inst, "GetPinnedReg/SetPinnedReg cannot be used without enable_pinned_reg");
    }
    if ((id->op == IR_OP_get_frame_pointer || id->op == IR_OP_get_return_address) && c->isa &&
        !c->isa->preserve_frame_pointers)
        return FAIL_I(c, inst, "`get_frame_pointer`/`get_return_address` cannot be used without enabling "
                               "`preserve_frame_pointers`");
    if (id->op == IR_OP_bitcast)
        return verify_bitcast(c, inst);
    int a = address_operand(id);
    if (a >= 0 && (uint32_t)a < id->nargs)
        verify_is_address(c, inst, args[a]);
    return true;
}

/* ---- instructions: types ------------------------------------------------------------ */


/* Cranelift's typevar operand of each format (formats.rs). */
/* The operand whose type is the controlling type, per opcode (from the
 * format's typevar operand, when the opcode's args say 'T' there and the
 * ctrl type is not the result's); 0xff for none. */
#define TYPEVAR_OPERAND(F) ((F) == IR_FMT_Ternary ? 1u : (F) == IR_FMT_AtomicCas ? 2u : 0u)
#define CTRL_TV(fmt, flags, args)                                                                 \
    (!((flags) & IR_OPF_CTRL_FROM_RESULT) && TYPEVAR_OPERAND(IR_FMT_##fmt) < sizeof(args) - 1 && \
             (args)[TYPEVAR_OPERAND(IR_FMT_##fmt) < sizeof(args) ? TYPEVAR_OPERAND(IR_FMT_##fmt) : 0] == 'T' \
         ? (uint8_t)TYPEVAR_OPERAND(IR_FMT_##fmt)                                                \
         : (uint8_t)0xff)
static const uint8_t op_ctrl_tv[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args) CTRL_TV(fmt, flags, args),
#include "ir/opcodes.def"
#undef OP
};

/* dfg.ctrl_typevar: the typevar operand's type when that operand is the
 * controlling type, else the first result's; the suffix if neither. */
static ir_type ctrl_type(vctx *c, uint32_t inst)
{
    const ir_function *f = c->f;
    const ir_inst_data *id = &f->insts.v[inst];
    uint32_t tv = op_ctrl_tv[id->op];
    if (tv < id->nargs)
        return vtype(f, ir_inst_args(f, inst)[tv]);
    if (id->nres)
        return vtype(f, ir_inst_results(f, inst)[0]);
    return id->type;
}

static const bool free_code[256] = {
    ['*'] = 1, ['i'] = 1, ['n'] = 1, ['a'] = 1, ['F'] = 1, ['r'] = 1, ['v'] = 1, ['W'] = 1, ['N'] = 1,
};
static bool is_free_code(char k) { return free_code[(unsigned char)k]; }

static ir_type derive(char code, ir_type ctrl) { return code == 'T' ? ctrl : ir_type_derive(code, ctrl); }

/* Membership of a free type variable's set; W/N are relative to ctrl. */
static bool free_contains(vctx *c, char k, ir_type ctrl, ir_type t)
{
    static const char *const sets[][2] = {
        {"*", "i,f,I,F,dI,dF"}, {"i", "i"}, {"n", "i,I"}, {"a", "i32..64"},
        {"F", "f,F,dF"}, {"r", "f"}, {"v", "I,F"},
    };
    if (k == 'W' || k == 'N') {
        bool same_kind = ir_type_is_int(ctrl) ? ir_type_is_int(t) : ir_type_is_float(t);
        if (!t || ir_type_is_vector(t) || !same_kind)
            return false;
        return k == 'W' ? ir_type_lane_bits(t) > ir_type_lane_bits(ctrl)
                        : ir_type_lane_bits(t) < ir_type_lane_bits(ctrl);
    }
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (sets[i][0][0] == k)
            return ts_contains(sets[i][1], t);
    return false;
}

/* A readable form of a free set, in place of Cranelift's ValueTypeSet Debug. */
static const char *free_set_name(vctx *c, char k, ir_type ctrl)
{
    switch (k) {
    case '*': return "{any type}";
    case 'i': return "{scalar ints}";
    case 'n': return "{ints, int vectors}";
    case 'a': return "{i32, i64}";
    case 'F': return "{floats, float vectors}";
    case 'r': return "{scalar floats}";
    case 'v': return "{vectors}";
    default: break;
    }
    char *b = c->tbuf[c->tk++ & 3];
    int len = snprintf(b, 40, "{");
    bool is_int = ir_type_is_int(ctrl);
    for (ir_type t = is_int ? IR_I8 : IR_F16; t <= (is_int ? IR_I128 : IR_F128); t++)
        if (free_contains(c, k, ctrl, t)) {
            char tmp[16];
            len += snprintf(b + len, 40 - (size_t)len, "%s%s", len > 1 ? ", " : "", ir_type_name(t, tmp));
        }
    snprintf(b + len, 40 - (size_t)len, "}");
    return b;
}

/* "block2(v1, v2)" or "fn0(v1)": the call that a count mismatch is about. */
static const char *render_call(char *buf, size_t size, const char *callee, const uint32_t *a,
                               uint32_t n, bool blockargs)
{
    int len = snprintf(buf, size, "%s(", callee);
    for (uint32_t k = 0; k < n && len < (int)size - 16; k++) {
        uint32_t x = a[k];
        static const char *const pre[] = {"v", "ret", "exn", "?"};
        if (!blockargs)
            x = IR_BLOCKARG(IR_BLOCKARG_VALUE, x);
        len += snprintf(buf + len, size - (size_t)len, "%s%s%u", k ? ", " : "", pre[IR_BLOCKARG_KIND(x)],
                        IR_BLOCKARG_INDEX(x));
    }
    if (len < (int)size - 5)
        snprintf(buf + len, size - (size_t)len, ")");
    return buf;
}

/* Payload types of exnN for a callee of convention cc (exception_payload_types);
 * the count, 0 for none.  Needs the ISA's pointer type. */
static unsigned exn_payloads(const vctx *c, ir_callconv cc, ir_type *t)
{
    cc = cc_of(cc);
    *t = verify_pointer_type(c);
    return cc == IR_CC_tail || cc == IR_CC_system_v || cc == IR_CC_preserve_all || cc == IR_CC_apple_aarch64 ? 2 : 0;
}

/* One block call: the count (non-fatal), then each argument's type; a
 * misplaced retN/exnN is fatal (false: the remaining block calls are not
 * checked), as in Cranelift. */
static bool typecheck_block_call(vctx *c, uint32_t inst, uint32_t off, int kind)
{
    const ir_function *f = c->f;
    uint32_t b = bc_block(f, off), n = bc_nargs(f, off);
    const uint32_t *a = bc_args(f, off);
    const ir_block_data *bd = &f->blocks.v[b];
    if (n != bd->nparams) {
        char name[24], buf[160];
        snprintf(name, sizeof name, "block%u", b);
        return NOTE_I(c, inst, "mismatched argument count for `%s`: got %u, expected %u",
                      render_call(buf, sizeof buf, name, a, n, true), n, bd->nparams);
    }
    ir_format fmt = ir_opcodes[f->insts.v[inst].op].format;
    bool is_try = fmt == IR_FMT_TryCall || fmt == IR_FMT_TryCallIndirect;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t x = a[k], i = IR_BLOCKARG_INDEX(x);
        ir_type t;
        switch (IR_BLOCKARG_KIND(x)) {
        case IR_BLOCKARG_VALUE:
            t = vtype(f, x);
            break;
        case IR_BLOCKARG_RET: {
            if (!is_try)
                return FAIL_I(c, inst, "`retN` block argument in block-call not on `try_call` instruction");
            if (kind != DEST_EXN_RET)
                return FAIL_I(c, inst, "`retN` block argument used outside normal-return target of `try_call`");
            const ir_signature *s = &f->sigs.v[call_sig(f, inst)];
            if (i >= s->nrets)
                return FAIL_I(c, inst, "out-of-bounds `retN` block argument");
            t = f->abi_params.v[s->rets + i].type;
            break;
        }
        case IR_BLOCKARG_EXN: {
            if (!is_try)
                return FAIL_I(c, inst, "`retN` block argument in block-call not on `try_call` instruction");
            if (kind != DEST_EXCEPTION)
                return FAIL_I(c, inst, "`exnN` block argument used outside normal-return target of `try_call`");
            if (!verify_pointer_type(c))      /* no ISA: Cranelift does not check them */
                continue;
            unsigned np = exn_payloads(c, f->sigs.v[call_sig(f, inst)].callconv, &t);
            if (i >= np)
                return FAIL_I(c, inst, "out-of-bounds `exnN` block argument");
            break;
        }
        default:
            return FAIL_I(c, inst, "invalid block argument");
        }
        ir_type pt = vtype(f, f->pool.v[bd->params + k]);
        if (!teq(t, pt)) {
            static const char *const pre[] = {"v", "ret", "exn"};
            NOTE_I(c, inst, "arg %s%u has type %s, expected %s", pre[IR_BLOCKARG_KIND(x)], i, verify_tname(c, t),
                   verify_tname(c, pt));
        }
    }
    return true;
}

/* typecheck_variable_args_iterator: each type, then the count. */
static void typecheck_call_args(vctx *c, uint32_t inst, const ir_signature *s, const uint32_t *a, uint32_t n,
                                const char *callee_kind, uint32_t callee)
{
    const ir_function *f = c->f;
    for (uint32_t k = 0; k < s->nparams && k < n; k++) {
        ir_type want = f->abi_params.v[s->params + k].type, t = vtype(f, a[k]);
        if (!teq(t, want))
            NOTE_I(c, inst, "arg %u (v%u) has type %s, expected %s", k, a[k], verify_tname(c, t), verify_tname(c, want));
    }
    if (n != s->nparams) {
        char name[24], buf[160];
        snprintf(name, sizeof name, "%s%u", callee_kind, callee);
        NOTE_I(c, inst, "mismatched argument count for `%s %s`: got %u, expected %u",
               ir_opcodes[f->insts.v[inst].op].name, render_call(buf, sizeof buf, name, a, n, false), n, s->nparams);
    }
}

/* Types of returned values against the function's returns. */
static void typecheck_return_types(vctx *c, uint32_t inst, const uint32_t *vals, uint32_t n,
                                   const ir_abi_param *from_sig, const char *msg)
{
    const ir_function *f = c->f;
    if (n != f->sig.nrets) {
        NOTE_I(c, inst, "%s", msg);
        return;
    }
    for (uint32_t k = 0; k < n; k++) {
        const ir_abi_param *p = &f->abi_params.v[f->sig.rets + k];
        ir_type t = vals ? vtype(f, vals[k]) : from_sig[k].type;
        if (!teq(t, p->type))
            NOTE_I(c, inst, "result %u has type %s, must match function signature of %s", k, verify_tname(c, t),
                   verify_abiname(c, p));
    }
}

/* Cranelift's typecheck: never fatal; every check runs. */
static void typecheck_full(vctx *c, uint32_t inst)
{
    const ir_function *f = c->f;
    const ir_inst_data *id = &f->insts.v[inst];
    const ir_opinfo *row = &ir_opcodes[id->op];
    ir_format fmt = row->format;
    const uint32_t *args = ir_inst_args(f, inst), *res = ir_inst_results(f, inst);

    ir_type ctrl = IR_TYPE_NONE;
    bool ctrl_ok = true;
    if (row->ctrl[0]) {
        ctrl = ctrl_type(c, inst);
        c->ctrl_inst = inst, c->ctrl = ctrl;
        if (!ctrl || !ts_contains(row->ctrl, ctrl)) {
            NOTE_I(c, inst, "has an invalid controlling type %s (allowed set is %s)", verify_tname(c, ctrl), row->ctrl);
            ctrl_ok = false;    /* what derives from it would only repeat this */
        }
    }

    /* results */
    bool plain = op_plain[id->op];      /* no call, branch, return or global value */
    const ir_signature *callsig = NULL;
    if (!plain && is_call_format(fmt))
        callsig = &f->sigs.v[call_sig(f, inst)];
    /* a plain call's results come from its signature (integrity checked the count) */
    bool sigres = callsig && (fmt == IR_FMT_Call || fmt == IR_FMT_CallIndirect) && !is_tail_call(id->op);
    for (uint32_t k = 0; ctrl_ok && k < id->nres; k++) {
        ir_type want = sigres ? f->abi_params.v[callsig->rets + k].type : derive(row->res[k], ctrl);
        ir_type t = f->values.v[res[k]].type;    /* integrity: a result, not an alias */
        if (!sigres && is_free_code(row->res[k])) {
            if (!free_contains(c, row->res[k], ctrl, t))
                NOTE_I(c, inst, "result %u (v%u) with type %s failed to satisfy type set %s", k, res[k], verify_tname(c, t),
                       free_set_name(c, row->res[k], ctrl));
        } else if (want && !teq(t, want)) {
            NOTE_I(c, inst, "expected result %u (v%u) to have type %s, found %s", k, res[k], verify_tname(c, want),
                   verify_tname(c, t));
        }
    }

    /* fixed value operands */
    uint32_t nfixed = op_len[id->op].nargs;
    for (uint32_t k = 0; ctrl_ok && k < nfixed; k++) {
        char code = row->args[k];
        ir_type t = vtype(f, args[k]);
        if (is_free_code(code)) {
            if (!free_contains(c, code, ctrl, t))
                NOTE_I(c, inst, "arg %u (v%u) with type %s failed to satisfy type set %s", k, args[k], verify_tname(c, t),
                       free_set_name(c, code, ctrl));
        } else {
            ir_type want = derive(code, ctrl);
            if (want && !teq(t, want))
                NOTE_I(c, inst, "arg %u (v%u) has type %s, expected %s", k, args[k], verify_tname(c, t), verify_tname(c, want));
        }
    }

    if (plain)
        return;

    /* block calls (a fatal error stops them and the call's arguments), then
     * the call's own arguments */
    bool vargs = true;
    if (row->flags & IR_OPF_BRANCH) {
        dest_iter it;
        uint32_t off;
        int kind;
        for (dest_start(&it, f, inst); vargs && dest_next(&it, &off, &kind);)
            vargs = typecheck_block_call(c, inst, off, kind);
    }
    if (callsig && vargs) {
        uint32_t fn = call_fn(f, inst);
        if (fmt == IR_FMT_TryCall) {
            uint32_t want = f->func_refs.v[fn].sig, got = call_sig(f, inst);
            if (!sig_equal(f, &f->sigs.v[got], &f->sigs.v[want]))
                NOTE_I(c, inst, "exception table signature sig%u did not match function fn%u's signature sig%u", got,
                       fn, want);
        }
        typecheck_call_args(c, inst, callsig, args + nfixed, id->nargs - nfixed, fn != IR_NONE ? "fn" : "v",
                            fn != IR_NONE ? fn : args[0]);
    }

    /* returns and tail calls */
    if (id->op == IR_OP_return_)
        typecheck_return_types(c, inst, args, id->nargs, NULL, "arguments of return must match function signature");
    if (is_tail_call(id->op)) {
        ir_callconv cc = cc_of(callsig->callconv);
        if (cc != IR_CC_tail)
            NOTE_I(c, inst, "calling convention `%s` does not support tail calls", ccname(cc));
        if (cc != cc_of(f->sig.callconv))
            NOTE_I(c, inst, "callee's calling convention must match caller");
        typecheck_return_types(c, inst, NULL, callsig->nrets, ir_sig_rets(f, callsig),
                               "results of callee must match caller");
    }

    /* typecheck_special: with an ISA, global values have types */
    if (fmt == IR_FMT_UnaryGlobalValue && id->nres) {
        ir_type t = f->values.v[res[0]].type, gt = verify_gv_type(c, &f->gvs.v[id->ent]);
        char lb[48];
        if (gt && !teq(t, gt))
            NOTE_I(c, inst, "global_value instruction with type %s references global value with type %s%s",
                   verify_tname(c, t), verify_tname(c, gt), verify_isa_label(c, lb));
    }
}

/* ---- typecheck of plain instructions, cached --------------------------------------
 * A plain instruction's typecheck (controlling type, results, fixed
 * operands) depends on nothing but its opcode, its suffix type and the
 * types of its operands and results, and a file repeats few such
 * combinations: one that passed is remembered (per thread, as ts_cache),
 * and the next instruction with the same key passes without the checks.
 * What failed is checked again, so every message is reported as before.
 * In front, the last key that passed per opcode (a file uses few types per
 * opcode): one lookup without a hash, as a rule. */
typedef struct tccache { uint64_t k0, k1; } tccache;
#define TCCACHE_SIZE 256u
static _Thread_local tccache tc_cache[TCCACHE_SIZE], tc_last[IR_OP_COUNT];

/* typecheck of a plain instruction keyed by k0 = opcode | suffix type << 16
 * | result types << 32, 48 and k1 = operand types << 0, 16, 32 (0 where
 * there is none; nargs and nres are the opcode's here): a lookup, then
 * on a miss the checks. */
static inline tccache *typecheck_slot(uint64_t k0, uint64_t k1)
{
    uint64_t h = (k0 ^ k1 * 0x9e3779b97f4a7c15u) * 0xff51afd7ed558ccdu;
    return &tc_cache[(h >> 40) & (TCCACHE_SIZE - 1)];
}

_Static_assert(IR_OP_jump == 0, "k0 of a plain opcode is never a zeroed entry's");
static inline bool typecheck_hit(uint64_t k0, uint64_t k1)
{
    tccache *l = &tc_last[(uint16_t)k0];
    if (l->k0 == k0 && l->k1 == k1)
        return true;
    tccache *e = typecheck_slot(k0, k1);
    if (e->k0 != k0 || e->k1 != k1)
        return false;
    *l = *e;
    return true;
}

static __attribute__((noinline)) void typecheck_miss(vctx *c, uint32_t inst, uint64_t k0, uint64_t k1)
{
    uint32_t nerr = c->nerr;
    typecheck_full(c, inst);
    if (c->nerr == nerr && !c->full) {
        tccache *e = typecheck_slot(k0, k1);
        e->k0 = k0, e->k1 = k1;
        tc_last[(uint16_t)k0] = *e;
    }
}

/* ---- instructions: immediates --------------------------------------------------------- */

static bool immediate_constraints(vctx *c, uint32_t inst)
{
    const ir_function *f = c->f;
    const ir_inst_data *id = &f->insts.v[inst];
    ir_format fmt = ir_opcodes[id->op].format;
    const uint32_t *args = ir_inst_args(f, inst);
    if (fmt == IR_FMT_Store && (id->mf.bits & IR_MF_READONLY))
        return FAIL_I(c, inst, "A store instruction cannot have the `readonly` MemFlag");
    if (fmt == IR_FMT_BinaryImm8 || fmt == IR_FMT_TernaryImm8) {
        if (id->imm < 0 || id->imm > 255)
            return FAIL_I(c, inst, "immediate %lld is not an unsigned 8-bit value", (long long)id->imm);
        if (id->op == IR_OP_extractlane || id->op == IR_OP_insertlane) {
            ir_type t = vtype(f, args[0]);
            if ((uint64_t)id->imm >= ir_type_lanes(t))
                return FAIL_I(c, inst, "The lane %lld does not index into the type %s", (long long)id->imm,
                              verify_tname(c, t));
        }
    }
    if (id->op == IR_OP_shuffle) {
        if (id->imm < 0 || (uint64_t)id->imm + 16 > f->bytes.n)
            return FAIL_I(c, inst, "the shuffle immediate wasn't 16-bytes long");
        for (int k = 0; k < 16; k++) {
            uint8_t lane = f->bytes.v[id->imm + k];
            if (lane >= 32)
                return FAIL_I(c, inst, "shuffle immediate index %u is larger than the maximum 31", lane);
        }
    }
    if (id->op == IR_OP_iconst) {
        /* Cranelift stores narrow immediates zero-extended */
        unsigned bits = ir_type_bits(c->ctrl_inst == inst ? c->ctrl : ctrl_type(c, inst));
        uint64_t v = (uint64_t)id->imm, mask = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
        if ((v & mask) != v)
            return FAIL_I(c, inst, "constant immediate is out of bounds");
    }
    /* Cranelift's debug_tags */
    const ir_opinfo *row = &ir_opcodes[id->op];
    if ((id->iflags & IR_INSTF_DEBUG_TAGS) && !(row->flags & IR_OPF_CALL) && id->op != IR_OP_sequence_point)
        return FAIL_I(c, inst, "debug tags present on non-call, non-sequence point instruction");
    return true;
}

/* Opcodes immediate_constraints has something to look at (besides debug tags). */
static const bool op_imm[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args)                                                 \
    IR_FMT_##fmt == IR_FMT_Store || IR_FMT_##fmt == IR_FMT_BinaryImm8 ||                          \
        IR_FMT_##fmt == IR_FMT_TernaryImm8 || IR_OP_##id == IR_OP_shuffle || IR_OP_##id == IR_OP_iconst,
#include "ir/opcodes.def"
#undef OP
};

static void immediates(vctx *c, uint32_t inst)
{
    const ir_inst_data *id = &c->f->insts.v[inst];
    if (op_imm[id->op] || (id->iflags & IR_INSTF_DEBUG_TAGS))
        immediate_constraints(c, inst);
}

/* An operand that verify_use finds fine, as it finds it: a result or
 * parameter whose definition is in the layout and (in a reachable block,
 * check) dominates the use: its type; -1 where it might not be (an
 * alias, an error): the full checks decide.  First the vmark, which
 * vouches for most. */
static __attribute__((noinline)) int64_t use_ok_slow(const vctx *c, uint32_t inst, uint32_t ub, uint32_t v)
{
    const ir_function *f = c->f;
    if (v >= f->values.n)
        return -1;
    const ir_value_data *vd = &f->values.v[v];
    uint32_t d, m = (uint32_t)(c->vmark[v] >> 32);
    bool check = c->check;
    if (m && (!check || (c->domset ? c->dom >> (m - 1) & 1 : block_dominates(c, m - 1, ub))))
        return vd->type;
    if (vd->kind == IR_VAL_RESULT) {
        uint32_t def = vd->def;
        if (def >= f->insts.n)
            return -1;
        d = f->insts.v[def].block;
        if (d == ub)   /* the block being checked, in the layout */
            return !check || (def != inst && c->seen[def]) ? vd->type : -1;
    } else if (vd->kind == IR_VAL_PARAM) {
        d = vd->def;
    } else {
        return -1;
    }
    return d < f->blocks.n && f->blocks.v[d].in_layout && (!check || block_dominates(c, d, ub)) ? vd->type : -1;
}

/* What the walk of block b reads, in locals (the stores to vmark and seen
 * may alias c->f's fields).  bk: the vmark of b's values less their type;
 * dom: the blocks (< 64) whose values the vmark vouches for in b besides
 * its own: every one in an unreachable block, else its dominators when
 * known as a set (use_ok_slow decides the rest). */
typedef struct vblock {
    const ir_value_data *vals;
    const uint32_t *pool;
    uint64_t *vmark;
    uint64_t bk, dom;
    uint32_t nv, b;
} vblock;

/* The checks below come in two kinds, by a constant `quick`: quick ones
 * call out to nothing (the walk keeps its state in registers) and answer
 * no (0, -1, false) where they would have to; the others do the rest.
 * Neither reports an error where the full checks would not look. */

/* use_ok as the walk wants it: the type, or -1. */
static inline __attribute__((always_inline)) int64_t use_type(const vctx *c, const vblock *x, uint32_t inst,
                                                              uint32_t v, bool quick)
{
    uint64_t m = v < x->nv ? x->vmark[v] : 0, t = m - x->bk;
    if (t < 0x10000)    /* defined in b */
        return (int64_t)t;
    uint32_t mb = (uint32_t)(m >> 32) - 1;
    if (mb < 64 && (x->dom >> mb & 1))
        return (ir_type)m;
    return quick ? -1 : use_ok_slow(c, inst, x->b, v);
}

/* Plain opcodes (no entity, destination, memory flags, address operand,
 * variadic operands or ISA flag; most instructions) of at most 3 operands
 * and 2 results: nargs | nres << 16 | terminator << 32, as an instruction
 * in its place (the last of its block if and only if a terminator) without
 * debug tags (bit 33) has them; UINT64_MAX for the others. */
#define FAST_KEY(flags, res, args)                                                                \
    (sizeof(args) - 1 <= 3 && sizeof(res) - 1 <= 2                                                \
         ? (uint64_t)(sizeof(args) - 1) | (uint64_t)(sizeof(res) - 1) << 16 |                     \
               (uint64_t)!!((flags) & IR_OPF_TERMINATOR) << 32                                    \
         : UINT64_MAX)
_Static_assert(offsetof(ir_inst_data, nres) == offsetof(ir_inst_data, nargs) + 2, "nargs, nres: one word");
static const uint64_t op_fast[IR_OP_COUNT] = {
#define OP(id, name, fmt, flags, ctrl, res, args)                                               \
    !SPECIAL_FMT(IR_FMT_##fmt) && !SPECIAL_OP(IR_OP_##id) && !((flags) & IR_OPF_BRANCH) ? FAST_KEY(flags, res, args) \
                                                                                       : UINT64_MAX,
#include "ir/opcodes.def"
#undef OP
};

/* Instruction i's key for op_fast (nargs, nres: one word on a little-endian host). */
static inline uint64_t fast_key(const ir_inst_data *id, uint32_t i, uint32_t last)
{
    uint32_t counts;
    memcpy(&counts, &id->nargs, sizeof counts);
    return counts | (uint64_t)(i == last) << 32 | (uint64_t)(id->iflags & IR_INSTF_DEBUG_TAGS) << 33;
}

/* Result v of instruction i: its type, or -1 where it is not one of i's. */
static inline __attribute__((always_inline)) int64_t result_type(const vblock *x, uint32_t i, uint32_t v)
{
    if (v >= x->nv || x->vals[v].kind != IR_VAL_RESULT || x->vals[v].def != i)
        return -1;
    ir_type t = x->vals[v].type;
    x->vmark[v] = x->bk | t;
    return t;
}

/* A plain instruction i of block x->b that op_fast admits, in one pass
 * over its operands: what instruction_integrity would find nothing wrong
 * with gets typecheck (a cache lookup, as a rule) and immediate_constraints
 * here, its results their vmark, and 1 (2: checks ran that may have
 * reported errors); 0, having reported nothing, where the full checks
 * (or, quick, plain_inst) must look. */
static inline __attribute__((always_inline)) int plain_inst(vctx *c, const vblock *x, uint32_t i,
                                                           const ir_inst_data *id, bool quick)
{
    const uint32_t *args = x->pool + id->args, *res = x->pool + id->res;
    uint32_t op = id->op, na = id->nargs, nr = id->nres;
    /* the types, as typecheck_hit keys them (unrolled: at most 3 and 2) */
    uint64_t k0 = op | (uint64_t)id->type << 16, k1 = 0;
    int64_t t;
    if (na > 0) {
        if ((t = use_type(c, x, i, args[0], quick)) < 0)
            return 0;
        k1 = (uint64_t)t;
        if (na > 1) {
            if ((t = use_type(c, x, i, args[1], quick)) < 0)
                return 0;
            k1 |= (uint64_t)t << 16;
            if (na > 2) {
                if ((t = use_type(c, x, i, args[2], quick)) < 0)
                    return 0;
                k1 |= (uint64_t)t << 32;
            }
        }
    }
    if (nr > 0) {
        if ((t = result_type(x, i, res[0])) < 0)
            return 0;
        k0 |= (uint64_t)t << 32;
        if (nr > 1) {
            if ((t = result_type(x, i, res[1])) < 0)
                return 0;
            k0 |= (uint64_t)t << 48;
        }
    }
    int r = 1;
    if (!typecheck_hit(k0, k1)) {
        if (quick)
            return 0;
        typecheck_miss(c, i, k0, k1);
        r = 2;
    }
    if (!op_imm[op])
        return r;
    if (op == IR_OP_iconst) {
        /* immediate_constraints' one check of iconst (ctrl: the result's
         * type), inline when it passes */
        ir_type ctrl = (ir_type)(k0 >> 32);
        uint64_t v = (uint64_t)id->imm;
        if (ctrl >= IR_I8 && ctrl <= IR_I64 && (ctrl == IR_I64 || v >> (8u << (ctrl - IR_I8)) == 0))
            return r;
    }
    if (quick)
        return 0;
    immediate_constraints(c, i);
    return 2;
}

/* What instruction_integrity, typecheck and immediates check of a call,
 * quick: a declared callee that is not patchable, its signature's
 * parameter and return types on the operands and results, operands that
 * the vmarks vouch for.  The results get their vmark. */
static bool quick_call(const vctx *c, const vblock *x, uint32_t i, const ir_inst_data *id)
{
    const ir_function *f = c->f;
    uint32_t fn = id->ent;
    if ((id->iflags & IR_INSTF_DEBUG_TAGS) || id->block != x->b || !fn_ok(c, fn))
        return false;
    const ir_func_ref *fr = &f->func_refs.v[fn];
    if (fr->patchable || !sig_ok(c, fr->sig))
        return false;
    const ir_signature *s = &f->sigs.v[fr->sig];
    if (id->nargs != s->nparams || id->nres != s->nrets)
        return false;
    const ir_abi_param *params = ir_sig_params(f, s), *rets = ir_sig_rets(f, s);
    const uint32_t *args = x->pool + id->args, *res = x->pool + id->res;
    for (uint32_t k = 0; k < id->nargs; k++) {
        int64_t t = use_type(c, x, i, args[k], true);
        if (t < 0 || !teq((ir_type)t, params[k].type))
            return false;
    }
    for (uint32_t k = 0; k < id->nres; k++) {
        uint32_t v = res[k];
        if (v >= x->nv || x->vals[v].kind != IR_VAL_RESULT || x->vals[v].def != i ||
            !teq(x->vals[v].type, rets[k].type))
            return false;
        x->vmark[v] = x->bk | x->vals[v].type;
    }
    return true;
}

/* return with nothing wrong, as instruction_integrity, typecheck and
 * immediates would find it: the operands fine and of the function's
 * return types.  False, having reported nothing, for the full checks. */
static inline __attribute__((always_inline)) bool return_inst(vctx *c, const vblock *x, uint32_t inst,
                                                             const ir_inst_data *id, bool quick)
{
    const ir_function *f = c->f;
    if ((id->iflags & IR_INSTF_DEBUG_TAGS) || id->nres || id->nargs != f->sig.nrets || op_len[id->op].nargs ||
        op_len[id->op].nres || ir_opcodes[id->op].ctrl[0])
        return false;
    const uint32_t *args = x->pool + id->args;
    for (uint32_t k = 0; k < id->nargs; k++) {
        int64_t t = use_type(c, x, inst, args[k], quick);
        if (t < 0 || !teq((ir_type)t, f->abi_params.v[f->sig.rets + k].type))
            return false;
    }
    return true;
}

/* jump and brif (and return, by return_inst) with nothing wrong, as
 * instruction_integrity, typecheck and immediates would find them (true,
 * having set what typecheck sets); false, having reported nothing, for
 * the full checks to look. */
static inline __attribute__((always_inline)) bool branch_inst(vctx *c, const vblock *x, uint32_t inst,
                                                             const ir_inst_data *id, bool quick)
{
    const ir_function *f = c->f;
    uint32_t op = id->op;
    bool brif = op == IR_OP_brif;
    if (op == IR_OP_return_)
        return return_inst(c, x, inst, id, quick);
    /* the table's jump: no operand, result or controlling type; brif: its
     * one operand 'T' the controlling type (op_ctrl_tv 0), no result */
    if ((!brif && op != IR_OP_jump) || (id->iflags & IR_INSTF_DEBUG_TAGS) || id->nres || id->nargs != brif)
        return false;
    const uint32_t *pool = x->pool;
    /* the condition: the controlling type, in the opcode's set; its
     * operand code 'T' then holds by itself */
    int64_t ctrl = brif ? use_type(c, x, inst, pool[id->args], quick) : 0;
    if (brif && (ctrl <= 0 || !(quick ? ts_hit : ts_contains)(ir_opcodes[op].ctrl, (ir_type)ctrl)))
        return false;
    for (uint32_t k = 0; k < (brif ? 2u : 1u); k++) {
        uint32_t off = brif ? pool[id->ent + k] : id->ent, b = bc_block(f, off), n = bc_nargs(f, off);
        if (!block_ok(f, b) || b == c->entry || n != f->blocks.v[b].nparams)
            return false;
        const uint32_t *a = bc_args(f, off), *params = pool + f->blocks.v[b].params;
        for (uint32_t j = 0; j < n; j++) {
            int64_t t = IR_BLOCKARG_KIND(a[j]) == IR_BLOCKARG_VALUE ? use_type(c, x, inst, a[j], quick) : -1;
            if (t < 0 || !teq((ir_type)t, vtype(f, params[j])))
                return false;
        }
    }
    if (brif)
        c->ctrl_inst = inst, c->ctrl = (ir_type)ctrl;
    return true;
}

/* The plain instructions of block x->b from i on, up to its last, that
 * quick plain_inst passes: marked seen.  Returned is the first it does
 * not pass (having changed no more than plain_inst will again), or
 * IR_NONE at the end. */
static __attribute__((noinline)) uint32_t quick_run(vctx *c, const vblock *xp, const ir_inst_data *insts,
                                                    uint8_t *seen, uint32_t i, uint32_t last)
{
    const vblock x = *xp;
    for (; i != IR_NONE && i != last; i = insts[i].next) {
        const ir_inst_data *id = &insts[i];
        uint32_t counts;    /* fast_key, for an instruction that is not the last */
        memcpy(&counts, &id->nargs, sizeof counts);
        if (counts != op_fast[id->op] || (id->iflags & IR_INSTF_DEBUG_TAGS) || id->block != x.b ||
            plain_inst(c, &x, i, id, true) != 1)
            return i;
        seen[i] = 1;
    }
    /* the terminator, as a rule (after it: the caller's loop goes on) */
    if (i == IR_NONE || insts[i].block != x.b || !branch_inst(c, &x, i, &insts[i], true))
        return i;
    seen[i] = 1;
    return insts[i].next;
}

/* ---- the driver ------------------------------------------------------------------------ */

/* Instruction i of block b, every check (what plain_inst and branch_inst
 * leave; tried: branch_inst found something to look at); its results
 * then get their vmark. */
static void verify_inst(vctx *c, const vblock *x, uint32_t i, bool tried)
{
    const ir_function *f = c->f;
    uint32_t b = x->b;
    const ir_block_data *bd = &f->blocks.v[b];
    const ir_inst_data *id = &f->insts.v[i];
    bool term = (ir_opcodes[id->op].flags & IR_OPF_TERMINATOR) != 0;
    if (term != (i == bd->last)) {
        if (term) {
            FAIL_I(c, i, "a terminator instruction was encountered before the end of block%u", b);
            c->fatal = true;    /* fatal in Cranelift's verifier (block_integrity): nothing after */
            return;
        }
        verify_note(c, bd->line, bd->col, "block does not end in a terminator instruction");
    }
    if (id->block != b) {
        FAIL_I(c, i, "should belong to block%u not block%u", b, id->block);
        return;
    }
    if (op_plain[id->op] || tried || !branch_inst(c, x, i, id, false)) {
        if (instruction_integrity(c, i)) {
            typecheck_full(c, i);
            immediates(c, i);
        }
    }
    const uint32_t *res = ir_inst_results(f, i);
    for (uint32_t k = 0; k < id->nres; k++)
        if (res[k] < f->values.n && f->values.v[res[k]].kind == IR_VAL_RESULT && f->values.v[res[k]].def == i)
            c->vmark[res[k]] = vmark_of(b, f->values.v[res[k]].type);
}

/* What plain_inst leaves: the terminator (jump, brif and return as a
 * rule, by branch_inst) and the rest (verify_inst).  True: stop the walk. */
static __attribute__((noinline)) bool inst_slow(vctx *c, vblock xb, uint32_t i)
{
    const ir_function *f = c->f;
    const vblock *x = &xb;   /* by value: the walk keeps its own in registers */
    const ir_inst_data *id = &f->insts.v[i];
    bool tried = i == f->blocks.v[x->b].last && id->block == x->b && !op_plain[id->op];
    if (tried && branch_inst(c, x, i, id, false))
        return false;
    verify_inst(c, x, i, tried);
    return c->full || c->fatal;
}

/* The start of block b, not empty: x is set for it, its params checked
 * (notes for those that do not belong to it; quick: false at the first,
 * having changed no more than the other will again) and given their vmark. */
static inline __attribute__((always_inline)) bool block_start(vctx *c, vblock *x, uint32_t b, bool quick)
{
    const ir_block_data *bd = &c->f->blocks.v[b];
    x->b = b;
    x->bk = vmark_of(b, 0);
    for (uint32_t k = 0; k < bd->nparams; k++) {
        uint32_t v = x->pool[bd->params + k];
        if (v >= x->nv || x->vals[v].kind != IR_VAL_PARAM) {
            if (quick)
                return false;
            verify_note(c, bd->line, bd->col, "v%u: expected an argument, found a result", v);
        } else if (x->vals[v].def != b) {
            if (quick)
                return false;
            verify_note(c, bd->line, bd->col, "v%u: does not belong to block%u", v, b);
        } else {
            x->vmark[v] = x->bk | x->vals[v].type;
        }
    }
    c->check = reachable(c, b);   /* uses in unreachable blocks: no dominance */
    c->dom = c->check && c->domset ? c->domset[b] : 0;
    x->dom = c->check ? c->dom : UINT64_MAX;
    return true;
}

/* quick_run from instruction i of block layout[*li] (IR_NONE: its end)
 * on, into the blocks after it as long as quick block_start passes them:
 * the first instruction that quick_run does not pass, or IR_NONE with
 * *li at the next block whose start is left to the caller (or at the
 * layout's end). */
static __attribute__((noinline)) uint32_t quick_walk(vctx *c, vblock *x, uint8_t *seen, uint32_t *li, uint32_t i)
{
    const ir_function *f = c->f;
    for (;;) {
        if (i != IR_NONE && (i = quick_run(c, x, f->insts.v, seen, i, f->blocks.v[x->b].last)) != IR_NONE)
            return i;
        if (++*li >= f->layout.n)
            return IR_NONE;
        uint32_t b = f->layout.v[*li];
        if ((i = f->blocks.v[b].first) == IR_NONE || !block_start(c, x, b, true))
            return IR_NONE;
    }
}

/* Every block in layout order, until the errors are too many or fatal:
 * not empty, one terminator and only at the end, params that belong to
 * the block (which get their vmark); then each instruction. */
static __attribute__((noinline)) void verify_blocks(vctx *c)
{
    const ir_function *f = c->f;
    const ir_inst_data *insts = f->insts.v;
    uint8_t *seen = c->seen;
    static const uint32_t no_pool[1];     /* an empty pool: x.pool + 0 stays defined */
    vblock x = {.vals = f->values.v, .pool = f->pool.v ? f->pool.v : no_pool, .vmark = c->vmark, .nv = f->values.n};
    for (uint32_t li = 0; !c->full && !c->fatal && li < f->layout.n;) {
        uint32_t b = f->layout.v[li];
        const ir_block_data *bd = &f->blocks.v[b];
        if (bd->first == IR_NONE) {
            verify_note(c, bd->line, bd->col, "block%u cannot be empty", b);
            li++;
            continue;
        }
        block_start(c, &x, b, false);
        for (uint32_t i = bd->first; (i = quick_walk(c, &x, seen, &li, i)) != IR_NONE; i = insts[i].next) {
            const ir_inst_data *id = &insts[i];
            uint32_t last = f->blocks.v[x.b].last;
            if (i != last && id->op == IR_OP_call && quick_call(c, &x, i, id)) {
                seen[i] = 1;
                continue;
            }
            int r = fast_key(id, i, last) == op_fast[id->op] && id->block == x.b ? plain_inst(c, &x, i, id, false) : 0;
            seen[i] = 1;    /* plain_inst looks at seen[] of other instructions only */
            if (r == 1)
                continue;
            if (r ? c->full || c->fatal : inst_slow(c, x, i))
                return;
        }
    }
}

static int cmp_err(const void *a, const void *b)
{
    const verr *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x < y ? -1 : x > y;      /* stable: keep the order of the checks */
}

bool verify_function_isa(const ir_function *f, const verify_isa *isa, ir_diag *d)
{
    char tbuf[4][40];
    vctx c = {.f = f, .isa = isa, .entry = f->layout.n ? f->layout.v[0] : IR_NONE, .ctrl_inst = IR_NONE, .tbuf = tbuf};
    /* one block of memory (on the stack for most functions): what starts
     * zeroed, a word pair per value, a byte per instruction, per global
     * value and per signature; then per-block arrays and edges */
    size_t nb = f->blocks.n, ni = f->insts.n, ne = nb <= 64 ? 0 : verify_count_edges(f);
    size_t nv = f->values.n, zwords = nv * 2 + (ni + 4) / 4 + (f->gvs.n + 4) / 4 + (f->sigs.n + 4) / 4;
    size_t words = zwords + nb * 4 + (nb + 1) * 5 + ne * 2 + 2;
    uint64_t local[128];
    uint32_t *mem = words <= 2 * 128 ? (uint32_t *)local : malloc(words * sizeof *mem);
    if (!mem) {
        ir_diag_set(d, f->line, f->col, "out of memory");
        return false;
    }
    memset(mem, 0, zwords * sizeof *mem);
    c.vmark = (uint64_t *)mem;     /* first: aligned */
    c.seen = (uint8_t *)(mem + nv * 2);
    uint8_t *gvstate = c.seen + ni + 4 - ni % 4;
    uint8_t *sigdone = gvstate + f->gvs.n + 4 - f->gvs.n % 4;
    c.po = mem + zwords;
    uint64_t domset[64];
    if (!verify_small_dominators(&c, domset)) {   /* the rest: the tree's arrays */
        c.idom = c.po + nb;
        c.dpre = c.idom + nb;
        c.dmax = c.dpre + nb;
        c.succ_off = c.dmax + nb;
        c.order = c.succ_off + nb + 1;
        c.stack = c.order + nb + 1;
        c.next = c.stack + nb + 1;
        c.pred_off = c.next + nb + 1;
        c.succ = c.pred_off + nb + 1;
        c.pred = c.succ + ne + 1;
        verify_build_cfg(&c);
        verify_compute_dominators(&c);
    }

    verify_preamble(&c, gvstate, sigdone);
    verify_blocks(&c);
    if (mem != (uint32_t *)local)
        free(mem);
    if (!c.nerr)
        return true;
    verr *errs = c.errs;
    qsort(errs, c.nerr, sizeof *errs, cmp_err);
    ir_diag_set(d, errs[0].line, errs[0].col, "%s", errs[0].msg);
    for (uint32_t i = 1; i < c.nerr; i++)
        ir_diag_add(d, errs[i].line, errs[i].col, "%s", errs[i].msg);
    if (c.full)
        d->truncated = true;
    free(errs);
    return false;
}

bool verify_function(const ir_function *f, ir_diag *d) { return verify_function_isa(f, NULL, d); }
