//! Contact and account search on a company of a few thousand contacts, past
//! the number of matches the trigram index collects (on PostgreSQL a rare term
//! is answered from the index through a function that reads only the
//! transaction's company; a common one walks the list's order): every kind of
//! term finds exactly what it should, in order, page after page, and never
//! another company's records.

use std::collections::BTreeSet;

use portico_bench::generate::{Spec, ensure_tenant};
use portico_data::{AccountFilter, Contact, ContactFilter, ContactId, TenantTx};
use portico_domain::{AccountFields, AccountKind, ContactFields, Email, LinkFields};
use portico_tests::builders::SYSTEM;
use portico_tests::{TestApp, TestDb, backend_tests};

/// More contacts than a common term's matches the index collects (2,000), and
/// more links (one or two each) than the contacts of matching accounts the
/// list collects as a set (5,000).
const CONTACTS: usize = 4_000;

/// Every page of a contact search, 200 at a time.
async fn search(tx: &mut TenantTx, term: &str) -> Vec<Contact> {
    let filter = ContactFilter {
        search: Some(term.to_owned()),
        ..Default::default()
    };
    let mut found: Vec<Contact> = Vec::new();
    loop {
        let after = found.last().map(Contact::cursor);
        let page = tx
            .contacts()
            .list(&filter, after.as_ref(), 200)
            .await
            .expect("search");
        let more = page.len() == 200;
        found.extend(page);
        if !more {
            return found;
        }
    }
}

fn ids(contacts: &[Contact]) -> Vec<ContactId> {
    contacts.iter().map(|c| c.id).collect()
}

async fn every_kind_of_term_finds_exactly_its_matches_in_order(t: TestDb) {
    let app = TestApp::new(t).await;
    let t = &app.db;
    let generated = ensure_tenant(&t.db, &Spec::new(CONTACTS).unwrap(), false)
        .await
        .unwrap();
    let (alfa, plan) = (&generated.tenant, &generated.plan);
    let mut tx = t.db.tenant_tx(alfa).await.unwrap();

    // A common term (every generated address): all contacts, in the list's order.
    let everyone = search(&mut tx, "correo.do").await;
    assert_eq!(everyone.len(), CONTACTS);
    let mut all = Vec::new();
    loop {
        let after = all.last().map(Contact::cursor);
        let page = tx
            .contacts()
            .list(&ContactFilter::default(), after.as_ref(), 500)
            .await
            .unwrap();
        let more = page.len() == 500;
        all.extend(page);
        if !more {
            break;
        }
    }
    assert_eq!(
        ids(&everyone),
        ids(&all),
        "the same contacts in the same order"
    );

    // A rare term: one exact address.
    let one = tx
        .contacts()
        .find(plan.contact(1234).id)
        .await
        .unwrap()
        .unwrap();
    let email = one.fields.email.clone().unwrap();
    let found = search(&mut tx, email.as_str()).await;
    assert_eq!(ids(&found), [one.id]);
    // Typed in capitals and with accents folded, it is the same search.
    let found = search(&mut tx, &email.as_str().to_uppercase()).await;
    assert_eq!(ids(&found), [one.id]);

    // An account's code finds the contacts linked to it, and only them.
    let account = plan.contact(1234).links[0].account_id;
    let code = tx
        .accounts()
        .find(account)
        .await
        .unwrap()
        .unwrap()
        .fields
        .code;
    let linked: BTreeSet<ContactId> = (0..CONTACTS)
        .map(|i| plan.contact(i))
        .filter(|c| c.links.iter().any(|l| l.account_id == account))
        .map(|c| c.id)
        .collect();
    let found: BTreeSet<ContactId> = search(&mut tx, &code).await.iter().map(|c| c.id).collect();
    assert!(found.contains(&one.id));
    assert_eq!(found, linked);

    // A first name: some hundred people, sorted by name.
    let named = search(&mut tx, &one.fields.first_name.clone().unwrap()).await;
    assert!(
        named.len() > 10 && named.len() < CONTACTS,
        "{}",
        named.len()
    );
    let names: Vec<String> = named
        .iter()
        .map(|c| portico_domain::fold(&c.display_name))
        .collect();
    assert!(names.is_sorted(), "in the list's order");

    // A common term that also names an account: its contacts are found
    // through the account even where their own text does not match.
    let post = tx
        .accounts()
        .create(
            AccountKind::Customer,
            &AccountFields {
                code: "CORREO-1".into(),
                name: "Servicios correo.do".into(),
                ..Default::default()
            },
            SYSTEM,
        )
        .await
        .unwrap()
        .id;
    let quiet = ContactFields {
        first_name: Some("Zoe".into()),
        last_name: Some("Quiroz".into()),
        ..Default::default()
    };
    let quiet = tx.contacts().create(&quiet, SYSTEM).await.unwrap().id;
    tx.links()
        .create(quiet, post, &LinkFields::default(), SYSTEM)
        .await
        .unwrap()
        .unwrap();
    let with_quiet = search(&mut tx, "correo.do").await;
    assert_eq!(with_quiet.len(), CONTACTS + 1);
    assert!(ids(&with_quiet).contains(&quiet));
    let names: Vec<String> = with_quiet
        .iter()
        .map(|c| portico_domain::fold(&c.display_name))
        .collect();
    assert!(names.is_sorted(), "in the list's order");
    // A term only accounts hold, linked to more contacts than the list
    // collects as a set (every generated account's address): every contact
    // linked to an account, tested row by row.
    let links: usize = (0..CONTACTS).map(|i| plan.contact(i).links.len()).sum();
    assert!(links > portico_data::LINKED_CAP as usize, "{links} links");
    let through_accounts = search(&mut tx, "empresa").await;
    assert_eq!(through_accounts.len(), CONTACTS);
    assert!(!ids(&through_accounts).contains(&quiet));

    // Nothing matches: an empty page, not an error.
    assert!(search(&mut tx, "zzzqqq").await.is_empty());

    // Accounts: a code is rare, the trade words common. The list is of the
    // account's own kind (a contact's first link may be to a supplier).
    let kind = plan.contact(1234).links[0].kind;
    let filter = |search: &str| AccountFilter {
        kind,
        search: Some(search.to_owned()),
        archived: false,
    };
    let accounts = tx.accounts().list(&filter(&code), None, 50).await.unwrap();
    assert_eq!(accounts.iter().map(|a| a.id).collect::<Vec<_>>(), [account]);
    let everyone = tx.accounts().list(&filter("s"), None, 50).await.unwrap();
    assert_eq!(everyone.len(), 50);
    tx.commit().await.unwrap();

    // Another company with a contact of the very same address and name.
    let beta = app.company("beta").await;
    let mut tx = t.db.tenant_tx(&beta).await.unwrap();
    let twin = ContactFields {
        first_name: one.fields.first_name.clone(),
        last_name: one.fields.last_name.clone(),
        email: Some(Email::parse(email.as_str()).unwrap()),
        ..Default::default()
    };
    let twin = tx.contacts().create(&twin, SYSTEM).await.unwrap().id;
    assert_eq!(ids(&search(&mut tx, email.as_str()).await), [twin]);
    assert_eq!(ids(&search(&mut tx, "correo.do").await), [twin]);
    tx.commit().await.unwrap();
    let mut tx = t.db.tenant_tx(alfa).await.unwrap();
    assert_eq!(ids(&search(&mut tx, email.as_str()).await), [one.id]);
    tx.commit().await.unwrap();
}

backend_tests!(every_kind_of_term_finds_exactly_its_matches_in_order);
