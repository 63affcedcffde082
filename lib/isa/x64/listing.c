/* What a VCode listing (lib/codegen/vcprint.c) prints for x86-64: each
 * machine opcode's row of x64inst.def, the names of its cc and aux fields,
 * the memory operand of each addressing mode. */
#include "x64.h"

const cg_inst_info x64_insts[X64_OPCOUNT] = {
#define X(name, mnemonic, layout) [X64_##name] = {mnemonic, layout},
#include "x64inst.def"
#undef X
};

static const char *const n_alu[] = {
    [X64_ADD] = "add", [X64_OR] = "or", [X64_ADC] = "adc", [X64_SBB] = "sbb", [X64_AND] = "and",
    [X64_SUB] = "sub", [X64_XOR] = "xor", [X64_CMPOP] = "cmp", [X64_TEST] = "test", [X64_MULOP] = "imul",
};
static const char *const n_cond[] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};
static const char *const n_shift[] = {
    [X64_ROL] = "rol", [X64_ROR] = "ror", [X64_SHL] = "shl", [X64_SHR] = "shr", [X64_SAR] = "sar",
};
static const char *const n_unary[] = {[X64_NOT] = "not", [X64_NEG] = "neg", [X64_BSWAP] = "bswap"};
static const char *const n_bitop[] = {
    [X64_LZCNT] = "lzcnt", [X64_TZCNT] = "tzcnt", [X64_POPCNT] = "popcnt", [X64_BSR] = "bsr", [X64_BSF] = "bsf",
};
static const char *const n_ld[] = {
    [X64_LD_PLAIN] = "", [X64_LD_ZX] = "zx", [X64_LD_SX] = "sx",
    [X64_LD_64 | X64_LD_PLAIN] = "", [X64_LD_64 | X64_LD_ZX] = "zx", [X64_LD_64 | X64_LD_SX] = "sx64",
};
static const char *const n_ext[] = {"zx", "sx"};
static const char *const n_sign[] = {"u", "s"};
static const char *const n_cvt[] = {"u", "s", "u_sat", "s_sat"};
static const char *const n_div[] = {
    "udiv", "sdiv", "urem", "srem", "udiv_const", "sdiv_const", "urem_const", "srem_const",
};
static const char *const n_sse[] = {
    [X64_SQRT] = "sqrt", [X64_FADD] = "fadd", [X64_FMUL] = "fmul", [X64_FSUB] = "fsub",
    [X64_FMIN] = "fmin", [X64_FDIV] = "fdiv", [X64_FMAX] = "fmax",
};
static const char *const n_xbit[] = {
    [X64_ANDPS] = "andps", [X64_ANDNPS] = "andnps", [X64_ORPS] = "orps", [X64_XORPS] = "xorps",
};
static const char *const n_shld[] = {"shld", "shrd"};
static const char *const n_minmax[] = {"min", "max"};
static const char *const n_xadd[] = {"xadd", "xchg"};
static const char *const n_fma[] = {"fmadd", "fmsub", "fnmadd", "fnmsub"};
static const char *const n_f16c[] = {"vcvtph2ps", "vcvtps2ph"};
static const char *const n_flags[] = {"", "flags_dead"};
static const char *const n_try[] = {"", "try"};
static const char *const n_retcall[] = {"", "indirect"};
static const char *const n_rmw[IR_RMW_COUNT + 1] = {
#define X(name) [IR_RMW_##name] = #name,
    IR_ATOMIC_RMW(X)
#undef X
    [IR_RMW_COUNT] = "cas",
};

#define T(name) {#name, n_##name, sizeof n_##name / sizeof *n_##name, false}
const cg_names x64_names[] = {
    T(alu), T(cond), T(shift), T(unary), T(bitop), T(ld), T(ext), T(sign), T(cvt), T(div), T(sse),
    T(xbit), T(shld), T(minmax), T(xadd), T(fma), T(f16c), T(flags), T(try), T(retcall), T(rmw),
    {NULL, NULL, 0, false},
};
#undef T

const char *const x64_amodes[X64_AM_CONST + 1] = {
    [X64_AM_NONE] = "-",
    [X64_AM_BASE] = "[%b%d]",
    [X64_AM_INDEX] = "[%b + %i*%s%d]",
    [X64_AM_SLOT] = "[ss%a%d]",
    [X64_AM_INARG] = "[inarg%d]",
    [X64_AM_OUTARG] = "[outarg%d]",
    [X64_AM_CONST] = "[const%a]",
};
