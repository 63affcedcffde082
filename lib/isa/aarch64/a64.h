/* lib/isa/aarch64 internal interface: registers, machine opcodes and
 * their operand layouts, the ABI.  targ.c registers and hooks, abi.c
 * AAPCS64 and its variants, lower.c instruction selection (lowerint.c
 * integers, lowermem.c memory, lowerfp.c floats, lower128.c i128,
 * lowervec.c vectors), emit.c encoding, exn.c exception tables. */
#ifndef CLIFRUN_A64_H
#define CLIFRUN_A64_H

#include "codegen/cg.h"

/* targ.c: this back end (codegen.c reaches it through jit/arch.def) */
extern const cg_isa a64_isa;
/* listing.c: VCode listings (cg_isa.insts, names, amodes) */
extern const cg_inst_info a64_insts[];
extern const cg_names a64_names[];
extern const char *const a64_amodes[];

/* Pregs: x0-x30 are 0-30, 31 is SP (or XZR where the encoding says so),
 * v0-v31 are 32-63. */
enum {
    A64_X0 = 0, A64_X8 = 8, A64_X16 = 16, A64_X17 = 17, A64_X18 = 18,
    A64_FP = 29, A64_LR = 30, A64_SP = 31, A64_ZR = 31, A64_V0 = 32, A64_V31 = 63,
};
/* Never allocated: the emitter's scratch registers (IP0/IP1, which
 * veneers may clobber across calls anyway) and a float one. */
#define A64_TMP A64_X16         /* data */
#define A64_TMP2 A64_X17        /* addresses */
#define A64_VTMP A64_V31

/* Condition codes as encoded; cc ^ 1 inverts (not for AL). */
enum {
    A64_EQ, A64_NE, A64_HS, A64_LO, A64_MI, A64_PL, A64_VS, A64_VC,
    A64_HI, A64_LS, A64_GE, A64_LT, A64_GT, A64_LE, A64_AL,
};

/* Integer operations (A64_ALU cc, A64_ALUI cc). */
enum {
    A64_ADD, A64_ADDS, A64_SUB, A64_SUBS, A64_AND, A64_ANDS, A64_ORR, A64_EOR,
    A64_BIC, A64_ORN, A64_EON, A64_BICS, A64_ADC, A64_ADCS, A64_SBC, A64_SBCS,
    A64_LSLV, A64_LSRV, A64_ASRV, A64_RORV, A64_MUL, A64_SMULH, A64_UMULH,
    A64_SDIV, A64_UDIV,
};
/* Modifier of the second register operand of A64_ALU/A64_CMP (amode):
 * a shift by `scale`, or an extension then a left shift by `scale`. */
enum {
    A64_OP2_NONE, A64_OP2_LSL, A64_OP2_LSR, A64_OP2_ASR, A64_OP2_ROR,
    A64_OP2_UXTB, A64_OP2_UXTH, A64_OP2_UXTW, A64_OP2_UXTX,
    A64_OP2_SXTB, A64_OP2_SXTH, A64_OP2_SXTW, A64_OP2_SXTX,
};
enum { A64_LSL, A64_LSR, A64_ASR, A64_ROR };        /* A64_SHIFTI cc */
enum { A64_SBFM, A64_BFMI, A64_UBFM };              /* A64_BFM cc */
enum { A64_CSEL_, A64_CSINC, A64_CSINV, A64_CSNEG };  /* A64_CSEL aux */
enum { A64_RBIT, A64_REV16, A64_REV32, A64_REV64, A64_CLZ, A64_CLS };  /* A64_UNARY cc */
/* Loads: cc extension (A64_LD_SX64 sign-extends into all 64 bits). */
enum { A64_LD_ZX, A64_LD_SX32, A64_LD_SX64 };
/* Float operations (A64_FALU cc, A64_FUNARY cc) */
enum { A64_FMUL, A64_FDIV, A64_FADD, A64_FSUB, A64_FMAX, A64_FMIN, A64_FMAXNM, A64_FMINNM };
enum { A64_FABS = 1, A64_FNEG, A64_FSQRT, A64_FCVTS, A64_FCVTD, A64_FCVTH = 7, A64_FRINTN = 8, A64_FRINTP,
       A64_FRINTM, A64_FRINTZ };
/* 64-bit vector bitwise operations on float registers (A64_VBIT cc) */
enum { A64_VAND, A64_VBIC, A64_VORR, A64_VORN, A64_VEOR, A64_VBSL, A64_VNOT };

/* Addressing modes of the memory operand (cg_inst.amode). */
enum {
    A64_AM_NONE,
    A64_AM_BASE,        /* [base + disp], base the operand at the memory position */
    A64_AM_INDEX,       /* [base + index << scale] (scale 0 or the access size), two operands;
                           aux 1: the index is a w register zero-extended, 2: sign-extended */
    A64_AM_SLOT,        /* stack slot aux + disp */
    A64_AM_INARG,       /* incoming stack argument: [fp + 16 + grow + disp] */
    A64_AM_OUTARG,      /* outgoing stack argument: [sp + disp] */
};

/* Machine opcodes, with their operand layouts: a64inst.def. */
enum {
#define X(name, mnemonic, layout) A64_##name,
#include "a64inst.def"
#undef X
    A64_OPCOUNT
};

/* Vector arrangements: log2 of the lane's bytes << 1 | Q.  An operation
 * takes the arrangement of the operands its size and Q fields describe
 * (for a narrowing one the narrow side, for dup/umov/ins the lane). */
enum { A64_8B, A64_16B, A64_4H, A64_8H, A64_2S, A64_4S, A64_1D, A64_2D };

/* Neon operations as data: the instruction word with registers and the
 * fields of its form zero, the form (which fields the arrangement and imm
 * fill: A64_NF_*) and the operands (A64_NRM: an Rm; A64_NRD: reads Rd). */
enum {
    A64_NF_SZ,      /* Q, size (integer lanes) */
    A64_NF_FSZ,     /* Q, sz (float lanes: 0 single, 1 double) */
    A64_NF_Q,       /* Q only (bytes) */
    A64_NF_SHL,     /* Q, immh:immb = lane bits + imm */
    A64_NF_SHR,     /* Q, immh:immb = 2 * lane bits - imm */
    A64_NF_ELEM,    /* Q, imm5 = lane imm of the arrangement's lane size */
    A64_NF_INS,     /* imm5 = lane imm & 0xff, imm4 = source lane imm >> 8 */
    A64_NF_EXT,     /* Q, imm4 = byte imm */
    A64_NF_IMM,     /* Q, imm = op, a:b:c, cmode, d:e:f:g:h in place */
};
#define A64_NRM 1u
#define A64_NRD 2u
#define A64_NEON(X)                                                                 \
    /* three registers, integer lanes */                                          \
    X(ADD, 0x0e208400, SZ, A64_NRM) X(SUB, 0x2e208400, SZ, A64_NRM)               \
    X(MUL, 0x0e209c00, SZ, A64_NRM) X(MLA, 0x0e209400, SZ, A64_NRM | A64_NRD)     \
    X(CMEQ, 0x2e208c00, SZ, A64_NRM) X(CMGT, 0x0e203400, SZ, A64_NRM)             \
    X(CMGE, 0x0e203c00, SZ, A64_NRM) X(CMHI, 0x2e203400, SZ, A64_NRM)             \
    X(CMHS, 0x2e203c00, SZ, A64_NRM) X(CMTST, 0x0e208c00, SZ, A64_NRM)            \
    X(SMAX, 0x0e206400, SZ, A64_NRM) X(SMIN, 0x0e206c00, SZ, A64_NRM)             \
    X(UMAX, 0x2e206400, SZ, A64_NRM) X(UMIN, 0x2e206c00, SZ, A64_NRM)             \
    X(SQADD, 0x0e200c00, SZ, A64_NRM) X(UQADD, 0x2e200c00, SZ, A64_NRM)           \
    X(SQSUB, 0x0e202c00, SZ, A64_NRM) X(UQSUB, 0x2e202c00, SZ, A64_NRM)           \
    X(URHADD, 0x2e201400, SZ, A64_NRM) X(SSHL, 0x0e204400, SZ, A64_NRM)           \
    X(USHL, 0x2e204400, SZ, A64_NRM) X(ADDP, 0x0e20bc00, SZ, A64_NRM)             \
    X(UMAXP, 0x2e20a400, SZ, A64_NRM) X(SQRDMULH, 0x2e20b400, SZ, A64_NRM)        \
    X(UZP1, 0x0e001800, SZ, A64_NRM) X(UZP2, 0x0e005800, SZ, A64_NRM)             \
    X(ZIP1, 0x0e003800, SZ, A64_NRM) X(ZIP2, 0x0e007800, SZ, A64_NRM)             \
    X(TRN1, 0x0e002800, SZ, A64_NRM) X(TRN2, 0x0e006800, SZ, A64_NRM)             \
    /* three different: widening (the arrangement is the narrow sources') */     \
    X(SMULL, 0x0e20c000, SZ, A64_NRM) X(UMULL, 0x2e20c000, SZ, A64_NRM)           \
    X(UMLAL, 0x2e208000, SZ, A64_NRM | A64_NRD)                                   \
    /* bitwise */                                                                 \
    X(AND, 0x0e201c00, Q, A64_NRM) X(BIC, 0x0e601c00, Q, A64_NRM)                 \
    X(ORR, 0x0ea01c00, Q, A64_NRM) X(ORN, 0x0ee01c00, Q, A64_NRM)                 \
    X(EOR, 0x2e201c00, Q, A64_NRM) X(BSL, 0x2e601c00, Q, A64_NRM | A64_NRD)       \
    X(TBL, 0x0e000000, Q, A64_NRM) X(TBX, 0x0e001000, Q, A64_NRM | A64_NRD)       \
    X(EXT, 0x2e000000, EXT, A64_NRM)                                              \
    /* three registers, float lanes */                                            \
    X(FADD, 0x0e20d400, FSZ, A64_NRM) X(FSUB, 0x0ea0d400, FSZ, A64_NRM)           \
    X(FMUL, 0x2e20dc00, FSZ, A64_NRM) X(FDIV, 0x2e20fc00, FSZ, A64_NRM)           \
    X(FMAX, 0x0e20f400, FSZ, A64_NRM) X(FMIN, 0x0ea0f400, FSZ, A64_NRM)           \
    X(FMLA, 0x0e20cc00, FSZ, A64_NRM | A64_NRD)                                   \
    X(FCMEQ, 0x0e20e400, FSZ, A64_NRM) X(FCMGE, 0x2e20e400, FSZ, A64_NRM)         \
    X(FCMGT, 0x2ea0e400, FSZ, A64_NRM)                                            \
    /* two registers */                                                           \
    X(ABS, 0x0e20b800, SZ, 0) X(NEG, 0x2e20b800, SZ, 0) X(CNT, 0x0e205800, Q, 0)  \
    X(NOT, 0x2e205800, Q, 0) X(CMEQZ, 0x0e209800, SZ, 0)                          \
    X(CMGEZ, 0x2e208800, SZ, 0) X(CMGTZ, 0x0e208800, SZ, 0)                       \
    X(CMLEZ, 0x2e209800, SZ, 0) X(CMLTZ, 0x0e20a800, SZ, 0)                       \
    X(REV64, 0x0e200800, SZ, 0) X(SADDLP, 0x0e202800, SZ, 0)                      \
    X(UADDLP, 0x2e202800, SZ, 0) X(SHLL, 0x2e213800, SZ, 0)                       \
    X(ADDV, 0x0e31b800, SZ, 0) X(UMAXV, 0x2e30a800, SZ, 0)                        \
    /* narrowing (the arrangement is the narrow result's); the 2 forms write  \
     * the high half and keep the low one */                                      \
    X(XTN, 0x0e212800, SZ, 0) X(SQXTN, 0x0e214800, SZ, 0)                         \
    X(UQXTN, 0x2e214800, SZ, 0) X(SQXTUN, 0x2e212800, SZ, 0)                      \
    X(SQXTN2, 0x4e214800, SZ, A64_NRD) X(UQXTN2, 0x6e214800, SZ, A64_NRD)         \
    X(SQXTUN2, 0x6e212800, SZ, A64_NRD)                                           \
    X(FABS, 0x0ea0f800, FSZ, 0) X(FNEG, 0x2ea0f800, FSZ, 0)                       \
    X(FSQRT, 0x2ea1f800, FSZ, 0) X(FRINTN, 0x0e218800, FSZ, 0)                    \
    X(FRINTM, 0x0e219800, FSZ, 0) X(FRINTP, 0x0ea18800, FSZ, 0)                   \
    X(FRINTZ, 0x0ea19800, FSZ, 0) X(FCVTZS, 0x0ea1b800, FSZ, 0)                   \
    X(FCVTZU, 0x2ea1b800, FSZ, 0) X(SCVTF, 0x0e21d800, FSZ, 0)                    \
    X(UCVTF, 0x2e21d800, FSZ, 0)                                                  \
    /* fcvtn: arrangement 2S/4S (the result), fcvtl: 2S/4S (the source) */     \
    X(FCVTN, 0x0e616800, Q, 0) X(FCVTL, 0x0e617800, Q, 0)                         \
    /* shifts by an immediate; sshll/ushll #0 are sxtl/uxtl */                   \
    X(SSHR, 0x0f000400, SHR, 0) X(USHR, 0x2f000400, SHR, 0)                       \
    X(SHL, 0x0f005400, SHL, 0) X(SLI, 0x2f005400, SHL, A64_NRD)                   \
    X(SSHLL, 0x0f00a400, SHL, 0) X(USHLL, 0x2f00a400, SHL, 0)                     \
    /* lanes: dup element, dup from a gpr, a scalar from a lane, ins from a    \
     * gpr, ins element, umov / smov to a gpr */                                  \
    X(DUP, 0x0e000400, ELEM, 0) X(DUPG, 0x0e000c00, ELEM, 0)                      \
    X(DUPS, 0x5e000400, ELEM, 0) X(INSG, 0x4e001c00, ELEM, A64_NRD)               \
    X(INS, 0x6e000400, INS, A64_NRD) X(UMOV, 0x0e003c00, ELEM, 0)                 \
    X(SMOV, 0x0e002c00, ELEM, 0)                                                  \
    /* movi / mvni / orr / bic (immediate) */                                    \
    X(MOVI, 0x0f000400, IMM, 0)
enum {
#define A64_NX(name, word, form, flags) A64_N_##name,
    A64_NEON(A64_NX)
#undef A64_NX
    A64_N_COUNT
};
typedef struct a64_neon_row { uint32_t word; uint8_t form, flags; } a64_neon_row;
extern const a64_neon_row a64_neon[A64_N_COUNT];

/* Clobber sets (cg_isa.clobbers). */
enum { A64_CLOB_NONE, A64_CLOB_CALL, A64_CLOB_ALL, A64_CLOB_CALL_WIDE };    /* ALL: try_call (nothing survives a throw) */

/* ---- ABI (abi.c): cg_isa's ABI hooks ------------------------------------ */

bool a64_compute_locs(cg_abi *a, ir_callconv cc, const ir_abi_param *params, uint32_t nparams,
                      const ir_abi_param *rets, uint32_t nrets, cg_sig *out, char *what, size_t wn);
unsigned a64_call_clobbers(const cg_ctx *c, ir_callconv cc);
void a64_addi(cg_ctx *c, uint32_t dst, uint32_t src, int64_t imm);

/* ---- lower.c: cg_isa's lowering hooks ------------------------------------ */

bool a64_prepare(cg_lower *L);
bool a64_fuse_cond(const cg_lower *L, uint32_t user, uint32_t def, unsigned how);
int a64_lower_inst(cg_lower *L, uint32_t inst);
extern const bool a64_lower_inst_ops[IR_OP_COUNT];
bool a64_lower_int(cg_lower *L, uint32_t inst, ir_type t);        /* lowerint.c */
bool a64_lower_load(cg_lower *L, uint32_t inst, const cg_access *m);      /* lowermem.c */
bool a64_lower_store(cg_lower *L, uint32_t inst, const cg_access *m);
void a64_branch(cg_lower *L, uint32_t inst, uint32_t lt, uint32_t lf);
bool a64_emit(cg_ctx *c);
/* exn.c: the exception table after return address ret, or NULL */
const uint8_t *a64_exn_table_at(const uint8_t *ret);
/* Label uses (fixup.c): b/bl imm26, b.cond/cbz imm19 and tbz imm14 (at
 * bit 5), in words; out of range, the function is emitted again with long
 * forms (a64_emit). */
enum { A64_FIX_B26 = CG_FIX_ISA, A64_FIX_B19, A64_FIX_B14 };
bool a64_fix_patch(uint8_t *code, uint32_t at, unsigned kind, int64_t delta);

/* ---- lower.c: helpers shared with abi.c and the other lower*.c ---------- */

/* The vreg holding IR value v (an i128: the first of a pair); constants
 * are materialized here, at each use. */
uint32_t a64_put_in_reg(cg_ctx *c, uint32_t v);
uint32_t a64_new_int(cg_ctx *c);
uint32_t a64_new_flt(cg_ctx *c);
uint32_t a64_res(cg_ctx *c, uint32_t inst, unsigned k);
void a64_mov(cg_ctx *c, unsigned size, uint32_t dst, uint32_t src);
uint32_t a64_movi(cg_ctx *c, unsigned size, int64_t imm);
void a64_movi_to(cg_ctx *c, unsigned size, uint32_t dst, int64_t imm);
void a64_alu(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, uint32_t b);
void a64_alu_op2(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, uint32_t b,
                 unsigned op2, unsigned amount);
/* dst = a OP imm for ADD SUB AND ORR EOR (ADDS SUBS ANDS): an immediate
 * form when it encodes, else through a register. */
void a64_alu_imm(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, int64_t imm);
void a64_shift_imm(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, unsigned amount);
void a64_madd(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t n, uint32_t m, uint32_t a);
void a64_cmp(cg_ctx *c, unsigned size, uint32_t a, uint32_t b);
void a64_cmp_imm(cg_ctx *c, unsigned size, uint32_t a, int64_t imm);
/* Flags of a - imm (op SUBS: cmp, or cmn when -imm encodes), a + imm (ADDS)
 * or a & imm (ANDS: tst), through a register when imm does not encode. */
void a64_cmpi_op(cg_ctx *c, unsigned op, unsigned size, uint32_t a, int64_t imm);
void a64_csel(cg_ctx *c, unsigned cc, unsigned variant, unsigned size, uint32_t dst, uint32_t t, uint32_t f);
void a64_cset(cg_ctx *c, unsigned cc, uint32_t dst);
void a64_csetm(cg_ctx *c, unsigned cc, unsigned size, uint32_t dst);
/* Flags for "r (bits wide) is nonzero"; returns NE. */
unsigned a64_test_nonzero(cg_ctx *c, uint32_t r, unsigned bits);
/* Whether v is defined by an instruction of opcode op that is fused into
 * its use (lowered there); *d gets that instruction. */
bool a64_folded(cg_lower *L, uint32_t v, unsigned op, uint32_t *d);
void a64_unary(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a);
void a64_trapif(cg_ctx *c, unsigned cc, unsigned code);
/* Zero- or sign-extend the low `bits` of r to `to` bytes (4 or 8), new vreg. */
void a64_extend_into(cg_ctx *c, uint32_t d, uint32_t r, unsigned bits, unsigned to, bool sign);
void a64_mov64(cg_ctx *c, uint32_t dst, uint32_t src);
uint32_t a64_extend(cg_ctx *c, uint32_t r, unsigned bits, unsigned to, bool sign);
/* The A64_OP2_* extension of a `bits`-wide operand. */
unsigned a64_ext_op2(unsigned bits, bool sign);
/* Encodings the lowering checks before choosing an immediate form. */
bool a64_logical_imm(uint64_t x, unsigned size, uint32_t *enc);
bool a64_arith_imm(uint64_t x);
/* Can `a OP imm` take the immediate form (possibly as the opposite op)? */
bool a64_imm_encodes(unsigned op, unsigned size, int64_t imm);
void a64_bfm(cg_ctx *c, unsigned op, unsigned size, uint32_t dst, uint32_t a, unsigned immr, unsigned imms);
/* Flags for x <cc> y on `bits`-wide integers; returns the condition. */
unsigned a64_int_compare(cg_ctx *c, unsigned cc, uint32_t xv, uint32_t yv, unsigned bits);
extern const uint8_t a64_intcc[IR_INTCC_COUNT];

/* ---- lowerfp.c: floating point ------------------------------------------- */

bool a64_lower_float(cg_ctx *c, uint32_t inst, ir_type t);
/* Flags for fcmp `inst`; *cc2 gets a second condition ORed with the first
 * (one, ueq) or A64_AL.  Returns the first. */
unsigned a64_fcmp_flags(cg_ctx *c, uint32_t inst, unsigned *cc2);
bool a64_lower_conv(cg_ctx *c, uint32_t inst);
bool a64_f16_arith(const cg_target *t);
bool a64_native_fconv(const cg_ctx *c, uint32_t inst);
uint32_t a64_fconst(cg_ctx *c, unsigned size, uint64_t bits);
uint32_t a64_fconst_wide(cg_ctx *c, unsigned size, const uint8_t *bytes);

/* ---- lower128.c: i128 as register pairs ----------------------------------- */

/* The i128 hooks lib/codegen/lower128.c lowers through (cg_isa.i128). */
extern const cg_isa_i128 a64_i128;
/* Flags for "i128 vreg pair r is nonzero"; returns the condition. */
unsigned a64_test_i128(cg_ctx *c, uint32_t r);

/* ---- lowerint.c: integer operations --------------------------------------- */
/* clz/ctz/cls/popcnt of the low `bits` of x into dst */
void a64_bitcount(cg_ctx *c, unsigned op, unsigned bits, uint32_t x, uint32_t dst);

bool a64_lower_misc(cg_ctx *c, uint32_t inst, ir_type t);
void a64_lower_div(cg_ctx *c, uint32_t inst, ir_type t);

/* ---- lowermem.c: memory and atomics --------------------------------------- */
bool a64_lower_atomic(cg_ctx *c, uint32_t inst, ir_type t);

/* ---- lowervec.c: vectors with Neon ----------------------------------------- */

/* A vector clifrun lowers: 2 to 16 bytes of i8..i64, f32 or f64 lanes (a
 * dynamic one as its base type). */
bool a64_vec_type(ir_type t);
/* Whether lowervec.c lowers inst (an operand or result is a vector). */
bool a64_is_vector_inst(const cg_ctx *c, uint32_t inst);
bool a64_lower_vector(cg_lower *L, uint32_t inst);
/* The op, a:b:c, cmode and d:e:f:g:h fields (A64_NF_IMM) of a movi or
 * mvni that puts the 8 bytes x in each half of a register, if one does. */
bool a64_movi_fields(uint64_t x, int64_t *imm);
/* d = cc ? x : y for vectors of type t, the flags set. */
void a64_vselect(cg_ctx *c, unsigned cc, ir_type t, uint32_t d, uint32_t x, uint32_t y);

/* ---- emit.c: encoding (and exn.c) ---------------------------------------- */

typedef struct em {
    cg_ctx *c;
    cg_buf *b;
    const cg_inst *in;      /* being emitted (NULL for the allocator's moves) */
    uint32_t locals;        /* sub sp, after the saved registers */
    uint8_t saved[64];      /* callee-saved registers pushed, in order */
    unsigned nsaved;
    uint32_t frame_off;     /* fp - sp in the body */
    bool long_br;           /* second attempt: long branches, inline traps */
    bool pac, pac_zero;     /* sign the return address; with the zero modifier (tail) */
    bool frameless;         /* a leaf without a frame (no fp/lr record) */
    bool ok;
    cg_need need;           /* ISA flags a word needed that the target lacks (a64_put) */
} em;

/* Append an instruction word; one the target's ISA flags do not allow
 * (LSE, FEAT_FP16, PAuth beyond the hint space, dot product) is refused at
 * the end of the emission with a located error, never left to SIGILL. */
void a64_put(em *e, uint32_t w);
/* Record the current instruction's trap code (imm) at the next word. */
void a64_trap_here(em *e);
/* The register allocated to operand k. */
unsigned a64_R(em *e, unsigned k);
void a64_enc_movi(em *e, unsigned rd, unsigned size, uint64_t x);
void a64_enc_alu(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned rm, unsigned op2,
                 unsigned amount);
void a64_enc_alui(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, uint64_t imm);
void a64_enc_bfm(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned immr, unsigned imms);
void a64_enc_shift(em *e, unsigned op, unsigned size, unsigned rd, unsigned rn, unsigned n);
void a64_add_imm(em *e, unsigned rd, unsigned rn, int64_t imm);
void a64_ldst(em *e, unsigned kind, bool fp, unsigned width, unsigned rt, unsigned base, int64_t disp);
void a64_sp_adjust(em *e, int64_t n);
void a64_teardown(em *e, uint32_t pop);
void a64_b(em *e, uint32_t label);
void a64_bcc_word(em *e, uint32_t word, uint32_t inverted, bool tbz, uint32_t label);
void a64_bcond(em *e, unsigned cc, uint32_t label);
void a64_trap_if(em *e, unsigned cc, uint32_t code);
void a64_fmovi(em *e, unsigned rd, unsigned size, uint64_t bits);

/* The word after a try_call's bl (its return address) is a branch over
 * the call site's exception table: A64_EXN_MAGIC, fp - sp before
 * realignment, the count, the alignment of sp (sp = (fp - that) & -align),
 * then per handler its kind (IR_EXN_TAG / IR_EXN_DEFAULT), tag and offset
 * from the return address.  cg_exn_handler reads it. */
#define A64_EXN_MAGIC 0xC1F7E8A5u

/* The word of Neon operation op (A64_N_*) in arrangement arr */
uint32_t a64_neon_word(unsigned op, unsigned arr, unsigned rd, unsigned rn, unsigned rm, int64_t imm);
void a64_emit_vop(em *e);
void a64_emit_vconst(em *e);
void a64_vmov(em *e, unsigned rd, unsigned rn);     /* all 128 bits */

/* the longer sequences; exn.c: a try_call's exception table */
void a64_emit_exn_table(em *e);
void a64_emit_brtable(em *e);
void a64_emit_retcall(em *e);
void a64_emit_rmw_loop(em *e);
void a64_emit_cas_loop(em *e);
void a64_emit_lse(em *e);
void a64_emit_rmw128(em *e);

#endif
