/* world6: the IPv6 settings of a dual-stack world's namespaces. */
#ifndef PUNCHLAB_WORLD6_H
#define PUNCHLAB_WORLD6_H

#include <stddef.h>

#include "netbuild.h"

/* In h's namespace, before its links exist: DAD and RA acceptance off,
 * and IPv6 forwarding on for v6 == PLAN6_FORWARD; nothing for
 * PLAN6_NONE. 0 or -errno with err saying where. */
int world6_sysctls(int v6, const struct nb_host *h, char *err, size_t cap);

#endif
