# The short date and time with seconds, in the style of Django's SHORT_DATETIME_FORMAT ("d.m.Y H:i").
SHORT_DATETIME_SECONDS_FORMAT = "d.m.Y H:i:s"
