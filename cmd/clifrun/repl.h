/* cmd/clifrun/repl.h: what the REPL's files share (repl_main is cli.h's).
 *
 *   repl.c      the session: its functions, rebuilding it, definitions,
 *               calls, lines of input
 *   replcmd.c   the `:` commands
 *   repledit.c  readline: completion, history, the terminal loop; scripts */
#ifndef CLIFRUN_REPL_H
#define CLIFRUN_REPL_H

#include "cli.h"
#include "filetest/filetest.h"

#define REPL_PATH "<repl>"
#define PROMPT "clif> "
#define PROMPT_MORE "....> "
#define HISTORY_MAX 1000

typedef struct origin {
    char *path;             /* "<repl>" or the loaded file */
    uint32_t unit;          /* the file or paste it is part of: u0:N counts there */
    char *text;             /* kept for the session's life: diagnostics quote it */
    size_t len;
} origin;

typedef struct sfunc {
    char *name;             /* "%f" or "u0:1" */
    uint32_t origin;        /* index into origins */
    uint32_t line0, nlines; /* its lines in the origin (1-based) */
    size_t off, len;        /* the same as bytes of the origin's text */
    uint32_t start;         /* its first line in the session's text */
} sfunc;

typedef struct session {
    IR_VEC(origin) origins;
    uint32_t unit;              /* the current file or paste (origin.unit) */
    bool unit_open;             /* definitions still join it */
    bool next_run_cc;           /* a `test run` line came: the next paste is a runtest */
    bool run_cc;                /* the current paste is: system_v by default */
    IR_VEC(sfunc) funcs;
    uint32_t *ftab;             /* funcs by name: open addressing, index + 1 */
    uint32_t ftab_cap;
    IR_VEC(char *) settings;    /* "opt_level=speed" */
    char *target;               /* a target line's words; NULL: the host */
    /* built from the above by repl_rebuild() */
    char *src;
    ir_file file;
    cg_target t;
    bool runnable;              /* the target is the host's: calls run */
    char why[200];              /* else why not */
    ft_module m;
    bool have_module;
    ir_diag link_err;           /* when there is no module */
    jit_ctx *ctx;
    double timeout;
    bool sandbox;               /* calls run sandboxed */
    /* input */
    char *pending;              /* an unfinished entry */
    size_t plen;
    int depth;                  /* of braces in it */
    bool opened;                /* it has had a '{' */
    char *hist;                 /* readline lines since the last complete input */
    size_t hlen;
    bool quit;
} session;

/* The session's functions before a change, to go back to if it fails. */
typedef struct saved_funcs {
    sfunc *v;
    uint32_t n;
} saved_funcs;

/* ---- repl.c ---------------------------------------------------------------------- */

void repl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void repl_diag(const ir_diag *d);
void repl_append(char **buf, size_t *len, const char *s, size_t n);
const char *repl_skip_space(const char *s);
char *repl_trimmed(const char *s);
bool repl_starts_word(const char *s, const char *w);
const char *repl_func_name(const ir_function *fn, char *buf, size_t n);
char *repl_signature_text(const ir_function *fn);
int repl_find_func(const session *S, const char *name);
void repl_map_diag(const session *S, ir_diag *d);
char *repl_session_text(session *S, bool funcs);
bool repl_pick_target(ir_file *file, cg_target *t, bool *runnable, char *why, size_t n, ir_diag *d);
bool repl_rebuild(session *S, const bool *report, bool report_all, bool report_link);
saved_funcs repl_save_funcs(const session *S);
void repl_restore_funcs(session *S, saved_funcs *sv);
bool *repl_add_functions(session *S, const ir_file *f, uint32_t oi);
void repl_cancel_entry(session *S);
void repl_feed_line(session *S, const char *line);
void repl_feed(session *S, const char *text);

/* ---- replcmd.c ------------------------------------------------------------------- */

void repl_cmd_target(session *S, const char *arg);
void repl_set_setting(session *S, const char *s);
void repl_cmd_set(session *S, const char *arg);
void repl_cmd_load(session *S, const char *path);
void repl_command(session *S, const char *line);
extern const char *const repl_commands[];    /* their names, for completion */

/* ---- repledit.c ------------------------------------------------------------------ */

void repl_interactive(session *S);
void repl_batch(session *S);
void repl_edit_free(void);

#endif
