/*
 * silent_server.c -- a TCP server on 127.0.0.1 that accepts connections
 * and never answers: what a hung database server or a black-holing proxy
 * looks like to a client. For tests/integration/pg_hostile.sh.
 *
 *   silent_server PORTFILE   listens on a port the kernel picks, writes
 *                            it to PORTFILE, then accepts and holds
 *                            connections (at most 64) until killed
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s, held = 0;
    FILE *fp;

    if (argc != 2)
        return 2;
    s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        return 1;
    if ((fp = fopen(argv[1], "w")) == NULL)
        return 1;
    fprintf(fp, "%u\n", (unsigned)ntohs(a.sin_port));
    fclose(fp);
    for (;;) { /* keep each connection open and silent */
        if (accept(s, NULL, NULL) >= 0 && ++held >= 64)
            pause();
    }
}
