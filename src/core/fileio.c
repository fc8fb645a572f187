/* Writing files safely: whole writes, atomic replacement. */
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

/* write() all of data, retrying short writes and EINTR. */
bool file_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

enum bh_err file_replace(const char *dir, const char *name, const char *data, size_t len,
			 mode_t mode, char *msg, size_t cap)
{
	struct buf tmp = {0}, final = {0};
	enum bh_err err = BH_OK;
	int fd, dfd, cause = 0;

	buf_printf(&tmp, "%s/%s.tmp", dir, name);
	buf_printf(&final, "%s/%s", dir, name);
	/* Messages name the file asked for: the temporary is ours, not the
	 * caller's; errno is left as the failing call set it. */
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		cause = errno;
		err = bh_errorf(BH_ERR_IO, msg, cap, "cannot write %s: %s", final.data,
				strerror(cause));
		goto out;
	}
	/* The umask must not change the mode asked for, and an old .tmp kept its own. */
	if (fchmod(fd, mode) != 0 || !file_write_all(fd, data, len) || fsync(fd) != 0) {
		cause = errno;
		err = bh_errorf(BH_ERR_IO, msg, cap, "cannot write %s: %s", final.data,
				strerror(cause));
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp.data, final.data) != 0) {
		cause = errno;
		err = bh_errorf(BH_ERR_IO, msg, cap, "cannot replace %s: %s", final.data,
				strerror(cause));
		unlink(tmp.data);
		goto out;
	}
	/* The rename is durable only once the directory is on disk. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		cause = errno;
		err = bh_errorf(BH_ERR_IO, msg, cap, "cannot sync directory %s: %s", dir,
				strerror(cause));
	}
	if (dfd >= 0)
		close(dfd);
out:
	buf_free(&tmp);
	buf_free(&final);
	if (err)
		errno = cause;
	return err;
}
