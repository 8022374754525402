/* test_scenario: scenario files parse to the expected structs, and every
 * kind of mistake is reported with the right file, line and key. Fixtures
 * in tests/unit/data/ (profiles in data/profiles/); run from the repo root. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "scenario.h"
#include "scenario_value.h"
#include "lib/testutil.h"

#define DATA "tests/unit/data/"
#define PROFILES DATA "profiles"

static struct scenario sc;

/* sc loaded again: what the last load allocated is freed first. */
static int reload(const char *path, const char *profiles, struct scenario *s,
		  struct cfg_error *err)
{
	scenario_free(s);
	return scenario_load(path, profiles, s, err);
}

static void test_good(void)
{
	struct cfg_error err;
	const struct scenario_cell *c;

	CU_ASSERT_EQUAL_FATAL(
	    reload(DATA "scen-good.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_STRING_EQUAL(sc.path, DATA "scen-good.ini");
	CU_ASSERT_STRING_EQUAL(sc.name, "scen-good");
	CU_ASSERT_STRING_EQUAL(sc.description, "unit test scenario");
	CU_ASSERT_EQUAL(sc.trials, 50);
	CU_ASSERT_EQUAL(sc.seed, UINT64_MAX);
	CU_ASSERT_EQUAL(sc.parallel, 10);
	CU_ASSERT_EQUAL(sc.timeout_ms, 100);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 3);

	c = &sc.cells[0];
	CU_ASSERT_STRING_EQUAL(c->name, "eim-eim");
	CU_ASSERT_EQUAL(c->line, 9);
	CU_ASSERT_STRING_EQUAL(c->a.name, "eim");
	CU_ASSERT_STRING_EQUAL(c->b.name, "eim");
	CU_ASSERT_EQUAL(c->a.port_min, 2000); /* the profile really loaded */
	CU_ASSERT_DOUBLE_EQUAL(c->expect_min, 0.95, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 1.0, 1e-12);
	CU_ASSERT_STRING_EQUAL(c->expect_text, ">= 0.95");
	CU_ASSERT_STRING_EQUAL(c->reason, "EIM on both sides");

	c = &sc.cells[1];
	CU_ASSERT_STRING_EQUAL(c->name, "eim-sym");
	CU_ASSERT_EQUAL(c->line, 15);
	CU_ASSERT_EQUAL(c->b.mapping, NAT_MAP_APDM);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_min, 0.2, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 0.8, 1e-12);
	CU_ASSERT_STRING_EQUAL(c->reason, "");

	c = &sc.cells[2];
	CU_ASSERT_STRING_EQUAL(c->name, "sym-sym");
	CU_ASSERT_EQUAL(c->line, 20);
	CU_ASSERT_STRING_EQUAL(c->b.name, "empty");
	CU_ASSERT_EQUAL(c->b.unsolicited_syn, NAT_SYN_RST);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_min, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 0.0, 1e-12);
}

static void test_defaults(void)
{
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    reload(DATA "scen-defaults.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_STRING_EQUAL(sc.name, "scen-defaults");
	CU_ASSERT_EQUAL(sc.trials, 20);
	CU_ASSERT_EQUAL(sc.seed, 1);
	CU_ASSERT_EQUAL(sc.parallel, 8);
	CU_ASSERT_EQUAL(sc.timeout_ms, 5000);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 1);
	CU_ASSERT_STRING_EQUAL(sc.cells[0].name, "only");
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[0].expect_min, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[0].expect_max, 0.1, 1e-12);
}

static void check_error_in(const char *profile_dir, const char *name,
			   int line, const char *key, const char *msg_part)
{
	char path[256];
	struct cfg_error err;

	snprintf(path, sizeof(path), DATA "%s", name);
	CU_ASSERT_EQUAL(reload(path, profile_dir, &sc, &err), -1);
	testutil_check_cfg_error(&err, path, name, line, key, msg_part);
}

static void check_error(const char *name, int line, const char *key,
			const char *msg_part)
{
	check_error_in(PROFILES, name, line, key, msg_part);
}

static void test_errors(void)
{
	check_error("scen-unknown-key.ini", 8, "expected",
		    "unknown key in a cell");
	check_error("scen-unknown-section.ini", 2, "[cel x]",
		    "unknown section");
	check_error("scen-unnamed-cell.ini", 2, "[cell]", "needs a name");
	check_error("scen-bad-number.ini", 3, "parallel",
		    "out of range 1..256");
	check_error("scen-bad-int.ini", 2, "trials", "not a whole number");
	check_error("scen-bad-seed.ini", 2, "seed", "not an unsigned");
	check_error("scen-missing-key.ini", 9, "b", "missing in [cell y]");
	check_error("scen-no-cells.ini", 0, "", "no [cell NAME] section");
	check_error("scen-unknown-profile.ini", 5, "b",
		    "no NAT profile 'nosuch'");
	check_error("scen-bad-profile-name.ini", 2, "a", "not a profile name");
	check_error("scen-bad-expect.ini", 4, "expect",
		    "'> 0.5' is not an expectation");
	check_error("scen-bad-expect-range.ini", 4, "expect",
		    "not an expectation");
	check_error("scen-dup-cell.ini", 10, "[cell x]", "first at line 2");
	check_error("scen-dup-key.ini", 4, "a", "first at line 2");
	check_error("scen-long-line.ini", 7, "", "longer than 199");
	check_error("scen-syntax.ini", 6, "", "syntax error");
	check_error("no-such-scenario.ini", 0, "", "cannot open");
	/* 30000 + 30000 fits the shaper; 30000 + 30001 does not. */
	check_error("scen-delay-sum.ini", 8, "coord_delay_b_ms",
		    "rtt_ms / 2 + coord_delay_b_ms + access_b_ms is 60001 ms in "
		    "[cell far]");
}

/* A broken profile: the scenario's line and key, plus the profile's own
 * file, line and key so the user can go and fix it. */
static void test_broken_profile(void)
{
	check_error(
	    "scen-broken-profile.ini", 3, "a",
	    "NAT profile 'broken' is broken: " PROFILES
	    "/broken.ini:4: key 'filtering': 'sometimes' is not one of");
}

/* A profile with behind brings its carrier; a bad carrier is reported at
 * the scenario line that named the profile, with the profile's own file,
 * line and key `behind` in the message. */
static void test_carrier(void)
{
	struct cfg_error err;
	const struct scenario_cell *c;

	CU_ASSERT_EQUAL_FATAL(
	    reload(DATA "scen-carrier.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 1);
	c = &sc.cells[0];
	CU_ASSERT_STRING_EQUAL(c->a.name, "home-behind");
	CU_ASSERT_EQUAL(c->a_has_carrier, 1);
	CU_ASSERT_STRING_EQUAL(c->a_carrier.name, "carrier");
	CU_ASSERT_EQUAL(c->a_carrier.port_block, 1000);
	CU_ASSERT_EQUAL(c->b_has_carrier, 0);

	CU_ASSERT_EQUAL_FATAL(
	    reload(DATA "scen-good.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_EQUAL(sc.cells[0].a_has_carrier, 0);

	check_error("scen-carrier-missing.ini", 6, "b",
		    "NAT profile 'behind-missing' is broken: " PROFILES
		    "/behind-missing.ini:5: key 'behind': no carrier profile "
		    "'nosuch'");
	check_error("scen-nat4444.ini", 2, "a",
		    PROFILES "/behind-4444.ini:3: key 'behind': carrier "
			     "profile 'home-behind' is itself behind "
			     "'carrier'");
}

static void check_expect(const char *text, double min, double max)
{
	double lo = -1, hi = -1;

	CU_ASSERT_EQUAL(scenario_parse_expect(text, &lo, &hi), 0);
	CU_ASSERT_DOUBLE_EQUAL(lo, min, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(hi, max, 1e-12);
}

static void test_expect(void)
{
	static const char *const bad[] = {
	    "> 0.5",  ">= 1.5",	    ">= -0.1",	">= 0x1",   ">= inf",
	    ">= nan", ">= 1e-1",    "0.9..0.1", "1..",	    "..1",
	    "",	      ">=",	    "0.5",	">= 0.5 x", "1.2.3..2",
	    "0...1",  "== 0.5 0.6", "=< 0.5",	">= .",	    "none 0.5",
	    "nones",  "none..1",    NULL,
	};
	double lo, hi;
	int i;

	check_expect(">= 0.95", 0.95, 1.0);
	check_expect("<=0.1", 0.0, 0.1);
	check_expect("== 0", 0.0, 0.0);
	check_expect("==1", 1.0, 1.0);
	check_expect("0.8..1.0", 0.8, 1.0);
	check_expect("0 .. 1", 0.0, 1.0);
	check_expect("1..1", 1.0, 1.0);
	check_expect("0..0.5", 0.0, 0.5);
	check_expect(">= .5", 0.5, 1.0);
	check_expect("none", 0.0, 1.0); /* measured, not gated */
	check_expect("  none", 0.0, 1.0);
	for (i = 0; bad[i]; i++) {
		if (scenario_parse_expect(bad[i], &lo, &hi) == 0)
			fprintf(stderr, "\naccepted bad expect '%s'\n", bad[i]);
		CU_ASSERT_EQUAL(scenario_parse_expect(bad[i], &lo, &hi), -1);
	}
}

/* Conditions and [matrix] expansion (scen-m-*.ini). Bits of
 * scenario_cell.params, in cellcond_params order. */
enum {
	P_RTT = 1 << 0,
	P_JITTER = 1 << 1,
	P_LOSS = 1 << 2,
	P_RATE = 1 << 3,
	P_SKEW = 1 << 4,
	P_CDA = 1 << 5,
	P_CDB = 1 << 6,
};

static const struct scenario_cell *find_cell(const char *name)
{
	for (int i = 0; i < sc.ncells; i++)
		if (!strcmp(sc.cells[i].name, name))
			return &sc.cells[i];
	fprintf(stderr, "\nno cell '%s'\n", name);
	return NULL;
}

/* [scenario] sets defaults for every cell; a [cell] or [matrix] key wins
 * over them; a [matrix] of 2 a x 3 b x 2 rtt gives 12 cells, a outermost,
 * rtt innermost, after the [cell]s. */
static void test_matrix(void)
{
	static const struct {
		const char *name, *a, *b;
		double rtt;
	} want[12] = {
	    {"sweep:eim:eim:rtt_ms=10", "eim", "eim", 10},
	    {"sweep:eim:eim:rtt_ms=80.5", "eim", "eim", 80.5},
	    {"sweep:eim:sym:rtt_ms=10", "eim", "sym", 10},
	    {"sweep:eim:sym:rtt_ms=80.5", "eim", "sym", 80.5},
	    {"sweep:eim:empty:rtt_ms=10", "eim", "empty", 10},
	    {"sweep:eim:empty:rtt_ms=80.5", "eim", "empty", 80.5},
	    {"sweep:sym:eim:rtt_ms=10", "sym", "eim", 10},
	    {"sweep:sym:eim:rtt_ms=80.5", "sym", "eim", 80.5},
	    {"sweep:sym:sym:rtt_ms=10", "sym", "sym", 10},
	    {"sweep:sym:sym:rtt_ms=80.5", "sym", "sym", 80.5},
	    {"sweep:sym:empty:rtt_ms=10", "sym", "empty", 10},
	    {"sweep:sym:empty:rtt_ms=80.5", "sym", "empty", 80.5},
	};
	/* Two swept parameters; their nesting is not documented, so only
	 * the set of cells is checked. */
	static const struct {
		const char *name;
		double loss, skew;
	} two[4] = {
	    {"two:sym:eim:loss=0:skew_ms=-100", 0, -100},
	    {"two:sym:eim:loss=0.5:skew_ms=-100", 0.5, -100},
	    {"two:sym:eim:loss=0:skew_ms=100", 0, 100},
	    {"two:sym:eim:loss=0.5:skew_ms=100", 0.5, 100},
	};
	struct cfg_error err;
	const struct scenario_cell *c;
	int i;

	CU_ASSERT_EQUAL_FATAL(
	    reload(DATA "scen-m-matrix.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_EQUAL(sc.trials, 5);
	CU_ASSERT_EQUAL(sc.mode, 1); /* handoff */
	CU_ASSERT_EQUAL(sc.node, 2); /* bitcoind-import */
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 2 + 12 + 4);

	/* Its own skew, rtt and coord_delay_b (0, but set); the defaults'
	 * jitter and loss. */
	c = &sc.cells[0];
	CU_ASSERT_STRING_EQUAL(c->name, "own");
	CU_ASSERT_EQUAL(c->line, 11);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.skew_ms, -500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.rtt_ms, 40, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.jitter_ms, 2.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.loss, 0.01, 1e-12);
	CU_ASSERT_EQUAL(c->cond.rate_kbit, 0);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.coord_delay_a_ms, 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.coord_delay_b_ms, 0, 1e-9);
	CU_ASSERT_EQUAL(c->params, P_RTT | P_JITTER | P_LOSS | P_SKEW | P_CDB);

	/* Sets nothing itself: all from [scenario]. */
	c = &sc.cells[1];
	CU_ASSERT_STRING_EQUAL(c->name, "tail");
	CU_ASSERT_EQUAL(c->line, 27);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.rtt_ms, 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.jitter_ms, 2.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.loss, 0.01, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.skew_ms, 250, 1e-9);
	CU_ASSERT_EQUAL(c->params, P_JITTER | P_LOSS | P_SKEW);
	CU_ASSERT_STRING_EQUAL(c->reason, "");

	for (i = 0; i < 12; i++) {
		c = &sc.cells[2 + i];
		CU_ASSERT_STRING_EQUAL(c->name, want[i].name);
		CU_ASSERT_EQUAL(c->line, 19);
		CU_ASSERT_STRING_EQUAL(c->a.name, want[i].a);
		CU_ASSERT_STRING_EQUAL(c->b.name, want[i].b);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.rtt_ms, want[i].rtt, 1e-9);
		/* rate_kbit: one value, so set but not in the name */
		CU_ASSERT_EQUAL(c->cond.rate_kbit, 1000);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.jitter_ms, 2.5, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.loss, 0.01, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.skew_ms, 250, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.coord_delay_a_ms, 0, 1e-9);
		CU_ASSERT_EQUAL(c->params,
				P_RTT | P_RATE | P_JITTER | P_LOSS | P_SKEW);
		CU_ASSERT_DOUBLE_EQUAL(c->expect_min, 0.5, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 1.0, 1e-12);
		CU_ASSERT_STRING_EQUAL(c->expect_text, "0.5..1");
		CU_ASSERT_STRING_EQUAL(c->reason, "swept rtt");
		CU_ASSERT_EQUAL(c->a_has_carrier, 0);
		CU_ASSERT_EQUAL(c->b_has_carrier, 0);
	}
	/* the profiles really loaded, not just their names copied */
	CU_ASSERT_EQUAL(sc.cells[2].a.port_min, 2000);
	CU_ASSERT_EQUAL(sc.cells[4].b.mapping, NAT_MAP_APDM);
	CU_ASSERT_EQUAL(sc.cells[8].a.mapping, NAT_MAP_APDM);
	CU_ASSERT_EQUAL(sc.cells[8].b.port_min, 2000);

	for (i = 0; i < 4; i++) {
		c = find_cell(two[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT(c >= &sc.cells[14]);
		CU_ASSERT_EQUAL(c->line, 32);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.loss, two[i].loss, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.skew_ms, two[i].skew, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.coord_delay_a_ms, 7, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.jitter_ms, 2.5, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(c->cond.rtt_ms, 0, 1e-9);
		CU_ASSERT_EQUAL(c->params, P_JITTER | P_LOSS | P_SKEW | P_CDA);
		CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 0.2, 1e-12);
		CU_ASSERT_STRING_EQUAL(c->b.name, "eim");
	}

	/* No condition keys anywhere: all zero, no params. */
	CU_ASSERT_EQUAL_FATAL(
	    reload(DATA "scen-good.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_EQUAL(sc.mode, 0);
	CU_ASSERT_EQUAL(sc.node, 0);
	for (i = 0; i < sc.ncells; i++) {
		CU_ASSERT_EQUAL(sc.cells[i].params, 0);
		CU_ASSERT_EQUAL(cellcond_shaped(&sc.cells[i].cond), 0);
		CU_ASSERT_DOUBLE_EQUAL(sc.cells[i].cond.skew_ms, 0, 1e-12);
	}
}

/* SCENARIO_MAX_CELLS from one matrix is fine; one more cell is not. */
static void test_matrix_limit(void)
{
	struct cfg_error err;
	const struct scenario_cell *c;
	int i, j;

	CU_ASSERT_EQUAL_FATAL(
	    reload(DATA "scen-m-max.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, SCENARIO_MAX_CELLS);
	CU_ASSERT_STRING_EQUAL(sc.cells[0].name,
			       "full:eim:eim:rtt_ms=0:jitter_ms=0:loss=0");
	c = &sc.cells[SCENARIO_MAX_CELLS - 1];
	CU_ASSERT_STRING_EQUAL(c->name,
			       "full:sym:eim:rtt_ms=7:jitter_ms=15:loss=0.75");
	CU_ASSERT_DOUBLE_EQUAL(c->cond.rtt_ms, 7, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.jitter_ms, 15, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c->cond.loss, 0.75, 1e-9);
	CU_ASSERT_EQUAL(c->params, P_RTT | P_JITTER | P_LOSS);
	for (i = 0; i < sc.ncells; i++)
		for (j = i + 1; j < sc.ncells; j++)
			if (!strcmp(sc.cells[i].name, sc.cells[j].name))
				CU_FAIL("two cells with one name");

	check_error("scen-m-too-many.ini", 7, "[matrix full]",
		    "expands to 4096 cells; with the 1 before it that is "
		    "more than 4096");
	/* 32^7 combinations: far more than an int holds. */
	check_error("scen-m-overflow.ini", 3, "[matrix h]",
		    "expands to 34359738368 cells");
	/* Names longer than the name buffer are refused, not overrun. */
	check_error_in(DATA, "scen-m-long-name.ini", 4, "",
		       "is too long; shorten the matrix name");
}

static void test_matrix_errors(void)
{
	check_error("scen-m-unknown-profile.ini", 5, "b",
		    "no NAT profile 'nosuch'");
	check_error("scen-m-unknown-profile-a.ini", 4, "a",
		    "no NAT profile 'nosuch'");
	check_error("scen-m-no-expect.ini", 7, "expect",
		    "missing in [matrix noexp]");
	check_error("scen-m-dup-matrix.ini", 7, "[matrix m]",
		    "matrix name used twice (first at line 2)");
	check_error("scen-m-dup-value.ini", 2, "",
		    "makes cell 'm:eim:sym:rtt_ms=10' twice");
	check_error("scen-m-dup-profile.ini", 2, "",
		    "makes cell 'm:eim:sym' twice");
	check_error("scen-m-bad-list.ini", 5, "loss", "loss must be in 0..1");
}

/* Writes text to a scenario file of its own, loads it, removes it. The
 * path is left in path for comparing with err.file. */
static int load_text(const char *text, char *path, size_t cap,
		     struct cfg_error *err)
{
	int r;

	snprintf(path, cap, "/tmp/scen-m-XXXXXX.ini");
	if (testutil_temp_file(path, 4, text) < 0)
		return -2;
	r = reload(path, PROFILES, &sc, err);
	unlink(path);
	return r;
}

enum { IN_SCENARIO, IN_CELL, IN_MATRIX, IN_LIST, IN_END };

/* key = value placed in [scenario], a [cell], a [matrix] alone and last
 * in a [matrix] list; always on line 5 (after 3 lines of padding in
 * [scenario]). */
static int load_key(int where, const char *key, const char *value,
		    char *path, size_t cap, struct cfg_error *err)
{
	static const char cell[] = "a = eim\nb = eim\nexpect = >= 0\n";
	char text[512];

	switch (where) {
	case IN_SCENARIO:
		snprintf(text, sizeof(text),
			 "[scenario]\ntrials = 1\nseed = 1\nparallel = 1\n"
			 "%s = %s\n[cell c]\n%s",
			 key, value, cell);
		break;
	case IN_CELL:
		snprintf(text, sizeof(text), "[cell c]\n%s%s = %s\n", cell,
			 key, value);
		break;
	case IN_MATRIX:
		snprintf(text, sizeof(text), "[matrix c]\n%s%s = %s\n", cell,
			 key, value);
		break;
	default:
		/* a valid first value (differing from the tested ones), so
		 * the tested one is the second cell */
		snprintf(text, sizeof(text), "[matrix c]\n%s%s = %s, %s\n",
			 cell, key, strcmp(key, "loss") ? "1" : "0", value);
	}
	return load_text(text, path, cap, err);
}

/* key = value loaded in place w: the cell the value landed in (in a
 * two-value list the tested value is the second in its dimension: cell
 * 1), or NULL after saying why it was refused. */
static const struct scenario_cell *load_in(int w, const char *key,
					   const char *value, char *path,
					   size_t cap, struct cfg_error *err)
{
	if (load_key(w, key, value, path, cap, err) != 0) {
		fprintf(stderr, "\n%s = '%s' (place %d): %s\n", key, value, w,
			err->msg);
		CU_FAIL("good value refused");
		return NULL;
	}
	CU_ASSERT_EQUAL_FATAL(sc.ncells, w == IN_LIST ? 2 : 1);
	return &sc.cells[w == IN_LIST ? 1 : 0];
}

static int param_index(const char *key)
{
	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		if (!strcmp(cellcond_params[i].name, key))
			return i;
	return -1;
}

/* Values each condition key accepts, read the same in every section. */
static void test_cond_values(void)
{
	static const struct {
		const char *key, *value;
		double want;
	} good[] = {
	    {"rtt_ms", "0", 0},
	    {"rtt_ms", "60000", 60000},
	    {"rtt_ms", " 12.75 ", 12.75},
	    {"jitter_ms", ".5", 0.5},
	    {"loss", "1", 1},
	    {"loss", "0.003", 0.003},
	    {"rate_kbit", "56000", 56000},
	    {"rate_kbit", "100000000", 100000000},
	    {"skew_ms", "-250.5", -250.5},
	    {"skew_ms", "-60000", -60000},
	    {"skew_ms", "60000", 60000},
	    {"coord_delay_a_ms", "15", 15},
	    {"coord_delay_b_ms", "0.25", 0.25},
	    {"access_a_ms", "7.5", 7.5},
	    /* distributions: the cell's nominal value is their median */
	    {"rtt_ms", "lognormal:median=40,p90=120", 40},
	    {"jitter_ms", "uniform:0,2", 1},
	    {"loss", "uniform:0,0.02", 0.01},
	    {"access_a_ms", "normal:mean=5,sd=2", 5},
	    {"access_b_ms", "uniform:1,5", 3},
	    {"coord_delay_a_ms", "lognormal:median=10,p90=30", 10},
	    {"coord_delay_b_ms", "uniform:0,30", 15},
	    {"skew_ms", "uniform:-100,100", 0},
	};
	char path[64];
	struct cfg_error err;
	size_t k;

	for (k = 0; k < sizeof(good) / sizeof(*good); k++) {
		int i = param_index(good[k].key);

		CU_ASSERT_FATAL(i >= 0);
		for (int w = IN_SCENARIO; w < IN_END; w++) {
			const struct scenario_cell *c = load_in(
				w, good[k].key, good[k].value, path,
				sizeof(path), &err);

			if (!c)
				continue;
			CU_ASSERT_DOUBLE_EQUAL(cellcond_get(&c->cond, i),
					       good[k].want, 1e-9);
			CU_ASSERT_EQUAL(c->params, 1u << i);
		}
	}
}

/* Values refused, at the key's line, in every section; the message says
 * what was wrong. */
static void test_cond_refused(void)
{
	static const struct {
		const char *key, *value, *msg;
	} bad[] = {
	    {"rtt_ms", "-1", "rtt_ms must be in 0..60000"},
	    {"rtt_ms", "60000.5", "rtt_ms must be in 0..60000"},
	    {"jitter_ms", "-0.5", "jitter_ms must be in 0..60000"},
	    {"coord_delay_a_ms", "-3", "coord_delay_a_ms must be in"},
	    {"coord_delay_b_ms", "60001", "coord_delay_b_ms must be in"},
	    {"skew_ms", "-60001", "skew_ms must be in -60000..60000"},
	    {"loss", "1.5", "loss must be in 0..1"},
	    {"loss", "1.0001", "loss must be in 0..1"},
	    {"loss", "-0.1", "loss must be in 0..1"},
	    {"rate_kbit", "1.5", "'1.5' is not a whole number"},
	    {"rate_kbit", "1000.0", "'1000.0' is not a whole number"},
	    {"rate_kbit", "-1", "rate_kbit must be in 0..1e+08"},
	    {"rate_kbit", "100000001", "rate_kbit must be in 0..1e+08"},
	    {"rtt_ms", "0x10", "'0x10' is not a number"},
	    {"rtt_ms", "1e3", "'1e3' is not a number"},
	    {"rtt_ms", "inf", "'inf' is not a number"},
	    {"skew_ms", "-inf", "'-inf' is not a number"},
	    {"loss", "nan", "'nan' is not a number"},
	    {"loss", "1E-1", "'1E-1' is not a number"},
	    {"rate_kbit", "0x400", "is not a whole number"},
	    {"rate_kbit", "1e3", "is not a whole number"},
	    {"rtt_ms", "+5", "'+5' is not a number"},
	    {"rtt_ms", "1.2.3", "is not a number"},
	    {"rtt_ms", ".", "is not a number"},
	    {"skew_ms", "-", "is not a number"},
	    {"skew_ms", "--5", "is not a number"},
	    {"rtt_ms", "10 ms", "'10 ms' is not a number"},
	    {"rtt_ms", "1 000", "is not a number"},
	    {"rtt_ms", "12345678901234567890123456789012", "not a number"},
	    {"rtt_ms", "lognormal:median=40", "lognormal:median=M,p90=Q"},
	    {"rtt_ms", "uniform:9,5", "LO <= HI"},
	    {"loss", "uniform:0,2", "in 0..1"},
	    {"rtt_ms", "weibull:1,2", "is not a number or a distribution"},
	    {"rate_kbit", "uniform:1,2", "rate_kbit takes a fixed number"},
	    {"rtt_ms", "csv:no-such.csv", "cannot open"},
	    {"access_a_ms", "normal:mean=1,sd=-1", "S >= 0"},
	    {"home", "both", "is not a home; want separate, shared"},
	    {"home", "Shared", "is not a home"},
	    {"hosts_a", "9", "hosts_a must be in 0..8"},
	    {"hosts_b", "-1", "hosts_b must be in 0..8"},
	    {"hosts_a", "1.5", "'1.5' is not a whole number"},
	};
	char path[64];
	struct cfg_error err;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(*bad); k++)
		for (int w = IN_SCENARIO; w < IN_END; w++) {
			int r = load_key(w, bad[k].key, bad[k].value, path,
					 sizeof(path), &err);

			CU_ASSERT_EQUAL(r, -1);
			if (r != -1) {
				fprintf(stderr, "\naccepted %s = '%s' (place %d)\n",
					bad[k].key, bad[k].value, w);
				continue;
			}
			CU_ASSERT_STRING_EQUAL(err.file, path);
			CU_ASSERT_EQUAL(err.line, 5);
			CU_ASSERT_STRING_EQUAL(err.key, bad[k].key);
			if (!strstr(err.msg, bad[k].msg))
				fprintf(stderr, "\n%s = '%s' (place %d): '%s' "
					"lacks '%s'\n", bad[k].key,
					bad[k].value, w, err.msg, bad[k].msg);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[k].msg));
		}

	/* Lists belong in a [matrix] only. */
	CU_ASSERT_EQUAL(load_key(IN_SCENARIO, "rtt_ms", "10, 20", path,
				 sizeof(path), &err), -1);
	CU_ASSERT_EQUAL(load_key(IN_CELL, "skew_ms", "-1,1", path,
				 sizeof(path), &err), -1);
	CU_ASSERT_EQUAL(err.line, 5);
	CU_ASSERT_STRING_EQUAL(err.key, "skew_ms");
	/* an empty element in a list */
	CU_ASSERT_EQUAL(load_key(IN_MATRIX, "rtt_ms", "10,,20", path,
				 sizeof(path), &err), -1);
	CU_ASSERT_STRING_EQUAL(err.key, "rtt_ms");
	CU_ASSERT_EQUAL(load_key(IN_MATRIX, "rtt_ms", "10,", path,
				 sizeof(path), &err), -1);
}

/* A default given in a [scenario] after the cells still reaches them. */
static void test_cond_default_late(void)
{
	char path[64];
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    load_text("[cell x]\na = eim\nb = eim\nexpect = >= 0\n"
		      "[matrix m]\na = eim\nb = sym\nexpect = >= 0\n"
		      "[scenario]\nrtt_ms = 30\n",
		      path, sizeof(path), &err),
	    0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 2);
	CU_ASSERT_STRING_EQUAL(sc.cells[1].name, "m:eim:sym");
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_DOUBLE_EQUAL(sc.cells[i].cond.rtt_ms, 30, 1e-9);
		CU_ASSERT_EQUAL(sc.cells[i].params, P_RTT);
	}
}

static void check_enum(const char *key, const char *value, int want)
{
	char path[64], text[256];
	struct cfg_error err;
	int r;

	snprintf(text, sizeof(text),
		 "[scenario]\n%s = %s\n[cell c]\na = eim\nb = eim\n"
		 "expect = >= 0\n",
		 key, value);
	r = load_text(text, path, sizeof(path), &err);
	if (want >= 0) {
		CU_ASSERT_EQUAL_FATAL(r, 0);
		CU_ASSERT_EQUAL(!strcmp(key, "mode") ? sc.mode : sc.node, want);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(r, -1);
	CU_ASSERT_STRING_EQUAL(err.file, path);
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_STRING_EQUAL(err.key, key);
	/* the message lists what is accepted */
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    err.msg, !strcmp(key, "mode") ? "rendezvous, handoff, out-of-band, "
						"advertised"
					  : "embedded, bitcoind, "
					    "bitcoind-import"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, value));
}

static void test_mode_node(void)
{
	char path[64];
	struct cfg_error err;

	check_enum("mode", "rendezvous", 0);
	check_enum("mode", "handoff", 1);
	check_enum("mode", "out-of-band", 2);
	check_enum("mode", "advertised", 3);
	check_enum("node", "embedded", 0);
	check_enum("node", "bitcoind", 1);
	check_enum("node", "bitcoind-import", 2);
	check_enum("mode", "Handoff", -1);
	check_enum("mode", "oob", -1);
	check_enum("mode", "out_of_band", -1);
	check_enum("node", "bitcoind-imports", -1);
	check_enum("node", "core", -1);
	/* run settings, not per cell */
	CU_ASSERT_EQUAL(load_key(IN_CELL, "mode", "handoff", path,
				 sizeof(path), &err), -1);
	CU_ASSERT_EQUAL(err.line, 5);
	CU_ASSERT_STRING_EQUAL(err.key, "mode");
	CU_ASSERT_EQUAL(load_key(IN_MATRIX, "node", "bitcoind", path,
				 sizeof(path), &err), -1);
	CU_ASSERT_STRING_EQUAL(err.key, "node");
}

/* timing_error_max_ms and realtime: run settings in [scenario] with
 * their defaults, refused in a cell and when malformed, by line and key. */
static void test_timing_keys(void)
{
	static const char *const bad_ms[] = { "0", "-1", "1e3", "abc", "1.2.3",
					      "60001", "" };
	char path[64];
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
		reload(DATA "scen-defaults.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(sc.timing_error_max_ms, 1.0, 0);
	CU_ASSERT_EQUAL(sc.realtime, 1);
	CU_ASSERT_EQUAL_FATAL(load_key(IN_SCENARIO, "timing_error_max_ms",
				       "0.25", path, sizeof(path), &err),
			      0);
	CU_ASSERT_DOUBLE_EQUAL(sc.timing_error_max_ms, 0.25, 1e-12);
	CU_ASSERT_EQUAL_FATAL(load_key(IN_SCENARIO, "realtime", "off", path,
				       sizeof(path), &err),
			      0);
	CU_ASSERT_EQUAL(sc.realtime, 0);
	for (size_t i = 0; i < sizeof(bad_ms) / sizeof(bad_ms[0]); i++) {
		CU_ASSERT_EQUAL(load_key(IN_SCENARIO, "timing_error_max_ms",
					 bad_ms[i], path, sizeof(path), &err),
				-1);
		CU_ASSERT_EQUAL(err.line, 5);
		CU_ASSERT_STRING_EQUAL(err.key, "timing_error_max_ms");
	}
	CU_ASSERT_EQUAL(load_key(IN_SCENARIO, "realtime", "maybe", path,
				 sizeof(path), &err),
			-1);
	CU_ASSERT_STRING_EQUAL(err.key, "realtime");
	CU_ASSERT_EQUAL(load_key(IN_CELL, "timing_error_max_ms", "1", path,
				 sizeof(path), &err),
			-1);
	CU_ASSERT_STRING_EQUAL(err.key, "timing_error_max_ms");
}

/* strategy: a name in [scenario], [cell] and a [matrix] list (the cell
 * names carry the name, not its index); refused by name, and where the
 * coordinator is missing (out of band), at the key's line. */
static void test_strategy(void)
{
	char path[64];
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
		load_text("[scenario]\nstrategy = low-ttl\n"
			  "[matrix m]\na = eim\nb = sym\nexpect = >= 0\n"
			  "strategy = connect, listen-connect\n"
			  "predict_window = 8\n"
			  "[cell c]\na = eim\nb = eim\nexpect = >= 0\n",
			  path, sizeof(path), &err),
		0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 3);
	CU_ASSERT_STRING_EQUAL(sc.cells[1].name, "m:eim:sym:strategy=connect");
	CU_ASSERT_STRING_EQUAL(sc.cells[2].name,
			       "m:eim:sym:strategy=listen-connect");
	CU_ASSERT_EQUAL(sc.cells[2].cond.strategy, CELLCOND_LISTEN_CONNECT);
	CU_ASSERT_EQUAL(sc.cells[2].cond.predict_window, 8);
	CU_ASSERT_STRING_EQUAL(cellcond_value_name(&sc.cells[0].cond,
						   CELLCOND_STRATEGY),
			       "low-ttl");
	CU_ASSERT_PTR_NULL(cellcond_value_name(&sc.cells[0].cond,
					       CELLCOND_RTT));

	CU_ASSERT_EQUAL(load_text("[cell c]\na = eim\nb = eim\n"
				  "expect = >= 0\nstrategy = sneaky\n",
				  path, sizeof(path), &err),
			-1);
	CU_ASSERT_EQUAL(err.line, 5);
	CU_ASSERT_STRING_EQUAL(err.key, "strategy");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'sneaky' is not a strategy"));

	CU_ASSERT_EQUAL(load_text("[scenario]\nmode = out-of-band\n"
				  "strategy = predict\n[cell c]\na = eim\n"
				  "b = eim\nexpect = >= 0\n",
				  path, sizeof(path), &err),
			-1);
	CU_ASSERT_EQUAL(err.line, 3);
	CU_ASSERT_STRING_EQUAL(err.key, "strategy");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "predict needs the coordinator"));
	CU_ASSERT_EQUAL(load_text("[scenario]\nmode = out-of-band\n"
				  "strategy = listen-connect\n[cell c]\n"
				  "a = eim\nb = eim\nexpect = >= 0\n",
				  path, sizeof(path), &err),
			0);
}

/* A distribution keeps its spec, in a [matrix] list too, where its own
 * commas do not split the list (the values themselves: test_cond_values
 * and test_cond_refused); a CSV column loads once. */
static void test_cond_dists(void)
{
	static const char *const specs[] = {
	    "lognormal:median=40,p90=120", "uniform:0,2",
	    "normal:mean=5,sd=2",
	};
	char path[64], text[CONDDIST_TEXT_MAX], csv[300], abs[PATH_MAX];
	struct cfg_error err;

	for (size_t k = 0; k < sizeof(specs) / sizeof(*specs); k++) {
		const struct scenario_cell *c = load_in(
			IN_LIST, "rtt_ms", specs[k], path, sizeof(path), &err);

		if (!c)
			continue;
		conddist_format(&c->dist[CELLCOND_RTT], text, sizeof(text));
		CU_ASSERT_STRING_EQUAL(text, specs[k]);
		/* the list's first value: fixed */
		CU_ASSERT_EQUAL(sc.cells[0].dist[CELLCOND_RTT].kind,
				CONDDIST_FIXED);
	}
	/* csv: relative to the scenario's folder, or absolute */
	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(DATA "cond-rtt.csv", abs));
	CU_ASSERT_FATAL(strlen(abs) < 200);
	snprintf(csv, sizeof(csv), "csv:%.200s:rtt_ms", abs);
	CU_ASSERT_EQUAL_FATAL(load_key(IN_LIST, "rtt_ms", csv, path,
				       sizeof(path), &err), 0);
	CU_ASSERT_EQUAL(sc.ncsvs, 1);
	CU_ASSERT_EQUAL(sc.cells[1].dist[CELLCOND_RTT].csv, &sc.csvs[0]);
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[1].cond.rtt_ms, 30, 1e-9);
	CU_ASSERT_STRING_EQUAL(sc.cells[1].name,
			       "c:eim:eim:rtt_ms=csv:cond-rtt.csv:rtt_ms");
	/* a choice takes no distribution */
	CU_ASSERT_EQUAL(load_key(IN_CELL, "strategy", "uniform:1,2", path,
				 sizeof(path), &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "strategy takes a fixed"));
}

/* A refused home: load_text fails at line, key, with msg in the text. */
static void check_home_refused(const char *text, int line, const char *key,
			       const char *msg)
{
	char path[64];
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(load_text(text, path, sizeof(path), &err), -1);
	CU_ASSERT_STRING_EQUAL(err.file, path);
	CU_ASSERT_EQUAL(err.line, line);
	CU_ASSERT_STRING_EQUAL(err.key, key);
	if (!strstr(err.msg, msg))
		fprintf(stderr, "\n'%s' lacks '%s'\n", err.msg, msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg));
}

/* home = shared: b is router a's (left out, or the same profile), in a
 * [cell], from [scenario], and in a [matrix] without b ("NAME:a:same")
 * or sweeping home with b (shared cells only where b = a); hosts_a/b. */
static void test_home(void)
{
	char path[64];
	struct cfg_error err;
	const struct scenario_cell *c;

	CU_ASSERT_EQUAL_FATAL(
		load_text("[scenario]\nhome = shared\nhosts_a = 2\n"
			  "[cell c]\na = sym\nexpect = == 0\n"
			  "[cell d]\na = eim\nb = eim\nexpect = >= 0\n"
			  "home = separate\nhosts_b = 3\n"
			  "[matrix m]\na = eim, sym\nexpect = >= 0\n",
			  path, sizeof(path), &err),
		0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 4);
	c = &sc.cells[0];
	CU_ASSERT_EQUAL(c->cond.home, CELLCOND_HOME_SHARED);
	CU_ASSERT_STRING_EQUAL(c->b.name, "sym");
	CU_ASSERT_EQUAL(c->b.mapping, c->a.mapping);
	CU_ASSERT_EQUAL(c->cond.hosts_a, 2);
	CU_ASSERT_EQUAL(c->cond.hosts_b, 0);
	CU_ASSERT(c->params & (1u << CELLCOND_HOME));
	CU_ASSERT(c->params & (1u << CELLCOND_HOSTS_A));
	CU_ASSERT_STRING_EQUAL(
		cellcond_value_name(&c->cond, CELLCOND_HOME), "shared");
	c = &sc.cells[1];
	CU_ASSERT_EQUAL(c->cond.home, CELLCOND_HOME_SEPARATE);
	CU_ASSERT_EQUAL(c->cond.hosts_b, 3);
	CU_ASSERT_EQUAL(c->cond.hosts_a, 2); /* [scenario]'s */
	CU_ASSERT_STRING_EQUAL(sc.cells[2].name, "m:eim:same");
	CU_ASSERT_STRING_EQUAL(sc.cells[3].name, "m:sym:same");
	CU_ASSERT_STRING_EQUAL(sc.cells[3].b.name, "sym");

	/* home swept with b: shared only where b names a's profile */
	CU_ASSERT_EQUAL_FATAL(
		load_text("[matrix m]\na = eim, sym\nb = eim, sym\n"
			  "home = separate, shared\nexpect = >= 0\n",
			  path, sizeof(path), &err),
		0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 6);
	CU_ASSERT_PTR_NOT_NULL(find_cell("m:eim:sym:home=separate"));
	CU_ASSERT_PTR_NOT_NULL(find_cell("m:sym:sym:home=shared"));
	for (int i = 0; i < sc.ncells; i++) /* one router, one profile */
		CU_ASSERT(sc.cells[i].cond.home == CELLCOND_HOME_SEPARATE ||
			  !strcmp(sc.cells[i].a.name, sc.cells[i].b.name));
	c = find_cell("m:eim:eim:home=shared");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->cond.home, CELLCOND_HOME_SHARED);

	/* [cell] b = a's profile is allowed in a shared home */
	CU_ASSERT_EQUAL(load_text("[cell c]\na = eim\nb = eim\n"
				  "home = shared\nexpect = >= 0\n",
				  path, sizeof(path), &err),
			0);

	check_home_refused("[cell c]\na = eim\nb = sym\nhome = shared\n"
			   "expect = >= 0\n",
			   1, "b", "home = shared: bob sits behind router a");
	check_home_refused("[scenario]\nhome = shared\n"
			   "[matrix m]\na = eim\nb = sym\nexpect = >= 0\n",
			   3, "b", "so b cannot be sym");
	check_home_refused("[cell c]\na = eim\nhome = shared\nhosts_b = 1\n"
			   "expect = >= 0\n",
			   1, "hosts_b", "there is no router b");
	check_home_refused("[cell c]\na = eim\nhome = shared\n"
			   "coord_delay_b_ms = 5\nexpect = >= 0\n",
			   1, "coord_delay_b_ms", "there is no router b");
	check_home_refused("[cell c]\na = eim\nexpect = >= 0\n", 1, "b",
			   "b may be left out when home = shared");
	check_home_refused("[matrix m]\na = eim\nexpect = >= 0\n"
			   "home = separate, shared\n",
			   1, "b", "missing in [matrix m]");
	check_home_refused("[scenario]\nmode = handoff\n[cell c]\na = eim\n"
			   "b = eim\nhosts_a = 1\nexpect = >= 0\n",
			   3, "hosts_a", "mode = rendezvous only");
	check_home_refused("[scenario]\nnode = bitcoind\n[cell c]\na = eim\n"
			   "b = eim\nhosts_b = 2\nexpect = >= 0\n",
			   3, "hosts_b", "node = embedded only");
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"good file", test_good},
		{"defaults", test_defaults},
		{"errors name file, line, key", test_errors},
		{"broken profile", test_broken_profile},
		{"carrier profiles (behind)", test_carrier},
		{"expect syntax", test_expect},
		{"matrix expansion, defaults, params", test_matrix},
		{"matrix cell limit", test_matrix_limit},
		{"matrix errors", test_matrix_errors},
		{"condition values accepted", test_cond_values},
		{"condition values refused", test_cond_refused},
		{"late [scenario] defaults", test_cond_default_late},
		{"mode and node", test_mode_node},
		{"timing_error_max_ms and realtime", test_timing_keys},
		{"strategy", test_strategy},
		{"distribution specs kept", test_cond_dists},
		{"home = shared, hosts_a, hosts_b", test_home},
	};
	int fails;

	fails = testutil_run_suite("scenario", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
