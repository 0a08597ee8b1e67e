/* After a session: what became of the detach, the tool's additions to session.json, the report printed and
 * summary.md written. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/fsutil.h"
#include "diag/proc.h"
#include "report/report.h"
#include "tool/outcome.h"
#include "tool/tool.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Writes s back as dir/session.json (atomically, keys in their order, a newline at the end): the tool's additions
 * to what the profiler wrote (the detach's outcome, a container target's pids). */
static void save_session(const char *dir, json_t *s)
{
    char *text = json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        drd_tool_error("cannot update %s/session.json: out of memory", dir);
        return;
    }
    size_t n = strlen(text);
    text[n] = '\n'; /* in the place of the NUL */
    if (drd_fs_write_atomic(dir, "session.json", text, n + 1, 0600))
        drd_tool_error("cannot update %s/session.json: %s", dir, strerror(errno));
    free(text);
}

/* How long the tool waits for the runtime to unload the library after the profiler asked to detach. */
static int detach_wait_ms(void)
{
    const char *v = getenv("DRDOTNET_DETACH_WAIT_MS");
    char *end;
    long ms = v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && ms >= 0 && ms <= 600000 ? (int)ms : 10000;
}

/* After the session: what became of the detach. The library wrote in session.json whether it asked and whether
 * the runtime agreed; here the tool waits for the library to leave the target's memory, says so when it does
 * not, and records the outcome ("detached" or "late") in session.json. Returns 1 when the runtime refused the
 * detach (the profiler stays loaded: no other profiler can attach until the process restarts), else 0. */
int drd_outcome_confirm_detach(const char *dir, pid_t pid, unsigned long long start_ticks, const char *lib_name)
{
    char err[256];
    int refused = 0;
    json_t *s = drd_session_load(dir, err, sizeof err);
    if (!s)
        return 0;
    const char *detach = json_string_value(json_object_get(s, "detach"));
    const char *detail = json_string_value(json_object_get(s, "detach_detail"));
    const char *outcome = NULL;
    char why[512] = "";
    if (detach && strcmp(detach, "refused") == 0) {
        refused = 1;
        drd_tool_error("note: the runtime refused to unload the profiler from pid %d: %s; the process runs on",
                      (int)pid, detail ? detail : "no reason given");
    } else if (detach && strcmp(detach, "requested") == 0) {
        int wait = detach_wait_ms();
        long long t0 = drd_clock_mono_ms();
        int mapped;
        while ((mapped = drd_proc_alive(pid, start_ticks) && drd_proc_maps_file(pid, lib_name)) &&
               drd_clock_mono_ms() - t0 < wait)
            sleep_ms(50);
        if (!mapped && drd_proc_alive(pid, start_ticks)) {
            outcome = "detached";
            snprintf(why, sizeof why, "unloaded %lld ms after the session's end", drd_clock_mono_ms() - t0);
        } else if (mapped) {
            outcome = "late";
            snprintf(why, sizeof why,
                     "the profiler asked to leave, but the runtime had not unloaded it %d ms later (a thread still in "
                     "its code?); its events are off, and the runtime unloads it once every thread has left",
                     wait);
            drd_tool_error("note: pid %d: %s; the process runs on", (int)pid, why);
        }
    }
    if (outcome) {
        json_object_set_new(s, "detach", json_string(outcome));
        json_object_set_new(s, "detach_detail", json_string(why));
        save_session(dir, s);
    }
    json_decref(s);
    return refused;
}

/* Prints the report of a finished session and writes summary.md. Returns the exit code. */
int drd_outcome_report(const char *dir, int json_out, int quiet)
{
    char err[512];
    json_t *s = drd_session_load(dir, err, sizeof err);
    if (!s) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    const char *status = json_string_value(json_object_get(s, "status"));
    int completed = status && strcmp(status, "completed") == 0;
    json_t *report = NULL;
    if (json_array_size(json_object_get(s, "files")) > 0) {
        report = drd_report_build(dir, s, err, sizeof err);
        if (!report)
            drd_tool_error("report: %s", err);
    }
    if (report) {
        /* through a fresh temporary file and rename(2): whatever sits at summary.md is replaced, never written
         * through */
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            fprintf(f, "```\n");
            drd_report_print(f, s, report);
            fprintf(f, "```\n");
            if (fclose(f) == 0 && drd_fs_write_atomic(dir, "summary.md", text, len, 0600))
                drd_tool_error("cannot write %s/summary.md: %s", dir, strerror(errno));
        }
        free(text);
    }
    if (json_out) {
        json_t *all = drd_report_json(s, report);
        json_dumpf(all, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(all);
    } else if (!quiet) {
        drd_report_print(stdout, s, report);
    }
    if (!completed)
        drd_tool_error("the session did not complete: %s%s%s", status ? status : "?",
                      *json_string_value(json_object_get(s, "reason")) ? ": " : "",
                      json_string_value(json_object_get(s, "reason")));
    json_decref(report);
    json_decref(s);
    return completed ? DRD_EXIT_OK : DRD_EXIT_FAILED;
}

/* Records in dir/session.json the target's pid as this tool sees it (target.pid, the one in the session's id)
 * and as the target sees itself (target.ns_pid), for a target in another pid namespace. */
void drd_outcome_note_pids(const char *dir, pid_t pid, pid_t ns_pid)
{
    char err[256];
    json_t *s = drd_session_load(dir, err, sizeof err);
    json_t *target = s ? json_object_get(s, "target") : NULL;
    if (json_is_object(target)) {
        json_object_set_new(target, "pid", json_integer(pid));
        json_object_set_new(target, "ns_pid", json_integer(ns_pid));
        save_session(dir, s);
    }
    json_decref(s);
}
