//! The HTTP client the SDK sends requests with: hyper and rustls, trusting Mozilla's root
//! certificates compiled into the binary.
//!
//! The SDK's default client reads and parses the platform's certificate bundle when the client is
//! built: about 150 PEM certificates, most of a cold start's work (BENCHMARKS.md). The compiled-in
//! roots are ready-made trust anchors, so building this client parses nothing. The price is that
//! the roots are as fresh as the build; they come from the `webpki-roots` crate, which follows
//! Mozilla's list, and `cargo update` refreshes them.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::ErrorKind;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// An SDK HTTP client that connects within `connect_timeout` and keeps connections for reuse
/// across invocations. Plain `http://` endpoints work too, for local emulators.
pub fn client(connect_timeout: Duration) -> SharedHttpClient {
    SharedHttpClient::new(Https::new(connect_timeout))
}

#[derive(Debug, Clone)]
struct Https {
    client: Client<HttpsConnector<TcpConnector>, SdkBody>,
}

impl Https {
    fn new(connect_timeout: Duration) -> Self {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(connect_timeout));
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports rustls' default protocol versions")
        .with_root_certificates(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
        .with_no_client_auth();
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(connector);
        Https { client }
    }
}

impl HttpClient for Https {
    /// One connector for every request: its connect timeout is set at construction (the
    /// publisher's own), and the SDK enforces the attempt and operation timeouts around it.
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        Some(ConnectorMetadata::new("hyper", Some("1.x".into())))
    }
}

impl HttpConnector for Https {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let response = self.client.request(request);
        HttpConnectorFuture::new(async move {
            match response.await {
                Ok(response) => HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                    .map_err(|e| ConnectorError::other(e.into(), None)),
                Err(e) => Err(connector_error(e)),
            }
        })
    }
}

/// Sorts a failed request the way the SDK's retry strategy needs: failures to connect and broken
/// connections are transient (retried), a request hyper refuses to send is the caller's fault.
fn connector_error(error: hyper_util::client::legacy::Error) -> ConnectorError {
    let hyper = find_source::<hyper::Error>(&error);
    let broken = error.is_connect()
        || find_source::<std::io::Error>(&error).is_some()
        || hyper.is_some_and(|h| h.is_closed() || h.is_canceled() || h.is_timeout());
    if broken {
        return ConnectorError::io(error.into());
    }
    match hyper {
        Some(h) if h.is_user() => ConnectorError::user(error.into()),
        Some(h) if h.is_incomplete_message() => {
            ConnectorError::other(error.into(), Some(ErrorKind::TransientError))
        }
        _ => ConnectorError::other(error.into(), None),
    }
}

fn find_source<'a, E: Error + 'static>(error: &'a (dyn Error + 'static)) -> Option<&'a E> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    /// SNS endpoints present certificates from Amazon Trust Services, which chain to these roots.
    #[test]
    fn the_compiled_in_roots_include_the_ones_aws_endpoints_chain_to() {
        let subjects: Vec<&[u8]> = webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|anchor| anchor.subject.as_ref())
            .collect();
        for root in [
            "Amazon Root CA 1",
            "Amazon Root CA 2",
            "Amazon Root CA 3",
            "Amazon Root CA 4",
            "Starfield Services Root Certificate Authority - G2",
        ] {
            assert!(
                subjects
                    .iter()
                    .any(|s| s.windows(root.len()).any(|w| w == root.as_bytes())),
                "{root} is missing"
            );
        }
    }
}
