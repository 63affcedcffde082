/* Literals: integers with range checks, floats, vector and hex constants,
 * and run-line data values.  Each kind of immediate follows the rules of
 * the Cranelift function that reads it (parser.rs match_imm*, immediates.rs
 * parse_i64 / parse_u64 / parse_float, constant.rs) and reports its errors
 * in the same words. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef unsigned __int128 u128;

/* ---- integers -------------------------------------------------------------- */

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static u128 mask(unsigned bits) { return bits >= 128 ? ~(u128)0 : ((u128)1 << bits) - 1; }

/* Rust's uN::from_str_radix: an optional '+', then at least one digit of the
 * radix, nothing else (with skip_us, '_' is dropped first, as
 * match_imm!'s text.replace("_", "") does for hex). */
static bool rust_uint(const char *s, size_t n, unsigned radix, unsigned bits, bool skip_us, u128 *out)
{
    if (n && s[0] == '+')
        s++, n--;
    u128 v = 0, max = mask(bits);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (skip_us && s[i] == '_')
            continue;
        int d = digit_value(s[i]);
        if (d < 0 || (unsigned)d >= radix || v > (max - (unsigned)d) / radix)
            return false;
        v = v * radix + (unsigned)d;
        any = true;
    }
    *out = v;
    return any;
}

/* immediates.rs parse_u64: decimal or 0x hex, '_' anywhere; NULL or why not. */
static const char *parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    unsigned digits = 0;
    if (n >= 3 && !memcmp(s, "-0x", 3))
        return "Invalid character in hexadecimal number";
    if (n >= 2 && !memcmp(s, "0x", 2)) {
        for (size_t i = 2; i < n; i++) {
            int d = digit_value(s[i]);
            if (d >= 0) {
                if (++digits > 16)
                    return "Too many hexadecimal digits";
                v = v << 4 | (unsigned)d;
            } else if (s[i] != '_')
                return "Invalid character in hexadecimal number";
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            if (s[i] >= '0' && s[i] <= '9') {
                unsigned d = (unsigned)(s[i] - '0');
                digits++;
                if (v > (UINT64_MAX - d) / 10)
                    return "Too large decimal number";
                v = v * 10 + d;
            } else if (s[i] != '_')
                return "Invalid character in decimal number";
        }
    }
    if (!digits)
        return "No digits in number";
    *out = v;
    return NULL;
}

/* immediates.rs parse_i64: -2^63 .. 2^64-1, as a bit pattern. */
static const char *parse_i64(const char *s, size_t n, uint64_t *out)
{
    bool neg = n && s[0] == '-';
    if (n && (neg || s[0] == '+'))
        s++, n--;
    const char *err = parse_u64(s, n, out);
    if (err)
        return err;
    if (neg) {
        *out = -*out;
        if ((int64_t)*out > 0)
            return "Negative number too small";
    }
    return NULL;
}

/* Does s (after an optional sign) hold only digits of its radix (and '_'
 * in hex), at least one?  Then a failed parse means a number too large. */
static bool well_formed(const char *s, size_t n)
{
    if (n && (s[0] == '-' || s[0] == '+'))
        s++, n--;
    bool hex = n > 2 && s[0] == '0' && s[1] == 'x', any = false;
    for (size_t i = hex ? 2 : 0; i < n; i++) {
        int d = digit_value(s[i]);
        if (hex ? (d < 0 && s[i] != '_') : (d < 0 || d > 9))
            return false;
        any |= d >= 0;
    }
    return any;
}

/* "immediate 300 out of range for i8 (-128 to 255)": the current token
 * is a number of `bits` bits, signed or unsigned, that does not fit. */
_Noreturn static void out_of_range(parser *p, unsigned bits)
{
    char lo[48], hi[48];
    /* "0x..." or "-0x...": the token is not NUL-terminated (no strstr) */
    const char *t = p->t.text;
    size_t sign = p->t.len > 0 && (t[0] == '-' || t[0] == '+');
    bool cut = p->t.len > 48, hex = p->t.len > sign + 2 && t[sign] == '0' && t[sign + 1] == 'x';
    if (hex) {      /* as written: the largest pattern in hex */
        int k = (int)(bits / 4);
        snprintf(hi, sizeof hi, "0x%.*s", k > 32 ? 32 : k, "ffffffffffffffffffffffffffffffff");
        rd_perr(p, "immediate %.*s%s out of range for i%u (at most %s)", cut ? 45 : (int)p->t.len, p->t.text,
             cut ? "..." : "", bits, hi);
    }
    ir_print_i128(lo, sizeof lo, (__int128)((u128)1 << (bits - 1)) * (bits < 128 ? -1 : 1));
    ir_print_u128(hi, sizeof hi, mask(bits));
    rd_perr(p, "immediate %.*s%s out of range for i%u (%s to %s)", cut ? 45 : (int)p->t.len, p->t.text,
         cut ? "..." : "", bits, lo, hi);
}

/* parser.rs match_imm! (i8, i16, i32, i128): the unsigned type's parse,
 * then the sign; the result is the bit pattern of `bits` bits.  Numbers
 * that do not fit are said to be out of range (Cranelift: "expected
 * decimal immediate", "negative number too small"). */
static u128 match_imm(parser *p, unsigned bits, const char *msg)
{
    if (p->t.kind != T_INT)
        rd_perr_expected(p, "%s", msg);
    const char *s = p->t.text;
    size_t n = p->t.len;
    bool neg = s[0] == '-';
    if (neg || s[0] == '+')
        s++, n--;
    u128 v;
    if (n >= 2 && s[0] == '0' && s[1] == 'x') {
        if (!rust_uint(s + 2, n - 2, 16, bits, true, &v)) {
            if (well_formed(p->t.text, p->t.len))
                out_of_range(p, bits);
            char hex[64];
            size_t k = 0;
            for (size_t i = 2; i < n && k < sizeof hex - 4; i++)
                if (s[i] != '_')
                    hex[k++] = s[i];
            strcpy(hex + k, k == sizeof hex - 4 ? "..." : "");
            rd_perr(p, "unable to parse '%s' value as a hexadecimal u%u immediate", hex, bits);
        }
    } else if (!rust_uint(s, n, 10, bits, false, &v)) {
        if (well_formed(p->t.text, p->t.len))
            out_of_range(p, bits);
        rd_perr(p, "expected decimal immediate");
    }
    if (neg) {
        v = -v & mask(bits);
        /* wrapping_neg() as iN must not come out positive */
        if (v && !(v >> (bits - 1)))
            out_of_range(p, bits);
    }
    rd_lex_next(p);
    return v;
}

/* The common cases of an integer token: a plain decimal of at most 18
 * digits or 0x and at most 16 hex digits, which cannot overflow, into *v;
 * false for any other form. */
bool rd_plain_number(const char *t, uint32_t n, uint64_t *v)
{
    uint64_t r = 0;
    if (n > 2 && n <= 18 && t[0] == '0' && t[1] == 'x') {   /* up to 16 hex digits, no '_' */
        for (uint32_t k = 2; k < n; k++) {
            unsigned c = (unsigned char)t[k], d = c - '0';
            if (d > 9) {
                d = (c | 0x20) - 'a';
                if (d > 5)
                    return false;
                d += 10;
            }
            r = r << 4 | d;
        }
        *v = r;
        return true;
    }
    if (n > 18 || t[0] < '0' || t[0] > '9' || t[1 % n] == 'x')
        return false;
    for (uint32_t k = 0; k < n; k++) {
        if (t[k] < '0' || t[k] > '9')
            return false;
        r = r * 10 + (uint64_t)(t[k] - '0');
    }
    *v = r;
    return true;
}

static inline bool plain_number(const parser *p, uint64_t *v) { return rd_plain_number(p->t.text, p->t.len, v); }

/* An integer of a type: match_imm! for i8/i16/i32/i128, Imm64 for i64. */
static u128 int_token(parser *p, unsigned bits, const char *msg)
{
    if (p->t.kind != T_INT)
        rd_perr_expected(p, "%s", msg);
    /* the common forms first: an optional '-' and a plain number that fits
     * (Imm64 takes no negative hex); anything else as Cranelift reads it */
    const char *s = p->t.text;
    uint32_t n = p->t.len, neg = s[0] == '-';
    uint64_t v = 0;
    u128 max = mask(bits);
    bool hex = n > neg + 1 && s[neg + 1] == 'x';
    if (n > neg && rd_plain_number(s + neg, n - neg, &v) && v <= max &&
        (!neg || (v <= (max >> 1) + 1 && !(bits == 64 && hex)))) {
        rd_lex_next(p);
        return neg ? -(u128)v & max : v;
    }
    if (bits != 64)
        return match_imm(p, bits, msg);
    const char *err = parse_i64(p->t.text, p->t.len, &v);
    if (err && (!strcmp(err, "Too large decimal number") || !strcmp(err, "Too many hexadecimal digits") ||
                !strcmp(err, "Negative number too small")))
        out_of_range(p, 64);
    if (err)
        rd_perr(p, "%s", err);
    rd_lex_next(p);
    return v;
}

uint64_t rd_parse_imm(parser *p, unsigned bits, const char *msg) { return (uint64_t)int_token(p, bits, msg); }

uint8_t rd_match_uimm8(parser *p, const char *msg)
{
    if (p->t.kind != T_INT)
        rd_perr_expected(p, "%s", msg);
    u128 v;
    if (p->t.len >= 2 && !memcmp(p->t.text, "0x", 2)) {
        if (!rust_uint(p->t.text + 2, p->t.len - 2, 16, 8, false, &v))
            rd_perr(p, "unable to parse u8 as a hexadecimal immediate");
    } else if (!rust_uint(p->t.text, p->t.len, 10, 8, false, &v)) {
        rd_perr(p, "expected u8 decimal immediate");
    }
    rd_lex_next(p);
    return (uint8_t)v;
}

uint32_t rd_match_uimm32(parser *p, const char *msg)
{
    if (p->t.kind != T_INT)
        rd_perr_expected(p, "%s", msg);
    uint64_t v = 0;
    if (!plain_number(p, &v)) {
        const char *err = parse_i64(p->t.text, p->t.len, &v);
        if (err)
            rd_perr(p, "%s", err);
    }
    if ((int64_t)v < 0 || v > UINT32_MAX)
        rd_perr(p, "Uimm32 out of range");
    rd_lex_next(p);
    return (uint32_t)v;
}

uint64_t rd_match_uimm64(parser *p, const char *msg)
{
    if (p->t.kind != T_INT)
        rd_perr_expected(p, "%s", msg);
    uint64_t v;
    if (parse_u64(p->t.text, p->t.len, &v))
        rd_perr(p, "expected u64 decimal immediate");
    rd_lex_next(p);
    return v;
}

uint32_t rd_match_u32_decimal(parser *p, const char *msg, const char *bad)
{
    if (p->t.kind != T_INT)
        rd_perr_expected(p, "%s", msg);
    u128 v;
    if (!rust_uint(p->t.text, p->t.len, 10, 32, false, &v))
        rd_perr(p, "%s", bad);
    rd_lex_next(p);
    return (uint32_t)v;
}

/* Optional `+N` / `-N` offset: Offset32 (bits 32) or Imm64 (bits 64); the
 * sign is what tells an offset from the next operand, as in Cranelift. */
int64_t rd_optional_offset(parser *p, unsigned bits)
{
    if (p->t.kind != T_INT || (p->t.text[0] != '+' && p->t.text[0] != '-'))
        return 0;
    uint64_t v;
    const char *err = parse_i64(p->t.text, p->t.len, &v);
    if (err)
        rd_perr(p, "%s", err);
    if (bits == 32 && (int64_t)v != (int32_t)v)
        rd_perr(p, "Offset out of range");
    rd_lex_next(p);
    return (int64_t)v;
}

/* ---- floats -------------------------------------------------------------------- */

/* A float literal of `bits` bits (Cranelift's lexer makes it a float token:
 * it has a '.', or is Inf / NaN); msg when the token is something else. */
/* A decimal number, [+-]digits[.digits][e[+-]digits], as an f32 or f64
 * correctly rounded (strtof/strtod); false if s is not one.  Beyond the
 * largest finite value is an error. */
static bool decimal_float(parser *p, unsigned bits, uint8_t *out)
{
    const char *s = p->t.text;
    size_t n = p->t.len, i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = ++i;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            e = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return false;
    }
    if (i != n || n > 400)
        return false;
    char buf[408];
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    if (bits == 32) {
        float f = strtof(buf, NULL);
        if (isinf(f))
            rd_perr(p, "%s is out of range for f32 (at most 3.40282347e38)", buf);
        memcpy(out, &f, 4);
    } else {
        double d = strtod(buf, NULL);
        if (isinf(d))
            rd_perr(p, "%s is out of range for f64 (at most 1.7976931348623157e308)", buf);
        memcpy(out, &d, 8);
    }
    return true;
}

void rd_parse_float(parser *p, unsigned bits, uint8_t *out, const char *msg)
{
    /* -e and the REPL also take decimals (Cranelift's files: hex only) */
    if (p->decimal_floats && (p->t.kind == T_INT || p->t.kind == T_FLOAT)) {
        const char *s = p->t.text + (p->t.text[0] == '-' || p->t.text[0] == '+');
        bool hex = s[0] == '0' && s + 1 < p->t.text + p->t.len && s[1] == 'x';
        if (!hex && (bits == 32 || bits == 64)) {
            if (decimal_float(p, bits, out)) {
                rd_lex_next(p);
                return;
            }
            if ((s[0] >= '0' && s[0] <= '9') || s[0] == '.')
                rd_perr(p, "`%.*s` is neither a decimal number (1.5, 2, 1e-3) nor a hex float (0x1.8p1)",
                     (int)(p->t.len > 60 ? 60 : p->t.len), p->t.text);
        }
        if (!hex && s[0] >= '0' && s[0] <= '9' && (bits == 16 || bits == 128))
            rd_perr(p, "decimal values are read for f32 and f64; write an f%u in hex, e.g. 0x1.8p1", bits);
    }
    if (p->t.kind != T_FLOAT)
        rd_perr_expected(p, "%s", msg);
    const char *why = ir_parse_ieee(p->t.text, p->t.len, bits, out);
    if (why)
        rd_perr(p, "%s", why);
    rd_lex_next(p);
}

/* ---- literals of a type: run-line values and vector immediates ------------ */

static void put_le(uint8_t *out, u128 v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        out[i] = (uint8_t)v;
}

/* One scalar of type t: a run-line value (parse_data_value) or a lane of a
 * vector literal (parse_literals_to_constant_data), each with its words. */
static void parse_scalar(parser *p, ir_type t, uint8_t *out, bool lane)
{
    static const char *const value_msg[] = {"", "expected a i8", "expected an i16", "expected an i32",
                                            "expected an i64", "expected an i128", "expected an f16",
                                            "expected an f32", "expected an f64", "expected an f128"};
    static const char *const lane_msg[] = {"", "Expected an 8-bit integer", "Expected a 16-bit integer",
                                           "Expected a 32-bit integer", "Expected a 64-bit integer",
                                           "Expected a type of: float, int, bool", "Expected a 16-bit float",
                                           "Expected a 32-bit float", "Expected a 64-bit float",
                                           "Expected a type of: float, int, bool"};
    unsigned k = ir_type_lane(t); /* IR_I8 .. IR_F128: 1 .. 9 */
    const char *msg = lane ? lane_msg[k] : value_msg[k];
    if (lane && (k == 5 || k == 9))
        rd_perr_expected(p, "%s", msg);
    if (ir_type_is_int(t))
        put_le(out, int_token(p, ir_type_lane_bits(t), msg), ir_type_bytes(t));
    else
        rd_parse_float(p, ir_type_lane_bits(t), out, msg);
}

/* A hex constant (0x...) as constant.rs ConstantData::from_str reads it:
 * an even number of digits, at most 32; bytes little endian.  Returns the
 * number of bytes. */
unsigned rd_parse_hex_bytes(parser *p, uint8_t out[16], const char *msg)
{
    if (p->t.kind != T_INT)
        rd_perr_expected(p, "%s", msg);
    const char *s = p->t.text, *why = NULL;
    size_t n = p->t.len, digits = 0;
    for (size_t i = 2; i < n; i++)
        digits += s[i] != '_';
    if (n <= 2 || memcmp(s, "0x", 2))
        why = "Expected a hexadecimal string, e.g. 0x1234";
    else if (!digits)
        why = "Hexadecimal string must have some digits";
    else if (digits % 2)
        why = "Hexadecimal string must have an even number of digits";
    else if (digits > 32)
        why = "Hexadecimal string has too many digits to fit in a 128-bit vector";
    if (why)
        rd_perr(p, "expected hexadecimal immediate, failed to parse: %s", why);
    memset(out, 0, 16);
    unsigned nibble = 0;
    for (size_t i = n; i > 2; i--) {
        if (s[i - 1] == '_')
            continue;
        int d = digit_value(s[i - 1]);
        if (d < 0)
            rd_perr(p, "expected hexadecimal immediate, failed to parse: Unable to parse as hexadecimal");
        out[nibble / 2] |= (uint8_t)(d << (4 * (nibble & 1)));
        nibble++;
    }
    rd_lex_next(p);
    return (unsigned)digits / 2;
}

/* parser.rs match_uimm128: `[lane lane ...]` or a hex constant, exactly
 * the size of t (a shorter hex constant is zero-extended). */
void rd_parse_uimm128(parser *p, ir_type t, uint8_t out[16])
{
    unsigned size = ir_type_bytes(t);
    if (size > 16)
        rd_perr(p, "vectors larger than 128 bits are not currently supported");
    if (rd_accept(p, T_LBRACKET)) {
        if (!ir_type_is_vector(t))
            rd_perr(p, "Expected a controlling vector type, not %s", ir_type_name(t, (char[16]){0}));
        unsigned lb = ir_type_bytes(ir_type_lane(t));
        for (unsigned i = 0; i < ir_type_lanes(t); i++)
            parse_scalar(p, ir_type_lane(t), out + i * lb, true);
        rd_expect(p, T_RBRACKET, "expected a terminating right bracket");
    } else {
        uint32_t line = p->t.line, col = p->t.col;
        if (rd_parse_hex_bytes(p, out, "expected an immediate hexadecimal operand") > size)
            rd_perr_at(p, line, col, "expected parsed constant to have %u bytes", size);
    }
}

void rd_parse_data_value(parser *p, ir_type t, ir_data_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    if (ir_type_is_vector(t))
        rd_parse_uimm128(p, t & 0xff, out->bytes);
    else
        parse_scalar(p, t, out->bytes, false);
}
