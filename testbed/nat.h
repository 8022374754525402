/* nat: renders a NAT profile to an nftables ruleset (text, nat.c) and
 * loads it atomically through libnftables inside a router's namespace
 * (nat_load.c). */
#ifndef PUNCHLAB_NAT_H
#define PUNCHLAB_NAT_H

#include <stddef.h>

#include "nat_ifaces.h"
#include "profile.h"

/* A buffer this size holds any home router's ruleset (the longest, a
 * 1024-port sequential range with every mechanism on, is ~16.5 KB) and a
 * carrier's with port blocks for dozens of subscribers. */
#define NAT_RULESET_MAX 65536


/* Writes the ruleset (one `table ip <table> { ... }`, preceded by the
 * lines that make loading it idempotent) into buf. Returns its length,
 * or -ENOSPC, -EINVAL (bad ifaces, or a port_block without subscribers
 * or with more subscribers than blocks), -E2BIG (a sequential range too
 * long to list), -ENOTSUP (a value outside its enum) or -ENOMEM,
 * errno-style with a message in why when why is not NULL. Named counters "syn_dropped" and "rst_sent" are always present.
 * For a profile with `behind` this is the home router's ruleset only:
 * the carrier's is its own profile rendered with the carrier's ifaces. */
int nat_render(const struct nat_profile *p, const struct nat_ifaces *ifc,
	       char *buf, size_t cap, char *why, size_t why_cap);

/* Loads ruleset in the namespace netns_fd refers to. Runs libnftables in a
 * forked child that enters the namespace first (nft_ctx_new opens its
 * netlink socket in the current namespace and may exit() on failure).
 * 0, or -EPROTO with nft's error text in err (may be NULL). */
int nat_apply(int netns_fd, const char *ruleset, char *err, size_t err_cap);
/* nat_apply of rulesets[i] into fds[i] for i = 0 .. n-1, in one child:
 * stops at the first that fails; *done says how many loaded. */
int nat_apply_each(const int *fds, const char *const *rulesets, int n,
		   int *done, char *err, size_t err_cap);

/* Reads counter <name> from table in netns_fd: packets into *packets.
 * 0 or -errno. */
int nat_counter(int netns_fd, const char *table, const char *name,
		unsigned long long *packets);
/* The same for a table of family ("ip", "ip6", "inet"), with the bytes too
 * (bytes may be NULL). */
int nat_counter_at(int netns_fd, const char *family, const char *table,
		   const char *name, unsigned long long *packets,
		   unsigned long long *bytes);

#endif
