/* What a VCode listing (lib/codegen/vcprint.c) prints for AArch64: each
 * machine opcode's row of a64inst.def, the names of its cc and aux fields,
 * the memory operand of each addressing mode. */
#include "a64.h"

const cg_inst_info a64_insts[A64_OPCOUNT] = {
#define X(name, mnemonic, layout) [A64_##name] = {mnemonic, layout},
#include "a64inst.def"
#undef X
};

static const char *const n_alu[] = {
    "add", "adds", "sub", "subs", "and", "ands", "orr", "eor", "bic", "orn", "eon", "bics", "adc", "adcs",
    "sbc", "sbcs", "lslv", "lsrv", "asrv", "rorv", "mul", "smulh", "umulh", "sdiv", "udiv",
};
static const char *const n_op2[] = {
    "", "lsl", "lsr", "asr", "ror", "uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx",
};
static const char *const n_cond[] = {
    "eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al",
};
static const char *const n_madd[] = {"madd", "msub", "smaddl", "umaddl"};
static const char *const n_shift[] = {"lsl", "lsr", "asr", "ror"};
static const char *const n_bfm[] = {"sbfm", "bfm", "ubfm"};
static const char *const n_cmp[] = {[A64_SUBS] = "cmp", [A64_ADDS] = "cmn", [A64_ANDS] = "tst"};
static const char *const n_ccmp[] = {"", "ccmn"};
static const char *const n_csel[] = {"csel", "csinc", "csinv", "csneg"};
static const char *const n_cset[] = {"cset", "csetm"};
static const char *const n_unary[] = {"rbit", "rev16", "rev32", "rev64", "clz", "cls"};
static const char *const n_ld[] = {[A64_LD_ZX] = "", [A64_LD_SX32] = "s", [A64_LD_SX64] = "s64"};
static const char *const n_cbz[] = {"cbz", "cbnz"};
static const char *const n_tbz[] = {"tbz", "tbnz"};
static const char *const n_trapz[] = {"trapz", "trapnz"};
static const char *const n_falu[] = {
    [A64_FMUL] = "fmul", [A64_FDIV] = "fdiv", [A64_FADD] = "fadd", [A64_FSUB] = "fsub",
    [A64_FMAX] = "fmax", [A64_FMIN] = "fmin", [A64_FMAXNM] = "fmaxnm", [A64_FMINNM] = "fminnm",
};
static const char *const n_funary[] = {
    [0] = "fmov", [A64_FABS] = "fabs", [A64_FNEG] = "fneg", [A64_FSQRT] = "fsqrt", [A64_FCVTS] = "fcvt.s",
    [A64_FCVTD] = "fcvt.d", [A64_FCVTH] = "fcvt.h", [A64_FRINTN] = "frintn", [A64_FRINTP] = "frintp",
    [A64_FRINTM] = "frintm", [A64_FRINTZ] = "frintz",
};
static const char *const n_fma[] = {"fmadd", "fmsub", "fnmadd", "fnmsub"};
static const char *const n_sign[] = {"u", "s"};
static const char *const n_vbit[] = {
    [A64_VAND] = "and", [A64_VBIC] = "bic", [A64_VORR] = "orr", [A64_VORN] = "orn", [A64_VEOR] = "eor",
    [A64_VBSL] = "bsl", [A64_VNOT] = "not",
};
static const char *const n_try[] = {"", "try"};
static const char *const n_retcall[] = {"", "indirect"};
static const char *const n_rmw[IR_RMW_COUNT + 3] = {
#define X(name) [IR_RMW_##name] = #name,
    IR_ATOMIC_RMW(X)
#undef X
    [IR_RMW_COUNT] = "cas", [IR_RMW_COUNT + 1] = "load", [IR_RMW_COUNT + 2] = "store",
};
static const char *const n_neon[A64_N_COUNT] = {
#define A64_NX(name, word, form, flags) [A64_N_##name] = #name,
    A64_NEON(A64_NX)
#undef A64_NX
};
static const char *const n_arr[] = {"8b", "16b", "4h", "8h", "2s", "4s", "1d", "2d"};

#define T(t) {.name = #t, .v = n_##t, .n = sizeof n_##t / sizeof *n_##t}
const cg_names a64_names[] = {
    T(alu), T(op2), T(cond), T(madd), T(shift), T(bfm), T(cmp), T(ccmp), T(csel), T(cset), T(unary),
    T(ld), T(cbz), T(tbz), T(trapz), T(falu), T(funary), T(fma), T(sign), T(vbit), T(try),
    T(retcall), T(rmw), T(arr),
    {.name = "neon", .v = n_neon, .n = A64_N_COUNT, .lower = true},    /* A64_NEON's, in lower case */
    {.name = NULL},
};
#undef T

const char *const a64_amodes[A64_AM_OUTARG + 1] = {
    [A64_AM_NONE] = "-",
    [A64_AM_BASE] = "[%b%d]",
    [A64_AM_INDEX] = "[%b + %i%x << %S]",
    [A64_AM_SLOT] = "[ss%a%d]",
    [A64_AM_INARG] = "[inarg%d]",
    [A64_AM_OUTARG] = "[outarg%d]",
};
