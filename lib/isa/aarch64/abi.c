/* AAPCS64 as Cranelift implements it (isa/aarch64/abi.rs) for system_v,
 * fast and windows_fastcall, and its relatives:
 *
 *   integer arguments in x0-x7, floats in v0-v7, the rest on the stack in
 *   8-byte slots; an i128 takes an even/odd register pair or 16 aligned
 *   bytes; returns the same way (8 + 8 registers), further ones in a
 *   return area whose address is passed in x8.
 *   apple_aarch64: stack arguments packed at their natural size and
 *   alignment, i128 pairs need not start at an even register.
 *   tail: x0 holds the return area pointer and x1 is kept free, so
 *   arguments and returns start at x2; the callee pops its stack arguments.
 *
 * A narrow `uext`/`sext` value is extended to 64 bits by whoever produces
 * it (the caller for arguments, the callee for returns); nobody relies on
 * the other side having done so.  An `sarg(N)` parameter is a struct the
 * caller copies into its outgoing argument area (inline when small, else
 * through memcpy); the callee gets its address. */
#include "a64.h"

#include <string.h>

#define SARG_INLINE 64  /* bytes copied with loads and stores; more go through memcpy */

static bool supported_type(ir_type t)
{
    return (t >= IR_I8 && t <= IR_I128) || t == IR_F32 || t == IR_F64;
}

unsigned a64_ret_ptr_reg(const a64_sig *s)
{
    return s->cc == IR_CC_tail ? A64_X0 : A64_X8;
}

bool a64_sig_compute(cg_ctx *c, a64_abi *lw, const ir_function *fn, const ir_signature *sig, uint32_t inst,
                     a64_sig *out)
{
    char what[96], tb[16];
    switch (sig->callconv) {
    case IR_CC_default: case IR_CC_system_v: case IR_CC_fast: case IR_CC_tail: case IR_CC_apple_aarch64:
    case IR_CC_windows_fastcall:
        break;
    default:
        snprintf(what, sizeof what, "calling convention %s", ir_callconv_names[sig->callconv]);
        goto unsupported;
    }
    bool tail = sig->callconv == IR_CC_tail, apple = sig->callconv == IR_CC_apple_aarch64;
    memset(out, 0, sizeof *out);
    out->cc = sig->callconv;
    for (uint32_t pass = 0; pass < 2; pass++) {
        bool rets = pass == 0;      /* returns first: they decide the hidden argument */
        uint32_t first = rets ? sig->rets : sig->params, n = rets ? sig->nrets : sig->nparams;
        unsigned gpr = tail ? 2 : 0, fpr = 0;
        uint64_t stack = 0;     /* an sarg is up to 2^32 - 1 bytes */
        if (rets)
            out->rets = lw->locs.n;
        else
            out->args = lw->locs.n;
        for (uint32_t i = 0; i < n; i++) {
            const ir_abi_param *p = &fn->abi_params.v[first + i];
            a64_loc l = {p->type, p->ext, 1, {A64_STACK, A64_STACK}, {0, 0}, 8, 0};
            if (!supported_type(p->type)) {
                snprintf(what, sizeof what, "%s %s", ir_type_name(p->type, tb), rets ? "return value" : "parameter");
                goto unsupported;
            }
            if (p->purpose == IR_PURPOSE_SARG) {
                if (rets || p->type != IR_I64) {
                    snprintf(what, sizeof what, "sarg %s", rets ? "return value" : "of a type other than i64");
                    goto unsupported;
                }
                stack = (stack + 7) & ~7ull;
                uint64_t bytes = ((uint64_t)p->sarg_size + 7) & ~7ull;
                if (!cg_stack_args_ok(c, inst, stack + bytes))
                    return false;
                l.off[0] = (uint32_t)stack;
                l.sarg = (uint32_t)bytes;
                stack += bytes;
                ir_vec_push(&lw->locs, l);
                continue;
            }
            if (p->purpose == IR_PURPOSE_SRET && !rets) {
                if (p->type != IR_I64) {
                    snprintf(what, sizeof what, "sret parameter of a type other than i64");
                    goto unsupported;
                }
                l.reg[0] = A64_X8;
                ir_vec_push(&lw->locs, l);
                continue;
            }
            if (p->type == IR_I128) {
                l.nparts = 2;
                if (!apple && !tail && gpr % 2)
                    gpr++;
                if (gpr + 2 <= 8) {
                    l.reg[0] = (uint8_t)gpr, l.reg[1] = (uint8_t)(gpr + 1);
                    gpr += 2;
                } else {
                    stack = (stack + 15) & ~15ull;
                    l.off[0] = (uint32_t)stack, l.off[1] = (uint32_t)stack + 8;
                    stack += 16;
                }
            } else if (ir_type_is_float(p->type) ? fpr < 8 : gpr < 8) {
                l.reg[0] = ir_type_is_float(p->type) ? (uint8_t)(A64_V0 + fpr++) : (uint8_t)gpr++;
            } else {
                unsigned size = ir_type_bytes(p->type);
                if (!apple || (rets && p->ext != IR_EXT_NONE))
                    size = size < 8 ? 8 : size;
                l.size = (uint8_t)size;
                stack = (stack + size - 1) & ~(uint64_t)(size - 1);
                l.off[0] = (uint32_t)stack;
                stack += size;
            }
            ir_vec_push(&lw->locs, l);
        }
        stack = (stack + 15) & ~15ull;
        if (!cg_stack_args_ok(c, inst, stack))
            return false;
        if (rets) {
            out->nrets = n;
            out->stack_rets = (uint32_t)stack;
            out->ret_ptr = stack != 0;
        } else {
            out->nargs = n;
            out->stack_args = (uint32_t)stack;
            out->callee_pop = tail ? (uint32_t)stack : 0;
        }
    }
    return true;
unsupported:
    return cg_unsupported(c, inst, what);
}

static bool narrow_ext(const a64_loc *l)
{
    return l->ext != IR_EXT_NONE && ir_type_is_int(l->type) && ir_type_bits(l->type) < 64;
}

static unsigned cls_of(const a64_loc *l)
{
    return ir_type_is_float(l->type) ? CG_CLS_FLOAT : CG_CLS_INT;
}

/* A load or store of part k of a value at [base + disp] (amode). */
static void mem_access(cg_ctx *c, bool store, ir_type t, unsigned width, uint32_t r, unsigned amode,
                       uint32_t base, int32_t disp)
{
    bool fl = ir_type_is_float(t);
    cg_inst *in = cg_emit_inst(&c->f, fl ? (store ? A64_FSTORE : A64_FLOAD) : (store ? A64_STORE : A64_LOAD), 2);
    in->size = (uint8_t)width;
    in->amode = (uint8_t)amode;
    in->disp = disp;
    in->cc = A64_LD_ZX;
    if (store)
        cg_op_use(&c->f, r);
    else
        cg_op_def(&c->f, r);
    if (amode == A64_AM_BASE)
        cg_op_use(&c->f, base);
}

/* Bytes of a stack part: the slot size for an extended narrow store,
 * else the value's own. */
static unsigned part_width(const a64_loc *l, bool store)
{
    if (l->nparts == 2)
        return 8;
    unsigned w = ir_type_bytes(l->type);
    return store && narrow_ext(l) && l->size == 8 ? 8 : w;
}

void a64_lower_args(cg_ctx *c, a64_abi *lw, const uint32_t *params, uint32_t nparams)
{
    cg_func *f = &c->f;
    const a64_sig *s = &lw->self;
    lw->ret_ptr = s->ret_ptr ? cg_new_vreg(f, CG_CLS_INT) : CG_NONE;
    cg_emit_inst(f, A64_ARGS, 2 * s->nargs + 1);
    if (s->ret_ptr)
        cg_op_def_fixed(f, lw->ret_ptr, a64_ret_ptr_reg(s));
    for (uint32_t i = 0; i < s->nargs && i < nparams; i++) {
        const a64_loc *l = &lw->locs.v[s->args + i];
        for (unsigned k = 0; k < l->nparts && !l->sarg; k++)
            if (l->reg[k] != A64_STACK)
                cg_op_def_fixed(f, params[i] + k, l->reg[k]);
    }
    for (uint32_t i = 0; i < s->nargs && i < nparams; i++) {
        const a64_loc *l = &lw->locs.v[s->args + i];
        if (l->sarg) {      /* the struct's address in the incoming area */
            cg_inst *in = cg_emit_inst(f, A64_LEA, 1);
            in->amode = A64_AM_INARG, in->disp = (int32_t)l->off[0];
            cg_op_def(f, params[i]);
            continue;
        }
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] == A64_STACK)
                mem_access(c, false, l->type, part_width(l, false), params[i] + k, A64_AM_INARG, CG_NONE,
                           (int32_t)l->off[k]);
    }
}

static uint32_t extended(cg_ctx *c, uint32_t r, const a64_loc *l)
{
    return narrow_ext(l) ? a64_extend(c, r, ir_type_bits(l->type), 8, l->ext == IR_EXT_SEXT) : r;
}

void a64_lower_return(cg_ctx *c, a64_abi *lw, const uint32_t *vals, uint32_t n)
{
    cg_func *f = &c->f;
    const a64_sig *s = &lw->self;
    uint32_t regs[40], rv[40], nreg = 0;
    for (uint32_t i = 0; i < n && i < s->nrets; i++) {
        const a64_loc *l = &lw->locs.v[s->rets + i];
        uint32_t r = extended(c, vals[i], l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == A64_STACK)
                mem_access(c, true, l->type, part_width(l, true), r + k, A64_AM_BASE, lw->ret_ptr,
                           (int32_t)l->off[k]);
            else if (nreg < 40)
                regs[nreg] = l->reg[k], rv[nreg++] = r + k;
        }
    }
    cg_inst *in = cg_emit_inst(f, A64_RET, nreg);
    in->imm = s->callee_pop;
    for (uint32_t i = 0; i < nreg; i++)
        cg_op_use_fixed(f, rv[i], regs[i]);
}

/* Copy sarg struct bytes from the address in p to the outgoing area at off. */
static void copy_sarg(cg_ctx *c, uint32_t p, uint32_t off, uint32_t size)
{
    cg_func *f = &c->f;
    if (size <= SARG_INLINE) {
        for (uint32_t k = 0; k < size; k += 8) {
            uint32_t t = a64_new_int(c);
            cg_inst *in = cg_emit_inst(f, A64_LOAD, 2);
            in->size = 8, in->amode = A64_AM_BASE, in->disp = (int32_t)k;
            cg_op_def(f, t);
            cg_op_use(f, p);
            mem_access(c, true, IR_I64, 8, t, A64_AM_OUTARG, CG_NONE, (int32_t)(off + k));
        }
        return;
    }
    uint32_t dst = a64_new_int(c);
    cg_inst *in = cg_emit_inst(f, A64_LEA, 1);
    in->amode = A64_AM_OUTARG, in->disp = (int32_t)off;
    cg_op_def(f, dst);
    ir_type ts[3] = {IR_I64, IR_I64, IR_I64};
    uint32_t args[3] = {dst, p, a64_movi(c, 8, size)};
    a64_libcall(c, "memcpy", ts, args, 3, IR_I64, a64_new_int(c));
}

static void emit_call(cg_ctx *c, a64_abi *lw, const a64_sig *s, uint32_t callee, uint32_t sym,
                      const uint32_t *args, const uint32_t *rets, unsigned clob)
{
    cg_func *f = &c->f;
    uint32_t ret_area = s->stack_args;
    if (ret_area + s->stack_rets > f->outgoing)
        f->outgoing = ret_area + s->stack_rets;
    /* structs first: copying one may call memcpy */
    for (uint32_t i = 0; i < s->nargs; i++) {
        const a64_loc *l = &lw->locs.v[s->args + i];
        if (l->sarg)
            copy_sarg(c, args[i], l->off[0], l->sarg);
    }
    IR_VEC(uint32_t) rv = {lw->pairs.v, 0, lw->pairs.cap};
    ir_vec_reserve(&rv, 4 * (s->nargs + s->nrets + 1));
    if (s->ret_ptr) {
        uint32_t p = cg_new_vreg(f, CG_CLS_INT);
        cg_inst *l = cg_emit_inst(f, A64_LEA, 1);
        l->amode = A64_AM_OUTARG;
        l->disp = (int32_t)ret_area;
        cg_op_def(f, p);
        rv.v[rv.n++] = p, rv.v[rv.n++] = a64_ret_ptr_reg(s);
    }
    for (uint32_t i = 0; i < s->nargs; i++) {
        const a64_loc *l = &lw->locs.v[s->args + i];
        if (l->sarg)
            continue;
        uint32_t r = extended(c, args[i], l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == A64_STACK)
                mem_access(c, true, l->type, part_width(l, true), r + k, A64_AM_OUTARG, CG_NONE,
                           (int32_t)l->off[k]);
            else
                rv.v[rv.n++] = r + k, rv.v[rv.n++] = l->reg[k];
        }
    }
    uint32_t nuse = rv.n / 2;
    for (uint32_t i = 0; i < s->nrets; i++) {
        const a64_loc *l = &lw->locs.v[s->rets + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] != A64_STACK)
                rv.v[rv.n++] = rets[i] + k, rv.v[rv.n++] = l->reg[k];
    }
    lw->last_call = f->insts.n;
    cg_inst *ci = cg_emit_inst(f, callee == CG_NONE ? A64_CALL : A64_CALLIND, rv.n / 2 + 1);
    ci->clob = (uint8_t)clob;
    ci->imm = s->callee_pop;
    if (callee == CG_NONE)
        ci->aux = sym;
    else if (clob == A64_CLOB_ALL)  /* no register is free of the clobbers: x15 is no argument's */
        cg_op_use_fixed(f, callee, A64_X17 - 2);
    else
        cg_op_use(f, callee);
    for (uint32_t i = 0; i < rv.n / 2; i++) {
        if (i < nuse)
            cg_op_use_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
        else
            cg_op_def_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
    }
    lw->pairs.v = rv.v, lw->pairs.cap = rv.cap;
    for (uint32_t i = 0; i < s->nrets; i++) {
        const a64_loc *l = &lw->locs.v[s->rets + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] == A64_STACK)
                mem_access(c, false, l->type, part_width(l, false), rets[i] + k, A64_AM_OUTARG, CG_NONE,
                           (int32_t)(ret_area + l->off[k]));
    }
}

void a64_libcall(cg_ctx *c, const char *name, const ir_type *types, const uint32_t *args, unsigned n,
                 ir_type rtype, uint32_t ret)
{
    a64_abi *lw = c->targ;
    a64_abi local = {0};
    if (!lw)
        lw = &local;
    uint32_t mark = lw->locs.n;
    a64_sig s = {.cc = IR_CC_system_v, .args = mark, .nargs = n};
    unsigned gpr = 0, fpr = 0;
    for (unsigned i = 0; i < n; i++) {   /* few scalar arguments: all in registers */
        a64_loc l = {types[i], IR_EXT_NONE, 1, {A64_STACK, A64_STACK}, {0, 0}, 8, 0};
        if (ir_type_is_float(types[i])) {
            l.reg[0] = (uint8_t)(A64_V0 + fpr++);
        } else if (types[i] == IR_I128) {
            gpr += gpr & 1;
            l.nparts = 2, l.reg[0] = (uint8_t)gpr, l.reg[1] = (uint8_t)(gpr + 1);
            gpr += 2;
        } else {
            l.reg[0] = (uint8_t)gpr++;
        }
        ir_vec_push(&lw->locs, l);
    }
    s.rets = lw->locs.n;
    s.nrets = 1;
    a64_loc r = {rtype, IR_EXT_NONE, rtype == IR_I128 ? 2 : 1,
                 {ir_type_is_float(rtype) ? A64_V0 : A64_X0, 1}, {0, 0}, 8, 0};
    ir_vec_push(&lw->locs, r);
    emit_call(c, lw, &s, CG_NONE, cg_sym_add(c, name), args, &ret, A64_CLOB_CALL);
    lw->locs.n = mark;
    if (lw == &local) {
        ir_vec_free(&local.locs);
        ir_vec_free(&local.pairs);
        ir_vec_free(&local.vals);
    }
}

bool a64_lower_call(cg_ctx *c, a64_abi *lw, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    const uint32_t *res = ir_inst_results(fn, inst);
    bool indirect = in->op == IR_OP_call_indirect;
    const ir_signature *sig = indirect ? &fn->sigs.v[in->ent] : &fn->sigs.v[fn->func_refs.v[in->ent].sig];
    uint32_t mark = lw->locs.n, vmark = lw->vals.n;
    a64_sig s;
    if (!a64_sig_compute(c, lw, fn, sig, inst, &s))
        return false;
    uint32_t callee = indirect ? a64_put_in_reg(c, a[0]) : CG_NONE, sym = 0;
    a += indirect;
    if (!indirect) {
        sym = cg_sym_extname(c, &fn->func_refs.v[in->ent].name);
    }
    ir_vec_reserve(&lw->vals, s.nargs + s.nrets);
    uint32_t *args = lw->vals.v + vmark, *rets = args + s.nargs;
    for (uint32_t i = 0; i < s.nargs; i++)
        args[i] = a64_put_in_reg(c, a[i]);
    for (uint32_t i = 0; i < s.nrets; i++)
        rets[i] = cg_value_vreg(c, res[i]);
    emit_call(c, lw, &s, callee, sym, args, rets, A64_CLOB_CALL);
    lw->locs.n = mark;
    return true;
}

bool a64_lower_try_call(cg_ctx *c, a64_abi *lw, uint32_t inst, uint32_t *rets)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    bool indirect = in->op == IR_OP_try_call_indirect;
    const ir_signature *sig = &fn->sigs.v[fn->pool.v[(uint32_t)in->imm]];
    uint32_t mark = lw->locs.n, vmark = lw->vals.n;
    a64_sig s;
    if (!a64_sig_compute(c, lw, fn, sig, inst, &s))
        return false;
    uint32_t callee = indirect ? a64_put_in_reg(c, a[0]) : CG_NONE, sym = 0;
    a += indirect;
    if (!indirect) {
        sym = cg_sym_extname(c, &fn->func_refs.v[in->ent].name);
    }
    ir_vec_reserve(&lw->vals, s.nargs);
    uint32_t *args = lw->vals.v + vmark;
    for (uint32_t i = 0; i < s.nargs; i++)
        args[i] = a64_put_in_reg(c, a[i]);
    for (uint32_t i = 0; i < s.nrets; i++) {
        const a64_loc *l = &lw->locs.v[s.rets + i];
        rets[i] = cg_new_vreg(&c->f, cls_of(l));
        if (l->nparts == 2)
            cg_new_vreg(&c->f, CG_CLS_INT);
    }
    emit_call(c, lw, &s, callee, sym, args, rets, A64_CLOB_ALL);
    lw->locs.n = mark;
    return true;
}

static const ir_signature *call_sig(const ir_function *fn, const ir_inst_data *in)
{
    bool indirect = in->op == IR_OP_call_indirect || in->op == IR_OP_return_call_indirect;
    return indirect ? &fn->sigs.v[in->ent] : &fn->sigs.v[fn->func_refs.v[in->ent].sig];
}

static bool has_sarg(const a64_abi *lw, const a64_sig *s)
{
    for (uint32_t i = 0; i < s->nargs; i++)
        if (lw->locs.v[s->args + i].sarg)
            return true;
    return false;
}

bool a64_plan_tail_calls(cg_ctx *c, a64_abi *lw)
{
    const ir_function *fn = c->fn;
    uint32_t t = lw->self.stack_args;
    for (uint32_t i = 0; i < fn->insts.n; i++) {
        const ir_inst_data *in = &fn->insts.v[i];
        if ((in->op != IR_OP_return_call && in->op != IR_OP_return_call_indirect) || in->block == IR_NONE)
            continue;
        uint32_t mark = lw->locs.n;
        a64_sig s;
        if (!a64_sig_compute(c, lw, fn, call_sig(fn, in), i, &s))
            return false;
        bool sarg = has_sarg(lw, &s);
        lw->locs.n = mark;
        if (sarg)
            return cg_unsupported(c, i, "return_call with an sarg parameter");
        if (s.stack_args && (lw->self.cc != IR_CC_tail || s.cc != IR_CC_tail))
            return cg_unsupported(c, i, "return_call with stack arguments outside the tail convention");
        if (s.stack_args > t)
            t = s.stack_args;
    }
    if (lw->self.cc == IR_CC_tail) {
        c->f.arg_grow = t - lw->self.stack_args;
        lw->self.callee_pop = t;
    }
    lw->tail_area = t;
    return true;
}

bool a64_lower_return_call(cg_ctx *c, a64_abi *lw, uint32_t inst)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    bool indirect = in->op == IR_OP_return_call_indirect;
    uint32_t mark = lw->locs.n;
    a64_sig s;
    if (!a64_sig_compute(c, lw, fn, call_sig(fn, in), inst, &s))
        return false;
    if (s.ret_ptr != lw->self.ret_ptr || (s.ret_ptr && a64_ret_ptr_reg(&s) != a64_ret_ptr_reg(&lw->self)))
        return cg_unsupported(c, inst, "return_call to a signature with other stack returns");
    uint32_t callee = indirect ? a64_put_in_reg(c, a[0]) : CG_NONE;
    a += indirect;
    if (s.stack_args > f->outgoing)
        f->outgoing = s.stack_args;
    IR_VEC(uint32_t) rv = {lw->pairs.v, 0, lw->pairs.cap};
    ir_vec_reserve(&rv, 4 * (s.nargs + 2));
    if (s.ret_ptr)      /* the callee returns straight to our caller, into its area */
        rv.v[rv.n++] = lw->ret_ptr, rv.v[rv.n++] = a64_ret_ptr_reg(&s);
    for (uint32_t i = 0; i < s.nargs; i++) {
        const a64_loc *l = &lw->locs.v[s.args + i];
        uint32_t r = extended(c, a64_put_in_reg(c, a[i]), l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == A64_STACK)
                mem_access(c, true, l->type, part_width(l, true), r + k, A64_AM_OUTARG, CG_NONE,
                           (int32_t)l->off[k]);
            else
                rv.v[rv.n++] = r + k, rv.v[rv.n++] = l->reg[k];
        }
    }
    cg_inst *ri = cg_emit_inst(f, A64_RETCALL, rv.n / 2 + 1);
    ri->disp = (int32_t)s.stack_args;
    ri->imm = lw->tail_area;
    if (indirect) {
        ri->cc = 1;
        cg_op_use_fixed(f, callee, A64_X17 - 2);    /* x15: never an argument register */
    } else {
        ri->aux = cg_sym_extname(c, &fn->func_refs.v[in->ent].name);
    }
    for (uint32_t i = 0; i < rv.n / 2; i++)
        cg_op_use_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
    lw->pairs.v = rv.v, lw->pairs.cap = rv.cap;
    lw->locs.n = mark;
    return true;
}

/* lib/run's trampoline: void tramp(void *callee, uint8_t *args, uint8_t *results),
 * each value in a 16-byte slot; calls callee with its own signature. */
bool a64_lower_trampoline(cg_ctx *c)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    a64_abi lw = {0};
    a64_sig s;
    c->targ = &lw;
    bool ok = a64_sig_compute(c, &lw, fn, &fn->sig, CG_NONE, &s);
    if (ok) {
        cg_block_begin(f, cg_new_label(f));
        uint32_t callee = cg_new_vreg(f, CG_CLS_INT), abuf = cg_new_vreg(f, CG_CLS_INT);
        uint32_t rbuf = cg_new_vreg(f, CG_CLS_INT);
        cg_emit_inst(f, A64_ARGS, 3);
        cg_op_def_fixed(f, callee, A64_X0);
        cg_op_def_fixed(f, abuf, A64_X0 + 1);
        cg_op_def_fixed(f, rbuf, A64_X0 + 2);
        ir_vec_reserve(&lw.vals, s.nargs + s.nrets);
        uint32_t *args = lw.vals.v, *rets = args + s.nargs;
        for (uint32_t i = 0; i < s.nargs + s.nrets; i++) {
            const a64_loc *l = &lw.locs.v[i < s.nargs ? s.args + i : s.rets + i - s.nargs];
            args[i] = cg_new_vreg(f, cls_of(l));
            if (l->nparts == 2)
                cg_new_vreg(f, CG_CLS_INT);
        }
        for (uint32_t i = 0; i < s.nargs; i++) {
            const a64_loc *l = &lw.locs.v[s.args + i];
            for (unsigned k = 0; k < l->nparts; k++)
                mem_access(c, false, l->type, l->nparts == 2 ? 8 : ir_type_bytes(l->type), args[i] + k,
                           A64_AM_BASE, abuf, (int32_t)(16 * i + 8 * k));
        }
        emit_call(c, &lw, &s, callee, 0, args, rets, A64_CLOB_CALL);
        for (uint32_t i = 0; i < s.nrets; i++) {
            const a64_loc *l = &lw.locs.v[s.rets + i];
            for (unsigned k = 0; k < l->nparts; k++)
                mem_access(c, true, l->type, l->nparts == 2 ? 8 : ir_type_bytes(l->type), rets[i] + k,
                           A64_AM_BASE, rbuf, (int32_t)(16 * i + 8 * k));
        }
        cg_emit_inst(f, A64_RET, 0);
        cg_block_end(f);
    }
    c->targ = NULL;
    ir_vec_free(&lw.locs);
    ir_vec_free(&lw.pairs);
    ir_vec_free(&lw.vals);
    return ok;
}
