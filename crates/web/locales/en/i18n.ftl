# History: every field and value in the reader's language
history-other-field = Other detail
history-other-action = Other change
label-portal_status = Portal status
label-portal = Portal
label-role = Role
label-status = Status
label-role_ids = Portal roles
label-permissions = Permissions
label-all_branches = All branches
label-branch_ids = Branches seen
label-approval_limit = Approval limit
label-contact_required = Contacts' required fields
label-four_eyes = Nobody authorizes what they created
label-prefix = Key prefix
label-name_es = Name in Spanish
label-name_en = Name in English
label-slug = Subdomain
label-locale = Language
label-currency = Currency
label-max_contacts = Contact limit
staff-status-active = Active
staff-status-disabled = Disabled
language-es = Spanish
language-en = English
action-contact-portal_invitation_sent = Was sent an invitation to the portal

# Portal access explainer
explain-link-unknown = Choose one of the contact's accounts.
explain-permission-unknown = Choose a permission of that account's portal.
explain-branch-unknown = Choose a branch of that account.

# Settings lists: rename, archive, restore
settings-rename = Rename
settings-archive-hint = An archived entry is no longer offered in forms; contacts that have it keep it.
settings-entry-archived = The entry was archived; forms no longer offer it.
settings-entry-restored = The entry was restored.
action-contact_title-update = Renamed a title
action-contact_title-archive = Archived a title
action-contact_title-restore = Restored a title
action-contact_category-update = Renamed a category
action-contact_category-archive = Archived a category
action-contact_category-restore = Restored a category
