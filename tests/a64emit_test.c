/* tests/a64emit_test.c: the AArch64 encoder (lib/isa/aarch64/emit.c)
 * checked against capstone, as tests/x64emit_test.c does for
 * x86-64 and tests/neon_test.c for the Neon table: each case is one
 * machine instruction with its operands' registers, emitted by a64_emit in
 * a function of its own, its words decoded by capstone and compared with
 * the assembly written here from the ARM ARM (capstone 4's spelling and
 * aliases: mov, cmp, lsl, cset, sxtb ...; several instructions joined by
 * "; ").  Every machine opcode of lib/isa/aarch64/a64inst.def must have a
 * case; the Neon rows are neon_test's.  A branch's target is shown as
 * .+N, N bytes from the start of the instruction; a want ending in "*"
 * compares only that much (sequences).  What capstone 4 cannot decode (FEAT_FP16, LSE atomics, udf) is
 * compared as the word the ARM ARM gives (".word 0x...").  Runs on any host (capstone decodes AArch64 everywhere).
 *
 * Prints the failures and "N passed, N failed"; exit 1 on any failure. */
#include "isa/aarch64/a64.h"

#include "emitcase.h"

static const char *const names[A64_OPCOUNT] = {
#define X(name, mnemonic, layout) [A64_##name] = #name,
#include "isa/aarch64/a64inst.def"
#undef X
};

#define X(n) (A64_X0 + (n))
#define V(n) (A64_V0 + (n))
#define SP A64_SP

/* a branch's target (the last operand, #0x...) as .+N */
static const char *branch_ops(const cs_insn *insn, uint64_t start, char *rel, size_t size)
{
    const char *ops = insn->op_str, *hash = strrchr(ops, '#'), *m = insn->mnemonic;
    bool branch = m[0] == 'b' || !strncmp(m, "cb", 2) || !strncmp(m, "tb", 2) || !strcmp(m, "adr") ||
                  (!strcmp(m, "ldr") && hash);
    if (!branch || !hash || strncmp(hash, "#0x", 3) || strchr(hash, ']') || !strcmp(m, "bic") ||
        !strcmp(m, "bics") || !strcmp(m, "bsl") || !strcmp(m, "bfi") || !strcmp(m, "bfxil"))
        return ops;
    snprintf(rel, size, "%.*s.%+lld", (int)(hash - ops), ops, (long long)strtoull(hash + 1, NULL, 16) - (long long)start);
    return rel;
}

static const emit_isa a64 = {&a64_isa, JIT_ARCH_AARCH64, CS_ARCH_ARM64, CS_MODE_ARM, A64_RET, A64_V0,
                             a64_emit /* (it sets up c->buf) */, branch_ops, true};



#define C(op, cc, size, ...) {A64_##op, cc, size, __VA_ARGS__}
#define R1(a) 1, {a}
#define R2(a, b) 2, {a, b}
#define R3(a, b, c) 3, {a, b, c}
#define R4(a, b, c, d) 4, {a, b, c, d}
#define R5(a, b, c, d, e) 5, {a, b, c, d, e}
#define M(am, scale, disp, aux) A64_AM_##am, scale, disp, aux
#define NOM 0, 0, 0, 0
/* ALU forms: amode the op2, scale its amount */
#define OP2(op2, amount) A64_OP2_##op2, amount, 0, 0
static const tcase cases[] = {
    C(ARGS, 0, 0, NOM, 0, R2(X(0), X(1)), ""),
    C(MOV, 0, 8, NOM, 0, R2(X(1), X(2)), "mov x1, x2"),
    C(MOV, 0, 4, NOM, 0, R2(X(1), X(2)), "mov w1, w2"),
    C(MOV, 0, 8, NOM, 0, R2(X(3), X(3)), ""),
    C(MOV, 0, 4, NOM, 0, R2(X(3), X(3)), "mov w3, w3"),
    C(MOVI, 0, 8, NOM, 0x1234, R1(X(1)), "movz x1, #0x1234"),
    C(MOVI, 0, 8, NOM, 0x12340000, R1(X(1)), "movz x1, #0x1234, lsl #16"),
    C(MOVI, 0, 8, NOM, -1, R1(X(9)), "movn x9, #0"),
    C(MOVI, 0, 4, NOM, 0, R1(X(9)), "movz w9, #0"),
    C(MOVI, 0, 8, NOM, 0x5555555555555555ll, R1(X(2)), "orr x2, xzr, #0x5555555555555555"),
    C(MOVI, 0, 8, NOM, 0x123456789ll, R1(X(2)), "movz x2, #0x6789; movk x2, #0x2345, lsl #16; movk x2, #0x1, lsl #32"),
    C(ALU, A64_ADD, 8, NOM, 0, R3(X(1), X(2), X(3)), "add x1, x2, x3"),
    C(ALU, A64_SUB, 4, OP2(LSL, 3), 0, R3(X(1), X(2), X(3)), "sub w1, w2, w3, lsl #3"),
    C(ALU, A64_ADD, 8, OP2(SXTW, 0), 0, R3(X(1), X(2), X(3)), "add x1, x2, w3, sxtw"),
    C(ALU, A64_ADD, 8, OP2(UXTB, 2), 0, R3(X(1), X(2), X(3)), "add x1, x2, w3, uxtb #2"),
    C(ALU, A64_SUBS, 8, OP2(ASR, 7), 0, R3(X(1), X(2), X(3)), "subs x1, x2, x3, asr #7"),
    C(ALU, A64_AND, 8, NOM, 0, R3(X(1), X(2), X(28)), "and x1, x2, x28"),
    C(ALU, A64_ANDS, 4, NOM, 0, R3(X(1), X(2), X(3)), "ands w1, w2, w3"),
    C(ALU, A64_ORR, 4, OP2(ROR, 5), 0, R3(X(1), X(2), X(3)), "orr w1, w2, w3, ror #5"),
    C(ALU, A64_EOR, 8, OP2(LSR, 1), 0, R3(X(1), X(2), X(3)), "eor x1, x2, x3, lsr #1"),
    C(ALU, A64_BIC, 8, NOM, 0, R3(X(1), X(2), X(3)), "bic x1, x2, x3"),
    C(ALU, A64_ORN, 4, NOM, 0, R3(X(1), X(2), X(3)), "orn w1, w2, w3"),
    C(ALU, A64_EON, 8, NOM, 0, R3(X(1), X(2), X(3)), "eon x1, x2, x3"),
    C(ALU, A64_BICS, 8, NOM, 0, R3(X(1), X(2), X(3)), "bics x1, x2, x3"),
    C(ALU, A64_ADDS, 4, NOM, 0, R3(X(1), X(2), X(3)), "adds w1, w2, w3"),
    C(ALU, A64_ADC, 8, NOM, 0, R3(X(1), X(2), X(3)), "adc x1, x2, x3"),
    C(ALU, A64_ADCS, 8, NOM, 0, R3(X(1), X(2), X(3)), "adcs x1, x2, x3"),
    C(ALU, A64_SBC, 4, NOM, 0, R3(X(1), X(2), X(3)), "sbc w1, w2, w3"),
    C(ALU, A64_SBCS, 8, NOM, 0, R3(X(1), X(2), X(3)), "sbcs x1, x2, x3"),
    C(ALU, A64_LSLV, 8, NOM, 0, R3(X(1), X(2), X(3)), "lsl x1, x2, x3"),
    C(ALU, A64_LSRV, 4, NOM, 0, R3(X(1), X(2), X(3)), "lsr w1, w2, w3"),
    C(ALU, A64_ASRV, 8, NOM, 0, R3(X(1), X(2), X(3)), "asr x1, x2, x3"),
    C(ALU, A64_RORV, 4, NOM, 0, R3(X(1), X(2), X(3)), "ror w1, w2, w3"),
    C(ALU, A64_MUL, 8, NOM, 0, R3(X(1), X(2), X(3)), "mul x1, x2, x3"),
    C(ALU, A64_SMULH, 8, NOM, 0, R3(X(1), X(2), X(3)), "smulh x1, x2, x3"),
    C(ALU, A64_UMULH, 8, NOM, 0, R3(X(1), X(2), X(3)), "umulh x1, x2, x3"),
    C(ALU, A64_SDIV, 4, NOM, 0, R3(X(1), X(2), X(3)), "sdiv w1, w2, w3"),
    C(ALU, A64_UDIV, 8, NOM, 0, R3(X(1), X(2), X(3)), "udiv x1, x2, x3"),
    C(ALUI, A64_ADD, 8, NOM, 16, R2(X(1), X(2)), "add x1, x2, #0x10"),
    C(ALUI, A64_SUB, 4, NOM, 4095, R2(X(1), X(2)), "sub w1, w2, #0xfff"),
    C(ALUI, A64_ADD, 8, NOM, 0x1000, R2(X(1), X(2)), "add x1, x2, #1, lsl #12"),
    C(ALUI, A64_ADD, 8, NOM, 16, R2(X(1), SP), "add x1, sp, #0x10"),
    C(ALUI, A64_SUBS, 8, NOM, 1, R2(X(1), X(2)), "subs x1, x2, #1"),
    C(ALUI, A64_AND, 8, NOM, 0xff, R2(X(1), X(2)), "and x1, x2, #0xff"),
    C(ALUI, A64_ORR, 4, NOM, 0xf0f0f0f0, R2(X(1), X(2)), "orr w1, w2, #0xf0f0f0f0"),
    C(ALUI, A64_EOR, 8, NOM, 1, R2(X(1), X(2)), "eor x1, x2, #1"),
    C(ALUI, A64_ANDS, 8, NOM, 0x8000000000000000ll, R2(X(1), X(2)), "ands x1, x2, #0x8000000000000000"),
    C(MADD, 0, 8, NOM, 0, R4(X(1), X(2), X(3), X(4)), "madd x1, x2, x3, x4"),
    C(MADD, 1, 4, NOM, 0, R4(X(1), X(2), X(3), X(4)), "msub w1, w2, w3, w4"),
    C(MADD, 2, 8, NOM, 0, R4(X(1), X(2), X(3), X(4)), "smaddl x1, w2, w3, x4"),
    C(MADD, 3, 8, NOM, 0, R4(X(1), X(2), X(3), X(4)), "umaddl x1, w2, w3, x4"),
    C(SHIFTI, A64_LSL, 8, NOM, 3, R2(X(1), X(2)), "lsl x1, x2, #3"),
    C(SHIFTI, A64_LSR, 4, NOM, 5, R2(X(1), X(2)), "lsr w1, w2, #5"),
    C(SHIFTI, A64_ASR, 8, NOM, 63, R2(X(1), X(2)), "asr x1, x2, #0x3f"),
    C(SHIFTI, A64_ROR, 4, NOM, 7, R2(X(1), X(2)), "ror w1, w2, #7"),
    C(BFM, A64_SBFM, 8, NOM, 0 | 7 << 8, R2(X(1), X(2)), "sxtb x1, w2"),
    C(BFM, A64_UBFM, 4, NOM, 0 | 15 << 8, R2(X(1), X(2)), "uxth w1, w2"),
    C(BFM, A64_SBFM, 8, NOM, 4 | 11 << 8, R2(X(1), X(2)), "sbfx x1, x2, #4, #8"),
    C(BFM, A64_BFMI, 8, NOM, 56 | 7 << 8, R3(X(1), X(1), X(3)), "bfi x1, x3, #8, #8"),
    C(EXTR, 0, 8, NOM, 12, R3(X(1), X(2), X(3)), "extr x1, x2, x3, #0xc"),
    C(EXTR, 0, 4, NOM, 3, R3(X(1), X(2), X(2)), "ror w1, w2, #3"),
    C(CMP, A64_SUBS, 8, NOM, 0, R2(X(1), X(2)), "cmp x1, x2"),
    C(CMP, A64_ADDS, 4, NOM, 0, R2(X(1), X(2)), "cmn w1, w2"),
    C(CMP, A64_ANDS, 8, NOM, 0, R2(X(1), X(2)), "tst x1, x2"),
    C(CMP, A64_SUBS, 4, OP2(UXTB, 0), 0, R2(X(1), X(2)), "cmp w1, w2, uxtb"),
    C(CMP, A64_SUBS, 8, OP2(LSL, 4), 0, R2(X(1), X(2)), "cmp x1, x2, lsl #4"),
    C(CMPI, A64_SUBS, 8, NOM, 5, R1(X(1)), "cmp x1, #5"),
    C(CMPI, A64_ADDS, 4, NOM, 1, R1(X(1)), "cmn w1, #1"),
    C(CMPI, A64_ANDS, 8, NOM, 0xff, R1(X(1)), "tst x1, #0xff"),
    C(CCMP, A64_EQ, 8, 0, 0, 0, 4, 0, R2(X(1), X(2)), "ccmp x1, x2, #4, eq"),
    C(CCMP, A64_HI, 4, 0, 1, 0, 0, 0, R2(X(1), X(2)), "ccmn w1, w2, #0, hi"),
    C(CCMPI, A64_NE, 4, 0, 0, 0, 2, 5, R1(X(1)), "ccmp w1, #5, #2, ne"),
    C(CSEL, A64_EQ, 8, 0, 0, 0, A64_CSEL_, 0, R3(X(1), X(2), X(3)), "csel x1, x2, x3, eq"),
    C(CSEL, A64_LT, 4, 0, 0, 0, A64_CSINC, 0, R3(X(1), X(2), X(3)), "csinc w1, w2, w3, lt"),
    C(CSEL, A64_GE, 8, 0, 0, 0, A64_CSINV, 0, R3(X(1), X(2), X(3)), "csinv x1, x2, x3, ge"),
    C(CSEL, A64_MI, 4, 0, 0, 0, A64_CSNEG, 0, R3(X(1), X(2), X(3)), "csneg w1, w2, w3, mi"),
    C(CSET, A64_EQ, 4, NOM, 0, R1(X(1)), "cset w1, eq"),
    C(CSET, A64_NE, 8, 0, 0, 0, 1, 0, R1(X(1)), "csetm x1, ne"),
    C(UNARY, A64_RBIT, 8, NOM, 0, R2(X(1), X(2)), "rbit x1, x2"),
    C(UNARY, A64_REV16, 4, NOM, 0, R2(X(1), X(2)), "rev16 w1, w2"),
    C(UNARY, A64_REV32, 8, NOM, 0, R2(X(1), X(2)), "rev32 x1, x2"),
    C(UNARY, A64_REV64, 8, NOM, 0, R2(X(1), X(2)), "rev x1, x2"),
    C(UNARY, A64_REV32, 4, NOM, 0, R2(X(1), X(2)), "rev w1, w2"),
    C(UNARY, A64_CLZ, 4, NOM, 0, R2(X(1), X(2)), "clz w1, w2"),
    C(UNARY, A64_CLS, 8, NOM, 0, R2(X(1), X(2)), "cls x1, x2"),
    C(POPCNT, 0, 8, NOM, 0, R3(X(1), X(2), V(3)), "fmov d3, x2; cnt v3.8b, v3.8b; addv b3, v3.8b; umov w1, v3.b[0]"),
    C(LOAD, A64_LD_ZX, 8, M(BASE, 0, 8, 0), IR_TRAP_heap_oob, R2(X(1), X(2)), "ldr x1, [x2, #8]"),
    C(LOAD, A64_LD_ZX, 1, M(BASE, 0, 0, 0), 0, R2(X(1), X(2)), "ldrb w1, [x2]"),
    C(LOAD, A64_LD_ZX, 2, M(BASE, 0, 6, 0), 0, R2(X(1), X(2)), "ldrh w1, [x2, #6]"),
    C(LOAD, A64_LD_ZX, 4, M(BASE, 0, 0, 0), 0, R2(X(1), SP), "ldr w1, [sp]"),
    C(LOAD, A64_LD_SX64, 2, M(BASE, 0, 2, 0), 0, R2(X(1), X(2)), "ldrsh x1, [x2, #2]"),
    C(LOAD, A64_LD_SX32, 1, M(BASE, 0, 0, 0), 0, R2(X(1), X(2)), "ldrsb w1, [x2]"),
    C(LOAD, A64_LD_SX64, 4, M(BASE, 0, 4, 0), 0, R2(X(1), X(2)), "ldrsw x1, [x2, #4]"),
    C(LOAD, A64_LD_ZX, 8, M(BASE, 0, -8, 0), 0, R2(X(1), X(2)), "ldur x1, [x2, #-8]"),
    C(LOAD, A64_LD_ZX, 8, M(BASE, 0, 3, 0), 0, R2(X(1), X(2)), "ldur x1, [x2, #3]"),
    C(LOAD, A64_LD_ZX, 8, M(INDEX, 3, 0, 0), 0, R3(X(1), X(2), X(3)), "ldr x1, [x2, x3, lsl #3]"),
    C(LOAD, A64_LD_ZX, 4, M(INDEX, 0, 0, 1), 0, R3(X(1), X(2), X(3)), "ldr w1, [x2, w3, uxtw]"),
    C(LOAD, A64_LD_ZX, 2, M(INDEX, 1, 0, 2), 0, R3(X(1), X(2), X(3)), "ldrh w1, [x2, w3, sxtw #1]"),
    C(LOAD, A64_LD_ZX, 8, M(SLOT, 0, 0, 1), 0, R1(X(1)), "ldr x1, [sp, #0x10]"),
    C(LOAD, A64_LD_ZX, 8, M(INARG, 0, 8, 0), 0, R1(X(1)), "ldr x1, [x29, #0x18]"),
    C(LOAD, A64_LD_ZX, 8, M(OUTARG, 0, 8, 0), 0, R1(X(1)), "ldr x1, [sp, #8]"),
    /* displacements past the scaled and unscaled forms: the address in x17 */
    C(LOAD, A64_LD_ZX, 8, M(BASE, 0, 0x100008, 0), 0, R2(X(1), X(2)),
      "add x17, x2, #0x100, lsl #12; add x17, x17, #8; ldr x1, [x17]"),
    C(LOAD, A64_LD_ZX, 8, M(BASE, 0, 257, 0), 0, R2(X(1), X(2)), "add x17, x2, #0x101; ldr x1, [x17]"),
    C(LOAD, A64_LD_ZX, 4, M(BASE, 0, 16380, 0), 0, R2(X(1), X(2)), "ldr w1, [x2, #0x3ffc]"),
    C(LOAD, A64_LD_ZX, 4, M(BASE, 0, 16384, 0), 0, R2(X(1), X(2)), "add x17, x2, #4, lsl #12; ldr w1, [x17]"),
    C(FLOAD, 0, 8, M(INDEX, 3, 0, 0), 0, R3(V(1), X(2), X(3)), "ldr d1, [x2, x3, lsl #3]"),
    C(FSTORE, 0, 2, M(BASE, 0, 2, 0), 0, R2(V(1), X(2)), "str h1, [x2, #2]"),
    C(FSTORE, 0, 16, M(INDEX, 4, 0, 0), 0, R3(V(1), X(2), X(3)), "str q1, [x2, x3, lsl #4]"),
    C(LEA, 0, 8, M(INDEX, 0, 0, 1), 0, R3(X(1), X(2), X(3)), "add x1, x2, w3, uxtw"),
    C(LEA, 0, 8, M(BASE, 0, -16, 0), 0, R2(X(1), X(2)), "sub x1, x2, #0x10"),
    C(LEA, 0, 8, M(BASE, 0, 0x123456, 0), 0, R2(X(1), X(2)), "add x1, x2, #0x123, lsl #12; add x1, x1, #0x456"),
    C(ALUI, A64_ADD, 4, NOM, 0xfff000, R2(X(1), X(2)), "add w1, w2, #0xfff, lsl #12"),
    C(CMPI, A64_SUBS, 8, NOM, 0, R1(SP), "cmp sp, #0"),
    C(STORE, 0, 8, M(BASE, 0, 0, 0), IR_TRAP_heap_oob, R2(X(1), X(2)), "str x1, [x2]"),
    C(STORE, 0, 1, M(BASE, 0, 1, 0), 0, R2(X(1), X(2)), "strb w1, [x2, #1]"),
    C(STORE, 0, 2, M(BASE, 0, 0, 0), 0, R2(X(1), X(2)), "strh w1, [x2]"),
    C(STORE, 0, 4, M(BASE, 0, 4, 0), 0, R2(X(1), X(2)), "str w1, [x2, #4]"),
    C(STORE, 0, 8, M(INDEX, 3, 0, 0), 0, R3(X(1), X(2), X(3)), "str x1, [x2, x3, lsl #3]"),
    C(STORE, 0, 4, M(OUTARG, 0, 0, 0), 0, R1(X(5)), "str w5, [sp]"),
    C(FLOAD, 0, 8, M(BASE, 0, 0, 0), 0, R2(V(1), X(2)), "ldr d1, [x2]"),
    C(FLOAD, 0, 4, M(BASE, 0, 4, 0), 0, R2(V(1), X(2)), "ldr s1, [x2, #4]"),
    C(FLOAD, 0, 16, M(BASE, 0, 16, 0), 0, R2(V(1), X(2)), "ldr q1, [x2, #0x10]"),
    C(FLOAD, 0, 2, M(BASE, 0, 0, 0), 0, R2(V(1), X(2)), "ldr h1, [x2]"),
    C(FSTORE, 0, 8, M(BASE, 0, 8, 0), 0, R2(V(1), X(2)), "str d1, [x2, #8]"),
    C(FSTORE, 0, 16, M(SLOT, 0, 0, 1), 0, R1(V(7)), "str q7, [sp, #0x10]"),
    C(LEA, 0, 8, M(BASE, 0, 16, 0), 0, R2(X(1), X(2)), "add x1, x2, #0x10"),
    C(LEA, 0, 8, M(SLOT, 0, 8, 1), 0, R1(X(1)), "add x1, sp, #0x18"),
    C(LEA, 0, 8, M(INDEX, 2, 0, 0), 0, R3(X(1), X(2), X(3)), "add x1, x2, x3, lsl #2"),
    C(B, 0, 0, 0, 0, 0, 2, 0, 0, {0}, "b .+*"),
    C(B, 0, 0, 0, 0, 0, 1, 0, 0, {0}, ""),
    C(BCOND, A64_EQ, 0, 0, 0, 0, 2, 1, 0, {0}, "b.eq .+*"),
    C(BCOND, A64_LT, 0, 0, 0, 0, 1, 2, 0, {0}, "b.ge .+*"),
    C(CBZ, 0, 8, 0, 0, 0, 2, 1, R1(X(1)), "cbz x1, .+*"),
    C(CBZ, 1, 4, 0, 0, 0, 2, 1, R1(X(1)), "cbnz w1, .+*"),
    C(TBZ, 0, 0, 0, 5, 0, 2, 1, R1(X(1)), "tbz w1, #5, .+*"),
    C(TBZ, 1, 0, 0, 40, 0, 2, 1, R1(X(1)), "tbnz x1, #0x28, .+*"),
    C(BRTABLE, 0, 0, 0, 0, 0, 0, 3, R3(X(1), X(2), X(3)), "cmp w1, #2*"),
    /* udf #17: the trap code user1 (16 + 1) */
    C(UDF, 0, 0, 0, 0, 0, IR_TRAP_USER + 1, 0, 0, {0}, ".word 0x00000011"),
    C(TRAPIF, A64_VS, 0, 0, 0, 0, IR_TRAP_int_ovf, 0, 0, {0}, "b.vs .+*"),
    C(TRAPZ, 0, 8, 0, 0, 0, IR_TRAP_int_divz, 0, R1(X(2)), "cbz x2, .+*"),
    C(TRAPZ, 1, 4, 0, 0, 0, IR_TRAP_int_divz, 0, R1(X(2)), "cbnz w2, .+*"),
    C(CALL, 0, 0, NOM, 0, 0, {0}, "bl .+0"),
    C(CALLIND, 0, 0, NOM, 0, R1(X(5)), "blr x5"),
    C(RETCALL, 1, 0, NOM, 0, 0, {0}, "*"),
    C(GOTLOAD, 0, 0, NOM, 0, R1(X(1)), "adrp x1, *"),
    C(RETADDR, 0, 0, NOM, 0, R1(X(1)), "ldr x1, [x29, #8]"),
    C(FMOV, 0, 0, NOM, 0, R2(V(1), V(2)), "mov v1.16b, v2.16b"),
    C(FMOVI, 0, 8, NOM, 0x3ff0000000000000ll, R1(V(1)), "fmov d1, #1.0*"),
    C(FMOVI, 0, 4, NOM, 0xc0000000ll, R1(V(1)), "fmov s1, #-2.0*"),
    C(FALU, A64_FADD, 8, NOM, 0, R3(V(1), V(2), V(3)), "fadd d1, d2, d3"),
    C(FALU, A64_FSUB, 4, NOM, 0, R3(V(1), V(2), V(3)), "fsub s1, s2, s3"),
    C(FALU, A64_FMUL, 8, NOM, 0, R3(V(1), V(2), V(3)), "fmul d1, d2, d3"),
    C(FALU, A64_FDIV, 4, NOM, 0, R3(V(1), V(2), V(3)), "fdiv s1, s2, s3"),
    C(FALU, A64_FMAX, 8, NOM, 0, R3(V(1), V(2), V(3)), "fmax d1, d2, d3"),
    C(FALU, A64_FMIN, 8, NOM, 0, R3(V(1), V(2), V(3)), "fmin d1, d2, d3"),
    C(FALU, A64_FMAXNM, 4, NOM, 0, R3(V(1), V(2), V(3)), "fmaxnm s1, s2, s3"),
    C(FALU, A64_FMINNM, 8, NOM, 0, R3(V(1), V(2), V(30)), "fminnm d1, d2, d30"),
    /* fadd h1, h2, h3 (FEAT_FP16) */
    C(FALU, A64_FADD, 2, NOM, 0, R3(V(1), V(2), V(3)), ".word 0x1ee32841"),
    C(FUNARY, A64_FABS, 8, NOM, 0, R2(V(1), V(2)), "fabs d1, d2"),
    C(FUNARY, A64_FNEG, 4, NOM, 0, R2(V(1), V(2)), "fneg s1, s2"),
    C(FUNARY, A64_FSQRT, 8, NOM, 0, R2(V(1), V(2)), "fsqrt d1, d2"),
    C(FUNARY, A64_FCVTS, 8, NOM, 0, R2(V(1), V(2)), "fcvt s1, d2"),
    C(FUNARY, A64_FCVTD, 4, NOM, 0, R2(V(1), V(2)), "fcvt d1, s2"),
    C(FUNARY, A64_FCVTH, 4, NOM, 0, R2(V(1), V(2)), "fcvt h1, s2"),
    C(FUNARY, A64_FCVTS, 2, NOM, 0, R2(V(1), V(2)), "fcvt s1, h2"),
    C(FUNARY, A64_FRINTN, 8, NOM, 0, R2(V(1), V(2)), "frintn d1, d2"),
    C(FUNARY, A64_FRINTP, 4, NOM, 0, R2(V(1), V(2)), "frintp s1, s2"),
    C(FUNARY, A64_FRINTM, 8, NOM, 0, R2(V(1), V(2)), "frintm d1, d2"),
    C(FUNARY, A64_FRINTZ, 4, NOM, 0, R2(V(1), V(2)), "frintz s1, s2"),
    C(FMA, 0, 8, NOM, 0, R4(V(1), V(2), V(3), V(4)), "fmadd d1, d2, d3, d4"),
    C(FMA, 1, 4, NOM, 0, R4(V(1), V(2), V(3), V(4)), "fmsub s1, s2, s3, s4"),
    C(FMA, 2, 8, NOM, 0, R4(V(1), V(2), V(3), V(4)), "fnmadd d1, d2, d3, d4"),
    C(FMA, 3, 4, NOM, 0, R4(V(1), V(2), V(3), V(4)), "fnmsub s1, s2, s3, s4"),
    C(FCMP, 0, 8, NOM, 0, R2(V(1), V(2)), "fcmp d1, d2"),
    C(FCMP, 0, 4, NOM, 0, R2(V(1), V(2)), "fcmp s1, s2"),
    C(FCSEL, A64_EQ, 8, NOM, 0, R3(V(1), V(2), V(3)), "fcsel d1, d2, d3, eq"),
    C(FCSEL, A64_GT, 4, NOM, 0, R3(V(1), V(2), V(3)), "fcsel s1, s2, s3, gt"),
    C(FCSEL, A64_EQ, 16, NOM, 0, R3(V(1), V(2), V(3)), "b.eq .+12; mov v1.16b, v3.16b; b .+16; mov v1.16b, v2.16b"),
    C(FMOVTOF, 0, 8, NOM, 0, R2(V(1), X(2)), "fmov d1, x2"),
    C(FMOVTOF, 0, 4, NOM, 0, R2(V(1), X(2)), "fmov s1, w2"),
    C(FMOVTOF, 0, 16, NOM, 0, R3(V(1), X(2), X(3)), "fmov d1, x2; ins v1.d[1], x3"),
    C(FMOVTOG, 0, 8, NOM, 0, R2(X(1), V(2)), "fmov x1, d2"),
    C(FMOVTOG, 0, 4, NOM, 0, R2(X(1), V(2)), "fmov w1, s2"),
    C(FMOVTOG, 0, 16, NOM, 0, R3(X(1), X(3), V(2)), "fmov x1, d2; mov x3, v2.d[1]"),
    C(ITOF, 1, 8, 0, 0, 0, 8, 0, R2(V(1), X(2)), "scvtf d1, x2"),
    C(ITOF, 0, 4, 0, 0, 0, 4, 0, R2(V(1), X(2)), "ucvtf s1, w2"),
    C(ITOF, 0, 8, 0, 0, 0, 4, 0, R2(V(1), X(2)), "ucvtf d1, w2"),
    C(FTOI, 1, 8, 0, 0, 0, 4, 0, R2(X(1), V(2)), "fcvtzs w1, d2"),
    C(FTOI, 0, 4, 0, 0, 0, 8, 0, R2(X(1), V(2)), "fcvtzu x1, s2"),
    C(VBIT, A64_VAND, 0, NOM, 0, R3(V(1), V(2), V(3)), "and v1.8b, v2.8b, v3.8b"),
    C(VBIT, A64_VBIC, 0, NOM, 0, R3(V(1), V(2), V(3)), "bic v1.8b, v2.8b, v3.8b"),
    C(VBIT, A64_VORR, 0, NOM, 0, R3(V(1), V(2), V(3)), "orr v1.8b, v2.8b, v3.8b"),
    C(VBIT, A64_VORN, 0, NOM, 0, R3(V(1), V(2), V(3)), "orn v1.8b, v2.8b, v3.8b"),
    C(VBIT, A64_VEOR, 0, NOM, 0, R3(V(1), V(2), V(3)), "eor v1.8b, v2.8b, v3.8b"),
    C(VBIT, A64_VBSL, 0, NOM, 0, R4(V(1), V(1), V(2), V(3)), "bsl v1.8b, v2.8b, v3.8b"),
    C(VBIT, A64_VNOT, 0, NOM, 0, R2(V(1), V(2)), "mvn v1.8b, v2.8b"),
    C(FCOPYSIGN, 0, 8, NOM, 0, R4(V(1), V(2), V(3), V(4)), "ushr d4, d3, #0x3f; fmov d1, d2; sli d1, d4, #0x3f"),
    C(FCOPYSIGN, 0, 4, NOM, 0, R4(V(1), V(2), V(3), V(4)),
      "ushr v4.2s, v3.2s, #0x1f; fmov d1, d2; sli v1.2s, v4.2s, #0x1f"),
    C(LDAR, 0, 8, NOM, IR_TRAP_heap_oob, R2(X(1), X(2)), "ldar x1, [x2]"),
    C(LDAR, 0, 1, NOM, 0, R2(X(1), X(2)), "ldarb w1, [x2]"),
    C(LDAR, 0, 2, NOM, 0, R2(X(1), X(2)), "ldarh w1, [x2]"),
    C(LDAR, 0, 4, NOM, 0, R2(X(1), X(2)), "ldar w1, [x2]"),
    C(STLR, 0, 8, NOM, 0, R2(X(1), X(2)), "stlr x1, [x2]"),
    C(STLR, 0, 1, NOM, 0, R2(X(1), X(2)), "stlrb w1, [x2]"),
    C(STLR, 0, 4, NOM, 0, R2(X(1), X(2)), "stlr w1, [x2]"),
    C(RMWLOOP, IR_RMW_add, 8, NOM, 0, R5(X(1), X(2), X(3), X(4), X(5)), "ldaxr x3, [x1]*"),
    C(CASLOOP, 0, 8, NOM, 0, R5(X(1), X(2), X(3), X(4), X(5)), "ldaxr x4, [x1]*"),
    /* LSE (ARMv8.1): ldaddal x2, x3, [x1]; swpal w2, w3, [x1]; ldsetalb w2, w3, [x1];
     * ldeoralh w2, w3, [x1]; casal x3, x2, [x1]; casal w3, w2, [x1] */
    C(LSE, IR_RMW_add, 8, NOM, 0, R3(X(1), X(2), X(3)), ".word 0xf8e20023"),
    C(LSE, IR_RMW_xchg, 4, NOM, 0, R3(X(1), X(2), X(3)), ".word 0xb8e28023"),
    C(LSE, IR_RMW_or, 1, NOM, 0, R3(X(1), X(2), X(3)), ".word 0x38e23023"),
    C(LSE, IR_RMW_xor, 2, NOM, 0, R3(X(1), X(2), X(3)), ".word 0x78e22023"),
    C(CASAL, 0, 8, NOM, 0, R4(X(1), X(2), X(3), X(3)), ".word 0xc8e3fc22"),
    C(CASAL, 0, 4, NOM, 0, R4(X(1), X(2), X(3), X(3)), ".word 0x88e3fc22"),
    C(RMW128, IR_RMW_COUNT + 1, 0, NOM, 0, 10, {X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8), X(9), X(10)},
      "ldaxp x6, x7, [x1]*"),
    C(DMB, 0, 0, NOM, 0, 0, {0}, "dmb ish"),
    C(VOP, 0, A64_4S, 0, 0, 0, A64_N_ADD, 0, R3(V(1), V(2), V(3)), "add v1.4s, v2.4s, v3.4s"),
    C(VCONST, 0, 16, 0, 0, 0, 0, 0, R1(V(1)), "ldr q1, .+*"),
    C(RET, 0, 0, NOM, 0, R1(X(0)), "add sp, sp, #0x30; ldp x29, x30, [sp], #0x10; ret"),
};

int main(void)
{
    return emit_main(&a64, cases, sizeof cases / sizeof cases[0], names, A64_OPCOUNT, NULL);
}
