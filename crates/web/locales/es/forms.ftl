# Forms: the error summary, required marks, files to choose again, code lists.
form-required-legend = Los campos con * son obligatorios.
photo-choose-again = Elija la foto otra vez: el navegador no la conserva cuando el formulario vuelve con errores.
choose-currency = Elija una moneda de la lista.
