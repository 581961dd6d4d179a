# Documents shared with customers: back office and portal.
nav-documents = Documents
admin-documents-title = Documents
admin-documents-of = Documents of { $customer }
admin-documents-new = Upload a document
admin-documents-empty = No documents yet. Upload contracts, certificates or price lists for each customer's contacts to see in their portal.
admin-documents-latest = Latest documents
admin-documents-theirs = All their documents
admin-documents-empty-customer = This customer has no documents yet.
admin-quotes-latest = Latest quotes
admin-quotes-theirs = All their quotes
admin-quotes-empty-customer = This customer has no quotes yet.
admin-orders-latest = Latest orders
admin-orders-theirs = All their orders
admin-orders-empty-customer = This customer has no orders yet.

document-kind-contract = Contract
document-kind-certificate = Certificate
document-kind-price_list = Price list
document-kind-catalogue = Catalogue
document-kind-technical_sheet = Technical sheet
document-kind-policy = Policy
document-kind-other = Other

document-col-title = Title
document-col-kind = Type
document-col-version = Version
document-col-published = Published
document-col-file = File
document-col-size = Size
document-col-uploaded = Uploaded
document-col-note = Note
document-no-file = No file
document-branch-hint = Leave it empty for every contact of the customer to see it; with a branch, only those who see that branch.
document-file-hint = PDF, image (PNG, JPEG), Word, Excel, PowerPoint, OpenDocument, ZIP, CSV or text; up to 20 MB.
document-portal-hint = The customer's contacts allowed to view documents see it in their portal as soon as you upload it.
document-upload = Upload
document-pick-title = Which customer is the document for?
document-pick-hint = Search for the customer by code or name.
document-download-current = Download the current version
document-visible-in-portal = Visible in the portal to the customer's contacts who may view documents.
document-waits-for-file = No file yet: the portal shows it once you upload the first version.
document-versions = Versions
document-current = Current
document-no-versions = No versions yet.
document-new-version = Upload a new version
document-describe = Description
document-delete = Delete the document
document-delete-hint = The document and all its versions are deleted; contacts stop seeing it in the portal. This cannot be undone.
document-delete-confirm = Yes, delete for good

document-created = Document uploaded.
document-saved = Document saved.
document-version-added = New version uploaded.
document-version-same = That file is the current version already; nothing was added.
document-deleted = Document deleted.

document-file-empty = The file is empty.
document-file-too-large = The file is larger than 20 MB.
document-file-type = That file type is not accepted: use PDF, an image, Office, OpenDocument, ZIP, CSV or text.
document-account-invalid = Choose one of the company's customers.
documents-version-conflict = Someone else uploaded a version at the same time; check the versions and try again.

label-title = Title
label-kind = Type
label-branch = Branch
label-file = File
label-note = Note

customer-documents-empty = No documents yet. The contracts, certificates and price lists the company shares with you will appear here.
customer-document-download = Download
customer-document-version = version { $version }
