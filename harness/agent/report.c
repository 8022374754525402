/* report: JSON building. Absent values are null rather than missing, so
 * every line of one kind has the same keys. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cellcond.h"
#include "report.h"
#include "socks5.h"
#include "strategy.h"

static json_t *report_ns(int64_t ns)
{
	return ns ? json_integer(ns) : json_null();
}

static json_t *report_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *report_role(const struct trial_result *r)
{
	if (!r->matched)
		return NULL;
	return r->punch.role == COORD_ROLE_INITIATOR ? "initiator"
						     : "responder";
}

json_t *report_trial(const char *name, long local_port, const char *node,
		     const struct trial_result *r)
{
	const struct coord_punch *pu = &r->punch;
	/* Out of band there is no coordinator: no delay, no RTT to it. */
	int coord = r->matched && r->mode != TRIAL_OOB;
	char buf[64];
	json_t *j, *syn;
	unsigned i;

	j = json_object();
	syn = json_array();
	if (!j || !syn) {
		json_decref(j);
		json_decref(syn);
		return NULL;
	}
	for (i = 0; i < r->pr.n_syn; i++)
		json_array_append_new(syn, json_integer(r->pr.syn_ns[i]));

	json_object_set_new(j, "name", report_str(name));
	json_object_set_new(j, "node", json_string(node));
	json_object_set_new(j, "mode", json_string(trial_mode_name(r->mode)));
	json_object_set_new(j, "outcome", json_string(outcome_name(r->o.code)));
	json_object_set_new(j, "error",
			    report_str(r->o.error[0] ? r->o.error : NULL));
	json_object_set_new(j, "role", report_str(report_role(r)));
	json_object_set_new(j, "attempts", json_integer(r->pr.attempts));
	json_object_set_new(j, "local_port", json_integer(local_port));
	json_object_set_new(j, "public",
			    report_str(r->have_public
					       ? p2p_netaddr_str(&pu->self, buf,
								 sizeof(buf))
					       : NULL));
	json_object_set_new(j, "peer",
			    report_str(r->matched
					       ? p2p_netaddr_str(&pu->peer, buf,
								 sizeof(buf))
					       : NULL));
	snprintf(buf, sizeof(buf), "%016" PRIx64, pu->nonce);
	json_object_set_new(j, "nonce", report_str(r->matched ? buf : NULL));
	json_object_set_new(j, "delay_ms",
			    coord ? json_integer(pu->delay_ms) : json_null());
	json_object_set_new(j, "rtt_coord_us",
			    coord ? json_integer(pu->rtt_us) : json_null());
	json_object_set_new(j, "t_register_ns", report_ns(r->t_register_ns));
	json_object_set_new(j, "t_match_ns", report_ns(r->t_match_ns));
	json_object_set_new(j, "t_start_ns", report_ns(r->t_start_ns));
	json_object_set_new(j, "t_established_ns",
			    report_ns(r->pr.t_established_ns));
	json_object_set_new(j, "t_handshake_ns", report_ns(r->t_handshake_ns));
	json_object_set_new(j, "t_punch_ns", report_ns(r->pr.t_punch_ns));
	json_object_set_new(j, "rt", json_string(rt_state_name(r->rt)));
	json_object_set_new(j, "syn_ns", syn);
	json_object_set_new(j, "syn_retrans",
			    r->pr.syn_retrans >= 0
				    ? json_integer(r->pr.syn_retrans)
				    : json_null());
	json_object_set_new(j, "peer_user_agent",
			    report_str(r->have_peer_ua ? r->peer_ua : NULL));
	/* null: a secret, but the trial ended before the exchange. */
	json_object_set_new(j, "auth", report_str(peerauth_state_name(r->auth)));
	/* --start-jitter-ms: what this trial added to the scheduled start
	 * (absent without it, or when the trial never met) */
	if (r->start_jitter_ms >= 0)
		json_object_set_new(j, "start_jitter_ms",
				    json_integer(r->start_jitter_ms));
	return j;
}

static json_t *report_port(unsigned port)
{
	return port ? json_integer(port) : json_null();
}

/* predict and birthday: the coordinator's deltas and prediction, and
 * the port the kept connection really reached. */
static void report_add_ports(json_t *j, const struct trial_params *p,
			     const struct trial_result *r)
{
	const struct coord_punch *pu = &r->punch;
	int have = r->matched && pu->predict;

	json_object_set_new(j, "self_delta",
			    have ? json_integer(pu->self_delta) : json_null());
	json_object_set_new(j, "peer_delta",
			    have ? json_integer(pu->peer_delta) : json_null());
	json_object_set_new(j, "predict_port",
			    report_port(have ? pu->peer_next : 0));
	json_object_set_new(j, "peer_port", report_port(r->peer_port));
	if (p->strategy != CELLCOND_BIRTHDAY)
		return;
	json_object_set_new(
		j, "birthday_role",
		report_str(r->birthday == STRATEGY_BIRTHDAY_OPEN    ? "open"
			   : r->birthday == STRATEGY_BIRTHDAY_SPRAY ? "spray"
								    : NULL));
	/* connect() calls: the opener's sockets, the sprayer's SYNs. */
	json_object_set_new(j, "sockets_opened", json_integer(r->pr.n_syn));
}

void report_add_strategy(json_t *j, const struct trial_params *p,
			 const struct trial_result *r)
{
	const struct punch_result *pr = &r->pr;
	char ip[INET6_ADDRSTRLEN], icmp[16];
	int low = p->strategy == CELLCOND_LOW_TTL;

	if (!j)
		return;
	json_object_set_new(j, "strategy",
			    json_string(cellcond_strategies[p->strategy]));
	json_object_set_new(j, "syns_sent", json_integer(pr->syns));
	json_object_set_new(j, "rsts", json_integer(pr->rsts));
	json_object_set_new(j, "icmps", json_integer(pr->icmps));
	json_object_set_new(j, "accepts", json_integer(pr->accepts));
	json_object_set_new(j, "accepted", json_boolean(pr->accepted));
	json_object_set_new(j, "syn_budget",
			    p->syn_budget ? json_integer(p->syn_budget)
					  : json_null());
	json_object_set_new(j, "syn_budget_hit", json_boolean(pr->budget_hit));
	if (p->strategy == CELLCOND_PREDICT || p->strategy == CELLCOND_BIRTHDAY)
		report_add_ports(j, p, r);
	if (!low)
		return;
	if (pr->icmp_from.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &pr->icmp_from.sin6.sin6_addr, ip,
			  sizeof(ip));
	else
		inet_ntop(AF_INET, &pr->icmp_from.sin.sin_addr, ip, sizeof(ip));
	snprintf(icmp, sizeof(icmp), "%u/%u", pr->icmp_type, pr->icmp_code);
	json_object_set_new(j, "hops",
			    r->matched ? json_integer(r->punch.hops)
				       : json_null());
	json_object_set_new(j, "ttl", r->ttl ? json_integer(r->ttl)
					      : json_null());
	json_object_set_new(j, "ttl_icmp_from",
			    report_str(pr->have_icmp ? ip : NULL));
	json_object_set_new(j, "ttl_icmp",
			    report_str(pr->have_icmp ? icmp : NULL));
	json_object_set_new(j, "t_ttl_icmp_ns", report_ns(pr->t_probe_err_ns));
	json_object_set_new(j, "ttl_probes", json_integer(pr->probes));
}

void report_add_bridge(json_t *j, const struct bridge_result *b)
{
	int started = b && b->t_spliced_ns;

	json_object_set_new(j, "bytes_in",
			    json_integer(b ? (json_int_t)b->rr.bytes_in : 0));
	json_object_set_new(j, "bytes_out",
			    json_integer(b ? (json_int_t)b->rr.bytes_out : 0));
	json_object_set_new(j, "t_spliced_ns",
			    report_ns(b ? b->t_spliced_ns : 0));
	json_object_set_new(j, "relay",
			    report_str(!started	      ? NULL
				       : b->rr.copied ? "copy"
						      : "splice"));
	json_object_set_new(
		j, "relay_end",
		report_str(started ? relay_end_name(b->rr.end) : NULL));
	json_object_set_new(j, "local",
			    report_str(b && b->local[0] ? b->local : NULL));
	json_object_set_new(
		j, "node_addr",
		report_str(b && b->node_addr[0] ? b->node_addr : NULL));
	json_object_set_new(j, "socks_refused",
			    json_integer(b ? b->socks_refused : 0));
}

void report_add_import(json_t *j, const char *path, int64_t t_imported_ns,
		       enum fdpass_ack ack)
{
	json_object_set_new(j, "import_socket", json_string(path));
	json_object_set_new(j, "t_imported_ns", report_ns(t_imported_ns));
	json_object_set_new(
		j, "import_ack",
		report_str(t_imported_ns ? fdpass_ack_name(ack) : NULL));
}

void report_add_exec(json_t *j, const char *puncher, int conntrack,
		     const char *stderr_path, const struct exec_result *x)
{
	int exited = x->t_exit_ns && WIFEXITED(x->status);

	json_object_set_new(j, "puncher", report_str(puncher));
	json_object_set_new(j, "verify",
			    json_string(conntrack ? "conntrack" : "token"));
	json_object_set_new(j, "stderr", report_str(stderr_path));
	json_object_set_new(j, "program_started", json_boolean(x->started));
	json_object_set_new(j, "t_exec_ns", report_ns(x->t_exec_ns));
	json_object_set_new(j, "t_verified_ns", report_ns(x->t_verified_ns));
	json_object_set_new(j, "t_exit_ns", report_ns(x->t_exit_ns));
	json_object_set_new(j, "exit_status",
			    exited ? json_integer(WEXITSTATUS(x->status))
				   : json_null());
	json_object_set_new(j, "killed", json_boolean(x->killed));
}

json_t *report_punched(const char *name, const struct trial_result *r)
{
	char peer[64], pub[64], addnode[96];
	struct sockaddr_storage ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	char ip[INET_ADDRSTRLEN] = "?";

	memset(&ss, 0, sizeof(ss));
	/* What the harness gives `bitcoin-cli addnode ... onetry` on the
	 * initiator: a name, so that bitcoind uses its -proxy even for the
	 * non-routable ranges (see socks5.h). */
	if (p2p_netaddr_to_sockaddr(&r->punch.peer, &ss) == sizeof(*sin))
		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	snprintf(addnode, sizeof(addnode), "%s%s:%u", ip, SOCKS5_NAME_SUFFIX,
		 ntohs(sin->sin_port));
	return json_pack(
		"{s:s, s:o, s:s, s:s, s:s, s:s, s:I}", "event", "punched",
		"name", report_str(name), "role", report_role(r), "peer",
		p2p_netaddr_str(&r->punch.peer, peer, sizeof(peer)), "addnode",
		addnode, "public",
		p2p_netaddr_str(&r->punch.self, pub, sizeof(pub)),
		"t_established_ns", (json_int_t)r->pr.t_established_ns);
}

json_t *report_endpoint(const char *name, const struct p2p_netaddr *pub,
			int64_t t_ns)
{
	char buf[64];

	return json_pack("{s:s, s:o, s:s, s:I}", "event", "endpoint", "name",
			 report_str(name), "public",
			 p2p_netaddr_str(pub, buf, sizeof(buf)), "t_ns",
			 (json_int_t)t_ns);
}

json_t *report_spliced(const char *name, const struct trial_result *r,
		       const struct bridge_result *b)
{
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:I}", "event", "spliced",
			 "name", report_str(name), "role", report_role(r),
			 "local", b->local, "node_addr", b->node_addr,
			 "t_spliced_ns", (json_int_t)b->t_spliced_ns);
}

json_t *report_check(const struct nodecheck_result *r)
{
	const struct p2p_version *v = &r->np.version;
	char svc[24];
	json_t *j;

	j = json_object();
	if (!j)
		return NULL;
	snprintf(svc, sizeof(svc), "0x%" PRIx64, v->services);
	json_object_set_new(j, "outcome", json_string(outcome_name(r->o.code)));
	json_object_set_new(j, "error",
			    report_str(r->o.error[0] ? r->o.error : NULL));
	json_object_set_new(j, "peer", report_str(r->peer[0] ? r->peer : NULL));
	json_object_set_new(j, "peer_version",
			    r->have_version ? json_integer(v->version)
					    : json_null());
	json_object_set_new(j, "peer_services",
			    report_str(r->have_version ? svc : NULL));
	json_object_set_new(j, "peer_user_agent",
			    report_str(r->have_version ? v->user_agent : NULL));
	json_object_set_new(j, "peer_start_height",
			    r->have_version ? json_integer(v->start_height)
					    : json_null());
	json_object_set_new(j, "t_established_ns",
			    report_ns(r->t_established_ns));
	json_object_set_new(j, "t_handshake_ns",
			    report_ns(r->np.t_handshake_ns));
	return j;
}

int report_print(json_t *j)
{
	char *s;
	int r = 0;

	if (!j)
		return -ENOMEM;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return -ENOMEM;
	if (printf("%s\n", s) < 0 || fflush(stdout))
		r = -EIO;
	free(s);
	return r;
}
