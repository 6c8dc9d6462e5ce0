/* SPDX-License-Identifier: (GPL-2.0 OR Apache-2.0) */
/* The table of event types and their parameters (the model is falcosecurity/libs' event_table.c). */
#ifndef SP_EVENT_TABLE_H
#define SP_EVENT_TABLE_H
#include "sp_event.h"

struct sp_param_info {
	const char *name;
	enum sp_param_type type;
};

struct sp_event_info {
	const char *name;
	unsigned int nparams;
	struct sp_param_info params[SP_MAX_PARAMS];
};

extern const struct sp_event_info sp_event_table[SP_EV_MAX];

#endif
