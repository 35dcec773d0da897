//! The delivery configuration: every problem names its field; secrets may come from the
//! environment and are never printed.

use followup::config::transports;
use followup::transport::{EmailTransport, SmsTransport};
use std::path::Path;

fn problem(toml: &str, env: &[(&str, &str)]) -> String {
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    transports("aftercare.toml", Some(toml), Path::new("/data"), &move |key| {
        env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    })
    .expect_err("a problem")
    .to_string()
}

#[test]
fn without_a_configuration_every_message_is_a_file_under_the_data_directory() {
    let t = transports("none", None, Path::new("/data"), &|_| None).unwrap();
    assert!(matches!(&t.email, EmailTransport::File(f) if f.dir() == Path::new("/data/outbox")));
    assert!(matches!(&t.sms, SmsTransport::File(f) if f.dir() == Path::new("/data/outbox")));
    assert_eq!(t.from, followup::config::DEFAULT_FROM);
}

#[test]
fn each_transport_can_be_chosen() {
    let t = transports(
        "f",
        Some("[email]\ntransport = \"console\"\n[sms]\ntransport = \"none\"\n"),
        Path::new("/d"),
        &|_| None,
    )
    .unwrap();
    assert!(matches!(t.email, EmailTransport::Console));
    assert!(!t.has_sms());
    let t = transports(
        "f",
        Some("[email]\ntransport = \"smtp\"\nhost = \"smtp.example.com\"\nsecurity = \"tls\"\n[sms]\ntransport = \"webhook\"\nurl = \"https://sms.example/send\"\n"),
        Path::new("/d"),
        &|k| (k == "AFTERCARE_SMS_SECRET").then(|| "0123456789abcdef-secret".to_owned()),
    )
    .unwrap();
    assert_eq!(t.email.to_string(), "SMTP to smtp.example.com:465 (Tls)");
    assert_eq!(t.sms.to_string(), "the webhook https://sms.example/send");
    assert!(!format!("{:?}", t.sms).contains("0123456789abcdef"), "the secret is never printed");
}

#[test]
fn problems_name_the_field() {
    assert!(problem("[email]\ntransport = \"pigeon\"\n", &[]).contains("email.transport: `pigeon` is not one of"));
    assert!(problem("[email]\ntransport = \"smtp\"\n", &[]).contains("email.host: is required"));
    assert!(
        problem("[email]\ntransport = \"smtp\"\nhost = \"h\"\nusername = \"u\"\n", &[])
            .contains("email.password: a user name is set but no password (set AFTERCARE_SMTP_PASSWORD)")
    );
    assert!(problem("[email]\nfrom = \"not an address\"\n", &[]).contains("email.from:"));
    assert!(problem("[email]\nhost = \"h\"\n", &[]).contains("for transport = \"smtp\""));
    assert!(problem("[sms]\ntransport = \"webhook\"\n", &[]).contains("sms.url: is required"));
    assert!(problem("[sms]\ntransport = \"webhook\"\nurl = \"ftp://x\"\n", &[]).contains("sms.url: must be"));
    assert!(problem("[sms]\ntransport = \"webhook\"\nurl = \"https://x\"\n", &[]).contains("AFTERCARE_SMS_SECRET"));
    assert!(
        problem("[sms]\ntransport = \"webhook\"\nurl = \"https://x\"\nsecret = \"short\"\n", &[])
            .contains("sms.secret: must be at least 16")
    );
    assert!(problem("[email]\nsecurity = \"maybe\"\n", &[]).starts_with("aftercare.toml: "));
    assert!(problem("[mail]\n", &[]).contains("mail"), "an unknown section is named");
}
