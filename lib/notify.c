/*
 * sd_notify: one datagram of VAR=VALUE lines to $NOTIFY_SOCKET.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wd-internal.h"

/*
 * An abstract name ('@') counts exactly its bytes: with sizeof(sun) the
 * kernel would look for a name padded with NULs and refuse the connect.
 */
int
wd_notify_addr(const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	size_t	n;

	if (name == NULL || (name[0] != '/' && name[0] != '@'))
		return (errno = EINVAL, -1);
	n = strlen(name);
	if (n < 2 || n > sizeof sun->sun_path - (name[0] == '/'))
		return (errno = EINVAL, -1);
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, n);
	if (name[0] == '@') {
		sun->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return (0);
}

int
wd_notify_pid(pid_t pid, const char *state)
{
	struct sockaddr_un	 sun;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cmsg;
	struct ucred		 uc;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(struct ucred))];
	} cbuf;
	const char		*name;
	socklen_t		 len;
	ssize_t			 n;
	int			 fd, saved_errno;

	if ((name = getenv("NOTIFY_SOCKET")) == NULL || *name == '\0')
		return (0);
	if (state == NULL)
		return (errno = EINVAL, -1);
	if (wd_notify_addr(name, &sun, &len) == -1)
		return (-1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = (void *)(uintptr_t)state;
	iov.iov_len = strlen(state);
	msg.msg_name = &sun;
	msg.msg_namelen = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (pid != 0 && pid != getpid()) {
		memset(&cbuf, 0, sizeof cbuf);
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof cbuf.buf;
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_CREDENTIALS;
		cmsg->cmsg_len = CMSG_LEN(sizeof uc);
		uc.pid = pid;
		uc.uid = getuid();
		uc.gid = getgid();
		memcpy(CMSG_DATA(cmsg), &uc, sizeof uc);
	}
	n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	if (n == -1 && msg.msg_control != NULL && errno == EPERM) {
		/* Not allowed to speak for pid: send as ourselves. */
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	}
	saved_errno = errno;
	close(fd);
	if (n == -1)
		return (errno = saved_errno, -1);
	if ((size_t)n != iov.iov_len)
		return (errno = EIO, -1);
	return (1);
}

int
wd_notify(const char *state)
{
	return (wd_notify_pid(0, state));
}
