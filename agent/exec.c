/*
 * exec.c - runs other programs: fork, execve by absolute path, capture.
 *
 * The only place pfagent forks.  It never uses a shell, execvp or the
 * caller's environment, never lets a descriptor other than 0-2 reach the
 * child, and never lets a child outlive its timeout: the child leads its
 * own process group (its own session on a pty) and the whole group gets
 * SIGTERM, then SIGKILL.  Output is read as it comes, so a chatty child
 * never blocks; beyond the bound it is read and thrown away, or, streamed,
 * handed over line by line (exec_capture.c keeps what is kept).
 *
 * Errors: -1 and one log line (event=exec-failed) only when the program
 * could not be started; the child reports a failed execve through a
 * close-on-exec pipe.  A program that ran and failed is a normal result.
 * The child's side, between fork and execve, is in exec_child.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "exec_capture.h"
#include "exec_child.h"
#include "log.h"
#include "signals.h"
#include "trust.h"

const char *const pfa_exec_base_env[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C",
	"LC_ALL=C",
	NULL,
};

#define KILL_GRACE_MS 500	/* SIGTERM to SIGKILL */
#define DRAIN_MS 200		/* reading on after the child exited */
#define TICK_MS 50		/* how often to look for the child's exit */
#define EXIT_POLL_MS 1		/* the same once its output has closed */
#define CHUNK 32768

struct child {
	pid_t pid;
	int in, out, err;	/* parent's ends, -1 when closed */
	const char *data;	/* stdin left to feed */
	size_t left;
	bool reaped, known;	/* exited; wstatus is valid */
	int wstatus;
};

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* FD moved to >= 3 (so the child's dup2 onto 0-2 never clobbers it) and
 * made close-on-exec; the original is closed on every path. */
static int
high_cloexec(int fd)
{
	if (fd >= 3) {
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == 0)
			return fd;
	} else {
		int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (nfd >= 0) {
			close(fd);
			return nfd;
		}
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
make_pipe(int p[2])
{
	int q[2];
	if (pipe(q) < 0)
		return -1;
	p[0] = high_cloexec(q[0]);
	p[1] = high_cloexec(q[1]);
	if (p[0] >= 0 && p[1] >= 0)
		return 0;
	int saved = errno;
	close_fd(&p[0]);
	close_fd(&p[1]);
	errno = saved;
	return -1;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The fixed environment with EXTRA appended; an extra entry replaces a
 * base entry of the same name. */
static char **
build_env(const char *const *extra)
{
	size_t nb = 0, nx = 0, n = 0;
	while (pfa_exec_base_env[nb] != NULL)
		nb++;
	while (extra != NULL && extra[nx] != NULL)
		nx++;
	char **envp = pfa_xcalloc(nb + nx + 1, sizeof(*envp));
	for (size_t i = 0; i < nb; i++) {
		const char *b = pfa_exec_base_env[i];
		size_t len = strcspn(b, "=") + 1;
		bool replaced = false;
		for (size_t j = 0; j < nx && !replaced; j++)
			replaced = strncmp(extra[j], b, len) == 0;
		if (!replaced)
			envp[n++] = (char *)b;
	}
	for (size_t j = 0; j < nx; j++)
		envp[n++] = (char *)extra[j];
	envp[n] = NULL;
	return envp;
}

/* ----------------------------------------------------------- the parent */

/* The child's errno if it could not exec, 0 once exec closed the pipe. */
static int
child_errno(int fd)
{
	int e = 0;
	size_t got = 0;
	while (got < sizeof(e)) {
		ssize_t n = read(fd, (char *)&e + got, sizeof(e) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return 0;
	return got == sizeof(e) && e != 0 ? e : EIO;
}

static void
reap(struct child *c)
{
	/* the group's name goes before its leader: then its pid is free */
	pfa_signals_child(0);
	while (!c->reaped) {
		pid_t r = waitpid(c->pid, &c->wstatus, 0);
		if (r == c->pid) {
			c->reaped = c->known = true;
		} else if (r < 0 && errno != EINTR) {
			/* ECHILD: SIGCHLD ignored by the caller, the kernel
			 * reaped it; the status is lost. */
			c->reaped = true;
		}
	}
}

static void
poll_reap(struct child *c)
{
	if (c->reaped)
		return;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid != c->pid)
		return;		/* still running */
	pfa_signals_child(0);
	pid_t r = waitpid(c->pid, &c->wstatus, WNOHANG);
	if (r == c->pid)
		c->reaped = c->known = true;
	else if (r < 0 && errno == ECHILD)
		c->reaped = true;
}

/* SIGTERM to the group, a grace period, SIGKILL to the group.  The leader
 * stays a zombie until the SIGKILL, so its pid (the group id) cannot be
 * reused in between. */
static void
kill_group(struct child *c)
{
	bool gone = false;	/* reaped behind our back (SIGCHLD ignored) */
	if (kill(-c->pid, SIGTERM) < 0)
		kill(c->pid, SIGTERM);	/* not yet its own group (pty) */
	long long until = now_ms() + KILL_GRACE_MS;
	while (now_ms() < until) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		int r = waitid(P_PID, (id_t)c->pid, &si,
		    WEXITED | WNOHANG | WNOWAIT);
		if (r < 0 && errno == ECHILD)
			gone = true;
		if (gone || (r == 0 && si.si_pid == c->pid))
			break;
		sleep_ms(10);
	}
	/* The group id stays taken while any member lives; the bare pid is
	 * only ours while the leader is (a zombie) not reaped. */
	if (kill(-c->pid, SIGKILL) < 0 && !gone)
		kill(c->pid, SIGKILL);
	reap(c);
}

/* One read per wake-up, so a child that writes without pause cannot
 * starve the other stream or the deadline.  Closes FD at EOF or error
 * (EIO is how a pty says EOF). */
static void
read_fd(int *fd, struct pfa_capture *cap)
{
	char buf[CHUNK];
	ssize_t n;
	do
		n = read(*fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n > 0)
		pfa_capture_add(cap, buf, (size_t)n);
	else if (n == 0 || errno != EAGAIN)
		close_fd(fd);
}

static void
feed_stdin(struct child *c, bool *epipe)
{
	while (c->left > 0) {
		size_t len = c->left < CHUNK ? c->left : CHUNK;
		ssize_t n = write(c->in, c->data, len);
		if (n > 0) {
			c->data += n;
			c->left -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 && errno == EPIPE)
			*epipe = true;
		c->left = 0;	/* the child does not want the rest */
	}
	close_fd(&c->in);
}

/*
 * Until the child exited and its output is read, or the deadline.  Once
 * the child exited, output is read for at most DRAIN_MS more: a daemon it
 * left behind may hold the pipe open forever, or until a line callback
 * asked to stop.  Returns true on timeout.  If the child was not reaped on
 * return, its group is still to be killed.
 */
static bool
pump(struct child *c, struct pfa_capture *out, struct pfa_capture *err,
    long long deadline)
{
	long long drain_until = 0;
	bool epipe = false;
	sigset_t pipeset, oldmask;
	bool was_pending = false;

	/* EPIPE instead of SIGPIPE while feeding stdin; a SIGPIPE raised
	 * here is consumed before the mask is restored. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	if (c->in >= 0) {
		sigset_t pending;
		pthread_sigmask(SIG_BLOCK, &pipeset, &oldmask);
		if (sigpending(&pending) == 0)
			was_pending = sigismember(&pending, SIGPIPE) == 1;
	}
	bool masked = c->in >= 0, timed_out = false;
	long long exit_poll = EXIT_POLL_MS;

	for (;;) {
		if (!c->reaped) {
			poll_reap(c);
			if (c->reaped)
				drain_until = now_ms() + DRAIN_MS;
		}
		if ((c->reaped && c->out < 0 && c->err < 0) || out->stopped)
			break;
		long long now = now_ms();
		if (!c->reaped && now >= deadline) {
			timed_out = true;
			break;
		}
		/* a stop (signals.h): the caller kills the group */
		if (!c->reaped && pfa_signals_stopping())
			break;
		if (c->reaped && now >= drain_until)
			break;
		long long ms = c->reaped ? drain_until - now : deadline - now;
		if (!c->reaped && ms > TICK_MS)
			ms = TICK_MS;
		/* its output closed: it is most likely exiting, so look
		 * again after 1, 2, 4 ... ms rather than a whole tick later
		 * (a child that lives on without its output still costs only
		 * a wake-up per tick soon) */
		if (!c->reaped && c->out < 0 && c->err < 0 && c->in < 0) {
			if (ms > exit_poll)
				ms = exit_poll;
			if (exit_poll < TICK_MS)
				exit_poll *= 2;
		}

		struct pollfd pfd[3];
		nfds_t n = 0;
		int *fds[3];
		if (c->out >= 0) {
			fds[n] = &c->out;
			pfd[n++] = (struct pollfd){ c->out, POLLIN, 0 };
		}
		if (c->err >= 0) {
			fds[n] = &c->err;
			pfd[n++] = (struct pollfd){ c->err, POLLIN, 0 };
		}
		if (c->in >= 0) {
			fds[n] = &c->in;
			pfd[n++] = (struct pollfd){ c->in, POLLOUT, 0 };
		}
		int r = poll(pfd, n, (int)ms);
		if (r < 0 && errno != EINTR) {
			/* nothing sane left: the caller kills the group */
			pfa_log_errno(LOG_ERR, "event=exec-poll-failed");
			break;
		}
		for (nfds_t i = 0; r > 0 && i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (fds[i] == &c->in)
				feed_stdin(c, &epipe);
			else
				read_fd(fds[i], fds[i] == &c->out ? out : err);
		}
	}
	close_fd(&c->in);
	if (masked) {
		if (epipe && !was_pending) {
			struct timespec zero = { 0, 0 };
			while (sigtimedwait(&pipeset, NULL, &zero) < 0 &&
			    errno == EINTR)
				;
		}
		pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	}
	return timed_out;
}

/* A terminal's "\r\n" back to "\n" (ONLCR is off, but be sure). */
static void
strip_cr(struct pfa_capture *cap)
{
	size_t o = 0;
	for (size_t i = 0; i < cap->len; i++)
		if (!(cap->buf[i] == '\r' && i + 1 < cap->len &&
		    cap->buf[i + 1] == '\n'))
			cap->buf[o++] = cap->buf[i];
	cap->len = o;
}

static int
start_failed(const char *prog, const char *step)
{
	char q[512];
	int saved = errno;
	pfa_log_quote(q, sizeof(q), prog);
	errno = saved;
	pfa_log_errno(LOG_ERR, "event=exec-failed program=%s step=%s", q,
	    step);
	return -1;
}

int
pfa_exec(const char *const argv[], const struct pfa_exec_opts *opts,
    struct pfa_exec_result *res)
{
	struct pfa_exec_opts o = { 0 };
	if (opts != NULL)
		o = *opts;
	if (o.timeout_ms <= 0)
		o.timeout_ms = PFA_EXEC_DEFAULT_TIMEOUT_MS;
	if (o.max_capture == 0)
		o.max_capture = PFA_EXEC_DEFAULT_CAPTURE;
	if (o.max_line == 0)
		o.max_line = PFA_EXEC_DEFAULT_LINE;
	memset(res, 0, sizeof(*res));

	const char *prog = argv != NULL && argv[0] != NULL ? argv[0] : "";
	if (prog[0] != '/') {
		errno = EINVAL;
		return start_failed(prog, "not-absolute");
	}
	/* what another user could replace never runs as root; one that is
	 * not there fails as execve would */
	struct pfa_untrusted u;
	if (pfa_trust_path(prog, &u) < 0) {
		if (u.err != 0) {
			errno = u.err;
			return start_failed(prog, "stat");
		}
		(void)pfa_trust_require(prog, "program");	/* says why */
		errno = EPERM;
		return start_failed(prog, "untrusted");
	}
	if (pfa_signals_stopping()) {
		errno = EINTR;	/* asked to stop: start nothing new */
		return start_failed(prog, "stopping");
	}
	if (o.use_pty && o.stdin_data != NULL) {
		/* a terminal has no clean end-of-file for arbitrary data */
		errno = EINVAL;
		return start_failed(prog, "pty-stdin");
	}

	/* Child's ends: cin/cout/cerr or slave; parent's: c.in/out/err. */
	struct child c = { .pid = -1, .in = -1, .out = -1, .err = -1 };
	int cin = -1, cout = -1, cerr = -1, slave = -1, ep[2] = { -1, -1 };
	const char *step = "pipe";
	char **envp = build_env(o.env);

	if (make_pipe(ep) < 0)
		goto fail;
	if (o.use_pty) {
		step = "openpty";
		if (openpty(&c.out, &slave, NULL, NULL, NULL) < 0)
			goto fail;
		if ((c.out = high_cloexec(c.out)) < 0 ||
		    (slave = high_cloexec(slave)) < 0)
			goto fail;
	} else {
		int p[2];
		if (make_pipe(p) < 0)
			goto fail;
		cin = p[0], c.in = p[1];
		if (make_pipe(p) < 0)
			goto fail;
		c.out = p[0], cout = p[1];
		if (make_pipe(p) < 0)
			goto fail;
		c.err = p[0], cerr = p[1];
	}

	step = "fork";
	pid_t parent = getpid();
	c.pid = fork();
	if (c.pid < 0)
		goto fail;
	if (c.pid == 0)
		pfa_exec_child_run(argv, envp, cin, cout, cerr, slave, ep[1],
		    parent);
	if (!o.use_pty)
		setpgid(c.pid, c.pid);	/* both sides: no window for kill */
	pfa_signals_child(c.pid);
	close_fd(&cin);
	close_fd(&cout);
	close_fd(&cerr);
	close_fd(&slave);
	close_fd(&ep[1]);
	free(envp);
	envp = NULL;

	int e = child_errno(ep[0]);
	close_fd(&ep[0]);
	if (e != 0) {
		reap(&c);
		c.pid = -1;
		errno = e;
		step = "exec";
		goto fail;
	}

	if (o.stdin_data != NULL && o.stdin_len > 0) {
		c.data = o.stdin_data;
		c.left = o.stdin_len;
	} else {
		close_fd(&c.in);
	}
	if (c.in >= 0)
		set_nonblock(c.in);
	if (c.out >= 0)
		set_nonblock(c.out);
	if (c.err >= 0)
		set_nonblock(c.err);

	struct pfa_capture out, err;
	if (o.on_line != NULL)
		pfa_capture_init(&out, o.max_line, o.on_line, o.line_arg,
		    o.use_pty);
	else
		pfa_capture_init(&out, o.max_capture, NULL, NULL, false);
	pfa_capture_init(&err, o.max_capture, NULL, NULL, false);
	res->timed_out = pump(&c, &out, &err, now_ms() + o.timeout_ms);
	/* killed by the handler (already reaped) or to be killed below */
	if (pfa_signals_stopping())
		res->interrupted = pfa_stop_requested();
	/* Kill before closing: closing a pty master hangs the terminal up
	 * and the group would die of SIGHUP instead.  Never signal a reaped
	 * pid: it may be someone else's by now. */
	if (!c.reaped)
		kill_group(&c);
	close_fd(&c.in);
	close_fd(&c.out);
	close_fd(&c.err);

	if (c.known && WIFEXITED(c.wstatus)) {
		res->status = WEXITSTATUS(c.wstatus);
	} else {
		res->status = -1;
		if (c.known && WIFSIGNALED(c.wstatus))
			res->signal = WTERMSIG(c.wstatus);
	}
	if (o.use_pty && o.on_line == NULL)
		strip_cr(&out);
	pfa_capture_finish(&out, &res->out, &res->out_len,
	    &res->out_truncated);
	res->out_lines = out.lines;
	res->stopped = out.stopped;
	pfa_capture_finish(&err, &res->err, &res->err_len,
	    &res->err_truncated);
	return 0;

fail:;
	int saved = errno;
	close_fd(&cin);
	close_fd(&cout);
	close_fd(&cerr);
	close_fd(&slave);
	close_fd(&c.in);
	close_fd(&c.out);
	close_fd(&c.err);
	close_fd(&ep[0]);
	close_fd(&ep[1]);
	free(envp);
	errno = saved;
	return start_failed(prog, step);
}

void
pfa_exec_result_free(struct pfa_exec_result *res)
{
	if (res == NULL)
		return;
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}
