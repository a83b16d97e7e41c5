/*
 * Calling XML-RPC methods straight from their tables, without rpc.c:
 * one struct rpc_call on a supfix.h supervisor, params built from a
 * short spec, the fault checked by code and text.  Include after
 * supfix.h and rpc-internal.h.
 */
#include <sys/stat.h>

#include <fcntl.h>

static const struct rpc_method *const rpcfix_tables[] = {
	rpc_log_methods, rpc_conf_methods
};

/* The row of a method, from either table. */
static const struct rpc_method *
rpcfix_find(const char *name)
{
	const struct rpc_method	*m;
	size_t			 i;

	for (i = 0; i < sizeof rpcfix_tables / sizeof rpcfix_tables[0]; i++)
		for (m = rpcfix_tables[i]; m->name != NULL; m++)
			if (strcmp(m->name, name) == 0)
				return (m);
	fail_msg("no method %s", name);
	return (NULL);
}

/*
 * Params from spec, one word each: "s:TEXT", "i:NUMBER", "b:0|1",
 * "6:BASE64TEXT" (its bytes), "d:NUMBER"; words split at '|' so that a
 * string may hold spaces.
 */
static struct xr_value *
rpcfix_params(const char *spec)
{
	struct xr_value	*a = xr_array();
	char		*copy, *w, *next;

	copy = strdup(spec);
	for (w = copy; w != NULL && *w != '\0'; w = next) {
		if ((next = strchr(w, '|')) != NULL)
			*next++ = '\0';
		assert_true(strlen(w) >= 2 && w[1] == ':');
		switch (w[0]) {
		case 's':
			xr_array_add(a, xr_string(w + 2));
			break;
		case '6':
			xr_array_add(a, xr_base64(w + 2, strlen(w + 2)));
			break;
		case 'i':
			xr_array_add(a, xr_int(strtoll(w + 2, NULL, 10)));
			break;
		case 'b':
			xr_array_add(a, xr_bool(w[2] == '1'));
			break;
		case 'd':
			xr_array_add(a, xr_double(strtod(w + 2, NULL)));
			break;
		default:
			fail_msg("bad param word %s", w);
		}
	}
	free(copy);
	return (a);
}

/*
 * Call method with params from spec.  Returns the result (to free), or
 * NULL for a fault, whose code and text are in *fault and faultstr.
 */
static struct xr_value *
rpcfix_call(struct sup *sup, const char *method, const char *spec,
    int *fault, char *faultstr, size_t len)
{
	const struct rpc_method	*m = rpcfix_find(method);
	struct rpc_call		 call;
	struct xr_value		*params, *res = NULL;
	int			 rv;

	memset(&call, 0, sizeof call);
	call.sup = sup;
	params = rpcfix_params(spec);
	rv = m->fn(&call, params, &res);
	xr_free(params);
	*fault = 0;
	if (faultstr != NULL)
		faultstr[0] = '\0';
	if (rv == RPC_FAULT) {
		assert_null(res);
		assert_non_null(call.faultstr);
		*fault = call.fault;
		if (faultstr != NULL)
			snprintf(faultstr, len, "%s", call.faultstr);
	} else {
		assert_int_equal(rv, RPC_OK);
		assert_non_null(res);
	}
	rpc_call_reset(&call);
	return (res);
}

/* The call must succeed: its result. */
static struct xr_value *
rpcfix_ok(struct sup *sup, const char *method, const char *spec)
{
	struct xr_value	*res;
	char		 why[512];
	int		 fault;

	res = rpcfix_call(sup, method, spec, &fault, why, sizeof why);
	if (res == NULL)
		fail_msg("%s(%s): fault %d %s", method, spec, fault, why);
	return (res);
}

/* The call must fail with code and exactly the text want. */
static void
rpcfix_fault(struct sup *sup, const char *method, const char *spec, int code,
    const char *want)
{
	struct xr_value	*res;
	char		 why[512];
	int		 fault;

	res = rpcfix_call(sup, method, spec, &fault, why, sizeof why);
	if (res != NULL)
		fail_msg("%s(%s): no fault, %d wanted", method, spec, code);
	if (fault != code || strcmp(why, want) != 0)
		fail_msg("%s(%s): fault %d \"%s\", wanted %d \"%s\"", method,
		    spec, fault, why, code, want);
}

/* A file with text in it, replacing what was there. */
static void
rpcfix_write(const char *path, const char *text)
{
	int	fd;

	assert_true((fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, 0644)) != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A file's size, or -1 when it is not there. */
static long long __attribute__((unused))
rpcfix_size(const char *path)
{
	struct stat	st;

	return (stat(path, &st) == 0 ? (long long)st.st_size : -1);
}
