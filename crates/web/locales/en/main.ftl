# Common
skip-to-content = Skip to content
sign-in = Sign in
sign-out = Sign out
email = Email
password = Password
nav-home = Home
status-active = Active
status-suspended = Suspended
pagination = Pagination
pagination-first = First page
pagination-next = Next page

# Errors
error-reference = Reference
error-go-home = Go to the home page
error-not-found = Page not found
error-not-found-detail = The page you are looking for does not exist or you have no access to it.
error-tenant-not-found = Company not found
error-tenant-not-found-detail = There is no active company at this address. Check the link or ask your administrator.
error-unauthorized = Please sign in
error-unauthorized-detail = You need to sign in to continue.
error-forbidden = Access denied
error-forbidden-detail = You do not have permission to do this.
error-csrf = The form expired
error-csrf-detail = Reload the page and try again.
error-too-many = Too many attempts
error-too-many-detail = Wait a few minutes before trying again.
error-bad-request = Invalid request
error-bad-request-detail = The submitted data is not valid.
error-method = Method not allowed
error-method-detail = This address does not accept that operation.
error-internal = Something went wrong
error-internal-detail = An unexpected error occurred. Try again; if it persists, share the reference with support.

# Sign-in
sign-in-failed = Wrong email or password.
sign-in-locked = Too many failed attempts. Try again in { $minutes } minutes.
sign-in-email-invalid = Enter a valid email address.
sign-in-password-missing = Enter your password.
signed-out = You signed out.

# Back office
admin-app-name = Back office
admin-sign-in-title = { $company } back office
admin-home-title = Home
admin-welcome = Welcome, { $name }.
admin-nav-staff = Users
admin-home-company = Company
admin-home-role = Your role
admin-home-recent = Recent activity
admin-home-no-activity = No activity recorded yet.
admin-staff-title = Company users
admin-staff-name = Name
admin-staff-role = Role
admin-staff-last-sign-in = Last sign-in
admin-staff-never = Never
admin-audit-when = When
admin-audit-action = Action
admin-audit-actor = Who
role-owner = Owner
role-admin = Administrator
role-sales = Sales
role-purchasing = Purchasing
role-read_only = Read-only

# Operator console
operator-app-name = Operator console
operator-sign-in-title = Operator console
operator-tenants-title = Companies
operator-tenants-empty = No companies yet. Create the first one with "portico tenant create".
operator-tenant-slug = Sub-domain
operator-tenant-name = Name
operator-tenant-locale = Language
operator-tenant-currency = Currency
operator-tenant-status = Status
operator-tenant-created = Created
operator-tenant-actions = Actions
operator-suspend = Suspend
operator-reactivate = Reactivate

operator-new-tenant = New company
operator-create-tenant = Create company
operator-tenant-slug-hint = The company's people will reach it at <sub-domain>.{ $base }. Use lower-case letters, digits and hyphens.
operator-tenant-max-contacts = Contact limit (optional)
operator-owner-name = Owner's name
operator-owner-email = Owner's email
operator-owner-password = Temporary password
operator-owner-password-once = Share this temporary password with the owner over a safe channel: it will not be shown again.
operator-tenant-created-title = { $company } was created.
operator-tenant-admin-url = Back office
cancel = Cancel
form-has-errors = Please check the marked fields.
field-required = This field is required.
field-too-long = Use at most 200 characters.
field-email = Enter a valid email address.
field-slug-invalid = Use 2 to 40 lower-case letters, digits or hyphens (no hyphen first or last).
field-slug-reserved = That sub-domain is reserved; choose another.
field-slug-taken = That sub-domain is already taken; choose another.
field-currency = Use a three-letter ISO 4217 code such as DOP, MXN, COP or USD.
field-positive-number = Enter a whole number greater than zero, or leave it empty.

# Portals
portal-customer-name = Customer Portal
portal-supplier-name = Supplier Portal
portal-welcome = Welcome to the { $company } { $portal }.
portal-invitation-hint = To enter you need an invitation from { $company }. If you received one, use the link in the email; if not, ask your contact at the company for access.
