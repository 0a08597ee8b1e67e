/* drdotnet serve: option parsing; the server itself is in src/web. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "web/web.h"

#define DRD_SERVE_MAX_ALLOW 8 /* --allow-host names; the server refuses more than it keeps */

int drd_cmd_serve(int argc, char **argv)
{
    struct drd_web_config cfg = {0};
    const char *allow[DRD_SERVE_MAX_ALLOW];
    cfg.allow_hosts = allow;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (drd_cli_is_help(a)) {
            printf("usage: drdotnet serve [--listen ADDR] [--port N] [--allow-host NAME]... [--open]\n\n"
                   "Serves the web UI: pick a .NET process and a profiler, watch the session, read its report\n"
                   "(tables, call tree, flame graph) and download its exports. Prints the page's address, with\n"
                   "a token that the page needs, then serves until Ctrl-C (SIGINT) or SIGTERM.\n\n"
                   "  --listen ADDR  numeric address to listen on (default 127.0.0.1); anything but a loopback\n"
                   "                 address lets other machines in, and is warned about\n"
                   "  --port N       port to listen on (default %d, or a free one when it is taken; 0: a free\n"
                   "                 one)\n"
                   "  --allow-host NAME\n"
                   "                 also accept requests that name the server NAME (a host name or an IP\n"
                   "                 address, no port; repeatable, up to 8). Only 127.0.0.1, localhost, [::1]\n"
                   "                 and the --listen address are accepted otherwise: with --listen 0.0.0.0 or ::,\n"
                   "                 name the machine as other machines will reach it\n"
                   "  --open         open the page for you, token included: as an app window of Chromium (its\n"
                   "                 --app mode: chromium, chromium-browser, google-chrome) when one is on PATH,\n"
                   "                 else in the desktop's default browser (xdg-open); says what it did, and the\n"
                   "                 address is printed all the same, to open by hand where there is no desktop.\n"
                   "                 The browser is given a file of yours only (0600, removed once used) that\n"
                   "                 hands the token to the server, never the token itself: a command line is\n"
                   "                 readable by every local user\n\n"
                   "The address printed is one that works from this machine: http://127.0.0.1:PORT/ for\n"
                   "--listen 0.0.0.0, http://[::1]:PORT/ for --listen :: (an IPv6-only socket).\n"
                   "Sessions started from the page run as 'drdotnet profile' processes and live in the sessions\n"
                   "folder like any other.\n",
                   DRD_WEB_DEFAULT_PORT);
            return DRD_EXIT_OK;
        }
        if (strcmp(a, "--listen") == 0 || strcmp(a, "--port") == 0 || strcmp(a, "--allow-host") == 0) {
            if (i + 1 >= argc) {
                drd_tool_error("serve: %s needs a value", a);
                return DRD_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--listen") == 0) {
                cfg.listen = v;
                continue;
            }
            if (strcmp(a, "--allow-host") == 0) {
                if (cfg.n_allow_hosts >= DRD_SERVE_MAX_ALLOW) {
                    drd_tool_error("serve: --allow-host takes at most %d names", DRD_SERVE_MAX_ALLOW);
                    return DRD_EXIT_USAGE;
                }
                allow[cfg.n_allow_hosts++] = v;
                continue;
            }
            char *end;
            errno = 0;
            long port = strtol(v, &end, 10);
            if (errno || !*v || *end || port < 0 || port > 65535) {
                drd_tool_error("serve: --port takes a number from 0 to 65535, not '%s'", v);
                return DRD_EXIT_USAGE;
            }
            cfg.port = (int)port;
            cfg.port_given = 1;
            continue;
        }
        if (strcmp(a, "--open") == 0) {
            cfg.open = 1;
            continue;
        }
        drd_tool_error("serve: unexpected '%s' (see drdotnet serve --help)", a);
        return DRD_EXIT_USAGE;
    }
    return drd_web_serve(&cfg);
}
