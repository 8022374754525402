/* trial: the steps of one trial in order. Each step fills its part of the
 * result, so a failed trial still reports how far it got. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cellcond.h"
#include "monoclock.h"
#include "coordclient.h"
#include "log.h"
#include "loop.h"
#include "msgio.h"
#include "node.h"
#include "sidechan.h"
#include "sock.h"
#include "startjitter.h"
#include "strategy.h"
#include "trial.h"

const char *trial_mode_name(enum trial_mode m)
{
	switch (m) {
	case TRIAL_HANDOFF:
		return "handoff";
	case TRIAL_OOB:
		return "out-of-band";
	case TRIAL_GIVEN:
		return "given";
	case TRIAL_HOLD:
	case TRIAL_SEEK:
		return "advertised";
	case TRIAL_RENDEZVOUS:
	default:
		return "rendezvous";
	}
}

/* The punched socket must lead to the endpoint the coordinator announced;
 * anything else is a wrong peer however well it talks. With any_port (a
 * connection through the listener, or to a predicted port) only the
 * address must match: a symmetric NAT gives the peer another port than
 * the one announced, and the nonce of the handshake proves the peer. */
static int trial_check_peername(int fd, const union addr6 *want,
				int any_port, struct outcome *o)
{
	union addr6 got;
	socklen_t len = sizeof(got);
	char a[64], b[64];

	if (getpeername(fd, &got.sa, &len) < 0)
		return outcome_errno(o, OUTCOME_WRONG_PEER, -errno,
				     "getpeername");
	if (!addr6_same(&got, want, any_port))
		return outcome_set(o, OUTCOME_WRONG_PEER,
				   "connected to %s, announced %s",
				   sock_str(&got.sa, a, sizeof(a)),
				   sock_str(&want->sa, b, sizeof(b)));
	return 0;
}

/* --auth-secret: the hpauth exchange on the handshaken connection; any
 * failure means the far end is not the peer we share the secret with. */
static int trial_auth(const struct trial_params *p, struct msgio *m,
		      const struct node_params *np,
		      const struct node_peer *peer, int64_t deadline_ns,
		      struct trial_result *r)
{
	struct hpauth_input in = {
		.role = r->punch.role,
		.session_nonce = r->punch.nonce,
		.own_nonce = np->nonce,
		.peer_nonce = peer->version.nonce,
	};
	char why[160];
	int err;

	err = peerauth_run(m, p->auth_secret, &in, deadline_ns, why,
			   sizeof(why));
	r->auth = err ? PEERAUTH_FAILED : PEERAUTH_OK;
	if (err == -EINTR)
		return outcome_errno(&r->o, OUTCOME_TIMEOUT, err, "auth");
	if (err == -EACCES)
		return outcome_set(&r->o, OUTCOME_WRONG_PEER, "auth: %s", why);
	if (err)
		return outcome_set(&r->o, OUTCOME_WRONG_PEER, "auth: %s: %s",
				   why, outcome_errstr(err));
	return 0;
}

static int trial_handshake(const struct trial_params *p, int fd,
			   int64_t deadline_ns, struct trial_result *r)
{
	const struct coord_punch *pu = &r->punch;
	struct node_params np = {
		.check = 1,
		.features = 1,
		.peer = pu->peer,
	};
	struct node_peer peer;
	struct msgio *m;
	char why[160], what[200];
	int err;

	/* The responder answers with nonce + 1 so that the initiator, too,
	 * knows it reached the announced peer and not an echo of itself. */
	if (pu->role == COORD_ROLE_INITIATOR) {
		np.role = NODE_OUTBOUND;
		np.nonce = pu->nonce;
		np.check_nonce = pu->nonce + 1;
	} else {
		np.role = NODE_INBOUND;
		np.nonce = pu->nonce + 1;
		np.check_nonce = pu->nonce;
	}
	m = msgio_new(fd, p->magic, NODE_MAX_PAYLOAD);
	if (!m)
		return outcome_errno(&r->o, OUTCOME_SETUP, -errno, "msgio");
	err = node_handshake(m, &np, &peer, deadline_ns, why, sizeof(why));
	if (peer.version.user_agent[0] || !err) {
		r->have_peer_ua = 1;
		snprintf(r->peer_ua, sizeof(r->peer_ua), "%s",
			 peer.version.user_agent);
	}
	if (!err) {
		r->t_handshake_ns = peer.t_handshake_ns;
		if (p->auth_secret)
			err = trial_auth(p, m, &np, &peer, deadline_ns, r);
		msgio_free(m);
		return err;
	}
	msgio_free(m);
	snprintf(what, sizeof(what), "handshake: %s", why);
	if (err == -EPROTO)
		return outcome_set(&r->o, OUTCOME_WRONG_PEER, "%s", what);
	return outcome_errno(&r->o, outcome_from_peer_errno(err), err, what);
}

static void trial_strategy(const struct trial_params *p,
			   struct trial_result *r, struct punch_params *pp)
{
	struct strategy_opts so = {
		.strategy = p->strategy,
		.predict_window = p->predict_window,
		.birthday_sockets = p->birthday_sockets,
		.birthday_ports = p->birthday_ports,
		.syn_budget = p->syn_budget,
	};
	struct strategy_choice ch;

	/* --max-syns tightens --syn-budget; either alone is the cap. */
	if (p->max_syns && (!so.syn_budget || p->max_syns < so.syn_budget))
		so.syn_budget = p->max_syns;

	strategy_params(&so, &r->punch, pp, &ch);
	r->ttl = ch.ttl;
	r->birthday = ch.birthday;
}

/* Realtime from the meeting on: the coordinator's hppunch is read, the
 * start time met and the first SYN sent as soon as each is due, whatever
 * else the machine runs. RLIMIT_RTTIME: an agent that ran 50 ms without
 * blocking has a bug; SIGXCPU sends it back to the normal scheduler. */
#define TRIAL_RTTIME_MS 50

static void trial_rt_enter(const struct trial_params *p,
			   struct trial_result *r)
{
	int e;

	if (!p->realtime)
		return;
	r->rt = rt_enter(RT_PRIO_AGENT, TRIAL_RTTIME_MS, &e);
	if (r->rt == RT_FIFO)
		loop_spin(LOOP_SPIN_NS);
	else
		log_debug("realtime refused: %s", strerror(-e));
}

static void trial_rt_leave(struct trial_result *r)
{
	if (r->rt != RT_FIFO)
		return;
	loop_spin(0);
	rt_leave(); /* r->rt stays: it is what the trial's timing had */
	if (rt_demoted())
		r->rt = RT_DEMOTED;
}

/* Steps 3-5 from r->t_start_ns on: wait for the start, punch, handshake
 * (or, with keep_fd, keep the socket for bitcoind). */
static int trial_punch(const struct trial_params *p, struct trial_result *r)
{
	struct punch_params pp = {
		.local_port = p->local_port,
		.wave_ns = p->wave_ms * LOOP_NS_PER_MS,
	};
	int fam = p->family == AF_INET6 ? AF_INET6 : AF_INET;
	int64_t deadline;
	char peer[64];
	int err;

	/* Our punch socket is of the meeting's family: a peer of the other
	 * family cannot be reached from it (no coordinator of ours pairs
	 * such). */
	addr6_from_netaddr(&pp.peer, &r->punch.peer);
	if (pp.peer.sa.sa_family != fam)
		return outcome_set(
			&r->o, OUTCOME_COORDINATOR,
			"peer endpoint %s is not IPv%c",
			p2p_netaddr_str(&r->punch.peer, peer, sizeof(peer)),
			fam == AF_INET6 ? '6' : '4');

	deadline = r->t_start_ns + p->timeout_ms * LOOP_NS_PER_MS;
	if (p->max_punch_ms >= 0 &&
	    r->t_match_ns + p->max_punch_ms * LOOP_NS_PER_MS < deadline)
		deadline = r->t_match_ns + p->max_punch_ms * LOOP_NS_PER_MS;
	pp.t_start_ns = r->t_start_ns;
	pp.deadline_ns = deadline;

	log_debug("punching %s as %s",
		  p2p_netaddr_str(&r->punch.peer, peer, sizeof(peer)),
		  r->punch.role == COORD_ROLE_INITIATOR ? "initiator"
							: "responder");
#ifdef PUNCH_FAULT_PERCENT
	/* Only in builds made with `make FAULT_PERCENT=N` (bench/gate.sh):
	 * the initiator gives up on N% of punches, so that the regression
	 * gate can be shown to catch a drop in success. */
	if (r->punch.role == COORD_ROLE_INITIATOR &&
	    (uint64_t)(r->punch.nonce % 100) < PUNCH_FAULT_PERCENT) {
		loop_sleep_until(deadline);
		return outcome_set(&r->o, OUTCOME_TIMEOUT,
				   "fault injected by this test build");
	}
#endif
	trial_strategy(p, r, &pp);
	err = punch_run(&pp, &r->pr, &r->o);
	/* Connected (or given up): what follows is no measurement. */
	trial_rt_leave(r);
	if (err)
		return -1;
	r->peer_port = sock_peer_port(r->pr.fd);
	err = trial_check_peername(r->pr.fd, &pp.peer,
				   r->pr.accepted || pp.nports, &r->o);
	if (!err && p->keep_fd)
		return 0;
	if (!err)
		err = trial_handshake(p, r->pr.fd, deadline, r);
	close(r->pr.fd);
	r->pr.fd = -1;
	return err;
}

/* Rendezvous, handoff and advertised: the coordinator's hppunch. The start is its
 * delay after the match. */
static int trial_meet_coordinator(const struct trial_params *p,
				  struct coordclient *cc,
				  struct trial_result *r, int64_t *start_ns)
{
	int64_t now = mono_ns();
	struct coordclient_params cp = {
		.coord = p->coord,
		.local_port = p->local_port,
		.magic = p->magic,
		.key = p->key,
		.handoff = p->mode == TRIAL_HANDOFF,
		.hold = p->mode == TRIAL_HOLD,
		.seek = p->mode == TRIAL_SEEK,
		.ext = p->strategy != CELLCOND_CONNECT,
		/* birthday, too, learns from the deltas who opens. */
		.predict = p->strategy == CELLCOND_PREDICT ||
			   p->strategy == CELLCOND_BIRTHDAY,
		.setup_deadline_ns = now + p->timeout_ms * LOOP_NS_PER_MS,
		.match_deadline_ns = now + p->match_ms * LOOP_NS_PER_MS,
	};
	int err;

	if (cp.match_deadline_ns < cp.setup_deadline_ns)
		cp.match_deadline_ns = cp.setup_deadline_ns;
	err = coordclient_run(&cp, cc, &r->o);
	r->t_register_ns = cc->t_register_ns;
	if (err)
		return err;
	r->matched = r->have_public = 1;
	r->t_match_ns = cc->t_match_ns;
	r->punch = cc->punch;
	*start_ns = r->t_match_ns + (int64_t)r->punch.delay_ms * LOOP_NS_PER_MS;
	return 0;
}

/* Out-of-band: the side channel's line. The start is the absolute time
 * agreed there. */
static int trial_meet_oob(const struct trial_params *p, struct sidechan *sc,
			  struct trial_result *r, int64_t *start_ns)
{
	int64_t now = mono_ns();
	struct sidechan_params sp = {
		.probe = p->probe,
		.local_port = p->local_port,
		.in_fd = p->side_fd,
		.setup_deadline_ns = now + p->timeout_ms * LOOP_NS_PER_MS,
		.match_deadline_ns = now + p->match_ms * LOOP_NS_PER_MS,
		.on_endpoint = p->on_endpoint,
		.arg = p->arg,
	};
	int err;

	if (sp.match_deadline_ns < sp.setup_deadline_ns)
		sp.match_deadline_ns = sp.setup_deadline_ns;
	err = sidechan_run(&sp, sc, &r->o);
	r->t_register_ns = sc->t_register_ns;
	if (sc->have_public) {
		r->have_public = 1;
		r->punch.self = sc->punch.self;
	}
	if (err)
		return err;
	r->matched = 1;
	r->t_match_ns = sc->t_match_ns;
	r->punch = sc->punch;
	*start_ns = sc->start_ns;
	return 0;
}

/* --connect with --local-port: the endpoints, role, nonce and start come
 * from the command line (an outside puncher's placeholders). */
static int trial_meet_given(const struct trial_params *p,
			    struct trial_result *r, int64_t *start_ns)
{
	r->matched = 1;
	r->t_match_ns = mono_ns();
	r->punch = p->given;
	*start_ns = p->given_start_ns ? p->given_start_ns : r->t_match_ns;
	return 0;
}

/* The defences before any SYN: the endpoint the meeting named, and the
 * delay to the start it set (the coordinator's delay_ms; out of band, the
 * agreed start from the moment the line was read). */
static int trial_guard(const struct trial_params *p, struct trial_result *r,
		       int64_t start_ns)
{
	int64_t delay_ms = r->mode == TRIAL_OOB || r->mode == TRIAL_GIVEN
				   ? (start_ns - r->t_match_ns) / LOOP_NS_PER_MS
				   : (int64_t)r->punch.delay_ms;
	char why[128];

	if (p->policy &&
	    targetpolicy_check(p->policy, &r->punch.peer, why, sizeof(why)))
		return outcome_set(&r->o, OUTCOME_POLICY, "%s", why);
	if (p->max_delay_ms >= 0 && delay_ms > p->max_delay_ms)
		return outcome_set(&r->o, OUTCOME_POLICY,
				   "delay %" PRId64 " ms > --max-delay-ms %"
				   PRId64, delay_ms, p->max_delay_ms);
	/* A start past the punch's bound: give up now, not at the bound. */
	if (p->max_punch_ms >= 0 && delay_ms >= p->max_punch_ms)
		return outcome_set(&r->o, OUTCOME_POLICY,
				   "delay %" PRId64 " ms >= --max-punch-ms %"
				   PRId64, delay_ms, p->max_punch_ms);
	return 0;
}

/* --start-jitter-ms: after the guard, so the caps judge the delay the
 * coordinator asked for, not the one the peers chose in secret. */
static int trial_jitter(const struct trial_params *p, struct trial_result *r,
			int64_t *start_ns)
{
	uint32_t ms;
	int err;

	if (p->start_jitter_ms <= 0 || !p->auth_secret)
		return 0;
	err = startjitter_ms(p->auth_secret, r->punch.nonce,
			     (uint32_t)p->start_jitter_ms, &ms);
	if (err)
		return outcome_errno(&r->o, OUTCOME_SETUP, err, "start jitter");
	r->start_jitter_ms = ms;
	*start_ns += (int64_t)ms * LOOP_NS_PER_MS;
	return 0;
}

void trial_result_init(struct trial_result *r, enum trial_mode m)
{
	memset(r, 0, sizeof(*r));
	r->mode = m;
	r->start_jitter_ms = -1;
	r->pr.fd = -1;
	r->pr.syn_retrans = -1;
}

int trial_meet(const struct trial_params *p, struct trial_meeting *m,
	       struct trial_result *r)
{
	int64_t start = 0;
	int err;

	m->cc = (struct coordclient){ .fd = -1 };
	m->sc = (struct sidechan){ .fd = -1 };
	r->auth = p->auth_secret ? PEERAUTH_NONE : PEERAUTH_OFF;
	if (p->mode == TRIAL_OOB)
		err = trial_meet_oob(p, &m->sc, r, &start);
	else if (p->mode == TRIAL_GIVEN)
		err = trial_meet_given(p, r, &start);
	else
		err = trial_meet_coordinator(p, &m->cc, r, &start);
	if (!err)
		err = trial_guard(p, r, start);
	if (!err)
		err = trial_jitter(p, r, &start);
	if (err)
		return err;
	r->t_start_ns = start + p->skew_ms * LOOP_NS_PER_MS;
	/* A start before the match (negative skew, or a side channel
	 * slower than the agreed time) means start now. */
	if (r->t_start_ns < r->t_match_ns)
		r->t_start_ns = mono_ns();
	return 0;
}

void trial_meeting_close(struct trial_meeting *m)
{
	coordclient_close(&m->cc);
	sidechan_close(&m->sc);
}

int trial_run(const struct trial_params *p, struct trial_result *r)
{
	struct trial_meeting m;
	int err;

	trial_result_init(r, p->mode);
	trial_rt_enter(p, r);
	err = trial_meet(p, &m, r);
	/* The coordinator or probe connection stays open through the
	 * punch: it holds the mapping. */
	if (!err)
		err = trial_punch(p, r);
	trial_meeting_close(&m);
	trial_rt_leave(r);
	if (err)
		return -1;
	r->o.code = OUTCOME_OK;
	r->o.error[0] = '\0';
	return 0;
}
