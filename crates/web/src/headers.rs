//! Security headers on every response.

use poem::middleware::SetHeader;

/// CSP without inline scripts or styles, no framing, no sniffing; HSTS over HTTPS.
pub fn security_headers(https: bool) -> SetHeader {
    let headers = SetHeader::new()
        .overriding(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        .overriding("x-frame-options", "DENY")
        .overriding("x-content-type-options", "nosniff")
        .overriding("referrer-policy", "same-origin")
        .overriding(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        );
    if https {
        headers.overriding(
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        )
    } else {
        headers
    }
}
