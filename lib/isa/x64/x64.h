/* lib/isa/x64 internal interface: registers, machine opcodes and their
 * operand layouts, the ABI.  targ.c registers and hooks, abi.c System V,
 * lower.c instruction selection (lowerint.c integers, lowermem.c memory,
 * lowerfp.c floats, lower128.c i128, lowervec.c vectors), emit.c encoding,
 * exn.c exception tables. */
#ifndef CLIFRUN_X64_H
#define CLIFRUN_X64_H

#include "codegen/cg.h"

/* targ.c: this back end (codegen.c reaches it through jit/arch.def) */
extern const cg_isa x64_isa;
/* listing.c: VCode listings (cg_isa.insts, names, amodes) */
extern const cg_inst_info x64_insts[];
extern const cg_names x64_names[];
extern const char *const x64_amodes[];

enum {
    X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
    X64_XMM0 = 16, X64_XMM15 = 31,
};
/* Never allocated: the emitter's scratch for memory-to-memory moves
 * (caller-saved in every convention). */
#define X64_SCRATCH X64_R11

/* Condition codes: the low nibble of Jcc/SETcc/CMOVcc; cc ^ 1 inverts. */
enum {
    X64_CC_O, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE, X64_CC_BE, X64_CC_A,
    X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP, X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G,
};
/* ALU operations: the /digit of opcodes 0x81/0x83 */
enum { X64_ADD, X64_OR, X64_ADC, X64_SBB, X64_AND, X64_SUB, X64_XOR, X64_CMPOP, X64_TEST = 8, X64_MULOP };
/* Shifts and rotates: the /digit of 0xC1/0xD3 */
enum { X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7 };
enum { X64_NOT = 2, X64_NEG = 3, X64_BSWAP = 8 };   /* /digit of 0xF7; bswap 0F C8+r */
enum { X64_LZCNT, X64_TZCNT, X64_POPCNT, X64_BSR, X64_BSF };
/* Loads: cc = extension | X64_LD_64 (sign-extend into all 64 bits) */
enum { X64_LD_PLAIN, X64_LD_ZX, X64_LD_SX, X64_LD_64 = 4 };
enum { X64_CVT_SIGNED = 1, X64_CVT_SAT = 2 };
/* Division (X64_DIV cc) */
/* X64_DIV_CONST: the divisor is a constant, neither 0 nor -1: no checks */
enum { X64_DIV_SIGNED = 1, X64_DIV_REM = 2, X64_DIV_CONST = 4 };
/* SSE scalar operations: the second opcode byte (F3/F2 0F xx) */
enum { X64_SQRT = 0x51, X64_FADD = 0x58, X64_FMUL = 0x59, X64_FSUB = 0x5c, X64_FMIN = 0x5d,
       X64_FDIV = 0x5e, X64_FMAX = 0x5f };
enum { X64_ANDPS = 0x54, X64_ANDNPS = 0x55, X64_ORPS = 0x56, X64_XORPS = 0x57 };

/* Addressing modes of the memory operand (cg_inst.amode). */
enum {
    X64_AM_NONE,
    X64_AM_BASE,        /* [base + disp], base the operand at the memory position */
    X64_AM_INDEX,       /* [base + index << scale + disp], two operands */
    X64_AM_SLOT,        /* stack slot aux + disp */
    X64_AM_INARG,       /* incoming stack argument: [rbp + 16 + disp] */
    X64_AM_OUTARG,      /* outgoing stack argument: [rsp + disp] */
    X64_AM_CONST,       /* constant aux of the pool, rip-relative */
};

/* Machine opcodes, with their operand layouts: x64inst.def. */
enum {
#define X(name, mnemonic, layout) X64_##name,
#include "x64inst.def"
#undef X
    X64_OPCOUNT
};

/* X64_V* encodings: opcode (0x0fxx, 0x0f38xx, 0x0f3axx), mandatory prefix,
 * REX.W, an imm8, reg/rm order, the /digit of a shift by immediate. */
#define XV_66 (1ll << 24)
#define XV_F2 (2ll << 24)
#define XV_F3 (4ll << 24)
#define XV_W (1ll << 27)
#define XV_IMM(x) (1ll << 28 | (int64_t)(uint8_t)(x) << 32)
#define XV_SWAP (1ll << 29)
#define XV_DIGIT(d) ((int64_t)(d) << 40)
#define XV_OPC(e) ((uint32_t)((e) & 0xffffff))
#define XV_PFX(e) ((unsigned)((e) >> 24 & 7))
#define XV_IMM8(e) ((uint8_t)((e) >> 32))
#define XV_HAS_IMM(e) (((e) >> 28) & 1)
#define XV_DIG(e) ((unsigned)((e) >> 40 & 7))
/* X64_VFMA: fmadd, fmsub, fnmadd, fnmsub (x * y + z with signs) */
enum { XV_FMA_ADD, XV_FMA_SUB, XV_FMA_NADD, XV_FMA_NSUB };

/* X64_ALU/ALUI aux: nothing reads the flags (an add may be a lea). */
#define X64_FLAGS_DEAD 1u

/* Clobber sets (cg_isa.clobbers). */
enum { X64_CLOB_NONE, X64_CLOB_CALL, X64_CLOB_DIV, X64_CLOB_WIN64,
       X64_CLOB_ALL };      /* ALL: a winch callee, try_call (nothing survives a throw) */

/* ---- ABI (abi.c): cg_isa's ABI hooks ------------------------------------ */

bool x64_compute_locs(cg_abi *a, ir_callconv cc, const ir_abi_param *params, uint32_t nparams,
                      const ir_abi_param *rets, uint32_t nrets, cg_sig *out, char *what, size_t wn);
unsigned x64_call_clobbers(const cg_ctx *c, ir_callconv cc);
void x64_add_imm(cg_ctx *c, uint32_t dst, uint32_t src, int64_t imm);

/* ---- lower.c: helpers shared with abi.c and lower128.c ------------------- */

/* The vreg holding IR value v (an i128: the first of a pair); constants
 * are materialized here, at each use. */
uint32_t x64_put_in_reg(cg_ctx *c, uint32_t v);
/* v is an iconst that fits a sign-extended imm32 */
static inline bool x64_imm32_of(const cg_ctx *c, uint32_t v, int32_t *out)
{
    int64_t x;
    if (!cg_iconst_of(c, v, &x) || x != (int32_t)x)
        return false;
    *out = (int32_t)x;
    return true;
}
uint32_t x64_new_int(cg_ctx *c);
uint32_t x64_new_flt(cg_ctx *c);
/* Two-address forms: dst reuses a's register. */
void x64_rr(cg_ctx *c, unsigned op, unsigned cc, unsigned size, uint32_t dst, uint32_t a, uint32_t b);
void x64_ri(cg_ctx *c, unsigned op, unsigned cc, unsigned size, uint32_t dst, uint32_t a, int64_t imm);
void x64_un(cg_ctx *c, unsigned op, unsigned cc, unsigned size, unsigned aux, uint32_t dst, uint32_t a);
uint32_t x64_movi(cg_ctx *c, unsigned size, int64_t imm);
/* dst = a op k (op an ALU operation or X64_MULOP): k an immediate or from the constant pool */
void x64_alu_k(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, int64_t k);
void x64_setcc(cg_ctx *c, unsigned cc, uint32_t dst);
void x64_test(cg_ctx *c, uint32_t r, unsigned size);
/* Zero- or sign-extend the low `bits` of r to `to` bytes (4 or 8), new vreg. */
void x64_extend_into(cg_ctx *c, uint32_t d, uint32_t r, unsigned bits, unsigned to, bool sign);
void x64_mov64(cg_ctx *c, uint32_t dst, uint32_t src);
uint32_t x64_extend(cg_ctx *c, uint32_t r, unsigned bits, unsigned to, bool sign);
uint32_t x64_extend64(cg_ctx *c, uint32_t r, unsigned bits, bool sign);
extern const uint8_t x64_intcc[IR_INTCC_COUNT];

typedef cg_lower x64_lowering;
/* cg_isa's lowering hooks. */
bool x64_prepare(cg_lower *L);
bool x64_fuse_cond(const cg_lower *L, uint32_t user, uint32_t def, unsigned how);
int x64_lower_inst(cg_lower *L, uint32_t inst);
extern const bool x64_lower_inst_ops[IR_OP_COUNT];
void x64_branch(cg_lower *L, uint32_t inst, uint32_t lt, uint32_t lf);
bool x64_emit(cg_ctx *c);

/* Label uses (fixup.c): rel32 and rel8 displacements from the end of the
 * field; jmp and jcc rel32 (E9, 0F 8x before the field) may shrink to
 * their rel8 forms (EB, 7x). */
enum { X64_FIX_PCREL32 = CG_FIX_ISA, X64_FIX_PCREL8, X64_FIX_JMP32, X64_FIX_JCC32 };
bool x64_fix_patch(uint8_t *code, uint32_t at, unsigned kind, int64_t delta);
bool x64_fix_short(const cg_fixup *x, cg_fix_short *s);
void x64_fix_shorten(uint8_t *code, cg_fixup *x);

/* ---- lowerint.c: integer operations --------------------------------------- */

bool x64_lower_int(cg_lower *L, uint32_t inst, ir_type t);
void x64_cmov(cg_ctx *c, unsigned cc, unsigned size, uint32_t dst, uint32_t if_not, uint32_t if_cc);
void x64_bitrev(cg_ctx *c, unsigned bits, uint32_t x, uint32_t dst);
/* clz/ctz/popcnt (irop) of the low `bits` (8..64) of x into dst. */
void x64_bitcount(cg_ctx *c, unsigned irop, unsigned bits, uint32_t x, uint32_t dst);

/* ---- lowermem.c: memory and atomics --------------------------------------- */

void x64_mark_memory(x64_lowering *L);
bool x64_lower_load(x64_lowering *L, uint32_t inst, const cg_access *a);
bool x64_lower_store(x64_lowering *L, uint32_t inst, const cg_access *a);
bool x64_lower_memop(x64_lowering *L, uint32_t inst);
bool x64_lower_fconst_op(cg_ctx *c, uint32_t inst, ir_type t);
bool x64_lower_atomic(cg_ctx *c, uint32_t inst, ir_type t);

/* ---- exn.c: exceptions ---------------------------------------------------- */

/* The bytes at a try_call's return address: a jmp (EB rel8 or E9 rel32)
 * over its exception table: X64_EXN_MAGIC, rbp - rsp in the body before
 * realignment, the count, the alignment of rsp (rsp = (rbp - that) &
 * -align), then per handler its kind (IR_EXN_TAG / IR_EXN_DEFAULT), tag and
 * offset from the return address, each 32 bits (cg_exn_handler reads it). */
#define X64_EXN_MAGIC 0xC1F7E865u
void x64_emit_exn_table(cg_buf *b, const cg_func *f, const cg_inst *in, uint32_t frame_off, uint32_t align);
const uint8_t *x64_exn_table_at(const uint8_t *ret);

/* ---- lowerfp.c: floating point ------------------------------------------- */

bool x64_lower_float(cg_ctx *c, uint32_t inst, ir_type t);
void x64_lower_fcmp(cg_ctx *c, uint32_t inst);
/* An fcmp whose condition is one x86 condition (not eq, ne): ucomis, then
 * that condition (for brif, select, trapz/trapnz at the fcmp's use). */
bool x64_fcmp_one_cc(const ir_inst_data *in);
unsigned x64_fcmp_cc(cg_ctx *c, uint32_t inst);
bool x64_lower_conv(cg_ctx *c, uint32_t inst);

/* ---- lower128.c: i128 as register pairs ----------------------------------- */

/* The i128 hooks lib/codegen/lower128.c lowers through (cg_isa.i128). */
extern const cg_isa_i128 x64_i128;
/* Flags for "i128 vreg pair r is nonzero"; returns the condition. */
unsigned x64_test_i128(cg_ctx *c, uint32_t r);

/* ---- lowervec.c: 128-bit vectors in xmm registers ------------------------- */

/* Whether inst has a vector operand or result (then lowervec.c lowers it). */
bool x64_is_vector_inst(const cg_ctx *c, uint32_t inst);
bool x64_lower_vector(x64_lowering *L, uint32_t inst);
/* A vector type passed in an xmm register (up to 16 bytes, not dynamic). */
bool x64_vec_type(ir_type t);
bool x64_native_fconv(const cg_ctx *c, uint32_t inst);
/* An i64x2 (or f128) of gprs lo, hi; the high half of x into gpr g (SSE2
 * sequences unless has_sse41). */
void x64_vfrom_gpr64(cg_ctx *c, uint32_t d, uint32_t lo, uint32_t hi);
void x64_vhigh64(cg_ctx *c, uint32_t g, uint32_t x);


#endif
