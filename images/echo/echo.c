/*
 * shoal/echo: a tiny HTTP server for tests and demos. It listens on $PORT
 * (default 8080) and answers every request with one line of JSON naming the
 * pod (POD_NAME, POD_NAMESPACE), VERSION, the hostname and the request path;
 * GET /healthz answers "ok". One forked child per connection; the server
 * exits 0 on SIGTERM or SIGINT (it runs as PID 1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) { (void)sig; _exit(0); }

static const char *env_or(const char *name, const char *dflt) {
  const char *v = getenv(name);
  return v && *v ? v : dflt;
}

/* Copies s into out, dropping characters that would break a JSON string. */
static void json_safe(char *out, size_t n, const char *s) {
  size_t j = 0;
  for (size_t i = 0; s[i] && j + 1 < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') out[j++] = (char)c;
  }
  out[j] = 0;
}

static void serve(int fd) {
  char req[4096];
  size_t got = 0;
  /* Read until the end of the headers (or the buffer is full). */
  while (got < sizeof req - 1) {
    ssize_t r = read(fd, req + got, sizeof req - 1 - got);
    if (r <= 0) break;
    got += (size_t)r;
    req[got] = 0;
    if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n")) break;
  }
  req[got] = 0;
  char method[16] = "", path[1024] = "/";
  sscanf(req, "%15s %1023s", method, path);

  char body[2048], host[256] = "", p[1024], name[256], ns[256], ver[256];
  gethostname(host, sizeof host - 1);
  json_safe(p, sizeof p, path);
  json_safe(name, sizeof name, env_or("POD_NAME", ""));
  json_safe(ns, sizeof ns, env_or("POD_NAMESPACE", ""));
  json_safe(ver, sizeof ver, env_or("VERSION", "v1"));
  int len;
  if (strcmp(path, "/healthz") == 0) {
    len = snprintf(body, sizeof body, "ok\n");
  } else {
    char h[256];
    json_safe(h, sizeof h, host);
    len = snprintf(body, sizeof body, "{\"pod\":\"%s\",\"namespace\":\"%s\",\"version\":\"%s\",\"hostname\":\"%s\",\"path\":\"%s\"}\n", name, ns, ver, h, p);
  }
  char head[256];
  int hl = snprintf(head, sizeof head,
                    "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
                    strcmp(path, "/healthz") == 0 ? "text/plain" : "application/json", len);
  if (write(fd, head, (size_t)hl) < 0 || write(fd, body, (size_t)len) < 0) perror("echo: write");
}

int main(void) {
  struct sigaction stop = {0}, child = {0};
  stop.sa_handler = on_stop;
  child.sa_handler = SIG_IGN;
  child.sa_flags = SA_NOCLDWAIT; /* children are reaped by the kernel */
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGINT, &stop, NULL);
  sigaction(SIGCHLD, &child, NULL);

  int port = atoi(env_or("PORT", "8080"));
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons((unsigned short)port);
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) || listen(s, 128)) {
    perror("echo: listen");
    return 1;
  }
  printf("echo listening on :%d\n", port);
  fflush(stdout);
  for (;;) {
    int fd = accept(s, NULL, NULL);
    if (fd < 0) continue;
    pid_t pid = fork();
    if (pid == 0) {
      close(s);
      serve(fd);
      shutdown(fd, SHUT_WR);
      close(fd);
      _exit(0);
    }
    close(fd);
  }
}
