/* The device options the subcommands share, as the library takes them. */
#include <stdio.h>

#include "cli.h"

const char *const *cli_device_params(struct cli_params *p, const char *profile, char *const *sets,
				     int nsets, const char *seed)
{
	int n = 0;

	snprintf(p->profile, sizeof(p->profile), "profile=%s", profile ? profile : "default");
	p->list[n++] = p->profile;
	for (int i = 0; i < nsets && i < CLI_MAX_SETS; i++)
		p->list[n++] = sets[i];
	if (seed) { /* last: --seed wins over a --set seed= */
		snprintf(p->seed, sizeof(p->seed), "seed=%s", seed);
		p->list[n++] = p->seed;
	}
	p->list[n] = NULL;
	return p->list;
}

int cli_add_set(char **sets, int *nsets, char *arg)
{
	if (*nsets == CLI_MAX_SETS) {
		fprintf(stderr, "vssd: more than %d --set options\n", CLI_MAX_SETS);
		return 2;
	}
	sets[(*nsets)++] = arg;
	return 0;
}
