/* cmd/clifrun/cli.c: colour and warnings, for main.c and repl.c (disasm.c: listings). */
#include "cli.h"

#include <stdlib.h>
#include <unistd.h>


bool cli_use_color(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(2) && !(nc && *nc);
}

void cli_warnings(FILE *out, const ir_file *file)
{
    for (uint32_t i = 0; i < file->warnings.n; i++)
        ir_warn_print(out, file->path, file->src, file->len, file->warnings.v[i].line, file->warnings.v[i].col,
                      file->warnings.v[i].msg, cli_use_color());
}
