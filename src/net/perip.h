/*
 * perip: open connections per client address, for every worker of the
 * process (the per-address limit, capsuled.conf(5)).
 *
 * Example: perip_add("192.0.2.7") returns 0 for its first connection,
 * 1 for its second; perip_del("192.0.2.7") undoes one.  Loopback
 * addresses (127.0.0.0/8, ::1, ::ffff:127.x) are told apart, since
 * behind a local proxy every client is one of them.
 */
#ifndef PERIP_H
#define PERIP_H

int	 perip_add(const char *);
void	 perip_del(const char *);
int	 perip_loopback(const char *);

#endif
