/* libFuzzer harness: read + verify, and the printer's round trip.
 *
 * Any input: parse it as a .clif file, rewrite legacy forms, verify every
 * function (a diagnostic is printed, quoting the input).  A file that
 * verifies must print as canonical CLIF that reads back, verifies and
 * prints to the same bytes (what `make test`'s roundtrip suite asks of
 * testdata/); a difference aborts.  Seeds: testdata/'s .clif files. */
#include "common.h"

static char *print_file(const ir_file *file, size_t *len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    if (!m)
        abort();
    ir_print_file(m, file);
    fclose(m);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = fz_copy(data, size);
    ir_file file;
    if (fz_load(&file, src, size, fz_sink())) {
        size_t n1, n2;
        char *p1 = print_file(&file, &n1);
        ir_file again;
        if (!fz_load(&again, p1, n1, stderr)) {
            fprintf(stderr, "the printed file does not read back:\n%.*s\n", (int)n1, p1);
            abort();
        }
        char *p2 = print_file(&again, &n2);
        if (n1 != n2 || memcmp(p1, p2, n1) != 0) {
            fprintf(stderr, "printed twice, differently:\n%.*s\n----\n%.*s\n", (int)n1, p1, (int)n2, p2);
            abort();
        }
        ir_file_free(&again);
        free(p1);
        free(p2);
    }
    ir_file_free(&file);
    free(src);
    fz_done();
    return 0;
}
