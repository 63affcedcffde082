/* lib/reader: the CLIF text reader — lexer, recursive-descent parser,
 * legacy syntax and the file directives (test/set/target, ; run: lines). */
#ifndef CLIFRUN_READER_H
#define CLIFRUN_READER_H

#include "ir/ir.h"

/* Parse the whole text of a .clif file into `file` (which keeps pointers
 * into src; src must outlive it).  On error returns false with d filled
 * (d->file/src/len are set here too); `file` is then still safe to free. */
/* The architecture a target line's first word names: itself, or a
 * triple's first part (x86_64-unknown-linux-gnu: x86_64; amd64 and arm64
 * as x86_64 and aarch64), in f's arena. */
const char *reader_target_arch(ir_file *f, const char *w, size_t n);
bool reader_parse_file(ir_file *file, const char *path, const char *src, size_t len, ir_diag *d);
/* The same, calling hook(ctx, file, i) once function i and its run lines
 * are read, before the next: a caller may check the function and drop
 * what it no longer needs while the rest of the file is read.  The hook
 * reports nothing through d (the reader's errors win over its). */
typedef void reader_fn_hook(void *ctx, ir_file *file, uint32_t func);
bool reader_parse_file_each(ir_file *file, const char *path, const char *src, size_t len, ir_diag *d,
                            reader_fn_hook *hook, void *ctx);

/* Parse one invocation given outside the file (clifrun -e): `%f(1, 2)` or
 * `u0:1(7)` calls the function of that name, `u0:N` also the N-th function
 * of the file (cranelift_module's names).  With `== v` or `!= v` after it,
 * it is a run command, else a print command.  Its values are appended to
 * file->data; rc->line/col are positions in text.  Errors are located in
 * text, with d->file = where (e.g. "-e"). */
bool reader_parse_invocation(ir_file *file, const char *where, const char *text, size_t len,
                             ir_run_cmd *rc, ir_diag *d);

#endif
