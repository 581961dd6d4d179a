# Layout and small screens (helper "ui").
ui-menu = Menu
ui-phones = Phones
ui-activity-record = Record
