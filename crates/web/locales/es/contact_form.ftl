# The contact form's portal boxes and account picker, the default portal roles
# setting, and the branches each link sees in the portal (the contact record).
group-portal = Acceso a los portales
label-portal_customer = Acceso al Portal de Clientes
label-portal_supplier = Acceso al Portal de Proveedores
hint-portal_access = Al guardar, se envía al correo principal una invitación para elegir la contraseña.
contact-form-portal-role = Rol inicial: { $role }.
contact-form-portal-no-role = Sin rol inicial: no podrá hacer nada en el portal hasta que se le asignen permisos en «Acceso al portal».
contact-form-portal-needs-email = Escriba el correo principal: el acceso al portal lo necesita.
contact-form-portal-needs-account = Para dar acceso a ese portal, vincule el contacto a una cuenta de ese tipo.
contact-form-pick-title = Vincular a un cliente o proveedor (opcional)
contact-form-pick-label = Buscar por código o nombre
contact-form-pick-search = Buscar
contact-form-pick-hint = Busque la cuenta antes de llenar el formulario; también puede guardar el contacto sin vincularlo.
contact-form-pick-none = Ninguna cuenta coincide con «{ $q }».
contact-form-pick-more = Se muestran las primeras { $count } de cada tipo; precise la búsqueda.
contact-form-pick-change = Cambiar
settings-portal-defaults = Rol inicial de los contactos nuevos del portal
settings-portal-defaults-hint = El rol que reciben los vínculos de un contacto al darle acceso a ese portal (desde el formulario o desde «Acceso al portal»). «Ninguno»: sin permisos hasta que el personal los asigne.
settings-portal-default-none = Ninguno (sin permisos)
label-default_role_customer = Rol inicial en el Portal de Clientes
label-default_role_supplier = Rol inicial en el Portal de Proveedores
contact-links-portal-branches = Sucursales en el portal
contact-links-branches-no-access = Ninguna (sin acceso al portal)
contact-links-branches-account = Toda la cuenta (no tiene sucursales)
contact-links-branches-all = Todas las sucursales
contact-links-branches-chosen-none = Ninguna sucursal elegida
