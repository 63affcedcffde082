/* Internal to lib/reader: tokens, the lexer, the parser state and the
 * helpers its files share.  reader.h is the folder's interface. */
#ifndef CLIFRUN_READER_INTERNAL_H
#define CLIFRUN_READER_INTERNAL_H

#include <setjmp.h>
#include <string.h>

#include "reader.h"

typedef enum {
    T_EOF, T_LPAR, T_RPAR, T_LBRACE, T_RBRACE, T_LBRACKET, T_RBRACKET, T_LANGLE,
    T_RANGLE, T_MINUS, T_PLUS, T_STAR, T_COMMA, T_DOT, T_COLON, T_EQUAL, T_BANG,
    T_AT, T_ARROW,
    T_INT,      /* integer literal, text may start with + or - */
    T_FLOAT,    /* float literal (has a '.', or is Inf / NaN) */
    T_TYPE,     /* i32, f64x2 ...: tok.type */
    T_ENTITY,   /* v3, block7, ss0 ...: tok.ent, tok.num */
    T_NAME,     /* %name: text excludes the % */
    T_STRING,   /* "text": text excludes the quotes */
    T_HEXSEQ,   /* #89af */
    T_IDENT,    /* anything else word-like: opcodes, keywords, flags */
    T_SRCLOC,   /* @00c7: text excludes the @ */
} tok_kind;

/* Entity prefixes of Cranelift's lexer (numbered_entity). */
typedef enum {
    E_VALUE, E_BLOCK, E_SS, E_DSS, E_DT, E_GV, E_MT, E_CONST, E_FN, E_SIG, E_USER,
    E_USERNAME, E_EXTABLE, E_TAG, E_REGION, E_RET, E_EXN, E_JT, E_COUNT
} ent_kind;

typedef struct tok {
    tok_kind kind;
    uint8_t ent;            /* ent_kind for T_ENTITY */
    ir_type type;           /* T_TYPE */
    uint32_t num;           /* entity number */
    const char *text;       /* into the source */
    uint32_t len;
    uint32_t line, col;
} tok;

/* A `; run:` / `; print:` comment waiting for its function. */
typedef struct pending_run {
    uint32_t off, end, line, col;
} pending_run;

typedef struct lexer {
    const char *src, *p, *end;
    const char *line_start;
    const char *line_start0;    /* line_start as given to rd_lex_init */
    uint32_t line;
    bool keep_runs;         /* note run comments in parser.runs */
} lexer;

typedef struct parser {
    lexer lx;
    tok t;                  /* the current token */
    const char *prev_end;   /* where the token before it ended (rd_prev_pos) */
    ir_file *file;
    ir_function *fn;
    ir_diag *d;
    jmp_buf fail;
    bool run_default_cc;    /* `test run`: functions default to the host's C convention */
    bool keep_bodies;       /* no hook: every body stays while the file lives */
    bool read_runs;         /* `test run` / `test interpret`, or no test line (a bug report) */
    bool decimal_floats;    /* -e and the REPL: float values may be written 1.5, 2, 1e-3 */
    /* From here on a parser kept for the next file keeps its fields: the
     * vectors' storage (emptied) and the caches, which depend only on
     * opcodes, types and bytes (reader_parse_file_each) */
    IR_VEC(pending_run) runs;       /* run comments seen, not yet claimed */
    IR_VEC(uint32_t) aliases;       /* values defined as aliases, checked at function end */
    IR_VEC(uint32_t) jt_off;        /* legacy jtN: pool offset of its block list, IR_NONE */
    IR_VEC(uint32_t) gv_refs;       /* gvN, line, col of global values named in the preamble */
    IR_VEC(uint32_t) fwd_uses;      /* vN, line, col of uses that precede the definition */
    IR_VEC(uint32_t) scratch;       /* a list being collected (block params, br_table, ...) */
    struct { uint16_t op1; ir_type t; bool in; } ctrl_ok[64];   /* opcode+1, typevar: valid? */
    struct { uint64_t w; uint16_t op; } opcache[256];   /* opcodes by their bytes (rd_lookup_opcode) */
    uint8_t quick_op[IR_OP_COUNT];  /* opcode: its operands as quick_inst reads them (see parse.c) */
    struct { uint16_t op1; ir_type t, res; } quick_ctrl[64];  /* opcode+1, typevar: result type */
    uint16_t quick_res[IR_OP_COUNT][16];    /* opcode, scalar typevar: result type (quick.c) */
    struct { uint64_t w; bool icc; uint8_t cond; } cond_cache[16];   /* condition codes by their bytes */
} parser;

void rd_lex_init(lexer *lx, const char *src, size_t len, uint32_t line, const char *line_start);
/* Line and column where the token before the current one ended: found
 * only when an error needs them, so the lexer keeps just a pointer. */
void rd_prev_pos(const parser *p, uint32_t *line, uint32_t *col);
bool rd_same_line_as_prev(const parser *p);
/* Next token; lexical errors go to p's error handler. */
void rd_lex_next(parser *p);
bool rd_lex_letters(parser *p);

/* Report an error at (line, col) and unwind to reader_parse_file. */
_Noreturn void rd_perr_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
_Noreturn void rd_perr(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for "X expected" errors: see parse.c. */
_Noreturn void rd_perr_expected(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));


/* Entity numbers index dense arrays: cap them so a stray `v4000000000`
 * is an error, not an 80 GB allocation. */
#define MAX_VALUE_NUM (1u << 22)
#define MAX_BLOCKS 100000u            /* Cranelift's MAX_BLOCKS_IN_A_FUNCTION */
#define MAX_ENTITY_NUM (1u << 16)

#define ENSURE(vec, n, defvec)                                             \
    do {                                                                   \
        while ((vec)->n <= (n)) {                                          \
            ir_vec_reserve(vec, 1);                                        \
            memset(&(vec)->v[(vec)->n], 0, sizeof *(vec)->v);              \
            (vec)->n++;                                                    \
            ir_vec_push(defvec, 0);                                        \
        }                                                                  \
    } while (0)


/* parse.c: entities */
extern const char rd_ent_letters[E_COUNT][12];
static inline bool rd_is_ent(const parser *p, ent_kind e) { return p->t.kind == T_ENTITY && p->t.ent == e; }
uint32_t rd_match_ent(parser *p, ent_kind e, const char *msg);
void rd_check_num(parser *p, uint32_t n, uint32_t max, uint32_t line, uint32_t col);
void rd_define(parser *p, uint8_t *defined, ent_kind e, uint32_t n, uint32_t line, uint32_t col);
void rd_check_defined(parser *p, const uint8_t *defined, uint32_t count, uint32_t n,
                   const char *what, ent_kind e, uint32_t line, uint32_t col);
void rd_grow_values(parser *p, uint32_t v, uint32_t line, uint32_t col);
/* Make value v exist (unused until defined): checked on every operand. */
static inline void rd_ensure_value(parser *p, uint32_t v, uint32_t line, uint32_t col)
{
    ir_function *f = p->fn;
    if (v < f->values.n)
        return;
    if (v == f->values.n && v < f->values.cap && v < MAX_VALUE_NUM)   /* the next, as values usually come */
        f->values.v[f->values.n++] = (ir_value_data){0};
    else
        rd_grow_values(p, v, line, col);
}
uint32_t rd_use_value(parser *p, const char *msg);
uint32_t rd_ensure_block(parser *p, uint32_t b, uint32_t line, uint32_t col);

/* Byte classes (lex.c's table) and a value number as the lexer reads
 * them, for the paths that read straight from the bytes (parse.c,
 * quick.c) */
enum { C_DIGIT = 1, C_ALPHA = 2, C_SPACE = 4, C_HEX = 8, C_UNDERSCORE = 16 };
extern const uint8_t rd_cclass[256];
static inline bool digit_byte(char c) { return (unsigned)(c - '0') < 10; }
static inline bool word_byte(char c) { return rd_cclass[(unsigned char)c] & (C_DIGIT | C_ALPHA | C_UNDERSCORE); }
/* A word byte other than a digit: a letter or '_'. */
static inline bool letter_byte(char c) { return rd_cclass[(unsigned char)c] & (C_ALPHA | C_UNDERSCORE); }

/* A value number from q: digits without a leading zero, at most nine,
 * then no word byte (as the lexer reads vN); its end, or NULL. */
static inline __attribute__((always_inline)) const char *value_number(const char *q, const char *end, uint32_t *v)
{
    /* one to three digits (most numbers), a byte at a time: the digit
     * values, and whether the byte after them ends the word */
    if (end - q >= 4) {
        unsigned d0 = (unsigned)(unsigned char)q[0] - '0', d1 = (unsigned)(unsigned char)q[1] - '0',
                 d2 = (unsigned)(unsigned char)q[2] - '0';
        if (d1 >= 10) {   /* one digit, or none */
            if (d0 >= 10 || letter_byte(q[1]))
                return NULL;
            *v = d0;
            return q + 1;
        }
        if (d0 - 1 >= 9)   /* two or more with a leading zero, or none */
            return NULL;
        if (d2 >= 10) {
            if (letter_byte(q[2]))
                return NULL;
            *v = d0 * 10 + d1;
            return q + 2;
        }
        unsigned d3 = (unsigned)(unsigned char)q[3] - '0';
        if (d3 >= 10) {
            if (letter_byte(q[3]))
                return NULL;
            *v = d0 * 100 + d1 * 10 + d2;
            return q + 3;
        }
    }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - q >= 8) {
        /* the digits among eight bytes at once: a byte d ^ '0' is a digit
         * if below 16 and below 10 after adding 6 (a carry out of a byte
         * comes only from one that is no digit, and goes to later ones) */
        uint64_t w, d;
        memcpy(&w, q, 8);
        d = w ^ 0x3030303030303030ull;
        uint64_t other = (d & 0xf0f0f0f0f0f0f0f0ull) | ((d + 0x0606060606060606ull) & 0x1010101010101010ull);
        if (other) {
            unsigned nd = (unsigned)__builtin_ctzll(other) / 8;
            const char *r = q + nd;
            if (!nd || (nd > 1 && *q == '0') || (unsigned)((*r | 0x20) - 'a') < 26 || *r == '_')
                return NULL;
            uint32_t n = 0;
            for (; q < r; q++)
                n = n * 10 + (uint32_t)(*q - '0');
            *v = n;
            return r;
        }
    }
#endif
    if (q == end || !digit_byte(*q) || (*q == '0' && end - q > 1 && digit_byte(q[1])))
        return NULL;
    const char *lim = end - q > 9 ? q + 9 : end;
    uint32_t n = 0;
    while (q < lim && digit_byte(*q))
        n = n * 10 + (uint32_t)(*q++ - '0');
    if (q < end && word_byte(*q))
        return NULL;
    *v = n;
    return q;
}

/* parse.c: opcode and name lookups, results by opcode */
/* The opcode the word at s of n bytes names, IR_OP_COUNT if none.  A name of up
 * to 8 bytes, read as one word w (with what follows it masked off), is
 * looked up in a small cache first: a file uses few opcodes, many times. */
static inline ir_opcode rd_lookup_opcode_word(parser *p, const char *s, uint32_t n, uint64_t w)
{
    __typeof__(p->opcache[0]) *e = &p->opcache[(w * 0x9e3779b97f4a7c15ull) >> 56];
    if (e->w == w)
        return (ir_opcode)e->op;
    ir_opcode op = ir_opcode_lookup(s, n);
    if (op != IR_OP_COUNT)
        e->w = w, e->op = (uint16_t)op;
    return op;
}
static inline ir_opcode rd_lookup_opcode(parser *p, const char *s, uint32_t n)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    return ir_opcode_lookup(s, n);
#endif
    if (n == 0 || n > 8 || p->lx.end - s < 8)
        return ir_opcode_lookup(s, n);
    uint64_t w;
    memcpy(&w, s, 8);
    /* the name's bytes: no name has a NUL, so w tells n too */
    return rd_lookup_opcode_word(p, s, n, w & ~0ull >> (64 - 8 * n));
}
unsigned rd_find_name(const char *w, uint32_t n, const char *const *names, unsigned count);
extern const uint8_t rd_op_nres[IR_OP_COUNT];

/* quick.c: a line from the bytes, or IR_OP_COUNT / false with nothing
 * changed (see there) */
ir_opcode rd_quick_inst(parser *p, uint32_t block);
ir_opcode rd_quick_branch(parser *p, uint32_t block);
ir_opcode rd_quick_call(parser *p, uint32_t block);
bool rd_quick_block_params(parser *p, uint32_t b);
void rd_quick_next(parser *p, const char *q);
bool rd_quick_signature(parser *p, ir_function *f, ir_signature *s);

/* literals.c: Cranelift's immediates, each with its own rules and words */
static inline int64_t sext64(uint64_t v, unsigned bits)
{
    return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}
/* Integer token -> `bits`-wide bit pattern: match_imm! for 8/16/32/128
 * bits (signed or unsigned range), Imm64 for 64; msg if not an integer. */
uint64_t rd_parse_imm(parser *p, unsigned bits, const char *msg);
/* The text of an integer token as a plain decimal of at most 18 digits or
 * 0x and at most 16 hex digits (no overflow possible) into *v; false for
 * any other form. */
bool rd_plain_number(const char *t, uint32_t n, uint64_t *v);
uint8_t rd_match_uimm8(parser *p, const char *msg);
uint32_t rd_match_uimm32(parser *p, const char *msg);
uint64_t rd_match_uimm64(parser *p, const char *msg);
/* Rust's u32::from_str_radix(text, 10): msg if not an integer, bad if not that. */
uint32_t rd_match_u32_decimal(parser *p, const char *msg, const char *bad);
/* Optional signed offset: Offset32 (bits 32) or Imm64 (bits 64). */
int64_t rd_optional_offset(parser *p, unsigned bits);
void rd_parse_float(parser *p, unsigned bits, uint8_t *out, const char *msg);
/* A hex constant (0x...) into 16 bytes, little endian; returns its size. */
unsigned rd_parse_hex_bytes(parser *p, uint8_t out[16], const char *msg);
void rd_parse_uimm128(parser *p, ir_type t, uint8_t out[16]);
void rd_parse_data_value(parser *p, ir_type t, ir_data_value *out);

/* runline.c: run line r of function func from its bytes (src: the
 * file's text), its values pushed to the file's data; false with nothing
 * changed for a shape it does not read (directives.c's parser reads it) */
bool rd_quick_run(parser *p, uint32_t func, const pending_run *r, const char *src, ir_run_cmd *rc,
                  ir_extname *called);

/* preamble.c */
void rd_parse_user_ref(parser *p, ir_extname *n);
void rd_parse_signature(parser *p, ir_function *f, ir_signature *s);
ir_memflags rd_parse_memflags(parser *p);
ir_trapcode rd_parse_trapcode(parser *p);
void rd_parse_preamble(parser *p, ir_function *f);

/* Helpers shared by parse.c and directives.c (inline: called with string
 * literals, whose lengths then fold) */
static inline bool tok_is(const parser *p, tok_kind k) { return p->t.kind == k; }
static inline bool tok_ident(const parser *p, const char *w)
{
    return p->t.kind == T_IDENT && strlen(w) == p->t.len && !memcmp(p->t.text, w, p->t.len);
}
static inline bool accept_ident(parser *p, const char *w)
{
    if (!tok_ident(p, w))
        return false;
    rd_lex_next(p);
    return true;
}
static inline bool rd_accept(parser *p, tok_kind k)
{
    if (p->t.kind != k)
        return false;
    rd_lex_next(p);
    return true;
}
static inline void rd_expect(parser *p, tok_kind k, const char *msg)
{
    if (!rd_accept(p, k))
        rd_perr_expected(p, "%s", msg);
}

/* suggest.c: the closest name of a table (NULL if none is a likely typo),
 * what replaced a removed opcode or type (NULL if not removed), and the
 * hint that goes after an error message: " (removed from Cranelift: ...)",
 * "; did you mean `x`?" or "". */
const char *rd_closest(const char *word, size_t n, const char *const *names, size_t count);
const char *rd_closest_opcode(const char *word, size_t n);
const char *rd_closest_type(const char *word, size_t n);
const char *rd_removed_opcode(const char *word, size_t n);
const char *rd_removed_type(const char *word, size_t n);
const char *rd_hint(char *buf, size_t size, const char *removed, const char *closest);
/* parse.c: "expected X type" with what was found and a hint when it looks
 * like a type */
_Noreturn void rd_type_expected(parser *p, const char *msg);

/* directives.c */
void rd_parse_header(parser *p);
void rd_parse_runs_for(parser *p, uint32_t func, uint32_t from, uint32_t to);

#endif
