//! Records set up through the back office's forms, as staff add them: a
//! contact, a link to an account, a customer with branches, and signing in.

use poem::http::StatusCode;

use crate::{Browser, Page};

/// Posts the back office sign-in form with `email` and `password`.
pub async fn staff_sign_in(browser: &Browser<'_>, email: &str, password: &str) -> Page {
    browser
        .submit(
            "/admin/sign-in",
            "/admin/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
}

impl Browser<'_> {
    /// Saves the new-contact form with `fields` and returns the contact's
    /// record path (`/admin/contacts/<id>`).
    pub async fn create_contact(&self, fields: &[(&str, &str)]) -> String {
        let saved = self
            .submit("/admin/contacts/new", "/admin/contacts", fields)
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        saved.location().expect("the contact's record").to_owned()
    }

    /// Ana Peña (`ana@alfa.test`), the contact many back-office tests start
    /// from, saved through the form; returns her record path.
    pub async fn create_ana(&self) -> String {
        self.create_contact(&[
            ("first_name", "Ana"),
            ("last_name", "Peña"),
            ("email", "ana@alfa.test"),
        ])
        .await
    }

    /// The id of the first contact the contact list shows for the search `q`.
    pub async fn find_contact(&self, q: &str) -> String {
        let list = self.get(&format!("/admin/contacts?q={q}")).await;
        list.body
            .split("href=\"/admin/contacts/")
            .filter_map(|r| r.split('"').next())
            .find(|id| id.len() == 36)
            .unwrap_or_else(|| panic!("a contact found by {q}"))
            .to_owned()
    }

    /// Links the contact at `record` to the account `code` of `kind`
    /// (`customer` or `supplier`) through the record's form.
    pub async fn link_contact(&self, record: &str, kind: &str, code: &str) {
        let linked = self
            .submit(
                record,
                &format!("{record}/links"),
                &[("kind", kind), ("code", code)],
            )
            .await;
        assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    }

    /// Creates a customer with branches enabled and these `(code, name)`
    /// branches through the forms; returns its record path.
    pub async fn create_customer_with_branches(
        &self,
        code: &str,
        name: &str,
        branches: &[(&str, &str)],
    ) -> String {
        let page = self
            .submit(
                "/admin/customers/new",
                "/admin/customers",
                &[("code", code), ("name", name), ("branches_enabled", "on")],
            )
            .await;
        let customer = page.location().expect("customer").to_owned();
        for (code, name) in branches {
            let added = self
                .submit(
                    &customer,
                    &format!("{customer}/branches"),
                    &[("code", code), ("name", name)],
                )
                .await;
            assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        }
        customer
    }
}
