# Historial: cada campo y valor en el idioma de quien lo lee
history-other-field = Otro dato
history-other-action = Otro cambio
label-portal_status = Estado en el portal
label-portal = Portal
label-role = Rol
label-status = Estado
label-role_ids = Roles del portal
label-permissions = Permisos
label-all_branches = Todas las sucursales
label-branch_ids = Sucursales que ve
label-approval_limit = Límite de aprobación
label-contact_required = Campos obligatorios de los contactos
label-four_eyes = Nadie autoriza lo que creó
label-prefix = Prefijo de la clave
label-name_es = Nombre en español
label-name_en = Nombre en inglés
label-slug = Subdominio
label-locale = Idioma
label-currency = Moneda
label-max_contacts = Límite de contactos
staff-status-active = Activo
staff-status-disabled = Desactivado
language-es = Español
language-en = Inglés
action-contact-portal_invitation_sent = Se le envió una invitación al portal

# Explicador del acceso al portal
explain-link-unknown = Elija una de las cuentas del contacto.
explain-permission-unknown = Elija un permiso del portal de esa cuenta.
explain-branch-unknown = Elija una sucursal de esa cuenta.

# Listas de la configuración: renombrar, archivar, restaurar
settings-rename = Renombrar
settings-archive-hint = Una entrada archivada ya no se ofrece en los formularios; los contactos que la tienen la conservan.
settings-entry-archived = Se archivó la entrada; ya no se ofrece en los formularios.
settings-entry-restored = Se restauró la entrada.
action-contact_title-update = Renombró un título
action-contact_title-archive = Archivó un título
action-contact_title-restore = Restauró un título
action-contact_category-update = Renombró una categoría
action-contact_category-archive = Archivó una categoría
action-contact_category-restore = Restauró una categoría
