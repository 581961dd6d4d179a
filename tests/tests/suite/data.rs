//! The data layer on both backends: same schema, tenant transactions that only
//! ever see their own tenant's rows, constraints, and all-or-nothing provisioning.

use portico_data::{
    Actor, DataError, NewAuditEvent, NewStaffUser, NewTenant, TenantStatus, describe_schema,
};
use portico_domain::{AccountKind, Email, LinkFields, Locale, Slug, StaffRole};
use portico_tests::builders::SYSTEM;
use portico_tests::{TestApp, TestDb, backend_tests};
use serde_json::json;

fn staff(email: &str) -> NewStaffUser {
    NewStaffUser {
        email: Email::parse(email).unwrap(),
        name: "Ana Pérez".into(),
        role: StaffRole::Sales,
        password_hash: None,
        one_time_password: false,
        locale: None,
    }
}

#[tokio::test]
async fn both_backends_end_up_with_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    let Some(postgres) = TestDb::postgres().await else {
        return;
    };
    let sqlite_schema = describe_schema(&sqlite.db).await.unwrap();
    let postgres_schema = describe_schema(&postgres.db).await.unwrap();
    let names: Vec<&str> = sqlite_schema.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(
        names,
        [
            "accounts",
            "api_keys",
            "applications",
            "audit_events",
            "branches",
            "contact_categories",
            "contact_import_rows",
            "contact_imports",
            "contact_links",
            "contact_titles",
            "contacts",
            "document_counters",
            "document_versions",
            "documents",
            "goods_receipt_lines",
            "goods_receipts",
            "invoice_lines",
            "invoices",
            "item_prices",
            "items",
            "link_branches",
            "link_permissions",
            "link_roles",
            "mail_outbox",
            "payments",
            "platform_operators",
            "portal_default_roles",
            "portal_role_permissions",
            "portal_roles",
            "portal_tokens",
            "purchase_order_events",
            "purchase_order_lines",
            "purchase_orders",
            "sales_order_events",
            "sales_order_lines",
            "sales_orders",
            "service_request_comments",
            "service_request_files",
            "service_requests",
            "staff_tokens",
            "staff_users",
            "supplier_invoice_lines",
            "supplier_invoices",
            "tenants"
        ]
    );
    assert_eq!(sqlite_schema, postgres_schema);
}

async fn a_tenant_transaction_sees_only_its_own_tenants_rows(db: TestDb) {
    let app = TestApp::new(db).await;
    let a = app.company("alfa").await;
    let b = app.company("beta").await;
    let b_owner = {
        let mut tx = app.db.db.tenant_tx(&b).await.unwrap();
        let owner = tx
            .staff()
            .find_by_email(&Email::parse("owner@beta.test").unwrap())
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        owner
    };

    let mut tx = app.db.db.tenant_tx(&a).await.unwrap();
    assert!(
        tx.staff()
            .find_by_email(&Email::parse("owner@beta.test").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(tx.staff().find(b_owner.id).await.unwrap().is_none());
    let listed = tx.staff().list(None, 100).await.unwrap();
    assert_eq!(
        listed.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(),
        ["owner@alfa.test"]
    );
    assert!(
        !tx.staff().touch_sign_in(b_owner.id).await.unwrap(),
        "A must not write B's user"
    );
    assert!(
        tx.staff()
            .set_password(b_owner.id, "x", false, SYSTEM)
            .await
            .unwrap()
            .is_none(),
        "A must not write B's user"
    );
    assert!(
        tx.audit()
            .list(100)
            .await
            .unwrap()
            .iter()
            .all(|e| e.subject_id != Some(b.id().as_uuid()))
    );
    tx.commit().await.unwrap();

    let mut tx = app.db.db.tenant_tx(&b).await.unwrap();
    let unchanged = tx.staff().find(b_owner.id).await.unwrap().unwrap();
    assert_eq!(unchanged.password_hash, b_owner.password_hash);
    assert_eq!(unchanged.last_sign_in_at, None);
}

async fn staff_emails_are_unique_per_tenant_ignoring_case(db: TestDb) {
    let app = TestApp::new(db).await;
    let a = app.company("alfa").await;
    let b = app.company("beta").await;
    let mut tx = app.db.db.tenant_tx(&a).await.unwrap();
    tx.staff().create(&staff("ana@ejemplo.do")).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = app.db.db.tenant_tx(&a).await.unwrap();
    let duplicate = tx.staff().create(&staff("ANA@Ejemplo.do")).await;
    assert!(
        matches!(duplicate, Err(DataError::Conflict { .. })),
        "{duplicate:?}"
    );
    drop(tx);

    let mut tx = app.db.db.tenant_tx(&b).await.unwrap();
    tx.staff()
        .create(&staff("ana@ejemplo.do"))
        .await
        .expect("the same person may work for another company");
    tx.commit().await.unwrap();
}

async fn a_duplicate_slug_is_refused_and_leaves_nothing_behind(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let again = portico_data::provision_tenant(
        &app.db.db,
        &NewTenant {
            slug: Slug::parse("alfa").unwrap(),
            name: "Otra".into(),
            locale: Locale::En,
            currency: portico_domain::Currency::parse("USD").unwrap(),
            max_contacts: Some(10),
        },
        &staff("otra@ejemplo.do"),
        Actor::System,
    )
    .await;
    assert!(
        matches!(again, Err(DataError::Conflict { .. })),
        "{again:?}"
    );
    let mut tx = app.db.db.platform_tx().await.unwrap();
    let tenants = tx.list_tenants().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].name(), "Empresa alfa");
}

async fn a_transaction_dropped_without_commit_keeps_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let a = app.company("alfa").await;
    let mut tx = app.db.db.tenant_tx(&a).await.unwrap();
    tx.staff().create(&staff("ana@ejemplo.do")).await.unwrap();
    drop(tx);
    let mut platform = app.db.db.operator_tx().await.unwrap();
    platform
        .set_tenant_status(a.slug(), TenantStatus::Suspended)
        .await
        .unwrap();
    drop(platform);

    let mut tx = app.db.db.tenant_tx(&a).await.unwrap();
    assert!(
        tx.staff()
            .find_by_email(&Email::parse("ana@ejemplo.do").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    drop(tx);
    let mut platform = app.db.db.platform_tx().await.unwrap();
    let tenant = platform
        .find_tenant_by_slug(a.slug())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tenant.status(), TenantStatus::Active);
}

async fn tenant_status_and_audit_events_round_trip(db: TestDb) {
    let app = TestApp::new(db).await;
    let a = app.company("alfa").await;
    let mut tx = app.db.db.operator_tx().await.unwrap();
    let suspended = tx
        .set_tenant_status(a.slug(), TenantStatus::Suspended)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(suspended.status(), TenantStatus::Suspended);
    assert!(
        tx.set_tenant_status(&Slug::parse("nadie").unwrap(), TenantStatus::Active)
            .await
            .unwrap()
            .is_none()
    );
    let mut tx = tx.into_tenant(&suspended).await.unwrap();
    tx.audit().record(NewAuditEvent {
        actor: Actor::System,
        action: "tenant.suspend",
        subject_kind: "tenant",
        subject_id: Some(a.id().as_uuid()),
        related_id: None,
        changes: json!({ "before": { "status": "active" }, "after": { "status": "suspended" } }),
        request_id: Some("req-1"),
    })
    .await
    .unwrap();
    let events = tx.audit().list(10).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(events[0].action, "tenant.suspend");
    assert_eq!(events[0].changes["after"]["status"], "suspended");
    assert_eq!(events[0].request_id.as_deref(), Some("req-1"));
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["tenant.suspend", "staff.create", "tenant.create"]);
}

fn contact(first: &str, email: &str) -> portico_domain::ContactFields {
    portico_domain::ContactInput {
        first_name: first.into(),
        email: email.into(),
        ..Default::default()
    }
    .validate(Default::default())
    .unwrap()
}

async fn contacts_are_one_per_email_with_one_primary_per_account(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let rosa = tx
        .contacts()
        .create(&contact("Rosa", "rosa@carol.do"), SYSTEM)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A failed statement ends the command: PostgreSQL aborts the transaction.
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    // The database refuses a second contact with the same email, whatever its case.
    let mut upper = contact("Rosa E.", "rosa@carol.do");
    upper.email = Some(Email::parse("ROSA@CAROL.DO").unwrap());
    match tx.contacts().create(&upper, SYSTEM).await {
        Err(DataError::Invalid(errors)) => {
            assert_eq!(errors.get("email"), Some("field-email-taken"))
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    drop(tx);
    // The same email in another company is another person.
    let mut tx = app.db.db.tenant_tx(&beta).await.unwrap();
    tx.contacts()
        .create(&contact("Rosa", "rosa@carol.do"), SYSTEM)
        .await
        .unwrap();
    assert!(
        tx.contacts().find(rosa.id).await.unwrap().is_none(),
        "alfa's contact is invisible to beta"
    );
    tx.commit().await.unwrap();

    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let account = portico_domain::AccountInput {
        code: "C-1".into(),
        name: "Farmacia Carol".into(),
        ..Default::default()
    }
    .validate(AccountKind::Customer)
    .unwrap();
    let carol = tx
        .accounts()
        .create(AccountKind::Customer, &account, SYSTEM)
        .await
        .unwrap();
    let luis = tx
        .contacts()
        .create(&contact("Luis", ""), SYSTEM)
        .await
        .unwrap();
    let primary = LinkFields {
        position: None,
        is_primary: true,
    };
    tx.links()
        .create(rosa.id, carol.id, &primary, SYSTEM)
        .await
        .unwrap()
        .unwrap();
    tx.links()
        .create(luis.id, carol.id, &primary, SYSTEM)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    match tx.links().create(luis.id, carol.id, &primary, SYSTEM).await {
        Err(DataError::Invalid(errors)) => {
            assert_eq!(errors.get("account_id"), Some("link-exists"))
        }
        other => panic!("linking twice must fail, got {other:?}"),
    }
    drop(tx);
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let links = tx.links().of_contacts(&[rosa.id, luis.id]).await.unwrap();
    let primaries: Vec<_> = links
        .iter()
        .filter(|l| l.fields.is_primary)
        .map(|l| l.contact_id)
        .collect();
    assert_eq!(
        primaries,
        [luis.id],
        "the newest primary replaces the previous one"
    );
    let history = tx.audit().history(carol.id.as_uuid(), 10).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|e| e.action == "contact.link")
            .count(),
        2,
        "links show in the account's history"
    );
    tx.commit().await.unwrap();
}

async fn an_edit_records_only_what_changed(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let ana = tx
        .contacts()
        .create(&contact("Ana", "ana@x.do"), SYSTEM)
        .await
        .unwrap();
    let mut changed = ana.fields.clone();
    changed.phone = Some("809 555 0100".into());
    tx.contacts()
        .update(ana.id, &changed, SYSTEM)
        .await
        .unwrap()
        .unwrap();
    tx.contacts()
        .update(ana.id, &changed, SYSTEM)
        .await
        .unwrap()
        .unwrap();
    let history = tx.audit().history(ana.id.as_uuid(), 10).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["contact.update", "contact.create"],
        "a save without changes records nothing"
    );
    assert_eq!(
        history[0].changes,
        json!({ "phone": { "before": null, "after": "809 555 0100" } })
    );
    tx.commit().await.unwrap();
}

async fn the_contact_limit_and_archived_records_are_enforced(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = portico_data::provision_tenant(
        &app.db.db,
        &NewTenant {
            slug: Slug::parse("chica").unwrap(),
            name: "Chica".into(),
            locale: Locale::Es,
            currency: portico_domain::Currency::parse("DOP").unwrap(),
            max_contacts: Some(2),
        },
        &staff("owner@chica.test"),
        Actor::System,
    )
    .await
    .unwrap();
    let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
    let one = tx
        .contacts()
        .create(&contact("Uno", ""), SYSTEM)
        .await
        .unwrap();
    tx.contacts()
        .create(&contact("Dos", ""), SYSTEM)
        .await
        .unwrap();
    match tx.contacts().create(&contact("Tres", ""), SYSTEM).await {
        Err(DataError::Invalid(errors)) => {
            assert_eq!(errors.get("first_name"), Some("contact-limit-reached"))
        }
        other => panic!("the limit must hold, got {other:?}"),
    }
    let account = portico_domain::AccountInput {
        code: "C-1".into(),
        name: "Cerrada".into(),
        ..Default::default()
    }
    .validate(AccountKind::Customer)
    .unwrap();
    let closed = tx
        .accounts()
        .create(AccountKind::Customer, &account, SYSTEM)
        .await
        .unwrap();
    tx.accounts()
        .set_active(closed.id, false, SYSTEM)
        .await
        .unwrap();
    match tx
        .links()
        .create(one.id, closed.id, &LinkFields::default(), SYSTEM)
        .await
    {
        Err(DataError::Invalid(errors)) => {
            assert_eq!(errors.get("account_id"), Some("link-archived"))
        }
        other => panic!("an archived account takes no links, got {other:?}"),
    }
    tx.commit().await.unwrap();
}

async fn display_names_resolve_only_this_tenants_ids(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let mut tx = app.db.db.tenant_tx(&beta).await.unwrap();
    let beta_titles = tx
        .lists()
        .entries(portico_data::ContactList::Titles, 10)
        .await
        .unwrap();
    drop(tx);
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let titles = tx
        .lists()
        .entries(portico_data::ContactList::Titles, 10)
        .await
        .unwrap();
    let owner = tx.staff().list(None, 1).await.unwrap().remove(0);
    let ids = [titles[3].id, owner.id.as_uuid(), beta_titles[0].id];
    let names = tx.names().display(&ids).await.unwrap();
    assert_eq!(names.get(&titles[3].id).map(String::as_str), Some("Lic."));
    assert_eq!(names.get(&owner.id.as_uuid()), Some(&owner.name));
    assert!(
        !names.contains_key(&beta_titles[0].id),
        "another company's title is not named"
    );
}

backend_tests!(
    display_names_resolve_only_this_tenants_ids,
    the_contact_limit_and_archived_records_are_enforced,
    contacts_are_one_per_email_with_one_primary_per_account,
    an_edit_records_only_what_changed,
    a_tenant_transaction_sees_only_its_own_tenants_rows,
    staff_emails_are_unique_per_tenant_ignoring_case,
    a_duplicate_slug_is_refused_and_leaves_nothing_behind,
    a_transaction_dropped_without_commit_keeps_nothing,
    tenant_status_and_audit_events_round_trip,
);
