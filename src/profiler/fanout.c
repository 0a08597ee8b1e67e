/* The callback table of a session of several profilers (see fanout.h).
 *
 * A trampoline must forward whatever the runtime passed to a slot without knowing the slot's signature. Every
 * ICorProfilerCallback method takes only integers and pointers (IDs, counts, flags, arrays and GUIDs by pointer;
 * no floating point, no structure by value) and at most 13 of them with `this` (EventPipeEventDelivered). Under the
 * SysV x86-64 and AAPCS64 conventions such arguments travel in the integer registers, then in 8-byte stack slots in
 * order, so a function that takes 16 machine words and passes the same 16 on hands every callee exactly what the
 * runtime gave, the words past the real arguments being whatever lies there (registers, the caller's frame above
 * the return address: always mapped, the runtime calls us from deep in its own frames), which the callee never
 * reads. The default table already relies on the same conventions (callback.c's ok_stub). */
#include "profiler/fanout.h"

#include <stdint.h>
#include <string.h>

#include "profiler/core.h"

typedef uintptr_t W;
typedef HRESULT (*slot_fn)(W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W);

#define SLOTS (sizeof(ICorProfilerCallback11Vtbl) / sizeof(slot_fn))
#define MAX_SLOTS 100
_Static_assert(SLOTS <= MAX_SLOTS, "a trampoline for every slot");

static slot_fn fan_to[MAX_SLOTS][DRD_MAX_PROFILERS];
static int fan_n[MAX_SLOTS];

static HRESULT fan_call(int slot, W a0, W a1, W a2, W a3, W a4, W a5, W a6, W a7, W a8, W a9, W a10, W a11, W a12,
                        W a13, W a14, W a15)
{
    HRESULT first = S_OK;
    for (int i = 0; i < fan_n[slot]; i++) {
        HRESULT hr = fan_to[slot][i](a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
        if (FAILED(hr) && first == S_OK)
            first = hr;
    }
    return first;
}

#define FAN(n)                                                                                                    \
    static HRESULT fan_##n(W a0, W a1, W a2, W a3, W a4, W a5, W a6, W a7, W a8, W a9, W a10, W a11, W a12, W a13, \
                           W a14, W a15)                                                                           \
    {                                                                                                             \
        return fan_call(n, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);                 \
    }
#define FAN_TEN(t) FAN(t##0) FAN(t##1) FAN(t##2) FAN(t##3) FAN(t##4) FAN(t##5) FAN(t##6) FAN(t##7) FAN(t##8) FAN(t##9)
FAN(0) FAN(1) FAN(2) FAN(3) FAN(4) FAN(5) FAN(6) FAN(7) FAN(8) FAN(9)
FAN_TEN(1) FAN_TEN(2) FAN_TEN(3) FAN_TEN(4) FAN_TEN(5) FAN_TEN(6) FAN_TEN(7) FAN_TEN(8) FAN_TEN(9)

#define REF(n) fan_##n,
#define REF_TEN(t) REF(t##0) REF(t##1) REF(t##2) REF(t##3) REF(t##4) REF(t##5) REF(t##6) REF(t##7) REF(t##8) REF(t##9)
static const slot_fn trampolines[MAX_SLOTS] = {
    REF(0) REF(1) REF(2) REF(3) REF(4) REF(5) REF(6) REF(7) REF(8) REF(9)
    REF_TEN(1) REF_TEN(2) REF_TEN(3) REF_TEN(4) REF_TEN(5) REF_TEN(6) REF_TEN(7) REF_TEN(8) REF_TEN(9)
};

static slot_fn slot_get(const ICorProfilerCallback11Vtbl *vt, size_t i)
{
    slot_fn f;
    memcpy(&f, (const char *)vt + i * sizeof f, sizeof f);
    return f;
}

static void slot_set(ICorProfilerCallback11Vtbl *vt, size_t i, slot_fn f)
{
    memcpy((char *)vt + i * sizeof f, &f, sizeof f);
}

void drd_fanout_build(ICorProfilerCallback11Vtbl *out, const struct drd_profiler_ops *const *ops, int n)
{
    static ICorProfilerCallback11Vtbl mine[DRD_MAX_PROFILERS];
    drd_callback_defaults(out);
    for (int p = 0; p < n && p < DRD_MAX_PROFILERS; p++) {
        drd_callback_defaults(&mine[p]);
        ops[p]->override(&mine[p]);
    }
    for (size_t s = 0; s < SLOTS; s++) {
        slot_fn dflt = slot_get(out, s);
        fan_n[s] = 0;
        for (int p = 0; p < n && p < DRD_MAX_PROFILERS; p++) {
            slot_fn f = slot_get(&mine[p], s);
            if (f != dflt)
                fan_to[s][fan_n[s]++] = f;
        }
        if (fan_n[s] == 1)
            slot_set(out, s, fan_to[s][0]);
        else if (fan_n[s] > 1)
            slot_set(out, s, trampolines[s]);
    }
}
