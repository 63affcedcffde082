/* Constant folding, algebraic simplification and strength reduction of one
 * instruction at a time, with Cranelift's semantics:
 *  - integer arithmetic wraps at the type's width; shift and rotate amounts
 *    are taken modulo the width;
 *  - a division or remainder that would trap (by zero, INT_MIN / -1) is
 *    never folded: the trap must stay where it is;
 *  - floats: only sign-bit operations (fneg, fabs, fcopysign), which are
 *    exact on every target; arithmetic is left alone (NaN payloads and
 *    signs differ between x86-64 and AArch64).
 * Scalar integers only (i8..i128); vectors are left to the back ends. */
#include "internal.h"

#include <string.h>

typedef opt_u128 u128;
typedef opt_i128 i128;

static u128 mask(unsigned n) { return n >= 128 ? ~(u128)0 : ((u128)1 << n) - 1; }
static i128 sext(u128 x, unsigned n)
{
    return n >= 128 ? (i128)x : (i128)(x << (128 - n)) >> (128 - n);
}
static bool is_scalar_int(ir_type t) { return t >= IR_I8 && t <= IR_I128; }

bool opt_const_of(const ir_function *f, uint32_t v, u128 *out)
{
    uint32_t d = opt_value_def(f, v);
    if (d == IR_NONE)
        return false;
    const ir_inst_data *in = &f->insts.v[d];
    const uint32_t *a = ir_inst_args(f, d);
    u128 x, y;
    switch (in->op) {
    case IR_OP_iconst:
        if (!is_scalar_int(in->type))
            return false;
        *out = (u128)(uint64_t)in->imm & mask(ir_type_bits(in->type));
        return true;
    case IR_OP_iconcat: {     /* i128 constants are built from two halves */
        unsigned n = ir_type_bits(f->values.v[ir_value_resolve(f, a[0])].type);
        if (n > 64 || !opt_const_of(f, a[0], &x) || !opt_const_of(f, a[1], &y))
            return false;
        *out = x | y << n;
        return true;
    }
    case IR_OP_uextend: case IR_OP_sextend: {
        ir_type from = f->values.v[ir_value_resolve(f, a[0])].type;
        if (!is_scalar_int(in->type) || !is_scalar_int(from) || !opt_const_of(f, a[0], &x))
            return false;
        *out = in->op == IR_OP_uextend ? x : (u128)sext(x, ir_type_bits(from)) & mask(ir_type_bits(in->type));
        return true;
    }
    default:
        return false;
    }
}

/* ---- rewriting ---------------------------------------------------------------- */

static uint32_t result(const ir_function *f, uint32_t inst) { return ir_inst_results(f, inst)[0]; }
static ir_type rtype(const ir_function *f, uint32_t inst) { return f->values.v[result(f, inst)].type; }
static ir_type vtype(const ir_function *f, uint32_t v) { return f->values.v[ir_value_resolve(f, v)].type; }

/* inst's only result becomes v; inst leaves the layout. */
static bool become(ir_function *f, uint32_t inst, uint32_t v)
{
    ir_value_replace(f, result(f, inst), v);
    ir_inst_remove(f, inst);
    return true;
}

static void clear_imms(ir_inst_data *in)
{
    in->cond = 0;
    memset(&in->mf, 0, sizeof in->mf);
    in->trap = 0;
    in->ent = 0;
    in->imm = 0;
}

/* inst computes the constant x of its result's type. */
static bool become_const(ir_function *f, uint32_t inst, u128 x)
{
    ir_type t = rtype(f, inst);
    unsigned n = ir_type_bits(t);
    x &= mask(n);
    if (n <= 64) {
        ir_inst_data *in = &f->insts.v[inst];
        clear_imms(in);
        in->op = IR_OP_iconst;
        in->type = t;
        in->nargs = 0;
        in->imm = (int64_t)(uint64_t)x;
        return true;
    }
    uint32_t halves[2] = {opt_new_iconst(f, inst, IR_I64, (uint64_t)x),
                          opt_new_iconst(f, inst, IR_I64, (uint64_t)(x >> 64))};
    ir_inst_data *in = &f->insts.v[inst];
    clear_imms(in);
    in->op = IR_OP_iconcat;
    in->type = IR_I64;
    opt_set_args(f, inst, 2, halves);
    return true;
}

/* inst becomes `op x, y` of its own type. */
static bool become_binary(ir_function *f, uint32_t inst, ir_opcode op, uint32_t x, uint32_t y)
{
    uint32_t args[2] = {x, y};
    ir_inst_data *in = &f->insts.v[inst];
    clear_imms(in);
    in->op = (uint16_t)op;
    in->type = rtype(f, inst);
    opt_set_args(f, inst, 2, args);
    return true;
}

static uint32_t emit(ir_function *f, uint32_t before, ir_opcode op, ir_type t, uint32_t x, uint32_t y)
{
    uint32_t args[2] = {x, y};
    uint32_t i = ir_inst_new(f, before, op, t, 2, args);
    return result(f, i);
}

/* ---- evaluation -------------------------------------------------------------- */

static unsigned clz128(u128 x, unsigned n)
{
    unsigned c = 0;
    for (int b = (int)n - 1; b >= 0 && !(x >> b & 1); b--)
        c++;
    return c;
}

static unsigned ctz128(u128 x, unsigned n)
{
    unsigned c = 0;
    while (c < n && !(x >> c & 1))
        c++;
    return c;
}

static bool eval_unary(ir_opcode op, unsigned n, u128 x, u128 *r)
{
    u128 m = mask(n);
    switch (op) {
    case IR_OP_ineg: *r = (0 - x) & m; return true;
    case IR_OP_bnot: *r = ~x & m; return true;
    case IR_OP_iabs: *r = sext(x, n) < 0 ? (0 - x) & m : x; return true;
    case IR_OP_clz: *r = clz128(x, n); return true;
    case IR_OP_ctz: *r = ctz128(x, n); return true;
    case IR_OP_cls: {   /* leading bits equal to the sign bit, the sign bit not counted */
        u128 y = sext(x, n) < 0 ? ~x & m : x;
        *r = clz128(y, n) - 1;
        return true;
    }
    case IR_OP_popcnt: {
        unsigned c = 0;
        for (unsigned b = 0; b < n; b++)
            c += (unsigned)(x >> b & 1);
        *r = c;
        return true;
    }
    case IR_OP_bitrev: {
        u128 y = 0;
        for (unsigned b = 0; b < n; b++)
            y |= (x >> b & 1) << (n - 1 - b);
        *r = y;
        return true;
    }
    case IR_OP_bswap: {
        u128 y = 0;
        for (unsigned b = 0; b < n / 8; b++)
            y |= (x >> (8 * b) & 0xff) << (n - 8 - 8 * b);
        *r = y;
        return true;
    }
    default: return false;
    }
}

/* Binary integer operations; false for one that traps or is not known. */
static bool eval_binary(ir_opcode op, unsigned n, u128 x, u128 y, u128 *r)
{
    u128 m = mask(n);
    unsigned s = (unsigned)(y & (n - 1));   /* shift amounts are modulo the width */
    i128 sx = sext(x, n), sy = sext(y, n);
    switch (op) {
    case IR_OP_iadd: *r = (x + y) & m; return true;
    case IR_OP_isub: *r = (x - y) & m; return true;
    case IR_OP_imul: *r = (x * y) & m; return true;
    case IR_OP_band: *r = x & y; return true;
    case IR_OP_bor: *r = x | y; return true;
    case IR_OP_bxor: *r = x ^ y; return true;
    case IR_OP_ishl: *r = (x << s) & m; return true;
    case IR_OP_ushr: *r = x >> s; return true;
    case IR_OP_sshr: *r = (u128)(sx >> s) & m; return true;
    case IR_OP_rotl: *r = s ? ((x << s) | (x >> (n - s))) & m : x; return true;
    case IR_OP_rotr: *r = s ? ((x >> s) | (x << (n - s))) & m : x; return true;
    case IR_OP_umulhi:
        if (n > 64)
            return false;
        *r = (x * y) >> n & m;
        return true;
    case IR_OP_smulhi:
        if (n > 64)
            return false;
        *r = (u128)((sx * sy) >> n) & m;
        return true;
    case IR_OP_udiv: case IR_OP_urem:
        if (y == 0)
            return false;   /* traps: int_divz */
        *r = op == IR_OP_udiv ? x / y : x % y;
        return true;
    case IR_OP_sdiv: case IR_OP_srem:
        if (y == 0 || sy == -1)
            return false;   /* int_divz; MIN / -1 is int_ovf (and -1 gains nothing) */
        *r = (u128)(op == IR_OP_sdiv ? sx / sy : sx % sy) & m;
        return true;
    case IR_OP_smin: *r = sx < sy ? x : y; return true;
    case IR_OP_smax: *r = sx > sy ? x : y; return true;
    case IR_OP_umin: *r = x < y ? x : y; return true;
    case IR_OP_umax: *r = x > y ? x : y; return true;
    default: return false;
    }
}

static bool eval_icmp(unsigned cc, unsigned n, u128 x, u128 y)
{
    i128 sx = sext(x, n), sy = sext(y, n);
    switch (cc) {
    case IR_INTCC_eq: return x == y;
    case IR_INTCC_ne: return x != y;
    case IR_INTCC_slt: return sx < sy;
    case IR_INTCC_sge: return sx >= sy;
    case IR_INTCC_sgt: return sx > sy;
    case IR_INTCC_sle: return sx <= sy;
    case IR_INTCC_ult: return x < y;
    case IR_INTCC_uge: return x >= y;
    case IR_INTCC_ugt: return x > y;
    default: return x <= y;     /* ule */
    }
}

static unsigned swap_cc(unsigned cc)
{
    switch (cc) {
    case IR_INTCC_slt: return IR_INTCC_sgt;
    case IR_INTCC_sgt: return IR_INTCC_slt;
    case IR_INTCC_sge: return IR_INTCC_sle;
    case IR_INTCC_sle: return IR_INTCC_sge;
    case IR_INTCC_ult: return IR_INTCC_ugt;
    case IR_INTCC_ugt: return IR_INTCC_ult;
    case IR_INTCC_uge: return IR_INTCC_ule;
    case IR_INTCC_ule: return IR_INTCC_uge;
    default: return cc;
    }
}

static bool commutative(ir_opcode op)
{
    switch (op) {
    case IR_OP_iadd: case IR_OP_imul: case IR_OP_band: case IR_OP_bor: case IR_OP_bxor:
    case IR_OP_umulhi: case IR_OP_smulhi: case IR_OP_smin: case IR_OP_smax: case IR_OP_umin: case IR_OP_umax:
        return true;
    default:
        return false;
    }
}

static int log2_exact(u128 x)
{
    if (!x || (x & (x - 1)))
        return -1;
    return (int)ctz128(x, 128);
}

/* ---- strength reduction ----------------------------------------------------------- */

/* Multiplication and division by a power of two (n <= 64): shifts and masks.
 * Signed division rounds toward zero: add 2^k - 1 to a negative dividend
 * first (Hacker's Delight 10-1). */
static bool strength(ir_function *f, uint32_t inst, unsigned n, uint32_t x, u128 c)
{
    ir_opcode op = f->insts.v[inst].op;
    ir_type t = rtype(f, inst);
    int k = log2_exact(c);
    if (n > 64 || k < 1)
        return false;
    switch (op) {
    case IR_OP_imul:
        return become_binary(f, inst, IR_OP_ishl, x, opt_new_iconst(f, inst, t, (uint64_t)k));
    case IR_OP_udiv:
        return become_binary(f, inst, IR_OP_ushr, x, opt_new_iconst(f, inst, t, (uint64_t)k));
    case IR_OP_urem:
        return become_binary(f, inst, IR_OP_band, x, opt_new_iconst(f, inst, t, (uint64_t)(c - 1)));
    case IR_OP_sdiv: case IR_OP_srem: {
        if ((unsigned)k >= n - 1)
            return false;   /* 2^(n-1) is negative in n bits */
        uint32_t sign = emit(f, inst, IR_OP_sshr, t, x, opt_new_iconst(f, inst, t, n - 1));
        uint32_t bias = emit(f, inst, IR_OP_ushr, t, sign, opt_new_iconst(f, inst, t, n - (unsigned)k));
        uint32_t sum = emit(f, inst, IR_OP_iadd, t, x, bias);
        if (op == IR_OP_sdiv)
            return become_binary(f, inst, IR_OP_sshr, sum, opt_new_iconst(f, inst, t, (uint64_t)k));
        uint32_t down = emit(f, inst, IR_OP_band, t, sum, opt_new_iconst(f, inst, t, (uint64_t)(0 - c)));
        return become_binary(f, inst, IR_OP_isub, x, down);
    }
    default:
        return false;
    }
}

/* ---- one instruction ------------------------------------------------------------ */

/* The identities of a binary op with a constant right operand c. */
static bool simplify_const_rhs(opt_fn *o, uint32_t inst, unsigned n, uint32_t x, u128 c)
{
    ir_function *f = o->f;
    ir_opcode op = f->insts.v[inst].op;
    u128 m = mask(n);
    switch (op) {
    case IR_OP_iadd: case IR_OP_isub: case IR_OP_bor: case IR_OP_bxor:
        if (c == 0)
            return become(f, inst, x);
        break;
    case IR_OP_ishl: case IR_OP_ushr: case IR_OP_sshr: case IR_OP_rotl: case IR_OP_rotr:
        if ((c & (n - 1)) == 0)
            return become(f, inst, x);
        break;
    case IR_OP_imul:
        if (c == 0)
            return become_const(f, inst, 0);
        if (c == 1)
            return become(f, inst, x);
        break;
    case IR_OP_band:
        if (c == 0)
            return become_const(f, inst, 0);
        if (c == m)
            return become(f, inst, x);
        break;
    case IR_OP_udiv: case IR_OP_sdiv:
        if (c == 1)
            return become(f, inst, x);
        break;
    case IR_OP_urem: case IR_OP_srem:
        if (c == 1)
            return become_const(f, inst, 0);
        break;
    default:
        break;
    }
    if (op == IR_OP_bor && c == m)
        return become_const(f, inst, m);
    /* (x op c1) op c2 -> x op (c1 op c2) for associative ops */
    uint32_t d = opt_value_def(f, x);
    u128 c1;
    if ((op == IR_OP_iadd || op == IR_OP_imul || op == IR_OP_band || op == IR_OP_bor || op == IR_OP_bxor) &&
        n <= 64 && d != IR_NONE && f->insts.v[d].op == op && f->insts.v[d].block != IR_NONE &&
        opt_const_of(f, ir_inst_args(f, d)[1], &c1)) {
        u128 r;
        eval_binary(op, n, c1, c, &r);
        uint32_t inner = ir_inst_args(f, d)[0];
        return become_binary(f, inst, op, inner, opt_new_iconst(f, inst, rtype(f, inst), (uint64_t)r));
    }
    /* x - c -> x + (-c): one form for GVN and reassociation */
    if (op == IR_OP_isub && n <= 64)
        return become_binary(f, inst, IR_OP_iadd, x,
                             opt_new_iconst(f, inst, rtype(f, inst), (uint64_t)((0 - c) & m)));
    if ((o->passes & OPT_STRENGTH) &&
        (op == IR_OP_imul || op == IR_OP_udiv || op == IR_OP_urem || op == IR_OP_sdiv || op == IR_OP_srem))
        return strength(f, inst, n, x, c);
    return false;
}

static bool fold_float_sign(ir_function *f, uint32_t inst)
{
    ir_inst_data *in = &f->insts.v[inst];
    const uint32_t *a = ir_inst_args(f, inst);
    uint32_t d0 = opt_value_def(f, a[0]);
    if (d0 == IR_NONE || (in->type != IR_F32 && in->type != IR_F64))
        return false;
    ir_opcode cop = in->type == IR_F32 ? IR_OP_f32const : IR_OP_f64const;
    uint64_t sign = in->type == IR_F32 ? 1ull << 31 : 1ull << 63;
    if (f->insts.v[d0].op != cop)
        return false;
    uint64_t x = (uint64_t)f->insts.v[d0].imm, r;
    if (in->op == IR_OP_fneg)
        r = x ^ sign;
    else if (in->op == IR_OP_fabs)
        r = x & ~sign;
    else {
        uint32_t d1 = opt_value_def(f, a[1]);
        if (d1 == IR_NONE || f->insts.v[d1].op != cop)
            return false;
        r = (x & ~sign) | ((uint64_t)f->insts.v[d1].imm & sign);
    }
    clear_imms(in);
    in->op = (uint16_t)cop;
    in->nargs = 0;
    in->imm = (int64_t)r;
    return true;
}

bool opt_fold_inst(opt_fn *o, uint32_t inst)
{
    ir_function *f = o->f;
    ir_inst_data *in = &f->insts.v[inst];
    ir_opcode op = in->op;
    if (!(o->passes & (OPT_FOLD | OPT_STRENGTH)))
        return false;
    if (op == IR_OP_fneg || op == IR_OP_fabs || op == IR_OP_fcopysign)
        return (o->passes & OPT_FOLD) && fold_float_sign(f, inst);
    if (in->nres != 1 || in->nargs == 0 || in->nargs > 3)
        return false;
    ir_type t = rtype(f, inst);
    uint32_t a[3];
    for (uint32_t k = 0; k < in->nargs; k++)
        a[k] = ir_value_resolve(f, ir_inst_args(f, inst)[k]);
    u128 x = 0, y = 0, r;
    bool cx = opt_const_of(f, a[0], &x), cy = in->nargs > 1 && opt_const_of(f, a[1], &y);

    if (op == IR_OP_select || op == IR_OP_select_spectre_guard) {
        if (a[1] == a[2])
            return become(f, inst, a[1]);
        if (op == IR_OP_select && cx)
            return become(f, inst, x ? a[1] : a[2]);
        return false;
    }
    if (!(o->passes & OPT_FOLD)) {
        if (ir_opcodes[op].format == IR_FMT_Binary && is_scalar_int(t) && cy && !cx)
            return strength(f, inst, ir_type_bits(t), a[0], y);
        return false;
    }
    if (!is_scalar_int(t))
        return false;
    unsigned n = ir_type_bits(t);
    switch (ir_opcodes[op].format) {
    case IR_FMT_Unary: {
        ir_type from = vtype(f, a[0]);
        if (!is_scalar_int(from))
            return false;
        unsigned fn = ir_type_bits(from);
        switch (op) {
        case IR_OP_uextend: case IR_OP_sextend: case IR_OP_ireduce: case IR_OP_bmask:
            if (cx)
                return become_const(f, inst, op == IR_OP_bmask ? (x ? mask(n) : 0)
                                           : op == IR_OP_sextend ? (u128)sext(x, fn) : x);
            if (op == IR_OP_ireduce) {  /* ireduce (u/sextend y) of y's type is y */
                uint32_t d = opt_value_def(f, a[0]);
                if (d != IR_NONE && (f->insts.v[d].op == IR_OP_uextend || f->insts.v[d].op == IR_OP_sextend) &&
                    vtype(f, ir_inst_args(f, d)[0]) == t)
                    return become(f, inst, ir_inst_args(f, d)[0]);
            }
            return false;
        case IR_OP_bnot: case IR_OP_ineg: {
            uint32_t d = opt_value_def(f, a[0]);    /* involutions */
            if (!cx && d != IR_NONE && f->insts.v[d].op == op && f->insts.v[d].block != IR_NONE)
                return become(f, inst, ir_inst_args(f, d)[0]);
            break;
        }
        default:
            break;
        }
        if (cx && fn == n && eval_unary(op, n, x, &r))
            return become_const(f, inst, r);
        return false;
    }
    case IR_FMT_IntCompare: {
        ir_type ct = vtype(f, a[0]);
        if (!is_scalar_int(ct))
            return false;
        unsigned cn = ir_type_bits(ct);
        if (a[0] == a[1]) {
            unsigned cc = in->cond;
            bool eq = cc == IR_INTCC_eq || cc == IR_INTCC_sge || cc == IR_INTCC_sle || cc == IR_INTCC_uge ||
                      cc == IR_INTCC_ule;
            return become_const(f, inst, eq);
        }
        if (cx && cy)
            return become_const(f, inst, eval_icmp(in->cond, cn, x, y));
        if (cx) {   /* constant to the right */
            uint32_t sw[2] = {a[1], a[0]};
            opt_set_args(f, inst, 2, sw);
            f->insts.v[inst].cond = (uint8_t)swap_cc(in->cond);
            return true;
        }
        return false;
    }
    case IR_FMT_Binary: {
        bool shift = op == IR_OP_ishl || op == IR_OP_ushr || op == IR_OP_sshr || op == IR_OP_rotl ||
                     op == IR_OP_rotr;
        if (vtype(f, a[0]) != t || (!shift && vtype(f, a[1]) != t))
            return false;   /* iconcat and friends */
        if (cx && cy && eval_binary(op, n, x, y, &r))
            return become_const(f, inst, r);
        if (commutative(op) && (cx ? !cy : !cy && a[0] > a[1])) {  /* as for icmp: one form */
            uint32_t sw[2] = {a[1], a[0]};
            opt_set_args(f, inst, 2, sw);
            return true;
        }
        if (a[0] == a[1]) {
            switch (op) {
            case IR_OP_isub: case IR_OP_bxor: return become_const(f, inst, 0);
            case IR_OP_band: case IR_OP_bor: case IR_OP_smin: case IR_OP_smax: case IR_OP_umin:
            case IR_OP_umax:
                return become(f, inst, a[0]);
            default: break;
            }
        }
        if (cy && !cx)
            return simplify_const_rhs(o, inst, n, a[0], y);
        if (cx && x == 0 && (op == IR_OP_ishl || op == IR_OP_ushr || op == IR_OP_sshr ||
                             op == IR_OP_rotl || op == IR_OP_rotr))
            return become_const(f, inst, 0);
        return false;
    }
    default:
        return false;
    }
}

/* ---- branches ---------------------------------------------------------------- */

/* brif, trapz or trapnz of `icmp eq|ne x, 0` tests x itself (the targets
 * swapped, or the trap's sense flipped, for eq): one instruction less, and
 * a `band x, imm` under it becomes a bit test at the branch. */
static void test_directly(ir_function *f, uint32_t i)
{
    uint32_t cnd = ir_inst_args(f, i)[0], d = opt_value_def(f, cnd);
    u128 z;
    if (d == IR_NONE || f->insts.v[d].op != IR_OP_icmp)
        return;
    const ir_inst_data *cmp = &f->insts.v[d];
    uint32_t x = ir_inst_args(f, d)[0];
    ir_type t = vtype(f, x);
    if ((cmp->cond != IR_INTCC_eq && cmp->cond != IR_INTCC_ne) || t < IR_I8 || t > IR_I64 ||
        !opt_const_of(f, ir_inst_args(f, d)[1], &z) || z != 0)
        return;
    ir_inst_data *in = &f->insts.v[i];
    if (cmp->cond == IR_INTCC_eq) {
        if (in->op == IR_OP_brif) {
            uint32_t tmp = f->pool.v[in->ent];
            f->pool.v[in->ent] = f->pool.v[in->ent + 1];
            f->pool.v[in->ent + 1] = tmp;
        } else {
            in->op = in->op == IR_OP_trapz ? IR_OP_trapnz : IR_OP_trapz;
        }
    }
    f->pool.v[in->args] = x;
    in->type = t;   /* the controlling type, as the reader sets it */
}

bool opt_fold_branches(opt_fn *o)
{
    ir_function *f = o->f;
    bool changed = false;
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        for (uint32_t i = f->blocks.v[b].first, nx; i != IR_NONE; i = nx) {
            nx = f->insts.v[i].next;
            ir_inst_data *in = &f->insts.v[i];
            u128 c;
            if ((in->op == IR_OP_trapz || in->op == IR_OP_trapnz) && opt_const_of(f, ir_inst_args(f, i)[0], &c) &&
                (c != 0) == (in->op == IR_OP_trapz)) {
                ir_inst_remove(f, i);   /* cannot fire */
                continue;
            }
            if (in->op == IR_OP_brif || in->op == IR_OP_trapz || in->op == IR_OP_trapnz)
                test_directly(f, i);
            in = &f->insts.v[i];
            if ((in->op == IR_OP_brif || in->op == IR_OP_br_table) && opt_const_of(f, ir_inst_args(f, i)[0], &c)) {
                uint32_t call;
                if (in->op == IR_OP_brif)
                    call = f->pool.v[in->ent + (c ? 0 : 1)];
                else {
                    uint32_t n = f->pool.v[in->ent];   /* default first, then the table */
                    call = f->pool.v[in->ent + 1 + (c < n - 1 ? (uint32_t)c + 1 : 0)];
                }
                in->op = IR_OP_jump;
                in->type = 0;
                in->nargs = 0;
                in->ent = call;
                changed = true;
            }
        }
    }
    return changed;
}
