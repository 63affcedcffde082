/* AArch64 lowering of i128: a pair of vregs, low half first (Cranelift's
 * ValueRegs).  Carries go through the flags (adds/adc, subs/sbc), shifts
 * combine both halves and pick with csel on bit 6 of the amount, division
 * and float conversions call C helpers after the traps are checked. */
#include "a64.h"

#define F (&c->f)
#define res(c, i, k) a64_res(c, i, k)

static void mov(cg_ctx *c, uint32_t dst, uint32_t src)
{
    a64_mov(c, 8, dst, src);
}

static uint32_t pair(cg_ctx *c)
{
    uint32_t r = a64_new_int(c);
    a64_new_int(c);
    return r;
}

static uint32_t tmp(cg_ctx *c) { return a64_new_int(c); }

/* Flags of a - b over 128 bits (C: unsigned a >= b, N^V: signed a < b). */
static void sub_flags(cg_ctx *c, uint32_t a, uint32_t b)
{
    a64_cmp(c, 8, a, b);
    a64_alu(c, A64_SBCS, 8, A64_ZR, a + 1, b + 1);
}

unsigned a64_test_i128(cg_ctx *c, uint32_t r)
{
    uint32_t t = tmp(c);
    a64_alu(c, A64_ORR, 8, t, r, r + 1);
    a64_cmp_imm(c, 8, t, 0);
    return A64_NE;
}

unsigned a64_icmp_i128(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
    if (in->cond == IR_INTCC_eq || in->cond == IR_INTCC_ne) {
        a64_cmp(c, 8, x, y);
        cg_inst *i = cg_emit_inst(F, A64_CCMP, 2);     /* high halves, if the low ones agree */
        i->cc = A64_EQ, i->size = 8, i->aux = 0;
        cg_op_use(F, x + 1);
        cg_op_use(F, y + 1);
        return in->cond == IR_INTCC_eq ? A64_EQ : A64_NE;
    }
    /* only "less than" and its negation come right out of subs/sbcs */
    unsigned cc = a64_intcc[in->cond];
    bool swap = cc == A64_GT || cc == A64_LE || cc == A64_HI || cc == A64_LS;
    if (swap)
        sub_flags(c, y, x), cc = cg_cc_swap(a64_intcc, cc);
    else
        sub_flags(c, x, y);
    return cc;
}

static void select128(cg_ctx *c, unsigned cc, uint32_t dst, uint32_t if_cc, uint32_t if_not)
{
    a64_csel(c, cc, A64_CSEL_, 8, dst, if_cc, if_not);
    a64_csel(c, cc, A64_CSEL_, 8, dst + 1, if_cc + 1, if_not + 1);
}

/* 128-bit shift of pair x by the amount in vreg n (bits 0-6 count). */
static void shift128(cg_ctx *c, unsigned op, uint32_t x, uint32_t n, uint32_t dst)
{
    uint32_t inv = tmp(c), a1 = tmp(c), a2 = tmp(c), b1 = tmp(c), b2 = tmp(c), m = tmp(c);
    a64_alu(c, A64_ORN, 4, inv, A64_ZR, n);        /* 63 - n, mod 64 */
    if (op == IR_OP_ishl) {
        a64_alu(c, A64_LSLV, 8, a1, x, n);          /* lo << n */
        a64_alu(c, A64_LSLV, 8, a2, x + 1, n);      /* hi << n */
        a64_shift_imm(c, A64_LSR, 8, b1, x, 1);
        a64_alu(c, A64_LSRV, 8, b2, b1, inv);       /* lo >> (64 - n), 0 for n = 0 */
        a64_alu(c, A64_ORR, 8, m, a2, b2);
        cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
        i->cc = A64_ANDS, i->size = 4, i->imm = 64;
        cg_op_use(F, n);
        a64_csel(c, A64_NE, A64_CSEL_, 8, dst + 1, a1, m);
        a64_csel(c, A64_NE, A64_CSEL_, 8, dst, A64_ZR, a1);
        return;
    }
    bool sign = op == IR_OP_sshr;
    a64_alu(c, A64_LSRV, 8, a1, x, n);                              /* lo >> n */
    a64_alu(c, sign ? A64_ASRV : A64_LSRV, 8, a2, x + 1, n);        /* hi >> n */
    a64_shift_imm(c, A64_LSL, 8, b1, x + 1, 1);
    a64_alu(c, A64_LSLV, 8, b2, b1, inv);                           /* hi << (64 - n) */
    a64_alu(c, A64_ORR, 8, m, a1, b2);
    uint32_t fill = A64_ZR;
    if (sign) {
        fill = tmp(c);
        a64_shift_imm(c, A64_ASR, 8, fill, x + 1, 63);
    }
    cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
    i->cc = A64_ANDS, i->size = 4, i->imm = 64;
    cg_op_use(F, n);
    a64_csel(c, A64_NE, A64_CSEL_, 8, dst, a2, m);
    a64_csel(c, A64_NE, A64_CSEL_, 8, dst + 1, fill, a2);
}

static void neg128(cg_ctx *c, uint32_t x, uint32_t dst)
{
    a64_alu(c, A64_SUBS, 8, dst, A64_ZR, x);
    a64_alu(c, A64_SBC, 8, dst + 1, A64_ZR, x + 1);
}

/* Division by the C library's rules once the traps are checked here. */
static void lower_div128(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]);
    unsigned cc = a64_test_i128(c, y);
    a64_trapif(c, cc ^ 1, IR_TRAP_int_divz);
    if (in->op == IR_OP_sdiv) {     /* INT128_MIN / -1: y == -1 and x == 1 << 127 */
        uint32_t m = tmp(c), h = tmp(c), k = a64_movi(c, 8, INT64_MIN);
        a64_alu(c, A64_AND, 8, m, y, y + 1);
        a64_cmp_imm(c, 8, m, -1);
        a64_alu(c, A64_EOR, 8, h, x + 1, k);
        cg_inst *i = cg_emit_inst(F, A64_CCMP, 2);     /* if y == -1: x.lo == 0 and x.hi == k? */
        i->cc = A64_EQ, i->size = 8, i->aux = 0;
        cg_op_use(F, x);
        cg_op_use(F, A64_ZR);
        i = cg_emit_inst(F, A64_CCMP, 2);
        i->cc = A64_EQ, i->size = 8, i->aux = 0;
        cg_op_use(F, h);
        cg_op_use(F, A64_ZR);
        a64_trapif(c, A64_EQ, IR_TRAP_int_ovf);
    }
    static const char *const fns[] = {[IR_OP_udiv] = "__udivti3", [IR_OP_sdiv] = "__divti3",
                                      [IR_OP_urem] = "__umodti3", [IR_OP_srem] = "__modti3"};
    ir_type ts[2] = {IR_I128, IR_I128};
    uint32_t args[2] = {x, y};
    cg_libcall(c, fns[in->op], ts, args, 2, IR_I128, res(c, inst, 0));
}

/* i128 <-> float through C helpers; the trapping conversions check NaN
 * and the range here, then share the saturating helper. */
static bool lower_fcvt128(cg_ctx *c, uint32_t inst, ir_type t)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t v = ir_inst_args(c->fn, inst)[0];
    ir_type from = cg_vtype(c, v);
    uint32_t x = a64_put_in_reg(c, v), d = res(c, inst, 0);
    bool f64;
    if (in->op == IR_OP_fcvt_from_sint || in->op == IR_OP_fcvt_from_uint) {
        if (from != IR_I128 || (t != IR_F32 && t != IR_F64))
            return cg_unsupported(c, inst, NULL);
        f64 = t == IR_F64;
        static const char *const fns[2][2] = {{"__floatuntisf", "__floatuntidf"}, {"__floattisf", "__floattidf"}};
        cg_libcall(c, fns[in->op == IR_OP_fcvt_from_sint][f64], &from, &x, 1, t, d);
        return true;
    }
    if (from != IR_F32 && from != IR_F64)
        return cg_unsupported(c, inst, NULL);
    f64 = from == IR_F64;
    unsigned size = f64 ? 8 : 4;
    bool sign = in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_sint_sat;
    if (in->op == IR_OP_fcvt_to_sint || in->op == IR_OP_fcvt_to_uint) {
        cg_inst *i = cg_emit_inst(F, A64_FCMP, 2);
        i->size = (uint8_t)size;
        cg_op_use(F, x);
        cg_op_use(F, x);
        a64_trapif(c, A64_VS, IR_TRAP_bad_toint);
        /* too big: >= 2^127 (signed) or 2^128 (unsigned); too small: < -2^127 or <= -1 */
        uint64_t hi = sign ? (f64 ? 0x47e0000000000000ull : 0x7f000000u) : (f64 ? 0x47f0000000000000ull : 0x7f800000u);
        uint64_t lo = sign ? (f64 ? 0xc7e0000000000000ull : 0xff000000u) : (f64 ? 0xbff0000000000000ull : 0xbf800000u);
        uint32_t kh = a64_fconst(c, size, hi);
        i = cg_emit_inst(F, A64_FCMP, 2);
        i->size = (uint8_t)size;
        cg_op_use(F, x);
        cg_op_use(F, kh);
        a64_trapif(c, A64_GE, IR_TRAP_int_ovf);
        uint32_t kl = a64_fconst(c, size, lo);
        i = cg_emit_inst(F, A64_FCMP, 2);
        i->size = (uint8_t)size;
        cg_op_use(F, x);
        cg_op_use(F, kl);
        a64_trapif(c, sign ? A64_MI : A64_LS, IR_TRAP_int_ovf);
    }
    static const char *const fns[2][2] = {{"__cranelift_fixunssfti_sat", "__cranelift_fixunsdfti_sat"},
                                          {"__cranelift_fixsfti_sat", "__cranelift_fixdfti_sat"}};
    cg_libcall(c, fns[sign][f64], &from, &x, 1, IR_I128, d);
    return true;
}

/* clz of a pair into d: the high half's, or 64 + the low half's */
static void clz128(cg_ctx *c, uint32_t x, uint32_t d)
{
    uint32_t c1 = tmp(c), c2 = tmp(c), s = tmp(c);
    a64_unary(c, A64_CLZ, 8, c1, x + 1);
    a64_unary(c, A64_CLZ, 8, c2, x);
    a64_alu_imm(c, A64_ADD, 8, s, c2, 64);
    a64_cmp_imm(c, 8, x + 1, 0);
    a64_csel(c, A64_EQ, A64_CSEL_, 8, d, s, c1);
}

static bool lower_atomic128(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    bool store = in->op == IR_OP_atomic_store, cas = in->op == IR_OP_atomic_cas;
    uint32_t p = a64_put_in_reg(c, a[store ? 1 : 0]);
    uint32_t x = in->op == IR_OP_atomic_load ? CG_NONE : a64_put_in_reg(c, a[store ? 0 : 1]);
    uint32_t n = cas ? a64_put_in_reg(c, a[2]) : CG_NONE;
    uint32_t d = store ? pair(c) : res(c, inst, 0);
    unsigned k = in->op == IR_OP_atomic_rmw ? in->cond : cas ? IR_RMW_COUNT
               : in->op == IR_OP_atomic_load ? IR_RMW_COUNT + 1 : IR_RMW_COUNT + 2;
    cg_inst *i = cg_emit_inst(F, A64_RMW128, 10);
    i->cc = (uint8_t)k, i->imm = in->mf.trap;
    cg_op_use(F, p);
    cg_op_use(F, x == CG_NONE ? A64_ZR : x);
    cg_op_use(F, x == CG_NONE ? A64_ZR : x + 1);
    cg_op_use(F, n == CG_NONE ? A64_ZR : n);
    cg_op_use(F, n == CG_NONE ? A64_ZR : n + 1);
    cg_op_temp(F, d);      /* written before the loop reads the operands again */
    cg_op_temp(F, d + 1);
    cg_op_temp(F, tmp(c));
    cg_op_temp(F, tmp(c));
    cg_op_temp(F, tmp(c));
    return true;
}

bool a64_lower_i128(cg_ctx *c, uint32_t inst)
{
    int done = cg_lower_i128_moves(c, inst);
    if (done != CG_BY_FAMILY)
        return done == CG_DONE;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    ir_type t = in->nres ? c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type : IR_TYPE_NONE;
    switch (in->op) {
    case IR_OP_iadd: case IR_OP_isub: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        bool add = in->op == IR_OP_iadd;
        a64_alu(c, add ? A64_ADDS : A64_SUBS, 8, d, x, y);
        a64_alu(c, add ? A64_ADC : A64_SBC, 8, d + 1, x + 1, y + 1);
        return true;
    }
    case IR_OP_uadd_overflow: case IR_OP_sadd_overflow: case IR_OP_usub_overflow:
    case IR_OP_ssub_overflow: case IR_OP_uadd_overflow_cin: case IR_OP_sadd_overflow_cin:
    case IR_OP_usub_overflow_bin: case IR_OP_ssub_overflow_bin: {
        bool add = in->op == IR_OP_uadd_overflow || in->op == IR_OP_sadd_overflow ||
                   in->op == IR_OP_uadd_overflow_cin || in->op == IR_OP_sadd_overflow_cin;
        bool sign = in->op == IR_OP_sadd_overflow || in->op == IR_OP_ssub_overflow ||
                    in->op == IR_OP_sadd_overflow_cin || in->op == IR_OP_ssub_overflow_bin;
        bool carry = in->nargs == 3;
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        if (carry) {    /* C = carry-in != 0 (add), borrow-in == 0 (sub) */
            uint32_t cin = a64_extend(c, a64_put_in_reg(c, a[2]), 8, 4, false);
            if (add)
                a64_cmp_imm(c, 4, cin, 1);
            else
                a64_cmp(c, 4, A64_ZR, cin);
        }
        a64_alu(c, add ? (carry ? A64_ADCS : A64_ADDS) : (carry ? A64_SBCS : A64_SUBS), 8, d, x, y);
        a64_alu(c, add ? A64_ADCS : A64_SBCS, 8, d + 1, x + 1, y + 1);
        a64_cset(c, sign ? A64_VS : add ? A64_HS : A64_LO, res(c, inst, 1));
        return true;
    }
    case IR_OP_band: case IR_OP_bor: case IR_OP_bxor: {
        unsigned op = in->op == IR_OP_band ? A64_AND : in->op == IR_OP_bor ? A64_ORR : A64_EOR;
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        a64_alu(c, op, 8, d, x, y);
        a64_alu(c, op, 8, d + 1, x + 1, y + 1);
        return true;
    }
    case IR_OP_bnot: {
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        a64_alu(c, A64_ORN, 8, d, A64_ZR, x);
        a64_alu(c, A64_ORN, 8, d + 1, A64_ZR, x + 1);
        return true;
    }
    case IR_OP_ineg:
        neg128(c, a64_put_in_reg(c, a[0]), res(c, inst, 0));
        return true;
    case IR_OP_iabs: {
        uint32_t x = a64_put_in_reg(c, a[0]), n = pair(c), d = res(c, inst, 0);
        neg128(c, x, n);
        a64_cmp_imm(c, 8, x + 1, 0);
        select128(c, A64_LT, d, n, x);
        return true;
    }
    case IR_OP_imul: {  /* lo*lo widened, plus the two cross products in the high half */
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        uint32_t hi = tmp(c), s = tmp(c);
        a64_alu(c, A64_UMULH, 8, hi, x, y);
        a64_madd(c, 0, 8, s, x, y + 1, hi);
        a64_madd(c, 0, 8, d + 1, x + 1, y, s);
        a64_alu(c, A64_MUL, 8, d, x, y);
        return true;
    }
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr: case IR_OP_rotl: case IR_OP_rotr: {
        uint32_t x = a64_put_in_reg(c, a[0]), n = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        if (in->op == IR_OP_ishl || in->op == IR_OP_ushr || in->op == IR_OP_sshr) {
            shift128(c, in->op, x, n, d);
            return true;
        }
        /* rotates: (x << n) | (x >> -n), both counted mod 128 */
        uint32_t m = tmp(c), p = pair(c), q = pair(c);
        a64_alu(c, A64_SUB, 4, m, A64_ZR, n);
        bool left = in->op == IR_OP_rotl;
        shift128(c, IR_OP_ishl, x, left ? n : m, p);
        shift128(c, IR_OP_ushr, x, left ? m : n, q);
        a64_alu(c, A64_ORR, 8, d, p, q);
        a64_alu(c, A64_ORR, 8, d + 1, p + 1, q + 1);
        return true;
    }
    case IR_OP_icmp:
        a64_cset(c, a64_icmp_i128(c, inst), res(c, inst, 0));
        return true;
    case IR_OP_sextend: {     /* the high half: copies of the sign */
        ir_type from = cg_vtype(c, a[0]);
        if (!ir_type_is_int(from) || ir_type_is_vector(from) || from == IR_I128)
            return cg_unsupported(c, inst, NULL);
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        a64_extend_into(c, d, x, ir_type_bits(from), 8, true);
        a64_shift_imm(c, A64_ASR, 8, d + 1, d, 63);
        return true;
    }
    case IR_OP_clz: {
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        clz128(c, x, d);
        mov(c, d + 1, A64_ZR);
        return true;
    }
    case IR_OP_ctz: {   /* the low half's, or 64 + the high half's */
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        uint32_t r1 = tmp(c), r2 = tmp(c), c1 = tmp(c), c2 = tmp(c), s = tmp(c);
        a64_unary(c, A64_RBIT, 8, r1, x);
        a64_unary(c, A64_CLZ, 8, c1, r1);
        a64_unary(c, A64_RBIT, 8, r2, x + 1);
        a64_unary(c, A64_CLZ, 8, c2, r2);
        a64_alu_imm(c, A64_ADD, 8, s, c2, 64);
        a64_cmp_imm(c, 8, x, 0);
        a64_csel(c, A64_EQ, A64_CSEL_, 8, d, s, c1);
        mov(c, d + 1, A64_ZR);
        return true;
    }
    case IR_OP_cls: {   /* clz of x ^ (sign copies) over 128 bits, less one */
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        uint32_t sgn = tmp(c), z = pair(c), n = tmp(c);
        a64_shift_imm(c, A64_ASR, 8, sgn, x + 1, 63);
        a64_alu(c, A64_EOR, 8, z, x, sgn);
        a64_alu(c, A64_EOR, 8, z + 1, x + 1, sgn);
        clz128(c, z, n);
        a64_alu_imm(c, A64_SUB, 8, d, n, 1);
        mov(c, d + 1, A64_ZR);
        return true;
    }
    case IR_OP_popcnt: {
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0), c1 = tmp(c), c2 = tmp(c);
        for (unsigned k = 0; k < 2; k++) {
            cg_inst *i = cg_emit_inst(F, A64_POPCNT, 3);
            i->size = 8;
            cg_op_def(F, k ? c2 : c1);
            cg_op_use(F, x + k);
            cg_op_temp(F, a64_new_flt(c));
        }
        a64_alu(c, A64_ADD, 8, d, c1, c2);
        mov(c, d + 1, A64_ZR);
        return true;
    }
    case IR_OP_bswap: case IR_OP_bitrev: {  /* each half, then swap them */
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        unsigned op = in->op == IR_OP_bswap ? A64_REV64 : A64_RBIT;
        a64_unary(c, op, 8, d, x + 1);
        a64_unary(c, op, 8, d + 1, x);
        return true;
    }
    case IR_OP_bitselect: {
        uint32_t m = a64_put_in_reg(c, a[0]), x = a64_put_in_reg(c, a[1]), y = a64_put_in_reg(c, a[2]);
        uint32_t d = res(c, inst, 0);
        for (unsigned k = 0; k < 2; k++) {
            uint32_t t1 = tmp(c), t2 = tmp(c);
            a64_alu(c, A64_AND, 8, t1, x + k, m + k);
            a64_alu(c, A64_BIC, 8, t2, y + k, m + k);
            a64_alu(c, A64_ORR, 8, d + k, t1, t2);
        }
        return true;
    }
    case IR_OP_bmask: {
        ir_type ft = cg_vtype(c, a[0]);
        uint32_t x = a64_put_in_reg(c, a[0]), d = res(c, inst, 0);
        if (ft == IR_I128) {
            a64_test_i128(c, x);
        } else if (ir_type_bits(ft) >= 32) {
            a64_cmp_imm(c, ir_type_bytes(ft), x, 0);
        } else {
            cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
            i->cc = A64_ANDS, i->size = 4, i->imm = (1ll << ir_type_bits(ft)) - 1;
            cg_op_use(F, x);
        }
        cg_inst *i = cg_emit_inst(F, A64_CSET, 1);
        i->cc = A64_NE, i->size = 8, i->aux = 1;
        cg_op_def(F, d);
        if (t == IR_I128)
            mov(c, d + 1, d);
        return true;
    }
    case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax: {
        uint32_t x = a64_put_in_reg(c, a[0]), y = a64_put_in_reg(c, a[1]), d = res(c, inst, 0);
        bool sign = in->op == IR_OP_smin || in->op == IR_OP_smax;
        bool min = in->op == IR_OP_smin || in->op == IR_OP_umin;
        sub_flags(c, x, y);     /* x < y? */
        unsigned lt = sign ? A64_LT : A64_LO;
        if (min)
            select128(c, lt, d, x, y);
        else
            select128(c, lt, d, y, x);
        return true;
    }
    case IR_OP_udiv: case IR_OP_sdiv: case IR_OP_urem: case IR_OP_srem:
        lower_div128(c, inst);
        return true;
    case IR_OP_atomic_load: case IR_OP_atomic_store: case IR_OP_atomic_rmw: case IR_OP_atomic_cas:
        return lower_atomic128(c, inst);
    case IR_OP_fcvt_from_sint: case IR_OP_fcvt_from_uint: case IR_OP_fcvt_to_sint: case IR_OP_fcvt_to_uint:
    case IR_OP_fcvt_to_sint_sat: case IR_OP_fcvt_to_uint_sat:
        return lower_fcvt128(c, inst, t);
    default:
        return cg_unsupported(c, inst, NULL);
    }
}
