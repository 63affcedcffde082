/* x86-64: register facts, host features, presets and the hooks of the
 * target. */
#include "x64.h"

#if defined(__x86_64__) && !__has_include(<sys/platform/x86.h>)
#include <cpuid.h>
#endif

#define F(f) (1ull << CG_ISA_##f)

/* ---- host features --------------------------------------------------------- */

#if defined(__x86_64__) && __has_include(<sys/platform/x86.h>)
/* glibc has asked cpuid at start-up (and checked what the OS enables, as
 * XCR0 for AVX state): reading its answers costs nothing, while each cpuid
 * is a VM exit under a hypervisor, tens of microseconds. */
#include <sys/platform/x86.h>
/* CPU_FEATURE_ACTIVE, without its `1 << bit` (undefined for bit 31, which
 * UBSan stops at: AVX512VL is bit 31 of leaf 7's ebx). */
static bool active(unsigned index)
{
    const struct cpuid_feature *p = __x86_get_cpuid_feature_leaf(index / (8 * sizeof(unsigned) * 4));
    unsigned reg = index & (8 * sizeof(unsigned) * 4 - 1);
    return p->active_array[reg / 32] >> (reg % 32) & 1;
}

static uint64_t host_features(void)
{
#define HAS(glibc, ours) (active(x86_cpu_##glibc) ? F(ours) : 0)
    return HAS(SSE3, sse3) | HAS(SSSE3, ssse3) | HAS(CMPXCHG16B, cmpxchg16b) | HAS(SSE4_1, sse41) |
           HAS(SSE4_2, sse42) | HAS(POPCNT, popcnt) | HAS(AVX, avx) | HAS(FMA, fma) | HAS(F16C, f16c) |
           HAS(BMI1, bmi1) | HAS(BMI2, bmi2) | HAS(AVX2, avx2) | HAS(AVX512F, avx512f) |
           HAS(AVX512DQ, avx512dq) | HAS(AVX512VL, avx512vl) | HAS(AVX512_VBMI, avx512vbmi) |
           HAS(AVX512_VNNI, avx512vnni) | HAS(AVX512_BITALG, avx512bitalg) | HAS(AVX_VNNI, avx_vnni) |
           HAS(LZCNT, lzcnt);
#undef HAS
}
#elif defined(__x86_64__)
static uint64_t host_features(void)
{
    uint64_t m = 0;
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        m |= (c & 1 ? F(sse3) : 0) | (c >> 9 & 1 ? F(ssse3) : 0) | (c >> 13 & 1 ? F(cmpxchg16b) : 0) |
             (c >> 19 & 1 ? F(sse41) : 0) | (c >> 20 & 1 ? F(sse42) : 0) |
             (c >> 23 & 1 ? F(popcnt) : 0);
        /* AVX state must be enabled by the OS too (OSXSAVE, XCR0 bits 1-2) */
        bool os_avx = false;
        if (c >> 27 & 1) {
            unsigned lo, hi;
            __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            os_avx = (lo & 6) == 6;
        }
        if (os_avx)
            m |= (c >> 28 & 1 ? F(avx) : 0) | (c >> 12 & 1 ? F(fma) : 0) | (c >> 29 & 1 ? F(f16c) : 0);
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
            m |= (b >> 3 & 1 ? F(bmi1) : 0) | (b >> 8 & 1 ? F(bmi2) : 0);
            if (os_avx)
                m |= (b >> 5 & 1 ? F(avx2) : 0) | (b >> 16 & 1 ? F(avx512f) : 0) |
                     (b >> 17 & 1 ? F(avx512dq) : 0) | (b >> 31 & 1 ? F(avx512vl) : 0) |
                     (c >> 1 & 1 ? F(avx512vbmi) : 0) | (c >> 11 & 1 ? F(avx512vnni) : 0) |
                     (c >> 12 & 1 ? F(avx512bitalg) : 0);
        }
        if (os_avx && __get_cpuid_count(7, 1, &a, &b, &c, &d))
            m |= a >> 4 & 1 ? F(avx_vnni) : 0;
        if (__get_cpuid(0x80000001, &a, &b, &c, &d))
            m |= c >> 5 & 1 ? F(lzcnt) : 0;
    }
    return m;
}
#else
static uint64_t host_features(void) { return 0; }   /* not an x86-64 host */
#endif

/* ---- presets: Cranelift's (meta/src/isa/x86.rs) ------------------------------- */

#define SSE3 F(sse3)
#define SSSE3 (SSE3 | F(ssse3))
#define SSE41 (SSSE3 | F(sse41))
#define SSE42 (SSE41 | F(sse42))
#define NEHALEM (SSE42 | F(popcnt) | F(cmpxchg16b))
#define SANDY (NEHALEM | F(avx))
#define HASWELL (SANDY | F(avx2) | F(bmi1) | F(bmi2) | F(fma) | F(lzcnt))
#define SKX (HASWELL | F(avx512f) | F(avx512dq) | F(avx512vl))
static const cg_preset presets[] = {
    {"baseline", 0}, {"sse3", SSE3}, {"ssse3", SSSE3}, {"sse41", SSE41}, {"sse42", SSE42},
    {"nocona", SSE3 | F(cmpxchg16b)}, {"core2", SSE3 | F(cmpxchg16b)},
    {"penryn", SSE41 | F(cmpxchg16b)}, {"atom", SSSE3 | F(cmpxchg16b)},
    {"bonnell", SSSE3 | F(cmpxchg16b)}, {"silvermont", NEHALEM}, {"slm", NEHALEM},
    {"goldmont", NEHALEM}, {"goldmont-plus", NEHALEM}, {"tremont", NEHALEM},
    {"nehalem", NEHALEM}, {"corei7", NEHALEM}, {"westmere", NEHALEM},
    {"sandybridge", SANDY}, {"corei7-avx", SANDY}, {"ivybridge", SANDY}, {"core-avx-i", SANDY},
    {"haswell", HASWELL}, {"core-avx2", HASWELL}, {"broadwell", HASWELL}, {"skylake", HASWELL},
    {"skylake-avx512", SKX}, {"skx", SKX}, {"cascadelake", SKX | F(avx512vnni)},
    {"icelake", SKX | F(avx512vnni) | F(avx512vbmi) | F(avx512bitalg)},
    {"alderlake", NEHALEM | F(bmi1) | F(bmi2) | F(lzcnt) | F(fma) | F(avx_vnni)},
    {"x86-64", 0}, {"x86-64-v2", NEHALEM}, {"x86-64-v3", HASWELL}, {"x86-64-v4", SKX},
    {NULL, 0},
};

/* ---- registers ------------------------------------------------------------- */

/* Caller-saved first, so short-lived values rarely cost a save. */
static const uint8_t gpr_order[] = {
    X64_RAX, X64_RCX, X64_RDX, X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10,
    X64_RBX, X64_R12, X64_R13, X64_R14, X64_R15,
};
static const uint8_t xmm_order[] = {
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
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

static const char *const reg_names[32] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
    "r12", "r13", "r14", "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
    "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
};

const cg_isa x64_isa = {
    .name = "x86_64",
    .arch = JIT_ARCH_X86_64,
    .host_features = host_features,
    .presets = presets,
    .alloc_order = {gpr_order, xmm_order},
    .nalloc = {sizeof gpr_order, sizeof xmm_order},
    .callee_saved = R(X64_RBX) | R(X64_RBP) | R(X64_R12) | R(X64_R13) | R(X64_R14) | R(X64_R15),
    .save16 = 0xffff0000ull,
    .clobbers = clobbers,
    .prepare = x64_prepare,
    .fuse_cond = x64_fuse_cond,
    .lower_inst = x64_lower_inst,
    .lower_inst_ops = x64_lower_inst_ops,
    .lower_vector = x64_lower_vector,
    .vec_type = x64_vec_type,
    .branch = x64_branch,
    .lower_float = x64_lower_float,
    .lower_conv = x64_lower_conv,
    .native_fconv = x64_native_fconv,
    .lower_load = x64_lower_load,
    .lower_store = x64_lower_store,
    .lower_atomic = x64_lower_atomic,
    .lower_int = x64_lower_int,
    .emit = x64_emit,
    .reg_names = reg_names,
    .nregs = sizeof reg_names / sizeof *reg_names,
    .insts = x64_insts, .ninsts = X64_OPCOUNT, .names = x64_names,
    .amodes = x64_amodes, .namodes = X64_AM_CONST + 1,
    .put_in_reg = x64_put_in_reg,
    .movi = x64_movi,
    .compute_locs = x64_compute_locs,
    .call_clobbers = x64_call_clobbers,
    .clob_all = X64_CLOB_ALL,
    .callee_reg_all = X64_RBX,      /* no argument's */
    .callee_reg_tail = X64_R10,
    .exn_regs = {X64_RAX, X64_RDX},
    .exn_table_at = x64_exn_table_at,
    .op_args = X64_ARGS, .op_ret = X64_RET, .op_call = X64_CALL, .op_callind = X64_CALLIND,
    .op_retcall = X64_RETCALL, .op_jump = X64_JMP, .op_trap = X64_UD2, .op_jumptable = X64_JMPTABLE,
    .op_load = X64_LOAD, .op_store = X64_STORE, .op_fload = X64_XLOAD, .op_fstore = X64_XSTORE,
    .op_lea = X64_LEA, .op_gotload = X64_GOTLOAD, .ld_zx = X64_LD_ZX,
    .am = {[CG_AREA_BASE] = X64_AM_BASE, [CG_AREA_IN] = X64_AM_INARG, [CG_AREA_OUT] = X64_AM_OUTARG,
           [CG_AREA_SLOT] = X64_AM_SLOT},
    .op_fence = X64_FENCE, .fp_reg = X64_RBP,
    .fix_patch = x64_fix_patch,
    .fix_short = x64_fix_short,
    .fix_shorten = x64_fix_shorten,
    .op_atomic_load = X64_LOAD, .op_atomic_store = X64_STORE, .seqcst_store_fence = true,
    .add_imm = x64_add_imm,
    .extend_into = x64_extend_into,
    .mov64 = x64_mov64,
    .i128 = &x64_i128,
};
