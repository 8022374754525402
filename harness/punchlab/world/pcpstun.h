/* pcpstun: the STUN answerer a router's miniupnpd asks for its public
 * address at start, inside the router's own namespace. */
#ifndef PUNCHLAB_PCPSTUN_H
#define PUNCHLAB_PCPSTUN_H

#include <sys/types.h>

/* A child of ours in netns_fd answering every Binding request to
 * addr:STUN_PORT with its sender's address (dies with us). The pid, or
 * -errno. Stop it with proc_stop once miniupnpd answers. */
pid_t pcpstun_start(int netns_fd, const char *addr);

#endif
