/* report: the agent's JSON lines on stdout — the final report of a trial
 * or a --connect check, in the bitcoind modes the "punched" event that
 * tells the harness to make bitcoind connect, and out of band the
 * "endpoint" event the harness relays to the peer. */
#ifndef PUNCHLAB_AGENT_REPORT_H
#define PUNCHLAB_AGENT_REPORT_H

#include <jansson.h>

#include "bridge.h"
#include "exec.h"
#include "fdpass.h"
#include "nodecheck.h"
#include "trial.h"

/* The trial report; node is "embedded", "bitcoind" or "bitcoind-import",
 * "mode" comes from r; "auth" is "off", "ok", "failed" or null (a secret
 * was given, the trial ended before the hpauth exchange). NULL on allocation failure. */
json_t *report_trial(const char *name, long local_port, const char *node,
		     const struct trial_result *r);
/* Every trial: "strategy", "syns_sent", "rsts", "icmps", "accepted",
 * "syn_budget", "syn_budget_hit", and low-ttl's "hops", "ttl",
 * "ttl_icmp_from", "ttl_icmp" (type/code). j NULL: nothing. */
void report_add_strategy(json_t *j, const struct trial_params *p,
			 const struct trial_result *r);
/* bitcoind mode: bytes_in, bytes_out, t_spliced_ns, relay, relay_end,
 * local, node_addr, socks_refused (b NULL: the punch failed, nothing
 * relayed). */
void report_add_bridge(json_t *j, const struct bridge_result *b);
/* bitcoind-import mode: import_socket, t_imported_ns, import_ack. */
void report_add_import(json_t *j, const char *path, int64_t t_imported_ns,
		       enum fdpass_ack ack);

/* --exec: puncher, verify, stderr, t_exec_ns, t_verified_ns, t_exit_ns,
 * exit_status (null unless it exited by itself), killed. */
void report_add_exec(json_t *j, const char *puncher, int conntrack,
		     const char *stderr_path, const struct exec_result *x);

/* {"event":"punched","name","role","peer","addnode","public",
 * "t_established_ns"}; addnode is the peer as the initiator's bitcoind
 * must be told it ("203.0.113.5.invalid:20001"). */
json_t *report_punched(const char *name, const struct trial_result *r);

/* {"event":"spliced","name","role","local","node_addr","t_spliced_ns"}:
 * the relay starts; node_addr is how the local bitcoind lists this
 * connection in getpeerinfo. */
json_t *report_spliced(const char *name, const struct trial_result *r,
		       const struct bridge_result *b);

/* {"event":"endpoint","name","public","t_ns"}: out of band, our public
 * endpoint as the probe server saw it, for the side channel. */
json_t *report_endpoint(const char *name, const struct p2p_netaddr *pub,
			int64_t t_ns);

json_t *report_check(const struct nodecheck_result *r);

/* Prints j as one compact line and flushes; takes j. 0, -ENOMEM, or -EIO
 * when stdout could not be written. */
int report_print(json_t *j);

#endif
