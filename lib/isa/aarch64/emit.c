/* AArch64 encoding: VCode with allocations -> instruction words.  The
 * encoders of each instruction class, the allocator's moves, prologue and
 * epilogue, then each machine opcode (then the longer sequences and Neon).
 * Frame, from high to low addresses:
 *
 *   incoming stack args     [fp + 16 + grow ..]
 *   saved fp, lr            [fp]          (paciasp first with pac-ret)
 *   saved callee-saved registers, in pairs
 *   spill slots, stack slots, outgoing args [sp ..]   16-byte aligned
 *
 * Branches are emitted short (b.cond/cbz ±1 MiB, tbz ±32 KiB); if the code
 * buffer finds one out of range, the whole function is emitted again with
 * the long forms (an inverted short branch over a `b`, inline traps). */
#include "a64.h"

#include <string.h>

#define B (e->b)
#define SF(size) ((size) == 8 ? 1u << 31 : 0)
#define A64_PAD_MAX (16u << 20)   /* bb_padding per function, in all */

/* ---- encoders ---------------------------------------------------------------- */

/* What an instruction word needs beyond ARMv8.0-A (as qemu's cortex-a53). */
static uint64_t word_needs(uint32_t w)
{
    if ((w & 0x3f200c00) == 0x38200000 ||      /* ldadd ldclr ldeor ldset ld{s,u}{max,min} swp */
        (w & 0x3fa07c00) == 0x08a07c00 ||      /* cas */
        (w & 0xbfa07c00) == 0x08207c00)        /* casp */
        return 1ull << CG_ISA_lse;
    if (w == 0xd65f0bff || w == 0xd65f0fff ||  /* retaa retab */
        (w & 0xffffc000) == 0xdac10000)        /* pac* aut* xpac* with registers */
        return 1ull << CG_ISA_pauth;
    if ((w & 0x9fe0fc00) == 0x0e809400 || (w & 0x9fc0f400) == 0x0f80e000)
        return 1ull << CG_ISA_dotprod;         /* sdot udot (vector, by element) */
    /* scalar floating point with ftype 11 (half precision): arithmetic,
     * compares, selects, immediates, conversions; fcvt from h is ARMv8.0 */
    bool fcvt = (w & 0xffe07c00) == 0x1ee04000 && (w >> 17 & 0xf) == 1;
    if (((w & 0x7fe00000) == 0x1ee00000 && !fcvt) || (w & 0xffc00000) == 0x1fc00000)
        return 1ull << CG_ISA_fp16;
    return 0;
}

void a64_put(em *e, uint32_t w)
{
    cg_need_isa(&e->need, e->c, e->in, word_needs(w));
    cg_put4(B, w);
}

void a64_trap_here(em *e)
{
    int64_t code = e->in ? e->in->imm : IR_TRAP_NONE;
    if (code != IR_TRAP_NONE)
        cg_buf_trap(B, (uint32_t)code);
}

unsigned a64_R(em *e, unsigned k)
{
    uint32_t a = e->c->f.allocs.v[e->in->opnd + k];
    if (cg_alloc_is_slot(a)) {
        e->ok = false;
        return 0;
    }
    return a;
}

/* movz/movn/movk or an orr of a bitmask: rd = imm (size 4: the low 32 bits) */
void a64_enc_movi(em *e, unsigned rd, unsigned size, uint64_t x)
{
    rd &= 31;
    uint32_t sf = SF(size), enc;
    unsigned n = size == 8 ? 4 : 2;
    if (size == 4)
        x &= 0xffffffffu;
    unsigned zeros = 0, ones = 0;
    for (unsigned k = 0; k < n; k++) {
        unsigned h = (unsigned)(x >> 16 * k) & 0xffff;
        zeros += h == 0, ones += h == 0xffff;
    }
    if (zeros < n - 1 && ones < n - 1 && a64_logical_imm(x, size, &enc)) {
        a64_put(e, sf | 0x32000000 | (enc & 0x1fff) << 10 | 31 << 5 | rd);    /* orr rd, zr, #x */
        return;
    }
    if (x == 0 || zeros == n || ones == n) {     /* movz #0 / movn #0 */
        a64_put(e, sf | (x ? 0x12800000 : 0x52800000) | rd);
        return;
    }
    bool inv = ones > zeros;
    bool first = true;
    for (unsigned k = 0; k < n; k++) {
        unsigned h = (unsigned)(x >> 16 * k) & 0xffff;
        if (h == (inv ? 0xffff : 0) && !(first && k == n - 1))
            continue;
        if (first) {    /* movn writes ~imm, movz imm */
            a64_put(e, sf | (inv ? 0x12800000 : 0x52800000) | k << 21 | (inv ? ~h & 0xffff : h) << 5 | rd);
            first = false;
        } else {
            a64_put(e, sf | 0x72800000 | k << 21 | h << 5 | rd);
        }
    }
}

/* ALU register forms; ZR is 31 except that extended forms read SP as Rn. */
void a64_enc_alu(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned rm, unsigned op2,
                 unsigned amount)
{
    uint32_t sf = SF(size);
    rd &= 31, rn &= 31, rm &= 31;
    uint32_t regs = rm << 16 | rn << 5 | rd;
    switch (op) {
    case A64_ADD: case A64_ADDS: case A64_SUB: case A64_SUBS: {
        uint32_t base = sf | (op >= A64_SUB ? 1u << 30 : 0) | (op == A64_ADDS || op == A64_SUBS ? 1u << 29 : 0);
        if (op2 >= A64_OP2_UXTB)
            a64_put(e, base | 0x0B200000 | (op2 - A64_OP2_UXTB) << 13 | amount << 10 | regs);
        else
            a64_put(e, base | 0x0B000000 | (op2 ? op2 - 1 : 0) << 22 | amount << 10 | regs);
        return;
    }
    case A64_AND: case A64_ANDS: case A64_ORR: case A64_EOR: case A64_BIC: case A64_ORN: case A64_EON:
    case A64_BICS: {
        static const uint8_t opc[] = {[A64_AND] = 0, [A64_ANDS] = 3, [A64_ORR] = 1, [A64_EOR] = 2,
                                      [A64_BIC] = 0, [A64_ORN] = 1, [A64_EON] = 2, [A64_BICS] = 3};
        uint32_t neg = op == A64_BIC || op == A64_ORN || op == A64_EON || op == A64_BICS;
        a64_put(e, sf | (uint32_t)opc[op] << 29 | 0x0A000000 | (op2 ? op2 - 1 : 0) << 22 | neg << 21 |
                       amount << 10 | regs);
        return;
    }
    case A64_ADC: case A64_ADCS: case A64_SBC: case A64_SBCS:
        a64_put(e, sf | (op >= A64_SBC ? 1u << 30 : 0) | (op == A64_ADCS || op == A64_SBCS ? 1u << 29 : 0) |
                       0x1A000000 | regs);
        return;
    case A64_LSLV: case A64_LSRV: case A64_ASRV: case A64_RORV:
        a64_put(e, sf | 0x1AC02000 | (op - A64_LSLV) << 10 | regs);
        return;
    case A64_UDIV: case A64_SDIV:
        a64_put(e, sf | 0x1AC00000 | (op == A64_UDIV ? 2u : 3u) << 10 | regs);
        return;
    case A64_MUL:
        a64_put(e, sf | 0x1B000000 | 31 << 10 | regs);
        return;
    case A64_SMULH: case A64_UMULH:
        a64_put(e, (op == A64_SMULH ? 0x9B400000 : 0x9BC00000) | 31 << 10 | regs);
        return;
    default:
        e->ok = false;
    }
}

/* ALU immediate forms (the lowering checked the encoding); add/sub read SP
 * as 31. */
void a64_enc_alui(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, uint64_t imm)
{
    uint32_t sf = SF(size), enc;
    rd &= 31, rn &= 31;
    switch (op) {
    case A64_ADD: case A64_ADDS: case A64_SUB: case A64_SUBS: {
        uint32_t base = sf | (op >= A64_SUB ? 1u << 30 : 0) | (op == A64_ADDS || op == A64_SUBS ? 1u << 29 : 0);
        if (imm < 4096)
            a64_put(e, base | 0x11000000 | (uint32_t)imm << 10 | rn << 5 | rd);
        else if (!(imm & 0xfff) && imm < (4096u << 12))
            a64_put(e, base | 0x11400000 | (uint32_t)(imm >> 12) << 10 | rn << 5 | rd);
        else
            e->ok = false;
        return;
    }
    case A64_AND: case A64_ANDS: case A64_ORR: case A64_EOR: {
        static const uint8_t opc[] = {[A64_AND] = 0, [A64_ANDS] = 3, [A64_ORR] = 1, [A64_EOR] = 2};
        if (!a64_logical_imm(imm, size, &enc)) {
            e->ok = false;
            return;
        }
        a64_put(e, sf | (uint32_t)opc[op] << 29 | 0x12000000 | (enc & 0x1fff) << 10 | rn << 5 | rd);
        return;
    }
    default:
        e->ok = false;
    }
}

void a64_enc_bfm(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned immr, unsigned imms)
{
    uint32_t sf = SF(size);
    a64_put(e, sf | (uint32_t)op << 29 | 0x13000000 | (sf ? 1u << 22 : 0) | immr << 16 | imms << 10 |
                   (rn & 31) << 5 | (rd & 31));
}

void a64_enc_shift(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned n)
{
    unsigned w = size == 8 ? 64 : 32;
    n &= w - 1;
    switch (op) {
    case A64_LSL: a64_enc_bfm(e, A64_UBFM, size, rd, rn, (w - n) & (w - 1), w - 1 - n); break;
    case A64_LSR: a64_enc_bfm(e, A64_UBFM, size, rd, rn, n, w - 1); break;
    case A64_ASR: a64_enc_bfm(e, A64_SBFM, size, rd, rn, n, w - 1); break;
    default:        /* ror: extr rd, rn, rn, #n */
        a64_put(e, SF(size) | 0x13800000 | (size == 8 ? 1u << 22 : 0) | (rn & 31) << 16 | n << 10 |
                       (rn & 31) << 5 | (rd & 31));
    }
}

/* rd = rn + imm for any imm, through x17 when it does not encode; rn may
 * be SP, rd may be SP too. */
void a64_add_imm(em *e, unsigned rd, unsigned rn, int64_t imm)
{
    uint64_t a = imm < 0 ? (uint64_t)-imm : (uint64_t)imm;
    unsigned op = imm < 0 ? A64_SUB : A64_ADD;
    if (imm == 0 && rd == rn)
        return;
    if (a < 4096 || (!(a & 0xfff) && a < (4096u << 12))) {
        a64_enc_alui(e, op, 8, rd, rn, a);
    } else if (a < (1u << 24)) {
        a64_enc_alui(e, op, 8, rd, rn, a & ~0xfffull);
        a64_enc_alui(e, op, 8, rd, rd, a & 0xfff);
    } else {
        a64_enc_movi(e, A64_TMP2, 8, (uint64_t)imm);
        a64_put(e, 0x8B206000 | (A64_TMP2 & 31) << 16 | (rn & 31) << 5 | (rd & 31));  /* add rd, rn, x17, uxtx */
    }
}

/* A load or store of `width` bytes between rt and [base + disp]; kind:
 * 0 store, 1 load (zero-extend), 2 load sign-extended to 64, 3 to 32.
 * fp: rt is a float register.  Address scratch: x17. */
void a64_ldst(em *e, unsigned kind, bool fp, unsigned width, unsigned rt, unsigned base, int64_t disp)
{
    static const uint8_t sz[17] = {[1] = 0, [2] = 1, [4] = 2, [8] = 3, [16] = 0};
    uint32_t size = sz[width], v = fp ? 1u << 26 : 0, opc = kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? 2 : 3;
    if (fp && width == 16)
        opc = kind == 0 ? 2 : 3;
    uint32_t regs = (base & 31) << 5 | (rt & 31);
    if (disp >= 0 && disp % width == 0 && disp / width < 4096) {
        a64_trap_here(e);
        a64_put(e, size << 30 | 0x39000000 | v | opc << 22 | (uint32_t)(disp / width) << 10 | regs);
    } else if (disp >= -256 && disp < 256) {
        a64_trap_here(e);
        a64_put(e, size << 30 | 0x38000000 | v | opc << 22 | ((uint32_t)disp & 0x1ff) << 12 | regs);
    } else {
        a64_add_imm(e, A64_TMP2, base, disp);
        a64_trap_here(e);
        a64_put(e, size << 30 | 0x39000000 | v | opc << 22 | (A64_TMP2 & 31) << 5 | (rt & 31));
    }
}

/* [base, index{, lsl|uxtw|sxtw #scale}]: ext 0 lsl, 1 uxtw, 2 sxtw */
static void ldst_index(em *e, unsigned kind, bool fp, unsigned width, unsigned rt, unsigned base, unsigned index,
                       unsigned scale, unsigned ext)
{
    static const uint8_t sz[17] = {[1] = 0, [2] = 1, [4] = 2, [8] = 3, [16] = 0};
    static const uint8_t option[3] = {3, 2, 6};
    uint32_t v = fp ? 1u << 26 : 0, opc = kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? 2 : 3;
    if (fp && width == 16)      /* ldr/str q: opc 1x; a scaled index shifts by 4 */
        opc = kind == 0 ? 2 : 3;
    a64_trap_here(e);
    a64_put(e, (uint32_t)sz[width] << 30 | 0x38200800 | v | opc << 22 | (index & 31) << 16 |
                   (uint32_t)option[ext] << 13 | (scale ? 1u << 12 : 0) | (base & 31) << 5 | (rt & 31));
}

/* ---- the memory operand -------------------------------------------------------- */

typedef struct mem { unsigned base, index, scale, ext; int64_t disp; } mem;

static mem mem_of(em *e, unsigned k)
{
    const cg_inst *in = e->in;
    mem m = {A64_SP, CG_NONE, in->scale, 0, in->disp};
    switch (in->amode) {
    case A64_AM_BASE: m.base = a64_R(e, k); break;
    case A64_AM_INDEX: m.base = a64_R(e, k), m.index = a64_R(e, k + 1), m.ext = in->aux; break;
    case A64_AM_SLOT: m.disp += e->c->frame.slot_off.v[in->aux]; break;
    case A64_AM_INARG:
        if (e->frameless)       /* sp is still the caller's */
            break;
        m.base = A64_FP, m.disp += 16 + (int64_t)e->c->f.arg_grow;
        break;
    case A64_AM_OUTARG: break;
    default: e->ok = false; break;
    }
    return m;
}

static void access(em *e, unsigned kind, bool fp, unsigned width, unsigned rt, unsigned k)
{
    mem m = mem_of(e, k);
    if (m.index != CG_NONE)
        ldst_index(e, kind, fp, width, rt, m.base, m.index, m.scale, m.ext);
    else
        a64_ldst(e, kind, fp, width, rt, m.base, m.disp);
}

/* ---- moves of the allocator -------------------------------------------------------- */

/* Float registers move whole (an f128 or a vector lives in all of it);
 * wide_spill functions spill them in 16-byte slots, others 8. */
static void move(em *e, uint32_t from, uint32_t to, unsigned cls)
{
    const cg_inst *keep = e->in;
    e->in = NULL;   /* no trap records for these */
    uint32_t spill = e->c->frame.spill_off;
    /* wide_spill (an f128 or a vector in the function): 16-byte slots, and
     * float registers go whole */
    unsigned ss = e->c->f.wide_spill ? 16 : 8, fw = ss;
    if (cg_alloc_is_slot(from) && cg_alloc_is_slot(to)) {
        for (unsigned k = 0; k < ss; k += 8) {
            a64_ldst(e, 1, false, 8, A64_TMP, A64_SP, spill + ss * (int64_t)cg_alloc_slot(from) + k);
            a64_ldst(e, 0, false, 8, A64_TMP, A64_SP, spill + ss * (int64_t)cg_alloc_slot(to) + k);
        }
    } else if (cg_alloc_is_slot(from)) {
        a64_ldst(e, 1, to >= A64_V0, to >= A64_V0 ? fw : 8, to, A64_SP, spill + ss * (int64_t)cg_alloc_slot(from));
    } else if (cg_alloc_is_slot(to)) {
        a64_ldst(e, 0, from >= A64_V0, from >= A64_V0 ? fw : 8, from, A64_SP, spill + ss * (int64_t)cg_alloc_slot(to));
    } else if (from >= A64_V0 && to >= A64_V0) {
        a64_vmov(e, to, from);
    } else if (from >= A64_V0) {
        a64_put(e, 0x9E660000 | (from & 31) << 5 | (to & 31));      /* fmov x, d */
    } else if (to >= A64_V0) {
        a64_put(e, 0x9E670000 | (from & 31) << 5 | (to & 31));      /* fmov d, x */
    } else {
        a64_enc_alu(e, A64_ORR, 8, to, A64_ZR, from, 0, 0);         /* mov */
    }
    e->in = keep;
}

/* ---- frame ------------------------------------------------------------------------ */

void a64_sp_adjust(em *e, int64_t n)
{
    if (n)
        a64_add_imm(e, A64_SP, A64_SP, n);
}

/* stp/ldp of a pair (or str/ldr of one) at [sp, #-16]! / [sp], #16 */
static void push_pair(em *e, bool load, bool fp, unsigned r1, unsigned r2)
{
    if (r2 == CG_NONE) {    /* one register in a 16-byte slot: str/ldr pre/post-indexed */
        uint32_t size = 3, v = fp ? 1u << 26 : 0;
        if (load)
            a64_put(e, size << 30 | 0x38000400 | v | 1u << 22 | 16u << 12 | 31 << 5 | (r1 & 31));
        else
            a64_put(e, size << 30 | 0x38000C00 | v | (0x1f0u) << 12 | 31 << 5 | (r1 & 31));
        return;
    }
    uint32_t base = fp ? (load ? 0x6CC00000 : 0x6D800000) : (load ? 0xA8C00000 : 0xA9800000);
    uint32_t imm7 = load ? 2 : 0x7e;        /* +16 / -16, scaled by 8 */
    a64_put(e, base | imm7 << 15 | (r2 & 31) << 10 | 31 << 5 | (r1 & 31));
}

/* Touch the `size` bytes below sp every probe step from the top down, as
 * Cranelift's inline probestack does: up to 3 times `sub sp, sp, #step;
 * str wzr, [sp]` (sp ends that much lower; returned), else a loop of
 * stores below sp on x16 (counting down) and x17 (the end), which leaves
 * sp alone.  The stores are stk_ovf trap sites. */
static uint32_t probe(em *e, uint32_t size)
{
    uint32_t step = cg_probe_step(e->c->target), n = size / step;
    if (n == 0)
        return 0;
    if (n <= 3) {
        for (uint32_t k = 0; k < n; k++) {
            a64_sp_adjust(e, -(int64_t)step);
            cg_buf_trap(B, IR_TRAP_stk_ovf);
            a64_put(e, 0xB90003FF);                             /* str wzr, [sp] */
        }
        return n * step;
    }
    a64_enc_movi(e, A64_TMP, 8, 0);
    a64_enc_movi(e, A64_TMP2, 8, (uint64_t)n * step);
    uint32_t loop = cg_buf_new_label(B);
    cg_buf_bind(B, loop);
    a64_enc_alui(e, A64_SUB, 8, A64_TMP, A64_TMP, step);
    cg_buf_trap(B, IR_TRAP_stk_ovf);
    a64_put(e, 0xB8206800 | (A64_TMP & 31) << 16 | 31 << 5 | 31);    /* str wzr, [sp, x16] */
    a64_enc_alu(e, A64_ADDS, 8, A64_ZR, A64_TMP, A64_TMP2, 0, 0);    /* cmn x16, x17 */
    a64_bcond(e, A64_GT, loop);
    return 0;
}

/* sub sp, sp, size, with probes when that passes a probe step */
static void stack_alloc(em *e, uint32_t size)
{
    a64_sp_adjust(e, -(int64_t)(size - probe(e, size)));
}

/* A leaf that needs no stack, saves nothing and never looks at its frame
 * runs without one (and so without pac-ret), as in Cranelift. */
static bool needs_frame(em *e)
{
    cg_ctx *c = e->c;
    const cg_func *f = &c->f;
    if (c->target->preserve_frame_pointers || c->frame.saved || c->frame.size || f->arg_grow)
        return true;
    for (uint32_t i = 0; i < f->insts.n; i++) {
        const cg_inst *in = &f->insts.v[i];
        if (in->op == A64_CALL || in->op == A64_CALLIND || in->op == A64_RETADDR || in->clob ||
            (in->op == A64_RETCALL && in->disp))
            return true;
        for (unsigned k = 0; k < in->nopnd; k++)
            if (f->opnds.v[in->opnd + k].reg == A64_FP || f->opnds.v[in->opnd + k].reg == A64_LR)
                return true;
    }
    return false;
}

static void prologue(em *e)
{
    cg_ctx *c = e->c;
    const cg_frame *fr = &c->frame;
    e->frameless = !needs_frame(e);
    e->nsaved = 0;
    e->locals = e->frame_off = 0;
    if (e->frameless)
        return;
    stack_alloc(e, c->f.arg_grow);
    if (e->pac)
        a64_put(e, e->pac_zero ? 0xD503231F : 0xD503233F);    /* paciaz / paciasp */
    push_pair(e, false, false, A64_FP, A64_LR);
    a64_put(e, 0x910003FD);                                   /* mov x29, sp */
    e->nsaved = 0;
    for (unsigned r = 0; r < 64; r++)      /* with all of them if a throw may skip frames */
        if (fr->saved >> r & 1 && r != A64_FP && r != A64_LR)
            e->saved[e->nsaved++] = (uint8_t)r;
    e->frame_off = 0;
    for (unsigned i = 0; i < e->nsaved; i += 2) {
        bool fp = e->saved[i] >= A64_V0;
        unsigned r2 = i + 1 < e->nsaved && (e->saved[i + 1] >= A64_V0) == fp ? e->saved[i + 1] : CG_NONE;
        push_pair(e, false, fp, e->saved[i], r2);
        e->frame_off += 16;
        if (r2 == CG_NONE)
            i--;
    }
    e->locals = (fr->size + 15) & ~15u;
    e->frame_off += e->locals;
    if (fr->align <= 16) {
        stack_alloc(e, e->locals);
        return;
    }
    /* realign: sp = (fp - frame_off) & -align, up to align - 16 lower than
     * that; probe the most it can be */
    int64_t probed = probe(e, e->locals + fr->align - 16);
    a64_sp_adjust(e, probed - (int64_t)e->locals);
    a64_add_imm(e, A64_TMP, A64_SP, 0);                           /* mov x16, sp */
    a64_enc_alui(e, A64_AND, 8, A64_SP, A64_TMP, -(uint64_t)fr->align); /* and sp, x16, #-align */
}

/* Free the frame: locals, saved registers, fp and lr; then pop bytes of
 * incoming arguments (tail). */
void a64_teardown(em *e, uint32_t pop)
{
    if (e->frameless) {
        a64_sp_adjust(e, pop);
        return;
    }
    if (e->c->frame.align <= 16)
        a64_sp_adjust(e, e->locals);
    else    /* realigned: back to the saved registers from fp */
        a64_add_imm(e, A64_SP, A64_FP, -(int64_t)(e->frame_off - e->locals));
    /* the pushes' grouping, in reverse */
    unsigned groups[40][2], ng = 0;
    for (unsigned i = 0; i < e->nsaved; i += 2) {
        bool fp = e->saved[i] >= A64_V0;
        unsigned r2 = i + 1 < e->nsaved && (e->saved[i + 1] >= A64_V0) == fp ? e->saved[i + 1] : CG_NONE;
        groups[ng][0] = e->saved[i], groups[ng++][1] = r2;
        if (r2 == CG_NONE)
            i--;
    }
    while (ng--)
        push_pair(e, true, groups[ng][0] >= A64_V0, groups[ng][0], groups[ng][1]);
    push_pair(e, true, false, A64_FP, A64_LR);
    a64_sp_adjust(e, pop);
}

static void epilogue(em *e, uint32_t pop)
{
    a64_teardown(e, pop);
    if (e->pac && !e->frameless && !e->pac_zero && (e->c->target->isa >> CG_ISA_pauth & 1)) {
        a64_put(e, 0xD65F0BFF);                     /* retaa */
        return;
    }
    if (e->pac && !e->frameless)
        a64_put(e, e->pac_zero ? 0xD503239F : 0xD50323BF);   /* autiaz / autiasp */
    a64_put(e, 0xD65F03C0);                         /* ret */
}

/* ---- branches -------------------------------------------------------------------- */

void a64_b(em *e, uint32_t label)
{
    cg_buf_fixup(B, cg_buf_off(B), label, A64_FIX_B26, 0);
    a64_put(e, 0x14000000);
}

/* A conditional branch word with its imm19 (imm14 for tbz) to fill, to
 * label; long: the inverted word skips a `b label`. */
void a64_bcc_word(em *e, uint32_t word, uint32_t inverted, bool tbz, uint32_t label)
{
    if (e->long_br) {
        a64_put(e, inverted | 2u << 5);     /* skip the next instruction */
        a64_b(e, label);
        return;
    }
    cg_buf_fixup(B, cg_buf_off(B), label, tbz ? A64_FIX_B14 : A64_FIX_B19, 0);
    a64_put(e, word);
}

void a64_bcond(em *e, unsigned cc, uint32_t label)
{
    a64_bcc_word(e, 0x54000000 | cc, 0x54000000 | (cc ^ 1), false, label);
}

static void cbz(em *e, bool nz, unsigned size, unsigned rt, uint32_t label)
{
    uint32_t w = SF(size) | 0x34000000 | (rt & 31);
    a64_bcc_word(e, w | (nz ? 1u << 24 : 0), w | (nz ? 0 : 1u << 24), false, label);
}

static void udf(em *e, uint32_t code)
{
    cg_buf_trap(B, code);
    a64_put(e, 0x00000000 | (code & 0xffff));
}

/* Trap with code if cc: a branch to the code's island, or inline. */
void a64_trap_if(em *e, unsigned cc, uint32_t code)
{
    if (e->long_br) {
        a64_put(e, 0x54000000 | (cc ^ 1) | 2u << 5);
        udf(e, code);
        return;
    }
    cg_buf_fixup(B, cg_buf_off(B), cg_buf_island(B, code), A64_FIX_B19, 0);
    a64_put(e, 0x54000000 | cc);
}

static void trap_cbz(em *e, bool nz, unsigned size, unsigned rt, uint32_t code)
{
    uint32_t w = SF(size) | 0x34000000 | (rt & 31);
    if (e->long_br) {
        a64_put(e, w | (nz ? 0 : 1u << 24) | 2u << 5);
        udf(e, code);
        return;
    }
    cg_buf_fixup(B, cg_buf_off(B), cg_buf_island(B, code), A64_FIX_B19, 0);
    a64_put(e, w | (nz ? 1u << 24 : 0));
}

/* Two-way branches: fall through to next_label where possible. */
static void branch2(em *e, uint32_t taken, uint32_t other, uint32_t next_label,
                    void (*br)(em *, bool inv, uint32_t label))
{
    if (taken == next_label) {
        br(e, true, other);
    } else {
        br(e, false, taken);
        if (other != next_label)
            a64_b(e, other);
    }
}

static void br_bcond(em *e, bool inv, uint32_t label) { a64_bcond(e, e->in->cc ^ inv, label); }

static void br_cbz(em *e, bool inv, uint32_t label)
{
    cbz(e, (e->in->cc != 0) ^ inv, e->in->size, a64_R(e, 0), label);
}

static void br_tbz(em *e, bool inv, uint32_t label)
{
    unsigned bit = e->in->scale, rt = a64_R(e, 0) & 31;
    uint32_t w = (bit >> 5) << 31 | 0x36000000 | (bit & 31) << 19 | rt;
    bool nz = (e->in->cc != 0) ^ inv;
    a64_bcc_word(e, w | (nz ? 1u << 24 : 0), w | (nz ? 0 : 1u << 24), true, label);
}

/* ---- floating point ---------------------------------------------------------------- */

static uint32_t ftype(unsigned size) { return size == 8 ? 1u << 22 : size == 2 ? 3u << 22 : 0; }   /* d, h, s */

/* The imm8 of fmov (immediate), or -1. */
static int fmov_imm8(unsigned size, uint64_t b)
{
    if (size == 8) {
        if (b & 0xffffffffffffull)
            return -1;
        unsigned bb = (unsigned)(b >> 62) & 1, rep = (unsigned)(b >> 54) & 0xff;
        if (bb == ((b >> 61) & 1) || rep != (((b >> 61) & 1) ? 0xffu : 0))
            return -1;
        return (int)((b >> 63) << 7 | ((b >> 61) & 1) << 6 | ((b >> 48) & 0x3f));
    }
    if (b & 0x7ffff)
        return -1;
    unsigned rep = (unsigned)(b >> 25) & 0x1f;
    if (((b >> 30) & 1) == ((b >> 29) & 1) || rep != (((b >> 29) & 1) ? 0x1fu : 0))
        return -1;
    return (int)((b >> 31) << 7 | ((b >> 29) & 1) << 6 | ((b >> 19) & 0x3f));
}

void a64_fmovi(em *e, unsigned rd, unsigned size, uint64_t bits)
{
    int k;
    if (bits == 0) {
        a64_put(e, 0x2F00E400 | (rd & 31));                                 /* movi d, #0 */
    } else if ((k = fmov_imm8(size, bits)) >= 0) {
        a64_put(e, 0x1E201000 | ftype(size) | (uint32_t)k << 13 | (rd & 31));  /* fmov d, #imm */
    } else {
        a64_enc_movi(e, A64_TMP, size, bits);
        a64_put(e, (size == 8 ? 0x9E670000 : 0x1E270000) | (A64_TMP & 31) << 5 | (rd & 31));
    }
}

/* ---- longer sequences: jump tables, tail calls, atomic read-modify-write
 * loops (ldaxr/stlxr), LSE atomics, i128 atomics (ldaxp/stlxp) -------------- */

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

/* ---- Neon ------------------------------------------------------------------------
 * the operations of a64.h's table as words, and
 * the two machine opcodes that use them (A64_VOP, A64_VCONST).  A row is
 * the instruction word with its registers and variable fields zero; its
 * form says where the arrangement (Q, size or sz) and the immediate go
 * (ARMv8 A64: "Advanced SIMD" encodings).  tests/neon_test.c checks every
 * row against capstone's decoding. */

const a64_neon_row a64_neon[A64_N_COUNT] = {
#define A64_NX(name, word, form, flags) {word, A64_NF_##form, flags},
    A64_NEON(A64_NX)
#undef A64_NX
};

uint32_t a64_neon_word(unsigned op, unsigned arr, unsigned rd, unsigned rn, unsigned rm, int64_t imm)
{
    const a64_neon_row *r = &a64_neon[op];
    uint32_t q = arr & 1, l = arr >> 1, w = r->word | (rd & 31) | (rn & 31) << 5;
    uint32_t k = (uint32_t)imm;
    if (r->flags & A64_NRM)
        w |= (rm & 31) << 16;
    switch (r->form) {
    case A64_NF_SZ: w |= q << 30 | l << 22; break;
    case A64_NF_FSZ: w |= q << 30 | (l == 3) << 22; break;
    case A64_NF_Q: w |= q << 30; break;
    case A64_NF_SHL: w |= q << 30 | ((8u << l) + k) << 16; break;
    case A64_NF_SHR: w |= q << 30 | ((16u << l) - k) << 16; break;
    case A64_NF_ELEM: w |= q << 30 | ((k << (l + 1)) | 1u << l) << 16; break;
    case A64_NF_INS: w |= (((k & 0xff) << (l + 1)) | 1u << l) << 16 | ((k >> 8) << l) << 11; break;
    case A64_NF_EXT: w |= q << 30 | (k & 15) << 11; break;
    default: w |= q << 30 | k; break;     /* A64_NF_IMM */
    }
    return w;
}

/* A64_VOP: [def, use n (, use m)], or [def, use d, use n (, use m)] for a
 * row that reads Rd (the def reuses d's register). */
void a64_emit_vop(em *e)
{
    const cg_inst *in = e->in;
    const a64_neon_row *r = &a64_neon[in->aux];
    unsigned k = r->flags & A64_NRD ? 2 : 1;
    unsigned n = in->nopnd > k ? a64_R(e, k) : 0, m = r->flags & A64_NRM ? a64_R(e, k + 1) : 0;
    a64_put(e, a64_neon_word(in->aux, in->size, a64_R(e, 0), n, m, in->imm));
}

/* orr vd.16b, vn.16b, vn.16b: all 128 bits */
void a64_vmov(em *e, unsigned rd, unsigned rn)
{
    if ((rd & 31) != (rn & 31))
        a64_put(e, a64_neon_word(A64_N_ORR, A64_16B, rd, rn, rn, 0));
}

/* A64_VCONST: ldr d|q from the pool (ldr literal: +-1 MiB); for the long
 * emission (code too large for that) the constant inline, branched over. */
void a64_emit_vconst(em *e)
{
    const cg_inst *in = e->in;
    const cg_func *f = &e->c->f;
    const cg_const *k = &f->consts.v[in->aux];
    unsigned rd = a64_R(e, 0) & 31;
    uint32_t opc = in->size == 16 ? 0x9C000000 : 0x5C000000;      /* ldr q / ldr d, literal */
    if (!e->long_br) {
        cg_buf_fixup(B, cg_buf_off(B), k->label, A64_FIX_B19, 0);
        a64_put(e, opc | rd);
        return;
    }
    a64_put(e, opc | 2u << 5 | rd);                 /* ldr, the word after the b */
    a64_put(e, 0x14000000 | (1 + k->size / 4));     /* b over the constant */
    for (uint32_t i = 0; i < k->size; i += 4) {
        const uint8_t *p = &f->cbytes.v[k->off + i];
        cg_put4(B, (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    }
}


/* ---- one instruction ---------------------------------------------------------------- */

static void emit_inst(em *e, uint32_t next_label)
{
    const cg_inst *in = e->in;
    unsigned size = in->size;
    switch (in->op) {
    case A64_ARGS:
        break;
    case A64_RET:
        epilogue(e, (uint32_t)in->imm);
        break;
    case A64_MOV: {
        unsigned d = a64_R(e, 0), s = a64_R(e, 1);
        if (d != s || size != 8)     /* 31 is ZR here, never SP */
            a64_enc_alu(e, A64_ORR, size, d, A64_ZR, s, 0, 0);
        break;
    }
    case A64_MOVI:
        a64_enc_movi(e, a64_R(e, 0), size, (uint64_t)in->imm);
        break;
    case A64_ALU:
        a64_enc_alu(e, in->cc, size, a64_R(e, 0), a64_R(e, 1), a64_R(e, 2), in->amode, in->scale);
        break;
    case A64_ALUI:
        a64_enc_alui(e, in->cc, size, a64_R(e, 0), a64_R(e, 1), (uint64_t)in->imm);
        break;
    case A64_MADD: {
        static const uint32_t base[] = {0x1B000000, 0x1B008000, 0x9B200000, 0x9BA00000};
        uint32_t sf = in->cc >= 2 ? 0 : SF(size);
        a64_put(e, sf | base[in->cc] | (a64_R(e, 2) & 31) << 16 | (a64_R(e, 3) & 31) << 10 |
                       (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    }
    case A64_SHIFTI:
        a64_enc_shift(e, in->cc, size, a64_R(e, 0), a64_R(e, 1), (unsigned)in->imm);
        break;
    case A64_BFM:
        a64_enc_bfm(e, in->cc, size, a64_R(e, 0), a64_R(e, in->cc == A64_BFMI ? 2 : 1), in->imm & 0xff,
                    (in->imm >> 8) & 0xff);
        break;
    case A64_EXTR:
        a64_put(e, SF(size) | 0x13800000 | (size == 8 ? 1u << 22 : 0) | (a64_R(e, 2) & 31) << 16 |
                       (uint32_t)in->imm << 10 | (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_CMP:
        a64_enc_alu(e, in->cc, size, A64_ZR, a64_R(e, 0), a64_R(e, 1), in->amode, in->scale);
        break;
    case A64_CMPI:
        a64_enc_alui(e, in->cc, size, A64_ZR, a64_R(e, 0), (uint64_t)in->imm);
        break;
    case A64_CCMP: case A64_CCMPI: {
        uint32_t op = in->scale ? 0 : 1u << 30;     /* ccmn / ccmp */
        uint32_t m = in->op == A64_CCMPI ? ((uint32_t)in->imm & 31) << 16 | 0x800 : (a64_R(e, 1) & 31) << 16;
        a64_put(e, SF(size) | op | 0x3A400000 | m | (uint32_t)in->cc << 12 | (a64_R(e, 0) & 31) << 5 | (in->aux & 15));
        break;
    }
    case A64_CSEL: {
        static const uint32_t v[] = {0x1A800000, 0x1A800400, 0x5A800000, 0x5A800400};
        a64_put(e, SF(size) | v[in->aux] | (a64_R(e, 2) & 31) << 16 | (uint32_t)in->cc << 12 |
                       (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    }
    case A64_CSET:      /* csinc / csinv rd, zr, zr, !cc */
        a64_put(e, SF(size) | (in->aux ? 0x5A800000 : 0x1A800400) | 31 << 16 | (uint32_t)(in->cc ^ 1) << 12 |
                       31 << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_UNARY: {
        static const uint8_t opc[] = {[A64_RBIT] = 0, [A64_REV16] = 1, [A64_REV32] = 2, [A64_REV64] = 3,
                                      [A64_CLZ] = 4, [A64_CLS] = 5};
        a64_put(e, SF(size) | 0x5AC00000 | (uint32_t)opc[in->cc] << 10 | (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    }
    case A64_POPCNT: {
        unsigned d = a64_R(e, 0), s = a64_R(e, 1), t = a64_R(e, 2) & 31;
        a64_put(e, (size == 8 ? 0x9E670000 : 0x1E270000) | (s & 31) << 5 | t);    /* fmov d/s, x/w */
        a64_put(e, 0x0E205800 | t << 5 | t);                                      /* cnt v.8b */
        a64_put(e, 0x0E31B800 | t << 5 | t);                                      /* addv b, v.8b */
        a64_put(e, 0x0E013C00 | t << 5 | (d & 31));                               /* umov w, v.b[0] */
        break;
    }
    case A64_LOAD:
        access(e, in->cc == A64_LD_ZX ? 1 : in->cc == A64_LD_SX64 ? 2 : 3, false, size, a64_R(e, 0), 1);
        break;
    case A64_STORE:
        access(e, 0, false, size, a64_R(e, 0), 1);
        break;
    case A64_FLOAD:
        access(e, 1, true, size, a64_R(e, 0), 1);
        break;
    case A64_FSTORE:
        access(e, 0, true, size, a64_R(e, 0), 1);
        break;
    case A64_LEA: {
        mem m = mem_of(e, 1);
        unsigned d = a64_R(e, 0);
        if (m.index != CG_NONE)
            a64_enc_alu(e, A64_ADD, 8, d, m.base, m.index,
                        m.ext ? (m.ext == 1 ? A64_OP2_UXTW : A64_OP2_SXTW) : m.scale ? A64_OP2_LSL : 0, m.scale);
        else
            a64_add_imm(e, d, m.base, m.disp);
        break;
    }
    case A64_B:
        if (in->aux != next_label)
            a64_b(e, in->aux);
        break;
    case A64_BCOND:
        branch2(e, in->aux, (uint32_t)in->imm, next_label, br_bcond);
        break;
    case A64_CBZ:
        branch2(e, in->aux, (uint32_t)in->imm, next_label, br_cbz);
        break;
    case A64_TBZ:
        branch2(e, in->aux, (uint32_t)in->imm, next_label, br_tbz);
        break;
    case A64_BRTABLE:
        a64_emit_brtable(e);
        break;
    case A64_UDF:
        udf(e, in->aux);
        break;
    case A64_TRAPIF:
        a64_trap_if(e, in->cc, in->aux);
        break;
    case A64_TRAPZ:
        trap_cbz(e, in->cc != 0, size, a64_R(e, 0), in->aux);
        break;
    case A64_CALL: {
        const ir_inst_data *ii = in->ir != CG_NONE ? &e->c->fn->insts.v[in->ir] : NULL;
        cg_buf_reloc(B, cg_buf_off(B), JIT_R_A64_CALL26, e->c->f.syms.v[in->aux], 0, ii ? ii->line : 0,
                     ii ? ii->col : 0);
        a64_put(e, 0x94000000);
        if (in->cc)
            a64_emit_exn_table(e);
        a64_sp_adjust(e, -in->imm);     /* the callee popped its arguments */
        break;
    }
    case A64_CALLIND:
        a64_put(e, 0xD63F0000 | (a64_R(e, 0) & 31) << 5);
        if (in->cc)
            a64_emit_exn_table(e);
        a64_sp_adjust(e, -in->imm);
        break;
    case A64_RETCALL:
        a64_emit_retcall(e);
        break;
    case A64_GOTLOAD: {
        const ir_inst_data *ii = in->ir != CG_NONE ? &e->c->fn->insts.v[in->ir] : NULL;
        unsigned d = a64_R(e, 0) & 31;
        const char *sym = e->c->f.syms.v[in->aux];
        cg_buf_reloc(B, cg_buf_off(B), JIT_R_A64_ADR_GOT_PAGE, sym, 0, ii ? ii->line : 0, ii ? ii->col : 0);
        a64_put(e, 0x90000000 | d);                         /* adrp d, :got:sym */
        cg_buf_reloc(B, cg_buf_off(B), JIT_R_A64_LD64_GOT_LO12_NC, sym, 0, ii ? ii->line : 0, ii ? ii->col : 0);
        a64_put(e, 0xF9400000 | d << 5 | d);                /* ldr d, [d, :got_lo12:sym] */
        break;
    }
    case A64_RETADDR: {
        unsigned d = a64_R(e, 0);
        if (e->pac) {
            a64_ldst(e, 1, false, 8, A64_LR, A64_FP, 8);
            a64_put(e, 0xD50320FF);                         /* xpaclri */
            a64_enc_alu(e, A64_ORR, 8, d, A64_ZR, A64_LR, 0, 0);
        } else {
            a64_ldst(e, 1, false, 8, d, A64_FP, 8);
        }
        break;
    }
    case A64_FMOV:
        a64_vmov(e, a64_R(e, 0), a64_R(e, 1));
        break;
    case A64_FMOVI:
        a64_fmovi(e, a64_R(e, 0), size, (uint64_t)in->imm);
        break;
    case A64_FALU:
        a64_put(e, 0x1E200800 | ftype(size) | (a64_R(e, 2) & 31) << 16 | (uint32_t)in->cc << 12 |
                       (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_FUNARY:
        a64_put(e, 0x1E204000 | ftype(size) | (uint32_t)in->cc << 15 | (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_FMA:
        a64_put(e, 0x1F000000 | ftype(size) | (in->cc >> 1) << 21 | (a64_R(e, 2) & 31) << 16 | (in->cc & 1u) << 15 |
                       (a64_R(e, 3) & 31) << 10 | (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_FCMP:
        a64_put(e, 0x1E202000 | ftype(size) | (a64_R(e, 1) & 31) << 16 | (a64_R(e, 0) & 31) << 5);
        break;
    case A64_FCSEL:
        if (size == 16) {   /* no fcsel q: b.cc; mov d, y; b; mov d, x */
            uint32_t yes = cg_buf_new_label(B), done = cg_buf_new_label(B);
            a64_bcond(e, in->cc, yes);
            a64_vmov(e, a64_R(e, 0), a64_R(e, 2));
            a64_b(e, done);
            cg_buf_bind(B, yes);
            a64_vmov(e, a64_R(e, 0), a64_R(e, 1));
            cg_buf_bind(B, done);
            break;
        }
        a64_put(e, 0x1E200C00 | ftype(size) | (a64_R(e, 2) & 31) << 16 | (uint32_t)in->cc << 12 |
                       (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_FMOVTOF:
        if (size == 16) {   /* fmov d, x_lo; ins v.d[1], x_hi */
            a64_put(e, 0x9E670000 | (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
            a64_put(e, 0x4E181C00 | (a64_R(e, 2) & 31) << 5 | (a64_R(e, 0) & 31));
            break;
        }
        a64_put(e, (size == 8 ? 0x9E670000 : 0x1E270000) | (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_FMOVTOG:
        if (size == 16) {   /* fmov x_lo, d; umov x_hi, v.d[1] */
            a64_put(e, 0x9E660000 | (a64_R(e, 2) & 31) << 5 | (a64_R(e, 0) & 31));
            a64_put(e, 0x4E183C00 | (a64_R(e, 2) & 31) << 5 | (a64_R(e, 1) & 31));
            break;
        }
        a64_put(e, (size == 8 ? 0x9E660000 : 0x1E260000) | (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    case A64_ITOF:
        a64_put(e, SF(in->aux) | (in->cc ? 0x1E220000 : 0x1E230000) | ftype(size) | (a64_R(e, 1) & 31) << 5 |
                       (a64_R(e, 0) & 31));
        break;
    case A64_FTOI:
        a64_put(e, SF(in->aux) | (in->cc ? 0x1E380000 : 0x1E390000) | ftype(size) | (a64_R(e, 1) & 31) << 5 |
                       (a64_R(e, 0) & 31));
        break;
    case A64_VBIT: {
        static const uint32_t v[] = {[A64_VAND] = 0x0E201C00, [A64_VBIC] = 0x0E601C00, [A64_VORR] = 0x0EA01C00,
                                     [A64_VORN] = 0x0EE01C00, [A64_VEOR] = 0x2E201C00, [A64_VBSL] = 0x2E601C00};
        unsigned d = a64_R(e, 0) & 31;
        if (in->cc == A64_VNOT)
            a64_put(e, 0x2E205800 | (a64_R(e, 1) & 31) << 5 | d);
        else if (in->cc == A64_VBSL)
            a64_put(e, v[A64_VBSL] | (a64_R(e, 3) & 31) << 16 | (a64_R(e, 2) & 31) << 5 | d);
        else
            a64_put(e, v[in->cc] | (a64_R(e, 2) & 31) << 16 | (a64_R(e, 1) & 31) << 5 | d);
        break;
    }
    case A64_FCOPYSIGN: {
        unsigned d = a64_R(e, 0) & 31, x = a64_R(e, 1) & 31, y = a64_R(e, 2) & 31, t = a64_R(e, 3) & 31;
        if (size == 8) {
            a64_put(e, 0x7F000400 | 65u << 16 | y << 5 | t);     /* ushr dt, dy, #63 */
            a64_put(e, 0x1E604000 | x << 5 | d);                 /* fmov dd, dx */
            a64_put(e, 0x7F005400 | 127u << 16 | t << 5 | d);    /* sli dd, dt, #63 */
        } else {
            a64_put(e, 0x2F000400 | 33u << 16 | y << 5 | t);     /* ushr vt.2s, vy.2s, #31 */
            a64_put(e, 0x1E604000 | x << 5 | d);
            a64_put(e, 0x2F005400 | 63u << 16 | t << 5 | d);     /* sli vd.2s, vt.2s, #31 */
        }
        break;
    }
    case A64_LDAR: case A64_STLR: {
        static const uint8_t sz[9] = {[1] = 0, [2] = 1, [4] = 2, [8] = 3};
        a64_trap_here(e);
        a64_put(e, (uint32_t)sz[size] << 30 | (in->op == A64_LDAR ? 0x08DFFC00 : 0x089FFC00) |
                       (a64_R(e, 1) & 31) << 5 | (a64_R(e, 0) & 31));
        break;
    }
    case A64_RMWLOOP:
        a64_emit_rmw_loop(e);
        break;
    case A64_CASLOOP:
        a64_emit_cas_loop(e);
        break;
    case A64_LSE:
        a64_emit_lse(e);
        break;
    case A64_CASAL: {
        static const uint8_t sz[9] = {[1] = 0, [2] = 1, [4] = 2, [8] = 3};
        a64_trap_here(e);
        a64_put(e, (uint32_t)sz[size] << 30 | 0x08E0FC00 | (a64_R(e, 3) & 31) << 16 | (a64_R(e, 0) & 31) << 5 |
                       (a64_R(e, 1) & 31));
        break;
    }
    case A64_RMW128:
        a64_emit_rmw128(e);
        break;
    case A64_DMB:
        a64_put(e, 0xD5033BBF);
        break;
    case A64_VOP:
        a64_emit_vop(e);
        break;
    case A64_VCONST:
        a64_emit_vconst(e);
        break;
    default:
        e->ok = false;
    }
}

static bool emit_once(cg_ctx *c, bool long_br)
{
    cg_output *out = c->out;
    out->code.n = out->relocs.n = out->traps.n = 0;
    cg_buf_free(&c->buf);
    cg_buf_init(&c->buf, out, c->f.nlabels, c->target->listing);
    em e = {.c = c, .b = &c->buf, .ok = true, .long_br = long_br};
    e.pac = c->target->sign_return_address;
    e.pac_zero = c->fn && c->fn->sig.callconv == IR_CC_tail;
    cg_func *f = &c->f;
    prologue(&e);
    uint32_t ei = 0, padded = 0;
    for (uint32_t b = 0; b < f->blocks.n; b++) {
        const cg_block *bl = &f->blocks.v[b];
        cg_buf_bind(&c->buf, bl->label);
        /* (padding after a block leaves nothing to fall through to) */
        uint32_t next = b + 1 < f->blocks.n && !c->target->bb_padding ? f->blocks.v[b + 1].label : CG_NONE;
        for (uint32_t i = bl->first; i < bl->end; i++) {
            e.in = &f->insts.v[i];
            cg_buf_mark(&c->buf, e.in->ir);
            for (; ei < f->edits.n && f->edits.v[ei].pos == 2 * i; ei++)
                move(&e, f->edits.v[ei].from, f->edits.v[ei].to, f->edits.v[ei].cls);
            emit_inst(&e, next);
            for (; ei < f->edits.n && f->edits.v[ei].pos == 2 * i + 1; ei++)
                move(&e, f->edits.v[ei].from, f->edits.v[ei].to, f->edits.v[ei].cls);
        }
        /* bb_padding_log2_minus_one: zeros after the block (never reached),
         * at most 16 MiB in all (Cranelift: 150 MiB).  That is past every
         * short reach (B.cond, CBZ, LDR literal: 1 MiB) and inside B's
         * (128 MiB), so the long forms are tested and the code compiles;
         * more would only cost time (0.6 GB of memset per function) */
        unsigned pad = c->target->bb_padding;
        if (pad && padded < A64_PAD_MAX) {
            uint32_t n = 1u << (pad - 1), at = out->code.n;
            if (n > A64_PAD_MAX - padded)
                n = A64_PAD_MAX - padded;
            ir_vec_reserve(&out->code, n + 3);
            memset(out->code.v + out->code.n, 0, n + 3);
            out->code.n = (out->code.n + n + 3) & ~3u;
            cg_buf_data(&c->buf, at, out->code.n - at, CG_DATA_PAD);
            padded += n;
        }
    }
    if (!cg_emit_check(c, e.ok, &e.need))
        return false;
    static const uint8_t udf0[] = {0, 0, 0, 0};
    return cg_buf_finish(&c->buf, c, udf0, sizeof udf0);
}

bool a64_emit(cg_ctx *c)
{
    if (emit_once(c, false))
        return true;
    return c->buf.out_of_range && emit_once(c, true);
}
