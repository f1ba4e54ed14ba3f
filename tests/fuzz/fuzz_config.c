/*
 * libFuzzer harness: one network file, as text, through the parser that reads every file of
 * the config directory (netd_config_parse_string: netd_config_parse_file reads the file and
 * hands its text here). A file that parses is then taken as far as core takes it before
 * anything touches the kernel: the desired state (nft rules as IR, dnsmasq's config and
 * hosts text) and the rules' text, so a strange but valid definition that trips the planner
 * or a renderer is found too. Seeds: tests/data/config (good, bad and bond files).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/config.h"
#include "netd/dnsmasq.h"
#include "netd/nft.h"
#include "netd/plan.h"

static void plan_and_render(const struct netd_network *n)
{
	static FILE *sink;
	struct netd_dnsmasq_paths paths;
	struct netd_desired *d = NULL;

	if (!sink && !(sink = fopen("/dev/null", "we")))
		abort();
	if (netd_dnsmasq_paths_init(&paths, "/run/netd", "/var/lib/netd", n->name) < 0 ||
	    netd_desired_build(n, &paths, NULL, &d) < 0)
		return;
	if (d->nft)
		netd_nft_render_net(d->nft, sink);
	netd_desired_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netd_network *n = NULL;
	struct netd_diag diag = {{0}};
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	/* The file reader refuses a NUL byte; the string parser ends at the first one. */
	memcpy(text, data, size);
	text[size] = '\0';
	if (netd_config_parse_string(text, "fuzz.conf", &n, &diag) == 0) {
		plan_and_render(n);
		netd_network_free(n);
	} else if (!diag.msg[0]) {
		abort(); /* an error always says why, with its file:line */
	}
	free(text);
	return 0;
}
