/*
 * The NVMe/TCP target: vssd's own controller served to NVMe over Fabrics
 * hosts (the Linux kernel's nvme-tcp, nvme-cli) over TCP, with a discovery
 * controller. `vssd serve --transport tcp` runs it.
 */
#ifndef VSSD_NVMF_H
#define VSSD_NVMF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nvmf_opts {
	const char *const *params; /* the device's "key=value" (profile= first), NULL-ended */
	const char *listen_addr;   /* an IPv4 address */
	uint16_t port;		   /* the I/O subsystem's */
	uint16_t discovery_port;   /* the discovery controller's own port; 0: none */
	const char *nqn;	   /* the subsystem's NQN; NULL: the device's SUBNQN */
	const char *stats_path;	   /* a JSON report rewritten every interval, or NULL */
	uint64_t stats_interval_ns;
	FILE *report; /* where the final report goes */
};

/*
 * Opens the device and serves it until SIGINT or SIGTERM, then closes it
 * cleanly (everything flushed, the report printed). Prints one line when
 * it listens. Returns 0, or a negative errno with a message in err.
 */
int nvmf_serve(const struct nvmf_opts *opts, char *err, size_t errlen);

#endif
