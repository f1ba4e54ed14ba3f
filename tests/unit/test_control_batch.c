/*
 * The control protocol's attach of several taps: {"cmd":"attach","name":N,"taps":[{...}...]},
 * encoded and decoded, every malformed form with its message, the counts it takes, and the
 * largest request that must fit; and detach of several: "taps":[names] (core/control_proto.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/control.h"
#include "netd/tap.h"

static json_object *tap(const char *key, const char *value)
{
	json_object *o = json_object_new_object();

	if (key)
		json_object_object_add(o, key, json_object_new_string(value));
	return o;
}

/* {"taps":[elements...]} with n copies of el (taken). */
static json_object *taps_of(json_object *el, size_t n)
{
	json_object *args = json_object_new_object(), *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *copy = NULL;

		assert_int_equal(json_object_deep_copy(el, &copy, NULL), 0);
		json_object_array_add(arr, copy);
	}
	json_object_put(el);
	json_object_object_add(args, "taps", arr);
	return args;
}

static void test_round_trip(void **state)
{
	json_object *args = json_object_new_object(), *arr = json_object_new_array();
	json_object *a = tap("tap", "vm%d"), *b = tap("mac", "52:54:00:01:02:03");
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};
	char *line = NULL, mac[18];

	json_object_object_add(a, "owner", json_object_new_string("libvirt-qemu"));
	json_object_object_add(a, "queues", json_object_new_int(4));
	json_object_object_add(b, "address", json_object_new_string("192.122.1.9"));
	json_object_object_add(b, "hostname", json_object_new_string("web"));
	json_object_object_add(b, "group", json_object_new_string("64055"));
	json_object_object_add(b, "tap", json_object_new_string("web0"));
	json_object_array_add(arr, a);
	json_object_array_add(arr, b);
	json_object_array_add(arr, json_object_new_object());
	json_object_object_add(args, "taps", arr);
	assert_int_equal(netd_ctl_request_encode_args("attach", "default", args, &line), 0);
	assert_int_equal(netd_ctl_request_decode(line, strlen(line), &req, &d), 0);
	assert_int_equal(req.cmd->cmd, NETD_CTL_ATTACH);
	assert_int_equal(req.n_taps, 3);
	assert_string_equal(req.taps[0].tap, "vm%d");
	assert_string_equal(req.taps[0].owner, "libvirt-qemu");
	assert_int_equal(req.taps[0].queues, 4);
	assert_false(req.taps[0].has_mac);
	assert_false(req.taps[0].has_addr);
	assert_string_equal(req.taps[1].tap, "web0");
	assert_true(req.taps[1].has_mac);
	netd_mac_format(req.taps[1].mac, mac);
	assert_string_equal(mac, "52:54:00:01:02:03");
	assert_true(req.taps[1].has_addr);
	assert_string_equal(req.taps[1].hostname, "web");
	assert_string_equal(req.taps[1].group, "64055");
	assert_int_equal(req.taps[1].queues, 0);
	assert_string_equal(req.taps[2].tap, "");
	/* The single tap's fields stay empty: the engine takes one or the other. */
	assert_string_equal(req.attach.tap, "");
	netd_ctl_request_clear(&req);
	assert_null(req.taps);
	assert_int_equal(req.n_taps, 0);
	free(line);
	json_object_put(args);

	/* Without "taps" the request is the single one, as before. */
	static const char one[] = "{\"cmd\":\"attach\",\"name\":\"n\",\"tap\":\"vm%d\"}";
	assert_int_equal(netd_ctl_request_decode(one, strlen(one), &req, &d), 0);
	assert_null(req.taps);
	assert_int_equal(req.n_taps, 0);
	assert_string_equal(req.attach.tap, "vm%d");
}

static void bad(const char *json, int err, const char *want)
{
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};

	assert_int_equal(netd_ctl_request_decode(json, strlen(json), &req, &d), err);
	assert_null(req.cmd);
	assert_null(req.taps); /* nothing left to free after a refusal */
	if (strcmp(d.msg, want) != 0)
		fail_msg("for %.80s:\n  got  '%s'\n  want '%s'", json, d.msg, want);
}

#define ATTACH "{\"cmd\":\"attach\",\"name\":\"n\","

static void test_malformed(void **state)
{
	bad(ATTACH "\"taps\":{}}", -EINVAL,
	    "malformed request: \"taps\" must be an array of tap objects");
	bad(ATTACH "\"taps\":null}", -EINVAL,
	    "malformed request: \"taps\" must be an array of tap objects");
	bad(ATTACH "\"taps\":[1]}", -EINVAL, "malformed request: taps[0] must be an object");
	bad(ATTACH "\"taps\":[{},[]]}", -EINVAL, "malformed request: taps[1] must be an object");
	bad(ATTACH "\"taps\":[{\"tapp\":\"x\"}]}", -EINVAL,
	    "malformed request: taps[0]: unknown option \"tapp\"");
	bad(ATTACH "\"taps\":[{},{},{\"mac\":\"xx\"}]}", -EINVAL,
	    "taps[2]: invalid MAC 'xx': six hex bytes separated by ':'");
	bad(ATTACH "\"taps\":[{\"queues\":300}]}", -EINVAL,
	    "taps[0]: invalid queues: a number from 1 to 256");
	bad(ATTACH "\"taps\":[{\"address\":\"1.2.3\"}]}", -EINVAL,
	    "taps[0]: invalid address '1.2.3': one IPv4 address");
	bad(ATTACH "\"taps\":[{\"tap\":7}]}", -EINVAL,
	    "taps[0]: malformed request: \"tap\" must be a string");
	bad(ATTACH "\"taps\":[{\"owner\":\"a b\"}]}", -EINVAL,
	    "taps[0]: invalid owner 'a b': a name or a number");
	/* A tap's options go in its element, never beside "taps". */
	bad(ATTACH "\"owner\":\"alice\",\"taps\":[{}]}", -EINVAL,
	    "malformed request: \"owner\" beside \"taps\": each tap's options go in its element");
	bad(ATTACH "\"tap\":null,\"taps\":[{}]}", -EINVAL,
	    "malformed request: \"tap\" beside \"taps\": each tap's options go in its element");
}

#define DETACH "{\"cmd\":\"detach\",\"name\":\"n\","

/* detach of several taps: their names, each once. */
static void test_detach(void **state)
{
	static const char ok[] = DETACH "\"taps\":[\"vnet0\",\"vm-1\",\"vnet10\"]}";
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};

	assert_int_equal(netd_ctl_request_decode(ok, strlen(ok), &req, &d), 0);
	assert_int_equal(req.cmd->cmd, NETD_CTL_DETACH);
	assert_int_equal(req.n_taps, 3);
	assert_string_equal(req.taps[0].tap, "vnet0");
	assert_string_equal(req.taps[2].tap, "vnet10");
	assert_string_equal(req.attach.tap, "");
	netd_ctl_request_clear(&req);

	bad(DETACH "\"taps\":\"vnet0\"}", -EINVAL,
	    "malformed request: \"taps\" must be an array of tap names");
	bad(DETACH "\"taps\":[]}", -EINVAL,
	    "0 taps in \"taps\": from 1 to 1023 (the ports of one bridge)");
	bad(DETACH "\"taps\":[\"a\",{}]}", -EINVAL,
	    "malformed request: taps[1] must be a tap name");
	bad(DETACH "\"taps\":[\"a b\"]}", -EINVAL,
	    "taps[0]: invalid tap name 'a b': 1-15 bytes without '/', ':' or whitespace");
	bad(DETACH "\"taps\":[\"a\",\"b\",\"a\"]}", -EINVAL, "taps[2]: tap a is named twice");
	bad(DETACH "\"tap\":\"t\",\"taps\":[\"a\"]}", -EINVAL,
	    "malformed request: \"tap\" beside \"taps\": each tap's options go in its element");
}

static void test_templates(void **state)
{
	static const char *const ok[] = {"vm%d", "%d", "vnet%d-eth0", "a%db"};
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};
	char json[128];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(json, sizeof(json), ATTACH "\"taps\":[{\"tap\":\"%s\"}]}", ok[i]);
		assert_int_equal(netd_ctl_request_decode(json, strlen(json), &req, &d), 0);
		assert_string_equal(req.taps[0].tap, ok[i]);
		netd_ctl_request_clear(&req);
	}
	/* The kernel takes one %d and no other %: anything else is refused here, by name. */
	bad(ATTACH "\"tap\":\"vm%s\"}", -EINVAL,
	    "invalid tap name template 'vm%s': one %d, where the kernel puts the lowest free "
	    "number, and no other %");
	bad(ATTACH "\"taps\":[{\"tap\":\"vm%d%d\"}]}", -EINVAL,
	    "taps[0]: invalid tap name template 'vm%d%d': one %d, where the kernel puts the "
	    "lowest free number, and no other %");
	bad(ATTACH "\"tap\":\"vm%\"}", -EINVAL,
	    "invalid tap name template 'vm%': one %d, where the kernel puts the lowest free "
	    "number, and no other %");
}

static void test_counts(void **state)
{
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};
	json_object *args;
	char *line = NULL;

	bad(ATTACH "\"taps\":[]}", -EINVAL,
	    "0 taps in \"taps\": from 1 to 1023 (the ports of one "
	    "bridge)");
	args = taps_of(json_object_new_object(), NETD_ATTACH_BATCH_MAX + 1);
	assert_int_equal(netd_ctl_request_encode_args("attach", "n", args, &line), 0);
	bad(line, -EINVAL, "1024 taps in \"taps\": from 1 to 1023 (the ports of one bridge)");
	free(line);
	json_object_put(args);

	for (size_t n = 1; n <= NETD_ATTACH_BATCH_MAX; n += NETD_ATTACH_BATCH_MAX - 1) {
		args = taps_of(json_object_new_object(), n);
		assert_int_equal(netd_ctl_request_encode_args("attach", "n", args, &line), 0);
		assert_int_equal(netd_ctl_request_decode(line, strlen(line), &req, &d), 0);
		assert_int_equal(req.n_taps, n);
		netd_ctl_request_clear(&req);
		free(line);
		json_object_put(args);
	}
}

/* The most taps, each with every option at its longest, is a request the daemon takes. */
static void test_largest_request_fits(void **state)
{
	char host[NETD_HOSTNAME_MAX], id[NETD_TAP_ID_MAX];
	json_object *el = tap("tap", "abcdefghijklmno");
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};
	json_object *args;
	char *line = NULL;

	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	memset(id, 'u', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	json_object_object_add(el, "mac", json_object_new_string("52:54:00:aa:bb:cc"));
	json_object_object_add(el, "address", json_object_new_string("192.122.100.100"));
	json_object_object_add(el, "hostname", json_object_new_string(host));
	json_object_object_add(el, "owner", json_object_new_string(id));
	json_object_object_add(el, "group", json_object_new_string(id));
	json_object_object_add(el, "queues", json_object_new_int(256));
	args = taps_of(el, NETD_ATTACH_BATCH_MAX);
	assert_int_equal(
	    netd_ctl_request_encode_args("attach", "abcdefghijklmnopqrstuvwxyz01234", args, &line),
	    0);
	assert_in_range(strlen(line), 200 * 1024, NETD_CTL_REQUEST_MAX);
	assert_int_equal(netd_ctl_request_decode(line, strlen(line), &req, &d), 0);
	assert_int_equal(req.n_taps, NETD_ATTACH_BATCH_MAX);
	assert_string_equal(req.taps[NETD_ATTACH_BATCH_MAX - 1].hostname, host);
	assert_string_equal(req.taps[NETD_ATTACH_BATCH_MAX - 1].group, id);
	netd_ctl_request_clear(&req);
	free(line);
	json_object_put(args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip), cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_detach),     cmocka_unit_test(test_templates),
	    cmocka_unit_test(test_counts),     cmocka_unit_test(test_largest_request_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
