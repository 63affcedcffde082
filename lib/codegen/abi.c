/* The ABI engine: incoming arguments, returns, calls, tail calls, the call
 * of a try_call, libcalls and global values, for every target.  A target says where each value lives
 * (cg_isa.compute_locs) and how to load, store and extend; this file does
 * the rest, as Cranelift's machinst/abi.rs does for its ISAs.
 *
 * A narrow `uext`/`sext` value is extended to 64 bits by whoever produces
 * it (the caller for arguments, the callee for returns); nobody relies on
 * the other side having done so.  An `sarg(N)` parameter is a struct the
 * caller copies into its outgoing argument area (inline when small, else
 * through memcpy); the callee gets its address. */
#include "cg.h"

#include <string.h>

#define SARG_INLINE 64  /* bytes copied with loads and stores; more go through memcpy */

const ir_signature *cg_call_sig(const ir_function *fn, const ir_inst_data *in)
{
    switch (in->op) {
    case IR_OP_try_call: case IR_OP_try_call_indirect:
        return &fn->sigs.v[fn->pool.v[(uint32_t)in->imm]];
    case IR_OP_call_indirect: case IR_OP_return_call_indirect:
        return &fn->sigs.v[in->ent];
    default:
        return &fn->sigs.v[fn->func_refs.v[in->ent].sig];
    }
}

/* The last few signatures whose locations this thread computed, and
 * them: a function and its callees often share one, and a caller of two
 * kinds of callee alternates between them.  Locations depend on the
 * target, the convention and each parameter's type, extension, purpose
 * and struct size only. */
#define SIG_MEMO 8      /* parameters and returns at most */
#define SIG_MEMOS 4     /* signatures remembered, the oldest replaced */
typedef struct sig_memo {
    const cg_isa *isa;          /* NULL: none */
    ir_callconv cc;
    uint32_t nparams, nrets, nlocs;
    ir_abi_param key[SIG_MEMO]; /* returns, then parameters */
    cg_loc locs[SIG_MEMO];
    cg_sig sig;                 /* its ranges from 0 */
} sig_memo;
static _Thread_local sig_memo memos[SIG_MEMOS];
static _Thread_local unsigned memo_next;

static bool same_params(const ir_abi_param *key, const ir_abi_param *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (key[i].type != p[i].type || key[i].ext != p[i].ext || key[i].purpose != p[i].purpose ||
            key[i].sarg_size != p[i].sarg_size)
            return false;
    return true;
}

bool cg_sig_compute(cg_ctx *c, cg_abi *a, const ir_function *fn, const ir_signature *sig, uint32_t inst,
                    cg_sig *out)
{
    char what[96] = "";
    const ir_abi_param *ps = ir_sig_params(fn, sig), *rs = ir_sig_rets(fn, sig);
    uint32_t np = sig->nparams, nr = sig->nrets, base = a->locs.n;
    const sig_memo *hit = NULL;
    for (unsigned k = 0; k < SIG_MEMOS && !hit; k++) {
        const sig_memo *m = &memos[k];
        if (m->isa == c->isa && m->cc == sig->callconv && m->nparams == np && m->nrets == nr &&
            same_params(m->key, rs, nr) && same_params(m->key + nr, ps, np))
            hit = m;
    }
    if (hit) {
        *out = hit->sig;
        out->args += base, out->rets += base;
        if (hit->nlocs) {
            ir_vec_reserve(&a->locs, hit->nlocs);
            memcpy(a->locs.v + base, hit->locs, hit->nlocs * sizeof *hit->locs);
            a->locs.n += hit->nlocs;
        }
    } else {
        memset(out, 0, sizeof *out);
        out->cc = sig->callconv;
        if (!c->isa->compute_locs(a, sig->callconv, ps, np, rs, nr, out, what, sizeof what))
            return cg_unsupported(c, inst, what);
        if (np + nr <= SIG_MEMO && a->locs.n - base <= SIG_MEMO) {
            sig_memo *m = &memos[memo_next++ % SIG_MEMOS];
            m->isa = c->isa, m->cc = sig->callconv, m->nparams = np, m->nrets = nr;
            if (nr)
                memcpy(m->key, rs, nr * sizeof *rs);
            if (np)
                memcpy(m->key + nr, ps, np * sizeof *ps);
            m->nlocs = a->locs.n - base;
            if (m->nlocs)
                memcpy(m->locs, a->locs.v + base, m->nlocs * sizeof *m->locs);
            m->sig = *out;
            m->sig.args -= base, m->sig.rets -= base;
        }
    }
    return cg_stack_args_ok(c, inst, out->stack_args > out->stack_rets ? out->stack_args : out->stack_rets);
}

void cg_abi_free(cg_abi *a)
{
    ir_vec_free(&a->locs);
    ir_vec_free(&a->pairs);
    ir_vec_free(&a->vals);
}

void cg_mem(cg_ctx *c, bool store, ir_type t, unsigned width, uint32_t r, unsigned area, uint32_t base,
            int32_t disp, ir_trapcode trap)
{
    const cg_isa *isa = c->isa;
    bool fl = cg_type_cls(t) == CG_CLS_FLOAT;
    cg_inst *in = cg_emit_inst(&c->f, store ? (fl ? isa->op_fstore : isa->op_store)
                                            : (fl ? isa->op_fload : isa->op_load), 2);
    in->size = (uint8_t)width, in->amode = isa->am[area], in->disp = disp;
    in->cc = isa->ld_zx, in->imm = trap;
    if (store)
        cg_op_use(&c->f, r);
    else
        cg_op_def(&c->f, r);
    if (area == CG_AREA_BASE)
        cg_op_use(&c->f, base);
}

void cg_lea(cg_ctx *c, uint32_t dst, unsigned area, int32_t disp)
{
    cg_inst *in = cg_emit_inst(&c->f, c->isa->op_lea, 1);
    in->amode = c->isa->am[area], in->disp = disp;
    cg_op_def(&c->f, dst);
}

void cg_symbol_addr(cg_ctx *c, uint32_t dst, uint32_t sym)
{
    cg_emit_inst(&c->f, c->isa->op_gotload, 1)->aux = sym;
    cg_op_def(&c->f, dst);
}

static bool narrow_ext(const cg_loc *l)
{
    return l->ext != IR_EXT_NONE && ir_type_is_int(l->type) && ir_type_bits(l->type) < 64;
}

static unsigned cls_of(const cg_loc *l)
{
    return cg_type_cls(l->type);
}

/* Bytes of a stack part: an i128 half, an extended narrow value stored in
 * an 8-byte slot, else the value's own size. */
static unsigned part_width(const cg_loc *l, bool store)
{
    if (l->nparts == 2)
        return 8;
    return store && narrow_ext(l) && l->size == 8 ? 8 : ir_type_bytes(l->type);
}

static void part_access(cg_ctx *c, bool store, const cg_loc *l, uint32_t r, unsigned area, uint32_t base,
                        uint32_t off)
{
    cg_mem(c, store, l->nparts == 2 ? IR_I64 : l->type, part_width(l, store), r, area, base,
                (int32_t)off, IR_TRAP_NONE);
}

static uint32_t extended(cg_ctx *c, uint32_t r, const cg_loc *l)
{
    if (!narrow_ext(l))
        return r;
    uint32_t d = cg_new_vreg(&c->f, CG_CLS_INT);
    c->isa->extend_into(c, d, r, ir_type_bits(l->type), 8, l->ext == IR_EXT_SEXT);
    return d;
}

/* ---- the function's own parameters and returns --------------------------------- */

/* Register parameters are defs of the args pseudo-instruction at the
 * entry, stack ones loads from the caller's frame (an sarg: its address). */
void cg_lower_args(cg_ctx *c, cg_abi *a, const uint32_t *params, uint32_t nparams)
{
    cg_func *f = &c->f;
    const cg_sig *s = &a->self;
    a->ret_ptr = s->ret_ptr ? cg_new_vreg(f, CG_CLS_INT) : CG_NONE;
    cg_emit_inst(f, c->isa->op_args, 2 * s->nargs + 1);
    if (s->ret_ptr)
        cg_op_def_fixed(f, a->ret_ptr, s->ret_ptr_reg);
    for (uint32_t i = 0; i < s->nargs && i < nparams; i++) {
        const cg_loc *l = &a->locs.v[s->args + i];
        for (unsigned k = 0; k < l->nparts && !l->sarg; k++)
            if (l->reg[k] != CG_STACK)
                cg_op_def_fixed(f, params[i] + k, l->reg[k]);
    }
    for (uint32_t i = 0; i < s->nargs && i < nparams; i++) {
        const cg_loc *l = &a->locs.v[s->args + i];
        if (l->sarg) {
            cg_lea(c, params[i], CG_AREA_IN, (int32_t)l->off[0]);
            continue;
        }
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] == CG_STACK)
                part_access(c, false, l, params[i] + k, CG_AREA_IN, CG_NONE, l->off[k]);
    }
}

void cg_lower_return(cg_ctx *c, cg_abi *a, const uint32_t *vals, uint32_t n)
{
    cg_func *f = &c->f;
    const cg_sig *s = &a->self;
    uint32_t regs[64], rv[64], nreg = 0;
    for (uint32_t i = 0; i < n && i < s->nrets; i++) {
        const cg_loc *l = &a->locs.v[s->rets + i];
        uint32_t r = extended(c, vals[i], l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == CG_STACK)
                part_access(c, true, l, r + k, CG_AREA_BASE, a->ret_ptr, l->off[k]);
            else if (nreg < 64)
                regs[nreg] = l->reg[k], rv[nreg++] = r + k;
        }
    }
    cg_inst *in = cg_emit_inst(f, c->isa->op_ret, nreg);
    in->imm = s->callee_pop;
    for (uint32_t i = 0; i < nreg; i++)
        cg_op_use_fixed(f, rv[i], regs[i]);
}

/* ---- calls ------------------------------------------------------------------------ */

/* Copy sarg struct bytes from the address in p to the outgoing area at off. */
static void copy_sarg(cg_ctx *c, uint32_t p, uint32_t off, uint32_t size)
{
    const cg_isa *isa = c->isa;
    if (size <= SARG_INLINE) {
        for (uint32_t k = 0; k < size; k += 8) {
            uint32_t t = cg_new_vreg(&c->f, CG_CLS_INT);
            cg_mem(c, false, IR_I64, 8, t, CG_AREA_BASE, p, (int32_t)k, IR_TRAP_NONE);
            cg_mem(c, true, IR_I64, 8, t, CG_AREA_OUT, CG_NONE, (int32_t)(off + k), IR_TRAP_NONE);
        }
        return;
    }
    uint32_t dst = cg_new_vreg(&c->f, CG_CLS_INT);
    cg_lea(c, dst, CG_AREA_OUT, (int32_t)off);
    ir_type ts[3] = {IR_I64, IR_I64, IR_I64};
    uint32_t args[3] = {dst, p, isa->movi(c, 8, size)};
    cg_libcall(c, "memcpy", ts, args, 3, IR_I64, cg_new_vreg(&c->f, CG_CLS_INT));
}

/* Arguments into their registers and stack slots, the call (clobber set
 * clob; callee a vreg, or CG_NONE for symbol sym), results from theirs. */
static void emit_call(cg_ctx *c, cg_abi *a, const cg_sig *s, uint32_t callee, uint32_t sym,
                      const uint32_t *args, const uint32_t *rets, unsigned clob)
{
    cg_func *f = &c->f;
    const cg_isa *isa = c->isa;
    uint32_t ret_area = s->stack_args;
    f->call_dirty |= isa->clobbers[clob];   /* by the callee's convention, before any widening */
    if (f->wide_spill && isa->clob_call_wide && clob != isa->clob_all)
        clob = isa->clob_call_wide;
    if (ret_area + s->stack_rets > f->outgoing)
        f->outgoing = ret_area + s->stack_rets;
    /* structs first: copying one may call memcpy */
    for (uint32_t i = 0; i < s->nargs; i++) {
        const cg_loc *l = &a->locs.v[s->args + i];
        if (l->sarg)
            copy_sarg(c, args[i], l->off[0], l->sarg);
    }
    /* (vreg, preg) pairs of register arguments, then of register results */
    IR_VEC(uint32_t) rv = {a->pairs.v, 0, a->pairs.cap};
    ir_vec_reserve(&rv, 4 * (s->nargs + s->nrets + 1));
    if (s->ret_ptr) {
        uint32_t p = cg_new_vreg(f, CG_CLS_INT);
        cg_lea(c, p, CG_AREA_OUT, (int32_t)ret_area);
        rv.v[rv.n++] = p, rv.v[rv.n++] = s->ret_ptr_reg;
    }
    /* stack arguments go straight to the outgoing area at the SP */
    for (uint32_t i = 0; i < s->nargs; i++) {
        const cg_loc *l = &a->locs.v[s->args + i];
        if (l->sarg)
            continue;
        uint32_t r = extended(c, args[i], l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == CG_STACK)
                part_access(c, true, l, r + k, CG_AREA_OUT, CG_NONE, l->off[k]);
            else
                rv.v[rv.n++] = r + k, rv.v[rv.n++] = l->reg[k];
        }
    }
    uint32_t nuse = rv.n / 2;
    for (uint32_t i = 0; i < s->nrets; i++) {
        const cg_loc *l = &a->locs.v[s->rets + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] != CG_STACK)
                rv.v[rv.n++] = rets[i] + k, rv.v[rv.n++] = l->reg[k];
    }
    a->last_call = f->insts.n;
    cg_inst *ci = cg_emit_inst(f, callee == CG_NONE ? isa->op_call : isa->op_callind, rv.n / 2 + 1);
    ci->clob = (uint8_t)clob;
    ci->imm = s->callee_pop;
    if (callee == CG_NONE)
        ci->aux = sym;
    else if (clob == isa->clob_all)     /* no register is free of the clobbers */
        cg_op_use_fixed(f, callee, isa->callee_reg_all);
    else
        cg_op_use(f, callee);
    for (uint32_t i = 0; i < rv.n / 2; i++) {
        if (i < nuse)
            cg_op_use_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
        else
            cg_op_def_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
    }
    a->pairs.v = rv.v, a->pairs.cap = rv.cap;
    for (uint32_t i = 0; i < s->nrets; i++) {
        const cg_loc *l = &a->locs.v[s->rets + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] == CG_STACK)
                part_access(c, false, l, rets[i] + k, CG_AREA_OUT, CG_NONE, ret_area + l->off[k]);
    }
}

void cg_libcall(cg_ctx *c, const char *name, const ir_type *types, const uint32_t *args, unsigned n,
                ir_type rtype, uint32_t ret)
{
    cg_abi local = {0}, *a = c->abi ? c->abi : &local;
    ir_abi_param ps[8] = {{0}}, r = {.type = rtype};
    for (unsigned i = 0; i < n && i < 8; i++)
        ps[i].type = types[i];
    uint32_t mark = a->locs.n;
    cg_sig s = {.cc = IR_CC_system_v};
    char what[96];
    /* a few scalars: the C convention takes them in registers on every target */
    if (c->isa->compute_locs(a, IR_CC_system_v, ps, n, &r, 1, &s, what, sizeof what))
        emit_call(c, a, &s, CG_NONE, cg_sym_add(c, name), args, &ret, c->isa->call_clobbers(c, IR_CC_system_v));
    a->locs.n = mark;
    if (a == &local)
        cg_abi_free(&local);
}

/* The arguments of call instruction inst in registers (after the callee,
 * if indirect); *callee, *sym what the call instruction names. */
static uint32_t *call_args(cg_ctx *c, cg_abi *a, uint32_t inst, const cg_sig *s, uint32_t *callee, uint32_t *sym)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *v = ir_inst_args(fn, inst);
    bool indirect = in->op == IR_OP_call_indirect || in->op == IR_OP_try_call_indirect ||
                    in->op == IR_OP_return_call_indirect;
    *callee = indirect ? c->isa->put_in_reg(c, v[0]) : CG_NONE;
    *sym = indirect ? 0 : cg_sym_extname(c, &fn->func_refs.v[in->ent].name);
    v += indirect;
    ir_vec_reserve(&a->vals, s->nargs + s->nrets + 1);   /* + 1: never a null base */
    uint32_t *args = a->vals.v + a->vals.n;
    for (uint32_t i = 0; i < s->nargs; i++)
        args[i] = c->isa->put_in_reg(c, v[i]);
    return args;
}

bool cg_lower_call(cg_ctx *c, cg_abi *a, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const uint32_t *res = ir_inst_results(fn, inst);
    uint32_t mark = a->locs.n, callee, sym;
    cg_sig s;
    if (!cg_sig_compute(c, a, fn, cg_call_sig(fn, &fn->insts.v[inst]), inst, &s))
        return false;
    uint32_t *args = call_args(c, a, inst, &s, &callee, &sym), *rets = args + s.nargs;
    for (uint32_t i = 0; i < s.nrets; i++)
        rets[i] = cg_value_vreg(c, res[i]);
    emit_call(c, a, &s, callee, sym, args, rets, c->isa->call_clobbers(c, s.cc));
    a->locs.n = mark;
    return true;
}

bool cg_lower_try_call(cg_ctx *c, cg_abi *a, uint32_t inst, uint32_t *rets)
{
    const ir_function *fn = c->fn;
    uint32_t mark = a->locs.n, callee, sym;
    cg_sig s;
    if (!cg_sig_compute(c, a, fn, cg_call_sig(fn, &fn->insts.v[inst]), inst, &s))
        return false;
    uint32_t *args = call_args(c, a, inst, &s, &callee, &sym);
    for (uint32_t i = 0; i < s.nrets; i++) {
        const cg_loc *l = &a->locs.v[s.rets + i];
        rets[i] = cg_new_vreg(&c->f, cls_of(l));
        if (l->nparts == 2)
            cg_new_vreg(&c->f, CG_CLS_INT);
    }
    emit_call(c, a, &s, callee, sym, args, rets, c->isa->clob_all);
    a->locs.n = mark;
    return true;
}

/* ---- tail calls ----------------------------------------------------------------- */

bool cg_plan_tail_calls(cg_ctx *c, cg_abi *a, bool any)
{
    const ir_function *fn = c->fn;
    uint32_t t = a->self.stack_args;
    for (uint32_t i = 0; any && i < fn->insts.n; i++) {
        const ir_inst_data *in = &fn->insts.v[i];
        if ((in->op != IR_OP_return_call && in->op != IR_OP_return_call_indirect) || in->block == IR_NONE)
            continue;
        uint32_t mark = a->locs.n;
        cg_sig s;
        if (!cg_sig_compute(c, a, fn, cg_call_sig(fn, in), i, &s))
            return false;
        bool sarg = false;
        for (uint32_t k = 0; k < s.nargs; k++)
            sarg |= a->locs.v[s.args + k].sarg != 0;
        a->locs.n = mark;
        if (sarg)
            return cg_unsupported(c, i, "return_call with an sarg parameter");
        if (s.stack_args && (a->self.cc != IR_CC_tail || s.cc != IR_CC_tail))
            return cg_unsupported(c, i, "return_call with stack arguments outside the tail convention");
        if (s.stack_args > t)
            t = s.stack_args;
    }
    if (a->self.cc == IR_CC_tail) {
        c->f.arg_grow = t - a->self.stack_args;
        a->self.callee_pop = t;
    }
    a->tail_area = t;
    return true;
}

bool cg_lower_return_call(cg_ctx *c, cg_abi *a, uint32_t inst)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    const ir_inst_data *in = &fn->insts.v[inst];
    uint32_t mark = a->locs.n, callee, sym;
    cg_sig s;
    if (!cg_sig_compute(c, a, fn, cg_call_sig(fn, in), inst, &s))
        return false;
    if (s.ret_ptr != a->self.ret_ptr || (s.ret_ptr && s.ret_ptr_reg != a->self.ret_ptr_reg))
        return cg_unsupported(c, inst, "return_call to a signature with other stack returns");
    uint32_t *args = call_args(c, a, inst, &s, &callee, &sym);
    if (s.stack_args > f->outgoing)
        f->outgoing = s.stack_args;
    IR_VEC(uint32_t) rv = {a->pairs.v, 0, a->pairs.cap};
    ir_vec_reserve(&rv, 4 * (s.nargs + 2));
    if (s.ret_ptr)      /* the callee returns straight to our caller, into its area */
        rv.v[rv.n++] = a->ret_ptr, rv.v[rv.n++] = s.ret_ptr_reg;
    for (uint32_t i = 0; i < s.nargs; i++) {
        const cg_loc *l = &a->locs.v[s.args + i];
        uint32_t r = extended(c, args[i], l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == CG_STACK)
                part_access(c, true, l, r + k, CG_AREA_OUT, CG_NONE, l->off[k]);
            else
                rv.v[rv.n++] = r + k, rv.v[rv.n++] = l->reg[k];
        }
    }
    cg_inst *ri = cg_emit_inst(f, c->isa->op_retcall, rv.n / 2 + 1);
    ri->disp = (int32_t)s.stack_args;
    ri->imm = a->tail_area;
    if (callee != CG_NONE) {
        ri->cc = 1;
        cg_op_use_fixed(f, callee, c->isa->callee_reg_tail);
    } else {
        ri->aux = sym;
    }
    for (uint32_t i = 0; i < rv.n / 2; i++)
        cg_op_use_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
    a->pairs.v = rv.v, a->pairs.cap = rv.cap;
    a->locs.n = mark;
    return true;
}

/* ---- global values -----------------------------------------------------------------
 * Computed where used, from the vmctx parameter, loads, additions and
 * symbol addresses (through the GOT: any distance). */
bool cg_gv_value(cg_ctx *c, uint32_t gv, uint32_t inst, unsigned depth, uint32_t *out)
{
    const ir_function *fn = c->fn;
    const cg_isa *isa = c->isa;
    if (gv >= fn->gvs.n || depth > 64)
        return cg_unsupported(c, inst, "global value");
    const ir_global_value *g = &fn->gvs.v[gv];
    uint32_t r = CG_NONE, base;
    switch (g->kind) {
    case IR_GV_VMCTX: {
        const ir_block_data *entry = &fn->blocks.v[fn->layout.v[0]];
        for (uint32_t k = 0; k < fn->sig.nparams && k < entry->nparams; k++)
            if (fn->abi_params.v[fn->sig.params + k].purpose == IR_PURPOSE_VMCTX) {
                *out = isa->put_in_reg(c, fn->pool.v[entry->params + k]);
                return true;
            }
        return cg_unsupported(c, inst, "vmctx global value without a vmctx parameter");
    }
    case IR_GV_LOAD:
        if (!ir_type_is_int(g->type) || ir_type_is_vector(g->type) || g->type == IR_I128 ||
            g->offset != (int32_t)g->offset)
            return cg_unsupported(c, inst, "global value load");
        if (!cg_gv_value(c, g->base, inst, depth + 1, &base))
            return false;
        r = cg_new_vreg(&c->f, CG_CLS_INT);
        cg_mem(c, false, g->type, ir_type_bytes(g->type), r, CG_AREA_BASE, base, (int32_t)g->offset,
                 g->flags.trap);
        break;
    case IR_GV_IADD_IMM:
        if (!cg_gv_value(c, g->base, inst, depth + 1, &base))
            return false;
        r = cg_new_vreg(&c->f, CG_CLS_INT);
        isa->add_imm(c, r, base, g->offset);
        break;
    case IR_GV_SYMBOL:
        if (g->tls)
            return cg_unsupported(c, inst, "thread-local symbol");
        r = cg_new_vreg(&c->f, CG_CLS_INT);
        cg_symbol_addr(c, r, cg_sym_extname(c, &g->name));
        if (g->offset) {
            uint32_t s = cg_new_vreg(&c->f, CG_CLS_INT);
            isa->add_imm(c, s, r, g->offset);
            r = s;
        }
        break;
    default:
        return cg_unsupported(c, inst, "dynamic scale global value");
    }
    *out = r;
    return true;
}
