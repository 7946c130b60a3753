//! The publisher's HTTPS client against a TLS server of our own on loopback: it speaks TLS with the
//! endpoint's name, and it refuses a certificate that no compiled-in root vouches for.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use aws_config::BehaviorVersion;
use aws_sdk_sns::config::{Credentials, Region};
use batch_notifier::adapters::aws::configure;
use batch_notifier::adapters::sns::SnsPublisher;
use batch_notifier::config::MessageFormat;
use batch_notifier::ports::publisher::Publisher;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A TLS server with a self-signed certificate for `localhost`; returns its port and the server
/// names the clients asked for in their handshakes.
fn start_self_signed_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let names = Arc::new(Mutex::new(Vec::new()));
    let seen = names.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut stream = rustls::StreamOwned::new(connection, tcp);
            // The client aborts the handshake once it has seen the certificate.
            let _ = stream.read(&mut [0; 1]);
            let name = stream.conn.server_name().unwrap_or("(none)").to_owned();
            seen.lock().unwrap().push(name);
        }
    });
    (port, names)
}

#[test]
fn an_untrusted_certificate_fails_the_publish_naming_the_certificate() {
    let (port, names) = start_self_signed_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime.block_on(async {
        let config = configure(aws_config::defaults(BehaviorVersion::latest()))
            .endpoint_url(format!("https://localhost:{port}"))
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .load()
            .await;
        let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&config));
        let event = common::example("batch-job-state-failed.json");
        let request = common::publish(&event, &common::settings(MessageFormat::Text));
        publisher.publish(&request).await.unwrap_err()
    });
    assert_eq!(error.code, None, "{error}");
    assert!(
        error.message.contains("could not reach SNS")
            && error.message.contains("invalid peer certificate"),
        "{error}"
    );
    let names = names.lock().unwrap();
    assert!(!names.is_empty(), "no handshake reached the server");
    assert!(names.iter().all(|n| n == "localhost"), "{names:?}");
}
