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

/* The SSE instructions of the X64_V* forms, by their encoding (x64.h's
 * XV_*: map and opcode, mandatory prefix, REX.W, the /digit of a shift by
 * an immediate); tests/x64emit_test.c checks each name against capstone. */
#define NP(o) (0x0f00 | (o))
#define S66(o) (XV_66 | 0x0f00 | (o))
#define S38(o) (XV_66 | 0x0f3800 | (o))
#define S3A(o) (XV_66 | 0x0f3a00 | (o))
#define SF2(o) (XV_F2 | 0x0f00 | (o))
#define SF3(o) (XV_F3 | 0x0f00 | (o))
#define X64_SSE_OPS(X) \
    X(NP(0x10), movups) X(NP(0x11), movups) X(NP(0x12), movhlps) X(NP(0x14), unpcklps) \
    X(NP(0x15), unpckhps) X(NP(0x16), movlhps) X(NP(0x28), movaps) X(NP(0x29), movaps) \
    X(NP(0x50), movmskps) X(NP(0x51), sqrtps) X(NP(0x54), andps) X(NP(0x55), andnps) \
    X(NP(0x56), orps) X(NP(0x57), xorps) X(NP(0x58), addps) X(NP(0x59), mulps) \
    X(NP(0x5a), cvtps2pd) X(NP(0x5b), cvtdq2ps) X(NP(0x5c), subps) X(NP(0x5d), minps) \
    X(NP(0x5e), divps) X(NP(0x5f), maxps) X(NP(0xc2), cmpps) X(NP(0xc6), shufps) \
    X(S66(0x10), movupd) X(S66(0x14), unpcklpd) X(S66(0x15), unpckhpd) X(S66(0x28), movapd) \
    X(S66(0x50), movmskpd) X(S66(0x51), sqrtpd) X(S66(0x54), andpd) X(S66(0x55), andnpd) \
    X(S66(0x56), orpd) X(S66(0x57), xorpd) X(S66(0x58), addpd) X(S66(0x59), mulpd) \
    X(S66(0x5a), cvtpd2ps) X(S66(0x5b), cvtps2dq) X(S66(0x5c), subpd) X(S66(0x5d), minpd) \
    X(S66(0x5e), divpd) X(S66(0x5f), maxpd) X(S66(0x60), punpcklbw) X(S66(0x61), punpcklwd) \
    X(S66(0x62), punpckldq) X(S66(0x63), packsswb) X(S66(0x64), pcmpgtb) X(S66(0x65), pcmpgtw) \
    X(S66(0x66), pcmpgtd) X(S66(0x67), packuswb) X(S66(0x68), punpckhbw) X(S66(0x69), punpckhwd) \
    X(S66(0x6a), punpckhdq) X(S66(0x6b), packssdw) X(S66(0x6c), punpcklqdq) \
    X(S66(0x6d), punpckhqdq) X(S66(0x6e), movd) X(S66(0x6e) | XV_W, movq) X(S66(0x6f), movdqa) \
    X(S66(0x70), pshufd) X(S66(0x71) | XV_DIGIT(2), psrlw) X(S66(0x71) | XV_DIGIT(4), psraw) \
    X(S66(0x71) | XV_DIGIT(6), psllw) X(S66(0x72) | XV_DIGIT(2), psrld) \
    X(S66(0x72) | XV_DIGIT(4), psrad) X(S66(0x72) | XV_DIGIT(6), pslld) \
    X(S66(0x73) | XV_DIGIT(2), psrlq) X(S66(0x73) | XV_DIGIT(3), psrldq) \
    X(S66(0x73) | XV_DIGIT(6), psllq) X(S66(0x73) | XV_DIGIT(7), pslldq) X(S66(0x74), pcmpeqb) \
    X(S66(0x75), pcmpeqw) X(S66(0x76), pcmpeqd) X(S66(0x7e), movd) X(S66(0x7e) | XV_W, movq) \
    X(S66(0x7f), movdqa) X(S66(0xc2), cmppd) X(S66(0xc4), pinsrw) X(S66(0xc5), pextrw) \
    X(S66(0xc6), shufpd) X(S66(0xd1), psrlw) X(S66(0xd2), psrld) X(S66(0xd3), psrlq) \
    X(S66(0xd4), paddq) X(S66(0xd5), pmullw) X(S66(0xd6), movq) X(S66(0xd7), pmovmskb) \
    X(S66(0xd8), psubusb) X(S66(0xd9), psubusw) X(S66(0xda), pminub) X(S66(0xdb), pand) \
    X(S66(0xdc), paddusb) X(S66(0xdd), paddusw) X(S66(0xde), pmaxub) X(S66(0xdf), pandn) \
    X(S66(0xe0), pavgb) X(S66(0xe1), psraw) X(S66(0xe2), psrad) X(S66(0xe3), pavgw) \
    X(S66(0xe4), pmulhuw) X(S66(0xe5), pmulhw) X(S66(0xe6), cvttpd2dq) X(S66(0xe8), psubsb) \
    X(S66(0xe9), psubsw) X(S66(0xea), pminsw) X(S66(0xeb), por) X(S66(0xec), paddsb) \
    X(S66(0xed), paddsw) X(S66(0xee), pmaxsw) X(S66(0xef), pxor) X(S66(0xf1), psllw) \
    X(S66(0xf2), pslld) X(S66(0xf3), psllq) X(S66(0xf4), pmuludq) X(S66(0xf5), pmaddwd) \
    X(S66(0xf6), psadbw) X(S66(0xf8), psubb) X(S66(0xf9), psubw) X(S66(0xfa), psubd) \
    X(S66(0xfb), psubq) X(S66(0xfc), paddb) X(S66(0xfd), paddw) X(S66(0xfe), paddd) \
    X(SF2(0x10), movsd) X(SF2(0x12), movddup) X(SF2(0x70), pshuflw) X(SF2(0xe6), cvtpd2dq) \
    X(SF2(0x5a), cvtsd2ss) X(SF2(0x51), sqrtsd) X(SF3(0x10), movss) X(SF3(0x5b), cvttps2dq) \
    X(SF3(0x70), pshufhw) X(SF3(0x7e), movq) X(SF3(0xe6), cvtdq2pd) X(SF3(0x5a), cvtss2sd) \
    X(SF3(0x51), sqrtss) X(S38(0x00), pshufb) X(S38(0x04), pmaddubsw) X(S38(0x0b), pmulhrsw) \
    X(S38(0x10), pblendvb) X(S38(0x14), blendvps) X(S38(0x15), blendvpd) X(S38(0x17), ptest) \
    X(S38(0x1c), pabsb) X(S38(0x1d), pabsw) X(S38(0x1e), pabsd) X(S38(0x20), pmovsxbw) \
    X(S38(0x21), pmovsxbd) X(S38(0x22), pmovsxbq) X(S38(0x23), pmovsxwd) X(S38(0x24), pmovsxwq) \
    X(S38(0x25), pmovsxdq) X(S38(0x28), pmuldq) X(S38(0x29), pcmpeqq) X(S38(0x2b), packusdw) \
    X(S38(0x30), pmovzxbw) X(S38(0x31), pmovzxbd) X(S38(0x32), pmovzxbq) X(S38(0x33), pmovzxwd) \
    X(S38(0x34), pmovzxwq) X(S38(0x35), pmovzxdq) X(S38(0x37), pcmpgtq) X(S38(0x38), pminsb) \
    X(S38(0x39), pminsd) X(S38(0x3a), pminuw) X(S38(0x3b), pminud) X(S38(0x3c), pmaxsb) \
    X(S38(0x3d), pmaxsd) X(S38(0x3e), pmaxuw) X(S38(0x3f), pmaxud) X(S38(0x40), pmulld) \
    X(S3A(0x08), roundps) X(S3A(0x09), roundpd) X(S3A(0x0a), roundss) X(S3A(0x0b), roundsd) \
    X(S3A(0x0c), blendps) X(S3A(0x0d), blendpd) X(S3A(0x0e), pblendw) X(S3A(0x0f), palignr) \
    X(S3A(0x14), pextrb) X(S3A(0x15), pextrw) X(S3A(0x16), pextrd) X(S3A(0x16) | XV_W, pextrq) \
    X(S3A(0x17), extractps) X(S3A(0x20), pinsrb) X(S3A(0x21), insertps) X(S3A(0x22), pinsrd) \
    X(S3A(0x22) | XV_W, pinsrq)
static const uint64_t sse_keys[] = {
#define X(key, name) (uint64_t)(key),
    X64_SSE_OPS(X)
#undef X
};
static const char *const n_sse_ops[] = {
#define X(key, name) #name,
    X64_SSE_OPS(X)
#undef X
};
#define XV_KEY_MASK (0xffffffull | 7ull << 24 | (uint64_t)XV_W | 7ull << 40)

#define T(t) {.name = #t, .v = n_##t, .n = sizeof n_##t / sizeof *n_##t}
const cg_names x64_names[] = {
    T(alu), T(cond), T(shift), T(unary), T(bitop), T(ld), T(ext), T(sign), T(cvt), T(div), T(sse),
    T(xbit), T(shld), T(minmax), T(xadd), T(fma), T(f16c), T(flags), T(try), T(retcall), T(rmw),
    {.name = "vop", .v = n_sse_ops, .n = sizeof sse_keys / sizeof *sse_keys, .keys = sse_keys, .mask = XV_KEY_MASK},
    {.name = NULL},
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
