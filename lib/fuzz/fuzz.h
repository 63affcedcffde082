/* lib/fuzz: differential random testing (DESIGN.md: "an oracle of our own").
 *
 *   gen.c, genmem.c, genexn.c  a generator of random, valid, terminating
 *              CLIF run tests, seeded (xoshiro256**, the same text for the
 *              same seed on every host), after cranelift-fuzzgen; genmem.c
 *              its memory accesses, genexn.c its try_calls
 *   optab.c    the opcode signatures the generator draws from: expanded
 *              from lib/ir's opcode table, kept where the verifier, the
 *              target's code generator and the interpreter accept them
 *   diff.c     the differential driver: a file's run lines through the
 *              reference and through the JIT with each register allocator
 *   reduce.c   the reducer (bugpoint / C-Reduce's job): the smallest file
 *              for which a predicate still holds
 *
 * The reference is the interpreter (lib/interp), which shares nothing with
 * lib/codegen and lib/isa.
 *
 * Nothing here exits; errors come back as ir_diag. */
#ifndef CLIFRUN_FUZZ_H
#define CLIFRUN_FUZZ_H

#include <stdarg.h>

#include "codegen/codegen.h"
#include "ir/ir.h"
#include "jit/jit.h"
#include "run/run.h"

/* ---- a growable text buffer ----------------------------------------------- */

typedef struct fuzz_buf {
    char *s;        /* NUL-terminated (when s != NULL) */
    size_t n, cap;
} fuzz_buf;
void fuzz_buf_printf(fuzz_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fuzz_buf_vprintf(fuzz_buf *b, const char *fmt, va_list ap);
void fuzz_buf_put(fuzz_buf *b, const char *s, size_t n);
void fuzz_buf_free(fuzz_buf *b);

/* ---- the generator (gen.c) --------------------------------------------------- */

typedef struct fuzz_gen_opts {
    jit_arch arch;          /* the `target` line, conventions and ISA flags */
    bool vectors;           /* 128-bit vector types and opcodes */
    bool big;               /* `big` memflags on loads and stores (the RNG
                             * stream is the same either way) */
    unsigned max_funcs;     /* functions per file (1..8), %main last */
    unsigned max_insts;     /* instructions per function, about */
    unsigned max_runs;      /* run lines per file (1..) */
} fuzz_gen_opts;

/* Defaults for arch: up to 4 functions of about 10-80 instructions, up to 6
 * run lines, vectors off, big on. */
void fuzz_gen_opts_init(fuzz_gen_opts *o, jit_arch arch);

/* The program of `seed`: a `test interpret` / `test run` file with a `set
 * opt_level` line, the target line, its functions and `; print: %main(args)`
 * lines (fuzz_expect turns them into run lines with expected values).  Program k of a
 * campaign from seed S is the program of seed S + k.  Fails only if the
 * opcode signatures cannot be worked out (d says why). */
bool fuzz_generate(uint64_t seed, const fuzz_gen_opts *o, fuzz_buf *out, ir_diag *d);

/* Vectors are worth generating for arch: its back end has them, and so has
 * the reference. */
bool fuzz_vectors_supported(jit_arch arch);

/* The opcode signatures the generator uses for o (or would, were they
 * supported), one per line, "+" for used and "-" for left out with why. */
void fuzz_list_ops(FILE *out, const fuzz_gen_opts *o);

/* ---- the differential driver (diff.c) ------------------------------------- */

typedef struct fuzz_ctx fuzz_ctx;

typedef struct fuzz_opts {
    double timeout;         /* seconds per JIT call (default 2) */
    uint64_t max_steps;     /* interpreter instructions per call (default 10 million) */
    unsigned allocators;    /* bit per CG_RA_* to compare (default linear, local, spill) */
    bool other_level;       /* also compile once (linear allocator) at the other
                             * opt_level (none <-> speed), so every program tests
                             * the code generators with and without lib/opt; not
                             * in fuzz_pred_disagree */
} fuzz_opts;

/* Where a run line ended, in a form two engines can be compared by. */
typedef enum {
    FUZZ_OK,        /* returned: the values */
    FUZZ_TRAP,      /* a trap with a code (heap_oob, int_divz, user7 ...) */
    FUZZ_CRASH,     /* a signal not at a trap site (SIGSEGV at %f+0x10) */
    FUZZ_TIMEOUT,
    FUZZ_ERROR,     /* did not compile or could not be called */
} fuzz_status;

typedef struct fuzz_outcome {
    fuzz_status status;
    ir_trapcode trap;       /* FUZZ_TRAP */
    uint32_t nvals;
    ir_data_value vals[16]; /* FUZZ_OK: the first 16 results */
    char msg[256];          /* the trap, crash or error as reported */
} fuzz_outcome;

/* One disagreement: a run line, the engine, what each gave. */
typedef struct fuzz_disagreement {
    uint32_t run;           /* index into file->runs */
    uint32_t line;          /* of the run line */
    uint8_t regalloc;       /* CG_RA_* of the JIT that disagreed */
    bool other_level;       /* ... compiled at the other opt_level (fuzz_opts) */
    fuzz_outcome want, got; /* reference, JIT */
} fuzz_disagreement;

typedef struct fuzz_report {
    bool invalid;           /* the text did not parse or verify: diag */
    bool skipped;           /* cannot run here (another architecture, ISA flags): why */
    bool ref_error;         /* the reference could not run a line: why */
    bool internal;          /* a JIT compile failed with an internal error */
    ir_diag diag;
    char why[256];
    uint32_t runs;          /* run lines compared */
    uint32_t ndis;          /* disagreements (all of them) */
    uint32_t nreal;         /* ... other than in NaN payloads alone */
    fuzz_disagreement dis[8];   /* the first few */
} fuzz_report;

fuzz_ctx *fuzz_ctx_new(const fuzz_opts *o, ir_diag *d);
void fuzz_ctx_free(fuzz_ctx *c);

/* Parse, verify and run every run line of text through the reference and
 * through the JIT of the host with each allocator of the options.  Returns
 * the number of disagreements (0: they agree, or r says why nothing was
 * compared). */
uint32_t fuzz_check(fuzz_ctx *c, const char *path, const char *text, size_t len, fuzz_report *r);

/* text as a standalone run test: each run line's expected values (or a
 * `; trap: CODE` line before it) from the reference, `comment` (lines
 * without the leading "; ", may be NULL) at the top.  Run lines the
 * reference cannot finish (a timeout) are dropped. */
bool fuzz_expect(fuzz_ctx *c, const char *path, const char *text, size_t len, const char *comment,
                 fuzz_buf *out, ir_diag *d);

/* "value 3, trap int_divz, SIGSEGV at %f+0x4 ..." for messages. */
void fuzz_outcome_format(const fuzz_outcome *o, char *buf, size_t n);
/* The reference's name for messages: "interpreter". */
const char *fuzz_reference_name(void);

/* ---- the reducer (reduce.c) ---------------------------------------------------- */

/* Is this candidate still interesting?  text is a file that parses and
 * verifies, NUL-terminated. */
typedef bool (*fuzz_pred_fn)(void *arg, const char *text, size_t len);

typedef struct fuzz_reduce_stats {
    unsigned tests;         /* predicate runs */
    unsigned accepted;      /* candidates kept */
    unsigned rejected;      /* candidates that did not parse or verify */
    uint32_t lines_in, lines_out;
} fuzz_reduce_stats;

/* The default predicate: some run line of the candidate disagrees between
 * the reference and a JIT (c's allocators), or the compiler reports an
 * internal error.  arg is a fuzz_ctx.  A difference in NaN payloads alone
 * counts only if the first file it sees (the reducer's input) has nothing
 * else: an edit may bare a NaN the program had canonicalised.  Call
 * fuzz_pred_reset before each reduction. */
bool fuzz_pred_disagree(void *arg, const char *text, size_t len);
void fuzz_pred_reset(fuzz_ctx *c);

/* Reduce text (which must parse, verify and satisfy pred, else false with
 * d saying so) to a fixed point of the passes: run lines, functions,
 * blocks, instructions, call and block arguments, branches, constants.
 * out gets the smallest interesting text; it parses and verifies.
 * With FUZZ_REDUCE_SAFE no edit makes the answer depend on the engine (an
 * address reaching a result, an access leaving its slot, memory read before
 * it is written): for predicates that compare engines.  log, when not NULL,
 * gets a line per pass with what it removed. */
/* FUZZ_REDUCE_STORES_FREE (with SAFE): stores may go even where something
 * reads, for a predicate that itself refuses an answer read from memory
 * never written (fuzz_pred_disagree runs the reference twice, slots
 * starting as different bytes). */
enum { FUZZ_REDUCE_SAFE = 1, FUZZ_REDUCE_STORES_FREE = 2 };
bool fuzz_reduce(const char *path, const char *text, size_t len, fuzz_pred_fn pred, void *arg, unsigned flags,
                 fuzz_buf *out, fuzz_reduce_stats *st, FILE *log, ir_diag *d);

#endif
