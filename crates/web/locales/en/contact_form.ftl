# The contact form's portal boxes and account picker, the default portal roles
# setting, and the branches each link sees in the portal (the contact record).
group-portal = Portal access
label-portal_customer = Customer Portal access
label-portal_supplier = Supplier Portal access
hint-portal_access = On saving, an invitation to choose a password is sent to the main email.
contact-form-portal-role = Initial role: { $role }.
contact-form-portal-no-role = No initial role: the contact can do nothing in the portal until permissions are given on "Portal access".
contact-form-portal-needs-email = Enter the main email: portal access needs it.
contact-form-portal-needs-account = To give access to that portal, link the contact to an account of that kind.
contact-form-pick-title = Link to a customer or supplier (optional)
contact-form-pick-label = Search by code or name
contact-form-pick-search = Search
contact-form-pick-hint = Find the account before filling in the form; you can also save the contact without linking it.
contact-form-pick-none = No account matches "{ $q }".
contact-form-pick-more = Showing the first { $count } of each kind; narrow the search.
contact-form-pick-change = Change
settings-portal-defaults = Default role for new portal contacts
settings-portal-defaults-hint = The role a contact's links get when the contact is given access to that portal (from the form or from "Portal access"). "None": no permissions until staff give them.
settings-portal-default-none = None (no permissions)
label-default_role_customer = Initial role in the Customer Portal
label-default_role_supplier = Initial role in the Supplier Portal
contact-links-portal-branches = Branches in the portal
contact-links-branches-no-access = None (no portal access)
contact-links-branches-account = The whole account (it has no branches)
contact-links-branches-all = All branches
contact-links-branches-chosen-none = No branch chosen
