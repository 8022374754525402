/* testutil: helpers the CUnit test programs share: deadlines, children read
 * a JSON line at a time, loopback ports and listeners, config error and
 * bitcoind peer checks, scratch dirs, and running a program's one suite. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "monoclock.h"

#define TESTUTIL_N(a) (sizeof(a) / sizeof((a)[0]))

struct testutil_proc {
	pid_t pid;
	int out;	 /* the child's stdout */
	char buf[16384]; /* read but not yet returned by testutil_proc_json */
	size_t len;
};

struct testutil_case {
	const char *name;
	CU_TestFunc fn;
};

int testutil_left_ms(int64_t deadline);

int testutil_proc_spawn_in(struct testutil_proc *p, char *const argv[],
			   int *in);
int testutil_proc_spawn(struct testutil_proc *p, char *const argv[]);
json_t *testutil_proc_json(struct testutil_proc *p, int timeout_ms);
int testutil_proc_wait(struct testutil_proc *p, int timeout_ms);
const char *testutil_bin(const char *env, const char *fallback);
int testutil_coord_start(struct testutil_proc *p, const char *bin,
			 const char *run_id, char *addr, size_t cap,
			 int timeout_ms);

uint16_t testutil_free_port(void);
int testutil_listener(uint16_t port, int backlog, int reuseport, int *filler);

int testutil_temp_file(char *pattern, int suffix_len, const char *text);

int testutil_read_file(const char *path, char *buf, size_t cap);
struct nat_profile;
int testutil_profile_load(const char *path, struct nat_profile *p);

struct cfg_error;
void testutil_check_cfg_error(const struct cfg_error *err, const char *path,
			      const char *name, int line, const char *key,
			      const char *msg_part);

struct btcnode;
struct btcnode_peer;
int testutil_find_peer(struct btcnode *n, const char *addr,
		       struct btcnode_peer *out);
int testutil_rm_tree(const char *dir);

const char *testutil_jstr(json_t *j, const char *k);
int64_t testutil_jint(json_t *j, const char *k);

int testutil_run_suite(const char *name, CU_InitializeFunc init,
		       CU_CleanupFunc clean, const struct testutil_case *tests,
		       size_t n);

#endif
