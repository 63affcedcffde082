/* lib/run/value.c: values printed and compared as Cranelift's runner does
 * (cranelift/codegen/src/data_value.rs, cranelift/reader/src/run_command.rs),
 * and the output line of a run command. */
#include "run.h"

#include <string.h>

/* Bytes a value occupies: its type's size, at most 16. */
static unsigned value_size(ir_type t)
{
    unsigned n = ir_type_bytes((ir_type)(t & 0xff));
    return n > 16 ? 16 : n;
}

/* A bounded writer with snprintf's contract. */
typedef struct sbuf { char *buf; size_t size, len; } sbuf;

static void sb_puts(sbuf *b, const char *s)
{
    for (; *s; s++, b->len++)
        if (b->len + 1 < b->size)
            b->buf[b->len] = *s;
}

static int sb_finish(sbuf *b)
{
    if (b->size)
        b->buf[b->len < b->size ? b->len : b->size - 1] = 0;
    return (int)b->len;
}

/* A scalar lane of `lane` type at p: signed decimal or Cranelift's float. */
static void sb_lane(sbuf *b, ir_type lane, const uint8_t *p)
{
    char tmp[64];
    unsigned bits = ir_type_lane_bits(lane);
    if (ir_type_is_float(lane)) {
        ir_print_ieee(tmp, sizeof tmp, bits, p);
    } else {
        unsigned __int128 u = 0;
        for (unsigned k = 0; k < bits / 8; k++)
            u |= (unsigned __int128)p[k] << (8 * k);
        if (bits < 128 && (u >> (bits - 1) & 1))
            u |= ~(unsigned __int128)0 << bits;
        ir_print_i128(tmp, sizeof tmp, (__int128)u);
    }
    sb_puts(b, tmp);
}

static bool valid(ir_type t)
{
    unsigned lane = ir_type_lane(t);
    return lane >= IR_I8 && lane <= IR_F128 && ir_type_bytes((ir_type)(t & 0xff)) <= 16;
}

int run_value_format(char *buf, size_t n, const ir_data_value *v)
{
    sbuf b = {buf, n, 0};
    if (!valid(v->type)) {
        sb_puts(&b, "<invalid>");
    } else if (ir_type_is_vector(v->type)) {
        /* ConstantData: "0x", then the bytes from the last one */
        static const char hex[] = "0123456789abcdef";
        sb_puts(&b, "0x");
        for (unsigned i = value_size(v->type); i--;) {
            char two[3] = {hex[v->bytes[i] >> 4], hex[v->bytes[i] & 15], 0};
            sb_puts(&b, two);
        }
    } else {
        sb_lane(&b, v->type, v->bytes);
    }
    return sb_finish(&b);
}

int run_value_format_lanes(char *buf, size_t n, const ir_data_value *v)
{
    if (!valid(v->type) || !ir_type_is_vector(v->type))
        return run_value_format(buf, n, v);
    sbuf b = {buf, n, 0};
    ir_type lane = ir_type_lane(v->type);
    unsigned lb = ir_type_lane_bits(lane) / 8, count = value_size(v->type) / lb;
    sb_puts(&b, "[");
    for (unsigned i = 0; i < count; i++) {
        if (i)
            sb_puts(&b, " ");
        sb_lane(&b, lane, v->bytes + i * lb);
    }
    sb_puts(&b, "]");
    return sb_finish(&b);
}

static void value_print(FILE *out, const ir_data_value *v, unsigned fmt)
{
    char buf[1024]; /* the longest, i8x16 lanes, is 66 characters */
    if (fmt & RUN_FMT_LANES)
        run_value_format_lanes(buf, sizeof buf, v);
    else
        run_value_format(buf, sizeof buf, v);
    fputs(buf, out);
}

void run_values_print(FILE *out, const ir_data_value *v, uint32_t count, unsigned fmt)
{
    for (uint32_t i = 0; i < count; i++) {
        if (i)
            fputs(", ", out);
        value_print(out, &v[i], fmt);
    }
}

void run_results_print(FILE *out, const ir_data_value *v, uint32_t count, unsigned fmt)
{
    if (count == 1) {
        value_print(out, v, fmt);
        return;
    }
    fputc('[', out);
    run_values_print(out, v, count, fmt);
    fputc(']', out);
}

/* ---- comparison --------------------------------------------------------------- */

/* Are the first n (<= 16) bytes of two values' bytes equal?  Two words and
 * a mask, not a call of memcmp (a check per run line). */
static inline bool bytes_eq(const uint8_t *a, const uint8_t *b, unsigned n)
{
    uint64_t x[2], y[2];
    memcpy(x, a, 16);
    memcpy(y, b, 16);
    x[0] ^= y[0], x[1] ^= y[1];
    ir_keep16(x, n);
    return !(x[0] | x[1]);
}

/* DataValue's variant: each scalar type, or a vector of a byte size. */
static unsigned variant(ir_type t)
{
    return ir_type_is_vector(t) ? 0x100u | value_size(t) : ir_type_lane(t);
}

bool run_value_eq(const ir_data_value *a, const ir_data_value *b)
{
    if (a->type == b->type)    /* the usual case: one check */
        return valid(a->type) && bytes_eq(a->bytes, b->bytes, value_size(a->type));
    if (!valid(a->type) || !valid(b->type) || variant(a->type) != variant(b->type))
        return false;
    return bytes_eq(a->bytes, b->bytes, value_size(a->type));
}

bool run_check(uint8_t cmp, const ir_data_value *actual, uint32_t nactual,
               const ir_data_value *expect, uint32_t nexpect)
{
    if (cmp == IR_CMP_NONE) {
        static const uint8_t zero[16];
        return nactual == 1 && !bytes_eq(actual->bytes, zero, value_size(actual->type));
    }
    bool eq = nactual == nexpect;
    for (uint32_t i = 0; eq && i < nactual; i++)
        eq = run_value_eq(&actual[i], &expect[i]);
    return cmp == IR_CMP_EQ ? eq : !eq;
}

/* ---- the output line of a run command ----------------------------------------- */

static void print_func_name(FILE *out, const ir_file *file, const ir_run_cmd *rc)
{
    if (rc->name) {
        fputs(rc->name, out);
        return;
    }
    const ir_function *fn = rc->func < file->funcs.n ? file->funcs.v[rc->func] : NULL;
    if (fn && fn->name.kind == IR_NAME_TESTCASE && fn->name.str)
        fprintf(out, "%%%s", fn->name.str);
    else if (fn && fn->name.kind == IR_NAME_USER)
        fprintf(out, "u%u:%u", fn->name.ns, fn->name.index);
    else
        fprintf(out, "u0:%u", rc->func);
}

void run_invocation_print(FILE *out, const ir_file *file, const ir_run_cmd *rc, unsigned fmt)
{
    print_func_name(out, file, rc);
    fputc('(', out);
    if (rc->nargs && rc->args + rc->nargs <= file->data.n)
        run_values_print(out, &file->data.v[rc->args], rc->nargs, fmt);
    fputc(')', out);
}

/* The command as the runner displays it: "%f(1) == 2", "%f() != 0", "%f(1)". */
static void print_command(FILE *out, const ir_file *file, const ir_run_cmd *rc, unsigned fmt)
{
    run_invocation_print(out, file, rc, fmt);
    if (rc->kind != IR_RUN_RUN)
        return;
    if (rc->cmp == IR_CMP_NONE) {
        fputs(" != 0", out);
        return;
    }
    fputs(rc->cmp == IR_CMP_EQ ? " == " : " != ", out);
    const ir_data_value *exp = rc->expect + rc->nexpect <= file->data.n ? &file->data.v[rc->expect] : NULL;
    run_results_print(out, exp, exp ? rc->nexpect : 0, fmt);
}

bool run_report(FILE *out, const ir_file *file, const ir_run_cmd *rc,
                const ir_data_value *actual, const run_outcome *oc, unsigned flags)
{
    const ir_function *fn = rc->func < file->funcs.n ? file->funcs.v[rc->func] : NULL;
    uint32_t nactual = fn ? fn->sig.nrets : 0;
    bool returned = !oc || oc->status == RUN_OK;
    bool pass = returned;
    if (returned && rc->kind == IR_RUN_RUN) {
        const ir_data_value *exp = rc->expect + rc->nexpect <= file->data.n ? &file->data.v[rc->expect] : NULL;
        pass = run_check(rc->cmp, actual, nactual, exp, exp ? rc->nexpect : 0);
    }
    if (pass && (flags & RUN_REPORT_FAILURES))
        return pass;
    if (!pass)
        fprintf(out, "FAIL %s:%u: ", file->path ? file->path : "-", rc->line);
    print_command(out, file, rc, flags);
    if (!returned) {
        if (oc->status == RUN_ERROR)
            fprintf(out, ", error: %s", oc->msg);
        else
            fprintf(out, ", %s", oc->msg);
    } else if (rc->kind == IR_RUN_PRINT) {
        fputs(" -> ", out);
        run_results_print(out, actual, nactual, flags);
    } else if (!pass) {
        fputs(", got ", out);
        run_results_print(out, actual, nactual, flags);
    }
    fputc('\n', out);
    return pass;
}
