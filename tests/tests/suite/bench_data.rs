//! The benchmark suite's generator, permission benchmark and search benchmark
//! at a tiny size, on both backends, so none rots: the generated company is
//! what its plan says (contacts, links, portal access, roles, individual
//! grants, branch lists), a rerun reuses it, and the benchmarks run end to end
//! on it.

use std::collections::BTreeSet;

use portico_bench::{
    generate::{Spec, ensure_tenant},
    permissions::{Options, measure},
    report, search, search_report,
};
use portico_tests::{TestBackend, TestDb, backend_tests};

const CONTACTS: usize = 200;

async fn the_generator_writes_what_its_plan_says(t: TestDb) {
    let spec = Spec::new(CONTACTS).unwrap();
    let generated = ensure_tenant(&t.db, &spec, false).await.unwrap();
    assert!(generated.created);
    let plan = &generated.plan;
    assert_eq!(plan.accounts, 20);
    let mut tx = t.db.tenant_tx(&generated.tenant).await.unwrap();
    assert_eq!(
        tx.imports().contact_room().await.unwrap().0,
        CONTACTS as i64
    );

    let (mut with_portal, mut two_links, mut lists, mut individual, mut two_roles) =
        (0, 0, 0, 0, 0);
    let mut kinds = Vec::new();
    for i in 0..CONTACTS {
        let want = plan.contact(i);
        let links = tx.link_grants().of_contact(want.id).await.unwrap();
        assert!((1..=2).contains(&links.len()), "contact {i}: 1–2 links");
        let accounts: BTreeSet<_> = links.iter().map(|l| l.account_id).collect();
        let planned: BTreeSet<_> = want.links.iter().map(|l| l.account_id).collect();
        assert_eq!(accounts, planned, "contact {i}: its accounts");
        two_links += usize::from(links.len() == 2);

        let rows = tx.policy().contact_rows(want.id).await.unwrap().unwrap();
        assert_eq!(rows.customer_portal, want.customer_portal, "contact {i}");
        assert_eq!(rows.supplier_portal, want.supplier_portal, "contact {i}");
        with_portal += usize::from(want.has_portal());
        for link in &links {
            let planned = want
                .links
                .iter()
                .find(|l| l.account_id == link.account_id)
                .unwrap();
            if !kinds.contains(&link.portal) {
                kinds.push(link.portal);
            }
            let mut roles = link.role_ids.clone();
            roles.sort();
            let mut planned_roles = planned.role_ids.clone();
            planned_roles.sort();
            assert_eq!(roles, planned_roles, "contact {i}: roles");
            let permissions: Vec<String> = planned
                .permissions
                .iter()
                .map(|p| p.name().to_owned())
                .collect();
            assert_eq!(link.permissions, permissions, "contact {i}: permissions");
            let mut branches = link.branch_ids.clone();
            branches.sort();
            let planned_branches: Vec<_> = planned
                .branches
                .iter()
                .flatten()
                .map(|b| b.as_uuid())
                .collect();
            assert_eq!(branches, planned_branches, "contact {i}: branches");
            assert_eq!(link.all_branches, planned.branches.is_none());
            let on = want.portal_on(link.portal);
            assert!(
                !on || !link.role_ids.is_empty() || !link.permissions.is_empty(),
                "contact {i}: a link of a portal that is on grants something"
            );
            assert!(
                on || (link.role_ids.is_empty() && link.permissions.is_empty()),
                "contact {i}: no grants where the portal is off"
            );
            lists += usize::from(!link.all_branches);
            individual += usize::from(!link.permissions.is_empty());
            two_roles += usize::from(link.role_ids.len() == 2);
        }
    }
    tx.commit().await.unwrap();
    assert_eq!(kinds.len(), 2, "customers and suppliers");
    let share = with_portal as f64 / CONTACTS as f64;
    assert!((0.35..0.9).contains(&share), "portal share {share}");
    for (what, n) in [
        ("second links", two_links),
        ("branch lists", lists),
        ("individual grants", individual),
        ("two roles", two_roles),
    ] {
        assert!(n > 0, "no {what}");
    }

    // A rerun finds the company and does not write it again.
    let again = ensure_tenant(&t.db, &spec, false).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.tenant.id(), generated.tenant.id());
    assert_eq!(again.plan.contact(7).id, plan.contact(7).id);
    assert_eq!(
        again.plan.contact(7).links.len(),
        plan.contact(7).links.len()
    );
}

async fn the_permission_benchmark_runs_on_a_small_company(t: TestDb) {
    let spec = Spec::new(CONTACTS).unwrap();
    let generated = ensure_tenant(&t.db, &spec, false).await.unwrap();
    let options = Options {
        loads: 30,
        warmup: 5,
        checks: 500,
        memory_entries: 20,
        seed: 7,
    };
    let result = measure(&t.db, &generated, &options, false).await.unwrap();
    assert_eq!(result.contacts, CONTACTS);
    assert!(result.load_cold.n > 0 && result.build.n == result.load_cold.n);
    assert_eq!(result.check_allowed.n, 500);
    assert_eq!(result.check_denied.n, 500);
    assert!(result.lines.p.min >= 1 && result.lines.g.min >= 1 && result.lines.g2.min >= 1);
    // Per contact, never per company: at most two links of at most two roles
    // (≤ 6 permissions each) plus two individual grants.
    assert!(result.lines.p.max <= 2 * (2 * 6 + 2));
    assert!(result.lines.g.max <= 2 * 4);
    assert!(
        result.memory.is_none(),
        "the test binary counts no allocation"
    );
    let machine = report::Machine::detect("test".into(), "0".into());
    let md = report::markdown(&machine, &[result.clone(), result.clone()]);
    assert!(md.contains("| 200: mean | p50 | p99 |"));
    assert!(md.contains("Growth with the company"));
    assert!(report::terminal(&machine, &[result]).contains("200 contacts"));
}

async fn the_search_benchmark_runs_on_a_small_company(t: TestDb) {
    let generated = ensure_tenant(&t.db, &Spec::new(CONTACTS).unwrap(), false)
        .await
        .unwrap();
    let postgres = t.backend == TestBackend::Postgres;
    let owner = postgres.then_some(t.url.as_str());
    let options = search::Options {
        later_page: 2,
        samples: 10,
        budget: std::time::Duration::ZERO,
        plans: true,
    };

    let result = search::measure(&t.db, owner, &generated, &options)
        .await
        .unwrap();

    // Eight terms, each on the contacts and on an account list.
    assert_eq!(result.cases.len(), 16);
    assert!(result.cases.iter().all(|c| c.first.n == 10));
    let case = |label: &str, list: search::List| {
        result
            .cases
            .iter()
            .find(|c| c.term.label.contains(label) && c.list == list)
            .unwrap_or_else(|| panic!("no case {label} on {}", list.name()))
    };
    assert_eq!(case("exact email", search::List::Contacts).first_rows, 1);
    let everyone = case("domain", search::List::Contacts);
    assert_eq!(everyone.first_rows, 50);
    let (page, rows, _) = everyone.later.expect("a second page of everyone");
    assert_eq!((page, rows), (2, 50));
    assert_eq!(case("no match", search::List::Contacts).first_rows, 0);
    let code = result
        .cases
        .iter()
        .find(|c| c.term.label.contains("account code") && c.list != search::List::Contacts)
        .unwrap();
    assert_eq!(code.first_rows, 1, "the account of its own code");
    if postgres {
        assert_eq!(code.function_ids, Some(1));
        assert_eq!(result.plans.len(), 2 * result.cases.len());
    } else {
        assert!(result.plans.is_empty(), "no plans on SQLite");
    }

    let machine = report::Machine::detect("test".into(), "0".into());
    let md = search_report::markdown(&machine, &result, search_report::READING);
    assert!(md.contains("# Benchmark: contact and account search"));
    assert!(md.contains("| rare: an exact email"));
    assert!(search_report::terminal(&machine, &result).contains("200 contacts"));
}

backend_tests!(
    the_generator_writes_what_its_plan_says,
    the_permission_benchmark_runs_on_a_small_company,
    the_search_benchmark_runs_on_a_small_company,
);
