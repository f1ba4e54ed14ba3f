/*
 * Ruleset notifications over a libmnl socket, parsed into netd_nft_event facts. Tables,
 * chains, rules and sets are read from their first attributes (the table's name is attribute
 * 1 of every one of them); map elements through libnftnl, for the chain each one jumps to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/set.h>

#include "netd/kernel/nft_monitor.h"
#include "notify_priv.h"

struct netd_nft_monitor {
	struct mnl_socket *sk;
	void (*cb)(const struct netd_nft_event *ev, void *arg);
	void *arg;
};

#define ATTR_MAX 16

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, ATTR_MAX) >= 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void copy_str(char *dst, size_t len, const struct nlattr *a)
{
	const char *s = a ? mnl_attr_get_payload(a) : "";
	size_t n = a ? strnlen(s, mnl_attr_get_payload_len(a)) : 0;

	/* Cut names would mislead: one that does not fit is none of netd's. */
	if (n >= len)
		n = 0;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* One event per element of the message: the chain it jumps to, when it has one. */
static void elements(struct netd_nft_monitor *m, const struct nlmsghdr *nlh,
                     struct netd_nft_event *ev)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it = NULL;
	struct nftnl_set_elem *el;
	bool any = false;

	if (s && nftnl_set_elems_nlmsg_parse(nlh, s) == 0)
		it = nftnl_set_elems_iter_create(s);
	for (el = it ? nftnl_set_elems_iter_next(it) : NULL; el;
	     el = nftnl_set_elems_iter_next(it)) {
		const char *chain = nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_CHAIN)
		                        ? nftnl_set_elem_get_str(el, NFTNL_SET_ELEM_CHAIN)
		                        : "";

		snprintf(ev->chain, sizeof(ev->chain), "%s",
		         strlen(chain) < sizeof(ev->chain) ? chain : "");
		m->cb(ev, m->arg);
		any = true;
	}
	/* Unparsed, or no element in it: still a change of that set. */
	if (!any) {
		ev->chain[0] = '\0';
		m->cb(ev, m->arg);
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	if (s)
		nftnl_set_free(s);
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct netd_nft_monitor *m = data;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[ATTR_MAX + 1] = {NULL};
	struct netd_nft_event ev = {.portid = nlh->nlmsg_pid, .family = g->nfgen_family};
	int type = NFNL_MSG_TYPE(nlh->nlmsg_type), chain_attr = 0;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*g), attr_cb, tb);
	switch (type) {
	case NFT_MSG_NEWGEN:
		ev.kind = NETD_NFT_EV_GEN;
		ev.family = 0;
		if (tb[NFTA_GEN_ID])
			ev.gen = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_ID]));
		if (tb[NFTA_GEN_PROC_PID])
			ev.pid = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_PROC_PID]));
		m->cb(&ev, m->arg);
		return MNL_CB_OK;
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		ev.kind = NETD_NFT_EV_TABLE;
		break;
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_DELCHAIN:
		ev.kind = NETD_NFT_EV_CHAIN;
		chain_attr = NFTA_CHAIN_NAME;
		break;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		ev.kind = NETD_NFT_EV_RULE;
		chain_attr = NFTA_RULE_CHAIN;
		break;
	case NFT_MSG_NEWSET:
	case NFT_MSG_DELSET:
		ev.kind = NETD_NFT_EV_SET;
		break;
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		ev.kind = NETD_NFT_EV_ELEM;
		break;
	default:
		ev.kind = NETD_NFT_EV_OTHER;
		break;
	}
	ev.deleted = type == NFT_MSG_DELTABLE || type == NFT_MSG_DELCHAIN ||
	             type == NFT_MSG_DELRULE || type == NFT_MSG_DELSET ||
	             type == NFT_MSG_DELSETELEM || type == NFT_MSG_DELOBJ ||
	             type == NFT_MSG_DELFLOWTABLE;
	copy_str(ev.table, sizeof(ev.table), tb[1]); /* NFTA_*_TABLE, NFTA_TABLE_NAME */
	if (chain_attr)
		copy_str(ev.chain, sizeof(ev.chain), tb[chain_attr]);
	if (ev.kind == NETD_NFT_EV_ELEM)
		elements(m, nlh, &ev);
	else
		m->cb(&ev, m->arg);
	return MNL_CB_OK;
}

int netd_nft_monitor_open(struct netd_nft_monitor **out)
{
	static const unsigned groups[] = {NFNLGRP_NFTABLES};
	struct netd_nft_monitor *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	ret = notify_open(NETLINK_NETFILTER, groups, 1, &m->sk);
	if (ret < 0) {
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void netd_nft_monitor_close(struct netd_nft_monitor *m)
{
	if (!m)
		return;
	mnl_socket_close(m->sk);
	free(m);
}

int netd_nft_monitor_fd(const struct netd_nft_monitor *m)
{
	return mnl_socket_get_fd(m->sk);
}

int netd_nft_monitor_read(struct netd_nft_monitor *m,
                          void (*cb)(const struct netd_nft_event *ev, void *arg), void *arg)
{
	m->cb = cb;
	m->arg = arg;
	return notify_read(m->sk, msg_cb, m);
}
