/* cmd/clifrun/replcmd.c: the REPL's commands (:load, :target, :set, :list,
 * :print, :cfg, :disasm, :help, :quit), each on the session of repl.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "opt/opt.h"
#include "reader/reader.h"
#include "repl.h"
#include "rl.h"
#include "verify/verify.h"

/* ---- commands -------------------------------------------------------------------- */

static const char *const isa_names[CG_ISA_COUNT] = {
#define CG_F(name) #name,
    CG_ISA_FLAGS(CG_F)
#undef CG_F
};

static void show_target(const session *S)
{
    if (S->target)
        printf("target %s\n", S->target);
    else
        printf("target %s (the host)\n", jit_arch_name(S->t.arch));
    printf("ISA flags:");
    for (unsigned k = 0; k < CG_ISA_COUNT; k++)
        if (S->t.isa >> k & 1)
            printf(" has_%s", isa_names[k]);
    printf("%s\n", S->t.isa ? "" : " none (the baseline)");
    for (uint32_t i = 0; i < S->settings.n; i++)
        printf("set %s\n", S->settings.v[i]);
    if (S->runnable)
        printf("calls run on this host\n");
    else
        printf("compile and :disasm only: %s\n", S->why);
}

/* Would the header with these settings and target be accepted?  (The
 * message of a refusal is printed.) */
static bool header_ok(char **settings, uint32_t nset, const char *target)
{
    session h = {0};
    h.settings.v = settings, h.settings.n = nset;
    h.target = (char *)target;
    char *text = repl_session_text(&h, false);
    ir_file f;
    ir_diag d;
    cg_target t;
    bool run;
    char why[200];
    bool ok = reader_parse_file(&f, REPL_PATH, text, strlen(text), &d);
    if (ok && target && f.targets.n != 1)
        ir_diag_set(&d, 0, 0, "expected one target line"), ok = false;
    if (ok)
        ok = repl_pick_target(&f, &t, &run, why, sizeof why, &d);
    if (!ok)
        repl_error("%s", d.msg);
    ir_file_free(&f);
    free(text);
    return ok;
}

void repl_cmd_target(session *S, const char *arg)
{
    if (!*arg) {
        show_target(S);
        return;
    }
    if (!strcmp(arg, "host")) {
        free(S->target);
        S->target = NULL;
    } else {
        if (!header_ok(S->settings.v, S->settings.n, arg))
            return;
        free(S->target);
        S->target = ir_xstrdup(arg);
    }
    repl_rebuild(S, NULL, true, true);
    show_target(S);
}

/* name=value (or name) into the list, replacing the same name. */
void repl_set_setting(session *S, const char *s)
{
    size_t n = strcspn(s, "= \t");
    for (uint32_t i = 0; i < S->settings.n; i++)
        if (!strncmp(S->settings.v[i], s, n) && strchr("= \t", S->settings.v[i][n])) {
            free(S->settings.v[i]);
            S->settings.v[i] = ir_xstrdup(s);
            return;
        }
    ir_vec_push(&S->settings, ir_xstrdup(s));
}

void repl_cmd_set(session *S, const char *arg)
{
    if (!*arg) {
        for (uint32_t i = 0; i < S->settings.n; i++)
            printf("set %s\n", S->settings.v[i]);
        if (!S->settings.n)
            printf("no settings (defaults: opt_level=none); :set opt_level=speed sets one\n");
        return;
    }
    session trial = {0};
    for (uint32_t i = 0; i < S->settings.n; i++)
        ir_vec_push(&trial.settings, ir_xstrdup(S->settings.v[i]));
    repl_set_setting(&trial, arg);
    bool ok = header_ok(trial.settings.v, trial.settings.n, S->target);
    for (uint32_t i = 0; i < trial.settings.n; i++)
        free(trial.settings.v[i]);
    ir_vec_free(&trial.settings);
    if (!ok)
        return;
    repl_set_setting(S, arg);
    repl_rebuild(S, NULL, true, true);
    printf("set %s\n", arg);
}

/* The target and set lines of a loaded file: the first target line that
 * runs here, with the settings before it.  Returns false if it has target
 * lines and none of them runs here (the session's are kept). */
static bool adopt_header(session *S, ir_file *f)
{
    cg_target t;
    char why[200] = "";
    ir_diag d;
    uint32_t ti = IR_NONE, nset = f->settings.n;
    for (uint32_t i = 0; i < f->targets.n && ti == IR_NONE; i++) {
        ft_verdict v = ft_target(f, i, JIT_ARCH_HOST, &t, why, sizeof why, &d);
        if (v == FT_ERROR) {
            repl_diag(&d);
            return false;
        }
        if (v == FT_RUN)
            ti = i, nset = f->targets.v[i].settings;
    }
    if (f->targets.n && ti == IR_NONE) {
        printf("note: %s: no target line runs here (%s); the session's target stays\n", f->path, why);
        return false;
    }
    uint32_t cli = f->settings.n - f->ncli_settings;  /* --set, after the file's */
    for (uint32_t i = 0; i < f->settings.n; i++) {
        if (i >= nset && i < cli)
            continue;
        const ir_setting *s = &f->settings.v[i];
        char buf[256];
        snprintf(buf, sizeof buf, "%s%s%s", s->name, s->value ? "=" : "", s->value ? s->value : "");
        repl_set_setting(S, buf);
    }
    if (ti != IR_NONE) {
        const ir_target *tg = &f->targets.v[ti];
        char *words = NULL;
        size_t len = 0;
        repl_append(&words, &len, tg->arch, strlen(tg->arch));
        for (uint32_t k = 0; k < tg->nflags; k++) {
            const ir_setting *s = &f->target_flags.v[tg->flags + k];
            repl_append(&words, &len, " ", 1);
            repl_append(&words, &len, s->name, strlen(s->name));
            if (s->value) {
                repl_append(&words, &len, "=", 1);
                repl_append(&words, &len, s->value, strlen(s->value));
            }
        }
        free(S->target);
        S->target = words;
    }
    return true;
}

void repl_cmd_load(session *S, const char *path)
{
    if (!*path) {
        repl_error(":load needs a file name");
        return;
    }
    ir_file f;
    char *src = NULL;
    ir_diag d;
    bool loaded = ft_load(&f, path, &src, true, &d);
    cli_warnings(stderr, &f);
    if (!loaded) {
        repl_diag(&d);
        ir_file_free(&f);
        free(src);
        return;
    }
    if (f.targets.n || f.settings.n)
        adopt_header(S, &f);
    ir_vec_push(&S->origins, ((origin){ir_xstrdup(path), ++S->unit, src, f.len}));
    S->unit_open = false;       /* a file is a unit of its own */
    char *names = NULL;
    size_t nlen = 0;
    repl_append(&names, &nlen, "", 0);
    for (uint32_t i = 0; i < f.funcs.n; i++) {
        char name[160];
        repl_func_name(f.funcs.v[i], name, sizeof name);
        repl_append(&names, &nlen, i ? ", " : "", i ? 2 : 0);
        repl_append(&names, &nlen, name, strlen(name));
        if (repl_find_func(S, name) >= 0)
            repl_append(&names, &nlen, " (replaced)", 11);
    }
    saved_funcs sv = repl_save_funcs(S);
    bool *report = repl_add_functions(S, &f, S->origins.n - 1);
    if (!repl_rebuild(S, report, false, true)) {
        repl_restore_funcs(S, &sv);
        free(names);
        free(report);
        ir_file_free(&f);
        return;
    }
    free(sv.v);
    printf("loaded %s: %u function%s%s%s\n", path, f.funcs.n, f.funcs.n == 1 ? "" : "s",
           f.funcs.n ? ": " : "", names);
    if (f.targets.n || f.settings.n)
        show_target(S);
    free(names);
    free(report);
    ir_file_free(&f);
}

/* The functions an argument names: one, or all for "". */
static bool each_func(session *S, const char *arg, int *from, int *to)
{
    if (!*arg) {
        *from = 0, *to = (int)S->funcs.n;
        if (!S->funcs.n)
            printf("no functions yet\n");
        return S->funcs.n > 0;
    }
    int k = repl_find_func(S, arg);
    if (k < 0) {
        repl_error("no function %s (:list shows the functions)", arg);
        return false;
    }
    *from = k, *to = k + 1;
    return (uint32_t)k < S->file.funcs.n;
}

static void cmd_list(session *S)
{
    if (!S->funcs.n)
        printf("no functions yet: type one, or :load FILE\n");
    for (uint32_t i = 0; i < S->funcs.n && i < S->file.funcs.n; i++) {
        char *sig = repl_signature_text(S->file.funcs.v[i]);
        const sfunc *f = &S->funcs.v[i];
        printf("  %-40s %s:%u", sig, S->origins.v[f->origin].path, f->line0);
        if (S->have_module && S->m.fn_err[i])
            printf("  (does not compile: %s)", S->m.fn_err[i]->msg);
        putchar('\n');
        free(sig);
    }
}

/* :cfg [%f]: the control-flow graph in Graphviz dot, as clifrun cfg. */
static void cmd_cfg(session *S, const char *arg)
{
    int a, b;
    if (each_func(S, arg, &a, &b))
        cli_cfg_graph(stdout, &S->file, (uint32_t)a, (uint32_t)b);
}

static void cmd_print(session *S, const char *arg)
{
    int a, b;
    if (!each_func(S, arg, &a, &b))
        return;
    for (int i = a; i < b; i++) {
        if (i > a)
            putchar('\n');
        ir_print_function(stdout, S->file.funcs.v[i]);
    }
}

static void cmd_disasm(session *S, const char *arg)
{
    int a, b;
    unsigned flags = 0;
    if (!strncmp(arg, "--clif", 6) && (!arg[6] || arg[6] == ' ')) {
        flags = CLI_DIS_CLIF;
        for (arg += 6; *arg == ' '; arg++)
            ;
    }
    if (!each_func(S, arg, &a, &b))
        return;
    cg_target t = S->t;
    t.listing = true;
    for (int i = a; i < b; i++) {
        cg_output o;
        ir_diag d;
        if (!opt_compile(&t, &S->file, (uint32_t)i, &o, &d)) {
            repl_map_diag(S, &d);
            repl_diag(&d);
            continue;
        }
        printf("%s: %u bytes (%s)\n", S->funcs.v[i].name, o.code.n, jit_arch_name(S->t.arch));
        cli_disassemble_fn(stdout, S->t.arch, &o, S->file.funcs.v[i], flags);
        cg_output_free(&o);
    }
}

static const char help_text[] =
    "Type or paste a function; input continues until its braces balance:\n"
    "  function %add(i32, i32) -> i32 {\n"
    "  block0(v0: i32, v1: i32):\n"
    "      v2 = iadd v0, v1\n"
    "      return v2\n"
    "  }\n"
    "Then call it: %add(1, 2) prints %add(1, 2) -> 3; %add(1, 2) == 3 checks the result.\n"
    "Defining a function again replaces it and recompiles what calls it.\n"
    "`; run:` lines, `set` and `target` lines are taken as in a .clif file.\n"
    "\n"
    "Commands:\n"
    "  :load FILE        add FILE's functions (and its set/target lines) to the session\n"
    "  :list             the session's functions and where they come from\n"
    "  :print [%f]       print a function (or all) as canonical CLIF\n"
    "  :disasm [--clif] [%f]  compile and disassemble a function (or all) for the\n"
    "                    target; --clif: each IR instruction before its code\n"
    "  :cfg [%f]         the control-flow graph of a function (or all) in Graphviz dot\n"
    "  :target [ARCH [FLAGS] | host]  show or switch the target (calls need the host's)\n"
    "  :set [FLAG=VALUE] show the settings or set one (opt_level=speed ...)\n"
    "  :help             this text\n"
    "  :quit             leave (or Ctrl-D)\n"
    "Ctrl-C stops a running call, or clears the line. Tab completes opcodes, types,\n"
    "function names and commands. History is kept in ~/.clifrun_history.\n";

const char *const repl_commands[] = {":load", ":list", ":print", ":disasm", ":cfg", ":target",
                                    ":set", ":help", ":quit", NULL};

void repl_command(session *S, const char *line)
{
    const char *p = line + 1;
    size_t n = strcspn(p, " \t");
    char *arg = repl_trimmed(p + n);
    char word[32];
    snprintf(word, sizeof word, ":%.*s", (int)(n < 30 ? n : 30), p);
    if (!strcmp(word, ":quit") || !strcmp(word, ":q") || !strcmp(word, ":exit"))
        S->quit = true;
    else if (!strcmp(word, ":help") || !strcmp(word, ":h") || !strcmp(word, ":?"))
        fputs(help_text, stdout);
    else if (!strcmp(word, ":load") || !strcmp(word, ":l"))
        repl_cmd_load(S, arg);
    else if (!strcmp(word, ":list"))
        cmd_list(S);
    else if (!strcmp(word, ":print") || !strcmp(word, ":p"))
        cmd_print(S, arg);
    else if (!strcmp(word, ":disasm") || !strcmp(word, ":d"))
        cmd_disasm(S, arg);
    else if (!strcmp(word, ":cfg"))
        cmd_cfg(S, arg);
    else if (!strcmp(word, ":target"))
        repl_cmd_target(S, arg);
    else if (!strcmp(word, ":set"))
        repl_cmd_set(S, arg);
    else
        repl_error("unknown command '%s' (:help lists the commands)", word);
    free(arg);
    fflush(stdout);
}
