/*
 * Trace readers: the format told from the file's first bytes, fio iologs
 * and blktrace read here, the text formats in trace_text.c. Timestamps
 * become nanoseconds since the first request: iolog v3 stamps are
 * milliseconds (fio's replay clock), v2 has none but `wait` actions
 * (microseconds), blktrace stamps are nanoseconds.
 */
#include "workload/trace.h"
#include "workload/trace_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLK_MAGIC 0x65617400u
#define BLK_TA_QUEUE 1u
#define BLK_TC_WRITE (1u << 1)
#define BLK_TC_FLUSH (1u << 2)
#define BLK_TC_DISCARD (1u << 13)

/* Linux's struct blk_io_trace, 48 bytes, in the byte order of the tracing host. */
struct blk_io_trace {
	uint32_t magic;
	uint32_t sequence;
	uint64_t time;
	uint64_t sector;
	uint32_t bytes;
	uint32_t action;
	uint32_t pid;
	uint32_t device;
	uint32_t cpu;
	uint16_t error;
	uint16_t pdu_len;
};
_Static_assert(sizeof(struct blk_io_trace) == 48, "blk_io_trace is 48 bytes");

int trace_push(struct trace *t, struct trace_rec r)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct trace_rec *p = realloc(t->rec, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->rec = p;
		t->cap = cap;
	}
	t->rec[t->n++] = r;
	return 0;
}

static const struct {
	const char *name;
	int dir;
} iolog_actions[] = {
	{"read", DIR_READ},  {"write", DIR_WRITE},    {"trim", DIR_TRIM},
	{"sync", DIR_FLUSH}, {"datasync", DIR_FLUSH},
};

static int action_dir(const char *act)
{
	for (size_t i = 0; i < sizeof(iolog_actions) / sizeof(iolog_actions[0]); i++)
		if (!strcmp(act, iolog_actions[i].name))
			return iolog_actions[i].dir;
	return -1;
}

static bool is_file_action(const char *act)
{
	return !strcmp(act, "add") || !strcmp(act, "open") || !strcmp(act, "close");
}

bool trace_time(uint64_t base_ns, uint64_t delta, uint64_t unit_ns, uint64_t *out)
{
	if (delta > (TRACE_MAX_NS - base_ns) / unit_ns)
		return false;
	*out = base_ns + delta * unit_ns;
	return true;
}

int trace_time_too_far(const char *path, uint32_t lineno, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%u: a time more than 146 years into the trace", path, lineno);
	return -EINVAL;
}

void trace_note_time(struct time_order *o, uint64_t ticks, uint64_t unit_ns, uint32_t line)
{
	if (o->seen && ticks < o->latest_ticks) {
		uint64_t step = o->latest_ticks - ticks;
		uint64_t step_ns = step > UINT64_MAX / unit_ns ? UINT64_MAX : step * unit_ns;

		if (!o->back.n++)
			o->back.first_line = line;
		if (step_ns > o->back.max_ns)
			o->back.max_ns = step_ns;
	}
	if (!o->seen || ticks > o->latest_ticks)
		o->latest_ticks = ticks;
	o->seen = true;
}

static int load_iolog(FILE *f, int version, const char *path, struct trace *t, struct time_order *o,
		      char *err, size_t errlen)
{
	char line[1024], fname[257], act[257];
	uint64_t now_ns = 0, t0_ms = 0;
	unsigned long long ts, off, len;
	uint32_t lineno = 1;
	bool first = true;

	t->format = version == 3 ? "iolog3" : "iolog2";
	t->unit = version == 3 ? "ms" : "us";
	while (fgets(line, sizeof(line), f)) {
		int fields, dir;

		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (version == 3) {
			fields = sscanf(line, "%llu %256s %256s %llu %llu", &ts, fname, act, &off,
					&len);
			fields -= 1;
			if (fields >= 2) {
				if (first)
					t0_ms = ts;
				first = false;
				trace_note_time(o, ts, 1000000ULL, lineno);
				if (!trace_time(0, ts >= t0_ms ? ts - t0_ms : 0, 1000000ULL,
						&now_ns))
					return trace_time_too_far(path, lineno, err, errlen);
			}
		} else {
			fields = sscanf(line, "%256s %256s %llu %llu", fname, act, &off, &len);
		}
		if (fields == 2 && is_file_action(act))
			continue;
		if (version == 2 && fields >= 3 && !strcmp(act, "wait")) {
			if (!trace_time(now_ns, off, 1000ULL, &now_ns))
				return trace_time_too_far(path, lineno, err, errlen);
			continue;
		}
		dir = fields >= 2 ? action_dir(act) : -1;
		if (dir == DIR_FLUSH && fields >= 2) {
			if (trace_push(t, (struct trace_rec){now_ns, 0, 0, lineno, DIR_FLUSH}))
				return -ENOMEM;
			continue;
		}
		if (dir < 0 || fields != 4 || len == 0) {
			snprintf(err, errlen,
				 "%s:%u: malformed iolog v%d line (expected %sfile "
				 "read|write|trim|sync OFFSET LENGTH)",
				 path, lineno, version, version == 3 ? "TIMESTAMP_MS " : "");
			return -EINVAL;
		}
		if (trace_push(t, (struct trace_rec){now_ns, off, len, lineno, (uint8_t)dir}))
			return -ENOMEM;
	}
	return 0;
}

static uint32_t bswap32_if(uint32_t v, bool swap)
{
	return swap ? __builtin_bswap32(v) : v;
}

static uint64_t bswap64_if(uint64_t v, bool swap)
{
	return swap ? __builtin_bswap64(v) : v;
}

/* Reads, not seeks, past a record's payload: a seek past the end succeeds. */
static bool skip_payload(FILE *f, uint32_t bytes)
{
	uint8_t skip[256];

	for (uint32_t n; bytes; bytes -= n) {
		n = bytes < sizeof(skip) ? bytes : (uint32_t)sizeof(skip);
		if (fread(skip, 1, n, f) != n)
			return false;
	}
	return true;
}

static int load_blktrace(FILE *f, bool swap, const char *path, struct trace *t,
			 struct time_order *o, char *err, size_t errlen)
{
	struct blk_io_trace b;
	uint64_t t0 = 0;
	uint32_t recno = 0;
	bool have_t0 = false;

	t->format = "blktrace";
	t->unit = "ns";
	for (size_t got; (got = fread(&b, 1, sizeof(b), f));) {
		uint32_t action = bswap32_if(b.action, swap), cat = action >> 16;
		uint32_t bytes = bswap32_if(b.bytes, swap);
		uint64_t time = bswap64_if(b.time, swap), sector = bswap64_if(b.sector, swap);
		uint16_t pdu = swap ? __builtin_bswap16(b.pdu_len) : b.pdu_len;
		uint8_t dir;

		recno++;
		if (got < sizeof(b)) {
			snprintf(err, errlen, "%s: record %u: truncated (%zu of its %zu bytes)",
				 path, recno, got, sizeof(b));
			return -EINVAL;
		}
		if ((bswap32_if(b.magic, swap) & 0xffffff00u) != BLK_MAGIC) {
			snprintf(err, errlen, "%s: record %u: bad blktrace magic", path, recno);
			return -EINVAL;
		}
		if (!skip_payload(f, pdu)) {
			snprintf(err, errlen, "%s: record %u: truncated (its %u-byte payload)",
				 path, recno, pdu);
			return -EINVAL;
		}
		if (sector > TRACE_MAX_BYTES / 512) {
			snprintf(err, errlen, "%s: record %u: sector %llu is past any device", path,
				 recno, (unsigned long long)sector);
			return -EINVAL;
		}
		if ((action & 0xffff) != BLK_TA_QUEUE)
			continue;
		if (!bytes && !(cat & BLK_TC_FLUSH))
			continue;
		dir = !bytes		       ? DIR_FLUSH
		      : (cat & BLK_TC_DISCARD) ? DIR_TRIM
		      : (cat & BLK_TC_WRITE)   ? DIR_WRITE
					       : DIR_READ;
		if (!have_t0) {
			t0 = time;
			have_t0 = true;
		}
		trace_note_time(o, time, 1, recno);
		if (trace_push(t, (struct trace_rec){time >= t0 ? time - t0 : 0, sector * 512,
						     bytes, recno, dir}))
			return -ENOMEM;
	}
	return 0;
}

/* The first line of f that is not blank (for sniffing), f rewound after. */
static void first_line(FILE *f, char *line, size_t len)
{
	line[0] = 0;
	while (fgets(line, (int)len, f) && (line[0] == '\n' || line[0] == '\r'))
		;
	rewind(f);
}

/* The binary and iolog formats, told by their first bytes; NULL for text. */
static const char *sniff_head(FILE *f, bool *swap, int *iolog_version, char *head, size_t len)
{
	uint32_t magic = 0;

	if (fread(&magic, sizeof(magic), 1, f) == 1 &&
	    ((magic & 0xffffff00u) == BLK_MAGIC ||
	     (__builtin_bswap32(magic) & 0xffffff00u) == BLK_MAGIC)) {
		*swap = (magic & 0xffffff00u) != BLK_MAGIC;
		rewind(f);
		return "blktrace";
	}
	rewind(f);
	if (!fgets(head, (int)len, f))
		head[0] = 0;
	*iolog_version = !strncmp(head, "fio version 2 iolog", 19)   ? 2
			 : !strncmp(head, "fio version 3 iolog", 19) ? 3
								     : 0;
	if (!strncmp(head, "fio version ", 12))
		return "iolog";
	rewind(f);
	return NULL;
}

static int load_sniffed(FILE *f, const char *path, const struct trace_select *sel, struct trace *t,
			struct time_order *o, char *err, size_t errlen)
{
	const char *want = sel ? sel->format : NULL;
	int version = 0;
	char head[1024];
	bool swap = false;
	const char *kind = sniff_head(f, &swap, &version, head, sizeof(head));
	const struct text_format *fmt;

	if (kind && want && strcmp(want, kind)) {
		snprintf(err, errlen, "%s: trace_format=%s, but the file is a %s trace", path, want,
			 kind);
		return -EINVAL;
	}
	if (kind && sel && sel->volume_set) {
		snprintf(err, errlen,
			 "%s: trace_volume= applies to msr, disksim, alibaba and "
			 "tencent traces, not %s",
			 path, kind);
		return -EINVAL;
	}
	if (kind && !strcmp(kind, "blktrace"))
		return load_blktrace(f, swap, path, t, o, err, errlen);
	if (kind && version)
		return load_iolog(f, version, path, t, o, err, errlen);
	if (kind) {
		head[strcspn(head, "\r\n")] = 0;
		snprintf(err, errlen,
			 "%s:1: '%s': an iolog version this vssd does not read "
			 "(it reads versions 2 and 3)",
			 path, head);
		return -EINVAL;
	}
	if (want && (!strcmp(want, "iolog") || !strcmp(want, "blktrace"))) {
		snprintf(err, errlen, "%s: trace_format=%s, but the file is not in that format",
			 path, want);
		return -EINVAL;
	}
	first_line(f, head, sizeof(head));
	fmt = want ? trace_text_format(want) : trace_text_sniff(head);
	return trace_load_text(f, path, fmt, sel, t, o, err, errlen);
}

int trace_load_select(const char *path, const struct trace_select *sel, struct trace *t, char *err,
		      size_t errlen)
{
	struct time_order order = {0};
	FILE *f;
	int rc;

	memset(t, 0, sizeof(*t));
	if (sel && sel->format && !trace_format_known(sel->format)) {
		snprintf(err, errlen, "trace_format=%s: not a format vssd reads (%s)", sel->format,
			 TRACE_FORMATS);
		return -EINVAL;
	}
	if (!(f = fopen(path, "rb"))) {
		snprintf(err, errlen, "%s: cannot open trace: %s", path, strerror(errno));
		return -ENOENT;
	}
	rc = load_sniffed(f, path, sel, t, &order, err, errlen);
	fclose(f);
	if (!rc && t->n)
		trace_check_times(t, path, &order.back);
	if (!rc && !t->n) {
		snprintf(err, errlen, "%s: trace holds no requests%s", path,
			 sel && sel->volume_set ? " of that trace_volume" : "");
		rc = -EINVAL;
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory reading the trace", path);
	if (rc)
		trace_free(t);
	return rc;
}

int trace_load(const char *path, struct trace *t, char *err, size_t errlen)
{
	return trace_load_select(path, NULL, t, err, errlen);
}

bool trace_format_known(const char *name)
{
	return !strcmp(name, "iolog") || !strcmp(name, "blktrace") || trace_text_format(name);
}

void trace_free(struct trace *t)
{
	free(t->rec);
	memset(t, 0, sizeof(*t));
}
