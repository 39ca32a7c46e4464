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

/* One request of a text trace as its line gives it: a time in the format's
 * ticks, the volume (device, disk) it was on, and where, in bytes. */
struct text_req {
	uint64_t ticks, volume, offset, len;
	int dir;       /* enum io_dir, or -1: type is not one the format has */
	char type[16]; /* the request type as written, for that message */
};

/* Each parser fills r from a line: false when the line is not one of its format's. */

/* MSR Cambridge: Timestamp (100 ns),Hostname,DiskNumber,Read|Write,Offset,Size,ResponseTime */
static bool parse_msr(const char *line, struct text_req *r)
{
	char host[128];
	unsigned long long ts, disk, off, len, resp;

	if (sscanf(line, "%llu,%127[^,],%llu,%15[^,],%llu,%llu,%llu", &ts, host, &disk, r->type,
		   &off, &len, &resp) != 7 ||
	    len == 0)
		return false;
	r->ticks = ts, r->volume = disk, r->offset = off, r->len = len;
	r->dir = !strcasecmp(r->type, "read")	 ? DIR_READ
		 : !strcasecmp(r->type, "write") ? DIR_WRITE
						 : -1;
	return true;
}

/* DiskSim ASCII, as MQSim and SSDSim ship traces: arrival time (ns), device,
 * LBA (512-byte sectors), size (sectors), type (1 read, 0 write). */
static bool parse_disksim(const char *line, struct text_req *r)
{
	unsigned long long ts, dev, lba, sectors, type;
	char extra;

	if (sscanf(line, "%llu %llu %llu %llu %llu %c", &ts, &dev, &lba, &sectors, &type, &extra) !=
		    5 ||
	    sectors == 0 || lba > UINT64_MAX / 512 || sectors > UINT32_MAX)
		return false;
	r->ticks = ts, r->volume = dev, r->offset = lba * 512, r->len = sectors * 512;
	snprintf(r->type, sizeof(r->type), "%llu", type);
	r->dir = type == 1 ? DIR_READ : type == 0 ? DIR_WRITE : -1;
	return true;
}

/* Alibaba Cloud block traces: device_id,R|W,offset (bytes),length (bytes),timestamp (us) */
static bool parse_alibaba(const char *line, struct text_req *r)
{
	unsigned long long dev, off, len, ts;

	if (sscanf(line, "%llu,%15[^,],%llu,%llu,%llu", &dev, r->type, &off, &len, &ts) != 5 ||
	    len == 0)
		return false;
	r->ticks = ts, r->volume = dev, r->offset = off, r->len = len;
	r->dir = !strcmp(r->type, "R") ? DIR_READ : !strcmp(r->type, "W") ? DIR_WRITE : -1;
	return true;
}

/* Tencent CBS: Timestamp (s),Offset (sectors),Size (sectors),IOType (0 read, 1 write),VolumeID */
static bool parse_tencent(const char *line, struct text_req *r)
{
	unsigned long long ts, off, sectors, type, vol;
	char extra;

	if (sscanf(line, "%llu,%llu,%llu,%llu,%llu%c", &ts, &off, &sectors, &type, &vol, &extra) <
		    5 ||
	    sectors == 0 || off > UINT64_MAX / 512 || sectors > UINT32_MAX)
		return false;
	r->ticks = ts, r->volume = vol, r->offset = off * 512, r->len = sectors * 512;
	snprintf(r->type, sizeof(r->type), "%llu", type);
	r->dir = type == 0 ? DIR_READ : type == 1 ? DIR_WRITE : -1;
	return true;
}

/* The text formats: name, what a line holds (for messages), the unit of its
 * times, the types it has, and its parser. */
static const struct text_format {
	const char *name, *label, *fields, *types;
	uint64_t tick_ns;
	bool (*parse)(const char *line, struct text_req *r);
} text_formats[] = {
	{"msr", "MSR", "Timestamp,Hostname,DiskNumber,Read|Write,Offset,Size,ResponseTime",
	 "Read or Write", 100, parse_msr},
	{"disksim", "DiskSim", "time_ns device lba_sectors size_sectors type",
	 "1 (read) or 0 (write)", 1, parse_disksim},
	{"alibaba", "Alibaba", "device_id,opcode,offset,length,timestamp_us", "R or W", 1000,
	 parse_alibaba},
	{"tencent", "Tencent", "timestamp_s,offset_sectors,size_sectors,io_type,volume_id",
	 "0 (read) or 1 (write)", 1000000000ULL, parse_tencent},
};
#define NTEXT_FORMATS (sizeof(text_formats) / sizeof(text_formats[0]))

static const struct text_format *text_format_named(const char *name)
{
	for (size_t i = 0; i < NTEXT_FORMATS; i++)
		if (!strcmp(text_formats[i].name, name))
			return &text_formats[i];
	return NULL;
}

/* The format of a text trace whose first request line is line: MSR has
 * seven comma fields; Alibaba five with a letter second, Tencent five
 * numbers; DiskSim five numbers apart by blanks. MSR when none fits, so
 * its message names what it expected. */
static const struct text_format *sniff_text(const char *line)
{
	struct text_req r;
	size_t commas = 0;

	for (const char *c = line; *c; c++)
		commas += *c == ',';
	if (commas == 4 && parse_alibaba(line, &r))
		return text_format_named("alibaba");
	if (commas == 4 && parse_tencent(line, &r))
		return text_format_named("tencent");
	if (!commas && parse_disksim(line, &r))
		return text_format_named("disksim");
	return text_format_named("msr");
}

#define MAX_VOLUMES_NAMED 8

/* The volumes a trace without trace_volume= holds: more than one is an error. */
struct volumes_seen {
	uint64_t v[MAX_VOLUMES_NAMED];
	uint32_t n;
	bool more;
};

static void volume_seen(struct volumes_seen *vs, uint64_t v)
{
	for (uint32_t i = 0; i < vs->n; i++)
		if (vs->v[i] == v)
			return;
	if (vs->n < MAX_VOLUMES_NAMED)
		vs->v[vs->n++] = v;
	else
		vs->more = true;
}

static int several_volumes(const char *path, const struct volumes_seen *vs, char *err,
			   size_t errlen)
{
	int at = snprintf(err, errlen, "%s: the trace holds requests of several volumes (", path);

	for (uint32_t i = 0; i < vs->n && at > 0 && (size_t)at < errlen; i++)
		at += snprintf(err + at, errlen - at, "%s%llu", i ? ", " : "",
			       (unsigned long long)vs->v[i]);
	if (at > 0 && (size_t)at < errlen)
		snprintf(err + at, errlen - at, "%s): replay one with trace_volume=N",
			 vs->more ? ", and more" : "");
	return -EINVAL;
}

static int load_text(FILE *f, const char *path, const struct text_format *fmt,
		     const struct trace_select *sel, struct trace *t, char *err, size_t errlen)
{
	struct volumes_seen vs = {{0}, 0, false};
	char line[1024];
	uint64_t t0 = 0, t_ns;
	uint32_t lineno = 0;

	t->format = fmt->name;
	while (fgets(line, sizeof(line), f)) {
		struct text_req r;

		lineno++;
		if (line[0] == '\n' || line[0] == '\r')
			continue;
		if (!fmt->parse(line, &r)) {
			snprintf(err, errlen, "%s:%u: malformed %s trace line (expected %s)", path,
				 lineno, fmt->label, fmt->fields);
			return -EINVAL;
		}
		if (r.dir < 0) {
			snprintf(err, errlen, "%s:%u: %s request type '%s' is not %s", path, lineno,
				 fmt->label, r.type, fmt->types);
			return -EINVAL;
		}
		if (!sel || !sel->volume_set)
			volume_seen(&vs, r.volume);
		else if (r.volume != sel->volume)
			continue;
		if (!t->n)
			t0 = r.ticks;
		if (!trace_time(0, r.ticks >= t0 ? r.ticks - t0 : 0, fmt->tick_ns, &t_ns))
			return time_too_far(path, lineno, err, errlen);
		if (push(t, (struct trace_rec){t_ns, r.offset, r.len, lineno, (uint8_t)r.dir}))
			return -ENOMEM;
	}
	return vs.n > 1 ? several_volumes(path, &vs, err, errlen) : 0;
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
			char *err, size_t errlen)
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
		return load_blktrace(f, swap, path, t, err, errlen);
	if (kind && version)
		return load_iolog(f, version, path, t, err, errlen);
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
	fmt = want ? text_format_named(want) : sniff_text(head);
	return load_text(f, path, fmt, sel, t, err, errlen);
}

int trace_load_select(const char *path, const struct trace_select *sel, struct trace *t, char *err,
		      size_t errlen)
{
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
	rc = load_sniffed(f, path, sel, t, err, errlen);
	fclose(f);
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
	return !strcmp(name, "iolog") || !strcmp(name, "blktrace") || text_format_named(name);
}

void trace_free(struct trace *t)
{
	free(t->rec);
	memset(t, 0, sizeof(*t));
}
