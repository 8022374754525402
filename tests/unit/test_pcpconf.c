/* test_pcpconf: the [pcp] section of a NAT profile — defaults, every
 * key, the shipped PCP profile, errors naming file, line and key, and
 * the values miniupnpd 2.3.1 cannot do refused; pcpstate's pid-file
 * cleanup of a leftover daemon. No root needed. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "lib/testutil.h"
#include "pcpstate.h"
#include "profile.h"

/* Loads text as a profile; 0 or -1 with err. The file is removed. */
static int load_text(const char *text, struct nat_profile *p,
		     struct cfg_error *err, char *path)
{
	int r;

	strcpy(path, "/tmp/pcpconf-XXXXXX.ini");
	if (testutil_temp_file(path, 4, text) < 0)
		return -2;
	r = profile_load(path, p, err);
	unlink(path);
	return r;
}

static void check_fails(const char *text, int line, const char *key,
			const char *msg_part)
{
	struct nat_profile p;
	struct cfg_error err;
	char path[64];

	CU_ASSERT_EQUAL_FATAL(load_text(text, &p, &err, path), -1);
	CU_ASSERT_STRING_EQUAL(err.file, path);
	CU_ASSERT_EQUAL(err.line, line);
	CU_ASSERT_STRING_EQUAL(err.key, key);
	if (!strstr(err.msg, msg_part))
		fprintf(stderr, "\n  message '%s' lacks '%s'\n", err.msg,
			msg_part);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg_part));
}

static void test_defaults(void)
{
	struct nat_profile p;
	struct cfg_error err;
	char path[64];

	CU_ASSERT_EQUAL_FATAL(
	    load_text("[nat]\nmapping = endpoint-independent\n", &p, &err,
		      path),
	    0);
	CU_ASSERT_EQUAL(p.pcp.server, PCP_SERVER_OFF);
	CU_ASSERT_EQUAL(p.pcp.lifetime_max, 86400);
	CU_ASSERT_EQUAL(p.pcp.lifetime_min, 120);
	CU_ASSERT_EQUAL(p.pcp.port_min, 1024);
	CU_ASSERT_EQUAL(p.pcp.port_max, 65535);
	CU_ASSERT_EQUAL(p.pcp.honour_port, 1);
	CU_ASSERT_STRING_EQUAL(pcpconf_server_str(PCP_SERVER_BOTH), "both");
	CU_ASSERT_STRING_EQUAL(pcpconf_server_str((enum pcp_server)9), "?");
}

static void test_keys(void)
{
	struct nat_profile p;
	struct cfg_error err;
	char path[64];

	CU_ASSERT_EQUAL_FATAL(
	    load_text("[pcp]\nserver = both\nlifetime_max = 7200\n"
		      "lifetime_min = 60\nports = 40000-40999\n"
		      "honour_port = yes\n",
		      &p, &err, path),
	    0);
	CU_ASSERT_EQUAL(p.pcp.server, PCP_SERVER_BOTH);
	CU_ASSERT_EQUAL(p.pcp.lifetime_max, 7200);
	CU_ASSERT_EQUAL(p.pcp.lifetime_min, 60);
	CU_ASSERT_EQUAL(p.pcp.port_min, 40000);
	CU_ASSERT_EQUAL(p.pcp.port_max, 40999);
	CU_ASSERT_EQUAL(p.pcp.line, 1);
	/* the NAT keys keep their defaults */
	CU_ASSERT_EQUAL(p.mapping, NAT_MAP_EIM);
	CU_ASSERT_EQUAL(p.port_min, 1024);
}

static void test_shipped(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    profile_find("nat-profiles", "openwrt-upnp", &p, &err), 0);
	CU_ASSERT_EQUAL(p.pcp.server, PCP_SERVER_BOTH);
	CU_ASSERT_EQUAL(p.pcp.port_min, 1024);
	CU_ASSERT_EQUAL(p.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL_FATAL(
	    profile_find("nat-profiles", "openwrt-fw4", &p, &err), 0);
	CU_ASSERT_EQUAL(p.pcp.server, PCP_SERVER_OFF);
}

static void test_errors(void)
{
	check_fails("[pcp]\nserver = pcp\n", 2, "server",
		    "PCP and NAT-PMP together under one switch");
	check_fails("[pcp]\nserver = natpmp\n", 2, "server",
		    "cannot be made real");
	check_fails("[pcp]\nserver = upnp\n", 2, "server",
		    "'upnp' is not one of: off, pcp, natpmp, both");
	check_fails("[pcp]\nserver = both\nhonour_port = no\n", 3,
		    "honour_port", "always grants the requested external port");
	check_fails("[pcp]\nhonour_port = maybe\n", 2, "honour_port",
		    "not a boolean");
	check_fails("[pcp]\nlifetime_max = 90000\n", 2, "lifetime_max",
		    "caps it at 86400");
	check_fails("[pcp]\nlifetime_min = 300\n", 2, "lifetime_min",
		    "caps it at 120");
	check_fails("[pcp]\nlifetime_min = 0\n", 2, "lifetime_min",
		    "out of range");
	check_fails("[pcp]\nlifetime_max = 100\nlifetime_min = 100\n", 3,
		    "lifetime_min", "not below lifetime_max");
	check_fails("[pcp]\nlifetime_max = 60\n", 2, "lifetime_max",
		    "lifetime_min 120 is not below lifetime_max 60");
	check_fails("[pcp]\nports = 5000\n", 2, "ports",
		    "not a port range LOW-HIGH");
	check_fails("[pcp]\nports = 6000-5000\n", 2, "ports",
		    "low port is above the high port");
	check_fails("[pcp]\nport = 5000-6000\n", 2, "port",
		    "unknown key in [pcp]");
	check_fails("[pcp]\nserver = both\n[pcp]\n", 3, "[pcp]",
		    "given twice (first at line 1)");
	check_fails("[pcpd]\n", 1, "[pcpd]", "[timeouts], [ipv6] and [pcp]");
}

/* A stand-in for a leftover miniupnpd: /bin/sh whose argv[0] says
 * miniupnpd and whose arguments hold conf, as pcpd starts the real one. */
static pid_t fake_daemon(const char *conf)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "/usr/sbin/miniupnpd", "-c",
				 "while :; do sleep 0.05; done", "-f",
				 (char *)conf, NULL };

		execv("/bin/sh", argv);
		_exit(127);
	}
	return pid;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static void test_state_clean(void)
{
	char dir[] = "/tmp/pcpstate-XXXXXX", conf[PATH_MAX], pidf[PATH_MAX],
	     other[PATH_MAX], text[32];
	pid_t pid, stranger;
	int status;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(pcpstate_path(conf, sizeof(conf), dir, "c0-ra",
				      "conf"), 0);
	CU_ASSERT_EQUAL(pcpstate_path(pidf, sizeof(pidf), dir, "c0-ra", "pid"),
			0);
	CU_ASSERT_EQUAL(pcpstate_path(conf, 8, dir, "c0-ra", "conf"),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(pcpstate_path(conf, sizeof(conf), dir, "c0-ra",
				      "conf"), 0);
	write_file(conf, "# test\n");
	pid = fake_daemon(conf);
	/* a process of another config: never touched */
	snprintf(other, sizeof(other), "%s/elsewhere.conf", dir);
	stranger = fake_daemon(other);
	CU_ASSERT_FATAL(pid > 0 && stranger > 0);
	usleep(50000);
	CU_ASSERT_EQUAL(pcpstate_is_ours(pid, conf), 1);
	CU_ASSERT_EQUAL(pcpstate_is_ours(stranger, conf), 0);
	CU_ASSERT_EQUAL(pcpstate_is_ours(getpid(), conf), 0);
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	write_file(pidf, text);
	CU_ASSERT_EQUAL(pcpstate_clean(dir), 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, WNOHANG), pid);
	CU_ASSERT(WIFSIGNALED(status));
	CU_ASSERT_EQUAL(access(conf, F_OK), -1);
	CU_ASSERT_EQUAL(access(pidf, F_OK), -1);
	/* the stranger still runs */
	CU_ASSERT_EQUAL(waitpid(stranger, &status, WNOHANG), 0);
	kill(stranger, SIGKILL);
	waitpid(stranger, &status, 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"defaults", test_defaults},
		{"every key", test_keys},
		{"shipped profiles", test_shipped},
		{"errors name file, line, key", test_errors},
		{"pid-file cleanup", test_state_clean},
	};
	int fails;

	fails = testutil_run_suite("pcpconf", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
