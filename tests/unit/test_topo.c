/* test_topo (root): builds a two-namespace topology with netns/topo and
 * checks it in kernel state and with real TCP; the namespaces are always
 * removed, also when a test fails. It runs in a scratch namespace of its
 * own, which stands in for the host.
 *
 *   [plh-<pid>-a]                                   [plh-<pid>-b]
 *   plh<pid>a 10.99.0.1/24 ---- veth ---- 10.99.0.2/24 plh<pid>b
 *   10.99.1.0/24 via 10.99.0.2              lo 10.99.1.1/32
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <CUnit/Basic.h>

#include "netns.h"
#include "rtnl.h"
#include "topo.h"

static char ns_name_a[32], ns_name_b[32], ns_prefix[32];
static char if_a[16], if_b[16];
static int host_fd = -1, ns_a = -1, ns_b = -1;

/* Everything that runs inside a namespace comes back through here, so an
 * assertion never fires while the thread is away. */
static int go(int ns)
{
	return netns_enter(ns);
}

static void go_home(void)
{
	if (netns_enter(host_fd) < 0) {
		fprintf(stderr, "FATAL: cannot return to host namespace\n");
		abort();
	}
}

static ino_t ns_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static ino_t self_inode(void)
{
	int fd = netns_self();
	ino_t ino;

	if (fd < 0)
		return 0;
	ino = ns_inode(fd);
	close(fd);
	return ino;
}

static int path_exists(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	return stat(path, &st) == 0;
}

/* rtnl handle living in ns (the socket stays there). */
static struct rtnl *rtnl_in(int ns)
{
	struct rtnl *r;

	if (go(ns) < 0)
		return NULL;
	r = rtnl_open();
	go_home();
	return r;
}

static int ifindex_in(int ns, const char *name)
{
	struct rtnl *r = rtnl_in(ns);
	int ret;

	if (!r)
		return -errno;
	ret = rtnl_ifindex(r, name);
	rtnl_free(r);
	return ret;
}

/* A link monitor: RTMGRP_LINK events of the namespace it is opened in. */
static struct mnl_socket *monitor_in(int ns)
{
	struct mnl_socket *nl = NULL;

	if (go(ns) < 0)
		return NULL;
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nl && mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		nl = NULL;
	}
	go_home();
	return nl;
}

struct seen {
	int a, b;
};

static int seen_attr_cb(const struct nlattr *attr, void *data)
{
	struct seen *s = data;

	if (mnl_attr_get_type(attr) != IFLA_IFNAME ||
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	if (strcmp(mnl_attr_get_str(attr), if_a) == 0)
		s->a++;
	if (strcmp(mnl_attr_get_str(attr), if_b) == 0)
		s->b++;
	return MNL_CB_OK;
}

static int seen_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), seen_attr_cb, data);
	return MNL_CB_OK;
}

/* Drains the monitor; counts RTM_NEWLINK naming our two links. */
static struct seen monitor_drain(struct mnl_socket *nl)
{
	static char buf[32768];
	struct seen s = { 0, 0 };
	ssize_t n;

	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, (size_t)n, 0, 0, seen_cb, &s);
	return s;
}

static int listen_in(int ns, uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd;

	if (go(ns) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	go_home();
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* connect() from a socket created in ns: 0 or -errno. */
static int connect_in(int ns, const char *dst, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 3 };
	int fd, ret = 0;

	if (inet_pton(AF_INET, dst, &sa.sin_addr) != 1)
		return -EINVAL;
	if (go(ns) < 0)
		return -EPERM;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	go_home();
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Accepts one connection; returns the peer address as a string. */
static int accept_peer(int lfd, char *peer, size_t size)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	if (poll(&p, 1, 3000) != 1)
		return -1;
	fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	close(fd);
	return inet_ntop(AF_INET, &sa.sin_addr, peer, (socklen_t)size) ? 0 :
									-1;
}

static int read_sysctl_in(int ns, const char *path, char *out, size_t size)
{
	ssize_t n;
	int fd;

	if (go(ns) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	go_home();
	if (fd < 0)
		return -1;
	n = read(fd, out, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static void test_netns_add(void)
{
	ino_t home = self_inode();
	char **names = NULL;

	CU_ASSERT_NOT_EQUAL_FATAL(home, 0);
	CU_ASSERT_EQUAL_FATAL(netns_add(ns_name_a), 0);
	CU_ASSERT_EQUAL_FATAL(netns_add(ns_name_b), 0);
	/* The caller stays where it was. */
	CU_ASSERT_EQUAL(self_inode(), home);
	CU_ASSERT_EQUAL(netns_add(ns_name_a), -EEXIST);
	CU_ASSERT_EQUAL(netns_add("bad/name"), -EINVAL);
	CU_ASSERT_EQUAL(netns_add(".."), -EINVAL);
	CU_ASSERT(path_exists(ns_name_a));
	CU_ASSERT(path_exists(ns_name_b));

	CU_ASSERT_EQUAL(netns_list(ns_prefix, &names), 2);
	if (names) {
		CU_ASSERT(names[0] && strcmp(names[0], ns_name_a) == 0);
		CU_ASSERT(names[0] && names[1] &&
			  strcmp(names[1], ns_name_b) == 0);
		CU_ASSERT(names[0] && names[1] && !names[2]);
		netns_list_free(names);
	}

	ns_a = netns_open(ns_name_a);
	ns_b = netns_open(ns_name_b);
	CU_ASSERT_FATAL(ns_a >= 0 && ns_b >= 0);
	/* Three distinct namespaces, told apart by their nsfs inodes. */
	CU_ASSERT_NOT_EQUAL(ns_inode(ns_a), home);
	CU_ASSERT_NOT_EQUAL(ns_inode(ns_b), home);
	CU_ASSERT_NOT_EQUAL(ns_inode(ns_a), ns_inode(ns_b));
	CU_ASSERT_EQUAL(netns_open("plh-no-such-ns"), -ENOENT);
}

static void test_veth(void)
{
	struct mnl_socket *mon_host, *mon_a, *mon_b;
	struct seen host, in_a, in_b;
	ino_t home = self_inode();

	CU_ASSERT_FATAL(ns_a >= 0 && ns_b >= 0);
	mon_host = monitor_in(host_fd);
	mon_a = monitor_in(ns_a);
	mon_b = monitor_in(ns_b);
	CU_ASSERT_FATAL(mon_host && mon_a && mon_b);

	CU_ASSERT_EQUAL(topo_veth(ns_a, if_a, ns_b, if_b), 0);
	CU_ASSERT_EQUAL(self_inode(), home);

	/* Each end was announced in its own namespace, and the host never
	 * heard of either (not even transiently). */
	host = monitor_drain(mon_host);
	in_a = monitor_drain(mon_a);
	in_b = monitor_drain(mon_b);
	CU_ASSERT_EQUAL(host.a + host.b, 0);
	CU_ASSERT(in_a.a > 0 && in_a.b == 0);
	CU_ASSERT(in_b.b > 0 && in_b.a == 0);
	mnl_socket_close(mon_host);
	mnl_socket_close(mon_a);
	mnl_socket_close(mon_b);

	CU_ASSERT(ifindex_in(ns_a, if_a) > 0);
	CU_ASSERT_EQUAL(ifindex_in(ns_a, if_b), -ENODEV);
	CU_ASSERT(ifindex_in(ns_b, if_b) > 0);
	CU_ASSERT_EQUAL(ifindex_in(ns_b, if_a), -ENODEV);
	CU_ASSERT_EQUAL(ifindex_in(host_fd, if_a), -ENODEV);
	CU_ASSERT_EQUAL(ifindex_in(host_fd, if_b), -ENODEV);
	CU_ASSERT(ifindex_in(ns_a, "lo") > 0);

	CU_ASSERT_EQUAL(topo_veth(ns_a, if_a, ns_b, if_b), -EEXIST);
	CU_ASSERT_EQUAL(topo_veth(ns_a, "abcdefghijklmnop", ns_b, if_b),
			-EINVAL);
	CU_ASSERT_EQUAL(self_inode(), home);
}

static void test_addr_up(void)
{
	static const char *const bad[] = {
		"10.99.0.1",	  "10.99.0.1/",	   "10.99.0.1/33",
		"10.99.0.1/-1",	  "10.99.0.1/+24", "10.99.0.1/ 24",
		"10.99.0.1/24x",  "10.99.0.1/024", "10.99.0/24",
		"10.99.0.256/24", "/24",	   "",
		"10.99.0.1 /24",  "255.255.255.255.1/24",
	};
	ino_t home = self_inode();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(topo_addr(ns_a, if_a, bad[i]), -EINVAL);
	CU_ASSERT_EQUAL(topo_addr(ns_a, if_a, NULL), -EINVAL);

	CU_ASSERT_EQUAL(topo_addr(ns_a, if_a, "10.99.0.1/24"), 0);
	CU_ASSERT_EQUAL(topo_addr(ns_b, if_b, "10.99.0.2/24"), 0);
	CU_ASSERT_EQUAL(topo_addr(ns_a, if_a, "10.99.0.1/24"), -EEXIST);
	CU_ASSERT_EQUAL(topo_addr(ns_a, "plh-nosuchif", "10.99.0.9/24"),
			-ENODEV);
	CU_ASSERT_EQUAL(topo_link_up(ns_a, if_a), 0);
	CU_ASSERT_EQUAL(topo_link_up(ns_b, if_b), 0);
	CU_ASSERT_EQUAL(topo_link_up(ns_b, "lo"), 0);
	CU_ASSERT_EQUAL(topo_addr(ns_b, "lo", "10.99.1.1/32"), 0);
	CU_ASSERT_EQUAL(topo_link_up(ns_a, "plh-nosuchif"), -ENODEV);
	CU_ASSERT_EQUAL(self_inode(), home);
}

static void test_route_and_tcp(void)
{
	char peer[INET_ADDRSTRLEN] = "";
	uint16_t port = 0;
	int lfd;

	lfd = listen_in(ns_b, &port);
	CU_ASSERT_FATAL(lfd >= 0);

	/* Over the veth, by the connected route. */
	CU_ASSERT_EQUAL(connect_in(ns_a, "10.99.0.2", port), 0);
	CU_ASSERT_EQUAL(accept_peer(lfd, peer, sizeof(peer)), 0);
	CU_ASSERT_STRING_EQUAL(peer, "10.99.0.1");

	/* b's loopback address needs the route: none yet. */
	CU_ASSERT_EQUAL(connect_in(ns_a, "10.99.1.1", port), -ENETUNREACH);

	CU_ASSERT_EQUAL(topo_route(ns_a, "10.99.1.1/24", "10.99.0.2", if_a,
				   0),
			-EINVAL);
	CU_ASSERT_EQUAL(topo_route(ns_a, "10.99.1.0/24", NULL, NULL, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(topo_route(ns_a, "10.99.1.0/24", "10.99.0.x", NULL,
				   0),
			-EINVAL);
	CU_ASSERT_EQUAL(topo_route(ns_a, "10.99.1.0/24", "10.99.0.2", if_a,
				   0),
			0);
	CU_ASSERT_EQUAL(topo_route(ns_a, "10.99.1.0/24", "10.99.0.2", if_a,
				   0),
			-EEXIST);
	CU_ASSERT_EQUAL(connect_in(ns_a, "10.99.1.1", port), 0);
	CU_ASSERT_EQUAL(accept_peer(lfd, peer, sizeof(peer)), 0);
	CU_ASSERT_STRING_EQUAL(peer, "10.99.0.1");

	/* A gateway off every prefix of the link needs onlink. */
	CU_ASSERT_NOT_EQUAL(topo_route(ns_b, "10.99.2.0/24", "10.99.9.9", if_b,
				       0),
			    0);
	CU_ASSERT_EQUAL(topo_route(ns_b, "10.99.2.0/24", "10.99.9.9", if_b,
				   1),
			0);
	/* Default route, gateway only: the kernel finds the device. */
	CU_ASSERT_EQUAL(topo_route(ns_b, "default", "10.99.0.1", NULL, 0), 0);
	/* Link route, device only. */
	CU_ASSERT_EQUAL(topo_route(ns_b, "10.99.3.0/24", NULL, if_b, 0), 0);
	close(lfd);
}

static void test_sysctl(void)
{
	static const char path[] = "/proc/sys/net/ipv4/ip_forward";
	char before[16], after[16], val[16];

	CU_ASSERT_FATAL(read_sysctl_in(host_fd, path, before,
				       sizeof(before)) == 0);
	CU_ASSERT_EQUAL(topo_sysctl(ns_a, "net.ipv4.ip_forward", "1"), 0);
	/* netns_sysctl acts where the thread is. */
	CU_ASSERT_EQUAL_FATAL(go(ns_b), 0);
	CU_ASSERT_EQUAL(netns_sysctl("net.ipv4.ip_forward", "0"), 0);
	go_home();

	CU_ASSERT(read_sysctl_in(ns_a, path, val, sizeof(val)) == 0 &&
		  strcmp(val, "1") == 0);
	CU_ASSERT(read_sysctl_in(ns_b, path, val, sizeof(val)) == 0 &&
		  strcmp(val, "0") == 0);
	CU_ASSERT(read_sysctl_in(host_fd, path, after, sizeof(after)) == 0 &&
		  strcmp(before, after) == 0);

	CU_ASSERT_EQUAL(topo_sysctl(ns_a, "kernel.hostname", "x"), -EINVAL);
	CU_ASSERT_EQUAL(topo_sysctl(ns_a, "net.ipv4..ip_forward", "1"),
			-EINVAL);
	CU_ASSERT_EQUAL(topo_sysctl(ns_a, "net.ipv4.//", "1"), -EINVAL);
	CU_ASSERT_EQUAL(topo_sysctl(ns_a, "net.ipv4.no_such_key", "1"),
			-ENOENT);
}

static void test_netns_del(void)
{
	char **names = NULL;

	CU_ASSERT_EQUAL(netns_del(ns_name_a), 0);
	CU_ASSERT_EQUAL(netns_del(ns_name_b), 0);
	CU_ASSERT(!path_exists(ns_name_a));
	CU_ASSERT(!path_exists(ns_name_b));
	CU_ASSERT_EQUAL(netns_list(ns_prefix, &names), 0);
	CU_ASSERT(names && !names[0]);
	netns_list_free(names);
	CU_ASSERT_EQUAL(netns_del(ns_name_a), -ENOENT);
	CU_ASSERT_EQUAL(netns_open(ns_name_a), -ENOENT);
}

static int suite_init(void)
{
	host_fd = netns_self();
	return host_fd < 0;
}

/* Runs even when tests failed half-way: nothing of ours may outlive us. */
static int suite_cleanup(void)
{
	if (host_fd >= 0)
		netns_enter(host_fd);
	if (ns_a >= 0)
		close(ns_a);
	if (ns_b >= 0)
		close(ns_b);
	netns_del(ns_name_a);
	netns_del(ns_name_b);
	if (host_fd >= 0)
		close(host_fd);
	return 0;
}

static void test_teardown(void)
{
	if (host_fd >= 0)
		go_home();
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "netns add", test_netns_add },
		{ "veth across namespaces", test_veth },
		{ "addresses and links", test_addr_up },
		{ "routes and tcp", test_route_and_tcp },
		{ "sysctl per namespace", test_sysctl },
		{ "netns del", test_netns_del },
	};
	unsigned int failures;
	CU_pSuite suite;
	size_t i;
	int pid = (int)getpid();

	if (geteuid() != 0) {
		printf("SKIP: test_topo needs root\n");
		return 4;
	}
	/* The "host" of these tests is a scratch namespace: what they check is
	 * that the caller's namespace stays untouched, and if the code under
	 * test regresses, it is this one that gets the stray links, addresses
	 * and sysctls, not the machine's. */
	if (unshare(CLONE_NEWNET) < 0) {
		perror("test_topo: unshare(CLONE_NEWNET)");
		return 1;
	}
	snprintf(ns_name_a, sizeof(ns_name_a), "plh-%d-a", pid);
	snprintf(ns_name_b, sizeof(ns_name_b), "plh-%d-b", pid);
	snprintf(ns_prefix, sizeof(ns_prefix), "plh-%d-", pid);
	snprintf(if_a, sizeof(if_a), "plh%da", pid);
	snprintf(if_b, sizeof(if_b), "plh%db", pid);

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite_with_setup_and_teardown(
		"topo", suite_init, suite_cleanup, NULL, test_teardown);
	if (!suite)
		goto err;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(suite, tests[i].name, tests[i].fn))
			goto err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;

err:
	CU_cleanup_registry();
	return 1;
}
