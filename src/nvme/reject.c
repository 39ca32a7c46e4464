/*
 * debug=nvme: why the controller rejected a command, one line on stderr
 * each, as QEMU's trace events and nbdkit's -D flags let a user see which
 * check fired. The line names the command as nvme-cli would, its namespace
 * and LBA range where it has them, the reason the check gives, and the
 * status the host sees.
 */
#include <stdarg.h>
#include <stdio.h>

#include "nvme/ctrl.h"
#include "vssd/vssd.h"

/* Whether the command carries an LBA range in CDW10-12 worth printing. */
static bool has_lba_range(const struct nvme_ctrl *ctrl, uint8_t opcode)
{
	return !ctrl->cmd_admin &&
	       (opcode == NVME_CMD_WRITE || opcode == NVME_CMD_READ || opcode == NVME_CMD_COMPARE ||
		opcode == NVME_CMD_VERIFY || opcode == NVME_CMD_WRITE_ZEROES);
}

static void say_command(const struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe)
{
	const char *name =
		(ctrl->cmd_admin ? nvme_admin_cmds : nvme_io_cmds(ctrl))[sqe->opcode].name;

	if (name)
		fprintf(stderr, "vssd: nvme: %s", name);
	else
		fprintf(stderr, "vssd: nvme: %s opcode 0x%02x", ctrl->cmd_admin ? "admin" : "I/O",
			sqe->opcode);
	fprintf(stderr, " nsid=%u", sqe->nsid);
	if (has_lba_range(ctrl, sqe->opcode))
		fprintf(stderr, " slba=0x%llx nlb=%u", (unsigned long long)nvme_get_slba(sqe),
			nvme_get(sqe, NVME_F_NLB) + 1);
}

uint16_t nvme_reject_say(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint16_t status,
			 const char *fmt, ...)
{
	va_list ap;

	say_command(ctrl, sqe);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s)\n", vssd_status_name(status));
	ctrl->cmd_said = true;
	return status;
}

void nvme_reject_default(struct nvme_ctrl *ctrl, const struct nvme_sqe *sqe, uint16_t status)
{
	if (ctrl->cmd_said)
		return;
	say_command(ctrl, sqe);
	fprintf(stderr, ": %s\n", vssd_status_name(status));
}
