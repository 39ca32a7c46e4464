/*
 * Inside src/config: the parameter table's row type, and the table
 * (param_table.c) that params.c parses, checks and prints by.
 */
#ifndef VSSD_CONFIG_PARAM_TABLE_H
#define VSSD_CONFIG_PARAM_TABLE_H

#include <stdbool.h>
#include <stddef.h>

enum param_type {
	P_UINT,	    /* plain integer */
	P_BYTES,    /* integer with optional k/m/g/t suffix */
	P_DOUBLE,   /* real number */
	P_BOOL,	    /* on/off, true/false, 1/0, yes/no */
	P_ENUM,	    /* one name of `choices`, stored as its index */
	P_NSLIST,   /* comma-separated nanoseconds, one per page type */
	P_RUHTYPES, /* comma-separated reclaim unit handle types, one or one per handle */
	P_RUHLIST,  /* "all" or comma-separated reclaim unit handle ids */
	P_PATH,	    /* a file name */
};

struct param {
	const char *key;
	enum param_type type;
	const char *def;
	double min, max;
	const char *const *choices;
	const char *help;
	size_t offset;
	bool layout; /* shapes what is on the media: a device file must match it */
};

extern const struct param config_params[];
extern const size_t config_nparams;
extern const char *const config_cell_names[]; /* enum values of cell=, by index */

#endif
