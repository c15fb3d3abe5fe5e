package dev.preflight.cli.demo;

/** The demo's policy: the page's origin may call the API with cookies; /api/private is stricter. */
public final class DemoCommandPolicy {
    private DemoCommandPolicy() {}

    public static String of(int proxyPort, int apiPort, int pagePort) {
        return """
                preflight {
                  listen { host = "127.0.0.1", port = %d }
                  admin.enabled = false
                  reload.watch = false
                  upstream.url = "http://127.0.0.1:%d"
                  cors {
                    allowed-origins = ["http://localhost:%d"]
                    allowed-methods = ["GET", "HEAD", "POST", "PUT", "DELETE"]
                    allowed-headers = ["Content-Type", "X-Demo-Client"]
                    exposed-headers = ["X-Request-Id"]
                    allow-credentials = true
                    max-age = 10m
                  }
                  routes = [
                    { name = "private", path-prefix = "/api/private", cors { allowed-origins = ["https://trusted.example"] } }
                  ]
                }
                """.formatted(proxyPort, apiPort, pagePort);
    }
}
