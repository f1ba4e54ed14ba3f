/*
 * Live forwards on the wire and on disk: the control request "forward" decoded (and refused
 * when malformed, and to anyone but root), netdctl's arguments into that request, its text
 * for the answer and for status, and the state file's record both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "netd/forward.h"

static int decode(const char *text, struct netd_ctl_request *req, struct netd_diag *d)
{
	return netd_ctl_request_decode(text, strlen(text), req, d);
}

static void the_request(void **state)
{
	struct netd_ctl_request req;
	struct netd_diag d = {""};
	char text[96];

	assert_int_equal(decode("{\"cmd\":\"forward\",\"name\":\"default\",\"op\":\"add\","
	                        "\"forward\":{\"protocol\":\"tcp\",\"host_port\":\"8000-8001\","
	                        "\"guest_address\":\"192.122.1.10\",\"guest_port\":\"80-81\"}}",
	                        &req, &d),
	                 0);
	assert_int_equal(req.cmd->cmd, NETD_CTL_FORWARD);
	assert_true(req.cmd->needs_root);
	assert_false(req.forward_remove);
	assert_true(req.forward.live);
	netd_forward_format(&req.forward, text, sizeof(text));
	assert_string_equal(text, "tcp *:8000-8001 -> 192.122.1.10:80-81");
	netd_ctl_request_clear(&req);
	assert_int_equal(decode("{\"cmd\":\"forward\",\"name\":\"default\",\"op\":\"remove\","
	                        "\"forward\":{\"protocol\":\"udp\",\"host_port\":53,"
	                        "\"guest_address\":\"0.0.0.0\"}}",
	                        &req, &d),
	                 0);
	assert_true(req.forward_remove);
	netd_ctl_request_clear(&req);
	assert_int_equal(netd_ctl_check_permission(netd_ctl_cmd_by_id(NETD_CTL_FORWARD), 1000, &d),
	                 -EPERM);
}

static void malformed_requests(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"{\"cmd\":\"forward\",\"name\":\"default\"}",
	     "'forward' needs \"op\": \"add\" or \"remove\""},
	    {"{\"cmd\":\"forward\",\"name\":\"default\",\"op\":\"swap\",\"forward\":{}}",
	     "'forward' needs \"op\": \"add\" or \"remove\""},
	    {"{\"cmd\":\"forward\",\"name\":\"default\",\"op\":\"add\"}",
	     "'forward': needs \"forward\": {\"protocol\", \"host_port\", ...}"},
	    {"{\"cmd\":\"forward\",\"name\":\"default\",\"op\":\"add\",\"forward\":{\"protocol\":"
	     "\"sctp\",\"host_port\":1,\"guest_address\":\"10.0.0.1\"}}",
	     "'forward': invalid protocol 'sctp': use tcp or udp"},
	    {"{\"cmd\":\"forward\",\"name\":\"default\",\"op\":\"add\",\"forward\":{\"protocol\":"
	     "\"tcp\",\"host_port\":\"70000\",\"guest_address\":\"10.0.0.1\"}}",
	     "'forward': invalid port '70000': give a port 1-65535 or a range N-M"},
	    {"{\"cmd\":\"forward\",\"op\":\"add\"}", "'forward' needs a network name"},
	};
	struct netd_ctl_request req;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct netd_diag d = {""};

		assert_int_equal(decode(bad[i].text, &req, &d), -EINVAL);
		assert_string_equal(d.msg, bad[i].msg);
	}
}

static int args_of(const char *line, json_object **args, struct netd_diag *d)
{
	char buf[256], *argv[16], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 16; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return netd_forward_cli_args(argc, argv, args, d);
}

static void netdctl_arguments(void **state)
{
	json_object *args = NULL;
	struct netd_diag d = {""};

	assert_int_equal(args_of("add default tcp 8080 192.122.1.10:80 203.0.113.2", &args, &d), 0);
	assert_string_equal(
	    json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN),
	    "{\"op\":\"add\",\"forward\":{\"protocol\":\"tcp\",\"host_port\":\"8080\","
	    "\"guest_address\":\"192.122.1.10\",\"guest_port\":\"80\","
	    "\"host_address\":\"203.0.113.2\"}}");
	json_object_put(args);
	assert_int_equal(args_of("remove default udp 5000-5009", &args, &d), 0);
	assert_string_equal(json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN),
	                    "{\"op\":\"remove\",\"forward\":{\"protocol\":\"udp\",\"host_port\":"
	                    "\"5000-5009\",\"guest_address\":\"0.0.0.0\",\"guest_port\":"
	                    "\"5000-5009\"}}");
	json_object_put(args);
	assert_int_equal(args_of("add default icmp 1 10.0.0.1", &args, &d), -EINVAL);
	assert_string_equal(d.msg, "invalid protocol (tcp or udp) 'icmp'");
	assert_int_equal(args_of("add default tcp 80 10.0.0.1:0", &args, &d), -EINVAL);
	assert_string_equal(d.msg, "invalid guest port '0'");
	assert_int_equal(args_of("add default tcp 80", &args, &d), -EINVAL);
	assert_string_equal(d.msg, "add takes 4 or 5 arguments");
	assert_int_equal(args_of("move default tcp 80", &args, &d), -EINVAL);
	assert_null(args);
}

static char *text_of(int (*fn)(FILE *, json_object *), json_object *o)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	if (fn)
		assert_int_equal(fn(f, o), 0);
	else
		netd_fmt_forwards(f, o);
	fclose(f);
	return out;
}

static void text_for_humans(void **state)
{
	json_object *res = json_tokener_parse(
	    "{\"network\":\"default\",\"op\":\"add\",\"forward\":{\"protocol\":\"tcp\","
	    "\"host_port\":\"8080\",\"guest_address\":\"192.122.1.10\",\"guest_port\":\"80\"},"
	    "\"forwards\":[{\"protocol\":\"udp\",\"host_port\":\"53\",\"guest_address\":"
	    "\"192.122.1.11\",\"guest_port\":\"53\",\"host_address\":\"127.0.0.1\",\"line\":12},"
	    "{\"protocol\":\"tcp\",\"host_port\":\"8080\",\"guest_address\":\"192.122.1.10\","
	    "\"guest_port\":\"80\",\"live\":true}]}");
	json_object *list;
	char *t;

	assert_non_null(res);
	t = text_of(netd_fmt_forward, res);
	assert_string_equal(t, "default: added tcp *:8080 -> 192.122.1.10:80\n");
	free(t);
	json_object_object_get_ex(res, "forwards", &list);
	t = text_of(NULL, list);
	assert_string_equal(t,
	                    "\nforwards:\n"
	                    "  udp 127.0.0.1:53 -> 192.122.1.11:53               [Forward] "
	                    "line 12\n"
	                    "  tcp *:8080 -> 192.122.1.10:80                     forward add\n");
	free(t);
	json_object_put(res);
}

static void the_state_record(void **state)
{
	struct netd_forward v[2] = {
	    {.proto = IPPROTO_TCP, .host_port = {80, 80}, .guest_port = {8080, 8080}},
	    {.proto = IPPROTO_UDP, .host_port = {5000, 5001}, .guest_port = {6000, 6001}}};
	struct netd_forward_list l = {v, 2}, back;
	char *text = NULL;

	v[0].guest.s_addr = htonl(0x0a000005);
	v[1].guest.s_addr = htonl(0x0a000006);
	v[1].host_addr.s_addr = htonl(0xcb007102);
	assert_int_equal(netd_forward_list_to_json(&l, &text), 0);
	assert_int_equal(netd_forward_list_from_json(text, &back), 0);
	assert_int_equal(back.n, 2);
	assert_true(netd_forward_same(&back.v[0], &v[0]));
	assert_true(netd_forward_same(&back.v[1], &v[1]));
	assert_true(back.v[0].live && back.v[1].live);
	netd_forward_list_clear(&back);
	free(text);
	assert_int_equal(
	    netd_forward_list_from_json("{\"forwards\":[{\"protocol\":\"tcp\"}]}", &back), -EINVAL);
	assert_int_equal(netd_forward_list_from_json("[]", &back), -EINVAL);
	assert_int_equal(back.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_request),       cmocka_unit_test(malformed_requests),
	    cmocka_unit_test(netdctl_arguments), cmocka_unit_test(text_for_humans),
	    cmocka_unit_test(the_state_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
