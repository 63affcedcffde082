/* libFuzzer harness: run lines and -e invocations.
 *
 * The input's first line is read twice: as a `; run:` line after each
 * function of runline.clif (which holds every kind of value a run line can:
 * integers to i128, f16 to f128, vectors of 2 to 16 lanes, several
 * results, none), as `clifrun FILE` reads it; and as a `clifrun -e`
 * invocation against that file.  What parses is printed back the way the
 * runner reports it.  Nothing runs.  Seeds: the run lines of testdata/run
 * and testdata/interp. */
#include "common.h"
#include "run/run.h"

#include "runline_base.h"   /* RUNLINE_BASE: runline.clif as a C string (make) */

static void print_cmd(const ir_file *file, const ir_run_cmd *rc)
{
    FILE *o = fz_sink();
    run_invocation_print(o, file, rc, 0);
    run_invocation_print(o, file, rc, RUN_FMT_LANES);
    if (!file->data.v)      /* no value at all */
        return;
    run_results_print(o, file->data.v + rc->expect, rc->nexpect, 0);
    run_results_print(o, file->data.v + rc->expect, rc->nexpect, RUN_FMT_LANES);
    for (uint32_t k = 0; k < rc->nargs; k++) {
        char buf[128];
        run_value_format(buf, sizeof buf, &file->data.v[rc->args + k]);
        run_value_format_lanes(buf, sizeof buf, &file->data.v[rc->args + k]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t n = nl ? (size_t)(nl - data) : size;
    const char *base = RUNLINE_BASE;
    size_t blen = strlen(base);

    /* the line after each function */
    char *text = NULL;
    size_t tlen = 0;
    FILE *m = open_memstream(&text, &tlen);
    if (!m)
        abort();
    for (const char *p = base; p < base + blen;) {
        const char *e = memchr(p, '\n', (size_t)(base + blen - p));
        size_t l = e ? (size_t)(e - p) + 1 : (size_t)(base + blen - p);
        fwrite(p, 1, l, m);
        if (l >= 1 && p[0] == '}') {
            fputs("; run:", m);
            fwrite(data, 1, n, m);
            fputc('\n', m);
        }
        p += l;
    }
    fclose(m);
    char *src = fz_copy((const uint8_t *)text, tlen);
    free(text);
    ir_file file;
    if (fz_load(&file, src, tlen, fz_sink()))
        for (uint32_t i = 0; i < file.runs.n; i++)
            print_cmd(&file, &file.runs.v[i]);
    ir_file_free(&file);
    free(src);

    /* the line as a -e invocation */
    ir_file bf;
    if (!fz_load(&bf, base, blen, stderr))
        abort();    /* runline.clif itself */
    char *inv = fz_copy(data, n);
    ir_run_cmd rc;
    ir_diag d;
    memset(&d, 0, sizeof d);
    if (reader_parse_invocation(&bf, "-e", inv, n, &rc, &d)) {
        print_cmd(&bf, &rc);
    } else {
        d.src = inv, d.len = n;
        ir_diag_print(fz_sink(), &d, false);
    }
    ir_file_free(&bf);
    free(inv);
    fz_done();
    return 0;
}
