/* linkcond: link conditions (one-way delay, jitter, loss, rate) on a
 * namespace's interfaces, by sch_netem where the kernel has it, otherwise
 * by an NFQUEUE rule per interface plus punch-shaper holding the packets.
 *
 * Integration (harness, after world_new built the topology): in a star
 * every packet crossing inet leaves it through exactly one WAN veth, so a
 * condition on a veth's egress is the one-way condition toward that site,
 * and RTT(a, b) = delay(a's veth) + delay(b's veth).
 *
 *	int m = linkcond_method();
 *	for each WAN veth i of inet with a condition spec[i]:
 *		if (m == LINKCOND_NETEM)
 *			linkcond_apply_netem(inet_fd, veth[i], &spec[i], 0, 0);
 *		else {
 *			spec[i].queue = i + 1;
 *			linkcond_apply(inet_fd, rid, veth[i], spec[i].queue);
 *			argv += "--queue" shapespec_format(&spec[i]);
 *		}
 *	if (m == LINKCOND_NFQUEUE)
 *		spawn build/bin/punch-shaper in inet with those --queue
 *		options, --seed <scenario seed> --run-id <rid>; record its
 *		pid with cleanup_pid; read its stdout until the line
 *		{"event":"ready",...} (packets queued before it are dropped);
 *		stop it by pid (SIGTERM) after the last trial and keep its
 *		{"event":"stats",...} lines with the results.
 *	record linkcond_method_name(m) in the results.
 *
 * The nft table (and a netem qdisc) live in the namespace and go with it. */
#ifndef PUNCHLAB_LINKCOND_H
#define PUNCHLAB_LINKCOND_H

#include <stddef.h>
#include <stdint.h>

#include "shapespec.h"

enum linkcond_method_id {
	LINKCOND_NETEM = 1,   /* a netem qdisc on the interface */
	LINKCOND_NFQUEUE = 2, /* nft_compat NFQUEUE rule + punch-shaper */
};

enum linkcond_dir {
	LINKCOND_EGRESS,  /* packets leaving through the interface */
	LINKCOND_INGRESS, /* packets that came in through it (forwarded) */
};

#define LINKCOND_TABLE_PREFIX "punchlab_shape_"
#define LINKCOND_CHAIN "forward"
#define LINKCOND_ENV "PUNCHLAB_LINKCOND" /* "netem" or "nfqueue" */
#define LINKCOND_NETEM_LIMIT 8192	 /* packets, as the shaper's maxlen */

/* Which mechanism this kernel offers: LINKCOND_NETEM when a netem qdisc
 * can be created (probed once, in a throw-away namespace of a forked
 * child), else LINKCOND_NFQUEUE. PUNCHLAB_LINKCOND=netem|nfqueue in the
 * environment forces the choice (to test the NFQUEUE path on a kernel
 * with netem). -errno when the probe itself cannot run (no root). */
int linkcond_method(void);
/* "netem", "nfqueue" or "none". */
const char *linkcond_method_name(int method);

/* In the namespace netns_fd refers to: ensures table
 * `ip punchlab_shape_<rid>` with a `forward` filter chain (priority 0)
 * and appends one rule sending forwarded IPv4 packets whose oifname is
 * ifname to NFQUEUE queue_num, without bypass: while no punch-shaper
 * holds the queue, these packets are dropped (a dead link, never a silent
 * unshaped one). Built with libnftnl because nft's own `queue` statement
 * is not in every kernel; the xtables NFQUEUE target (rev 3) through
 * nft_compat is. Call once per interface. rid must be a valid run id.
 * 0 or -errno (the kernel's; its message is logged). */
int linkcond_apply(int netns_fd, const char *rid, const char *ifname,
		   int queue_num);
/* The same, choosing egress (oifname) or ingress (iifname). */
int linkcond_apply_dir(int netns_fd, const char *rid, const char *ifname,
		       enum linkcond_dir dir, int queue_num);
/* The same for packets that came in through iifname AND leave through
 * oifname (either may be NULL, not both): a path across inet, such as
 * charlie's link to one router. Rules match in the order they were
 * added, and a packet is queued by the first that matches. */
int linkcond_apply_match(int netns_fd, const char *rid, const char *iifname,
			 const char *oifname, int queue_num);
/* The same rule for IPv6 packets, in table `ip6 punchlab_shape_<rid>`:
 * a dual-stack world shapes both families through the same queue. */
int linkcond_apply_match6(int netns_fd, const char *rid, const char *iifname,
			  const char *oifname, int queue_num);
/* Deletes the run's ip table and its ip6 twin, when there is one, from
 * the namespace. 0, -ENOENT (no ip table), or -errno. */
int linkcond_remove(int netns_fd, const char *rid);

/* netem on ifname's egress, replacing its root qdisc: delay, jitter (normal
 * with a generated table when normal is set, else uniform), loss, rate,
 * limit packets (0 = LINKCOND_NETEM_LIMIT). 0 or -errno (-ENOENT when the
 * kernel has no netem). */
int linkcond_apply_netem(int netns_fd, const char *ifname,
			 const struct shape_spec *sp, int normal,
			 uint32_t limit);

/* Pure builder of that RTM_NEWQDISC request (NLM_F_CREATE|NLM_F_REPLACE|
 * NLM_F_ACK) into buf of cap bytes (LINKCOND_NETEM_BUF is enough, table
 * included). Returns the header, or NULL with errno (EINVAL, ENOSPC). */
#define LINKCOND_NETEM_BUF 16384
#define LINKCOND_DIST_SIZE 4096 /* entries of the normal table */
struct nlmsghdr *linkcond_netem_request(void *buf, size_t cap, uint32_t seq,
					int ifindex,
					const struct shape_spec *sp, int normal,
					uint32_t limit);
/* The normal table netem expects: inverse normal CDF at (i + 0.5) / n,
 * scaled by 8192 (NETEM_DIST_SCALE) and clamped to int16. */
void linkcond_normal_table(int16_t *table, size_t n);

#endif
