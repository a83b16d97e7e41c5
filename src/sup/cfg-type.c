/*
 * The value types of the config's keys, one struct cfg_type each: the
 * parser of cfg-value.c that reads a key of the type, and what a field
 * of the type is by default, how it is freed and how two are compared.
 * The key tables (cfg-keys.c) name a type per key; nothing else needs
 * to know a field's C type.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

/* The bytes of an exit code set (0..255, one bit each). */
#define CFG_CODES	sizeof (((struct cfg_proc *)NULL)->exitcodes)

/* Fields by their C type: defaults, frees and compares. */

static void
cfg_int_init(const struct cfg_key *k, void *f)
{
	*(int *)f = (int)k->def.n;
}

static int
cfg_int_differ(const void *a, const void *b)
{
	return (*(const int *)a != *(const int *)b);
}

static void
cfg_owner_init(const struct cfg_key *k, void *f)
{
	struct cfg_owner	*o = f;

	(void)k;
	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
}

static int
cfg_owner_differ(const void *pa, const void *pb)
{
	const struct cfg_owner	*a = pa, *b = pb;

	return (a->uid != b->uid || a->gid != b->gid);
}

static void
cfg_long_init(const struct cfg_key *k, void *f)
{
	*(long *)f = (long)k->def.n;
}

static int
cfg_long_differ(const void *a, const void *b)
{
	return (*(const long *)a != *(const long *)b);
}

static void
cfg_secs_init(const struct cfg_key *k, void *f)
{
	*(double *)f = k->def.secs;
}

static int
cfg_secs_differ(const void *a, const void *b)
{
	return (*(const double *)a != *(const double *)b);
}

static void
cfg_u64_init(const struct cfg_key *k, void *f)
{
	*(uint64_t *)f = (uint64_t)k->def.n;
}

static int
cfg_u64_differ(const void *a, const void *b)
{
	return (*(const uint64_t *)a != *(const uint64_t *)b);
}

static void
cfg_u32_init(const struct cfg_key *k, void *f)
{
	*(uint32_t *)f = (uint32_t)k->def.n;
}

static int
cfg_u32_differ(const void *a, const void *b)
{
	return (*(const uint32_t *)a != *(const uint32_t *)b);
}

static void
cfg_strp_free(void *f)
{
	free(*(char **)f);
	*(char **)f = NULL;
}

/* Are two strings, either NULL, different? */
int
cfg_str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != b);
	return (strcmp(a, b) != 0);
}

static int
cfg_strp_differ(const void *a, const void *b)
{
	return (cfg_str_differ(*(char * const *)a, *(char * const *)b));
}

/* An empty vector (environment=). */
static void
cfg_strv_init(const struct cfg_key *k, void *f)
{
	(void)k;
	*(char ***)f = cfg_strv_new();
}

static void
cfg_strvp_free(void *f)
{
	cfg_strv_free(*(char ***)f);
	*(char ***)f = NULL;
}

/* Two vectors; NULL is the same as empty. */
static int
cfg_strvp_differ(const void *pa, const void *pb)
{
	char	**a = *(char ** const *)pa, **b = *(char ** const *)pb;

	if (a == NULL || b == NULL)
		return (!((a == NULL || *a == NULL) && (b == NULL ||
		    *b == NULL)));
	for (; *a != NULL && *b != NULL; a++, b++)
		if (strcmp(*a, *b) != 0)
			return (1);
	return (*a != NULL || *b != NULL);
}

/* The set of the one code def.n. */
static void
cfg_codes_init(const struct cfg_key *k, void *f)
{
	uint8_t	*set = f;

	memset(set, 0, CFG_CODES);
	set[k->def.n / 8] |= 1 << (k->def.n % 8);
}

static int
cfg_codes_differ(const void *a, const void *b)
{
	return (memcmp(a, b, CFG_CODES) != 0);
}

/*
 * A *_logfile= key owns its log's kind and path; the other fields of
 * the struct cfg_log are keys of their own (*_logfile_maxbytes ...).
 */
static void
cfg_log_init(const struct cfg_key *k, void *f)
{
	struct cfg_log	*log = f;

	log->kind = (int)k->def.n;
	log->path = NULL;
}

static void
cfg_log_free(void *f)
{
	struct cfg_log	*log = f;

	free(log->path);
	log->path = NULL;
}

static int
cfg_log_differ(const void *pa, const void *pb)
{
	const struct cfg_log	*a = pa, *b = pb;

	return (a->kind != b->kind || cfg_str_differ(a->path, b->path));
}

/* Parsers, the value s into the field f. */

/* events=: the types named, each with the types beneath it. */
static int
cfg_events_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_events(ctx, v, s, f));
}

/* result_handler=: supervisord's default is built in; Python is not. */
static int
cfg_handler_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	char	*t, *q;

	(void)k;
	(void)f;
	t = cfg_strip_dup(s);
	if (first && strcmp(t, "supervisor.dispatchers:default_handler") != 0) {
		q = cfg_vis(t);
		cfg_warn(ctx, v->file, v->line, "result_handler=%s: a Python "
		    "handler cannot run in warden: the built-in default is "
		    "used (OK accepts an event, anything else rejects it)", q);
		free(q);
	}
	free(t);
	return (0);
}

static int
cfg_bool_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_bool(ctx, v, s, f));
}

static int
cfg_int_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	long	n;

	(void)first;
	if (cfg_int(ctx, v, s, k->min, k->max, &n) == -1)
		return (-1);
	*(int *)f = (int)n;
	return (0);
}

static int
cfg_long_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)first;
	return (cfg_int(ctx, v, s, k->min, k->max, f));
}

static int
cfg_secs_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_secs(ctx, v, s, f));
}

static int
cfg_size_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_size(ctx, v, s, f));
}

static int
cfg_signal_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_signal(ctx, v, s, f));
}

static int
cfg_exitcodes_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_exitcodes(ctx, v, s, f));
}

static int
cfg_octal_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)first;
	return (cfg_octal(ctx, v, s, k->max, f));
}

static int
cfg_autorestart_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_autorestart(ctx, v, s, f));
}

static int
cfg_timestamps_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_timestamps(ctx, v, s, f));
}

static int
cfg_str_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)ctx;
	(void)v;
	(void)k;
	(void)first;
	free(*(char **)f);
	*(char **)f = xstrdup(s);
	return (0);
}

static int
cfg_path_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)first;
	return (cfg_path(ctx, v, s, k->flags, f));
}

/*
 * directory=: an empty value is no chdir, as in supervisord.  One that
 * does not exist is a warning: it may exist by the time the process
 * starts, and if not, the start fails with chdir's reason.
 */
static int
cfg_dir_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	char	*q;

	(void)k;
	if (*s == '\0') {
		cfg_strp_free(f);
		return (0);
	}
	if (cfg_path(ctx, v, s, CFG_F_DIROK, f) == -1)
		return (-1);
	if (first && !cfg_isdir(*(char **)f)) {
		q = cfg_vis(*(char **)f);
		cfg_warn(ctx, v->file, v->line, "directory: no directory %s "
		    "(yet): a start fails until it is made", q);
		free(q);
	}
	return (0);
}

static int
cfg_log_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	return (cfg_log(ctx, v, s, f, first));
}

static int
cfg_user_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_user(ctx, v, s, f));
}

static int
cfg_env_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_env(ctx, v, s, f));
}

static int
cfg_command_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_command(ctx, v, s, f));
}

static int
cfg_ready_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_ready(ctx, v, s, f));
}

static int
cfg_listen_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_listen(ctx, v, s, f));
}

static int
cfg_chown_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	struct cfg_http		*h = f;
	struct cfg_owner	 o;

	(void)k;
	(void)first;
	if (cfg_chown(ctx, v, s, &o) == -1)
		return (-1);
	h->uid = o.uid;
	h->gid = o.gid;
	return (0);
}

static int
cfg_owner_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_chown(ctx, v, s, f));
}

static int
cfg_inet_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_inet(ctx, v, s, f));
}

static int
cfg_password_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_password(ctx, v, s, f));
}

static int
cfg_url_parse(struct cfg_ctx *ctx, struct cfg_val *v,
    const struct cfg_key *k, const char *s, void *f, int first)
{
	(void)k;
	(void)first;
	return (cfg_url(ctx, v, s, f));
}

/*
 * The types: parse, init, free, differ.  NONE, NAME, IGNORE and NOEFFECT
 * have no parser: the builder reads NONE and NAME keys (NAME is
 * process_name=, into the proc's name), IGNORE is expanded then ignored,
 * NOEFFECT is not even expanded (cfg_apply_key warns).
 */
const struct cfg_type cfg_types[CFG_T_COUNT] = {
	[CFG_T_NONE] = { NULL, NULL, NULL, NULL },
	[CFG_T_NAME] = { NULL, NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_IGNORE] = { NULL, NULL, NULL, NULL },
	[CFG_T_NOEFFECT] = { NULL, NULL, NULL, NULL },
	[CFG_T_BOOL] = { cfg_bool_parse, cfg_int_init, NULL, cfg_int_differ },
	[CFG_T_INT] = { cfg_int_parse, cfg_int_init, NULL, cfg_int_differ },
	[CFG_T_LONG] = { cfg_long_parse,
	    cfg_long_init, NULL, cfg_long_differ },
	[CFG_T_SECS] = { cfg_secs_parse,
	    cfg_secs_init, NULL, cfg_secs_differ },
	[CFG_T_SIZE] = { cfg_size_parse, cfg_u64_init, NULL, cfg_u64_differ },
	[CFG_T_SIGNAL] = { cfg_signal_parse,
	    cfg_int_init, NULL, cfg_int_differ },
	[CFG_T_EXITCODES] = { cfg_exitcodes_parse,
	    cfg_codes_init, NULL, cfg_codes_differ },
	[CFG_T_OCTAL] = { cfg_octal_parse,
	    cfg_int_init, NULL, cfg_int_differ },
	[CFG_T_AUTORESTART] = { cfg_autorestart_parse,
	    cfg_int_init, NULL, cfg_int_differ },
	[CFG_T_TIMESTAMPS] = { cfg_timestamps_parse,
	    cfg_int_init, NULL, cfg_int_differ },
	[CFG_T_STR] = { cfg_str_parse, NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_PATH] = { cfg_path_parse,
	    NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_DIR] = { cfg_dir_parse, NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_LOG] = { cfg_log_parse,
	    cfg_log_init, cfg_log_free, cfg_log_differ },
	[CFG_T_USER] = { cfg_user_parse,
	    NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_ENV] = { cfg_env_parse,
	    cfg_strv_init, cfg_strvp_free, cfg_strvp_differ },
	[CFG_T_COMMAND] = { cfg_command_parse,
	    NULL, cfg_strvp_free, cfg_strvp_differ },
	[CFG_T_READY] = { cfg_ready_parse,
	    NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_LISTEN] = { cfg_listen_parse,
	    NULL, cfg_strvp_free, cfg_strvp_differ },
	[CFG_T_CHOWN] = { cfg_chown_parse, NULL, NULL, NULL },
	[CFG_T_INET] = { cfg_inet_parse, NULL, NULL, NULL },
	[CFG_T_PASSWORD] = { cfg_password_parse,
	    NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_URL] = { cfg_url_parse, NULL, cfg_strp_free, cfg_strp_differ },
	[CFG_T_OWNER] = { cfg_owner_parse,
	    cfg_owner_init, NULL, cfg_owner_differ },
	[CFG_T_EVENTS] = { cfg_events_parse,
	    cfg_u32_init, NULL, cfg_u32_differ },
	[CFG_T_HANDLER] = { cfg_handler_parse, NULL, NULL, NULL },
};
