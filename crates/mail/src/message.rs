//! An outbox row as an RFC 5322 message.

use std::time::SystemTime;

use lettre::{
    Address, Message,
    message::{
        Mailbox, MultiPart,
        header::{self, ContentType},
    },
};
use portico_data::OutboxMail;

/// Builds the message for `mail`, sent by `from`. Its Message-ID comes from the
/// mail's id, so every attempt sends the same message; its Date is when the mail
/// was written. Line breaks and other control characters in the subject and the
/// recipient's name become spaces (no header can be smuggled in).
pub fn build_message(from: &Mailbox, mail: &OutboxMail) -> Result<Message, String> {
    let address: Address = mail
        .to_address
        .parse()
        .map_err(|e| format!("the recipient address is not usable: {e}"))?;
    let name = mail
        .to_name
        .as_deref()
        .map(one_line)
        .filter(|n| !n.is_empty());
    let builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(name, address))
        .subject(one_line(&mail.subject))
        .message_id(Some(format!("<{}@{}>", mail.id, from.email.domain())))
        .date(SystemTime::from(mail.created_at));
    let built = match &mail.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            mail.body_text.clone(),
            html.clone(),
        )),
        // A plain body rather than a single MIME part, which would end in an
        // extra blank line.
        None => builder
            .header(header::MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body_text.clone()),
    };
    built.map_err(|e| format!("the message cannot be built: {e}"))
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use mail_parser::MessageParser;
    use portico_data::{MailId, TenantId};

    use super::*;

    fn mail(body_html: Option<&str>) -> OutboxMail {
        OutboxMail {
            id: MailId::generate(),
            to_address: "jose.nunez@example.do".into(),
            to_name: Some("José Núñez\r\nBcc: evil@example.com".into()),
            subject: "Invitación al portal: ¡bienvenido, señor Peña!\nBcc: evil@example.com".into(),
            body_text: "Hola José,\n\nsu acceso está listo. Contraseña: ñandú.\n".into(),
            body_html: body_html.map(str::to_owned),
            created_at: Utc::now(),
            attempts: 0,
            next_attempt_at: Some(Utc::now()),
            sent_at: None,
            last_error: None,
            tenant_id: TenantId::generate(),
        }
    }

    #[test]
    fn text_and_html_make_a_multipart_alternative_with_utf8_intact() {
        let from: Mailbox = "Distribuidora Caribe <no-reply@example.do>"
            .parse()
            .unwrap();
        let mail = mail(Some("<p>Hola <b>José</b>, su acceso está listo.</p>"));
        let bytes = build_message(&from, &mail).unwrap().formatted();
        let raw = String::from_utf8_lossy(&bytes);
        assert!(!raw.contains("\nBcc:"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        let parsed = MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(
            parsed.subject(),
            Some("Invitación al portal: ¡bienvenido, señor Peña! Bcc: evil@example.com")
        );
        let to = parsed.to().unwrap().first().unwrap();
        assert_eq!(to.address(), Some("jose.nunez@example.do"));
        assert_eq!(to.name(), Some("José Núñez  Bcc: evil@example.com"));
        // Mail lines end in CRLF.
        assert_eq!(
            parsed.body_text(0).unwrap().replace("\r\n", "\n"),
            "Hola José,\n\nsu acceso está listo. Contraseña: ñandú.\n"
        );
        assert!(parsed.body_html(0).unwrap().contains("<b>José</b>"));
        assert_eq!(
            parsed.message_id(),
            Some(format!("{}@example.do", mail.id).as_str())
        );
        assert!(parsed.bcc().is_none());
    }

    #[test]
    fn text_alone_is_a_single_part() {
        let from: Mailbox = "Portico <no-reply@localhost>".parse().unwrap();
        let bytes = build_message(&from, &mail(None)).unwrap().formatted();
        assert!(!String::from_utf8_lossy(&bytes).contains("multipart"));
        let parsed = MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(
            parsed.body_text(0).unwrap().replace("\r\n", "\n"),
            "Hola José,\n\nsu acceso está listo. Contraseña: ñandú.\n"
        );
        assert!(String::from_utf8_lossy(&bytes).contains("MIME-Version: 1.0"));
    }

    #[test]
    fn an_unusable_address_is_an_error() {
        let from: Mailbox = "Portico <no-reply@localhost>".parse().unwrap();
        let mut bad = mail(None);
        bad.to_address = "not an address".into();
        assert!(build_message(&from, &bad).is_err());
    }
}
