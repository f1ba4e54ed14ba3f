/*
 * The rtnetlink dump requests netd sends (nl.c: netd_nl_dump_msg): each carries the full
 * header struct of its type, zeroed but for the family, and a kernel that checks dump
 * requests strictly (NETLINK_GET_STRICT_CHK, as iproute2 asks for) accepts them. A request
 * with a short header (a bare rtgenmsg) is refused there with "Invalid header for ... dump
 * request"; a header copied from a smaller struct sends whatever follows it in memory.
 * Root: runs in its own network namespace.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "nl_priv.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const struct {
	int type;
	int family;
	size_t hdrlen;
} dumps[] = {
    {RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg)},
    {RTM_GETADDR, AF_INET, sizeof(struct ifaddrmsg)},
    {RTM_GETROUTE, AF_INET, sizeof(struct rtmsg)},
};

/* The message is the netlink header and exactly the type's header struct: family, then
 * zeros (no filter, nothing from the stack). */
static void test_dump_msg_bytes(void **state)
{
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct nl_msg *msg = NULL;
		struct nlmsghdr *h;
		const unsigned char *p;

		assert_int_equal(netd_nl_dump_msg(dumps[i].type, dumps[i].family, &msg), 0);
		h = nlmsg_hdr(msg);
		assert_int_equal(h->nlmsg_type, dumps[i].type);
		assert_true(h->nlmsg_flags & NLM_F_DUMP);
		assert_int_equal(h->nlmsg_len, NLMSG_LENGTH(dumps[i].hdrlen));
		p = nlmsg_data(h);
		assert_int_equal(p[0], dumps[i].family);
		for (size_t b = 1; b < dumps[i].hdrlen; b++)
			assert_int_equal(p[b], 0);
		nlmsg_free(msg);
	}
}

static void test_dump_msg_other_type(void **state)
{
	struct nl_msg *msg = NULL;

	assert_int_equal(netd_nl_dump_msg(RTM_GETNEIGH, AF_INET, &msg), -EINVAL);
	assert_null(msg);
}

static int count_reply(struct nl_msg *msg, void *arg)
{
	(*(int *)arg)++;
	return NL_OK;
}

/* Each request answered, not refused, by a kernel checking dump requests strictly. */
static void test_dump_msg_strict_kernel(void **state)
{
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct nl_sock *sk = nl_socket_alloc();
		struct nl_msg *msg = NULL;
		int one = 1, replies = 0;

		assert_non_null(sk);
		assert_int_equal(nl_connect(sk, NETLINK_ROUTE), 0);
		assert_int_equal(setsockopt(nl_socket_get_fd(sk), SOL_NETLINK,
		                            NETLINK_GET_STRICT_CHK, &one, sizeof(one)),
		                 0);
		nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, count_reply, &replies);
		assert_int_equal(netd_nl_dump_msg(dumps[i].type, dumps[i].family, &msg), 0);
		assert_true(nl_send_auto(sk, msg) >= 0);
		nlmsg_free(msg);
		assert_int_equal(nl_recvmsgs_default(sk), 0);
		/* lo, its 127.0.0.1, and the local routes that come with it; a refused dump
		 * ends with an error in its DONE, which libnl reads as an empty answer */
		if (replies == 0)
			fail_msg("dump type %d: no answer (refused)", dumps[i].type);
		nl_socket_free(sk);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dump_msg_bytes),
	    cmocka_unit_test(test_dump_msg_other_type),
	    cmocka_unit_test(test_dump_msg_strict_kernel),
	};
	struct netd_diag diag;
	struct netd_nl *nl;
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_nl_dump: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (netd_nl_open(&nl) < 0 || netd_nl_link_set_up(nl, "lo", true, &diag) < 0) {
		fprintf(stderr, "test_nl_dump: cannot set up the namespace\n");
		return 1;
	}
	netd_nl_close(nl);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	return ret;
}
