/* System V AMD64 as Cranelift implements it (isa/x64/abi.rs): integer
 * arguments in rdi rsi rdx rcx r8 r9, floats in xmm0-7, the rest on the
 * stack in 8-byte slots; returns in rax rdx / xmm0 xmm1, further returns
 * in a return area whose address is a hidden first argument (rdi).  A
 * narrow `uext`/`sext` value is extended to 64 bits by whoever produces it
 * (the caller for arguments, the callee for returns); nobody relies on
 * the other side having done so. */
#include "x64.h"

#include <string.h>

static const uint8_t int_args[] = {X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9};
static const uint8_t int_rets[] = {X64_RAX, X64_RDX};

static bool supported_type(ir_type t)
{
    return t == IR_I8 || t == IR_I16 || t == IR_I32 || t == IR_I64 || t == IR_F32 || t == IR_F64;
}

bool x64_sig_compute(cg_ctx *c, x64_abi *lw, const ir_signature *sig, uint32_t inst, x64_sig *out)
{
    const ir_function *fn = c->fn;
    char what[96], tb[16];
    switch (sig->callconv) {
    case IR_CC_default: case IR_CC_system_v: case IR_CC_fast:
        break;
    default:
        snprintf(what, sizeof what, "calling convention %s", ir_callconv_names[sig->callconv]);
        goto unsupported;
    }
    memset(out, 0, sizeof *out);
    for (uint32_t pass = 0; pass < 2; pass++) {
        bool rets = pass == 0;      /* returns first: they decide the hidden argument */
        uint32_t first = rets ? sig->rets : sig->params, n = rets ? sig->nrets : sig->nparams;
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
            x64_loc l = {X64_STACK, p->ext, p->type, 0};
            if (ir_type_is_float(p->type)) {
                if (xmm < (rets ? 2u : 8u))
                    l.reg = (uint8_t)(X64_XMM0 + xmm++);
            } else if (gpr < (rets ? sizeof int_rets : sizeof int_args)) {
                l.reg = rets ? int_rets[gpr++] : int_args[gpr++];
            }
            if (l.reg == X64_STACK) {
                l.off = stack;
                stack += 8;
            }
            ir_vec_push(&lw->locs, l);
        }
        if (rets) {
            out->nrets = n;
            out->stack_rets = stack;
            out->ret_ptr = stack != 0;
        } else {
            out->nargs = n;
            out->stack_args = stack;
        }
    }
    return true;
unsupported:
    if (inst == CG_NONE) {
        ir_diag_set(c->d, fn->line, fn->col, "unsupported on %s: %s", c->isa->name, what);
        return false;
    }
    return cg_unsupported(c, inst, what);
}

static bool narrow_ext(const x64_loc *l)
{
    return l->ext != IR_EXT_NONE && ir_type_is_int(l->type) && ir_type_bits(l->type) < 64;
}

/* The function's own parameters: register ones are defs of X64_ARGS at
 * the entry, stack ones loads from the caller's frame. */
void x64_lower_args(cg_ctx *c, x64_abi *lw)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    const ir_block_data *entry = &fn->blocks.v[fn->layout.v[0]];
    const uint32_t *params = &fn->pool.v[entry->params];
    const x64_sig *s = &lw->self;
    lw->ret_ptr = s->ret_ptr ? cg_new_vreg(f, CG_CLS_INT) : CG_NONE;
    cg_emit_inst(f, X64_ARGS, s->nargs + 1);
    if (s->ret_ptr)
        cg_op_def_fixed(f, lw->ret_ptr, X64_RDI);
    for (uint32_t i = 0; i < s->nargs && i < entry->nparams; i++) {
        const x64_loc *l = &lw->locs.v[s->args + i];
        if (l->reg != X64_STACK)
            cg_op_def_fixed(f, cg_value_vreg(c, params[i]), l->reg);
    }
    for (uint32_t i = 0; i < s->nargs && i < entry->nparams; i++) {
        const x64_loc *l = &lw->locs.v[s->args + i];
        if (l->reg != X64_STACK)
            continue;
        bool fl = ir_type_is_float(l->type);
        cg_inst *in = cg_emit_inst(f, fl ? X64_XLOAD : X64_LOAD, 1);
        in->size = (uint8_t)ir_type_bytes(l->type);
        in->amode = X64_AM_INARG;
        in->disp = (int32_t)l->off;
        cg_op_def(f, cg_value_vreg(c, params[i]));
    }
}

static void store_to(cg_ctx *c, uint32_t v, const x64_loc *l, unsigned amode, uint32_t base, int32_t disp)
{
    bool fl = ir_type_is_float(l->type);
    cg_inst *in = cg_emit_inst(&c->f, fl ? X64_XSTORE : X64_STORE, 2);
    in->size = narrow_ext(l) ? 8 : (uint8_t)ir_type_bytes(l->type);
    in->amode = (uint8_t)amode;
    in->disp = disp;
    cg_op_use(&c->f, v);
    if (amode == X64_AM_BASE)
        cg_op_use(&c->f, base);
}

static uint32_t arg_value(cg_ctx *c, uint32_t v, const x64_loc *l)
{
    uint32_t r = x64_put_in_reg(c, v);
    return narrow_ext(l) ? x64_extend64(c, r, ir_type_bits(l->type), l->ext == IR_EXT_SEXT) : r;
}

void x64_lower_return(cg_ctx *c, x64_abi *lw, uint32_t inst)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    const x64_sig *s = &lw->self;
    uint32_t regs[4], vals[4], nreg = 0;
    for (uint32_t i = 0; i < in->nargs && i < s->nrets; i++) {
        const x64_loc *l = &lw->locs.v[s->rets + i];
        uint32_t r = arg_value(c, a[i], l);
        if (l->reg == X64_STACK)
            store_to(c, r, l, X64_AM_BASE, lw->ret_ptr, (int32_t)l->off);
        else
            regs[nreg] = l->reg, vals[nreg++] = r;
    }
    cg_emit_inst(f, X64_RET, nreg);
    for (uint32_t i = 0; i < nreg; i++)
        cg_op_use_fixed(f, vals[i], regs[i]);
}

bool x64_lower_call(cg_ctx *c, x64_abi *lw, uint32_t inst)
{
    const ir_function *fn = c->fn;
    cg_func *f = &c->f;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    const uint32_t *res = ir_inst_results(fn, inst);
    bool indirect = in->op == IR_OP_call_indirect;
    const ir_signature *sig = indirect ? &fn->sigs.v[in->ent] : &fn->sigs.v[fn->func_refs.v[in->ent].sig];
    uint32_t mark = lw->locs.n;
    x64_sig s;
    if (!x64_sig_compute(c, lw, sig, inst, &s))
        return false;
    uint32_t callee = indirect ? x64_put_in_reg(c, a[0]) : CG_NONE;
    a += indirect;
    uint32_t ret_area = (s.stack_args + 15) & ~15u;
    if (ret_area + s.stack_rets > f->outgoing)
        f->outgoing = ret_area + s.stack_rets;

    /* stack arguments go straight to the outgoing area at the SP */
    /* (vreg, preg) pairs of register arguments, then of register results */
    IR_VEC(uint32_t) rv = {lw->pairs.v, 0, lw->pairs.cap};
    ir_vec_reserve(&rv, 2 * (s.nargs + s.nrets + 1));
    if (s.ret_ptr) {
        uint32_t p = cg_new_vreg(f, CG_CLS_INT);
        cg_inst *l = cg_emit_inst(f, X64_LEA, 1);
        l->amode = X64_AM_OUTARG;
        l->disp = (int32_t)ret_area;
        cg_op_def(f, p);
        rv.v[rv.n++] = p, rv.v[rv.n++] = X64_RDI;
    }
    for (uint32_t i = 0; i < s.nargs; i++) {
        const x64_loc *l = &lw->locs.v[s.args + i];
        uint32_t r = arg_value(c, a[i], l);
        if (l->reg == X64_STACK)
            store_to(c, r, l, X64_AM_OUTARG, CG_NONE, (int32_t)l->off);
        else
            rv.v[rv.n++] = r, rv.v[rv.n++] = l->reg;
    }
    uint32_t nuse = rv.n / 2;
    for (uint32_t i = 0; i < s.nrets; i++) {
        const x64_loc *l = &lw->locs.v[s.rets + i];
        if (l->reg != X64_STACK)
            rv.v[rv.n++] = cg_value_vreg(c, res[i]), rv.v[rv.n++] = l->reg;
    }
    cg_inst *ci = cg_emit_inst(f, indirect ? X64_CALLIND : X64_CALL, rv.n / 2 + 1);
    ci->clob = X64_CLOB_CALL;
    if (!indirect) {
        char buf[128];
        ci->aux = cg_sym_add(c, cg_extname_symbol(c, &fn->func_refs.v[in->ent].name, buf, sizeof buf));
    } else {
        cg_op_use(f, callee);
    }
    for (uint32_t i = 0; i < rv.n / 2; i++) {
        if (i < nuse)
            cg_op_use_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
        else
            cg_op_def_fixed(f, rv.v[2 * i], rv.v[2 * i + 1]);
    }
    lw->pairs.v = rv.v, lw->pairs.cap = rv.cap;
    for (uint32_t i = 0; i < s.nrets; i++) {
        const x64_loc *l = &lw->locs.v[s.rets + i];
        if (l->reg != X64_STACK)
            continue;
        bool fl = ir_type_is_float(l->type);
        cg_inst *ld = cg_emit_inst(f, fl ? X64_XLOAD : X64_LOAD, 1);
        ld->size = (uint8_t)ir_type_bytes(l->type);
        ld->amode = X64_AM_OUTARG;
        ld->disp = (int32_t)(ret_area + l->off);
        cg_op_def(f, cg_value_vreg(c, res[i]));
    }
    lw->locs.n = mark;
    return true;
}
