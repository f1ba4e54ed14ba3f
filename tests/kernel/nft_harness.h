/*
 * Shared by the kernel tests of the nft layer (test_nft_*.c): the socket, networks and their
 * IR, nft(8) as the independent witness (run through popen(), so it inherits the test's own
 * namespace), and the verification's verdicts. Included once per test program.
 */
#ifndef NETD_TEST_NFT_HARNESS_H
#define NETD_TEST_NFT_HARNESS_H

#include "netd/mode.h"
#include "netd/kernel/nft.h"

static struct netd_nft *nft;

static inline struct netd_network *make_net(const char *name, enum netd_mode mode,
                                            const char *bridge, const char *address, bool dhcp)
{
	struct netd_network *n = netd_network_new();

	assert_non_null(n);
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	n->mode = mode;
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = netd_mode_ops(mode)->defaults[c];
	if (address) {
		n->has_address = true;
		assert_int_equal(netd_prefix_parse(address, &n->address), 0);
	}
	n->has_dhcp = dhcp;
	return n;
}

static inline struct netd_network *default_net(void)
{
	return make_net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24", true);
}

static inline struct netd_nft_net *build(const struct netd_network *n)
{
	struct netd_nft_net *x;

	assert_int_equal(netd_nft_net_build(n, &x), 0);
	return x;
}

/* A guest on port, its MAC ending in last, with its static address (addr NULL: none). */
static inline struct netd_nft_guest guest(const char *port, uint8_t last, const char *addr)
{
	struct netd_nft_guest g = {.mac = {0x52, 0x54, 0, 0xaa, 0, last}};

	snprintf(g.port, sizeof(g.port), "%s", port);
	if (addr)
		assert_int_equal(netd_ipv4_parse(addr, &g.addr), 0);
	return g;
}

/* n with the guests bound. */
static inline struct netd_nft_net *with_guests(const struct netd_network *n,
                                               const struct netd_nft_guest *g, size_t count)
{
	struct netd_nft_net *x;

	assert_int_equal(netd_nft_net_build_guests(n, g, count, &x), 0);
	return x;
}

/* Output of a shell command (stdout and stderr); *status gets its exit status. */
static inline char *run(int *status, const char *fmt, ...)
{
	char cmd[1024], *out = NULL;
	size_t len = 0, got;
	char buf[4096];
	va_list ap;
	FILE *p, *m;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	m = open_memstream(&out, &len);
	assert_non_null(m);
	while ((got = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, got, m);
	st = pclose(p);
	fclose(m);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

static inline char *run_ok(const char *fmt, const char *arg)
{
	int st;
	char *out = run(&st, fmt, arg);

	if (st != 0)
		fail_msg("`%s` failed: %s", fmt, out);
	return out;
}

static inline bool table_exists(void)
{
	int st;

	free(run(&st, "nft list table inet netd"));
	return st == 0;
}

static inline int clean(void **state)
{
	free(run(NULL, "nft delete table inet netd; nft delete table bridge netd"));
	return 0;
}

static inline void apply_ok(const struct netd_nft_net *x)
{
	struct netd_diag diag = {""};
	int ret = netd_nft_apply_net(nft, x, &diag);

	if (ret != 0)
		fail_msg("apply %s: %s (%s)", x->network, strerror(-ret), diag.msg);
}

static inline void remove_ok(const char *network)
{
	struct netd_diag diag = {""};
	int ret = netd_nft_remove_net(nft, network, &diag);

	if (ret != 0)
		fail_msg("remove %s: %s (%s)", network, strerror(-ret), diag.msg);
}

/* What the verification finds for x: by content, against the kernel's table. */
static inline struct netd_nft_drift drift_of(const struct netd_nft_net *x)
{
	struct netd_nft_drift d;

	assert_int_equal(netd_nft_verify_net(nft, x, &d), 0);
	return d;
}

/* The kernel holds exactly x's rules and elements. */
static inline void assert_verified(const struct netd_nft_net *x)
{
	struct netd_nft_drift d = drift_of(x);

	if (d.n != 0 || !d.present)
		fail_msg("%s: %u differences: %s", x->network, d.n, d.what);
	assert_string_equal(d.what, "");
}

static inline char *snapshot(void)
{
	return run_ok("nft list table inet %s", "netd");
}

/* The handles of chain's rules in table ("inet netd", "bridge netd") in order, as `nft -a
 * list chain` shows them; their count. */
static inline int rule_handles(const char *table, const char *chain, unsigned *v, int max)
{
	char *out, *line, *save = NULL, cmd[160];
	int n = 0;

	snprintf(cmd, sizeof(cmd), "nft -a list chain %s %s", table, chain);
	out = run_ok("%s", cmd);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *h = strstr(line, "# handle ");

		/* rules are two tabs deep; the chain's own line carries a handle too */
		if (strncmp(line, "\t\t", 2) == 0 && h && n < max)
			v[n++] = (unsigned)strtoul(h + strlen("# handle "), NULL, 10);
	}
	free(out);
	return n;
}

static inline unsigned handle_of(const char *table, const char *chain, int index)
{
	unsigned v[64];

	if (index >= rule_handles(table, chain, v, 64))
		fail_msg("no rule %d in chain %s", index, chain);
	return v[index];
}

static inline int rule_count(const char *table, const char *chain)
{
	unsigned v[64];

	return rule_handles(table, chain, v, 64);
}

/* Tamper with the tables by hand (the shell's nft, one command). */
static inline void tamper(const char *cmd)
{
	free(run_ok("nft '%s'", cmd));
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* nft's listing of a table with its maps and chains in name order: a map or base chain made
 * again comes back at the end of the table's list, and is still the same object. */
static inline char *by_name(const char *listing)
{
	char *copy = strdup(listing), *blocks[64], *p, *out;
	size_t n = 0, len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(copy);
	assert_non_null(f);
	/* "table inet netd {\n" BLOCK "\n\n" BLOCK ... "}\n" */
	p = strchr(copy, '\n') + 1;
	copy[strlen(copy) - 3] = '\0'; /* the table's "\n}\n" */
	for (char *q; (q = strstr(p, "\n\n")) && n < 63; p = q + 2) {
		*q = '\0';
		blocks[n++] = p;
	}
	blocks[n++] = p;
	qsort(blocks, n, sizeof(*blocks), cmp_str);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", blocks[i]);
	fclose(f);
	free(copy);
	return out;
}

/* Both of netd's tables as nft lists them (those that exist), each in name order. */
static inline char *tables(void)
{
	static const char *const family[] = {"inet", "bridge"};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	for (size_t i = 0; i < sizeof(family) / sizeof(family[0]); i++) {
		int st;
		char *t = run(&st, "nft list table %s netd", family[i]), *sorted;

		if (st == 0) {
			sorted = by_name(t);
			fprintf(f, "table %s netd:\n%s", family[i], sorted);
			free(sorted);
		}
		free(t);
	}
	fclose(f);
	return out;
}

/* The verification of x finds exactly what, and one apply puts back the tables of before
 * (tables()). */
static inline void expect_drift_repaired(const struct netd_nft_net *x, const char *before,
                                         const char *what)
{
	struct netd_nft_drift d = drift_of(x);
	char *after;

	if (strcmp(d.what, what) != 0)
		fail_msg("%s: found \"%s\", expected \"%s\"", x->network, d.what, what);
	assert_int_not_equal(d.n, 0);
	/* The network's chains are there, unless the whole table went. */
	assert_true(d.present == !strstr(what, "table inet netd missing"));
	apply_ok(x);
	assert_verified(x);
	after = tables();
	assert_string_equal(before, after);
	free(after);
}

static inline double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* First thing in main: a network namespace of the test's own, and the socket in it. */
static inline int harness_enter(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s: this test needs root\n",
		        strerror(errno));
		return -1;
	}
	if (netd_nft_open(&nft) < 0) {
		fprintf(stderr, "netd_nft_open failed\n");
		return -1;
	}
	return 0;
}

/* The group's setup (harness_enter) and teardown: cmocka_run_group_tests(tests,
 * harness_setup, harness_teardown). */
static inline int harness_setup(void **state)
{
	return harness_enter();
}

static inline int harness_teardown(void **state)
{
	netd_nft_close(nft);
	return 0;
}

/* A network x (of n) applied and verified, and nft's text of the tables then: the fixture of
 * the drift tests; both are the fixture's. */
struct fixture {
	struct netd_network *n;
	struct netd_nft_net *x;
	char *before;
};

static inline int fixture_up(void **state, struct netd_network *n, struct netd_nft_net *x)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->n = n;
	f->x = x;
	apply_ok(x);
	assert_verified(x);
	f->before = tables();
	*state = f;
	return 0;
}

static inline int fixture_gone(void **state)
{
	struct fixture *f = *state;

	free(f->before);
	netd_nft_net_free(f->x);
	netd_network_free(f->n);
	free(f);
	return clean(state);
}

/* What `nft list chain` must print: the rendered rules, the digest on the first. */
static inline char *expected_chain(const struct netd_nft_net *x, const struct netd_nft_chain *c)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	fprintf(f, "table inet netd {\n\tchain %s {\n", c->name);
	for (size_t i = 0; i < c->n_rules; i++) {
		fputs("\t\t", f);
		assert_int_equal(netd_nft_render_rule(&c->rules[i], f), 0);
		if (i == 0)
			fprintf(f, " comment \"netd:%s\"", x->digest);
		fputc('\n', f);
	}
	fputs("\t}\n}\n", f);
	fclose(f);
	return text;
}

#define T(f) cmocka_unit_test_teardown(f, clean)

#endif
