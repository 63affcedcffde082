/* System V AMD64 as Cranelift implements it (isa/x64/abi.rs), and its
 * relatives `fast` (the same) and `tail` (more return registers; the
 * callee pops its stack arguments).  Integer arguments in rdi rsi rdx rcx
 * r8 r9, floats in xmm0-7, the rest on the stack in 8-byte slots; an i128
 * takes two registers or 16 aligned bytes.  Returns in rax rdx / xmm0
 * xmm1 (tail: eight of each), further ones in a return area whose address
 * is a hidden first argument (rdi).  A narrow `uext`/`sext` value is
 * extended to 64 bits by whoever produces it (the caller for arguments,
 * the callee for returns); nobody relies on the other side having done so. */
#include "x64.h"

#include <string.h>

/* Passed in an xmm register: floats and vectors. */
static bool xmm_type(ir_type t) { return ir_type_is_float(t) || ir_type_is_vector(t); }

static const uint8_t int_args[] = {X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9};
static const uint8_t int_rets[] = {X64_RAX, X64_RDX};
static const uint8_t tail_int_rets[] = {X64_RAX, X64_RCX, X64_RDX, X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10};
static const uint8_t win_int_args[] = {X64_RCX, X64_RDX, X64_R8, X64_R9};

/* windows_fastcall: registers by position (rcx rdx r8 r9 / xmm0-3), 32
 * bytes of shadow space before the stack arguments, one return register
 * per class. */
static bool win64_locs(x64_abi *lw, const ir_function *fn, const ir_signature *sig,
                       x64_sig *out, char *what, size_t wn)
{
    char tb[16];
    for (uint32_t pass = 0; pass < 2; pass++) {
        bool rets = pass == 0;
        uint32_t first = rets ? sig->rets : sig->params, n = rets ? sig->nrets : sig->nparams;
        unsigned pos = !rets && out->ret_ptr, gpr = 0, xmm = 0;
        uint32_t stack = rets ? 0 : 32;
        if (rets)
            out->rets = lw->locs.n;
        else
            out->args = lw->locs.n;
        for (uint32_t i = 0; i < n; i++, pos++) {
            const ir_abi_param *p = &fn->abi_params.v[first + i];
            if (p->purpose == IR_PURPOSE_SARG || p->purpose == IR_PURPOSE_SRET || p->type == IR_I128 ||
                !(ir_type_is_int(p->type) || p->type == IR_F32 || p->type == IR_F64) || ir_type_is_vector(p->type)) {
                snprintf(what, wn, "%s %s with windows_fastcall", ir_type_name(p->type, tb),
                         rets ? "return value" : "parameter");
                return false;
            }
            bool fl = ir_type_is_float(p->type);
            x64_loc l = {p->type, p->ext, 1, {X64_STACK, X64_STACK}, {0, 0}};
            if (rets) {
                if (fl ? xmm < 1 : gpr < 2)
                    l.reg[0] = fl ? (uint8_t)(X64_XMM0 + xmm++) : int_rets[gpr++];
            } else if (pos < 4) {
                l.reg[0] = fl ? (uint8_t)(X64_XMM0 + pos) : win_int_args[pos];
            }
            if (l.reg[0] == X64_STACK)
                l.off[0] = stack, stack += 8;
            ir_vec_push(&lw->locs, l);
        }
        stack = (stack + 15) & ~15u;
        if (rets) {
            out->nrets = n, out->stack_rets = stack, out->ret_ptr = stack != 0;
        } else {
            out->nargs = n, out->stack_args = stack;
        }
    }
    return true;
}

/* winch returns: the last in rax or xmm0, the others on the stack, packed
 * at their own size unless one has an extension (then 8-byte slots). */
static bool packed(const ir_function *fn, const ir_signature *sig)
{
    for (uint32_t i = 0; i < sig->nrets; i++)
        if (fn->abi_params.v[sig->rets + i].ext != IR_EXT_NONE)
            return false;
    return true;
}

static uint32_t winch_size(const x64_loc *l, bool packed)
{
    uint32_t size = l->nparts == 2 ? 8 : ir_type_bytes(l->type);
    return packed || size > 8 ? size : 8;
}

static void winch_ret(x64_loc *l, bool last, uint32_t *stack, bool packed)
{
    l->nparts = l->type == IR_I128 ? 2 : 1;
    uint32_t size = winch_size(l, packed);
    for (unsigned k = 0; k < l->nparts; k++) {
        if (last && k + 1 == l->nparts) {
            l->reg[k] = xmm_type(l->type) ? X64_XMM0 : X64_RAX;
        } else {
            if (!packed)
                *stack = (*stack + size - 1) & ~(size - 1);
            l->off[k] = *stack;
            *stack += size;
        }
    }
}

static bool supported_type(ir_type t)
{
    return (t >= IR_I8 && t <= IR_I128) || t == IR_F32 || t == IR_F64 || x64_vec_type(t);
}

bool x64_sig_compute(cg_ctx *c, x64_abi *lw, const ir_function *fn, const ir_signature *sig, uint32_t inst,
                     x64_sig *out)
{
    char what[96], tb[16];
    switch (sig->callconv) {
    case IR_CC_default: case IR_CC_system_v: case IR_CC_fast: case IR_CC_tail: case IR_CC_winch:
        break;
    case IR_CC_windows_fastcall:
        memset(out, 0, sizeof *out);
        out->cc = sig->callconv;
        if (win64_locs(lw, fn, sig, out, what, sizeof what))
            return true;
        goto unsupported;
    default:
        snprintf(what, sizeof what, "calling convention %s", ir_callconv_names[sig->callconv]);
        goto unsupported;
    }
    bool tail = sig->callconv == IR_CC_tail, winch = sig->callconv == IR_CC_winch;
    memset(out, 0, sizeof *out);
    out->cc = sig->callconv;
    for (uint32_t pass = 0; pass < 2; pass++) {
        bool rets = pass == 0;      /* returns first: they decide the hidden argument */
        uint32_t first = rets ? sig->rets : sig->params, n = rets ? sig->nrets : sig->nparams;
        const uint8_t *iregs = rets ? (tail ? tail_int_rets : int_rets) : int_args;
        unsigned nireg = rets ? (tail ? 8 : 2) : 6, nfreg = rets && !tail ? 2 : 8;
        unsigned gpr = !rets && out->ret_ptr, xmm = 0;
        uint32_t stack = 0;
        if (rets)
            out->rets = lw->locs.n;
        else
            out->args = lw->locs.n;
        for (uint32_t i = 0; i < n; i++) {
            const ir_abi_param *p = &fn->abi_params.v[first + i];
            if (p->purpose == IR_PURPOSE_SARG || p->purpose == IR_PURPOSE_SRET) {
                snprintf(what, sizeof what, "%s parameter", p->purpose == IR_PURPOSE_SARG ? "sarg" : "sret");
                goto unsupported;
            }
            if (!supported_type(p->type)) {
                snprintf(what, sizeof what, "%s %s", ir_type_name(p->type, tb), rets ? "return value" : "parameter");
                goto unsupported;
            }
            x64_loc l = {p->type, p->ext, 1, {X64_STACK, X64_STACK}, {0, 0}};
            if (winch && rets) {
                winch_ret(&l, i + 1 == n, &stack, packed(fn, sig));
            } else if (p->type == IR_I128 && !rets) {
                /* both halves in registers or both on the stack, 16-aligned */
                l.nparts = 2;
                if (gpr + 2 <= nireg) {
                    l.reg[0] = iregs[gpr], l.reg[1] = iregs[gpr + 1];
                } else {
                    stack = (stack + 15) & ~15u;
                    l.off[0] = stack, l.off[1] = stack + 8;
                    stack += 16;
                }
                gpr += 2;
            } else {
                l.nparts = p->type == IR_I128 ? 2 : 1;
                bool x = xmm_type(p->type);
                uint32_t sz = ir_type_bytes(p->type) > 8 && l.nparts == 1 ? 16 : 8;
                for (unsigned k = 0; k < l.nparts; k++) {
                    if (x ? xmm < nfreg : gpr < nireg) {
                        l.reg[k] = x ? (uint8_t)(X64_XMM0 + xmm++) : iregs[gpr++];
                    } else {    /* a vector takes 16 aligned bytes */
                        stack = (stack + sz - 1) & ~(sz - 1);
                        l.off[k] = stack, stack += sz;
                    }
                }
            }
            ir_vec_push(&lw->locs, l);
        }
        if (winch && rets)      /* winch writes the first result at the highest offset */
            for (uint32_t i = 0; i < n; i++) {
                x64_loc *l = &lw->locs.v[out->rets + i];
                for (unsigned k = 0; k < l->nparts; k++)
                    if (l->reg[k] == X64_STACK)
                        l->off[k] = stack - l->off[k] - winch_size(l, packed(fn, sig));
            }
        stack = (stack + 15) & ~15u;
        if (!cg_stack_args_ok(c, inst, stack))
            return false;
        if (rets) {
            out->nrets = n;
            out->stack_rets = stack;
            out->ret_ptr = stack != 0;
        } else {
            out->nargs = n;
            out->stack_args = stack;
            out->callee_pop = tail ? stack : 0;
        }
    }
    return true;
unsupported:
    return cg_unsupported(c, inst, what);
}

static bool narrow_ext(const x64_loc *l)
{
    return l->ext != IR_EXT_NONE && ir_type_is_int(l->type) && ir_type_bits(l->type) < 64;
}

static unsigned cls_of(const x64_loc *l)
{
    return xmm_type(l->type) ? CG_CLS_FLOAT : CG_CLS_INT;
}

static void mem_access(cg_ctx *c, bool store, const x64_loc *l, unsigned k, uint32_t r, unsigned amode,
                       uint32_t base, int32_t disp)
{
    bool fl = xmm_type(l->type);
    cg_inst *in = cg_emit_inst(&c->f, fl ? (store ? X64_XSTORE : X64_XLOAD) : (store ? X64_STORE : X64_LOAD), 2);
    in->size = l->nparts == 2 || (store && narrow_ext(l)) ? 8 : (uint8_t)ir_type_bytes(l->type);
    in->amode = (uint8_t)amode;
    in->disp = disp + (int32_t)(8 * k);
    in->cc = X64_LD_ZX;
    if (store)
        cg_op_use(&c->f, r);
    else
        cg_op_def(&c->f, r);
    if (amode == X64_AM_BASE)
        cg_op_use(&c->f, base);
}

/* The function's own parameters: register ones are defs of X64_ARGS at
 * the entry, stack ones loads from the caller's frame. */
void x64_lower_args(cg_ctx *c, x64_abi *lw, const uint32_t *params, uint32_t nparams)
{
    cg_func *f = &c->f;
    const x64_sig *s = &lw->self;
    lw->ret_ptr = s->ret_ptr ? cg_new_vreg(f, CG_CLS_INT) : CG_NONE;
    cg_emit_inst(f, X64_ARGS, 2 * s->nargs + 1);
    if (s->ret_ptr)
        cg_op_def_fixed(f, lw->ret_ptr, s->cc == IR_CC_windows_fastcall ? X64_RCX : X64_RDI);
    for (uint32_t i = 0; i < s->nargs && i < nparams; i++) {
        const x64_loc *l = &lw->locs.v[s->args + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] != X64_STACK)
                cg_op_def_fixed(f, params[i] + k, l->reg[k]);
    }
    for (uint32_t i = 0; i < s->nargs && i < nparams; i++) {
        const x64_loc *l = &lw->locs.v[s->args + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] == X64_STACK)
                mem_access(c, false, l, 0, params[i] + k, X64_AM_INARG, CG_NONE, (int32_t)l->off[k]);
    }
}

static uint32_t extended(cg_ctx *c, uint32_t r, const x64_loc *l)
{
    return narrow_ext(l) ? x64_extend64(c, r, ir_type_bits(l->type), l->ext == IR_EXT_SEXT) : r;
}

void x64_lower_return(cg_ctx *c, x64_abi *lw, const uint32_t *vals, uint32_t n)
{
    cg_func *f = &c->f;
    const x64_sig *s = &lw->self;
    uint32_t regs[16], rv[16], nreg = 0;
    for (uint32_t i = 0; i < n && i < s->nrets; i++) {
        const x64_loc *l = &lw->locs.v[s->rets + i];
        uint32_t r = extended(c, vals[i], l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == X64_STACK)
                mem_access(c, true, l, 0, r + k, X64_AM_BASE, lw->ret_ptr, (int32_t)l->off[k]);
            else
                regs[nreg] = l->reg[k], rv[nreg++] = r + k;
        }
    }
    cg_inst *in = cg_emit_inst(f, X64_RET, nreg);
    in->imm = s->callee_pop;
    for (uint32_t i = 0; i < nreg; i++)
        cg_op_use_fixed(f, rv[i], regs[i]);
}

static void emit_call(cg_ctx *c, x64_abi *lw, const x64_sig *s, uint32_t callee, uint32_t sym,
                      const uint32_t *args, const uint32_t *rets, unsigned clob);

void x64_emit_call(cg_ctx *c, x64_abi *lw, const x64_sig *s, uint32_t callee, uint32_t sym,
                   const uint32_t *args, const uint32_t *rets)
{
    unsigned clob = s->cc == IR_CC_windows_fastcall ? X64_CLOB_WIN64
                    : s->cc == IR_CC_winch          ? X64_CLOB_ALL      /* winch saves nothing */
                                                    : X64_CLOB_CALL;
    emit_call(c, lw, s, callee, sym, args, rets, clob);
}

static void emit_call(cg_ctx *c, x64_abi *lw, const x64_sig *s, uint32_t callee, uint32_t sym,
                      const uint32_t *args, const uint32_t *rets, unsigned clob)
{
    cg_func *f = &c->f;
    uint32_t ret_area = s->stack_args;
    if (ret_area + s->stack_rets > f->outgoing)
        f->outgoing = ret_area + s->stack_rets;
    /* (vreg, preg) pairs of register arguments, then of register results */
    IR_VEC(uint32_t) rv = {lw->pairs.v, 0, lw->pairs.cap};
    ir_vec_reserve(&rv, 4 * (s->nargs + s->nrets + 1));
    if (s->ret_ptr) {
        uint32_t p = cg_new_vreg(f, CG_CLS_INT);
        cg_inst *l = cg_emit_inst(f, X64_LEA, 1);
        l->amode = X64_AM_OUTARG;
        l->disp = (int32_t)ret_area;
        cg_op_def(f, p);
        rv.v[rv.n++] = p, rv.v[rv.n++] = s->cc == IR_CC_windows_fastcall ? X64_RCX : X64_RDI;
    }
    /* stack arguments go straight to the outgoing area at the SP */
    for (uint32_t i = 0; i < s->nargs; i++) {
        const x64_loc *l = &lw->locs.v[s->args + i];
        uint32_t r = extended(c, args[i], l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == X64_STACK)
                mem_access(c, true, l, 0, r + k, X64_AM_OUTARG, CG_NONE, (int32_t)l->off[k]);
            else
                rv.v[rv.n++] = r + k, rv.v[rv.n++] = l->reg[k];
        }
    }
    uint32_t nuse = rv.n / 2;
    for (uint32_t i = 0; i < s->nrets; i++) {
        const x64_loc *l = &lw->locs.v[s->rets + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] != X64_STACK)
                rv.v[rv.n++] = rets[i] + k, rv.v[rv.n++] = l->reg[k];
    }
    lw->last_call = f->insts.n;
    cg_inst *ci = cg_emit_inst(f, callee == CG_NONE ? X64_CALL : X64_CALLIND, rv.n / 2 + 1);
    ci->clob = (uint8_t)clob;
    ci->imm = s->callee_pop;
    if (callee == CG_NONE)
        ci->aux = sym;
    else if (clob == X64_CLOB_ALL)  /* no register is free of the clobbers: rbx is no argument's */
        cg_op_use_fixed(f, callee, X64_RBX);
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
        const x64_loc *l = &lw->locs.v[s->rets + i];
        for (unsigned k = 0; k < l->nparts; k++)
            if (l->reg[k] == X64_STACK)
                mem_access(c, false, l, 0, rets[i] + k, X64_AM_OUTARG, CG_NONE, (int32_t)(ret_area + l->off[k]));
    }
}

void x64_libcall(cg_ctx *c, const char *name, const ir_type *types, const uint32_t *args, unsigned n,
                 ir_type rtype, uint32_t ret)
{
    x64_abi *lw = c->targ;
    uint32_t mark = lw->locs.n;
    x64_sig s = {.cc = IR_CC_system_v, .args = mark, .nargs = n};
    unsigned gpr = 0, xmm = 0;
    for (unsigned i = 0; i < n; i++) {   /* few scalar arguments: all in registers */
        x64_loc l = {types[i], IR_EXT_NONE, 1, {X64_STACK, X64_STACK}, {0, 0}};
        if (ir_type_is_float(types[i]))
            l.reg[0] = (uint8_t)(X64_XMM0 + xmm++);
        else
            l.reg[0] = int_args[gpr++];
        if (types[i] == IR_I128)
            l.nparts = 2, l.reg[1] = int_args[gpr++];
        ir_vec_push(&lw->locs, l);
    }
    s.rets = lw->locs.n;
    s.nrets = 1;
    x64_loc r = {rtype, IR_EXT_NONE, rtype == IR_I128 ? 2 : 1,
                 {ir_type_is_float(rtype) ? X64_XMM0 : X64_RAX, X64_RDX}, {0, 0}};
    ir_vec_push(&lw->locs, r);
    x64_emit_call(c, lw, &s, CG_NONE, cg_sym_add(c, name), args, &ret);
    lw->locs.n = mark;
}

bool x64_lower_call(cg_ctx *c, x64_abi *lw, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    const uint32_t *res = ir_inst_results(fn, inst);
    bool indirect = in->op == IR_OP_call_indirect;
    const ir_signature *sig = indirect ? &fn->sigs.v[in->ent] : &fn->sigs.v[fn->func_refs.v[in->ent].sig];
    uint32_t mark = lw->locs.n, vmark = lw->vals.n;
    x64_sig s;
    if (!x64_sig_compute(c, lw, fn, sig, inst, &s))
        return false;
    uint32_t callee = indirect ? x64_put_in_reg(c, a[0]) : CG_NONE, sym = 0;
    a += indirect;
    if (!indirect) {
        sym = cg_sym_extname(c, &fn->func_refs.v[in->ent].name);
    }
    ir_vec_reserve(&lw->vals, s.nargs + s.nrets);
    uint32_t *args = lw->vals.v + vmark, *rets = args + s.nargs;
    for (uint32_t i = 0; i < s.nargs; i++)
        args[i] = x64_put_in_reg(c, a[i]);
    for (uint32_t i = 0; i < s.nrets; i++)
        rets[i] = cg_value_vreg(c, res[i]);
    x64_emit_call(c, lw, &s, callee, sym, args, rets);
    lw->locs.n = mark;
    return true;
}

bool x64_lower_try_call(cg_ctx *c, x64_abi *lw, uint32_t inst, uint32_t *rets, uint32_t *call)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    bool indirect = in->op == IR_OP_try_call_indirect;
    uint32_t mark = lw->locs.n, vmark = lw->vals.n;
    x64_sig s;
    if (!x64_sig_compute(c, lw, fn, x64_call_sig(fn, in), inst, &s))
        return false;
    uint32_t callee = indirect ? x64_put_in_reg(c, a[0]) : CG_NONE, sym = 0;
    a += indirect;
    if (!indirect) {
        sym = cg_sym_extname(c, &fn->func_refs.v[in->ent].name);
    }
    ir_vec_reserve(&lw->vals, s.nargs);
    uint32_t *args = lw->vals.v + vmark;
    for (uint32_t i = 0; i < s.nargs; i++)
        args[i] = x64_put_in_reg(c, a[i]);
    for (uint32_t i = 0; i < s.nrets; i++) {
        const x64_loc *l = &lw->locs.v[s.rets + i];
        rets[i] = cg_new_vreg(&c->f, cls_of(l));
        if (l->nparts == 2)
            cg_new_vreg(&c->f, CG_CLS_INT);
    }
    emit_call(c, lw, &s, callee, sym, args, rets, X64_CLOB_ALL);
    *call = lw->last_call;
    lw->locs.n = mark;
    return true;
}

const ir_signature *x64_call_sig(const ir_function *fn, const ir_inst_data *in)
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

bool x64_plan_tail_calls(cg_ctx *c, x64_abi *lw)
{
    const ir_function *fn = c->fn;
    uint32_t t = lw->self.stack_args;
    for (uint32_t i = 0; i < fn->insts.n; i++) {
        const ir_inst_data *in = &fn->insts.v[i];
        if ((in->op != IR_OP_return_call && in->op != IR_OP_return_call_indirect) || in->block == IR_NONE)
            continue;
        uint32_t mark = lw->locs.n;
        x64_sig s;
        if (!x64_sig_compute(c, lw, fn, x64_call_sig(fn, in), i, &s))
            return false;
        lw->locs.n = mark;
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

bool x64_lower_return_call(cg_ctx *c, x64_abi *lw, uint32_t inst)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    bool indirect = in->op == IR_OP_return_call_indirect;
    uint32_t mark = lw->locs.n;
    x64_sig s;
    if (!x64_sig_compute(c, lw, fn, x64_call_sig(fn, in), inst, &s))
        return false;
    if (s.ret_ptr != lw->self.ret_ptr)
        return cg_unsupported(c, inst, "return_call to a signature with other stack returns");
    uint32_t callee = indirect ? x64_put_in_reg(c, a[0]) : CG_NONE;
    a += indirect;
    if (s.stack_args > f->outgoing)
        f->outgoing = s.stack_args;
    IR_VEC(uint32_t) rv = {lw->pairs.v, 0, lw->pairs.cap};
    ir_vec_reserve(&rv, 4 * (s.nargs + 2));
    if (s.ret_ptr)      /* the callee returns straight to our caller, into its area */
        rv.v[rv.n++] = lw->ret_ptr, rv.v[rv.n++] = X64_RDI;
    for (uint32_t i = 0; i < s.nargs; i++) {
        const x64_loc *l = &lw->locs.v[s.args + i];
        uint32_t r = extended(c, x64_put_in_reg(c, a[i]), l);
        for (unsigned k = 0; k < l->nparts; k++) {
            if (l->reg[k] == X64_STACK)
                mem_access(c, true, l, 0, r + k, X64_AM_OUTARG, CG_NONE, (int32_t)l->off[k]);
            else
                rv.v[rv.n++] = r + k, rv.v[rv.n++] = l->reg[k];
        }
    }
    cg_inst *ri = cg_emit_inst(f, X64_RETCALL, rv.n / 2 + 1);
    ri->disp = (int32_t)s.stack_args;
    ri->imm = lw->tail_area;
    if (indirect) {
        ri->cc = 1;
        cg_op_use_fixed(f, callee, X64_R10);
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
bool x64_lower_trampoline(cg_ctx *c)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    x64_abi lw = {0};
    x64_sig s;
    bool ok = x64_sig_compute(c, &lw, fn, &fn->sig, CG_NONE, &s);
    x64_vector_prepare(c);
    if (ok) {
        cg_block_begin(f, cg_new_label(f));
        uint32_t callee = cg_new_vreg(f, CG_CLS_INT), abuf = cg_new_vreg(f, CG_CLS_INT);
        uint32_t rbuf = cg_new_vreg(f, CG_CLS_INT);
        cg_emit_inst(f, X64_ARGS, 3);
        cg_op_def_fixed(f, callee, X64_RDI);
        cg_op_def_fixed(f, abuf, X64_RSI);
        cg_op_def_fixed(f, rbuf, X64_RDX);
        ir_vec_reserve(&lw.vals, s.nargs + s.nrets);
        uint32_t *args = lw.vals.v, *rets = args + s.nargs;
        for (uint32_t i = 0; i < s.nargs + s.nrets; i++) {
            const x64_loc *l = &lw.locs.v[i < s.nargs ? s.args + i : s.rets + i - s.nargs];
            args[i] = cg_new_vreg(f, cls_of(l));
            if (l->nparts == 2)
                cg_new_vreg(f, CG_CLS_INT);
        }
        for (uint32_t i = 0; i < s.nargs; i++) {
            const x64_loc *l = &lw.locs.v[s.args + i];
            x64_loc full = *l;
            full.ext = IR_EXT_NONE;
            for (unsigned k = 0; k < l->nparts; k++)
                mem_access(c, false, &full, k, args[i] + k, X64_AM_BASE, abuf, (int32_t)(16 * i));
        }
        x64_emit_call(c, &lw, &s, callee, 0, args, rets);
        for (uint32_t i = 0; i < s.nrets; i++) {
            x64_loc full = lw.locs.v[s.rets + i];
            full.ext = IR_EXT_NONE;
            for (unsigned k = 0; k < full.nparts; k++)
                mem_access(c, true, &full, k, rets[i] + k, X64_AM_BASE, rbuf, (int32_t)(16 * i));
        }
        cg_emit_inst(f, X64_RET, 0);
        cg_block_end(f);
    }
    ir_vec_free(&lw.locs);
    ir_vec_free(&lw.pairs);
    ir_vec_free(&lw.vals);
    return ok;
}
