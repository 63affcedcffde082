/* x86-64: register facts and the hooks of the target. */
#include "x64.h"


/* Caller-saved first, so short-lived values rarely cost a save. */
static const uint8_t gpr_order[] = {
    X64_RAX, X64_RCX, X64_RDX, X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10,
    X64_RBX, X64_R12, X64_R13, X64_R14, X64_R15,
};
static const uint8_t xmm_order[] = {
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
};

#define R(r) (1ull << (r))
static const uint64_t clobbers[] = {
    [X64_CLOB_NONE] = 0,
    [X64_CLOB_CALL] = R(X64_RAX) | R(X64_RCX) | R(X64_RDX) | R(X64_RSI) | R(X64_RDI) | R(X64_R8) |
                      R(X64_R9) | R(X64_R10) | R(X64_R11) | 0xffff0000ull,
    [X64_CLOB_DIV] = R(X64_RAX) | R(X64_RDX),
    /* a windows_fastcall callee keeps rsi rdi and xmm6-15 */
    [X64_CLOB_WIN64] = R(X64_RAX) | R(X64_RCX) | R(X64_RDX) | R(X64_R8) | R(X64_R9) | R(X64_R10) |
                       R(X64_R11) | 0x003f0000ull,
    [X64_CLOB_ALL] = 0xffffffffull & ~(R(X64_RSP) | R(X64_RBP)),
};

const char *x64_reg_name(unsigned preg)
{
    static const char *const names[32] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
        "r12", "r13", "r14", "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
        "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
    };
    return preg < 32 ? names[preg] : "?";
}

const cg_isa x64_isa = {
    .name = "x86_64",
    .arch = JIT_ARCH_X86_64,
    .alloc_order = {gpr_order, xmm_order},
    .nalloc = {sizeof gpr_order, sizeof xmm_order},
    .callee_saved = R(X64_RBX) | R(X64_RBP) | R(X64_R12) | R(X64_R13) | R(X64_R14) | R(X64_R15),
    .clobbers = clobbers,
    .prepare = x64_prepare,
    .lower_inst = x64_lower_inst,
    .branch = x64_branch,
    .lower_float = x64_lower_float,
    .lower_conv = x64_lower_conv,
    .native_fconv = x64_native_fconv,
    .lower_load = x64_lower_load,
    .lower_store = x64_lower_store,
    .lower_atomic = x64_lower_atomic,
    .lower_int = x64_lower_int,
    .emit = x64_emit,
    .reg_name = x64_reg_name,
    .put_in_reg = x64_put_in_reg,
    .movi = x64_movi,
    .compute_locs = x64_compute_locs,
    .call_clobbers = x64_call_clobbers,
    .clob_all = X64_CLOB_ALL,
    .callee_reg_all = X64_RBX,      /* no argument's */
    .callee_reg_tail = X64_R10,
    .exn_regs = {X64_RAX, X64_RDX},
    .op_args = X64_ARGS, .op_ret = X64_RET, .op_call = X64_CALL, .op_callind = X64_CALLIND,
    .op_retcall = X64_RETCALL, .op_jump = X64_JMP, .op_trap = X64_UD2, .op_jumptable = X64_JMPTABLE,
    .op_load = X64_LOAD, .op_store = X64_STORE, .op_fload = X64_XLOAD, .op_fstore = X64_XSTORE,
    .op_lea = X64_LEA, .op_gotload = X64_GOTLOAD, .ld_zx = X64_LD_ZX,
    .op_atomic_load = X64_LOAD, .op_atomic_store = X64_STORE, .op_fence = X64_FENCE,
    .am = {[CG_AREA_BASE] = X64_AM_BASE, [CG_AREA_IN] = X64_AM_INARG, [CG_AREA_OUT] = X64_AM_OUTARG},
    .add_imm = x64_add_imm,
    .extend_into = x64_extend_into,
    .mov64 = x64_mov64,
    .i128 = &x64_i128,
};
