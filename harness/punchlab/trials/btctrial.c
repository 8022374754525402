/* btctrial: one bitcoind trial — the agents punch, the initiator's node
 * dials the punched connection through its agent (addnode), both nodes
 * must list each other, and a block mined on the initiator's node must
 * reach the responder's. The nodes decide success, not the agents. */
#include <stdlib.h>
#include <string.h>

#include "btcagent.h"
#include "btcnodes.h"
#include "btctrial.h"
#include "monoclock.h"

#define PEER_WAIT_MS 15000
#define BLOCK_WAIT_MS 15000

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* What one trial learned on its way. */
struct btcrun {
	enum outcome_code o;
	int ini;	     /* the initiator: 0 alice, 1 bob, -1 unknown */
	int added, peered;   /* addnode done; both nodes list each other */
	int64_t t_peered, t_block;
	json_t *seen[2];     /* each node's view of the connection */
	char hash[65], why[640];
};

/* Waits for both punches, has the initiator's node dial through its
 * agent, and waits until both nodes list each other. */
static void punch_and_peer(const struct trials_cfg *cfg, struct btcagent *ag,
			   struct btcnode *node, struct btcrun *b)
{
	int64_t deadline =
		mono_ns() + (int64_t)(cfg->s->timeout_ms + 20000) * 1000000;

	while (mono_ns() < deadline && !*cfg->stop) {
		btcagent_pump(ag, 20);
		if (ag[0].report || ag[1].report)
			return; /* an agent gave up */
		if (!b->added && ag[0].punched && ag[1].punched) {
			b->ini = strcmp(jstr(ag[0].punched, "role"),
					"initiator") != 0;
			if (btcnode_addnode_onetry(
				    &node[b->ini],
				    jstr(ag[b->ini].punched, "addnode")) < 0) {
				snprintf(b->why, sizeof(b->why),
					 "addnode: %s", node[b->ini].rpc_error);
				b->o = OUTCOME_BITCOIND;
				return;
			}
			b->added = 1;
			deadline = mono_ns() + (int64_t)PEER_WAIT_MS * 1000000;
		}
		if (b->added && ag[0].spliced && ag[1].spliced &&
		    btcnodes_sees(&node[0], jstr(ag[0].spliced, "node_addr"),
				  b->seen[0]) &&
		    btcnodes_sees(&node[1], jstr(ag[1].spliced, "node_addr"),
				  b->seen[1])) {
			b->peered = 1;
			b->t_peered = mono_ns();
			return;
		}
	}
}

/* A block mined on the initiator's node must reach the responder's. */
static void relay_block(struct btcnode *node, struct btcrun *b)
{
	if (!b->peered) {
		if (b->o == OUTCOME_OK && b->added) {
			snprintf(b->why, sizeof(b->why),
				 "punched, but the nodes did not list each "
				 "other within %d ms",
				 PEER_WAIT_MS);
			b->o = OUTCOME_BITCOIND;
		}
		return;
	}
	if (btcnode_mine(&node[b->ini], 1, b->hash) < 0 ||
	    btcnode_wait_block(&node[!b->ini], b->hash,
			       mono_ns() + (int64_t)BLOCK_WAIT_MS * 1000000,
			       &b->t_block) < 0) {
		snprintf(b->why, sizeof(b->why), "block %s not relayed: %s",
			 b->hash, node[!b->ini].rpc_error);
		b->o = OUTCOME_BITCOIND;
	}
}

static json_t *take(json_t **j, json_t *none)
{
	json_t *v = *j ? *j : none;

	*j = NULL;
	return v;
}

/* The trial's fields of rec; the agents' reports and events move there. */
static void record(json_t *rec, struct btcagent *ag, struct btcrun *b)
{
	json_t *t0 = ag[0].report ? json_object_get(ag[0].report,
						     "t_start_ns") :
				     NULL;

	json_object_set_new(rec, "outcome", json_string(outcome_name(b->o)));
	json_object_set_new(rec, "error", b->why[0] ? json_string(b->why) :
						      json_null());
	json_object_set_new(rec, "initiator",
			    b->ini < 0 ? json_null() :
					 json_string(b->ini ? "bob" : "alice"));
	json_object_set_new(rec, "alice_node", b->seen[0]);
	json_object_set_new(rec, "bob_node", b->seen[1]);
	json_object_set_new(rec, "block", b->hash[0] ? json_string(b->hash) :
						       json_null());
	if (b->t_peered && b->t_block)
		json_object_set_new(
			rec, "block_ms",
			json_real((double)(b->t_block - b->t_peered) / 1e6));
	/* From the punch start to both nodes listing each other. */
	if (b->t_peered && json_is_integer(t0))
		json_object_set_new(
			rec, "peered_ms",
			json_real((double)(b->t_peered -
					   json_integer_value(t0)) /
				  1e6));
	json_object_set_new(rec, "alice", take(&ag[0].report, json_object()));
	json_object_set_new(rec, "bob", take(&ag[1].report, json_object()));
	json_object_set_new(rec, "alice_punched",
			    take(&ag[0].punched, json_null()));
	json_object_set_new(rec, "bob_punched",
			    take(&ag[1].punched, json_null()));
	json_object_set_new(rec, "alice_spliced",
			    take(&ag[0].spliced, json_null()));
	json_object_set_new(rec, "bob_spliced",
			    take(&ag[1].spliced, json_null()));
}

enum outcome_code btctrial_run(const struct trials_cfg *cfg, int cell,
			       int trial, struct btcnode *node, json_t *rec,
			       struct btcagent *kept)
{
	struct btcagent *ag = kept ? kept : calloc(2, sizeof(*ag));
	struct btcrun b = { .o = OUTCOME_OK, .ini = -1 };

	if (!ag)
		return OUTCOME_SETUP;
	if (btcagent_start(cfg, cell, trial, 0, &ag[0]) < 0 ||
	    btcagent_start(cfg, cell, trial, 1, &ag[1]) < 0) {
		btcagent_finish(cfg, ag);
		if (!kept)
			free(ag);
		return OUTCOME_SETUP;
	}
	b.seen[0] = json_object();
	b.seen[1] = json_object();
	punch_and_peer(cfg, ag, node, &b);
	relay_block(node, &b);
	/* Star: the punched connections stay up for the spread test. */
	if (!kept || b.o != OUTCOME_OK || !b.peered)
		btcagent_finish(cfg, ag);
	if (!b.added && b.o == OUTCOME_OK) {
		/* The punch itself failed: the agents say why. */
		b.o = outcome_combine(
			outcome_parse(jstr(ag[0].report, "outcome")),
			outcome_parse(jstr(ag[1].report, "outcome")));
		if (b.o == OUTCOME_OK)
			b.o = OUTCOME_TIMEOUT;
	}
	record(rec, ag, &b);
	if (!kept)
		free(ag);
	return b.o;
}
