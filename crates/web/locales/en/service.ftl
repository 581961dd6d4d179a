# Service requests: customer portal and back office.
nav-service-requests = Service requests
service-new = New request
service-col-subject = Subject
service-col-opened = Opened
service-col-priority = Priority
service-col-first-answer = First answer
service-empty = No requests yet. Open one to ask for a service, report a problem or ask a question; you can follow it here.
service-description = Description
service-files = Files
service-files-hint = Up to 3 files: PDF, image, Office, OpenDocument, ZIP, CSV or text; up to 20 MB each.
service-submit = Send the request
service-thread = Conversation
service-from-company = from the company
service-from-customer = from the customer
service-moved-to = Moved to:
service-thread-empty = No answers yet. The company will answer here.
service-thread-empty-staff = No answers yet. Write the first: the customer sees it in their portal.
service-your-answer = Your answer
service-answer = Answer
service-move-to = Move to
service-keep-status = (keep the state)
service-send = Send
service-closed-hint = This request is closed. Open a new one if you need anything else.
service-not-answered = not answered

service-status-open = Open
service-status-in_progress = In progress
service-status-waiting_customer = Waiting for the customer's answer
service-status-resolved = Resolved
service-status-closed = Closed

service-priority-low = Low
service-priority-normal = Normal
service-priority-high = High
service-priority-urgent = Urgent

service-opened = Request { $name } was opened.
service-commented = Your message was added to { $name }.
service-closed = The request is closed: it takes no more messages.
service-too-many-files = Send at most 3 files at a time.

service-home-open = Open requests
service-home-none = You have no open requests.
service-home-link = See every request

admin-service-title = Service requests
admin-service-of = Service requests of { $customer }
admin-service-open = Open
admin-service-all = All
admin-service-empty = No requests here. Customers' contacts open them from their portal.
admin-service-latest = Open requests
admin-service-theirs = All their requests
admin-service-empty-customer = This customer has no open requests.
service-list-not-granted = You may open requests but not see your account's: ask the company for that permission.
admin-service-new = Open a request
admin-service-new-hint = To record what a customer asks for by phone or in person: the request appears in their portal, with the thread and the files, as if they had opened it.
admin-service-pick-title = Which customer is the request for?
admin-service-branch-hint = The branch it is about; empty: the account as a whole.
label-subject = Subject
label-description = Description
label-priority = Priority
label-files = Files
