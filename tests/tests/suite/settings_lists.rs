//! The settings lists (contact titles and categories): an admin adds, renames,
//! archives and restores entries. An archived entry is no longer offered in
//! forms but stays on the contacts that have it; a name already in the list is
//! refused with a translated error and nothing changes; every change is audited.

use poem::http::StatusCode;
use portico_data::{ContactList, ListEntry, Tenant};
use portico_domain::StaffRole;
use portico_tests::{Browser, TestApp, TestDb, backend_tests};

async fn entries(app: &TestApp, tenant: &Tenant, list: ContactList) -> Vec<ListEntry> {
    let mut tx = app.db.db.tenant_tx(tenant).await.expect("tx");
    let entries = tx.lists().entries(list, 100).await.expect("entries");
    tx.commit().await.expect("commit");
    entries
}

async fn entry(app: &TestApp, tenant: &Tenant, list: ContactList, name: &str) -> ListEntry {
    entries(app, tenant, list)
        .await
        .into_iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} is in the list"))
}

async fn post(browser: &Browser<'_>, action: &str, form: &[(&str, &str)]) -> portico_tests::Page {
    browser.submit("/admin/settings", action, form).await
}

/// A contact with a category, created through the form; its record's path.
async fn contact_with_category(owner: &Browser<'_>, category: &str) -> String {
    let saved = owner
        .submit(
            "/admin/contacts/new",
            "/admin/contacts",
            &[
                ("first_name", "Marisol"),
                ("last_name", "Vargas"),
                ("category_id", category),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    saved.location().expect("the record").to_owned()
}

async fn an_entry_is_renamed_archived_and_restored(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let added = post(&owner, "/admin/settings/categories", &[("name", "Compras")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let compras = entry(&app, &tenant, ContactList::Categories, "Compras").await;
    let record = contact_with_category(&owner, &compras.id.to_string()).await;

    // Renamed: the contact shows the new name.
    let renamed = post(
        &owner,
        &format!("/admin/settings/categories/{}", compras.id),
        &[("name", "Abastecimiento")],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    assert!(owner.get(&record).await.body.contains("Abastecimiento"));

    // Archived: no longer offered to a new contact, still on this one and kept
    // by its edit form.
    let archived = post(
        &owner,
        &format!("/admin/settings/categories/{}/archive", compras.id),
        &[],
    )
    .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    assert!(
        entry(&app, &tenant, ContactList::Categories, "Abastecimiento")
            .await
            .archived
    );
    let value = format!("value=\"{}\"", compras.id);
    assert!(!owner.get("/admin/contacts/new").await.body.contains(&value));
    assert!(owner.get(&record).await.body.contains("Abastecimiento"));
    let edit = owner.get(&format!("{record}/edit")).await;
    assert!(
        edit.body.contains(&value),
        "the edit form keeps the contact's own entry"
    );
    let settings = owner.get("/admin/settings").await;
    assert!(settings.body.contains("Archivado"));

    // Restored: offered again.
    let restored = post(
        &owner,
        &format!("/admin/settings/categories/{}/restore", compras.id),
        &[],
    )
    .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert!(owner.get("/admin/contacts/new").await.body.contains(&value));

    // Each change is in the audit log, and the home page names it.
    let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
    let actions: Vec<String> = tx
        .audit()
        .list(20)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    tx.commit().await.expect("commit");
    for action in [
        "contact_category.update",
        "contact_category.archive",
        "contact_category.restore",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    let home = owner.get("/admin").await;
    assert!(
        home.body.contains("Renombró una categoría"),
        "{}",
        home.body
    );
    assert!(home.body.contains("Archivó una categoría"));
}

async fn a_name_already_in_the_list_is_refused_in_the_readers_language(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let sr = entry(&app, &tenant, ContactList::Titles, "Sr.").await;

    let renamed = post(
        &owner,
        &format!("/admin/settings/titles/{}", sr.id),
        &[("name", "dra.")],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        renamed.body.contains("Ese nombre ya existe en la lista."),
        "{}",
        renamed.body
    );
    assert_eq!(
        entry(&app, &tenant, ContactList::Titles, "Sr.").await.id,
        sr.id
    );

    owner.set_cookie("portico_lang", "en");
    let added = post(&owner, "/admin/settings/titles", &[("name", "LIC.")]).await;
    assert_eq!(added.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        added.body.contains("That name is already in the list."),
        "{}",
        added.body
    );
    let empty = post(
        &owner,
        &format!("/admin/settings/titles/{}", sr.id),
        &[("name", "  ")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(entries(&app, &tenant, ContactList::Titles).await.len(), 7);
}

async fn only_admins_change_the_lists_and_another_companys_entry_is_not_found(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    app.company("beta").await;
    app.staff(&alfa, "ventas@alfa.test", StaffRole::Sales).await;
    let sales = app.signed_in("alfa", "ventas@alfa.test").await;
    let sr = entry(&app, &alfa, ContactList::Titles, "Sr.").await;
    let token = sales.get("/admin").await.csrf();
    let refused = sales
        .post(
            &format!("/admin/settings/titles/{}", sr.id),
            &[("_csrf", &token), ("name", "Señor")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let beta = app.signed_in("beta", "owner@beta.test").await;
    let token = beta.get("/admin/settings").await.csrf();
    let foreign = beta
        .post(
            &format!("/admin/settings/titles/{}/archive", sr.id),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert!(
        !entry(&app, &alfa, ContactList::Titles, "Sr.")
            .await
            .archived
    );
}

backend_tests!(
    an_entry_is_renamed_archived_and_restored,
    a_name_already_in_the_list_is_refused_in_the_readers_language,
    only_admins_change_the_lists_and_another_companys_entry_is_not_found,
);
