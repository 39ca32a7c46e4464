/*
 * The text trace formats, one row of a table each: which field of a line
 * is the time, the volume, the request's kind, its offset and its length,
 * what separates the fields, the unit of offsets and lengths (bytes or
 * 512-byte sectors) and of times, and the words for a read and a write.
 * One scanner reads them all; sscanf cost more than the replay itself.
 */
#include "workload/trace_int.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* One request of a text trace as its line gives it: a time in the format's
 * ticks, the volume (device, disk) it was on, and where, in bytes. */
struct text_req {
	uint64_t ticks, volume, offset, len;
	int dir;       /* enum io_dir, or -1: the kind is not one the format has */
	char type[16]; /* the kind as written, for that message */
};

struct text_format {
	const char *name, *label;
	const char *fields; /* what a line holds, for messages */
	/* a letter per field: t time, v volume, k kind, o offset, l length, - unused */
	const char *layout;
	char sep;		  /* ',' or ' ' (blanks) */
	uint32_t sector_bytes;	  /* the unit of offsets and lengths */
	const char *read, *write; /* the kind field's words (any case) */
	const char *unit;
	uint64_t tick_ns;
};

static const struct text_format text_formats[] = {
	{"msr", "MSR", "Timestamp,Hostname,DiskNumber,Read|Write,Offset,Size,ResponseTime",
	 "t-vkol-", ',', 1, "Read", "Write", "100 ns", 100},
	{"disksim", "DiskSim", "time_ns device lba_sectors size_sectors type", "tvolk", ' ', 512,
	 "1", "0", "ns", 1},
	{"alibaba", "Alibaba", "device_id,opcode,offset,length,timestamp_us", "vkolt", ',', 1, "R",
	 "W", "us", 1000},
	{"tencent", "Tencent", "timestamp_s,offset_sectors,size_sectors,io_type,volume_id", "tolkv",
	 ',', 512, "0", "1", "s", 1000000000ULL},
};
#define NTEXT_FORMATS (sizeof(text_formats) / sizeof(text_formats[0]))

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Past the separator after a field: one comma; one or more blanks; or, after
 * the last field (sep 0), only blanks to the line's end. */
static bool past_sep(const char **p, char sep)
{
	const char *s = *p;

	if (sep == ',') {
		*p = s + 1;
		return *s == ',';
	}
	if (sep == ' ' && !is_blank(*s))
		return false;
	while (is_blank(*s))
		s++;
	*p = s;
	return sep || !*s;
}

/* A decimal number; false when there is none or it passes UINT64_MAX. */
static bool scan_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return true;
}

/* A word up to the separator, kept in out (when given) if it fits. */
static bool scan_word(const char **p, char sep, char *out, size_t len)
{
	size_t n = strcspn(*p, sep == ',' ? ",\r\n" : " \t\r\n");

	if (!n || (out && n >= len))
		return false;
	if (out) {
		memcpy(out, *p, n);
		out[n] = 0;
	}
	*p += n;
	return true;
}

/* Where a number field of a layout goes. */
static uint64_t *number_field(struct text_req *r, char letter)
{
	switch (letter) {
	case 't': return &r->ticks;
	case 'v': return &r->volume;
	case 'o': return &r->offset;
	default: return &r->len;
	}
}

/* Fills r from a line in fmt's layout: false when the line is not one. */
static bool parse_line(const struct text_format *fmt, const char *line, struct text_req *r)
{
	const char *p = line;

	while (*p == ' ' || *p == '\t')
		p++;
	for (const char *f = fmt->layout; *f; f++) {
		bool word = *f == 'k' || *f == '-';
		bool ok =
			word ? scan_word(&p, fmt->sep, *f == 'k' ? r->type : NULL, sizeof(r->type))
			     : scan_u64(&p, number_field(r, *f));

		if (!ok || !past_sep(&p, f[1] ? fmt->sep : 0))
			return false;
	}
	if (!r->len || r->offset > TRACE_MAX_BYTES / fmt->sector_bytes ||
	    r->len > TRACE_MAX_BYTES / fmt->sector_bytes)
		return false;
	r->offset *= fmt->sector_bytes;
	r->len *= fmt->sector_bytes;
	r->dir = !strcasecmp(r->type, fmt->read)    ? DIR_READ
		 : !strcasecmp(r->type, fmt->write) ? DIR_WRITE
						    : -1;
	return true;
}

const struct text_format *trace_text_format(const char *name)
{
	for (size_t i = 0; i < NTEXT_FORMATS; i++)
		if (!strcmp(text_formats[i].name, name))
			return &text_formats[i];
	return NULL;
}

/* The format of a text trace whose first request line is line: the first
 * whose layout it fits with a kind the format has; else the first whose
 * layout it fits, so its message names the kind; else MSR, so its message
 * names what it expected. */
const struct text_format *trace_text_sniff(const char *line)
{
	const struct text_format *fits = NULL;

	for (size_t i = 0; i < NTEXT_FORMATS; i++) {
		struct text_req r = {0};

		if (!parse_line(&text_formats[i], line, &r))
			continue;
		if (r.dir >= 0)
			return &text_formats[i];
		fits = fits ? fits : &text_formats[i];
	}
	return fits ? fits : trace_text_format("msr");
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

int trace_load_text(FILE *f, const char *path, const struct text_format *fmt,
		    const struct trace_select *sel, struct trace *t, struct time_order *o,
		    char *err, size_t errlen)
{
	struct volumes_seen vs = {{0}, 0, false};
	char line[1024];
	uint64_t t0 = 0, t_ns;
	uint32_t lineno = 0;

	t->format = fmt->name;
	t->unit = fmt->unit;
	while (fgets(line, sizeof(line), f)) {
		struct text_req r = {0};

		lineno++;
		if (line[0] == '\n' || line[0] == '\r')
			continue;
		if (!parse_line(fmt, line, &r)) {
			snprintf(err, errlen, "%s:%u: malformed %s trace line (expected %s)", path,
				 lineno, fmt->label, fmt->fields);
			return -EINVAL;
		}
		if (r.dir < 0) {
			snprintf(err, errlen,
				 "%s:%u: %s request type '%s' is not %s (read) or %s (write)", path,
				 lineno, fmt->label, r.type, fmt->read, fmt->write);
			return -EINVAL;
		}
		if (!sel || !sel->volume_set)
			volume_seen(&vs, r.volume);
		else if (r.volume != sel->volume)
			continue;
		if (!t->n)
			t0 = r.ticks;
		trace_note_time(o, r.ticks, fmt->tick_ns, lineno);
		if (!trace_time(0, r.ticks >= t0 ? r.ticks - t0 : 0, fmt->tick_ns, &t_ns))
			return trace_time_too_far(path, lineno, err, errlen);
		if (trace_push(t,
			       (struct trace_rec){t_ns, r.offset, r.len, lineno, (uint8_t)r.dir}))
			return -ENOMEM;
	}
	return vs.n > 1 ? several_volumes(path, &vs, err, errlen) : 0;
}
