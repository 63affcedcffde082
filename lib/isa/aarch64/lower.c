/* AArch64 instruction selection: IR -> VCode on virtual registers.
 *
 * As on x86-64 (lib/isa/x64/lower.c): forward over the layout, constants
 * materialized at each use or folded into an immediate (12-bit arithmetic,
 * shifted by 12 too, logical bitmasks), and an icmp or fcmp whose only use
 * is a brif, select, trapz or trapnz becomes a compare at that use.  A vreg
 * of a narrow integer type has undefined bits above its width, as in
 * Cranelift: what reads them extends first (or uses an extended-register
 * operand). */
#include "a64.h"

#include <string.h>

typedef cg_lower lower;

#define F (&c->f)




uint32_t a64_new_int(cg_ctx *c) { return cg_new_vreg(F, CG_CLS_INT); }
uint32_t a64_new_flt(cg_ctx *c) { return cg_new_vreg(F, CG_CLS_FLOAT); }

uint32_t a64_put_in_reg(cg_ctx *c, uint32_t v)
{
    v = cg_ctx_resolve(c, v);
    uint32_t r = c->vreg_of.v[v], d;
    if (r != CG_NONE)   /* no constant */
        return r;
    d = cg_resolved_def(c, v);
    if (d != IR_NONE) {
        const ir_inst_data *in = &c->fn->insts.v[d];
        if (in->op == IR_OP_iconst)
            return a64_movi(c, cg_opsize(in->type), in->imm);
        if (in->op == IR_OP_f32const || in->op == IR_OP_f64const)
            return a64_fconst(c, in->op == IR_OP_f32const ? 4 : 8, (uint64_t)in->imm);
        if (in->op == IR_OP_f16const || in->op == IR_OP_f128const)
            return a64_fconst_wide(c, in->op == IR_OP_f16const ? 2 : 16, cg_fconst_bytes(c, d));
    }
    return cg_value_vreg_new(c, v);
}

uint32_t a64_res(cg_ctx *c, uint32_t inst, unsigned k)
{
    return cg_value_vreg(c, ir_inst_results(c->fn, inst)[k]);
}
#define res(c, i, k) a64_res(c, i, k)

/* ---- encodable immediates ------------------------------------------------------ */

bool a64_arith_imm(uint64_t x)
{
    return x < 4096 || ((x & 0xfff) == 0 && x < (4096u << 12));
}

/* The N:immr:imms of a bitmask immediate: a rotated run of ones repeated
 * in elements of 2..64 bits. */
bool a64_logical_imm(uint64_t x, unsigned size, uint32_t *enc)
{
    if (size == 4)
        x = (x & 0xffffffffu) | x << 32;
    if (x == 0 || x == ~0ull)
        return false;
    unsigned e = 64;
    while (e > 2) {     /* the smallest element the value repeats */
        unsigned h = e / 2;
        uint64_t m = (1ull << h) - 1;
        if ((x & m) != ((x >> h) & m))
            break;
        e = h;
    }
    uint64_t m = e == 64 ? ~0ull : (1ull << e) - 1, el = x & m;
    unsigned ones = (unsigned)__builtin_popcountll(el), rot;
    if (el & 1) {       /* the run wraps: look at the zeros */
        uint64_t z = ~el & m;
        unsigned tz = (unsigned)__builtin_ctzll(z), zeros = e - ones;
        if ((z >> tz) != (1ull << zeros) - 1)
            return false;
        rot = (e - (tz + zeros)) % e;
    } else {
        unsigned tz = (unsigned)__builtin_ctzll(el);
        if ((el >> tz) != (1ull << ones) - 1)
            return false;
        rot = (e - tz) % e;
    }
    unsigned n = e == 64, imms = ((~(e - 1) << 1) & 0x3f) | (ones - 1);
    *enc = n << 12 | rot << 6 | imms;
    return true;
}

/* ---- small emitters ---------------------------------------------------------- */

void a64_mov(cg_ctx *c, unsigned size, uint32_t dst, uint32_t src)
{
    bool fl = dst >= CG_VREG0 ? F->vcls.v[dst - CG_VREG0] == CG_CLS_FLOAT : dst >= A64_V0;
    cg_inst *i = cg_emit_inst(F, fl ? A64_FMOV : A64_MOV, 2);
    i->size = (uint8_t)size;
    cg_op_def(F, dst);
    cg_op_use(F, src);
}

void a64_movi_to(cg_ctx *c, unsigned size, uint32_t dst, int64_t imm)
{
    cg_inst *i = cg_emit_inst(F, A64_MOVI, 1);
    i->size = (uint8_t)size;
    i->imm = size == 4 ? (int64_t)(uint32_t)imm : imm;
    cg_op_def(F, dst);
}

uint32_t a64_movi(cg_ctx *c, unsigned size, int64_t imm)
{
    uint32_t r = a64_new_int(c);
    a64_movi_to(c, size, r, imm);
    return r;
}

void a64_alu_op2(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, uint32_t b,
                 unsigned op2, unsigned amount)
{
    cg_inst *i = cg_emit_inst(F, A64_ALU, 3);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->amode = (uint8_t)op2, i->scale = (uint8_t)amount;
    cg_op_def(F, dst);
    cg_op_use(F, a);
    cg_op_use(F, b);
}

void a64_alu(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, uint32_t b)
{
    a64_alu_op2(c, op, size, dst, a, b, A64_OP2_NONE, 0);
}

static void alui(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, int64_t imm)
{
    cg_inst *i = cg_emit_inst(F, A64_ALUI, 2);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = imm;
    cg_op_def(F, dst);
    cg_op_use(F, a);
}

static bool is_logical(unsigned op) { return op == A64_AND || op == A64_ORR || op == A64_EOR || op == A64_ANDS; }

/* Can `a OP imm` take the immediate form (possibly as the opposite op)? */
bool a64_imm_encodes(unsigned op, unsigned size, int64_t imm)
{
    uint32_t enc;
    if (is_logical(op))
        return a64_logical_imm((uint64_t)imm, size, &enc);
    uint64_t x = size == 4 ? (uint32_t)imm : (uint64_t)imm;
    uint64_t n = size == 4 ? (uint32_t)(0 - (uint64_t)imm) : 0 - (uint64_t)imm;
    return a64_arith_imm(x) || a64_arith_imm(n);
}

void a64_alu_imm(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, int64_t imm)
{
    if (size == 4)
        imm = (int64_t)(uint32_t)imm;
    if (is_logical(op)) {
        uint32_t enc;
        if (a64_logical_imm((uint64_t)imm, size, &enc))
            alui(c, op, size, dst, a, imm);
        else
            a64_alu(c, op, size, dst, a, a64_movi(c, size, imm));
        return;
    }
    uint64_t neg = size == 4 ? (uint32_t)(0 - (uint64_t)imm) : 0 - (uint64_t)imm;
    if (imm == 0 && (op == A64_ADD || op == A64_SUB))
        a64_mov(c, 8, dst, a);
    else if (a64_arith_imm((uint64_t)imm))
        alui(c, op, size, dst, a, imm);
    else if (a64_arith_imm(neg))    /* add -k is sub k */
        alui(c, op ^ 2, size, dst, a, (int64_t)neg);
    else
        a64_alu(c, op, size, dst, a, a64_movi(c, size, imm));
}

void a64_shift_imm(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, unsigned amount)
{
    if (amount == 0) {
        a64_mov(c, 8, dst, a);
        return;
    }
    cg_inst *i = cg_emit_inst(F, A64_SHIFTI, 2);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = amount;
    cg_op_def(F, dst);
    cg_op_use(F, a);
}

void a64_madd(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t n, uint32_t m, uint32_t a)
{
    cg_inst *i = cg_emit_inst(F, A64_MADD, 4);
    i->cc = (uint8_t)op, i->size = (uint8_t)size;
    cg_op_def(F, dst);
    cg_op_use(F, n);
    cg_op_use(F, m);
    cg_op_use(F, a);
}

static void cmp_op2(cg_ctx *c, unsigned op, unsigned size, uint32_t a, uint32_t b, unsigned op2, unsigned amount)
{
    cg_inst *i = cg_emit_inst(F, A64_CMP, 2);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->amode = (uint8_t)op2, i->scale = (uint8_t)amount;
    cg_op_use(F, a);
    cg_op_use(F, b);
}

void a64_cmp(cg_ctx *c, unsigned size, uint32_t a, uint32_t b)
{
    cmp_op2(c, A64_SUBS, size, a, b, A64_OP2_NONE, 0);
}

/* Flags of a - imm (cmp / cmn) or a & imm (tst) */
void a64_cmpi_op(cg_ctx *c, unsigned op, unsigned size, uint32_t a, int64_t imm)
{
    if (size == 4)
        imm = (int64_t)(uint32_t)imm;
    if (op == A64_ANDS) {
        uint32_t enc;
        if (!a64_logical_imm((uint64_t)imm, size, &enc)) {
            cmp_op2(c, A64_ANDS, size, a, a64_movi(c, size, imm), A64_OP2_NONE, 0);
            return;
        }
    } else {
        uint64_t neg = size == 4 ? (uint32_t)(0 - (uint64_t)imm) : 0 - (uint64_t)imm;
        if (!a64_arith_imm((uint64_t)imm)) {
            if (a64_arith_imm(neg))
                op = A64_ADDS, imm = (int64_t)neg;
            else {
                cmp_op2(c, A64_SUBS, size, a, a64_movi(c, size, imm), A64_OP2_NONE, 0);
                return;
            }
        }
    }
    cg_inst *i = cg_emit_inst(F, A64_CMPI, 1);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = imm;
    cg_op_use(F, a);
}

void a64_cmp_imm(cg_ctx *c, unsigned size, uint32_t a, int64_t imm)
{
    a64_cmpi_op(c, A64_SUBS, size, a, imm);
}

void a64_csel(cg_ctx *c, unsigned cc, unsigned variant, unsigned size, uint32_t dst, uint32_t t, uint32_t f)
{
    cg_inst *i = cg_emit_inst(F, A64_CSEL, 3);
    i->cc = (uint8_t)cc, i->aux = variant, i->size = (uint8_t)size;
    cg_op_def(F, dst);
    cg_op_use(F, t);
    cg_op_use(F, f);
}

void a64_cset(cg_ctx *c, unsigned cc, uint32_t dst)
{
    cg_inst *i = cg_emit_inst(F, A64_CSET, 1);
    i->cc = (uint8_t)cc, i->size = 4;
    cg_op_def(F, dst);
}

void a64_csetm(cg_ctx *c, unsigned cc, unsigned size, uint32_t dst)
{
    cg_inst *i = cg_emit_inst(F, A64_CSET, 1);
    i->cc = (uint8_t)cc, i->size = (uint8_t)size, i->aux = 1;
    cg_op_def(F, dst);
}

void a64_unary(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a)
{
    cg_inst *i = cg_emit_inst(F, A64_UNARY, 2);
    i->cc = (uint8_t)op, i->size = (uint8_t)size;
    cg_op_def(F, dst);
    cg_op_use(F, a);
}

void a64_trapif(cg_ctx *c, unsigned cc, unsigned code)
{
    cg_inst *i = cg_emit_inst(F, A64_TRAPIF, 0);
    i->cc = (uint8_t)cc, i->aux = code;
}

void a64_bfm(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, unsigned immr, unsigned imms)
{
    cg_inst *i = cg_emit_inst(F, A64_BFM, 2);
    i->cc = (uint8_t)op, i->size = (uint8_t)size, i->imm = immr | imms << 8;
    cg_op_def(F, dst);
    cg_op_use(F, a);
}

void a64_extend_into(cg_ctx *c, uint32_t d, uint32_t r, unsigned bits, unsigned to, bool sign)
{
    if (bits >= 64 || (bits == 32 && to == 4))
        a64_mov(c, 8, d, r);
    else if (bits == 32 && !sign)
        a64_mov(c, 4, d, r);
    else    /* a w register's write zero-extends: unsigned ones need 32 bits only */
        a64_bfm(c, sign ? A64_SBFM : A64_UBFM, sign ? to : 4, d, r, 0, bits - 1);
}

uint32_t a64_extend(cg_ctx *c, uint32_t r, unsigned bits, unsigned to, bool sign)
{
    uint32_t d = a64_new_int(c);
    a64_extend_into(c, d, r, bits, to, sign);
    return d;
}

void a64_mov64(cg_ctx *c, uint32_t dst, uint32_t src)
{
    a64_mov(c, 8, dst, src);
}

unsigned a64_ext_op2(unsigned bits, bool sign)
{
    unsigned k = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
    return (sign ? A64_OP2_SXTB : A64_OP2_UXTB) + k;
}

const uint8_t a64_intcc[IR_INTCC_COUNT] = {
    [IR_INTCC_eq] = A64_EQ, [IR_INTCC_ne] = A64_NE, [IR_INTCC_slt] = A64_LT,
    [IR_INTCC_sge] = A64_GE, [IR_INTCC_sgt] = A64_GT, [IR_INTCC_sle] = A64_LE,
    [IR_INTCC_ult] = A64_LO, [IR_INTCC_uge] = A64_HS, [IR_INTCC_ugt] = A64_HI,
    [IR_INTCC_ule] = A64_LS,
};

static bool cc_signed(unsigned cc) { return cc >= A64_GE && cc <= A64_LE; }

/* Flags for x <cc> y on `bits`-wide integers; returns the condition.
 * Narrow operands: x extended, y through an extended-register compare. */
unsigned a64_int_compare(cg_ctx *c, unsigned cc, uint32_t xv, uint32_t yv, unsigned bits)
{
    int64_t k;
    if (!cg_iconst_of(c, yv, &k) && cg_iconst_of(c, xv, &k)) {
        uint32_t t = xv;
        xv = yv, yv = t;
        cc = cg_cc_swap(a64_intcc, cc);
    }
    bool sign = cc_signed(cc);
    unsigned size = bits == 64 ? 8 : 4;
    uint32_t x = a64_put_in_reg(c, xv);
    if (bits < 32)
        x = a64_extend(c, x, bits, 4, sign);
    if (cg_iconst_of(c, yv, &k)) {
        if (bits < 32 && !sign)
            k &= (1ll << bits) - 1;
        if (k == 0 && (cc == A64_EQ || cc == A64_NE) && bits >= 32) {
            a64_cmpi_op(c, A64_SUBS, size, x, 0);
            return cc;
        }
        a64_cmpi_op(c, A64_SUBS, size, x, k);
        return cc;
    }
    uint32_t y = a64_put_in_reg(c, yv);
    if (bits < 32)
        cmp_op2(c, A64_SUBS, 4, x, y, a64_ext_op2(bits, sign), 0);
    else
        a64_cmp(c, size, x, y);
    return cc;
}

/* Compare the operands of icmp `inst`; returns the condition for true. */
static unsigned emit_icmp_flags(cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    if (cg_vtype(c, a[0]) == IR_I128)
        return cg_icmp_i128(c, inst);
    return a64_int_compare(c, a64_intcc[in->cond], a[0], a[1], ir_type_bits(cg_vtype(c, a[0])));
}

/* Flags for "r (bits wide) is nonzero"; returns NE. */
unsigned a64_test_nonzero(cg_ctx *c, uint32_t r, unsigned bits)
{
    if (bits >= 32)
        a64_cmpi_op(c, A64_SUBS, bits / 8, r, 0);
    else
        a64_cmpi_op(c, A64_ANDS, 4, r, (1ll << bits) - 1);
    return A64_NE;
}

/* Flags for "v is true": a fused icmp or fcmp, else v != 0.  Returns the
 * condition; *cc2 a second one ORed with it (fcmp one/ueq), else A64_AL. */
static unsigned cond_flags2(lower *L, uint32_t v, unsigned *cc2)
{
    cg_ctx *c = L->c;
    uint32_t d = cg_def_of(c, v);
    *cc2 = A64_AL;
    if (d != IR_NONE && L->fused[d]) {
        if (c->fn->insts.v[d].op == IR_OP_fcmp)
            return a64_fcmp_flags(c, d, cc2);
        if (c->fn->insts.v[d].op == IR_OP_band) {   /* tst x, #k (k cut to the width) */
            const uint32_t *a = ir_inst_args(c->fn, d);
            int64_t k = 0;   /* fuse_cond marked it: one operand is a constant */
            unsigned s = cg_iconst_of(c, a[1], &k) ? 1 : 0, bits = ir_type_bits(cg_vtype(c, v));
            cg_iconst_of(c, a[s], &k);
            uint64_t m = ~0ull >> (64 - bits);
            if (!((uint64_t)k & m)) {       /* nothing to test: false */
                a64_cmp(c, 4, A64_ZR, A64_ZR);
                return A64_NE;
            }
            a64_cmpi_op(c, A64_ANDS, bits == 64 ? 8 : 4, a64_put_in_reg(c, a[1 - s]), (int64_t)((uint64_t)k & m));
            return A64_NE;
        }
        return emit_icmp_flags(c, d);
    }
    if (cg_vtype(c, v) == IR_I128)
        return a64_test_i128(c, a64_put_in_reg(c, v));
    return a64_test_nonzero(c, a64_put_in_reg(c, v), ir_type_bits(cg_vtype(c, v)));
}

/* The same, for users that take one condition: two become a cset. */
static unsigned cond_flags(lower *L, uint32_t v)
{
    cg_ctx *c = L->c;
    unsigned cc2, cc = cond_flags2(L, v, &cc2);
    if (cc2 == A64_AL)
        return cc;
    uint32_t t = a64_new_int(c), u = a64_new_int(c);
    a64_cset(c, cc, t);
    a64_csel(c, cc2 ^ 1, A64_CSINC, 4, u, t, A64_ZR);   /* cc2 ? 1 : t */
    a64_cmpi_op(c, A64_SUBS, 4, u, 0);
    return A64_NE;
}

/* ---- control flow ------------------------------------------------------------ */

bool a64_folded(lower *L, uint32_t v, unsigned op, uint32_t *d)
{
    *d = cg_def_of(L->c, v);
    return *d != IR_NONE && L->fused[*d] && L->c->fn->insts.v[*d].op == op;
}

/* cbz/cbnz on a 32/64-bit value compared with zero, if v is one */
static bool cbz_operand(lower *L, uint32_t v, uint32_t *r, unsigned *size, bool *nonzero)
{
    cg_ctx *c = L->c;
    uint32_t d = cg_def_of(c, v);
    int64_t k;
    if (d != IR_NONE && L->fused[d]) {
        const ir_inst_data *in = &c->fn->insts.v[d];
        const uint32_t *a = ir_inst_args(c->fn, d);
        ir_type t = cg_vtype(c, a[0]);
        if (in->op != IR_OP_icmp || (in->cond != IR_INTCC_eq && in->cond != IR_INTCC_ne) ||
            (t != IR_I32 && t != IR_I64))
            return false;
        /* z: the operand that is zero */
        unsigned z = cg_iconst_of(c, a[1], &k) && k == 0 ? 1 : cg_iconst_of(c, a[0], &k) && k == 0 ? 0 : 2;
        if (z == 2)
            return false;
        *r = a64_put_in_reg(c, a[1 - z]);
        *size = ir_type_bytes(t);
        *nonzero = in->cond == IR_INTCC_ne;
        return true;
    }
    ir_type t = cg_vtype(c, v);
    if (t != IR_I32 && t != IR_I64)
        return false;
    *r = a64_put_in_reg(c, v);
    *size = ir_type_bytes(t);
    *nonzero = true;
    return true;
}

/* brif's conditional branch (lib/codegen/lower.c does the edges): tbnz
 * for one bit, cbz/cbnz against zero, else b.cond on the flags. */
void a64_branch(lower *L, uint32_t inst, uint32_t lt, uint32_t lf)
{
    cg_ctx *c = L->c;
    uint32_t v = ir_inst_args(c->fn, inst)[0], r, d;
    unsigned size;
    bool nz;
    int64_t k;
    unsigned bits = ir_type_bits(cg_vtype(c, v)), s;
    uint64_t m = bits < 64 ? (1ull << bits) - 1 : ~0ull, kb;
    cg_inst *i;
    if (a64_folded(L, v, IR_OP_band, &d) && (s = cg_iconst_of(c, ir_inst_args(c->fn, d)[1], &k) ? 1 : 0, true) &&
        cg_iconst_of(c, ir_inst_args(c->fn, d)[s], &k) && (kb = (uint64_t)k & m) && !(kb & (kb - 1))) {
        uint32_t x = a64_put_in_reg(c, ir_inst_args(c->fn, d)[1 - s]);
        i = cg_emit_inst(F, A64_TBZ, 1);
        i->cc = 1, i->scale = (uint8_t)__builtin_ctzll(kb);
        cg_op_use(F, x);
    } else if (cbz_operand(L, v, &r, &size, &nz)) {
        i = cg_emit_inst(F, A64_CBZ, 1);
        i->cc = nz, i->size = (uint8_t)size;
        cg_op_use(F, r);
    } else {
        unsigned cc = cond_flags(L, v);
        i = cg_emit_inst(F, A64_BCOND, 0);
        i->cc = (uint8_t)cc;
    }
    i->aux = lt, i->imm = lf;
}

static void lower_trapif(lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    uint32_t v = ir_inst_args(c->fn, inst)[0], r;
    unsigned size;
    bool nz;
    if (cbz_operand(L, v, &r, &size, &nz)) {
        cg_inst *i = cg_emit_inst(F, A64_TRAPZ, 1);
        i->cc = in->op == IR_OP_trapz ? !nz : nz, i->size = (uint8_t)size, i->aux = in->trap;
        cg_op_use(F, r);
        return;
    }
    unsigned cc2, cc = cond_flags2(L, v, &cc2);
    if (in->op == IR_OP_trapnz) {
        a64_trapif(c, cc, in->trap);
        if (cc2 != A64_AL)
            a64_trapif(c, cc2, in->trap);
        return;
    }
    if (cc2 != A64_AL) {    /* trap unless either holds */
        uint32_t t = a64_new_int(c), u = a64_new_int(c);
        a64_cset(c, cc, t);
        a64_csel(c, cc2 ^ 1, A64_CSINC, 4, u, t, A64_ZR);
        a64_cmpi_op(c, A64_SUBS, 4, u, 0);
        cc = A64_NE;
    }
    a64_trapif(c, cc ^ 1, in->trap);
}

/* ---- one instruction ------------------------------------------------------------ */

/* The cases of a64_lower_inst's switch (cg_isa.lower_inst_ops): the
 * others go by family without asking it. */
const bool a64_lower_inst_ops[IR_OP_COUNT] = {
    [IR_OP_trapz] = true, [IR_OP_trapnz] = true, [IR_OP_get_stack_pointer] = true,
    [IR_OP_get_return_address] = true, [IR_OP_icmp] = true, [IR_OP_fcmp] = true, [IR_OP_select] = true,
    [IR_OP_select_spectre_guard] = true,
};

int a64_lower_inst(lower *L, uint32_t inst)
{
    cg_ctx *c = L->c;
    const ir_inst_data *in = &c->fn->insts.v[inst];
    const uint32_t *a = ir_inst_args(c->fn, inst);
    ir_type t = cg_ctrl_type(c, inst);
    switch (in->op) {
    case IR_OP_trapz: case IR_OP_trapnz:
        lower_trapif(L, inst);
        return true;
    case IR_OP_get_stack_pointer:
        alui(c, A64_ADD, 8, res(c, inst, 0), A64_SP, 0);
        return true;
    case IR_OP_get_return_address: {
        uint32_t d = res(c, inst, 0);
        cg_emit_inst(F, A64_RETADDR, 1);
        cg_op_def(F, d);
        return true;
    }
    case IR_OP_icmp: {
        if (!cg_is_int(cg_vtype(c, a[0])))
            return cg_unsupported(c, inst, NULL);
        a64_cset(c, emit_icmp_flags(c, inst), res(c, inst, 0));
        return true;
    }
    case IR_OP_fcmp: {
        if (cg_vtype(c, a[0]) != IR_F32 && cg_vtype(c, a[0]) != IR_F64 &&
            !(cg_vtype(c, a[0]) == IR_F16 && a64_f16_arith(c->target)))
            return cg_unsupported(c, inst, NULL);
        unsigned cc2, cc = a64_fcmp_flags(c, inst, &cc2);
        if (cc2 == A64_AL) {
            a64_cset(c, cc, res(c, inst, 0));
        } else {
            uint32_t t1 = a64_new_int(c);
            a64_cset(c, cc, t1);
            a64_csel(c, cc2 ^ 1, A64_CSINC, 4, res(c, inst, 0), t1, A64_ZR);
        }
        return true;
    }
    case IR_OP_select: case IR_OP_select_spectre_guard: {
        uint32_t x = a64_put_in_reg(c, a[1]), y = a64_put_in_reg(c, a[2]);
        unsigned cc = cond_flags(L, a[0]);
        uint32_t d = res(c, inst, 0);
        if (t == IR_I128) {
            a64_csel(c, cc, A64_CSEL_, 8, d, x, y);
            a64_csel(c, cc, A64_CSEL_, 8, d + 1, x + 1, y + 1);
        } else if (ir_type_is_vector(t)) {
            a64_vselect(c, cc, t, d, x, y);
        } else if (cg_is_int(t)) {
            a64_csel(c, cc, A64_CSEL_, cg_opsize(t), d, x, y);
        } else {
            cg_inst *i = cg_emit_inst(F, A64_FCSEL, 3);
            /* f16: fcsel d moves its low 16 bits without FEAT_FP16 */
            i->cc = (uint8_t)cc, i->size = (uint8_t)(t == IR_F16 ? 8 : ir_type_bytes(t));
            cg_op_def(F, d);
            cg_op_use(F, x);
            cg_op_use(F, y);
        }
        return true;
    }
    default:
        break;
    }
    return CG_BY_FAMILY;
}

/* Which instructions are lowered at their only use, in the same block,
 * besides the conditions lib/codegen/lower.c marks: the address arithmetic
 * of a load or store (iadd of a constant, of a register, of a register
 * shifted by the access size; stack_addr); bnot, a shift by a constant and
 * imul under band/bor/bxor/iadd/isub (bic, shifted operands, madd).
 * Lowering the user checks these marks only. */
static void mark_fused(lower *L)
{
    cg_ctx *c = L->c;
    const ir_function *fn = c->fn;
    uint32_t d;
    for (uint32_t i = 0; i < fn->insts.n; i++) {
        const ir_inst_data *in = &fn->insts.v[i];
        if (in->block == IR_NONE || !in->nargs)
            continue;
        const uint32_t *a = ir_inst_args(fn, i);
        switch (in->op) {
        case IR_OP_load: case IR_OP_uload8: case IR_OP_sload8: case IR_OP_uload16: case IR_OP_sload16:
        case IR_OP_uload32: case IR_OP_sload32: case IR_OP_store: case IR_OP_istore8: case IR_OP_istore16:
        case IR_OP_istore32: {
            bool st = in->op == IR_OP_store || in->op == IR_OP_istore8 || in->op == IR_OP_istore16 ||
                      in->op == IR_OP_istore32;
            uint32_t v = a[st];
            ir_type vt = st ? cg_vtype(c, a[0]) : fn->values.v[ir_inst_results(fn, i)[0]].type;
            if (vt == IR_I128 || ir_type_is_vector(vt))
                break;
            if (cg_single_use(L, i, v, IR_OP_stack_addr, &d)) {
                L->fused[d] = CG_FUSED_ADDR;
                break;
            }
            if (cg_vtype(c, v) != IR_I64 || !cg_single_use(L, i, v, IR_OP_iadd, &d))
                break;
            const uint32_t *b = ir_inst_args(fn, d);
            int64_t k;
            bool konst = false;
            for (unsigned s = 0; s < 2; s++)
                konst |= cg_iconst_of(c, b[s], &k) && k + in->imm == (int32_t)(k + in->imm);
            if (!konst && in->imm != 0)
                break;
            L->fused[d] = CG_FUSED_ADDR;
            if (konst)
                break;
            bool sign;
            unsigned width = cg_mem_width(c, i, &sign);
            for (unsigned s = 0; s < 2; s++) {
                uint32_t sh, x = b[s];
                if (cg_single_use(L, d, x, IR_OP_ishl, &sh) && width > 1 &&
                    cg_iconst_of(c, ir_inst_args(fn, sh)[1], &k) && (k & 63) == __builtin_ctz(width)) {
                    L->fused[sh] = CG_FUSED_ADDR;
                    x = ir_inst_args(fn, sh)[0];
                    d = sh;
                } else if (s == 0) {
                    continue;
                }
                /* an i32 index extended to 64 bits: uxtw / sxtw */
                if ((cg_single_use(L, d, x, IR_OP_uextend, &sh) || cg_single_use(L, d, x, IR_OP_sextend, &sh)) &&
                    cg_vtype(c, ir_inst_args(fn, sh)[0]) == IR_I32)
                    L->fused[sh] = CG_FUSED_ADDR;
                break;
            }
            break;
        }
        case IR_OP_iadd_pairwise: {     /* saddlp/uaddlp (lowervec.c) */
            uint32_t w[2];
            if (cg_vec_extadd_pairwise(L, i, w) && ir_type_bytes(cg_vtype(c, ir_inst_args(fn, w[0])[0])) >= 8)
                L->fused[w[0]] = L->fused[w[1]] = CG_FUSED_OPERAND;
            break;
        }
        default:
            break;
        }
    }
    for (uint32_t i = 0; i < fn->insts.n; i++) {
        ir_type t = cg_binary_user(L, i);
        unsigned op = fn->insts.v[i].op;
        if (!cg_is_int(t) || (op != IR_OP_iadd && op != IR_OP_isub && op != IR_OP_band && op != IR_OP_bor &&
                           op != IR_OP_bxor))
            continue;
        const uint32_t *a = ir_inst_args(fn, i);
        for (int s = 1; s >= 0; s--) {
            int64_t k;
            if (op == IR_OP_iadd && cg_single_use(L, i, a[s], IR_OP_imul, &d)) {
                L->fused[d] = CG_FUSED_OPERAND;
                break;
            }
            if ((op == IR_OP_iadd || (op == IR_OP_isub && s == 1)) && cg_single_use(L, i, a[s], IR_OP_ishl, &d) &&
                cg_iconst_of(c, ir_inst_args(fn, d)[1], &k) && (k & (ir_type_bits(t) - 1)) != 0) {
                L->fused[d] = CG_FUSED_OPERAND;
                break;
            }
            if ((op == IR_OP_band || op == IR_OP_bor || op == IR_OP_bxor) && cg_single_use(L, i, a[s], IR_OP_bnot, &d)) {
                L->fused[d] = CG_FUSED_OPERAND;
                break;
            }
        }
    }
}

/* Every condition lib/codegen/lower.c offers, in the user's block (tst, or
 * tbnz for one bit, for a band). */
bool a64_fuse_cond(const cg_lower *L, uint32_t user, uint32_t def, unsigned how)
{
    const ir_function *fn = L->c->fn;
    return fn->insts.v[def].block == fn->insts.v[user].block;
}

bool a64_prepare(lower *L)
{
    mark_fused(L);
    return true;
}
