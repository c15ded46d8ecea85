/*
 * similarity: measures the text index (src/textindex*.c) on a directory of
 * articles.
 *
 *	make build/similarity
 *	build/similarity [-k K] [-j THREADS] [-q QUERIES] DIR [MANIFEST]
 *
 * Reads every *.txt of DIR (in name order: doc ids follow it) with
 * article_load in THREADS (2) threads, builds the index (its time, CPU
 * time, peak and remaining RSS, textindex_memory), computes the K (5)
 * most similar articles of every article in THREADS threads, excluding
 * its related entries (resolved by exact title, as catalog does), and
 * reports precision@K against topics: the share of the listed articles
 * that have the article's topic.  Topics come from MANIFEST, either a
 * gen-capsule manifest (name TAB topic TAB title) or a corpus README
 * (its section 7.5 table); by default DIR/../README.md when it exists,
 * so that for ../shared/corpus/articles no MANIFEST is needed.
 *
 * Then search: for QUERIES (100) random articles, a distinctive 3-word
 * phrase of one of their paragraphs (the rarest run of three words, by
 * document frequencies over a sample), how often the article is the
 * first hit and in the top 10, the latency of each search alone and
 * with THREADS threads searching at once, and of a snippet; the same
 * for a random 3-word phrase; last, the cost of a stemmer per query
 * against one shared under a mutex.  Times are wall-clock unless marked
 * CPU: on a shared machine, compare CPU times.
 *
 *	../shared/tools/gen-capsule -n 200000 --out /dev/shm/c \
 *	    --manifest /dev/shm/c.tsv
 *	build/similarity /dev/shm/c /dev/shm/c.tsv
 *	build/similarity ../shared/corpus/articles
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <libstemmer.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "article.h"
#include "strmap.h"
#include "textindex.h"

#define MAXTHREADS	16
#define SAMPLE_DOCS	20000	/* document frequencies for phrase picking */
#define SEARCH_MAX	10
#define PASSES		5	/* of the queries, under concurrent load */

struct corpus {
	char		**c_name;	/* file names, sorted */
	struct article	*c_art;
	struct textindex_doc *c_doc;
	int		*c_topic;	/* -1 when unknown */
	size_t		 c_n;
	char		 **c_topicname;
	size_t		 c_ntopic;
};

struct job {
	struct corpus	*j_c;
	const char	*j_dir;
	const struct textindex *j_ti;
	size_t		 j_lo, j_hi;
	size_t		 j_k;
	uint32_t	*j_excl;	/* per doc: related docs */
	size_t		*j_exoff;
	uint32_t	*j_out;		/* per doc: k similar */
	size_t		*j_nout;
	char		**j_query;	/* search */
	size_t		 j_nquery;
	double		*j_lat;
	size_t		 j_nlat;
};

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
rss(void)
{
	FILE	*f;
	size_t	 size = 0, res = 0;

	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(f, "%zu %zu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
list_dir(struct corpus *c, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 cap = 0, len;

	if ((d = opendir(dir)) == NULL)
		err(1, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		if (c->c_n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((c->c_name = realloc(c->c_name, cap *
			    sizeof(*c->c_name))) == NULL)
				err(1, NULL);
		}
		if ((c->c_name[c->c_n++] = strdup(de->d_name)) == NULL)
			err(1, NULL);
	}
	closedir(d);
	qsort(c->c_name, c->c_n, sizeof(*c->c_name), cmp_str);
}

static void *
load_job(void *arg)
{
	struct job	*j = arg;
	struct corpus	*c = j->j_c;
	struct stat	 st;
	const char	*errstr;
	char		 path[4096], *buf;
	size_t		 i;
	ssize_t		 r;
	int		 fd;

	for (i = j->j_lo; i < j->j_hi; i++) {
		snprintf(path, sizeof(path), "%s/%s", j->j_dir, c->c_name[i]);
		if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
			err(1, "%s", path);
		if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
			err(1, NULL);
		if ((r = read(fd, buf, (size_t)st.st_size)) != st.st_size)
			errx(1, "%s: short read", path);
		close(fd);
		if (article_load(&c->c_art[i], buf, (size_t)r, &errstr) == -1) {
			warnx("%s: %s (indexed empty)", path, errstr);
			memset(&c->c_art[i], 0, sizeof(c->c_art[i]));
		}
		free(buf);
		c->c_doc[i].td_title = c->c_art[i].a_title;
		c->c_doc[i].td_para = (const char *const *)c->c_art[i].a_para;
		c->c_doc[i].td_npara = c->c_art[i].a_npara;
	}
	return NULL;
}

/* Runs fn over [0, n) split among nj threads. */
static void
parallel(void *(*fn)(void *), struct job *proto, size_t n, size_t nj)
{
	pthread_t	 tid[MAXTHREADS];
	struct job	 j[MAXTHREADS];
	size_t		 i;

	for (i = 0; i < nj; i++) {
		j[i] = *proto;
		j[i].j_lo = n * i / nj;
		j[i].j_hi = n * (i + 1) / nj;
		if (pthread_create(&tid[i], NULL, fn, &j[i]) != 0)
			errx(1, "pthread_create");
	}
	for (i = 0; i < nj; i++)
		pthread_join(tid[i], NULL);
}

static int
topic_id(struct corpus *c, const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < c->c_ntopic; i++)
		if (strlen(c->c_topicname[i]) == len &&
		    memcmp(c->c_topicname[i], name, len) == 0)
			return (int)i;
	if ((c->c_topicname = realloc(c->c_topicname, (c->c_ntopic + 1) *
	    sizeof(*c->c_topicname))) == NULL ||
	    (c->c_topicname[c->c_ntopic] = strndup(name, len)) == NULL)
		err(1, NULL);
	return (int)c->c_ntopic++;
}

static char *
trim(char *s, char *e, size_t *len)
{
	while (s < e && *s == ' ')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\n'))
		e--;
	*len = (size_t)(e - s);
	return s;
}

/* MANIFEST: "name TAB topic TAB title" lines, or README section 7.5. */
static size_t
read_topics(struct corpus *c, const char *path)
{
	struct strmap	 byname;
	FILE		*f;
	char		*line = NULL, *s, *bar[6], *name, *topic;
	size_t		 cap = 0, i, nb, nlen, tlen, known = 0;
	int64_t		 d;
	int		 readme = 0, in75 = 0;

	for (i = 0; i < c->c_n; i++)
		c->c_topic[i] = -1;
	if ((f = fopen(path, "r")) == NULL) {
		warn("%s", path);
		return 0;
	}
	strmap_init(&byname);
	for (i = 0; i < c->c_n; i++)
		strmap_put(&byname, c->c_name[i], strlen(c->c_name[i]),
		    (uint32_t)i);
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, "#", 1) == 0) {
			readme = 1;
			in75 = strncmp(line, "### 7.5", 7) == 0;
			continue;
		}
		if (readme) {
			if (!in75 || line[0] != '|')
				continue;
			for (nb = 0, s = line; *s != '\0' && nb < 6; s++)
				if (*s == '|')
					bar[nb++] = s;
			if (nb != 5)
				continue;
			name = trim(bar[0] + 1, bar[1], &nlen);
			topic = trim(bar[3] + 1, bar[4], &tlen);
		} else {
			if ((s = strchr(line, '\t')) == NULL)
				continue;
			name = trim(line, s, &nlen);
			topic = s + 1;
			if ((s = strchr(topic, '\t')) == NULL)
				s = topic + strlen(topic);
			topic = trim(topic, s, &tlen);
		}
		if ((d = strmap_get(&byname, name, nlen)) == -1)
			continue;
		c->c_topic[d] = topic_id(c, topic, tlen);
		known++;
	}
	free(line);
	fclose(f);
	strmap_free(&byname);
	return known;
}

/* Related entries resolved by exact title, first in name order wins. */
static void
exclusions(struct corpus *c, uint32_t **excl, size_t **exoff)
{
	struct strmap	 bytitle;
	const char	*t;
	size_t		 i, r, n = 0, cap = 0;
	int64_t		 d;

	strmap_init(&bytitle);
	for (i = 0; i < c->c_n; i++)
		if ((t = c->c_art[i].a_title) != NULL)
			strmap_put(&bytitle, t, strlen(t), (uint32_t)i);
	if ((*exoff = calloc(c->c_n + 1, sizeof(**exoff))) == NULL)
		err(1, NULL);
	*excl = NULL;
	for (i = 0; i < c->c_n; i++) {
		for (r = 0; r < c->c_art[i].a_nrel; r++) {
			t = article_rel_title(&c->c_art[i], r);
			if ((d = strmap_get(&bytitle, t, strlen(t))) == -1)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				if ((*excl = realloc(*excl, cap *
				    sizeof(**excl))) == NULL)
					err(1, NULL);
			}
			(*excl)[n++] = (uint32_t)d;
		}
		(*exoff)[i + 1] = n;
	}
	strmap_free(&bytitle);
}

static void *
similar_job(void *arg)
{
	struct job	*j = arg;
	size_t		 i;

	for (i = j->j_lo; i < j->j_hi; i++)
		j->j_nout[i] = textindex_similar(j->j_ti, (uint32_t)i, j->j_k,
		    j->j_excl + j->j_exoff[i],
		    j->j_exoff[i + 1] - j->j_exoff[i], j->j_out + i * j->j_k);
	return NULL;
}

/* Words of a paragraph: runs of non-space bytes, ASCII punctuation off. */
static size_t
words(const char *p, const char **w, size_t *wl, size_t max)
{
	size_t	 n = 0, len;

	while (*p != '\0' && n < max) {
		while (*p == ' ')
			p++;
		for (len = 0; p[len] != '\0' && p[len] != ' '; len++)
			continue;
		while (len > 0 && strchr(".,;:!?\"()", p[len - 1]) != NULL)
			len--;
		if (len > 0) {
			w[n] = p;
			wl[n++] = len;
		}
		while (*p != '\0' && *p != ' ')
			p++;
	}
	return n;
}

/* Document frequencies of lower-cased words, over a sample of the docs. */
struct dfs {
	struct strmap	 d_map;		/* word -> index */
	struct arena	 d_ar;		/* the words */
	uint32_t	*d_cnt;		/* docs with the word */
	size_t		*d_last;	/* the last of them + 1 */
	size_t		 d_n;
	size_t		 d_cap;
};

/* The index of a word (NUL-terminated in low, lower-cased), -1 if new. */
static int64_t
dfs_find(const struct dfs *df, const char *w, size_t len, char *low)
{
	size_t	 i;

	for (i = 0; i < len && i < 255; i++)
		low[i] = w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i];
	low[i] = '\0';
	return strmap_get(&df->d_map, low, i);
}

static void
dfs_count(struct dfs *df, struct corpus *c)
{
	const char	*w[4096];
	char		 low[256], *key;
	size_t		 wl[4096], doc, step, p, n, k;
	int64_t		 id;

	memset(df, 0, sizeof(*df));
	strmap_init(&df->d_map);
	arena_init(&df->d_ar);
	step = c->c_n > SAMPLE_DOCS ? c->c_n / SAMPLE_DOCS : 1;
	for (doc = 0; doc < c->c_n; doc += step)
		for (p = 0; p < c->c_art[doc].a_npara; p++) {
			n = words(c->c_art[doc].a_para[p], w, wl, 4096);
			for (k = 0; k < n; k++) {
				if ((id = dfs_find(df, w[k], wl[k], low)) ==
				    -1) {
					if (df->d_n == df->d_cap &&
					    (df->d_cap = df->d_cap * 2 + 4096,
					    (df->d_cnt = reallocarray(df->d_cnt,
					    df->d_cap, 4)) == NULL ||
					    (df->d_last = reallocarray(
					    df->d_last, df->d_cap,
					    sizeof(size_t))) == NULL))
						err(1, NULL);
					if ((key = arena_strndup(&df->d_ar, low,
					    strlen(low))) == NULL)
						err(1, NULL);
					id = (int64_t)df->d_n++;
					strmap_put(&df->d_map, key, strlen(key),
					    (uint32_t)id);
					df->d_cnt[id] = df->d_last[id] = 0;
				}
				if (df->d_last[id] != doc + 1) {
					df->d_last[id] = doc + 1;
					df->d_cnt[id]++;
				}
			}
		}
}

static void
dfs_free(struct dfs *df)
{
	strmap_free(&df->d_map);
	arena_free(&df->d_ar);
	free(df->d_cnt);
	free(df->d_last);
}

/* A 3-word phrase of a paragraph of doc: the rarest words, or random. */
static char *
phrase(struct corpus *c, size_t doc, int distinct, const struct dfs *df)
{
	const char	*w[4096], *para;
	char		*q, low[256];
	size_t		 wl[4096], n = 0, i, k, best = 0, tries;
	double		 score, bestscore = -HUGE_VAL;
	int64_t		 id;

	for (tries = 0; tries < 20 && n < 3; tries++) {
		para = c->c_art[doc].a_para[(size_t)rand() %
		    c->c_art[doc].a_npara];
		n = words(para, w, wl, 4096);
	}
	if (n < 3)
		return NULL;
	if (!distinct)
		best = (size_t)rand() % (n - 2);
	for (i = 0; distinct && i + 3 <= n; i++) {
		for (k = 0, score = 0; k < 3; k++) {
			id = dfs_find(df, w[i + k], wl[i + k], low);
			score -= log((id == -1 ? 0 : df->d_cnt[id]) + 1.0);
		}
		if (score > bestscore) {
			bestscore = score;
			best = i;
		}
	}
	if (asprintf(&q, "%.*s %.*s %.*s", (int)wl[best], w[best],
	    (int)wl[best + 1], w[best + 1], (int)wl[best + 2],
	    w[best + 2]) == -1)
		err(1, NULL);
	return q;
}

static void *
search_job(void *arg)
{
	struct job		*j = arg;
	struct textindex_hit	 hit[SEARCH_MAX];
	size_t			 p, i;
	double			 t;

	for (p = 0; p < PASSES; p++)
		for (i = 0; i < j->j_nquery; i++) {
			t = now();
			textindex_search(j->j_ti, j->j_query[i], SEARCH_MAX,
			    hit);
			j->j_lat[j->j_nlat++] = now() - t;
		}
	return NULL;
}

static void
percentiles(const char *what, double *lat, size_t n)
{
	qsort(lat, n, sizeof(*lat), cmp_dbl);
	printf("%s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%zu searches)\n",
	    what, lat[n / 2] * 1e3, lat[(n * 99) / 100] * 1e3,
	    lat[n - 1] * 1e3, n);
}

/* Concurrent searches: nj threads, each PASSES times over the queries. */
static void
concurrent(const struct textindex *ti, char **q, size_t nq, size_t nj)
{
	pthread_t	 tid[MAXTHREADS];
	struct job	 j[MAXTHREADS];
	double		*all;
	size_t		 i, n = 0;

	if ((all = calloc(nj * nq * PASSES, sizeof(*all))) == NULL)
		err(1, NULL);
	for (i = 0; i < nj; i++) {
		memset(&j[i], 0, sizeof(j[i]));
		j[i].j_ti = ti;
		j[i].j_query = q;
		j[i].j_nquery = nq;
		j[i].j_lat = all + i * nq * PASSES;
		pthread_create(&tid[i], NULL, search_job, &j[i]);
	}
	for (i = 0; i < nj; i++) {
		pthread_join(tid[i], NULL);
		n += j[i].j_nlat;
	}
	printf("  %zu threads at once: ", nj);
	percentiles("search", all, n);
	free(all);
}

/* The stemmer: one per call, or one shared under a mutex. */
static pthread_mutex_t stem_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct sb_stemmer *stem_shared;
static const char *stem_words[] = { "gardening", "tomatoes", "seedlings" };

static void *
stem_job(void *arg)
{
	int		 shared = *(int *)arg, i, k;
	struct sb_stemmer *st;

	for (i = 0; i < 200000; i++) {
		if (shared) {
			pthread_mutex_lock(&stem_mtx);
			st = stem_shared;
		} else
			st = sb_stemmer_new("english", "UTF_8");
		for (k = 0; k < 3; k++)
			sb_stemmer_stem(st, (const sb_symbol *)stem_words[k],
			    (int)strlen(stem_words[k]));
		if (shared)
			pthread_mutex_unlock(&stem_mtx);
		else
			sb_stemmer_delete(st);
	}
	return NULL;
}

static void
stemmer_cost(size_t nj)
{
	pthread_t	 tid[MAXTHREADS];
	int		 mode, m[2] = { 0, 1 };
	size_t		 i;
	double		 t;

	stem_shared = sb_stemmer_new("english", "UTF_8");
	for (mode = 0; mode < 2; mode++) {
		t = now();
		for (i = 0; i < nj; i++)
			pthread_create(&tid[i], NULL, stem_job, &m[mode]);
		for (i = 0; i < nj; i++)
			pthread_join(tid[i], NULL);
		printf("stemmer, %zu threads stemming 3-word queries: %s"
		    " %.0f ns per query\n", nj, mode ?
		    "one shared under a mutex:" : "one per query:",
		    (now() - t) / 200000 * 1e9);
	}
	sb_stemmer_delete(stem_shared);
}

/* Searches for nq phrases, each of a random article: found first? */
static void
search_set(struct corpus *c, const struct textindex *ti,
    const struct dfs *df, int distinct, size_t nq, size_t nj)
{
	struct textindex_hit	 hit[SEARCH_MAX];
	char			*q[1000], snip[TEXTINDEX_SNIPPET_MAX + 1];
	double			 lat[1000], sn[1000], t;
	size_t			 i, r, first = 0, top = 0, n = 0, doc;

	srand(distinct ? 8 : 9);
	for (i = 0; i < nq && i < 1000; i++) {
		do
			doc = (size_t)rand() % c->c_n;
		while (c->c_art[doc].a_npara == 0);
		if ((q[n] = phrase(c, doc, distinct, df)) == NULL)
			continue;
		t = now();
		r = textindex_search(ti, q[n], SEARCH_MAX, hit);
		lat[n] = now() - t;
		first += r > 0 && hit[0].th_doc == doc;
		while (r-- > 0)
			top += hit[r].th_doc == doc;
		t = now();
		textindex_snippet(&c->c_doc[doc], q[n], snip, sizeof(snip));
		sn[n] = now() - t;
		if (n < 2)
			printf("  \"%s\" in %s: \"%s\"\n", q[n],
			    c->c_name[doc], snip);
		n++;
	}
	if (n == 0)
		return;
	printf("search, a %s 3-word phrase of %zu articles: the article"
	    " first %zu (%.0f%%), in the top %d %zu\n", distinct ?
	    "distinctive" : "random", n, first, 100.0 * first / n,
	    SEARCH_MAX, top);
	percentiles("  alone", lat, n);
	percentiles("  snippet", sn, n);
	concurrent(ti, q, n, nj);
	for (i = 0; i < n; i++)
		free(q[i]);
}

/* Resets the peak RSS (VmHWM) of the process; then peak() reads it. */
static void
peak_reset(void)
{
	FILE	*f;

	if ((f = fopen("/proc/self/clear_refs", "w")) != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

static size_t
peak(void)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0, kb = 0;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (getline(&line, &cap, f) != -1)
		if (sscanf(line, "VmHWM: %zu kB", &kb) == 1)
			break;
	free(line);
	fclose(f);
	return kb * 1024;
}

static void
load(struct corpus *c, const char *dir, const char *manifest, size_t nj)
{
	struct job	 j;
	char		 path[4096];
	double		 t0 = now();
	size_t		 known;

	list_dir(c, dir);
	if (c->c_n == 0)
		errx(1, "%s: no *.txt", dir);
	if ((c->c_art = calloc(c->c_n, sizeof(*c->c_art))) == NULL ||
	    (c->c_doc = calloc(c->c_n, sizeof(*c->c_doc))) == NULL ||
	    (c->c_topic = calloc(c->c_n, sizeof(*c->c_topic))) == NULL)
		err(1, NULL);
	memset(&j, 0, sizeof(j));
	j.j_c = c;
	j.j_dir = dir;
	parallel(load_job, &j, c->c_n, nj);
	if (manifest == NULL) {
		snprintf(path, sizeof(path), "%s/../README.md", dir);
		if (access(path, R_OK) == 0)
			manifest = path;
	}
	known = manifest != NULL ? read_topics(c, manifest) : 0;
	printf("articles: %zu (%zu with a topic, %zu topics), loaded in"
	    " %.2f s\n", c->c_n, known, c->c_ntopic, now() - t0);
}

static struct textindex *
build(struct corpus *c)
{
	struct textindex *ti;
	const char	*errstr;
	double		 t0, c0;
	size_t		 rss0, rss1;

	malloc_trim(0);
	rss0 = rss();
	peak_reset();
	t0 = now();
	c0 = cpu();
	if ((ti = textindex_build(c->c_doc, c->c_n, &errstr)) == NULL)
		errx(1, "textindex_build: %s", errstr);
	printf("build: %.2f s (%.2f s CPU)", now() - t0, cpu() - c0);
	printf("; peak RSS +%.1f MB", (double)(peak() > rss0 ?
	    peak() - rss0 : 0) / 1e6);
	malloc_trim(0);
	rss1 = rss();
	printf(", after +%.1f MB\n", (double)(rss1 > rss0 ? rss1 - rss0 : 0) /
	    1e6);
	printf("index memory: %zu bytes (%.0f per article)\n",
	    textindex_memory(ti), (double)textindex_memory(ti) / c->c_n);
	return ti;
}

/* Every article's similar list, after its exclusions; precision@k. */
static void
lists(struct corpus *c, const struct textindex *ti, size_t k, size_t nj)
{
	struct job	 j;
	double		 t0, c0;
	size_t		 i, x, same = 0, listed = 0, full = 0;

	memset(&j, 0, sizeof(j));
	exclusions(c, &j.j_excl, &j.j_exoff);
	if ((j.j_out = calloc(c->c_n * k, sizeof(*j.j_out))) == NULL ||
	    (j.j_nout = calloc(c->c_n, sizeof(*j.j_nout))) == NULL)
		err(1, NULL);
	j.j_ti = ti;
	j.j_k = k;
	t0 = now();
	c0 = cpu();
	parallel(similar_job, &j, c->c_n, nj);
	printf("similar lists (k=%zu, %zu threads): %.2f s (%.2f s CPU); "
	    "index memory now %zu bytes\n", k, nj, now() - t0, cpu() - c0,
	    textindex_memory(ti));
	for (i = 0; i < c->c_n; i++) {
		full += j.j_nout[i] == k;
		for (x = 0; c->c_topic[i] >= 0 && x < j.j_nout[i]; x++) {
			listed++;
			same += c->c_topic[j.j_out[i * k + x]] == c->c_topic[i];
		}
	}
	printf("lists: %zu of %zu full; precision@%zu %.4f (%zu of %zu listed"
	    " share the topic)\n", full, c->c_n, k,
	    listed ? (double)same / listed : 0.0, same, listed);
	for (i = 0; c->c_n <= 50 && i < c->c_n; i++) {
		printf("  %s [%s]:", c->c_name[i], c->c_topic[i] < 0 ? "?" :
		    c->c_topicname[c->c_topic[i]]);
		for (x = 0; x < j.j_nout[i]; x++)
			printf(" %.3s%s", c->c_name[j.j_out[i * k + x]],
			    c->c_topic[j.j_out[i * k + x]] == c->c_topic[i] ?
			    "" : "*");
		printf("\n");
	}
	free(j.j_excl);
	free(j.j_exoff);
	free(j.j_out);
	free(j.j_nout);
}

static int
one_doc(void *arg, size_t i, struct textindex_doc *doc, void **h)
{
	(void)i;
	*doc = *(const struct textindex_doc *)arg;
	*h = NULL;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * What the server does when an article is added: a delta index of it on
 * the full one (textindex_build_from with a base), then its similar
 * list through the view.  ADD_TRIALS times with a copy of a random
 * article's text as the new one: median and worst.
 */
#define ADD_TRIALS	20

static void
add_one(struct corpus *c, const struct textindex *ti, size_t k)
{
	struct textindex	*delta;
	struct textview		 tv;
	const char		*errstr;
	double			 t[ADD_TRIALS], t0;
	uint32_t		 out[64];
	size_t			 i, d, n = 0;

	for (i = 0; i < ADD_TRIALS; i++) {
		d = (size_t)random() % c->c_n;
		t0 = now();
		if ((delta = textindex_build_from(&(struct textindex_source){
		    one_doc, NULL, &c->c_doc[d] }, 1, ti, &errstr)) == NULL)
			errx(1, "delta: %s", errstr);
		tv.tv_base = ti;
		tv.tv_delta = delta;
		tv.tv_gone = NULL;
		n += textview_similar(&tv, (uint32_t)c->c_n, k < 64 ? k : 64,
		    NULL, 0, out);
		t[i] = now() - t0;
		textindex_free(delta);
	}
	qsort(t, ADD_TRIALS, sizeof(t[0]), cmp_double);
	printf("one article added (delta index and its list, %d trials): "
	    "median %.2f ms, worst %.2f ms; %zu listed\n", ADD_TRIALS,
	    t[ADD_TRIALS / 2] * 1e3, t[ADD_TRIALS - 1] * 1e3, n);
}

static void
usage(void)
{
	fprintf(stderr, "usage: similarity [-k K] [-j THREADS] [-q QUERIES] "
	    "DIR [MANIFEST]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct corpus		 c;
	struct dfs		 df;
	struct textindex	*ti;
	size_t			 k = 5, nj = 2, nq = 100, i;
	int			 ch;

	while ((ch = getopt(argc, argv, "j:k:q:")) != -1) {
		switch (ch) {
		case 'j':
			nj = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			k = strtoul(optarg, NULL, 10);
			break;
		case 'q':
			nq = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2 || k == 0 || nj == 0 || nj > MAXTHREADS)
		usage();
	memset(&c, 0, sizeof(c));
	load(&c, argv[0], argc == 2 ? argv[1] : NULL, nj);
	ti = build(&c);
	lists(&c, ti, k, nj);
	add_one(&c, ti, k);
	if (nq > 0) {
		dfs_count(&df, &c);
		search_set(&c, ti, &df, 1, nq, nj);
		search_set(&c, ti, &df, 0, nq, nj);
		dfs_free(&df);
		stemmer_cost(nj);
	}
	textindex_free(ti);
	for (i = 0; i < c.c_n; i++) {
		article_free(&c.c_art[i]);
		free(c.c_name[i]);
	}
	for (i = 0; i < c.c_ntopic; i++)
		free(c.c_topicname[i]);
	free(c.c_topicname);
	free(c.c_name);
	free(c.c_art);
	free(c.c_doc);
	free(c.c_topic);
	return 0;
}
