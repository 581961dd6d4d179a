# Common
skip-to-content = Skip to content
sign-in = Sign in
sign-out = Sign out
email = Email
password = Password
signed-in-as = Signed in as { $name }
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
admin-nav-customers = Customers
admin-nav-suppliers = Suppliers
admin-nav-contacts = Contacts
admin-nav-staff = Users
admin-nav-audit = History
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
operator-tenant-suspended = { $company } was suspended.
operator-tenant-reactivated = { $company } was reactivated.

# Portals
portal-customer-name = Customer Portal
portal-supplier-name = Supplier Portal
portal-welcome = Welcome to the { $company } { $portal }.
portal-invitation-hint = To enter you need an invitation from { $company }. If you received one, use the link in the email; if not, ask your contact at the company for access.
