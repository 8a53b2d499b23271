//! The security headers sent with everything the portal serves: by `musharaka serve` here,
//! and by the CDN's response-headers policy in the deployment (`infra/template.yaml`), which a
//! test keeps equal to this list.

/// Content-Security-Policy: only the portal's own files; no inline script; no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

/// Every header and its value.
pub const HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
];

/// Adds [`HEADERS`] to a response.
pub fn apply(headers: &mut axum::http::HeaderMap) {
    for (name, value) in HEADERS {
        headers.insert(*name, axum::http::HeaderValue::from_static(value));
    }
}
