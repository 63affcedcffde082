/* The lowering driver, for every target (Cranelift's machinst/lower.rs):
 * the walk over the blocks in layout order, block parameters and the
 * function's own arguments, and everything that is control flow or a call
 * — jumps, brif's edges, br_table, return, trap, call, return_call,
 * try_call and its edges.  The target lowers the other instructions
 * (cg_isa.lower_inst) and emits brif's conditional branch (cg_isa.branch).
 *
 * An edge that passes block arguments gets a block of its own (the copies
 * go there), so a branch with two destinations never copies anything. */
#include "cg.h"

#include <stdlib.h>
#include <string.h>

#define F (&c->f)

static bool is_scalar_int(ir_type t) { return t >= IR_I8 && t <= IR_I64; }

unsigned cg_cc_swap(const uint8_t intcc[IR_INTCC_COUNT], unsigned cc)
{
    static const uint8_t swapped[IR_INTCC_COUNT] = {
        [IR_INTCC_eq] = IR_INTCC_eq, [IR_INTCC_ne] = IR_INTCC_ne, [IR_INTCC_slt] = IR_INTCC_sgt,
        [IR_INTCC_sge] = IR_INTCC_sle, [IR_INTCC_sgt] = IR_INTCC_slt, [IR_INTCC_sle] = IR_INTCC_sge,
        [IR_INTCC_ult] = IR_INTCC_ugt, [IR_INTCC_uge] = IR_INTCC_ule, [IR_INTCC_ugt] = IR_INTCC_ult,
        [IR_INTCC_ule] = IR_INTCC_uge,
    };
    for (unsigned k = 0; k < IR_INTCC_COUNT; k++)
        if (intcc[k] == cc)
            return intcc[swapped[k]];
    return cc;
}

bool cg_single_use(const cg_lower *L, uint32_t user, uint32_t v, unsigned op, uint32_t *d)
{
    const cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    *d = cg_def_of(c, v);
    return *d != IR_NONE && fn->insts.v[*d].op == op && c->uses.v[cg_ctx_resolve(c, v)] == 1 &&
           fn->insts.v[*d].block == fn->insts.v[user].block && !L->fused[*d];
}

ir_type cg_binary_user(const cg_lower *L, uint32_t i)
{
    const ir_function *fn = L->c->fn;
    const ir_inst_data *in = &fn->insts.v[i];
    if (in->block == IR_NONE || L->fused[i] || in->nargs != 2 || !in->nres)
        return IR_TYPE_NONE;
    return fn->values.v[ir_inst_results(fn, i)[0]].type;
}

void cg_end_block(cg_ctx *c, const uint32_t *succs, uint32_t nsuccs)
{
    cg_block *b = &c->f.blocks.v[c->f.cur];
    b->succs = c->f.vlist.n;
    b->nsuccs = nsuccs;
    for (uint32_t i = 0; i < nsuccs; i++)
        ir_vec_push(&c->f.vlist, succs[i]);
    cg_block_end(F);
}

static void emit_jump(cg_ctx *c, uint32_t label)
{
    cg_emit_inst(F, c->isa->op_jump, 0)->aux = label;
}

/* ---- edges ---------------------------------------------------------------------- */

/* Block arguments of block call bc, put in registers in the current block
 * (put_in_reg emits instructions but never touches f->vlist). */
static void set_args(cg_ctx *c, uint32_t bc)
{
    uint32_t n = c->fn->pool.v[bc + 1], start = c->f.vlist.n, k = start;
    ir_vec_reserve(&c->f.vlist, 2 * n);     /* an i128 takes two */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = c->fn->pool.v[bc + 2 + i], r = c->isa->put_in_reg(c, v);
        c->f.vlist.v[k++] = r;
        if (cg_vtype(c, v) == IR_I128)     /* both halves of a pair */
            c->f.vlist.v[k++] = r + 1;
    }
    c->f.vlist.n = k;
    cg_block *b = &c->f.blocks.v[c->f.cur];
    b->args = start;
    b->nargs = k - start;
}

static void lower_jump(cg_ctx *c, uint32_t bc)
{
    set_args(c, bc);
    uint32_t target = c->fn->pool.v[bc];
    emit_jump(c, target);
    cg_end_block(c, &target, 1);
}

/* The label a branch goes to for block call bc: the block's own, or a new
 * edge block's when arguments must be copied on the way. */
static uint32_t edge_label(cg_lower *L, uint32_t bc)
{
    const uint32_t *p = &L->c->fn->pool.v[bc];
    if (p[1] == 0)
        return p[0];
    uint32_t l = cg_new_label(&L->c->f);
    L->pending[L->npending] = l;
    L->pend_bc[L->npending++] = bc;
    return l;
}

static void lower_brif(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const uint32_t *p = &c->fn->pool.v[c->fn->insts.v[inst].ent];
    uint32_t succs[2] = {edge_label(L, p[0]), edge_label(L, p[1])};
    c->isa->branch(L, inst, succs[0], succs[1]);
    cg_end_block(c, succs, 2);
    /* the edge blocks, right after the branch */
    for (uint32_t k = 0; k < L->npending; k++) {
        cg_block_begin(F, L->pending[k]);
        lower_jump(c, L->pend_bc[k]);
    }
    L->npending = 0;
}

static void lower_br_table(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t idx = c->isa->put_in_reg(c, ir_inst_args(c->fn, inst)[0]);
    uint32_t n = c->fn->pool.v[in->ent];
    uint32_t start = c->f.vlist.n;
    /* (label, block call) per entry: a new edge label where arguments pass */
    for (uint32_t k = 0; k < n; k++) {
        uint32_t bc = c->fn->pool.v[in->ent + 1 + k];
        const uint32_t *p = &c->fn->pool.v[bc];
        ir_vec_push(&c->f.vlist, p[1] ? cg_new_label(F) : p[0]);
        ir_vec_push(&c->f.vlist, p[1] ? bc : CG_NONE);
    }
    uint32_t tab = c->f.vlist.n;    /* the labels, contiguous for the table */
    for (uint32_t k = 0; k < n; k++)
        ir_vec_push(&c->f.vlist, c->f.vlist.v[start + 2 * k]);
    cg_inst *i = cg_emit_inst(F, c->isa->op_jumptable, 3);
    i->aux = tab, i->imm = n;
    cg_op_use(F, idx);
    cg_op_temp(F, cg_new_vreg(F, CG_CLS_INT));
    cg_op_temp(F, cg_new_vreg(F, CG_CLS_INT));
    cg_block *b = &c->f.blocks.v[c->f.cur];
    b->succs = tab, b->nsuccs = n;
    cg_block_end(F);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t l = c->f.vlist.v[start + 2 * k], bc = c->f.vlist.v[start + 2 * k + 1];
        if (bc == CG_NONE)
            continue;
        cg_block_begin(F, l);
        lower_jump(c, bc);
    }
}

/* ---- try_call ------------------------------------------------------------------
 * The call clobbers every register (a throw resumes at a handler with only
 * the stack and frame pointers and the payload registers set), then the
 * block ends with edges to the normal return block (retN: the results)
 * and to each handler (exnN: the payload registers, defined at the edge's
 * start). */
static bool lower_try_call(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    const uint32_t *tab = &fn->pool.v[(uint32_t)fn->insts.v[inst].imm];
    const ir_signature *sig = &fn->sigs.v[tab[0]];
    uint32_t rets[64] = {0};
    if (sig->nrets > 64)
        return cg_unsupported(c, inst, "try_call with more than 64 results");
    if (!cg_lower_try_call(c, L->abi, inst, rets))
        return false;
    uint32_t call = L->abi->last_call, nitems = tab[2];
    uint32_t normal = cg_new_label(F), start = c->f.vlist.n;
    ir_vec_push(&c->f.vlist, 0);
    for (uint32_t k = 0; k < nitems; k++) {
        const uint32_t *it = &tab[3 + 3 * k];
        if (it[0] == IR_EXN_CONTEXT)
            continue;
        ir_vec_push(&c->f.vlist, it[0]);
        ir_vec_push(&c->f.vlist, it[1]);
        ir_vec_push(&c->f.vlist, cg_new_label(F));
        c->f.vlist.v[start]++;
    }
    c->f.insts.v[call].cc = 1;
    c->f.insts.v[call].disp = (int32_t)start;
    emit_jump(c, normal);
    uint32_t nh = c->f.vlist.v[start], *succs = ir_xmalloc((nh + 1) * sizeof *succs);
    succs[0] = normal;
    for (uint32_t k = 0; k < nh; k++)
        succs[1 + k] = c->f.vlist.v[start + 3 + 3 * k];
    cg_end_block(c, succs, nh + 1);
    for (uint32_t e = 0, h = 0; e <= nitems; e++) {
        uint32_t bc, exn[2];
        unsigned nexn = e ? 2 : 0;
        if (e == 0) {
            bc = tab[1];
            cg_block_begin(F, normal);
        } else {
            const uint32_t *it = &tab[3 + 3 * (e - 1)];
            if (it[0] == IR_EXN_CONTEXT)
                continue;
            bc = it[2];
            cg_block_begin(F, succs[1 + h++]);
            cg_emit_inst(F, c->isa->op_args, nexn);
            for (unsigned k = 0; k < nexn; k++)
                cg_op_def_fixed(F, exn[k] = cg_new_vreg(F, CG_CLS_INT), c->isa->exn_regs[k]);
        }
        cg_edge_args(c, bc, sig, rets, e ? exn : NULL, nexn);
        const uint32_t *p = &fn->pool.v[bc];
        emit_jump(c, p[0]);
        cg_end_block(c, &p[0], 1);
    }
    free(succs);
    return true;
}

/* ---- one instruction, one block, the function --------------------------------- */

/* Opcode families the driver routes to a target's hooks (facts about the
 * opcodes, the same for every target). */
enum { FAM_NONE, FAM_FLOAT, FAM_CONV, FAM_LOAD, FAM_STORE, FAM_ATOMIC, FAM_BITOP, FAM_EXT };
static const uint8_t family[IR_OP_COUNT] = {
    [IR_OP_fadd] = FAM_FLOAT, [IR_OP_fsub] = FAM_FLOAT, [IR_OP_fmul] = FAM_FLOAT,
    [IR_OP_fdiv] = FAM_FLOAT, [IR_OP_sqrt] = FAM_FLOAT, [IR_OP_fneg] = FAM_FLOAT,
    [IR_OP_fabs] = FAM_FLOAT, [IR_OP_fcopysign] = FAM_FLOAT, [IR_OP_fmin] = FAM_FLOAT,
    [IR_OP_fmax] = FAM_FLOAT, [IR_OP_floor] = FAM_FLOAT, [IR_OP_ceil] = FAM_FLOAT,
    [IR_OP_trunc] = FAM_FLOAT, [IR_OP_nearest] = FAM_FLOAT, [IR_OP_fma] = FAM_FLOAT,
    [IR_OP_fpromote] = FAM_CONV, [IR_OP_fdemote] = FAM_CONV, [IR_OP_fcvt_from_sint] = FAM_CONV,
    [IR_OP_fcvt_from_uint] = FAM_CONV, [IR_OP_fcvt_to_sint] = FAM_CONV, [IR_OP_fcvt_to_uint] = FAM_CONV,
    [IR_OP_fcvt_to_sint_sat] = FAM_CONV, [IR_OP_fcvt_to_uint_sat] = FAM_CONV, [IR_OP_bitcast] = FAM_CONV,
    [IR_OP_load] = FAM_LOAD, [IR_OP_uload8] = FAM_LOAD, [IR_OP_sload8] = FAM_LOAD,
    [IR_OP_uload16] = FAM_LOAD, [IR_OP_sload16] = FAM_LOAD, [IR_OP_uload32] = FAM_LOAD,
    [IR_OP_sload32] = FAM_LOAD,
    [IR_OP_store] = FAM_STORE, [IR_OP_istore8] = FAM_STORE, [IR_OP_istore16] = FAM_STORE,
    [IR_OP_istore32] = FAM_STORE,
    [IR_OP_atomic_load] = FAM_ATOMIC, [IR_OP_atomic_store] = FAM_ATOMIC, [IR_OP_atomic_cas] = FAM_ATOMIC,
    [IR_OP_atomic_rmw] = FAM_ATOMIC,
    /* on floats these are float operations */
    [IR_OP_band] = FAM_BITOP, [IR_OP_bor] = FAM_BITOP, [IR_OP_bxor] = FAM_BITOP, [IR_OP_bnot] = FAM_BITOP,
    [IR_OP_bitselect] = FAM_BITOP,
    [IR_OP_uextend] = FAM_EXT, [IR_OP_sextend] = FAM_EXT, [IR_OP_ireduce] = FAM_EXT,
};

/* Opcode facts lower_common and scan_layout ask of every instruction. */
enum { OPF_COND = 1, OPF_SHIFT = 2, OPF_MEM = CG_HAS_MEM, OPF_TAIL = CG_HAS_TAIL, OPF_FUSE = 16,
       OPF_EDGES = 32 };   /* EDGES: block calls (count_edge_uses) */
#define COND (OPF_COND | OPF_FUSE)
#define MEM OPF_MEM
static const uint8_t opflag[IR_OP_COUNT] = {
    /* know about pairs and vectors; their condition may be fused */
    [IR_OP_trapz] = COND, [IR_OP_trapnz] = COND, [IR_OP_select] = COND, [IR_OP_select_spectre_guard] = COND,
    [IR_OP_brif] = OPF_FUSE | OPF_EDGES, [IR_OP_jump] = OPF_EDGES, [IR_OP_br_table] = OPF_EDGES,
    [IR_OP_try_call] = OPF_EDGES, [IR_OP_try_call_indirect] = OPF_EDGES,
    [IR_OP_ishl] = OPF_SHIFT, [IR_OP_ushr] = OPF_SHIFT, [IR_OP_sshr] = OPF_SHIFT, [IR_OP_rotl] = OPF_SHIFT,
    [IR_OP_rotr] = OPF_SHIFT,
    [IR_OP_load] = MEM, [IR_OP_uload8] = MEM, [IR_OP_sload8] = MEM, [IR_OP_uload16] = MEM,
    [IR_OP_sload16] = MEM, [IR_OP_uload32] = MEM, [IR_OP_sload32] = MEM, [IR_OP_store] = MEM,
    [IR_OP_istore8] = MEM, [IR_OP_istore16] = MEM, [IR_OP_istore32] = MEM,
    [IR_OP_return_call] = OPF_TAIL, [IR_OP_return_call_indirect] = OPF_TAIL,
};
#undef COND
#undef MEM

/* Integer operations lower_inst sends straight to cg_isa.lower_int when
 * the function is plain (L.plain) and the type a scalar integer: none is
 * in lower_common's switch or a family but FAM_BITOP. */
static const bool int_op[IR_OP_COUNT] = {
    [IR_OP_iadd] = true, [IR_OP_isub] = true, [IR_OP_imul] = true, [IR_OP_ineg] = true,
    [IR_OP_iabs] = true, [IR_OP_band] = true, [IR_OP_bor] = true, [IR_OP_bxor] = true,
    [IR_OP_bnot] = true, [IR_OP_ishl] = true, [IR_OP_ushr] = true, [IR_OP_sshr] = true,
    [IR_OP_rotl] = true, [IR_OP_rotr] = true, [IR_OP_udiv] = true, [IR_OP_sdiv] = true,
    [IR_OP_urem] = true, [IR_OP_srem] = true, [IR_OP_smin] = true, [IR_OP_smax] = true,
    [IR_OP_umin] = true, [IR_OP_umax] = true, [IR_OP_umulhi] = true, [IR_OP_smulhi] = true,
};

/* uextend, sextend, ireduce between scalar integers (the target's
 * lower_inst takes the i128 and vector ones). */
static bool lower_ext(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t a = ir_inst_args(c->fn, inst)[0];
    ir_type from = cg_vtype(c, a);
    if (!is_scalar_int(from) || !is_scalar_int(t))
        return cg_unsupported(c, inst, NULL);
    uint32_t x = c->isa->put_in_reg(c, a), dst = cg_value_vreg(c, ir_inst_results(c->fn, inst)[0]);
    if (in->op == IR_OP_ireduce)    /* the bits above a narrow type are undefined anyway */
        c->isa->mov64(c, dst, x);
    else
        c->isa->extend_into(c, dst, x, ir_type_bits(from), t == IR_I64 ? 8 : 4, in->op == IR_OP_sextend);
    return true;
}

bool cg_type_ok(const cg_isa *isa, ir_type t)
{
    return (t >= IR_I8 && t <= IR_I128) || ir_type_is_float(t) || isa->vec_type(t);
}

unsigned cg_mem_width(const cg_ctx *c, uint32_t inst, bool *sign)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    *sign = in->op == IR_OP_sload8 || in->op == IR_OP_sload16 || in->op == IR_OP_sload32;
    switch (in->op) {
    case IR_OP_uload8: case IR_OP_sload8: case IR_OP_istore8: return 1;
    case IR_OP_uload16: case IR_OP_sload16: case IR_OP_istore16: return 2;
    case IR_OP_uload32: case IR_OP_sload32: case IR_OP_istore32: return 4;
    case IR_OP_store: return ir_type_bytes(cg_vtype(c, ir_inst_args(c->fn, inst)[0]));
    default: return ir_type_bytes(cg_ctrl_type(c, inst));
    }
}

/* The little-endian bits of f16const .. f128const instruction inst. */
const uint8_t *cg_fconst_bytes(const cg_ctx *c, uint32_t inst)
{
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    if (in->op != IR_OP_f128const)
        return (const uint8_t *)&in->imm;
    if (in->ent != IR_NONE)
        return fn->bytes.v + fn->constants.v[in->ent].off;
    return fn->bytes.v + in->imm;
}

/* ---- i128 as register pairs: what every target does alike ------------------------ */

int cg_lower_i128_moves(cg_ctx *c, uint32_t inst)
{
    const cg_isa *isa = c->isa;
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    ir_type t = cg_ctrl_type(c, inst);
    uint32_t d = in->nres ? cg_value_vreg(c, ir_inst_results(fn, inst)[0]) : CG_NONE;
    switch (in->op) {
    case IR_OP_load: case IR_OP_store: {     /* two 8-byte halves, low first */
        bool store = in->op == IR_OP_store;
        if (in->imm != (int32_t)in->imm || in->imm > INT32_MAX - 8 || (in->mf.bits & IR_MF_BIG))
            return cg_unsupported(c, inst, NULL);
        uint32_t v = store ? isa->put_in_reg(c, a[0]) : d, base = isa->put_in_reg(c, a[store]);
        for (unsigned k = 0; k < 2; k++)
            cg_mem(c, store, IR_I64, 8, v + k, CG_AREA_BASE, base, (int32_t)in->imm + 8 * (int32_t)k, in->mf.trap);
        return CG_DONE;
    }
    case IR_OP_ireduce:
        isa->mov64(c, d, isa->put_in_reg(c, a[0]));
        return CG_DONE;
    case IR_OP_uextend: {
        ir_type from = cg_vtype(c, a[0]);
        if (!is_scalar_int(from))
            return cg_unsupported(c, inst, NULL);
        uint32_t x = isa->put_in_reg(c, a[0]);
        if (from == IR_I64)
            isa->mov64(c, d, x);
        else
            isa->extend_into(c, d, x, ir_type_bits(from), 8, false);
        isa->mov64(c, d + 1, isa->movi(c, 8, 0));
        return CG_DONE;
    }
    case IR_OP_bitcast: case IR_OP_iconcat: {
        if (in->op == IR_OP_bitcast && (t != IR_I128 || cg_vtype(c, a[0]) != IR_I128))
            return cg_unsupported(c, inst, NULL);
        uint32_t lo = isa->put_in_reg(c, a[0]), hi = in->op == IR_OP_iconcat ? isa->put_in_reg(c, a[1]) : lo + 1;
        isa->mov64(c, d, lo);
        isa->mov64(c, d + 1, hi);
        return CG_DONE;
    }
    case IR_OP_isplit: {
        uint32_t x = isa->put_in_reg(c, a[0]);
        isa->mov64(c, d, x);
        isa->mov64(c, cg_value_vreg(c, ir_inst_results(fn, inst)[1]), x + 1);
        return CG_DONE;
    }
    default:
        return CG_BY_FAMILY;
    }
}

/* What every target lowers alike, before its own cases: CG_BY_FAMILY for
 * the others. */
static int lower_common(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const cg_isa *isa = c->isa;
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    ir_type t = cg_ctrl_type(c, inst);
    bool cond = opflag[in->op] & OPF_COND;     /* these know about pairs and vectors */
    ir_type rt = in->nres ? fn->values.v[ir_inst_results(fn, inst)[0]].type : IR_TYPE_NONE;
    if (L->vec && !cond && in->op != IR_OP_load && in->op != IR_OP_store && cg_vec_inst(c, inst)) {
        ir_type vt = in->nres ? rt : in->type, at = in->nargs ? cg_vtype(c, a[0]) : IR_TYPE_NONE;
        if ((ir_type_is_vector(vt) && !isa->vec_type(vt)) || (ir_type_is_vector(at) && !isa->vec_type(at)))
            return cg_unsupported(c, inst, NULL);
        return isa->lower_vector(L, inst);
    }
    if (in->op == IR_OP_bitcast && (t == IR_F128 || cg_vtype(c, a[0]) == IR_F128))
        return isa->lower_conv(c, inst);
    bool shift = opflag[in->op] & OPF_SHIFT;   /* a narrower value shifted by an i128 takes its low half */
    bool wide = !cond && (shift ? t : rt) == IR_I128;
    for (uint32_t k = 0; L->i128 && k < in->nargs && !cond && !shift && !wide; k++)
        wide = cg_vtype(c, a[k]) == IR_I128;
    if (wide)
        return cg_lower_i128(c, inst);
    uint32_t d = in->nres ? cg_value_vreg(c, ir_inst_results(fn, inst)[0]) : CG_NONE, r;
    switch (in->op) {
    case IR_OP_symbol_value: case IR_OP_global_value:
        if (!is_scalar_int(t))
            return cg_unsupported(c, inst, NULL);
        if (!cg_gv_value(c, in->ent, inst, 0, &r))
            return CG_FAILED;
        isa->mov64(c, d, r);
        return CG_DONE;
    case IR_OP_stack_addr: {
        cg_inst *i = cg_emit_inst(F, isa->op_lea, 1);
        i->amode = isa->am[CG_AREA_SLOT], i->aux = in->ent, i->disp = (int32_t)in->imm;
        cg_op_def(F, d);
        return CG_DONE;
    }
    case IR_OP_get_frame_pointer:
        isa->mov64(c, d, isa->fp_reg);
        return CG_DONE;
    case IR_OP_fence:
        cg_emit_inst(F, isa->op_fence, 0);
        return CG_DONE;
    case IR_OP_select: case IR_OP_select_spectre_guard:     /* the target's, if it holds the types */
        return cg_type_ok(isa, t) && (is_scalar_int(cg_vtype(c, a[0])) || cg_vtype(c, a[0]) == IR_I128)
               ? CG_BY_FAMILY : cg_unsupported(c, inst, NULL);
    default:
        return CG_BY_FAMILY;
    }
}

/* atomic_load, atomic_store: one instruction on the address (x86-64's
 * plain loads are acquire already; its store takes a fence after). */
static bool lower_atomic_mem(cg_ctx *c, uint32_t inst, ir_type t)
{
    const cg_isa *isa = c->isa;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    bool store = in->op == IR_OP_atomic_store;
    uint32_t v = store ? isa->put_in_reg(c, a[0]) : CG_NONE, p = isa->put_in_reg(c, a[store]);
    cg_inst *i = cg_emit_inst(F, store ? isa->op_atomic_store : isa->op_atomic_load, 2);
    i->cc = store ? 0 : isa->ld_zx, i->size = (uint8_t)ir_type_bytes(t), i->amode = isa->am[CG_AREA_BASE];
    i->imm = in->mf.trap;
    if (store)
        cg_op_use(F, v);
    else
        cg_op_def(F, cg_value_vreg(c, ir_inst_results(c->fn, inst)[0]));
    cg_op_use(F, p);
    if (store && isa->seqcst_store_fence)
        cg_emit_inst(F, isa->op_fence, 0);
    return true;
}

/* What the target left to its family hooks. */
static bool lower_by_family(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const cg_isa *isa = c->isa;
    ir_type t = cg_ctrl_type(c, inst);
    bool flt = t == IR_F32 || t == IR_F64;
    switch (family[c->fn->insts.v[inst].op]) {
    case FAM_FLOAT: return isa->lower_float(c, inst, t);
    case FAM_CONV: return isa->lower_conv(c, inst);
    case FAM_LOAD: case FAM_STORE: {
        const ir_inst_data *in = &c->fn->insts.v[inst];
        const uint32_t *a = ir_inst_args(c->fn, inst);
        bool store = family[in->op] == FAM_STORE;
        cg_access m = {.value = store ? a[0] : ir_inst_results(c->fn, inst)[0], .addr = a[store],
                       .off = in->imm, .mf = in->mf};
        m.type = cg_vtype(c, m.value);
        m.width = cg_mem_width(c, inst, &m.sign);
        if (!cg_type_ok(isa, m.type))
            return cg_unsupported(c, inst, NULL);
        return store ? isa->lower_store(L, inst, &m) : isa->lower_load(L, inst, &m);
    }
    case FAM_ATOMIC: {  /* the type moved: a store's operand's, else the result's */
        const ir_inst_data *in = &c->fn->insts.v[inst];
        ir_type at = in->op == IR_OP_atomic_store ? cg_vtype(c, ir_inst_args(c->fn, inst)[0]) : t;
        if (!is_scalar_int(at))
            return cg_unsupported(c, inst, NULL);
        return in->op == IR_OP_atomic_load || in->op == IR_OP_atomic_store ? lower_atomic_mem(c, inst, at)
                                                                           : isa->lower_atomic(c, inst, at);
    }
    case FAM_EXT: return lower_ext(c, inst, t);
    case FAM_BITOP:
        if (flt)
            return isa->lower_float(c, inst, t);
        break;
    default:
        break;
    }
    return is_scalar_int(t) ? isa->lower_int(L, inst, t) : cg_unsupported(c, inst, NULL);
}

static bool lower_inst(cg_lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    const ir_inst_data *in = &fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(fn, inst);
    switch (in->op) {
    case IR_OP_jump:
        lower_jump(c, in->ent);
        return true;
    case IR_OP_brif:
        lower_brif(L, inst);
        return true;
    case IR_OP_br_table:
        lower_br_table(c, inst);
        return true;
    case IR_OP_return_:
        for (uint32_t k = 0; k < in->nargs; k++)
            L->vals[k] = c->isa->put_in_reg(c, a[k]);
        cg_lower_return(c, L->abi, L->vals, in->nargs);
        cg_end_block(c, NULL, 0);
        return true;
    case IR_OP_trap:
        cg_emit_inst(F, c->isa->op_trap, 0)->aux = in->trap;
        cg_end_block(c, NULL, 0);
        return true;
    case IR_OP_call: case IR_OP_call_indirect:
        return cg_lower_call(c, L->abi, inst);
    case IR_OP_try_call: case IR_OP_try_call_indirect:
        return lower_try_call(L, inst);
    case IR_OP_return_call: case IR_OP_return_call_indirect:
        if (!cg_lower_return_call(c, L->abi, inst))
            return false;
        cg_end_block(c, NULL, 0);
        return true;
    case IR_OP_func_addr:
        cg_symbol_addr(c, cg_value_vreg(c, ir_inst_results(fn, inst)[0]),
                            cg_sym_extname(c, &fn->func_refs.v[in->ent].name));
        return true;
    case IR_OP_nop:
    case IR_OP_iconst: case IR_OP_f16const: case IR_OP_f32const: case IR_OP_f64const: case IR_OP_f128const:
        return true;    /* constants: materialized at each use (cg_isa.put_in_reg), no vreg here */
    default: {
        int r = CG_BY_FAMILY;
        /* the common case straight to its hook: what lower_common, the
         * target's lower_inst and lower_by_family would find nothing to do
         * for but name the result's vreg first (the same vreg numbers) */
        if (int_op[in->op] && L->plain && !c->isa->lower_inst_ops[in->op] && L->fused[inst] == CG_FUSED_NONE) {
            ir_type t = cg_ctrl_type(c, inst);
            if (is_scalar_int(t)) {
                uint32_t *rv = in->nres ? &c->vreg_of.v[cg_ctx_resolve(c, ir_inst_results(fn, inst)[0])] : NULL;
                if (rv && *rv == CG_NONE)    /* cg_value_vreg: a scalar integer's one int vreg */
                    *rv = cg_new_vreg_inline(F, CG_CLS_INT);
                return c->isa->lower_int(L, inst, t);
            }
        }
        if (L->f16_f128 && (!c->isa->native_fconv || !c->isa->native_fconv(c, inst)))
            r = cg_lower_softfp(c, inst);
        if (r != CG_BY_FAMILY)
            return r == CG_DONE;
        if (L->fused[inst] != CG_FUSED_NONE && L->fused[inst] != CG_FUSED_MEMOP)
            return true;    /* lowered at its use */
        r = lower_common(L, inst);
        if (r != CG_BY_FAMILY)
            return r == CG_DONE;
        const bool *ops = c->isa->lower_inst_ops;
        if (!ops || ops[in->op] || L->fused[inst] == CG_FUSED_MEMOP)
            r = c->isa->lower_inst(L, inst);
        return r == CG_BY_FAMILY ? lower_by_family(L, inst) : r == CG_DONE;
    }
    }
}

/* The block calls of a branch or try_call: their value arguments are uses. */
static void count_edge_uses(cg_ctx *c, const ir_inst_data *in)
{
    const ir_function *fn = c->fn;
#define USE(x) (c->uses.v[cg_resolve(fn, (x))]++)
    const uint32_t *p = ir_pool_at(fn, in->ent);
    uint32_t calls[2], ncalls = 0;
    const uint32_t *list = calls;
    if (in->op == IR_OP_jump)
        calls[0] = in->ent, ncalls = 1;
    else if (in->op == IR_OP_brif)
        calls[0] = p[0], calls[1] = p[1], ncalls = 2;
    else if (in->op == IR_OP_br_table)
        list = p + 1, ncalls = p[0];
    uint32_t tcalls[64];
    if ((in->op == IR_OP_try_call || in->op == IR_OP_try_call_indirect) && in->imm >= 0) {
        const uint32_t *t = &fn->pool.v[(uint32_t)in->imm];
        tcalls[0] = t[1], ncalls = 1, list = tcalls;
        for (uint32_t k = 0; k < t[2] && ncalls < 64; k++)
            if (t[3 + 3 * k] != IR_EXN_CONTEXT)
                tcalls[ncalls++] = t[3 + 3 * k + 2];
            else
                USE(t[3 + 3 * k + 1]);
    }
    for (uint32_t k = 0; k < ncalls; k++) {
        const uint32_t *bc = &fn->pool.v[list[k]];
        for (uint32_t j = 0; j < bc[1]; j++)
            if (IR_BLOCKARG_KIND(bc[2 + j]) == IR_BLOCKARG_VALUE)
                USE(bc[2 + j]);
    }
#undef USE
}

typedef IR_VEC(uint32_t) u32vec;

/* One pass over the layout: the uses of each value (the operands resolved
 * through aliases only where the function has one: a constant, two
 * copies), L->has, and the instructions whose condition may be fused, for
 * mark_conditions. */
static inline __attribute__((always_inline)) void scan_layout_(cg_lower *L, u32vec *conds, bool alias)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    uint32_t *uses = c->uses.v;
    unsigned has = 0;
    if (fn->values.n)   /* no values: uses may be NULL, and memset(NULL) is UB */
        memset(uses, 0, fn->values.n * sizeof *uses);
    for (uint32_t li = 0; li < fn->layout.n; li++) {
        const ir_block_data *bd = &fn->blocks.v[fn->layout.v[li]];
        for (uint32_t i = bd->first; i != IR_NONE; i = fn->insts.v[i].next) {
            const ir_inst_data *in = &fn->insts.v[i];
            const uint32_t *a = ir_inst_args(fn, i);
            unsigned fl = opflag[in->op], n = in->nargs;
            for (uint32_t k = 0; k < n; k++)
                uses[alias ? cg_resolve(fn, a[k]) : a[k]]++;
            if (fl) {   /* most instructions: none */
                has |= fl;
                if (fl & OPF_EDGES)
                    count_edge_uses(c, in);
                if ((fl & OPF_FUSE) && n)
                    ir_vec_push(conds, i);
            }
            if (i == bd->last)
                break;
        }
    }
    L->has = has & (CG_HAS_MEM | CG_HAS_TAIL);
}

static void scan_layout(cg_lower *L, u32vec *conds)
{
    if (L->c->valias)
        scan_layout_(L, conds, true);
    else
        scan_layout_(L, conds, false);
}

/* The condition of a brif, select, trapz or trapnz (conds) defined for
 * that use only by an icmp, an fcmp or a band with a constant: flags set
 * at the use where the target takes it (cg_isa.fuse_cond). */
static void mark_conditions(cg_lower *L, const u32vec *conds)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    for (uint32_t j = 0; j < conds->n; j++) {
        uint32_t i = conds->v[j];
        uint32_t v = ir_value_resolve(fn, ir_inst_args(fn, i)[0]), d = cg_def_of(c, v);
        if (d == IR_NONE || c->uses.v[v] != 1)
            continue;
        const uint32_t *a = ir_inst_args(fn, d);
        ir_type t = cg_vtype(c, a[0]);
        int64_t k;
        unsigned how = CG_FUSED_NONE;
        if (fn->insts.v[d].op == IR_OP_icmp && (is_scalar_int(t) || t == IR_I128))
            how = CG_FUSED_ICMP;
        else if (fn->insts.v[d].op == IR_OP_fcmp && (t == IR_F32 || t == IR_F64))
            how = CG_FUSED_FCMP;
        else if (fn->insts.v[d].op == IR_OP_band && is_scalar_int(cg_vtype(c, v)) &&
                 (cg_iconst_of(c, a[0], &k) || cg_iconst_of(c, a[1], &k)))
            how = CG_FUSED_TEST;
        if (how != CG_FUSED_NONE && c->isa->fuse_cond(L, i, d, how))
            L->fused[d] = (uint8_t)how;
    }
}

/* Block parameters: the entry block's are the function's arguments; the
 * others' are copied into by the edges (an i128 a pair of vregs). */
static void lower_params(cg_lower *L, uint32_t b, bool entry)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    const ir_block_data *bd = &fn->blocks.v[b];
    if (entry) {
        for (uint32_t k = 0; k < bd->nparams; k++)
            L->vals[k] = cg_value_vreg(c, fn->pool.v[bd->params + k]);
        cg_lower_args(c, L->abi, L->vals, bd->nparams < fn->sig.nparams ? bd->nparams : fn->sig.nparams);
        return;
    }
    cg_block *vb = &c->f.blocks.v[c->f.cur];
    vb->params = c->f.vlist.n;
    vb->nparams = bd->nparams;
    for (uint32_t k = 0; k < bd->nparams; k++) {
        uint32_t v = fn->pool.v[bd->params + k], r = cg_value_vreg(c, v);
        ir_vec_push(&c->f.vlist, r);
        if (fn->values.v[v].type == IR_I128)
            ir_vec_push(&c->f.vlist, r + 1), vb->nparams++;
    }
}

/* The ABI vectors of the last function lowered on this thread, for the
 * next (their capacity, not their contents). */
static _Thread_local cg_abi spare_abi;
static _Thread_local struct { void *p; size_t cap; } spare_scratch;    /* L.vals and L.fused */
static _Thread_local u32vec spare_conds;

#define MOVE_VEC(dst, src) ((dst).v = (src).v, (dst).cap = (src).cap, (dst).n = 0, (src).v = NULL, (src).cap = (src).n = 0)

bool cg_lower_function(cg_ctx *c)
{
    const ir_function *fn = c->fn;
    cg_abi abi = {0};
    MOVE_VEC(abi.locs, spare_abi.locs);
    MOVE_VEC(abi.pairs, spare_abi.pairs);
    MOVE_VEC(abi.vals, spare_abi.vals);
    cg_lower L = {.c = c, .abi = &abi};
    /* L.vals, then L.fused: one block kept for the next function */
    size_t nv = ((size_t)fn->sig.nrets + fn->sig.nparams + 1) * sizeof *L.vals, need = nv + fn->insts.n + 1;
    if (spare_scratch.cap < need) {
        free(spare_scratch.p);
        spare_scratch.cap = need < 2 * spare_scratch.cap ? 2 * spare_scratch.cap : need;
        spare_scratch.p = ir_xmalloc(spare_scratch.cap);
    }
    L.vals = spare_scratch.p;
    L.fused = memset((uint8_t *)spare_scratch.p + nv, 0, fn->insts.n + 1);
    c->abi = &abi;
    bool ok = fn->layout.n > 0 && cg_sig_compute(c, &abi, fn, &fn->sig, CG_NONE, &abi.self);
    if (fn->layout.n == 0)
        ir_diag_set(c->d, fn->line, fn->col, "function has no blocks");
    /* which per-instruction checks can find anything (compile's pass over the values) */
    uint32_t any = c->vtypes, scalars = c->vscalars;
    c->noalias = !c->valias;
    L.vec = (any & 0x1f0) != 0;    /* ir_type_is_vector: lanes, or IR_TYPE_DYNAMIC */
    bool f128 = scalars >> IR_F128 & 1;
    L.f16_f128 = (scalars >> IR_F16 | scalars >> IR_F128) & 1;
    L.i128 = scalars >> IR_I128 & 1;
    L.plain = !L.vec && !L.f16_f128 && !L.i128 && c->isa->lower_inst_ops;
    if (L.vec)       /* before lowering: call_clobbers reads it */
        c->f.wide_spill = true;
    u32vec conds;
    MOVE_VEC(conds, spare_conds);
    scan_layout(&L, &conds);    /* c->uses, L.has */
    if (ok)
        mark_conditions(&L, &conds);
    ok = ok && cg_plan_tail_calls(c, &abi, L.has & CG_HAS_TAIL);
    ok = ok && c->isa->prepare(&L);
    c->f.wide_spill |= f128;    /* spilled whole */
    for (uint32_t li = 0; ok && li < fn->layout.n; li++) {
        uint32_t b = fn->layout.v[li];
        const ir_block_data *bd = &fn->blocks.v[b];
        cg_block_begin(F, b);
        c->f.cur_ir = CG_NONE;
        lower_params(&L, b, li == 0);
        uint32_t done = IR_NONE;    /* the last instruction lowered */
        for (uint32_t i = bd->first; ok && i != IR_NONE; i = fn->insts.v[i].next) {
            c->f.cur_ir = i;
            ok = lower_inst(&L, i);
            done = i;
            if (i == bd->last)
                break;
        }
        bool ended = done != IR_NONE && (ir_opcodes[fn->insts.v[done].op].flags & IR_OPF_TERMINATOR);
        if (ok && !ended) {
            ir_diag_set(c->d, bd->line, bd->col, "block%u has no terminator", b);
            ok = false;
        }
    }
    c->noalias = false;
    if (spare_scratch.cap > (1u << 22))     /* what a very large function needed is given back */
        free(spare_scratch.p), spare_scratch.p = NULL, spare_scratch.cap = 0;
    ir_vec_free(&spare_conds);
    MOVE_VEC(spare_conds, conds);
    cg_abi_free(&spare_abi);
    MOVE_VEC(spare_abi.locs, abi.locs);
    MOVE_VEC(spare_abi.pairs, abi.pairs);
    MOVE_VEC(spare_abi.vals, abi.vals);
    c->abi = NULL;
    return ok;
}
