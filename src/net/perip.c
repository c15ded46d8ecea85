#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perip.h"
#include "strmap.h"

/* The keys are malloc'd copies of the addresses. */
static struct strmap	perip = { NULL, 0, 0 };
static pthread_mutex_t	perip_lock = PTHREAD_MUTEX_INITIALIZER;

int
perip_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	    strncmp(addr, "::ffff:127.", 11) == 0;
}

/*
 * Count one more connection from addr: how many it had before, or -1
 * when memory ran out (it is then not counted).
 */
int
perip_add(const char *addr)
{
	size_t		 n = strlen(addr);
	int64_t		 count;
	char		*key;

	pthread_mutex_lock(&perip_lock);
	if ((count = strmap_get(&perip, addr, n)) < 0) {
		if ((key = strdup(addr)) == NULL ||
		    strmap_put(&perip, key, n, 0) != 1) {
			free(key);
			pthread_mutex_unlock(&perip_lock);
			return -1;
		}
		count = 0;
	}
	strmap_set(&perip, addr, n, (uint32_t)count + 1);
	pthread_mutex_unlock(&perip_lock);
	return (int)count;
}

/* One connection from addr (counted by perip_add) is gone. */
void
perip_del(const char *addr)
{
	size_t		 n = strlen(addr);
	int64_t		 count;
	const char	*key;

	pthread_mutex_lock(&perip_lock);
	if ((count = strmap_get(&perip, addr, n)) > 1)
		strmap_set(&perip, addr, n, (uint32_t)count - 1);
	else if (count == 1) {
		key = strmap_key(&perip, addr, n);
		strmap_del(&perip, addr, n);
		free((char *)(uintptr_t)key);
	}
	pthread_mutex_unlock(&perip_lock);
}
