/* ctsnap: snapshots of a namespace's NAT state for bug reports: its
 * conntrack table (JSON lines) and its nftables table (nft's own text). */
#ifndef PUNCHLAB_CTSNAP_H
#define PUNCHLAB_CTSNAP_H

#include <stdio.h>

/* A table of more than this (about 100,000 entries) is refused. */
#define CTSNAP_MAX_BYTES (64UL * 1024 * 1024)

/* Writes every conntrack entry of netns_fd's namespace to out, one JSON
 * object per line:
 *   {"family": "ipv4", "proto": "tcp", "state": "ESTABLISHED",
 *    "orig": {"src", "dst", "sport", "dport"}, "reply": {...},
 *    "timeout": s, "mark": n, "zone": n, "id": n,
 *    "status": ["SEEN_REPLY", "ASSURED", "SRC_NAT", ...],
 *    "packets"/"bytes": {"orig", "reply"} (only with nf_conntrack_acct)}
 * ICMP tuples carry "type", "code", "id" instead of ports; "state" is
 * there for TCP only and names states as /proc does (SYN_SENT2 is the
 * state after a crossing SYN). Nothing is written on failure. Returns the
 * number of entries or -errno. */
int ctsnap_write(int netns_fd, FILE *out);

/* Writes `list table ip <table>` of netns_fd's namespace, as nft prints
 * it (rules with their counters, sets and maps with their elements), to
 * out. 0 or -errno: -ENOENT no such table, -EINVAL a bad table name. */
int ctsnap_ruleset(int netns_fd, const char *table, FILE *out);

/* Both, into <dir>/<stem>.conntrack.jsonl and <dir>/<stem>.nft (table
 * NULL: the conntrack file only). 0 or the first -errno; a file that
 * could not be filled is removed. */
int ctsnap_files(int netns_fd, const char *table, const char *dir,
		 const char *stem);

#endif
