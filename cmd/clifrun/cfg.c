/* cmd/clifrun/cfg.c: `clifrun cfg FILE`, the control-flow graph of each
 * function in Graphviz dot: one cluster per function, a record node per
 * block holding its instructions, an edge per branch destination labelled
 * with its arguments (br_table entries by index, try_call's normal return
 * solid and its exception edges dashed).  `-o F.svg` (.png, .pdf, or any
 * format dot knows by its extension) runs Graphviz's dot to render it. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "filetest/filetest.h"

static const char cfg_usage[] =
    "usage: clifrun cfg [--no-verify] FILE...\n"
    "       clifrun cfg [--no-verify] -o OUT.svg|.png|.pdf FILE\n"
    "  prints the control-flow graph of each function of each FILE in Graphviz dot;\n"
    "  -o renders it with Graphviz's dot into OUT, in the format of its extension\n";

/* Text for a record label: dot's record syntax makes { } | < > special,
 * and the label is a quoted string. */
static void put_escaped(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (strchr("{}|<>\"\\", c))
            fputc('\\', out);
        if (c == '\n')
            continue;
        fputc(c, out);
    }
}

/* One instruction's text (the printer's), escaped. */
static void put_inst(FILE *out, const ir_function *f, uint32_t i, const uint32_t *pos)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        fputs("clifrun: out of memory\n", stderr);
        exit(3);
    }
    ir_print_inst(m, f, i, pos);
    fclose(m);
    put_escaped(out, buf, len);
    free(buf);
}

/* "(v1, ret0, exn0)" of a block call, or "" */
static void put_args(FILE *out, const ir_function *f, uint32_t off)
{
    const uint32_t *p = &f->pool.v[off];
    static const char *const pre[] = {"v", "ret", "exn", "?"};
    if (!p[1])
        return;
    fputc('(', out);
    for (uint32_t k = 0; k < p[1]; k++)
        fprintf(out, "%s%s%u", k ? ", " : "", pre[IR_BLOCKARG_KIND(p[2 + k])], IR_BLOCKARG_INDEX(p[2 + k]));
    fputc(')', out);
}

static bool block_ok(const ir_function *f, uint32_t b) { return b < f->blocks.n && f->blocks.v[b].in_layout; }

static void edge(FILE *out, unsigned fi, const ir_function *f, uint32_t from, uint32_t off, const char *what,
                 bool exceptional)
{
    uint32_t to = f->pool.v[off];
    if (!block_ok(f, to))
        return;
    fprintf(out, "    f%u_b%u:term -> f%u_b%u [label=\"", fi, from, fi, to);
    fputs(what, out);
    put_args(out, f, off);
    fprintf(out, "\"%s];\n", exceptional ? ", style=dashed" : "");
}

static void function_graph(FILE *out, unsigned fi, const ir_function *f)
{
    char name[160];
    if (f->name.kind == IR_NAME_TESTCASE)
        snprintf(name, sizeof name, "%%%s", f->name.str);
    else
        snprintf(name, sizeof name, "u%u:%u", f->name.ns, f->name.index);
    fprintf(out, "  subgraph cluster_%u {\n    label=\"", fi);
    put_escaped(out, name, strlen(name));
    fputs("\";\n", out);
    uint32_t *pos = ir_layout_positions(f);
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li];
        const ir_block_data *bd = &f->blocks.v[b];
        fprintf(out, "    f%u_b%u [label=\"{block%u", fi, b, b);
        for (uint32_t k = 0; k < bd->nparams; k++) {
            uint32_t v = f->pool.v[bd->params + k];
            char tn[16];
            fprintf(out, "%sv%u: %s", k ? ", " : "(", v, ir_type_name(v < f->values.n ? f->values.v[v].type : 0, tn));
        }
        fputs(bd->nparams ? "):" : ":", out);
        for (uint32_t i = bd->first; i != IR_NONE; i = f->insts.v[i].next) {
            fputs(i == bd->last ? "\\l|<term>" : "\\l|", out);
            put_inst(out, f, i, pos);
        }
        fprintf(out, "\\l}\"%s%s];\n", li == 0 ? ", penwidth=2" : "", bd->cold ? ", style=dashed" : "");
    }
    for (uint32_t li = 0; li < f->layout.n; li++) {
        uint32_t b = f->layout.v[li], t = f->blocks.v[b].last;
        if (t == IR_NONE)
            continue;
        const ir_inst_data *in = &f->insts.v[t];
        const uint32_t *p;
        char what[48];
        switch ((ir_format)ir_opcodes[in->op].format) {
        case IR_FMT_Jump:
            edge(out, fi, f, b, in->ent, "", false);
            break;
        case IR_FMT_Brif:
            edge(out, fi, f, b, f->pool.v[in->ent], "then", false);
            edge(out, fi, f, b, f->pool.v[in->ent + 1], "else", false);
            break;
        case IR_FMT_BranchTable:
            p = &f->pool.v[in->ent];
            edge(out, fi, f, b, p[1], "default", false);
            for (uint32_t k = 1; k < p[0]; k++) {
                snprintf(what, sizeof what, "[%u]", k - 1);
                edge(out, fi, f, b, p[1 + k], what, false);
            }
            break;
        case IR_FMT_TryCall:
        case IR_FMT_TryCallIndirect:
            p = &f->pool.v[(uint32_t)in->imm];
            edge(out, fi, f, b, p[1], "normal", false);
            for (uint32_t k = 0; k < p[2]; k++) {
                const uint32_t *it = &p[3 + 3 * k];
                if (it[0] == IR_EXN_CONTEXT)
                    continue;
                if (it[0] == IR_EXN_TAG)
                    snprintf(what, sizeof what, "tag%u", it[1]);
                else
                    snprintf(what, sizeof what, "default");
                edge(out, fi, f, b, it[2], what, true);
            }
            break;
        default:
            break;
        }
    }
    free(pos);
    fputs("  }\n", out);
}

void cli_cfg_graph(FILE *out, const ir_file *file, uint32_t from, uint32_t to)
{
    fputs("digraph \"", out);
    put_escaped(out, file->path, strlen(file->path));
    fputs("\" {\n  node [shape=record, fontname=\"monospace\", fontsize=10];\n"
          "  edge [fontname=\"monospace\", fontsize=9];\n",
          out);
    for (uint32_t i = from; i < to && i < file->funcs.n; i++)
        function_graph(out, i, file->funcs.v[i]);
    fputs("}\n", out);
}

static void file_graph(FILE *out, const ir_file *file)
{
    cli_cfg_graph(out, file, 0, file->funcs.n);
}

/* Render dot text with Graphviz's dot into path, the format from its
 * extension.  Returns the exit status for clifrun. */
static int render(const char *text, size_t len, const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash) || !dot[1]) {
        fprintf(stderr, "clifrun cfg: -o %s: the extension names the format (.svg, .png, .pdf ...)\n", path);
        return 2;
    }
    char fmt[32];
    snprintf(fmt, sizeof fmt, "-T%.28s", dot + 1);
    int in[2], err[2];
    if (pipe(in) || pipe(err)) {
        fprintf(stderr, "clifrun cfg: cannot run dot: %s\n", strerror(errno));
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "clifrun cfg: cannot run dot: %s\n", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(err[1], 2);
        close(in[0]), close(in[1]), close(err[0]), close(err[1]);
        execlp("dot", "dot", fmt, "-o", path, (char *)NULL);
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(in[0]);
    close(err[1]);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(in[1], text + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(in[1]);
    char msg[1024];
    size_t got = 0;
    for (ssize_t r; got < sizeof msg - 1 && (r = read(err[0], msg + got, sizeof msg - 1 - got)) > 0;)
        got += (size_t)r;
    msg[got] = 0;
    close(err[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    signal(SIGPIPE, old);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        fprintf(stderr, "clifrun cfg: -o %s needs Graphviz's `dot`, which is not installed "
                        "(Debian: apt-get install graphviz); without -o, clifrun cfg prints the dot text\n",
                path);
        return 2;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st)) {
        while (got && (msg[got - 1] == '\n' || msg[got - 1] == ' '))
            msg[--got] = 0;
        fprintf(stderr, "clifrun cfg: dot could not write %s: %s\n", path, got ? msg : "it failed");
        return 2;
    }
    return 0;
}

static int cfg_file(const char *path, const char *out, bool verify)
{
    ir_file file;
    char *src;
    ir_diag d;
    bool ok = ft_load(&file, path, &src, verify, &d);
    cli_warnings(stderr, &file);
    if (!ok) {
        ir_diag_print(stderr, &d, cli_use_color());
        ir_file_free(&file);
        ft_free_file(src);
        return 2;
    }
    int rc = 0;
    if (!out) {
        file_graph(stdout, &file);
    } else {
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m) {
            fputs("clifrun: out of memory\n", stderr);
            exit(3);
        }
        file_graph(m, &file);
        fclose(m);
        rc = render(text, len, out);
        free(text);
    }
    ir_file_free(&file);
    ft_free_file(src);
    return rc;
}

int cli_cfg_main(int argc, char **argv)
{
    const char *out = NULL;
    bool verify = true;
    int npaths = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--no-verify"))
            verify = false;
        else if (!strcmp(argv[i], "--target") && i + 1 < argc)
            i++;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(cfg_usage, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "clifrun cfg: unknown option '%s'\n%s", argv[i], cfg_usage);
            return 2;
        } else
            argv[npaths++] = argv[i];
    }
    if (!npaths || (out && npaths > 1)) {
        fprintf(stderr, "%s%s", npaths ? "clifrun cfg: -o renders one file\n" : "", cfg_usage);
        return 2;
    }
    int rc = 0;
    for (int i = 0; i < npaths; i++) {
        int r = cfg_file(argv[i], out, verify);
        rc = r > rc ? r : rc;
    }
    return rc;
}
