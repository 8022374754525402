/* ladderstep: how each mechanism's step of a ladder trial runs (docs/
 * alternatives.md section 6): whether the world offers it, bob's
 * listener, when he is ready and where alice dials, her dial, and the
 * reports read back. ladder.c orders the steps and judges them. */
#ifndef PUNCHLAB_LADDERSTEP_H
#define PUNCHLAB_LADDERSTEP_H

#include <stddef.h>

#include "running.h"

struct json_t;

/* 1 when cell's world can offer mechanism m; 0 with why when it cannot
 * (what is missing named: a PCP server, IPv6 at a home, a part of the
 * project not in this build). */
int ladderstep_offered(const struct trials_cfg *cfg, int cell, int m, char *why,
		       size_t cap);
/* Starts bob's listener for mechanism m (--serve on his port; pcp: with
 * --pcp at his router) with timeout_ms ms. 0 or -errno. */
int ladderstep_serve(const struct trials_cfg *cfg, struct running *r, int m,
		     int timeout_ms);
/* 1 when bob's listener of mechanism m is ready, r->lad.dial then says
 * where alice dials (his public address and port; pcp: the mapping his
 * "mapped" event names); 0 not yet. */
int ladderstep_ready(const struct trials_cfg *cfg, struct running *r, int m);
/* Starts alice's dial to r->lad.dial. 0 or -errno. */
int ladderstep_dial(const struct trials_cfg *cfg, struct running *r);
/* Starts both agents of a punch step: ipv4-punch as the cell's trial,
 * ipv6-punch registering at charlie's IPv6 address. 0 or -errno. */
int ladderstep_punch(const struct trials_cfg *cfg, struct running *r, int m);
/* The last JSON line side sd printed (the final report; --serve with
 * --pcp prints its mapped event first), NULL when none. */
struct json_t *ladderstep_report(const struct side *sd);

#endif
