/*
 * The file store: a device in one sparse file, so an unwritten device costs
 * no disk and a written one survives restarts and crashes.
 *
 *   [0, 64 KiB)        header: magic, version, region offsets, the layout
 *                      parameters the device was made with (key=value
 *                      lines), CRC-32
 *   meta_off           the FTL's metadata area (allocated up front, so a
 *                      full disk cannot fail a checkpoint)
 *   oob_off            a 24-byte record per physical unit: its OOB, the
 *                      CRC-32 of its data, and a CRC-32 of the record
 *   oob_copy_off       the same records again, as a drive's ECC would
 *                      recover a damaged OOB
 *   data_off           4 KiB per physical unit
 *
 * Units are written with pwrite (data first, then the record, then its
 * copy: a unit whose record never landed is not programmed as far as
 * recovery can tell). A read whose data or records fail their CRC returns
 * -EBADMSG, which the controller turns into Unrecovered Read Error. A process
 * killed mid-run leaves its writes in the page cache, as a drive's NAND
 * keeps what it programmed; sync() (a clean close) takes them to disk. An
 * exclusive lock stops two processes opening one device.
 */
#include "media/media.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FILE_MAGIC "VSSDDEV1"
#define FILE_VERSION 2	      /* 1 had no checksums */
#define ZEROS_CRC 0xc71c0011u /* CRC-32 of 4 KiB of zeros */
#define HEADER_BYTES (64 * 1024)
#define REGION_ALIGN (1024 * 1024)

struct file_header {
	char magic[8];
	uint32_t version;
	uint32_t crc; /* CRC-32 of the header with this field 0, params included */
	uint64_t units, meta_bytes;
	uint64_t meta_off, oob_off, oob_copy_off, data_off, file_bytes;
	uint32_t params_len;
	uint32_t reserved;
	char params[]; /* "key=value\n" for every layout parameter */
};

/* What the file keeps per unit besides its data. An all-zero record is a
 * unit never written (a hole in the sparse file), whose data reads as zeros. */
struct file_oob {
	struct media_oob oob;
	uint32_t data_crc;
	uint32_t crc; /* of the fields above */
};

struct file_media {
	struct media base;
	int fd;
	uint64_t meta_off, oob_off, oob_copy_off, data_off;
	char path[VSSD_PATH_MAX];
};

static struct file_media *fm(struct media *m)
{
	return (struct file_media *)m;
}

/* pwrite/pread of exactly len bytes: 0, or the errno of the failure (-ENOSPC
 * for a short write, which is what a full disk gives). */
static int put(int fd, const void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENOSPC;
		buf = (const char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int get(int fd, void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) { /* past the end of a sparse file: never written */
			memset(buf, 0, len);
			return 0;
		}
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static const uint8_t zeros[4096];

static uint32_t crc_of(const void *buf, size_t len)
{
	return (uint32_t)crc32(0, (const Bytef *)buf, (uInt)len);
}

static struct file_oob record_of(const struct media_oob *oob, uint32_t data_crc)
{
	struct file_oob r = {.oob = *oob, .data_crc = data_crc};

	r.crc = crc_of(&r, offsetof(struct file_oob, crc));
	return r;
}

static bool record_ok(const struct file_oob *r)
{
	static const struct file_oob never_written;

	return !memcmp(r, &never_written, sizeof(*r)) ||
	       r->crc == crc_of(r, offsetof(struct file_oob, crc));
}

/* The data CRC a record promises (a unit never written holds zeros). */
static uint32_t promised_data_crc(const struct file_oob *r)
{
	return r->oob.seq || r->crc ? r->data_crc : ZEROS_CRC;
}

static uint64_t record_at(const struct file_media *f, uint64_t base, uint64_t ppa)
{
	return base + ppa * sizeof(struct file_oob);
}

static int put_unit(struct file_media *f, uint32_t ppa, const void *data, uint32_t data_crc,
		    const struct media_oob *oob)
{
	struct file_oob r = record_of(oob, data_crc);
	int rc = put(f->fd, data, 4096, f->data_off + (uint64_t)ppa * 4096);

	if (!rc)
		rc = put(f->fd, &r, sizeof(r), record_at(f, f->oob_off, ppa));
	if (!rc)
		rc = put(f->fd, &r, sizeof(r), record_at(f, f->oob_copy_off, ppa));
	f->base.last_errno = rc ? -rc : f->base.last_errno;
	return rc;
}

static int file_write(struct media *m, uint32_t ppa, const void *data, const struct media_oob *oob)
{
	data = data ? data : zeros;
	return put_unit(fm(m), ppa, data, crc_of(data, 4096), oob);
}

/* The unit's record: the first copy whose CRC holds. Returns 0, 1 when
 * both are damaged (r is then zeros), or a negative errno. */
static int get_record(struct file_media *f, uint32_t ppa, struct file_oob *r)
{
	int rc = get(f->fd, r, sizeof(*r), record_at(f, f->oob_off, ppa));

	if (rc || record_ok(r))
		return rc;
	if ((rc = get(f->fd, r, sizeof(*r), record_at(f, f->oob_copy_off, ppa))))
		return rc;
	if (record_ok(r)) {
		f->base.damage.oob_from_copy++;
		return 0;
	}
	f->base.damage.oob_lost++;
	*r = (struct file_oob){0};
	return 1;
}

static int file_read(struct media *m, uint32_t ppa, void *data, struct media_oob *oob)
{
	struct file_media *f = fm(m);
	struct file_oob r;
	int lost = get_record(f, ppa, &r), rc = lost < 0 ? lost : 0;

	if (!rc && data)
		rc = get(f->fd, data, 4096, f->data_off + (uint64_t)ppa * 4096);
	if (rc)
		return rc;
	if (oob)
		*oob = r.oob;
	if (data && (lost || crc_of(data, 4096) != promised_data_crc(&r))) {
		f->base.damage.data_bad++;
		return -EBADMSG;
	}
	return 0;
}

/* The data moves as it is, with the CRC it was written with: damage found
 * later at the new place is the damage it had at the old one. */
static int file_copy(struct media *m, uint32_t from, uint32_t to, const struct media_oob *oob)
{
	struct file_media *f = fm(m);
	uint8_t buf[4096];
	struct file_oob r;
	int lost = get_record(f, from, &r), rc = lost < 0 ? lost : 0;

	if (!rc)
		rc = get(f->fd, buf, sizeof(buf), f->data_off + (uint64_t)from * 4096);
	if (rc)
		return rc;
	return put_unit(f, to, buf, lost ? ~crc_of(buf, 4096) : promised_data_crc(&r), oob);
}

static int file_read_oob(struct media *m, uint64_t first, uint32_t n, struct media_oob *out)
{
	struct file_media *f = fm(m);
	struct file_oob *r = malloc((size_t)n * sizeof(*r));
	int rc = r ? get(f->fd, r, (size_t)n * sizeof(*r), record_at(f, f->oob_off, first))
		   : -ENOMEM;

	for (uint32_t i = 0; !rc && i < n; i++) {
		if (!record_ok(&r[i]) && get_record(f, (uint32_t)(first + i), &r[i]) < 0)
			rc = -EIO;
		out[i] = r[i].oob;
	}
	free(r);
	return rc;
}

static int file_meta_write(struct media *m, uint64_t off, const void *buf, size_t len)
{
	int rc = put(fm(m)->fd, buf, len, fm(m)->meta_off + off);

	m->last_errno = rc ? -rc : m->last_errno;
	return rc;
}

static int file_meta_read(struct media *m, uint64_t off, void *buf, size_t len)
{
	return get(fm(m)->fd, buf, len, fm(m)->meta_off + off);
}

static int file_sync(struct media *m)
{
	return fdatasync(fm(m)->fd) ? -errno : 0;
}

static void file_destroy(struct media *m)
{
	if (fm(m)->fd >= 0)
		close(fm(m)->fd); /* also drops the lock */
	free(m);
}

static const struct media_ops file_ops = {"file",	  file_write,	 file_read,
					  file_copy,	  file_read_oob, file_meta_write,
					  file_meta_read, file_sync,	 file_destroy};

static uint64_t align_up(uint64_t v)
{
	return (v + REGION_ALIGN - 1) / REGION_ALIGN * REGION_ALIGN;
}

/* The header this config and size ask for (HEADER_BYTES, zeroed past the params). */
static struct file_header *make_header(const struct vssd_config *cfg, uint64_t units,
				       uint64_t meta_bytes)
{
	struct file_header *h = calloc(1, HEADER_BYTES);
	size_t room = HEADER_BYTES - sizeof(*h), n = 0;
	char value[2048];

	if (!h)
		return NULL;
	memcpy(h->magic, FILE_MAGIC, 8);
	h->version = FILE_VERSION;
	h->units = units;
	h->meta_bytes = meta_bytes;
	h->meta_off = HEADER_BYTES;
	h->oob_off = align_up(h->meta_off + meta_bytes);
	h->oob_copy_off = align_up(h->oob_off + units * sizeof(struct file_oob));
	h->data_off = align_up(h->oob_copy_off + units * sizeof(struct file_oob));
	h->file_bytes = h->data_off + units * 4096;
	for (size_t i = 0; i < config_param_count(); i++) {
		if (!config_param_is_layout(i))
			continue;
		config_format(cfg, config_param_key(i), value, sizeof(value));
		n += (size_t)snprintf(h->params + n, room - n, "%s=%s\n", config_param_key(i),
				      value);
	}
	h->params_len = (uint32_t)n;
	h->crc = (uint32_t)crc32(0, (const Bytef *)h, HEADER_BYTES);
	return h;
}

/* Lists the layout parameters whose values differ ("channels=2 (asked 4), ...").
 * Returns how many. */
static int compare_params(const char *made, const char *asked, char *out, size_t outlen)
{
	int differ = 0;
	size_t n = 0;

	out[0] = 0;
	for (const char *a = asked; *a; a = strchr(a, '\n') + 1) {
		size_t keylen = (size_t)(strchr(a, '=') - a),
		       linelen = (size_t)(strchr(a, '\n') - a);
		const char *m = made;

		while (*m && !(strncmp(m, a, keylen + 1) == 0 && (m == made || m[-1] == '\n')))
			m = strchr(m, '\n') ? strchr(m, '\n') + 1 : m + strlen(m);
		if (*m && (size_t)(strchr(m, '\n') - m) == linelen && !strncmp(m, a, linelen))
			continue;
		differ++;
		if (n < outlen)
			n += (size_t)snprintf(
				out + n, outlen - n, "%s%.*s (asked %.*s)", differ > 1 ? ", " : "",
				*m ? (int)(strchr(m, '\n') - m) : (int)keylen + 1, *m ? m : a,
				(int)(linelen - keylen - 1), a + keylen + 1);
	}
	return differ;
}

/* Reads the header of an existing file into h and checks it is whole: a
 * vssd device file's, undamaged, of this version. Returns 0 or -EINVAL. */
static int read_header(struct file_media *f, struct file_header *h, uint64_t size, char *err,
		       size_t errlen)
{
	uint32_t crc;

	if (size < HEADER_BYTES || get(f->fd, h, HEADER_BYTES, 0) ||
	    memcmp(h->magic, FILE_MAGIC, 8)) {
		snprintf(err, errlen, "path=%s: not a vssd device file", f->path);
		return -EINVAL;
	}
	crc = h->crc;
	h->crc = 0;
	if (crc != (uint32_t)crc32(0, (const Bytef *)h, HEADER_BYTES)) {
		snprintf(err, errlen, "path=%s: the device file's header is damaged (CRC mismatch)",
			 f->path);
		return -EINVAL;
	}
	if (h->version != FILE_VERSION) {
		snprintf(err, errlen,
			 "path=%s: device file version %u, this vssd reads version %u "
			 "(version 2 added checksums: make the device again)",
			 f->path, h->version, FILE_VERSION);
		return -EINVAL;
	}
	if (h->params_len >= HEADER_BYTES - sizeof(*h)) {
		snprintf(err, errlen,
			 "path=%s: the device file's header is damaged (its parameters "
			 "overrun it)",
			 f->path);
		return -EINVAL;
	}
	h->params[h->params_len] = 0; /* room for it was checked above */
	if (h->params_len && h->params[h->params_len - 1] != '\n') {
		snprintf(err, errlen,
			 "path=%s: the device file's header is damaged (its parameters "
			 "do not end a line)",
			 f->path);
		return -EINVAL;
	}
	return 0;
}

/* Checks an existing file's header against what this config asks for. */
static int check_header(struct file_media *f, const struct file_header *want, uint64_t size,
			char *err, size_t errlen)
{
	struct file_header *h = malloc(HEADER_BYTES);
	char diff[1024];
	int rc = -EINVAL;

	if (!h)
		return -ENOMEM;
	if (read_header(f, h, size, err, errlen))
		goto out;
	if (compare_params(h->params, want->params, diff, sizeof(diff))) {
		snprintf(err, errlen, "path=%s was made with %s", f->path, diff);
		goto out;
	}
	if (h->units != want->units || h->meta_bytes != want->meta_bytes ||
	    h->file_bytes != want->file_bytes) {
		snprintf(err, errlen,
			 "path=%s: made by another version of vssd (its layout differs)", f->path);
		goto out;
	}
	if (size < h->file_bytes) {
		snprintf(err, errlen, "path=%s is truncated: %llu bytes, the device needs %llu",
			 f->path, (unsigned long long)size, (unsigned long long)h->file_bytes);
		goto out;
	}
	rc = 0;
out:
	free(h);
	return rc;
}

/* Lays out a new device file: header, size (sparse), metadata area allocated. */
static int create_file(struct file_media *f, const struct file_header *h, char *err, size_t errlen)
{
	int rc = put(f->fd, h, HEADER_BYTES, 0);

	if (!rc && ftruncate(f->fd, (off_t)h->file_bytes))
		rc = -errno;
	if (!rc && h->meta_bytes)
		rc = -posix_fallocate(f->fd, (off_t)h->meta_off, (off_t)h->meta_bytes);
	if (!rc)
		rc = fdatasync(f->fd) ? -errno : 0;
	if (rc) {
		snprintf(err, errlen,
			 "path=%s: cannot lay out the device file (%llu MiB, sparse): %s", f->path,
			 (unsigned long long)(h->file_bytes >> 20), strerror(-rc));
		if (ftruncate(f->fd, 0)) {
			/* the error above says what went wrong; an empty file is recreated next
			 * time */
		}
	}
	return rc;
}

/* Opens f->path for reading and writing (created, if it was not there),
 * locked against every other vssd process, and a regular file. */
static int open_locked(struct file_media *f, bool *created, struct stat *st, char *err,
		       size_t errlen)
{
	/* created here, or there before: an empty file that was there before is
	 * not taken for a new device (it may be one whose contents were lost) */
	f->fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	*created = f->fd >= 0;
	if (!*created && errno == EEXIST)
		f->fd = open(f->path, O_RDWR | O_CLOEXEC);
	if (f->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "path=%s: cannot open for reading and writing: %s", f->path,
			 strerror(e));
		return -e;
	}
	if (flock(f->fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, "path=%s: in use by another vssd process", f->path);
		return -EBUSY;
	}
	if (fstat(f->fd, st) || !S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "path=%s: not a regular file", f->path);
		return -EINVAL;
	}
	return 0;
}

int media_file_open(const struct vssd_config *cfg, uint64_t units, uint64_t meta_bytes,
		    struct media **out, char *err, size_t errlen)
{
	struct file_media *f = calloc(1, sizeof(*f));
	struct file_header *want = make_header(cfg, units, meta_bytes);
	struct stat st;
	bool created;
	int rc;

	if (!f || !want) {
		free(f);
		free(want);
		snprintf(err, errlen, "media=file: out of memory");
		return -ENOMEM;
	}
	snprintf(f->path, sizeof(f->path), "%s", cfg->path);
	f->base = (struct media){
		.ops = &file_ops, .units = units, .meta_bytes = meta_bytes, .keeps_data = true};
	if ((rc = open_locked(f, &created, &st, err, errlen)))
		goto fail;
	if (st.st_size == 0 && !created) {
		rc = -EINVAL;
		snprintf(err, errlen,
			 "path=%s: an empty file, not a vssd device file (remove it, "
			 "and vssd makes a new device there)",
			 cfg->path);
	} else if (st.st_size == 0)
		rc = create_file(f, want, err, errlen);
	else
		rc = check_header(f, want, (uint64_t)st.st_size, err, errlen);
	if (rc)
		goto fail;
	f->base.reopened = st.st_size != 0;
	f->meta_off = want->meta_off;
	f->oob_off = want->oob_off;
	f->oob_copy_off = want->oob_copy_off;
	f->data_off = want->data_off;
	free(want);
	*out = &f->base;
	return 0;
fail:
	free(want);
	file_destroy(&f->base);
	return rc;
}
