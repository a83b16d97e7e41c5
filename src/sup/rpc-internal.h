/*
 * The XML-RPC methods' inside (rpc.c, rpc-*.c), not for the HTTP
 * server: one call, the method tables, and the helpers every method
 * uses.  rpc.h is the outside.
 */
#ifndef WARDEN_RPC_INTERNAL_H
#define WARDEN_RPC_INTERNAL_H

#include "../compat/queue.h"
#include "rpc.h"
#include "xmlrpc.h"

/* What a method returns. */
#define RPC_OK		0	/* *res is the result */
#define RPC_FAULT	1	/* rpc_fault() said why */
#define RPC_WAIT	2	/* call->poll set: asked again on changes */

struct rpc_call;
typedef int	(*rpc_fn)(struct rpc_call *, const struct xr_value *,
		    struct xr_value **);

/* A method: its name, its code, methodSignature's types and its help. */
struct rpc_method {
	const char	*name;		/* "supervisor.getState" */
	rpc_fn		 fn;
	const char	*sig;		/* "struct" or "boolean,string,boolean":
					   the result's type, then the params' */
	const char	*help;		/* methodHelp's text */
};

/*
 * One call: of a request, or one of a multicall's.  A method that must
 * wait sets poll (and data, freed by cleanup) and returns RPC_WAIT; poll
 * is then asked on every change of state until it returns RPC_OK or
 * RPC_FAULT.  Services a call waits for are in targets, so that a
 * service freed by a reload is set to NULL there (rpc_forget).
 */
struct rpc_call {
	struct sup	 *sup;
	int		(*poll)(struct rpc_call *, struct xr_value **);
	void		(*cleanup)(struct rpc_call *);
	void		 *data;
	struct svc	**targets;
	size_t		  ntargets, targetcap;
	struct rpc_call	 *sub;		/* a multicall's call under way */
	int		  fault;	/* RPC_FAULT: the code */
	char		 *faultstr;	/* ... and "NAME: text" */
};

/* The method tables, each ended by a row of NULLs. */
extern const struct rpc_method rpc_sys_methods[];	/* rpc.c */
extern const struct rpc_method rpc_sup_methods[];	/* rpc-sup.c */
extern const struct rpc_method rpc_proc_methods[];	/* rpc-proc.c */
extern const struct rpc_method rpc_log_methods[];	/* rpc-log.c */
extern const struct rpc_method rpc_conf_methods[];	/* rpc-conf.c */
extern const struct rpc_method rpc_warden_methods[];	/* rpc-warden.c */

/* rpc.c */
const struct rpc_method *rpc_method_find(const char *);
int		 rpc_call_run(struct rpc_call *, const char *,
		    const struct xr_value *, struct xr_value **);

/* rpc-util.c */
int		 rpc_fault(struct rpc_call *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
const char	*rpc_fault_name(int);
int		 rpc_params(struct rpc_call *, const struct xr_value *,
		    const char *);
int		 rpc_truth(const struct xr_value *, size_t, int);
struct svc	*rpc_lookup(struct rpc_call *, const char *, int *);
void		 rpc_target_add(struct rpc_call *, struct svc *);
void		 rpc_call_reset(struct rpc_call *);
int		 rpc_strcmp(const void *, const void *);
size_t		 rpc_collect(struct rpc_call *, const char *, int);

/* rpc-conf.c */
int		 rpc_update(struct rpc_call *);

/* rpc-log.c */
void		 rpc_comm_event(struct sup *, const char *, size_t,
		    const char *, size_t);

#endif
