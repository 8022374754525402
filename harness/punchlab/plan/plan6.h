/* plan6: the IPv6 half of a dual-stack world (docs/alternatives.md
 * section 3), added to a plan after its IPv4 steps, from 2001:db8::/32
 * (RFC 3849) only:
 *
 *   [alice 2001:db8:1:i::2] -- [router ::1 | WAN 2001:db8:ffa:i::1/128] --
 *        [inet 2001:db8::fe on lo] -- [charlie 2001:db8::1]
 *   behind a carrier: [router WAN 2001:db8:ffc:i::2] -- [carrier
 *        2001:db8:ffc:i::1] -- [inet]          (bob: 2, ffb, ffd)
 *
 * Every link stays point to point with IFF_NOARP: each IPv6 neighbour is
 * a permanent entry like the IPv4 ones, addresses skip DAD, and inet
 * routes each home's /64 to its router's (or carrier's) WAN address. */
#ifndef PUNCHLAB_PLAN6_H
#define PUNCHLAB_PLAN6_H

#include <stddef.h>

#include "profile.h"
#include "scenario.h"

#define PLAN6_INET_GW "2001:db8::fe" /* on inet's loopback */
#define PLAN6_COORD_ADDR "2001:db8::1"
#define PLAN6_MALLORY_ADDR "2001:db8::66"
#define PLAN6_VICTIM_ADDR "2001:db8::99"

enum { PLAN6_NONE, PLAN6_HOST, PLAN6_FORWARD }; /* plan_ns.v6 */

/* Whether a side has IPv6: its profile enables it and, behind a carrier,
 * the carrier does too. 0 with why (when not NULL) saying which not. */
int plan6_side_on(const struct nat_profile *home,
		  const struct nat_profile *carrier, char *why, size_t cap);
/* Whether s's world is dual-stack: some home of it has IPv6. */
int plan6_wanted(const struct scenario *s);
/* plan6_grow and plan6_build are declared in plan.h, whose plan_new
 * calls them (so this header needs no plan.h). */

#endif
