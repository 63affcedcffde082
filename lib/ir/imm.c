/* Immediates and literals: Cranelift's IEEE float syntax (immediates.rs
 * parse_float / format_float) and 128-bit integer literals.  Pure functions:
 * no allocation, inputs are (pointer, length) slices. */
#include "ir.h"

#include <string.h>

typedef unsigned __int128 u128;

/* Exponent and trailing-significand widths of binary16/32/64/128. */
static bool ieee_layout(unsigned bits, unsigned *w, unsigned *t)
{
    switch (bits) {
    case 16: *w = 5, *t = 10; return true;
    case 32: *w = 8, *t = 23; return true;
    case 64: *w = 11, *t = 52; return true;
    case 128: *w = 15, *t = 112; return true;
    }
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && !memcmp(s, p, k);
}

static bool equals(const char *s, size_t n, const char *p)
{
    return strlen(p) == n && !memcmp(s, p, n);
}

/* Rust's u128::from_str_radix(s, 16): optional '+', then at least one hex
 * digit, no underscores, error on overflow. */
static bool parse_hex_u128(const char *s, size_t n, u128 *out)
{
    if (n && s[0] == '+')
        s++, n--;
    if (!n)
        return false;
    u128 v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = hexval(s[i]);
        if (d < 0 || (v >> 124))
            return false;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return true;
}

/* Rust's i16::from_str: optional sign, decimal digits, range checked. */
static bool parse_i16(const char *s, size_t n, int *out)
{
    bool neg = false;
    if (n && (s[0] == '+' || s[0] == '-'))
        neg = s[0] == '-', s++, n--;
    if (!n)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
        if (v > 32768)
            return false;
    }
    if (neg)
        v = -v;
    if (v > 32767)
        return false;
    *out = (int)v;
    return true;
}

/* parse_float of immediates.rs: the bit pattern, or Cranelift's reason for
 * refusing s.  Only exact values are accepted: no rounding. */
static const char *parse_float(const char *s, size_t n, unsigned w, unsigned t, u128 *out)
{
    u128 sign = 0;
    if (n && s[0] == '-')
        sign = (u128)1 << (t + w), s++, n--;
    else if (n && s[0] == '+')
        s++, n--;

    if (!has_prefix(s, n, "0x")) {
        u128 max_e = (((u128)1 << w) - 1) << t, quiet = (u128)1 << (t - 1), payload;
        if (equals(s, n, "0.0")) {
            *out = sign;
            return NULL;
        }
        if (equals(s, n, "Inf")) {
            *out = sign | max_e;
            return NULL;
        }
        if (equals(s, n, "NaN")) {
            *out = sign | max_e | quiet;
            return NULL;
        }
        if (has_prefix(s, n, "NaN:0x")) {
            if (!parse_hex_u128(s + 6, n - 6, &payload) || payload >= quiet)
                return "Invalid NaN payload";
            *out = sign | max_e | quiet | payload;
            return NULL;
        }
        if (has_prefix(s, n, "sNaN:0x")) {
            if (!parse_hex_u128(s + 7, n - 7, &payload) || payload == 0 || payload >= quiet)
                return "Invalid sNaN payload";
            *out = sign | max_e | payload;
            return NULL;
        }
        return "Float must be hexadecimal";
    }
    s += 2, n -= 2;

    unsigned digits = 0;
    int before_period = -1;
    u128 sig = 0;
    int exponent = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (before_period >= 0)
                return "Multiple radix points";
            before_period = (int)digits;
        } else if (c == 'p') {
            if (!parse_i16(s + i + 1, n - i - 1, &exponent))
                return "Bad exponent";
            break;
        } else {
            int d = hexval(c);
            if (d < 0)
                return "Invalid character";
            if (++digits > 32)
                return "Too many digits";
            sig = sig << 4 | (unsigned)d;
        }
    }
    if (digits == 0)
        return "No digits";
    if (sig == 0) {
        *out = sign;
        return NULL;
    }
    if (before_period >= 0)
        exponent -= 4 * ((int)digits - before_period);

    /* normalize to t+1 significant bits, refusing to drop set bits */
    uint64_t hi = (uint64_t)(sig >> 64);   /* sig != 0 */
    unsigned sigbits = hi ? 128u - (unsigned)__builtin_clzll(hi) : 64u - (unsigned)__builtin_clzll((uint64_t)sig);
    if (sigbits > t + 1) {
        unsigned adjust = sigbits - (t + 1);
        if (sig & (((u128)1 << adjust) - 1))
            return "Too many significant bits";
        sig >>= adjust;
        exponent += (int)adjust;
    } else {
        unsigned adjust = t + 1 - sigbits;
        sig <<= adjust;
        exponent -= (int)adjust;
    }
    u128 tbits = sig & (((u128)1 << t) - 1);
    int max_exp = (1 << w) - 2, bias = (1 << (w - 1)) - 1;
    exponent += bias + (int)t;
    if (exponent > max_exp)
        return "Magnitude too large";
    if (exponent > 0) {
        *out = sign | (u128)exponent << t | tbits;
        return NULL;
    }
    if (1 - exponent <= (int)t) {
        unsigned adjust = (unsigned)(1 - exponent);
        if (sig & (((u128)1 << adjust) - 1))
            return "Subnormal underflow";
        *out = sign | sig >> adjust;
        return NULL;
    }
    return "Magnitude too small";
}

const char *ir_parse_ieee(const char *s, size_t n, unsigned bits, uint8_t *out)
{
    unsigned w, t;
    u128 v;
    if (!ieee_layout(bits, &w, &t))
        return "unsupported float width";
    const char *why = parse_float(s, n, w, t, &v);
    if (why)
        return why;
    for (unsigned i = 0; i < bits / 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return NULL;
}

/* ---- printing -------------------------------------------------------------- */

/* A bounded writer: counts everything, stores what fits, like snprintf. */
typedef struct out { char *buf; size_t size, len; } out;

static void put(out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void puts_(out *o, const char *s)
{
    while (*s)
        put(o, *s++);
}

static int finish(out *o)
{
    if (o->size)
        o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
    return (int)o->len;
}

/* Lower-case hex; at least `width` digits. */
static void put_hex(out *o, u128 v, unsigned width)
{
    char tmp[33];
    unsigned k = 0;
    do {
        tmp[k++] = "0123456789abcdef"[(unsigned)(v & 15)];
        v >>= 4;
    } while (v);
    while (k < width)
        tmp[k++] = '0';
    while (k)
        put(o, tmp[--k]);
}

static void put_dec(out *o, u128 v)
{
    char tmp[40];
    unsigned k = 0;
    do {
        tmp[k++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    while (k)
        put(o, tmp[--k]);
}

static void put_int(out *o, int v)
{
    if (v < 0) {
        put(o, '-');
        put_dec(o, (u128)(-(long)v));
    } else
        put_dec(o, (u128)v);
}

int ir_print_ieee(char *buf, size_t size, unsigned bits, const uint8_t *in)
{
    out o = {buf, size, 0};
    unsigned w, t;
    if (!ieee_layout(bits, &w, &t)) {
        puts_(&o, "invalid");
        return finish(&o);
    }
    u128 v = 0;
    for (unsigned i = 0; i < bits / 8; i++)
        v |= (u128)in[i] << (8 * i);
    u128 max_e = ((u128)1 << w) - 1;
    u128 tbits = v & (((u128)1 << t) - 1);
    u128 ebits = (v >> t) & max_e;
    bool neg = (v >> (w + t)) & 1;
    int bias = (1 << (w - 1)) - 1;
    unsigned digits = (t + 3) / 4;
    u128 left = tbits << (4 * digits - t);

    if (neg)
        put(&o, '-');
    if (ebits == 0) {
        if (tbits == 0) {
            puts_(&o, "0.0");
        } else {
            puts_(&o, "0x0.");
            put_hex(&o, left, digits);
            put(&o, 'p');
            put_int(&o, 1 - bias);
        }
    } else if (ebits == max_e) {
        if (!neg)
            put(&o, '+'); /* so specials never read as identifiers */
        if (tbits == 0) {
            puts_(&o, "Inf");
        } else {
            u128 quiet = (u128)1 << (t - 1), payload = tbits & (quiet - 1);
            if (tbits & quiet) {
                puts_(&o, "NaN");
                if (payload) {
                    puts_(&o, ":0x");
                    put_hex(&o, payload, 1);
                }
            } else {
                puts_(&o, "sNaN:0x");
                put_hex(&o, payload, 1);
            }
        }
    } else {
        puts_(&o, "0x1.");
        put_hex(&o, left, digits);
        put(&o, 'p');
        put_int(&o, (int)ebits - bias);
    }
    return finish(&o);
}

/* ---- integers ---------------------------------------------------------------- */

bool ir_parse_int128(const char *s, size_t n, unsigned __int128 *value, bool *neg)
{
    *neg = false;
    if (n && (s[0] == '-' || s[0] == '+'))
        *neg = s[0] == '-', s++, n--;
    unsigned base = 10;
    if (has_prefix(s, n, "0x"))
        base = 16, s += 2, n -= 2;
    u128 v = 0;
    unsigned digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_')
            continue;
        int d = hexval(s[i]);
        if (d < 0 || (unsigned)d >= base)
            return false;
        if (base == 16) {
            if (v >> 124)
                return false;
            v = v << 4 | (unsigned)d;
        } else {
            u128 max = ~(u128)0;
            if (v > (max - (unsigned)d) / 10)
                return false;
            v = v * 10 + (unsigned)d;
        }
        digits++;
    }
    if (!digits)
        return false;
    *value = v;
    return true;
}

/* -2^(bits-1) .. 2^bits - 1: Cranelift reads literals as signed or unsigned. */
bool ir_int_fits(unsigned __int128 v, bool neg, unsigned bits)
{
    if (bits == 0 || bits > 128)
        return false;
    if (neg)
        return v <= (u128)1 << (bits - 1);
    return bits == 128 || v >> bits == 0;
}

int ir_print_u128(char *buf, size_t size, unsigned __int128 v)
{
    out o = {buf, size, 0};
    put_dec(&o, v);
    return finish(&o);
}

int ir_print_i128(char *buf, size_t size, __int128 v)
{
    out o = {buf, size, 0};
    if (v < 0) {
        put(&o, '-');
        put_dec(&o, -(u128)v);
    } else
        put_dec(&o, (u128)v);
    return finish(&o);
}
