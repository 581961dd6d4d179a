# La página de la empresa en la configuración: perfil y logotipo.
company-title = Datos de la empresa
company-intro = Así aparece su empresa en el encabezado de los portales y en las facturas, cotizaciones, pedidos y estados de cuenta en PDF.
company-profile = Perfil
company-tax-id-hint = RNC, RFC o NIT que figura en sus documentos impresos.
company-address-hint = Hasta { $lines } líneas, como en el membrete.
company-address-too-many-lines = La dirección tiene más líneas de las que caben en el membrete.
label-address = Dirección
label-logo = Logotipo
company-logo-hint = JPEG, PNG o WebP de hasta { $megabytes } MB. Se ajusta a 600 × 240 píxeles y se conserva la transparencia.
company-logo-current = Logotipo actual
company-logo-none = Su empresa todavía no tiene logotipo: los documentos muestran solo su nombre.
company-logo-choose = Elegir un logotipo
company-logo-replace = Reemplazar el logotipo
company-logo-upload = Subir logotipo
company-logo-remove = Quitar el logotipo
company-logo-missing = Elija un archivo de imagen para subir.
company-logo-saved = Logotipo guardado.
company-logo-removed = Logotipo quitado.
logo-too-large = El logotipo pesa más de lo permitido. Elija una imagen más liviana.

# Redondeo del impuesto de los documentos (configuración).
settings-rounding = Redondeo de impuestos
settings-rounding-label = Cómo se redondea el impuesto de cada documento
settings-rounding-hint = Se aplica a las facturas, cotizaciones y pedidos que se creen desde ahora; los ya guardados conservan sus importes.
rounding-line = Por línea: el impuesto de cada línea se redondea y luego se suma
rounding-document = Por documento: se suman los impuestos exactos de las líneas y el total se redondea una vez
