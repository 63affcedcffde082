/* lib/reader: the CLIF text reader — lexer, recursive-descent parser,
 * legacy syntax and the file directives (test/set/target, ; run: lines). */
#ifndef CLIFRUN_READER_H
#define CLIFRUN_READER_H

#include "ir.h"

/* Parse the whole text of a .clif file into `file` (which keeps pointers
 * into src; src must outlive it).  On error returns false with d filled
 * (d->file/src/len are set here too); `file` is then still safe to free. */
bool reader_parse_file(ir_file *file, const char *path, const char *src, size_t len, ir_diag *d);

#endif
