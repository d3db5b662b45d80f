// A diagnostic for bench/server/run.sh (NODELAY_SHIM=1), not part of Segmenta: preloaded
// into `segmenta serve`, it turns on TCP_NODELAY for every accepted connection, which
// cpp-httplib leaves off by default (CPPHTTPLIB_TCP_NODELAY false). It shows what
// Nagle's algorithm costs: an answer written in two pieces (headers, then body) waits
// for the client's delayed ACK (up to 40 ms on Linux) before the second piece goes out.
//
//   gcc -O2 -shared -fPIC -o nodelay.so bench/server/nodelay.c -ldl
//   LD_PRELOAD=$PWD/nodelay.so segmenta serve ...
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int NoDelay(int fd) {
  int on = 1;
  if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

int accept(int fd, struct sockaddr* address, socklen_t* length) {
  static int (*real)(int, struct sockaddr*, socklen_t*);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*))dlsym(RTLD_NEXT, "accept");
  return NoDelay(real(fd, address, length));
}

int accept4(int fd, struct sockaddr* address, socklen_t* length, int flags) {
  static int (*real)(int, struct sockaddr*, socklen_t*, int);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*, int))dlsym(RTLD_NEXT, "accept4");
  return NoDelay(real(fd, address, length, flags));
}
