/* Fuzz target: an exceptions raw data file through the tool's report, its printer and its JSON output. */
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "report/report.h"

static json_int_t int_of(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* The totals are the sums of the types, and every type's stacks and catchers are there. */
static void check_report(json_t *r)
{
    json_t *types = json_object_get(r, "types");
    DRD_FUZZ_CHECK(json_is_array(types), "report without types");
    json_int_t total = 0, caught = 0;
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        DRD_FUZZ_CHECK(json_is_string(json_object_get(t, "type")), "type %zu has no name", i);
        DRD_FUZZ_CHECK(json_is_array(json_object_get(t, "stacks")), "type %zu has no stacks", i);
        DRD_FUZZ_CHECK(json_is_array(json_object_get(t, "catchers")), "type %zu has no catchers", i);
        total += int_of(t, "count");
        caught += int_of(t, "caught");
    }
    DRD_FUZZ_CHECK(total == int_of(r, "total"), "types add up to %lld, total says %lld", (long long)total,
                   (long long)int_of(r, "total"));
    DRD_FUZZ_CHECK(caught == int_of(r, "caught"), "types add up to %lld caught, report says %lld", (long long)caught,
                   (long long)int_of(r, "caught"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = drd_fuzz_write("exceptions.raw", data, size);
    char err[512] = "";
    json_t *r = drd_exceptions_report(path, err, sizeof err);
    if (!r) {
        DRD_FUZZ_CHECK(err[0] != 0, "no report and no reason");
        return 0;
    }
    check_report(r);
    drd_exceptions_print(drd_fuzz_devnull(), r);
    char *text = json_dumps(r, JSON_INDENT(2));
    DRD_FUZZ_CHECK(text != NULL, "the report cannot be written as JSON");
    free(text);
    json_decref(r);
    return 0;
}
