# Común
skip-to-content = Saltar al contenido
sign-in = Iniciar sesión
sign-out = Cerrar sesión
email = Correo electrónico
password = Contraseña
nav-home = Inicio
status-active = Activa
status-suspended = Suspendida
pagination = Paginación
pagination-first = Primera página
pagination-next = Página siguiente

# Errores
error-reference = Referencia
error-go-home = Ir al inicio
error-not-found = Página no encontrada
error-not-found-detail = La página que busca no existe o no tiene acceso a ella.
error-tenant-not-found = Empresa no encontrada
error-tenant-not-found-detail = No hay ninguna empresa activa en esta dirección. Revise el enlace o consulte a su administrador.
error-unauthorized = Inicie sesión
error-unauthorized-detail = Necesita iniciar sesión para continuar.
error-forbidden = Acceso denegado
error-forbidden-detail = No tiene permiso para realizar esta acción.
error-csrf = El formulario caducó
error-csrf-detail = Recargue la página e inténtelo de nuevo.
error-too-many = Demasiados intentos
error-too-many-detail = Espere unos minutos antes de volver a intentarlo.
error-bad-request = Solicitud no válida
error-bad-request-detail = Los datos enviados no son válidos.
error-method = Método no permitido
error-method-detail = Esta dirección no acepta esa operación.
error-internal = Algo salió mal
error-internal-detail = Ocurrió un error inesperado. Inténtelo de nuevo; si continúa, comparta la referencia con soporte.

# Inicio de sesión
sign-in-failed = Correo o contraseña incorrectos.
sign-in-locked = Demasiados intentos fallidos. Vuelva a intentarlo en { $minutes } minutos.
sign-in-email-invalid = Escriba un correo electrónico válido.
sign-in-password-missing = Escriba su contraseña.
signed-out = Cerró su sesión.

# Administración (back office)
admin-app-name = Administración
admin-sign-in-title = Administración de { $company }
admin-home-title = Inicio
admin-welcome = Bienvenido, { $name }.
admin-nav-staff = Usuarios
admin-home-company = Empresa
admin-home-role = Su rol
admin-home-recent = Actividad reciente
admin-home-no-activity = Todavía no hay actividad registrada.
admin-staff-title = Usuarios de la empresa
admin-staff-name = Nombre
admin-staff-role = Rol
admin-staff-last-sign-in = Último acceso
admin-staff-never = Nunca
admin-audit-when = Fecha
admin-audit-action = Acción
admin-audit-actor = Quién
role-owner = Propietario
role-admin = Administrador
role-sales = Ventas
role-purchasing = Compras
role-read_only = Solo lectura

# Consola de operadores
operator-app-name = Consola de operadores
operator-sign-in-title = Consola de operadores
operator-tenants-title = Empresas
operator-tenants-empty = Todavía no hay empresas. Cree la primera con «portico tenant create».
operator-tenant-slug = Subdominio
operator-tenant-name = Nombre
operator-tenant-locale = Idioma
operator-tenant-currency = Moneda
operator-tenant-status = Estado
operator-tenant-created = Creada
operator-tenant-actions = Acciones
operator-suspend = Suspender
operator-reactivate = Reactivar

operator-new-tenant = Nueva empresa
operator-create-tenant = Crear empresa
operator-tenant-slug-hint = Las personas de la empresa entrarán por <subdominio>.{ $base }. Use letras minúsculas, números y guiones.
operator-tenant-max-contacts = Límite de contactos (opcional)
operator-owner-name = Nombre del propietario
operator-owner-email = Correo del propietario
operator-owner-password = Contraseña temporal
operator-owner-password-once = Comparta esta contraseña temporal con el propietario por un canal seguro: no se volverá a mostrar.
operator-tenant-created-title = Se creó { $company }.
operator-tenant-admin-url = Administración
cancel = Cancelar
form-has-errors = Revise los campos marcados.
field-required = Este campo es obligatorio.
field-too-long = Use como máximo 200 caracteres.
field-email = Escriba un correo electrónico válido.
field-slug-invalid = Use de 2 a 40 letras minúsculas, números o guiones (sin guion al principio ni al final).
field-slug-reserved = Ese subdominio está reservado; elija otro.
field-slug-taken = Ese subdominio ya está en uso; elija otro.
field-currency = Use un código ISO 4217 de tres letras, como DOP, MXN, COP o USD.
field-positive-number = Escriba un número entero mayor que cero, o déjelo vacío.

# Portales
portal-customer-name = Portal de Clientes
portal-supplier-name = Portal de Proveedores
portal-welcome = Bienvenido al { $portal } de { $company }.
portal-invitation-hint = Para entrar necesita una invitación de { $company }. Si la recibió, use el enlace del correo; si no, pida acceso a su contacto en la empresa.
