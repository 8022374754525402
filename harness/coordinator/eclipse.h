/* eclipse: the lying coordinator of the network scenario's eclipse attack
 * (docs/adversaries.md section 7), a lab switch (--eclipse). It answers
 * every honest registration with one of the attacker's (hpregister flag
 * COORD_REG_ATTACKER) instead of the honest match, and never pairs two
 * honest ones; in advertised mode it punches every seeker to one of the
 * attacker's holders, whatever key it seeks. Without the switch nothing
 * here runs. */
#ifndef PUNCHLAB_COORD_ECLIPSE_H
#define PUNCHLAB_COORD_ECLIPSE_H

#include "clients.h"

/* Rendezvous and handoff under --eclipse: c's partner, the oldest waiting
 * registration of the other side (attacker for an honest c, honest for
 * an attacker's) and c's address family, whatever its key; NULL when
 * none waits. */
struct conn *eclipse_find(struct clients *cl, const struct conn *c);

/* Advertised under --eclipse: the attacker's holder (hpregister flags
 * HOLD | ATTACKER, its RTT ping answered or not) that serves seeker s,
 * the one of s's address family punched least so far, whatever key s
 * seeks; NULL when s is the attacker's own or no attacker holds here. */
struct conn *eclipse_holder(const struct clients *cl, const struct conn *s);

#endif
