/*
 * parse.c: what start-up spends turning file bytes into articles, without
 * the system calls.  Reads every *.txt of DIR into memory first, then
 * times, in processor time (one thread), source_check + source_decode
 * alone, and all that capsule_load does with the bytes: article_load,
 * meta_new and the source_pack of meta_keep_text (done here for every
 * article; the server stops at META_TEXT_MAX).  Best of ROUNDS rounds.
 * It also prints an FNV-1a hash of every article's packed text (or of
 * why it was skipped), so that two builds can be shown to give the
 * same bytes.
 *
 *   make build/parse && build/parse DIR
 *
 * DIR as made by `../shared/tools/gen-capsule -n 200000 --out DIR -q`.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "article.h"
#include "meta.h"
#include "source.h"

#define ROUNDS	3

struct file {
	char	*f_name;
	char	*f_buf;
	size_t	 f_len;
};

/* Processor time: on a busy machine it tells more than the clock. */
#define now()	((double)clock() / CLOCKS_PER_SEC)

static int
read_all(int dfd, const char *name, struct file *f)
{
	struct stat	 st;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	if ((fd = openat(dfd, name, O_RDONLY)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 ||
	    (f->f_buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size &&
	    (r = read(fd, f->f_buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	f->f_len = got;
	f->f_name = strdup(name);
	return f->f_name == NULL ? -1 : 0;
}

static struct file *
load_dir(const char *dir, size_t *np)
{
	struct file	*f = NULL, *p;
	struct dirent	*de;
	DIR		*d;
	size_t		 n = 0, cap = 0, len;

	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((p = reallocarray(f, cap, sizeof(*f))) == NULL)
				exit(1);
			f = p;
		}
		if (read_all(dirfd(d), de->d_name, &f[n]) == 0)
			n++;
	}
	closedir(d);
	*np = n;
	return f;
}

static uint64_t
fnv(uint64_t h, const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/* The hash of every article's packed text, in the order of f. */
static uint64_t
hash_all(const struct file *f, size_t n, size_t *skipped)
{
	struct article	 a;
	const char	*errstr;
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i, len;
	char		*p;

	*skipped = 0;
	for (i = 0; i < n; i++) {
		if (article_load(&a, f[i].f_buf, f[i].f_len, &errstr) == -1) {
			(*skipped)++;
			h = fnv(h, errstr, strlen(errstr));
			continue;
		}
		if ((p = source_pack(&a.a_text, &len)) == NULL)
			exit(1);
		h = fnv(h, p, len);
		free(p);
		article_free(&a);
	}
	return h;
}

/*
 * The bytes of f copied into one reused buffer, as read() leaves a file
 * at start-up: in the cache.  Parsed where load_dir put them, long
 * before, their first pass (source_check) would pay for fetching them
 * from memory.  time_copy says what the copies cost.
 */
static char	*scratch;

static const char *
hot(const struct file *f)
{
	return memcpy(scratch, f->f_buf, f->f_len);
}

static double
time_copy(const struct file *f, size_t n)
{
	double		 t0 = now();
	size_t		 i, sum = 0;

	for (i = 0; i < n; i++)
		sum += (unsigned char)hot(&f[i])[f[i].f_len / 2];
	if (sum == 1)
		putchar(' ');	/* keep the copies */
	return now() - t0;
}

/* check + decode alone, each text freed at once. */
static double
time_decode(const struct file *f, size_t n)
{
	struct text	 t;
	const char	*errstr;
	double		 t0 = now();
	size_t		 i;

	for (i = 0; i < n; i++)
		if (source_check(hot(&f[i]), f[i].f_len, &errstr) == 0 &&
		    source_decode(scratch, f[i].f_len, &t, &errstr) == 0)
			source_free(&t);
	return now() - t0;
}

/* What capsule_load does with the bytes, text kept for every article. */
static double
time_load(const struct file *f, size_t n)
{
	struct article	 a;
	struct meta	*m;
	const char	*errstr;
	double		 t0 = now();
	size_t		 i, len;

	for (i = 0; i < n; i++) {
		if (article_load(&a, hot(&f[i]), f[i].f_len, &errstr) == -1)
			continue;
		if ((m = meta_new(f[i].f_name, &a, 0)) != NULL)
			meta_unref(m);
		free(source_pack(&a.a_text, &len));
		article_free(&a);
	}
	return now() - t0;
}

int
main(int argc, char *argv[])
{
	struct file	*f;
	double		 copy = 1e9, dec = 1e9, load = 1e9, d;
	uint64_t	 h;
	size_t		 n, i, bytes = 0, skipped, max = 1;
	int		 r;

	if (argc != 2) {
		fprintf(stderr, "usage: parse DIR\n");
		return 2;
	}
	if ((f = load_dir(argv[1], &n)) == NULL || n == 0) {
		fprintf(stderr, "parse: no articles in %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		bytes += f[i].f_len;
		if (f[i].f_len > max)
			max = f[i].f_len;
	}
	if ((scratch = malloc(max)) == NULL)
		return 1;
	h = hash_all(f, n, &skipped);
	for (r = 0; r < ROUNDS; r++) {
		if ((d = time_copy(f, n)) < copy)
			copy = d;
		if ((d = time_decode(f, n)) < dec)
			dec = d;
		if ((d = time_load(f, n)) < load)
			load = d;
	}
	printf("%zu articles, %.1f MB, %zu skipped, hash %016llx\n", n,
	    (double)bytes / 1e6, skipped, (unsigned long long)h);
	printf("copies alone %.3f s; with them: check+decode %.3f s, whole "
	    "load (+parse, meta_new, pack) %.3f s (CPU, best of %d)\n", copy,
	    dec, load, ROUNDS);
	return 0;
}
