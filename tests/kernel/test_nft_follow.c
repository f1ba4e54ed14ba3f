/*
 * The snapshot following netd's own batches (netd/kernel/nft_patch.c), against the kernel in a
 * network namespace of the test's own. After each change of netd's (up, a changed network,
 * attach, detach, down) the snapshot it kept is exactly what a fresh read of both tables
 * gives, and what an `up` and a `down` read back from the kernel does not grow with the
 * chains and elements of the other networks in the table (netlink bytes counted on the
 * socket, not times).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../unit/forward_fixture.h"
#include "nft_harness.h"
#include "nft_priv.h"

static void chains_equal(const struct nft_ktable *a, const struct nft_ktable *b)
{
	assert_int_equal(a->n_chains, b->n_chains);
	for (size_t i = 0; i < a->n_chains; i++) {
		const struct nft_kchain *x = &a->chains[i], *y = &b->chains[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(x->hooked, y->hooked);
		assert_int_equal(x->hook, y->hook);
		assert_int_equal(x->prio, y->prio);
		assert_int_equal(x->policy, y->policy);
		assert_string_equal(x->type, y->type);
		if (x->n_rules != y->n_rules)
			fail_msg("chain %s: %zu rules kept, %zu read", x->name, x->n_rules,
			         y->n_rules);
		for (size_t r = 0; r < x->n_rules; r++)
			assert_string_equal(x->rules[r], y->rules[r]);
	}
}

/* Elements compared in key order (the index): a set's order as read is the kernel's. */
static void sets_equal(const struct nft_ktable *a, const struct nft_ktable *b)
{
	assert_int_equal(a->n_sets, b->n_sets);
	for (size_t i = 0; i < a->n_sets; i++) {
		const struct nft_kset *x = &a->sets[i], *y = &b->sets[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(x->flags, y->flags);
		if (x->n_elems != y->n_elems)
			fail_msg("set %s: %zu elements kept, %zu read", x->name, x->n_elems,
			         y->n_elems);
		for (size_t e = 0; e < x->n_elems; e++) {
			if (!nft_elem_same(x->by_key[e], y->by_key[e]))
				fail_msg("set %s: element %zu differs", x->name, e);
			/* the chain index, kept by the follow too */
			assert_string_equal(x->by_chain[e]->chain, y->by_chain[e]->chain);
		}
	}
}

/* The snapshot nft kept (followed, not read again: at the generation of now) against a
 * fresh read of both tables on a socket of its own. */
static void assert_followed(void)
{
	struct netd_nft *fresh;
	const struct nft_snapshot *s;
	uint64_t msgs0, bytes0, msgs1, bytes1;

	assert_int_equal(netd_nft_open(&fresh), 0);
	assert_int_equal(nft_snapshot_get(fresh, &s), 0);
	netd_nft_read_counts(nft, &msgs0, &bytes0);
	assert_true(nft->snap.valid);
	assert_int_equal(nft->snap.gen, s->gen);
	/* The kept one is current: a look reads nothing but the generation. */
	assert_int_equal(nft_snapshot_get(nft, &s), 0);
	netd_nft_read_counts(nft, &msgs1, &bytes1);
	assert_int_equal(msgs1 - msgs0, 1);
	s = &fresh->snap;
	assert_int_equal(nft->snap.inet.exists, s->inet.exists);
	assert_int_equal(nft->snap.bridge.exists, s->bridge.exists);
	chains_equal(&nft->snap.inet, &s->inet);
	chains_equal(&nft->snap.bridge, &s->bridge);
	sets_equal(&nft->snap.inet, &s->inet);
	sets_equal(&nft->snap.bridge, &s->bridge);
	netd_nft_close(fresh);
}

static void port_ok(int ret, const struct netd_diag *diag)
{
	if (ret != 0)
		fail_msg("port: %s (%s)", strerror(-ret), diag->msg);
}

/* Each kind of change of netd's own, followed: the snapshot is what a read gives. */
static void test_follows_each_change(void **state)
{
	struct netd_network *a = default_net(),
	                    *b = make_net("ho", NETD_MODE_HOSTONLY, "netd-ho0", "192.122.56.1/24",
	                                  true),
	                    *c = make_net("c", NETD_MODE_NAT, "brc", "10.9.0.1/24", true);
	struct netd_nft_guest g[] = {guest("vnet0", 1, "10.9.0.10"), guest("vnet1", 2, NULL)};
	struct netd_nft_net *xa, *xa2, *xb, *xc, *xc1;
	struct netd_diag diag = {""};

	/* The first network makes the tables, the first with forwards their maps: the
	 * snapshot is read again whole after each. */
	apply_ok(xb = build(b));
	assert_verified(xb);
	add_forward(a, IPPROTO_TCP, 8080, 8080, "192.122.1.10", 80, NULL);
	add_forward(a, IPPROTO_TCP, 8000, 8002, "192.122.1.11", 9000, "203.0.113.2");
	xa = build(a);
	apply_ok(xa);
	assert_verified(xa);
	/* From here on, each change is followed. The same again: */
	apply_ok(xa);
	assert_followed();
	/* A forward more: its elements added, the chains given their rules again. */
	add_forward(a, IPPROTO_UDP, 5353, 5353, "192.122.1.10", 53, "127.0.0.1");
	xa2 = build(a);
	apply_ok(xa2);
	assert_followed();
	assert_verified(xa2);
	/* Back to two: elements deleted. */
	apply_ok(xa);
	assert_followed();
	/* Ports in table bridge netd, then attach and detach one by one. */
	xc = with_guests(c, g, 2);
	xc1 = with_guests(c, g, 1);
	apply_ok(xc1); /* table bridge netd made: read again whole */
	assert_verified(xc1);
	port_ok(netd_nft_apply_port(nft, xc, "vnet1", &diag), &diag);
	assert_followed();
	assert_verified(xc);
	port_ok(netd_nft_remove_port(nft, "c", "vnet1", &diag), &diag);
	assert_followed();
	apply_ok(xc);
	assert_followed();
	apply_ok(xc1);
	assert_followed();
	/* Down of one network beside others. */
	remove_ok("ho");
	assert_followed();
	assert_false(drift_of(xb).present);
	assert_verified(xa);
	assert_verified(xc1);
	netd_nft_net_free(xa);
	netd_nft_net_free(xa2);
	netd_nft_net_free(xb);
	netd_nft_net_free(xc);
	netd_nft_net_free(xc1);
	netd_network_free(a);
	netd_network_free(b);
	netd_network_free(c);
}

/* Chains and map elements of `count` networks netd did not make (nft -f, one batch), from
 * index first on: in_f<i>, its element "f<i>" in in_if. */
static void add_foreign(int first, int count)
{
	char path[] = "/tmp/netd-nft-follow-XXXXXX";
	int fd = mkstemp(path), st;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (int i = first; i < first + count; i++)
		fprintf(f,
		        "add chain inet netd in_f%d\nadd rule inet netd in_f%d accept\n"
		        "add element inet netd in_if { \"f%d\" : jump in_f%d }\n",
		        i, i, i, i);
	fclose(f);
	free(run(&st, "nft -f %s", path));
	unlink(path);
	assert_int_equal(st, 0);
}

/* Bytes read back from the kernel by an up of x, its verification, its down and a look. */
static uint64_t cycle_bytes(const struct netd_nft_net *warm, const struct netd_nft_net *x)
{
	uint64_t m0, b0, m1, b1;

	assert_verified(warm); /* the table as the other writer left it: read whole, once */
	netd_nft_read_counts(nft, &m0, &b0);
	apply_ok(x);
	assert_verified(x);
	remove_ok(x->network);
	assert_false(drift_of(x).present);
	netd_nft_read_counts(nft, &m1, &b1);
	print_message("up + verify + down + look of %s: %llu messages, %llu bytes read\n",
	              x->network, (unsigned long long)(m1 - m0), (unsigned long long)(b1 - b0));
	return b1 - b0;
}

/* An up and a down of one network read what its own objects weigh, not the table: with 2000
 * other networks' chains and elements beside it they read no more than beside 10. */
static void test_up_reads_flat_in_others(void **state)
{
	struct netd_network *a = default_net(), *b = make_net("ho", NETD_MODE_HOSTONLY, "netd-ho0",
	                                                      "192.122.56.1/24", true);
	struct netd_nft_net *xa = build(a), *xb = build(b);
	uint64_t few, many;

	apply_ok(xa);
	add_foreign(0, 10);
	few = cycle_bytes(xa, xb);
	add_foreign(10, 1990);
	many = cycle_bytes(xa, xb);
	if (many > few + 1024)
		fail_msg("read %llu bytes beside 2000 other networks, %llu beside 10",
		         (unsigned long long)many, (unsigned long long)few);
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_network_free(a);
	netd_network_free(b);
}

/* A set as a dump of a hash set being resized can give it: one element twice (and another
 * missing). nft_kset_repeats_key tells it, so the dump is read again (nft_observe.c). */
static void test_repeated_key_seen(void **state)
{
	struct nft_elem e[3];
	struct nft_kset k = {.elems = e, .n_elems = 3};

	memset(e, 0, sizeof(e));
	for (int i = 0; i < 3; i++) {
		e[i].key_len = 4;
		e[i].key[3] = (uint8_t)(10 + i);
	}
	assert_int_equal(nft_kset_index(&k), 0);
	assert_false(nft_kset_repeats_key(&k));
	free(k.by_key);
	free(k.by_chain);
	e[2].key[3] = 10; /* the first element again */
	assert_int_equal(nft_kset_index(&k), 0);
	assert_true(nft_kset_repeats_key(&k));
	free(k.by_key);
	free(k.by_chain);
	(void)state;
}

/* Both orders of k as nft_kset_index gives them, by position: what the follow kept. */
static void index_is_fresh(const struct nft_kset *k)
{
	struct nft_kset fresh = {.elems = k->elems, .n_elems = k->n_elems};

	assert_int_equal(nft_kset_index(&fresh), 0);
	for (size_t i = 0; i < k->n_elems; i++) {
		assert_int_equal(k->by_key[i] - k->elems, fresh.by_key[i] - fresh.elems);
		assert_int_equal(k->by_chain[i] - k->elems, fresh.by_chain[i] - fresh.elems);
	}
	free(fresh.by_key);
	free(fresh.by_chain);
}

/* An interval element [lo, lo + 4) jumping to chain "c<c>". */
static struct nft_elem elem(uint8_t lo, int c)
{
	struct nft_elem e;

	memset(&e, 0, sizeof(e));
	e.key_len = 4;
	e.key[0] = 10;
	e.key[3] = lo;
	memcpy(e.key_end, e.key, 4);
	e.key_end[3] = (uint8_t)(lo + 4);
	e.has_end = true;
	e.has_verdict = true;
	e.verdict = NFT_JUMP;
	snprintf(e.chain, sizeof(e.chain), "c%d", c);
	return e;
}

/* Deletes and adds as netd's batches make them (first, last, middle, an element whose chain
 * others share, into an empty set and out to empty again): after each, the index kept is the
 * one a fresh sort gives, and a key is found where it is. */
static void test_index_follows_ops(void **state)
{
	struct nft_kset k = {0};
	struct nft_elem probe;
	unsigned seed = 7;

	(void)state;
	assert_int_equal(nft_kset_append(&k, &(struct nft_elem){0}), 0); /* into an empty set */
	assert_int_equal(nft_kset_remove(&k, 0), 0);
	assert_int_equal(k.n_elems, 0);
	for (int i = 0; i < 40; i++) {
		struct nft_elem e = elem((uint8_t)(i * 5 + 1), i % 7); /* chains shared */

		assert_int_equal(nft_kset_append(&k, &e), 0);
		index_is_fresh(&k);
	}
	for (int round = 0; round < 200; round++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 2 && k.n_elems > 0) {
			size_t pos = (seed >> 8) % k.n_elems;

			probe = k.elems[pos];
			assert_int_equal(nft_kset_remove(&k, pos), 0);
			assert_null(nft_set_find_key(&k, &probe));
		} else {
			probe = elem((uint8_t)(201 + round % 50), (int)((seed >> 4) % 5));
			if (nft_set_find_key(&k, &probe))
				continue; /* the kernel would refuse a second one */
			assert_int_equal(nft_kset_append(&k, &probe), 0);
			assert_non_null(nft_set_find_key(&k, &probe));
		}
		index_is_fresh(&k);
	}
	while (k.n_elems > 0) {
		assert_int_equal(nft_kset_remove(&k, k.n_elems - 1), 0);
		index_is_fresh(&k);
	}
	free(k.elems);
	free(k.by_key);
	free(k.by_chain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_follows_each_change),
	    T(test_up_reads_flat_in_others),
	    cmocka_unit_test(test_repeated_key_seen),
	    cmocka_unit_test(test_index_follows_ops),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
