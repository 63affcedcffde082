/* i128 as a pair of 64-bit vregs, low half first (Cranelift's ValueRegs):
 * the lowering every target shares.  What is the same everywhere is here —
 * the C helpers division and float conversion call and their traps, the
 * bitwise operations and bit counts half by half, rotates out of shifts,
 * abs, min and max out of a compare and selects, which comparisons swap
 * their operands — built on the target's primitives (cg_isa.i128), which
 * keep what its instructions decide: the carry chains, the multiply, the
 * shifts, the compares and the atomics. */
#include "cg.h"

#define F (&c->f)

static uint32_t res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}

static uint32_t new_int(cg_ctx *c) { return cg_new_vreg(F, CG_CLS_INT); }

uint32_t cg_new_pair(cg_ctx *c)
{
    uint32_t r = new_int(c);
    new_int(c);
    return r;
}

/* The libcalls, by their C names (cg_define_libcalls binds them). */
static const char *const div_fns[IR_OP_COUNT] = {
    [IR_OP_udiv] = "__udivti3", [IR_OP_sdiv] = "__divti3", [IR_OP_urem] = "__umodti3", [IR_OP_srem] = "__modti3",
};
static const char *const from_int_fns[2][2] = {        /* [signed][f64] */
    {"__floatuntisf", "__floatuntidf"}, {"__floattisf", "__floattidf"},
};
static const char *const to_int_fns[2][2] = {          /* [signed][f64]: saturating */
    {"__cranelift_fixunssfti_sat", "__cranelift_fixunsdfti_sat"},
    {"__cranelift_fixsfti_sat", "__cranelift_fixdfti_sat"},
};
/* [signed][f64]: the smallest value too big (2^127, 2^128) and the largest
 * too small (-2^127 is not: below it; -1 is) for a trapping conversion. */
static const uint64_t to_int_limits[2][2][2] = {
    {{0x7f800000u, 0xbf800000u}, {0x47f0000000000000ull, 0xbff0000000000000ull}},
    {{0x7f000000u, 0xff000000u}, {0x47e0000000000000ull, 0xc7e0000000000000ull}},
};

/* Flags of floats x cond y of type t: the condition to test. */
static unsigned fcmp(cg_ctx *c, ir_type t, ir_floatcc cond, uint32_t x, uint32_t y)
{
    cg_inst *i = cg_emit_inst(F, c->isa->i128->op_fcmp, 2);
    i->size = (uint8_t)ir_type_bytes(t);
    cg_op_use(F, x);
    cg_op_use(F, y);
    return c->isa->i128->fcmp_cc[cond];
}

/* Division by the C library's rules once the traps are checked here. */
static void lower_div128(cg_ctx *c, uint32_t inst)
{
    const cg_isa *isa = c->isa;
    const cg_isa_i128 *i128 = isa->i128;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t args[2] = {isa->put_in_reg(c, a[0]), isa->put_in_reg(c, a[1])};
    i128->trapif(c, i128->test(c, args[1]) ^ 1, IR_TRAP_int_divz);
    if (in->op == IR_OP_sdiv)       /* INT128_MIN / -1 */
        i128->trapif(c, i128->sdiv_ovf(c, args[0], args[1]), IR_TRAP_int_ovf);
    ir_type ts[2] = {IR_I128, IR_I128};
    cg_libcall(c, div_fns[in->op], ts, args, 2, IR_I128, res(c, inst, 0));
}

/* i128 <-> float through C helpers; the trapping conversions check NaN
 * and the range here, then share the saturating helper. */
static bool lower_fcvt128(cg_ctx *c, uint32_t inst, ir_type t)
{
    const cg_isa *isa = c->isa;
    const cg_isa_i128 *i128 = isa->i128;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t v = ir_inst_args(c->fn, inst)[0];
    ir_type from = cg_vtype(c, v);
    uint32_t x = isa->put_in_reg(c, v), d = res(c, inst, 0);
    if (in->op == IR_OP_fcvt_from_sint || in->op == IR_OP_fcvt_from_uint) {
        if (from != IR_I128 || (t != IR_F32 && t != IR_F64))
            return cg_unsupported(c, inst, NULL);
        cg_libcall(c, from_int_fns[in->op == IR_OP_fcvt_from_sint][t == IR_F64], &from, &x, 1, t, d);
        return true;
    }
    if (from != IR_F32 && from != IR_F64)
        return cg_unsupported(c, inst, NULL);
    bool f64 = from == IR_F64, sign = in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_sint_sat;
    if (in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_uint) {
        const uint64_t *k = to_int_limits[sign][f64];
        i128->trapif(c, fcmp(c, from, IR_FLOATCC_uno, x, x), IR_TRAP_bad_toint);
        i128->trapif(c, fcmp(c, from, IR_FLOATCC_ge, x, i128->fconst(c, from, k[0])), IR_TRAP_int_ovf);
        i128->trapif(c, fcmp(c, from, sign ? IR_FLOATCC_lt : IR_FLOATCC_le, x, i128->fconst(c, from, k[1])),
                    IR_TRAP_int_ovf);
    }
    cg_libcall(c, to_int_fns[sign][f64], &from, &x, 1, IR_I128, d);
    return true;
}

unsigned cg_icmp_i128(cg_ctx *c, uint32_t inst)
{
    /* only "less than" and its negation come right out of a subtraction
     * with borrow: the others swap their operands */
    static const uint8_t swapped[IR_INTCC_COUNT] = {
        [IR_INTCC_sgt] = IR_INTCC_slt, [IR_INTCC_sle] = IR_INTCC_sge,
        [IR_INTCC_ugt] = IR_INTCC_ult, [IR_INTCC_ule] = IR_INTCC_uge,
    };
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = c->isa->put_in_reg(c, a[0]), y = c->isa->put_in_reg(c, a[1]);
    if (swapped[in->cond])
        return c->isa->i128->icmp(c, swapped[in->cond], y, x);
    return c->isa->i128->icmp(c, in->cond, x, y);
}

/* d = the count over 128 bits of op (clz, ctz): the count of the half
 * that decides, or 64 + the other half's when that one is zero. */
static void count128(cg_ctx *c, unsigned op, uint32_t x, uint32_t d)
{
    const cg_isa *isa = c->isa;
    const cg_isa_i128 *i128 = isa->i128;
    uint32_t first = op == IR_OP_clz ? x + 1 : x, second = op == IR_OP_clz ? x : x + 1;
    uint32_t c1 = new_int(c), c2 = new_int(c), s = new_int(c);
    i128->bitcount(c, op, 64, first, c1);
    i128->bitcount(c, op, 64, second, c2);
    isa->add_imm(c, s, c2, 64);
    i128->select64(c, i128->cmp_zero(c, IR_INTCC_eq, first), d, s, c1);
}

static void select128(cg_ctx *c, unsigned cc, uint32_t dst, uint32_t if_cc, uint32_t if_not)
{
    for (unsigned k = 0; k < 2; k++)
        c->isa->i128->select64(c, cc, dst + k, if_cc + k, if_not + k);
}

bool cg_lower_i128(cg_ctx *c, uint32_t inst)
{
    int done = cg_lower_i128_moves(c, inst);
    if (done != CG_BY_FAMILY)
        return done == CG_DONE;
    const cg_isa *isa = c->isa;
    const cg_isa_i128 *i128 = isa->i128;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    ir_type t = in->nres ? c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type : IR_TYPE_NONE;
    unsigned op = in->op;
    bool add, sign;
    if (op == IR_OP_iadd || op == IR_OP_isub || cg_overflow_op(op, &add, &sign)) {
        uint32_t x = isa->put_in_reg(c, a[0]), y = isa->put_in_reg(c, a[1]), d = res(c, inst, 0);
        uint32_t cin = in->nargs == 3 ? isa->put_in_reg(c, a[2]) : CG_NONE;
        unsigned cc = i128->addsub(c, op, x, y, cin, d);
        if (in->nres == 2)
            i128->setcc(c, cc, res(c, inst, 1));
        return true;
    }
    switch (op) {
    case IR_OP_icmp:
        i128->setcc(c, cg_icmp_i128(c, inst), res(c, inst, 0));
        return true;
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax: {
        uint32_t x = isa->put_in_reg(c, a[0]), y = isa->put_in_reg(c, a[1]), d = res(c, inst, 0);
        bool min = op == IR_OP_smin || op == IR_OP_umin;
        unsigned lt = i128->icmp(c, op == IR_OP_smin || op == IR_OP_smax ? IR_INTCC_slt : IR_INTCC_ult, x, y);
        select128(c, lt, d, min ? x : y, min ? y : x);
        return true;
    }
    case IR_OP_ineg: case IR_OP_iabs: {     /* abs: the negation where x is negative */
        uint32_t x = isa->put_in_reg(c, a[0]), n = op == IR_OP_iabs ? cg_new_pair(c) : 0, d = res(c, inst, 0);
        i128->neg(c, x, op == IR_OP_iabs ? n : d);
        if (op == IR_OP_iabs)
            select128(c, i128->cmp_zero(c, IR_INTCC_slt, x + 1), d, n, x);
        return true;
    }
    case IR_OP_band: case IR_OP_bor: case IR_OP_bxor: case IR_OP_bnot: {
        uint32_t x = isa->put_in_reg(c, a[0]), y = op == IR_OP_bnot ? 0 : isa->put_in_reg(c, a[1]);
        uint32_t d = res(c, inst, 0);
        for (unsigned k = 0; k < 2; k++)
            i128->int_op(c, op, 8, d + k, x + k, y + k);
        return true;
    }
    case IR_OP_bitselect: {     /* (x & m) | (y & ~m), half by half */
        uint32_t m = isa->put_in_reg(c, a[0]), x = isa->put_in_reg(c, a[1]), y = isa->put_in_reg(c, a[2]);
        uint32_t d = res(c, inst, 0);
        for (unsigned k = 0; k < 2; k++) {
            uint32_t t1 = new_int(c), t2 = new_int(c);
            i128->int_op(c, IR_OP_band, 8, t1, x + k, m + k);
            i128->int_op(c, IR_OP_band_not, 8, t2, y + k, m + k);
            i128->int_op(c, IR_OP_bor, 8, d + k, t1, t2);
        }
        return true;
    }
    case IR_OP_rotl: case IR_OP_rotr: {
        if (t != IR_I128)
            break;
        /* (x << n) | (x >> -n), both counted mod 128 */
        uint32_t x = isa->put_in_reg(c, a[0]), n = isa->put_in_reg(c, a[1]), d = res(c, inst, 0);
        uint32_t m = new_int(c), p = cg_new_pair(c), q = cg_new_pair(c);
        i128->int_op(c, IR_OP_ineg, 4, m, n, 0);
        bool left = op == IR_OP_rotl;
        i128->shift(c, IR_OP_ishl, x, left ? n : m, p);
        i128->shift(c, IR_OP_ushr, x, left ? m : n, q);
        for (unsigned k = 0; k < 2; k++)
            i128->int_op(c, IR_OP_bor, 8, d + k, p + k, q + k);
        return true;
    }
    case IR_OP_sextend: {     /* the high half: copies of the sign */
        ir_type from = cg_vtype(c, a[0]);
        if (!ir_type_is_int(from) || ir_type_is_vector(from) || from == IR_I128)
            return cg_unsupported(c, inst, NULL);
        uint32_t x = isa->put_in_reg(c, a[0]), d = res(c, inst, 0);
        if (from == IR_I64)
            isa->mov64(c, d, x);
        else
            isa->extend_into(c, d, x, ir_type_bits(from), 8, true);
        i128->int_op(c, IR_OP_sshr_imm, 8, d + 1, d, 63);
        return true;
    }
    case IR_OP_clz: case IR_OP_ctz: case IR_OP_cls: case IR_OP_popcnt: {
        uint32_t x = isa->put_in_reg(c, a[0]), d = res(c, inst, 0);
        if (op == IR_OP_popcnt) {
            uint32_t c1 = new_int(c), c2 = new_int(c);
            i128->bitcount(c, op, 64, x, c1);
            i128->bitcount(c, op, 64, x + 1, c2);
            i128->int_op(c, IR_OP_iadd, 8, d, c1, c2);
        } else if (op == IR_OP_cls) {   /* clz of x ^ (sign copies), less one */
            uint32_t sgn = new_int(c), z = cg_new_pair(c), n = new_int(c);
            i128->int_op(c, IR_OP_sshr_imm, 8, sgn, x + 1, 63);
            for (unsigned k = 0; k < 2; k++)
                i128->int_op(c, IR_OP_bxor, 8, z + k, x + k, sgn);
            count128(c, IR_OP_clz, z, n);
            isa->add_imm(c, d, n, -1);
        } else {
            count128(c, op, x, d);
        }
        i128->int_op(c, IR_OP_iconst, 8, d + 1, 0, 0);
        return true;
    }
    case IR_OP_bswap: case IR_OP_bitrev: {  /* each half, then swap them */
        uint32_t x = isa->put_in_reg(c, a[0]), d = res(c, inst, 0);
        i128->int_op(c, op, 8, d, x + 1, 0);
        i128->int_op(c, op, 8, d + 1, x, 0);
        return true;
    }
    case IR_OP_imul: {
        uint32_t x = isa->put_in_reg(c, a[0]), y = isa->put_in_reg(c, a[1]);
        i128->mul(c, x, y, res(c, inst, 0));
        return true;
    }
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr: {
        uint32_t kd = cg_def_of(c, a[1]);
        if (i128->shift_imm && kd != IR_NONE && c->fn->insts.v[kd].op == IR_OP_iconst) {
            i128->shift_imm(c, op, isa->put_in_reg(c, a[0]), (unsigned)(c->fn->insts.v[kd].imm & 127),
                            res(c, inst, 0));
            return true;
        }
        uint32_t x = isa->put_in_reg(c, a[0]), n = isa->put_in_reg(c, a[1]);
        i128->shift(c, op, x, n, res(c, inst, 0));
        return true;
    }
    case IR_OP_bmask: {     /* the target's 64-bit mask; the high half a copy */
        uint32_t x = isa->put_in_reg(c, a[0]), d = res(c, inst, 0);
        i128->bmask(c, cg_vtype(c, a[0]), x, d);
        if (t == IR_I128)
            isa->mov64(c, d + 1, d);
        return true;
    }
    case IR_OP_atomic_load: case IR_OP_atomic_store: case IR_OP_atomic_rmw: case IR_OP_atomic_cas:
        return i128->atomic(c, inst);
    case IR_OP_udiv: case IR_OP_sdiv: case IR_OP_urem: case IR_OP_srem:
        lower_div128(c, inst);
        return true;
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint: case IR_OP_fcvt_to_sint: case IR_OP_fcvt_to_uint:
    case IR_OP_fcvt_to_sint_sat: case IR_OP_fcvt_to_uint_sat:
        return lower_fcvt128(c, inst, t);
    default:
        break;
    }
    return cg_unsupported(c, inst, NULL);
}

bool cg_overflow_op(unsigned op, bool *add, bool *sign)
{
    static const uint8_t kind[IR_OP_COUNT] = {     /* 1 + add + 2 * signed */
        [IR_OP_usub_overflow] = 1, [IR_OP_usub_overflow_bin] = 1, [IR_OP_uadd_overflow] = 2,
        [IR_OP_uadd_overflow_cin] = 2, [IR_OP_ssub_overflow] = 3, [IR_OP_ssub_overflow_bin] = 3,
        [IR_OP_sadd_overflow] = 4, [IR_OP_sadd_overflow_cin] = 4,
    };
    if (!kind[op])
        return false;
    *add = (kind[op] - 1) & 1, *sign = (kind[op] - 1) >> 1;
    return true;
}
