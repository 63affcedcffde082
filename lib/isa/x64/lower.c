/* x86-64 instruction selection: IR -> VCode on virtual registers.
 *
 * Forward over the layout, one IR instruction at a time.  Constants are
 * not materialized where defined but at each use (or folded into an
 * immediate), and an icmp whose only use is a brif, select, trapz or
 * trapnz is emitted as a compare at that use, so the flags feed the jump
 * or cmov directly (integer operations are in lowerint.c, memory accesses
 * in lowermem.c).  A vreg of a
 * narrow integer type has undefined bits above its width, as in
 * Cranelift: whatever reads them extends first. */
#include "x64.h"

#include <string.h>

#define F (&c->f)



/* A constant materialized at its use (v resolved, d its iconst or
 * f*const); apart from x64_put_in_reg, whose other path is then a leaf. */
static __attribute__((noinline)) uint32_t put_const(cg_ctx *c, uint32_t v, uint32_t d)
{
    const ir_inst_data *in = &c->fn->insts.v[d];
    if (in->op == IR_OP_iconst) {
        uint32_t r = cg_new_vreg_inline(F, CG_CLS_INT);
        cg_inst *i = cg_emit_inst_n(F, X64_MOVI, 1);
        i->size = (uint8_t)cg_opsize(in->type);
        i->imm = in->imm;
        cg_op_at(F, i, 0, r, CG_DEF, CG_ANY, 0);
        return r;
    }
    uint32_t r = cg_new_vreg(F, CG_CLS_FLOAT);
    const uint8_t *bytes = cg_fconst_bytes(c, d);
    unsigned size = ir_type_bytes(in->type ? in->type : cg_vtype(c, v));
    static const uint8_t zero[16];
    if (!memcmp(bytes, zero, size)) {
        cg_emit_inst_inline(F, X64_XZERO, 1);
    } else {
        cg_inst *i = cg_emit_inst_inline(F, X64_XLOAD, 1);
        i->size = (uint8_t)size;
        i->amode = X64_AM_CONST;
        i->aux = cg_const_add(F, bytes, size, size);
    }
    cg_op_inline(F, r, CG_DEF, CG_ANY, 0);
    return r;
}

uint32_t x64_put_in_reg(cg_ctx *c, uint32_t v)
{
    v = cg_ctx_resolve(c, v);
    uint32_t r = c->vreg_of.v[v], d;
    if (r != CG_NONE)   /* no constant */
        return r;
    d = cg_resolved_def(c, v);
    if (d != IR_NONE && cg_is_const_op(c->fn->insts.v[d].op))
        return put_const(c, v, d);
    return cg_value_vreg_new(c, v);
}

static uint32_t res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}

/* ---- small emitters ---------------------------------------------------------- */

/* The operands are made before the instruction is stored (no store then
 * makes the compiler read f's arrays again), and stored at once. */
void x64_rr(cg_ctx *c, unsigned op, unsigned cc, unsigned size, uint32_t dst, uint32_t a, uint32_t b)
{
    cg_operand o[3] = {cg_operand_of(F, dst, CG_DEF, CG_REUSE, 1), cg_operand_of(F, a, CG_USE, CG_ANY, 0),
                       cg_operand_of(F, b, CG_USE, CG_ANY, 0)};
    cg_inst *i = cg_emit_inst_n(F, op, 3);
    i->cc = (uint8_t)cc, i->size = (uint8_t)size;
    cg_set_ops(F, i, o, 3);
}

static inline void ri(cg_ctx *c, unsigned op, unsigned cc, unsigned size, uint32_t dst, uint32_t a, int64_t imm)
{
    cg_operand o[2] = {cg_operand_of(F, dst, CG_DEF, op == X64_IMULI ? CG_ANY : CG_REUSE, op != X64_IMULI),
                       cg_operand_of(F, a, CG_USE, CG_ANY, 0)};
    cg_inst *i = cg_emit_inst_n(F, op, 2);
    i->cc = (uint8_t)cc, i->size = (uint8_t)size, i->imm = imm;
    cg_set_ops(F, i, o, 2);
}

void x64_ri(cg_ctx *c, unsigned op, unsigned cc, unsigned size, uint32_t dst, uint32_t a, int64_t imm)
{
    ri(c, op, cc, size, dst, a, imm);
}

void x64_un(cg_ctx *c, unsigned op, unsigned cc, unsigned size, unsigned aux, uint32_t dst, uint32_t a)
{
    cg_operand o[2] = {cg_operand_of(F, dst, CG_DEF, op == X64_UNARY ? CG_REUSE : CG_ANY, op == X64_UNARY),
                       cg_operand_of(F, a, CG_USE, CG_ANY, 0)};
    cg_inst *i = cg_emit_inst_n(F, op, 2);
    i->cc = (uint8_t)cc, i->size = (uint8_t)size, i->aux = aux;
    cg_set_ops(F, i, o, 2);
}

uint32_t x64_new_int(cg_ctx *c) { return cg_new_vreg_inline(F, CG_CLS_INT); }
uint32_t x64_new_flt(cg_ctx *c) { return cg_new_vreg(F, CG_CLS_FLOAT); }

uint32_t x64_movi(cg_ctx *c, unsigned size, int64_t imm)
{
    uint32_t r = x64_new_int(c);
    cg_inst *i = cg_emit_inst_n(F, X64_MOVI, 1);
    i->size = (uint8_t)size, i->imm = imm;
    cg_op_at(F, i, 0, r, CG_DEF, CG_ANY, 0);
    return r;
}

/* dst = a op k, op an ALU operation or X64_MULOP: an immediate when k fits
 * one, else k read from the constant pool (as Cranelift does: a load
 * folded into the operation costs no ALU slot and no register, unlike a
 * movabs at each use, in a loop too). */
void x64_alu_k(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, int64_t k)
{
    if (size < 8 || k == (int32_t)k) {
        ri(c, op == X64_MULOP ? X64_IMULI : X64_ALUI, op == X64_MULOP ? 0 : op, size, dst, a, (int32_t)k);
        return;
    }
    cg_inst *i = cg_emit_inst_n(F, X64_ALUM, 2);
    i->cc = (uint8_t)op, i->size = 8, i->imm = IR_TRAP_NONE;
    i->amode = X64_AM_CONST, i->aux = cg_const_add(F, &k, 8, 8);
    cg_op_at(F, i, 0, dst, CG_DEF, CG_REUSE, 1);
    cg_op_at(F, i, 1, a, CG_USE, CG_ANY, 0);
}

/* Zero- or sign-extend the low `bits` of r to 32 (bits < 32) or 64 bits. */
void x64_extend_into(cg_ctx *c, uint32_t d, uint32_t r, unsigned bits, unsigned to, bool sign)
{
    /* a write of 32 bits zero-extends to 64: unsigned extensions need no REX.W */
    if (bits == 32 && !sign)
        x64_un(c, X64_MOV, 0, 4, 0, d, r);
    else
        x64_un(c, X64_EXT, sign, sign ? to : 4, bits / 8, d, r);
}

uint32_t x64_extend(cg_ctx *c, uint32_t r, unsigned bits, unsigned to, bool sign)
{
    uint32_t d = x64_new_int(c);
    x64_extend_into(c, d, r, bits, to, sign);
    return d;
}

void x64_mov64(cg_ctx *c, uint32_t dst, uint32_t src)
{
    x64_un(c, X64_MOV, 0, 8, 0, dst, src);
}

uint32_t x64_extend64(cg_ctx *c, uint32_t r, unsigned bits, bool sign)
{
    return x64_extend(c, r, bits, 8, sign);
}

void x64_setcc(cg_ctx *c, unsigned cc, uint32_t dst)
{
    cg_operand o = cg_operand_of(F, dst, CG_DEF, CG_ANY, 0);
    cg_inst *i = cg_emit_inst_n(F, X64_SETCC, 1);
    i->cc = (uint8_t)cc;
    cg_set_ops(F, i, &o, 1);
}

void x64_test(cg_ctx *c, uint32_t r, unsigned size)
{
    cg_operand o = cg_operand_of(F, r, CG_USE, CG_ANY, 0);
    cg_inst *i = cg_emit_inst_n(F, X64_CMP, 2);
    i->cc = X64_TEST, i->size = (uint8_t)size;
    cg_set_ops(F, i, (cg_operand[2]){o, o}, 2);
}

const uint8_t x64_intcc[IR_INTCC_COUNT] = {
    [IR_INTCC_eq] = X64_CC_E,  [IR_INTCC_ne] = X64_CC_NE, [IR_INTCC_slt] = X64_CC_L,
    [IR_INTCC_sge] = X64_CC_GE, [IR_INTCC_sgt] = X64_CC_G, [IR_INTCC_sle] = X64_CC_LE,
    [IR_INTCC_ult] = X64_CC_B, [IR_INTCC_uge] = X64_CC_AE, [IR_INTCC_ugt] = X64_CC_A,
    [IR_INTCC_ule] = X64_CC_BE,
};
/* Compare the operands of icmp `inst`; returns the x86 condition for true. */
static unsigned emit_icmp_flags(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    ir_type t = cg_vtype(c, a[0]);
    if (t == IR_I128)
        return cg_icmp_i128(c, inst);
    unsigned size = 1u << (t - IR_I8);     /* ir_type_bytes: t is i8..i64 */
    unsigned cc = x64_intcc[in->cond];
    uint32_t x = a[0], y = a[1];
    int32_t imm;
    bool ky = x64_imm32_of(c, y, &imm);
    if (!ky && x64_imm32_of(c, x, &imm)) {
        x = a[1], y = a[0], ky = true;
        cc = cg_cc_swap(x64_intcc, cc);
    }
    if (ky && imm == 0) {    /* test x, x: the same flags as cmp x, 0 */
        x64_test(c, x64_put_in_reg(c, x), size);
    } else if (ky) {
        uint32_t rx = x64_put_in_reg(c, x);    /* before the compare: it may emit */
        cg_inst *i = cg_emit_inst(F, X64_CMPI, 1);
        i->cc = X64_CMPOP, i->size = (uint8_t)size, i->imm = imm;
        cg_op_use(F, rx);
    } else {
        uint32_t rx = x64_put_in_reg(c, x), ry = x64_put_in_reg(c, y);
        cg_operand o[2] = {cg_operand_of(F, rx, CG_USE, CG_ANY, 0), cg_operand_of(F, ry, CG_USE, CG_ANY, 0)};
        cg_inst *i = cg_emit_inst_n(F, X64_CMP, 2);
        i->cc = X64_CMPOP, i->size = (uint8_t)size;
        cg_set_ops(F, i, o, 2);
    }
    return cc;
}

/* Flags for "v is true": a fused icmp, else v != 0.  Returns the cc. */
static unsigned cond_flags(cg_lower *L, uint32_t v)
{
    cg_ctx *c = L->c;
    uint32_t d = cg_def_of(c, v);
    if (d != IR_NONE && L->fused[d] == CG_FUSED_TEST) {     /* band x, imm: test x, imm */
        const uint32_t *a = ir_inst_args(c->fn, d);
        int32_t imm = 0;
        unsigned k = 0;     /* the register operand */
        if (!x64_imm32_of(c, a[1], &imm))
            k = 1, x64_imm32_of(c, a[0], &imm);
        uint32_t rx = x64_put_in_reg(c, a[k]);
        cg_inst *i = cg_emit_inst(F, X64_CMPI, 1);
        i->cc = X64_TEST, i->size = (uint8_t)ir_type_bytes(cg_vtype(c, v)), i->imm = imm;
        if (imm >= 0 && imm <= 255)
            i->size = 1;    /* the same zero flag from the low byte */
        cg_op_use(F, rx);
        return X64_CC_NE;
    }
    if (d != IR_NONE && L->fused[d] == CG_FUSED_FCMP)
        return x64_fcmp_cc(c, d);
    if (d != IR_NONE && L->fused[d] == CG_FUSED_ICMP)
        return emit_icmp_flags(c, d);
    if (cg_vtype(c, v) == IR_I128)
        return x64_test_i128(c, x64_put_in_reg(c, v));
    x64_test(c, x64_put_in_reg(c, v), ir_type_bytes(cg_vtype(c, v)));
    return X64_CC_NE;
}

/* ---- control flow ------------------------------------------------------------ */

/* brif's conditional branch (lib/codegen/lower.c does the edges). */
void x64_branch(cg_lower *L, uint32_t inst, uint32_t lt, uint32_t lf)
{
    cg_ctx *c = L->c;
    cg_inst *i;
    unsigned cc = cond_flags(L, ir_inst_args(c->fn, inst)[0]);
    i = cg_emit_inst_inline(F, X64_JCOND, 0);
    i->cc = (uint8_t)cc, i->aux = lt, i->imm = lf;
}

static void lower_trapif(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    unsigned cc = cond_flags(L, ir_inst_args(c->fn, inst)[0]);
    cg_inst *i = cg_emit_inst(F, X64_TRAPIF, 0);
    i->cc = (uint8_t)(in->op == IR_OP_trapz ? cc ^ 1 : cc);
    i->aux = in->trap;
}

/* ---- one instruction ------------------------------------------------------------ */

/* The cases of x64_lower_inst's switch (cg_isa.lower_inst_ops): the driver
 * sends it nothing else but what x64_mark_memory fused as a memory operand. */
const bool x64_lower_inst_ops[IR_OP_COUNT] = {
    [IR_OP_trapz] = true, [IR_OP_trapnz] = true, [IR_OP_get_stack_pointer] = true,
    [IR_OP_get_return_address] = true, [IR_OP_icmp] = true, [IR_OP_fcmp] = true, [IR_OP_select] = true,
    [IR_OP_select_spectre_guard] = true,
};

int x64_lower_inst(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    ir_type t = cg_ctrl_type(c, inst);
    if (L->fused[inst] == CG_FUSED_MEMOP)
        return x64_lower_memop(L, inst);
    switch (in->op) {
    case IR_OP_trapz: case IR_OP_trapnz:
        lower_trapif(L, inst);
        return true;
    case IR_OP_get_stack_pointer:
        x64_mov64(c, res(c, inst, 0), X64_RSP);
        return true;
    case IR_OP_get_return_address: {
        cg_inst *i = cg_emit_inst(F, X64_LOAD, 2);
        i->size = 8, i->amode = X64_AM_BASE, i->disp = 8;
        cg_op_def(F, res(c, inst, 0));
        cg_op_use(F, X64_RBP);
        return true;
    }
    case IR_OP_icmp: {
        if (!cg_is_int(cg_vtype(c, a[0])))
            return cg_unsupported(c, inst, NULL);
        unsigned cc = emit_icmp_flags(c, inst);
        x64_setcc(c, cc, res(c, inst, 0));
        return true;
    }
    case IR_OP_fcmp:
        if (cg_vtype(c, a[0]) != IR_F32 && cg_vtype(c, a[0]) != IR_F64)
            return cg_unsupported(c, inst, NULL);
        x64_lower_fcmp(c, inst);
        return true;
    case IR_OP_select: case IR_OP_select_spectre_guard: {
        uint32_t x = x64_put_in_reg(c, a[1]), y = x64_put_in_reg(c, a[2]);
        unsigned cc = cond_flags(L, a[0]);
        if (t == IR_I128) {
            uint32_t d = res(c, inst, 0);
            x64_cmov(c, cc, 8, d, y, x);
            x64_cmov(c, cc, 8, d + 1, y + 1, x + 1);
        } else if (cg_is_int(t))
            x64_cmov(c, cc, cg_opsize(t), res(c, inst, 0), y, x);
        else
            x64_rr(c, X64_XSEL, cc, 8, res(c, inst, 0), y, x);
        return true;
    }
    default:
        break;
    }
    return CG_BY_FAMILY;
}

/* The conditions lib/codegen/lower.c offers to test at their use: every
 * icmp; an fcmp that is one x86 condition; a band with an imm32 (test). */
bool x64_fuse_cond(const cg_lower *L, uint32_t user, uint32_t def, unsigned how)
{
    const cg_ctx *c = L->c;
    const uint32_t *a = ir_inst_args(c->fn, def);
    int32_t imm;
    if (how == CG_FUSED_FCMP)
        return x64_fcmp_one_cc(&c->fn->insts.v[def]);
    return how != CG_FUSED_TEST || x64_imm32_of(c, a[0], &imm) || x64_imm32_of(c, a[1], &imm);
}

/* Before the first block: what is lowered at its use; windows_fastcall's
 * saved registers; 16-byte spill slots for vectors. */
bool x64_prepare(cg_lower *L)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    /* its caller keeps values in rsi, rdi and xmm6-15 too: saved where
     * written, by it or by a callee (cg_frame_layout) */
    if (fn->sig.callconv == IR_CC_windows_fastcall)
        c->f.saved_extra = 1ull << X64_RSI | 1ull << X64_RDI | 0xffc00000ull;
    if (L->has & CG_HAS_MEM)
        x64_mark_memory(L);     /* looks at loads and stores only */
    return true;
}
