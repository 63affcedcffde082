/* cmd/clifrun/repledit.c: the REPL's input on a terminal through GNU
 * readline (completion of commands, names and keywords, history, Ctrl-C at
 * the prompt), and lines from a script when standard input is not one. */
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

/* ---- readline: completion, history, the loop ----------------------------------------- */

static session *cur_session;     /* for the completion generator */

static const char *const type_names[] = {
    "i8", "i16", "i32", "i64", "i128", "f16", "f32", "f64", "f128", "i8x16", "i16x8",
    "i32x4", "i64x2", "f32x4", "f64x2", "i8x8", "i16x4", "i32x2", "f32x2", NULL};
static const char *const keywords[] = {"function", "block", "sig", "fn", "ss", "gv", "notrap",
                                       "aligned", "readonly", "colocated", NULL};

static IR_VEC(char *) cands;
static size_t cand_next;

static void cand(const char *prefix, const char *s)
{
    size_t n = strlen(prefix);
    char *c = ir_xmalloc(n + strlen(s) + 1);
    if (!c)
        return;
    memcpy(c, prefix, n);
    strcpy(c + n, s);
    ir_vec_push(&cands, c);
}

static char *generate(const char *text, int state)
{
    (void)state;
    size_t n = strlen(text);
    while (cand_next < cands.n) {
        char *c = cands.v[cand_next++];
        if (!strncmp(c, text, n))
            return ir_xstrdup(c);
    }
    return NULL;
}

/* Candidates from the words before the one being completed: condition
 * codes after icmp/fcmp, the entry's blocks after a branch.  False if the
 * context says nothing. */
static bool context_cands(session *S, int start)
{
    /* the instruction so far: from the last '=' or the line's start */
    const char *line = rl_line_buffer, *from = line;
    for (const char *p = line; p < line + start; p++)
        if (*p == '=')
            from = p + 1;
    char op[32] = "";
    int n = 0;
    sscanf(from, " %31[a-z_0-9.]%n", op, &n);
    if (!*op || from + n >= line + start)      /* still typing the opcode */
        return false;
    char *dot = strchr(op, '.');
    if (dot)
        *dot = 0;
    /* the operand position: words (or commas) after the opcode */
    bool first_operand = true;
    for (const char *p = from + n; p < line + start; p++)
        if (*p != ' ' && *p != '\t')
            first_operand = false;
    if (first_operand && (!strcmp(op, "icmp") || !strcmp(op, "icmp_imm"))) {
        for (unsigned i = 0; i < IR_INTCC_COUNT; i++)
            cand("", ir_intcc_names[i]);
        return true;
    }
    if (first_operand && !strcmp(op, "fcmp")) {
        for (unsigned i = 0; i < IR_FLOATCC_COUNT; i++)
            cand("", ir_floatcc_names[i]);
        return true;
    }
    if (strcmp(op, "jump") && strcmp(op, "brif") && strcmp(op, "br_table") && strcmp(op, "try_call") &&
        strcmp(op, "try_call_indirect"))
        return false;
    /* the blocks of the entry being typed (its lines so far and this one) */
    const char *texts[2] = {S->pending ? S->pending : "", line};
    for (int t = 0; t < 2; t++)
        for (const char *p = texts[t]; (p = strstr(p, "block")); p += 5) {
            if (p > texts[t] && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
                continue;
            size_t k = 5;
            while (isdigit((unsigned char)p[k]))
                k++;
            if (k == 5)
                continue;
            char name[24];
            snprintf(name, sizeof name, "%.*s", (int)k, p);
            bool dup = false;
            for (uint32_t i = 0; i < cands.n && !dup; i++)
                dup = !strcmp(cands.v[i], name);
            if (!dup)
                cand("", name);
        }
    return cands.n > 0;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    session *S = cur_session;
    for (uint32_t i = 0; i < cands.n; i++)
        free(cands.v[i]);
    cands.n = 0;
    cand_next = 0;
    const char *line = repl_skip_space(rl_line_buffer);
    bool first = (size_t)start <= (size_t)(line - rl_line_buffer);
    rl_attempted_completion_over = 1;
    if (*line == ':' && !first) {
        if (repl_starts_word(line, ":load") || repl_starts_word(line, ":l")) {
            rl_attempted_completion_over = 0;   /* file names */
            return NULL;
        }
        for (uint32_t i = 0; i < S->funcs.n; i++)
            cand("", S->funcs.v[i].name);
    } else if (*text == ':') {
        for (int i = 0; repl_commands[i]; i++)
            cand("", repl_commands[i]);
    } else if (context_cands(S, start)) {
        /* what can stand here: condition codes, blocks */
    } else if (strchr(text, '.')) {
        /* iadd.i3<TAB>: a type after the dot */
        const char *dot = strrchr(text, '.');
        char *prefix = ir_xstrndup(text, (size_t)(dot - text) + 1);
        for (int i = 0; type_names[i]; i++)
            cand(prefix, type_names[i]);
        free(prefix);
    } else {
        for (uint32_t i = 0; i < IR_OP_COUNT; i++)
            if (!(ir_opcodes[i].flags & IR_OPF_LEGACY))
                cand("", ir_opcodes[i].name);
        for (int i = 0; type_names[i]; i++)
            cand("", type_names[i]);
        for (int i = 0; keywords[i]; i++)
            cand("", keywords[i]);
        for (unsigned i = 0; i < IR_INTCC_COUNT; i++)
            cand("", ir_intcc_names[i]);
        for (uint32_t i = 0; i < S->funcs.n; i++)
            cand("", S->funcs.v[i].name);
        if (first)
            for (int i = 0; repl_commands[i]; i++)
                cand("", repl_commands[i]);
    }
    return rl_completion_matches(text, generate);
}

static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    char *p = NULL;
    if (asprintf(&p, "%s/.clifrun_history", home) < 0)
        return NULL;
    /* append_history needs the file to exist; an unwritable one means no history */
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "note: history not saved: %s: %s\n", p, strerror(errno));
        free(p);
        return NULL;
    }
    close(fd);
    return p;
}

static void remember(session *S, const char *hist_file)
{
    if (!S->hist)
        return;
    char *h = repl_trimmed(S->hist);
    free(S->hist);
    S->hist = NULL;
    S->hlen = 0;
    HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
    if (*h && !(last && !strcmp(last->line, h))) {
        add_history(h);
        if (hist_file)
            append_history(1, hist_file);
    }
    free(h);
}

static volatile sig_atomic_t got_sigint;
static char *got_line;
static bool line_ready;

static void on_sigint(int sig)
{
    (void)sig;
    got_sigint = 1;
}

static void on_line(char *line)
{
    got_line = line;
    line_ready = true;
    rl_callback_handler_remove();
}

void repl_interactive(session *S)
{
    cur_session = S;
    char *hist_file = history_path();
    rl_readline_name = "clifrun";
    rl_catch_signals = 0;
    rl_change_environment = 0;
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n(),=[]{}";
    rl_completer_word_break_characters = rl_basic_word_break_characters;
    using_history();
    /* a #time line before each entry: multi-line entries survive the file */
    history_comment_char = '#';
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    if (hist_file)
        read_history(hist_file);
    struct sigaction sa = {.sa_handler = on_sigint}, old_int;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    bool installed = false;
    while (!S->quit) {
        if (!installed) {
            got_sigint = 0;
            rl_callback_handler_install(S->pending ? PROMPT_MORE : PROMPT, on_line);
            installed = true;
        }
        sigprocmask(SIG_BLOCK, &block, &orig);
        sigset_t wait_mask = orig;
        sigdelset(&wait_mask, SIGINT);
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(0, &fds);
        int r = got_sigint ? -1 : pselect(1, &fds, NULL, NULL, NULL, &wait_mask);
        sigprocmask(SIG_SETMASK, &orig, NULL);
        if (got_sigint) {
            /* Ctrl-C at the prompt: drop the line and any unfinished entry
             * (^C goes after the line: removing the handler returns the
             * cursor to the line's start) */
            rl_point = rl_end;
            rl_redisplay();
            fputs("^C", rl_outstream);
            rl_replace_line("", 1);
            rl_callback_sigcleanup();
            rl_callback_handler_remove();
            installed = false;
            fputs("\n", rl_outstream);
            repl_cancel_entry(S);
            free(S->hist);
            S->hist = NULL;
            S->hlen = 0;
            continue;
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        rl_callback_read_char();
        if (!line_ready)
            continue;
        line_ready = false;
        installed = false;
        if (!got_line) {        /* Ctrl-D */
            putchar('\n');
            break;
        }
        repl_append(&S->hist, &S->hlen, got_line, strlen(got_line));
        repl_feed(S, got_line);
        free(got_line);
        got_line = NULL;
        if (!S->pending)
            remember(S, hist_file);
        else
            repl_append(&S->hist, &S->hlen, "\n", 1);
        fflush(stdout);
    }
    if (installed)
        rl_callback_handler_remove();
    sigaction(SIGINT, &old_int, NULL);
    if (hist_file)
        history_truncate_file(hist_file, HISTORY_MAX);
    free(hist_file);
}

/* Standard input that is not a terminal (clifrun -i FILE < script): lines
 * without prompts or history. */
void repl_batch(session *S)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!S->quit && (n = getline(&line, &cap, stdin)) >= 0) {
        if (n && line[n - 1] == '\n')
            line[n - 1] = 0;
        repl_feed_line(S, line);
        fflush(stdout);
    }
    free(line);
    if (S->pending) {
        repl_error("end of input inside an unfinished function");
        repl_cancel_entry(S);
    }
}

void repl_edit_free(void)
{
    for (uint32_t i = 0; i < cands.n; i++)
        free(cands.v[i]);
    ir_vec_free(&cands);
}
