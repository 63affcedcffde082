/* lib/filetest/interp.c: run commands through the interpreter, checked and
 * reported exactly as compiled calls are (module.c's ft_report_cmd). */
#include "filetest.h"

#include <string.h>

bool ft_interp_run_cmd(interp_ctx *ic, const ir_file *file, const uint32_t *lines, uint32_t nlines,
                       const ir_run_cmd *rc, const interp_opts *opts, FILE *out, unsigned flags,
                       run_outcome *oc_out)
{
    const ir_function *fn = file->funcs.v[rc->func];
    uint32_t nr = fn->sig.nrets;
    ir_data_value small[8], *actual = nr <= 8 ? small : calloc(nr, sizeof *actual);
    interp_outcome io;
    if (!actual) {
        memset(&io.oc, 0, sizeof io.oc);
        io.oc.status = RUN_ERROR;
        snprintf(io.oc.msg, sizeof io.oc.msg, "out of memory");
    } else if (interp_call(ic, rc->func, rc->nargs ? &file->data.v[rc->args] : NULL, rc->nargs, actual, opts,
                           &io) != RUN_OK) {
        memset(actual, 0, (nr ? nr : 1) * sizeof *actual);     /* written only by a call that returns */
    }
    bool pass = ft_report_cmd(file, lines, nlines, rc, actual, &io.oc, out, flags);
    if (oc_out)
        *oc_out = io.oc;
    if (actual != small)
        free(actual);
    return pass;
}
