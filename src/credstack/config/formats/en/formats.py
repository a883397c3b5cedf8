"""English dates as credstack has always written them ("6 December 2026", not Django's "Dec. 6, 2026");
the other languages use Django's locale formats (decision 0062: "6. Dezember 2026", "6 ديسمبر، 2026")."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
