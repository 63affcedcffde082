/* cmd/clifrun/rl.h: GNU readline, loaded by cli_rl_load (lazy.c) when the
 * REPL runs on a terminal.  After this header, readline's names used by
 * repl.c and repledit.c stand for its functions and variables in the loaded library. */
#ifndef CLIFRUN_RL_H
#define CLIFRUN_RL_H

#include <stdbool.h>
#include <stdio.h>

#include <readline/history.h>
#include <readline/readline.h>

#define CLI_RL_NAMES(X)                                                                \
    X(add_history) X(append_history) X(history_get) X(history_truncate_file)           \
    X(read_history) X(using_history) X(rl_callback_handler_install)                    \
    X(rl_callback_handler_remove) X(rl_callback_read_char) X(rl_callback_sigcleanup)   \
    X(rl_completion_matches) X(rl_redisplay) X(rl_replace_line)                        \
    X(history_base) X(history_comment_char) X(history_length)                          \
    X(history_multiline_entries) X(history_write_timestamps)                           \
    X(rl_attempted_completion_function) X(rl_attempted_completion_over)                \
    X(rl_basic_word_break_characters) X(rl_catch_signals) X(rl_change_environment)     \
    X(rl_completer_word_break_characters) X(rl_end) X(rl_line_buffer) X(rl_outstream)  \
    X(rl_point) X(rl_readline_name)

struct cli_rl {
#define CLI_RL_FIELD(n) __typeof__(&n) p_##n;
    CLI_RL_NAMES(CLI_RL_FIELD)
#undef CLI_RL_FIELD
};
extern struct cli_rl cli_rl;

/* Load the library (once); false, after saying why on stderr, if it cannot. */
bool cli_rl_load(void);

#ifndef CLI_RL_NO_MACROS
#define add_history (*cli_rl.p_add_history)
#define append_history (*cli_rl.p_append_history)
#define history_get (*cli_rl.p_history_get)
#define history_truncate_file (*cli_rl.p_history_truncate_file)
#define read_history (*cli_rl.p_read_history)
#define using_history (*cli_rl.p_using_history)
#define rl_callback_handler_install (*cli_rl.p_rl_callback_handler_install)
#define rl_callback_handler_remove (*cli_rl.p_rl_callback_handler_remove)
#define rl_callback_read_char (*cli_rl.p_rl_callback_read_char)
#define rl_callback_sigcleanup (*cli_rl.p_rl_callback_sigcleanup)
#define rl_completion_matches (*cli_rl.p_rl_completion_matches)
#define rl_redisplay (*cli_rl.p_rl_redisplay)
#define rl_replace_line (*cli_rl.p_rl_replace_line)
#define history_base (*cli_rl.p_history_base)
#define history_comment_char (*cli_rl.p_history_comment_char)
#define history_length (*cli_rl.p_history_length)
#define history_multiline_entries (*cli_rl.p_history_multiline_entries)
#define history_write_timestamps (*cli_rl.p_history_write_timestamps)
#define rl_attempted_completion_function (*cli_rl.p_rl_attempted_completion_function)
#define rl_attempted_completion_over (*cli_rl.p_rl_attempted_completion_over)
#define rl_basic_word_break_characters (*cli_rl.p_rl_basic_word_break_characters)
#define rl_catch_signals (*cli_rl.p_rl_catch_signals)
#define rl_change_environment (*cli_rl.p_rl_change_environment)
#define rl_completer_word_break_characters (*cli_rl.p_rl_completer_word_break_characters)
#define rl_end (*cli_rl.p_rl_end)
#define rl_line_buffer (*cli_rl.p_rl_line_buffer)
#define rl_outstream (*cli_rl.p_rl_outstream)
#define rl_point (*cli_rl.p_rl_point)
#define rl_readline_name (*cli_rl.p_rl_readline_name)
#endif

#endif
