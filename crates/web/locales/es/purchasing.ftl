# Purchase orders: back office (Compras → Órdenes de compra) and the supplier portal.
nav-purchase-orders = Órdenes de compra
purchasing-kind = Orden de compra
purchasing-supplier = Proveedor
purchasing-expected-on = Fecha esperada
purchasing-comment = Comentario
purchasing-col-answer = Respuesta del proveedor
purchasing-line-n = Línea { $n }

purchasing-status-draft = Borrador
purchasing-status-sent = Por confirmar
purchasing-status-in_review = Respuesta en revisión
purchasing-status-acknowledged = Confirmada
purchasing-status-partially_received = Recibida en parte
purchasing-status-received = Recibida
purchasing-status-closed = Cerrada
purchasing-status-cancelled = Anulada

purchasing-ack-open = Sin responder
purchasing-ack-accepted = Aceptada
purchasing-ack-rejected = Rechazada
purchasing-ack-changed = Aceptada con cambios

purchasing-event-imported = Recibida del ERP
purchasing-event-updated = Actualizada por el ERP
purchasing-event-reopened = Vuelta a borrador
purchasing-event-sent = Enviada al proveedor
purchasing-event-acknowledged = Confirmada por el proveedor
purchasing-event-answered_with_changes = Respondida con cambios
purchasing-event-changes_accepted = Cambios aceptados
purchasing-event-changes_refused = Cambios rechazados
purchasing-event-partially_received = Recibida en parte
purchasing-event-received = Recibida
purchasing-event-closed = Cerrada
purchasing-event-cancelled = Anulada

purchasing-field-decision = Respuesta
purchasing-field-quantity = Cantidad que entregará
purchasing-field-promised_on = Fecha prometida
purchasing-field-reason = Motivo
purchasing-field-note = Nota para el cliente
purchasing-field-lines = Líneas
purchasing-decision-accept = Aceptar
purchasing-decision-change = Aceptar con cambios
purchasing-decision-reject = Rechazar

purchasing-waiting-you = Espera su confirmación
purchasing-empty = Aún no hay órdenes de compra para esta cuenta.
purchasing-home-waiting = Órdenes por confirmar
purchasing-home-none = No hay órdenes esperando su confirmación.
purchasing-home-all = Ver todas las órdenes de compra
purchasing-in-review-note = Su respuesta está en revisión: el cliente aceptará o rechazará sus cambios.
purchasing-refused-because = El cliente rechazó la respuesta anterior:
purchasing-answer-title = Confirmar la orden
purchasing-answer-hint = Confirme toda la orden tal como está, o responda línea por línea: acepte, rechace con un motivo o acepte con otra cantidad o fecha. Los cambios los revisa el cliente.
purchasing-accept-all = Confirmar toda la orden
purchasing-send-answer = Enviar respuesta por línea
purchasing-acknowledged = Se confirmó la orden { $name }.
purchasing-answered-for-review = Se envió su respuesta a la orden { $name }; el cliente revisará los cambios.

purchasing-admin-title = Órdenes de compra
purchasing-admin-of = Órdenes de compra de { $supplier }
purchasing-tabs = Filtrar órdenes
purchasing-tab-all = Todas
purchasing-tab-in_review = Respuestas por revisar
purchasing-tab-waiting = Por confirmar
purchasing-all-suppliers = Todos los proveedores
purchasing-admin-empty-all = Aún no hay órdenes de compra. El ERP las envía por la API (PUT /api/v1/purchase-orders).
purchasing-admin-empty-in_review = No hay respuestas de proveedores por revisar.
purchasing-admin-empty-waiting = No hay órdenes esperando la confirmación del proveedor.
purchasing-move-send = Enviar al proveedor
purchasing-move-close = Cerrar
purchasing-move-cancel = Anular
purchasing-done-sent = Se envió la orden { $name } al proveedor.
purchasing-done-closed = Se cerró la orden { $name }.
purchasing-done-cancelled = Se anuló la orden { $name }.
purchasing-review-title = El proveedor respondió con cambios
purchasing-review-hint = Acepte los cambios (la orden toma las cantidades y fechas prometidas y se quitan las líneas rechazadas) o recházelos con un motivo que el proveedor leerá.
purchasing-refuse-reason = Motivo del rechazo (obligatorio para rechazar)
purchasing-accept-changes = Aceptar los cambios
purchasing-refuse-changes = Rechazar los cambios
purchasing-changes-accepted = Se aceptaron los cambios de la orden { $name }.
purchasing-changes-refused = Se rechazaron los cambios de la orden { $name }; el proveedor responderá de nuevo.

purchasing-expected-before-issue = La fecha esperada es anterior a la fecha de la orden.
purchasing-ack-every-line = Responda cada línea de la orden.
purchasing-reason-required = Indique el motivo.
purchasing-promised-before-order = La fecha prometida es anterior a la fecha de la orden.
purchasing-change-nothing = Indique otra cantidad o una fecha prometida, o acepte la línea tal como está.
purchasing-supplier-unknown = No hay un proveedor activo con ese código.
purchasing-supplier-changed = Una orden de compra no cambia de proveedor.
purchasing-answered = El proveedor ya respondió esta orden: sus líneas no cambian y su estado solo avanza.
purchasing-not-waiting = Esta orden ya no espera su respuesta.
purchasing-nothing-to-review = Esta orden no tiene una respuesta por revisar.
purchasing-move-not-open = La orden ya no está en un estado que lo permita.

# Goods receipts.
purchasing-col-received = Recibido
purchasing-rejected-qty = rechazado:
purchasing-receipts = Recepciones de mercancía
purchasing-event-received_more = Recepción adicional
purchasing-receipt-nothing = Indique lo aceptado o lo rechazado.
purchasing-receipt-changed = Esta recepción ya se registró con otro contenido; registre una nueva para corregirla.
purchasing-order-unknown = No hay una orden de compra con esa referencia.
purchasing-order-not-receiving = La orden no admite recepciones (borrador, cerrada o anulada).
purchasing-line-unknown = La orden no tiene esa línea.
purchasing-over-received = Lo aceptado supera la cantidad pedida.
