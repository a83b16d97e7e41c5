/*
 * Empty tables for the methods of rpc-log.c and rpc-conf.c, until they
 * exist: this file goes when they come.
 */
#include "rpc-internal.h"

const struct rpc_method rpc_log_methods[] = {
	{ NULL, NULL, NULL, NULL }
};

const struct rpc_method rpc_conf_methods[] = {
	{ NULL, NULL, NULL, NULL }
};
