/* lib/codegen: from verified IR to machine code, for either target.
 *
 * This header is the interface the runner, harness and REPL use; the
 * machine-instruction form, register allocation and the code buffer behind
 * it are shared by lib/isa/x64 and lib/isa/aarch64 (DESIGN.md). */
#ifndef CLIFRUN_CODEGEN_H
#define CLIFRUN_CODEGEN_H

#include "ir/ir.h"
#include "jit/jit.h"

/* ISA feature flags of a `target` line, and of the host CPU. */
#define CG_ISA_FLAGS(X)                                                        \
    X(sse3) X(ssse3) X(sse41) X(sse42) X(popcnt) X(avx) X(avx2) X(fma) X(bmi1) \
    X(bmi2) X(lzcnt) X(cmpxchg16b) X(avx512f) X(avx512vl) X(avx512dq)          \
    X(avx512bitalg) X(avx512vbmi) X(avx_vnni) X(avx512vnni) X(f16c)            \
    X(lse) X(pauth) X(fp16) X(dotprod)
typedef enum {
#define CG_F(name) CG_ISA_##name,
    CG_ISA_FLAGS(CG_F)
#undef CG_F
    CG_ISA_COUNT
} cg_isa_flag;

typedef struct cg_target {
    jit_arch arch;              /* JIT_ARCH_X86_64 or JIT_ARCH_AARCH64 */
    uint64_t isa;               /* bit per cg_isa_flag the code may use */
    bool sign_return_address;   /* aarch64: pac-ret prologues */
    bool preserve_frame_pointers;
    bool enable_probestack;     /* accepted: clifrun probes every frame of a page or more */
    uint8_t probestack_size_log2;   /* the guard size it states (0: Cranelift's 12) */
    bool opt;                   /* opt_level != none: run the IR passes */
    bool nan_canonicalization;  /* enable_nan_canonicalization: one NaN from arithmetic */
    uint8_t bb_padding;         /* bb_padding_log2_minus_one: 2^(n-1) bytes after each
                                   block (aarch64), to test long branches */
    uint8_t regalloc;           /* CG_RA_*: the register allocator */
    bool vcode;                 /* fill cg_output.vcode (compile --vcode) */
    bool listing;               /* fill cg_output's data, block_off and marks (compile -D,
                                   :disasm); else they stay empty */
} cg_target;

/* Register allocators, each a reference for the others (lib/fuzz compiles a
 * file with all three in one process).  CG_RA_DEFAULT: CLIFRUN_REGALLOC from
 * the environment (linear, local or spill), else linear. */
enum { CG_RA_DEFAULT, CG_RA_LINEAR, CG_RA_LOCAL, CG_RA_SPILL, CG_RA_COUNT };
/* "linear", "local", "spill" ("default" for CG_RA_DEFAULT). */
const char *cg_regalloc_name(unsigned ra);

/* Flags the host CPU has (the back end's host_features hook, cached). */
uint64_t cg_host_isa(jit_arch arch);
/* Apply a `target` line's words and the `set` lines before it to t
 * (cg_apply_settings).  An unknown ISA flag is an error naming it. */
bool cg_target_from_file(cg_target *t, const ir_file *file, uint32_t target_index, ir_diag *d);
/* Check the first `count` `set` lines of file against Cranelift's settings
 * (today's and older releases') and apply to t those that change code:
 * false, with Cranelift's words, for an unknown name or a bad value, and
 * for a setting clifrun refuses when true (enable_pinned_reg).  Settings
 * that cannot change what a run test computes are accepted (README). */
bool cg_apply_settings(cg_target *t, const ir_file *file, uint32_t count, ir_diag *d);
/* One setting (value NULL: a bare `set NAME`) against that table: its
 * index, or -1 with Cranelift's words in msg (refuse: also for a setting
 * clifrun's code generators refuse when true) ("invalid setting value for
 * 'opt_level=banana', expected any among none, speed, speed_and_size"). */
int cg_check_setting(const char *name, const char *value, bool refuse, char *msg, size_t size);
/* Setting i of that one table (NULL past its end); *applied: does it
 * change the code (else accepted with no effect, or refused). */
const char *cg_setting_name(size_t i, bool *applied);

/* Trap codes recorded with each trapping instruction: ir_trapcode values. */
const char *cg_trap_name(uint32_t code, char buf[16]);

/* Data within the code (a disassembler must not decode it): what it is,
 * and for CG_DATA_OFFSET32 the offset its 32-bit words are relative to. */
enum {
    CG_DATA_OFFSET32,           /* a jump-table or exception-table entry: target - base */
    CG_DATA_EXN_TABLE,          /* an exception table's words (after a jump over it) */
    CG_DATA_CONST,              /* a constant of the pool */
    CG_DATA_PAD,                /* alignment or block padding, never executed */
};
typedef struct cg_data {
    uint32_t off, len;
    uint8_t kind;
    uint32_t base;              /* CG_DATA_OFFSET32 */
} cg_data;

typedef IR_VEC(char) cg_text;

/* The machine code of one function, ready for jit_module_add_func. */
typedef struct cg_output {
    IR_VEC(uint8_t) code;
    IR_VEC(jit_reloc) relocs;   /* relocs[i].sym points into names (stable after compile) */
    IR_VEC(jit_trap) traps;
    ir_arena names;
    uint32_t align;
    /* for disassembly listings, if cg_target.listing (compile -D, :disasm) */
    IR_VEC(cg_data) data;       /* data within the code, by offset */
    IR_VEC(uint32_t) block_off; /* per IR block: its code offset, CG_NONE_OFF if not emitted */
    IR_VEC(uint32_t) marks;     /* pairs (offset, IR instruction): the code from offset up
                                   to the next mark was produced for that instruction;
                                   before the first, the prologue; IR_NONE: no instruction
                                   (trap islands, the pool); ascending offsets */
    cg_text vcode;              /* cg_target.vcode: the VCode after register allocation,
                                   NUL-terminated text (cg_vcode_print) */
} cg_output;
#define CG_NONE_OFF UINT32_MAX
void cg_output_free(cg_output *o);

/* The symbol name of function i of a file in its module: the testcase name
 * without '%', or "u<ns>:<index>" (cranelift_module's user names). */
const char *cg_symbol_name(const ir_function *f, char *buf, size_t n);

/* Compile function `func` of `file` for target t.  An opcode, type or
 * convention the backend does not support yet is
 * "file:line:col: error: unsupported on x86_64: ..." in d, never an abort. */
bool cg_compile(const cg_target *t, const ir_file *file, uint32_t func, cg_output *out, ir_diag *d);
/* The same for a function that is not in the file (lib/opt's optimized
 * copy of one of its functions): names still resolve against file. */
bool cg_compile_function(const cg_target *t, const ir_file *file, const ir_function *fn, cg_output *out,
                         ir_diag *d);

/* Exceptions, for an unwinder walking the frames of code compiled for
 * arch: ret_pc is a call's return address and fp the frame pointer of the
 * frame it returns to.  If that call is a try_call with a handler for tag
 * (or a default one), *pc is the handler and *sp the stack pointer it runs
 * with (the frame pointer stays fp; the payload goes in the first two
 * return registers).  Reads the exception table the back end put after
 * the call. */
bool cg_exn_handler(jit_arch arch, uintptr_t ret_pc, uintptr_t fp, uint32_t tag, uintptr_t *pc,
                    uintptr_t *sp);

/* Define in ctx the host functions generated code calls by name (libcalls
 * such as floorf, fma, memcpy), so linking never depends on which shared
 * libraries the process happens to have loaded.  Call once per context. */
bool cg_define_libcalls(jit_ctx *ctx, jit_error *err);

#endif
