/* Stack capture through DoStackSnapshot into a caller-provided, bounded array. */
#include "profiler/stacks.h"

struct walk {
    FunctionID *frames;
    int n, max, truncated;
};

static HRESULT on_frame(FunctionID fid, UINT_PTR ip, COR_PRF_FRAME_INFO frame, ULONG32 ctx_size, BYTE ctx[],
                        void *data)
{
    struct walk *w = data;
    (void)ip;
    (void)frame;
    (void)ctx_size;
    (void)ctx;
    if (w->n >= w->max) {
        w->truncated = 1;
        return S_FALSE; /* stop the walk */
    }
    w->frames[w->n++] = fid;
    return S_OK;
}

int drd_stack_self(ICorProfilerInfo15 *info, FunctionID *frames, int max, int *truncated)
{
    struct walk w = {frames, 0, max, 0};
    HRESULT hr = info->lpVtbl->DoStackSnapshot(info, 0, on_frame, COR_PRF_SNAPSHOT_DEFAULT, &w, NULL, 0);
    *truncated = w.truncated;
    if (FAILED(hr) && hr != CORPROF_E_STACKSNAPSHOT_ABORTED && w.n == 0)
        return 0;
    return w.n;
}
