/* The session's EventPipe sessions, grouped by level (see eventpipe.h). */
#include "profiler/eventpipe.h"

#include <stdio.h>
#include <string.h>

#include "profiler/core.h"

int drd_eventpipe_want(struct drd_eventpipe *ep, const WCHAR *provider, uint64_t keywords, int level, char *err,
                       size_t errcap)
{
    if (level < 0 || level >= DRD_EVENTPIPE_MAX_SESSIONS) {
        snprintf(err, errcap, "EventPipe level %d is out of range", level);
        return -1;
    }
    if (ep->n_wants == DRD_EVENTPIPE_MAX_WANTS) {
        snprintf(err, errcap, "more than %d EventPipe providers asked for", DRD_EVENTPIPE_MAX_WANTS);
        return -1;
    }
    ep->wants[ep->n_wants++] = (struct drd_eventpipe_want){provider, keywords, level};
    return 0;
}

static int same_provider(const WCHAR *a, const WCHAR *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The keywords of provider that the session of level keeps: those asked at that level and at no higher one. */
static uint64_t keywords_at(const struct drd_eventpipe *ep, const WCHAR *provider, int level)
{
    uint64_t here = 0, higher = 0;
    for (int i = 0; i < ep->n_wants; i++) {
        const struct drd_eventpipe_want *w = &ep->wants[i];
        if (!same_provider(w->provider, provider))
            continue;
        if (w->level == level)
            here |= w->keywords;
        else if (w->level > level)
            higher |= w->keywords;
    }
    return here & ~higher;
}

int drd_eventpipe_open(struct drd_core *c, struct drd_eventpipe *ep, char *err, size_t errcap)
{
    if (ep->n_wants == 0)
        return 0;
    if (c->info_version < 12) {
        snprintf(err, errcap, "the runtime's events need ICorProfilerInfo12 (.NET 5 or later)");
        return -1;
    }
    for (int level = DRD_EVENTPIPE_MAX_SESSIONS - 1; level >= 0; level--) {
        COR_PRF_EVENTPIPE_PROVIDER_CONFIG cfg[DRD_EVENTPIPE_MAX_WANTS];
        ULONG n = 0;
        for (int i = 0; i < ep->n_wants; i++) {
            const WCHAR *provider = ep->wants[i].provider;
            int seen = 0;
            for (ULONG k = 0; k < n; k++)
                seen |= same_provider(cfg[k].providerName, provider);
            uint64_t kw = seen ? 0 : keywords_at(ep, provider, level);
            if (kw)
                cfg[n++] = (COR_PRF_EVENTPIPE_PROVIDER_CONFIG){provider, kw, (UINT32)level, NULL};
        }
        if (n == 0)
            continue;
        EVENTPIPE_SESSION s;
        HRESULT hr = c->info->lpVtbl->EventPipeStartSession(c->info, n, cfg, 0, &s);
        if (FAILED(hr)) {
            snprintf(err, errcap, "the runtime refused an EventPipe session: 0x%08x", (unsigned)hr);
            drd_eventpipe_close(c, ep);
            return -1;
        }
        ep->sessions[ep->n_open++] = s;
        for (ULONG k = 0; k < n; k++)
            drd_log(c, "EventPipe session %d: level %d, keywords 0x%llx", ep->n_open, level,
                    (unsigned long long)cfg[k].keywords);
    }
    return 0;
}

void drd_eventpipe_close(struct drd_core *c, struct drd_eventpipe *ep)
{
    while (ep->n_open > 0) {
        HRESULT hr = c->info->lpVtbl->EventPipeStopSession(c->info, ep->sessions[--ep->n_open]);
        if (FAILED(hr))
            drd_log(c, "EventPipeStopSession: 0x%08x", (unsigned)hr);
    }
}
