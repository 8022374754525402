/* outcomes: the names of the outcome codes, and how two sides combine. */
#include <string.h>

#include "outcomes.h"

/* harness/py/runs.py's REASONS is held to this table by
 * tests/py/test_outcomes.py: keep one name per line. */
static const char *const outcome_names[OUTCOME_N] = {
	[OUTCOME_OK] = "ok",
	[OUTCOME_SETUP] = "setup",
	[OUTCOME_PCP] = "pcp",
	[OUTCOME_BIND] = "bind",
	[OUTCOME_COORDINATOR] = "coordinator",
	[OUTCOME_POLICY] = "policy",
	[OUTCOME_WRONG_PEER] = "wrong-peer",
	[OUTCOME_REFUSED] = "refused",
	[OUTCOME_UNREACHABLE] = "unreachable",
	[OUTCOME_TIMEOUT] = "timeout",
	[OUTCOME_UNVERIFIED] = "unverified",
	[OUTCOME_BITCOIND] = "bitcoind",
};

const char *outcome_name(enum outcome_code code)
{
	return (unsigned)code < OUTCOME_N ? outcome_names[code] : "setup";
}

enum outcome_code outcome_parse(const char *name)
{
	for (int i = 0; name && i < OUTCOME_N; i++)
		if (!strcmp(name, outcome_names[i]))
			return (enum outcome_code)i;
	return OUTCOME_SETUP;
}

enum outcome_code outcome_combine(enum outcome_code a, enum outcome_code b)
{
	if (a == OUTCOME_OK)
		return b;
	if (b == OUTCOME_OK)
		return a;
	return a < b ? a : b;
}
