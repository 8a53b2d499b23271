//! The address a request came from, for rate limiting: on Lambda, the viewer's address that
//! CloudFront passes on (`CloudFront-Viewer-Address`, since API Gateway sees only CloudFront's
//! edge), else API Gateway's source IP; the socket peer when served locally.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

/// The client's address as text (`unknown` when neither source gives one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        use lambda_http::request::RequestContext;
        if let Some(RequestContext::ApiGatewayV2(ctx)) = parts.extensions.get::<RequestContext>() {
            let viewer = parts
                .headers
                .get("cloudfront-viewer-address")
                .and_then(|v| v.to_str().ok())
                .and_then(viewer_ip);
            if let Some(ip) = viewer.or_else(|| ctx.http.source_ip.clone()) {
                return Ok(ClientAddr(ip));
            }
        }
        if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            return Ok(ClientAddr(addr.ip().to_string()));
        }
        Ok(ClientAddr("unknown".into()))
    }
}

/// The IP of a `CloudFront-Viewer-Address` value: `198.51.100.10:46532`, or an IPv6 address
/// followed by `:port` (`2001:db8::8a2e:370:7334:46532`).
fn viewer_ip(value: &str) -> Option<String> {
    let (ip, port) = value.trim().rsplit_once(':')?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    (port.chars().all(|c| c.is_ascii_digit()) && ip.parse::<std::net::IpAddr>().is_ok())
        .then(|| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::viewer_ip;

    #[test]
    fn the_viewer_address_is_read_without_its_port() {
        assert_eq!(
            viewer_ip("198.51.100.10:46532").as_deref(),
            Some("198.51.100.10")
        );
        assert_eq!(
            viewer_ip("2001:db8::8a2e:370:7334:46532").as_deref(),
            Some("2001:db8::8a2e:370:7334")
        );
        assert_eq!(viewer_ip("not an address"), None);
    }
}
