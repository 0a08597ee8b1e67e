/* Writes drdotnet(1) from what the built tool itself says: `drdotnet --help` (verbs, options, exit statuses,
 * environment), `drdotnet <verb> --help` for each verb, and `drdotnet profilers --json` (the library's table), so the
 * page cannot drift from the tool. Run by the build: mangen <drdotnet> <output.1>. */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

extern char **environ;

#define MAX_OUTPUT (4u << 20)

/* Runs argv and returns its standard output (NUL-terminated, the caller frees), or NULL when it cannot be run,
 * exits with a status other than 0, or writes more than MAX_OUTPUT bytes. */
static char *capture(char *const argv[])
{
    int fds[2];
    if (pipe(fds))
        return NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc) {
        close(fds[0]);
        fprintf(stderr, "mangen: cannot run %s: %s\n", argv[0], strerror(rc));
        return NULL;
    }
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);
    int ok = buf != NULL;
    while (ok) {
        if (cap - len < 2) {
            char *bigger = cap * 2 <= MAX_OUTPUT ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                ok = 0;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fds[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "mangen: %s %s failed\n", argv[0], argv[1] ? argv[1] : "");
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    return buf;
}

/* Writes text with roff's special characters escaped: backslashes, dashes (kept as ASCII minus, so that options
 * and names copy as typed), and a leading dot or quote that would make a request. */
static void put(FILE *out, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        int line_start = i == 0 || text[i - 1] == '\n';
        if (line_start && (c == '.' || c == '\''))
            fputs("\\&", out);
        if (c == '\\')
            fputs("\\e", out);
        else if (c == '-')
            fputs("\\-", out);
        else
            fputc(c, out);
    }
}

static void puts_esc(FILE *out, const char *text)
{
    put(out, text, strlen(text));
}

/* The lines of a help text, in place: each line NUL-terminated, *n set; a trailing empty line dropped. */
static char **split_lines(char *text, int *n)
{
    int count = 1;
    for (char *p = text; *p; p++)
        count += *p == '\n';
    char **lines = calloc((size_t)count, sizeof *lines);
    if (!lines)
        return NULL;
    int k = 0;
    for (char *p = text; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        lines[k++] = p;
        p = nl ? nl + 1 : NULL;
    }
    *n = k;
    return lines;
}

static int indented(const char *line)
{
    return line[0] == ' ';
}

/* A help body (the lines after its usage line): runs of unindented lines become filled paragraphs, runs of
 * indented lines (lists of choices or options) are kept as they are laid out. */
static void put_body(FILE *out, char **lines, int n)
{
    int i = 0;
    while (i < n) {
        if (!*lines[i]) {
            i++;
            continue;
        }
        int pre = indented(lines[i]);
        fputs(pre ? ".PP\n.RS 2\n.nf\n" : ".PP\n", out);
        for (; i < n && *lines[i] && indented(lines[i]) == pre; i++) {
            puts_esc(out, pre ? lines[i] + 2 : lines[i]);
            fputc('\n', out);
        }
        if (pre)
            fputs(".fi\n.RE\n", out);
    }
}

/* One "  term   description" item of `drdotnet --help`, with its continuation lines (indented further). */
struct item {
    char term[128];
    char text[1024];
};

/* Reads the items of the section starting at lines[*i] (the header line), leaving *i after it. Returns the count. */
static int read_items(char **lines, int n, int *i, struct item *items, int max)
{
    int k = 0;
    for ((*i)++; *i < n && indented(lines[*i]); (*i)++) {
        const char *l = lines[*i];
        if (l[2] != ' ' && k < max) {
            const char *gap = strstr(l + 2, "  ");
            size_t tlen = gap ? (size_t)(gap - (l + 2)) : strlen(l + 2);
            snprintf(items[k].term, sizeof items[k].term, "%.*s", (int)tlen, l + 2);
            const char *d = gap ? gap : "";
            d += strspn(d, " ");
            snprintf(items[k].text, sizeof items[k].text, "%s", d);
            k++;
        } else if (k > 0) {
            size_t used = strlen(items[k - 1].text);
            snprintf(items[k - 1].text + used, sizeof items[k - 1].text - used, " %s", l + strspn(l, " "));
        }
    }
    return k;
}

static void put_items(FILE *out, const struct item *items, int n)
{
    for (int k = 0; k < n; k++) {
        fputs(".TP\n.B ", out);
        puts_esc(out, items[k].term);
        fputc('\n', out);
        puts_esc(out, items[k].text);
        fputc('\n', out);
    }
}

/* drdotnet <verb> --help: its usage line goes to the synopsis (out_synopsis), the rest to the verb's section. */
static int put_verb(FILE *out, const char *tool, const char *verb, FILE *synopsis)
{
    char *argv[] = {(char *)tool, (char *)verb, "--help", NULL};
    char *help = capture(argv);
    int n;
    char **lines = help ? split_lines(help, &n) : NULL;
    if (!lines || n == 0 || strncmp(lines[0], "usage: ", 7) != 0) {
        fprintf(stderr, "mangen: '%s %s --help' does not start with a usage line\n", tool, verb);
        free(lines);
        free(help);
        return -1;
    }
    fputs(".br\n", synopsis);
    puts_esc(synopsis, lines[0] + 7);
    fputc('\n', synopsis);
    fputs(".SS ", out);
    puts_esc(out, verb);
    fputs("\n.B ", out);
    puts_esc(out, lines[0] + 7);
    fputc('\n', out);
    put_body(out, lines + 1, n - 1);
    free(lines);
    free(help);
    return 0;
}

/* One profiler of `drdotnet profilers --json`: its description, CLSID, modes, and every parameter. */
static void put_profiler(FILE *out, json_t *p)
{
    fputs(".SS ", out);
    puts_esc(out, json_string_value(json_object_get(p, "name")));
    fputs("\n", out);
    puts_esc(out, json_string_value(json_object_get(p, "description")));
    fputs(".\n.br\nCLSID ", out);
    puts_esc(out, json_string_value(json_object_get(p, "clsid")));
    fprintf(out, "; attach: %s; launch: %s.\n", json_is_true(json_object_get(p, "attach")) ? "yes" : "no",
            json_is_true(json_object_get(p, "launch")) ? "yes" : "no");
    size_t k;
    json_t *d;
    json_array_foreach(json_object_get(p, "parameters"), k, d) {
        fputs(".TP\n.BI \"", out);
        puts_esc(out, json_string_value(json_object_get(d, "key")));
        fputs("=\" ", out);
        puts_esc(out, json_string_value(json_object_get(d, "type")));
        fputs("\n(default ", out);
        puts_esc(out, json_string_value(json_object_get(d, "default")));
        if (json_object_get(d, "min"))
            fprintf(out, ", %lld to %lld", (long long)json_integer_value(json_object_get(d, "min")),
                    (long long)json_integer_value(json_object_get(d, "max")));
        if (json_object_get(d, "choices")) {
            fputs(", one of ", out);
            puts_esc(out, json_string_value(json_object_get(d, "choices")));
        }
        fputs(")\n", out);
        puts_esc(out, json_string_value(json_object_get(d, "description")));
        fputc('\n', out);
    }
}

/* The section title in the page for a `--help` section header ("exit status:" -> "EXIT STATUS"). */
static void section_title(const char *header, char *title, size_t cap)
{
    size_t i = 0;
    for (; header[i] && header[i] != ':' && i + 1 < cap; i++)
        title[i] = (char)(header[i] >= 'a' && header[i] <= 'z' ? header[i] - 32 : header[i]);
    title[i] = 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mangen <drdotnet executable> <output file>\n");
        return 2;
    }
    const char *tool = argv[1];
    int rc = 1, n = 0;
    /* the page's parts, gathered in the order of the help text and written in the order of a man page */
    char *help = NULL, *profilers = NULL, *syn_buf = NULL, *desc_buf = NULL, *opt_buf = NULL, *verbs_buf = NULL,
         *rest_buf = NULL;
    size_t syn_len = 0, desc_len = 0, opt_len = 0, verbs_len = 0, rest_len = 0;
    char **lines = NULL;
    json_t *table = NULL;
    FILE *synopsis = NULL, *desc = NULL, *opts = NULL, *verbs = NULL, *rest = NULL, *out = NULL;

    char *help_argv[] = {(char *)tool, "--help", NULL};
    char *prof_argv[] = {(char *)tool, "profilers", "--json", NULL};
    if (!(help = capture(help_argv)) || !(profilers = capture(prof_argv)))
        goto done;
    json_error_t jerr;
    table = json_loads(profilers, 0, &jerr);
    if (!json_is_array(table) || json_array_size(table) == 0) {
        fprintf(stderr, "mangen: 'profilers --json' gave no profiler table: %s\n", jerr.text);
        goto done;
    }
    lines = split_lines(help, &n);
    /* "drdotnet <version>: <what it is>" */
    const char *summary = lines && n > 0 ? strstr(lines[0], ": ") : NULL;
    if (!summary || strncmp(lines[0], "drdotnet ", 9) != 0) {
        fprintf(stderr, "mangen: 'drdotnet --help' does not start with 'drdotnet <version>: <summary>'\n");
        goto done;
    }
    char version[64];
    snprintf(version, sizeof version, "%.*s", (int)(summary - lines[0] - 9), lines[0] + 9);

    synopsis = open_memstream(&syn_buf, &syn_len);
    desc = open_memstream(&desc_buf, &desc_len);
    opts = open_memstream(&opt_buf, &opt_len);
    verbs = open_memstream(&verbs_buf, &verbs_len);
    rest = open_memstream(&rest_buf, &rest_len);
    if (!synopsis || !desc || !opts || !verbs || !rest)
        goto done;
    int n_verbs = 0;
    for (int i = 1; i < n;) {
        const char *l = lines[i];
        size_t len = strlen(l);
        if (!*l || strncmp(l, "usage: ", 7) == 0) {
            i++;
        } else if (!indented(l) && l[len - 1] == ':') {
            struct item items[32];
            char title[64];
            section_title(l, title, sizeof title);
            int k = read_items(lines, n, &i, items, 32);
            if (strcmp(title, "VERBS") == 0) {
                for (int v = 0; v < k; v++) {
                    items[v].term[strcspn(items[v].term, " ")] = 0;
                    if (put_verb(verbs, tool, items[v].term, synopsis))
                        goto done;
                }
                n_verbs = k;
            } else {
                FILE *to = strcmp(title, "OPTIONS") == 0 ? opts : rest;
                fprintf(to, ".SH %s\n", title);
                put_items(to, items, k);
            }
        } else {
            /* prose outside the sections: the description */
            int start = i;
            while (i < n && *lines[i] && !(lines[i][strlen(lines[i]) - 1] == ':' && !indented(lines[i])))
                i++;
            put_body(desc, lines + start, i - start);
        }
    }
    if (n_verbs == 0) {
        fprintf(stderr, "mangen: 'drdotnet --help' lists no verbs\n");
        goto done;
    }
    if (fclose(synopsis) | fclose(desc) | fclose(opts) | fclose(verbs) | fclose(rest)) {
        synopsis = desc = opts = verbs = rest = NULL;
        goto done;
    }
    synopsis = desc = opts = verbs = rest = NULL;

    out = fopen(argv[2], "w");
    if (!out) {
        fprintf(stderr, "mangen: cannot write %s: %s\n", argv[2], strerror(errno));
        goto done;
    }
    fputs(".\\\" Generated by packaging/mangen.c from the tool's own help and profiler table: do not edit.\n", out);
    /* no hyphenation: names, keys and JSON fields must read (and copy) whole */
    fprintf(out, ".TH DRDOTNET 1 \"\" \"drdotnet %s\" \"User Commands\"\n.nh\n.SH NAME\ndrdotnet \\- ", version);
    puts_esc(out, summary + 2);
    fputs("\n.SH SYNOPSIS\n.ad l\n.B drdotnet\n.I verb\n[options]\n.br\ndrdotnet \\-\\-version\n", out);
    fputs(".br\ndrdotnet \\-\\-help\n", out);
    fwrite(syn_buf, 1, syn_len, out);
    fputs(".ad\n.SH DESCRIPTION\nA profiler for .NET applications on Linux: pick a running .NET process, pick a "
          "profiler, and get a report of where the time, the memory, the pauses or the exceptions go, in the "
          "terminal, as JSON, as files other tools read, or in a web page\n.RB ( \"drdotnet serve\" ).\n",
          out);
    fwrite(desc_buf, 1, desc_len, out);
    fwrite(opt_buf, 1, opt_len, out);
    fputs(".SH VERBS\n", out);
    fwrite(verbs_buf, 1, verbs_len, out);
    fputs(".SH PROFILERS\nThe profilers of the library, as\n.B drdotnet profilers\nlists them. Give a parameter "
          "to\n.B profile\nor\n.B launch\nas\n\\fB\\-\\-param\\fR \\fIkey\\fR=\\fIvalue\\fR.\n",
          out);
    size_t k;
    json_t *p;
    json_array_foreach(table, k, p) put_profiler(out, p);
    fwrite(rest_buf, 1, rest_len, out);
    fputs(".SH SEE ALSO\n.BR dotnet (1),\n.BR dotnet\\-trace (1)\n", out);
    if (fclose(out)) {
        out = NULL;
        fprintf(stderr, "mangen: cannot write %s: %s\n", argv[2], strerror(errno));
        goto done;
    }
    out = NULL;
    rc = 0;
done:
    if (out)
        fclose(out);
    FILE *streams[] = {synopsis, desc, opts, verbs, rest};
    for (size_t s = 0; s < sizeof streams / sizeof streams[0]; s++)
        if (streams[s])
            fclose(streams[s]);
    if (rc)
        unlink(argv[2]);
    free(syn_buf);
    free(desc_buf);
    free(opt_buf);
    free(verbs_buf);
    free(rest_buf);
    json_decref(table);
    free(lines);
    free(profilers);
    free(help);
    return rc;
}
