/* tests/x64emit_test.c: the x86-64 encoder (lib/isa/x64/emit.c) checked
 * against capstone, in the manner of Cranelift's x64 emit_tests.rs: each
 * case is one machine instruction with its operands' registers, emitted by
 * x64_emit in a function of its own, its bytes decoded by capstone and
 * compared with the assembly written here from the Intel SDM (capstone
 * 4's Intel syntax; several instructions joined by "; ").  Every machine
 * opcode of lib/isa/x64/x64inst.def must have a case.  Registers: the
 * REX-needing ones (r8-r15, xmm8-15) and the ModRM special cases (rsp and
 * r12 as a base need a SIB, rbp and r13 a displacement) have cases of
 * their own.  A branch's target is shown as .+N, N bytes from the start of
 * the instruction; a want ending in "*" compares only that much (a
 * sequence followed by data, such as a jump table).
 * Runs on any host (capstone decodes x86-64 everywhere).
 *
 * Prints the failures and "N passed, N failed"; exit 1 on any failure. */
#include "isa/x64/x64.h"

#include "emitcase.h"

static const char *const names[X64_OPCOUNT] = {
#define X(name, mnemonic, layout) [X64_##name] = #name,
#include "isa/x64/x64inst.def"
#undef X
};

enum { RAX = X64_RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
#define XMM(n) (X64_XMM0 + (n))

/* a branch's or call's target (0x...) as .+N */
static const char *branch_ops(const cs_insn *insn, uint64_t start, char *rel, size_t size)
{
    const char *ops = insn->op_str;
    bool branch = insn->mnemonic[0] == 'j' || !strcmp(insn->mnemonic, "call");
    if (!branch || strncmp(ops, "0x", 2))
        return ops;
    snprintf(rel, size, ".%+lld", (long long)strtoull(ops, NULL, 16) - (long long)start);
    return rel;
}

static bool emit(cg_ctx *c)
{
    cg_buf_init(&c->buf, c->out, c->f.nlabels, c->target->listing);
    return x64_emit(c);
}

static const emit_isa x64 = {&x64_isa, JIT_ARCH_X86_64, CS_ARCH_X86, CS_MODE_64, X64_RET, X64_XMM0, emit,
                             branch_ops, false};

#define C(op, cc, size, ...) {X64_##op, cc, size, __VA_ARGS__}
/* operands: n, {registers} */
#define R1(a) 1, {a}
#define R2(a, b) 2, {a, b}
#define R3(a, b, c) 3, {a, b, c}
#define R4(a, b, c, d) 4, {a, b, c, d}
#define M(am, scale, disp, aux) X64_AM_##am, scale, disp, aux
#define NOM 0, 0, 0, 0
static const tcase cases[] = {
    C(ARGS, 0, 0, NOM, 0, R2(RDI, RSI), ""),
    C(MOV, 0, 8, NOM, 0, R2(RAX, RCX), "mov rax, rcx"),
    C(MOV, 0, 4, NOM, 0, R2(R9, RDX), "mov r9d, edx"),
    C(MOV, 0, 8, NOM, 0, R2(RAX, RAX), ""),
    C(MOV, 0, 4, NOM, 0, R2(RAX, RAX), "mov eax, eax"),
    C(MOVI, 0, 8, NOM, 0x123456789ll, R1(RDX), "movabs rdx, 0x123456789"),
    C(MOVI, 0, 8, NOM, -2, R1(R12), "mov r12, -2"),
    C(MOVI, 0, 4, NOM, 5, R1(R10), "mov r10d, 5"),
    C(ALU, X64_ADD, 8, NOM, 0, R3(RAX, RAX, RCX), "add rax, rcx"),
    C(ALU, X64_SUB, 4, NOM, 0, R3(R8, R8, RSI), "sub r8d, esi"),
    C(ALU, X64_XOR, 2, NOM, 0, R3(RBX, RBX, R15), "xor bx, r15w"),
    C(ALU, X64_AND, 1, NOM, 0, R3(RSI, RSI, RDI), "and sil, dil"),
    C(ALU, X64_OR, 8, NOM, 0, R3(R13, R13, R14), "or r13, r14"),
    C(ALU, X64_ADC, 8, NOM, 0, R3(RDX, RDX, RAX), "adc rdx, rax"),
    C(ALU, X64_SBB, 4, NOM, 0, R3(RDX, RDX, RAX), "sbb edx, eax"),
    C(ALUI, X64_ADD, 8, NOM, 1, R2(RAX, RAX), "add rax, 1"),
    C(ALUI, X64_SUB, 4, NOM, 1000, R2(R11, R11), "sub r11d, 0x3e8"),
    C(ALUI, X64_AND, 1, NOM, 0x7f, R2(RSI, RSI), "and sil, 0x7f"),
    C(ALUI, X64_XOR, 2, NOM, 0x1234, R2(RCX, RCX), "xor cx, 0x1234"),
    C(ALUM, X64_ADD, 8, M(BASE, 0, 8, 0), IR_TRAP_heap_oob, R3(RAX, RAX, RDI), "add rax, qword ptr [rdi + 8]"),
    C(ALUM, X64_MULOP, 4, M(BASE, 0, 0, 0), 0, R3(RCX, RCX, R12), "imul ecx, dword ptr [r12]"),
    C(ALUM, X64_SUB, 4, M(SLOT, 0, 4, 1), 0, R2(RDX, RDX), "sub edx, dword ptr [rsp + 0x14]"),
    C(XALUM, X64_FADD, 8, M(BASE, 0, 0, 0), 0, R3(XMM(1), XMM(1), RBP), "addsd xmm1, qword ptr [rbp]"),
    C(XALUM, X64_FMUL, 4, M(BASE, 0, -8, 0), 0, R3(XMM(9), XMM(9), R13), "mulss xmm9, dword ptr [r13 - 8]"),
    C(CMP, X64_CMPOP, 8, NOM, 0, R2(RAX, RCX), "cmp rax, rcx"),
    C(CMP, X64_TEST, 4, NOM, 0, R2(R9, R9), "test r9d, r9d"),
    C(CMP, X64_CMPOP, 1, NOM, 0, R2(RDI, RSI), "cmp dil, sil"),
    C(CMPI, X64_CMPOP, 8, NOM, -1, R1(RAX), "cmp rax, -1"),
    C(CMPI, X64_TEST, 4, NOM, 0x100, R1(RBX), "test ebx, 0x100"),
    C(CMPI, X64_TEST, 1, NOM, 1, R1(RDI), "test dil, 1"),
    C(IMUL, 0, 8, NOM, 0, R3(RAX, RAX, R10), "imul rax, r10"),
    C(IMUL, 0, 4, NOM, 0, R3(RCX, RCX, RDX), "imul ecx, edx"),
    C(IMULI, 0, 8, NOM, 10, R2(RAX, RCX), "imul rax, rcx, 0xa"),
    C(IMULI, 0, 4, NOM, 1000, R2(R8, R9), "imul r8d, r9d, 0x3e8"),
    C(UNARY, X64_NOT, 8, NOM, 0, R2(RAX, RAX), "not rax"),
    C(UNARY, X64_NEG, 4, NOM, 0, R2(R14, R14), "neg r14d"),
    C(UNARY, X64_NEG, 1, NOM, 0, R2(RSI, RSI), "neg sil"),
    C(UNARY, X64_BSWAP, 8, NOM, 0, R2(R9, R9), "bswap r9"),
    C(UNARY, X64_BSWAP, 4, NOM, 0, R2(RDX, RDX), "bswap edx"),
    C(SHIFT, X64_SHL, 8, NOM, 0, R3(RAX, RAX, RCX), "shl rax, cl"),
    C(SHIFT, X64_SAR, 4, NOM, 0, R3(R12, R12, RCX), "sar r12d, cl"),
    C(SHIFT, X64_ROL, 1, NOM, 0, R3(RDI, RDI, RCX), "rol dil, cl"),
    C(SHIFTI, X64_SHR, 8, NOM, 3, R2(RDX, RDX), "shr rdx, 3"),
    C(SHIFTI, X64_ROR, 2, NOM, 5, R2(RAX, RAX), "ror ax, 5"),
    C(SHLD, 0, 8, NOM, 0, R4(RAX, RAX, RDX, RCX), "shld rax, rdx, cl"),
    C(SHLD, 1, 8, NOM, 0, R4(R8, R8, R9, RCX), "shrd r8, r9, cl"),
    C(SHLDI, 0, 8, NOM, 7, R3(RAX, RAX, RBX), "shld rax, rbx, 7"),
    C(SHLDI, 1, 8, NOM, 60, R3(RSI, RSI, R15), "shrd rsi, r15, 0x3c"),
    C(EXT, 0, 4, 0, 0, 0, 1, 0, R2(RAX, RSI), "movzx eax, sil"),
    C(EXT, 1, 8, 0, 0, 0, 2, 0, R2(R10, RCX), "movsx r10, cx"),
    C(EXT, 1, 8, 0, 0, 0, 4, 0, R2(RAX, R9), "movsxd rax, r9d"),
    C(EXT, 0, 8, 0, 0, 0, 4, 0, R2(RAX, RCX), "mov eax, ecx"),
    C(EXT, 1, 4, 0, 0, 0, 1, 0, R2(RDX, RBX), "movsx edx, bl"),
    C(LOAD, X64_LD_PLAIN, 8, M(BASE, 0, 16, 0), IR_TRAP_heap_oob, R2(RAX, RDI), "mov rax, qword ptr [rdi + 0x10]"),
    C(LOAD, X64_LD_ZX, 1, M(BASE, 0, 0, 0), 0, R2(RCX, RSP), "movzx ecx, byte ptr [rsp]"),
    C(LOAD, X64_LD_SX | X64_LD_64, 2, M(INDEX, 1, 0, 0), 0, R3(RAX, RSI, R9), "movsx rax, word ptr [rsi + r9*2]"),
    C(LOAD, X64_LD_SX | X64_LD_64, 4, M(BASE, 0, -4, 0), 0, R2(R11, RBP), "movsxd r11, dword ptr [rbp - 4]"),
    C(LOAD, X64_LD_PLAIN, 4, M(INDEX, 3, 100, 0), 0, R3(RDX, R13, RAX), "mov edx, dword ptr [r13 + rax*8 + 0x64]"),
    C(LOAD, X64_LD_PLAIN, 8, M(SLOT, 0, 0, 1), 0, R1(RAX), "mov rax, qword ptr [rsp + 0x10]"),
    C(LOAD, X64_LD_PLAIN, 8, M(INARG, 0, 8, 0), 0, R1(RCX), "mov rcx, qword ptr [rbp + 0x18]"),
    C(LOAD, X64_LD_PLAIN, 8, M(OUTARG, 0, 8, 0), 0, R1(RCX), "mov rcx, qword ptr [rsp + 8]"),
    C(STORE, 0, 8, M(BASE, 0, 0, 0), IR_TRAP_heap_oob, R2(RAX, RDI), "mov qword ptr [rdi], rax"),
    C(STORE, 0, 1, M(BASE, 0, 1, 0), 0, R2(RSI, RAX), "mov byte ptr [rax + 1], sil"),
    C(STORE, 0, 2, M(BASE, 0, 0, 0), 0, R2(R8, R12), "mov word ptr [r12], r8w"),
    C(STORE, 0, 4, M(OUTARG, 0, 0, 0), 0, R1(RDX), "mov dword ptr [rsp], edx"),
    C(STOREI, 0, 8, M(BASE, 0, 8, 0), (int64_t)0xffffffff00000000ull, R1(RDI), "mov qword ptr [rdi + 8], -1"),
    C(STOREI, 0, 4, M(BASE, 0, 0, 0), 7ll << 32, R1(R13), "mov dword ptr [r13], 7"),
    C(STOREI, 0, 1, M(BASE, 0, 0, 0), 0x41ll << 32, R1(RAX), "mov byte ptr [rax], 0x41"),
    C(LEA, 0, 8, M(INDEX, 2, -16, 0), 0, R3(RAX, RBX, RCX), "lea rax, [rbx + rcx*4 - 0x10]"),
    C(LEA, 0, 8, M(SLOT, 0, 8, 1), 0, R1(R9), "lea r9, [rsp + 0x18]"),
    C(LEA, 0, 8, M(CONST, 0, 0, 0), 0, R1(RAX), "lea rax, [rip + 0x*"),
    C(SETCC, X64_CC_E, 0, NOM, 0, R1(RAX), "sete al"),
    C(SETCC, X64_CC_L, 0, NOM, 0, R1(RSI), "setl sil"),
    C(SETCC, X64_CC_A, 0, NOM, 0, R1(R10), "seta r10b"),
    C(CMOV, X64_CC_NE, 8, NOM, 0, R3(RAX, RAX, RCX), "cmovne rax, rcx"),
    C(CMOV, X64_CC_B, 4, NOM, 0, R3(R8, R8, R15), "cmovb r8d, r15d"),
    C(BITOP, X64_LZCNT, 8, NOM, 0, R2(RAX, RCX), "lzcnt rax, rcx"),
    C(BITOP, X64_TZCNT, 4, NOM, 0, R2(R9, RDX), "tzcnt r9d, edx"),
    C(BITOP, X64_POPCNT, 8, NOM, 0, R2(RAX, R12), "popcnt rax, r12"),
    C(BITOP, X64_BSR, 8, NOM, 0, R2(RDX, RDX), "bsr rdx, rdx"),
    C(BITOP, X64_BSF, 4, NOM, 0, R2(RAX, RBX), "bsf eax, ebx"),
    /* udiv: the divisor tested for zero (a trap island), rdx zeroed */
    C(DIV, 0, 8, NOM, 0, R3(RAX, RCX, RAX), "test rcx, rcx; je .+*"),
    C(DIV, X64_DIV_CONST, 4, NOM, 0, R3(RAX, RSI, RAX), "xor edx, edx; div esi"),
    C(DIV, X64_DIV_CONST | X64_DIV_SIGNED, 8, NOM, 0, R3(RAX, R8, RDX), "cqo; idiv r8"),
    C(DIV, X64_DIV_CONST | X64_DIV_SIGNED, 4, NOM, 0, R3(RAX, R8, RDX), "cdq; idiv r8d"),
    C(MULHI, 0, 8, NOM, 0, R3(RAX, RCX, RDX), "mul rcx"),
    C(MULHI, 1, 4, NOM, 0, R3(RAX, R11, RDX), "imul r11d"),
    /* the jump to label 2 goes past block 1 (add rsp, 0x30; pop rbp; ret) */
    C(JMP, 0, 0, 0, 0, 0, 2, 0, 0, {0}, "jmp .+8"),
    C(JMP, 0, 0, 0, 0, 0, 1, 0, 0, {0}, ""),
    C(JCOND, X64_CC_E, 0, 0, 0, 0, 2, 1, 0, {0}, "je .+8"),
    C(JCOND, X64_CC_L, 0, 0, 0, 0, 1, 2, 0, {0}, "jge .+8"),
    C(JMPTABLE, 0, 0, 0, 0, 0, 0, 3, R3(RDI, RAX, RCX),
      "cmp edi, 2; jae .+*"),
    C(UD2, 0, 0, 0, 0, 0, IR_TRAP_USER + 1, 0, 0, {0}, "ud2"),
    C(TRAPIF, X64_CC_O, 0, 0, 0, 0, IR_TRAP_int_ovf, 0, 0, {0}, "jo .+*"),
    C(CALL, 0, 0, NOM, 0, 0, {0}, "call .+5"),
    C(CALLIND, 0, 0, NOM, 0, R1(R11), "call r11"),
    C(CALLIND, 0, 0, NOM, 0, R1(RAX), "call rax"),
    C(RETCALL, 1, 0, NOM, 0, 0, {0}, "lea rsp, [rbp]; pop rbp; jmp r10"),
    C(GOTLOAD, 0, 0, NOM, 0, R1(RAX), "mov rax, qword ptr [rip]"),
    C(XMOV, 0, 0, NOM, 0, R2(XMM(1), XMM(10)), "movaps xmm1, xmm10"),
    C(XMOV, 0, 0, NOM, 0, R2(XMM(3), XMM(3)), ""),
    C(XLOAD, 0, 8, M(BASE, 0, 0, 0), 0, R2(XMM(0), RDI), "movsd xmm0, qword ptr [rdi]"),
    C(XLOAD, 0, 4, M(BASE, 0, 4, 0), 0, R2(XMM(12), R8), "movss xmm12, dword ptr [r8 + 4]"),
    C(XLOAD, 0, 16, M(BASE, 0, 0, 0), 0, R2(XMM(2), RSI), "movups xmm2, xmmword ptr [rsi]"),
    C(XLOAD, 0, 2, M(BASE, 0, 0, 0), 0, R2(XMM(2), RSI), "pinsrw xmm2, word ptr [rsi], 0"),
    C(XSTORE, 0, 8, M(BASE, 0, 0, 0), 0, R2(XMM(1), RAX), "movsd qword ptr [rax], xmm1"),
    C(XSTORE, 0, 4, M(SLOT, 0, 0, 0), 0, R1(XMM(9)), "movss dword ptr [rsp], xmm9"),
    C(XSTORE, 0, 16, M(BASE, 0, 16, 0), 0, R2(XMM(15), R12), "movups xmmword ptr [r12 + 0x10], xmm15"),
    C(XSTORE, 0, 2, M(BASE, 0, 0, 0), 0, R2(XMM(1), RDI), "pextrw word ptr [rdi], xmm1, 0"),
    C(XALU, X64_FADD, 8, NOM, 0, R3(XMM(0), XMM(0), XMM(1)), "addsd xmm0, xmm1"),
    C(XALU, X64_FSUB, 4, NOM, 0, R3(XMM(8), XMM(8), XMM(2)), "subss xmm8, xmm2"),
    C(XALU, X64_FDIV, 8, NOM, 0, R3(XMM(1), XMM(1), XMM(14)), "divsd xmm1, xmm14"),
    C(XALU, X64_SQRT, 4, NOM, 0, R3(XMM(1), XMM(1), XMM(2)), "sqrtss xmm1, xmm2"),
    C(XALU, X64_FMIN, 8, NOM, 0, R3(XMM(3), XMM(3), XMM(4)), "minsd xmm3, xmm4"),
    C(XALU, X64_FMAX, 4, NOM, 0, R3(XMM(3), XMM(3), XMM(4)), "maxss xmm3, xmm4"),
    C(XALU, X64_FMUL, 8, NOM, 0, R3(XMM(3), XMM(3), XMM(4)), "mulsd xmm3, xmm4"),
    C(XBIT, X64_ANDPS, 0, NOM, 0, R3(XMM(0), XMM(0), XMM(1)), "andps xmm0, xmm1"),
    C(XBIT, X64_ANDNPS, 0, NOM, 0, R3(XMM(0), XMM(0), XMM(1)), "andnps xmm0, xmm1"),
    C(XBIT, X64_ORPS, 0, NOM, 0, R3(XMM(9), XMM(9), XMM(1)), "orps xmm9, xmm1"),
    C(XBIT, X64_XORPS, 0, NOM, 0, R3(XMM(0), XMM(0), XMM(11)), "xorps xmm0, xmm11"),
    C(UCOMI, 0, 8, NOM, 0, R2(XMM(0), XMM(1)), "ucomisd xmm0, xmm1"),
    C(UCOMI, 0, 4, NOM, 0, R2(XMM(10), XMM(1)), "ucomiss xmm10, xmm1"),
    C(XZERO, 0, 0, NOM, 0, R1(XMM(5)), "xorps xmm5, xmm5"),
    C(CVTI2F, 0, 8, 0, 0, 0, 8, 0, R2(XMM(0), RAX), "cvtsi2sd xmm0, rax"),
    C(CVTI2F, 0, 4, 0, 0, 0, 4, 0, R2(XMM(9), R10), "cvtsi2ss xmm9, r10d"),
    C(CVTF2I, 0, 8, 0, 0, 0, 4, 0, R2(RAX, XMM(1)), "cvttsd2si eax, xmm1"),
    C(CVTF2I, 0, 4, 0, 0, 0, 8, 0, R2(R8, XMM(1)), "cvttss2si r8, xmm1"),
    C(CVTFF, 0, 8, NOM, 0, R2(XMM(0), XMM(1)), "cvtss2sd xmm0, xmm1"),
    C(CVTFF, 0, 4, NOM, 0, R2(XMM(0), XMM(1)), "cvtsd2ss xmm0, xmm1"),
    C(MOVG2X, 0, 8, NOM, 0, R2(XMM(0), RAX), "movq xmm0, rax"),
    C(MOVG2X, 0, 4, NOM, 0, R2(XMM(8), RCX), "movd xmm8, ecx"),
    C(MOVX2G, 0, 8, NOM, 0, R2(RAX, XMM(0)), "movq rax, xmm0"),
    C(MOVX2G, 0, 4, NOM, 0, R2(R9, XMM(2)), "movd r9d, xmm2"),
    C(XSEL, X64_CC_E, 0, NOM, 0, R3(XMM(0), XMM(0), XMM(1)), "jne .+5; movaps xmm0, xmm1"),
    C(XADD, 0, 8, NOM, IR_TRAP_heap_oob, R3(RAX, RAX, RDI), "lock xadd qword ptr [rdi], rax"),
    C(XADD, 1, 4, NOM, 0, R3(RCX, RCX, R12), "xchg dword ptr [r12], ecx"),
    C(XADD, 0, 1, NOM, 0, R3(RSI, RSI, RAX), "lock xadd byte ptr [rax], sil"),
    C(CAS, 0, 8, NOM, 0, R4(RAX, RCX, RDI, RAX), "lock cmpxchg qword ptr [rdi], rcx"),
    C(CAS, 0, 2, NOM, 0, R4(RAX, R9, RSI, RAX), "lock cmpxchg word ptr [rsi], r9w"),
    C(RMWLOOP, IR_RMW_add, 8, NOM, 0, R4(RCX, RDI, RAX, RDX), "mov rax, qword ptr [rdi]*"),
    C(FENCE, 0, 0, NOM, 0, 0, {0}, "mfence"),
    C(RMW16, IR_RMW_COUNT, 0, NOM, 0, 5, {RDI, RAX, RDX, RBX, RCX}, "lock cmpxchg16b xmmword ptr [rdi]"),
    C(XMINMAX, 0, 8, NOM, 0, R3(XMM(0), XMM(0), XMM(1)), "ucomisd xmm0, xmm1*"),
    C(ROUND, 0, 8, NOM, 1, R2(XMM(0), XMM(1)), "roundsd xmm0, xmm1, 1"),
    C(ROUND, 0, 4, NOM, 3, R2(XMM(9), XMM(12)), "roundss xmm9, xmm12, 3"),
    C(CVTSEQ, X64_CVT_SIGNED, 8, 0, 0, 0, 8, 0, 5, {RAX, XMM(0), XMM(1), XMM(2), RCX},
      "cvttsd2si rax, xmm0*"),
    C(CVTU64, 0, 8, NOM, 0, R4(XMM(0), RAX, RCX, RDX), "test rax, rax*"),
    /* SSE vector forms (x64.h's XV_* encodings) */
    C(VRR, 0, 0, NOM, 0x0ffe | XV_66, R3(XMM(0), XMM(0), XMM(1)), "paddd xmm0, xmm1"),
    C(VRR, 0, 0, NOM, 0x0fd4 | XV_66, R3(XMM(8), XMM(8), XMM(9)), "paddq xmm8, xmm9"),
    C(VRR, 0, 0, NOM, 0x0f3840 | XV_66, R3(XMM(2), XMM(2), XMM(3)), "pmulld xmm2, xmm3"),
    C(VRR, 0, 0, NOM, 0x0f58, R3(XMM(2), XMM(2), XMM(3)), "addps xmm2, xmm3"),
    C(VRR, 0, 0, NOM, 0x0fc6 | XV_IMM(0x1b), R3(XMM(2), XMM(2), XMM(3)), "shufps xmm2, xmm3, 0x1b"),
    C(VRRM, 0, 0, M(CONST, 0, 0, 0), 0x0fdb | XV_66, R2(XMM(4), XMM(4)), "pand xmm4, xmmword ptr [rip + *"),
    C(VRRM, 0, 0, M(BASE, 0, 0, 0), 0x0f3800 | XV_66, R3(XMM(4), XMM(4), RDI), "pshufb xmm4, xmmword ptr [rdi]"),
    C(VUN, 0, 0, NOM, 0x0f70 | XV_66 | XV_IMM(0x4e), R2(XMM(1), XMM(2)), "pshufd xmm1, xmm2, 0x4e"),
    C(VUN, 0, 0, NOM, 0x0f381c | XV_66, R2(XMM(10), XMM(2)), "pabsb xmm10, xmm2"),
    C(VUN, 0, 0, NOM, 0x0fd7 | XV_66, R2(RAX, XMM(2)), "pmovmskb eax, xmm2"),
    C(VUN, 0, 0, NOM, 0x0f3a16 | XV_66 | XV_W | XV_IMM(1) | XV_SWAP, R2(RAX, XMM(3)), "pextrq rax, xmm3, 1"),
    C(VSHI, 0, 0, NOM, 0x0f72 | XV_66 | XV_DIGIT(6) | XV_IMM(3), R2(XMM(5), XMM(5)), "pslld xmm5, 3"),
    C(VSHI, 0, 0, NOM, 0x0f73 | XV_66 | XV_DIGIT(3) | XV_IMM(8), R2(XMM(13), XMM(13)), "psrldq xmm13, 8"),
    C(VTEST, 0, 0, NOM, 0x0f3817 | XV_66, R2(XMM(0), XMM(1)), "ptest xmm0, xmm1"),
    C(VFMA, XV_FMA_ADD, 8, NOM, 0, R4(XMM(0), XMM(0), XMM(1), XMM(2)), "vfmadd213pd xmm0, xmm1, xmm2"),
    C(VFMA, XV_FMA_NSUB, 4, NOM, 0, R4(XMM(9), XMM(9), XMM(1), XMM(12)), "vfnmsub213ps xmm9, xmm1, xmm12"),
    C(F16C, 0, 0, NOM, 0, R2(XMM(0), XMM(1)), "vcvtph2ps xmm0, xmm1"),
    C(F16C, 1, 0, NOM, 0, R2(XMM(9), XMM(1)), "vcvtps2ph xmm9, xmm1, 0"),
    /* byte registers that need a REX prefix, and ModRM/SIB special cases */
    C(ALU, X64_ADD, 1, NOM, 0, R3(R9, R9, RDI), "add r9b, dil"),
    C(CMP, X64_CMPOP, 2, NOM, 0, R2(RAX, R9), "cmp ax, r9w"),
    C(CMPI, X64_TEST, 2, NOM, 0x100, R1(RCX), "test cx, 0x100"),
    C(SETCC, X64_CC_NE, 0, NOM, 0, R1(RDI), "setne dil"),
    C(SHIFTI, X64_SHL, 1, NOM, 2, R2(R9, R9), "shl r9b, 2"),
    C(EXT, 0, 4, 0, 0, 0, 1, 0, R2(RAX, RDI), "movzx eax, dil"),
    C(EXT, 0, 4, 0, 0, 0, 2, 0, R2(R15, R8), "movzx r15d, r8w"),
    C(ALUI, X64_ADD, 8, NOM, 0x12345678, R2(RAX, RAX), "add rax, 0x12345678"),
    C(ALUI, X64_AND, 8, NOM, -16, R2(RSP, RSP), "and rsp, 0xfffffffffffffff0"),
    C(LOAD, X64_LD_ZX, 2, M(BASE, 0, 0, 0), 0, R2(RCX, R13), "movzx ecx, word ptr [r13]"),
    C(LOAD, X64_LD_SX, 1, M(BASE, 0, 0, 0), 0, R2(RCX, R12), "movsx ecx, byte ptr [r12]"),
    C(LOAD, X64_LD_SX, 4, M(BASE, 0, 0, 0), 0, R2(RCX, RBP), "mov ecx, dword ptr [rbp]"),
    C(LOAD, X64_LD_PLAIN, 8, M(INDEX, 0, 0, 0), 0, R3(RAX, R13, R12), "mov rax, qword ptr [r13 + r12]"),
    C(LOAD, X64_LD_PLAIN, 8, M(INDEX, 1, 0, 0), 0, R3(RAX, RBP, RAX), "mov rax, qword ptr [rbp + rax*2]"),
    C(LOAD, X64_LD_PLAIN, 8, M(INDEX, 0, 0x1000, 0), 0, R3(R8, RSP, RDX), "mov r8, qword ptr [rsp + rdx + 0x1000]"),
    C(LOAD, X64_LD_PLAIN, 8, M(BASE, 0, -129, 0), 0, R2(RAX, RDI), "mov rax, qword ptr [rdi - 0x81]"),
    C(STORE, 0, 1, M(BASE, 0, 0, 0), 0, R2(R10, RBX), "mov byte ptr [rbx], r10b"),
    C(STORE, 0, 8, M(INDEX, 3, 8, 0), 0, R3(R15, R12, R13), "mov qword ptr [r12 + r13*8 + 8], r15"),
    C(STOREI, 0, 2, M(SLOT, 0, 2, 1), 0x7fffll << 32, 0, {0}, "mov word ptr [rsp + 0x12], 0x7fff"),
    C(XLOAD, 0, 8, M(CONST, 0, 0, 0), 0, R1(XMM(3)), "movsd xmm3, qword ptr [rip + *"),
    C(XALUM, X64_FSUB, 8, M(INDEX, 2, 0, 0), 0, R4(XMM(2), XMM(2), RAX, RCX), "subsd xmm2, qword ptr [rax + rcx*4]"),
    C(LEA, 0, 8, M(INDEX, 1, 0, 0), 0, R3(RAX, RBP, R12), "lea rax, [rbp + r12*2]"),
    C(CMOV, X64_CC_LE, 4, NOM, 0, R3(RAX, RAX, R13), "cmovle eax, r13d"),
    C(RET, 0, 0, NOM, 0, R1(RAX), "add rsp, 0x30; pop rbp; ret"),
    C(RET, 0, 0, NOM, 16, 0, {0}, "add rsp, 0x30; pop rbp; ret 0x10"),
};

/* Each row of the SSE name table VCode listings use (x64_names' "vop",
 * listing.c) emitted as an X64_VUN (a shift by an immediate as X64_VSHI)
 * on xmm1, xmm2: capstone's mnemonic must be the row's name (cmpps and
 * cmppd, with predicate 0, decode as cmpeqps, cmpeqpd). */
static void check_sse_names(const emit_isa *e)
{
    const cg_names *t = x64_names;
    while (t->name && strcmp(t->name, "vop"))
        t++;
    if (!t->name || !t->keys) {
        failed++;
        printf("FAIL x64_names: no keyed table \"vop\"\n");
        return;
    }
    for (unsigned i = 0; i < t->n; i++) {
        int64_t key = (int64_t)t->keys[i];
        unsigned opc = XV_OPC(key) & 0xff, map = XV_OPC(key) >> 8;
        bool digit = XV_DIG(key) != 0 || (map == 0x0f && opc >= 0x71 && opc <= 0x73);
        bool imm8 = map == 0x0f3a || (map == 0x0f && (opc == 0x70 || digit || (opc >= 0xc2 && opc <= 0xc6)));
        char want[48], what[64];
        snprintf(want, sizeof want, "%s *", t->v[i]);   /* the mnemonic, whatever the operands */
        if (!strncmp(t->v[i], "cmp", 3))
            snprintf(want, sizeof want, "cmpeq%s *", t->v[i] + 3);
        tcase c = {digit ? X64_VSHI : X64_VUN, 0, 0, 0, 0, 0, 0, key | (imm8 ? XV_IMM(0) : 0), 2,
                   {XMM(1), digit ? XMM(1) : XMM(2)}, want};
        snprintf(what, sizeof what, "vop %s (%llx)", t->v[i], (unsigned long long)key);
        check(e, &c, what);
    }
}

int main(void)
{
    return emit_main(&x64, cases, sizeof cases / sizeof cases[0], names, X64_OPCOUNT, check_sse_names);
}
