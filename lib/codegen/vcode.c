/* Building VCode: blocks, instructions and their operands, vregs, labels,
 * the constant pool and symbols.  Everything appends to arrays. */
#include "cg.h"

#include <string.h>

void cg_func_init(cg_func *f)
{
    memset(f, 0, sizeof *f);
    f->cur = CG_NONE;
    f->cur_ir = CG_NONE;
}

void cg_func_free(cg_func *f)
{
    ir_vec_free(&f->blocks);
    ir_vec_free(&f->insts);
    ir_vec_free(&f->opnds);
    ir_vec_free(&f->vlist);
    ir_vec_free(&f->vcls);
    ir_vec_free(&f->syms);
    ir_vec_free(&f->sym_decl);
    ir_vec_free(&f->consts);
    ir_vec_free(&f->cbytes);
    ir_vec_free(&f->allocs);
    ir_vec_free(&f->edits);
}

const char *cg_reg_name(const cg_isa *isa, unsigned preg)
{
    return preg < isa->nregs ? isa->reg_names[preg] : "?";
}

uint32_t cg_new_vreg(cg_func *f, unsigned cls) { return cg_new_vreg_inline(f, cls); }
cg_inst *cg_emit_inst(cg_func *f, unsigned op, unsigned n) { return cg_emit_inst_inline(f, op, n); }
#define add_op cg_op_inline

void cg_op_use(cg_func *f, uint32_t reg) { add_op(f, reg, CG_USE, CG_ANY, 0); }
void cg_op_use_fixed(cg_func *f, uint32_t reg, unsigned preg) { add_op(f, reg, CG_USE, CG_FIXED, preg); }
void cg_op_def(cg_func *f, uint32_t reg) { add_op(f, reg, CG_DEF, CG_ANY, 0); }
void cg_op_def_fixed(cg_func *f, uint32_t reg, unsigned preg) { add_op(f, reg, CG_DEF, CG_FIXED, preg); }
void cg_op_def_reuse(cg_func *f, uint32_t reg, unsigned use) { add_op(f, reg, CG_DEF, CG_REUSE, use); }
void cg_op_temp(cg_func *f, uint32_t reg) { add_op(f, reg, CG_EARLY_DEF, CG_ANY, 0); }
void cg_op_temp_fixed(cg_func *f, uint32_t reg, unsigned preg) { add_op(f, reg, CG_EARLY_DEF, CG_FIXED, preg); }

uint32_t cg_block_begin(cg_func *f, uint32_t label)
{
    cg_block b = {.label = label, .first = f->insts.n, .end = f->insts.n};
    ir_vec_push(&f->blocks, b);
    f->cur = f->blocks.n - 1;
    return f->cur;
}

void cg_block_end(cg_func *f)
{
    f->blocks.v[f->cur].end = f->insts.n;
}


uint32_t cg_const_add(cg_func *f, const void *bytes, uint32_t size, uint32_t align)
{
    /* the same constant is usually asked for again soon: look back a little */
    uint32_t lo = f->consts.n > 32 ? f->consts.n - 32 : 0;
    for (uint32_t i = f->consts.n; i-- > lo;) {
        cg_const *k = &f->consts.v[i];
        if (k->size == size && k->align >= align && !memcmp(f->cbytes.v + k->off, bytes, size))
            return i;
    }
    cg_const k = {f->cbytes.n, size, align, cg_new_label(f)};
    ir_vec_reserve(&f->cbytes, size);
    memcpy(f->cbytes.v + f->cbytes.n, bytes, size);
    f->cbytes.n += size;
    ir_vec_push(&f->consts, k);
    return f->consts.n - 1;
}

uint32_t cg_sym_add(cg_ctx *c, const char *name)
{
    for (uint32_t i = 0; i < c->f.syms.n; i++)
        if (!strcmp(c->f.syms.v[i], name))
            return i;
    size_t n = strlen(name);
    ir_vec_push(&c->f.syms, ir_arena_strndup(&c->out->names, name, n));
    ir_vec_push(&c->f.sym_decl, 0);
    ir_vec_push(&c->f.sym_decl, 0);
    return c->f.syms.n - 1;
}

void cg_edge_args(cg_ctx *c, uint32_t bc, const ir_signature *sig, const uint32_t *rets,
                  const uint32_t *exn, unsigned nexn)
{
    const ir_function *fn = c->fn;
    const uint32_t *p = &fn->pool.v[bc];
    /* collected first: putting a value in a register may emit instructions */
    uint32_t *rv = ir_xmalloc((2 * p[1] + 1) * sizeof *rv), n = 0;
    for (uint32_t i = 0; i < p[1]; i++) {
        uint32_t a = p[2 + i], ix = IR_BLOCKARG_INDEX(a);
        switch (IR_BLOCKARG_KIND(a)) {
        case IR_BLOCKARG_RET:
            rv[n++] = rets[ix];
            if (ix < sig->nrets && fn->abi_params.v[sig->rets + ix].type == IR_I128)
                rv[n++] = rets[ix] + 1;
            break;
        case IR_BLOCKARG_EXN:
            rv[n++] = exn && ix < nexn ? exn[ix] : c->isa->movi(c, 8, 0);
            break;
        default:
            rv[n] = c->isa->put_in_reg(c, ix);
            if (fn->values.v[ir_value_resolve(fn, ix)].type == IR_I128)
                rv[n + 1] = rv[n] + 1, n++;
            n++;
        }
    }
    cg_block *b = &c->f.blocks.v[c->f.cur];
    b->args = c->f.vlist.n, b->nargs = n;
    for (uint32_t i = 0; i < n; i++)
        ir_vec_push(&c->f.vlist, rv[i]);
    free(rv);
}

uint32_t cg_sym_extname(cg_ctx *c, const ir_extname *n)
{
    char buf[128];
    uint32_t k = cg_sym_add(c, cg_extname_symbol(c, n, buf, sizeof buf));
    if (n->line && !c->f.sym_decl.v[2 * k]) {
        c->f.sym_decl.v[2 * k] = n->line;
        c->f.sym_decl.v[2 * k + 1] = n->col;
    }
    return k;
}

unsigned cg_type_cls(ir_type t)
{
    if (t <= IR_I128)   /* the scalar integers first: most values */
        return CG_CLS_INT;
    return ir_type_is_float(t) || ir_type_is_vector(t) ? CG_CLS_FLOAT : CG_CLS_INT;
}

/* cg_value_vreg_new's general case */
static __attribute__((noinline)) uint32_t value_vreg_grow(cg_ctx *c, uint32_t v)
{
    ir_type t = c->fn->values.v[v].type;
    uint32_t r = cg_new_vreg_inline(&c->f, cg_type_cls(t));
    if (t == IR_I128)   /* a register pair: low half first */
        cg_new_vreg_inline(&c->f, CG_CLS_INT);
    c->vreg_of.v[v] = r;
    return r;
}

/* cg_value_vreg's first use of v (resolved): a leaf unless vcls must grow
 * or v is an i128 (a pair) */
uint32_t cg_value_vreg_new(cg_ctx *c, uint32_t v)
{
    ir_type t = c->fn->values.v[v].type;
    cg_func *f = &c->f;
    uint32_t n = f->vcls.n;
    if (t == IR_I128 || n >= f->vcls.cap)
        return value_vreg_grow(c, v);
    f->vcls.v[n] = (uint8_t)cg_type_cls(t);
    f->vcls.n = n + 1;
    return c->vreg_of.v[v] = CG_VREG0 + n;
}

bool cg_unsupported(cg_ctx *c, uint32_t inst, const char *what)
{
    if (inst == CG_NONE) {  /* the function's own signature */
        ir_diag_set(c->d, c->fn->line, c->fn->col, "unsupported on %s: %s", c->isa->name, what);
        return false;
    }
    const ir_inst_data *in = &c->fn->insts.v[inst];
    char buf[96], tb[16];
    if (!what) {
        ir_type t = in->type;
        if (!t && in->nres)
            t = c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type;
        if (!t && in->nargs)
            t = c->fn->values.v[ir_value_resolve(c->fn, ir_inst_args(c->fn, inst)[0])].type;
        snprintf(buf, sizeof buf, "%s%s%s", ir_opcodes[in->op].name, t ? "." : "",
                 t ? ir_type_name(t, tb) : "");
        what = buf;
    }
    ir_diag_set(c->d, in->line, in->col, "unsupported on %s: %s", c->isa->name, what);
    return false;
}

/* Cranelift's LibCall names and the C functions behind them. */
static const char *const libcalls[][2] = {
    {"CeilF32", "ceilf"},       {"CeilF64", "ceil"},       {"FloorF32", "floorf"},
    {"FloorF64", "floor"},      {"TruncF32", "truncf"},    {"TruncF64", "trunc"},
    {"NearestF32", "nearbyintf"}, {"NearestF64", "nearbyint"}, {"FmaF32", "fmaf"},
    {"FmaF64", "fma"},          {"Memcpy", "memcpy"},      {"Memset", "memset"},
    {"Memmove", "memmove"},     {"Memcmp", "memcmp"},      {"Probestack", "__cranelift_probestack"},
};

const char *cg_extname_symbol(cg_ctx *c, const ir_extname *n, char *buf, size_t size)
{
    if (n->kind == IR_NAME_USERREF && n->index < c->fn->user_names.n)
        n = &c->fn->user_names.v[n->index];
    /* A testcase name is its own symbol, whether the file defines it or not;
     * searching the file (linear) for each call would make compiling a file
     * quadratic.  Only a libcall name needs to know. */
    if (n->kind == IR_NAME_TESTCASE || n->kind == IR_NAME_LIBCALL) {
        const char *s = n->str ? n->str : "";
        for (size_t i = 0; i < sizeof libcalls / sizeof libcalls[0]; i++)
            if (s[0] == libcalls[i][0][0] && !strcmp(s, libcalls[i][0]) &&    /* the initial first: cheap */
                ir_file_find_func(c->file, n) == IR_NONE)
                return libcalls[i][1];
        return s;
    }
    uint32_t k = ir_file_find_func(c->file, n);
    if (k != IR_NONE)
        return cg_symbol_name(c->file->funcs.v[k], buf, size);
    if (n->kind == IR_NAME_USER) {
        snprintf(buf, size, "u%u:%u", n->ns, n->index);
        return buf;
    }
    const char *s = n->str ? n->str : "";
    for (size_t i = 0; i < sizeof libcalls / sizeof libcalls[0]; i++)
        if (!strcmp(s, libcalls[i][0]))
            return libcalls[i][1];
    snprintf(buf, size, "%s", s);
    return buf;
}

/* ---- emission checks ---------------------------------------------------------- */

void cg_need_isa(cg_need *n, const cg_ctx *c, const cg_inst *in, uint64_t flags)
{
    uint64_t lack = flags & ~c->target->isa;
    if (lack && !n->missing)
        n->in = in;
    n->missing |= lack;
}

bool cg_emit_check(cg_ctx *c, bool ok, const cg_need *n)
{
    static const char *const names[CG_ISA_COUNT] = {
#define CG_F(name) #name,
        CG_ISA_FLAGS(CG_F)
#undef CG_F
    };
    const char *isa = c->isa->name;
    if (!ok) {
        ir_diag_set(c->d, c->fn->line, c->fn->col, "internal error: %s emission", isa);
        return false;
    }
    if (!n->missing)
        return true;
    unsigned k = (unsigned)__builtin_ctzll(n->missing);
    const ir_inst_data *ii = n->in && n->in->ir != CG_NONE ? &c->fn->insts.v[n->in->ir] : NULL;
    uint32_t line = ii ? ii->line : c->fn->line, col = ii ? ii->col : c->fn->col;
    if (k < CG_ISA_COUNT)
        ir_diag_set(c->d, line, col, "internal error: %s code for this needs has_%s, which the target line "
                    "does not enable", isa, names[k]);
    else
        ir_diag_set(c->d, line, col, "internal error: %s code for this uses an instruction outside the ISA "
                    "flags", isa);
    return false;
}
