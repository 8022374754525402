/* punchdef: names and lookups of the outside-puncher model. */
#include "punchdef.h"

const char *const scenario_verify_names[] = {
	[SCENARIO_VERIFY_TOKEN] = "token",
	[SCENARIO_VERIFY_CONNTRACK] = "conntrack",
	NULL,
};

const char *scenario_verify_name(enum scenario_verify v)
{
	return (unsigned)v <= SCENARIO_VERIFY_CONNTRACK ? scenario_verify_names[v]
							: "?";
}

const struct scenario_puncher *
scenario_cell_puncher(const struct scenario *s, const struct scenario_cell *c,
		      int side)
{
	int i = c->puncher[side ? 1 : 0];

	return i >= 0 && i < s->npunchers ? &s->punchers[i] : NULL;
}

const char *scenario_puncher_label(const struct scenario *s,
				   const struct scenario_cell *c, int side)
{
	const struct scenario_puncher *p = scenario_cell_puncher(s, c, side);

	return p ? p->name : "agent";
}
