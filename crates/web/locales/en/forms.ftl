# Forms: the error summary, required marks, files to choose again, code lists.
form-required-legend = Fields marked * are required.
photo-choose-again = Choose the photo again: the browser does not keep it when the form comes back with errors.
choose-currency = Choose a currency from the list.
