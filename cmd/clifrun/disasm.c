/* cmd/clifrun/disasm.c: the listing of `compile -D` and the REPL's
 * :disasm.  Capstone decodes the instructions one at a time, so nothing
 * stops the listing: the data the code generator put in the code (jump
 * and exception tables, the constant pool, padding; cg_output.data) is
 * shown as data, a word capstone cannot decode (AArch64's udf) as such,
 * and the code after either is decoded again.  Each line has its offset
 * and bytes; block labels come from cg_output.block_off, branch targets
 * are named by block or trap, relocations by symbol, and with CLI_DIS_CLIF
 * every IR instruction is shown before the code produced for it
 * (cg_output.marks). */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#define BYTES_PER_LINE 8

/* "  off:  bytes (at most 8, the rest on following lines)  text" */
static void put_line(FILE *out, uint32_t off, const uint8_t *b, uint32_t n, const char *text, const char *note)
{
    char hex[3 * BYTES_PER_LINE + 1];
    uint32_t k = n < BYTES_PER_LINE ? n : BYTES_PER_LINE;
    for (uint32_t i = 0; i < k; i++)
        snprintf(hex + 3 * i, 4, "%02x ", b[i]);
    hex[3 * k] = 0;
    if (note && *note)
        fprintf(out, "  %4" PRIx32 ":  %-24s %-32s ; %s\n", off, hex, text, note);
    else
        fprintf(out, "  %4" PRIx32 ":  %-24s %s\n", off, hex, text);
    for (uint32_t i = k; i < n; i += BYTES_PER_LINE) {
        uint32_t m = n - i < BYTES_PER_LINE ? n - i : BYTES_PER_LINE;
        for (uint32_t j = 0; j < m; j++)
            snprintf(hex + 3 * j, 4, "%02x ", b[i + j]);
        hex[3 * m] = 0;
        fprintf(out, "         %s\n", hex);
    }
}

typedef struct lister {
    FILE *out;
    jit_arch arch;
    const cg_output *o;
    const ir_function *fn;      /* NULL: no labels */
    unsigned flags;
    int32_t *cover;             /* per byte: index of the data entry there, -1 for code */
    uint32_t *blocks;           /* IR blocks by offset (pairs offset, block), sorted */
    uint32_t nblocks, nextb;
    uint32_t *pos;              /* layout positions (CLI_DIS_CLIF) */
    uint8_t *shown;             /* IR instructions printed (CLI_DIS_CLIF) */
    uint32_t nextm;             /* next mark */
    uint32_t cur_block;         /* IR block of the code being listed, IR_NONE */
    uint32_t last_ir;           /* IR instruction whose code is being listed */
} lister;

static int cmp_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] < y[1] ? -1 : x[1] > y[1];
}

/* The block starting at offset, IR_NONE if none (the first of several). */
static uint32_t block_at(const lister *L, uint32_t off)
{
    uint32_t lo = 0, hi = L->nblocks;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (L->blocks[2 * mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < L->nblocks && L->blocks[2 * lo] == off ? L->blocks[2 * lo + 1] : IR_NONE;
}

/* What a branch to `target` reaches: a block, a trap island, or nothing known. */
static const char *target_name(const lister *L, uint64_t target, char *buf, size_t n)
{
    if (target >= L->o->code.n)
        return NULL;
    uint32_t b = block_at(L, (uint32_t)target);
    if (b != IR_NONE) {
        snprintf(buf, n, "block%" PRIu32, b);
        return buf;
    }
    for (uint32_t k = 0; k < L->o->traps.n; k++)
        if (L->o->traps.v[k].offset == target) {
            char tb[16];
            snprintf(buf, n, "trap %s", cg_trap_name(L->o->traps.v[k].code, tb));
            return buf;
        }
    return NULL;
}

/* ---- CLIF interleaving ----------------------------------------------------------- */

static void put_ir(lister *L, uint32_t inst)
{
    fputs("  ; ", L->out);
    ir_print_inst(L->out, L->fn, inst, L->pos);
    fputc('\n', L->out);
    L->shown[inst] = 1;
}

/* The instructions of block b not shown yet, up to (and without) `upto`
 * (IR_NONE: all): they produced no code of their own (folded into a user,
 * or a jump to the next block). */
static void flush_block(lister *L, uint32_t b, uint32_t upto)
{
    if (b == IR_NONE || b >= L->fn->blocks.n)
        return;
    for (uint32_t i = L->fn->blocks.v[b].first; i != IR_NONE && i != upto; i = L->fn->insts.v[i].next)
        if (!L->shown[i])
            put_ir(L, i);
}

static void put_block_label(lister *L, uint32_t b)
{
    if (!(L->flags & CLI_DIS_CLIF)) {
        fprintf(L->out, "block%" PRIu32 ":\n", b);
        return;
    }
    const ir_block_data *bd = &L->fn->blocks.v[b];
    fprintf(L->out, "block%" PRIu32, b);
    for (uint32_t k = 0; k < bd->nparams; k++) {
        uint32_t v = L->fn->pool.v[bd->params + k];
        char tn[16];
        fprintf(L->out, "%sv%" PRIu32 ": %s", k ? ", " : "(", v,
                ir_type_name(v < L->fn->values.n ? L->fn->values.v[v].type : 0, tn));
    }
    fputs(bd->nparams ? "):\n" : ":\n", L->out);
}

/* Labels and IR before the code at offset off. */
static void before(lister *L, uint32_t off)
{
    while (L->nextb < L->nblocks && L->blocks[2 * L->nextb] <= off) {
        uint32_t b = L->blocks[2 * L->nextb + 1];
        if (L->flags & CLI_DIS_CLIF)
            flush_block(L, L->cur_block, IR_NONE);
        put_block_label(L, b);
        L->cur_block = b;
        L->nextb++;
    }
    if (!(L->flags & CLI_DIS_CLIF))
        return;
    const uint32_t *m = L->o->marks.v;
    while (L->nextm < L->o->marks.n && m[L->nextm] <= off) {
        uint32_t ir = m[L->nextm + 1];
        L->nextm += 2;
        if (ir == IR_NONE || ir >= L->fn->insts.n || ir == L->last_ir) {
            if (ir == IR_NONE && L->last_ir != IR_NONE) {   /* trap islands, the pool */
                flush_block(L, L->cur_block, IR_NONE);
                L->cur_block = IR_NONE;
            }
            L->last_ir = ir;
            continue;
        }
        uint32_t b = L->fn->insts.v[ir].block;
        if (b == L->cur_block)
            flush_block(L, b, ir);
        put_ir(L, ir);
        L->last_ir = ir;
    }
}

/* ---- data -------------------------------------------------------------------------- */

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* The data entry at off: lines up to its end; returns the offset after it. */
static uint32_t put_data(lister *L, uint32_t off)
{
    const cg_output *o = L->o;
    const cg_data *d = &o->data.v[L->cover[off]];
    uint32_t end = d->off + d->len < o->code.n ? d->off + d->len : o->code.n;
    const uint8_t *c = o->code.v;
    char text[64], note[96];
    static const char *const what[] = {"", "exception table", "constant", "padding"};
    if (d->kind == CG_DATA_OFFSET32 && end - off >= 4) {
        int32_t rel = (int32_t)le32(c + off);
        uint64_t target = (uint64_t)((int64_t)d->base + rel);
        char tb[48];
        const char *t = target_name(L, target, tb, sizeof tb);
        snprintf(text, sizeof text, ".long   0x%08" PRIx32, (uint32_t)rel);
        if (t)
            snprintf(note, sizeof note, "%s (0x%" PRIx64 " - 0x%" PRIx32 ")", t, target, d->base);
        else
            snprintf(note, sizeof note, "0x%" PRIx64 " - 0x%" PRIx32, target, d->base);
        put_line(L->out, off, c + off, 4, text, note);
        return off + 4;
    }
    if (d->kind == CG_DATA_PAD) {
        snprintf(text, sizeof text, ".zero   %" PRIu32, end - off);
        put_line(L->out, off, c + off, 0, text, what[d->kind]);
        return end;
    }
    /* words up to the end or the next entry that starts inside (a table entry) */
    bool first = off == d->off;
    while (off < end) {
        uint32_t n = end - off >= 8 && !(off & 7) && d->kind == CG_DATA_CONST ? 8 : end - off >= 4 ? 4 : 1;
        for (uint32_t k = 1; k < n; k++)
            if (&o->data.v[L->cover[off + k]] != d)
                n = 1;
        if (n == 8)
            snprintf(text, sizeof text, ".quad   0x%016" PRIx64, (uint64_t)le32(c + off + 4) << 32 | le32(c + off));
        else if (n == 4)
            snprintf(text, sizeof text, ".long   0x%08" PRIx32, le32(c + off));
        else
            snprintf(text, sizeof text, ".byte   0x%02x", c[off]);
        put_line(L->out, off, c + off, n, text, first ? what[d->kind] : "");
        first = false;
        off += n;
        if (off < end && &o->data.v[L->cover[off]] != d)
            break;
    }
    return off;
}

/* ---- the listing ------------------------------------------------------------------- */

static void note_for(lister *L, csh cs, const cs_insn *in, char *note, size_t n)
{
    const cg_output *o = L->o;
    size_t len = 0;
    note[0] = 0;
    for (uint32_t k = 0; k < o->relocs.n && len < n - 64; k++) {
        const jit_reloc *r = &o->relocs.v[k];
        if (r->offset >= in->address && r->offset < in->address + in->size)
            len += (size_t)snprintf(note + len, n - len, "%s-> %s (%s %+" PRId64 ")", len ? "; " : "", r->sym,
                                    jit_reloc_name(r->kind), r->addend);
    }
    for (uint32_t k = 0; k < o->traps.n && len < n - 32; k++)
        if (o->traps.v[k].offset == in->address) {
            char tb[16];
            len += (size_t)snprintf(note + len, n - len, "%strap: %s", len ? "; " : "",
                                    cg_trap_name(o->traps.v[k].code, tb));
        }
    if (!in->detail || len)
        return;
    bool jump = cs_insn_group(cs, in, CS_GRP_JUMP) || cs_insn_group(cs, in, CS_GRP_CALL);
    if (!jump)
        return;
    int64_t imm = -1;
    if (L->arch == JIT_ARCH_AARCH64) {
        const cs_arm64 *a = &in->detail->arm64;
        for (int k = 0; k < a->op_count; k++)
            if (a->operands[k].type == ARM64_OP_IMM)
                imm = a->operands[k].imm;
    } else {
        const cs_x86 *x = &in->detail->x86;
        for (int k = 0; k < x->op_count; k++)
            if (x->operands[k].type == X86_OP_IMM)
                imm = x->operands[k].imm;
    }
    char tb[48];
    const char *t = imm >= 0 ? target_name(L, (uint64_t)imm, tb, sizeof tb) : NULL;
    if (t)
        snprintf(note, n, "%s", t);
}

void cli_disassemble_fn(FILE *out, jit_arch arch, const cg_output *o, const ir_function *fn, unsigned flags)
{
    static const struct { cs_arch arch; cs_mode mode; bool known; } modes[JIT_ARCH_COUNT] = {
#define ARCH(id, name, alias, em, abs64, pad, stub, near, got, csa, csm, isa) [JIT_ARCH_##id] = {csa, csm, true},
#include "jit/arch.def"
#undef ARCH
    };
    csh cs;
    if (arch == JIT_ARCH_HOST)
        arch = jit_host_arch();
    if ((unsigned)arch >= JIT_ARCH_COUNT || !modes[arch].known ||
        cs_open(modes[arch].arch, modes[arch].mode, &cs) != CS_ERR_OK) {
        fputs("  (capstone cannot disassemble this architecture)\n", out);
        return;
    }
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    lister L = {.out = out, .arch = arch, .o = o, .fn = fn, .flags = fn ? flags : 0, .cur_block = IR_NONE,
                .last_ir = IR_NONE};
    L.cover = malloc(((size_t)o->code.n + 1) * sizeof *L.cover);
    L.blocks = malloc(((size_t)o->block_off.n + 1) * 2 * sizeof *L.blocks);
    cs_insn *in = cs_malloc(cs);
    if (!L.cover || !L.blocks || !in) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    for (uint32_t i = 0; i < o->code.n; i++)
        L.cover[i] = -1;
    for (uint32_t k = 0; k < o->data.n; k++) {
        const cg_data *d = &o->data.v[k];
        for (uint32_t i = d->off; i < d->off + d->len && i < o->code.n; i++)
            if (L.cover[i] < 0 || d->kind == CG_DATA_OFFSET32)
                L.cover[i] = (int32_t)k;
    }
    if (fn)
        for (uint32_t b = 0; b < o->block_off.n; b++)
            if (o->block_off.v[b] != CG_NONE_OFF) {
                L.blocks[2 * L.nblocks] = o->block_off.v[b];
                L.blocks[2 * L.nblocks++ + 1] = b;
            }
    qsort(L.blocks, L.nblocks, 2 * sizeof *L.blocks, cmp_pair);
    if (L.flags & CLI_DIS_CLIF) {
        L.pos = ir_layout_positions(fn);
        L.shown = calloc((size_t)fn->insts.n + 1, 1);
        if (!L.shown) {
            fputs("clifrun: out of memory\n", stderr);
            exit(3);
        }
    }

    uint32_t off = 0;
    while (off < o->code.n) {
        before(&L, off);
        if (L.cover[off] >= 0) {
            off = put_data(&L, off);
            continue;
        }
        /* the code up to the next data entry */
        uint32_t end = off;
        while (end < o->code.n && L.cover[end] < 0)
            end++;
        const uint8_t *p = o->code.v + off;
        size_t size = end - off;
        uint64_t addr = off;
        char text[256], note[256];
        if (cs_disasm_iter(cs, &p, &size, &addr, in)) {
            if (in->op_str[0])
                snprintf(text, sizeof text, "%-7s %s", in->mnemonic, in->op_str);
            else
                snprintf(text, sizeof text, "%s", in->mnemonic);
            note_for(&L, cs, in, note, sizeof note);
            put_line(out, off, o->code.v + off, in->size, text, note);
            off += in->size;
            continue;
        }
        /* not an instruction capstone knows */
        if (arch == JIT_ARCH_AARCH64 && end - off >= 4) {
            uint32_t w = le32(o->code.v + off);
            if (!(w >> 16))
                snprintf(text, sizeof text, "udf     #%" PRIu32, w);
            else
                snprintf(text, sizeof text, ".long   0x%08" PRIx32, w);
            note[0] = 0;
            for (uint32_t k = 0; k < o->traps.n; k++)
                if (o->traps.v[k].offset == off) {
                    char tb[16];
                    snprintf(note, sizeof note, "trap: %s", cg_trap_name(o->traps.v[k].code, tb));
                }
            put_line(out, off, o->code.v + off, 4, text, note[0] ? note : w >> 16 ? "not an instruction" : "");
            off += 4;
        } else {
            snprintf(text, sizeof text, ".byte   0x%02x", o->code.v[off]);
            put_line(out, off, o->code.v + off, 1, text, "not an instruction");
            off++;
        }
    }
    if (L.flags & CLI_DIS_CLIF)
        flush_block(&L, L.cur_block, IR_NONE);
    cs_free(in, 1);
    cs_close(&cs);
    free(L.cover);
    free(L.blocks);
    free(L.pos);
    free(L.shown);
}

void cli_disassemble(FILE *out, jit_arch arch, const cg_output *o)
{
    cli_disassemble_fn(out, arch, o, NULL, 0);
}
