/* nat_check: every name and address a ruleset is built from is checked
 * before it is pasted into nft text. */
#ifndef PUNCHLAB_NAT_CHECK_H
#define PUNCHLAB_NAT_CHECK_H

#include <stddef.h>

#include "nat_ifaces.h"
#include "profile.h"

/* 0, or -EINVAL with "invalid <what>" in why. */
int nat_check_ifaces(const struct nat_ifaces *ifc, char *why, size_t why_cap);

#endif
