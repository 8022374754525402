/* test_probe_root: the real `punchlab probe` (as root, else SKIP with exit
 * 4): the shipped home-eim and symmetric profiles agree with their
 * declarations on every axis and leave nothing behind; --keep leaves a
 * working probe server that `punchlab down` removes; bad input exits 2.
 * Run from the repo root; PUNCHLAB (else PUNCHLAB_BIN_DIR) overrides the
 * punchlab binary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "lib/testutil.h"

static const char *punchlab_bin(void)
{
	return testutil_bin("PUNCHLAB", "build/bin/punchlab");
}

/* Runs `punchlab ARGS`, returns its exit status and stdout (caller frees). */
static int run(const char *args, char **out)
{
	char cmd[512], buf[4096];
	size_t len = 0, n;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", punchlab_bin(), args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	*out = NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		char *p = realloc(*out, len + n + 1);

		if (!p)
			break;
		*out = p;
		memcpy(p + len, buf, n);
		len += n;
		p[len] = '\0';
	}
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Nothing of run rid left: no namespace, no state directory. */
static int nothing_left(const char *rid)
{
	char path[128];
	struct stat sb;
	const char *tags[] = {"inet", "srv", "t", "cgn", "r", "h1", "h2"};

	for (size_t i = 0; i < sizeof(tags) / sizeof(*tags); i++) {
		snprintf(path, sizeof(path), "/run/netns/pl-%s-%s", rid,
			 tags[i]);
		if (stat(path, &sb) == 0)
			return 0;
	}
	snprintf(path, sizeof(path), "/run/punchlab/%s", rid);
	return stat(path, &sb) != 0;
}

/* The probe of a shipped profile agrees on every axis, with the values
 * expected, and leaves nothing behind. */
static void probe_profile(const char *profile, const char *const want[][2],
			  size_t nwant)
{
	char args[128], *out = NULL;
	json_t *root, *axes, *a;
	json_error_t jerr;
	size_t i;
	int rc;

	snprintf(args, sizeof(args), "probe %s --json", profile);
	rc = run(args, &out);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	root = json_loads(out, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_STRING_EQUAL(
		json_string_value(json_object_get(root, "verdict")), "pass");
	axes = json_object_get(root, "axes");
	CU_ASSERT_TRUE(json_array_size(axes) >= 10); /* TCP 6, UDP 4 */
	json_array_foreach(axes, i, a)
	{
		const char *v =
			json_string_value(json_object_get(a, "verdict"));

		CU_ASSERT_STRING_EQUAL(v, "PASS");
		if (strcmp(v, "PASS"))
			printf("\n  %s: %s\n",
			       json_string_value(json_object_get(a, "axis")),
			       json_string_value(json_object_get(a, "detail")));
	}
	for (size_t w = 0; w < nwant; w++) {
		const char *m = NULL;

		json_array_foreach(axes, i, a) if (
			!strcmp(json_string_value(json_object_get(a, "axis")),
				want[w][0])) m =
			json_string_value(json_object_get(a, "measured"));
		CU_ASSERT_PTR_NOT_NULL(m);
		if (m)
			CU_ASSERT_STRING_EQUAL(m, want[w][1]);
	}
	CU_ASSERT_TRUE(nothing_left(
		json_string_value(json_object_get(root, "run_id"))));
	json_decref(root);
	free(out);
}

static void test_root_home_eim(void)
{
	static const char *const want[][2] = {
		{"mapping", "endpoint-independent"},
		{"port assignment", "preserve"},
		{"filtering", "address+port-dependent"},
		{"unsolicited SYN", "drop"},
		{"hairpinning", "off"},
		{"idle lifetime", "2.5-3.5 s"},
		{"UDP mapping", "endpoint-independent"},
		{"UDP port assignment", "preserve"},
		{"UDP filtering", "address+port-dependent"},
		{"UDP unsolicited", "drop"},
	};

	probe_profile("home-eim", want, sizeof(want) / sizeof(*want));
}

static void test_root_symmetric(void)
{
	static const char *const want[][2] = {
		{"mapping", "address+port-dependent"},
		{"port assignment", "random"},
		{"filtering", "address+port-dependent"},
		{"unsolicited SYN", "drop"},
		{"hairpinning", "off"},
		{"UDP mapping", "address+port-dependent"},
		{"UDP port assignment", "random"},
		{"UDP filtering", "address+port-dependent"},
		{"UDP unsolicited", "drop"},
	};

	probe_profile("symmetric", want, sizeof(want) / sizeof(*want));
}

/* --keep leaves the run up with its server; `punchlab down` removes it. */
static void test_root_keep_down(void)
{
	char *out = NULL, *p, rid[8] = "", path[128], args[64];
	struct stat sb;

	CU_ASSERT_EQUAL(run("probe home-eim --keep", &out), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	p = strstr(out, "probe topology ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	sscanf(p, "probe topology %6[0-9a-f]", rid);
	CU_ASSERT_EQUAL_FATAL(strlen(rid), 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ip netns exec pl-"));
	snprintf(path, sizeof(path), "/run/netns/pl-%s-h1", rid);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "/run/punchlab/%s/pids", rid);
	CU_ASSERT_EQUAL(stat(path, &sb), 0); /* the server, for `down` */
	free(out);
	out = NULL;
	snprintf(args, sizeof(args), "down %s", rid);
	CU_ASSERT_EQUAL(run(args, &out), 0);
	free(out);
	CU_ASSERT_TRUE(nothing_left(rid));
}

static void test_bad_input(void)
{
	char *out = NULL;

	/* bad input is refused before the root check and builds nothing */
	CU_ASSERT_EQUAL(run("probe no-such-profile 2>/dev/null", &out), 2);
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(run("probe 2>/dev/null", &out), 2);
	free(out);
}

int main(void)
{
	CU_pSuite s;
	int failed;

	if (geteuid() != 0) {
		printf("SKIP: test_probe_root needs root\n");
		return 4;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("probe_root", NULL, NULL);
	CU_add_test(s, "bad input exits 2", test_bad_input);
	CU_add_test(s, "home-eim as declared", test_root_home_eim);
	CU_add_test(s, "symmetric as declared", test_root_symmetric);
	CU_add_test(s, "--keep and down", test_root_keep_down);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = (int)CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
