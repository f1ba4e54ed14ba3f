/* Parsing network definitions: INI files, one network per file. Pure: no kernel access. */
#ifndef NETD_CONFIG_H
#define NETD_CONFIG_H

#include <stdio.h>

#include "netd/model.h"

/*
 * Parse one network from text. `source` names it in errors ("path" or "<embedded>").
 * On error returns -EINVAL (or -ENOMEM) and sets diag to "source:line: message".
 * Applies the mode's policy defaults and validation (modes/ via netd_mode_ops()).
 */
int netd_config_parse_string(const char *text, const char *source, struct netd_network **out,
                             struct netd_diag *diag);
int netd_config_parse_file(const char *path, struct netd_network **out, struct netd_diag *diag);

/*
 * Load every "*.conf" in dir, in name order, then check the set: duplicate names, duplicate
 * bridges, overlapping subnets, one uplink used twice. An error names file:line.
 * A directory without any *.conf loads the embedded default network (conf/default.conf).
 */
int netd_config_load_dir(const char *dir, struct netd_config **out, struct netd_diag *diag);

/* Cross-network checks of an already parsed set; used by load_dir. */
int netd_config_check_set(const struct netd_config *c, struct netd_diag *diag);

/* Check one network against what the host already has. Pure: the caller observes. */
int netd_config_check_host(const struct netd_network *n, const struct netd_host_prefix *hp,
                           size_t n_hp, struct netd_diag *diag);

/* The same for the network's IPv6 prefix (config_ipv6.c). */
int netd_config_check_host6(const struct netd_network *n, const struct netd_host_prefix6 *hp,
                            size_t n_hp, struct netd_diag *diag);

/*
 * The keys a network file takes: key i of the table (from 0) as its section ("Network") and
 * name ("Name"), each section's keys in the order its messages list them; -ENOENT past the
 * last. For tests and help texts.
 */
int netd_config_key(size_t i, const char **section, const char **key);

/* The text of conf/default.conf, compiled in. */
extern const char netd_embedded_default_conf[];

#endif
