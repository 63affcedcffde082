/* Literals: integers with range checks, floats, vector and hex constants,
 * and run-line data values. */
#include <string.h>

#include "internal.h"

/* ---- integers -------------------------------------------------------------- */

/* Parse the current integer token as a `bits`-wide immediate: decimal or hex,
 * optional sign, `_` separators.  Unsigned and signed ranges are both
 * accepted, as Cranelift's match_imm does; the result is the two's
 * complement bit pattern. */
static unsigned __int128 int_token(parser *p, unsigned bits, const char *msg)
{
    if (p->t.kind != T_INT)
        perr(p, "%s", msg);
    unsigned __int128 v;
    bool neg;
    if (!ir_parse_int128(p->t.text, p->t.len, &v, &neg))
        perr(p, "unable to parse '%.*s' as an integer", (int)p->t.len, p->t.text);
    if (!ir_int_fits(v, neg, bits))
        perr(p, "'%.*s' is out of range for a %u-bit immediate", (int)p->t.len, p->t.text, bits);
    lex_next(p);
    if (neg)
        v = -v;
    if (bits < 128)
        v &= ((unsigned __int128)1 << bits) - 1;
    return v;
}

uint64_t parse_imm(parser *p, unsigned bits, const char *msg) { return (uint64_t)int_token(p, bits, msg); }


/* Unsigned decimal (or hex) without sign, e.g. sizes and entity numbers. */
uint32_t match_uimm32(parser *p, const char *msg)
{
    if (p->t.kind != T_INT || p->t.text[0] == '-' || p->t.text[0] == '+')
        perr(p, "%s", msg);
    return (uint32_t)sext64(parse_imm(p, 32, msg), 64);
}

/* Optional `+N` / `-N` offset (the sign is required, as in Cranelift). */
int64_t optional_offset(parser *p, unsigned bits)
{
    if (p->t.kind == T_INT && (p->t.text[0] == '+' || p->t.text[0] == '-')) {
        unsigned __int128 v;
        bool neg;
        if (!ir_parse_int128(p->t.text, p->t.len, &v, &neg) ||
            (neg ? v > ((unsigned __int128)1 << (bits - 1)) : v >= ((unsigned __int128)1 << (bits - 1))))
            perr(p, "offset '%.*s' out of range for a %u-bit offset", (int)p->t.len, p->t.text, bits);
        lex_next(p);
        return neg ? -(int64_t)v : (int64_t)v;
    }
    return 0;
}

/* ---- literals of a type: run-line values and vector immediates ------------ */

void parse_float(parser *p, unsigned bits, uint8_t *out)
{
    static const char *const msg[] = {"expected an f16", "expected an f32", "expected an f64", "expected an f128"};
    const char *m = msg[bits == 16 ? 0 : bits == 32 ? 1 : bits == 64 ? 2 : 3];
    if (p->t.kind != T_FLOAT && p->t.kind != T_INT)
        perr(p, "%s", m);
    if (!ir_parse_ieee(p->t.text, p->t.len, bits, out))
        perr(p, "invalid %u-bit float literal '%.*s'", bits, (int)p->t.len, p->t.text);
    lex_next(p);
}

static void put_le(uint8_t *out, unsigned __int128 v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        out[i] = (uint8_t)v;
}

static void parse_scalar(parser *p, ir_type t, uint8_t *out)
{
    static const char *const imsg[] = {"", "expected a i8", "expected an i16", "expected an i32",
                                       "expected an i64", "expected an i128"};
    if (ir_type_is_int(t))
        put_le(out, int_token(p, ir_type_lane_bits(t), imsg[ir_type_lane(t)]), ir_type_bytes(t));
    else
        parse_float(p, ir_type_lane_bits(t), out);
}

/* A hex constant (0x...) into `size` bytes, little endian, zero-extended. */
void parse_hex_bytes(parser *p, uint8_t *out, unsigned size)
{
    if (p->t.kind != T_INT || p->t.len < 3 || p->t.text[0] != '0' || p->t.text[1] != 'x')
        perr(p, "expected an immediate hexadecimal operand");
    memset(out, 0, size);
    unsigned nibble = 0;
    for (uint32_t i = p->t.len; i > 2; i--) {
        char c = p->t.text[i - 1];
        unsigned d;
        if (c == '_')
            continue;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            perr(p, "expected hexadecimal immediate, failed to parse: invalid character '%c'", c);
        if (nibble / 2 >= size) {
            if (d)
                perr(p, "expected parsed constant to have %u bytes", size);
            continue;
        }
        out[nibble / 2] |= (uint8_t)(d << (4 * (nibble & 1)));
        nibble++;
    }
    lex_next(p);
}

void parse_uimm128(parser *p, ir_type t, uint8_t out[16])
{
    unsigned size = ir_type_bytes(t);
    if (size > 16)
        perr(p, "vectors larger than 128 bits are not currently supported");
    if (accept(p, T_LBRACKET)) {
        if (!ir_type_is_vector(t))
            perr(p, "Expected a controlling vector type, not %s", ir_type_name(t, (char[16]){0}));
        ir_type lane = ir_type_lane(t);
        unsigned lb = ir_type_bytes(lane);
        for (unsigned i = 0; i < ir_type_lanes(t); i++)
            parse_scalar(p, lane, out + i * lb);
        expect(p, T_RBRACKET, "expected a terminating right bracket");
    } else {
        parse_hex_bytes(p, out, size);
    }
}

void parse_data_value(parser *p, ir_type t, ir_data_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    if (ir_type_is_vector(t))
        parse_uimm128(p, t & 0xff, out->bytes);
    else
        parse_scalar(p, t, out->bytes);
}

