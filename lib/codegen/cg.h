/* lib/codegen internal interface, shared with lib/isa/<arch>.
 *
 * A function goes through four steps, each linear in its size:
 *
 *   isa->lower      IR -> VCode: machine instructions on virtual registers,
 *                   per block, each with an operand list (use/def, fixed
 *                   register, reuse-input constraints) the allocator reads
 *   cg_regalloc     an allocation per operand + edits (moves, spills,
 *                   reloads, block-argument copies) between instructions
 *   cg_frame_layout stack slots, spill slots, outgoing argument area
 *   isa->emit       bytes into a cg_buf: labels, fixups, constant pool,
 *                   trap islands, relocations, trap records
 *
 * Lowering never sees physical allocation and the allocator never sees
 * target opcodes: it reads only operands, block parameters, branch
 * arguments and clobber sets, as regalloc2 does in Cranelift.  So a better
 * allocator replaces regalloc.c without touching any lowering. */
#ifndef CLIFRUN_CG_H
#define CLIFRUN_CG_H

#include "codegen.h"

#include <string.h>

/* ---- registers -------------------------------------------------------------
 * A register number below CG_VREG0 is a physical register (preg) of the
 * target; from CG_VREG0 on it is a virtual register (vreg). */
#define CG_VREG0 64u
#define CG_NONE UINT32_MAX
enum { CG_CLS_INT, CG_CLS_FLOAT, CG_NCLS };

/* An allocation: a preg, or spill slot n as CG_ALLOC_SLOT | n. */
#define CG_ALLOC_SLOT 0x80000000u
#define cg_alloc_is_slot(a) (((a) & CG_ALLOC_SLOT) != 0)
#define cg_alloc_slot(a) ((a) & ~CG_ALLOC_SLOT)

enum {                  /* cg_operand.kind */
    CG_USE,             /* read at the start of the instruction */
    CG_DEF,             /* written at its end (may share a register with a use) */
    CG_EARLY_DEF,       /* written before all uses are read: a temporary */
};
enum {                  /* cg_operand.cons */
    CG_ANY,             /* any register of the class */
    CG_FIXED,           /* exactly preg `fix` */
    CG_REUSE,           /* a def in the register of use operand `fix` (two-address) */
};
typedef struct cg_operand {
    uint32_t reg;       /* vreg, or a preg the allocator never hands out (rsp) */
    uint8_t kind, cons, fix, cls;
} cg_operand;

/* ---- VCode ------------------------------------------------------------------ */

typedef struct cg_inst {
    uint16_t op;        /* target opcode */
    uint8_t size;       /* operand size in bytes */
    uint8_t cc;         /* condition code or sub-operation (target meaning) */
    uint8_t nopnd;      /* operands at f->opnds[opnd ..] */
    uint8_t amode;      /* addressing mode of the memory operand, if any */
    uint8_t scale;      /* log2 index scale */
    uint8_t clob;       /* clobber set (index into isa->clobbers), 0 = none */
    uint32_t opnd;
    int32_t disp;       /* memory displacement */
    uint32_t aux;       /* label, symbol, stack slot, constant, trap code */
    int64_t imm;
    uint32_t ir;        /* IR instruction lowered, CG_NONE if synthetic */
} cg_inst;

typedef struct cg_block {
    uint32_t label;         /* its label in the code buffer */
    uint32_t first, end;    /* instructions [first, end); the last is the terminator */
    uint32_t params, nparams;   /* vregs in f->vlist */
    uint32_t succs, nsuccs;     /* successor labels in f->vlist */
    /* Block arguments: only a block with one successor passes any (lowering
     * splits other edges), as copies args -> that successor's params done
     * before the terminator. */
    uint32_t args, nargs;       /* vregs in f->vlist */
} cg_block;

typedef struct cg_edit {    /* a move inserted by the allocator */
    uint32_t pos;           /* 2*inst before it, 2*inst+1 after it */
    uint32_t from, to;      /* allocations */
    uint8_t cls;
} cg_edit;

typedef struct cg_const {   /* constant pool entry */
    uint32_t off, size, align;  /* bytes in f->cbytes */
    uint32_t label;
} cg_const;

typedef struct cg_func {
    IR_VEC(cg_block) blocks;    /* emission order */
    IR_VEC(cg_inst) insts;
    IR_VEC(cg_operand) opnds;
    IR_VEC(uint32_t) vlist;     /* block params, args, successor labels, tables */
    IR_VEC(uint8_t) vcls;       /* class of vreg CG_VREG0 + i */
    IR_VEC(const char *) syms;  /* symbols referred to by calls (in out->names) */
    IR_VEC(uint32_t) sym_decl;  /* per symbol: line, col of its declaration (0, 0: none) */
    IR_VEC(cg_const) consts;
    IR_VEC(uint8_t) cbytes;
    uint32_t nlabels;
    uint32_t outgoing;          /* bytes of outgoing call arguments at the SP */
    uint32_t arg_grow;          /* bytes the prologue adds to the incoming argument area */
    uint64_t reserved;          /* pregs the allocator must leave alone in this function */
    uint64_t saved_extra;       /* pregs callee-saved in this function's convention besides
                                   isa->callee_saved */
    uint64_t call_dirty;        /* pregs its calls may write, by each callee's convention
                                   (libcalls too): saved where its own keeps them */
    uint32_t cur;               /* block being filled */
    uint32_t cur_ir;            /* IR instruction being lowered */
    /* filled by the allocator */
    IR_VEC(uint32_t) allocs;    /* one per operand */
    IR_VEC(cg_edit) edits;      /* sorted by pos */
    uint32_t nspill;            /* spill slots, 8 bytes each (16 if wide_spill) */
    bool wide_spill;            /* vector values (cg_vec_function): 16-byte slots */
    uint64_t dirty;             /* pregs written */
} cg_func;

/* ---- frame layout ----------------------------------------------------------
 * SP-relative, from the bottom: outgoing arguments, stack slots, spill
 * slots; then (target-defined) saved registers and the frame pointer.
 * The whole frame is at most CG_FRAME_MAX bytes (Cranelift's
 * maximum_frame_size), so every offset in it fits 32 signed bits; a stack
 * argument area at most CG_STACK_ARGS_MAX (its STACK_ARG_RET_SIZE_LIMIT). */
#define CG_FRAME_MAX (1u << 30)
#define CG_STACK_ARGS_MAX (128u << 20)
/* Stack probes (Cranelift's probestack_strategy=inline): a prologue that
 * moves sp down by CG_PROBE_STEP bytes or more first touches each
 * CG_PROBE_STEP bytes of the new area from the top down, so no frame jumps a
 * guard page; done whatever enable_probestack says (README).  The step is
 * 2^probestack_size_log2 when that is smaller (but at least 16: sp stays
 * aligned).  The probes' stores are stk_ovf trap sites. */
#define CG_PROBE_STEP 4096u
unsigned cg_probe_step(const cg_target *t);
typedef struct cg_frame {
    IR_VEC(uint32_t) slot_off;  /* of each IR stack slot, from SP */
    uint32_t spill_off;         /* of spill slot 0, from SP */
    uint32_t size;              /* outgoing + slots + spills, before target rounding */
    uint32_t align;             /* of sp in the body: 16, or the largest slot alignment
                                   past it (then the prologue realigns sp, and whatever
                                   restores sp finds it from the frame pointer) */
    uint64_t saved;             /* callee-saved pregs to save */
} cg_frame;

/* ---- code buffer ----------------------------------------------------------- */

/* Fixup kinds: the one every target shares, then from CG_FIX_ISA on the
 * target's own label uses (cg_isa.fix_patch, Cranelift's MachInstLabelUse). */
enum {
    CG_FIX_DIFF32,          /* int32 at `at` = label - addend (addend: a buffer offset) */
    CG_FIX_ISA,
};
typedef struct cg_fixup { uint32_t at, label; uint8_t kind; int32_t addend; } cg_fixup;
/* The short form of a branch emitted long (cg_isa.fix_short), in the
 * offsets of the long form: it drops bytes [rm, rm+len), its displacement
 * is then the field at `at`, measured from `end`, within [min, max]. */
typedef struct cg_fix_short { uint32_t rm, len, at, end; int32_t min, max; } cg_fix_short;

typedef struct cg_buf {
    cg_output *out;             /* bytes go to out->code */
    IR_VEC(uint32_t) labels;    /* offset of each label, CG_NONE until bound */
    IR_VEC(cg_fixup) fixups;
    uint32_t island[IR_TRAP_USER + 256];    /* trap island label per code, if in island_used */
    uint64_t island_used[(IR_TRAP_USER + 256 + 63) / 64];
    bool out_of_range;          /* cg_buf_finish found a branch too far: emit long forms */
    bool listing;               /* cg_target.listing: record out->marks and out->data */
    uint32_t mark_ir;           /* IR instruction of the last mark (out->marks) */
} cg_buf;

/* ---- a compilation ----------------------------------------------------------- */

/* ---- the ABI engine (abi.c) ------------------------------------------------
 * Cranelift's machinst/abi.rs: one engine for every target, which gives
 * only where each parameter and return value lives (cg_isa.compute_locs).
 * Everything else — incoming arguments, returns, calls, tail calls, the
 * try_call's call and libcalls — is here. */
#define CG_STACK 0xff       /* cg_loc.reg: the part is in the argument area */

typedef struct cg_loc {
    ir_type type;
    uint8_t ext;            /* IR_EXT_* */
    uint8_t nparts;         /* 2 for i128: low half first */
    uint8_t reg[2];         /* preg of each part, or CG_STACK */
    uint8_t size;           /* bytes of a one-part stack slot (8, or natural when packed) */
    uint32_t off[2];        /* offset of each stack part in the argument (return) area */
    uint32_t sarg;          /* bytes of a struct argument copied to off[0], 0 if none */
} cg_loc;

typedef struct cg_sig {
    uint32_t args, nargs, rets, nrets;  /* ranges of cg_abi.locs */
    bool ret_ptr;           /* a hidden argument points at the return area */
    uint8_t ret_ptr_reg;    /* the register that holds it */
    uint32_t stack_args;    /* bytes, 16-aligned */
    uint32_t stack_rets;
    uint32_t callee_pop;    /* tail: bytes of stack arguments the callee pops */
    ir_callconv cc;
} cg_sig;

typedef struct cg_abi {
    IR_VEC(cg_loc) locs;
    IR_VEC(uint32_t) pairs;     /* scratch for call lowering */
    IR_VEC(uint32_t) vals;      /* scratch: argument and result vregs of a call */
    uint32_t ret_ptr;           /* vreg holding the return area pointer */
    cg_sig self;
    uint32_t tail_area;         /* incoming stack argument area, grown for return_call */
    uint32_t last_call;         /* index of the call instruction emitted last */
} cg_abi;

/* For cg_isa.compute_locs (locs.c), per pass over returns or parameters:
 * its first location; a struct argument of `size` bytes at 8-aligned
 * `stack` (returns the stack past it); the end, stack rounded to 16
 * (tail: the callee pops the arguments). */
void cg_locs_begin(cg_abi *a, cg_sig *out, bool rets);
uint64_t cg_loc_sarg(cg_loc *l, uint64_t stack, uint32_t size);
void cg_locs_end(cg_sig *out, bool rets, uint32_t n, uint64_t stack, bool tail);

/* Where an ABI load or store goes (cg_mem, cg_lea). */
enum { CG_AREA_BASE,        /* [base + disp] */
       CG_AREA_IN,          /* the caller's stack arguments, disp from the first */
       CG_AREA_OUT,         /* this function's outgoing area at the SP */
       CG_AREA_SLOT };      /* stack slot aux + disp (lowering's own, not cg_mem's) */

typedef struct cg_isa cg_isa;
typedef struct cg_lower cg_lower;
typedef struct cg_access {  /* a load or store, as the driver hands it to the target */
    ir_type type;           /* of the value loaded or stored (a type cg_type_ok takes) */
    unsigned width;         /* bytes in memory */
    bool sign;              /* a load that sign-extends */
    uint32_t value;         /* IR value: the load's result, the value stored */
    uint32_t addr;          /* IR value: the address, off added */
    int64_t off;
    ir_memflags mf;
} cg_access;
typedef struct cg_ctx {
    const cg_isa *isa;
    const cg_target *target;
    const ir_file *file;
    const ir_function *fn;
    cg_output *out;
    ir_diag *d;
    cg_func f;
    cg_frame frame;
    IR_VEC(uint32_t) vreg_of;   /* IR value -> first vreg, CG_NONE before use (and for
                                   a constant: cg_named_vreg) */
    IR_VEC(uint32_t) uses;      /* IR value -> number of uses (counted by cg_lower_function) */
    cg_abi *abi;                /* the function's ABI state while lowering */
    bool noalias;               /* while lowering: no value of fn is an alias */
    /* one pass over fn's values (compile): which per-instruction checks can find anything */
    uint32_t vtypes;            /* every value's type ORed (a vector's lanes set bits 4..8) */
    uint32_t vscalars;          /* bit t: a value of scalar type t (< 16) */
    bool valias;                /* a value is an alias */
    cg_buf buf;                 /* last: compile() zeroes what is before it, cg_buf_init the
                                   rest of what is read (not its 1 KiB of trap islands) */
} cg_ctx;

typedef struct cg_preset { const char *name; uint64_t isa; } cg_preset;
/* VCode listings (vcprint.c, `clifrun compile --vcode`): a back end's
 * x64inst.def (a64inst.def) gives each machine opcode its mnemonic and operand layout.
 *   name    the mnemonic; %c stands for the name of the instruction's cc,
 *           %a of its aux, %i of its imm, in the tables the layout names
 *   layout  words, printed in order after the mnemonic:
 *     [d u m t *]  the operands: d def, u use, t temp (early def), m the
 *              memory operand (its registers by amode, cg_isa.amodes),
 *              * any number, x? an operand that may be absent; each
 *              printed as its allocation (the listing says so where the
 *              operands differ from it)
 *     size     a suffix .BITS on the mnemonic (size bytes * 8; none if 0)
 *     F:T      field F (cc, aux, imm, disp, scale) as a name of table T
 *              (cg_isa.names, or label, sym, const, slot, trap, jt, hex,
 *              storei), F alone as #value, F=W as W=value */
typedef struct cg_inst_info { const char *name, *layout; } cg_inst_info;
typedef struct cg_names {
    const char *name;
    const char *const *v;       /* the name of each value, NULL: none (printed as a number) */
    unsigned n;
    bool lower;                 /* print in lower case (names made from C identifiers) */
    const uint64_t *keys;       /* if set, v[i] names the value x with x & mask == keys[i] */
    uint64_t mask;
} cg_names;
/* i128 as a pair of vregs, low half first: lower128.c lowers what is
 * alike on every target through these (each returning a condition code
 * returns the target's, whose negation is cc ^ 1 on every target).
 *   atomic     an i128 atomic instruction
 *   mul        pair d = pair x * pair y
 *   bmask      d = 64 bits of bmask of x, of type `from` (a pair for i128)
 *   shift_imm  pair dst = pair x ishl/ushr/sshr k (0..127); NULL: the
 *              constant in a register, through shift
 *   int_op     dst = x op y on `size` bytes, op an IR opcode: bnot ineg
 *              bswap bitrev (y unused); iadd band bor bxor band_not (y a
 *              vreg); sshr_imm (y the amount); iconst (dst = y)
 *   bitcount   dst = clz, ctz or popcnt (op) of the low `bits` of x
 *   cmp_zero   flags of 64-bit r against 0: the condition r cond 0 (eq, slt)
 *   select64   dst = cc ? if_cc : if_not, 64 bits
 *   setcc      dst = cc ? 1 : 0
 *   neg        pair dst = -pair x
 *   addsub     pair d = pair x + or - pair y for op iadd, isub or an
 *              add/sub overflow opcode (cin: its carry vreg, else CG_NONE):
 *              the condition "that op overflowed"
 *   shift      pair dst = pair x ishl/ushr/sshr vreg n (its bits 0-6)
 *   icmp       flags of pair x cond pair y, cond eq ne slt sge ult uge
 *   test       flags of pair r: the condition r != 0
 *   sdiv_ovf   flags of pairs x == INT128_MIN and y == -1: the condition both
 *   op_fcmp    the scalar float compare: size [use x, use y]; fcmp_cc[cond]
 *              the condition x cond y after it, cond uno ge lt le (NaN
 *              already excluded but for uno)
 *   fconst     float bits of type t in a new vreg
 *   trapif     trap `code` if condition cc holds */
typedef struct cg_isa_i128 {
    bool (*atomic)(cg_ctx *c, uint32_t inst);
    void (*mul)(cg_ctx *c, uint32_t x, uint32_t y, uint32_t d);
    void (*bmask)(cg_ctx *c, ir_type from, uint32_t x, uint32_t d);
    void (*shift_imm)(cg_ctx *c, unsigned op, uint32_t x, unsigned k, uint32_t dst);
    void (*int_op)(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t x, int64_t y);
    void (*bitcount)(cg_ctx *c, unsigned op, unsigned bits, uint32_t x, uint32_t dst);
    unsigned (*cmp_zero)(cg_ctx *c, ir_intcc cond, uint32_t r);
    void (*select64)(cg_ctx *c, unsigned cc, uint32_t dst, uint32_t if_cc, uint32_t if_not);
    void (*setcc)(cg_ctx *c, unsigned cc, uint32_t dst);
    void (*neg)(cg_ctx *c, uint32_t x, uint32_t dst);
    unsigned (*addsub)(cg_ctx *c, unsigned op, uint32_t x, uint32_t y, uint32_t cin, uint32_t d);
    void (*shift)(cg_ctx *c, unsigned op, uint32_t x, uint32_t n, uint32_t dst);
    unsigned (*icmp)(cg_ctx *c, ir_intcc cond, uint32_t x, uint32_t y);
    unsigned (*test)(cg_ctx *c, uint32_t r);
    unsigned (*sdiv_ovf)(cg_ctx *c, uint32_t x, uint32_t y);
    uint16_t op_fcmp;
    const uint8_t *fcmp_cc;
    uint32_t (*fconst)(cg_ctx *c, ir_type t, uint64_t bits);
    void (*trapif)(cg_ctx *c, unsigned cc, unsigned code);
} cg_isa_i128;

struct cg_isa {
    const char *name;           /* "x86_64": in "unsupported on x86_64: ..." */
    jit_arch arch;
    /* Target lines and the host (cg_target_from_file, cg_host_isa). */
    uint64_t (*host_features)(void);    /* CG_ISA_* bits of the CPU; called only on
                                           a host of this arch */
    const cg_preset *presets;   /* CPU names a target line may give and the flags each
                                   implies (x86_64's x86-64-v3); a NULL name ends it */
    /* One of the target's own words that is no has_* flag nor preset
     * (aarch64's sign_return_address): false if it is not one. */
    bool (*target_flag)(cg_target *t, const char *name, bool on);
    const uint8_t *alloc_order[CG_NCLS];    /* pregs the allocator may use */
    uint8_t nalloc[CG_NCLS];
    uint64_t callee_saved;
    uint64_t save16;            /* pregs a prologue saves in 16 bytes, 16-aligned (x86-64's
                                   xmm); the others take 8 */
    const uint64_t *clobbers;   /* clobber sets, [0] = none */
    /* Lowering (lower.c drives it): before the first block, e.g. marking
     * what is lowered at its use (false with a diagnostic); an instruction
     * that is neither control flow nor a call; brif's conditional branch
     * to labels lt (true) and lf. */
    bool (*prepare)(cg_lower *L);
    /* Whether condition `def` (an icmp, fcmp or band with a constant, `how`
     * a CG_FUSED_* code) of instruction `user`, its only use, becomes flags
     * set at that use. */
    bool (*fuse_cond)(const cg_lower *L, uint32_t user, uint32_t def, unsigned how);
    /* The target's own cases first (what it fused, vectors, i128 ...):
     * CG_DONE, CG_FAILED (with a diagnostic), or CG_BY_FAMILY for the driver
     * to hand the instruction to the hook of its family below. */
    int (*lower_inst)(cg_lower *L, uint32_t inst);
    /* The opcodes lower_inst has cases for, NULL: any; for the others it is
     * called only if the instruction is fused as CG_FUSED_MEMOP (else they
     * go by family straight away: most instructions). */
    const bool *lower_inst_ops;
    /* Before lower_inst: an instruction with a vector operand or result
     * (but load, store and select); one with an i128 operand or result goes
     * to lower128.c (cg_lower_i128, through the i128 table below). */
    bool (*lower_vector)(cg_lower *L, uint32_t inst);
    bool (*vec_type)(ir_type t);    /* a vector type the target lowers */
    void (*branch)(cg_lower *L, uint32_t inst, uint32_t lt, uint32_t lf);
    bool (*lower_float)(cg_ctx *c, uint32_t inst, ir_type t);  /* fadd .. fma, float bit ops */
    bool (*lower_conv)(cg_ctx *c, uint32_t inst);             /* fpromote .. bitcast */
    /* f16 and f128 (softfp.c does what these do not claim; NULL: nothing):
     * whether f16 arithmetic and fcmp reach lower_float / lower_inst for
     * target t, and whether fpromote/fdemote inst has an instruction. */
    bool (*f16_arith)(const cg_target *t);
    bool (*native_fconv)(const cg_ctx *c, uint32_t inst);
    bool (*lower_load)(cg_lower *L, uint32_t inst, const cg_access *m);  /* load, uload8 .. sload32 */
    bool (*lower_store)(cg_lower *L, uint32_t inst, const cg_access *m); /* store, istore8 .. istore32 */
    bool (*lower_atomic)(cg_ctx *c, uint32_t inst, ir_type t);  /* t: I8 .. I64 */
    bool (*lower_int)(cg_lower *L, uint32_t inst, ir_type t); /* the other scalar integer ops */
    bool (*emit)(cg_ctx *c);
    const char *const *reg_names;   /* of each preg, nregs of them (cg_reg_name) */
    uint8_t nregs;
    /* VCode listings (vcprint.c): per machine opcode its row of x64inst.def (a64inst.def);
     * the name tables its layouts refer to (a NULL name ends them); per
     * amode the memory operand's format: %b base, %i index registers, %s
     * the scale's 1 << n, %S the scale, %d +disp (none if 0), %a aux, %x aux's index
     * extension (A64_AM_INDEX) */
    const cg_inst_info *insts;
    uint16_t ninsts;
    const cg_names *names;
    const char *const *amodes;
    uint8_t namodes;
    uint32_t (*put_in_reg)(cg_ctx *c, uint32_t value);      /* an IR value's vreg(s) */
    uint32_t (*movi)(cg_ctx *c, unsigned size, int64_t imm); /* a constant in a new vreg */

    /* The ABI: locations of parameters and returns, appended to a->locs
     * (returns first: they decide a hidden return-area argument); false
     * with `what` ("sarg parameter") if the target cannot pass them. */
    bool (*compute_locs)(cg_abi *a, ir_callconv cc, const ir_abi_param *params, uint32_t nparams,
                         const ir_abi_param *rets, uint32_t nrets, cg_sig *out, char *what, size_t wn);
    /* The clobber set of a call from this function (a target may widen it
     * for a function that holds values the convention preserves only in
     * part, as AArch64 for 128-bit vectors). */
    unsigned (*call_clobbers)(const cg_ctx *c, ir_callconv cc);
    uint8_t clob_all;           /* clobber set of everything (try_call) */
    uint8_t clob_call_wide;     /* a call's clobber set in a function with 128-bit float
                                   values (wide_spill), when the convention saves only
                                   part of some registers (AAPCS64: d8-d15); 0: the same */
    uint8_t callee_reg_all;     /* an indirect callee's register when everything is clobbered */
    uint8_t callee_reg_tail;    /* an indirect return_call's target register */
    uint8_t exn_regs[2];        /* a handler's payload registers */
    /* The exception table after a try_call's return address ret, or NULL:
     * 32-bit words: the target's magic, fp - sp before realignment, the
     * handler count, the alignment of sp, then per handler its kind
     * (IR_EXN_*), tag and offset from ret (cg_exn_handler reads them). */
    const uint8_t *(*exn_table_at)(const uint8_t *ret);
    /* Pseudo-instructions every target has, with one operand layout:
     *   args     [def fixed ...]: incoming register arguments
     *   ret      [use fixed ...]: return values; imm bytes the callee pops
     *   call     aux symbol  [use fixed args.., def fixed rets..]; clob, imm
     *            bytes the callee pops (re-reserved after the call); cc 1: a
     *            try_call, its handlers at
     *            f->vlist[disp]: n, then (kind, tag, label) each
     *   callind  [use callee, use fixed args.., def fixed rets..]
     *   retcall  aux symbol, or cc 1: callee in callee_reg_tail  [use fixed
     *            args..]; disp bytes of stack arguments (in the outgoing
     *            area), imm the tail argument area: moves them there, tears
     *            down the frame and jumps
     *   jump     aux label;  trap  aux trap code
     *   jumptable  [use index, temp, temp] aux f->vlist of labels (default
     *            first), imm their count */
    uint16_t op_args, op_ret, op_call, op_callind, op_retcall, op_jump, op_trap, op_jumptable;
    /* Memory forms, also alike everywhere:
     *   load, fload    cc ld_zx (zero-extend), size  [def, mem] imm trap
     *   store, fstore  size  [use, mem] imm trap
     *   lea  [def, mem];  gotload  aux symbol  [def]: its address, through the GOT
     * with the memory operand in addressing mode am[CG_AREA_*] (BASE: one
     * operand, the base; IN, OUT: none).  f* for the float register class. */
    uint16_t op_load, op_store, op_fload, op_fstore, op_lea, op_gotload;
    uint8_t ld_zx, am[4];
    /*   fence  a full barrier */
    uint16_t op_fence;
    uint8_t fp_reg;             /* the frame pointer */
    /* Label uses (Cranelift's MachInstLabelUse), for fixup kinds from
     * CG_FIX_ISA on: fix_patch writes delta = label + addend - at into the
     * instruction at `at` (false: out of range; the buffer then sets
     * out_of_range, and the target may emit again with long forms).
     * fix_short: may the branch shrink (NULL: no kind does), and how;
     * fix_shorten rewrites one that did (its field now at x->at, the code
     * compacted) and sets x->kind, x->addend to the short form's. */
    bool (*fix_patch)(uint8_t *code, uint32_t at, unsigned kind, int64_t delta);
    bool (*fix_short)(const cg_fixup *x, cg_fix_short *s);
    void (*fix_shorten)(uint8_t *code, cg_fixup *x);
    /* Sequentially consistent atomic_load and atomic_store of an integer,
     * in the load and store layout above at [base]; op_fence after the
     * store if seqcst_store_fence (x86-64's mov is only a release). */
    uint16_t op_atomic_load, op_atomic_store;
    bool seqcst_store_fence;
    /* Machine primitives the shared lowering emits through. */
    void (*add_imm)(cg_ctx *c, uint32_t dst, uint32_t src, int64_t imm);    /* 64 bits */
    /* dst = the low `bits` of r zero- or sign-extended to `to` bytes (4 or 8). */
    void (*extend_into)(cg_ctx *c, uint32_t dst, uint32_t r, unsigned bits, unsigned to, bool sign);
    void (*mov64)(cg_ctx *c, uint32_t dst, uint32_t src);                  /* integer */
    const struct cg_isa_i128 *i128;     /* i128 values (lower128.c) */
};

/* ---- building VCode (vcode.c) ------------------------------------------------ */

void cg_func_init(cg_func *f);
void cg_func_free(cg_func *f);
const char *cg_reg_name(const cg_isa *isa, unsigned preg);     /* "?" if none */
/* Start a block; lowering appends instructions to it.  Returns its index. */
uint32_t cg_block_begin(cg_func *f, uint32_t label);
void cg_block_end(cg_func *f);
uint32_t cg_new_vreg(cg_func *f, unsigned cls);
static inline uint32_t cg_new_label(cg_func *f) { return f->nlabels++; }
/* Append an instruction with room for n operands; fill them with cg_use etc. */
cg_inst *cg_emit_inst(cg_func *f, unsigned op, unsigned n);
/* The same, and an operand (kind CG_USE.., cons CG_ANY..), inline: for a
 * target's few emitters that most instructions go through; elsewhere the
 * calls keep the code small (its pages are faults at a small file's start). */
static inline cg_inst *cg_emit_inst_inline(cg_func *f, unsigned op, unsigned n)
{
    ir_vec_reserve(&f->opnds, n);
    ir_vec_reserve(&f->insts, 1);
    cg_inst *i = &f->insts.v[f->insts.n++];
    *i = (cg_inst){.op = (uint16_t)op, .opnd = f->opnds.n, .ir = f->cur_ir};
    return i;
}
/* Operand reg of the instruction being built, with its register class. */
static inline cg_operand cg_operand_of(const cg_func *f, uint32_t reg, unsigned kind, unsigned cons, unsigned fix)
{
    unsigned cls = reg >= CG_VREG0 ? f->vcls.v[reg - CG_VREG0] : CG_CLS_INT;
    return (cg_operand){reg, (uint8_t)kind, (uint8_t)cons, (uint8_t)fix, (uint8_t)cls};
}
static inline void cg_op_inline(cg_func *f, uint32_t reg, unsigned kind, unsigned cons, unsigned fix)
{
    ir_vec_push(&f->opnds, cg_operand_of(f, reg, kind, cons, fix));
    f->insts.v[f->insts.n - 1].nopnd++;
}
/* An instruction of exactly n operands, set by cg_op_at: room made and
 * counted once (for a target's most common emitters). */
static inline cg_inst *cg_emit_inst_n(cg_func *f, unsigned op, unsigned n)
{
    cg_inst *i = cg_emit_inst_inline(f, op, n);
    i->nopnd = (uint8_t)n;
    f->opnds.n += n;
    return i;
}
static inline void cg_op_at(cg_func *f, const cg_inst *i, unsigned k, uint32_t reg, unsigned kind, unsigned cons,
                            unsigned fix)
{
    f->opnds.v[i->opnd + k] = cg_operand_of(f, reg, kind, cons, fix);
}
/* The n operands of instruction i at once (made by cg_operand_of). */
static inline void cg_set_ops(cg_func *f, const cg_inst *i, const cg_operand *o, unsigned n)
{
    memcpy(&f->opnds.v[i->opnd], o, n * sizeof *o);
}
static inline uint32_t cg_new_vreg_inline(cg_func *f, unsigned cls)
{
    ir_vec_push(&f->vcls, (uint8_t)cls);
    return CG_VREG0 + f->vcls.n - 1;
}
void cg_op_use(cg_func *f, uint32_t reg);
void cg_op_use_fixed(cg_func *f, uint32_t reg, unsigned preg);
void cg_op_def(cg_func *f, uint32_t reg);
void cg_op_def_fixed(cg_func *f, uint32_t reg, unsigned preg);
void cg_op_def_reuse(cg_func *f, uint32_t reg, unsigned use_index);
void cg_op_temp(cg_func *f, uint32_t reg);  /* early def */
void cg_op_temp_fixed(cg_func *f, uint32_t reg, unsigned preg);
/* Add a constant to the pool; returns its index (deduplicated). */
uint32_t cg_const_add(cg_func *f, const void *bytes, uint32_t size, uint32_t align);
uint32_t cg_sym_add(cg_ctx *c, const char *name);
/* Number of the vreg of an IR value (allocated on first use by its type;
 * inline below: lowering asks it of nearly every operand).  Never asked of
 * a constant (cg_named_vreg). */
static inline uint32_t cg_value_vreg(cg_ctx *c, uint32_t v);
uint32_t cg_value_vreg_new(cg_ctx *c, uint32_t v);
unsigned cg_type_cls(ir_type t);
/* "unsupported on <isa>: <opcode>.<type>" at the instruction (inst CG_NONE:
 * `what` at the function, for its signature). */
bool cg_unsupported(cg_ctx *c, uint32_t inst, const char *what);
/* The symbol an external name links to: a function of the file by its
 * cg_symbol_name, a libcall by its C name, else the name itself. */
const char *cg_extname_symbol(cg_ctx *c, const ir_extname *n, char *buf, size_t size);
/* The arguments of block call bc (fn->pool offset) become the current
 * block's outgoing block arguments: values, try_call results retN (vregs in
 * rets) and exception payloads exnN (nexn vregs in exn; zero where there
 * are none, as on the normal-return edge).  i128 takes a vreg pair. */
void cg_edge_args(cg_ctx *c, uint32_t bc, const ir_signature *sig, const uint32_t *rets,
                  const uint32_t *exn, unsigned nexn);
/* cg_sym_add of that symbol, remembering where the name is declared: a link
 * error about it points there. */
uint32_t cg_sym_extname(cg_ctx *c, const ir_extname *n);

/* ---- the lowering driver (lower.c) ---------------------------------------------- */

enum {                      /* cg_lower.fused: how an IR instruction is lowered at its use */
    CG_FUSED_NONE,          /* on its own */
    CG_FUSED_ICMP,          /* an icmp: the compare at its brif, select, trapz or trapnz */
    CG_FUSED_ADDR,          /* folded into the address of a load or store */
    CG_FUSED_TEST,          /* a band with a constant: a bit test at its use */
    CG_FUSED_LOAD,          /* a load sunk into the operation that uses it */
    CG_FUSED_MEMOP,         /* that operation: op reg, [mem] (cg_isa.lower_inst lowers it) */
    CG_FUSED_FCMP,          /* an fcmp: the compare at its use */
    CG_FUSED_OPERAND,       /* a shifted or inverted operand, a multiply-add's product, a
                               widening: part of its user's instruction */
};
struct cg_lower {           /* the state of lowering one function */
    cg_ctx *c;
    cg_abi *abi;
    uint8_t *fused;         /* per IR instruction: CG_FUSED_* */
    uint32_t pending[2];    /* edge labels to create after a branch */
    uint32_t pend_bc[2], npending;
    uint32_t *vals;         /* scratch: returned values */
    bool vec;               /* a vector value somewhere (else no instruction is one) */
    bool f16_f128;          /* an f16 or f128 value somewhere (else no softfp libcall) */
    bool i128;              /* an i128 value somewhere (else no operand is one) */
    bool plain;             /* none of the three, and the target says which instructions its
                               lower_inst takes (cg_isa.lower_inst_ops): integer operations
                               go straight to lower_int */
    unsigned has;           /* CG_HAS_*: kinds of instruction in a block, for passes
                               that look only at those */
};
enum { CG_HAS_MEM = 4, CG_HAS_TAIL = 8 };    /* loads and stores; return_call(_indirect) */
enum { CG_FAILED, CG_DONE, CG_BY_FAMILY };   /* cg_isa.lower_inst */
/* IR -> VCode for c->fn (cg_isa's lowering hooks do the target's part). */
bool cg_lower_function(cg_ctx *c);
/* Is t a type the target holds in registers: i8..i128, a float, or a
 * vector of cg_isa.vec_type? */
bool cg_type_ok(const cg_isa *isa, ir_type t);
/* The controlling type of inst: its suffix or first result's type. */
static inline ir_type cg_ctrl_type(const cg_ctx *c, uint32_t inst);
/* i128 loads and stores, ireduce, uextend, bitcast, iconcat and isplit:
 * register-pair moves alike on every target (a target's i128 lowering
 * calls this first).  CG_BY_FAMILY for anything else. */
int cg_lower_i128_moves(cg_ctx *c, uint32_t inst);
/* i128 (lower128.c): an instruction with an i128 result or operand, the
 * moves above first, then the rest through the target's cg_isa.i128; an
 * icmp's flags (the condition to test); a new vreg pair. */
bool cg_lower_i128(cg_ctx *c, uint32_t inst);
unsigned cg_icmp_i128(cg_ctx *c, uint32_t inst);
uint32_t cg_new_pair(cg_ctx *c);
/* Is op one of the *add_overflow* / *sub_overflow* family (with or without
 * carry in)?  Then whether it adds and whether it is signed. */
bool cg_overflow_op(unsigned op, bool *add, bool *sign);
/* Bytes a load or store of inst moves and whether a load sign-extends. */
unsigned cg_mem_width(const cg_ctx *c, uint32_t inst, bool *sign);
/* Is v an iconst?  *out its value, sign-extended from its type (inline
 * below). */
static inline bool cg_iconst_of(const cg_ctx *c, uint32_t v, int64_t *out);
/* A target's condition code (intcc: its code per ir_intcc) for the same
 * comparison with the operands swapped (a < b  <=>  b > a). */
unsigned cg_cc_swap(const uint8_t intcc[IR_INTCC_COUNT], unsigned cc);
/* The instruction defining v, IR_NONE for a block parameter (inline below). */
static inline uint32_t cg_def_of(const cg_ctx *c, uint32_t v);
/* ir_value_resolve inline: lowering asks it of every operand, often twice */
/* i8..i64 (not i128, floats or vectors) */
static inline bool cg_is_int(ir_type t) { return t >= IR_I8 && t <= IR_I64; }
/* the register width of an integer result: narrow ones live in 32 bits */
static inline unsigned cg_opsize(ir_type t) { return t == IR_I64 ? 8 : 4; }

static inline uint32_t cg_resolve(const ir_function *f, uint32_t v)
{
    while (v < f->values.n && f->values.v[v].kind == IR_VAL_ALIAS)
        v = f->values.v[v].def;
    return v;
}

/* cg_resolve, for nothing where lowering has found no alias: it asks
 * this of every operand, several times */
static inline uint32_t cg_ctx_resolve(const cg_ctx *c, uint32_t v) { return c->noalias ? v : cg_resolve(c->fn, v); }

/* cg_value_vreg and cg_def_of of a value already through cg_resolve:
 * put_in_reg asks both of every operand */
static inline uint32_t cg_resolved_vreg(cg_ctx *c, uint32_t v)
{
    uint32_t r = c->vreg_of.v[v];
    return r != CG_NONE ? r : cg_value_vreg_new(c, v);
}

/* The constants iconst, f16const .. f128const never get a vreg of their
 * own: each use puts one in a new vreg (cg_isa.put_in_reg).  So a value
 * with a vreg is no constant, and cg_named_vreg (v's vreg, CG_NONE if it
 * has none yet) is what put_in_reg and its callers look at first. */
_Static_assert(IR_OP_f16const == IR_OP_iconst + 1 && IR_OP_f32const == IR_OP_iconst + 2 &&
               IR_OP_f64const == IR_OP_iconst + 3 && IR_OP_f128const == IR_OP_iconst + 4,
               "the constant opcodes are contiguous");
static inline bool cg_is_const_op(unsigned op) { return op - IR_OP_iconst <= IR_OP_f128const - IR_OP_iconst; }
static inline uint32_t cg_named_vreg(const cg_ctx *c, uint32_t v) { return c->vreg_of.v[cg_ctx_resolve(c, v)]; }

static inline uint32_t cg_resolved_def(const cg_ctx *c, uint32_t v)
{
    const ir_value_data *vd = &c->fn->values.v[v];
    return vd->kind == IR_VAL_RESULT ? vd->def : IR_NONE;
}

static inline uint32_t cg_value_vreg(cg_ctx *c, uint32_t v) { return cg_resolved_vreg(c, cg_ctx_resolve(c, v)); }
static inline uint32_t cg_def_of(const cg_ctx *c, uint32_t v) { return cg_resolved_def(c, cg_ctx_resolve(c, v)); }

static inline bool cg_iconst_of(const cg_ctx *c, uint32_t v, int64_t *out)
{
    v = cg_ctx_resolve(c, v);
    const ir_value_data *vd = &c->fn->values.v[v];
    if (c->vreg_of.v[v] != CG_NONE)     /* has a vreg: no constant (cg_named_vreg) */
        return false;
    if (vd->kind != IR_VAL_RESULT || !cg_is_int(vd->type) || c->fn->insts.v[vd->def].op != IR_OP_iconst)
        return false;
    unsigned sh = 64 - (8u << (vd->type - IR_I8));     /* i8..i64 */
    *out = (int64_t)((uint64_t)c->fn->insts.v[vd->def].imm << sh) >> sh;
    return true;
}
static inline ir_type cg_vtype(const cg_ctx *c, uint32_t v) { return c->fn->values.v[cg_ctx_resolve(c, v)].type; }

static inline ir_type cg_ctrl_type(const cg_ctx *c, uint32_t inst)
{
    const ir_inst_data *in = &c->fn->insts.v[inst];
    return in->type || !in->nres ? in->type : c->fn->values.v[ir_inst_results(c->fn, inst)[0]].type;
}
/* Is v defined by opcode op (*d the instruction) in user's block, used only
 * there and not yet marked? */
bool cg_single_use(const cg_lower *L, uint32_t user, uint32_t v, unsigned op, uint32_t *d);
/* The result type of instruction i if it is a binary operation in a block
 * that is not itself lowered at a use (whose operands a target may fold),
 * else IR_TYPE_NONE. */
ir_type cg_binary_user(const cg_lower *L, uint32_t i);
/* Finish the current block, its terminator in place, with these successors. */
void cg_end_block(cg_ctx *c, const uint32_t *succs, uint32_t nsuccs);

/* ---- the ABI engine (abi.c) --------------------------------------------------- */

/* Locations of sig (of fn's tables) appended to a->locs; false with an
 * "unsupported" diagnostic at inst (CG_NONE: at the function). */
bool cg_sig_compute(cg_ctx *c, cg_abi *a, const ir_function *fn, const ir_signature *sig, uint32_t inst,
                    cg_sig *out);
/* The signature of any call instruction. */
const ir_signature *cg_call_sig(const ir_function *fn, const ir_inst_data *in);
/* Values are vregs (an i128 the first of a pair). */
void cg_lower_args(cg_ctx *c, cg_abi *a, const uint32_t *params, uint32_t nparams);
void cg_lower_return(cg_ctx *c, cg_abi *a, const uint32_t *vals, uint32_t n);
bool cg_lower_call(cg_ctx *c, cg_abi *a, uint32_t inst);
/* The call of a try_call(_indirect), clobbering every register: its results
 * in new vregs rets[i] (an i128 the first of a pair); a->last_call is the
 * call instruction. */
bool cg_lower_try_call(cg_ctx *c, cg_abi *a, uint32_t inst, uint32_t *rets);
/* Size the incoming argument area for the function's return_calls (tail
 * convention: the callee pops it, so the caller may grow it). */
bool cg_plan_tail_calls(cg_ctx *c, cg_abi *a, bool any);    /* any: a return_call in a block */
bool cg_lower_return_call(cg_ctx *c, cg_abi *a, uint32_t inst);
/* Call host function `name` with the C convention: n scalar arguments. */
void cg_libcall(cg_ctx *c, const char *name, const ir_type *types, const uint32_t *args, unsigned n,
                ir_type rtype, uint32_t ret);
/* A load (store) of r, of type t (its class picks the form), width bytes,
 * at area + disp. */
void cg_mem(cg_ctx *c, bool store, ir_type t, unsigned width, uint32_t r, unsigned area, uint32_t base,
            int32_t disp, ir_trapcode trap);
void cg_lea(cg_ctx *c, uint32_t dst, unsigned area, int32_t disp);
void cg_symbol_addr(cg_ctx *c, uint32_t dst, uint32_t sym);
/* The value of global value gv (vmctx, load, iadd_imm, symbol), new vreg. */
bool cg_gv_value(cg_ctx *c, uint32_t gv, uint32_t inst, unsigned depth, uint32_t *out);
void cg_abi_free(cg_abi *a);

/* ---- legalization (legalize.c): IR no back end lowers, rewritten --------------- */

/* Whether fn holds anything cg_legalize rewrites (big-endian accesses). */
bool cg_needs_legalize(const ir_function *fn);
/* Rewrite f in place for every target; false (with d set at the
 * instruction) for what has no rewrite.  `isa` names the target in errors. */
bool cg_legalize(ir_function *f, const char *isa, ir_diag *d);

/* ---- vectors (vec.c): what no target decides ------------------------------------ */

/* Does fn have a vector value?  Then (wide_spill) its float-class registers
 * are moved and spilled whole, 16 bytes: a lowering may hold 128 bits in a
 * temporary even for a 64-bit vector (AArch64's sshll before an ext). */
bool cg_vec_function(const ir_function *fn);
/* Does inst have a vector result or operand? */
bool cg_vec_inst(const cg_ctx *c, uint32_t inst);
/* The lane of an extractlane or insertlane (the verifier keeps it in range;
 * masked all the same so no lowering indexes past the vector). */
unsigned cg_vec_lane(const cg_ctx *c, uint32_t inst);
/* Is inst iadd_pairwise of swiden_low x and swiden_high x (or both uwiden),
 * each widening used only there (wasm's extadd_pairwise)?  w: the two
 * widenings, for the target to mark fused and lower as one instruction. */
bool cg_vec_extadd_pairwise(const cg_lower *L, uint32_t inst, uint32_t w[2]);
/* The 16 bytes of a vconst (zero past its type's size) or shuffle immediate. */
void cg_vec_imm_bytes(const ir_function *fn, const ir_inst_data *in, uint8_t out[16]);
/* The low `bytes` bytes of x repeated over 16. */
void cg_vec_splat_bytes(uint8_t out[16], uint64_t x, unsigned bytes);
/* Is v an iconst, f32const or f64const?  *bits its immediate. */
bool cg_vec_const_scalar(const cg_ctx *c, uint32_t v, uint64_t *bits);
/* A shuffle's mask as one per source (bytes 0-15 of x, 16-31 of y): ma[k]
 * the byte of x, mb[k] of y, 0x80 where the other source (or neither, a
 * zero) gives it.  Returns which sources it takes: bit 0 x, bit 1 y. */
unsigned cg_shuffle_split(const uint8_t mask[16], uint8_t ma[16], uint8_t mb[16]);
/* Does the mask move whole lanes of `bytes` bytes, none zeroed?  Then
 * lanes[k] is the source lane of lane k (x's first, then y's). */
bool cg_shuffle_lanes(const uint8_t mask[16], unsigned bytes, uint8_t *lanes);

/* The little-endian bits of an f16const .. f128const instruction (lower.c). */
const uint8_t *cg_fconst_bytes(const cg_ctx *c, uint32_t inst);

/* ---- IR passes on the copy of the function that compile() lowers ------------ */

/* enable_nan_canonicalization (nancanon.c): every float arithmetic result
 * that may be a NaN (Cranelift's list) is replaced by the canonical NaN of
 * its type when it is one. */
void cg_nan_canonicalize(ir_function *f);
/* softfp.c: f16 and f128 where the target has no instruction.  The IR
 * pass rewrites f16 arithmetic to f32 (unless f16_native) and the sign-bit
 * operations of both to integer ones; cg_softfp_needed says whether it has
 * anything to do.  cg_lower_softfp lowers f128 arithmetic, f128 fcmp and
 * conversions to or from f16/f128 as libcalls (CG_BY_FAMILY: none of
 * those); cg_define_softfp_libcalls binds their names. */
bool cg_softfp_needed(const ir_function *f, bool f16_native);
void cg_softfp_legalize(ir_function *f, bool f16_native);
int cg_lower_softfp(cg_ctx *c, uint32_t inst);
bool cg_define_softfp_libcalls(jit_ctx *ctx, jit_error *err);

/* ---- VCode listings (vcprint.c) -------------------------------------------------- */

/* Append to out (NUL-terminated) the function's VCode after allocation:
 * blocks, the allocator's moves, each instruction by cg_isa.insts. */
void cg_vcode_print(const cg_ctx *c, cg_text *out);

/* ---- allocation and frame (regalloc.c) --------------------------------------- */

bool cg_regalloc(cg_ctx *c);
bool cg_regalloc_local(cg_ctx *c);     /* ralocal.c */
/* Linear scan (ralinear.c); false if it cannot handle the function (then
 * nothing is filled and another allocator must run). */
bool cg_regalloc_linear(cg_ctx *c);
/* False, with "stack frame too large" at the slot that makes it so, past
 * CG_FRAME_MAX. */
bool cg_frame_layout(cg_ctx *c);
/* "stack arguments too large" at inst (CG_NONE: the function's signature)
 * when a signature's stack area passes CG_STACK_ARGS_MAX. */
bool cg_stack_args_ok(cg_ctx *c, uint32_t inst, uint64_t bytes);
/* Order parallel moves (from[i] -> to[i], all distinct destinations) into
 * edits at pos, breaking cycles through allocation tmp. */
void cg_parallel_move(cg_func *f, uint32_t pos, const uint32_t *from, const uint32_t *to,
                      const uint8_t *cls, uint32_t n, uint32_t tmp);

/* ---- emission checks (vcode.c) ------------------------------------------------
 * ISA flags an emitted instruction needs that the target line lacks mean a
 * lowering bug: reported at the first such instruction, not run. */
typedef struct cg_need {
    uint64_t missing;       /* CG_ISA_* bits needed but not enabled */
    const cg_inst *in;      /* the first instruction that needed one (NULL: a move) */
} cg_need;
void cg_need_isa(cg_need *n, const cg_ctx *c, const cg_inst *in, uint64_t flags);
/* After emitting: false with "internal error: <isa> emission" unless ok,
 * or with the flag n found missing. */
bool cg_emit_check(cg_ctx *c, bool ok, const cg_need *n);

/* ---- code buffer (buffer.c) -------------------------------------------------- */

void cg_buf_init(cg_buf *b, cg_output *out, uint32_t nlabels, bool listing);
void cg_buf_free(cg_buf *b);
static inline uint32_t cg_buf_off(const cg_buf *b) { return b->out->code.n; }
static inline void cg_put1(cg_buf *b, unsigned x) { ir_vec_push(&b->out->code, (uint8_t)x); }
void cg_put2(cg_buf *b, unsigned x);
void cg_put4(cg_buf *b, uint32_t x);
void cg_put8(cg_buf *b, uint64_t x);
uint32_t cg_buf_new_label(cg_buf *b);
void cg_buf_bind(cg_buf *b, uint32_t label);
static inline void cg_buf_fixup(cg_buf *b, uint32_t at, uint32_t label, unsigned kind, int32_t addend)
{
    ir_vec_push(&b->fixups, ((cg_fixup){at, label, (uint8_t)kind, addend}));
}
void cg_buf_trap(cg_buf *b, uint32_t code);
/* The code from here on is produced for IR instruction `ir` (CG_NONE:
 * none): back ends call it before each machine instruction, for listings
 * (nothing unless b->listing). */
static inline void cg_buf_mark(cg_buf *b, uint32_t ir)    /* inline: called per instruction */
{
    if (!b->listing || ir == b->mark_ir)
        return;
    cg_output *o = b->out;
    b->mark_ir = ir;
    if (o->marks.n && o->marks.v[o->marks.n - 2] == cg_buf_off(b)) {
        o->marks.v[o->marks.n - 1] = ir;   /* nothing emitted for the previous one */
        return;
    }
    ir_vec_reserve(&o->marks, 2);
    o->marks.v[o->marks.n++] = cg_buf_off(b);
    o->marks.v[o->marks.n++] = ir;
}
/* Bytes [off, off+len) are data, not instructions (CG_DATA_*): for
 * listings, recorded only if b->listing. */
void cg_buf_data(cg_buf *b, uint32_t off, uint32_t len, unsigned kind);
void cg_buf_reloc(cg_buf *b, uint32_t at, jit_reloc_kind kind, const char *sym,
                  int64_t addend, uint32_t line, uint32_t col);
/* The label of the out-of-line trap for `code` (emitted by cg_buf_finish). */
uint32_t cg_buf_island(cg_buf *b, uint32_t code);
/* Trap islands (each `trap_insn` bytes plus a trap record), the constant
 * pool, then resolve every fixup.  False if a label was never bound or a
 * branch is out of range (then b->out_of_range is set: the target may
 * emit again with long branches). */
bool cg_buf_finish(cg_buf *b, cg_ctx *c, const uint8_t *trap_insn, unsigned trap_len);

#endif
