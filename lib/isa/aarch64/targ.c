/* AArch64: register facts, host features, its own target flags and the
 * hooks of the target. */
#include "a64.h"

#include <string.h>
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#define F(f) (1ull << CG_ISA_##f)

#if defined(__aarch64__) && defined(__linux__)
static uint64_t host_features(void)
{
    unsigned long hw = getauxval(AT_HWCAP);
    return (hw & (1ul << 8) ? F(lse) : 0) | (hw & (1ul << 10) ? F(fp16) : 0) |
           (hw & (1ul << 20) ? F(dotprod) : 0) | (hw & (1ul << 30) ? F(pauth) : 0);
}
#else
static uint64_t host_features(void) { return 0; }   /* not an AArch64 Linux host */
#endif

static bool target_flag(cg_target *t, const char *name, bool on)
{
    if (strcmp(name, "sign_return_address"))
        return false;
    t->sign_return_address = on;
    return true;
}


/* Caller-saved first, so short-lived values rarely cost a save; the
 * argument registers last among them, as calls pin them.  x16/x17 are the
 * emitter's, x18 is the platform's, x29/x30 the frame's. */
static const uint8_t gpr_order[] = {
    9, 10, 11, 12, 13, 14, 15, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
};
/* v31 is the emitter's; v8-v15 are callee-saved (their low 64 bits). */
static const uint8_t fpr_order[] = {
    A64_V0 + 16, A64_V0 + 17, A64_V0 + 18, A64_V0 + 19, A64_V0 + 20, A64_V0 + 21, A64_V0 + 22,
    A64_V0 + 23, A64_V0 + 24, A64_V0 + 25, A64_V0 + 26, A64_V0 + 27, A64_V0 + 28, A64_V0 + 29,
    A64_V0 + 30, A64_V0 + 7, A64_V0 + 6, A64_V0 + 5, A64_V0 + 4, A64_V0 + 3, A64_V0 + 2,
    A64_V0 + 1, A64_V0 + 0, A64_V0 + 8, A64_V0 + 9, A64_V0 + 10, A64_V0 + 11, A64_V0 + 12,
    A64_V0 + 13, A64_V0 + 14, A64_V0 + 15,
};

#define R(r) (1ull << (r))
static const uint64_t clobbers[] = {
    [A64_CLOB_NONE] = 0,
    /* x0-x17 and every vector register but the low halves of v8-v15 */
    [A64_CLOB_CALL] = 0x3ffffull | 0xffull << A64_V0 | 0xffffull << (A64_V0 + 16),
    [A64_CLOB_ALL] = ~0ull & ~(1ull << A64_SP),
    /* the same with v8-v15 whole: their high halves do not survive a call */
    [A64_CLOB_CALL_WIDE] = 0x3ffffull | 0xffffffffull << A64_V0,
};

static const char *const reg_names[64] = {
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
    "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25",
    "x26", "x27", "x28", "x29", "x30", "sp", "v0", "v1", "v2", "v3", "v4", "v5", "v6",
    "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19",
    "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31",
};

const cg_isa a64_isa = {
    .name = "aarch64",
    .arch = JIT_ARCH_AARCH64,
    .host_features = host_features,
    .target_flag = target_flag,
    .alloc_order = {gpr_order, fpr_order},
    .nalloc = {sizeof gpr_order, sizeof fpr_order},
    .callee_saved = 0x1ff80000ull | 0xffull << (A64_V0 + 8),
    .clobbers = clobbers,
    .prepare = a64_prepare,
    .fuse_cond = a64_fuse_cond,
    .lower_inst = a64_lower_inst,
    .lower_inst_ops = a64_lower_inst_ops,
    .lower_vector = a64_lower_vector,
    .vec_type = a64_vec_type,
    .branch = a64_branch,
    .lower_float = a64_lower_float,
    .lower_conv = a64_lower_conv,
    .f16_arith = a64_f16_arith,
    .native_fconv = a64_native_fconv,
    .lower_load = a64_lower_load,
    .lower_store = a64_lower_store,
    .lower_atomic = a64_lower_atomic,
    .lower_int = a64_lower_int,
    .emit = a64_emit,
    .reg_names = reg_names,
    .nregs = sizeof reg_names / sizeof *reg_names,
    .insts = a64_insts, .ninsts = A64_OPCOUNT, .names = a64_names,
    .amodes = a64_amodes, .namodes = A64_AM_OUTARG + 1,
    .put_in_reg = a64_put_in_reg,
    .movi = a64_movi,
    .compute_locs = a64_compute_locs,
    .call_clobbers = a64_call_clobbers,
    .clob_all = A64_CLOB_ALL,
    .clob_call_wide = A64_CLOB_CALL_WIDE,
    .callee_reg_all = A64_X17 - 2,  /* x15: no argument's */
    .callee_reg_tail = A64_X17 - 2,
    .exn_regs = {A64_X0, A64_X0 + 1},
    .exn_table_at = a64_exn_table_at,
    .op_args = A64_ARGS, .op_ret = A64_RET, .op_call = A64_CALL, .op_callind = A64_CALLIND,
    .op_retcall = A64_RETCALL, .op_jump = A64_B, .op_trap = A64_UDF, .op_jumptable = A64_BRTABLE,
    .op_load = A64_LOAD, .op_store = A64_STORE, .op_fload = A64_FLOAD, .op_fstore = A64_FSTORE,
    .op_lea = A64_LEA, .op_gotload = A64_GOTLOAD, .ld_zx = A64_LD_ZX,
    .am = {[CG_AREA_BASE] = A64_AM_BASE, [CG_AREA_IN] = A64_AM_INARG, [CG_AREA_OUT] = A64_AM_OUTARG,
           [CG_AREA_SLOT] = A64_AM_SLOT},
    .op_fence = A64_DMB, .fp_reg = A64_FP,
    .fix_patch = a64_fix_patch,
    .op_atomic_load = A64_LDAR, .op_atomic_store = A64_STLR,
    .add_imm = a64_addi,
    .extend_into = a64_extend_into,
    .mov64 = a64_mov64,
    .i128 = &a64_i128,
};
