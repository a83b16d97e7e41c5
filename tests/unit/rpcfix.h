/*
 * Calls to supervisord's XML-RPC methods for the tests: encoded as a
 * client does, run through rpc_request on a supervisor without sup_main
 * (supfix.h), the replies decoded; the loop run until a reply or a state
 * comes.  Include after cmocka.h, rpc-internal.h and supfix.h.
 */
#include <stdarg.h>

static struct sup	 sup;
static const char	*called[128];	/* every method a test called */
static size_t		 ncalled;
static int		(*until)(void);	/* run's condition */
static int		 in_loop;	/* a loop_stop now is for run() */

/* One reply: its status and document, decoded. */
struct reply {
	int		 status;
	int		 done;
	struct xr_msg	 msg;
};
static struct reply	 last;

/* A change of state: the waiting calls, then run's condition. */
static void
hook_changed(struct sup *s)
{
	rpc_changed(s);
	if (in_loop && until != NULL && until())
		loop_stop(s->loop);
}

static const struct sup_hooks hooks = {
	NULL, hook_changed, rpc_forget, NULL
};

/* The answer: decoded at once, as it lives only during the call. */
static void
reply_cb(void *arg, int status, const struct buf *b)
{
	struct reply	*r = arg;
	const char	*why;

	assert_false(r->done);
	r->done = 1;
	r->status = status;
	if (status == 200) {
		assert_non_null(b);
		if (xr_decode(b->data, b->len, &r->msg, &why) == -1)
			fail_msg("undecodable reply: %s\n%s", why, b->data);
	} else
		assert_null(b);
	if (in_loop)
		loop_stop(sup.loop);
}

/* Run the loop until something stops it (an answer, until()). */
static void
run(void)
{
	in_loop = 1;
	supfix_run(&sup);
	in_loop = 0;
}

/* Params as an array: the values, NULL-ended. */
static struct xr_value *
P(struct xr_value *v, ...)
{
	struct xr_value	*a = xr_array();
	va_list		 ap;

	va_start(ap, v);
	for (; v != NULL; v = va_arg(ap, struct xr_value *))
		xr_array_add(a, v);
	va_end(ap);
	return (a);
}

/* Remember that method was called, for test_every_method. */
static void
note_called(const char *method)
{
	size_t	i;

	for (i = 0; i < ncalled; i++)
		if (strcmp(called[i], method) == 0)
			return;
	assert_true(ncalled < nitems(called));
	called[ncalled++] = method;
}

/* Send a call (params freed); the handle while it waits, else NULL. */
static struct rpc_req *
send_call(struct reply *r, const char *method, struct xr_value *params)
{
	struct rpc_req	*req;
	struct buf	 b;

	note_called(method);
	xr_msg_free(&r->msg);
	memset(r, 0, sizeof *r);
	memset(&b, 0, sizeof b);
	xr_encode_call(&b, method, params);
	xr_free(params);
	req = rpc_request(&sup, b.data, b.len, reply_cb, r);
	buf_free(&b);
	assert_int_equal(req == NULL, r->done);
	return (req);
}

/* Run the loop until the reply has come. */
static void
wait_reply(struct reply *r)
{
	if (!r->done)
		run();
	assert_true(r->done);
	assert_int_equal(r->status, 200);
}

/* Call and wait: the response's value (a fault fails the test). */
static const struct xr_value *
call(const char *method, struct xr_value *params)
{
	int64_t		 code;
	const char	*str;

	(void)send_call(&last, method, params);
	wait_reply(&last);
	if (xr_fault(&last.msg, &code, &str) == 0)
		fail_msg("%s: fault %lld %s", method, (long long)code, str);
	assert_int_equal(last.msg.kind, XR_RESPONSE);
	assert_int_equal(last.msg.params->n, 1);
	return (last.msg.params->v[0]);
}

/* Call and wait: it must fault with code and exactly str. */
static void
fault(const char *method, struct xr_value *params, int code,
    const char *str)
{
	int64_t		 got;
	const char	*s;

	(void)send_call(&last, method, params);
	wait_reply(&last);
	if (xr_fault(&last.msg, &got, &s) == -1)
		fail_msg("%s: no fault", method);
	assert_int_equal(got, code);
	assert_string_equal(s, str);
}

/* Member name of struct v: a string. */
static const char *
mstr(const struct xr_value *v, const char *name)
{
	const struct xr_value	*m = xr_member(v, name, XR_STRING);

	if (m == NULL)
		fail_msg("no string member %s", name);
	return (m->s);
}

/* Member name of struct v: an int. */
static int64_t
mint(const struct xr_value *v, const char *name)
{
	const struct xr_value	*m = xr_member(v, name, XR_INT);

	if (m == NULL)
		fail_msg("no int member %s", name);
	return (m->i);
}

/* A value is exactly true. */
static void
assert_true_value(const struct xr_value *v)
{
	assert_int_equal(v->type, XR_BOOL);
	assert_int_equal(v->i, 1);
}

static struct svc *
svc(const char *group, const char *name)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup.svcs, entry)
		if (strcmp(s->cfg->group, group) == 0 &&
		    strcmp(s->cfg->name, name) == 0)
			return (s);
	fail_msg("%s:%s: no such service", group, name);
	return (NULL);
}

static struct svc	*watched;
static enum svc_state	 watched_for;

static int
watched_there(void)
{
	return (watched->state == watched_for);
}

/* Run the loop until s is in state st. */
static void
run_until_state(struct svc *s, enum svc_state st)
{
	watched = s;
	watched_for = st;
	until = watched_there;
	if (!watched_there())
		run();
	until = NULL;
	assert_int_equal(s->state, st);
}

/* Check a group result: {name, group, status, description}, in order. */
static void
assert_result(const struct xr_value *v, const char *name, const char *group,
    int status, const char *desc)
{
	assert_int_equal(v->type, XR_STRUCT);
	assert_int_equal(v->n, 4);
	assert_string_equal(v->v[0]->name, "name");
	assert_string_equal(v->v[1]->name, "group");
	assert_string_equal(v->v[2]->name, "status");
	assert_string_equal(v->v[3]->name, "description");
	assert_string_equal(mstr(v, "name"), name);
	assert_string_equal(mstr(v, "group"), group);
	assert_int_equal(mint(v, "status"), status);
	assert_string_equal(mstr(v, "description"), desc);
}

