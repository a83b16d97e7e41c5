/*
 * What the files of the config reader share (src/sup/config.c and
 * src/sup/cfg-*.c): the loader's context, sections and values, and
 * one prototype block per file.  Nothing outside them includes it.
 */
#ifndef WARDEN_SUP_CFG_INTERNAL_H
#define WARDEN_SUP_CFG_INTERNAL_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define CFG_MAXFILE	(16 * 1024 * 1024)	/* one file */
#ifndef CFG_MAXPROCS
#define CFG_MAXPROCS	10000			/* processes, all programs */
#endif
#define CFG_MAXWARN	1000			/* warnings kept */
#define CFG_MAXWIDTH	4096			/* %(x)Ns: N at most */
#define CFG_MAXSECS	315360000.0		/* ten years */

/* A growing string. */
struct cfg_buf {
	char		*s;
	size_t		 len, size;
};

/* A string map: sections by name, keys of a section, environments. */
struct cfg_ment {
	char		*key;
	char		*val;		/* owned, or NULL */
	int		 idx;		/* -1 until set */
	struct cfg_ment	*next;
};

struct cfg_map {
	struct cfg_ment	**b;
	size_t		  nb, n;
};

/* A file read, for messages and %(here)s. */
struct cfg_file {
	char		*name;		/* as shown in messages */
	char		*here;		/* its directory, absolute */
};

/* shlex quote state of a value so far, for the inline comment warning. */
#define CFG_Q_NONE	0
#define CFG_Q_SINGLE	1
#define CFG_Q_DOUBLE	2
#define CFG_Q_ESC	3	/* after a backslash, outside quotes */
#define CFG_Q_DESC	4	/* after a backslash, in double quotes */

/* key = value, continuation lines joined with "\n" as configparser does. */
struct cfg_val {
	char		*key;		/* lower case */
	struct cfg_buf	 buf;		/* the value */
	struct cfg_file	*file;		/* where the key line is */
	int		 line;
	int		 blank;		/* empty lines waiting for more text */
	int		 quote;		/* CFG_Q_* at the end */
	int		 cut;		/* an inline comment cut it in quotes */
};

/* Section kinds. */
#define CFG_S_UNKNOWN	0
#define CFG_S_PROGRAM	1
#define CFG_S_GROUP	2
#define CFG_S_SUPERVISORD 3
#define CFG_S_UNIX	4
#define CFG_S_WARDEN	5
#define CFG_S_INCLUDE	6
#define CFG_S_IGNORED	7	/* supervisord's, not implemented here */
#define CFG_S_INET	8	/* [inet_http_server] */
#define CFG_S_CTLCLIENT	9	/* [supervisorctl]: the client's, unread */
#define CFG_S_RPC	10	/* [rpcinterface:supervisor]: ours anyway */
#define CFG_S_FCGI	11	/* [fcgi-program:x] */
#define CFG_S_LISTENER	12	/* [eventlistener:x] */

struct cfg_sect {
	char		 *name;		/* case-sensitive, as configparser */
	int		  kind;		/* CFG_S_* */
	struct cfg_file	 *file;		/* where it first appears */
	int		  line;
	struct cfg_val	**vals;		/* in order of first appearance */
	int		  nvals;
	struct cfg_map	  keys;		/* key -> index in vals */
};

/* Everything one load needs; the config itself is in cf. */
struct cfg_ctx {
	struct config	 *cf;
	struct cfg_file	**files;
	int		  nfiles;
	struct cfg_sect	**sects;	/* in order of first appearance */
	int		  nsects;
	struct cfg_map	  sectmap;	/* name -> index in sects */
	struct cfg_sect	 *defaults;	/* [DEFAULT] */
	struct cfg_sect	 *scratch;	/* a nested [include], ignored */
	struct cfg_map	  environ;	/* the supervisor's environment */
	struct cfg_map	  senv;		/* [supervisord] environment= */
	struct cfg_map	  groups;	/* program -> its [group:x] */
	struct cfg_map	  names;	/* process name -> where */
	char		 *lastuser;	/* the last user= found to exist */
	char		  host[256];	/* %(host_node_name)s */
	char		 *cause;
};

/* What %(name)s can name where a value is expanded. */
struct cfg_exp {
	int		 include;	/* [include]: here and host_node_name */
	const char	*program;	/* [program:x]: program_name ... */
	const char	*group;
	int		 procvars;	/* process_num and numprocs known */
	int		 process_num;
	int		 numprocs;
	struct cfg_map	*penv;		/* the program's environment= */
	struct cfg_map	*senv;		/* [supervisord] environment= */
};

/*
 * A value type: how a key of it is read into its field, and what the
 * field is when no key sets it, how it is freed and how two are compared
 * (a reload restarts a process whose fields differ).  A NULL function:
 * nothing to do (the builder reads the key, the field is zero by
 * default, owns nothing, or there is no field).
 */
struct cfg_key;
struct cfg_type {
	int	(*parse)(struct cfg_ctx *, struct cfg_val *,
		    const struct cfg_key *, const char *, void *, int);
	void	(*init)(const struct cfg_key *, void *);
	void	(*free)(void *);
	int	(*differ)(const void *, const void *);
};

/* The value types, each a struct cfg_type in cfg_types[] (cfg-type.c). */
enum cfg_tid {
	CFG_T_NONE,		/* read by the builder, no field */
	CFG_T_NAME,		/* process_name=: read by the builder */
	CFG_T_IGNORE,		/* expanded, then ignored */
	CFG_T_NOEFFECT,		/* accepted with a warning */
	CFG_T_BOOL,
	CFG_T_INT,
	CFG_T_LONG,
	CFG_T_SECS,
	CFG_T_SIZE,
	CFG_T_SIGNAL,
	CFG_T_EXITCODES,
	CFG_T_OCTAL,
	CFG_T_AUTORESTART,
	CFG_T_TIMESTAMPS,
	CFG_T_STR,
	CFG_T_PATH,
	CFG_T_DIR,
	CFG_T_LOG,
	CFG_T_USER,
	CFG_T_ENV,
	CFG_T_COMMAND,
	CFG_T_READY,
	CFG_T_LISTEN,
	CFG_T_CHOWN,		/* user or user:group, into a cfg_http */
	CFG_T_INET,		/* host:port, :port, *:port, into a cfg_http */
	CFG_T_PASSWORD,		/* cleartext or {SHA} and 40 hex digits */
	CFG_T_URL,		/* AUTO: NULL */
	CFG_T_OWNER,		/* user or user:group, into a cfg_owner */
	CFG_T_EVENTS,		/* events=: a mask of event types */
	CFG_T_HANDLER,		/* result_handler=: only the default runs */
	CFG_T_COUNT
};

/* A key's default, as its type reads it. */
union cfg_def {
	long long	 n;
	double		 secs;
};

/* Key flags; the path flags are what cfg_path checks. */
#define CFG_F_PARENT	0x1	/* its directory must exist */
#define CFG_F_RUNDIR	0x2	/* ... unless it is the run directory */
#define CFG_F_SYSLOG	0x4	/* "syslog" means NULL */
#define CFG_F_ISDIR	0x8	/* it must be a directory */
#define CFG_F_DIROK	0x10	/* a directory, or nothing there yet */
#define CFG_F_BUILDER	0x20	/* read by the builder, not by cfg_apply */
#define CFG_F_RELOAD	0x40	/* a change needs no restart */
#define CFG_F_FCGI	0x80	/* [fcgi-program:x] only (with BUILDER) */

/*
 * One key: its type, the field at off (in struct cfg_proc or struct
 * config) and, for [program:x], the field's default and a sample value
 * other than the default for the tests.
 */
struct cfg_key {
	const char	*name;
	size_t		 off;
	union cfg_def	 def;
	const char	*sample;
	int		 min, max;	/* integers; max: octal */
	unsigned char	 type;		/* enum cfg_tid */
	unsigned char	 flags;		/* CFG_F_* */
};

#define CFG_TYPE(k)	(&cfg_types[(k)->type])

/* The keys of one section kind. */
struct cfg_table {
	const struct cfg_key	*keys;
	size_t			 n;
};

/* cfg-util.c */
char	*cfg_vfmt(const char *fmt, va_list ap);
void	cfg_buf_add(struct cfg_buf *b, const char *p, size_t n);
void	cfg_buf_addc(struct cfg_buf *b, char c);
char	*cfg_buf_take(struct cfg_buf *b);
char	*cfg_strndup(const char *s, size_t n);
int	cfg_isspace(int c);
void	cfg_strip(const char **p, size_t *len);
char	*cfg_strip_dup(const char *s);
char	*cfg_vis(const char *s);
char	**cfg_strv_new(void);
void	cfg_strv_add(char ***vp, int *np, char *s);
struct cfg_ment	*cfg_map_find(const struct cfg_map *m, const char *key);
struct cfg_ment	*cfg_map_put(struct cfg_map *m, const char *key);
void	cfg_map_env(struct cfg_map *m, char **env);
void	cfg_map_free(struct cfg_map *m);
int	cfg_error(struct cfg_ctx *ctx, const struct cfg_file *f, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	cfg_warn(struct cfg_ctx *ctx, const struct cfg_file *f, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
char	*cfg_abspath(const char *base, const char *path);
char	*cfg_dirname(const char *path);
char	*cfg_expanduser(const char *s);
int	cfg_isdir(const char *path);

/* cfg-lex.c */
int	cfg_quote_feed(int q, const char *p, size_t n);
int	cfg_env_token(const char **pp, struct cfg_buf *tok, const char **why);
int	cfg_envname(const char *s);
int	cfg_pyint_base(const char *s, int base, long long *out);
int	cfg_pyint(const char *s, long long *out);

/* cfg-ini.c */
struct cfg_file	*cfg_file_new(struct cfg_ctx *ctx, const char *name,
    const char *abspath);
void	cfg_sect_free(struct cfg_sect *s);
struct cfg_val	*cfg_get(struct cfg_ctx *ctx, struct cfg_sect *s,
    const char *key);
int	cfg_parse(struct cfg_ctx *ctx, struct cfg_file *f, const char *text,
    size_t len, int included);
int	cfg_read(const char *path, char **textp, size_t *lenp);
const char	*cfg_strerror(int error);
int	cfg_includes(struct cfg_ctx *ctx);

/* cfg-expand.c */
int	cfg_expand_text(struct cfg_ctx *ctx, const struct cfg_exp *x,
    struct cfg_val *v, const char *text, char **out);
int	cfg_expand(struct cfg_ctx *ctx, const struct cfg_exp *x,
    struct cfg_val *v, char **out);

/* cfg-value.c */
int	cfg_bool(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    int *out);
int	cfg_int(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    long min, long max, long *out);
int	cfg_secs(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    double *out);
int	cfg_size(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    uint64_t *out);
int	cfg_signal(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    int *out);
int	cfg_exitcodes(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    uint8_t *set);
int	cfg_octal(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    long max, int *out);
int	cfg_autorestart(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    int *out);
int	cfg_timestamps(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    int *out);
int	cfg_path(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    int flags, char **out);
int	cfg_log(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    struct cfg_log *log, int first);
int	cfg_user(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char **out);
int	cfg_env(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char ***envp);
int	cfg_command(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char ***argvp);
int	cfg_ready(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char **out);
int	cfg_listen(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char ***out);
int	cfg_events(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    uint32_t *out);

/* cfg-http.c */
int	cfg_chown(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    struct cfg_owner *o);
int	cfg_inet(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    struct cfg_http *h);
int	cfg_password(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char **out);
int	cfg_url(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char **out);
int	cfg_http_check(struct cfg_ctx *ctx, struct cfg_sect *s,
    struct cfg_http *h, int inet);

/* cfg-type.c */
extern const struct cfg_type	cfg_types[CFG_T_COUNT];
int	cfg_str_differ(const char *, const char *);

/* cfg-keys.c */
extern const struct cfg_table	cfg_program_keys;
extern const struct cfg_table	cfg_listener_keys;
extern const struct cfg_table	cfg_supervisord_keys;
extern const struct cfg_table	cfg_unix_keys;
extern const struct cfg_table	cfg_inet_keys;
extern const struct cfg_table	cfg_ctlclient_keys;
extern const struct cfg_table	cfg_warden_keys;
extern const struct cfg_table	cfg_group_keys;
extern const struct cfg_table	cfg_include_keys;
int	cfg_apply_key(struct cfg_ctx *ctx, struct cfg_sect *s,
    const struct cfg_key *k, const struct cfg_exp *x, void *obj, int first);
int	cfg_apply(struct cfg_ctx *ctx, struct cfg_sect *s,
    const struct cfg_table *t, const struct cfg_exp *x, void *obj, int first);
const struct cfg_key	*cfg_key_find(const struct cfg_table *t,
    const char *name);
void	cfg_warn_keys(struct cfg_ctx *ctx, struct cfg_sect *s,
    const struct cfg_table *t);
void	cfg_warn_defaults(struct cfg_ctx *ctx);
struct cfg_proc	*cfg_proc_new(struct cfg_ctx *ctx, struct cfg_sect *s);

/* cfg-build.c */
int	cfg_build(struct cfg_ctx *ctx);

#endif
