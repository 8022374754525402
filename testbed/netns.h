/* netns: named network namespaces, compatible with `ip netns` (bind mounts
 * under /run/netns), and moving the calling thread between them. */
#ifndef PUNCHLAB_NETNS_H
#define PUNCHLAB_NETNS_H

#include <stddef.h>

#define NETNS_RUN_DIR "/run/netns"

/* Creates a new namespace and pins it at /run/netns/<name>; the caller
 * stays in its own namespace. -EEXIST if the name is taken; on failure
 * nothing is left behind. */
int netns_add(const char *name);
/* Unpins and removes /run/netns/<name>. -ENOENT if absent. The namespace
 * itself disappears once no process or fd holds it. */
int netns_del(const char *name);
/* O_RDONLY|O_CLOEXEC fd of a named namespace, or -errno. */
int netns_open(const char *name);
/* fd of the calling thread's current namespace, or -errno. */
int netns_self(void);
/* setns(fd, CLONE_NEWNET): 0 or -errno. */
int netns_enter(int fd);
/* Writes value to /proc/sys/<key with '.' as '/'> as seen from the current
 * namespace, e.g. netns_sysctl("net.ipv4.ip_forward", "1"). 0 or -errno.
 * Only net.* keys (-EINVAL otherwise): other trees are not per namespace. */
int netns_sysctl(const char *key, const char *value);
/* The same below dir, an fd of /proc/sys/net opened in the namespace
 * (key still starts "net."): no lookup from /proc/sys's root. */
int netns_sysctl_at(int dir, const char *key, const char *value);
/* Names in /run/netns that start with prefix, sorted. *names is a
 * NULL-terminated array the caller frees with netns_list_free. Returns the
 * count or -errno. */
int netns_list(const char *prefix, char ***names);
void netns_list_free(char **names);

#endif
