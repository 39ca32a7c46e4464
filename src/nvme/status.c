/*
 * Names of the status codes this controller returns, as the NVMe base
 * specification words them, for messages a user reads ("Write Fault"
 * rather than 0x500).
 */
#include <stddef.h>

#include "vssd/nvme.h"
#include "vssd/vssd.h"

static const struct {
	uint16_t status;
	const char *name;
} status_names[] = {
	{NVME_SC_SUCCESS, "Successful Completion"},
	{NVME_SC_INVALID_OPCODE, "Invalid Command Opcode"},
	{NVME_SC_INVALID_FIELD, "Invalid Field in Command"},
	{NVME_SC_CMDID_CONFLICT, "Command ID Conflict"},
	{NVME_SC_DATA_XFER_ERROR, "Data Transfer Error"},
	{NVME_SC_INTERNAL, "Internal Error"},
	{NVME_SC_ABORT_REQ, "Command Abort Requested"},
	{NVME_SC_ABORT_SQ_DELETED, "Command Aborted due to SQ Deletion"},
	{NVME_SC_INVALID_NS, "Invalid Namespace or Format"},
	{NVME_SC_CMD_SEQ_ERROR, "Command Sequence Error"},
	{NVME_SC_INVALID_SGL_DESC, "Invalid SGL Segment Descriptor"},
	{NVME_SC_SGL_COUNT_INVALID, "Invalid Number of SGL Descriptors"},
	{NVME_SC_SGL_DATA_LENGTH_INVALID, "Data SGL Length Invalid"},
	{NVME_SC_SGL_TYPE_INVALID, "SGL Descriptor Type Invalid"},
	{NVME_SC_SGL_OFFSET_INVALID, "SGL Offset Invalid"},
	{NVME_SC_PRP_OFFSET_INVALID, "PRP Offset Invalid"},
	{NVME_SC_TRANSIENT_TRANSPORT, "Transient Transport Error"},
	{NVME_SC_FDP_DISABLED, "FDP Disabled"},
	{NVME_SC_INVALID_PHID_LIST, "Invalid Placement Handle List"},
	{NVME_SC_LBA_RANGE, "LBA Out of Range"},
	{NVME_SC_CAP_EXCEEDED, "Capacity Exceeded"},
	{NVME_SC_NS_NOT_READY, "Namespace Not Ready"},
	{NVME_SC_CQ_INVALID, "Completion Queue Invalid"},
	{NVME_SC_QID_INVALID, "Invalid Queue Identifier"},
	{NVME_SC_QUEUE_SIZE, "Invalid Queue Size"},
	{NVME_SC_ABORT_LIMIT, "Abort Command Limit Exceeded"},
	{NVME_SC_AER_LIMIT, "Asynchronous Event Request Limit Exceeded"},
	{NVME_SC_INVALID_LOG_PAGE, "Invalid Log Page"},
	{NVME_SC_INVALID_FORMAT, "Invalid Format"},
	{NVME_SC_INVALID_QUEUE_DELETION, "Invalid Queue Deletion"},
	{NVME_SC_FEATURE_NOT_SAVEABLE, "Feature Identifier Not Saveable"},
	{NVME_SC_WRITE_FAULT, "Write Fault"},
	{NVME_SC_READ_ERROR, "Unrecovered Read Error"},
	{NVME_SC_COMPARE_FAILED, "Compare Failure"},
	{NVME_SC_UNWRITTEN, "Deallocated or Unwritten Logical Block"},
	{NVME_SC_OC_LBAL_LENGTH, "LBAL/SGL Length Invalid"},
	{NVME_SC_OC_OFFLINE_CHUNK, "Offline Chunk"},
	{NVME_SC_OC_INVALID_RESET, "Invalid Reset"},
	{NVME_SC_OC_HIGH_ECC, "High ECC"},
	{NVME_SC_OC_WRITE_NEXT_UNIT, "Write Next Unit"},
	{NVME_SC_OC_CHUNK_EARLY_CLOSE, "Chunk Early Close"},
	{NVME_SC_OC_OUT_OF_ORDER_WRITE, "Out of Order Write"},
};

const char *vssd_status_name(uint16_t status)
{
	status = NVME_STATUS(NVME_CQE_SCT(status),
			     NVME_CQE_SC(status)); /* no phase, CRD, More, DNR */
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (status_names[i].status == status)
			return status_names[i].name;
	return "unknown status";
}
