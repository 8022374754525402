/* advsetting: what the results need to know of a cell's adversary — the
 * attack, its defences, its setting and expect_effect — read from the
 * cell model in one place, so the fold (advfold.h) does not depend on
 * the model's layout. */
#ifndef PUNCHLAB_ADVSETTING_H
#define PUNCHLAB_ADVSETTING_H

#include "scenario.h"

struct json_t;

struct advsetting {
	const char *attack; /* contract name ("redirect"); NULL: none */
	int target_policy, peer_auth, coord_limits; /* 1: on / secret */
	int start_jitter_ms, rst_guard; /* inject's: ms (0 off), 1 on */
	const char *expect; /* expect_effect as written; "" or NULL: none */
	/* {"victim": "lan"}, {"inject": "rst", "inject_offset_ms": 5}, ...:
	 * the attack's own keys; owned by the caller (json_decref). */
	struct json_t *setting;
};

/* 1 and *out filled when the cell has an adversary, 0 when it has none. */
int advsetting_read(const struct scenario_cell *c, struct advsetting *out);

#endif
