/*
 * supervisord's log and input methods: readLog, readProcess*Log and
 * tailProcess*Log with supervisord's offset and length rules (its
 * readFile and tailFile), clearLog and clear*ProcessLogs (through the
 * log module, which keeps its fd and its rotation size right),
 * sendProcessStdin (svc-stdin.c's pipe) and sendRemoteCommEvent.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"
#include "event.h"
#include "rpc-internal.h"

/* The most one read returns: beyond it, FAILED rather than the memory. */
#define RPC_LOG_MAX	(64 << 20)

/*
 * Python's int() of a param: an int, a boolean, a double (truncated) or
 * a string of digits.  0, or RPC_FAULT.
 */
static int
rpc_log_int(struct rpc_call *call, const struct xr_value *v, int64_t *out)
{
	char		*end;
	long long	 n;

	switch (v->type) {
	case XR_INT:
	case XR_BOOL:
		*out = v->i;
		return (0);
	case XR_DOUBLE:
		if (v->d > -9.2e18 && v->d < 9.2e18) {
			*out = (int64_t)v->d;
			return (0);
		}
		break;
	case XR_STRING:
		errno = 0;
		n = strtoll(v->s, &end, 10);
		if (end != v->s && *end == '\0' && errno == 0) {
			*out = n;
			return (0);
		}
		break;
	default:
		break;
	}
	return (rpc_fault(call, RPC_INCORRECT_PARAMETERS, NULL));
}

/* offset and length, params first and first + 1.  0, or RPC_FAULT. */
static int
rpc_log_range(struct rpc_call *call, const struct xr_value *params,
    size_t first, int64_t *offset, int64_t *length)
{
	if (rpc_log_int(call, params->v[first], offset) != 0 ||
	    rpc_log_int(call, params->v[first + 1], length) != 0)
		return (RPC_FAULT);
	return (0);
}

/* a + b, held within int64_t. */
static int64_t
rpc_log_add(int64_t a, int64_t b)
{
	int64_t	r;

	if (__builtin_add_overflow(a, b, &r))
		return (a > 0 ? INT64_MAX : INT64_MIN);
	return (r);
}

/* Read up to len bytes at off into a new string value; NULL on error. */
static struct xr_value *
rpc_log_pread(int fd, int64_t off, int64_t len)
{
	struct xr_value	*v;
	char		*buf;
	size_t		 got = 0;
	ssize_t		 n;

	if (len > RPC_LOG_MAX) {
		errno = EFBIG;
		return (NULL);
	}
	buf = xmalloc((size_t)len + 1);
	while (got < (size_t)len) {
		n = pread(fd, buf + got, (size_t)len - got, (off_t)off +
		    (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return (NULL);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	v = xr_stringn(buf, got);
	free(buf);
	return (v);
}

/*
 * supervisord's readFile: a negative offset is that many bytes from
 * the end (length must be 0); a length of 0 is up to the end; a
 * negative length is BAD_ARGUMENTS; what cannot be read, FAILED.
 */
static int
rpc_read_file(struct rpc_call *call, const char *path, int64_t offset,
    int64_t length, struct xr_value **res)
{
	struct stat	 st;
	int64_t		 pos, want;
	int		 fd;

	if (path == NULL)
		return (rpc_fault(call, RPC_NO_FILE, NULL));
	if (stat(path, &st) == -1)
		return (rpc_fault(call, RPC_NO_FILE, "%s", path));
	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK)) == -1)
		return (rpc_fault(call, RPC_FAILED, NULL));
	if (fstat(fd, &st) == -1) {
		close(fd);
		return (rpc_fault(call, RPC_FAILED, NULL));
	}
	if (offset < 0) {
		if (length != 0) {
			close(fd);
			return (rpc_fault(call, RPC_BAD_ARGUMENTS, NULL));
		}
		want = offset == INT64_MIN ? INT64_MAX : -offset;
		pos = st.st_size > want ? st.st_size - want : 0;
	} else {
		if (length < 0) {
			close(fd);
			return (rpc_fault(call, RPC_BAD_ARGUMENTS, NULL));
		}
		pos = offset;
		want = length;
	}
	/* Nothing is there past the end: read only what is. */
	if (pos >= st.st_size)
		want = 0;
	else if (want == 0 || want > st.st_size - pos)
		want = st.st_size - pos;
	*res = rpc_log_pread(fd, pos, want);
	close(fd);
	if (*res == NULL)
		return (rpc_fault(call, RPC_FAILED, NULL));
	return (RPC_OK);
}

/*
 * supervisord's tailFile: [bytes, offset, overflow].  When the file has
 * grown past offset + length, the last length bytes and overflow; the
 * offset returned is the file's size.
 */
static void
rpc_tail_file(const char *path, int64_t offset, int64_t length,
    struct xr_value **res)
{
	struct stat	 st;
	struct xr_value	*data = NULL;
	int64_t		 sz;
	int		 fd, overflow = 0;

	*res = xr_array();
	if (path == NULL || stat(path, &st) == -1) {
		offset = 0;
		goto empty;
	}
	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK)) == -1)
		goto empty;
	if (fstat(fd, &st) == -1) {
		close(fd);
		goto empty;
	}
	sz = st.st_size;
	if (sz > rpc_log_add(offset, length)) {
		overflow = 1;
		offset = sz - 1;
	}
	if (rpc_log_add(offset, length) > sz) {
		if (offset > sz - 1)
			length = 0;
		offset = sz - length;
	}
	if (offset < 0)
		offset = 0;
	if (length < 0)
		length = 0;
	if (length > sz - offset)
		length = sz - offset > 0 ? sz - offset : 0;
	data = length == 0 ? xr_string("") : rpc_log_pread(fd, offset, length);
	close(fd);
	if (data == NULL) {
		overflow = 0;
		goto empty;
	}
	xr_array_add(*res, data);
	xr_array_add(*res, xr_int(sz));
	xr_array_add(*res, xr_bool(overflow));
	return;

empty:
	xr_array_add(*res, xr_string(""));
	xr_array_add(*res, xr_int(offset));
	xr_array_add(*res, xr_bool(0));
}

/* supervisor.readLog(offset, length): the supervisor's own log. */
static int
rpc_read_log(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	int64_t	offset, length;

	if (rpc_params(call, params, "..") != 0 || rpc_update(call) != 0 ||
	    rpc_log_range(call, params, 0, &offset, &length) != 0)
		return (RPC_FAULT);
	return (rpc_read_file(call, call->sup->cfg->logfile, offset, length,
	    res));
}

/*
 * The log file of stream which (0 stdout, 1 stderr) of the process
 * param 0 names, in *path (NULL: none).  0, or RPC_FAULT.
 */
static int
rpc_log_path(struct rpc_call *call, const struct xr_value *params,
    int which, const char **path)
{
	struct svclog	*l;
	struct svc	*s;
	int		 group;

	if ((s = rpc_lookup(call, params->v[0]->s, &group)) == NULL)
		return (RPC_FAULT);
	if (group)
		return (rpc_fault(call, RPC_BAD_NAME, "%s", params->v[0]->s));
	l = which == 0 ? s->out : s->err;
	*path = l != NULL ? l->path : NULL;
	return (0);
}

/*
 * A process log call's (name, offset, length): its path and range; 0, or
 * RPC_FAULT with the call's fault.
 */
static int
rpc_log_args(struct rpc_call *call, const struct xr_value *params, int which,
    const char **path, int64_t *offset, int64_t *length)
{
	if (rpc_params(call, params, "s..") != 0 || rpc_update(call) != 0 ||
	    rpc_log_path(call, params, which, path) != 0 ||
	    rpc_log_range(call, params, 1, offset, length) != 0)
		return (RPC_FAULT);
	return (0);
}

/* readProcessStdoutLog and readProcessStderrLog(name, offset, length). */
static int
rpc_read_process(struct rpc_call *call, const struct xr_value *params,
    int which, struct xr_value **res)
{
	const char	*path;
	int64_t		 offset, length;

	if (rpc_log_args(call, params, which, &path, &offset, &length) != 0)
		return (RPC_FAULT);
	return (rpc_read_file(call, path, offset, length, res));
}

/* supervisor.readProcessStdoutLog (readProcessLog). */
static int
rpc_read_stdout(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	return (rpc_read_process(call, params, 0, res));
}

/* supervisor.readProcessStderrLog. */
static int
rpc_read_stderr(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	return (rpc_read_process(call, params, 1, res));
}

/* tailProcessStdoutLog and tailProcessStderrLog(name, offset, length). */
static int
rpc_tail_process(struct rpc_call *call, const struct xr_value *params,
    int which, struct xr_value **res)
{
	const char	*path;
	int64_t		 offset, length;

	if (rpc_log_args(call, params, which, &path, &offset, &length) != 0)
		return (RPC_FAULT);
	rpc_tail_file(path, offset, length, res);
	return (RPC_OK);
}

/* supervisor.tailProcessStdoutLog (tailProcessLog). */
static int
rpc_tail_stdout(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	return (rpc_tail_process(call, params, 0, res));
}

/* supervisor.tailProcessStderrLog. */
static int
rpc_tail_stderr(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	return (rpc_tail_process(call, params, 1, res));
}

/* supervisor.clearLog: the supervisor's log removed and opened anew. */
static int
rpc_clear_log(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	const char	*path = call->sup->cfg->logfile;
	struct stat	 st;

	if (rpc_params(call, params, "") != 0 || rpc_update(call) != 0)
		return (RPC_FAULT);
	if (path == NULL || stat(path, &st) == -1)
		return (rpc_fault(call, RPC_NO_FILE, NULL));
	if (unlink(path) == -1 && errno != ENOENT)
		return (rpc_fault(call, RPC_FAILED, NULL));
	if (log_reopen(path) == -1)
		return (rpc_fault(call, RPC_FAILED, NULL));
	log_info("reopening log file");
	*res = xr_bool(1);
	return (RPC_OK);
}

/* supervisor.clearProcessLogs(name): both log files of a process. */
static int
rpc_clear_process(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct svc	*s;
	int		 group;

	if (rpc_params(call, params, "s") != 0 || rpc_update(call) != 0)
		return (RPC_FAULT);
	if ((s = rpc_lookup(call, params->v[0]->s, &group)) == NULL)
		return (RPC_FAULT);
	if (group)
		return (rpc_fault(call, RPC_BAD_NAME, "%s", params->v[0]->s));
	if (svclog_clear(s) == -1)
		return (rpc_fault(call, RPC_FAILED, "%s", params->v[0]->s));
	*res = xr_bool(1);
	return (RPC_OK);
}

/* supervisor.clearAllProcessLogs: a result struct for each process. */
static int
rpc_clear_all(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct xr_value		*r;
	struct svc		*s;
	char			*desc;
	size_t			 n, i;
	int			 code;

	if (rpc_params(call, params, "") != 0 || rpc_update(call) != 0)
		return (RPC_FAULT);
	n = rpc_collect(call, NULL, 0);
	*res = xr_array();
	for (i = 0; i < n; i++) {
		s = call->targets[i];
		if (svclog_clear(s) == -1) {
			code = RPC_FAILED;
			if (strcmp(s->cfg->group, s->cfg->name) == 0)
				xasprintf(&desc, "%s: %s", rpc_fault_name(code),
				    s->cfg->name);
			else
				xasprintf(&desc, "%s: %s:%s",
				    rpc_fault_name(code), s->cfg->group,
				    s->cfg->name);
		} else {
			code = RPC_SUCCESS;
			desc = xstrdup("OK");
		}
		r = xr_struct();
		xr_struct_add(r, "name", xr_string(s->cfg->name));
		xr_struct_add(r, "group", xr_string(s->cfg->group));
		xr_struct_add(r, "status", xr_int(code));
		xr_struct_add(r, "description", xr_string(desc));
		xr_array_add(*res, r);
		free(desc);
	}
	return (RPC_OK);
}

/*
 * supervisor.sendProcessStdin(name, chars): to the process's stdin
 * pipe; what it does not take at once is queued and written from the
 * loop.
 */
static int
rpc_send_stdin(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	const struct xr_value	*chars;
	const char		*name;
	struct svc		*s;
	int			 group;

	if (rpc_params(call, params, "s.") != 0 || rpc_update(call) != 0)
		return (RPC_FAULT);
	name = params->v[0]->s;
	chars = params->v[1];
	switch (chars->type) {
	case XR_STRING:
	case XR_BASE64:
		break;
	case XR_INT:
		return (rpc_fault(call, RPC_INCORRECT_PARAMETERS, "%lld",
		    (long long)chars->i));
	case XR_BOOL:
		return (rpc_fault(call, RPC_INCORRECT_PARAMETERS, "%s",
		    chars->i ? "True" : "False"));
	default:
		return (rpc_fault(call, RPC_INCORRECT_PARAMETERS, NULL));
	}
	if ((s = rpc_lookup(call, name, &group)) == NULL)
		return (RPC_FAULT);
	if (group)
		return (rpc_fault(call, RPC_BAD_NAME, "%s", name));
	if (s->pid <= 0 || s->state == SVC_STOPPING)
		return (rpc_fault(call, RPC_NOT_RUNNING, "%s", name));
	if (svc_stdin_write(s, chars->s, chars->len) == -1) {
		if (errno == EPIPE)
			return (rpc_fault(call, RPC_NO_FILE, "%s", name));
		return (rpc_fault(call, RPC_FAILED, "%s: %s", name,
		    strerror(errno)));
	}
	*res = xr_bool(1);
	return (RPC_OK);
}

/* A REMOTE_COMMUNICATION event, for the listeners that take it. */
void
rpc_comm_event(struct sup *sup, const char *type, size_t typelen,
    const char *data, size_t datalen)
{
	(void)sup;
	event_remote(type, typelen, data, datalen);
}

/* A param as text for an event: strings as they are, numbers written. */
static const char *
rpc_log_text(const struct xr_value *v, char *buf, size_t len, size_t *n)
{
	switch (v->type) {
	case XR_STRING:
	case XR_BASE64:
		*n = v->len;
		return (v->s);
	case XR_INT:
		snprintf(buf, len, "%lld", (long long)v->i);
		break;
	case XR_BOOL:
		snprintf(buf, len, "%s", v->i ? "True" : "False");
		break;
	case XR_DOUBLE:
		snprintf(buf, len, "%.17g", v->d);
		break;
	default:
		buf[0] = '\0';
		break;
	}
	*n = strlen(buf);
	return (buf);
}

/*
 * supervisor.sendRemoteCommEvent(type, data): True, as supervisord,
 * which takes any values and checks no state.
 */
static int
rpc_send_event(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	char		 tb[64], db[64];
	const char	*type, *data;
	size_t		 tlen, dlen;

	if (rpc_params(call, params, "..") != 0)
		return (RPC_FAULT);
	type = rpc_log_text(params->v[0], tb, sizeof tb, &tlen);
	data = rpc_log_text(params->v[1], db, sizeof db, &dlen);
	rpc_comm_event(call->sup, type, tlen, data, dlen);
	*res = xr_bool(1);
	return (RPC_OK);
}

#define READ_HELP(what)							\
	"Read length bytes from " what " starting at offset.\n\n"	\
	"@param int offset         offset to start reading from.\n"	\
	"@param int length         number of bytes to read from the log.\n" \
	"@return string result     Bytes of log"
#define READP_HELP(what)						\
	"Read length bytes from name's " what " log starting at offset.\n\n" \
	"@param string name        the name of the process (or "	\
	"'group:name')\n"						\
	"@param int offset         offset to start reading from.\n"	\
	"@param int length         number of bytes to read from the log.\n" \
	"@return string result     Bytes of log"
#define TAIL_HELP(what)							\
	"Tail name's " what " log: length bytes from offset, or the last " \
	"length bytes with the overflow flag when the log has grown past " \
	"offset + length.  The offset returned is the log's size.\n\n"	\
	"@param string name         the name of the process (or "	\
	"'group:name')\n"						\
	"@param int offset          offset to start reading from\n"	\
	"@param int length          maximum number of bytes to return\n" \
	"@return array result       [string bytes, int offset, bool "	\
	"overflow]"
#define CLEARP_HELP							\
	"Clear the stdout and stderr logs for the named process and "	\
	"reopen them.\n\n"						\
	"@param string name   The name of the process (or 'group:name')\n" \
	"@return boolean result      Always True unless error"

const struct rpc_method rpc_log_methods[] = {
	{ "supervisor.readLog", rpc_read_log, "string,int,int",
	    READ_HELP("the main log") },
	{ "supervisor.readMainLog", rpc_read_log, "string,int,int",
	    READ_HELP("the main log") },
	{ "supervisor.readProcessStdoutLog", rpc_read_stdout,
	    "string,string,int,int", READP_HELP("stdout") },
	{ "supervisor.readProcessLog", rpc_read_stdout,
	    "string,string,int,int", READP_HELP("stdout") },
	{ "supervisor.readProcessStderrLog", rpc_read_stderr,
	    "string,string,int,int", READP_HELP("stderr") },
	{ "supervisor.tailProcessStdoutLog", rpc_tail_stdout,
	    "array,string,int,int", TAIL_HELP("stdout") },
	{ "supervisor.tailProcessLog", rpc_tail_stdout,
	    "array,string,int,int", TAIL_HELP("stdout") },
	{ "supervisor.tailProcessStderrLog", rpc_tail_stderr,
	    "array,string,int,int", TAIL_HELP("stderr") },
	{ "supervisor.clearLog", rpc_clear_log, "boolean",
	    "Clear the main log.\n\n"
	    "@return boolean result always returns True unless error" },
	{ "supervisor.clearProcessLogs", rpc_clear_process, "boolean,string",
	    CLEARP_HELP },
	{ "supervisor.clearProcessLog", rpc_clear_process, "boolean,string",
	    CLEARP_HELP },
	{ "supervisor.clearAllProcessLogs", rpc_clear_all, "array",
	    "Clear all process log files.\n\n"
	    "@return array result   An array of process status info structs" },
	{ "supervisor.sendProcessStdin", rpc_send_stdin,
	    "boolean,string,string",
	    "Send a string of chars to the stdin of the process name.\n\n"
	    "@param string name        The process name to send to (or "
	    "'group:name')\n"
	    "@param string chars       The character data to send to the "
	    "process\n"
	    "@return boolean result    Always return True unless error" },
	{ "supervisor.sendRemoteCommEvent", rpc_send_event,
	    "boolean,string,string",
	    "Send an event for event listener subprocesses subscribing to "
	    "the RemoteCommunicationEvent.\n\n"
	    "@param  string  type  String for the \"type\" key in the event "
	    "header\n"
	    "@param  string  data  Data for the event body\n"
	    "@return boolean       Always return True unless error" },
	{ NULL, NULL, NULL, NULL }
};
