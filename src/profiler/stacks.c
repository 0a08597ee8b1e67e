/* Stack capture through DoStackSnapshot into a caller-provided, bounded array. */
#include "profiler/stacks.h"

struct walk {
    ICorProfilerInfo15 *info;
    struct drd_frame *frames;
    int n, max, truncated;
    int self; /* the calling thread: every frame, the leaf too, is inside a call */
};

static HRESULT on_frame(FunctionID fid, UINT_PTR ip, COR_PRF_FRAME_INFO frame, ULONG32 ctx_size, BYTE ctx[],
                        void *data)
{
    struct walk *w = data;
    (void)ctx_size;
    (void)ctx;
    if (w->n >= w->max) {
        w->truncated = 1;
        return S_FALSE; /* stop the walk */
    }
    struct drd_frame *f = &w->frames[w->n];
    if (fid == 0) {
        /* a run of native frames: keep one, with the address where it was entered */
        if (w->n > 0 && DRD_FRAME_IS_NATIVE(&w->frames[w->n - 1]))
            return S_OK;
        f->fn = DRD_FRAME_NATIVE(ip);
        f->cls = 0;
        f->ip = 0;
    } else {
        ClassID cls = 0;
        ModuleID module;
        mdToken tok;
        ULONG32 n;
        /* the frame info gives the exact class of shared generic code; valid only during this callback */
        if (FAILED(w->info->lpVtbl->GetFunctionInfo2(w->info, fid, frame, &cls, &module, &tok, 0, &n, NULL)))
            cls = 0;
        f->fn = fid;
        f->cls = cls;
        /* a return address points after its call: the call itself is one byte before */
        f->ip = (w->n > 0 || w->self) && ip > 0 ? (uint64_t)ip - 1 : (uint64_t)ip;
    }
    w->n++;
    return S_OK;
}

int drd_stack_walk(ICorProfilerInfo15 *info, ThreadID thread, struct drd_frame *frames, int max, int *truncated)
{
    struct walk w = {info, frames, 0, max, 0, thread == 0};
    HRESULT hr = info->lpVtbl->DoStackSnapshot(info, thread, on_frame, COR_PRF_SNAPSHOT_DEFAULT, &w, NULL, 0);
    *truncated = w.truncated;
    if (FAILED(hr) && hr != CORPROF_E_STACKSNAPSHOT_ABORTED && w.n == 0)
        return 0;
    return w.n;
}
