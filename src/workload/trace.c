/*
 * Trace readers. Timestamps become nanoseconds since the first request:
 * iolog v3 stamps are milliseconds (fio's replay clock), v2 has none but
 * `wait` actions (microseconds), blktrace stamps are nanoseconds, MSR stamps
 * are Windows filetime ticks of 100 ns.
 */
#include "workload/trace.h"

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

static int push(struct trace *t, struct trace_rec r)
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

/* A trace's times stay below this (146 years), so the simulator's own
 * time arithmetic on them cannot wrap. */
#define TRACE_MAX_NS (1ULL << 62)

/* base + delta * unit_ns in *out, or false when it would pass TRACE_MAX_NS. */
static bool trace_time(uint64_t base_ns, uint64_t delta, uint64_t unit_ns, uint64_t *out)
{
	if (delta > (TRACE_MAX_NS - base_ns) / unit_ns)
		return false;
	*out = base_ns + delta * unit_ns;
	return true;
}

static int time_too_far(const char *path, uint32_t lineno, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%u: a time more than 146 years into the trace", path, lineno);
	return -EINVAL;
}

static int load_iolog(FILE *f, int version, const char *path, struct trace *t, char *err,
		      size_t errlen)
{
	char line[1024], fname[257], act[257];
	uint64_t now_ns = 0, t0_ms = 0;
	unsigned long long ts, off, len;
	uint32_t lineno = 1;
	bool first = true;

	t->format = version == 3 ? "iolog3" : "iolog2";
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
				if (!trace_time(0, ts >= t0_ms ? ts - t0_ms : 0, 1000000ULL,
						&now_ns))
					return time_too_far(path, lineno, err, errlen);
			}
		} else {
			fields = sscanf(line, "%256s %256s %llu %llu", fname, act, &off, &len);
		}
		if (fields == 2 && is_file_action(act))
			continue;
		if (version == 2 && fields >= 3 && !strcmp(act, "wait")) {
			if (!trace_time(now_ns, off, 1000ULL, &now_ns))
				return time_too_far(path, lineno, err, errlen);
			continue;
		}
		dir = fields >= 2 ? action_dir(act) : -1;
		if (dir == DIR_FLUSH && fields >= 2) {
			if (push(t, (struct trace_rec){now_ns, 0, 0, lineno, DIR_FLUSH}))
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
		if (push(t, (struct trace_rec){now_ns, off, len, lineno, (uint8_t)dir}))
			return -ENOMEM;
	}
	return 0;
}

/* MSR Cambridge: Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime */
static int load_msr(FILE *f, const char *path, struct trace *t, char *err, size_t errlen)
{
	char line[1024], host[128], type[16];
	unsigned long long ts, disk, off, len, resp, t0 = 0;
	uint64_t t_ns;
	uint32_t lineno = 0;

	t->format = "msr";
	while (fgets(line, sizeof(line), f)) {
		int dir;

		lineno++;
		if (line[0] == '\n' || line[0] == '\r')
			continue;
		if (sscanf(line, "%llu,%127[^,],%llu,%15[^,],%llu,%llu,%llu", &ts, host, &disk,
			   type, &off, &len, &resp) != 7 ||
		    len == 0) {
			snprintf(err, errlen,
				 "%s:%u: malformed MSR trace line (expected Timestamp,"
				 "Hostname,DiskNumber,Read|Write,Offset,Size,ResponseTime)",
				 path, lineno);
			return -EINVAL;
		}
		if (!strcasecmp(type, "read"))
			dir = DIR_READ;
		else if (!strcasecmp(type, "write"))
			dir = DIR_WRITE;
		else {
			snprintf(err, errlen, "%s:%u: MSR request type '%s' is not Read or Write",
				 path, lineno, type);
			return -EINVAL;
		}
		if (!t->n)
			t0 = ts;
		if (!trace_time(0, ts >= t0 ? ts - t0 : 0, 100, &t_ns)) /* 100 ns ticks */
			return time_too_far(path, lineno, err, errlen);
		if (push(t, (struct trace_rec){t_ns, off, len, lineno, (uint8_t)dir}))
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

static int load_blktrace(FILE *f, bool swap, const char *path, struct trace *t, char *err,
			 size_t errlen)
{
	struct blk_io_trace b;
	uint64_t t0 = 0;
	uint32_t recno = 0;
	bool have_t0 = false;

	t->format = "blktrace";
	for (size_t got; (got = fread(&b, 1, sizeof(b), f));) {
		uint32_t action = bswap32_if(b.action, swap), cat = action >> 16;
		uint32_t bytes = bswap32_if(b.bytes, swap);
		uint64_t time = bswap64_if(b.time, swap), sector = bswap64_if(b.sector, swap);
		uint16_t pdu = swap ? __builtin_bswap16(b.pdu_len) : b.pdu_len;
		uint8_t skip[256], dir;

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
		/* read, not seek, past the payload: a seek past the end succeeds */
		for (uint32_t left = pdu, n; left; left -= n) {
			n = left < sizeof(skip) ? left : (uint32_t)sizeof(skip);
			if (fread(skip, 1, n, f) != n) {
				snprintf(err, errlen,
					 "%s: record %u: truncated (its %u-byte payload)", path,
					 recno, pdu);
				return -EINVAL;
			}
		}
		if (sector > UINT64_MAX / 512 - bytes) {
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
		if (push(t, (struct trace_rec){time >= t0 ? time - t0 : 0, sector * 512, bytes,
					       recno, dir}))
			return -ENOMEM;
	}
	return 0;
}

int trace_load(const char *path, struct trace *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char head[64] = "";
	uint32_t magic = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!f) {
		snprintf(err, errlen, "%s: cannot open trace: %s", path, strerror(errno));
		return -ENOENT;
	}
	if (fread(&magic, sizeof(magic), 1, f) == 1 &&
	    ((magic & 0xffffff00u) == BLK_MAGIC ||
	     (__builtin_bswap32(magic) & 0xffffff00u) == BLK_MAGIC)) {
		rewind(f);
		rc = load_blktrace(f, (magic & 0xffffff00u) != BLK_MAGIC, path, t, err, errlen);
	} else {
		rewind(f);
		if (!fgets(head, sizeof(head), f))
			head[0] = 0;
		if (!strncmp(head, "fio version 2 iolog", 19)) {
			rc = load_iolog(f, 2, path, t, err, errlen);
		} else if (!strncmp(head, "fio version 3 iolog", 19)) {
			rc = load_iolog(f, 3, path, t, err, errlen);
		} else if (!strncmp(head, "fio version ", 12)) {
			head[strcspn(head, "\r\n")] = 0;
			snprintf(err, errlen,
				 "%s:1: '%s': an iolog version this vssd does not read "
				 "(it reads versions 2 and 3)",
				 path, head);
			rc = -EINVAL;
		} else {
			rewind(f);
			rc = load_msr(f, path, t, err, errlen);
		}
	}
	fclose(f);
	if (!rc && !t->n) {
		snprintf(err, errlen, "%s: trace holds no requests", path);
		rc = -EINVAL;
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory reading the trace", path);
	if (rc)
		trace_free(t);
	return rc;
}

void trace_free(struct trace *t)
{
	free(t->rec);
	memset(t, 0, sizeof(*t));
}
