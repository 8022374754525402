/* world6: the IPv6 settings of a dual-stack world's namespaces. */
#ifndef PUNCHLAB_WORLD6_H
#define PUNCHLAB_WORLD6_H

#include <stddef.h>

#include "netbuild.h"

/* In h's namespace, before its links exist: IPv6 forwarding on for
 * v6 == PLAN6_FORWARD, nothing otherwise (world6.c says why no more).
 * 0 or -errno with err saying where. */
int world6_sysctls(int v6, const struct nb_host *h, char *err, size_t cap);

#endif
