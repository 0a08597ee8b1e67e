/* drdotnet serve --open: the page opened for the user, as an app window of Chromium when there is one (its
 * --app=URL: a window of its own, no tabs or address bar), else in the desktop's default browser (xdg-open). */
#ifndef DRD_WEB_OPEN_H
#define DRD_WEB_OPEN_H

#include <stddef.h>

/* The browsers tried for an app window, in order, by name on PATH. */
#define DRD_OPEN_APP_BROWSERS "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"

/* Finds name on PATH (as execvp would); writes its path into out. Returns 0, or -1 when it is not there. */
int drd_open_find(const char *name, char *out, size_t cap);

/* Opens url: in an app window of the first of DRD_OPEN_APP_BROWSERS found, else with xdg-open. The browser runs
 * detached (its own session, not a child of the server, its output to /dev/null). Writes what it did into said
 * (a sentence naming the program, without the url, which holds the token), or why nothing was opened. Returns 0
 * when a program was started, -1 when none could be. */
int drd_open_url(const char *url, char *said, size_t cap);

/* The page that hands the token over without putting it on a command line (where every local user reads it, in
 * /proc/<pid>/cmdline, while the browser runs): a file of this user's only (a new 0700 folder in $XDG_RUNTIME_DIR,
 * else $TMPDIR or /tmp; the file 0600) whose form posts the token to base + DRD_OPEN_HANDOFF_PATH at once; the server
 * answers with the page at its address with the token (the page keeps it and drops it from the address bar). Writes
 * the file's file:// URL into url. Returns 0, or -1 with errno. One handoff at a time. */
#define DRD_OPEN_HANDOFF_PATH "/open"
int drd_open_handoff_write(const char *base, const char *token, char *url, size_t cap);

/* Removes the handoff's file and folder (once the token went through, and when the server stops). */
void drd_open_handoff_remove(void);

#endif
