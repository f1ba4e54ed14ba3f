/* The control protocol: command table, request and response encoding, every malformed input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/control.h"

static void test_cmd_table(void **state)
{
	static const struct {
		const char *name;
		bool needs_name, needs_root;
	} want[] = {
	    {"list", false, false}, {"status", true, false}, {"up", true, true},
	    {"down", true, true},   {"leases", true, false}, {"reload", false, true},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct netd_ctl_cmd_info *c = netd_ctl_cmd_find(want[i].name);

		assert_non_null(c);
		assert_string_equal(c->name, want[i].name);
		assert_int_equal(c->needs_name, want[i].needs_name);
		assert_int_equal(c->needs_root, want[i].needs_root);
		assert_ptr_equal(netd_ctl_cmd_by_id(c->cmd), c);
	}
	/* Every entry of the table is one of the above: nothing unaccounted for needs no root. */
	for (int id = 0; id < NETD_CTL_MAX; id++)
		assert_non_null(netd_ctl_cmd_find(netd_ctl_cmd_by_id(id)->name));
	assert_null(netd_ctl_cmd_by_id(NETD_CTL_MAX));
	assert_null(netd_ctl_cmd_find("UP"));
	assert_null(netd_ctl_cmd_find("check")); /* local only, never sent */
	assert_null(netd_ctl_cmd_find(""));
	assert_null(netd_ctl_cmd_find(NULL));
}

static void test_permission(void **state)
{
	struct netd_diag d = {{0}};

	for (int id = 0; id < NETD_CTL_MAX; id++) {
		const struct netd_ctl_cmd_info *c = netd_ctl_cmd_by_id(id);

		assert_int_equal(netd_ctl_check_permission(c, 0, &d), 0);
		assert_int_equal(netd_ctl_check_permission(c, 1000, &d),
		                 c->needs_root ? -EPERM : 0);
	}
	assert_int_equal(netd_ctl_check_permission(netd_ctl_cmd_find("up"), 65534, &d), -EPERM);
	assert_string_equal(d.msg, "permission denied: 'up' changes the host's network and needs "
	                           "root (you are uid 65534)");
	assert_int_equal(netd_ctl_check_permission(netd_ctl_cmd_find("reload"), 1, &d), -EPERM);
	assert_string_equal(d.msg, "permission denied: 'reload' changes the host's network and "
	                           "needs root (you are uid 1)");
}

static void test_request_round_trip(void **state)
{
	static const char *const named[] = {"status", "up", "down", "leases"};
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};
	char *s;

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(netd_ctl_request_encode(named[i], "lab-1_x", &s), 0);
		assert_non_null(strchr(s, '\n'));
		assert_int_equal(strchr(s, '\n')[1], '\0');
		assert_int_equal(netd_ctl_request_decode(s, strlen(s), &req, &d), 0);
		assert_string_equal(req.cmd->name, named[i]);
		assert_string_equal(req.name, "lab-1_x");
		free(s);
	}
	assert_int_equal(netd_ctl_request_encode("list", NULL, &s), 0);
	assert_string_equal(s, "{\"cmd\":\"list\"}\n");
	assert_int_equal(netd_ctl_request_decode(s, strlen(s), &req, &d), 0);
	assert_int_equal(req.cmd->cmd, NETD_CTL_LIST);
	assert_string_equal(req.name, "");
	free(s);

	/* The longest valid name fits exactly. */
	assert_int_equal(netd_ctl_request_encode("up", "abcdefghijklmnopqrstuvwxyz01234", &s), 0);
	assert_int_equal(netd_ctl_request_decode(s, strlen(s), &req, &d), 0);
	assert_string_equal(req.name, "abcdefghijklmnopqrstuvwxyz01234");
	free(s);

	/* Without newline, with whitespace, name null for a command without one. */
	const char *ok[] = {
	    "{\"cmd\":\"reload\"}",
	    "  {\"cmd\" : \"reload\"}  \r\n",
	    "{\"cmd\":\"list\",\"name\":null}",
	    "{\"name\":\"default\",\"cmd\":\"up\",\"extra\":[1,2]}",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(netd_ctl_request_decode(ok[i], strlen(ok[i]), &req, &d), 0);
	assert_string_equal(req.name, "default");
	assert_int_equal(req.cmd->cmd, NETD_CTL_UP);
}

static void expect_bad(const char *buf, size_t len, int err, const char *msg)
{
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};

	assert_int_equal(netd_ctl_request_decode(buf, len, &req, &d), err);
	assert_null(req.cmd);
	if (!strstr(d.msg, msg))
		fail_msg("for input '%.60s': diag '%s' lacks '%s'", buf, d.msg, msg);
}

#define BAD(s, err, msg) expect_bad(s, strlen(s), err, msg)

static void test_request_malformed(void **state)
{
	BAD("", -EINVAL, "empty");
	BAD("\n", -EINVAL, "malformed JSON");
	BAD("hello", -EINVAL, "malformed JSON");
	BAD("{\"cmd\":", -EINVAL, "malformed JSON");
	BAD("{\"cmd\":\"up\",\"name\":\"default\"", -EINVAL, "malformed JSON");
	BAD("{\"cmd\":\"list\"}x", -EINVAL, "trailing data");
	BAD("{\"cmd\":\"list\"}\n{\"cmd\":\"list\"}\n", -EINVAL, "trailing data");
	BAD("[\"list\"]", -EINVAL, "expected a JSON object");
	BAD("\"list\"\n", -EINVAL, "expected a JSON object");
	BAD("42\n", -EINVAL, "expected a JSON object");
	BAD("null\n", -EINVAL, "expected a JSON object");
	BAD("{}", -EINVAL, "no \"cmd\"");
	BAD("{\"name\":\"default\"}", -EINVAL, "no \"cmd\"");
	BAD("{\"cmd\":1}", -EINVAL, "\"cmd\" must be a string");
	BAD("{\"cmd\":null}", -EINVAL, "\"cmd\" must be a string");
	BAD("{\"cmd\":\"destroy\"}", -EINVAL, "unknown command 'destroy'");
	BAD("{\"cmd\":\"check\"}", -EINVAL, "unknown command 'check'");
	BAD("{\"cmd\":\"up\"}", -EINVAL, "'up' needs a network name");
	BAD("{\"cmd\":\"status\",\"name\":null}", -EINVAL, "'status' needs a network name");
	BAD("{\"cmd\":\"up\",\"name\":5}", -EINVAL, "\"name\" must be a string");
	BAD("{\"cmd\":\"up\",\"name\":[\"a\"]}", -EINVAL, "\"name\" must be a string");
	BAD("{\"cmd\":\"up\",\"name\":\"\"}", -EINVAL, "invalid network name ''");
	BAD("{\"cmd\":\"up\",\"name\":\"a b\"}", -EINVAL, "invalid network name 'a b'");
	BAD("{\"cmd\":\"up\",\"name\":\"../etc\"}", -EINVAL, "invalid network name");
	BAD("{\"cmd\":\"up\",\"name\":\"abcdefghijklmnopqrstuvwxyz012345\"}", -EINVAL,
	    "invalid network name");
	BAD("{\"cmd\":\"list\",\"name\":\"default\"}", -EINVAL, "'list' takes no network name");

	/* json-c would stop at the NUL and accept the prefix. */
	static const char nul[] = "{\"cmd\":\"list\"}\0garbage";
	expect_bad(nul, sizeof(nul) - 1, -EINVAL, "NUL");

	/* Nesting deeper than the tokenizer allows is an error, not a crash. */
	char deep[2000];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	BAD(deep, -EINVAL, "malformed JSON");
}

/* down's "force": absent is false, a boolean is taken, anything else refused. */
static void test_down_force(void **state)
{
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};
	const char *plain = "{\"cmd\":\"down\",\"name\":\"br\"}";
	const char *forced = "{\"cmd\":\"down\",\"name\":\"br\",\"force\":true}";
	const char *bad = "{\"cmd\":\"down\",\"name\":\"br\",\"force\":\"yes\"}";

	assert_int_equal(netd_ctl_request_decode(plain, strlen(plain), &req, &d), 0);
	assert_false(req.force);
	assert_int_equal(netd_ctl_request_decode(forced, strlen(forced), &req, &d), 0);
	assert_true(req.force);
	assert_string_equal(req.name, "br");
	assert_int_equal(netd_ctl_request_decode(bad, strlen(bad), &req, &d), -EINVAL);
	assert_string_equal(d.msg, "malformed request: \"force\" must be true or false");
}

static void test_request_oversized(void **state)
{
	size_t len = NETD_CTL_REQUEST_MAX + 1;
	char *big = malloc(len + 1);
	const char *head = "{\"cmd\":\"list\",\"pad\":\"";

	assert_non_null(big);
	memset(big, 'a', len);
	memcpy(big, head, strlen(head));
	memcpy(big + len - 3, "\"}\n", 3);
	big[len] = '\0';
	expect_bad(big, len, -EMSGSIZE, "too large");

	/* One byte less is a valid request: the limit is exact. */
	memcpy(big + len - 4, "\"}\n", 3);
	big[len - 1] = '\0';
	struct netd_ctl_request req;
	struct netd_diag d = {{0}};
	assert_int_equal(netd_ctl_request_decode(big, len - 1, &req, &d), 0);
	free(big);
}

static void test_response_ok(void **state)
{
	json_object *r = json_object_new_object(), *out = NULL, *v;
	struct netd_diag d = {{0}};
	bool refused = true;
	char *s;

	json_object_object_add(r, "name", json_object_new_string("default"));
	s = netd_ctl_response_ok(r);
	assert_string_equal(s, "{\"ok\":true,\"result\":{\"name\":\"default\"}}\n");
	assert_int_equal(netd_ctl_response_decode(s, strlen(s), &out, &refused, &d), 0);
	assert_false(refused);
	assert_true(json_object_object_get_ex(out, "name", &v));
	assert_string_equal(json_object_get_string(v), "default");
	json_object_put(out);
	free(s);

	s = netd_ctl_response_ok(NULL);
	assert_string_equal(s, "{\"ok\":true,\"result\":null}\n");
	assert_int_equal(netd_ctl_response_decode(s, strlen(s), &out, &refused, &d), 0);
	assert_null(out);
	free(s);
}

static void test_response_error(void **state)
{
	json_object *out = NULL;
	struct netd_diag d = {{0}};
	bool refused = false;
	char *s;

	s = netd_ctl_response_error(EPERM, "permission denied: 'up' ...");
	assert_string_equal(s, "{\"ok\":false,\"error\":\"permission denied: 'up' ...\","
	                       "\"errno\":1}\n");
	assert_int_equal(netd_ctl_response_decode(s, strlen(s), &out, &refused, &d), -EPERM);
	assert_true(refused);
	assert_null(out);
	assert_string_equal(d.msg, "permission denied: 'up' ...");
	free(s);

	/* A message with quotes and a newline survives the trip. */
	s = netd_ctl_response_error(ENOENT, "no network \"x\"\nat all");
	assert_int_equal(netd_ctl_response_decode(s, strlen(s), &out, &refused, &d), -ENOENT);
	assert_string_equal(d.msg, "no network \"x\"\nat all");
	free(s);

	static const char no_errno[] = "{\"ok\":false,\"error\":\"boom\"}";
	assert_int_equal(netd_ctl_response_decode(no_errno, strlen(no_errno), &out, &refused, &d),
	                 -EIO);
	assert_true(refused);
	assert_string_equal(d.msg, "boom");

	static const char bad_errno[] = "{\"ok\":false,\"error\":\"x\",\"errno\":-3}";
	assert_int_equal(netd_ctl_response_decode(bad_errno, strlen(bad_errno), &out, &refused, &d),
	                 -EIO);
}

static void test_response_malformed(void **state)
{
	static const char *const bad[] = {
	    "",   "garbage",          "{\"ok\":true", "[]",
	    "{}", "{\"ok\":\"yes\"}", "{\"ok\":1}",   "{\"ok\":true}{}",
	};
	json_object *out = NULL;
	struct netd_diag d = {{0}};
	bool refused;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused = true;
		assert_int_equal(
		    netd_ctl_response_decode(bad[i], strlen(bad[i]), &out, &refused, &d), -EPROTO);
		assert_false(refused);
		assert_null(out);
		assert_non_null(strstr(d.msg, "bad response from netd"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cmd_table),          cmocka_unit_test(test_permission),
	    cmocka_unit_test(test_request_round_trip), cmocka_unit_test(test_request_malformed),
	    cmocka_unit_test(test_down_force),         cmocka_unit_test(test_request_oversized),
	    cmocka_unit_test(test_response_ok),        cmocka_unit_test(test_response_error),
	    cmocka_unit_test(test_response_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
