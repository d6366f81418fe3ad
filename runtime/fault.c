/*
 * fault.c -- fault points for test builds (see mb/fault.h).
 *
 * The settings are read from the environment at the first pass. Nothing
 * here allocates (an allocation is itself a fault point), and the trace
 * is written with write(2) as it happens, so a pass that kills the
 * process is already on record.
 */
#ifdef MB_FAULT_INJECTION

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mb/fault.h"

static struct {
    int ready;
    char point[32];      /* "" when no fault is asked for */
    unsigned long nth;   /* which pass */
    int fail;            /* 1: fail the call; 0: SIGKILL */
    unsigned long seen;  /* passes through point so far */
    int trace;           /* descriptor of MB_FAULT_TRACE, or -1 */
} st;

/* "POINT:N[:kill|fail]"; anything else asks for no fault. */
static void setup(void)
{
    const char *spec = getenv("MB_FAULT"), *trace = getenv("MB_FAULT_TRACE");
    const char *colon;
    char *end;

    st.ready = 1;
    st.trace = -1;
    if (trace != NULL && trace[0] != '\0')
        st.trace = open(trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                        0644);
    if (spec == NULL || (colon = strchr(spec, ':')) == NULL ||
        (size_t)(colon - spec) >= sizeof st.point)
        return;
    st.nth = strtoul(colon + 1, &end, 10);
    if (st.nth == 0 || (*end != '\0' && *end != ':'))
        return;
    if (*end == ':' && strcmp(end + 1, "fail") != 0 &&
        strcmp(end + 1, "kill") != 0)
        return;
    st.fail = *end == ':' && strcmp(end + 1, "fail") == 0;
    memcpy(st.point, spec, (size_t)(colon - spec));
    st.point[colon - spec] = '\0';
}

int mb_fault_pass(const char *point, int kind)
{
    if (!st.ready)
        setup();
    if (st.trace >= 0) {
        char line[40];
        int n = snprintf(line, sizeof line, "%s\n", point);

        if (n > 0 && write(st.trace, line, (size_t)n) < 0)
            st.trace = -1;
    }
    if (st.point[0] == '\0' || strcmp(point, st.point) != 0 ||
        ++st.seen != st.nth)
        return 0;
    if (!st.fail)
        raise(SIGKILL);
    return kind == MB_FAULT_ANY;
}

int mb_fault_error(mb_error *err, const char *point)
{
    return mb_error_set(err, MB_EDB, "injected failure at fault point "
                        "\"%s\"", point);
}

#else

/* ISO C wants a translation unit to declare something. */
typedef int mb_fault_unused;

#endif
