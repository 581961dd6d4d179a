# Layout and small screens (helper "ui").
ui-menu = Menú
ui-phones = Teléfonos
ui-activity-record = Registro
