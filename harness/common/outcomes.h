/* outcomes: the one vocabulary of how a trial ends — "ok" or one failure
 * reason from design.md — shared by the agent (which reports it), the
 * trial engine (which folds two reports into one) and, through a test
 * that reads this table, harness/py/runs.py. */
#ifndef PUNCHLAB_OUTCOMES_H
#define PUNCHLAB_OUTCOMES_H

/* In the order of the steps of a trial: when the two sides disagree, the
 * earliest step that failed names the trial (outcome_combine). */
enum outcome_code {
	OUTCOME_OK,
	OUTCOME_SETUP,	     /* the agent or its world could not start */
	OUTCOME_PCP,	     /* --pcp: the router granted no port mapping
			      * (no answer, or a failure result) */
	OUTCOME_BIND,	     /* the punch port could not be reused */
	OUTCOME_COORDINATOR, /* registration, match or handoff failed */
	OUTCOME_POLICY,	     /* the agent refused the coordinator's target
			      * (--target-policy and its caps) */
	OUTCOME_WRONG_PEER,  /* connected, but not to the announced peer */
	OUTCOME_REFUSED,     /* RST */
	OUTCOME_UNREACHABLE, /* ICMP */
	OUTCOME_TIMEOUT,
	OUTCOME_UNVERIFIED,  /* an outside puncher ended without the proof
			      * the harness asks for (token, conntrack) */
	OUTCOME_BITCOIND,    /* punched, but the nodes did not peer or relay */
	OUTCOME_N
};

/* "ok", "timeout", ..., as the JSON spells them; "setup" when unknown. */
const char *outcome_name(enum outcome_code code);
/* The code of a name; OUTCOME_SETUP for an unknown name or NULL. */
enum outcome_code outcome_parse(const char *name);
/* One trial's outcome from its two sides': both must be ok, else the
 * earliest failing step decides. */
enum outcome_code outcome_combine(enum outcome_code a, enum outcome_code b);

#endif
