/* AArch64 encoding of Neon: the operations of a64.h's table as words, and
 * the two machine opcodes that use them (A64_VOP, A64_VCONST).  A row is
 * the instruction word with its registers and variable fields zero; its
 * form says where the arrangement (Q, size or sz) and the immediate go
 * (ARMv8 A64: "Advanced SIMD" encodings).  tests/neon_test.c checks every
 * row against capstone's decoding. */
#include "a64emit.h"

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
