//! Staff users for owners and admins: the list (keyset pages), adding a user
//! (with a one-time password shown once, which the user replaces at its first
//! sign-in), giving a user a new one-time password (ending its sessions), and
//! changing a user's role or disabling them. Only owners touch the owner role,
//! nobody changes their own access, and the company always keeps an active owner.

use poem::{
    IntoResponse, Response, get, handler,
    http::StatusCode,
    post,
    session::Session,
    web::{Form, Path, Query, Redirect},
};
use portico_auth::{hash_password, temporary_password};
use portico_authz::{Action, Area};
use portico_data::{DataError, NameCursor, NewStaffUser, StaffCursor, StaffStatus, StaffUserId};
use portico_domain::{
    Email, FieldErrors, StaffRole,
    fields::{Checker, limits},
};
use portico_web::{AppError, Ui, page::set_flash};
use portico_web::{ByMethod, Routes};
use serde::Deserialize;
use serde_json::json;

use crate::{
    SignedInStaff,
    paging::{PAGE, cursor, next_link},
};

/// Where a one-time password waits for the page that shows it once: the
/// user's email, the password, and the message id of the box's heading.
const NEW_PASSWORD: &str = "new_staff_password";
const ROLES: [StaffRole; 5] = [
    StaffRole::Owner,
    StaffRole::Admin,
    StaffRole::Sales,
    StaffRole::Purchasing,
    StaffRole::ReadOnly,
];

pub(crate) fn routes() -> Routes {
    Routes::new()
        .at(
            "/",
            ByMethod::get(portico_web::Access::staff(Area::Staff, Action::Read))
                .post(portico_web::Access::staff(Area::Staff, Action::Write)),
            get(list).post(create),
        )
        .at(
            "/:id",
            portico_web::Access::staff(Area::Staff, Action::Write),
            post(update),
        )
        .at(
            "/:id/password",
            portico_web::Access::staff(Area::Staff, Action::Write),
            post(give_password),
        )
}

/// Where the staff list continues: the last row of the previous page.
#[derive(Deserialize, Default)]
struct StaffPage {
    after_name: Option<String>,
    after_id: Option<String>,
}

#[derive(Deserialize, serde::Serialize, Default)]
#[serde(default)]
struct NewUser {
    name: String,
    email: String,
    role: String,
}

/// The roles `me` may give: owners any, admins any but owner.
fn grantable(me: StaffRole) -> Vec<StaffRole> {
    ROLES
        .into_iter()
        .filter(|r| me == StaffRole::Owner || *r != StaffRole::Owner)
        .collect()
}

async fn render(
    ui: &Ui,
    staff: &SignedInStaff,
    page: &StaffPage,
    form: (&NewUser, &FieldErrors),
    created: Option<(String, String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Staff, Action::Read).await?;
    let after =
        cursor(page.after_name.as_deref(), page.after_id.as_deref())?.map(|c| StaffCursor {
            name: c.name,
            id: c.id.into(),
        });
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut users = tx.staff().list(after.as_ref(), PAGE + 1).await?;
    tx.commit().await?;
    let next = next_link(&mut users, "/admin/staff", &[], |u| NameCursor {
        name: u.name.clone(),
        id: u.id.as_uuid(),
    });
    let may_write = staff.may(Area::Staff, Action::Write).await?;
    let me = staff.user.role;
    let never = ui.lang.t("admin-staff-never");
    let rows: Vec<_> = users
        .iter()
        .map(|u| {
            let editable = may_write
                && u.id != staff.user.id
                && (me == StaffRole::Owner || u.role != StaffRole::Owner);
            json!({
                "id": u.id.to_string(),
                "name": u.name,
                "email": u.email,
                "role": u.role.as_str(),
                "role_label": ui.lang.t(&format!("role-{}", u.role)),
                "active": u.status == StaffStatus::Active,
                "editable": editable,
                "last_sign_in": u.last_sign_in_at.map_or(never.clone(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
            })
        })
        .collect();
    let roles: Vec<_> = grantable(me)
        .into_iter()
        .map(|r| json!({ "value": r.as_str(), "label": ui.lang.t(&format!("role-{r}")) }))
        .collect();
    let (input, errors) = form;
    let mut ctx = staff.page(ui, "staff").await?;
    ctx.insert("users", &rows);
    ctx.insert("next", &next);
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert("may_write", &may_write);
    ctx.insert("roles", &roles);
    ctx.insert("form", input);
    ctx.insert(
        "errors",
        &json!({
            "name": errors.get("name").map(|id| ui.lang.t(id)),
            "email": errors.get("email").map(|id| ui.lang.t(id)),
        }),
    );
    ctx.insert(
        "created",
        &created.map(|(email, password, heading)| {
            json!({ "email": email, "password": password, "heading": ui.lang.t(&heading) })
        }),
    );
    Ok(ui
        .render("admin/staff.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
async fn list(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Query(page): Query<StaffPage>,
) -> Result<Response, AppError> {
    let created = session.get::<(String, String, String)>(NEW_PASSWORD);
    if created.is_some() {
        session.remove(NEW_PASSWORD);
    }
    let none = (&NewUser::default(), &FieldErrors::default());
    render(&ui, &staff, &page, none, created, StatusCode::OK).await
}

#[handler]
async fn create(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<NewUser>,
) -> Result<Response, AppError> {
    staff.require(Area::Staff, Action::Write).await?;
    let role: StaffRole = form
        .role
        .parse()
        .ok()
        .filter(|r| grantable(staff.user.role).contains(r))
        .ok_or(AppError::Forbidden)?;
    let mut check = Checker::default();
    let name = check.required("name", &form.name, limits::TEXT);
    let email = Email::parse(&form.email).ok();
    if email.is_none() {
        check.errors.add("email", "field-email-invalid");
    }
    let errors = check.errors;
    let page = StaffPage::default();
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return render(
            &ui,
            &staff,
            &page,
            (&form, &errors),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let password = temporary_password();
    let new = NewStaffUser {
        email,
        name,
        role,
        password_hash: Some(hash_password(&password).await.map_err(AppError::internal)?),
        one_time_password: true,
        locale: None,
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    match tx.staff().add(&new, staff.by(&ui)).await {
        Ok(user) => {
            tx.commit().await?;
            session.set(NEW_PASSWORD, (user.email, password, "staff-created"));
            Ok(Redirect::see_other("/admin/staff").into_response())
        }
        Err(DataError::Invalid(errors)) => {
            drop(tx);
            render(
                &ui,
                &staff,
                &page,
                (&form, &errors),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct Access {
    #[serde(default)]
    role: String,
    active: Option<String>,
}

#[handler]
async fn update(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<Access>,
) -> Result<Response, AppError> {
    staff.require(Area::Staff, Action::Write).await?;
    let id: StaffUserId = id.parse().map_err(|_| AppError::NotFound)?;
    if id == staff.user.id {
        return Err(AppError::BadRequest("staff-not-yourself"));
    }
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let target = tx.staff().find(id).await?.ok_or(AppError::NotFound)?;
    let role: StaffRole = form
        .role
        .parse()
        .ok()
        .filter(|r| grantable(staff.user.role).contains(r))
        .ok_or(AppError::Forbidden)?;
    let status = if form.active.is_some_and(|v| !v.is_empty() && v != "false") {
        StaffStatus::Active
    } else {
        StaffStatus::Disabled
    };
    if target.role == StaffRole::Owner && staff.user.role != StaffRole::Owner {
        return Err(AppError::Forbidden);
    }
    tx.staff()
        .update_access(id, role, status, staff.by(&ui))
        .await?;
    if tx.staff().count_active_owners().await? == 0 {
        return Err(AppError::BadRequest("staff-last-owner"));
    }
    tx.commit().await?;
    set_flash(session, "staff-saved");
    Ok(Redirect::see_other("/admin/staff").into_response())
}

/// Gives another user a new one-time password (shown once): the user's
/// sessions end, and at its next sign-in it chooses its own password.
#[handler]
async fn give_password(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Area::Staff, Action::Write).await?;
    let id: StaffUserId = id.parse().map_err(|_| AppError::NotFound)?;
    if id == staff.user.id {
        return Err(AppError::BadRequest("staff-not-yourself"));
    }
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let target = tx.staff().find(id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    if target.role == StaffRole::Owner && staff.user.role != StaffRole::Owner {
        return Err(AppError::Forbidden);
    }
    let password = temporary_password();
    let hashed = hash_password(&password).await.map_err(AppError::internal)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    tx.staff()
        .set_password(id, &hashed, true, staff.by(&ui))
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    session.set(
        NEW_PASSWORD,
        (target.email, password, "staff-password-given"),
    );
    Ok(Redirect::see_other("/admin/staff").into_response())
}
