/* Rewrite opcodes that Cranelift has removed into today's instructions
 * (../shared/conformance/LEGACY.md), so that later stages and the printer
 * see only today's IR.  New values are numbered after every existing one. */
#include <string.h>

#include "ir.h"

typedef struct rw {
    ir_function *f;
    uint32_t at;            /* the legacy instruction; new ones go before it */
} rw;

/* Insert `op.type args` before the legacy instruction; returns its inst. */
static uint32_t emit(rw *r, ir_opcode op, ir_type type, const uint32_t *args, unsigned nargs)
{
    uint32_t i = ir_inst_build(r->f, r->at, op, type, args, nargs);
    r->f->insts.v[i].mf = (ir_memflags){0};
    return i;
}

static uint32_t result(rw *r, uint32_t inst, unsigned k) { return r->f->pool.v[r->f->insts.v[inst].res + k]; }

static uint32_t emit1(rw *r, ir_opcode op, ir_type type, const uint32_t *args, unsigned nargs)
{
    return result(r, emit(r, op, type, args, nargs), 0);
}

/* An integer constant of type t (i128 through an i64 and an extend). */
static uint32_t iconst(rw *r, ir_type t, int64_t v, bool sign)
{
    ir_type ct = t == IR_I128 ? IR_I64 : t;
    uint32_t i = emit(r, IR_OP_iconst, ct, NULL, 0);
    unsigned bits = ir_type_bits(ct);
    r->f->insts.v[i].imm = bits >= 64 ? v : (int64_t)((uint64_t)v & ((1ull << bits) - 1));
    uint32_t c = result(r, i, 0);
    if (t == IR_I128)
        c = emit1(r, sign ? IR_OP_sextend : IR_OP_uextend, IR_I128, &c, 1);
    return c;
}

/* A lane mask as a vector of type t (the float vector it selects between). */
static uint32_t as_type(rw *r, uint32_t v, ir_type t)
{
    if (r->f->values.v[v].type == t)
        return v;
    uint32_t i = emit(r, IR_OP_bitcast, t, &v, 1);
    r->f->insts.v[i].mf = (ir_memflags){.bits = IR_MF_LITTLE, .trap = IR_TRAP_heap_oob}; /* default flags + little */
    return result(r, i, 0);
}

/* Turn the legacy instruction itself into `op.type args`, keeping its results. */
static void become(rw *r, ir_opcode op, ir_type type, const uint32_t *args, unsigned nargs)
{
    ir_function *f = r->f;
    uint32_t off = f->pool.n;
    for (unsigned k = 0; k < nargs; k++)
        ir_vec_push(&f->pool, args[k]);
    ir_inst_data *in = &f->insts.v[r->at];
    in->op = (uint16_t)op;
    in->type = type;
    in->args = off;
    in->nargs = (uint16_t)nargs;
}

static const struct { ir_opcode legacy, op; bool sign; } imm_ops[] = {
    {IR_OP_iadd_imm, IR_OP_iadd, true},   {IR_OP_imul_imm, IR_OP_imul, true},
    {IR_OP_sdiv_imm, IR_OP_sdiv, true},   {IR_OP_srem_imm, IR_OP_srem, true},
    {IR_OP_irsub_imm, IR_OP_isub, true},  {IR_OP_udiv_imm, IR_OP_udiv, false},
    {IR_OP_urem_imm, IR_OP_urem, false},  {IR_OP_band_imm, IR_OP_band, false},
    {IR_OP_bor_imm, IR_OP_bor, false},    {IR_OP_bxor_imm, IR_OP_bxor, false},
    {IR_OP_rotl_imm, IR_OP_rotl, false},  {IR_OP_rotr_imm, IR_OP_rotr, false},
    {IR_OP_ishl_imm, IR_OP_ishl, false},  {IR_OP_ushr_imm, IR_OP_ushr, false},
    {IR_OP_sshr_imm, IR_OP_sshr, false},
};

static bool rewrite(rw *r, ir_diag *d)
{
    ir_function *f = r->f;
    ir_inst_data in = f->insts.v[r->at];
    const uint32_t *a = &f->pool.v[in.args];
    uint32_t x = in.nargs > 0 ? a[0] : 0, y = in.nargs > 1 ? a[1] : 0, z = in.nargs > 2 ? a[2] : 0;
    ir_type t = in.type;
    ir_opcode op = (ir_opcode)in.op;

    for (unsigned k = 0; k < sizeof imm_ops / sizeof *imm_ops; k++) {
        if (imm_ops[k].legacy != op)
            continue;
        bool shift = op == IR_OP_rotl_imm || op == IR_OP_rotr_imm || op == IR_OP_ishl_imm ||
                     op == IR_OP_ushr_imm || op == IR_OP_sshr_imm;
        /* shift amounts are an i64 for every type: they are masked anyway */
        uint32_t c = iconst(r, shift ? IR_I64 : t, in.imm, imm_ops[k].sign);
        uint32_t args[2] = {x, c};
        if (op == IR_OP_irsub_imm)
            args[0] = c, args[1] = x;
        become(r, imm_ops[k].op, t, args, 2);
        return true;
    }
    switch (op) {
    case IR_OP_icmp_imm: {
        uint32_t c = iconst(r, f->values.v[x].type, in.imm, true);
        uint32_t args[2] = {x, c};
        become(r, IR_OP_icmp, f->values.v[x].type, args, 2);
        return true;
    }
    case IR_OP_band_not:
    case IR_OP_bor_not:
    case IR_OP_bxor_not: {
        uint32_t args[2] = {x, emit1(r, IR_OP_bnot, t, &y, 1)};
        become(r, op == IR_OP_band_not ? IR_OP_band : op == IR_OP_bor_not ? IR_OP_bor : IR_OP_bxor, t, args, 2);
        return true;
    }
    case IR_OP_iadd_cout:
    case IR_OP_isub_bout: {
        uint32_t args[2] = {x, y};
        become(r, op == IR_OP_iadd_cout ? IR_OP_uadd_overflow : IR_OP_usub_overflow, t, args, 2);
        return true;
    }
    case IR_OP_iadd_cin:
    case IR_OP_isub_bin:
    case IR_OP_iadd_carry:
    case IR_OP_isub_borrow: {
        bool add = op == IR_OP_iadd_cin || op == IR_OP_iadd_carry;
        uint32_t carry = t == IR_I8 ? z : emit1(r, IR_OP_uextend, t, &z, 1);
        if (op == IR_OP_iadd_cin || op == IR_OP_isub_bin) {
            uint32_t a1[2] = {x, y};
            uint32_t a2[2] = {emit1(r, add ? IR_OP_iadd : IR_OP_isub, t, a1, 2), carry};
            become(r, add ? IR_OP_iadd : IR_OP_isub, t, a2, 2);
            return true;
        }
        /* (x op y) op carry, with the flag out of either step */
        ir_opcode ov = add ? IR_OP_uadd_overflow : IR_OP_usub_overflow;
        uint32_t a1[2] = {x, y};
        uint32_t s1 = emit(r, ov, t, a1, 2);
        uint32_t a2[2] = {result(r, s1, 0), carry};
        uint32_t s2 = emit(r, ov, t, a2, 2);
        /* the legacy results: the sum keeps its value number, the flag too */
        uint32_t sum = f->pool.v[in.res], flag = f->pool.v[in.res + 1];
        uint32_t a3[2] = {result(r, s1, 1), result(r, s2, 1)};
        become(r, IR_OP_bor, IR_I8, a3, 2);
        /* the bor produces only the flag: the sum becomes an alias of s2's */
        ir_inst_data *me = &f->insts.v[r->at];
        me->res = f->pool.n;
        me->nres = 1;
        ir_vec_push(&f->pool, flag);
        f->values.v[flag].num = 0;
        f->values.v[sum].kind = IR_VAL_ALIAS;
        f->values.v[sum].def = result(r, s2, 0);
        return true;
    }
    case IR_OP_stack_load:
    case IR_OP_stack_store:
    case IR_OP_dynamic_stack_load:
    case IR_OP_dynamic_stack_store: {
        bool dyn = op == IR_OP_dynamic_stack_load || op == IR_OP_dynamic_stack_store;
        uint32_t ai = emit(r, dyn ? IR_OP_dynamic_stack_addr : IR_OP_stack_addr, IR_I64, NULL, 0);
        f->insts.v[ai].ent = in.ent;
        f->insts.v[ai].imm = dyn ? 0 : in.imm;
        uint32_t addr = result(r, ai, 0);
        bool load = op == IR_OP_stack_load || op == IR_OP_dynamic_stack_load;
        uint32_t args[2] = {x, addr};
        if (load)
            become(r, IR_OP_load, t, &addr, 1);
        else
            become(r, IR_OP_store, f->values.v[x].type, args, 2);
        ir_inst_data *me = &f->insts.v[r->at];
        me->mf = (ir_memflags){.bits = IR_MF_ALIGNED, .trap = IR_TRAP_NONE};
        me->imm = 0;
        me->ent = IR_NONE;
        return true;
    }
    case IR_OP_global_value: {
        /* a symbol is today's symbol_value / tls_value; other kinds stay */
        if (in.ent < f->gvs.n && f->gvs.v[in.ent].kind == IR_GV_SYMBOL)
            f->insts.v[r->at].op = f->gvs.v[in.ent].tls ? IR_OP_tls_value : IR_OP_symbol_value;
        return true;
    }
    case IR_OP_fmin_pseudo:
    case IR_OP_fmax_pseudo: {
        /* fmin_pseudo: (y < x) ? y : x;  fmax_pseudo: (x < y) ? y : x */
        if (t & IR_TYPE_DYNAMIC)
            break;
        uint32_t cmp[2] = {op == IR_OP_fmin_pseudo ? y : x, op == IR_OP_fmin_pseudo ? x : y};
        uint32_t ci = emit(r, IR_OP_fcmp, t, cmp, 2);
        f->insts.v[ci].cond = IR_FLOATCC_lt;
        uint32_t args[3] = {result(r, ci, 0), y, x};
        if (ir_type_is_vector(t))
            args[0] = as_type(r, args[0], t);
        become(r, ir_type_is_vector(t) ? IR_OP_bitselect : IR_OP_select, t, args, 3);
        return true;
    }
    case IR_OP_vselect: {
        /* lane masks are all ones or zeros: a bitwise select does the same */
        if (t & IR_TYPE_DYNAMIC)
            break;
        uint32_t args[3] = {as_type(r, x, t), y, z};
        become(r, IR_OP_bitselect, t, args, 3);
        return true;
    }
    case IR_OP_x86_blendv: {
        uint32_t args[3] = {x, y, z};
        become(r, IR_OP_blendv, t, args, 3);
        return true;
    }
    case IR_OP_widening_pairwise_dot_product_s: {
        ir_type w = ir_type_make(IR_I32, 2); /* i32x4 from i16x8 halves */
        ir_type n = ir_type_make(IR_I16, 3);
        uint32_t lx = emit1(r, IR_OP_swiden_low, n, &x, 1), ly = emit1(r, IR_OP_swiden_low, n, &y, 1);
        uint32_t hx = emit1(r, IR_OP_swiden_high, n, &x, 1), hy = emit1(r, IR_OP_swiden_high, n, &y, 1);
        uint32_t m1[2] = {lx, ly}, m2[2] = {hx, hy};
        uint32_t args[2] = {emit1(r, IR_OP_imul, w, m1, 2), emit1(r, IR_OP_imul, w, m2, 2)};
        become(r, IR_OP_iadd_pairwise, w, args, 2);
        return true;
    }
    case IR_OP_fcvt_low_from_sint: {
        ir_type src = f->values.v[x].type;
        uint32_t wide = emit1(r, IR_OP_swiden_low, src, &x, 1);
        become(r, IR_OP_fcvt_from_sint, t, &wide, 1);
        return true;
    }
    case IR_OP_null: {
        f->insts.v[r->at].op = IR_OP_iconst;
        f->insts.v[r->at].imm = 0;
        return true;
    }
    case IR_OP_is_null:
    case IR_OP_is_invalid: {
        ir_type vt = f->values.v[x].type;
        uint32_t args[2] = {x, iconst(r, vt, op == IR_OP_is_null ? 0 : -1, true)};
        become(r, IR_OP_icmp, vt, args, 2);
        f->insts.v[r->at].cond = IR_INTCC_eq;
        return true;
    }
    case IR_OP_patchable_call:
        f->insts.v[r->at].op = IR_OP_call;
        return true;
    case IR_OP_resumable_trap:
    case IR_OP_resumable_trapnz:
        return true; /* no equivalent today: kept as they are */
    default:
        break;
    }
    ir_diag_set(d, in.line, in.col, "%s%s was removed from Cranelift and is not supported%s",
                ir_opcodes[op].name, t & IR_TYPE_DYNAMIC ? " on dynamic vectors" : "",
                t & IR_TYPE_DYNAMIC ? ": today's bitselect has no dynamic form" : "");
    return false;
}

bool ir_legacy_rewrite(ir_function *f, ir_diag *d)
{
    uint32_t n = f->insts.n; /* new instructions are never legacy */
    for (uint32_t i = 0; i < n; i++) {
        /* the legacy rows are opcodes.def's last (tests/ir_test.c checks):
         * one compare an instruction, most of a file's are today's */
        const ir_inst_data *in = f->insts.v;    /* a rewrite may move them */
        while (i < n && in[i].op < IR_OP_iadd_imm)
            i++;
        if (i == n)
            break;
        if (in[i].block == IR_NONE)
            continue;
        rw r = {f, i};
        if (!rewrite(&r, d))
            return false;
    }
    return true;
}
