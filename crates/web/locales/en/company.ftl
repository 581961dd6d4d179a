# The company page of the settings: profile and logo.
company-title = Company details
company-intro = This is how your company appears in the portals' header and on invoices, quotes, orders and statements as PDF.
company-profile = Profile
company-tax-id-hint = The RNC, RFC or NIT your printed documents carry.
company-address-hint = Up to { $lines } lines, as on a letterhead.
company-address-too-many-lines = The address has more lines than the letterhead holds.
label-address = Address
label-logo = Logo
company-logo-hint = JPEG, PNG or WebP up to { $megabytes } MB. It is fitted into 600 × 240 pixels and keeps its transparency.
company-logo-current = Current logo
company-logo-none = Your company has no logo yet: documents show its name only.
company-logo-choose = Choose a logo
company-logo-replace = Replace the logo
company-logo-upload = Upload logo
company-logo-remove = Remove the logo
company-logo-missing = Choose an image file to upload.
company-logo-saved = Logo saved.
company-logo-removed = Logo removed.
logo-too-large = The logo is larger than allowed. Choose a smaller image.

# How documents round their tax (settings).
settings-rounding = Tax rounding
settings-rounding-label = How each document's tax is rounded
settings-rounding-hint = Applies to invoices, quotes and orders created from now on; those already stored keep their amounts.
rounding-line = Per line: each line's tax is rounded, then summed
rounding-document = Per document: the lines' exact taxes are summed and the total rounded once
