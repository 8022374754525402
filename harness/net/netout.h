/* netout: the part's --out file (docs/network.md, section 3). */
#ifndef PUNCHLAB_NETOUT_H
#define PUNCHLAB_NETOUT_H

#include "netmodel.h"

/* 0 or -errno (the file is written whole or not renamed into place). */
int netout_write(const struct networld *w, const char *path);

#endif
