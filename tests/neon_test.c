/* tests/neon_test.c: every row of the AArch64 Neon table (lib/isa/aarch64/
 * a64.h) encoded by a64_neon_word, in one or more arrangements, decoded
 * by capstone and compared with the assembly written here from the ARM
 * ARM (in capstone 4's spelling: ins rather than its alias mov, numbers
 * from 10 on in hex); then the movi/mvni immediates a64_movi_fields finds
 * for constants.
 * Runs on any host (capstone decodes AArch64 everywhere).
 *
 * Prints the failures and "N passed, N failed"; exit 1 on any failure. */
#include "isa/aarch64/a64.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;
static csh cs;
static bool covered[A64_N_COUNT];

/* The word w decodes to `want` ("mnemonic operands"). */
static void check_word(uint32_t w, const char *want, const char *what)
{
    uint8_t b[4] = {(uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24)};
    cs_insn *insn;
    char got[256] = "(no decoding)";
    if (cs_disasm(cs, b, 4, 0x1000, 1, &insn) == 1) {
        snprintf(got, sizeof got, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
        cs_free(insn, 1);
    }
    if (!strcmp(got, want)) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s: %08x is \"%s\", want \"%s\"\n", what, w, got, want);
    }
}

static const char *const names[A64_N_COUNT] = {
#define A64_NX(name, word, form, flags) #name,
    A64_NEON(A64_NX)
#undef A64_NX
};

/* Registers: d 1, n 2, m 3 (v or w/x by the instruction). */
static const struct { unsigned op, arr; int64_t imm; const char *want; } cases[] = {
#define T(op, arr, imm, want) {A64_N_##op, A64_##arr, imm, want}
    T(ADD, 16B, 0, "add v1.16b, v2.16b, v3.16b"), T(ADD, 2D, 0, "add v1.2d, v2.2d, v3.2d"),
    T(ADD, 4H, 0, "add v1.4h, v2.4h, v3.4h"),
    T(SUB, 8H, 0, "sub v1.8h, v2.8h, v3.8h"), T(SUB, 2S, 0, "sub v1.2s, v2.2s, v3.2s"),
    T(MUL, 4S, 0, "mul v1.4s, v2.4s, v3.4s"), T(MUL, 8B, 0, "mul v1.8b, v2.8b, v3.8b"),
    T(MLA, 8H, 0, "mla v1.8h, v2.8h, v3.8h"),
    T(CMEQ, 2D, 0, "cmeq v1.2d, v2.2d, v3.2d"), T(CMGT, 4H, 0, "cmgt v1.4h, v2.4h, v3.4h"),
    T(CMGE, 2S, 0, "cmge v1.2s, v2.2s, v3.2s"), T(CMHI, 16B, 0, "cmhi v1.16b, v2.16b, v3.16b"),
    T(CMHS, 8H, 0, "cmhs v1.8h, v2.8h, v3.8h"), T(CMTST, 2D, 0, "cmtst v1.2d, v2.2d, v3.2d"),
    T(SMAX, 16B, 0, "smax v1.16b, v2.16b, v3.16b"), T(SMIN, 8H, 0, "smin v1.8h, v2.8h, v3.8h"),
    T(UMAX, 4S, 0, "umax v1.4s, v2.4s, v3.4s"), T(UMIN, 8B, 0, "umin v1.8b, v2.8b, v3.8b"),
    T(SQADD, 2D, 0, "sqadd v1.2d, v2.2d, v3.2d"), T(UQADD, 16B, 0, "uqadd v1.16b, v2.16b, v3.16b"),
    T(SQSUB, 8H, 0, "sqsub v1.8h, v2.8h, v3.8h"), T(UQSUB, 4S, 0, "uqsub v1.4s, v2.4s, v3.4s"),
    T(URHADD, 16B, 0, "urhadd v1.16b, v2.16b, v3.16b"), T(SSHL, 2D, 0, "sshl v1.2d, v2.2d, v3.2d"),
    T(USHL, 4S, 0, "ushl v1.4s, v2.4s, v3.4s"), T(ADDP, 8H, 0, "addp v1.8h, v2.8h, v3.8h"),
    T(ADDP, 2S, 0, "addp v1.2s, v2.2s, v3.2s"), T(UMAXP, 4S, 0, "umaxp v1.4s, v2.4s, v3.4s"),
    T(SQRDMULH, 8H, 0, "sqrdmulh v1.8h, v2.8h, v3.8h"), T(SQRDMULH, 4S, 0, "sqrdmulh v1.4s, v2.4s, v3.4s"),
    T(UZP1, 16B, 0, "uzp1 v1.16b, v2.16b, v3.16b"), T(UZP2, 8H, 0, "uzp2 v1.8h, v2.8h, v3.8h"),
    T(ZIP1, 4S, 0, "zip1 v1.4s, v2.4s, v3.4s"), T(ZIP2, 2D, 0, "zip2 v1.2d, v2.2d, v3.2d"),
    T(TRN1, 16B, 0, "trn1 v1.16b, v2.16b, v3.16b"), T(TRN2, 4S, 0, "trn2 v1.4s, v2.4s, v3.4s"),
    T(SMULL, 8B, 0, "smull v1.8h, v2.8b, v3.8b"), T(SMULL, 16B, 0, "smull2 v1.8h, v2.16b, v3.16b"),
    T(UMULL, 4H, 0, "umull v1.4s, v2.4h, v3.4h"), T(UMLAL, 2S, 0, "umlal v1.2d, v2.2s, v3.2s"),
    T(AND, 16B, 0, "and v1.16b, v2.16b, v3.16b"), T(BIC, 8B, 0, "bic v1.8b, v2.8b, v3.8b"),
    T(ORR, 16B, 0, "orr v1.16b, v2.16b, v3.16b"), T(ORN, 16B, 0, "orn v1.16b, v2.16b, v3.16b"),
    T(EOR, 8B, 0, "eor v1.8b, v2.8b, v3.8b"), T(BSL, 16B, 0, "bsl v1.16b, v2.16b, v3.16b"),
    T(TBL, 16B, 0, "tbl v1.16b, {v2.16b}, v3.16b"), T(TBX, 16B, 0, "tbx v1.16b, {v2.16b}, v3.16b"),
    T(EXT, 16B, 8, "ext v1.16b, v2.16b, v3.16b, #8"), T(EXT, 16B, 3, "ext v1.16b, v2.16b, v3.16b, #3"),
    T(FADD, 4S, 0, "fadd v1.4s, v2.4s, v3.4s"), T(FADD, 2D, 0, "fadd v1.2d, v2.2d, v3.2d"),
    T(FSUB, 2S, 0, "fsub v1.2s, v2.2s, v3.2s"), T(FMUL, 2D, 0, "fmul v1.2d, v2.2d, v3.2d"),
    T(FDIV, 4S, 0, "fdiv v1.4s, v2.4s, v3.4s"), T(FMAX, 2D, 0, "fmax v1.2d, v2.2d, v3.2d"),
    T(FMIN, 4S, 0, "fmin v1.4s, v2.4s, v3.4s"), T(FMLA, 2D, 0, "fmla v1.2d, v2.2d, v3.2d"),
    T(FCMEQ, 4S, 0, "fcmeq v1.4s, v2.4s, v3.4s"), T(FCMGE, 2D, 0, "fcmge v1.2d, v2.2d, v3.2d"),
    T(FCMGT, 2S, 0, "fcmgt v1.2s, v2.2s, v3.2s"),
    T(ABS, 16B, 0, "abs v1.16b, v2.16b"), T(NEG, 2D, 0, "neg v1.2d, v2.2d"),
    T(CNT, 8B, 0, "cnt v1.8b, v2.8b"), T(CNT, 16B, 0, "cnt v1.16b, v2.16b"),
    T(NOT, 16B, 0, "mvn v1.16b, v2.16b"),
    T(CMEQZ, 8H, 0, "cmeq v1.8h, v2.8h, #0"), T(CMGEZ, 4S, 0, "cmge v1.4s, v2.4s, #0"),
    T(CMGTZ, 2D, 0, "cmgt v1.2d, v2.2d, #0"), T(CMLEZ, 16B, 0, "cmle v1.16b, v2.16b, #0"),
    T(CMLTZ, 4H, 0, "cmlt v1.4h, v2.4h, #0"),
    T(REV64, 4S, 0, "rev64 v1.4s, v2.4s"), T(SADDLP, 16B, 0, "saddlp v1.8h, v2.16b"),
    T(UADDLP, 4S, 0, "uaddlp v1.2d, v2.4s"), T(UADDLP, 8B, 0, "uaddlp v1.4h, v2.8b"),
    T(SHLL, 2S, 0, "shll v1.2d, v2.2s, #32"),
    T(ADDV, 8H, 0, "addv h1, v2.8h"), T(ADDV, 8B, 0, "addv b1, v2.8b"), T(ADDV, 4S, 0, "addv s1, v2.4s"),
    T(UMAXV, 4S, 0, "umaxv s1, v2.4s"),
    T(XTN, 2S, 0, "xtn v1.2s, v2.2d"), T(SQXTN, 8B, 0, "sqxtn v1.8b, v2.8h"),
    T(UQXTN, 4H, 0, "uqxtn v1.4h, v2.4s"), T(SQXTUN, 8B, 0, "sqxtun v1.8b, v2.8h"),
    T(SQXTN2, 16B, 0, "sqxtn2 v1.16b, v2.8h"), T(UQXTN2, 8H, 0, "uqxtn2 v1.8h, v2.4s"),
    T(SQXTUN2, 4S, 0, "sqxtun2 v1.4s, v2.2d"),
    T(FABS, 4S, 0, "fabs v1.4s, v2.4s"), T(FNEG, 2D, 0, "fneg v1.2d, v2.2d"),
    T(FSQRT, 4S, 0, "fsqrt v1.4s, v2.4s"), T(FRINTN, 2D, 0, "frintn v1.2d, v2.2d"),
    T(FRINTM, 4S, 0, "frintm v1.4s, v2.4s"), T(FRINTP, 2S, 0, "frintp v1.2s, v2.2s"),
    T(FRINTZ, 2D, 0, "frintz v1.2d, v2.2d"), T(FCVTZS, 4S, 0, "fcvtzs v1.4s, v2.4s"),
    T(FCVTZU, 2D, 0, "fcvtzu v1.2d, v2.2d"), T(SCVTF, 4S, 0, "scvtf v1.4s, v2.4s"),
    T(UCVTF, 2D, 0, "ucvtf v1.2d, v2.2d"),
    T(FCVTN, 2S, 0, "fcvtn v1.2s, v2.2d"), T(FCVTL, 2S, 0, "fcvtl v1.2d, v2.2s"),
    T(SSHR, 16B, 7, "sshr v1.16b, v2.16b, #7"), T(SSHR, 2D, 63, "sshr v1.2d, v2.2d, #0x3f"),
    T(USHR, 2D, 1, "ushr v1.2d, v2.2d, #1"), T(USHR, 4H, 16, "ushr v1.4h, v2.4h, #0x10"),
    T(SHL, 4S, 31, "shl v1.4s, v2.4s, #0x1f"), T(SHL, 8B, 1, "shl v1.8b, v2.8b, #1"),
    T(SLI, 2D, 63, "sli v1.2d, v2.2d, #0x3f"),
    T(SSHLL, 8B, 0, "sshll v1.8h, v2.8b, #0"), T(SSHLL, 16B, 0, "sshll2 v1.8h, v2.16b, #0"),
    T(USHLL, 4H, 0, "ushll v1.4s, v2.4h, #0"), T(USHLL, 4S, 0, "ushll2 v1.2d, v2.4s, #0"),
    T(DUP, 16B, 3, "dup v1.16b, v2.b[3]"), T(DUP, 2D, 1, "dup v1.2d, v2.d[1]"),
    T(DUP, 4S, 0, "dup v1.4s, v2.s[0]"), T(DUP, 2S, 1, "dup v1.2s, v2.s[1]"),
    T(DUPG, 4S, 0, "dup v1.4s, w2"), T(DUPG, 2D, 0, "dup v1.2d, x2"), T(DUPG, 8B, 0, "dup v1.8b, w2"),
    T(DUPS, 4S, 1, "mov s1, v2.s[1]"), T(DUPS, 2D, 1, "mov d1, v2.d[1]"),
    T(INSG, 4S, 2, "ins v1.s[2], w2"), T(INSG, 2D, 1, "ins v1.d[1], x2"), T(INSG, 8B, 15, "ins v1.b[0xf], w2"),
    T(INS, 2D, 1, "ins v1.d[1], v2.d[0]"), T(INS, 4S, 3 | 1 << 8, "ins v1.s[3], v2.s[1]"),
    T(INS, 8H, 7, "ins v1.h[7], v2.h[0]"),
    T(UMOV, 8B, 5, "umov w1, v2.b[5]"), T(UMOV, 2D, 1, "mov x1, v2.d[1]"), T(UMOV, 2S, 3, "mov w1, v2.s[3]"),
    T(UMOV, 4H, 0, "umov w1, v2.h[0]"),
    T(SMOV, 16B, 3, "smov x1, v2.b[3]"), T(SMOV, 4H, 2, "smov w1, v2.h[2]"),
#undef T
};

/* Constants a64_movi_fields must (or must not) encode, and as what. */
static const struct { uint64_t x; unsigned arr; const char *want; } movis[] = {
    {0x2a2a2a2a2a2a2a2aull, A64_16B, "movi v1.16b, #0x2a"},
    {0, A64_16B, "movi v1.16b, #0"},
    {0xff00ff0000ffff00ull, A64_16B, "movi v1.2d, #0xff00ff0000ffff00"},
    {~0ull, A64_16B, "movi v1.16b, #0xff"},
    {0x0000120000001200ull, A64_16B, "movi v1.4s, #0x12, lsl #8"},
    {0x8000000080000000ull, A64_16B, "movi v1.4s, #0x80, lsl #24"},
    {0xffffffedffffffedull, A64_16B, "mvni v1.4s, #0x12"},
    {0x0034003400340034ull, A64_8B, "movi v1.4h, #0x34"},
    {0xcbffcbffcbffcbffull, A64_16B, "mvni v1.8h, #0x34, lsl #8"},
    {0x0000000100000001ull, A64_8B, "movi v1.2s, #0x1"},
    {0xff00000000000000ull, A64_8B, "movi d1, #0xff00000000000000"},
};
static const uint64_t no_movi[] = {0x8000000000000000ull, 0x0102030405060708ull, 0x0000123400001234ull,
                                   0x3f8000003f800000ull};

int main(void)
{
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK) {
        printf("FAIL capstone: cannot open AArch64\n0 passed, 1 failed\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[48];
        snprintf(what, sizeof what, "%s (case %zu)", names[cases[i].op], i);
        covered[cases[i].op] = true;
        check_word(a64_neon_word(cases[i].op, cases[i].arr, 1, 2, 3, cases[i].imm), cases[i].want, what);
    }
    for (size_t i = 0; i < sizeof movis / sizeof movis[0]; i++) {
        int64_t imm;
        char what[48];
        snprintf(what, sizeof what, "movi of %016llx", (unsigned long long)movis[i].x);
        covered[A64_N_MOVI] = true;
        if (!a64_movi_fields(movis[i].x, &imm)) {
            failed++;
            printf("FAIL %s: not encoded, want \"%s\"\n", what, movis[i].want);
            continue;
        }
        check_word(a64_neon_word(A64_N_MOVI, movis[i].arr, 1, 0, 0, imm), movis[i].want, what);
    }
    for (size_t i = 0; i < sizeof no_movi / sizeof no_movi[0]; i++) {
        int64_t imm;
        if (a64_movi_fields(no_movi[i], &imm)) {
            failed++;
            printf("FAIL movi of %016llx: encoded (%llx), which no movi/mvni does\n",
                   (unsigned long long)no_movi[i], (unsigned long long)imm);
        } else {
            passed++;
        }
    }
    for (unsigned op = 0; op < A64_N_COUNT; op++)
        if (!covered[op]) {
            failed++;
            printf("FAIL %s: no case checks this row\n", names[op]);
        }
    cs_close(&cs);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
