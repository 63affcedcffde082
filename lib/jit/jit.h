/* lib/jit: executable memory, modules, symbols, relocations, PLT/GOT and
 * trap tables.  The code generators hand it bytes + relocation records +
 * trap records per function; it places them in its own W^X heap, links
 * them against other modules and the host (dlsym), and hands back
 * callable addresses.
 *
 * Lifecycle of a module:  jit_module_new -> jit_module_add_func/_data ...
 *   -> jit_module_link (or jit_link_group for mutually dependent modules)
 *   -> jit_module_finalize -> jit_module_lookup -> call -> jit_module_free.
 *
 * Guarantees: code pages are never writable and executable at once; a call
 * relocation never fails for range (an out-of-range call goes through a
 * stub next to its caller: x86-64 `jmp *[rip+got]`, AArch64 `adrp x16;
 * ldr x16; br x16`); a module's code, stubs, GOT and data are one
 * allocation, released with its tables by jit_module_free.  No function asserts or exits
 * on bad input: each returns false (or NULL) and fills a jit_error.
 * A jit_ctx is not thread-safe; jit_trap_lookup and jit_pc_in_code are
 * async-signal-safe.  Modules without data objects pack next to each
 * other on shared pages, and finalize makes the pages it writes briefly
 * read+write (not executable): no other thread may run a module's code
 * while one of the context's modules is finalized. */
#ifndef CLIFRUN_JIT_H
#define CLIFRUN_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jit_ctx jit_ctx;
typedef struct jit_module jit_module;

/* What went wrong.  line/col locate the declaration of the symbol involved
 * (copied from the relocation or definition record, 0 if unknown): a
 * caller with an ir_diag does ir_diag_set(d, e.line, e.col, "%s", e.msg). */
typedef struct jit_error {
    uint32_t line, col;
    char msg[512];
} jit_error;

typedef enum jit_arch {
    JIT_ARCH_HOST = 0,      /* in jit_config: whatever this process runs on */
#define ARCH(id, ...) JIT_ARCH_##id,
#include "arch.def"
#undef ARCH
    JIT_ARCH_COUNT
} jit_arch;
jit_arch jit_host_arch(void);
/* Cranelift's name ("x86_64"); the host's for JIT_ARCH_HOST. */
const char *jit_arch_name(jit_arch a);
/* The one parser of architecture words: a name, its alias (arm64) or a
 * triple (aarch64-unknown-linux-gnu) -> its arch, JIT_ARCH_HOST if none. */
jit_arch jit_arch_parse(const char *s, size_t n);
/* The names of the table's architectures for --help and messages, "x86_64
 * or aarch64" ("a, b or c" with more), into buf; returns buf. */
const char *jit_arch_list(char *buf, size_t size);
/* The columns of arch.def lib/jit and lib/object read (JIT_ARCH_HOST: the
 * host's row; NULL past the table). */
typedef struct jit_arch_info {
    const char *name, *alias;
    uint16_t elf_machine;
    uint32_t elf_abs64;
    uint8_t pad;
    uint8_t stub_size;
    uint64_t near_code;
    const char *got_hint;
} jit_arch_info;
const jit_arch_info *jit_arch_get(jit_arch a);

/* ---- relocation kinds -------------------------------------------------------
 * X(name, arch, class, elf): elf is the ELF relocation type lib/object
 * writes for it (ABS8: the arch's elf_abs64).  The value written is
 * computed from S (the symbol's address), A (the record's addend) and P
 * (the address of the patched field, ELF-style): PC-relative kinds use
 * S+A-P, so an x86-64 rel32 whose displacement counts from the end of the
 * instruction has A = -4.  Classes: CALL (out of range -> stub), GOT (S is
 * the module's GOT slot for the symbol, always in range), DATA (out of
 * range -> error: use GOT). */
#define JIT_RELOCS(X)                                                                               \
    X(ABS8,                   0,                DATA, 0)  /* 64-bit S+A, any arch */               \
    X(X86_CALL_PCREL4,        JIT_ARCH_X86_64,  CALL, R_X86_64_PLT32)  /* call/jmp/jcc rel32 */    \
    X(X86_PCREL4,             JIT_ARCH_X86_64,  DATA, R_X86_64_PC32)  /* [rip+disp32] to data */   \
    X(X86_GOTPCREL4,          JIT_ARCH_X86_64,  GOT,  R_X86_64_GOTPCREL)  /* mov r,[rip+GOT(S)] */ \
    X(A64_CALL26,             JIT_ARCH_AARCH64, CALL, R_AARCH64_CALL26)  /* bl imm26 */            \
    X(A64_JUMP26,             JIT_ARCH_AARCH64, CALL, R_AARCH64_JUMP26)  /* b imm26 (tail call) */ \
    X(A64_ADR_PREL_PG_HI21,   JIT_ARCH_AARCH64, DATA, R_AARCH64_ADR_PREL_PG_HI21)  /* adrp: page(S+A)-page(P) */ \
    X(A64_ADD_ABS_LO12_NC,    JIT_ARCH_AARCH64, DATA, R_AARCH64_ADD_ABS_LO12_NC)  /* add: (S+A)&0xfff */ \
    X(A64_LDST8_ABS_LO12_NC,  JIT_ARCH_AARCH64, DATA, R_AARCH64_LDST8_ABS_LO12_NC)  /* ldr/str imm12, scaled */ \
    X(A64_LDST16_ABS_LO12_NC, JIT_ARCH_AARCH64, DATA, R_AARCH64_LDST16_ABS_LO12_NC)                 \
    X(A64_LDST32_ABS_LO12_NC, JIT_ARCH_AARCH64, DATA, R_AARCH64_LDST32_ABS_LO12_NC)                 \
    X(A64_LDST64_ABS_LO12_NC, JIT_ARCH_AARCH64, DATA, R_AARCH64_LDST64_ABS_LO12_NC)                 \
    X(A64_LDST128_ABS_LO12_NC,JIT_ARCH_AARCH64, DATA, R_AARCH64_LDST128_ABS_LO12_NC)                \
    X(A64_ADR_GOT_PAGE,       JIT_ARCH_AARCH64, GOT,  R_AARCH64_ADR_GOT_PAGE)  /* adrp to the GOT slot */ \
    X(A64_LD64_GOT_LO12_NC,   JIT_ARCH_AARCH64, GOT,  R_AARCH64_LD64_GOT_LO12_NC)  /* ldr x,[x,#:got_lo12:] */ \
    X(A64_MOVW_UABS_G0,       JIT_ARCH_AARCH64, DATA, R_AARCH64_MOVW_UABS_G0)  /* movz/movk imm16, hw=0, */ \
    X(A64_MOVW_UABS_G0_NC,    JIT_ARCH_AARCH64, DATA, R_AARCH64_MOVW_UABS_G0_NC)  /* checked kinds require */ \
    X(A64_MOVW_UABS_G1,       JIT_ARCH_AARCH64, DATA, R_AARCH64_MOVW_UABS_G1)  /* S+A < 2^(16(n+1)) */ \
    X(A64_MOVW_UABS_G1_NC,    JIT_ARCH_AARCH64, DATA, R_AARCH64_MOVW_UABS_G1_NC)                    \
    X(A64_MOVW_UABS_G2,       JIT_ARCH_AARCH64, DATA, R_AARCH64_MOVW_UABS_G2)                       \
    X(A64_MOVW_UABS_G2_NC,    JIT_ARCH_AARCH64, DATA, R_AARCH64_MOVW_UABS_G2_NC)                    \
    X(A64_MOVW_UABS_G3,       JIT_ARCH_AARCH64, DATA, R_AARCH64_MOVW_UABS_G3)

typedef enum jit_reloc_kind {
#define JIT_R_ENUM(name, arch, cls, elf) JIT_R_##name,
    JIT_RELOCS(JIT_R_ENUM)
#undef JIT_R_ENUM
    JIT_R_COUNT
} jit_reloc_kind;
const char *jit_reloc_name(jit_reloc_kind k);   /* "X86_CALL_PCREL4" */

/* Patch the field at `loc` (whose run-time address is P) to refer to the
 * value X = S+A, with the kind's range and alignment checks; AArch64
 * kinds also check the instruction form.  For GOT kinds pass X = slot+A.
 * This is the primitive jit_module_link uses; exposed so that relocation
 * encoding is testable on any host. */
bool jit_reloc_apply(jit_reloc_kind k, uint8_t *loc, uint64_t P, uint64_t X, jit_error *err);

/* ---- records handed over by a code generator -------------------------------- */

typedef struct jit_reloc {
    uint32_t offset;        /* of the patched field in the function/data */
    uint32_t kind;          /* jit_reloc_kind */
    int64_t addend;
    const char *sym;        /* name of the target: a function or data object */
    uint32_t line, col;     /* where that name is declared (fn0 = %strlen ...) */
} jit_reloc;

typedef struct jit_trap {
    uint32_t offset;        /* of the trapping instruction, from function start */
    uint32_t code;          /* opaque to lib/jit: the code generator's trap code */
} jit_trap;

typedef struct jit_func {
    const char *name;       /* symbol name, unique in the module */
    const void *code;
    size_t size;
    uint32_t align;         /* power of two; 0 = 16 */
    const jit_reloc *relocs;
    size_t nrelocs;
    const jit_trap *traps;  /* any order */
    size_t ntraps;
    bool local;             /* invisible to other modules */
    uint32_t line;          /* of the definition, for duplicate errors */
} jit_func;

typedef struct jit_data {
    const char *name;
    const void *bytes;      /* NULL: zero-filled */
    size_t size;
    uint32_t align;         /* power of two; 0 = 8 */
    const jit_reloc *relocs;/* ABS8 (tables of addresses) and the like */
    size_t nrelocs;
    bool writable;          /* else read-only after finalize */
    bool local;
    uint32_t line;
} jit_data;

/* ---- contexts ----------------------------------------------------------------- */

typedef struct jit_config {
    jit_arch arch;          /* HOST by default; another arch links but cannot run */
    bool spread;            /* each module in its own region, > 4 GiB from every
                             * other module and from host code: every cross-module
                             * and host call goes through a stub */
    size_t region_size;     /* address space reserved at a time; 0 = 1 GiB */
    size_t reserve_limit;   /* cap on reserved address space; 0 = none */
    bool alias;             /* code regions mapped twice, read+execute and (at
                             * another address) read+write, over the same shared
                             * memory: a module is written through the second, no
                             * system call per module (2 otherwise, each costly on
                             * a VM).  Not with spread, nor for modules with data
                             * objects.  The memory stays shared with a forked
                             * child: a process that forks after compiling must
                             * leave it off. */
} jit_config;

/* Environment variable that turns spread on (value other than "" or "0"),
 * so a harness can pass --jit-spread on to children. */
#define JIT_SPREAD_ENV "CLIFRUN_JIT_SPREAD"
void jit_config_from_env(jit_config *cfg);

jit_ctx *jit_ctx_new(const jit_config *cfg, jit_error *err);  /* cfg NULL: defaults */
void jit_ctx_free(jit_ctx *ctx);        /* frees every module still alive */
jit_arch jit_ctx_arch(const jit_ctx *ctx);
/* jit_config.alias for the regions reserved from now on. */
void jit_ctx_set_alias(jit_ctx *ctx, bool on);

/* Make `name` resolve to `addr` for every later link (like JITBuilder::
 * symbol); takes precedence over dlsym.  Copies name. */
bool jit_define_symbol(jit_ctx *ctx, const char *name, const void *addr, jit_error *err);
/* A table of such names, not copied (it must outlive ctx): searched for a
 * name that neither a module nor jit_define_symbol defines, before dlsym,
 * the later table first.  Nothing is done per name until a link needs it,
 * so a hundred libcalls cost nothing at start-up.  At most 4 tables. */
typedef struct jit_host_sym { const char *name; const void *addr; } jit_host_sym;
bool jit_define_symbols(jit_ctx *ctx, const jit_host_sym *tab, size_t n, jit_error *err);
/* libm.so.6, opened (RTLD_GLOBAL) at the first call: a name dlsym does not
 * find is looked up there last, for a host that links libm from its archive
 * (clifrun on x86-64: the Makefile), which then has only the functions it
 * uses itself.  Call it before a sandbox that blocks openat when links are
 * to follow.  NULL if it cannot be opened. */
void *jit_host_libm(void);

/* ---- modules ------------------------------------------------------------------- */

jit_module *jit_module_new(jit_ctx *ctx, const char *name, jit_error *err);
const char *jit_module_name(const jit_module *m);
/* Copies everything it is given. */
bool jit_module_add_func(jit_module *m, const jit_func *f, jit_error *err);
bool jit_module_add_data(jit_module *m, const jit_data *d, jit_error *err);

/* Lay out, allocate, publish exported names, resolve every relocation
 * (this module, then other modules' exports, then jit_define_symbol, then
 * jit_define_symbols' tables, then dlsym(RTLD_DEFAULT), then libm.so.6), build
 * stubs and GOT.  On failure the module is
 * back to its unlinked state (add more, or link again later). */
bool jit_module_link(jit_module *m, jit_error *err);
/* The same for modules that refer to each other: all are placed and
 * published before any is resolved.  All or nothing. */
bool jit_link_group(jit_module *const *mods, size_t n, jit_error *err);
/* The code, stubs and GOT are copied into place and become read+execute,
 * read-only data read-only, icache is flushed; the module's trap table
 * becomes visible to jit_trap_lookup. */
bool jit_module_finalize(jit_module *m, jit_error *err);

/* Address of a function or data object of a finalized module (local ones
 * included); NULL if absent or not finalized. */
void *jit_module_lookup(const jit_module *m, const char *name);
/* An exported symbol of any finalized module. */
void *jit_lookup(const jit_ctx *ctx, const char *name, jit_module **owner);

/* Refused (false, with the name of a user) while another live module is
 * linked against this one; otherwise every page and table is released.
 * m is invalid after a true return. */
bool jit_module_free(jit_module *m, jit_error *err);
/* Modules that link against each other go together: refused only if a
 * module outside the set is linked against one of them. */
bool jit_free_group(jit_module *const *mods, size_t n, jit_error *err);

typedef struct jit_module_stats {
    uintptr_t base;         /* start of the allocation (text first) */
    size_t text_bytes, rodata_bytes, data_bytes;  /* page-rounded segments */
    size_t code_bytes;      /* function bytes incl. alignment padding */
    uint32_t relocs;
    uint32_t direct_calls;  /* call relocations that reached their target */
    uint32_t stub_calls;    /* call relocations routed through a stub */
    uint32_t stubs_used, got_used;
    uint32_t host_syms;     /* symbols resolved to host code or data (jit_define_symbol,
                             * dlsym), not to a JIT module: 0, the code reaches none */
    uint32_t dlsym_syms;    /* of those, the ones dlsym found (not the embedder's) */
    uint32_t module_syms;   /* symbols resolved to another module's definitions */
} jit_module_stats;
void jit_module_stats_get(const jit_module *m, jit_module_stats *st);

typedef struct jit_ctx_stats {
    size_t live_modules, regions;
    size_t reserved_bytes;  /* address space held */
    size_t committed_bytes; /* bytes given to modules (64-byte grain; pages
                             * for modules with data objects) */
    uint64_t modules_created;
} jit_ctx_stats;
void jit_ctx_stats_get(const jit_ctx *ctx, jit_ctx_stats *st);

/* ---- traps and addresses ------------------------------------------------------ */

typedef struct jit_trap_info {
    const jit_module *module;
    const char *module_name;
    const char *func_name;  /* NULL outside functions (stubs, padding) */
    uint32_t func_offset;   /* pc - function start */
    bool has_trap;          /* a trap record sits exactly at pc */
    uint32_t code;          /* its code */
} jit_trap_info;
/* Which finalized module/function/trap record `pc` belongs to: a binary
 * search over modules by address, then over functions and trap records.
 * False when pc is not in any module's code.  Async-signal-safe. */
bool jit_trap_lookup(const jit_ctx *ctx, uintptr_t pc, jit_trap_info *out);
/* Is pc in the code of a finalized module: its functions, the padding
 * between them or its stubs (not its data)?  One binary search over the
 * modules' address ranges, no locks, no allocation: async-signal-safe, for
 * a signal handler deciding whether an interrupt may end a call there. */
bool jit_pc_in_code(const jit_ctx *ctx, uintptr_t pc);
/* The code of every finalized module readable but not executable (false),
 * or back to read+execute (true): with it an interrupt that lands in host
 * code stops the call at the first JIT instruction host code returns to.
 * mprotect only (never writable): async-signal-safe. */
void jit_code_fence(const jit_ctx *ctx, bool executable);
/* The finalized module whose memory holds addr, or NULL (e.g. freed). */
jit_module *jit_module_at(const jit_ctx *ctx, const void *addr);

#endif
