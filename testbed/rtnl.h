/* rtnl: the one place rtnetlink I/O happens, on libmnl. A handle belongs to
 * the network namespace that was current when it was opened. */
#ifndef PUNCHLAB_RTNL_H
#define PUNCHLAB_RTNL_H

struct nlmsghdr;
struct rtnl;

/* NULL with errno set on failure. rtnl_free(NULL) is safe. */
struct rtnl *rtnl_open(void);
void rtnl_free(struct rtnl *r);
/* Next sequence number to put in a request built with nlreq_*. */
unsigned int rtnl_seq(struct rtnl *r);
/* Sends nlh and waits for its ACK (checking seq and portid): 0 or the
 * kernel's -errno. */
int rtnl_request(struct rtnl *r, struct nlmsghdr *nlh);
/* ifindex (> 0) of name, or -errno (-ENODEV when absent). */
int rtnl_ifindex(struct rtnl *r, const char *name);

#endif
