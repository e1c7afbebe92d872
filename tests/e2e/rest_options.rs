//! REST options of the worker config on a real worker: `admin.listeners` moves `/admin` to its
//! own listeners (and off the main ones), and `response.http.headers.config` adds its headers to
//! every response, as Kafka Connect's Jetty filter does (a header the API sets itself keeps the
//! API's value).

use connect_tests::worker::{Worker, call, free_port};

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
