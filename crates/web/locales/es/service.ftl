# Solicitudes de servicio: portal de clientes y back office.
nav-service-requests = Solicitudes de servicio
service-new = Nueva solicitud
service-col-subject = Asunto
service-col-opened = Abierta
service-col-priority = Prioridad
service-col-first-answer = Primera respuesta
service-empty = Aún no hay solicitudes. Abra una para pedir un servicio, reportar un problema o hacer una consulta; podrá seguirla aquí.
service-description = Descripción
service-files = Archivos
service-files-hint = Hasta 3 archivos: PDF, imagen, Office, OpenDocument, ZIP, CSV o texto; hasta 20 MB cada uno.
service-submit = Enviar la solicitud
service-thread = Conversación
service-from-company = de la empresa
service-from-customer = del cliente
service-moved-to = Pasó a:
service-thread-empty = Aún no hay respuestas. La empresa le responderá aquí.
service-thread-empty-staff = Aún no hay respuestas. Escriba la primera: el cliente la verá en su portal.
service-your-answer = Su respuesta
service-answer = Respuesta
service-move-to = Pasar a
service-keep-status = (sin cambiar el estado)
service-send = Enviar
service-closed-hint = Esta solicitud está cerrada. Abra una nueva si necesita algo más.
service-not-answered = sin responder

service-status-open = Abierta
service-status-in_progress = En curso
service-status-waiting_customer = Esperando respuesta del cliente
service-status-resolved = Resuelta
service-status-closed = Cerrada

service-priority-low = Baja
service-priority-normal = Normal
service-priority-high = Alta
service-priority-urgent = Urgente

service-opened = Se abrió la solicitud { $name }.
service-commented = Se añadió su mensaje a { $name }.
service-closed = La solicitud está cerrada: ya no admite mensajes.
service-too-many-files = Envíe como máximo 3 archivos a la vez.

service-home-open = Solicitudes abiertas
service-home-none = No tiene solicitudes abiertas.
service-home-link = Ver todas las solicitudes

admin-service-title = Solicitudes de servicio
admin-service-of = Solicitudes de servicio de { $customer }
admin-service-open = Abiertas
admin-service-all = Todas
admin-service-empty = No hay solicitudes aquí. Los contactos de los clientes las abren desde su portal.
admin-service-latest = Solicitudes abiertas
admin-service-theirs = Todas sus solicitudes
admin-service-empty-customer = Este cliente no tiene solicitudes abiertas.
service-list-not-granted = Puede abrir solicitudes, pero no ver las de su cuenta: pida ese permiso a la empresa.
admin-service-new = Abrir una solicitud
admin-service-new-hint = Para registrar lo que un cliente pide por teléfono o en persona: la solicitud aparece en su portal, con la conversación y los archivos, como si la hubiera abierto él.
admin-service-pick-title = ¿Para qué cliente es la solicitud?
admin-service-branch-hint = La sucursal a la que se refiere; vacío: la cuenta en general.
label-subject = Asunto
label-description = Descripción
label-priority = Prioridad
label-files = Archivos
