/*
 * Warnings about a trace's times. A reader knows its format's unit but not
 * whether the file's producer used it, and a misread unit replays as
 * something else without an error: a 60 s trace read in ms instead of us
 * takes 17 hours. So times that go back, and spans implausible for the
 * unit, are reported with the line, and the trace replays all the same.
 */
#include "workload/trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000ULL
#define NS_PER_H (3600 * NS_PER_S)
#define NS_PER_DAY (24 * NS_PER_H)

/* A span past a year is longer than block traces are recorded for. */
#define LONGEST_SPAN_NS (366 * NS_PER_DAY)
/* Rate checks need enough requests to mean something, and a span past an
 * hour for the slow one: a block trace averaging one request per second
 * or slower, or one per 100 ns or faster (10 M/s, past any device), is
 * more likely read in the wrong unit. */
#define RATE_MIN_REQUESTS 1000
#define SLOW_MIN_SPAN_NS NS_PER_H
#define SLOW_GAP_NS NS_PER_S
#define FAST_GAP_NS 100

static void duration_text(uint64_t ns, char *out, size_t len)
{
	static const struct {
		uint64_t below_ns, unit_ns;
		const char *name;
	} scales[] = {
		{1000, 1, "ns"},
		{1000000, 1000, "us"},
		{NS_PER_S, 1000000, "ms"},
		{NS_PER_H, NS_PER_S, "s"},
		{2 * NS_PER_DAY, NS_PER_H, "h"},
		{0, NS_PER_DAY, "days"}, /* and longer */
	};
	size_t i = 0, last = sizeof(scales) / sizeof(scales[0]) - 1;

	while (i < last && ns >= scales[i].below_ns)
		i++;
	snprintf(out, len, "%.*f %s", i ? 1 : 0, (double)ns / (double)scales[i].unit_ns,
		 scales[i].name);
}

static void warn(struct trace *t, const char *path, uint32_t line, const char *fmt, ...)
{
	char *w;
	int at;
	va_list ap;

	if (t->nwarnings == TRACE_MAX_WARNINGS)
		return;
	w = t->warning[t->nwarnings++];
	/* blktrace counts records, the text formats lines */
	at = snprintf(w, TRACE_WARNING_LEN, "%s%s%u: ", path,
		      !strcmp(t->format, "blktrace") ? ": record " : ":", line);
	va_start(ap, fmt);
	vsnprintf(w + at, TRACE_WARNING_LEN - (size_t)at, fmt, ap);
	va_end(ap);
}

static void check_backwards(struct trace *t, const char *path, const struct trace_backwards *b)
{
	char step[32];

	if (!b->n)
		return;
	duration_text(b->max_ns, step, sizeof(step));
	warn(t, path, b->first_line,
	     "a time earlier than a request before it (requests out of order: %llu, "
	     "by up to %s); they replay in file order, each at once after the one before",
	     (unsigned long long)b->n, step);
}

static void check_span(struct trace *t, const char *path)
{
	const struct trace_rec *last = &t->rec[t->n - 1];
	uint64_t span_ns = 0, gap_ns;
	char span[32], gap[32];

	for (size_t i = 0; i < t->n; i++) {
		if (t->rec[i].t_ns > LONGEST_SPAN_NS) {
			duration_text(t->rec[i].t_ns, span, sizeof(span));
			warn(t, path, t->rec[i].line,
			     "%s into the trace, longer than block traces are recorded for: "
			     "are its times in a unit smaller than %s?",
			     span, t->unit);
			return;
		}
		span_ns = t->rec[i].t_ns > span_ns ? t->rec[i].t_ns : span_ns;
	}
	if (t->n < RATE_MIN_REQUESTS || !span_ns)
		return;
	gap_ns = span_ns / (t->n - 1);
	duration_text(span_ns, span, sizeof(span));
	duration_text(gap_ns, gap, sizeof(gap));
	if (span_ns >= SLOW_MIN_SPAN_NS && gap_ns >= SLOW_GAP_NS)
		warn(t, path, last->line,
		     "%zu requests over %s, one per %s, slow for a block trace: if its times "
		     "are in a unit smaller than %s, the replay runs that much slower than "
		     "the trace did",
		     t->n, span, gap, t->unit);
	else if (gap_ns <= FAST_GAP_NS)
		warn(t, path, last->line,
		     "%zu requests over %s, one per %s, faster than any device: if its times "
		     "are in a unit larger than %s, the replay runs that much faster than "
		     "the trace did",
		     t->n, span, gap, t->unit);
}

void trace_check_times(struct trace *t, const char *path, const struct trace_backwards *b)
{
	t->nwarnings = 0;
	check_backwards(t, path, b);
	check_span(t, path);
}
