//! Customers' invoices and payments in the back office, on both backends: the
//! lists show what the ERP pushed (newest first, narrowed to one customer,
//! 25 a page), a document's page shows its lines, totals, remittance and
//! history, another company's documents are "not found", staff whose role may
//! not read sales are refused, the customer's record has Facturas and Cobros
//! tabs, and every page reads in Spanish and English without a raw message id.

use poem::http::StatusCode;
use portico_authz::{Action, Area, BackOffice};
use portico_domain::{
    AccountKind, StaffRole,
    sales::{ApplicationInput, LineInput},
};
use portico_tests::builders::{Company, invoice_input, payment_input};
use portico_tests::{Browser, TestApp, TestDb, backend_tests};

backend_tests!(
    the_lists_show_what_the_erp_pushed_newest_first,
    the_customer_filter_narrows_the_lists_to_one_customer,
    the_invoice_list_continues_past_twenty_five,
    an_invoice_shows_its_lines_totals_payments_and_history,
    a_payment_shows_the_invoices_it_paid,
    another_companys_documents_are_not_found,
    staff_whose_role_may_not_read_sales_are_refused,
    the_customer_record_has_invoices_and_payments_tabs,
    every_sales_page_reads_in_spanish_and_english,
);

/// A company with customers `C-1` (Farmacia Uno, branch `S1` Sucursal Norte)
/// and `C-2` (Farmacia Dos), a supplier, and its owner signed in.
async fn company(app: &TestApp) -> (Company<'_>, Browser<'_>) {
    let alfa = Company::new(app, "alfa").await;
    let uno = alfa
        .account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    alfa.branch(uno, "S1", "Sucursal Norte").await;
    alfa.account(AccountKind::Customer, "C-2", "Farmacia Dos")
        .await;
    alfa.account(AccountKind::Supplier, "P-1", "Laboratorios Andinos")
        .await;
    let owner = alfa.staff_session("owner@alfa.test").await;
    (alfa, owner)
}

/// The ids of the invoices (or payments) a page links to, in order.
fn links(body: &str, section: &str) -> Vec<String> {
    let needle = format!("href=\"/admin/{section}/");
    body.match_indices(&needle)
        .map(|(at, _)| body[at + needle.len()..].chars().take(36).collect())
        .collect()
}

/// The "next page" link of a list page, unescaped.
fn next_link(body: &str) -> Option<String> {
    let end = body.find("\" rel=\"next\"")?;
    let start = body[..end].rfind("href=\"")? + "href=\"".len();
    Some(body[start..end].replace("&amp;", "&"))
}

async fn the_lists_show_what_the_erp_pushed_newest_first(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, owner) = company(&app).await;
    let uno = alfa.account_id("C-1").await;
    let invoices = alfa
        .invoices(&[
            invoice_input(
                "FAC-OLD",
                "C-1",
                Some("S1"),
                "2026-01-10",
                "2026-02-10",
                "1000",
            ),
            invoice_input("FAC-NEW", "C-2", None, "2026-03-10", "2026-04-10", "500"),
        ])
        .await;
    let payments = alfa
        .payments(&[payment_input(
            "REC-1",
            "C-1",
            Some("S1"),
            "2026-01-20",
            "1000",
            &[("FAC-OLD", "1000")],
        )])
        .await;

    let list = owner.get("/admin/invoices").await;

    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        links(&list.body, "invoices"),
        [invoices[1].to_string(), invoices[0].to_string()],
        "newest first"
    );
    for text in [
        "FAC-NEW",
        "FAC-OLD",
        "Farmacia Uno",
        "Farmacia Dos",
        "Sucursal Norte",
        "Toda la cuenta",
        "10/01/2026",
        "10/02/2026",
        "1,000.00 DOP",
        "Pagada",
        "Vencida",
    ] {
        assert!(list.body.contains(text), "{text}: {}", list.body);
    }
    assert!(
        list.body
            .contains(&format!("href=\"/admin/customers/{uno}\"")),
        "the customer is linked"
    );
    assert!(list.body.contains("aria-current=\"page\">Facturas<"));

    let list = owner.get("/admin/payments").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(links(&list.body, "payments"), [payments[0].to_string()]);
    for text in ["REC-1", "Farmacia Uno", "Transferencia", "20/01/2026"] {
        assert!(list.body.contains(text), "{text}: {}", list.body);
    }
}

async fn the_customer_filter_narrows_the_lists_to_one_customer(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, owner) = company(&app).await;
    let uno = alfa.account_id("C-1").await;
    let dos = alfa.account_id("C-2").await;
    alfa.invoices(&[
        invoice_input("FAC-UNO", "C-1", None, "2026-01-10", "2026-02-10", "10"),
        invoice_input("FAC-DOS", "C-2", None, "2026-01-11", "2026-02-11", "20"),
    ])
    .await;
    alfa.payments(&[payment_input(
        "REC-UNO",
        "C-1",
        None,
        "2026-01-12",
        "10",
        &[],
    )])
    .await;

    let of_uno = owner.get(&format!("/admin/invoices?customer={uno}")).await;
    let of_dos = owner.get(&format!("/admin/payments?customer={dos}")).await;

    assert_eq!(of_uno.status, StatusCode::OK, "{}", of_uno.body);
    assert!(of_uno.body.contains("FAC-UNO"));
    assert!(!of_uno.body.contains("FAC-DOS"), "{}", of_uno.body);
    assert!(of_uno.body.contains("de Farmacia Uno"), "{}", of_uno.body);
    assert_eq!(of_dos.status, StatusCode::OK, "{}", of_dos.body);
    assert!(!of_dos.body.contains("REC-UNO"), "{}", of_dos.body);
    assert!(
        of_dos
            .body
            .contains("Este cliente todavía no tiene cobros."),
        "{}",
        of_dos.body
    );
    // A supplier, an unknown id and text that is no id at all.
    let supplier = alfa.account_id("P-1").await;
    let refused = owner
        .get(&format!("/admin/invoices?customer={supplier}"))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let unknown = owner
        .get("/admin/payments?customer=0190a5a0-0000-7000-8000-000000000000")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let garbage = owner.get("/admin/invoices?customer=not-an-id").await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
}

async fn the_invoice_list_continues_past_twenty_five(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, owner) = company(&app).await;
    let uno = alfa.account_id("C-1").await;
    // 30 invoices, one a day in January, the last two on the same day.
    let inputs: Vec<_> = (1..=30)
        .map(|n| {
            let day = n.min(29);
            invoice_input(
                &format!("FAC-{n:03}"),
                "C-1",
                None,
                &format!("2026-01-{day:02}"),
                "2026-03-01",
                "10",
            )
        })
        .collect();
    let ids = alfa.invoices(&inputs).await;

    let first = owner.get("/admin/invoices").await;
    let shown_first = links(&first.body, "invoices");
    let next = next_link(&first.body).expect("a next page");
    let second = owner.get(&next).await;
    let shown_second = links(&second.body, "invoices");

    assert_eq!(shown_first.len(), 25, "{}", first.body);
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(shown_second.len(), 5, "{}", second.body);
    assert!(next_link(&second.body).is_none(), "the last page");
    let mut all: Vec<String> = shown_first.into_iter().chain(shown_second).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 30, "every invoice once");
    assert!(second.body.contains("FAC-001"), "the oldest come last");
    assert!(!second.body.contains("FAC-030"));
    assert!(ids.iter().all(|id| all.contains(&id.to_string())));

    // The customer filter is kept from page to page.
    let filtered = owner.get(&format!("/admin/invoices?customer={uno}")).await;
    let next = next_link(&filtered.body).expect("a next page");
    assert!(next.contains(&format!("customer={uno}")), "{next}");
    assert_eq!(links(&owner.get(&next).await.body, "invoices").len(), 5);
}

async fn an_invoice_shows_its_lines_totals_payments_and_history(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, owner) = company(&app).await;
    let mut invoice = invoice_input(
        "B0100000123",
        "C-1",
        Some("S1"),
        "2026-02-01",
        "2027-03-03",
        "0",
    );
    invoice.lines = vec![
        LineInput {
            item_code: Some("MED-0315".into()),
            description: "Loratadina 10 mg, caja de 30".into(),
            quantity: "2".into(),
            unit_price: "385.75".into(),
            tax_rate: "18".into(),
        },
        LineInput {
            item_code: None,
            description: "Flete".into(),
            quantity: "1".into(),
            unit_price: "100".into(),
            tax_rate: "0".into(),
        },
    ];
    let ids = alfa.invoices(&[invoice]).await;
    let payments = alfa
        .payments(&[payment_input(
            "REC-7",
            "C-1",
            None,
            "2026-02-15",
            "500",
            &[("B0100000123", "500")],
        )])
        .await;
    let mut credit = invoice_input("NC-1", "C-1", Some("S1"), "2026-02-20", "2026-02-20", "50");
    credit.kind = "credit_note".into();
    credit.due_on = None;
    credit.applied_to = vec![ApplicationInput {
        invoice: "B0100000123".into(),
        amount: "50".into(),
    }];
    let notes = alfa.invoices(&[credit]).await;

    let page = owner.get(&format!("/admin/invoices/{}", ids[0])).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // 2 × 385.75 = 771.50 + 18 % (138.87) + 100.00 = 1,010.37; 550.00 applied.
    for text in [
        "Factura B0100000123",
        "Farmacia Uno",
        "Sucursal Norte",
        "MED-0315",
        "Loratadina 10 mg, caja de 30",
        "Flete",
        "385.75",
        "771.50",
        "18 %",
        "871.50 DOP",
        "138.87 DOP",
        "1,010.37 DOP",
        "460.37 DOP",
        "ERP-B0100000123",
        "REC-7",
        "NC-1",
        "500.00 DOP",
        "50.00 DOP",
        "Se registró la factura",
        "Pendiente",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(
        page.body
            .contains(&format!("href=\"/admin/payments/{}\"", payments[0]))
    );
    assert!(
        page.body
            .contains(&format!("href=\"/admin/invoices/{}\"", notes[0]))
    );

    let note = owner.get(&format!("/admin/invoices/{}", notes[0])).await;
    assert_eq!(note.status, StatusCode::OK, "{}", note.body);
    assert!(note.body.contains("Nota de crédito NC-1"), "{}", note.body);
    assert!(note.body.contains("Aplicada"), "{}", note.body);
    assert!(
        note.body
            .contains(&format!("href=\"/admin/invoices/{}\"", ids[0]))
    );
}

async fn a_payment_shows_the_invoices_it_paid(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, owner) = company(&app).await;
    let ids = alfa
        .invoices(&[
            invoice_input("FAC-A", "C-1", None, "2026-01-10", "2026-02-10", "300"),
            invoice_input(
                "FAC-B",
                "C-1",
                Some("S1"),
                "2026-01-11",
                "2026-02-11",
                "200",
            ),
        ])
        .await;
    let mut payment = payment_input(
        "REC-9",
        "C-1",
        None,
        "2026-01-25",
        "600",
        &[("FAC-A", "300"), ("FAC-B", "150")],
    );
    payment.method = "check".into();
    payment.reference = Some("CHQ-004512".into());
    let payments = alfa.payments(&[payment]).await;

    let page = owner.get(&format!("/admin/payments/{}", payments[0])).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "Cobro REC-9",
        "Farmacia Uno",
        "Cheque",
        "CHQ-004512",
        "600.00 DOP",
        "150.00 DOP",
        "300.00 DOP",
        "ERP-REC-9",
        "FAC-A",
        "FAC-B",
        "25/01/2026",
        "Se registró el cobro",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    for id in &ids {
        assert!(
            page.body
                .contains(&format!("href=\"/admin/invoices/{id}\"")),
            "{}",
            page.body
        );
    }
    // The history names each invoice paid and its amount.
    assert!(page.body.contains("FAC-A: 300"), "{}", page.body);
}

async fn another_companys_documents_are_not_found(db: TestDb) {
    let app = TestApp::new(db).await;
    let (_alfa, owner) = company(&app).await;
    let beta = Company::new(&app, "beta").await;
    beta.account(AccountKind::Customer, "C-1", "Cliente Beta")
        .await;
    let invoices = beta
        .invoices(&[invoice_input(
            "FAC-BETA",
            "C-1",
            None,
            "2026-01-10",
            "2026-02-10",
            "100",
        )])
        .await;
    let payments = beta
        .payments(&[payment_input(
            "REC-BETA",
            "C-1",
            None,
            "2026-01-11",
            "100",
            &[],
        )])
        .await;
    let beta_customer = beta.account_id("C-1").await;

    for path in [
        format!("/admin/invoices/{}", invoices[0]),
        format!("/admin/payments/{}", payments[0]),
        format!("/admin/invoices/{}", payments[0]),
        format!("/admin/payments/{}", invoices[0]),
        format!("/admin/invoices?customer={beta_customer}"),
        "/admin/invoices/not-an-id".to_owned(),
        "/admin/payments/0190a5a0-0000-7000-8000-000000000000".to_owned(),
    ] {
        let page = owner.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("BETA"), "{path}: {}", page.body);
    }
    assert!(!owner.get("/admin/invoices").await.body.contains("FAC-BETA"));
    assert!(!owner.get("/admin/payments").await.body.contains("REC-BETA"));
}

async fn staff_whose_role_may_not_read_sales_are_refused(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, _owner) = company(&app).await;
    let uno = alfa.account_id("C-1").await;
    let ids = alfa
        .invoices(&[invoice_input(
            "FAC-1",
            "C-1",
            None,
            "2026-01-10",
            "2026-02-10",
            "100",
        )])
        .await;
    let payments = alfa
        .payments(&[payment_input(
            "REC-1",
            "C-1",
            None,
            "2026-01-11",
            "100",
            &[],
        )])
        .await;
    let policy = BackOffice::shared().await.expect("the policy");

    for role in [
        StaffRole::Purchasing,
        StaffRole::ReadOnly,
        StaffRole::Sales,
        StaffRole::Admin,
    ] {
        let email = format!("{}@alfa.test", role.as_str());
        let staff = alfa.signed_in_staff(&email, role).await;
        let allowed = policy.allows(role, Area::Sales, Action::Read);
        let expected = if allowed {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        for path in [
            "/admin/invoices".to_owned(),
            "/admin/payments".to_owned(),
            format!("/admin/invoices/{}", ids[0]),
            format!("/admin/payments/{}", payments[0]),
        ] {
            let page = staff.get(&path).await;
            assert_eq!(page.status, expected, "{role:?} {path}");
            let shown = page.body.contains("FAC-1") || page.body.contains("REC-1");
            assert_eq!(shown, allowed, "{role:?} {path}");
        }
        let home = staff.get("/admin").await;
        assert_eq!(
            home.body.contains("href=\"/admin/invoices\""),
            allowed,
            "{role:?}: the Facturas link only for who may read sales"
        );
        let record = staff.get(&format!("/admin/customers/{uno}")).await;
        assert_eq!(
            record.body.contains("?tab=invoices"),
            allowed,
            "{role:?}: the Facturas tab"
        );
    }
}

async fn the_customer_record_has_invoices_and_payments_tabs(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, owner) = company(&app).await;
    let uno = alfa.account_id("C-1").await;
    let supplier = alfa.account_id("P-1").await;
    let inputs: Vec<_> = (1..=26)
        .map(|n| {
            invoice_input(
                &format!("FAC-{n:03}"),
                if n == 26 { "C-2" } else { "C-1" },
                None,
                &format!("2026-01-{:02}", n.min(28)),
                "2026-03-01",
                "10",
            )
        })
        .collect();
    alfa.invoices(&inputs).await;
    alfa.payments(&[payment_input(
        "REC-1",
        "C-1",
        Some("S1"),
        "2026-02-01",
        "10",
        &[("FAC-001", "10")],
    )])
    .await;
    let record = format!("/admin/customers/{uno}");

    let invoices = owner.get(&format!("{record}?tab=invoices")).await;
    let payments = owner.get(&format!("{record}?tab=payments")).await;

    assert_eq!(invoices.status, StatusCode::OK, "{}", invoices.body);
    assert_eq!(links(&invoices.body, "invoices").len(), 25);
    assert!(invoices.body.contains("FAC-025"));
    assert!(!invoices.body.contains("FAC-026"), "another customer's");
    assert!(
        invoices
            .body
            .contains(&format!("href=\"/admin/invoices?customer={uno}\"")),
        "{}",
        invoices.body
    );
    assert!(invoices.body.contains("aria-current=\"page\">Facturas<"));
    assert_eq!(payments.status, StatusCode::OK, "{}", payments.body);
    assert!(payments.body.contains("REC-1"));
    assert!(payments.body.contains("Sucursal Norte"));
    assert!(
        payments
            .body
            .contains(&format!("href=\"/admin/payments?customer={uno}\""))
    );
    // Suppliers have no such tabs; asking for one shows the details.
    let supplier_page = owner
        .get(&format!("/admin/suppliers/{supplier}?tab=invoices"))
        .await;
    assert_eq!(supplier_page.status, StatusCode::OK);
    assert!(!supplier_page.body.contains("?tab=invoices"));
    assert!(!supplier_page.body.contains("FAC-001"));
}

async fn every_sales_page_reads_in_spanish_and_english(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, owner) = company(&app).await;
    let uno = alfa.account_id("C-1").await;
    let ids = alfa
        .invoices(&[invoice_input(
            "FAC-1",
            "C-1",
            Some("S1"),
            "2026-01-10",
            "2026-02-10",
            "100",
        )])
        .await;
    let payments = alfa
        .payments(&[payment_input(
            "REC-1",
            "C-1",
            None,
            "2026-01-11",
            "150",
            &[("FAC-1", "100")],
        )])
        .await;
    let pages = [
        "/admin/invoices".to_owned(),
        "/admin/payments".to_owned(),
        format!("/admin/invoices?customer={uno}"),
        format!("/admin/payments?customer={uno}"),
        format!("/admin/invoices/{}", ids[0]),
        format!("/admin/payments/{}", payments[0]),
        format!("/admin/customers/{uno}?tab=invoices"),
        format!("/admin/customers/{uno}?tab=payments"),
    ];
    let empty = Company::new(&app, "vacia").await;
    let empty_owner = empty.staff_session("owner@vacia.test").await;

    for (lang, words) in [
        ("es", ["Ventas", "Compras", "Cobros", "Facturas"]),
        ("en", ["Sales", "Purchasing", "Payments", "Invoices"]),
    ] {
        owner.set_cookie("portico_lang", lang);
        empty_owner.set_cookie("portico_lang", lang);
        for path in &pages {
            let page = owner.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{lang} {path}");
            assert_readable(&page.body, &format!("{lang} {path}"));
            for word in words {
                assert!(page.body.contains(word), "{lang} {path}: {word}");
            }
        }
        for path in ["/admin/invoices", "/admin/payments"] {
            let page = empty_owner.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{lang} {path}");
            assert_readable(&page.body, &format!("{lang} empty {path}"));
            assert!(
                page.body.contains("ERP"),
                "the empty list says where documents come from"
            );
        }
    }
    let english = owner.get(&format!("/admin/invoices/{}", ids[0])).await;
    assert!(english.body.contains("Jan 10, 2026"), "{}", english.body);
    assert!(english.body.contains("The invoice was recorded"));
}

/// Fails when a page shows a message id or a Fluent error instead of text.
fn assert_readable(body: &str, at: &str) {
    assert!(!body.contains("Unknown localization key"), "{at}: {body}");
    for prefix in [
        "admin-sales-",
        "admin-invoices-",
        "admin-payments-",
        "admin-kind-",
        "nav-group-",
        "nav-invoices",
        "nav-payments",
        "customer-col-",
        "customer-kind-",
        "customer-status-",
        "customer-method-",
        "label-",
        "action-",
    ] {
        assert!(
            !body.contains(&format!(">{prefix}")),
            "{at}: {prefix}: {body}"
        );
    }
}
