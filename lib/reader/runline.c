/* Run lines the quick way: `; run: %f(1, -0x2) == [3, 0x1.8p1]` read
 * straight from the bytes, without the lexer's tokens.  Only the shapes
 * run lines commonly take: spaces or none between tokens, integers
 * in decimal or 0x hex with an optional '-', hex floats and NaN / Inf,
 * vector lanes in brackets.  Anything else, and any value the parser would
 * refuse, declines (false, nothing changed): directives.c's parser then
 * reads the line as before, with its diagnostics.  Accepted lines give
 * exactly what that parser gives (parse_run, rd_parse_data_value). */
#include "internal.h"

typedef unsigned __int128 u128;

static const char *skip_blanks(const char *q, const char *e)
{
    while (q < e && *q == ' ')
        q++;
    return q;
}

/* One more than the value of a hex or decimal digit, 0 for other bytes. */
static const uint8_t digit1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9,
    ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* The bytes that may end a value's token here: what follows a number token
 * of the lexer (lex_other) and starts the next token by itself. */
static bool ends_value(const char *q, const char *e)
{
    return q == e || *q == ' ' || *q == ',' || *q == ')' || *q == ']';
}

/* The bytes of v, little endian. */
static inline void put_le(uint8_t *out, u128 v, unsigned bytes)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    switch (bytes) {   /* sizes known here: stores, no loop */
    case 1: memcpy(out, &v, 1); return;
    case 2: memcpy(out, &v, 2); return;
    case 4: memcpy(out, &v, 4); return;
    case 8: memcpy(out, &v, 8); return;
    case 16: memcpy(out, &v, 16); return;
    }
#endif
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        out[i] = (uint8_t)v;
}

/* int_value's numbers of over 16 digits, in 128 bits. */
static __attribute__((noinline)) const char *long_int(const char *s, const char *e, unsigned bits, uint8_t *out)
{
    bool neg = *s == '-';
    const char *q = s + neg;
    bool hex = q[0] == '0' && q[1] == 'x';   /* 16 digits follow */
    unsigned radix = hex ? 16 : 10, d;
    u128 v = 0;
    const u128 lim10 = ~(u128)0 / 10;   /* 2^128 - 1 is lim10 * 10 + 5 */
    for (q += 2 * hex; q < e; q++) {
        if ((d = digit1[(unsigned char)*q] - 1u) >= radix) {
            if (!hex || *q != '_')
                break;
        } else if (hex ? v >> 124 != 0 : v > lim10 || (v == lim10 && d > 5)) {
            return NULL;
        } else {
            v = v * radix + d;
        }
    }
    if (!ends_value(q, e) || (bits == 64 && hex))
        return NULL;
    u128 max = bits >= 128 ? ~(u128)0 : ~0ull >> (64 - bits);
    if (neg ? v > max / 2 + 1 : v > max)
        return NULL;
    put_le(out, neg ? -v & max : v, bits / 8);
    return q;
}

/* An integer of `bits` bits at s, [-]digits or [-]0xhex ('_' between hex
 * digits), as int_token (literals.c) reads the T_INT token: match_imm!
 * takes -2^(bits-1) .. 2^bits - 1, leading zeros, '_' in hex; Imm64 (64
 * bits) at most 16 hex digits and no negative hex (declined: rare).  '_'
 * in a decimal (Imm64 takes it, match_imm! not) and '+' decline.  Its end,
 * which must end the lexer's token, or NULL. */
static const char *int_value(const char *s, const char *e, unsigned bits, uint8_t *out)
{
    bool neg = *s == '-';
    const char *q = s + neg;
    bool hex = e - q > 2 && q[0] == '0' && q[1] == 'x';
    unsigned radix = hex ? 16 : 10, digits = 0, d;
    uint64_t w = 0;   /* up to 16 digits: no overflow */
    for (q += 2 * hex; q < e && digits < 16; q++) {
        if ((d = digit1[(unsigned char)*q] - 1u) < radix)   /* no digit: above 15 */
            w = w * radix + d, digits++;
        else if (!hex || *q != '_')
            break;
    }
    if (!digits || (bits == 64 && hex && neg))
        return NULL;
    if (!ends_value(q, e))
        return digits == 16 ? long_int(s, e, bits, out) : NULL;
    if (bits == 128) {
        put_le(out, neg ? -(u128)w : w, 16);
        return q;
    }
    uint64_t max = ~0ull >> (64 - bits);
    if (neg ? w > max / 2 + 1 : w > max)
        return NULL;
    put_le(out, neg ? -w & max : w, bits / 8);
    return q;
}

/* After an optional sign, Inf, NaN, NaN:0xP or sNaN:0xP of f32 or f64, as
 * parse_float (lib/ir/imm.c) reads them: a payload below the quiet bit,
 * an sNaN's not 0.  Its end, or NULL for other text or values ('+' before
 * P, payloads of over 13 digits). */
static const char *special_float(const char *s, const char *e, unsigned bits, uint8_t *out)
{
    unsigned t = bits == 32 ? 23 : 52;
    uint64_t v = (uint64_t)(*s == '-') << (bits - 1), inf = (bits == 32 ? 0xffull : 0x7ffull) << t,
             quiet = 1ull << (t - 1), payload = 0;
    s += *s == '-' || *s == '+';
    bool snan = *s == 's';
    s += snan;
    if (!snan && e - s >= 3 && !memcmp(s, "Inf", 3)) {
        v |= inf;
        s += 3;
    } else if (!snan && e - s >= 3 && !memcmp(s, "NaN", 3) && (e - s == 3 || s[3] != ':')) {
        v |= inf | quiet;
        s += 3;
    } else {
        if (e - s < 7 || memcmp(s, "NaN:0x", 6))
            return NULL;
        unsigned d, digits = 0;
        for (s += 6; s < e && (d = digit1[(unsigned char)*s] - 1u) <= 15 && ++digits <= 13; s++)
            payload = payload << 4 | d;
        if (!digits || digits > 13 || payload >= quiet || (snan && !payload))
            return NULL;
        v |= inf | (snan ? 0 : quiet) | payload;
    }
    put_le(out, v, bits / 8);
    return s;
}

/* A hex float 0xH.Hp±D of f32 or f64 (with a '.', as the lexer's T_FLOAT
 * has) of at most 16 digits, or a special value, as parse_float reads it
 * (exact values only).  Its end, or NULL for other text or values. */
static const char *hex_float(const char *s, const char *e, unsigned bits, uint8_t *out)
{
    unsigned t = bits == 32 ? 23 : 52, w = bits == 32 ? 8 : 11, digits = 0, d;
    uint64_t sign = 0, sig = 0;
    const char *q = s + (*s == '-' || *s == '+');
    if (e - q < 3 || q[0] != '0' || q[1] != 'x')
        return q < e && (*q == 'I' || *q == 'N' || *q == 's') ? special_float(s, e, bits, out) : NULL;
    sign = (uint64_t)(*s == '-') << (bits - 1);
    int point = -1, exponent = 0;
    for (q += 2; q < e; q++) {
        if ((d = digit1[(unsigned char)*q] - 1u) <= 15) {
            if (++digits > 16)
                return NULL;
            sig = sig << 4 | d;
        } else if (*q == '.' && point < 0) {
            point = (int)digits;
        } else {
            break;
        }
    }
    if (!digits || point < 0)
        return NULL;
    if (q < e && *q == 'p') {   /* a sign, one to four digits */
        bool eneg = ++q < e && *q == '-';
        q += q < e && (*q == '-' || *q == '+');
        const char *start = q;
        for (; q < e && digit_byte(*q) && q - start < 4; q++)
            exponent = exponent * 10 + (*q - '0');
        if (q == start)
            return NULL;
        exponent = eneg ? -exponent : exponent;
    }
    exponent -= 4 * ((int)digits - point);
    uint64_t v = sign;
    if (sig) {
        /* t+1 significant bits, normal or subnormal, no set bit dropped */
        int top = 63 - __builtin_clzll(sig), shift = top - (int)t;
        if (shift > 0 && (sig & ((1ull << shift) - 1)))
            return NULL;
        sig = shift > 0 ? sig >> shift : sig << -shift;
        exponent += shift + (1 << (w - 1)) - 1 + (int)t;
        if (exponent > (1 << w) - 2 || exponent <= -(int)t)
            return NULL;
        if (exponent > 0) {
            v |= (uint64_t)exponent << t | (sig & ((1ull << t) - 1));
        } else {
            unsigned adjust = (unsigned)(1 - exponent);
            if (sig & ((1ull << adjust) - 1))
                return NULL;
            v |= sig >> adjust;
        }
    }
    put_le(out, v, bits / 8);
    return q;
}

/* The bytes of a number token after its sign (lex_other): 1 for word
 * bytes and '-', 2 for '.'; a hex exponent's '+' is seen apart. */
static const uint8_t in_number[256] = {
    ['0' ... '9'] = 1, ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['_'] = 1, ['-'] = 1, ['.'] = 2,
};

/* A float of `bits` bits at s: hex_float's forms, else the token the
 * lexer's number rule makes (a sign, NaN: / sNaN:, then word bytes, '-',
 * '.' and a hex exponent's '+'), which must be a T_FLOAT token (a '.', or
 * NaN / Inf) and read by ir_parse_ieee.  Its end, or NULL. */
static const char *float_value(const char *s, const char *e, unsigned bits, uint8_t *out)
{
    const char *q = (bits == 32 || bits == 64) ? hex_float(s, e, bits, out) : NULL;
    if (q && ends_value(q, e))
        return q;
    q = s + (*s == '-' || *s == '+');
    size_t left = (size_t)(e - q);
    bool special = (left >= 3 && (!memcmp(q, "NaN", 3) || !memcmp(q, "Inf", 3))) ||
                   (left >= 4 && !memcmp(q, "sNaN", 4));
    if (!special && (q == e || !digit_byte(*q)))
        return NULL;
    /* NaN:0x.. / sNaN:0x..: the lexer's token goes on after the ':' */
    if (left >= 4 && !memcmp(q, "NaN:", 4))
        q += 4;
    else if (left >= 5 && !memcmp(q, "sNaN:", 5))
        q += 5;
    bool hex = e - q >= 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
    unsigned seen = 0;
    for (; q < e; q++) {
        unsigned c = in_number[(unsigned char)*q];
        if (!c && !(*q == '+' && hex && (q[-1] | 0x20) == 'p'))
            break;
        seen |= c;
    }
    if ((!special && !(seen & 2)) || !ends_value(q, e) || ir_parse_ieee(s, (size_t)(q - s), bits, out))
        return NULL;
    return q;
}

/* A vector's hex constant at q, of at most size bytes (rd_parse_uimm128,
 * rd_parse_hex_bytes: an even number of digits, '_' between them, the
 * bytes little endian, zero-extended); its end, or NULL. */
static const char *hex_bytes(const char *q, const char *e, unsigned size, uint8_t *out)
{
    const char *r = q;
    while (r < e && word_byte(*r))
        r++;
    if (!ends_value(r, e) || r - q < 3 || q[0] != '0' || q[1] != 'x')
        return NULL;
    unsigned nibble = 0;
    for (const char *c = r; c > q + 2; c--) {
        unsigned d = digit1[(unsigned char)c[-1]] - 1u;
        if (c[-1] == '_')
            continue;
        if (d > 15 || nibble >= 2 * size)
            return NULL;
        out[nibble / 2] |= (uint8_t)(d << (4 * (nibble & 1)));
        nibble++;
    }
    return nibble && nibble % 2 == 0 ? r : NULL;
}

/* One scalar of type t at q (parse_scalar): its end, or NULL. */
static const char *scalar(const char *q, const char *e, ir_type t, uint8_t *out)
{
    unsigned bits = ir_type_lane_bits(t);
    return ir_type_is_int(t) ? int_value(q, e, bits, out) : float_value(q, e, bits, out);
}

/* One data value of type t at q (rd_parse_data_value), pushed to the
 * file's data: the end of its text, or NULL. */
static const char *data_value(parser *p, const char *q, const char *e, ir_type t)
{
    ir_file *f = p->file;
    ir_vec_reserve(&f->data, 1);
    ir_data_value *dv = &f->data.v[f->data.n];   /* made in place, kept if read */
    memset(dv, 0, sizeof *dv);
    dv->type = t;
    if (q == e)
        return NULL;
    if (!ir_type_is_vector(t)) {
        q = scalar(q, e, t, dv->bytes);
    } else {
        /* [lane lane ...] or a hex constant: a 128-bit vector at most, no
         * dynamic one */
        unsigned lb = ir_type_bytes(ir_type_lane(t)), lanes = ir_type_lanes(t);
        if ((t & IR_TYPE_DYNAMIC) || lb * lanes > 16)
            return NULL;
        if (*q != '[') {
            q = hex_bytes(q, e, lb * lanes, dv->bytes);
        } else {
            q = skip_blanks(q + 1, e);
            for (unsigned i = 0; q && i < lanes; i++)
                if ((q = q < e ? scalar(q, e, ir_type_lane(t), dv->bytes + i * lb) : NULL))
                    q = skip_blanks(q, e);
            q = q && q < e && *q == ']' ? q + 1 : NULL;
        }
    }
    f->data.n += q != NULL;
    return q;
}

/* n values of ABI parameters from the first, comma separated (parse_values),
 * in brackets if `brackets`; the end of their text, or NULL. */
static const char *values(parser *p, const char *q, const char *e, const ir_function *fn, uint32_t first,
                          uint32_t n, bool brackets)
{
    if (brackets) {
        if (q == e || *q != '[')
            return NULL;
        q = skip_blanks(q + 1, e);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (i) {
            if (q == e || *q != ',')
                return NULL;
            q = skip_blanks(q + 1, e);
        }
        if (!(q = data_value(p, q, e, fn->abi_params.v[first + i].type)))
            return NULL;
        q = skip_blanks(q, e);
    }
    if (brackets) {
        if (q == e || *q != ']')
            return NULL;
        q = skip_blanks(q + 1, e);
    }
    return q;
}

/* The run or print line r of function func (its text starts at the word
 * `run` or `print`) into *rc and the name it calls into *called, its
 * values pushed to the file's data; false with nothing changed if the
 * line is not one of the shapes read here. */
bool rd_quick_run(parser *p, uint32_t func, const pending_run *r, const char *src, ir_run_cmd *rc,
                  ir_extname *called)
{
    ir_file *f = p->file;
    const ir_function *fn = f->funcs.v[func];
    const ir_signature *sig = &fn->sig;
    const char *s = src + r->off, *e = src + r->end;
    if (p->decimal_floats)
        return false;
    memset(rc, 0, sizeof *rc);
    rc->func = func;
    rc->kind = *s == 'r' ? IR_RUN_RUN : IR_RUN_PRINT;
    const char *q = skip_blanks(s + (rc->kind == IR_RUN_RUN ? 3 : 5), e);
    if (q == e || *q != ':')
        return false;
    const char *name = skip_blanks(q + 1, e);
    if (name == e || *name != '%')
        return false;
    for (q = name + 1; q < e && word_byte(*q);)
        q++;
    size_t name_len = (size_t)(q - name);
    q = skip_blanks(q, e);
    if (q == e || *q != '(')
        return false;
    uint32_t ndata = f->data.n;
    rc->args = ndata;
    rc->nargs = sig->nparams;
    if (!(q = values(p, skip_blanks(q + 1, e), e, fn, sig->params, sig->nparams, false)) || q == e || *q != ')')
        goto decline;
    q = skip_blanks(q + 1, e);
    rc->expect = f->data.n;
    if (rc->kind == IR_RUN_PRINT || q == e) {
        /* a print command, or `run: %f(args)` with one result to be non-zero */
        if (q != e || (rc->kind == IR_RUN_RUN && sig->nrets != 1))
            goto decline;
        rc->cmp = IR_CMP_NONE;
    } else {
        if (e - q < 2 || (q[0] != '=' && q[0] != '!'))
            goto decline;
        rc->cmp = q[0] == '=' ? IR_CMP_EQ : IR_CMP_NE;
        q = skip_blanks(q + 1, e);
        if (q == e || *q != '=')
            goto decline;
        q = values(p, skip_blanks(q + 1, e), e, fn, sig->rets, sig->nrets, sig->nrets != 1);
        if (q != e)
            goto decline;
        rc->nexpect = sig->nrets;
    }
    rc->line = r->line;
    rc->col = r->col + (uint32_t)(name - s);
    /* the name as the line before wrote it (the same, mostly), else a copy */
    const ir_run_cmd *prev = f->runs.n ? &f->runs.v[f->runs.n - 1] : NULL;
    if (prev && prev->name && !strncmp(prev->name, name, name_len) && !prev->name[name_len])
        rc->name = prev->name;
    else
        rc->name = ir_arena_strndup(&f->arena, name, name_len);
    memset(called, 0, sizeof *called);
    called->kind = IR_NAME_TESTCASE;
    called->str = rc->name + 1;
    return true;
decline:
    f->data.n = ndata;
    return false;
}
