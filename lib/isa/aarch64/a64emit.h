/* lib/isa/aarch64: the encoders shared by emit.c and emitseq.c. */
#ifndef CLIFRUN_A64EMIT_H
#define CLIFRUN_A64EMIT_H

#include "a64.h"

typedef struct em {
    cg_ctx *c;
    cg_buf *b;
    const cg_inst *in;      /* being emitted (NULL for the allocator's moves) */
    uint32_t locals;        /* sub sp, after the saved registers */
    uint8_t saved[64];      /* callee-saved registers pushed, in order */
    unsigned nsaved;
    uint32_t frame_off;     /* fp - sp in the body */
    bool long_br;           /* second attempt: long branches, inline traps */
    bool pac, pac_zero;     /* sign the return address; with the zero modifier (tail) */
    bool frameless;         /* a leaf without a frame (no fp/lr record) */
    bool ok;
    cg_need need;           /* ISA flags a word needed that the target lacks (a64_put) */
} em;

#define B (e->b)
#define SF(size) ((size) == 8 ? 1u << 31 : 0)

/* Append an instruction word; one the target's ISA flags do not allow
 * (LSE, FEAT_FP16, PAuth beyond the hint space, dot product) is refused at
 * the end of the emission with a located error, never left to SIGILL. */
void a64_put(em *e, uint32_t w);
/* Record the current instruction's trap code (imm) at the next word. */
void a64_trap_here(em *e);
/* The register allocated to operand k. */
unsigned a64_R(em *e, unsigned k);
void a64_enc_movi(em *e, unsigned rd, unsigned size, uint64_t x);
void a64_enc_alu(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned rm, unsigned op2,
                 unsigned amount);
void a64_enc_alui(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, uint64_t imm);
void a64_enc_bfm(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned immr, unsigned imms);
void a64_enc_shift(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned n);
void a64_add_imm(em *e, unsigned rd, unsigned rn, int64_t imm);
void a64_ldst(em *e, unsigned kind, bool fp, unsigned width, unsigned rt, unsigned base, int64_t disp);
void a64_sp_adjust(em *e, int64_t n);
void a64_teardown(em *e, uint32_t pop);
void a64_b(em *e, uint32_t label);
void a64_bcc_word(em *e, uint32_t word, uint32_t inverted, bool tbz, uint32_t label);
void a64_bcond(em *e, unsigned cc, uint32_t label);
void a64_trap_if(em *e, unsigned cc, uint32_t code);
void a64_fmovi(em *e, unsigned rd, unsigned size, uint64_t bits);

/* The word after a try_call's bl (its return address) is a branch over
 * the call site's exception table: A64_EXN_MAGIC, fp - sp before
 * realignment, the count, the alignment of sp (sp = (fp - that) & -align),
 * then per handler its kind (IR_EXN_TAG / IR_EXN_DEFAULT), tag and offset
 * from the return address.  cg_exn_handler reads it. */
#define A64_EXN_MAGIC 0xC1F7E8A5u

/* emitvec.c: the word of Neon operation op (A64_N_*) in arrangement arr */
uint32_t a64_neon_word(unsigned op, unsigned arr, unsigned rd, unsigned rn, unsigned rm, int64_t imm);
void a64_emit_vop(em *e);
void a64_emit_vconst(em *e);
void a64_vmov(em *e, unsigned rd, unsigned rn);     /* all 128 bits */

/* emitseq.c */
void a64_emit_exn_table(em *e);
void a64_emit_brtable(em *e);
void a64_emit_retcall(em *e);
void a64_emit_rmw_loop(em *e);
void a64_emit_cas_loop(em *e);
void a64_emit_lse(em *e);
void a64_emit_rmw128(em *e);

#endif
