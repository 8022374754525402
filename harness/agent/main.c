/* punch-agent: one side of a hole-punch trial (Alice or Bob) with an
 * embedded minimal Bitcoin node or in front of a real bitcoind, or
 * (--connect) a handshake check against any node. Prints one JSON report
 * line on stdout (bitcoind modes: "punched" and "spliced" event lines
 * first; --oob: an "endpoint" event line first); logs go to stderr. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "bridge.h"
#include "exec.h"
#include "fdpass.h"
#include "hpauth.h"
#include "log.h"
#include "loop.h"
#include "nodecheck.h"
#include "opts.h"
#include "ownaddrs.h"
#include "pcpmap.h"
#include "report.h"
#include "optparse.h"
#include "serve.h"
#include "sock.h"
#include "trial.h"

#define AGENT_EXIT_OK 0
#define AGENT_EXIT_FAIL 1
#define AGENT_EXIT_USAGE 2

/* How long bitcoind may take to close the import connection (its
 * acknowledgement) before we leave anyway: the fd is sent already. */
#define AGENT_IMPORT_ACK_MS 2000
/* How long --serve waits for its mapping's release (at most
 * --timeout-ms): two or three tries at the 250 ms schedule. */
#define AGENT_UNMAP_MS 1000

/* --pcp: the mapping made before the mode ran, for its final line. */
static struct pcpmap_result agent_pcp;
static int agent_pcp_asked;

/* The mode's final line, with "pcp" when a mapping was asked. */
static int agent_print(json_t *j)
{
	if (agent_pcp_asked)
		pcpmap_report_add(j, &agent_pcp);
	return report_print(j);
}

/* bitcoind mode after the punch: relay until the connection ends. */
static void agent_bridge(const struct opts *o, struct trial_result *r,
			 int socks_fd, const struct sockaddr_storage *p2p,
			 socklen_t p2p_len, struct bridge_result *br)
{
	struct bridge_params bp = {
		.initiator = r->punch.role == COORD_ROLE_INITIATOR,
		.socks_fd = socks_fd,
		.p2p = *p2p,
		.p2p_len = p2p_len,
		.mode = o->relay,
		.dial_deadline_ns =
			mono_ns() + o->timeout_ms * LOOP_NS_PER_MS,
		.hold_deadline_ns =
			r->pr.t_established_ns + o->hold_ms * LOOP_NS_PER_MS,
	};
	struct sockaddr_storage ss;
	int local;

	p2p_netaddr_to_sockaddr(&r->punch.peer, &ss);
	memcpy(&bp.peer, &ss, sizeof(bp.peer));
	local = bridge_connect(&bp, r->pr.fd, br);
	if (local < 0) {
		r->o = br->o;
		return;
	}
	if (report_print(report_spliced(o->name, r, br)))
		log_warnx("cannot write the spliced event");
	if (bridge_relay(&bp, r->pr.fd, local, br))
		r->o = br->o;
}

/* bitcoind-import mode after the punch: hand the socket over. */
static void agent_import(const struct opts *o, struct trial_result *r,
			 int64_t *t_sent_ns, enum fdpass_ack *ack)
{
	int64_t now = mono_ns();
	char what[300];
	int err;

	err = fdpass_send(
		o->import_socket, r->pr.fd,
		r->punch.role == COORD_ROLE_INITIATOR ? FDPASS_ROLE_INITIATOR
						      : FDPASS_ROLE_RESPONDER,
		now + o->timeout_ms * LOOP_NS_PER_MS,
		now + AGENT_IMPORT_ACK_MS * LOOP_NS_PER_MS, ack, t_sent_ns);
	if (err) {
		snprintf(what, sizeof(what), "import socket %s",
			 o->import_socket);
		outcome_errno(&r->o, OUTCOME_SETUP, err, what);
	}
}

/* --oob: the endpoint the harness relays to the peer. */
static void agent_on_endpoint(void *arg, const struct p2p_netaddr *pub,
			      int64_t t_ns)
{
	const struct opts *o = arg;

	if (report_print(report_endpoint(o->name, pub, t_ns)))
		log_warnx("cannot write the endpoint event");
}

/* How the punch is made: the strategy, its parameters, realtime. */
static void agent_strategy(const struct opts *o, struct trial_params *p)
{
	p->realtime = o->realtime;
	p->strategy = o->strategy;
	p->predict_window = o->predict_window;
	p->birthday_sockets = o->birthday_sockets;
	p->birthday_ports = o->birthday_ports;
	p->syn_budget = o->syn_budget;
}

/* The defences into p: the caps, the secret, and the target policy with
 * the namespace's own addresses and the coordinator's (meet: NULL when
 * there is none). 0, or the exit code after a message on stderr. */
static int agent_defences(const struct opts *o, const union addr6 *meet,
			  struct trial_params *p)
{
	static uint8_t secret[HPAUTH_SECRET_LEN];
	static struct targetpolicy tp;
	const void *meet_ip;
	size_t meet_len;
	int err;

	p->max_delay_ms = o->max_delay_ms;
	p->max_punch_ms = o->max_punch_ms;
	p->max_syns = o->max_syns > 0 ? (unsigned)o->max_syns : 0;
	if (o->auth_secret) {
		err = hpauth_secret_read(o->auth_secret, secret);
		if (err) {
			fprintf(stderr, "punch-agent: --auth-secret %s: %s\n",
				o->auth_secret,
				err == -EMSGSIZE ? "want exactly 32 bytes"
						 : strerror(-err));
			return AGENT_EXIT_USAGE;
		}
		p->auth_secret = secret;
		p->start_jitter_ms = o->start_jitter_ms > 0 ? o->start_jitter_ms
							      : 0;
	}
	if (!o->target_policy)
		return 0;
	tp = o->policy;
	/* Fail closed: a policy that does not know our addresses would let
	 * a coordinator aim us at our own services. */
	err = ownaddrs_load(&tp);
	if (err) {
		fprintf(stderr, "punch-agent: --target-policy: our addresses: "
				"%s\n", strerror(-err));
		return AGENT_EXIT_FAIL;
	}
	if (meet) {
		meet_len = addr6_bytes(meet, &meet_ip);
		targetpolicy_set_coord(&tp, meet_ip, meet_len);
	}
	p->policy = &tp;
	return 0;
}

/* --exec: the meeting, then the outside puncher instead of our punch. */
static int agent_exec(const struct opts *o, struct trial_params *p)
{
	static struct trial_result r;
	struct exec_params ep = {
		.tmpl = o->exec,
		.conntrack = o->conntrack,
		.token = o->token,
		.peer_token = o->peer_token,
		.stderr_path = o->exec_stderr,
		.name = o->name,
		.local_port = (uint16_t)o->local_port,
	};
	struct trial_meeting m;
	struct exec_result x;
	json_t *j;
	int err;

	memset(&x, 0, sizeof(x));
	trial_result_init(&r, p->mode);
	err = loop_init();
	if (err) {
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
		goto report;
	}
	/* The meeting's connection stays open while the program runs: it
	 * holds the mapping, so the program binds the port with
	 * SO_REUSEADDR and SO_REUSEPORT, as every hole puncher does. */
	if (trial_meet(p, &m, &r) == 0) {
		ep.deadline_ns = r.t_start_ns + o->timeout_ms * LOOP_NS_PER_MS;
		if (exec_run(&ep, &r, &x, &r.o) == 0) {
			r.o.code = OUTCOME_OK;
			r.o.error[0] = '\0';
		}
		/* Time to connect, as the harness can see it: the peer's
		 * token on our program's stdout. */
		r.pr.t_established_ns = x.t_verified_ns;
	}
	trial_meeting_close(&m);
report:
	j = report_trial(o->name, o->local_port, "embedded", &r);
	if (j)
		report_add_exec(j, o->puncher, o->conntrack, o->exec_stderr,
				&x);
	if (agent_print(j))
		return AGENT_EXIT_FAIL;
	return r.o.code == OUTCOME_OK ? AGENT_EXIT_OK : AGENT_EXIT_FAIL;
}

/* The meeting the options ask for: the coordinator's mode, or none. */
static enum trial_mode agent_mode(const struct opts *o)
{
	if (o->oob)
		return TRIAL_OOB;
	if (o->handoff)
		return TRIAL_HANDOFF;
	if (o->hold)
		return TRIAL_HOLD;
	return o->seek ? TRIAL_SEEK : TRIAL_RENDEZVOUS;
}

/* Whom the meeting is with (the coordinator, or the probe server), and
 * the defences that know it. 0 or the exit code. */
static int agent_meeting(const struct opts *o, struct trial_params *p)
{
	union addr6 probe;

	if (o->oob) {
		if (opts_ipv4_addr("--probe", o->probe, &p->probe))
			return AGENT_EXIT_USAGE;
		addr6_from_sockaddr(&probe, (struct sockaddr *)&p->probe);
		return agent_defences(o, &probe, p);
	}
	if (opts_endpoint("--coordinator", o->coordinator, &p->coord))
		return AGENT_EXIT_USAGE;
	p->family = p->coord.sa.sa_family;
	return agent_defences(o, &p->coord, p);
}

static int agent_trial(const struct opts *o)
{
	struct trial_params p = {
		.mode = agent_mode(o),
		.side_fd = STDIN_FILENO,
		.on_endpoint = agent_on_endpoint,
		.arg = (void *)o,
		.local_port = (uint16_t)o->local_port,
		.key = o->key,
		.magic = o->magic,
		.timeout_ms = o->timeout_ms,
		.wave_ms = o->wave_ms,
		.skew_ms = o->skew_ms,
		.match_ms = o->match_ms,
		.keep_fd = o->node != OPTS_NODE_EMBEDDED,
	};
	static struct trial_result r; /* syn_ns makes it large */
	struct bridge_result br;
	struct sockaddr_storage p2p;
	struct sockaddr_in socks;
	socklen_t p2p_len = 0;
	enum fdpass_ack ack = FDPASS_ACK_NONE;
	int64_t t_imported = 0;
	int err, socks_fd = -1;
	json_t *j;

	err = agent_meeting(o, &p);
	if (err)
		return err;
	if (o->exec)
		return agent_exec(o, &p);
	if (o->node == OPTS_NODE_BITCOIND &&
	    (opts_ipv4_addr("--socks", o->socks, &socks) ||
	     opts_p2p_addr(o->bitcoind_p2p, &p2p, &p2p_len)))
		return AGENT_EXIT_USAGE;
	agent_strategy(o, &p);
	memset(&br, 0, sizeof(br));
	trial_result_init(&r, p.mode);
	err = loop_init();
	if (err) {
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
		goto report;
	}
	/* The proxy port is taken before the punch: bitcoind is told it
	 * before the agent starts, and a conflict is a setup error. */
	if (o->node == OPTS_NODE_BITCOIND) {
		socks_fd = bridge_listen(&socks);
		if (socks_fd < 0) {
			outcome_errno(&r.o, OUTCOME_SETUP, socks_fd,
				      "SOCKS5 listener");
			goto report;
		}
	}
	if (trial_run(&p, &r) || o->node == OPTS_NODE_EMBEDDED)
		goto report;
	if (report_print(report_punched(o->name, &r)))
		log_warnx("cannot write the punched event");
	if (o->node == OPTS_NODE_BITCOIND) {
		agent_bridge(o, &r, socks_fd, &p2p, p2p_len, &br);
		socks_fd = -1; /* closed by the bridge */
	} else {
		agent_import(o, &r, &t_imported, &ack);
	}
report:
	if (socks_fd >= 0)
		close(socks_fd);
	if (r.pr.fd >= 0)
		close(r.pr.fd);
	j = report_trial(o->name, o->local_port, opts_node_name(o->node), &r);
	report_add_strategy(j, &p, &r);
	if (j && o->node == OPTS_NODE_BITCOIND)
		report_add_bridge(j, &br);
	if (j && o->node == OPTS_NODE_IMPORT)
		report_add_import(j, o->import_socket, t_imported, ack);
	if (agent_print(j))
		return AGENT_EXIT_FAIL;
	return r.o.code == OUTCOME_OK ? AGENT_EXIT_OK : AGENT_EXIT_FAIL;
}

/* --connect with --local-port: our own punch and handshake, with the
 * peer, role, nonce and start an outside puncher's placeholders give. */
static int agent_given(const struct opts *o)
{
	struct trial_params p = {
		.mode = TRIAL_GIVEN,
		.local_port = (uint16_t)o->local_port,
		.magic = o->magic,
		.timeout_ms = o->timeout_ms,
		.wave_ms = o->wave_ms,
		.given_start_ns = o->start_mono_ns,
	};
	static struct trial_result r;
	union addr6 peer;
	json_t *j;
	int err;

	if (opts_endpoint("--connect", o->connect, &peer))
		return AGENT_EXIT_USAGE;
	p.family = peer.sa.sa_family;
	err = agent_defences(o, NULL, &p);
	if (err)
		return err;
	p2p_netaddr_from_sockaddr(&p.given.peer, &peer.sa);
	p.given.role = o->role_responder ? COORD_ROLE_RESPONDER
					 : COORD_ROLE_INITIATOR;
	p.given.nonce = o->nonce;
	trial_result_init(&r, TRIAL_GIVEN);
	err = loop_init();
	if (err)
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
	else
		trial_run(&p, &r);
	j = report_trial(o->name, o->local_port, "embedded", &r);
	report_add_strategy(j, &p, &r);
	if (agent_print(j))
		return AGENT_EXIT_FAIL;
	return r.o.code == OUTCOME_OK ? AGENT_EXIT_OK : AGENT_EXIT_FAIL;
}

static int agent_connect(const struct opts *o)
{
	struct nodecheck_result r;
	char host[256];
	uint16_t port;
	int err;

	if (optparse_split(o->connect, OPTPARSE_V4 | OPTPARSE_V6, host,
			   sizeof(host), &port)) {
		fprintf(stderr,
			"punch-agent: --connect '%s': want HOST:PORT "
			"or [IPv6]:PORT\n",
			o->connect);
		return AGENT_EXIT_USAGE;
	}
	err = loop_init();
	if (err) {
		memset(&r, 0, sizeof(r));
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
	} else {
		nodecheck_run(host, port, o->magic, o->timeout_ms, &r);
	}
	if (report_print(report_check(&r)))
		return AGENT_EXIT_FAIL;
	return r.o.code == OUTCOME_OK ? AGENT_EXIT_OK : AGENT_EXIT_FAIL;
}

/* The --serve line, and any mode's when --pcp failed before it ran: the
 * check's fields, "mode": "serve" (--serve only), our name and port. */
static int agent_serve_print(const struct opts *o,
			     const struct nodecheck_result *r)
{
	json_t *j = report_check(r);

	if (j) {
		if (o->serve)
			json_object_set_new(j, "mode", json_string("serve"));
		json_object_set_new(j, "name", o->name ? json_string(o->name)
						       : json_null());
		json_object_set_new(j, "local_port",
				    json_integer(o->local_port));
	}
	if (agent_print(j))
		return AGENT_EXIT_FAIL;
	return r->o.code == OUTCOME_OK ? AGENT_EXIT_OK : AGENT_EXIT_FAIL;
}

/* --pcp, before the mode: map --local-port within --timeout-ms. 0 when
 * mapped; else the failure line (outcome pcp) is printed and the exit
 * code returned. */
static int agent_map(const struct opts *o)
{
	struct pcpmap_params p = {
		.gateway = o->pcp_gateway,
		.proto = o->pcp_proto,
		.internal_port = (uint16_t)o->local_port,
		.lifetime = (uint32_t)o->pcp_lifetime,
		.deadline_ns = mono_ns() + o->timeout_ms * LOOP_NS_PER_MS,
	};
	struct nodecheck_result r;
	int err;

	memset(&r, 0, sizeof(r));
	agent_pcp_asked = 1;
	err = loop_init();
	if (!err)
		err = pcpmap_run(&p, &agent_pcp);
	if (!err)
		return 0;
	if (err == -EINTR)
		outcome_set(&r.o, OUTCOME_TIMEOUT, "terminated");
	else if (!agent_pcp.why[0])
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
	else
		outcome_set(&r.o, OUTCOME_PCP, "%s", agent_pcp.why);
	agent_serve_print(o, &r);
	return AGENT_EXIT_FAIL;
}

/* After --serve: the mapping is not needed any more (a node would keep
 * it; a trial must not leave it to pile up in the router). */
static void agent_unmap(const struct opts *o)
{
	int64_t ms = o->timeout_ms < AGENT_UNMAP_MS ? o->timeout_ms
						   : AGENT_UNMAP_MS;
	struct pcpmap_params p = {
		.gateway = o->pcp_gateway,
		.internal_port = (uint16_t)o->local_port,
		.deadline_ns = mono_ns() + ms * LOOP_NS_PER_MS,
	};

	pcpmap_release(&p, &agent_pcp);
}

/* --serve: listen (after the mapping), say where, take one peer. */
static int agent_serve(const struct opts *o)
{
	static struct nodecheck_result r;
	int err, lfd[2] = {-1, -1};

	err = loop_init();
	if (err)
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
	if (!err)
		err = serve_listen((uint16_t)o->local_port, lfd, &r);
	if (err) {
		/* a mapping made for a listener that never came is not
		 * left to live out its lifetime in the router either */
		if (agent_pcp_asked)
			agent_unmap(o);
		return agent_serve_print(o, &r);
	}
	if (agent_pcp_asked &&
	    report_print(pcpmap_event(o->name, &agent_pcp)))
		log_warnx("cannot write the mapped event");
	serve_accept(lfd, o->magic, mono_ns() + o->timeout_ms * LOOP_NS_PER_MS,
		     &r);
	close(lfd[0]);
	close(lfd[1]);
	if (agent_pcp_asked)
		agent_unmap(o);
	return agent_serve_print(o, &r);
}

int main(int argc, char **argv)
{
	struct opts o;
	char tag[96];
	int r;

	r = opts_parse(argc, argv, &o);
	if (r > 0) {
		opts_usage(stdout);
		return AGENT_EXIT_OK;
	}
	if (r < 0) {
		opts_usage(stderr);
		return AGENT_EXIT_USAGE;
	}
	snprintf(tag, sizeof(tag), "agent %s", o.name ? o.name : "");
	log_init(o.name ? tag : "agent", o.verbose);
	if (o.pcp && (r = agent_map(&o)) != 0)
		return r;
	if (o.serve)
		return agent_serve(&o);
	if (o.connect && o.local_port)
		return agent_given(&o);
	if (o.connect)
		return agent_connect(&o);
	return agent_trial(&o);
}
