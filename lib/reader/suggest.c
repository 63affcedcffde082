/* Helpful words for the reader's errors: the closest name of a table (an
 * opcode, a type, a calling convention, a condition code) by edit distance,
 * and what replaced the opcodes and types Cranelift removed before the
 * releases clifrun reads (ir_legacy_rewrite handles the later ones). */
#include <string.h>

#include "internal.h"

/* Optimal string alignment distance in half edits: an insertion, a
 * deletion or a substitution costs 2, a swap of two neighbours 1 (so i46
 * is nearer i64 than i16); max + 1 once it is certainly above max.  Names
 * are short: three rows of at most 48 cells. */
static unsigned distance(const char *a, size_t na, const char *b, size_t nb, unsigned max)
{
    if (na > 47 || nb > 47)
        return max + 1;
    if (2 * (na > nb ? na - nb : nb - na) > max)
        return max + 1;
    unsigned rows[3][48];
    unsigned *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = 2 * (unsigned)j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = 2 * (unsigned)i;
        unsigned best = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            unsigned cost = a[i - 1] != b[j - 1] ? 2 : 0;
            unsigned v = prev[j] + 2;
            if (cur[j - 1] + 2 < v)
                v = cur[j - 1] + 2;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
        unsigned *t = pp;
        pp = prev, prev = cur, cur = t;
    }
    return prev[nb];
}

const char *rd_closest(const char *word, size_t n, const char *const *names, size_t count)
{
    /* a typo, not another word: one edit in a short name, two in a longer one */
    unsigned max = 2 * (n <= 4 ? 1 : n <= 9 ? 2 : 3), best = max + 1;
    const char *pick = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!names[i] || !names[i][0])
            continue;
        unsigned d = distance(word, n, names[i], strlen(names[i]), best < max ? best : max);
        if (d < best) {
            best = d;
            pick = names[i];
        }
    }
    return pick;
}

const char *rd_closest_opcode(const char *word, size_t n)
{
    static const char *names[IR_OP_COUNT];
    if (!names[0])
        for (unsigned i = 0; i < IR_OP_COUNT; i++)   /* today's opcodes only */
            names[i] = ir_opcodes[i].flags & IR_OPF_LEGACY ? "" : ir_opcodes[i].name;
    return rd_closest(word, n, names, IR_OP_COUNT);
}

const char *rd_closest_type(const char *word, size_t n)
{
    static const char *const names[] = {"i8", "i16", "i32", "i64", "i128", "f16", "f32", "f64", "f128",
                                        "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "i8x8",
                                        "i16x4", "i32x2", "f32x2"};
    return rd_closest(word, n, names, sizeof names / sizeof *names);
}

/* Opcodes removed before Cranelift 0.93 (February 2023), the oldest
 * release whose CLIF clifrun reads, with what took their place. */
static const struct { const char *name, *hint; } removed_ops[] = {
    {"brz", "`brz v, blockA` then `jump blockB` is `brif v, blockB, blockA` today"},
    {"brnz", "`brnz v, blockA` then `jump blockB` is `brif v, blockA, blockB` today"},
    {"br_icmp", "`icmp` followed by `brif`"},
    {"brif_flags", "`icmp` followed by `brif`"},
    {"brff", "`fcmp` followed by `brif`"},
    {"fallthrough", "`jump`"},
    {"ifcmp", "`icmp` (flags values are gone)"},
    {"ifcmp_imm", "`icmp` with an `iconst` (flags values are gone)"},
    {"ifcmp_sp", "`icmp` (flags values are gone)"},
    {"ffcmp", "`fcmp` (flags values are gone)"},
    {"trueif", "`icmp`"},
    {"trueff", "`fcmp`"},
    {"selectif", "`select` of an `icmp`"},
    {"selectif_spectre_guard", "`select_spectre_guard` of an `icmp`"},
    {"trapif", "`trapnz` of an `icmp`"},
    {"trapff", "`trapnz` of an `fcmp`"},
    {"bconst", "`iconst.i8 0` or `iconst.i8 1`, booleans are i8 now"},
    {"bint", "the i8 value itself, or its `uextend`, booleans are i8 now"},
    {"bextend", "`sextend` of the i8, booleans are i8 now"},
    {"breduce", "`ireduce`, booleans are i8 now"},
    {"raw_bitcast", "`bitcast` (with `little` or `big` when the lane count changes)"},
    {"copy", "the value itself"},
    {"iadd_ifcin", "`uadd_overflow` and `iadd` (flags values are gone)"},
    {"iadd_ifcout", "`uadd_overflow`"},
    {"iadd_ifcarry", "`uadd_overflow` and `iadd`"},
    {"isub_ifbin", "`usub_overflow` and `isub`"},
    {"isub_ifbout", "`usub_overflow`"},
    {"isub_ifborrow", "`usub_overflow` and `isub`"},
    {"heap_addr", "an explicit bounds check (`icmp` + `trapnz`) and `iadd` (heaps were removed in 2023)"},
    {"heap_load", "an explicit bounds check and `load` (heaps were removed in 2023)"},
    {"heap_store", "an explicit bounds check and `store` (heaps were removed in 2023)"},
    {"load_complex", "`load` of an address made with `iadd`"},
    {"store_complex", "`store` to an address made with `iadd`"},
    {"safepoint", "nothing: stack maps are attached to calls (`, stack_map = [...]`)"},
    {"vconcat", "`vconst`/`shuffle`"},
    {"vsplit", "`extractlane`/`shuffle`"},
    {"splat_imm", "`splat` of an `iconst`"},
};

const char *rd_removed_opcode(const char *word, size_t n)
{
    for (size_t i = 0; i < sizeof removed_ops / sizeof *removed_ops; i++)
        if (strlen(removed_ops[i].name) == n && !memcmp(removed_ops[i].name, word, n))
            return removed_ops[i].hint;
    return NULL;
}

const char *rd_removed_type(const char *word, size_t n)
{
    if (n >= 2 && word[0] == 'b' && word[1] >= '1' && word[1] <= '9') {
        bool digits = true;
        for (size_t i = 1; i < n; i++)
            digits &= (word[i] >= '0' && word[i] <= '9') || (word[i] == 'x' && i > 1);
        if (digits)
            return "booleans are i8 since 2022, 0 or 1 (in vectors, lanes of 0 or -1)";
    }
    if ((n == 6 && !memcmp(word, "iflags", 6)) || (n == 6 && !memcmp(word, "fflags", 6)))
        return "icmp and fcmp give i8 since 2022, no flags values";
    return NULL;
}

/* " (removed from Cranelift: ...)", or "; did you mean `x`?", or "" */
const char *rd_hint(char *buf, size_t size, const char *removed, const char *closest)
{
    if (removed)
        snprintf(buf, size, " (removed from Cranelift: %s)", removed);
    else if (closest)
        snprintf(buf, size, "; did you mean `%s`?", closest);
    else
        buf[0] = 0;
    return buf;
}
