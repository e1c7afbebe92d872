//! REST options of the worker config on a real worker: `admin.listeners` moves `/admin` to its
//! own listeners (and off the main ones); `response.http.headers.config` adds its headers to
//! every response, as Kafka Connect's Jetty filter does (a header the API sets itself keeps the
//! API's value); CORS (`access.control.allow.origin` / `.methods`) and `OPTIONS` answer as a Java
//! Kafka Connect 4.3.1 worker started with the same settings answers, compared side by side.

use connect_tests::{
    java_standalone::JavaStandalone,
    rest_access::RestAccess,
    worker::{Worker, call, free_port},
};

#[test]
fn admin_listeners_serve_admin_alone_and_response_headers_reach_every_response() {
    let admin_port = free_port();
    let admin = format!("http://127.0.0.1:{admin_port}");
    let w = Worker::distributed(&[
        ("admin.listeners", &admin),
        (
            "response.http.headers.config",
            "add X-Frame-Options: DENY, setDate Expires: 3600000, set Content-Type: text/plain",
        ),
    ]);
    let http = reqwest::blocking::Client::new();

    // `/admin` only on the admin listener; the rest of the API only on the main one.
    assert_eq!(w.get("/admin/loggers").0, 404, "{}", w.log_tail());
    let (code, loggers) = call(&http, "GET", &format!("{admin}/admin/loggers"), None);
    assert_eq!(code, 200, "{loggers}");
    assert!(loggers["root"]["level"].is_string(), "{loggers}");
    let (code, body) = call(&http, "GET", &format!("{admin}/connectors"), None);
    assert_eq!(code, 404, "{body}");
    assert_eq!(w.get("/connectors").0, 200);

    // The configured headers, on a success and on an error alike.
    for path in ["/connectors", "/no/such/path"] {
        let response = http.get(format!("{}{path}", w.url)).send().unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let expires = headers["expires"].to_str().unwrap();
        let at = httpdate::parse_http_date(expires).unwrap();
        let ahead = at
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default()
            .as_secs();
        assert!((3500..=3600).contains(&ahead), "{path}: Expires {expires}");
        assert_eq!(
            headers["content-type"], "application/json",
            "{path}: the API's own Content-Type wins over a set rule, as in Jetty"
        );
    }
}

/// What CORS and `OPTIONS` put in an answer: status, the CORS headers (methods as a set: Java
/// keeps them in a `Set.of`, whose order varies), `Allow` and a text body.
fn cors_view(base: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Vec<String> {
    let http = reqwest::blocking::Client::new();
    let mut request = http.request(method.parse().unwrap(), format!("{base}{path}"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().unwrap();
    let mut view = vec![format!("status {}", response.status().as_u16())];
    for name in [
        "vary",
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-headers",
        "access-control-max-age",
        "access-control-expose-headers",
        "allow",
    ] {
        let values: Vec<&str> = response
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        view.push(format!("{name}: {values:?}"));
    }
    let mut methods: Vec<String> = response
        .headers()
        .get_all("access-control-allow-methods")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|m| m.trim().to_owned()))
        .collect();
    methods.sort();
    view.push(format!("access-control-allow-methods: {methods:?}"));
    if method == "OPTIONS" && response.status().is_success() {
        view.push(format!("body {}", response.text().unwrap()));
    }
    view
}

/// A request: method, path, headers.
type Probe = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

#[test]
fn cors_and_options_answer_as_the_java_worker_with_the_same_settings() {
    for settings in [
        vec![
            (
                "access.control.allow.origin",
                "http://good.example,https://.*\\.other\\.example",
            ),
            ("access.control.allow.methods", "GET,PUT"),
        ],
        vec![("access.control.allow.origin", "*")],
    ] {
        let java = JavaStandalone::start(&settings, &RestAccess::default());
        let ours = Worker::standalone(&settings, &[]);
        let requests: Vec<Probe> = vec![
            ("GET", "/connectors", vec![]),
            (
                "GET",
                "/connectors",
                vec![("Origin", "http://good.example")],
            ),
            (
                "GET",
                "/connectors",
                vec![("Origin", "https://a.other.example")],
            ),
            (
                "GET",
                "/connectors",
                vec![("Origin", "http://evil.example")],
            ),
            (
                "GET",
                "/connectors",
                vec![("Origin", "HTTP://GOOD.EXAMPLE")],
            ),
            (
                "GET",
                "/no/such/path",
                vec![("Origin", "http://good.example")],
            ),
            (
                "OPTIONS",
                "/connectors",
                vec![
                    ("Origin", "http://good.example"),
                    ("Access-Control-Request-Method", "PUT"),
                ],
            ),
            (
                "OPTIONS",
                "/connectors/x/config",
                vec![
                    ("Origin", "http://good.example"),
                    ("Access-Control-Request-Method", "DELETE"),
                    ("Access-Control-Request-Headers", "content-type, x-custom"),
                ],
            ),
            (
                "OPTIONS",
                "/connectors/x",
                vec![
                    ("Origin", "http://evil.example"),
                    ("Access-Control-Request-Method", "GET"),
                ],
            ),
            ("OPTIONS", "/connectors/x/offsets", vec![]),
            (
                "OPTIONS",
                "/connectors/x/restart",
                vec![("Origin", "http://good.example")],
            ),
            ("OPTIONS", "/connector-plugins/x/config/validate", vec![]),
        ];
        for (method, path, headers) in &requests {
            assert_eq!(
                cors_view(&ours.url, method, path, headers),
                cors_view(&java.url, method, path, headers),
                "{settings:?}: {method} {path} {headers:?} (left ours, right Java)"
            );
        }
    }
}
