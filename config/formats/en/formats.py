# The short date and time with seconds, in the style of Django's SHORT_DATETIME_FORMAT ("m/d/Y P").
SHORT_DATETIME_SECONDS_FORMAT = "m/d/Y g:i:s a"
