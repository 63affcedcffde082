/* tests/libfuzzer: what the libFuzzer harnesses share.  `make
 * fuzz-libfuzzer` builds each NAME.c here with clang
 * (-fsanitize=fuzzer,address,undefined) into build-libfuzzer/fuzz_NAME and
 * runs it (tools/libfuzzer.sh); a crash, a sanitizer report, a leak, a
 * timeout or an abort below is a finding, kept in testdata/libfuzzer/ and
 * replayed by `make test` through clifrun itself. */
#ifndef CLIFRUN_LIBFUZZER_COMMON_H
#define CLIFRUN_LIBFUZZER_COMMON_H

#include "ir/ir.h"
#include "reader/reader.h"
#include "verify/verify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy of the input in a buffer of exactly its size (no terminating
 * NUL: the reader must stay within len, and AddressSanitizer says if not). */
static inline char *fz_copy(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    return s;
}

/* Read, rewrite legacy forms and verify, as `clifrun check` does; on
 * failure also print the diagnostic (it quotes the input). */
static inline bool fz_load(ir_file *file, const char *src, size_t len, FILE *sink)
{
    ir_diag d;
    memset(&d, 0, sizeof d);
    bool ok = reader_parse_file(file, "fuzz.clif", src, len, &d);
    for (uint32_t i = 0; ok && i < file->funcs.n; i++)
        ok = ir_legacy_rewrite(file->funcs.v[i], &d) && verify_function(file->funcs.v[i], &d);
    if (!ok) {
        d.file = "fuzz.clif", d.src = src, d.len = len;
        ir_diag_print(sink, &d, false);
    }
    return ok;
}

/* Somewhere to print to that costs little. */
static inline FILE *fz_sink(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    if (!f)
        abort();
    return f;
}

/* The end of an input: what the libraries keep for the thread's next file
 * freed, so an input's mallocs and frees balance (libFuzzer runs a whole
 * leak check after any input whose counts differ, which made it 3x slower). */
static inline void fz_done(void)
{
    ir_thread_release();
}

#endif
