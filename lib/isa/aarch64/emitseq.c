/* AArch64 encoding of the longer sequences: jump tables, tail calls,
 * atomic read-modify-write loops (ldaxr/stlxr), LSE atomics, i128
 * atomics (ldaxp/stlxp). */
#include "a64emit.h"

/* After a try_call's bl: b over the table the unwinder reads at the
 * return address (a64emit.h). */
void a64_emit_exn_table(em *e)
{
    const uint32_t *h = &e->c->f.vlist.v[e->in->disp];
    uint32_t n = h[0], ret = cg_buf_off(B);
    a64_put(e, 0x14000000 | (5 + 3 * n));          /* b over */
    a64_put(e, A64_EXN_MAGIC);
    a64_put(e, e->frame_off);
    a64_put(e, n);
    a64_put(e, e->c->frame.align);
    for (uint32_t k = 0; k < n; k++) {
        a64_put(e, h[1 + 3 * k]);
        a64_put(e, h[2 + 3 * k]);
        cg_buf_fixup(B, cg_buf_off(B), h[3 + 3 * k], CG_FIX_DIFF32, (int32_t)ret);
        a64_put(e, 0);
    }
    cg_buf_data(B, ret + 4, cg_buf_off(B) - ret - 4, CG_DATA_EXN_TABLE);
}

const uint8_t *a64_exn_table_at(const uint8_t *ret)
{
    if ((uintptr_t)ret & 3)
        return NULL;
    const uint32_t *w = (const uint32_t *)ret;
    return (w[0] & 0xfc000000u) == 0x14000000u && w[1] == A64_EXN_MAGIC ? ret + 4 : NULL;
}

static const uint8_t size_bits[9] = {[1] = 0, [2] = 1, [4] = 2, [8] = 3};

/* br_table: bounds check, then a table of 32-bit offsets from the
 * table's start, placed right after the indirect branch. */
void a64_emit_brtable(em *e)
{
    const cg_inst *in = e->in;
    const uint32_t *labels = &e->c->f.vlist.v[in->aux];
    uint32_t n = (uint32_t)in->imm;
    unsigned idx = a64_R(e, 0) & 31, t1 = a64_R(e, 1) & 31, t2 = a64_R(e, 2) & 31;
    if (n <= 1) {
        a64_b(e, labels[0]);
        return;
    }
    if (n - 1 < 4096) {
        a64_enc_alui(e, A64_SUBS, 4, A64_ZR, idx, n - 1);
    } else {
        a64_enc_movi(e, t2, 4, n - 1);
        a64_enc_alu(e, A64_SUBS, 4, A64_ZR, idx, t2, 0, 0);
    }
    a64_bcond(e, A64_HS, labels[0]);
    a64_put(e, 0x10000000 | 4u << 5 | t1);                        /* adr t1, table (+16) */
    a64_put(e, 0xB8A05800 | idx << 16 | t1 << 5 | t2);            /* ldrsw t2, [t1, widx, uxtw #2] */
    a64_enc_alu(e, A64_ADD, 8, t1, t1, t2, 0, 0);
    a64_put(e, 0xD61F0000 | t1 << 5);                             /* br t1 */
    uint32_t base = cg_buf_off(B);
    for (uint32_t k = 1; k < n; k++) {
        cg_buf_fixup(B, cg_buf_off(B), labels[k], CG_FIX_DIFF32, (int32_t)base);
        cg_put4(B, 0);
    }
}

/* return_call: the stack arguments (built in the outgoing area) go to the
 * top of the tail argument area; free the frame so that sp points at
 * them; authenticate the return address; branch. */
void a64_emit_retcall(em *e)
{
    const cg_inst *in = e->in;
    int64_t n = in->disp, t = in->imm;
    const cg_inst *keep = e->in;
    e->in = NULL;
    for (int64_t k = 0; k < n; k += 8) {
        a64_ldst(e, 1, false, 8, A64_TMP, A64_SP, k);
        a64_ldst(e, 0, false, 8, A64_TMP, A64_FP, 16 + t - n + k);
    }
    e->in = keep;
    a64_teardown(e, (uint32_t)(t - n));
    if (e->pac && !e->frameless)
        a64_put(e, e->pac_zero ? 0xD503239F : 0xD50323BF);   /* autiaz / autiasp */
    if (in->cc) {
        a64_put(e, 0xD61F0000 | 15u << 5);                   /* br x15 */
    } else {
        const ir_inst_data *ii = in->ir != CG_NONE ? &e->c->fn->insts.v[in->ir] : NULL;
        cg_buf_reloc(B, cg_buf_off(B), JIT_R_A64_JUMP26, e->c->f.syms.v[in->aux], 0, ii ? ii->line : 0,
                     ii ? ii->col : 0);
        a64_put(e, 0x14000000);
    }
}

static void ldaxr(em *e, unsigned size, unsigned rt, unsigned rn)
{
    a64_trap_here(e);
    a64_put(e, (uint32_t)size_bits[size] << 30 | 0x085FFC00 | (rn & 31) << 5 | (rt & 31));
}

static void stlxr(em *e, unsigned size, unsigned rs, unsigned rt, unsigned rn)
{
    a64_trap_here(e);
    a64_put(e, (uint32_t)size_bits[size] << 30 | 0x0800FC00 | (rs & 31) << 16 | (rn & 31) << 5 | (rt & 31));
}

static void cbnz_back(em *e, unsigned rt, uint32_t label)
{
    uint32_t w = 0x34000000 | (rt & 31);
    a64_bcc_word(e, w | 1u << 24, w, false, label);
}

/* old = [p]; t = old OP x; retry while the exclusive store fails */
void a64_emit_rmw_loop(em *e)
{
    const cg_inst *in = e->in;
    unsigned size = in->size, asz = size == 8 ? 8 : 4;
    unsigned p = a64_R(e, 0), x = a64_R(e, 1), old = a64_R(e, 2), t = a64_R(e, 3), s = a64_R(e, 4);
    uint32_t again = cg_buf_new_label(B);
    cg_buf_bind(B, again);
    ldaxr(e, size, old, p);
    unsigned val = t;
    switch (in->cc) {
    case IR_RMW_add: a64_enc_alu(e, A64_ADD, asz, t, old, x, 0, 0); break;
    case IR_RMW_sub: a64_enc_alu(e, A64_SUB, asz, t, old, x, 0, 0); break;
    case IR_RMW_and: a64_enc_alu(e, A64_AND, asz, t, old, x, 0, 0); break;
    case IR_RMW_or: a64_enc_alu(e, A64_ORR, asz, t, old, x, 0, 0); break;
    case IR_RMW_xor: a64_enc_alu(e, A64_EOR, asz, t, old, x, 0, 0); break;
    case IR_RMW_nand:
        a64_enc_alu(e, A64_AND, asz, t, old, x, 0, 0);
        a64_enc_alu(e, A64_ORN, asz, t, A64_ZR, t, 0, 0);
        break;
    case IR_RMW_xchg:
        val = x;
        break;
    default: {      /* min/max: compare at the width, keep old if it wins */
        bool sign = in->cc == IR_RMW_smin || in->cc == IR_RMW_smax;
        unsigned cc = in->cc == IR_RMW_umin ? A64_LO : in->cc == IR_RMW_umax ? A64_HI
                    : in->cc == IR_RMW_smin ? A64_LT : A64_GT;
        if (size < 4) {
            unsigned ext = (sign ? A64_OP2_SXTB : A64_OP2_UXTB) + (size == 2);
            unsigned a = old;
            if (sign) {
                a64_enc_bfm(e, A64_SBFM, 4, t, old, 0, 8 * size - 1);
                a = t;
            }
            a64_enc_alu(e, A64_SUBS, 4, A64_ZR, a, x, ext, 0);
        } else {
            a64_enc_alu(e, A64_SUBS, asz, A64_ZR, old, x, 0, 0);
        }
        a64_put(e, (asz == 8 ? 1u << 31 : 0) | 0x1A800000 | (x & 31) << 16 | (uint32_t)cc << 12 | (old & 31) << 5 |
                       (t & 31));     /* csel t, old, x, cc */
        break;
    }
    }
    stlxr(e, size, s, val, p);
    cbnz_back(e, s, again);
}

void a64_emit_cas_loop(em *e)
{
    const cg_inst *in = e->in;
    unsigned size = in->size;
    unsigned p = a64_R(e, 0), ex = a64_R(e, 1), nw = a64_R(e, 2), old = a64_R(e, 3), s = a64_R(e, 4);
    uint32_t again = cg_buf_new_label(B), done = cg_buf_new_label(B);
    cg_buf_bind(B, again);
    ldaxr(e, size, old, p);
    if (size < 4)
        a64_enc_alu(e, A64_SUBS, 4, A64_ZR, old, ex, size == 1 ? A64_OP2_UXTB : A64_OP2_UXTH, 0);
    else
        a64_enc_alu(e, A64_SUBS, size, A64_ZR, old, ex, 0, 0);
    a64_bcond(e, A64_NE, done);
    stlxr(e, size, s, nw, p);
    cbnz_back(e, s, again);
    cg_buf_bind(B, done);
}

/* ld<op>al / swpal: the old value comes back, memory gets old OP x */
void a64_emit_lse(em *e)
{
    const cg_inst *in = e->in;
    static const uint16_t op[IR_RMW_COUNT] = {
        [IR_RMW_add] = 0x0000, [IR_RMW_sub] = 0x0000, [IR_RMW_and] = 0x1000, [IR_RMW_xor] = 0x2000,
        [IR_RMW_or] = 0x3000, [IR_RMW_smax] = 0x4000, [IR_RMW_smin] = 0x5000, [IR_RMW_umax] = 0x6000,
        [IR_RMW_umin] = 0x7000, [IR_RMW_xchg] = 0x8000,
    };
    a64_trap_here(e);
    a64_put(e, (uint32_t)size_bits[in->size] << 30 | 0x38E00000 | op[in->cc] | (a64_R(e, 1) & 31) << 16 |
                   (a64_R(e, 0) & 31) << 5 | (a64_R(e, 2) & 31));
}

/* i128: ldaxp/stlxp around the operation on both halves */
void a64_emit_rmw128(em *e)
{
    const cg_inst *in = e->in;
    unsigned p = a64_R(e, 0), xl = a64_R(e, 1), xh = a64_R(e, 2), nl = a64_R(e, 3), nh = a64_R(e, 4);
    unsigned lo = a64_R(e, 5), hi = a64_R(e, 6), t1 = a64_R(e, 7), t2 = a64_R(e, 8), s = a64_R(e, 9);
    uint32_t again = cg_buf_new_label(B), done = cg_buf_new_label(B);
    cg_buf_bind(B, again);
    a64_trap_here(e);
    a64_put(e, 0xC87F8000 | (hi & 31) << 10 | (p & 31) << 5 | (lo & 31));     /* ldaxp lo, hi, [p] */
    unsigned vl = t1, vh = t2;
    switch (in->cc) {
    case IR_RMW_COUNT:      /* cas */
        a64_enc_alu(e, A64_SUBS, 8, A64_ZR, lo, xl, 0, 0);
        a64_put(e, 0xFA400000 | (xh & 31) << 16 | (uint32_t)A64_EQ << 12 | (hi & 31) << 5);   /* ccmp hi, xh, #0, eq */
        a64_bcond(e, A64_NE, done);
        vl = nl, vh = nh;
        break;
    case IR_RMW_COUNT + 1:  /* load: store the same back */
        vl = lo, vh = hi;
        break;
    case IR_RMW_COUNT + 2: case IR_RMW_xchg:
        vl = xl, vh = xh;
        break;
    case IR_RMW_add: case IR_RMW_sub: {
        bool add = in->cc == IR_RMW_add;
        a64_enc_alu(e, add ? A64_ADDS : A64_SUBS, 8, t1, lo, xl, 0, 0);
        a64_enc_alu(e, add ? A64_ADC : A64_SBC, 8, t2, hi, xh, 0, 0);
        break;
    }
    case IR_RMW_and: case IR_RMW_nand: case IR_RMW_or: case IR_RMW_xor: {
        unsigned op = in->cc == IR_RMW_or ? A64_ORR : in->cc == IR_RMW_xor ? A64_EOR : A64_AND;
        a64_enc_alu(e, op, 8, t1, lo, xl, 0, 0);
        a64_enc_alu(e, op, 8, t2, hi, xh, 0, 0);
        if (in->cc == IR_RMW_nand) {
            a64_enc_alu(e, A64_ORN, 8, t1, A64_ZR, t1, 0, 0);
            a64_enc_alu(e, A64_ORN, 8, t2, A64_ZR, t2, 0, 0);
        }
        break;
    }
    default: {      /* min/max: flags of old - x over 128 bits, keep old if it wins */
        unsigned cc = in->cc == IR_RMW_umin ? A64_LO : in->cc == IR_RMW_umax ? A64_HS
                    : in->cc == IR_RMW_smin ? A64_LT : A64_GE;
        a64_enc_alu(e, A64_SUBS, 8, A64_ZR, lo, xl, 0, 0);
        a64_enc_alu(e, A64_SBCS, 8, A64_ZR, hi, xh, 0, 0);
        a64_put(e, 0x9A800000 | (xl & 31) << 16 | (uint32_t)cc << 12 | (lo & 31) << 5 | (t1 & 31));
        a64_put(e, 0x9A800000 | (xh & 31) << 16 | (uint32_t)cc << 12 | (hi & 31) << 5 | (t2 & 31));
        break;
    }
    }
    a64_trap_here(e);
    a64_put(e, 0xC8208000 | (s & 31) << 16 | (vh & 31) << 10 | (p & 31) << 5 | (vl & 31));  /* stlxp */
    cbnz_back(e, s, again);
    cg_buf_bind(B, done);
}
