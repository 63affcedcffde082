/* x86-64 encoding: VCode with allocations -> bytes.  One encoder for the
 * REX/ModRM/SIB forms, then each machine opcode, the allocator's moves,
 * prologue and epilogue.  Frame, from high to low addresses:
 *
 *   incoming stack args  [rbp+16 ..]      return address, saved rbp [rbp]
 *   saved callee-saved registers (push)
 *   saved xmm registers (windows_fastcall's xmm6-15), 16 bytes each, 16-aligned
 *   spill slots, stack slots, outgoing args [rsp ..]   16-byte aligned */
#include "x64.h"

#include <string.h>

enum { P66 = 1, PF2 = 2, PF3 = 4 };
enum { BREG = 1, BRM = 2 };    /* 8-bit register in the reg / rm field: REX for spl..dil */

typedef struct mem {
    int base, index;        /* pregs, -1 for none */
    unsigned scale;
    int32_t disp;
    bool rip;               /* rip-relative: to label, or to sym through reloc rk */
    uint32_t label;
    const char *sym;
    jit_reloc_kind rk;
} mem;

typedef struct em {
    cg_ctx *c;
    cg_buf *b;
    cg_output *out;         /* b->out */
    const cg_inst *in;      /* being emitted */
    const uint32_t *al;     /* its allocations: f->allocs.v + in->opnd */
    uint32_t locals;        /* sub rsp, after the pushes */
    uint8_t saved[8];
    unsigned nsaved;
    uint16_t xsaved;        /* xmm registers saved (bit n: xmm n) at [rbp - xoff ..] */
    uint32_t xoff;
    uint32_t *alias;        /* per block label: the label a jump to it goes to */
    uint32_t *dup;          /* per block label: its compare if the block is only a compare and
                               a conditional branch (copied in place of jumps to it), CG_NONE */
    bool ok;
    cg_need need;           /* ISA flags an instruction needed that the target lacks */
} em;

/* Instruction i is the one being emitted. */
static inline void set_inst(em *e, uint32_t i)
{
    e->in = &e->c->f.insts.v[i];
    e->al = e->c->f.allocs.v ? e->c->f.allocs.v + e->in->opnd : NULL;   /* NULL: no operands at all */
}

/* The label a branch to l really goes to: past blocks that only jump. */
static uint32_t dest(const em *e, uint32_t l)
{
    return e->alias && l < e->c->f.nlabels ? e->alias[l] : l;
}

#define B (e->b)

/* ---- the target line's contract ------------------------------------------------
 * Every instruction goes through enc() (or emit_vec's VEX form), which asks
 * what it needs beyond the x86-64 baseline (SSE2); if the target's flags do
 * not allow it, the function is refused with a located error instead of
 * code that dies with SIGILL on a CPU the target line describes. */
#define NEED(f) (1ull << CG_ISA_##f)
#define NEED_UNKNOWN (1ull << 63)   /* an extension no flag stands for */

static uint64_t needs(unsigned pfx, bool w, uint32_t opc, unsigned reg)
{
    unsigned o = opc & 0xff;
    switch (opc >> 8) {
    case 0x0f38:
        if ((pfx & PF2) && (o == 0xf0 || o == 0xf1))
            return NEED(sse42);                         /* crc32 */
        if (o <= 0x0b || (o >= 0x1c && o <= 0x1e))
            return NEED(ssse3);                         /* pshufb phadd* pmaddubsw pmulhrsw pabs* .. */
        if (o == 0x37)
            return NEED(sse42);                         /* pcmpgtq */
        if (o >= 0x10 && o <= 0x41)
            return NEED(sse41);                         /* blendv ptest pmovsx/zx pmin/max pmulld .. */
        return NEED_UNKNOWN;
    case 0x0f3a:
        if (o == 0x0f)
            return NEED(ssse3);                         /* palignr */
        if ((o >= 0x08 && o <= 0x0e) || (o >= 0x14 && o <= 0x17) || (o >= 0x20 && o <= 0x22) ||
            (o >= 0x40 && o <= 0x42))
            return NEED(sse41);                         /* round* blend* pextr* pinsr* insertps dp* */
        if (o >= 0x60 && o <= 0x63)
            return NEED(sse42);                         /* pcmpestr/pcmpistr */
        return NEED_UNKNOWN;
    case 0x0f:
        if (pfx & PF3) {
            if (o == 0xb8)
                return NEED(popcnt);
            if (o == 0xbd)
                return NEED(lzcnt);
            if (o == 0xbc)
                return NEED(bmi1);                      /* tzcnt */
            if (o == 0x12 || o == 0x16)
                return NEED(sse3);                      /* movsldup movshdup */
        }
        if ((pfx & PF2) && (o == 0x12 || o == 0xf0))
            return NEED(sse3);                          /* movddup lddqu */
        if ((pfx & (PF2 | P66)) && (o == 0x7c || o == 0x7d || o == 0xd0))
            return NEED(sse3);                          /* hadd hsub addsub */
        if (o == 0xc7 && w && reg == 1)
            return NEED(cmpxchg16b);
        return 0;
    default:
        return 0;
    }
}

static void require(em *e, uint64_t need)
{
    if (need)
        cg_need_isa(&e->need, e->c, e->in, need);
}

/* prefixes, REX, opcode, ModRM, SIB, displacement; immlen bytes of
 * immediate follow (they move the end of a rip-relative instruction). */
static void enc(em *e, unsigned pfx, bool w, uint32_t opc, unsigned reg, const mem *m, unsigned rm,
                unsigned byteregs, unsigned immlen)
{
    require(e, needs(pfx, w, opc, reg));
    reg &= 15, rm &= 15;
    /* at most 3 prefixes, REX, 3 opcode bytes, ModRM, SIB, disp32: written
     * in place after one capacity check */
    ir_vec_reserve(&B->out->code, 16);
    uint8_t *p0 = B->out->code.v + B->out->code.n, *p = p0;
    if (pfx & P66)
        *p++ = 0x66;
    if (pfx & PF2)
        *p++ = 0xf2;
    if (pfx & PF3)
        *p++ = 0xf3;
    unsigned rex = (w ? 8 : 0) | (reg & 8 ? 4 : 0);
    bool force = (byteregs & BREG) && reg >= 4 && reg <= 7;
    if (m) {
        if (m->index >= 0 && (m->index & 8))
            rex |= 2;
        if (!m->rip && (m->base & 8))
            rex |= 1;
    } else {
        rex |= rm & 8 ? 1 : 0;
        force |= (byteregs & BRM) && rm >= 4 && rm <= 7;
    }
    if (rex || force)
        *p++ = (uint8_t)(0x40 | rex);
    if (opc > 0xffff)
        *p++ = (uint8_t)(opc >> 16);
    if (opc > 0xff)
        *p++ = (uint8_t)(opc >> 8);
    *p++ = (uint8_t)opc;
    if (!m) {
        *p++ = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
        B->out->code.n += (uint32_t)(p - p0);
        return;
    }
    if (m->rip) {
        *p++ = (uint8_t)((reg & 7) << 3 | 5);
        B->out->code.n += (uint32_t)(p - p0);
        uint32_t at = cg_buf_off(B);
        cg_put4(B, 0);
        if (m->sym) {
            const ir_inst_data *ii = e->in->ir != CG_NONE ? &e->c->fn->insts.v[e->in->ir] : NULL;
            cg_buf_reloc(B, at, m->rk, m->sym, -4 - (int64_t)immlen, ii ? ii->line : e->c->fn->line,
                         ii ? ii->col : e->c->fn->col);
        } else {
            cg_buf_fixup(B, at, m->label, X64_FIX_PCREL32, -4 - (int32_t)immlen);
        }
        return;
    }
    unsigned base = (unsigned)m->base & 7;
    bool sib = m->index >= 0 || base == 4;
    unsigned mod = m->disp == 0 && base != 5 ? 0 : m->disp == (int8_t)m->disp ? 1 : 2;
    *p++ = (uint8_t)(mod << 6 | (reg & 7) << 3 | (sib ? 4 : base));
    if (sib)
        *p++ = (uint8_t)(m->scale << 6 | ((m->index >= 0 ? (unsigned)m->index : 4) & 7) << 3 | base);
    if (mod == 1) {
        *p++ = (uint8_t)m->disp;
    } else if (mod == 2) {
        uint32_t d = (uint32_t)m->disp;
        p[0] = (uint8_t)d, p[1] = (uint8_t)(d >> 8), p[2] = (uint8_t)(d >> 16), p[3] = (uint8_t)(d >> 24);
        p += 4;
    }
    B->out->code.n += (uint32_t)(p - p0);
}

/* Room for 8 more bytes of code (out of line: rarely needed) */
static __attribute__((noinline, cold)) void grow(cg_output *o)
{
    ir_vec_reserve(&o->code, 8);
}

/* len (<= 8) bytes of x, low byte first, at the end of the code: one
 * capacity check and one store (the 8 bytes fit; len of them count). */
static inline void put(em *e, uint64_t x, unsigned len)
{
    cg_output *o = e->out;
    if (o->code.n + 8 > o->code.cap)
        grow(o);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    memcpy(o->code.v + o->code.n, &x, 8);
    o->code.n += len;
}

/* Register to register.  A one-byte opcode without prefixes (the ALU
 * operations, mov) needs nothing of the target: REX, opcode and ModRM
 * written here, the rest through enc.  f: prefixes | RR_W | byteregs << 4. */
enum { RR_W = 8 };
static inline void rr_(em *e, unsigned f, uint32_t opc, unsigned reg, unsigned rm)
{
    if ((f & 7) || opc > 0xff) {
        enc(e, f & 7, f & RR_W, opc, reg, NULL, rm, f >> 4, 0);
        return;
    }
    reg &= 15, rm &= 15;
    unsigned rex = (f & RR_W) | (reg & 8) >> 1 | (rm & 8) >> 3;
    bool force = ((f & BREG << 4) && reg >= 4 && reg <= 7) || ((f & BRM << 4) && rm >= 4 && rm <= 7);
    uint32_t x = opc | (0xc0 | (reg & 7) << 3 | (rm & 7)) << 8;
    if (rex || force)
        put(e, 0x40 | rex | x << 8, 3);
    else
        put(e, x, 2);
}

static inline __attribute__((always_inline)) void rr(em *e, unsigned pfx, bool w, uint32_t opc, unsigned reg,
                                                     unsigned rm, unsigned byteregs)
{
    rr_(e, pfx | (w ? RR_W : 0) | byteregs << 4, opc, reg, rm);
}

static unsigned szp(unsigned size) { return size == 2 ? P66 : 0; }

static void imm(em *e, unsigned bytes, int64_t x)
{
    put(e, (uint64_t)x, bytes);     /* 1, 2 or 4 */
}

/* Allocation of operand k: a register (this allocator never leaves an
 * operand in memory). */
static unsigned R(em *e, unsigned k)
{
    uint32_t a = e->al[k];
    if (cg_alloc_is_slot(a)) {
        e->ok = false;
        return 0;
    }
    return a;
}

static mem spill(em *e, uint32_t slot)
{
    unsigned ss = e->c->f.wide_spill ? 16 : 8;
    return (mem){X64_RSP, -1, 0, (int32_t)(e->c->frame.spill_off + ss * slot), false, 0, NULL, 0};
}

/* The memory operand of the instruction, its registers from operand k.
 * Called before any byte of the instruction: a slot displacement that does
 * not fit 32 bits puts the slot's address in the scratch register first. */
static mem mem_of(em *e, unsigned k)
{
    const cg_inst *in = e->in;
    mem m = {-1, -1, in->scale, in->disp, false, 0, NULL, 0};
    switch (in->amode) {
    case X64_AM_BASE: m.base = (int)R(e, k); break;
    case X64_AM_INDEX: m.base = (int)R(e, k), m.index = (int)R(e, k + 1); break;
    case X64_AM_SLOT: {
        uint32_t off = e->c->frame.slot_off.v[in->aux];     /* < CG_FRAME_MAX */
        int64_t d = (int64_t)in->disp + off;
        m.base = X64_RSP;
        if (d == (int32_t)d) {
            m.disp = (int32_t)d;
        } else {    /* 2 GiB or more past the slot: its address in r11 first */
            mem slot = {X64_RSP, -1, 0, (int32_t)off, false, 0, NULL, 0};
            enc(e, 0, true, 0x8d, X64_SCRATCH, &slot, 0, 0, 0);
            m.base = X64_SCRATCH;
        }
        break;
    }
    case X64_AM_INARG: m.base = X64_RBP, m.disp += 16 + (int32_t)e->c->f.arg_grow; break;
    case X64_AM_OUTARG: m.base = X64_RSP; break;
    case X64_AM_CONST: m.rip = true, m.label = e->c->f.consts.v[in->aux].label; break;
    default: e->ok = false; m.base = X64_RSP; break;
    }
    return m;
}

/* ---- moves of the allocator ------------------------------------------------ */

static void move_mem(em *e, uint32_t from, uint32_t to, bool fl);

/* A move of the allocator: register to register here, the rest out of line. */
static inline void move(em *e, const cg_edit *ed)
{
    bool fl = ed->cls == CG_CLS_FLOAT;
    if (cg_alloc_is_slot(ed->from) || cg_alloc_is_slot(ed->to))
        move_mem(e, ed->from, ed->to, fl);
    else if (fl)
        rr(e, 0, false, 0x0f28, ed->to, ed->from, 0);            /* movaps */
    else
        rr(e, 0, true, 0x89, ed->from, ed->to, 0);
}

static void move_mem(em *e, uint32_t from, uint32_t to, bool fl)
{
    if (cg_alloc_is_slot(from) && cg_alloc_is_slot(to)) {
        /* through r11, 8 bytes at a time: no xmm scratch, which
         * windows_fastcall's caller would keep */
        mem m[2] = {spill(e, cg_alloc_slot(from)), spill(e, cg_alloc_slot(to))};
        for (unsigned k = 0; k < (fl && e->c->f.wide_spill ? 2u : 1u); k++, m[0].disp += 8, m[1].disp += 8) {
            enc(e, 0, true, 0x8b, X64_SCRATCH, &m[0], 0, 0, 0);
            enc(e, 0, true, 0x89, X64_SCRATCH, &m[1], 0, 0, 0);
        }
        return;
    }
    unsigned xp = e->c->f.wide_spill ? 0 : PF2;                /* movups / movsd */
    if (cg_alloc_is_slot(from)) {
        mem m = spill(e, cg_alloc_slot(from));
        if (fl)
            enc(e, xp, false, 0x0f10, to, &m, 0, 0, 0);         /* movsd x, [m] */
        else
            enc(e, 0, true, 0x8b, to, &m, 0, 0, 0);             /* mov r, [m] */
    } else if (cg_alloc_is_slot(to)) {
        mem m = spill(e, cg_alloc_slot(to));
        if (fl)
            enc(e, xp, false, 0x0f11, from, &m, 0, 0, 0);
        else
            enc(e, 0, true, 0x89, from, &m, 0, 0, 0);
    }
}

/* ---- frame ----------------------------------------------------------------- */

static void push_pop(em *e, unsigned op, unsigned r)
{
    if (r & 8)
        cg_put1(B, 0x41);
    cg_put1(B, op + (r & 7));
}

static void sp_adjust(em *e, unsigned digit, uint32_t n)
{
    if (!n)
        return;
    if (n < 128) {
        rr(e, 0, true, 0x83, digit, X64_RSP, 0);
        cg_put1(B, n);
    } else {
        rr(e, 0, true, 0x81, digit, X64_RSP, 0);
        cg_put4(B, n);
    }
}

static void jcc(em *e, unsigned cc, uint32_t label);
static void alu_ri(em *e, unsigned op, unsigned size, unsigned r, int64_t x);

/* mov dword [rsp], 0: a stack probe; a fault here is the end of the stack */
static void probe_store(em *e)
{
    mem m = {X64_RSP, -1, 0, 0, false, 0, NULL, 0};
    cg_buf_trap(B, IR_TRAP_stk_ovf);
    enc(e, 0, false, 0xc7, 0, &m, 0, 0, 4);
    cg_put4(B, 0);
}

/* Touch the `size` bytes below rsp every probe step from the top down, as
 * Cranelift's inline probestack does (up to 4 stores, else a loop on r11):
 * rsp ends that many steps lower; returns by how much. */
static uint32_t probe(em *e, uint32_t size)
{
    uint32_t step = cg_probe_step(e->c->target), n = size / step;
    if (n == 0)
        return 0;
    if (n <= 4) {
        for (uint32_t k = 0; k < n; k++) {
            sp_adjust(e, 5, step);
            probe_store(e);
        }
        return n * step;
    }
    rr(e, 0, true, 0x89, X64_RSP, X64_SCRATCH, 0);             /* mov r11, rsp */
    alu_ri(e, X64_SUB, 8, X64_SCRATCH, (int64_t)n * step);      /* < 2^31: the frame limit */
    uint32_t loop = cg_buf_new_label(B);
    cg_buf_bind(B, loop);
    sp_adjust(e, 5, step);
    probe_store(e);
    rr(e, 0, true, 0x39, X64_SCRATCH, X64_RSP, 0);             /* cmp rsp, r11 */
    jcc(e, X64_CC_NE, loop);
    return n * step;
}

/* sub rsp, size, with probes when that passes a probe step */
static void stack_alloc(em *e, uint32_t size)
{
    sp_adjust(e, 5, size - probe(e, size));
}

/* movups [rbp - xoff + 16k], xmm (restore: the other way), for each saved
 * xmm register: rbp-relative, so whatever sp is (realigned, or reset by a
 * throw's handler) */
static void xmm_saves(em *e, bool restore)
{
    int32_t off = -(int32_t)e->xoff;
    for (unsigned m16 = e->xsaved; m16; m16 &= m16 - 1) {     /* in register order */
        mem m = {X64_RBP, -1, 0, off, false, 0, NULL, 0};
        enc(e, 0, false, restore ? 0x0f10 : 0x0f11, X64_XMM0 + (unsigned)__builtin_ctz(m16), &m, 0, 0, 0);
        off += 16;
    }
}

static void prologue(em *e)
{
    const cg_frame *fr = &e->c->frame;
    uint32_t grow = e->c->f.arg_grow;
    if (grow) {     /* room below the incoming arguments for return_call's: move the return address */
        stack_alloc(e, grow);
        mem from = {X64_RSP, -1, 0, (int32_t)grow, false, 0, NULL, 0}, to = {X64_RSP, -1, 0, 0, false, 0, NULL, 0};
        enc(e, 0, true, 0x8b, X64_SCRATCH, &from, 0, 0, 0);
        enc(e, 0, true, 0x89, X64_SCRATCH, &to, 0, 0, 0);
    }
    cg_put1(B, 0x55);                           /* push rbp */
    rr(e, 0, true, 0x89, X64_RSP, X64_RBP, 0);  /* mov rbp, rsp */
    for (uint32_t m = (uint32_t)fr->saved & 0xffff & ~(1u << X64_RBP | 1u << X64_RSP); m; m &= m - 1) {
        unsigned r = (unsigned)__builtin_ctz(m);   /* in register order */
        e->saved[e->nsaved++] = (uint8_t)r;
        push_pop(e, 0x50, r);
    }
    uint32_t pushed = 8 * e->nsaved;
    /* rbp is 16-aligned (the call's return address, then rbp), so are these */
    e->xsaved = (uint16_t)(fr->saved >> X64_XMM0);
    e->xoff = e->xsaved ? ((pushed + 15) & ~15u) + 16 * (uint32_t)__builtin_popcount(e->xsaved) : pushed;
    e->locals = ((fr->size + e->xoff + 15) & ~15u) - pushed;
    if (fr->align <= 16) {
        stack_alloc(e, e->locals);
        xmm_saves(e, false);
        return;
    }
    /* realign: rsp = (rbp - pushed - locals) & -align, up to align - 16
     * lower than that; probe the most it can be */
    int64_t probed = probe(e, e->locals + fr->align - 16);
    int64_t rest = (int64_t)e->locals - probed;
    if (rest >= 0)
        sp_adjust(e, 5, (uint32_t)rest);
    else
        sp_adjust(e, 0, (uint32_t)-rest);
    alu_ri(e, X64_AND, 8, X64_RSP, -(int64_t)fr->align);       /* and rsp, -align */
    xmm_saves(e, false);
}

/* rsp back to the saved registers: from rbp if the frame was realigned */
static void free_locals(em *e)
{
    if (e->c->frame.align <= 16) {
        sp_adjust(e, 0, e->locals);
        return;
    }
    mem sv = {X64_RBP, -1, 0, -8 * (int32_t)e->nsaved, false, 0, NULL, 0};
    enc(e, 0, true, 0x8d, X64_RSP, &sv, 0, 0, 0);                /* lea rsp, [rbp - saved] */
}

static void epilogue(em *e, uint32_t pop)
{
    xmm_saves(e, true);
    free_locals(e);
    for (unsigned i = e->nsaved; i-- > 0;)
        push_pop(e, 0x58, e->saved[i]);
    cg_put1(B, 0x5d);   /* pop rbp */
    if (pop) {          /* tail: the callee pops its stack arguments */
        cg_put1(B, 0xc2);
        cg_put2(B, pop);
    } else {
        cg_put1(B, 0xc3);
    }
}

/* return_call: the stack arguments (built in the outgoing area) go to the
 * top of the tail argument area, the return address right below them;
 * restore what the prologue saved, point rsp at the return address, jmp. */
static void emit_retcall(em *e)
{
    const cg_inst *in = e->in;
    int32_t n = in->disp, t = (int32_t)in->imm;
    for (int32_t k = 0; k < n; k += 8) {
        mem from = {X64_RSP, -1, 0, k, false, 0, NULL, 0}, to = {X64_RBP, -1, 0, 16 + t - n + k, false, 0, NULL, 0};
        enc(e, 0, true, 0x8b, X64_SCRATCH, &from, 0, 0, 0);
        enc(e, 0, true, 0x89, X64_SCRATCH, &to, 0, 0, 0);
    }
    if (t != n) {
        mem from = {X64_RBP, -1, 0, 8, false, 0, NULL, 0}, to = {X64_RBP, -1, 0, 8 + t - n, false, 0, NULL, 0};
        enc(e, 0, true, 0x8b, X64_SCRATCH, &from, 0, 0, 0);
        enc(e, 0, true, 0x89, X64_SCRATCH, &to, 0, 0, 0);
    }
    xmm_saves(e, true);
    mem sv = {X64_RBP, -1, 0, -8 * (int32_t)e->nsaved, false, 0, NULL, 0};
    enc(e, 0, true, 0x8d, X64_RSP, &sv, 0, 0, 0);           /* lea rsp, [rbp - saved] */
    for (unsigned i = e->nsaved; i-- > 0;)
        push_pop(e, 0x58, e->saved[i]);
    cg_put1(B, 0x5d);                                       /* pop rbp */
    sp_adjust(e, 0, (uint32_t)(t - n));
    if (in->cc) {
        rr(e, 0, false, 0xff, 4, X64_R10, 0);               /* jmp r10 */
    } else {
        const ir_inst_data *ii = in->ir != CG_NONE ? &e->c->fn->insts.v[in->ir] : NULL;
        cg_put1(B, 0xe9);
        cg_buf_reloc(B, cg_buf_off(B), JIT_R_X86_CALL_PCREL4, e->c->f.syms.v[in->aux], -4,
                     ii ? ii->line : 0, ii ? ii->col : 0);
        cg_put4(B, 0);
    }
}

/* ---- branches -------------------------------------------------------------- */

/* A branch back to a label whose rel8 reaches it from here is short from
 * the start: relaxation would shrink it (branches in between only shrink),
 * and it is one candidate less.  Op: the short form's opcode. */
static bool short_back(em *e, unsigned op, uint32_t label)
{
    uint32_t l = label < B->labels.n ? B->labels.v[label] : CG_NONE, off = cg_buf_off(B);
    if (l == CG_NONE || (int64_t)l - (off + 2) < -128)
        return false;
    put(e, op | (uint32_t)(uint8_t)(l - (off + 2)) << 8, 2);
    cg_buf_fixup(B, off + 1, label, X64_FIX_PCREL8, -1);
    return true;
}

static void jmp(em *e, uint32_t label)
{
    if (short_back(e, 0xeb, label))
        return;
    uint32_t off = cg_buf_off(B);
    put(e, 0xe9, 5);                /* rel32 0 until relaxed and patched */
    cg_buf_fixup(B, off + 1, label, X64_FIX_JMP32, -4);
}

static void jcc(em *e, unsigned cc, uint32_t label)
{
    if (short_back(e, 0x70 | cc, label))
        return;
    uint32_t off = cg_buf_off(B);
    put(e, 0x0f | (0x80 | cc) << 8, 6);
    cg_buf_fixup(B, off + 2, label, X64_FIX_JCC32, -4);
}

/* A short forward jump to a label bound a few bytes later. */
static void jcc8(em *e, unsigned cc, uint32_t label)
{
    cg_put1(B, 0x70 | cc);
    cg_buf_fixup(B, cg_buf_off(B), label, X64_FIX_PCREL8, -1);
    cg_put1(B, 0);
}

static void alu_ri(em *e, unsigned op, unsigned size, unsigned r, int64_t x)
{
    if (size == 1) {
        rr(e, 0, false, 0x80, op, r, BRM);
        imm(e, 1, x);
    } else if (x == (int8_t)x) {
        rr(e, szp(size), size == 8, 0x83, op, r, 0);
        imm(e, 1, x);
    } else {
        rr(e, szp(size), size == 8, 0x81, op, r, 0);
        imm(e, size == 2 ? 2 : 4, x);
    }
}

/* mov d, imm: the shortest form for the size */
static void movi(em *e, unsigned d, unsigned size, int64_t x)
{
    if (size == 8 && x == (int32_t)x && x < 0) {
        rr(e, 0, true, 0xc7, 0, d, 0);
        put(e, (uint32_t)x, 4);
    } else if (size != 8 || (uint64_t)x <= UINT32_MAX) {    /* mov r32, imm32 zero-extends */
        uint64_t op = 0xb8 + (d & 7), imm32 = (uint32_t)x;
        if (d & 8)
            put(e, 0x41 | op << 8 | imm32 << 16, 6);
        else
            put(e, op | imm32 << 8, 5);
    } else {
        put(e, (0x48 | (d & 8 ? 1 : 0)) | (0xb8 + (d & 7)) << 8, 2);
        put(e, (uint64_t)x, 8);
    }
}

/* ---- floating-point sequences ---------------------------------------------- */

static unsigned fpfx(unsigned size) { return size == 4 ? PF3 : PF2; }

static void ucomis(em *e, unsigned size, unsigned a, unsigned b)
{
    rr(e, size == 8 ? P66 : 0, false, 0x0f2e, a, b, 0);
}

/* xmm x = the float with these bits, through gpr t */
static void fconst(em *e, unsigned x, unsigned t, unsigned size, uint64_t bits)
{
    movi(e, t, 8, (int64_t)bits);
    rr(e, P66, size == 8, 0x0f6e, x, t, 0);
}

static void cvtt(em *e, unsigned fsize, unsigned isize, unsigned d, unsigned s)
{
    rr(e, fpfx(fsize), isize == 8, 0x0f2c, d, s, 0);
}

static void xorps(em *e, unsigned x) { rr(e, 0, false, 0x0f57, x, x, 0); }

/* fmin/fmax with Cranelift's rules: NaN if either is (a + b propagates
 * it), -0.0 below +0.0 (or/and of equal operands' bits), else minss. */
static void emit_minmax(em *e)
{
    const cg_inst *in = e->in;
    unsigned d = R(e, 0), b = R(e, 2), size = in->size;
    uint32_t nan = cg_buf_new_label(B), ne = cg_buf_new_label(B), done = cg_buf_new_label(B);
    ucomis(e, size, d, b);
    jcc(e, X64_CC_P, nan);
    jcc(e, X64_CC_NE, ne);
    rr(e, size == 8 ? P66 : 0, false, in->cc ? 0x0f54 : 0x0f56, d, b, 0);    /* andp / orp */
    jmp(e, done);
    cg_buf_bind(B, ne);
    rr(e, fpfx(size), false, in->cc ? 0x0f5f : 0x0f5d, d, b, 0);             /* max / min */
    jmp(e, done);
    cg_buf_bind(B, nan);
    rr(e, fpfx(size), false, 0x0f58, d, b, 0);                               /* add */
    cg_buf_bind(B, done);
}

/* fcvt_to_{s,u}int{,_sat} to 32 or 64 bits: cvtt, then sort out what its
 * "integer indefinite" result (INT_MIN) meant. */
static void emit_cvt_seq(em *e)
{
    const cg_inst *in = e->in;
    unsigned fs = in->size, n = in->aux;
    bool sign = in->cc & X64_CVT_SIGNED, sat = in->cc & X64_CVT_SAT;
    unsigned d = R(e, 0), s = R(e, 1), t1 = R(e, 2), t2 = R(e, 3), tg = R(e, 4);
    uint32_t done = cg_buf_new_label(B);
    uint64_t two63 = fs == 4 ? 0x5f000000u : 0x43e0000000000000ull;
    if (sign) {
        cvtt(e, fs, n, d, s);
        alu_ri(e, X64_CMPOP, n, d, 1);          /* OF iff d == INT_MIN */
        jcc(e, X64_CC_NO, done);
        ucomis(e, fs, s, s);
        if (sat) {
            uint32_t num = cg_buf_new_label(B);
            jcc(e, X64_CC_NP, num);
            rr(e, 0, false, 0x31, d, d, 0);
            jmp(e, done);
            cg_buf_bind(B, num);
            xorps(e, t1);
            ucomis(e, fs, t1, s);
            jcc(e, X64_CC_AE, done);            /* negative: INT_MIN is right */
            rr(e, 0, n == 8, 0xf7, X64_NOT, d, 0);  /* INT_MAX */
        } else {
            jcc(e, X64_CC_P, cg_buf_island(B, IR_TRAP_bad_toint));
            /* the lowest value that truncates to INT_MIN */
            if (fs == 4)
                fconst(e, t1, tg, 4, n == 8 ? 0xdf000000u : 0xcf000000u);
            else
                fconst(e, t1, tg, 8, n == 8 ? 0xc3e0000000000000ull : 0xc1e0000000200000ull);
            ucomis(e, fs, s, t1);
            jcc(e, fs == 8 && n == 4 ? X64_CC_BE : X64_CC_B, cg_buf_island(B, IR_TRAP_int_ovf));
            xorps(e, t1);
            ucomis(e, fs, t1, s);
            jcc(e, X64_CC_B, cg_buf_island(B, IR_TRAP_int_ovf));    /* positive overflow */
        }
        cg_buf_bind(B, done);
        return;
    }
    uint32_t zero = cg_buf_new_label(B);
    ucomis(e, fs, s, s);
    jcc(e, X64_CC_P, sat ? zero : cg_buf_island(B, IR_TRAP_bad_toint));
    if (sat) {
        xorps(e, t1);
        ucomis(e, fs, s, t1);
        jcc(e, X64_CC_B, zero);
    }
    if (n == 4) {       /* through a 64-bit conversion: in range iff it fits 32 bits */
        cvtt(e, fs, 8, d, s);
        if (sat) {
            movi(e, tg, 8, 0xffffffff);
            rr(e, 0, true, 0x39, tg, d, 0);                 /* cmp d, tg */
            rr(e, 0, true, 0x0f47, d, tg, 0);               /* cmova d, tg */
        } else {
            rr(e, 0, true, 0x89, d, tg, 0);
            rr(e, 0, true, 0xc1, X64_SHR, tg, 0);
            cg_put1(B, 32);
            jcc(e, X64_CC_NE, cg_buf_island(B, IR_TRAP_int_ovf));
        }
        jmp(e, done);
    } else {            /* 2^63 and up: subtract it, convert, put the bit back */
        uint32_t big = cg_buf_new_label(B);
        fconst(e, t1, tg, fs, two63);
        ucomis(e, fs, s, t1);
        jcc(e, X64_CC_AE, big);
        cvtt(e, fs, 8, d, s);
        if (!sat) {
            rr(e, 0, true, 0x85, d, d, 0);
            jcc(e, X64_CC_S, cg_buf_island(B, IR_TRAP_int_ovf));
        }
        jmp(e, done);
        cg_buf_bind(B, big);
        rr(e, 0, false, 0x0f28, t2, s, 0);
        rr(e, fpfx(fs), false, 0x0f5c, t2, t1, 0);          /* sub */
        cvtt(e, fs, 8, d, t2);
        rr(e, 0, true, 0x85, d, d, 0);
        if (sat) {
            uint32_t ok = cg_buf_new_label(B);
            jcc(e, X64_CC_NS, ok);
            movi(e, d, 8, -1);
            jmp(e, done);
            cg_buf_bind(B, ok);
        } else {
            jcc(e, X64_CC_S, cg_buf_island(B, IR_TRAP_int_ovf));
        }
        rr(e, 0, true, 0x0fba, 7, d, 0);                    /* btc d, 63 */
        cg_put1(B, 63);
        jmp(e, done);
    }
    cg_buf_bind(B, zero);
    rr(e, 0, false, 0x31, d, d, 0);
    cg_buf_bind(B, done);
}

/* u64 -> float: direct when the sign bit is clear, else halve (keeping
 * the low bit for rounding), convert and double. */
static void emit_cvt_u64(em *e)
{
    unsigned fs = e->in->size, d = R(e, 0), s = R(e, 1), t = R(e, 2), u = R(e, 3);
    uint32_t big = cg_buf_new_label(B), done = cg_buf_new_label(B);
    rr(e, 0, true, 0x85, s, s, 0);
    jcc(e, X64_CC_S, big);
    rr(e, fpfx(fs), true, 0x0f2a, d, s, 0);
    jmp(e, done);
    cg_buf_bind(B, big);
    rr(e, 0, true, 0x89, s, t, 0);
    rr(e, 0, true, 0xc1, X64_SHR, t, 0);
    cg_put1(B, 1);
    rr(e, 0, true, 0x89, s, u, 0);
    rr(e, 0, true, 0x83, X64_AND, u, 0);
    cg_put1(B, 1);
    rr(e, 0, true, 0x09, u, t, 0);                          /* or t, u */
    rr(e, fpfx(fs), true, 0x0f2a, d, t, 0);
    rr(e, fpfx(fs), false, 0x0f58, d, d, 0);
    cg_buf_bind(B, done);
}

static void trap_here(em *e)
{
    int64_t code = e->in->imm;
    if (code != IR_TRAP_NONE)
        cg_buf_trap(B, (uint32_t)code);
}

/* ---- atomics --------------------------------------------------------------- */

static mem base_mem(em *e, unsigned k)
{
    return (mem){(int)R(e, k), -1, 0, 0, false, 0, NULL, 0};
}

/* lock cmpxchg [m], r: rax is the expected value and gets the old one */
static void cmpxchg(em *e, unsigned size, unsigned r, const mem *m)
{
    cg_put1(B, 0xf0);
    enc(e, szp(size), size == 8, size == 1 ? 0x0fb0 : 0x0fb1, r, m, 0, size == 1 ? BREG : 0, 0);
}

/* old = [p]; do t = old OP x while the cmpxchg of t finds [p] changed */
static void emit_rmw_loop(em *e)
{
    const cg_inst *in = e->in;
    unsigned size = in->size, x = R(e, 0), t = R(e, 3);
    bool w = size == 8;
    mem m = base_mem(e, 1);
    trap_here(e);
    if (size <= 2)
        enc(e, 0, false, size == 1 ? 0x0fb6 : 0x0fb7, X64_RAX, &m, 0, 0, 0);
    else
        enc(e, 0, w, 0x8b, X64_RAX, &m, 0, 0, 0);
    uint32_t again = cg_buf_new_label(B);
    cg_buf_bind(B, again);
    rr(e, 0, w, 0x89, X64_RAX, t, 0);                       /* mov t, rax */
    switch (in->cc) {
    case IR_RMW_and: case IR_RMW_nand:
        rr(e, 0, w, 0x21, x, t, 0);
        if (in->cc == IR_RMW_nand)
            rr(e, 0, w, 0xf7, X64_NOT, t, 0);
        break;
    case IR_RMW_or: rr(e, 0, w, 0x09, x, t, 0); break;
    case IR_RMW_xor: rr(e, 0, w, 0x31, x, t, 0); break;
    case IR_RMW_add: rr(e, 0, w, 0x01, x, t, 0); break;
    case IR_RMW_sub: rr(e, 0, w, 0x29, x, t, 0); break;
    case IR_RMW_xchg: rr(e, 0, w, 0x89, x, t, 0); break;
    default: {          /* min/max: compare at the width, take x if it wins */
        static const uint8_t cc[IR_RMW_COUNT] = {[IR_RMW_umin] = X64_CC_A, [IR_RMW_umax] = X64_CC_B,
                                                 [IR_RMW_smin] = X64_CC_G, [IR_RMW_smax] = X64_CC_L};
        rr(e, szp(size), w, size == 1 ? 0x38 : 0x39, x, t, size == 1 ? BREG | BRM : 0);
        rr(e, 0, w, 0x0f40 | cc[in->cc], t, x, 0);
    }
    }
    cmpxchg(e, size, t, &m);
    jcc(e, X64_CC_NE, again);
}

/* i128 atomics: rdx:rax = old value; rcx:rbx = what to store; retry
 * while lock cmpxchg16b finds memory changed.  IR_RMW_COUNT: one
 * cmpxchg16b with the registers as they are (atomic_cas, atomic_load). */
static void emit_rmw16(em *e)
{
    const cg_inst *in = e->in;
    mem m = base_mem(e, 0), mh = m;
    unsigned xl = in->cc == IR_RMW_COUNT ? 0 : R(e, 1), xh = in->cc == IR_RMW_COUNT ? 0 : R(e, 2);
    mh.disp = 8;
    trap_here(e);
    uint32_t again = CG_NONE;
    if (in->cc != IR_RMW_COUNT) {
        enc(e, 0, true, 0x8b, X64_RAX, &m, 0, 0, 0);
        enc(e, 0, true, 0x8b, X64_RDX, &mh, 0, 0, 0);
        again = cg_buf_new_label(B);
        cg_buf_bind(B, again);
        switch (in->cc) {
        case IR_RMW_xchg:
            rr(e, 0, true, 0x89, xl, X64_RBX, 0);
            rr(e, 0, true, 0x89, xh, X64_RCX, 0);
            break;
        case IR_RMW_umin: case IR_RMW_smin: case IR_RMW_umax: case IR_RMW_smax: {
            bool min = in->cc == IR_RMW_umin || in->cc == IR_RMW_smin;
            /* flags of x - old (min) or old - x (max), high half in rcx */
            rr(e, 0, true, 0x39, min ? X64_RAX : xl, min ? xl : X64_RAX, 0);
            rr(e, 0, true, 0x89, min ? xh : X64_RDX, X64_RCX, 0);
            rr(e, 0, true, 0x19, min ? X64_RDX : xh, X64_RCX, 0);     /* sbb rcx, .. */
            rr(e, 0, true, 0x89, X64_RAX, X64_RBX, 0);
            rr(e, 0, true, 0x89, X64_RDX, X64_RCX, 0);
            unsigned cc = in->cc == IR_RMW_umin || in->cc == IR_RMW_umax ? X64_CC_B : X64_CC_L;
            rr(e, 0, true, 0x0f40 | cc, X64_RBX, xl, 0);
            rr(e, 0, true, 0x0f40 | cc, X64_RCX, xh, 0);
            break;
        }
        default: {
            static const uint8_t lo[IR_RMW_COUNT] = {[IR_RMW_add] = 0x01, [IR_RMW_sub] = 0x29, [IR_RMW_and] = 0x21,
                                                     [IR_RMW_nand] = 0x21, [IR_RMW_or] = 0x09, [IR_RMW_xor] = 0x31};
            static const uint8_t hi[IR_RMW_COUNT] = {[IR_RMW_add] = 0x11, [IR_RMW_sub] = 0x19, [IR_RMW_and] = 0x21,
                                                     [IR_RMW_nand] = 0x21, [IR_RMW_or] = 0x09, [IR_RMW_xor] = 0x31};
            rr(e, 0, true, 0x89, X64_RAX, X64_RBX, 0);
            rr(e, 0, true, 0x89, X64_RDX, X64_RCX, 0);
            rr(e, 0, true, lo[in->cc], xl, X64_RBX, 0);
            rr(e, 0, true, hi[in->cc], xh, X64_RCX, 0);
            if (in->cc == IR_RMW_nand) {
                rr(e, 0, true, 0xf7, X64_NOT, X64_RBX, 0);
                rr(e, 0, true, 0xf7, X64_NOT, X64_RCX, 0);
            }
        }
        }
    }
    cg_put1(B, 0xf0);
    enc(e, 0, true, 0x0fc7, 1, &m, 0, 0, 0);                /* lock cmpxchg16b [m] */
    if (again != CG_NONE)
        jcc(e, X64_CC_NE, again);
}

/* ---- division: checks, then div/idiv -------------------------------------- */

static void emit_div(em *e)
{
    const cg_inst *in = e->in;
    unsigned size = in->size, y = R(e, 1);
    bool sign = in->cc & X64_DIV_SIGNED, rem = in->cc & X64_DIV_REM, check = !(in->cc & X64_DIV_CONST);
    bool w = size == 8;
    if (check) {
        rr(e, 0, w, 0x85, y, y, 0);                         /* test y, y */
        jcc(e, X64_CC_E, cg_buf_island(B, IR_TRAP_int_divz));
    }
    uint32_t done = CG_NONE;
    if (sign && !check) {
        if (w)
            cg_put1(B, 0x48);
        cg_put1(B, 0x99);                                   /* cdq / cqo */
    } else if (sign) {
        uint32_t go = cg_buf_new_label(B);
        alu_ri(e, X64_CMPOP, size, y, -1);
        jcc(e, X64_CC_NE, go);
        if (rem) {      /* x % -1 = 0; idiv would fault on INT_MIN */
            done = cg_buf_new_label(B);
            rr(e, 0, false, 0x31, X64_RDX, X64_RDX, 0);     /* xor edx, edx */
            jmp(e, done);
        } else {        /* INT_MIN / -1 overflows; x - 1 overflows iff x = INT_MIN */
            alu_ri(e, X64_CMPOP, in->aux, X64_RAX, 1);
            jcc(e, X64_CC_O, cg_buf_island(B, IR_TRAP_int_ovf));
        }
        cg_buf_bind(B, go);
        if (w)
            cg_put1(B, 0x48);
        cg_put1(B, 0x99);                                   /* cdq / cqo */
    } else {
        rr(e, 0, false, 0x31, X64_RDX, X64_RDX, 0);
    }
    rr(e, 0, w, 0xf7, sign ? 7 : 6, y, 0);
    if (done != CG_NONE)
        cg_buf_bind(B, done);
}

/* br_table: bounds check, then jump through a table of 32-bit offsets
 * from the table's start, placed right after the jump. */
static void emit_jmptable(em *e)
{
    const cg_inst *in = e->in;
    const uint32_t *lab = &e->c->f.vlist.v[in->aux];
    uint32_t labels[2] = {dest(e, lab[0]), 0};
    uint32_t n = (uint32_t)in->imm;
    unsigned idx = R(e, 0), t1 = R(e, 1), t2 = R(e, 2);
    if (n <= 1) {
        jmp(e, labels[0]);
        return;
    }
    rr(e, 0, false, 0x81, X64_CMPOP, idx, 0);
    cg_put4(B, n - 1);
    jcc(e, X64_CC_AE, labels[0]);
    rr(e, 0, false, 0x89, idx, t2, 0);                      /* mov t2d, idxd: zero-extend */
    uint32_t table = cg_buf_new_label(B);
    mem m = {-1, -1, 0, 0, true, table, NULL, 0};
    enc(e, 0, true, 0x8d, t1, &m, 0, 0, 0);                 /* lea t1, [rip+table] */
    mem ent = {(int)t1, (int)t2, 2, 0, false, 0, NULL, 0};
    enc(e, 0, true, 0x63, t2, &ent, 0, 0, 0);               /* movsxd t2, [t1+t2*4] */
    rr(e, 0, true, 0x01, t2, t1, 0);                        /* add t1, t2 */
    rr(e, 0, false, 0xff, 4, t1, 0);                        /* jmp t1 */
    cg_buf_bind(B, table);
    uint32_t base = cg_buf_off(B);
    for (uint32_t k = 1; k < n; k++) {
        cg_buf_fixup(B, cg_buf_off(B), dest(e, lab[k]), CG_FIX_DIFF32, (int32_t)base);
        cg_put4(B, 0);
    }
}


/* ---- vectors ---------------------------------------------------------------- */

/* The X64_V* forms: an SSE instruction from its encoding (x64.h). */
static void emit_vec(em *e)
{
    const cg_inst *in = e->in;
    int64_t x = in->imm;
    unsigned pfx = XV_PFX(x), n = XV_HAS_IMM(x);
    bool w = (x & XV_W) != 0;
    switch (in->op) {
    case X64_VRR:
        rr(e, pfx, w, XV_OPC(x), R(e, 0), R(e, 2), 0);
        break;
    case X64_VRRM: {
        mem m = mem_of(e, 2);
        enc(e, pfx, w, XV_OPC(x), R(e, 0), &m, 0, 0, n);
        break;
    }
    case X64_VUN:
        if (x & XV_SWAP)
            rr(e, pfx, w, XV_OPC(x), R(e, 1), R(e, 0), 0);
        else
            rr(e, pfx, w, XV_OPC(x), R(e, 0), R(e, 1), 0);
        break;
    case X64_VSHI:
        rr(e, pfx, w, XV_OPC(x), XV_DIG(x), R(e, 0), 0);
        break;
    case X64_VTEST:
        rr(e, pfx, w, XV_OPC(x), R(e, 0), R(e, 1), 0);
        break;
    default: {      /* VFMA: VEX.128.66.0F38.W(size 8) 0xA8 + kind*2 (213 form) */
        static const uint8_t opc[4] = {0xa8, 0xaa, 0xac, 0xae};
        unsigned d = R(e, 0), b = R(e, 2), c = R(e, 3);
        require(e, NEED(avx) | NEED(fma));
        cg_put1(B, 0xc4);
        cg_put1(B, (d & 8 ? 0 : 0x80) | 0x40 | (c & 8 ? 0 : 0x20) | 0x02);
        cg_put1(B, (in->size == 8 ? 0x80 : 0) | (~b & 15) << 3 | 0x01);
        cg_put1(B, opc[in->cc & 3]);
        cg_put1(B, 0xc0 | (d & 7) << 3 | (c & 7));
        n = 0;
    }
    }
    if (n)
        cg_put1(B, XV_IMM8(x));
}

/* ---- one instruction ------------------------------------------------------- */

static void emit_inst(em *e, uint32_t next_label)
{
    const cg_inst *in = e->in;
    unsigned size = in->size;
    bool w = size == 8;
    switch (in->op) {
    case X64_ARGS:
        break;
    case X64_RET:
        epilogue(e, (uint32_t)in->imm);
        break;
    case X64_MOV:
        if (R(e, 0) != R(e, 1) || size != 8)
            rr(e, 0, w, 0x89, R(e, 1), R(e, 0), 0);
        break;
    case X64_MOVI:
        movi(e, R(e, 0), size, in->imm);
        break;
    case X64_ALU:
        rr(e, szp(size), w, (uint32_t)(in->cc << 3 | (size == 1 ? 0 : 1)), R(e, 2), R(e, 0),
           size == 1 ? BREG | BRM : 0);
        break;
    case X64_ALUI:
        alu_ri(e, in->cc, size, R(e, 0), in->imm);
        break;
    case X64_CMP:
        rr(e, szp(size), w, in->cc == X64_TEST ? (size == 1 ? 0x84 : 0x85) : (size == 1 ? 0x38 : 0x39),
           R(e, 1), R(e, 0), size == 1 ? BREG | BRM : 0);
        break;
    case X64_CMPI:
        if (in->cc == X64_TEST) {
            rr(e, szp(size), w, size == 1 ? 0xf6 : 0xf7, 0, R(e, 0), BRM);
            imm(e, size == 1 ? 1 : size == 2 ? 2 : 4, in->imm);
        } else {
            alu_ri(e, X64_CMPOP, size, R(e, 0), in->imm);
        }
        break;
    case X64_IMUL:
        rr(e, szp(size), w, 0x0faf, R(e, 0), R(e, 2), 0);
        break;
    case X64_IMULI:
        if (in->imm == (int8_t)in->imm) {
            rr(e, 0, w, 0x6b, R(e, 0), R(e, 1), 0);
            imm(e, 1, in->imm);
        } else {
            rr(e, 0, w, 0x69, R(e, 0), R(e, 1), 0);
            imm(e, 4, in->imm);
        }
        break;
    case X64_UNARY:
        if (in->cc == X64_BSWAP) {
            unsigned d = R(e, 0);
            if (w || (d & 8))
                cg_put1(B, 0x40 | (w ? 8 : 0) | (d & 8 ? 1 : 0));
            cg_put1(B, 0x0f);
            cg_put1(B, 0xc8 + (d & 7));
            break;
        }
        rr(e, szp(size), w, size == 1 ? 0xf6 : 0xf7, in->cc, R(e, 0), BRM);
        break;
    case X64_MULHI:
        rr(e, szp(size), w, 0xf7, in->cc ? 5 : 4, R(e, 1), 0);
        break;
    case X64_SHIFT:
        rr(e, szp(size), w, size == 1 ? 0xd2 : 0xd3, in->cc, R(e, 0), BRM);
        break;
    case X64_SHIFTI:
        rr(e, szp(size), w, size == 1 ? 0xc0 : 0xc1, in->cc, R(e, 0), BRM);
        imm(e, 1, in->imm);
        break;
    case X64_SHLDI:
        rr(e, 0, true, in->cc ? 0x0fac : 0x0fa4, R(e, 2), R(e, 0), 0);
        cg_put1(B, (uint8_t)in->imm);
        break;
    case X64_SHLD:
        rr(e, 0, true, in->cc ? 0x0fad : 0x0fa5, R(e, 2), R(e, 0), 0);
        break;
    case X64_EXT: {
        unsigned d = R(e, 0), s = R(e, 1);
        if (in->aux == 4)
            in->cc ? rr(e, 0, true, 0x63, d, s, 0) : rr(e, 0, false, 0x89, s, d, 0);
        else
            rr(e, 0, in->cc && w, (in->aux == 1 ? 0x0fb6 : 0x0fb7) | (in->cc ? 8 : 0), d, s, BRM);
        break;
    }
    case X64_LOAD: {
        mem m = mem_of(e, 1);
        unsigned d = R(e, 0), ext = in->cc & 3;
        trap_here(e);
        if (size <= 2)
            enc(e, 0, ext == X64_LD_SX && (in->cc & X64_LD_64), (size == 1 ? 0x0fb6 : 0x0fb7) | (ext == X64_LD_SX ? 8 : 0),
                d, &m, 0, 0, 0);
        else if (size == 4 && ext == X64_LD_SX && (in->cc & X64_LD_64))
            enc(e, 0, true, 0x63, d, &m, 0, 0, 0);
        else
            enc(e, 0, w, 0x8b, d, &m, 0, 0, 0);
        break;
    }
    case X64_STORE: {
        mem m = mem_of(e, 1);
        trap_here(e);
        enc(e, szp(size), w, size == 1 ? 0x88 : 0x89, R(e, 0), &m, 0, size == 1 ? BREG : 0, 0);
        break;
    }
    case X64_ALUM: {
        mem m = mem_of(e, 2);
        trap_here(e);
        enc(e, 0, w, in->cc == X64_MULOP ? 0x0faf : (uint32_t)(in->cc << 3 | 3), R(e, 0), &m, 0, 0, 0);
        break;
    }
    case X64_XALUM: {
        mem m = mem_of(e, 2);
        trap_here(e);
        enc(e, size == 4 ? PF3 : PF2, false, 0x0f00 | in->cc, R(e, 0), &m, 0, 0, 0);
        break;
    }
    case X64_STOREI: {
        mem m = mem_of(e, 0);
        unsigned n = size == 8 ? 4 : size;
        if ((uint32_t)in->imm != IR_TRAP_NONE)
            cg_buf_trap(B, (uint32_t)in->imm);
        enc(e, szp(size), w, size == 1 ? 0xc6 : 0xc7, 0, &m, 0, 0, n);
        imm(e, n, (int32_t)(in->imm >> 32));
        break;
    }
    case X64_LEA: {
        mem m = mem_of(e, 1);
        enc(e, 0, true, 0x8d, R(e, 0), &m, 0, 0, 0);
        break;
    }
    case X64_SETCC:
        rr(e, 0, false, 0x0f90 | in->cc, 0, R(e, 0), BRM);
        break;
    case X64_CMOV:
        rr(e, 0, w, 0x0f40 | in->cc, R(e, 0), R(e, 2), 0);
        break;
    case X64_BITOP: {
        static const uint16_t opc[] = {0x0fbd, 0x0fbc, 0x0fb8, 0x0fbd, 0x0fbc};
        rr(e, in->cc <= X64_POPCNT ? PF3 : 0, w, opc[in->cc], R(e, 0), R(e, 1), 0);
        break;
    }
    case X64_DIV:
        emit_div(e);
        break;
    case X64_JMP: {
        uint32_t t = dest(e, in->aux), ci = e->dup && t < e->c->f.nlabels ? e->dup[t] : CG_NONE;
        if (t == next_label)
            break;
        if (ci != CG_NONE) {    /* the compare and branch themselves, not a jump to them */
            const uint32_t *al = e->al;
            set_inst(e, ci);
            emit_inst(e, CG_NONE);
            set_inst(e, ci + 1);
            emit_inst(e, next_label);
            e->in = in, e->al = al;
            break;
        }
        jmp(e, t);
        break;
    }
    case X64_JCOND: {
        uint32_t taken = dest(e, in->aux), other = dest(e, (uint32_t)in->imm);
        if (taken == next_label) {
            jcc(e, in->cc ^ 1, other);
        } else {
            jcc(e, in->cc, taken);
            if (other != next_label)
                jmp(e, other);
        }
        break;
    }
    case X64_JMPTABLE:
        emit_jmptable(e);
        break;
    case X64_UD2:
        cg_buf_trap(B, in->aux);
        cg_put2(B, 0x0b0f);
        break;
    case X64_TRAPIF:
        jcc(e, in->cc, cg_buf_island(B, in->aux));
        break;
    case X64_CALL: {
        const ir_inst_data *ii = in->ir != CG_NONE ? &e->c->fn->insts.v[in->ir] : NULL;
        cg_put1(B, 0xe8);
        cg_buf_reloc(B, cg_buf_off(B), JIT_R_X86_CALL_PCREL4, e->c->f.syms.v[in->aux], -4,
                     ii ? ii->line : 0, ii ? ii->col : 0);
        cg_put4(B, 0);
        if (in->cc)
            x64_emit_exn_table(B, &e->c->f, in, 8 * e->nsaved + e->locals, e->c->frame.align);
        sp_adjust(e, 5, (uint32_t)in->imm);    /* the callee popped its arguments */
        break;
    }
    case X64_CALLIND:
        rr(e, 0, false, 0xff, 2, R(e, 0), 0);
        if (in->cc)
            x64_emit_exn_table(B, &e->c->f, in, 8 * e->nsaved + e->locals, e->c->frame.align);
        sp_adjust(e, 5, (uint32_t)in->imm);
        break;
    case X64_RETCALL:
        emit_retcall(e);
        break;
    case X64_GOTLOAD: {
        mem m = {-1, -1, 0, 0, true, 0, e->c->f.syms.v[in->aux], JIT_R_X86_GOTPCREL4};
        enc(e, 0, true, 0x8b, R(e, 0), &m, 0, 0, 0);
        break;
    }
    case X64_XMOV:
        if (R(e, 0) != R(e, 1))
            rr(e, 0, false, 0x0f28, R(e, 0), R(e, 1), 0);
        break;
    case X64_XLOAD: {
        mem m = mem_of(e, 1);
        trap_here(e);
        if (size == 2) {    /* pinsrw x, [m], 0: a 2-byte vector */
            enc(e, P66, false, 0x0fc4, R(e, 0), &m, 0, 0, 1);
            cg_put1(B, 0);
            break;
        }
        enc(e, size == 4 ? PF3 : size == 8 ? PF2 : 0, false, 0x0f10, R(e, 0), &m, 0, 0, 0);
        break;
    }
    case X64_XSTORE: {
        mem m = mem_of(e, 1);
        if (size == 2 && !(e->c->target->isa >> CG_ISA_sse41 & 1)) {  /* pextrw r11d, x, 0; mov [m], r11w */
            rr(e, P66, false, 0x0fc5, X64_SCRATCH, R(e, 0), 0);
            cg_put1(B, 0);
            trap_here(e);
            enc(e, P66, false, 0x89, X64_SCRATCH, &m, 0, 0, 0);
            break;
        }
        trap_here(e);
        if (size == 2) {    /* pextrw [m], x, 0 */
            enc(e, P66, false, 0x0f3a15, R(e, 0), &m, 0, 0, 1);
            cg_put1(B, 0);
            break;
        }
        enc(e, size == 4 ? PF3 : size == 8 ? PF2 : 0, false, 0x0f11, R(e, 0), &m, 0, 0, 0);
        break;
    }
    case X64_XALU:
        rr(e, size == 4 ? PF3 : PF2, false, 0x0f00 | in->cc, R(e, 0), R(e, 2), 0);
        break;
    case X64_XBIT:
        rr(e, 0, false, 0x0f00 | in->cc, R(e, 0), R(e, 2), 0);
        break;
    case X64_UCOMI:
        rr(e, size == 8 ? P66 : 0, false, 0x0f2e, R(e, 0), R(e, 1), 0);
        break;
    case X64_XZERO:
        rr(e, 0, false, 0x0f57, R(e, 0), R(e, 0), 0);
        break;
    case X64_CVTI2F:
        rr(e, size == 4 ? PF3 : PF2, in->aux == 8, 0x0f2a, R(e, 0), R(e, 1), 0);
        break;
    case X64_CVTF2I:
        rr(e, size == 4 ? PF3 : PF2, in->aux == 8, 0x0f2c, R(e, 0), R(e, 1), 0);
        break;
    case X64_CVTFF:
        rr(e, size == 8 ? PF3 : PF2, false, 0x0f5a, R(e, 0), R(e, 1), 0);
        break;
    case X64_MOVG2X:
        rr(e, P66, w, 0x0f6e, R(e, 0), R(e, 1), 0);
        break;
    case X64_MOVX2G:
        rr(e, P66, w, 0x0f7e, R(e, 1), R(e, 0), 0);
        break;
    case X64_XADD: {
        mem m = base_mem(e, 2);
        trap_here(e);
        if (in->cc == 0)
            cg_put1(B, 0xf0);
        enc(e, szp(size), w, in->cc ? (size == 1 ? 0x86 : 0x87) : (size == 1 ? 0x0fc0 : 0x0fc1), R(e, 0), &m, 0,
            size == 1 ? BREG : 0, 0);
        break;
    }
    case X64_CAS: {
        mem m = base_mem(e, 2);
        trap_here(e);
        cmpxchg(e, size, R(e, 1), &m);
        break;
    }
    case X64_RMWLOOP:
        emit_rmw_loop(e);
        break;
    case X64_RMW16:
        emit_rmw16(e);
        break;
    case X64_FENCE:
        cg_put1(B, 0x0f), cg_put1(B, 0xae), cg_put1(B, 0xf0);
        break;
    case X64_XMINMAX:
        emit_minmax(e);
        break;
    case X64_ROUND:
        enc(e, P66, false, size == 4 ? 0x0f3a0a : 0x0f3a0b, R(e, 0), NULL, R(e, 1), 0, 1);
        cg_put1(B, (uint8_t)in->imm);
        break;
    case X64_CVTSEQ:
        emit_cvt_seq(e);
        break;
    case X64_CVTU64:
        emit_cvt_u64(e);
        break;
    case X64_XSEL: {
        uint32_t skip = cg_buf_new_label(B);
        jcc8(e, in->cc ^ 1, skip);
        rr(e, 0, false, 0x0f28, R(e, 0), R(e, 2), 0);
        cg_buf_bind(B, skip);
        break;
    }
    case X64_F16C: {    /* VEX.128.66.0F38.W0 13 /r;  VEX.128.66.0F3A.W0 1D /r ib (reg: the source) */
        unsigned reg = in->cc ? R(e, 1) : R(e, 0), rm = in->cc ? R(e, 0) : R(e, 1);
        require(e, NEED(f16c));
        cg_put1(B, 0xc4);
        cg_put1(B, (reg & 8 ? 0 : 0x80) | 0x40 | (rm & 8 ? 0 : 0x20) | (in->cc ? 0x03 : 0x02));
        cg_put1(B, 0x79);   /* W0, vvvv unused, L0, pp 66 */
        cg_put1(B, in->cc ? 0x1d : 0x13);
        cg_put1(B, 0xc0 | (reg & 7) << 3 | (rm & 7));
        if (in->cc)
            cg_put1(B, 0);  /* round to nearest, ties to even */
        break;
    }
    case X64_VRR: case X64_VRRM: case X64_VUN: case X64_VSHI: case X64_VTEST: case X64_VFMA:
        emit_vec(e);
        break;
    default:
        e->ok = false;
    }
}

/* Per block label, in one pass over the blocks: alias, the label a jump to
 * it goes to, past blocks that are a lone jump with no moves of the
 * allocator (followed through chains); dup, the compare of a block that
 * is only a compare and a conditional branch with no moves, else CG_NONE
 * (a jump to one becomes a copy of them: a loop's test at its bottom
 * instead of a jump back to it). */
static void block_tables(cg_ctx *c, uint32_t *alias, uint32_t *dup)
{
    const cg_func *f = &c->f;
    const uint32_t nl = f->nlabels, nb = f->blocks.n;     /* locals: the stores below are uint32_t too */
    const cg_edit *ed = f->edits.v, *eend = f->edits.n ? ed + f->edits.n : ed;   /* none: v may be NULL */
    for (uint32_t l = 0; l < nl; l++)
        alias[l] = l, dup[l] = CG_NONE;
    for (uint32_t b = 0; b < nb; b++) {
        const cg_block *bl = &f->blocks.v[b];
        while (ed < eend && ed->pos < 2 * bl->first)
            ed++;
        uint32_t moves = ed < eend ? ed->pos : UINT32_MAX;    /* the first at or past it */
        const cg_inst *in = &f->insts.v[bl->first];
        if (bl->end == bl->first + 1 && in->op == X64_JMP && in->aux < nl && moves > 2 * bl->first + 1 && b > 0)
            alias[bl->label] = in->aux;
        if (bl->end == bl->first + 2 && bl->label < nl && moves >= 2 * bl->end &&
            (in->op == X64_CMP || in->op == X64_CMPI) && in[1].op == X64_JCOND)
            dup[bl->label] = bl->first;
    }
    for (uint32_t l = 0; l < nl; l++) {
        uint32_t t = l;
        for (uint32_t k = 0; k < 8 && alias[t] != t; k++)
            t = alias[t];
        alias[l] = alias[t] == t ? t : l;   /* a cycle of jumps stays as it is */
    }
}

/* `mov d, x; add d, y|imm` (the copy the allocator made for a reused
 * operand) as `lea d, [x + y|imm]`, when nothing reads the flags. */
static inline bool lea_fits(em *e, const cg_edit *ed)
{
    const cg_inst *in = e->in;
    return (in->op == X64_ALU || in->op == X64_ALUI) && (in->aux & X64_FLAGS_DEAD) &&
           (in->cc == X64_ADD || (in->op == X64_ALUI && in->cc == X64_SUB)) && in->size >= 4 &&
           !cg_alloc_is_slot(ed->from) && ed->cls == CG_CLS_INT && ed->to == e->al[0];
}

/* The lea for the move ed, when lea_fits. */
static void lea_for(em *e, const cg_edit *ed)
{
    const cg_inst *in = e->in;
    mem m = {(int)ed->from, -1, 0, 0, false, 0, NULL, 0};
    if (in->op == X64_ALU)
        m.index = (int)R(e, 2);
    else
        m.disp = (int32_t)(in->cc == X64_SUB ? -in->imm : in->imm);
    enc(e, 0, in->size == 8, 0x8d, R(e, 0), &m, 0, 0, 0);
}

bool x64_emit(cg_ctx *c)
{
    em e = {.c = c, .b = &c->buf, .out = c->buf.out, .ok = true};
    cg_func *f = &c->f;
    prologue(&e);
    /* both tables, on the stack for most functions */
    uint32_t labels_[2 * 64], *labels = f->nlabels < 64 ? labels_ : ir_xmalloc(2 * (f->nlabels + 1) * sizeof *labels);
    e.alias = labels, e.dup = labels + f->nlabels + 1;
    block_tables(c, e.alias, e.dup);
    const cg_edit *ed = f->edits.v, *eend = f->edits.n ? ed + f->edits.n : ed;   /* none: v may be NULL */
    const cg_inst *insts = f->insts.v;
    static const uint32_t no_allocs[1];     /* a function with no operands: allocs + 0 stays defined */
    const uint32_t *allocs = f->allocs.v ? f->allocs.v : no_allocs;
    for (uint32_t b = 0; b < f->blocks.n; b++) {
        const cg_block *bl = &f->blocks.v[b];
        if (e.alias[bl->label] != bl->label)
            continue;   /* a lone jump, threaded */
        cg_buf_bind(&c->buf, bl->label);
        uint32_t next = CG_NONE;
        for (uint32_t k = b + 1; k < f->blocks.n && next == CG_NONE; k++)
            if (e.alias[f->blocks.v[k].label] == f->blocks.v[k].label)
                next = f->blocks.v[k].label;
        for (uint32_t i = bl->first, end = bl->end; i < end; i++) {
            e.in = insts + i, e.al = allocs + e.in->opnd;
            cg_buf_mark(&c->buf, e.in->ir);
            while (ed < eend && ed->pos < 2 * i)
                ed++;
            if (ed == eend || ed->pos > 2 * i + 1) {     /* no move before or after */
                emit_inst(&e, next);
                continue;
            }
            const cg_edit *before = ed;     /* the moves before it: [before, ed) */
            while (ed < eend && ed->pos == 2 * i)
                ed++;
            bool lea = ed > before && lea_fits(&e, ed - 1);
            for (const cg_edit *m = before; m < ed - lea; m++)    /* the other moves (a reload of y) first */
                move(&e, m);
            if (lea)
                lea_for(&e, ed - 1);
            else
                emit_inst(&e, next);
            for (; ed < eend && ed->pos == 2 * i + 1; ed++)
                move(&e, ed);
        }
    }
    /* a threaded block's label is where its jump goes */
    for (uint32_t l = 0; l < f->nlabels; l++)
        if (e.alias[l] != l)
            c->buf.labels.v[l] = c->buf.labels.v[e.alias[l]];
    if (labels != labels_)
        free(labels);
    if (!cg_emit_check(c, e.ok, &e.need))
        return false;
    static const uint8_t ud2[] = {0x0f, 0x0b};
    return cg_buf_finish(&c->buf, c, ud2, sizeof ud2);
}
