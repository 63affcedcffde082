/* lib/filetest/report.c: JUnit XML of a `clifrun test` run — one
 * <testsuite> per file, one <testcase> per run line and target line (or one
 * for the file as a whole when it has no run line to blame), with its time;
 * a case that could not run (the file does not read, a function does not
 * compile) is an <error>, one that ran and was wrong a <failure>. */
#include "filetest.h"

#include <string.h>

/* Length of a well-formed UTF-8 sequence that is an XML Char at s, or 0. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0];
    if (c < 0x80)
        return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!n || (size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] > 0x8f))
        return 0;   /* overlong, surrogate, beyond U+10FFFF */
    if (c == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
        return 0;   /* U+FFFE, U+FFFF */
    return n;
}

/* Text or attribute value: escaped, and bytes that XML cannot hold (control
 * characters, malformed UTF-8 from a binary file's diagnostic) as \xNN. */
static void xml_text(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    while (p < end) {
        size_t n = utf8_len(p, end);
        if (!n) {
            fprintf(out, "\\x%02x", *p++);
            continue;
        }
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\n': fputs("&#10;", out); break;
        case '\r': fputs("&#13;", out); break;
        case '\t': fputs("&#9;", out); break;
        default: fwrite(p, 1, n, out);
        }
        p += n;
    }
}

/* The first line of a message, for the message attribute. */
static void xml_first_line(FILE *out, const char *s)
{
    const char *nl = strchr(s, '\n');
    char *line = nl ? ir_xstrndup(s, (size_t)(nl - s)) : ir_xstrdup(s);
    xml_text(out, line ? line : "");
    free(line);
}

void ft_junit_write(FILE *out, const ft_file_result *r, size_t n, double secs)
{
    unsigned long tests = 0, failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < r[i].cases.n; k++) {
            tests++;
            failures += r[i].cases.v[k].status == FT_FAIL;
            errors += r[i].cases.v[k].status == FT_CASE_ERROR;
            skipped += r[i].cases.v[k].status == FT_SKIPPED;
        }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"clifrun test\" tests=\"%lu\" failures=\"%lu\" errors=\"%lu\" "
            "skipped=\"%lu\" time=\"%.3f\">\n", tests, failures, errors, skipped, secs);
    for (size_t i = 0; i < n; i++) {
        unsigned long t = r[i].cases.n, f = 0, e = 0, s = 0;
        for (uint32_t k = 0; k < r[i].cases.n; k++) {
            f += r[i].cases.v[k].status == FT_FAIL;
            e += r[i].cases.v[k].status == FT_CASE_ERROR;
            s += r[i].cases.v[k].status == FT_SKIPPED;
        }
        fputs("  <testsuite name=\"", out);
        xml_text(out, r[i].path);
        fprintf(out, "\" tests=\"%lu\" failures=\"%lu\" errors=\"%lu\" skipped=\"%lu\" time=\"%.3f\">\n",
                t, f, e, s, r[i].secs);
        for (uint32_t k = 0; k < r[i].cases.n; k++) {
            const ft_case *c = &r[i].cases.v[k];
            fputs("    <testcase classname=\"", out);
            xml_text(out, r[i].path);
            fputs("\" name=\"", out);
            if (c->target && *c->target) {
                xml_text(out, c->target);
                fputs(": ", out);
            }
            if (c->line)
                fprintf(out, "line %u: ", c->line);
            xml_text(out, c->name ? c->name : "");
            fprintf(out, "\" time=\"%.6f\"", c->secs);
            if (c->status == FT_PASS) {
                fputs("/>\n", out);
                continue;
            }
            if (c->status == FT_SKIPPED) {
                fputs("><skipped message=\"", out);
                xml_text(out, c->msg ? c->msg : "");
                fputs("\"/></testcase>\n", out);
                continue;
            }
            const char *el = c->status == FT_CASE_ERROR ? "error" : "failure";
            fprintf(out, "><%s message=\"", el);
            xml_first_line(out, c->msg ? c->msg : "");
            fputs("\">", out);
            xml_text(out, c->msg ? c->msg : "");
            fprintf(out, "</%s></testcase>\n", el);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    fflush(out);
}
