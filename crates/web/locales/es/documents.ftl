# Documentos compartidos con los clientes: back office y portal.
nav-documents = Documentos
admin-documents-title = Documentos
admin-documents-of = Documentos de { $customer }
admin-documents-new = Subir documento
admin-documents-empty = Aún no hay documentos. Suba contratos, certificados o listas de precios para que los contactos de cada cliente los vean en su portal.
admin-documents-latest = Últimos documentos
admin-documents-theirs = Todos sus documentos
admin-documents-empty-customer = Este cliente aún no tiene documentos.
admin-quotes-latest = Últimas cotizaciones
admin-quotes-theirs = Todas sus cotizaciones
admin-quotes-empty-customer = Este cliente aún no tiene cotizaciones.
admin-orders-latest = Últimos pedidos
admin-orders-theirs = Todos sus pedidos
admin-orders-empty-customer = Este cliente aún no tiene pedidos.

document-kind-contract = Contrato
document-kind-certificate = Certificado
document-kind-price_list = Lista de precios
document-kind-catalogue = Catálogo
document-kind-technical_sheet = Ficha técnica
document-kind-policy = Política
document-kind-other = Otro

document-col-title = Título
document-col-kind = Tipo
document-col-version = Versión
document-col-published = Publicado
document-col-file = Archivo
document-col-size = Tamaño
document-col-uploaded = Subido
document-col-note = Nota
document-no-file = Sin archivo
document-branch-hint = Déjelo vacío para que lo vean todos los contactos del cliente; con una sucursal, solo quienes ven esa sucursal.
document-file-hint = PDF, imagen (PNG, JPEG), Word, Excel, PowerPoint, OpenDocument, ZIP, CSV o texto; hasta 20 MB.
document-portal-hint = Los contactos del cliente con permiso para ver documentos lo verán en su portal en cuanto lo suba.
document-upload = Subir
document-pick-title = ¿De qué cliente es el documento?
document-pick-hint = Busque el cliente por su código o su nombre.
document-download-current = Descargar la versión vigente
document-visible-in-portal = Visible en el portal para los contactos del cliente que pueden ver documentos.
document-waits-for-file = Sin archivo aún: el portal no lo muestra hasta que suba la primera versión.
document-versions = Versiones
document-current = Vigente
document-no-versions = Aún no tiene versiones.
document-new-version = Subir una nueva versión
document-describe = Descripción
document-delete = Eliminar el documento
document-delete-hint = Se eliminan el documento y todas sus versiones; los contactos dejan de verlo en el portal. No se puede deshacer.
document-delete-confirm = Sí, eliminar para siempre

document-created = Documento subido.
document-saved = Documento guardado.
document-version-added = Nueva versión subida.
document-version-same = Ese archivo ya es la versión vigente; no se añadió nada.
document-deleted = Documento eliminado.

document-file-empty = El archivo está vacío.
document-file-too-large = El archivo supera los 20 MB.
document-file-type = Ese tipo de archivo no se admite: use PDF, imagen, Office, OpenDocument, ZIP, CSV o texto.
document-account-invalid = Elija uno de los clientes de la empresa.
documents-version-conflict = Otra persona subió una versión al mismo tiempo; revise las versiones e inténtelo de nuevo.

label-title = Título
label-kind = Tipo
label-branch = Sucursal
label-file = Archivo
label-note = Nota

customer-documents-empty = Aún no hay documentos. Aquí verá los contratos, certificados y listas de precios que la empresa comparta con ustedes.
customer-document-download = Descargar
customer-document-version = versión { $version }
