/* Fuzz target: a session folder's session.json as the tool loads, prints and dispatches it. */
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    drd_fuzz_write("session.json", data, size);
    char err[512] = "";
    json_t *s = drd_session_load(drd_fuzz_dir(), err, sizeof err);
    if (!s) {
        DRD_FUZZ_CHECK(err[0] != 0, "session refused without a reason");
        return 0;
    }
    /* what the commands take for granted once a session is loaded */
    DRD_FUZZ_CHECK(json_is_string(json_object_get(s, "id")), "no id");
    DRD_FUZZ_CHECK(json_is_string(json_object_get(s, "status")), "no status");
    DRD_FUZZ_CHECK(json_is_string(json_object_get(s, "reason")), "no reason");
    DRD_FUZZ_CHECK(json_is_object(json_object_get(s, "profiler")), "no profiler");

    drd_report_print(drd_fuzz_devnull(), s, NULL);
    /* the folder holds no raw data: the report must fail with a reason, whatever the session names */
    err[0] = 0;
    json_t *r = drd_report_build(drd_fuzz_dir(), s, err, sizeof err);
    DRD_FUZZ_CHECK(r == NULL && err[0] != 0, "a report without raw data, or no reason");
    json_t *all = json_pack("{s:O,s:o}", "session", s, "report", json_null());
    char *text = json_dumps(all, JSON_INDENT(2));
    DRD_FUZZ_CHECK(text != NULL, "the session cannot be written as JSON");
    free(text);
    json_decref(all);
    json_decref(s);
    return 0;
}
