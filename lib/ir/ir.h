/* lib/ir: Cranelift IR in memory — types, the opcode table, functions,
 * blocks, values, instructions, diagnostics and the printer.
 *
 * Entities are 32-bit indices into per-function arrays (Cranelift's entity
 * references); IR_NONE marks "no entity".  Value n is printed "vn", block n
 * "blockn", and so on: indices are the numbers written in the source. */
#ifndef CLIFRUN_IR_H
#define CLIFRUN_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IR_NONE UINT32_MAX

/* ---- memory ----------------------------------------------------------------
 * Out of memory is not an input error: these print "clifrun: out of memory"
 * and exit with status 3, the one exit in library code (the man page says
 * so).  Code that can report the failure instead still calls malloc and
 * returns its error. */
void *ir_xmalloc(size_t n);
void *ir_xcalloc(size_t n, size_t size);
void *ir_xrealloc(void *p, size_t n);
char *ir_xstrdup(const char *s);
char *ir_xstrndup(const char *s, size_t n);
_Noreturn void ir_out_of_memory(void);

/* ---- growable arrays (one malloc per array, never per element) ---------- */

#define IR_VEC(T) struct { T *v; uint32_t n, cap; }
void *ir_vec_grow_(void *v, uint32_t *cap, uint32_t need, size_t elem);
#define ir_vec_reserve(a, k) \
    ((a)->n + (k) > (a)->cap ? (void)((a)->v = ir_vec_grow_((a)->v, &(a)->cap, (a)->n + (k), sizeof *(a)->v)) : (void)0)
#define ir_vec_push(a, x) (ir_vec_reserve(a, 1), (a)->v[(a)->n] = (x), (a)->n++)
#define ir_vec_free(a) (free((a)->v), (a)->v = NULL, (a)->n = (a)->cap = 0)
/* Capacity exactly k (if it is less), for a size known or estimated. */
#define ir_vec_reserve_exact(a, k) \
    ((a)->cap < (k) ? (void)((a)->v = ir_xrealloc((a)->v, (size_t)(k) * sizeof *(a)->v), (a)->cap = (k)) : (void)0)

/* Capacity cut to the length, for an array kept long.  Storage stays even
 * when empty (ir_xrealloc keeps a byte): code reading a body takes its
 * arrays as non-NULL (a pool's v + 0 is undefined on a null pointer). */
#define ir_vec_shrink(a) \
    ((a)->cap > (a)->n ? (void)((a)->v = ir_xrealloc((a)->v, (size_t)(a)->n * sizeof *(a)->v), \
                                (a)->cap = (a)->n) : (void)0)

/* ---- bump arena for strings and other immutable data -------------------- */

typedef struct ir_arena_chunk ir_arena_chunk;
typedef struct ir_arena { ir_arena_chunk *head; } ir_arena;
void *ir_arena_alloc(ir_arena *a, size_t n);
char *ir_arena_strndup(ir_arena *a, const char *s, size_t n);
void ir_arena_free(ir_arena *a);

/* ---- types ----------------------------------------------------------------
 * bits 0-3: lane kind; bits 4-7: log2 of lane count; bit 8: dynamic vector
 * (i32x4*gv0 style, the lane count is a minimum).  0 is "no type". */
typedef uint16_t ir_type;
enum {
    IR_TYPE_NONE = 0,
    IR_I8 = 1, IR_I16, IR_I32, IR_I64, IR_I128,
    IR_F16, IR_F32, IR_F64, IR_F128,
};
#define IR_TYPE_DYNAMIC 0x100u
/* A dynamic vector type also carries its dtN number (bits 9-15), so that
 * `splat.dt0` prints back as written. */
#define ir_type_dt(t) ((unsigned)(t) >> 9)
#define ir_type_make_dynamic(base, dt) ((ir_type)((base) | IR_TYPE_DYNAMIC | ((dt) << 9)))
#define IR_MAX_DYN_TYPES 127
#define ir_type_lane(t) ((ir_type)((t) & 0xf))
#define ir_type_log2_lanes(t) (((t) >> 4) & 0xf)
#define ir_type_lanes(t) (1u << ir_type_log2_lanes(t))
#define ir_type_is_vector(t) (ir_type_log2_lanes(t) != 0 || ((t) & IR_TYPE_DYNAMIC))
#define ir_type_is_int(t) (ir_type_lane(t) >= IR_I8 && ir_type_lane(t) <= IR_I128)
#define ir_type_is_float(t) (ir_type_lane(t) >= IR_F16 && ir_type_lane(t) <= IR_F128)
#define ir_type_make(lane, log2lanes) ((ir_type)((lane) | ((log2lanes) << 4)))
/* Lane bits by lane kind, 0 for none (inline: every stage asks it of
 * nearly every value). */
static const uint8_t ir_lane_bits_table[16] = {0, 8, 16, 32, 64, 128, 16, 32, 64, 128};
static inline unsigned ir_type_lane_bits(ir_type t) { return ir_lane_bits_table[ir_type_lane(t)]; }  /* 8..128 */
static inline unsigned ir_type_bits(ir_type t) { return ir_type_lane_bits(t) << ir_type_log2_lanes(t); }
static inline unsigned ir_type_bytes(ir_type t) { return ir_type_bits(t) / 8; }
/* A value's 16 bytes as two little-endian words: the first n bytes kept,
 * the rest zeroed, with masks (no memset and memcpy of a variable size, on
 * the paths of every call and check). */
static inline void ir_keep16(uint64_t w[2], unsigned n)
{
    if (n < 8)
        w[0] &= ((uint64_t)1 << 8 * n) - 1;
    if (n <= 8)
        w[1] = 0;
    else if (n < 16)
        w[1] &= ((uint64_t)1 << 8 * (n - 8)) - 1;
}
/* The first n (<= 16) of src's 16 bytes to dst's 16, zeros after them. */
static inline void ir_copy16(void *dst, const void *src, unsigned n)
{
    uint64_t w[2];
    memcpy(w, src, 16);
    ir_keep16(w, n);
    memcpy(dst, w, 16);
}
/* Name into buf ("i32", "f64x2", "i32x4*gv0" needs the dynamic type table:
 * dynamic types print through ir_print).  Returns buf. */
const char *ir_type_name(ir_type t, char buf[16]);
/* Parse a type name of length n ("i8".."i128", "f16".."f128", with "xN"
 * lanes).  Legacy r32/r64 read as i32/i64.  Returns IR_TYPE_NONE if not a type. */
ir_type ir_type_parse(const char *s, size_t n);

/* ---- condition codes, trap codes, atomic ops, call conventions ---------- */

#define IR_INTCC(X) X(eq) X(ne) X(slt) X(sge) X(sgt) X(sle) X(ult) X(uge) X(ugt) X(ule)
#define IR_FLOATCC(X) X(ord) X(uno) X(eq) X(ne) X(one) X(ueq) X(lt) X(le) X(gt) X(ge) \
                      X(ult) X(ule) X(ugt) X(uge)
#define IR_ATOMIC_RMW(X) X(add) X(sub) X(and) X(nand) X(or) X(xor) X(xchg) \
                         X(umin) X(umax) X(smin) X(smax)
#define IR_CALLCONV(X) X(fast) X(tail) X(system_v) X(windows_fastcall) X(apple_aarch64) \
                       X(probestack) X(winch) X(preserve_all)
#define IR_ENUM_ROW(prefix, name) prefix##name,
#define X_(name) IR_INTCC_##name,
typedef enum { IR_INTCC(X_) IR_INTCC_COUNT } ir_intcc;
#undef X_
#define X_(name) IR_FLOATCC_##name,
typedef enum { IR_FLOATCC(X_) IR_FLOATCC_COUNT } ir_floatcc;
#undef X_
#define X_(name) IR_RMW_##name,
typedef enum { IR_ATOMIC_RMW(X_) IR_RMW_COUNT } ir_atomic_rmw;
#undef X_
#define X_(name) IR_CC_##name,
typedef enum { IR_CC_default = 0, IR_CALLCONV(X_) IR_CC_COUNT } ir_callconv;
#undef X_
extern const char *const ir_intcc_names[IR_INTCC_COUNT];
extern const char *const ir_floatcc_names[IR_FLOATCC_COUNT];
extern const char *const ir_atomic_rmw_names[IR_RMW_COUNT];
extern const char *const ir_callconv_names[IR_CC_COUNT]; /* [0] = "" */

/* Trap codes: the five reserved ones, then userN as IR_TRAP_USER + N.
 * IR_TRAP_NONE stands for "cannot trap" (memflags notrap). */
typedef uint16_t ir_trapcode;
enum {
    IR_TRAP_NONE = 0, IR_TRAP_stk_ovf, IR_TRAP_heap_oob, IR_TRAP_int_ovf,
    IR_TRAP_int_divz, IR_TRAP_bad_toint, IR_TRAP_USER = 16 /* + 0..255 */
};
/* Parses "heap_oob" or "user7"; returns false if s is not a trap code. */
bool ir_trapcode_parse(const char *s, size_t n, ir_trapcode *out);
const char *ir_trapcode_name(ir_trapcode c, char buf[16]);

/* Memory flags of loads, stores and atomics. */
typedef struct ir_memflags {
    uint8_t bits;           /* IR_MF_* */
    uint8_t region;         /* 0 none, else 1 + the regionN number */
    ir_trapcode trap;       /* IR_TRAP_heap_oob by default, IR_TRAP_NONE for notrap */
} ir_memflags;
enum { IR_MF_ALIGNED = 1, IR_MF_READONLY = 2, IR_MF_LITTLE = 4, IR_MF_BIG = 8,
       IR_MF_CAN_MOVE = 16, IR_MF_CHECKED = 32 };

/* ---- the opcode table ----------------------------------------------------
 * opcodes.def has one row per opcode:
 *   OP(id, "name", FORMAT, flags, "ctrl", "results", "args")
 * FORMAT is an ir_format; flags are IR_OPF_*; "ctrl" is the type set of
 * the controlling type variable ("" for monomorphic opcodes); "results" and
 * "args" describe each result and each fixed value operand with one type
 * code character relative to the controlling type (see ir_type_derive). */
typedef enum {
#define FORMAT(f) IR_FMT_##f,
#include "formats.def"
#undef FORMAT
    IR_FMT_COUNT
} ir_format;

typedef enum {
#define OP(id, name, fmt, flags, ctrl, res, args) IR_OP_##id,
#include "opcodes.def"
#undef OP
    IR_OP_COUNT
} ir_opcode;

enum {
    IR_OPF_TERMINATOR = 1 << 0,  /* ends a block */
    IR_OPF_BRANCH = 1 << 1,      /* has block-call destinations */
    IR_OPF_CALL = 1 << 2,
    IR_OPF_RETURN = 1 << 3,
    IR_OPF_CAN_TRAP = 1 << 4,
    IR_OPF_CAN_LOAD = 1 << 5,
    IR_OPF_CAN_STORE = 1 << 6,
    IR_OPF_SIDE_EFFECT = 1 << 7,
    IR_OPF_LEGACY = 1 << 8,      /* removed from Cranelift; rewritten by ir_legacy_rewrite */
    IR_OPF_CTRL_FROM_RESULT = 1 << 9, /* ctrl type only from suffix/result (e.g. iconst) */
};

typedef struct ir_opinfo {
    const char *name;
    ir_format format;
    uint16_t flags;
    const char *ctrl;   /* type set of the controlling type variable */
    const char *res;    /* one type code per result */
    const char *args;   /* one type code per fixed value operand */
} ir_opinfo;
extern const ir_opinfo ir_opcodes[IR_OP_COUNT];
/* Index of the operand whose type is the controlling type when the opcode
 * has no type suffix (the first 'T' of args), -1 if a suffix is needed. */
int ir_op_ctrl_arg(ir_opcode op);
/* Opcode by name (hash lookup), IR_OP_COUNT if unknown. */
ir_opcode ir_opcode_lookup(const char *s, size_t n);

/* Type codes of "results"/"args" (one character each), Cranelift's operand
 * constraints relative to the controlling type (ctrl):
 *   T  ctrl; the first T of args is Cranelift's typevar operand, which the
 *      parser takes ctrl from (and the printer's suffix rule looks at)
 *   t  ctrl, on an operand before the typevar operand (fma x, atomic_cas e)
 *      or of an opcode that takes ctrl from its `.type` suffix (atomic_rmw x)
 *   B  as_truthy: i8 for scalars and (as in Cranelift) dynamic vectors,
 *      else the same-shape int vector   I  same shape with int lanes
 *   L  the lane type                    V  dynamic vector's fixed vector type
 *   H  half-width lanes                 D  double-width lanes
 *   S  split lanes (half width, twice the lanes: i32 -> i16x2)
 *   M  merge lanes (double width, half the lanes: i32x2 -> i64)
 *   <  half the lanes                   >  twice the lanes
 *   fixed types: 1 2 3 4 5  i8 i16 i32 i64 i128,  h f q o  f16 f32 f64 f128,
 *      b w d l  i8x16 i16x8 i32x4 i64x2,  s p  f32x4 f64x2
 *   free type variables, not derived: the verifier checks them against the
 *   "ctrl"-language set shown:
 *   *  any type "i,f,I,F,dI,dF"   i  scalar int "i"   n  int "i,I"
 *   a  address "i32..64"   F  float "f,F,dF"   r  scalar float "f"   v  "I,F"
 *   W / N  a scalar of ctrl's kind (int / float), wider / narrower than ctrl
 * Derived dynamic types other than T/t carry no dtN number (bits 9-15 are 0):
 * compare dynamic types ignoring those bits.
 * A "ctrl" type set is a comma-separated union of terms: i f (scalar int /
 * float), I F (fixed vectors), dI dF (dynamic vectors), each optionally with
 * lane bits N or N..M, vector terms also with lanes xN or xN..M (defaults:
 * every width, 2..256 lanes).  E.g. "i8..64", "i,I,dI", "I16..32x4..8"; ""
 * for a monomorphic opcode.  See types.c. */

/* Derive a type from the controlling type by one type code character.
 * Returns IR_TYPE_NONE when the derivation does not exist for ctrl (e.g.
 * half width of i8) or the code denotes a free type variable. */
ir_type ir_type_derive(char code, ir_type ctrl);
/* Does t belong to the type set written as a "ctrl" string? */
bool ir_typeset_contains(const char *set, ir_type t);

/* ---- entities of a function's preamble ---------------------------------- */

/* External names: %testcase, u<ns>:<index>, userextnameN, and libcalls. */
typedef struct ir_extname {
    uint8_t kind;           /* IR_NAME_* */
    uint32_t ns, index;     /* u<ns>:<index> / userextname<index> */
    const char *str;        /* testcase / libcall name (arena) */
    uint32_t line, col;     /* where the name is written (a declaration), 0 if made up */
} ir_extname;
enum { IR_NAME_NONE, IR_NAME_TESTCASE, IR_NAME_USER, IR_NAME_USERREF, IR_NAME_LIBCALL };

enum { IR_EXT_NONE, IR_EXT_UEXT, IR_EXT_SEXT };
enum { IR_PURPOSE_NORMAL, IR_PURPOSE_SRET, IR_PURPOSE_VMCTX, IR_PURPOSE_SARG,
       IR_PURPOSE_STACK_LIMIT };
typedef struct ir_abi_param {
    ir_type type;
    uint8_t ext;            /* IR_EXT_* */
    uint8_t purpose;        /* IR_PURPOSE_* */
    uint32_t sarg_size;     /* bytes, for IR_PURPOSE_SARG */
    uint32_t line, col;     /* where written, 0 if made up */
} ir_abi_param;

/* A signature's parameters and returns are ranges of fn->abi_params. */
typedef struct ir_signature {
    uint32_t params, nparams, rets, nrets;
    ir_callconv callconv;
    uint32_t line, col;     /* of the sigN declaration (0: the function's own, or made up) */
} ir_signature;

typedef struct ir_stack_slot {
    uint8_t dynamic;        /* explicit_dynamic_slot: size comes from dyn_type */
    uint8_t align_shift;    /* log2 of `align = N`, 0 if absent */
    bool has_key;
    uint32_t size;
    uint32_t dyn_type;      /* dynamic type entity for dynamic slots */
    uint64_t key;
    uint32_t line, col;     /* of its declaration (ssN); 0 if made by a program */
} ir_stack_slot;

enum { IR_GV_VMCTX, IR_GV_LOAD, IR_GV_IADD_IMM, IR_GV_SYMBOL, IR_GV_DYN_SCALE };
typedef struct ir_global_value {
    uint8_t kind;
    bool colocated, tls;
    ir_type type;           /* global type (load / iadd_imm), vector type (dyn_scale) */
    ir_memflags flags;      /* load */
    uint32_t base;          /* base global value (load / iadd_imm) */
    int64_t offset;         /* load offset, iadd_imm addend, symbol offset */
    ir_extname name;        /* symbol */
    uint32_t line, col;     /* of the declaration */
} ir_global_value;

typedef struct ir_dynamic_type {
    ir_type base;           /* vector type, e.g. i32x4 */
    uint32_t gv;            /* the scale global value */
    uint32_t line, col;     /* of the declaration */
} ir_dynamic_type;

typedef struct ir_func_ref {
    ir_extname name;
    uint32_t sig;
    bool colocated, patchable;
    uint32_t line, col;     /* of the declaration */
} ir_func_ref;

typedef struct ir_alias_region {  /* regionN = user_id "description" */
    uint32_t user_id;
    const char *desc;       /* arena */
    uint32_t line, col;     /* of the declaration */
} ir_alias_region;

typedef struct ir_constant {  /* constN = 0x... or [a b c] */
    uint32_t off, len;      /* bytes in fn->bytes, little endian */
    uint32_t line, col;     /* of the declaration */
} ir_constant;

/* ---- values, blocks, instructions ---------------------------------------- */

enum { IR_VAL_UNUSED, IR_VAL_RESULT, IR_VAL_PARAM, IR_VAL_ALIAS };
typedef struct ir_value_data {
    uint8_t kind;           /* IR_VAL_* */
    ir_type type;
    uint32_t def;           /* instruction, block, or aliased value */
    uint32_t num;           /* result / parameter index */
    uint32_t line, col;     /* where defined, for diagnostics */
} ir_value_data;

typedef struct ir_block_data {
    uint32_t params, nparams;   /* range of fn->pool holding the parameter values */
    uint32_t first, last;       /* instructions in layout order, IR_NONE if empty */
    bool cold, in_layout;
    uint32_t line, col;
} ir_block_data;

/* Block arguments are values or, in try_call destinations, retN / exnN. */
#define IR_BLOCKARG_KIND(a) ((a) >> 30)
#define IR_BLOCKARG_INDEX(a) ((a) & 0x3fffffffu)
enum { IR_BLOCKARG_VALUE = 0, IR_BLOCKARG_RET = 1, IR_BLOCKARG_EXN = 2 };
#define IR_BLOCKARG(kind, idx) (((uint32_t)(kind) << 30) | (idx))

/* A block call is stored in fn->pool as: block, nargs, arg0 .. arg(nargs-1).
 * An exception table is stored in fn->pool as: sig, normal-return block
 * call offset, nitems, then per item: tag kind (IR_EXN_*), tag value or
 * context value, block call offset (IR_NONE for context items). */
enum { IR_EXN_TAG, IR_EXN_DEFAULT, IR_EXN_CONTEXT };

typedef struct ir_inst_data {
    uint16_t op;            /* ir_opcode */
    ir_type type;           /* controlling type (from suffix or inferred) */
    uint8_t cond;           /* intcc, floatcc or atomic rmw op */
    uint8_t iflags;         /* IR_INSTF_* */
    ir_memflags mf;         /* loads, stores, atomics */
    ir_trapcode trap;       /* trap, trapz, trapnz, uadd_overflow_trap */
    uint16_t nargs, nres;
    uint32_t args;          /* fn->pool offset of the value operands */
    uint32_t res;           /* fn->pool offset of the result values */
    uint32_t ent;           /* entity: func ref (call, try_call, func_addr), sig
                               (call_indirect), stack slot, global value, constant
                               (vconst constN; IR_NONE for a literal), dynamic slot,
                               block (get_exception_handler_address); or fn->pool
                               offset of the destinations: jump: a block call;
                               brif: offsets of 2 block calls; br_table: count,
                               then offsets of the block calls, default first */
    int64_t imm;            /* imm64 (iconst: zero-extended from its type, as
                               Cranelift stores it), offset32, uimm8 lane,
                               ieee16/32/64 bits, fn->bytes offset of a 16-byte
                               literal (f128const, vconst, shuffle mask), fn->pool
                               offset of a try_call exception table, legacy imm */
    uint32_t prev, next, block;  /* layout */
    uint32_t line, col;     /* source position of the opcode */
    uint32_t srcloc;        /* the @hex source location, IR_NONE if absent */
} ir_inst_data;

enum { IR_INSTF_DEBUG_TAGS = 1 };   /* written with `<tags>` before it (not kept) */

/* One entry of a call's user stack map: a value of `type` at slot+offset. */
typedef struct ir_stack_map_entry { uint32_t inst, slot, offset; ir_type type; } ir_stack_map_entry;

typedef struct ir_function {
    /* the head: what a function keeps once its body is dropped
     * (ir_file_drop_body), what declarations across a file are
     * checked against */
    ir_extname name;
    ir_signature sig;
    uint32_t line, col;     /* of the `function` keyword */
    uint32_t end_line;      /* line of the closing brace */
    uint32_t stack_limit;               /* gv, IR_NONE if absent */
    bool body_dropped;                  /* only the head, it and what it holds
                                           in its file's arena (ir_file_drop_body) */
    IR_VEC(ir_abi_param) abi_params;
    IR_VEC(ir_signature) sigs;          /* sigN */
    IR_VEC(ir_func_ref) func_refs;      /* fnN */
    IR_VEC(ir_extname) user_names;      /* userextnameN = u0:1 */
    IR_VEC(uint8_t) fn_defined;         /* presence bits of fnN (numbers may have gaps) */
    ir_arena arena;                     /* names */
    /* the body (IR_FUNCTION_HEAD: the bytes before it) */
    IR_VEC(ir_stack_slot) stack_slots;  /* ssN and dssN share no numbering: */
    IR_VEC(ir_stack_slot) dyn_slots;    /* dssN */
    IR_VEC(ir_dynamic_type) dyn_types;  /* dtN */
    IR_VEC(ir_global_value) gvs;        /* gvN */
    IR_VEC(ir_constant) constants;      /* constN */
    IR_VEC(ir_alias_region) regions;    /* regionN */
    /* presence bits for entities declared (numbers may have gaps) */
    IR_VEC(uint8_t) sig_defined, ss_defined, dss_defined, dt_defined, gv_defined,
        const_defined, region_defined;
    IR_VEC(ir_value_data) values;
    IR_VEC(ir_block_data) blocks;
    IR_VEC(uint32_t) layout;            /* blocks in layout order */
    IR_VEC(ir_inst_data) insts;
    /* user stack maps of calls (`, stack_map=[i32 @ ss0+4, ...]`), by
     * instruction in parse order: kept to print, not used by clifrun */
    IR_VEC(ir_stack_map_entry) stack_maps;
    IR_VEC(uint32_t) pool;              /* operand lists, block calls, tables */
    IR_VEC(uint8_t) bytes;              /* 128-bit immediates, constants */
} ir_function;
#define IR_FUNCTION_HEAD offsetof(ir_function, stack_slots)

void ir_function_init(ir_function *f);
/* The parameters or results of s among f's abi_params; NULL when there are
 * none (an empty list may have no storage: never &v[k] of NULL). */
const ir_abi_param *ir_sig_params(const ir_function *f, const ir_signature *s);
const ir_abi_param *ir_sig_rets(const ir_function *f, const ir_signature *s);
void ir_function_free(ir_function *f);
/* Append an instruction to the end of block b; returns its index. */
uint32_t ir_inst_append(ir_function *f, uint32_t b);
/* Link instruction i, already in f->insts, after the last of block bd
 * (a reader that fills instructions in place links them with this). */
static inline void ir_block_link_last(ir_function *f, ir_block_data *bd, uint32_t i)
{
    f->insts.v[i].prev = bd->last;
    if (bd->last != IR_NONE)
        f->insts.v[bd->last].next = i;
    else
        bd->first = i;
    bd->last = i;
}
/* Insert a new, zeroed instruction before `before` in its block. */
uint32_t ir_inst_insert_before(ir_function *f, uint32_t before);
void ir_inst_remove(ir_function *f, uint32_t inst);
/* A new instruction before `before` with one result of type t: its index. */
uint32_t ir_inst_new(ir_function *f, uint32_t before, ir_opcode op, ir_type t, uint32_t nargs,
                     const uint32_t *args);
/* Make v stand for `to` (v becomes an alias: its definer may go). */
void ir_value_replace(ir_function *f, uint32_t v, uint32_t to);
/* Insert `op.type args` before instruction `before` (at its source
 * position), with default memflags and no entity; its results are new
 * values of the types opcodes.def derives from `type` (an opcode whose
 * results are not derived, such as call, gets none: give it its own).
 * Returns the instruction. */
uint32_t ir_inst_build(ir_function *f, uint32_t before, ir_opcode op, ir_type type, const uint32_t *args,
                       unsigned nargs);
/* A deep copy of src that shares src's arena strings (src must outlive it).
 * Free it with ir_function_free. */
void ir_function_copy(ir_function *dst, const ir_function *src);
/* New value; numbered after every existing one. */
uint32_t ir_value_new(ir_function *f, uint8_t kind, ir_type t, uint32_t def, uint32_t num);
/* Follow aliases to the value they stand for. */
uint32_t ir_value_resolve(const ir_function *f, uint32_t v);
/* Pointers into the pool for an instruction's operands and results (and
 * any pool offset): NULL while a function's pool is empty, never an
 * offset from a null pointer (undefined behaviour, clang's UBSan says). */
#define ir_pool_at(f, off) ((f)->pool.v ? &(f)->pool.v[off] : NULL)
#define ir_inst_args(f, i) ir_pool_at(f, (f)->insts.v[i].args)
#define ir_inst_results(f, i) ir_pool_at(f, (f)->insts.v[i].res)

/* ---- directives of a test file ------------------------------------------ */

/* A run-line value: up to 16 bytes little endian, its type from the callee's
 * signature. */
typedef struct ir_data_value {
    ir_type type;
    uint8_t bytes[16];
} ir_data_value;

enum { IR_RUN_RUN, IR_RUN_PRINT };
enum { IR_CMP_NONE, IR_CMP_EQ, IR_CMP_NE };
typedef struct ir_run_cmd {
    uint8_t kind;           /* IR_RUN_* */
    uint8_t cmp;            /* IR_CMP_* (run only) */
    uint32_t func;          /* index into file->funcs */
    uint32_t line, col;     /* of the `%name` */
    const char *name;       /* the name as written (arena); Cranelift calls the
                               function the line is attached to, whatever it says */
    uint32_t args, nargs;   /* ranges of file->data */
    uint32_t expect, nexpect;
} ir_run_cmd;

typedef struct ir_setting { const char *name, *value; uint32_t line; } ir_setting;
typedef struct ir_target {
    const char *arch;       /* "x86_64", "aarch64", "riscv64", "s390x", "pulley64" ... */
    uint32_t flags, nflags; /* range of file->target_flags (isa flags on the line) */
    uint32_t settings;      /* number of file->settings in force for this target */
    uint32_t line;
} ir_target;

/* Something suspicious that is not an error (a run line naming another
 * function than the one it belongs to). */
typedef struct ir_file_warning {
    uint32_t line, col;
    const char *msg;        /* file->arena */
} ir_file_warning;

typedef struct ir_file {
    const char *path;
    const char *src;        /* the whole text; diagnostics quote from it */
    size_t len;
    IR_VEC(const char *) tests;     /* `test run`, `test interpret` ... (command name) */
    IR_VEC(ir_setting) settings;    /* `set` lines, in order; then the command line's */
    uint32_t ncli_settings;         /* the last ones of settings: --set, applied after
                                       the file's own for every target (line 0) */
    IR_VEC(ir_target) targets;
    IR_VEC(ir_setting) target_flags;
    IR_VEC(ir_function *) funcs;
    IR_VEC(ir_run_cmd) runs;
    IR_VEC(ir_data_value) data;
    IR_VEC(ir_file_warning) warnings;   /* the reader's, in source order */
    ir_arena arena;
    IR_VEC(ir_function *) spare;    /* functions whose bodies were dropped, their
                                       arrays' storage kept (ir_file_new_function) */
} ir_file;

/* Drop function i's body (blocks, values, instructions, the preamble's
 * other entities) and pack its head into the file's arena with its
 * arrays and names, next to the other functions' heads:
 * a file read a function at a time keeps no allocation of its own for
 * each.  The function's arrays, emptied, go to file->spare for the next
 * function read (ir_file_new_function). */
void ir_file_drop_body(ir_file *file, uint32_t i);
/* A function to read into, as ir_function_init makes it: one whose body
 * file dropped (its arrays' storage kept, to be filled again), else a new
 * one.  The caller adds it to file->funcs. */
ir_function *ir_file_new_function(ir_file *file);

/* Frees file; its functions wait, emptied, for the next this thread reads
 * (a few, none large). */
void ir_file_free(ir_file *file);
/* Storage a thread keeps from one file it reads to the next, a slot per
 * user: ir_file_free's emptied functions, the reader's parser, codegen's
 * last code buffer. */
typedef enum { IR_KEEP_FUNCS, IR_KEEP_PARSER, IR_KEEP_CODE, IR_KEEP_COUNT } ir_keep;
/* The slot's object (now the caller's), or NULL. */
void *ir_thread_take(ir_keep slot);
/* Keep p in the empty slot, free_fn(p) when the thread ends; false (p
 * still the caller's) if the slot is taken or the thread cannot keep. */
bool ir_thread_keep(ir_keep slot, void *p, void (*free_fn)(void *));
/* Free everything this thread keeps (freed anyway when it ends): for a
 * leak checker that counts allocations per input (libFuzzer's) and an
 * embedder done reading. */
void ir_thread_release(void);
/* Index of the function named by n (testcase name or u0:N), IR_NONE if none. */
uint32_t ir_file_find_func(const ir_file *file, const ir_extname *n);

/* ---- diagnostics ----------------------------------------------------------
 * Library code never exits: it fills an ir_diag and returns failure.  An
 * ir_diag holds one error, and may hold further errors of the same input
 * (the verifier reports every error of a function): ir_diag_set sets the
 * first and forgets the others, ir_diag_add appends one. */
#define IR_DIAG_MORE 47         /* further errors kept */
typedef struct ir_diag {
    const char *file;       /* path as given by the user */
    const char *src;        /* the text, to quote the line (may be NULL) */
    size_t len;
    uint32_t line, col;     /* 1-based; 0 if unknown */
    char msg[512];
    /* further errors: positions, messages packed in `text` */
    uint16_t nmore, text_len;
    bool truncated;         /* some were left out (no room, or a cap) */
    struct { uint32_t line, col; uint16_t off; } more[IR_DIAG_MORE];
    char text[4096];
} ir_diag;
void ir_diag_set(ir_diag *d, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Another error: the first if d has none yet (line 0 and empty msg), else
 * appended to the further errors (truncated when there is no room). */
void ir_diag_add(ir_diag *d, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Append src's errors to dst's (same file). */
void ir_diag_merge(ir_diag *dst, const ir_diag *src);
/* Number of errors held (0 if none). */
unsigned ir_diag_count(const ir_diag *d);
/* "file:line:col: error: msg", the source line and a caret; then each
 * further error the same way, and a note if some were left out.  Every byte
 * of the file name, the message and the line that is not a printable
 * character (C0 and C1 controls, raw or in UTF-8, DEL, invalid UTF-8) is
 * printed as '?' (ir_fput_escaped); so for warnings. */
void ir_diag_print(FILE *out, const ir_diag *d, bool color);
/* "file:line:col: warning: msg" with the source line and a caret (line 0:
 * no position). */
void ir_warn_print(FILE *out, const char *file, const char *src, size_t len, uint32_t line, uint32_t col,
                   const char *msg, bool color);
void ir_fput_escaped(FILE *out, const char *s, size_t n, bool keep_tab);

/* ---- immediates and literals (imm.c) ------------------------------------- */

/* Cranelift's float syntax: decimal or 0x1.8p3 hex, Inf, NaN, NaN:0x.., sNaN:0x..;
 * bits = 16, 32, 64 or 128.  out is little endian (2..16 bytes).
 * Returns NULL, or Cranelift's reason for refusing s ("Bad exponent" ...). */
const char *ir_parse_ieee(const char *s, size_t n, unsigned bits, uint8_t *out);
/* Prints like Cranelift's Ieee16/32/64/128 Display. Returns length. */
int ir_print_ieee(char *buf, size_t size, unsigned bits, const uint8_t *in);
/* Integer literal: decimal or 0x hex, with `_` separators and optional
 * sign, into 128 bits.  Returns false on syntax error or overflow of 128
 * bits; *neg tells if a minus sign was present. */
bool ir_parse_int128(const char *s, size_t n, unsigned __int128 *out, bool *neg);
/* Does v (as parsed, with neg) fit in `bits` as a signed or unsigned value? */
bool ir_int_fits(unsigned __int128 v, bool neg, unsigned bits);
int ir_print_u128(char *buf, size_t size, unsigned __int128 v);
int ir_print_i128(char *buf, size_t size, __int128 v);

/* ---- printer and legacy rewriting ---------------------------------------- */

/* Canonical CLIF of one function. */
void ir_print_function(FILE *out, const ir_function *f);
/* The same as Cranelift's Display writes it, for `test cat`: a symbol's
 * user name as `userextnameN` (which does not read back). */
void ir_print_function_as_cranelift(FILE *out, const ir_function *f);
/* Every print after: as Cranelift's Display (clifrun print --as-cranelift). */
void ir_print_set_cranelift_display(bool on);
/* One instruction as ir_print_function writes it, without source location,
 * indent, constant comments or newline; pos from ir_layout_positions (the
 * type-suffix rule looks at the order of instructions). */
void ir_print_inst(FILE *out, const ir_function *f, uint32_t inst, const uint32_t *pos);
/* Each instruction's position in layout order (free it). */
uint32_t *ir_layout_positions(const ir_function *f);
/* The whole file: test/set/target headers, functions and their run lines. */
void ir_print_file(FILE *out, const ir_file *file);
/* Rewrite opcodes Cranelift removed (IR_OPF_LEGACY) into today's
 * instructions.  Returns false with a diagnostic for a legacy form that
 * has no equivalent. */
bool ir_legacy_rewrite(ir_function *f, ir_diag *d);

#endif
