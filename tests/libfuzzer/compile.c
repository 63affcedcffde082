/* libFuzzer harness: compile for both targets.
 *
 * A file that reads and verifies is compiled, function by function, for
 * x86-64 and for AArch64 whatever the host (compiling, never running):
 * with the baseline of each, and with each of the file's own `target`
 * lines for that architecture (their ISA flags and `set` lines), as
 * `clifrun compile --target ARCH` does, and the baseline again at
 * opt_level=speed (lib/opt's passes, their result verified); also each
 * function's call trampoline.  Failing to compile is fine (an
 * "unsupported on" or "stack frame too large" diagnostic); a crash, a
 * sanitizer report, a hang or an internal error (the optimizer made a
 * function that does not verify) is not.  Seeds: testdata/'s run, bug,
 * object, opt and interp .clif files. */
#include "codegen/codegen.h"
#include "common.h"
#include "filetest/filetest.h"
#include "opt/opt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("CLIFRUN_OPT_VERIFY", "1", 1);   /* opt_compile verifies what it made */
    return 0;
}

static void compile_all(const cg_target *t, const ir_file *file)
{
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        cg_output out;
        ir_diag d;
        memset(&d, 0, sizeof d);
        if (opt_compile(t, file, i, &out, &d))
            cg_output_free(&out);
        else if (!strncmp(d.msg, "internal error", 14)) {
            fprintf(stderr, "fuzz_compile: %u:%u: %s\n", d.line, d.col, d.msg);
            abort();
        }
        memset(&d, 0, sizeof d);
        if (ft_compile_trampoline(t, file, file->funcs.v[i], "__trampoline", &out, &d))
            cg_output_free(&out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = fz_copy(data, size);
    ir_file file;
    if (fz_load(&file, src, size, fz_sink())) {
        for (unsigned a = JIT_ARCH_HOST + 1; a < JIT_ARCH_COUNT; a++) {     /* every target */
            cg_target t;
            memset(&t, 0, sizeof t);
            t.arch = (jit_arch)a;
            compile_all(&t, &file);
            t.opt = true;
            compile_all(&t, &file);
            t.opt = false;
            unsigned lines = 0;     /* a few of the file's own target lines */
            for (uint32_t k = 0; k < file.targets.n && lines < 4; k++) {
                ir_diag d;
                memset(&d, 0, sizeof d);
                if (strcmp(file.targets.v[k].arch, jit_arch_name((jit_arch)a)) != 0 || !cg_target_from_file(&t, &file, k, &d))
                    continue;
                compile_all(&t, &file);
                lines++;
            }
        }
    }
    ir_file_free(&file);
    free(src);
    fz_done();
    return 0;
}
