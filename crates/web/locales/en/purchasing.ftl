# Purchase orders: back office (Purchasing → Purchase orders) and the supplier portal.
nav-purchase-orders = Purchase orders
purchasing-kind = Purchase order
purchasing-supplier = Supplier
purchasing-expected-on = Expected on
purchasing-comment = Comment
purchasing-col-answer = Supplier's answer
purchasing-line-n = Line { $n }

purchasing-status-draft = Draft
purchasing-status-sent = To acknowledge
purchasing-status-in_review = Answer in review
purchasing-status-acknowledged = Acknowledged
purchasing-status-partially_received = Partially received
purchasing-status-received = Received
purchasing-status-closed = Closed
purchasing-status-cancelled = Cancelled

purchasing-ack-open = Not answered
purchasing-ack-accepted = Accepted
purchasing-ack-rejected = Rejected
purchasing-ack-changed = Accepted with changes

purchasing-event-imported = Received from the ERP
purchasing-event-updated = Updated by the ERP
purchasing-event-reopened = Back to draft
purchasing-event-sent = Sent to the supplier
purchasing-event-acknowledged = Acknowledged by the supplier
purchasing-event-answered_with_changes = Answered with changes
purchasing-event-changes_accepted = Changes accepted
purchasing-event-changes_refused = Changes refused
purchasing-event-partially_received = Partially received
purchasing-event-received = Received
purchasing-event-closed = Closed
purchasing-event-cancelled = Cancelled

purchasing-field-decision = Answer
purchasing-field-quantity = Quantity you will deliver
purchasing-field-promised_on = Promised date
purchasing-field-reason = Reason
purchasing-field-note = Note for the customer
purchasing-field-lines = Lines
purchasing-decision-accept = Accept
purchasing-decision-change = Accept with changes
purchasing-decision-reject = Reject

purchasing-waiting-you = Waiting for your acknowledgement
purchasing-empty = There are no purchase orders for this account yet.
purchasing-home-waiting = Orders to acknowledge
purchasing-home-none = No orders are waiting for your acknowledgement.
purchasing-home-all = See all purchase orders
purchasing-in-review-note = Your answer is in review: the customer will accept or refuse your changes.
purchasing-refused-because = The customer refused the previous answer:
purchasing-answer-title = Acknowledge the order
purchasing-answer-hint = Acknowledge the whole order as it stands, or answer line by line: accept, reject with a reason, or accept with another quantity or date. The customer reviews any change.
purchasing-accept-all = Acknowledge the whole order
purchasing-send-answer = Send the line-by-line answer
purchasing-acknowledged = Order { $name } was acknowledged.
purchasing-answered-for-review = Your answer to order { $name } was sent; the customer will review the changes.

purchasing-admin-title = Purchase orders
purchasing-admin-of = Purchase orders of { $supplier }
purchasing-tabs = Filter orders
purchasing-tab-all = All
purchasing-tab-in_review = Answers to review
purchasing-tab-waiting = To acknowledge
purchasing-all-suppliers = All suppliers
purchasing-admin-empty-all = No purchase orders yet. The ERP sends them through the API (PUT /api/v1/purchase-orders).
purchasing-admin-empty-in_review = No supplier answers to review.
purchasing-admin-empty-waiting = No orders are waiting for the supplier's acknowledgement.
purchasing-move-send = Send to the supplier
purchasing-move-close = Close
purchasing-move-cancel = Cancel
purchasing-done-sent = Order { $name } was sent to the supplier.
purchasing-done-closed = Order { $name } was closed.
purchasing-done-cancelled = Order { $name } was cancelled.
purchasing-review-title = The supplier answered with changes
purchasing-review-hint = Accept the changes (the order takes the promised quantities and dates, and rejected lines are dropped) or refuse them with a reason the supplier will read.
purchasing-refuse-reason = Reason for refusing (required to refuse)
purchasing-accept-changes = Accept the changes
purchasing-refuse-changes = Refuse the changes
purchasing-changes-accepted = The changes to order { $name } were accepted.
purchasing-changes-refused = The changes to order { $name } were refused; the supplier will answer again.

purchasing-expected-before-issue = The expected date is before the order's date.
purchasing-ack-every-line = Answer every line of the order.
purchasing-reason-required = Give the reason.
purchasing-promised-before-order = The promised date is before the order's date.
purchasing-change-nothing = Give another quantity or a promised date, or accept the line as it is.
purchasing-supplier-unknown = There is no active supplier with that code.
purchasing-supplier-changed = A purchase order does not change supplier.
purchasing-answered = The supplier already answered this order: its lines do not change and its state only moves on.
purchasing-not-waiting = This order no longer waits for your answer.
purchasing-nothing-to-review = This order has no answer to review.
purchasing-move-not-open = The order is no longer in a state that allows this.

# Goods receipts.
purchasing-col-received = Received
purchasing-rejected-qty = rejected:
purchasing-receipts = Goods receipts
purchasing-event-received_more = Further receipt
purchasing-receipt-nothing = Give what was accepted or rejected.
purchasing-receipt-changed = This receipt was recorded with another content; record a new one to correct it.
purchasing-order-unknown = There is no purchase order with that reference.
purchasing-order-not-receiving = The order takes no receipts (draft, closed or cancelled).
purchasing-line-unknown = The order has no such line.
purchasing-over-received = More accepted than ordered.
