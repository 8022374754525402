/* evlog: JSON event lines through jansson. A failed allocation loses one
 * event line, which the harness notices as a missing event; it is logged
 * rather than allowed to stop the daemon. */
#include <inttypes.h>
#include <stdio.h>

#include <jansson.h>

#include "evlog.h"
#include "log.h"

static FILE *evlog_out;

void evlog_init(FILE *f)
{
	evlog_out = f;
}

/* Steals obj. */
static void evlog_emit(json_t *obj)
{
	if (!obj) {
		log_warnx("event lost: out of memory");
		return;
	}
	if (evlog_out) {
		if (json_dumpf(obj, evlog_out, JSON_COMPACT) == 0)
			fputc('\n', evlog_out);
		fflush(evlog_out);
	}
	json_decref(obj);
}

void evlog_listening(const char *addr, const char *addr6, const char *mode,
		     int inbound_limit)
{
	json_t *ev = json_pack("{s:s, s:s, s:s, s:o}", "event", "listening",
			       "addr", addr, "mode", mode, "inbound_limit",
			       inbound_limit < 0 ? json_null()
						 : json_integer(inbound_limit));

	/* Only with --listen6: the IPv4 line stays as it was. */
	if (ev && addr6)
		json_object_set_new(ev, "addr6", json_string(addr6));
	evlog_emit(ev);
}

void evlog_register(uint64_t key, const char *observed, int64_t rtt_us,
		    int unreachable)
{
	evlog_emit(json_pack("{s:s, s:I, s:s, s:I, s:b}", "event", "register",
			     "key", (json_int_t)key, "observed", observed,
			     "rtt_us", (json_int_t)rtt_us, "unreachable",
			     unreachable));
}

void evlog_inbound(const char *peer, uint64_t key, int unreachable,
		   unsigned held)
{
	evlog_emit(json_pack("{s:s, s:s, s:I, s:b, s:I}", "event", "inbound",
			     "peer", peer, "key", (json_int_t)key,
			     "unreachable", unreachable, "held",
			     (json_int_t)held));
}

void evlog_handoff(const char *initiator, const char *responder,
		   uint64_t key_initiator, uint64_t key_responder,
		   uint64_t nonce, uint32_t delay_initiator_ms,
		   uint32_t delay_responder_ms, unsigned held)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016" PRIx64, nonce);
	/* The privacy ledger of a handoff: the coordinator knows both
	 * endpoints; each agent learns the other's, and that it was one of
	 * the coordinator's peers. */
	evlog_emit(json_pack(
		"{s:s, s:s, s:s, s:I, s:I, s:s, s:[I,I], s:I,"
		" s:{s:[s,s], s:{s:s, s:b}, s:{s:s, s:b}}}",
		"event", "handoff", "initiator", initiator, "responder",
		responder, "key_initiator", (json_int_t)key_initiator,
		"key_responder", (json_int_t)key_responder, "nonce", hex,
		"delay_ms", (json_int_t)delay_initiator_ms,
		(json_int_t)delay_responder_ms, "held", (json_int_t)held,
		"learned", "coordinator", initiator, responder, "initiator",
		"endpoint", responder, "coordinator_peer", 1, "responder",
		"endpoint", initiator, "coordinator_peer", 1));
}

void evlog_match(uint64_t key, const char *initiator, const char *responder,
		 uint64_t nonce, uint32_t delay_initiator_ms,
		 uint32_t delay_responder_ms)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016" PRIx64, nonce);
	evlog_emit(json_pack("{s:s, s:I, s:s, s:s, s:s, s:[I,I]}", "event",
			     "match", "key", (json_int_t)key, "initiator",
			     initiator, "responder", responder, "nonce", hex,
			     "delay_ms", (json_int_t)delay_initiator_ms,
			     (json_int_t)delay_responder_ms));
}

void evlog_hold(const char *peer, uint64_t key, int64_t rtt_us)
{
	evlog_emit(json_pack("{s:s, s:s, s:I, s:I}", "event", "hold", "peer",
			     peer, "key", (json_int_t)key, "rtt_us",
			     (json_int_t)rtt_us));
}

void evlog_seek(uint64_t key, const char *initiator, const char *responder,
		uint64_t nonce, uint32_t delay_initiator_ms,
		uint32_t delay_responder_ms, unsigned punches)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016" PRIx64, nonce);
	evlog_emit(json_pack("{s:s, s:I, s:s, s:s, s:s, s:[I,I], s:I}",
			     "event", "seek", "key", (json_int_t)key,
			     "initiator", initiator, "responder", responder,
			     "nonce", hex, "delay_ms",
			     (json_int_t)delay_initiator_ms,
			     (json_int_t)delay_responder_ms, "holder_punches",
			     (json_int_t)punches));
}

void evlog_drop(const char *peer, const char *reason)
{
	evlog_emit(json_pack("{s:s, s:s, s:s}", "event", "drop", "peer", peer,
			     "reason", reason));
}

void evlog_reject(const char *peer, uint64_t key, unsigned code,
		  const char *reason)
{
	evlog_emit(json_pack("{s:s, s:s, s:I, s:i, s:s}", "event", "reject",
			     "peer", peer, "key", (json_int_t)key, "code",
			     (int)code, "reason", reason));
}

void evlog_stopped(void)
{
	evlog_emit(json_pack("{s:s}", "event", "stopped"));
}
