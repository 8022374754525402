/* pcpmap: --pcp GATEWAY — ask the home router for a TCP port mapping of
 * --local-port with PCP (RFC 6887) or NAT-PMP (RFC 6886), from a UDP
 * socket connected to GATEWAY:5351, before the agent does anything else;
 * and the "pcp" object and "mapped" event that report it
 * (docs/alternatives.md section 5). */
#ifndef PUNCHLAB_AGENT_PCPMAP_H
#define PUNCHLAB_AGENT_PCPMAP_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>

enum pcpmap_proto {
	PCPMAP_AUTO, /* PCP, then NAT-PMP when the answer says so */
	PCPMAP_PCP,
	PCPMAP_NATPMP,
};

struct pcpmap_params {
	struct sockaddr_in gateway; /* port 5351 unless a test says else */
	enum pcpmap_proto proto;
	uint16_t internal_port;
	uint32_t lifetime;
	int64_t deadline_ns; /* CLOCK_MONOTONIC */
};

struct pcpmap_result {
	int ok;
	const char *proto; /* "pcp" or "natpmp": the one that answered last */
	double ms;	   /* first request to the deciding answer */
	struct sockaddr_in internal, external; /* external: 0 unless ok */
	uint32_t lifetime;
	int port_honoured;
	char result[32];   /* "SUCCESS", the RFC name, "CODE_<n>", "timeout" */
	char why[200];	   /* "" when ok */
	unsigned requests; /* datagrams sent, retransmissions included */
	unsigned refused;  /* ICMP port unreachable seen (no daemon) */
	uint8_t nonce[12]; /* PCP: the mapping's, for its release */
	int release_tried, released; /* pcpmap_release */
};

/* Maps. 0 when the router granted a mapping (r->ok), -ETIMEDOUT when no
 * usable answer came by the deadline, -EPROTO for an answer with a
 * failure result, -EINTR when terminated, other -errno from the socket;
 * r->why says what happened in every case. */
int pcpmap_run(const struct pcpmap_params *p, struct pcpmap_result *r);

/* Deletes the mapping r holds (lifetime 0: RFC 6887 15 with the same
 * nonce, RFC 6886 3.4 with external port 0) by p->deadline_ns, so that
 * mappings do not pile up in the router (miniupnpd slows as they do:
 * README). Sets r->release_tried and r->released. 0, -EPROTO (refused),
 * or the exchange's error. */
int pcpmap_release(const struct pcpmap_params *p, struct pcpmap_result *r);

/* j["pcp"] = the contract's object: proto, ok, ms, external, lifetime,
 * port_honoured, result (and requests, refused; released once a release
 * was tried). j NULL: nothing. */
void pcpmap_report_add(json_t *j, const struct pcpmap_result *r);
/* {"event":"mapped","name","external","internal","proto","lifetime",
 * "port_honoured","ms"}. NULL on allocation failure. */
json_t *pcpmap_event(const char *name, const struct pcpmap_result *r);

#endif
